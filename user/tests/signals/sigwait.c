/*
 * Synchronous signal acceptance and queued signals: sigtimedwait(2),
 * sigwaitinfo(2), sigwait(3), sigqueue(3)/rt_sigqueueinfo(2). Covers the
 * siginfo of the accepted signal (SI_USER, SI_QUEUE with the value and
 * the sender's pid), consumption, lowest-first order, the timeout
 * (EAGAIN, immediately for a zero timeout), interruption by a handled
 * signal outside the set (EINTR), the RLIMIT_SIGPENDING queue limit
 * (EAGAIN), and the errors EINVAL, EFAULT, ESRCH and EPERM (a forged
 * si_code sent to another process).
 */
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tap.h"
#include "testutil.h"

#define NO_SUCH_PID 0x7ffffff0
#define LONE_UID 47104	/* RLIMIT_SIGPENDING counts per user: use our own */

static volatile int usr2_hits;

static void usr2_handler(int sig)
{
	usr2_hits++;
}

static void test_accept(void)
{
	struct timespec zero = { 0, 0 };
	sigset_t set, pend;
	siginfo_t si;
	int sig = 0;

	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGRTMIN);
	sigaddset(&set, SIGRTMIN + 3);
	sigprocmask(SIG_BLOCK, &set, NULL);

	kill(getpid(), SIGUSR1);
	memset(&si, 0, sizeof(si));
	tap_is_int(sigtimedwait(&set, &si, &zero), SIGUSR1,
		   "sigtimedwait returns a pending signal from the set");
	tap_ok(si.si_signo == SIGUSR1 && si.si_code == SI_USER && si.si_pid == getpid(),
	       "the siginfo describes the kill that sent it");
	sigpending(&pend);
	tap_ok(!sigismember(&pend, SIGUSR1), "the accepted signal is no longer pending");
	tap_is_errno(sigtimedwait(&set, &si, &zero), EAGAIN,
		     "sigtimedwait with a zero timeout and nothing pending fails with EAGAIN");

	raise(SIGRTMIN + 3);
	raise(SIGRTMIN);
	tap_ok(sigwait(&set, &sig) == 0 && sig == SIGRTMIN,
	       "sigwait returns the lowest-numbered pending signal first");
	tap_is_int(sigwaitinfo(&set, &si), SIGRTMIN + 3, "sigwaitinfo returns the next one");
}

static void test_timeout(void)
{
	struct timespec t0, t1, to = { 0, 20 * 1000 * 1000 };
	sigset_t set;
	siginfo_t si;
	long elapsed_ns;

	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	tap_is_errno(sigtimedwait(&set, &si, &to), EAGAIN,
		     "sigtimedwait times out with EAGAIN when no signal arrives");
	clock_gettime(CLOCK_MONOTONIC, &t1);
	elapsed_ns = (t1.tv_sec - t0.tv_sec) * 1000000000L + (t1.tv_nsec - t0.tv_nsec);
	tap_ok(elapsed_ns >= 20 * 1000 * 1000,
	       "the timeout lasted at least 20 ms (%ld ns)", elapsed_ns);

	to.tv_nsec = 1000000000;
	tap_is_errno(sigtimedwait(&set, &si, &to), EINVAL,
		     "a timeout with tv_nsec of 1e9 fails with EINVAL");
	to.tv_sec = -1;
	to.tv_nsec = 0;
	tap_is_errno(sigtimedwait(&set, &si, &to), EINVAL, "a negative timeout fails with EINVAL");
	tap_is_errno(syscall(SYS_rt_sigtimedwait, &set, &si, (void *)1, 8), EFAULT,
		     "a bad timeout pointer fails with EFAULT");
	to.tv_sec = 0;
	tap_is_errno(syscall(SYS_rt_sigtimedwait, &set, &si, &to, 4), EINVAL,
		     "a sigsetsize other than 8 fails with EINVAL");
}

static void test_from_child(void)
{
	sigset_t set;
	siginfo_t si;
	pid_t pid, parent = getpid();

	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	pid = fork();
	if (pid == 0) {
		union sigval v = { .sival_int = 1234 };

		_exit(sigqueue(parent, SIGUSR1, v) ? 1 : 0);
	}
	memset(&si, 0, sizeof(si));
	tap_is_int(sigwaitinfo(&set, &si), SIGUSR1, "sigwaitinfo accepts a signal sent by a child");
	tap_ok(si.si_code == SI_QUEUE && si.si_pid == pid && si.si_uid == getuid() &&
	       si.si_value.sival_int == 1234,
	       "sigqueue delivers SI_QUEUE, the sender's pid and uid, and the value");
	wait_exit_code(pid);
}

/* A handled signal outside the set interrupts the wait with EINTR. */
static void test_eintr(void)
{
	struct timespec to = { 30, 0 };
	sigset_t set;
	siginfo_t si;
	pid_t pid, parent = getpid();
	int r, e;

	signal(SIGUSR2, usr2_handler);
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	pid = fork();
	if (pid == 0) {
		/* Bounded wait until the parent sleeps in sigtimedwait. */
		for (int i = 0; i < 1000000; i++) {
			if (proc_stat_state("/proc/%d/stat", parent) == 'S')
				break;
			sched_yield();
		}
		kill(parent, SIGUSR2);
		_exit(0);
	}
	usr2_hits = 0;
	/* The raw call: musl's sigtimedwait retries after EINTR. */
	r = (int)syscall(SYS_rt_sigtimedwait, &set, &si, &to, 8);
	e = errno;
	tap_ok(r == -1 && e == EINTR && usr2_hits == 1,
	       "a handled signal outside the set interrupts sigtimedwait with EINTR");
	wait_exit_code(pid);
	signal(SIGUSR2, SIG_DFL);
}

static void test_queue_errors(void)
{
	union sigval v = { .sival_int = 0 };
	siginfo_t si;
	int ready[2], status;
	pid_t pid;

	tap_is_int(sigqueue(getpid(), 0, v), 0, "sigqueue with signal 0 checks existence");
	tap_is_errno(sigqueue(NO_SUCH_PID, SIGUSR1, v), ESRCH,
		     "sigqueue to a nonexistent pid fails with ESRCH");
	tap_is_errno(sigqueue(getpid(), 65, v), EINVAL, "sigqueue of signal 65 fails with EINVAL");

	if (pipe(ready))
		tap_bail("pipe");
	pid = fork();
	if (pid == 0) {
		char c;

		close(ready[1]);
		_exit(read(ready[0], &c, 1) == 0 ? 0 : 1);
	}
	close(ready[0]);
	/* Only the kernel may send si_code >= 0 to another process. */
	memset(&si, 0, sizeof(si));
	si.si_signo = SIGUSR1;
	si.si_code = SI_USER;
	si.si_pid = getpid();
	tap_is_errno(syscall(SYS_rt_sigqueueinfo, pid, SIGUSR1, &si), EPERM,
		     "rt_sigqueueinfo with si_code SI_USER to another process fails with EPERM");
	si.si_code = SI_QUEUE;
	tap_is_errno(syscall(SYS_rt_sigqueueinfo, pid, SIGUSR1, (void *)1), EFAULT,
		     "rt_sigqueueinfo with a bad siginfo pointer fails with EFAULT");
	close(ready[1]);
	waitpid(pid, &status, 0);

	pid = fork();
	if (pid == 0) {
		struct rlimit rl = { 3, 3 };
		sigset_t set;
		int n = 0;

		if (drop_to_user(LONE_UID, LONE_UID) ||
		    setrlimit(RLIMIT_SIGPENDING, &rl))
			_exit(100);
		sigemptyset(&set);
		sigaddset(&set, SIGRTMIN);
		sigprocmask(SIG_BLOCK, &set, NULL);
		while (n < 10 && sigqueue(getpid(), SIGRTMIN, v) == 0)
			n++;
		_exit(errno == EAGAIN ? n : 50 + n);
	}
	tap_is_int(wait_exit_code(pid), 3,
		   "with RLIMIT_SIGPENDING 3 the fourth queued signal fails with EAGAIN");
}

int main(void)
{
	alarm(25);	/* a safety net below the runner's 30 s timeout */
	test_accept();
	test_timeout();
	test_from_child();
	test_eintr();
	test_queue_errors();
	return tap_done();
}
