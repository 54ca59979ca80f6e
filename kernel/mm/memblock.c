/*
 * memblock: boot-time physical memory allocation. See <keel/memblock.h>.
 *
 * Both lists are kept sorted and non-overlapping; adding merges. The
 * region counts are bounded. Running out of slots is reported once and
 * resolved on the safe side: a usable range that does not fit is dropped
 * (less memory), a reserved range that does not fit grows its neighbour
 * to cover it (more reserved), so reserved memory is never handed out.
 */
#include <keel/compiler.h>
#include <keel/memblock.h>
#include <keel/mm.h>
#include <keel/printk.h>
#include <keel/string.h>

struct mb_region {
	paddr_t start, end;
};

struct mb_list {
	unsigned int count;
	struct mb_region r[MEMBLOCK_MAX_REGIONS];
};

static struct mb_list mb_memory;
static struct mb_list mb_reserved;
static bool mb_overflowed;

/* Insert [start, end) into @l, merging with overlapping or adjacent ranges. */
static void mb_add(struct mb_list *l, paddr_t start, paddr_t end)
{
	unsigned int i = 0, j;

	if (start >= end)
		return;
	while (i < l->count && l->r[i].end < start)
		i++;
	/* Merge every region that touches [start, end). */
	j = i;
	while (j < l->count && l->r[j].start <= end) {
		start = MIN(start, l->r[j].start);
		end = MAX(end, l->r[j].end);
		j++;
	}
	if (j == i) {
		if (l->count == MEMBLOCK_MAX_REGIONS) {
			if (!mb_overflowed)
				pr_err("memblock: region table full\n");
			mb_overflowed = true;
			if (l == &mb_memory)
				return;
			/* Reserved: widen the nearest region over the gap. */
			i = i < l->count ? i : i - 1;
			l->r[i].start = MIN(start, l->r[i].start);
			l->r[i].end = MAX(end, l->r[i].end);
			return;
		}
		memmove(&l->r[i + 1], &l->r[i], (l->count - i) * sizeof(l->r[0]));
		l->count++;
	} else if (j > i + 1) {
		memmove(&l->r[i + 1], &l->r[j], (l->count - j) * sizeof(l->r[0]));
		l->count -= j - i - 1;
	}
	l->r[i].start = start;
	l->r[i].end = end;
}

void memblock_reserve(paddr_t start, paddr_t end)
{
	mb_add(&mb_reserved, ALIGN_DOWN(start, PAGE_SIZE),
	       ALIGN_UP(end, PAGE_SIZE));
}

void memblock_init(const struct boot_info *bi)
{
	unsigned int i;

	for (i = 0; i < bi->memmap.count; i++) {
		const struct memmap_entry *e = &bi->memmap.entries[i];

		if (e->type == MEMMAP_USABLE)
			mb_add(&mb_memory, e->base, e->base + e->length);
	}
	/* Real-mode structures, the BIOS data area, future AP trampolines. */
	memblock_reserve(0, 0x100000);
	memblock_reserve(bi->kernel_start, bi->kernel_end);
	for (i = 0; i < bi->module_count; i++)
		memblock_reserve(bi->modules[i].start, bi->modules[i].end);
}

/* Find the next reserved region that ends after @addr (or NULL). */
static const struct mb_region *mb_next_reserved(paddr_t addr)
{
	unsigned int i;

	for (i = 0; i < mb_reserved.count; i++)
		if (mb_reserved.r[i].end > addr)
			return &mb_reserved.r[i];
	return NULL;
}

/*
 * Walk the free ranges (usable minus reserved) from the top down, calling
 * @fn until it returns true. Top-down keeps low memory for DMA32 users.
 */
static bool mb_walk_free_topdown(bool (*fn)(paddr_t, paddr_t, void *), void *arg)
{
	int m, r;

	for (m = (int)mb_memory.count - 1; m >= 0; m--) {
		paddr_t hi = mb_memory.r[m].end, lo = mb_memory.r[m].start;

		for (r = (int)mb_reserved.count - 1; r >= 0 && hi > lo; r--) {
			const struct mb_region *res = &mb_reserved.r[r];

			if (res->start >= hi || res->end <= lo)
				continue;
			if (res->end < hi && fn(res->end, hi, arg))
				return true;
			hi = res->start;
		}
		if (hi > lo && fn(lo, hi, arg))
			return true;
	}
	return false;
}

struct mb_alloc_req {
	u64 size, align;
	paddr_t limit, found;
};

static bool mb_try_alloc(paddr_t lo, paddr_t hi, void *arg)
{
	struct mb_alloc_req *req = arg;
	paddr_t top = MIN(hi, req->limit), base;

	if (top < lo + req->size || top < req->size)
		return false;
	base = ALIGN_DOWN(top - req->size, req->align);
	if (base < lo)
		return false;
	req->found = base;
	return true;
}

paddr_t memblock_alloc(u64 size, u64 align, paddr_t limit)
{
	struct mb_alloc_req req = {
		.size = ALIGN_UP(size, PAGE_SIZE),
		.align = MAX(align, (u64)PAGE_SIZE),
		.limit = limit,
	};

	if (!size || size > ~(u64)0 - PAGE_SIZE || align > ((u64)1 << 62) ||
	    !mb_walk_free_topdown(mb_try_alloc, &req))
		return 0;
	mb_add(&mb_reserved, req.found, req.found + req.size);
	memset(phys_to_virt(req.found), 0, req.size);
	return req.found;
}

void memblock_for_each_free(void (*fn)(paddr_t start, paddr_t end))
{
	unsigned int m;

	for (m = 0; m < mb_memory.count; m++) {
		paddr_t pos = mb_memory.r[m].start, end = mb_memory.r[m].end;
		const struct mb_region *res;

		while (pos < end && (res = mb_next_reserved(pos)) &&
		       res->start < end) {
			if (res->start > pos)
				fn(pos, res->start);
			pos = MAX(pos, res->end);
		}
		if (pos < end)
			fn(pos, end);
	}
}

u64 memblock_reserved_ram(void)
{
	u64 total = 0;
	unsigned int m, r;

	for (m = 0; m < mb_memory.count; m++) {
		for (r = 0; r < mb_reserved.count; r++) {
			paddr_t lo = MAX(mb_memory.r[m].start, mb_reserved.r[r].start);
			paddr_t hi = MIN(mb_memory.r[m].end, mb_reserved.r[r].end);

			if (lo < hi)
				total += hi - lo;
		}
	}
	return total;
}

void memblock_cap_memory(paddr_t limit)
{
	unsigned int i, n = 0;

	for (i = 0; i < mb_memory.count; i++) {
		if (mb_memory.r[i].start >= limit)
			continue;
		mb_memory.r[n] = mb_memory.r[i];
		mb_memory.r[n].end = MIN(mb_memory.r[n].end, limit);
		n++;
	}
	mb_memory.count = n;
}

u64 memblock_ram_bytes(void)
{
	u64 total = 0;
	unsigned int m;

	for (m = 0; m < mb_memory.count; m++)
		total += mb_memory.r[m].end - mb_memory.r[m].start;
	return total;
}

paddr_t memblock_end_of_ram(void)
{
	return mb_memory.count ? mb_memory.r[mb_memory.count - 1].end : 0;
}
