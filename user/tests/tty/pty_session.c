/*
 * Sessions and controlling terminals on a pty (man 2 setsid, man 4 tty_ioctl,
 * man 3 tcgetsid): setsid + TIOCSCTTY making the slave the controlling tty,
 * /dev/tty before (ENXIO) and after, tcgetsid, a session leader acquiring
 * a tty by opening it without O_NOCTTY, TIOCSCTTY refused for a non-leader
 * and for a tty owned by another session (EPERM), TIOCGPGRP on the master,
 * TIOCSPGRP to another group of the session and its EINVAL/EPERM/ESRCH
 * errors, and job control for background groups: reading stops them with
 * SIGTTIN (EIO if SIGTTIN is ignored), writing with TOSTOP and tcsetpgrp
 * stop them with SIGTTOU, writing without TOSTOP is allowed.
 *
 * The runner gives us no controlling tty; every session lives in a forked
 * child that reports integers to the parent through a pipe, and the parent
 * prints all TAP output.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "tap.h"
#include "testutil.h"

static int master = -1;
static char slave_path[64];

static void pty_open(void)
{
	if (master >= 0)
		close(master);
	master = pty_open_master(slave_path, sizeof(slave_path));
}

/*
 * Run @fn in a child in a new background process group of the session and
 * return its wait status: stopped (then killed) or exited.
 */
static int background(int s, void (*fn)(int s))
{
	int status;
	pid_t g = fork();

	if (g == 0) {
		setpgid(0, 0);
		fn(s);
		_exit(0);
	}
	setpgid(g, g);
	if (waitpid(g, &status, WUNTRACED) != g)
		return -1;
	if (WIFSTOPPED(status)) {
		kill(g, SIGKILL);
		waitpid(g, NULL, 0);
	}
	return status;
}

static void bg_read(int s)
{
	char c;

	_exit(read(s, &c, 1) < 0 ? errno : 0);
}

static void bg_read_ignored(int s)
{
	signal(SIGTTIN, SIG_IGN);
	bg_read(s);
}

static void bg_write(int s)
{
	_exit(write(s, "w", 1) == 1 ? 0 : errno);
}

static void bg_setpgrp(int s)
{
	_exit(tcsetpgrp(s, getpgrp()) == 0 ? 0 : errno);
}

static int stopped_by(int status, int sig)
{
	return status >= 0 && WIFSTOPPED(status) && WSTOPSIG(status) == sig;
}

static int exited_with(int status, int code)
{
	return status >= 0 && WIFEXITED(status) && WEXITSTATUS(status) == code;
}

int main(void)
{
	int s, fd, pgrp;
	pid_t pid, pid2, g;
	sigset_t set;

	alarm(30);
	tap_plan(24);
	pty_open();

	/* 1. Acquiring a controlling terminal. */
	report_open();
	pid = fork();
	if (pid == 0) {
		close(master);
		report_child();
		alarm(20);
		report(setsid() == getpid());
		report(errno_of(open("/dev/tty", O_RDWR)));
		s = open(slave_path, O_RDWR | O_NOCTTY);
		report(errno_of(tcgetsid(s)));
		report(errno_of(ioctl(s, TIOCSCTTY, 0)));
		report(tcgetsid(s) == getpid());
		report(tcgetpgrp(s) == getpid());
		fd = open("/dev/tty", O_RDWR);
		report(fd >= 0 && isatty(fd));
		report(errno_of(ioctl(s, TIOCSCTTY, 0)));
		report_wait_go(); /* keep the session while the parent probes */
		_exit(0);
	}
	tap_is_int(reported(), 1,
		   "setsid in a child makes it a session leader");
	tap_is_int(
		reported(), ENXIO,
		"without a controlling tty open(\"/dev/tty\") fails with ENXIO");
	tap_is_int(
		reported(), ENOTTY,
		"tcgetsid on a tty that is not the controlling one fails with ENOTTY");
	tap_is_int(reported(), 0, "TIOCSCTTY by a session leader succeeds");
	tap_is_int(reported(), 1, "tcgetsid then returns the session id");
	tap_is_int(reported(), 1,
		   "the session leader's group is the foreground group");
	tap_is_int(reported(), 1,
		   "/dev/tty now opens the controlling terminal");
	tap_is_int(
		reported(), 0,
		"TIOCSCTTY on the tty already controlling the session succeeds");
	pgrp = -1;
	ioctl(master, TIOCGPGRP, &pgrp);
	tap_is_int(
		pgrp, pid,
		"TIOCGPGRP on the master reports the slave's foreground group");

	/* Another session cannot take it; a non-leader cannot take any. */
	pid2 = fork();
	if (pid2 == 0) {
		alarm(20);
		s = open(slave_path, O_RDWR | O_NOCTTY);
		report(errno_of(ioctl(s, TIOCSCTTY, 0)));
		setsid();
		report(errno_of(ioctl(s, TIOCSCTTY, 0)));
		_exit(0);
	}
	tap_is_int(
		reported(), EPERM,
		"TIOCSCTTY by a process that is not a session leader fails with EPERM");
	tap_is_int(
		reported(), EPERM,
		"TIOCSCTTY on a tty controlling another session fails with EPERM");
	waitpid(pid2, NULL, 0);
	report_go();
	waitpid(pid, NULL, 0);
	report_close();

	/* 2. Opening a tty without O_NOCTTY as a session leader acquires it. */
	pty_open();
	report_open();
	pid = fork();
	if (pid == 0) {
		alarm(20);
		close(master);
		setsid();
		s = open(slave_path, O_RDWR);
		report(tcgetsid(s) == getpid());
		_exit(0);
	}
	tap_is_int(
		reported(), 1,
		"a session leader opening a tty without O_NOCTTY acquires it");
	waitpid(pid, NULL, 0);
	report_close();

	/* 3. Foreground process groups. */
	pty_open();
	report_open();
	pid = fork();
	if (pid == 0) {
		s = pty_child_session(master, slave_path);
		/*
		 * Leaving the foreground: tcsetpgrp from a background group
		 * would raise SIGTTOU, which is allowed when blocked.
		 */
		sigemptyset(&set);
		sigaddset(&set, SIGTTOU);
		sigprocmask(SIG_BLOCK, &set, NULL);
		g = fork();
		if (g == 0) {
			setpgid(0, 0);
			report_wait_go();
			_exit(0);
		}
		setpgid(g, g);
		report(errno_of(tcsetpgrp(s, g)));
		report(tcgetpgrp(s) == g);
		report(errno_of(tcsetpgrp(s, -1)));
		report(errno_of(tcsetpgrp(s, getpgid(getppid()))));
		report(errno_of(tcsetpgrp(s, 0x3ffffff0)));
		report(errno_of(tcsetpgrp(s, getpid())));
		report(tcgetpgrp(s) == getpid());
		kill(g, SIGKILL);
		waitpid(g, NULL, 0);
		sigprocmask(SIG_UNBLOCK, &set, NULL);

		/* Background groups and job control. */
		report(background(s, bg_read));
		report(background(s, bg_read_ignored));
		report(background(s, bg_write));
		{
			struct termios t;

			tcgetattr(s, &t);
			t.c_lflag |= TOSTOP;
			tcsetattr(s, TCSANOW, &t);
		}
		report(background(s, bg_write));
		report(background(s, bg_setpgrp));
		_exit(0);
	}
	tap_is_int(reported(), 0,
		   "tcsetpgrp to another group of the session succeeds");
	tap_is_int(reported(), 1, "tcgetpgrp reports the new foreground group");
	tap_is_int(reported(), EINVAL,
		   "tcsetpgrp to a negative group fails with EINVAL");
	tap_is_int(reported(), EPERM,
		   "tcsetpgrp to a group of another session fails with EPERM");
	tap_is_int(reported(), ESRCH,
		   "tcsetpgrp to a group that does not exist fails with ESRCH");
	tap_is_int(
		reported(), 0,
		"a background leader with SIGTTOU blocked can take the foreground back");
	tap_is_int(reported(), 1,
		   "the leader's group is in the foreground again");
	tap_ok(stopped_by(reported(), SIGTTIN),
	       "a background group reading the tty is stopped by SIGTTIN");
	tap_ok(exited_with(reported(), EIO),
	       "a background read with SIGTTIN ignored fails with EIO");
	tap_ok(exited_with(reported(), 0),
	       "a background write without TOSTOP succeeds");
	tap_ok(stopped_by(reported(), SIGTTOU),
	       "a background write with TOSTOP is stopped by SIGTTOU");
	tap_ok(stopped_by(reported(), SIGTTOU),
	       "tcsetpgrp from a background group is stopped by SIGTTOU");
	waitpid(pid, NULL, 0);
	report_close();

	close(master);
	return tap_done();
}
