/*
 * open/openat/creat flags and modes (open(2)): O_CREAT with the umask,
 * O_EXCL (also against a dangling symlink, which is never followed),
 * O_TRUNC, O_APPEND (write and pwrite both append on Linux), O_DIRECTORY,
 * O_NOFOLLOW, O_PATH, O_CLOEXEC (checked across a real execve of this
 * program), O_TMPFILE, creat() being write-only, openat relative to a
 * directory fd; and the errors EEXIST, ENOTDIR, ELOOP, EISDIR, ENOENT
 * (missing file, empty path), ENAMETOOLONG (300-byte component), EBADF
 * (bad dirfd), EFAULT (bad path pointer), EINVAL (O_TMPFILE read-only).
 * Everything is created in the current directory.
 */
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tap.h"
#include "testutil.h"

/* Run as "open_flags --probe FD...": exit 0 if exactly the listed fds
 * alternate open/closed as given by their sign (+open, -closed). */
static int probe(int argc, char **argv)
{
	for (int i = 2; i < argc; i++) {
		int fd = atoi(argv[i]);
		int open_now = fcntl(fd < 0 ? -fd : fd, F_GETFD) != -1;

		if (open_now != (fd > 0))
			return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	char longname[301], buf[64], path[PATH_MAX], a[16], b[16];
	struct stat st;
	int fd, fd2, dfd, flags, ok, status;
	pid_t pid;

	if (argc > 1 && strcmp(argv[1], "--probe") == 0)
		return probe(argc, argv);

	tap_plan(38);
	umask(022);

	/* O_CREAT, O_EXCL, umask. */
	fd = open("f", O_WRONLY | O_CREAT | O_EXCL, 0666);
	tap_ok(fd >= 0, "O_CREAT|O_EXCL creates a new file");
	tap_is_int(lstat_mode("f"), S_IFREG | 0644, "the new file's mode is 0666 minus umask 022");
	write(fd, "hello", 5);
	close(fd);
	tap_is_errno(open("f", O_WRONLY | O_CREAT | O_EXCL, 0666), EEXIST,
		     "O_CREAT|O_EXCL on an existing file fails with EEXIST");
	symlink("nowhere", "dangling");
	tap_is_errno(open("dangling", O_WRONLY | O_CREAT | O_EXCL, 0666), EEXIST,
		     "O_CREAT|O_EXCL on a dangling symlink fails with EEXIST");
	tap_is_int(access("nowhere", F_OK), -1, "... and did not create the symlink's target");
	fd = open("dangling", O_WRONLY | O_CREAT, 0600);
	tap_ok(fd >= 0 && lstat_mode("nowhere") == (S_IFREG | 0600),
	       "O_CREAT without O_EXCL through a dangling symlink creates the target");
	close(fd);
	fd = open("f", O_RDWR | O_CREAT, 0600);
	tap_ok(fd >= 0 && strcmp(file_get("f"), "hello") == 0 && lstat_mode("f") == (S_IFREG | 0644),
	       "O_CREAT on an existing file keeps its contents and mode");
	close(fd);

	/* O_TRUNC. */
	fd = open("f", O_WRONLY | O_TRUNC);
	fstat(fd, &st);
	tap_is_int(st.st_size, 0, "O_TRUNC truncates to zero length");
	close(fd);

	/* O_APPEND. */
	file_put_or_bail("f", "abc");
	fd = open("f", O_WRONLY | O_APPEND);
	lseek(fd, 0, SEEK_SET);
	write(fd, "de", 2);
	tap_is_str(file_get("f"), "abcde", "O_APPEND writes at the end after a seek to 0");
	tap_is_int(lseek(fd, 0, SEEK_CUR), 5, "after an O_APPEND write the offset is the new end");
	/* pwrite(2) BUGS: with O_APPEND, Linux appends regardless of offset. */
	pwrite(fd, "f", 1, 0);
	tap_is_str(file_get("f"), "abcdef", "pwrite on an O_APPEND file appends (Linux)");
	close(fd);

	/* creat() is O_CREAT|O_WRONLY|O_TRUNC. */
	fd = creat("f", 0600);
	tap_ok(fd >= 0 && read(fd, buf, 1) == -1 && errno == EBADF,
	       "creat returns a write-only descriptor");
	fstat(fd, &st);
	tap_ok(st.st_size == 0 && (st.st_mode & 0777) == 0644,
	       "creat truncates an existing file and keeps its mode");
	close(fd);
	file_put_or_bail("f", "hello");

	/* O_DIRECTORY and O_NOFOLLOW. */
	mkdir("d", 0755);
	tap_is_errno(open("f", O_RDONLY | O_DIRECTORY), ENOTDIR, "O_DIRECTORY on a file fails with ENOTDIR");
	fd = open("d", O_RDONLY | O_DIRECTORY);
	tap_ok(fd >= 0, "O_DIRECTORY on a directory succeeds");
	close(fd);
	symlink("f", "link");
	tap_is_errno(open("link", O_RDONLY | O_NOFOLLOW), ELOOP, "O_NOFOLLOW on a symlink fails with ELOOP");
	fd = open("link", O_RDONLY);
	tap_ok(fd >= 0 && read(fd, buf, 5) == 5 && memcmp(buf, "hello", 5) == 0,
	       "without O_NOFOLLOW the symlink is followed");
	close(fd);

	/* O_PATH. */
	fd = open("f", O_PATH);
	tap_ok(fd >= 0 && read(fd, buf, 1) == -1 && errno == EBADF,
	       "an O_PATH descriptor cannot be read (EBADF)");
	tap_ok(fstat(fd, &st) == 0 && st.st_size == 5, "fstat works on an O_PATH descriptor");
	flags = fcntl(fd, F_GETFL);
	tap_ok(flags != -1 && (flags & O_PATH), "F_GETFL reports O_PATH");
	close(fd);
	fd = open("link", O_PATH | O_NOFOLLOW);
	tap_ok(fd >= 0 && fstat(fd, &st) == 0 && S_ISLNK(st.st_mode),
	       "O_PATH|O_NOFOLLOW opens the symlink itself");
	close(fd);

	/* openat relative to a directory fd (also an O_PATH one). */
	dfd = open("d", O_PATH | O_DIRECTORY);
	fd = openat(dfd, "inner", O_WRONLY | O_CREAT, 0644);
	tap_ok(fd >= 0 && access("d/inner", F_OK) == 0, "openat creates relative to an O_PATH directory fd");
	close(fd);
	fd = openat(dfd, "inner", O_RDONLY);
	fd2 = open("f", O_RDONLY);
	tap_is_errno(openat(fd2, "x", O_RDONLY), ENOTDIR,
		     "openat relative to a regular file's fd fails with ENOTDIR");
	tap_is_errno(openat(1000, "f", O_RDONLY), EBADF, "openat with a bad dirfd fails with EBADF");
	close(fd);
	if (!getcwd(path, sizeof(path) - 2))
		tap_bail("getcwd failed");
	strcat(path, "/f");
	fd = openat(1000, path, O_RDONLY);
	tap_ok(fd >= 0, "openat ignores dirfd for an absolute path");
	close(fd);
	close(fd2);
	close(dfd);

	/* O_CLOEXEC across execve. */
	/* musl's open() adds F_SETFD after O_CLOEXEC: use the system call. */
	fd = (int)syscall(SYS_openat, AT_FDCWD, "f", O_RDONLY | O_CLOEXEC);
	fd2 = open("f", O_RDONLY);
	tap_ok(fcntl(fd, F_GETFD) == FD_CLOEXEC && fcntl(fd2, F_GETFD) == 0,
	       "O_CLOEXEC sets FD_CLOEXEC and its absence leaves it clear");
	snprintf(a, sizeof(a), "-%d", fd);
	snprintf(b, sizeof(b), "%d", fd2);
	pid = fork();
	if (pid == 0) {
		execl("/proc/self/exe", argv[0], "--probe", a, b, (char *)NULL);
		_exit(127);
	}
	ok = waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0;
	tap_ok(ok, "after execve the O_CLOEXEC fd is closed and the other still open");
	close(fd);
	close(fd2);

	/* O_TMPFILE: an unnamed file in a directory, linkable later. */
	fd = open(".", O_TMPFILE | O_RDWR, 0600);
	tap_ok(fd >= 0 && fstat(fd, &st) == 0 && st.st_nlink == 0 && S_ISREG(st.st_mode),
	       "O_TMPFILE creates an unnamed regular file");
	write(fd, "tmp", 3);
	snprintf(buf, sizeof(buf), "/proc/self/fd/%d", fd);
	tap_ok(linkat(AT_FDCWD, buf, AT_FDCWD, "named", AT_SYMLINK_FOLLOW) == 0 &&
	       strcmp(file_get("named"), "tmp") == 0,
	       "an O_TMPFILE file can be given a name with linkat");
	close(fd);
	tap_is_errno(open(".", O_TMPFILE | O_RDONLY, 0600), EINVAL,
		     "O_TMPFILE without write access fails with EINVAL");

	/* Errors. */
	tap_is_errno(open("d", O_WRONLY), EISDIR, "opening a directory for writing fails with EISDIR");
	tap_is_errno(open("d", O_RDONLY | O_CREAT, 0644), EISDIR,
		     "O_CREAT naming an existing directory fails with EISDIR");
	tap_is_errno(open("missing", O_RDONLY), ENOENT, "a missing file without O_CREAT fails with ENOENT");
	tap_is_errno(open("", O_RDONLY), ENOENT, "an empty path fails with ENOENT");
	tap_is_errno(open("f/x", O_RDONLY), ENOTDIR, "a regular file used as a directory fails with ENOTDIR");
	memset(longname, 'n', 300);
	longname[300] = 0;
	tap_is_errno(open(longname, O_RDONLY | O_CREAT, 0644), ENAMETOOLONG,
		     "a 300-byte path component fails with ENAMETOOLONG");
	symlink("loop2", "loop1");
	symlink("loop1", "loop2");
	tap_ok(open("loop1", O_RDONLY) == -1 && errno == ELOOP, "a symlink loop fails with ELOOP");
	tap_is_errno(syscall(SYS_openat, AT_FDCWD, (char *)8, O_RDONLY), EFAULT,
		     "a bad path pointer fails with EFAULT");

	unlink("f");
	unlink("dangling");
	unlink("nowhere");
	unlink("link");
	unlink("named");
	unlink("loop1");
	unlink("loop2");
	unlink("d/inner");
	rmdir("d");
	return tap_done();
}
