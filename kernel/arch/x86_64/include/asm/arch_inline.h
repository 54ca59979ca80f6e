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
/* Before arch_mmu_init only physical memory below this is mapped. */
#define ARCH_EARLY_MAP_LIMIT  (4ULL << 30)

#define X86_RFLAGS_IF (1UL << 9)

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

static inline unsigned long arch_frame_address(void)
{
	return (unsigned long)__builtin_frame_address(0);
}

#endif /* ASM_ARCH_INLINE_H */
