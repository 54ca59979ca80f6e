/*
 * Interval timers and alarm(): ITIMER_REAL one-shot and periodic SIGALRM,
 * getitimer counting down, setitimer returning the previous value, disarm
 * (including Linux's NULL new_value), ITIMER_VIRTUAL/ITIMER_PROF firing on
 * CPU time, no inheritance across fork, alarm() returning the seconds left
 * of the previous alarm and sharing the ITIMER_REAL timer (alarm(2)).
 * Errors: EINVAL for a bad "which" or tv_usec outside [0, 999999], EFAULT.
 *
 * SIGALRM stays blocked and is collected with sigtimedwait, so a lost
 * signal shows up as a failed check after a bounded wait, never a hang.
 */
#include <signal.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tap.h"
#include "testutil.h"

#define MS 1000000LL

static volatile sig_atomic_t got_vt, got_prof;

static void on_vt(int sig)
{
	got_vt = 1;
}

static void on_prof(int sig)
{
	got_prof = 1;
}

static int64_t us(struct timeval tv)
{
	return (int64_t)tv.tv_sec * 1000000 + tv.tv_usec;
}

static int arm(int which, long value_us, long interval_us, struct itimerval *old)
{
	struct itimerval it = {
		.it_value = { value_us / 1000000, value_us % 1000000 },
		.it_interval = { interval_us / 1000000, interval_us % 1000000 },
	};

	return setitimer(which, &it, old);
}

/* Wait up to 10 s for SIGALRM (blocked); 1 if it came. */
static int wait_alarm(void)
{
	sigset_t set;
	struct timespec limit = { 10, 0 };

	sigemptyset(&set);
	sigaddset(&set, SIGALRM);
	return sigtimedwait(&set, NULL, &limit) == SIGALRM;
}

/* Spin in user mode until *flag is set or 20 s pass. */
static int spin_until(volatile sig_atomic_t *flag)
{
	int64_t end = clock_ns(CLOCK_MONOTONIC) + 20000 * MS;
	volatile unsigned long x = 0;

	while (!*flag && clock_ns(CLOCK_MONOTONIC) < end)
		for (int i = 0; i < 10000; i++)
			x += i;
	return *flag;
}

int main(void)
{
	struct itimerval it, old;
	sigset_t set;
	int64_t t0;
	int ok, n;
	pid_t pid;
	long r;

	tap_plan(24);
	sigemptyset(&set);
	sigaddset(&set, SIGALRM);
	sigprocmask(SIG_BLOCK, &set, NULL);

	/* One-shot ITIMER_REAL. */
	t0 = clock_ns(CLOCK_MONOTONIC);
	tap_is_int(arm(ITIMER_REAL, 50000, 0, NULL), 0, "setitimer(ITIMER_REAL, 50 ms) succeeds");
	getitimer(ITIMER_REAL, &it);
	tap_ok(us(it.it_value) > 0 && us(it.it_value) <= 50000 && us(it.it_interval) == 0,
	       "getitimer shows the one-shot timer counting down");
	ok = wait_alarm();
	tap_ok(ok, "the timer delivers SIGALRM");
	tap_ok(clock_ns(CLOCK_MONOTONIC) - t0 >= 50 * MS, "SIGALRM comes no earlier than 50 ms");
	getitimer(ITIMER_REAL, &it);
	tap_ok(us(it.it_value) == 0 && us(it.it_interval) == 0, "an expired one-shot timer reads as disarmed");

	/* Previous value and disarming. */
	arm(ITIMER_REAL, 10000000, 0, NULL);
	arm(ITIMER_REAL, 20000000, 0, &old);
	tap_ok(us(old.it_value) > 0 && us(old.it_value) <= 10000000,
	       "setitimer returns the remaining time of the previous setting");
	arm(ITIMER_REAL, 0, 0, &old);
	getitimer(ITIMER_REAL, &it);
	tap_ok(us(old.it_value) > 10000000 && us(it.it_value) == 0,
	       "a zero it_value disarms the timer");
	arm(ITIMER_REAL, 10000000, 0, NULL);
	/* setitimer(2) NOTES: Linux treats a NULL new_value as all zeros. */
	r = syscall(SYS_setitimer, ITIMER_REAL, NULL, &old);
	getitimer(ITIMER_REAL, &it);
	tap_ok(r == 0 && us(old.it_value) > 0 && us(it.it_value) == 0,
	       "setitimer with a NULL new value disarms the timer (Linux)");

	/* Periodic: re-armed at each delivery. */
	t0 = clock_ns(CLOCK_MONOTONIC);
	arm(ITIMER_REAL, 20000, 20000, NULL);
	getitimer(ITIMER_REAL, &it);
	tap_is_int(us(it.it_interval), 20000, "getitimer reports the 20 ms interval");
	for (n = 0; n < 3 && wait_alarm(); n++)
		;
	tap_is_int(n, 3, "a periodic timer delivers repeated SIGALRMs");
	tap_ok(clock_ns(CLOCK_MONOTONIC) - t0 >= 60 * MS, "three expiries take at least 60 ms");
	arm(ITIMER_REAL, 0, 0, NULL);
	sigtimedwait(&set, NULL, &(struct timespec){ 0, 0 });	/* drop a pending one */

	/* Not inherited across fork. */
	arm(ITIMER_REAL, 10000000, 0, NULL);
	pid = fork();
	if (pid == 0) {
		getitimer(ITIMER_REAL, &it);
		_exit(us(it.it_value) == 0 ? 0 : 1);
	}
	waitpid(pid, &n, 0);
	tap_ok(WIFEXITED(n) && WEXITSTATUS(n) == 0, "a fork child does not inherit the parent's timer");
	arm(ITIMER_REAL, 0, 0, NULL);

	/* alarm() shares the ITIMER_REAL timer. */
	tap_is_int(alarm(5), 0, "alarm(5) with no alarm pending returns 0");
	r = alarm(3);
	tap_ok(r == 5 || r == 4, "alarm(3) returns the seconds left of the previous alarm (5)");
	getitimer(ITIMER_REAL, &it);
	tap_ok(us(it.it_value) > 0 && us(it.it_value) <= 3000000,
	       "getitimer(ITIMER_REAL) shows the alarm");
	/* The kernel rounds to the nearest second; musl's alarm() rounds up. */
	r = syscall(SYS_alarm, 0);
	getitimer(ITIMER_REAL, &it);
	tap_ok((r == 3 || r == 2) && us(it.it_value) == 0,
	       "alarm(0) returns the seconds left and cancels the alarm");
	t0 = clock_ns(CLOCK_MONOTONIC);
	alarm(1);
	ok = wait_alarm();
	tap_ok(ok && clock_ns(CLOCK_MONOTONIC) - t0 >= 1000 * MS, "alarm(1) delivers SIGALRM after at least 1 s");

	/* CPU-time timers. */
	sig_install(SIGVTALRM, on_vt, 0);
	sig_install(SIGPROF, on_prof, 0);
	arm(ITIMER_VIRTUAL, 20000, 0, NULL);
	getitimer(ITIMER_VIRTUAL, &it);
	/* Linux adds one tick (TICK_NSEC, at most 10 ms) to CPU itimer values. */
	tap_ok(us(it.it_value) > 0 && us(it.it_value) <= 20000 + 10000,
	       "getitimer(ITIMER_VIRTUAL) shows the timer");
	tap_ok(spin_until(&got_vt), "ITIMER_VIRTUAL delivers SIGVTALRM after user CPU time");
	arm(ITIMER_PROF, 20000, 0, NULL);
	tap_ok(spin_until(&got_prof), "ITIMER_PROF delivers SIGPROF after CPU time");

	/* Errors. */
	tap_ok(arm(7, 1000, 0, NULL) == -1 && errno == EINVAL &&
	       getitimer(7, &it) == -1 && errno == EINVAL,
	       "an unknown timer type fails with EINVAL");
	it = (struct itimerval){ .it_value = { 1, 1000000 } };
	tap_is_errno(setitimer(ITIMER_REAL, &it, NULL), EINVAL, "tv_usec of 1000000 fails with EINVAL");
	it = (struct itimerval){ .it_value = { 1, -1 } };
	tap_is_errno(setitimer(ITIMER_REAL, &it, NULL), EINVAL, "a negative tv_usec fails with EINVAL");
	tap_ok(syscall(SYS_getitimer, ITIMER_REAL, (void *)8) == -1 && errno == EFAULT &&
	       syscall(SYS_setitimer, ITIMER_REAL, (void *)8, NULL) == -1 && errno == EFAULT,
	       "bad pointers fail with EFAULT");
	return tap_done();
}
