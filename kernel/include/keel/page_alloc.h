/*
 * mm-internal interface of the page allocator (kernel/mm/page_alloc.c):
 * boot-time set-up, zone introspection for tests and statistics, and fault
 * injection. Everyone else uses alloc_pages()/free_pages() from <keel/mm.h>.
 *
 * Boot order (mm_init): set mem_map and max_pfn, mark every struct page
 * PG_reserved, then
 *	page_alloc_init();
 *	page_alloc_add_free_range(start, end);     once per free range
 *	page_alloc_set_ram_pages(nr);               any time after init
 * after which alloc_pages() works on every CPU.
 */
#ifndef KEEL_PAGE_ALLOC_H
#define KEEL_PAGE_ALLOC_H

#include <keel/mm.h>
#include <keel/types.h>

/* Zones, tried from the last to the first (DMA32 only as a fallback). */
enum zone_type {
	ZONE_DMA32,     /* frames below 4 GiB, for 32-bit DMA devices */
	ZONE_NORMAL,    /* frames at or above 4 GiB */
	NR_ZONES
};

/* First frame of ZONE_NORMAL. */
#define DMA32_END_PFN (1UL << (32 - PAGE_SHIFT))

/* Per-CPU order-0 lists: moved to/from the buddy in batches of PCP_BATCH,
 * drained once a list reaches PCP_HIGH pages. */
#define PCP_BATCH 31
#define PCP_HIGH  (3 * PCP_BATCH)

/*
 * page_alloc_init - set up both zones, empty, from max_pfn.
 * Context: boot, one CPU, before any other function here; mem_map and
 * max_pfn are final.
 */
void page_alloc_init(void);

/*
 * page_alloc_add_free_range - give the whole frames inside physical range
 * [@start, @end) to the allocator. The range may straddle 4 GiB; frames
 * that are not PG_reserved or lie beyond max_pfn are skipped with a log
 * line. Context: boot, after page_alloc_init().
 */
void page_alloc_add_free_range(paddr_t start, paddr_t end);

/*
 * page_alloc_set_ram_pages - tell the allocator how many frames of RAM the
 * machine has, so statistics can report the reserved ones (RAM never
 * handed over). Context: boot, after page_alloc_init().
 */
void page_alloc_set_ram_pages(unsigned long nr_pages);

/* A snapshot of one zone (page_alloc_zone_info). */
struct page_zone_info {
	const char *name;
	unsigned long start_pfn, end_pfn;
	unsigned long managed_pages;    /* frames handed to the zone */
	unsigned long free_pages;       /* buddy lists + per-CPU lists */
	unsigned long pcp_pages;        /* of which on per-CPU lists */
	unsigned long free_blocks[MAX_ORDER + 1];  /* per-CPU pages at 0 */
};

/*
 * page_alloc_zone_info - fill @info for zone @zt. The buddy part is exact;
 * other CPUs' per-CPU counts are read without their cooperation, so they
 * may be a moment old. Context: any.
 */
void page_alloc_zone_info(enum zone_type zt, struct page_zone_info *info);

/*
 * page_alloc_drain_local - return this CPU's per-CPU pages of every zone to
 * the buddy lists (so they can merge into larger blocks). Context: any.
 */
void page_alloc_drain_local(void);

/*
 * page_alloc_inject_failures - make every @interval-th allocation fail, at
 * most @count times (0: no limit); @interval 0 turns injection off. The
 * allocation counter restarts. Allocations with __GFP_NOFAIL_INJECT are
 * neither failed nor counted. The command line sets the same thing with
 * fail_page_alloc=<interval>[,<count>]. Context: any.
 */
void page_alloc_inject_failures(unsigned int interval, unsigned int count);

/* Number of failures injected since boot. Context: any. */
unsigned long page_alloc_injected_failures(void);

#endif /* KEEL_PAGE_ALLOC_H */
