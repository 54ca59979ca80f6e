/*
 * Moving data between files in the kernel: sendfile(2),
 * copy_file_range(2), splice(2), tee(2) and vmsplice(2).
 *
 * Three transports, chosen by which ends are pipes:
 *	pipe -> pipe    pipe_splice_pipes: ring to ring under both locks
 *	file <-> pipe   pipe_splice_in/out: the file's read_kernel or
 *	                write_kernel runs on the pipe's own pages (the pipe
 *	                lock is held across it, Linux's order pipe -> inode)
 *	file -> file    a bounce buffer (sendfile to a non-pipe,
 *	                copy_file_range)
 *
 * Positions follow Linux: an offset pointer is read, used and written
 * back while the file position stays; without one the file position is
 * used and advanced (no f_pos_lock, as Linux's sendfile/splice). Only
 * files with a position (FMODE_LSEEK) take an offset; pipes fail with
 * ESPIPE. Linux's SPLICE_F_NONBLOCK also follows from O_NONBLOCK on the
 * pipe ends, and input pipes never feed sendfile (no splice_read there).
 */
#include <keel/errno.h>
#include <keel/err.h>
#include <keel/poll.h>
#include <keel/sched.h>
#include <keel/slab.h>
#include <keel/string.h>
#include <keel/syscall.h>
#include <keel/task.h>
#include <keel/uaccess.h>
#include <keel/vfs.h>

#define SPLICE_MAX_RW  0x7ffff000L      /* Linux's MAX_RW_COUNT */
#define SPLICE_F_ALL   (SPLICE_F_MOVE | SPLICE_F_NONBLOCK | SPLICE_F_MORE | \
			SPLICE_F_GIFT)
#define SPLICE_BOUNCE  16384            /* file -> file chunk */
#define SPLICE_MAXIOV  1024             /* Linux's UIO_MAXIOV */
#define SPLICE_POS_MAX 0x7fffffffffffffffLL  /* LLONG_MAX */
#define SPLICE_FAST_IOV 8

/* A user struct iovec (x86_64 layout). */
struct splice_iovec {
	char __user *base;
	size_t len;
};

/*
 * Linux's rw_verify_area for our files: a negative position or one that
 * @n would carry past LLONG_MAX is -EINVAL; @n is cut to MAX_RW_COUNT.
 */
static int splice_verify(loff_t pos, size_t *n)
{
	if (pos < 0 || (u64)pos + *n > (u64)SPLICE_POS_MAX)
		return -EINVAL;
	*n = MIN(*n, (size_t)SPLICE_MAX_RW);
	return 0;
}

static bool file_nonblocking(const struct file *f)
{
	return READ_ONCE(f->f_flags) & O_NONBLOCK;
}

/* ---- file <-> pipe ------------------------------------------------------ */

struct file_cursor {
	struct file *file;
	loff_t pos;
};

static ssize_t file_read_actor(void *buf, size_t n, void *arg)
{
	struct file_cursor *fc = arg;
	ssize_t r = kernel_read(fc->file, buf, n, fc->pos);

	if (r > 0)
		fc->pos += r;
	return r;
}

static ssize_t file_write_actor(void *buf, size_t n, void *arg)
{
	struct file_cursor *fc = arg;
	ssize_t r = kernel_write(fc->file, buf, n, fc->pos);

	if (r > 0)
		fc->pos += r;
	return r;
}

/* Read @in at *@pos into the pipe @out. Return: bytes or -errno. */
static ssize_t file_to_pipe(struct file *in, loff_t *pos, struct file *out,
			    size_t len, bool nonblock)
{
	struct file_cursor fc = { .file = in, .pos = *pos };
	ssize_t ret;

	if (!(in->f_mode & FMODE_READ))
		return -EBADF;
	/* Linux cuts the length to the pipe's room before checking it. */
	len = MIN(len, (size_t)SPLICE_MAX_RW);
	ret = splice_verify(*pos, &len);
	if (ret)
		return ret;
	/* A pipe or directory has nothing to splice from (Linux). */
	if (file_is_pipe(in) || S_ISDIR(file_inode(in)->i_mode) ||
	    !in->f_op || !in->f_op->read_kernel)
		return -EINVAL;
	ret = pipe_splice_in(out, len, nonblock, file_read_actor, &fc);
	*pos = fc.pos;
	return ret;
}

/* Write what the pipe @in holds to @out at *@pos. */
static ssize_t pipe_to_file(struct file *in, struct file *out, loff_t *pos,
			    size_t len, bool nonblock)
{
	struct file_cursor fc = { .file = out, .pos = *pos };
	ssize_t ret;

	if (READ_ONCE(out->f_flags) & O_APPEND)
		return -EINVAL;
	ret = splice_verify(*pos, &len);
	if (ret)
		return ret;
	if (!out->f_op || !out->f_op->write_kernel)
		return -EINVAL;
	ret = pipe_splice_out(in, len, nonblock, file_write_actor, &fc);
	*pos = fc.pos;
	return ret;
}

/* ---- file -> file -------------------------------------------------------- */

/*
 * Copy up to @len bytes from @in at *@ipos to @out at *@opos through a
 * bounce buffer, advancing both by what was written. Stops at end of
 * file, a short write or a signal (after some progress).
 * Return: bytes copied or -errno.
 */
static ssize_t copy_file_data(struct file *in, loff_t *ipos,
			      struct file *out, loff_t *opos, size_t len)
{
	size_t size = MIN(len, (size_t)SPLICE_BOUNCE), done = 0;
	ssize_t ret = 0;
	char *buf;

	if (!len)
		return 0;
	buf = kmalloc(size, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	while (done < len) {
		ssize_t r, w;

		if (done && READ_ONCE(current->signal_pending))
			break;
		r = kernel_read(in, buf, MIN(len - done, size), *ipos);
		if (r <= 0) {
			ret = r;
			break;
		}
		w = kernel_write(out, buf, (size_t)r, *opos);
		if (w <= 0) {
			ret = w;
			break;
		}
		*ipos += w;
		*opos += w;
		done += (size_t)w;
		if (w < r)
			break;
	}
	kfree(buf);
	return done ? (ssize_t)done : ret;
}

/* ---- sendfile ------------------------------------------------------------ */

/* sendfile once the offset (NULL: the file position) is known. */
static ssize_t do_sendfile(struct file *in, struct file *out, loff_t *ppos,
			   size_t count)
{
	loff_t pos = ppos ? *ppos : in->f_pos, opos;
	ssize_t ret;

	if (!(out->f_mode & FMODE_WRITE))
		return -EBADF;
	if (file_is_pipe(out)) {
		ret = file_to_pipe(in, &pos, out, count,
				   file_nonblocking(out));
	} else {
		if (READ_ONCE(out->f_flags) & O_APPEND)
			return -EINVAL;
		if (file_is_pipe(in) || !in->f_op || !in->f_op->read_kernel)
			return -EINVAL;
		opos = out->f_pos;
		ret = splice_verify(opos, &count);
		if (ret)
			return ret;
		ret = copy_file_data(in, &pos, out, &opos, count);
		if (ret > 0)
			out->f_pos = opos;
	}
	if (ret > 0) {
		if (ppos)
			*ppos = pos;
		else
			in->f_pos = pos;
	}
	return ret;
}

SYSCALL_DEFINE4(sendfile, int, out_fd, int, in_fd, loff_t __user *, offset,
		size_t, count)
{
	struct file *in, *out;
	loff_t pos = 0;
	ssize_t ret;

	if (offset && get_user(pos, offset))
		return -EFAULT;
	in = fget_io(in_fd);
	if (!in)
		return -EBADF;
	ret = -EBADF;
	if (!(in->f_mode & FMODE_READ))
		goto out_in;
	ret = -ESPIPE;
	if (offset && !(in->f_mode & FMODE_LSEEK))
		goto out_in;
	ret = splice_verify(offset ? pos : in->f_pos, &count);
	if (ret)
		goto out_in;
	out = fget_io(out_fd);
	ret = -EBADF;
	if (out) {
		ret = do_sendfile(in, out, offset ? &pos : NULL, count);
		fput(out);
	}
	if (offset && put_user(pos, offset))
		ret = -EFAULT;
out_in:
	fput(in);
	return ret;
}

/* ---- copy_file_range ----------------------------------------------------- */

/* Linux's generic_copy_file_checks and rw_verify_area, in its order. */
static ssize_t copy_range_checks(struct file *in, loff_t pin,
				 struct file *out, loff_t pout, size_t *len)
{
	struct inode *ii = file_inode(in), *oi = file_inode(out);
	loff_t size;

	if (S_ISDIR(ii->i_mode) || S_ISDIR(oi->i_mode))
		return -EISDIR;
	if (!S_ISREG(ii->i_mode) || !S_ISREG(oi->i_mode))
		return -EINVAL;
	if (!(in->f_mode & FMODE_READ) || !(out->f_mode & FMODE_WRITE) ||
	    (READ_ONCE(out->f_flags) & O_APPEND))
		return -EBADF;
	if (ii->i_sb != oi->i_sb)
		return -EXDEV;
	if (pin < 0 || pout < 0)
		return -EINVAL;
	if ((u64)pin + *len < (u64)pin || (u64)pout + *len < (u64)pout)
		return -EOVERFLOW;
	/* Shorten the copy to the end of the input. */
	size = READ_ONCE(ii->i_size);
	*len = pin >= size ? 0 : MIN(*len, (size_t)(size - pin));
	if (ii == oi && pout + (loff_t)*len > pin &&
	    pout < pin + (loff_t)*len)
		return -EINVAL;
	if (splice_verify(pin, len) || splice_verify(pout, len))
		return -EINVAL;
	return 0;
}

static ssize_t do_copy_file_range(struct file *in, loff_t __user *uin,
				  struct file *out, loff_t __user *uout,
				  size_t len, unsigned int flags)
{
	loff_t pin = in->f_pos, pout = out->f_pos;
	ssize_t ret;

	if (uin && get_user(pin, uin))
		return -EFAULT;
	if (uout && get_user(pout, uout))
		return -EFAULT;
	if (flags)
		return -EINVAL;
	ret = copy_range_checks(in, pin, out, pout, &len);
	if (ret)
		return ret;
	ret = copy_file_data(in, &pin, out, &pout, len);
	if (ret <= 0)
		return ret;
	if (!uin)
		in->f_pos = pin;
	else if (put_user(pin, uin))
		ret = -EFAULT;
	if (!uout)
		out->f_pos = pout;
	else if (put_user(pout, uout))
		ret = -EFAULT;
	return ret;
}

SYSCALL_DEFINE6(copy_file_range, int, fd_in, loff_t __user *, off_in,
		int, fd_out, loff_t __user *, off_out, size_t, len,
		unsigned int, flags)
{
	struct file *in = fget_io(fd_in), *out;
	ssize_t ret = -EBADF;

	if (!in)
		return -EBADF;
	out = fget_io(fd_out);
	if (out) {
		ret = do_copy_file_range(in, off_in, out, off_out, len, flags);
		fput(out);
	}
	fput(in);
	return ret;
}

/* ---- splice and tee ------------------------------------------------------ */

/* Linux's do_splice once the offsets are read (@pin, @pout may be NULL). */
static ssize_t do_splice(struct file *in, loff_t *pin, struct file *out,
			 loff_t *pout, size_t len, unsigned int flags)
{
	bool ipipe = file_is_pipe(in), opipe = file_is_pipe(out);
	bool nonblock = flags & SPLICE_F_NONBLOCK;
	loff_t pos;
	ssize_t ret;

	if (!(in->f_mode & FMODE_READ) || !(out->f_mode & FMODE_WRITE))
		return -EBADF;
	if (ipipe && opipe)
		return pipe_splice_pipes(in, out, len, nonblock ||
				file_nonblocking(in) || file_nonblocking(out),
				false);
	if (ipipe) {
		if (pout && !(out->f_mode & FMODE_LSEEK))
			return -EINVAL;
		pos = pout ? *pout : out->f_pos;
		ret = pipe_to_file(in, out, &pos, len,
				   nonblock || file_nonblocking(in));
		if (pout)
			*pout = pos;
		else
			out->f_pos = pos;
		return ret;
	}
	if (opipe) {
		if (pin && !(in->f_mode & FMODE_LSEEK))
			return -EINVAL;
		pos = pin ? *pin : in->f_pos;
		ret = file_to_pipe(in, &pos, out, len,
				   nonblock || file_nonblocking(out));
		if (pin)
			*pin = pos;
		else
			in->f_pos = pos;
		return ret;
	}
	return -EINVAL;
}

/* Read an optional user offset for a non-pipe end. */
static int splice_get_off(struct file *f, loff_t __user *uoff, loff_t *off)
{
	if (!uoff)
		return 0;
	if (file_is_pipe(f))
		return -ESPIPE;
	return get_user(*off, uoff) ? -EFAULT : 0;
}

static ssize_t splice_files(struct file *in, loff_t __user *uin,
			    struct file *out, loff_t __user *uout,
			    size_t len, unsigned int flags)
{
	loff_t pin = 0, pout = 0;
	ssize_t ret;

	ret = splice_get_off(in, uin, &pin);
	if (!ret)
		ret = splice_get_off(out, uout, &pout);
	if (ret)
		return ret;
	ret = do_splice(in, uin ? &pin : NULL, out, uout ? &pout : NULL,
			len, flags);
	if (ret < 0)
		return ret;
	if ((uout && put_user(pout, uout)) || (uin && put_user(pin, uin)))
		return -EFAULT;
	return ret;
}

SYSCALL_DEFINE6(splice, int, fd_in, loff_t __user *, off_in, int, fd_out,
		loff_t __user *, off_out, size_t, len, unsigned int, flags)
{
	struct file *in, *out;
	ssize_t ret = -EBADF;

	if (!len)
		return 0;
	if (flags & ~SPLICE_F_ALL)
		return -EINVAL;
	in = fget_io(fd_in);
	if (!in)
		return -EBADF;
	out = fget_io(fd_out);
	if (out) {
		ret = splice_files(in, off_in, out, off_out, len, flags);
		fput(out);
	}
	fput(in);
	return ret;
}

SYSCALL_DEFINE4(tee, int, fd_in, int, fd_out, size_t, len,
		unsigned int, flags)
{
	struct file *in, *out;
	ssize_t ret = -EBADF;

	if (flags & ~SPLICE_F_ALL)
		return -EINVAL;
	if (!len)
		return 0;
	in = fget_io(fd_in);
	if (!in)
		return -EBADF;
	out = fget_io(fd_out);
	if (!out)
		goto out_in;
	if (!(in->f_mode & FMODE_READ) || !(out->f_mode & FMODE_WRITE))
		ret = -EBADF;
	else if (!file_is_pipe(in) || !file_is_pipe(out))
		ret = -EINVAL;
	else
		ret = pipe_splice_pipes(in, out, len,
					(flags & SPLICE_F_NONBLOCK) ||
					file_nonblocking(in) ||
					file_nonblocking(out), true);
	fput(out);
out_in:
	fput(in);
	return ret;
}

/* ---- vmsplice ------------------------------------------------------------ */

/* A walk over user iovecs (Linux's import_iovec checks). */
struct iov_cursor {
	struct splice_iovec *iov;
	unsigned long cnt, idx;
	size_t off;
	bool to_user;                   /* pipe -> user memory */
};

/*
 * Read @cnt iovecs from @uiov into @fast or a kmalloc'd array.
 * Return: the total length (cut to MAX_RW_COUNT) or -errno.
 */
static ssize_t iov_import(const struct splice_iovec __user *uiov,
			  unsigned long cnt, struct splice_iovec *fast,
			  struct splice_iovec **iovp)
{
	struct splice_iovec *iov = fast;
	size_t total = 0;

	if (cnt > SPLICE_MAXIOV)
		return -EINVAL;
	if (cnt > SPLICE_FAST_IOV) {
		iov = kmalloc(cnt * sizeof(*iov), GFP_KERNEL);
		if (!iov)
			return -ENOMEM;
	}
	*iovp = iov;
	if (copy_from_user(iov, uiov, cnt * sizeof(*iov)))
		return -EFAULT;
	for (unsigned long i = 0; i < cnt; i++) {
		if ((ssize_t)iov[i].len < 0)
			return -EINVAL;
		if (!access_ok(iov[i].base, iov[i].len))
			return -EFAULT;
		iov[i].len = MIN(iov[i].len, (size_t)SPLICE_MAX_RW - total);
		total += iov[i].len;
	}
	return (ssize_t)total;
}

/* The pipe actor of vmsplice: copy between the ring and the iovecs. */
static ssize_t iov_actor(void *buf, size_t n, void *arg)
{
	struct iov_cursor *c = arg;
	size_t done = 0;

	while (done < n && c->idx < c->cnt) {
		struct splice_iovec *v = &c->iov[c->idx];
		size_t k = MIN(n - done, v->len - c->off), left;

		if (c->to_user)
			left = copy_to_user(v->base + c->off,
					    (char *)buf + done, k);
		else
			left = copy_from_user((char *)buf + done,
					      v->base + c->off, k);
		done += k - left;
		c->off += k - left;
		if (c->off == v->len) {
			c->idx++;
			c->off = 0;
		}
		if (left)
			return done ? (ssize_t)done : -EFAULT;
	}
	return (ssize_t)done;
}

static ssize_t do_vmsplice(struct file *f,
			   const struct splice_iovec __user *uiov,
			   unsigned long cnt, unsigned int flags)
{
	struct splice_iovec fast[SPLICE_FAST_IOV], *iov = fast;
	struct iov_cursor c = { .cnt = cnt };
	bool nonblock = flags & SPLICE_F_NONBLOCK;
	ssize_t ret;

	/* The fd's mode says the direction: a write end is filled. */
	if (!(f->f_mode & (FMODE_READ | FMODE_WRITE)))
		return -EBADF;
	c.to_user = !(f->f_mode & FMODE_WRITE);
	ret = iov_import(uiov, cnt, fast, &iov);
	c.iov = iov;
	if (ret > 0 && !file_is_pipe(f))
		ret = -EBADF;
	else if (ret > 0 && c.to_user)
		ret = pipe_splice_out(f, (size_t)ret, nonblock, iov_actor, &c);
	else if (ret > 0)
		ret = pipe_splice_in(f, (size_t)ret, nonblock, iov_actor, &c);
	if (iov != fast)
		kfree(iov);
	return ret;
}

SYSCALL_DEFINE4(vmsplice, int, fd, const void __user *, iov,
		unsigned long, nr_segs, unsigned int, flags)
{
	struct file *f;
	ssize_t ret;

	if (flags & ~SPLICE_F_ALL)
		return -EINVAL;
	f = fget_io(fd);
	if (!f)
		return -EBADF;
	ret = do_vmsplice(f, (const struct splice_iovec __user *)iov,
			  nr_segs, flags);
	fput(f);
	return ret;
}
