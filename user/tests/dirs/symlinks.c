/*
 * Symbolic links: symlink/readlink/readlinkat (truncation without a NUL,
 * EINVAL on a non-link and for size 0, an empty path on an O_PATH fd),
 * relative targets, dangling links (ENOENT through stat, O_CREAT creating
 * the target, O_EXCL refusing), loops and the 40-link limit (ELOOP),
 * O_NOFOLLOW (last component only), O_PATH|O_NOFOLLOW, fstatat with
 * AT_SYMLINK_NOFOLLOW and AT_EMPTY_PATH, linkat with and without
 * AT_SYMLINK_FOLLOW, and trailing slashes on a link to a directory.
 */
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "tap.h"
#include "testutil.h"

/* At most 40 links per lookup (MAXSYMLINKS, man 7 path_resolution). */
#define MAXSYMLINKS 40

static mode_t lmode(const char *path)
{
	struct stat st;

	return lstat(path, &st) < 0 ? 0 : st.st_mode & S_IFMT;
}

/* Build a chain chainN → chainN-1 → … → chain1 → target; return "chainN". */
static const char *make_chain(const char *prefix, int n, const char *target)
{
	static char name[64];
	char prev[64];
	int i;

	snprintf(prev, sizeof(prev), "%s", target);
	for (i = 1; i <= n; i++) {
		snprintf(name, sizeof(name), "%s%d", prefix, i);
		symlink(prev, name);
		snprintf(prev, sizeof(prev), "%s", name);
	}
	return name;
}

int main(void)
{
	static const char target[] = "target-file";
	char buf[64], *longt;
	struct stat st, st2;
	int fd, dfd, lfd;
	long n;

	alarm(20);
	tap_plan(35);
	scratch_enter("symlinks");
	fd = open(target, O_WRONLY | O_CREAT, 0644);
	write(fd, "data", 4);
	close(fd);
	mkdir("dir", 0755);
	close(open("dir/f", O_WRONLY | O_CREAT, 0644));

	tap_is_int(symlink(target, "l"), 0, "symlink succeeds");
	lstat("l", &st);
	tap_ok(S_ISLNK(st.st_mode), "lstat reports a symlink");
	tap_is_int(st.st_size, strlen(target),
		   "a symlink's st_size is the target length");
	tap_is_errno(symlink(target, "l"), EEXIST,
		     "symlink over an existing name fails with EEXIST");
	tap_is_errno(symlink("", "empty"), ENOENT,
		     "symlink with an empty target fails with ENOENT");

	/* readlink never writes a NUL and truncates silently. */
	memset(buf, '#', sizeof(buf));
	n = readlink("l", buf, sizeof(buf));
	tap_ok(n == (long)strlen(target) && !memcmp(buf, target, n) &&
		       buf[n] == '#',
	       "readlink returns the target without a terminating NUL");
	memset(buf, '#', sizeof(buf));
	n = readlink("l", buf, 4);
	tap_ok(n == 4 && !memcmp(buf, target, 4) && buf[4] == '#',
	       "readlink into a 4-byte buffer returns 4 truncated bytes");
	tap_is_errno(readlink(target, buf, sizeof(buf)), EINVAL,
		     "readlink on a regular file fails with EINVAL");
	tap_is_errno(syscall(SYS_readlink, "l", buf, 0), EINVAL,
		     "readlink with size 0 fails with EINVAL");
	tap_is_errno(readlink("nosuch", buf, sizeof(buf)), ENOENT,
		     "readlink on a missing name fails with ENOENT");

	/* readlinkat: relative to a directory fd, and on the link's own fd. */
	symlink("../target-file", "dir/rel");
	dfd = open("dir", O_RDONLY | O_DIRECTORY);
	memset(buf, 0, sizeof(buf));
	readlinkat(dfd, "rel", buf, sizeof(buf));
	tap_is_str(buf, "../target-file",
		   "readlinkat reads a link relative to a directory fd");
	lfd = open("dir/rel", O_PATH | O_NOFOLLOW);
	memset(buf, 0, sizeof(buf));
	readlinkat(lfd, "", buf, sizeof(buf));
	tap_is_str(buf, "../target-file",
		   "readlinkat with an empty path reads an O_PATH link fd");
	fstat(lfd, &st);
	tap_ok(S_ISLNK(st.st_mode),
	       "O_PATH|O_NOFOLLOW opens the symlink itself");
	close(lfd);
	stat("dir/rel", &st);
	stat(target, &st2);
	tap_ok(st.st_ino == st2.st_ino,
	       "a relative target resolves from the link's directory");

	/* fstatat flags. */
	fstatat(AT_FDCWD, "l", &st, AT_SYMLINK_NOFOLLOW);
	tap_ok(S_ISLNK(st.st_mode),
	       "fstatat with AT_SYMLINK_NOFOLLOW does not follow");
	fstatat(AT_FDCWD, "l", &st, 0);
	tap_ok(S_ISREG(st.st_mode), "fstatat without flags follows the link");
	fd = open(target, O_RDONLY);
	memset(&st, 0, sizeof(st));
	fstatat(fd, "", &st, AT_EMPTY_PATH);
	tap_ok(st.st_ino == st2.st_ino,
	       "fstatat with AT_EMPTY_PATH stats the fd itself");
	tap_is_errno(
		fstatat(fd, "", &st, 0), ENOENT,
		"fstatat with an empty path and no AT_EMPTY_PATH fails with ENOENT");
	tap_is_errno(fstatat(AT_FDCWD, "l", &st, 0x80000000), EINVAL,
		     "fstatat with an unknown flag fails with EINVAL");
	close(fd);

	/* Dangling links. */
	symlink("nowhere", "dang");
	tap_is_errno(stat("dang", &st), ENOENT,
		     "stat through a dangling symlink fails with ENOENT");
	tap_is_int(lmode("dang"), S_IFLNK,
		   "lstat of a dangling symlink succeeds");
	tap_is_errno(open("dang", O_WRONLY | O_CREAT | O_EXCL, 0644), EEXIST,
		     "O_CREAT|O_EXCL on a dangling symlink fails with EEXIST");
	fd = open("dang", O_WRONLY | O_CREAT, 0644);
	close(fd);
	tap_ok(fd >= 0 && lmode("nowhere") == S_IFREG,
	       "O_CREAT through a dangling symlink creates the target");

	/* Loops and the limit. */
	symlink("loopb", "loopa");
	symlink("loopa", "loopb");
	tap_is_errno(stat("loopa", &st), ELOOP,
		     "a two-link loop fails with ELOOP");
	symlink("self", "self");
	tap_is_errno(open("self", O_RDONLY), ELOOP,
		     "a self-referencing link fails with ELOOP");
	tap_is_int(stat(make_chain("ok", MAXSYMLINKS, target), &st), 0,
		   "a chain of 40 links resolves");
	tap_is_errno(stat(make_chain("bad", MAXSYMLINKS + 1, target), &st),
		     ELOOP, "a chain of 41 links fails with ELOOP");

	/* O_NOFOLLOW only concerns the last component. */
	tap_is_errno(open("l", O_RDONLY | O_NOFOLLOW), ELOOP,
		     "O_NOFOLLOW on a symlink fails with ELOOP");
	symlink("dir", "ldir");
	fd = open("ldir/f", O_RDONLY | O_NOFOLLOW);
	tap_ok(fd >= 0, "O_NOFOLLOW still follows links in earlier components");
	close(fd);
	tap_is_int(
		lmode("ldir/"), S_IFDIR,
		"lstat(\"link/\") with a trailing slash follows to the directory");

	/* linkat on a symlink. */
	tap_is_int(linkat(AT_FDCWD, "l", AT_FDCWD, "hl", 0), 0,
		   "linkat of a symlink succeeds");
	tap_is_int(lmode("hl"), S_IFLNK,
		   "linkat without AT_SYMLINK_FOLLOW links the symlink itself");
	linkat(AT_FDCWD, "l", AT_FDCWD, "hf", AT_SYMLINK_FOLLOW);
	tap_is_int(lmode("hf"), S_IFREG,
		   "linkat with AT_SYMLINK_FOLLOW links the target");

	unlink("l");
	tap_ok(lmode("l") == 0 && lmode(target) == S_IFREG,
	       "unlink of a symlink leaves the target");

	/* Targets are paths: at most PATH_MAX - 1 bytes. */
	longt = malloc(PATH_MAX + 1);
	memset(longt, 'x', PATH_MAX);
	longt[PATH_MAX] = '\0';
	tap_is_errno(symlink(longt, "long"), ENAMETOOLONG,
		     "a target of PATH_MAX bytes fails with ENAMETOOLONG");
	free(longt);

	close(dfd);
	scratch_leave(NULL);
	return tap_done();
}
