/*
 * Slab debug mode (the slab_debug parameter, on unless the command line says
 * slab_debug=0): red zones, poisoning, alloc/free call-site tracking, the
 * checks on allocation, free and slab release, and the `slab: BUG:`
 * reports with their counter. slab.c calls the slab_debug_*() hooks for
 * caches with CACHE_DEBUG, and the slab_report_*() functions in any mode;
 * both are declared in slab_internal.h.
 *
 * Slot layout of a debug cache:
 *
 *	+-------+------------+---------------------+------------------------+
 *	| track | red zone L | object (size bytes) | red zone R (to stride) |
 *	+-------+------------+---------------------+------------------------+
 *	0       32           obj_offset            obj_offset + size   stride
 *
 * The track (struct slab_track) holds the free-list link, the object's
 * state (allocated or free) and the return addresses of its last allocation
 * and free. Each red zone is at least SLAB_RED_ZONE bytes of RED_ZONE_BYTE;
 * the left one also takes the padding that aligns the object. A free object
 * is poisoned (POISON_FREE, last byte POISON_END), except in caches with a
 * constructor. A free is checked for a slot boundary of the right cache, the
 * state (double free) and the red zones; an allocation for the red zones and
 * the poison (write after free); a slab going back to the page allocator for
 * both. Each problem gets one report -- cache, object, call sites and a
 * backtrace -- and the allocator carries on: a bad free is ignored, a
 * damaged red zone repaired.
 *
 * Locking: the tags are those of the legend in slab_internal.h. Only
 * slab_debug_link_ok() runs under a lock (kmem_cache.lock), and
 * slab_report_leaks() takes it; the other hooks touch an object its caller
 * holds ([o]) or a slab no list reaches, and a track's state word changes
 * atomically, so that of two racing frees of one object only one succeeds.
 */
#include <keel/backtrace.h>
#include <keel/compiler.h>
#include <keel/ksyms.h>
#include <keel/list.h>
#include <keel/mm.h>
#include <keel/param.h>
#include <keel/printk.h>
#include <keel/slab.h>
#include <keel/spinlock.h>
#include <keel/sprintf.h>
#include <keel/string.h>

#include "slab_internal.h"

#define SLAB_RED_ZONE    8     /* least red zone on each side of an object */

#define POISON_FREE   0x6b     /* every byte of a free object... */
#define POISON_END    0xa5     /* ...but the last */
#define RED_ZONE_BYTE 0xbb

#define OBJ_ALLOCATED 0xa110ca7eda110ca7UL
#define OBJ_FREE      0xf7eef7eef7eef7eeUL

/* Debug metadata at the start of every slot of a debug cache. */
struct slab_track {
	void *link;                /* [l] next free object, on a freelist */
	unsigned long state;       /* [a] OBJ_ALLOCATED or OBJ_FREE */
	unsigned long alloc_site;  /* [o] caller of the last allocation */
	unsigned long free_site;   /* [o] caller of the last free */
};

static bool slab_debug = true;
KPARAM_BOOL(slab_debug, slab_debug,
	    "slab red zones, poisoning and free checks (read at boot)");
static unsigned long slab_reports;     /* [a] problems reported */

/* ---- slot geometry ------------------------------------------------------ */

static inline struct slab_track *obj_track(const struct kmem_cache *c,
					   const void *obj)
{
	return (struct slab_track *)obj_slot(c, obj);
}

static inline size_t rz_left_len(const struct kmem_cache *c)
{
	return c->obj_offset - sizeof(struct slab_track);
}

static inline size_t rz_right_len(const struct kmem_cache *c)
{
	return c->stride - c->obj_offset - c->size;
}

/* ---- debug reports ------------------------------------------------------ */

static void report_site(const char *what, unsigned long addr)
{
	char sym[128];

	if (!addr) {
		pr_err("slab:   %s: (unknown)\n", what);
		return;
	}
	ksym_snprint(sym, sizeof(sym), addr);
	pr_err("slab:   %s: %s\n", what, sym);
}

/* First lines of a report: the problem, the cache and the address. */
static __printf(3, 4) void report_begin(const struct kmem_cache *c,
					const void *addr, const char *fmt, ...)
{
	char what[128];
	va_list ap;

	va_start(ap, fmt);
	vscnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	pr_err("slab: ===================================================\n");
	pr_err("slab: BUG: %s\n", what);
	if (c && addr)
		pr_err("slab:   cache %s, object %p\n", c->name, addr);
	else if (c)
		pr_err("slab:   cache %s\n", c->name);
	else
		pr_err("slab:   address %p\n", addr);
}

/*
 * Last lines: the call sites recorded in @obj's track (when @obj is an
 * object of a debug cache), the offending caller and a backtrace.
 */
static void report_end(const struct kmem_cache *c, const void *obj,
		       unsigned long caller)
{
	if (c && obj && (c->flags & CACHE_DEBUG)) {
		const struct slab_track *t = obj_track(c, obj);

		report_site("last allocated by", t->alloc_site);
		report_site("last freed by", t->free_site);
	}
	report_site("offending call from", caller);
	backtrace_print_current();
	__atomic_fetch_add(&slab_reports, 1, __ATOMIC_RELAXED);
}

void slab_report_bad_free(const void *p, unsigned long caller,
			  const char *why)
{
	report_begin(NULL, p, "invalid free: %s", why);
	report_end(NULL, NULL, caller);
}

void slab_report_wrong_cache(const struct kmem_cache *c, const void *obj,
			     const struct kmem_cache *owner,
			     unsigned long caller)
{
	report_begin(c, obj, "invalid free: object belongs to cache %s",
		     owner->name);
	report_end(c, NULL, caller);
}

/* Print up to @budget allocated objects of @list. Context: c->lock held. */
static void report_leaked_objects(struct kmem_cache *c, struct list_head *list,
				  unsigned int *budget)
{
	struct page *slab;
	unsigned int i;

	list_for_each_entry(slab, list, list) {
		for (i = 0; i < slab->objects && *budget; i++) {
			void *obj = slot_obj(c, slab, i);
			struct slab_track *t = obj_track(c, obj);
			char sym[128];

			if (t->state != OBJ_ALLOCATED)
				continue;
			ksym_snprint(sym, sizeof(sym), t->alloc_site);
			pr_err("slab:   leaked %p, allocated by %s\n", obj,
			       sym);
			--*budget;
		}
	}
}

void slab_report_leaks(struct kmem_cache *c, unsigned long caller)
{
	unsigned int budget = 8;
	unsigned long irq;

	irq = spin_lock_irqsave(&c->lock);
	report_begin(c, NULL, "cache destroyed with %lu objects allocated",
		     c->nr_inuse);
	if (c->flags & CACHE_DEBUG) {
		report_leaked_objects(c, &c->partial, &budget);
		report_leaked_objects(c, &c->full, &budget);
	}
	spin_unlock_irqrestore(&c->lock, irq);
	pr_err("slab:   the cache is kept so that they can still be freed\n");
	report_end(c, NULL, caller);
}

unsigned long slab_debug_reports(void)
{
	return __atomic_load_n(&slab_reports, __ATOMIC_RELAXED);
}

bool slab_debug_enabled(void)
{
	return slab_debug;
}

/* ---- debug checks ------------------------------------------------------- */

typedef u64 __attribute__((__may_alias__)) slab_word_t;

/* Index of the first byte of @p[0..len) that is not @v, or @len. */
static size_t first_not(const u8 *p, size_t len, u8 v)
{
	const slab_word_t pattern = 0x0101010101010101ULL * v;
	size_t i = 0;

	for (; i < len && !IS_ALIGNED((uptr)(p + i), sizeof(pattern)); i++)
		if (p[i] != v)
			return i;
	for (; i + sizeof(pattern) <= len; i += sizeof(pattern))
		if (*(const slab_word_t *)(p + i) != pattern)
			break;
	for (; i < len; i++)
		if (p[i] != v)
			return i;
	return len;
}

static void poison_obj(const struct kmem_cache *c, void *obj)
{
	memset(obj, POISON_FREE, c->size - 1);
	((u8 *)obj)[c->size - 1] = POISON_END;
}

/* Report and repair red zones of @obj that are not intact. */
static void check_red_zones(const struct kmem_cache *c, void *obj,
			    unsigned long caller, bool is_free)
{
	const char *whose = is_free ? "a free object" : "the object";
	size_t llen = rz_left_len(c), rlen = rz_right_len(c), bad;
	u8 *left = (u8 *)obj - llen, *right = (u8 *)obj + c->size;

	bad = first_not(left, llen, RED_ZONE_BYTE);
	if (bad < llen) {
		report_begin(c, obj, "red zone before %s overwritten", whose);
		pr_err("slab:   lowest bad byte at object - %zu\n", llen - bad);
		report_end(c, obj, caller);
		memset(left, RED_ZONE_BYTE, llen);
	}
	bad = first_not(right, rlen, RED_ZONE_BYTE);
	if (bad < rlen) {
		report_begin(c, obj, "red zone after %s overwritten", whose);
		pr_err("slab:   first bad byte at object + %zu (size %zu)\n",
		       c->size + bad, c->size);
		report_end(c, obj, caller);
		memset(right, RED_ZONE_BYTE, rlen);
	}
}

/* Report a free object whose poison was written to. */
static void check_poison(const struct kmem_cache *c, void *obj,
			 unsigned long caller)
{
	const u8 *p = obj;
	size_t bad = first_not(p, c->size - 1, POISON_FREE);

	if (bad == c->size - 1 && p[bad] == POISON_END)
		return;
	report_begin(c, obj, "write after free");
	pr_err("slab:   first modified byte at offset %zu (0x%02x, size %zu)\n",
	       bad, p[bad], c->size);
	report_end(c, obj, caller);
}

void slab_debug_layout(struct kmem_cache *c)
{
	c->obj_offset =
		ALIGN_UP(sizeof(struct slab_track) + SLAB_RED_ZONE, c->align);
	c->link_offset = __builtin_offsetof(struct slab_track, link);
	c->stride = ALIGN_UP(c->obj_offset + c->size + SLAB_RED_ZONE, c->align);
}

void slab_debug_init_obj(const struct kmem_cache *c, void *obj)
{
	struct slab_track *t = obj_track(c, obj);

	t->link = NULL;
	t->state = OBJ_FREE;
	t->alloc_site = 0;
	t->free_site = 0;
	memset((u8 *)obj - rz_left_len(c), RED_ZONE_BYTE, rz_left_len(c));
	memset((u8 *)obj + c->size, RED_ZONE_BYTE, rz_right_len(c));
	if (c->flags & CACHE_POISON)
		poison_obj(c, obj);
}

void slab_debug_on_alloc(const struct kmem_cache *c, void *obj,
			 unsigned long caller)
{
	struct slab_track *t = obj_track(c, obj);
	unsigned long state = __atomic_load_n(&t->state, __ATOMIC_RELAXED);

	if (state != OBJ_FREE) {
		report_begin(c, obj, "metadata of a free object overwritten");
		pr_err("slab:   state word %#lx\n", state);
		report_end(c, obj, caller);
	}
	check_red_zones(c, obj, caller, true);
	if (c->flags & CACHE_POISON)
		check_poison(c, obj, caller);
	t->alloc_site = caller;
	__atomic_store_n(&t->state, OBJ_ALLOCATED, __ATOMIC_RELAXED);
}

/* Report a free of a pointer into @slab that is not an object start. */
static void report_not_object(const struct kmem_cache *c, struct page *slab,
			      const void *p, unsigned long caller)
{
	uptr rel = (uptr)p - (uptr)page_address(slab);
	unsigned int i = (unsigned int)(rel / c->stride);
	void *obj;

	report_begin(c, p, "invalid free: not the start of an object");
	if (i >= slab->objects) {
		pr_err("slab:   address is in the slab's unused tail\n");
		report_end(c, NULL, caller);
		return;
	}
	obj = slot_obj(c, slab, i);
	pr_err("slab:   address is object %p %s %zu\n", obj,
	       p < obj ? "-" : "+",
	       p < obj ? (size_t)((char *)obj - (char *)p) :
			 (size_t)((char *)p - (char *)obj));
	report_end(c, obj, caller);
}

bool slab_debug_on_free(const struct kmem_cache *c, struct page *slab,
			void *obj, unsigned long caller)
{
	uptr rel = (uptr)obj - (uptr)page_address(slab);
	unsigned long state = OBJ_ALLOCATED;
	struct slab_track *t;

	if (rel % c->stride != c->obj_offset ||
	    rel / c->stride >= slab->objects) {
		report_not_object(c, slab, obj, caller);
		return false;
	}
	t = obj_track(c, obj);
	/* Atomic, so two CPUs freeing one object cannot both succeed. */
	if (!__atomic_compare_exchange_n(&t->state, &state, OBJ_FREE, false,
					 __ATOMIC_ACQ_REL, __ATOMIC_RELAXED)) {
		if (state == OBJ_FREE) {
			report_begin(c, obj, "double free");
		} else {
			report_begin(c, obj, "free of an object whose "
					     "metadata is overwritten");
			pr_err("slab:   state word %#lx\n", state);
		}
		report_end(c, obj, caller);
		return false;
	}
	check_red_zones(c, obj, caller, false);
	t->free_site = caller;
	if (c->flags & CACHE_POISON)
		poison_obj(c, obj);
	return true;
}

void slab_debug_check_slab(const struct kmem_cache *c, struct page *slab)
{
	unsigned int i;

	for (i = 0; i < slab->objects; i++) {
		void *obj = slot_obj(c, slab, i);

		check_red_zones(c, obj, 0, true);
		if (c->flags & CACHE_POISON)
			check_poison(c, obj, 0);
	}
}

bool slab_debug_link_ok(const struct kmem_cache *c, struct page *slab,
			void *obj, const void *next, unsigned long caller)
{
	uptr rel = (uptr)next - (uptr)page_address(slab);

	if (!next || (rel < (uptr)slab->objects * c->stride &&
		      rel % c->stride == c->obj_offset))
		return true;
	report_begin(c, obj, "free-list link overwritten");
	pr_err("slab:   link %p is not an object of this slab\n", next);
	report_end(c, obj, caller);
	return false;
}
