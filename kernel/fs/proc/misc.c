/*
 * Smaller /proc files: cmdline, filesystems, mounts (also
 * /proc/<pid>/mounts), /proc/<pid>/mountinfo, interrupts, /proc/<pid>/limits, and the /proc/sys
 * tree (kernel.{hostname,domainname,ostype,osrelease,version,pid_max,
 * random.boot_id,random.uuid}, fs.{nr_open,pipe-max-size,
 * lease-break-time (writable)},
 * vm.overcommit_memory).
 *
 * mounts and filesystems walk VFS structures under vfs_ns_lock: the mount
 * tree from root_mount (parents before children, older siblings first)
 * and the registry from sysfs_fs_type, which procfs_init registers last,
 * so its ->next chain holds every type registered before it.
 */
#include <keel/irq.h>
#include <keel/kstrtox.h>
#include <keel/locks.h>
#include <keel/poll.h>
#include <keel/random.h>
#include <keel/smp.h>
#include <keel/utsname.h>

#include "internal.h"

#define FS_TYPES_MAX 32

/**
 * proc_cmdline_show - /proc/cmdline: the kernel command line.
 * Context: any. Return: 0.
 */
int proc_cmdline_show(struct proc_buf *b, struct proc_inode *pi)
{
	proc_printf(b, "%s\n", proc_kernel_cmdline);
	return 0;
}

/**
 * proc_filesystems_show - /proc/filesystems: "nodev\t<name>" or
 * "\t<name>", in registration order.
 * Context: process context (takes vfs_ns_lock). Return: 0.
 */
int proc_filesystems_show(struct proc_buf *b, struct proc_inode *pi)
{
	struct file_system_type *types[FS_TYPES_MAX], *t;
	int n = 0;

	mutex_lock(&vfs_ns_lock);
	for (t = &sysfs_fs_type; t && n < FS_TYPES_MAX; t = t->next)
		types[n++] = t;
	while (n--)
		proc_printf(b, "%s\t%s\n",
			    types[n]->fs_flags & FS_REQUIRES_DEV ? "" : "nodev",
			    types[n]->name);
	mutex_unlock(&vfs_ns_lock);
	return 0;
}

/* Linux's mangle(): space, tab, newline and backslash as octal escapes. */
static void put_escaped(struct proc_buf *b, const char *s)
{
	for (; *s; s++) {
		if (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\\')
			proc_printf(b, "\\%03o", (unsigned char)*s);
		else
			proc_write(b, s, 1);
	}
}

/* The mount after @m in a pre-order walk (older siblings first). [n] */
static struct mount *mount_next(struct mount *m)
{
	if (!list_empty(&m->mnt_children))
		return list_last_entry(&m->mnt_children, struct mount,
				       mnt_child);
	while (m->mnt_parent != m) {
		struct mount *parent = m->mnt_parent;

		if (m->mnt_child.prev != &parent->mnt_children)
			return list_entry(m->mnt_child.prev, struct mount,
					  mnt_child);
		m = parent;
	}
	return NULL;
}

/*
 * Is @m's root visible from @root (a chroot or pivot_root hides the
 * mounts outside it, as Linux's /proc/<pid>/mounts does)? [n] held.
 */
static bool mount_visible(struct mount *m, const struct path *root)
{
	struct dentry *d = m->mnt_root;

	while (m != root->mnt) {
		if (m->mnt_parent == m)
			return false;
		d = m->mnt_mountpoint;
		m = m->mnt_parent;
	}
	for (; d != root->dentry; d = d->d_parent)
		if (d->d_parent == d)
			return false;
	return true;
}

/* The initial root is Linux's "rootfs" (shown without relatime). */
static const char *mount_type(struct mount *m)
{
	return m->mnt_parent == m && m == root_mount ? "rootfs" :
	       m->mnt_sb->s_type->name;
}

/* ",nosuid,nodev,noexec,relatime" as far as they apply to @m. */
static void mount_flag_opts(struct proc_buf *b, struct mount *m)
{
	unsigned int f = m->mnt_flags;

	proc_printf(b, "%s%s%s%s", f & MNT_NOSUID ? ",nosuid" : "",
		    f & MNT_NODEV ? ",nodev" : "",
		    f & MNT_NOEXEC ? ",noexec" : "",
		    m == root_mount ? "" : ",relatime");
}

static void mount_line(struct proc_buf *b, struct mount *m, char *path)
{
	struct path p = { m, m->mnt_root };
	unsigned int f = m->mnt_flags;

	if (proc_path_name(&p, path, PATH_MAX) < 0)
		return;
	put_escaped(b, m->mnt_devname);
	proc_puts(b, " ");
	put_escaped(b, path);
	proc_printf(b, " %s %s", mount_type(m),
		    (f & MNT_RDONLY) || (m->mnt_sb->s_flags & SB_RDONLY) ?
		    "ro" : "rw");
	mount_flag_opts(b, m);
	proc_puts(b, " 0 0\n");
}

/*
 * The path of @d inside its own file system (a bind mount's root) into
 * @buf. Return: the start of the name in @buf, or NULL (too long). [n]
 */
static char *dentry_fs_path(struct dentry *d, char *buf, size_t size)
{
	char *s = buf + size;

	*--s = '\0';
	for (; d->d_parent != d; d = d->d_parent) {
		if ((size_t)(s - buf) < d->d_namelen + 2)
			return NULL;
		s -= d->d_namelen;
		memcpy(s, d->d_name, d->d_namelen);
		*--s = '/';
	}
	if (!*s)
		*--s = '/';
	return s;
}

/* One line of mountinfo (man 5 proc). [n] held. */
static void mountinfo_line(struct proc_buf *b, struct mount *m, char *path)
{
	struct path p = { m, m->mnt_root };
	struct super_block *sb = m->mnt_sb;
	char *root;

	root = dentry_fs_path(m->mnt_root, path, PATH_MAX);
	if (!root)
		return;
	proc_printf(b, "%d %d %u:%u ", m->mnt_id, m->mnt_parent->mnt_id,
		    MAJOR(sb->s_dev), MINOR(sb->s_dev));
	put_escaped(b, root);
	if (proc_path_name(&p, path, PATH_MAX) < 0)
		return;
	proc_puts(b, " ");
	put_escaped(b, path);
	proc_puts(b, m->mnt_flags & MNT_RDONLY ? " ro" : " rw");
	mount_flag_opts(b, m);
	/* Optional fields (propagation, kernel/fs/mount_propagate.c). */
	if (m->mnt_group_id)
		proc_printf(b, " shared:%d", m->mnt_group_id);
	if (m->mnt_master)
		proc_printf(b, " master:%d", m->mnt_master->mnt_group_id);
	if (m->mnt_flags & MNT_UNBINDABLE)
		proc_puts(b, " unbindable");
	proc_printf(b, " - %s ", mount_type(m));
	put_escaped(b, m->mnt_devname);
	proc_puts(b, sb->s_flags & SB_RDONLY ? " ro\n" : " rw\n");
}

/* Call @line for each mount visible from the caller's root, in order. */
static int mounts_walk(struct proc_buf *b,
		       void (*line)(struct proc_buf *b, struct mount *m,
				    char *path))
{
	char *path = kmalloc(PATH_MAX, GFP_KERNEL);
	struct path root;
	struct mount *m;

	if (!path)
		return -ENOMEM;
	mutex_lock(&vfs_ns_lock);
	current_root(&root);
	for (m = root_mount; m && !b->overflow; m = mount_next(m))
		if (mount_visible(m, &root))
			line(b, m, path);
	path_put(&root);
	mutex_unlock(&vfs_ns_lock);
	kfree(path);
	return 0;
}

/**
 * proc_mountinfo_show - /proc/<pid>/mountinfo: per mount its id, its
 * parent's id, st_dev, its root inside its file system, the mount point
 * seen from the caller's root, the per-mount options, the optional
 * fields, "-", the type, the source and the super block's options.
 * Context: process context (takes vfs_ns_lock). Return: 0 or -ENOMEM.
 */
int proc_mountinfo_show(struct proc_buf *b, struct proc_inode *pi)
{
	return mounts_walk(b, mountinfo_line);
}

/**
 * proc_mounts_show - /proc/mounts (a link to self/mounts) and
 * /proc/<pid>/mounts: "source target type options 0 0" per mount, the
 * paths seen from the caller's root, the source as given to mount(2);
 * the initial root mount shows as Linux's initramfs root does,
 * "rootfs / rootfs rw 0 0".
 * Context: process context (takes vfs_ns_lock). Return: 0 or -ENOMEM.
 */
int proc_mounts_show(struct proc_buf *b, struct proc_inode *pi)
{
	return mounts_walk(b, mount_line);
}

/**
 * proc_interrupts_show - /proc/interrupts: per-CPU counts of every IRQ
 * line that has fired, then the spurious count (ERR).
 * Context: any. Return: 0.
 */
int proc_interrupts_show(struct proc_buf *b, struct proc_inode *pi)
{
	unsigned int irq, cpu;

	proc_printf(b, "%11s", "");
	for (cpu = 0; cpu < NR_CPUS; cpu++)
		if (cpu_online(cpu))
			proc_printf(b, "CPU%-8u", cpu);
	proc_puts(b, "\n");
	for (irq = 0; irq < NR_IRQS; irq++) {
		u64 sum = 0;

		for (cpu = 0; cpu < NR_CPUS; cpu++)
			if (cpu_online(cpu))
				sum += irq_count(irq, cpu);
		if (!sum)
			continue;
		proc_printf(b, "%3u: ", irq);
		for (cpu = 0; cpu < NR_CPUS; cpu++)
			if (cpu_online(cpu))
				proc_printf(b, "%10llu ", irq_count(irq, cpu));
		proc_puts(b, "  IO-APIC\n");
	}
	proc_printf(b, "ERR: %10llu\n", irq_spurious_count());
	return 0;
}

/* ---- limits --------------------------------------------------------------- */

static const struct {
	const char *name;
	const char *unit;
} limit_names[RLIM_NLIMITS] = {
	{ "Max cpu time", "seconds" },
	{ "Max file size", "bytes" },
	{ "Max data size", "bytes" },
	{ "Max stack size", "bytes" },
	{ "Max core file size", "bytes" },
	{ "Max resident set", "bytes" },
	{ "Max processes", "processes" },
	{ "Max open files", "files" },
	{ "Max locked memory", "bytes" },
	{ "Max address space", "bytes" },
	{ "Max file locks", "locks" },
	{ "Max pending signals", "signals" },
	{ "Max msgqueue size", "bytes" },
	{ "Max nice priority", NULL },
	{ "Max realtime priority", NULL },
	{ "Max realtime timeout", "us" },
};

static void limit_value(struct proc_buf *b, u64 v)
{
	if (v == RLIM_INFINITY)
		proc_printf(b, "%-20s ", "unlimited");
	else
		proc_printf(b, "%-20llu ", v);
}

/**
 * proc_limits_show - /proc/<pid>/limits, Linux's table.
 * Context: process context. Return: 0 or -ESRCH.
 */
int proc_limits_show(struct proc_buf *b, struct proc_inode *pi)
{
	struct process *p = proc_get_process(pi->pid);
	struct rlimit64 rl[RLIM_NLIMITS];
	int i;

	if (!p)
		return -ESRCH;
	spin_lock(&p->lock);
	memcpy(rl, p->rlim, sizeof(rl));
	spin_unlock(&p->lock);
	process_put(p);
	proc_printf(b, "%-25s %-20s %-20s %-10s\n", "Limit", "Soft Limit",
		    "Hard Limit", "Units");
	for (i = 0; i < RLIM_NLIMITS; i++) {
		proc_printf(b, "%-25s ", limit_names[i].name);
		limit_value(b, rl[i].rlim_cur);
		limit_value(b, rl[i].rlim_max);
		if (limit_names[i].unit)
			proc_printf(b, "%-10s", limit_names[i].unit);
		proc_puts(b, "\n");
	}
	return 0;
}

/* ---- /proc/sys ------------------------------------------------------------- */

static int sys_hostname(struct proc_buf *b, struct proc_inode *pi)
{
	char name[UTS_LEN];

	utsname_hostname(name, sizeof(name));
	proc_printf(b, "%s\n", name);
	return 0;
}

static int sys_domainname(struct proc_buf *b, struct proc_inode *pi)
{
	char name[UTS_LEN];

	utsname_domainname(name, sizeof(name));
	proc_printf(b, "%s\n", name);
	return 0;
}

static int sys_ostype(struct proc_buf *b, struct proc_inode *pi)
{
	proc_printf(b, "%s\n", UTS_SYSNAME);
	return 0;
}

static int sys_osrelease(struct proc_buf *b, struct proc_inode *pi)
{
	proc_printf(b, "%s\n", UTS_RELEASE);
	return 0;
}

static int sys_version(struct proc_buf *b, struct proc_inode *pi)
{
	proc_printf(b, "%s\n", utsname_version());
	return 0;
}

static int sys_pid_max(struct proc_buf *b, struct proc_inode *pi)
{
	proc_printf(b, "%d\n", PID_MAX);
	return 0;
}

static int sys_ngroups_max(struct proc_buf *b, struct proc_inode *pi)
{
	proc_printf(b, "%d\n", NGROUPS_MAX);
	return 0;
}

static int sys_nr_open(struct proc_buf *b, struct proc_inode *pi)
{
	proc_printf(b, "%llu\n", NR_OPEN_MAX);
	return 0;
}

static int sys_pipe_max_size(struct proc_buf *b, struct proc_inode *pi)
{
	proc_printf(b, "%u\n", READ_ONCE(pipe_max_size));
	return 0;
}

static int sys_lease_break_time(struct proc_buf *b, struct proc_inode *pi)
{
	proc_printf(b, "%u\n", READ_ONCE(lease_break_time));
	return 0;
}

/* Linux's proc_dointvec: a decimal int; Keel refuses negative times. */
static ssize_t sys_lease_break_time_store(struct proc_inode *pi,
					  const char *buf, size_t len)
{
	char num[16];
	unsigned int v;
	size_t n = len;

	if (n && buf[n - 1] == '\n')
		n--;
	if (!n || n >= sizeof(num))
		return -EINVAL;
	memcpy(num, buf, n);
	num[n] = '\0';
	if (kstrtouint(num, 10, &v) || v > 0x7fffffff)
		return -EINVAL;
	WRITE_ONCE(lease_break_time, v);
	return (ssize_t)len;
}

static int sys_zero(struct proc_buf *b, struct proc_inode *pi)
{
	proc_puts(b, "0\n");
	return 0;
}

/* A random (version 4) UUID, as Linux's random/uuid prints it. */
static void put_uuid(struct proc_buf *b, u8 u[16])
{
	u[6] = (u8)((u[6] & 0x0f) | 0x40);
	u[8] = (u8)((u[8] & 0x3f) | 0x80);
	proc_printf(b, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
		    "%02x%02x%02x%02x%02x%02x\n", u[0], u[1], u[2], u[3], u[4],
		    u[5], u[6], u[7], u[8], u[9], u[10], u[11], u[12], u[13],
		    u[14], u[15]);
}

static int sys_uuid(struct proc_buf *b, struct proc_inode *pi)
{
	u8 u[16];

	get_random_bytes(u, sizeof(u));
	put_uuid(b, u);
	return 0;
}

static DEFINE_MUTEX(boot_id_lock);
static u8 boot_id[16];                  /* [boot_id_lock] */
static bool boot_id_set;                /* [boot_id_lock] */

/* One UUID per boot, made on first use. */
static int sys_boot_id(struct proc_buf *b, struct proc_inode *pi)
{
	u8 u[16];

	mutex_lock(&boot_id_lock);
	if (!boot_id_set) {
		get_random_bytes(boot_id, sizeof(boot_id));
		boot_id_set = true;
	}
	memcpy(u, boot_id, sizeof(u));
	mutex_unlock(&boot_id_lock);
	put_uuid(b, u);
	return 0;
}

#define SYSREG(n, fn) { .name = n, .mode = S_IFREG | 0444, .show = fn }

static const struct proc_entry sys_kernel_random[] = {
	SYSREG("boot_id", sys_boot_id),
	SYSREG("uuid", sys_uuid),
	{ 0 }
};

/*
 * hostname and domainname are 0444 until kernel/proc/sys_info.c exports
 * its setter (Linux: 0644, writing calls sethostname's code).
 */
static const struct proc_entry sys_kernel[] = {
	SYSREG("domainname", sys_domainname),
	SYSREG("hostname", sys_hostname),
	SYSREG("ngroups_max", sys_ngroups_max),
	SYSREG("osrelease", sys_osrelease),
	SYSREG("ostype", sys_ostype),
	SYSREG("pid_max", sys_pid_max),
	{ .name = "random", .mode = S_IFDIR | 0555,
	  .children = sys_kernel_random },
	SYSREG("version", sys_version),
	{ 0 }
};

static const struct proc_entry sys_fs[] = {
	{ .name = "lease-break-time", .mode = S_IFREG | 0644,
	  .show = sys_lease_break_time, .store = sys_lease_break_time_store },
	SYSREG("nr_open", sys_nr_open),
	SYSREG("pipe-max-size", sys_pipe_max_size),
	{ 0 }
};

static const struct proc_entry sys_vm[] = {
	SYSREG("overcommit_memory", sys_zero),
	{ 0 }
};

const struct proc_entry proc_sys_entries[] = {
	{ .name = "fs", .mode = S_IFDIR | 0555, .children = sys_fs },
	{ .name = "kernel", .mode = S_IFDIR | 0555, .children = sys_kernel },
	{ .name = "vm", .mode = S_IFDIR | 0555, .children = sys_vm },
	{ 0 }
};
