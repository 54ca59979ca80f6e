/*
 * The 8254 PIT: a TSC calibration reference and the last-resort clock
 * source.
 *
 * Channel 2 (gated through port 0x61, no interrupt) times TSC calibration
 * when there is no HPET: its count is read at both ends of the interval,
 * each read bracketed by the TSC. Channel 0 runs free in mode 2
 * with the full 65536 count and serves as a clock source: its counter is
 * 16 bits at 1.193182 MHz and wraps every 55 ms, so the clock core must
 * fold it at least that often (its wrap guard timer does every 13.7 ms once
 * timer interrupts work; before that, time read from the PIT loses whole
 * 55 ms turns between reads, but never runs backwards). Reads take four
 * port accesses. It is rated 10 so that it is chosen only when nothing else
 * works; channel 0's interrupt (IRQ 0) is not used.
 *
 * Locking: pit_lock keeps each latch-and-read or program sequence on the
 * shared command port (0x43) together; irqsave, as the clock may be read
 * from interrupts.
 */
#include <keel/spinlock.h>
#include <keel/time.h>
#include <asm/cpu.h>
#include <asm/io.h>
#include <asm/x86.h>

#define PIT_HZ          1193182
#define PIT_CH0         0x40
#define PIT_CH2         0x42
#define PIT_CMD         0x43
#define PIT_GATE        0x61        /* bit 0 gate 2, bit 1 speaker, bit 5 OUT2 */
#define PIT_CMD_CH0_MODE2 0x34      /* ch0, lo/hi byte, mode 2, binary */
#define PIT_CMD_CH2_MODE0 0xb0      /* ch2, lo/hi byte, mode 0, binary */
#define PIT_CMD_CH0_LATCH 0x00
#define PIT_CMD_CH2_LATCH 0x80
#define PIT_SAMPLES     8
#define PIT_MAX_SPINS   10000000UL

static DEFINE_SPINLOCK(pit_lock);

/* Channel 2's count, latched. Context: pit_lock held. */
static u16 pit_ch2_count(void)
{
	u8 lo, hi;

	outb(PIT_CMD, PIT_CMD_CH2_LATCH);
	lo = inb(PIT_CH2);
	hi = inb(PIT_CH2);
	return lo | hi << 8;
}

/*
 * Channel 2's count with the TSC around it: of several tries, the
 * tightest bracket, its midpoint taken as the TSC at the read. A virtual
 * CPU descheduled between two reads only widens that one bracket.
 * Context: pit_lock held.
 */
static void pit_ch2_sample(u64 *tsc, u16 *count)
{
	u64 best = ~0ULL, t0, t1;
	unsigned int i;
	u16 c;

	for (i = 0; i < PIT_SAMPLES; i++) {
		t0 = rdtsc();
		c = pit_ch2_count();
		t1 = rdtsc();
		if (t1 - t0 < best) {
			best = t1 - t0;
			*tsc = t0 + best / 2;
			*count = c;
		}
	}
}

/**
 * x86_pit_calibrate_tsc - measure the TSC frequency across @ms milliseconds
 * (at most 50) of PIT channel 2, counting down in mode 0 from 0xffff,
 * sampled at both ends with bracketed reads.
 *
 * Context: boot, interrupts off. Return: the frequency in Hz, or 0 if the
 * PIT does not count (no PIT).
 */
u64 x86_pit_calibrate_tsc(unsigned int ms)
{
	u32 ticks = PIT_HZ / 1000 * ms;
	unsigned long spins = 0, flags;
	u64 t0 = 0, t1 = 0;
	u16 c0 = 0, c1 = 0;

	if (!ticks || ticks > 0xf000)
		return 0;
	flags = spin_lock_irqsave(&pit_lock);
	/* Gate channel 2 on, speaker off. */
	outb(PIT_GATE, (inb(PIT_GATE) & ~0x02) | 0x01);
	outb(PIT_CMD, PIT_CMD_CH2_MODE0);
	outb(PIT_CH2, 0xff);
	outb(PIT_CH2, 0xff);
	pit_ch2_sample(&t0, &c0);
	while ((u16)(c0 - pit_ch2_count()) < ticks) {
		if (++spins > PIT_MAX_SPINS)
			break;
	}
	pit_ch2_sample(&t1, &c1);
	spin_unlock_irqrestore(&pit_lock, flags);
	if (spins > PIT_MAX_SPINS || c0 == c1 || t1 <= t0)
		return 0;
	/* < 2^21 Hz times 50 ms of cycles: no overflow below 10^11 Hz. */
	return (t1 - t0) * PIT_HZ / (u16)(c0 - c1);
}

/* Channel 0 counts down; negate so the clock source counts up. */
static u64 pit_read(void)
{
	unsigned long flags = spin_lock_irqsave(&pit_lock);
	u8 lo, hi;

	outb(PIT_CMD, PIT_CMD_CH0_LATCH);
	lo = inb(PIT_CH0);
	hi = inb(PIT_CH0);
	spin_unlock_irqrestore(&pit_lock, flags);
	return (u16)-(u16)(lo | hi << 8);
}

static struct clocksource pit_clocksource = {
	.name = "pit",
	.rating = 10,
	.read = pit_read,
	.mask = 0xffff,
	.freq_hz = PIT_HZ,
};

/**
 * x86_pit_clocksource_init - start channel 0 free-running and register it.
 * Context: boot, one CPU.
 */
void x86_pit_clocksource_init(void)
{
	unsigned long flags = spin_lock_irqsave(&pit_lock);

	outb(PIT_CMD, PIT_CMD_CH0_MODE2);
	outb(PIT_CH0, 0);                /* 0 = 65536 */
	outb(PIT_CH0, 0);
	spin_unlock_irqrestore(&pit_lock, flags);
	clocksource_register(&pit_clocksource);
}
