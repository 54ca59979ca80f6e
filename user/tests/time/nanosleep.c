/*
 * nanosleep and clock_nanosleep: relative sleeps last at least the
 * requested time, TIMER_ABSTIME sleeps end no earlier than the target,
 * invalid timespecs and clocks fail with EINVAL, and a signal handler
 * interrupts a sleep with EINTR and the unslept time (never for
 * TIMER_ABSTIME, never restarted even with SA_RESTART: signal(7)).
 * Ignored and blocked signals do not interrupt a sleep.
 *
 * Only lower bounds are asserted: elapsed >= requested. Signals come from a
 * repeating ITIMER_REAL so a signal that arrives before the sleep starts
 * is followed by another one; no result depends on scheduling latency.
 * clock_nanosleep returns the error number instead of setting errno.
 */
#include <signal.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "tap.h"
#include "testutil.h"

#define MS 1000000LL
#define SEC 1000000000LL

static volatile sig_atomic_t alarms;

static void on_alarm(int sig)
{
	alarms++;
}

static int64_t ns(const struct timespec *t)
{
	return (int64_t)t->tv_sec * SEC + t->tv_nsec;
}

static struct timespec ts(int64_t n)
{
	return (struct timespec){ .tv_sec = n / SEC, .tv_nsec = n % SEC };
}

/* SIGALRM every @ms milliseconds (0 stops it), with handler flags @flags. */
static void ticker(int ms, int flags, void (*handler)(int))
{
	struct itimerval it = {
		.it_value = { 0, ms * 1000 },
		.it_interval = { 0, ms * 1000 },
	};

	sig_install(SIGALRM, handler, flags);
	setitimer(ITIMER_REAL, &it, NULL);
}

int main(void)
{
	struct timespec req, rem;
	int64_t t0, t1, target;
	sigset_t set;
	int r, e;

	tap_plan(23);

	/* Relative sleeps. */
	req = ts(20 * MS);
	t0 = clock_ns(CLOCK_MONOTONIC);
	r = nanosleep(&req, NULL);
	t1 = clock_ns(CLOCK_MONOTONIC);
	tap_is_int(r, 0, "nanosleep of 20 ms returns 0");
	tap_ok(t1 - t0 >= 20 * MS, "nanosleep lasts at least the requested time");
	t0 = clock_ns(CLOCK_MONOTONIC);
	r = clock_nanosleep(CLOCK_MONOTONIC, 0, &req, NULL);
	t1 = clock_ns(CLOCK_MONOTONIC);
	tap_ok(r == 0 && t1 - t0 >= 20 * MS, "a relative CLOCK_MONOTONIC clock_nanosleep lasts at least 20 ms");
	t0 = clock_ns(CLOCK_MONOTONIC);
	r = clock_nanosleep(CLOCK_REALTIME, 0, &req, NULL);
	t1 = clock_ns(CLOCK_MONOTONIC);
	tap_ok(r == 0 && t1 - t0 >= 20 * MS, "a relative CLOCK_REALTIME clock_nanosleep lasts at least 20 ms");
	t0 = clock_ns(CLOCK_BOOTTIME);
	r = clock_nanosleep(CLOCK_BOOTTIME, 0, &req, NULL);
	t1 = clock_ns(CLOCK_BOOTTIME);
	tap_ok(r == 0 && t1 - t0 >= 20 * MS, "a relative CLOCK_BOOTTIME clock_nanosleep lasts at least 20 ms");
	req = ts(0);
	tap_is_int(nanosleep(&req, NULL), 0, "a zero-length nanosleep returns 0");

	/* Absolute sleeps. */
	target = clock_ns(CLOCK_MONOTONIC) + 30 * MS;
	req = ts(target);
	r = clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &req, NULL);
	tap_ok(r == 0 && clock_ns(CLOCK_MONOTONIC) >= target,
	       "a TIMER_ABSTIME sleep on CLOCK_MONOTONIC ends at or after the target");
	target = clock_ns(CLOCK_REALTIME) + 30 * MS;
	req = ts(target);
	r = clock_nanosleep(CLOCK_REALTIME, TIMER_ABSTIME, &req, NULL);
	tap_ok(r == 0 && clock_ns(CLOCK_REALTIME) >= target,
	       "a TIMER_ABSTIME sleep on CLOCK_REALTIME ends at or after the target");
	req = ts(clock_ns(CLOCK_MONOTONIC) - SEC);
	tap_is_int(clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &req, NULL), 0,
		   "a TIMER_ABSTIME target in the past returns 0 at once");

	/* Invalid arguments. */
	req = (struct timespec){ 0, 1000000000 };
	tap_is_errno(nanosleep(&req, NULL), EINVAL, "tv_nsec of 1e9 fails with EINVAL");
	req = (struct timespec){ 0, -1 };
	tap_is_errno(nanosleep(&req, NULL), EINVAL, "a negative tv_nsec fails with EINVAL");
	req = (struct timespec){ -1, 0 };
	tap_is_errno(nanosleep(&req, NULL), EINVAL, "a negative tv_sec fails with EINVAL");
	req = (struct timespec){ 0, 1000000000 };
	tap_is_int(clock_nanosleep(CLOCK_MONOTONIC, 0, &req, NULL), EINVAL,
		   "clock_nanosleep returns EINVAL for tv_nsec out of range");
	req = ts(MS);
	tap_is_int(clock_nanosleep(100, 0, &req, NULL), EINVAL,
		   "clock_nanosleep returns EINVAL for an unknown clock");
	/*
	 * musl refuses this clock itself with EINVAL; the kernel's thread CPU
	 * clock has no nsleep method, which clock_nanosleep(2) lists as
	 * ENOTSUP (== EOPNOTSUPP on Linux).
	 */
	tap_is_errno(syscall(SYS_clock_nanosleep, CLOCK_THREAD_CPUTIME_ID, 0, &req, NULL),
		     EOPNOTSUPP, "sleeping on CLOCK_THREAD_CPUTIME_ID fails with ENOTSUP");
	tap_is_errno(syscall(SYS_nanosleep, (void *)8, NULL), EFAULT,
		     "a bad request pointer fails with EFAULT");

	/* Interrupted by a handler: EINTR and the remaining time. */
	alarm(60);	/* safety net, replaced below by the ticker */
	ticker(20, 0, on_alarm);
	req = ts(10 * SEC);
	rem = ts(0);
	t0 = clock_ns(CLOCK_MONOTONIC);
	r = nanosleep(&req, &rem);
	e = errno;
	t1 = clock_ns(CLOCK_MONOTONIC);
	tap_ok(r == -1 && e == EINTR, "a handled signal interrupts nanosleep with EINTR");
	/*
	 * The kernel slept within [t0, t1], so rem >= req - (t1 - t0). Linux
	 * computes rem from the timer's hard expiry, which includes the
	 * task's timer slack (50 us by default): allow 1 ms above req.
	 */
	tap_ok(ns(&rem) > 0 && ns(&rem) <= 10 * SEC + MS && ns(&rem) >= 10 * SEC - (t1 - t0),
	       "the remaining time is positive and accounts for the time slept");
	ticker(20, SA_RESTART, on_alarm);
	tap_is_errno(nanosleep(&req, NULL), EINTR, "nanosleep is not restarted under SA_RESTART");
	r = clock_nanosleep(CLOCK_MONOTONIC, 0, &req, &rem);
	tap_ok(r == EINTR && ns(&rem) > 0 && ns(&rem) <= 10 * SEC + MS,
	       "a relative clock_nanosleep returns EINTR and the remaining time");
	req = ts(clock_ns(CLOCK_MONOTONIC) + 10 * SEC);
	rem = (struct timespec){ 12345, 678 };
	r = clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &req, &rem);
	tap_ok(r == EINTR && rem.tv_sec == 12345 && rem.tv_nsec == 678,
	       "an interrupted TIMER_ABSTIME sleep returns EINTR and leaves remain alone");

	/* Ignored and blocked signals do not cut the sleep short. */
	ticker(5, 0, SIG_IGN);
	req = ts(100 * MS);
	t0 = clock_ns(CLOCK_MONOTONIC);
	r = nanosleep(&req, NULL);
	t1 = clock_ns(CLOCK_MONOTONIC);
	tap_ok(r == 0 && t1 - t0 >= 100 * MS, "an ignored signal does not interrupt nanosleep");
	sigemptyset(&set);
	sigaddset(&set, SIGALRM);
	sigprocmask(SIG_BLOCK, &set, NULL);
	ticker(5, 0, on_alarm);
	alarms = 0;
	t0 = clock_ns(CLOCK_MONOTONIC);
	r = nanosleep(&req, NULL);
	t1 = clock_ns(CLOCK_MONOTONIC);
	ticker(0, 0, on_alarm);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	tap_ok(r == 0 && t1 - t0 >= 100 * MS && alarms >= 1,
	       "a blocked signal does not interrupt nanosleep and is handled once unblocked");
	return tap_done();
}
