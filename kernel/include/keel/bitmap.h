/*
 * Bitmaps: arrays of unsigned long, bit n living in word n / BITS_PER_LONG
 * at position n % BITS_PER_LONG.
 *
 * Single-bit operations come in two flavours. The plain names (set_bit,
 * test_and_clear_bit, ...) are atomic read-modify-writes, safe against other
 * CPUs changing other bits of the same word; set/clear/change are relaxed
 * (no ordering), test_and_* are fully ordered, and the _lock/_unlock pair
 * has acquire/release ordering for bit spinlocks. The __ names are plain
 * loads and stores for bitmaps the caller owns exclusively.
 *
 * Whole-bitmap operations take the size in bits (@nbits). Bits beyond
 * @nbits in the last word are ignored by every reader here and kept clear
 * by bitmap_fill(); the search functions return @size when nothing is found.
 * They are not atomic: the owner of a shared bitmap documents its lock.
 */
#ifndef KEEL_BITMAP_H
#define KEEL_BITMAP_H

#include <keel/bitops.h>
#include <keel/compiler.h>
#include <keel/types.h>

#define BITS_TO_LONGS(nbits) (((nbits) + BITS_PER_LONG - 1) / BITS_PER_LONG)
#define DECLARE_BITMAP(name, nbits) unsigned long name[BITS_TO_LONGS(nbits)]

/* The valid bits of the last word of an @nbits-bit map (all if it is full). */
#define BITMAP_LAST_WORD_MASK(nbits) \
	((nbits) % BITS_PER_LONG ? BIT((nbits) % BITS_PER_LONG) - 1 : ~0UL)

/* ---- non-atomic single-bit operations ------------------------------------ */

static inline void __set_bit(unsigned long nr, unsigned long *addr)
{
	addr[BIT_WORD(nr)] |= BIT_MASK(nr);
}

static inline void __clear_bit(unsigned long nr, unsigned long *addr)
{
	addr[BIT_WORD(nr)] &= ~BIT_MASK(nr);
}

static inline void __change_bit(unsigned long nr, unsigned long *addr)
{
	addr[BIT_WORD(nr)] ^= BIT_MASK(nr);
}

static inline bool __test_and_set_bit(unsigned long nr, unsigned long *addr)
{
	unsigned long old = addr[BIT_WORD(nr)];

	addr[BIT_WORD(nr)] = old | BIT_MASK(nr);
	return old & BIT_MASK(nr);
}

static inline bool __test_and_clear_bit(unsigned long nr, unsigned long *addr)
{
	unsigned long old = addr[BIT_WORD(nr)];

	addr[BIT_WORD(nr)] = old & ~BIT_MASK(nr);
	return old & BIT_MASK(nr);
}

/* A single load; atomic with respect to concurrent atomic updates. */
static inline bool test_bit(unsigned long nr, const unsigned long *addr)
{
	return (READ_ONCE(addr[BIT_WORD(nr)]) >> (nr % BITS_PER_LONG)) & 1;
}

/* ---- atomic single-bit operations ---------------------------------------- */

static inline void set_bit(unsigned long nr, unsigned long *addr)
{
	__atomic_fetch_or(&addr[BIT_WORD(nr)], BIT_MASK(nr), __ATOMIC_RELAXED);
}

static inline void clear_bit(unsigned long nr, unsigned long *addr)
{
	__atomic_fetch_and(&addr[BIT_WORD(nr)], ~BIT_MASK(nr),
			   __ATOMIC_RELAXED);
}

static inline void change_bit(unsigned long nr, unsigned long *addr)
{
	__atomic_fetch_xor(&addr[BIT_WORD(nr)], BIT_MASK(nr), __ATOMIC_RELAXED);
}

static inline bool test_and_set_bit(unsigned long nr, unsigned long *addr)
{
	return __atomic_fetch_or(&addr[BIT_WORD(nr)], BIT_MASK(nr),
				 __ATOMIC_SEQ_CST) & BIT_MASK(nr);
}

static inline bool test_and_clear_bit(unsigned long nr, unsigned long *addr)
{
	return __atomic_fetch_and(&addr[BIT_WORD(nr)], ~BIT_MASK(nr),
				  __ATOMIC_SEQ_CST) & BIT_MASK(nr);
}

static inline bool test_and_change_bit(unsigned long nr, unsigned long *addr)
{
	return __atomic_fetch_xor(&addr[BIT_WORD(nr)], BIT_MASK(nr),
				  __ATOMIC_SEQ_CST) & BIT_MASK(nr);
}

/* Take a bit lock: true if it was already held (acquire on success). */
static inline bool test_and_set_bit_lock(unsigned long nr,
					 unsigned long *addr)
{
	return __atomic_fetch_or(&addr[BIT_WORD(nr)], BIT_MASK(nr),
				 __ATOMIC_ACQUIRE) & BIT_MASK(nr);
}

/* Release a bit lock taken with test_and_set_bit_lock(). */
static inline void clear_bit_unlock(unsigned long nr, unsigned long *addr)
{
	__atomic_fetch_and(&addr[BIT_WORD(nr)], ~BIT_MASK(nr),
			   __ATOMIC_RELEASE);
}

/* ---- whole bitmaps ------------------------------------------------------ */

unsigned long find_next_bit(const unsigned long *addr, unsigned long size,
			    unsigned long offset);
unsigned long find_next_zero_bit(const unsigned long *addr,
				 unsigned long size, unsigned long offset);
unsigned long find_last_bit(const unsigned long *addr, unsigned long size);
unsigned long bitmap_find_next_zero_area(const unsigned long *map,
					 unsigned long size,
					 unsigned long start,
					 unsigned long nr,
					 unsigned long align_mask);
unsigned int bitmap_weight(const unsigned long *map, unsigned long nbits);
void bitmap_set(unsigned long *map, unsigned long start, unsigned long len);
void bitmap_clear(unsigned long *map, unsigned long start, unsigned long len);
bool bitmap_equal(const unsigned long *a, const unsigned long *b,
		  unsigned long nbits);
bool bitmap_intersects(const unsigned long *a, const unsigned long *b,
		       unsigned long nbits);
void bitmap_and(unsigned long *dst, const unsigned long *a,
		const unsigned long *b, unsigned long nbits);
void bitmap_or(unsigned long *dst, const unsigned long *a,
	       const unsigned long *b, unsigned long nbits);
void bitmap_andnot(unsigned long *dst, const unsigned long *a,
		   const unsigned long *b, unsigned long nbits);

/* Return: the index of the first set bit, or @size if none. */
static inline unsigned long find_first_bit(const unsigned long *addr,
					   unsigned long size)
{
	return find_next_bit(addr, size, 0);
}

/* Return: the index of the first clear bit, or @size if none. */
static inline unsigned long find_first_zero_bit(const unsigned long *addr,
						unsigned long size)
{
	return find_next_zero_bit(addr, size, 0);
}

static inline void bitmap_zero(unsigned long *map, unsigned long nbits)
{
	unsigned long i;

	for (i = 0; i < BITS_TO_LONGS(nbits); i++)
		map[i] = 0;
}

/* Set bits 0..@nbits-1; the unused tail of the last word stays clear. */
static inline void bitmap_fill(unsigned long *map, unsigned long nbits)
{
	unsigned long i, n = BITS_TO_LONGS(nbits);

	for (i = 0; i < n; i++)
		map[i] = ~0UL;
	if (n)
		map[n - 1] = BITMAP_LAST_WORD_MASK(nbits);
}

static inline void bitmap_copy(unsigned long *dst, const unsigned long *src,
			       unsigned long nbits)
{
	unsigned long i;

	for (i = 0; i < BITS_TO_LONGS(nbits); i++)
		dst[i] = src[i];
}

static inline bool bitmap_empty(const unsigned long *map, unsigned long nbits)
{
	return find_first_bit(map, nbits) >= nbits;
}

static inline bool bitmap_full(const unsigned long *map, unsigned long nbits)
{
	return find_first_zero_bit(map, nbits) >= nbits;
}

#define for_each_set_bit(bit, addr, size)                       \
	for ((bit) = find_first_bit(addr, size); (bit) < (size); \
	     (bit) = find_next_bit(addr, size, (bit) + 1))

#define for_each_clear_bit(bit, addr, size)                          \
	for ((bit) = find_first_zero_bit(addr, size); (bit) < (size); \
	     (bit) = find_next_zero_bit(addr, size, (bit) + 1))

#endif /* KEEL_BITMAP_H */
