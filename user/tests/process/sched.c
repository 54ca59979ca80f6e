/*
 * Scheduling calls: sched_yield, sched_getaffinity/sched_setaffinity (the
 * raw call returns the mask size in bytes, EINVAL for a too small or
 * misaligned size and an empty mask, EFAULT, ESRCH, pinning to one CPU
 * seen by getcpu, inheritance over fork), sched_getscheduler/
 * sched_setscheduler/sched_getparam (SCHED_OTHER default, SCHED_FIFO for
 * root, EINVAL for bad priorities and policies, EPERM unprivileged),
 * sched_get_priority_min/max, and nice values through getpriority/
 * setpriority (clamping to 19, EACCES when unprivileged, ESRCH, EINVAL).
 *
 * musl's sched_setscheduler and friends return ENOSYS by design, so the
 * raw system calls are used for them.
 */
#include <sched.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tap.h"
#include "testutil.h"

#define NO_SUCH_PID 0x7ffffff0

static void test_affinity(void)
{
	cpu_set_t set, one;
	unsigned long raw[16];
	long n;
	int first = -1;
	pid_t pid;

	tap_is_int(sched_yield(), 0, "sched_yield succeeds");
	CPU_ZERO(&set);
	tap_is_int(sched_getaffinity(0, sizeof(set), &set), 0, "sched_getaffinity succeeds");
	tap_ok(CPU_COUNT(&set) >= 1,
	       "the affinity mask has at least one CPU (%d)", CPU_COUNT(&set));
	n = syscall(SYS_sched_getaffinity, 0, sizeof(raw), raw);
	tap_ok(n > 0 && n % 8 == 0 && n <= (long)sizeof(raw),
	       "the raw call returns the kernel mask size in bytes (%ld)", n);
	tap_is_errno(syscall(SYS_sched_getaffinity, 0, 4, raw), EINVAL,
		     "a size that is not a multiple of 8 fails with EINVAL");
	tap_is_errno(syscall(SYS_sched_getaffinity, 0, sizeof(raw), (void *)1), EFAULT,
		     "a bad mask pointer fails with EFAULT");
	tap_is_errno(sched_getaffinity(NO_SUCH_PID, sizeof(set), &set), ESRCH,
		     "sched_getaffinity of a nonexistent pid fails with ESRCH");
	CPU_ZERO(&one);
	tap_is_errno(sched_setaffinity(0, sizeof(one), &one), EINVAL,
		     "sched_setaffinity with an empty mask fails with EINVAL");

	for (int i = 0; i < CPU_SETSIZE && first < 0; i++)
		if (CPU_ISSET(i, &set))
			first = i;
	pid = fork();
	if (pid == 0) {
		cpu_set_t got;
		unsigned cpu = 9999;
		pid_t gc;

		CPU_ZERO(&one);
		CPU_SET(first, &one);
		if (sched_setaffinity(0, sizeof(one), &one))
			_exit(1);
		CPU_ZERO(&got);
		sched_getaffinity(0, sizeof(got), &got);
		if (!CPU_EQUAL(&got, &one))
			_exit(2);
		/* The migration is done when sched_setaffinity returns. */
		if (syscall(SYS_getcpu, &cpu, NULL, NULL) || cpu != (unsigned)first)
			_exit(3);
		gc = fork();
		if (gc == 0) {
			CPU_ZERO(&got);
			sched_getaffinity(0, sizeof(got), &got);
			_exit(CPU_EQUAL(&got, &one) ? 0 : 1);
		}
		_exit(wait_exit_code(gc) == 0 ? 0 : 4);
	}
	tap_is_int(wait_exit_code(pid), 0,
		   "pinning to one CPU is reported by getaffinity and getcpu and inherited by fork");
}

static void test_policy(void)
{
	struct sched_param sp = { 0 };
	pid_t pid;

	tap_is_int(syscall(SYS_sched_getscheduler, 0), SCHED_OTHER,
		   "the default policy is SCHED_OTHER");
	tap_ok(syscall(SYS_sched_getparam, 0, &sp) == 0 && sp.sched_priority == 0,
	       "a SCHED_OTHER thread has static priority 0");
	tap_is_int(sched_get_priority_max(SCHED_FIFO), 99, "the SCHED_FIFO maximum priority is 99");
	tap_is_int(sched_get_priority_min(SCHED_FIFO), 1, "the SCHED_FIFO minimum priority is 1");
	tap_ok(sched_get_priority_min(SCHED_OTHER) == 0 && sched_get_priority_max(SCHED_OTHER) == 0,
	       "SCHED_OTHER priorities are 0..0");
	tap_is_errno(sched_get_priority_max(1234), EINVAL,
		     "sched_get_priority_max of an unknown policy fails with EINVAL");
	tap_is_errno(syscall(SYS_sched_getscheduler, NO_SUCH_PID), ESRCH,
		     "sched_getscheduler of a nonexistent pid fails with ESRCH");
	sp.sched_priority = 0;
	tap_is_errno(syscall(SYS_sched_setscheduler, 0, 1234, &sp), EINVAL,
		     "sched_setscheduler with an unknown policy fails with EINVAL");
	sp.sched_priority = 100;
	tap_is_errno(syscall(SYS_sched_setscheduler, 0, SCHED_FIFO, &sp), EINVAL,
		     "SCHED_FIFO priority 100 fails with EINVAL");
	sp.sched_priority = 5;
	tap_is_errno(syscall(SYS_sched_setscheduler, 0, SCHED_OTHER, &sp), EINVAL,
		     "SCHED_OTHER with a nonzero priority fails with EINVAL");

	pid = fork();
	if (pid == 0) {
		struct sched_param p = { .sched_priority = 10 }, q = { 0 };

		if (syscall(SYS_sched_setscheduler, 0, SCHED_FIFO, &p))
			_exit(1);
		if (syscall(SYS_sched_getscheduler, 0) != SCHED_FIFO)
			_exit(2);
		if (syscall(SYS_sched_getparam, 0, &q) || q.sched_priority != 10)
			_exit(3);
		p.sched_priority = 0;
		if (syscall(SYS_sched_setscheduler, 0, SCHED_OTHER, &p))
			_exit(4);
		_exit(syscall(SYS_sched_getscheduler, 0) == SCHED_OTHER ? 0 : 5);
	}
	tap_is_int(wait_exit_code(pid), 0, "root can switch to SCHED_FIFO priority 10 and back");

	pid = fork();
	if (pid == 0) {
		struct sched_param p = { .sched_priority = 10 };

		if (drop_to_user(NOBODY, NOBODY))
			_exit(99);
		_exit(syscall(SYS_sched_setscheduler, 0, SCHED_FIFO, &p) == -1 && errno == EPERM ? 0 : 1);
	}
	tap_is_int(wait_exit_code(pid), 0, "an unprivileged SCHED_FIFO request fails with EPERM");
}

static void test_nice(void)
{
	pid_t pid;

	errno = 0;
	tap_ok(getpriority(PRIO_PROCESS, 0) == 0 && errno == 0, "the initial nice value is 0");
	tap_is_errno(getpriority(PRIO_PROCESS, NO_SUCH_PID), ESRCH,
		     "getpriority of a nonexistent pid fails with ESRCH");
	tap_is_errno(getpriority(42, 0), EINVAL,
		     "getpriority with an unknown 'which' fails with EINVAL");

	pid = fork();
	if (pid == 0) {
		if (setpriority(PRIO_PROCESS, 0, 5) || getpriority(PRIO_PROCESS, 0) != 5)
			_exit(1);
		/* Values beyond the range are clamped (setpriority(2)). */
		if (setpriority(PRIO_PROCESS, 0, 100) || getpriority(PRIO_PROCESS, 0) != 19)
			_exit(2);
		if (setpriority(PRIO_PROCESS, 0, -100) || getpriority(PRIO_PROCESS, 0) != -20)
			_exit(3);
		_exit(0);
	}
	tap_is_int(wait_exit_code(pid), 0, "root can set nice values, which are clamped to -20..19");

	pid = fork();
	if (pid == 0) {
		if (drop_to_user(NOBODY, NOBODY))
			_exit(99);
		if (setpriority(PRIO_PROCESS, 0, 10))
			_exit(1);
		/* Lowering the nice value needs CAP_SYS_NICE (RLIMIT_NICE is 0). */
		_exit(setpriority(PRIO_PROCESS, 0, 5) == -1 && errno == EACCES ? 0 : 2);
	}
	tap_is_int(wait_exit_code(pid), 0,
		   "an unprivileged process can raise its nice value but not lower it (EACCES)");
}

int main(void)
{
	alarm(25);	/* a safety net below the runner's 30 s timeout */
	test_affinity();
	test_policy();
	test_nice();
	return tap_done();
}
