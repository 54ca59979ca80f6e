/*
 * The alternate signal stack (sigaltstack(2)): where a handler frame goes,
 * what sigaltstack reports, and the rules for changing it. The state is
 * the task's own ([t]): only the task reads or writes it.
 *
 * altstack_flags holds what was set: SS_DISABLE (no stack, size 0), or 0
 * possibly with SS_AUTODISARM (then the stack is disabled while a handler
 * runs on it, and "on the stack" is never reported, as Linux).
 */
#include <keel/errno.h>
#include <keel/syscall.h>
#include <keel/uaccess.h>

#include "signal_internal.h"

bool signal_on_altstack(unsigned long sp)
{
	struct task_signals *s = &current_task()->sig;

	if (s->altstack_flags & SS_AUTODISARM)
		return false;
	return sp > s->altstack_sp && sp - s->altstack_sp <= s->altstack_size;
}

/* sigaltstack's ss_flags for the current state at @sp. */
static int altstack_flags(unsigned long sp)
{
	struct task_signals *s = &current_task()->sig;

	if (!s->altstack_size)
		return SS_DISABLE;
	return signal_on_altstack(sp) ? SS_ONSTACK : 0;
}

unsigned long signal_frame_sp(const struct k_sigaction *ka, unsigned long sp,
			      bool *onstack)
{
	struct task_signals *s = &current_task()->sig;

	*onstack = false;
	if ((ka->flags & SA_ONSTACK) && altstack_flags(sp) == 0) {
		*onstack = true;
		return s->altstack_sp + s->altstack_size;
	}
	if (signal_on_altstack(sp))
		*onstack = true;        /* nested: stays on the stack */
	return sp - 128;                /* the x86-64 red zone */
}

void signal_save_altstack(stack_t *ss, unsigned long sp)
{
	struct task_signals *s = &current_task()->sig;

	memset(ss, 0, sizeof(*ss));
	ss->ss_sp = s->altstack_sp;
	ss->ss_size = s->altstack_size;
	ss->ss_flags = s->altstack_flags;
	(void)sp;
}

int do_sigaltstack(const stack_t *ss, stack_t *old, unsigned long sp)
{
	struct task_signals *s = &current_task()->sig;
	unsigned int mode;

	if (old) {
		memset(old, 0, sizeof(*old));
		old->ss_sp = s->altstack_sp;
		old->ss_size = s->altstack_size;
		old->ss_flags = altstack_flags(sp) |
				(s->altstack_flags & SS_FLAG_BITS);
	}
	if (!ss)
		return 0;
	if (signal_on_altstack(sp))
		return -EPERM;
	mode = (unsigned int)ss->ss_flags & ~SS_FLAG_BITS;
	if (mode != SS_DISABLE && mode != SS_ONSTACK && mode != 0)
		return -EINVAL;
	if (mode == SS_DISABLE) {
		s->altstack_sp = 0;
		s->altstack_size = 0;
		s->altstack_flags = SS_DISABLE;
		return 0;
	}
	if (ss->ss_size < MINSIGSTKSZ)
		return -ENOMEM;
	s->altstack_sp = ss->ss_sp;
	s->altstack_size = ss->ss_size;
	s->altstack_flags = ss->ss_flags;
	return 0;
}

void signal_restore_altstack(const stack_t *ss, unsigned long sp)
{
	/* Linux ignores a refusal here (e.g. still on the stack). */
	(void)do_sigaltstack(ss, NULL, sp);
}

SYSCALL_DEFINE2(sigaltstack, const stack_t __user *, uss, stack_t __user *,
		uoss)
{
	unsigned long sp = arch_user_regs_sp(arch_user_regs(current));
	stack_t ss, old;
	int ret;

	if (uss && copy_from_user(&ss, uss, sizeof(ss)))
		return -EFAULT;
	ret = do_sigaltstack(uss ? &ss : NULL, uoss ? &old : NULL, sp);
	if (!ret && uoss && copy_to_user(uoss, &old, sizeof(old)))
		return -EFAULT;
	return ret;
}
