/*
 * fallocate on tmpfs (which supports mode 0, FALLOC_FL_KEEP_SIZE and
 * FALLOC_FL_PUNCH_HOLE|FALLOC_FL_KEEP_SIZE only): allocation extends the
 * size and st_blocks with zeros, KEEP_SIZE allocates beyond EOF without
 * changing the size, punching a hole zeroes the range and frees its blocks.
 * Errors in fallocate(2)'s order: EINVAL (offset < 0, len <= 0),
 * EOPNOTSUPP (PUNCH_HOLE without KEEP_SIZE, modes tmpfs lacks), EBADF (not
 * open for writing), ESPIPE (pipe), EFBIG (offset+len wraps).
 * fsync/fdatasync/sync/syncfs/sync_file_range succeed on files and
 * directories and fail with EINVAL on a pipe and EBADF on a closed fd.
 */
#include <fcntl.h>
#include <stdint.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tap.h"
#include "testutil.h"

#ifndef FALLOC_FL_COLLAPSE_RANGE
#define FALLOC_FL_COLLAPSE_RANGE 0x08	/* <linux/falloc.h> */
#endif

#define K64 65536

static struct stat st_of(int fd)
{
	struct stat st;

	if (fstat(fd, &st))
		memset(&st, 0xff, sizeof(st));
	return st;
}

int main(void)
{
	static char buf[K64];
	struct stat st, st2;
	int fd, rfd, dfd, pfd[2];

	tap_plan(25);

	fd = open("fa", O_RDWR | O_CREAT | O_TRUNC, 0644);
	tap_is_int(fallocate(fd, 0, 0, K64), 0, "fallocate of 64 KiB succeeds");
	st = st_of(fd);
	tap_ok(st.st_size == K64 && st.st_blocks * 512 >= K64,
	       "fallocate extends the size and allocates the blocks");
	tap_ok(pread(fd, buf, K64, 0) == K64 && mem_all(buf, K64, 0), "the allocated range reads as zeros");

	tap_is_int(fallocate(fd, FALLOC_FL_KEEP_SIZE, K64, K64), 0, "FALLOC_FL_KEEP_SIZE beyond EOF succeeds");
	st2 = st_of(fd);
	tap_ok(st2.st_size == K64 && st2.st_blocks * 512 >= 2 * K64,
	       "KEEP_SIZE allocates blocks without changing the size");

	memset(buf, 'd', K64);
	pwrite(fd, buf, K64, 0);
	tap_ok(fallocate(fd, 0, 0, 4096) == 0 && pread(fd, buf, 4096, 0) == 4096 && mem_all(buf, 4096, 'd'),
	       "fallocate over existing data leaves it unchanged");
	st = st_of(fd);
	tap_is_int(fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 4096, 8192), 0,
		   "punching a hole succeeds");
	st2 = st_of(fd);
	tap_ok(st2.st_size == st.st_size && st2.st_blocks < st.st_blocks,
	       "punching a hole keeps the size and frees blocks");
	tap_ok(pread(fd, buf, K64, 0) == K64 && mem_all(buf + 4096, 8192, 0) &&
	       mem_all(buf, 4096, 'd') && mem_all(buf + 12288, K64 - 12288, 'd'),
	       "the hole reads as zeros and the data around it is intact");

	/* Errors. */
	tap_is_errno(fallocate(fd, 0, 0, 0), EINVAL, "a zero length fails with EINVAL");
	tap_is_errno(fallocate(fd, 0, -4096, 4096), EINVAL, "a negative offset fails with EINVAL");
	tap_is_errno(fallocate(fd, FALLOC_FL_PUNCH_HOLE, 0, 4096), EOPNOTSUPP,
		     "PUNCH_HOLE without KEEP_SIZE fails with EOPNOTSUPP");
	tap_is_errno(fallocate(fd, FALLOC_FL_COLLAPSE_RANGE, 0, 4096), EOPNOTSUPP,
		     "COLLAPSE_RANGE on tmpfs fails with EOPNOTSUPP");
	rfd = open("fa", O_RDONLY);
	tap_is_errno(fallocate(rfd, 0, 0, 4096), EBADF, "fallocate on an O_RDONLY descriptor fails with EBADF");
	pipe(pfd);
	tap_is_errno(fallocate(pfd[1], 0, 0, 4096), ESPIPE, "fallocate on a pipe fails with ESPIPE");
	tap_is_errno(fallocate(fd, 0, INT64_MAX - 100, 4096), EFBIG,
		     "an offset+len that wraps fails with EFBIG");

	/* Syncing. */
	dfd = open(".", O_RDONLY | O_DIRECTORY);
	tap_ok(fsync(fd) == 0 && fdatasync(fd) == 0, "fsync and fdatasync of a file succeed");
	tap_ok(fsync(rfd) == 0, "fsync of a read-only descriptor succeeds");
	tap_ok(fsync(dfd) == 0, "fsync of a directory succeeds");
	sync();
	tap_is_int(syncfs(fd), 0, "syncfs succeeds");
	tap_is_int(sync_file_range(fd, 0, 0, SYNC_FILE_RANGE_WRITE), 0, "sync_file_range succeeds");
	tap_is_errno(sync_file_range(fd, 0, 0, 0x100), EINVAL, "sync_file_range with an unknown flag fails with EINVAL");
	tap_ok(fsync(pfd[0]) == -1 && errno == EINVAL && fdatasync(pfd[1]) == -1 && errno == EINVAL,
	       "fsync and fdatasync of a pipe fail with EINVAL");
	close(rfd);
	tap_ok(fsync(rfd) == -1 && errno == EBADF && syncfs(rfd) == -1 && errno == EBADF,
	       "fsync and syncfs of a closed descriptor fail with EBADF");
	tap_is_errno(sync_file_range(fd, -1, 0, SYNC_FILE_RANGE_WRITE), EINVAL,
		     "sync_file_range with a negative offset fails with EINVAL");

	close(dfd);
	close(fd);
	unlink("fa");
	return tap_done();
}
