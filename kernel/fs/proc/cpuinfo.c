/*
 * /proc/cpuinfo: one block per online CPU, each written by the arch
 * (arch_cpuinfo_show, <keel/arch.h>), separated by blank lines as Linux
 * prints them.
 */
#include <keel/arch.h>
#include <keel/smp.h>

#include "internal.h"

/**
 * proc_cpuinfo_show - /proc/cpuinfo.
 * Context: process context. Return: 0.
 */
int proc_cpuinfo_show(struct proc_buf *b, struct proc_inode *pi)
{
	unsigned int cpu;

	for (cpu = 0; cpu < NR_CPUS && !b->overflow; cpu++) {
		size_t room = b->size - b->len, n;

		if (!cpu_online(cpu))
			continue;
		n = arch_cpuinfo_show(cpu, b->buf + b->len, room);
		if (n >= room) {
			b->overflow = true;
			break;
		}
		b->len += n;
		proc_puts(b, "\n");
	}
	return 0;
}
