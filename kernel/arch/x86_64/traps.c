/*
 * x86_64 exceptions and interrupts: the IDT and the C side of entry.S.
 *
 * An exception in kernel mode is a kernel bug: it prints the vector, the
 * error code (decoded for page faults), all registers and a symbolized
 * backtrace, then panics. A page fault or double fault on the boot stack's
 * guard page is reported as a stack overflow. Two kernel-mode faults are
 * expected: one at an instruction of the exception table (user-memory
 * access, probes), which resumes at its fixup after the VM had its chance
 * to page the address in, and one on the IRETQ to user mode, which is the
 * task's fault. Interrupts go to the generic IRQ layer.
 *
 * From user mode (x86_user_trap, at the end of this file), an exception becomes
 * a signal for the task and an interrupt is handled as in the kernel; both
 * end with the exit work of a return to user mode.
 */
#include <keel/arch.h>
#include <keel/backtrace.h>
#include <keel/errno.h>
#include <keel/irq.h>
#include <keel/ksyms.h>
#include <keel/mm_space.h>
#include <keel/panic.h>
#include <keel/printk.h>
#include <keel/rcu.h>
#include <keel/sched.h>
#include <keel/signal.h>
#include <keel/string.h>
#include <keel/task.h>
#include <asm/cpu.h>
#include <asm/layout.h>
#include <asm/x86.h>

#define X86_STUB_SIZE 16
#define IDT_ENTRIES   256
#define GATE_INTERRUPT 0x8e   /* present, DPL 0, 64-bit interrupt gate */
#define GATE_DPL3      0x60   /* INT n allowed from user mode */

#define X86_PF_PROT  (1U << 0)
#define X86_PF_WRITE (1U << 1)
#define X86_PF_USER  (1U << 2)
#define X86_PF_RSVD  (1U << 3)
#define X86_PF_INSTR (1U << 4)
#define X86_PF_PK    (1U << 5)

struct idt_gate {
	u16 offset_lo;
	u16 selector;
	u8 ist;
	u8 type_attr;
	u16 offset_mid;
	u32 offset_hi;
	u32 zero;
} __packed;

static struct idt_gate idt[IDT_ENTRIES] __aligned(16);
static unsigned long nmi_count;   /* [a] NMIs taken, not logged */

extern char x86_trap_stubs[];

static const char *const exception_names[32] = {
	[0] = "divide error",
	[1] = "debug",
	[2] = "non-maskable interrupt",
	[3] = "breakpoint",
	[4] = "overflow",
	[5] = "bound range exceeded",
	[6] = "invalid opcode",
	[7] = "device not available",
	[8] = "double fault",
	[9] = "coprocessor segment overrun",
	[10] = "invalid TSS",
	[11] = "segment not present",
	[12] = "stack-segment fault",
	[13] = "general protection fault",
	[14] = "page fault",
	[16] = "x87 floating-point error",
	[17] = "alignment check",
	[18] = "machine check",
	[19] = "SIMD floating-point exception",
	[20] = "virtualization exception",
	[21] = "control protection exception",
	[28] = "hypervisor injection exception",
	[29] = "VMM communication exception",
	[30] = "security exception",
};

static const char *const exception_mnemonics[32] = {
	[0] = "#DE", [1] = "#DB", [2] = "NMI", [3] = "#BP", [4] = "#OF",
	[5] = "#BR", [6] = "#UD", [7] = "#NM", [8] = "#DF", [10] = "#TS",
	[11] = "#NP", [12] = "#SS", [13] = "#GP", [14] = "#PF", [16] = "#MF",
	[17] = "#AC", [18] = "#MC", [19] = "#XM", [20] = "#VE", [21] = "#CP",
	[28] = "#HV", [29] = "#VC", [30] = "#SX",
};

static void idt_set(unsigned int vec, unsigned long handler, unsigned int ist)
{
	struct idt_gate *g = &idt[vec];

	g->offset_lo = handler & 0xffff;
	g->selector = GDT_KERNEL_CS;
	g->ist = ist;
	g->type_attr = GATE_INTERRUPT;
	g->offset_mid = (handler >> 16) & 0xffff;
	g->offset_hi = handler >> 32;
	g->zero = 0;
}

void x86_idt_init(void)
{
	unsigned int v;

	for (v = 0; v < IDT_ENTRIES; v++)
		idt_set(v, (unsigned long)x86_trap_stubs + v * X86_STUB_SIZE, 0);
	idt[8].ist = IST_DOUBLE_FAULT;
	idt[2].ist = IST_NMI;
	idt[18].ist = IST_MACHINE_CHECK;
	/*
	 * INT3 and INTO are the only vectors user code may raise with an
	 * INT instruction (as on Linux); any other INT n from ring 3 is a
	 * #GP, so it can never fake an interrupt or an exception.
	 */
	idt[3].type_attr |= GATE_DPL3;
	idt[4].type_attr |= GATE_DPL3;
}

void x86_idt_load(void)
{
	struct {
		u16 limit;
		u64 base;
	} __packed desc = { sizeof(idt) - 1, (u64)idt };

	__asm__ __volatile__("lidt %0" : : "m"(desc));
}

static const char *exception_name(unsigned long vec)
{
	if (vec < 32 && exception_names[vec])
		return exception_names[vec];
	return vec < 32 ? "reserved exception" : "interrupt";
}

static void dump_registers(const struct trap_frame *tf)
{
	char sym[128];

	ksym_snprint(sym, sizeof(sym), tf->rip);
	pr_emerg("RIP: %04llx:%016llx %s\n", tf->cs, tf->rip, sym);
	pr_emerg("RSP: %04llx:%016llx RFLAGS: %08llx\n", tf->ss, tf->rsp,
		 tf->rflags);
	pr_emerg("RAX: %016llx RBX: %016llx RCX: %016llx\n", tf->rax, tf->rbx,
		 tf->rcx);
	pr_emerg("RDX: %016llx RSI: %016llx RDI: %016llx\n", tf->rdx, tf->rsi,
		 tf->rdi);
	pr_emerg("RBP: %016llx R08: %016llx R09: %016llx\n", tf->rbp, tf->r8,
		 tf->r9);
	pr_emerg("R10: %016llx R11: %016llx R12: %016llx\n", tf->r10, tf->r11,
		 tf->r12);
	pr_emerg("R13: %016llx R14: %016llx R15: %016llx\n", tf->r13, tf->r14,
		 tf->r15);
	pr_emerg("CR0: %016lx CR2: %016lx CR3: %016lx CR4: %016lx\n",
		 read_cr0(), read_cr2(), read_cr3(), read_cr4());
}

static void describe_page_fault(const struct trap_frame *tf, unsigned long cr2)
{
	u64 e = tf->error_code;

	pr_emerg("CR2: %#018lx (%s, %s, %s mode, %s%s%s)\n", cr2,
		 (e & X86_PF_PROT) ? "present" : "not-present",
		 (e & X86_PF_WRITE) ? "write" : "read",
		 (e & X86_PF_USER) ? "user" : "supervisor",
		 (e & X86_PF_INSTR) ? "instruction fetch" : "data access",
		 (e & X86_PF_RSVD) ? ", reserved bit set" : "",
		 (e & X86_PF_PK) ? ", protection key" : "");
}

/* A fault at the stack guard page, or a double fault with RSP in it. */
static bool is_stack_overflow(const struct trap_frame *tf, unsigned long cr2,
			      unsigned long *lo, unsigned long *hi)
{
	if (tf->vector != 14 && tf->vector != 8)
		return false;
	return x86_in_stack_guard(cr2, lo, hi) ||
	       x86_in_stack_guard(tf->rsp, lo, hi);
}

extern const unsigned long __ex_table_start[], __ex_table_end[];
extern char x86_probe_exec_return[], x86_probe_exec_fault[];

/*
 * A kernel-mode fault we expected: an instruction listed in __ex_table
 * resumes at its fixup (#PF, and #GP for a non-canonical address, which
 * the user-access routines of uaccess.S can be handed). RFLAGS, AC
 * included, is resumed as it was: a fixup that had user access open
 * closes it itself. A failed instruction fetch by arch_probe_exec's
 * call returns from that call as if with -EFAULT.
 * Return: true if the fault was handled.
 */
static const unsigned long *extable_find(unsigned long rip)
{
	const unsigned long *e;

	for (e = __ex_table_start; e < __ex_table_end; e += 2)
		if (e[0] == rip)
			return e;
	return NULL;
}

static bool x86_fixup_fault(struct trap_frame *tf)
{
	const unsigned long *e = extable_find(tf->rip);

	if (e) {
		tf->rip = e[1];
		return true;
	}
	if (tf->vector == 14 && (tf->error_code & X86_PF_INSTR) &&
	    tf->rip == read_cr2() &&
	    *(unsigned long *)tf->rsp == (unsigned long)x86_probe_exec_return) {
		tf->rsp += 8;
		tf->rip = (unsigned long)x86_probe_exec_fault;
		return true;
	}
	return false;
}

static __noreturn void die(const struct trap_frame *tf)
{
	unsigned long cr2 = read_cr2(), lo, hi;
	const char *name = exception_name(tf->vector);
	const char *mn = tf->vector < 32 ? exception_mnemonics[tf->vector] : NULL;

	panic_begin();
	if (is_stack_overflow(tf, cr2, &lo, &hi)) {
		pr_emerg("BUG: kernel stack overflow: RSP %#llx below the stack "
			 "[%#lx-%#lx)\n", tf->rsp, lo, hi);
		name = "stack overflow";
	}
	pr_emerg("Oops: %s (%s, vector %llu), error code %#llx on CPU%u\n",
		 exception_name(tf->vector), mn ? mn : "-", tf->vector,
		 tf->error_code, arch_cpu_id());
	if (tf->vector == 14)
		describe_page_fault(tf, cr2);
	dump_registers(tf);
	backtrace_print(tf->rip, tf->rbp);
	panic_finish(name);
}

/*
 * A hardware interrupt or IPI (vectors 32-255). Device lines go to the
 * generic IRQ layer; the end-of-interrupt goes to whichever controller
 * delivered the vector. The spurious vector needs no EOI.
 */
static void x86_interrupt(u64 vector)
{
	if (vector >= IRQ_VECTOR_BASE && vector < IRQ_VECTOR_BASE + NR_IRQS) {
		unsigned int irq = vector - IRQ_VECTOR_BASE;

		irq_dispatch(irq);
		if (x86_irq_uses_pic())
			x86_pic_eoi(irq);
		else
			apic_eoi();
		return;
	}
	switch (vector) {
	case VECTOR_TIMER:
		apic_timer_interrupt();
		return;
	case VECTOR_IPI_CALL:
		x86_ipi_call_interrupt();
		return;
	case VECTOR_IPI_RESCHED:
		x86_ipi_resched_interrupt();
		return;
	case VECTOR_APIC_ERROR:
		pr_warn("apic: error interrupt on CPU%u\n", arch_cpu_id());
		apic_eoi();
		return;
	case VECTOR_SPURIOUS:
		irq_note_spurious();
		return;
	default:
		irq_note_spurious();
		pr_warn("unexpected interrupt on vector %llu, ignored\n", vector);
		if (apic_available())
			apic_eoi();
	}
}

/* An interrupt vector (32-255), from kernel or user mode. */
static void x86_handle_interrupt(u64 vector)
{
	irq_enter();
	rcu_irq_enter();        /* an idle CPU leaves RCU's quiescent state */
	x86_interrupt(vector);
	rcu_irq_exit();
	irq_exit();
}

static __noreturn void x86_bad_iret(struct trap_frame *tf);

/*
 * A kernel-mode page fault inside a user-memory access (an exception-table
 * instruction) on a user address: let the VM resolve it (demand paging,
 * copy-on-write, stack growth) when the interrupted code may sleep. Only
 * if it cannot does the fixup turn the access into -EFAULT.
 * Return: true when the access should simply be retried.
 */
static bool uaccess_fault_resolved(struct trap_frame *tf)
{
	unsigned long cr2 = read_cr2();
	struct task *task = current ? current->task : NULL;
	unsigned int flags = 0;
	int err;

	if (cr2 >= USER_TOP || !task || !task->mm || !extable_find(tf->rip))
		return false;
	/* Atomic context (a lock, no preemption, interrupts off): no paging. */
	if (preempt_count() || !(tf->rflags & X86_RFLAGS_IF))
		return false;
	if (tf->error_code & X86_PF_WRITE)
		flags |= MM_FAULT_WRITE;
	if (tf->error_code & X86_PF_PROT)
		flags |= MM_FAULT_PRESENT;
	arch_irq_enable();
	err = mm_handle_fault(task->mm, cr2, flags);
	arch_irq_disable();
	return err == 0;
}

/* Called from entry.S for every vector. */
void x86_trap(struct trap_frame *tf)
{
	/*
	 * The interrupted code may have had user access open (a user copy
	 * in progress: RFLAGS.AC set; or user code with AC set for
	 * alignment checks), and the CPU does not clear AC on entry. Close
	 * it, so handlers and any thread switched to from here run under
	 * SMAP; IRETQ restores the interrupted AC from the frame.
	 */
	if (x86_smap_enabled)
		__asm__ __volatile__("clac" ::: "memory");
	if (tf->vector == 2) {
		/* Another CPU panicked and stopped us (arch_stop_other_cpus). */
		if (panic_in_progress())
			arch_halt_forever();
		/* printk is not NMI-safe (the NMI may interrupt log_lock's holder). */
		__atomic_fetch_add(&nmi_count, 1, __ATOMIC_RELAXED);
		return;
	}
	if (tf->vector == 8 || tf->vector == 18)
		die(tf);
	if (x86_frame_user(tf)) {
		x86_user_trap(tf);
		return;
	}
	if (tf->rip == (unsigned long)x86_iret_to_user && tf->vector < 32)
		x86_bad_iret(tf);
	/*
	 * A page fault on a user address from a user-access routine goes to
	 * the VM fault handler first, and only a fault it cannot resolve
	 * reaches the exception table, which turns it into -EFAULT for the
	 * kernel caller. A kernel-mode fault on a user address from an
	 * instruction with no __ex_table entry is a kernel bug (a stray
	 * pointer, an SMAP violation): it oopses, it is never paged in.
	 */
	if (tf->vector == 14 && uaccess_fault_resolved(tf))
		return;
	if ((tf->vector == 14 || tf->vector == 13) && x86_fixup_fault(tf))
		return;
	if (tf->vector < 32)
		die(tf);
	x86_handle_interrupt(tf->vector);
	/*
	 * Kernel preemption: back to code that had interrupts on and no
	 * preemption disabled, with a reschedule due (a wake-up, the slice
	 * timer, a reschedule IPI), switch now. The frame stays on this
	 * thread's stack until it is switched back to.
	 */
	if ((tf->rflags & X86_RFLAGS_IF) && !preempt_count() && need_resched())
		preempt_schedule_irq();
}


/* ---- faults from user mode ------------------------------------------------ */

/* Linux si_code values signal.h does not name (yet). */
#define X86_FPE_FLTOVF  4
#define X86_FPE_FLTUND  5
#define X86_FPE_FLTRES  6
#define X86_TRAP_HWBKPT 4
#define X86_DR6_RESERVED 0xffff0ff0UL
#define X86_DR6_STEP    (1UL << 14)
#define X86_DR6_TRAPS   0xfUL

/*
 * The si_code of an x87 (#MF) or SIMD (#XM) exception, from the live
 * registers (they are the task's: the FPU switch is eager), as Linux's
 * fpu__exception_code: an unmasked exception flag, first match wins.
 * 0 means spurious (no signal). Context: interrupts off.
 */
static int fpu_exception_code(u64 vector)
{
	unsigned int err;

	if (vector == 16) {
		u16 cwd, swd;

		__asm__ __volatile__("fnstcw %0; fnstsw %1"
				     : "=m"(cwd), "=m"(swd));
		err = swd & ~cwd;
	} else {
		u32 mxcsr;

		__asm__ __volatile__("stmxcsr %0" : "=m"(mxcsr));
		err = ~(mxcsr >> 7) & mxcsr;
	}
	if (err & 0x001)
		return FPE_FLTINV;
	if (err & 0x004)
		return FPE_FLTDIV;
	if (err & 0x008)
		return X86_FPE_FLTOVF;
	if (err & 0x012)
		return X86_FPE_FLTUND;
	if (err & 0x020)
		return X86_FPE_FLTRES;
	return 0;
}

/* #DB: single step, a hardware breakpoint, or ICEBP (INT1). */
static int debug_code(void)
{
	unsigned long dr6;

	__asm__ __volatile__("mov %%dr6, %0" : "=r"(dr6));
	__asm__ __volatile__("mov %0, %%dr6" : : "r"(X86_DR6_RESERVED));
	dr6 ^= X86_DR6_RESERVED;
	if (dr6 & X86_DR6_STEP)
		return TRAP_TRACE;
	if (dr6 & X86_DR6_TRAPS)
		return X86_TRAP_HWBKPT;
	return TRAP_BRKPT;
}

/*
 * A user page fault: the VM first; what it cannot resolve is a signal.
 * -ENOMEM kills the task (Linux would run the OOM killer; Keel has none,
 * and retrying would loop): SIGKILL cannot be caught, so force_sig_fault
 * with it ends the task.
 */
static void user_page_fault(struct trap_frame *tf, unsigned long cr2)
{
	struct task *task = current->task;
	unsigned int flags = MM_FAULT_USER;
	u64 e = tf->error_code;
	int err = -EFAULT;

	if (e & X86_PF_RSVD) {
		pr_err("x86: reserved bit in a page table at %#lx (pid %d)\n",
		       cr2, task->tid);
		force_sig_fault(SIGKILL, SI_KERNEL, 0, 14);
		return;
	}
	if (e & X86_PF_WRITE)
		flags |= MM_FAULT_WRITE;
	if (e & X86_PF_INSTR)
		flags |= MM_FAULT_EXEC;
	if (e & X86_PF_PROT)
		flags |= MM_FAULT_PRESENT;
	if (cr2 < USER_TOP && task->mm)
		err = mm_handle_fault(task->mm, cr2, flags);
	switch (err) {
	case 0:
		return;
	case -EACCES:
		force_sig_fault(SIGSEGV, SEGV_ACCERR, cr2, 14);
		return;
	case -EIO:
		force_sig_fault(SIGBUS, BUS_ADRERR, cr2, 14);
		return;
	case -ENOMEM:
		force_sig_fault(SIGKILL, SI_KERNEL, 0, 14);
		return;
	default:
		force_sig_fault(SIGSEGV, SEGV_MAPERR, cr2, 14);
	}
}

/*
 * An exception from user mode, as Linux's x86 traps report it: the signal,
 * its si_code, and si_addr (the faulting instruction for #DE/#UD/#DB/FPU
 * errors, CR2 for page faults, 0 where Linux sends a plain force_sig).
 * Context: interrupts off on entry (CR2, DR6 and the FPU status are read
 * first), on when the signal is queued.
 */
static void user_exception(struct trap_frame *tf)
{
	u64 v = tf->vector;
	unsigned long cr2 = v == 14 ? read_cr2() : 0;
	int code = 0;

	if (v == 16 || v == 19)
		code = fpu_exception_code(v);
	else if (v == 1)
		code = debug_code();
	if (!current->task)
		x86_kthread_user_end(tf, cr2);
	arch_irq_enable();
	switch (v) {
	case 0:
		force_sig_fault(SIGFPE, FPE_INTDIV, tf->rip, v);
		break;
	case 1:
		force_sig_fault(SIGTRAP, code, tf->rip, v);
		break;
	case 3:
		force_sig_fault(SIGTRAP, SI_KERNEL, 0, v);
		break;
	case 6:
		force_sig_fault(SIGILL, ILL_ILLOPN, tf->rip, v);
		break;
	case 9:
		force_sig_fault(SIGFPE, SI_KERNEL, 0, v);
		break;
	case 11:        /* #NP */
	case 12:        /* #SS */
		force_sig_fault(SIGBUS, SI_KERNEL, 0, v);
		break;
	case 14:
		user_page_fault(tf, cr2);
		break;
	case 16:
	case 19:
		if (code)       /* else spurious: just resume */
			force_sig_fault(SIGFPE, code, tf->rip, v);
		break;
	case 17:
		force_sig_fault(SIGBUS, BUS_ADRALN, 0, v);
		break;
	default:
		/* #OF/#BR (INT 4), #TS, #GP, and anything unexpected. */
		if (v != 4 && v != 5 && v != 10 && v != 13)
			pr_warn("x86: %s (vector %llu) from user mode at %#llx\n",
				exception_name(v), v, tf->rip);
		force_sig_fault(SIGSEGV, SI_KERNEL, 0, v);
	}
}

/*
 * x86_user_trap - an interrupt or exception that came from user mode
 * (entry.S did the SWAPGS). Returns with interrupts off, ready for the
 * IRETQ to user mode.
 */
void x86_user_trap(struct trap_frame *tf)
{
	if (current->task)
		cputime_from_user(&current->task->cputime);
	if (tf->vector >= 32)
		x86_handle_interrupt(tf->vector);
	else
		user_exception(tf);
	x86_exit_to_user(tf);
}

/*
 * x86_bad_iret - the IRETQ to user mode faulted (#GP for a non-canonical
 * RIP, for instance, after a sigreturn set one). The CPU pushed this
 * kernel-mode frame @tf right below the IRET frame of the task's user
 * registers, and the general registers in @tf are already the user's:
 * rebuild the user frame from both, and treat the fault as the task's
 * own, as Linux's fixup_bad_iret does. The user frame is above @tf, so
 * the copy moves the registers up, and nothing below survives.
 */
static __noreturn void x86_bad_iret(struct trap_frame *tf)
{
	struct trap_frame *u = &arch_user_regs(current)->tf;
	u64 vector = tf->vector, error = tf->error_code;

	memmove(u, tf, __builtin_offsetof(struct trap_frame, vector));
	u->vector = vector;
	u->error_code = error;
	user_exception(u);
	x86_exit_to_user(u);
	x86_iret_to_user_frame(u);
}
