/*
 * x86_64 exceptions and interrupts: the IDT and the C side of entry.S.
 *
 * An exception in kernel mode is a kernel bug: it prints the vector, the
 * error code (decoded for page faults), all registers and a symbolized
 * backtrace, then panics. A page fault or double fault on the boot stack's
 * guard page is reported as a stack overflow. Interrupt vectors have no
 * handlers until the interrupts issue; one arriving is counted and logged,
 * never fatal.
 */
#include <keel/arch.h>
#include <keel/backtrace.h>
#include <keel/irq.h>
#include <keel/ksyms.h>
#include <keel/panic.h>
#include <keel/printk.h>
#include <keel/rcu.h>
#include <keel/sched.h>
#include <asm/cpu.h>
#include <asm/x86.h>

#define X86_STUB_SIZE 16
#define IDT_ENTRIES   256
#define GATE_INTERRUPT 0x8e   /* present, DPL 0, 64-bit interrupt gate */

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
static bool x86_fixup_fault(struct trap_frame *tf)
{
	const unsigned long *e;

	for (e = __ex_table_start; e < __ex_table_end; e += 2) {
		if (e[0] == tf->rip) {
			tf->rip = e[1];
			return true;
		}
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

/* Called from entry.S for every vector. */
void x86_trap(struct trap_frame *tf)
{
	/*
	 * The interrupted code may have had user access open (a user copy
	 * in progress: RFLAGS.AC set), and the CPU does not clear AC on
	 * entry. Close it, so handlers and any thread switched to from here
	 * run under SMAP; IRETQ restores the interrupted AC from the frame.
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
	/*
	 * Hook for user processes: a page fault on a user address (from user
	 * mode, or from a user-access routine in uaccess.S) goes to the VM
	 * fault handler first (demand paging, copy-on-write, stack growth),
	 * and only a fault it cannot resolve reaches the exception table,
	 * which turns it into -EFAULT for the kernel caller (a user-mode
	 * fault becomes SIGSEGV instead and must never consult the table).
	 * A kernel-mode fault on a user address from an instruction with no
	 * __ex_table entry is a kernel bug (a stray pointer, an SMAP
	 * violation): it must oops, not be paged in. The handler may sleep:
	 * interrupts are then re-enabled and AC is already clear (above).
	 * There is no such handler yet, so every fault in a user access is
	 * final.
	 */
	if ((tf->vector == 14 || tf->vector == 13) && x86_fixup_fault(tf))
		return;
	if (tf->vector < 32)
		die(tf);
	irq_enter();
	rcu_irq_enter();        /* an idle CPU leaves RCU's quiescent state */
	x86_interrupt(tf->vector);
	rcu_irq_exit();
	irq_exit();
	/*
	 * Kernel preemption: back to code that had interrupts on and no
	 * preemption disabled, with a reschedule due (a wake-up, the slice
	 * timer, a reschedule IPI), switch now. The frame stays on this
	 * thread's stack until it is switched back to.
	 */
	if ((tf->rflags & X86_RFLAGS_IF) && !preempt_count() && need_resched())
		preempt_schedule_irq();
}
