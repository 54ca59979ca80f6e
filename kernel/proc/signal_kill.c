/*
 * Sending from user space: kill, tkill, tgkill, rt_sigqueueinfo and
 * rt_tgsigqueueinfo. Targets are looked up and signalled under
 * tasklist_lock.
 *
 * Permission (kill(2)): root (euid 0), or the sender's real or effective
 * uid equals the target's real or saved uid; SIGCONT is also allowed
 * within the sender's session. Signal 0 checks existence and permission
 * only. A zombie still exists for kill (and ignores what it gets).
 */
#include <keel/errno.h>
#include <keel/string.h>
#include <keel/syscall.h>
#include <keel/uaccess.h>

#include "signal_internal.h"

/* May the caller send @sig with @info to process @p? [T] held. */
static int kill_permission(struct process *p, int sig, const siginfo_t *info)
{
	const struct cred *c = current_cred();
	struct process *me = current_process();
	bool ok;

	if (info->si_code > 0 || p == me)   /* from the kernel, or ourselves */
		return 0;
	if (cred_is_root(c))
		return 0;
	spin_lock(&p->lock);
	ok = c->euid == p->cred.suid || c->euid == p->cred.uid ||
	     c->uid == p->cred.suid || c->uid == p->cred.uid;
	spin_unlock(&p->lock);
	if (ok || (sig == SIGCONT && p->sid == me->sid))
		return 0;
	return -EPERM;
}

/* Send to process @p (shared) after the permission check. [T] held. */
static int kill_process(struct process *p, int sig, const siginfo_t *info)
{
	struct task *t;
	int err;

	if (p->state == PROCESS_DEAD)
		return -ESRCH;
	err = kill_permission(p, sig, info);
	if (err || !sig)
		return err;
	t = process_first_task(p);
	if (!t)
		return 0;               /* a zombie */
	return send_sig_info_locked(t, info, true);
}

/* Every process of group @pgrp. [T] held. */
static int kill_pgrp(pid_t pgrp, int sig, const siginfo_t *info)
{
	bool found = false, sent = false;
	struct process *p;
	int ret = -ESRCH;

	list_for_each_entry(p, &all_processes, all_link) {
		if (p->pgid != pgrp || p->state == PROCESS_DEAD)
			continue;
		found = true;
		ret = kill_process(p, sig, info);
		if (!ret)
			sent = true;
	}
	if (!found)
		return -ESRCH;
	return sent ? 0 : ret;
}

/**
 * kill_pgrp_kernel - send @sig to every process of group @pgrp, for the
 * kernel (terminal signals, hangups): with @priv no permission check,
 * else the caller's kill(2) permission applies.
 * Return: 0, -ESRCH (no such group) or -EPERM.
 * Context: process context; takes tasklist_lock.
 */
int kill_pgrp_kernel(pid_t pgrp, int sig, int priv)
{
	siginfo_t info;
	int ret;

	if (pgrp <= 0 || !sig_valid(sig))
		return -EINVAL;
	memset(&info, 0, sizeof(info));
	info.si_signo = sig;
	info.si_code = priv ? SI_KERNEL : SI_USER;
	if (!priv) {
		info.si_pid = current_process()->pid;
		info.si_uid = current_cred()->uid;
	}
	spin_lock(&tasklist_lock);
	if (!priv) {
		ret = kill_pgrp(pgrp, sig, &info);
	} else {
		/* No sender to check (this may run in a kernel thread). */
		struct process *p;
		struct task *t;

		ret = -ESRCH;
		list_for_each_entry(p, &all_processes, all_link) {
			if (p->pgid != pgrp || p->state == PROCESS_DEAD)
				continue;
			ret = 0;
			t = process_first_task(p);
			if (t)
				send_sig_info_locked(t, &info, true);
		}
	}
	spin_unlock(&tasklist_lock);
	return ret;
}

/* kill(-1): everyone but init and the caller; EPERM ones do not count. */
static int kill_all(int sig, const siginfo_t *info)
{
	struct process *me = current_process(), *p;
	int ret = 0, count = 0, err;

	list_for_each_entry(p, &all_processes, all_link) {
		if (p->pid <= 1 || p == me || p->state == PROCESS_DEAD)
			continue;
		count++;
		err = kill_process(p, sig, info);
		if (err != -EPERM)
			ret = err;
	}
	return count ? ret : -ESRCH;
}

/* The siginfo of a signal sent by the caller with @code. */
static void user_info(siginfo_t *info, int sig, int code)
{
	memset(info, 0, sizeof(*info));
	info->si_signo = sig;
	info->si_code = code;
	info->si_pid = current_process()->pid;
	info->si_uid = current_cred()->uid;
}

/* Deliver to process or group @pid as kill(2) does. */
static int kill_something(pid_t pid, int sig, const siginfo_t *info)
{
	struct process *p;
	int ret;

	if (pid == (pid_t)(-2147483647 - 1))
		return -ESRCH;          /* -pid would overflow */
	spin_lock(&tasklist_lock);
	if (pid > 0) {
		p = process_by_pid(pid);
		ret = p ? kill_process(p, sig, info) : -ESRCH;
	} else if (pid == 0) {
		ret = kill_pgrp(current_process()->pgid, sig, info);
	} else if (pid == -1) {
		ret = kill_all(sig, info);
	} else {
		ret = kill_pgrp(-pid, sig, info);
	}
	spin_unlock(&tasklist_lock);
	return ret;
}

SYSCALL_DEFINE2(kill, pid_t, pid, int, sig)
{
	siginfo_t info;

	if (sig < 0 || sig > NSIG)
		return -EINVAL;
	user_info(&info, sig, SI_USER);
	return kill_something(pid, sig, &info);
}

/* Send to thread @tid (of process @tgid unless it is 0). */
static int send_to_thread(pid_t tgid, pid_t tid, int sig,
			  const siginfo_t *info)
{
	struct task *t;
	int ret;

	spin_lock(&tasklist_lock);
	t = task_by_tid(tid);
	if (!t || (tgid > 0 && t->proc->pid != tgid)) {
		ret = -ESRCH;
	} else if (sig < 0 || sig > NSIG) {
		ret = -EINVAL;
	} else {
		ret = kill_permission(t->proc, sig, info);
		if (!ret && sig)
			ret = send_sig_info_locked(t, info, false);
	}
	spin_unlock(&tasklist_lock);
	return ret;
}

SYSCALL_DEFINE2(tkill, pid_t, tid, int, sig)
{
	siginfo_t info;

	if (tid <= 0)
		return -EINVAL;
	user_info(&info, sig, SI_TKILL);
	return send_to_thread(0, tid, sig, &info);
}

SYSCALL_DEFINE3(tgkill, pid_t, tgid, pid_t, tid, int, sig)
{
	siginfo_t info;

	if (tid <= 0 || tgid <= 0)
		return -EINVAL;
	user_info(&info, sig, SI_TKILL);
	return send_to_thread(tgid, tid, sig, &info);
}

/*
 * The siginfo given to rt_[tg]sigqueueinfo. Nobody may pretend to be the
 * kernel (si_code >= 0) or tkill (SI_TKILL) towards another thread.
 */
static int queueinfo_from_user(siginfo_t *info, const siginfo_t __user *u,
			       int sig, pid_t target)
{
	if (copy_from_user(info, u, sizeof(*info)))
		return -EFAULT;
	if ((info->si_code >= 0 || info->si_code == SI_TKILL) &&
	    current_task()->tid != target)
		return -EPERM;
	info->si_signo = sig;
	return 0;
}

SYSCALL_DEFINE3(rt_sigqueueinfo, pid_t, tgid, int, sig, siginfo_t __user *,
		uinfo)
{
	struct process *p;
	siginfo_t info;
	int ret;

	ret = queueinfo_from_user(&info, uinfo, sig, tgid);
	if (ret)
		return ret;
	if (sig < 0 || sig > NSIG)
		return -EINVAL;
	spin_lock(&tasklist_lock);
	p = tgid > 0 ? process_by_pid(tgid) : NULL;
	ret = p ? kill_process(p, sig, &info) : -ESRCH;
	spin_unlock(&tasklist_lock);
	return ret;
}

SYSCALL_DEFINE4(rt_tgsigqueueinfo, pid_t, tgid, pid_t, tid, int, sig,
		siginfo_t __user *, uinfo)
{
	siginfo_t info;
	int ret;

	if (tid <= 0 || tgid <= 0)
		return -EINVAL;
	ret = queueinfo_from_user(&info, uinfo, sig, tid);
	if (ret)
		return ret;
	return send_to_thread(tgid, tid, sig, &info);
}
