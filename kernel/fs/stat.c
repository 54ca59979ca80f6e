/*
 * File metadata out: stat, fstat, lstat, newfstatat, statx, statfs,
 * fstatfs; and directory reading: getdents64.
 */
#include <keel/slab.h>
#include <keel/string.h>
#include <keel/syscall.h>
#include <keel/task.h>
#include <keel/uaccess.h>

#include "internal.h"

/*
 * Resolve (@dirfd, @upath) for the stat-like calls: AT_EMPTY_PATH with
 * "" names the fd itself (any file, pipes included), so the result is
 * returned as an inode plus the path. Return: 0 with references.
 */
static long stat_lookup(int dirfd, const char __user *upath, int flags,
			struct path *p, struct inode **inodep)
{
	struct nameidata nd;
	char *name;
	long err;

	name = getname_flags(upath, flags & AT_EMPTY_PATH);
	if (IS_ERR(name))
		return PTR_ERR(name);
	if (!*name) {
		struct file *f = fget(dirfd);

		putname(name);
		if (dirfd == AT_FDCWD) {
			current_pwd(p);
			*inodep = iget(p->dentry->d_inode);
			return 0;
		}
		if (!f)
			return -EBADF;
		*p = f->f_path;
		path_get(p);
		*inodep = iget(file_inode(f));
		fput(f);
		return 0;
	}
	err = nd_init(&nd, dirfd, name,
		      (flags & AT_SYMLINK_NOFOLLOW) ? 0 : LOOKUP_FOLLOW);
	if (!err) {
		mutex_lock(&vfs_ns_lock);
		err = walk_path(&nd, name, p);
		mutex_unlock(&vfs_ns_lock);
		nd_done(&nd);
		if (!err)
			*inodep = iget(p->dentry->d_inode);
	}
	putname(name);
	return err;
}

static void fill_stat(struct inode *inode, struct stat *st)
{
	memset(st, 0, sizeof(*st));
	st->st_dev = dev_encode(inode->i_sb->s_dev);
	st->st_ino = inode->i_ino;
	st->st_nlink = inode->i_nlink;
	st->st_mode = inode->i_mode;
	st->st_uid = inode->i_uid;
	st->st_gid = inode->i_gid;
	st->st_rdev = dev_encode(inode->i_rdev);
	st->st_size = inode->i_size;
	st->st_blksize = 4096;
	st->st_blocks = (long)inode->i_blocks;
	st->st_atime = (unsigned long)inode->i_atime.sec;
	st->st_atime_nsec = inode->i_atime.nsec;
	st->st_mtime = (unsigned long)inode->i_mtime.sec;
	st->st_mtime_nsec = inode->i_mtime.nsec;
	st->st_ctime = (unsigned long)inode->i_ctime.sec;
	st->st_ctime_nsec = inode->i_ctime.nsec;
}

static long put_stat(struct inode *inode, struct stat __user *ust)
{
	struct stat st;

	fill_stat(inode, &st);
	return copy_to_user(ust, &st, sizeof(st)) ? -EFAULT : 0;
}

static long do_fstatat(int dirfd, const char __user *path,
		       struct stat __user *ust, int flags)
{
	struct inode *inode;
	struct path p;
	long err;

	if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH | AT_NO_AUTOMOUNT))
		return -EINVAL;
	err = stat_lookup(dirfd, path, flags, &p, &inode);
	if (err)
		return err;
	err = put_stat(inode, ust);
	iput(inode);
	path_put(&p);
	return err;
}

SYSCALL_DEFINE2(stat, const char *, pathname, struct stat *, statbuf)
{
	return do_fstatat(AT_FDCWD, pathname, statbuf, 0);
}

SYSCALL_DEFINE2(lstat, const char *, pathname, struct stat *, statbuf)
{
	return do_fstatat(AT_FDCWD, pathname, statbuf, AT_SYMLINK_NOFOLLOW);
}

SYSCALL_DEFINE4(newfstatat, int, dirfd, const char *, pathname,
		struct stat *, statbuf, int, flags)
{
	return do_fstatat(dirfd, pathname, statbuf, flags);
}

SYSCALL_DEFINE2(fstat, unsigned int, fd, struct stat *, statbuf)
{
	struct file *f = fget((int)fd);
	long err;

	if (!f)
		return -EBADF;
	err = put_stat(file_inode(f), statbuf);
	fput(f);
	return err;
}

static void put_ts(struct statx_timestamp *t, const struct inode_time *it)
{
	t->tv_sec = it->sec;
	t->tv_nsec = it->nsec;
}

SYSCALL_DEFINE5(statx, int, dirfd, const char *, pathname, int, flags,
		unsigned int, mask, struct statx *, ubuf)
{
	struct inode *inode;
	struct statx sx;
	struct path p;
	long err;

	if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH | AT_NO_AUTOMOUNT |
		      AT_STATX_SYNC_TYPE))
		return -EINVAL;
	if ((flags & AT_STATX_SYNC_TYPE) == AT_STATX_SYNC_TYPE)
		return -EINVAL;
	if (mask & STATX__RESERVED)
		return -EINVAL;
	err = stat_lookup(dirfd, pathname, flags, &p, &inode);
	if (err)
		return err;
	memset(&sx, 0, sizeof(sx));
	sx.stx_mask = STATX_BASIC_STATS | STATX_BTIME | STATX_MNT_ID;
	sx.stx_blksize = 4096;
	sx.stx_nlink = inode->i_nlink;
	sx.stx_uid = inode->i_uid;
	sx.stx_gid = inode->i_gid;
	sx.stx_mode = (u16)inode->i_mode;
	sx.stx_ino = inode->i_ino;
	sx.stx_size = (u64)inode->i_size;
	sx.stx_blocks = inode->i_blocks;
	put_ts(&sx.stx_atime, &inode->i_atime);
	put_ts(&sx.stx_btime, &inode->i_btime);
	put_ts(&sx.stx_ctime, &inode->i_ctime);
	put_ts(&sx.stx_mtime, &inode->i_mtime);
	sx.stx_rdev_major = MAJOR(inode->i_rdev);
	sx.stx_rdev_minor = MINOR(inode->i_rdev);
	sx.stx_dev_major = MAJOR(inode->i_sb->s_dev);
	sx.stx_dev_minor = MINOR(inode->i_sb->s_dev);
	sx.stx_mnt_id = (u64)p.mnt->mnt_id;   /* as in mountinfo */
	err = copy_to_user(ubuf, &sx, sizeof(sx)) ? -EFAULT : 0;
	iput(inode);
	path_put(&p);
	return err;
}

static long do_statfs(const struct path *p, struct statfs __user *ubuf)
{
	struct super_block *sb = p->mnt->mnt_sb;
	struct statfs st;
	unsigned int mf = p->mnt->mnt_flags;
	long err = 0;

	memset(&st, 0, sizeof(st));
	st.f_type = (long)sb->s_magic;
	st.f_bsize = 4096;
	st.f_frsize = 4096;
	st.f_namelen = NAME_MAX;
	if (sb->s_op && sb->s_op->statfs)
		err = sb->s_op->statfs(sb, &st);
	if (err)
		return err;
	st.f_fsid.val[0] = (int)dev_encode(sb->s_dev);
	st.f_flags = ST_VALID | ((mf & MNT_RDONLY) ? ST_RDONLY : 0) |
		     ((mf & MNT_NOSUID) ? ST_NOSUID : 0) |
		     ((mf & MNT_NODEV) ? ST_NODEV : 0) |
		     ((mf & MNT_NOEXEC) ? ST_NOEXEC : 0);
	return copy_to_user(ubuf, &st, sizeof(st)) ? -EFAULT : 0;
}

SYSCALL_DEFINE2(statfs, const char *, pathname, struct statfs *, buf)
{
	struct inode *inode;
	struct path p;
	long err = stat_lookup(AT_FDCWD, pathname, 0, &p, &inode);

	if (err)
		return err;
	err = do_statfs(&p, buf);
	iput(inode);
	path_put(&p);
	return err;
}

SYSCALL_DEFINE2(fstatfs, unsigned int, fd, struct statfs *, buf)
{
	struct file *f = fget((int)fd);
	long err;

	if (!f)
		return -EBADF;
	err = do_statfs(&f->f_path, buf);
	fput(f);
	return err;
}

/* ---- getdents64 ---------------------------------------------------------- */

struct getdents_ctx {
	struct dir_context ctx;
	char __user *buf;
	size_t left;
	long written;
	long err;
};

static bool filldir64(struct dir_context *ctx, const char *name, int len,
		      loff_t pos, u64 ino, unsigned int dtype)
{
	struct getdents_ctx *g = container_of(ctx, struct getdents_ctx, ctx);
	size_t reclen = ALIGN_UP(offsetof(struct linux_dirent64, d_name) +
				 (size_t)len + 1, 8);
	char rec[ALIGN_UP(sizeof(struct linux_dirent64) + NAME_MAX + 1, 8)];
	struct linux_dirent64 *d = (struct linux_dirent64 *)rec;

	if (reclen > g->left) {
		if (!g->written)
			g->err = -EINVAL;       /* buffer too small for one */
		return false;
	}
	memset(rec, 0, reclen);
	d->d_ino = ino;
	d->d_off = pos;
	d->d_reclen = (unsigned short)reclen;
	d->d_type = (unsigned char)dtype;
	memcpy(d->d_name, name, (size_t)len);
	if (copy_to_user(g->buf, rec, reclen)) {
		g->err = -EFAULT;
		return false;
	}
	g->buf += reclen;
	g->left -= reclen;
	g->written += (long)reclen;
	return true;
}

SYSCALL_DEFINE3(getdents64, unsigned int, fd, struct linux_dirent64 *, dirp,
		unsigned int, count)
{
	struct getdents_ctx g = {
		.ctx.actor = filldir64,
		.buf = (char __user *)dirp,
		.left = count,
	};
	struct file *f = fget_io((int)fd);
	long err;

	if (!f)
		return -EBADF;
	if (!access_ok(dirp, count)) {
		fput(f);
		return -EFAULT;
	}
	if (!S_ISDIR(file_inode(f)->i_mode) || !f->f_op ||
	    !f->f_op->iterate) {
		fput(f);
		return -ENOTDIR;
	}
	mutex_lock(&f->f_pos_lock);
	g.ctx.pos = f->f_pos;
	/* Linux's iterate_dir: a removed directory reads as ENOENT. */
	if (READ_ONCE(file_inode(f)->i_nlink) == 0) {
		err = -ENOENT;
	} else {
		err = f->f_op->iterate(f, &g.ctx);
		f->f_pos = g.ctx.pos;
	}
	mutex_unlock(&f->f_pos_lock);
	fput(f);
	if (g.written)
		return g.written;
	return err ? err : g.err;
}
