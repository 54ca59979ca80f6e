/*
 * The clock source registry and the monotonic and wall clocks.
 *
 * Drivers register counters (struct clocksource); clocksource_select()
 * picks the highest-rated usable one (or the one named by `clocksource=`)
 * and clock_monotonic_ns() converts it to nanoseconds since boot. Before a
 * selection the arch's boot clock (arch_clock_ns) stands in, so log
 * timestamps exist from the first line.
 *
 * Conversion: the state is kept in "shifted nanoseconds" (ns << CLOCK_SHIFT)
 *
 *	ns = (base + ((read() - cycle_last) & mask) * mult) >> CLOCK_SHIFT
 *
 * with mult = (NSEC_PER_SEC << CLOCK_SHIFT) / freq and 128-bit products
 * (multiplications and shifts only: no 128-bit division helper here), so
 * nothing overflows for any frequency >= 1 Hz and any uptime below 584
 * years. Folding elapsed cycles into base is exact (no rounding lost), so a
 * fold never moves the clock.
 *
 * Counter wrap: a counter narrower than 64 bits (a 32-bit HPET wraps in
 * about 5 minutes at 14.3 MHz, the PIT in 55 ms) must be folded into base
 * before it wraps past cycle_last. Two mechanisms do it: a wrap-guard timer
 * that folds every quarter wrap period, and any reader that sees more than a
 * quarter period elapsed folds opportunistically (trylock; never waits). The
 * HPET driver uses its 64-bit mode when the hardware has one, so this only
 * matters for 32-bit HPETs and the PIT. Time is lost, in whole wraps, only
 * if nothing reads or folds the counter for a full wrap (before the timer
 * interrupt works, or a virtual CPU descheduled for 55 ms); the clock never
 * stalls or steps back because of it. A 64-bit per-CPU counter (the TSC)
 * read slightly "behind" cycle_last on another CPU counts as zero elapsed,
 * so time never steps back there either.
 *
 * SMP reading without a lock: the state lives in two copies behind a latch
 * sequence (Linux's seqcount latch). Readers use copy[seq & 1] and retry if
 * seq changed meanwhile; the writer bumps seq before rewriting each copy, so
 * at any moment one copy is stable. A reader never spins on a writer, so
 * the clock works in NMIs, in panic, and in printk from inside a fold.
 * Both copies compute the same time for any counter value (exact folds),
 * so readers on either copy agree.
 *
 * Source switches happen at boot on one CPU: the new source starts from the
 * old source's current time, so timestamps never go backwards.
 *
 * Locking: clock_write_lock serializes latch writers (select, folds);
 * clocksource_lock [r] guards the registry list. Order: clocksource_lock,
 * then clock_write_lock; a timer queue lock may be held outside both.
 * clock_realtime_lock (a leaf) serializes writers of the realtime offset.
 * Each latch write and offset change is mirrored into the vDSO's [vvar]
 * page under the same lock (<keel/vdso.h>).
 */
#include <keel/arch.h>
#include <keel/errno.h>
#include <keel/list.h>
#include <keel/param.h>
#include <keel/printk.h>
#include <keel/rtc.h>
#include <keel/seqlock.h>
#include <keel/spinlock.h>
#include <keel/sprintf.h>
#include <keel/string.h>
#include <keel/time.h>
#include <keel/vdso.h>

#define CLOCK_SHIFT 32

/* Counters that wrap sooner than this (10 years) get the wrap guard. */
#define CLOCK_GUARD_MAX_WRAP_S  (3650ULL * 86400)

/*
 * struct clock_base - one copy of the conversion state; see the file head.
 * Written only by latch writers (clock_write_lock), read locklessly.
 */
struct clock_base {
	struct clocksource *cs;      /* NULL: use arch_clock_ns() */
	u64 cycle_last;
	u64 mask;
	u64 mult;                    /* ns per cycle << CLOCK_SHIFT */
	unsigned __int128 base;      /* ns << CLOCK_SHIFT at cycle_last */
};

static struct {
	seqcount_t seq;              /* a latch: readers use copy[seq & 1] */
	struct clock_base copy[2];
} clock_tk;

static DEFINE_SPINLOCK(clock_write_lock);
static DEFINE_SPINLOCK(clocksource_lock);
static LIST_HEAD(clocksource_list);          /* [r] by rating, best first */

static DEFINE_SPINLOCK(clock_realtime_lock); /* writers of the offset */
static u64 clock_realtime_offset;            /* [a] set by time_init, clock_settime
					        (under clock_realtime_lock) */
static struct timer clock_guard;             /* re-armed by its callback */
static u64 clock_guard_period;               /* [I] 0: no guard needed */

static char clocksource_param[16];
KPARAM_STRING(clocksource, clocksource_param,
	      "use this clock source (tsc, hpet, pit) when it is usable");

/* ---- conversion --------------------------------------------------------- */

/* (NSEC_PER_SEC << CLOCK_SHIFT) is below 2^63: a 64-bit division. */
static u64 clock_mult(u64 freq_hz)
{
	return (NSEC_PER_SEC << CLOCK_SHIFT) / freq_hz;
}

/*
 * Cycles since b->cycle_last. A 64-bit counter may be per-CPU (the TSC)
 * and read slightly behind a cycle_last another CPU stored: a "negative"
 * delta counts as 0. Narrower counters are global (HPET, PIT): a reader
 * that sees a fold's copy reads the counter after the fold did, so it is
 * never behind, and any delta is forward.
 */
static u64 clock_delta(const struct clock_base *b, u64 now)
{
	u64 delta = (now - b->cycle_last) & b->mask;

	if (b->mask == ~0ULL && (s64)delta < 0)
		return 0;
	return delta;
}

static unsigned __int128 clock_shifted(const struct clock_base *b, u64 delta)
{
	return b->base + (unsigned __int128)delta * b->mult;
}

/* ---- the latch ---------------------------------------------------------- */

/* Install @nb in both copies. Context: clock_write_lock held. */
static void clock_latch_write(const struct clock_base *nb)
{
	lock_assert_held(&clock_write_lock);
	raw_write_seqcount_latch(&clock_tk.seq);
	clock_tk.copy[0] = *nb;
	raw_write_seqcount_latch(&clock_tk.seq);
	clock_tk.copy[1] = *nb;
	/* The vDSO's copy of the state, under the same lock. */
	vdso_clock_update(nb->cs ? nb->cs->name : NULL, nb->cycle_last,
			  nb->mask, nb->mult, nb->base);
}

/* The copy writers start from. Context: clock_write_lock held. */
static struct clock_base clock_latch_current(void)
{
	return clock_tk.copy[clock_tk.seq.sequence & 1];
}

/* Fold the cycles elapsed into base. Context: clock_write_lock held. */
static void clock_fold_locked(void)
{
	struct clock_base nb = clock_latch_current();
	u64 now, delta;

	if (!nb.cs)
		return;
	now = nb.cs->read();
	delta = clock_delta(&nb, now);
	if (!delta)
		return;
	nb.base = clock_shifted(&nb, delta);
	nb.cycle_last = now;
	clock_latch_write(&nb);
}

/* A reader saw a quarter wrap elapse: fold unless someone else is. */
static void clock_fold_try(void)
{
	unsigned long flags = arch_irq_save();

	if (spin_trylock(&clock_write_lock)) {
		clock_fold_locked();
		spin_unlock(&clock_write_lock);
	}
	arch_irq_restore(flags);
}

/**
 * clock_monotonic_ns - nanoseconds since boot on the selected clock source.
 *
 * Context: any, including NMI and panic; never takes a lock or waits
 * (except a trylock when a narrow counter is overdue for a fold).
 * Return: the time; never less than an earlier return on this CPU.
 */
u64 clock_monotonic_ns(void)
{
	const struct clock_base *b;
	unsigned int seq;
	unsigned __int128 ns;
	u64 delta, mask;

	do {
		seq = read_seqcount_latch(&clock_tk.seq);
		b = &clock_tk.copy[seq & 1];
		if (!b->cs)
			return arch_clock_ns();
		delta = clock_delta(b, b->cs->read());
		ns = clock_shifted(b, delta);
		mask = b->mask;
	} while (read_seqcount_latch_retry(&clock_tk.seq, seq));
	if (unlikely(delta > (mask >> 2)))
		clock_fold_try();
	return (u64)(ns >> CLOCK_SHIFT);
}

/*
 * The wall clock's offset, for the kernel and the vDSO's [vvar] page: one
 * writer at a time, so both copies end with the same value.
 */
static void clock_realtime_offset_set(u64 offset)
{
	unsigned long flags = spin_lock_irqsave(&clock_realtime_lock);

	WRITE_ONCE(clock_realtime_offset, offset);
	vdso_set_realtime_offset(offset);
	spin_unlock_irqrestore(&clock_realtime_lock, flags);
}

/**
 * clock_realtime_ns - nanoseconds since 1970-01-01 00:00 UTC: the RTC as
 * read at boot plus the monotonic time since. Before time_init(), or when
 * the RTC was unreadable, this is the monotonic clock (realtime from 0).
 *
 * Context: any. Return: the time.
 */
u64 clock_realtime_ns(void)
{
	return READ_ONCE(clock_realtime_offset) + clock_monotonic_ns();
}

/*
 * clock_realtime_set - make the wall clock read @ns now (clock_settime).
 * Return: 0, or -EINVAL when @ns is below the monotonic clock (Linux
 * refuses a wall clock before boot). Context: any.
 */
int clock_realtime_set(u64 ns)
{
	u64 now = clock_monotonic_ns();

	if (ns < now)
		return -EINVAL;
	clock_realtime_offset_set(ns - now);
	timerfd_clock_was_set();
	return 0;
}

/**
 * clock_source_name - name of the selected clock source ("boot" before
 * clocksource_select(): the arch's early clock).
 *
 * Context: any. Return: a static string.
 */
const char *clock_source_name(void)
{
	struct clocksource *cs = READ_ONCE(clock_tk.copy[0].cs);

	return cs ? cs->name : "boot";
}

/* ---- the wrap guard ----------------------------------------------------- */

static void clock_guard_fire(struct timer *t)
{
	unsigned long flags = spin_lock_irqsave(&clock_write_lock);

	clock_fold_locked();
	spin_unlock_irqrestore(&clock_write_lock, flags);
	timer_add(t, clock_monotonic_ns() + clock_guard_period);
}

/*
 * Arm the guard if @cs wraps within CLOCK_GUARD_MAX_WRAP_S. The wrap time
 * is computed in seconds plus a remainder to stay within 64 bits (the
 * remainder product needs freq_hz < 18 GHz).
 */
static void clock_guard_start(const struct clocksource *cs)
{
	u64 secs = cs->mask / cs->freq_hz, wrap_ns;

	if (secs >= CLOCK_GUARD_MAX_WRAP_S)
		return;
	wrap_ns = secs * NSEC_PER_SEC +
		  (cs->mask % cs->freq_hz + 1) * NSEC_PER_SEC / cs->freq_hz;
	clock_guard_period = wrap_ns / 4;
	timer_init_struct(&clock_guard, clock_guard_fire);
	timer_add(&clock_guard, clock_monotonic_ns() + clock_guard_period);
	pr_info("clocksource: %s wraps every %llu ms; folding every %llu ms\n",
		cs->name, wrap_ns / NSEC_PER_MSEC,
		clock_guard_period / NSEC_PER_MSEC);
}

/* ---- registry and selection --------------------------------------------- */

static bool clocksource_ok(struct clocksource *cs)
{
	return cs->rating > 0 && cs->read && cs->freq_hz && cs->mask &&
	       (!cs->usable || cs->usable());
}

/**
 * clocksource_register - offer @cs for selection. @cs must stay alive
 * forever, with name, read, mask and freq_hz set; a source without a
 * frequency or a read function is refused with a warning.
 *
 * Context: boot; takes clocksource_lock.
 */
void clocksource_register(struct clocksource *cs)
{
	struct clocksource *pos;
	unsigned long flags;

	if (!cs->read || !cs->freq_hz || !cs->mask) {
		pr_warn("clocksource: %s has no counter or frequency, ignored\n",
			cs->name);
		return;
	}
	flags = spin_lock_irqsave(&clocksource_lock);
	list_for_each_entry(pos, &clocksource_list, list) {
		if (pos->rating < cs->rating)
			break;
	}
	list_add_tail(&cs->list, &pos->list);
	spin_unlock_irqrestore(&clocksource_lock, flags);
}

/**
 * clocksource_find - the registered clock source called @name (for TSC
 * calibration against the HPET, and tests that compare sources).
 *
 * Context: any but NMI; takes clocksource_lock.
 * Return: the source, or NULL.
 */
struct clocksource *clocksource_find(const char *name)
{
	struct clocksource *cs, *found = NULL;
	unsigned long flags = spin_lock_irqsave(&clocksource_lock);

	list_for_each_entry(cs, &clocksource_list, list) {
		if (!strcmp(cs->name, name)) {
			found = cs;
			break;
		}
	}
	spin_unlock_irqrestore(&clocksource_lock, flags);
	return found;
}

/* Best usable source, honouring `clocksource=`. Context: clocksource_lock. */
static struct clocksource *clocksource_pick(void)
{
	struct clocksource *cs, *best = NULL;

	list_for_each_entry(cs, &clocksource_list, list) {
		if (!clocksource_ok(cs))
			continue;
		if (!best)
			best = cs;
		if (clocksource_param[0] && !strcmp(cs->name, clocksource_param))
			return cs;
	}
	if (clocksource_param[0])
		pr_warn("clocksource=%s: no such usable clock source\n",
			clocksource_param);
	return best;
}

/* Continue the clock on @cs from the current time. Boot, one CPU. */
static void clock_switch(struct clocksource *cs)
{
	unsigned long flags = spin_lock_irqsave(&clock_write_lock);
	struct clock_base nb;

	/* The new counter is read first, so its time starts at or after
	 * the last time the old source could report. */
	nb.cs = cs;
	nb.cycle_last = cs->read();
	nb.base = (unsigned __int128)clock_monotonic_ns() << CLOCK_SHIFT;
	nb.mask = cs->mask;
	nb.mult = clock_mult(cs->freq_hz);
	clock_latch_write(&nb);
	spin_unlock_irqrestore(&clock_write_lock, flags);
}

/* "hpet (100.000 MHz, rating 250), fallbacks: tsc, pit" */
static void clocksource_log(const struct clocksource *best)
{
	struct clocksource *cs;
	char others[64] = "";
	size_t len = 0;

	list_for_each_entry(cs, &clocksource_list, list) {
		if (cs == best || !clocksource_ok(cs))
			continue;
		len += scnprintf(others + len, sizeof(others) - len, "%s%s",
				 len ? ", " : "", cs->name);
	}
	pr_info("clocksource: %s (%llu.%03llu MHz, rating %d), fallbacks: %s\n",
		best->name, best->freq_hz / 1000000,
		best->freq_hz / 1000 % 1000, best->rating,
		len ? others : "none");
}

/**
 * clocksource_select - switch clock_monotonic_ns() to the best usable
 * registered source (or the one `clocksource=` names), continuing from the
 * current time, and log the choice. Without any usable source the boot
 * clock stays in use, with a warning.
 *
 * Context: boot, one CPU, before other CPUs read the clock.
 */
void clocksource_select(void)
{
	unsigned long flags = spin_lock_irqsave(&clocksource_lock);
	struct clocksource *best = clocksource_pick();

	if (best) {
		clock_switch(best);
		clocksource_log(best);
	}
	spin_unlock_irqrestore(&clocksource_lock, flags);
	if (!best) {
		pr_warn("clocksource: none usable; staying on the boot clock\n");
		return;
	}
	clock_guard_start(best);
}

/* ---- boot ----------------------------------------------------------------- */

/* Realtime = RTC at boot + monotonic; from 0 when the RTC is unusable. */
static void clock_realtime_init(void)
{
	struct rtc_time tm;
	u64 now = clock_monotonic_ns();
	u64 epoch_ns;

	if (rtc_read_time(&tm))
		return;       /* rtc_read_time() said why */
	epoch_ns = rtc_time_to_epoch(&tm) * NSEC_PER_SEC;
	pr_info("rtc: %04u-%02u-%02u %02u:%02u:%02u UTC\n", tm.year, tm.mon,
		tm.mday, tm.hour, tm.min, tm.sec);
	clock_realtime_offset_set(epoch_ns > now ? epoch_ns - now : 0);
}

/*
 * Set up the vDSO and publish the state installed before its [vvar] page
 * existed (the clock source selection and the realtime offset).
 */
static void clock_vdso_init(void)
{
	struct clock_base cur;
	unsigned long flags;

	vdso_init();
	flags = spin_lock_irqsave(&clock_write_lock);
	cur = clock_latch_current();
	clock_latch_write(&cur);
	spin_unlock_irqrestore(&clock_write_lock, flags);
	clock_realtime_offset_set(READ_ONCE(clock_realtime_offset));
}

/**
 * time_init - bring up time keeping: the timer queues, realtime from the
 * RTC, the HPET (from the ACPI tables), the arch's counters calibrated and
 * registered, the best source selected, the vDSO's [vvar] page filled.
 *
 * Context: boot, one CPU, after mm_init() (ioremap) and acpi_init().
 */
void time_init(void)
{
	timer_init();
	clock_realtime_init();
	hpet_init();
	arch_clocksource_init();
	clocksource_select();
	clock_vdso_init();
}
