/*
 * Process groups and sessions: getpgrp/getpgid/setpgid/getsid/setsid,
 * the group inherited over fork, moving a child into a new or existing
 * group, a new session without a controlling terminal, and the errors of
 * setpgid(2) and setsid(2): EINVAL (negative pgid), ESRCH (not a child,
 * no such process), EPERM (group in another session, session leader,
 * child in another session, setsid by a group leader) and EACCES (child
 * already exec'ed).
 */
#include <fcntl.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tap.h"
#include "testutil.h"

#define NO_SUCH_PID 0x7ffffff0	/* above the largest possible pid_max */

struct child {
	pid_t pid;
	int ctl;	/* write end: closing it lets the child exit */
};

/*
 * Start a child that first runs @setup (0: nothing, 1: setpgid(0,0),
 * 2: setsid) then blocks until ctl is closed. Returns once @setup is done.
 */
static struct child start(int setup)
{
	struct child c;
	int ctl[2], ready[2];
	char r = 0;

	if (pipe(ctl) || pipe(ready))
		tap_bail("pipe");
	c.pid = fork();
	if (c.pid < 0)
		tap_bail("fork");
	if (c.pid == 0) {
		char x = 'k';

		/* Drop inherited ends of other children's pipes: they must see EOF. */
		for (int fd = 3; fd < 256; fd++)
			if (fd != ctl[0] && fd != ready[1])
				close(fd);
		if (setup == 1 && setpgid(0, 0))
			x = 'e';
		if (setup == 2 && setsid() < 0)
			x = 'e';
		if (write(ready[1], &x, 1) != 1)
			_exit(1);
		while (read(ctl[0], &x, 1) > 0)
			;
		_exit(0);
	}
	close(ctl[0]);
	close(ready[1]);
	if (read(ready[0], &r, 1) != 1 || r != 'k')
		tap_diag("child setup %d failed", setup);
	close(ready[0]);
	c.ctl = ctl[1];
	return c;
}

static void finish(struct child c)
{
	close(c.ctl);
	waitpid(c.pid, NULL, 0);
}

static void test_basics(void)
{
	pid_t pid;
	struct child a, b;

	tap_is_int(getpgid(0), getpgrp(), "getpgid(0) equals getpgrp");
	tap_is_int(getpgid(getpid()), getpgrp(), "getpgid(getpid()) equals getpgrp");
	tap_is_int(getsid(0), getsid(getpid()), "getsid(0) equals getsid(getpid())");

	pid = fork();
	if (pid == 0)
		_exit(getpgrp() == getpgid(getppid()) && getsid(0) == getsid(getppid()) ? 0 : 1);
	tap_is_int(wait_exit_code(pid), 0, "a fork child inherits the process group and session");

	a = start(1);
	tap_is_int(getpgid(a.pid), a.pid, "setpgid(0, 0) makes the child a group leader");
	tap_is_int(getsid(a.pid), getsid(0), "the new group stays in the caller's session");
	b = start(0);
	tap_is_int(setpgid(b.pid, a.pid), 0, "the parent moves a child into an existing group");
	tap_is_int(getpgid(b.pid), a.pid, "getpgid reports the joined group");
	tap_is_int(setpgid(b.pid, getpgrp()), 0, "the parent moves the child back");
	tap_is_int(getpgid(b.pid), getpgrp(), "the child is back in the parent's group");
	finish(a);
	finish(b);
}

static void test_errors(void)
{
	pid_t pid;

	tap_is_errno(setpgid(0, -1), EINVAL, "setpgid with a negative pgid fails with EINVAL");
	tap_is_errno(setpgid(NO_SUCH_PID, 0), ESRCH,
		     "setpgid of a nonexistent pid fails with ESRCH");
	tap_is_errno(setpgid(getppid(), 0), ESRCH,
		     "setpgid of a process that is not a child fails with ESRCH");
	tap_is_errno(getpgid(NO_SUCH_PID), ESRCH, "getpgid of a nonexistent pid fails with ESRCH");
	tap_is_errno(getsid(NO_SUCH_PID), ESRCH, "getsid of a nonexistent pid fails with ESRCH");

	pid = fork();
	if (pid == 0)
		_exit(setpgid(0, NO_SUCH_PID) == -1 && errno == EPERM ? 0 : 1);
	tap_is_int(wait_exit_code(pid), 0, "joining a group that does not exist fails with EPERM");

	pid = fork();
	if (pid == 0) {
		int r = 0;

		if (setpgid(0, 0) == 0 && setsid() == -1 && errno == EPERM)
			r |= 1;	/* a group leader cannot create a session */
		_exit(r == 1 ? 0 : 1);
	}
	tap_is_int(wait_exit_code(pid), 0, "setsid in a process group leader fails with EPERM");
}

static void test_sessions(void)
{
	struct child s;
	pid_t pid;

	s = start(2);
	tap_is_int(getsid(s.pid), s.pid, "setsid makes the child a session leader");
	tap_is_int(getpgid(s.pid), s.pid, "setsid makes the child a group leader");
	tap_ok(getsid(s.pid) != getsid(0), "the new session differs from the caller's");
	tap_is_errno(setpgid(s.pid, s.pid), EPERM,
		     "setpgid of a child in another session fails with EPERM");
	tap_is_errno(setpgid(s.pid, getpgrp()), EPERM,
		     "moving a child into a group of another session fails with EPERM");
	finish(s);

	pid = fork();
	if (pid == 0) {
		int r = 0;

		if (setsid() != getpid())
			_exit(1);
		if (setpgid(0, 0) == -1 && errno == EPERM)
			r |= 1;	/* a session leader cannot change its group */
		if (open("/dev/tty", O_RDWR) == -1 && errno == ENXIO)
			r |= 2;	/* a new session has no controlling terminal */
		_exit(r == 3 ? 0 : 10 + r);
	}
	tap_is_int(wait_exit_code(pid), 0,
		   "a session leader cannot setpgid (EPERM) and has no controlling tty (ENXIO)");
}

/* A child that has called execve can no longer be moved (EACCES). */
static void test_after_exec(const char *self)
{
	int ctl[2], sync[2];
	char c;
	pid_t pid;

	if (pipe(ctl) || pipe2(sync, O_CLOEXEC))
		tap_bail("pipe");
	pid = fork();
	if (pid == 0) {
		char *argv[] = { "pgrp", "--wait-stdin", NULL };

		dup2(ctl[0], 0);
		close(ctl[1]);
		close(sync[0]);
		execv(self, argv);
		_exit(127);
	}
	close(ctl[0]);
	close(sync[1]);
	/* EOF on the close-on-exec pipe: the child's execve has happened. */
	tap_is_int(read(sync[0], &c, 1), 0, "the child has executed a new program");
	tap_is_errno(setpgid(pid, pid), EACCES,
		     "setpgid of a child after its execve fails with EACCES");
	close(ctl[1]);
	close(sync[0]);
	waitpid(pid, NULL, 0);
}

int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "--wait-stdin") == 0) {
		char c;

		while (read(0, &c, 1) > 0)
			;
		return 0;
	}
	alarm(25);	/* a safety net below the runner's 30 s timeout */
	test_basics();
	test_errors();
	test_sessions();
	test_after_exec("/proc/self/exe");
	return tap_done();
}
