/*
 * Unpacking the initramfs: cpio newc archives (cpio.c parses) into the
 * root tmpfs, as Linux's init/initramfs.c does.
 *
 * Entries are created with the archive's mode, owner and mtime; a name
 * that already exists is replaced unless both are directories (then only
 * the attributes change). Hard links: entries with nlink > 1 and the same
 * (ino, dev) as an earlier one of the same archive become links to it;
 * the table is cleared at each TRAILER!!!. Names are made relative to
 * "/" ("./a", "/a" and "a" are the same); "." itself only sets the
 * root's attributes. A corrupt archive stops the unpacking with a
 * warning; everything unpacked before it stays.
 *
 * Archives compressed with gzip (inflate.c) are decompressed whole into
 * a vmalloc'd buffer first; compressed and plain archives may follow
 * each other in any order. Other compressors' magic numbers are named
 * in the warning, then treated as corruption.
 */
#include <keel/inflate.h>
#include <keel/mm.h>
#include <keel/printk.h>
#include <keel/slab.h>
#include <keel/string.h>
#include <keel/task.h>
#include <keel/vm.h>

#include "cpio.h"
#include "internal.h"

struct hardlink {
	u32 ino, major, minor;
	char *name;
	struct hardlink *next;
};

struct unpacker {
	struct hardlink *links;
	size_t count;		/* entries unpacked so far */
	int ret;		/* first entry's error */
	char path[PATH_MAX];
};

static void links_clear(struct unpacker *u)
{
	while (u->links) {
		struct hardlink *h = u->links;

		u->links = h->next;
		kfree(h->name);
		kfree(h);
	}
}

/* Resolve as root from the global root (the unpacker's view). */
static int unpack_nd(struct nameidata *nd)
{
	return nd_init_at(nd, &root_cred, NULL, NULL, 0);
}

static void set_attrs(const char *path, const struct cpio_entry *e)
{
	struct path p;
	struct nameidata nd;
	struct inode *inode;

	unpack_nd(&nd);
	mutex_lock(&vfs_ns_lock);
	if (walk_path(&nd, path, &p) == 0) {
		inode = p.dentry->d_inode;
		if (!S_ISLNK(inode->i_mode))
			inode->i_mode = (inode->i_mode & S_IFMT) |
					(e->mode & 07777);
		inode->i_uid = e->uid;
		inode->i_gid = e->gid;
		inode->i_mtime = (struct inode_time){ e->mtime, 0 };
		path_put(&p);
	}
	mutex_unlock(&vfs_ns_lock);
	nd_done(&nd);
}

/* Remove @path unless it and the new entry are both directories. */
static void clean_path(const char *path, umode_t mode)
{
	struct nameidata nd;
	struct path p;
	int err;

	unpack_nd(&nd);
	mutex_lock(&vfs_ns_lock);
	err = walk_path(&nd, path, &p);
	mutex_unlock(&vfs_ns_lock);
	nd_done(&nd);
	if (err)
		return;
	if (!(S_ISDIR(mode) && S_ISDIR(p.dentry->d_inode->i_mode))) {
		bool dir = S_ISDIR(p.dentry->d_inode->i_mode);

		unpack_nd(&nd);
		vfs_remove(&nd, path, dir);
		nd_done(&nd);
	}
	path_put(&p);
}

/* A hard link to an earlier entry? Return: 1 linked, 0 no, -errno. */
static int try_hardlink(struct unpacker *u, const struct cpio_entry *e)
{
	struct hardlink *h;
	struct nameidata nd, nd2;
	struct path old;
	int err;

	if (e->nlink < 2 || S_ISDIR(e->mode))
		return 0;
	for (h = u->links; h; h = h->next)
		if (h->ino == e->ino && h->major == e->devmajor &&
		    h->minor == e->devminor)
			break;
	if (!h) {
		h = kzalloc(sizeof(*h), GFP_KERNEL);
		if (!h)
			return -ENOMEM;
		h->name = vfs_strdup(u->path);
		if (!h->name) {
			kfree(h);
			return -ENOMEM;
		}
		h->ino = e->ino;
		h->major = e->devmajor;
		h->minor = e->devminor;
		h->next = u->links;
		u->links = h;
		return 0;
	}
	unpack_nd(&nd);
	unpack_nd(&nd2);
	mutex_lock(&vfs_ns_lock);
	err = walk_path(&nd, h->name, &old);
	if (!err) {
		err = vfs_link(&old, &nd2, u->path);
		path_put(&old);
	}
	mutex_unlock(&vfs_ns_lock);
	nd_done(&nd);
	nd_done(&nd2);
	return err ? err : 1;
}

/*
 * Write @e's data to @path: a new file, or (@linked) the file an earlier
 * link of it made (GNU cpio stores the data with the last link).
 */
static int write_file(const char *path, const struct cpio_entry *e,
		      bool linked)
{
	struct file *f;
	ssize_t n = 0;

	if (linked && !e->filesize)
		return 0;
	f = file_open_kernel(path, linked ? O_WRONLY :
			     O_WRONLY | O_CREAT | O_EXCL, 0600);
	if (IS_ERR(f))
		return (int)PTR_ERR(f);
	if (e->filesize)
		n = kernel_write(f, e->data, e->filesize, 0);
	fput(f);
	if (n < 0)
		return (int)n;
	return (size_t)n == e->filesize ? 0 : -ENOSPC;
}

static int make_symlink(const char *path, const struct cpio_entry *e)
{
	char *target;
	struct nameidata nd;
	int err;

	if (!e->filesize || e->filesize >= PATH_MAX ||
	    memchr(e->data, '\0', e->filesize))
		return -EINVAL;
	target = kmalloc(e->filesize + 1, GFP_KERNEL);
	if (!target)
		return -ENOMEM;
	memcpy(target, e->data, e->filesize);
	target[e->filesize] = '\0';
	unpack_nd(&nd);
	err = vfs_mknod_at(&nd, path, S_IFLNK | 0777, 0, target);
	nd_done(&nd);
	kfree(target);
	return err;
}

/* Create one entry (its name already in u->path). */
static int unpack_entry(struct unpacker *u, const struct cpio_entry *e)
{
	umode_t mode = e->mode;
	struct nameidata nd;
	int err;

	clean_path(u->path, mode);
	switch (mode & S_IFMT) {
	case S_IFREG:
		err = try_hardlink(u, e);
		if (err < 0)
			return err;
		err = write_file(u->path, e, err == 1);
		break;
	case S_IFDIR:
		unpack_nd(&nd);
		err = vfs_mknod_at(&nd, u->path, S_IFDIR | (mode & 07777), 0,
				   NULL);
		nd_done(&nd);
		if (err == -EEXIST)
			err = 0;
		break;
	case S_IFLNK:
		err = make_symlink(u->path, e);
		break;
	case S_IFCHR:
	case S_IFBLK:
	case S_IFIFO:
	case S_IFSOCK:
		err = try_hardlink(u, e);
		if (err)
			return err < 0 ? err : 0;
		unpack_nd(&nd);
		err = vfs_mknod_at(&nd, u->path, mode,
				   MKDEV(e->rdevmajor, e->rdevminor), NULL);
		nd_done(&nd);
		break;
	default:
		return -EINVAL;
	}
	if (!err && !S_ISLNK(mode))
		set_attrs(u->path, e);
	return err;
}

/* "./a/b", "/a/b", "a/b" -> "/a/b"; "." or "" -> "/". */
static int entry_path(struct unpacker *u, const char *name)
{
	while (name[0] == '.' && name[1] == '/')
		name += 2;
	while (*name == '/')
		name++;
	if (!strcmp(name, "."))
		name = "";
	u->path[0] = '/';
	if (strscpy(u->path + 1, name, PATH_MAX - 1) < 0)
		return -ENAMETOOLONG;
	return 0;
}

/*
 * Unpack entries from *@off in @data until a TRAILER!!! (if @one) or
 * the end. Return: 0, or -EINVAL for a corrupt archive (reported).
 */
static int unpack_cpio(struct unpacker *u, const void *data, size_t len,
		       size_t *off, bool one)
{
	struct cpio_entry e;
	int r;

	while ((r = cpio_next(data, len, off, &e)) == 1) {
		int err;

		if (!strcmp(e.name, CPIO_TRAILER)) {
			links_clear(u);
			if (one)
				return 0;
			continue;
		}
		err = entry_path(u, e.name);
		if (!err && !strcmp(u->path, "/")) {
			if (S_ISDIR(e.mode))
				set_attrs("/", &e);
			continue;
		}
		if (!err)
			err = unpack_entry(u, &e);
		if (err) {
			pr_warn("initramfs: %s: error %d\n", e.name, err);
			if (!u->ret)
				u->ret = err;
		}
		u->count++;
	}
	if (r < 0)
		pr_warn("initramfs: corrupt archive at offset %zu of %zu; "
			"keeping the %zu entries before it\n", *off, len,
			u->count);
	return r;
}

/*
 * The most a compressed archive may expand to: half the free memory
 * (its files need room in the tmpfs too), at most GUNZIP_MAX.
 */
#define GUNZIP_MAX (1UL << 30)
static size_t gunzip_limit(void)
{
	struct page_alloc_stats st;

	page_alloc_stats(&st);
	return MIN(st.free_pages / 2 * PAGE_SIZE, GUNZIP_MAX);
}

/*
 * Decompress the gzip member at @src into a vmalloc'd buffer (doubled
 * until the output fits) and unpack the archives in it; *@used is set
 * to the member's length. Return: 0, or -errno (reported).
 */
static int unpack_gzip(struct unpacker *u, const u8 *src, size_t len,
		       size_t *used)
{
	size_t limit = gunzip_limit();
	size_t cap = MIN(MAX(len * 4, 1UL << 20), limit), off = 0;
	long n;
	int r;

	for (;;) {
		void *buf = vmalloc(cap);

		if (!buf) {
			pr_warn("initramfs: no memory to decompress %zu "
				"bytes\n", cap);
			return -ENOMEM;
		}
		n = gunzip(src, len, buf, cap, used);
		if (n == -ENOSPC && cap < limit) {
			vfree(buf);
			cap = cap > limit / 2 ? limit : cap * 2;
			continue;
		}
		if (n < 0) {
			pr_warn("initramfs: %s compressed archive (error "
				"%ld); keeping the %zu entries before it\n",
				n == -ENOSPC ? "too large" : "corrupt", n,
				u->count);
			vfree(buf);
			return (int)n;
		}
		r = unpack_cpio(u, buf, (size_t)n, &off, false);
		vfree(buf);
		return r;
	}
}

/* Compressors Linux may be built with and Keel is not: named if met. */
static const struct {
	const char *name;
	u8 len, magic[4];
} unsupported[] = {
	{ "bzip2", 3, { 'B', 'Z', 'h' } },
	{ "lzma", 3, { 0x5d, 0x00, 0x00 } },
	{ "xz", 4, { 0xfd, '7', 'z', 'X' } },
	{ "lzo", 4, { 0x89, 'L', 'Z', 'O' } },
	{ "lz4", 4, { 0x02, 0x21, 0x4c, 0x18 } },
	{ "zstd", 4, { 0x28, 0xb5, 0x2f, 0xfd } },
};

/* Is the segment at @p (@len bytes) compressed in a way we cannot read? */
static bool unsupported_compression(const u8 *p, size_t len)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(unsupported); i++)
		if (len >= unsupported[i].len &&
		    !memcmp(p, unsupported[i].magic, unsupported[i].len)) {
			pr_warn("initramfs: %s compression not supported "
				"(only gzip)\n", unsupported[i].name);
			return true;
		}
	return false;
}

/**
 * initramfs_unpack - see <keel/vfs.h>.
 * Context: process context (boot), after vfs_init.
 *
 * Segments may be plain cpio archives or gzip members, mixed; zero
 * bytes between them are skipped (as Linux does). The unpacking stops at
 * the first corrupt segment.
 */
int initramfs_unpack(const void *data, size_t len)
{
	struct unpacker *u = kzalloc(sizeof(*u), GFP_KERNEL);
	const u8 *p = data;
	size_t off = 0, used;
	int ret, r = 0;

	if (!u)
		return -ENOMEM;
	while (off < len && !r) {
		if (!p[off]) {
			off++;
			continue;
		}
		if (len - off >= 2 && p[off] == GZIP_MAGIC0 &&
		    p[off + 1] == GZIP_MAGIC1) {
			used = 0;
			r = unpack_gzip(u, p + off, len - off, &used);
			off += used;
			continue;
		}
		if (unsupported_compression(p + off, len - off)) {
			r = -EINVAL;
			break;
		}
		r = unpack_cpio(u, data, len, &off, true);
	}
	ret = u->ret ? u->ret : r;
	links_clear(u);
	kfree(u);
	return ret;
}
