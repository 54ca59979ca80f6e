/*
 * Bitmap searches and range operations (interface in <keel/bitmap.h>).
 *
 * Searches go a word at a time: the first word is masked below the start
 * offset, and a zero search is a one search over inverted words, so one
 * routine serves both. Words past the end are never read; bits past @size
 * in the last word may be read but never reported, because results are
 * clamped to @size. Range updates split the range into per-word masks.
 */
#include <keel/bitmap.h>
#include <keel/bitops.h>
#include <keel/compiler.h>
#include <keel/types.h>

/* First bit at or after @offset that is set in (word ^ @invert). */
static unsigned long find_next(const unsigned long *addr, unsigned long size,
			       unsigned long offset, unsigned long invert)
{
	unsigned long word;

	if (offset >= size)
		return size;
	word = (addr[BIT_WORD(offset)] ^ invert) &
	       (~0UL << (offset % BITS_PER_LONG));
	offset -= offset % BITS_PER_LONG;
	while (!word) {
		offset += BITS_PER_LONG;
		if (offset >= size)
			return size;
		word = addr[BIT_WORD(offset)] ^ invert;
	}
	offset += __ffs(word);
	return offset < size ? offset : size;
}

/**
 * find_next_bit - Return: the first set bit at or after @offset, or @size.
 * Context: any; the caller keeps the bitmap stable.
 */
unsigned long find_next_bit(const unsigned long *addr, unsigned long size,
			    unsigned long offset)
{
	return find_next(addr, size, offset, 0);
}

/**
 * find_next_zero_bit - Return: the first clear bit at or after @offset,
 * or @size.
 * Context: any; the caller keeps the bitmap stable.
 */
unsigned long find_next_zero_bit(const unsigned long *addr,
				 unsigned long size, unsigned long offset)
{
	return find_next(addr, size, offset, ~0UL);
}

/**
 * find_last_bit - Return: the highest set bit below @size, or @size.
 * Context: any; the caller keeps the bitmap stable.
 */
unsigned long find_last_bit(const unsigned long *addr, unsigned long size)
{
	unsigned long idx, word;

	if (!size)
		return 0;
	idx = BIT_WORD(size - 1);
	word = addr[idx] & BITMAP_LAST_WORD_MASK(size);
	for (;;) {
		if (word)
			return idx * BITS_PER_LONG + __fls(word);
		if (idx-- == 0)
			return size;
		word = addr[idx];
	}
}

/**
 * bitmap_find_next_zero_area - find @nr clear bits in a row, for allocators.
 * @map: the bitmap
 * @size: its size in bits
 * @start: lowest bit the area may start at
 * @nr: length of the area in bits
 * @align_mask: alignment of the start minus one (0, 1, 3, 7, ...)
 *
 * Context: any; the caller keeps the bitmap stable.
 * Return: the first suitably aligned start >= @start of such an area, or
 * @size if there is none (or if @nr is 0 and the start would pass @size).
 */
unsigned long bitmap_find_next_zero_area(const unsigned long *map,
					 unsigned long size,
					 unsigned long start,
					 unsigned long nr,
					 unsigned long align_mask)
{
	unsigned long index, busy;

	for (;;) {
		index = nr ? find_next_zero_bit(map, size, start) : start;
		if (index >= size)
			return size;
		index = (index + align_mask) & ~align_mask;
		if (index >= size || nr > size - index)
			return size;
		busy = find_next_bit(map, index + nr, index);
		if (busy >= index + nr)
			return index;
		start = busy + 1;
	}
}

/**
 * bitmap_weight - Return: the number of set bits among the first @nbits.
 * Context: any.
 */
unsigned int bitmap_weight(const unsigned long *map, unsigned long nbits)
{
	unsigned long i, full = nbits / BITS_PER_LONG;
	unsigned int w = 0;

	for (i = 0; i < full; i++)
		w += hweight_long(map[i]);
	if (nbits % BITS_PER_LONG)
		w += hweight_long(map[full] & BITMAP_LAST_WORD_MASK(nbits));
	return w;
}

/* Apply a mask covering [start, start+len) to each word it touches. */
static void range_update(unsigned long *map, unsigned long start,
			 unsigned long len, bool set)
{
	while (len) {
		unsigned long lo = start % BITS_PER_LONG;
		unsigned long n = BITS_PER_LONG - lo;
		unsigned long mask;

		if (n > len)
			n = len;
		mask = n == BITS_PER_LONG ? ~0UL : (BIT(n) - 1) << lo;
		if (set)
			map[BIT_WORD(start)] |= mask;
		else
			map[BIT_WORD(start)] &= ~mask;
		start += n;
		len -= n;
	}
}

/**
 * bitmap_set - set the @len bits starting at @start (non-atomic).
 * Context: any; the caller owns or locks the bitmap.
 */
void bitmap_set(unsigned long *map, unsigned long start, unsigned long len)
{
	range_update(map, start, len, true);
}

/**
 * bitmap_clear - clear the @len bits starting at @start (non-atomic).
 * Context: any; the caller owns or locks the bitmap.
 */
void bitmap_clear(unsigned long *map, unsigned long start, unsigned long len)
{
	range_update(map, start, len, false);
}

/**
 * bitmap_equal - Return: true if the first @nbits bits of @a and @b match.
 * Context: any.
 */
bool bitmap_equal(const unsigned long *a, const unsigned long *b,
		  unsigned long nbits)
{
	unsigned long i, full = nbits / BITS_PER_LONG;

	for (i = 0; i < full; i++) {
		if (a[i] != b[i])
			return false;
	}
	return !(nbits % BITS_PER_LONG) ||
	       !((a[full] ^ b[full]) & BITMAP_LAST_WORD_MASK(nbits));
}

/**
 * bitmap_intersects - Return: true if @a and @b share a set bit below @nbits.
 * Context: any.
 */
bool bitmap_intersects(const unsigned long *a, const unsigned long *b,
		       unsigned long nbits)
{
	unsigned long i, full = nbits / BITS_PER_LONG;

	for (i = 0; i < full; i++) {
		if (a[i] & b[i])
			return true;
	}
	return (nbits % BITS_PER_LONG) &&
	       (a[full] & b[full] & BITMAP_LAST_WORD_MASK(nbits));
}

/**
 * bitmap_and - @dst = @a & @b over BITS_TO_LONGS(@nbits) words.
 * Context: any.
 */
void bitmap_and(unsigned long *dst, const unsigned long *a,
		const unsigned long *b, unsigned long nbits)
{
	unsigned long i;

	for (i = 0; i < BITS_TO_LONGS(nbits); i++)
		dst[i] = a[i] & b[i];
}

/**
 * bitmap_or - @dst = @a | @b over BITS_TO_LONGS(@nbits) words.
 * Context: any.
 */
void bitmap_or(unsigned long *dst, const unsigned long *a,
	       const unsigned long *b, unsigned long nbits)
{
	unsigned long i;

	for (i = 0; i < BITS_TO_LONGS(nbits); i++)
		dst[i] = a[i] | b[i];
}

/**
 * bitmap_andnot - @dst = @a & ~@b over BITS_TO_LONGS(@nbits) words.
 * Context: any.
 */
void bitmap_andnot(unsigned long *dst, const unsigned long *a,
		   const unsigned long *b, unsigned long nbits)
{
	unsigned long i;

	for (i = 0; i < BITS_TO_LONGS(nbits); i++)
		dst[i] = a[i] & ~b[i];
}
