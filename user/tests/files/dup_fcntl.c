/*
 * Descriptor duplication and flags: dup (lowest free slot, shared offset
 * and status flags, FD_CLOEXEC cleared), dup2 (replaces an open target,
 * same-fd no-op), dup3 (O_CLOEXEC, EINVAL for equal fds or bad flags),
 * fcntl F_GETFD/F_SETFD, F_GETFL/F_SETFL (O_APPEND and O_NONBLOCK toggle,
 * access mode fixed), F_DUPFD/F_DUPFD_CLOEXEC minimum, close_range (closing
 * and CLOSE_RANGE_CLOEXEC), EMFILE at RLIMIT_NOFILE, and the EBADF/EINVAL
 * paths for closed, negative and out-of-range descriptors (dup(2),
 * fcntl(2), close_range(2)).
 */
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tap.h"

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)	/* Linux 5.11, <linux/close_range.h> */
#endif

static long my_close_range(unsigned lo, unsigned hi, unsigned flags)
{
	return syscall(SYS_close_range, lo, hi, flags);	/* no wrapper in musl 1.2.3 */
}

static int is_open(int fd)
{
	return fcntl(fd, F_GETFD) != -1;
}

static int lowest_free(void)
{
	int fd = 0;

	while (is_open(fd))
		fd++;
	return fd;
}

/* Child: lower RLIMIT_NOFILE to 16 and dup until it fails; exit with errno. */
static int emfile_child(int fd)
{
	struct rlimit rl = { 16, 16 };
	int e = 0;

	setrlimit(RLIMIT_NOFILE, &rl);
	for (int i = 0; i < 32 && !e; i++)
		if (dup(fd) == -1)
			e = errno;
	if (open("df", O_RDONLY) != -1 || errno != EMFILE)
		return 100;
	return e;
}

int main(void)
{
	struct rlimit rl;
	char buf[8];
	int fd, fd2, fd3, low, pfd[2], st, fl;
	pid_t pid;

	tap_plan(35);
	getrlimit(RLIMIT_NOFILE, &rl);

	fd = open("df", O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	write(fd, "abcdef", 6);
	low = lowest_free();
	fd2 = dup(fd);
	tap_is_int(fd2, low, "dup returns the lowest free descriptor");
	lseek(fd, 2, SEEK_SET);
	tap_is_int(lseek(fd2, 0, SEEK_CUR), 2, "dup'd descriptors share the file offset");
	fcntl(fd, F_SETFL, O_APPEND);
	tap_ok(fcntl(fd2, F_GETFL) & O_APPEND, "dup'd descriptors share the status flags");
	fcntl(fd, F_SETFL, 0);
	tap_ok(fcntl(fd, F_GETFD) == FD_CLOEXEC && fcntl(fd2, F_GETFD) == 0,
	       "the duplicate does not inherit FD_CLOEXEC");

	/* dup2 / dup3. */
	pipe(pfd);
	tap_is_int(dup2(fd, pfd[0]), pfd[0], "dup2 onto an open descriptor returns the target");
	tap_ok(pread(pfd[0], buf, 3, 0) == 3 && memcmp(buf, "abc", 3) == 0,
	       "the target now refers to the file, its pipe was closed");
	tap_is_int(dup2(fd, fd), fd, "dup2 of a descriptor onto itself returns it");
	tap_is_int(fcntl(fd, F_GETFD), FD_CLOEXEC, "dup2 onto itself leaves FD_CLOEXEC alone");
	fd3 = dup3(fd, 50, O_CLOEXEC);
	tap_ok(fd3 == 50 && fcntl(50, F_GETFD) == FD_CLOEXEC, "dup3 with O_CLOEXEC sets FD_CLOEXEC");
	/* musl's dup3() checks fd equality itself and uses dup2 without
	 * O_CLOEXEC, so the kernel's checks need the raw system call. */
	tap_is_errno(syscall(SYS_dup3, fd, fd, 0), EINVAL, "dup3 with equal descriptors fails with EINVAL");
	tap_is_errno(syscall(SYS_dup3, fd, 51, O_APPEND), EINVAL,
		     "dup3 with a flag other than O_CLOEXEC fails with EINVAL");
	close(50);
	tap_is_errno(dup2(50, 51), EBADF, "dup2 from a closed descriptor fails with EBADF");
	tap_is_errno(dup2(fd, -1), EBADF, "dup2 to a negative descriptor fails with EBADF");
	tap_is_errno(dup2(fd, (int)rl.rlim_cur), EBADF, "dup2 to a descriptor at RLIMIT_NOFILE fails with EBADF");

	/* F_GETFD / F_SETFD / F_GETFL / F_SETFL. */
	tap_ok(fcntl(fd2, F_SETFD, FD_CLOEXEC) == 0 && fcntl(fd2, F_GETFD) == FD_CLOEXEC &&
	       fcntl(fd2, F_SETFD, 0) == 0 && fcntl(fd2, F_GETFD) == 0,
	       "F_SETFD sets and clears FD_CLOEXEC");
	fl = fcntl(fd, F_GETFL);
	tap_ok((fl & O_ACCMODE) == O_RDWR && !(fl & O_APPEND), "F_GETFL reports O_RDWR without O_APPEND");
	fcntl(fd, F_SETFL, fl | O_APPEND);
	lseek(fd, 0, SEEK_SET);
	write(fd, "g", 1);
	tap_ok(pread(fd, buf, 7, 0) == 7 && buf[6] == 'g', "F_SETFL O_APPEND makes writes append");
	fcntl(fd, F_SETFL, fl);
	lseek(fd, 0, SEEK_SET);
	write(fd, "A", 1);
	tap_ok(pread(fd, buf, 7, 0) == 7 && buf[0] == 'A' && buf[6] == 'g',
	       "clearing O_APPEND makes writes go to the offset again");
	fcntl(fd, F_SETFL, O_RDONLY);
	tap_is_int(fcntl(fd, F_GETFL) & O_ACCMODE, O_RDWR, "F_SETFL cannot change the access mode");
	pipe(pfd);
	fcntl(pfd[0], F_SETFL, O_NONBLOCK);
	tap_ok((fcntl(pfd[0], F_GETFL) & O_NONBLOCK) && read(pfd[0], buf, 1) == -1 && errno == EAGAIN,
	       "F_SETFL O_NONBLOCK makes an empty pipe read fail with EAGAIN");
	fd3 = open("df", O_WRONLY);
	tap_is_int(fcntl(fd3, F_GETFL) & O_ACCMODE, O_WRONLY, "F_GETFL reports O_WRONLY");
	close(fd3);

	/* F_DUPFD. */
	tap_is_int(fcntl(fd, F_DUPFD, 100), 100, "F_DUPFD returns the lowest free descriptor >= the minimum");
	tap_is_int(fcntl(fd, F_DUPFD, 100), 101, "F_DUPFD skips descriptors in use");
	/* musl's fcntl() adds F_SETFD after F_DUPFD_CLOEXEC: ask the kernel. */
	fd3 = (int)syscall(SYS_fcntl, fd, F_DUPFD_CLOEXEC, 100);
	tap_ok(fd3 == 102 && fcntl(fd3, F_GETFD) == FD_CLOEXEC, "F_DUPFD_CLOEXEC sets FD_CLOEXEC");
	tap_is_errno(fcntl(fd, F_DUPFD, (int)rl.rlim_cur), EINVAL,
		     "F_DUPFD with a minimum at RLIMIT_NOFILE fails with EINVAL");
	tap_is_errno(fcntl(fd, F_DUPFD, -1), EINVAL, "F_DUPFD with a negative minimum fails with EINVAL");

	/* close_range. */
	dup2(fd, 103);
	dup2(fd, 110);
	tap_is_int(my_close_range(100, 103, 0), 0, "close_range succeeds");
	tap_ok(!is_open(100) && !is_open(101) && !is_open(102) && !is_open(103) && is_open(110),
	       "close_range closes exactly the descriptors in the range");
	tap_ok(my_close_range(110, ~0U, CLOSE_RANGE_CLOEXEC) == 0 && is_open(110) &&
	       fcntl(110, F_GETFD) == FD_CLOEXEC,
	       "CLOSE_RANGE_CLOEXEC marks instead of closing");
	tap_ok(my_close_range(5, 4, 0) == -1 && errno == EINVAL &&
	       my_close_range(110, 110, 0x80) == -1 && errno == EINVAL,
	       "close_range with first > last or an unknown flag fails with EINVAL");
	close(110);

	/* Closed and invalid descriptors. */
	tap_is_errno(close(-1), EBADF, "close(-1) fails with EBADF");
	tap_is_errno(close(110), EBADF, "closing a closed descriptor fails with EBADF");
	tap_is_errno(fcntl(110, F_GETFD), EBADF, "fcntl on a closed descriptor fails with EBADF");
	tap_is_errno(fcntl(fd, 9999), EINVAL, "an unknown fcntl command fails with EINVAL");

	/* EMFILE. */
	pid = fork();
	if (pid == 0)
		_exit(emfile_child(fd));
	waitpid(pid, &st, 0);
	tap_ok(WIFEXITED(st) && WEXITSTATUS(st) == EMFILE,
	       "dup and open fail with EMFILE at RLIMIT_NOFILE");

	close(fd);
	close(fd2);
	unlink("df");
	return tap_done();
}
