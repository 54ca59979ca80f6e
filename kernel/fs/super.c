/*
 * File system types, super blocks, the mount tree and start-up.
 *
 * A mount attaches a super block's tree (or, for a bind mount, a subtree)
 * on a directory of its parent mount. The tree holds one reference to
 * each attached mount, and a mount holds one on its parent, its root and
 * mountpoint dentries and (through s_count) its super block. Path walks
 * cross mounts with mount_lookup(); everything here runs under
 * vfs_ns_lock except the reference drops.
 *
 * vfs_init() mounts tmpfs as "/" and, as Linux's built-in default
 * initramfs does, creates /dev, /dev/console (5, 1) and /root, so init
 * finds a console even if the archive provides none.
 */
#include <keel/printk.h>
#include <keel/slab.h>
#include <keel/string.h>
#include <keel/task.h>

#include "internal.h"

DEFINE_MUTEX(vfs_ns_lock);
struct mount *root_mount;

static struct file_system_type *fs_types;   /* [n] */
static LIST_HEAD(super_blocks);              /* [sb_lock] */
static DEFINE_SPINLOCK(sb_lock);             /* a leaf: the list only */
static LIST_HEAD(all_mounts);                /* [n] */
static unsigned int next_anon_dev = 1;       /* [n] minor numbers, major 0 */
static int next_mnt_id = 1;                  /* [n] mount ids (mountinfo) */

/**
 * register_filesystem - make @fs mountable by its name.
 * Context: process context. Return: 0 or -EBUSY (the name is taken).
 */
int register_filesystem(struct file_system_type *fs)
{
	int err = 0;

	mutex_lock(&vfs_ns_lock);
	if (find_filesystem(fs->name)) {
		err = -EBUSY;
	} else {
		fs->next = fs_types;
		fs_types = fs;
	}
	mutex_unlock(&vfs_ns_lock);
	return err;
}

/* The registered type named @name, or NULL. Context: [n] held. */
struct file_system_type *find_filesystem(const char *name)
{
	struct file_system_type *t;

	for (t = fs_types; t; t = t->next)
		if (!strcmp(t->name, name))
			return t;
	return NULL;
}

/* A new super block of @type with a fresh anonymous device. [n] held. */
struct super_block *sb_alloc(struct file_system_type *type)
{
	struct super_block *sb = kzalloc(sizeof(*sb), GFP_KERNEL);

	if (!sb)
		return NULL;
	sb->s_type = type;
	sb->s_dev = MKDEV(0, next_anon_dev++);
	sb->s_count = 1;
	INIT_LIST_HEAD(&sb->s_list);
	return sb;
}

/* A detached mount of @root in @sb; @devname is copied. [n] held. */
static struct mount *mount_alloc(struct super_block *sb, struct dentry *root,
				 const char *devname)
{
	struct mount *m = kzalloc(sizeof(*m), GFP_KERNEL);

	if (!m)
		return NULL;
	m->mnt_devname = kstrdup(devname ? devname : "none", GFP_KERNEL);
	if (!m->mnt_devname) {
		kfree(m);
		return NULL;
	}
	/* Ids are not reused before they wrap (Linux reuses the lowest). */
	m->mnt_id = next_mnt_id;
	next_mnt_id = next_mnt_id == 0x7fffffff ? 1 : next_mnt_id + 1;
	m->mnt_sb = sb;
	m->mnt_root = dget(root);
	m->mnt_parent = m;
	m->mnt_mountpoint = dget(root);
	m->mnt_count = 1;
	INIT_LIST_HEAD(&m->mnt_children);
	INIT_LIST_HEAD(&m->mnt_child);
	INIT_LIST_HEAD(&m->mnt_list);
	INIT_LIST_HEAD(&m->mnt_share);
	INIT_LIST_HEAD(&m->mnt_slave_list);
	INIT_LIST_HEAD(&m->mnt_slave);
	return m;
}

static struct super_block *find_single_sb(struct file_system_type *type)
{
	struct super_block *sb;

	struct super_block *found = NULL;

	spin_lock(&sb_lock);
	list_for_each_entry(sb, &super_blocks, s_list) {
		if (sb->s_type == type) {
			found = sb;
			break;
		}
	}
	spin_unlock(&sb_lock);
	return found;
}

/**
 * mount_new_sb - a detached mount of a new super block of @type (or the
 * shared one of an FS_SINGLE type). Context: [n] held. Return: the mount
 * (one reference) or ERR_PTR.
 */
struct mount *mount_new_sb(struct file_system_type *type, const char *src,
			   void *data, unsigned long flags)
{
	struct super_block *sb = NULL;
	struct mount *m;
	int err;

	if (type->fs_flags & FS_SINGLE)
		sb = find_single_sb(type);
	if (sb) {
		__atomic_add_fetch(&sb->s_count, 1, __ATOMIC_RELAXED);
	} else {
		sb = sb_alloc(type);
		if (!sb)
			return ERR_PTR(-ENOMEM);
		err = type->fill_super(sb, src, data, flags);
		if (err) {
			kfree(sb);
			return ERR_PTR(err);
		}
		spin_lock(&sb_lock);
		list_add_tail(&sb->s_list, &super_blocks);
		spin_unlock(&sb_lock);
	}
	m = mount_alloc(sb, sb->s_root, src);
	if (!m) {
		/* Leave the super block to a later mount_put of it. */
		__atomic_sub_fetch(&sb->s_count, 1, __ATOMIC_RELAXED);
		return ERR_PTR(-ENOMEM);
	}
	return m;
}

/**
 * mount_clone - a detached copy of @old rooted at @root (a dentry of
 * @old's tree): the same super block, source and per-mount flags, as a
 * bind mount makes, and its propagation as @cl (CL_*) says.
 * Context: [n] held. Return: the mount (one reference) or NULL (-ENOMEM).
 */
struct mount *mount_clone(struct mount *old, struct dentry *root, int cl)
{
	struct mount *m = mount_alloc(old->mnt_sb, root, old->mnt_devname);

	if (!m)
		return NULL;
	__atomic_add_fetch(&m->mnt_sb->s_count, 1, __ATOMIC_RELAXED);
	m->mnt_flags = old->mnt_flags & ~(MNT_DETACHED | MNT_MARKED);
	mount_clone_propagation(m, old, cl);
	return m;
}

static void sb_put(struct super_block *sb)
{
	if (!ref_dec_and_test(&sb->s_count))
		return;
	spin_lock(&sb_lock);
	list_del_init(&sb->s_list);
	spin_unlock(&sb_lock);
	if (sb->s_op && sb->s_op->put_super)
		sb->s_op->put_super(sb);
	dput(sb->s_root);
	kfree(sb);
}

struct mount *mnt_get(struct mount *m)
{
	if (m)
		ref_inc(&m->mnt_count);
	return m;
}

/**
 * mnt_put - drop a reference; a detached mount's last one frees it and
 * lets go of its super block. Context: process context; not with
 * vfs_ns_lock held when it may be the last reference.
 */
void mnt_put(struct mount *m)
{
	struct mount *parent;

	if (!m || !ref_dec_and_test(&m->mnt_count))
		return;
	parent = m->mnt_parent;
	dput(m->mnt_mountpoint);
	dput(m->mnt_root);
	sb_put(m->mnt_sb);
	kfree(m->mnt_devname);
	kfree(m);
	if (parent != m)
		mnt_put(parent);
}

void path_get(const struct path *p)
{
	mnt_get(p->mnt);
	dget(p->dentry);
}

void path_put(const struct path *p)
{
	dput(p->dentry);
	mnt_put(p->mnt);
}

/* The mount attached on (@m, @d), or NULL. Context: [n] held. */
struct mount *mount_lookup(struct mount *m, struct dentry *d)
{
	struct mount *c;

	if (!d->d_mounted)
		return NULL;
	list_for_each_entry(c, &m->mnt_children, mnt_child)
		if (c->mnt_mountpoint == d)
			return c;
	return NULL;
}

/* Attach detached @m (its reference passes to the tree) on @at. [n] */
void mount_attach(struct mount *m, const struct path *at)
{
	dput(m->mnt_mountpoint);
	m->mnt_parent = mnt_get(at->mnt);
	m->mnt_mountpoint = dget(at->dentry);
	at->dentry->d_mounted++;
	list_add(&m->mnt_child, &at->mnt->mnt_children);
	list_add_tail(&m->mnt_list, &all_mounts);
}

/*
 * Detach @m and everything mounted below it from the tree; the caller
 * mnt_puts each of the returned list's mounts after dropping [n].
 */
void mount_detach(struct mount *m, struct list_head *dead)
{
	while (!list_empty(&m->mnt_children))
		mount_detach(list_first_entry(&m->mnt_children, struct mount,
					      mnt_child), dead);
	list_del_init(&m->mnt_child);
	list_del(&m->mnt_list);
	mount_set_private(m);
	m->mnt_mountpoint->d_mounted--;
	m->mnt_flags |= MNT_DETACHED;
	list_add_tail(&m->mnt_list, dead);
}

bool path_is_readonly(const struct path *p)
{
	return (p->mnt->mnt_flags & MNT_RDONLY) ||
	       (p->mnt->mnt_sb->s_flags & SB_RDONLY);
}

static void rootfs_populate(void)
{
	static const struct {
		const char *path;
		umode_t mode;
		dev_t rdev;
	} nodes[] = {
		{ "/dev", S_IFDIR | 0755, 0 },
		{ "/dev/console", S_IFCHR | 0600, MKDEV(5, 1) },
		{ "/root", S_IFDIR | 0700, 0 },
	};
	struct nameidata nd;
	unsigned int i;
	int err;

	for (i = 0; i < ARRAY_SIZE(nodes); i++) {
		err = nd_init_at(&nd, &root_cred, NULL, NULL, 0);
		if (!err) {
			err = vfs_mknod_at(&nd, nodes[i].path, nodes[i].mode,
					   nodes[i].rdev, NULL);
			nd_done(&nd);
		}
		if (err && err != -EEXIST)
			pr_warn("vfs: creating %s: error %d\n", nodes[i].path,
				err);
	}
}

/**
 * vfs_init - start the VFS: tmpfs mounted as "/", the standard file
 * system types and devices registered. Idempotent.
 * Context: boot, process context.
 */
bool vfs_root_mounted(void)
{
	return READ_ONCE(root_mount) != NULL;
}

void vfs_init(void)
{
	struct mount *m;

	if (root_mount)
		return;
	dcache_init();
	tmpfs_register();
	register_filesystem(&devtmpfs_type);
	devices_init();
	mutex_lock(&vfs_ns_lock);
	m = mount_new_sb(&tmpfs_type, "rootfs", NULL, 0);
	if (IS_ERR(m)) {
		mutex_unlock(&vfs_ns_lock);
		pr_err("vfs: cannot mount the root tmpfs: %ld\n", PTR_ERR(m));
		return;
	}
	list_add_tail(&m->mnt_list, &all_mounts);
	root_mount = m;
	mutex_unlock(&vfs_ns_lock);
	rootfs_populate();
	pr_info("vfs: tmpfs mounted as /\n");
}
