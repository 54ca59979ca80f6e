/*
 * times(2) and getrusage(2): elapsed ticks follow the clock, CPU time is
 * charged to the process that burns it and, once reaped, to its parent's
 * children totals (with the child's peak RSS); page faults are counted;
 * EINVAL for an unknown "who", EFAULT for bad pointers.
 *
 * Burning is done against CLOCK_PROCESS_CPUTIME_ID, so every assertion is
 * a lower bound on work that certainly happened.
 */
#include <stdint.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/times.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tap.h"

#define MS 1000000LL

static int64_t cpu_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
	return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

/* Compute until this process has used @ms more milliseconds of CPU. */
static void burn(int ms)
{
	int64_t end = cpu_ns() + ms * MS;

	while (cpu_ns() < end)
		;
}

static int64_t tv_us(struct timeval tv)
{
	return (int64_t)tv.tv_sec * 1000000 + tv.tv_usec;
}

static int tv_valid(struct timeval tv)
{
	return tv.tv_sec >= 0 && tv.tv_usec >= 0 && tv.tv_usec < 1000000;
}

int main(void)
{
	struct timespec nap = { 0, 100 * MS };
	struct tms t0, t1;
	struct rusage ru, ru2;
	clock_t c0, c1;
	long hz = sysconf(_SC_CLK_TCK);
	char *mem;
	pid_t pid;
	int st;

	alarm(60);
	tap_plan(16);

	tap_is_int(hz, 100, "sysconf(_SC_CLK_TCK) is 100 (USER_HZ)");
	c0 = times(&t0);
	tap_ok(c0 != (clock_t)-1, "times succeeds");
	tap_ok(t0.tms_cutime == 0 && t0.tms_cstime == 0, "children times are zero before any child is reaped");
	nanosleep(&nap, NULL);
	c1 = times(NULL);
	/*
	 * 100 ms is 10 clock ticks. times() counts jiffies (HZ 250 on Debian)
	 * converted to USER_HZ with truncation, and jiffies may trail by a
	 * tick: allow two ticks.
	 */
	tap_ok(c1 != (clock_t)-1 && c1 - c0 >= 8, "times(NULL) advances by the time slept");
	burn(50);
	times(&t1);
	tap_ok(t1.tms_utime + t1.tms_stime > t0.tms_utime + t0.tms_stime,
	       "user+system ticks grow while the process computes");

	tap_is_int(getrusage(RUSAGE_SELF, &ru), 0, "getrusage(RUSAGE_SELF) succeeds");
	tap_ok(tv_valid(ru.ru_utime) && tv_valid(ru.ru_stime) &&
	       tv_us(ru.ru_utime) + tv_us(ru.ru_stime) >= 40000,
	       "RUSAGE_SELF reports the CPU time burnt (at least 40 ms)");
	tap_ok(ru.ru_maxrss > 0, "RUSAGE_SELF reports a positive maximum RSS");

	/* Page faults: touching fresh anonymous pages counts minor faults. */
	mem = mmap(NULL, 64 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	getrusage(RUSAGE_SELF, &ru);
	for (int i = 0; i < 64; i++)
		mem[i * 4096] = 1;
	getrusage(RUSAGE_SELF, &ru2);
	tap_ok(ru2.ru_minflt > ru.ru_minflt, "touching new pages counts minor faults");
	munmap(mem, 64 * 4096);
	tap_ok(getrusage(RUSAGE_THREAD, &ru2) == 0 && tv_valid(ru2.ru_utime),
	       "getrusage(RUSAGE_THREAD) succeeds");

	/* A child that burns 60 ms and touches 8 MiB. */
	pid = fork();
	if (pid == 0) {
		char *m = mmap(NULL, 8 << 20, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (m == MAP_FAILED)
			_exit(1);
		for (size_t i = 0; i < (8 << 20); i += 4096)
			m[i] = 1;
		burn(60);
		_exit(0);
	}
	getrusage(RUSAGE_CHILDREN, &ru);
	tap_ok(waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0 &&
	       tv_us(ru.ru_utime) + tv_us(ru.ru_stime) == 0,
	       "RUSAGE_CHILDREN is zero until a child is reaped");
	getrusage(RUSAGE_CHILDREN, &ru);
	/* The children totals are the child's adjusted runtime, truncated to us. */
	tap_ok(tv_us(ru.ru_utime) + tv_us(ru.ru_stime) >= 59000,
	       "RUSAGE_CHILDREN includes the reaped child's 60 ms of CPU time");
	tap_ok(ru.ru_maxrss >= 8 * 1024, "RUSAGE_CHILDREN ru_maxrss covers the child's 8 MiB");
	times(&t1);
	tap_ok(t1.tms_cutime + t1.tms_cstime >= 4, "times reports the reaped child's CPU ticks");

	tap_is_errno(getrusage(5, &ru), EINVAL, "getrusage with an unknown who fails with EINVAL");
	tap_ok(syscall(SYS_getrusage, RUSAGE_SELF, (void *)8) == -1 && errno == EFAULT &&
	       syscall(SYS_times, (void *)8) == -1 && errno == EFAULT,
	       "getrusage and times with a bad pointer fail with EFAULT");
	return tap_done();
}
