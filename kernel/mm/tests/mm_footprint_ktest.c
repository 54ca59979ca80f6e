/*
 * Reports (never asserts) the kernel's memory footprint once boot is done,
 * for the benchmark record; checks only that the parts add up.
 */
#include <keel/ktest.h>
#include <keel/mm.h>
#include <keel/printk.h>

static void test_footprint_report(struct ktest *t)
{
	struct page_alloc_stats st;
	struct mm_footprint fp;

	mm_footprint(&fp);
	page_alloc_stats(&st);
	pr_info("    # mm_footprint: %llu KiB in use after boot (image %llu KiB, "
		"struct pages %llu KiB, boot page tables and data %llu KiB), "
		"%lu KiB free\n", fp.used_kib, fp.image_kib, fp.mem_map_kib,
		fp.early_kib, st.free_pages << PAGE_SHIFT >> 10);
	KTEST_EXPECT_GE(t, fp.used_kib, fp.image_kib + fp.mem_map_kib);
	KTEST_EXPECT_LE(t, st.free_pages, st.total_pages);
}

static struct ktest_case mm_footprint_cases[] = {
	KTEST_CASE(test_footprint_report),
	{}
};
KTEST_SUITE(mm_footprint, mm_footprint_cases);
