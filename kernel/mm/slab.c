/*
 * Slab allocator: named caches of equal-sized objects (interface in
 * <keel/slab.h>; kmalloc.c builds kmalloc on it).
 *
 * Slabs. A slab is a block of 2^order pages from the page allocator, cut
 * into `objects` slots of `stride` bytes. Its first struct page (flag
 * PG_slab) describes it: slab_cache, freelist (its free slots, linked
 * through one word of each), inuse (objects taken off the freelist, whether
 * allocated or waiting in a CPU array), objects, and order. Buddy blocks
 * are naturally aligned, so the slab holding an object is found by rounding
 * the object's page frame number down to the cache's order; kfree, which
 * does not know the cache, tries each order (kmem_head_page()).
 *
 * Lists. A cache's slabs are on one of three lists: partial (some slots
 * free), full (none free) and empty (all free). Refills take from partial
 * before empty, so few slabs are left partly used. A cache keeps at most
 * SLAB_MAX_EMPTY empty slabs; the next one to empty goes straight back to
 * the page allocator, and kmem_cache_shrink() returns them all.
 *
 * Per-CPU arrays. For each CPU a cache has an array of up to cpu_limit free
 * objects: allocation pops the newest, free pushes, and nothing shared is
 * touched. An empty array is refilled with `batch` objects from the slab
 * lists; a full one gives its `batch` oldest objects back to their slabs.
 * Each array has its own lock, so that kmem_cache_shrink() on one CPU can
 * drain the arrays of all the others; the owner's lock is uncontended.
 *
 * Slot layout of a normal cache. The free-list link overlays the first word
 * of a free object; with a constructor it follows the object instead, since
 * constructed state must survive a free:
 *
 *	+---------------+-----+         +---------------+------+-----+
 *	| object (size) | pad |   or    | object (size) | link | pad |
 *	+---------------+-----+         +---------------+------+-----+
 *	0                stride         0                       stride
 *
 * A debug cache (CACHE_DEBUG: slab_debug on, no SLAB_NO_DEBUG) lays out its
 * slots with a track and red zones instead (drawn in slab_debug.c), and the
 * code here calls that file's slab_debug_*() hooks at each step.
 *
 * The structures, their locking legend and the lock order are in
 * slab_internal.h.
 */
#include <keel/arch.h>
#include <keel/compiler.h>
#include <keel/cpu.h>
#include <keel/list.h>
#include <keel/mm.h>
#include <keel/panic.h>
#include <keel/printk.h>
#include <keel/slab.h>
#include <keel/spinlock.h>
#include <keel/string.h>

#include "slab_internal.h"

#define SLAB_MAX_ORDER   4     /* largest slab: 16 pages */
#define SLAB_MIN_OBJECTS 8     /* fewer per slab only if waste forces it */
#define SLAB_MAX_EMPTY   2     /* empty slabs a cache keeps for reuse */

#define SLAB_PUBLIC_FLAGS (SLAB_HWCACHE_ALIGN | SLAB_NO_DEBUG)

/*
 * The gfp bits that matter for a slab's pages. Zeroing is per object, and
 * a cache cannot promise __GFP_DMA32 for objects of slabs it already has.
 */
#define SLAB_PAGE_GFP (__GFP_ATOMIC | __GFP_NOWARN | __GFP_NOFAIL_INJECT)

static DEFINE_SPINLOCK(caches_lock);
static LIST_HEAD(caches);              /* [C] all caches, oldest first */
static struct kmem_cache cache_cache;  /* where struct kmem_cache lives */

/*
 * list_for_each_entry() would form a struct kmem_cache pointer from the
 * list head itself, which is not 64-byte aligned as the type demands.
 */
static inline struct kmem_cache *cache_of_node(struct list_head *node)
{
	return list_entry(node, struct kmem_cache, node);
}

/* ---- slabs -------------------------------------------------------------- */

/* A new slab with every slot free, threaded first slot first. */
static struct page *slab_create(struct kmem_cache *c, gfp_t gfp)
{
	struct page *slab = alloc_pages(gfp & SLAB_PAGE_GFP, c->order);
	unsigned int i;

	if (!slab)
		return NULL;
	/* obj_slab() relies on buddy blocks being naturally aligned. */
	KASSERT(IS_ALIGNED(page_to_pfn(slab), 1UL << c->order));
	slab->freelist = NULL;
	for (i = c->objects; i-- > 0;) {
		void *obj = slot_obj(c, slab, i);

		if (c->flags & CACHE_DEBUG)
			slab_debug_init_obj(c, obj);
		if (c->ctor)
			c->ctor(obj);
		*obj_link(c, obj) = slab->freelist;
		slab->freelist = obj;
	}
	slab->slab_cache = c;
	slab->objects = c->objects;
	slab->inuse = 0;
	slab->order = c->order;
	page_set_flag(slab, PG_slab);
	return slab;
}

static void slab_destroy(struct kmem_cache *c, struct page *slab)
{
	if (c->flags & CACHE_DEBUG)
		slab_debug_check_slab(c, slab);
	page_clear_flag(slab, PG_slab);
	slab->slab_cache = NULL;
	slab->freelist = NULL;
	slab->inuse = 0;
	slab->objects = 0;
	free_pages(slab, c->order);
}

/*
 * slab_release - give the slabs on @release back to the page allocator.
 * Return: the number of pages freed.
 * Context: no slab lock held but perhaps caches_lock.
 */
static unsigned long slab_release(struct kmem_cache *c,
				  struct list_head *release)
{
	struct page *slab, *tmp;
	unsigned long pages = 0;

	list_for_each_entry_safe(slab, tmp, release, list) {
		list_del(&slab->list);
		slab_destroy(c, slab);
		pages += 1UL << c->order;
	}
	return pages;
}

/* Move @slab to the list its fill calls for. Context: c->lock held. */
static void slab_place(struct kmem_cache *c, struct page *slab)
{
	struct list_head *to = &c->partial;

	if (!slab->freelist)
		to = &c->full;
	else if (!slab->inuse)
		to = &c->empty;
	list_move(&slab->list, to);
}

/*
 * slab_take - pop the first free object of @slab (which has one) for an
 * allocation by @caller. The caller re-places the slab.
 * Context: c->lock held.
 */
static void *slab_take(struct kmem_cache *c, struct page *slab,
		       unsigned long caller)
{
	void *obj = slab->freelist;
	void *next = *obj_link(c, obj);

	if (slab->inuse++ == 0)
		c->nr_empty--;
	c->nr_inuse++;
	if ((c->flags & CACHE_DEBUG) &&
	    !slab_debug_link_ok(c, slab, obj, next, caller)) {
		/* The rest of the list is lost: count it as in use forever. */
		c->nr_inuse += slab->objects - slab->inuse;
		slab->inuse = slab->objects;
		next = NULL;
	}
	slab->freelist = next;
	return obj;
}

/*
 * slab_put - return @obj to its slab. A slab that empties joins the empty
 * list, or @release when the cache already keeps SLAB_MAX_EMPTY.
 * Context: c->lock held.
 */
static void slab_put(struct kmem_cache *c, void *obj,
		     struct list_head *release)
{
	struct page *slab = obj_slab(c, obj);

	*obj_link(c, obj) = slab->freelist;
	slab->freelist = obj;
	c->nr_inuse--;
	if (--slab->inuse == 0) {
		if (c->nr_empty >= SLAB_MAX_EMPTY) {
			list_move(&slab->list, release);
			c->nr_slabs--;
			return;
		}
		c->nr_empty++;
	}
	slab_place(c, slab);
}

/* ---- per-CPU arrays ----------------------------------------------------- */

/* Fill an empty array with up to c->batch objects. Context: pc->lock held. */
static void cpu_refill(struct kmem_cache *c, struct slab_cpu *pc,
		       unsigned long caller)
{
	struct page *slab;

	spin_lock(&c->lock);
	while (pc->count < c->batch) {
		slab = list_first_entry_or_null(&c->partial, struct page, list);
		if (!slab)
			slab = list_first_entry_or_null(&c->empty, struct page,
							list);
		if (!slab)
			break;
		while (pc->count < c->batch && slab->freelist)
			pc->objs[pc->count++] = slab_take(c, slab, caller);
		slab_place(c, slab);
	}
	spin_unlock(&c->lock);
}

/* Give the @n oldest objects back to their slabs. Context: pc->lock held. */
static void cpu_flush(struct kmem_cache *c, struct slab_cpu *pc,
		      unsigned int n, struct list_head *release)
{
	unsigned int i;

	spin_lock(&c->lock);
	for (i = 0; i < n; i++)
		slab_put(c, pc->objs[i], release);
	spin_unlock(&c->lock);
	pc->count -= n;
	memmove(pc->objs, pc->objs + n, pc->count * sizeof(void *));
}

static void *cpu_pop(struct kmem_cache *c, unsigned long caller)
{
	unsigned long irq = arch_irq_save();
	struct slab_cpu *pc = &c->cpu[cpu_id()];
	void *obj = NULL;

	spin_lock(&pc->lock);
	if (!pc->count)
		cpu_refill(c, pc, caller);
	if (pc->count)
		obj = pc->objs[--pc->count];
	spin_unlock(&pc->lock);
	arch_irq_restore(irq);
	return obj;
}

static void cpu_push(struct kmem_cache *c, void *obj)
{
	LIST_HEAD(release);
	unsigned long irq = arch_irq_save();
	struct slab_cpu *pc = &c->cpu[cpu_id()];

	spin_lock(&pc->lock);
	if (pc->count == c->cpu_limit)
		cpu_flush(c, pc, c->batch, &release);
	pc->objs[pc->count++] = obj;
	spin_unlock(&pc->lock);
	arch_irq_restore(irq);
	if (!list_empty(&release))
		slab_release(c, &release);
}

static void cpu_drain(struct kmem_cache *c, struct slab_cpu *pc,
		      struct list_head *release)
{
	unsigned long irq;

	if (!READ_ONCE(pc->count))
		return;
	irq = spin_lock_irqsave(&pc->lock);
	if (pc->count)
		cpu_flush(c, pc, pc->count, release);
	spin_unlock_irqrestore(&pc->lock, irq);
}

/* ---- allocation and free ------------------------------------------------ */

/* Allocate from a new slab: the lists had nothing free. */
static void *alloc_from_new_slab(struct kmem_cache *c, gfp_t gfp,
				 unsigned long caller)
{
	struct page *slab = slab_create(c, gfp);
	unsigned long irq;
	void *obj;

	if (!slab)
		return NULL;
	irq = spin_lock_irqsave(&c->lock);
	list_add(&slab->list, &c->empty);
	c->nr_slabs++;
	c->nr_empty++;
	obj = slab_take(c, slab, caller);
	slab_place(c, slab);
	spin_unlock_irqrestore(&c->lock, irq);
	return obj;
}

void *__kmem_cache_alloc(struct kmem_cache *c, gfp_t gfp,
			 unsigned long caller)
{
	void *obj = cpu_pop(c, caller);

	if (unlikely(!obj)) {
		obj = alloc_from_new_slab(c, gfp, caller);
		if (!obj)
			return NULL;
	}
	if (c->flags & CACHE_DEBUG)
		slab_debug_on_alloc(c, obj, caller);
	if (gfp & __GFP_ZERO)
		memset(obj, 0, c->size);
	return obj;
}

/* The slab of @c holding @obj; NULL (after a report) if there is none. */
static struct page *cache_slab_of(struct kmem_cache *c, const void *obj,
				  unsigned long caller)
{
	struct page *slab;

	if (!virt_addr_valid(obj)) {
		slab_report_bad_free(obj, caller, "not a slab object");
		return NULL;
	}
	slab = obj_slab(c, obj);
	if (page_test_flag(slab, PG_slab) && slab->slab_cache == c)
		return slab;
	slab = kmem_head_page(obj);
	if (slab && page_test_flag(slab, PG_slab))
		slab_report_wrong_cache(c, obj, slab->slab_cache, caller);
	else
		slab_report_bad_free(obj, caller, "not a slab object");
	return NULL;
}

void __kmem_cache_free(struct kmem_cache *c, void *obj, unsigned long caller)
{
	struct page *slab;

	if (unlikely(!obj))
		return;
	slab = cache_slab_of(c, obj, caller);
	if (unlikely(!slab))
		return;
	if ((c->flags & CACHE_DEBUG) &&
	    !slab_debug_on_free(c, slab, obj, caller))
		return;
	cpu_push(c, obj);
}

void *kmem_cache_alloc(struct kmem_cache *cache, gfp_t gfp)
{
	return __kmem_cache_alloc(cache, gfp, _RET_IP_);
}

void *kmem_cache_zalloc(struct kmem_cache *cache, gfp_t gfp)
{
	return __kmem_cache_alloc(cache, gfp | __GFP_ZERO, _RET_IP_);
}

void kmem_cache_free(struct kmem_cache *cache, void *obj)
{
	__kmem_cache_free(cache, obj, _RET_IP_);
}

size_t kmem_cache_size(const struct kmem_cache *cache)
{
	return cache->size;
}

struct page *kmem_head_page(const void *p)
{
	unsigned long pfn, head;
	unsigned int order;
	struct page *page;

	if (!virt_addr_valid(p))
		return NULL;
	pfn = virt_to_phys(p) >> PAGE_SHIFT;
	/* Blocks are naturally aligned: the head is pfn rounded down. */
	for (order = 0; order <= MAX_ORDER; order++) {
		head = ALIGN_DOWN(pfn, 1UL << order);
		page = pfn_to_page(head);
		if ((page_test_flag(page, PG_slab) ||
		     page_test_flag(page, PG_large_kmalloc)) &&
		    pfn - head < (1UL << page->order))
			return page;
	}
	return NULL;
}

/* ---- shrinking ---------------------------------------------------------- */

unsigned long kmem_cache_shrink(struct kmem_cache *c)
{
	LIST_HEAD(release);
	unsigned long irq;
	unsigned int cpu;

	for (cpu = 0; cpu < NR_CPUS; cpu++)
		cpu_drain(c, &c->cpu[cpu], &release);
	irq = spin_lock_irqsave(&c->lock);
	list_splice_init(&c->empty, &release);
	c->nr_slabs -= c->nr_empty;
	c->nr_empty = 0;
	spin_unlock_irqrestore(&c->lock, irq);
	return slab_release(c, &release);
}

unsigned long kmem_cache_shrink_all(void)
{
	struct list_head *pos;
	unsigned long irq, pages = 0;

	irq = spin_lock_irqsave(&caches_lock);
	list_for_each(pos, &caches)
		pages += kmem_cache_shrink(cache_of_node(pos));
	spin_unlock_irqrestore(&caches_lock, irq);
	return pages;
}

/* ---- creating and destroying caches ------------------------------------- */

/* Alignment: as asked, or natural for the size (capped), at least a word. */
static size_t cache_align(size_t size, size_t align, unsigned int flags)
{
	if (!align)
		align = MIN(size & -size, (size_t)SLAB_CACHELINE);
	if (flags & SLAB_HWCACHE_ALIGN)
		align = MAX(align, (size_t)SLAB_CACHELINE);
	return MAX(align, sizeof(void *));
}

static void cache_layout(struct kmem_cache *c)
{
	const size_t word = sizeof(void *);

	if (c->flags & CACHE_DEBUG) {
		slab_debug_layout(c);
	} else if (c->ctor) {
		c->obj_offset = 0;
		c->link_offset = ALIGN_UP(c->size, word);
		c->stride = ALIGN_UP(c->link_offset + word, c->align);
	} else {
		c->obj_offset = 0;
		c->link_offset = 0;
		c->stride = ALIGN_UP(MAX(c->size, word), c->align);
	}
}

/*
 * cache_pick_order - the smallest order whose slab holds SLAB_MIN_OBJECTS
 * slots with at most 1/8 wasted; failing that, the one that wastes the
 * smallest fraction. Return: false if no slab holds even one slot.
 */
static bool cache_pick_order(struct kmem_cache *c)
{
	unsigned long best_waste = 0, best_bytes = 1;
	unsigned int order;

	c->objects = 0;
	for (order = 0; order <= SLAB_MAX_ORDER; order++) {
		unsigned long bytes = PAGE_SIZE << order;
		unsigned long n = bytes / c->stride;
		unsigned long waste = bytes - n * c->stride;

		if (!n)
			continue;
		if (n >= SLAB_MIN_OBJECTS && waste * 8 <= bytes) {
			c->order = order;
			c->objects = (unsigned int)n;
			return true;
		}
		if (!c->objects || waste * best_bytes < best_waste * bytes) {
			c->order = order;
			c->objects = (unsigned int)n;
			best_waste = waste;
			best_bytes = bytes;
		}
	}
	return c->objects != 0;
}

/* Big objects get short CPU arrays: they would pin too much memory. */
static void cache_size_cpu_arrays(struct kmem_cache *c)
{
	if (c->stride <= 256)
		c->cpu_limit = SLAB_CPU_MAX;
	else if (c->stride <= 1024)
		c->cpu_limit = 8;
	else
		c->cpu_limit = 4;
	c->batch = (c->cpu_limit + 1) / 2;
}

/* Fill in a zeroed cache structure. Return: 0, or -1 if no layout fits. */
static int cache_setup(struct kmem_cache *c, const char *name, size_t size,
		       size_t align, unsigned int flags, void (*ctor)(void *))
{
	unsigned int cpu;

	strlcpy(c->name, name, sizeof(c->name));
	spin_lock_init(&c->lock);
	INIT_LIST_HEAD(&c->partial);
	INIT_LIST_HEAD(&c->full);
	INIT_LIST_HEAD(&c->empty);
	INIT_LIST_HEAD(&c->node);
	for (cpu = 0; cpu < NR_CPUS; cpu++)
		spin_lock_init(&c->cpu[cpu].lock);
	c->size = size;
	c->ctor = ctor;
	c->align = cache_align(size, align, flags);
	c->flags = flags;
	/* A constructed object's state must survive free: no poison. */
	if (slab_debug_enabled() && !(flags & SLAB_NO_DEBUG))
		c->flags |= ctor ? CACHE_DEBUG : CACHE_DEBUG | CACHE_POISON;
	cache_layout(c);
	if (!cache_pick_order(c))
		return -1;
	cache_size_cpu_arrays(c);
	return 0;
}

static bool cache_args_ok(const char *name, size_t size, size_t align,
			  unsigned int flags)
{
	if (!name || !size || size > (PAGE_SIZE << SLAB_MAX_ORDER) ||
	    (align & (align - 1)) || align > PAGE_SIZE ||
	    (flags & ~SLAB_PUBLIC_FLAGS)) {
		pr_warn("slab: cannot create cache %s: size %zu, align %zu, "
			"flags %#x\n", name ? name : "(null)", size, align,
			flags);
		return false;
	}
	return true;
}

void slab_init(void)
{
	KASSERT(!cache_cache.objects);
	if (cache_setup(&cache_cache, "kmem_cache", sizeof(struct kmem_cache),
			0, SLAB_HWCACHE_ALIGN, NULL))
		panic("slab_init: no slab layout for struct kmem_cache");
	list_add_tail(&cache_cache.node, &caches);
}

struct kmem_cache *__kmem_cache_create(const char *name, size_t size,
				       size_t align, unsigned int flags,
				       void (*ctor)(void *obj), gfp_t gfp)
{
	struct kmem_cache *c;
	unsigned long irq;

	KASSERT(cache_cache.objects); /* slab_init() has run */
	if (!cache_args_ok(name, size, align, flags))
		return NULL;
	c = __kmem_cache_alloc(&cache_cache, gfp | __GFP_ZERO, _RET_IP_);
	if (!c)
		return NULL;
	if (cache_setup(c, name, size, align, flags, ctor)) {
		pr_warn("slab: cache %s: %zu-byte objects fit no slab\n", name,
			size);
		__kmem_cache_free(&cache_cache, c, _RET_IP_);
		return NULL;
	}
	irq = spin_lock_irqsave(&caches_lock);
	list_add_tail(&c->node, &caches);
	spin_unlock_irqrestore(&caches_lock, irq);
	return c;
}

struct kmem_cache *kmem_cache_create(const char *name, size_t size,
				     size_t align, unsigned int flags,
				     void (*ctor)(void *obj))
{
	return __kmem_cache_create(name, size, align, flags, ctor, GFP_KERNEL);
}

void kmem_cache_destroy(struct kmem_cache *c)
{
	unsigned long irq;
	bool leaked;

	if (!c || c == &cache_cache)
		return;
	kmem_cache_shrink(c);
	/* Under caches_lock no kmem_cache_shrink_all() is using @c. */
	irq = spin_lock_irqsave(&caches_lock);
	leaked = READ_ONCE(c->nr_slabs) != 0;
	if (leaked)
		c->flags |= CACHE_LEAKED;
	else
		list_del(&c->node);
	spin_unlock_irqrestore(&caches_lock, irq);
	if (leaked) {
		slab_report_leaks(c, _RET_IP_);
		return;
	}
	__kmem_cache_free(&cache_cache, c, _RET_IP_);
}

/* ---- statistics --------------------------------------------------------- */

static void cache_info(struct kmem_cache *c, struct slab_info *in)
{
	unsigned long cached = 0, inuse, irq;
	unsigned int cpu;

	/* A snapshot: other CPUs' arrays change under us. */
	for (cpu = 0; cpu < NR_CPUS; cpu++)
		cached += READ_ONCE(c->cpu[cpu].count);
	strlcpy(in->name, c->name, sizeof(in->name));
	in->object_size = c->size;
	in->slot_size = c->stride;
	in->objs_per_slab = c->objects;
	in->pages_per_slab = 1u << c->order;
	irq = spin_lock_irqsave(&c->lock);
	in->slabs = c->nr_slabs;
	inuse = c->nr_inuse;
	spin_unlock_irqrestore(&c->lock, irq);
	in->total_objs = in->slabs * c->objects;
	in->cached_objs = MIN(cached, inuse);
	in->active_objs = inuse - in->cached_objs;
}

size_t slab_stats(struct slab_info *info, size_t max)
{
	struct list_head *pos;
	unsigned long irq;
	size_t n = 0;

	irq = spin_lock_irqsave(&caches_lock);
	list_for_each(pos, &caches) {
		if (n < max)
			cache_info(cache_of_node(pos), &info[n]);
		n++;
	}
	spin_unlock_irqrestore(&caches_lock, irq);
	return n;
}
