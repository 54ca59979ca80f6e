/*
 * x86_64 user mode: the user register record, the C half of the SYSCALL
 * entry and of every return to user mode, per-thread user state (FPU area,
 * FS/GS bases, I/O bitmap) and its context switch, arch_prctl.
 *
 * The user register record (struct user_regs = struct trap_frame, asm/x86.h)
 * sits at the top of the thread's kernel stack: the CPU's kernel-entry
 * stack (TSS.rsp0 and the SYSCALL entry's per-CPU stack top) is the stack
 * top of the running thread, so SYSCALL, interrupts and exceptions from
 * user mode all build their frame exactly at arch_user_regs(current), and
 * kernel code of the task runs below it (sched/thread.c keeps the top
 * THREAD_STACK_TOP_RESERVE bytes free). The stack top is set on every
 * switch and again on every return to user mode, so it is right whenever
 * user code runs, whoever switched.
 *
 * Returns to user mode go through x86_exit_to_user(): generic exit work
 * with interrupts on until none is left, then, with interrupts off, the
 * frame is made safe to return to (user CS/SS, IF set, IOPL 0): whatever
 * signal delivery, exec or sigreturn wrote, the CPU never leaves for ring 3
 * with interrupts off or for ring 0.
 *
 * GS: in the kernel GS base is the per-CPU area and the user's GS base
 * waits in MSR_KERNEL_GS_BASE (SWAPGS on every entry from and exit to user
 * mode, see entry.S for the rule). FS is not used by the kernel, so the
 * user's FS base stays loaded until a switch to another task.
 */
#include <keel/arch.h>
#include <keel/errno.h>
#include <keel/panic.h>
#include <keel/preempt.h>
#include <keel/sched.h>
#include <keel/slab.h>
#include <keel/string.h>
#include <keel/syscall.h>
#include <keel/task.h>
#include <keel/uaccess.h>
#include <asm/cpu.h>
#include <asm/fpu.h>
#include <asm/layout.h>
#include <asm/x86.h>

STATIC_ASSERT(sizeof(struct trap_frame) <= THREAD_STACK_TOP_RESERVE,
	      "the user frame must fit in the stack's reserved top");

#define USER_CS (GDT_USER_CS | 3)
#define USER_DS (GDT_USER_DS | 3)
#define USER32_CS (GDT_USER32_CS | 3)
#define CANONICAL_LOWER_END (1UL << 47)

bool x86_fsgsbase_enabled;              /* [I] CR4.FSGSBASE set on every CPU */

/* ---- the register record ------------------------------------------------- */

static unsigned long stack_top(struct thread *t)
{
	return (unsigned long)t->stack + t->stack_size;
}

struct user_regs *arch_user_regs(struct thread *t)
{
	return (struct user_regs *)(stack_top(t) - sizeof(struct trap_frame));
}

void arch_user_regs_init(struct user_regs *r, unsigned long ip,
			 unsigned long sp)
{
	struct trap_frame *tf = &r->tf;

	memset(tf, 0, sizeof(*tf));
	tf->vector = 0;
	tf->error_code = (u64)X86_NO_SYSCALL;
	tf->rip = ip;
	tf->rsp = sp;
	tf->cs = USER_CS;
	tf->ss = USER_DS;
	tf->rflags = X86_RFLAGS_IF | X86_RFLAGS_FIXED;
}

void arch_user_regs_fork(struct user_regs *dst, const struct user_regs *src)
{
	*dst = *src;
	dst->tf.rax = 0;
}

void arch_user_regs_set_return(struct user_regs *r, long value)
{
	r->tf.rax = (u64)value;
}

void arch_user_regs_set_sp(struct user_regs *r, unsigned long sp)
{
	r->tf.rsp = sp;
}

unsigned long arch_user_regs_ip(const struct user_regs *r)
{
	return r->tf.rip;
}

unsigned long arch_user_regs_sp(const struct user_regs *r)
{
	return r->tf.rsp;
}

long arch_user_regs_syscall_nr(const struct user_regs *r)
{
	if (r->tf.vector != X86_VECTOR_SYSCALL)
		return -1;
	return (long)r->tf.error_code;
}

long arch_user_regs_return(const struct user_regs *r)
{
	return (long)r->tf.rax;
}

/* SYSCALL is two bytes (0f 05): back up to it and reload the number. */
void arch_user_regs_restart_syscall(struct user_regs *r, long nr)
{
	r->tf.rip -= 2;
	r->tf.rax = nr >= 0 ? (u64)nr : r->tf.error_code;
}

/* ---- entry and exit ------------------------------------------------------ */

void x86_set_kernel_stack(unsigned long top)
{
	struct x86_percpu *pc = x86_this_cpu();

	pc->kstack_top = top;
	pc->tss.hw.rsp[0] = top;
}

bool x86_sysret_ok(const struct trap_frame *tf)
{
	return tf->rcx == tf->rip && tf->r11 == tf->rflags &&
	       !(tf->rflags & (X86_RFLAGS_RF | X86_RFLAGS_TF)) &&
	       tf->cs == USER_CS && tf->ss == USER_DS &&
	       tf->rip < CANONICAL_LOWER_END;
}

/* Whatever was written into the frame, it goes back to ring 3, IF on. */
static void sanitize_user_frame(struct trap_frame *tf)
{
	if (tf->cs != USER_CS && tf->cs != USER32_CS)
		tf->cs = USER_CS;
	tf->ss = USER_DS;
	tf->rflags |= X86_RFLAGS_IF | X86_RFLAGS_FIXED;
	tf->rflags &= ~(X86_RFLAGS_IOPL | X86_RFLAGS_NT);
}

/*
 * x86_exit_to_user - see asm/x86.h. The loop closes the window between
 * the last check of exit_to_user_mode() and turning interrupts off: work
 * that arrived in it (a wake-up asking for a reschedule, a signal) is done
 * before the return, not at the next entry. A kernel thread running user
 * code (ktests only) has no task, so only rescheduling applies.
 * Context: the task's own entry path; returns with interrupts off.
 */
void x86_exit_to_user(struct trap_frame *tf)
{
	struct thread *t = current;

	for (;;) {
		arch_irq_enable();
		if (t->task)
			exit_to_user_mode((struct user_regs *)tf);
		else if (need_resched())
			schedule();
		arch_irq_disable();
		if (!need_resched() &&
		    !(t->task && READ_ONCE(t->signal_pending)))
			break;
	}
	sanitize_user_frame(tf);
	x86_set_kernel_stack(stack_top(t));
	if (t->task)
		cputime_to_user(&t->task->cputime);
}

/*
 * x86_syscall_from_user - the C half of the SYSCALL entry (syscall.S):
 * arguments in RDI, RSI, RDX, R10, R8, R9, the number in the frame's
 * error_code slot, the result in RAX.
 * Return: true when SYSRET may return to the frame (else IRET).
 */
bool x86_syscall_from_user(struct trap_frame *tf)
{
	struct syscall_args a = { {
		tf->rdi, tf->rsi, tf->rdx, tf->r10, tf->r8, tf->r9,
	} };
	struct task *task = current->task;

	if (task)
		cputime_from_user(&task->cputime);
	arch_irq_enable();
	tf->rax = (u64)syscall_dispatch(tf->error_code, &a);
	task = current->task;
	if (task)
		task->syscalls++;
	x86_exit_to_user(tf);
	return x86_sysret_ok(tf);
}

__noreturn void arch_return_to_user(struct user_regs *r)
{
	KASSERT(r == arch_user_regs(current));
	x86_exit_to_user(&r->tf);
	x86_iret_to_user_frame(&r->tf);
}

/* ---- per-thread user state ----------------------------------------------- */

static unsigned long read_fs_base(void)
{
	unsigned long v;

	if (!x86_fsgsbase_enabled)
		return rdmsr(MSR_FS_BASE);
	__asm__ __volatile__("rdfsbase %0" : "=r"(v));
	return v;
}

static void write_fs_base(unsigned long v)
{
	if (!x86_fsgsbase_enabled) {
		wrmsr(MSR_FS_BASE, v);
		return;
	}
	__asm__ __volatile__("wrfsbase %0" : : "r"(v) : "memory");
}

static struct x86_thread_user *user_state_alloc(void)
{
	unsigned long fpu = x86_fpu_area_size();
	struct x86_thread_user *u;

	u = kzalloc(sizeof(*u) + fpu + X86_FPU_ALIGN, GFP_KERNEL);
	if (!u)
		return NULL;
	u->fpu = (void *)ALIGN_UP((unsigned long)(u + 1), X86_FPU_ALIGN);
	x86_fpu_init_area(u->fpu);
	return u;
}

int arch_thread_user_init(struct thread *t)
{
	struct x86_thread_user *u = user_state_alloc();

	if (!u)
		return -ENOMEM;
	t->arch_user = u;
	return 0;
}

int arch_thread_user_copy(struct thread *dst, struct thread *src)
{
	struct x86_thread_user *su = src->arch_user, *du = dst->arch_user;

	if (!su)
		return -EINVAL;
	if (!du) {
		du = user_state_alloc();
		if (!du)
			return -ENOMEM;
		dst->arch_user = du;
	}
	x86_io_bitmap_free(du);
	preempt_disable();
	if (src == current) {
		/* Its registers are live: bring the saved copies up to date. */
		x86_fpu_sync_current();
		su->fs_base = read_fs_base();
		su->gs_base = rdmsr(MSR_KERNEL_GS_BASE);
	}
	memcpy(du->fpu, su->fpu, x86_fpu_area_size());
	du->fs_base = su->fs_base;
	du->gs_base = su->gs_base;
	preempt_enable();
	return x86_io_bitmap_copy(du, su);
}

/* Exec: initial FPU state and TLS bases; ioperm() permissions stay. */
void arch_thread_user_reset(struct thread *t)
{
	struct x86_thread_user *u = t->arch_user;
	unsigned long flags;

	if (!u)
		return;
	flags = arch_irq_save();
	x86_fpu_init_area(u->fpu);
	u->fs_base = 0;
	u->gs_base = 0;
	if (t == current) {
		x86_fpu_restore(u->fpu);
		write_fs_base(0);
		wrmsr(MSR_KERNEL_GS_BASE, 0);
	}
	arch_irq_restore(flags);
}

void arch_thread_user_free(struct thread *t)
{
	struct x86_thread_user *u;
	unsigned long flags = arch_irq_save();

	u = t->arch_user;
	t->arch_user = NULL;
	if (t == current)
		x86_io_bitmap_switch(t);        /* no bitmap any more: none */
	arch_irq_restore(flags);
	if (u) {
		x86_io_bitmap_free(u);
		kfree(u);
	}
}

/*
 * The TLS pointer of a thread that has not run yet (clone CLONE_SETTLS).
 * Only a user address is taken: Linux refuses others with -EPERM, which
 * the caller must check (a non-canonical base would fault on the switch).
 */
void arch_thread_set_tls(struct thread *t, unsigned long tls)
{
	struct x86_thread_user *u = t->arch_user;

	if (u && tls < ARCH_USER_TOP)
		u->fs_base = tls;
}

void arch_switch_user_state(struct thread *prev, struct thread *next)
{
	struct x86_thread_user *pu = prev->arch_user, *nu = next->arch_user;

	x86_this_cpu()->user_switches++;
	if (pu) {
		x86_fpu_save(pu->fpu);
		pu->fs_base = read_fs_base();
		pu->gs_base = rdmsr(MSR_KERNEL_GS_BASE);
	}
	if (nu) {
		x86_fpu_restore(nu->fpu);
		write_fs_base(nu->fs_base);
		wrmsr(MSR_KERNEL_GS_BASE, nu->gs_base);
	}
	x86_set_kernel_stack(stack_top(next));
	x86_io_bitmap_switch(next);
}

/* ---- ktest support ------------------------------------------------------- */

__noreturn void x86_kthread_user_end(struct trap_frame *tf, unsigned long cr2)
{
	struct x86_thread_user *u = current->arch_user;
	int vector = (int)tf->vector;

	if (u && u->end_frame)
		*u->end_frame = *tf;
	if (u && u->end_cr2)
		*u->end_cr2 = cr2;
	arch_irq_enable();
	arch_thread_user_free(current);
	kthread_exit(vector);
}

/* ---- arch_prctl ---------------------------------------------------------- */

#define ARCH_SET_GS         0x1001
#define ARCH_SET_FS         0x1002
#define ARCH_GET_FS         0x1003
#define ARCH_GET_GS         0x1004
#define ARCH_GET_CPUID      0x1011
#define ARCH_SET_CPUID      0x1012
#define ARCH_GET_XCOMP_SUPP 0x1021
#define ARCH_GET_XCOMP_PERM 0x1022

static long set_base(int code, unsigned long addr)
{
	unsigned long flags;

	/* Linux: TASK_SIZE_MAX is the limit, non-canonical included. */
	if (addr >= ARCH_USER_TOP)
		return -EPERM;
	flags = arch_irq_save();
	if (code == ARCH_SET_FS) {
		/* Linux zeroes the selector too, then loads the base. */
		__asm__ __volatile__("movl %0, %%fs" : : "r"(0));
		write_fs_base(addr);
	} else {
		wrmsr(MSR_KERNEL_GS_BASE, addr);
	}
	arch_irq_restore(flags);
	return 0;
}

/*
 * arch_prctl - Linux's x86_64 subset: the FS and GS bases (-EPERM for an
 * address outside user space, -EFAULT for a bad result pointer), whether
 * CPUID works (always: no CPUID faulting, so ARCH_SET_CPUID is -ENODEV),
 * and the XSAVE features offered (all of them permitted: none is
 * dynamically enabled). Anything else is -EINVAL.
 */
SYSCALL_DEFINE2(arch_prctl, int, code, unsigned long, addr)
{
	unsigned long __user *uptr = (unsigned long __user *)addr;
	unsigned long v, flags;

	if (!current->arch_user)
		return -EINVAL;
	switch (code) {
	case ARCH_SET_FS:
	case ARCH_SET_GS:
		return set_base(code, addr);
	case ARCH_GET_FS:
	case ARCH_GET_GS:
		flags = arch_irq_save();
		v = code == ARCH_GET_FS ? read_fs_base() :
					  rdmsr(MSR_KERNEL_GS_BASE);
		arch_irq_restore(flags);
		return put_user(v, uptr);
	case ARCH_GET_CPUID:
		return 1;
	case ARCH_SET_CPUID:
		return -ENODEV;
	case ARCH_GET_XCOMP_SUPP:
	case ARCH_GET_XCOMP_PERM:
		return put_user((u64)x86_fpu_xfeatures(), (u64 __user *)addr);
	default:
		return -EINVAL;
	}
}
