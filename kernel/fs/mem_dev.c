/*
 * The memory devices (major 1): null (3), zero (5), full (7), random (8),
 * urandom (9), kmsg (11). Keel's random and urandom are the same
 * never-blocking generator (<keel/random.h>), as on Linux since 5.6 once
 * seeded. kmsg reads one log record per read(2) in Linux's
 * "level,seq,usec,-;text\n" format (-EINVAL if the buffer is too small,
 * -EPIPE once after records were overwritten) and writes lines to the log.
 */
#include <keel/log.h>
#include <keel/printk.h>
#include <keel/random.h>
#include <keel/slab.h>
#include <keel/sprintf.h>
#include <keel/string.h>
#include <keel/uaccess.h>

#include "internal.h"

static ssize_t null_read(struct file *f, char __user *buf, size_t n,
			 loff_t *pos)
{
	return 0;
}

static ssize_t null_write(struct file *f, const char __user *buf, size_t n,
			  loff_t *pos)
{
	return (ssize_t)n;
}

static loff_t mem_llseek(struct file *f, loff_t off, int whence)
{
	f->f_pos = 0;
	return 0;
}

static ssize_t fill_user(char __user *buf, size_t n, bool random)
{
	char chunk[256];
	size_t done = 0;

	if (!random)
		memset(chunk, 0, sizeof(chunk));
	while (done < n) {
		size_t c = MIN(n - done, sizeof(chunk));
		unsigned long left;

		if (random)
			get_random_bytes(chunk, c);
		left = copy_to_user(buf + done, chunk, c);
		done += c - left;
		if (left)
			return done ? (ssize_t)done : -EFAULT;
		if (current->signal_pending && done < n)
			break;
	}
	return (ssize_t)done;
}

static ssize_t zero_read(struct file *f, char __user *buf, size_t n,
			 loff_t *pos)
{
	return fill_user(buf, n, false);
}

static ssize_t full_write(struct file *f, const char __user *buf, size_t n,
			  loff_t *pos)
{
	return -ENOSPC;
}

static ssize_t random_read(struct file *f, char __user *buf, size_t n,
			   loff_t *pos)
{
	return fill_user(buf, n, true);
}

static const struct file_operations null_fops = {
	.read = null_read, .write = null_write, .llseek = mem_llseek,
};
static const struct file_operations zero_fops = {
	.read = zero_read, .write = null_write, .llseek = mem_llseek,
};
static const struct file_operations full_fops = {
	.read = zero_read, .write = full_write, .llseek = mem_llseek,
};
static const struct file_operations random_fops = {
	.read = random_read, .write = null_write, .llseek = mem_llseek,
};

/* ---- kmsg ------------------------------------------------------------------- */

struct kmsg_reader {
	struct mutex lock;
	struct log_iter it;
};

static int kmsg_open(struct inode *inode, struct file *f)
{
	struct kmsg_reader *r = kzalloc(sizeof(*r), GFP_KERNEL);

	if (!r)
		return -ENOMEM;
	mutex_init(&r->lock);
	log_iter_init(&r->it);
	f->private_data = r;
	return 0;
}

static int kmsg_release(struct inode *inode, struct file *f)
{
	kfree(f->private_data);
	return 0;
}

static ssize_t kmsg_read(struct file *f, char __user *buf, size_t n,
			 loff_t *pos)
{
	struct kmsg_reader *r = f->private_data;
	struct log_record rec;
	char *text = kmalloc(LOG_LINE_MAX + 64, GFP_KERNEL);
	char head[64];
	u64 missed = 0;
	ssize_t ret;
	int hl;

	if (!text)
		return -ENOMEM;
	mutex_lock(&r->lock);
	if (!log_iter_next(&r->it, &rec, text, LOG_LINE_MAX, &missed)) {
		ret = -EAGAIN;  /* no new record: Keel's kmsg does not block */
		goto out;
	}
	if (missed) {
		ret = -EPIPE;
		goto out;
	}
	hl = snprintf(head, sizeof(head), "%u,%llu,%llu,-;", rec.level,
		      rec.seq, rec.ts_ns / 1000);
	if ((size_t)hl + rec.len + 1 > n) {
		ret = -EINVAL;
		goto out;
	}
	memmove(text + hl, text, rec.len);
	memcpy(text, head, (size_t)hl);
	text[hl + rec.len] = '\n';
	ret = hl + rec.len + 1;
	if (copy_to_user(buf, text, (size_t)ret))
		ret = -EFAULT;
out:
	mutex_unlock(&r->lock);
	kfree(text);
	return ret;
}

static ssize_t kmsg_write(struct file *f, const char __user *buf, size_t n,
			  loff_t *pos)
{
	size_t len = MIN(n, (size_t)LOG_LINE_MAX - 1);
	char *text = kmalloc(len + 1, GFP_KERNEL);

	if (!text)
		return -ENOMEM;
	if (copy_from_user(text, buf, len)) {
		kfree(text);
		return -EFAULT;
	}
	text[len] = '\0';
	printk(KERN_INFO "%s%s", text,
	       len && text[len - 1] == '\n' ? "" : "\n");
	kfree(text);
	return (ssize_t)n;
}

static const struct file_operations kmsg_fops = {
	.open = kmsg_open,
	.release = kmsg_release,
	.read = kmsg_read,
	.write = kmsg_write,
};

void mem_devices_init(void)
{
	chrdev_register(1, 3, 1, "null", &null_fops);
	chrdev_register(1, 5, 1, "zero", &zero_fops);
	chrdev_register(1, 7, 1, "full", &full_fops);
	chrdev_register(1, 8, 2, "random", &random_fops);
	chrdev_register(1, 11, 1, "kmsg", &kmsg_fops);
}
