/*
 * A stand-in page allocator for host unit tests of code built on
 * alloc_pages() (the slab allocator): see fake_page_alloc.c.
 */
#ifndef KEEL_UNIT_FAKE_PAGE_ALLOC_H
#define KEEL_UNIT_FAKE_PAGE_ALLOC_H

#include <keel/mm.h>

/* Make an arena of @npages pages (a multiple of 2^MAX_ORDER) the "RAM". */
void fake_pages_init(unsigned long npages);
void fake_pages_exit(void);

unsigned long fake_pages_free_count(void);
/* Number of alloc_pages() calls that succeeded so far. */
unsigned long fake_pages_alloc_calls(void);

/* Let @n more allocations succeed, then fail them all; -1: never fail. */
void fake_pages_fail_after(long n);

/*
 * Called once when an allocation finds no free block, before it fails,
 * as the real allocator calls kmem_cache_shrink_all(). NULL: none.
 */
extern unsigned long (*fake_pages_reclaim)(void);

#endif /* KEEL_UNIT_FAKE_PAGE_ALLOC_H */
