/*
 * CPU numbering. CPUs are numbered 0..NR_CPUS-1 in the order they come up;
 * per-CPU data is an array indexed by cpu_id() until a per-CPU section
 * exists. Accessing your own CPU's slot needs interrupts (and, once the
 * scheduler exists, preemption) off, so the task cannot migrate meanwhile.
 */
#ifndef KEEL_CPU_H
#define KEEL_CPU_H

#include <keel/arch.h>

#define NR_CPUS 64

static inline unsigned int cpu_id(void)
{
	return arch_cpu_id();
}

#endif /* KEEL_CPU_H */
