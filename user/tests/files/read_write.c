/*
 * read/write/pread/pwrite/readv/writev/preadv2/pwritev2 on a regular file:
 * data round-trips, short reads at EOF, positional I/O leaves the file
 * offset alone (and preadv2 with offset -1 uses it), RWF_APPEND, the file
 * offset shared with a fork child through one open file description, and
 * O_APPEND writers in two processes never overwriting or interleaving
 * records. Errors: EBADF (closed, negative, wrong access mode), EFAULT (bad
 * buffer, raw syscalls), EISDIR (read of a directory), EINVAL (negative
 * offset, iovcnt out of range), ESPIPE (pread on a pipe), EOPNOTSUPP
 * (unknown RWF flag).
 */
#include <fcntl.h>
#include <limits.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tap.h"

#ifndef RWF_APPEND
#define RWF_APPEND 0x10	/* Linux 4.16, <linux/fs.h> */
#endif

#define REC 64
#define NREC 300

/* musl 1.2.3 has no preadv2/pwritev2 wrappers. */
static ssize_t my_preadv2(int fd, const struct iovec *iov, int cnt, off_t off, int flags)
{
	return syscall(SYS_preadv2, fd, iov, cnt, (long)off, 0L, flags);
}

static ssize_t my_pwritev2(int fd, const struct iovec *iov, int cnt, off_t off, int flags)
{
	return syscall(SYS_pwritev2, fd, iov, cnt, (long)off, 0L, flags);
}

/* Append NREC records of REC bytes, each filled with @c. */
static int append_records(const char *path, char c)
{
	char rec[REC];
	int fd = open(path, O_WRONLY | O_APPEND);

	memset(rec, c, REC);
	for (int i = 0; i < NREC; i++)
		if (write(fd, rec, REC) != REC)
			return 1;
	close(fd);
	return 0;
}

int main(void)
{
	char buf[256], a[8], b[8], c[8];
	struct iovec iov[3];
	int fd, rfd, wfd, dfd, pfd[2], st, ok, na, nb;
	pid_t pid;

	alarm(60);
	tap_plan(33);

	fd = open("rw", O_RDWR | O_CREAT | O_TRUNC, 0644);
	tap_is_int(write(fd, "0123456789", 10), 10, "write returns the byte count");
	tap_is_int(write(fd, "", 0), 0, "a zero-length write returns 0");
	lseek(fd, 0, SEEK_SET);
	memset(buf, 0, sizeof(buf));
	tap_ok(read(fd, buf, 4) == 4 && memcmp(buf, "0123", 4) == 0, "read returns the written bytes");
	tap_is_int(read(fd, buf, 100), 6, "a read across EOF returns only the remaining bytes");
	tap_is_int(read(fd, buf, 100), 0, "a read at EOF returns 0");

	/* Positional I/O does not move the offset. */
	lseek(fd, 2, SEEK_SET);
	tap_ok(pread(fd, buf, 3, 5) == 3 && memcmp(buf, "567", 3) == 0, "pread reads at the given offset");
	tap_ok(pwrite(fd, "AB", 2, 8) == 2, "pwrite writes at the given offset");
	tap_is_int(lseek(fd, 0, SEEK_CUR), 2, "pread and pwrite leave the file offset unchanged");
	tap_ok(pread(fd, buf, 10, 0) == 10 && memcmp(buf, "01234567AB", 10) == 0,
	       "the pwrite is visible to pread");

	/* Vectored I/O. */
	lseek(fd, 0, SEEK_SET);
	iov[0] = (struct iovec){ a, 3 };
	iov[1] = (struct iovec){ b, 0 };
	iov[2] = (struct iovec){ c, 4 };
	tap_ok(readv(fd, iov, 3) == 7 && memcmp(a, "012", 3) == 0 && memcmp(c, "3456", 4) == 0,
	       "readv scatters into the buffers in order, skipping empty ones");
	iov[0] = (struct iovec){ "xy", 2 };
	iov[1] = (struct iovec){ "z", 1 };
	lseek(fd, 0, SEEK_END);
	tap_is_int(writev(fd, iov, 2), 3, "writev returns the total of all buffers");
	tap_ok(pread(fd, buf, 3, 10) == 3 && memcmp(buf, "xyz", 3) == 0, "writev gathers the buffers in order");
	lseek(fd, 1, SEEK_SET);
	iov[0] = (struct iovec){ a, 2 };
	tap_ok(my_preadv2(fd, iov, 1, -1, 0) == 2 && memcmp(a, "12", 2) == 0 &&
	       lseek(fd, 0, SEEK_CUR) == 3, "preadv2 with offset -1 reads at and advances the file offset");
	tap_ok(my_preadv2(fd, iov, 1, 8, 0) == 2 && memcmp(a, "AB", 2) == 0 &&
	       lseek(fd, 0, SEEK_CUR) == 3, "preadv2 at an offset leaves the file offset unchanged");
	iov[0] = (struct iovec){ "!", 1 };
	tap_ok(my_pwritev2(fd, iov, 1, 0, RWF_APPEND) == 1 && pread(fd, buf, 2, 12) == 2 &&
	       memcmp(buf, "z!", 2) == 0, "pwritev2 with RWF_APPEND appends regardless of the offset");
	tap_is_errno(my_preadv2(fd, iov, 1, 0, 0x4000), EOPNOTSUPP,
		     "preadv2 with an unknown flag fails with EOPNOTSUPP");

	/* One open file description shared with a fork child. */
	lseek(fd, 0, SEEK_SET);
	pid = fork();
	if (pid == 0)
		_exit(read(fd, buf, 4) == 4 ? 0 : 1);
	waitpid(pid, &st, 0);
	tap_ok(WIFEXITED(st) && WEXITSTATUS(st) == 0 && lseek(fd, 0, SEEK_CUR) == 4,
	       "a child's read advances the offset shared with the parent");

	/* Errors. */
	tap_is_errno(pread(fd, buf, 1, -1), EINVAL, "pread at a negative offset fails with EINVAL");
	tap_is_errno(pwrite(fd, "x", 1, -1), EINVAL, "pwrite at a negative offset fails with EINVAL");
	tap_is_errno(readv(fd, iov, IOV_MAX + 1), EINVAL, "readv with more than IOV_MAX buffers fails with EINVAL");
	tap_is_errno(writev(fd, iov, -1), EINVAL, "writev with a negative count fails with EINVAL");
	/* Linux checks each length against ssize_t (then clamps the total). */
	iov[0] = (struct iovec){ buf, (size_t)SSIZE_MAX + 1 };
	tap_is_errno(readv(fd, iov, 1), EINVAL, "readv with a length above SSIZE_MAX fails with EINVAL");
	tap_is_errno(syscall(SYS_read, fd, (void *)8, 4), EFAULT, "read into a bad buffer fails with EFAULT");
	tap_is_errno(syscall(SYS_write, fd, (void *)8, 4), EFAULT, "write from a bad buffer fails with EFAULT");
	rfd = open("rw", O_RDONLY);
	wfd = open("rw", O_WRONLY);
	tap_is_errno(write(rfd, "x", 1), EBADF, "write to an O_RDONLY descriptor fails with EBADF");
	tap_is_errno(read(wfd, buf, 1), EBADF, "read from an O_WRONLY descriptor fails with EBADF");
	close(rfd);
	tap_is_errno(read(rfd, buf, 1), EBADF, "read from a closed descriptor fails with EBADF");
	tap_is_errno(write(-1, "x", 1), EBADF, "write to fd -1 fails with EBADF");
	dfd = open(".", O_RDONLY | O_DIRECTORY);
	tap_is_errno(read(dfd, buf, 1), EISDIR, "read of a directory fails with EISDIR");
	pipe(pfd);
	tap_is_errno(pread(pfd[0], buf, 1, 0), ESPIPE, "pread on a pipe fails with ESPIPE");
	tap_is_errno(pwrite(pfd[1], "x", 1, 0), ESPIPE, "pwrite on a pipe fails with ESPIPE");
	close(wfd);
	close(dfd);
	close(fd);

	/* Two processes appending records concurrently. */
	fd = open("app", O_RDWR | O_CREAT | O_TRUNC, 0644);
	pid = fork();
	if (pid == 0)
		_exit(append_records("app", 'c'));
	ok = append_records("app", 'p') == 0;
	ok = waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0 && ok;
	tap_is_int(lseek(fd, 0, SEEK_END), 2 * NREC * REC, "concurrent O_APPEND writers lose no record");
	na = nb = 0;
	lseek(fd, 0, SEEK_SET);
	for (int i = 0; i < 2 * NREC; i++) {
		if (read(fd, buf, REC) != REC)
			break;
		if (memcmp(buf, buf + 1, REC - 1) != 0)
			continue;	/* torn record */
		na += buf[0] == 'p';
		nb += buf[0] == 'c';
	}
	tap_ok(ok && na == NREC && nb == NREC, "every appended record is intact and in one piece");
	close(fd);
	unlink("app");
	unlink("rw");
	return tap_done();
}
