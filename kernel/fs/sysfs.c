/*
 * A minimal sysfs: the mount type "sysfs" with what C libraries and
 * busybox look for: /sys/kernel/, /sys/devices/system/cpu/{online,
 * possible,present,kernel_max} and cpu/vulnerabilities/ (Linux's wording
 * for a CPU that is not known to be affected: QEMU's TCG models none of
 * the speculative-execution attacks, so every entry reads "Not affected").
 *
 * It reuses procfs's tree machinery (kernel/fs/proc/generic.c): static
 * tables of struct proc_entry whose files are generated on read.
 */
#include <keel/smp.h>

#include "proc/internal.h"

/* A CPU list in Linux's "0-3,5" form, from cpu_online(). */
static int show_cpu_list(struct proc_buf *b, struct proc_inode *pi)
{
	unsigned int cpu, start;
	bool first = true;

	for (cpu = 0; cpu < NR_CPUS; cpu++) {
		if (!cpu_online(cpu))
			continue;
		start = cpu;
		while (cpu + 1 < NR_CPUS && cpu_online(cpu + 1))
			cpu++;
		proc_printf(b, first ? "%u" : ",%u", start);
		if (cpu > start)
			proc_printf(b, "-%u", cpu);
		first = false;
	}
	proc_puts(b, "\n");
	return 0;
}

static int show_kernel_max(struct proc_buf *b, struct proc_inode *pi)
{
	proc_printf(b, "%d\n", NR_CPUS - 1);
	return 0;
}

static int show_not_affected(struct proc_buf *b, struct proc_inode *pi)
{
	proc_puts(b, "Not affected\n");
	return 0;
}

#define SREG(n, fn) { .name = n, .mode = S_IFREG | 0444, .show = fn }

static const struct proc_entry sys_vulnerabilities[] = {
	SREG("itlb_multihit", show_not_affected),
	SREG("l1tf", show_not_affected),
	SREG("mds", show_not_affected),
	SREG("meltdown", show_not_affected),
	SREG("mmio_stale_data", show_not_affected),
	SREG("retbleed", show_not_affected),
	SREG("spec_store_bypass", show_not_affected),
	SREG("spectre_v1", show_not_affected),
	SREG("spectre_v2", show_not_affected),
	SREG("srbds", show_not_affected),
	SREG("tsx_async_abort", show_not_affected),
	{ 0 }
};

static const struct proc_entry sys_cpu[] = {
	SREG("kernel_max", show_kernel_max),
	SREG("online", show_cpu_list),
	SREG("possible", show_cpu_list),
	SREG("present", show_cpu_list),
	{ .name = "vulnerabilities", .mode = S_IFDIR | 0755,
	  .children = sys_vulnerabilities },
	{ 0 }
};

static const struct proc_entry sys_system[] = {
	{ .name = "cpu", .mode = S_IFDIR | 0755, .children = sys_cpu },
	{ 0 }
};

static const struct proc_entry sys_devices[] = {
	{ .name = "system", .mode = S_IFDIR | 0755, .children = sys_system },
	{ 0 }
};

static const struct proc_entry sys_empty[] = {
	{ 0 }
};

static const struct proc_entry sys_root_children[] = {
	{ .name = "block", .mode = S_IFDIR | 0755, .children = sys_empty },
	{ .name = "bus", .mode = S_IFDIR | 0755, .children = sys_empty },
	{ .name = "class", .mode = S_IFDIR | 0755, .children = sys_empty },
	{ .name = "dev", .mode = S_IFDIR | 0755, .children = sys_empty },
	{ .name = "devices", .mode = S_IFDIR | 0755, .children = sys_devices },
	{ .name = "firmware", .mode = S_IFDIR | 0755, .children = sys_empty },
	{ .name = "fs", .mode = S_IFDIR | 0755, .children = sys_empty },
	{ .name = "kernel", .mode = S_IFDIR | 0755, .children = sys_empty },
	{ .name = "module", .mode = S_IFDIR | 0755, .children = sys_empty },
	{ 0 }
};

static const struct proc_entry sys_root_entry = {
	.name = "/",
	.mode = S_IFDIR | 0755,
	.children = sys_root_children,
};

static int sysfs_fill_super(struct super_block *sb, const char *source,
			    void *data, unsigned long flags)
{
	struct inode *root = new_inode(sb, S_IFDIR | 0755);
	struct proc_inode *pi = kzalloc(sizeof(*pi), GFP_KERNEL);

	if (!root || !pi) {
		kfree(pi);
		iput(root);
		return -ENOMEM;
	}
	pi->ent = &sys_root_entry;
	pi->fd = -1;
	root->i_private = pi;
	root->i_uid = 0;
	root->i_gid = 0;
	root->i_op = &proc_dir_iops;
	root->i_fop = &proc_dir_fops;
	root->i_nlink = 2;
	sb->s_op = &proc_sops;
	sb->s_magic = SYSFS_MAGIC;
	sb->s_root = d_make_root(root);
	return sb->s_root ? 0 : -ENOMEM;
}

struct file_system_type sysfs_fs_type = {
	.name = "sysfs",
	.fs_flags = FS_SINGLE,
	.fill_super = sysfs_fill_super,
};
