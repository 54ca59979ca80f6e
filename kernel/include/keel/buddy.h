/*
 * The buddy core: free physical frames of one zone kept as naturally
 * aligned blocks of 2^order pages, order 0..MAX_ORDER.
 *
 * This is the pure algorithm, shared by the page allocator
 * (kernel/mm/page_alloc.c) and the host unit tests: it takes no locks and
 * allocates nothing. Every function requires the caller to hold the lock
 * that protects the zone (page_alloc.c: the zone's spinlock).
 *
 * Encoding of a free block of order k starting at frame pfn:
 *   - pfn is a multiple of 2^k and the whole block lies in
 *     [start_pfn, end_pfn), so a block never straddles a zone boundary;
 *   - the head page has PG_buddy set and page->order == k, and is linked
 *     through page->list into area[k].list; the other 2^k - 1 pages carry
 *     no PG_buddy (only heads are marked);
 *   - the block's buddy is the block of the same order at pfn ^ 2^k. Two
 *     free buddies of the same order are always merged, except at
 *     MAX_ORDER or when the buddy would leave the zone.
 * Allocated blocks carry no mark here; the caller owns them.
 *
 * Locking legend (fields of struct buddy_zone):
 *   [I] immutable after buddy_zone_init
 *   [z] the zone lock, held by the caller
 */
#ifndef KEEL_BUDDY_H
#define KEEL_BUDDY_H

#include <keel/list.h>
#include <keel/mm.h>
#include <keel/types.h>

struct buddy_free_area {
	struct list_head list;          /* [z] head pages of free blocks */
	unsigned long nr_free;          /* [z] blocks on list */
};

struct buddy_zone {
	const char *name;                       /* [I] for messages */
	unsigned long start_pfn, end_pfn;       /* [I] frames [start, end) */
	struct buddy_free_area area[MAX_ORDER + 1];  /* [z] by order */
	unsigned long free_pages;       /* [z] sum of nr_free[k] << k */
	unsigned long managed_pages;    /* [z] frames ever handed over */
};

/*
 * buddy_zone_init - make @z an empty zone covering frames
 * [@start_pfn, @end_pfn). An end beyond max_pfn is clipped (it would index
 * past mem_map). Context: the zone is not yet shared.
 */
void buddy_zone_init(struct buddy_zone *z, const char *name,
		     unsigned long start_pfn, unsigned long end_pfn);

/*
 * buddy_free_range - hand frames [@start_pfn, @end_pfn) to @z for the first
 * time. Frames outside the zone are clipped off and frames that are not
 * PG_reserved (already handed over or in use) are skipped, each case with a
 * log line. Context: zone lock held.
 */
void buddy_free_range(struct buddy_zone *z, unsigned long start_pfn,
		      unsigned long end_pfn);

/*
 * buddy_alloc - take a free block of 2^@order pages from @z.
 * Return: the head page, PG_buddy clear and page->order == @order, or NULL
 * when no block of that order or larger is free (or @order > MAX_ORDER).
 * Context: zone lock held.
 */
struct page *buddy_alloc(struct buddy_zone *z, unsigned int order);

/*
 * buddy_free - give the block of 2^@order pages at @page back to @z and
 * merge it with its free buddies. A block that is outside the zone,
 * misaligned, or overlaps a free or reserved frame (a double free) is
 * reported and left alone. Context: zone lock held.
 */
void buddy_free(struct buddy_zone *z, struct page *page, unsigned int order);

#endif /* KEEL_BUDDY_H */
