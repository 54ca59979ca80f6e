/*
 * Host tests of the Multiboot2 parser (kernel/arch/x86_64/boot/multiboot2.c)
 * on hand-built MBIs in heap buffers of their exact size, so AddressSanitizer
 * catches any read past the information the loader vouched for.
 *
 * multiboot2.c is #included; tests/unit/include/asm/layout.h makes
 * "physical" addresses host pointers, and the boot.c helpers it calls are
 * stubbed below.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <keel/types.h>

#include "../../kernel/arch/x86_64/boot/multiboot2.c"

#include "log_capture.h"

/* ---- stubs for boot.c ----------------------------------------------------- */

bool boot_phys_range_ok(paddr_t pa, u64 len)
{
	return pa != 0;
}

void boot_copy_string(char *dst, size_t size, paddr_t src, u64 max_len,
		      const char *what, bool *truncated)
{
	dst[0] = '\0';
}

void boot_add_module(struct boot_info *bi, paddr_t start, paddr_t end,
		     paddr_t cmdline, u64 cmdline_max)
{
	bi->module_count++;
}

/* ---- helpers -------------------------------------------------------------- */

static struct boot_info bi;

static u32 *mbi_alloc(const u32 *words, size_t n)
{
	u32 *p = aligned_alloc(8, n * 4);

	assert_non_null(p);
	memcpy(p, words, n * 4);
	return p;
}

static int setup(void **state)
{
	memset(&bi, 0, sizeof(bi));
	log_capture_clear();
	return 0;
}

/* ---- tests ---------------------------------------------------------------- */

static void test_mmap_two_entries(void **state)
{
	const u32 words[] = {
		8 + 16 + 2 * 24 + 8, 0,
		MB2_TAG_MMAP, 16 + 2 * 24, 24, 0,
		0, 0, 0x9fc00, 0, 1, 0,
		0x100000, 0, 0x7f00000, 0, 1, 0,
		MB2_TAG_END, 8,
	};
	u32 *mbi = mbi_alloc(words, ARRAY_SIZE(words));

	assert_int_equal(multiboot2_parse(&bi, (uintptr_t)mbi), 0);
	assert_int_equal(bi.memmap.count, 2);
	assert_int_equal(bi.memmap.entries[1].base, 0x100000);
	assert_int_equal(bi.memmap.entries[1].length, 0x7f00000);
	free(mbi);
}

/*
 * An entry size so large that offset + entry size wraps around 32 bits
 * used to pass the bounds check and read an "entry" past the tag and the
 * MBI. It must be ignored.
 */
static void test_mmap_entry_size_wraps(void **state)
{
	const u32 sizes[] = { 0xfffffff0, 0xfffffff8, 0xffffffe8 };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		const u32 words[] = {
			8 + 16 + 8, 0,
			MB2_TAG_MMAP, 16, sizes[i], 0,
			MB2_TAG_END, 8,
		};
		u32 *mbi = mbi_alloc(words, ARRAY_SIZE(words));

		memset(&bi, 0, sizeof(bi));
		assert_int_equal(multiboot2_parse(&bi, (uintptr_t)mbi), 0);
		assert_int_equal(bi.memmap.count, 0);
		free(mbi);
	}
}

static void test_bad_tag_size_stops(void **state)
{
	const u32 words[] = {
		8 + 16, 0,
		MB2_TAG_MMAP, 0x1000, 24, 0,
	};
	u32 *mbi = mbi_alloc(words, ARRAY_SIZE(words));

	assert_int_equal(multiboot2_parse(&bi, (uintptr_t)mbi), 0);
	assert_int_equal(bi.memmap.count, 0);
	assert_true(log_capture_contains("has bad size"));
	free(mbi);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_mmap_two_entries, setup),
		cmocka_unit_test_setup(test_mmap_entry_size_wraps, setup),
		cmocka_unit_test_setup(test_bad_tag_size_stops, setup),
	};

	return cmocka_run_group_tests_name("multiboot2", tests, NULL, NULL);
}
