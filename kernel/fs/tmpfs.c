/*
 * tmpfs: a file system that lives in the dcache and page-backed inodes.
 *
 * Directories are their dentries' d_subdirs lists (each positive dentry
 * pinned, see dcache.c), so lookup never reaches the file system and a
 * miss means "no such file". Directory positions are per-entry numbers
 * (d_pos, increasing in list order), so getdents resumes correctly while
 * entries are removed (rm -r). Directory link counts are 2 + the number of
 * subdirectories; directory sizes grow by 20 per entry like Linux's tmpfs.
 *
 * Mount options: mode=, uid=, gid= (of the root), size= and nr_inodes=
 * (accepted; Keel's tmpfs is bounded by free memory only).
 */
#include <keel/kstrtox.h>
#include <keel/mm.h>
#include <keel/slab.h>
#include <keel/sprintf.h>
#include <keel/string.h>
#include <keel/task.h>

#include "internal.h"
#include "tmpfs.h"

#define BOGO_DIRENT_SIZE 20

static const struct inode_operations tmpfs_dir_iops;
static const struct file_operations tmpfs_dir_fops;
static const struct super_operations tmpfs_sops;

/**
 * tmpfs_new_inode - a new tmpfs inode of @mode owned by @cred.
 * Context: process context. Return: the inode or NULL.
 */
struct inode *tmpfs_new_inode(struct super_block *sb, umode_t mode,
			      const struct cred *cred, dev_t rdev)
{
	struct inode *inode = kzalloc(sizeof(*inode), GFP_KERNEL);
	struct tmpfs_inode *ti = kzalloc(sizeof(*ti), GFP_KERNEL);

	if (!inode || !ti) {
		kfree(inode);
		kfree(ti);
		return NULL;
	}
	inode_init_common(inode, sb, mode, cred);
	mutex_init(&ti->pages_lock);
	spin_lock_init(&ti->map_lock);
	INIT_LIST_HEAD(&ti->maps);
	ti->seals = F_SEAL_SEAL;        /* only memfd_create may allow them */
	ti->next_dpos = 2;
	inode->i_private = ti;
	inode->i_rdev = rdev;
	if (S_ISREG(mode)) {
		inode->i_op = &tmpfs_file_iops;
		inode->i_fop = &tmpfs_file_fops;
	} else if (S_ISDIR(mode)) {
		inode->i_op = &tmpfs_dir_iops;
		inode->i_fop = &tmpfs_dir_fops;
		inode->i_nlink = 2;
		inode->i_size = 2 * BOGO_DIRENT_SIZE;
	}
	return inode;
}

static void tmpfs_evict(struct inode *inode)
{
	struct tmpfs_inode *ti = TMPFS_I(inode);

	if (!ti)
		return;
	if (S_ISREG(inode->i_mode))
		tmpfs_free_pages(inode);
	kfree(ti);
	inode->i_private = NULL;
}

/* A new entry @d in @dir for @inode (its reference passes to @d). [n] */
static void tmpfs_attach(struct inode *dir, struct dentry *d,
			 struct inode *inode)
{
	d->d_pos = TMPFS_I(dir)->next_dpos++;
	d_instantiate(d, inode);
	d_pin(d);
	dir->i_size += BOGO_DIRENT_SIZE;
	inode_touch(dir, true);
}

static int tmpfs_create(struct inode *dir, struct dentry *d, umode_t mode,
			dev_t rdev)
{
	struct inode *inode = tmpfs_new_inode(dir->i_sb, mode, vfs_cred(),
					      rdev);

	if (!inode)
		return -ENOSPC;
	/* setgid directories pass their group on (and setgid to subdirs). */
	if (dir->i_mode & S_ISGID) {
		inode->i_gid = dir->i_gid;
		if (S_ISDIR(mode))
			inode->i_mode |= S_ISGID;
	}
	tmpfs_attach(dir, d, inode);
	return 0;
}

static int tmpfs_mkdir(struct inode *dir, struct dentry *d, umode_t mode)
{
	int err = tmpfs_create(dir, d, S_IFDIR | (mode & 07777), 0);

	if (!err)
		dir->i_nlink++;
	return err;
}

static int tmpfs_symlink(struct inode *dir, struct dentry *d,
			 const char *target)
{
	struct inode *inode = tmpfs_new_inode(dir->i_sb, S_IFLNK | 0777,
					      vfs_cred(), 0);

	if (!inode)
		return -ENOSPC;
	inode->i_link = vfs_strdup(target);
	if (!inode->i_link) {
		iput(inode);
		return -ENOSPC;
	}
	inode->i_size = (loff_t)strlen(target);
	if (dir->i_mode & S_ISGID)
		inode->i_gid = dir->i_gid;
	tmpfs_attach(dir, d, inode);
	return 0;
}

static int tmpfs_link(struct dentry *old, struct inode *dir,
		      struct dentry *d)
{
	struct inode *inode = old->d_inode;

	inode->i_nlink++;
	inode_touch(inode, false);
	tmpfs_attach(dir, d, iget(inode));
	return 0;
}

int tmpfs_tmpfile(const struct path *dir, umode_t mode, bool linkable,
		  struct path *res)
{
	struct inode *di = dir->dentry->d_inode;
	struct inode *inode;
	struct dentry *d;
	char name[24];

	if (di->i_op != &tmpfs_dir_iops)
		return -EOPNOTSUPP;
	inode = tmpfs_new_inode(di->i_sb, S_IFREG | mode, vfs_cred(), 0);
	if (!inode)
		return -ENOSPC;
	if (di->i_mode & S_ISGID)
		inode->i_gid = di->i_gid;
	/* Linux's d_tmpfile name, shown by /proc/<pid>/fd as deleted. */
	snprintf(name, sizeof(name), "#%llu", (unsigned long long)inode->i_ino);
	d = d_alloc(dir->dentry, name, strlen(name));
	if (IS_ERR(d)) {
		iput(inode);
		return PTR_ERR(d);
	}
	inode->i_nlink = 0;
	if (linkable)
		inode->i_flags |= S_LINKABLE_I;
	d_instantiate(d, inode);
	d_delete(d);
	res->mnt = mnt_get(dir->mnt);
	res->dentry = d;
	return 0;
}

static void tmpfs_drop_entry(struct inode *dir, struct dentry *d)
{
	struct inode *inode = d->d_inode;

	if (inode->i_nlink)
		inode->i_nlink--;
	inode_touch(inode, false);
	dir->i_size -= BOGO_DIRENT_SIZE;
	inode_touch(dir, true);
}

static int tmpfs_unlink(struct inode *dir, struct dentry *d)
{
	tmpfs_drop_entry(dir, d);
	return 0;
}

static int tmpfs_rmdir(struct inode *dir, struct dentry *d)
{
	if (!d_dir_empty(d))
		return -ENOTEMPTY;
	tmpfs_drop_entry(dir, d);
	d->d_inode->i_nlink = 0;
	dir->i_nlink--;
	return 0;
}

/*
 * The file system's part of a rename: link counts and sizes. The VFS
 * has checked types and emptiness rules and moves the dentries.
 */
static int tmpfs_rename(struct inode *odir, struct dentry *old,
			struct inode *ndir, struct dentry *new,
			unsigned int flags)
{
	bool old_is_dir = S_ISDIR(old->d_inode->i_mode);

	if (flags & RENAME_EXCHANGE) {
		bool new_is_dir = S_ISDIR(new->d_inode->i_mode);

		if (old_is_dir != new_is_dir) {
			odir->i_nlink += new_is_dir ? 1 : -1;
			ndir->i_nlink += old_is_dir ? 1 : -1;
		}
	} else {
		if (new->d_inode) {
			if (S_ISDIR(new->d_inode->i_mode)) {
				if (!d_dir_empty(new))
					return -ENOTEMPTY;
				new->d_inode->i_nlink = 0;
				ndir->i_nlink--;
			} else if (new->d_inode->i_nlink) {
				new->d_inode->i_nlink--;
			}
			inode_touch(new->d_inode, false);
			ndir->i_size -= BOGO_DIRENT_SIZE;
		}
		if (old_is_dir && odir != ndir) {
			odir->i_nlink--;
			ndir->i_nlink++;
		}
		odir->i_size -= BOGO_DIRENT_SIZE;
		ndir->i_size += BOGO_DIRENT_SIZE;
	}
	/* The VFS moves the dentries to the tail of their new lists. */
	old->d_pos = TMPFS_I(ndir)->next_dpos++;
	if (flags & RENAME_EXCHANGE)
		new->d_pos = TMPFS_I(odir)->next_dpos++;
	inode_touch(odir, true);
	inode_touch(ndir, true);
	inode_touch(old->d_inode, false);
	return 0;
}

static const struct inode_operations tmpfs_dir_iops = {
	.create = tmpfs_create,
	.mkdir = tmpfs_mkdir,
	.symlink = tmpfs_symlink,
	.link = tmpfs_link,
	.unlink = tmpfs_unlink,
	.rmdir = tmpfs_rmdir,
	.rename = tmpfs_rename,
};

static unsigned int mode_dtype(umode_t mode)
{
	return (mode & S_IFMT) >> 12;
}

/*
 * getdents on a tmpfs directory: ".", "..", then the entries in d_pos
 * order from ctx->pos on. Runs under vfs_ns_lock (the list is [n]).
 */
static int tmpfs_iterate(struct file *f, struct dir_context *ctx)
{
	struct dentry *dir = f->f_path.dentry, *c;
	int err = 0;

	mutex_lock(&vfs_ns_lock);
	if (ctx->pos == 0) {
		if (!ctx->actor(ctx, ".", 1, 1, dir->d_inode->i_ino, DT_DIR))
			goto out;
		ctx->pos = 1;
	}
	if (ctx->pos == 1) {
		struct inode *pi = dir->d_parent->d_inode;

		if (!ctx->actor(ctx, "..", 2, 2, pi ? pi->i_ino : 0, DT_DIR))
			goto out;
		ctx->pos = 2;
	}
	list_for_each_entry(c, &dir->d_subdirs, d_child) {
		if (!c->d_inode || (c->d_flags & DCACHE_DISCONNECTED) ||
		    c->d_pos < (u64)ctx->pos)
			continue;
		if (!ctx->actor(ctx, c->d_name, (int)c->d_namelen,
				(loff_t)c->d_pos + 1, c->d_inode->i_ino,
				mode_dtype(c->d_inode->i_mode)))
			goto out;
		ctx->pos = (loff_t)c->d_pos + 1;
	}
out:
	file_inode(f)->i_atime = inode_time_now();
	mutex_unlock(&vfs_ns_lock);
	return err;
}

static loff_t tmpfs_dir_llseek(struct file *f, loff_t off, int whence)
{
	if (whence == SEEK_CUR)
		off += f->f_pos;
	else if (whence != SEEK_SET)
		return -EINVAL;
	if (off < 0)
		return -EINVAL;
	f->f_pos = off;
	return off;
}

static const struct file_operations tmpfs_dir_fops = {
	.iterate = tmpfs_iterate,
	.llseek = tmpfs_dir_llseek,
	.fsync = NULL,
};

/* The dentry after @d in a pre-order walk of @root's tree. [n] */
static struct dentry *tmpfs_walk_next(struct dentry *root, struct dentry *d)
{
	if (!list_empty(&d->d_subdirs))
		return list_first_entry(&d->d_subdirs, struct dentry, d_child);
	for (; d != root; d = d->d_parent)
		if (d->d_child.next != &d->d_parent->d_subdirs)
			return list_next_entry(d, d_child);
	return NULL;
}

/*
 * Pages and inodes in use in @sb, for df: its whole tree is pinned in the
 * dcache. A file with n links adds 1/n of its pages per link; files
 * already unlinked but still open are not counted.
 */
static void tmpfs_usage(struct super_block *sb, u64 *pages, u64 *inodes)
{
	struct dentry *d;

	*pages = *inodes = 0;
	mutex_lock(&vfs_ns_lock);
	for (d = sb->s_root; d; d = tmpfs_walk_next(sb->s_root, d)) {
		struct inode *inode = d->d_inode;

		if (!inode)
			continue;
		(*inodes)++;
		*pages += READ_ONCE(inode->i_blocks) / (PAGE_SIZE / 512) /
			  MAX(inode->i_nlink, 1u);
	}
	mutex_unlock(&vfs_ns_lock);
}

static int tmpfs_statfs(struct super_block *sb, struct statfs *st)
{
	struct page_alloc_stats ps;
	u64 used, inodes;

	page_alloc_stats(&ps);
	tmpfs_usage(sb, &used, &inodes);
	st->f_type = TMPFS_MAGIC;
	st->f_bsize = PAGE_SIZE;
	st->f_blocks = ps.total_pages / 2;
	st->f_bfree = MIN(ps.free_pages,
			  st->f_blocks - MIN(used, (u64)st->f_blocks));
	st->f_bavail = st->f_bfree;
	st->f_files = ps.total_pages / 2;
	st->f_ffree = st->f_files - MIN(inodes, (u64)st->f_files);
	st->f_namelen = NAME_MAX;
	st->f_frsize = PAGE_SIZE;
	return 0;
}

/* Unpin every dentry of the tree below @root (the super block dies). */
static void tmpfs_put_super(struct super_block *sb)
{
	struct dentry *d = sb->s_root, *c;

	mutex_lock(&vfs_ns_lock);
	while (d) {
		struct dentry *next = NULL;

		list_for_each_entry(c, &d->d_subdirs, d_child) {
			if (c->d_flags & DCACHE_PINNED) {
				next = c;
				break;
			}
		}
		if (next) {
			d = next;       /* descend; unpin it on the way up */
			continue;
		}
		next = d == sb->s_root ? NULL : d->d_parent;
		if (d != sb->s_root)
			d_delete(d);    /* may free d: next was read first */
		d = next;
	}
	mutex_unlock(&vfs_ns_lock);
}

static const struct super_operations tmpfs_sops = {
	.evict_inode = tmpfs_evict,
	.statfs = tmpfs_statfs,
	.put_super = tmpfs_put_super,
};

/* Parse "mode=1777,uid=0,gid=0,size=..." into the root's attributes. */
static int tmpfs_parse(char *opts, umode_t *mode, uid_t *uid, gid_t *gid)
{
	char *o = opts, *next;

	while (o && *o) {
		unsigned long long v;
		char *eq;
		int err = 0;

		next = strchr(o, ',');
		if (next)
			*next++ = '\0';
		eq = strchr(o, '=');
		if (eq)
			*eq++ = '\0';
		if (!strcmp(o, "mode") && eq)
			err = kstrtoull(eq, 8, &v), *mode = (umode_t)(v & 07777);
		else if (!strcmp(o, "uid") && eq)
			err = kstrtoull(eq, 10, &v), *uid = (uid_t)v;
		else if (!strcmp(o, "gid") && eq)
			err = kstrtoull(eq, 10, &v), *gid = (gid_t)v;
		else if ((!strcmp(o, "size") || !strcmp(o, "nr_inodes") ||
			  !strcmp(o, "nr_blocks")) && eq)
			err = 0;
		else if (*o)
			return -EINVAL;
		if (err)
			return -EINVAL;
		o = next;
	}
	return 0;
}

static int tmpfs_fill_super(struct super_block *sb, const char *source,
			    void *data, unsigned long flags)
{
	umode_t mode = 01777;
	uid_t uid = 0;
	gid_t gid = 0;
	struct inode *root;
	int err;

	if (!strcmp(sb->s_type->name, "rootfs") ||
	    (source && !strcmp(source, "rootfs")))
		mode = 0755;
	err = tmpfs_parse(data, &mode, &uid, &gid);
	if (err)
		return err;
	sb->s_op = &tmpfs_sops;
	sb->s_magic = TMPFS_MAGIC;
	root = tmpfs_new_inode(sb, S_IFDIR | mode, NULL, 0);
	if (!root)
		return -ENOMEM;
	root->i_uid = uid;
	root->i_gid = gid;
	sb->s_root = d_make_root(root);
	return sb->s_root ? 0 : -ENOMEM;
}

struct file_system_type tmpfs_type = {
	.name = "tmpfs",
	.fill_super = tmpfs_fill_super,
};

void tmpfs_register(void)
{
	register_filesystem(&tmpfs_type);
}

/* devtmpfs: a tmpfs filled with the standard device nodes. */
static int devtmpfs_fill_super(struct super_block *sb, const char *source,
			       void *data, unsigned long flags)
{
	int err = tmpfs_fill_super(sb, source, data, flags);

	if (!err)
		sb->s_root->d_inode->i_mode = S_IFDIR | 0755;
	if (!err)
		err = devtmpfs_populate(sb);
	return err;
}

struct file_system_type devtmpfs_type = {
	.name = "devtmpfs",
	.fill_super = devtmpfs_fill_super,
};
