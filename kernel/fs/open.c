/*
 * Opening files: open, openat, creat, openat2, and the kernel's
 * file_open_kernel / file_open_exec.
 *
 * do_open() resolves the name under vfs_ns_lock (creating the file for
 * O_CREAT, following a dangling symlink to create its target as Linux
 * does), then, with the lock dropped, checks access and calls the
 * type's open (a FIFO open may block).
 */
#include <keel/locks.h>
#include <keel/slab.h>
#include <keel/string.h>
#include <keel/syscall.h>
#include <keel/task.h>
#include <keel/uaccess.h>

#include "internal.h"

#define VALID_OPEN_FLAGS                                                  \
	(O_ACCMODE | O_CREAT | O_EXCL | O_NOCTTY | O_TRUNC | O_APPEND |   \
	 O_NONBLOCK | O_DSYNC | FASYNC | O_DIRECT | O_LARGEFILE |          \
	 O_DIRECTORY | O_NOFOLLOW | O_NOATIME | O_CLOEXEC | __O_SYNC |     \
	 O_PATH | __O_TMPFILE)

/*
 * The O_CREAT part: @nd's last component in @parent, created if absent.
 * [n] held. Return: 0 with @res set (and *@created), 1 when the name is
 * a symlink to follow (its target replaces @name in *@link), or -errno.
 */
static int open_create(struct nameidata *nd, struct path *parent, int flags,
		       umode_t mode, struct path *res, bool *created,
		       char **link)
{
	struct inode *dir = parent->dentry->d_inode;
	struct dentry *d;
	int err;

	if (nd->last_type != LAST_NORM || nd->trailing_slash)
		return -EISDIR;
	d = lookup_last(nd, parent);
	if (IS_ERR(d))
		return PTR_ERR(d);
	if (d->d_inode) {
		struct inode *inode = d->d_inode;

		if (flags & O_EXCL) {
			dput(d);
			return -EEXIST;
		}
		if (S_ISLNK(inode->i_mode) && !(flags & O_NOFOLLOW)) {
			/* A magic link (/proc/self/fd/N) opens its object. */
			err = follow_magic_link(nd, inode, res);
			if (err <= 0) {
				dput(d);
				return err;
			}
			if (++nd->nlinks > MAXSYMLINKS || !inode->i_link) {
				dput(d);
				return -ELOOP;
			}
			*link = vfs_strdup(inode->i_link);
			dput(d);
			return *link ? 1 : -ENOMEM;
		}
		res->mnt = mnt_get(parent->mnt);
		res->dentry = d;
		follow_mounts(res);
		return 0;
	}
	err = path_is_readonly(parent) ? -EROFS :
		inode_permission(nd->cred, dir, MAY_WRITE | MAY_EXEC);
	if (!err && !dir->i_op->create)
		err = -EACCES;
	if (!err)
		err = dir->i_op->create(dir, d, S_IFREG | (mode & 07777 &
					~current_umask()), 0);
	if (err) {
		dput(d);
		return err;
	}
	*created = true;
	res->mnt = mnt_get(parent->mnt);
	res->dentry = d;
	return 0;
}

/* Resolve (and maybe create) the file to open. [n] taken here. */
static int open_lookup(struct nameidata *nd, const char *name, int flags,
		       umode_t mode, struct path *res, bool *created)
{
	char *link = NULL, *cur = (char *)name;
	int err;

	mutex_lock(&vfs_ns_lock);
	if (!(flags & O_CREAT)) {
		nd->flags |= (flags & O_NOFOLLOW) ? 0 : LOOKUP_FOLLOW;
		if (flags & O_DIRECTORY)
			nd->flags |= LOOKUP_DIRECTORY;
		err = walk_path(nd, name, res);
		mutex_unlock(&vfs_ns_lock);
		return err;
	}
	for (;;) {
		struct path parent;

		err = walk_parent(nd, cur, &parent);
		if (err)
			break;
		err = open_create(nd, &parent, flags, mode, res, created,
				  &link);
		if (err == 1) {
			/* Continue from the link's directory with its target. */
			path_put(&nd->start);
			nd->start = parent;
			if (cur != name)
				kfree(cur);
			cur = link;
			continue;
		}
		path_put(&parent);
		break;
	}
	mutex_unlock(&vfs_ns_lock);
	if (cur != name)
		kfree(cur);
	return err;
}

/* Access checks and O_TRUNC for an existing file. */
static int open_check(struct nameidata *nd, struct path *p, int flags)
{
	struct inode *inode = p->dentry->d_inode;
	unsigned int fmode = open_flags_to_fmode(flags);
	int mask = 0, err;

	if (S_ISLNK(inode->i_mode))
		return -ELOOP;
	if ((flags & O_DIRECTORY) && !S_ISDIR(inode->i_mode))
		return -ENOTDIR;
	if ((flags & O_ACCMODE) == 3)
		mask = MAY_READ | MAY_WRITE;
	if (fmode & FMODE_READ)
		mask |= MAY_READ;
	if ((fmode & FMODE_WRITE) || (flags & O_TRUNC))
		mask |= MAY_WRITE;
	if (S_ISDIR(inode->i_mode) && ((mask & MAY_WRITE) ||
					(flags & O_CREAT)))
		return -EISDIR;
	err = inode_permission(nd->cred, inode, mask);
	if (err)
		return err;
	if ((mask & MAY_WRITE) && path_is_readonly(p) &&
	    (S_ISREG(inode->i_mode) || S_ISDIR(inode->i_mode) ||
	     S_ISLNK(inode->i_mode)))
		return -EROFS;
	if (S_ISREG(inode->i_mode)) {
		err = lease_break(inode, flags);        /* kernel/fs/leases.c */
		if (err)
			return err;
	}
	if ((flags & O_TRUNC) && S_ISREG(inode->i_mode))
		return vfs_truncate_inode(inode, 0);
	return 0;
}

/*
 * O_TMPFILE: an unnamed regular file in the directory @name (Linux's
 * do_tmpfile). Writable access is required; O_EXCL keeps it unnamed.
 */
static struct file *open_tmpfile(struct nameidata *nd, const char *name,
				 int flags, umode_t mode)
{
	struct path dir, p;
	struct file *f;
	int err;

	if ((flags & (__O_TMPFILE | O_DIRECTORY | O_CREAT)) != O_TMPFILE)
		return ERR_PTR(-EINVAL);
	if ((flags & O_ACCMODE) == O_RDONLY || (flags & O_PATH))
		return ERR_PTR(-EINVAL);
	mutex_lock(&vfs_ns_lock);
	nd->flags |= LOOKUP_FOLLOW | LOOKUP_DIRECTORY;
	err = walk_path(nd, name, &dir);
	if (err) {
		mutex_unlock(&vfs_ns_lock);
		return ERR_PTR(err);
	}
	err = path_is_readonly(&dir) ? -EROFS :
	      inode_permission(nd->cred, dir.dentry->d_inode,
			       MAY_WRITE | MAY_EXEC);
	if (!err && dir_is_dead(dir.dentry->d_inode))
		err = -ENOENT;
	if (!err)
		err = tmpfs_tmpfile(&dir, mode & 07777 & ~current_umask(),
				    !(flags & O_EXCL), &p);
	mutex_unlock(&vfs_ns_lock);
	path_put(&dir);
	if (err)
		return ERR_PTR(err);
	f = vfs_open_path(&p, flags & ~(__O_TMPFILE | O_DIRECTORY | O_EXCL));
	path_put(&p);
	return f;
}

/**
 * do_open - open @name for @nd as @flags (O_*), creating with @mode.
 * Context: process context, may sleep. Return: the file or ERR_PTR.
 */
struct file *do_open(struct nameidata *nd, const char *name, int flags,
		     umode_t mode)
{
	struct path p;
	bool created = false;
	struct file *f;
	int err;

	if (flags & __O_TMPFILE)
		return open_tmpfile(nd, name, flags, mode);
	if (flags & O_PATH)
		flags &= O_PATH | O_CLOEXEC | O_DIRECTORY | O_NOFOLLOW;
	err = open_lookup(nd, name, flags, mode, &p, &created);
	if (err)
		return ERR_PTR(err);
	if (flags & O_PATH) {
		if ((flags & O_DIRECTORY) &&
		    !S_ISDIR(p.dentry->d_inode->i_mode))
			err = -ENOTDIR;
	} else if (!created) {
		err = open_check(nd, &p, flags);
	}
	f = err ? ERR_PTR(err) : vfs_open_path(&p, flags);
	path_put(&p);
	return f;
}

static long do_sys_open(int dirfd, const char __user *upath, int flags,
		 umode_t mode)
{
	struct nameidata nd;
	struct file *f;
	char *name;
	long fd;

	if (!(flags & (O_CREAT | __O_TMPFILE)))
		mode = 0;
	name = getname(upath);
	if (IS_ERR(name))
		return PTR_ERR(name);
	fd = nd_init(&nd, dirfd, name, 0);
	if (fd) {
		putname(name);
		return fd;
	}
	f = do_open(&nd, name, flags, mode);
	nd_done(&nd);
	putname(name);
	if (IS_ERR(f))
		return PTR_ERR(f);
	fd = fd_install_new(f, flags);
	if (fd < 0)
		fput(f);
	return fd;
}

SYSCALL_DEFINE3(open, const char *, pathname, int, flags, umode_t, mode)
{
	return do_sys_open(AT_FDCWD, pathname, flags | O_LARGEFILE, mode);
}

SYSCALL_DEFINE4(openat, int, dirfd, const char *, pathname, int, flags,
		umode_t, mode)
{
	return do_sys_open(dirfd, pathname, flags | O_LARGEFILE, mode);
}

SYSCALL_DEFINE2(creat, const char *, pathname, umode_t, mode)
{
	return do_sys_open(AT_FDCWD, pathname,
			   O_CREAT | O_WRONLY | O_TRUNC | O_LARGEFILE, mode);
}

/* Copy an extensible struct: unknown trailing bytes must be zero. */
static long copy_struct_from_user(void *dst, size_t ksize,
				  const void __user *src, size_t usize)
{
	size_t i;

	memset(dst, 0, ksize);
	if (usize > ksize) {
		for (i = ksize; i < usize; i++) {
			u8 c;

			if (get_user(c, (const u8 __user *)src + i))
				return -EFAULT;
			if (c)
				return -E2BIG;
		}
	}
	if (copy_from_user(dst, src, MIN(ksize, usize)))
		return -EFAULT;
	return 0;
}

SYSCALL_DEFINE4(openat2, int, dirfd, const char *, pathname,
		struct open_how *, uhow, size_t, size)
{
	struct open_how how;
	struct nameidata nd;
	unsigned int lf = 0;
	struct file *f;
	char *name;
	long err;

	if (size < OPEN_HOW_SIZE_VER0)
		return -EINVAL;
	if (size > 4096)  /* Linux: PAGE_SIZE */
		return -E2BIG;
	err = copy_struct_from_user(&how, sizeof(how), uhow, size);
	if (err)
		return err;
	if (how.flags & ~(unsigned long long)VALID_OPEN_FLAGS)
		return -EINVAL;
	if (how.resolve & ~0x3fULL)
		return -EINVAL;
	if (how.mode & ~07777ULL)
		return -EINVAL;
	if (how.mode && !(how.flags & (O_CREAT | __O_TMPFILE)))
		return -EINVAL;
	if ((how.resolve & RESOLVE_BENEATH) && (how.resolve & RESOLVE_IN_ROOT))
		return -EINVAL;
	if (how.resolve & RESOLVE_CACHED)
		return -EAGAIN;         /* Linux: only with O_PATH-free lookups
					   that need no I/O; never promised */
	if (how.resolve & RESOLVE_NO_SYMLINKS)
		lf |= LOOKUP_NO_SYMLINKS;
	if (how.resolve & RESOLVE_BENEATH)
		lf |= LOOKUP_BENEATH;
	if (how.resolve & RESOLVE_IN_ROOT)
		lf |= LOOKUP_IN_ROOT;
	if (how.resolve & RESOLVE_NO_XDEV)
		lf |= LOOKUP_NO_XDEV;
	name = getname(pathname);
	if (IS_ERR(name))
		return PTR_ERR(name);
	err = nd_init(&nd, dirfd, name, lf);
	if (err) {
		putname(name);
		return err;
	}
	f = do_open(&nd, name, (int)how.flags, (umode_t)how.mode);
	nd_done(&nd);
	putname(name);
	if (IS_ERR(f))
		return PTR_ERR(f);
	err = fd_install_new(f, (int)how.flags);
	if (err < 0)
		fput(f);
	return err;
}

/**
 * file_open_kernel - open @path (a kernel string, relative to the
 * caller's cwd) as @flags. Context: process context (kthreads: root
 * credentials, global root). Return: the file or ERR_PTR.
 */
struct file *file_open_kernel(const char *path, int flags, umode_t mode)
{
	struct nameidata nd;
	struct file *f;
	int err;

	if (strlen(path) >= PATH_MAX)
		return ERR_PTR(-ENAMETOOLONG);
	err = nd_init(&nd, AT_FDCWD, path, 0);
	if (err)
		return ERR_PTR(err);
	f = do_open(&nd, path, flags, mode);
	nd_done(&nd);
	return f;
}

/* The exec checks on an open candidate. */
static int exec_check(const struct path *p, struct inode *inode)
{
	if (!S_ISREG(inode->i_mode))
		return -EACCES;
	if (p->mnt->mnt_flags & MNT_NOEXEC)
		return -EACCES;
	return inode_permission(vfs_cred(), inode, MAY_EXEC);
}

/**
 * file_open_exec - open a program for execve/execveat (see vfs.h).
 * Context: process context. Return: the file or ERR_PTR.
 */
struct file *file_open_exec(int dirfd, const char *path, int at_flags)
{
	struct nameidata nd;
	struct path p;
	struct file *f;
	int err;

	if (at_flags & ~(AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW))
		return ERR_PTR(-EINVAL);
	if (!*path && (at_flags & AT_EMPTY_PATH)) {
		struct file *src = fget(dirfd);

		if (!src)
			return ERR_PTR(-EBADF);
		p = src->f_path;
		path_get(&p);
		fput(src);
	} else {
		err = nd_init(&nd, dirfd, path,
			      (at_flags & AT_SYMLINK_NOFOLLOW) ? 0 :
			      LOOKUP_FOLLOW);
		if (err)
			return ERR_PTR(err);
		mutex_lock(&vfs_ns_lock);
		err = walk_path(&nd, path, &p);
		mutex_unlock(&vfs_ns_lock);
		nd_done(&nd);
		if (err)
			return ERR_PTR(err);
		if (S_ISLNK(p.dentry->d_inode->i_mode)) {
			path_put(&p);
			return ERR_PTR(-ELOOP);
		}
	}
	err = exec_check(&p, p.dentry->d_inode);
	/* Linux's deny_write_access: not while someone may write it. */
	if (!err && ref_read(&p.dentry->d_inode->i_writecount) > 0)
		err = -ETXTBSY;
	f = err ? ERR_PTR(err) : vfs_open_path(&p, O_RDONLY);
	if (!IS_ERR(f))
		f->f_mode |= FMODE_EXEC;
	path_put(&p);
	return f;
}

int file_exec_attrs(struct file *f, mode_t *mode, uid_t *uid, gid_t *gid,
		    bool *nosuid)
{
	struct inode *inode = file_inode(f);

	*mode = inode->i_mode;
	*uid = inode->i_uid;
	*gid = inode->i_gid;
	*nosuid = !!(f->f_path.mnt->mnt_flags & MNT_NOSUID);
	return 0;
}
