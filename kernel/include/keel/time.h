/*
 * Clocks and timers.
 *
 * Clock sources: counters the kernel can read at any time (TSC, HPET, PIT),
 * each with a rating; the best usable one drives clock_monotonic_ns(), the
 * monotonic nanosecond clock since boot that printk, timers and (later) the
 * scheduler use. Wall-clock time is the CMOS RTC read at boot plus the
 * monotonic clock.
 *
 * Timers: per-CPU queues of one-shot callbacks with nanosecond deadlines on
 * the monotonic clock, driven by a one-shot hardware timer per CPU (the
 * LAPIC timer, TSC-deadline mode when present) programmed for the earliest
 * deadline only, so an idle CPU takes no periodic interrupts.
 *
 * Start-up: time_init() (after acpi_init) reads the RTC, probes the HPET,
 * lets the arch calibrate and register its counters and selects the best
 * source; before that clock_monotonic_ns() is arch_clock_ns().
 *
 * Locking: [I] written before clocksource_register() and read-only after;
 * [r] the clock source registry lock (kernel/sched/clock.c); [q] the lock
 * of the per-CPU timer queue named by timer->cpu (kernel/sched/timer.c).
 */
#ifndef KEEL_TIME_H
#define KEEL_TIME_H

#include <keel/list.h>
#include <keel/rbtree.h>
#include <keel/types.h>

#define NSEC_PER_USEC 1000ULL
#define NSEC_PER_MSEC 1000000ULL
#define NSEC_PER_SEC  1000000000ULL

struct clocksource {
	const char *name;           /* [I] */
	int rating;                 /* [I] higher is better; 0 = unusable */
	u64 (*read)(void);          /* [I] raw counter; Context: any */
	u64 mask;                   /* [I] counter width (wraps) */
	u64 freq_hz;                /* [I] */
	bool (*usable)(void);       /* [I] optional probe */
	struct list_head list;      /* [r] */
};

/* Nanoseconds since boot on the best clock source. Context: any. */
u64 clock_monotonic_ns(void);
/* Nanoseconds since 1970-01-01 UTC (RTC at boot + monotonic). */
u64 clock_realtime_ns(void);
/* Set the wall clock to @ns. Return: 0, -EINVAL if before the monotonic clock. */
int clock_realtime_set(u64 ns);
/*
 * timerfd_clock_was_set - clock_realtime_set() tells the wall-clock
 * timerfds (kernel/fs/timerfd.c). Context: any.
 */
void timerfd_clock_was_set(void);
/* The clock source in use (for the boot log and /proc later). */
const char *clock_source_name(void);

/*
 * time_init - read the RTC, probe the clock sources (after acpi_init, for
 * the HPET), pick the best, and set up the timer queues. Boot, one CPU.
 */
void time_init(void);

void clocksource_register(struct clocksource *cs);
/* Pick the best registered source; log the choice. Boot, one CPU. */
void clocksource_select(void);
/* The registered source called @name, or NULL. Context: any but NMI. */
struct clocksource *clocksource_find(const char *name);

/* Read the RTC, probe the clock sources, select one. Boot, one CPU. */
void time_init(void);

/* Register the HPET from the ACPI tables, if any (drivers/clocksource). */
void hpet_init(void);

/*
 * A timer is armed by one owner at a time: calls to timer_add() on the same
 * timer must not race each other; timer_cancel() may race with anything.
 */
struct timer {
	u64 expires;                       /* [q] monotonic ns */
	void (*fn)(struct timer *t);       /* runs in interrupt context */
	struct rb_node node;               /* [q] */
	unsigned int cpu;                  /* [q] the queue it is (was) on */
	bool pending;                      /* [q] queued, not yet fired */
};

/* Boot, one CPU: per-CPU queue set-up (time_init calls it). */
void timer_init(void);

void timer_init_struct(struct timer *t, void (*fn)(struct timer *t));
/* Arm @t on this CPU to fire at @expires (re-arms if pending). */
void timer_add(struct timer *t, u64 expires);
/* Disarm @t. Return: true if it was pending. */
bool timer_cancel(struct timer *t);
/*
 * Disarm @t and wait until its callback is not running on any CPU, so @t
 * may be freed. Not from @t's own callback. Return: true if it was pending.
 */
bool timer_cancel_sync(struct timer *t);

/* Called from the per-CPU timer interrupt: run expired timers, re-arm. */
void timer_interrupt(void);
/*
 * The arch calls this on each CPU once its timer interrupt works
 * (arch_timer_available()): it programs that CPU's earliest deadline, for
 * timers armed before the hardware was ready. Context: interrupts off.
 */
void timer_cpu_start(void);

#endif /* KEEL_TIME_H */
