/*
 * ktests for the page allocator in the running kernel (kernel/mm/
 * page_alloc.c): every order, zeroing, DMA32 placement, reference counts,
 * statistics, exhausting ZONE_DMA32 and getting every frame back, the
 * fault-injection hook, bad frees, and a benchmark that reports (never
 * asserts) the cost of an alloc_page/free_page pair.
 *
 * Counts are compared with interrupts off so a handler cannot allocate in
 * the middle; they assume no other CPU allocates meanwhile (true while the
 * ktests run). Allocations are __GFP_NOFAIL_INJECT so a boot with
 * fail_page_alloc= does not disturb them, except in the injection case.
 * The suite skips itself when the allocator has no memory yet.
 */
#include <keel/arch.h>
#include <keel/cpu.h>
#include <keel/ktest.h>
#include <keel/list.h>
#include <keel/mm.h>
#include <keel/page_alloc.h>
#include <keel/printk.h>
#include <keel/slab.h>
#include <keel/string.h>

#define GFP_TEST   (GFP_KERNEL | __GFP_NOFAIL_INJECT)
#define FOUR_GIB   (1ULL << 32)
#define BENCH_ITERS 100000u

static unsigned long free_now(void)
{
	struct page_alloc_stats st;

	page_alloc_stats(&st);
	return st.free_pages;
}

/* Free the blocks chained on @list (order in page->private). */
static void free_chain(struct list_head *list)
{
	struct page *p, *tmp;

	list_for_each_entry_safe(p, tmp, list, list) {
		list_del(&p->list);
		free_pages(p, p->private);
	}
}

static void test_every_order(struct ktest *t)
{
	unsigned int o;
	struct page *p;
	u8 *va;

	for (o = 0; o <= MAX_ORDER; o++) {
		p = alloc_pages(GFP_TEST, o);
		KTEST_ASSERT_NOT_NULL(t, p);
		KTEST_EXPECT_EQ(t, page_to_pfn(p) & ((1UL << o) - 1), 0);
		KTEST_EXPECT_EQ(t, p->refcount, 1);
		KTEST_EXPECT_EQ(t, p->order, o);
		KTEST_EXPECT_EQ(t, page_test_flag(p, PG_head), o > 0);
		KTEST_EXPECT_FALSE(t, page_test_flag(p, PG_reserved));
		va = page_address(p);
		va[0] = 1;                              /* the whole block is */
		va[(PAGE_SIZE << o) - 1] = 2;           /* mapped and ours */
		KTEST_EXPECT_EQ(t, va[0] + va[(PAGE_SIZE << o) - 1], 3);
		free_pages(p, o);
	}
	KTEST_EXPECT_NULL(t, alloc_pages(GFP_TEST | __GFP_NOWARN,
					 MAX_ORDER + 1));
}

static void test_zeroing(struct ktest *t)
{
	unsigned int o, i, nonzero;
	u8 *va;

	for (o = 0; o <= 2; o++) {
		va = get_free_pages(GFP_TEST, o);
		KTEST_ASSERT_NOT_NULL(t, va);
		memset(va, 0xa5, PAGE_SIZE << o);
		free_pages_addr(va, o);
		/* Likely the same block again: the dirty one. */
		va = get_free_pages(GFP_TEST | __GFP_ZERO, o);
		KTEST_ASSERT_NOT_NULL(t, va);
		nonzero = 0;
		for (i = 0; i < PAGE_SIZE << o; i++)
			nonzero += va[i] != 0;
		KTEST_EXPECT_EQ(t, nonzero, 0);
		free_pages_addr(va, o);
	}
}

static void test_dma32_placement(struct ktest *t)
{
	struct page_zone_info normal;
	struct page *p;
	LIST_HEAD(list);
	unsigned int i, o;

	for (i = 0; i < 64; i++) {
		o = i % 4;
		p = alloc_pages(GFP_DMA32 | GFP_TEST, o);
		KTEST_ASSERT_NOT_NULL(t, p);
		KTEST_EXPECT_LE(t, page_to_phys(p) + (PAGE_SIZE << o),
				FOUR_GIB);
		p->private = o;
		list_add(&p->list, &list);
	}
	free_chain(&list);

	/* Without __GFP_DMA32, high memory is used first when there is any. */
	page_alloc_zone_info(ZONE_NORMAL, &normal);
	if (normal.free_pages > NR_CPUS * PCP_HIGH) {
		p = alloc_page(GFP_TEST);
		KTEST_ASSERT_NOT_NULL(t, p);
		KTEST_EXPECT_GE(t, page_to_phys(p), FOUR_GIB);
		free_page(p);
	}
}

static void test_refcount(struct ktest *t)
{
	struct page *p = alloc_page(GFP_TEST);
	unsigned long flags, before, freed;

	KTEST_ASSERT_NOT_NULL(t, p);
	flags = arch_irq_save();
	before = free_now();
	get_page(p);
	KTEST_EXPECT_EQ(t, p->refcount, 2);
	put_page(p);
	KTEST_EXPECT_EQ(t, p->refcount, 1);
	KTEST_EXPECT_EQ(t, free_now(), before);
	put_page(p);                    /* the last reference frees it */
	freed = free_now();
	arch_irq_restore(flags);
	KTEST_EXPECT_EQ(t, p->refcount, 0);
	KTEST_EXPECT_EQ(t, freed, before + 1);
}

static void check_stats_shape(struct ktest *t,
			      const struct page_alloc_stats *st)
{
	unsigned long sum = 0;
	unsigned int o;

	for (o = 0; o <= MAX_ORDER; o++)
		sum += st->free_blocks[o] << o;
	KTEST_EXPECT_EQ(t, sum, st->free_pages);
	KTEST_EXPECT_LE(t, st->free_pages, st->total_pages);
	KTEST_EXPECT_LE(t, st->dma32_free_pages, st->free_pages);
}

static void test_stats_consistent(struct ktest *t)
{
	struct page_alloc_stats before, mid, after;
	unsigned long flags, want = 0;
	unsigned int i;
	struct page *p;
	LIST_HEAD(list);

	flags = arch_irq_save();
	page_alloc_stats(&before);
	for (i = 0; i < 48; i++) {
		p = alloc_pages(GFP_TEST, i % 6);
		if (!p)
			break;
		p->private = i % 6;
		list_add(&p->list, &list);
		want += 1UL << (i % 6);
	}
	page_alloc_stats(&mid);
	free_chain(&list);
	page_alloc_stats(&after);
	arch_irq_restore(flags);

	KTEST_EXPECT_EQ(t, i, 48);
	KTEST_EXPECT_EQ(t, mid.free_pages, before.free_pages - want);
	KTEST_EXPECT_EQ(t, after.free_pages, before.free_pages);
	KTEST_EXPECT_EQ(t, after.total_pages, before.total_pages);
	KTEST_EXPECT_EQ(t, after.reserved_pages, before.reserved_pages);
	KTEST_EXPECT_GT(t, before.total_pages, 0);
	check_stats_shape(t, &before);
	check_stats_shape(t, &mid);
	check_stats_shape(t, &after);
}

/* Take every block of ZONE_DMA32, largest first; return pages taken. */
static unsigned long exhaust_dma32(struct list_head *list)
{
	gfp_t gfp = GFP_DMA32 | GFP_TEST | __GFP_NOWARN;
	unsigned long pages = 0;
	struct page *p;
	int o;

	for (o = MAX_ORDER; o >= 0; o--) {
		while ((p = alloc_pages(gfp, o)) != NULL) {
			p->private = o;
			list_add(&p->list, list);
			pages += 1UL << o;
		}
	}
	return pages;
}

static void test_exhaust_dma32(struct ktest *t)
{
	struct page_zone_info before, mid, after;
	unsigned long flags, taken, above = 0;
	struct page *p;
	LIST_HEAD(list);
	unsigned int o;

	flags = arch_irq_save();
	kmem_cache_shrink_all();        /* so the failures find nothing new */
	page_alloc_drain_local();
	page_alloc_zone_info(ZONE_DMA32, &before);
	taken = exhaust_dma32(&list);
	page_alloc_zone_info(ZONE_DMA32, &mid);
	list_for_each_entry(p, &list, list)
		above += page_to_phys(p) + (PAGE_SIZE << p->private) >
			 FOUR_GIB;
	free_chain(&list);
	page_alloc_drain_local();
	page_alloc_zone_info(ZONE_DMA32, &after);
	arch_irq_restore(flags);

	/* All that is left are other CPUs' per-CPU pages. */
	KTEST_EXPECT_EQ(t, mid.free_pages, mid.pcp_pages);
	KTEST_EXPECT_EQ(t, taken + mid.free_pages, before.free_pages);
	KTEST_EXPECT_EQ(t, above, 0);
	KTEST_EXPECT_EQ(t, after.free_pages, before.free_pages);
	for (o = 0; o <= MAX_ORDER; o++)
		KTEST_EXPECT_EQ(t, after.free_blocks[o], before.free_blocks[o]);
}

static void test_fault_injection(struct ktest *t)
{
	unsigned long flags, injected = page_alloc_injected_failures();
	struct page *p[6], *q;
	unsigned int i;

	flags = arch_irq_save();
	page_alloc_inject_failures(2, 3);
	for (i = 0; i < 6; i++)
		p[i] = alloc_page(GFP_KERNEL | __GFP_NOWARN);
	page_alloc_inject_failures(1, 1);
	q = alloc_page(GFP_TEST);               /* exempt */
	p[1] = alloc_page(GFP_KERNEL | __GFP_NOWARN);   /* fails */
	p[3] = alloc_page(GFP_KERNEL | __GFP_NOWARN);   /* count used up */
	page_alloc_inject_failures(0, 0);
	arch_irq_restore(flags);

	KTEST_EXPECT_EQ(t, page_alloc_injected_failures(), injected + 4);
	KTEST_EXPECT_NOT_NULL(t, p[0]);
	KTEST_EXPECT_NULL(t, p[1]);
	KTEST_EXPECT_NOT_NULL(t, p[2]);
	KTEST_EXPECT_NOT_NULL(t, p[3]);
	KTEST_EXPECT_NOT_NULL(t, p[4]);
	KTEST_EXPECT_NULL(t, p[5]);
	KTEST_EXPECT_NOT_NULL(t, q);
	for (i = 0; i < 6; i++)
		free_page(p[i]);                /* NULL is ignored */
	free_page(q);
}

/* Logs two "bad free_pages" errors with backtraces: that is the point. */
static void test_bad_free_reported(struct ktest *t)
{
	unsigned long flags = arch_irq_save();
	struct page *p = alloc_pages(GFP_TEST, 1);
	unsigned long before = 0;

	if (p) {
		free_pages(p, 1);
		before = free_now();
		free_pages(p, 1);               /* double free */
		KTEST_EXPECT_EQ(t, free_now(), before);
		p = alloc_page(GFP_TEST);
		free_page(p);
		free_page(p);                   /* on a per-CPU list */
		KTEST_EXPECT_EQ(t, free_now(), before);
	}
	arch_irq_restore(flags);
	KTEST_EXPECT_NE(t, before, 0);
}

/* Reports, never asserts: figures belong in the benchmark report. */
static void test_bench_alloc_free(struct ktest *t)
{
	unsigned int i;
	struct page *p;
	u64 start, ns, c0, cycles;

	p = alloc_page(GFP_TEST);               /* warm the per-CPU list */
	free_page(p);
	start = arch_clock_ns();
	c0 = arch_cycles();
	for (i = 0; i < BENCH_ITERS; i++) {
		p = alloc_page(GFP_TEST);
		if (!p)
			break;
		free_page(p);
	}
	cycles = arch_cycles() - c0;
	ns = arch_clock_ns() - start;
	if (!start || !i) {
		pr_info("    # page_alloc_bench: no figure (clock not "
			"running or no memory)\n");
		return;
	}
	pr_info("    # page_alloc_bench: %llu cycles (%llu ns) per "
		"alloc_page+free_page (%u iterations)\n", cycles / i, ns / i, i);
}

static int page_alloc_ktest_init(void)
{
	struct page_alloc_stats st;

	page_alloc_stats(&st);
	return st.total_pages ? 0 : -1;
}

static struct ktest_case page_alloc_cases[] = {
	KTEST_CASE(test_every_order),
	KTEST_CASE(test_zeroing),
	KTEST_CASE(test_dma32_placement),
	KTEST_CASE(test_refcount),
	KTEST_CASE(test_stats_consistent),
	KTEST_CASE(test_exhaust_dma32),
	KTEST_CASE(test_fault_injection),
	KTEST_CASE(test_bad_free_reported),
	KTEST_CASE(test_bench_alloc_free),
	{}
};
KTEST_SUITE_FULL(page_alloc, page_alloc_cases, page_alloc_ktest_init, NULL);
