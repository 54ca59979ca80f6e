/*
 * The buddy core (see <keel/buddy.h> for the block encoding).
 *
 * Allocation takes the first block of the smallest sufficient order and
 * splits it, returning the upper halves to the lists. Freeing merges the
 * block with its buddy (pfn ^ 2^order) for as long as the buddy is a free
 * block of the same order inside the zone. Both are O(MAX_ORDER), plus an
 * O(2^order) scan on free that refuses a block overlapping anything free,
 * so a double or mismatched free is reported instead of corrupting the
 * lists.
 *
 * The caller holds the zone lock for every function here.
 */
#define pr_fmt(fmt) "buddy: " fmt

#include <keel/buddy.h>
#include <keel/printk.h>

/* Page flags no frame of an allocated block may carry. */
#define BUDDY_NOT_ALLOCATED \
	((1UL << PG_buddy) | (1UL << PG_pcp) | (1UL << PG_reserved))

void buddy_zone_init(struct buddy_zone *z, const char *name,
		     unsigned long start_pfn, unsigned long end_pfn)
{
	unsigned int o;

	if (end_pfn > start_pfn && end_pfn > max_pfn) {
		pr_warn("zone %s: end %#lx beyond max_pfn %#lx, clipped\n",
			name, end_pfn, max_pfn);
		end_pfn = max_pfn;
	}
	z->name = name;
	z->start_pfn = start_pfn;
	z->end_pfn = end_pfn > start_pfn ? end_pfn : start_pfn;
	for (o = 0; o <= MAX_ORDER; o++) {
		INIT_LIST_HEAD(&z->area[o].list);
		z->area[o].nr_free = 0;
	}
	z->free_pages = 0;
	z->managed_pages = 0;
}

/* True if the block of 2^@order frames at @pfn lies inside @z. */
static bool block_in_zone(const struct buddy_zone *z, unsigned long pfn,
			  unsigned int order)
{
	return pfn >= z->start_pfn && pfn < z->end_pfn &&
	       z->end_pfn - pfn >= (1UL << order);
}

/* Mark @page as the head of a free order-@order block and list it. */
static void area_add(struct buddy_zone *z, struct page *page,
		     unsigned int order)
{
	page_set_flag(page, PG_buddy);
	page->order = order;
	list_add(&page->list, &z->area[order].list);
	z->area[order].nr_free++;
	z->free_pages += 1UL << order;
}

/* Unlist the free block headed by @page; it is no longer marked free. */
static void area_del(struct buddy_zone *z, struct page *page,
		     unsigned int order)
{
	list_del(&page->list);
	page_clear_flag(page, PG_buddy);
	page->order = 0;
	z->area[order].nr_free--;
	z->free_pages -= 1UL << order;
}

/*
 * Insert the block at @pfn, merging upwards. A buddy qualifies only if its
 * head is marked free with the same order: a PG_buddy page of another order
 * heads a block that overlaps the buddy only partly, so the buddy is not
 * wholly free.
 */
static void merge_insert(struct buddy_zone *z, unsigned long pfn,
			 unsigned int order)
{
	while (order < MAX_ORDER) {
		unsigned long bpfn = pfn ^ (1UL << order);
		struct page *buddy = pfn_to_page(bpfn);

		if (!block_in_zone(z, bpfn, order) ||
		    !page_test_flag(buddy, PG_buddy) || buddy->order != order)
			break;
		area_del(z, buddy, order);
		pfn &= ~(1UL << order);
		order++;
	}
	area_add(z, pfn_to_page(pfn), order);
}

/* Largest order of a naturally aligned block at @pfn ending by @end. */
static unsigned int max_block_order(unsigned long pfn, unsigned long end)
{
	unsigned int order = MAX_ORDER;

	if (pfn)
		order = MIN((unsigned int)__builtin_ctzl(pfn), MAX_ORDER);
	while (end - pfn < (1UL << order))
		order--;
	return order;
}

/* Hand over the run [@pfn, @end) of reserved frames, all inside @z. */
static void free_run(struct buddy_zone *z, unsigned long pfn,
		     unsigned long end)
{
	unsigned long i;

	for (i = pfn; i < end; i++) {
		struct page *p = pfn_to_page(i);

		p->flags = 0;
		p->refcount = 0;
		p->order = 0;
	}
	z->managed_pages += end - pfn;
	while (pfn < end) {
		unsigned int order = max_block_order(pfn, end);

		merge_insert(z, pfn, order);
		pfn += 1UL << order;
	}
}

void buddy_free_range(struct buddy_zone *z, unsigned long start_pfn,
		      unsigned long end_pfn)
{
	unsigned long pfn, run, skipped = 0;

	if (start_pfn < z->start_pfn || end_pfn > z->end_pfn) {
		pr_warn("zone %s: range [%#lx, %#lx) clipped to the zone\n",
			z->name, start_pfn, end_pfn);
		start_pfn = MAX(start_pfn, z->start_pfn);
		end_pfn = MIN(end_pfn, z->end_pfn);
	}
	for (pfn = start_pfn; pfn < end_pfn; pfn = run) {
		if (!page_test_flag(pfn_to_page(pfn), PG_reserved)) {
			skipped++;
			run = pfn + 1;
			continue;
		}
		for (run = pfn + 1; run < end_pfn; run++)
			if (!page_test_flag(pfn_to_page(run), PG_reserved))
				break;
		free_run(z, pfn, run);
	}
	if (skipped)
		pr_warn("zone %s: %lu frames in [%#lx, %#lx) already handed "
			"over or in use, skipped\n",
			z->name, skipped, start_pfn, end_pfn);
}

struct page *buddy_alloc(struct buddy_zone *z, unsigned int order)
{
	struct page *page;
	unsigned long pfn;
	unsigned int o;

	for (o = order; o <= MAX_ORDER; o++)
		if (!list_empty(&z->area[o].list))
			break;
	if (o > MAX_ORDER)
		return NULL;
	page = list_first_entry(&z->area[o].list, struct page, list);
	area_del(z, page, o);
	pfn = page_to_pfn(page);
	/* Keep the lower half each time; the upper half becomes free. */
	while (o > order) {
		o--;
		area_add(z, pfn_to_page(pfn + (1UL << o)), o);
	}
	page->order = order;
	return page;
}

/*
 * Why a block of 2^@order frames at @pfn cannot be freed into @z, or NULL
 * if it can. A free block overlapping it either starts inside it (found by
 * the scan) or starts before it with a larger order: that head is aligned
 * to some 2^o > 2^order, so it is @pfn rounded down to 2^o for some o.
 */
static const char *free_refusal(const struct buddy_zone *z, unsigned long pfn,
				unsigned int order)
{
	unsigned long i, head;
	unsigned int o;

	if (order > MAX_ORDER)
		return "order too large";
	if (pfn & ((1UL << order) - 1))
		return "misaligned block";
	if (!block_in_zone(z, pfn, order))
		return "block outside the zone";
	for (i = pfn; i < pfn + (1UL << order); i++)
		if (pfn_to_page(i)->flags & BUDDY_NOT_ALLOCATED)
			return "frame already free or reserved (double free?)";
	for (o = order + 1; o <= MAX_ORDER; o++) {
		head = pfn & ~((1UL << o) - 1);
		if (head >= z->start_pfn &&
		    page_test_flag(pfn_to_page(head), PG_buddy) &&
		    pfn_to_page(head)->order >= o)
			return "inside a free block (double free?)";
	}
	return NULL;
}

void buddy_free(struct buddy_zone *z, struct page *page, unsigned int order)
{
	unsigned long pfn = page_to_pfn(page);
	const char *why = free_refusal(z, pfn, order);

	if (why) {
		pr_err("zone %s: bad free of pfn %#lx order %u: %s\n",
		       z->name, pfn, order, why);
		return;
	}
	merge_insert(z, pfn, order);
}
