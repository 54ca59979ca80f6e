/*
 * The proc file system's root: the mount type "proc", the global files,
 * "self" and "thread-self", and one directory per live process named by
 * its pid (listed after the static entries, in pid order, like Linux).
 *
 * Interface (<keel/procfs.h>): procfs_init registers "proc" and "sysfs"
 * and keeps the kernel command line; procfs_note_fork counts forks for
 * /proc/stat's "processes" and /proc/loadavg's last pid.
 */
#include <keel/kstrtox.h>
#include <keel/procfs.h>
#include <keel/sprintf.h>

#include "internal.h"

#define PID_BATCH 32

const char *proc_kernel_cmdline = "";
static u64 total_forks;                 /* [a] */
static pid_t last_pid;                  /* [a] */

void procfs_note_fork(pid_t pid)
{
	__atomic_add_fetch(&total_forks, 1, __ATOMIC_RELAXED);
	__atomic_store_n(&last_pid, pid, __ATOMIC_RELAXED);
}

/* Forks since boot; before fork reports them, the processes alive. */
u64 proc_total_forks(void)
{
	u64 n = __atomic_load_n(&total_forks, __ATOMIC_RELAXED);

	return n ? n : nr_processes();
}

/* The last pid handed out; before fork reports them, the highest live. */
pid_t proc_last_pid(void)
{
	pid_t last = __atomic_load_n(&last_pid, __ATOMIC_RELAXED);
	struct process *p;

	if (last)
		return last;
	spin_lock(&tasklist_lock);
	list_for_each_entry(p, &all_processes, all_link)
		if (p->pid > last)
			last = p->pid;
	spin_unlock(&tasklist_lock);
	return last;
}

/* ---- self, thread-self ----------------------------------------------------- */

static int self_link(struct proc_inode *pi, char *buf, size_t size)
{
	struct task *t = current_task();

	if (!t)
		return -ENOENT;         /* a kernel thread has no /proc/self */
	return scnprintf(buf, size, "%d", t->proc->pid);
}

static int thread_self_link(struct proc_inode *pi, char *buf, size_t size)
{
	struct task *t = current_task();

	if (!t)
		return -ENOENT;
	return scnprintf(buf, size, "%d/task/%d", t->proc->pid, t->tid);
}

static int mounts_link(struct proc_inode *pi, char *buf, size_t size)
{
	return scnprintf(buf, size, "self/mounts");
}

#define PROC_REG(n, fn) { .name = n, .mode = S_IFREG | 0444, .show = fn }

static const struct proc_entry proc_root_children[] = {
	{ .name = "self", .mode = S_IFLNK | 0777, .flags = PROC_VOLATILE,
	  .link = self_link },
	{ .name = "thread-self", .mode = S_IFLNK | 0777,
	  .flags = PROC_VOLATILE, .link = thread_self_link },
	{ .name = "mounts", .mode = S_IFLNK | 0777, .link = mounts_link },
	{ .name = "sys", .mode = S_IFDIR | 0555, .children = proc_sys_entries },
	PROC_REG("cmdline", proc_cmdline_show),
	PROC_REG("cpuinfo", proc_cpuinfo_show),
	PROC_REG("filesystems", proc_filesystems_show),
	PROC_REG("interrupts", proc_interrupts_show),
	{ .name = "kmsg", .mode = S_IFREG | 0400, .fops = &proc_kmsg_fops },
	PROC_REG("loadavg", proc_loadavg_show),
	PROC_REG("meminfo", proc_meminfo_show),
	PROC_REG("stat", proc_stat_show),
	PROC_REG("uptime", proc_uptime_show),
	PROC_REG("version", proc_version_show),
	{ 0 }
};

static const struct proc_entry proc_root_entry = {
	.name = "/",
	.mode = S_IFDIR | 0555,
	.children = proc_root_children,
	.dir = &proc_root_dir_ops,
};

/* ---- pid directories -------------------------------------------------------- */

/* A canonical decimal pid ("1", not "01" or "+1"), or 0. */
static pid_t name_to_pid(const char *name)
{
	unsigned int v;

	if (name[0] < '1' || name[0] > '9' || kstrtouint(name, 10, &v) ||
	    v >= PID_MAX)
		return 0;
	return (pid_t)v;
}

static int proc_root_lookup(struct inode *dir, struct dentry *d)
{
	pid_t pid = name_to_pid(d->d_name);
	struct process *p;
	pid_t tgid = 0, tid = 0;
	uid_t uid;
	gid_t gid;

	if (!pid)
		return -ENOENT;
	p = proc_get_process(pid);
	if (p) {
		tgid = pid;
		process_put(p);
	} else {
		/* Linux: a thread's id also names a (hidden) directory. */
		struct task *t;

		spin_lock(&tasklist_lock);
		t = task_by_tid(pid);
		if (t && t->proc->state != PROCESS_DEAD) {
			tgid = t->proc->pid;
			tid = pid;
		}
		spin_unlock(&tasklist_lock);
		if (!tgid)
			return -ENOENT;
	}
	proc_owner(tgid, &uid, &gid);
	return proc_instantiate(d, &proc_pid_entry, tgid, tid, -1, uid, gid);
}

/* Up to PID_BATCH live pids from @from on, in order. Return: how many. */
static unsigned int collect_pids(pid_t from, pid_t *out)
{
	unsigned int n = 0;
	pid_t pid;

	spin_lock(&tasklist_lock);
	for (pid = from; pid < PID_MAX && n < PID_BATCH; pid++) {
		struct process *p = process_by_pid(pid);

		if (p && p->state != PROCESS_DEAD)
			out[n++] = pid;
	}
	spin_unlock(&tasklist_lock);
	return n;
}

static int proc_root_iterate(struct file *f, struct dir_context *ctx)
{
	pid_t pids[PID_BATCH];
	char name[16];
	unsigned int n, i;

	for (;;) {
		pid_t from = (pid_t)(ctx->pos - PROC_DYN_POS);

		if (from < 1)
			from = 1;
		n = collect_pids(from, pids);
		if (!n) {
			ctx->pos = PROC_DYN_POS + PID_MAX;
			return 0;
		}
		for (i = 0; i < n; i++) {
			int len = scnprintf(name, sizeof(name), "%d", pids[i]);

			if (!ctx->actor(ctx, name, len,
					PROC_DYN_POS + pids[i] + 1,
					0x100000 + (u64)pids[i], DT_DIR))
				return 0;
			ctx->pos = PROC_DYN_POS + pids[i] + 1;
		}
	}
}

const struct proc_dir_ops proc_root_dir_ops = {
	.lookup = proc_root_lookup,
	.iterate = proc_root_iterate,
};

/* ---- the file system -------------------------------------------------------- */

static int proc_fill_super(struct super_block *sb, const char *source,
			   void *data, unsigned long flags)
{
	struct inode *root = new_inode(sb, S_IFDIR | 0555);
	struct proc_inode *pi = kzalloc(sizeof(*pi), GFP_KERNEL);

	if (!root || !pi) {
		kfree(pi);
		iput(root);
		return -ENOMEM;
	}
	pi->ent = &proc_root_entry;
	pi->fd = -1;
	root->i_private = pi;
	root->i_uid = 0;
	root->i_gid = 0;
	root->i_op = &proc_dir_iops;
	root->i_fop = &proc_dir_fops;
	root->i_nlink = 2;
	sb->s_op = &proc_sops;
	sb->s_magic = PROC_SUPER_MAGIC;
	sb->s_root = d_make_root(root);
	return sb->s_root ? 0 : -ENOMEM;
}

/*
 * One instance shared by every mount (Linux gives each pid namespace
 * its own; Keel has one).
 */
struct file_system_type proc_fs_type = {
	.name = "proc",
	.fs_flags = FS_SINGLE,
	.fill_super = proc_fill_super,
};

/**
 * procfs_init - register the "proc" and "sysfs" file system types and
 * remember the kernel command line for /proc/cmdline.
 * @cmdline: the boot command line; must stay valid (boot_info's copy).
 * Context: boot, process context, after vfs_init. Idempotent.
 */
void procfs_init(const char *cmdline)
{
	static bool done;

	if (cmdline)
		proc_kernel_cmdline = cmdline;
	if (done)
		return;
	done = true;
	register_filesystem(&proc_fs_type);
	register_filesystem(&sysfs_fs_type);
	proc_loadavg_start();
}
