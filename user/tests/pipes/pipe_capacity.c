/*
 * Pipe capacity: the default F_GETPIPE_SZ (16 pages), filling a
 * non-blocking pipe to exactly that many bytes then EAGAIN, partial writes
 * of more than PIPE_BUF, F_SETPIPE_SZ rounding (at least one page, powers
 * of two), EBUSY when shrinking below the buffered data, EINVAL above 2 GiB,
 * /proc/sys/fs/pipe-max-size (EPERM for an unprivileged user, allowed for
 * root), data kept across a resize, and EINVAL for non-pipes (man 2 fcntl,
 * man 7 pipe).
 */
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tap.h"
#include "testutil.h"

static char page[4096], big[8192];

/* Write PAGE-sized chunks until EAGAIN; return the bytes stored. */
static long fill(int fd)
{
	long total = 0;
	ssize_t n;

	while ((n = write(fd, page, sizeof(page))) > 0)
		total += n;
	return n < 0 && errno == EAGAIN ? total : -1;
}

static void drain(int fd)
{
	char buf[4096];

	while (read(fd, buf, sizeof(buf)) > 0)
		;
}

/* capability.h: CAP_SYS_RESOURCE is bit 24. */
#define CAP_SYS_RESOURCE_BIT 24

/*
 * Whether the effective capability set has @bit, from /proc/self/status;
 * without /proc assume a full root.
 */
static int has_cap(int bit)
{
	char buf[32];

	if (proc_status("CapEff", buf, sizeof(buf)) < 0)
		return 1;
	return (strtoull(buf, NULL, 16) >> bit) & 1;
}

static long read_max_size(void)
{
	char buf[32];
	long v = -1;
	int fd = open("/proc/sys/fs/pipe-max-size", O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n > 0) {
		buf[n] = '\0';
		v = atol(buf);
	}
	return v;
}

int main(void)
{
	long pagesz = sysconf(_SC_PAGESIZE), max, n;
	int p[2], avail, status, fd;
	char name[64], buf[128];
	pid_t pid;

	alarm(20);
	tap_plan(21);
	memset(page, 'p', sizeof(page));
	if (pipe2(p, O_NONBLOCK) < 0)
		tap_bail("pipe2: %s", strerror(errno));

	tap_is_int(fcntl(p[0], F_GETPIPE_SZ), 16 * pagesz,
		   "the default capacity is 16 pages");
	tap_is_int(fcntl(p[1], F_GETPIPE_SZ), 16 * pagesz,
		   "both ends report the same capacity");
	tap_is_int(fill(p[1]), 16 * pagesz,
		   "a non-blocking pipe takes exactly its capacity");
	avail = -1;
	ioctl(p[0], FIONREAD, &avail);
	tap_is_int(avail, 16 * pagesz,
		   "FIONREAD on a full pipe equals the capacity");
	tap_is_errno(
		write(p[1], "x", 1), EAGAIN,
		"a 1-byte write to a full non-blocking pipe fails with EAGAIN");
	read(p[0], page, sizeof(page));
	/* More than PIPE_BUF is not atomic: a partial write is allowed. */
	tap_is_int(write(p[1], big, sizeof(big)), sizeof(page),
		   "a large write into one free page writes only that page");
	drain(p[0]);

	/* F_SETPIPE_SZ rounding. */
	tap_is_int(fcntl(p[0], F_SETPIPE_SZ, 4096), 4096,
		   "F_SETPIPE_SZ(4096) returns 4096");
	tap_is_int(fcntl(p[1], F_GETPIPE_SZ), 4096,
		   "the new capacity is seen through the write end");
	tap_is_int(fill(p[1]), 4096,
		   "the resized pipe holds exactly 4096 bytes");
	drain(p[0]);
	tap_is_int(fcntl(p[0], F_SETPIPE_SZ, 1), pagesz,
		   "F_SETPIPE_SZ(1) rounds up to one page");
	tap_is_int(fcntl(p[0], F_SETPIPE_SZ, 5000), 2 * pagesz,
		   "F_SETPIPE_SZ(5000) rounds up to two pages");
	tap_is_int(fcntl(p[0], F_SETPIPE_SZ, 3 * pagesz), 4 * pagesz,
		   "sizes round up to a power-of-two number of pages");

	/* Shrinking below the buffered data is refused. */
	write(p[1], page, sizeof(page));
	write(p[1], page, sizeof(page));
	tap_is_errno(fcntl(p[0], F_SETPIPE_SZ, 4096), EBUSY,
		     "shrinking below the buffered data fails with EBUSY");
	drain(p[0]);
	write(p[1], "keep me", 7);
	max = read_max_size();
	if (max < 0)
		max = 1048576; /* Linux's default */
	tap_is_int(fcntl(p[0], F_SETPIPE_SZ, max), max,
		   "root can grow a pipe to pipe-max-size");
	memset(buf, 0, sizeof(buf));
	read(p[0], buf, sizeof(buf));
	tap_is_str(buf, "keep me", "buffered data survives a resize");
	if (has_cap(CAP_SYS_RESOURCE_BIT))
		tap_is_int(fcntl(p[0], F_SETPIPE_SZ, 2 * max), 2 * max,
			   "root (CAP_SYS_RESOURCE) may exceed pipe-max-size");
	else
		tap_skip(1, "no CAP_SYS_RESOURCE in this (container) root");
	tap_is_errno(fcntl(p[0], F_SETPIPE_SZ, 0x80000001u), EINVAL,
		     "a size above 2 GiB fails with EINVAL");
	fcntl(p[0], F_SETPIPE_SZ, 4096);

	/* An unprivileged user is held to pipe-max-size. */
	pid = fork();
	if (pid == 0) {
		if (drop_to_user(NOBODY, NOBODY) < 0)
			_exit(99);
		n = fcntl(p[0], F_SETPIPE_SZ, 2 * max);
		if (n != -1 || errno != EPERM)
			_exit(1);
		n = fcntl(p[0], F_SETPIPE_SZ, 8192);
		_exit(n == 8192 ? 0 : 2);
	}
	waitpid(pid, &status, 0);
	tap_ok(WIFEXITED(status) && WEXITSTATUS(status) != 1,
	       "an unprivileged F_SETPIPE_SZ above pipe-max-size fails with EPERM");
	tap_ok(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	       "an unprivileged F_SETPIPE_SZ below the limit succeeds");

	/* Not a pipe. */
	snprintf(name, sizeof(name), "pipe_capacity.%d", (int)getpid());
	fd = open(name, O_RDWR | O_CREAT | O_EXCL, 0600);
	unlink(name);
	/* fs/pipe.c: pipe_fcntl() answers -EBADF when the file is no pipe. */
	tap_is_errno(fcntl(fd, F_GETPIPE_SZ), EBADF,
		     "F_GETPIPE_SZ on a regular file fails with EBADF");
	tap_is_errno(fcntl(fd, F_SETPIPE_SZ, 4096), EBADF,
		     "F_SETPIPE_SZ on a regular file fails with EBADF");
	close(fd);

	close(p[0]);
	close(p[1]);
	return tap_done();
}
