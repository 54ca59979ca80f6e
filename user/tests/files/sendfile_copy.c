/*
 * sendfile and copy_file_range between files (and sendfile into a pipe):
 * byte counts, short copies at EOF, which offsets move (the fd's when the
 * offset pointer is NULL, only *offset otherwise), copies within one file.
 * Errors from sendfile(2) and copy_file_range(2): EBADF for wrong access
 * modes and (copy_file_range) an O_APPEND output, EINVAL for an O_APPEND
 * sendfile output, flags, overlapping ranges and negative offsets, ESPIPE
 * for an offset on a pipe, EISDIR for a directory.
 */
#include <fcntl.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tap.h"

static const char text[] = "The quick brown fox jumps over the lazy dog";	/* 43 bytes */

static off_t pos(int fd)
{
	return lseek(fd, 0, SEEK_CUR);
}

static int file_is(const char *path, const char *want, size_t n)
{
	char buf[128];
	int fd = open(path, O_RDONLY);
	ssize_t got = read(fd, buf, sizeof(buf));

	close(fd);
	return got == (ssize_t)n && memcmp(buf, want, n) == 0;
}

int main(void)
{
	char buf[128];
	int in, out, rin, wout, aout, dfd, pfd[2];
	off_t off, off2;

	tap_plan(27);

	in = open("src", O_RDWR | O_CREAT | O_TRUNC, 0644);
	write(in, text, 43);
	lseek(in, 0, SEEK_SET);
	out = open("dst", O_RDWR | O_CREAT | O_TRUNC, 0644);

	/* sendfile. */
	tap_is_int(sendfile(out, in, NULL, 10), 10, "sendfile copies the requested count");
	tap_ok(pos(in) == 10 && pos(out) == 10, "with a NULL offset both file offsets advance");
	off = 10;
	tap_is_int(sendfile(out, in, &off, 5), 5, "sendfile from an explicit offset copies");
	tap_ok(off == 15 && pos(in) == 10, "the offset variable advances, the input fd's does not");
	tap_ok(file_is("dst", "The quick brown", 15), "the output holds the copied bytes in order");
	off = 40;
	tap_is_int(sendfile(out, in, &off, 100), 3, "a sendfile across EOF copies only what is left");
	tap_is_int(sendfile(out, in, &off, 100), 0, "a sendfile at EOF returns 0");
	pipe(pfd);
	off = 4;
	tap_ok(sendfile(pfd[1], in, &off, 5) == 5 && read(pfd[0], buf, 5) == 5 && memcmp(buf, "quick", 5) == 0,
	       "sendfile into a pipe delivers the bytes");

	rin = open("src", O_WRONLY);
	wout = open("dst", O_RDONLY);
	aout = open("dst", O_WRONLY | O_APPEND);
	tap_is_errno(sendfile(out, rin, NULL, 1), EBADF, "sendfile from a write-only fd fails with EBADF");
	tap_is_errno(sendfile(wout, in, NULL, 1), EBADF, "sendfile to a read-only fd fails with EBADF");
	tap_is_errno(sendfile(aout, in, NULL, 1), EINVAL, "sendfile to an O_APPEND fd fails with EINVAL");
	off = -1;
	tap_is_errno(sendfile(out, in, &off, 1), EINVAL, "sendfile from a negative offset fails with EINVAL");
	off = 0;
	tap_is_errno(sendfile(out, pfd[0], &off, 1), ESPIPE, "sendfile with an offset on a pipe fails with ESPIPE");

	/* copy_file_range. */
	ftruncate(out, 0);
	lseek(out, 0, SEEK_SET);
	lseek(in, 4, SEEK_SET);
	tap_is_int(copy_file_range(in, NULL, out, NULL, 5, 0), 5, "copy_file_range copies the requested count");
	tap_ok(pos(in) == 9 && pos(out) == 5 && file_is("dst", "quick", 5),
	       "with NULL offsets the data lands and both fd offsets advance");
	off = 10;
	off2 = 5;
	tap_is_int(copy_file_range(in, &off, out, &off2, 6, 0), 6, "copy_file_range with explicit offsets copies");
	tap_ok(off == 16 && off2 == 11 && pos(in) == 9 && pos(out) == 5 && file_is("dst", "quickbrown ", 11),
	       "explicit offsets advance while the fd offsets stay");
	off = 43;
	tap_is_int(copy_file_range(in, &off, out, NULL, 10, 0), 0, "copy_file_range at EOF returns 0");
	off = 0;
	off2 = 100;
	tap_ok(copy_file_range(in, &off, in, &off2, 3, 0) == 3 && pread(in, buf, 3, 100) == 3 &&
	       memcmp(buf, "The", 3) == 0, "copy_file_range within one file copies non-overlapping ranges");
	off = 0;
	off2 = 2;
	tap_is_errno(copy_file_range(in, &off, in, &off2, 10, 0), EINVAL,
		     "overlapping ranges in one file fail with EINVAL");
	tap_is_errno(copy_file_range(in, NULL, out, NULL, 1, 1), EINVAL, "non-zero flags fail with EINVAL");
	off = -5;
	tap_is_errno(copy_file_range(in, &off, out, NULL, 1, 0), EINVAL, "a negative offset fails with EINVAL");
	tap_is_errno(copy_file_range(rin, NULL, out, NULL, 1, 0), EBADF,
		     "copy_file_range from a write-only fd fails with EBADF");
	tap_is_errno(copy_file_range(in, NULL, wout, NULL, 1, 0), EBADF,
		     "copy_file_range to a read-only fd fails with EBADF");
	tap_is_errno(copy_file_range(in, NULL, aout, NULL, 1, 0), EBADF,
		     "copy_file_range to an O_APPEND fd fails with EBADF");
	dfd = open(".", O_RDONLY | O_DIRECTORY);
	tap_is_errno(copy_file_range(dfd, NULL, out, NULL, 1, 0), EISDIR,
		     "copy_file_range from a directory fails with EISDIR");
	close(rin);
	tap_is_errno(copy_file_range(rin, NULL, out, NULL, 1, 0), EBADF,
		     "copy_file_range from a closed fd fails with EBADF");

	close(dfd);
	close(aout);
	close(wout);
	close(in);
	close(out);
	unlink("src");
	unlink("dst");
	return tap_done();
}
