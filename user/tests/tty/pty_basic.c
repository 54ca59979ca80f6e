/*
 * Unix98 pseudo-terminals (man 4 pty, man 3 posix_openpt): posix_openpt,
 * grantpt, unlockpt, ptsname vs TIOCGPTN, the slave locked until unlockpt
 * (EIO), /dev/ptmx opened directly, TIOCGPTPEER, the slave's device
 * number (major 136) and ttyname, isatty/ENOTTY for non-terminals, data in
 * both directions, FIONREAD on the master, TIOCGWINSZ/TIOCSWINSZ seen from
 * both sides, and the master seeing EIO/POLLHUP once the slave is closed.
 *
 * Every open uses O_NOCTTY: the test must not acquire a controlling tty.
 */
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <termios.h>
#include <unistd.h>

#include "tap.h"
#include "testutil.h"

/* include/uapi/linux/major.h */
#define UNIX98_PTY_SLAVE_MAJOR 136

/*
 * FIONREAD once at least @want bytes are queued.  Data written to one side
 * of a pty reaches the other side's line discipline asynchronously, so
 * poll for it in a bounded loop.
 */
static int queued(int fd, int want)
{
	int n = -1, i;

	for (i = 0; i < 500; i++) {
		if (ioctl(fd, FIONREAD, &n) < 0 || n >= want)
			break;
		poll(&(struct pollfd){.fd = fd, .events = POLLIN}, 1, 10);
	}
	return n;
}

int main(void)
{
	char buf[64], pts[64], *name;
	struct winsize ws;
	struct termios t;
	struct stat st, st2;
	int m, s, m2, m3, peer, p[2], fd, n, lock;
	unsigned int ptn = 0, ptn2 = 0;

	alarm(20);
	tap_plan(33);

	m = posix_openpt(O_RDWR | O_NOCTTY);
	tap_ok(m >= 0, "posix_openpt opens a master");
	tap_is_int(grantpt(m), 0, "grantpt succeeds");
	lock = -1;
	ioctl(m, TIOCGPTLCK, &lock);
	tap_is_int(lock, 1, "a new pty starts locked (TIOCGPTLCK)");
	ioctl(m, TIOCGPTN, &ptn);
	snprintf(pts, sizeof(pts), "/dev/pts/%u", ptn);
	tap_is_errno(open(pts, O_RDWR | O_NOCTTY), EIO,
		     "opening a locked slave fails with EIO");
	tap_is_int(unlockpt(m), 0, "unlockpt succeeds");
	ioctl(m, TIOCGPTLCK, &lock);
	tap_is_int(lock, 0, "after unlockpt TIOCGPTLCK reports unlocked");
	name = ptsname(m);
	tap_is_str(name, pts, "ptsname is /dev/pts/ followed by TIOCGPTN");

	s = open(pts, O_RDWR | O_NOCTTY);
	tap_ok(s >= 0, "the unlocked slave opens");
	tap_ok(isatty(s) && isatty(m),
	       "both the master and the slave are terminals");
	name = ttyname(s);
	tap_is_str(name, pts, "ttyname of the slave is its /dev/pts path");
	tap_ok(fstat(s, &st) == 0 && S_ISCHR(st.st_mode) &&
		       major(st.st_rdev) == UNIX98_PTY_SLAVE_MAJOR &&
		       minor(st.st_rdev) == ptn,
	       "the slave is character device 136:N");
	peer = ioctl(m, TIOCGPTPEER, O_RDWR | O_NOCTTY);
	tap_ok(peer >= 0 && fstat(peer, &st2) == 0 && st2.st_rdev == st.st_rdev,
	       "TIOCGPTPEER opens the same slave");
	close(peer);

	m2 = open("/dev/ptmx", O_RDWR | O_NOCTTY);
	tap_ok(m2 >= 0 && ioctl(m2, TIOCGPTN, &ptn2) == 0 && ptn2 != ptn,
	       "opening /dev/ptmx again gives a new pty number");
	m3 = open("/dev/pts/ptmx", O_RDWR | O_NOCTTY);
	if (m3 < 0 && errno == EACCES) {
		tap_skip(1, "/dev/pts/ptmx is mode 000 here (ptmxmode)");
	} else {
		tap_ok(m3 >= 0 && ioctl(m3, TIOCGPTN, &n) == 0 &&
			       (unsigned)n != ptn && (unsigned)n != ptn2,
		       "/dev/pts/ptmx is a multiplexor too");
		close(m3);
	}
	close(m2);

	/* Non-terminals. */
	pipe(p);
	errno = 0;
	tap_ok(!isatty(p[0]) && errno == ENOTTY,
	       "isatty on a pipe is 0 with errno ENOTTY");
	tap_is_errno(tcgetattr(p[0], &t), ENOTTY,
		     "tcgetattr on a pipe fails with ENOTTY");
	tap_is_errno(ioctl(p[0], TIOCGPTN, &ptn2), ENOTTY,
		     "TIOCGPTN on a pipe fails with ENOTTY");
	fd = open("/dev/null", O_RDWR);
	tap_is_errno(ioctl(fd, TIOCGWINSZ, &ws), ENOTTY,
		     "TIOCGWINSZ on /dev/null fails with ENOTTY");
	close(fd);
	tap_is_errno(ioctl(s, TIOCGPTN, &ptn2), ENOTTY,
		     "TIOCGPTN on the slave fails with ENOTTY");
	tap_is_errno(ioctl(s, 0x54ff, &ptn2), ENOTTY,
		     "an unknown terminal ioctl fails with ENOTTY");
	close(p[0]);
	close(p[1]);

	/* Data in both directions. */
	tcgetattr(s, &t);
	cfmakeraw(&t);
	tcsetattr(s, TCSANOW, &t);
	write(m, "xyz", 3);
	memset(buf, 0, sizeof(buf));
	tap_ok(read_all(s, buf, 3) == 3 && !strcmp(buf, "xyz"),
	       "bytes written to the master are read from a raw slave");
	write(s, "hello", 5);
	tap_is_int(queued(m, 5), 5,
		   "FIONREAD on the master counts what the slave wrote");
	memset(buf, 0, sizeof(buf));
	tap_ok(read_all(m, buf, 5) == 5 && !strcmp(buf, "hello"),
	       "the master reads what the slave wrote");
	tap_is_int(queued(m, 0), 0,
		   "FIONREAD is 0 once the master read everything");

	/* Window size: no default, then shared by both sides. */
	memset(&ws, 0xff, sizeof(ws));
	ioctl(s, TIOCGWINSZ, &ws);
	tap_ok(ws.ws_row == 0 && ws.ws_col == 0,
	       "a new pty has a 0x0 window size");
	ws = (struct winsize){
		.ws_row = 24, .ws_col = 80, .ws_xpixel = 640, .ws_ypixel = 480};
	tap_is_int(ioctl(m, TIOCSWINSZ, &ws), 0,
		   "TIOCSWINSZ on the master succeeds");
	memset(&ws, 0, sizeof(ws));
	ioctl(s, TIOCGWINSZ, &ws);
	tap_ok(ws.ws_row == 24 && ws.ws_col == 80 && ws.ws_xpixel == 640 &&
		       ws.ws_ypixel == 480,
	       "the slave reports the size set through the master");
	ws.ws_row = 50;
	ioctl(s, TIOCSWINSZ, &ws);
	memset(&ws, 0, sizeof(ws));
	ioctl(m, TIOCGWINSZ, &ws);
	tap_is_int(ws.ws_row, 50,
		   "the master reports the size set through the slave");
	tap_is_errno(ioctl(m, TIOCGWINSZ, (void *)8), EFAULT,
		     "TIOCGWINSZ into an unmapped buffer fails with EFAULT");

	/* Slave closed: the master reads EIO and polls POLLHUP. */
	close(s);
	fcntl(m, F_SETFL, O_NONBLOCK);
	tap_is_errno(read(m, buf, sizeof(buf)), EIO,
		     "with the slave closed a master read fails with EIO");
	tap_ok(poll(&(struct pollfd){.fd = m, .events = POLLIN}, 1, 0) == 1,
	       "the master polls ready after the slave closes");
	{
		struct pollfd pf = {.fd = m, .events = POLLIN};

		poll(&pf, 1, 0);
		tap_ok(pf.revents & POLLHUP,
		       "the master reports POLLHUP after the slave closes");
	}
	s = open(pts, O_RDWR | O_NOCTTY);
	tap_ok(s >= 0, "the slave can be reopened while the master lives");
	close(s);
	close(m);
	return tap_done();
}
