/*
 * The boot stack's guard page.
 *
 * head.S maps the first 4 GiB with 2 MiB pages. To catch a boot-stack
 * overflow we split the 2 MiB page holding the guard into 4 KiB pages and
 * leave the guard not-present; an overflow then faults (and, since the
 * fault cannot push its frame, becomes a double fault on its own IST stack)
 * and is reported as a stack overflow. The same page directory backs the
 * identity, direct-map and kernel-image views, so the guard is absent in all
 * of them. The memory-management issue replaces these tables and gives every
 * kernel stack a guard page in the vmalloc area.
 */
#include <keel/arch.h>
#include <keel/string.h>
#include <asm/cpu.h>
#include <asm/layout.h>
#include <asm/x86.h>

#define PTE_P  0x001ULL
#define PTE_W  0x002ULL
#define PTE_PS 0x080ULL
#define PTE_ADDR_MASK 0x000ffffffffff000ULL

extern u64 boot_pd[4 * 512];
static u64 guard_pt[512] __aligned(4096);

void x86_stack_guard_init(void)
{
	unsigned long guard_pa = __pa_symbol(boot_stack_guard);
	unsigned long big = guard_pa & ~((2UL << 20) - 1);
	u64 *pde = &boot_pd[guard_pa >> 21];
	u64 flags = *pde & ~(PTE_ADDR_MASK | PTE_PS);
	unsigned int i;

	for (i = 0; i < 512; i++)
		guard_pt[i] = (big + i * X86_PAGE_SIZE) | flags;
	guard_pt[(guard_pa >> X86_PAGE_SHIFT) & 511] = 0;
	*pde = __pa_symbol(guard_pt) | PTE_P | PTE_W;
	/* The 2 MiB entry may be cached in the TLB: flush it all. */
	write_cr3(read_cr3());
}
