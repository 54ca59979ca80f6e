/*
 * Multiprocessing: which CPUs are online, and running a function on other
 * CPUs through inter-processor interrupts.
 *
 * CPUs are numbered 0 (the boot CPU) to num_online_cpus() - 1 in the order
 * they came up. A function sent to another CPU runs there in interrupt
 * context with interrupts off; it must be short and must not sleep or take
 * a lock the sender may hold with interrupts off.
 */
#ifndef KEEL_SMP_H
#define KEEL_SMP_H

#include <keel/cpu.h>
#include <keel/types.h>

typedef void (*smp_call_fn)(void *arg);

unsigned int num_online_cpus(void);
bool cpu_online(unsigned int cpu);
/* Mark @cpu online (the arch calls this once the CPU takes interrupts). */
void smp_set_online(unsigned int cpu);

/*
 * smp_call_function_single - run @fn(@arg) on @cpu (directly when it is
 * this CPU). With @wait, return only after @fn has finished there.
 * Return: 0, -ENXIO if @cpu is not online, -ENOMEM (no wait, no memory).
 * Context: any but interrupt handlers when @wait; a waiting CPU keeps
 * serving calls sent to it, so two CPUs calling each other cannot deadlock.
 */
int smp_call_function_single(unsigned int cpu, smp_call_fn fn, void *arg,
			     bool wait);
/* Run @fn on every online CPU but this one (see above). */
void smp_call_function_others(smp_call_fn fn, void *arg, bool wait);
/* Run @fn on every online CPU, this one included, and wait. */
void on_each_cpu(smp_call_fn fn, void *arg);

/* Ask @cpu to reschedule (the scheduler issue gives this its meaning). */
void smp_send_reschedule(unsigned int cpu);
/* Reschedule IPIs this CPU has taken (for tests until a scheduler exists). */
u64 smp_resched_count(unsigned int cpu);

/*
 * flush_tlb_kernel_range - drop stale translations of [va, va + size) on
 * every CPU after a kernel mapping changed. Context: process context,
 * interrupts on, no spinlocks held (it waits for the other CPUs).
 */
void flush_tlb_kernel_range(vaddr_t va, u64 size);

/* Called by the arch from the IPI vectors. */
void smp_handle_call_ipi(void);
void smp_handle_resched_ipi(void);

/* Arch: send the two IPIs to a CPU by number. */
void arch_send_call_ipi(unsigned int cpu);
void arch_send_resched_ipi(unsigned int cpu);

#endif /* KEEL_SMP_H */
