/*
 * The generic half of entering and leaving user mode: the work done on
 * every return to user mode, and the per-switch address-space change.
 */
#include <keel/cputime.h>
#include <keel/errno.h>
#include <keel/mm_space.h>
#include <keel/preempt.h>
#include <keel/signal.h>
#include <keel/task.h>

/*
 * Loop until nothing is left to do: a reschedule may make a signal
 * pending and a signal handler setup may be preempted. The final check
 * runs with interrupts off, so nothing can slip in between it and the
 * arch's return (an interrupt arriving after that finds user mode and
 * runs this again on its own exit). Returns with interrupts off.
 */
/*
 * Does the return need signal_deliver()? A pending signal; or a mask to
 * restore (ppoll, sigsuspend); or a kernel-only restart code in the
 * return register, which only signal_deliver() turns into a restart or
 * -EINTR (a signal taken by another thread can leave one behind).
 */
static bool signal_work(const struct user_regs *regs)
{
	struct task *t = current->task;
	long ret;

	if (READ_ONCE(current->signal_pending) || t->sig.restore_saved_mask)
		return true;
	if (arch_user_regs_syscall_nr(regs) < 0)
		return false;
	ret = arch_user_regs_return(regs);
	return ret >= -ERESTART_RESTARTBLOCK && ret <= -ERESTARTSYS;
}

void exit_to_user_mode(struct user_regs *regs)
{
	for (;;) {
		arch_irq_disable();
		if (!arch_need_resched() && !signal_work(regs))
			return;
		arch_irq_enable();
		if (arch_need_resched())
			schedule();
		if (signal_work(regs))
			signal_deliver(regs);
	}
}

/*
 * Kernel threads run on the kernel's own tables, never lazily on a user
 * address space: one could be freed under them by its last task exiting
 * on another CPU. mm_activate() is cheap when the tables do not change.
 */
void task_switch(struct thread *prev, struct thread *next)
{
	struct task *nt = next->task;

	cputime_switch(prev, next);
	mm_activate(nt ? nt->mm : NULL);
	arch_switch_user_state(prev, next);
}
