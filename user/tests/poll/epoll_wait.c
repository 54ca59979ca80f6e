/*
 * epoll readiness semantics (man 7 epoll): level-triggered events repeat,
 * edge-triggered ones fire once per new arrival, EPOLLONESHOT disables the
 * entry until EPOLL_CTL_MOD re-arms it, EPOLLHUP/EPOLLERR are reported
 * without being requested, data is returned as registered, maxevents caps
 * one call, timeouts of 0 and 20 ms (lower bound only), one ready pipe
 * among 100, nested epoll, a registration outliving its fd through a dup,
 * EPOLL_CTL_DEL stopping events, wake-ups from another thread and another
 * process, and epoll_pwait's signal mask (EINTR).
 */
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/epoll.h>
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

static int add(int ep, int fd, unsigned int events, uint64_t data)
{
	struct epoll_event ev = {.events = events, .data.u64 = data};

	return epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
}

static void *writer_thread(void *arg)
{
	write(*(int *)arg, "t", 1);
	return NULL;
}

int main(void)
{
	static int pipes[NPIPES][2];
	struct epoll_event ev, out[8];
	int ep, ep2, p[2], i, n, dupfd;
	sigset_t block, none;
	char buf[16];
	pthread_t th;
	long t0;
	pid_t pid;

	alarm(20);
	tap_plan(29);
	ep = epoll_create1(EPOLL_CLOEXEC);
	if (ep < 0)
		tap_bail("epoll_create1: %s", strerror(errno));

	/* Level-triggered. */
	pipe(p);
	add(ep, p[0], EPOLLIN, 0x1122334455667788ull);
	tap_is_int(epoll_wait(ep, out, 8, 0), 0,
		   "an empty pipe reports nothing");
	write(p[1], "ab", 2);
	n = epoll_wait(ep, out, 8, 0);
	tap_ok(n == 1 && out[0].events == EPOLLIN,
	       "a readable pipe reports EPOLLIN");
	tap_ok(out[0].data.u64 == 0x1122334455667788ull,
	       "the registered 64-bit data comes back unchanged");
	tap_is_int(epoll_wait(ep, out, 8, 0), 1,
		   "level-triggered: still reported while data remains");
	read(p[0], buf, 2);
	tap_is_int(epoll_wait(ep, out, 8, 0), 0,
		   "level-triggered: nothing once the data is read");

	/* Edge-triggered. */
	ev = (struct epoll_event){.events = EPOLLIN | EPOLLET, .data.u64 = 2};
	epoll_ctl(ep, EPOLL_CTL_MOD, p[0], &ev);
	write(p[1], "c", 1);
	tap_is_int(epoll_wait(ep, out, 8, 0), 1,
		   "edge-triggered: a new arrival is reported");
	tap_is_int(epoll_wait(ep, out, 8, 0), 0,
		   "edge-triggered: not reported again without new data");
	write(p[1], "d", 1);
	tap_is_int(epoll_wait(ep, out, 8, 0), 1,
		   "edge-triggered: another arrival is reported again");
	read(p[0], buf, sizeof(buf));

	/* One-shot. */
	ev.events = EPOLLIN | EPOLLONESHOT;
	ev.data.u64 = 3;
	epoll_ctl(ep, EPOLL_CTL_MOD, p[0], &ev);
	write(p[1], "e", 1);
	tap_is_int(epoll_wait(ep, out, 8, 0), 1,
		   "EPOLLONESHOT: the first event is reported");
	write(p[1], "f", 1);
	tap_is_int(epoll_wait(ep, out, 8, 0), 0,
		   "EPOLLONESHOT: the entry is disabled afterwards");
	epoll_ctl(ep, EPOLL_CTL_MOD, p[0], &ev);
	tap_is_int(epoll_wait(ep, out, 8, 0), 1,
		   "EPOLL_CTL_MOD re-arms a one-shot entry");
	read(p[0], buf, sizeof(buf));

	/* Hang-up and error, reported without being asked for. */
	ev = (struct epoll_event){.events = EPOLLIN, .data.u64 = 4};
	epoll_ctl(ep, EPOLL_CTL_MOD, p[0], &ev);
	close(p[1]);
	n = epoll_wait(ep, out, 8, 0);
	tap_ok(n == 1 && out[0].events == EPOLLHUP,
	       "closing the writer reports EPOLLHUP on the read end");
	epoll_ctl(ep, EPOLL_CTL_DEL, p[0], NULL);
	close(p[0]);
	pipe(p);
	add(ep, p[1], EPOLLOUT, 5);
	close(p[0]);
	n = epoll_wait(ep, out, 8, 0);
	tap_ok(n == 1 && out[0].events == (EPOLLOUT | EPOLLERR),
	       "closing the reader reports EPOLLOUT|EPOLLERR on the write end");
	epoll_ctl(ep, EPOLL_CTL_DEL, p[1], NULL);
	close(p[1]);

	/* maxevents caps a call; 100 pipes with one ready. */
	for (i = 0; i < NPIPES; i++) {
		if (pipe(pipes[i]) < 0)
			tap_bail("pipe %d: %s", i, strerror(errno));
		add(ep, pipes[i][0], EPOLLIN, 1000 + i);
	}
	write(pipes[73][1], "!", 1);
	n = epoll_wait(ep, out, 8, 0);
	tap_ok(n == 1 && out[0].data.u64 == 1073,
	       "one ready pipe among 100 is the only event");
	for (i = 0; i < 5; i++)
		write(pipes[i][1], "!", 1);
	tap_is_int(epoll_wait(ep, out, 2, 0), 2,
		   "with 6 ready fds maxevents 2 returns 2");
	tap_is_int(epoll_wait(ep, out, 8, 0), 6,
		   "a larger maxevents returns all 6");
	epoll_ctl(ep, EPOLL_CTL_DEL, pipes[73][0], NULL);
	tap_is_int(epoll_wait(ep, out, 8, 0), 5,
		   "EPOLL_CTL_DEL stops the events of that fd");
	for (i = 0; i < NPIPES; i++) {
		close(pipes[i][0]);
		close(pipes[i][1]);
	}
	tap_is_int(epoll_wait(ep, out, 8, 0), 0,
		   "closing the watched files removes their entries");

	/* Timeouts. */
	pipe(p);
	add(ep, p[0], EPOLLIN, 6);
	t0 = mono_ms();
	tap_is_int(
		epoll_wait(ep, out, 8, 20), 0,
		"epoll_wait with a 20 ms timeout and nothing ready returns 0");
	tap_ok(mono_ms() - t0 >= 20, "epoll_wait waited at least 20 ms");

	/* A registration lives with the open file, not the fd number. */
	dupfd = dup(p[0]);
	close(p[0]);
	write(p[1], "g", 1);
	n = epoll_wait(ep, out, 8, 0);
	tap_ok(n == 1 && out[0].data.u64 == 6,
	       "after closing the fd a dup keeps the registration alive");
	read(dupfd, buf, sizeof(buf));

	/* Nested epoll. */
	ep2 = epoll_create1(0);
	add(ep2, ep, EPOLLIN, 7);
	tap_is_int(epoll_wait(ep2, out, 8, 0), 0,
		   "an outer epoll is not ready while the inner one is idle");
	write(p[1], "h", 1);
	n = epoll_wait(ep2, out, 8, 0);
	tap_ok(n == 1 && out[0].data.u64 == 7 && out[0].events == EPOLLIN,
	       "an outer epoll reports EPOLLIN for a ready inner one");
	tap_ok(poll(&(struct pollfd){.fd = ep, .events = POLLIN}, 1, 0) == 1,
	       "poll on an epoll fd with ready events reports POLLIN");
	read(dupfd, buf, sizeof(buf));

	/* Wake-ups from another thread and another process. */
	pthread_create(&th, NULL, writer_thread, &p[1]);
	n = epoll_wait(ep, out, 8, -1);
	tap_ok(n == 1 && out[0].data.u64 == 6,
	       "an infinite epoll_wait is woken by a write from another thread");
	pthread_join(th, NULL);
	read(dupfd, buf, sizeof(buf));
	pid = fork();
	if (pid == 0) {
		write(p[1], "p", 1);
		_exit(0);
	}
	n = epoll_wait(ep, out, 8, -1);
	tap_ok(n == 1 && out[0].data.u64 == 6,
	       "an infinite epoll_wait is woken by a write from another process");
	waitpid(pid, NULL, 0);
	read(dupfd, buf, sizeof(buf));

	/* epoll_pwait's temporary signal mask. */
	signal(SIGUSR1, on_usr1);
	sigemptyset(&block);
	sigaddset(&block, SIGUSR1);
	sigprocmask(SIG_BLOCK, &block, NULL);
	raise(SIGUSR1);
	tap_ok(epoll_pwait(ep, out, 8, 0, &block) == 0 && !got_usr1,
	       "epoll_pwait keeping the signal blocked returns 0");
	sigemptyset(&none);
	tap_is_errno(
		epoll_pwait(ep, out, 8, -1, &none), EINTR,
		"epoll_pwait unblocking a pending signal fails with EINTR");
	tap_ok(got_usr1, "the handler ran during epoll_pwait");

	return tap_done();
}
