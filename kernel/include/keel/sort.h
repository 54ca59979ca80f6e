/*
 * In-place sorting and binary search of arrays of fixed-size elements.
 *
 * sort() is a heapsort: O(n log n) comparisons in the worst case, no
 * recursion and no allocation, so it is safe on a small kernel stack and in
 * any context. It is not stable. Comparison functions return <0, 0 or >0 as
 * the first argument sorts before, equal to or after the second.
 */
#ifndef KEEL_SORT_H
#define KEEL_SORT_H

#include <keel/types.h>

void sort(void *base, size_t num, size_t size,
	  int (*cmp)(const void *a, const void *b),
	  void (*swap)(void *a, void *b, size_t size));
void *bsearch(const void *key, const void *base, size_t num, size_t size,
	      int (*cmp)(const void *key, const void *elt));

#endif /* KEEL_SORT_H */
