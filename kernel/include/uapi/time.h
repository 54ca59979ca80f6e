/*
 * Linux's time ABI on x86_64 (include/uapi/linux/time.h,
 * linux/time_types.h): time values, clock ids, interval timers.
 * Every field is 64-bit on x86_64 except struct timezone's.
 */
#ifndef UAPI_TIME_H
#define UAPI_TIME_H

#include <keel/types.h>

typedef long time_t;            /* __kernel_old_time_t */
typedef long suseconds_t;
typedef int clockid_t;

struct timespec {
	time_t tv_sec;
	long tv_nsec;                   /* 0..999999999 */
};

struct timeval {
	time_t tv_sec;
	suseconds_t tv_usec;            /* 0..999999 */
};

struct itimerval {
	struct timeval it_interval;     /* re-arm with this (0: one-shot) */
	struct timeval it_value;        /* time to the next expiry (0: off) */
};

struct itimerspec {
	struct timespec it_interval;
	struct timespec it_value;
};

struct timezone {
	int tz_minuteswest;
	int tz_dsttime;
};

/* Clock ids (clock_gettime(2)). */
#define CLOCK_REALTIME           0
#define CLOCK_MONOTONIC          1
#define CLOCK_PROCESS_CPUTIME_ID 2
#define CLOCK_THREAD_CPUTIME_ID  3
#define CLOCK_MONOTONIC_RAW      4
#define CLOCK_REALTIME_COARSE    5
#define CLOCK_MONOTONIC_COARSE   6
#define CLOCK_BOOTTIME           7
#define CLOCK_REALTIME_ALARM     8
#define CLOCK_BOOTTIME_ALARM     9
#define CLOCK_TAI                11
#define MAX_CLOCKS               16

/*
 * Negative clock ids name CPU-time clocks of other processes and threads
 * (and clock devices): bits 0-1 the clock (CPUCLOCK_*), bit 2 per-thread,
 * the pid/tid in the bits above, stored as ~pid (clock_getcpuclockid(3)).
 */
#define CPUCLOCK_PROF            0
#define CPUCLOCK_VIRT            1
#define CPUCLOCK_SCHED           2
#define CPUCLOCK_MAX             3
#define CLOCKFD                  CPUCLOCK_MAX
#define CPUCLOCK_PERTHREAD_MASK  4
#define CPUCLOCK_CLOCK_MASK      3

/* clock_nanosleep / timer_settime flags. */
#define TIMER_ABSTIME            0x01

/* Interval timers (setitimer(2)). */
#define ITIMER_REAL              0
#define ITIMER_VIRTUAL           1
#define ITIMER_PROF              2

#endif /* UAPI_TIME_H */
