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
	const char *name;
	int rating;                 /* higher is better; 0 = unusable */
	u64 (*read)(void);          /* raw counter */
	u64 mask;                   /* counter width (wraps) */
	u64 freq_hz;
	bool (*usable)(void);       /* optional probe */
	struct list_head list;
};

/* Nanoseconds since boot on the best clock source. Context: any. */
u64 clock_monotonic_ns(void);
/* Nanoseconds since 1970-01-01 UTC (RTC at boot + monotonic). */
u64 clock_realtime_ns(void);
/* The clock source in use (for the boot log and /proc later). */
const char *clock_source_name(void);

void clocksource_register(struct clocksource *cs);
/* Pick the best registered source; log the choice. Boot, one CPU. */
void clocksource_select(void);

struct timer {
	u64 expires;                       /* monotonic ns */
	void (*fn)(struct timer *t);       /* runs in interrupt context */
	struct rb_node node;
	unsigned int cpu;
	bool pending;
};

void timer_init_struct(struct timer *t, void (*fn)(struct timer *t));
/* Arm @t on this CPU to fire at @expires (re-arms if pending). */
void timer_add(struct timer *t, u64 expires);
/* Disarm @t. Return: true if it was pending. */
bool timer_cancel(struct timer *t);

/* Called from the per-CPU timer interrupt: run expired timers, re-arm. */
void timer_interrupt(void);

#endif /* KEEL_TIME_H */
