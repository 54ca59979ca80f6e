/*
 * The page allocator: alloc_pages()/free_pages() over two buddy zones.
 *
 * ZONE_DMA32 holds the frames below 4 GiB, ZONE_NORMAL the rest. A request
 * with __GFP_DMA32 uses ZONE_DMA32 only; any other tries ZONE_NORMAL first
 * and falls back to ZONE_DMA32, which keeps low memory for the devices that
 * need it for as long as possible. Each zone is a buddy_zone
 * (kernel/mm/buddy.c) under its own spinlock, plus one list of free order-0
 * pages per CPU: order-0 requests, by far the most common, are served from
 * the local list without the lock, which is refilled from and drained to
 * the buddy lists PCP_BATCH pages at a time.
 *
 * A page on a per-CPU list is free (refcount 0, PG_pcp) but invisible to
 * the buddy lists, so it cannot merge; when an allocation fails the local
 * lists are drained, after the slab caches have returned their empty slabs
 * (kmem_cache_shrink_all), and the allocation is tried once more.
 *
 * Locking legend:
 *   [I] set at boot (page_alloc_init, hand-over), read-only afterwards
 *   [z] zone->lock, taken with spin_lock_irqsave (or spin_lock where
 *       interrupts are already off)
 *   [p] per-CPU: only CPU i touches zone->pcp[i], with interrupts off, so
 *       neither an interrupt handler nor (later) preemption can interleave;
 *       statistics read other CPUs' counts with READ_ONCE, approximately
 *   [a] atomic (__atomic builtins)
 * Lock order: a zone lock is taken inside nothing else of the kernel and
 * only one zone lock is held at a time; printk (log_lock) may be called
 * under it. No lock of this file is held while kmem_cache_shrink_all()
 * runs, and alloc_pages() must not be called with a slab cache lock held
 * since it may call kmem_cache_shrink_all().
 */
#define pr_fmt(fmt) "page_alloc: " fmt

#include <keel/backtrace.h>
#include <keel/buddy.h>
#include <keel/cpu.h>
#include <keel/errno.h>
#include <keel/kstrtox.h>
#include <keel/page_alloc.h>
#include <keel/param.h>
#include <keel/printk.h>
#include <keel/slab.h>
#include <keel/spinlock.h>
#include <keel/string.h>

struct pcp_list {
	struct list_head pages;         /* [p] PG_pcp pages, hottest first */
	unsigned int count;             /* [p] pages on the list */
} __aligned(64);                        /* no false sharing between CPUs */

struct zone {
	struct spinlock lock;
	struct buddy_zone buddy;        /* [z]; bounds and name [I] */
	struct pcp_list pcp[NR_CPUS];   /* [p] */
};

static struct zone zones[NR_ZONES];
static unsigned long ram_pages;         /* [I] RAM frames, for statistics */

/* Fault injection (fail_page_alloc=, page_alloc_inject_failures). */
#define FAIL_UNLIMITED (~0u)
static unsigned int fail_interval;      /* [a] 0: off */
static unsigned int fail_left;          /* [a] or FAIL_UNLIMITED */
static unsigned long fail_calls;        /* [a] allocations counted */
static unsigned long fail_injected;     /* [a] failures injected */

/* Rate limit for allocation-failure warnings: a burst per window. */
#define WARN_WINDOW_NS (5ULL * 1000 * 1000 * 1000)
#define WARN_BURST     10
static u64 warn_window;                 /* [a] */
static unsigned int warn_printed;       /* [a] in this window */

static struct zone *page_zone(const struct page *page)
{
	return &zones[page_to_pfn(page) < DMA32_END_PFN ? ZONE_DMA32 :
							  ZONE_NORMAL];
}

/* The zone has frames; managed_pages only grows during boot hand-over. */
static bool zone_populated(const struct zone *zone)
{
	return READ_ONCE(zone->buddy.managed_pages) != 0;
}

/* True if @page points at an entry of mem_map. */
static bool page_in_map(const struct page *page)
{
	uptr p = (uptr)page, base = (uptr)mem_map;

	return p >= base && p < (uptr)(mem_map + max_pfn) &&
	       (p - base) % sizeof(struct page) == 0;
}

/* ---- per-CPU lists ------------------------------------------------------ */

/* Move up to PCP_BATCH pages from the buddy lists. Interrupts are off. */
static void pcp_refill(struct zone *zone, struct pcp_list *pcp)
{
	struct page *page;
	unsigned int n;

	spin_lock(&zone->lock);
	for (n = 0; n < PCP_BATCH; n++) {
		page = buddy_alloc(&zone->buddy, 0);
		if (!page)
			break;
		page_set_flag(page, PG_pcp);
		list_add_tail(&page->list, &pcp->pages);
	}
	spin_unlock(&zone->lock);
	WRITE_ONCE(pcp->count, pcp->count + n);
}

/* Give the @n coldest pages back to the buddy lists. Interrupts are off. */
static void pcp_drain(struct zone *zone, struct pcp_list *pcp, unsigned int n)
{
	struct page *page;

	spin_lock(&zone->lock);
	while (n-- && !list_empty(&pcp->pages)) {
		page = list_last_entry(&pcp->pages, struct page, list);
		list_del(&page->list);
		page_clear_flag(page, PG_pcp);
		WRITE_ONCE(pcp->count, pcp->count - 1);
		buddy_free(&zone->buddy, page, 0);
	}
	spin_unlock(&zone->lock);
}

static struct page *pcp_alloc(struct zone *zone)
{
	unsigned long flags = arch_irq_save();
	struct pcp_list *pcp = &zone->pcp[cpu_id()];
	struct page *page = NULL;

	if (list_empty(&pcp->pages))
		pcp_refill(zone, pcp);
	if (!list_empty(&pcp->pages)) {
		page = list_first_entry(&pcp->pages, struct page, list);
		list_del(&page->list);
		page_clear_flag(page, PG_pcp);
		WRITE_ONCE(pcp->count, pcp->count - 1);
	}
	arch_irq_restore(flags);
	return page;
}

static void pcp_free(struct zone *zone, struct page *page)
{
	unsigned long flags = arch_irq_save();
	struct pcp_list *pcp = &zone->pcp[cpu_id()];

	page_set_flag(page, PG_pcp);
	list_add(&page->list, &pcp->pages);
	WRITE_ONCE(pcp->count, pcp->count + 1);
	if (pcp->count >= PCP_HIGH)
		pcp_drain(zone, pcp, PCP_BATCH);
	arch_irq_restore(flags);
}

void page_alloc_drain_local(void)
{
	unsigned long flags = arch_irq_save();
	unsigned int cpu = cpu_id();
	int zt;

	for (zt = 0; zt < NR_ZONES; zt++)
		pcp_drain(&zones[zt], &zones[zt].pcp[cpu],
			  zones[zt].pcp[cpu].count);
	arch_irq_restore(flags);
}

/* ---- allocation --------------------------------------------------------- */

static struct page *zone_alloc(struct zone *zone, unsigned int order)
{
	unsigned long flags;
	struct page *page;

	if (!zone_populated(zone))
		return NULL;
	if (order == 0)
		return pcp_alloc(zone);
	flags = spin_lock_irqsave(&zone->lock);
	page = buddy_alloc(&zone->buddy, order);
	spin_unlock_irqrestore(&zone->lock, flags);
	return page;
}

static struct page *zones_alloc(gfp_t gfp, unsigned int order)
{
	struct page *page = NULL;

	if (!(gfp & __GFP_DMA32))
		page = zone_alloc(&zones[ZONE_NORMAL], order);
	if (!page)
		page = zone_alloc(&zones[ZONE_DMA32], order);
	return page;
}

/* Decide whether fault injection fails this allocation. */
static bool should_fail(gfp_t gfp, unsigned int order)
{
	unsigned int interval = __atomic_load_n(&fail_interval,
						__ATOMIC_ACQUIRE);
	unsigned int left;
	unsigned long n;

	if (!interval || (gfp & __GFP_NOFAIL_INJECT))
		return false;
	if (__atomic_add_fetch(&fail_calls, 1, __ATOMIC_RELAXED) % interval)
		return false;
	left = __atomic_load_n(&fail_left, __ATOMIC_RELAXED);
	do {
		if (!left)
			return false;
	} while (!__atomic_compare_exchange_n(&fail_left, &left,
					      left == FAIL_UNLIMITED ? left :
								      left - 1,
					      false, __ATOMIC_RELAXED,
					      __ATOMIC_RELAXED));
	n = __atomic_add_fetch(&fail_injected, 1, __ATOMIC_RELAXED);
	pr_info("injected failure #%lu: order %u, gfp %#x\n", n, order, gfp);
	return true;
}

/* True for at most WARN_BURST calls per WARN_WINDOW_NS (approximately). */
static bool warn_ratelimit(void)
{
	u64 now = arch_clock_ns() / WARN_WINDOW_NS;
	u64 seen = __atomic_load_n(&warn_window, __ATOMIC_RELAXED);

	if (now != seen &&
	    __atomic_compare_exchange_n(&warn_window, &seen, now, false,
					__ATOMIC_RELAXED, __ATOMIC_RELAXED))
		__atomic_store_n(&warn_printed, 0, __ATOMIC_RELAXED);
	return __atomic_fetch_add(&warn_printed, 1, __ATOMIC_RELAXED) <
	       WARN_BURST;
}

static void alloc_failed(gfp_t gfp, unsigned int order)
{
	if ((gfp & __GFP_NOWARN) || !warn_ratelimit())
		return;
	pr_warn("order %u allocation failed (gfp %#x)\n", order, gfp);
	backtrace_print_current();
}

/* Make a block taken from a zone into an allocated block. */
static void prep_new_block(struct page *page, unsigned int order, gfp_t gfp)
{
	page->flags = order ? 1UL << PG_head : 0;
	page->order = order;
	__atomic_store_n(&page->refcount, 1, __ATOMIC_RELAXED);
	if (gfp & __GFP_ZERO)
		memset(page_address(page), 0, PAGE_SIZE << order);
}

/* Second attempt, after reclaim; warns when that fails too. */
static struct page *alloc_slowpath(gfp_t gfp, unsigned int order)
{
	struct page *page;

	/* Shrink first: freed slab pages land on the per-CPU lists, and the
	 * drain then lets them merge into larger blocks. */
	kmem_cache_shrink_all();
	page_alloc_drain_local();
	page = zones_alloc(gfp, order);
	if (!page)
		alloc_failed(gfp, order);
	return page;
}

/**
 * alloc_pages - allocate 2^@order physically contiguous pages.
 * @gfp: __GFP_DMA32 for frames below 4 GiB, __GFP_ZERO to zero them,
 *       __GFP_NOWARN to fail silently.
 *
 * The head page gets refcount 1, page->order = @order and, for @order > 0,
 * PG_head. Fault injection may fail the call (not with __GFP_NOFAIL_INJECT).
 *
 * Context: any (never sleeps); not under a slab cache lock, since a
 * failure calls kmem_cache_shrink_all() before the second attempt.
 * Return: the head page, or NULL when no block is free even after reclaim.
 */
struct page *alloc_pages(gfp_t gfp, unsigned int order)
{
	struct page *page;

	if (unlikely(order > MAX_ORDER)) {
		alloc_failed(gfp, order);
		return NULL;
	}
	if (unlikely(should_fail(gfp, order)))
		return NULL;
	page = zones_alloc(gfp, order);
	if (unlikely(!page))
		page = alloc_slowpath(gfp, order);
	if (page)
		prep_new_block(page, order, gfp);
	return page;
}

/**
 * get_free_pages - alloc_pages() returning the direct-map address.
 * Context: as alloc_pages().
 * Return: the address of the first page, or NULL.
 */
void *get_free_pages(gfp_t gfp, unsigned int order)
{
	struct page *page = alloc_pages(gfp, order);

	return page ? page_address(page) : NULL;
}

/* ---- freeing ------------------------------------------------------------ */

static void bad_page(const char *what, const struct page *page,
		     unsigned int order, const char *why)
{
	if (page_in_map(page))
		pr_err("%s: pfn %#lx order %u: %s (flags %#lx refcount %d "
		       "order %u)\n", what, page_to_pfn(page), order, why,
		       page->flags, READ_ONCE(page->refcount), page->order);
	else
		pr_err("%s: %p is not a page frame: %s\n", what, page, why);
	backtrace_print_current();
}

/* Why the block at @page may not be freed as order @order, or NULL. */
static const char *free_refusal(const struct page *page, unsigned int order)
{
	if (!page_in_map(page))
		return "not in mem_map";
	if (page_test_flag(page, PG_reserved))
		return "reserved page";
	if (page_test_flag(page, PG_buddy) || page_test_flag(page, PG_pcp))
		return "page is free (double free)";
	if (order > MAX_ORDER || page->order != order)
		return "order differs from the allocation";
	return NULL;
}

/* Return an unreferenced block to its zone. */
static void free_block(struct page *page, unsigned int order)
{
	struct zone *zone = page_zone(page);
	unsigned long flags;

	page->flags = 0;        /* drops PG_head and the owner's flags */
	if (order == 0) {
		pcp_free(zone, page);
		return;
	}
	flags = spin_lock_irqsave(&zone->lock);
	buddy_free(&zone->buddy, page, order);
	spin_unlock_irqrestore(&zone->lock, flags);
}

/**
 * free_pages - free a block from alloc_pages() of the same @order.
 *
 * The caller must hold the only reference: the refcount must go from 1 to
 * 0 (use put_page() to drop a shared reference). A page that is not from
 * mem_map, reserved, already free, of another order or still referenced
 * is reported with a backtrace and left alone. NULL is ignored.
 *
 * Context: any.
 */
void free_pages(struct page *page, unsigned int order)
{
	const char *why;
	int ref = 1;

	if (!page)
		return;
	why = free_refusal(page, order);
	if (!why && !__atomic_compare_exchange_n(&page->refcount, &ref, 0,
						 false, __ATOMIC_ACQ_REL,
						 __ATOMIC_RELAXED))
		why = ref > 1 ? "page still referenced" :
				"refcount already zero (double free?)";
	if (why) {
		bad_page("bad free_pages", page, order, why);
		return;
	}
	free_block(page, order);
}

/**
 * free_pages_addr - free_pages() by direct-map address; NULL is ignored.
 * Context: any.
 */
void free_pages_addr(void *addr, unsigned int order)
{
	if (!addr)
		return;
	if (!virt_addr_valid(addr) || !IS_ALIGNED((uptr)addr, PAGE_SIZE)) {
		pr_err("bad free_pages_addr: %p is not a page address\n",
		       addr);
		backtrace_print_current();
		return;
	}
	free_pages(virt_to_page(addr), order);
}

/**
 * get_page - take another reference to an allocated page.
 * A free page (refcount 0) is reported and not touched. Context: any.
 */
void get_page(struct page *page)
{
	int ref;

	if (!page_in_map(page)) {
		bad_page("bad get_page", page, 0, "not in mem_map");
		return;
	}
	ref = __atomic_load_n(&page->refcount, __ATOMIC_RELAXED);
	do {
		if (ref <= 0) {
			bad_page("bad get_page", page, 0, "page is free");
			return;
		}
	} while (!__atomic_compare_exchange_n(&page->refcount, &ref, ref + 1,
					      false, __ATOMIC_RELAXED,
					      __ATOMIC_RELAXED));
}

/**
 * put_page - drop a reference; the last one frees the block (of the order
 * it was allocated with). Dropping the last reference of a reserved page,
 * or any reference of a free one, is reported and ignored. Context: any.
 */
void put_page(struct page *page)
{
	bool reserved;
	int ref;

	if (!page_in_map(page)) {
		bad_page("bad put_page", page, 0, "not in mem_map");
		return;
	}
	reserved = page_test_flag(page, PG_reserved);
	ref = __atomic_load_n(&page->refcount, __ATOMIC_RELAXED);
	do {
		if (ref <= 0 || (ref == 1 && reserved)) {
			bad_page("bad put_page", page, page->order,
				 ref <= 0 ? "page is free" :
				 "last reference to a reserved page");
			return;
		}
	} while (!__atomic_compare_exchange_n(&page->refcount, &ref,
					      ref - 1, false, __ATOMIC_ACQ_REL,
					      __ATOMIC_RELAXED));
	if (ref == 1)
		free_block(page, page->order);
}

/* ---- statistics ------------------------------------------------------- */

void page_alloc_zone_info(enum zone_type zt, struct page_zone_info *info)
{
	struct zone *zone = &zones[zt];
	unsigned long flags;
	unsigned int o, cpu;

	memset(info, 0, sizeof(*info));
	flags = spin_lock_irqsave(&zone->lock);
	info->name = zone->buddy.name;
	info->start_pfn = zone->buddy.start_pfn;
	info->end_pfn = zone->buddy.end_pfn;
	info->managed_pages = zone->buddy.managed_pages;
	info->free_pages = zone->buddy.free_pages;
	for (o = 0; o <= MAX_ORDER; o++)
		info->free_blocks[o] = zone->buddy.area[o].nr_free;
	spin_unlock_irqrestore(&zone->lock, flags);
	for (cpu = 0; cpu < NR_CPUS; cpu++)
		info->pcp_pages += READ_ONCE(zone->pcp[cpu].count);
	info->free_pages += info->pcp_pages;
	info->free_blocks[0] += info->pcp_pages;
}

/**
 * page_alloc_stats - fill @st for /proc/meminfo and tests. Pages on
 * per-CPU lists count as free order-0 blocks. Context: any.
 */
void page_alloc_stats(struct page_alloc_stats *st)
{
	struct page_zone_info info;
	unsigned int o;
	int zt;

	memset(st, 0, sizeof(*st));
	for (zt = 0; zt < NR_ZONES; zt++) {
		page_alloc_zone_info(zt, &info);
		st->total_pages += info.managed_pages;
		st->free_pages += info.free_pages;
		for (o = 0; o <= MAX_ORDER; o++)
			st->free_blocks[o] += info.free_blocks[o];
		if (zt == ZONE_DMA32)
			st->dma32_free_pages = info.free_pages;
	}
	if (ram_pages > st->total_pages)
		st->reserved_pages = ram_pages - st->total_pages;
}

/* ---- fault injection ---------------------------------------------------- */

void page_alloc_inject_failures(unsigned int interval, unsigned int count)
{
	__atomic_store_n(&fail_interval, 0, __ATOMIC_RELEASE);
	__atomic_store_n(&fail_calls, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&fail_left, count ? count : FAIL_UNLIMITED,
			 __ATOMIC_RELAXED);
	__atomic_store_n(&fail_interval, interval, __ATOMIC_RELEASE);
}

unsigned long page_alloc_injected_failures(void)
{
	return __atomic_load_n(&fail_injected, __ATOMIC_RELAXED);
}

/* fail_page_alloc=<interval>[,<count>] */
static int fail_page_alloc_set(const char *val)
{
	unsigned int interval, count = 0;
	const char *comma;
	char buf[16];
	size_t len;

	if (!val)
		return -EINVAL;
	comma = strchr(val, ',');
	len = comma ? (size_t)(comma - val) : strlen(val);
	if (len >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, val, len);
	buf[len] = '\0';
	if (kstrtouint(buf, 0, &interval) ||
	    (comma && kstrtouint(comma + 1, 0, &count)))
		return -EINVAL;
	page_alloc_inject_failures(interval, count);
	if (interval && count)
		pr_info("fault injection: 1 in %u allocations fails, "
			"at most %u times\n", interval, count);
	else if (interval)
		pr_info("fault injection: 1 in %u allocations fails\n",
			interval);
	return 0;
}
KPARAM_FN(fail_page_alloc, fail_page_alloc_set,
	  "fail every N-th page allocation: <interval>[,<count>]");

/* ---- boot-time set-up --------------------------------------------------- */

static void zone_init(struct zone *zone, const char *name,
		      unsigned long start_pfn, unsigned long end_pfn)
{
	unsigned int cpu;

	spin_lock_init(&zone->lock);
	buddy_zone_init(&zone->buddy, name, start_pfn, end_pfn);
	for (cpu = 0; cpu < NR_CPUS; cpu++) {
		INIT_LIST_HEAD(&zone->pcp[cpu].pages);
		zone->pcp[cpu].count = 0;
	}
}

void page_alloc_init(void)
{
	zone_init(&zones[ZONE_DMA32], "DMA32", 0, MIN(max_pfn, DMA32_END_PFN));
	zone_init(&zones[ZONE_NORMAL], "Normal", DMA32_END_PFN,
		  MAX(max_pfn, DMA32_END_PFN));
	ram_pages = 0;
}

static void zone_free_range(struct zone *zone, unsigned long start_pfn,
			    unsigned long end_pfn)
{
	unsigned long flags = spin_lock_irqsave(&zone->lock);

	buddy_free_range(&zone->buddy, start_pfn, end_pfn);
	spin_unlock_irqrestore(&zone->lock, flags);
}

void page_alloc_add_free_range(paddr_t start, paddr_t end)
{
	unsigned long spfn, epfn;

	if (start >= end || start >= (paddr_t)max_pfn << PAGE_SHIFT) {
		if (start < end)
			pr_warn("free range [%#llx, %#llx) beyond max_pfn, "
				"ignored\n", start, end);
		return;
	}
	spfn = PFN_UP(start);
	epfn = PFN_DOWN(end);
	if (epfn > max_pfn) {
		pr_warn("free range [%#llx, %#llx) clipped at max_pfn\n",
			start, end);
		epfn = max_pfn;
	}
	if (spfn < MIN(epfn, DMA32_END_PFN))
		zone_free_range(&zones[ZONE_DMA32], spfn,
				MIN(epfn, DMA32_END_PFN));
	if (MAX(spfn, DMA32_END_PFN) < epfn)
		zone_free_range(&zones[ZONE_NORMAL],
				MAX(spfn, DMA32_END_PFN), epfn);
}

void page_alloc_set_ram_pages(unsigned long nr_pages)
{
	ram_pages = nr_pages;
}
