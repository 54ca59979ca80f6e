/*
 * Host tests of the page allocator (kernel/mm/page_alloc.c) on the buddy
 * core (kernel/mm/buddy.c, tested against a model in test_buddy.c).
 *
 * page_alloc.c is #included, not linked, so the tests can reach its static
 * command-line handler; its mem_map spans 4 GiB of frames (sparse mmap),
 * with a direct-map arena of the same size, so both zones are exercised.
 */
#include "../../kernel/mm/page_alloc.c"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <sys/mman.h>

#include <keel/buddy.h>
#include <keel/mm.h>

#include "log_capture.h"

struct page *mem_map;
unsigned long max_pfn;

/* ---- stand-ins for the rest of the kernel -------------------------------- */

static int backtraces;
static int shrink_calls;
static struct page *shrink_victim;  /* a "slab page" the next shrink frees */

void backtrace_print_current(void)
{
	backtraces++;
}

unsigned long kmem_cache_shrink_all(void)
{
	struct page *p = shrink_victim;

	shrink_calls++;
	if (!p)
		return 0;
	shrink_victim = NULL;
	free_pages(p, 0);
	return 1;
}

/* ---- the page allocator ------------------------------------------------ */

#define PA_NORMAL  2048UL
#define PA_MAX_PFN (DMA32_END_PFN + PA_NORMAL)
#define PA_LOW_END 2048UL               /* frames reset below this */
#define PA_DMA32   (253UL + 1024)       /* [2, 255) and [1M - 1024, 1M) */

static struct page *pa_map;
static void *pa_arena;

static void pa_reset_window(unsigned long start, unsigned long end)
{
	unsigned long pfn;

	for (pfn = start; pfn < end; pfn++) {
		memset(&pa_map[pfn], 0, sizeof(pa_map[pfn]));
		pa_map[pfn].flags = 1UL << PG_reserved;
		pa_map[pfn].refcount = 1;
	}
}

/* Frames [2, 255) low, [1M - 1024, 1M + 2048) across 4 GiB. */
static int pa_setup(void **state)
{
	if (!pa_map) {
		pa_map = mmap(NULL, PA_MAX_PFN * sizeof(struct page),
			      PROT_READ | PROT_WRITE, MAP_PRIVATE |
			      MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
		pa_arena = mmap(NULL, PA_MAX_PFN << PAGE_SHIFT,
				PROT_READ | PROT_WRITE, MAP_PRIVATE |
				MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
		if (pa_map == MAP_FAILED || pa_arena == MAP_FAILED)
			return -1;
	}
	mem_map = pa_map;
	max_pfn = PA_MAX_PFN;
	host_direct_map_base = (uintptr_t)pa_arena;
	pa_reset_window(0, PA_LOW_END);
	pa_reset_window(DMA32_END_PFN - PA_LOW_END, PA_MAX_PFN);
	page_alloc_init();
	page_alloc_add_free_range(0x1234, 0xff800);
	page_alloc_add_free_range((paddr_t)(DMA32_END_PFN - 1024) << PAGE_SHIFT,
				  (paddr_t)PA_MAX_PFN << PAGE_SHIFT);
	page_alloc_set_ram_pages(PA_DMA32 + PA_NORMAL + 100);
	page_alloc_inject_failures(0, 0);
	warn_printed = 0;
	backtraces = 0;
	shrink_calls = 0;
	shrink_victim = NULL;
	log_capture_clear();
	return 0;
}

static unsigned long pa_free(void)
{
	struct page_alloc_stats st;

	page_alloc_stats(&st);
	return st.free_pages;
}

/* Allocate order-@order blocks until NULL; chain them on @list. */
static unsigned long exhaust(gfp_t gfp, unsigned int order,
			     struct list_head *list)
{
	struct page *p;
	unsigned long n = 0;

	while ((p = alloc_pages(gfp | __GFP_NOWARN, order)) != NULL) {
		p->private = order;
		list_add_tail(&p->list, list);
		n++;
	}
	return n;
}

static void free_list(struct list_head *list)
{
	struct page *p, *tmp;

	list_for_each_entry_safe(p, tmp, list, list) {
		list_del(&p->list);
		free_pages(p, p->private);
	}
}

static void test_pa_handover_and_stats(void **state)
{
	struct page_alloc_stats st;
	struct page_zone_info dma, normal;

	page_alloc_stats(&st);
	assert_int_equal(st.total_pages, PA_DMA32 + PA_NORMAL);
	assert_int_equal(st.free_pages, st.total_pages);
	assert_int_equal(st.reserved_pages, 100);
	assert_int_equal(st.dma32_free_pages, PA_DMA32);
	assert_int_equal(st.free_blocks[MAX_ORDER], 3);
	page_alloc_zone_info(ZONE_DMA32, &dma);
	page_alloc_zone_info(ZONE_NORMAL, &normal);
	assert_string_equal(dma.name, "DMA32");
	assert_int_equal(dma.end_pfn, DMA32_END_PFN);
	assert_int_equal(normal.start_pfn, DMA32_END_PFN);
	assert_int_equal(normal.end_pfn, PA_MAX_PFN);
	assert_int_equal(normal.managed_pages, PA_NORMAL);
	assert_true(page_test_flag(&pa_map[1], PG_reserved));
	assert_true(page_test_flag(&pa_map[255], PG_reserved));

	/* Again, and past max_pfn: nothing new, each reported. */
	page_alloc_add_free_range(0x1234, 0xff800);
	assert_true(log_capture_contains("already handed over"));
	page_alloc_add_free_range((paddr_t)PA_MAX_PFN << PAGE_SHIFT,
				  (paddr_t)(PA_MAX_PFN + 8) << PAGE_SHIFT);
	assert_true(log_capture_contains("beyond max_pfn, ignored"));
	page_alloc_add_free_range(0, 0);
	page_alloc_stats(&st);
	assert_int_equal(st.total_pages, PA_DMA32 + PA_NORMAL);
}

static void test_pa_zone_order(void **state)
{
	LIST_HEAD(list);
	struct page *p;
	unsigned long n = 0;

	p = alloc_page(GFP_DMA32);
	assert_true(page_to_pfn(p) < DMA32_END_PFN);
	free_page(p);
	assert_int_equal(exhaust(GFP_KERNEL, 0, &list), PA_DMA32 + PA_NORMAL);
	/* Normal first, all of it, then the DMA32 fallback. */
	list_for_each_entry(p, &list, list)
		assert_true((page_to_pfn(p) >= DMA32_END_PFN) ==
			    (n++ < PA_NORMAL));
	assert_int_equal(pa_free(), 0);
	assert_int_equal(backtraces, 0);
	free_list(&list);
	assert_int_equal(pa_free(), PA_DMA32 + PA_NORMAL);
}

static void test_pa_dma32_exhaustion(void **state)
{
	LIST_HEAD(list);
	struct page_zone_info normal;
	struct page *p;

	assert_int_equal(exhaust(GFP_DMA32, 0, &list), PA_DMA32);
	list_for_each_entry(p, &list, list)
		assert_true(page_to_pfn(p) < DMA32_END_PFN);
	page_alloc_zone_info(ZONE_NORMAL, &normal);
	assert_int_equal(normal.free_pages, PA_NORMAL);
	assert_int_equal(shrink_calls, 1);
	assert_string_equal(log_capture_text(), "");   /* __GFP_NOWARN */
	free_list(&list);
	assert_int_equal(pa_free(), PA_DMA32 + PA_NORMAL);
}

static void test_pa_every_order(void **state)
{
	struct page *p;
	unsigned long i;
	unsigned int o;

	for (o = 0; o <= MAX_ORDER; o++) {
		p = alloc_pages(GFP_KERNEL, o);
		assert_non_null(p);
		assert_true(IS_ALIGNED(page_to_pfn(p), 1UL << o));
		assert_int_equal(p->refcount, 1);
		assert_int_equal(p->order, o);
		assert_int_equal(page_test_flag(p, PG_head), o > 0);
		for (i = 1; i < (1UL << o); i++)
			assert_int_equal(p[i].refcount, 0);
		assert_int_equal(pa_free(), PA_DMA32 + PA_NORMAL - (1UL << o));
		free_pages(p, o);
		assert_int_equal(pa_free(), PA_DMA32 + PA_NORMAL);
	}
	assert_null(alloc_pages(GFP_KERNEL | __GFP_NOWARN, MAX_ORDER + 1));
	assert_string_equal(log_capture_text(), "");
	assert_null(alloc_pages(GFP_KERNEL, MAX_ORDER + 1));
	assert_true(log_capture_contains("order 11 allocation failed"));
	assert_int_equal(backtraces, 1);
}

static void test_pa_zeroing(void **state)
{
	unsigned char *va;
	struct page *p;
	unsigned long i;

	va = get_free_pages(GFP_KERNEL, 2);
	assert_non_null(va);
	memset(va, 0xaa, 4 * PAGE_SIZE);
	free_pages_addr(va, 2);
	p = alloc_pages(GFP_KERNEL | __GFP_ZERO, 2);
	assert_ptr_equal(page_address(p), va);  /* the same block again */
	for (i = 0; i < 4 * PAGE_SIZE; i++)
		assert_int_equal(va[i], 0);
	free_pages(p, 2);

	va = get_free_pages(GFP_DMA32, 0);
	memset(va, 0x55, PAGE_SIZE);
	free_pages_addr(va, 0);
	assert_ptr_equal(get_free_pages(GFP_DMA32 | __GFP_ZERO, 0), va);
	for (i = 0; i < PAGE_SIZE; i++)
		assert_int_equal(va[i], 0);
	assert_true(virt_to_phys(va) < 1ULL << 32);
	free_pages_addr(va, 0);
	free_pages_addr(NULL, 0);
	free_pages(NULL, 0);
	assert_int_equal(pa_free(), PA_DMA32 + PA_NORMAL);
	assert_string_equal(log_capture_text(), "");
}

static void test_pa_refcount(void **state)
{
	struct page *p = alloc_page(GFP_KERNEL);
	unsigned long free = pa_free();

	get_page(p);
	assert_int_equal(p->refcount, 2);
	free_pages(p, 0);                       /* not the last reference */
	assert_true(log_capture_contains("page still referenced"));
	assert_int_equal(backtraces, 1);
	assert_int_equal(p->refcount, 2);
	put_page(p);
	assert_int_equal(pa_free(), free);
	put_page(p);                            /* the last one frees */
	assert_int_equal(pa_free(), free + 1);
	assert_int_equal(p->refcount, 0);
	log_capture_clear();
	put_page(p);
	get_page(p);
	assert_int_equal(log_capture_count("page is free"), 2);
	assert_int_equal(p->refcount, 0);
	assert_int_equal(pa_free(), free + 1);

	p = alloc_pages(GFP_KERNEL, 3);         /* put_page frees the block */
	put_page(p);
	assert_int_equal(pa_free(), PA_DMA32 + PA_NORMAL);
}

static void test_pa_bad_frees(void **state)
{
	struct page *p = alloc_pages(GFP_KERNEL, 1);
	unsigned long total = PA_DMA32 + PA_NORMAL;
	int dummy;

	free_pages(p, 0);
	assert_true(log_capture_contains("order differs"));
	free_pages(p + 1, 0);
	assert_true(log_capture_contains("refcount already zero"));
	free_pages(p, 1);
	assert_int_equal(pa_free(), total);
	free_pages(p, 1);
	assert_true(log_capture_contains("double free"));
	p = alloc_page(GFP_KERNEL);
	free_page(p);
	log_capture_clear();
	free_page(p);                           /* on the per-CPU list */
	assert_true(log_capture_contains("page is free (double free)"));
	free_page(&pa_map[1]);
	assert_true(log_capture_contains("reserved page"));
	free_page((struct page *)&dummy);
	assert_true(log_capture_contains("is not a page frame"));
	free_pages_addr(&dummy, 0);
	assert_true(log_capture_contains("is not a page address"));
	put_page(&pa_map[1]);
	assert_true(log_capture_contains("last reference to a reserved page"));
	assert_int_equal(pa_map[1].refcount, 1);
	assert_int_equal(backtraces, 8);
	assert_int_equal(pa_free(), total);
}

static void test_pa_per_cpu_lists(void **state)
{
	struct page_alloc_stats before, after;
	struct page_zone_info info;
	struct page *p[200];
	unsigned int i;

	page_alloc_stats(&before);
	p[0] = alloc_page(GFP_KERNEL);
	page_alloc_zone_info(ZONE_NORMAL, &info);
	assert_int_equal(info.pcp_pages, PCP_BATCH - 1);
	for (i = 1; i < 200; i++)
		p[i] = alloc_page(GFP_KERNEL);
	for (i = 0; i < 200; i++) {
		free_page(p[i]);
		page_alloc_zone_info(ZONE_NORMAL, &info);
		assert_true(info.pcp_pages < PCP_HIGH);
	}
	assert_int_equal(pa_free(), PA_DMA32 + PA_NORMAL);
	page_alloc_drain_local();
	page_alloc_zone_info(ZONE_NORMAL, &info);
	assert_int_equal(info.pcp_pages, 0);
	page_alloc_stats(&after);
	assert_memory_equal(&before, &after, sizeof(before));
}

static void test_pa_shrink_and_retry(void **state)
{
	LIST_HEAD(list);
	struct page *p;

	exhaust(GFP_KERNEL, 0, &list);
	shrink_calls = 0;
	shrink_victim = list_first_entry(&list, struct page, list);
	list_del(&shrink_victim->list);
	p = shrink_victim;
	assert_ptr_equal(alloc_page(GFP_KERNEL), p);
	assert_int_equal(shrink_calls, 1);
	assert_string_equal(log_capture_text(), "");
	assert_null(alloc_page(GFP_KERNEL));
	assert_int_equal(shrink_calls, 2);
	assert_true(log_capture_contains("order 0 allocation failed (gfp 0)"));
	assert_int_equal(backtraces, 1);
	free_page(p);

	/* The per-CPU list is drained so an order-1 block can form. */
	p = list_first_entry(&list, struct page, list);
	while ((page_to_pfn(p) & 1) || page_to_pfn(p) < DMA32_END_PFN)
		p = list_next_entry(p, list);
	assert_int_equal(page_to_pfn(list_next_entry(p, list)),
			 page_to_pfn(p) + 1);
	list_del(&list_next_entry(p, list)->list);
	list_del(&p->list);
	free_page(p);
	free_page(p + 1);
	assert_ptr_equal(alloc_pages(GFP_KERNEL, 1), p);
	free_pages(p, 1);
	free_list(&list);
	assert_int_equal(pa_free(), PA_DMA32 + PA_NORMAL);
}

static void test_pa_warning_ratelimit(void **state)
{
	LIST_HEAD(list);
	unsigned int i;

	exhaust(GFP_KERNEL, 0, &list);
	for (i = 0; i < 3 * WARN_BURST; i++)
		assert_null(alloc_page(GFP_ATOMIC));
	assert_int_equal(log_capture_count("allocation failed"), WARN_BURST);
	assert_int_equal(backtraces, WARN_BURST);
	free_list(&list);
}

static void test_pa_fault_injection(void **state)
{
	unsigned long injected = page_alloc_injected_failures();
	struct page *p[9];
	unsigned int i;

	page_alloc_inject_failures(3, 2);
	for (i = 0; i < 9; i++) {
		assert_non_null(alloc_page(GFP_KERNEL | __GFP_NOFAIL_INJECT));
		p[i] = alloc_page(GFP_KERNEL);
		assert_int_equal(p[i] == NULL, i == 2 || i == 5);
	}
	assert_int_equal(page_alloc_injected_failures(), injected + 2);
	assert_int_equal(log_capture_count("injected failure #"), 2);
	assert_true(log_capture_contains("order 0, gfp 0"));
	assert_false(log_capture_contains("allocation failed"));
	assert_int_equal(shrink_calls, 0);
	page_alloc_inject_failures(1, 0);       /* every one, no limit */
	for (i = 0; i < 5; i++)
		assert_null(alloc_pages(GFP_KERNEL, 3));
	page_alloc_inject_failures(0, 0);
	assert_non_null(alloc_page(GFP_KERNEL));
	assert_int_equal(page_alloc_injected_failures(), injected + 7);
}

static void test_pa_fault_param(void **state)
{
	assert_int_equal(fail_page_alloc_set("4,1"), 0);
	assert_true(log_capture_contains(
		"1 in 4 allocations fails, at most 1 times"));
	assert_int_equal(fail_interval, 4);
	assert_int_equal(fail_left, 1);
	assert_int_equal(fail_page_alloc_set("0x10"), 0);
	assert_int_equal(fail_interval, 16);
	assert_int_equal(fail_left, FAIL_UNLIMITED);
	assert_int_equal(fail_page_alloc_set(NULL), -EINVAL);
	assert_int_equal(fail_page_alloc_set(""), -EINVAL);
	assert_int_equal(fail_page_alloc_set("x"), -EINVAL);
	assert_int_equal(fail_page_alloc_set("3,"), -EINVAL);
	assert_int_equal(fail_page_alloc_set("3,-1"), -EINVAL);
	assert_int_equal(fail_page_alloc_set("3,2,1"), -EINVAL);
	assert_int_equal(fail_page_alloc_set("99999999999999999999"), -EINVAL);
	assert_int_equal(fail_page_alloc_set("1234567890123456789,1"), -EINVAL);
	assert_int_equal(fail_interval, 16);    /* bad values change nothing */
	assert_int_equal(fail_page_alloc_set("0"), 0);
	assert_int_equal(fail_interval, 0);
}

#define PA_TEST(f) cmocka_unit_test_setup(f, pa_setup)

int main(void)
{
	const struct CMUnitTest tests[] = {
		PA_TEST(test_pa_handover_and_stats),
		PA_TEST(test_pa_zone_order),
		PA_TEST(test_pa_dma32_exhaustion),
		PA_TEST(test_pa_every_order),
		PA_TEST(test_pa_zeroing),
		PA_TEST(test_pa_refcount),
		PA_TEST(test_pa_bad_frees),
		PA_TEST(test_pa_per_cpu_lists),
		PA_TEST(test_pa_shrink_and_retry),
		PA_TEST(test_pa_warning_ratelimit),
		PA_TEST(test_pa_fault_injection),
		PA_TEST(test_pa_fault_param),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
