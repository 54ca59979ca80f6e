/*
 * x86_64 implementation of the static-inline part of the arch boundary
 * (see <keel/arch.h> for the contract).
 */
#ifndef ASM_ARCH_INLINE_H
#define ASM_ARCH_INLINE_H

#include <asm/cpu.h>
#include <asm/io.h>
#include <asm/layout.h>

/* Memory constants the generic mm code needs (see asm/layout.h). */
#define ARCH_PAGE_SHIFT       X86_PAGE_SHIFT
#define ARCH_DIRECT_MAP_BASE  DIRECT_MAP_BASE
/* First address above user space (see <keel/uaccess.h>, access_ok). */
#define ARCH_USER_TOP         USER_TOP
/* Before arch_mmu_init only physical memory below this is mapped. */
#define ARCH_EARLY_MAP_LIMIT  (4ULL << 30)

#define X86_RFLAGS_IF (1UL << 9)
#define X86_RFLAGS_AC (1UL << 18)   /* SMAP: supervisor may touch user pages */

/* x86 has a separate I/O port space (legacy UARTs, PIT, CMOS, ACPI PM). */
#define ARCH_HAS_PORT_IO 1

static inline u8 arch_pio_read8(unsigned long port)
{
	return inb((u16)port);
}

static inline void arch_pio_write8(unsigned long port, u8 v)
{
	outb((u16)port, v);
}

static inline u16 arch_pio_read16(unsigned long port)
{
	return inw((u16)port);
}

static inline void arch_pio_write16(unsigned long port, u16 v)
{
	outw((u16)port, v);
}

static inline u32 arch_pio_read32(unsigned long port)
{
	return inl((u16)port);
}

static inline void arch_pio_write32(unsigned long port, u32 v)
{
	outl((u16)port, v);
}

/* CPUID 0x80000008 EAX[7:0]; 36 bits on CPUs too old to say. */
static inline unsigned int arch_phys_addr_bits(void)
{
	u32 a, b, c, d;

	cpuid(0x80000000, &a, &b, &c, &d);
	if (a < 0x80000008)
		return 36;
	cpuid(0x80000008, &a, &b, &c, &d);
	return a & 0xff;
}

static inline void arch_irq_enable(void)
{
	__asm__ __volatile__("sti" ::: "memory");
}

static inline void arch_irq_disable(void)
{
	__asm__ __volatile__("cli" ::: "memory");
}

static inline unsigned long arch_irq_save(void)
{
	unsigned long flags;

	__asm__ __volatile__("pushfq; popq %0; cli" : "=r"(flags) : : "memory");
	return flags;
}

static inline void arch_irq_restore(unsigned long flags)
{
	if (flags & X86_RFLAGS_IF)
		arch_irq_enable();
}

static inline bool arch_irqs_enabled(void)
{
	unsigned long flags;

	__asm__ __volatile__("pushfq; popq %0" : "=r"(flags));
	return flags & X86_RFLAGS_IF;
}

static inline void arch_cpu_relax(void)
{
	__asm__ __volatile__("pause" ::: "memory");
}

static inline void arch_halt(void)
{
	__asm__ __volatile__("hlt" ::: "memory");
}

/*
 * Wait for an interrupt with interrupts enabled by this very instruction
 * pair: "sti; hlt" cannot lose a wake-up between the check the caller did
 * with interrupts off and the halt (STI's one-instruction shadow).
 */
static inline void arch_idle_wait(void)
{
	__asm__ __volatile__("sti; hlt" ::: "memory");
}

/*
 * Per-CPU scheduler state in struct x86_percpu (asm/x86.h), at fixed
 * offsets from the GS base: each access is one instruction, so a thread
 * that is preempted and migrated never reads one CPU's slot and writes
 * another's. cpu.c checks the offsets against the structure.
 */
#define X86_PERCPU_PREEMPT_COUNT 12
#define X86_PERCPU_CURRENT       16
#define X86_PERCPU_NEED_RESCHED  24

static inline int arch_preempt_count(void)
{
	int v;

	__asm__ __volatile__("movl %%gs:%c1, %0"
			     : "=r"(v) : "i"(X86_PERCPU_PREEMPT_COUNT));
	return v;
}

static inline void arch_preempt_count_set(int v)
{
	__asm__ __volatile__("movl %0, %%gs:%c1"
			     : : "r"(v), "i"(X86_PERCPU_PREEMPT_COUNT)
			     : "memory");
}

static inline void arch_preempt_count_add(int v)
{
	__asm__ __volatile__("addl %0, %%gs:%c1"
			     : : "ir"(v), "i"(X86_PERCPU_PREEMPT_COUNT)
			     : "memory", "cc");
}

/* Subtract @v; return true when the count reached zero. */
static inline bool arch_preempt_count_sub_test(int v)
{
	bool zero;

	__asm__ __volatile__("subl %1, %%gs:%c2"
			     : "=@ccz"(zero)
			     : "ir"(v), "i"(X86_PERCPU_PREEMPT_COUNT)
			     : "memory");
	return zero;
}

static inline void *arch_current(void)
{
	void *t;

	__asm__ __volatile__("movq %%gs:%c1, %0"
			     : "=r"(t) : "i"(X86_PERCPU_CURRENT));
	return t;
}

static inline void arch_set_current(void *t)
{
	__asm__ __volatile__("movq %0, %%gs:%c1"
			     : : "r"(t), "i"(X86_PERCPU_CURRENT) : "memory");
}

static inline bool arch_need_resched(void)
{
	u32 v;

	__asm__ __volatile__("movl %%gs:%c1, %0"
			     : "=r"(v) : "i"(X86_PERCPU_NEED_RESCHED));
	return v != 0;
}

static inline void arch_set_need_resched(bool on)
{
	__asm__ __volatile__("movl %0, %%gs:%c1"
			     : : "r"((u32)on), "i"(X86_PERCPU_NEED_RESCHED)
			     : "memory");
}

static inline unsigned long arch_frame_address(void)
{
	return (unsigned long)__builtin_frame_address(0);
}

#endif /* ASM_ARCH_INLINE_H */
