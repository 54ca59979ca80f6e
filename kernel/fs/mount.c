/*
 * mount(2) and umount2(2): new mounts of registered types (tmpfs,
 * devtmpfs, and later proc/sysfs), bind mounts (MS_BIND, not recursive:
 * MS_REC binds only the top), remounts (MS_REMOUNT changes the mount's
 * MS_RDONLY/NOSUID/NODEV/NOEXEC), propagation changes (Keel has private
 * mounts only, so MS_PRIVATE/MS_SLAVE succeed and MS_SHARED is refused),
 * and unmounts (busy mounts: EBUSY unless MNT_DETACH).
 */
#include <keel/slab.h>
#include <keel/string.h>
#include <keel/syscall.h>
#include <keel/task.h>
#include <keel/uaccess.h>

#include "internal.h"

static unsigned int ms_to_mnt(unsigned long ms)
{
	return ((ms & MS_RDONLY) ? MNT_RDONLY : 0) |
	       ((ms & MS_NOSUID) ? MNT_NOSUID : 0) |
	       ((ms & MS_NODEV) ? MNT_NODEV : 0) |
	       ((ms & MS_NOEXEC) ? MNT_NOEXEC : 0);
}

static long lookup_mountpoint(const char *name, struct path *p,
			      bool follow)
{
	struct nameidata nd;
	long err = nd_init(&nd, AT_FDCWD, name, follow ? LOOKUP_FOLLOW : 0);

	if (!err) {
		err = walk_path(&nd, name, p);
		nd_done(&nd);
	}
	return err;
}

/* A new mount (or bind) on @at. [n] held. */
static long do_new_mount(const struct path *at, const char *type,
			 const char *src, void *data, unsigned long flags)
{
	struct mount *m;

	if (!S_ISDIR(at->dentry->d_inode->i_mode))
		return -ENOTDIR;
	if (flags & MS_BIND) {
		struct path from;
		long err = lookup_mountpoint(src, &from, true);

		if (err)
			return err;
		m = kzalloc(sizeof(*m), GFP_KERNEL);
		if (!m) {
			path_put(&from);
			return -ENOMEM;
		}
		if (S_ISDIR(from.dentry->d_inode->i_mode) !=
		    S_ISDIR(at->dentry->d_inode->i_mode)) {
			kfree(m);
			path_put(&from);
			return -ENOTDIR;
		}
		m->mnt_sb = from.mnt->mnt_sb;
		__atomic_add_fetch(&m->mnt_sb->s_count, 1, __ATOMIC_RELAXED);
		m->mnt_root = dget(from.dentry);
		m->mnt_mountpoint = dget(from.dentry);
		m->mnt_parent = m;
		m->mnt_count = 1;
		INIT_LIST_HEAD(&m->mnt_children);
		INIT_LIST_HEAD(&m->mnt_child);
		INIT_LIST_HEAD(&m->mnt_list);
		path_put(&from);
	} else {
		struct file_system_type *t = type ? find_filesystem(type) :
						    NULL;

		if (!t)
			return -ENODEV;
		m = mount_new_sb(t, src, data, flags);
		if (IS_ERR(m))
			return PTR_ERR(m);
	}
	m->mnt_flags = ms_to_mnt(flags);
	mount_attach(m, at);
	return 0;
}

/* Copy mount(2)'s strings; @data up to a page. */
static long copy_mount_args(const char __user *usrc, const char __user *utype,
			    const void __user *udata, char **src, char **type,
			    char **data)
{
	*src = *type = *data = NULL;
	if (usrc) {
		*src = getname_flags(usrc, true);
		if (IS_ERR(*src))
			return PTR_ERR(*src);
	}
	if (utype) {
		*type = getname_flags(utype, true);
		if (IS_ERR(*type))
			return PTR_ERR(*type);
	}
	if (udata) {
		long n;

		*data = kmalloc(4096, GFP_KERNEL);
		if (!*data)
			return -ENOMEM;
		n = strncpy_from_user(*data, udata, 4096);
		if (n < 0)
			return n;
		(*data)[4095] = '\0';
	}
	return 0;
}

static void free_mount_args(char *src, char *type, char *data)
{
	putname(src);
	putname(type);
	if (!IS_ERR_OR_NULL(data))
		kfree(data);
}

static long mount_locked(const struct path *at, char *src, char *type,
			 char *data, unsigned long flags)
{
	if (flags & (MS_SHARED))
		return -EINVAL;
	if (flags & (MS_PRIVATE | MS_SLAVE))
		return 0;
	if (flags & MS_MOVE)
		return -EINVAL;
	if (flags & MS_REMOUNT) {
		if (at->dentry != at->mnt->mnt_root)
			return -EINVAL;
		at->mnt->mnt_flags = ms_to_mnt(flags);
		return 0;
	}
	if ((flags & MS_BIND) && !src)
		return -EFAULT;
	return do_new_mount(at, type, src, data, flags);
}

SYSCALL_DEFINE5(mount, const char *, source, const char *, target,
		const char *, filesystemtype, unsigned long, mountflags,
		const void *, data)
{
	char *src, *type, *dat, *tgt;
	struct path at;
	long err;

	if ((mountflags & MS_MGC_MSK) == MS_MGC_VAL)
		mountflags &= ~MS_MGC_MSK;
	if (!cred_is_root(vfs_cred()))
		return -EPERM;
	tgt = getname(target);
	if (IS_ERR(tgt))
		return PTR_ERR(tgt);
	err = copy_mount_args(source, filesystemtype, data, &src, &type, &dat);
	if (!err) {
		mutex_lock(&vfs_ns_lock);
		err = lookup_mountpoint(tgt, &at, true);
		if (!err) {
			err = mount_locked(&at, src, type, dat, mountflags);
			path_put(&at);
		}
		mutex_unlock(&vfs_ns_lock);
	}
	free_mount_args(src, type, dat);
	putname(tgt);
	return err;
}

SYSCALL_DEFINE2(umount2, const char *, target, int, flags)
{
	LIST_HEAD(dead);
	struct path p;
	struct mount *m;
	char *name;
	long err;

	if (flags & ~(MNT_FORCE | MNT_DETACH | MNT_EXPIRE | UMOUNT_NOFOLLOW))
		return -EINVAL;
	if ((flags & MNT_EXPIRE) && (flags & (MNT_FORCE | MNT_DETACH)))
		return -EINVAL;
	if (!cred_is_root(vfs_cred()))
		return -EPERM;
	name = getname(target);
	if (IS_ERR(name))
		return PTR_ERR(name);
	mutex_lock(&vfs_ns_lock);
	err = lookup_mountpoint(name, &p, !(flags & UMOUNT_NOFOLLOW));
	if (err)
		goto out;
	m = p.mnt;
	if (p.dentry != m->mnt_root)
		err = -EINVAL;
	else if (m->mnt_parent == m)
		err = -EBUSY;           /* the root */
	else if (flags & MNT_EXPIRE)
		err = -EAGAIN;
	else if (!(flags & MNT_DETACH) &&
		 (!list_empty(&m->mnt_children) ||
		  ref_read(&m->mnt_count) > 2))
		err = -EBUSY;           /* the tree's and our reference */
	if (!err)
		mount_detach(m, &dead);
	path_put(&p);
out:
	mutex_unlock(&vfs_ns_lock);
	while (!list_empty(&dead)) {
		m = list_first_entry(&dead, struct mount, mnt_list);
		list_del_init(&m->mnt_list);
		mnt_put(m);             /* the tree's reference */
	}
	putname(name);
	return err;
}
