/*
 * Sending signals: queueing for a task or its process, the job-control
 * side effects that happen at once (SIGCONT resumes a stopped process and
 * drops pending stop signals; a stop signal drops a pending SIGCONT;
 * SIGKILL reaches every task of the process, stopped or not), waking a
 * task that can take the signal, fault signals, and SIGCHLD to the parent.
 *
 * Every sender holds tasklist_lock: it keeps the target task, its process
 * and its sighand pointer alive, and it is what signal_notify_parent needs
 * when a SIGCONT resumes a stopped process.
 */
#include <keel/errno.h>
#include <keel/string.h>
#include <uapi/poll.h>

#include "signal_internal.h"

/* Would @sig, sent to @t, be dropped at once (ignored and not blocked)? */
static bool sig_ignored(struct task *t, int sig)
{
	/*
	 * Blocked signals are never dropped (the action may change before
	 * they are unblocked) — nor those a task waits for in sigtimedwait,
	 * which unblocks them for the wait (real_blocked holds its mask).
	 */
	if ((t->sig.blocked | t->sig.real_blocked) & sigmask(sig))
		return false;
	return sig_handler_ignored(t->sighand, sig);
}

/*
 * SIGCONT: drop pending stop signals and resume every parked task.
 * Return: true when the process was stopped (its parent hears of it).
 * Context: tasklist_lock and the sighand lock held.
 */
static bool signal_continue(struct process *p)
{
	bool stopped = false, running = false;
	struct task *t;

	sigpending_remove(&p->shared_pending, SIG_STOP_MASK);
	list_for_each_entry(t, &p->tasks, proc_link) {
		sigpending_remove(&t->sig.pending, SIG_STOP_MASK);
		if (t->sig.jobctl & JOBCTL_STOPPED)
			stopped = true;
		else
			running = true;
		t->sig.jobctl &= ~(JOBCTL_STOPPED | JOBCTL_STOP_PENDING);
		signal_wake(t);
		/* Out of the stop sleep even with nothing pending. */
		wake_up_state(t->thread, THREAD_INTERRUPTIBLE);
	}
	if (!stopped || running)
		return false;
	p->stop_report = 0xffff;
	return true;
}

/* A stop signal: drop a pending SIGCONT. Locks as signal_continue. */
static void signal_stop_sent(struct process *p)
{
	struct task *t;

	sigpending_remove(&p->shared_pending, sigmask(SIGCONT));
	list_for_each_entry(t, &p->tasks, proc_link)
		sigpending_remove(&t->sig.pending, sigmask(SIGCONT));
}

/*
 * SIGKILL: every task of the process gets it privately and wakes, also
 * from a stop (Linux's fatal-signal path in complete_signal).
 */
static void signal_kill_all(struct process *p)
{
	struct task *t;

	list_for_each_entry(t, &p->tasks, proc_link) {
		t->sig.pending.signal |= sigmask(SIGKILL);
		signal_wake(t);
	}
}

/* Wake a task of @p that can take shared @sig: current if it can. */
static void wake_for_shared(struct task *target, int sig)
{
	struct task *me = current_task(), *t;
	struct process *p = target->proc;

	if (me && me->proc == p && !(me->sig.blocked & sigmask(sig))) {
		signal_wake(me);
		return;
	}
	list_for_each_entry(t, &p->tasks, proc_link) {
		if (!(t->sig.blocked & sigmask(sig))) {
			signal_wake(t);
			return;
		}
	}
}

/* Queue @info in @pend. Return: 0, or -EAGAIN (real-time queue full). */
static int queue_signal(struct sigpending *pend, const siginfo_t *info,
			uid_t uid)
{
	int sig = info->si_signo;
	struct sigqueue *q;
	bool override;

	/* Linux: only real-time signals from user space meet the limit. */
	override = sig < SIGRTMIN && info->si_code >= 0;
	q = sigqueue_alloc(info, uid, override);
	if (q)
		list_add_tail(&q->link, sigpending_queue(pend));
	else if (sig >= SIGRTMIN && info->si_code != SI_USER)
		return -EAGAIN;
	pend->signal |= sigmask(sig);
	return 0;
}

int send_sig_info_locked(struct task *t, const siginfo_t *info, bool shared)
{
	struct process *p = t->proc;
	struct sighand *sh = t->sighand;
	int sig = info->si_signo, ret = 0;
	struct sigpending *pend;
	bool continued = false;
	unsigned long flags;

	if (!sig_valid(sig))
		return -EINVAL;
	lock_assert_held(&tasklist_lock);
	if (p->state != PROCESS_ALIVE || !sh)
		return 0;
	flags = spin_lock_irqsave(&sh->lock);
	if (sig == SIGCONT)
		continued = signal_continue(p);
	else if (sigmask(sig) & SIG_STOP_MASK)
		signal_stop_sent(p);
	if (sig_ignored(t, sig))
		goto out;
	pend = shared ? &p->shared_pending : &t->sig.pending;
	/* A standard signal already pending: this one merges with it. */
	if (sig < SIGRTMIN && (pend->signal & sigmask(sig)))
		goto out;
	ret = queue_signal(pend, info, p->cred.uid);
	if (ret)
		goto out;
	/* signalfd(2) readers of any task sharing @sh may want it. */
	if (waitqueue_active(&sh->signalfd_wqh))
		__wake_up(&sh->signalfd_wqh, WAKE_NORMAL, 0,
			  (void *)(uintptr_t)EPOLLIN);
	if (sig == SIGKILL)
		signal_kill_all(p);
	else if (shared)
		wake_for_shared(t, sig);
	else
		signal_wake(t);
out:
	spin_unlock_irqrestore(&sh->lock, flags);
	if (continued)
		signal_notify_parent(p, CLD_CONTINUED, SIGCONT);
	return ret;
}

/* A siginfo for a signal the kernel raises (SI_KERNEL). */
static void kernel_info(siginfo_t *info, int sig, int code)
{
	memset(info, 0, sizeof(*info));
	info->si_signo = sig;
	info->si_code = code;
}

int send_sig(int sig, struct task *t)
{
	siginfo_t info;
	int ret;

	if (!sig_valid(sig))
		return -EINVAL;
	kernel_info(&info, sig, SI_KERNEL);
	spin_lock(&tasklist_lock);
	ret = send_sig_info_locked(t, &info, false);
	spin_unlock(&tasklist_lock);
	return ret;
}

int send_sig_process(int sig, struct process *p)
{
	struct task *t;
	siginfo_t info;
	int ret = 0;

	if (!sig_valid(sig))
		return -EINVAL;
	kernel_info(&info, sig, SI_KERNEL);
	spin_lock(&tasklist_lock);
	t = process_first_task(p);
	if (t)
		ret = send_sig_info_locked(t, &info, true);
	spin_unlock(&tasklist_lock);
	return ret;
}

/*
 * Queue @info for the current task so that it is taken: a blocked or
 * ignored signal is unblocked and reset to SIG_DFL first (force_sig).
 */
static void force_sig_info(siginfo_t *info)
{
	struct task *t = current_task();
	struct sighand *sh = t->sighand;
	int sig = info->si_signo;
	struct k_sigaction *ka;
	unsigned long flags;

	spin_lock(&tasklist_lock);
	flags = spin_lock_irqsave(&sh->lock);
	ka = sig_action(sh, sig);
	if ((t->sig.blocked & sigmask(sig)) || ka->handler == SIG_IGN) {
		ka->handler = SIG_DFL;
		t->sig.blocked &= ~sigmask(sig);
	}
	spin_unlock_irqrestore(&sh->lock, flags);
	send_sig_info_locked(t, info, false);
	spin_unlock(&tasklist_lock);
}

void force_sig_fault(int sig, int code, unsigned long addr, int trapno)
{
	struct task *t = current_task();
	siginfo_t info;

	if (!t || !sig_valid(sig))
		return;
	kernel_info(&info, sig, code);
	info.si_addr = addr;
	t->sig.fault_addr = addr;
	t->sig.fault_trapno = trapno;
	force_sig_info(&info);
}

void force_sigsegv(int sig)
{
	struct task *t = current_task();
	siginfo_t info;

	if (sig == SIGSEGV) {
		unsigned long flags = spin_lock_irqsave(&t->sighand->lock);

		sig_action(t->sighand, SIGSEGV)->handler = SIG_DFL;
		spin_unlock_irqrestore(&t->sighand->lock, flags);
	}
	kernel_info(&info, SIGSEGV, SI_KERNEL);
	force_sig_info(&info);
}

void signal_wake_kill(struct task *t)
{
	struct sighand *sh = t->sighand;
	unsigned long flags;

	lock_assert_held(&tasklist_lock);
	if (!sh)
		return;
	flags = spin_lock_irqsave(&sh->lock);
	t->sig.pending.signal |= sigmask(SIGKILL);
	signal_wake(t);
	spin_unlock_irqrestore(&sh->lock, flags);
}

/* CPU time in clock ticks (USER_HZ 100) for si_utime/si_stime. */
static long ns_to_clock_t(u64 ns)
{
	return (long)(ns / 10000000ULL);
}

bool signal_notify_parent(struct process *child, int why, int status)
{
	struct process *parent = child->parent;
	bool exit = why != CLD_STOPPED && why != CLD_CONTINUED;
	int sig = exit ? child->exit_signal : SIGCHLD;
	struct k_sigaction *ka;
	bool autoreap = false;
	struct task *pt;
	siginfo_t info;

	lock_assert_held(&tasklist_lock);
	if (!parent)
		return false;
	memset(&info, 0, sizeof(info));
	info.si_signo = sig;
	info.si_code = why;
	info.si_pid = child->pid;
	info.si_uid = child->cred.uid;
	info.si_status = status;
	info.si_utime = ns_to_clock_t(child->utime_ns);
	info.si_stime = ns_to_clock_t(child->stime_ns);

	pt = process_first_task(parent);
	if (pt && pt->sighand) {
		unsigned long flags = spin_lock_irqsave(&pt->sighand->lock);

		ka = sig_action(pt->sighand, SIGCHLD);
		if (exit && sig == SIGCHLD &&
		    (ka->handler == SIG_IGN || (ka->flags & SA_NOCLDWAIT))) {
			autoreap = true;
			if (ka->handler == SIG_IGN)
				sig = 0;
		}
		if (!exit && (ka->flags & SA_NOCLDSTOP))
			sig = 0;
		spin_unlock_irqrestore(&pt->sighand->lock, flags);
		if (sig_valid(sig)) {
			info.si_signo = sig;
			send_sig_info_locked(pt, &info, true);
		}
	}
	wake_up_all(&parent->wait_children);
	return autoreap;
}
