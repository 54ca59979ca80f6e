/*
 * devpts, the pty slave file system (man 4 pts): one shared instance
 * (every mount shows the same nodes), holding "ptmx" (5, 2) and one
 * node N (136, N) per pty whose master is open. A node is created by the
 * ptmx open, owned by the opener (group: gid= of the mount options, or
 * the opener's), mode mode= (default 0600; Linux's 0620 with the usual
 * options), and removed when the master is closed.
 *
 * Mount options (fill_super of the first mount): mode=, ptmxmode= (of
 * /dev/pts/ptmx, default 0000), uid=, gid=; newinstance and max= are
 * accepted and ignored. The directory lives in the dcache (pinned
 * dentries, listed by tmpfs's iterate); it has no create/unlink
 * operations, so users cannot add or remove names (EPERM).
 *
 * Locking: vfs_ns_lock ([n]) around every change of the tree and of
 * devpts_sb; the options are [I] after the first mount.
 */
#include <keel/kstrtox.h>
#include <keel/sprintf.h>
#include <keel/string.h>
#include <keel/task.h>

#include "../fs/internal.h"
#include "../fs/tmpfs.h"
#include "tty_internal.h"

#define DEVPTS_SUPER_MAGIC 0x1cd1

static struct super_block *devpts_sb;   /* [n] the shared instance */
static struct mount *devpts_kmnt;       /* [n] a mount for kernel opens */
static u64 devpts_next_pos = 2;         /* [n] directory positions */

static struct {
	umode_t mode, ptmxmode;
	bool has_uid, has_gid;
	uid_t uid;
	gid_t gid;
} opts = { .mode = 0600, .ptmxmode = 0 };

static const struct inode_operations devpts_dir_iops;

static int devpts_parse(const char *data)
{
	char buf[256], *o = buf, *next;

	if (!data)
		return 0;
	strscpy(buf, data, sizeof(buf));
	while (o && *o) {
		unsigned long long v = 0;
		char *eq;
		int err = 0;

		next = strchr(o, ',');
		if (next)
			*next++ = '\0';
		eq = strchr(o, '=');
		if (eq)
			*eq++ = '\0';
		if (eq)
			err = kstrtoull(eq, !strcmp(o, "mode") ||
					!strcmp(o, "ptmxmode") ? 8 : 10, &v);
		if (err)
			return -EINVAL;
		if (!strcmp(o, "mode") && eq)
			opts.mode = (umode_t)(v & 0777);
		else if (!strcmp(o, "ptmxmode") && eq)
			opts.ptmxmode = (umode_t)(v & 0777);
		else if (!strcmp(o, "uid") && eq)
			opts.uid = (uid_t)v, opts.has_uid = true;
		else if (!strcmp(o, "gid") && eq)
			opts.gid = (gid_t)v, opts.has_gid = true;
		else if (strcmp(o, "newinstance") && strcmp(o, "max") &&
			 strcmp(o, "rw") && strcmp(o, "ro"))
			return -EINVAL;
		o = next;
	}
	return 0;
}

/* A new node @name in the root: mode, device, owner. [n] held. */
static int devpts_mknod(const char *name, umode_t mode, dev_t rdev,
			uid_t uid, gid_t gid)
{
	struct dentry *root = devpts_sb->s_root, *d;
	struct inode *inode;

	d = d_alloc(root, name, strlen(name));
	if (IS_ERR(d))
		return (int)PTR_ERR(d);
	inode = new_inode(devpts_sb, mode);
	if (!inode) {
		dput(d);
		return -ENOMEM;
	}
	inode->i_rdev = rdev;
	inode->i_uid = uid;
	inode->i_gid = gid;
	d->d_pos = devpts_next_pos++;
	d_instantiate(d, inode);
	d_pin(d);
	dput(d);
	return 0;
}

static int devpts_fill_super(struct super_block *sb, const char *source,
			     void *data, unsigned long flags)
{
	struct inode *root;
	int err = devpts_parse(data);

	if (err)
		return err;
	root = tmpfs_new_inode(sb, S_IFDIR | 0755, &root_cred, 0);
	if (!root)
		return -ENOMEM;
	root->i_op = &devpts_dir_iops;  /* no create, unlink, ... */
	sb->s_magic = DEVPTS_SUPER_MAGIC;
	sb->s_root = d_make_root(root);
	if (!sb->s_root)
		return -ENOMEM;
	devpts_sb = sb;
	return devpts_mknod("ptmx", S_IFCHR | opts.ptmxmode, MKDEV(5, 2), 0,
			    0);
}

static struct file_system_type devpts_type = {
	.name = "devpts",
	.fs_flags = FS_SINGLE,
	.fill_super = devpts_fill_super,
};

/* The shared instance, made with default options if nobody mounted it. */
static int devpts_ensure(void)
{
	struct mount *m;

	if (devpts_kmnt)
		return 0;
	m = mount_new_sb(&devpts_type, "devpts", NULL, 0);
	if (IS_ERR(m))
		return (int)PTR_ERR(m);
	devpts_kmnt = m;
	return 0;
}

int devpts_add(unsigned int index, struct pty *pty)
{
	const struct cred *c = current_cred_or_root();
	char name[16];
	int err;

	snprintf(name, sizeof(name), "%u", index);
	mutex_lock(&vfs_ns_lock);
	err = devpts_ensure();
	if (!err)
		err = devpts_mknod(name, S_IFCHR | opts.mode,
				   MKDEV(UNIX98_PTY_SLAVE_MAJOR, index),
				   opts.has_uid ? opts.uid : c->fsuid,
				   opts.has_gid ? opts.gid : c->fsgid);
	mutex_unlock(&vfs_ns_lock);
	return err;
}

void devpts_remove(unsigned int index)
{
	struct dentry *d;
	char name[16];

	snprintf(name, sizeof(name), "%u", index);
	mutex_lock(&vfs_ns_lock);
	d = devpts_sb ? d_lookup(devpts_sb->s_root, name, strlen(name)) :
			NULL;
	if (d) {
		if (d->d_inode)
			d_delete(d);
		dput(d);
	}
	mutex_unlock(&vfs_ns_lock);
}

/*
 * devpts_open_slave - open /dev/pts/@index as a new file (TIOCGPTPEER):
 * through the mount at /dev/pts when there is one, so the file's path
 * (ttyname, /proc/<pid>/fd) is the familiar one.
 */
struct file *devpts_open_slave(unsigned int index, int flags)
{
	struct path p = { NULL, NULL };
	char name[32];
	struct file *f;

	snprintf(name, sizeof(name), "/dev/pts/%u", index);
	f = file_open_kernel(name, flags & ~O_CLOEXEC, 0);
	if (!IS_ERR(f) && f->f_op == &tty_fops &&
	    tty_from_file(f)->dev == MKDEV(UNIX98_PTY_SLAVE_MAJOR, index))
		return f;
	if (!IS_ERR(f))
		fput(f);
	/* Not mounted there: the kernel's own mount of the instance. */
	mutex_lock(&vfs_ns_lock);
	if (devpts_kmnt) {
		p.dentry = d_lookup(devpts_sb->s_root, name + 9,
				    strlen(name + 9));
		if (p.dentry && !p.dentry->d_inode) {
			dput(p.dentry);
			p.dentry = NULL;
		}
		if (p.dentry)
			p.mnt = mnt_get(devpts_kmnt);
	}
	mutex_unlock(&vfs_ns_lock);
	if (!p.dentry)
		return ERR_PTR(-EIO);
	f = vfs_open_path(&p, flags & ~O_CLOEXEC);
	path_put(&p);
	return f;
}

void devpts_init(void)
{
	register_filesystem(&devpts_type);
}
