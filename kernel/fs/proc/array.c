/*
 * /proc/<pid>/{stat,statm,status} (and task/<tid>/ the same): Linux 6.1's
 * formats (fs/proc/array.c, proc(5)).
 *
 * Each file is printed from two snapshots: struct proc_snap, copied
 * under tasklist_lock (then process->lock and the sighand lock, in the
 * documented order, one at a time), and struct proc_mm_snap, summed over
 * the VMAs under the address space's mmap_lock. Nothing sleeps under a
 * spinlock and nothing is printed under a lock.
 *
 * Keel keeps no page-fault counts, peaks (VmPeak/VmHWM show the current
 * values), or resident shared/file pages (RssFile/RssShmem 0); its
 * context switches are not split into voluntary and involuntary ones
 * (all count as voluntary).
 */
#include <keel/mm_space.h>
#include <keel/smp.h>
#include <keel/tty.h>

#include "internal.h"


struct proc_snap {
	pid_t tgid, pid, ppid, pgid, sid;
	unsigned int tty_nr;    /* the controlling tty (<keel/tty.h>) */
	pid_t tpgid;
	char comm[TASK_COMM_LEN];
	char state;
	struct cred cred;
	unsigned int nr_threads;
	int nice, policy, rt_priority, cpu;
	u64 utime_ns, stime_ns, cutime_ns, cstime_ns, start_ns;
	u64 switches, syscalls;
	sigset_t pending, shpending, blocked, ignored, caught;
	unsigned int sigq;
	u64 rlim_rss, rlim_sigpending;
	int exit_code, exit_signal;
	mode_t umask;
	unsigned int fdsize;
	struct cpumask allowed;
};

struct proc_mm_snap {
	bool valid;             /* false: no address space (zombie) */
	unsigned long total, rss, data, stack, exec;    /* pages */
	vaddr_t start_code, end_code, start_data, end_data;
	vaddr_t start_brk, start_stack;
	vaddr_t arg_start, arg_end, env_start, env_end;
};

static char thread_state(struct task *t)
{
	long st = READ_ONCE(t->thread->state);

	if (READ_ONCE(t->sig.jobctl) & JOBCTL_STOPPED)
		return 'T';
	if (st & THREAD_UNINTERRUPTIBLE)
		return 'D';
	if (st & THREAD_INTERRUPTIBLE)
		return 'S';
	if (st & THREAD_DEAD)
		return 'X';
	return 'R';
}

/* One task's share: its run time split into user and system. [T] */
static void snap_task(struct proc_snap *s, struct task *t)
{
	u64 ut, st;

	task_cputime(t, &ut, &st);
	s->utime_ns += ut;
	s->stime_ns += st;
	s->switches += READ_ONCE(t->thread->nr_switches);
	s->syscalls += READ_ONCE(t->syscalls);
}

/* Signal state of @t and @p under the sighand lock. [T] held. */
static void snap_signals(struct proc_snap *s, struct process *p,
			 struct task *t)
{
	struct sighand *sh = t->sighand;
	struct list_head *q;
	unsigned long flags;
	int sig;

	if (!sh)
		return;
	flags = spin_lock_irqsave(&sh->lock);
	s->pending = t->sig.pending.signal;
	s->shpending = p->shared_pending.signal;
	s->blocked = t->sig.blocked;
	for (sig = 1; sig <= NSIG; sig++) {
		unsigned long h = sh->action[sig - 1].handler;

		if (h == SIG_IGN)
			s->ignored |= 1ULL << (sig - 1);
		else if (h != SIG_DFL)
			s->caught |= 1ULL << (sig - 1);
	}
	list_for_each(q, &t->sig.pending.queue)
		s->sigq++;
	list_for_each(q, &p->shared_pending.queue)
		s->sigq++;
	spin_unlock_irqrestore(&sh->lock, flags);
}

static void snap_leader(struct proc_snap *s, struct process *p,
			struct task *t)
{
	s->state = thread_state(t);
	s->nice = READ_ONCE(t->thread->nice);
	s->policy = READ_ONCE(t->thread->policy);
	s->rt_priority = READ_ONCE(t->thread->rt_priority);
	s->cpu = (int)READ_ONCE(t->thread->cpu);
	s->allowed = t->thread->allowed;
	if (t->fs)
		s->umask = READ_ONCE(t->fs->umask);
	if (t->files)
		s->fdsize = READ_ONCE(t->files->max_fds);
	snap_signals(s, p, t);
}

/* The process part, under p->lock. */
static void snap_process(struct proc_snap *s, struct process *p)
{
	spin_lock(&p->lock);
	s->cred = p->cred;
	memcpy(s->comm, p->comm, sizeof(s->comm));
	s->comm[TASK_COMM_LEN - 1] = '\0';
	s->rlim_rss = p->rlim[RLIMIT_RSS].rlim_cur;
	s->rlim_sigpending = p->rlim[RLIMIT_SIGPENDING].rlim_cur;
	s->cutime_ns = p->children_utime_ns;
	s->cstime_ns = p->children_stime_ns;
	s->start_ns = p->start_time_ns;
	if (!s->pid || s->pid == s->tgid) {
		s->utime_ns += p->utime_ns;     /* its exited tasks */
		s->stime_ns += p->stime_ns;
	}
	spin_unlock(&p->lock);
}

/*
 * Fill @s for @pid (@tid: one thread, 0: the process).
 * Return: 0, or -ESRCH when it is gone.
 */
static int proc_snap_fill(struct proc_snap *s, pid_t pid, pid_t tid)
{
	struct process *p;
	struct task *t, *lead;

	memset(s, 0, sizeof(*s));
	spin_lock(&tasklist_lock);
	p = process_by_pid(pid);
	if (!p || p->state == PROCESS_DEAD) {
		spin_unlock(&tasklist_lock);
		return -ESRCH;
	}
	lead = proc_task_locked(p, tid);
	/*
	 * A leader that exited before its threads stays visible as a zombie
	 * thread (state Z) until the whole group ends, as on Linux.
	 */
	if (tid && !lead && tid != p->pid) {
		spin_unlock(&tasklist_lock);
		return -ESRCH;
	}
	s->tgid = p->pid;
	s->pid = tid ? tid : p->pid;
	s->ppid = p->parent && p->parent != p ? p->parent->pid : 0;
	s->pgid = p->pgid;
	s->sid = p->sid;
	tty_proc_stat(p, &s->tty_nr, &s->tpgid);
	s->nr_threads = p->nr_tasks;
	s->exit_signal = p->exit_signal;
	s->state = 'Z';
	if (p->state == PROCESS_ZOMBIE)
		s->exit_code = p->exit_status;
	if (tid) {
		if (lead)               /* else an exited leader: stays 'Z' */
			snap_task(s, lead);
	} else {
		list_for_each_entry(t, &p->tasks, proc_link)
			snap_task(s, t);
	}
	if (lead)
		snap_leader(s, p, lead);
	snap_process(s, p);
	spin_unlock(&tasklist_lock);
	return 0;
}

static void proc_mm_snap_fill(struct proc_mm_snap *ms, pid_t pid, pid_t tid)
{
	struct mm *mm = proc_get_mm(pid, tid);
	struct vm_area *v;

	memset(ms, 0, sizeof(*ms));
	if (!mm)
		return;
	ms->valid = true;
	down_read(&mm->mmap_lock);
	ms->total = mm->total_vm;
	ms->rss = READ_ONCE(mm->rss);
	ms->start_brk = mm->start_brk;
	ms->start_stack = mm->start_stack;
	ms->arg_start = mm->arg_start;
	ms->arg_end = mm->arg_end;
	ms->env_start = mm->env_start;
	ms->env_end = mm->env_end;
	for_each_vma(mm, v) {
		unsigned long n = vma_pages(v);

		/* Linux's classes: stack, then executable, then data. */
		if (v->flags & VMA_GROWSDOWN) {
			ms->stack += n;
		} else if ((v->flags & (VMA_EXEC | VMA_WRITE)) == VMA_EXEC) {
			ms->exec += n;
			if (!ms->end_code) {
				ms->start_code = v->start;
				ms->end_code = v->end;
			}
		} else if ((v->flags & (VMA_WRITE | VMA_SHARED)) ==
			   VMA_WRITE) {
			ms->data += n;
			if (!ms->end_data && v->start < ms->start_brk) {
				ms->start_data = v->start;
				ms->end_data = v->end;
			}
		}
	}
	up_read(&mm->mmap_lock);
	mm_put(mm);
}

static u64 ns_to_ticks(u64 ns)
{
	return ns / PROC_NS_PER_TICK;
}

/* Linux's task_prio(): 20 + nice, or -1 - the RT priority. */
static int snap_prio(const struct proc_snap *s)
{
	if (s->policy == SCHED_FIFO || s->policy == SCHED_RR)
		return -1 - s->rt_priority;
	return 20 + s->nice;
}

/**
 * proc_pid_stat - /proc/<pid>/stat: 52 fields in Linux's order.
 * Context: process context. Return: 0 or -ESRCH.
 */
int proc_pid_stat(struct proc_buf *b, struct proc_inode *pi)
{
	struct proc_snap s;
	struct proc_mm_snap ms;
	int err = proc_snap_fill(&s, pi->pid, pi->tid);

	if (err)
		return err;
	proc_mm_snap_fill(&ms, pi->pid, pi->tid);
	proc_printf(b, "%d (%s) %c %d %d %d %u %d %u 0 0 0 0 ", s.pid, s.comm,
		    s.state, s.ppid, s.pgid, s.sid, s.tty_nr, s.tpgid, 0u);
	proc_printf(b, "%llu %llu %llu %llu %d %d %u 0 %llu %llu %lu %llu ",
		    ns_to_ticks(s.utime_ns), ns_to_ticks(s.stime_ns),
		    ns_to_ticks(s.cutime_ns), ns_to_ticks(s.cstime_ns),
		    snap_prio(&s), s.nice, s.nr_threads,
		    ns_to_ticks(s.start_ns), (u64)ms.total * PAGE_SIZE,
		    ms.rss, s.rlim_rss);
	proc_printf(b, "%lu %lu %lu 0 0 %llu %llu %llu %llu 0 0 0 %d %d %u %u"
		    " 0 0 0 ", ms.start_code, ms.end_code, ms.start_stack,
		    s.pending | s.shpending, s.blocked, s.ignored, s.caught,
		    s.exit_signal, s.cpu, (unsigned int)s.rt_priority,
		    (unsigned int)s.policy);
	proc_printf(b, "%lu %lu %lu %lu %lu %lu %lu %d\n", ms.start_data,
		    ms.end_data, ms.start_brk, ms.arg_start, ms.arg_end,
		    ms.env_start, ms.env_end, s.exit_code);
	return 0;
}

/**
 * proc_pid_statm - /proc/<pid>/statm: size resident shared text lib data
 * dt, in pages. Context: process context. Return: 0 or -ESRCH.
 */
int proc_pid_statm(struct proc_buf *b, struct proc_inode *pi)
{
	struct proc_mm_snap ms;
	struct process *p = proc_get_process(pi->pid);

	if (!p)
		return -ESRCH;
	process_put(p);
	proc_mm_snap_fill(&ms, pi->pid, pi->tid);
	proc_printf(b, "%lu %lu 0 %lu 0 %lu 0\n", ms.total, ms.rss, ms.exec,
		    ms.data + ms.stack);
	return 0;
}

static const char *state_name(char c)
{
	switch (c) {
	case 'R': return "R (running)";
	case 'S': return "S (sleeping)";
	case 'D': return "D (disk sleep)";
	case 'T': return "T (stopped)";
	case 'Z': return "Z (zombie)";
	default:  return "X (dead)";
	}
}

static void status_ids(struct proc_buf *b, const struct proc_snap *s)
{
	const struct cred *c = &s->cred;
	unsigned int i;

	proc_printf(b, "Uid:\t%u\t%u\t%u\t%u\n", c->uid, c->euid, c->suid,
		    c->fsuid);
	proc_printf(b, "Gid:\t%u\t%u\t%u\t%u\n", c->gid, c->egid, c->sgid,
		    c->fsgid);
	proc_printf(b, "FDSize:\t%u\nGroups:\t", s->fdsize);
	/* Linux: space-separated, then one trailing space (even if none). */
	for (i = 0; i < c->ngroups && i < CRED_GROUPS_INLINE; i++)
		proc_printf(b, i ? " %u" : "%u", c->groups[i]);
	proc_puts(b, " ");
	proc_printf(b, "\nNStgid:\t%d\nNSpid:\t%d\nNSpgid:\t%d\nNSsid:\t%d\n",
		    s->tgid, s->pid, s->pgid, s->sid);
}

#define KB(pages) ((pages) * (PAGE_SIZE / 1024))

static void status_mm(struct proc_buf *b, const struct proc_mm_snap *m)
{
	if (!m->valid)
		return;
	proc_printf(b, "VmPeak:\t%8lu kB\nVmSize:\t%8lu kB\nVmLck:\t%8lu kB\n"
		    "VmPin:\t%8lu kB\nVmHWM:\t%8lu kB\nVmRSS:\t%8lu kB\n",
		    KB(m->total), KB(m->total), 0UL, 0UL, KB(m->rss),
		    KB(m->rss));
	proc_printf(b, "RssAnon:\t%8lu kB\nRssFile:\t%8lu kB\n"
		    "RssShmem:\t%8lu kB\nVmData:\t%8lu kB\nVmStk:\t%8lu kB\n"
		    "VmExe:\t%8lu kB\nVmLib:\t%8lu kB\nVmSwap:\t%8lu kB\n",
		    KB(m->rss), 0UL, 0UL, KB(m->data), KB(m->stack),
		    KB(m->exec), 0UL, 0UL);
	proc_printf(b, "HugetlbPages:\t%8lu kB\n", 0UL);
}

/* A CPU set as Linux's "%*pb" (hex, 32-bit groups) and "%*pbl" (ranges). */
static void status_cpus(struct proc_buf *b, const struct cpumask *m)
{
	unsigned int ncpu = 0, cpu, start;
	int group;
	bool first = true;

	for (cpu = 0; cpu < NR_CPUS; cpu++)
		if (cpu_online(cpu))
			ncpu = cpu + 1;
	proc_puts(b, "Cpus_allowed:\t");
	for (group = (int)((ncpu + 31) / 32) - 1; group >= 0; group--) {
		u32 w = 0;

		for (cpu = 0; cpu < 32 && group * 32 + cpu < ncpu; cpu++)
			if (cpumask_test_cpu(group * 32 + cpu, m))
				w |= 1u << cpu;
		if (group == (int)((ncpu + 31) / 32) - 1)
			proc_printf(b, "%x", w);
		else
			proc_printf(b, ",%08x", w);
	}
	proc_puts(b, "\nCpus_allowed_list:\t");
	for (cpu = 0; cpu < ncpu; cpu++) {
		if (!cpumask_test_cpu(cpu, m))
			continue;
		start = cpu;
		while (cpu + 1 < ncpu && cpumask_test_cpu(cpu + 1, m))
			cpu++;
		proc_printf(b, first ? "%u" : ",%u", start);
		if (cpu > start)
			proc_printf(b, "-%u", cpu);
		first = false;
	}
	proc_puts(b, "\n");
}

/**
 * proc_pid_status - /proc/<pid>/status in Linux 6.1's layout, plus the
 * Keel line "Syscalls:" (system calls made by the process's tasks).
 * Context: process context. Return: 0 or -ESRCH.
 */
int proc_pid_status(struct proc_buf *b, struct proc_inode *pi)
{
	struct proc_snap s;
	struct proc_mm_snap ms;
	int err = proc_snap_fill(&s, pi->pid, pi->tid);

	if (err)
		return err;
	proc_mm_snap_fill(&ms, pi->pid, pi->tid);
	proc_printf(b, "Name:\t%s\nUmask:\t%04o\nState:\t%s\nTgid:\t%d\n"
		    "Ngid:\t0\nPid:\t%d\nPPid:\t%d\nTracerPid:\t0\n", s.comm,
		    (unsigned int)s.umask, state_name(s.state), s.tgid, s.pid,
		    s.ppid);
	status_ids(b, &s);
	status_mm(b, &ms);
	proc_printf(b, "CoreDumping:\t0\nTHP_enabled:\t0\nThreads:\t%u\n"
		    "SigQ:\t%u/%llu\n", s.nr_threads, s.sigq,
		    s.rlim_sigpending);
	proc_printf(b, "SigPnd:\t%016llx\nShdPnd:\t%016llx\nSigBlk:\t%016llx\n"
		    "SigIgn:\t%016llx\nSigCgt:\t%016llx\n", s.pending,
		    s.shpending, s.blocked, s.ignored, s.caught);
	proc_printf(b, "CapInh:\t%016llx\nCapPrm:\t%016llx\nCapEff:\t%016llx\n"
		    "CapBnd:\t%016llx\nCapAmb:\t%016llx\n", s.cred.cap_inheritable,
		    s.cred.cap_permitted, s.cred.cap_effective, CAP_FULL_SET, 0ULL);
	proc_puts(b, "NoNewPrivs:\t0\nSeccomp:\t0\nSeccomp_filters:\t0\n");
	status_cpus(b, &s.allowed);
	proc_puts(b, "Mems_allowed:\t1\nMems_allowed_list:\t0\n");
	proc_printf(b, "voluntary_ctxt_switches:\t%llu\n"
		    "nonvoluntary_ctxt_switches:\t0\nSyscalls:\t%llu\n",
		    s.switches, s.syscalls);
	return 0;
}
