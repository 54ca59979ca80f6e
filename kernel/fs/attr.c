/*
 * File metadata in: chmod, chown, utimensat, truncate, fallocate; the
 * sync family; and access checks (access, faccessat, faccessat2).
 *
 * Linux's rules: only the owner (or root) changes mode and times (any
 * writer may set both times to "now"); only root changes the owner, and
 * the owner may change the group to one of its groups; a chown by anyone
 * clears S_ISUID and S_ISGID (S_ISGID only with group execute) on
 * non-directories; a chmod by a non-root caller outside the file's group
 * loses S_ISGID. Read-only mounts refuse all of it (EROFS).
 */
#include <keel/locks.h>
#include <keel/slab.h>
#include <keel/string.h>
#include <keel/syscall.h>
#include <keel/task.h>
#include <keel/uaccess.h>

#include "internal.h"

/* Resolve for an attribute change; AT_EMPTY_PATH names the fd. */
static long attr_lookup(int dirfd, const char __user *upath, int flags,
			struct path *p)
{
	struct nameidata nd;
	char *name = getname_flags(upath, flags & AT_EMPTY_PATH);
	long err;

	if (IS_ERR(name))
		return PTR_ERR(name);
	err = nd_init(&nd, dirfd, name,
		      ((flags & AT_SYMLINK_NOFOLLOW) ? 0 : LOOKUP_FOLLOW) |
		      ((flags & AT_EMPTY_PATH) ? LOOKUP_EMPTY : 0));
	if (!err) {
		mutex_lock(&vfs_ns_lock);
		err = walk_path(&nd, name, p);
		mutex_unlock(&vfs_ns_lock);
		nd_done(&nd);
	}
	putname(name);
	return err;
}

static long chmod_path(const struct path *p, struct inode *inode,
		       umode_t mode)
{
	const struct cred *cred = vfs_cred();
	long err;

	if (p && path_is_readonly(p))
		return -EROFS;
	mutex_lock(&vfs_ns_lock);
	err = cred_may_own(cred, inode);
	if (!err) {
		mode &= S_IALLUGO;
		if (!cred_fs_is_root(cred) && !cred_in_group(cred, inode->i_gid))
			mode &= ~(umode_t)S_ISGID;
		inode->i_mode = (inode->i_mode & S_IFMT) | mode;
		inode_touch(inode, false);
	}
	mutex_unlock(&vfs_ns_lock);
	return err;
}

static long do_fchmodat(int dirfd, const char __user *path, umode_t mode,
			int flags)
{
	struct path p;
	long err = attr_lookup(dirfd, path, flags, &p);

	if (err)
		return err;
	err = chmod_path(&p, p.dentry->d_inode, mode);
	path_put(&p);
	return err;
}

SYSCALL_DEFINE3(fchmodat, int, dirfd, const char *, pathname, umode_t, mode)
{
	return do_fchmodat(dirfd, pathname, mode, 0);
}

SYSCALL_DEFINE2(chmod, const char *, pathname, umode_t, mode)
{
	return do_fchmodat(AT_FDCWD, pathname, mode, 0);
}

SYSCALL_DEFINE2(fchmod, unsigned int, fd, umode_t, mode)
{
	struct file *f = fget_io((int)fd);
	long err;

	if (!f)
		return -EBADF;
	err = chmod_path(&f->f_path, file_inode(f), mode);
	fput(f);
	return err;
}

static long chown_inode(const struct path *p, struct inode *inode,
			uid_t uid, gid_t gid)
{
	const struct cred *cred = vfs_cred();
	long err = 0;

	if (p && path_is_readonly(p))
		return -EROFS;
	mutex_lock(&vfs_ns_lock);
	if (!cred_fs_is_root(cred)) {
		if (uid != (uid_t)-1 && uid != inode->i_uid)
			err = -EPERM;
		else if (gid != (gid_t)-1 && (cred->fsuid != inode->i_uid ||
		    (gid != inode->i_gid && !cred_in_group(cred, gid))))
			err = -EPERM;
		else if (cred->fsuid != inode->i_uid &&
			 (uid != (uid_t)-1 || gid != (gid_t)-1))
			err = -EPERM;
	}
	if (!err) {
		if (uid != (uid_t)-1)
			inode->i_uid = uid;
		if (gid != (gid_t)-1)
			inode->i_gid = gid;
		if (!S_ISDIR(inode->i_mode) &&
		    (uid != (uid_t)-1 || gid != (gid_t)-1)) {
			umode_t clr = S_ISUID;

			if (inode->i_mode & S_IXGRP)
				clr |= S_ISGID;
			inode->i_mode &= ~clr;
		}
		inode_touch(inode, false);
	}
	mutex_unlock(&vfs_ns_lock);
	return err;
}

static long do_fchownat(int dirfd, const char __user *path, uid_t uid,
			gid_t gid, int flags)
{
	struct path p;
	long err;

	if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	err = attr_lookup(dirfd, path, flags, &p);
	if (err)
		return err;
	err = chown_inode(&p, p.dentry->d_inode, uid, gid);
	path_put(&p);
	return err;
}

SYSCALL_DEFINE5(fchownat, int, dirfd, const char *, pathname, uid_t, owner,
		gid_t, group, int, flags)
{
	return do_fchownat(dirfd, pathname, owner, group, flags);
}

SYSCALL_DEFINE3(chown, const char *, pathname, uid_t, owner, gid_t, group)
{
	return do_fchownat(AT_FDCWD, pathname, owner, group, 0);
}

SYSCALL_DEFINE3(lchown, const char *, pathname, uid_t, owner, gid_t, group)
{
	return do_fchownat(AT_FDCWD, pathname, owner, group,
			   AT_SYMLINK_NOFOLLOW);
}

SYSCALL_DEFINE3(fchown, unsigned int, fd, uid_t, owner, gid_t, group)
{
	struct file *f = fget_io((int)fd);
	long err;

	if (!f)
		return -EBADF;
	err = chown_inode(&f->f_path, file_inode(f), owner, group);
	fput(f);
	return err;
}

/* ---- times --------------------------------------------------------------- */

struct utimespec {
	long tv_sec;
	long tv_nsec;
};

static bool ts_valid(const struct utimespec *t)
{
	return t->tv_nsec == UTIME_NOW || t->tv_nsec == UTIME_OMIT ||
	       (t->tv_nsec >= 0 && t->tv_nsec < 1000000000L);
}

static long set_times(const struct path *p, struct inode *inode,
		      const struct utimespec *ts)
{
	const struct cred *cred = vfs_cred();
	struct inode_time now = inode_time_now();
	bool all_now = !ts || (ts[0].tv_nsec == UTIME_NOW &&
			       ts[1].tv_nsec == UTIME_NOW);
	long err = 0;
	int i;

	if (ts && ts[0].tv_nsec == UTIME_OMIT && ts[1].tv_nsec == UTIME_OMIT)
		return 0;
	if (path_is_readonly(p))
		return -EROFS;
	if (cred_may_own(cred, inode)) {
		if (!all_now)
			return -EPERM;
		if (inode_permission(cred, inode, MAY_WRITE))
			return -EACCES;
	}
	mutex_lock(&inode->i_mutex);
	for (i = 0; i < 2; i++) {
		struct inode_time *t = i ? &inode->i_mtime : &inode->i_atime;

		if (!ts || ts[i].tv_nsec == UTIME_NOW)
			*t = now;
		else if (ts[i].tv_nsec != UTIME_OMIT)
			*t = (struct inode_time){ ts[i].tv_sec,
						  (u32)ts[i].tv_nsec };
	}
	inode->i_ctime = now;
	mutex_unlock(&inode->i_mutex);
	return err;
}

SYSCALL_DEFINE4(utimensat, int, dirfd, const char *, pathname,
		const struct utimespec *, times, int, flags)
{
	struct utimespec ts[2];
	struct path p;
	long err;

	if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	if (times) {
		if (copy_from_user(ts, times, sizeof(ts)))
			return -EFAULT;
		if (!ts_valid(&ts[0]) || !ts_valid(&ts[1]))
			return -EINVAL;
	}
	if (!pathname) {
		/* futimens: the fd itself (Linux's NULL-path form). */
		struct file *f = fget((int)dirfd);

		if (!f)
			return -EBADF;
		err = set_times(&f->f_path, file_inode(f), times ? ts : NULL);
		fput(f);
		return err;
	}
	err = attr_lookup(dirfd, pathname, flags, &p);
	if (err)
		return err;
	err = set_times(&p, p.dentry->d_inode, times ? ts : NULL);
	path_put(&p);
	return err;
}

/* ---- sizes ---------------------------------------------------------------- */

/**
 * vfs_truncate_inode - set a regular file's size. Context: process
 * context; takes i_mutex. Return: 0 or -errno.
 */
int vfs_truncate_inode(struct inode *inode, loff_t size)
{
	int err;

	if (size < 0)
		return -EINVAL;
	if (!inode->i_op || !inode->i_op->setsize)
		return -EINVAL;
	mutex_lock(&inode->i_mutex);
	err = inode->i_op->setsize(inode, size);
	if (!err) {
		inode_touch(inode, true);
		if ((inode->i_mode & (S_ISUID | S_ISGID)) &&
		    !cred_fs_is_root(vfs_cred()))
			inode->i_mode &= ~(umode_t)S_ISUID;
	}
	mutex_unlock(&inode->i_mutex);
	return err;
}

SYSCALL_DEFINE2(truncate, const char *, pathname, long, length)
{
	struct path p;
	struct inode *inode;
	long err;

	if (length < 0)
		return -EINVAL;
	err = attr_lookup(AT_FDCWD, pathname, 0, &p);
	if (err)
		return err;
	inode = p.dentry->d_inode;
	if (S_ISDIR(inode->i_mode))
		err = -EISDIR;
	else if (!S_ISREG(inode->i_mode))
		err = -EINVAL;
	else if (path_is_readonly(&p))
		err = -EROFS;
	else
		err = inode_permission(vfs_cred(), inode, MAY_WRITE);
	if (!err)
		err = lease_break(inode, O_WRONLY);     /* kernel/fs/leases.c */
	if (!err)
		err = vfs_truncate_inode(inode, length);
	path_put(&p);
	return err;
}

SYSCALL_DEFINE2(ftruncate, unsigned int, fd, unsigned long, length)
{
	struct file *f = fget_io((int)fd);
	long err;

	if (!f)
		return -EBADF;
	if ((long)length < 0)
		err = -EINVAL;
	else if (!S_ISREG(file_inode(f)->i_mode) ||
		 !(f->f_mode & FMODE_WRITE))
		err = -EINVAL;
	else if (f->f_flags & O_APPEND)
		err = -EPERM;
	else
		err = vfs_truncate_inode(file_inode(f), (loff_t)length);
	fput(f);
	return err;
}

SYSCALL_DEFINE4(fallocate, int, fd, int, mode, loff_t, offset, loff_t, len)
{
	struct file *f;
	long err;

	if (offset < 0 || len <= 0)
		return -EINVAL;
	if (offset > ((loff_t)1 << 62) - len)
		return -EFBIG;
	f = fget_io(fd);
	if (!f)
		return -EBADF;
	if (!(f->f_mode & FMODE_WRITE))
		err = -EBADF;
	else if (S_ISDIR(file_inode(f)->i_mode))
		err = -EISDIR;
	else if (S_ISFIFO(file_inode(f)->i_mode))
		err = -ESPIPE;
	else if (!S_ISREG(file_inode(f)->i_mode))
		err = -ENODEV;
	else if (!f->f_op || !f->f_op->fallocate)
		err = -EOPNOTSUPP;
	else
		err = f->f_op->fallocate(f, mode, offset, len);
	fput(f);
	return err;
}

/* ---- sync ------------------------------------------------------------------ */

static long do_fsync(unsigned int fd, bool datasync)
{
	struct file *f = fget_io((int)fd);
	long err;

	if (!f)
		return -EBADF;
	err = (f->f_op && f->f_op->fsync) ? f->f_op->fsync(f, datasync) :
	      S_ISREG(file_inode(f)->i_mode) || S_ISDIR(file_inode(f)->i_mode) ?
	      0 : -EINVAL;
	fput(f);
	return err;
}

SYSCALL_DEFINE1(fsync, unsigned int, fd)
{
	return do_fsync(fd, false);
}

SYSCALL_DEFINE1(fdatasync, unsigned int, fd)
{
	return do_fsync(fd, true);
}

/* Every file system today is memory-backed: nothing to write back. */
SYSCALL_DEFINE0(sync)
{
	return 0;
}

SYSCALL_DEFINE1(syncfs, int, fd)
{
	struct file *f = fget(fd);

	if (!f)
		return -EBADF;
	fput(f);
	return 0;
}

#define SYNC_FILE_RANGE_WAIT_BEFORE 1
#define SYNC_FILE_RANGE_WRITE       2
#define SYNC_FILE_RANGE_WAIT_AFTER  4

/*
 * Linux's ksys_sync_file_range checks; the data is in memory already, so
 * a valid call on a file with data has nothing left to do.
 */
SYSCALL_DEFINE4(sync_file_range, int, fd, loff_t, offset, loff_t, nbytes,
		unsigned int, flags)
{
	struct file *f;
	umode_t mode;
	loff_t end;

	if (flags & ~(SYNC_FILE_RANGE_WAIT_BEFORE | SYNC_FILE_RANGE_WRITE |
		      SYNC_FILE_RANGE_WAIT_AFTER))
		return -EINVAL;
	if (offset < 0 || __builtin_add_overflow(offset, nbytes, &end) ||
	    end < 0 || end < offset)
		return -EINVAL;
	f = fget_io(fd);
	if (!f)
		return -EBADF;
	mode = file_inode(f)->i_mode;
	fput(f);
	if (!S_ISREG(mode) && !S_ISBLK(mode) && !S_ISDIR(mode) &&
	    !S_ISLNK(mode))
		return -ESPIPE;
	return 0;
}

/* ---- access ---------------------------------------------------------------- */

static long do_faccessat(int dirfd, const char __user *path, int mode,
			 int flags)
{
	struct cred real;
	const struct cred *cred = vfs_cred();
	struct path p;
	struct inode *inode;
	long err;

	if (mode & ~(R_OK | W_OK | X_OK))
		return -EINVAL;
	if (flags & ~(AT_EACCESS | AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	err = attr_lookup(dirfd, path, flags, &p);
	if (err)
		return err;
	/* Without AT_EACCESS the check uses the real ids. */
	if (!(flags & AT_EACCESS)) {
		real = *cred;
		real.fsuid = cred->uid;
		real.fsgid = cred->gid;
		cred = &real;
	}
	inode = p.dentry->d_inode;
	err = inode_permission(cred, inode, mode);
	if (!err && (mode & W_OK) && path_is_readonly(&p) &&
	    (S_ISREG(inode->i_mode) || S_ISDIR(inode->i_mode) ||
	     S_ISLNK(inode->i_mode)))
		err = -EROFS;
	path_put(&p);
	return err;
}

SYSCALL_DEFINE4(faccessat2, int, dirfd, const char *, pathname, int, mode,
		int, flags)
{
	return do_faccessat(dirfd, pathname, mode, flags);
}

SYSCALL_DEFINE3(faccessat, int, dirfd, const char *, pathname, int, mode)
{
	return do_faccessat(dirfd, pathname, mode, 0);
}

SYSCALL_DEFINE2(access, const char *, pathname, int, mode)
{
	return do_faccessat(AT_FDCWD, pathname, mode, 0);
}
