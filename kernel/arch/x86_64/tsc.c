/*
 * The TSC: the boot clock (arch_clock_ns) and a clock source.
 *
 * Early boot (x86_tsc_init): a 20 ms calibration against PIT channel 2
 * gives log timestamps from the first line; arch_clock_ns() counts from
 * the moment the kernel was entered.
 *
 * time_init() -> arch_clocksource_init(): the TSC is recalibrated against
 * the HPET when one was registered (bracketed reads over 25 ms), else
 * against the PIT again (median of three 20 ms runs). The boot clock is rebased on the new frequency at
 * the current time, so it does not jump. The TSC is then registered with
 * rating 300 if it is invariant (CPUID 0x80000007 EDX bit 8: constant rate
 * in every P- and C-state), else 100 -- below the HPET, as it may change
 * speed or stop. QEMU TCG's `-cpu max` does not report an invariant TSC, so
 * there the HPET wins; the log line says which. Last the PIT registers
 * itself as the clock source of last resort.
 *
 * Conversion: ns = ns_base + ((tsc - tsc_base) * mult) >> 32, with a 128-bit
 * product, so it does not overflow for centuries of uptime.
 *
 * [I]: written at boot with interrupts off, before other CPUs start.
 */
#include <keel/arch.h>
#include <keel/printk.h>
#include <keel/time.h>
#include <asm/cpu.h>
#include <asm/x86.h>

#define TSC_PIT_CAL_MS   20
#define TSC_REF_CAL_MS   25
#define TSC_SAMPLES      8
#define TSC_MAX_SPINS    100000000UL

static u64 tsc_base;      /* [I] TSC at tsc_ns_base */
static u64 tsc_ns_base;   /* [I] boot clock at tsc_base */
static u64 tsc_mult;      /* [I] ns per cycle, 32.32 fixed point; 0: none */
static u64 tsc_hz;        /* [I] */

static inline u64 rdtsc_ordered(void)
{
	__asm__ __volatile__("lfence" ::: "memory");
	return rdtsc();
}

static u64 tsc_to_ns(u64 tsc)
{
	u64 d = tsc - tsc_base;

	if ((s64)d < 0)           /* another CPU's TSC slightly behind */
		d = 0;
	return tsc_ns_base + (u64)(((unsigned __int128)d * tsc_mult) >> 32);
}

/*
 * Use @hz from now on, continuing the boot clock from its current value
 * (the first time, from tsc_base: the kernel's entry).
 */
static void tsc_set_freq(u64 hz)
{
	unsigned long flags = arch_irq_save();
	u64 now = rdtsc();

	if (tsc_mult) {
		tsc_ns_base = tsc_to_ns(now);
		tsc_base = now;
	}
	tsc_hz = hz;
	tsc_mult = (u64)((NSEC_PER_SEC << 32) / hz);
	arch_irq_restore(flags);
}

void x86_tsc_init(void)
{
	u64 hz;

	tsc_base = rdtsc();
	hz = x86_pit_calibrate_tsc(TSC_PIT_CAL_MS);
	if (!hz) {
		pr_warn("tsc: PIT calibration failed; log times read 0 until "
			"time_init\n");
		return;
	}
	tsc_set_freq(hz);
}

u64 x86_tsc_khz(void)
{
	return tsc_hz / 1000;
}

u64 arch_cycles(void)
{
	return rdtsc();
}

u64 arch_clock_ns(void)
{
	if (!tsc_mult)
		return 0;
	return tsc_to_ns(rdtsc_ordered());
}

/* ---- calibration against another clock source ---------------------------- */

/*
 * One reading of @ref with the TSC on both sides; of several tries keep the
 * tightest bracket and take its midpoint as the TSC at the reading.
 */
static void tsc_ref_sample(struct clocksource *ref, u64 *tsc, u64 *count)
{
	u64 best = ~0ULL, t0, t1, c;
	unsigned int i;

	for (i = 0; i < TSC_SAMPLES; i++) {
		t0 = rdtsc_ordered();
		c = ref->read();
		t1 = rdtsc_ordered();
		if (t1 - t0 < best) {
			best = t1 - t0;
			*tsc = t0 + best / 2;
			*count = c;
		}
	}
}

/* TSC frequency measured over @ms of @ref. Return: Hz, or 0 on failure. */
static u64 tsc_calibrate_against(struct clocksource *ref, unsigned int ms)
{
	u64 ticks = ref->freq_hz * ms / 1000, t0, t1, c0, c1;
	unsigned long spins = 0, flags = arch_irq_save();

	tsc_ref_sample(ref, &t0, &c0);
	while (((ref->read() - c0) & ref->mask) < ticks) {
		if (++spins > TSC_MAX_SPINS)
			break;
	}
	tsc_ref_sample(ref, &t1, &c1);
	arch_irq_restore(flags);
	c1 = (c1 - c0) & ref->mask;
	if (spins > TSC_MAX_SPINS || !c1 || t1 <= t0 ||
	    t1 - t0 > ~0ULL / ref->freq_hz)
		return 0;       /* (~2^28 cycles times ~2^27 Hz fits easily) */
	return (t1 - t0) * ref->freq_hz / c1;
}

static bool tsc_invariant(void)
{
	u32 a, b, c, d;

	cpuid(0x80000000, &a, &b, &c, &d);
	if (a < 0x80000007)
		return false;
	cpuid(0x80000007, &a, &b, &c, &d);
	return d & (1U << X86_FEAT_87_EDX_INVTSC);
}

/* Median of three PIT measurements. Return: Hz, or 0. */
static u64 tsc_calibrate_pit(void)
{
	u64 a = x86_pit_calibrate_tsc(TSC_PIT_CAL_MS);
	u64 b = x86_pit_calibrate_tsc(TSC_PIT_CAL_MS);
	u64 c = x86_pit_calibrate_tsc(TSC_PIT_CAL_MS);

	if (a > b) {
		u64 t = a;

		a = b;
		b = t;
	}
	return c < a ? a : c > b ? b : c;
}

/*
 * Recalibrate against the HPET if there is one, else take the median of
 * three PIT runs (one run is enough for early log times, but a virtual
 * CPU descheduled at the wrong moment can skew it).
 * Return: what we used, or NULL if nothing worked.
 */
static const char *tsc_recalibrate(void)
{
	struct clocksource *hpet = clocksource_find("hpet");
	u64 hz;

	if (!hpet) {
		hz = tsc_calibrate_pit();
		if (hz)
			tsc_set_freq(hz);
		return tsc_hz ? "the PIT" : NULL;
	}
	hz = tsc_calibrate_against(hpet, TSC_REF_CAL_MS);
	if (!hz) {
		pr_warn("tsc: calibration against the HPET failed\n");
		return tsc_hz ? "the PIT" : NULL;
	}
	tsc_set_freq(hz);
	return "the HPET";
}

static struct clocksource tsc_clocksource = {
	.name = "tsc",
	.read = rdtsc_ordered,
	.mask = ~0ULL,
};

/**
 * arch_clocksource_init - calibrate the TSC (HPET, else PIT), log it,
 * register it and the PIT as clock sources.
 *
 * Context: boot, one CPU, after hpet_init().
 */
void arch_clocksource_init(void)
{
	const char *ref = tsc_recalibrate();
	bool invariant = tsc_invariant();

	if (!ref) {
		pr_warn("tsc: no reference to calibrate against; not used\n");
	} else {
		pr_info("tsc: %llu.%03llu MHz, %s, calibrated against %s\n",
			tsc_hz / 1000000, tsc_hz / 1000 % 1000,
			invariant ? "invariant" :
			"not invariant (CPUID 0x80000007 EDX[8] clear)", ref);
		tsc_clocksource.rating = invariant ? 300 : 100;
		tsc_clocksource.freq_hz = tsc_hz;
		clocksource_register(&tsc_clocksource);
	}
	x86_pit_clocksource_init();
}
