/*
 * Character device numbers: a small registry from (major, minor range)
 * to file operations, consulted when a device node is opened.
 */
#include <keel/string.h>

#include "internal.h"

#define MAX_CHRDEVS 32

struct chrdev {
	unsigned int major, minor, count;
	const char *name;
	const struct file_operations *fops;
};

static struct chrdev chrdevs[MAX_CHRDEVS];      /* [chrdev_lock] */
static unsigned int nr_chrdevs;                 /* [chrdev_lock] */
static DEFINE_SPINLOCK(chrdev_lock);

int chrdev_register(unsigned int major, unsigned int minor,
		    unsigned int count, const char *name,
		    const struct file_operations *fops)
{
	unsigned int i;
	int err = 0;

	spin_lock(&chrdev_lock);
	for (i = 0; i < nr_chrdevs; i++) {
		struct chrdev *c = &chrdevs[i];

		if (c->major == major && minor < c->minor + c->count &&
		    c->minor < minor + count)
			err = -EBUSY;
	}
	if (!err && nr_chrdevs == MAX_CHRDEVS)
		err = -ENOSPC;
	if (!err)
		chrdevs[nr_chrdevs++] = (struct chrdev){ major, minor, count,
							 name, fops };
	spin_unlock(&chrdev_lock);
	return err;
}

static const struct file_operations *chrdev_find(dev_t dev)
{
	const struct file_operations *fops = NULL;
	unsigned int i;

	spin_lock(&chrdev_lock);
	for (i = 0; i < nr_chrdevs; i++) {
		struct chrdev *c = &chrdevs[i];

		if (c->major == MAJOR(dev) && MINOR(dev) >= c->minor &&
		    MINOR(dev) < c->minor + c->count) {
			fops = c->fops;
			break;
		}
	}
	spin_unlock(&chrdev_lock);
	return fops;
}

/* Open a character device node: the driver's fops replace the inode's. */
int chrdev_open(struct inode *inode, struct file *file)
{
	const struct file_operations *fops = chrdev_find(inode->i_rdev);

	if (!fops)
		return -ENXIO;
	file->f_op = fops;
	return fops->open ? fops->open(inode, file) : 0;
}
