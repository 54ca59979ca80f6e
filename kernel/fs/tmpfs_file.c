/*
 * tmpfs regular files: the page store and read/write/seek/mmap support.
 * See tmpfs.h for the tree and its locking.
 */
#include <keel/mm.h>
#include <keel/signal.h>
#include <keel/slab.h>
#include <keel/string.h>
#include <keel/task.h>
#include <keel/uaccess.h>

#include "internal.h"
#include "tmpfs.h"

u64 tmpfs_total_pages;      /* [a] */

static u64 height_pages(unsigned int height)
{
	return height ? 1ULL << (TMPFS_FANOUT_SHIFT * height) : 0;
}

/* Grow the tree until @index fits. [pages_lock] */
static int tmpfs_grow(struct tmpfs_inode *ti, u64 index)
{
	while (index >= height_pages(ti->height)) {
		struct tmpfs_node *n;

		if (ti->height >= TMPFS_MAX_HEIGHT)
			return -EFBIG;
		n = kzalloc(sizeof(*n), GFP_KERNEL);
		if (!n)
			return -ENOMEM;
		n->slot[0] = ti->root;
		ti->root = n;
		ti->height++;
	}
	return 0;
}

/**
 * tmpfs_page - the page holding page @index of @inode, with a reference,
 * allocated (zeroed) when missing and @create.
 * Context: process context; takes pages_lock. Return: 0 (*@pagep NULL
 * for a hole when !@create), -ENOMEM or -EFBIG.
 */
int tmpfs_page(struct inode *inode, u64 index, bool create,
	       struct page **pagep)
{
	struct tmpfs_inode *ti = TMPFS_I(inode);
	void **slot;
	unsigned int level;
	int err = 0;

	*pagep = NULL;
	mutex_lock(&ti->pages_lock);
	if (index >= height_pages(ti->height)) {
		if (!create)
			goto out;
		err = tmpfs_grow(ti, index);
		if (err)
			goto out;
	}
	slot = &ti->root;
	for (level = ti->height; level > 0; level--) {
		unsigned int shift = TMPFS_FANOUT_SHIFT * (level - 1);

		if (!*slot) {
			if (!create)
				goto out;
			*slot = kzalloc(sizeof(struct tmpfs_node), GFP_KERNEL);
			if (!*slot) {
				err = -ENOMEM;
				goto out;
			}
		}
		slot = &((struct tmpfs_node *)*slot)->slot[(index >> shift) &
							  (TMPFS_FANOUT - 1)];
	}
	if (!*slot && create) {
		struct page *pg = alloc_page(GFP_KERNEL | __GFP_ZERO);

		if (!pg) {
			err = -ENOSPC;
			goto out;
		}
		*slot = pg;
		ti->nr_pages++;
		__atomic_add_fetch(&tmpfs_total_pages, 1, __ATOMIC_RELAXED);
		inode->i_blocks = ti->nr_pages * (PAGE_SIZE / 512);
	}
	if (*slot) {
		get_page(*slot);
		*pagep = *slot;
	}
out:
	mutex_unlock(&ti->pages_lock);
	return err;
}

/* Free the pages of [@first, @last) under @node at @level (covering from
 * @base). Return: whether @node is now empty. [pages_lock] */
static bool free_range(struct tmpfs_inode *ti, struct tmpfs_node *node,
		       unsigned int level, u64 base, u64 first, u64 last)
{
	u64 span = 1ULL << (TMPFS_FANOUT_SHIFT * (level - 1));
	bool empty = true;
	unsigned int i;

	for (i = 0; i < TMPFS_FANOUT; i++) {
		u64 start = base + i * span;

		if (!node->slot[i])
			continue;
		if (start + span <= first || start >= last) {
			empty = false;
			continue;
		}
		if (level == 1) {
			put_page(node->slot[i]);
			ti->nr_pages--;
			__atomic_sub_fetch(&tmpfs_total_pages, 1,
					   __ATOMIC_RELAXED);
			node->slot[i] = NULL;
		} else if (free_range(ti, node->slot[i], level - 1, start,
				      first, last)) {
			kfree(node->slot[i]);
			node->slot[i] = NULL;
		} else {
			empty = false;
		}
	}
	return empty;
}

/* Free the whole pages [@first, @last) of @inode. */
static void free_pages_range(struct inode *inode, u64 first, u64 last)
{
	struct tmpfs_inode *ti = TMPFS_I(inode);

	mutex_lock(&ti->pages_lock);
	if (ti->root && first < last &&
	    free_range(ti, ti->root, ti->height, 0, first, last)) {
		kfree(ti->root);
		ti->root = NULL;
		ti->height = 0;
	}
	inode->i_blocks = ti->nr_pages * (PAGE_SIZE / 512);
	mutex_unlock(&ti->pages_lock);
}

/* Zero bytes [@off, @off + @n) of page @index if it exists (n <= page). */
static void zero_in_page(struct inode *inode, u64 index, size_t off,
			 size_t n)
{
	struct page *pg;

	tmpfs_page(inode, index, false, &pg);
	if (pg) {
		memset((char *)page_address(pg) + off, 0, n);
		put_page(pg);
	}
}

/**
 * tmpfs_truncate_pages - drop the pages wholly past @size and zero the
 * rest of the page holding byte @size. Context: i_mutex held.
 */
void tmpfs_truncate_pages(struct inode *inode, loff_t size)
{
	u64 first = ((u64)size + PAGE_SIZE - 1) >> PAGE_SHIFT;

	free_pages_range(inode, first, ~0ULL);
	if (size & (PAGE_SIZE - 1)) {
		size_t off = (size_t)size & (PAGE_SIZE - 1);

		zero_in_page(inode, (u64)size >> PAGE_SHIFT, off,
			     PAGE_SIZE - off);
	}
}

void tmpfs_free_pages(struct inode *inode)
{
	tmpfs_truncate_pages(inode, 0);
}

/* Zero @n user bytes (reading a hole). Return: bytes NOT zeroed. */
static unsigned long clear_user_bytes(char __user *dst, size_t n)
{
	static const char zeros[256];
	size_t done = 0;

	while (done < n) {
		size_t c = MIN(n - done, sizeof(zeros));
		unsigned long left = copy_to_user(dst + done, zeros, c);

		if (left)
			return n - done - (c - left);
		done += c;
	}
	return 0;
}

/*
 * Copy between the file and a user or kernel buffer; @to_file picks the
 * direction. Return: bytes copied, or -errno if none were.
 */
static ssize_t tmpfs_copy(struct inode *inode, char *kbuf, char __user *ubuf,
			  size_t n, loff_t pos, bool to_file)
{
	size_t done = 0;

	while (done < n) {
		u64 index = (u64)(pos + done) >> PAGE_SHIFT;
		size_t off = (size_t)(pos + done) & (PAGE_SIZE - 1);
		size_t chunk = MIN(n - done, PAGE_SIZE - off);
		struct page *pg;
		char *addr;
		unsigned long left = 0;
		int err = tmpfs_page(inode, index, to_file, &pg);

		if (err)
			return done ? (ssize_t)done : err;
		addr = pg ? (char *)page_address(pg) + off : NULL;
		if (to_file && kbuf)
			memcpy(addr, kbuf + done, chunk);
		else if (to_file)
			left = copy_from_user(addr, ubuf + done, chunk);
		else if (kbuf && addr)
			memcpy(kbuf + done, addr, chunk);
		else if (kbuf)
			memset(kbuf + done, 0, chunk);
		else if (addr)
			left = copy_to_user(ubuf + done, addr, chunk);
		else
			left = clear_user_bytes(ubuf + done, chunk);
		if (pg)
			put_page(pg);
		done += chunk - left;
		if (left)
			return done ? (ssize_t)done : -EFAULT;
	}
	return (ssize_t)done;
}

static ssize_t tmpfs_do_read(struct file *f, char *kbuf, char __user *ubuf,
			     size_t n, loff_t *pos)
{
	struct inode *inode = file_inode(f);
	ssize_t ret = 0;
	loff_t size;

	if (*pos < 0)
		return -EINVAL;
	mutex_lock(&inode->i_mutex);
	size = inode->i_size;
	if (*pos < size) {
		n = MIN(n, (size_t)(size - *pos));
		ret = tmpfs_copy(inode, kbuf, ubuf, n, *pos, false);
		if (ret > 0)
			*pos += ret;
	}
	if (!(f->f_flags & O_NOATIME))
		inode->i_atime = inode_time_now();
	mutex_unlock(&inode->i_mutex);
	return ret;
}

/*
 * RLIMIT_FSIZE (Linux's generic_write_check_limits/inode_newsize_ok):
 * how many of @n bytes at @pos the caller may write (0 with SIGXFSZ sent
 * when @pos is at or past the limit).
 */
static size_t fsize_allow(loff_t pos, size_t n)
{
	u64 lim = task_rlimit(RLIMIT_FSIZE);

	if (lim == RLIM_INFINITY)
		return n;
	if ((u64)pos >= lim) {
		send_sig(SIGXFSZ, current_task());
		return 0;
	}
	return MIN(n, (size_t)(lim - (u64)pos));
}

/* May the file grow to @size? 0, or -EFBIG with SIGXFSZ sent. */
static int fsize_check(loff_t size)
{
	u64 lim = task_rlimit(RLIMIT_FSIZE);

	if (lim != RLIM_INFINITY && (u64)size > lim) {
		send_sig(SIGXFSZ, current_task());
		return -EFBIG;
	}
	return size > TMPFS_MAX_BYTES ? -EFBIG : 0;
}

/* memfd seals against writing @n bytes at @pos (Linux's shmem checks). */
static int seal_check_write(struct inode *inode, loff_t pos, size_t n)
{
	unsigned int seals = READ_ONCE(TMPFS_I(inode)->seals);

	if (seals & F_SEAL_ANY_WRITE)
		return -EPERM;
	if ((seals & F_SEAL_GROW) && pos + (loff_t)n > inode->i_size)
		return -EPERM;
	return 0;
}

static ssize_t tmpfs_do_write(struct file *f, const char *kbuf,
			      const char __user *ubuf, size_t n, loff_t *pos)
{
	struct inode *inode = file_inode(f);
	ssize_t ret;
	loff_t p;

	mutex_lock(&inode->i_mutex);
	p = (f->f_flags & O_APPEND) ? inode->i_size : *pos;
	if (p < 0 || p >= TMPFS_MAX_BYTES) {
		ret = p < 0 ? -EINVAL : -EFBIG;
		goto out;
	}
	n = MIN(n, (size_t)(TMPFS_MAX_BYTES - p));
	ret = n ? seal_check_write(inode, p, n) : 0;
	if (ret)
		goto out;
	if (n) {
		n = fsize_allow(p, n);
		if (!n) {
			ret = -EFBIG;
			goto out;
		}
	}
	ret = tmpfs_copy(inode, (char *)kbuf, (char __user *)ubuf, n, p, true);
	if (ret > 0) {
		p += ret;
		*pos = p;
		if (p > inode->i_size)
			inode->i_size = p;
		inode_touch(inode, true);
		/* A write by anyone but root clears set-id bits. */
		if ((inode->i_mode & (S_ISUID | S_ISGID)) &&
		    !cred_fs_is_root(vfs_cred()))
			inode->i_mode &= ~(umode_t)(S_ISUID |
				((inode->i_mode & S_IXGRP) ? S_ISGID : 0));
	}
out:
	mutex_unlock(&inode->i_mutex);
	return ret;
}

static ssize_t tmpfs_read(struct file *f, char __user *buf, size_t n,
			  loff_t *pos)
{
	return tmpfs_do_read(f, NULL, buf, n, pos);
}

static ssize_t tmpfs_read_kernel(struct file *f, void *buf, size_t n,
				 loff_t *pos)
{
	return tmpfs_do_read(f, buf, NULL, n, pos);
}

static ssize_t tmpfs_write(struct file *f, const char __user *buf, size_t n,
			   loff_t *pos)
{
	return tmpfs_do_write(f, NULL, buf, n, pos);
}

static ssize_t tmpfs_write_kernel(struct file *f, const void *buf, size_t n,
				  loff_t *pos)
{
	return tmpfs_do_write(f, buf, NULL, n, pos);
}

static int tmpfs_get_page(struct file *f, u64 index, struct page **pagep)
{
	int err = tmpfs_page(file_inode(f), index, true, pagep);

	return err;
}

static int tmpfs_fsync(struct file *f, bool datasync)
{
	return 0;               /* memory is the backing store */
}

static int tmpfs_setsize(struct inode *inode, loff_t size)
{
	unsigned int seals = READ_ONCE(TMPFS_I(inode)->seals);
	loff_t old = inode->i_size;
	int err;

	if (size < 0)
		return -EINVAL;
	if ((size < old && (seals & F_SEAL_SHRINK)) ||
	    (size > old && (seals & F_SEAL_GROW)))
		return -EPERM;
	if (size > old) {
		err = fsize_check(size);
		if (err)
			return err;
	}
	inode->i_size = size;
	if (size < old) {
		tmpfs_truncate_pages(inode, size);
		/* Pages wholly past the new end leave every mapping. */
		tmpfs_unmap_pages(inode, ((u64)size + PAGE_SIZE - 1) >>
				  PAGE_SHIFT, ~0ULL);
	}
	return 0;
}

/* FALLOC_FL_PUNCH_HOLE: zero [off, off + len), freeing whole pages (the
 * range may reach past EOF, where KEEP_SIZE allocations live). */
static void tmpfs_punch(struct inode *inode, loff_t off, loff_t len)
{
	loff_t end = off + len;
	u64 first = ((u64)off + PAGE_SIZE - 1) >> PAGE_SHIFT;
	u64 last = (u64)end >> PAGE_SHIFT;
	size_t po = (size_t)off & (PAGE_SIZE - 1);

	if (first > last) {     /* inside one page, touching neither edge */
		zero_in_page(inode, last, po, (size_t)len);
		return;
	}
	if (po)
		zero_in_page(inode, first - 1, po, PAGE_SIZE - po);
	if (end & (PAGE_SIZE - 1))
		zero_in_page(inode, last, 0, (size_t)end & (PAGE_SIZE - 1));
	if (first < last) {
		tmpfs_unmap_pages(inode, first, last);
		free_pages_range(inode, first, last);
	}
}

/*
 * Mode 0 and KEEP_SIZE allocate the pages of [off, off + len) (extending
 * the size unless KEEP_SIZE); PUNCH_HOLE|KEEP_SIZE frees them.
 */
static int tmpfs_fallocate(struct file *f, int mode, loff_t off, loff_t len)
{
	struct inode *inode = file_inode(f);
	u64 i, first, last;
	int err = 0;

	if (mode == (FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE)) {
		mutex_lock(&inode->i_mutex);
		if (READ_ONCE(TMPFS_I(inode)->seals) & F_SEAL_ANY_WRITE) {
			err = -EPERM;
		} else {
			tmpfs_punch(inode, off, len);
			inode_touch(inode, true);
		}
		mutex_unlock(&inode->i_mutex);
		return err;
	}
	if (mode & ~FALLOC_FL_KEEP_SIZE)
		return -EOPNOTSUPP;
	if (off + len > TMPFS_MAX_BYTES)
		return -EFBIG;
	mutex_lock(&inode->i_mutex);
	if (!(mode & FALLOC_FL_KEEP_SIZE) && off + len > inode->i_size)
		err = (READ_ONCE(TMPFS_I(inode)->seals) & F_SEAL_GROW) ?
		      -EPERM : fsize_check(off + len);
	first = (u64)off >> PAGE_SHIFT;
	last = ((u64)(off + len) - 1) >> PAGE_SHIFT;
	for (i = first; i <= last && !err; i++) {
		struct page *pg;

		err = tmpfs_page(inode, i, true, &pg);
		if (pg)
			put_page(pg);
	}
	if (!err && !(mode & FALLOC_FL_KEEP_SIZE) && off + len > inode->i_size)
		inode->i_size = off + len;
	if (!err)
		inode_touch(inode, !(mode & FALLOC_FL_KEEP_SIZE));
	mutex_unlock(&inode->i_mutex);
	return err;
}

#define NO_PAGE (~0ULL)

/*
 * The first page index >= @from under @slot (covering @base onwards at
 * @level; @from below its end) that is present (@data) or a hole.
 * Return: the index or NO_PAGE. [pages_lock]
 */
static u64 scan_pages(void *slot, unsigned int level, u64 base, u64 from,
		      bool data)
{
	struct tmpfs_node *node = slot;
	u64 span, r;
	unsigned int i;

	if (!slot)
		return data ? NO_PAGE : MAX(from, base);
	if (!level)
		return data ? MAX(from, base) : NO_PAGE;
	span = 1ULL << (TMPFS_FANOUT_SHIFT * (level - 1));
	i = from > base ? (unsigned int)((from - base) / span) : 0;
	for (; i < TMPFS_FANOUT; i++) {
		r = scan_pages(node->slot[i], level - 1, base + i * span, from,
			       data);
		if (r != NO_PAGE)
			return r;
	}
	return NO_PAGE;
}

static u64 tmpfs_seek_page(struct inode *inode, u64 from, bool data)
{
	struct tmpfs_inode *ti = TMPFS_I(inode);
	u64 r, top;

	mutex_lock(&ti->pages_lock);
	top = height_pages(ti->height);
	if (from < top)
		r = scan_pages(ti->root, ti->height, 0, from, data);
	else
		r = data ? NO_PAGE : from;
	if (r == NO_PAGE && !data)
		r = MAX(from, top);
	mutex_unlock(&ti->pages_lock);
	return r;
}

/* SEEK_DATA/SEEK_HOLE at page granularity (the store's holes). */
static loff_t tmpfs_llseek(struct file *f, loff_t off, int whence)
{
	struct inode *inode = file_inode(f);
	loff_t size = READ_ONCE(inode->i_size), np;
	u64 idx;

	if (whence != SEEK_DATA && whence != SEEK_HOLE)
		return generic_file_llseek(f, off, whence);
	if (off < 0 || off >= size)
		return -ENXIO;
	idx = tmpfs_seek_page(inode, (u64)off >> PAGE_SHIFT,
			      whence == SEEK_DATA);
	if (idx == NO_PAGE)
		return -ENXIO;
	np = (loff_t)MAX((u64)off, idx << PAGE_SHIFT);
	if (whence == SEEK_DATA && np >= size)
		return -ENXIO;
	np = MIN(np, size);
	f->f_pos = np;
	return np;
}

const struct file_operations tmpfs_file_fops = {
	.read = tmpfs_read,
	.write = tmpfs_write,
	.read_kernel = tmpfs_read_kernel,
	.write_kernel = tmpfs_write_kernel,
	.llseek = tmpfs_llseek,
	.mmap = tmpfs_mmap,
	.get_page = tmpfs_get_page,
	.fsync = tmpfs_fsync,
	.fallocate = tmpfs_fallocate,
};

const struct inode_operations tmpfs_file_iops = {
	.setsize = tmpfs_setsize,
};
