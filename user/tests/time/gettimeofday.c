/*
 * gettimeofday and time agree with CLOCK_REALTIME; setting the clock needs
 * privilege (EPERM for an unprivileged user: clock_settime, settimeofday,
 * adjtimex with modes) while reading does not; as root, invalid settings
 * are rejected with EINVAL before anything changes: a non-settable clock,
 * tv_nsec out of range, a realtime value below CLOCK_MONOTONIC (since Linux
 * 4.3, clock_gettime(2)). No test here ever changes the time.
 * The unprivileged checks run in a child that drops to uid/gid 65534 and
 * sends its errno values back through a pipe. musl's settimeofday()
 * validates and forwards to clock_settime, so the system call is used.
 */
#include <stdint.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/timex.h>
#include <time.h>
#include <unistd.h>

#include "tap.h"
#include "testutil.h"

#define SEC 1000000000LL

/* Run in a child as nobody: errno of each privileged operation. */
static void unprivileged(int *res, void *arg)
{
	struct timespec ts;
	struct timeval tv;
	struct timex tx = { 0 };

	if (drop_to_user(NOBODY, NOBODY))
		_exit(1);
	clock_gettime(CLOCK_REALTIME, &ts);
	gettimeofday(&tv, NULL);
	errno = 0;
	res[0] = clock_settime(CLOCK_REALTIME, &ts) == -1 ? errno : 0;
	errno = 0;
	res[1] = syscall(SYS_settimeofday, &tv, NULL) == -1 ? errno : 0;
	tx.modes = 0;
	errno = 0;
	res[2] = adjtimex(&tx) >= 0 ? 0 : errno;
	tx.modes = ADJ_FREQUENCY;
	errno = 0;
	res[3] = adjtimex(&tx) == -1 ? errno : 0;
}

int main(void)
{
	struct timespec ts;
	struct timeval tv;
	struct timezone tz;
	int64_t before, after, us;
	time_t t, t2, tp;
	int res[4] = { -1, -1, -1, -1 };
	int ok;

	alarm(30);
	tap_plan(18);

	before = clock_ns(CLOCK_REALTIME);
	ok = gettimeofday(&tv, NULL) == 0;
	after = clock_ns(CLOCK_REALTIME);
	us = (int64_t)tv.tv_sec * 1000000 + tv.tv_usec;
	tap_ok(ok && tv.tv_usec >= 0 && tv.tv_usec < 1000000, "gettimeofday returns a valid timeval");
	tap_ok(us >= before / 1000 && us * 1000 <= after,
	       "gettimeofday lies between two CLOCK_REALTIME readings");
	before = clock_ns(CLOCK_REALTIME);
	ok = syscall(SYS_gettimeofday, &tv, &tz) == 0;
	after = clock_ns(CLOCK_REALTIME);
	us = (int64_t)tv.tv_sec * 1000000 + tv.tv_usec;
	tap_ok(ok && us >= before / 1000 && us * 1000 <= after,
	       "the gettimeofday system call (with a timezone) agrees with CLOCK_REALTIME");

	before = clock_ns(CLOCK_REALTIME);
	t = time(NULL);
	after = clock_ns(CLOCK_REALTIME);
	tap_ok(t >= before / SEC && t <= after / SEC, "time() lies between two CLOCK_REALTIME readings");
	/* The system call reads the coarse clock: it may lag by a tick. */
	before = clock_ns(CLOCK_REALTIME);
	t = syscall(SYS_time, &tp);
	t2 = syscall(SYS_time, NULL);
	after = clock_ns(CLOCK_REALTIME);
	tap_ok(t == tp && t >= before / SEC - 1 && t <= after / SEC && t2 >= t,
	       "the time system call returns and stores the current second");
	tap_is_errno(syscall(SYS_gettimeofday, (void *)8, NULL), EFAULT,
		     "gettimeofday with a bad pointer fails with EFAULT");
	tap_is_errno(syscall(SYS_time, (void *)8), EFAULT, "time with a bad pointer fails with EFAULT");

	/* Unprivileged: reading is fine, setting is EPERM. */
	ok = child_results(unprivileged, NULL, res, 4) == 4;
	tap_ok(ok, "the unprivileged child reports back");
	tap_is_int(res[0], EPERM, "clock_settime as an unprivileged user fails with EPERM");
	tap_is_int(res[1], EPERM, "settimeofday as an unprivileged user fails with EPERM");
	tap_is_int(res[2], 0, "adjtimex with modes 0 (read only) is allowed to an unprivileged user");
	tap_is_int(res[3], EPERM, "adjtimex changing the frequency as an unprivileged user fails with EPERM");

	/* As root: rejected without touching the clock. */
	clock_gettime(CLOCK_MONOTONIC, &ts);
	tap_is_errno(clock_settime(CLOCK_MONOTONIC, &ts), EINVAL,
		     "CLOCK_MONOTONIC cannot be set (EINVAL)");
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_nsec = 1000000000;
	tap_is_errno(clock_settime(CLOCK_REALTIME, &ts), EINVAL,
		     "clock_settime with tv_nsec out of range fails with EINVAL");
	ts.tv_nsec = -1;
	tap_is_errno(clock_settime(CLOCK_REALTIME, &ts), EINVAL,
		     "clock_settime with a negative tv_nsec fails with EINVAL");
	ts = (struct timespec){ 0, 0 };
	tap_is_errno(clock_settime(CLOCK_REALTIME, &ts), EINVAL,
		     "setting CLOCK_REALTIME below CLOCK_MONOTONIC fails with EINVAL");
	clock_gettime(CLOCK_REALTIME, &ts);
	tap_is_errno(clock_settime(100, &ts), EINVAL, "clock_settime of an unknown clock fails with EINVAL");
	gettimeofday(&tv, NULL);
	tv.tv_usec = 1000000;
	tap_is_errno(syscall(SYS_settimeofday, &tv, NULL), EINVAL,
		     "settimeofday with tv_usec of 1e6 fails with EINVAL");
	return tap_done();
}
