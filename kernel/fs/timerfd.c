/*
 * timerfd_create(2), timerfd_settime(2), timerfd_gettime(2): a timer
 * whose expirations are read from a file as a u64 count.
 *
 * A timerfd counts on the wall clock (CLOCK_REALTIME, _ALARM) or the
 * monotonic one (CLOCK_MONOTONIC, BOOTTIME, BOOTTIME_ALARM: Keel does not
 * suspend). ctx->expires is the next expiry not yet counted, in that
 * clock's nanoseconds; a kernel timer (monotonic deadline) fires there.
 *
 * Expiry (Linux's scheme): the callback counts the expiries that passed
 * into ctx->ticks and wakes readers, but does not re-arm a periodic
 * timer; whoever next looks at it (read, gettime, settime) counts the
 * expiries missed meanwhile as overruns and re-arms it. So a timer with
 * unread expiries costs no interrupts.
 *
 * The wall clock: a wall-clock timer's deadline is its expiry minus the
 * realtime offset of the moment. When the wall clock is set
 * (clock_realtime_set() calls timerfd_clock_was_set()), every wall-clock
 * timerfd is re-armed for its new deadline, and those armed with
 * TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET become "canceled": readable,
 * and their next read fails with ECANCELED. A callback that runs early
 * (the clock was set back) re-arms itself.
 *
 * Locking: [w] ctx->wqh.lock (irqsave: the timer callback takes it in
 * interrupt context); every timer_add of ctx->timer happens under it, so
 * they never race. [l] timerfd_rt_lock guards the wall-clock list; order
 * timerfd_rt_lock -> ctx->wqh.lock -> timer queue locks.
 */
#include <keel/errno.h>
#include <keel/err.h>
#include <keel/poll.h>
#include <keel/slab.h>
#include <keel/spinlock.h>
#include <keel/syscall.h>
#include <keel/task.h>
#include <keel/time.h>
#include <keel/uaccess.h>
#include <keel/usertime.h>
#include <keel/vfs.h>
#include <keel/wait.h>

#define TFD_CLOEXEC             O_CLOEXEC
#define TFD_NONBLOCK            O_NONBLOCK
#define TFD_TIMER_ABSTIME       (1 << 0)
#define TFD_TIMER_CANCEL_ON_SET (1 << 1)
#define TFD_IOC_SET_TICKS       0x40085400      /* _IOW('T', 0, u64) */
#define CAP_WAKE_ALARM          35

struct timerfd_ctx {
	struct wait_queue_head wqh;
	struct timer timer;
	int clockid;                    /* [I] */
	bool realtime;                  /* [I] counts on the wall clock */
	u64 expires;                    /* [w] clock ns; 0: disarmed */
	u64 interval;                   /* [w] ns; 0: one-shot */
	u64 ticks;                      /* [w] expiries not yet read */
	bool might_cancel;              /* [w] CANCEL_ON_SET armed */
	bool canceled;                  /* [w] the wall clock was set */
	struct list_head rt_link;       /* [l] on timerfd_rt_list */
};

static DEFINE_SPINLOCK(timerfd_rt_lock);
static LIST_HEAD(timerfd_rt_list);     /* [l] every wall-clock timerfd */

static const struct file_operations timerfd_fops;

/* ---- the clock and the kernel timer ------------------------------------------ */

static u64 tfd_now(const struct timerfd_ctx *ctx)
{
	return ctx->realtime ? clock_realtime_ns() : clock_monotonic_ns();
}

/* Arm the kernel timer for ctx->expires (on the monotonic clock). [w] */
static void tfd_arm(struct timerfd_ctx *ctx)
{
	u64 deadline = ctx->expires, offset;

	lock_assert_held(&ctx->wqh.lock);
	if (!deadline)
		return;
	if (ctx->realtime) {
		offset = clock_realtime_ns() - clock_monotonic_ns();
		deadline = deadline > offset ? deadline - offset : 1;
	}
	timer_add(&ctx->timer, deadline);
}

/*
 * Count the expiries up to @now into ctx->ticks and move ctx->expires
 * past @now (0 for a one-shot timer). Return: how many. [w]
 */
static u64 tfd_advance(struct timerfd_ctx *ctx, u64 now)
{
	u64 n;

	if (!ctx->expires || now < ctx->expires)
		return 0;
	if (!ctx->interval) {
		ctx->expires = 0;
		n = 1;
	} else {
		n = (now - ctx->expires) / ctx->interval + 1;
		if (ctx->interval > (TIME_NS_MAX - ctx->expires) / n)
			ctx->expires = TIME_NS_MAX;
		else
			ctx->expires += n * ctx->interval;
	}
	ctx->ticks = ctx->ticks + n < ctx->ticks ? ~0ULL : ctx->ticks + n;
	return n;
}

/*
 * A periodic timer that expired while nobody looked: count what it
 * missed and arm it again. [w]
 */
static void tfd_catch_up(struct timerfd_ctx *ctx)
{
	if (ctx->interval && ctx->expires && ctx->ticks) {
		tfd_advance(ctx, tfd_now(ctx));
		tfd_arm(ctx);
	}
}

static void timerfd_fire(struct timer *t)
{
	struct timerfd_ctx *ctx = container_of(t, struct timerfd_ctx, timer);
	unsigned long irq = spin_lock_irqsave(&ctx->wqh.lock);
	u64 now = tfd_now(ctx);

	if (ctx->expires && now < ctx->expires)
		tfd_arm(ctx);           /* early: the wall clock went back */
	else if (tfd_advance(ctx, now))
		__wake_up_locked(&ctx->wqh, WAKE_NORMAL, 0,
				 poll_to_key(EPOLLIN));
	spin_unlock_irqrestore(&ctx->wqh.lock, irq);
}

/**
 * timerfd_clock_was_set - the wall clock was set: re-arm the wall-clock
 * timerfds for their new deadlines and cancel those that asked for it
 * (TFD_TIMER_CANCEL_ON_SET).
 *
 * Context: any; takes spinlocks with interrupts saved.
 */
void timerfd_clock_was_set(void)
{
	struct timerfd_ctx *ctx;
	unsigned long irq;

	irq = spin_lock_irqsave(&timerfd_rt_lock);
	list_for_each_entry(ctx, &timerfd_rt_list, rt_link) {
		spin_lock(&ctx->wqh.lock);
		if (ctx->might_cancel && !ctx->canceled) {
			ctx->canceled = true;
			__wake_up_locked(&ctx->wqh, WAKE_NORMAL, 0,
					 poll_to_key(EPOLLIN));
		}
		if (!ctx->ticks || !ctx->interval)
			tfd_arm(ctx);
		spin_unlock(&ctx->wqh.lock);
	}
	spin_unlock_irqrestore(&timerfd_rt_lock, irq);
}

/* ---- the file ------------------------------------------------------------------ */

/* Take the expiry count (or the cancellation). Return: >0, 0 or -ECANCELED. */
static long tfd_take(struct timerfd_ctx *ctx, u64 *count)
{
	unsigned long irq = spin_lock_irqsave(&ctx->wqh.lock);
	long ret = 0;

	if (ctx->canceled) {
		ctx->canceled = false;
		ctx->ticks = 0;
		ret = -ECANCELED;
	} else if (ctx->ticks) {
		tfd_catch_up(ctx);
		*count = ctx->ticks;
		ctx->ticks = 0;
		ret = 1;
	}
	spin_unlock_irqrestore(&ctx->wqh.lock, irq);
	return ret;
}

static ssize_t timerfd_read(struct file *f, char __user *buf, size_t n,
			    loff_t *pos)
{
	struct timerfd_ctx *ctx = f->private_data;
	long ret;
	u64 count;

	if (n < sizeof(u64))
		return -EINVAL;
	for (;;) {
		ret = tfd_take(ctx, &count);
		if (ret)
			break;
		if (READ_ONCE(f->f_flags) & O_NONBLOCK)
			return -EAGAIN;
		if (wait_event_interruptible(&ctx->wqh, READ_ONCE(ctx->ticks) ||
					     READ_ONCE(ctx->canceled)))
			return -ERESTARTSYS;
	}
	if (ret < 0)
		return ret;
	/* Like Linux, the count is consumed even if the copy faults. */
	return copy_to_user(buf, &count, sizeof(count)) ? -EFAULT :
	       (ssize_t)sizeof(count);
}

static __poll_t timerfd_poll(struct file *f, struct poll_table *pt)
{
	struct timerfd_ctx *ctx = f->private_data;

	poll_wait(f, &ctx->wqh, pt);
	if (READ_ONCE(ctx->ticks) || READ_ONCE(ctx->canceled))
		return EPOLLIN | EPOLLRDNORM;
	return 0;
}

/* TFD_IOC_SET_TICKS: make the count @arg (checkpoint/restore). */
static long timerfd_ioctl(struct file *f, unsigned int cmd,
			  unsigned long arg)
{
	struct timerfd_ctx *ctx = f->private_data;
	unsigned long irq;
	u64 ticks;

	if (cmd != TFD_IOC_SET_TICKS)
		return -ENOTTY;
	if (copy_from_user(&ticks, (const void __user *)arg, sizeof(ticks)))
		return -EFAULT;
	if (!ticks)
		return -EINVAL;
	irq = spin_lock_irqsave(&ctx->wqh.lock);
	ctx->ticks = ticks;
	__wake_up_locked(&ctx->wqh, WAKE_NORMAL, 0, poll_to_key(EPOLLIN));
	spin_unlock_irqrestore(&ctx->wqh.lock, irq);
	return 0;
}

static int timerfd_release(struct inode *inode, struct file *f)
{
	struct timerfd_ctx *ctx = f->private_data;
	unsigned long irq;

	eventpoll_release(f);
	if (ctx->realtime) {
		irq = spin_lock_irqsave(&timerfd_rt_lock);
		list_del(&ctx->rt_link);
		spin_unlock_irqrestore(&timerfd_rt_lock, irq);
	}
	/* Disarmed, nothing re-arms it: the callback sees expires 0. */
	irq = spin_lock_irqsave(&ctx->wqh.lock);
	ctx->expires = 0;
	spin_unlock_irqrestore(&ctx->wqh.lock, irq);
	timer_cancel_sync(&ctx->timer);
	kfree(ctx);
	return 0;
}

static const struct file_operations timerfd_fops = {
	.read = timerfd_read,
	.poll = timerfd_poll,
	.ioctl = timerfd_ioctl,
	.release = timerfd_release,
};

/* ---- settime / gettime ------------------------------------------------------------ */

/* What is left of @ctx now. [w] */
static struct itimerspec tfd_get(struct timerfd_ctx *ctx)
{
	struct itimerspec cur = { 0 };
	u64 now;

	tfd_catch_up(ctx);
	now = tfd_now(ctx);
	cur.it_interval = timespec_from_ns(ctx->interval);
	if (ctx->expires)
		cur.it_value = timespec_from_ns(ctx->expires > now ?
						ctx->expires - now : 1);
	return cur;
}

/* The timerfd @fd with a reference. Return: it or ERR_PTR(-EBADF/-EINVAL). */
static struct file *timerfd_fget(int fd)
{
	struct file *f = fget(fd);

	if (!f)
		return ERR_PTR(-EBADF);
	if (f->f_op != &timerfd_fops) {
		fput(f);
		return ERR_PTR(-EINVAL);
	}
	return f;
}

static long timerfd_set(int fd, int flags, u64 value, u64 interval,
			struct itimerspec *old)
{
	struct timerfd_ctx *ctx;
	unsigned long irq;
	struct file *f;
	u64 now;

	f = timerfd_fget(fd);
	if (IS_ERR(f))
		return PTR_ERR(f);
	ctx = f->private_data;
	irq = spin_lock_irqsave(&ctx->wqh.lock);
	*old = tfd_get(ctx);
	timer_cancel(&ctx->timer);
	now = tfd_now(ctx);
	ctx->ticks = 0;
	ctx->canceled = false;
	ctx->might_cancel = ctx->realtime && (flags & TFD_TIMER_ABSTIME) &&
			    (flags & TFD_TIMER_CANCEL_ON_SET);
	ctx->interval = value ? interval : 0;
	if (!value)
		ctx->expires = 0;
	else if (flags & TFD_TIMER_ABSTIME)
		ctx->expires = value;
	else
		ctx->expires = value > TIME_NS_MAX - now ? TIME_NS_MAX :
			       now + value;
	/* Already due (a past absolute time): count it now, as Linux's
	 * hrtimer fires at once; a periodic timer waits for the next one. */
	if (tfd_advance(ctx, now))
		__wake_up_locked(&ctx->wqh, WAKE_NORMAL, 0,
				 poll_to_key(EPOLLIN));
	if (!ctx->ticks)
		tfd_arm(ctx);
	spin_unlock_irqrestore(&ctx->wqh.lock, irq);
	fput(f);
	return 0;
}

SYSCALL_DEFINE4(timerfd_settime, int, fd, int, flags,
		const struct itimerspec __user *, nv,
		struct itimerspec __user *, ov)
{
	struct itimerspec old;
	u64 value, interval;
	long ret;

	ret = timespec_get_ns(&nv->it_value, &value);
	if (!ret)
		ret = timespec_get_ns(&nv->it_interval, &interval);
	if (ret)
		return ret;
	if (flags & ~(TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET))
		return -EINVAL;
	ret = timerfd_set(fd, flags, value, interval, &old);
	if (ret)
		return ret;
	if (ov && copy_to_user(ov, &old, sizeof(old)))
		return -EFAULT;
	return 0;
}

SYSCALL_DEFINE2(timerfd_gettime, int, fd, struct itimerspec __user *, curr)
{
	struct timerfd_ctx *ctx;
	struct itimerspec cur;
	unsigned long irq;
	struct file *f;

	f = timerfd_fget(fd);
	if (IS_ERR(f))
		return PTR_ERR(f);
	ctx = f->private_data;
	irq = spin_lock_irqsave(&ctx->wqh.lock);
	cur = tfd_get(ctx);
	spin_unlock_irqrestore(&ctx->wqh.lock, irq);
	fput(f);
	return copy_to_user(curr, &cur, sizeof(cur)) ? -EFAULT : 0;
}

/* ---- creation ------------------------------------------------------------------- */

static bool tfd_clock_ok(int clockid)
{
	return clockid == CLOCK_REALTIME || clockid == CLOCK_MONOTONIC ||
	       clockid == CLOCK_BOOTTIME || clockid == CLOCK_REALTIME_ALARM ||
	       clockid == CLOCK_BOOTTIME_ALARM;
}

static void tfd_link(struct timerfd_ctx *ctx)
{
	unsigned long irq = spin_lock_irqsave(&timerfd_rt_lock);

	list_add(&ctx->rt_link, &timerfd_rt_list);
	spin_unlock_irqrestore(&timerfd_rt_lock, irq);
}

SYSCALL_DEFINE2(timerfd_create, int, clockid, int, flags)
{
	struct timerfd_ctx *ctx;
	struct file *f;
	int fd;

	if ((flags & ~(TFD_CLOEXEC | TFD_NONBLOCK)) || !tfd_clock_ok(clockid))
		return -EINVAL;
	if ((clockid == CLOCK_REALTIME_ALARM ||
	     clockid == CLOCK_BOOTTIME_ALARM) &&
	    !(current_cred()->cap_effective & (1ULL << CAP_WAKE_ALARM)))
		return -EPERM;
	ctx = kzalloc(sizeof(*ctx), GFP_KERNEL);
	if (!ctx)
		return -ENOMEM;
	init_waitqueue_head(&ctx->wqh);
	timer_init_struct(&ctx->timer, timerfd_fire);
	ctx->clockid = clockid;
	ctx->realtime = clockid == CLOCK_REALTIME ||
			clockid == CLOCK_REALTIME_ALARM;
	INIT_LIST_HEAD(&ctx->rt_link);
	f = anon_file_create("[timerfd]", &timerfd_fops, ctx,
			     O_RDWR | (flags & TFD_NONBLOCK));
	if (IS_ERR(f)) {
		kfree(ctx);
		return PTR_ERR(f);
	}
	if (ctx->realtime)
		tfd_link(ctx);
	fd = fd_install_new(f, flags & TFD_CLOEXEC);
	if (fd < 0)
		fput(f);
	return fd;
}
