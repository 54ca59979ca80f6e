/*
 * POSIX per-process timers through the raw system calls (musl wraps timer
 * ids for SIGEV_THREAD; the kernel interface is what Keel implements):
 * timer_create with SIGEV_SIGNAL (sigev_value and si_timerid in the
 * siginfo, si_code SI_TIMER), SIGEV_NONE, SIGEV_THREAD_ID and the NULL
 * sigevent default (SIGALRM carrying the timer id, timer_create(2));
 * timer_settime relative, absolute, periodic and its old value;
 * timer_gettime; overruns of a periodic timer whose signal stays pending
 * (si_overrun and timer_getoverrun agree); a CPU-time clock timer;
 * timer_delete; no inheritance across fork; the EINVAL and EFAULT paths.
 *
 * Timer signals are blocked and collected with sigtimedwait; every wait is
 * bounded (SIGALRM is used by a test, so there is no alarm() safety net).
 */
#include <signal.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tap.h"
#include "testutil.h"

#define MS 1000000LL
#define SEC 1000000000LL

typedef int ktimer_t;	/* the kernel's timer id */

static long k_create(clockid_t clk, struct sigevent *sev, ktimer_t *id)
{
	return syscall(SYS_timer_create, clk, sev, id);
}

static long k_settime(ktimer_t id, int flags, int64_t value, int64_t interval,
		      struct itimerspec *old)
{
	struct itimerspec its = {
		.it_value = { value / SEC, value % SEC },
		.it_interval = { interval / SEC, interval % SEC },
	};

	return syscall(SYS_timer_settime, id, flags, &its, old);
}

static long k_gettime(ktimer_t id, struct itimerspec *cur)
{
	return syscall(SYS_timer_gettime, id, cur);
}

static long k_getoverrun(ktimer_t id)
{
	return syscall(SYS_timer_getoverrun, id);
}

static long k_delete(ktimer_t id)
{
	return syscall(SYS_timer_delete, id);
}

static int64_t ns(struct timespec t)
{
	return (int64_t)t.tv_sec * SEC + t.tv_nsec;
}

/* Wait up to 10 s for @sig (blocked); its number or -1. */
static int wait_sig(int sig, siginfo_t *si)
{
	sigset_t set;
	struct timespec limit = { 10, 0 };

	sigemptyset(&set);
	sigaddset(&set, sig);
	return sigtimedwait(&set, si, &limit);
}

static struct sigevent sev_signal(int sig, int value)
{
	struct sigevent sev = { 0 };

	sev.sigev_notify = SIGEV_SIGNAL;
	sev.sigev_signo = sig;
	sev.sigev_value.sival_int = value;
	return sev;
}

static volatile sig_atomic_t got_usr2;

static void on_usr2(int sig)
{
	got_usr2 = 1;
}

int main(void)
{
	struct sigevent sev;
	struct itimerspec cur, old;
	siginfo_t si;
	sigset_t set;
	ktimer_t id, id2, id3;
	int64_t t0, a, b, target;
	long ovr;
	pid_t pid;
	int st, ok;

	tap_plan(32);
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGALRM);
	sigprocmask(SIG_BLOCK, &set, NULL);

	/* SIGEV_SIGNAL one-shot. */
	sev = sev_signal(SIGUSR1, 0x1234);
	id = -1;
	tap_ok(k_create(CLOCK_MONOTONIC, &sev, &id) == 0 && id >= 0,
	       "timer_create(CLOCK_MONOTONIC, SIGEV_SIGNAL) returns a timer id");
	t0 = clock_ns(CLOCK_MONOTONIC);
	tap_is_int(k_settime(id, 0, 20 * MS, 0, NULL), 0, "timer_settime arms it for 20 ms");
	k_gettime(id, &cur);
	tap_ok(ns(cur.it_value) > 0 && ns(cur.it_value) <= 20 * MS && ns(cur.it_interval) == 0,
	       "timer_gettime shows the time left");
	memset(&si, 0, sizeof(si));
	tap_is_int(wait_sig(SIGUSR1, &si), SIGUSR1, "the timer delivers its signal");
	tap_ok(clock_ns(CLOCK_MONOTONIC) - t0 >= 20 * MS, "the signal comes no earlier than 20 ms");
	tap_is_int(si.si_code, SI_TIMER, "si_code is SI_TIMER");
	tap_is_int(si.si_value.sival_int, 0x1234, "si_value carries sigev_value");
	tap_is_int(si.si_timerid, id, "si_timerid is the timer id");
	k_gettime(id, &cur);
	tap_ok(ns(cur.it_value) == 0, "an expired one-shot timer reads as disarmed");

	/* Absolute expiry, past and future; old value. */
	target = clock_ns(CLOCK_MONOTONIC) + 30 * MS;
	k_settime(id, TIMER_ABSTIME, target, 0, NULL);
	tap_ok(wait_sig(SIGUSR1, &si) == SIGUSR1 && clock_ns(CLOCK_MONOTONIC) >= target,
	       "a TIMER_ABSTIME timer fires at or after its target");
	k_settime(id, TIMER_ABSTIME, clock_ns(CLOCK_MONOTONIC) - SEC, 0, NULL);
	tap_is_int(wait_sig(SIGUSR1, &si), SIGUSR1, "a TIMER_ABSTIME target in the past fires at once");
	k_settime(id, 0, 10 * SEC, 0, NULL);
	ok = k_settime(id, 0, 0, 0, &old) == 0;
	k_gettime(id, &cur);
	tap_ok(ok && ns(old.it_value) > 0 && ns(old.it_value) <= 10 * SEC && ns(cur.it_value) == 0,
	       "timer_settime returns the old setting and a zero value disarms");

	/* Periodic timer whose signal stays pending: overruns accumulate. */
	k_settime(id, 0, 5 * MS, 5 * MS, NULL);
	k_gettime(id, &cur);
	tap_is_int(ns(cur.it_interval), 5 * MS, "timer_gettime reports the 5 ms interval");
	nanosleep(&(struct timespec){ 0, 100 * MS }, NULL);	/* >= 20 expiries */
	memset(&si, 0, sizeof(si));
	wait_sig(SIGUSR1, &si);
	ovr = k_getoverrun(id);
	tap_ok(si.si_overrun >= 1, "a periodic timer with a pending signal reports overruns in si_overrun");
	tap_is_int(ovr, si.si_overrun, "timer_getoverrun agrees with si_overrun");
	tap_is_int(wait_sig(SIGUSR1, &si), SIGUSR1, "the periodic timer keeps firing");

	/* Deleted timers are gone. */
	tap_is_int(k_delete(id), 0, "timer_delete succeeds");
	tap_ok(k_settime(id, 0, MS, 0, NULL) == -1 && errno == EINVAL &&
	       k_gettime(id, &cur) == -1 && errno == EINVAL &&
	       k_getoverrun(id) == -1 && errno == EINVAL,
	       "a deleted timer fails settime, gettime and getoverrun with EINVAL");
	tap_is_errno(k_delete(id), EINVAL, "deleting a timer twice fails with EINVAL");
	sigtimedwait(&set, &si, &(struct timespec){ 0, 0 });	/* drop a leftover */

	/* SIGEV_NONE: counts down, never signals. */
	sev.sigev_notify = SIGEV_NONE;
	k_create(CLOCK_MONOTONIC, &sev, &id);
	k_settime(id, 0, 10 * SEC, 0, NULL);
	k_gettime(id, &cur);
	a = ns(cur.it_value);
	nanosleep(&(struct timespec){ 0, 1 * MS }, NULL);
	k_gettime(id, &cur);
	b = ns(cur.it_value);
	tap_ok(a > 0 && b > 0 && b < a, "a SIGEV_NONE timer counts down");
	k_settime(id, 0, 10 * MS, 0, NULL);
	nanosleep(&(struct timespec){ 0, 20 * MS }, NULL);
	k_gettime(id, &cur);
	sigpending(&set);
	tap_ok(ns(cur.it_value) == 0 && !sigismember(&set, SIGUSR1),
	       "an expired SIGEV_NONE timer is disarmed and sent no signal");
	k_delete(id);

	/* SIGEV_THREAD_ID to ourselves; to a foreign task it is refused. */
	sev = sev_signal(SIGUSR1, 77);
	sev.sigev_notify = SIGEV_THREAD_ID;
	sev.sigev_notify_thread_id = (pid_t)syscall(SYS_gettid);
	ok = k_create(CLOCK_REALTIME, &sev, &id) == 0;
	k_settime(id, 0, 10 * MS, 0, NULL);
	memset(&si, 0, sizeof(si));
	tap_ok(ok && wait_sig(SIGUSR1, &si) == SIGUSR1 && si.si_code == SI_TIMER &&
	       si.si_value.sival_int == 77,
	       "a SIGEV_THREAD_ID timer signals the chosen thread");
	k_delete(id);
	sev.sigev_notify_thread_id = getppid();
	tap_is_errno(k_create(CLOCK_REALTIME, &sev, &id), EINVAL,
		     "SIGEV_THREAD_ID naming a thread of another process fails with EINVAL");

	/* NULL sigevent: SIGALRM with the timer id as the value. */
	ok = k_create(CLOCK_MONOTONIC, NULL, &id) == 0;
	k_settime(id, 0, MS, 0, NULL);
	memset(&si, 0, sizeof(si));
	tap_ok(ok && wait_sig(SIGALRM, &si) == SIGALRM && si.si_value.sival_int == id,
	       "a NULL sigevent means SIGALRM carrying the timer id");

	/* Several timers; none survive into a fork child. */
	sev = sev_signal(SIGUSR1, 0);
	k_create(CLOCK_MONOTONIC, &sev, &id2);
	k_create(CLOCK_MONOTONIC, &sev, &id3);
	tap_ok(id != id2 && id2 != id3 && id != id3, "each timer gets a distinct id");
	k_settime(id2, 0, 10 * SEC, 0, NULL);
	pid = fork();
	if (pid == 0)
		_exit(k_gettime(id2, &cur) == -1 && errno == EINVAL ? 0 : 1);
	tap_ok(waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0,
	       "a fork child does not inherit timers");
	k_delete(id);
	k_delete(id2);
	k_delete(id3);

	/* A process CPU-time timer fires after CPU time is consumed. */
	signal(SIGUSR2, on_usr2);
	sev = sev_signal(SIGUSR2, 0);
	ok = k_create(CLOCK_PROCESS_CPUTIME_ID, &sev, &id) == 0 &&
	     k_settime(id, 0, 10 * MS, 0, NULL) == 0;
	t0 = clock_ns(CLOCK_MONOTONIC);
	while (!got_usr2 && clock_ns(CLOCK_MONOTONIC) < t0 + 20 * SEC)
		;
	tap_ok(ok && got_usr2, "a CLOCK_PROCESS_CPUTIME_ID timer fires after 10 ms of CPU time");

	/* Errors. */
	sev = sev_signal(SIGUSR1, 0);
	tap_is_errno(k_create(100, &sev, &id2), EINVAL, "an unknown clock fails with EINVAL");
	sev.sigev_notify = 99;
	tap_is_errno(k_create(CLOCK_MONOTONIC, &sev, &id2), EINVAL, "an unknown sigev_notify fails with EINVAL");
	sev = sev_signal(200, 0);
	tap_is_errno(k_create(CLOCK_MONOTONIC, &sev, &id2), EINVAL, "an invalid signal number fails with EINVAL");
	sev = sev_signal(SIGUSR1, 0);
	tap_is_errno(k_create(CLOCK_MONOTONIC, &sev, (ktimer_t *)8), EFAULT,
		     "a bad timer id pointer fails with EFAULT");
	cur = (struct itimerspec){ .it_value = { 0, 1000000000 } };
	tap_ok(syscall(SYS_timer_settime, id, 0, &cur, NULL) == -1 && errno == EINVAL &&
	       syscall(SYS_timer_settime, id, 0, NULL, NULL) == -1 && errno == EINVAL,
	       "timer_settime with tv_nsec out of range or no value fails with EINVAL");
	k_delete(id);
	return tap_done();
}
