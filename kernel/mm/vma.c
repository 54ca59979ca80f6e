/*
 * The VMA set of an address space: a red-black tree by start address for
 * lookups and a sorted list for walks, kept in step; splitting, merging,
 * and finding free ranges (top-down below mmap_base, like Linux).
 *
 * Invariants (vma_check verifies them): VMAs are page-aligned, non-empty
 * and do not overlap; the list is sorted by start and holds exactly the
 * tree's nodes; map_count counts them and total_vm sums their pages.
 * Bounds change in place without re-inserting, which keeps the tree order
 * because VMAs never overlap.
 *
 * Locking: everything here needs the mm's mmap_lock, for writing when it
 * changes the set ([w] in <keel/mm_space.h>).
 */
#include <keel/errno.h>
#include <keel/panic.h>
#include <keel/printk.h>
#include <keel/slab.h>
#include <keel/vfs.h>
#include "space_internal.h"

struct vm_area *vma_alloc(struct mm *mm)
{
	struct vm_area *vma = kzalloc(sizeof(*vma), GFP_KERNEL);

	if (!vma)
		return NULL;
	vma->mm = mm;
	RB_CLEAR_NODE(&vma->rb);
	INIT_LIST_HEAD(&vma->link);
	return vma;
}

void vma_free(struct vm_area *vma)
{
	if (vma->ops && vma->ops->close)
		vma->ops->close(vma);
	if (vma->file)
		fput(vma->file);
	kfree(vma);
}

struct vm_area *vma_clone(struct mm *mm, const struct vm_area *src)
{
	struct vm_area *vma = vma_alloc(mm);

	if (!vma)
		return NULL;
	vma->start = src->start;
	vma->end = src->end;
	vma->flags = src->flags;
	vma->pgoff = src->pgoff;
	vma->ops = src->ops;
	vma->private = src->private;
	if (src->file)
		vma->file = get_file(src->file);
	if (vma->ops && vma->ops->open)
		vma->ops->open(vma);
	return vma;
}

/* ---- lookup ---------------------------------------------------------------- */

struct vm_area *vma_find(struct mm *mm, vaddr_t addr)
{
	struct rb_node *n = mm->vma_tree.rb_node;
	struct vm_area *best = NULL;

	while (n) {
		struct vm_area *v = rb_entry(n, struct vm_area, rb);

		if (v->end > addr) {
			best = v;
			if (v->start <= addr)
				break;
			n = n->rb_left;
		} else {
			n = n->rb_right;
		}
	}
	return best;
}

struct vm_area *vma_lookup(struct mm *mm, vaddr_t addr)
{
	struct vm_area *v = vma_find(mm, addr);

	return v && v->start <= addr ? v : NULL;
}

struct vm_area *vma_next(struct mm *mm, struct vm_area *vma)
{
	if (vma->link.next == &mm->vma_list)
		return NULL;
	return list_entry(vma->link.next, struct vm_area, link);
}

struct vm_area *vma_prev(struct mm *mm, struct vm_area *vma)
{
	if (vma->link.prev == &mm->vma_list)
		return NULL;
	return list_entry(vma->link.prev, struct vm_area, link);
}

struct vm_area *vma_intersect(struct mm *mm, vaddr_t start, vaddr_t end)
{
	struct vm_area *v = vma_find(mm, start);

	return v && v->start < end ? v : NULL;
}

vaddr_t vma_start_gap(const struct vm_area *vma)
{
	if (!(vma->flags & VMA_GROWSDOWN))
		return vma->start;
	return vma->start > STACK_GUARD_GAP ? vma->start - STACK_GUARD_GAP : 0;
}

/* ---- changing the set -------------------------------------------------------- */

void vma_link(struct mm *mm, struct vm_area *vma)
{
	struct rb_node **link = &mm->vma_tree.rb_node, *parent = NULL;
	struct vm_area *prev = NULL;

	KASSERT(vma->start < vma->end);
	while (*link) {
		struct vm_area *v = rb_entry(*link, struct vm_area, rb);

		parent = *link;
		if (vma->start < v->start) {
			link = &parent->rb_left;
		} else {
			prev = v;
			link = &parent->rb_right;
		}
	}
	rb_link_node(&vma->rb, parent, link);
	rb_insert_color(&vma->rb, &mm->vma_tree);
	list_add(&vma->link, prev ? &prev->link : &mm->vma_list);
	mm->map_count++;
	mm->total_vm += vma_pages(vma);
}

void vma_unlink(struct mm *mm, struct vm_area *vma)
{
	rb_erase(&vma->rb, &mm->vma_tree);
	RB_CLEAR_NODE(&vma->rb);
	list_del_init(&vma->link);
	mm->map_count--;
	mm->total_vm -= vma_pages(vma);
}

void vma_set_range(struct mm *mm, struct vm_area *vma, vaddr_t start,
		   vaddr_t end)
{
	KASSERT(start < end);
	mm->total_vm -= vma_pages(vma);
	if (start != vma->start)
		vma->pgoff += ((s64)start - (s64)vma->start) >> PAGE_SHIFT;
	vma->start = start;
	vma->end = end;
	mm->total_vm += vma_pages(vma);
}

int vma_isolate(struct mm *mm, struct vm_area **vma, vaddr_t start,
		vaddr_t end)
{
	int err;

	if (start > (*vma)->start) {
		err = vma_split(mm, *vma, start);
		if (err)
			return err;
		*vma = vma_next(mm, *vma);
	}
	if (end < (*vma)->end)
		return vma_split(mm, *vma, end);
	return 0;
}

int vma_split(struct mm *mm, struct vm_area *vma, vaddr_t addr)
{
	struct vm_area *tail;

	KASSERT(addr > vma->start && addr < vma->end);
	tail = vma_clone(mm, vma);
	if (!tail)
		return -ENOMEM;
	tail->start = addr;
	tail->pgoff += (addr - vma->start) >> PAGE_SHIFT;
	/* vma_set_range and vma_link keep total_vm: -tail here, +tail there. */
	vma_set_range(mm, vma, vma->start, addr);
	vma_link(mm, tail);
	return 0;
}

/* Can @b (just above @a) be folded into @a? */
static bool vma_can_merge(const struct vm_area *a, const struct vm_area *b)
{
	if (a->end != b->start || a->flags != b->flags || a->ops != b->ops ||
	    a->file != b->file || a->private != b->private)
		return false;
	if (!a->ops && !a->file)
		return true;    /* private anonymous: no offset to match */
	return b->pgoff == a->pgoff + vma_pages(a);
}

struct vm_area *vma_merge_neighbours(struct mm *mm, struct vm_area *vma)
{
	struct vm_area *prev = vma_prev(mm, vma), *next = vma_next(mm, vma);

	if (next && vma_can_merge(vma, next)) {
		vaddr_t end = next->end;

		vma_unlink(mm, next);
		vma_free(next);
		vma_set_range(mm, vma, vma->start, end);
	}
	if (prev && vma_can_merge(prev, vma)) {
		vaddr_t end = vma->end;

		vma_unlink(mm, vma);
		vma_free(vma);
		vma_set_range(mm, prev, prev->start, end);
		vma = prev;
	}
	return vma;
}

/* ---- free ranges --------------------------------------------------------------- */

/* The highest @len-byte range inside [lo, hi), or 0. */
static vaddr_t fit_top(vaddr_t lo, vaddr_t hi, size_t len)
{
	lo = MAX(lo, MMAP_MIN_ADDR);
	if (hi <= lo || hi - lo < len)
		return 0;
	return hi - len;
}

static bool range_free(struct mm *mm, vaddr_t addr, size_t len)
{
	struct vm_area *next = vma_find(mm, addr), *prev;

	if (addr < MMAP_MIN_ADDR || addr > USER_TOP - len)
		return false;
	if (next && addr + len > vma_start_gap(next))
		return false;
	prev = next ? vma_prev(mm, next) :
		(list_empty(&mm->vma_list) ? NULL :
		 list_last_entry(&mm->vma_list, struct vm_area, link));
	return !prev || prev->end <= addr;
}

long vma_unmapped_area(struct mm *mm, vaddr_t hint, size_t len)
{
	vaddr_t gap_end = ARCH_USER_TOP, a;
	struct vm_area *v;

	if (!len || len > ARCH_USER_TOP - MMAP_MIN_ADDR)
		return -ENOMEM;
	hint = ALIGN_UP(hint, PAGE_SIZE);
	if (hint && range_free(mm, hint, len))
		return (long)hint;
	/* Top-down below mmap_base first. */
	list_for_each_entry_reverse(v, &mm->vma_list, link) {
		a = fit_top(v->end, MIN(gap_end, mm->mmap_base), len);
		if (a)
			return (long)a;
		gap_end = vma_start_gap(v);
	}
	a = fit_top(0, MIN(gap_end, mm->mmap_base), len);
	if (a)
		return (long)a;
	/* Then anywhere: the lowest gap that fits. */
	a = MMAP_MIN_ADDR;
	for_each_vma(mm, v) {
		if (vma_start_gap(v) >= a && vma_start_gap(v) - a >= len)
			return (long)a;
		a = MAX(a, v->end);
	}
	if (a < ARCH_USER_TOP && ARCH_USER_TOP - a >= len)
		return (long)a;
	return -ENOMEM;
}

/* ---- invariant checker ---------------------------------------------------------- */

static int vma_bad(struct mm *mm, const struct vm_area *v, const char *why)
{
	pr_err("vma_check: mm %p: %s (vma [%#lx, %#lx))\n", mm, why,
	       v ? v->start : 0UL, v ? v->end : 0UL);
	return -EINVAL;
}

int vma_check(struct mm *mm)
{
	struct rb_node *n = rb_first(&mm->vma_tree);
	unsigned long count = 0, pages = 0;
	struct vm_area *v, *prev = NULL;

	for_each_vma(mm, v) {
		if (!n || rb_entry(n, struct vm_area, rb) != v)
			return vma_bad(mm, v, "tree and list differ");
		n = rb_next(n);
		if (v->start >= v->end)
			return vma_bad(mm, v, "empty");
		if ((v->start | v->end) & (PAGE_SIZE - 1))
			return vma_bad(mm, v, "not page-aligned");
		if (v->end > ARCH_USER_TOP)
			return vma_bad(mm, v, "beyond user space");
		if (prev && prev->end > v->start)
			return vma_bad(mm, v, "overlaps or out of order");
		if (v->mm != mm)
			return vma_bad(mm, v, "belongs to another mm");
		count++;
		pages += vma_pages(v);
		prev = v;
	}
	if (n)
		return vma_bad(mm, NULL, "tree has extra nodes");
	if (count != mm->map_count)
		return vma_bad(mm, NULL, "map_count wrong");
	if (pages != mm->total_vm)
		return vma_bad(mm, NULL, "total_vm wrong");
	return 0;
}
