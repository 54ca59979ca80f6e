/*
 * Permissions and ownership: access/faccessat modes (root bypasses R/W but
 * needs some x bit for X_OK; access() checks the real uid, AT_EACCESS the
 * effective one), chmod/fchmod (symlinks followed, file type bits ignored),
 * chown/fchown/lchown as root (-1 keeps a field, set-user-ID cleared),
 * umask masking creat and mkdir. An unprivileged child (uid/gid 65534)
 * gets EACCES reading, writing, creating, searching and deleting without
 * permission, and EPERM changing mode, owner or explicit timestamps of
 * root's files. Children report errno values through a pipe; the files
 * live in a 0755 directory opened before the privileges are dropped.
 */
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "tap.h"
#include "testutil.h"

#define NRES 14

static void make(const char *path, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	if (fd < 0)
		tap_bail("cannot create %s", path);
	write(fd, "data", 4);
	fchmod(fd, mode);
	close(fd);
}

static void as_nobody(int *res, void *arg)
{
	int dfd = *(int *)arg;
	struct timespec t[2] = { { 1000, 0 }, { 1000, 0 } };
	struct timespec now[2] = { { 0, UTIME_NOW }, { 0, UTIME_NOW } };

	if (drop_to_user(NOBODY, NOBODY))
		return;
	res[0] = errno_of(faccessat(dfd, "secret", R_OK, 0));
	res[1] = errno_of(faccessat(dfd, "public", R_OK, 0));
	res[2] = errno_of(faccessat(dfd, "public", W_OK, 0));
	res[3] = errno_of(openat(dfd, "secret", O_RDONLY));
	res[4] = errno_of(openat(dfd, "public", O_WRONLY));
	res[5] = errno_of(openat(dfd, "new", O_WRONLY | O_CREAT, 0644));
	res[6] = errno_of(openat(dfd, "locked/inner", O_RDONLY));
	res[7] = errno_of(faccessat(dfd, "exec", X_OK, 0));
	res[8] = errno_of(faccessat(dfd, "public", X_OK, 0));
	res[9] = errno_of(fchmodat(dfd, "public", 0666, 0));
	res[10] = errno_of(fchownat(dfd, "public", 65534, 65534, 0));
	res[11] = errno_of(unlinkat(dfd, "public", 0));
	res[12] = errno_of(utimensat(dfd, "public", t, 0));
	res[13] = errno_of(utimensat(dfd, "public", now, 0));
}

/* Real uid nobody, effective uid root. */
static void real_nobody(int *res, void *arg)
{
	int dfd = *(int *)arg;

	if (setresuid(65534, 0, 0))
		return;
	res[0] = errno_of(faccessat(dfd, "secret", R_OK, 0));
	/* musl would emulate AT_EACCESS with a helper process; use faccessat2. */
	res[1] = errno_of(syscall(SYS_faccessat2, dfd, "secret", R_OK, AT_EACCESS));
	res[2] = errno_of(openat(dfd, "secret", O_RDONLY));
}

int main(void)
{
	struct stat st;
	int res[NRES], dfd, fd, ok;

	tap_plan(37);
	umask(022);
	mkdir("pd", 0755);
	chmod("pd", 0755);
	make("pd/secret", 0600);
	make("pd/public", 0644);
	make("pd/exec", 0755);
	make("pd/zero", 0000);
	make("pd/ownerx", 0100);
	mkdir("pd/locked", 0700);
	make("pd/locked/inner", 0644);
	dfd = open("pd", O_RDONLY | O_DIRECTORY);

	/* access() as root. */
	tap_is_int(access("pd/public", F_OK), 0, "access F_OK on an existing file succeeds");
	tap_is_errno(access("pd/missing", F_OK), ENOENT, "access F_OK on a missing file fails with ENOENT");
	tap_is_int(access("pd/zero", R_OK | W_OK), 0, "root may read and write a mode 0000 file");
	tap_is_errno(access("pd/public", X_OK), EACCES, "root may not execute a file without any x bit");
	tap_ok(access("pd/exec", X_OK) == 0 && access("pd/ownerx", X_OK) == 0,
	       "root may execute a file with any x bit");
	tap_is_errno(access("pd/public", 8), EINVAL, "an unknown access mode fails with EINVAL");
	tap_ok(faccessat(dfd, "secret", R_OK, 0) == 0 && faccessat(dfd, "nope", F_OK, 0) == -1 && errno == ENOENT,
	       "faccessat resolves relative to a directory fd");
	tap_is_errno(syscall(SYS_faccessat2, dfd, "secret", R_OK, 0x8000), EINVAL,
		     "faccessat2 with an unknown flag fails with EINVAL");

	/* chmod. */
	tap_ok(chmod("pd/public", 0640) == 0 && lstat_mode("pd/public") == (S_IFREG | 0640), "chmod sets the mode");
	fd = open("pd/public", O_RDONLY);
	tap_ok(fchmod(fd, 0644) == 0 && lstat_mode("pd/public") == (S_IFREG | 0644), "fchmod sets the mode");
	close(fd);
	symlink("public", "pd/link");
	tap_ok(chmod("pd/link", 0604) == 0 && lstat_mode("pd/public") == (S_IFREG | 0604) &&
	       lstat_mode("pd/link") == (S_IFLNK | 0777), "chmod follows a symlink to its target");
	tap_ok(chmod("pd/public", S_IFDIR | 0644) == 0 && lstat_mode("pd/public") == (S_IFREG | 0644),
	       "chmod ignores file type bits");

	/* chown as root. */
	make("pd/owned", 0644);
	tap_ok(chown("pd/owned", 1000, 2000) == 0 && stat("pd/owned", &st) == 0 &&
	       st.st_uid == 1000 && st.st_gid == 2000, "root can chown a file to any user and group");
	tap_ok(chown("pd/owned", -1, 3000) == 0 && stat("pd/owned", &st) == 0 &&
	       st.st_uid == 1000 && st.st_gid == 3000, "an owner of -1 is left unchanged");
	fd = open("pd/owned", O_RDONLY);
	tap_ok(fchown(fd, 4000, -1) == 0 && fstat(fd, &st) == 0 && st.st_uid == 4000 && st.st_gid == 3000,
	       "fchown changes the owner through a descriptor");
	close(fd);
	symlink("owned", "pd/olink");
	tap_ok(lchown("pd/olink", 5000, 5000) == 0 && lstat("pd/olink", &st) == 0 && st.st_uid == 5000 &&
	       stat("pd/olink", &st) == 0 && st.st_uid == 4000, "lchown changes the symlink, not its target");
	chmod("pd/owned", 06755);
	chown("pd/owned", 0, 0);
	tap_is_int(lstat_mode("pd/owned"), S_IFREG | 0755,
		   "chown clears set-user-ID and set-group-ID on an executable");

	/* umask. */
	tap_is_int(umask(027), 022, "umask returns the previous mask");
	fd = creat("pd/masked", 0777);
	close(fd);
	mkdir("pd/maskdir", 0777);
	tap_ok(lstat_mode("pd/masked") == (S_IFREG | 0750) && lstat_mode("pd/maskdir") == (S_IFDIR | 0750),
	       "umask masks the modes of creat and mkdir");
	umask(01777);
	tap_is_int(umask(022), 0777, "umask keeps only the permission bits");

	/* Unprivileged. */
	ok = child_results(as_nobody, &dfd, res, NRES) == NRES;
	tap_ok(ok, "the unprivileged child reports back");
	tap_is_int(res[0], EACCES, "an unprivileged user cannot read a 0600 root file (access)");
	tap_is_int(res[1], 0, "an unprivileged user can read a 0644 file (access)");
	tap_is_int(res[2], EACCES, "an unprivileged user cannot write a 0644 root file (access)");
	tap_is_int(res[3], EACCES, "opening a 0600 root file for reading fails with EACCES");
	tap_is_int(res[4], EACCES, "opening a 0644 root file for writing fails with EACCES");
	tap_is_int(res[5], EACCES, "creating in a 0755 root directory fails with EACCES");
	tap_is_int(res[6], EACCES, "a path through a 0700 root directory fails with EACCES");
	tap_ok(res[7] == 0 && res[8] == EACCES, "X_OK follows the x bits for an unprivileged user");
	tap_is_int(res[9], EPERM, "chmod of another user's file fails with EPERM");
	tap_is_int(res[10], EPERM, "chown by an unprivileged user fails with EPERM");
	tap_is_int(res[11], EACCES, "unlinking from a 0755 root directory fails with EACCES");
	tap_is_int(res[12], EPERM, "setting explicit times on another user's file fails with EPERM");
	tap_is_int(res[13], EACCES, "UTIME_NOW without write permission fails with EACCES");

	ok = child_results(real_nobody, &dfd, res, NRES) == NRES;
	tap_is_int(res[0], EACCES, "access checks the real uid (nobody), not the effective one (root)");
	tap_is_int(res[1], 0, "faccessat2 with AT_EACCESS checks the effective uid");
	tap_ok(ok && res[2] == 0, "open uses the effective uid");

	unlinkat(dfd, "locked/inner", 0);
	unlinkat(dfd, "locked", AT_REMOVEDIR);
	unlinkat(dfd, "maskdir", AT_REMOVEDIR);
	{
		static const char *const names[] = { "secret", "public", "exec", "zero", "ownerx",
						     "link", "owned", "olink", "masked", "new" };

		for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
			unlinkat(dfd, names[i], 0);
	}
	close(dfd);
	rmdir("pd");
	return tap_done();
}
