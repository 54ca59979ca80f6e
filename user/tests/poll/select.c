/*
 * select/pselect6 (man 2 select): read and write readiness on pipes, EOF
 * counting as readable, the returned count over several sets, fds at or
 * above nfds ignored, a high fd near FD_SETSIZE, one ready pipe among 100,
 * a wake-up from another process, the kernel updating the timeout
 * (Linux-specific, raw syscall: musl passes a copy), timeouts of 0 and
 * 20 ms (lower bound only), pselect's signal mask (EINTR), and EBADF /
 * EINVAL error paths.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/select.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tap.h"
#include "testutil.h"

#define NPIPES 100

static volatile sig_atomic_t got_usr1;

static void on_usr1(int sig)
{
	got_usr1 = 1;
}

static long sys_select(int n, fd_set *r, fd_set *w, fd_set *e,
		       struct timeval *tv)
{
	return syscall(SYS_select, n, r, w, e, tv);
}

int main(void)
{
	static int pipes[NPIPES][2];
	struct timeval tv;
	struct timespec ts;
	fd_set rd, wr, ex;
	sigset_t block, none;
	int p[2], q[2], i, n, maxfd, others;
	long t0;
	pid_t pid;

	alarm(20);
	tap_plan(23);
	if (pipe(p) < 0)
		tap_bail("pipe: %s", strerror(errno));

	FD_ZERO(&rd);
	FD_SET(p[0], &rd);
	tv = (struct timeval){0, 0};
	tap_is_int(select(p[0] + 1, &rd, NULL, NULL, &tv), 0,
		   "select with a zero timeout on an empty pipe returns 0");
	tap_ok(!FD_ISSET(p[0], &rd), "the unready fd is cleared from the set");
	FD_ZERO(&wr);
	FD_SET(p[1], &wr);
	tap_ok(select(p[1] + 1, NULL, &wr, NULL, &tv) == 1 &&
		       FD_ISSET(p[1], &wr),
	       "the write end of an empty pipe is writable");
	write(p[1], "x", 1);
	FD_ZERO(&rd);
	FD_SET(p[0], &rd);
	FD_SET(p[1], &wr);
	FD_ZERO(&ex);
	FD_SET(p[0], &ex);
	maxfd = p[0] > p[1] ? p[0] : p[1];
	tap_is_int(select(maxfd + 1, &rd, &wr, &ex, &tv), 2,
		   "select returns the number of set bits over all sets");
	tap_ok(FD_ISSET(p[0], &rd) && FD_ISSET(p[1], &wr) &&
		       !FD_ISSET(p[0], &ex),
	       "readable and writable are set, no exceptional condition on a pipe");
	FD_ZERO(&rd);
	FD_SET(p[0], &rd);
	tap_is_int(select(p[0], &rd, NULL, NULL, &tv), 0,
		   "fds at or above nfds are ignored");

	/* A high fd number, below FD_SETSIZE. */
	tap_is_int(dup2(p[0], 1000), 1000, "dup2 to fd 1000 succeeds");
	FD_ZERO(&rd);
	FD_SET(1000, &rd);
	tap_ok(select(1001, &rd, NULL, NULL, &tv) == 1 && FD_ISSET(1000, &rd),
	       "select works on fd 1000");
	close(1000);

	/* Error paths: a closed fd in a set, negative nfds, a bad timeout. */
	FD_ZERO(&rd);
	FD_SET(1000, &rd);
	tap_is_errno(select(1001, &rd, NULL, NULL, &tv), EBADF,
		     "a closed fd in a set fails with EBADF");
	tap_is_errno(sys_select(-1, NULL, NULL, NULL, &tv), EINVAL,
		     "negative nfds fails with EINVAL");
	tv = (struct timeval){0, -1};
	tap_is_errno(sys_select(0, NULL, NULL, NULL, &tv), EINVAL,
		     "a negative tv_usec fails with EINVAL");
	tap_is_errno(sys_select(1, (fd_set *)8, NULL, NULL, NULL), EFAULT,
		     "an unmapped fd_set fails with EFAULT");

	/* Linux writes the remaining time back. */
	read(p[0], &i, 1);
	FD_ZERO(&rd);
	FD_SET(p[0], &rd);
	tv = (struct timeval){0, 20000};
	t0 = mono_ms();
	tap_is_int(sys_select(p[0] + 1, &rd, NULL, NULL, &tv), 0,
		   "select with a 20 ms timeout and nothing ready returns 0");
	tap_ok(mono_ms() - t0 >= 20, "select waited at least 20 ms");
	tap_ok(tv.tv_sec == 0 && tv.tv_usec == 0,
	       "an expired timeout is written back as zero");
	write(p[1], "y", 1);
	tv = (struct timeval){5, 0};
	FD_SET(p[0], &rd);
	n = sys_select(p[0] + 1, &rd, NULL, NULL, &tv);
	tap_ok(n == 1 && tv.tv_sec >= 0 && tv.tv_usec >= 0 &&
		       tv.tv_usec < 1000000 &&
		       (tv.tv_sec < 5 || (tv.tv_sec == 5 && tv.tv_usec == 0)),
	       "a select that returns early writes back a valid remaining time not above the request");

	/* EOF is readable. */
	close(p[1]);
	tv = (struct timeval){0, 0};
	read(p[0], &i, 1);
	FD_SET(p[0], &rd);
	tap_ok(select(p[0] + 1, &rd, NULL, NULL, &tv) == 1 &&
		       FD_ISSET(p[0], &rd),
	       "a pipe whose writer closed is readable (EOF)");
	close(p[0]);

	/* One ready pipe among 100. */
	FD_ZERO(&rd);
	maxfd = 0;
	for (i = 0; i < NPIPES; i++) {
		if (pipe(pipes[i]) < 0)
			tap_bail("pipe %d: %s", i, strerror(errno));
		FD_SET(pipes[i][0], &rd);
		if (pipes[i][0] > maxfd)
			maxfd = pipes[i][0];
	}
	write(pipes[31][1], "!", 1);
	n = select(maxfd + 1, &rd, NULL, NULL, &tv);
	others = 0;
	for (i = 0; i < NPIPES; i++)
		if (i != 31 && FD_ISSET(pipes[i][0], &rd))
			others++;
	tap_ok(n == 1 && FD_ISSET(pipes[31][0], &rd) && others == 0,
	       "only the one written pipe of 100 is reported");

	/* Blocking select woken by another process. */
	pipe(q);
	pid = fork();
	if (pid == 0) {
		write(q[1], "c", 1);
		_exit(0);
	}
	FD_ZERO(&rd);
	FD_SET(q[0], &rd);
	tap_ok(select(q[0] + 1, &rd, NULL, NULL, NULL) == 1 &&
		       FD_ISSET(q[0], &rd),
	       "select without a timeout is woken by a write from another process");
	waitpid(pid, NULL, 0);
	read(q[0], &i, 1);

	/* pselect: the mask applies during the call only. */
	signal(SIGUSR1, on_usr1);
	sigemptyset(&block);
	sigaddset(&block, SIGUSR1);
	sigprocmask(SIG_BLOCK, &block, NULL);
	raise(SIGUSR1);
	ts = (struct timespec){0, 0};
	FD_ZERO(&rd);
	FD_SET(q[0], &rd);
	tap_ok(pselect(q[0] + 1, &rd, NULL, NULL, &ts, &block) == 0 &&
		       !got_usr1,
	       "pselect keeping the signal blocked times out normally");
	sigemptyset(&none);
	FD_SET(q[0], &rd);
	tap_is_errno(pselect(q[0] + 1, &rd, NULL, NULL, NULL, &none), EINTR,
		     "pselect unblocking a pending signal fails with EINTR");
	tap_ok(got_usr1, "the handler ran during pselect");
	ts = (struct timespec){0, 1000000000};
	tap_is_errno(pselect(q[0] + 1, &rd, NULL, NULL, &ts, NULL), EINVAL,
		     "pselect with tv_nsec of 1e9 fails with EINVAL");

	return tap_done();
}
