/*
 * The page-fault handler: demand paging, copy-on-write, stack growth, and
 * the remote accessors built on it (mm_write, mm_read).
 *
 * A fault runs with mmap_lock held for reading, so several threads of one
 * process fault concurrently; pt_lock makes "is the entry still what I
 * saw?" and the update one step. New pages are allocated and filled
 * outside pt_lock; a fault that loses the race frees its page and retries.
 *
 * Copy-on-write: a write to a read-only private page reuses it in place
 * when its reference count is 1 (nobody else maps or caches it), else
 * copies it. The count cannot rise meanwhile: only mm_dup adds mappings
 * of a private page, and it holds the mmap_lock for writing.
 */
#include <keel/errno.h>
#include <keel/panic.h>
#include <keel/string.h>
#include <keel/task.h>
#include <keel/vm.h>
#include <keel/task.h>

#include "space_internal.h"

#define FAULT_RETRY 1   /* internal: the entry changed, look again */

/* Map the new page @page at @va; the reference passes to the entry. */
static int install_page(struct mm *mm, vaddr_t va, struct page *page,
			unsigned int prot)
{
	int err;

	spin_lock(&mm->pt_lock);
	err = arch_map_page(mm->root, va, page_to_phys(page), prot);
	if (!err) {
		unsigned long rss = __atomic_add_fetch(&mm->rss, 1, __ATOMIC_RELAXED);

		if (rss > READ_ONCE(mm->hiwater_rss))
			WRITE_ONCE(mm->hiwater_rss, rss);   /* under pt_lock */
	}
	spin_unlock(&mm->pt_lock);
	if (err)
		put_page(page);
	return err == -EEXIST ? FAULT_RETRY : err;
}

/* A private copy of @src, or NULL. */
static struct page *copy_of(struct page *src)
{
	struct page *p = alloc_page(GFP_KERNEL);

	if (p)
		memcpy(page_address(p), page_address(src), PAGE_SIZE);
	return p;
}

static int fault_missing(struct mm *mm, struct vm_area *vma, vaddr_t va,
			 unsigned int flags)
{
	bool shared = vma->flags & VMA_SHARED;
	struct page *page, *copy;
	bool writable = true;
	int err;

	if (!vma->ops) {
		page = alloc_page(GFP_KERNEL | __GFP_ZERO);
		if (!page)
			return -ENOMEM;
		return install_page(mm, va, page, vma_page_prot(vma, true));
	}
	err = vma->ops->fault(vma, vma->pgoff + ((va - vma->start) >> PAGE_SHIFT),
			      &page);
	if (err)
		return err;
	if (!shared) {
		/* A private view of an object: copy on the first write. */
		if (flags & MM_FAULT_WRITE) {
			copy = copy_of(page);
			put_page(page);
			if (!copy)
				return -ENOMEM;
			page = copy;
		} else {
			writable = false;
		}
	}
	return install_page(mm, va, page, vma_page_prot(vma, writable));
}

static int fault_cow(struct mm *mm, struct vm_area *vma, vaddr_t va,
		     struct page *old)
{
	struct page *new, *cur;
	paddr_t prev;

	if (__atomic_load_n(&old->refcount, __ATOMIC_ACQUIRE) == 1) {
		spin_lock(&mm->pt_lock);
		if (mm_page_at(mm, va, NULL) == old)
			arch_protect_page(mm->root, va, vma_page_prot(vma, true));
		spin_unlock(&mm->pt_lock);
		return 0;
	}
	new = copy_of(old);
	if (!new)
		return -ENOMEM;
	spin_lock(&mm->pt_lock);
	cur = mm_page_at(mm, va, NULL);
	if (cur != old) {
		spin_unlock(&mm->pt_lock);
		put_page(new);
		return FAULT_RETRY;
	}
	prev = arch_replace_page(mm->root, va, page_to_phys(new),
				 vma_page_prot(vma, true));
	spin_unlock(&mm->pt_lock);
	KASSERT(prev == page_to_phys(old));
	/* Nobody may keep writing to, or reading, the old page through a
	 * stale entry once it is released. */
	mm_flush_tlb_range(mm, va, va + PAGE_SIZE);
	put_page(old);
	return 0;
}

/* A shared page is normally mapped writable already; make sure. */
static int make_writable(struct mm *mm, struct vm_area *vma, vaddr_t va,
			 struct page *page)
{
	spin_lock(&mm->pt_lock);
	if (mm_page_at(mm, va, NULL) == page)
		arch_protect_page(mm->root, va, vma_page_prot(vma, true));
	spin_unlock(&mm->pt_lock);
	return 0;
}

int mm_fault_vma(struct mm *mm, struct vm_area *vma, vaddr_t addr,
		 unsigned int flags)
{
	vaddr_t va = ALIGN_DOWN(addr, PAGE_SIZE);
	struct page *page;
	unsigned int prot;
	int err;

	do {
		spin_lock(&mm->pt_lock);
		page = mm_page_at(mm, va, &prot);
		spin_unlock(&mm->pt_lock);
		if (!page)
			err = fault_missing(mm, vma, va, flags);
		else if (!(flags & MM_FAULT_WRITE))
			err = 0;        /* present: a stale entry, retry */
		else if (vma->flags & VMA_SHARED)
			err = make_writable(mm, vma, va, page);
		else if ((prot & VM_WRITE) && !(flags & FAULT_FORCE))
			err = 0;
		else
			err = fault_cow(mm, vma, va, page);
	} while (err == FAULT_RETRY);
	return err;
}

/* Linux's access_error(): may this access touch @vma at all? */
static bool access_allowed(const struct vm_area *vma, unsigned int flags)
{
	if (flags & MM_FAULT_WRITE)
		return vma->flags & VMA_WRITE;
	if (flags & MM_FAULT_EXEC)
		return vma->flags & VMA_EXEC;
	if (flags & MM_FAULT_PRESENT)
		return false;   /* a read of a present page cannot fault */
	return vma->flags & VMA_ACCESS;
}

/*
 * Grow the stack VMA above @addr down to it, keeping the guard gap to the
 * VMA below and RLIMIT_STACK. Takes mmap_lock for writing itself.
 * Return: 0 or -EFAULT (the fault is a SIGSEGV).
 */
static int grow_stack(struct mm *mm, vaddr_t addr)
{
	vaddr_t new_start = ALIGN_DOWN(addr, PAGE_SIZE);
	struct vm_area *vma, *prev;
	u64 limit = current_task() ? task_rlimit(RLIMIT_STACK) : ~0ULL;
	int err = -EFAULT;

	down_write(&mm->mmap_lock);
	vma = vma_find(mm, addr);
	if (!vma || !(vma->flags & VMA_GROWSDOWN))
		goto out;
	if (vma->start <= addr) {
		err = 0;        /* another thread grew it */
		goto out;
	}
	prev = vma_prev(mm, vma);
	if (new_start < MMAP_MIN_ADDR || vma->end - new_start > limit)
		goto out;
	if (prev && (prev->end > new_start ||
		     (!(prev->flags & VMA_GROWSDOWN) &&
		      (prev->flags & VMA_ACCESS) &&
		      new_start - prev->end < STACK_GUARD_GAP)))
		goto out;
	if (!mm_may_expand(mm, (vma->start - new_start) >> PAGE_SHIFT))
		goto out;
	vma_set_range(mm, vma, new_start, vma->end);
	err = 0;
out:
	up_write(&mm->mmap_lock);
	return err;
}

int mm_handle_fault(struct mm *mm, vaddr_t addr, unsigned int flags)
{
	struct vm_area *vma;
	int err;

	might_sleep();
	if (!mm || addr >= ARCH_USER_TOP)
		return -EFAULT;
	flags &= MM_FAULT_WRITE | MM_FAULT_EXEC | MM_FAULT_USER |
		 MM_FAULT_PRESENT;
	down_read(&mm->mmap_lock);
	vma = vma_find(mm, addr);
	if (vma && vma->start > addr) {
		if (!(vma->flags & VMA_GROWSDOWN)) {
			vma = NULL;
		} else {
			up_read(&mm->mmap_lock);
			err = grow_stack(mm, addr);
			if (err)
				return err;
			down_read(&mm->mmap_lock);
			vma = vma_lookup(mm, addr);
		}
	}
	if (!vma)
		err = -EFAULT;
	else if (!access_allowed(vma, flags))
		err = -EACCES;
	else
		err = mm_fault_vma(mm, vma, addr, flags);
	up_read(&mm->mmap_lock);
	if (!err && current->task)
		current->task->min_flt++;       /* getrusage's ru_minflt */
	return err;
}

int mm_populate(struct mm *mm, vaddr_t start, vaddr_t end, bool write)
{
	vaddr_t va;
	int err;

	for (va = start; va < end; va += PAGE_SIZE) {
		struct vm_area *vma = vma_lookup(mm, va);

		if (!vma)
			return -ENOMEM;
		if (!(vma->flags & VMA_ACCESS))
			continue;
		err = mm_fault_vma(mm, vma, va, write && (vma->flags & VMA_WRITE) ?
				   MM_FAULT_WRITE : 0);
		if (err)
			return err;
	}
	return 0;
}

/* ---- access to another address space ------------------------------------------ */

/*
 * Copy between a kernel buffer and @mm a page at a time: fault the page
 * in (privately for a write), pin it with a reference, copy through the
 * direct map. Return: bytes copied; *@err says why it stopped early.
 */
static size_t mm_access(struct mm *mm, vaddr_t addr, void *buf,
			const void *src, size_t len, bool write, int *err)
{
	size_t done = 0;

	*err = 0;
	if (addr >= ARCH_USER_TOP || len > ARCH_USER_TOP - addr) {
		*err = -EFAULT;
		return 0;
	}
	down_read(&mm->mmap_lock);
	while (done < len) {
		vaddr_t va = addr + done;
		size_t off = va & (PAGE_SIZE - 1);
		size_t n = MIN(PAGE_SIZE - off, len - done);
		struct vm_area *vma = vma_lookup(mm, va);
		struct page *page;
		u8 *kaddr;

		*err = -EFAULT;
		if (!vma || (write && (vma->flags & VMA_SHARED) &&
			     !(vma->flags & VMA_WRITE)))
			break;
		*err = mm_fault_vma(mm, vma, va, FAULT_FORCE |
				    (write ? MM_FAULT_WRITE : 0));
		if (*err)
			break;
		spin_lock(&mm->pt_lock);
		page = mm_page_at(mm, va, NULL);
		if (page)
			get_page(page);
		spin_unlock(&mm->pt_lock);
		if (!page)
			continue;       /* raced with a zap: fault again */
		kaddr = (u8 *)page_address(page) + off;
		if (!write)
			memcpy((u8 *)buf + done, kaddr, n);
		else if (src)
			memcpy(kaddr, (const u8 *)src + done, n);
		else
			memset(kaddr, 0, n);
		put_page(page);
		done += n;
	}
	up_read(&mm->mmap_lock);
	return done;
}

long mm_write(struct mm *mm, vaddr_t addr, const void *src, size_t len)
{
	int err;

	might_sleep();
	mm_access(mm, addr, NULL, src, len, true, &err);
	return err;
}

long mm_read(struct mm *mm, vaddr_t addr, void *dst, size_t len)
{
	int err;

	might_sleep();
	return (long)mm_access(mm, addr, dst, NULL, len, false, &err);
}
