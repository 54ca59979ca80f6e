/*
 * Host tests of the buddy core (kernel/mm/buddy.c) against a reference
 * model. The page allocator on top of it has its own tests
 * (test_page_alloc.c).
 *
 * The model is one bool per frame, "free". After every operation the
 * zone's free lists must be exactly the maximal decomposition of the free
 * set: for each order from the largest down, every naturally aligned block
 * that is wholly free, inside the zone and not yet covered is one free
 * block. That single check covers splitting, coalescing, exhaustion (a
 * failed allocation means no aligned free block of that size exists) and
 * zone boundaries; double frees must leave it unchanged.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <keel/buddy.h>
#include <keel/list.h>
#include <keel/mm.h>
#include <keel/string.h>

#include "log_capture.h"

struct page *mem_map;
unsigned long max_pfn;

/* ---- the buddy core against the model ------------------------------------ */

#define NPAGES 8192

static struct page pages[NPAGES];
static bool model_free[NPAGES];
static struct buddy_zone zone;

struct held {
	unsigned long pfn;
	unsigned int order;
};
static struct held held[NPAGES];
static unsigned int nheld;

static u64 rng = 0x9e3779b97f4a7c15ULL;

static u64 next_rand(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* Every frame reserved with refcount 1, as mm_init leaves mem_map. */
static int buddy_setup(void **state)
{
	unsigned long i;

	for (i = 0; i < NPAGES; i++) {
		memset(&pages[i], 0, sizeof(pages[i]));
		pages[i].flags = 1UL << PG_reserved;
		pages[i].refcount = 1;
	}
	mem_map = pages;
	max_pfn = NPAGES;
	memset(model_free, 0, sizeof(model_free));
	nheld = 0;
	log_capture_clear();
	return 0;
}

static void give(struct buddy_zone *z, unsigned long start, unsigned long end)
{
	unsigned long i;

	buddy_free_range(z, start, end);
	for (i = start; i < end; i++)
		model_free[i] = true;
}

static bool in_zone(const struct buddy_zone *z, unsigned long pfn,
		    unsigned int order)
{
	return pfn >= z->start_pfn && pfn + (1UL << order) <= z->end_pfn;
}

static bool model_block_free(const struct buddy_zone *z, unsigned long pfn,
			     unsigned int order, const bool *covered)
{
	unsigned long i;

	if (!in_zone(z, pfn, order))
		return false;
	for (i = pfn; i < pfn + (1UL << order); i++)
		if (!model_free[i] || (covered && covered[i]))
			return false;
	return true;
}

/* Free blocks per order that the model's free set decomposes into. */
static void expected_blocks(const struct buddy_zone *z,
			    unsigned long want[MAX_ORDER + 1])
{
	static bool covered[NPAGES];
	unsigned long pfn, i;
	int o;

	memset(covered, 0, sizeof(covered));
	for (o = MAX_ORDER; o >= 0; o--) {
		want[o] = 0;
		for (pfn = ALIGN_UP(z->start_pfn, 1UL << o); pfn < z->end_pfn;
		     pfn += 1UL << o) {
			if (!model_block_free(z, pfn, o, covered))
				continue;
			want[o]++;
			for (i = pfn; i < pfn + (1UL << o); i++)
				covered[i] = true;
		}
	}
}

/* Check one free list: encoding, no overlap, frames free in the model. */
static unsigned long check_area(const struct buddy_zone *z, unsigned int o,
				bool *seen)
{
	const struct page *p;
	unsigned long n = 0, pfn, i;

	list_for_each_entry(p, &z->area[o].list, list) {
		pfn = page_to_pfn(p);
		assert_true(IS_ALIGNED(pfn, 1UL << o));
		assert_true(in_zone(z, pfn, o));
		assert_true(page_test_flag(p, PG_buddy));
		assert_int_equal(p->order, o);
		for (i = pfn; i < pfn + (1UL << o); i++) {
			assert_false(seen[i]);
			assert_true(model_free[i]);
			seen[i] = true;
			assert_true(i == pfn ||
				    !page_test_flag(&pages[i], PG_buddy));
		}
		n++;
	}
	assert_int_equal(n, z->area[o].nr_free);
	return n << o;
}

/* The zone is exactly the maximal decomposition of the model. */
static void check_zone(const struct buddy_zone *z)
{
	static bool seen[NPAGES];
	unsigned long want[MAX_ORDER + 1], total = 0, pfn;
	unsigned int o;

	memset(seen, 0, sizeof(seen));
	for (o = 0; o <= MAX_ORDER; o++)
		total += check_area(z, o, seen);
	assert_int_equal(total, z->free_pages);
	for (pfn = z->start_pfn; pfn < z->end_pfn; pfn++)
		assert_int_equal(seen[pfn], model_free[pfn]);
	expected_blocks(z, want);
	for (o = 0; o <= MAX_ORDER; o++)
		assert_int_equal(z->area[o].nr_free, want[o]);
}

static unsigned long model_alloc(struct buddy_zone *z, unsigned int order)
{
	struct page *p = buddy_alloc(z, order);
	unsigned long pfn, i;

	if (!p)
		return ~0UL;
	pfn = page_to_pfn(p);
	assert_int_equal(p->order, order);
	assert_false(page_test_flag(p, PG_buddy));
	assert_true(IS_ALIGNED(pfn, 1UL << order));
	assert_true(in_zone(z, pfn, order));
	for (i = pfn; i < pfn + (1UL << order); i++) {
		assert_true(model_free[i]);
		model_free[i] = false;
	}
	held[nheld].pfn = pfn;
	held[nheld++].order = order;
	return pfn;
}

static void model_free_held(struct buddy_zone *z, unsigned int idx)
{
	struct held h = held[idx];
	unsigned long i;

	held[idx] = held[--nheld];
	buddy_free(z, &pages[h.pfn], h.order);
	for (i = h.pfn; i < h.pfn + (1UL << h.order); i++)
		model_free[i] = true;
}

static void free_all_held(struct buddy_zone *z)
{
	while (nheld)
		model_free_held(z, next_rand() % nheld);
}

/* True if the model has an aligned, wholly free block of 2^order. */
static bool model_has_block(const struct buddy_zone *z, unsigned int order)
{
	unsigned long pfn;

	for (pfn = ALIGN_UP(z->start_pfn, 1UL << order); pfn < z->end_pfn;
	     pfn += 1UL << order)
		if (model_block_free(z, pfn, order, NULL))
			return true;
	return false;
}

static void test_empty_zone(void **state)
{
	unsigned int o;

	buddy_zone_init(&zone, "test", 0, NPAGES);
	assert_int_equal(zone.free_pages, 0);
	assert_int_equal(zone.managed_pages, 0);
	for (o = 0; o <= MAX_ORDER + 1; o++)
		assert_null(buddy_alloc(&zone, o));
	check_zone(&zone);
}

static void test_aligned_range_is_max_blocks(void **state)
{
	buddy_zone_init(&zone, "test", 0, NPAGES);
	give(&zone, 0, NPAGES);
	assert_int_equal(zone.area[MAX_ORDER].nr_free, NPAGES >> MAX_ORDER);
	assert_int_equal(zone.managed_pages, NPAGES);
	assert_int_equal(zone.free_pages, NPAGES);
	assert_int_equal(pages[5].refcount, 0);
	assert_false(page_test_flag(&pages[5], PG_reserved));
	check_zone(&zone);
}

static void test_unaligned_range(void **state)
{
	buddy_zone_init(&zone, "test", 0, NPAGES);
	give(&zone, 3, 3000);
	check_zone(&zone);
	/* 3 | 4-7 | 8-15 | ... | 512-1023 | 1024-2047 | 2048-2559 | ... */
	assert_int_equal(zone.area[0].nr_free, 1);
	assert_int_equal(zone.area[MAX_ORDER].nr_free, 1);
	assert_int_equal(zone.free_pages, 2997);
	assert_true(page_test_flag(&pages[2], PG_reserved));
	assert_true(page_test_flag(&pages[3000], PG_reserved));
	while (model_alloc(&zone, 0) != ~0UL)
		;
	assert_int_equal(nheld, 2997);
	check_zone(&zone);
}

static void test_adjacent_ranges_merge(void **state)
{
	buddy_zone_init(&zone, "test", 0, 2048);
	give(&zone, 0, 700);
	give(&zone, 700, 1024);
	give(&zone, 1024, 2048);
	assert_int_equal(zone.area[MAX_ORDER].nr_free, 2);
	assert_int_equal(zone.free_pages, 2048);
	check_zone(&zone);
}

static void test_split_and_coalesce(void **state)
{
	unsigned int o;

	buddy_zone_init(&zone, "test", 0, 1UL << MAX_ORDER);
	give(&zone, 0, 1UL << MAX_ORDER);
	assert_int_equal(model_alloc(&zone, 0), 0);
	/* One free block of every order below MAX_ORDER: 1, 2-3, 4-7, ... */
	for (o = 0; o < MAX_ORDER; o++) {
		assert_int_equal(zone.area[o].nr_free, 1);
		assert_int_equal(page_to_pfn(list_first_entry(
			&zone.area[o].list, struct page, list)), 1UL << o);
	}
	assert_int_equal(zone.area[MAX_ORDER].nr_free, 0);
	check_zone(&zone);
	free_all_held(&zone);
	assert_int_equal(zone.area[MAX_ORDER].nr_free, 1);
	check_zone(&zone);
}

static void test_every_order(void **state)
{
	unsigned int o;

	buddy_zone_init(&zone, "test", 0, NPAGES);
	give(&zone, 0, NPAGES);
	for (o = 0; o <= MAX_ORDER; o++) {
		assert_int_not_equal(model_alloc(&zone, o), ~0UL);
		check_zone(&zone);
	}
	assert_null(buddy_alloc(&zone, MAX_ORDER + 1));
	free_all_held(&zone);
	check_zone(&zone);
	assert_int_equal(zone.area[MAX_ORDER].nr_free, NPAGES >> MAX_ORDER);
}

static unsigned int random_order(void)
{
	unsigned int r = next_rand() % 100;

	if (r < 50)
		return 0;
	if (r < 90)
		return 1 + next_rand() % 3;
	return next_rand() % (MAX_ORDER + 1);
}

/* A free of any block overlapping a free frame must change nothing. */
static void try_bad_free(struct buddy_zone *z)
{
	unsigned long pfn = z->start_pfn + next_rand() % (z->end_pfn -
							  z->start_pfn);
	unsigned int o = next_rand() % (MAX_ORDER + 1);
	unsigned long before = z->free_pages;

	if (!model_free[pfn])
		return;
	pfn &= ~((1UL << o) - 1);
	log_capture_clear();
	buddy_free(z, &pages[pfn], o);
	assert_int_equal(z->free_pages, before);
	assert_true(log_capture_contains("bad free"));
}

static void random_run(struct buddy_zone *z, unsigned int steps)
{
	unsigned int step, order;

	for (step = 0; step < steps; step++) {
		if (step % 50 == 7)
			try_bad_free(z);
		if (nheld && next_rand() % 100 < 45) {
			model_free_held(z, next_rand() % nheld);
		} else {
			order = random_order();
			if (model_alloc(z, order) == ~0UL)
				assert_false(model_has_block(z, order));
		}
		if (step % 64 == 0)
			check_zone(z);
	}
	check_zone(z);
	free_all_held(z);
	check_zone(z);
	assert_int_equal(z->free_pages, z->managed_pages);
}

static void test_random_full_zone(void **state)
{
	buddy_zone_init(&zone, "test", 0, NPAGES);
	give(&zone, 0, NPAGES);
	random_run(&zone, 20000);
	assert_int_equal(zone.area[MAX_ORDER].nr_free, NPAGES >> MAX_ORDER);
}

static void test_random_holes(void **state)
{
	buddy_zone_init(&zone, "test", 5, 8000);
	give(&zone, 5, 1000);
	give(&zone, 1003, 4096);
	give(&zone, 4100, 7999);
	assert_int_equal(zone.managed_pages, 995 + 3093 + 3899);
	random_run(&zone, 20000);
}

static void test_exhaustion(void **state)
{
	unsigned int o;

	buddy_zone_init(&zone, "test", 0, NPAGES);
	give(&zone, 17, 6001);
	/* Large blocks first, then smaller, until nothing is left. */
	for (o = MAX_ORDER + 1; o-- > 0;) {
		while (model_alloc(&zone, o) != ~0UL)
			;
		assert_false(model_has_block(&zone, o));
		check_zone(&zone);
	}
	assert_int_equal(zone.free_pages, 0);
	for (o = 0; o <= MAX_ORDER; o++)
		assert_null(buddy_alloc(&zone, o));
	free_all_held(&zone);
	check_zone(&zone);
	assert_int_equal(zone.free_pages, 6001 - 17);
}

static void test_exhaust_order0(void **state)
{
	unsigned long i;

	buddy_zone_init(&zone, "test", 0, NPAGES);
	give(&zone, 0, 3000);
	for (i = 0; i < 3000; i++)
		assert_int_not_equal(model_alloc(&zone, 0), ~0UL);
	assert_null(buddy_alloc(&zone, 0));
	check_zone(&zone);
	free_all_held(&zone);
	check_zone(&zone);
}

static void test_double_free(void **state)
{
	unsigned long pfn, before;
	char msg[64];

	buddy_zone_init(&zone, "test", 0, NPAGES);
	give(&zone, 0, NPAGES);
	pfn = model_alloc(&zone, 2);
	model_free_held(&zone, 0);
	before = zone.free_pages;
	/* The block merged back: its head is no longer PG_buddy. */
	buddy_free(&zone, &pages[pfn], 2);
	assert_true(log_capture_contains("double free"));
	assert_int_equal(zone.free_pages, before);
	check_zone(&zone);

	/* Its order-0 buddy is a head still marked free. */
	pfn = model_alloc(&zone, 0);
	log_capture_clear();
	buddy_free(&zone, &pages[pfn ^ 1], 0);
	host_snprintf(msg, sizeof(msg), "bad free of pfn %#lx order 0",
		      pfn ^ 1);
	assert_true(log_capture_contains(msg));
	/* Half allocated, half free. */
	log_capture_clear();
	buddy_free(&zone, &pages[pfn & ~1UL], 1);
	assert_true(log_capture_contains("double free"));
	assert_int_equal(zone.free_pages, before - 1);
	check_zone(&zone);
}

static void test_bad_free_args(void **state)
{
	unsigned long pfn;

	buddy_zone_init(&zone, "test", 0, 4096);
	give(&zone, 0, 4096);
	pfn = model_alloc(&zone, 3);
	/* A tail of an allocated block looks allocated: only the caller's
	 * refcount can tell, so the buddy accepts it. */
	buddy_free(&zone, &pages[pfn + 1], 0);
	model_free[pfn + 1] = true;
	check_zone(&zone);
	log_capture_clear();
	buddy_free(&zone, &pages[pfn + 2], 2);
	assert_true(log_capture_contains("misaligned"));
	buddy_free(&zone, &pages[pfn], MAX_ORDER + 1);
	assert_true(log_capture_contains("order too large"));
	buddy_free(&zone, &pages[5000], 0);
	assert_true(log_capture_contains("outside the zone"));
	check_zone(&zone);
}

/* A buddy in a neighbouring zone is never merged with. */
static void test_zone_boundaries(void **state)
{
	struct buddy_zone low, high;

	buddy_zone_init(&low, "low", 0, 1536);
	buddy_zone_init(&high, "high", 1536, 4096);
	give(&low, 0, 1536);
	give(&high, 1536, 4096);
	/* [1024,1536) and [1536,2048) are order-9 buddies in two zones. */
	assert_int_equal(low.area[9].nr_free, 1);
	assert_int_equal(high.area[9].nr_free, 1);
	check_zone(&low);
	check_zone(&high);
	while (model_alloc(&low, 0) != ~0UL)
		assert_true(held[nheld - 1].pfn < 1536);
	free_all_held(&low);
	assert_int_equal(low.area[9].nr_free, 1);
	assert_int_equal(low.area[MAX_ORDER].nr_free, 1);
	check_zone(&low);
	check_zone(&high);
}

/* A zone starting mid-block: the lower buddy belongs to another zone. */
static void test_zone_start_unaligned(void **state)
{
	struct buddy_zone a, b;

	buddy_zone_init(&a, "a", 0, 512);
	buddy_zone_init(&b, "b", 512, 1024);
	give(&a, 0, 512);
	give(&b, 512, 1024);
	assert_int_equal(a.area[9].nr_free, 1);
	assert_int_equal(b.area[9].nr_free, 1);
	assert_int_equal(b.area[MAX_ORDER].nr_free, 0);
	model_alloc(&b, 9);
	model_free_held(&b, 0);
	assert_int_equal(b.area[9].nr_free, 1);
	assert_true(page_test_flag(&pages[0], PG_buddy));
	check_zone(&a);
	check_zone(&b);
}

static void test_free_range_checks(void **state)
{
	buddy_zone_init(&zone, "test", 100, 200);
	give(&zone, 100, 164);
	buddy_free_range(&zone, 100, 164);
	assert_true(log_capture_contains(
		"64 frames in [0x64, 0xa4) already handed over or in use"));
	assert_int_equal(zone.managed_pages, 64);
	log_capture_clear();
	buddy_free_range(&zone, 50, 300);       /* [100, 200); 64 skipped */
	assert_true(log_capture_contains("clipped to the zone"));
	assert_true(log_capture_contains("64 frames"));
	memset(&model_free[164], 1, 36);
	assert_int_equal(zone.managed_pages, 100);
	check_zone(&zone);

	/* A zone reaching past max_pfn is clipped. */
	log_capture_clear();
	buddy_zone_init(&zone, "big", 0, NPAGES + 5);
	assert_int_equal(zone.end_pfn, NPAGES);
	assert_true(log_capture_contains("beyond max_pfn"));
}

#define BUDDY_TEST(f) cmocka_unit_test_setup(f, buddy_setup)

int main(void)
{
	const struct CMUnitTest tests[] = {
		BUDDY_TEST(test_empty_zone),
		BUDDY_TEST(test_aligned_range_is_max_blocks),
		BUDDY_TEST(test_unaligned_range),
		BUDDY_TEST(test_adjacent_ranges_merge),
		BUDDY_TEST(test_split_and_coalesce),
		BUDDY_TEST(test_every_order),
		BUDDY_TEST(test_random_full_zone),
		BUDDY_TEST(test_random_holes),
		BUDDY_TEST(test_exhaustion),
		BUDDY_TEST(test_exhaust_order0),
		BUDDY_TEST(test_double_free),
		BUDDY_TEST(test_bad_free_args),
		BUDDY_TEST(test_zone_boundaries),
		BUDDY_TEST(test_zone_start_unaligned),
		BUDDY_TEST(test_free_range_checks),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
