/*
 * A system-call fuzzer: at least 100,000 system calls with random numbers
 * and random arguments, after which the kernel must still work and its
 * free memory must be back where it started.
 *
 * The calls run in children that drop to the unprivileged user nobody,
 * close the standard fds (so random writes cannot corrupt this test's TAP
 * output) and count their calls in a shared page. A child that dies — a
 * random munmap of its own code, a signal it raised — is replaced by a new
 * one and the count goes on; one that does not finish within CHILD_SECONDS
 * (a read that blocks, a signal mask that hides its alarm) is killed. So
 * only calls that would end or stall the fuzzer itself are left out:
 * process creation and replacement (fork, vfork, clone, clone3, execve,
 * execveat) and the calls whose purpose is to sleep (pause, nanosleep,
 * clock_nanosleep, the poll/select/epoll waits, futex, the sigsuspend and
 * sigtimedwait waits).
 *
 * Arguments mix small integers, -1, random 64-bit values, valid pointers
 * into a scratch buffer, pointers to unmapped and kernel addresses and
 * NULL. The seed is fixed (FUZZ_SEED) so every run replays the same
 * sequence and a failure is reproducible; set KEEL_FUZZ_SEED in the
 * environment to explore others. Each child's seed is derived from it.
 *
 * conformance-timeout: 240
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tap.h"
#include "testutil.h"

#define TOTAL_CALLS     100000
#define CALLS_PER_CHILD 2000
#define CHILD_SECONDS   3
#define NR_MAX          460
#define NOBODY          65534
#define MEM_SLACK_KIB   (8 * 1024)
#define FUZZ_SEED       0x4b65656c46757a7aULL     /* "KeelFuzz" */

static const int excluded[] = {
	SYS_fork, SYS_vfork, SYS_clone, SYS_clone3, SYS_execve, SYS_execveat,
	SYS_pause, SYS_nanosleep, SYS_clock_nanosleep, SYS_select, SYS_poll,
	SYS_ppoll, SYS_pselect6, SYS_epoll_wait, SYS_epoll_pwait,
	SYS_epoll_pwait2, SYS_futex, 449 /* futex_waitv */, SYS_rt_sigsuspend,
	SYS_rt_sigtimedwait, SYS_wait4, SYS_waitid, SYS_exit, SYS_exit_group,
	SYS_rt_sigreturn,
};

static uint64_t rng;

static uint64_t next_rand(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static bool is_excluded(long nr)
{
	for (size_t i = 0; i < sizeof(excluded) / sizeof(excluded[0]); i++)
		if (excluded[i] == nr)
			return true;
	return false;
}

static long random_arg(char *scratch)
{
	switch (next_rand() % 10) {
	case 0: return 0;
	case 1: return -1;
	case 2: return (long)(next_rand() % 16);
	case 3: return (long)(next_rand() % 4096);
	case 4: return (long)next_rand();
	case 5:
	case 6: return (long)(scratch + next_rand() % 4096);     /* valid */
	case 7: return (long)0xffff888000000000UL;               /* kernel */
	case 8: return (long)(uintptr_t)(next_rand() & 0x7ffffffff000UL);
	default: return (long)(uint32_t)next_rand();
	}
}

/* The child: drop privileges, lose the standard fds, call at random. */
static void __attribute__((noreturn)) fuzz_child(volatile long *count, uint64_t seed)
{
	/* Two pages of scratch, then a guard page that stops runaway writes. */
	char *scratch = mmap(NULL, 3 * 4096, PROT_READ | PROT_WRITE,
			     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int null = open("/dev/null", O_RDWR);

	if (scratch == MAP_FAILED || null < 0 ||
	    mprotect(scratch + 2 * 4096, 4096, PROT_NONE))
		_exit(2);
	for (int fd = 0; fd < 3; fd++)
		dup2(null, fd);
	if (setgid(NOBODY) || setuid(NOBODY))
		_exit(3);
	rng = seed;
	alarm(CHILD_SECONDS - 1);
	for (int i = 0; i < CALLS_PER_CHILD; i++) {
		long nr = (long)(next_rand() % NR_MAX);
		long a[6];

		if (is_excluded(nr))
			continue;
		for (int j = 0; j < 6; j++)
			a[j] = random_arg(scratch);
		__atomic_fetch_add(count, 1, __ATOMIC_RELAXED);
		syscall(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
	}
	_exit(0);
}

/* Wait for @pid at most CHILD_SECONDS, then kill it. */
static void reap_child(pid_t pid)
{
	struct timespec tick = { 0, 10 * 1000 * 1000 };

	for (int i = 0; i < CHILD_SECONDS * 100; i++) {
		if (waitpid(pid, NULL, WNOHANG) == pid)
			return;
		nanosleep(&tick, NULL);
	}
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

/* The shared call counter, between two guard pages. */
static volatile long *map_counter(void)
{
	char *p = mmap(NULL, 3 * 4096, PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED || mprotect(p, 4096, PROT_NONE) ||
	    mprotect(p + 2 * 4096, 4096, PROT_NONE))
		return MAP_FAILED;
	return (volatile long *)(p + 4096);
}

int main(void)
{
	volatile long *count = map_counter();
	const char *env = getenv("KEEL_FUZZ_SEED");
	uint64_t seed = env ? strtoull(env, NULL, 0) : FUZZ_SEED;
	long before, after, children = 0;

	tap_plan(4);
	if (count == MAP_FAILED)
		tap_bail("mmap");
	tap_diag("seed %llu", (unsigned long long)seed);
	before = meminfo_kib("MemFree");
	while (*count < TOTAL_CALLS) {
		pid_t pid = fork();

		if (pid < 0)
			tap_bail("fork: %s", strerror(errno));
		if (pid == 0)
			fuzz_child(count, seed + (uint64_t)children * 0x9e3779b97f4a7c15ULL);
		reap_child(pid);
		children++;
	}
	tap_ok(*count >= TOTAL_CALLS, "%ld random system calls ran in %ld children",
	       *count, children);
	tap_ok(getppid() > 0 && getpid() > 0, "the kernel still answers system calls");
	tap_ok(kill(getpid(), 0) == 0, "signals still work");
	after = meminfo_kib("MemFree");
	tap_ok(before > 0 && after > 0 && after + MEM_SLACK_KIB >= before,
	       "free memory is back where it started (%ld kB before, %ld kB after)",
	       before, after);
	return tap_done();
}
