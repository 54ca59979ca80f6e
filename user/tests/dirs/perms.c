/*
 * Directory permissions for an unprivileged user (uid/gid 65534): search
 * (x) is needed to look up names (EACCES for stat, chdir, access), read (r)
 * to list, write (w) to create and remove; a sticky directory (man 7
 * inode: S_ISVTX) only lets a file's owner, the directory's owner or a
 * privileged process delete or rename entries (EPERM otherwise), while a
 * plain world-writable directory lets anyone delete.  Root bypasses the
 * checks.
 *
 * The test runs as root: each check runs in a forked child that drops
 * privileges and reports errno values through a pipe.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tap.h"
#include "testutil.h"

#define NRES 20

static int open_close(const char *path, int flags)
{
	int fd = open(path, flags, 0644);

	if (fd < 0)
		return errno;
	close(fd);
	return 0;
}

static void mkdir_mode(const char *path, mode_t mode)
{
	if (mkdir(path, mode) < 0 || chmod(path, mode) < 0)
		tap_bail("mkdir %s: %s", path, strerror(errno));
}

static void touch(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT, 0666);

	if (fd < 0 || fchmod(fd, 0666) < 0)
		tap_bail("create %s: %s", path, strerror(errno));
	close(fd);
}

static void as_nobody(int *res, void *arg)
{
	struct stat st;

	if (drop_to_user(NOBODY, NOBODY) < 0)
		_exit(99);
	res[0] = errno_of(stat("noexec/f", &st));
	res[1] = errno_of(chdir("noexec"));
	res[2] = errno_of(access("noexec/f", F_OK));
	res[3] = open_close("noexec", O_RDONLY | O_DIRECTORY);
	res[4] = open_close("noread", O_RDONLY | O_DIRECTORY);
	res[5] = errno_of(stat("noread/f", &st));
	res[6] = open_close("nowrite/new", O_WRONLY | O_CREAT);
	res[7] = errno_of(unlink("nowrite/f"));
	res[8] = errno_of(mkdir("nowrite/d", 0755));
	res[9] = errno_of(stat("private/f", &st));
	res[10] = errno_of(unlink("sticky/rootfile"));
	res[11] = errno_of(rename("sticky/rootfile", "sticky/moved"));
	res[12] = errno_of(rmdir("sticky/rootdir"));
	res[13] = open_close("sticky/rootfile", O_WRONLY);
	res[14] = open_close("sticky/mine", O_WRONLY | O_CREAT | O_EXCL);
	res[15] = errno_of(unlink("sticky/mine"));
	res[16] = errno_of(unlink("pub/rootfile"));
	res[17] = errno_of(unlink("ownsticky/rootfile"));
	res[18] = open_close("sticky/kept", O_WRONLY | O_CREAT | O_EXCL);
	res[19] = errno_of(chdir("noread"));
}

int main(void)
{
	int res[NRES];
	struct stat st;

	alarm(20);
	tap_plan(24);
	umask(022);
	scratch_enter("perms");
	mkdir_mode("noexec", 0755);
	touch("noexec/f");
	chmod("noexec", 0666);
	mkdir_mode("noread", 0711);
	touch("noread/f");
	mkdir_mode("nowrite", 0755);
	touch("nowrite/f");
	mkdir_mode("private", 0700);
	touch("private/f");
	mkdir_mode("sticky", 01777);
	touch("sticky/rootfile");
	mkdir_mode("sticky/rootdir", 0777);
	mkdir_mode("pub", 0777);
	touch("pub/rootfile");
	mkdir_mode("ownsticky", 01777);
	touch("ownsticky/rootfile");
	chown("ownsticky", NOBODY, NOBODY);

	if (child_results(as_nobody, NULL, res, NRES) != NRES)
		tap_bail("unprivileged child reported nothing");

	tap_is_int(res[0], EACCES,
		   "stat through a directory without x fails with EACCES");
	tap_is_int(res[1], EACCES,
		   "chdir into a directory without x fails with EACCES");
	tap_is_int(res[2], EACCES,
		   "access through a directory without x fails with EACCES");
	tap_is_int(
		res[3], 0,
		"a directory with r but no x can still be opened for listing");
	tap_is_int(res[4], EACCES,
		   "opening a directory without r fails with EACCES");
	tap_is_int(res[5], 0,
		   "a directory with x but no r still allows lookups");
	tap_is_int(res[19], 0,
		   "chdir into a directory with x but no r succeeds");
	tap_is_int(
		res[6], EACCES,
		"creating a file in a directory without w fails with EACCES");
	tap_is_int(res[7], EACCES,
		   "unlinking in a directory without w fails with EACCES");
	tap_is_int(res[8], EACCES,
		   "mkdir in a directory without w fails with EACCES");
	tap_is_int(
		res[9], EACCES,
		"looking up in another user's 0700 directory fails with EACCES");
	tap_is_int(
		res[10], EPERM,
		"unlinking another user's file in a sticky directory fails with EPERM");
	tap_is_int(
		res[11], EPERM,
		"renaming another user's file in a sticky directory fails with EPERM");
	tap_is_int(
		res[12], EPERM,
		"removing another user's directory in a sticky directory fails with EPERM");
	tap_is_int(
		res[13], 0,
		"the sticky bit does not stop writing a world-writable file");
	tap_is_int(res[14], 0,
		   "a user can create a file in a sticky directory");
	tap_is_int(res[15], 0,
		   "a user can delete their own file in a sticky directory");
	tap_is_int(
		res[16], 0,
		"anyone can delete in a world-writable directory without the sticky bit");
	tap_is_int(
		res[17], 0,
		"the owner of a sticky directory can delete other users' files in it");
	tap_is_int(res[18], 0,
		   "the unprivileged child created a file to leave behind");

	tap_ok(stat("sticky/kept", &st) == 0 && st.st_uid == NOBODY &&
		       st.st_gid == NOBODY,
	       "a file created by the unprivileged user is owned by its uid and gid");
	tap_is_int(unlink("sticky/kept"), 0,
		   "root can delete another user's file in a sticky directory");
	tap_is_int(stat("noexec/f", &st), 0,
		   "root can look up through a directory without x");
	tap_ok(access("sticky/rootfile", F_OK) == 0 &&
		       access("pub/rootfile", F_OK) != 0,
	       "only the permitted deletion happened");

	chmod("noexec", 0755);
	scratch_leave(NULL);
	return tap_done();
}
