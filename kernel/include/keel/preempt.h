/*
 * Preemption control.
 *
 * The kernel is preemptive: a thread may be switched out at any instruction
 * when an interrupt makes a more important thread runnable, unless the
 * running CPU's preempt count is non-zero or interrupts are off. The count
 * is per CPU (asm/arch_inline.h) and is saved and restored with each
 * thread across a context switch, so it always describes the running
 * thread. It is made of:
 *
 *	bits  0..15	preempt_disable() nesting; every held spinlock is one
 *	bits 16..23	hardware-interrupt nesting (HARDIRQ_OFFSET per level)
 *
 * need_resched is the running CPU's "the scheduler wants this CPU back"
 * flag: set by wake-ups, by the slice timer and by the reschedule IPI, and
 * honoured by preempt_enable() when the count drops to zero, on return
 * from an interrupt to preemptible code, and by cond_resched().
 *
 * Context: all of these work from any context, before the scheduler
 * starts too (the count then only nests; nothing reschedules).
 */
#ifndef KEEL_PREEMPT_H
#define KEEL_PREEMPT_H

#include <keel/arch.h>
#include <keel/compiler.h>

#define PREEMPT_MASK    0x0000ffff
#define HARDIRQ_OFFSET  0x00010000
#define HARDIRQ_MASK    0x00ff0000

/* Called by preempt_enable() when a reschedule is due (kernel/sched/core.c). */
void preempt_schedule(void);

static __always_inline int preempt_count(void)
{
	return arch_preempt_count();
}

static __always_inline bool need_resched(void)
{
	return arch_need_resched();
}

static __always_inline void preempt_disable(void)
{
	arch_preempt_count_add(1);
	barrier();
}

/* Re-enable without honouring need_resched (the caller reschedules). */
static __always_inline void preempt_enable_no_resched(void)
{
	barrier();
	arch_preempt_count_sub_test(1);
}

static __always_inline void preempt_enable(void)
{
	barrier();
	if (arch_preempt_count_sub_test(1) && unlikely(arch_need_resched()))
		preempt_schedule();
}

/* In a hardware interrupt handler (or an exception taken inside one). */
static __always_inline bool in_hardirq(void)
{
	return (arch_preempt_count() & HARDIRQ_MASK) != 0;
}

/* Sleeping is forbidden: preemption or interrupts are off. */
static __always_inline bool in_atomic(void)
{
	return arch_preempt_count() != 0 || !arch_irqs_enabled();
}

/* Interrupt entry and exit, called by the arch around every handler. */
static __always_inline void irq_enter(void)
{
	arch_preempt_count_add(HARDIRQ_OFFSET);
}

static __always_inline void irq_exit(void)
{
	arch_preempt_count_sub_test(HARDIRQ_OFFSET);
}

#endif /* KEEL_PREEMPT_H */
