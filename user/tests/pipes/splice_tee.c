/*
 * splice/tee/vmsplice with pipes (man 2 splice, man 2 tee): tee copies
 * without consuming, splice moves between pipes and between a file and a
 * pipe (with and without an offset, which is updated while the file
 * position is not), and the error paths: ESPIPE for an offset on a pipe,
 * EAGAIN with SPLICE_F_NONBLOCK, 0 at EOF, EINVAL for the same pipe, for
 * non-pipes and for unknown flags, EBADF for a wrong-mode fd, EPIPE
 * without readers.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <sys/uio.h>
#include <unistd.h>

#include "tap.h"

static int pending(int fd)
{
	int n = -1;

	ioctl(fd, FIONREAD, &n);
	return n;
}

/* Read what is buffered in a non-blocking pipe as a string. */
static const char *contents(int fd)
{
	static char buf[256];
	ssize_t n = read(fd, buf, sizeof(buf) - 1);

	buf[n < 0 ? 0 : n] = '\0';
	return buf;
}

int main(void)
{
	int a[2], b[2], c[2], f, g;
	char name[64], buf[64];
	struct iovec iov[2];
	loff_t off;

	alarm(20);
	tap_plan(27);
	signal(SIGPIPE, SIG_IGN);
	if (pipe2(a, O_NONBLOCK) < 0 || pipe2(b, O_NONBLOCK) < 0)
		tap_bail("pipe2: %s", strerror(errno));

	/* tee duplicates, splice moves. */
	write(a[1], "hello world", 11);
	tap_is_int(tee(a[0], b[1], 5, 0), 5,
		   "tee copies the requested number of bytes");
	tap_is_int(pending(a[0]), 11, "tee leaves the source pipe untouched");
	tap_is_str(contents(b[0]), "hello",
		   "the target pipe receives the copied bytes");
	tap_is_int(tee(a[0], b[1], 100, 0), 11,
		   "tee of more than is buffered copies what there is");
	contents(b[0]);
	tap_is_int(splice(a[0], NULL, b[1], NULL, 6, 0), 6,
		   "splice between pipes moves the requested bytes");
	tap_is_int(pending(a[0]), 5, "splice consumes from the source pipe");
	tap_is_str(contents(b[0]), "hello ",
		   "the target pipe receives the moved bytes in order");
	tap_is_int(splice(a[0], NULL, b[1], NULL, 100, 0), 5,
		   "splice moves at most what is buffered");
	tap_is_str(contents(b[0]), "world", "the rest of the data follows");
	tap_is_int(splice(a[0], NULL, b[1], NULL, 0, 0), 0,
		   "splice of 0 bytes returns 0");

	/* Empty pipes. */
	tap_is_errno(
		splice(a[0], NULL, b[1], NULL, 10, SPLICE_F_NONBLOCK), EAGAIN,
		"splice from an empty pipe with SPLICE_F_NONBLOCK fails with EAGAIN");
	tap_is_errno(
		tee(a[0], b[1], 10, SPLICE_F_NONBLOCK), EAGAIN,
		"tee from an empty pipe with SPLICE_F_NONBLOCK fails with EAGAIN");
	pipe(c);
	close(c[1]);
	tap_is_int(splice(c[0], NULL, b[1], NULL, 10, 0), 0,
		   "splice from an empty pipe without writers returns 0");
	close(c[0]);

	/* Files and offsets. */
	snprintf(name, sizeof(name), "splice.%d", (int)getpid());
	f = open(name, O_RDWR | O_CREAT | O_EXCL, 0600);
	unlink(name);
	write(f, "0123456789", 10);
	lseek(f, 0, SEEK_SET);
	off = 2;
	tap_is_int(splice(f, &off, b[1], NULL, 5, 0), 5,
		   "splice from a file at an offset into a pipe");
	tap_is_str(contents(b[0]), "23456",
		   "the pipe receives the file bytes from that offset");
	tap_ok(off == 7 && lseek(f, 0, SEEK_CUR) == 0,
	       "the offset advances but the file position does not");
	splice(f, NULL, b[1], NULL, 3, 0);
	tap_ok(!strcmp(contents(b[0]), "012") && lseek(f, 0, SEEK_CUR) == 3,
	       "splice from a file without an offset uses and advances the file position");
	write(a[1], "XY", 2);
	off = 8;
	splice(a[0], NULL, f, &off, 2, 0);
	memset(buf, 0, sizeof(buf));
	pread(f, buf, sizeof(buf) - 1, 0);
	tap_is_str(buf, "01234567XY",
		   "splice from a pipe into a file writes at the given offset");

	/* Errors. */
	off = 0;
	write(a[1], "z", 1);
	tap_is_errno(splice(a[0], &off, b[1], NULL, 1, 0), ESPIPE,
		     "an input offset on a pipe fails with ESPIPE");
	tap_is_errno(splice(a[0], NULL, a[1], NULL, 1, 0), EINVAL,
		     "splice from a pipe into itself fails with EINVAL");
	tap_is_errno(tee(a[0], a[1], 1, 0), EINVAL,
		     "tee from a pipe into itself fails with EINVAL");
	tap_is_errno(tee(f, b[1], 1, 0), EINVAL,
		     "tee from a regular file fails with EINVAL");
	g = dup(f);
	tap_is_errno(splice(f, NULL, g, NULL, 1, 0), EINVAL,
		     "splice between two non-pipes fails with EINVAL");
	close(g);
	tap_is_errno(splice(a[0], NULL, b[1], NULL, 1, 0x100), EINVAL,
		     "splice with an unknown flag fails with EINVAL");
	tap_is_errno(splice(a[0], NULL, b[0], NULL, 1, 0), EBADF,
		     "splice into a read-only end fails with EBADF");
	pipe(c);
	close(c[0]);
	tap_is_errno(splice(a[0], NULL, c[1], NULL, 1, 0), EPIPE,
		     "splice into a pipe without readers fails with EPIPE");
	close(c[1]);
	contents(a[0]);

	/* vmsplice maps user memory into a pipe. */
	iov[0] = (struct iovec){.iov_base = "vm ", .iov_len = 3};
	iov[1] = (struct iovec){.iov_base = "splice", .iov_len = 6};
	tap_ok(vmsplice(a[1], iov, 2, 0) == 9 &&
		       !strcmp(contents(a[0]), "vm splice"),
	       "vmsplice writes the iovecs into the pipe");

	close(f);
	return tap_done();
}
