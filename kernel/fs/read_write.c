/*
 * Reading and writing: read, write, pread64, pwrite64, readv, writev,
 * preadv, pwritev, preadv2, pwritev2, lseek; kernel_read/kernel_write.
 *
 * Files with a position (regular files, directories) serialise their
 * read/write/lseek calls on f_pos_lock, so threads sharing a file see
 * each call's position update as one step (Linux's FMODE_ATOMIC_POS).
 */
#include <keel/slab.h>
#include <keel/syscall.h>
#include <keel/task.h>
#include <keel/uaccess.h>

#include "internal.h"

#define MAX_RW_COUNT (0x7ffff000L)      /* Linux: INT_MAX & PAGE_MASK */
#define UIO_MAXIOV   1024

struct iovec {
	void __user *iov_base;
	size_t iov_len;
};

static bool pos_locked(struct file *f)
{
	return f->f_mode & FMODE_ATOMIC_POS;
}

/* One read or write at *@pos. Return: bytes or -errno. */
static ssize_t rw_one(struct file *f, char __user *buf, size_t n,
		      loff_t *pos, bool write)
{
	if (n > MAX_RW_COUNT)
		n = MAX_RW_COUNT;
	if (!access_ok(buf, n))
		return -EFAULT;
	if (write) {
		if (!(f->f_mode & FMODE_WRITE))
			return -EBADF;
		if (!f->f_op || !f->f_op->write)
			return -EINVAL;
		return f->f_op->write(f, buf, n, pos);
	}
	if (!(f->f_mode & FMODE_READ))
		return -EBADF;
	if (S_ISDIR(file_inode(f)->i_mode))
		return -EISDIR;
	if (!f->f_op || !f->f_op->read)
		return -EINVAL;
	return f->f_op->read(f, buf, n, pos);
}

static ssize_t rw_fd(unsigned int fd, char __user *buf, size_t n,
		     bool write)
{
	struct file *f = fget_io((int)fd);
	ssize_t ret;
	loff_t pos;

	if (!f)
		return -EBADF;
	if (pos_locked(f))
		mutex_lock(&f->f_pos_lock);
	pos = f->f_pos;
	ret = rw_one(f, buf, n, &pos, write);
	if (ret >= 0)
		f->f_pos = pos;
	if (pos_locked(f))
		mutex_unlock(&f->f_pos_lock);
	fput(f);
	return ret;
}

SYSCALL_DEFINE3(read, unsigned int, fd, char *, buf, size_t, count)
{
	return rw_fd(fd, buf, count, false);
}

SYSCALL_DEFINE3(write, unsigned int, fd, const char *, buf, size_t, count)
{
	return rw_fd(fd, (char __user *)buf, count, true);
}

static ssize_t prw_fd(unsigned int fd, char __user *buf, size_t n,
		      loff_t pos, bool write)
{
	struct file *f;
	ssize_t ret;

	if (pos < 0)
		return -EINVAL;
	f = fget_io((int)fd);
	if (!f)
		return -EBADF;
	if (!(f->f_mode & FMODE_LSEEK))
		ret = -ESPIPE;
	else
		ret = rw_one(f, buf, n, &pos, write);
	fput(f);
	return ret;
}

SYSCALL_DEFINE4(pread64, unsigned int, fd, char *, buf, size_t, count,
		loff_t, pos)
{
	return prw_fd(fd, buf, count, pos, false);
}

SYSCALL_DEFINE4(pwrite64, unsigned int, fd, const char *, buf,
		size_t, count, loff_t, pos)
{
	return prw_fd(fd, (char __user *)buf, count, pos, true);
}

/* Read a user iovec array (validated) into a kmalloc'd copy. */
static struct iovec *get_iov(const struct iovec __user *uiov,
			     unsigned long cnt)
{
	struct iovec *iov;
	size_t total = 0;
	unsigned long i;

	if (cnt > UIO_MAXIOV)
		return ERR_PTR(-EINVAL);
	iov = kmalloc(MAX(cnt, 1UL) * sizeof(*iov), GFP_KERNEL);
	if (!iov)
		return ERR_PTR(-ENOMEM);
	if (copy_from_user(iov, uiov, cnt * sizeof(*iov))) {
		kfree(iov);
		return ERR_PTR(-EFAULT);
	}
	for (i = 0; i < cnt; i++) {
		if ((ssize_t)iov[i].iov_len < 0 ||
		    total + iov[i].iov_len > (size_t)MAX_RW_COUNT) {
			/* Linux: a sum past SSIZE_MAX is EINVAL; it then
			 * clamps the rest to MAX_RW_COUNT. */
			if ((ssize_t)iov[i].iov_len < 0) {
				kfree(iov);
				return ERR_PTR(-EINVAL);
			}
			iov[i].iov_len = (size_t)MAX_RW_COUNT - total;
		}
		total += iov[i].iov_len;
	}
	return iov;
}

#define RWF_HIPRI   0x01
#define RWF_DSYNC   0x02
#define RWF_SYNC    0x04
#define RWF_NOWAIT  0x08
#define RWF_APPEND  0x10
#define RWF_SUPPORTED (RWF_HIPRI | RWF_DSYNC | RWF_SYNC | RWF_NOWAIT | \
		       RWF_APPEND)

/*
 * Vectored I/O at *@pos: stops at the first short transfer. @rwf: RWF_*
 * (RWF_APPEND: each write goes to the end of a regular file, like
 * O_APPEND; the others need nothing here, memory being the backing store).
 */
static ssize_t rw_vec(struct file *f, struct iovec *iov, unsigned long cnt,
		      loff_t *pos, bool write, int rwf)
{
	bool append = write && (rwf & RWF_APPEND) &&
		      S_ISREG(file_inode(f)->i_mode);
	ssize_t total = 0;
	unsigned long i;

	for (i = 0; i < cnt; i++) {
		ssize_t r;

		if (!iov[i].iov_len)
			continue;
		if (append)
			*pos = READ_ONCE(file_inode(f)->i_size);
		r = rw_one(f, iov[i].iov_base, iov[i].iov_len, pos, write);
		if (r < 0)
			return total ? total : r;
		total += r;
		if ((size_t)r < iov[i].iov_len)
			break;
	}
	if (!total && cnt && !write && !(f->f_mode & FMODE_READ))
		return -EBADF;
	if (!total && cnt && write && !(f->f_mode & FMODE_WRITE))
		return -EBADF;
	return total;
}

/* readv/writev (@pos < 0: the file position) and the p* variants. */
static ssize_t do_rwv(unsigned long fd, const struct iovec __user *uiov,
		      unsigned long cnt, loff_t pos, bool write, int rwf)
{
	struct iovec *iov;
	struct file *f;
	ssize_t ret;
	loff_t p;

	iov = get_iov(uiov, cnt);
	if (IS_ERR(iov))
		return PTR_ERR(iov);
	f = fget_io((int)fd);
	if (!f) {
		kfree(iov);
		return -EBADF;
	}
	if (pos >= 0) {
		ret = (f->f_mode & FMODE_LSEEK) ?
			rw_vec(f, iov, cnt, &pos, write, rwf) : -ESPIPE;
	} else {
		if (pos_locked(f))
			mutex_lock(&f->f_pos_lock);
		p = f->f_pos;
		ret = rw_vec(f, iov, cnt, &p, write, rwf);
		if (ret >= 0)
			f->f_pos = p;
		if (pos_locked(f))
			mutex_unlock(&f->f_pos_lock);
	}
	fput(f);
	kfree(iov);
	return ret;
}

SYSCALL_DEFINE3(readv, unsigned long, fd, const struct iovec *, iov,
		unsigned long, iovcnt)
{
	return do_rwv(fd, iov, iovcnt, -1, false, 0);
}

SYSCALL_DEFINE3(writev, unsigned long, fd, const struct iovec *, iov,
		unsigned long, iovcnt)
{
	return do_rwv(fd, iov, iovcnt, -1, true, 0);
}

static loff_t join_pos(unsigned long lo, unsigned long hi)
{
	return (loff_t)lo;      /* x86_64: the whole offset is in pos_l */
}

SYSCALL_DEFINE5(preadv, unsigned long, fd, const struct iovec *, iov,
		unsigned long, iovcnt, unsigned long, pos_l,
		unsigned long, pos_h)
{
	loff_t pos = join_pos(pos_l, pos_h);

	return pos < 0 ? -EINVAL : do_rwv(fd, iov, iovcnt, pos, false, 0);
}

SYSCALL_DEFINE5(pwritev, unsigned long, fd, const struct iovec *, iov,
		unsigned long, iovcnt, unsigned long, pos_l,
		unsigned long, pos_h)
{
	loff_t pos = join_pos(pos_l, pos_h);

	return pos < 0 ? -EINVAL : do_rwv(fd, iov, iovcnt, pos, true, 0);
}

/* Linux's kiocb_set_rw_flags: an unknown RWF_* flag is EOPNOTSUPP. */
SYSCALL_DEFINE6(preadv2, unsigned long, fd, const struct iovec *, iov,
		unsigned long, iovcnt, unsigned long, pos_l,
		unsigned long, pos_h, int, flags)
{
	loff_t pos = join_pos(pos_l, pos_h);

	if (flags & ~RWF_SUPPORTED)
		return -EOPNOTSUPP;
	if (pos < -1)
		return -EINVAL;
	return do_rwv(fd, iov, iovcnt, pos, false, flags);
}

SYSCALL_DEFINE6(pwritev2, unsigned long, fd, const struct iovec *, iov,
		unsigned long, iovcnt, unsigned long, pos_l,
		unsigned long, pos_h, int, flags)
{
	loff_t pos = join_pos(pos_l, pos_h);

	if (flags & ~RWF_SUPPORTED)
		return -EOPNOTSUPP;
	if (pos < -1)
		return -EINVAL;
	return do_rwv(fd, iov, iovcnt, pos, true, flags);
}

SYSCALL_DEFINE3(lseek, unsigned int, fd, loff_t, offset, unsigned int,
		whence)
{
	struct file *f = fget_io((int)fd);
	loff_t ret;

	if (!f)
		return -EBADF;
	if (whence > SEEK_HOLE)
		ret = -EINVAL;
	else if (!f->f_op || !f->f_op->llseek)
		ret = -ESPIPE;
	else {
		if (pos_locked(f))
			mutex_lock(&f->f_pos_lock);
		ret = f->f_op->llseek(f, offset, (int)whence);
		if (pos_locked(f))
			mutex_unlock(&f->f_pos_lock);
	}
	fput(f);
	return ret;
}

/**
 * kernel_read - read up to @n bytes at @pos into kernel @buf.
 * Context: process context. Return: bytes read or -errno.
 */
ssize_t kernel_read(struct file *f, void *buf, size_t n, loff_t pos)
{
	if (!(f->f_mode & FMODE_READ))
		return -EBADF;
	if (!f->f_op || !f->f_op->read_kernel)
		return -EINVAL;
	return f->f_op->read_kernel(f, buf, n, &pos);
}

ssize_t kernel_write(struct file *f, const void *buf, size_t n, loff_t pos)
{
	if (!(f->f_mode & FMODE_WRITE))
		return -EBADF;
	if (!f->f_op || !f->f_op->write_kernel)
		return -EINVAL;
	return f->f_op->write_kernel(f, buf, n, &pos);
}
