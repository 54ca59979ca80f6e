/*
 * Pipes and FIFOs (pipe(7), fifo(7)): pipe/pipe2, the FIFO open
 * rendezvous, F_GETPIPE_SZ/F_SETPIPE_SZ and FIONREAD.
 *
 * A pipe is a byte ring of nr_slots pages (a power of two, 16 by default),
 * allocated on first use and kept until the pipe is freed or resized. The
 * ring holds exactly its capacity in bytes; a write of at most PIPE_BUF
 * bytes waits until it fits whole, so it is never interleaved with
 * another writer's data. Readers sleep on rd_wait (data or no writers
 * left), writers on wr_wait (room or no readers left); every change wakes
 * the other side with its EPOLL* key.
 *
 * Anonymous pipes are two files on one inode; a FIFO's pipe hangs on its
 * inode (i_pipe) while any end is open, so opens meet there and the data
 * is dropped when the last end closes. An anonymous pipe hangs on its
 * anon_inodefs inode the same way, so opening /proc/<pid>/fd/<n> (a
 * magic link to that inode) reopens it through fifo_open, which like
 * Linux neither waits for a partner nor fails with ENXIO for it.
 *
 * Locking legend (order: fifo_lock -> pipe->lock -> wait-queue locks):
 *	[f]	fifo_lock: every FIFO inode's i_pipe, a FIFO pipe's files count
 *	[l]	pipe->lock (mutex); read locklessly (READ_ONCE) by ->poll and
 *		the wait conditions
 *	[I]	set at creation
 */
#include <keel/errno.h>
#include <keel/err.h>
#include <keel/mm.h>
#include <keel/mutex.h>
#include <keel/poll.h>
#include <keel/slab.h>
#include <keel/string.h>
#include <keel/syscall.h>
#include <keel/task.h>
#include <keel/uaccess.h>
#include <keel/vfs.h>
#include <keel/wait.h>

#include "pipe_internal.h"


unsigned int pipe_max_size = 1048576;

#define ANON_INODE_FS_MAGIC 0x09041934

static DEFINE_MUTEX(fifo_lock);
static const struct file_operations pipe_fops;

/* A pipe(2) pipe, not a named FIFO: opens never wait (Linux's is_pipe). */
static bool pipe_is_anon(const struct pipe *p)
{
	return p->fifo_inode &&
	       p->fifo_inode->i_sb->s_magic == ANON_INODE_FS_MAGIC;
}

/* ---- the ring ------------------------------------------------------------ */

size_t pipe_cap(const struct pipe *p)
{
	return (size_t)READ_ONCE(p->nr_slots) << PAGE_SHIFT;
}


/* Copy @n bytes at @it + @off into @dst. Return: bytes copied. */
static size_t iter_read(void *dst, struct pipe_iter *it, size_t off,
			size_t n)
{
	if (it->kbuf) {
		memcpy(dst, it->kbuf + off, n);
		return n;
	}
	return n - copy_from_user(dst, it->ubuf + off, n);
}

static size_t iter_write(struct pipe_iter *it, size_t off, const void *src,
			 size_t n)
{
	if (it->kbuf) {
		memcpy(it->kbuf + off, src, n);
		return n;
	}
	return n - copy_to_user(it->ubuf + off, src, n);
}

/*
 * Take up to @n buffered bytes into @it (from @off on). Return: bytes
 * consumed; fewer than asked means a fault. [l] held.
 */
static size_t pipe_copy_out(struct pipe *p, struct pipe_iter *it, size_t off,
			    size_t n)
{
	size_t cap = pipe_cap(p), done = 0;

	while (done < n) {
		size_t pos = (p->head + done) & (cap - 1);
		size_t chunk = MIN(n - done, PAGE_SIZE - (pos & ~PAGE_MASK));
		char *page = page_address(p->slots[pos >> PAGE_SHIFT]);
		size_t c = iter_write(it, off + done, page +
				      (pos & ~PAGE_MASK), chunk);

		done += c;
		if (c < chunk)
			break;
	}
	p->head = (p->head + done) & (cap - 1);
	WRITE_ONCE(p->len, p->len - done);
	if (!p->len)
		p->head = 0;
	return done;
}

/*
 * Append up to @n bytes from @it + @off (the caller checked the room).
 * Return: bytes added; *@err says why fewer (-EFAULT, -ENOMEM). [l] held.
 */
size_t pipe_copy_in(struct pipe *p, struct pipe_iter *it, size_t off,
			   size_t n, int *err)
{
	size_t cap = pipe_cap(p), done = 0;

	while (done < n) {
		size_t pos = (p->head + p->len + done) & (cap - 1);
		size_t chunk = MIN(n - done, PAGE_SIZE - (pos & ~PAGE_MASK));
		struct page **slot = &p->slots[pos >> PAGE_SHIFT];
		size_t c;

		if (!*slot && !(*slot = alloc_page(GFP_KERNEL))) {
			*err = -ENOMEM;
			break;
		}
		c = iter_read((char *)page_address(*slot) + (pos & ~PAGE_MASK),
			      it, off + done, chunk);
		done += c;
		if (c < chunk) {
			*err = -EFAULT;
			break;
		}
	}
	WRITE_ONCE(p->len, p->len + done);
	return done;
}

static struct pipe *pipe_alloc(void)
{
	struct pipe *p = kzalloc(sizeof(*p), GFP_KERNEL);

	if (!p)
		return NULL;
	p->slots = kcalloc(PIPE_DEF_BUFFERS, sizeof(*p->slots), GFP_KERNEL);
	if (!p->slots) {
		kfree(p);
		return NULL;
	}
	p->nr_slots = PIPE_DEF_BUFFERS;
	mutex_init(&p->lock);
	init_waitqueue_head(&p->rd_wait);
	init_waitqueue_head(&p->wr_wait);
	return p;
}

static void pipe_free_slots(struct page **slots, unsigned int nr)
{
	for (unsigned int i = 0; i < nr; i++)
		if (slots[i])
			free_page(slots[i]);
	kfree(slots);
}

static void pipe_free(struct pipe *p)
{
	pipe_free_slots(p->slots, p->nr_slots);
	kfree(p);
}

/* ---- read and write ------------------------------------------------------ */

bool pipe_readable(struct pipe *p)
{
	return READ_ONCE(p->len) || !READ_ONCE(p->writers);
}

/* Room for @need more bytes, or nobody left to read them. */
bool pipe_writable(struct pipe *p, size_t need)
{
	return !READ_ONCE(p->readers) ||
	       pipe_cap(p) - READ_ONCE(p->len) >= need;
}

static bool file_nonblock(const struct file *f)
{
	return READ_ONCE(f->f_flags) & O_NONBLOCK;
}

static ssize_t pipe_do_read(struct file *f, struct pipe_iter *it, size_t n)
{
	struct pipe *p = f->private_data;
	ssize_t ret = 0;
	size_t done = 0;

	if (!n)
		return 0;
	mutex_lock(&p->lock);
	for (;;) {
		if (p->len) {
			size_t want = MIN(n, p->len);

			done = pipe_copy_out(p, it, 0, want);
			if (done < want && !done)
				ret = -EFAULT;
			break;
		}
		if (!p->writers)
			break;                  /* end of file */
		if (file_nonblock(f)) {
			ret = -EAGAIN;
			break;
		}
		mutex_unlock(&p->lock);
		if (wait_event_interruptible(&p->rd_wait, pipe_readable(p)))
			return -ERESTARTSYS;
		mutex_lock(&p->lock);
	}
	mutex_unlock(&p->lock);
	if (done)
		wake_up_poll(&p->wr_wait, EPOLLOUT | EPOLLWRNORM);
	return done ? (ssize_t)done : ret;
}

void pipe_sigpipe(void)
{
	struct task *t = current_task();

	if (t)
		send_sig(SIGPIPE, t);
}

/*
 * Copy what fits now. Return: 1 when the write is complete, 0 to wait
 * for room, or -errno. [l] held.
 */
static int pipe_write_some(struct pipe *p, struct pipe_iter *it, size_t n,
			   size_t *done)
{
	size_t room = pipe_cap(p) - p->len, want = n - *done, c;
	int err = 0;

	/* Up to PIPE_BUF bytes go in whole; larger writes in any pieces. */
	if (n <= PIPE_BUF ? room < want : !room)
		return 0;
	want = MIN(want, room);
	c = pipe_copy_in(p, it, *done, want, &err);
	*done += c;
	if (c)
		wake_up_poll(&p->rd_wait, EPOLLIN | EPOLLRDNORM);
	if (c < want)
		return err;
	return *done == n;
}

static ssize_t pipe_do_write(struct file *f, struct pipe_iter *it, size_t n)
{
	struct pipe *p = f->private_data;
	size_t done = 0;
	ssize_t ret = 0;
	int r;

	if (!n)
		return 0;
	mutex_lock(&p->lock);
	for (;;) {
		if (!p->readers) {
			pipe_sigpipe();
			ret = -EPIPE;
			break;
		}
		r = pipe_write_some(p, it, n, &done);
		if (r) {
			ret = r < 0 ? r : 0;
			break;
		}
		if (file_nonblock(f)) {
			ret = -EAGAIN;
			break;
		}
		mutex_unlock(&p->lock);
		r = wait_event_interruptible(&p->wr_wait, pipe_writable(p,
				n <= PIPE_BUF ? n - done : 1));
		mutex_lock(&p->lock);
		if (r) {
			ret = -ERESTARTSYS;
			break;
		}
	}
	mutex_unlock(&p->lock);
	return done ? (ssize_t)done : ret;
}

static ssize_t pipe_read(struct file *f, char __user *buf, size_t n,
			 loff_t *pos)
{
	struct pipe_iter it = { .ubuf = buf };

	return pipe_do_read(f, &it, n);
}

static ssize_t pipe_write(struct file *f, const char __user *buf, size_t n,
			  loff_t *pos)
{
	struct pipe_iter it = { .ubuf = (char __user *)buf };

	return pipe_do_write(f, &it, n);
}

static ssize_t pipe_read_kernel(struct file *f, void *buf, size_t n,
				loff_t *pos)
{
	struct pipe_iter it = { .kbuf = buf };

	return pipe_do_read(f, &it, n);
}

static ssize_t pipe_write_kernel(struct file *f, const void *buf, size_t n,
				 loff_t *pos)
{
	struct pipe_iter it = { .kbuf = (char *)buf };

	return pipe_do_write(f, &it, n);
}

/* ---- poll, ioctl, release ------------------------------------------------ */

/*
 * Pipes have no file position: f_pos keeps the writer-open count seen by
 * a non-blocking FIFO reader opened without writers (Linux's f_version),
 * so it does not see POLLHUP before any writer came and went.
 */
static __poll_t pipe_poll(struct file *f, struct poll_table *pt)
{
	struct pipe *p = f->private_data;
	__poll_t mask = 0;
	size_t len;

	if (f->f_mode & FMODE_READ)
		poll_wait(f, &p->rd_wait, pt);
	if (f->f_mode & FMODE_WRITE)
		poll_wait(f, &p->wr_wait, pt);
	len = READ_ONCE(p->len);
	if (f->f_mode & FMODE_READ) {
		if (len)
			mask |= EPOLLIN | EPOLLRDNORM;
		if (!READ_ONCE(p->writers) &&
		    (unsigned int)f->f_pos != READ_ONCE(p->w_counter))
			mask |= EPOLLHUP;
	}
	if (f->f_mode & FMODE_WRITE) {
		if (pipe_cap(p) - len >= PIPE_BUF)
			mask |= EPOLLOUT | EPOLLWRNORM;
		if (!READ_ONCE(p->readers))
			mask |= EPOLLERR;
	}
	return mask;
}

static long pipe_ioctl(struct file *f, unsigned int cmd, unsigned long arg)
{
	struct pipe *p = f->private_data;
	int n;

	if (cmd != FIONREAD)
		return -ENOTTY;
	mutex_lock(&p->lock);
	n = (int)p->len;
	mutex_unlock(&p->lock);
	return put_user(n, (int __user *)arg);
}

/*
 * Drop one file of @p that was counted as @fmode's ends; the last one
 * frees it (and unhooks a FIFO's pipe from its inode).
 */
static void pipe_drop_file(struct pipe *p, unsigned int fmode)
{
	bool fifo = p->fifo_inode != NULL, last;

	if (fifo)
		mutex_lock(&fifo_lock);
	mutex_lock(&p->lock);
	if (fmode & FMODE_READ)
		p->readers--;
	if (fmode & FMODE_WRITE)
		p->writers--;
	last = --p->files == 0;
	if (last && fifo)
		p->fifo_inode->i_pipe = NULL;
	if (!last) {
		__wake_up(&p->rd_wait, WAKE_NORMAL, 0,
			  poll_to_key(EPOLLIN | EPOLLRDNORM | EPOLLHUP));
		__wake_up(&p->wr_wait, WAKE_NORMAL, 0,
			  poll_to_key(EPOLLOUT | EPOLLWRNORM | EPOLLERR));
	}
	mutex_unlock(&p->lock);
	if (fifo)
		mutex_unlock(&fifo_lock);
	if (last)
		pipe_free(p);
}

static int pipe_release(struct inode *inode, struct file *f)
{
	eventpoll_release(f);
	pipe_drop_file(f->private_data, f->f_mode);
	return 0;
}

static const struct file_operations pipe_fops = {
	.read = pipe_read,
	.write = pipe_write,
	.read_kernel = pipe_read_kernel,
	.write_kernel = pipe_write_kernel,
	.poll = pipe_poll,
	.ioctl = pipe_ioctl,
	.release = pipe_release,
};

bool file_is_pipe(const struct file *f)
{
	return f && f->f_op == &pipe_fops;
}

/* ---- capacity ------------------------------------------------------------ */

static bool pipe_privileged(void)
{
	return !current_task() || cred_is_root(current_cred());
}

/* Linux's round_pipe_size: a page at least, powers of two, 2 GiB at most. */
static unsigned long pipe_round_size(unsigned long size)
{
	unsigned long r = PAGE_SIZE;

	if (size > (1UL << 31))
		return 0;
	while (r < size)
		r <<= 1;
	return r;
}

/* Move the buffered bytes into a ring of @nr pages. [l] held. */
static int pipe_resize(struct pipe *p, unsigned int nr)
{
	struct page **slots = kcalloc(nr, sizeof(*slots), GFP_KERNEL);
	struct pipe_iter it;
	size_t len = p->len, i;

	if (!slots)
		return -ENOMEM;
	for (i = 0; i < PFN_UP(len); i++) {
		slots[i] = alloc_page(GFP_KERNEL);
		if (!slots[i]) {
			pipe_free_slots(slots, nr);
			return -ENOMEM;
		}
	}
	for (i = 0; i < len; i += PAGE_SIZE) {
		it.kbuf = page_address(slots[i >> PAGE_SHIFT]);
		it.ubuf = NULL;
		pipe_copy_out(p, &it, 0, MIN(PAGE_SIZE, len - i));
	}
	pipe_free_slots(p->slots, p->nr_slots);
	p->slots = slots;
	WRITE_ONCE(p->nr_slots, nr);
	p->head = 0;
	WRITE_ONCE(p->len, len);
	return 0;
}

static long pipe_set_size(struct pipe *p, unsigned long arg)
{
	unsigned long size = pipe_round_size(arg);
	unsigned int nr = (unsigned int)(size >> PAGE_SHIFT);
	int err = 0;

	if (!size)
		return -EINVAL;
	mutex_lock(&p->lock);
	if (nr > p->nr_slots && size > READ_ONCE(pipe_max_size) &&
	    !pipe_privileged())
		err = -EPERM;
	else if (p->len > size)
		err = -EBUSY;
	else if (nr != p->nr_slots)
		err = pipe_resize(p, nr);
	mutex_unlock(&p->lock);
	if (err)
		return err;
	wake_up_poll(&p->wr_wait, EPOLLOUT | EPOLLWRNORM);
	return (long)size;
}

long pipe_fcntl(struct file *f, unsigned int cmd, unsigned long arg)
{
	if (!file_is_pipe(f))
		return -EBADF;
	switch (cmd) {
	case F_GETPIPE_SZ:
		return (long)pipe_cap(f->private_data);
	case F_SETPIPE_SZ:
		return pipe_set_size(f->private_data, arg);
	default:
		return -EINVAL;
	}
}

/* ---- anonymous pipes ------------------------------------------------------ */

int pipe_create_files(struct file *res[2], int flags)
{
	struct pipe *p = pipe_alloc();
	struct file *rd, *wr;

	if (!p)
		return -ENOMEM;
	p->readers = p->writers = 1;
	p->r_counter = p->w_counter = 1;
	p->files = 1;
	rd = anon_file_create_mode("pipe", &pipe_fops, p,
				   O_RDONLY | (flags & O_NONBLOCK),
				   S_IFIFO | 0600);
	if (IS_ERR(rd)) {
		pipe_free(p);
		return (int)PTR_ERR(rd);
	}
	/* No other opener can see the inode yet: [f] is not needed. */
	p->fifo_inode = file_inode(rd);
	p->fifo_inode->i_pipe = p;
	p->files = 2;
	wr = anon_file_create_shared(rd, &pipe_fops, p,
				     O_WRONLY | (flags & (O_NONBLOCK | O_DIRECT)));
	if (IS_ERR(wr)) {
		p->files = 1;
		p->writers = 0;
		fput(rd);
		return (int)PTR_ERR(wr);
	}
	res[0] = rd;
	res[1] = wr;
	return 0;
}

int pipe_setup_kernel_ends(struct file *rd, struct file *wr)
{
	struct pipe *p = pipe_alloc();

	if (!p)
		return -ENOMEM;
	p->readers = p->writers = 1;
	p->r_counter = p->w_counter = 1;
	p->files = 2;
	rd->f_mode = FMODE_READ;
	rd->f_flags = O_RDONLY;
	wr->f_mode = FMODE_WRITE;
	wr->f_flags = O_WRONLY;
	rd->f_op = wr->f_op = &pipe_fops;
	rd->private_data = wr->private_data = p;
	return 0;
}

static long do_pipe2(int __user *ufds, int flags)
{
	struct file *files[2];
	int fd[2], err;

	if (flags & ~(O_CLOEXEC | O_NONBLOCK | O_DIRECT))
		return -EINVAL;
	err = pipe_create_files(files, flags);
	if (err)
		return err;
	fd[0] = get_unused_fd_flags(flags & O_CLOEXEC);
	if (fd[0] < 0) {
		err = fd[0];
		goto err_fput;
	}
	fd[1] = get_unused_fd_flags(flags & O_CLOEXEC);
	if (fd[1] < 0) {
		err = fd[1];
		goto err_put_fd0;
	}
	/* Copy before installing: a bad array leaves no fds behind. */
	if (copy_to_user(ufds, fd, sizeof(fd))) {
		err = -EFAULT;
		put_unused_fd(fd[1]);
		goto err_put_fd0;
	}
	fd_install(fd[0], files[0]);
	fd_install(fd[1], files[1]);
	return 0;

err_put_fd0:
	put_unused_fd(fd[0]);
err_fput:
	fput(files[0]);
	fput(files[1]);
	return err;
}

SYSCALL_DEFINE2(pipe2, int __user *, pipefd, int, flags)
{
	return do_pipe2(pipefd, flags);
}

SYSCALL_DEFINE1(pipe, int __user *, pipefd)
{
	return do_pipe2(pipefd, 0);
}

/* ---- FIFOs ------------------------------------------------------------------ */

/* Wait (pipe lock dropped) until *@counter moves: a partner opened. */
static int fifo_wait_for_partner(struct pipe *p, unsigned int *counter)
{
	unsigned int cur = *counter;
	int r;

	mutex_unlock(&p->lock);
	r = wait_event_interruptible(&p->rd_wait, READ_ONCE(*counter) != cur);
	mutex_lock(&p->lock);
	return r ? -ERESTARTSYS : 0;
}

static void fifo_wake_partner(struct pipe *p)
{
	wake_up_all(&p->rd_wait);
}

/* The open rendezvous of fifo(7). [l] held. Return: 0 or -errno. */
static int fifo_open_ends(struct pipe *p, struct file *f, unsigned int *fmode)
{
	bool nonblock = file_nonblock(f), anon = pipe_is_anon(p);

	switch (f->f_mode & (FMODE_READ | FMODE_WRITE)) {
	case FMODE_READ:
		p->r_counter++;
		*fmode = FMODE_READ;
		if (p->readers++ == 0)
			fifo_wake_partner(p);
		f->f_pos = p->w_counter;
		if (!p->writers && !nonblock && !anon)
			return fifo_wait_for_partner(p, &p->w_counter);
		return 0;
	case FMODE_WRITE:
		if (nonblock && !p->readers && !anon)
			return -ENXIO;
		p->w_counter++;
		*fmode = FMODE_WRITE;
		if (p->writers++ == 0)
			fifo_wake_partner(p);
		if (!p->readers && !anon)
			return fifo_wait_for_partner(p, &p->r_counter);
		return 0;
	case FMODE_READ | FMODE_WRITE:
		/* O_RDWR is both ends at once: it never waits. */
		p->r_counter++;
		p->w_counter++;
		*fmode = FMODE_READ | FMODE_WRITE;
		p->readers++;
		p->writers++;
		if (p->readers == 1 || p->writers == 1)
			fifo_wake_partner(p);
		return 0;
	default:
		return -EINVAL;
	}
}

int fifo_open(struct inode *inode, struct file *f)
{
	unsigned int fmode = 0;
	struct pipe *p;
	int err;

	mutex_lock(&fifo_lock);
	p = inode->i_pipe;
	if (!p) {
		p = pipe_alloc();
		if (!p) {
			mutex_unlock(&fifo_lock);
			return -ENOMEM;
		}
		p->fifo_inode = inode;
		inode->i_pipe = p;
	}
	p->files++;
	mutex_lock(&p->lock);
	mutex_unlock(&fifo_lock);
	f->private_data = p;
	f->f_op = &pipe_fops;
	err = fifo_open_ends(p, f, &fmode);
	mutex_unlock(&p->lock);
	if (err)
		pipe_drop_file(p, fmode);
	return err;
}

void fifo_inode_release(struct inode *inode)
{
	/* Every open end holds the inode, so i_pipe is normally gone. */
	mutex_lock(&fifo_lock);
	if (inode->i_pipe) {
		struct pipe *p = inode->i_pipe;

		inode->i_pipe = NULL;
		pipe_free(p);
	}
	mutex_unlock(&fifo_lock);
}
