/*
 * ktests for <keel/hash.h>: FNV-1a test vectors, the range and spread of
 * hash_32/hash_64, and the hashtable helpers.
 */
#include <keel/hash.h>
#include <keel/ktest.h>
#include <keel/string.h>

static void test_fnv1a(struct ktest *t)
{
	u64 h = 0x85944171f73967e8ULL;	/* FNV-1a 64 of "foobar" */

	KTEST_EXPECT_UEQ(t, fnv1a_64("", 0), 0xcbf29ce484222325ULL);
	KTEST_EXPECT_UEQ(t, fnv1a_64("a", 1), 0xaf63dc4c8601ec8cULL);
	KTEST_EXPECT_UEQ(t, fnv1a_64("foobar", 6), h);
	KTEST_EXPECT_UEQ(t, fnv1a_64_str("foobar"), h);
	KTEST_EXPECT_UEQ(t, fnv1a_64_str("\xff"), fnv1a_64("\xff", 1));
	KTEST_EXPECT_UEQ(t, full_name_hash("foobar", 6), (u32)(h ^ (h >> 32)));
	KTEST_EXPECT_UEQ(t, full_name_hash("foobarbaz", 6),
			 full_name_hash("foobar", 6));
}

static void test_hash_int(struct ktest *t)
{
	static unsigned int buckets[64];
	u64 k;
	int b;

	KTEST_EXPECT_UEQ(t, hash_32(1, 32), GOLDEN_RATIO_32);
	KTEST_EXPECT_UEQ(t, hash_32(1, 8), GOLDEN_RATIO_32 >> 24);
	KTEST_EXPECT_UEQ(t, hash_64(1, 64), GOLDEN_RATIO_64);
	KTEST_EXPECT_UEQ(t, hash_64(1, 12), GOLDEN_RATIO_64 >> 52);
	KTEST_EXPECT_UEQ(t, hash_32(12345, 0), 0);
	KTEST_EXPECT_UEQ(t, hash_ptr((void *)0x1000, 16), hash_64(0x1000, 16));
	memset(buckets, 0, sizeof(buckets));
	for (k = 0; k < 64 * 64; k++)
		buckets[hash_32((u32)k, 6)]++;
	for (b = 0; b < 64; b++)
		KTEST_EXPECT_TRUE(t, buckets[b] > 32 && buckets[b] < 128);
	memset(buckets, 0, sizeof(buckets));
	for (k = 0; k < 64 * 64; k++)
		buckets[hash_64(0xffff888000000000ULL + k * 4096, 6)]++;
	for (b = 0; b < 64; b++)
		KTEST_EXPECT_TRUE(t, buckets[b] > 32 && buckets[b] < 128);
}

struct entry {
	int key;
	struct hlist_node node;
};

static DEFINE_HASHTABLE(table, 4);
static struct entry entries[100];

static struct entry *lookup(int key)
{
	struct entry *e;

	hash_for_each_possible(table, e, node, key) {
		if (e->key == key)
			return e;
	}
	return NULL;
}

static void test_hashtable(struct ktest *t)
{
	struct entry *pos;
	struct hlist_node *tmp;
	int i, bkt, count = 0;

	hash_init(table);
	KTEST_EXPECT_EQ(t, HASH_SIZE(table), 16);
	KTEST_EXPECT_EQ(t, HASH_BITS(table), 4);
	KTEST_EXPECT_TRUE(t, hash_empty(table));
	for (i = 0; i < 100; i++) {
		entries[i].key = i * 7 - 300;	/* all 1 mod 7 */
		INIT_HLIST_NODE(&entries[i].node);
		hash_add(table, &entries[i].node, entries[i].key);
		KTEST_EXPECT_TRUE(t, hash_hashed(&entries[i].node));
	}
	for (i = 0; i < 100; i++)
		KTEST_EXPECT_PTR_EQ(t, lookup(entries[i].key), &entries[i]);
	KTEST_EXPECT_NULL(t, lookup(2));
	hash_for_each(table, bkt, pos, node)
		count++;
	KTEST_EXPECT_EQ(t, count, 100);
	hash_for_each_safe(table, bkt, tmp, pos, node) {
		if (!(pos->key & 1))
			hash_del(&pos->node);
	}
	for (i = 0; i < 100; i++)
		KTEST_EXPECT_PTR_EQ(t, lookup(entries[i].key),
				    (entries[i].key & 1) ? &entries[i] : NULL);
	hash_for_each_safe(table, bkt, tmp, pos, node)
		hash_del(&pos->node);
	KTEST_EXPECT_TRUE(t, hash_empty(table));
}

static struct ktest_case hash_cases[] = {
	KTEST_CASE(test_fnv1a),
	KTEST_CASE(test_hash_int),
	KTEST_CASE(test_hashtable),
	{}
};
KTEST_SUITE(hash, hash_cases);
