/*
 * Scheduling system calls for tasks: sched_yield, affinity, policy and
 * priority (sched_setscheduler(2), sched_setaffinity(2), setpriority(2)),
 * getcpu. They act on one thread (Linux's semantics: a pid argument names
 * a thread id; 0 is the caller).
 *
 * Permission (Linux's, without capabilities): root may do anything; others
 * may change a thread whose process's real or effective uid is their
 * effective uid, may raise nice values, may lower them only down to
 * 20 - RLIMIT_NICE, and may use real-time policies only up to
 * RLIMIT_RTPRIO.
 *
 * SCHED_BATCH, SCHED_IDLE, SCHED_DEADLINE and SCHED_RESET_ON_FORK are not
 * supported: -EINVAL.
 */
#include <keel/errno.h>
#include <keel/sched.h>
#include <keel/smp.h>
#include <keel/string.h>
#include <keel/syscall.h>
#include <keel/task.h>
#include <keel/uaccess.h>

#include "proc_internal.h"

#define PRIO_PROCESS 0
#define PRIO_PGRP    1
#define PRIO_USER    2

struct sched_param_user {
	int sched_priority;
};

SYSCALL_DEFINE0(sched_yield)
{
	yield();
	return 0;
}

/* May the caller change @t's scheduling? */
static bool sched_may_change(const struct task *t)
{
	const struct cred *c = current_cred(), *tc = &t->proc->cred;

	return cred_is_root(c) || c->euid == tc->uid || c->euid == tc->euid;
}

/*
 * The target of a call that looked up @pid: lookups and the use are not
 * atomic, so a target other than the caller is re-found and used under
 * tasklist_lock (which keeps its thread alive).
 */
#define WITH_TARGET(pid, t, err, body) do {                             \
	if (!(pid) || (pid) == current_task()->tid) {                   \
		(t) = current_task();                                   \
		body;                                                   \
		break;                                                  \
	}                                                               \
	spin_lock(&tasklist_lock);                                      \
	(t) = task_by_tid(pid);                                         \
	if (!(t))                                                       \
		(err) = -ESRCH;                                         \
	else {                                                          \
		body;                                                   \
	}                                                               \
	spin_unlock(&tasklist_lock);                                    \
} while (0)

#define CPUMASK_BYTES (NR_CPUS / 8)

SYSCALL_DEFINE3(sched_getaffinity, pid_t, pid, unsigned int, len,
		unsigned long __user *, mask)
{
	struct cpumask m;
	struct task *t;
	long err = 0;

	if (len & (sizeof(unsigned long) - 1) || len * 8 < NR_CPUS)
		return -EINVAL;
	if (pid < 0)
		return -ESRCH;
	cpumask_clear(&m);
	WITH_TARGET(pid, t, err, m = t->thread->allowed);
	if (err)
		return err;
	for (unsigned int cpu = 0; cpu < NR_CPUS; cpu++)
		if (!cpu_online(cpu))
			__clear_bit(cpu, m.bits);
	if (copy_to_user(mask, m.bits, CPUMASK_BYTES))
		return -EFAULT;
	return CPUMASK_BYTES;
}

SYSCALL_DEFINE3(sched_setaffinity, pid_t, pid, unsigned int, len,
		const unsigned long __user *, mask)
{
	struct cpumask m;
	struct task *t;
	long err = 0;
	bool any = false;

	if (pid < 0)
		return -ESRCH;
	cpumask_clear(&m);
	if (copy_from_user(m.bits, mask, len < CPUMASK_BYTES ? len : CPUMASK_BYTES))
		return -EFAULT;
	for (unsigned int cpu = 0; cpu < NR_CPUS; cpu++)
		any |= cpumask_test_cpu(cpu, &m) && cpu_online(cpu);
	if (!any)
		return -EINVAL;
	WITH_TARGET(pid, t, err,
		    err = sched_may_change(t) ? sched_setaffinity(t->thread, &m)
					      : -EPERM);
	return err;
}

SYSCALL_DEFINE3(getcpu, unsigned int __user *, cpu, unsigned int __user *, node,
		void __user *, cache)
{
	unsigned int c = cpu_id();

	if (cpu && put_user(c, cpu))
		return -EFAULT;
	if (node && put_user(0u, node))
		return -EFAULT;
	return 0;
}

SYSCALL_DEFINE1(sched_getscheduler, pid_t, pid)
{
	struct task *t;
	long err = 0, policy = 0;

	if (pid < 0)
		return -EINVAL;
	WITH_TARGET(pid, t, err, policy = t->thread->policy);
	return err ? err : policy;
}

SYSCALL_DEFINE2(sched_getparam, pid_t, pid, struct sched_param_user __user *, param)
{
	struct sched_param_user sp = { 0 };
	struct task *t;
	long err = 0;

	if (pid < 0 || !param)
		return -EINVAL;
	WITH_TARGET(pid, t, err, sp.sched_priority = t->thread->rt_priority);
	if (err)
		return err;
	return copy_to_user(param, &sp, sizeof(sp)) ? -EFAULT : 0;
}

static long check_policy(int policy, int prio)
{
	if (policy == SCHED_FIFO || policy == SCHED_RR)
		return prio >= 1 && prio <= 99 ? 0 : -EINVAL;
	if (policy == SCHED_NORMAL)
		return prio == 0 ? 0 : -EINVAL;
	return -EINVAL;
}

/* Unprivileged callers: real-time only up to RLIMIT_RTPRIO. */
static bool policy_allowed(int policy, int prio)
{
	if (cred_is_root(current_cred()) || policy == SCHED_NORMAL)
		return true;
	return (u64)prio <= task_rlimit(RLIMIT_RTPRIO);
}

static long do_setscheduler(pid_t pid, int policy, const struct sched_param_user __user *param)
{
	struct sched_param_user sp;
	struct task *t;
	long err = 0;

	if (pid < 0 || !param)
		return -EINVAL;
	if (copy_from_user(&sp, param, sizeof(sp)))
		return -EFAULT;
	if (policy < 0) {       /* sched_setparam: keep the policy */
		WITH_TARGET(pid, t, err, policy = t->thread->policy);
		if (err)
			return err;
	}
	err = check_policy(policy, sp.sched_priority);
	if (err)
		return err;
	WITH_TARGET(pid, t, err,
		    err = !sched_may_change(t) ||
			  !policy_allowed(policy, sp.sched_priority) ? -EPERM :
			  sched_setscheduler(t->thread, policy, sp.sched_priority));
	return err;
}

SYSCALL_DEFINE3(sched_setscheduler, pid_t, pid, int, policy,
		const struct sched_param_user __user *, param)
{
	if (policy < 0)
		return -EINVAL;
	return do_setscheduler(pid, policy, param);
}

SYSCALL_DEFINE2(sched_setparam, pid_t, pid, const struct sched_param_user __user *, param)
{
	return do_setscheduler(pid, -1, param);
}

SYSCALL_DEFINE1(sched_get_priority_max, int, policy)
{
	if (policy == SCHED_FIFO || policy == SCHED_RR)
		return 99;
	return policy == SCHED_NORMAL ? 0 : -EINVAL;
}

SYSCALL_DEFINE1(sched_get_priority_min, int, policy)
{
	if (policy == SCHED_FIFO || policy == SCHED_RR)
		return 1;
	return policy == SCHED_NORMAL ? 0 : -EINVAL;
}

SYSCALL_DEFINE2(sched_rr_get_interval, pid_t, pid, void __user *, tp)
{
	struct task *t;
	long err = 0;
	u64 ns = 0;
	s64 ts[2];

	if (pid < 0)
		return -EINVAL;
	WITH_TARGET(pid, t, err,
		    ns = t->thread->policy == SCHED_RR ? RT_RR_TIMESLICE_NS :
			 t->thread->policy == SCHED_FIFO ? 0 : FAIR_BASE_SLICE_NS);
	if (err)
		return err;
	ts[0] = ns / 1000000000ULL;
	ts[1] = ns % 1000000000ULL;
	return copy_to_user(tp, ts, sizeof(ts)) ? -EFAULT : 0;
}

/* Does @t match setpriority's (@which, @who)? [T] */
static bool prio_matches(struct task *t, int which, int who)
{
	struct task *me = current_task();

	switch (which) {
	case PRIO_PROCESS:
		return t == (who ? t : me) && (!who || t->tid == who);
	case PRIO_PGRP:
		return t->proc->pgid == (who ? who : me->proc->pgid);
	default:
		return t->proc->cred.uid == (who ? (uid_t)who : current_cred()->uid);
	}
}

/*
 * Visit every thread matching (@which, @who); @set: apply nice @nice,
 * else store the lowest nice seen in *@best. Return: 0 or -errno.
 */
static long prio_walk(int which, int who, bool set, int nice, long *best)
{
	struct process *p;
	struct task *t;
	long err = -ESRCH;

	*best = 100;
	if (which < PRIO_PROCESS || which > PRIO_USER)
		return -EINVAL;
	spin_lock(&tasklist_lock);
	list_for_each_entry(p, &all_processes, all_link) {
		list_for_each_entry(t, &p->tasks, proc_link) {
			if (!prio_matches(t, which, who))
				continue;
			if (!set) {
				if (t->thread->nice < *best)
					*best = t->thread->nice;
				err = 0;
				continue;
			}
			if (!sched_may_change(t)) {
				err = -EPERM;
				continue;
			}
			if (nice < t->thread->nice && !cred_is_root(current_cred()) &&
			    (u64)(20 - nice) > task_rlimit(RLIMIT_NICE)) {
				err = -EACCES;
				continue;
			}
			sched_set_nice(t->thread, nice);
			if (err == -ESRCH)
				err = 0;
		}
	}
	spin_unlock(&tasklist_lock);
	return err;
}

SYSCALL_DEFINE2(getpriority, int, which, int, who)
{
	long nice, err = prio_walk(which, who, false, 0, &nice);

	/* The raw call returns 20 - nice (1..40) so that it is never negative. */
	return err ? err : 20 - nice;
}

SYSCALL_DEFINE3(setpriority, int, which, int, who, int, prio)
{
	long err, unused;

	if (prio < -20)
		prio = -20;
	if (prio > 19)
		prio = 19;
	err = prio_walk(which, who, true, prio, &unused);
	return err;
}
