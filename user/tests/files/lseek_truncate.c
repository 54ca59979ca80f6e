/*
 * lseek and truncation (lseek(2), truncate(2)): SEEK_SET/CUR/END, seeking
 * past EOF and writing creates a hole that reads as zeros, SEEK_DATA and
 * SEEK_HOLE find it (tmpfs supports them), a directory can be seeked;
 * ftruncate/truncate grow (zero-filled) and shrink without moving the
 * offset; RLIMIT_FSIZE gives EFBIG and SIGXFSZ. Errors: EINVAL for a
 * negative result, a bad whence or a negative length, or ftruncate of a
 * descriptor not open for writing; ENXIO for SEEK_DATA past EOF; ESPIPE on
 * a pipe; EBADF; EISDIR for truncate of a directory; ENOENT.
 */
#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tap.h"
#include "testutil.h"

#define HOLE_AT (1 << 20)

static off_t size_of(int fd)
{
	struct stat st;

	return fstat(fd, &st) ? -1 : st.st_size;
}

/* Child with RLIMIT_FSIZE of 1 MiB and SIGXFSZ ignored: bit 0 = ftruncate
 * EFBIG, bit 1 = write EFBIG. With the default action it dies by SIGXFSZ. */
static int fsize_child(int fd, int ignore)
{
	struct rlimit rl = { 1 << 20, 1 << 20 }, nocore = { 0, 0 };
	int res = 0;

	setrlimit(RLIMIT_CORE, &nocore);	/* SIGXFSZ would dump core */
	if (ignore)
		signal(SIGXFSZ, SIG_IGN);
	setrlimit(RLIMIT_FSIZE, &rl);
	if (ftruncate(fd, 2 << 20) == -1 && errno == EFBIG)
		res |= 1;
	if (pwrite(fd, "x", 1, 2 << 20) == -1 && errno == EFBIG)
		res |= 2;
	return res;
}

int main(void)
{
	char buf[8192];
	int fd, rfd, dfd, pfd[2], st;
	pid_t pid;

	tap_plan(28);

	fd = open("seek", O_RDWR | O_CREAT | O_TRUNC, 0644);
	write(fd, "0123456789", 10);
	tap_is_int(lseek(fd, 3, SEEK_SET), 3, "SEEK_SET returns the new offset");
	tap_is_int(lseek(fd, 2, SEEK_CUR), 5, "SEEK_CUR moves relative to the current offset");
	tap_ok(read(fd, buf, 1) == 1 && buf[0] == '5', "reads continue from the sought offset");
	tap_is_int(lseek(fd, -4, SEEK_END), 6, "SEEK_END moves relative to the end");
	tap_is_int(lseek(fd, 0, SEEK_CUR), 6, "SEEK_CUR with 0 reports the offset");
	tap_is_errno(lseek(fd, -100, SEEK_CUR), EINVAL, "a negative resulting offset fails with EINVAL");
	tap_is_int(lseek(fd, 0, SEEK_CUR), 6, "a failed lseek leaves the offset unchanged");
	tap_is_errno(lseek(fd, 0, 42), EINVAL, "an unknown whence fails with EINVAL");

	/* A hole. */
	tap_is_int(lseek(fd, HOLE_AT, SEEK_SET), HOLE_AT, "seeking past EOF is allowed");
	tap_is_int(size_of(fd), 10, "seeking past EOF does not change the size");
	write(fd, "end", 3);
	tap_is_int(size_of(fd), HOLE_AT + 3, "a write past EOF extends the file");
	tap_ok(pread(fd, buf, sizeof(buf), 4096) == sizeof(buf) && mem_all(buf, sizeof(buf), 0),
	       "the hole reads as zeros");
	tap_is_int(lseek(fd, 0, SEEK_HOLE), 4096, "SEEK_HOLE finds the hole after the first page");
	tap_is_int(lseek(fd, 4096, SEEK_DATA), HOLE_AT, "SEEK_DATA finds the data after the hole");
	tap_is_errno(lseek(fd, HOLE_AT + 3, SEEK_DATA), ENXIO, "SEEK_DATA at EOF fails with ENXIO");

	/* Truncation. */
	lseek(fd, 8, SEEK_SET);
	tap_is_int(ftruncate(fd, 4), 0, "ftruncate shrinks a file");
	tap_ok(size_of(fd) == 4 && lseek(fd, 0, SEEK_CUR) == 8 && read(fd, buf, 10) == 0,
	       "shrinking keeps the offset, which now reads EOF");
	ftruncate(fd, 8000);
	tap_ok(size_of(fd) == 8000 && pread(fd, buf, 8000, 0) == 8000 &&
	       memcmp(buf, "0123", 4) == 0 && mem_all(buf + 4, 7996, 0),
	       "ftruncate grows a file with zeros after the old end");
	tap_ok(truncate("seek", 2) == 0 && size_of(fd) == 2, "truncate by path sets the size");
	tap_is_errno(ftruncate(fd, -1), EINVAL, "a negative length fails with EINVAL");
	rfd = open("seek", O_RDONLY);
	tap_is_errno(ftruncate(rfd, 0), EINVAL, "ftruncate of an O_RDONLY descriptor fails with EINVAL");
	mkdir("dir", 0755);
	tap_is_errno(truncate("dir", 0), EISDIR, "truncate of a directory fails with EISDIR");
	tap_is_errno(truncate("missing", 0), ENOENT, "truncate of a missing file fails with ENOENT");
	dfd = open("dir", O_RDONLY | O_DIRECTORY);
	tap_is_int(lseek(dfd, 0, SEEK_SET), 0, "a directory can be rewound with lseek");

	/* Pipes and bad descriptors. */
	pipe(pfd);
	tap_ok(lseek(pfd[0], 0, SEEK_CUR) == -1 && errno == ESPIPE &&
	       lseek(pfd[1], 0, SEEK_SET) == -1 && errno == ESPIPE,
	       "lseek on a pipe fails with ESPIPE");
	close(rfd);
	tap_is_errno(lseek(rfd, 0, SEEK_SET), EBADF, "lseek on a closed descriptor fails with EBADF");

	/* RLIMIT_FSIZE. */
	pid = fork();
	if (pid == 0)
		_exit(fsize_child(fd, 1));
	waitpid(pid, &st, 0);
	tap_ok(WIFEXITED(st) && WEXITSTATUS(st) == 3,
	       "beyond RLIMIT_FSIZE ftruncate and write fail with EFBIG (SIGXFSZ ignored)");
	pid = fork();
	if (pid == 0)
		_exit(fsize_child(fd, 0) | 0x40);
	waitpid(pid, &st, 0);
	/* SIGXFSZ's default action is to dump core: check only the signal. */
	tap_ok(WIFSIGNALED(st) && WTERMSIG(st) == SIGXFSZ,
	       "exceeding RLIMIT_FSIZE raises SIGXFSZ");

	close(dfd);
	close(fd);
	rmdir("dir");
	unlink("seek");
	return tap_done();
}
