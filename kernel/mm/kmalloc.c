/*
 * kmalloc: allocation by size (interface in <keel/slab.h>).
 *
 * Requests up to KMALLOC_MAX_CACHE_SIZE bytes come from the smallest
 * size-class cache that fits: kmalloc-8, -16, -32, -64, -96, -128, -192,
 * -256, -512, -1024, -2048, -4096, -8192 (96 and 192 cut the waste of the
 * common requests just above 64 and 128 bytes). Larger requests, and those
 * that must lie below 4 GiB (__GFP_DMA32, which the caches' slabs cannot
 * promise), get 2^order pages straight from the page allocator, the
 * smallest order that fits; their head page is marked PG_large_kmalloc and
 * keeps the order, which is how kfree and ksize tell the two kinds apart.
 *
 * Alignment: at least 8 bytes. A size class is aligned to the largest power
 * of two dividing it, up to 64 bytes (kmalloc-32 to 32, kmalloc-96 to 32,
 * kmalloc-256 to 64); page-allocated blocks are page aligned.
 *
 * kmalloc(0) returns ZERO_SIZE_PTR. The size-class caches follow the
 * slab_debug parameter like every other cache; kfree of an address that is
 * not the start of a kmalloc'd block is reported and ignored.
 *
 * The class table is written once by kmalloc_init() during boot, before
 * other CPUs run, and only read afterwards.
 */
#include <keel/bitops.h>
#include <keel/compiler.h>
#include <keel/mm.h>
#include <keel/panic.h>
#include <keel/printk.h>
#include <keel/slab.h>
#include <keel/sprintf.h>
#include <keel/string.h>

#include "slab_internal.h"

#define KMALLOC_MAX_SIZE (PAGE_SIZE << MAX_ORDER)

static const unsigned int kmalloc_sizes[] = {
	8, 16, 32, 64, 96, 128, 192, 256, 512, 1024, 2048, 4096, 8192,
};
#define KMALLOC_CLASSES ARRAY_SIZE(kmalloc_sizes)

STATIC_ASSERT(KMALLOC_MAX_CACHE_SIZE == 8192,
	      "kmalloc_sizes[] must end at KMALLOC_MAX_CACHE_SIZE");

/* Class of sizes 1..192, indexed by (size - 1) / 8. */
static const u8 kmalloc_small_class[24] = {
	0, 1, 2, 2, 3, 3, 3, 3,         /*   1..64  */
	4, 4, 4, 4, 5, 5, 5, 5,         /*  65..128 */
	6, 6, 6, 6, 6, 6, 6, 6,         /* 129..192 */
};

static struct kmem_cache *kmalloc_caches[KMALLOC_CLASSES]; /* [I] */

/* Index of the smallest class holding @size (1..KMALLOC_MAX_CACHE_SIZE). */
static unsigned int kmalloc_class(size_t size)
{
	if (size <= 192)
		return kmalloc_small_class[(size - 1) / 8];
	/* Powers of two from 256 = 2^8 at index 7. */
	return (unsigned int)fls((unsigned int)(size - 1)) - 1;
}

static unsigned int large_order(size_t size)
{
	unsigned int order = 0;

	while ((PAGE_SIZE << order) < size)
		order++;
	return order;
}

static void *kmalloc_large(size_t size, gfp_t gfp)
{
	struct page *page;
	unsigned int order;

	if (size > KMALLOC_MAX_SIZE) {
		if (!(gfp & __GFP_NOWARN))
			pr_warn("kmalloc: %zu bytes is more than the largest "
				"block (%lu)\n", size, KMALLOC_MAX_SIZE);
		return NULL;
	}
	order = large_order(size);
	page = alloc_pages(gfp, order);
	if (!page)
		return NULL;
	page->order = order;
	page_set_flag(page, PG_large_kmalloc);
	return page_address(page);
}

static void *__kmalloc(size_t size, gfp_t gfp, unsigned long caller)
{
	struct kmem_cache *cache;

	if (unlikely(!size))
		return ZERO_SIZE_PTR;
	if (size > KMALLOC_MAX_CACHE_SIZE || (gfp & __GFP_DMA32))
		return kmalloc_large(size, gfp);
	cache = kmalloc_caches[kmalloc_class(size)];
	KASSERT(cache); /* kmalloc before kmalloc_init */
	return __kmem_cache_alloc(cache, gfp, caller);
}

static void __kfree(const void *p, unsigned long caller)
{
	struct page *page;

	if (unlikely(ZERO_OR_NULL_PTR(p)))
		return;
	page = kmem_head_page(p);
	if (likely(page && page_test_flag(page, PG_slab))) {
		__kmem_cache_free(page->slab_cache, (void *)p, caller);
	} else if (page && p == page_address(page)) {
		page_clear_flag(page, PG_large_kmalloc);
		free_pages(page, page->order);
	} else {
		slab_report_bad_free(p, caller, page ?
				     "not the start of a large kmalloc block" :
				     "not a kmalloc'd address");
	}
}

/**
 * kmalloc - allocate @size bytes.
 * Context: any with GFP_ATOMIC; process context with GFP_KERNEL.
 * Return: the block (contents undefined unless __GFP_ZERO), ZERO_SIZE_PTR
 * for @size 0, or NULL when memory is short or @size is too large.
 */
void *kmalloc(size_t size, gfp_t gfp)
{
	return __kmalloc(size, gfp, _RET_IP_);
}

/* kzalloc - kmalloc() of zeroed memory. Context and Return: as kmalloc. */
void *kzalloc(size_t size, gfp_t gfp)
{
	return __kmalloc(size, gfp | __GFP_ZERO, _RET_IP_);
}

/**
 * kcalloc - zeroed array of @n elements of @size bytes.
 * Context: as kmalloc().
 * Return: as kmalloc(); NULL when @n * @size overflows.
 */
void *kcalloc(size_t n, size_t size, gfp_t gfp)
{
	size_t bytes;

	if (__builtin_mul_overflow(n, size, &bytes))
		return NULL;
	return __kmalloc(bytes, gfp | __GFP_ZERO, _RET_IP_);
}

/**
 * kfree - free a block from kmalloc() and friends. NULL and ZERO_SIZE_PTR
 * are ignored; anything else that is not a kmalloc'd block is reported.
 * Context: any.
 */
void kfree(const void *p)
{
	__kfree(p, _RET_IP_);
}

/**
 * ksize - usable size of the block at @p, which may all be used.
 * Context: any.
 * Return: at least the size asked for; 0 for NULL, ZERO_SIZE_PTR or an
 * address that is not a kmalloc'd block.
 */
size_t ksize(const void *p)
{
	struct page *page;

	if (ZERO_OR_NULL_PTR(p))
		return 0;
	page = kmem_head_page(p);
	if (page && page_test_flag(page, PG_slab))
		return kmem_cache_size(page->slab_cache);
	if (page && p == page_address(page))
		return PAGE_SIZE << page->order;
	return 0;
}

/**
 * krealloc - resize the block at @p to @new_size bytes, keeping contents.
 * NULL or ZERO_SIZE_PTR: a new block. Size 0: @p is freed and
 * ZERO_SIZE_PTR returned. A block already big enough is returned as it is
 * (so shrinking never moves); otherwise the contents move to a new block.
 * Context: as kmalloc().
 * Return: the block, or NULL (and @p untouched) when memory is short.
 */
void *krealloc(void *p, size_t new_size, gfp_t gfp)
{
	unsigned long caller = _RET_IP_;
	size_t old;
	void *n;

	if (ZERO_OR_NULL_PTR(p))
		return __kmalloc(new_size, gfp, caller);
	if (!new_size) {
		__kfree(p, caller);
		return ZERO_SIZE_PTR;
	}
	old = ksize(p);
	if (!old) {
		slab_report_bad_free(p, caller, "krealloc of an address that "
						"is not a kmalloc'd block");
		return NULL;
	}
	if (new_size <= old)
		return p;
	n = __kmalloc(new_size, gfp, caller);
	if (!n)
		return NULL;
	memcpy(n, p, old);
	__kfree(p, caller);
	return n;
}

/**
 * kmalloc_init - create the size-class caches (and, first, the cache of
 * caches). Boot-critical: failure panics.
 * Context: boot, one CPU, once the page allocator works and the command
 * line (slab_debug) has been parsed.
 */
void kmalloc_init(void)
{
	const gfp_t gfp = GFP_KERNEL | __GFP_NOFAIL_INJECT;
	char name[SLAB_NAME_MAX];
	unsigned int i;

	slab_init();
	for (i = 0; i < KMALLOC_CLASSES; i++) {
		snprintf(name, sizeof(name), "kmalloc-%u", kmalloc_sizes[i]);
		kmalloc_caches[i] = __kmem_cache_create(name, kmalloc_sizes[i],
							0, 0, NULL, gfp);
		if (!kmalloc_caches[i])
			panic("kmalloc_init: cannot create %s", name);
	}
	pr_info("kmalloc: %u size classes, %u..%u bytes, slab debug %s\n",
		(unsigned int)KMALLOC_CLASSES, kmalloc_sizes[0],
		kmalloc_sizes[KMALLOC_CLASSES - 1],
		slab_debug_enabled() ? "on" : "off");
}

char *kstrdup(const char *s, gfp_t gfp)
{
	size_t len = strlen(s) + 1;
	char *p = kmalloc(len, gfp);

	if (p)
		memcpy(p, s, len);
	return p;
}
