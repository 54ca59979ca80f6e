/*
 * x86_64 page tables (4-level) and the kernel address space.
 *
 * Entries: P(0) RW(1) US(2) PWT(3) PCD(4) A(5) D(6) PS(7, large page in a
 * PDPT or PD entry) G(8) and NX(63); the physical address sits in bits
 * 12..51. Intermediate entries are always present+writable, and user-
 * accessible only on the way to a user mapping, so nothing in the kernel
 * half is reachable from user mode but the one page mapped so on purpose:
 * the vDSO's read-only HPET alias (vdso_arch.c).
 *
 * arch_mmu_init() builds the kernel's tables from the memory map:
 *   - the direct map: every RAM range (and the first MiB, where firmware
 *     tables live) at DIRECT_MAP_BASE + phys, read-write, no-execute, with
 *     1 GiB / 2 MiB pages where alignment allows; the alias of the kernel's
 *     text and rodata is read-only;
 *   - the image: .text read+execute, .rodata read-only, .data/.bss
 *     read-write, all but .text no-execute, with 4 KiB pages so the boot
 *     stack's guard page can stay unmapped;
 *   - the top-level entry of the vmalloc area.
 * Every kernel-half top-level entry is created here and never changes, so
 * user address spaces can copy the kernel half once at creation.
 *
 * User address spaces (arch_space_create) share those kernel-half entries
 * and own their user half (slots 0..255), whose tables are freed by
 * arch_space_destroy.
 *
 * Locking: the kernel tables are changed only by vmalloc (under its lock)
 * and at boot; a user space's tables under its mm's pt_lock (kernel/mm);
 * the walk itself takes no lock.
 */
#include <keel/arch.h>
#include <keel/boot.h>
#include <keel/errno.h>
#include <keel/memblock.h>
#include <keel/mm.h>
#include <keel/panic.h>
#include <keel/printk.h>
#include <keel/string.h>
#include <keel/vm.h>
#include <asm/cpu.h>
#include <asm/layout.h>
#include <asm/x86.h>

#define PTE_P    (1ULL << 0)
#define PTE_RW   (1ULL << 1)
#define PTE_US   (1ULL << 2)
#define PTE_PWT  (1ULL << 3)
#define PTE_PCD  (1ULL << 4)
#define PTE_PS   (1ULL << 7)
#define PTE_G    (1ULL << 8)
#define PTE_PROTNONE (1ULL << 10)   /* software: P clear, page kept */
#define PTE_NX   (1ULL << 63)
#define PTE_ADDR 0x000ffffffffff000ULL

#define LEVEL_SHIFT(l) (12 + 9 * ((l) - 1))   /* l = 1 (PT) .. 4 (PML4) */
#define LEVEL_SIZE(l)  (1ULL << LEVEL_SHIFT(l))

#define VMALLOC_START _UL(0xffffc90000000000)
#define VMALLOC_END   _UL(0xffffc98000000000)   /* one top-level slot: 512 GiB */

static paddr_t kernel_root;      /* [I] after arch_mmu_init */
static bool have_nx;             /* [I] */
static bool have_1g_pages;       /* [I] */

extern char __text_start[], __text_end[], __rodata_start[], __rodata_end[];
extern char __data_start[], __bss_end[];

static u64 *table_at(paddr_t pa)
{
	return phys_to_virt(pa);
}

static unsigned int pt_index(vaddr_t va, int level)
{
	return (va >> LEVEL_SHIFT(level)) & 511;
}

/* A leaf entry that maps a page, accessible or not (PROT_NONE). */
static bool pte_mapped(u64 e)
{
	return e & (PTE_P | PTE_PROTNONE);
}

static u64 prot_to_pte(unsigned int prot)
{
	u64 e = PTE_P;

	/* A user page with no access: not present to the MMU, so every
	 * access faults (kernel user copies too), but still recorded. */
	if ((prot & VM_USER) && !(prot & (VM_READ | VM_WRITE | VM_EXEC)))
		return PTE_PROTNONE | PTE_US;

	if (prot & VM_WRITE)
		e |= PTE_RW;
	if (prot & VM_USER)
		e |= PTE_US;
	if (prot & VM_GLOBAL)
		e |= PTE_G;
	if (prot & VM_UNCACHED)
		e |= PTE_PCD | PTE_PWT;
	if (!(prot & VM_EXEC) && have_nx)
		e |= PTE_NX;
	return e;
}

static unsigned int pte_to_prot(u64 e)
{
	unsigned int prot = VM_READ;

	if (!(e & PTE_P))
		return VM_USER;     /* PTE_PROTNONE */

	if (e & PTE_RW)
		prot |= VM_WRITE;
	if (e & PTE_US)
		prot |= VM_USER;
	if (e & PTE_G)
		prot |= VM_GLOBAL;
	if (e & PTE_PCD)
		prot |= VM_UNCACHED;
	if (!(e & PTE_NX))
		prot |= VM_EXEC;
	return prot;
}

/*
 * Return the entry for @va at @level, creating missing tables on the way
 * when @alloc is set. NULL if a table is missing (or could not be made), or
 * a large page covers @va above @level (*@large is then set).
 */
static u64 *pte_walk(paddr_t root, vaddr_t va, int level, bool alloc,
		     bool user, u64 **large)
{
	u64 *table = table_at(root);
	int l;

	for (l = 4; l > level; l--) {
		u64 *e = &table[pt_index(va, l)];

		if (!(*e & PTE_P)) {
			paddr_t pa;

			if (!alloc || !(pa = pgtable_alloc_page()))
				return NULL;
			*e = pa | PTE_P | PTE_RW;
		}
		if (*e & PTE_PS) {      /* never make a large page user-visible */
			if (large)
				*large = e;
			return NULL;
		}
		if (user)
			*e |= PTE_US;
		table = table_at(*e & PTE_ADDR);
	}
	return &table[pt_index(va, level)];
}

int arch_map_page(paddr_t root, vaddr_t va, paddr_t pa, unsigned int prot)
{
	u64 *large = NULL;
	u64 *e = pte_walk(root, va, 1, true, prot & VM_USER, &large);

	if (!e)
		return large ? -EEXIST : -ENOMEM;
	if (pte_mapped(*e))
		return -EEXIST;
	WRITE_ONCE(*e, (pa & PTE_ADDR) | prot_to_pte(prot));
	return 0;
}

/* The largest page level (3, 2 or 1) usable at @va/@pa for @size bytes. */
static int best_level(vaddr_t va, paddr_t pa, u64 size)
{
	if (have_1g_pages && !((va | pa) & (LEVEL_SIZE(3) - 1)) &&
	    size >= LEVEL_SIZE(3))
		return 3;
	if (!((va | pa) & (LEVEL_SIZE(2) - 1)) && size >= LEVEL_SIZE(2))
		return 2;
	return 1;
}

int arch_map_range(paddr_t root, vaddr_t va, paddr_t pa, u64 size,
		   unsigned int prot)
{
	if ((va | pa) & (X86_PAGE_SIZE - 1))
		return -EINVAL;
	size = ALIGN_UP(size, X86_PAGE_SIZE);
	while (size) {
		int level = best_level(va, pa, size);
		u64 *e = pte_walk(root, va, level, true, prot & VM_USER, NULL);

		if (!e)
			return -ENOMEM;
		*e = (pa & PTE_ADDR) | prot_to_pte(prot) | (level > 1 ? PTE_PS : 0);
		va += LEVEL_SIZE(level);
		pa += LEVEL_SIZE(level);
		size -= LEVEL_SIZE(level);
	}
	return 0;
}

paddr_t arch_unmap_page(paddr_t root, vaddr_t va)
{
	u64 *e = pte_walk(root, va, 1, false, false, NULL);
	paddr_t pa;

	if (!e || !pte_mapped(*e))
		return 0;
	pa = *e & PTE_ADDR;
	WRITE_ONCE(*e, 0);
	return pa;
}

int arch_protect_page(paddr_t root, vaddr_t va, unsigned int prot)
{
	u64 *e = pte_walk(root, va, 1, false, false, NULL);

	if (!e || !pte_mapped(*e))
		return -ENOENT;
	WRITE_ONCE(*e, (*e & PTE_ADDR) | prot_to_pte(prot));
	return 0;
}

bool arch_translate(paddr_t root, vaddr_t va, paddr_t *pa, unsigned int *prot)
{
	u64 *table = table_at(root);
	int l;

	for (l = 4; l >= 1; l--) {
		u64 e = table[pt_index(va, l)];

		if (l == 1 ? !pte_mapped(e) : !(e & PTE_P))
			return false;
		if (l == 1 || (e & PTE_PS)) {
			u64 mask = LEVEL_SIZE(l) - 1;

			if (pa)
				*pa = ((e & PTE_ADDR) & ~mask) | (va & mask);
			if (prot)
				*prot = pte_to_prot(e);
			return true;
		}
		table = table_at(e & PTE_ADDR);
	}
	return false;
}

void arch_switch_space(paddr_t root)
{
	write_cr3(root);
}

paddr_t arch_kernel_root(void)
{
	return kernel_root;
}

void arch_tlb_flush_page(vaddr_t va)
{
	__asm__ __volatile__("invlpg (%0)" : : "r"(va) : "memory");
}

/* Toggling CR4.PGE flushes every entry, global ones included. */
void arch_tlb_flush_all(void)
{
	unsigned long cr4 = read_cr4();

	write_cr4(cr4 & ~X86_CR4_PGE);
	write_cr4(cr4);
}

void arch_tlb_flush_range(vaddr_t va, u64 size)
{
	u64 off;

	if (size > 64 * X86_PAGE_SIZE) {
		arch_tlb_flush_all();
		return;
	}
	for (off = 0; off < size; off += X86_PAGE_SIZE)
		arch_tlb_flush_page(va + off);
}

void arch_vmalloc_range(vaddr_t *start, vaddr_t *end)
{
	*start = VMALLOC_START;
	*end = VMALLOC_END;
}

/* Map [start, end) of RAM into the direct map, read-only where it holds
 * the kernel's text and rodata. */
static void map_direct(paddr_t root, paddr_t start, paddr_t end)
{
	paddr_t ro_start = ALIGN_DOWN(__pa_symbol(__text_start), X86_PAGE_SIZE);
	paddr_t ro_end = ALIGN_UP(__pa_symbol(__rodata_end), X86_PAGE_SIZE);
	paddr_t lo = MAX(start, ro_start), hi = MIN(end, ro_end);
	int err = 0;

	if (lo < hi) {
		if (start < lo)
			err |= arch_map_range(root, DIRECT_MAP_BASE + start, start,
					      lo - start, VM_KERNEL_RW);
		err |= arch_map_range(root, DIRECT_MAP_BASE + lo, lo, hi - lo,
				      VM_KERNEL_RO);
		if (hi < end)
			err |= arch_map_range(root, DIRECT_MAP_BASE + hi, hi,
					      end - hi, VM_KERNEL_RW);
	} else {
		err = arch_map_range(root, DIRECT_MAP_BASE + start, start,
				     end - start, VM_KERNEL_RW);
	}
	if (err)
		x86_boot_fail("out of memory for the direct map's page tables");
}

static void map_image_section(paddr_t root, const char *start, const char *end,
			      unsigned int prot)
{
	vaddr_t va;

	for (va = (vaddr_t)start; va < (vaddr_t)end; va += X86_PAGE_SIZE) {
		if (va == (vaddr_t)boot_stack_guard)
			continue;   /* the boot stack's guard stays unmapped */
		if (arch_map_page(root, va, __pa_symbol(va), prot))
			x86_boot_fail("out of memory for the kernel image's page tables");
	}
}

static bool is_ram(u32 type)
{
	return type == MEMMAP_USABLE || type == MEMMAP_ACPI_RECLAIMABLE ||
	       type == MEMMAP_ACPI_NVS;
}

void arch_mmu_init(const struct memmap *mm)
{
	u32 a, b, c, d;
	unsigned int i;

	have_nx = rdmsr(MSR_EFER) & EFER_NXE;
	cpuid(0x80000001, &a, &b, &c, &d);
	have_1g_pages = d & (1U << 26);

	kernel_root = pgtable_alloc_page();
	if (!kernel_root)
		x86_boot_fail("out of memory for the kernel page tables");
	map_direct(kernel_root, 0, 0x100000);
	for (i = 0; i < mm->count; i++) {
		const struct memmap_entry *e = &mm->entries[i];
		/* Only usable RAM is page-aligned by the sanitizer; ACPI
		 * ranges may not be, and arch_map_range refuses them. */
		paddr_t start = ALIGN_UP(MAX(e->base, (paddr_t)0x100000),
					 X86_PAGE_SIZE);
		paddr_t end = ALIGN_DOWN(e->base + e->length, X86_PAGE_SIZE);

		if (is_ram(e->type) && end > start)
			map_direct(kernel_root, start, end);
	}
	map_image_section(kernel_root, __text_start, __text_end, VM_KERNEL_RX);
	map_image_section(kernel_root, __rodata_start, __rodata_end, VM_KERNEL_RO);
	map_image_section(kernel_root, __data_start, __bss_end, VM_KERNEL_RW);
	/* The vmalloc area's top-level entry exists from now on. */
	if (!pte_walk(kernel_root, VMALLOC_START, 3, true, false, NULL))
		x86_boot_fail("out of memory for the vmalloc page tables");

	write_cr4(read_cr4() | X86_CR4_PGE);
	arch_switch_space(kernel_root);
	arch_tlb_flush_all();
}

/* ---- user address spaces ------------------------------------------------
 *
 * The user half is top-level slots 0..255, the kernel half 256..511. A new
 * space copies the kernel's top-level entries once: they never change
 * (arch_mmu_init made all of them), so the kernel half stays in sync.
 */
#define USER_SLOTS 256

paddr_t arch_space_create(void)
{
	paddr_t root = pgtable_alloc_page();

	if (!root)
		return 0;
	memcpy(table_at(root) + USER_SLOTS, table_at(kernel_root) + USER_SLOTS,
	       USER_SLOTS * sizeof(u64));
	return root;
}

/* Free the table at @pa, a level-@level table (3 = PDPT ... 1 = PT), and
 * the tables below it. */
static void free_user_table(paddr_t pa, int level)
{
	u64 *t = table_at(pa);
	unsigned int i;

	if (level > 1) {
		for (i = 0; i < 512; i++)
			if ((t[i] & PTE_P) && !(t[i] & PTE_PS))
				free_user_table(t[i] & PTE_ADDR, level - 1);
	}
	free_page(pfn_to_page(pa >> X86_PAGE_SHIFT));
}

void arch_space_destroy(paddr_t root)
{
	u64 *t = table_at(root);
	unsigned int i;

	KASSERT(root != kernel_root);
	for (i = 0; i < USER_SLOTS; i++)
		if (t[i] & PTE_P)
			free_user_table(t[i] & PTE_ADDR, 3);
	free_page(pfn_to_page(root >> X86_PAGE_SHIFT));
}

bool arch_next_mapped(paddr_t root, vaddr_t *vap, vaddr_t end)
{
	vaddr_t va = ALIGN_DOWN(*vap, X86_PAGE_SIZE);

	while (va < end) {
		u64 *table = table_at(root);
		vaddr_t next;
		int l;

		for (l = 4; l >= 1; l--) {
			u64 e = table[pt_index(va, l)];

			if (l == 1 ? !pte_mapped(e) : !(e & PTE_P))
				break;
			if (l == 1 || (e & PTE_PS)) {
				*vap = va;
				return true;
			}
			table = table_at(e & PTE_ADDR);
		}
		/* Nothing mapped in the rest of this level-l entry's span. */
		next = ALIGN_DOWN(va, LEVEL_SIZE(l)) + LEVEL_SIZE(l);
		if (next <= va)
			return false;
		va = next;
	}
	return false;
}

/*
 * One level-1 table at a time: the source table is found by one walk per
 * 2 MiB, the destination's made by one more, then the entries are copied
 * in a loop (fork used to walk both trees four times per page).
 */
int arch_dup_range(paddr_t src, paddr_t dst, vaddr_t start, vaddr_t end,
		   bool cow, void (*each)(paddr_t pa, void *arg), void *arg)
{
	vaddr_t va = start;

	while (va < end && arch_next_mapped(src, &va, end)) {
		vaddr_t stop = ALIGN_DOWN(va, LEVEL_SIZE(2)) + LEVEL_SIZE(2);
		u64 *s = pte_walk(src, va, 1, false, false, NULL);
		u64 *d = NULL;

		if (stop > end || stop < va)
			stop = end;
		if (!s)                 /* user space has no large pages */
			return -EINVAL;
		for (; va < stop; va += X86_PAGE_SIZE, s++) {
			u64 e = READ_ONCE(*s);

			if (!pte_mapped(e))
				continue;
			if (!d) {
				d = pte_walk(dst, va, 1, true, true, NULL);
				if (!d)
					return -ENOMEM;
				d -= pt_index(va, 1);   /* the table's start */
			}
			if (cow && (e & PTE_RW)) {
				e &= ~(u64)PTE_RW;
				WRITE_ONCE(*s, e);
			}
			each(e & PTE_ADDR, arg);
			WRITE_ONCE(d[pt_index(va, 1)], e);
		}
	}
	return 0;
}

paddr_t arch_replace_page(paddr_t root, vaddr_t va, paddr_t pa,
			  unsigned int prot)
{
	u64 *e = pte_walk(root, va, 1, false, false, NULL);
	paddr_t old;

	if (!e || !pte_mapped(*e))
		return 0;
	old = *e & PTE_ADDR;
	WRITE_ONCE(*e, (pa & PTE_ADDR) | prot_to_pte(prot));
	return old;
}
