/*
 * ktests of allocation failure: with the page allocator failing on purpose
 * (fault injection), every allocation API returns NULL or -ENOMEM, nothing
 * crashes, nothing leaks (the free page count is back where it started once
 * injection stops), and earlier allocations stay intact.
 *
 * Booted with fail_page_alloc=1 (the boot-fail-alloc system test) the same
 * suite also shows the boot path survives injected failures.
 */
#include <keel/arch.h>
#include <keel/errno.h>
#include <keel/ktest.h>
#include <keel/memblock.h>
#include <keel/mm.h>
#include <keel/page_alloc.h>
#include <keel/slab.h>
#include <keel/string.h>
#include <keel/vm.h>

static unsigned long free_now(void)
{
	struct page_alloc_stats st;

	kmem_cache_shrink_all();
	page_alloc_drain_local();
	page_alloc_stats(&st);
	return st.free_pages;
}

static void test_every_api_fails_cleanly(struct ktest *t)
{
	unsigned long before = free_now(), injected = page_alloc_injected_failures();
	void *keep = kmalloc(4000, GFP_KERNEL);

	KTEST_ASSERT_NOT_NULL(t, keep);
	memset(keep, 0x77, 4000);
	page_alloc_inject_failures(1, 0);   /* every allocation fails */
	KTEST_EXPECT_NULL(t, alloc_pages(GFP_KERNEL | __GFP_NOWARN, 0));
	KTEST_EXPECT_NULL(t, alloc_pages(GFP_KERNEL | __GFP_NOWARN, 3));
	KTEST_EXPECT_NULL(t, get_free_pages(GFP_KERNEL | __GFP_NOWARN, 0));
	KTEST_EXPECT_NULL(t, vmalloc(16 * PAGE_SIZE));
	KTEST_EXPECT_NULL(t, kstack_alloc(4 * PAGE_SIZE));
	KTEST_EXPECT_NULL(t, kmalloc(64 * 1024, GFP_KERNEL | __GFP_NOWARN));
	/* A failed krealloc leaves the old block alone. */
	KTEST_EXPECT_NULL(t, krealloc(keep, 1 << 20, GFP_KERNEL | __GFP_NOWARN));
	KTEST_EXPECT_EQ(t, ((u8 *)keep)[3999], 0x77);
	KTEST_EXPECT_EQ(t, pgtable_alloc_page(), 0);
	page_alloc_inject_failures(0, 0);
	KTEST_EXPECT_GT(t, page_alloc_injected_failures(), injected);
	kfree(keep);
	KTEST_EXPECT_EQ(t, free_now(), before);
}

/* vmalloc fails halfway through its pages: what it took is given back. */
static void test_vmalloc_partial_failure_no_leak(struct ktest *t)
{
	unsigned long before = free_now();
	unsigned int i, failures = 0;

	for (i = 2; i < 12; i++) {
		void *v;

		page_alloc_inject_failures(i, 1);
		v = vmalloc(16 * PAGE_SIZE);
		page_alloc_inject_failures(0, 0);
		if (v)
			vfree(v);
		else
			failures++;
	}
	KTEST_EXPECT_GT(t, failures, 0);
	KTEST_EXPECT_EQ(t, free_now(), before);
}

static void test_slab_cache_under_failures(struct ktest *t)
{
	struct kmem_cache *c = kmem_cache_create("ktest-fail", 200, 0, 0, NULL);
	void *objs[64];
	unsigned int i, got = 0;

	KTEST_ASSERT_NOT_NULL(t, c);
	page_alloc_inject_failures(2, 0);
	for (i = 0; i < ARRAY_SIZE(objs); i++) {
		objs[i] = kmem_cache_alloc(c, GFP_KERNEL | __GFP_NOWARN);
		got += objs[i] != NULL;
	}
	page_alloc_inject_failures(0, 0);
	for (i = 0; i < ARRAY_SIZE(objs); i++)
		if (objs[i])
			kmem_cache_free(c, objs[i]);
	kmem_cache_destroy(c);
	KTEST_EXPECT_GT(t, got, 0);
}

static void test_map_page_enomem(struct ktest *t)
{
	vaddr_t start, end;

	/* A fresh address far into the vmalloc area needs new page tables. */
	arch_vmalloc_range(&start, &end);
	page_alloc_inject_failures(1, 0);
	KTEST_EXPECT_EQ(t, arch_map_page(arch_kernel_root(), end - (1ULL << 30),
					 0, VM_KERNEL_RW), -ENOMEM);
	page_alloc_inject_failures(0, 0);
}

static struct ktest_case mm_failures_cases[] = {
	KTEST_CASE(test_every_api_fails_cleanly),
	KTEST_CASE(test_vmalloc_partial_failure_no_leak),
	KTEST_CASE(test_slab_cache_under_failures),
	KTEST_CASE(test_map_page_enomem),
	{}
};
KTEST_SUITE(mm_failures, mm_failures_cases);
