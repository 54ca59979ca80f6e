/*
 * x86_64 hardware random numbers: RDSEED (a conditioned entropy source,
 * meant for seeding) when the CPU has it, else RDRAND (a DRBG output).
 * Both may transiently fail (carry clear) under contention; Intel's
 * guidance is to retry a few times, so each call retries up to 10 times.
 */
#include <keel/arch.h>
#include <asm/cpu.h>

#define X86_FEAT_1_ECX_RDRAND   30
#define X86_FEAT_7_EBX_RDSEED   18
#define RANDOM_RETRIES          10

enum { HWRNG_UNKNOWN, HWRNG_NONE, HWRNG_RDRAND, HWRNG_RDSEED };
static int hwrng_kind;  /* [a] probed on first use; every CPU agrees */

static int hwrng_probe(void)
{
	u32 a, b, c, d, max;

	cpuid(0, &max, &b, &c, &d);
	if (max >= 7) {
		cpuid_count(7, 0, &a, &b, &c, &d);
		if (b & (1U << X86_FEAT_7_EBX_RDSEED))
			return HWRNG_RDSEED;
	}
	cpuid(1, &a, &b, &c, &d);
	if (c & (1U << X86_FEAT_1_ECX_RDRAND))
		return HWRNG_RDRAND;
	return HWRNG_NONE;
}

static bool rdseed64(u64 *v)
{
	bool ok;

	__asm__ __volatile__("rdseed %0; setc %1" : "=r"(*v), "=qm"(ok));
	return ok;
}

static bool rdrand64(u64 *v)
{
	bool ok;

	__asm__ __volatile__("rdrand %0; setc %1" : "=r"(*v), "=qm"(ok));
	return ok;
}

bool arch_get_random_seed(u64 *v)
{
	int kind = READ_ONCE(hwrng_kind);

	if (kind == HWRNG_UNKNOWN) {
		kind = hwrng_probe();
		WRITE_ONCE(hwrng_kind, kind);
	}
	for (int i = 0; i < RANDOM_RETRIES; i++) {
		if (kind == HWRNG_RDSEED && rdseed64(v))
			return true;
		if (kind == HWRNG_RDRAND && rdrand64(v))
			return true;
		if (kind == HWRNG_NONE)
			return false;
	}
	/* RDSEED can run dry; RDRAND is still a good input. */
	if (kind == HWRNG_RDSEED) {
		u32 a, b, c, d;

		cpuid(1, &a, &b, &c, &d);
		if (c & (1U << X86_FEAT_1_ECX_RDRAND))
			for (int i = 0; i < RANDOM_RETRIES; i++)
				if (rdrand64(v))
					return true;
	}
	return false;
}
