/*
 * ktests for kernel/lib/random.c: the ChaCha20 block function against
 * RFC 8439's first known-answer vector (all-zero key, nonce and counter),
 * and the generator's output: no repeats between requests, a plausible
 * bit balance, get_random_below() staying below its bound and reaching
 * both ends of a small range.
 */
#include <keel/ktest.h>
#include <keel/random.h>
#include <keel/string.h>

static void test_chacha20_vector(struct ktest *t)
{
	static const u8 expect[64] = {
		0x76, 0xb8, 0xe0, 0xad, 0xa0, 0xf1, 0x3d, 0x90,
		0x40, 0x5d, 0x6a, 0xe5, 0x53, 0x86, 0xbd, 0x28,
		0xbd, 0xd2, 0x19, 0xb8, 0xa0, 0x8d, 0xed, 0x1a,
		0xa8, 0x36, 0xef, 0xcc, 0x8b, 0x77, 0x0d, 0xc7,
		0xda, 0x41, 0x59, 0x7c, 0x51, 0x57, 0x48, 0x8d,
		0x77, 0x24, 0xe0, 0x3f, 0xb8, 0xd8, 0x4a, 0x37,
		0x6a, 0x43, 0xb8, 0xf4, 0x15, 0x18, 0xa1, 0x1c,
		0xc3, 0x87, 0xb6, 0x69, 0xb2, 0xee, 0x65, 0x86,
	};
	u32 key[8] = { 0 }, out[16];

	chacha20_block(key, 0, out);
	/* x86 is little-endian: the words' bytes are the keystream bytes. */
	KTEST_EXPECT_MEMEQ(t, out, expect, sizeof(expect));
}

static void test_random_distinct(struct ktest *t)
{
	u64 a[64];
	unsigned int ones = 0;

	for (unsigned int i = 0; i < 64; i++)
		a[i] = get_random_u64();
	for (unsigned int i = 0; i < 64; i++) {
		for (u64 v = a[i]; v; v &= v - 1)
			ones++;
		for (unsigned int j = i + 1; j < 64; j++)
			KTEST_EXPECT_TRUE(t, a[i] != a[j]);
	}
	/* 4096 bits: the count of ones is 2048 +- 32 (sigma); allow 8 sigma. */
	KTEST_EXPECT_TRUE(t, ones > 2048 - 256 && ones < 2048 + 256);
}

static void test_random_below(struct ktest *t)
{
	bool seen[7] = { false };

	for (unsigned int i = 0; i < 2000; i++) {
		u64 v = get_random_below(7);

		KTEST_ASSERT_TRUE(t, v < 7);
		seen[v] = true;
	}
	for (unsigned int i = 0; i < 7; i++)
		KTEST_EXPECT_TRUE(t, seen[i]);
	KTEST_EXPECT_EQ(t, get_random_below(1), 0);
}

static void test_random_bytes_lengths(struct ktest *t)
{
	static u8 buf[9000];

	/* Lengths that are not multiples of the 32-byte output unit. */
	memset(buf, 0, sizeof(buf));
	get_random_bytes(buf, 33);
	KTEST_EXPECT_EQ(t, buf[33], 0);
	get_random_bytes(buf, sizeof(buf));
	{
		unsigned int zero = 0;

		for (unsigned int i = 0; i < sizeof(buf); i++)
			zero += !buf[i];
		KTEST_EXPECT_TRUE(t, zero < 100);   /* expected ~35 */
	}
}

static struct ktest_case random_cases[] = {
	KTEST_CASE(test_chacha20_vector),
	KTEST_CASE(test_random_distinct),
	KTEST_CASE(test_random_below),
	KTEST_CASE(test_random_bytes_lengths),
	{}
};
KTEST_SUITE(random, random_cases);
