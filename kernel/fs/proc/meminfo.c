/*
 * System-wide figures: /proc/meminfo, uptime, version, loadavg and stat,
 * in Linux 6.1's formats (proc(5)).
 *
 * Where Keel does not have a thing Linux counts (swap, buffers, huge
 * pages) the line shows 0, which is the truth for Keel. Its only page
 * cache is tmpfs (the root file system included), counted as Linux counts
 * shmem: in Cached and in Shmem. CPU
 * time: Keel keeps no per-CPU busy/idle counters yet, so the "cpu" line
 * of /proc/stat and the idle time of /proc/uptime are derived from the
 * run time of every user task (busy) and the CPUs' time since boot; the
 * per-CPU "cpuN" lines split those totals evenly (an estimate, until
 * the scheduler counts per-CPU time).
 *
 * Load averages are Linux's: every LOAD_FREQ_NS a delayed work item
 * samples the runnable threads (itself left out) plus the user tasks in
 * uninterruptible sleep, and folds the count into three exponentially
 * decaying averages (1, 5 and 15 minutes) in fixed point with FSHIFT
 * fraction bits; /proc/loadavg and sysinfo(2) read them.
 */
#include <keel/irq.h>
#include <keel/mm.h>
#include <keel/procfs.h>
#include <keel/slab.h>
#include <keel/smp.h>
#include <keel/time.h>
#include <keel/utsname.h>
#include <keel/workqueue.h>

#include "../tmpfs.h"
#include "internal.h"

#define VMALLOC_TOTAL_KB (512ULL << 20)  /* the 512 GiB vmalloc area */
#define SLAB_INFO_MAX    128

static void kb_line(struct proc_buf *b, const char *name, u64 kb)
{
	proc_printf(b, "%-16s%8llu kB\n", name, kb);
}

/* Pages in slabs, from every cache's figures. */
static u64 slab_pages(void)
{
	struct slab_info *info = kcalloc(SLAB_INFO_MAX, sizeof(*info),
					 GFP_KERNEL);
	size_t n, i;
	u64 pages = 0;

	if (!info)
		return 0;
	n = MIN(slab_stats(info, SLAB_INFO_MAX), (size_t)SLAB_INFO_MAX);
	for (i = 0; i < n; i++)
		pages += (u64)info[i].slabs * info[i].pages_per_slab;
	kfree(info);
	return pages;
}

/**
 * proc_meminfo_show - /proc/meminfo.
 * Context: process context. Return: 0.
 */
int proc_meminfo_show(struct proc_buf *b, struct proc_inode *pi)
{
	struct page_alloc_stats st;
	u64 kpp = PAGE_SIZE / 1024, slab = slab_pages() * kpp;
	u64 total, free, shmem;

	page_alloc_stats(&st);
	total = st.total_pages * kpp;
	free = st.free_pages * kpp;
	shmem = procfs_shmem_pages() * kpp;
	kb_line(b, "MemTotal:", total);
	kb_line(b, "MemFree:", free);
	kb_line(b, "MemAvailable:", free);
	kb_line(b, "Buffers:", 0);
	kb_line(b, "Cached:", shmem);
	kb_line(b, "SwapCached:", 0);
	kb_line(b, "Active:", 0);
	kb_line(b, "Inactive:", 0);
	kb_line(b, "Unevictable:", 0);
	kb_line(b, "Mlocked:", 0);
	kb_line(b, "SwapTotal:", 0);
	kb_line(b, "SwapFree:", 0);
	kb_line(b, "Dirty:", 0);
	kb_line(b, "Writeback:", 0);
	kb_line(b, "AnonPages:", 0);
	kb_line(b, "Mapped:", 0);
	kb_line(b, "Shmem:", shmem);
	kb_line(b, "KReclaimable:", 0);
	kb_line(b, "Slab:", slab);
	kb_line(b, "SReclaimable:", 0);
	kb_line(b, "SUnreclaim:", slab);
	kb_line(b, "KernelStack:", (u64)thread_count() *
		(KTHREAD_STACK_SIZE / 1024));
	kb_line(b, "PageTables:", 0);
	kb_line(b, "CommitLimit:", total);
	kb_line(b, "Committed_AS:", total - MIN(free, total));
	kb_line(b, "VmallocTotal:", VMALLOC_TOTAL_KB);
	kb_line(b, "VmallocUsed:", 0);
	kb_line(b, "VmallocChunk:", 0);
	kb_line(b, "AnonHugePages:", 0);
	proc_printf(b, "%-16s%8u\n%-16s%8u\n%-16s%8u\n%-16s%8u\n",
		    "HugePages_Total:", 0u, "HugePages_Free:", 0u,
		    "HugePages_Rsvd:", 0u, "HugePages_Surp:", 0u);
	kb_line(b, "Hugepagesize:", 2048);
	kb_line(b, "Hugetlb:", 0);
	return 0;
}

/**
 * procfs_shmem_pages - pages held by tmpfs files (meminfo's Shmem).
 * Context: any. Return: the count.
 */
unsigned long procfs_shmem_pages(void)
{
	return READ_ONCE(tmpfs_total_pages);
}

/* ---- CPU time ------------------------------------------------------------ */

struct cpu_times {
	u64 user_ns, sys_ns, idle_ns;
	unsigned int blocked;           /* tasks in uninterruptible sleep */
};

static unsigned int online_cpus(void)
{
	unsigned int n = num_online_cpus();

	return n ? n : 1;
}

static void cpu_times(struct cpu_times *ct)
{
	u64 up = clock_monotonic_ns() * online_cpus(), busy;
	struct process *p;
	struct task *t;

	memset(ct, 0, sizeof(*ct));
	/* Exited tasks' time stays counted: these counters never go down. */
	cputime_exited_totals(&ct->user_ns, &ct->sys_ns);
	spin_lock(&tasklist_lock);
	list_for_each_entry(p, &all_processes, all_link) {
		list_for_each_entry(t, &p->tasks, proc_link) {
			u64 ut, st;

			task_cputime(t, &ut, &st);
			ct->user_ns += ut;
			ct->sys_ns += st;
			if (READ_ONCE(t->thread->state) &
			    THREAD_UNINTERRUPTIBLE)
				ct->blocked++;
		}
	}
	spin_unlock(&tasklist_lock);
	busy = ct->user_ns + ct->sys_ns;
	ct->idle_ns = up > busy ? up - busy : 0;
}

/**
 * proc_uptime_show - /proc/uptime: seconds since boot and idle seconds
 * (summed over CPUs), two decimals each.
 * Context: process context. Return: 0.
 */
int proc_uptime_show(struct proc_buf *b, struct proc_inode *pi)
{
	u64 up = clock_monotonic_ns() / (NSEC_PER_SEC / 100);
	struct cpu_times ct;
	u64 idle;

	cpu_times(&ct);
	idle = ct.idle_ns / (NSEC_PER_SEC / 100);
	proc_printf(b, "%llu.%02llu %llu.%02llu\n", up / 100, up % 100,
		    idle / 100, idle % 100);
	return 0;
}

/**
 * proc_version_show - /proc/version: "<sysname> version <release>
 * (builder) (compiler) <version>", Linux's shape.
 * Context: any. Return: 0.
 */
int proc_version_show(struct proc_buf *b, struct proc_inode *pi)
{
	proc_printf(b, "%s version %s (keel@keel) (%s) %s\n", UTS_SYSNAME,
		    UTS_RELEASE, "compiler " __VERSION__, utsname_version());
	return 0;
}

static unsigned int running_threads(void)
{
	unsigned int cpu, n = 0;

	for (cpu = 0; cpu < NR_CPUS; cpu++)
		if (cpu_online(cpu))
			n += sched_nr_running(cpu);
	return n;
}

/* ---- load averages ------------------------------------------------------- */

#define FSHIFT          11              /* fraction bits */
#define FIXED_1         (1UL << FSHIFT)
#define LOAD_FREQ_NS    (5 * NSEC_PER_SEC + NSEC_PER_SEC / 100)
#define EXP_1           1884UL          /* FIXED_1 / exp(5 s / 1 min) */
#define EXP_5           2014UL          /* FIXED_1 / exp(5 s / 5 min) */
#define EXP_15          2037UL          /* FIXED_1 / exp(5 s / 15 min) */
#define LOAD_INT(x)     ((x) >> FSHIFT)
#define LOAD_FRAC(x)    LOAD_INT(((x) & (FIXED_1 - 1)) * 100)

static unsigned long avenrun[3];        /* [loadavg work] read racily */
static struct delayed_work loadavg_work;

/**
 * proc_calc_load - one step of an exponentially decaying load average.
 * @load: the average so far; @exp: its decay factor (EXP_*);
 * @active: the sampled count; all in fixed point (FSHIFT bits).
 * Context: any. Return: the new average.
 */
unsigned long proc_calc_load(unsigned long load, unsigned long exp,
			     unsigned long active)
{
	unsigned long newload = load * exp + active * (FIXED_1 - exp);

	if (active >= load)
		newload += FIXED_1 - 1;     /* round up while rising */
	return newload / FIXED_1;
}

/* Tasks counted by the load average: runnable or in D state. */
static unsigned long active_tasks(void)
{
	unsigned int running = running_threads();
	struct process *p;
	struct task *t;
	unsigned long n;

	/* This work item's thread is running and must not count itself. */
	n = running ? running - 1 : 0;
	spin_lock(&tasklist_lock);
	list_for_each_entry(p, &all_processes, all_link)
		list_for_each_entry(t, &p->tasks, proc_link)
			if (READ_ONCE(t->thread->state) &
			    THREAD_UNINTERRUPTIBLE)
				n++;
	spin_unlock(&tasklist_lock);
	return n;
}

static void loadavg_sample(struct work_struct *work)
{
	unsigned long active = active_tasks() * FIXED_1;

	WRITE_ONCE(avenrun[0], proc_calc_load(avenrun[0], EXP_1, active));
	WRITE_ONCE(avenrun[1], proc_calc_load(avenrun[1], EXP_5, active));
	WRITE_ONCE(avenrun[2], proc_calc_load(avenrun[2], EXP_15, active));
	schedule_delayed_work(&loadavg_work, LOAD_FREQ_NS);
}

/**
 * proc_loadavg_start - begin sampling the load every LOAD_FREQ_NS.
 * Context: boot, process context, after workqueue_init(); once.
 */
void proc_loadavg_start(void)
{
	INIT_DELAYED_WORK(&loadavg_work, loadavg_sample);
	schedule_delayed_work(&loadavg_work, LOAD_FREQ_NS);
}

/**
 * procfs_load_averages - the 1, 5 and 15 minute load averages in fixed
 * point with 11 fraction bits (Linux's FSHIFT; sysinfo(2) shifts them to
 * its 16).
 * @loads: filled with the three values.
 * Context: any.
 */
void procfs_load_averages(unsigned long loads[3])
{
	for (int i = 0; i < 3; i++)
		loads[i] = READ_ONCE(avenrun[i]);
}

/**
 * proc_loadavg_show - /proc/loadavg: the three load averages,
 * runnable/total threads and the last pid.
 * Context: process context. Return: 0.
 */
int proc_loadavg_show(struct proc_buf *b, struct proc_inode *pi)
{
	unsigned long avg[3];
	int i;

	procfs_load_averages(avg);
	for (i = 0; i < 3; i++) {
		avg[i] += FIXED_1 / 200;    /* round to two decimals */
		proc_printf(b, "%lu.%02lu ", LOAD_INT(avg[i]),
			    LOAD_FRAC(avg[i]));
	}
	proc_printf(b, "%u/%u %d\n", running_threads(), thread_count(),
		    proc_last_pid());
	return 0;
}

static u64 ticks(u64 ns)
{
	return ns / PROC_NS_PER_TICK;
}

static void stat_interrupts(struct proc_buf *b)
{
	u64 total = irq_spurious_count(), n;
	unsigned int irq, cpu;

	for (irq = 0; irq < NR_IRQS; irq++)
		for (cpu = 0; cpu < NR_CPUS; cpu++)
			if (cpu_online(cpu))
				total += irq_count(irq, cpu);
	proc_printf(b, "intr %llu", total);
	for (irq = 0; irq < NR_IRQS; irq++) {
		n = 0;
		for (cpu = 0; cpu < NR_CPUS; cpu++)
			if (cpu_online(cpu))
				n += irq_count(irq, cpu);
		proc_printf(b, " %llu", n);
	}
	proc_puts(b, "\n");
}

/**
 * proc_stat_show - /proc/stat: cpu lines, intr, ctxt, btime, processes,
 * procs_running, procs_blocked, softirq.
 * Context: process context. Return: 0.
 */
int proc_stat_show(struct proc_buf *b, struct proc_inode *pi)
{
	unsigned int cpu, ncpu = online_cpus();
	struct cpu_times ct;
	u64 ctxt = 0, boot;

	cpu_times(&ct);
	proc_printf(b, "cpu  %llu 0 %llu %llu 0 0 0 0 0 0\n",
		    ticks(ct.user_ns), ticks(ct.sys_ns), ticks(ct.idle_ns));
	for (cpu = 0; cpu < NR_CPUS; cpu++) {
		if (!cpu_online(cpu))
			continue;
		proc_printf(b, "cpu%u %llu 0 %llu %llu 0 0 0 0 0 0\n", cpu,
			    ticks(ct.user_ns / ncpu), ticks(ct.sys_ns / ncpu),
			    ticks(ct.idle_ns / ncpu));
		ctxt += sched_nr_switches(cpu);
	}
	stat_interrupts(b);
	boot = (clock_realtime_ns() - clock_monotonic_ns()) / NSEC_PER_SEC;
	proc_printf(b, "ctxt %llu\nbtime %llu\nprocesses %llu\n"
		    "procs_running %u\nprocs_blocked %u\n", ctxt, boot,
		    proc_total_forks(), running_threads(), ct.blocked);
	proc_puts(b, "softirq 0 0 0 0 0 0 0 0 0 0 0\n");
	return 0;
}
