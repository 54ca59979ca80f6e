/*
 * Resource limits and usage: prlimit64, getrlimit, setrlimit, getrusage,
 * times; and the scheduling system calls for tasks.
 *
 * Limits live in struct process under process->lock. Raising a hard limit
 * needs root; the soft limit may not exceed the hard one (EINVAL);
 * RLIMIT_NOFILE may not exceed nr_open (1048576, Linux's default) (EPERM).
 */
#include <keel/errno.h>
#include <keel/syscall.h>
#include <keel/task.h>
#include <keel/time.h>
#include <keel/uaccess.h>
#include <keel/usertime.h>
#include <keel/mm_space.h>

#include "proc_internal.h"


u64 task_rlimit(int res)
{
	struct task *t = current_task();

	if (!t)
		return RLIM_INFINITY;
	return READ_ONCE(t->proc->rlim[res].rlim_cur);
}

/* Find the process @pid for prlimit (0: the caller) with permission. [T] */
static struct process *prlimit_target(pid_t pid, bool write, long *err)
{
	struct process *me = current_process(), *p;
	const struct cred *c = &me->cred;

	p = pid ? process_by_pid(pid) : me;
	if (!p || p->state != PROCESS_ALIVE) {
		*err = -ESRCH;
		return NULL;
	}
	if (p != me && !cred_is_root(c) &&
	    (c->uid != p->cred.uid || c->uid != p->cred.euid ||
	     c->uid != p->cred.suid || c->gid != p->cred.gid ||
	     c->gid != p->cred.egid || c->gid != p->cred.sgid)) {
		*err = -EPERM;
		return NULL;
	}
	(void)write;
	return p;
}

static long do_prlimit(pid_t pid, unsigned int res, const struct rlimit64 *new,
		       struct rlimit64 *old)
{
	struct process *p;
	long err = 0;

	if (res >= RLIM_NLIMITS)
		return -EINVAL;
	if (new && new->rlim_cur > new->rlim_max)
		return -EINVAL;
	if (new && res == RLIMIT_NOFILE && new->rlim_max > NR_OPEN_MAX)
		return -EPERM;
	spin_lock(&tasklist_lock);
	p = prlimit_target(pid, new != NULL, &err);
	if (!p)
		goto out;
	spin_lock(&p->lock);
	if (old)
		*old = p->rlim[res];
	if (new) {
		if (new->rlim_max > p->rlim[res].rlim_max &&
		    !cred_is_root(current_cred()))
			err = -EPERM;
		else
			p->rlim[res] = *new;
	}
	spin_unlock(&p->lock);
out:
	spin_unlock(&tasklist_lock);
	return err;
}

SYSCALL_DEFINE4(prlimit64, pid_t, pid, unsigned int, resource,
		const struct rlimit64 __user *, new_limit,
		struct rlimit64 __user *, old_limit)
{
	struct rlimit64 new, old;
	long err;

	if (new_limit && copy_from_user(&new, new_limit, sizeof(new)))
		return -EFAULT;
	err = do_prlimit(pid, resource, new_limit ? &new : NULL,
			 old_limit ? &old : NULL);
	if (!err && old_limit && copy_to_user(old_limit, &old, sizeof(old)))
		return -EFAULT;
	return err;
}

/* getrlimit/setrlimit use struct rlimit, which on x86_64 is the same 2x64 bits. */
SYSCALL_DEFINE2(getrlimit, unsigned int, resource,
		struct rlimit64 __user *, rlim)
{
	struct rlimit64 old;
	long err = do_prlimit(0, resource, NULL, &old);

	if (!err && copy_to_user(rlim, &old, sizeof(old)))
		return -EFAULT;
	return err;
}

SYSCALL_DEFINE2(setrlimit, unsigned int, resource,
		const struct rlimit64 __user *, rlim)
{
	struct rlimit64 new;

	if (copy_from_user(&new, rlim, sizeof(new)))
		return -EFAULT;
	return do_prlimit(0, resource, &new, NULL);
}

/* Faults and peak memory of @p: its exited tasks' plus the live ones'. */
static void process_mem_usage(struct process *p, unsigned long *min_flt,
			      unsigned long *maxrss_kib)
{
	struct task *t;

	spin_lock(&tasklist_lock);
	spin_lock(&p->lock);
	*min_flt = p->min_flt;
	*maxrss_kib = p->maxrss_kib;
	spin_unlock(&p->lock);
	list_for_each_entry(t, &p->tasks, proc_link) {
		*min_flt += READ_ONCE(t->min_flt);
		if (t->mm && READ_ONCE(t->mm->hiwater_rss) * (PAGE_SIZE / 1024) > *maxrss_kib)
			*maxrss_kib = READ_ONCE(t->mm->hiwater_rss) * (PAGE_SIZE / 1024);
	}
	spin_unlock(&tasklist_lock);
}

#define RUSAGE_SELF     0
#define RUSAGE_CHILDREN (-1)
#define RUSAGE_THREAD   1

SYSCALL_DEFINE2(getrusage, int, who, void __user *, usage)
{
	struct process *p = current_process();
	unsigned long flt = 0, rss = 0;
	u64 ut, st;

	switch (who) {
	case RUSAGE_SELF:
		process_cputime(p, &ut, &st);
		process_mem_usage(p, &flt, &rss);
		break;
	case RUSAGE_THREAD:
		task_cputime(current_task(), &ut, &st);
		flt = current_task()->min_flt;
		process_mem_usage(p, &(unsigned long){ 0 }, &rss);
		break;
	case RUSAGE_CHILDREN:
		spin_lock(&p->lock);
		ut = p->children_utime_ns;
		st = p->children_stime_ns;
		flt = p->children_min_flt;
		rss = p->children_maxrss_kib;
		spin_unlock(&p->lock);
		break;
	default:
		return -EINVAL;
	}
	return rusage_fill_user(usage, ut, st, flt, rss);
}

struct tms_user {
	long tms_utime, tms_stime, tms_cutime, tms_cstime;
};

#define USER_HZ 100

SYSCALL_DEFINE1(times, struct tms_user __user *, buf)
{
	struct process *p = current_process();
	struct tms_user t = { 0 };
	u64 ut, st;

	if (buf) {
		process_cputime(p, &ut, &st);
		t.tms_utime = ut / (NSEC_PER_SEC / USER_HZ);
		t.tms_stime = st / (NSEC_PER_SEC / USER_HZ);
		spin_lock(&p->lock);
		t.tms_cutime = p->children_utime_ns / (NSEC_PER_SEC / USER_HZ);
		t.tms_cstime = p->children_stime_ns / (NSEC_PER_SEC / USER_HZ);
		spin_unlock(&p->lock);
		if (copy_to_user(buf, &t, sizeof(t)))
			return -EFAULT;
	}
	/* Clock ticks since boot (Linux starts them at -5 minutes; any origin is valid). */
	return clock_monotonic_ns() / (NSEC_PER_SEC / USER_HZ);
}
