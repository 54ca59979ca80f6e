/*
 * ktests that memory above 4 GiB works when the machine has it: ordinary
 * allocations come from there first (ZONE_NORMAL), DMA32 ones never do, and
 * the direct map reaches those frames. Skipped on machines with less RAM.
 */
#include <keel/ktest.h>
#include <keel/mm.h>

#define FOUR_GIB (4ULL << 30)

static void test_normal_allocations_above_4g(struct ktest *t)
{
	struct page *p;
	u64 *v;

	if ((u64)max_pfn << PAGE_SHIFT <= FOUR_GIB + (64ULL << 20)) {
		ktest_skip(t, "no RAM above 4 GiB");
		return;
	}
	p = alloc_page(GFP_KERNEL);
	KTEST_ASSERT_NOT_NULL(t, p);
	KTEST_EXPECT_GE(t, page_to_phys(p), FOUR_GIB);
	v = page_address(p);
	v[0] = 0x1122334455667788ULL;
	v[511] = ~v[0];
	KTEST_EXPECT_UEQ(t, v[0] ^ v[511], ~0ULL);
	free_page(p);
}

static void test_dma32_allocations_below_4g(struct ktest *t)
{
	struct page *p = alloc_pages(GFP_DMA32, 2);

	KTEST_ASSERT_NOT_NULL(t, p);
	KTEST_EXPECT_LT(t, page_to_phys(p) + 4 * PAGE_SIZE, FOUR_GIB + 1);
	free_pages(p, 2);
}

static struct ktest_case highmem_cases[] = {
	KTEST_CASE(test_normal_allocations_above_4g),
	KTEST_CASE(test_dma32_allocations_below_4g),
	{}
};
KTEST_SUITE(highmem, highmem_cases);
