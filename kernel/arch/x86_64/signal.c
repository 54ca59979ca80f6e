/*
 * x86_64 signal frames: Linux's rt_sigframe on the user stack, and
 * rt_sigreturn, which undoes it.
 *
 * Layout, from the interrupted stack pointer down (Linux's get_sigframe):
 * skip the 128-byte red zone (or start at the top of the alternate stack),
 * the FPU state rounded down to 64 bytes, then struct rt_sigframe rounded
 * so that the handler enters with (rsp + 8) % 16 == 0, as after a call:
 *
 *	rsp ->	pretcode (sa_restorer: the handler's return address)
 *		struct ucontext (uc_mcontext = struct sigcontext, uc_sigmask)
 *		siginfo_t
 *		... padding ...
 *		FPU state (Linux's xstate frame, magic words; asm/fpu.h)
 *
 * sigreturn trusts nothing it reads back: CS and SS are forced to the user
 * segments, RFLAGS takes only the bits user code may change (Linux's
 * FIX_EFLAGS), the FPU image is checked by x86_fpu_restore_sigframe, and a
 * non-canonical RIP is left to fault in user mode (the exit path uses IRET
 * for such a frame, x86_sysret_ok).
 */
#include <keel/errno.h>
#include <keel/signal.h>
#include <keel/string.h>
#include <keel/syscall.h>
#include <keel/task.h>
#include <keel/uaccess.h>

#include <asm/fpu.h>
#include <asm/x86.h>

#define X86_EFLAGS_CF 0x00000001UL
#define X86_EFLAGS_PF 0x00000004UL
#define X86_EFLAGS_AF 0x00000010UL
#define X86_EFLAGS_ZF 0x00000040UL
#define X86_EFLAGS_SF 0x00000080UL
#define X86_EFLAGS_TF 0x00000100UL
#define X86_EFLAGS_DF 0x00000400UL
#define X86_EFLAGS_OF 0x00000800UL
#define X86_EFLAGS_RF 0x00010000UL
#define X86_EFLAGS_AC 0x00040000UL

/* What sigreturn may take from the frame (Linux's FIX_EFLAGS). */
#define FIX_EFLAGS (X86_EFLAGS_AC | X86_EFLAGS_OF | X86_EFLAGS_DF |        \
		    X86_EFLAGS_TF | X86_EFLAGS_SF | X86_EFLAGS_ZF |        \
		    X86_EFLAGS_AF | X86_EFLAGS_PF | X86_EFLAGS_CF |        \
		    X86_EFLAGS_RF)

#define USER_CS (GDT_USER_CS | 3)
#define USER_SS (GDT_USER_DS | 3)

/* The interrupted registers into @sc; err/trapno/cr2 of a fault only. */
static void save_sigcontext(struct sigcontext *sc, const struct trap_frame *tf,
			    sigset_t oldmask, unsigned long fpstate)
{
	const struct task *t = current_task();

	sc->r8 = tf->r8;   sc->r9 = tf->r9;   sc->r10 = tf->r10;
	sc->r11 = tf->r11; sc->r12 = tf->r12; sc->r13 = tf->r13;
	sc->r14 = tf->r14; sc->r15 = tf->r15;
	sc->rdi = tf->rdi; sc->rsi = tf->rsi; sc->rbp = tf->rbp;
	sc->rbx = tf->rbx; sc->rdx = tf->rdx; sc->rax = tf->rax;
	sc->rcx = tf->rcx; sc->rsp = tf->rsp; sc->rip = tf->rip;
	sc->eflags = tf->rflags;
	sc->cs = (u16)tf->cs;
	sc->ss = (u16)tf->ss;
	if (tf->vector < 32) {
		sc->trapno = tf->vector;
		sc->err = tf->error_code;
		if (tf->vector == 14)
			sc->cr2 = t->sig.fault_addr;
	}
	sc->oldmask = oldmask;
	sc->fpstate = fpstate;
}

/* Is [lo, hi) on the alternate stack (raw test, Linux's __on_sig_stack)? */
static bool frame_on_altstack(unsigned long lo)
{
	const struct task_signals *s = &current_task()->sig;

	return lo > s->altstack_sp && lo - s->altstack_sp <= s->altstack_size;
}

int arch_setup_rt_frame(struct user_regs *regs, struct ksignal *ks,
			sigset_t oldmask)
{
	struct trap_frame *tf = x86_user_frame(regs);
	unsigned long sp, fpstate, addr;
	struct rt_sigframe frame;
	bool onstack;

	/* x86-64 user space always supplies its return trampoline. */
	if (!(ks->ka.flags & SA_RESTORER))
		return -EFAULT;
	sp = signal_frame_sp(&ks->ka, tf->rsp, &onstack);
	fpstate = (sp - x86_fpu_sigframe_size()) & ~(X86_FPU_ALIGN - 1UL);
	addr = ((fpstate - sizeof(frame)) & ~15UL) - 8;
	if (addr > sp || (onstack && !frame_on_altstack(addr)))
		return -EFAULT;

	memset(&frame, 0, sizeof(frame));
	frame.pretcode = ks->ka.restorer;
	frame.uc.uc_flags = UC_SIGCONTEXT_SS | UC_STRICT_RESTORE_SS;
	if (x86_fpu_xsave_enabled())
		frame.uc.uc_flags |= UC_FP_XSTATE;
	signal_save_altstack(&frame.uc.uc_stack, tf->rsp);
	save_sigcontext(&frame.uc.uc_mcontext, tf, oldmask, fpstate);
	frame.uc.uc_sigmask = oldmask;
	frame.info = ks->info;

	if (x86_fpu_save_sigframe((void __user *)fpstate))
		return -EFAULT;
	if (copy_to_user((void __user *)addr, &frame, sizeof(frame)))
		return -EFAULT;

	tf->rdi = (u64)ks->sig;
	tf->rsi = addr + __builtin_offsetof(struct rt_sigframe, info);
	tf->rdx = addr + __builtin_offsetof(struct rt_sigframe, uc);
	tf->rax = 0;
	tf->rip = ks->ka.handler;
	tf->rsp = addr;
	tf->rflags &= ~(X86_EFLAGS_DF | X86_EFLAGS_RF | X86_EFLAGS_TF);
	tf->cs = USER_CS;
	tf->ss = USER_SS;
	/* The handler starts with a clean FPU (Linux: fpu__clear_user_states). */
	x86_fpu_reset_current();
	return 0;
}

/* Registers from @sc, sanitized. */
static void restore_sigcontext(struct trap_frame *tf,
			       const struct sigcontext *sc)
{
	tf->r8 = sc->r8;   tf->r9 = sc->r9;   tf->r10 = sc->r10;
	tf->r11 = sc->r11; tf->r12 = sc->r12; tf->r13 = sc->r13;
	tf->r14 = sc->r14; tf->r15 = sc->r15;
	tf->rdi = sc->rdi; tf->rsi = sc->rsi; tf->rbp = sc->rbp;
	tf->rbx = sc->rbx; tf->rdx = sc->rdx; tf->rax = sc->rax;
	tf->rcx = sc->rcx; tf->rsp = sc->rsp; tf->rip = sc->rip;
	tf->rflags = (tf->rflags & ~FIX_EFLAGS) | (sc->eflags & FIX_EFLAGS);
	tf->cs = USER_CS;
	tf->ss = USER_SS;
	/* Not a system call any more: no restart on the way out. */
	x86_frame_forget_syscall(tf);
}

/*
 * rt_sigreturn - return from a handler: the frame is at rsp - 8 (the
 * handler's ret popped pretcode). A frame that cannot be read or whose FPU
 * state is invalid kills with SIGSEGV, as on Linux.
 */
SYSCALL_DEFINE0(rt_sigreturn)
{
	struct trap_frame *tf = x86_user_frame(arch_user_regs(current));
	const struct rt_sigframe __user *f;
	struct ucontext uc;

	f = (const struct rt_sigframe __user *)(tf->rsp - 8);
	if (copy_from_user(&uc, &f->uc, sizeof(uc)))
		goto bad;
	set_current_blocked(uc.uc_sigmask);
	restore_sigcontext(tf, &uc.uc_mcontext);
	if (uc.uc_mcontext.fpstate) {
		if (x86_fpu_restore_sigframe(
			    (const void __user *)uc.uc_mcontext.fpstate))
			goto bad;
	} else {
		x86_fpu_reset_current();
	}
	signal_restore_altstack(&uc.uc_stack, tf->rsp);
	/* What the syscall exit writes back into rax: the restored rax. */
	return (long)tf->rax;
bad:
	force_sigsegv(0);
	return (long)tf->rax;
}
