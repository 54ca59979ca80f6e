/*
 * Physical memory: struct page, page frames, the page allocator.
 *
 * Every physical frame up to the highest RAM address has a struct page in
 * the flat array mem_map (index = page frame number). Free frames belong to
 * the buddy allocator of their zone: ZONE_DMA32 (below 4 GiB) or ZONE_NORMAL.
 *
 * Locking legend for struct page fields:
 *   [z] the owning zone's lock while the page is free (in the buddy lists)
 *   [o] the owner of an allocated page (no lock: only it uses the page)
 *   [s] the slab cache's lock while the page is a slab
 *   [a] atomic
 */
#ifndef KEEL_MM_H
#define KEEL_MM_H

#include <keel/arch.h>
#include <keel/compiler.h>
#include <keel/gfp.h>
#include <keel/list.h>
#include <keel/types.h>

#define PAGE_SHIFT  ARCH_PAGE_SHIFT
#define PAGE_SIZE   (1UL << PAGE_SHIFT)
#define PAGE_MASK   (~(PAGE_SIZE - 1))
#define MAX_ORDER   10          /* largest block: 2^10 pages = 4 MiB */

#define PAGE_ALIGN(x) (((x) + PAGE_SIZE - 1) & PAGE_MASK)
#define PFN_UP(x)   (((x) + PAGE_SIZE - 1) >> PAGE_SHIFT)
#define PFN_DOWN(x) ((x) >> PAGE_SHIFT)

/* Page flags (struct page.flags). */
enum page_flag {
	PG_reserved,    /* never given to the allocator (kernel image, holes) */
	PG_buddy,       /* free, heading a block of 2^order pages in a buddy list */
	PG_pcp,         /* free, on a per-CPU list */
	PG_head,        /* first page of an allocated multi-page block */
	PG_slab,        /* first page of a slab */
	PG_large_kmalloc, /* first page of a kmalloc too big for the slabs */
};

struct kmem_cache;

struct page {
	unsigned long flags;            /* [z]/[o] PG_* bits */
	int refcount;                   /* [a] 0 while free */
	unsigned int order;             /* [z] PG_buddy; [o] PG_head/slab/kmalloc */
	struct list_head list;          /* [z] buddy or per-CPU list; [s] slab list */
	union {
		struct {                /* PG_slab: see kernel/mm/slab.c */
			struct kmem_cache *slab_cache;  /* [I] */
			void *freelist;                 /* [s] */
			unsigned int inuse;             /* [s] */
			unsigned int objects;           /* [I] */
		};
		unsigned long private;  /* [o] free for the owner's use */
	};
};

extern struct page *mem_map;     /* [I] after mm_init */
extern unsigned long max_pfn;    /* [I] one past the highest RAM frame */

static inline bool page_test_flag(const struct page *p, enum page_flag f)
{
	return p->flags & (1UL << f);
}

static inline void page_set_flag(struct page *p, enum page_flag f)
{
	p->flags |= 1UL << f;
}

static inline void page_clear_flag(struct page *p, enum page_flag f)
{
	p->flags &= ~(1UL << f);
}

static inline unsigned long page_to_pfn(const struct page *p)
{
	return (unsigned long)(p - mem_map);
}

static inline struct page *pfn_to_page(unsigned long pfn)
{
	return &mem_map[pfn];
}

static inline paddr_t page_to_phys(const struct page *p)
{
	return (paddr_t)page_to_pfn(p) << PAGE_SHIFT;
}

/* The direct map: every physical address has a kernel virtual alias. */
static inline void *phys_to_virt(paddr_t pa)
{
	return (void *)(uptr)(pa + ARCH_DIRECT_MAP_BASE);
}

static inline paddr_t virt_to_phys(const void *va)
{
	return (paddr_t)((uptr)va - ARCH_DIRECT_MAP_BASE);
}

static inline void *page_address(const struct page *p)
{
	return phys_to_virt(page_to_phys(p));
}

static inline struct page *virt_to_page(const void *va)
{
	return pfn_to_page(virt_to_phys(va) >> PAGE_SHIFT);
}

/* True if @va is a direct-map address of a frame that has a struct page. */
static inline bool virt_addr_valid(const void *va)
{
	uptr a = (uptr)va;

	return a >= ARCH_DIRECT_MAP_BASE &&
	       ((a - ARCH_DIRECT_MAP_BASE) >> PAGE_SHIFT) < max_pfn;
}

/*
 * alloc_pages - allocate 2^@order physically contiguous pages.
 * Return: the first page (refcount 1), or NULL when memory is exhausted
 * (after trying to reclaim empty slabs). Never sleeps today.
 * Context: any with GFP_ATOMIC; process context with GFP_KERNEL.
 */
struct page *alloc_pages(gfp_t gfp, unsigned int order);
void free_pages(struct page *page, unsigned int order);

static inline struct page *alloc_page(gfp_t gfp)
{
	return alloc_pages(gfp, 0);
}

static inline void free_page(struct page *page)
{
	free_pages(page, 0);
}

/* Direct-map address of 2^order new pages, or NULL. */
void *get_free_pages(gfp_t gfp, unsigned int order);
void free_pages_addr(void *addr, unsigned int order);

/* Reference counts, for copy-on-write and the page cache. */
void get_page(struct page *page);
/* Drop a reference to an order-0 page; the last one frees it. */
void put_page(struct page *page);

struct page_alloc_stats {
	unsigned long total_pages;      /* frames managed by the allocator */
	unsigned long free_pages;
	unsigned long reserved_pages;   /* RAM never given to the allocator */
	unsigned long free_blocks[MAX_ORDER + 1];  /* free blocks per order */
	unsigned long dma32_free_pages;
};
void page_alloc_stats(struct page_alloc_stats *st);

struct boot_info;

/*
 * mm_init - bring up memory management: memblock, the kernel page tables,
 * struct pages, the page allocator, kmalloc and vmalloc. Logs a summary.
 * Context: boot, one CPU, after the memory map has been sanitized.
 */
void mm_init(struct boot_info *bi);

/* Kernel memory in use (KiB) by category, for the boot summary and tests. */
struct mm_footprint {
	u64 image_kib;      /* the kernel image */
	u64 mem_map_kib;    /* struct page array */
	u64 early_kib;      /* other boot allocations (page tables...) */
	u64 used_kib;       /* all RAM not free in the page allocator */
};
void mm_footprint(struct mm_footprint *fp);

#endif /* KEEL_MM_H */
