/*
 * getdents64: a full listing (".", ".." and every entry exactly once),
 * d_type for each file type, d_ino against stat, record layout, end of
 * directory, rewinding with lseek, and the error paths (EINVAL for a
 * buffer too small for one record, ENOTDIR, EBADF, EFAULT, ENOENT for a
 * directory removed while open).  Entries removed during an iteration must
 * not be returned twice nor crash the listing.
 *
 * Uses the raw syscall: musl's readdir hides the record layout.
 */
#include <dirent.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "tap.h"
#include "testutil.h"

/* The kernel's record (include/linux/dirent.h); musl has no public copy. */
struct linux_dirent64 {
	uint64_t d_ino;
	int64_t d_off;
	unsigned short d_reclen;
	unsigned char d_type;
	char d_name[];
};

/* The smallest record: the header and a one-character name with its NUL. */
#define MIN_RECLEN (offsetof(struct linux_dirent64, d_name) + 2)

#define NFILES 300

static long sys_getdents64(int fd, void *buf, size_t len)
{
	return syscall(SYS_getdents64, fd, buf, len);
}

struct listing {
	int count;
	int layout_ok; /* reclen 8-aligned, records fill the return */
	int types[8];  /* d_type of ".", "..", reg, dir, lnk, fifo */
	uint64_t reg_ino;
};

static const char *const names[] = {".", "..", "reg", "dir", "lnk", "fifo"};

static int list_all(int fd, struct listing *l)
{
	char buf[4096] __attribute__((aligned(8)));
	long n, off;
	size_t i;

	memset(l, 0, sizeof(*l));
	l->layout_ok = 1;
	for (i = 0; i < 6; i++)
		l->types[i] = -1;
	while ((n = sys_getdents64(fd, buf, sizeof(buf))) > 0) {
		for (off = 0; off < n;) {
			struct linux_dirent64 *d = (void *)(buf + off);

			if (d->d_reclen % 8 || d->d_reclen < MIN_RECLEN) {
				l->layout_ok = 0;
				return -1;
			}
			for (i = 0; i < 6; i++) {
				if (strcmp(d->d_name, names[i]))
					continue;
				if (l->types[i] != -1)
					l->layout_ok = 0; /* seen twice */
				l->types[i] = d->d_type;
				if (i == 2)
					l->reg_ino = d->d_ino;
			}
			l->count++;
			off += d->d_reclen;
		}
		if (off != n)
			l->layout_ok = 0;
	}
	return (int)n;
}

int main(void)
{
	char buf[4096] __attribute__((aligned(8)));
	char name[32];
	static unsigned char seen[NFILES];
	struct listing l;
	struct stat st;
	int fd, ffd, i, dup_seen, last, rounds;
	long n;

	alarm(20);
	tap_plan(22);
	scratch_enter("getdents");

	close(open("reg", O_WRONLY | O_CREAT, 0644));
	mkdir("dir", 0755);
	symlink("reg", "lnk");
	mkfifo("fifo", 0644);

	fd = open(".", O_RDONLY | O_DIRECTORY);
	last = list_all(fd, &l);
	tap_is_int(last, 0, "listing ends with a return of 0");
	tap_is_int(l.count, 6, "the listing has 6 entries including . and ..");
	tap_ok(l.layout_ok,
	       "records are 8-byte aligned, fill the buffer and are unique");
	tap_is_int(l.types[0], DT_DIR, "\".\" has d_type DT_DIR");
	tap_is_int(l.types[1], DT_DIR, "\"..\" has d_type DT_DIR");
	tap_is_int(l.types[2], DT_REG, "a regular file has d_type DT_REG");
	tap_is_int(l.types[3], DT_DIR, "a directory has d_type DT_DIR");
	tap_is_int(l.types[4], DT_LNK, "a symlink has d_type DT_LNK");
	tap_is_int(l.types[5], DT_FIFO, "a FIFO has d_type DT_FIFO");
	stat("reg", &st);
	tap_is_int(l.reg_ino, st.st_ino, "d_ino matches st_ino of the file");
	tap_is_int(sys_getdents64(fd, buf, sizeof(buf)), 0,
		   "reading past the end returns 0 again");

	lseek(fd, 0, SEEK_SET);
	list_all(fd, &l);
	tap_is_int(l.count, 6, "lseek to 0 rewinds the listing");

	/* Error paths. */
	lseek(fd, 0, SEEK_SET);
	tap_is_errno(sys_getdents64(fd, buf, 8), EINVAL,
		     "a buffer too small for one record fails with EINVAL");
	tap_is_errno(sys_getdents64(fd, (void *)8, sizeof(buf)), EFAULT,
		     "an unmapped buffer fails with EFAULT");
	ffd = open("reg", O_RDONLY);
	tap_is_errno(sys_getdents64(ffd, buf, sizeof(buf)), ENOTDIR,
		     "getdents64 on a regular file fails with ENOTDIR");
	close(ffd);
	tap_is_errno(sys_getdents64(-1, buf, sizeof(buf)), EBADF,
		     "getdents64 on a bad fd fails with EBADF");
	ffd = open("dir", O_PATH | O_DIRECTORY);
	tap_is_errno(sys_getdents64(ffd, buf, sizeof(buf)), EBADF,
		     "getdents64 on an O_PATH fd fails with EBADF");
	close(ffd);
	close(fd);

	/* A directory removed while open: IS_DEADDIR → ENOENT. */
	fd = open("dir", O_RDONLY | O_DIRECTORY);
	rmdir("dir");
	tap_is_errno(sys_getdents64(fd, buf, sizeof(buf)), ENOENT,
		     "getdents64 on a removed directory fails with ENOENT");
	close(fd);

	/* Remove every entry part-way through an iteration. */
	mkdir("many", 0755);
	for (i = 0; i < NFILES; i++) {
		snprintf(name, sizeof(name), "many/f%03d", i);
		close(open(name, O_WRONLY | O_CREAT, 0644));
	}
	fd = open("many", O_RDONLY | O_DIRECTORY);
	n = sys_getdents64(fd, buf, 512); /* only a few records fit */
	tap_ok(n > 0, "the first small chunk of a large directory is returned");
	for (i = 0; i < NFILES; i++) {
		snprintf(name, sizeof(name), "many/f%03d", i);
		unlink(name);
	}
	dup_seen = 0;
	/* Bounded: a kernel that loops forever fails instead of hanging. */
	for (rounds = 0; n > 0 && rounds < 10 * NFILES; rounds++) {
		for (long off = 0; off < n;) {
			struct linux_dirent64 *d = (void *)(buf + off);

			if (d->d_name[0] == 'f') {
				i = atoi(d->d_name + 1);
				if (i >= 0 && i < NFILES && seen[i]++)
					dup_seen = 1;
			}
			off += d->d_reclen ? d->d_reclen : n;
		}
		n = sys_getdents64(fd, buf, 512);
	}
	tap_is_int(n, 0,
		   "iterating after removing all entries reaches the end");
	tap_ok(!dup_seen, "no entry is returned twice");
	close(fd);
	fd = open("many", O_RDONLY | O_DIRECTORY);
	list_all(fd, &l);
	tap_is_int(l.count, 2, "a fresh listing shows only . and ..");
	close(fd);

	scratch_leave(NULL);
	return tap_done();
}
