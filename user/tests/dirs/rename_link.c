/*
 * rename/renameat/renameat2 and link: replacing files, renaming onto a
 * hard link of itself (a no-op), RENAME_NOREPLACE (EEXIST), RENAME_EXCHANGE
 * (also file <-> directory, ENOENT without a target), invalid flag
 * combinations (EINVAL), a directory into its own subdirectory (EINVAL),
 * over a non-empty directory (ENOTEMPTY or EEXIST), file over directory
 * (EISDIR), directory over file (ENOTDIR), "." as a source (EBUSY), ".."
 * and link counts after moving a directory, trailing slashes, and link()
 * (st_nlink, EEXIST, ENOENT, EPERM for a directory).
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "tap.h"
#include "testutil.h"

/* From linux/fs.h; musl 1.2.3 has no renameat2 wrapper or constants. */
#define RENAME_NOREPLACE (1 << 0)
#define RENAME_EXCHANGE (1 << 1)

static long renameat2_(int odfd, const char *old, int ndfd, const char *new,
		       unsigned int flags)
{
	return syscall(SYS_renameat2, odfd, old, ndfd, new, flags);
}

static long nlink(const char *path)
{
	struct stat st;

	return lstat(path, &st) < 0 ? -1 : (long)st.st_nlink;
}

int main(void)
{
	struct stat st;
	ino_t a_ino;
	long r, before_a, before_b;
	int d1, d2, e;

	alarm(20);
	tap_plan(35);
	scratch_enter("rename_link");

	/* Plain renames. */
	file_put("a", "A");
	a_ino = lstat_ino("a");
	tap_is_int(rename("a", "b"), 0, "rename of a file succeeds");
	tap_ok(lstat_ino("a") == 0 && lstat_ino("b") == a_ino &&
		       !strcmp(file_get("b"), "A"),
	       "the old name is gone and the new name is the same inode");
	file_put("c", "C");
	rename("b", "c");
	tap_ok(lstat_ino("c") == a_ino && !strcmp(file_get("c"), "A"),
	       "rename replaces an existing file atomically");
	tap_is_int(rename("c", "c"), 0,
		   "rename of a name onto itself succeeds");
	link("c", "c2");
	tap_is_int(rename("c", "c2"), 0,
		   "rename onto another hard link of the same file succeeds");
	tap_ok(lstat_ino("c") == a_ino && lstat_ino("c2") == a_ino,
	       "renaming onto the same inode leaves both names (no-op)");
	tap_is_errno(rename("nosuch", "x"), ENOENT,
		     "rename of a missing name fails with ENOENT");
	tap_is_errno(rename("c", "nodir/x"), ENOENT,
		     "rename into a missing directory fails with ENOENT");
	tap_is_errno(rename(".", "x"), EBUSY,
		     "rename of \".\" fails with EBUSY");

	/* renameat with two directory fds. */
	mkdir("d1", 0755);
	mkdir("d2", 0755);
	file_put("d1/f", "F");
	d1 = open("d1", O_RDONLY | O_DIRECTORY);
	d2 = open("d2", O_RDONLY | O_DIRECTORY);
	tap_is_int(renameat(d1, "f", d2, "g"), 0,
		   "renameat between two directory fds succeeds");
	tap_is_str(file_get("d2/g"), "F",
		   "the file arrives in the second directory");

	/* renameat2 flags. */
	file_put("x", "X");
	file_put("y", "Y");
	tap_is_errno(
		renameat2_(AT_FDCWD, "x", AT_FDCWD, "y", RENAME_NOREPLACE),
		EEXIST,
		"RENAME_NOREPLACE onto an existing name fails with EEXIST");
	tap_is_str(file_get("y"), "Y",
		   "the failed RENAME_NOREPLACE left the target alone");
	tap_is_int(renameat2_(AT_FDCWD, "x", AT_FDCWD, "z", RENAME_NOREPLACE),
		   0, "RENAME_NOREPLACE onto a free name succeeds");
	tap_is_int(renameat2_(AT_FDCWD, "z", AT_FDCWD, "y", RENAME_EXCHANGE), 0,
		   "RENAME_EXCHANGE succeeds");
	tap_ok(!strcmp(file_get("z"), "Y") && !strcmp(file_get("y"), "X"),
	       "RENAME_EXCHANGE swaps the two names");
	mkdir("ed", 0755);
	renameat2_(AT_FDCWD, "z", AT_FDCWD, "ed", RENAME_EXCHANGE);
	lstat("z", &st);
	tap_ok(S_ISDIR(st.st_mode) && !strcmp(file_get("ed"), "Y"),
	       "RENAME_EXCHANGE swaps a file and a directory");
	tap_is_errno(
		renameat2_(AT_FDCWD, "y", AT_FDCWD, "none", RENAME_EXCHANGE),
		ENOENT,
		"RENAME_EXCHANGE with a missing target fails with ENOENT");
	tap_is_errno(renameat2_(AT_FDCWD, "y", AT_FDCWD, "ed",
				RENAME_EXCHANGE | RENAME_NOREPLACE),
		     EINVAL,
		     "RENAME_EXCHANGE|RENAME_NOREPLACE fails with EINVAL");
	tap_is_errno(renameat2_(AT_FDCWD, "y", AT_FDCWD, "w", 1u << 20), EINVAL,
		     "renameat2 with an unknown flag fails with EINVAL");

	/* Directories. */
	mkdir("p", 0755);
	mkdir("p/sub", 0755);
	tap_is_errno(
		rename("p", "p/sub/inside"), EINVAL,
		"renaming a directory into its own subdirectory fails with EINVAL");
	mkdir("full", 0755);
	file_put("full/file", "");
	errno = 0;
	r = rename("p", "full");
	e = errno;
	tap_ok(r == -1 && (e == ENOTEMPTY || e == EEXIST),
	       "renaming over a non-empty directory fails with ENOTEMPTY or EEXIST");
	mkdir("empty", 0755);
	a_ino = lstat_ino("p");
	tap_ok(rename("p", "empty") == 0 && lstat_ino("empty") == a_ino,
	       "renaming a directory over an empty one replaces it");
	tap_is_errno(rename("y", "full"), EISDIR,
		     "renaming a file over a directory fails with EISDIR");
	tap_is_errno(rename("full", "y"), ENOTDIR,
		     "renaming a directory over a file fails with ENOTDIR");
	tap_is_int(
		rename("empty/", "q/"), 0,
		"rename of \"dir/\" to \"new/\" with trailing slashes succeeds");
	tap_is_errno(rename("y/", "w"), ENOTDIR,
		     "rename of \"file/\" fails with ENOTDIR");

	/* Moving a directory updates ".." and the parents' link counts. */
	before_a = nlink("q");
	before_b = nlink("d2");
	rename("q/sub", "d2/sub");
	tap_ok(lstat_ino("d2/sub/..") == lstat_ino("d2"),
	       "a moved directory's \"..\" is its new parent");
	tap_ok(before_a == 3 && nlink("q") == 2 && nlink("d2") == before_b + 1,
	       "moving a directory moves one link from the old parent to the new");

	/* link(). */
	file_put("h", "H");
	tap_is_int(nlink("h"), 1, "a new file has st_nlink 1");
	tap_ok(link("h", "h2") == 0 && nlink("h") == 2,
	       "link succeeds and raises st_nlink to 2");
	tap_is_errno(link("h", "y"), EEXIST,
		     "link onto an existing name fails with EEXIST");
	tap_is_errno(link("nosuch", "h3"), ENOENT,
		     "link of a missing name fails with ENOENT");
	tap_is_errno(link("d1", "d1link"), EPERM,
		     "link of a directory fails with EPERM");
	unlink("h");
	tap_ok(nlink("h2") == 1 && !strcmp(file_get("h2"), "H"),
	       "unlinking one name leaves the other with st_nlink 1");

	close(d1);
	close(d2);
	scratch_leave(NULL);
	return tap_done();
}
