/*
 * Host tests for kernel/lib/sort.c: sort() on many sizes and key
 * distributions (sorted, reversed, equal, random), element sizes that take
 * the byte and the word swap paths, a caller-supplied swap, and bsearch()
 * hits, misses and edge positions. Results are checked as ordered
 * permutations of the input.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include <keel/sort.h>
#include <keel/string.h>

static u64 rng = 0x853c49e6748fea9bULL;

static u64 next_rand(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
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

/* Element of an odd size (byte swaps): key plus a tag to check the
 * permutation. */
struct odd {
	char key[3];
	char tag[2];
} __attribute__((packed));

static int cmp_odd(const void *a, const void *b)
{
	return memcmp(((const struct odd *)a)->key,
		      ((const struct odd *)b)->key, 3);
}

/* A 24-byte element (word swaps). */
struct wide {
	u64 key;
	u64 id;
	u64 pad;
};

static int cmp_wide(const void *a, const void *b)
{
	u64 x = ((const struct wide *)a)->key;
	u64 y = ((const struct wide *)b)->key;

	return (x > y) - (x < y);
}

static int swaps;

static void swap_int(void *a, void *b, size_t size)
{
	int t = *(int *)a;

	assert_int_equal(size, sizeof(int));
	*(int *)a = *(int *)b;
	*(int *)b = t;
	swaps++;
}

static void check_sorted_permutation(const int *orig, const int *sorted,
				     size_t n)
{
	int *ref = malloc((n ? n : 1) * sizeof(int));

	/* Reference: the host libc's qsort (not renamed by host.h). */
	memcpy(ref, orig, n * sizeof(int));
	qsort(ref, n, sizeof(int), cmp_int);
	assert_memory_equal(ref, sorted, n * sizeof(int));
	free(ref);
}

static void test_sort_ints(void **state)
{
	static const size_t sizes[] = { 0, 1, 2, 3, 4, 5, 7, 8, 16, 31, 100,
					1000, 4097 };

	for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++)
		for (int kind = 0; kind < 5; kind++) {
			size_t n = sizes[s];
			int *orig = malloc((n ? n : 1) * sizeof(int));
			int *a = malloc((n ? n : 1) * sizeof(int));

			for (size_t i = 0; i < n; i++) {
				switch (kind) {
				case 0: orig[i] = (int)i; break;
				case 1: orig[i] = (int)(n - i); break;
				case 2: orig[i] = 7; break;
				case 3: orig[i] = (int)(next_rand() % 10); break;
				default: orig[i] = (int)next_rand(); break;
				}
			}
			memcpy(a, orig, n * sizeof(int));
			sort(a, n, sizeof(int), cmp_int, NULL);
			check_sorted_permutation(orig, a, n);
			free(orig);
			free(a);
		}
}

static void test_sort_descending_and_custom_swap(void **state)
{
	int a[50];

	for (int i = 0; i < 50; i++)
		a[i] = (int)(next_rand() % 1000);
	swaps = 0;
	sort(a, 50, sizeof(int), cmp_int_rev, swap_int);
	assert_true(swaps > 0);
	for (int i = 1; i < 50; i++)
		assert_true(a[i - 1] >= a[i]);
}

static void test_sort_odd_size(void **state)
{
	struct odd a[300];
	int count[256] = { 0 };

	for (int i = 0; i < 300; i++) {
		a[i].key[0] = (char)(next_rand() % 4);
		a[i].key[1] = (char)(next_rand() % 256);
		a[i].key[2] = (char)(next_rand() % 256);
		a[i].tag[0] = (char)(i & 0xff);
		a[i].tag[1] = (char)~a[i].key[1];	/* travels with key */
		count[(unsigned char)a[i].tag[0]]++;
	}
	sort(a, 300, sizeof(a[0]), cmp_odd, NULL);
	for (int i = 0; i < 300; i++) {
		if (i)
			assert_true(cmp_odd(&a[i - 1], &a[i]) <= 0);
		assert_int_equal((char)~a[i].key[1], a[i].tag[1]);
		count[(unsigned char)a[i].tag[0]]--;
	}
	for (int i = 0; i < 256; i++)
		assert_int_equal(count[i], 0);
}

static void test_sort_wide(void **state)
{
	struct wide a[257];
	bool seen[257] = { false };

	for (u64 i = 0; i < 257; i++) {
		a[i].key = next_rand() % 50;
		a[i].id = i;
		a[i].pad = a[i].key * 3 + 1;
	}
	sort(a, 257, sizeof(a[0]), cmp_wide, NULL);
	for (int i = 0; i < 257; i++) {
		if (i)
			assert_true(a[i - 1].key <= a[i].key);
		assert_true(a[i].pad == a[i].key * 3 + 1);
		assert_false(seen[a[i].id]);
		seen[a[i].id] = true;
	}
}

static int cmp_u64_unaligned(const void *a, const void *b)
{
	u64 x, y;

	memcpy(&x, a, 8);
	memcpy(&y, b, 8);
	return (x > y) - (x < y);
}

/* An unaligned base with a word-multiple size must use byte swaps. */
static void test_sort_unaligned_base(void **state)
{
	unsigned char raw[8 * 20 + 1];
	u64 v[20];

	for (int i = 0; i < 20; i++) {
		u64 k = next_rand() % 100;

		memcpy(raw + 1 + 8 * i, &k, 8);
	}
	sort(raw + 1, 20, 8, cmp_u64_unaligned, NULL);
	memcpy(v, raw + 1, sizeof(v));
	for (int i = 1; i < 20; i++)
		assert_true(v[i - 1] <= v[i]);
}

static void test_bsearch(void **state)
{
	int a[101];
	int key;

	for (int i = 0; i < 101; i++)
		a[i] = 2 * i;
	for (key = -1; key <= 202; key++) {
		int *p = bsearch(&key, a, 101, sizeof(int), cmp_int);

		if (key >= 0 && key <= 200 && key % 2 == 0)
			assert_ptr_equal(p, &a[key / 2]);
		else
			assert_null(p);
	}
	key = 0;
	assert_null(bsearch(&key, a, 0, sizeof(int), cmp_int));
	assert_null(bsearch(&key, NULL, 0, sizeof(int), cmp_int));
	assert_ptr_equal(bsearch(&key, a, 1, sizeof(int), cmp_int), &a[0]);
	for (size_t n = 1; n <= 20; n++)
		for (size_t i = 0; i < n; i++) {
			key = a[i];
			assert_ptr_equal(bsearch(&key, a, n, sizeof(int),
						 cmp_int), &a[i]);
		}
	/* Duplicates: any matching element will do. */
	int d[6] = { 1, 3, 3, 3, 3, 9 };
	key = 3;
	assert_int_equal(*(int *)bsearch(&key, d, 6, sizeof(int), cmp_int), 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sort_ints),
		cmocka_unit_test(test_sort_descending_and_custom_swap),
		cmocka_unit_test(test_sort_odd_size),
		cmocka_unit_test(test_sort_wide),
		cmocka_unit_test(test_sort_unaligned_base),
		cmocka_unit_test(test_bsearch),
	};

	return cmocka_run_group_tests_name("sort", tests, NULL, NULL);
}
