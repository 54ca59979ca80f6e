/*
 * time_syscalls ktest: the parts of the time system calls a kernel thread
 * can reach without user memory: time value conversions, the CPU clock
 * of a running thread, setting the wall clock, and the argument checks
 * that come before any user access (clock ids, sleep clocks, EFAULT for
 * kernel pointers handed in as user pointers).
 */
#include <keel/errno.h>
#include <keel/ktest.h>
#include <keel/sched.h>
#include <keel/syscall.h>
#include <keel/time.h>
#include <keel/usertime.h>

static long call(long (*fn)(const struct syscall_args *), unsigned long a0,
		 unsigned long a1, unsigned long a2, unsigned long a3)
{
	struct syscall_args args = { .arg = { a0, a1, a2, a3, 0, 0 } };

	return fn(&args);
}

static void test_conversions(struct ktest *t)
{
	struct timespec ts = timespec_from_ns(3 * NSEC_PER_SEC + 42);
	struct timeval tv = timeval_from_ns(2 * NSEC_PER_SEC + 1999);

	KTEST_EXPECT_EQ(t, ts.tv_sec, 3);
	KTEST_EXPECT_EQ(t, ts.tv_nsec, 42);
	KTEST_EXPECT_EQ(t, tv.tv_sec, 2);
	KTEST_EXPECT_EQ(t, tv.tv_usec, 1);
}

static void test_thread_cputime_advances(struct ktest *t)
{
	u64 a = thread_cputime_ns(current), b, end;

	/* Spin 3 ms of wall time on this CPU: most of it is our CPU time. */
	end = clock_monotonic_ns() + 3 * NSEC_PER_MSEC;
	while (clock_monotonic_ns() < end)
		;
	b = thread_cputime_ns(current);
	KTEST_EXPECT_GE(t, b, a + NSEC_PER_MSEC);
	/* Counted without waiting for a tick or a switch. */
	KTEST_EXPECT_GE(t, thread_cputime_ns(current), b);
}

static void test_realtime_set(struct ktest *t)
{
	u64 rt = clock_realtime_ns();

	KTEST_EXPECT_EQ(t, clock_realtime_set(0), -EINVAL);
	KTEST_EXPECT_GE(t, clock_realtime_ns(), rt);
	KTEST_EXPECT_EQ(t, clock_realtime_set(rt + 5 * NSEC_PER_SEC), 0);
	KTEST_EXPECT_GE(t, clock_realtime_ns(), rt + 5 * NSEC_PER_SEC);
	/* Put it back (close enough: a few microseconds). */
	KTEST_EXPECT_EQ(t, clock_realtime_set(clock_realtime_ns() -
					      5 * NSEC_PER_SEC), 0);
	KTEST_EXPECT_LT(t, clock_realtime_ns() - rt, NSEC_PER_SEC);
}

static void test_argument_checks(struct ktest *t)
{
	static struct timespec kts;
	unsigned long kp = (unsigned long)&kts;

	/* Unknown clocks before the pointer. */
	KTEST_EXPECT_EQ(t, call(sys_clock_gettime, 100, kp, 0, 0), -EINVAL);
	KTEST_EXPECT_EQ(t, call(sys_clock_getres, 100, 0, 0, 0), -EINVAL);
	/* A clock device fd (CLOCKFD encoding) is not supported. */
	KTEST_EXPECT_EQ(t, call(sys_clock_gettime,
				(unsigned int)((~1000u << 3) | 3), kp, 0, 0),
			-EINVAL);
	/* A kernel address is no user pointer. */
	KTEST_EXPECT_EQ(t, call(sys_clock_gettime, CLOCK_MONOTONIC, kp, 0, 0),
			-EFAULT);
	KTEST_EXPECT_EQ(t, call(sys_clock_getres, CLOCK_MONOTONIC, 0, 0, 0), 0);
	KTEST_EXPECT_EQ(t, call(sys_clock_getres, CLOCK_MONOTONIC_COARSE, kp,
				0, 0), -EFAULT);
	KTEST_EXPECT_EQ(t, call(sys_nanosleep, kp, 0, 0, 0), -EFAULT);
	KTEST_EXPECT_EQ(t, call(sys_clock_nanosleep, CLOCK_THREAD_CPUTIME_ID,
				0, kp, 0), -EOPNOTSUPP);
	KTEST_EXPECT_EQ(t, call(sys_clock_nanosleep, 100, 0, kp, 0), -EINVAL);
	KTEST_EXPECT_EQ(t, call(sys_clock_nanosleep, CLOCK_MONOTONIC, 0, kp, 0),
			-EFAULT);
	KTEST_EXPECT_EQ(t, call(sys_clock_settime, CLOCK_MONOTONIC, kp, 0, 0),
			-EINVAL);
	KTEST_EXPECT_EQ(t, call(sys_gettimeofday, kp, 0, 0, 0), -EFAULT);
	KTEST_EXPECT_EQ(t, call(sys_gettimeofday, 0, 0, 0, 0), 0);
	KTEST_EXPECT_EQ(t, call(sys_time, kp, 0, 0, 0), -EFAULT);
	KTEST_EXPECT_GT(t, call(sys_time, 0, 0, 0, 0), 0);
}

static struct ktest_case time_syscalls_cases[] = {
	KTEST_CASE(test_conversions),
	KTEST_CASE(test_thread_cputime_advances),
	KTEST_CASE(test_realtime_set),
	KTEST_CASE(test_argument_checks),
	{}
};
KTEST_SUITE(time_syscalls, time_syscalls_cases);
