/*
 * mkdir/mkdirat/rmdir/unlink on directories: modes under the umask, the
 * sticky bit, EEXIST, ENOENT for a missing parent, ENOTDIR for a file
 * component, trailing slashes, rmdir of a non-empty directory, of "." and
 * "..", unlink of a directory, and ENAMETOOLONG for a component > NAME_MAX
 * and a path >= PATH_MAX.
 *
 * Everything happens in a private scratch directory under the cwd.
 */
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tap.h"
#include "testutil.h"

static int make_file(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	if (fd < 0)
		return -1;
	return close(fd);
}

int main(void)
{
	char name[300], *path;
	mode_t m;
	int dfd, n;

	alarm(20);
	tap_plan(29);
	scratch_enter("mkdir_rmdir");

	/* Linux keeps mode & ~umask & 01777: S_ISVTX but no S_ISUID (man 2 mkdir). */
	umask(022);
	tap_is_int(mkdir("m755", 0777), 0, "mkdir succeeds");
	m = lstat_mode("m755");
	tap_ok(S_ISDIR(m), "mkdir creates a directory");
	tap_is_int(m & 07777, 0755, "umask 022 turns 0777 into 0755");
	umask(077);
	mkdir("m700", 0777);
	tap_is_int(lstat_mode("m700") & 07777, 0700,
		   "umask 077 turns 0777 into 0700");
	umask(0);
	mkdir("sticky", 01777);
	tap_is_int(lstat_mode("sticky") & 07777, 01777,
		   "mkdir keeps the sticky bit");
	mkdir("nosuid", 04755);
	tap_is_int(lstat_mode("nosuid") & 07777, 0755,
		   "mkdir drops S_ISUID from the mode");
	umask(022);

	/* Error paths. */
	tap_is_errno(mkdir("m755", 0755), EEXIST,
		     "mkdir of an existing directory fails with EEXIST");
	make_file("file");
	tap_is_errno(mkdir("file", 0755), EEXIST,
		     "mkdir over an existing file fails with EEXIST");
	tap_is_errno(mkdir("nosuch/child", 0755), ENOENT,
		     "mkdir with a missing parent fails with ENOENT");
	tap_is_errno(mkdir("file/child", 0755), ENOTDIR,
		     "mkdir under a regular file fails with ENOTDIR");
	tap_is_errno(mkdir("", 0755), ENOENT,
		     "mkdir of an empty path fails with ENOENT");

	/* Trailing slashes name directories: fine for mkdir and rmdir. */
	tap_is_int(mkdir("slash/", 0755), 0,
		   "mkdir(\"slash/\") with a trailing slash succeeds");
	tap_is_int(rmdir("slash/"), 0,
		   "rmdir(\"slash/\") with a trailing slash succeeds");

	/* mkdirat relative to a directory fd. */
	dfd = open("m755", O_RDONLY | O_DIRECTORY);
	tap_is_int(mkdirat(dfd, "sub", 0700), 0,
		   "mkdirat creates relative to a directory fd");
	tap_ok(S_ISDIR(lstat_mode("m755/sub")),
	       "the mkdirat directory appears under that directory");
	tap_is_errno(mkdirat(-1, "x", 0700), EBADF,
		     "mkdirat with a bad dirfd fails with EBADF");

	/* rmdir. */
	tap_is_errno(rmdir("m755"), ENOTEMPTY,
		     "rmdir of a non-empty directory fails with ENOTEMPTY");
	tap_is_errno(rmdir("."), EINVAL, "rmdir(\".\") fails with EINVAL");
	tap_is_errno(rmdir("m755/sub/."), EINVAL,
		     "rmdir of a path ending in \".\" fails with EINVAL");
	tap_is_errno(rmdir("m755/sub/.."), ENOTEMPTY,
		     "rmdir of a path ending in \"..\" fails with ENOTEMPTY");
	tap_is_errno(rmdir("file"), ENOTDIR,
		     "rmdir of a regular file fails with ENOTDIR");
	tap_is_errno(rmdir("nosuch"), ENOENT,
		     "rmdir of a missing name fails with ENOENT");
	tap_is_errno(unlink("m700"), EISDIR,
		     "unlink of a directory fails with EISDIR");
	tap_is_int(unlinkat(dfd, "sub", AT_REMOVEDIR), 0,
		   "unlinkat with AT_REMOVEDIR removes an empty directory");
	tap_is_errno(lstat("m755/sub", &(struct stat){0}), ENOENT,
		     "the removed directory is gone");
	close(dfd);

	/* NAME_MAX (255) per component; PATH_MAX (4096) counts the NUL. */
	memset(name, 'n', 255);
	name[255] = '\0';
	tap_is_int(mkdir(name, 0755), 0, "a 255-byte component is accepted");
	name[255] = 'n';
	name[256] = '\0';
	tap_is_errno(mkdir(name, 0755), ENAMETOOLONG,
		     "a 256-byte component fails with ENAMETOOLONG");

	/* "./" repeated keeps every component short; only the length varies. */
	path = malloc(PATH_MAX + 2);
	for (n = 0; n < PATH_MAX - 2; n += 2)
		memcpy(path + n, "./", 2);
	path[n] = 'x';
	path[n + 1] = '\0'; /* strlen == PATH_MAX - 1: fits */
	tap_is_int(mkdir(path, 0755), 0,
		   "a path of PATH_MAX - 1 bytes is accepted");
	path[n + 1] = 'y';
	path[n + 2] = '\0'; /* strlen == PATH_MAX: no room for NUL */
	tap_is_errno(mkdir(path, 0755), ENAMETOOLONG,
		     "a path of PATH_MAX bytes fails with ENAMETOOLONG");
	free(path);

	scratch_leave(NULL);
	return tap_done();
}
