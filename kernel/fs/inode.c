/*
 * Inodes: allocation, reference counting, times and permission checks.
 *
 * An inode lives while someone holds a reference: its dentries (one each),
 * open files (through their dentry, or directly for anonymous files) and
 * kernel users. The last iput() lets the file system free its data
 * (super_operations.evict_inode) and frees the inode.
 *
 * Permissions follow Linux (path_resolution(7), inode_permission): the
 * owner class if fsuid matches, else the group class if fsgid or a
 * supplementary group matches, else other; root (fsuid 0) may read and
 * write anything and search any directory, and execute a file only when
 * some x bit is set.
 */
#include <keel/slab.h>
#include <keel/string.h>
#include <keel/task.h>
#include <keel/time.h>

#include "internal.h"

/* The credentials file access uses: the task's, root's in a kthread. */
const struct cred *vfs_cred(void)
{
	return current_cred_or_root();
}

struct inode_time inode_time_now(void)
{
	u64 ns = clock_realtime_ns();
	struct inode_time t = {
		.sec = (s64)(ns / 1000000000ULL),
		.nsec = (u32)(ns % 1000000000ULL),
	};

	return t;
}

void inode_init_common(struct inode *inode, struct super_block *sb,
		       umode_t mode, const struct cred *cred)
{
	struct inode_time now = inode_time_now();

	inode->i_sb = sb;
	inode->i_ino = __atomic_add_fetch(&sb->s_next_ino, 1,
					  __ATOMIC_RELAXED);
	inode->i_mode = mode;
	inode->i_uid = cred ? cred->fsuid : 0;
	inode->i_gid = cred ? cred->fsgid : 0;
	inode->i_nlink = 1;
	inode->i_count = 1;
	inode->i_atime = inode->i_mtime = inode->i_ctime = now;
	inode->i_btime = now;
	mutex_init(&inode->i_mutex);
}

/**
 * new_inode - a fresh inode of @mode on @sb, owned by the caller's fsuid
 * and fsgid. Context: process context. Return: the inode or NULL.
 */
struct inode *new_inode(struct super_block *sb, umode_t mode)
{
	struct inode *inode = kzalloc(sizeof(*inode), GFP_KERNEL);

	if (inode)
		inode_init_common(inode, sb, mode, vfs_cred());
	return inode;
}

struct inode *iget(struct inode *inode)
{
	if (inode)
		ref_inc(&inode->i_count);
	return inode;
}

/**
 * iput - drop a reference; the last one frees the inode and its data.
 * Context: process context, no spinlock held.
 */
void iput(struct inode *inode)
{
	if (!inode || !ref_dec_and_test(&inode->i_count))
		return;
	if (inode->i_pipe)
		fifo_inode_release(inode);
	if (inode->i_sb && inode->i_sb->s_op && inode->i_sb->s_op->evict_inode)
		inode->i_sb->s_op->evict_inode(inode);
	kfree(inode->i_link);
	kfree(inode);
}

void inode_touch(struct inode *inode, bool mtime)
{
	struct inode_time now = inode_time_now();

	inode->i_ctime = now;
	if (mtime)
		inode->i_mtime = now;
}

/**
 * inode_permission - may @cred access @inode for @mask (MAY_READ,
 * MAY_WRITE, MAY_EXEC)? Read-only mounts are checked by the callers that
 * know the path. Context: any. Return: 0 or -EACCES.
 */
int inode_permission(const struct cred *cred, struct inode *inode, int mask)
{
	umode_t mode = inode->i_mode;
	unsigned int bits;

	mask &= MAY_READ | MAY_WRITE | MAY_EXEC;
	if (cred_fs_is_root(cred)) {
		if (!(mask & MAY_EXEC) || S_ISDIR(mode) ||
		    (mode & (S_IXUSR | S_IXGRP | S_IXOTH)))
			return 0;
		return -EACCES;
	}
	if (cred->fsuid == inode->i_uid)
		bits = (mode >> 6) & 7;
	else if (cred_in_group(cred, inode->i_gid))
		bits = (mode >> 3) & 7;
	else
		bits = mode & 7;
	return ((unsigned int)mask & ~bits) ? -EACCES : 0;
}

/* May @cred change @inode's attributes as its owner? 0 or -EPERM. */
int cred_may_own(const struct cred *cred, struct inode *inode)
{
	if (cred_fs_is_root(cred) || cred->fsuid == inode->i_uid)
		return 0;
	return -EPERM;
}

/*
 * In a sticky directory only the file's owner, the directory's owner and
 * root may remove or rename an entry (Linux's check_sticky).
 */
int may_delete_sticky(const struct cred *cred, struct inode *dir,
		      struct inode *victim)
{
	if (!(dir->i_mode & S_ISVTX) || cred_fs_is_root(cred))
		return 0;
	if (cred->fsuid == victim->i_uid || cred->fsuid == dir->i_uid)
		return 0;
	return -EPERM;
}
