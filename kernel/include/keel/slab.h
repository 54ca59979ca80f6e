/*
 * Object allocation: named slab caches and kmalloc.
 *
 * A cache hands out objects of one size and alignment from slabs (runs of
 * pages); each CPU keeps a small array of free objects for the fast path.
 * kmalloc serves sizes from 8 bytes through size-class caches and sends
 * larger requests straight to the page allocator.
 *
 * Debug mode (`slab_debug`, on unless the command line says slab_debug=0)
 * surrounds objects with red zones, poisons freed objects and checks both,
 * and reports double frees, invalid frees and writes after free with a
 * backtrace of the offending call.
 */
#ifndef KEEL_SLAB_H
#define KEEL_SLAB_H

#include <keel/gfp.h>
#include <keel/types.h>

struct kmem_cache;

#define SLAB_HWCACHE_ALIGN 0x1u   /* align objects to a cache line */
#define SLAB_NO_DEBUG      0x2u   /* never add red zones (e.g. page tables) */

/*
 * kmem_cache_create - make a cache of @size-byte objects.
 * @align: minimum alignment (0 = natural for the size, at least 8)
 * @ctor:  called on each object when its slab is created (may be NULL)
 * Return: the cache, or NULL when memory is short or arguments are invalid.
 * Context: process context.
 */
struct kmem_cache *kmem_cache_create(const char *name, size_t size,
				     size_t align, unsigned int flags,
				     void (*ctor)(void *obj));
/* Destroy an empty cache; leaked objects are reported, not freed. */
void kmem_cache_destroy(struct kmem_cache *cache);

/*
 * kmem_cache_alloc - one object of @cache.
 * @gfp: __GFP_ZERO zeroes it; the rest goes to the page allocator when a
 *       new slab is needed. __GFP_DMA32 is not honoured: a cache's slabs
 *       lie anywhere (kmalloc and alloc_pages honour it).
 * Return: the object, or NULL when memory is short.
 * Context: any with GFP_ATOMIC; process context with GFP_KERNEL.
 */
void *kmem_cache_alloc(struct kmem_cache *cache, gfp_t gfp);
void *kmem_cache_zalloc(struct kmem_cache *cache, gfp_t gfp);
/* Free @obj (NULL is ignored); a bad free is reported. Context: any. */
void kmem_cache_free(struct kmem_cache *cache, void *obj);

/* Return the cache's empty slabs to the page allocator; count pages freed. */
unsigned long kmem_cache_shrink(struct kmem_cache *cache);
/* Shrink every cache (called when the page allocator runs out). */
unsigned long kmem_cache_shrink_all(void);

void *kmalloc(size_t size, gfp_t gfp);
void *kzalloc(size_t size, gfp_t gfp);
void *kcalloc(size_t n, size_t size, gfp_t gfp);
void *krealloc(void *p, size_t new_size, gfp_t gfp);
void kfree(const void *p);
/* A kmalloc'd copy of string @s, or NULL. */
char *kstrdup(const char *s, gfp_t gfp);
/* Usable size of a kmalloc'd block (at least what was asked for). */
size_t ksize(const void *p);

/* Set up the kmalloc caches; called once by mm_init(). */
void kmalloc_init(void);

/*
 * kmalloc(0) returns ZERO_SIZE_PTR: not NULL, so callers see success, but
 * any access faults (it is in the never-mapped first page). kfree, ksize
 * and krealloc accept it.
 */
#define ZERO_SIZE_PTR ((void *)16)
#define ZERO_OR_NULL_PTR(p) \
	((unsigned long)(p) <= (unsigned long)ZERO_SIZE_PTR)

/* Largest size served by a kmalloc cache; larger ones get whole pages. */
#define KMALLOC_MAX_CACHE_SIZE 8192

/* Object size a cache was created with. Context: any. */
size_t kmem_cache_size(const struct kmem_cache *cache);

/* Is debug mode on (the slab_debug parameter, read once at boot)? */
bool slab_debug_enabled(void);

/*
 * Number of problems the allocator has reported since boot (double and
 * invalid frees, writes after free, red zone overwrites, leaks found by
 * kmem_cache_destroy), so tests can check a report happened. Context: any.
 */
unsigned long slab_debug_reports(void);

#define SLAB_NAME_MAX 32

/* One cache's figures, for /proc/slabinfo. */
struct slab_info {
	char name[SLAB_NAME_MAX];
	size_t object_size;          /* as created */
	size_t slot_size;            /* with padding and debug metadata */
	unsigned int objs_per_slab;
	unsigned int pages_per_slab;
	unsigned long active_objs;   /* allocated and not yet freed */
	unsigned long cached_objs;   /* free, held in per-CPU arrays */
	unsigned long total_objs;    /* slots in all slabs */
	unsigned long slabs;
};

/*
 * slab_stats - describe up to @max caches in @info, oldest first.
 * Return: the number of caches (more than @max when some did not fit).
 * Context: any; takes every cache's lock in turn.
 */
size_t slab_stats(struct slab_info *info, size_t max);

#endif /* KEEL_SLAB_H */
