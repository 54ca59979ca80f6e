/*
 * memblock: the boot-time physical memory allocator.
 *
 * Between parsing the memory map and starting the page allocator, the
 * kernel needs memory for page tables and the struct page array. memblock
 * keeps two lists — usable RAM and reserved ranges (the first MiB, the
 * kernel image, the initrd and boot modules, and everything memblock itself
 * handed out) — and allocates top-down from what is usable and not
 * reserved. mm_init() then gives every remaining free range to the page
 * allocator, and memblock is not used again.
 *
 * Early boot only: one CPU, no locking.
 */
#ifndef KEEL_MEMBLOCK_H
#define KEEL_MEMBLOCK_H

#include <keel/boot.h>
#include <keel/types.h>

#define MEMBLOCK_MAX_REGIONS 128

/* Start from the sanitized map; reserve the first MiB, image and modules. */
void memblock_init(const struct boot_info *bi);

/* Reserve [start, end) so it is never allocated or given to the allocator. */
void memblock_reserve(paddr_t start, paddr_t end);

/*
 * memblock_alloc - @size bytes aligned to @align, below @limit, zeroed.
 * Return: the physical address, or 0 when nothing fits.
 */
paddr_t memblock_alloc(u64 size, u64 align, paddr_t limit);

/* Call @fn for each usable, unreserved range, in address order. */
void memblock_for_each_free(void (*fn)(paddr_t start, paddr_t end));

/* Usable RAM that memblock has reserved (image, modules, its allocations). */
u64 memblock_reserved_ram(void);

/* Forget usable RAM at and above @limit (it will not be managed). */
void memblock_cap_memory(paddr_t limit);

/* All usable RAM, reserved or not. */
u64 memblock_ram_bytes(void);

/* Highest end of usable RAM. */
paddr_t memblock_end_of_ram(void);

/*
 * pgtable_alloc_page - a zeroed page for a page table, from memblock during
 * boot (below the early map's limit) and from the page allocator later.
 * Return: its physical address, or 0 when memory is exhausted.
 */
paddr_t pgtable_alloc_page(void);

#endif /* KEEL_MEMBLOCK_H */
