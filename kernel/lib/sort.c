/*
 * Heapsort and binary search (interface in <keel/sort.h>).
 *
 * The heap is a max-heap laid out in the array itself (children of element
 * i at 2i+1 and 2i+2). Building it sifts down every inner node, bottom up;
 * then the maximum is swapped to the end of the shrinking heap n-1 times.
 * Without a caller-supplied swap, elements whose size and address allow it
 * are swapped a word at a time, others a byte at a time.
 */
#include <keel/compiler.h>
#include <keel/sort.h>
#include <keel/types.h>

typedef unsigned long __attribute__((__may_alias__)) sort_word_t;

static void swap_bytes(void *a, void *b, size_t size)
{
	u8 *p = a, *q = b;

	while (size--) {
		u8 t = *p;

		*p++ = *q;
		*q++ = t;
	}
}

static void swap_words(void *a, void *b, size_t size)
{
	sort_word_t *p = a, *q = b;

	for (; size; size -= sizeof(sort_word_t)) {
		sort_word_t t = *p;

		*p++ = *q;
		*q++ = t;
	}
}

/* Move element @root down the heap of @n elements until both children are
 * no larger. */
static void sift_down(u8 *base, size_t root, size_t n, size_t size,
		      int (*cmp)(const void *, const void *),
		      void (*swap)(void *, void *, size_t))
{
	size_t child;

	while ((child = 2 * root + 1) < n) {
		if (child + 1 < n &&
		    cmp(base + child * size, base + (child + 1) * size) < 0)
			child++;
		if (cmp(base + root * size, base + child * size) >= 0)
			return;
		swap(base + root * size, base + child * size, size);
		root = child;
	}
}

/**
 * sort - sort @num elements of @size bytes at @base in ascending order.
 * @cmp: ordering of two elements
 * @swap: exchanges two elements; NULL for a generic swap
 *
 * Context: any, if @cmp and @swap are; uses O(1) stack.
 */
void sort(void *base, size_t num, size_t size,
	  int (*cmp)(const void *a, const void *b),
	  void (*swap)(void *a, void *b, size_t size))
{
	u8 *b = base;
	size_t i;

	if (num < 2 || !size)
		return;
	if (!swap) {
		bool words = size % sizeof(sort_word_t) == 0 &&
			     (uptr)base % sizeof(sort_word_t) == 0;

		swap = words ? swap_words : swap_bytes;
	}
	for (i = num / 2; i-- > 0;)
		sift_down(b, i, num, size, cmp, swap);
	for (i = num - 1; i > 0; i--) {
		swap(b, b + i * size, size);
		sift_down(b, 0, i, size, cmp, swap);
	}
}

/**
 * bsearch - find @key in the sorted array of @num elements at @base.
 * @cmp: compares the key with an element
 *
 * Context: any, if @cmp is.
 * Return: a matching element (any of them if several match), or NULL.
 */
void *bsearch(const void *key, const void *base, size_t num, size_t size,
	      int (*cmp)(const void *key, const void *elt))
{
	const u8 *lo = base;

	while (num) {
		const u8 *mid = lo + (num / 2) * size;
		int c = cmp(key, mid);

		if (c == 0)
			return (void *)mid;
		if (c > 0) {
			lo = mid + size;
			num -= num / 2 + 1;
		} else {
			num /= 2;
		}
	}
	return NULL;
}
