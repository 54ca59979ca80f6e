/*
 * ktest suite "initramfs": archives built here in cpio newc form are
 * unpacked into the root tmpfs and checked: directories, files with
 * data, symlinks, device nodes, hard links (data with the last link, as
 * GNU cpio writes them), concatenated archives with zero padding,
 * replacing existing files, and corrupt or truncated archives (what came
 * before the damage is kept, the call reports the error).
 */
#include <keel/ktest.h>
#include <keel/slab.h>
#include <keel/sprintf.h>
#include <keel/string.h>
#include <keel/task.h>

#include "../internal.h"

#define CPIO_HDR_LEN_T 110

struct ar {
	char *buf;
	size_t len, cap;
};

static void ar_put(struct ar *a, const void *p, size_t n)
{
	if (a->len + n <= a->cap)
		memcpy(a->buf + a->len, p, n);
	a->len += n;
}

static void ar_pad(struct ar *a)
{
	static const char zero[4];

	ar_put(a, zero, (4 - (a->len & 3)) & 3);
}

static void ar_entry(struct ar *a, const char *name, u32 mode, u32 ino,
		     u32 nlink, u32 rmaj, u32 rmin, const char *data)
{
	char hdr[CPIO_HDR_LEN_T + 1];
	size_t dlen = data ? strlen(data) : 0;

	snprintf(hdr, sizeof(hdr),
		 "070701%08x%08x%08x%08x%08x%08x%08zx%08x%08x%08x%08x%08zx%08x",
		 ino, mode, 0u, 0u, nlink, 1000u, dlen, 0u, 0u, rmaj, rmin,
		 strlen(name) + 1, 0u);
	ar_put(a, hdr, CPIO_HDR_LEN_T);
	ar_put(a, name, strlen(name) + 1);
	ar_pad(a);
	ar_put(a, data ? data : "", dlen);
	ar_pad(a);
}

static struct inode *lookup(const char *path)
{
	struct path p;
	struct inode *i;

	if (vfs_lookup_kernel(path, 0, &p))
		return NULL;
	i = iget(p.dentry->d_inode);
	path_put(&p);
	return i;
}

static bool file_is(const char *path, const char *want)
{
	char buf[64] = { 0 };
	struct file *f = file_open_kernel(path, O_RDONLY, 0);
	ssize_t n;

	if (IS_ERR(f))
		return false;
	n = kernel_read(f, buf, sizeof(buf) - 1, 0);
	fput(f);
	return n == (ssize_t)strlen(want) && !memcmp(buf, want, (size_t)n);
}

static int ar_init(struct ar *a)
{
	a->cap = 8192;
	a->len = 0;
	a->buf = kzalloc(a->cap, GFP_KERNEL);
	return a->buf ? 0 : -ENOMEM;
}

static void test_basic_archive(struct ktest *t)
{
	struct ar a;
	struct inode *i;

	KTEST_ASSERT_EQ(t, ar_init(&a), 0);
	ar_entry(&a, ".", S_IFDIR | 0755, 1, 2, 0, 0, NULL);
	ar_entry(&a, "ira", S_IFDIR | 0750, 2, 2, 0, 0, NULL);
	ar_entry(&a, "ira/hello", S_IFREG | 0640, 3, 1, 0, 0, "hi there");
	ar_entry(&a, "./ira/link", S_IFLNK | 0777, 4, 1, 0, 0, "hello");
	ar_entry(&a, "/ira/null", S_IFCHR | 0666, 5, 1, 1, 3, NULL);
	ar_entry(&a, "ira/h1", S_IFREG | 0644, 6, 2, 0, 0, NULL);
	ar_entry(&a, "ira/h2", S_IFREG | 0644, 6, 2, 0, 0, "shared");
	ar_entry(&a, "TRAILER!!!", 0, 0, 1, 0, 0, NULL);
	KTEST_ASSERT_TRUE(t, a.len <= a.cap);
	KTEST_EXPECT_EQ(t, initramfs_unpack(a.buf, a.len), 0);
	i = lookup("/ira");
	KTEST_ASSERT_NOT_NULL(t, i);
	KTEST_EXPECT_EQ(t, i->i_mode, S_IFDIR | 0750);
	iput(i);
	KTEST_EXPECT_TRUE(t, file_is("/ira/hello", "hi there"));
	KTEST_EXPECT_TRUE(t, file_is("/ira/link", "hi there"));
	i = lookup("/ira/hello");
	KTEST_ASSERT_NOT_NULL(t, i);
	KTEST_EXPECT_EQ(t, i->i_mode, S_IFREG | 0640);
	KTEST_EXPECT_EQ(t, i->i_mtime.sec, 1000);
	iput(i);
	i = lookup("/ira/null");
	KTEST_ASSERT_NOT_NULL(t, i);
	KTEST_EXPECT_EQ(t, i->i_rdev, MKDEV(1, 3));
	KTEST_EXPECT_TRUE(t, S_ISCHR(i->i_mode));
	iput(i);
	KTEST_EXPECT_TRUE(t, file_is("/ira/h1", "shared"));
	i = lookup("/ira/h1");
	KTEST_ASSERT_NOT_NULL(t, i);
	KTEST_EXPECT_EQ(t, i->i_nlink, 2);
	iput(i);
	kfree(a.buf);
}

static void test_concatenated_and_replace(struct ktest *t)
{
	static const char zeros[512];
	struct ar a;

	KTEST_ASSERT_EQ(t, ar_init(&a), 0);
	ar_entry(&a, "irb", S_IFDIR | 0755, 1, 2, 0, 0, NULL);
	ar_entry(&a, "irb/f", S_IFREG | 0644, 2, 1, 0, 0, "one");
	ar_entry(&a, "TRAILER!!!", 0, 0, 1, 0, 0, NULL);
	ar_put(&a, zeros, sizeof(zeros));
	ar_entry(&a, "irb/f", S_IFREG | 0644, 2, 1, 0, 0, "two!");
	ar_entry(&a, "irb/g", S_IFREG | 0644, 2, 1, 0, 0, "g");
	ar_entry(&a, "TRAILER!!!", 0, 0, 1, 0, 0, NULL);
	ar_put(&a, zeros, 100);
	KTEST_EXPECT_EQ(t, initramfs_unpack(a.buf, a.len), 0);
	KTEST_EXPECT_TRUE(t, file_is("/irb/f", "two!"));
	KTEST_EXPECT_TRUE(t, file_is("/irb/g", "g"));
	kfree(a.buf);
}

static void test_corrupt_archives(struct ktest *t)
{
	struct ar a;
	size_t good;

	KTEST_ASSERT_EQ(t, ar_init(&a), 0);
	ar_entry(&a, "irc", S_IFDIR | 0755, 1, 2, 0, 0, NULL);
	ar_entry(&a, "irc/kept", S_IFREG | 0644, 2, 1, 0, 0, "kept");
	good = a.len;
	ar_entry(&a, "irc/lost", S_IFREG | 0644, 3, 1, 0, 0, "lost");
	a.buf[good] = 'X';              /* bad magic */
	KTEST_EXPECT_EQ(t, initramfs_unpack(a.buf, a.len), -EINVAL);
	KTEST_EXPECT_TRUE(t, file_is("/irc/kept", "kept"));
	KTEST_EXPECT_NULL(t, lookup("/irc/lost"));

	/* Truncated in the middle of the data of the last entry. */
	a.len = 0;
	ar_entry(&a, "ird", S_IFDIR | 0755, 1, 2, 0, 0, NULL);
	ar_entry(&a, "ird/big", S_IFREG | 0644, 2, 1, 0, 0, "0123456789");
	KTEST_EXPECT_EQ(t, initramfs_unpack(a.buf, a.len - 8), -EINVAL);
	KTEST_EXPECT_NULL(t, lookup("/ird/big"));
	/* A huge namesize and filesize, a bad hex digit: refused. */
	a.len = 0;
	ar_entry(&a, "ire", S_IFREG | 0644, 2, 1, 0, 0, "x");
	memcpy(a.buf + 6 + 8 * 11, "ffffffff", 8);
	KTEST_EXPECT_EQ(t, initramfs_unpack(a.buf, a.len), -EINVAL);
	memcpy(a.buf + 6 + 8 * 11, "00000004", 8);
	memcpy(a.buf + 6 + 8 * 6, "7fffffff", 8);
	KTEST_EXPECT_EQ(t, initramfs_unpack(a.buf, a.len), -EINVAL);
	a.buf[6] = 'g';
	KTEST_EXPECT_EQ(t, initramfs_unpack(a.buf, a.len), -EINVAL);
	/* Bad symlink (empty target) and bad type: warned, skipped. */
	a.len = 0;
	ar_entry(&a, "irf", S_IFLNK | 0777, 2, 1, 0, 0, NULL);
	ar_entry(&a, "irg", 0170000, 3, 1, 0, 0, NULL);
	ar_entry(&a, "irh", S_IFREG | 0600, 4, 1, 0, 0, "ok");
	KTEST_EXPECT_EQ(t, initramfs_unpack(a.buf, a.len), -EINVAL);
	KTEST_EXPECT_TRUE(t, file_is("/irh", "ok"));
	KTEST_EXPECT_EQ(t, initramfs_unpack(a.buf, 0), 0);
	kfree(a.buf);
}

static int initramfs_suite_init(void)
{
	vfs_init();
	return root_mount ? 0 : -1;
}

static struct ktest_case initramfs_cases[] = {
	KTEST_CASE(test_basic_archive),
	KTEST_CASE(test_concatenated_and_replace),
	KTEST_CASE(test_corrupt_archives),
	{}
};
KTEST_SUITE_FULL(initramfs, initramfs_cases, initramfs_suite_init, NULL);
