/*
 * ktests for kernel/lib/sort.c: sort() over sizes and key distributions,
 * element sizes on the byte- and word-swap paths, a caller's swap
 * function, and bsearch() hits, misses and edges. A sorted result must be
 * ordered and a permutation of the input (checked through a tag or a
 * multiset count).
 */
#include <keel/ktest.h>
#include <keel/sort.h>
#include <keel/string.h>

#define MAXN 1000

static int arr[MAXN];
static int counts[64];

static u64 rng_state = 0x853c49e6748fea9bULL;

static u64 next_rand(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static int cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return (x > y) - (x < y);
}

static int cmp_int_rev(const void *a, const void *b)
{
	return cmp_int(b, a);
}

static int swaps;

static void swap_int(void *a, void *b, size_t size)
{
	int tmp = *(int *)a;

	*(int *)a = *(int *)b;
	*(int *)b = tmp;
	swaps++;
}

static void test_sort_ints(struct ktest *t)
{
	static const size_t sizes[] = { 0, 1, 2, 3, 5, 8, 31, 100, MAXN };
	size_t s, i, n;
	int kind;

	for (s = 0; s < ARRAY_SIZE(sizes); s++) {
		for (kind = 0; kind < 4; kind++) {
			n = sizes[s];
			memset(counts, 0, sizeof(counts));
			for (i = 0; i < n; i++) {
				if (kind == 0)
					arr[i] = (int)(i % 64);
				else if (kind == 1)
					arr[i] = (int)((n - i) % 64);
				else if (kind == 2)
					arr[i] = 7;
				else
					arr[i] = (int)(next_rand() % 64);
				counts[arr[i]]++;
			}
			sort(arr, n, sizeof(int), cmp_int, NULL);
			for (i = 0; i < n; i++) {
				KTEST_ASSERT_TRUE(t, !i ||
						     arr[i - 1] <= arr[i]);
				counts[arr[i]]--;
			}
			for (i = 0; i < ARRAY_SIZE(counts); i++)
				KTEST_ASSERT_EQ(t, counts[i], 0);
		}
	}
}

static void test_custom_swap(struct ktest *t)
{
	int i;

	for (i = 0; i < 50; i++)
		arr[i] = (int)(next_rand() % 1000);
	swaps = 0;
	sort(arr, 50, sizeof(int), cmp_int_rev, swap_int);
	KTEST_EXPECT_GT(t, swaps, 0);
	for (i = 1; i < 50; i++)
		KTEST_EXPECT_GE(t, arr[i - 1], arr[i]);
}

struct odd {
	u8 key[3];
	u8 tag[2];	/* tag[0]: index, tag[1]: ~key[1], travels along */
} __packed;

static int cmp_odd(const void *a, const void *b)
{
	return memcmp(((const struct odd *)a)->key,
		      ((const struct odd *)b)->key, 3);
}

static void test_odd_size(struct ktest *t)
{
	static struct odd elts[200];
	static bool seen[200];
	int i;

	memset(seen, 0, sizeof(seen));
	for (i = 0; i < 200; i++) {
		elts[i].key[0] = (u8)(next_rand() % 4);
		elts[i].key[1] = (u8)next_rand();
		elts[i].key[2] = (u8)next_rand();
		elts[i].tag[0] = (u8)i;
		elts[i].tag[1] = (u8)~elts[i].key[1];
	}
	sort(elts, 200, sizeof(elts[0]), cmp_odd, NULL);
	for (i = 0; i < 200; i++) {
		KTEST_ASSERT_TRUE(t, !i ||
				     cmp_odd(&elts[i - 1], &elts[i]) <= 0);
		KTEST_ASSERT_EQ(t, elts[i].tag[1], (u8)~elts[i].key[1]);
		KTEST_ASSERT_FALSE(t, seen[elts[i].tag[0]]);
		seen[elts[i].tag[0]] = true;
	}
}

struct wide {
	u64 key;
	u64 id;
	u64 check;
};

static int cmp_wide(const void *a, const void *b)
{
	u64 x = ((const struct wide *)a)->key;
	u64 y = ((const struct wide *)b)->key;

	return (x > y) - (x < y);
}

static void test_word_size(struct ktest *t)
{
	static struct wide elts[257];
	static bool seen[257];
	u64 i;

	memset(seen, 0, sizeof(seen));
	for (i = 0; i < 257; i++) {
		elts[i].key = next_rand() % 50;
		elts[i].id = i;
		elts[i].check = elts[i].key * 3 + 1;
	}
	sort(elts, 257, sizeof(elts[0]), cmp_wide, NULL);
	for (i = 0; i < 257; i++) {
		KTEST_ASSERT_TRUE(t, !i || elts[i - 1].key <= elts[i].key);
		KTEST_ASSERT_TRUE(t, elts[i].check == elts[i].key * 3 + 1);
		KTEST_ASSERT_FALSE(t, seen[elts[i].id]);
		seen[elts[i].id] = true;
	}
}

static void test_bsearch(struct ktest *t)
{
	int key, i;
	size_t n, j;

	for (i = 0; i < 101; i++)
		arr[i] = 2 * i;
	for (key = -1; key <= 202; key++) {
		int *p = bsearch(&key, arr, 101, sizeof(int), cmp_int);

		if (key >= 0 && key <= 200 && key % 2 == 0)
			KTEST_ASSERT_TRUE(t, p == &arr[key / 2]);
		else
			KTEST_ASSERT_NULL(t, p);
	}
	key = 0;
	KTEST_EXPECT_NULL(t, bsearch(&key, arr, 0, sizeof(int), cmp_int));
	for (n = 1; n <= 20; n++) {
		for (j = 0; j < n; j++) {
			key = arr[j];
			KTEST_ASSERT_TRUE(t, bsearch(&key, arr, n, sizeof(int),
						     cmp_int) == &arr[j]);
		}
	}
}

static struct ktest_case sort_cases[] = {
	KTEST_CASE(test_sort_ints),
	KTEST_CASE(test_custom_swap),
	KTEST_CASE(test_odd_size),
	KTEST_CASE(test_word_size),
	KTEST_CASE(test_bsearch),
	{}
};
KTEST_SUITE(sort, sort_cases);
