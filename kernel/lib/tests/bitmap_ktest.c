/*
 * ktests for kernel/lib/bitmap.c, <keel/bitmap.h> and <keel/bitops.h>:
 * word-level bit scans, single-bit operations (atomic ones included), and
 * searches, weights and range updates checked against a bool-array model
 * on bitmaps whose sizes straddle word boundaries.
 */
#include <keel/bitmap.h>
#include <keel/bitops.h>
#include <keel/ktest.h>
#include <keel/string.h>

#define MAXBITS 200

static unsigned long map[BITS_TO_LONGS(MAXBITS)];
static bool model[MAXBITS];
static const unsigned long sizes[] = { 0, 1, 63, 64, 65, 128, 129, MAXBITS };

static u64 rng_state = 0x2545f4914f6cdd1dULL;

static u64 next_rand(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

/* Random bits below @n in map and model; every bit past @n set. */
static void random_map(unsigned long n, unsigned int density)
{
	unsigned long i;

	for (i = 0; i < ARRAY_SIZE(map); i++)
		map[i] = ~0UL;
	for (i = 0; i < n; i++) {
		model[i] = next_rand() % 8 < density;
		if (!model[i])
			__clear_bit(i, map);
	}
}

static unsigned long model_next(unsigned long n, unsigned long off, bool val)
{
	for (; off < n; off++) {
		if (model[off] == val)
			return off;
	}
	return n;
}

static void test_bitops(struct ktest *t)
{
	int i;

	KTEST_EXPECT_EQ(t, ffs(0), 0);
	KTEST_EXPECT_EQ(t, ffs(0x80), 8);
	KTEST_EXPECT_EQ(t, fls(0), 0);
	KTEST_EXPECT_EQ(t, fls(0x80000000U), 32);
	KTEST_EXPECT_EQ(t, __ffs(1UL << 40), 40);
	KTEST_EXPECT_EQ(t, __fls(~0UL), 63);
	KTEST_EXPECT_EQ(t, __ffs64(1ULL << 63), 63);
	KTEST_EXPECT_EQ(t, fls64(1ULL << 63), 64);
	KTEST_EXPECT_EQ(t, fls_long(3), 2);
	KTEST_EXPECT_EQ(t, hweight64(~0ULL), 64);
	KTEST_EXPECT_EQ(t, hweight32(0x80000001U), 2);
	KTEST_EXPECT_EQ(t, hweight_long(0x5555), 8);
	for (i = 0; i < 64; i++) {
		KTEST_EXPECT_EQ(t, ilog2(1ULL << i), i);
		KTEST_EXPECT_EQ(t, ilog2((1ULL << i) | 1), i);
	}
	KTEST_EXPECT_TRUE(t, is_power_of_2(4096));
	KTEST_EXPECT_FALSE(t, is_power_of_2(0));
	KTEST_EXPECT_FALSE(t, is_power_of_2(6));
	KTEST_EXPECT_UEQ(t, roundup_pow_of_two(1), 1);
	KTEST_EXPECT_UEQ(t, roundup_pow_of_two(4097), 8192);
	KTEST_EXPECT_UEQ(t, rounddown_pow_of_two(4095), 2048);
	KTEST_EXPECT_UEQ(t, GENMASK(7, 4), 0xf0);
	KTEST_EXPECT_UEQ(t, GENMASK(63, 0), ~0UL);
	STATIC_ASSERT(ilog2(4096) == 12, "ilog2 of a constant folds");
}

static void test_single_bits(struct ktest *t)
{
	DECLARE_BITMAP(bits, 130);

	bitmap_zero(bits, 130);
	__set_bit(0, bits);
	set_bit(129, bits);
	KTEST_EXPECT_TRUE(t, test_bit(0, bits));
	KTEST_EXPECT_TRUE(t, test_bit(129, bits));
	KTEST_EXPECT_FALSE(t, test_bit(1, bits));
	KTEST_EXPECT_UEQ(t, bits[2], 2);
	change_bit(0, bits);
	__change_bit(1, bits);
	KTEST_EXPECT_UEQ(t, bits[0], 2);
	KTEST_EXPECT_FALSE(t, __test_and_set_bit(5, bits));
	KTEST_EXPECT_TRUE(t, __test_and_set_bit(5, bits));
	KTEST_EXPECT_TRUE(t, __test_and_clear_bit(5, bits));
	KTEST_EXPECT_FALSE(t, test_and_set_bit(70, bits));
	KTEST_EXPECT_TRUE(t, test_and_set_bit(70, bits));
	KTEST_EXPECT_TRUE(t, test_and_clear_bit(70, bits));
	KTEST_EXPECT_FALSE(t, test_and_change_bit(71, bits));
	KTEST_EXPECT_TRUE(t, test_and_change_bit(71, bits));
	KTEST_EXPECT_FALSE(t, test_and_set_bit_lock(3, bits));
	KTEST_EXPECT_TRUE(t, test_and_set_bit_lock(3, bits));
	clear_bit_unlock(3, bits);
	clear_bit(129, bits);
	__clear_bit(1, bits);
	KTEST_EXPECT_TRUE(t, bitmap_empty(bits, 130));
}

static void test_find(struct ktest *t)
{
	unsigned long off, n, last, i;
	size_t s;
	unsigned int d;

	for (s = 0; s < ARRAY_SIZE(sizes); s++) {
		for (d = 0; d <= 8; d += 2) {
			n = sizes[s];
			random_map(n, d);
			for (off = 0; off <= n + 1; off++) {
				KTEST_ASSERT_EQ(t, find_next_bit(map, n, off),
						model_next(n, off, true));
				KTEST_ASSERT_EQ(t,
						find_next_zero_bit(map, n, off),
						model_next(n, off, false));
			}
			for (last = n, i = 0; i < n; i++) {
				if (model[i])
					last = i;
			}
			KTEST_ASSERT_EQ(t, find_last_bit(map, n), last);
		}
	}
}

static void test_weight_fill(struct ktest *t)
{
	static unsigned long copy[BITS_TO_LONGS(MAXBITS)];
	unsigned long n, i;
	unsigned int w;
	size_t s;

	for (s = 0; s < ARRAY_SIZE(sizes); s++) {
		n = sizes[s];
		random_map(n, 4);
		for (w = 0, i = 0; i < n; i++)
			w += model[i];
		KTEST_EXPECT_EQ(t, bitmap_weight(map, n), w);
		bitmap_copy(copy, map, n);
		KTEST_EXPECT_TRUE(t, bitmap_equal(map, copy, n));
		if (n) {
			__change_bit(n - 1, copy);
			KTEST_EXPECT_FALSE(t, bitmap_equal(map, copy, n));
		}
		bitmap_zero(map, n);
		KTEST_EXPECT_TRUE(t, bitmap_empty(map, n));
		bitmap_fill(map, n);
		KTEST_EXPECT_TRUE(t, bitmap_full(map, n));
		KTEST_EXPECT_EQ(t, bitmap_weight(map, n), n);
		if (n % BITS_PER_LONG)
			KTEST_EXPECT_UEQ(t, map[BIT_WORD(n)] >>
					 (n % BITS_PER_LONG), 0);
	}
}

static void test_ranges(struct ktest *t)
{
	unsigned long start, len, i;
	bool set;
	int iter;

	random_map(MAXBITS, 4);
	for (iter = 0; iter < 1000; iter++) {
		start = next_rand() % MAXBITS;
		len = next_rand() % (MAXBITS - start + 1);
		set = next_rand() & 1;
		if (set)
			bitmap_set(map, start, len);
		else
			bitmap_clear(map, start, len);
		for (i = start; i < start + len; i++)
			model[i] = set;
		for (i = 0; i < MAXBITS; i++)
			KTEST_ASSERT_EQ(t, test_bit(i, map), model[i]);
	}
}

static void test_logic(struct ktest *t)
{
	unsigned long a[2] = { 0xf0f0UL, 0x3 }, b[2] = { 0xff00UL, 0x1 };
	unsigned long d[2];

	bitmap_and(d, a, b, 66);
	KTEST_EXPECT_TRUE(t, d[0] == 0xf000UL && d[1] == 1);
	bitmap_or(d, a, b, 66);
	KTEST_EXPECT_TRUE(t, d[0] == 0xfff0UL && d[1] == 3);
	bitmap_andnot(d, a, b, 66);
	KTEST_EXPECT_TRUE(t, d[0] == 0x00f0UL && d[1] == 2);
	KTEST_EXPECT_TRUE(t, bitmap_intersects(a, b, 13));
	KTEST_EXPECT_FALSE(t, bitmap_intersects(a, b, 12));
}

static unsigned long model_zero_area(unsigned long size, unsigned long start,
				     unsigned long nr, unsigned long mask)
{
	unsigned long i, j;

	for (i = (start + mask) & ~mask; i + nr <= size;
	     i = (i + 1 + mask) & ~mask) {
		for (j = 0; j < nr && !model[i + j]; j++)
			;
		if (j == nr)
			return i;
	}
	return size;
}

static void test_zero_area(struct ktest *t)
{
	static const unsigned long masks[] = { 0, 1, 7, 63 };
	unsigned long n, nr, st;
	size_t m;
	int iter;

	for (iter = 0; iter < 40; iter++) {
		n = sizes[iter % ARRAY_SIZE(sizes)];
		random_map(n, (unsigned int)(iter % 7));
		for (nr = 0; nr <= 9; nr += 3)
			for (m = 0; m < ARRAY_SIZE(masks); m++)
				for (st = 0; st <= n; st += 13)
					KTEST_ASSERT_EQ(t,
						bitmap_find_next_zero_area(
							map, n, st, nr,
							masks[m]),
						model_zero_area(n, st, nr,
								masks[m]));
	}
}

static void test_for_each(struct ktest *t)
{
	DECLARE_BITMAP(bits, 150);
	unsigned long bit, seen = 0, clear = 0;

	bitmap_zero(bits, 150);
	__set_bit(3, bits);
	__set_bit(64, bits);
	__set_bit(149, bits);
	for_each_set_bit(bit, bits, 150) {
		KTEST_EXPECT_TRUE(t, bit == 3 || bit == 64 || bit == 149);
		seen++;
	}
	KTEST_EXPECT_EQ(t, seen, 3);
	for_each_clear_bit(bit, bits, 150)
		clear++;
	KTEST_EXPECT_EQ(t, clear, 147);
}

static struct ktest_case bitmap_cases[] = {
	KTEST_CASE(test_bitops),
	KTEST_CASE(test_single_bits),
	KTEST_CASE(test_find),
	KTEST_CASE(test_weight_fill),
	KTEST_CASE(test_ranges),
	KTEST_CASE(test_logic),
	KTEST_CASE(test_zero_area),
	KTEST_CASE(test_for_each),
	{}
};
KTEST_SUITE(bitmap, bitmap_cases);
