/*
 * Special files and chroot: mknod of FIFOs, regular files, sockets and
 * character devices (root only), the EPERM/EINVAL rules for other types
 * (man 2 mknod), mkfifo; chroot as root (absolute paths, "/..", absolute
 * symlinks and getcwd all resolve inside the new root, the old cwd is not
 * moved) and its EPERM/ENOTDIR/ENOENT error paths.
 *
 * chroot and unprivileged checks run in forked children that report
 * integers back over a pipe; all TAP output comes from the parent.
 */
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "tap.h"
#include "testutil.h"

static void unpriv_nodes(int *out, void *arg)
{
	if (drop_to_user(NOBODY, NOBODY) < 0)
		_exit(99);
	out[0] = errno_of(mknod("tmp/chr", S_IFCHR | 0666, makedev(1, 3)));
	out[1] = errno_of(mkfifo("tmp/fifo", 0644));
	out[2] = errno_of(chroot("jail"));
}

static void in_jail(int *out, void *arg)
{
	char buf[PATH_MAX];
	struct stat root, up;
	int fd;

	/* chroot does not change the cwd: the old one still resolves. */
	out[0] = errno_of(chroot("jail"));
	out[1] = access("outside", F_OK) == 0;
	chdir("/");
	fd = open("/marker", O_RDONLY);
	out[2] = fd >= 0 && read(fd, buf, 6) == 6 && !memcmp(buf, "inside", 6);
	close(fd);
	out[3] = stat("/", &root) == 0 && stat("/..", &up) == 0 &&
		 root.st_ino == up.st_ino && root.st_dev == up.st_dev;
	out[4] = access("/../../marker", F_OK) == 0;
	out[5] = errno_of(access("/outside", F_OK));
	fd = open("/abs", O_RDONLY); /* abs -> "/marker" */
	out[6] = fd >= 0 && read(fd, buf, 6) == 6 && !memcmp(buf, "inside", 6);
	close(fd);
	out[7] =
		syscall(SYS_getcwd, buf, sizeof(buf)) == 2 && !strcmp(buf, "/");
}

int main(void)
{
	int res[16], fd, n;
	struct stat st;
	char buf[8];

	alarm(20);
	tap_plan(25);
	umask(022);
	scratch_enter("mknod_chroot");

	/* mknod / mkfifo. */
	tap_is_int(mknod("fifo", S_IFIFO | 0666, 0), 0,
		   "mknod of a FIFO succeeds");
	tap_ok(stat("fifo", &st) == 0 && S_ISFIFO(st.st_mode) &&
		       (st.st_mode & 0777) == 0644,
	       "the node is a FIFO with the umask applied");
	tap_is_errno(mkfifo("fifo", 0644), EEXIST,
		     "mkfifo over an existing name fails with EEXIST");
	tap_ok(mknod("reg0", 0644, 0) == 0 && stat("reg0", &st) == 0 &&
		       S_ISREG(st.st_mode),
	       "mknod with file type 0 creates a regular file");
	tap_ok(mknod("sock", S_IFSOCK | 0644, 0) == 0 &&
		       lstat("sock", &st) == 0 && S_ISSOCK(st.st_mode),
	       "mknod of S_IFSOCK creates a socket node");
	tap_is_errno(mknod("dir", S_IFDIR | 0755, 0), EPERM,
		     "mknod of S_IFDIR fails with EPERM");
	tap_is_errno(mknod("bad", 0030000 | 0644, 0), EINVAL,
		     "mknod of an invalid file type fails with EINVAL");
	tap_is_errno(mknod("lnk", S_IFLNK | 0644, 0), EINVAL,
		     "mknod of S_IFLNK fails with EINVAL");
	tap_is_int(mknod("null", S_IFCHR | 0666, makedev(1, 3)), 0,
		   "root can mknod a character device");
	tap_ok(stat("null", &st) == 0 && S_ISCHR(st.st_mode) &&
		       st.st_rdev == makedev(1, 3),
	       "the device node has the requested type and st_rdev");
	fd = open("null", O_RDWR);
	tap_ok(fd >= 0 && write(fd, "xyz", 3) == 3 &&
		       read(fd, buf, sizeof(buf)) == 0,
	       "the node opens the device (1,3) = /dev/null");
	close(fd);
	tap_is_errno(mknod("fifo/x", S_IFIFO | 0644, 0), ENOTDIR,
		     "mknod under a FIFO fails with ENOTDIR");

	/* Unprivileged. */
	mkdir("tmp", 0777);
	chmod("tmp", 0777);
	mkdir("jail", 0755);
	n = child_results(unpriv_nodes, NULL, res, 3);
	tap_ok(n == 3 && res[0] == EPERM,
	       "an unprivileged mknod of a character device fails with EPERM");
	tap_ok(n == 3 && res[1] == 0, "an unprivileged mkfifo succeeds");
	tap_ok(n == 3 && res[2] == EPERM,
	       "an unprivileged chroot fails with EPERM");

	/* chroot as root. */
	tap_is_errno(chroot("fifo"), ENOTDIR,
		     "chroot to a non-directory fails with ENOTDIR");
	tap_is_errno(chroot("nosuch"), ENOENT,
		     "chroot to a missing directory fails with ENOENT");
	fd = open("jail/marker", O_WRONLY | O_CREAT, 0644);
	write(fd, "inside", 6);
	close(fd);
	close(open("outside", O_WRONLY | O_CREAT, 0644));
	symlink("/marker", "jail/abs");
	n = child_results(in_jail, NULL, res, 8);
	tap_ok(n == 8 && res[0] == 0, "root can chroot into a directory");
	tap_ok(n == 8 && res[1] == 1,
	       "chroot does not move the cwd: relative names still resolve");
	tap_ok(n == 8 && res[2] == 1,
	       "an absolute path resolves inside the new root");
	tap_ok(n == 8 && res[3] == 1,
	       "\"/..\" of the new root is the new root");
	tap_ok(n == 8 && res[4] == 1,
	       "\"..\" components cannot climb above the new root");
	tap_ok(n == 8 && res[5] == ENOENT,
	       "a file outside the new root is not found by absolute path");
	tap_ok(n == 8 && res[6] == 1,
	       "an absolute symlink target resolves inside the new root");
	tap_ok(n == 8 && res[7] == 1,
	       "getcwd after chdir(\"/\") in the new root is \"/\"");

	scratch_leave(NULL);
	return tap_done();
}
