/*
 * x86_64 CPU set-up: per-CPU area (GS base), GDT with a TSS (and its I/O
 * bitmap) and IST stacks, control-register features, the FPU, the SYSCALL
 * MSRs, and CPU identification. Every CPU runs the same set-up (the boot
 * CPU from static storage, the others from smp.c's allocations), so user
 * code sees the same machine wherever it is scheduled.
 */
#include <keel/arch.h>
#include <keel/printk.h>
#include <keel/sprintf.h>
#include <keel/string.h>
#include <keel/vm.h>
#include <asm/cpu.h>
#include <asm/fpu.h>
#include <asm/layout.h>
#include <asm/x86.h>

STATIC_ASSERT(__builtin_offsetof(struct x86_percpu, preempt_count) ==
	      X86_PERCPU_PREEMPT_COUNT, "asm/arch_inline.h offsets");
STATIC_ASSERT(__builtin_offsetof(struct x86_percpu, cur_thread) ==
	      X86_PERCPU_CURRENT, "asm/arch_inline.h offsets");
STATIC_ASSERT(__builtin_offsetof(struct x86_percpu, need_resched) ==
	      X86_PERCPU_NEED_RESCHED, "asm/arch_inline.h offsets");
STATIC_ASSERT(__builtin_offsetof(struct x86_percpu, scratch_rsp) ==
	      X86_PERCPU_SCRATCH_RSP, "asm/x86.h offsets");
STATIC_ASSERT(__builtin_offsetof(struct x86_percpu, kstack_top) ==
	      X86_PERCPU_KSTACK_TOP, "asm/x86.h offsets");
STATIC_ASSERT(__builtin_offsetof(struct x86_percpu, gdt) ==
	      X86_PERCPU_GDT, "asm/x86.h offsets");
STATIC_ASSERT(sizeof(struct x86_tss) == 104, "the TSS is 104 bytes");

extern char x86_syscall_entry[], x86_syscall32_ignore[];

static struct x86_percpu bsp_percpu;
bool x86_smap_enabled;          /* [I] after the boot CPU's set-up */
static u8 bsp_ist_stacks[IST_COUNT][IST_STACK_SIZE] __aligned(16);

struct x86_percpu *x86_this_cpu(void)
{
	struct x86_percpu *p;

	__asm__ __volatile__("movq %%gs:0, %0" : "=r"(p));
	return p;
}

unsigned int arch_cpu_id(void)
{
	unsigned int id;

	/* Before the GS base is set (very early boot) this reads 0 from GS:8. */
	__asm__ __volatile__("movl %%gs:%c1, %0"
			     : "=r"(id)
			     : "i"(__builtin_offsetof(struct x86_percpu, cpu_id)));
	return id;
}

/* Early: make %gs point at the boot CPU's area so printk can name the CPU. */
void x86_cpu_early_init(void)
{
	bsp_percpu.self = &bsp_percpu;
	bsp_percpu.cpu_id = 0;
	wrmsr(MSR_GS_BASE, (u64)&bsp_percpu);
}

static u64 gdt_code_data(bool code, unsigned int dpl, bool long_mode)
{
	u64 d = 0xffffULL | (0xfULL << 48);           /* limit 0xfffff */

	d |= (1ULL << 44) | (1ULL << 47);             /* S, P */
	d |= (u64)dpl << 45;
	d |= 1ULL << 41;                              /* R/W */
	d |= 1ULL << 55;                              /* G */
	if (code) {
		d |= 1ULL << 43;
		d |= long_mode ? (1ULL << 53) : (1ULL << 54);  /* L or D */
	} else {
		d |= 1ULL << 54;                      /* B */
	}
	return d;
}

/* The limit covers the I/O bitmap and its terminating byte (ioperm.c). */
static void gdt_set_tss(u64 *gdt, struct x86_tss_area *tss)
{
	u64 base = (u64)tss, limit = sizeof(*tss) - 1;

	gdt[GDT_TSS / 8] = (limit & 0xffff) | ((base & 0xffffff) << 16) |
			   (0x89ULL << 40) |          /* present, 64-bit TSS */
			   (((limit >> 16) & 0xf) << 48) |
			   (((base >> 24) & 0xff) << 56);
	gdt[GDT_TSS / 8 + 1] = base >> 32;
}

static void gdt_load(struct x86_percpu *pc)
{
	struct {
		u16 limit;
		u64 base;
	} __packed desc = { sizeof(pc->gdt) - 1, (u64)pc->gdt };

	__asm__ __volatile__(
		"lgdt %0\n\t"
		"movl %2, %%eax\n\t"
		"movl %%eax, %%ds\n\t"
		"movl %%eax, %%es\n\t"
		"movl %%eax, %%ss\n\t"
		"pushq %1\n\t"
		"leaq 1f(%%rip), %%rax\n\t"
		"pushq %%rax\n\t"
		"lretq\n"
		"1:\n\t"
		"ltr %w3"
		:
		: "m"(desc), "i"(GDT_KERNEL_CS), "i"(GDT_KERNEL_DS), "r"(GDT_TSS)
		: "rax", "memory");
}

static void cpu_setup_gdt(struct x86_percpu *pc, void *const ist[IST_COUNT])
{
	int i;

	pc->gdt[0] = 0;
	pc->gdt[GDT_KERNEL_CS / 8] = gdt_code_data(true, 0, true);
	pc->gdt[GDT_KERNEL_DS / 8] = gdt_code_data(false, 0, false);
	pc->gdt[GDT_USER32_CS / 8] = gdt_code_data(true, 3, false);
	pc->gdt[GDT_USER_DS / 8] = gdt_code_data(false, 3, false);
	pc->gdt[GDT_USER_CS / 8] = gdt_code_data(true, 3, true);
	for (i = 0; i < IST_COUNT; i++) {
		pc->ist_lo[i] = (unsigned long)ist[i];
		pc->ist_hi[i] = (unsigned long)ist[i] + IST_STACK_SIZE;
		pc->tss.hw.ist[i] = pc->ist_hi[i];   /* IST n is ist[n - 1] */
	}
	/* No port access until a task with ioperm() runs here. */
	memset(pc->tss.io_bitmap, 0xff, sizeof(pc->tss.io_bitmap));
	pc->tss.hw.iomap_base = X86_IOMAP_INVALID;
	pc->io_bitmap_seq = 0;
	pc->io_bitmap_max = 0;
	gdt_set_tss(pc->gdt, &pc->tss);
	gdt_load(pc);
}

static bool cpu_has(u32 leaf, char reg, unsigned int bit)
{
	u32 r[4], max;

	cpuid(leaf & 0x80000000, &max, &r[1], &r[2], &r[3]);
	if (max < leaf)
		return false;
	cpuid_count(leaf, 0, &r[0], &r[1], &r[2], &r[3]);
	return r[reg - 'a'] & (1U << bit);
}

unsigned int x86_tsc_aux_reader(void)
{
	if (cpu_has(7, 'c', X86_FEAT_7_ECX_RDPID))
		return 1;
	if (cpu_has(0x80000001, 'd', X86_FEAT_81_EDX_RDTSCP))
		return 2;
	return 0;
}

/*
 * Turn on the protection features the CPU has (W^X needs NX, set in
 * head.S), alignment checking for user code that asks for it (CR0.AM, as
 * Linux), and FSGSBASE (user code may then use RD/WRFSBASE as on Linux;
 * the entry code never trusts the GS base user code leaves, see entry.S).
 */
static void cpu_enable_features(void)
{
	unsigned long cr4 = read_cr4();

	write_cr0(read_cr0() | X86_CR0_WP | X86_CR0_AM);
	cr4 |= X86_CR4_PGE;
	if (cpu_has(7, 'b', X86_FEAT_7_EBX_FSGSBASE)) {
		cr4 |= X86_CR4_FSGSBASE;
		x86_fsgsbase_enabled = true;
	}
	if (cpu_has(7, 'b', X86_FEAT_7_EBX_SMEP))
		cr4 |= X86_CR4_SMEP;
	if (cpu_has(7, 'b', X86_FEAT_7_EBX_SMAP)) {
		cr4 |= X86_CR4_SMAP;
		x86_smap_enabled = true;
	}
	if (cpu_has(7, 'c', X86_FEAT_7_ECX_UMIP))
		cr4 |= X86_CR4_UMIP;
	write_cr4(cr4);
	/* The vDSO's getcpu reads it: Linux's value, node << 12 | cpu. */
	if (x86_tsc_aux_reader())
		wrmsr(MSR_TSC_AUX, arch_cpu_id());
	x86_fpu_init_cpu();
	x86_syscall_init_cpu();
}

/*
 * x86_syscall_init_cpu - SYSCALL/SYSRET on this CPU. STAR holds the kernel
 * CS (SS = CS + 8) for SYSCALL, and the base SYSRET adds to (USER32_CS:
 * SS = base + 8, 64-bit CS = base + 16), which asm/x86.h's GDT order
 * satisfies. The mask clears on entry what Linux clears: interrupts, TF
 * (no single step into the kernel), DF, AC (SMAP), NT, IOPL, RF, ID and
 * the arithmetic flags. SYSENTER is disabled (CS 0: #GP from user mode).
 */
void x86_syscall_init_cpu(void)
{
	wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_SCE);
	wrmsr(MSR_STAR, ((u64)GDT_USER32_CS << 48) | ((u64)GDT_KERNEL_CS << 32));
	wrmsr(MSR_LSTAR, (u64)x86_syscall_entry);
	wrmsr(MSR_CSTAR, (u64)x86_syscall32_ignore);
	wrmsr(MSR_SYSCALL_MASK,
	      X86_RFLAGS_CF | X86_RFLAGS_PF | X86_RFLAGS_AF | X86_RFLAGS_ZF |
	      X86_RFLAGS_SF | X86_RFLAGS_TF | X86_RFLAGS_IF | X86_RFLAGS_DF |
	      X86_RFLAGS_OF | X86_RFLAGS_IOPL | X86_RFLAGS_NT | X86_RFLAGS_RF |
	      X86_RFLAGS_AC | X86_RFLAGS_ID);
	wrmsr(MSR_SYSENTER_CS, 0);
	wrmsr(MSR_SYSENTER_ESP, 0);
	wrmsr(MSR_SYSENTER_EIP, 0);
	wrmsr(MSR_KERNEL_GS_BASE, 0);
}

/* Full set-up of the boot CPU: GDT/TSS, IDT, features, stack guard. */
void x86_cpu_init_bsp(void)
{
	void *ist[IST_COUNT];
	int i;

	for (i = 0; i < IST_COUNT; i++)
		ist[i] = bsp_ist_stacks[i];
	cpu_setup_gdt(&bsp_percpu, ist);
	x86_idt_init();
	x86_idt_load();
	cpu_enable_features();
}

/*
 * Set up an application processor like the boot CPU: per-CPU area in GS,
 * GDT and TSS with guarded IST stacks, the shared IDT, protections.
 * A missing IST stack (no memory) leaves that IST on the AP's boot stack
 * rather than failing: double faults then still have a stack.
 */
void x86_cpu_setup_ap(struct x86_percpu *pc)
{
	void *ist[IST_COUNT];
	int i;

	wrmsr(MSR_GS_BASE, (u64)pc);
	for (i = 0; i < IST_COUNT; i++) {
		ist[i] = kstack_alloc(IST_STACK_SIZE);
		if (!ist[i])
			ist[i] = (void *)(pc->boot_stack_hi - IST_STACK_SIZE);
	}
	cpu_setup_gdt(pc, ist);
	x86_idt_load();
	cpu_enable_features();
}

bool x86_stack_bounds(unsigned long addr, unsigned long *lo, unsigned long *hi)
{
	struct x86_percpu *pc = x86_this_cpu();
	int i;

	if (vm_stack_bounds(addr, lo, hi))
		return true;
	if (addr >= (unsigned long)boot_stack_bottom &&
	    addr < (unsigned long)boot_stack_top) {
		*lo = (unsigned long)boot_stack_bottom;
		*hi = (unsigned long)boot_stack_top;
		return true;
	}
	for (i = 0; pc && i < IST_COUNT; i++) {
		if (addr >= pc->ist_lo[i] && addr < pc->ist_hi[i]) {
			*lo = pc->ist_lo[i];
			*hi = pc->ist_hi[i];
			return true;
		}
	}
	return false;
}

bool x86_in_stack_guard(unsigned long addr, unsigned long *stack_lo,
			unsigned long *stack_hi)
{
	unsigned long g = (unsigned long)boot_stack_guard;

	if (vm_stack_guard_hit(addr, stack_lo, stack_hi))
		return true;
	if (addr >= g && addr < g + X86_PAGE_SIZE) {
		*stack_lo = (unsigned long)boot_stack_bottom;
		*stack_hi = (unsigned long)boot_stack_top;
		return true;
	}
	return false;
}

void x86_cpu_brand(char *buf, size_t size)
{
	u32 r[13], max;
	char *s;
	int i;

	cpuid(0x80000000, &max, &r[0], &r[1], &r[2]);
	if (max < 0x80000004) {
		strlcpy(buf, "unknown model", size);
		return;
	}
	for (i = 0; i < 3; i++)
		cpuid(0x80000002 + i, &r[4 * i], &r[4 * i + 1], &r[4 * i + 2],
		      &r[4 * i + 3]);
	s = (char *)r;
	s[48] = '\0';
	while (*s == ' ')
		s++;
	strlcpy(buf, s, size);
}

void x86_cpu_ident(struct x86_cpu_ident *id)
{
	u32 max, sig, b, c, d;

	cpuid(0, &max, &id->vendor[0], &id->vendor[2], &id->vendor[1]);
	id->vendor[3] = 0;
	cpuid(1, &sig, &b, &c, &d);
	id->family = (sig >> 8) & 0xf;
	id->model = (sig >> 4) & 0xf;
	if (id->family == 0xf)
		id->family += (sig >> 20) & 0xff;
	if (id->family == 0x6 || id->family >= 0xf)
		id->model |= ((sig >> 16) & 0xf) << 4;
	id->stepping = sig & 0xf;
}

void arch_cpu_describe(char *buf, size_t size)
{
	struct x86_cpu_ident id;
	char brand[49];

	x86_cpu_ident(&id);
	x86_cpu_brand(brand, sizeof(brand));
	snprintf(buf, size, "%s %s (family %#x model %#x stepping %u)",
		 (char *)id.vendor, brand, id.family, id.model, id.stepping);
}

/*
 * The first frame of a new thread, popped by arch_context_switch
 * (switch.S): six callee-saved registers, then the return address
 * x86_thread_start, placed so that RSP is 16-byte aligned at its first
 * instruction, as at any function's call site.
 */
extern char x86_thread_start[];

unsigned long arch_thread_init_stack(void *stack_top, void (*entry)(void *),
				     void *arg)
{
	unsigned long *sp = (unsigned long *)((unsigned long)stack_top & ~15UL);

	*--sp = 0;                              /* padding */
	*--sp = 0;                              /* end of the frame chain */
	*--sp = (unsigned long)x86_thread_start;
	*--sp = 0;                              /* rbp */
	*--sp = 0;                              /* rbx */
	*--sp = (unsigned long)entry;           /* r12 */
	*--sp = (unsigned long)arg;             /* r13 */
	*--sp = 0;                              /* r14 */
	*--sp = 0;                              /* r15 */
	return (unsigned long)sp;
}
