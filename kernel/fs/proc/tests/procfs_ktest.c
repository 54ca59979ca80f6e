/*
 * ktest suite "procfs": proc and sysfs mounted on /ktest-proc and
 * /ktest-sys, their global files read through the VFS kernel API
 * (file_open_kernel + kernel_read) and checked against Linux's formats;
 * lookups of names that do not exist (and must not be cached as
 * absent), directory listings, chunked reads, the syslog syscall's
 * argument checks. Per-process files need user processes: the
 * conformance tests cover them.
 */
#include <keel/ktest.h>
#include <keel/log.h>
#include <keel/procfs.h>
#include <keel/string.h>
#include <keel/syscall.h>
#include <keel/task.h>

#include "../internal.h"

#define BUF_SIZE 16384

static char *buf;
static struct mount *mounts[2];

static int mount_at(const char *dir, const char *type, struct mount **out)
{
	struct nameidata nd;
	struct path at;
	struct mount *m;
	int err;

	nd_init_at(&nd, &root_cred, NULL, NULL, 0);
	err = vfs_mknod_at(&nd, dir, S_IFDIR | 0755, 0, NULL);
	nd_done(&nd);
	if (err && err != -EEXIST)
		return err;
	nd_init_at(&nd, &root_cred, NULL, NULL, LOOKUP_FOLLOW);
	mutex_lock(&vfs_ns_lock);
	err = walk_path(&nd, dir, &at);
	if (!err) {
		m = mount_new_sb(find_filesystem(type), type, NULL, 0);
		if (IS_ERR(m)) {
			err = (int)PTR_ERR(m);
		} else {
			mount_attach(m, &at);
			*out = m;
		}
		path_put(&at);
	}
	mutex_unlock(&vfs_ns_lock);
	nd_done(&nd);
	return err;
}

static int suite_init(void)
{
	buf = kmalloc(BUF_SIZE, GFP_KERNEL);
	if (!buf || !find_filesystem("proc"))
		return -1;
	if (mount_at("/ktest-proc", "proc", &mounts[0]) ||
	    mount_at("/ktest-sys", "sysfs", &mounts[1]))
		return -1;
	return 0;
}

static void suite_exit(void)
{
	LIST_HEAD(dead);
	struct mount *m;
	int i;

	mutex_lock(&vfs_ns_lock);
	for (i = 0; i < 2; i++)
		if (mounts[i])
			mount_detach(mounts[i], &dead);
	mutex_unlock(&vfs_ns_lock);
	while (!list_empty(&dead)) {
		m = list_first_entry(&dead, struct mount, mnt_list);
		list_del_init(&m->mnt_list);
		mnt_put(m);
	}
	kfree(buf);
}

/* Read all of @path into buf (NUL-terminated). Return: length or -errno. */
static long slurp(const char *path)
{
	struct file *f = file_open_kernel(path, O_RDONLY, 0);
	long len = 0, n;

	if (IS_ERR(f))
		return PTR_ERR(f);
	while ((n = kernel_read(f, buf + len, BUF_SIZE - 1 - (size_t)len,
				len)) > 0)
		len += n;
	fput(f);
	if (n < 0)
		return n;
	buf[len] = '\0';
	return len;
}

static bool starts(const char *s, const char *prefix)
{
	return !strncmp(s, prefix, strlen(prefix));
}

static void test_meminfo(struct ktest *t)
{
	KTEST_ASSERT_TRUE(t, slurp("/ktest-proc/meminfo") > 0);
	KTEST_EXPECT_TRUE(t, starts(buf, "MemTotal:       "));
	KTEST_EXPECT_TRUE(t, strstr(buf, "\nMemFree:        ") != NULL);
	KTEST_EXPECT_TRUE(t, strstr(buf, "\nMemAvailable:   ") != NULL);
	KTEST_EXPECT_TRUE(t, strstr(buf, "\nSwapTotal:      ") != NULL);
	KTEST_EXPECT_TRUE(t, strstr(buf, " kB\nMemFree:") != NULL);
	KTEST_EXPECT_TRUE(t, buf[strlen(buf) - 1] == '\n');
}

/* The kB value of meminfo line @name ("\nShmem:"), or -1. */
static long meminfo_kb(const char *name)
{
	const char *p;
	long v = 0;

	if (slurp("/ktest-proc/meminfo") <= 0)
		return -1;
	p = strstr(buf, name);
	if (!p)
		return -1;
	for (p += strlen(name); *p == ' '; p++)
		;
	for (; *p >= '0' && *p <= '9'; p++)
		v = v * 10 + (*p - '0');
	return v;
}

/* Blocks and inodes in use in @f's tmpfs, as df computes them. */
static void tmpfs_used(struct file *f, u64 *blocks, u64 *files)
{
	struct super_block *sb = file_inode(f)->i_sb;
	struct statfs st;

	memset(&st, 0, sizeof(st));
	*blocks = *files = 0;
	if (sb->s_op->statfs(sb, &st))
		return;
	*blocks = st.f_blocks - st.f_bfree;
	*files = st.f_files - st.f_ffree;
}

/*
 * tmpfs pages are Shmem and Cached, and statfs's used blocks (df): they
 * follow a file's growth and truncation.
 */
static void test_meminfo_shmem(struct ktest *t)
{
	static char page[8192];
	long before = meminfo_kb("\nShmem:"), grown, after;
	u64 used, used_grown, files;
	struct file *f;

	KTEST_ASSERT_TRUE(t, before >= 0);
	KTEST_EXPECT_EQ(t, meminfo_kb("\nCached:"), before);
	f = file_open_kernel("/ktest-shmem", O_RDWR | O_CREAT | O_TRUNC, 0600);
	KTEST_ASSERT_FALSE(t, IS_ERR(f));
	memset(page, 'x', sizeof(page));
	KTEST_EXPECT_EQ(t, kernel_write(f, page, sizeof(page), 0),
			(ssize_t)sizeof(page));
	tmpfs_used(f, &used_grown, &files);
	KTEST_EXPECT_TRUE(t, used_grown >= 2);
	KTEST_EXPECT_TRUE(t, files >= 2);       /* the root and the file */
	fput(f);
	grown = meminfo_kb("\nShmem:");
	KTEST_EXPECT_TRUE(t, grown >= before + 8);
	f = file_open_kernel("/ktest-shmem", O_RDWR | O_TRUNC, 0);
	KTEST_ASSERT_FALSE(t, IS_ERR(f));
	tmpfs_used(f, &used, &files);
	KTEST_EXPECT_EQ(t, used, used_grown - 2);
	fput(f);
	after = meminfo_kb("\nShmem:");
	KTEST_EXPECT_TRUE(t, after <= grown - 8);
}

/* "<digits>.<2 digits>" at @s; the end in *@end. */
static bool decimal2(const char *s, const char **end)
{
	const char *p = s;

	while (*p >= '0' && *p <= '9')
		p++;
	if (p == s || p[0] != '.' || p[1] < '0' || p[1] > '9' ||
	    p[2] < '0' || p[2] > '9')
		return false;
	*end = p + 3;
	return true;
}

static void test_uptime(struct ktest *t)
{
	const char *p;

	KTEST_ASSERT_TRUE(t, slurp("/ktest-proc/uptime") > 0);
	KTEST_ASSERT_TRUE(t, decimal2(buf, &p));
	KTEST_ASSERT_EQ(t, *p, ' ');
	KTEST_ASSERT_TRUE(t, decimal2(p + 1, &p));
	KTEST_EXPECT_STREQ(t, p, "\n");
}

/* Linux's figures: FSHIFT 11, EXP_1 1884, EXP_15 2037. */
static void test_loadavg(struct ktest *t)
{
	unsigned long load = 0, avg[3];
	const char *p;
	int i;

	/* One busy 5 s interval from idle: 0.08; an idle one decays. */
	KTEST_EXPECT_EQ(t, proc_calc_load(0, 1884, 2048), 164UL);
	KTEST_EXPECT_EQ(t, proc_calc_load(2048, 1884, 0), 1884UL);
	/* A minute of one busy task: 1 - 1/e of the way, 0.63. */
	for (i = 0; i < 12; i++)
		load = proc_calc_load(load, 1884, 2048);
	KTEST_EXPECT_TRUE(t, load >= 1280 && load <= 1310);
	procfs_load_averages(avg);
	for (i = 0; i < 3; i++)
		KTEST_EXPECT_TRUE(t, avg[i] < 64 * 2048);

	KTEST_ASSERT_TRUE(t, slurp("/ktest-proc/loadavg") > 0);
	p = buf;
	for (i = 0; i < 3; i++) {
		KTEST_ASSERT_TRUE(t, decimal2(p, &p));
		KTEST_ASSERT_EQ(t, *p++, ' ');
	}
	KTEST_EXPECT_TRUE(t, strchr(p, '/') != NULL);
	KTEST_EXPECT_EQ(t, buf[strlen(buf) - 1], '\n');
}

static void test_version_cmdline(struct ktest *t)
{
	KTEST_ASSERT_TRUE(t, slurp("/ktest-proc/version") > 0);
	KTEST_EXPECT_TRUE(t, starts(buf, "Keel version 6.1.0-keel ("));
	KTEST_ASSERT_TRUE(t, slurp("/ktest-proc/cmdline") > 0);
	KTEST_EXPECT_TRUE(t, strstr(buf, "ktest=") != NULL);
	KTEST_EXPECT_EQ(t, buf[strlen(buf) - 1], '\n');
}

static void test_filesystems(struct ktest *t)
{
	KTEST_ASSERT_TRUE(t, slurp("/ktest-proc/filesystems") > 0);
	KTEST_EXPECT_TRUE(t, strstr(buf, "nodev\ttmpfs\n") != NULL);
	KTEST_EXPECT_TRUE(t, strstr(buf, "nodev\tproc\n") != NULL);
	KTEST_EXPECT_TRUE(t, strstr(buf, "nodev\tsysfs\n") != NULL);
	/* Registration order: tmpfs (the root) before proc. */
	KTEST_EXPECT_TRUE(t, strstr(buf, "tmpfs") < strstr(buf, "proc"));
}

static void test_mounts(struct ktest *t)
{
	struct proc_buf b = { .buf = buf, .size = BUF_SIZE };

	KTEST_ASSERT_EQ(t, proc_mounts_show(&b, NULL), 0);
	KTEST_ASSERT_FALSE(t, b.overflow);
	buf[b.len] = '\0';
	KTEST_EXPECT_TRUE(t, starts(buf, "rootfs / rootfs rw 0 0\n"));
	KTEST_EXPECT_TRUE(t, strstr(buf, "\nproc /ktest-proc proc rw,relatime"
				       " 0 0\n") != NULL);
	KTEST_EXPECT_TRUE(t, strstr(buf, "\nsysfs /ktest-sys sysfs ") != NULL);
	/* /proc/mounts is Linux's link to self/mounts: a kthread has no self. */
	KTEST_EXPECT_EQ(t, slurp("/ktest-proc/mounts"), -ENOENT);
}

static void test_sys_kernel(struct ktest *t)
{
	char id[64];

	KTEST_ASSERT_TRUE(t, slurp("/ktest-proc/sys/kernel/ostype") > 0);
	KTEST_EXPECT_STREQ(t, buf, "Keel\n");
	KTEST_ASSERT_TRUE(t, slurp("/ktest-proc/sys/kernel/osrelease") > 0);
	KTEST_EXPECT_STREQ(t, buf, "6.1.0-keel\n");
	KTEST_ASSERT_TRUE(t, slurp("/ktest-proc/sys/kernel/pid_max") > 0);
	KTEST_EXPECT_STREQ(t, buf, "32768\n");
	KTEST_ASSERT_TRUE(t, slurp("/ktest-proc/sys/kernel/hostname") > 0);
	KTEST_EXPECT_EQ(t, buf[strlen(buf) - 1], '\n');
	KTEST_ASSERT_TRUE(t, slurp("/ktest-proc/sys/kernel/version") > 0);
	KTEST_EXPECT_TRUE(t, starts(buf, "#1 SMP"));
	KTEST_ASSERT_EQ(t, slurp("/ktest-proc/sys/kernel/random/boot_id"), 37);
	KTEST_EXPECT_EQ(t, buf[8], '-');
	KTEST_EXPECT_EQ(t, buf[14], '4');       /* version 4 */
	strlcpy(id, buf, sizeof(id));
	KTEST_ASSERT_EQ(t, slurp("/ktest-proc/sys/kernel/random/boot_id"), 37);
	KTEST_EXPECT_STREQ(t, buf, id);
	KTEST_ASSERT_EQ(t, slurp("/ktest-proc/sys/kernel/random/uuid"), 37);
	KTEST_EXPECT_TRUE(t, strcmp(buf, id) != 0);
	KTEST_ASSERT_TRUE(t, slurp("/ktest-proc/sys/vm/overcommit_memory") > 0);
	KTEST_EXPECT_STREQ(t, buf, "0\n");
}

static void test_cpuinfo_stat(struct ktest *t)
{
	KTEST_ASSERT_TRUE(t, slurp("/ktest-proc/cpuinfo") > 0);
	KTEST_EXPECT_TRUE(t, starts(buf, "processor\t: 0\nvendor_id\t: "));
	KTEST_EXPECT_TRUE(t, strstr(buf, "\nflags\t\t: fpu ") != NULL);
	KTEST_EXPECT_TRUE(t, strstr(buf, "\nbogomips\t: ") != NULL);
	KTEST_EXPECT_TRUE(t, strstr(buf, "power management:\n\n") != NULL);
	KTEST_ASSERT_TRUE(t, slurp("/ktest-proc/stat") > 0);
	KTEST_EXPECT_TRUE(t, starts(buf, "cpu  "));
	KTEST_EXPECT_TRUE(t, strstr(buf, "\ncpu0 ") != NULL);
	KTEST_EXPECT_TRUE(t, strstr(buf, "\nintr ") != NULL);
	KTEST_EXPECT_TRUE(t, strstr(buf, "\nctxt ") != NULL);
	KTEST_EXPECT_TRUE(t, strstr(buf, "\nbtime ") != NULL);
	KTEST_EXPECT_TRUE(t, strstr(buf, "\nprocesses ") != NULL);
	KTEST_EXPECT_TRUE(t, strstr(buf, "\nprocs_running ") != NULL);
	KTEST_EXPECT_TRUE(t, strstr(buf, "\nprocs_blocked ") != NULL);
	KTEST_ASSERT_TRUE(t, slurp("/ktest-proc/loadavg") > 0);
	KTEST_EXPECT_TRUE(t, starts(buf, "0.00 0.00 0.00 "));
	KTEST_EXPECT_TRUE(t, strchr(buf, '/') != NULL);
	KTEST_ASSERT_TRUE(t, slurp("/ktest-proc/interrupts") > 0);
	KTEST_EXPECT_TRUE(t, starts(buf, "           CPU0       "));
}

static void test_missing_names(struct ktest *t)
{
	struct path p;

	KTEST_EXPECT_EQ(t, vfs_lookup_kernel("/ktest-proc/99999", 0, &p),
			-ENOENT);
	KTEST_EXPECT_EQ(t, vfs_lookup_kernel("/ktest-proc/0", 0, &p), -ENOENT);
	KTEST_EXPECT_EQ(t, vfs_lookup_kernel("/ktest-proc/01", 0, &p),
			-ENOENT);
	KTEST_EXPECT_EQ(t, vfs_lookup_kernel("/ktest-proc/nothing", 0, &p),
			-ENOENT);
	/* A failed lookup leaves no negative dentry behind. */
	KTEST_EXPECT_TRUE(t, d_lookup(mounts[0]->mnt_root, "99999", 5) ==
			      NULL);
	KTEST_EXPECT_EQ(t, vfs_lookup_kernel("/ktest-proc/self",
					     LOOKUP_FOLLOW, &p), -ENOENT);
	KTEST_EXPECT_EQ(t, vfs_lookup_kernel("/ktest-proc/meminfo/x", 0, &p),
			-ENOTDIR);
	KTEST_ASSERT_EQ(t, vfs_lookup_kernel("/ktest-proc/sys/kernel", 0, &p),
			0);
	KTEST_EXPECT_TRUE(t, S_ISDIR(p.dentry->d_inode->i_mode));
	path_put(&p);
}

struct names {
	struct dir_context ctx;
	char all[1024];
	int count;
};

static bool collect(struct dir_context *ctx, const char *name, int len,
		    loff_t pos, u64 ino, unsigned int dtype)
{
	struct names *n = container_of(ctx, struct names, ctx);

	if (n->count >= 3)
		return false;           /* small batches: test resuming */
	{
	size_t at = strlen(n->all);

	if (at + (size_t)len + 2 < sizeof(n->all)) {
		n->all[at] = '|';
		memcpy(n->all + at + 1, name, (size_t)len);
		n->all[at + 1 + len] = '\0';
	}
	}
	n->count++;
	return true;
}

static void test_readdir(struct ktest *t)
{
	struct file *d = file_open_kernel("/ktest-proc", O_RDONLY | O_DIRECTORY,
					  0);
	struct names n = { .ctx.actor = collect };
	int rounds = 0;

	KTEST_ASSERT_FALSE(t, IS_ERR(d));
	do {
		n.count = 0;
		KTEST_EXPECT_EQ(t, d->f_op->iterate(d, &n.ctx), 0);
	} while (n.count && ++rounds < 100);
	fput(d);
	KTEST_EXPECT_TRUE(t, starts(n.all, "|.|..|self|thread-self|mounts|"));
	KTEST_EXPECT_TRUE(t, strstr(n.all, "|meminfo|") != NULL);
	KTEST_EXPECT_TRUE(t, strstr(n.all, "|sys|") != NULL);
	KTEST_EXPECT_TRUE(t, strstr(n.all, "|version") != NULL);
}

static void test_chunked_read(struct ktest *t)
{
	struct file *f = file_open_kernel("/ktest-proc/cpuinfo", O_RDONLY, 0);
	char *whole = kmalloc(BUF_SIZE, GFP_KERNEL);
	long len = 0, n;

	KTEST_ASSERT_FALSE(t, IS_ERR(f));
	KTEST_ASSERT_TRUE(t, whole != NULL);
	/* Reads at later offsets serve the text generated at offset 0. */
	while ((n = kernel_read(f, whole + len, 7, len)) > 0)
		len += n;
	whole[len] = '\0';
	fput(f);
	KTEST_EXPECT_EQ(t, slurp("/ktest-proc/cpuinfo"), len);
	KTEST_EXPECT_STREQ(t, whole, buf);
	kfree(whole);
	f = file_open_kernel("/ktest-proc/version", O_WRONLY, 0);
	KTEST_ASSERT_FALSE(t, IS_ERR(f));
	KTEST_EXPECT_EQ(t, kernel_write(f, "x", 1, 0), -EINVAL);
	fput(f);
}

static void test_sysfs(struct ktest *t)
{
	struct file *f;

	KTEST_ASSERT_TRUE(t, slurp("/ktest-sys/devices/system/cpu/online") > 0);
	KTEST_EXPECT_TRUE(t, buf[0] == '0');
	KTEST_EXPECT_EQ(t, buf[strlen(buf) - 1], '\n');
	KTEST_ASSERT_TRUE(t, slurp("/ktest-sys/devices/system/cpu/possible") >
			  0);
	KTEST_ASSERT_TRUE(t, slurp("/ktest-sys/devices/system/cpu/"
				   "vulnerabilities/meltdown") > 0);
	KTEST_EXPECT_STREQ(t, buf, "Not affected\n");
	f = file_open_kernel("/ktest-sys/kernel", O_RDONLY | O_DIRECTORY, 0);
	KTEST_ASSERT_FALSE(t, IS_ERR(f));
	fput(f);
}

static long call_syslog(int type, unsigned long bufp, int len)
{
	struct syscall_args a = { { (unsigned long)type, bufp,
				    (unsigned long)len } };

	return sys_syslog(&a);
}

static void test_syslog_args(struct ktest *t)
{
	KTEST_EXPECT_EQ(t, call_syslog(10, 0, 0), LOG_BUF_SIZE);
	KTEST_EXPECT_EQ(t, call_syslog(3, 0, 100), -EINVAL);
	KTEST_EXPECT_EQ(t, call_syslog(3, 0x1000, -1), -EINVAL);
	KTEST_EXPECT_EQ(t, call_syslog(99, 0, 0), -EINVAL);
	KTEST_EXPECT_EQ(t, call_syslog(8, 0, 0), -EINVAL);
	KTEST_EXPECT_EQ(t, call_syslog(8, 0, 9), -EINVAL);
	KTEST_EXPECT_EQ(t, call_syslog(0, 0, 0), 0);
	/* A kernel address is not a user buffer. */
	KTEST_EXPECT_EQ(t, call_syslog(3, (unsigned long)buf, 64), -EFAULT);
	KTEST_EXPECT_TRUE(t, call_syslog(9, 0, 0) > 0);
}

static struct ktest_case procfs_cases[] = {
	KTEST_CASE(test_meminfo),
	KTEST_CASE(test_meminfo_shmem),
	KTEST_CASE(test_uptime),
	KTEST_CASE(test_loadavg),
	KTEST_CASE(test_version_cmdline),
	KTEST_CASE(test_filesystems),
	KTEST_CASE(test_mounts),
	KTEST_CASE(test_sys_kernel),
	KTEST_CASE(test_cpuinfo_stat),
	KTEST_CASE(test_missing_names),
	KTEST_CASE(test_readdir),
	KTEST_CASE(test_chunked_read),
	KTEST_CASE(test_sysfs),
	KTEST_CASE(test_syslog_args),
	{}
};
KTEST_SUITE_FULL(procfs, procfs_cases, suite_init, suite_exit);
