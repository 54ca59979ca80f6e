/*
 * Hash functions and fixed-size hash tables.
 *
 * hash_32()/hash_64() are multiplicative (Fibonacci) hashes: multiply by
 * 2^w/phi and keep the top @bits bits, which are the well-mixed ones; good
 * for integer keys and pointers, and cheap. Strings use 64-bit FNV-1a, which
 * mixes every byte into every later output bit; full_name_hash() folds it
 * to 32 bits for name caches.
 *
 * DEFINE_HASHTABLE(name, bits) makes a static table of 2^bits hlist
 * buckets; hash_add()/hash_for_each_possible() pick the bucket from the key
 * with hash_32 or hash_64 by the key's size. A lookup walks the one bucket
 * and must still compare the key itself. No locking: the table's owner
 * documents its lock.
 */
#ifndef KEEL_HASH_H
#define KEEL_HASH_H

#include <keel/bitops.h>
#include <keel/compiler.h>
#include <keel/list.h>
#include <keel/types.h>

/* 2^32/phi and 2^64/phi, rounded to odd. */
#define GOLDEN_RATIO_32 0x61C88647U
#define GOLDEN_RATIO_64 0x61C8864680B583EBULL

#define FNV1A_64_OFFSET 0xcbf29ce484222325ULL
#define FNV1A_64_PRIME  0x00000100000001b3ULL

/* hash_32 - Return: a hash of @val in the low @bits bits (@bits 0..32). */
static inline u32 hash_32(u32 val, unsigned int bits)
{
	u32 h = val * GOLDEN_RATIO_32;

	return bits ? h >> (32 - bits) : 0;
}

/* hash_64 - Return: a hash of @val in the low @bits bits (@bits 0..64). */
static inline u64 hash_64(u64 val, unsigned int bits)
{
	u64 h = val * GOLDEN_RATIO_64;

	return bits ? h >> (64 - bits) : 0;
}

static inline u64 hash_long(unsigned long val, unsigned int bits)
{
	return hash_64(val, bits);
}

static inline u64 hash_ptr(const void *ptr, unsigned int bits)
{
	return hash_64((uptr)ptr, bits);
}

/* fnv1a_64 - Return: the 64-bit FNV-1a hash of @len bytes at @data. */
static inline u64 fnv1a_64(const void *data, size_t len)
{
	const u8 *p = data;
	u64 h = FNV1A_64_OFFSET;

	while (len--) {
		h ^= *p++;
		h *= FNV1A_64_PRIME;
	}
	return h;
}

/* fnv1a_64_str - Return: fnv1a_64() of a NUL-terminated string. */
static inline u64 fnv1a_64_str(const char *s)
{
	u64 h = FNV1A_64_OFFSET;

	while (*s) {
		h ^= (u8)*s++;
		h *= FNV1A_64_PRIME;
	}
	return h;
}

/* full_name_hash - Return: a 32-bit hash of the @len bytes of @name. */
static inline u32 full_name_hash(const char *name, size_t len)
{
	u64 h = fnv1a_64(name, len);

	return (u32)(h ^ (h >> 32));
}

/* ---- fixed-size hash tables --------------------------------------------- */

#define DEFINE_HASHTABLE(name, bits)                                  \
	struct hlist_head name[1 << (bits)] = {                       \
		[0 ... ((1 << (bits)) - 1)] = HLIST_HEAD_INIT         \
	}
#define DECLARE_HASHTABLE(name, bits) struct hlist_head name[1 << (bits)]

#define HASH_SIZE(name) (ARRAY_SIZE(name))
#define HASH_BITS(name) ilog2(HASH_SIZE(name))

/* Bucket index of @key for a table of 2^@bits buckets. */
#define hash_min(key, bits)                          \
	(sizeof(key) <= 4 ? hash_32((u32)(key), bits) : \
			     hash_64((u64)(key), bits))

static inline void __hash_init(struct hlist_head *table, size_t size)
{
	size_t i;

	for (i = 0; i < size; i++)
		INIT_HLIST_HEAD(&table[i]);
}

/* hash_init - empty a table (needed for one made by DECLARE_HASHTABLE). */
#define hash_init(table) __hash_init(table, HASH_SIZE(table))

/* hash_add - add the hlist_node @node of an object with integer @key. */
#define hash_add(table, node, key) \
	hlist_add_head(node, &(table)[hash_min(key, HASH_BITS(table))])

/* hash_del - remove @node from its table; it becomes unhashed. */
static inline void hash_del(struct hlist_node *node)
{
	hlist_del_init(node);
}

static inline bool hash_hashed(const struct hlist_node *node)
{
	return !hlist_unhashed(node);
}

static inline bool __hash_empty(const struct hlist_head *table, size_t size)
{
	size_t i;

	for (i = 0; i < size; i++) {
		if (!hlist_empty(&table[i]))
			return false;
	}
	return true;
}

#define hash_empty(table) __hash_empty(table, HASH_SIZE(table))

/* Visit every object in the table; @bkt is an int bucket cursor. */
#define hash_for_each(table, bkt, obj, member)                            \
	for ((bkt) = 0; (bkt) < (int)HASH_SIZE(table); (bkt)++)           \
		hlist_for_each_entry(obj, &(table)[bkt], member)

/* As hash_for_each(), allowing removal of @obj; @tmp is an hlist_node *. */
#define hash_for_each_safe(table, bkt, tmp, obj, member)                  \
	for ((bkt) = 0; (bkt) < (int)HASH_SIZE(table); (bkt)++)           \
		hlist_for_each_entry_safe(obj, tmp, &(table)[bkt], member)

/* Visit the objects whose key hashes to the same bucket as @key. */
#define hash_for_each_possible(table, obj, member, key)                   \
	hlist_for_each_entry(obj,                                         \
			     &(table)[hash_min(key, HASH_BITS(table))], member)

#endif /* KEEL_HASH_H */
