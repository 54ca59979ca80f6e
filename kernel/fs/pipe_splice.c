/*
 * The pipe-ring side of splice(2), tee(2), vmsplice(2) and sendfile(2)
 * into or out of a pipe (kernel/fs/splice.c holds the system calls):
 * waiting for data or room, handing an actor the ring's bytes or free
 * space page by page under the pipe lock, and moving bytes between two
 * pipes. Locking: kernel/fs/pipe.c's legend; two pipes are held together
 * only with the second taken by trylock (pipe_lock_two).
 */
#include <keel/errno.h>
#include <keel/mm.h>
#include <keel/mutex.h>
#include <keel/poll.h>
#include <keel/string.h>
#include <keel/task.h>
#include <keel/vfs.h>
#include <keel/wait.h>

#include "pipe_internal.h"

/* ---- splice support (kernel/fs/splice.c) --------------------------------- */

/*
 * Wait until @p has data or no writers. Return: 0, -EAGAIN (@nonblock),
 * -ERESTARTSYS. [l] held (dropped while sleeping).
 */
static int pipe_wait_data(struct pipe *p, bool nonblock)
{
	while (!p->len && p->writers) {
		int r;

		if (nonblock)
			return -EAGAIN;
		mutex_unlock(&p->lock);
		r = wait_event_interruptible(&p->rd_wait, pipe_readable(p));
		mutex_lock(&p->lock);
		if (r)
			return -ERESTARTSYS;
	}
	return 0;
}

/*
 * Wait until @p has room for a byte. Return: 0, -EPIPE (no readers;
 * SIGPIPE sent), -EAGAIN (@nonblock), -ERESTARTSYS. [l] held.
 */
static int pipe_wait_room(struct pipe *p, bool nonblock)
{
	while (p->readers && p->len == pipe_cap(p)) {
		int r;

		if (nonblock)
			return -EAGAIN;
		mutex_unlock(&p->lock);
		r = wait_event_interruptible(&p->wr_wait, pipe_writable(p, 1));
		mutex_lock(&p->lock);
		if (r)
			return -ERESTARTSYS;
	}
	if (p->readers)
		return 0;
	pipe_sigpipe();
	return -EPIPE;
}

/*
 * The contiguous ring bytes at @off past the buffered data (@room: free
 * space, allocating its page) or into it. *@n is cut to the page's end.
 * Return: the address, NULL without memory. [l] held.
 */
static char *pipe_ring_at(struct pipe *p, size_t off, size_t *n, bool room)
{
	size_t pos = (p->head + off + (room ? p->len : 0)) & (pipe_cap(p) - 1);
	struct page **slot = &p->slots[pos >> PAGE_SHIFT];

	*n = MIN(*n, PAGE_SIZE - (pos & ~PAGE_MASK));
	if (!*slot && !(*slot = alloc_page(GFP_KERNEL)))
		return NULL;
	return (char *)page_address(*slot) + (pos & ~PAGE_MASK);
}

/* Drop @n buffered bytes from the front. [l] held. */
static void pipe_consume(struct pipe *p, size_t n)
{
	p->head = (p->head + n) & (pipe_cap(p) - 1);
	WRITE_ONCE(p->len, p->len - n);
	if (!p->len)
		p->head = 0;
}

/*
 * Hand @actor the ring in page pieces: up to @n bytes of free space
 * (@fill) or of buffered data. Stops at a short or failed piece.
 * Return: bytes done, or the first error. [l] held.
 */
static ssize_t pipe_run_actor(struct pipe *p, size_t n, bool fill,
			      pipe_actor_t actor, void *arg)
{
	size_t done = 0;

	n = MIN(n, fill ? pipe_cap(p) - p->len : p->len);
	while (done < n) {
		size_t chunk = n - done;
		char *buf = pipe_ring_at(p, fill ? 0 : done, &chunk, fill);
		ssize_t r = buf ? actor(buf, chunk, arg) : -ENOMEM;

		if (r <= 0)
			return done ? (ssize_t)done : r;
		if (fill)
			WRITE_ONCE(p->len, p->len + (size_t)r);
		done += (size_t)r;
		if ((size_t)r < chunk)
			break;
	}
	if (!fill)
		pipe_consume(p, done);
	return (ssize_t)done;
}

/**
 * pipe_splice_in - let @actor write up to @n bytes into the pipe @f.
 * Waits for room first (not with @nonblock), then offers the free space.
 * Return: bytes added, 0, or -errno (-EPIPE, -EAGAIN, -ERESTARTSYS, the
 * actor's error when nothing was added).
 * Context: process context, may sleep; @actor runs under the pipe lock.
 */
ssize_t pipe_splice_in(struct file *f, size_t n, bool nonblock,
		       pipe_actor_t actor, void *arg)
{
	struct pipe *p = f->private_data;
	ssize_t ret;

	mutex_lock(&p->lock);
	ret = pipe_wait_room(p, nonblock);
	if (!ret)
		ret = pipe_run_actor(p, n, true, actor, arg);
	mutex_unlock(&p->lock);
	if (ret > 0)
		wake_up_poll(&p->rd_wait, EPOLLIN | EPOLLRDNORM);
	return ret;
}

/**
 * pipe_splice_out - let @actor take up to @n buffered bytes of the pipe
 * @f (what it accepts is consumed). Waits for data first (not with
 * @nonblock). Return: bytes taken, 0 at end of file, or -errno.
 * Context: process context, may sleep; @actor runs under the pipe lock.
 */
ssize_t pipe_splice_out(struct file *f, size_t n, bool nonblock,
			pipe_actor_t actor, void *arg)
{
	struct pipe *p = f->private_data;
	ssize_t ret;

	mutex_lock(&p->lock);
	ret = pipe_wait_data(p, nonblock);
	if (!ret)
		ret = pipe_run_actor(p, n, false, actor, arg);
	mutex_unlock(&p->lock);
	if (ret > 0)
		wake_up_poll(&p->wr_wait, EPOLLOUT | EPOLLWRNORM);
	return ret;
}

/* Copy (@keep) or move up to @n bytes from @ip to @op. Both held. */
static ssize_t pipe_move(struct pipe *ip, struct pipe *op, size_t n,
			 bool keep)
{
	size_t done = 0;
	int err = 0;

	n = MIN(n, MIN(ip->len, pipe_cap(op) - op->len));
	while (done < n && !err) {
		size_t chunk = n - done;
		struct pipe_iter it = { .kbuf = pipe_ring_at(ip, done, &chunk,
							     false) };

		done += pipe_copy_in(op, &it, 0, chunk, &err);
	}
	if (!keep)
		pipe_consume(ip, done);
	return done ? (ssize_t)done : err;
}

/*
 * Take both pipes' locks. Two locks of one class never wait on each
 * other: the second is only tried, and on failure the first is dropped
 * while waiting for the busy one (no order, no deadlock, and lockdep
 * records none).
 */
static void pipe_lock_two(struct pipe *a, struct pipe *b)
{
	for (;;) {
		mutex_lock(&a->lock);
		if (mutex_trylock(&b->lock))
			return;
		mutex_unlock(&a->lock);
		mutex_lock(&b->lock);
		if (mutex_trylock(&a->lock))
			return;
		mutex_unlock(&b->lock);
	}
}

/**
 * pipe_splice_pipes - splice(2) (@keep false) or tee(2) (@keep true)
 * between the pipes @in and @out: up to @n bytes of what @in holds,
 * waiting for data and room unless @nonblock.
 * Return: bytes, 0 at end of file, -EINVAL (one pipe), -EPIPE, -EAGAIN,
 * -ERESTARTSYS, -ENOMEM. Context: process context, may sleep.
 */
ssize_t pipe_splice_pipes(struct file *in, struct file *out, size_t n,
			  bool nonblock, bool keep)
{
	struct pipe *ip = in->private_data, *op = out->private_data;
	bool again = true;
	ssize_t ret = 0;

	if (ip == op)
		return -EINVAL;
	while (again) {
		again = false;
		mutex_lock(&ip->lock);
		ret = pipe_wait_data(ip, nonblock);
		mutex_unlock(&ip->lock);
		if (!ret) {
			mutex_lock(&op->lock);
			ret = pipe_wait_room(op, nonblock);
			mutex_unlock(&op->lock);
		}
		if (ret)
			return ret;
		pipe_lock_two(ip, op);
		if (!op->readers) {
			pipe_sigpipe();
			ret = -EPIPE;
		} else if (ip->len && op->len < pipe_cap(op)) {
			ret = pipe_move(ip, op, n, keep);
		} else if (ip->len || ip->writers) {
			/* Raced with another reader or writer. */
			if (nonblock)
				ret = -EAGAIN;
			else
				again = true;
		}
		mutex_unlock(&op->lock);
		mutex_unlock(&ip->lock);
	}
	if (ret > 0) {
		if (!keep)
			wake_up_poll(&ip->wr_wait, EPOLLOUT | EPOLLWRNORM);
		wake_up_poll(&op->rd_wait, EPOLLIN | EPOLLRDNORM);
	}
	return ret;
}

