/*
 * fstat/stat/lstat/newfstatat/statx fields and timestamps: size, mode,
 * nlink, owner, sane st_blocks (none for a file that is all hole), the
 * same inode through every call, symlinks with and without following,
 * AT_EMPTY_PATH, directory link counts; statx agreeing with fstat;
 * write() updating mtime/ctime; utimensat/futimens with explicit times,
 * UTIME_NOW, UTIME_OMIT, NULL, AT_SYMLINK_NOFOLLOW; relatime atime update.
 * Errors: ENOENT (missing, empty path), ENOTDIR, EBADF, EFAULT, EINVAL
 * (statx reserved mask bit or sync flags, tv_nsec out of range).
 *
 * musl 1.2.3 has no statx(): the struct and constants are Linux's
 * (<linux/stat.h>), called through syscall().
 */
#include <fcntl.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "tap.h"
#include "testutil.h"

struct k_statx_timestamp {
	int64_t tv_sec;
	uint32_t tv_nsec;
	int32_t reserved;
};

struct k_statx {	/* struct statx, <linux/stat.h> */
	uint32_t stx_mask, stx_blksize;
	uint64_t stx_attributes;
	uint32_t stx_nlink, stx_uid, stx_gid;
	uint16_t stx_mode, spare0;
	uint64_t stx_ino, stx_size, stx_blocks, stx_attributes_mask;
	struct k_statx_timestamp stx_atime, stx_btime, stx_ctime, stx_mtime;
	uint32_t stx_rdev_major, stx_rdev_minor, stx_dev_major, stx_dev_minor;
	uint64_t spare[14];
};

#define K_STATX_BASIC_STATS 0x7ffU
#define K_STATX__RESERVED 0x80000000U

static long k_statx(int dfd, const char *path, int flags, unsigned mask, struct k_statx *sx)
{
	return syscall(SYS_statx, dfd, path, flags, mask, sx);
}

static int64_t ts_ns(struct timespec t)
{
	return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

int main(void)
{
	struct timespec times[2];
	struct k_statx sx;
	struct stat st, st2;
	char buf[10000];
	int64_t before, after;
	int fd, dfd, ok;

	tap_plan(36);
	umask(0);

	fd = open("st", O_RDWR | O_CREAT | O_TRUNC, 0640);
	memset(buf, 'x', sizeof(buf));
	write(fd, buf, sizeof(buf));
	tap_is_int(fstat(fd, &st), 0, "fstat succeeds");
	tap_is_int(st.st_size, 10000, "st_size is the number of bytes written");
	tap_is_int(st.st_mode, S_IFREG | 0640, "st_mode is a regular file with the creation mode");
	tap_is_int(st.st_nlink, 1, "a new file has one link");
	tap_ok(st.st_uid == geteuid() && st.st_gid == getegid(), "the file belongs to the creator");
	tap_ok(st.st_blocks * 512 >= 10000 && st.st_blocks * 512 <= 10000 + 65536,
	       "st_blocks covers the data without gross overcount");
	tap_ok(st.st_blksize > 0, "st_blksize is positive");
	tap_ok(stat("st", &st2) == 0 && st2.st_ino == st.st_ino && st2.st_dev == st.st_dev,
	       "stat by path finds the same inode as fstat");

	dfd = open("sparse", O_RDWR | O_CREAT | O_TRUNC, 0644);
	ftruncate(dfd, 1 << 20);
	tap_ok(fstat(dfd, &st2) == 0 && st2.st_size == 1 << 20 && st2.st_blocks == 0,
	       "a file that is all hole has no blocks");
	close(dfd);

	/* Symlinks. */
	symlink("st", "sl");
	tap_ok(lstat("sl", &st2) == 0 && S_ISLNK(st2.st_mode) && st2.st_size == 2,
	       "lstat describes the symlink itself; its size is the target's length");
	tap_ok(stat("sl", &st2) == 0 && st2.st_ino == st.st_ino, "stat follows the symlink");
	tap_ok(fstatat(AT_FDCWD, "sl", &st2, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st2.st_mode),
	       "fstatat with AT_SYMLINK_NOFOLLOW does not follow");
	tap_ok(fstatat(fd, "", &st2, AT_EMPTY_PATH) == 0 && st2.st_ino == st.st_ino,
	       "fstatat with AT_EMPTY_PATH describes the descriptor");
	mkdir("dir", 0755);
	dfd = open("dir", O_RDONLY | O_DIRECTORY);
	close(openat(dfd, "inner", O_WRONLY | O_CREAT, 0600));
	tap_ok(fstatat(dfd, "inner", &st2, 0) == 0 && st2.st_mode == (S_IFREG | 0600),
	       "fstatat resolves relative to a directory fd");
	fstat(dfd, &st2);
	tap_is_int(st2.st_nlink, 2, "a new directory has two links");
	mkdir("dir/sub", 0755);
	fstat(dfd, &st2);
	tap_is_int(st2.st_nlink, 3, "a subdirectory adds a link to its parent");

	/* statx. */
	memset(&sx, 0xff, sizeof(sx));
	ok = k_statx(AT_FDCWD, "st", 0, K_STATX_BASIC_STATS, &sx) == 0;
	tap_ok(ok && (sx.stx_mask & K_STATX_BASIC_STATS) == K_STATX_BASIC_STATS,
	       "statx returns all basic fields");
	tap_ok(sx.stx_size == 10000 && sx.stx_ino == st.st_ino && sx.stx_mode == st.st_mode &&
	       sx.stx_nlink == 1 && sx.stx_uid == st.st_uid && sx.stx_blocks == (uint64_t)st.st_blocks,
	       "statx agrees with fstat on size, inode, mode, links, owner and blocks");
	tap_ok(sx.stx_mtime.tv_sec == st.st_mtim.tv_sec && sx.stx_mtime.tv_nsec == st.st_mtim.tv_nsec,
	       "statx and fstat report the same mtime");
	tap_ok(k_statx(fd, "", AT_EMPTY_PATH, K_STATX_BASIC_STATS, &sx) == 0 && sx.stx_ino == st.st_ino,
	       "statx with AT_EMPTY_PATH describes the descriptor");
	tap_is_errno(k_statx(AT_FDCWD, "st", 0, K_STATX__RESERVED, &sx), EINVAL,
		     "statx with the reserved mask bit fails with EINVAL");
	tap_is_errno(k_statx(AT_FDCWD, "st", AT_STATX_SYNC_TYPE, K_STATX_BASIC_STATS, &sx), EINVAL,
		     "statx with both sync flags fails with EINVAL");

	/* Timestamps. */
	times[0] = (struct timespec){ 2000, 123456789 };
	times[1] = (struct timespec){ 3000, 987654321 };
	tap_ok(utimensat(AT_FDCWD, "st", times, 0) == 0 && stat("st", &st) == 0 &&
	       ts_ns(st.st_atim) == ts_ns(times[0]) && ts_ns(st.st_mtim) == ts_ns(times[1]),
	       "utimensat stores explicit times to the nanosecond");
	before = clock_ns(CLOCK_REALTIME_COARSE);
	write(fd, "y", 1);
	after = clock_ns(CLOCK_REALTIME);
	fstat(fd, &st);
	tap_ok(ts_ns(st.st_mtim) >= before && ts_ns(st.st_mtim) <= after &&
	       ts_ns(st.st_ctim) >= before && ts_ns(st.st_ctim) <= after,
	       "write sets mtime and ctime to the current time");
	times[0] = (struct timespec){ 0, UTIME_OMIT };
	times[1] = (struct timespec){ 5000, 0 };
	futimens(fd, times);
	fstat(fd, &st2);
	tap_ok(ts_ns(st2.st_atim) == 2000123456789LL && st2.st_mtim.tv_sec == 5000,
	       "UTIME_OMIT leaves atime alone while futimens sets mtime");
	times[0] = (struct timespec){ 0, UTIME_NOW };
	times[1] = (struct timespec){ 0, UTIME_OMIT };
	before = clock_ns(CLOCK_REALTIME_COARSE);
	utimensat(AT_FDCWD, "st", times, 0);
	after = clock_ns(CLOCK_REALTIME);
	stat("st", &st2);
	tap_ok(ts_ns(st2.st_atim) >= before && ts_ns(st2.st_atim) <= after && st2.st_mtim.tv_sec == 5000,
	       "UTIME_NOW sets atime to the current time");
	tap_ok(ts_ns(st2.st_ctim) >= before && ts_ns(st2.st_ctim) <= after,
	       "changing timestamps updates ctime");
	before = clock_ns(CLOCK_REALTIME_COARSE);
	utimensat(AT_FDCWD, "st", NULL, 0);
	after = clock_ns(CLOCK_REALTIME);
	stat("st", &st2);
	tap_ok(ts_ns(st2.st_mtim) >= before && ts_ns(st2.st_mtim) <= after,
	       "utimensat with NULL times sets both to the current time");
	times[0] = times[1] = (struct timespec){ 7000, 0 };
	stat("st", &st);
	tap_ok(utimensat(AT_FDCWD, "sl", times, AT_SYMLINK_NOFOLLOW) == 0 &&
	       lstat("sl", &st2) == 0 && st2.st_mtim.tv_sec == 7000 &&
	       stat("st", &st2) == 0 && st2.st_mtim.tv_sec == st.st_mtim.tv_sec,
	       "AT_SYMLINK_NOFOLLOW changes the symlink's times, not the target's");
	/* relatime (the tmpfs default): an atime older than mtime is refreshed by a read. */
	times[0] = (struct timespec){ 1000, 0 };
	times[1] = (struct timespec){ 2000, 0 };
	futimens(fd, times);
	pread(fd, buf, 1, 0);
	fstat(fd, &st2);
	tap_ok(st2.st_atim.tv_sec > 2000, "a read refreshes an atime older than mtime (relatime)");
	times[0] = (struct timespec){ 0, 1000000000 };
	tap_is_errno(utimensat(AT_FDCWD, "st", times, 0), EINVAL,
		     "utimensat with tv_nsec out of range fails with EINVAL");

	/* Errors. */
	tap_is_errno(stat("missing", &st), ENOENT, "stat of a missing file fails with ENOENT");
	tap_is_errno(stat("", &st), ENOENT, "stat of an empty path fails with ENOENT");
	tap_is_errno(stat("st/x", &st), ENOTDIR, "a file used as a directory fails with ENOTDIR");
	close(dfd);
	tap_is_errno(fstat(dfd, &st), EBADF, "fstat of a closed descriptor fails with EBADF");
	tap_is_errno(syscall(SYS_newfstatat, AT_FDCWD, "st", (void *)8, 0), EFAULT,
		     "a bad stat buffer fails with EFAULT");

	close(fd);
	unlink("st");
	unlink("sl");
	unlink("sparse");
	unlink("dir/inner");
	rmdir("dir/sub");
	rmdir("dir");
	return tap_done();
}
