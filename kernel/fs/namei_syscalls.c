/*
 * Namespace changes: mknod, mkdir, symlink, link, unlink, rmdir, rename
 * (and their *at forms), and readlink. Each resolves the parent
 * directory and the last component under vfs_ns_lock, checks Linux's
 * rules (permissions, sticky directories, read-only mounts, mount points,
 * types) and calls the file system's inode operation.
 */
#include <keel/slab.h>
#include <keel/string.h>
#include <keel/syscall.h>
#include <keel/task.h>
#include <keel/uaccess.h>

#include "internal.h"

/* May @nd's caller add or remove entries in @parent? */
static int may_modify_dir(struct nameidata *nd, struct path *parent)
{
	if (path_is_readonly(parent))
		return -EROFS;
	return inode_permission(nd->cred, parent->dentry->d_inode,
				MAY_WRITE | MAY_EXEC);
}

/* Create @d in @dir: a directory, a symlink to @target, or a node. */
static int do_create(struct inode *dir, struct dentry *d, umode_t mode,
		     dev_t rdev, const char *target)
{
	const struct inode_operations *op = dir->i_op;

	if (S_ISDIR(mode))
		return op && op->mkdir ? op->mkdir(dir, d, mode) : -EPERM;
	if (S_ISLNK(mode))
		return op && op->symlink ? op->symlink(dir, d, target) : -EPERM;
	return op && op->create ? op->create(dir, d, mode, rdev) : -EPERM;
}

/**
 * vfs_mknod_at - create @path (relative to @nd) of @mode (with its type;
 * no umask applied here), a device @rdev or symlink to @target.
 * Context: process context; takes vfs_ns_lock. Return: 0 or -errno.
 */
int vfs_mknod_at(struct nameidata *nd, const char *path, umode_t mode,
		 dev_t rdev, const char *target)
{
	struct path parent;
	struct dentry *d;
	int err;

	mutex_lock(&vfs_ns_lock);
	err = walk_parent(nd, path, &parent);
	if (err)
		goto out;
	if (nd->last_type != LAST_NORM) {
		err = -EEXIST;
		goto out_parent;
	}
	d = lookup_last(nd, &parent);
	if (IS_ERR(d)) {
		err = PTR_ERR(d);
		goto out_parent;
	}
	if (d->d_inode)
		err = -EEXIST;
	else if (nd->trailing_slash && !S_ISDIR(mode))
		err = -ENOENT;
	else
		err = may_modify_dir(nd, &parent);
	if (!err)
		err = do_create(parent.dentry->d_inode, d, mode, rdev, target);
	dput(d);
out_parent:
	path_put(&parent);
out:
	mutex_unlock(&vfs_ns_lock);
	return err;
}

/* The *at create calls: copy the name, set up the lookup, create. */
static long create_at(int dirfd, const char __user *upath, umode_t mode,
		      dev_t rdev, const char *target)
{
	struct nameidata nd;
	char *name = getname(upath);
	long err;

	if (IS_ERR(name))
		return PTR_ERR(name);
	err = nd_init(&nd, dirfd, name, 0);
	if (!err) {
		err = vfs_mknod_at(&nd, name, mode, rdev, target);
		nd_done(&nd);
	}
	putname(name);
	return err;
}

static long do_mknodat(int dirfd, const char __user *path, umode_t mode,
		       unsigned int dev)
{
	umode_t type = mode & S_IFMT;

	switch (type) {
	case 0:
		type = S_IFREG;
		break;
	case S_IFREG:
	case S_IFIFO:
	case S_IFSOCK:
		break;
	case S_IFCHR:
	case S_IFBLK:
		if (!cred_is_root(vfs_cred()))
			return -EPERM;
		break;
	case S_IFDIR:
		return -EPERM;
	default:
		return -EINVAL;
	}
	mode = type | (mode & 07777 & ~current_umask());
	return create_at(dirfd, path, mode,
			 (S_ISCHR(type) || S_ISBLK(type)) ? dev_decode(dev) : 0,
			 NULL);
}

SYSCALL_DEFINE4(mknodat, int, dirfd, const char *, pathname, umode_t, mode,
		unsigned int, dev)
{
	return do_mknodat(dirfd, pathname, mode, dev);
}

SYSCALL_DEFINE3(mknod, const char *, pathname, umode_t, mode,
		unsigned int, dev)
{
	return do_mknodat(AT_FDCWD, pathname, mode, dev);
}

SYSCALL_DEFINE3(mkdirat, int, dirfd, const char *, pathname, umode_t, mode)
{
	return create_at(dirfd, pathname,
			 S_IFDIR | (mode & 01777 & ~current_umask()), 0, NULL);
}

SYSCALL_DEFINE2(mkdir, const char *, pathname, umode_t, mode)
{
	return create_at(AT_FDCWD, pathname,
			 S_IFDIR | (mode & 01777 & ~current_umask()), 0, NULL);
}

static long do_symlinkat(const char __user *utarget, int dirfd,
			 const char __user *linkpath)
{
	char *target = getname(utarget);
	long err;

	if (IS_ERR(target))
		return PTR_ERR(target);
	err = create_at(dirfd, linkpath, S_IFLNK | 0777, 0, target);
	putname(target);
	return err;
}

SYSCALL_DEFINE3(symlinkat, const char *, target, int, newdirfd,
		const char *, linkpath)
{
	return do_symlinkat(target, newdirfd, linkpath);
}

SYSCALL_DEFINE2(symlink, const char *, target, const char *, linkpath)
{
	return do_symlinkat(target, AT_FDCWD, linkpath);
}

/* unlink (@rmdir false) or rmdir of @nd's last component in @parent. */
static int remove_entry(struct nameidata *nd, struct path *parent,
			bool rmdir)
{
	struct inode *dir = parent->dentry->d_inode;
	struct dentry *d;
	int err;

	if (nd->last_type != LAST_NORM) {
		if (!rmdir)
			return nd->last_type == LAST_ROOT ? -EBUSY : -EISDIR;
		return nd->last_type == LAST_DOT ? -EINVAL :
		       nd->last_type == LAST_DOTDOT ? -ENOTEMPTY : -EBUSY;
	}
	d = lookup_last(nd, parent);
	if (IS_ERR(d))
		return PTR_ERR(d);
	err = -ENOENT;
	if (!d->d_inode)
		goto out;
	err = may_modify_dir(nd, parent);
	if (!err)
		err = may_delete_sticky(nd->cred, dir, d->d_inode);
	if (err)
		goto out;
	if (rmdir) {
		err = !S_ISDIR(d->d_inode->i_mode) ? -ENOTDIR :
		      d->d_mounted ? -EBUSY :
		      dir->i_op->rmdir ? dir->i_op->rmdir(dir, d) : -EPERM;
	} else {
		err = S_ISDIR(d->d_inode->i_mode) ? -EISDIR :
		      nd->trailing_slash ? -ENOTDIR :
		      dir->i_op->unlink ? dir->i_op->unlink(dir, d) : -EPERM;
	}
	if (!err)
		d_delete(d);
out:
	dput(d);
	return err;
}

/**
 * vfs_remove - unlink (or rmdir) @name relative to @nd.
 * Context: process context; takes vfs_ns_lock. Return: 0 or -errno.
 */
int vfs_remove(struct nameidata *nd, const char *name, bool rmdir)
{
	struct path parent;
	int err;

	mutex_lock(&vfs_ns_lock);
	err = walk_parent(nd, name, &parent);
	if (!err) {
		err = remove_entry(nd, &parent, rmdir);
		path_put(&parent);
	}
	mutex_unlock(&vfs_ns_lock);
	return err;
}

static long do_remove(int dirfd, const char __user *upath, bool rmdir)
{
	struct nameidata nd;
	char *name = getname(upath);
	long err;

	if (IS_ERR(name))
		return PTR_ERR(name);
	err = nd_init(&nd, dirfd, name, 0);
	if (!err) {
		err = vfs_remove(&nd, name, rmdir);
		nd_done(&nd);
	}
	putname(name);
	return err;
}

SYSCALL_DEFINE1(unlink, const char *, pathname)
{
	return do_remove(AT_FDCWD, pathname, false);
}

SYSCALL_DEFINE1(rmdir, const char *, pathname)
{
	return do_remove(AT_FDCWD, pathname, true);
}

SYSCALL_DEFINE3(unlinkat, int, dirfd, const char *, pathname, int, flags)
{
	if (flags & ~AT_REMOVEDIR)
		return -EINVAL;
	return do_remove(dirfd, pathname, flags & AT_REMOVEDIR);
}

/* Resolve an existing object (for link's source, readlink). [n] held. */
static long lookup_existing(int dirfd, const char *name, unsigned int lf,
			    struct path *res, struct nameidata *nd)
{
	long err = nd_init(nd, dirfd, name, lf);

	if (err)
		return err;
	err = walk_path(nd, name, res);
	nd_done(nd);
	return err;
}

/**
 * vfs_link - make @nname (relative to @nnd) a new link to @old.
 * Context: vfs_ns_lock held. Return: 0 or -errno.
 */
int vfs_link(const struct path *old, struct nameidata *nnd,
	     const char *nname)
{
	struct path parent;
	struct dentry *d;
	int err = walk_parent(nnd, nname, &parent);

	if (err)
		return err;
	d = ERR_PTR(-EEXIST);
	if (nnd->last_type == LAST_NORM)
		d = lookup_last(nnd, &parent);
	err = IS_ERR(d) ? PTR_ERR(d) : 0;
	if (!err) {
		struct inode *dir = parent.dentry->d_inode;

		err = d->d_inode ? -EEXIST :
		      old->mnt != parent.mnt ? -EXDEV :
		      S_ISDIR(old->dentry->d_inode->i_mode) ? -EPERM :
		      may_modify_dir(nnd, &parent);
		/* A removed file stays nameless, except an O_TMPFILE one
		 * opened without O_EXCL (Linux's I_LINKABLE). */
		if (!err && !old->dentry->d_inode->i_nlink &&
		    !(old->dentry->d_inode->i_flags & S_LINKABLE_I))
			err = -ENOENT;
		if (!err)
			err = dir->i_op->link ?
			      dir->i_op->link(old->dentry, dir, d) : -EPERM;
		if (!err)
			old->dentry->d_inode->i_flags &= ~S_LINKABLE_I;
		dput(d);
	}
	path_put(&parent);
	return err;
}

static long do_linkat(int olddirfd, const char __user *uold, int newdirfd,
		      const char __user *unew, int flags)
{
	struct nameidata nd, nd2;
	struct path old;
	char *oname, *nname;
	long err;

	if (flags & ~(AT_SYMLINK_FOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	oname = getname_flags(uold, flags & AT_EMPTY_PATH);
	if (IS_ERR(oname))
		return PTR_ERR(oname);
	nname = getname(unew);
	if (IS_ERR(nname)) {
		putname(oname);
		return PTR_ERR(nname);
	}
	mutex_lock(&vfs_ns_lock);
	err = lookup_existing(olddirfd, oname,
			      ((flags & AT_SYMLINK_FOLLOW) ? LOOKUP_FOLLOW : 0) |
			      ((flags & AT_EMPTY_PATH) ? LOOKUP_EMPTY : 0),
			      &old, &nd);
	if (err)
		goto out;
	err = nd_init(&nd2, newdirfd, nname, 0);
	if (err)
		goto out_old;
	err = vfs_link(&old, &nd2, nname);
	nd_done(&nd2);
out_old:
	path_put(&old);
out:
	mutex_unlock(&vfs_ns_lock);
	putname(oname);
	putname(nname);
	return err;
}

SYSCALL_DEFINE5(linkat, int, olddirfd, const char *, oldpath, int, newdirfd,
		const char *, newpath, int, flags)
{
	return do_linkat(olddirfd, oldpath, newdirfd, newpath, flags);
}

SYSCALL_DEFINE2(link, const char *, oldpath, const char *, newpath)
{
	return do_linkat(AT_FDCWD, oldpath, AT_FDCWD, newpath, 0);
}

static long do_readlinkat(int dirfd, const char __user *upath,
			  char __user *ubuf, int bufsiz)
{
	struct nameidata nd;
	struct path p;
	char *name, *buf;
	long err;

	if (bufsiz <= 0)
		return -EINVAL;
	name = getname_flags(upath, true);
	if (IS_ERR(name))
		return PTR_ERR(name);
	buf = kmalloc(PATH_MAX, GFP_KERNEL);
	if (!buf) {
		putname(name);
		return -ENOMEM;
	}
	mutex_lock(&vfs_ns_lock);
	err = lookup_existing(dirfd, name, LOOKUP_EMPTY, &p, &nd);
	if (!err) {
		struct inode *inode = p.dentry->d_inode;

		if (!S_ISLNK(inode->i_mode) || !inode->i_link)
			err = -EINVAL;
		else
			err = (long)strscpy(buf, inode->i_link, PATH_MAX);
		path_put(&p);
	}
	mutex_unlock(&vfs_ns_lock);
	if (err >= 0) {
		err = MIN(err, (long)bufsiz);
		if (copy_to_user(ubuf, buf, (size_t)err))
			err = -EFAULT;
	}
	kfree(buf);
	putname(name);
	return err;
}

SYSCALL_DEFINE4(readlinkat, int, dirfd, const char *, pathname, char *, buf,
		int, bufsiz)
{
	return do_readlinkat(dirfd, pathname, buf, bufsiz);
}

SYSCALL_DEFINE3(readlink, const char *, pathname, char *, buf, int, bufsiz)
{
	return do_readlinkat(AT_FDCWD, pathname, buf, bufsiz);
}
