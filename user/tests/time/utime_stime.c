/*
 * User versus system CPU time (getrusage(2), times(2), wait4(2),
 * /proc/<pid>/stat, setitimer(2)): computing in user mode is charged as
 * user time, working in the kernel (reading /dev/zero: the kernel clears
 * the buffer) as system time; a reaped child's split reaches its parent;
 * the reported values never decrease; ITIMER_VIRTUAL counts only user
 * time while ITIMER_PROF counts both.
 *
 * Assertions compare the two sides of a split (the side a phase burns
 * gets more than half), so both Linux's coarse tick sampling (which under
 * QEMU charges a computing loop a good share of system time) and Keel's
 * cycle-exact split pass.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/times.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tap.h"
#include "testutil.h"

#define MS 1000LL       /* in microseconds */
#define ZERO_CHUNK (1 << 20)

static char *zero_buf;
static int zero_fd;
static volatile sig_atomic_t got_vtalrm, got_prof;

static int64_t tv_us(struct timeval tv)
{
	return (int64_t)tv.tv_sec * 1000000 + tv.tv_usec;
}

static void usage_us(int who, int64_t *ut, int64_t *st)
{
	struct rusage ru;

	getrusage(who, &ru);
	*ut = tv_us(ru.ru_utime);
	*st = tv_us(ru.ru_stime);
}

/* Compute in user mode until @ms of CPU time have passed. */
static void burn_user(int ms)
{
	int64_t u0, s0, u, s;
	volatile uint64_t x = 1;

	usage_us(RUSAGE_SELF, &u0, &s0);
	do {
		for (int i = 0; i < 2000000; i++)
			x = x * 6364136223846793005ULL + 1442695040888963407ULL;
		usage_us(RUSAGE_SELF, &u, &s);
	} while (u + s - u0 - s0 < ms * MS);
}

/* Make the kernel work (clear 1 MiB per read) until @ms of CPU time. */
static void burn_kernel(int ms)
{
	int64_t u0, s0, u, s;

	usage_us(RUSAGE_SELF, &u0, &s0);
	do {
		for (int i = 0; i < 4; i++)   /* a signal may cut a read short */
			if (read(zero_fd, zero_buf, ZERO_CHUNK) <= 0 &&
			    errno != EINTR)
				tap_bail("read /dev/zero failed");
		usage_us(RUSAGE_SELF, &u, &s);
	} while (u + s - u0 - s0 < ms * MS);
}

/* Fields 14 and 15 (utime, stime, in clock ticks) of /proc/self/stat. */
static int stat_times(long *ut, long *st)
{
	const char *s = file_get("/proc/self/stat");
	const char *p = s ? strrchr(s, ')') : NULL;

	/* After ") ": state is field 3; utime is 11 fields further. */
	if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %ld %ld",
			 ut, st) != 2)
		return -1;
	return 0;
}

static void on_vtalrm(int sig) { (void)sig; got_vtalrm = 1; }
static void on_prof(int sig) { (void)sig; got_prof = 1; }

static void test_phases(void)
{
	int64_t u0, s0, u1, s1, u2, s2;

	usage_us(RUSAGE_SELF, &u0, &s0);
	burn_user(300);
	usage_us(RUSAGE_SELF, &u1, &s1);
	tap_ok(u1 - u0 > s1 - s0,
	       "computing is charged as user time (user +%lld us, system +%lld us)",
	       (long long)(u1 - u0), (long long)(s1 - s0));
	burn_kernel(300);
	usage_us(RUSAGE_SELF, &u2, &s2);
	tap_ok(s2 - s1 > u2 - u1,
	       "reading /dev/zero is charged as system time (user +%lld us, system +%lld us)",
	       (long long)(u2 - u1), (long long)(s2 - s1));
	tap_ok(u2 >= u1 && s2 >= s1 && u1 >= u0 && s1 >= s0,
	       "getrusage values never decrease across the phases");
}

static void test_times_and_stat(void)
{
	long hz = sysconf(_SC_CLK_TCK), su, ss;
	int64_t u, s;
	struct tms t;
	int r;

	times(&t);
	usage_us(RUSAGE_SELF, &u, &s);
	tap_ok(llabs((int64_t)t.tms_utime * 1000000 / hz - u) <= 30 * MS &&
	       llabs((int64_t)t.tms_stime * 1000000 / hz - s) <= 30 * MS,
	       "times() splits like getrusage (tms %ld/%ld ticks, rusage %lld/%lld us)",
	       (long)t.tms_utime, (long)t.tms_stime, (long long)u, (long long)s);
	r = stat_times(&su, &ss);   /* before tap_ok's arguments read them */

	tap_ok(r == 0 && su >= 15 && ss >= 15,
	       "/proc/self/stat shows both user and system ticks (%ld, %ld)",
	       su, ss);
}

static void test_child(void)
{
	struct rusage ru;
	int64_t cu0, cs0, cu, cs;
	pid_t pid;
	int st;

	usage_us(RUSAGE_CHILDREN, &cu0, &cs0);
	pid = fork();
	if (pid == 0) {
		burn_kernel(200);
		_exit(0);
	}
	tap_ok(wait4(pid, &st, 0, &ru) == pid && WIFEXITED(st),
	       "the kernel-bound child exits");
	tap_ok(tv_us(ru.ru_stime) > tv_us(ru.ru_utime) &&
	       tv_us(ru.ru_stime) >= 100 * MS,
	       "wait4's rusage has the child's system time (user %lld us, system %lld us)",
	       (long long)tv_us(ru.ru_utime), (long long)tv_us(ru.ru_stime));
	usage_us(RUSAGE_CHILDREN, &cu, &cs);
	tap_ok(cs - cs0 == tv_us(ru.ru_stime) && cu - cu0 == tv_us(ru.ru_utime),
	       "RUSAGE_CHILDREN grew by exactly the reaped child's split");
}

static void test_itimers(void)
{
	struct itimerval v = { { 0, 0 }, { 0, 150 * MS } };
	struct itimerval off = { { 0, 0 }, { 0, 0 } };

	sig_install(SIGVTALRM, on_vtalrm, 0);
	sig_install(SIGPROF, on_prof, 0);
	got_vtalrm = got_prof = 0;
	setitimer(ITIMER_VIRTUAL, &v, NULL);
	setitimer(ITIMER_PROF, &v, NULL);
	burn_kernel(400);
	tap_ok(got_prof, "ITIMER_PROF fires during kernel-bound work");
	tap_ok(!got_vtalrm,
	       "ITIMER_VIRTUAL does not fire when little user time passes");
	burn_user(400);
	tap_ok(got_vtalrm, "ITIMER_VIRTUAL fires once user time passes it");
	setitimer(ITIMER_VIRTUAL, &off, NULL);
	setitimer(ITIMER_PROF, &off, NULL);
}

int main(void)
{
	tap_plan(11);
	zero_fd = open("/dev/zero", O_RDONLY);
	zero_buf = malloc(ZERO_CHUNK);
	if (zero_fd < 0 || !zero_buf)
		tap_bail("cannot open /dev/zero or allocate");
	memset(zero_buf, 1, ZERO_CHUNK);        /* no page faults later */
	test_phases();
	test_times_and_stat();
	test_child();
	test_itimers();
	return tap_done();
}
