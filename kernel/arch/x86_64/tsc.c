/*
 * The boot clock: the TSC, calibrated against the PIT.
 *
 * arch_clock_ns() counts from the moment the kernel was entered. The
 * interrupts/clocks issue replaces this with a clocksource layer (HPET,
 * invariant-TSC checks, CPUID 0x15); until then the PIT measurement below
 * is enough for log timestamps and the boot time.
 *
 * Conversion: ns = (cycles * mult) >> 32, computed with a 128-bit product
 * so it does not overflow for centuries of uptime.
 */
#include <keel/arch.h>
#include <keel/printk.h>
#include <asm/cpu.h>
#include <asm/io.h>
#include <asm/x86.h>

#define PIT_HZ          1193182
#define PIT_CAL_MS      20
#define PIT_CAL_TICKS   (PIT_HZ * PIT_CAL_MS / 1000)

static u64 tsc_start;     /* [I] TSC when the kernel was entered */
static u64 tsc_mult;      /* [I] ns per cycle, 32.32 fixed point; 0 = not calibrated */
static u64 tsc_khz;       /* [I] */

/*
 * Count TSC cycles across PIT_CAL_TICKS of PIT channel 2 (gated through
 * port 0x61, no interrupt needed). Return 0 if the PIT never finishes.
 */
static u64 tsc_measure_pit(void)
{
	u64 t0, t1;
	unsigned long spins = 0;

	outb(0x61, (inb(0x61) & ~0x02) | 0x01);  /* gate on, speaker off */
	outb(0x43, 0xb0);                        /* ch2, lo/hi, mode 0, binary */
	outb(0x42, PIT_CAL_TICKS & 0xff);
	outb(0x42, PIT_CAL_TICKS >> 8);
	t0 = rdtsc();
	while (!(inb(0x61) & 0x20)) {             /* OUT2 goes high at zero */
		if (++spins > 100000000UL)
			return 0;
	}
	t1 = rdtsc();
	return t1 - t0;
}

void x86_tsc_init(void)
{
	u64 cycles;

	tsc_start = rdtsc();
	cycles = tsc_measure_pit();
	if (!cycles) {
		pr_warn("tsc: PIT calibration failed; log times will read 0\n");
		return;
	}
	tsc_khz = cycles / PIT_CAL_MS;
	tsc_mult = ((u64)1000000 << 32) / tsc_khz;
}

u64 x86_tsc_khz(void)
{
	return tsc_khz;
}

u64 arch_cycles(void)
{
	return rdtsc();
}

u64 arch_clock_ns(void)
{
	u64 d;

	if (!tsc_mult)
		return 0;
	d = rdtsc() - tsc_start;
	return (u64)(((unsigned __int128)d * tsc_mult) >> 32);
}
