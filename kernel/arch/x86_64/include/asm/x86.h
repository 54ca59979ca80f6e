/*
 * x86_64-internal interfaces between the files under kernel/arch/x86_64/.
 * Generic code never includes this.
 */
#ifndef ASM_X86_H
#define ASM_X86_H

/* ---- constants shared with assembly -------------------------------------- */

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

/*
 * struct trap_frame.vector of a frame built by the SYSCALL entry (outside
 * 0-255, so it never names a hardware vector). Its error_code slot then
 * holds the system-call number the task entered with (zero-extended EAX,
 * Linux's orig_ax), or X86_NO_SYSCALL once restart must not happen.
 */
#define X86_VECTOR_SYSCALL 0x100
#define X86_NO_SYSCALL     (-1)

/*
 * Offsets in struct x86_percpu used by the entry code (%gs-relative);
 * cpu.c checks them against the structure.
 */
#define X86_PERCPU_SCRATCH_RSP 32
#define X86_PERCPU_KSTACK_TOP  40
#define X86_PERCPU_GDT         72

/* Byte offsets in struct trap_frame, for entry.S and syscall.S. */
#define TF_R11    (4 * 8)
#define TF_RCX    (12 * 8)
#define TF_RAX    (14 * 8)
#define TF_VECTOR (15 * 8)
#define TF_ERROR  (16 * 8)
#define TF_RIP    (17 * 8)
#define TF_CS     (18 * 8)
#define TF_RFLAGS (19 * 8)
#define TF_RSP    (20 * 8)
#define TF_SS     (21 * 8)
#define TF_SIZE   (22 * 8)

/* I/O permission bitmap (ioperm): one bit per port, 0 = allowed. */
#define IO_BITMAP_BITS  65536
#define IO_BITMAP_BYTES (IO_BITMAP_BITS / 8)

#ifndef __ASSEMBLY__

#include <keel/compiler.h>
#include <keel/types.h>

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
 * The TSS followed by the I/O permission bitmap the CPU consults for IN/OUT
 * at CPL 3 (ioperm.c). The segment limit covers the bitmap and one more
 * byte, which stays 0xff as the CPU requires (an access near port 65535
 * reads two bytes). A task without ioperm() gets iomap_base past the limit:
 * every port is then refused without the bitmap being read.
 */
struct x86_tss_area {
	struct x86_tss hw;
	u8 io_bitmap[IO_BITMAP_BYTES + 1];
} __packed;

#define X86_IOMAP_VALID   ((u16)__builtin_offsetof(struct x86_tss_area, io_bitmap))
#define X86_IOMAP_INVALID ((u16)sizeof(struct x86_tss_area))

/*
 * struct trap_frame - the registers saved by the interrupt entry stubs
 * (entry.S pushes them in the reverse of this order), then what the CPU
 * pushed. The SYSCALL entry (syscall.S) builds the same layout, so one
 * type describes every entry from user mode: it is struct user_regs, at
 * the top of the task's kernel stack. The layout is shared with the
 * assembly (TF_* above).
 *
 * vector/error_code: the exception or interrupt vector and the CPU's
 * error code (0 when it pushes none); for a system call, vector is
 * X86_VECTOR_SYSCALL and error_code the number entered with (or
 * X86_NO_SYSCALL: see x86_frame_forget_syscall). A signal frame reports
 * neither for a system call (Linux's err and trapno come from the last
 * fault, not from the entry).
 */
struct trap_frame {
	u64 r15, r14, r13, r12, r11, r10, r9, r8;
	u64 rbp, rdi, rsi, rdx, rcx, rbx, rax;
	u64 vector;
	u64 error_code;
	u64 rip, cs, rflags, rsp, ss;
};

STATIC_ASSERT(sizeof(struct trap_frame) == TF_SIZE, "TF_* offsets");
STATIC_ASSERT(__builtin_offsetof(struct trap_frame, rcx) == TF_RCX,
	      "TF_* offsets");
STATIC_ASSERT(__builtin_offsetof(struct trap_frame, r11) == TF_R11,
	      "TF_* offsets");
STATIC_ASSERT(__builtin_offsetof(struct trap_frame, rip) == TF_RIP,
	      "TF_* offsets");

/*
 * struct user_regs (opaque to generic code, <keel/arch.h>) is exactly a
 * trap frame; x86 code (signal frames, ptrace) reaches the registers as
 * x86_user_frame(regs)->rip and so on.
 */
struct user_regs {
	struct trap_frame tf;
};

static inline struct trap_frame *x86_user_frame(struct user_regs *r)
{
	return &r->tf;
}

/* Did @tf come from user mode (CPL 3)? */
static inline bool x86_frame_user(const struct trap_frame *tf)
{
	return (tf->cs & 3) == 3;
}

/*
 * x86_frame_forget_syscall - the frame no longer belongs to a restartable
 * system call (rt_sigreturn restored other registers: Linux's orig_ax = -1).
 */
static inline void x86_frame_forget_syscall(struct trap_frame *tf)
{
	if (tf->vector == X86_VECTOR_SYSCALL)
		tf->error_code = (u64)X86_NO_SYSCALL;
}

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
	/*
	 * SYSCALL entry (syscall.S, X86_PERCPU_*): the user RSP while the
	 * kernel stack is loaded, and the running thread's kernel stack
	 * top (= tss.rsp[0], set on every switch and return to user).
	 */
	unsigned long scratch_rsp;      /* [o] */
	unsigned long kstack_top;       /* [o] */
	/* The I/O bitmap loaded in tss (ioperm.c): its sequence number. */
	u64 io_bitmap_seq;              /* [o] 0: none loaded */
	unsigned int io_bitmap_max;     /* [o] bytes of it that may be 0 */
	u64 user_switches;              /* [o] arch_switch_user_state calls */
	/* At a fixed offset: the IST entry paths find the area from it. */
	u64 gdt[GDT_ENTRIES];           /* [o] */
	struct x86_tss_area tss __aligned(16);   /* [o] */
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

/* CPUID identification (cpu.c), for the boot line and /proc/cpuinfo. */
struct x86_cpu_ident {
	u32 vendor[4];                  /* 12 characters and a NUL */
	unsigned int family, model, stepping;   /* with the extended fields */
};
void x86_cpu_ident(struct x86_cpu_ident *id);
/* The brand string (leaves 0x80000002-4), leading blanks dropped. */
void x86_cpu_brand(char *buf, size_t size);

void x86_early_console_init(void);
void x86_cpu_early_init(void);
void x86_cpu_init_bsp(void);
/*
 * x86_tsc_aux_reader - how user mode reads IA32_TSC_AUX (which holds the
 * CPU number on every CPU, for the vDSO's getcpu): 1 RDPID, 2 RDTSCP,
 * 0 neither instruction exists.
 */
unsigned int x86_tsc_aux_reader(void);
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

/* ---- user mode (cpu.c, user.c, traps.c, ioperm.c) ------------------------ */

/* A task's I/O permission bitmap (ioperm.c); a thread owns its own copy. */
struct x86_io_bitmap {
	u64 seq;                        /* unique per content (a global count) */
	unsigned int max;               /* bytes from 0 that may hold a 0 bit */
	u8 map[IO_BITMAP_BYTES];        /* 0 = port allowed */
};

/*
 * struct x86_thread_user - thread->arch_user of a task (user.c). Written
 * by the thread itself, or with it not running ([t]): the switch code
 * runs with interrupts off on the CPU switching away from or to it.
 */
struct x86_thread_user {
	unsigned long fs_base;          /* [t] saved while not running */
	unsigned long gs_base;          /* [t] user GS base, saved likewise */
	struct x86_io_bitmap *io_bitmap;        /* [t] NULL: no port access */
	void *fpu;                      /* [t] FPU area (asm/fpu.h), aligned */
	/* ktests: where x86_kthread_user_end() leaves its results. */
	struct trap_frame *end_frame;   /* [t] */
	unsigned long *end_cr2;         /* [t] */
};

/* Per-CPU SYSCALL MSRs and the user-visible CPU state; every CPU. */
void x86_syscall_init_cpu(void);
/* CR4.FSGSBASE is on (RDFSBASE/WRFSBASE usable, also by user code). */
extern bool x86_fsgsbase_enabled;
/* Point this CPU's kernel-entry stack at @top (interrupts off). */
void x86_set_kernel_stack(unsigned long top);
/* The SYSCALL entry's C half; true when SYSRET may return (syscall.S). */
bool x86_syscall_from_user(struct trap_frame *tf);
/* The user-mode side of x86_trap(): exceptions to signals, then exit work. */
void x86_user_trap(struct trap_frame *tf);
/*
 * x86_exit_to_user - the last C code before a return to user mode with
 * @tf: exit_to_user_mode() until no work is left, then interrupts off.
 */
void x86_exit_to_user(struct trap_frame *tf);
/*
 * x86_sysret_ok - may @tf be returned to with SYSRET? Only when it restores
 * exactly what IRET would: RCX == RIP, R11 == RFLAGS (without RF and TF,
 * which SYSRET cannot honour), user CS/SS, and a canonical lower-half RIP
 * (SYSRET to a non-canonical RIP faults in ring 0 on Intel CPUs).
 */
bool x86_sysret_ok(const struct trap_frame *tf);
/* Leave for user mode with the frame at @tf (syscall.S); never returns. */
__noreturn void x86_iret_to_user_frame(struct trap_frame *tf);
/* The IRETQ instruction of every return to user mode (syscall.S). */
extern char x86_iret_to_user[];
/*
 * x86_kthread_user_end - a kernel thread with no task ran user code (the
 * x86_user ktests) and took an exception: save @tf for its creator and
 * end the thread (there is nobody to signal).
 */
__noreturn void x86_kthread_user_end(struct trap_frame *tf, unsigned long cr2);

struct thread;

/*
 * ioperm.c: load @next's I/O bitmap (or none) into this CPU's TSS
 * (interrupts off); copy @src's bitmap for a child; free one.
 */
void x86_io_bitmap_switch(struct thread *next);
int x86_io_bitmap_copy(struct x86_thread_user *dst,
		       const struct x86_thread_user *src);
void x86_io_bitmap_free(struct x86_thread_user *u);

#endif /* __ASSEMBLY__ */

#endif /* ASM_X86_H */
