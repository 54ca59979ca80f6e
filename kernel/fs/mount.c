/*
 * mount(2) and umount2(2): new mounts of registered types (tmpfs,
 * devtmpfs, proc, sysfs), bind mounts (MS_BIND: a copy of the source
 * mount rooted at the source directory, with its per-mount flags and
 * source string; MS_BIND | MS_REC copies the mounts below it too, leaving
 * out unbindable ones), moves (MS_MOVE: a whole subtree to a new place;
 * ELOOP into itself), remounts (MS_REMOUNT sets the super block's
 * read-only state and the mount's MS_RDONLY/NOSUID/NODEV/NOEXEC;
 * MS_REMOUNT | MS_BIND the mount's flags only), propagation types and
 * unmounts (a mount with submounts is busy: EBUSY unless MNT_DETACH),
 * and pivot_root(2).
 *
 * Propagation types (MS_SHARED/SLAVE/PRIVATE/UNBINDABLE) and the events
 * they carry are kernel/fs/mount_propagate.c's: new mounts, binds and
 * moves go through mount_graft(), umount through mount_umount_propagated().
 */
#include <keel/slab.h>
#include <keel/string.h>
#include <keel/syscall.h>
#include <keel/task.h>
#include <keel/uaccess.h>

#include "internal.h"

#define MS_UNBINDABLE  (1 << 17)
#define MS_PROPAGATION (MS_SHARED | MS_SLAVE | MS_PRIVATE | MS_UNBINDABLE)
/* Per-mount state that no remount changes. */
#define MNT_KEEP       (MNT_DETACHED | MNT_UNBINDABLE)

/* Is @m out of the tree (lazily unmounted)? Linux's !check_mnt(). [n] */
static bool mount_gone(const struct mount *m)
{
	return m->mnt_flags & MNT_DETACHED;
}

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

/* A new mount of a file system on @at. [n] held. */
static long do_new_mount(const struct path *at, const char *type,
			 const char *src, void *data, unsigned long flags)
{
	struct file_system_type *t = type ? find_filesystem(type) : NULL;
	struct mount *m;
	long err;

	if (!S_ISDIR(at->dentry->d_inode->i_mode))
		return -ENOTDIR;
	if (!t)
		return -ENODEV;
	m = mount_new_sb(t, src, data, flags);
	if (IS_ERR(m))
		return PTR_ERR(m);
	m->mnt_flags = ms_to_mnt(flags);
	err = mount_graft(m, at, false);
	if (err)
		mount_free_tree(m);
	return err;
}

/* Is @d @root or below it (in one file system)? [n] held. */
static bool dentry_below(struct dentry *d, struct dentry *root)
{
	for (;;) {
		if (d == root)
			return true;
		if (d->d_parent == d)
			return false;
		d = d->d_parent;
	}
}

/*
 * The mount after @m in a pre-order walk of @top's subtree, oldest
 * children first (mount_attach puts the newest first); @descend false
 * skips @m's own children.
 */
struct mount *mount_subtree_next(struct mount *m, struct mount *top,
				 bool descend)
{
	if (descend && !list_empty(&m->mnt_children))
		return list_last_entry(&m->mnt_children, struct mount,
				       mnt_child);
	while (m != top) {
		struct mount *parent = m->mnt_parent;

		if (m->mnt_child.prev != &parent->mnt_children)
			return list_entry(m->mnt_child.prev, struct mount,
					  mnt_child);
		m = parent;
	}
	return NULL;
}

/* Does @c (below @src) go into a recursive bind of @root in @src? */
static bool copy_wanted(struct mount *c, struct mount *src,
			struct dentry *root)
{
	if (c->mnt_flags & MNT_UNBINDABLE)
		return false;
	return c->mnt_parent != src || dentry_below(c->mnt_mountpoint, root);
}

/* Free a detached tree made by mount_copy_tree (attached nowhere). */
void mount_free_tree(struct mount *top)
{
	LIST_HEAD(dead);
	struct mount *m;

	while (!list_empty(&top->mnt_children))
		mount_detach(list_first_entry(&top->mnt_children,
					      struct mount, mnt_child), &dead);
	/* vfs_ns_lock is held, but the tree holds each parent: not last. */
	while (!list_empty(&dead)) {
		m = list_first_entry(&dead, struct mount, mnt_list);
		list_del_init(&m->mnt_list);
		mnt_put(m);
	}
	mount_set_private(top);
	mnt_put(top);
}

/*
 * mount_copy_tree - a detached copy of @src rooted at @root with every
 * mount below that directory (MS_BIND | MS_REC, propagation), unbindable
 * ones and their subtrees left out; @cl says how the copies propagate
 * (mount_clone). Return: the copy's top or ERR_PTR(-ENOMEM). [n]
 */
struct mount *mount_copy_tree(struct mount *src, struct dentry *root, int cl)
{
	struct mount **orig, **copy, *m, *top;
	size_t n = 1, i, k;
	bool want;

	for (m = mount_subtree_next(src, src, true); m;
	     m = mount_subtree_next(m, src, want))
		if ((want = copy_wanted(m, src, root)))
			n++;
	orig = kmalloc(2 * n * sizeof(*orig), GFP_KERNEL);
	top = mount_clone(src, root, cl);
	if (!orig || !top)
		goto err_nomem;
	copy = orig + n;
	orig[0] = src;
	copy[0] = top;
	i = 1;
	for (m = mount_subtree_next(src, src, true); m && i < n;
	     m = mount_subtree_next(m, src, want)) {
		if (!(want = copy_wanted(m, src, root)))
			continue;
		for (k = 0; k < i && orig[k] != m->mnt_parent; k++)
			;
		if (k == i)             /* cannot happen: parents come first */
			goto err_nomem;
		orig[i] = m;
		copy[i] = mount_clone(m, m->mnt_root, cl);
		if (!copy[i])
			goto err_nomem;
		mount_attach(copy[i], &(struct path){ copy[k],
						      m->mnt_mountpoint });
		i++;
	}
	kfree(orig);
	return top;

err_nomem:
	if (top)
		mount_free_tree(top);
	kfree(orig);
	return ERR_PTR(-ENOMEM);
}

/* mount --bind (MS_REC: --rbind) @src on @at. [n] held. */
static long do_bind(const struct path *at, const char *src, bool rec)
{
	struct mount *m;
	struct path from;
	long err;

	if (!src)
		return -EFAULT;
	err = lookup_mountpoint(src, &from, true);
	if (err)
		return err;
	err = -EINVAL;
	if ((from.mnt->mnt_flags & (MNT_UNBINDABLE | MNT_DETACHED)))
		goto out;
	err = -ENOTDIR;
	if (!S_ISDIR(at->dentry->d_inode->i_mode) ||
	    !S_ISDIR(from.dentry->d_inode->i_mode))
		goto out;
	if (rec) {
		m = mount_copy_tree(from.mnt, from.dentry, 0);
		err = IS_ERR(m) ? PTR_ERR(m) : 0;
	} else {
		m = mount_clone(from.mnt, from.dentry, 0);
		err = m ? 0 : -ENOMEM;
	}
	if (!err) {
		err = mount_graft(m, at, false);
		if (err)
			mount_free_tree(m);
	}
out:
	path_put(&from);
	return err;
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

/*
 * Take attached @m off its parent: its parent and mountpoint references
 * move to *@parent and *@mp for the caller to drop. [n] held.
 */
static void mount_unhook(struct mount *m, struct mount **parent,
			 struct dentry **mp)
{
	*parent = m->mnt_parent;
	*mp = m->mnt_mountpoint;
	list_del_init(&m->mnt_child);
	(*mp)->d_mounted--;
}

/* Put @m (off any parent, in the mount list) on (@parent, @mp). [n] */
static void mount_hook(struct mount *m, struct mount *parent,
		       struct dentry *mp)
{
	m->mnt_parent = mnt_get(parent);
	m->mnt_mountpoint = dget(mp);
	mp->d_mounted++;
	list_add(&m->mnt_child, &parent->mnt_children);
}

static bool tree_has_unbindable(struct mount *top)
{
	struct mount *m;

	for (m = top; m; m = mount_subtree_next(m, top, true))
		if (m->mnt_flags & MNT_UNBINDABLE)
			return true;
	return false;
}

/* MS_MOVE: move the mount at @src (with its subtree) to @at. [n] held. */
static long do_move(const struct path *at, const char *src)
{
	struct mount *m, *p, *old_parent;
	struct dentry *old_mp;
	struct path from;
	long err;

	if (!src)
		return -EFAULT;
	err = lookup_mountpoint(src, &from, true);
	if (err)
		return err;
	m = from.mnt;
	if (mount_gone(m)) {
		path_put(&from);
		return -EINVAL;
	}
	err = -EINVAL;
	if (from.dentry != m->mnt_root || m->mnt_parent == m ||
	    (m->mnt_flags & MNT_DETACHED))
		goto out;
	/* Linux: nothing moves out of a shared mount, and no unbindable
	 * mount moves below one. */
	if (m->mnt_parent->mnt_group_id ||
	    (at->mnt->mnt_group_id && tree_has_unbindable(m)))
		goto out;
	err = -ENOTDIR;
	if (S_ISDIR(at->dentry->d_inode->i_mode) !=
	    S_ISDIR(m->mnt_root->d_inode->i_mode))
		goto out;
	err = -ELOOP;           /* @at is in the subtree being moved */
	for (p = at->mnt; ; p = p->mnt_parent) {
		if (p == m)
			goto out;
		if (p->mnt_parent == p)
			break;
	}
	mount_unhook(m, &old_parent, &old_mp);
	err = mount_graft(m, at, true);
	if (err)                /* out of memory: back where it was */
		mount_hook(m, old_parent, old_mp);
	dput(old_mp);
	mnt_put(old_parent);    /* still in the tree: not the last reference */
out:
	path_put(&from);
	return err;
}

/* MS_REMOUNT (with MS_BIND: the mount's flags only). [n] held. */
static long do_remount(const struct path *at, unsigned long flags)
{
	struct mount *m = at->mnt;

	if (at->dentry != m->mnt_root)
		return -EINVAL;
	if (!(flags & MS_BIND)) {
		if (flags & MS_RDONLY)
			m->mnt_sb->s_flags |= SB_RDONLY;
		else
			m->mnt_sb->s_flags &= ~SB_RDONLY;
	}
	m->mnt_flags = (m->mnt_flags & MNT_KEEP) | ms_to_mnt(flags);
	return 0;
}

/* MS_SHARED/SLAVE/PRIVATE/UNBINDABLE (MS_REC: the subtree). [n] held. */
static long do_change_type(const struct path *at, unsigned long flags)
{
	unsigned long type = flags & MS_PROPAGATION;
	struct mount *top = at->mnt, *m;

	/* Exactly one type, and nothing else but MS_REC and MS_SILENT. */
	if ((type & (type - 1)) ||
	    (flags & ~(MS_PROPAGATION | MS_REC | MS_SILENT)))
		return -EINVAL;
	if (at->dentry != top->mnt_root)
		return -EINVAL;
	for (m = top; m;
	     m = (flags & MS_REC) ? mount_subtree_next(m, top, true) : NULL) {
		mount_set_type(m, type);
		if (type == MS_UNBINDABLE)
			m->mnt_flags |= MNT_UNBINDABLE;
		else
			m->mnt_flags &= ~MNT_UNBINDABLE;
	}
	return 0;
}

static long mount_locked(const struct path *at, char *src, char *type,
			 char *data, unsigned long flags)
{
	if (mount_gone(at->mnt))
		return -EINVAL;         /* nothing may be done under it */
	if (flags & MS_REMOUNT)
		return do_remount(at, flags);
	if (flags & MS_BIND)
		return do_bind(at, src, flags & MS_REC);
	if (flags & MS_PROPAGATION)
		return do_change_type(at, flags);
	if (flags & MS_MOVE)
		return do_move(at, src);
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
	if (p.dentry != m->mnt_root || mount_gone(m))
		err = -EINVAL;          /* not a mount root, or already detached */
	else if (m->mnt_parent == m)
		err = -EBUSY;           /* the root */
	else if (flags & MNT_EXPIRE)
		err = -EAGAIN;
	else if (!(flags & MNT_DETACH) &&
		 (!list_empty(&m->mnt_children) ||
		  ref_read(&m->mnt_count) > 2))
		err = -EBUSY;           /* the tree's and our reference */
	if (!err)
		err = mount_umount_propagated(m, flags & MNT_DETACH, &dead);
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

/* ---- pivot_root(2) ---------------------------------------------------------- */

/* Is (@m, @d) at or below @root, following mounts down from it? [n] */
static bool path_reachable(struct mount *m, struct dentry *d,
			   const struct path *root)
{
	while (m != root->mnt && m->mnt_parent != m) {
		d = m->mnt_mountpoint;
		m = m->mnt_parent;
	}
	return m == root->mnt && dentry_below(d, root->dentry);
}

/*
 * Every task whose root or cwd is @old gets @new instead (Linux's
 * chroot_fs_refs). Return: how many references to @old were given up,
 * for the caller to drop without spinlocks. Context: [n] held.
 */
static int fs_refs_replace(const struct path *old, const struct path *new)
{
	struct process *p;
	struct task *t;
	int n = 0;

	spin_lock(&tasklist_lock);
	list_for_each_entry(p, &all_processes, all_link) {
		list_for_each_entry(t, &p->tasks, proc_link) {
			struct fs_ctx *fs = t->fs;

			if (!fs)
				continue;
			spin_lock(&fs->lock);
			if (fs->root.mnt == old->mnt &&
			    fs->root.dentry == old->dentry) {
				path_get(new);
				fs->root = *new;
				n++;
			}
			if (fs->pwd.mnt == old->mnt &&
			    fs->pwd.dentry == old->dentry) {
				path_get(new);
				fs->pwd = *new;
				n++;
			}
			spin_unlock(&fs->lock);
		}
	}
	spin_unlock(&tasklist_lock);
	return n;
}

/* The checks of man 2 pivot_root, in Linux's order. [n] held. */
static long pivot_check(const struct path *new, const struct path *old,
			const struct path *root)
{
	if (!S_ISDIR(new->dentry->d_inode->i_mode) ||
	    !S_ISDIR(old->dentry->d_inode->i_mode))
		return -ENOTDIR;
	if (mount_gone(new->mnt) || mount_gone(old->mnt) ||
	    mount_gone(root->mnt))
		return -EINVAL;
	if (old->mnt->mnt_group_id || new->mnt->mnt_parent->mnt_group_id ||
	    root->mnt->mnt_parent->mnt_group_id)
		return -EINVAL;         /* shared mounts would propagate it */
	if (new->mnt == root->mnt || old->mnt == root->mnt)
		return -EBUSY;
	if (root->dentry != root->mnt->mnt_root ||
	    root->mnt->mnt_parent == root->mnt)
		return -EINVAL;         /* root not a mount, or the rootfs */
	if (new->dentry != new->mnt->mnt_root ||
	    new->mnt->mnt_parent == new->mnt)
		return -EINVAL;
	if (!path_reachable(old->mnt, old->dentry, new) ||
	    !path_reachable(new->mnt, new->dentry, root))
		return -EINVAL;
	return 0;
}

/*
 * Make @new the root mount of the caller's view and put the old root
 * mount on @old (below @new); roots and cwds at the old root move to
 * the new one. Return: 0 or -errno. [n] held.
 */
static long do_pivot_root(const struct path *new, const struct path *old,
			  const struct path *root)
{
	struct mount *new_parent, *root_parent;
	struct dentry *new_mp, *root_mp;
	long err = pivot_check(new, old, root);
	int refs;

	if (err)
		return err;
	mount_unhook(new->mnt, &new_parent, &new_mp);
	mount_unhook(root->mnt, &root_parent, &root_mp);
	mount_hook(root->mnt, old->mnt, old->dentry);
	mount_hook(new->mnt, root_parent, root_mp);
	refs = fs_refs_replace(root, new);
	while (refs--)
		path_put(root);         /* the caller's own keeps it alive */
	/* All still in the tree: none of these is a last reference. */
	dput(new_mp);
	dput(root_mp);
	mnt_put(new_parent);
	mnt_put(root_parent);
	return 0;
}

SYSCALL_DEFINE2(pivot_root, const char *, new_root, const char *, put_old)
{
	struct path new, old, root;
	char *nname, *oname;
	long err;

	if (!cred_is_root(vfs_cred()))
		return -EPERM;
	nname = getname(new_root);
	if (IS_ERR(nname))
		return PTR_ERR(nname);
	oname = getname(put_old);
	if (IS_ERR(oname)) {
		putname(nname);
		return PTR_ERR(oname);
	}
	mutex_lock(&vfs_ns_lock);
	err = lookup_mountpoint(nname, &new, true);
	if (err)
		goto out;
	err = lookup_mountpoint(oname, &old, true);
	if (err)
		goto out_new;
	current_root(&root);
	err = do_pivot_root(&new, &old, &root);
	path_put(&root);
	path_put(&old);
out_new:
	path_put(&new);
out:
	mutex_unlock(&vfs_ns_lock);
	putname(oname);
	putname(nname);
	return err;
}
