/*
 * Host tests for <keel/hash.h>: known FNV-1a values, the range and spread
 * of the multiplicative hashes, and the hashtable helpers (add, lookup of
 * the possible bucket, removal during iteration).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <keel/hash.h>
#include <keel/string.h>

static void test_fnv1a(void **state)
{
	/* Published FNV-1a 64 test vectors. */
	assert_true(fnv1a_64("", 0) == 0xcbf29ce484222325ULL);
	assert_true(fnv1a_64("a", 1) == 0xaf63dc4c8601ec8cULL);
	assert_true(fnv1a_64("foobar", 6) == 0x85944171f73967e8ULL);
	assert_true(fnv1a_64_str("foobar") == 0x85944171f73967e8ULL);
	assert_true(fnv1a_64_str("") == fnv1a_64("", 0));
	/* Bytes with the top bit set hash as unsigned. */
	assert_true(fnv1a_64_str("\xff") == fnv1a_64("\xff", 1));
	u64 h = 0x85944171f73967e8ULL;
	assert_int_equal(full_name_hash("foobar", 6), (u32)(h ^ (h >> 32)));
	assert_int_equal(full_name_hash("foobarbaz", 6),
			 full_name_hash("foobar", 6));
	assert_int_not_equal(full_name_hash("foobar", 6),
			     full_name_hash("foobaR", 6));
}

static void test_hash_int(void **state)
{
	assert_int_equal(hash_32(0, 10), 0);
	assert_int_equal(hash_32(1, 32), GOLDEN_RATIO_32);
	assert_int_equal(hash_32(1, 8), GOLDEN_RATIO_32 >> 24);
	assert_true(hash_64(1, 64) == GOLDEN_RATIO_64);
	assert_true(hash_64(1, 12) == GOLDEN_RATIO_64 >> 52);
	assert_int_equal(hash_32(12345, 0), 0);
	assert_int_equal(hash_64(12345, 0), 0);
	assert_true(hash_ptr((void *)0x1000, 16) ==
		    hash_64(0x1000, 16));
	assert_true(hash_long(77, 9) == hash_64(77, 9));

	/* Consecutive keys and page-aligned pointers spread over buckets. */
	unsigned int buckets[64] = { 0 };
	for (u32 k = 0; k < 64 * 64; k++) {
		assert_true(hash_32(k, 6) < 64);
		buckets[hash_32(k, 6)]++;
	}
	for (int b = 0; b < 64; b++)
		assert_true(buckets[b] > 32 && buckets[b] < 128);
	memset(buckets, 0, sizeof(buckets));
	for (u64 k = 0; k < 64 * 64; k++)
		buckets[hash_64(0xffff888000000000ULL + k * 4096, 6)]++;
	for (int b = 0; b < 64; b++)
		assert_true(buckets[b] > 32 && buckets[b] < 128);
}

struct entry {
	int key;
	struct hlist_node node;
};

static DEFINE_HASHTABLE(table, 4);

static struct entry *lookup(int key)
{
	struct entry *e;

	hash_for_each_possible(table, e, node, key)
		if (e->key == key)
			return e;
	return NULL;
}

static void test_hashtable(void **state)
{
	struct entry e[100], *pos;
	struct hlist_node *tmp;
	int bkt, count = 0;

	assert_int_equal(HASH_SIZE(table), 16);
	assert_int_equal(HASH_BITS(table), 4);
	assert_true(hash_empty(table));
	for (int i = 0; i < 100; i++) {
		e[i].key = i * 7 - 300;
		INIT_HLIST_NODE(&e[i].node);
		assert_false(hash_hashed(&e[i].node));
		hash_add(table, &e[i].node, e[i].key);
		assert_true(hash_hashed(&e[i].node));
	}
	assert_false(hash_empty(table));
	for (int i = 0; i < 100; i++)
		assert_ptr_equal(lookup(e[i].key), &e[i]);
	assert_null(lookup(2));	/* keys are all 1 mod 7 */
	hash_for_each(table, bkt, pos, node)
		count++;
	assert_int_equal(count, 100);

	/* Remove the even keys while iterating. */
	hash_for_each_safe(table, bkt, tmp, pos, node)
		if (!(pos->key & 1))
			hash_del(&pos->node);
	for (int i = 0; i < 100; i++)
		assert_ptr_equal(lookup(e[i].key), (e[i].key & 1) ? &e[i] :
								    NULL);
	assert_false(hash_hashed(&e[0].node));
	hash_del(&e[0].node);	/* unhashed: harmless */

	hash_init(table);
	assert_true(hash_empty(table));
}

static void test_declare_hashtable(void **state)
{
	DECLARE_HASHTABLE(local, 3);
	struct entry e = { .key = 5 };
	struct entry *pos;
	u64 k = 0x123456789ULL;	/* 64-bit key: hash_64 path */
	int n = 0;

	hash_init(local);
	assert_int_equal(HASH_SIZE(local), 8);
	hash_add(local, &e.node, k);
	hash_for_each_possible(local, pos, node, k)
		n++;
	assert_int_equal(n, 1);
	hash_del(&e.node);
	assert_true(hash_empty(local));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fnv1a),
		cmocka_unit_test(test_hash_int),
		cmocka_unit_test(test_hashtable),
		cmocka_unit_test(test_declare_hashtable),
	};

	return cmocka_run_group_tests_name("hash", tests, NULL, NULL);
}
