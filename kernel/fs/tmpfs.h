/*
 * tmpfs internals: the per-inode state and the page store.
 *
 * A regular file's data is a radix tree of pages, 512 slots per node,
 * `height` levels (0: empty); absent pages are holes that read as zeros.
 * The tree has its own mutex (pages_lock), taken briefly and never while
 * touching user memory: page faults on a mapping of the file (get_page)
 * take only it, so a read or write whose user buffer maps the same file
 * cannot deadlock against itself. i_mutex orders writers and size changes.
 *
 * Mappings (tmpfs_mmap.c): every VMA mapping a file is on the inode's
 * maps list (map_lock, a spinlock), so truncate and hole punching can
 * unmap the freed pages and F_ADD_SEALS can count writable mappings.
 * Order: i_mutex -> mmap_lock (truncate unmapping) and
 * mmap_lock -> map_lock (VMA open/close); map_lock is never held while
 * taking an mmap_lock.
 */
#ifndef KEEL_FS_TMPFS_H
#define KEEL_FS_TMPFS_H

#include <keel/vfs.h>

struct mm;

#define TMPFS_FANOUT_SHIFT 9
#define TMPFS_FANOUT       (1u << TMPFS_FANOUT_SHIFT)
#define TMPFS_MAX_HEIGHT   4            /* 2^36 pages: 256 TiB */
#define TMPFS_MAX_BYTES    (1LL << 46)  /* Keel's tmpfs file size limit */

struct tmpfs_node {
	void *slot[TMPFS_FANOUT];
};

struct tmpfs_inode {
	struct mutex pages_lock;
	void *root;             /* [pages_lock] top node; NULL at height 0 */
	unsigned int height;    /* [pages_lock] */
	u64 nr_pages;           /* [pages_lock] pages allocated */
	u64 next_dpos;          /* [n] directories: next entry position */
	struct spinlock map_lock;
	struct list_head maps;  /* [map_lock] struct tmpfs_map, one a VMA */
	unsigned int nr_maps;   /* [map_lock] VMAs mapping the file */
	unsigned int nr_wmaps;  /* [map_lock] shared ones that may write */
	unsigned int seals;     /* [map_lock] and [i] to change: F_SEAL_* */
};

/* memfd seals (Linux's fcntl F_ADD_SEALS/F_GET_SEALS, uapi/fcntl.h). */
#define F_ADD_SEALS          1033
#define F_GET_SEALS          1034
#define F_SEAL_SEAL          0x0001
#define F_SEAL_SHRINK        0x0002
#define F_SEAL_GROW          0x0004
#define F_SEAL_WRITE         0x0008
#define F_SEAL_FUTURE_WRITE  0x0010
#define F_SEAL_ALL           0x001f
#define F_SEAL_ANY_WRITE     (F_SEAL_WRITE | F_SEAL_FUTURE_WRITE)

static inline struct tmpfs_inode *TMPFS_I(struct inode *inode)
{
	return inode->i_private;
}

/* The page at @index, allocated if @create. NULL: a hole (or -ENOMEM). */
int tmpfs_page(struct inode *inode, u64 index, bool create,
	       struct page **pagep);
/* Free every page from byte @size on and zero the tail of the last one. */
/* Pages held by all tmpfs files ([a]): /proc/meminfo's Shmem. */
extern u64 tmpfs_total_pages;

void tmpfs_truncate_pages(struct inode *inode, loff_t size);
void tmpfs_free_pages(struct inode *inode);

extern const struct inode_operations tmpfs_file_iops;

/* ---- mappings (tmpfs_mmap.c) ---- */

/* f_op->mmap of regular files: VMAs whose faults come from the store. */
int tmpfs_mmap(struct file *file, struct vm_area *vma);
/*
 * tmpfs_unmap_pages - remove file pages [@first, @last) from every
 * address space mapping @inode (truncate, hole punch): their next access
 * faults again. Context: process context, i_mutex may be held, no mm lock.
 */
void tmpfs_unmap_pages(struct inode *inode, u64 first, u64 last);

/*
 * tmpfs_fcntl_seals - F_ADD_SEALS (@arg: the seals) and F_GET_SEALS on
 * @f. Return: the seals / 0, -EINVAL (not a tmpfs file, unknown seals),
 * -EPERM (sealed against sealing, or @f not writable), -EBUSY (a shared
 * writable mapping exists when adding F_SEAL_WRITE).
 * Context: process context; takes i_mutex.
 */
long tmpfs_fcntl_seals(struct file *f, unsigned int cmd, unsigned long arg);

/*
 * mm_zap_file_pages - the mm half (kernel/mm/msync.c): unmap file pages
 * [@first, @last) of @inode from @mm. Takes @mm's mmap_lock for writing.
 */
void mm_zap_file_pages(struct mm *mm, struct inode *inode, u64 first,
		       u64 last);

#endif /* KEEL_FS_TMPFS_H */
