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

void *kmem_cache_alloc(struct kmem_cache *cache, gfp_t gfp);
void *kmem_cache_zalloc(struct kmem_cache *cache, gfp_t gfp);
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
/* Usable size of a kmalloc'd block (at least what was asked for). */
size_t ksize(const void *p);

/* Set up the kmalloc caches; called once by mm_init(). */
void kmalloc_init(void);

#endif /* KEEL_SLAB_H */
