/*
 * Creating and removing mappings: mmap, munmap, mprotect, brk and the
 * kernel's own mm_map for exec. Argument checks follow Linux 6.1's
 * mm/mmap.c and mm/mprotect.c in order, so each bad call fails with the
 * errno Linux gives.
 */
#include <keel/err.h>
#include <keel/errno.h>
#include <keel/mm.h>
#include <keel/random.h>
#include <keel/syscall.h>
#include <keel/task.h>
#include <keel/vfs.h>
#include "space_internal.h"

#define MAP_LEGACY_MASK (MAP_SHARED | MAP_PRIVATE | MAP_FIXED |              \
			 MAP_ANONYMOUS | MAP_DENYWRITE | MAP_EXECUTABLE |    \
			 MAP_UNINITIALIZED | MAP_GROWSDOWN | MAP_LOCKED |    \
			 MAP_NORESERVE | MAP_POPULATE | MAP_NONBLOCK |       \
			 MAP_STACK | MAP_HUGETLB | MAP_32BIT | (0x3fU << 26))

static u64 rlimit_of(int res)
{
	return current_task() ? task_rlimit(res) : RLIM_INFINITY;
}

bool mm_may_expand(struct mm *mm, unsigned long pages)
{
	u64 limit = rlimit_of(RLIMIT_AS);

	if (limit == RLIM_INFINITY)
		return true;
	return (u64)(mm->total_vm + pages) <= limit >> PAGE_SHIFT;
}

static unsigned int prot_to_vma(int prot)
{
	return (prot & PROT_READ ? VMA_READ : 0) |
	       (prot & PROT_WRITE ? VMA_WRITE : 0) |
	       (prot & PROT_EXEC ? VMA_EXEC : 0);
}

int do_munmap(struct mm *mm, vaddr_t start, size_t len)
{
	vaddr_t end = start + len;
	struct vm_area *v, *next;
	int err;

	/*
	 * The range must lie in user space: the page tables above
	 * ARCH_USER_TOP are the kernel's, shared by every address space
	 * (Linux's check, and a security boundary: a caller such as mremap
	 * computes the range from user input).
	 */
	if ((start & ~PAGE_MASK) || start >= ARCH_USER_TOP ||
	    len > ARCH_USER_TOP - start)
		return -EINVAL;

	v = vma_find(mm, start);
	if (!v || v->start >= end)
		return 0;
	if (v->start < start) {
		err = vma_split(mm, v, start);
		if (err)
			return err;
	}
	v = vma_find(mm, end - 1);
	if (v && v->start < end && v->end > end) {
		err = vma_split(mm, v, end);
		if (err)
			return err;
	}
	mm_zap_range(mm, start, end);
	for (v = vma_find(mm, start); v && v->start < end; v = next) {
		next = vma_next(mm, v);
		vma_unlink(mm, v);
		vma_free(v);
	}
	return 0;
}

/* Pages of [start, end) already covered by VMAs (they will be replaced). */
static unsigned long mapped_pages(struct mm *mm, vaddr_t start, vaddr_t end)
{
	unsigned long pages = 0;
	struct vm_area *v;

	for (v = vma_find(mm, start); v && v->start < end; v = vma_next(mm, v))
		pages += (MIN(v->end, end) - MAX(v->start, start)) >> PAGE_SHIFT;
	return pages;
}

/* The lowest free range of @len bytes in [lo, hi) (MAP_32BIT). */
static long lowest_free(struct mm *mm, vaddr_t lo, vaddr_t hi, size_t len)
{
	struct vm_area *v;
	vaddr_t a = lo;

	for (v = vma_find(mm, lo); v && a + len <= hi; v = vma_next(mm, v)) {
		if (vma_start_gap(v) >= a + len)
			return (long)a;
		a = MAX(a, v->end);
	}
	return a + len <= hi ? (long)a : -ENOMEM;
}

/* The new VMA for [addr, addr + len), set up but not linked. */
static struct vm_area *mmap_vma(struct mm *mm, vaddr_t addr, size_t len,
				unsigned int vflags, struct file *file, u64 pgoff)
{
	struct vm_area *vma = vma_alloc(mm);
	int err = 0;

	if (!vma)
		return ERR_PTR(-ENOMEM);
	vma->start = addr;
	vma->end = addr + len;
	vma->flags = vflags;
	vma->pgoff = pgoff;
	if (file) {
		vma->file = get_file(file);
		err = file->f_op->mmap(file, vma);
	} else if (vflags & VMA_SHARED) {
		err = shmem_anon_setup(vma);
	}
	if (err) {
		vma_free(vma);
		return ERR_PTR(err);
	}
	return vma;
}

/*
 * The common part of mmap and mm_map: @len is page-aligned and non-zero,
 * @flags has been checked; @vflags holds the VMA flags.
 */
static long do_mmap(struct mm *mm, vaddr_t addr, size_t len, int flags,
		    unsigned int vflags, struct file *file, u64 pgoff,
		    vaddr_t *out)
{
	struct vm_area *vma;
	long ret;

	down_write(&mm->mmap_lock);
	ret = -ENOMEM;
	if (mm->map_count > MAX_MAP_COUNT)
		goto out;
	if (flags & MAP_FIXED) {
		if (len > ARCH_USER_TOP || addr > ARCH_USER_TOP - len)
			goto out;
		ret = -EINVAL;
		if (addr & (PAGE_SIZE - 1))
			goto out;
		ret = -EEXIST;
		if ((flags & MAP_FIXED_NOREPLACE) &&
		    vma_intersect(mm, addr, addr + len))
			goto out;
	} else {
		ret = (flags & MAP_32BIT) ?
			lowest_free(mm, 0x40000000UL, 0x80000000UL, len) :
			vma_unmapped_area(mm, addr, len);
		if (ret < 0)
			goto out;
		addr = (vaddr_t)ret;
	}
	ret = -ENOMEM;
	if (!mm_may_expand(mm, (len >> PAGE_SHIFT) -
			   mapped_pages(mm, addr, addr + len)))
		goto out;
	if (!file && !(vflags & VMA_SHARED))
		pgoff = addr >> PAGE_SHIFT;
	vma = mmap_vma(mm, addr, len, vflags, file, pgoff);
	ret = PTR_ERR(vma);
	if (IS_ERR(vma))
		goto out;
	ret = do_munmap(mm, addr, len);
	if (ret) {
		vma_free(vma);
		goto out;
	}
	vma_link(mm, vma);
	vma_merge_neighbours(mm, vma);
	*out = addr;
	if ((flags & (MAP_POPULATE | MAP_LOCKED)) && !(flags & MAP_NONBLOCK)) {
		downgrade_write(&mm->mmap_lock);
		mm_populate(mm, addr, addr + len, vflags & VMA_WRITE);
		up_read(&mm->mmap_lock);
		return 0;
	}
	ret = 0;
out:
	up_write(&mm->mmap_lock);
	return ret;
}

static unsigned int map_to_vma(int flags)
{
	return (flags & MAP_GROWSDOWN ? VMA_GROWSDOWN : 0) |
	       (flags & MAP_NORESERVE ? VMA_NORESERVE : 0) |
	       (flags & MAP_LOCKED ? VMA_LOCKED : 0);
}

long mm_map(struct mm *mm, vaddr_t addr, size_t len, int prot, int flags,
	    vaddr_t *out)
{
	unsigned int vflags = prot_to_vma(prot) | VMA_MAY_ALL | map_to_vma(flags);

	might_sleep();
	len = ALIGN_UP(len, PAGE_SIZE);
	if (!len)
		return -EINVAL;
	if (flags & MAP_FIXED_NOREPLACE)
		flags |= MAP_FIXED;
	switch (flags & MAP_TYPE) {
	case MAP_SHARED:
		if (flags & MAP_GROWSDOWN)
			return -EINVAL;
		vflags |= VMA_SHARED;
		break;
	case MAP_PRIVATE:
		break;
	default:
		return -EINVAL;
	}
	return do_mmap(mm, addr, len, flags, vflags, NULL, 0, out);
}

/* Linux's checks of a file mapping: the type, and the file's mode. */
static long file_vflags(struct file *file, int flags, int prot,
			unsigned int *vflags)
{
	switch (flags & MAP_TYPE) {
	case MAP_SHARED_VALIDATE:
		if (flags & ~MAP_LEGACY_MASK)
			return -EOPNOTSUPP;
		/* fall through */
	case MAP_SHARED:
		if ((prot & PROT_WRITE) && !(file->f_mode & FMODE_WRITE))
			return -EACCES;
		if (!(file->f_mode & FMODE_WRITE))
			*vflags &= ~VMA_MAYWRITE;
		*vflags |= VMA_SHARED;
		/* fall through */
	case MAP_PRIVATE:
		if (!(file->f_mode & FMODE_READ))
			return -EACCES;
		if (!file->f_op->mmap)
			return -ENODEV;
		return 0;
	default:
		return -EINVAL;
	}
}

/*
 * Linux's default overcommit heuristic (vm.overcommit_memory 0): a single
 * mapping that would need commitment (private writable, or shared
 * anonymous, without MAP_NORESERVE) larger than all of RAM plus swap (Keel
 * has no swap) cannot be satisfied: -ENOMEM at once rather than at a fault.
 */
static bool mmap_exceeds_memory(size_t len, int prot, int flags,
				const struct file *file)
{
	struct page_alloc_stats st;
	bool private = (flags & MAP_TYPE) == MAP_PRIVATE;

	if (flags & MAP_NORESERVE)
		return false;
	if (private ? !(prot & PROT_WRITE) : file != NULL)
		return false;
	page_alloc_stats(&st);
	return (len >> PAGE_SHIFT) > st.total_pages;
}

static long mmap_checked(vaddr_t addr, size_t len, int prot, int flags,
			 struct file *file, u64 pgoff)
{
	struct mm *mm = current_task()->mm;
	unsigned int vflags;
	vaddr_t out;
	long err;

	if (!len)
		return -EINVAL;
	if (mmap_exceeds_memory(len, prot, flags, file))
		return -ENOMEM;
	if (flags & MAP_FIXED_NOREPLACE)
		flags |= MAP_FIXED;
	if (!(flags & MAP_FIXED)) {
		vaddr_t hint = addr & PAGE_MASK;

		if ((hint || addr) && hint < MMAP_MIN_ADDR)
			hint = MMAP_MIN_ADDR;
		addr = hint;
	}
	len = ALIGN_UP(len, PAGE_SIZE);
	if (!len)
		return -ENOMEM;
	if (pgoff + (len >> PAGE_SHIFT) < pgoff)
		return -EOVERFLOW;
	vflags = prot_to_vma(prot) | VMA_MAY_ALL | map_to_vma(flags);
	if (file) {
		err = file_vflags(file, flags, prot, &vflags);
		if (err)
			return err;
	} else {
		switch (flags & MAP_TYPE) {
		case MAP_SHARED:
			if (flags & MAP_GROWSDOWN)
				return -EINVAL;
			vflags |= VMA_SHARED;
			pgoff = 0;
			break;
		case MAP_PRIVATE:
			break;
		default:
			return -EINVAL;
		}
	}
	/* Linux's cap_mmap_addr(): only a privileged caller maps below
	 * mmap_min_addr (the NULL page). */
	if ((flags & MAP_FIXED) && !(addr & (PAGE_SIZE - 1)) &&
	    addr < MMAP_MIN_ADDR && !cred_is_root(current_cred()))
		return -EPERM;
	err = do_mmap(mm, addr, len, flags, vflags, file, pgoff, &out);
	return err ? err : (long)out;
}

SYSCALL_DEFINE6(mmap, unsigned long, addr, unsigned long, len,
		unsigned long, prot, unsigned long, flags, unsigned long, fd,
		unsigned long, off)
{
	struct file *file = NULL;
	long ret;

	if (off & (PAGE_SIZE - 1))
		return -EINVAL;
	if (!(flags & MAP_ANONYMOUS)) {
		file = fget((int)fd);
		if (!file)
			return -EBADF;
	} else if (flags & MAP_HUGETLB) {
		/* No huge pages are reserved (Linux's default: none). */
		return -ENOMEM;
	}
	ret = mmap_checked(addr, len, (int)prot, (int)flags, file,
			   off >> PAGE_SHIFT);
	if (file)
		fput(file);
	return ret;
}

long mm_munmap(struct mm *mm, vaddr_t addr, size_t len)
{
	long err;

	if ((addr & (PAGE_SIZE - 1)) || addr > ARCH_USER_TOP ||
	    len > ARCH_USER_TOP - addr)
		return -EINVAL;
	len = ALIGN_UP(len, PAGE_SIZE);
	if (!len)
		return -EINVAL;
	down_write(&mm->mmap_lock);
	err = do_munmap(mm, addr, len);
	up_write(&mm->mmap_lock);
	return err;
}

SYSCALL_DEFINE2(munmap, unsigned long, addr, size_t, len)
{
	return mm_munmap(current_task()->mm, addr, len);
}

/* ---- mprotect ------------------------------------------------------------- */

/* Give [start, end) of @vma (contained in it) the flags @newflags. */
static int mprotect_fixup(struct mm *mm, struct vm_area *vma, vaddr_t start,
			  vaddr_t end, unsigned int newflags)
{
	int err;

	if (newflags == vma->flags)
		return 0;
	err = vma_isolate(mm, &vma, start, end);
	if (err)
		return err;
	vma->flags = newflags;
	mm_protect_range(mm, vma, start, end);
	vma_merge_neighbours(mm, vma);
	return 0;
}

long mm_mprotect(struct mm *mm, vaddr_t start, size_t len, int prot)
{
	int grows = prot & (PROT_GROWSDOWN | PROT_GROWSUP);
	struct vm_area *vma;
	vaddr_t end, nstart;
	long err;

	prot &= ~(PROT_GROWSDOWN | PROT_GROWSUP);
	if (grows == (PROT_GROWSDOWN | PROT_GROWSUP))
		return -EINVAL;
	if (start & (PAGE_SIZE - 1))
		return -EINVAL;
	if (!len)
		return 0;
	len = ALIGN_UP(len, PAGE_SIZE);
	end = start + len;
	if (end <= start)
		return -ENOMEM;
	if (prot & ~(PROT_READ | PROT_WRITE | PROT_EXEC | PROT_SEM))
		return -EINVAL;
	down_write(&mm->mmap_lock);
	err = -ENOMEM;
	vma = vma_find(mm, start);
	if (!vma)
		goto out;
	if (grows & PROT_GROWSDOWN) {
		if (vma->start >= end)
			goto out;
		start = vma->start;
		err = -EINVAL;
		if (!(vma->flags & VMA_GROWSDOWN))
			goto out;
	} else if (vma->start > start) {
		goto out;
	}
	/* Like Linux, VMAs before a failure keep their new protection. */
	for (nstart = start;;) {
		unsigned int newflags;
		vaddr_t tmp;

		vma = vma_lookup(mm, nstart);
		err = -ENOMEM;
		if (!vma)
			break;
		newflags = (vma->flags & ~VMA_ACCESS) | prot_to_vma(prot);
		err = -EACCES;
		if ((newflags & ~(newflags >> 4)) & VMA_ACCESS)
			break;
		tmp = MIN(vma->end, end);
		err = mprotect_fixup(mm, vma, nstart, tmp, newflags);
		if (err || tmp >= end)
			break;
		nstart = tmp;
	}
out:
	up_write(&mm->mmap_lock);
	return err;
}

SYSCALL_DEFINE3(mprotect, unsigned long, start, size_t, len,
		unsigned long, prot)
{
	return mm_mprotect(current_task()->mm, start, len, (int)prot);
}

/* ---- brk -------------------------------------------------------------------- */

void mm_set_brk_base(struct mm *mm, vaddr_t start)
{
	u64 rnd = mm_random_below(BRK_RND_RANGE >> PAGE_SHIFT) << PAGE_SHIFT;

	mm->start_brk = mm->brk = ALIGN_UP(start, PAGE_SIZE) + rnd;
}

/* Map [oldbrk, newbrk) as heap (merged into the heap VMA below). [w] */
static int brk_expand(struct mm *mm, vaddr_t oldbrk, vaddr_t newbrk)
{
	struct vm_area *next = vma_find(mm, oldbrk), *vma;

	if (newbrk > ARCH_USER_TOP ||
	    (next && newbrk + PAGE_SIZE > vma_start_gap(next)))
		return -ENOMEM;
	if (!mm_may_expand(mm, (newbrk - oldbrk) >> PAGE_SHIFT))
		return -ENOMEM;
	vma = vma_alloc(mm);
	if (!vma)
		return -ENOMEM;
	vma->start = oldbrk;
	vma->end = newbrk;
	vma->flags = VMA_READ | VMA_WRITE | VMA_MAY_ALL;
	vma->pgoff = oldbrk >> PAGE_SHIFT;
	vma_link(mm, vma);
	vma_merge_neighbours(mm, vma);
	return 0;
}

/* Linux's brk(): the new break, or the old one when it cannot move. */
vaddr_t mm_brk(struct mm *mm, vaddr_t brk)
{
	u64 rlim = rlimit_of(RLIMIT_DATA);
	vaddr_t newbrk, oldbrk, ret;

	down_write(&mm->mmap_lock);
	if (brk < mm->start_brk)
		goto out;
	if (rlim != RLIM_INFINITY && brk - mm->start_brk > rlim)
		goto out;
	newbrk = ALIGN_UP(brk, PAGE_SIZE);
	oldbrk = ALIGN_UP(mm->brk, PAGE_SIZE);
	if (newbrk < brk)       /* wrapped */
		goto out;
	if (oldbrk == newbrk) {
		mm->brk = brk;
	} else if (brk <= mm->brk) {
		if (!do_munmap(mm, newbrk, oldbrk - newbrk))
			mm->brk = brk;
	} else if (!brk_expand(mm, oldbrk, newbrk)) {
		mm->brk = brk;
	}
out:
	ret = mm->brk;
	up_write(&mm->mmap_lock);
	return ret;
}

SYSCALL_DEFINE1(brk, unsigned long, brk)
{
	return (long)mm_brk(current_task()->mm, brk);
}
