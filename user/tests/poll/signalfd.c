/*
 * signalfd (man 2 signalfd): reading blocked signals as 128-byte
 * struct signalfd_siginfo records (kill's pid/uid, sigqueue's value),
 * several records per read, EINVAL for a short buffer, EAGAIN with
 * SFD_NONBLOCK, SFD_CLOEXEC, the flag and size checks, changing the mask
 * of an existing signalfd (EINVAL on a non-signalfd, EBADF on a bad fd),
 * SIGKILL/SIGSTOP silently dropped, thread-private before shared signals,
 * poll and epoll readiness (and a wake-up from another process), a
 * blocking read woken by a signal, the child's own signals after fork,
 * and the file and its mask kept across exec.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tap.h"
#include "testutil.h"

static int sfd_raw(int fd, const void *mask, size_t size, int flags)
{
	return (int)syscall(SYS_signalfd4, fd, mask, size, flags);
}

static int readable(int fd, int ms)
{
	struct pollfd p = {.fd = fd, .events = POLLIN};

	if (poll(&p, 1, ms) < 0)
		return -1;
	return p.revents;
}

/* After exec: is the inherited fd @fd a signalfd that still has SIGUSR2? */
static int exec_check(int fd)
{
	struct signalfd_siginfo si;

	raise(SIGUSR2);
	if (read(fd, &si, sizeof(si)) != sizeof(si))
		return 1;
	return si.ssi_signo == SIGUSR2 ? 0 : 2;
}

static void test_exec(int fd, char *self)
{
	char arg[16];
	pid_t pid;

	snprintf(arg, sizeof(arg), "%d", fd);
	pid = fork();
	if (pid == 0) {
		char *argv[] = {self, "--exec-check", arg, NULL};

		execv("/proc/self/exe", argv);
		_exit(99);
	}
	tap_is_int(wait_exit_code(pid), 0,
		   "a signalfd and its mask survive exec");
}

static void test_fork(int fd)
{
	struct signalfd_siginfo si;
	pid_t pid;

	raise(SIGUSR1);         /* the parent's: the child must not see it */
	pid = fork();
	if (pid == 0) {
		int ok;

		/* fork leaves the child nothing pending */
		if (read(fd, &si, sizeof(si)) != -1 || errno != EAGAIN)
			_exit(1);
		kill(getpid(), SIGUSR2);
		ok = read(fd, &si, sizeof(si)) == sizeof(si) &&
		     si.ssi_signo == SIGUSR2 &&
		     si.ssi_pid == (uint32_t)getpid();
		_exit(ok ? 0 : 2);
	}
	tap_is_int(wait_exit_code(pid), 0,
		   "after fork the signalfd reads the child's own signals");
	tap_ok(read(fd, &si, sizeof(si)) == sizeof(si) &&
	       si.ssi_signo == SIGUSR1,
	       "the parent's pending signal stays the parent's");
}

static void test_poll(int fd)
{
	struct epoll_event ev = {.events = EPOLLIN}, out;
	struct signalfd_siginfo si;
	int ep = epoll_create1(0);
	pid_t pid;

	tap_is_int(readable(fd, 0), 0, "nothing pending: not readable");
	ev.data.u32 = 7;
	epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
	tap_is_int(epoll_wait(ep, &out, 1, 0), 0,
		   "epoll: nothing ready at first");
	pid = fork();
	if (pid == 0) {
		usleep(100 * 1000);
		kill(getppid(), SIGUSR1);
		_exit(0);
	}
	tap_ok(epoll_wait(ep, &out, 1, 5000) == 1 && out.data.u32 == 7 &&
	       (out.events & EPOLLIN),
	       "epoll_wait wakes when another process sends a masked signal");
	tap_is_int(readable(fd, 0), POLLIN, "poll reports POLLIN");
	read(fd, &si, sizeof(si));
	tap_is_int(readable(fd, 0), 0, "reading it clears the readiness");
	wait_exit_code(pid);
	close(ep);
}

static void test_blocking(int fd)
{
	struct signalfd_siginfo si;
	int flags = fcntl(fd, F_GETFL);
	pid_t pid;

	fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
	pid = fork();
	if (pid == 0) {
		usleep(100 * 1000);
		kill(getppid(), SIGUSR2);
		_exit(0);
	}
	tap_ok(read(fd, &si, sizeof(si)) == sizeof(si) &&
	       si.ssi_signo == SIGUSR2 && si.ssi_pid == (uint32_t)pid &&
	       si.ssi_code == SI_USER,
	       "a blocking read waits for the signal: kill's pid and code");
	fcntl(fd, F_SETFL, flags);
	wait_exit_code(pid);
}

static void test_records(int fd)
{
	struct signalfd_siginfo si[4];
	union sigval v = {.sival_int = 4242};
	char small[127];

	tap_is_int(sizeof(struct signalfd_siginfo), 128,
		   "struct signalfd_siginfo is 128 bytes");
	tap_is_errno(read(fd, si, sizeof(si)), EAGAIN,
		     "SFD_NONBLOCK: nothing pending gives EAGAIN");
	raise(SIGUSR1);
	tap_is_errno(read(fd, small, sizeof(small)), EINVAL,
		     "a buffer below 128 bytes gives EINVAL");
	sigqueue(getpid(), SIGRTMIN, v);
	sigqueue(getpid(), SIGRTMIN, v);
	tap_is_int(read(fd, si, sizeof(si) - 1), 3 * 128,
		   "one read returns as many whole records as fit");
	tap_ok(si[0].ssi_signo == SIGUSR1 && si[0].ssi_code == SI_TKILL &&
	       si[0].ssi_pid == (uint32_t)getpid() &&
	       si[0].ssi_uid == getuid(),
	       "raise: signo, SI_TKILL, pid and uid");
	tap_ok(si[1].ssi_signo == (uint32_t)SIGRTMIN &&
	       si[1].ssi_code == SI_QUEUE && si[1].ssi_int == 4242 &&
	       si[2].ssi_signo == (uint32_t)SIGRTMIN,
	       "sigqueue: both real-time instances, with ssi_int");
	kill(getpid(), SIGUSR1);        /* process-wide */
	raise(SIGUSR2);                 /* this thread's own */
	tap_ok(read(fd, si, sizeof(si)) == 2 * 128 &&
	       si[0].ssi_signo == SIGUSR2 && si[1].ssi_signo == SIGUSR1,
	       "the thread's own signals come before the process's");
}

static void test_mask(int fd)
{
	struct signalfd_siginfo si;
	sigset_t m;
	int pfd[2];

	pipe(pfd);
	sigemptyset(&m);
	sigaddset(&m, SIGUSR1);
	raise(SIGUSR2);
	tap_is_int(signalfd(fd, &m, 0), fd,
		   "a new mask for an existing signalfd returns its fd");
	tap_is_errno(read(fd, &si, sizeof(si)), EAGAIN,
		     "the new mask hides the pending SIGUSR2");
	sigaddset(&m, SIGUSR2);
	signalfd(fd, &m, 0);
	tap_ok(read(fd, &si, sizeof(si)) == sizeof(si) &&
	       si.ssi_signo == SIGUSR2, "widening the mask shows it again");
	tap_is_errno(signalfd(pfd[0], &m, 0), EINVAL,
		     "changing the mask of a non-signalfd gives EINVAL");
	tap_is_errno(signalfd(1000, &m, 0), EBADF,
		     "changing the mask of a closed fd gives EBADF");
	close(pfd[0]);
	close(pfd[1]);
}

static void test_create(void)
{
	uint64_t m = 1ull << (SIGUSR1 - 1);
	uint64_t all = ~0ull;
	int fd;

	tap_is_errno(sfd_raw(-1, &m, 4, 0), EINVAL,
		     "a mask size other than 8 gives EINVAL");
	tap_is_errno(sfd_raw(-1, &m, 8, 1), EINVAL,
		     "unknown flags give EINVAL");
	tap_is_errno(sfd_raw(-1, (void *)8, 8, 0), EFAULT,
		     "a bad mask pointer gives EFAULT");
	fd = sfd_raw(-1, &m, 8, SFD_CLOEXEC);
	tap_ok(fd >= 0 && (fcntl(fd, F_GETFD) & FD_CLOEXEC) &&
	       !(fcntl(fd, F_GETFL) & O_NONBLOCK),
	       "SFD_CLOEXEC sets FD_CLOEXEC only");
	close(fd);
	fd = sfd_raw(-1, &all, 8, 0);
	tap_ok(fd >= 0, "a mask with SIGKILL and SIGSTOP is accepted");
	close(fd);
}

int main(int argc, char **argv)
{
	sigset_t m;
	int fd;

	if (argc > 2 && strcmp(argv[1], "--exec-check") == 0)
		return exec_check(atoi(argv[2]));
	alarm(30);
	tap_plan(27);

	sigemptyset(&m);
	sigaddset(&m, SIGUSR1);
	sigaddset(&m, SIGUSR2);
	sigaddset(&m, SIGRTMIN);
	sigprocmask(SIG_BLOCK, &m, NULL);
	test_create();
	fd = signalfd(-1, &m, SFD_NONBLOCK);
	tap_ok(fd >= 0 && (fcntl(fd, F_GETFL) & O_NONBLOCK),
	       "SFD_NONBLOCK sets O_NONBLOCK");
	test_records(fd);
	test_mask(fd);
	test_poll(fd);
	test_blocking(fd);
	test_fork(fd);
	test_exec(fd, argv[0]);
	return tap_done();
}
