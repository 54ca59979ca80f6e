/*
 * Memory mappings of tmpfs regular files, and memfd seals (which depend
 * on the count of writable shared mappings).
 *
 * A mapping maps the file's own pages (tmpfs_page), so MAP_SHARED writes
 * are the file's contents and read()/write() see them at once; a
 * MAP_PRIVATE mapping maps the same pages read-only and copies one on the
 * first write (the mm's fault path). A page wholly beyond EOF raises
 * SIGBUS (-EIO from the fault).
 *
 * Each VMA mapping the file has a struct tmpfs_map on the inode's list,
 * so that truncate and hole punching can take the freed pages out of
 * every address space (Linux's unmap_mapping_range): without that a
 * shrunk file's old pages would stay visible through existing mappings.
 * Lock order: mmap_lock -> map_lock (open/close run under mmap_lock);
 * tmpfs_unmap_pages drops map_lock before it takes any mmap_lock.
 * Seals change under i_mutex and map_lock; tmpfs_mmap checks them under
 * map_lock, writers and size changes under i_mutex.
 */
#include <keel/mm.h>
#include <keel/mm_space.h>
#include <keel/slab.h>

#include "internal.h"
#include "tmpfs.h"

struct tmpfs_map {
	struct list_head link;          /* [map_lock] in tmpfs_inode.maps */
	struct vm_area *vma;            /* [I] */
	bool writable;                  /* [I] counted in nr_wmaps */
};

/* Linux's i_mmap_writable: a shared mapping that may become writable. */
static bool vma_may_write_file(const struct vm_area *vma)
{
	return (vma->flags & VMA_SHARED) && (vma->flags & VMA_MAYWRITE);
}

/* Put @m (for @vma) on the inode's list. [map_lock] */
static void map_insert(struct tmpfs_inode *ti, struct vm_area *vma,
		       struct tmpfs_map *m)
{
	vma->private = m;
	m->vma = vma;
	m->writable = vma_may_write_file(vma);
	list_add_tail(&m->link, &ti->maps);
	ti->nr_maps++;
	ti->nr_wmaps += m->writable;
}

static void map_track(struct vm_area *vma)
{
	struct tmpfs_inode *ti = TMPFS_I(file_inode(vma->file));
	struct tmpfs_map *m = kmalloc(sizeof(*m), GFP_KERNEL);

	/* Without memory the VMA is merely not unmapped on truncate (nor
	 * counted against F_SEAL_WRITE): open cannot fail. */
	vma->private = NULL;
	if (!m)
		return;
	spin_lock(&ti->map_lock);
	map_insert(ti, vma, m);
	spin_unlock(&ti->map_lock);
}

/* A VMA copied from another (split, fork, mremap) needs its own entry. */
static void tmpfs_vm_open(struct vm_area *vma)
{
	map_track(vma);
}

static void tmpfs_vm_close(struct vm_area *vma)
{
	struct tmpfs_inode *ti = TMPFS_I(file_inode(vma->file));
	struct tmpfs_map *m = vma->private;

	if (!m)
		return;
	spin_lock(&ti->map_lock);
	list_del(&m->link);
	ti->nr_maps--;
	ti->nr_wmaps -= m->writable;
	spin_unlock(&ti->map_lock);
	kfree(m);
	vma->private = NULL;
}

static int tmpfs_vm_fault(struct vm_area *vma, u64 pgoff, struct page **out)
{
	struct inode *inode = file_inode(vma->file);
	loff_t size = READ_ONCE(inode->i_size);

	if (pgoff >= ((u64)size + PAGE_SIZE - 1) >> PAGE_SHIFT)
		return -EIO;
	return tmpfs_page(inode, pgoff, true, out);
}

static bool tmpfs_vm_resident(struct vm_area *vma, u64 pgoff)
{
	struct page *pg;

	tmpfs_page(file_inode(vma->file), pgoff, false, &pg);
	if (!pg)
		return false;
	put_page(pg);
	return true;
}

static const struct vm_ops tmpfs_vm_ops = {
	.fault = tmpfs_vm_fault,
	.open = tmpfs_vm_open,
	.close = tmpfs_vm_close,
	.resident = tmpfs_vm_resident,
};

/**
 * tmpfs_mmap - set up @vma to map @file (a tmpfs regular file).
 * Context: process context, mmap_lock held for writing.
 * Return: 0, -ENOMEM, or -EPERM for a shared writable mapping of a file sealed
 * against writing.
 */
int tmpfs_mmap(struct file *file, struct vm_area *vma)
{
	struct tmpfs_inode *ti = TMPFS_I(file_inode(file));
	struct tmpfs_map *m = kmalloc(sizeof(*m), GFP_KERNEL);

	if (!m)
		return -ENOMEM;
	/* One map_lock section with the insertion: F_ADD_SEALS checks the
	 * writable count under it, so a seal and a new writable mapping
	 * cannot both succeed. */
	spin_lock(&ti->map_lock);
	if ((ti->seals & F_SEAL_ANY_WRITE) && (vma->flags & VMA_SHARED)) {
		if (vma->flags & VMA_WRITE) {
			spin_unlock(&ti->map_lock);
			kfree(m);
			return -EPERM;
		}
		/* Nor may mprotect make it writable later. */
		vma->flags &= ~VMA_MAYWRITE;
	}
	map_insert(ti, vma, m);
	spin_unlock(&ti->map_lock);
	vma->ops = &tmpfs_vm_ops;
	return 0;
}

long tmpfs_fcntl_seals(struct file *f, unsigned int cmd, unsigned long arg)
{
	struct inode *inode = file_inode(f);
	struct tmpfs_inode *ti;
	long err = 0;

	if (inode->i_fop != &tmpfs_file_fops)
		return -EINVAL;
	ti = TMPFS_I(inode);
	if (cmd == F_GET_SEALS)
		return READ_ONCE(ti->seals);
	if (arg > 0xffffffffUL)
		return -EINVAL;
	if (!(f->f_mode & FMODE_WRITE))
		return -EPERM;
	if (arg & ~(unsigned long)F_SEAL_ALL)
		return -EINVAL;
	mutex_lock(&inode->i_mutex);
	spin_lock(&ti->map_lock);
	if (ti->seals & F_SEAL_SEAL)
		err = -EPERM;
	else if ((arg & F_SEAL_WRITE) && !(ti->seals & F_SEAL_WRITE) &&
		 ti->nr_wmaps)
		err = -EBUSY;
	else
		ti->seals |= (unsigned int)arg;
	spin_unlock(&ti->map_lock);
	mutex_unlock(&inode->i_mutex);
	return err;
}

/* A reference to @mm unless its last one is already gone (teardown). */
static bool mm_get_live(struct mm *mm)
{
	int c = __atomic_load_n(&mm->refcount, __ATOMIC_RELAXED);

	while (c > 0) {
		if (__atomic_compare_exchange_n(&mm->refcount, &c, c + 1, false,
						__ATOMIC_ACQ_REL,
						__ATOMIC_RELAXED))
			return true;
	}
	return false;
}

/*
 * Collect a reference to each distinct address space mapping @ti into
 * @mms (room for @cap). Return: how many, or -1 when @cap is too small.
 */
static int collect_mms(struct tmpfs_inode *ti, struct mm **mms, int cap)
{
	struct tmpfs_map *m;
	int n = 0, i;

	spin_lock(&ti->map_lock);
	if ((int)ti->nr_maps > cap) {
		spin_unlock(&ti->map_lock);
		return -1;
	}
	list_for_each_entry(m, &ti->maps, link) {
		struct mm *mm = m->vma->mm;

		for (i = 0; i < n && mms[i] != mm; i++)
			;
		if (i == n && mm_get_live(mm))
			mms[n++] = mm;
	}
	spin_unlock(&ti->map_lock);
	return n;
}

void tmpfs_unmap_pages(struct inode *inode, u64 first, u64 last)
{
	struct tmpfs_inode *ti = TMPFS_I(inode);
	struct mm **mms;
	int cap, n, i;

	for (;;) {
		cap = (int)READ_ONCE(ti->nr_maps);
		if (!cap)
			return;
		cap += 4;
		mms = kmalloc(cap * sizeof(*mms), GFP_KERNEL);
		if (!mms)
			return;         /* stale pages stay mapped: no crash */
		n = collect_mms(ti, mms, cap);
		if (n >= 0)
			break;
		kfree(mms);
	}
	for (i = 0; i < n; i++) {
		mm_zap_file_pages(mms[i], inode, first, last);
		mm_put(mms[i]);
	}
	kfree(mms);
}
