/*
 * ktest suite "vfs": the VFS core on the root tmpfs, driven through the
 * kernel-string entry points (lookup, create, read/write, unlink with
 * the file still open, rename, link counts, symlinks and loops,
 * getdents positions while removing, permissions with a non-root cred,
 * fd tables, device nodes). Each test works under its own /ktest-* dir.
 */
#include <keel/ktest.h>
#include <keel/poll.h>
#include <keel/slab.h>
#include <keel/sprintf.h>
#include <keel/string.h>
#include <keel/task.h>

#include "../internal.h"

static int nd_as(struct nameidata *nd, const struct cred *c)
{
	return nd_init_at(nd, c ? c : &root_cred, NULL, NULL, 0);
}

static int mk(const char *path, umode_t mode, const char *target)
{
	struct nameidata nd;
	int err;

	nd_as(&nd, NULL);
	err = vfs_mknod_at(&nd, path, mode, 0, target);
	nd_done(&nd);
	return err;
}

static int rm(const char *path, bool dir, const struct cred *c)
{
	struct nameidata nd;
	int err;

	nd_as(&nd, c);
	err = vfs_remove(&nd, path, dir);
	nd_done(&nd);
	return err;
}

static int mv(const char *a, const char *b, unsigned int flags)
{
	struct nameidata n1, n2;
	int err;

	nd_as(&n1, NULL);
	nd_as(&n2, NULL);
	err = vfs_rename(&n1, a, &n2, b, flags);
	nd_done(&n1);
	nd_done(&n2);
	return err;
}

static int ln(const char *a, const char *b)
{
	struct nameidata n1, n2;
	struct path old;
	int err;

	nd_as(&n1, NULL);
	nd_as(&n2, NULL);
	mutex_lock(&vfs_ns_lock);
	err = walk_path(&n1, a, &old);
	if (!err) {
		err = vfs_link(&old, &n2, b);
		path_put(&old);
	}
	mutex_unlock(&vfs_ns_lock);
	nd_done(&n1);
	nd_done(&n2);
	return err;
}

/* Look @path up (following symlinks if @follow) as @c. */
static int look(const char *path, bool follow, const struct cred *c,
		struct inode **inodep)
{
	struct nameidata nd;
	struct path p;
	int err;

	nd_as(&nd, c);
	nd.flags = follow ? LOOKUP_FOLLOW : 0;
	mutex_lock(&vfs_ns_lock);
	err = walk_path(&nd, path, &p);
	mutex_unlock(&vfs_ns_lock);
	nd_done(&nd);
	if (!err) {
		if (inodep)
			*inodep = iget(p.dentry->d_inode);
		path_put(&p);
	}
	return err;
}

static unsigned int nlink_of(const char *path)
{
	struct inode *i;
	unsigned int n;

	if (look(path, false, NULL, &i))
		return 0;
	n = i->i_nlink;
	iput(i);
	return n;
}

static void test_create_read_write(struct ktest *t)
{
	char buf[16] = { 0 };
	struct file *f;

	KTEST_ASSERT_EQ(t, mk("/ktest-rw", S_IFDIR | 0755, NULL), 0);
	f = file_open_kernel("/ktest-rw/a", O_RDWR | O_CREAT | O_EXCL, 0644);
	KTEST_ASSERT_FALSE(t, IS_ERR(f));
	KTEST_EXPECT_EQ(t, kernel_write(f, "hello", 5, 0), 5);
	KTEST_EXPECT_EQ(t, kernel_write(f, "!", 1, 8000), 1);
	KTEST_EXPECT_EQ(t, file_inode(f)->i_size, 8001);
	KTEST_EXPECT_EQ(t, kernel_read(f, buf, 5, 0), 5);
	KTEST_EXPECT_MEMEQ(t, buf, "hello", 5);
	KTEST_EXPECT_EQ(t, kernel_read(f, buf, 4, 4000), 4);
	KTEST_EXPECT_MEMEQ(t, buf, "\0\0\0\0", 4);       /* a hole */
	KTEST_EXPECT_EQ(t, kernel_read(f, buf, 16, 8001), 0);
	KTEST_EXPECT_EQ(t, file_inode(f)->i_mode, S_IFREG | 0644);
	fput(f);
	f = file_open_kernel("/ktest-rw/a", O_RDWR | O_CREAT | O_EXCL, 0644);
	KTEST_EXPECT_EQ(t, PTR_ERR(f), -EEXIST);
	f = file_open_kernel("/ktest-rw/a", O_RDONLY | O_TRUNC, 0);
	KTEST_ASSERT_FALSE(t, IS_ERR(f));
	KTEST_EXPECT_EQ(t, file_inode(f)->i_size, 0);
	fput(f);
	KTEST_EXPECT_EQ(t, PTR_ERR(file_open_kernel("/ktest-rw/a/", O_RDONLY,
						    0)), -ENOTDIR);
	KTEST_EXPECT_EQ(t, PTR_ERR(file_open_kernel("/ktest-rw/none",
						    O_RDONLY, 0)), -ENOENT);
	KTEST_EXPECT_EQ(t, PTR_ERR(file_open_kernel("/ktest-rw", O_WRONLY,
						    0)), -EISDIR);
	KTEST_EXPECT_EQ(t, PTR_ERR(file_open_kernel("/ktest-rw/a",
						    O_DIRECTORY, 0)), -ENOTDIR);
}

static void test_unlink_open_file(struct ktest *t)
{
	struct file *f;
	char c = 0;

	KTEST_ASSERT_EQ(t, mk("/ktest-ul", S_IFDIR | 0755, NULL), 0);
	f = file_open_kernel("/ktest-ul/x", O_RDWR | O_CREAT, 0600);
	KTEST_ASSERT_FALSE(t, IS_ERR(f));
	KTEST_EXPECT_EQ(t, kernel_write(f, "z", 1, 0), 1);
	KTEST_EXPECT_EQ(t, rm("/ktest-ul/x", false, NULL), 0);
	KTEST_EXPECT_EQ(t, look("/ktest-ul/x", false, NULL, NULL), -ENOENT);
	KTEST_EXPECT_EQ(t, file_inode(f)->i_nlink, 0);
	KTEST_EXPECT_EQ(t, kernel_read(f, &c, 1, 0), 1);
	KTEST_EXPECT_EQ(t, c, 'z');
	fput(f);
	KTEST_EXPECT_EQ(t, rm("/ktest-ul/x", false, NULL), -ENOENT);
	KTEST_EXPECT_EQ(t, rm("/ktest-ul", false, NULL), -EISDIR);
	KTEST_EXPECT_EQ(t, rm("/ktest-ul", true, NULL), 0);
	KTEST_EXPECT_EQ(t, rm("/", true, NULL), -EBUSY);
}

static void test_link_counts(struct ktest *t)
{
	KTEST_ASSERT_EQ(t, mk("/ktest-lc", S_IFDIR | 0755, NULL), 0);
	KTEST_EXPECT_EQ(t, nlink_of("/ktest-lc"), 2);
	KTEST_EXPECT_EQ(t, mk("/ktest-lc/d1", S_IFDIR | 0755, NULL), 0);
	KTEST_EXPECT_EQ(t, mk("/ktest-lc/d2", S_IFDIR | 0755, NULL), 0);
	KTEST_EXPECT_EQ(t, nlink_of("/ktest-lc"), 4);
	KTEST_EXPECT_EQ(t, mk("/ktest-lc/f", S_IFREG | 0644, NULL), 0);
	KTEST_EXPECT_EQ(t, nlink_of("/ktest-lc"), 4);
	KTEST_EXPECT_EQ(t, ln("/ktest-lc/f", "/ktest-lc/d1/g"), 0);
	KTEST_EXPECT_EQ(t, nlink_of("/ktest-lc/f"), 2);
	KTEST_EXPECT_EQ(t, ln("/ktest-lc/d2", "/ktest-lc/d3"), -EPERM);
	KTEST_EXPECT_EQ(t, ln("/ktest-lc/f", "/ktest-lc/d1/g"), -EEXIST);
	KTEST_EXPECT_EQ(t, rm("/ktest-lc/d1", true, NULL), -ENOTEMPTY);
	KTEST_EXPECT_EQ(t, rm("/ktest-lc/d1/g", false, NULL), 0);
	KTEST_EXPECT_EQ(t, nlink_of("/ktest-lc/f"), 1);
	KTEST_EXPECT_EQ(t, mv("/ktest-lc/d2", "/ktest-lc/d1/d2", 0), 0);
	KTEST_EXPECT_EQ(t, nlink_of("/ktest-lc"), 3);
	KTEST_EXPECT_EQ(t, nlink_of("/ktest-lc/d1"), 3);
	KTEST_EXPECT_EQ(t, rm("/ktest-lc/d1/d2/", true, NULL), 0);
	KTEST_EXPECT_EQ(t, nlink_of("/ktest-lc/d1"), 2);
}

static void test_rename(struct ktest *t)
{
	struct inode *a, *b;

	KTEST_ASSERT_EQ(t, mk("/ktest-mv", S_IFDIR | 0755, NULL), 0);
	KTEST_ASSERT_EQ(t, mk("/ktest-mv/a", S_IFREG | 0644, NULL), 0);
	KTEST_ASSERT_EQ(t, mk("/ktest-mv/b", S_IFREG | 0600, NULL), 0);
	KTEST_ASSERT_EQ(t, mk("/ktest-mv/d", S_IFDIR | 0755, NULL), 0);
	KTEST_EXPECT_EQ(t, mv("/ktest-mv/a", "/ktest-mv/b",
			      RENAME_NOREPLACE), -EEXIST);
	KTEST_EXPECT_EQ(t, mv("/ktest-mv/a", "/ktest-mv/b",
			      RENAME_EXCHANGE), 0);
	KTEST_ASSERT_EQ(t, look("/ktest-mv/a", false, NULL, &a), 0);
	KTEST_EXPECT_EQ(t, a->i_mode & 0777, 0600);
	iput(a);
	KTEST_EXPECT_EQ(t, mv("/ktest-mv/a", "/ktest-mv/b", 0), 0);
	KTEST_EXPECT_EQ(t, look("/ktest-mv/a", false, NULL, NULL), -ENOENT);
	KTEST_ASSERT_EQ(t, look("/ktest-mv/b", false, NULL, &b), 0);
	KTEST_EXPECT_EQ(t, b->i_mode & 0777, 0600);
	iput(b);
	KTEST_EXPECT_EQ(t, mv("/ktest-mv/b", "/ktest-mv/d", 0), -EISDIR);
	KTEST_EXPECT_EQ(t, mv("/ktest-mv/d", "/ktest-mv/b", 0), -ENOTDIR);
	KTEST_EXPECT_EQ(t, mv("/ktest-mv/d", "/ktest-mv/d/e", 0), -EINVAL);
	KTEST_EXPECT_EQ(t, mv("/ktest-mv/none", "/ktest-mv/x", 0), -ENOENT);
	KTEST_EXPECT_EQ(t, mv("/ktest-mv/b", "/ktest-mv/d/b2", 0), 0);
	KTEST_EXPECT_EQ(t, look("/ktest-mv/d/b2", false, NULL, NULL), 0);
}

static void test_symlinks(struct ktest *t)
{
	char name[32];
	struct inode *i;
	int n;

	KTEST_ASSERT_EQ(t, mk("/ktest-ln", S_IFDIR | 0755, NULL), 0);
	KTEST_ASSERT_EQ(t, mk("/ktest-ln/f", S_IFREG | 0644, NULL), 0);
	KTEST_EXPECT_EQ(t, mk("/ktest-ln/rel", S_IFLNK, "f"), 0);
	KTEST_EXPECT_EQ(t, mk("/ktest-ln/abs", S_IFLNK, "/ktest-ln/f"), 0);
	KTEST_EXPECT_EQ(t, mk("/ktest-ln/dir", S_IFLNK, "/ktest-ln"), 0);
	KTEST_ASSERT_EQ(t, look("/ktest-ln/rel", true, NULL, &i), 0);
	KTEST_EXPECT_TRUE(t, S_ISREG(i->i_mode));
	iput(i);
	KTEST_ASSERT_EQ(t, look("/ktest-ln/rel", false, NULL, &i), 0);
	KTEST_EXPECT_TRUE(t, S_ISLNK(i->i_mode));
	KTEST_EXPECT_EQ(t, i->i_size, 1);
	iput(i);
	KTEST_EXPECT_EQ(t, look("/ktest-ln/dir/dir/abs", true, NULL, NULL),
			0);
	KTEST_EXPECT_EQ(t, look("/ktest-ln/dir/", false, NULL, NULL), 0);
	KTEST_EXPECT_EQ(t, look("/ktest-ln/rel/", false, NULL, NULL),
			-ENOTDIR);
	/* A loop, and a chain of exactly 40 (allowed) and 41 (not). */
	KTEST_EXPECT_EQ(t, mk("/ktest-ln/l1", S_IFLNK, "l2"), 0);
	KTEST_EXPECT_EQ(t, mk("/ktest-ln/l2", S_IFLNK, "l1"), 0);
	KTEST_EXPECT_EQ(t, look("/ktest-ln/l1", true, NULL, NULL), -ELOOP);
	KTEST_EXPECT_EQ(t, PTR_ERR(file_open_kernel("/ktest-ln/l1",
			O_RDONLY, 0)), -ELOOP);
	KTEST_EXPECT_EQ(t, PTR_ERR(file_open_kernel("/ktest-ln/rel",
			O_RDONLY | O_NOFOLLOW, 0)), -ELOOP);
	for (n = 1; n <= 41; n++) {
		char target[32];

		snprintf(name, sizeof(name), "/ktest-ln/c%d", n);
		snprintf(target, sizeof(target), n == 1 ? "f" : "c%d", n - 1);
		KTEST_ASSERT_EQ(t, mk(name, S_IFLNK, target), 0);
	}
	KTEST_EXPECT_EQ(t, look("/ktest-ln/c40", true, NULL, NULL), 0);
	KTEST_EXPECT_EQ(t, look("/ktest-ln/c41", true, NULL, NULL), -ELOOP);
	/* O_CREAT through a dangling symlink creates its target. */
	KTEST_EXPECT_EQ(t, mk("/ktest-ln/dangle", S_IFLNK, "made"), 0);
	{
		struct file *f = file_open_kernel("/ktest-ln/dangle",
						  O_WRONLY | O_CREAT, 0600);

		KTEST_EXPECT_FALSE(t, IS_ERR(f));
		if (!IS_ERR(f))
			fput(f);
	}
	KTEST_EXPECT_EQ(t, look("/ktest-ln/made", false, NULL, NULL), 0);
}

static void test_names(struct ktest *t)
{
	char *long_name = kmalloc(PATH_MAX + 8, GFP_KERNEL);

	KTEST_ASSERT_NOT_NULL(t, long_name);
	memset(long_name, 'a', 300);
	long_name[0] = '/';
	long_name[300] = '\0';
	KTEST_EXPECT_EQ(t, look(long_name, false, NULL, NULL), -ENAMETOOLONG);
	KTEST_EXPECT_EQ(t, look("/ktest-none/..", false, NULL, NULL),
			-ENOENT);
	KTEST_EXPECT_EQ(t, look("/..", false, NULL, NULL), 0);
	KTEST_EXPECT_EQ(t, mk("/", S_IFDIR | 0755, NULL), -EEXIST);
	KTEST_EXPECT_EQ(t, mk("/ktest-nm/", S_IFDIR | 0755, NULL), 0);
	KTEST_EXPECT_EQ(t, mk("/ktest-nm/f/", S_IFREG | 0644, NULL), -ENOENT);
	kfree(long_name);
}

static void test_permissions(struct ktest *t)
{
	struct cred user = { .uid = 1000, .euid = 1000, .suid = 1000,
			     .fsuid = 1000, .gid = 1000, .egid = 1000,
			     .sgid = 1000, .fsgid = 1000 };
	struct nameidata nd;
	struct inode *i;
	struct file *f;

	KTEST_ASSERT_EQ(t, mk("/ktest-pm", S_IFDIR | 0755, NULL), 0);
	KTEST_ASSERT_EQ(t, mk("/ktest-pm/secret", S_IFREG | 0600, NULL), 0);
	KTEST_ASSERT_EQ(t, mk("/ktest-pm/closed", S_IFDIR | 0700, NULL), 0);
	KTEST_ASSERT_EQ(t, mk("/ktest-pm/closed/x", S_IFREG | 0644, NULL), 0);
	KTEST_ASSERT_EQ(t, mk("/ktest-pm/tmp", S_IFDIR | 01777, NULL), 0);
	KTEST_ASSERT_EQ(t, mk("/ktest-pm/tmp/rootfile", S_IFREG | 0666,
			      NULL), 0);
	nd_as(&nd, &user);
	f = do_open(&nd, "/ktest-pm/secret", O_RDONLY, 0);
	KTEST_EXPECT_EQ(t, PTR_ERR(f), -EACCES);
	nd_done(&nd);
	nd_as(&nd, &user);
	f = do_open(&nd, "/ktest-pm/new", O_WRONLY | O_CREAT, 0644);
	KTEST_EXPECT_EQ(t, PTR_ERR(f), -EACCES);
	nd_done(&nd);
	KTEST_EXPECT_EQ(t, look("/ktest-pm/closed/x", false, &user, NULL),
			-EACCES);
	KTEST_EXPECT_EQ(t, look("/ktest-pm/closed/x", false, NULL, NULL), 0);
	/* Sticky directory: another user's file cannot be removed. */
	KTEST_EXPECT_EQ(t, rm("/ktest-pm/tmp/rootfile", false, &user),
			-EPERM);
	KTEST_EXPECT_EQ(t, rm("/ktest-pm/secret", false, &user), -EACCES);
	KTEST_ASSERT_EQ(t, look("/ktest-pm/secret", false, NULL, &i), 0);
	KTEST_EXPECT_EQ(t, inode_permission(&user, i, MAY_READ), -EACCES);
	KTEST_EXPECT_EQ(t, inode_permission(&root_cred, i, MAY_READ), 0);
	KTEST_EXPECT_EQ(t, inode_permission(&root_cred, i, MAY_EXEC),
			-EACCES);
	i->i_uid = 1000;
	KTEST_EXPECT_EQ(t, inode_permission(&user, i, MAY_READ | MAY_WRITE),
			0);
	i->i_mode = S_IFREG | 0060;
	i->i_gid = 1000;
	KTEST_EXPECT_EQ(t, inode_permission(&user, i, MAY_READ), -EACCES);
	iput(i);
	KTEST_EXPECT_EQ(t, rm("/ktest-pm/tmp/rootfile", false, NULL), 0);
}

struct collect {
	struct dir_context ctx;
	int count;
	char names[8][16];
};

static bool collect_one(struct dir_context *ctx, const char *name, int len,
			loff_t pos, u64 ino, unsigned int dtype)
{
	struct collect *c = container_of(ctx, struct collect, ctx);

	if (c->count == 3)
		return false;           /* a small "buffer" */
	if (len < 16) {
		memcpy(c->names[c->count], name, (size_t)len);
		c->names[c->count][len] = '\0';
	}
	c->count++;
	return true;
}

/* rm -r's pattern: read a few entries, remove them, read on. */
static void test_readdir_while_removing(struct ktest *t)
{
	char name[32];
	struct collect c = { .ctx.actor = collect_one };
	struct file *d;
	int i, total = 0, rounds = 0;

	KTEST_ASSERT_EQ(t, mk("/ktest-rd", S_IFDIR | 0755, NULL), 0);
	for (i = 0; i < 10; i++) {
		snprintf(name, sizeof(name), "/ktest-rd/f%d", i);
		KTEST_ASSERT_EQ(t, mk(name, S_IFREG | 0644, NULL), 0);
	}
	d = file_open_kernel("/ktest-rd", O_RDONLY | O_DIRECTORY, 0);
	KTEST_ASSERT_FALSE(t, IS_ERR(d));
	do {
		c.count = 0;
		KTEST_EXPECT_EQ(t, d->f_op->iterate(d, &c.ctx), 0);
		for (i = 0; i < c.count; i++) {
			if (!strcmp(c.names[i], ".") ||
			    !strcmp(c.names[i], ".."))
				continue;
			snprintf(name, sizeof(name), "/ktest-rd/%s",
				 c.names[i]);
			KTEST_EXPECT_EQ(t, rm(name, false, NULL), 0);
			total++;
		}
	} while (c.count && ++rounds < 20);
	fput(d);
	KTEST_EXPECT_EQ(t, total, 10);
	KTEST_EXPECT_EQ(t, rm("/ktest-rd", true, NULL), 0);
}

static void test_fd_table(struct ktest *t)
{
	struct files *fs = files_create(), *copy;
	struct file *f = file_open_kernel("/dev/console", O_WRONLY, 0);
	int a, b;

	KTEST_ASSERT_NOT_NULL(t, fs);
	KTEST_ASSERT_FALSE(t, IS_ERR(f));
	a = files_alloc_fd(fs, 0, 0);
	KTEST_EXPECT_EQ(t, a, 0);
	files_install(fs, a, f);
	b = files_alloc_fd(fs, 0, O_CLOEXEC);
	KTEST_EXPECT_EQ(t, b, 1);
	files_install(fs, b, get_file(f));
	KTEST_EXPECT_EQ(t, files_alloc_fd(fs, 100, 0), 100);  /* grows */
	files_install(fs, 100, get_file(f));
	KTEST_EXPECT_EQ(t, ref_read(&f->f_count), 3);
	copy = files_dup(fs);
	KTEST_ASSERT_NOT_NULL(t, copy);
	KTEST_EXPECT_EQ(t, ref_read(&f->f_count), 6);
	files_close_on_exec(copy);
	KTEST_EXPECT_EQ(t, ref_read(&f->f_count), 5);
	KTEST_EXPECT_PTR_EQ(t, files_lookup(copy, 1), NULL);
	fput(files_remove(fs, 0));
	KTEST_EXPECT_EQ(t, files_alloc_fd(fs, 0, 0), 0);
	files_install(fs, 0, get_file(f));
	files_put(copy);
	files_put(fs);
}

static void test_devices(struct ktest *t)
{
	struct file *f = file_open_kernel("/dev/console", O_RDWR, 0);
	struct inode *i;

	KTEST_ASSERT_FALSE(t, IS_ERR(f));
	KTEST_EXPECT_TRUE(t, S_ISCHR(file_inode(f)->i_mode));
	KTEST_EXPECT_EQ(t, file_inode(f)->i_rdev, MKDEV(5, 1));
	KTEST_EXPECT_TRUE(t, f->f_op && f->f_op->write);
	fput(f);
	KTEST_ASSERT_EQ(t, mk("/ktest-dev", S_IFDIR | 0755, NULL), 0);
	{
		struct nameidata nd;

		nd_as(&nd, NULL);
		KTEST_EXPECT_EQ(t, vfs_mknod_at(&nd, "/ktest-dev/nothing",
						S_IFCHR | 0600, MKDEV(250, 1),
						NULL), 0);
		nd_done(&nd);
	}
	KTEST_EXPECT_EQ(t, PTR_ERR(file_open_kernel("/ktest-dev/nothing",
						    O_RDONLY, 0)), -ENXIO);
	KTEST_ASSERT_EQ(t, look("/ktest-dev/nothing", false, NULL, &i), 0);
	KTEST_EXPECT_EQ(t, dev_encode(i->i_rdev), (250u << 8) | 1);
	iput(i);
}

/* ---- magic links ---------------------------------------------------------- */

static struct path magic_target;
static int magic_ret;

static int magic_get_path(struct inode *inode, struct path *out)
{
	if (magic_ret)
		return magic_ret;
	*out = magic_target;
	path_get(out);
	return 0;
}

static const struct inode_operations magic_iops = {
	.get_path = magic_get_path,
};

static int lookup_path(const char *name, struct path *res)
{
	struct nameidata nd;
	int err;

	nd_as(&nd, NULL);
	mutex_lock(&vfs_ns_lock);
	err = walk_path(&nd, name, res);
	mutex_unlock(&vfs_ns_lock);
	nd_done(&nd);
	return err;
}

static int walk_flags(const char *path, unsigned int flags,
		      struct inode **inodep)
{
	struct nameidata nd;
	struct path p;
	int err;

	nd_as(&nd, NULL);
	nd.flags = flags;
	mutex_lock(&vfs_ns_lock);
	err = walk_path(&nd, path, &p);
	mutex_unlock(&vfs_ns_lock);
	nd_done(&nd);
	if (!err) {
		*inodep = iget(p.dentry->d_inode);
		path_put(&p);
	}
	return err;
}

/* A symlink with ->get_path jumps to its object, not to its text. */
static void test_magic_links(struct ktest *t)
{
	const struct inode_operations *saved;
	struct inode *link, *dir, *file, *i;

	KTEST_ASSERT_EQ(t, mk("/ktest-ml", S_IFDIR | 0755, NULL), 0);
	KTEST_ASSERT_EQ(t, mk("/ktest-ml/t", S_IFDIR | 0755, NULL), 0);
	KTEST_ASSERT_EQ(t, mk("/ktest-ml/t/f", S_IFREG | 0644, NULL), 0);
	KTEST_ASSERT_EQ(t, mk("/ktest-ml/text", S_IFDIR | 0755, NULL), 0);
	KTEST_ASSERT_EQ(t, mk("/ktest-ml/l", S_IFLNK | 0777, "text"), 0);
	KTEST_ASSERT_EQ(t, look("/ktest-ml/l", false, NULL, &link), 0);
	KTEST_ASSERT_EQ(t, look("/ktest-ml/t", false, NULL, &dir), 0);
	KTEST_ASSERT_EQ(t, lookup_path("/ktest-ml/t", &magic_target), 0);
	saved = link->i_op;
	link->i_op = &magic_iops;

	KTEST_EXPECT_EQ(t, look("/ktest-ml/l", true, NULL, &i), 0);
	KTEST_EXPECT_PTR_EQ(t, i, dir);
	iput(i);
	KTEST_EXPECT_EQ(t, look("/ktest-ml/l", false, NULL, &i), 0);
	KTEST_EXPECT_PTR_EQ(t, i, link);
	iput(i);
	KTEST_EXPECT_EQ(t, look("/ktest-ml/l/f", false, NULL, &i), 0);
	iput(i);
	KTEST_EXPECT_EQ(t, walk_flags("/ktest-ml/l/f", LOOKUP_NO_SYMLINKS,
				      &i), -ELOOP);
	KTEST_EXPECT_EQ(t, walk_flags("/ktest-ml/l/f", LOOKUP_BENEATH, &i),
			-EXDEV);
	/* 1: no object, the text is followed. */
	magic_ret = 1;
	KTEST_EXPECT_EQ(t, look("/ktest-ml/l/f", false, NULL, &i), -ENOENT);
	magic_ret = -EACCES;
	KTEST_EXPECT_EQ(t, look("/ktest-ml/l", true, NULL, &i), -EACCES);
	magic_ret = 0;

	/* A removed file is still reached through the link. */
	path_put(&magic_target);
	KTEST_ASSERT_EQ(t, lookup_path("/ktest-ml/t/f", &magic_target), 0);
	file = magic_target.dentry->d_inode;
	KTEST_EXPECT_EQ(t, rm("/ktest-ml/t/f", false, NULL), 0);
	KTEST_EXPECT_EQ(t, look("/ktest-ml/l", true, NULL, &i), 0);
	KTEST_EXPECT_PTR_EQ(t, i, file);
	if (i)
		KTEST_EXPECT_EQ(t, i->i_nlink, 0);
	iput(i);
	KTEST_EXPECT_EQ(t, look("/ktest-ml/l/", true, NULL, &i), -ENOTDIR);
	path_put(&magic_target);

	link->i_op = saved;
	iput(link);
	iput(dir);
	KTEST_EXPECT_EQ(t, rm("/ktest-ml/l", false, NULL), 0);
	KTEST_EXPECT_EQ(t, rm("/ktest-ml/text", true, NULL), 0);
	KTEST_EXPECT_EQ(t, rm("/ktest-ml/t", true, NULL), 0);
	KTEST_EXPECT_EQ(t, rm("/ktest-ml", true, NULL), 0);
}

/* A pipe's inode reopens the same pipe, without waiting for a partner. */
static void test_pipe_reopen(struct ktest *t)
{
	struct file *ends[2], *rd2, *wr2;
	struct path p;
	char buf[8];

	KTEST_ASSERT_EQ(t, pipe_create_files(ends, 0), 0);
	mutex_lock(&vfs_ns_lock);
	KTEST_EXPECT_EQ(t, anon_inode_path(iget(file_inode(ends[0])), &p), 0);
	mutex_unlock(&vfs_ns_lock);
	rd2 = vfs_open_path(&p, O_RDONLY);
	KTEST_EXPECT_FALSE(t, IS_ERR(rd2));
	KTEST_EXPECT_EQ(t, kernel_write(ends[1], "abc", 3, 0), 3);
	fput(ends[1]);
	if (!IS_ERR(rd2)) {
		KTEST_EXPECT_EQ(t, kernel_read(rd2, buf, sizeof(buf), 0), 3);
		KTEST_EXPECT_MEMEQ(t, buf, "abc", 3);
		/* Every writer gone: end of file, not a wait. */
		KTEST_EXPECT_EQ(t, kernel_read(rd2, buf, sizeof(buf), 0), 0);
	}
	/* A new write end on a pipe with readers, then with none. */
	wr2 = vfs_open_path(&p, O_WRONLY | O_NONBLOCK);
	KTEST_EXPECT_FALSE(t, IS_ERR(wr2));
	if (!IS_ERR(wr2)) {
		KTEST_EXPECT_EQ(t, kernel_write(wr2, "z", 1, 0), 1);
		KTEST_EXPECT_EQ(t, kernel_read(ends[0], buf, 1, 0), 1);
		KTEST_EXPECT_EQ(t, buf[0], 'z');
	}
	fput(ends[0]);
	if (!IS_ERR(rd2))
		fput(rd2);
	if (!IS_ERR(wr2))
		fput(wr2);
	path_put(&p);
}

static int vfs_suite_init(void)
{
	vfs_init();
	return root_mount ? 0 : -1;
}

static struct ktest_case vfs_cases[] = {
	KTEST_CASE(test_create_read_write),
	KTEST_CASE(test_unlink_open_file),
	KTEST_CASE(test_link_counts),
	KTEST_CASE(test_rename),
	KTEST_CASE(test_symlinks),
	KTEST_CASE(test_names),
	KTEST_CASE(test_permissions),
	KTEST_CASE(test_readdir_while_removing),
	KTEST_CASE(test_fd_table),
	KTEST_CASE(test_devices),
	KTEST_CASE(test_magic_links),
	KTEST_CASE(test_pipe_reopen),
	{}
};
KTEST_SUITE_FULL(vfs, vfs_cases, vfs_suite_init, NULL);
