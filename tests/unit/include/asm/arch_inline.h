/*
 * Host stand-in for the arch boundary's inline part (<keel/arch.h> includes
 * it), so kernel sources that include <keel/arch.h> or <keel/mm.h> compile
 * in host unit tests. One CPU, no interrupts; the "direct map" starts at a
 * test-chosen address (host_direct_map_base) so mm code can be tested on a
 * heap arena.
 */
#ifndef UNIT_ASM_ARCH_INLINE_H
#define UNIT_ASM_ARCH_INLINE_H

#include <stdbool.h>
#include <stdint.h>

extern uintptr_t host_direct_map_base;

#define ARCH_PAGE_SHIFT      12
#define ARCH_DIRECT_MAP_BASE host_direct_map_base

static inline void arch_irq_enable(void) {}
static inline void arch_irq_disable(void) {}
static inline unsigned long arch_irq_save(void) { return 0; }
static inline void arch_irq_restore(unsigned long flags) { (void)flags; }
static inline bool arch_irqs_enabled(void) { return false; }
static inline void arch_cpu_relax(void) {}
static inline void arch_halt(void) {}
static inline void arch_idle_wait(void) {}

/* One CPU, no scheduler: the per-CPU scheduler state is plain globals. */
extern int host_preempt_count;
extern void *host_current;
static inline int arch_preempt_count(void) { return host_preempt_count; }
static inline void arch_preempt_count_set(int v) { host_preempt_count = v; }
static inline void arch_preempt_count_add(int v) { host_preempt_count += v; }
static inline bool arch_preempt_count_sub_test(int v)
{
	return (host_preempt_count -= v) == 0;
}
static inline void *arch_current(void) { return host_current; }
static inline void arch_set_current(void *t) { host_current = t; }
static inline bool arch_need_resched(void) { return false; }
static inline void arch_set_need_resched(bool on) { (void)on; }

static inline unsigned long arch_frame_address(void)
{
	return (unsigned long)__builtin_frame_address(0);
}

#endif /* UNIT_ASM_ARCH_INLINE_H */
