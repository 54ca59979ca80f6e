/*
 * eventfd (man 2 eventfd): the counter (initial value, writes add, a read
 * returns and clears it), EFD_SEMAPHORE (reads return 1 and decrement),
 * EFD_NONBLOCK (EAGAIN on 0 and when a write would pass the maximum
 * 0xfffffffffffffffe), EFD_CLOEXEC, the 8-byte buffer rule (EINVAL below),
 * writing 0xffffffffffffffff (EINVAL), poll readiness at 0, in between and
 * at the maximum, EINVAL for unknown flags, and blocking reads and writes
 * woken from another thread or process.
 */
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <sys/eventfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tap.h"

#define EFD_MAX 0xfffffffffffffffeull

static uint64_t rd(int fd)
{
	uint64_t v = 0;

	if (read(fd, &v, sizeof(v)) != sizeof(v))
		return (uint64_t)-1;
	return v;
}

static long wr(int fd, uint64_t v)
{
	return write(fd, &v, sizeof(v));
}

static short revents(int fd)
{
	struct pollfd p = {.fd = fd, .events = POLLIN | POLLOUT};

	if (poll(&p, 1, 0) < 0)
		return -1;
	return p.revents;
}

static void *thread_write(void *arg)
{
	wr(*(int *)arg, 1); /* may block until the main thread reads */
	return NULL;
}

int main(void)
{
	char small[8], big[16];
	uint64_t v;
	int fd, sfd, bfd, status;
	pthread_t th;
	pid_t pid;

	alarm(20);
	tap_plan(28);

	fd = eventfd(5, EFD_NONBLOCK | EFD_CLOEXEC);
	tap_ok(fd >= 0 && (fcntl(fd, F_GETFL) & O_NONBLOCK),
	       "EFD_NONBLOCK sets O_NONBLOCK");
	tap_ok(fcntl(fd, F_GETFD) & FD_CLOEXEC, "EFD_CLOEXEC sets FD_CLOEXEC");
	tap_is_int(revents(fd), POLLIN | POLLOUT,
		   "a non-zero counter is readable and writable");
	tap_is_int(rd(fd), 5, "the first read returns the initial value");
	tap_is_errno(
		read(fd, &v, sizeof(v)), EAGAIN,
		"reading a zero counter without blocking fails with EAGAIN");
	tap_is_int(revents(fd), POLLOUT, "a zero counter is only writable");
	wr(fd, 3);
	wr(fd, 4);
	tap_is_int(rd(fd), 7, "writes add to the counter");
	tap_is_int(wr(fd, 0), 8, "writing 0 succeeds");
	tap_is_errno(read(fd, &v, sizeof(v)), EAGAIN,
		     "writing 0 leaves the counter at 0");

	/* Buffer sizes. */
	wr(fd, 9);
	tap_is_errno(read(fd, small, 7), EINVAL,
		     "a read buffer of 7 bytes fails with EINVAL");
	tap_is_errno(write(fd, small, 7), EINVAL,
		     "a write of 7 bytes fails with EINVAL");
	memset(big, 0, sizeof(big));
	tap_is_int(read(fd, big, sizeof(big)), 8,
		   "a 16-byte read returns 8 bytes");
	memcpy(&v, big, 8);
	tap_is_int(v, 9, "the larger buffer receives the counter");

	/* The maximum. */
	tap_is_errno(wr(fd, UINT64_MAX), EINVAL,
		     "writing 0xffffffffffffffff fails with EINVAL");
	tap_is_int(wr(fd, EFD_MAX), 8,
		   "the counter can reach 0xfffffffffffffffe");
	tap_is_errno(
		wr(fd, 1), EAGAIN,
		"a write past the maximum fails with EAGAIN when non-blocking");
	tap_is_int(revents(fd), POLLIN,
		   "a counter at the maximum is readable but not writable");
	tap_ok(rd(fd) == EFD_MAX, "reading returns the maximum value");
	close(fd);
	fd = eventfd(UINT_MAX, EFD_NONBLOCK);
	tap_ok(rd(fd) == UINT_MAX, "the initial value can be UINT_MAX");
	close(fd);

	/* Semaphore mode. */
	sfd = eventfd(3, EFD_SEMAPHORE | EFD_NONBLOCK);
	tap_ok(rd(sfd) == 1 && rd(sfd) == 1 && rd(sfd) == 1,
	       "EFD_SEMAPHORE reads return 1 per read");
	tap_is_errno(read(sfd, &v, sizeof(v)), EAGAIN,
		     "EFD_SEMAPHORE: after three reads of 3 the counter is 0");
	wr(sfd, 2);
	tap_ok(rd(sfd) == 1 && rd(sfd) == 1,
	       "EFD_SEMAPHORE: a write of 2 allows two reads");
	close(sfd);

	tap_is_errno(eventfd(0, 0x10), EINVAL,
		     "eventfd with an unknown flag fails with EINVAL");

	/* Blocking: a read woken by another thread's write. */
	bfd = eventfd(0, 0);
	pthread_create(&th, NULL, thread_write, &bfd);
	tap_ok(rd(bfd) == 1,
	       "a blocking read is woken by a write from another thread");
	pthread_join(th, NULL);
	/* A write that would overflow blocks until a read makes room. */
	wr(bfd, EFD_MAX);
	pthread_create(&th, NULL, thread_write, &bfd);
	tap_ok(rd(bfd) == EFD_MAX,
	       "with a writer waiting the read returns the maximum");
	tap_ok(rd(bfd) == 1, "the blocked write completes after the read");
	pthread_join(th, NULL);

	/* Shared across fork. */
	pid = fork();
	if (pid == 0) {
		_exit(wr(bfd, 42) == 8 ? 0 : 1);
	}
	tap_ok(rd(bfd) == 42,
	       "a write in a child process wakes the parent's blocking read");
	waitpid(pid, &status, 0);
	tap_ok(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	       "the child's write succeeded");
	close(bfd);

	return tap_done();
}
