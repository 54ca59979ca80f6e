/*
 * Host tests for kernel/lib/bitmap.c, <keel/bitmap.h> and <keel/bitops.h>.
 *
 * Searches, weights and range updates are checked against a bool-array
 * model on bitmaps of awkward sizes (0, 1, 63, 64, 65, 200), including
 * the rule that bits past the size are never reported.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <keel/bitmap.h>
#include <keel/bitops.h>

#define MAXBITS 200

static u64 rng = 0x2545f4914f6cdd1dULL;

static u64 next_rand(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static const unsigned long sizes[] = { 0, 1, 2, 63, 64, 65, 127, 128, 129,
				       MAXBITS };

/* Fill @map and @model alike with density @density/8; garbage past @n. */
static void random_map(unsigned long *map, bool *model, unsigned long n,
		       unsigned int density)
{
	for (unsigned long i = 0; i < BITS_TO_LONGS(MAXBITS); i++)
		map[i] = ~0UL;	/* tail bits set: must be ignored */
	for (unsigned long i = 0; i < n; i++) {
		model[i] = next_rand() % 8 < density;
		if (!model[i])
			__clear_bit(i, map);
	}
}

static unsigned long model_next(const bool *model, unsigned long n,
				unsigned long off, bool val)
{
	for (; off < n; off++)
		if (model[off] == val)
			return off;
	return n;
}

static void test_bitops(void **state)
{
	assert_int_equal(ffs(0), 0);
	assert_int_equal(ffs(1), 1);
	assert_int_equal(ffs(0x80), 8);
	assert_int_equal(ffs(INT32_MIN), 32);
	assert_int_equal(fls(0), 0);
	assert_int_equal(fls(1), 1);
	assert_int_equal(fls(0x80000000U), 32);
	assert_int_equal(fls(0x1ff), 9);
	assert_int_equal(__ffs(1UL << 40), 40);
	assert_int_equal(__fls(~0UL), 63);
	assert_int_equal(__fls(1), 0);
	assert_int_equal(__ffs64(1ULL << 63), 63);
	assert_int_equal(fls64(0), 0);
	assert_int_equal(fls64(1ULL << 63), 64);
	assert_int_equal(fls_long(0), 0);
	assert_int_equal(fls_long(3), 2);
	assert_int_equal(hweight32(0xffffffffU), 32);
	assert_int_equal(hweight64(0), 0);
	assert_int_equal(hweight64(~0ULL), 64);
	assert_int_equal(hweight_long(0x5555), 8);
	for (int i = 0; i < 64; i++) {
		u64 v = next_rand();
		unsigned int slow = 0;

		for (int b = 0; b < 64; b++)
			slow += (v >> b) & 1;
		assert_int_equal(hweight64(v), slow);
		assert_int_equal(ilog2(1ULL << i), i);
		assert_int_equal(ilog2((1ULL << i) | 1), i);
	}
	assert_true(is_power_of_2(1));
	assert_true(is_power_of_2(4096));
	assert_false(is_power_of_2(0));
	assert_false(is_power_of_2(6));
	assert_int_equal(roundup_pow_of_two(1), 1);
	assert_int_equal(roundup_pow_of_two(5), 8);
	assert_int_equal(roundup_pow_of_two(4096), 4096);
	assert_int_equal(roundup_pow_of_two(4097), 8192);
	assert_true(roundup_pow_of_two((1UL << 62) + 1) == 1UL << 63);
	assert_int_equal(rounddown_pow_of_two(1), 1);
	assert_int_equal(rounddown_pow_of_two(4095), 2048);
	assert_int_equal(GENMASK(7, 4), 0xf0);
	assert_true(GENMASK(63, 0) == ~0UL);
	assert_true(GENMASK_ULL(63, 62) == 0xc000000000000000ULL);
	assert_int_equal(BITS_TO_LONGS(0), 0);
	assert_int_equal(BITS_TO_LONGS(64), 1);
	assert_int_equal(BITS_TO_LONGS(65), 2);
	/* ilog2 of a constant is a constant expression. */
	_Static_assert(ilog2(4096) == 12, "ilog2 folds");
}

static void test_single_bits(void **state)
{
	DECLARE_BITMAP(map, 130);

	bitmap_zero(map, 130);
	__set_bit(0, map);
	__set_bit(64, map);
	set_bit(129, map);
	assert_true(test_bit(0, map));
	assert_true(test_bit(64, map));
	assert_true(test_bit(129, map));
	assert_false(test_bit(1, map));
	assert_true(map[2] == 2);
	__change_bit(1, map);
	change_bit(0, map);
	assert_true(map[0] == 2);
	assert_false(__test_and_set_bit(5, map));
	assert_true(__test_and_set_bit(5, map));
	assert_true(__test_and_clear_bit(5, map));
	assert_false(__test_and_clear_bit(5, map));
	assert_false(test_and_set_bit(70, map));
	assert_true(test_and_set_bit(70, map));
	assert_true(test_and_clear_bit(70, map));
	assert_false(test_and_clear_bit(70, map));
	assert_false(test_and_change_bit(71, map));
	assert_true(test_and_change_bit(71, map));
	assert_false(test_bit(71, map));
	assert_false(test_and_set_bit_lock(3, map));
	assert_true(test_and_set_bit_lock(3, map));
	clear_bit_unlock(3, map);
	assert_false(test_bit(3, map));
	clear_bit(64, map);
	__clear_bit(129, map);
	assert_true(map[1] == 0 && map[2] == 0);
}

static void test_find_against_model(void **state)
{
	unsigned long map[BITS_TO_LONGS(MAXBITS)];
	bool model[MAXBITS];

	for (size_t s = 0; s < ARRAY_SIZE(sizes); s++)
		for (unsigned int d = 0; d <= 8; d++) {
			unsigned long n = sizes[s];

			random_map(map, model, n, d);
			for (unsigned long off = 0; off <= n + 2; off++) {
				assert_int_equal(find_next_bit(map, n, off),
						 model_next(model, n, off, true));
				assert_int_equal(find_next_zero_bit(map, n, off),
						 model_next(model, n, off,
							    false));
			}
			assert_int_equal(find_first_bit(map, n),
					 model_next(model, n, 0, true));
			assert_int_equal(find_first_zero_bit(map, n),
					 model_next(model, n, 0, false));
			unsigned long last = n;
			for (unsigned long i = 0; i < n; i++)
				if (model[i])
					last = i;
			assert_int_equal(find_last_bit(map, n), last);
		}
}

static void test_weight_equal_empty_full(void **state)
{
	unsigned long a[BITS_TO_LONGS(MAXBITS)], b[BITS_TO_LONGS(MAXBITS)];
	bool model[MAXBITS];

	for (size_t s = 0; s < ARRAY_SIZE(sizes); s++) {
		unsigned long n = sizes[s];
		unsigned int w = 0;

		random_map(a, model, n, 4);
		for (unsigned long i = 0; i < n; i++)
			w += model[i];
		assert_int_equal(bitmap_weight(a, n), w);
		bitmap_copy(b, a, n);
		assert_true(bitmap_equal(a, b, n));
		if (n % BITS_PER_LONG) {	/* a difference past n */
			__change_bit(BITS_PER_LONG - 1, b + BIT_WORD(n));
			assert_true(bitmap_equal(a, b, n));
		}
		if (n) {
			__change_bit(n - 1, b);
			assert_false(bitmap_equal(a, b, n));
		}
		bitmap_zero(a, n);
		assert_true(bitmap_empty(a, n));
		assert_int_equal(bitmap_weight(a, n), 0);
		bitmap_fill(a, n);
		assert_true(bitmap_full(a, n));
		assert_int_equal(bitmap_weight(a, n), n);
		if (n % BITS_PER_LONG)	/* fill leaves the tail clear */
			assert_true(!(a[BIT_WORD(n)] >>
				       (n % BITS_PER_LONG)));
		if (n >= 2) {
			__clear_bit(n / 2, a);
			assert_false(bitmap_full(a, n));
			assert_false(bitmap_empty(a, n));
		}
	}
	assert_true(bitmap_empty(a, 0));
	assert_true(bitmap_full(a, 0));
}

static void test_set_clear_ranges(void **state)
{
	unsigned long map[BITS_TO_LONGS(MAXBITS)];
	bool model[MAXBITS];

	for (int iter = 0; iter < 3000; iter++) {
		unsigned long start = next_rand() % MAXBITS;
		unsigned long len = next_rand() % (MAXBITS - start + 1);
		bool set = next_rand() & 1;

		if (iter % 100 == 0)
			random_map(map, model, MAXBITS, 4);
		if (set)
			bitmap_set(map, start, len);
		else
			bitmap_clear(map, start, len);
		for (unsigned long i = start; i < start + len; i++)
			model[i] = set;
		for (unsigned long i = 0; i < MAXBITS; i++)
			assert_int_equal(test_bit(i, map), model[i]);
	}
}

static void test_logic_ops(void **state)
{
	unsigned long a[2] = { 0xf0f0UL, 0x3 }, b[2] = { 0xff00UL, 0x1 };
	unsigned long d[2];

	bitmap_and(d, a, b, 66);
	assert_true(d[0] == 0xf000UL && d[1] == 1);
	bitmap_or(d, a, b, 66);
	assert_true(d[0] == 0xfff0UL && d[1] == 3);
	bitmap_andnot(d, a, b, 66);
	assert_true(d[0] == 0x00f0UL && d[1] == 2);
	assert_true(bitmap_intersects(a, b, 66));
	assert_true(bitmap_intersects(a, b, 13));
	assert_false(bitmap_intersects(a, b, 12));
	b[0] = 0x0f0fUL;
	b[1] = 0x2;
	assert_false(bitmap_intersects(a, b, 65));	/* bit 65 excluded */
	assert_true(bitmap_intersects(a, b, 66));
}

static unsigned long model_zero_area(const bool *model, unsigned long size,
				     unsigned long start, unsigned long nr,
				     unsigned long align_mask)
{
	for (unsigned long i = (start + align_mask) & ~align_mask;
	     i + nr <= size; i = (i + 1 + align_mask) & ~align_mask) {
		unsigned long j = 0;

		while (j < nr && !model[i + j])
			j++;
		if (j == nr)
			return i;
	}
	return size;
}

static void test_zero_area(void **state)
{
	unsigned long map[BITS_TO_LONGS(MAXBITS)];
	bool model[MAXBITS];
	static const unsigned long masks[] = { 0, 1, 3, 7, 63 };

	for (int iter = 0; iter < 300; iter++) {
		unsigned long n = sizes[iter % ARRAY_SIZE(sizes)];

		random_map(map, model, n, (unsigned int)(iter % 7));
		for (unsigned long nr = 0; nr <= 9; nr++)
			for (size_t m = 0; m < ARRAY_SIZE(masks); m++)
				for (unsigned long st = 0; st <= n; st += 7) {
					unsigned long got, want;

					got = bitmap_find_next_zero_area(
						map, n, st, nr, masks[m]);
					want = model_zero_area(model, n, st, nr,
							       masks[m]);
					if (got != want)
						fail_msg("n %lu start %lu nr %lu "
							 "mask %lu: got %lu want "
							 "%lu", n, st, nr,
							 masks[m], got, want);
				}
	}
}

static void test_for_each(void **state)
{
	DECLARE_BITMAP(map, 150);
	unsigned long bit, seen = 0, clear = 0;

	bitmap_zero(map, 150);
	__set_bit(3, map);
	__set_bit(64, map);
	__set_bit(149, map);
	for_each_set_bit(bit, map, 150) {
		assert_true(bit == 3 || bit == 64 || bit == 149);
		seen++;
	}
	assert_int_equal(seen, 3);
	for_each_clear_bit(bit, map, 150) {
		assert_false(test_bit(bit, map));
		clear++;
	}
	assert_int_equal(clear, 147);
	for_each_set_bit(bit, map, clear - 147)	/* size 0 */
		fail();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bitops),
		cmocka_unit_test(test_single_bits),
		cmocka_unit_test(test_find_against_model),
		cmocka_unit_test(test_weight_equal_empty_full),
		cmocka_unit_test(test_set_clear_ranges),
		cmocka_unit_test(test_logic_ops),
		cmocka_unit_test(test_zero_area),
		cmocka_unit_test(test_for_each),
	};

	return cmocka_run_group_tests_name("bitmap", tests, NULL, NULL);
}
