/*
 * x86_64-internal interfaces between the files under kernel/arch/x86_64/.
 * Generic code never includes this.
 */
#ifndef ASM_X86_H
#define ASM_X86_H

#include <keel/compiler.h>
#include <keel/types.h>

/* Segment selectors; the order is the one SYSCALL/SYSRET require. */
#define GDT_KERNEL_CS   0x08
#define GDT_KERNEL_DS   0x10
#define GDT_USER32_CS   0x18
#define GDT_USER_DS     0x20
#define GDT_USER_CS     0x28
#define GDT_TSS         0x30   /* 16 bytes: two slots */
#define GDT_ENTRIES     8

/* IST slots in the TSS (1-based as the IDT encodes them). */
#define IST_DOUBLE_FAULT 1
#define IST_NMI          2
#define IST_MACHINE_CHECK 3
#define IST_COUNT        3

struct x86_tss {
	u32 reserved0;
	u64 rsp[3];
	u64 reserved1;
	u64 ist[7];
	u64 reserved2;
	u16 reserved3;
	u16 iomap_base;
} __packed;

/*
 * struct trap_frame - the registers saved by the interrupt entry stubs
 * (entry.S pushes them in the reverse of this order), then what the CPU
 * pushed. The layout is shared with entry.S.
 */
struct trap_frame {
	u64 r15, r14, r13, r12, r11, r10, r9, r8;
	u64 rbp, rdi, rsi, rdx, rcx, rbx, rax;
	u64 vector;
	u64 error_code;   /* 0 when the CPU pushes none */
	u64 rip, cs, rflags, rsp, ss;
};

/*
 * struct x86_percpu - per-CPU state reached through the GS base.
 * [I] set once when the CPU comes up, then read-only; [o] owner CPU only.
 */
struct x86_percpu {
	struct x86_percpu *self;        /* [I] for %gs:0 loads */
	unsigned int cpu_id;            /* [I] */
	/*
	 * Scheduler state reached with single %gs-relative instructions
	 * (asm/arch_inline.h), so reading or changing it cannot be split by
	 * a migration; offsets are fixed there (X86_PERCPU_*).
	 */
	int preempt_count;              /* [o] */
	void *cur_thread;               /* [o] the running thread */
	u32 need_resched;               /* [o] */
	struct x86_tss tss __aligned(16);   /* [o] */
	u64 gdt[GDT_ENTRIES];           /* [o] */
	unsigned long ist_lo[IST_COUNT];    /* [I] IST stack bounds for unwinding */
	unsigned long ist_hi[IST_COUNT];    /* [I] */
	u32 apic_id;                    /* [I] */
	unsigned long boot_stack_lo;    /* [I] APs: the stack they started on */
	unsigned long boot_stack_hi;    /* [I] */
};

/*
 * Interrupt vectors. 0-31 exceptions; device lines (IRQ n) at
 * IRQ_VECTOR_BASE + n; the rest for the LAPIC itself and IPIs.
 */
#define IRQ_VECTOR_BASE      0x30
#define VECTOR_TIMER         0xec
#define VECTOR_IPI_RESCHED   0xed
#define VECTOR_IPI_CALL      0xee
#define VECTOR_APIC_ERROR    0xfe
#define VECTOR_SPURIOUS      0xff

/* Local APIC (apic.c). */
void apic_init_bsp(void);
void apic_init_ap(void);
void apic_enable_extint(void);
u32 apic_id(void);
void apic_eoi(void);
void apic_send_ipi(u32 apic_id, u8 vector);
void apic_send_init(u32 apic_id);
void apic_send_init_sipi(u32 apic_id, u8 start_page);
bool apic_available(void);
void apic_timer_init_cpu(void);
void apic_timer_interrupt(void);

/* IOAPIC / legacy PIC routing (ioapic.c). */
void ioapic_init(void);
int ioapic_route(unsigned int irq, bool unmask);
void x86_pic_eoi(unsigned int irq);
bool x86_irq_uses_pic(void);

/* SMP (smp.c). */
void x86_smp_init(void);
void x86_ipi_call_interrupt(void);
void x86_ipi_resched_interrupt(void);
struct x86_percpu *x86_percpu_of(unsigned int cpu);
void x86_cpu_setup_ap(struct x86_percpu *pc);

void x86_early_console_init(void);
void x86_cpu_early_init(void);
void x86_cpu_init_bsp(void);
void x86_tsc_init(void);
u64 x86_tsc_khz(void);
/* PIT (pit.c): TSC calibration and the last-resort clock source. */
u64 x86_pit_calibrate_tsc(unsigned int ms);
void x86_pit_clocksource_init(void);
void x86_idt_init(void);
void x86_idt_load(void);
__noreturn void x86_boot_fail(const char *why);
void x86_trap(struct trap_frame *tf);
struct x86_percpu *x86_this_cpu(void);
bool x86_stack_bounds(unsigned long addr, unsigned long *lo, unsigned long *hi);
bool x86_in_stack_guard(unsigned long addr, unsigned long *stack_lo,
			unsigned long *stack_hi);

/*
 * SMAP is on (CR4.SMAP, set by the boot CPU before anything else runs):
 * the user-access routines (uaccess.S) and kernel entry (x86_trap) execute
 * STAC/CLAC only then, since CPUs without SMAP lack the instructions.
 */
extern bool x86_smap_enabled;

/* Boot stack and its guard page (boot/head.S). */
extern char boot_stack_guard[], boot_stack_bottom[], boot_stack_top[];

#endif /* ASM_X86_H */
