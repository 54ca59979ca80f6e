/*
 * A page allocator for host unit tests (see fake_page_alloc.h): an aligned
 * heap arena plays RAM, with mem_map and max_pfn to match, and
 * host_direct_map_base points at it so page_address() and virt_to_page()
 * work as in the kernel (pfn 0 is the arena's first page).
 *
 * Blocks are naturally aligned, as the buddy allocator's are, and found by
 * first fit over a byte per page: slow, simple and easy to trust. Fresh
 * blocks are filled with 0x5a so nothing can rely on memory being zero
 * unless it asked for __GFP_ZERO; free pages are poisoned for
 * AddressSanitizer, so any touch of a freed page is caught. free_pages()
 * aborts on misuse (wrong order, double free, PG_slab or PG_large_kmalloc
 * left set) -- those are bugs in the code under test.
 */
#include <stdio.h>
#include <stdlib.h>

#include <keel/mm.h>
#include <keel/string.h>

#include "fake_page_alloc.h"

#if defined(__SANITIZE_ADDRESS__)
#define FAKE_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define FAKE_ASAN 1
#endif
#endif

#ifdef FAKE_ASAN
#include <sanitizer/asan_interface.h>
#define fake_poison(p, n)   ASAN_POISON_MEMORY_REGION(p, n)
#define fake_unpoison(p, n) ASAN_UNPOISON_MEMORY_REGION(p, n)
#else
#define fake_poison(p, n)   ((void)(p), (void)(n))
#define fake_unpoison(p, n) ((void)(p), (void)(n))
#endif

#define FAKE_FILL 0x5a

struct page *mem_map;
unsigned long max_pfn;
unsigned long (*fake_pages_reclaim)(void);

static unsigned char *arena;
static unsigned char *used;      /* one byte per page: allocated? */
static unsigned long free_count;
static unsigned long alloc_calls;
static long fail_after = -1;

static void fake_die(const char *what, unsigned long pfn, unsigned int order)
{
	fprintf(stderr, "fake_page_alloc: %s (pfn %lu, order %u)\n", what, pfn,
		order);
	abort();
}

void fake_pages_init(unsigned long npages)
{
	size_t bytes = npages * PAGE_SIZE;

	if (!npages || npages % (1UL << MAX_ORDER))
		fake_die("arena size must be a multiple of 2^MAX_ORDER pages",
			 npages, MAX_ORDER);
	arena = aligned_alloc(PAGE_SIZE << MAX_ORDER, bytes);
	mem_map = calloc(npages, sizeof(*mem_map));
	used = calloc(npages, 1);
	if (!arena || !mem_map || !used)
		fake_die("out of host memory", npages, 0);
	host_direct_map_base = (uintptr_t)arena;
	max_pfn = npages;
	free_count = npages;
	alloc_calls = 0;
	fail_after = -1;
	fake_poison(arena, bytes);
}

void fake_pages_exit(void)
{
	fake_unpoison(arena, max_pfn * PAGE_SIZE);
	free(arena);
	free(mem_map);
	free(used);
	arena = used = NULL;
	mem_map = NULL;
	max_pfn = free_count = 0;
}

unsigned long fake_pages_free_count(void)
{
	return free_count;
}

unsigned long fake_pages_alloc_calls(void)
{
	return alloc_calls;
}

void fake_pages_fail_after(long n)
{
	fail_after = n;
}

/* First naturally aligned run of 2^order free pages, or max_pfn. */
static unsigned long find_block(unsigned int order)
{
	unsigned long n = 1UL << order, pfn, i;

	for (pfn = 0; pfn + n <= max_pfn; pfn += n) {
		for (i = 0; i < n && !used[pfn + i]; i++)
			;
		if (i == n)
			return pfn;
	}
	return max_pfn;
}

struct page *alloc_pages(gfp_t gfp, unsigned int order)
{
	unsigned long n = 1UL << order, pfn;
	struct page *page;

	if (order > MAX_ORDER || fail_after == 0)
		return NULL;
	pfn = find_block(order);
	if (pfn == max_pfn && fake_pages_reclaim) {
		fake_pages_reclaim();
		pfn = find_block(order);
	}
	if (pfn == max_pfn)
		return NULL;
	if (fail_after > 0)
		fail_after--;
	alloc_calls++;
	memset(used + pfn, 1, n);
	free_count -= n;
	page = &mem_map[pfn];
	memset(page, 0, n * sizeof(*page));
	page->refcount = 1;
	page->order = order;
	if (order)
		page_set_flag(page, PG_head);
	fake_unpoison(page_address(page), n * PAGE_SIZE);
	memset(page_address(page), gfp & __GFP_ZERO ? 0 : FAKE_FILL,
	       n * PAGE_SIZE);
	return page;
}

void free_pages(struct page *page, unsigned int order)
{
	unsigned long pfn = page_to_pfn(page), n = 1UL << order, i;

	if (pfn >= max_pfn || pfn % n)
		fake_die("free of a misaligned or foreign block", pfn, order);
	if (page->order != order)
		fake_die("free with the wrong order", pfn, order);
	if (page_test_flag(page, PG_slab) ||
	    page_test_flag(page, PG_large_kmalloc))
		fake_die("free of a page still marked slab/large kmalloc", pfn,
			 order);
	for (i = 0; i < n; i++)
		if (!used[pfn + i])
			fake_die("double free", pfn, order);
	memset(used + pfn, 0, n);
	memset(page, 0, n * sizeof(*page));
	free_count += n;
	fake_poison(page_address(page), n * PAGE_SIZE);
}

void page_alloc_stats(struct page_alloc_stats *st)
{
	memset(st, 0, sizeof(*st));
	st->total_pages = max_pfn;
	st->free_pages = free_count;
}
