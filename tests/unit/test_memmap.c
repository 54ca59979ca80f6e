/*
 * Host tests of memory-map sanitizing and memmap= parsing
 * (kernel/init/memmap.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <keel/errno.h>
#include <keel/memmap.h>
#include <keel/string.h>

#include "log_capture.h"

#define KiB 1024ULL
#define MiB (1024 * KiB)

static struct memmap mm;

static void add(u64 base, u64 len, u32 type)
{
	mm.entries[mm.count].base = base;
	mm.entries[mm.count].length = len;
	mm.entries[mm.count].type = type;
	mm.count++;
}

static void expect(unsigned int i, u64 base, u64 len, u32 type)
{
	assert_true(i < mm.count);
	assert_int_equal(mm.entries[i].base, base);
	assert_int_equal(mm.entries[i].length, len);
	assert_int_equal(mm.entries[i].type, type);
}

static int setup(void **state)
{
	memset(&mm, 0, sizeof(mm));
	log_capture_clear();
	return 0;
}

/* A clean, sorted map is kept as it is, with nothing reported. */
static void test_clean_map_unchanged(void **state)
{
	add(0, 636 * KiB, MEMMAP_USABLE);
	add(0xf0000, 64 * KiB, MEMMAP_RESERVED);
	add(1 * MiB, 255 * MiB, MEMMAP_USABLE);
	assert_int_equal(memmap_sanitize(&mm), 0);
	assert_int_equal(mm.count, 3);
	expect(0, 0, 636 * KiB, MEMMAP_USABLE);
	expect(1, 0xf0000, 64 * KiB, MEMMAP_RESERVED);
	expect(2, 1 * MiB, 255 * MiB, MEMMAP_USABLE);
	assert_string_equal(log_capture_text(), "");
}

static void test_sorts(void **state)
{
	add(1 * MiB, 1 * MiB, MEMMAP_USABLE);
	add(0, 64 * KiB, MEMMAP_USABLE);
	assert_int_equal(memmap_sanitize(&mm), 0);
	expect(0, 0, 64 * KiB, MEMMAP_USABLE);
	expect(1, 1 * MiB, 1 * MiB, MEMMAP_USABLE);
}

static void test_merges_neighbours(void **state)
{
	add(0, 1 * MiB, MEMMAP_USABLE);
	add(1 * MiB, 1 * MiB, MEMMAP_USABLE);
	add(2 * MiB, 4 * KiB, MEMMAP_RESERVED);
	assert_int_equal(memmap_sanitize(&mm), 0);
	assert_int_equal(mm.count, 2);
	expect(0, 0, 2 * MiB, MEMMAP_USABLE);
	expect(1, 2 * MiB, 4 * KiB, MEMMAP_RESERVED);
}

/* Reserved memory inside usable memory splits it; reserved wins. */
static void test_overlap_reserved_wins(void **state)
{
	add(0, 16 * MiB, MEMMAP_USABLE);
	add(4 * MiB, 1 * MiB, MEMMAP_RESERVED);
	assert_int_equal(memmap_sanitize(&mm), 1);
	assert_int_equal(mm.count, 3);
	expect(0, 0, 4 * MiB, MEMMAP_USABLE);
	expect(1, 4 * MiB, 1 * MiB, MEMMAP_RESERVED);
	expect(2, 5 * MiB, 11 * MiB, MEMMAP_USABLE);
	assert_int_equal(log_capture_count("overlap"), 1);
}

static void test_overlap_rank_order(void **state)
{
	add(0, 8 * MiB, MEMMAP_ACPI_RECLAIMABLE);
	add(2 * MiB, 2 * MiB, MEMMAP_BAD);
	add(0, 8 * MiB, MEMMAP_ACPI_NVS);
	add(6 * MiB, 4 * MiB, MEMMAP_USABLE);
	assert_int_equal(memmap_sanitize(&mm), 1);
	assert_int_equal(mm.count, 4);
	expect(0, 0, 2 * MiB, MEMMAP_ACPI_NVS);
	expect(1, 2 * MiB, 2 * MiB, MEMMAP_BAD);
	expect(2, 4 * MiB, 4 * MiB, MEMMAP_ACPI_NVS);
	expect(3, 8 * MiB, 2 * MiB, MEMMAP_USABLE);
}

static void test_unaligned_usable_trimmed(void **state)
{
	add(0x1003, 0x3000, MEMMAP_USABLE);   /* whole pages: 0x2000-0x4000 */
	add(0x10000, 0x800, MEMMAP_USABLE);   /* no whole page */
	add(0x20003, 0x10, MEMMAP_RESERVED);  /* reserved: kept as is */
	assert_int_equal(memmap_sanitize(&mm), 1);
	assert_int_equal(mm.count, 2);
	expect(0, 0x2000, 0x2000, MEMMAP_USABLE);
	expect(1, 0x20003, 0x10, MEMMAP_RESERVED);
	assert_int_equal(log_capture_count("unaligned"), 2);
}

static void test_empty_and_out_of_range(void **state)
{
	add(0x5000, 0, MEMMAP_USABLE);
	add(0xfffffffffffff000ULL, 0x2000, MEMMAP_RESERVED);  /* wraps */
	add(MEMMAP_ADDR_LIMIT - 0x1000, 0x3000, MEMMAP_USABLE);
	assert_int_equal(memmap_sanitize(&mm), 3);
	assert_int_equal(mm.count, 1);
	expect(0, MEMMAP_ADDR_LIMIT - 0x1000, 0x1000, MEMMAP_USABLE);
	assert_true(log_capture_contains("empty entry at 0x5000 dropped"));
	assert_true(log_capture_contains("0xfffffffffffff000 is beyond the physical address limit"));
	assert_true(log_capture_contains("runs past the physical address limit, clipped"));
}

static void test_unknown_type_is_reserved(void **state)
{
	add(0, 4 * KiB, 77);
	add(4 * KiB, 4 * KiB, MEMMAP_RESERVED);
	assert_int_equal(memmap_sanitize(&mm), 0);
	assert_int_equal(mm.count, 1);
	expect(0, 0, 8 * KiB, MEMMAP_RESERVED);
}

static void test_truncated_reported(void **state)
{
	mm.truncated = true;
	add(0, 4 * KiB, MEMMAP_USABLE);
	assert_int_equal(memmap_sanitize(&mm), 1);
	assert_true(log_capture_contains("more than 128 entries"));
}

static void test_many_overlaps_capped(void **state)
{
	unsigned int i;

	for (i = 0; i < 20; i++)
		add(i * 4 * KiB, 64 * KiB, MEMMAP_USABLE);
	assert_int_equal(memmap_sanitize(&mm), 1);
	assert_int_equal(mm.count, 1);
	expect(0, 0, 19 * 4 * KiB + 64 * KiB, MEMMAP_USABLE);
	assert_int_equal(log_capture_count("overlap;"), 8);
	assert_true(log_capture_contains("more overlapping pairs not shown"));
}

static void test_full_map_of_splits(void **state)
{
	unsigned int i;

	/* 64 reserved holes in one usable range: 129 pieces, max is 128. */
	add(0, 1024 * MiB, MEMMAP_USABLE);
	for (i = 0; i < 64; i++)
		add((2 * i + 1) * MiB, 4 * KiB, MEMMAP_RESERVED);
	memmap_sanitize(&mm);
	assert_int_equal(mm.count, BOOT_MEMMAP_MAX);
	assert_true(log_capture_contains("sanitized map exceeds"));
}

static void test_totals(void **state)
{
	struct memmap_totals t;

	add(0, 636 * KiB, MEMMAP_USABLE);
	add(1 * MiB, 3 * MiB, MEMMAP_USABLE);
	add(4 * MiB, 1 * MiB, MEMMAP_ACPI_NVS);
	memmap_totals(&mm, &t);
	assert_int_equal(t.usable, 636 * KiB + 3 * MiB);
	assert_int_equal(t.reserved, 1 * MiB);
	assert_int_equal(t.highest_usable_end, 4 * MiB);
}

static void test_parse_arg(void **state)
{
	struct memmap_entry e;

	assert_int_equal(memmap_parse_arg("64K@0x100000", &e), 0);
	assert_int_equal(e.base, 0x100000);
	assert_int_equal(e.length, 64 * KiB);
	assert_int_equal(e.type, MEMMAP_USABLE);
	assert_int_equal(memmap_parse_arg("1M$16M", &e), 0);
	assert_int_equal(e.base, 16 * MiB);
	assert_int_equal(e.type, MEMMAP_RESERVED);
	assert_int_equal(memmap_parse_arg("0x1001!0x3", &e), 0);
	assert_int_equal(e.type, MEMMAP_RESERVED);
	assert_int_equal(memmap_parse_arg("4K#0", &e), 0);
	assert_int_equal(e.type, MEMMAP_ACPI_RECLAIMABLE);
}

static void test_parse_arg_errors(void **state)
{
	struct memmap_entry e;

	assert_int_equal(memmap_parse_arg(NULL, &e), -EINVAL);
	assert_int_equal(memmap_parse_arg("", &e), -EINVAL);
	assert_int_equal(memmap_parse_arg("64K", &e), -EINVAL);
	assert_int_equal(memmap_parse_arg("64K@", &e), -EINVAL);
	assert_int_equal(memmap_parse_arg("0@0x1000", &e), -EINVAL);
	assert_int_equal(memmap_parse_arg("64K%0x1000", &e), -EINVAL);
	assert_int_equal(memmap_parse_arg("64K@0x1000junk", &e), -EINVAL);
	assert_int_equal(memmap_parse_arg("@0x1000", &e), -EINVAL);
	assert_int_equal(memmap_parse_arg("99999999999999999999@0", &e), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_clean_map_unchanged, setup),
		cmocka_unit_test_setup(test_sorts, setup),
		cmocka_unit_test_setup(test_merges_neighbours, setup),
		cmocka_unit_test_setup(test_overlap_reserved_wins, setup),
		cmocka_unit_test_setup(test_overlap_rank_order, setup),
		cmocka_unit_test_setup(test_unaligned_usable_trimmed, setup),
		cmocka_unit_test_setup(test_empty_and_out_of_range, setup),
		cmocka_unit_test_setup(test_unknown_type_is_reserved, setup),
		cmocka_unit_test_setup(test_truncated_reported, setup),
		cmocka_unit_test_setup(test_many_overlaps_capped, setup),
		cmocka_unit_test_setup(test_full_map_of_splits, setup),
		cmocka_unit_test_setup(test_totals, setup),
		cmocka_unit_test_setup(test_parse_arg, setup),
		cmocka_unit_test_setup(test_parse_arg_errors, setup),
	};

	return cmocka_run_group_tests_name("memmap", tests, NULL, NULL);
}
