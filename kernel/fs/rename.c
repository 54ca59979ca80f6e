/*
 * rename, renameat, renameat2 (RENAME_NOREPLACE, RENAME_EXCHANGE).
 *
 * Rules checked, in Linux's order where it matters: both last components
 * must be ordinary names (EBUSY for "." / ".." / "/"), the source must
 * exist, the same mount (EXDEV), no directory moved into itself (EINVAL),
 * type compatibility (ENOTDIR/EISDIR), mount points (EBUSY), write and
 * search permission on both directories, the sticky rule for the moved
 * and the replaced entry, and write permission on a directory moved to
 * another parent (its ".." changes). Renaming a name onto another link
 * of the same inode does nothing and succeeds.
 */
#include <keel/slab.h>
#include <keel/string.h>
#include <keel/syscall.h>
#include <keel/task.h>

#include "internal.h"

/* Is @d equal to or below @anc? [n] held. */
static bool is_subdir(struct dentry *d, struct dentry *anc)
{
	for (;;) {
		if (d == anc)
			return true;
		if (d->d_parent == d)
			return false;
		d = d->d_parent;
	}
}

static int rename_checks(struct nameidata *ond, struct path *op,
			 struct dentry *od, struct nameidata *nnd,
			 struct path *np, struct dentry *nd_,
			 unsigned int flags)
{
	struct inode *oi = od->d_inode, *ni = nd_->d_inode;
	bool odir = S_ISDIR(oi->i_mode);
	int err;

	if (op->mnt != np->mnt)
		return -EXDEV;
	if ((flags & RENAME_EXCHANGE) && !ni)
		return -ENOENT;
	if ((flags & RENAME_NOREPLACE) && ni)
		return -EEXIST;
	if (odir && is_subdir(np->dentry, od))
		return -EINVAL;
	if (ni && (flags & RENAME_EXCHANGE) && S_ISDIR(ni->i_mode) &&
	    is_subdir(op->dentry, nd_))
		return -EINVAL;
	if (!odir && ond->trailing_slash)
		return -ENOTDIR;
	if (ni && !(flags & RENAME_EXCHANGE)) {
		if (odir && !S_ISDIR(ni->i_mode))
			return -ENOTDIR;
		if (!odir && S_ISDIR(ni->i_mode))
			return -EISDIR;
	}
	if (!odir && !ni && nnd->trailing_slash)
		return -ENOTDIR;
	if (od->d_mounted || (ni && nd_->d_mounted))
		return -EBUSY;
	if (path_is_readonly(op))
		return -EROFS;
	err = inode_permission(ond->cred, op->dentry->d_inode,
			       MAY_WRITE | MAY_EXEC);
	if (!err)
		err = inode_permission(ond->cred, np->dentry->d_inode,
				       MAY_WRITE | MAY_EXEC);
	if (!err)
		err = may_delete_sticky(ond->cred, op->dentry->d_inode, oi);
	if (!err && ni)
		err = may_delete_sticky(ond->cred, np->dentry->d_inode, ni);
	if (!err && odir && op->dentry != np->dentry)
		err = inode_permission(ond->cred, oi, MAY_WRITE);
	if (!err && ni && (flags & RENAME_EXCHANGE) && S_ISDIR(ni->i_mode) &&
	    op->dentry != np->dentry)
		err = inode_permission(ond->cred, ni, MAY_WRITE);
	return err;
}

/* Both parents resolved: look up, check, rename. [n] held. */
static int rename_locked(struct nameidata *ond, struct path *op,
			 struct nameidata *nnd, struct path *np,
			 unsigned int flags)
{
	struct inode *odir = op->dentry->d_inode, *ndir = np->dentry->d_inode;
	struct dentry *od, *nd_;
	int err;

	if (ond->last_type != LAST_NORM || nnd->last_type != LAST_NORM)
		return -EBUSY;
	od = lookup_last(ond, op);
	if (IS_ERR(od))
		return PTR_ERR(od);
	if (!od->d_inode) {
		dput(od);
		return -ENOENT;
	}
	nd_ = lookup_last(nnd, np);
	if (IS_ERR(nd_)) {
		dput(od);
		return PTR_ERR(nd_);
	}
	err = rename_checks(ond, op, od, nnd, np, nd_, flags);
	if (err || od->d_inode == nd_->d_inode)
		goto out;
	err = odir->i_op->rename ?
	      odir->i_op->rename(odir, od, ndir, nd_, flags) : -EPERM;
	if (err)
		goto out;
	if (flags & RENAME_EXCHANGE) {
		err = d_move(od, np->dentry, nnd->last, nnd->last_len);
		if (!err)
			err = d_move(nd_, op->dentry, ond->last, ond->last_len);
	} else {
		if (nd_->d_inode)
			d_delete(nd_);
		err = d_move(od, np->dentry, nnd->last, nnd->last_len);
	}
out:
	dput(nd_);
	dput(od);
	return err;
}

/**
 * vfs_rename - rename @oname (relative to @ond) to @nname (@nnd).
 * Context: process context; takes vfs_ns_lock. Return: 0 or -errno.
 */
int vfs_rename(struct nameidata *ond, const char *oname,
	       struct nameidata *nnd, const char *nname, unsigned int flags)
{
	struct path op, np;
	int err;

	mutex_lock(&vfs_ns_lock);
	err = walk_parent(ond, oname, &op);
	if (!err) {
		err = walk_parent(nnd, nname, &np);
		if (!err) {
			err = rename_locked(ond, &op, nnd, &np, flags);
			path_put(&np);
		}
		path_put(&op);
	}
	mutex_unlock(&vfs_ns_lock);
	return err;
}

static long do_renameat2(int olddirfd, const char __user *uold,
			 int newdirfd, const char __user *unew,
			 unsigned int flags)
{
	struct nameidata *ond, *nnd;
	char *oname, *nname;
	long err;

	if (flags & ~(RENAME_NOREPLACE | RENAME_EXCHANGE | RENAME_WHITEOUT))
		return -EINVAL;
	if ((flags & RENAME_EXCHANGE) && (flags & ~RENAME_EXCHANGE))
		return -EINVAL;
	if (flags & RENAME_WHITEOUT)
		return -EINVAL;         /* tmpfs supports it; Keel not yet */
	/* Two nameidata hold NAME_MAX buffers: off the stack. */
	ond = kmalloc(2 * sizeof(*ond), GFP_KERNEL);
	if (!ond)
		return -ENOMEM;
	nnd = ond + 1;
	oname = getname(uold);
	nname = IS_ERR(oname) ? NULL : getname(unew);
	err = IS_ERR(oname) ? PTR_ERR(oname) : IS_ERR(nname) ?
	      PTR_ERR(nname) : 0;
	if (err)
		goto out_names;
	err = nd_init(ond, olddirfd, oname, 0);
	if (err)
		goto out_names;
	err = nd_init(nnd, newdirfd, nname, 0);
	if (err)
		goto out_ond;
	err = vfs_rename(ond, oname, nnd, nname, flags);
	nd_done(nnd);
out_ond:
	nd_done(ond);
out_names:
	putname(oname);
	putname(nname);
	kfree(ond);
	return err;
}

SYSCALL_DEFINE5(renameat2, int, olddirfd, const char *, oldpath,
		int, newdirfd, const char *, newpath, unsigned int, flags)
{
	return do_renameat2(olddirfd, oldpath, newdirfd, newpath, flags);
}

SYSCALL_DEFINE4(renameat, int, olddirfd, const char *, oldpath,
		int, newdirfd, const char *, newpath)
{
	return do_renameat2(olddirfd, oldpath, newdirfd, newpath, 0);
}

SYSCALL_DEFINE2(rename, const char *, oldpath, const char *, newpath)
{
	return do_renameat2(AT_FDCWD, oldpath, AT_FDCWD, newpath, 0);
}
