/*
 * clock_gettime/clock_getres for every standard clock id: valid timespecs,
 * monotonic clocks never going backwards (through libc, which uses the
 * vDSO when there is one, and through the raw system call), the ordering
 * between related clocks, CPU-time clocks advancing while computing, and
 * the error paths of clock_gettime(2): EINVAL for unknown clock ids and for
 * CPU clocks of processes that no longer exist, EFAULT for bad pointers.
 */
#include <stdint.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tap.h"
#include "testutil.h"

#ifndef CLOCK_TAI
#define CLOCK_TAI 11	/* <linux/time.h> */
#endif

static const struct {
	clockid_t id;
	const char *name;
} clocks[] = {
	{ CLOCK_REALTIME, "CLOCK_REALTIME" },
	{ CLOCK_MONOTONIC, "CLOCK_MONOTONIC" },
	{ CLOCK_PROCESS_CPUTIME_ID, "CLOCK_PROCESS_CPUTIME_ID" },
	{ CLOCK_THREAD_CPUTIME_ID, "CLOCK_THREAD_CPUTIME_ID" },
	{ CLOCK_MONOTONIC_RAW, "CLOCK_MONOTONIC_RAW" },
	{ CLOCK_REALTIME_COARSE, "CLOCK_REALTIME_COARSE" },
	{ CLOCK_MONOTONIC_COARSE, "CLOCK_MONOTONIC_COARSE" },
	{ CLOCK_BOOTTIME, "CLOCK_BOOTTIME" },
	{ CLOCK_TAI, "CLOCK_TAI" },
};
#define NCLOCKS (sizeof(clocks) / sizeof(clocks[0]))

static int64_t ns(const struct timespec *t)
{
	return (int64_t)t->tv_sec * 1000000000 + t->tv_nsec;
}

static int64_t raw_now(clockid_t id)
{
	struct timespec t;

	if (syscall(SYS_clock_gettime, id, &t))
		return -1;
	return ns(&t);
}

/* Read @id @n times; 1 if no reading was smaller than the one before. */
static int never_decreases(clockid_t id, int n, int64_t (*read)(clockid_t))
{
	int64_t prev = read(id), cur;

	for (int i = 0; i < n; i++) {
		cur = read(id);
		if (cur < prev)
			return 0;
		prev = cur;
	}
	return prev >= 0;
}

int main(void)
{
	struct timespec t, res, res_coarse;
	int64_t a, b, c, start;
	clockid_t cid;
	pid_t pid;
	int ok;

	alarm(60);
	tap_plan(NCLOCKS + 22);

	for (size_t i = 0; i < NCLOCKS; i++) {
		t.tv_nsec = -1;
		ok = clock_gettime(clocks[i].id, &t) == 0 && t.tv_sec >= 0 &&
		     t.tv_nsec >= 0 && t.tv_nsec < 1000000000;
		tap_ok(ok, "%s returns a valid timespec", clocks[i].name);
	}

	/* Monotonicity, through libc/vDSO and through the system call. */
	tap_ok(never_decreases(CLOCK_MONOTONIC, 20000, clock_ns), "CLOCK_MONOTONIC never decreases");
	tap_ok(never_decreases(CLOCK_MONOTONIC, 2000, raw_now),
	       "CLOCK_MONOTONIC via the raw system call never decreases");
	tap_ok(never_decreases(CLOCK_MONOTONIC_RAW, 20000, clock_ns), "CLOCK_MONOTONIC_RAW never decreases");
	tap_ok(never_decreases(CLOCK_BOOTTIME, 20000, clock_ns), "CLOCK_BOOTTIME never decreases");
	tap_ok(never_decreases(CLOCK_MONOTONIC_COARSE, 20000, clock_ns), "CLOCK_MONOTONIC_COARSE never decreases");
	tap_ok(never_decreases(CLOCK_PROCESS_CPUTIME_ID, 2000, clock_ns),
	       "CLOCK_PROCESS_CPUTIME_ID never decreases");
	a = clock_ns(CLOCK_MONOTONIC);
	b = raw_now(CLOCK_MONOTONIC);
	c = clock_ns(CLOCK_MONOTONIC);
	tap_ok(a >= 0 && a <= b && b <= c, "libc and system-call CLOCK_MONOTONIC readings interleave in order");

	/* Relations between clocks (each read before the one it bounds). */
	a = clock_ns(CLOCK_MONOTONIC);
	b = clock_ns(CLOCK_BOOTTIME);
	tap_ok(a >= 0 && b >= a, "CLOCK_BOOTTIME is not behind CLOCK_MONOTONIC");
	a = clock_ns(CLOCK_MONOTONIC_COARSE);
	b = clock_ns(CLOCK_MONOTONIC);
	tap_ok(a >= 0 && b >= a, "CLOCK_MONOTONIC_COARSE is not ahead of CLOCK_MONOTONIC");
	a = clock_ns(CLOCK_REALTIME_COARSE);
	b = clock_ns(CLOCK_REALTIME);
	tap_ok(a >= 0 && b >= a, "CLOCK_REALTIME_COARSE is not ahead of CLOCK_REALTIME");
	a = clock_ns(CLOCK_REALTIME);
	b = clock_ns(CLOCK_TAI);
	tap_ok(a >= 0 && b >= a, "CLOCK_TAI is not behind CLOCK_REALTIME");
	tap_ok(clock_ns(CLOCK_REALTIME) / 1000000000 > 1577836800,
	       "CLOCK_REALTIME is after 2020-01-01");

	/* CPU-time clocks advance while the process computes. */
	start = clock_ns(CLOCK_PROCESS_CPUTIME_ID);
	a = clock_ns(CLOCK_MONOTONIC);
	do {
		b = clock_ns(CLOCK_PROCESS_CPUTIME_ID);
	} while (b < start + 2000000 && clock_ns(CLOCK_MONOTONIC) < a + 20000000000LL);
	tap_ok(b >= start + 2000000, "CLOCK_PROCESS_CPUTIME_ID advances by 2 ms of computing");
	a = clock_ns(CLOCK_THREAD_CPUTIME_ID);
	b = clock_ns(CLOCK_PROCESS_CPUTIME_ID);
	tap_ok(a > 0 && a <= b, "the only thread's CPU time does not exceed the process's");

	/* Resolutions. */
	ok = 1;
	for (size_t i = 0; i < NCLOCKS; i++)
		if (clock_getres(clocks[i].id, &res) || res.tv_sec != 0 ||
		    res.tv_nsec <= 0 || res.tv_nsec >= 1000000000)
			ok = 0;
	tap_ok(ok, "clock_getres gives a resolution between 0 and 1 s for every clock");
	clock_getres(CLOCK_MONOTONIC, &res);
	clock_getres(CLOCK_MONOTONIC_COARSE, &res_coarse);
	tap_ok(res_coarse.tv_nsec >= res.tv_nsec, "a coarse clock is not finer than the precise one");
	tap_is_int(clock_getres(CLOCK_MONOTONIC, NULL), 0, "clock_getres with a NULL result pointer succeeds");

	/* Errors. */
	tap_ok(clock_gettime(100, &t) == -1 && errno == EINVAL &&
	       clock_getres(100, &res) == -1 && errno == EINVAL,
	       "an unknown clock id fails with EINVAL");
	/* Dynamic ids: ((~fd) << 3) | 3 names a clock device fd, see clock_getres(2). */
	cid = (clockid_t)((~1000u << 3) | 3);
	tap_is_errno(clock_gettime(cid, &t), EINVAL, "a dynamic clock id for a closed fd fails with EINVAL");

	/* A child's CPU clock is valid while it exists, not after it is reaped. */
	pid = fork();
	if (pid == 0)
		_exit(0);
	waitid(P_PID, pid, NULL, WEXITED | WNOWAIT);	/* zombie, not reaped */
	ok = clock_getcpuclockid(pid, &cid) == 0 && clock_gettime(cid, &t) == 0;
	waitpid(pid, NULL, 0);
	tap_ok(ok, "a child's CPU-time clock can be read");
	tap_is_errno(clock_gettime(cid, &t), EINVAL, "the CPU-time clock of a reaped child fails with EINVAL");

	tap_ok(syscall(SYS_clock_gettime, CLOCK_MONOTONIC, (void *)8) == -1 && errno == EFAULT &&
	       syscall(SYS_clock_getres, CLOCK_REALTIME, (void *)8) == -1 && errno == EFAULT,
	       "a bad result pointer fails with EFAULT");
	return tap_done();
}
