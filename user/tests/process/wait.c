/*
 * wait4(2)/waitpid(2)/waitid(2) and process exit: exit codes 0..255 (and
 * their truncation to 8 bits), exit through exit_group and exit, death by
 * signal (WIFSIGNALED/WTERMSIG, no core bit), WNOHANG, waiting for a
 * specific pid, any child, the own process group and another group,
 * waitid's siginfo (CLD_EXITED, CLD_KILLED, si_pid, si_uid, si_status),
 * WNOWAIT, rusage from wait4, __WCLONE for a child with a non-SIGCHLD exit
 * signal, re-parenting of orphans to a child subreaper, and the errors
 * ECHILD, EINVAL and EFAULT.
 */
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tap.h"

static pid_t child_exiting(int code)
{
	pid_t pid = fork();

	if (pid < 0)
		tap_bail("fork");
	if (pid == 0)
		_exit(code);
	return pid;
}

/* A child that blocks until its end of @fds closes or the pipe has data. */
static pid_t child_blocking(int fds[2])
{
	pid_t pid;

	if (pipe(fds))
		tap_bail("pipe");
	pid = fork();
	if (pid < 0)
		tap_bail("fork");
	if (pid == 0) {
		char c;

		close(fds[1]);
		_exit(read(fds[0], &c, 1) == 1 ? c : 0);
	}
	close(fds[0]);
	return pid;
}

static void test_exit_codes(void)
{
	static const int codes[] = { 0, 1, 2, 42, 127, 128, 254, 255 };
	int status, good = 0;
	size_t i;
	pid_t pid;

	for (i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
		pid = child_exiting(codes[i]);
		if (waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
		    !WIFSIGNALED(status) && WEXITSTATUS(status) == codes[i])
			good++;
		else
			tap_diag("exit code %d: status %#x", codes[i], status);
	}
	tap_is_int(good, (int)(sizeof(codes) / sizeof(codes[0])),
		   "exit codes 0..255 arrive unchanged in WEXITSTATUS");

	/* Only the low 8 bits of the exit status are kept (exit(3)). */
	pid = child_exiting(256 + 7);
	tap_ok(waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 7,
	       "exit(263) is reported as exit code 7");
	pid = child_exiting(-1);
	tap_ok(waitpid(pid, &status, 0) == pid && WEXITSTATUS(status) == 255,
	       "exit(-1) is reported as exit code 255");

	/* The raw exit and exit_group system calls. */
	pid = fork();
	if (pid == 0)
		syscall(SYS_exit, 17);
	tap_ok(waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 17,
	       "SYS_exit of a single-threaded process reports its code");
	pid = fork();
	if (pid == 0)
		syscall(SYS_exit_group, 18);
	tap_ok(waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 18,
	       "SYS_exit_group reports its code");
}

static void test_signaled(void)
{
	int fds[2], status;
	pid_t pid;

	pid = child_blocking(fds);
	kill(pid, SIGKILL);
	tap_ok(waitpid(pid, &status, 0) == pid && WIFSIGNALED(status) &&
	       !WIFEXITED(status) && WTERMSIG(status) == SIGKILL,
	       "a child killed by SIGKILL reports WIFSIGNALED with WTERMSIG SIGKILL");
	tap_ok(!WCOREDUMP(status), "death by SIGKILL has no core-dump bit");
	close(fds[1]);

	pid = child_blocking(fds);
	kill(pid, SIGTERM);
	tap_ok(waitpid(pid, &status, 0) == pid && WIFSIGNALED(status) &&
	       WTERMSIG(status) == SIGTERM, "a child killed by SIGTERM reports WTERMSIG SIGTERM");
	close(fds[1]);
}

static void test_wnohang(void)
{
	int fds[2], status = 0x5a5a;
	pid_t pid;

	pid = child_blocking(fds);
	tap_is_int(waitpid(pid, &status, WNOHANG), 0,
		   "WNOHANG on a running child returns 0");
	tap_is_int(status, 0x5a5a, "WNOHANG returning 0 leaves the status untouched");
	if (write(fds[1], "\x09", 1) != 1)
		tap_bail("write");
	tap_ok(waitpid(pid, &status, 0) == pid && WEXITSTATUS(status) == 9,
	       "after the child exits, waitpid reaps it with its code");
	close(fds[1]);
}

static void test_selection(void)
{
	int fa[2], fb[2], status;
	pid_t a, b, r;

	a = child_blocking(fa);
	b = child_blocking(fb);
	if (write(fb[1], "\x02", 1) != 1 || write(fa[1], "\x01", 1) != 1)
		tap_bail("write");
	/* Waiting for b specifically must not return a, whichever ends first. */
	r = waitpid(b, &status, 0);
	tap_ok(r == b && WEXITSTATUS(status) == 2, "waitpid(pid) returns that child only");
	r = waitpid(-1, &status, 0);
	tap_ok(r == a && WEXITSTATUS(status) == 1, "waitpid(-1) returns the remaining child");
	close(fa[1]);
	close(fb[1]);

	/* pid 0: children in the caller's process group; -pgid: that group. */
	a = child_blocking(fa);
	b = child_blocking(fb);
	/* Move b to its own group before it can matter (we are its parent). */
	tap_is_int(setpgid(b, b), 0, "the parent moves a child into a new process group");
	if (write(fa[1], "\x03", 1) != 1)
		tap_bail("write");
	r = waitpid(0, &status, 0);
	tap_ok(r == a && WEXITSTATUS(status) == 3,
	       "waitpid(0) returns a child of the caller's process group");
	tap_is_errno(waitpid(0, &status, WNOHANG), ECHILD,
		     "waitpid(0) fails with ECHILD when only children in other groups remain");
	kill(b, SIGKILL);
	r = waitpid(-b, &status, 0);
	tap_ok(r == b && WIFSIGNALED(status), "waitpid(-pgid) returns a child of that group");
	close(fa[1]);
	close(fb[1]);
}

static void test_waitid(void)
{
	siginfo_t si;
	int fds[2];
	pid_t pid;

	pid = child_exiting(33);
	memset(&si, 0, sizeof(si));
	tap_is_int(waitid(P_PID, pid, &si, WEXITED), 0, "waitid(P_PID, WEXITED) succeeds");
	tap_ok(si.si_signo == SIGCHLD && si.si_code == CLD_EXITED && si.si_pid == pid &&
	       si.si_uid == getuid() && si.si_status == 33,
	       "waitid reports SIGCHLD, CLD_EXITED, the pid, the uid and the exit code");

	pid = child_blocking(fds);
	/*
	 * wait(2): with WNOHANG and no waitable child waitid returns 0; Linux
	 * then zeroes si_signo and si_pid.
	 */
	memset(&si, 0x7f, sizeof(si));
	tap_is_int(waitid(P_PID, pid, &si, WEXITED | WNOHANG), 0,
		   "waitid WNOHANG on a running child returns 0");
	tap_ok(si.si_pid == 0 && si.si_signo == 0, "waitid WNOHANG clears si_pid and si_signo");
	kill(pid, SIGKILL);
	memset(&si, 0, sizeof(si));
	tap_is_int(waitid(P_ALL, 0, &si, WEXITED | WNOWAIT), 0,
		   "waitid(P_ALL, WEXITED|WNOWAIT) succeeds");
	tap_ok(si.si_code == CLD_KILLED && si.si_status == SIGKILL && si.si_pid == pid,
	       "waitid reports CLD_KILLED and the signal in si_status");
	memset(&si, 0, sizeof(si));
	tap_ok(waitid(P_PID, pid, &si, WEXITED) == 0 && si.si_pid == pid,
	       "after WNOWAIT the child is still waitable");
	tap_is_errno(waitpid(pid, NULL, WNOHANG), ECHILD, "after the real wait the child is gone");
	close(fds[1]);

	pid = child_exiting(5);
	memset(&si, 0, sizeof(si));
	tap_ok(waitid(P_PGID, getpgrp(), &si, WEXITED) == 0 && si.si_pid == pid,
	       "waitid(P_PGID) reaps a child in that process group");
}

static void test_errors(void)
{
	siginfo_t si;
	pid_t pid;

	tap_is_errno(waitpid(-1, NULL, 0), ECHILD, "waitpid without children fails with ECHILD");
	tap_is_errno(waitpid(getppid(), NULL, 0), ECHILD,
		     "waitpid for a process that is not a child fails with ECHILD");
	tap_is_errno(waitid(P_ALL, 0, &si, WEXITED), ECHILD,
		     "waitid without children fails with ECHILD");

	pid = child_exiting(0);
	tap_is_errno(waitpid(pid, NULL, 0x10000000), EINVAL,
		     "waitpid with an unknown option fails with EINVAL");
	tap_is_errno(waitid(P_PID, pid, &si, 0), EINVAL,
		     "waitid without WEXITED, WSTOPPED or WCONTINUED fails with EINVAL");
	tap_is_errno(syscall(SYS_waitid, 42, pid, &si, WEXITED, NULL), EINVAL,
		     "waitid with an unknown idtype fails with EINVAL");
	tap_is_errno(syscall(SYS_wait4, pid, (int *)1, 0, NULL), EFAULT,
		     "wait4 with a bad status pointer fails with EFAULT");
	/* The EFAULT above happened after the child was reaped (kernel/exit.c). */
	tap_is_errno(waitpid(pid, NULL, WNOHANG), ECHILD,
		     "the child was reaped even though storing its status faulted");
}

static void test_rusage(void)
{
	struct rusage ru;
	int status;
	pid_t pid;

	pid = fork();
	if (pid == 0) {
		char *p = mmap(NULL, 64 * 4096, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (p == MAP_FAILED)
			_exit(1);
		for (int i = 0; i < 64; i++)
			p[i * 4096] = 1;
		_exit(0);
	}
	memset(&ru, 0, sizeof(ru));
	tap_is_int(wait4(pid, &status, 0, &ru), pid, "wait4 with rusage reaps the child");
	tap_ok(ru.ru_minflt >= 64, "wait4 rusage counts the child's page faults (%ld >= 64)",
	       ru.ru_minflt);
}

/* A clone child with exit signal 0 is only seen with __WCLONE or __WALL. */
static void test_wclone(void)
{
	int status;
	long pid;

	pid = syscall(SYS_clone, 0 /* exit signal 0, no flags */, NULL, NULL, NULL, NULL);
	if (pid == 0)
		syscall(SYS_exit, 4);
	tap_ok(pid > 0, "clone with exit signal 0 creates a child");
	tap_is_errno(waitpid(pid, &status, WNOHANG), ECHILD,
		     "a clone child without SIGCHLD is not waitable without __WCLONE");
	tap_ok(waitpid(pid, &status, __WCLONE) == pid && WEXITSTATUS(status) == 4,
	       "waitpid with __WCLONE reaps it");
}

/* Orphans are re-parented to the nearest child subreaper (prctl(2)). */
static void test_subreaper(void)
{
	int fds[2], status;
	pid_t mid, orphan = 0, me = getpid();
	siginfo_t si;

	tap_is_int(prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0), 0, "PR_SET_CHILD_SUBREAPER succeeds");
	if (pipe(fds))
		tap_bail("pipe");
	mid = fork();
	if (mid == 0) {
		pid_t gc;

		mid = getpid();
		gc = fork();

		if (gc == 0) {
			/* Spin (bounded) until the middle process has died. */
			for (long i = 0; i < 100000000 && getppid() == mid; i++)
				sched_yield();
			_exit(getppid() == me ? 40 : 41);
		}
		if (write(fds[1], &gc, sizeof(gc)) != sizeof(gc))
			_exit(1);
		_exit(0);
	}
	close(fds[1]);
	if (read(fds[0], &orphan, sizeof(orphan)) != sizeof(orphan))
		tap_bail("read");
	close(fds[0]);
	tap_ok(waitpid(mid, &status, 0) == mid && WEXITSTATUS(status) == 0,
	       "the middle process exits");
	memset(&si, 0, sizeof(si));
	tap_ok(waitid(P_PID, orphan, &si, WEXITED) == 0 && si.si_pid == orphan &&
	       si.si_status == 40,
	       "the orphaned grandchild is re-parented to the subreaper and reaped");
	prctl(PR_SET_CHILD_SUBREAPER, 0, 0, 0, 0);
}

int main(void)
{
	alarm(25);	/* a safety net below the runner's 30 s timeout */
	test_exit_codes();
	test_signaled();
	test_wnohang();
	test_selection();
	test_waitid();
	test_errors();
	test_rusage();
	test_wclone();
	test_subreaper();
	return tap_done();
}
