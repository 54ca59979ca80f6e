/*
 * eventfd(2): a 64-bit counter behind a file.
 *
 * A write adds its 8-byte value (0xffffffffffffffff is refused), waiting
 * while the sum would pass 0xfffffffffffffffe; a read waits for a
 * non-zero counter and returns it and clears it, or with EFD_SEMAPHORE
 * returns 1 and decrements it. Readable means non-zero, writable means
 * at least 1 can still be added, and a counter at the (unreachable by
 * write) maximum reports EPOLLERR, as on Linux.
 *
 * Locking: [w] ctx->wqh.lock (the wait queue's own spinlock, interrupts
 * off) guards the counter, so a change and its wake-up are one step;
 * readers of the counter outside it (->poll, wait conditions) use
 * READ_ONCE.
 */
#include <keel/errno.h>
#include <keel/err.h>
#include <keel/poll.h>
#include <keel/slab.h>
#include <keel/string.h>
#include <keel/syscall.h>
#include <keel/uaccess.h>
#include <keel/vfs.h>
#include <keel/wait.h>

#define EVENTFD_MAX 0xfffffffffffffffeULL

struct eventfd_ctx {
	struct wait_queue_head wqh;
	u64 count;                      /* [w] */
	unsigned int flags;             /* [I] EFD_SEMAPHORE */
};

static const struct file_operations eventfd_fops;

static ssize_t eventfd_do_read(struct file *f, u64 *val)
{
	struct eventfd_ctx *ctx = f->private_data;
	unsigned long irq;

	for (;;) {
		irq = spin_lock_irqsave(&ctx->wqh.lock);
		if (ctx->count) {
			*val = (ctx->flags & EFD_SEMAPHORE) ? 1 : ctx->count;
			WRITE_ONCE(ctx->count, ctx->count - *val);
			__wake_up_locked(&ctx->wqh, WAKE_NORMAL, 1,
					 poll_to_key(EPOLLOUT));
			spin_unlock_irqrestore(&ctx->wqh.lock, irq);
			return sizeof(u64);
		}
		spin_unlock_irqrestore(&ctx->wqh.lock, irq);
		if (READ_ONCE(f->f_flags) & O_NONBLOCK)
			return -EAGAIN;
		if (wait_event_interruptible(&ctx->wqh, READ_ONCE(ctx->count)))
			return -ERESTARTSYS;
	}
}

static ssize_t eventfd_do_write(struct file *f, u64 val)
{
	struct eventfd_ctx *ctx = f->private_data;
	unsigned long irq;

	if (val == ~0ULL)
		return -EINVAL;
	for (;;) {
		irq = spin_lock_irqsave(&ctx->wqh.lock);
		if (EVENTFD_MAX - ctx->count >= val) {
			WRITE_ONCE(ctx->count, ctx->count + val);
			if (ctx->count)
				__wake_up_locked(&ctx->wqh, WAKE_NORMAL, 1,
						 poll_to_key(EPOLLIN));
			spin_unlock_irqrestore(&ctx->wqh.lock, irq);
			return sizeof(u64);
		}
		spin_unlock_irqrestore(&ctx->wqh.lock, irq);
		if (READ_ONCE(f->f_flags) & O_NONBLOCK)
			return -EAGAIN;
		if (wait_event_interruptible(&ctx->wqh, EVENTFD_MAX -
					     READ_ONCE(ctx->count) >= val))
			return -ERESTARTSYS;
	}
}

static ssize_t eventfd_read(struct file *f, char __user *buf, size_t n,
			    loff_t *pos)
{
	ssize_t ret;
	u64 val;

	if (n < sizeof(u64))
		return -EINVAL;
	ret = eventfd_do_read(f, &val);
	if (ret < 0)
		return ret;
	/* Like Linux, the counter is consumed even if the copy faults. */
	return copy_to_user(buf, &val, sizeof(val)) ? -EFAULT : ret;
}

static ssize_t eventfd_write(struct file *f, const char __user *buf,
			     size_t n, loff_t *pos)
{
	u64 val;

	if (n < sizeof(u64))
		return -EINVAL;
	if (copy_from_user(&val, buf, sizeof(val)))
		return -EFAULT;
	return eventfd_do_write(f, val);
}

static ssize_t eventfd_read_kernel(struct file *f, void *buf, size_t n,
				   loff_t *pos)
{
	if (n < sizeof(u64))
		return -EINVAL;
	return eventfd_do_read(f, buf);
}

static ssize_t eventfd_write_kernel(struct file *f, const void *buf,
				    size_t n, loff_t *pos)
{
	u64 val;

	if (n < sizeof(u64))
		return -EINVAL;
	memcpy(&val, buf, sizeof(val));
	return eventfd_do_write(f, val);
}

static __poll_t eventfd_poll(struct file *f, struct poll_table *pt)
{
	struct eventfd_ctx *ctx = f->private_data;
	__poll_t mask = 0;
	u64 count;

	poll_wait(f, &ctx->wqh, pt);
	count = READ_ONCE(ctx->count);
	if (count)
		mask |= EPOLLIN;
	if (count == ~0ULL)
		mask |= EPOLLERR;
	if (count < EVENTFD_MAX)
		mask |= EPOLLOUT;
	return mask;
}

static int eventfd_release(struct inode *inode, struct file *f)
{
	/* Pollers hold the file, epoll items go now: nobody is queued. */
	eventpoll_release(f);
	kfree(f->private_data);
	return 0;
}

static const struct file_operations eventfd_fops = {
	.read = eventfd_read,
	.write = eventfd_write,
	.read_kernel = eventfd_read_kernel,
	.write_kernel = eventfd_write_kernel,
	.poll = eventfd_poll,
	.release = eventfd_release,
};

static struct eventfd_ctx *eventfd_ctx_alloc(u64 count, int flags)
{
	struct eventfd_ctx *ctx = kzalloc(sizeof(*ctx), GFP_KERNEL);

	if (!ctx)
		return NULL;
	init_waitqueue_head(&ctx->wqh);
	ctx->count = count;
	ctx->flags = flags & EFD_SEMAPHORE;
	return ctx;
}

int eventfd_setup_kernel_file(struct file *f, u64 count, int flags)
{
	struct eventfd_ctx *ctx = eventfd_ctx_alloc(count, flags);

	if (!ctx)
		return -ENOMEM;
	f->f_mode = FMODE_READ | FMODE_WRITE;
	f->f_flags = O_RDWR | (flags & O_NONBLOCK);
	f->f_op = &eventfd_fops;
	f->private_data = ctx;
	return 0;
}

static long do_eventfd(unsigned int count, int flags)
{
	struct eventfd_ctx *ctx;
	struct file *f;
	int fd;

	if (flags & ~(EFD_SEMAPHORE | EFD_CLOEXEC | EFD_NONBLOCK))
		return -EINVAL;
	ctx = eventfd_ctx_alloc(count, flags);
	if (!ctx)
		return -ENOMEM;
	f = anon_file_create("[eventfd]", &eventfd_fops, ctx,
			     O_RDWR | (flags & EFD_NONBLOCK));
	if (IS_ERR(f)) {
		kfree(ctx);
		return PTR_ERR(f);
	}
	fd = fd_install_new(f, flags & EFD_CLOEXEC);
	if (fd < 0)
		fput(f);
	return fd;
}

SYSCALL_DEFINE2(eventfd2, unsigned int, count, int, flags)
{
	return do_eventfd(count, flags);
}

SYSCALL_DEFINE1(eventfd, unsigned int, count)
{
	return do_eventfd(count, 0);
}
