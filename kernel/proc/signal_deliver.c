/*
 * Signal delivery on the way back to user mode: signal_deliver() takes
 * pending signals one by one, runs default actions (ignore, stop,
 * terminate), and for the first one with a handler builds the handler's
 * frame (arch_setup_rt_frame) and blocks its mask. It also settles the
 * interrupted system call: this is the one place where the kernel-internal
 * -ERESTART* codes become -EINTR or a restart (table in <keel/errno.h>).
 *
 * Job control: a stop signal's default action marks every task of the
 * process JOBCTL_STOP_PENDING and wakes them; each parks here in an
 * interruptible sleep (JOBCTL_STOPPED) where only SIGKILL counts as
 * pending; the last one to park reports the stop to the parent. SIGCONT
 * (signal_send.c) clears the bits and wakes them.
 */
#include <keel/arch.h>
#include <keel/errno.h>
#include <keel/syscall.h>

#include "signal_internal.h"

/* Park the calling task until SIGCONT or SIGKILL. */
static void stop_sleep(struct task *t)
{
	for (;;) {
		set_current_state(THREAD_INTERRUPTIBLE);
		if (!(READ_ONCE(t->sig.jobctl) & JOBCTL_STOPPED) ||
		    READ_ONCE(t->thread->signal_pending))
			break;
		schedule();
	}
	__set_current_state(THREAD_RUNNING);
}

void signal_do_stop(struct task *t)
{
	struct process *p = t->proc;
	struct sighand *sh = t->sighand;
	bool last = true;
	unsigned long flags;
	struct task *o;
	int sig;

	spin_lock(&tasklist_lock);
	flags = spin_lock_irqsave(&sh->lock);
	if (!(t->sig.jobctl & JOBCTL_STOP_PENDING)) {
		/* A SIGCONT came first. */
		spin_unlock_irqrestore(&sh->lock, flags);
		spin_unlock(&tasklist_lock);
		return;
	}
	t->sig.jobctl = (t->sig.jobctl & ~JOBCTL_STOP_PENDING) | JOBCTL_STOPPED;
	sig = t->sig.stop_sig;
	list_for_each_entry(o, &p->tasks, proc_link)
		if (o->sig.jobctl & JOBCTL_STOP_PENDING)
			last = false;
	signal_recalc(t);
	spin_unlock_irqrestore(&sh->lock, flags);
	if (last) {
		p->stop_report = (sig << 8) | 0x7f;
		signal_notify_parent(p, CLD_STOPPED, sig);
	}
	spin_unlock(&tasklist_lock);
	stop_sleep(t);
}

/* The default action of a stop signal: the whole process stops. */
static void group_stop(struct task *t, int sig)
{
	struct sighand *sh = t->sighand;
	unsigned long flags;
	struct task *o;

	spin_lock(&tasklist_lock);
	flags = spin_lock_irqsave(&sh->lock);
	list_for_each_entry(o, &t->proc->tasks, proc_link) {
		o->sig.jobctl |= JOBCTL_STOP_PENDING;
		o->sig.stop_sig = sig;
		if (o != t)
			signal_wake(o);
	}
	spin_unlock_irqrestore(&sh->lock, flags);
	spin_unlock(&tasklist_lock);
	signal_do_stop(t);
}

/* A fatal signal: the process ends (or this task joins an exit underway). */
static __noreturn void fatal_signal(struct task *t, int sig)
{
	bool exiting;
	int status;

	spin_lock(&tasklist_lock);
	exiting = t->proc->group_exiting;
	status = t->proc->group_exit_status;
	spin_unlock(&tasklist_lock);
	if (exiting)
		task_exit(status);
	/* The core bit (0x80) says a core file was written (core(5)). */
	if (sig_default_action(sig) == SIG_DEF_CORE && coredump_write(sig) == 0)
		process_exit_group(sig | 0x80);
	process_exit_group(sig);
}

/*
 * Take the next signal that has a handler into @ks, running the default
 * actions of the others on the way. Return: false when none is left.
 */
static bool get_signal(struct task *t, struct ksignal *ks)
{
	struct sighand *sh = t->sighand;
	struct k_sigaction *ka;
	unsigned long flags;
	sigset_t allowed;
	int sig;

	for (;;) {
		flags = spin_lock_irqsave(&sh->lock);
		if (t->sig.jobctl & JOBCTL_STOP_PENDING) {
			spin_unlock_irqrestore(&sh->lock, flags);
			signal_do_stop(t);
			continue;
		}
		allowed = ~t->sig.blocked;
		if (t->sig.jobctl & JOBCTL_STOPPED) {
			allowed = sigmask(SIGKILL);
			if (!((t->sig.pending.signal |
			       t->proc->shared_pending.signal) & allowed)) {
				signal_recalc(t);
				spin_unlock_irqrestore(&sh->lock, flags);
				stop_sleep(t);
				continue;
			}
		}
		sig = dequeue_signal_locked(t, allowed, &ks->info);
		signal_recalc(t);
		if (!sig) {
			spin_unlock_irqrestore(&sh->lock, flags);
			return false;
		}
		ka = sig_action(sh, sig);
		if (ka->handler == SIG_IGN) {
			spin_unlock_irqrestore(&sh->lock, flags);
			continue;
		}
		if (ka->handler != SIG_DFL) {
			ks->sig = sig;
			ks->ka = *ka;
			if (ka->flags & SA_RESETHAND)
				ka->handler = SIG_DFL;
			spin_unlock_irqrestore(&sh->lock, flags);
			return true;
		}
		spin_unlock_irqrestore(&sh->lock, flags);
		switch (sig_default_action(sig)) {
		case SIG_DEF_IGN:
		case SIG_DEF_CONT:
			break;
		case SIG_DEF_STOP:
			/*
			 * Terminal stops do nothing to an orphaned process
			 * group: nobody is left to continue it (POSIX).
			 */
			if (sig != SIGSTOP && process_pgrp_orphaned(t->proc))
				break;
			group_stop(t, sig);
			break;
		case SIG_DEF_TERM:
		case SIG_DEF_CORE:
			fatal_signal(t, sig);
		}
	}
}

/* The handler's frame is built: block its mask (signal_delivered). */
static void signal_delivered(struct task *t, const struct ksignal *ks)
{
	struct sighand *sh = t->sighand;
	unsigned long flags = spin_lock_irqsave(&sh->lock);
	sigset_t b = t->sig.blocked | ks->ka.mask;

	if (!(ks->ka.flags & SA_NODEFER))
		b |= sigmask(ks->sig);
	t->sig.blocked = b & ~SIG_UNBLOCKABLE;
	signal_recalc(t);
	spin_unlock_irqrestore(&sh->lock, flags);
	t->sig.restore_saved_mask = false;
	if (t->sig.altstack_flags & SS_AUTODISARM) {
		t->sig.altstack_sp = 0;
		t->sig.altstack_size = 0;
		t->sig.altstack_flags = SS_DISABLE;
	}
}

/* Apply the restart rule for @ret to @regs. */
static void settle_syscall(struct user_regs *regs, long ret, bool handler,
			   unsigned long sa_flags)
{
	switch (signal_restart_result(ret, handler, sa_flags)) {
	case SIG_RESTART_EINTR:
		arch_user_regs_set_return(regs, -EINTR);
		break;
	case SIG_RESTART_AGAIN:
		arch_user_regs_restart_syscall(regs, -1);
		break;
	case SIG_RESTART_BLOCK:
		arch_user_regs_restart_syscall(regs, SYS_restart_syscall);
		break;
	case SIG_RESTART_NONE:
		break;
	}
}

void signal_deliver(struct user_regs *regs)
{
	struct task *t = current_task();
	struct ksignal ks;
	long nr, ret = 0;
	sigset_t oldmask;

	if (!t)
		return;
	/* rt_sigreturn's rax is the restored register, not a result. */
	nr = arch_user_regs_syscall_nr(regs);
	if (nr >= 0 && nr != SYS_rt_sigreturn)
		ret = arch_user_regs_return(regs);

	if (get_signal(t, &ks)) {
		settle_syscall(regs, ret, true, ks.ka.flags);
		oldmask = t->sig.restore_saved_mask ? t->sig.saved_mask
						    : t->sig.blocked;
		if (arch_setup_rt_frame(regs, &ks, oldmask)) {
			/* Dies on the next round (SIGSEGV, default action). */
			force_sigsegv(ks.sig);
			return;
		}
		signal_delivered(t, &ks);
		return;
	}
	/* No handler ran: a restart code means "try again" (or EINTR). */
	settle_syscall(regs, ret, false, 0);
	if (t->sig.restore_saved_mask) {
		t->sig.restore_saved_mask = false;
		set_current_blocked(t->sig.saved_mask);
	}
}
