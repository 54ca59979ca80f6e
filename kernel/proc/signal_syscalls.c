/*
 * Signal system calls: actions (rt_sigaction), masks (rt_sigprocmask,
 * rt_sigpending, rt_sigsuspend, pause), synchronous acceptance
 * (rt_sigtimedwait) and restart_syscall. Sending (kill and friends) is in
 * signal_kill.c, sigaltstack in signal_altstack.c, rt_sigreturn with the
 * arch's frame code.
 */
#include <keel/errno.h>
#include <keel/syscall.h>
#include <keel/uaccess.h>
#include <keel/wait.h>

#include "signal_internal.h"

/* Drop @sig from every pending set of the process of @t (now ignored). */
static void discard_everywhere(struct task *t, int sig)
{
	struct task *o;

	sigpending_remove(&t->proc->shared_pending, sigmask(sig));
	list_for_each_entry(o, &t->proc->tasks, proc_link)
		sigpending_remove(&o->sig.pending, sigmask(sig));
	signal_recalc(t);

}

SYSCALL_DEFINE4(rt_sigaction, int, sig, const struct user_sigaction __user *,
		act, struct user_sigaction __user *, oact, size_t, sigsetsize)
{
	struct task *t = current_task();
	struct user_sigaction ua, old;
	struct k_sigaction *ka;
	struct sighand *sh;
	unsigned long flags;

	if (sigsetsize != sizeof(sigset_t) || !sig_valid(sig))
		return -EINVAL;
	if (act && copy_from_user(&ua, act, sizeof(ua)))
		return -EFAULT;
	if (act && (sigmask(sig) & SIG_UNBLOCKABLE))
		return -EINVAL;

	spin_lock(&tasklist_lock);
	sh = t->sighand;
	flags = spin_lock_irqsave(&sh->lock);
	ka = sig_action(sh, sig);
	old.sa_handler = ka->handler;
	old.sa_flags = ka->flags;
	old.sa_restorer = ka->restorer;
	old.sa_mask = ka->mask;
	if (act) {
		ka->handler = ua.sa_handler;
		ka->flags = ua.sa_flags & SA_KNOWN_FLAGS;
		ka->restorer = ua.sa_restorer;
		ka->mask = ua.sa_mask & ~SIG_UNBLOCKABLE;
		/* POSIX: setting "ignore" discards a pending one, blocked or not. */
		if (sig_handler_ignored(sh, sig))
			discard_everywhere(t, sig);
	}
	spin_unlock_irqrestore(&sh->lock, flags);
	spin_unlock(&tasklist_lock);

	if (oact && copy_to_user(oact, &old, sizeof(old)))
		return -EFAULT;
	return 0;
}

SYSCALL_DEFINE4(rt_sigprocmask, int, how, const sigset_t __user *, uset,
		sigset_t __user *, uoset, size_t, sigsetsize)
{
	struct task *t = current_task();
	sigset_t old = t->sig.blocked, set, new;
	int err;

	if (sigsetsize != sizeof(sigset_t))
		return -EINVAL;
	if (uset) {
		if (copy_from_user(&set, uset, sizeof(set)))
			return -EFAULT;
		err = sigprocmask_apply(how, old, set, &new);
		if (err)
			return err;
		set_current_blocked(new);
	}
	if (uoset && copy_to_user(uoset, &old, sizeof(old)))
		return -EFAULT;
	return 0;
}

SYSCALL_DEFINE2(rt_sigpending, sigset_t __user *, uset, size_t, sigsetsize)
{
	struct task *t = current_task();
	struct sighand *sh = t->sighand;
	unsigned long flags;
	sigset_t pend;

	if (sigsetsize > sizeof(sigset_t))
		return -EINVAL;
	flags = spin_lock_irqsave(&sh->lock);
	pend = (t->sig.pending.signal | t->proc->shared_pending.signal) &
	       t->sig.blocked;
	spin_unlock_irqrestore(&sh->lock, flags);
	if (copy_to_user(uset, &pend, sigsetsize))
		return -EFAULT;
	return 0;
}

/* Sleep until a signal is pending for the caller. */
static void sleep_for_signal(void)
{
	for (;;) {
		set_current_state(THREAD_INTERRUPTIBLE);
		if (READ_ONCE(current->signal_pending))
			break;
		schedule();
	}
	__set_current_state(THREAD_RUNNING);
}

SYSCALL_DEFINE2(rt_sigsuspend, const sigset_t __user *, umask, size_t,
		sigsetsize)
{
	struct task *t = current_task();
	sigset_t mask;

	if (sigsetsize != sizeof(sigset_t))
		return -EINVAL;
	if (copy_from_user(&mask, umask, sizeof(mask)))
		return -EFAULT;
	t->sig.saved_mask = t->sig.blocked;
	set_current_blocked(mask);
	sleep_for_signal();
	t->sig.restore_saved_mask = true;
	return -ERESTARTNOHAND;
}

SYSCALL_DEFINE0(pause)
{
	sleep_for_signal();
	return -ERESTARTNOHAND;
}

/* Linux's struct timespec (time64). */
struct sig_timespec {
	s64 tv_sec;
	long tv_nsec;
};

/* The timeout in ns from @uts (SCHEDULE_TIMEOUT_MAX: none). */
static long timeout_from_user(const struct sig_timespec __user *uts, u64 *ns)
{
	struct sig_timespec ts;

	*ns = SCHEDULE_TIMEOUT_MAX;
	if (!uts)
		return 0;
	if (copy_from_user(&ts, uts, sizeof(ts)))
		return -EFAULT;
	if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= 1000000000L)
		return -EINVAL;
	if ((u64)ts.tv_sec >= (SCHEDULE_TIMEOUT_MAX - 1) / 1000000000ULL - 1)
		return 0;       /* centuries: as good as none */
	*ns = (u64)ts.tv_sec * 1000000000ULL + (u64)ts.tv_nsec;
	return 0;
}

/*
 * Wait for a signal of @set, unblocking it for the wait. Return: the
 * signal with *@info, 0 when the time ran out, -EINTR for another signal.
 */
static int sigtimedwait(sigset_t set, u64 ns, siginfo_t *info)
{
	struct task *t = current_task();
	struct sighand *sh = t->sighand;
	bool timed_out = false;
	unsigned long flags;
	u64 deadline;
	int sig;

	flags = spin_lock_irqsave(&sh->lock);
	sig = dequeue_signal_locked(t, set, info);
	if (sig || ns == 0) {
		signal_recalc(t);
		spin_unlock_irqrestore(&sh->lock, flags);
		return sig;
	}
	t->sig.real_blocked = t->sig.blocked;
	t->sig.blocked &= ~set;
	signal_recalc(t);
	spin_unlock_irqrestore(&sh->lock, flags);

	deadline = wait_deadline(ns);
	for (;;) {
		set_current_state(THREAD_INTERRUPTIBLE);
		if (READ_ONCE(current->signal_pending))
			break;
		if (!wait_sleep_until(deadline)) {
			timed_out = true;
			break;
		}
	}
	__set_current_state(THREAD_RUNNING);

	flags = spin_lock_irqsave(&sh->lock);
	t->sig.blocked = t->sig.real_blocked;
	t->sig.real_blocked = 0;
	sig = dequeue_signal_locked(t, set, info);
	signal_recalc(t);
	spin_unlock_irqrestore(&sh->lock, flags);
	if (sig)
		return sig;
	return timed_out ? 0 : -EINTR;
}

SYSCALL_DEFINE4(rt_sigtimedwait, const sigset_t __user *, uset,
		siginfo_t __user *, uinfo, const struct sig_timespec __user *,
		uts, size_t, sigsetsize)
{
	siginfo_t info;
	sigset_t set;
	long err;
	u64 ns;
	int sig;

	if (sigsetsize != sizeof(sigset_t))
		return -EINVAL;
	if (copy_from_user(&set, uset, sizeof(set)))
		return -EFAULT;
	err = timeout_from_user(uts, &ns);
	if (err)
		return err;
	sig = sigtimedwait(set & ~SIG_UNBLOCKABLE, ns, &info);
	if (sig < 0)
		return sig;
	if (!sig)
		return -EAGAIN;
	if (uinfo && copy_to_user(uinfo, &info, sizeof(info)))
		return -EFAULT;
	return sig;
}

/*
 * restart_syscall: continue a call that returned -ERESTART_RESTARTBLOCK
 * and was interrupted by a signal without a handler (the call stored how
 * in current's restart block). Without one: -EINTR.
 */
SYSCALL_DEFINE0(restart_syscall)
{
	struct restart_block *rb = &current_task()->sig.restart;
	long (*fn)(struct restart_block *) = rb->fn;

	if (!fn)
		return -EINTR;
	rb->fn = NULL;
	return fn(rb);
}
