/*
 * timerfd (man 2 timerfd_create): one-shot and periodic timers on
 * CLOCK_MONOTONIC, BOOTTIME and REALTIME; the u64 expiration count
 * (overruns of a periodic timer add up), EINVAL below 8 bytes, EAGAIN
 * with TFD_NONBLOCK, TFD_CLOEXEC, TFD_TIMER_ABSTIME (a past time expires
 * at once), timerfd_gettime's remaining time and interval, old_value,
 * disarming, poll and epoll readiness, a blocking read, setting the wall
 * clock (a wall-clock timer then expires by the new time;
 * TFD_TIMER_CANCEL_ON_SET makes the read fail with ECANCELED), the alarm
 * clocks (EPERM without CAP_WAKE_ALARM), TFD_IOC_SET_TICKS, and the
 * errors of bad flags, clocks, fds and times.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tap.h"
#include "testutil.h"

#ifndef TFD_TIMER_CANCEL_ON_SET
#define TFD_TIMER_CANCEL_ON_SET (1 << 1)
#endif
#ifndef TFD_IOC_SET_TICKS
#define TFD_IOC_SET_TICKS _IOW('T', 0, uint64_t)
#endif

#define MS 1000000L

static int arm(int fd, int flags, long value_ns, long interval_ns)
{
	struct itimerspec its = {
		.it_value = {value_ns / 1000000000L, value_ns % 1000000000L},
		.it_interval = {interval_ns / 1000000000L,
				interval_ns % 1000000000L},
	};

	return timerfd_settime(fd, flags, &its, NULL);
}

static int64_t rd(int fd)
{
	uint64_t v;

	if (read(fd, &v, sizeof(v)) != sizeof(v))
		return -errno;
	return (int64_t)v;
}

static int readable(int fd, int ms)
{
	struct pollfd p = {.fd = fd, .events = POLLIN};

	if (poll(&p, 1, ms) < 0)
		return -1;
	return p.revents;
}

static void test_errors(void)
{
	struct itimerspec its = {{0, 0}, {0, 2000000000L}};
	int fd = timerfd_create(CLOCK_MONOTONIC, 0), pfd[2];
	char b[7];

	tap_is_errno(timerfd_create(CLOCK_MONOTONIC, 4), EINVAL,
		     "unknown create flags give EINVAL");
	tap_is_errno(timerfd_create(CLOCK_PROCESS_CPUTIME_ID, 0), EINVAL,
		     "a CPU-time clock gives EINVAL");
	tap_is_errno(timerfd_settime(fd, 4, &its, NULL), EINVAL,
		     "unknown settime flags give EINVAL");
	its.it_value.tv_nsec = 1000000000L;
	tap_is_errno(timerfd_settime(fd, 0, &its, NULL), EINVAL,
		     "tv_nsec of 1e9 gives EINVAL");
	its.it_value.tv_nsec = 0;
	pipe(pfd);
	tap_is_errno(timerfd_settime(pfd[0], 0, &its, NULL), EINVAL,
		     "settime on a pipe gives EINVAL");
	tap_is_errno(timerfd_gettime(1000, &its), EBADF,
		     "gettime on a closed fd gives EBADF");
	tap_is_errno(timerfd_settime(fd, 0, NULL, NULL), EFAULT,
		     "a NULL new_value gives EFAULT");
	tap_is_errno(read(fd, b, sizeof(b)), EINVAL,
		     "a buffer below 8 bytes gives EINVAL");
	close(pfd[0]);
	close(pfd[1]);
	close(fd);
}

static void test_oneshot(void)
{
	int fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	struct itimerspec cur, old;

	tap_ok(fd >= 0 && (fcntl(fd, F_GETFL) & O_NONBLOCK) &&
	       (fcntl(fd, F_GETFD) & FD_CLOEXEC),
	       "TFD_NONBLOCK and TFD_CLOEXEC");
	tap_is_int(rd(fd), -EAGAIN, "disarmed, non-blocking: EAGAIN");
	arm(fd, 0, 10000 * MS, 3 * MS);
	timerfd_gettime(fd, &cur);
	tap_ok(cur.it_value.tv_sec >= 9 && cur.it_value.tv_sec <= 10 &&
	       cur.it_interval.tv_sec == 0 &&
	       cur.it_interval.tv_nsec == 3 * MS,
	       "gettime: the time left and the interval");
	arm(fd, 0, 60 * MS, 0);
	tap_is_int(readable(fd, 0), 0, "not readable before it expires");
	tap_is_int(readable(fd, 2000), POLLIN, "poll wakes when it expires");
	tap_is_int(rd(fd), 1, "a one-shot timer expires once");
	tap_is_int(rd(fd), -EAGAIN, "then the count is 0 again");
	timerfd_gettime(fd, &cur);
	tap_ok(cur.it_value.tv_sec == 0 && cur.it_value.tv_nsec == 0,
	       "an expired one-shot timer is disarmed");
	arm(fd, 0, 5000 * MS, 0);
	timerfd_settime(fd, 0, &(struct itimerspec){{0, 0}, {0, 0}}, &old);
	timerfd_gettime(fd, &cur);
	tap_ok(old.it_value.tv_sec >= 4 && cur.it_value.tv_sec == 0 &&
	       cur.it_value.tv_nsec == 0,
	       "a zero value disarms; old_value had the time left");
	close(fd);
}

static void test_periodic(void)
{
	int fd = timerfd_create(CLOCK_BOOTTIME, 0);
	int ep = epoll_create1(0);
	struct epoll_event ev = {.events = EPOLLIN}, out;
	int64_t n;
	long t0;

	epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
	tap_is_int(epoll_wait(ep, &out, 1, 0), 0, "epoll: nothing ready");
	t0 = mono_ms();
	arm(fd, 0, 20 * MS, 10 * MS);
	tap_ok(epoll_wait(ep, &out, 1, 2000) == 1 && (out.events & EPOLLIN),
	       "epoll_wait wakes at the first expiry");
	tap_is_int(rd(fd) >= 1, 1, "a blocking read returns the count");
	usleep(120 * 1000);
	n = rd(fd);
	tap_ok(n >= 8 && n <= (mono_ms() - t0) / 10 + 1,
	       "expiries missed while nobody read are counted (%lld)",
	       (long long)n);
	tap_ok(rd(fd) >= 1 && mono_ms() - t0 < 2000,
	       "a periodic timer keeps firing");
	close(ep);
	close(fd);
}

static void test_abstime(void)
{
	int fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK);
	struct timespec now;
	long t0;

	clock_gettime(CLOCK_MONOTONIC, &now);
	arm(fd, TFD_TIMER_ABSTIME, now.tv_sec * 1000000000L + now.tv_nsec -
				   MS, 0);
	tap_is_int(readable(fd, 1000), POLLIN,
		   "an absolute time in the past expires at once");
	tap_is_int(rd(fd), 1, "once");
	t0 = mono_ms();
	clock_gettime(CLOCK_MONOTONIC, &now);
	arm(fd, TFD_TIMER_ABSTIME, now.tv_sec * 1000000000L + now.tv_nsec +
				   80 * MS, 0);
	readable(fd, 2000);
	tap_ok(rd(fd) == 1 && mono_ms() - t0 >= 70,
	       "an absolute time expires when the clock reaches it");
	close(fd);
}

static int64_t real_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void set_real(int64_t ns)
{
	struct timespec ts = {ns / 1000000000LL, ns % 1000000000LL};

	clock_settime(CLOCK_REALTIME, &ts);
}

static void test_realtime(void)
{
	int fd = timerfd_create(CLOCK_REALTIME, TFD_NONBLOCK);
	int cfd = timerfd_create(CLOCK_REALTIME, 0);
	int64_t start = real_ns(), hour = 3600LL * 1000000000LL;

	arm(fd, TFD_TIMER_ABSTIME, start + hour, 0);
	arm(cfd, TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET, start + 2 * hour,
	    0);
	tap_is_int(readable(cfd, 0), 0, "CANCEL_ON_SET: not readable yet");
	set_real(real_ns() + 90 * 60 * 1000000000LL);
	tap_is_int(readable(fd, 1000), POLLIN,
		   "setting the wall clock past a wall-clock timer fires it");
	tap_is_int(rd(fd), 1, "it counts one expiry");
	tap_is_int(readable(cfd, 0), POLLIN,
		   "CANCEL_ON_SET: setting the clock makes it readable");
	tap_is_int(rd(cfd), -ECANCELED, "and the read fails with ECANCELED");
	set_real(real_ns() - 90 * 60 * 1000000000LL);
	close(fd);
	close(cfd);
}

static void test_alarm(void)
{
	int fd = timerfd_create(CLOCK_BOOTTIME_ALARM, TFD_NONBLOCK);
	uint64_t ticks = 5;
	pid_t pid;

	tap_ok(fd >= 0, "root may use CLOCK_BOOTTIME_ALARM");
	arm(fd, 0, 1 * MS, 0);
	readable(fd, 2000);
	tap_is_int(rd(fd), 1, "an alarm timer expires like the others");
	tap_is_int(ioctl(fd, TFD_IOC_SET_TICKS, &ticks), 0,
		   "TFD_IOC_SET_TICKS");
	tap_is_int(rd(fd), 5, "the next read returns the ticks set");
	ticks = 0;
	tap_is_errno(ioctl(fd, TFD_IOC_SET_TICKS, &ticks), EINVAL,
		     "TFD_IOC_SET_TICKS of 0 gives EINVAL");
	close(fd);
	pid = fork();
	if (pid == 0) {
		if (drop_to_user(NOBODY, NOBODY))
			_exit(2);
		fd = timerfd_create(CLOCK_REALTIME_ALARM, 0);
		_exit(fd < 0 && errno == EPERM ? 0 : 1);
	}
	tap_is_int(wait_exit_code(pid), 0,
		   "without CAP_WAKE_ALARM an alarm clock gives EPERM");
}

int main(void)
{
	alarm(30);
	tap_plan(36);
	test_errors();
	test_oneshot();
	test_periodic();
	test_abstime();
	test_realtime();
	test_alarm();
	return tap_done();
}
