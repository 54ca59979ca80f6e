/*
 * kill(2), tkill(2), tgkill(2): signal 0 as an existence and permission
 * check (zombies still exist, reaped children do not), process-group
 * targets (kill(0) and kill(-pgid)), kill(-1) from an unprivileged user
 * (reaches that user's other processes, not the caller, not root's), the
 * permission rule (sender real/effective uid against target real/saved
 * uid; SIGCONT within a session), and the errors EINVAL, ESRCH and EPERM.
 */
#include <grp.h>
#include <limits.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tap.h"
#include "testutil.h"

#define NO_SUCH_PID 0x7ffffff0
/* Users no other process on the machine runs as (for kill(-1)). */
#define LONE_UID 47105

static volatile int hits;

static void handler(int sig)
{
	hits++;
}

static void become(uid_t r, uid_t e, uid_t s)
{
	if (setgroups(0, NULL) || setresgid(65534, 65534, 65534) || setresuid(r, e, s))
		_exit(99);
}

/* A child that blocks until killed (or until @ctl's write end closes). */
struct blocker {
	pid_t pid;
	int ctl;
};

static struct blocker start_blocker(uid_t r, uid_t e, uid_t s, int new_group)
{
	struct blocker b;
	int ctl[2], ready[2];
	char c = 0;

	if (pipe(ctl) || pipe(ready))
		tap_bail("pipe");
	b.pid = fork();
	if (b.pid < 0)
		tap_bail("fork");
	if (b.pid == 0) {
		for (int fd = 3; fd < 256; fd++)
			if (fd != ctl[0] && fd != ready[1])
				close(fd);
		if (new_group)
			setpgid(0, 0);
		if (r != (uid_t)-1)
			become(r, e, s);
		if (write(ready[1], "r", 1) != 1)
			_exit(1);
		while (read(ctl[0], &c, 1) > 0)
			;
		_exit(0);
	}
	close(ctl[0]);
	close(ready[1]);
	if (read(ready[0], &c, 1) != 1)
		tap_diag("blocker did not start");
	close(ready[0]);
	b.ctl = ctl[1];
	return b;
}

/* Release a blocker; returns its wait status. */
static int stop_blocker(struct blocker b)
{
	int status = -1;

	close(b.ctl);
	waitpid(b.pid, &status, 0);
	return status;
}

static void test_existence(void)
{
	pid_t pid;
	int status;

	tap_is_int(kill(getpid(), 0), 0, "kill(self, 0) succeeds");
	tap_is_errno(kill(NO_SUCH_PID, 0), ESRCH, "kill of a nonexistent pid fails with ESRCH");
	tap_is_errno(kill(INT_MIN, 0), ESRCH, "kill(INT_MIN) fails with ESRCH");
	tap_is_errno(kill(-NO_SUCH_PID, 0), ESRCH, "kill of a nonexistent group fails with ESRCH");
	tap_is_errno(kill(getpid(), 65), EINVAL, "kill with signal 65 fails with EINVAL");
	tap_is_errno(kill(getpid(), -1), EINVAL, "kill with signal -1 fails with EINVAL");

	pid = fork();
	if (pid == 0)
		_exit(0);
	/* Wait until it is a zombie without reaping it. */
	{
		siginfo_t si;

		waitid(P_PID, pid, &si, WEXITED | WNOWAIT);
	}
	tap_is_int(kill(pid, 0), 0, "a zombie still exists for kill(pid, 0)");
	waitpid(pid, &status, 0);
	tap_is_errno(kill(pid, 0), ESRCH, "a reaped child no longer exists (ESRCH)");
}

static void test_thread_kill(void)
{
	long tid = syscall(SYS_gettid);

	signal(SIGUSR1, handler);
	hits = 0;
	tap_is_int(syscall(SYS_tkill, tid, SIGUSR1), 0, "tkill to the own tid succeeds");
	tap_is_int(hits, 1, "tkill delivers the signal");
	tap_is_int(syscall(SYS_tgkill, getpid(), tid, SIGUSR1), 0,
		   "tgkill to the own thread succeeds");
	tap_is_int(hits, 2, "tgkill delivers the signal");
	tap_is_int(syscall(SYS_tgkill, getpid(), tid, 0), 0, "tgkill with signal 0 succeeds");
	tap_is_errno(syscall(SYS_tkill, 0, SIGUSR1), EINVAL, "tkill of tid 0 fails with EINVAL");
	tap_is_errno(syscall(SYS_tkill, -5, SIGUSR1), EINVAL,
		     "tkill of a negative tid fails with EINVAL");
	tap_is_errno(syscall(SYS_tkill, NO_SUCH_PID, 0), ESRCH,
		     "tkill of a nonexistent tid fails with ESRCH");
	tap_is_errno(syscall(SYS_tgkill, 0, tid, 0), EINVAL,
		     "tgkill with tgid 0 fails with EINVAL");
	tap_is_errno(syscall(SYS_tgkill, getpid(), tid, 65), EINVAL,
		     "tgkill with signal 65 fails with EINVAL");
	tap_is_errno(syscall(SYS_tgkill, getpid(), NO_SUCH_PID, 0), ESRCH,
		     "tgkill of a nonexistent tid fails with ESRCH");
	tap_is_errno(syscall(SYS_tgkill, getppid(), tid, 0), ESRCH,
		     "tgkill of a tid that is not in the given thread group fails with ESRCH");
	signal(SIGUSR1, SIG_DFL);
}

static void test_groups(void)
{
	struct blocker a, b;
	int sa, sb;
	pid_t pid;

	/* kill(-pgid): a leader and a member of a new group. */
	a = start_blocker(-1, -1, -1, 1);
	b = start_blocker(-1, -1, -1, 0);
	setpgid(b.pid, a.pid);
	tap_is_int(kill(-a.pid, SIGTERM), 0, "kill(-pgid) succeeds");
	sa = stop_blocker(a);
	sb = stop_blocker(b);
	tap_ok(WIFSIGNALED(sa) && WTERMSIG(sa) == SIGTERM && WIFSIGNALED(sb) &&
	       WTERMSIG(sb) == SIGTERM, "kill(-pgid) reaches every member of the group");

	/* kill(0): the caller's whole group, caller included. */
	pid = fork();
	if (pid == 0) {
		struct blocker c, d;
		int r = 0, sc, sd;

		setpgid(0, 0);
		c = start_blocker(-1, -1, -1, 0);
		d = start_blocker(-1, -1, -1, 0);
		signal(SIGUSR2, handler);
		hits = 0;
		if (kill(0, SIGUSR2) == 0 && hits == 1)
			r |= 1;
		sc = stop_blocker(c);
		sd = stop_blocker(d);
		if (WIFSIGNALED(sc) && WTERMSIG(sc) == SIGUSR2 && WIFSIGNALED(sd) &&
		    WTERMSIG(sd) == SIGUSR2)
			r |= 2;
		_exit(r);
	}
	sa = wait_exit_code(pid);
	tap_ok(sa >= 0 && (sa & 1), "kill(0) signals the caller itself");
	tap_ok(sa >= 0 && (sa & 2), "kill(0) signals every process in the caller's group");
}

static void test_permissions(void)
{
	struct blocker t, root_child;
	pid_t pid, parent = getpid();
	int st;

	pid = fork();
	if (pid == 0) {
		int r = 0;

		become(65534, 65534, 65534);
		if (kill(parent, SIGUSR1) == -1 && errno == EPERM)
			r |= 1;
		if (kill(parent, 0) == -1 && errno == EPERM)
			r |= 2;
		_exit(r);
	}
	st = wait_exit_code(pid);
	tap_ok(st >= 0 && (st & 1), "an unprivileged process cannot signal a root process (EPERM)");
	tap_ok(st >= 0 && (st & 2), "signal 0 to a process without permission fails with EPERM");

	/*
	 * kill(2): the sender's real or effective uid must match the target's
	 * real or saved uid; the target's effective uid does not count.
	 */
	t = start_blocker(4001, 4002, 4003, 0);
	pid = fork();
	if (pid == 0) {
		become(4003, 4003, 4003);
		_exit(kill(t.pid, 0) == 0 ? 0 : 1);
	}
	tap_is_int(wait_exit_code(pid), 0, "a sender whose uid is the target's saved uid may signal it");
	pid = fork();
	if (pid == 0) {
		become(4001, 4001, 4001);
		_exit(kill(t.pid, 0) == 0 ? 0 : 1);
	}
	tap_is_int(wait_exit_code(pid), 0, "a sender whose uid is the target's real uid may signal it");
	pid = fork();
	if (pid == 0) {
		become(4002, 4002, 4002);
		_exit(kill(t.pid, 0) == -1 && errno == EPERM ? 0 : 1);
	}
	tap_is_int(wait_exit_code(pid), 0,
		   "matching only the target's effective uid is not enough (EPERM)");
	stop_blocker(t);

	/* SIGCONT only needs the same session. */
	root_child = start_blocker(-1, -1, -1, 0);
	pid = fork();
	if (pid == 0) {
		int r = 0;

		become(65534, 65534, 65534);
		if (kill(root_child.pid, SIGCONT) == 0)
			r |= 1;
		if (kill(root_child.pid, SIGUSR1) == -1 && errno == EPERM)
			r |= 2;
		_exit(r);
	}
	st = wait_exit_code(pid);
	tap_ok(st >= 0 && (st & 1), "SIGCONT to a root process of the same session is allowed");
	tap_ok(st >= 0 && (st & 2), "other signals to that process fail with EPERM");
	st = stop_blocker(root_child);
	tap_ok(WIFEXITED(st), "the SIGCONT target was not harmed");
}

/*
 * kill(-1, sig) from an unprivileged user reaches that user's processes
 * but not the caller itself (kill(2) NOTES) and not root's processes.
 */
static void test_kill_all(void)
{
	struct blocker victim, root_child;
	pid_t pid;
	int st;

	victim = start_blocker(LONE_UID, LONE_UID, LONE_UID, 0);
	root_child = start_blocker(-1, -1, -1, 0);
	pid = fork();
	if (pid == 0) {
		become(LONE_UID, LONE_UID, LONE_UID);
		/* Survives only if kill(-1) skips the caller. */
		_exit(kill(-1, SIGUSR1) == 0 ? 0 : 1);
	}
	tap_is_int(wait_exit_code(pid), 0, "kill(-1) succeeds and does not signal the caller");
	st = stop_blocker(victim);
	tap_ok(WIFSIGNALED(st) && WTERMSIG(st) == SIGUSR1,
	       "kill(-1) reaches another process of the same user");
	st = stop_blocker(root_child);
	tap_ok(WIFEXITED(st), "kill(-1) from an unprivileged user does not reach root's processes");
}

int main(void)
{
	alarm(25);	/* a safety net below the runner's 30 s timeout */
	test_existence();
	test_thread_kill();
	test_groups();
	test_permissions();
	test_kill_all();
	return tap_done();
}
