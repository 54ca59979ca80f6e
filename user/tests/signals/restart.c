/*
 * Interrupted system calls (signal(7), "Interruption of system calls"):
 * a blocking pipe read fails with EINTR when a handler without SA_RESTART
 * runs and is restarted with SA_RESTART; a blocking pipe write that
 * already moved data returns the partial count; waitpid follows
 * SA_RESTART; nanosleep and poll always fail with EINTR (nanosleep
 * reporting the remaining time); and a stop/continue without a handler
 * restarts read and nanosleep transparently.
 *
 * The child does the blocking call; the parent waits until the child
 * sleeps (state 'S' in /proc/<pid>/stat, a bounded retry) before it sends
 * the signal, so the signal really arrives during the call.
 */
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tap.h"
#include "testutil.h"

static int data[2];	/* the pipe the child blocks on */
static int ack[2];	/* the child's handler writes here */

static void handler(int sig)
{
	if (write(ack[1], "h", 1) < 0)
		_exit(90);
}

static void wait_sleeping(pid_t pid)
{
	for (long i = 0; i < 2000000; i++) {
		if (proc_stat_state("/proc/%d/stat", pid) == 'S')
			return;
		sched_yield();
	}
	tap_diag("child %d never slept", pid);
}

/* Child bodies: exit 0 on the expected outcome. */
static int read_expect_eintr(void)
{
	char c;
	ssize_t r = read(data[0], &c, 1);

	return r == -1 && errno == EINTR ? 0 : 1;
}

static int read_expect_data(void)
{
	char c = 0;
	ssize_t r = read(data[0], &c, 1);

	return r == 1 && c == 'd' ? 0 : 1;
}

static pid_t start(int (*body)(void))
{
	pid_t pid;

	if (pipe(data) || pipe(ack))
		tap_bail("pipe");
	pid = fork();
	if (pid < 0)
		tap_bail("fork");
	if (pid == 0)
		_exit(body());
	return pid;
}

static void finish(void)
{
	close(data[0]);
	close(data[1]);
	close(ack[0]);
	close(ack[1]);
}

/* Wait for the child's handler to have run. */
static int handler_ran(void)
{
	char c;

	return read(ack[0], &c, 1) == 1;
}

static void test_read(void)
{
	pid_t pid;

	sig_install(SIGUSR1, handler, 0);
	pid = start(read_expect_eintr);
	wait_sleeping(pid);
	kill(pid, SIGUSR1);
	tap_is_int(wait_exit_code(pid), 0, "a blocking pipe read fails with EINTR without SA_RESTART");
	finish();

	sig_install(SIGUSR1, handler, SA_RESTART);
	pid = start(read_expect_data);
	wait_sleeping(pid);
	kill(pid, SIGUSR1);
	tap_ok(handler_ran(), "the handler ran during the blocking read");
	if (write(data[1], "d", 1) != 1)
		tap_bail("write");
	tap_is_int(wait_exit_code(pid), 0, "with SA_RESTART the read is restarted and returns the data");
	finish();

	/* No handler at all: a stop and continue is invisible to read. */
	pid = start(read_expect_data);
	wait_sleeping(pid);
	kill(pid, SIGSTOP);
	waitpid(pid, NULL, WUNTRACED);
	kill(pid, SIGCONT);
	waitpid(pid, NULL, WCONTINUED);
	if (write(data[1], "d", 1) != 1)
		tap_bail("write");
	tap_is_int(wait_exit_code(pid), 0,
		   "a read interrupted by SIGSTOP/SIGCONT resumes without EINTR");
	finish();
}

static int write_expect_partial(void)
{
	static char buf[256 * 1024];
	ssize_t r = write(data[1], buf, sizeof(buf));

	/* Exit with the number of whole 4 KiB pages written. */
	return r > 0 ? (int)(r / 4096) : 255;
}

static void test_write(void)
{
	static char sink[256 * 1024];
	pid_t pid;
	int code, cap;

	sig_install(SIGUSR1, handler, 0);
	pid = start(write_expect_partial);
	cap = fcntl(data[1], F_GETPIPE_SZ);
	wait_sleeping(pid);
	kill(pid, SIGUSR1);
	code = wait_exit_code(pid);
	tap_ok(cap > 0 && code == cap / 4096,
	       "an interrupted pipe write returns the bytes already written (%d pages of %d)",
	       code, cap / 4096);
	while (read(data[0], sink, sizeof(sink)) == (ssize_t)sizeof(sink))
		;
	finish();
}

static int waitpid_child(int want_eintr)
{
	pid_t gc = fork();
	char c;
	int st;
	pid_t r;

	if (gc == 0) {
		close(data[1]);	/* so that it sees EOF when the test closes its end */
		_exit(read(data[0], &c, 1) == 0 ? 3 : 4);
	}
	r = waitpid(gc, &st, 0);
	if (want_eintr)
		return r == -1 && errno == EINTR ? 0 : 1;
	return r == gc && WIFEXITED(st) && WEXITSTATUS(st) == 3 ? 0 : 1;
}

static int waitpid_expect_eintr(void)
{
	return waitpid_child(1);
}

static int waitpid_expect_restart(void)
{
	close(data[1]);
	return waitpid_child(0);
}

static void test_waitpid(void)
{
	pid_t pid;

	sig_install(SIGUSR1, handler, 0);
	pid = start(waitpid_expect_eintr);
	wait_sleeping(pid);
	kill(pid, SIGUSR1);
	tap_is_int(wait_exit_code(pid), 0, "waitpid fails with EINTR without SA_RESTART");
	finish();

	sig_install(SIGUSR1, handler, SA_RESTART);
	pid = start(waitpid_expect_restart);
	wait_sleeping(pid);
	kill(pid, SIGUSR1);
	tap_ok(handler_ran(), "the handler ran during waitpid");
	/* Closing our write end lets the grandchild exit. */
	close(data[1]);
	data[1] = open("/dev/null", O_WRONLY);
	tap_is_int(wait_exit_code(pid), 0,
		   "with SA_RESTART waitpid is restarted and reaps the grandchild");
	finish();
}

static int nanosleep_expect_eintr(void)
{
	struct timespec req = { 30, 0 }, rem = { 0, 0 };
	int r = nanosleep(&req, &rem);

	if (r != -1 || errno != EINTR)
		return 1;
	return rem.tv_sec > 0 && rem.tv_sec <= 30 ? 0 : 2;
}

static int poll_expect_eintr(void)
{
	int r = poll(NULL, 0, 30000);

	return r == -1 && errno == EINTR ? 0 : 1;
}

static int nanosleep_full(void)
{
	struct timespec req = { 0, 500 * 1000 * 1000 }, t0, t1;
	long ns;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (nanosleep(&req, NULL))
		return 1;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ns = (t1.tv_sec - t0.tv_sec) * 1000000000L + (t1.tv_nsec - t0.tv_nsec);
	return ns >= 500 * 1000 * 1000 ? 0 : 2;
}

static void test_never_restarted(void)
{
	pid_t pid;

	sig_install(SIGUSR1, handler, SA_RESTART);
	pid = start(nanosleep_expect_eintr);
	wait_sleeping(pid);
	kill(pid, SIGUSR1);
	tap_is_int(wait_exit_code(pid), 0,
		   "nanosleep fails with EINTR even with SA_RESTART and reports the time left");
	finish();

	pid = start(poll_expect_eintr);
	wait_sleeping(pid);
	kill(pid, SIGUSR1);
	tap_is_int(wait_exit_code(pid), 0, "poll fails with EINTR even with SA_RESTART");
	finish();

	/* Without a handler, nanosleep survives stop/continue (restart_syscall). */
	pid = start(nanosleep_full);
	wait_sleeping(pid);
	kill(pid, SIGSTOP);
	{
		int st = -1, code = -1;

		/* If the sleep already ended (a very slow machine), st is the exit. */
		if (waitpid(pid, &st, WUNTRACED) == pid && WIFSTOPPED(st)) {
			kill(pid, SIGCONT);
			code = wait_exit_code(pid);
		} else if (WIFEXITED(st)) {
			code = WEXITSTATUS(st);
		}
		tap_is_int(code, 0, "nanosleep interrupted by SIGSTOP/SIGCONT still sleeps "
			   "the full time and returns 0");
	}
	finish();
}

int main(void)
{
	alarm(25);	/* a safety net below the runner's 30 s timeout */
	test_read();
	test_write();
	test_waitpid();
	test_never_restarted();
	return tap_done();
}
