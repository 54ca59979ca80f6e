/*
 * ktest suite "tmpfs": tmpfs regular-file features driven through the
 * file operations: SEEK_DATA/SEEK_HOLE at page granularity, hole punching
 * (pages freed, zeros read back, edges zeroed), truncation of the page
 * store, O_TMPFILE files (unnamed, linkable unless O_EXCL), and lookups
 * in a removed directory. Each test works under its own /ktest-tmpfs-*.
 */
#include <keel/ktest.h>
#include <keel/mm.h>
#include <keel/string.h>
#include <keel/task.h>

#include "../internal.h"
#include "../tmpfs.h"

#define PG ((loff_t)PAGE_SIZE)

static int mkdir_k(const char *path)
{
	struct nameidata nd;
	int err;

	nd_init_at(&nd, &root_cred, NULL, NULL, 0);
	err = vfs_mknod_at(&nd, path, S_IFDIR | 0755, 0, NULL);
	nd_done(&nd);
	return err;
}

static int rmdir_k(const char *path)
{
	struct nameidata nd;
	int err;

	nd_init_at(&nd, &root_cred, NULL, NULL, 0);
	err = vfs_remove(&nd, path, true);
	nd_done(&nd);
	return err;
}

/* linkat(fd, "", newdir, @name, AT_EMPTY_PATH) for @f. */
static int link_k(struct file *f, const char *name)
{
	struct nameidata nd;
	int err;

	nd_init_at(&nd, &root_cred, NULL, NULL, 0);
	mutex_lock(&vfs_ns_lock);
	err = vfs_link(&f->f_path, &nd, name);
	mutex_unlock(&vfs_ns_lock);
	nd_done(&nd);
	return err;
}

static bool all_zero(const char *p, size_t n)
{
	while (n--)
		if (*p++)
			return false;
	return true;
}

static void test_seek_data_hole(struct ktest *t)
{
	struct file *f;

	KTEST_ASSERT_EQ(t, mkdir_k("/ktest-tmpfs-seek"), 0);
	f = file_open_kernel("/ktest-tmpfs-seek/a", O_RDWR | O_CREAT, 0644);
	KTEST_ASSERT_FALSE(t, IS_ERR(f));
	KTEST_EXPECT_EQ(t, kernel_write(f, "x", 1, 10), 1);
	KTEST_EXPECT_EQ(t, kernel_write(f, "y", 1, 600 * PG + 5), 1);
	KTEST_EXPECT_EQ(t, f->f_op->llseek(f, 0, SEEK_DATA), 0);
	KTEST_EXPECT_EQ(t, f->f_op->llseek(f, 5, SEEK_HOLE), PG);
	KTEST_EXPECT_EQ(t, f->f_op->llseek(f, PG, SEEK_DATA), 600 * PG);
	KTEST_EXPECT_EQ(t, f->f_op->llseek(f, 600 * PG + 1, SEEK_DATA),
			600 * PG + 1);
	/* The last data page runs to EOF: the hole is at the size. */
	KTEST_EXPECT_EQ(t, f->f_op->llseek(f, 600 * PG, SEEK_HOLE),
			600 * PG + 6);
	KTEST_EXPECT_EQ(t, f->f_op->llseek(f, 600 * PG + 6, SEEK_DATA),
			-ENXIO);
	KTEST_EXPECT_EQ(t, f->f_op->llseek(f, -1, SEEK_HOLE), -ENXIO);
	fput(f);
}

static void test_punch_hole(struct ktest *t)
{
	char *buf = kmalloc(4 * PAGE_SIZE, GFP_KERNEL);
	struct inode *inode;
	struct file *f;
	u64 blocks;

	KTEST_ASSERT_NOT_NULL(t, buf);
	KTEST_ASSERT_EQ(t, mkdir_k("/ktest-tmpfs-punch"), 0);
	f = file_open_kernel("/ktest-tmpfs-punch/a", O_RDWR | O_CREAT, 0644);
	KTEST_ASSERT_FALSE(t, IS_ERR(f));
	inode = file_inode(f);
	memset(buf, 'd', 4 * PAGE_SIZE);
	KTEST_EXPECT_EQ(t, kernel_write(f, buf, 4 * PAGE_SIZE, 0), 4 * PG);
	blocks = inode->i_blocks;
	KTEST_EXPECT_EQ(t, f->f_op->fallocate(f, FALLOC_FL_PUNCH_HOLE,
					      0, PG), -EOPNOTSUPP);
	/* From the middle of page 0 to the middle of page 3. */
	KTEST_EXPECT_EQ(t, f->f_op->fallocate(f, FALLOC_FL_PUNCH_HOLE |
					      FALLOC_FL_KEEP_SIZE,
					      PG / 2, 3 * PG), 0);
	KTEST_EXPECT_EQ(t, inode->i_size, 4 * PG);
	KTEST_EXPECT_EQ(t, inode->i_blocks, blocks - 2 * (PAGE_SIZE / 512));
	KTEST_EXPECT_EQ(t, kernel_read(f, buf, 4 * PAGE_SIZE, 0), 4 * PG);
	KTEST_EXPECT_TRUE(t, buf[0] == 'd' && buf[PAGE_SIZE / 2 - 1] == 'd');
	KTEST_EXPECT_TRUE(t, all_zero(buf + PAGE_SIZE / 2, 3 * PAGE_SIZE));
	KTEST_EXPECT_EQ(t, buf[3 * PAGE_SIZE + PAGE_SIZE / 2], 'd');
	KTEST_EXPECT_EQ(t, f->f_op->llseek(f, PG, SEEK_HOLE), PG);
	KTEST_EXPECT_EQ(t, f->f_op->llseek(f, PG, SEEK_DATA), 3 * PG);
	/* Inside one page: only zeroing. */
	KTEST_EXPECT_EQ(t, f->f_op->fallocate(f, FALLOC_FL_PUNCH_HOLE |
					      FALLOC_FL_KEEP_SIZE,
					      3 * PG + 3010, 5), 0);
	KTEST_EXPECT_EQ(t, kernel_read(f, buf, 16, 3 * PG + 3008), 16);
	KTEST_EXPECT_TRUE(t, buf[1] == 'd' && all_zero(buf + 2, 5) &&
			  buf[7] == 'd');
	fput(f);
	kfree(buf);
}

static void test_truncate(struct ktest *t)
{
	char buf[8];
	struct file *f;

	KTEST_ASSERT_EQ(t, mkdir_k("/ktest-tmpfs-trunc"), 0);
	f = file_open_kernel("/ktest-tmpfs-trunc/a", O_RDWR | O_CREAT, 0644);
	KTEST_ASSERT_FALSE(t, IS_ERR(f));
	KTEST_EXPECT_EQ(t, kernel_write(f, "abcdefgh", 8, 3 * PG - 4), 8);
	KTEST_EXPECT_EQ(t, file_inode(f)->i_blocks, 2 * (PAGE_SIZE / 512));
	KTEST_EXPECT_EQ(t, vfs_truncate_inode(file_inode(f), 3 * PG - 2), 0);
	KTEST_EXPECT_EQ(t, file_inode(f)->i_blocks, 1 * (PAGE_SIZE / 512));
	KTEST_EXPECT_EQ(t, vfs_truncate_inode(file_inode(f), 4 * PG), 0);
	KTEST_EXPECT_EQ(t, kernel_read(f, buf, 8, 3 * PG - 4), 8);
	KTEST_EXPECT_MEMEQ(t, buf, "ab\0\0\0\0\0\0", 8);
	fput(f);
}

static void test_tmpfile(struct ktest *t)
{
	struct file *f;

	KTEST_ASSERT_EQ(t, mkdir_k("/ktest-tmpfs-tmp"), 0);
	f = file_open_kernel("/ktest-tmpfs-tmp", O_TMPFILE | O_RDONLY, 0600);
	KTEST_EXPECT_EQ(t, PTR_ERR(f), -EINVAL);
	f = file_open_kernel("/ktest-tmpfs-tmp", __O_TMPFILE | O_RDWR, 0600);
	KTEST_EXPECT_EQ(t, PTR_ERR(f), -EINVAL);
	f = file_open_kernel("/ktest-tmpfs-tmp", O_TMPFILE | O_RDWR, 0600);
	KTEST_ASSERT_FALSE(t, IS_ERR(f));
	KTEST_EXPECT_TRUE(t, S_ISREG(file_inode(f)->i_mode));
	KTEST_EXPECT_EQ(t, file_inode(f)->i_nlink, 0);
	KTEST_EXPECT_TRUE(t, file_inode(f)->i_flags & S_LINKABLE_I);
	KTEST_EXPECT_EQ(t, kernel_write(f, "tmp", 3, 0), 3);
	/* The directory still counts as empty while the file is unnamed. */
	KTEST_EXPECT_TRUE(t, d_dir_empty(f->f_path.dentry->d_parent));
	/* linkat(fd, "", AT_EMPTY_PATH) gives it a name. */
	KTEST_EXPECT_EQ(t, link_k(f, "/ktest-tmpfs-tmp/named"), 0);
	KTEST_EXPECT_EQ(t, file_inode(f)->i_nlink, 1);
	KTEST_EXPECT_FALSE(t, file_inode(f)->i_flags & S_LINKABLE_I);
	fput(f);
	f = file_open_kernel("/ktest-tmpfs-tmp/named", O_RDONLY, 0);
	KTEST_ASSERT_FALSE(t, IS_ERR(f));
	KTEST_EXPECT_EQ(t, file_inode(f)->i_size, 3);
	fput(f);
	f = file_open_kernel("/ktest-tmpfs-tmp",
			     O_TMPFILE | O_RDWR | O_EXCL, 0600);
	KTEST_ASSERT_FALSE(t, IS_ERR(f));
	KTEST_EXPECT_FALSE(t, file_inode(f)->i_flags & S_LINKABLE_I);
	KTEST_EXPECT_EQ(t, link_k(f, "/ktest-tmpfs-tmp/excl"), -ENOENT);
	fput(f);
}

static void test_dead_dir(struct ktest *t)
{
	struct file *d, *f;

	KTEST_ASSERT_EQ(t, mkdir_k("/ktest-tmpfs-dead"), 0);
	d = file_open_kernel("/ktest-tmpfs-dead", O_RDONLY | O_DIRECTORY, 0);
	KTEST_ASSERT_FALSE(t, IS_ERR(d));
	KTEST_EXPECT_EQ(t, rmdir_k("/ktest-tmpfs-dead"), 0);
	KTEST_EXPECT_TRUE(t, dir_is_dead(file_inode(d)));
	f = file_open_kernel("/ktest-tmpfs-dead", O_RDONLY, 0);
	KTEST_EXPECT_EQ(t, PTR_ERR(f), -ENOENT);
	fput(d);
}

static int tmpfs_suite_init(void)
{
	vfs_init();
	return vfs_root_mounted() ? 0 : -1;
}

static struct ktest_case tmpfs_cases[] = {
	KTEST_CASE(test_seek_data_hole),
	KTEST_CASE(test_punch_hole),
	KTEST_CASE(test_truncate),
	KTEST_CASE(test_tmpfile),
	KTEST_CASE(test_dead_dir),
	{}
};
KTEST_SUITE_FULL(tmpfs, tmpfs_cases, tmpfs_suite_init, NULL);
