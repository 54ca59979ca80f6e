/*
 * Private interface of the slab allocator, shared by kernel/mm/slab.c
 * (caches, slabs, per-CPU arrays), kernel/mm/slab_debug.c (debug mode: red
 * zones, poisoning, call-site tracking, the checks and their reports) and
 * kernel/mm/kmalloc.c. The public interface is <keel/slab.h>; nothing
 * outside kernel/mm includes this file.
 *
 * Locking legend (fields below, and in slab_debug.c, are tagged):
 *	[I] immutable once the cache is created
 *	[C] caches_lock: the global list of caches
 *	[c] slab_cpu.lock: one CPU's array
 *	[l] kmem_cache.lock: the slab lists, and the slab fields of the
 *	    struct page of each of the cache's slabs
 *	[o] whoever holds the object: its user while allocated, the
 *	    allocator (under [c] or [l]) while free
 *	[a] atomic
 * Order: caches_lock -> slab_cpu.lock -> kmem_cache.lock, all with
 * interrupts off. alloc_pages() is never called with a slab lock held (it
 * may call kmem_cache_shrink_all() when memory runs out); free_pages() is
 * called with at most caches_lock held.
 */
#ifndef KEEL_MM_SLAB_INTERNAL_H
#define KEEL_MM_SLAB_INTERNAL_H

#include <keel/compiler.h>
#include <keel/cpu.h>
#include <keel/list.h>
#include <keel/mm.h>
#include <keel/slab.h>
#include <keel/spinlock.h>

#define SLAB_CACHELINE 64      /* SLAB_HWCACHE_ALIGN; cap on natural align */

/* A CPU array, lock and count included, fills two cache lines. */
#define SLAB_CPU_MAX ((2 * SLAB_CACHELINE - 8) / sizeof(void *))

/* Private cache flags, beside the public SLAB_* ones. */
#define CACHE_DEBUG  0x100u    /* track + red zones, checks on alloc/free */
#define CACHE_POISON 0x200u    /* free objects are poisoned */
#define CACHE_LEAKED 0x400u    /* destroyed while objects were allocated */

#define _RET_IP_ ((unsigned long)__builtin_return_address(0))

struct slab_cpu {
	struct spinlock lock;
	unsigned int count;            /* [c] objects in objs[] */
	void *objs[SLAB_CPU_MAX];      /* [c] objs[0] is the oldest */
} __aligned(SLAB_CACHELINE);

STATIC_ASSERT(sizeof(struct slab_cpu) == 2 * SLAB_CACHELINE,
	      "struct slab_cpu should fill two cache lines");

struct kmem_cache {
	struct spinlock lock;
	struct list_head partial;      /* [l] slabs with some slots free */
	struct list_head full;         /* [l] slabs with no slot free */
	struct list_head empty;        /* [l] slabs with every slot free */
	unsigned long nr_slabs;        /* [l] on the three lists */
	unsigned long nr_empty;        /* [l] on the empty list */
	unsigned long nr_inuse;        /* [l] objects off the freelists */
	size_t size;                   /* [I] object size */
	size_t align;                  /* [I] object alignment */
	size_t stride;                 /* [I] bytes per slot */
	size_t obj_offset;             /* [I] object start within the slot */
	size_t link_offset;            /* [I] free-list link within the slot */
	unsigned int order;            /* [I] a slab is 2^order pages */
	unsigned int objects;          /* [I] slots per slab */
	unsigned int cpu_limit;        /* [I] objects a CPU array may hold */
	unsigned int batch;            /* [I] objects per refill or flush */
	unsigned int flags;            /* [I] SLAB_*, CACHE_* ([C] LEAKED) */
	void (*ctor)(void *obj);       /* [I] */
	struct list_head node;         /* [C] on caches */
	char name[SLAB_NAME_MAX];      /* [I] */
	struct slab_cpu cpu[NR_CPUS];
};

/* ---- slot geometry ------------------------------------------------------ */

static inline char *obj_slot(const struct kmem_cache *c, const void *obj)
{
	return (char *)obj - c->obj_offset;
}

static inline void **obj_link(const struct kmem_cache *c, void *obj)
{
	return (void **)(obj_slot(c, obj) + c->link_offset);
}

static inline void *slot_obj(const struct kmem_cache *c, struct page *slab,
			     unsigned int i)
{
	return (char *)page_address(slab) + (size_t)i * c->stride +
	       c->obj_offset;
}

/* The slab @obj would be in if it belongs to @c (no checks). */
static inline struct page *obj_slab(const struct kmem_cache *c,
				    const void *obj)
{
	unsigned long pfn = virt_to_phys(obj) >> PAGE_SHIFT;

	return pfn_to_page(ALIGN_DOWN(pfn, 1UL << c->order));
}

/* ---- slab.c ------------------------------------------------------------- */

/* Set up the cache of caches; kmalloc_init() calls it first. */
void slab_init(void);
/* kmem_cache_create() with the gfp for the cache structure itself. */
struct kmem_cache *__kmem_cache_create(const char *name, size_t size,
				       size_t align, unsigned int flags,
				       void (*ctor)(void *obj), gfp_t gfp);
/* Allocate and free with @caller recorded as the call site. */
void *__kmem_cache_alloc(struct kmem_cache *cache, gfp_t gfp,
			 unsigned long caller);
void __kmem_cache_free(struct kmem_cache *cache, void *obj,
		       unsigned long caller);
/* Head page (PG_slab or PG_large_kmalloc) of the block holding @p, or NULL. */
struct page *kmem_head_page(const void *p);

/* ---- slab_debug.c: the hooks of a CACHE_DEBUG cache ---------------------- */

/* Set obj_offset, link_offset and stride of a new debug cache. */
void slab_debug_layout(struct kmem_cache *c);
/* Track, red zones and (CACHE_POISON) poison of a new slab's slot. */
void slab_debug_init_obj(const struct kmem_cache *c, void *obj);
/* Check a free object about to be handed out, and record @caller. */
void slab_debug_on_alloc(const struct kmem_cache *c, void *obj,
			 unsigned long caller);
/*
 * slab_debug_on_free - checks before @obj (in @slab) goes back to the cache.
 * Return: false when the free must be ignored (it was reported).
 */
bool slab_debug_on_free(const struct kmem_cache *c, struct page *slab,
			void *obj, unsigned long caller);
/* A slab on its way back to the page allocator: every object is free. */
void slab_debug_check_slab(const struct kmem_cache *c, struct page *slab);
/*
 * slab_debug_link_ok - is @next, the free-list successor of @obj, an object
 * of @slab or NULL? Return: true if so; false after a report.
 * Context: c->lock held.
 */
bool slab_debug_link_ok(const struct kmem_cache *c, struct page *slab,
			void *obj, const void *next, unsigned long caller);

/* ---- slab_debug.c: reports, in any mode ---------------------------------- */

/* Report a free of @p that is not an allocated object, with a backtrace. */
void slab_report_bad_free(const void *p, unsigned long caller,
			  const char *why);
/* Report a free to @c of @obj, an object of the cache @owner. */
void slab_report_wrong_cache(const struct kmem_cache *c, const void *obj,
			     const struct kmem_cache *owner,
			     unsigned long caller);
/*
 * Report the objects still allocated when @c is destroyed (a few of them,
 * with their call sites, in a debug cache). Context: takes c->lock.
 */
void slab_report_leaks(struct kmem_cache *c, unsigned long caller);

#endif /* KEEL_MM_SLAB_INTERNAL_H */
