/*
 * File-backed mappings (of a file in the cwd, a tmpfs on the test systems):
 * MAP_SHARED writes reach the file (visible to read(2)) and write(2) reaches
 * the mapping; MAP_PRIVATE writes stay private until MADV_DONTNEED drops
 * them; the partial last page is zero-filled beyond EOF and whole pages
 * beyond EOF raise SIGBUS/BUS_ADRERR (mmap(2) "SIGBUS"); mappings outlive
 * close() and unlink(). Errors: EINVAL for an unaligned offset, EBADF,
 * EACCES for PROT_WRITE|MAP_SHARED on an O_RDONLY fd and for an O_WRONLY fd,
 * ENODEV for files without mmap, EOPNOTSUPP for MAP_SYNC on tmpfs.
 */
#include <fcntl.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tap.h"
#include "testutil.h"

#define PG 4096UL
#define FSIZE (2 * PG + 100)	/* two full pages and a partial one */

#ifndef MAP_SYNC
#define MAP_SYNC 0x80000	/* Linux 4.15, <linux/mman.h> */
#endif

static char pread_byte(int fd, off_t off)
{
	char c = '?';

	if (pread(fd, &c, 1, off) != 1)
		return '!';
	return c;
}

int main(void)
{
	char buf[FSIZE];
	char *sh, *pv, *sh2, *p;
	int fd, rfd, wfd, dfd, pfd[2], st;
	pid_t pid;

	fault_catch(SIGBUS);
	fault_catch(SIGSEGV);

	tap_plan(26);

	for (size_t i = 0; i < FSIZE; i++)
		buf[i] = (char)('A' + i % 26);
	fd = open("mapfile", O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || write(fd, buf, FSIZE) != (ssize_t)FSIZE)
		tap_bail("cannot create mapfile");

	sh = mmap(NULL, 4 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	pv = mmap(NULL, 3 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	if (sh == MAP_FAILED || pv == MAP_FAILED)
		tap_bail("cannot map mapfile");
	tap_ok(memcmp(sh, buf, FSIZE) == 0, "a shared file mapping shows the file contents");
	tap_ok(memcmp(pv, buf, FSIZE) == 0, "a private file mapping shows the file contents");

	/* Shared: both directions. */
	sh[10] = '#';
	tap_is_int(pread_byte(fd, 10), '#', "a write through MAP_SHARED is visible to read()");
	pwrite(fd, "%", 1, 20);
	tap_is_int(sh[20], '%', "a write() to the file is visible through MAP_SHARED");

	/* Private: our writes stay ours. */
	pv[PG + 1] = '*';
	tap_is_int(pread_byte(fd, PG + 1), buf[PG + 1], "a write through MAP_PRIVATE does not reach the file");
	pwrite(fd, "&", 1, PG + 1);
	tap_is_int(pv[PG + 1], '*', "a privately written page keeps its copy when the file changes");
	tap_is_int(sh[PG + 1], '&', "the shared mapping sees the file change");
	tap_is_int(madvise(pv + PG, PG, MADV_DONTNEED), 0, "MADV_DONTNEED on a private file mapping succeeds");
	tap_is_int(pv[PG + 1], '&', "after MADV_DONTNEED the private mapping shows the file again");

	/* End of file. */
	tap_ok(sh[FSIZE - 1] == buf[FSIZE - 1] && sh[FSIZE] == 0 && sh[3 * PG - 1] == 0,
	       "the partial last page is zero beyond EOF");
	tap_is_int(fault_read(sh + 3 * PG), SIGBUS, "reading a page wholly beyond EOF raises SIGBUS");
	tap_is_int(fault_last.code, BUS_ADRERR, "the SIGBUS is BUS_ADRERR");
	ftruncate(fd, 4 * PG);
	tap_ok(fault_read(sh + 3 * PG) == 0 && sh[3 * PG + 5] == 0,
	       "after ftruncate grows the file the page is readable and zero");
	ftruncate(fd, PG);
	tap_ok(fault_read(sh + PG) == SIGBUS && fault_read(sh) == 0,
	       "after ftruncate shrinks the file the cut-off page raises SIGBUS");
	ftruncate(fd, 4 * PG);
	pwrite(fd, "Z", 1, 2 * PG);

	/* Offsets, a second view, and children. */
	p = mmap(NULL, PG, PROT_READ, MAP_SHARED, fd, 2 * PG);
	tap_ok(p != MAP_FAILED && p[0] == 'Z', "a mapping at a file offset shows that page");
	sh2 = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	sh2[7] = '@';
	tap_is_int(sh[7], '@', "two shared mappings of one file see each other's writes");
	pid = fork();
	if (pid == 0) {
		sh[30] = '!';
		_exit(0);
	}
	waitpid(pid, &st, 0);
	tap_is_int(pread_byte(fd, 30), '!', "a child's write through an inherited shared mapping reaches the file");
	tap_is_int(msync(sh, 4 * PG, MS_SYNC), 0, "msync(MS_SYNC) of a shared file mapping succeeds");
	close(fd);
	unlink("mapfile");
	sh[40] = '=';
	tap_ok(sh[40] == '=' && sh2[40] == '=', "mappings outlive close() and unlink() of the file");

	/* Errors. */
	fd = open("mapfile2", O_RDWR | O_CREAT | O_TRUNC, 0644);
	ftruncate(fd, PG);
	rfd = open("mapfile2", O_RDONLY);
	wfd = open("mapfile2", O_WRONLY);
	/* musl's mmap() checks the offset itself: use the system call. */
	tap_is_errno(syscall(SYS_mmap, NULL, PG, PROT_READ, MAP_SHARED, fd, 100), EINVAL,
		     "an unaligned file offset fails with EINVAL");
	tap_is_errno(mmap(NULL, PG, PROT_READ, MAP_SHARED, -1, 0), EBADF,
		     "a file mapping with fd -1 fails with EBADF");
	tap_is_errno(mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED, rfd, 0), EACCES,
		     "PROT_WRITE|MAP_SHARED on an O_RDONLY fd fails with EACCES");
	p = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE, rfd, 0);
	tap_ok(p != MAP_FAILED, "PROT_WRITE|MAP_PRIVATE on an O_RDONLY fd is allowed");
	tap_is_errno(mmap(NULL, PG, PROT_READ, MAP_SHARED, wfd, 0), EACCES,
		     "mapping an O_WRONLY fd fails with EACCES");
	dfd = open(".", O_RDONLY | O_DIRECTORY);
	pipe(pfd);
	tap_ok(mmap(NULL, PG, PROT_READ, MAP_PRIVATE, dfd, 0) == MAP_FAILED && errno == ENODEV &&
	       mmap(NULL, PG, PROT_READ, MAP_PRIVATE, pfd[0], 0) == MAP_FAILED && errno == ENODEV,
	       "mapping a directory or a pipe fails with ENODEV");
	tap_is_errno(mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED_VALIDATE | MAP_SYNC, fd, 0),
		     EOPNOTSUPP, "MAP_SYNC on a tmpfs file fails with EOPNOTSUPP");
	unlink("mapfile2");
	return tap_done();
}
