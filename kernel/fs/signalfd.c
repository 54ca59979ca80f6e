/*
 * signalfd(2), signalfd4(2): pending signals read as a file.
 *
 * A signalfd holds only a mask. Reading takes signals of that mask from
 * the *reading* task (its private queue, then its process's shared one),
 * exactly as rt_sigtimedwait would (dequeue_signal_locked), and returns
 * one 128-byte struct signalfd_siginfo per signal, as many as fit. So
 * after fork the child's copy reads the child's signals, and an exec
 * keeps the file (and its mask) like any other fd. SIGKILL and SIGSTOP
 * are silently left out of the mask.
 *
 * Readiness: readable when a signal of the mask is pending for the task
 * that polls. Senders wake sighand->signalfd_wqh after queueing
 * (kernel/proc/signal_send.c), so pollers and blocked readers hook there.
 *
 * Life time: poll and epoll entries stay hooked on the wait queue of the
 * sighand of the task that polled, possibly longer than that task lives
 * (an epoll set of another process). A signalfd therefore pins each
 * sighand it hooked (ctx->pins) until the file is released, when every
 * poll and epoll entry on it is already gone.
 *
 * Locking: [m] ctx->mask is read and written with READ_ONCE/WRITE_ONCE
 * (a new mask takes effect for the next read or poll); [p] ctx->pin_lock
 * guards the pin list; signals themselves are under sighand->lock.
 */
#include <keel/errno.h>
#include <keel/err.h>
#include <keel/poll.h>
#include <keel/slab.h>
#include <keel/string.h>
#include <keel/syscall.h>
#include <keel/task.h>
#include <keel/uaccess.h>
#include <keel/vfs.h>
#include <keel/wait.h>

#include "../proc/signal_internal.h"

#define SFD_CLOEXEC  O_CLOEXEC
#define SFD_NONBLOCK O_NONBLOCK

/* Linux's struct signalfd_siginfo (include/uapi/linux/signalfd.h). */
struct signalfd_siginfo {
	u32 ssi_signo;
	s32 ssi_errno;
	s32 ssi_code;
	u32 ssi_pid;
	u32 ssi_uid;
	s32 ssi_fd;
	u32 ssi_tid;
	u32 ssi_band;
	u32 ssi_overrun;
	u32 ssi_trapno;
	s32 ssi_status;
	s32 ssi_int;
	u64 ssi_ptr;
	u64 ssi_utime;
	u64 ssi_stime;
	u64 ssi_addr;
	u16 ssi_addr_lsb;
	u16 __pad2;
	s32 ssi_syscall;
	u64 ssi_call_addr;
	u32 ssi_arch;
	u8 __pad[28];
};
_Static_assert(sizeof(struct signalfd_siginfo) == 128,
	       "struct signalfd_siginfo is 128 bytes");

/* A sighand whose signalfd_wqh this file was hooked on. */
struct signalfd_pin {
	struct signalfd_pin *next;      /* [p] */
	struct sighand *sh;             /* [I] holds a reference */
};

struct signalfd_ctx {
	sigset_t mask;                  /* [m] never SIGKILL/SIGSTOP */
	struct spinlock pin_lock;
	struct signalfd_pin *pins;      /* [p] */
};

static const struct file_operations signalfd_fops;

/* ---- siginfo -> signalfd_siginfo ------------------------------------------ */

/* Which union member of @info is valid (Linux's siginfo_layout). */
enum sfd_layout { SFD_KILL, SFD_TIMER, SFD_POLL, SFD_FAULT, SFD_CHLD,
		  SFD_RT, SFD_SYS };

static enum sfd_layout sfd_layout(int sig, int code)
{
	if (code > SI_USER && code < SI_KERNEL) {
		switch (sig) {
		case SIGILL:
			return code <= 11 ? SFD_FAULT : SFD_KILL;
		case SIGFPE:
			return code <= 15 ? SFD_FAULT : SFD_KILL;
		case SIGSEGV:
			return code <= 10 ? SFD_FAULT : SFD_KILL;
		case SIGBUS:
			return code <= 5 ? SFD_FAULT : SFD_KILL;
		case SIGTRAP:
			return code <= 6 ? SFD_FAULT : SFD_KILL;
		case SIGCHLD:
			return code <= 6 ? SFD_CHLD : SFD_KILL;
		case SIGSYS:
			return code <= 2 ? SFD_SYS : SFD_KILL;
		}
		return code <= 6 ? SFD_POLL : SFD_KILL;
	}
	if (code == SI_TIMER)
		return SFD_TIMER;
	if (code == SI_SIGIO)
		return SFD_POLL;
	return code < 0 ? SFD_RT : SFD_KILL;
}

static void signalfd_fill(struct signalfd_siginfo *s, const siginfo_t *in)
{
	memset(s, 0, sizeof(*s));
	s->ssi_signo = (u32)in->si_signo;
	s->ssi_errno = in->si_errno;
	s->ssi_code = in->si_code;
	switch (sfd_layout(in->si_signo, in->si_code)) {
	case SFD_RT:
		s->ssi_ptr = in->si_value.sival_ptr;
		s->ssi_int = in->si_value.sival_int;
		s->ssi_pid = (u32)in->si_pid;
		s->ssi_uid = in->si_uid;
		break;
	case SFD_KILL:
		s->ssi_pid = (u32)in->si_pid;
		s->ssi_uid = in->si_uid;
		break;
	case SFD_TIMER:
		s->ssi_tid = (u32)in->_sifields.timer.tid;
		s->ssi_overrun = (u32)in->_sifields.timer.overrun;
		s->ssi_ptr = in->_sifields.timer.value.sival_ptr;
		s->ssi_int = in->_sifields.timer.value.sival_int;
		break;
	case SFD_POLL:
		s->ssi_band = (u32)in->_sifields.poll.band;
		s->ssi_fd = in->_sifields.poll.fd;
		break;
	case SFD_FAULT:
	case SFD_SYS:
		s->ssi_addr = in->si_addr;
		break;
	case SFD_CHLD:
		s->ssi_pid = (u32)in->si_pid;
		s->ssi_uid = in->si_uid;
		s->ssi_status = in->si_status;
		s->ssi_utime = (u64)in->si_utime;
		s->ssi_stime = (u64)in->si_stime;
		break;
	}
}

/* ---- reading -------------------------------------------------------------- */

/* Is a signal of @mask pending for @t? A racy peek: callers re-check. */
static bool signalfd_pending(struct task *t, sigset_t mask)
{
	return (READ_ONCE(t->sig.pending.signal) |
		READ_ONCE(t->proc->shared_pending.signal)) & mask;
}

/* Take one signal of @mask for the caller. Return: the signal or 0. */
static int signalfd_dequeue(sigset_t mask, siginfo_t *info)
{
	struct task *t = current_task();
	struct sighand *sh = t->sighand;
	unsigned long flags;
	int sig;

	flags = spin_lock_irqsave(&sh->lock);
	sig = dequeue_signal_locked(t, mask, info);
	if (sig)
		signal_recalc(t);
	spin_unlock_irqrestore(&sh->lock, flags);
	return sig;
}

static ssize_t signalfd_read(struct file *f, char __user *buf, size_t n,
			     loff_t *pos)
{
	struct signalfd_ctx *ctx = f->private_data;
	struct task *t = current_task();
	struct signalfd_siginfo out;
	size_t done = 0;
	siginfo_t info;
	sigset_t mask;

	if (n < sizeof(out))
		return -EINVAL;
	while (done + sizeof(out) <= n) {
		mask = READ_ONCE(ctx->mask);
		if (signalfd_dequeue(mask, &info)) {
			signalfd_fill(&out, &info);
			/* Like Linux, a signal taken is gone even on a fault. */
			if (copy_to_user(buf + done, &out, sizeof(out)))
				return done ? (ssize_t)done : -EFAULT;
			done += sizeof(out);
			continue;
		}
		if (done)
			break;
		if (READ_ONCE(f->f_flags) & O_NONBLOCK)
			return -EAGAIN;
		if (wait_event_interruptible(&t->sighand->signalfd_wqh,
				signalfd_pending(t, READ_ONCE(ctx->mask))))
			return -ERESTARTSYS;
	}
	return (ssize_t)done;
}

/* ---- readiness -------------------------------------------------------------- */

/*
 * Keep a reference on @sh for as long as @ctx lives. Return: false when
 * out of memory (the caller then does not hook on @sh).
 */
static bool signalfd_pin(struct signalfd_ctx *ctx, struct sighand *sh)
{
	struct signalfd_pin *p, *n = NULL;
	bool found = false;

	for (;;) {
		spin_lock(&ctx->pin_lock);
		for (p = ctx->pins; p && !found; p = p->next)
			found = p->sh == sh;
		if (!found && n) {
			n->next = ctx->pins;
			ctx->pins = n;
			sighand_get(sh);
			n = NULL;
			found = true;
		}
		spin_unlock(&ctx->pin_lock);
		if (found)
			break;
		/* ->poll may not sleep. */
		n = kzalloc(sizeof(*n), GFP_ATOMIC);
		if (!n)
			return false;
		n->sh = sh;
	}
	kfree(n);
	return true;
}

static __poll_t signalfd_poll(struct file *f, struct poll_table *pt)
{
	struct signalfd_ctx *ctx = f->private_data;
	struct task *t = current_task();
	struct sighand *sh = t->sighand;
	unsigned long flags;
	__poll_t mask = 0;

	if (pt && signalfd_pin(ctx, sh))
		poll_wait(f, &sh->signalfd_wqh, pt);
	flags = spin_lock_irqsave(&sh->lock);
	if (signalfd_pending(t, READ_ONCE(ctx->mask)))
		mask = EPOLLIN | EPOLLRDNORM;
	spin_unlock_irqrestore(&sh->lock, flags);
	return mask;
}

static int signalfd_release(struct inode *inode, struct file *f)
{
	struct signalfd_ctx *ctx = f->private_data;
	struct signalfd_pin *p, *next;

	/* Pollers hold the file, epoll items go now: nobody is hooked. */
	eventpoll_release(f);
	for (p = ctx->pins; p; p = next) {
		next = p->next;
		sighand_put(p->sh);
		kfree(p);
	}
	kfree(ctx);
	return 0;
}

static const struct file_operations signalfd_fops = {
	.read = signalfd_read,
	.poll = signalfd_poll,
	.release = signalfd_release,
};

/* ---- the system calls ------------------------------------------------------- */

/* Give the signalfd @fd the mask @mask. Return: @fd, -EBADF or -EINVAL. */
static long signalfd_update(int fd, sigset_t mask)
{
	struct sighand *sh = current_task()->sighand;
	struct signalfd_ctx *ctx;
	struct file *f = fget(fd);

	if (!f)
		return -EBADF;
	if (f->f_op != &signalfd_fops) {
		fput(f);
		return -EINVAL;
	}
	ctx = f->private_data;
	WRITE_ONCE(ctx->mask, mask);
	/* Blocked readers of the new mask may have something now. */
	wake_up_poll(&sh->signalfd_wqh, EPOLLIN);
	fput(f);
	return fd;
}

static long do_signalfd4(int fd, const sigset_t __user *umask,
			 size_t sizemask, int flags)
{
	struct signalfd_ctx *ctx;
	struct file *f;
	sigset_t mask;
	int nfd;

	/* Linux's order: the size, the copy, then the flags. */
	if (sizemask != sizeof(sigset_t))
		return -EINVAL;
	if (copy_from_user(&mask, umask, sizeof(mask)))
		return -EFAULT;
	if (flags & ~(SFD_CLOEXEC | SFD_NONBLOCK))
		return -EINVAL;
	mask &= ~SIG_UNBLOCKABLE;
	if (fd != -1)
		return signalfd_update(fd, mask);
	ctx = kzalloc(sizeof(*ctx), GFP_KERNEL);
	if (!ctx)
		return -ENOMEM;
	ctx->mask = mask;
	spin_lock_init(&ctx->pin_lock);
	f = anon_file_create("[signalfd]", &signalfd_fops, ctx,
			     O_RDWR | (flags & SFD_NONBLOCK));
	if (IS_ERR(f)) {
		kfree(ctx);
		return PTR_ERR(f);
	}
	nfd = fd_install_new(f, flags & SFD_CLOEXEC);
	if (nfd < 0)
		fput(f);
	return nfd;
}

SYSCALL_DEFINE4(signalfd4, int, fd, const sigset_t __user *, mask,
		size_t, sizemask, int, flags)
{
	return do_signalfd4(fd, mask, sizemask, flags);
}

SYSCALL_DEFINE3(signalfd, int, fd, const sigset_t __user *, mask,
		size_t, sizemask)
{
	return do_signalfd4(fd, mask, sizemask, 0);
}
