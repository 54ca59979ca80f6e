/*
 * Anonymous pipes: pipe/pipe2 (O_CLOEXEC, O_NONBLOCK, EINVAL for other
 * flags, EFAULT), data order, ends that only read or only write (EBADF),
 * EOF once every writer is closed (including a child's copy), EPIPE with
 * SIGPIPE ignored or blocked (then pending), death by SIGPIPE by default,
 * EAGAIN on an empty non-blocking pipe, FIONREAD, lseek/pread → ESPIPE,
 * fstat (S_IFIFO) and the /proc/self/fd link "pipe:[ino]".
 */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tap.h"

static int fd_flags(int fd)
{
	return fcntl(fd, F_GETFD);
}

static int fl_flags(int fd)
{
	return fcntl(fd, F_GETFL);
}

int main(void)
{
	int p[2], q[2], r[2], n, status;
	char buf[128], link[64], want[64];
	struct stat st;
	sigset_t set, pend;
	pid_t pid;

	alarm(20);
	tap_plan(32);

	/* Creation and flags. */
	tap_is_int(pipe(p), 0, "pipe succeeds");
	tap_ok(p[0] >= 0 && p[1] >= 0 && p[0] != p[1],
	       "pipe returns two distinct fds");
	tap_ok(!(fd_flags(p[0]) & FD_CLOEXEC) && !(fl_flags(p[0]) & O_NONBLOCK),
	       "pipe fds are blocking and not close-on-exec");
	tap_is_int(fl_flags(p[0]) & O_ACCMODE, O_RDONLY,
		   "the read end is O_RDONLY");
	tap_is_int(fl_flags(p[1]) & O_ACCMODE, O_WRONLY,
		   "the write end is O_WRONLY");
	tap_ok(fstat(p[0], &st) == 0 && S_ISFIFO(st.st_mode),
	       "fstat reports S_IFIFO");
	snprintf(link, sizeof(link), "/proc/self/fd/%d", p[0]);
	n = readlink(link, buf, sizeof(buf) - 1);
	buf[n < 0 ? 0 : n] = '\0';
	snprintf(want, sizeof(want), "pipe:[%lu]", (unsigned long)st.st_ino);
	tap_is_str(buf, want, "/proc/self/fd names the pipe as pipe:[inode]");

	tap_is_int(pipe2(q, O_CLOEXEC), 0, "pipe2 with O_CLOEXEC succeeds");
	tap_ok((fd_flags(q[0]) & FD_CLOEXEC) && (fd_flags(q[1]) & FD_CLOEXEC),
	       "O_CLOEXEC sets FD_CLOEXEC on both ends");
	close(q[0]);
	close(q[1]);
	pipe2(q, O_NONBLOCK);
	tap_ok((fl_flags(q[0]) & O_NONBLOCK) && (fl_flags(q[1]) & O_NONBLOCK),
	       "O_NONBLOCK sets O_NONBLOCK on both ends");
	tap_ok(!(fd_flags(q[0]) & FD_CLOEXEC),
	       "pipe2 with O_NONBLOCK alone leaves FD_CLOEXEC clear");
	tap_is_errno(pipe2(r, O_RDWR), EINVAL,
		     "pipe2 with O_RDWR fails with EINVAL");
	tap_is_errno(pipe2(r, O_APPEND), EINVAL,
		     "pipe2 with O_APPEND fails with EINVAL");
	tap_is_errno(syscall(SYS_pipe2, (int *)8, 0), EFAULT,
		     "pipe2 into an unmapped array fails with EFAULT");

	/* Non-blocking empty pipe and FIONREAD. */
	tap_is_errno(read(q[0], buf, sizeof(buf)), EAGAIN,
		     "reading an empty non-blocking pipe fails with EAGAIN");
	write(q[1], "0123456789", 10);
	write(q[1], "abcdef", 6);
	n = -1;
	ioctl(q[0], FIONREAD, &n);
	tap_is_int(n, 16, "FIONREAD counts the bytes written");
	memset(buf, 0, sizeof(buf));
	tap_is_int(read(q[0], buf, 4), 4,
		   "a short read returns only what was asked");
	n = -1;
	ioctl(q[0], FIONREAD, &n);
	tap_is_int(n, 12, "FIONREAD drops by the bytes read");
	read(q[0], buf + 4, sizeof(buf) - 4);
	tap_is_str(buf, "0123456789abcdef",
		   "data comes out in write order across writes");
	tap_is_errno(lseek(q[0], 0, SEEK_SET), ESPIPE,
		     "lseek on a pipe fails with ESPIPE");
	tap_is_errno(pread(q[0], buf, 1, 0), ESPIPE,
		     "pread on a pipe fails with ESPIPE");
	tap_is_errno(pwrite(q[1], buf, 1, 0), ESPIPE,
		     "pwrite on a pipe fails with ESPIPE");
	close(q[0]);
	close(q[1]);

	/* Wrong ends. */
	tap_is_errno(write(p[0], "x", 1), EBADF,
		     "writing the read end fails with EBADF");
	tap_is_errno(read(p[1], buf, 1), EBADF,
		     "reading the write end fails with EBADF");

	/* EOF only once every writer, including a child's copy, is closed. */
	pid = fork();
	if (pid == 0) {
		close(p[0]);
		write(p[1], "child", 5);
		_exit(0); /* closes the child's write end */
	}
	close(p[1]);
	n = read(p[0], buf, sizeof(buf));
	tap_is_int(n, 5, "data written by a child arrives");
	tap_is_int(read(p[0], buf, sizeof(buf)), 0,
		   "read returns 0 after all writers have closed");
	waitpid(pid, &status, 0);
	close(p[0]);

	/* No readers: EPIPE, and SIGPIPE. */
	pipe(p);
	close(p[0]);
	signal(SIGPIPE, SIG_IGN);
	tap_is_errno(
		write(p[1], "x", 1), EPIPE,
		"writing with no readers fails with EPIPE (SIGPIPE ignored)");
	signal(SIGPIPE, SIG_DFL);
	sigemptyset(&set);
	sigaddset(&set, SIGPIPE);
	sigprocmask(SIG_BLOCK, &set, NULL);
	tap_is_errno(
		write(p[1], "x", 1), EPIPE,
		"writing with no readers fails with EPIPE (SIGPIPE blocked)");
	sigpending(&pend);
	tap_ok(sigismember(&pend, SIGPIPE),
	       "the failed write left SIGPIPE pending");
	/* Discard the pending signal: ignoring a pending signal drops it. */
	signal(SIGPIPE, SIG_IGN);
	signal(SIGPIPE, SIG_DFL);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	pid = fork();
	if (pid == 0) {
		write(p[1], "x", 1);
		_exit(0);
	}
	waitpid(pid, &status, 0);
	tap_ok(WIFSIGNALED(status) && WTERMSIG(status) == SIGPIPE,
	       "a writer with default SIGPIPE handling is killed by SIGPIPE");
	close(p[1]);

	/* A reader in another process keeps the pipe alive. */
	pipe(p);
	pid = fork();
	if (pid == 0) {
		close(p[1]);
		n = read(p[0], buf, sizeof(buf));
		_exit(n == 3 && !memcmp(buf, "abc", 3) ? 0 : 1);
	}
	close(p[0]);
	tap_is_int(write(p[1], "abc", 3), 3,
		   "writing succeeds while a child holds the read end");
	waitpid(pid, &status, 0);
	tap_ok(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	       "the child reads the data");
	close(p[1]);

	return tap_done();
}
