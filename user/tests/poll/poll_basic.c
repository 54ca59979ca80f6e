/*
 * poll/ppoll (man 2 poll): readiness of pipe ends (POLLIN, POLLOUT,
 * POLLHUP after the writer closes, POLLERR after the reader closes),
 * POLLNVAL for a closed fd, negative fds ignored, regular files always
 * ready, timeouts of 0 and of 30 ms (a lower bound only), one ready pipe
 * among 100, wake-ups from another thread and another process, ppoll's
 * signal mask (EINTR for a signal it unblocks), and EINVAL (nfds above
 * RLIMIT_NOFILE, bad timespec) / EFAULT.
 */
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/syscall.h>
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

static void *writer_thread(void *arg)
{
	write(*(int *)arg, "t", 1);
	return NULL;
}

int main(void)
{
	static int pipes[NPIPES][2];
	static struct pollfd many[NPIPES];
	struct pollfd pfd[3];
	struct timespec ts;
	struct rlimit rl;
	sigset_t block, unblock;
	int p[2], q[2], fd, i, n, others;
	char name[64];
	pthread_t th;
	long t0;
	pid_t pid;

	alarm(20);
	tap_plan(25);
	if (pipe(p) < 0)
		tap_bail("pipe: %s", strerror(errno));

	/* Empty pipe: nothing to read, room to write. */
	pfd[0] = (struct pollfd){.fd = p[0], .events = POLLIN};
	pfd[1] = (struct pollfd){.fd = p[1], .events = POLLOUT};
	pfd[0].revents = pfd[1].revents = -1;
	tap_is_int(poll(pfd, 1, 0), 0,
		   "poll with timeout 0 on an empty pipe returns 0");
	tap_is_int(pfd[0].revents, 0,
		   "revents is cleared when nothing is ready");
	tap_is_int(poll(&pfd[1], 1, 0), 1,
		   "the write end of an empty pipe is ready");
	tap_is_int(pfd[1].revents, POLLOUT,
		   "the write end reports exactly POLLOUT");
	write(p[1], "x", 1);
	tap_ok(poll(pfd, 2, 0) == 2 && pfd[0].revents == POLLIN,
	       "after a write the read end reports POLLIN");

	/* Closed fd and negative fd. */
	pfd[2] = (struct pollfd){.fd = 1000, .events = POLLIN};
	tap_ok(poll(&pfd[2], 1, 0) == 1 && pfd[2].revents == POLLNVAL,
	       "a closed fd reports POLLNVAL and counts as ready");
	pfd[2] = (struct pollfd){.fd = -1, .events = POLLIN, .revents = -1};
	tap_ok(poll(&pfd[2], 1, 0) == 0 && pfd[2].revents == 0,
	       "a negative fd is ignored and its revents set to 0");

	/* Hang-up and error conditions are reported even if not requested. */
	close(p[1]);
	pfd[0].events = 0;
	tap_ok(poll(pfd, 1, 0) == 1 && pfd[0].revents == POLLHUP,
	       "with the writer closed the read end reports POLLHUP even for events 0");
	pfd[0].events = POLLIN;
	poll(pfd, 1, 0);
	tap_is_int(pfd[0].revents, POLLIN | POLLHUP,
		   "buffered data and a closed writer report POLLIN|POLLHUP");
	close(p[0]);
	pipe(p);
	close(p[0]);
	pfd[1] = (struct pollfd){.fd = p[1], .events = POLLOUT};
	tap_ok(poll(&pfd[1], 1, 0) == 1 && (pfd[1].revents & POLLERR),
	       "with the reader closed the write end reports POLLERR");
	close(p[1]);

	/* Regular files are always readable and writable. */
	snprintf(name, sizeof(name), "poll_basic.%d", (int)getpid());
	fd = open(name, O_RDWR | O_CREAT | O_EXCL, 0600);
	unlink(name);
	pfd[0] = (struct pollfd){.fd = fd, .events = POLLIN | POLLOUT};
	tap_ok(poll(pfd, 1, 0) == 1 && pfd[0].revents == (POLLIN | POLLOUT),
	       "a regular file is always ready for reading and writing");
	close(fd);

	/* A real timeout: wait at least that long (never an upper bound). */
	pipe(p);
	pfd[0] = (struct pollfd){.fd = p[0], .events = POLLIN};
	t0 = mono_ms();
	n = poll(pfd, 1, 30);
	tap_is_int(n, 0,
		   "poll with a 30 ms timeout and nothing ready returns 0");
	tap_ok(mono_ms() - t0 >= 30, "poll waited at least the 30 ms timeout");

	/* One ready pipe among many. */
	for (i = 0; i < NPIPES; i++) {
		if (pipe(pipes[i]) < 0)
			tap_bail("pipe %d: %s", i, strerror(errno));
		many[i] = (struct pollfd){.fd = pipes[i][0], .events = POLLIN};
	}
	write(pipes[57][1], "!", 1);
	n = poll(many, NPIPES, 0);
	others = 0;
	for (i = 0; i < NPIPES; i++)
		if (i != 57 && many[i].revents)
			others++;
	tap_is_int(n, 1, "poll over 100 pipes counts the single ready one");
	tap_ok(many[57].revents == POLLIN && others == 0,
	       "only the written pipe has revents set");

	/* Wake-ups from another thread and from another process. */
	pthread_create(&th, NULL, writer_thread, &p[1]);
	tap_ok(poll(pfd, 1, -1) == 1 && pfd[0].revents == POLLIN,
	       "an infinite poll is woken by a write from another thread");
	pthread_join(th, NULL);
	read(p[0], name, sizeof(name));
	pipe(q);
	pid = fork();
	if (pid == 0) {
		write(q[1], "p", 1);
		_exit(0);
	}
	pfd[1] = (struct pollfd){.fd = q[0], .events = POLLIN};
	tap_ok(poll(pfd, 2, -1) == 1 && pfd[1].revents == POLLIN &&
		       pfd[0].revents == 0,
	       "an infinite poll is woken by a write from another process");
	waitpid(pid, NULL, 0);

	/* ppoll: the signal mask is swapped in only for the call. */
	signal(SIGUSR1, on_usr1);
	sigemptyset(&block);
	sigaddset(&block, SIGUSR1);
	sigprocmask(SIG_BLOCK, &block, NULL);
	raise(SIGUSR1);
	ts = (struct timespec){.tv_sec = 0, .tv_nsec = 0};
	tap_ok(ppoll(pfd, 1, &ts, &block) == 0 && !got_usr1,
	       "ppoll with the signal still blocked times out normally");
	sigemptyset(&unblock);
	tap_is_errno(ppoll(pfd, 1, NULL, &unblock), EINTR,
		     "ppoll unblocking a pending signal fails with EINTR");
	tap_ok(got_usr1, "the handler ran during ppoll");
	ts.tv_nsec = 1000000000;
	tap_is_errno(ppoll(pfd, 1, &ts, NULL), EINVAL,
		     "ppoll with tv_nsec of 1e9 fails with EINVAL");
	ts = (struct timespec){.tv_sec = 0, .tv_nsec = 10 * 1000000};
	t0 = mono_ms();
	tap_ok(ppoll(pfd, 1, &ts, NULL) == 0 && mono_ms() - t0 >= 10,
	       "ppoll with a 10 ms timeout waits at least that long");

	/* Bad arguments. */
	tap_is_errno(poll((struct pollfd *)8, 1, 0), EFAULT,
		     "poll on an unmapped array fails with EFAULT");
	getrlimit(RLIMIT_NOFILE, &rl);
	rl.rlim_cur = 64;
	setrlimit(RLIMIT_NOFILE, &rl);
	tap_is_errno(poll(many, 65, 0), EINVAL,
		     "nfds above RLIMIT_NOFILE fails with EINVAL");
	for (i = 0; i < 64; i++)
		many[i].fd = -1;
	tap_is_int(poll(many, 64, 0), 0,
		   "nfds equal to RLIMIT_NOFILE is accepted");

	return tap_done();
}
