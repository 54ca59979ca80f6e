/*
 * mremap, madvise and mincore, with Linux 6.1's argument checks
 * (mm/mremap.c, mm/madvise.c, mm/mincore.c).
 *
 * mremap grows a mapping in place when the range above it is free,
 * otherwise (MREMAP_MAYMOVE) moves it: a new VMA takes over the old one's
 * backing and its page-table entries move without copying the pages.
 */
#include <keel/errno.h>
#include <keel/err.h>
#include <keel/slab.h>
#include <keel/syscall.h>
#include <keel/task.h>
#include <keel/uaccess.h>
#include "space_internal.h"

/* Linux's vma_to_resize(): the VMA at @addr if [addr, addr + old_len) is
 * one mapping that may become @new_len long. */
static struct vm_area *vma_to_resize(struct mm *mm, vaddr_t addr,
				     size_t old_len, size_t new_len)
{
	struct vm_area *vma = vma_lookup(mm, addr);

	if (!vma)
		return ERR_PTR(-EFAULT);
	if (!old_len && !(vma->flags & VMA_SHARED))
		return ERR_PTR(-EINVAL);
	if (old_len > vma->end - addr)
		return ERR_PTR(-EFAULT);
	if (new_len > old_len &&
	    !mm_may_expand(mm, (new_len - old_len) >> PAGE_SHIFT))
		return ERR_PTR(-ENOMEM);
	return vma;
}

/*
 * Move [addr, addr + old_len) of @vma to a new VMA at [new_addr, +new_len).
 * The old range is unmapped unless @dontunmap (then it stays, empty).
 * Return: new_addr or -errno.
 */
static long move_vma(struct mm *mm, struct vm_area *vma, vaddr_t addr,
		     size_t old_len, vaddr_t new_addr, size_t new_len,
		     bool dontunmap)
{
	struct vm_area *nv;
	size_t moved = MIN(old_len, new_len);
	int err;

	nv = vma_clone(mm, vma);
	if (!nv)
		return -ENOMEM;
	nv->pgoff += (addr - vma->start) >> PAGE_SHIFT;
	nv->start = new_addr;
	nv->end = new_addr + new_len;
	err = mm_move_pages(mm, addr, new_addr, moved);
	if (err) {
		vma_free(nv);
		return err;
	}
	vma_link(mm, nv);
	vma_merge_neighbours(mm, nv);
	if (!dontunmap && old_len && do_munmap(mm, addr, old_len))
		return -ENOMEM;
	return (long)new_addr;
}

/* MREMAP_FIXED / MREMAP_DONTUNMAP. */
static long mremap_to(struct mm *mm, vaddr_t addr, size_t old_len,
		      vaddr_t new_addr, size_t new_len, unsigned long flags)
{
	struct vm_area *vma;
	long ret;

	if (new_addr & (PAGE_SIZE - 1))
		return -EINVAL;
	if (new_len > ARCH_USER_TOP || new_addr > ARCH_USER_TOP - new_len)
		return -EINVAL;
	if ((flags & MREMAP_FIXED) && new_addr < addr + old_len &&
	    addr < new_addr + new_len)
		return -EINVAL;
	if (flags & MREMAP_FIXED) {
		ret = do_munmap(mm, new_addr, new_len);
		if (ret)
			return ret;
	}
	if (old_len > new_len) {
		ret = do_munmap(mm, addr + new_len, old_len - new_len);
		if (ret)
			return ret;
		old_len = new_len;
	}
	vma = vma_to_resize(mm, addr, old_len, new_len);
	if (IS_ERR(vma))
		return PTR_ERR(vma);
	if ((flags & MREMAP_DONTUNMAP) &&
	    !mm_may_expand(mm, old_len >> PAGE_SHIFT))
		return -ENOMEM;
	if (!(flags & MREMAP_FIXED)) {
		ret = vma_unmapped_area(mm, new_addr, new_len);
		if (ret < 0)
			return ret;
		new_addr = (vaddr_t)ret;
	}
	return move_vma(mm, vma, addr, old_len, new_addr, new_len,
			flags & MREMAP_DONTUNMAP);
}

long mm_mremap(struct mm *mm, vaddr_t addr, size_t old_len,
		      size_t new_len, unsigned long flags, vaddr_t new_addr)
{
	struct vm_area *vma, *next;
	long ret;

	if (flags & ~(MREMAP_FIXED | MREMAP_MAYMOVE | MREMAP_DONTUNMAP))
		return -EINVAL;
	if ((flags & MREMAP_FIXED) && !(flags & MREMAP_MAYMOVE))
		return -EINVAL;
	if ((flags & MREMAP_DONTUNMAP) &&
	    (!(flags & MREMAP_MAYMOVE) || old_len != new_len))
		return -EINVAL;
	if (addr & (PAGE_SIZE - 1))
		return -EINVAL;
	old_len = ALIGN_UP(old_len, PAGE_SIZE);
	new_len = ALIGN_UP(new_len, PAGE_SIZE);
	if (!new_len)
		return -EINVAL;
	down_write(&mm->mmap_lock);
	if (flags & (MREMAP_FIXED | MREMAP_DONTUNMAP)) {
		ret = mremap_to(mm, addr, old_len, new_addr, new_len, flags);
		goto out;
	}
	if (old_len >= new_len) {
		ret = do_munmap(mm, addr + new_len, old_len - new_len);
		if (!ret || old_len == new_len)
			ret = (long)addr;
		goto out;
	}
	vma = vma_to_resize(mm, addr, old_len, new_len);
	ret = PTR_ERR(vma);
	if (IS_ERR(vma))
		goto out;
	/* Grow in place when the mapping ends at old_len and room follows. */
	if (old_len == vma->end - addr) {
		next = vma_next(mm, vma);
		if (addr + new_len <= ARCH_USER_TOP &&
		    (!next || addr + new_len <= vma_start_gap(next))) {
			vma_set_range(mm, vma, vma->start, addr + new_len);
			ret = (long)addr;
			goto out;
		}
	}
	ret = -ENOMEM;
	if (flags & MREMAP_MAYMOVE) {
		ret = vma_unmapped_area(mm, 0, new_len);
		if (ret >= 0)
			ret = move_vma(mm, vma, addr, old_len, (vaddr_t)ret,
				       new_len, false);
	}
out:
	up_write(&mm->mmap_lock);
	return ret;
}

SYSCALL_DEFINE5(mremap, unsigned long, addr, unsigned long, old_len,
		unsigned long, new_len, unsigned long, flags,
		unsigned long, new_addr)
{
	return mm_mremap(current_task()->mm, addr, old_len, new_len, flags,
			 new_addr);
}

/* ---- madvise ----------------------------------------------------------------- */

static bool madvise_valid(int advice)
{
	switch (advice) {
	case MADV_NORMAL: case MADV_RANDOM: case MADV_SEQUENTIAL:
	case MADV_WILLNEED: case MADV_DONTNEED: case MADV_FREE:
	case MADV_REMOVE: case MADV_DONTFORK: case MADV_DOFORK:
	case MADV_MERGEABLE: case MADV_UNMERGEABLE: case MADV_HUGEPAGE:
	case MADV_NOHUGEPAGE: case MADV_DONTDUMP: case MADV_DODUMP:
	case MADV_WIPEONFORK: case MADV_KEEPONFORK: case MADV_COLD:
	case MADV_PAGEOUT: case MADV_POPULATE_READ: case MADV_POPULATE_WRITE:
	case MADV_DONTNEED_LOCKED:
		return true;
	default:
		return false;
	}
}

/* The VMA flag @advice sets (*set) and clears (*clear), if it is one. */
static bool madvise_flag(int advice, unsigned int *set, unsigned int *clear)
{
	*set = *clear = 0;
	switch (advice) {
	case MADV_NORMAL:
		*clear = VMA_SEQ_READ | VMA_RAND_READ;
		return true;
	case MADV_RANDOM:
		*set = VMA_RAND_READ;
		*clear = VMA_SEQ_READ;
		return true;
	case MADV_SEQUENTIAL:
		*set = VMA_SEQ_READ;
		*clear = VMA_RAND_READ;
		return true;
	case MADV_DONTFORK:
		*set = VMA_DONTCOPY;
		return true;
	case MADV_DOFORK:
		*clear = VMA_DONTCOPY;
		return true;
	case MADV_DONTDUMP:
		*set = VMA_DONTDUMP;
		return true;
	case MADV_DODUMP:
		*clear = VMA_DONTDUMP;
		return true;
	case MADV_WIPEONFORK:
		*set = VMA_WIPEONFORK;
		return true;
	case MADV_KEEPONFORK:
		*clear = VMA_WIPEONFORK;
		return true;
	default:
		return false;
	}
}

/* Apply @advice to [start, end), which lies inside @vma. [w] */
static int madvise_vma(struct mm *mm, struct vm_area *vma, vaddr_t start,
		       vaddr_t end, int advice)
{
	unsigned int set, clear, newflags;
	bool private_anon = !vma->ops && !vma->file &&
			    !(vma->flags & VMA_SHARED);
	int err;

	if (madvise_flag(advice, &set, &clear)) {
		if (advice == MADV_WIPEONFORK && !private_anon)
			return -EINVAL;
		newflags = (vma->flags & ~clear) | set;
		if (newflags == vma->flags)
			return 0;
		err = vma_isolate(mm, &vma, start, end);
		if (err)
			return err;
		vma->flags = newflags;
		vma_merge_neighbours(mm, vma);
		return 0;
	}
	switch (advice) {
	case MADV_FREE:
		if (!private_anon)
			return -EINVAL;
		/* Freeing at once is a valid MADV_FREE. */
		/* fall through */
	case MADV_DONTNEED:
	case MADV_DONTNEED_LOCKED:
		mm_zap_range(mm, start, end);
		return 0;
	case MADV_REMOVE:
		if (!vma_is_shmem_anon(vma))
			return -EINVAL;
		if (!(vma->flags & VMA_WRITE))
			return -EACCES;
		mm_zap_range(mm, start, end);
		shmem_anon_punch(vma, vma->pgoff +
				 ((start - vma->start) >> PAGE_SHIFT),
				 (end - start) >> PAGE_SHIFT);
		return 0;
	case MADV_POPULATE_READ:
	case MADV_POPULATE_WRITE:
		if (!(vma->flags & (advice == MADV_POPULATE_WRITE ?
				    VMA_WRITE : VMA_READ)))
			return -EINVAL;
		return mm_populate(mm, start, end,
				   advice == MADV_POPULATE_WRITE) ? -ENOMEM : 0;
	default:
		/* WILLNEED, COLD, PAGEOUT, (UN)MERGEABLE, (NO)HUGEPAGE:
		 * hints about paging Keel does not do; nothing to change. */
		return 0;
	}
}

long mm_madvise(struct mm *mm, vaddr_t start, size_t len_in,
		       int advice)
{
	size_t len = ALIGN_UP(len_in, PAGE_SIZE);
	vaddr_t end, a;
	long err = 0;

	if (!madvise_valid(advice))
		return -EINVAL;
	if (start & (PAGE_SIZE - 1))
		return -EINVAL;
	if (len_in && !len)
		return -EINVAL;
	end = start + len;
	if (end < start)
		return -EINVAL;
	if (end == start)
		return 0;
	down_write(&mm->mmap_lock);
	/* Holes are an -ENOMEM reported after the mapped parts are done. */
	for (a = start; a < end;) {
		struct vm_area *vma = vma_find(mm, a);
		vaddr_t lo, hi;
		int e;

		if (!vma || vma->start >= end) {
			err = -ENOMEM;
			break;
		}
		if (vma->start > a)
			err = -ENOMEM;
		lo = MAX(a, vma->start);
		hi = MIN(end, vma->end);
		e = madvise_vma(mm, vma, lo, hi, advice);
		if (e) {
			err = e;
			break;
		}
		a = hi;
	}
	up_write(&mm->mmap_lock);
	return err;
}

SYSCALL_DEFINE3(madvise, unsigned long, start, size_t, len, int, advice)
{
	return mm_madvise(current_task()->mm, start, len, advice);
}

/* ---- mincore ----------------------------------------------------------------- */

/* Fill @vec for up to @pages pages from @start (inside one VMA). */
static long mincore_chunk(struct mm *mm, vaddr_t start, unsigned long pages,
			  u8 *vec)
{
	struct vm_area *vma = vma_lookup(mm, start);
	unsigned long i, n;

	if (!vma)
		return -ENOMEM;
	n = MIN(pages, (vma->end - start) >> PAGE_SHIFT);
	for (i = 0; i < n; i++) {
		vaddr_t va = start + (i << PAGE_SHIFT);
		struct page *page;

		spin_lock(&mm->pt_lock);
		page = mm_page_at(mm, va, NULL);
		spin_unlock(&mm->pt_lock);
		vec[i] = page != NULL;
		if (!page && vma->ops && vma->ops->resident)
			vec[i] = vma->ops->resident(vma, vma->pgoff +
				((va - vma->start) >> PAGE_SHIFT));
	}
	return (long)n;
}

long mm_mincore(struct mm *mm, vaddr_t start, unsigned long pages, u8 *vec)
{
	long n = 0;

	down_read(&mm->mmap_lock);
	while (pages) {
		n = mincore_chunk(mm, start, pages, vec);
		if (n <= 0)
			break;
		pages -= n;
		vec += n;
		start += (unsigned long)n << PAGE_SHIFT;
		n = 0;
	}
	up_read(&mm->mmap_lock);
	return n;
}

SYSCALL_DEFINE3(mincore, unsigned long, start, size_t, len,
		unsigned char __user *, vec)
{
	struct mm *mm = current_task()->mm;
	unsigned long pages;
	long ret = 0;
	u8 *tmp;

	if (start & (PAGE_SIZE - 1))
		return -EINVAL;
	if (!access_ok((const void __user *)start, len))
		return -ENOMEM;
	pages = (len >> PAGE_SHIFT) + ((len & (PAGE_SIZE - 1)) != 0);
	if (!access_ok(vec, pages))
		return -EFAULT;
	tmp = kmalloc(PAGE_SIZE, GFP_KERNEL);
	if (!tmp)
		return -EAGAIN;
	while (pages) {
		down_read(&mm->mmap_lock);
		ret = mincore_chunk(mm, start, MIN(pages, PAGE_SIZE), tmp);
		up_read(&mm->mmap_lock);
		if (ret <= 0)
			break;
		if (copy_to_user(vec, tmp, (unsigned long)ret)) {
			ret = -EFAULT;
			break;
		}
		pages -= ret;
		vec += ret;
		start += (unsigned long)ret << PAGE_SHIFT;
		ret = 0;
	}
	kfree(tmp);
	return ret;
}
