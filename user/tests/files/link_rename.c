/*
 * Hard links, unlink and rename (link(2), unlink(2), rename(2)): link
 * counts follow link/unlink, an unlinked file stays readable and writable
 * through an open descriptor (st_nlink 0), rename replaces its target
 * atomically (old name gone, same inode under the new name, an open fd of
 * the replaced file still reads the old data), renaming between two links
 * of one inode does nothing, renameat2 RENAME_NOREPLACE/RENAME_EXCHANGE.
 * Errors: EEXIST, EPERM (link to a directory), EISDIR, ENOTDIR, ENOTEMPTY,
 * EINVAL (directory into itself, bad renameat2 flags), ENOENT.
 */
#include <fcntl.h>
#include <stdio.h>	/* rename */
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "tap.h"
#include "testutil.h"

#ifndef RENAME_NOREPLACE
#define RENAME_NOREPLACE (1 << 0)	/* <linux/fs.h> */
#define RENAME_EXCHANGE (1 << 1)
#endif

static long my_renameat2(const char *from, const char *to, unsigned flags)
{
	/* musl 1.2.3 has no renameat2 wrapper. */
	return syscall(SYS_renameat2, AT_FDCWD, from, AT_FDCWD, to, flags);
}

static nlink_t links(const char *path)
{
	struct stat st;

	return stat(path, &st) ? 0 : st.st_nlink;
}

int main(void)
{
	struct stat st;
	char buf[16];
	ino_t i1, i2;
	int fd;

	tap_plan(30);

	/* Links. */
	file_put_or_bail("a", "alpha");
	tap_is_int(link("a", "b"), 0, "link creates a second name");
	tap_ok(links("a") == 2 && links("b") == 2 && lstat_ino("a") == lstat_ino("b"),
	       "both names show two links to one inode");
	tap_is_errno(link("a", "b"), EEXIST, "linking onto an existing name fails with EEXIST");
	tap_is_errno(link("missing", "c"), ENOENT, "linking a missing file fails with ENOENT");
	mkdir("d", 0755);
	tap_is_errno(link("d", "dlink"), EPERM, "a hard link to a directory fails with EPERM");
	tap_is_int(unlink("b"), 0, "unlink removes one name");
	tap_ok(links("a") == 1 && access("b", F_OK) == -1 && errno == ENOENT,
	       "the link count drops and the name is gone");

	/* Unlinking an open file. */
	fd = open("a", O_RDWR);
	unlink("a");
	tap_ok(access("a", F_OK) == -1 && errno == ENOENT, "an unlinked file's name is gone");
	tap_ok(pread(fd, buf, 5, 0) == 5 && memcmp(buf, "alpha", 5) == 0,
	       "an unlinked file stays readable through an open descriptor");
	tap_ok(pwrite(fd, "ALPHA", 5, 0) == 5 && pread(fd, buf, 5, 0) == 5 && memcmp(buf, "ALPHA", 5) == 0,
	       "an unlinked file stays writable through an open descriptor");
	tap_ok(fstat(fd, &st) == 0 && st.st_nlink == 0, "an unlinked open file has st_nlink 0");
	close(fd);
	tap_is_errno(unlink("a"), ENOENT, "unlinking a missing name fails with ENOENT");
	tap_is_errno(unlink("d"), EISDIR, "unlink of a directory fails with EISDIR");
	file_put_or_bail("f", "file");
	tap_is_errno(unlink("f/"), ENOTDIR, "unlink of a file with a trailing slash fails with ENOTDIR");

	/* rename over an existing file. */
	file_put_or_bail("old", "old data");
	file_put_or_bail("new", "new data");
	i1 = lstat_ino("old");
	fd = open("new", O_RDONLY);
	tap_is_int(rename("old", "new"), 0, "rename over an existing file succeeds");
	tap_ok(access("old", F_OK) == -1 && lstat_ino("new") == i1 && strcmp(file_get("new"), "old data") == 0,
	       "the source name is gone and the target is the source inode");
	tap_ok(read(fd, buf, 8) == 8 && memcmp(buf, "new data", 8) == 0,
	       "a descriptor of the replaced file still reads its data");
	close(fd);
	link("new", "same");
	tap_ok(rename("new", "same") == 0 && access("new", F_OK) == 0 && access("same", F_OK) == 0,
	       "renaming between two links of one inode does nothing");
	unlink("same");

	/* renameat2. */
	file_put_or_bail("x", "xx");
	file_put_or_bail("y", "yy");
	tap_is_errno(my_renameat2("x", "y", RENAME_NOREPLACE), EEXIST,
		     "RENAME_NOREPLACE onto an existing name fails with EEXIST");
	tap_ok(my_renameat2("x", "z", RENAME_NOREPLACE) == 0 && strcmp(file_get("z"), "xx") == 0,
	       "RENAME_NOREPLACE onto a free name renames");
	i1 = lstat_ino("y");
	i2 = lstat_ino("z");
	tap_ok(my_renameat2("y", "z", RENAME_EXCHANGE) == 0 && lstat_ino("y") == i2 && lstat_ino("z") == i1,
	       "RENAME_EXCHANGE swaps two names atomically");
	tap_is_errno(my_renameat2("y", "nothere", RENAME_EXCHANGE), ENOENT,
		     "RENAME_EXCHANGE with a missing target fails with ENOENT");
	tap_is_errno(my_renameat2("y", "z", RENAME_NOREPLACE | RENAME_EXCHANGE), EINVAL,
		     "RENAME_NOREPLACE together with RENAME_EXCHANGE fails with EINVAL");

	/* Directory cases. */
	mkdir("d2", 0755);
	file_put_or_bail("d2/inside", "i");
	mkdir("empty", 0755);
	tap_is_errno(rename("f", "d"), EISDIR, "renaming a file over a directory fails with EISDIR");
	tap_is_errno(rename("d", "f"), ENOTDIR, "renaming a directory over a file fails with ENOTDIR");
	/* rename(2) allows ENOTEMPTY or EEXIST; Linux returns ENOTEMPTY. */
	tap_is_errno(rename("d", "d2"), ENOTEMPTY, "renaming over a non-empty directory fails with ENOTEMPTY");
	tap_ok(rename("d", "empty") == 0 && access("d", F_OK) == -1 && lstat_ino("empty") != 0,
	       "renaming a directory over an empty one replaces it");
	tap_is_errno(rename("d2", "d2/sub"), EINVAL, "moving a directory into itself fails with EINVAL");
	tap_is_errno(rename("missing", "m2"), ENOENT, "renaming a missing file fails with ENOENT");
	tap_is_errno(rename("f", "nodir/f"), ENOENT, "renaming into a missing directory fails with ENOENT");

	unlink("d2/inside");
	rmdir("d2");
	rmdir("empty");
	unlink("f");
	unlink("new");
	unlink("y");
	unlink("z");
	return tap_done();
}
