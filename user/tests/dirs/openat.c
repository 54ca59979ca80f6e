/*
 * Path lookup through open/openat: relative to a directory fd (also an
 * O_PATH one, and after that directory was renamed), AT_FDCWD, absolute
 * paths ignoring dirfd, ".." from a dirfd, O_DIRECTORY, opening
 * directories for writing (EISDIR), trailing slashes on regular files
 * (ENOTDIR) and on names to create (EISDIR), O_CREAT|O_EXCL, and the
 * ENOTDIR/EBADF/ENOENT error paths.
 */
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tap.h"
#include "testutil.h"

int main(void)
{
	char abs[PATH_MAX];
	struct stat st, st2;
	int dfd, pfd, ffd, fd;

	alarm(20);
	tap_plan(27);
	umask(022);
	scratch_enter("openat");
	mkdir("dir", 0755);
	file_put("dir/f", "in dir");
	file_put("top", "at top");

	dfd = open("dir", O_RDONLY | O_DIRECTORY);
	tap_ok(dfd >= 0, "O_DIRECTORY opens a directory");
	tap_is_str(fd_slurp(openat(dfd, "f", O_RDONLY)), "in dir",
		   "openat resolves a name relative to the directory fd");
	tap_is_str(fd_slurp(openat(dfd, "../top", O_RDONLY)), "at top",
		   "openat resolves \"..\" from the directory fd");
	tap_is_str(fd_slurp(openat(AT_FDCWD, "dir/f", O_RDONLY)), "in dir",
		   "openat with AT_FDCWD resolves from the cwd");
	if (!getcwd(abs, sizeof(abs) - 8))
		tap_bail("getcwd: %s", strerror(errno));
	strcat(abs, "/top");
	tap_is_str(fd_slurp(openat(-1, abs, O_RDONLY)), "at top",
		   "openat with an absolute path ignores even a bad dirfd");

	fd = openat(dfd, ".", O_RDONLY);
	fstat(fd, &st);
	fstat(dfd, &st2);
	tap_ok(st.st_ino == st2.st_ino,
	       "openat(dirfd, \".\") is the directory itself");
	close(fd);

	pfd = open("dir", O_PATH);
	tap_is_str(fd_slurp(openat(pfd, "f", O_RDONLY)), "in dir",
		   "openat works relative to an O_PATH directory fd");
	close(pfd);

	/* A directory fd keeps naming the directory across a rename. */
	rename("dir", "moved");
	tap_is_str(fd_slurp(openat(dfd, "f", O_RDONLY)), "in dir",
		   "a directory fd still works after the directory is renamed");
	rename("moved", "dir");

	ffd = open("top", O_RDONLY);
	tap_is_errno(openat(ffd, "f", O_RDONLY), ENOTDIR,
		     "openat relative to a regular file fd fails with ENOTDIR");
	tap_is_str(fd_slurp(openat(ffd, abs, O_RDONLY)), "at top",
		   "an absolute path with a file dirfd still opens");
	tap_is_errno(openat(-1, "top", O_RDONLY), EBADF,
		     "openat relative to a bad fd fails with EBADF");
	tap_is_errno(openat(9999, "top", O_RDONLY), EBADF,
		     "openat relative to an unopened fd fails with EBADF");

	/* O_DIRECTORY and directories opened for writing. */
	tap_is_errno(open("top", O_RDONLY | O_DIRECTORY), ENOTDIR,
		     "O_DIRECTORY on a regular file fails with ENOTDIR");
	tap_is_errno(open("dir", O_WRONLY), EISDIR,
		     "opening a directory O_WRONLY fails with EISDIR");
	tap_is_errno(open("dir", O_RDWR), EISDIR,
		     "opening a directory O_RDWR fails with EISDIR");
	tap_is_errno(open("dir", O_WRONLY | O_CREAT, 0644), EISDIR,
		     "O_CREAT on an existing directory fails with EISDIR");
	fd = open("dir/.", O_RDONLY);
	tap_ok(fd >= 0,
	       "a directory can be opened read-only through \"dir/.\"");
	close(fd);

	/* Trailing slashes demand a directory. */
	tap_is_errno(stat("top/", &st), ENOTDIR,
		     "stat(\"file/\") fails with ENOTDIR");
	tap_is_errno(open("top/", O_RDONLY), ENOTDIR,
		     "open(\"file/\") fails with ENOTDIR");
	tap_is_errno(open("newfile/", O_WRONLY | O_CREAT, 0644), EISDIR,
		     "O_CREAT of \"name/\" fails with EISDIR");
	tap_is_errno(stat("newfile", &st), ENOENT,
		     "the failed O_CREAT created nothing");
	tap_is_int(stat("dir/", &st), 0,
		   "stat(\"dir/\") succeeds for a directory");

	/* Creation and missing names. */
	tap_is_errno(open("top", O_WRONLY | O_CREAT | O_EXCL, 0644), EEXIST,
		     "O_CREAT|O_EXCL on an existing file fails with EEXIST");
	tap_is_errno(
		open("missing", O_RDONLY), ENOENT,
		"opening a missing name without O_CREAT fails with ENOENT");
	tap_is_errno(open("top/x", O_RDONLY), ENOTDIR,
		     "a regular file as a middle component fails with ENOTDIR");
	tap_is_errno(open("nodir/x", O_WRONLY | O_CREAT, 0644), ENOENT,
		     "O_CREAT in a missing directory fails with ENOENT");
	fd = openat(dfd, "new", O_WRONLY | O_CREAT | O_EXCL, 0600);
	close(fd);
	tap_is_int(
		stat("dir/new", &st) == 0 ? (int)(st.st_mode & 0777) : -1, 0600,
		"openat with O_CREAT creates the file inside the directory fd");

	close(ffd);
	close(dfd);
	scratch_leave(NULL);
	return tap_done();
}
