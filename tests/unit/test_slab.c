/*
 * Host tests of the slab allocator and kmalloc (kernel/mm/slab.c,
 * kernel/mm/slab_debug.c, kernel/mm/kmalloc.c) on the fake page allocator
 * (fake_page_alloc.c).
 *
 * One arena and one kmalloc_init() serve the whole run, as at boot; every
 * test frees what it allocates and destroys its caches. slab_debug keeps
 * its default (on), so the kmalloc caches are debug caches; SLAB_NO_DEBUG
 * caches cover the fast layout. Reports are counted with
 * slab_debug_reports() and read back from the captured log.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <keel/backtrace.h>
#include <keel/ksyms.h>
#include <keel/mm.h>
#include <keel/panic.h>
#include <keel/printk.h>
#include <keel/slab.h>
#include <keel/sprintf.h>
#include <keel/string.h>

#include "fake_page_alloc.h"
#include "log_capture.h"

#define ARENA_PAGES 8192          /* 32 MiB */
#define MAX_INFO    64

/* Debug layout (slab_debug.c head comment): 32-byte track, 8-byte red zones. */
#define TRACK_SIZE  32
#define TRACK_LINK  0
#define TRACK_STATE 8

/* ---- stand-ins for the rest of the kernel -------------------------------- */

void panic(const char *fmt, ...)
{
	char buf[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	fprintf(stderr, "panic: %s\n", buf);
	abort();
}

void backtrace_print_current(void)
{
	printk("Call Trace: (host)\n");
}

int ksym_snprint(char *buf, size_t size, unsigned long addr)
{
	return scnprintf(buf, size, "site@%#lx", addr);
}

/* ---- helpers ------------------------------------------------------------- */

static bool cache_info(const char *name, struct slab_info *out)
{
	static struct slab_info info[MAX_INFO];
	size_t n = slab_stats(info, MAX_INFO), i;

	for (i = 0; i < n && i < MAX_INFO; i++) {
		if (!strcmp(info[i].name, name)) {
			*out = info[i];
			return true;
		}
	}
	return false;
}

static struct slab_info info_of(const char *name)
{
	struct slab_info in;

	assert_true(cache_info(name, &in));
	return in;
}

/* The address logged after "@label: site@" in the last report. */
static unsigned long logged_site(const char *label)
{
	const char *text = log_capture_text(), *p = NULL, *q = text;
	unsigned long addr = 0;

	while ((q = strstr(q, label)) != NULL)
		p = q++;
	assert_non_null(p);
	p = strstr(p, "site@");
	assert_non_null(p);
	assert_int_equal(sscanf(p, "site@%lx", &addr), 1);
	return addr;
}

/* Is @addr inside the first 4 KiB of function @fn? */
static bool site_in(unsigned long addr, void (*fn)(void **))
{
	unsigned long start = (unsigned long)fn;

	return addr >= start && addr < start + 4096;
}

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static uint64_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static void fill(void *p, size_t n, unsigned int seed)
{
	unsigned char *b = p;
	size_t i;

	for (i = 0; i < n; i++)
		b[i] = (unsigned char)(seed + i * 7);
}

static bool filled(const void *p, size_t n, unsigned int seed)
{
	const unsigned char *b = p;
	size_t i;

	for (i = 0; i < n; i++)
		if (b[i] != (unsigned char)(seed + i * 7))
			return false;
	return true;
}

static int setup(void **state)
{
	log_capture_clear();
	return 0;
}

static int group_setup(void **state)
{
	fake_pages_init(ARENA_PAGES);
	kmalloc_init();
	return 0;
}

/* ---- caches -------------------------------------------------------------- */

static void test_create_rejects_bad_arguments(void **state)
{
	assert_null(kmem_cache_create(NULL, 32, 0, 0, NULL));
	assert_null(kmem_cache_create("zero", 0, 0, 0, NULL));
	assert_null(kmem_cache_create("align3", 32, 3, 0, NULL));
	assert_null(kmem_cache_create("align8k", 32, 8192, 0, NULL));
	assert_null(kmem_cache_create("huge", 1 << 20, 0, 0, NULL));
	assert_null(kmem_cache_create("flags", 32, 0, 0x80, NULL));
	assert_true(log_capture_contains("cannot create cache align3"));
}

static void test_cache_alloc_free_destroy(void **state)
{
	size_t before = slab_stats(NULL, 0);
	unsigned long r0 = slab_debug_reports();
	struct kmem_cache *c = kmem_cache_create("t-basic", 40, 0, 0, NULL);
	struct slab_info in;
	void *a, *b;

	assert_non_null(c);
	assert_int_equal(kmem_cache_size(c), 40);
	assert_int_equal(slab_stats(NULL, 0), before + 1);
	a = kmem_cache_alloc(c, GFP_KERNEL);
	b = kmem_cache_alloc(c, GFP_KERNEL);
	assert_non_null(a);
	assert_non_null(b);
	assert_ptr_not_equal(a, b);
	fill(a, 40, 1);
	fill(b, 40, 2);
	assert_true(filled(a, 40, 1));
	in = info_of("t-basic");
	assert_int_equal(in.active_objs, 2);
	assert_int_equal(in.slabs, 1);
	assert_int_equal(in.total_objs, in.objs_per_slab);
	assert_true(in.objs_per_slab >= 8);
	kmem_cache_free(c, a);
	kmem_cache_free(c, b);
	kmem_cache_free(c, NULL);
	assert_int_equal(info_of("t-basic").active_objs, 0);
	kmem_cache_destroy(c);
	assert_false(cache_info("t-basic", &in));
	assert_int_equal(slab_stats(NULL, 0), before);
	assert_int_equal(slab_debug_reports(), r0);
}

/* Slot sizes follow the layout drawn in slab.c. */
static void test_cache_layout(void **state)
{
	struct kmem_cache *dbg = kmem_cache_create("t-l-dbg", 8, 0, 0, NULL);
	struct kmem_cache *fast =
		kmem_cache_create("t-l-fast", 8, 0, SLAB_NO_DEBUG, NULL);
	struct kmem_cache *hw = kmem_cache_create("t-l-hw", 8, 0,
						  SLAB_NO_DEBUG |
						  SLAB_HWCACHE_ALIGN, NULL);

	assert_non_null(dbg);
	assert_non_null(fast);
	assert_non_null(hw);
	/* track 32 + red zone 8 + object 8 + red zone 8 */
	assert_int_equal(info_of("t-l-dbg").slot_size, 56);
	assert_int_equal(info_of("t-l-fast").slot_size, 8);
	assert_int_equal(info_of("t-l-fast").objs_per_slab, PAGE_SIZE / 8);
	assert_int_equal(info_of("t-l-hw").slot_size, 64);
	assert_true(info_of("kmalloc-8192").objs_per_slab >= 7);
	kmem_cache_destroy(dbg);
	kmem_cache_destroy(fast);
	kmem_cache_destroy(hw);
}

static void check_alignment(size_t size, size_t align, unsigned int flags)
{
	struct kmem_cache *c = kmem_cache_create("t-align", size, align,
						 flags, NULL);
	void *objs[20];
	int i;

	assert_non_null(c);
	for (i = 0; i < 20; i++) {
		objs[i] = kmem_cache_alloc(c, GFP_KERNEL);
		assert_non_null(objs[i]);
		assert_true(IS_ALIGNED((uintptr_t)objs[i], align));
		memset(objs[i], 0x33, size);
	}
	for (i = 0; i < 20; i++)
		kmem_cache_free(c, objs[i]);
	kmem_cache_destroy(c);
}

static void test_cache_alignment(void **state)
{
	unsigned long r0 = slab_debug_reports();
	size_t align;

	for (align = 8; align <= 4096; align *= 2) {
		check_alignment(24, align, 0);
		check_alignment(24, align, SLAB_NO_DEBUG);
		check_alignment(align, align, 0);
	}
	/* Natural alignment: the largest power of two dividing the size. */
	check_alignment(64, 64, 0);
	check_alignment(96, 32, 0);
	check_alignment(24, 8, SLAB_NO_DEBUG);
	check_alignment(256, 64, 0);
	assert_int_equal(slab_debug_reports(), r0);
}

static int ctor_calls;

static void ctor_magic(void *obj)
{
	ctor_calls++;
	((u32 *)obj)[0] = 0xc0ffee;
	((u32 *)obj)[1] = 0xbeef;
}

/* Constructed state is made once per slot and survives free. */
static void check_ctor(unsigned int flags)
{
	struct kmem_cache *c = kmem_cache_create("t-ctor", 8, 0, flags,
						 ctor_magic);
	void *a, *b;

	assert_non_null(c);
	ctor_calls = 0;
	a = kmem_cache_alloc(c, GFP_KERNEL);
	assert_non_null(a);
	assert_int_equal(ctor_calls, info_of("t-ctor").objs_per_slab);
	assert_int_equal(((u32 *)a)[0], 0xc0ffee);
	assert_int_equal(((u32 *)a)[1], 0xbeef);
	kmem_cache_free(c, a);
	b = kmem_cache_alloc(c, GFP_KERNEL);
	assert_ptr_equal(a, b);
	assert_int_equal(((u32 *)b)[0], 0xc0ffee);
	assert_int_equal(((u32 *)b)[1], 0xbeef);
	assert_int_equal(ctor_calls, info_of("t-ctor").objs_per_slab);
	kmem_cache_free(c, b);
	kmem_cache_destroy(c);
}

static void test_cache_ctor(void **state)
{
	unsigned long r0 = slab_debug_reports();

	check_ctor(SLAB_NO_DEBUG);
	check_ctor(0);
	assert_int_equal(slab_debug_reports(), r0);
}

static void test_cache_zalloc(void **state)
{
	struct kmem_cache *c = kmem_cache_create("t-zalloc", 200, 0, 0, NULL);
	unsigned char *p;
	int i;

	assert_non_null(c);
	p = kmem_cache_alloc(c, GFP_KERNEL);
	memset(p, 0xff, 200);
	kmem_cache_free(c, p);
	p = kmem_cache_zalloc(c, GFP_KERNEL);
	for (i = 0; i < 200; i++)
		assert_int_equal(p[i], 0);
	kmem_cache_free(c, p);
	kmem_cache_destroy(c);
}

/* Every object freed comes back: a full slab's worth, freed, re-allocated. */
static void test_freed_objects_reused(void **state)
{
	struct kmem_cache *c = kmem_cache_create("t-reuse", 128, 0, 0, NULL);
	void *first[64], *again[64];
	unsigned int n, i, j;

	assert_non_null(c);
	first[0] = kmem_cache_alloc(c, GFP_KERNEL);
	n = info_of("t-reuse").objs_per_slab;
	assert_true(n <= 64);
	for (i = 1; i < n; i++)
		first[i] = kmem_cache_alloc(c, GFP_KERNEL);
	assert_int_equal(info_of("t-reuse").slabs, 1);
	for (i = 0; i < n; i++)
		kmem_cache_free(c, first[i]);
	for (i = 0; i < n; i++)
		again[i] = kmem_cache_alloc(c, GFP_KERNEL);
	assert_int_equal(info_of("t-reuse").slabs, 1);
	for (i = 0; i < n; i++) {
		for (j = 0; j < n && again[j] != first[i]; j++)
			;
		assert_true(j < n);
	}
	for (i = 0; i < n; i++)
		kmem_cache_free(c, again[i]);
	kmem_cache_destroy(c);
}

/* Empty slabs beyond SLAB_MAX_EMPTY go back at once, the rest on shrink. */
static void test_empty_slabs_returned(void **state)
{
	struct kmem_cache *c = kmem_cache_create("t-empty", 512, 0,
						 SLAB_NO_DEBUG, NULL);
	unsigned long base = fake_pages_free_count(), pages;
	static void *objs[20 * 8];
	struct slab_info in;
	unsigned int i, n;

	assert_non_null(c);
	objs[0] = kmem_cache_alloc(c, GFP_KERNEL);
	n = info_of("t-empty").objs_per_slab * 20;
	assert_true(n <= 20 * 8);
	for (i = 1; i < n; i++)
		objs[i] = kmem_cache_alloc(c, GFP_KERNEL);
	in = info_of("t-empty");
	assert_int_equal(in.slabs, 20);
	assert_int_equal(base - fake_pages_free_count(),
			 20 * in.pages_per_slab);
	for (i = 0; i < n; i++)
		kmem_cache_free(c, objs[i]);
	in = info_of("t-empty");
	assert_int_equal(in.active_objs, 0);
	/* Each remaining slab is empty (at most 2) or holds a cached object. */
	assert_true(in.slabs <= 2 + in.cached_objs);
	pages = kmem_cache_shrink(c);
	assert_int_equal(pages, in.slabs * in.pages_per_slab);
	in = info_of("t-empty");
	assert_int_equal(in.slabs, 0);
	assert_int_equal(in.cached_objs, 0);
	assert_int_equal(fake_pages_free_count(), base);
	kmem_cache_destroy(c);
}

static void test_alloc_failure_returns_null(void **state)
{
	struct kmem_cache *c = kmem_cache_create("t-fail", 64, 0, 0, NULL);

	assert_non_null(c);
	fake_pages_fail_after(0);
	assert_null(kmem_cache_alloc(c, GFP_KERNEL));
	assert_null(kmalloc(100000, GFP_KERNEL));
	assert_null(kmalloc(64, GFP_DMA32));
	fake_pages_fail_after(-1);
	assert_int_equal(info_of("t-fail").slabs, 0);
	kmem_cache_destroy(c);
}

static unsigned long reclaim_calls;

static unsigned long reclaim_hook(void)
{
	reclaim_calls++;
	return kmem_cache_shrink_all();
}

/*
 * When pages run out, the page allocator shrinks the caches and retries;
 * that re-enters the slab allocator from inside alloc_pages(), which must
 * not deadlock on a slab lock.
 */
static void test_shrink_all_when_pages_run_out(void **state)
{
	struct kmem_cache *a = kmem_cache_create("t-oom-a", 1024, 0,
						 SLAB_NO_DEBUG, NULL);
	struct kmem_cache *b = kmem_cache_create("t-oom-b", 1024, 0,
						 SLAB_NO_DEBUG, NULL);
	static struct page *hoard[ARENA_PAGES];
	void *objs[32], *obj;
	unsigned int i, nr = 0;

	assert_non_null(a);
	assert_non_null(b);
	for (i = 0; i < 32; i++)
		objs[i] = kmem_cache_alloc(a, GFP_KERNEL);
	for (i = 0; i < 32; i++)
		kmem_cache_free(a, objs[i]);
	assert_true(info_of("t-oom-a").slabs > 0);
	while ((hoard[nr] = alloc_pages(GFP_KERNEL, 0)) != NULL)
		nr++;
	reclaim_calls = 0;
	fake_pages_reclaim = reclaim_hook;
	obj = kmem_cache_alloc(b, GFP_KERNEL);
	fake_pages_reclaim = NULL;
	assert_non_null(obj);
	assert_int_equal(reclaim_calls, 1);
	assert_int_equal(info_of("t-oom-a").slabs, 0);
	kmem_cache_free(b, obj);
	while (nr)
		free_pages(hoard[--nr], 0);
	kmem_cache_destroy(a);
	kmem_cache_destroy(b);
}

static void test_destroy_reports_leaks(void **state)
{
	struct kmem_cache *c = kmem_cache_create("t-leak", 48, 0, 0, NULL);
	unsigned long r0 = slab_debug_reports();
	struct slab_info in;
	void *a, *b;

	assert_non_null(c);
	a = kmem_cache_alloc(c, GFP_KERNEL);
	b = kmem_cache_alloc(c, GFP_KERNEL);
	kmem_cache_destroy(c);
	assert_int_equal(slab_debug_reports(), r0 + 1);
	assert_true(log_capture_contains("destroyed with 2 objects allocated"));
	assert_int_equal(log_capture_count("leaked 0x"), 2);
	assert_true(site_in(logged_site("leaked"),
			    test_destroy_reports_leaks));
	/* The cache stays usable so the leaked objects can still go. */
	assert_true(cache_info("t-leak", &in));
	kmem_cache_free(c, a);
	kmem_cache_free(c, b);
	kmem_cache_destroy(c);
	assert_false(cache_info("t-leak", &in));
	assert_int_equal(slab_debug_reports(), r0 + 1);
}

/* ---- randomized alloc/free against a reference model -------------------- */

struct model_obj {
	unsigned char *p;
	size_t size;              /* bytes owned: object or ksize() */
	unsigned int seed;
	int kind;                 /* index in model_caches[], or -1: kmalloc */
};

#define MODEL_LIVE 1200
#define MODEL_OPS  30000

static struct model_obj live[MODEL_LIVE];
static unsigned int nr_live;

static const struct {
	const char *name;
	size_t size, align;
	unsigned int flags;
} model_specs[] = {
	{ "m-13", 13, 0, 0 },
	{ "m-24-fast", 24, 0, SLAB_NO_DEBUG },
	{ "m-64-a64", 64, 64, 0 },
	{ "m-100-fast", 100, 0, SLAB_NO_DEBUG },
	{ "m-200", 200, 16, 0 },
	{ "m-3000-fast", 3000, 0, SLAB_NO_DEBUG },
	{ "m-4096", 4096, 0, 0 },
};
#define NR_SPECS ARRAY_SIZE(model_specs)
static struct kmem_cache *model_caches[NR_SPECS];

static size_t random_kmalloc_size(void)
{
	unsigned int r = rng() % 100;

	if (r < 70)
		return 1 + rng() % 256;
	if (r < 95)
		return 1 + rng() % KMALLOC_MAX_CACHE_SIZE;
	return 1 + rng() % 40000;
}

static void model_check_disjoint(const struct model_obj *o)
{
	unsigned int i;

	for (i = 0; i < nr_live; i++) {
		const struct model_obj *l = &live[i];

		assert_true(o->p + o->size <= l->p || l->p + l->size <= o->p);
	}
}

static void model_alloc(void)
{
	struct model_obj o;

	o.kind = (int)(rng() % (NR_SPECS + 1)) - 1;
	if (o.kind < 0) {
		o.p = kmalloc(random_kmalloc_size(), GFP_KERNEL);
		assert_non_null(o.p);
		o.size = ksize(o.p);
	} else {
		o.p = kmem_cache_alloc(model_caches[o.kind], GFP_KERNEL);
		assert_non_null(o.p);
		o.size = model_specs[o.kind].size;
		if (model_specs[o.kind].align)
			assert_true(IS_ALIGNED((uintptr_t)o.p,
					       model_specs[o.kind].align));
	}
	assert_true(IS_ALIGNED((uintptr_t)o.p, 8));
	model_check_disjoint(&o);
	o.seed = (unsigned int)rng();
	fill(o.p, o.size, o.seed);
	live[nr_live++] = o;
}

static void model_free(unsigned int i)
{
	struct model_obj o = live[i];

	assert_true(filled(o.p, o.size, o.seed));
	if (o.kind < 0)
		kfree(o.p);
	else
		kmem_cache_free(model_caches[o.kind], o.p);
	live[i] = live[--nr_live];
}

/* The caches' figures agree with the model. */
static void model_check_stats(void)
{
	unsigned int k, i, n;

	for (k = 0; k < NR_SPECS; k++) {
		struct slab_info in = info_of(model_specs[k].name);

		for (i = 0, n = 0; i < nr_live; i++)
			n += live[i].kind == (int)k;
		assert_int_equal(in.active_objs, n);
		assert_int_equal(in.total_objs, in.slabs * in.objs_per_slab);
		assert_true(in.active_objs + in.cached_objs <= in.total_objs);
		/* Past 2 empty slabs, every slab holds a live or cached one. */
		assert_true(in.slabs <= 2 + in.active_objs + in.cached_objs);
	}
}

static void test_random_against_model(void **state)
{
	unsigned long r0 = slab_debug_reports(), base;
	unsigned int k, op;

	kmem_cache_shrink_all();
	base = fake_pages_free_count();
	for (k = 0; k < NR_SPECS; k++) {
		model_caches[k] = kmem_cache_create(model_specs[k].name,
						    model_specs[k].size,
						    model_specs[k].align,
						    model_specs[k].flags, NULL);
		assert_non_null(model_caches[k]);
	}
	for (op = 0; op < MODEL_OPS; op++) {
		/* Drift between filling up and draining. */
		unsigned int want = (op / 5000) % 2 ? 30 : 70;

		if (nr_live < MODEL_LIVE && (!nr_live || rng() % 100 < want))
			model_alloc();
		else
			model_free((unsigned int)(rng() % nr_live));
		if (op % 1000 == 0)
			model_check_stats();
	}
	while (nr_live)
		model_free(nr_live - 1);
	model_check_stats();
	for (k = 0; k < NR_SPECS; k++)
		kmem_cache_destroy(model_caches[k]);
	kmem_cache_shrink_all();
	assert_int_equal(fake_pages_free_count(), base);
	assert_int_equal(slab_debug_reports(), r0);
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

static void test_kmalloc_size_classes(void **state)
{
	unsigned long r0 = slab_debug_reports();
	size_t size;

	for (size = 1; size <= KMALLOC_MAX_CACHE_SIZE; size++) {
		size_t cls = class_of(size);
		void *p = kmalloc(size, GFP_KERNEL);

		assert_non_null(p);
		assert_int_equal(ksize(p), cls);
		assert_true(IS_ALIGNED((uintptr_t)p, MIN(cls & -cls, 64)));
		memset(p, 0xab, cls); /* the whole class size is usable */
		kfree(p);
	}
	assert_int_equal(slab_debug_reports(), r0);
	assert_true(cache_info("kmalloc-96", &(struct slab_info){ 0 }));
	assert_true(cache_info("kmalloc-192", &(struct slab_info){ 0 }));
}

static void check_large(size_t size, unsigned int order)
{
	unsigned long base = fake_pages_free_count();
	unsigned char *p = kmalloc(size, GFP_KERNEL);
	struct page *page;

	assert_non_null(p);
	assert_true(IS_ALIGNED((uintptr_t)p, PAGE_SIZE));
	assert_int_equal(ksize(p), PAGE_SIZE << order);
	page = virt_to_page(p);
	assert_true(page_test_flag(page, PG_large_kmalloc));
	assert_int_equal(page->order, order);
	assert_int_equal(base - fake_pages_free_count(), 1UL << order);
	memset(p, 0x77, size);
	kfree(p);
	assert_int_equal(fake_pages_free_count(), base);
}

static void test_kmalloc_large(void **state)
{
	unsigned char *z;
	size_t i;

	check_large(KMALLOC_MAX_CACHE_SIZE + 1, 2);
	check_large(5 * PAGE_SIZE, 3);
	check_large(1 << 20, 8);
	check_large(PAGE_SIZE << MAX_ORDER, MAX_ORDER);
	assert_null(kmalloc((PAGE_SIZE << MAX_ORDER) + 1, GFP_KERNEL));
	assert_true(log_capture_contains("more than the largest block"));
	z = kzalloc(20000, GFP_KERNEL);
	assert_non_null(z);
	for (i = 0; i < 20000; i++)
		assert_int_equal(z[i], 0);
	kfree(z);
}

/* DMA32 requests bypass the caches, whose slabs may lie anywhere. */
static void test_kmalloc_dma32(void **state)
{
	void *p = kmalloc(64, GFP_DMA32);

	assert_non_null(p);
	assert_true(IS_ALIGNED((uintptr_t)p, PAGE_SIZE));
	assert_int_equal(ksize(p), PAGE_SIZE);
	kfree(p);
}

static void test_kmalloc_zero_and_null(void **state)
{
	unsigned long r0 = slab_debug_reports();
	void *p;

	assert_ptr_equal(kmalloc(0, GFP_KERNEL), ZERO_SIZE_PTR);
	assert_ptr_equal(kzalloc(0, GFP_KERNEL), ZERO_SIZE_PTR);
	kfree(ZERO_SIZE_PTR);
	kfree(NULL);
	assert_int_equal(ksize(NULL), 0);
	assert_int_equal(ksize(ZERO_SIZE_PTR), 0);
	p = krealloc(ZERO_SIZE_PTR, 10, GFP_KERNEL);
	assert_non_null(p);
	assert_int_equal(ksize(p), 16);
	kfree(p);
	assert_int_equal(slab_debug_reports(), r0);
}

static void test_krealloc(void **state)
{
	static const size_t sizes[] = { 10, 100, 5000, 8192, 20000, 100000 };
	unsigned char *p = krealloc(NULL, 1, GFP_KERNEL), *q;
	size_t i, have = 1;
	unsigned long active;

	assert_non_null(p);
	fill(p, have, 5);
	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		q = krealloc(p, sizes[i], GFP_KERNEL);
		assert_non_null(q);
		assert_true(filled(q, have, 5));
		assert_true(ksize(q) >= sizes[i]);
		fill(q, sizes[i], 5);
		p = q;
		have = sizes[i];
	}
	/* Shrinking stays in place. */
	assert_ptr_equal(krealloc(p, 50, GFP_KERNEL), p);
	assert_true(filled(p, 50, 5));
	kfree(p);

	p = kmalloc(40, GFP_KERNEL);
	active = info_of("kmalloc-64").active_objs;
	assert_ptr_equal(krealloc(p, 0, GFP_KERNEL), ZERO_SIZE_PTR);
	assert_int_equal(info_of("kmalloc-64").active_objs, active - 1);

	/* Growing fails cleanly: the old block is untouched and still live. */
	p = kmalloc(16, GFP_KERNEL);
	fill(p, 16, 9);
	fake_pages_fail_after(0);
	assert_null(krealloc(p, 50000, GFP_KERNEL));
	fake_pages_fail_after(-1);
	assert_true(filled(p, 16, 9));
	kfree(p);
}

static void test_kcalloc(void **state)
{
	unsigned char *p;
	size_t i;

	assert_null(kcalloc(SIZE_MAX / 2 + 1, 2, GFP_KERNEL));
	assert_null(kcalloc(2, SIZE_MAX / 2 + 1, GFP_KERNEL));
	assert_ptr_equal(kcalloc(0, 5, GFP_KERNEL), ZERO_SIZE_PTR);
	p = kmalloc(100, GFP_KERNEL);
	memset(p, 0xee, 100);
	kfree(p);
	p = kcalloc(10, 10, GFP_KERNEL);
	assert_non_null(p);
	assert_int_equal(ksize(p), 128);
	for (i = 0; i < 100; i++)
		assert_int_equal(p[i], 0);
	kfree(p);
}

/* ---- debug mode ---------------------------------------------------------- */

static void test_debug_double_free(void **state)
{
	struct kmem_cache *c = kmem_cache_create("t-dbl", 48, 0, 0, NULL);
	unsigned long r0 = slab_debug_reports();
	void *o, *a, *b;

	assert_true(slab_debug_enabled());
	o = kmem_cache_alloc(c, GFP_KERNEL);
	kmem_cache_free(c, o);
	kmem_cache_free(c, o);
	assert_int_equal(slab_debug_reports(), r0 + 1);
	assert_true(log_capture_contains("BUG: double free"));
	assert_true(log_capture_contains("cache t-dbl, object"));
	assert_true(log_capture_contains("Call Trace"));
	assert_true(site_in(logged_site("last allocated by"),
			    test_debug_double_free));
	assert_true(site_in(logged_site("last freed by"),
			    test_debug_double_free));
	assert_true(site_in(logged_site("offending call from"),
			    test_debug_double_free));
	/* The second free was ignored: the object comes back once only. */
	a = kmem_cache_alloc(c, GFP_KERNEL);
	b = kmem_cache_alloc(c, GFP_KERNEL);
	assert_ptr_equal(a, o);
	assert_ptr_not_equal(b, o);
	kmem_cache_free(c, a);
	kmem_cache_free(c, b);
	kmem_cache_destroy(c);
	assert_int_equal(slab_debug_reports(), r0 + 1);
}

static void test_debug_kfree_double_free(void **state)
{
	unsigned long r0 = slab_debug_reports();
	void *p = kmalloc(32, GFP_KERNEL), *q, *r;

	kfree(p);
	kfree(p);
	assert_int_equal(slab_debug_reports(), r0 + 1);
	assert_true(log_capture_contains("cache kmalloc-32"));
	assert_true(log_capture_contains("double free"));
	assert_true(site_in(logged_site("last allocated by"),
			    test_debug_kfree_double_free));
	/* The second free was ignored: the object comes back once only. */
	q = kmalloc(32, GFP_KERNEL);
	r = kmalloc(32, GFP_KERNEL);
	assert_ptr_equal(q, p);
	assert_ptr_not_equal(r, p);
	kfree(q);
	kfree(r);
	assert_int_equal(slab_debug_reports(), r0 + 1);
}

static int some_global;

static void test_debug_invalid_free(void **state)
{
	unsigned long r0 = slab_debug_reports();
	struct kmem_cache *c = kmem_cache_create("t-inv", 64, 0, 0, NULL);
	struct kmem_cache *other = kmem_cache_create("t-other", 64, 0, 0,
						     NULL);
	unsigned char *p = kmalloc(64, GFP_KERNEL), *o, *big;
	struct page *page = alloc_pages(GFP_KERNEL, 0);
	int on_stack = 0;
	void *host_heap = malloc(32);

	kfree(p + 8);
	assert_true(log_capture_contains("not the start of an object"));
	assert_true(log_capture_contains("+ 8"));
	kfree(&on_stack);
	kfree(&some_global);
	kfree(host_heap);
	kfree((char *)page_address(page) + 16);
	assert_true(log_capture_contains("not a kmalloc'd address"));
	big = kmalloc(3 * PAGE_SIZE, GFP_KERNEL);
	kfree(big + PAGE_SIZE);
	assert_true(log_capture_contains("not the start of a large"));
	o = kmem_cache_alloc(c, GFP_KERNEL);
	kmem_cache_free(other, o);
	assert_true(log_capture_contains("object belongs to cache t-inv"));
	kmem_cache_free(c, o - 16);  /* into its track */
	assert_true(log_capture_contains("- 16"));
	kmem_cache_free(c, &on_stack);
	assert_int_equal(slab_debug_reports(), r0 + 9);
	/* The kernel carries on: all of these are still allocated. */
	kfree(p);
	kfree(big);
	kmem_cache_free(c, o);
	free_pages(page, 0);
	free(host_heap);
	kmem_cache_destroy(c);
	kmem_cache_destroy(other);
	assert_int_equal(slab_debug_reports(), r0 + 9);
}

static void check_write_after_free(size_t offset)
{
	struct kmem_cache *c = kmem_cache_create("t-waf", 64, 0, 0, NULL);
	unsigned long r0 = slab_debug_reports();
	char expect[64];
	unsigned char *o, *again;

	o = kmem_cache_alloc(c, GFP_KERNEL);
	kmem_cache_free(c, o);
	o[offset] = 0x11;
	again = kmem_cache_alloc(c, GFP_KERNEL);
	assert_ptr_equal(again, o);
	assert_int_equal(slab_debug_reports(), r0 + 1);
	snprintf(expect, sizeof(expect), "first modified byte at offset %zu",
		 offset);
	assert_true(log_capture_contains("BUG: write after free"));
	assert_true(log_capture_contains(expect));
	/* Freed again, it is re-poisoned: no second report. */
	kmem_cache_free(c, again);
	kmem_cache_free(c, kmem_cache_alloc(c, GFP_KERNEL));
	kmem_cache_destroy(c);
	assert_int_equal(slab_debug_reports(), r0 + 1);
	log_capture_clear();
}

static void test_debug_write_after_free(void **state)
{
	check_write_after_free(0);
	check_write_after_free(5);
	check_write_after_free(63);
}

static void test_debug_red_zones(void **state)
{
	struct kmem_cache *c = kmem_cache_create("t-rz", 40, 0, 0, NULL);
	unsigned long r0 = slab_debug_reports();
	unsigned char *o;

	o = kmem_cache_alloc(c, GFP_KERNEL);
	o[40] = 0;
	o[42] = 0;
	kmem_cache_free(c, o);
	assert_int_equal(slab_debug_reports(), r0 + 1);
	assert_true(log_capture_contains("red zone after the object"));
	assert_true(log_capture_contains("first bad byte at object + 40"));

	o = kmem_cache_alloc(c, GFP_KERNEL);   /* repaired: no report */
	assert_int_equal(slab_debug_reports(), r0 + 1);
	o[-3] = 0;
	kmem_cache_free(c, o);
	assert_int_equal(slab_debug_reports(), r0 + 2);
	assert_true(log_capture_contains("red zone before the object"));
	assert_true(log_capture_contains("lowest bad byte at object - 3"));

	/* A red zone written while the object is free: seen on allocation. */
	o[41] = 1;
	o = kmem_cache_alloc(c, GFP_KERNEL);
	assert_int_equal(slab_debug_reports(), r0 + 3);
	assert_true(log_capture_contains("red zone after a free object"));
	kmem_cache_free(c, o);
	kmem_cache_destroy(c);
	assert_int_equal(slab_debug_reports(), r0 + 3);
}

static void test_debug_kmalloc_overflow(void **state)
{
	unsigned long r0 = slab_debug_reports();
	unsigned char *p = kmalloc(32, GFP_KERNEL);

	p[32] = 'x';
	kfree(p);
	assert_int_equal(slab_debug_reports(), r0 + 1);
	assert_true(log_capture_contains("cache kmalloc-32"));
	assert_true(log_capture_contains("red zone after the object"));
}

/*
 * Damaged metadata: a free-list link pointing outside the slab is caught
 * before it is followed, and a free of an object whose state word is
 * garbage is refused rather than risk a double free.
 */
static void test_debug_metadata_damage(void **state)
{
	struct kmem_cache *c = kmem_cache_create("t-meta", 24, 0, 0, NULL);
	unsigned long r0 = slab_debug_reports();
	unsigned char *first, *second, *fresh, *o;
	size_t stride;

	first = kmem_cache_alloc(c, GFP_KERNEL);  /* slot 0 of a new slab */
	stride = info_of("t-meta").slot_size;
	second = first + stride;                   /* on the slab freelist */
	*(void **)(second - 40 + TRACK_LINK) = (void *)0x1234;
	o = kmem_cache_alloc(c, GFP_KERNEL);       /* refill reaches it */
	assert_ptr_equal(o, second);
	assert_int_equal(slab_debug_reports(), r0 + 1);
	assert_true(log_capture_contains("free-list link overwritten"));
	assert_true(site_in(logged_site("offending call from"),
			    test_debug_metadata_damage));
	fresh = kmem_cache_alloc(c, GFP_KERNEL);   /* from a new slab */
	assert_non_null(fresh);
	assert_int_equal(info_of("t-meta").slabs, 2);

	*(unsigned long *)(o - 40 + TRACK_STATE) = 0x5555;
	kmem_cache_free(c, o);
	assert_int_equal(slab_debug_reports(), r0 + 2);
	assert_true(log_capture_contains("metadata is overwritten"));

	kmem_cache_free(c, first);
	kmem_cache_free(c, fresh);
	/* The lost free list and the refused object keep a slab alive. */
	kmem_cache_destroy(c);
	assert_int_equal(slab_debug_reports(), r0 + 3);
	assert_true(log_capture_contains("destroyed with"));
}

/* SLAB_NO_DEBUG: no metadata, no checks, no reports. */
static void test_no_debug_cache(void **state)
{
	struct kmem_cache *c = kmem_cache_create("t-nodbg", 32, 0,
						 SLAB_NO_DEBUG, NULL);
	unsigned long r0 = slab_debug_reports();
	unsigned char *o;

	assert_int_equal(info_of("t-nodbg").slot_size, 32);
	o = kmem_cache_alloc(c, GFP_KERNEL);
	kmem_cache_free(c, o);
	o[20] = 1;                                 /* not the link word */
	assert_ptr_equal(kmem_cache_alloc(c, GFP_KERNEL), o);
	kmem_cache_free(c, o);
	kmem_cache_destroy(c);
	assert_int_equal(slab_debug_reports(), r0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_create_rejects_bad_arguments,
				       setup),
		cmocka_unit_test_setup(test_cache_alloc_free_destroy, setup),
		cmocka_unit_test_setup(test_cache_layout, setup),
		cmocka_unit_test_setup(test_cache_alignment, setup),
		cmocka_unit_test_setup(test_cache_ctor, setup),
		cmocka_unit_test_setup(test_cache_zalloc, setup),
		cmocka_unit_test_setup(test_freed_objects_reused, setup),
		cmocka_unit_test_setup(test_empty_slabs_returned, setup),
		cmocka_unit_test_setup(test_alloc_failure_returns_null, setup),
		cmocka_unit_test_setup(test_shrink_all_when_pages_run_out,
				       setup),
		cmocka_unit_test_setup(test_random_against_model, setup),
		cmocka_unit_test_setup(test_kmalloc_size_classes, setup),
		cmocka_unit_test_setup(test_kmalloc_large, setup),
		cmocka_unit_test_setup(test_kmalloc_dma32, setup),
		cmocka_unit_test_setup(test_kmalloc_zero_and_null, setup),
		cmocka_unit_test_setup(test_krealloc, setup),
		cmocka_unit_test_setup(test_kcalloc, setup),
		cmocka_unit_test_setup(test_destroy_reports_leaks, setup),
		cmocka_unit_test_setup(test_debug_double_free, setup),
		cmocka_unit_test_setup(test_debug_kfree_double_free, setup),
		cmocka_unit_test_setup(test_debug_invalid_free, setup),
		cmocka_unit_test_setup(test_debug_write_after_free, setup),
		cmocka_unit_test_setup(test_debug_red_zones, setup),
		cmocka_unit_test_setup(test_debug_kmalloc_overflow, setup),
		cmocka_unit_test_setup(test_debug_metadata_damage, setup),
		cmocka_unit_test_setup(test_no_debug_cache, setup),
	};

	return cmocka_run_group_tests(tests, group_setup, NULL);
}
