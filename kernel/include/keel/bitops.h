/*
 * Bit scanning and power-of-two arithmetic on single words.
 *
 * Naming follows Linux: ffs()/fls() and the *64 variants number bits from 1
 * and return 0 for a zero argument; __ffs()/__fls() number from 0 and are
 * undefined for 0 (they map to one bsf/bsr/tzcnt instruction). Population
 * counts are open-coded rather than __builtin_popcount*, which compiles to a
 * libgcc call on CPUs without popcnt, and the kernel links no libgcc.
 */
#ifndef KEEL_BITOPS_H
#define KEEL_BITOPS_H

#include <keel/compiler.h>
#include <keel/types.h>

#define BITS_PER_LONG      (__SIZEOF_LONG__ * 8)
#define BITS_PER_LONG_LONG 64

#define BIT(nr)      (1UL << (nr))
#define BIT_ULL(nr)  (1ULL << (nr))
#define BIT_MASK(nr) (1UL << ((nr) % BITS_PER_LONG))
#define BIT_WORD(nr) ((nr) / BITS_PER_LONG)

/* Mask of bits l..h inclusive, 0 <= l <= h < BITS_PER_LONG. */
#define GENMASK(h, l) \
	((~0UL << (l)) & (~0UL >> (BITS_PER_LONG - 1 - (h))))
#define GENMASK_ULL(h, l) \
	((~0ULL << (l)) & (~0ULL >> (BITS_PER_LONG_LONG - 1 - (h))))

/* Index of the lowest set bit, 0-based; @word must not be 0. */
static inline unsigned int __ffs(unsigned long word)
{
	return (unsigned int)__builtin_ctzl(word);
}

/* Index of the highest set bit, 0-based; @word must not be 0. */
static inline unsigned int __fls(unsigned long word)
{
	return BITS_PER_LONG - 1 - (unsigned int)__builtin_clzl(word);
}

/* Lowest set bit, 1-based; 0 if @x is 0. */
static inline int ffs(int x)
{
	return x ? __builtin_ctz((unsigned int)x) + 1 : 0;
}

/* Highest set bit, 1-based; 0 if @x is 0. */
static inline int fls(unsigned int x)
{
	return x ? 32 - __builtin_clz(x) : 0;
}

/* Lowest set bit, 0-based; @word must not be 0. */
static inline unsigned int __ffs64(u64 word)
{
	return (unsigned int)__builtin_ctzll(word);
}

/* Highest set bit, 1-based; 0 if @x is 0. */
static inline int fls64(u64 x)
{
	return x ? 64 - __builtin_clzll(x) : 0;
}

/* Highest set bit, 1-based; 0 if @x is 0. */
static inline unsigned int fls_long(unsigned long x)
{
	return x ? BITS_PER_LONG - (unsigned int)__builtin_clzl(x) : 0;
}

/* Number of set bits. */
static inline unsigned int hweight64(u64 w)
{
	w -= (w >> 1) & 0x5555555555555555ULL;
	w = (w & 0x3333333333333333ULL) + ((w >> 2) & 0x3333333333333333ULL);
	w = (w + (w >> 4)) & 0x0f0f0f0f0f0f0f0fULL;
	return (unsigned int)((w * 0x0101010101010101ULL) >> 56);
}

static inline unsigned int hweight32(u32 w)
{
	return hweight64(w);
}

static inline unsigned int hweight_long(unsigned long w)
{
	return hweight64(w);
}

static inline bool is_power_of_2(unsigned long n)
{
	return n != 0 && (n & (n - 1)) == 0;
}

/*
 * ilog2 - floor(log2(n)) for n > 0 (undefined for 0). With a constant
 * argument it folds to a constant, usable in array sizes and static
 * assertions.
 */
#define ilog2(n) ((int)(BITS_PER_LONG_LONG - 1 - \
			__builtin_clzll((unsigned long long)(n))))

/* Smallest power of two >= @n; @n must be 1..2^(BITS_PER_LONG-1). */
static inline unsigned long roundup_pow_of_two(unsigned long n)
{
	return 1UL << fls_long(n - 1);
}

/* Largest power of two <= @n; @n must not be 0. */
static inline unsigned long rounddown_pow_of_two(unsigned long n)
{
	return 1UL << (fls_long(n) - 1);
}

#endif /* KEEL_BITOPS_H */
