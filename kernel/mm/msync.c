/*
 * msync(2) with Linux 6.1's argument checks (mm/msync.c), and the helper
 * file systems use to take pages of a file out of the address spaces that
 * map it (truncate, hole punching).
 *
 * Keel's file systems keep file data in memory (tmpfs): a shared mapping
 * maps the file's own pages, so there is nothing to write back and msync
 * only validates its arguments and the range.
 */
#include <keel/errno.h>
#include <keel/syscall.h>
#include <keel/task.h>
#include <keel/vfs.h>
#include "space_internal.h"
#include "../fs/tmpfs.h"     /* mm_zap_file_pages */

#define MS_ASYNC      1
#define MS_INVALIDATE 2
#define MS_SYNC       4

/*
 * Linux's msync(): every page of [start, start + len) must be mapped
 * (-ENOMEM for a hole, reported after walking the rest); MS_INVALIDATE of
 * locked memory is -EBUSY.
 */
static long msync_range(struct mm *mm, vaddr_t start, vaddr_t end, int flags)
{
	struct vm_area *vma;
	long err = 0;

	down_read(&mm->mmap_lock);
	vma = vma_find(mm, start);
	for (;;) {
		if (!vma) {
			err = -ENOMEM;
			break;
		}
		if (start < vma->start) {
			err = -ENOMEM;
			start = vma->start;
			if (start >= end)
				break;
		}
		if ((flags & MS_INVALIDATE) && (vma->flags & VMA_LOCKED)) {
			err = -EBUSY;
			break;
		}
		start = vma->end;
		if (start >= end)
			break;
		vma = vma_next(mm, vma);
	}
	up_read(&mm->mmap_lock);
	return err;
}

SYSCALL_DEFINE3(msync, unsigned long, start, size_t, len, int, flags)
{
	vaddr_t end;

	if (flags & ~(MS_ASYNC | MS_INVALIDATE | MS_SYNC))
		return -EINVAL;
	if (start & (PAGE_SIZE - 1))
		return -EINVAL;
	if ((flags & MS_ASYNC) && (flags & MS_SYNC))
		return -EINVAL;
	len = (len + PAGE_SIZE - 1) & PAGE_MASK;
	end = start + len;
	if (end < start)
		return -ENOMEM;
	if (end == start)
		return 0;
	return msync_range(current_task()->mm, start, end, flags);
}

/**
 * mm_zap_file_pages - unmap from @mm every page of a mapping of @inode
 * whose file page index is in [@first, @last), private copies included
 * (the next access faults the page in again, or gets SIGBUS past EOF).
 * @mm: an address space the caller holds a reference on.
 * Context: process context; takes mmap_lock for writing, so the caller
 * may hold i_mutex but no mm lock.
 */
void mm_zap_file_pages(struct mm *mm, struct inode *inode, u64 first,
		       u64 last)
{
	struct vm_area *v;

	down_write(&mm->mmap_lock);
	for_each_vma(mm, v) {
		u64 lo, hi;

		if (!v->file || file_inode(v->file) != inode)
			continue;
		lo = MAX(first, v->pgoff);
		hi = MIN(last, v->pgoff + vma_pages(v));
		if (lo >= hi)
			continue;
		mm_zap_range(mm, v->start + ((lo - v->pgoff) << PAGE_SHIFT),
			     v->start + ((hi - v->pgoff) << PAGE_SHIFT));
	}
	up_write(&mm->mmap_lock);
}
