/*
 * Terminal-generated signals on a pty (man 3 termios ISIG, man 4
 * tty_ioctl, man 2 setsid): ^C, ^Z and ^\ typed on the master send SIGINT,
 * SIGTSTP and SIGQUIT to the slave's foreground process group only, ^C
 * discards the pending line, TIOCSWINSZ with a new size sends SIGWINCH,
 * closing the master hangs the slave up (SIGHUP to the session leader,
 * reads return 0 or EIO, writes EIO, the controlling tty is gone) and the
 * session leader exiting sends SIGHUP to the foreground group.
 *
 * Signals are blocked and collected with sigtimedwait (10 s safety net);
 * each child reports integers through a pipe and the parent prints TAP.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
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
	report_open();
}

static void pty_close(void)
{
	if (master >= 0)
		close(master);
	master = -1;
	report_close();
}

/* Block @sig (and keep it blocked across fork). */
static void block(int sig)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, sig);
	sigprocmask(SIG_BLOCK, &set, NULL);
}

/* Wait up to 10 s for blocked @sig; 1 if it arrived. */
static int await(int sig)
{
	struct timespec ts = {.tv_sec = 10};
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, sig);
	return sigtimedwait(&set, NULL, &ts) == sig;
}

static int is_pending(int sig)
{
	sigset_t set;

	sigpending(&set);
	return sigismember(&set, sig);
}

int main(void)
{
	struct winsize ws;
	char buf[64];
	ssize_t n;
	int s, fd;
	pid_t pid, g;

	alarm(40);
	tap_plan(17);

	/* 1. ^C ^Z ^\ reach the foreground group, not the background. */
	pty_open();
	pid = fork();
	if (pid == 0) {
		int inner[2];
		char c;

		s = pty_child_session(master, slave_path);
		block(SIGINT);
		block(SIGTSTP);
		block(SIGQUIT);
		pipe(inner);
		g = fork();
		if (g == 0) {
			setpgid(0, 0);
			read(inner[0], &c, 1); /* until we are the foreground */
			report(tcgetpgrp(s) == getpgrp());
			report(await(SIGINT));
			report(await(SIGTSTP));
			report(await(SIGQUIT));
			_exit(0);
		}
		setpgid(g, g);
		block(SIGTTOU); /* the leader drops to the background */
		tcsetpgrp(s, g);
		write(inner[1], "f", 1);
		waitpid(g, NULL, 0);
		/* The leader was in the background the whole time. */
		report(!is_pending(SIGINT) && !is_pending(SIGTSTP) &&
		       !is_pending(SIGQUIT));
		_exit(0);
	}
	tap_is_int(reported(), 1,
		   "a foreground group other than the leader's is set");
	write(master, "\003", 1);
	tap_is_int(reported(), 1,
		   "^C on the master sends SIGINT to the foreground group");
	write(master, "\032", 1);
	tap_is_int(reported(), 1,
		   "^Z on the master sends SIGTSTP to the foreground group");
	write(master, "\034", 1);
	tap_is_int(reported(), 1,
		   "^\\ on the master sends SIGQUIT to the foreground group");
	tap_is_int(reported(), 1,
		   "the background session leader got none of them");
	waitpid(pid, NULL, 0);
	pty_close();

	/* 2. ^C discards the unfinished line; SIGWINCH on a size change. */
	pty_open();
	pid = fork();
	if (pid == 0) {
		struct termios t;

		s = pty_child_session(master, slave_path);
		block(SIGINT);
		block(SIGWINCH);
		tcgetattr(s, &t);
		t.c_lflag &= ~ECHO;
		tcsetattr(s, TCSANOW, &t);
		report(1);
		report(await(SIGINT));
		n = read(s, buf, sizeof(buf));
		report(n == 4 && !memcmp(buf, "def\n", 4));
		report(await(SIGWINCH));
		memset(&ws, 0, sizeof(ws));
		ioctl(s, TIOCGWINSZ, &ws);
		report(ws.ws_row == 33 && ws.ws_col == 101);
		/* A redefined VINTR, and NOFLSH keeping the line. */
		t.c_cc[VINTR] = '!';
		t.c_lflag |= NOFLSH;
		tcsetattr(s, TCSANOW, &t);
		report(1);
		report(await(SIGINT));
		n = read(s, buf, sizeof(buf));
		report(n == 4 && !memcmp(buf, "xyz\n", 4));
		_exit(0);
	}
	reported();
	write(master, "abc\003def\n", 8);
	tap_is_int(reported(), 1, "^C in the middle of a line sends SIGINT");
	tap_is_int(
		reported(), 1,
		"^C discards the unfinished line (read returns only what follows)");
	ws = (struct winsize){.ws_row = 33, .ws_col = 101};
	ioctl(master, TIOCSWINSZ, &ws);
	tap_is_int(
		reported(), 1,
		"TIOCSWINSZ with a new size sends SIGWINCH to the foreground group");
	tap_is_int(reported(), 1, "the foreground process sees the new size");
	reported();
	write(master, "xy!z\n", 5);
	tap_is_int(reported(), 1, "a redefined VINTR character sends SIGINT");
	tap_is_int(reported(), 1, "with NOFLSH the interrupted line is kept");
	waitpid(pid, NULL, 0);
	pty_close();

	/* 3. Closing the master hangs up the session. */
	pty_open();
	pid = fork();
	if (pid == 0) {
		s = pty_child_session(master, slave_path);
		block(SIGHUP);
		report(1);
		report(await(SIGHUP));
		n = read(s, buf, sizeof(buf));
		report(n == 0 || (n < 0 && errno == EIO));
		errno = 0;
		report(write(s, "x", 1) < 0 ? errno : 0);
		fd = open("/dev/tty", O_RDWR);
		report(fd < 0 ? errno : 0);
		_exit(0);
	}
	reported();
	close(master);
	master = -1;
	tap_is_int(reported(), 1,
		   "closing the master sends SIGHUP to the session leader");
	tap_is_int(reported(), 1,
		   "a read on the hung-up slave returns 0 or fails with EIO");
	tap_is_int(reported(), EIO,
		   "a write on the hung-up slave fails with EIO");
	tap_is_int(reported(), ENXIO,
		   "after the hangup the session has no controlling tty");
	waitpid(pid, NULL, 0);
	pty_close();

	/* 4. The leader's exit sends SIGHUP to the foreground group. */
	pty_open();
	pid = fork();
	if (pid == 0) {
		s = pty_child_session(master, slave_path);
		block(SIGHUP); /* inherited by the child */
		g = fork();
		if (g == 0) {
			setpgid(0, 0);
			report_wait_go();
			report(await(SIGHUP));
			fd = open("/dev/tty", O_RDWR);
			report(fd < 0 ? errno : 0);
			_exit(0);
		}
		setpgid(g, g);
		block(SIGTTOU);
		tcsetpgrp(s, g);
		report(1);
		_exit(0); /* the leader exits: disassociate_ctty(1) */
	}
	reported();
	waitpid(pid, NULL, 0);
	report_go();
	tap_is_int(
		reported(), 1,
		"the session leader's exit sends SIGHUP to the foreground group");
	tap_is_int(reported(), ENXIO,
		   "the remaining session members lose the controlling tty");
	pty_close();

	return tap_done();
}
