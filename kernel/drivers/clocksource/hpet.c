/*
 * The HPET (IA-PC High Precision Event Timer) as a clock source.
 *
 * The ACPI HPET table gives the register block's physical address; it is
 * mapped uncached and checked before use: the capabilities register must
 * name a revision and a counter period within the specification (0 < period
 * <= 100 ns, in femtoseconds), and the main counter must advance once
 * enabled. Anything else (no device answering reads all ones) leaves the
 * HPET unregistered with a warning.
 *
 * Counter width: with COUNT_SIZE_CAP the main counter is read as one 64-bit
 * value and never wraps in practice; a 32-bit HPET registers a 32-bit mask
 * and the clock core folds it before it wraps (every ~75 s at 14.3 MHz; see
 * kernel/sched/clock.c). Only the main counter is used: the comparators
 * (and legacy replacement routing) are left as the firmware set them.
 *
 * Rated 250: below an invariant TSC (300), above a TSC that may change
 * speed or stop, and the PIT. Reads are uncached MMIO, slower than rdtsc.
 */
#include <keel/acpi.h>
#include <keel/printk.h>
#include <keel/time.h>
#include <keel/vm.h>

#define HPET_MMIO_SIZE      1024
#define HPET_GCAP_ID        0x000
#define HPET_GEN_CONF       0x010
#define HPET_MAIN_COUNTER   0x0f0

#define HPET_CAP_REV_MASK   0xffULL
#define HPET_CAP_NUM_TIM(c) ((((c) >> 8) & 0x1f) + 1)
#define HPET_CAP_COUNT_64   (1ULL << 13)
#define HPET_CAP_PERIOD(c)  ((c) >> 32)
#define HPET_PERIOD_MAX_FS  100000000ULL   /* 100 ns */
#define HPET_CONF_ENABLE    (1ULL << 0)

#define FSEC_PER_SEC        1000000000000000ULL

static volatile u8 *hpet_regs;     /* [I] after hpet_init */

static u64 hpet_readq(unsigned int reg)
{
	return *(volatile u64 *)(hpet_regs + reg);
}

static u32 hpet_readl(unsigned int reg)
{
	return *(volatile u32 *)(hpet_regs + reg);
}

static void hpet_writeq(unsigned int reg, u64 v)
{
	*(volatile u64 *)(hpet_regs + reg) = v;
}

static u64 hpet_read64(void)
{
	return hpet_readq(HPET_MAIN_COUNTER);
}

static u64 hpet_read32(void)
{
	return hpet_readl(HPET_MAIN_COUNTER);
}

static struct clocksource hpet_clocksource = {
	.name = "hpet",
	.rating = 250,
};

/* Enable the main counter and watch it move. Return: true if it does. */
static bool hpet_start_counter(void)
{
	u64 c0;
	unsigned int i;

	hpet_writeq(HPET_GEN_CONF, hpet_readq(HPET_GEN_CONF) | HPET_CONF_ENABLE);
	c0 = hpet_readl(HPET_MAIN_COUNTER);
	for (i = 0; i < 1000000; i++) {
		if (hpet_readl(HPET_MAIN_COUNTER) != c0)
			return true;
	}
	return false;
}

/* Check the capabilities register. Return: the period in fs, or 0. */
static u64 hpet_check_caps(u64 cap)
{
	u64 period = HPET_CAP_PERIOD(cap);

	if (!(cap & HPET_CAP_REV_MASK) || !period ||
	    period > HPET_PERIOD_MAX_FS) {
		pr_warn("hpet: bad capabilities %#llx at %#llx (period %llu "
			"fs); not used\n", cap, (u64)acpi.hpet_address, period);
		return 0;
	}
	return period;
}

static void hpet_register(u64 cap, u64 period)
{
	struct clocksource *cs = &hpet_clocksource;
	bool wide = cap & HPET_CAP_COUNT_64;

	cs->read = wide ? hpet_read64 : hpet_read32;
	cs->mask = wide ? ~0ULL : 0xffffffffULL;
	cs->freq_hz = (FSEC_PER_SEC + period / 2) / period;
	pr_info("hpet: %llu.%03llu MHz, %s counter, %llu timers at %#llx\n",
		cs->freq_hz / 1000000, cs->freq_hz / 1000 % 1000,
		wide ? "64-bit" : "32-bit", HPET_CAP_NUM_TIM(cap),
		(u64)acpi.hpet_address);
	clocksource_register(cs);
}

/**
 * hpet_init - map, check and enable the HPET that ACPI describes and
 * register it as a clock source. Without one (or with a broken one) this
 * logs why and returns; the TSC is then calibrated against the PIT.
 *
 * Context: boot, one CPU, after mm_init() and acpi_init().
 */
void hpet_init(void)
{
	u64 cap, period;

	if (!acpi.have_hpet || !acpi.hpet_address) {
		pr_info("hpet: none described by ACPI\n");
		return;
	}
	hpet_regs = ioremap(acpi.hpet_address, HPET_MMIO_SIZE,
			    VM_KERNEL_RW | VM_UNCACHED);
	if (!hpet_regs) {
		pr_warn("hpet: cannot map %#llx; not used\n",
			(u64)acpi.hpet_address);
		return;
	}
	cap = hpet_readq(HPET_GCAP_ID);
	period = hpet_check_caps(cap);
	if (!period)
		goto err_unmap;
	if (!hpet_start_counter()) {
		pr_warn("hpet: the main counter does not advance; not used\n");
		goto err_unmap;
	}
	hpet_register(cap, period);
	return;

err_unmap:
	iounmap((const void *)hpet_regs);
	hpet_regs = NULL;
}
