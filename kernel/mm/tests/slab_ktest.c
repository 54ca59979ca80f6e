/*
 * ktests for the slab allocator and kmalloc in the running kernel: caches,
 * size classes, large blocks, krealloc/kcalloc, a random stress with
 * pattern checks, shrinking, the debug-mode detections and a benchmark.
 *
 * The detections are provoked on purpose and checked through
 * slab_debug_reports(); each leaves a "slab: BUG" report in the log and the
 * kernel runs on. They use private caches, or run with interrupts off, so
 * that nothing else can be handed an object between a free and the misuse.
 * The benchmark prints "# slab_bench:" KTAP diagnostics and never fails.
 */
#include <keel/arch.h>
#include <keel/compiler.h>
#include <keel/ktest.h>
#include <keel/mm.h>
#include <keel/printk.h>
#include <keel/slab.h>
#include <keel/sprintf.h>
#include <keel/string.h>

#define KTAP_DIAG "    # "

static struct slab_info info_buf[128];

/* Figures of the cache called @name; false if there is none. */
static bool find_cache(const char *name, struct slab_info *out)
{
	size_t n = MIN(slab_stats(info_buf, ARRAY_SIZE(info_buf)),
		       ARRAY_SIZE(info_buf));
	size_t i;

	for (i = 0; i < n; i++) {
		if (!strcmp(info_buf[i].name, name)) {
			*out = info_buf[i];
			return true;
		}
	}
	return false;
}

static u64 rng_state = 0x2545f4914f6cdd1dULL;

static u64 rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static void fill(void *p, size_t n, u8 seed)
{
	u8 *b = p;
	size_t i;

	for (i = 0; i < n; i++)
		b[i] = (u8)(seed + i * 7);
}

static bool filled(const void *p, size_t n, u8 seed)
{
	const u8 *b = p;
	size_t i;

	for (i = 0; i < n; i++)
		if (b[i] != (u8)(seed + i * 7))
			return false;
	return true;
}

static unsigned long free_pages_now(void)
{
	struct page_alloc_stats st;

	page_alloc_stats(&st);
	return st.free_pages;
}

/* ---- caches -------------------------------------------------------------- */

static void test_cache_alloc_free_destroy(struct ktest *t)
{
	struct kmem_cache *c = kmem_cache_create("kt-basic", 72, 0, 0, NULL);
	struct slab_info in;
	void *objs[100];
	int i;

	KTEST_ASSERT_NOT_NULL(t, c);
	KTEST_EXPECT_EQ(t, kmem_cache_size(c), 72);
	for (i = 0; i < 100; i++) {
		objs[i] = kmem_cache_alloc(c, GFP_KERNEL);
		KTEST_ASSERT_NOT_NULL(t, objs[i]);
		fill(objs[i], 72, (u8)i);
	}
	KTEST_ASSERT_TRUE(t, find_cache("kt-basic", &in));
	KTEST_EXPECT_EQ(t, in.active_objs, 100);
	KTEST_EXPECT_EQ(t, in.total_objs, in.slabs * in.objs_per_slab);
	for (i = 0; i < 100; i++) {
		KTEST_EXPECT_TRUE(t, filled(objs[i], 72, (u8)i));
		kmem_cache_free(c, objs[i]);
	}
	KTEST_ASSERT_TRUE(t, find_cache("kt-basic", &in));
	KTEST_EXPECT_EQ(t, in.active_objs, 0);
	kmem_cache_destroy(c);
	KTEST_EXPECT_FALSE(t, find_cache("kt-basic", &in));
}

static int ctor_calls;

static void ctor_mark(void *obj)
{
	ctor_calls++;
	*(u64 *)obj = 0x600dc0de;
}

static void test_cache_ctor(struct ktest *t)
{
	struct kmem_cache *c = kmem_cache_create("kt-ctor", 48, 0, 0,
						 ctor_mark);
	struct slab_info in;
	void *a, *b;

	KTEST_ASSERT_NOT_NULL(t, c);
	ctor_calls = 0;
	a = kmem_cache_alloc(c, GFP_KERNEL);
	KTEST_ASSERT_NOT_NULL(t, a);
	KTEST_ASSERT_TRUE(t, find_cache("kt-ctor", &in));
	KTEST_EXPECT_EQ(t, ctor_calls, in.objs_per_slab);
	KTEST_EXPECT_EQ(t, *(u64 *)a, 0x600dc0de);
	kmem_cache_free(c, a);
	b = kmem_cache_alloc(c, GFP_KERNEL);
	/* Constructed state survives a free; no second construction. */
	KTEST_EXPECT_EQ(t, *(u64 *)b, 0x600dc0de);
	KTEST_EXPECT_EQ(t, ctor_calls, in.objs_per_slab);
	kmem_cache_free(c, b);
	kmem_cache_destroy(c);
}

static void test_cache_alignment(struct ktest *t)
{
	size_t align;
	int i;

	for (align = 8; align <= 4096; align *= 2) {
		struct kmem_cache *c = kmem_cache_create("kt-align", 40, align,
							 0, NULL);
		void *objs[10];

		KTEST_ASSERT_NOT_NULL(t, c);
		for (i = 0; i < 10; i++) {
			objs[i] = kmem_cache_alloc(c, GFP_KERNEL);
			KTEST_ASSERT_NOT_NULL(t, objs[i]);
			KTEST_EXPECT_TRUE(t, IS_ALIGNED((uptr)objs[i], align));
			memset(objs[i], 0x5c, 40);
		}
		for (i = 0; i < 10; i++)
			kmem_cache_free(c, objs[i]);
		kmem_cache_destroy(c);
	}
}

/* Empty slabs go back to the page allocator on shrink. */
static void test_shrink_returns_pages(struct ktest *t)
{
	struct kmem_cache *c = kmem_cache_create("kt-shrink", 1024, 0,
						 SLAB_NO_DEBUG, NULL);
	static void *objs[128];
	unsigned long before, returned;
	struct slab_info in;
	int i;

	KTEST_ASSERT_NOT_NULL(t, c);
	for (i = 0; i < 128; i++) {
		objs[i] = kmem_cache_alloc(c, GFP_KERNEL);
		KTEST_ASSERT_NOT_NULL(t, objs[i]);
	}
	for (i = 0; i < 128; i++)
		kmem_cache_free(c, objs[i]);
	KTEST_ASSERT_TRUE(t, find_cache("kt-shrink", &in));
	KTEST_EXPECT_GT(t, in.slabs, 0);
	KTEST_EXPECT_LE(t, in.slabs, 2 + in.cached_objs);
	before = free_pages_now();
	returned = kmem_cache_shrink(c);
	KTEST_EXPECT_EQ(t, returned, in.slabs * in.pages_per_slab);
	KTEST_EXPECT_GT(t, free_pages_now(), before);
	KTEST_ASSERT_TRUE(t, find_cache("kt-shrink", &in));
	KTEST_EXPECT_EQ(t, in.slabs, 0);
	kmem_cache_destroy(c);
	kmem_cache_shrink_all();
}

/* ---- kmalloc ------------------------------------------------------------- */

static size_t class_of(size_t size)
{
	static const size_t classes[] = { 8, 16, 32, 64, 96, 128, 192, 256,
					  512, 1024, 2048, 4096, 8192 };
	unsigned int i;

	for (i = 0; classes[i] < size; i++)
		;
	return classes[i];
}

static void test_kmalloc_size_classes(struct ktest *t)
{
	unsigned long r0 = slab_debug_reports();
	size_t size, wrong = 0;

	for (size = 1; size <= KMALLOC_MAX_CACHE_SIZE; size++) {
		u8 *p = kmalloc(size, GFP_KERNEL);

		KTEST_ASSERT_NOT_NULL(t, p);
		wrong += ksize(p) != class_of(size) ||
			 !IS_ALIGNED((uptr)p, 8);
		p[0] = 1;
		p[ksize(p) - 1] = 2;    /* all of ksize() is usable */
		kfree(p);
	}
	KTEST_EXPECT_EQ(t, wrong, 0);
	KTEST_EXPECT_EQ(t, slab_debug_reports(), r0);
}

static void check_large(struct ktest *t, size_t size, unsigned int order)
{
	unsigned long start = free_pages_now(), low;
	u8 *p = kmalloc(size, GFP_KERNEL);

	KTEST_ASSERT_NOT_NULL(t, p);
	KTEST_EXPECT_TRUE(t, IS_ALIGNED((uptr)p, PAGE_SIZE));
	KTEST_EXPECT_EQ(t, ksize(p), PAGE_SIZE << order);
	KTEST_EXPECT_TRUE(t, page_test_flag(virt_to_page(p),
					    PG_large_kmalloc));
	memset(p, 0xa1, size);
	KTEST_EXPECT_EQ(t, p[size - 1], 0xa1);
	low = free_pages_now();
	KTEST_EXPECT_GE(t, start - low, 1UL << order);
	kfree(p);
	KTEST_EXPECT_GE(t, free_pages_now() - low, 1UL << order);
}

static void test_kmalloc_large(struct ktest *t)
{
	check_large(t, 5 * PAGE_SIZE, 3);
	check_large(t, 1 << 20, 8);
	check_large(t, KMALLOC_MAX_CACHE_SIZE + 1, 2);
	KTEST_EXPECT_NULL(t, kmalloc((PAGE_SIZE << MAX_ORDER) + 1,
				     GFP_KERNEL | __GFP_NOWARN));
}

static void test_kmalloc_zero_and_null(struct ktest *t)
{
	unsigned long r0 = slab_debug_reports();

	KTEST_EXPECT_PTR_EQ(t, kmalloc(0, GFP_KERNEL), ZERO_SIZE_PTR);
	kfree(ZERO_SIZE_PTR);
	kfree(NULL);
	KTEST_EXPECT_EQ(t, ksize(NULL), 0);
	KTEST_EXPECT_EQ(t, ksize(ZERO_SIZE_PTR), 0);
	KTEST_EXPECT_EQ(t, slab_debug_reports(), r0);
}

static void test_kzalloc_kcalloc(struct ktest *t)
{
	u8 *p;
	size_t i;

	KTEST_EXPECT_NULL(t, kcalloc((size_t)-1 / 2 + 1, 2, GFP_KERNEL));
	KTEST_EXPECT_NULL(t, kcalloc(3, (size_t)-1 / 2, GFP_KERNEL));
	p = kmalloc(300, GFP_KERNEL);
	KTEST_ASSERT_NOT_NULL(t, p);
	memset(p, 0xff, 300);
	kfree(p);
	p = kcalloc(30, 10, GFP_KERNEL);
	KTEST_ASSERT_NOT_NULL(t, p);
	KTEST_EXPECT_GE(t, ksize(p), 300);
	for (i = 0; i < 300 && !p[i]; i++)
		;
	KTEST_EXPECT_EQ(t, i, 300);
	kfree(p);
	p = kzalloc(3 * PAGE_SIZE, GFP_KERNEL);
	KTEST_ASSERT_NOT_NULL(t, p);
	for (i = 0; i < 3 * PAGE_SIZE && !p[i]; i++)
		;
	KTEST_EXPECT_EQ(t, i, 3 * PAGE_SIZE);
	kfree(p);
}

static void test_krealloc(struct ktest *t)
{
	static const size_t sizes[] = { 24, 150, 2000, 9000, 70000 };
	u8 *p = krealloc(NULL, 8, GFP_KERNEL), *q;
	size_t i, have = 8;

	KTEST_ASSERT_NOT_NULL(t, p);
	fill(p, have, 3);
	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		q = krealloc(p, sizes[i], GFP_KERNEL);
		KTEST_ASSERT_NOT_NULL(t, q);
		KTEST_EXPECT_TRUE(t, filled(q, have, 3));
		KTEST_EXPECT_GE(t, ksize(q), sizes[i]);
		fill(q, sizes[i], 3);
		p = q;
		have = sizes[i];
	}
	q = krealloc(p, 100, GFP_KERNEL);
	KTEST_EXPECT_PTR_EQ(t, q, p);
	KTEST_EXPECT_TRUE(t, filled(q, 100, 3));
	KTEST_EXPECT_PTR_EQ(t, krealloc(q, 0, GFP_KERNEL), ZERO_SIZE_PTR);
}

/* ---- stress -------------------------------------------------------------- */

#define STRESS_LIVE 512
#define STRESS_OPS  20000

struct stress_obj {
	u8 *p;
	size_t size;
	u8 seed;
	bool cached;        /* from stress_cache, not kmalloc */
};

static struct stress_obj stress[STRESS_LIVE];

static size_t stress_size(void)
{
	unsigned int r = rng() % 100;

	if (r < 70)
		return 1 + rng() % 256;
	if (r < 97)
		return 1 + rng() % KMALLOC_MAX_CACHE_SIZE;
	return 1 + rng() % (64 << 10);
}

static bool stress_put(struct kmem_cache *cache, struct stress_obj *o)
{
	bool ok = filled(o->p, o->size, o->seed);

	if (o->cached)
		kmem_cache_free(cache, o->p);
	else
		kfree(o->p);
	o->p = NULL;
	return ok;
}

static void test_stress_random(struct ktest *t)
{
	struct kmem_cache *cache = kmem_cache_create("kt-stress", 88, 0, 0,
						     NULL);
	unsigned long r0 = slab_debug_reports(), bad = 0;
	unsigned int op, i;

	KTEST_ASSERT_NOT_NULL(t, cache);
	for (op = 0; op < STRESS_OPS; op++) {
		struct stress_obj *o = &stress[rng() % STRESS_LIVE];

		if (o->p) {
			bad += !stress_put(cache, o);
			continue;
		}
		o->cached = rng() % 4 == 0;
		o->size = o->cached ? 88 : stress_size();
		o->p = o->cached ? kmem_cache_alloc(cache, GFP_KERNEL) :
				   kmalloc(o->size, GFP_KERNEL);
		KTEST_ASSERT_NOT_NULL(t, o->p);
		o->seed = (u8)rng();
		fill(o->p, o->size, o->seed);
	}
	for (i = 0; i < STRESS_LIVE; i++)
		if (stress[i].p)
			bad += !stress_put(cache, &stress[i]);
	KTEST_EXPECT_EQ(t, bad, 0);
	KTEST_EXPECT_EQ(t, slab_debug_reports(), r0);
	kmem_cache_destroy(cache);
}

/* ---- debug mode ---------------------------------------------------------- */

static bool need_debug(struct ktest *t)
{
	if (slab_debug_enabled())
		return true;
	ktest_skip(t, "slab_debug is off");
	return false;
}

static void test_debug_double_free(struct ktest *t)
{
	struct kmem_cache *c;
	unsigned long r0 = slab_debug_reports(), irq;
	void *o, *a, *b;

	if (!need_debug(t))
		return;
	c = kmem_cache_create("kt-double", 64, 0, 0, NULL);
	KTEST_ASSERT_NOT_NULL(t, c);
	o = kmem_cache_alloc(c, GFP_KERNEL);
	kmem_cache_free(c, o);
	kmem_cache_free(c, o);
	KTEST_EXPECT_EQ(t, slab_debug_reports(), r0 + 1);
	a = kmem_cache_alloc(c, GFP_KERNEL);
	b = kmem_cache_alloc(c, GFP_KERNEL);
	KTEST_EXPECT_PTR_NE(t, a, b);     /* handed out once only */
	kmem_cache_free(c, a);
	kmem_cache_free(c, b);
	kmem_cache_destroy(c);

	/* kfree: no interrupt may take the object between the frees. */
	irq = arch_irq_save();
	o = kmalloc(32, GFP_ATOMIC);
	kfree(o);
	kfree(o);
	arch_irq_restore(irq);
	KTEST_EXPECT_EQ(t, slab_debug_reports(), r0 + 2);
}

static int data_var = 42;

static void test_debug_invalid_free(struct ktest *t)
{
	unsigned long r0;
	struct kmem_cache *c, *other;
	struct page *page;
	int stack_var = 1;
	u8 *p, *o;

	if (!need_debug(t))
		return;
	c = kmem_cache_create("kt-invalid", 64, 0, 0, NULL);
	other = kmem_cache_create("kt-other", 64, 0, 0, NULL);
	p = kmalloc(64, GFP_KERNEL);
	page = alloc_page(GFP_KERNEL);
	KTEST_ASSERT_TRUE(t, c && other && p && page);
	o = kmem_cache_alloc(c, GFP_KERNEL);
	r0 = slab_debug_reports();
	kfree(p + 8);                            /* middle of an object */
	kfree(&stack_var);                       /* not the heap at all */
	kfree(&data_var);                        /* .data */
	kfree((u8 *)page_address(page) + 16);    /* a page, not a slab */
	kmem_cache_free(other, o);               /* the wrong cache */
	kmem_cache_free(c, o + 1);
	KTEST_EXPECT_EQ(t, slab_debug_reports(), r0 + 6);
	KTEST_EXPECT_EQ(t, stack_var, 1);
	KTEST_EXPECT_EQ(t, data_var, 42);
	/* Everything is still allocated and frees normally. */
	kfree(p);
	kmem_cache_free(c, o);
	free_page(page);
	kmem_cache_destroy(c);
	kmem_cache_destroy(other);
	KTEST_EXPECT_EQ(t, slab_debug_reports(), r0 + 6);
}

static void test_debug_write_after_free(struct ktest *t)
{
	struct kmem_cache *c;
	unsigned long r0 = slab_debug_reports();
	u8 *o, *again;

	if (!need_debug(t))
		return;
	c = kmem_cache_create("kt-uaf", 128, 0, 0, NULL);
	KTEST_ASSERT_NOT_NULL(t, c);
	o = kmem_cache_alloc(c, GFP_KERNEL);
	kmem_cache_free(c, o);
	o[17] = 0x42;                            /* the bug */
	again = kmem_cache_alloc(c, GFP_KERNEL);
	KTEST_EXPECT_PTR_EQ(t, again, o);
	KTEST_EXPECT_EQ(t, slab_debug_reports(), r0 + 1);
	kmem_cache_free(c, again);
	kmem_cache_destroy(c);
	KTEST_EXPECT_EQ(t, slab_debug_reports(), r0 + 1);
}

static void test_debug_red_zone_overflow(struct ktest *t)
{
	struct kmem_cache *c;
	unsigned long r0 = slab_debug_reports();
	u8 *o;

	if (!need_debug(t))
		return;
	c = kmem_cache_create("kt-redzone", 40, 0, 0, NULL);
	KTEST_ASSERT_NOT_NULL(t, c);
	o = kmem_cache_alloc(c, GFP_KERNEL);
	o[40] = 0;                               /* one past the end */
	kmem_cache_free(c, o);
	KTEST_EXPECT_EQ(t, slab_debug_reports(), r0 + 1);
	o = kmem_cache_alloc(c, GFP_KERNEL);     /* repaired: quiet */
	o[-1] = 0;                               /* one before the start */
	kmem_cache_free(c, o);
	KTEST_EXPECT_EQ(t, slab_debug_reports(), r0 + 2);
	kmem_cache_free(c, kmem_cache_alloc(c, GFP_KERNEL));
	kmem_cache_destroy(c);
	KTEST_EXPECT_EQ(t, slab_debug_reports(), r0 + 2);
}

/* ---- benchmark ----------------------------------------------------------- */

#define BENCH_PAIRS 20000
#define BENCH_BATCH 256

/*
 * Tenths of a nanosecond per pair, or 0 when the clock does not run; the
 * cycle count per pair goes to *@cycles.
 */
static u64 bench_pairs(struct kmem_cache *c, u64 *cycles)
{
	u64 start = arch_clock_ns(), c0 = arch_cycles();
	unsigned int i;

	for (i = 0; i < BENCH_PAIRS; i++) {
		void *p = c ? kmem_cache_alloc(c, GFP_KERNEL) :
			      kmalloc(32, GFP_KERNEL);

		if (c)
			kmem_cache_free(c, p);
		else
			kfree(p);
	}
	*cycles = (arch_cycles() - c0) / BENCH_PAIRS;
	return (arch_clock_ns() - start) * 10 / BENCH_PAIRS;
}

/* Same, in bursts of BENCH_BATCH: refills and flushes in the count. */
static u64 bench_bursts(void)
{
	static void *objs[BENCH_BATCH];
	u64 start = arch_clock_ns();
	unsigned int i, round;

	for (round = 0; round < BENCH_PAIRS / BENCH_BATCH; round++) {
		for (i = 0; i < BENCH_BATCH; i++)
			objs[i] = kmalloc(32, GFP_KERNEL);
		for (i = 0; i < BENCH_BATCH; i++)
			kfree(objs[i]);
	}
	return (arch_clock_ns() - start) * 10 /
	       (BENCH_PAIRS / BENCH_BATCH * BENCH_BATCH);
}

static void bench_print(const char *what, u64 tenths, u64 cycles)
{
	if (cycles)
		pr_info(KTAP_DIAG "slab_bench: %s: %llu cycles, %llu.%llu ns/pair\n",
			what, cycles, tenths / 10, tenths % 10);
	else
		pr_info(KTAP_DIAG "slab_bench: %s: %llu.%llu ns/pair\n", what,
			tenths / 10, tenths % 10);
}

static void bench_footprint(void)
{
	size_t n = MIN(slab_stats(info_buf, ARRAY_SIZE(info_buf)),
		       ARRAY_SIZE(info_buf));
	unsigned long pages = 0, active = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		pages += info_buf[i].slabs * info_buf[i].pages_per_slab;
		active += info_buf[i].active_objs;
	}
	pr_info(KTAP_DIAG "slab_bench: %zu caches, %lu slab pages (%lu KiB),"
		" %lu objects in use\n", n, pages, pages * (PAGE_SIZE >> 10),
		active);
}

/* Reports figures; never fails. */
static void test_slab_bench(struct ktest *t)
{
	struct kmem_cache *c = kmem_cache_create("kt-bench-32", 32, 0,
						 SLAB_NO_DEBUG, NULL);
	const char *mode = slab_debug_enabled() ? "slab_debug on" :
						  "slab_debug off";
	char what[64];
	u64 cycles, tenths;

	if (!arch_clock_ns()) {
		pr_info(KTAP_DIAG "slab_bench: no clock, nothing measured\n");
		kmem_cache_destroy(c);
		return;
	}
	snprintf(what, sizeof(what), "kmalloc(32)+kfree (%s)", mode);
	tenths = bench_pairs(NULL, &cycles);
	bench_print(what, tenths, cycles);
	snprintf(what, sizeof(what), "kmalloc(32)x%u then kfree (%s)",
		 BENCH_BATCH, mode);
	bench_print(what, bench_bursts(), 0);
	if (c) {
		tenths = bench_pairs(c, &cycles);
		bench_print("kmem_cache_alloc+free, 32-byte SLAB_NO_DEBUG cache",
			    tenths, cycles);
	}
	bench_footprint();
	kmem_cache_destroy(c);
}

static struct ktest_case slab_cases[] = {
	KTEST_CASE(test_cache_alloc_free_destroy),
	KTEST_CASE(test_cache_ctor),
	KTEST_CASE(test_cache_alignment),
	KTEST_CASE(test_shrink_returns_pages),
	KTEST_CASE(test_kmalloc_size_classes),
	KTEST_CASE(test_kmalloc_large),
	KTEST_CASE(test_kmalloc_zero_and_null),
	KTEST_CASE(test_kzalloc_kcalloc),
	KTEST_CASE(test_krealloc),
	KTEST_CASE(test_stress_random),
	KTEST_CASE(test_debug_double_free),
	KTEST_CASE(test_debug_invalid_free),
	KTEST_CASE(test_debug_write_after_free),
	KTEST_CASE(test_debug_red_zone_overflow),
	KTEST_CASE(test_slab_bench),
	{}
};
KTEST_SUITE(slab, slab_cases);
