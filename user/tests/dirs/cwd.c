/*
 * chdir/fchdir/getcwd: relative and absolute paths, "." and "..", "/..",
 * getcwd through a symlinked directory, the raw getcwd syscall's return
 * value (length including the NUL) and ERANGE for small buffers, EFAULT,
 * ENOTDIR/ENOENT/EBADF error paths, a removed cwd (getcwd → ENOENT), and
 * the cwd being per-process across fork.
 *
 * getcwd is called as a raw syscall: musl rejects size 0 itself and hides
 * the kernel's return value.
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

static long sys_getcwd(char *buf, size_t size)
{
	return syscall(SYS_getcwd, buf, size);
}

/* The cwd as a string, or "" on error; static storage. */
static const char *cwd(void)
{
	static char buf[PATH_MAX];

	if (sys_getcwd(buf, sizeof(buf)) < 0)
		return "";
	return buf;
}

int main(void)
{
	char top[PATH_MAX], base[PATH_MAX], want[PATH_MAX + 128],
		small[PATH_MAX];
	const char *scratch;
	size_t len;
	long r;
	int fd, status;
	pid_t pid;

	alarm(20);
	tap_plan(28);
	if (!getcwd(top, sizeof(top)))
		tap_bail("getcwd: %s", strerror(errno));
	scratch = scratch_enter("cwd");
	mkdir("sub", 0755);
	mkdir("sub/deeper", 0755);
	close(open("sub/f", O_WRONLY | O_CREAT, 0644));
	symlink("sub", "link");

	r = sys_getcwd(base, sizeof(base));
	len = strlen(base);
	tap_is_int(r, (long)len + 1,
		   "the getcwd syscall returns the length including the NUL");
	tap_ok(base[0] == '/', "getcwd returns an absolute path");
	snprintf(want, sizeof(want), "%s/%s", top, scratch);
	tap_is_str(base, strcmp(top, "/") ? want : want + 1,
		   "getcwd names the directory entered by chdir");

	/* ERANGE below len + 1, success at exactly len + 1. */
	tap_is_errno(sys_getcwd(small, len), ERANGE,
		     "getcwd with a buffer one byte short fails with ERANGE");
	tap_is_errno(sys_getcwd(small, 0), ERANGE,
		     "getcwd with size 0 fails with ERANGE");
	tap_is_int(sys_getcwd(small, len + 1), (long)len + 1,
		   "getcwd with a buffer of exactly len + 1 succeeds");
	tap_is_errno(sys_getcwd((char *)8, sizeof(base)), EFAULT,
		     "getcwd into an unmapped buffer fails with EFAULT");

	/* Relative chdir, "..", and paths resolved from the cwd. */
	tap_is_int(chdir("sub"), 0,
		   "chdir to a relative subdirectory succeeds");
	snprintf(want, sizeof(want), "%s/sub", base);
	tap_is_str(cwd(), want, "getcwd shows the subdirectory");
	fd = open("f", O_RDONLY);
	tap_ok(fd >= 0, "a relative open resolves from the new cwd");
	close(fd);
	fd = open("../sub/./deeper/../f", O_RDONLY);
	tap_ok(fd >= 0, "a path with \".\" and \"..\" components resolves");
	close(fd);
	tap_is_int(chdir(".."), 0, "chdir(\"..\") succeeds");
	tap_is_str(cwd(), base, "chdir(\"..\") returns to the parent");
	chdir("link");
	tap_is_str(cwd(), want,
		   "getcwd through a symlinked directory shows the real path");
	chdir(base);
	tap_is_str(cwd(), base, "chdir to an absolute path works");
	chdir("/");
	chdir("..");
	tap_is_str(cwd(), "/", "\"..\" of the root directory is the root");

	/* fchdir. */
	fd = open(want, O_RDONLY | O_DIRECTORY);
	tap_is_int(fchdir(fd), 0, "fchdir to a directory fd succeeds");
	tap_is_str(cwd(), want, "fchdir changes the cwd to that directory");
	close(fd);
	fd = open(base, O_PATH | O_DIRECTORY);
	fchdir(fd);
	tap_is_str(cwd(), base, "fchdir accepts an O_PATH directory fd");
	close(fd);
	fd = open("sub/f", O_RDONLY);
	tap_is_errno(fchdir(fd), ENOTDIR,
		     "fchdir on a regular file fails with ENOTDIR");
	close(fd);
	tap_is_errno(fchdir(-1), EBADF, "fchdir on a bad fd fails with EBADF");
	tap_is_errno(chdir("sub/f"), ENOTDIR,
		     "chdir to a regular file fails with ENOTDIR");
	tap_is_errno(chdir("nosuch"), ENOENT,
		     "chdir to a missing name fails with ENOENT");
	tap_is_errno(chdir(""), ENOENT, "chdir(\"\") fails with ENOENT");

	/* The cwd is per process. */
	pid = fork();
	if (pid == 0)
		_exit(chdir("sub/deeper") == 0 ? 0 : 1);
	waitpid(pid, &status, 0);
	tap_ok(WIFEXITED(status) && WEXITSTATUS(status) == 0 &&
		       !strcmp(cwd(), base),
	       "a child's chdir does not move the parent");

	/* A removed cwd: getcwd reports ENOENT, ".." still leads out. */
	mkdir("gone", 0755);
	chdir("gone");
	rmdir("../gone");
	tap_is_errno(sys_getcwd(small, sizeof(small)), ENOENT,
		     "getcwd in a removed directory fails with ENOENT");
	tap_is_errno(open("new", O_WRONLY | O_CREAT, 0644), ENOENT,
		     "creating a file in a removed cwd fails with ENOENT");
	chdir("..");
	tap_is_str(cwd(), base,
		   "chdir(\"..\") from a removed cwd returns to the parent");

	scratch_leave(top);
	return tap_done();
}
