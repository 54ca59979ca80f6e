/*
 * The device nodes: registering the drivers at boot and filling a new
 * devtmpfs with the standard nodes, links and directories Linux's
 * devtmpfs plus udev/systemd provide (null, zero, full, random, urandom,
 * kmsg, console, tty, ttyS0; fd, stdin, stdout, stderr links to
 * /proc/self/fd; pts and shm directories).
 */
#include <keel/string.h>
#include <keel/task.h>

#include "internal.h"

void devices_init(void)
{
	mem_devices_init();
	console_devices_init();
}

static const struct {
	const char *name;
	umode_t mode;
	dev_t rdev;
	const char *target;
} dev_nodes[] = {
	{ "null", S_IFCHR | 0666, MKDEV(1, 3), NULL },
	{ "zero", S_IFCHR | 0666, MKDEV(1, 5), NULL },
	{ "full", S_IFCHR | 0666, MKDEV(1, 7), NULL },
	{ "random", S_IFCHR | 0666, MKDEV(1, 8), NULL },
	{ "urandom", S_IFCHR | 0666, MKDEV(1, 9), NULL },
	{ "kmsg", S_IFCHR | 0644, MKDEV(1, 11), NULL },
	{ "tty", S_IFCHR | 0666, MKDEV(5, 0), NULL },
	{ "console", S_IFCHR | 0600, MKDEV(5, 1), NULL },
	{ "ttyS0", S_IFCHR | 0660, MKDEV(4, 64), NULL },
	{ "ptmx", S_IFCHR | 0666, MKDEV(5, 2), NULL },
	{ "fd", S_IFLNK | 0777, 0, "/proc/self/fd" },
	{ "stdin", S_IFLNK | 0777, 0, "/proc/self/fd/0" },
	{ "stdout", S_IFLNK | 0777, 0, "/proc/self/fd/1" },
	{ "stderr", S_IFLNK | 0777, 0, "/proc/self/fd/2" },
	{ "pts", S_IFDIR | 0755, 0, NULL },
	{ "shm", S_IFDIR | 01777, 0, NULL },
};

/* Fill the root of a new devtmpfs @sb. Context: [n] held (mount). */
int devtmpfs_populate(struct super_block *sb)
{
	struct dentry *root = sb->s_root;
	struct inode *dir = root->d_inode;
	unsigned int i;
	int err = 0;

	for (i = 0; i < ARRAY_SIZE(dev_nodes) && !err; i++) {
		struct dentry *d = d_alloc(root, dev_nodes[i].name,
					   strlen(dev_nodes[i].name));
		umode_t mode = dev_nodes[i].mode;

		if (IS_ERR(d))
			return PTR_ERR(d);
		if (S_ISDIR(mode))
			err = dir->i_op->mkdir(dir, d, mode);
		else if (S_ISLNK(mode))
			err = dir->i_op->symlink(dir, d, dev_nodes[i].target);
		else
			err = dir->i_op->create(dir, d, mode,
						dev_nodes[i].rdev);
		if (!err && d->d_inode) {
			/* Owned by root whoever mounts it, exact modes. */
			d->d_inode->i_uid = 0;
			d->d_inode->i_gid = 0;
			if (!S_ISLNK(mode))
				d->d_inode->i_mode = mode;
		}
		dput(d);
	}
	return err;
}
