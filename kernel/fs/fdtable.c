/*
 * File descriptor tables (struct files) and the fd system calls that
 * only touch the table: close, close_range, dup, dup2, dup3.
 *
 * The table is an array of file pointers with two bitmaps: close-on-exec,
 * and "reserved" (handed out by get_unused_fd_flags, not installed yet,
 * so no one else takes the number). It grows by doubling, up to the
 * caller's RLIMIT_NOFILE; the new arrays are allocated with the lock
 * dropped and swapped in under it. Everything under files->lock
 * (a spinlock: nothing sleeps there; fput happens after unlocking).
 */
#include <keel/locks.h>
#include <keel/slab.h>
#include <keel/string.h>
#include <keel/syscall.h>
#include <keel/task.h>

#include "internal.h"

#define NR_OPEN_DEFAULT 64u
#define BPL             (8 * sizeof(unsigned long))

static size_t bitmap_bytes(unsigned int n)
{
	return (n + BPL - 1) / BPL * sizeof(unsigned long);
}

static bool fbit(const unsigned long *m, unsigned int i)
{
	return m[i / BPL] >> (i % BPL) & 1;
}

static void fbit_set(unsigned long *m, unsigned int i, bool v)
{
	if (v)
		m[i / BPL] |= 1UL << (i % BPL);
	else
		m[i / BPL] &= ~(1UL << (i % BPL));
}

static struct files *files_alloc(unsigned int n)
{
	struct files *fs = kzalloc(sizeof(*fs), GFP_KERNEL);

	if (!fs)
		return NULL;
	fs->fd = kcalloc(n, sizeof(struct file *), GFP_KERNEL);
	fs->cloexec = kzalloc(bitmap_bytes(n), GFP_KERNEL);
	fs->reserved = kzalloc(bitmap_bytes(n), GFP_KERNEL);
	if (!fs->fd || !fs->cloexec || !fs->reserved) {
		kfree(fs->fd);
		kfree(fs->cloexec);
		kfree(fs->reserved);
		kfree(fs);
		return NULL;
	}
	fs->count = 1;
	fs->max_fds = n;
	spin_lock_init(&fs->lock);
	return fs;
}

/*
 * The end of an fd: the close of any fd of a file drops the POSIX locks
 * the table holds on it (kernel/fs/locks.c), then the reference goes.
 */
static void fd_close_put(struct files *fs, struct file *f)
{
	locks_remove_posix(f, fs);
	fput(f);
}

struct files *files_create(void)
{
	return files_alloc(NR_OPEN_DEFAULT);
}

/**
 * files_dup - a copy of @old for fork: the same files, each with one
 * more reference, the same close-on-exec bits. Reserved slots are not
 * copied. Context: process context. Return: the copy or NULL.
 */
struct files *files_dup(struct files *old)
{
	struct files *fs;
	unsigned int n, i;

	for (;;) {
		n = READ_ONCE(old->max_fds);
		fs = files_alloc(n);
		if (!fs)
			return NULL;
		spin_lock(&old->lock);
		if (old->max_fds == n)
			break;
		spin_unlock(&old->lock);
		files_put(fs);
	}
	for (i = 0; i < n; i++) {
		if (!old->fd[i])
			continue;
		fs->fd[i] = get_file(old->fd[i]);
		fbit_set(fs->cloexec, i, fbit(old->cloexec, i));
	}
	spin_unlock(&old->lock);
	return fs;
}

void files_get(struct files *fs)
{
	ref_inc(&fs->count);
}

void files_put(struct files *fs)
{
	unsigned int i;

	if (!fs || !ref_dec_and_test(&fs->count))
		return;
	for (i = 0; i < fs->max_fds; i++)
		if (fs->fd[i])
			fd_close_put(fs, fs->fd[i]);
	kfree(fs->fd);
	kfree(fs->cloexec);
	kfree(fs->reserved);
	kfree(fs);
}

void files_close_on_exec(struct files *fs)
{
	unsigned int i;

	for (i = 0; i < READ_ONCE(fs->max_fds); i++) {
		struct file *f = NULL;

		spin_lock(&fs->lock);
		if (i < fs->max_fds && fs->fd[i] && fbit(fs->cloexec, i)) {
			f = fs->fd[i];
			fs->fd[i] = NULL;
			fbit_set(fs->cloexec, i, false);
			if (i < fs->next_fd)
				fs->next_fd = i;
		}
		spin_unlock(&fs->lock);
		if (f)
			fd_close_put(fs, f);
	}
}

/* Make room for fd @want (< limit). Called and returns with the lock held. */
static int files_grow(struct files *fs, unsigned int want)
{
	while (want >= fs->max_fds) {
		unsigned int n = fs->max_fds * 2;
		struct file **fd;
		unsigned long *ce, *rs;

		while (n <= want)
			n *= 2;
		spin_unlock(&fs->lock);
		fd = kcalloc(n, sizeof(*fd), GFP_KERNEL);
		ce = kzalloc(bitmap_bytes(n), GFP_KERNEL);
		rs = kzalloc(bitmap_bytes(n), GFP_KERNEL);
		spin_lock(&fs->lock);
		if (!fd || !ce || !rs) {
			spin_unlock(&fs->lock);
			kfree(fd);
			kfree(ce);
			kfree(rs);
			spin_lock(&fs->lock);
			return -ENOMEM;
		}
		if (n > fs->max_fds) {
			memcpy(fd, fs->fd, fs->max_fds * sizeof(*fd));
			memcpy(ce, fs->cloexec, bitmap_bytes(fs->max_fds));
			memcpy(rs, fs->reserved, bitmap_bytes(fs->max_fds));
			{
				struct file **ofd = fs->fd;
				unsigned long *oce = fs->cloexec;
				unsigned long *ors = fs->reserved;

				fs->fd = fd;
				fs->cloexec = ce;
				fs->reserved = rs;
				fs->max_fds = n;
				fd = ofd;
				ce = oce;
				rs = ors;
			}
		}
		spin_unlock(&fs->lock);
		kfree(fd);
		kfree(ce);
		kfree(rs);
		spin_lock(&fs->lock);
	}
	return 0;
}

static unsigned int nofile_limit(void)
{
	u64 lim = current_task() ? task_rlimit(RLIMIT_NOFILE) : NR_OPEN_MAX;

	return lim > NR_OPEN_MAX ? NR_OPEN_MAX : (unsigned int)lim;
}

/**
 * files_alloc_fd - reserve the lowest free fd >= @start in @fs, with
 * O_CLOEXEC in @flags setting close-on-exec. Return: fd, -EMFILE
 * (RLIMIT_NOFILE reached) or -ENOMEM.
 */
int files_alloc_fd(struct files *fs, unsigned int start, int flags)
{
	unsigned int limit = nofile_limit(), i;
	int err;

	spin_lock(&fs->lock);
	i = MAX(start, fs->next_fd);
	for (;; i++) {
		if (i >= limit) {
			err = -EMFILE;
			goto out;
		}
		if (i >= fs->max_fds) {
			err = files_grow(fs, i);
			if (err)
				goto out;
		}
		if (!fs->fd[i] && !fbit(fs->reserved, i))
			break;
	}
	fbit_set(fs->reserved, i, true);
	fbit_set(fs->cloexec, i, flags & O_CLOEXEC);
	if (start <= fs->next_fd)
		fs->next_fd = i + 1;
	err = (int)i;
out:
	spin_unlock(&fs->lock);
	return err;
}

void files_install(struct files *fs, int fd, struct file *f)
{
	spin_lock(&fs->lock);
	fs->fd[fd] = f;
	fbit_set(fs->reserved, (unsigned int)fd, false);
	spin_unlock(&fs->lock);
}

struct file *files_lookup(struct files *fs, int fd)
{
	struct file *f = NULL;

	spin_lock(&fs->lock);
	if (fd >= 0 && (unsigned int)fd < fs->max_fds && fs->fd[fd])
		f = get_file(fs->fd[fd]);
	spin_unlock(&fs->lock);
	return f;
}

struct file *files_remove(struct files *fs, int fd)
{
	struct file *f = NULL;

	spin_lock(&fs->lock);
	if (fd >= 0 && (unsigned int)fd < fs->max_fds && fs->fd[fd]) {
		f = fs->fd[fd];
		fs->fd[fd] = NULL;
		fbit_set(fs->cloexec, (unsigned int)fd, false);
		if ((unsigned int)fd < fs->next_fd)
			fs->next_fd = (unsigned int)fd;
	}
	spin_unlock(&fs->lock);
	return f;
}

static struct files *cur_files(void)
{
	struct task *t = current_task();

	return t ? t->files : NULL;
}

struct file *fget(int fd)
{
	struct files *fs = cur_files();

	return fs ? files_lookup(fs, fd) : NULL;
}

struct file *fget_io(int fd)
{
	struct file *f = fget(fd);

	if (f && (f->f_mode & FMODE_PATH)) {
		fput(f);
		return NULL;
	}
	return f;
}

int get_unused_fd_flags(int flags)
{
	struct files *fs = cur_files();

	return fs ? files_alloc_fd(fs, 0, flags) : -EMFILE;
}

void fd_install(int fd, struct file *f)
{
	files_install(cur_files(), fd, f);
}

void put_unused_fd(int fd)
{
	struct files *fs = cur_files();

	spin_lock(&fs->lock);
	fbit_set(fs->reserved, (unsigned int)fd, false);
	if ((unsigned int)fd < fs->next_fd)
		fs->next_fd = (unsigned int)fd;
	spin_unlock(&fs->lock);
}

int fd_install_new(struct file *f, int o_flags)
{
	int fd = get_unused_fd_flags(o_flags);

	if (fd >= 0)
		fd_install(fd, f);
	return fd;
}

/* ---- system calls ------------------------------------------------------ */

SYSCALL_DEFINE1(close, unsigned int, fd)
{
	struct files *fs = cur_files();
	struct file *f = fs ? files_remove(fs, (int)fd) : NULL;

	if (!f)
		return -EBADF;
	fd_close_put(fs, f);
	return 0;
}

SYSCALL_DEFINE3(close_range, unsigned int, first, unsigned int, last,
		unsigned int, flags)
{
	struct files *fs = cur_files();
	unsigned int i;

	if (flags & ~(CLOSE_RANGE_UNSHARE | CLOSE_RANGE_CLOEXEC))
		return -EINVAL;
	if (first > last)
		return -EINVAL;
	if (!fs)
		return 0;
	/* UNSHARE: Keel's tables are per process here; see the report. */
	for (i = first; i <= last && i < READ_ONCE(fs->max_fds); i++) {
		if (flags & CLOSE_RANGE_CLOEXEC) {
			spin_lock(&fs->lock);
			if (i < fs->max_fds && fs->fd[i])
				fbit_set(fs->cloexec, i, true);
			spin_unlock(&fs->lock);
		} else {
			struct file *f = files_remove(fs, (int)i);

			if (f)
				fd_close_put(fs, f);
		}
		if (i == ~0u)
			break;
	}
	return 0;
}

/*
 * Put @f at @newfd (closing what was there). The caller's reference to
 * @f passes to the table. Return: @newfd, -EBUSY (reserved by a racing
 * open, as Linux) or -EBADF beyond the limit.
 */
static long do_dup2(struct files *fs, struct file *f, unsigned int newfd,
		    int flags)
{
	struct file *old;
	int err;

	if (newfd >= nofile_limit()) {
		fput(f);
		return -EBADF;
	}
	spin_lock(&fs->lock);
	err = files_grow(fs, newfd);
	if (!err && fbit(fs->reserved, newfd))
		err = -EBUSY;
	if (err) {
		spin_unlock(&fs->lock);
		fput(f);
		return err;
	}
	old = fs->fd[newfd];
	fs->fd[newfd] = f;
	fbit_set(fs->cloexec, newfd, flags & O_CLOEXEC);
	spin_unlock(&fs->lock);
	if (old)
		fd_close_put(fs, old);
	return newfd;
}

SYSCALL_DEFINE3(dup3, unsigned int, oldfd, unsigned int, newfd, int, flags)
{
	struct files *fs = cur_files();
	struct file *f;

	if (flags & ~O_CLOEXEC)
		return -EINVAL;
	if (oldfd == newfd)
		return -EINVAL;
	f = fget((int)oldfd);
	if (!f)
		return -EBADF;
	return do_dup2(fs, f, newfd, flags);
}

SYSCALL_DEFINE2(dup2, unsigned int, oldfd, unsigned int, newfd)
{
	struct file *f = fget((int)oldfd);

	if (!f)
		return -EBADF;
	if (oldfd == newfd) {
		fput(f);
		return newfd;
	}
	return do_dup2(cur_files(), f, newfd, 0);
}

/* F_DUPFD and dup: the lowest free fd >= @start. */
long do_dupfd(unsigned int oldfd, unsigned int start, int flags)
{
	struct files *fs = cur_files();
	struct file *f;
	int fd;

	if (start >= nofile_limit())
		return -EINVAL;
	f = fget((int)oldfd);
	if (!f)
		return -EBADF;
	fd = files_alloc_fd(fs, start, flags);
	if (fd < 0) {
		fput(f);
		return fd;
	}
	files_install(fs, fd, f);
	return fd;
}

SYSCALL_DEFINE1(dup, unsigned int, oldfd)
{
	return do_dupfd(oldfd, 0, 0);
}
