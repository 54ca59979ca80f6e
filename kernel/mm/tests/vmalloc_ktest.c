/*
 * ktests for vmalloc and kernel stacks.
 */
#include <keel/arch.h>
#include <keel/ktest.h>
#include <keel/mm.h>
#include <keel/string.h>
#include <keel/vm.h>

static void test_vmalloc_small(struct ktest *t)
{
	u8 *v = vmalloc(100);

	KTEST_ASSERT_NOT_NULL(t, v);
	memset(v, 0x5a, PAGE_SIZE);   /* a whole page is usable */
	KTEST_EXPECT_EQ(t, v[PAGE_SIZE - 1], 0x5a);
	vfree(v);
}

static void test_vmalloc_large_pattern(struct ktest *t)
{
	const unsigned long n = 200;
	u32 *v = vmalloc(n * PAGE_SIZE);
	unsigned long i, bad = 0;

	KTEST_ASSERT_NOT_NULL(t, v);
	for (i = 0; i < n * PAGE_SIZE / 4; i++)
		v[i] = (u32)(i * 2654435761u);
	for (i = 0; i < n * PAGE_SIZE / 4; i++)
		bad += v[i] != (u32)(i * 2654435761u);
	KTEST_EXPECT_EQ(t, bad, 0);
	vfree(v);
}

static void test_vzalloc_zeroed(struct ktest *t)
{
	u8 *v = vzalloc(3 * PAGE_SIZE);
	unsigned long i, nonzero = 0;

	KTEST_ASSERT_NOT_NULL(t, v);
	for (i = 0; i < 3 * PAGE_SIZE; i++)
		nonzero += v[i] != 0;
	KTEST_EXPECT_EQ(t, nonzero, 0);
	vfree(v);
}

static void test_vmalloc_areas_distinct(struct ktest *t)
{
	u8 *a = vmalloc(PAGE_SIZE), *b = vmalloc(PAGE_SIZE);

	KTEST_ASSERT_NOT_NULL(t, a);
	KTEST_ASSERT_NOT_NULL(t, b);
	/* At least a guard page apart. */
	KTEST_EXPECT_TRUE(t, b >= a + 2 * PAGE_SIZE || a >= b + 2 * PAGE_SIZE);
	vfree(a);
	vfree(b);
}

static void test_vmalloc_reuses_space(struct ktest *t)
{
	u8 *a = vmalloc(4 * PAGE_SIZE), *b;

	KTEST_ASSERT_NOT_NULL(t, a);
	vfree(a);
	b = vmalloc(4 * PAGE_SIZE);
	KTEST_EXPECT_PTR_EQ(t, a, b);
	vfree(b);
}

static void test_vmalloc_frees_pages(struct ktest *t)
{
	struct page_alloc_stats before, after;
	void *v;

	page_alloc_stats(&before);
	v = vmalloc(64 * PAGE_SIZE);
	KTEST_ASSERT_NOT_NULL(t, v);
	vfree(v);
	page_alloc_stats(&after);
	/* Page tables made for the area may stay; the 64 data pages do not. */
	KTEST_EXPECT_GE(t, after.free_pages + 4, before.free_pages);
}

static void test_vmalloc_bad_sizes(struct ktest *t)
{
	KTEST_EXPECT_NULL(t, vmalloc(0));
	KTEST_EXPECT_NULL(t, vmalloc(1ULL << 50));
	/* PFN_UP() of these wraps to a page count of 0 or 1. */
	KTEST_EXPECT_NULL(t, vmalloc(~0ULL));
	KTEST_EXPECT_NULL(t, vmalloc(~0ULL - PAGE_SIZE + 2));
	KTEST_EXPECT_NULL(t, kstack_alloc(~0ULL));
}

static void test_vfree_bad_pointer_reported(struct ktest *t)
{
	static int not_vmalloc;
	struct page_alloc_stats before, after;
	u8 *live = vmalloc(2 * PAGE_SIZE);

	KTEST_ASSERT_NOT_NULL(t, live);
	live[PAGE_SIZE] = 0x5a;
	page_alloc_stats(&before);
	/* Reported and ignored: nothing is unmapped or freed. */
	vfree(&not_vmalloc);
	vfree(live + 8);           /* inside an area, not its start */
	kstack_free(live);         /* a vmalloc area is not a stack */
	vfree(NULL);
	page_alloc_stats(&after);
	KTEST_EXPECT_EQ(t, after.free_pages, before.free_pages);
	KTEST_EXPECT_EQ(t, arch_probe_write_u8(live + PAGE_SIZE, 0x5b), 0);
	KTEST_EXPECT_EQ(t, live[PAGE_SIZE], 0x5b);
	vfree(live);
}

static void test_kstack_usable(struct ktest *t)
{
	u8 *s = kstack_alloc(16 * 1024);

	KTEST_ASSERT_NOT_NULL(t, s);
	memset(s, 0xee, 16 * 1024);
	KTEST_EXPECT_EQ(t, s[16 * 1024 - 1], 0xee);
	kstack_free(s);
}

static void stack_fn(void *arg)
{
	volatile u8 buf[512];

	buf[0] = 1;
	*(unsigned long *)arg = (unsigned long)&buf[0];
}

static void test_call_on_stack(struct ktest *t)
{
	u8 *s = kstack_alloc(4 * PAGE_SIZE);
	unsigned long where = 0;

	KTEST_ASSERT_NOT_NULL(t, s);
	arch_call_on_stack(s + 4 * PAGE_SIZE, stack_fn, &where);
	KTEST_EXPECT_GE(t, where, (unsigned long)s);
	KTEST_EXPECT_LT(t, where, (unsigned long)s + 4 * PAGE_SIZE);
	kstack_free(s);
}

static void test_ioremap_alias(struct ktest *t)
{
	struct page *p = alloc_page(GFP_KERNEL | __GFP_ZERO);
	u8 *direct, *io;

	KTEST_ASSERT_NOT_NULL(t, p);
	direct = page_address(p);
	direct[100] = 0x42;
	/* An unaligned start maps the page around it and keeps the offset. */
	io = ioremap(page_to_phys(p) + 100, 8, VM_KERNEL_RW);
	KTEST_ASSERT_NOT_NULL(t, io);
	KTEST_EXPECT_EQ(t, io[0], 0x42);
	io[1] = 0x43;
	KTEST_EXPECT_EQ(t, direct[101], 0x43);
	iounmap(io);
	KTEST_EXPECT_NULL(t, ioremap(0x1000, 0, VM_KERNEL_RO));
	KTEST_EXPECT_NULL(t, ioremap(~0ULL - 10, 100, VM_KERNEL_RO));
	free_page(p);
}

static struct ktest_case vmalloc_cases[] = {
	KTEST_CASE(test_ioremap_alias),
	KTEST_CASE(test_vmalloc_small),
	KTEST_CASE(test_vmalloc_large_pattern),
	KTEST_CASE(test_vzalloc_zeroed),
	KTEST_CASE(test_vmalloc_areas_distinct),
	KTEST_CASE(test_vmalloc_reuses_space),
	KTEST_CASE(test_vmalloc_frees_pages),
	KTEST_CASE(test_vmalloc_bad_sizes),
	KTEST_CASE(test_vfree_bad_pointer_reported),
	KTEST_CASE(test_kstack_usable),
	KTEST_CASE(test_call_on_stack),
	{}
};
KTEST_SUITE(vmalloc, vmalloc_cases);
