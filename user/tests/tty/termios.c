/*
 * termios on a pseudo-terminal (man 3 termios): Linux's default settings,
 * tcsetattr round trips with TCSANOW/TCSADRAIN/TCSAFLUSH (which also
 * discards pending input), output speeds, canonical input (one line per
 * read, VERASE, VKILL, VEOF), ECHO seen or not seen on the master, ICRNL
 * and ONLCR translation and their absence, ISIG off passing ^C as data,
 * non-canonical VMIN/VTIME (0/0 returns at once, 0/2 waits at least a
 * while, 3/0 waits for three bytes), and tcflush.
 *
 * Each topic uses a fresh pty.  Reads that could block forever are covered
 * by alarm().
 */
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "tap.h"
#include "testutil.h"

static int m = -1, s = -1;

static void pty_open(void)
{
	char slave[64];

	if (m >= 0)
		close(m);
	if (s >= 0)
		close(s);
	m = pty_open_master(slave, sizeof(slave));
	s = open(slave, O_RDWR | O_NOCTTY);
	if (s < 0)
		tap_bail("cannot open the slave: %s", strerror(errno));
}

static void set_lflag(tcflag_t on, tcflag_t off)
{
	struct termios t;

	tcgetattr(s, &t);
	t.c_lflag = (t.c_lflag | on) & ~off;
	tcsetattr(s, TCSANOW, &t);
}

static void set_raw(int vmin, int vtime)
{
	struct termios t;

	tcgetattr(s, &t);
	cfmakeraw(&t);
	t.c_cc[VMIN] = vmin;
	t.c_cc[VTIME] = vtime;
	tcsetattr(s, TCSANOW, &t);
}

static void put(int fd, const char *str)
{
	write(fd, str, strlen(str));
}

/* One read(2) of at most @max bytes, as a string ("<err>" on failure). */
static const char *read1(int fd, size_t max)
{
	static char buf[256];
	ssize_t n = read(fd, buf, max < sizeof(buf) ? max : sizeof(buf) - 1);

	if (n < 0)
		return "<err>";
	buf[n] = '\0';
	return buf;
}

/* Exactly @n bytes (blocking reads), as a string. */
static const char *read_n(int fd, size_t n)
{
	static char buf[256];
	ssize_t got = read_all(fd, buf, n < sizeof(buf) ? n : sizeof(buf) - 1);

	buf[got] = '\0';
	return buf;
}

static int same(const struct termios *a, const struct termios *b)
{
	return a->c_iflag == b->c_iflag && a->c_oflag == b->c_oflag &&
	       a->c_cflag == b->c_cflag && a->c_lflag == b->c_lflag &&
	       !memcmp(a->c_cc, b->c_cc, NCCS);
}

int main(void)
{
	/* TCGETS sets 19 of musl's 32 c_cc bytes: zero the rest. */
	struct termios t = { 0 }, t2 = { 0 };
	long t0;
	int readable;

	alarm(20);
	tap_plan(33);
	pty_open();

	/* Linux's tty_std_termios. */
	tap_is_int(tcgetattr(s, &t), 0, "tcgetattr on the slave succeeds");
	tap_ok((t.c_lflag & (ICANON | ECHO | ISIG)) == (ICANON | ECHO | ISIG),
	       "the default is canonical with ECHO and ISIG");
	tap_ok((t.c_iflag & ICRNL) &&
		       (t.c_oflag & (OPOST | ONLCR)) == (OPOST | ONLCR),
	       "the default translates CR to NL on input and NL to CRNL on output");
	tap_ok(t.c_cc[VINTR] == 3 && t.c_cc[VSUSP] == 26 && t.c_cc[VEOF] == 4 &&
		       t.c_cc[VERASE] == 0177,
	       "the default control characters are ^C ^Z ^D DEL");

	/* Round trips. */
	t.c_lflag &= ~ECHO;
	t.c_cc[VMIN] = 5;
	t.c_cc[VTIME] = 7;
	tcsetattr(s, TCSANOW, &t);
	tcgetattr(s, &t2);
	tap_ok(same(&t, &t2), "TCSANOW settings read back unchanged");
	t.c_iflag &= ~ICRNL;
	tcsetattr(s, TCSADRAIN, &t);
	tcgetattr(s, &t2);
	tap_ok(same(&t, &t2), "TCSADRAIN settings read back unchanged");
	t.c_oflag &= ~ONLCR;
	tcsetattr(s, TCSAFLUSH, &t);
	tcgetattr(s, &t2);
	tap_ok(same(&t, &t2), "TCSAFLUSH settings read back unchanged");
	cfsetospeed(&t, B9600);
	cfsetispeed(&t, B9600);
	tcsetattr(s, TCSANOW, &t);
	tcgetattr(s, &t2);
	tap_is_int(cfgetospeed(&t2), B9600,
		   "the output speed reads back as B9600");
	tap_ok(tcgetattr(m, &t2) == 0, "tcgetattr works on the master too");

	/* Canonical input. */
	pty_open();
	set_lflag(0, ECHO);
	put(m, "line1\nline2\n");
	tap_is_str(read1(s, 100), "line1\n",
		   "a canonical read returns one line");
	tap_is_str(read1(s, 100), "line2\n",
		   "the next read returns the next line");
	put(m, "abc");
	readable = poll(&(struct pollfd){.fd = s, .events = POLLIN}, 1, 0);
	tap_is_int(readable, 0, "an unterminated line is not readable yet");
	put(m, "\n");
	tap_is_str(read1(s, 100), "abc\n",
		   "the line is readable once terminated");
	put(m, "line3\n");
	tap_is_str(read1(s, 3), "lin", "a short read takes part of a line");
	tap_is_str(read1(s, 100), "e3\n", "the rest of the line follows");
	put(m, "abx\177c\n");
	tap_is_str(read1(s, 100), "abc\n",
		   "VERASE (DEL) erases the previous character");
	put(m, "junk\025ok\n");
	tap_is_str(read1(s, 100), "ok\n", "VKILL (^U) erases the line");
	put(m, "ab\004");
	tap_is_str(read1(s, 100), "ab",
		   "VEOF (^D) after text ends the read without a newline");
	put(m, "\004");
	tap_is_str(read1(s, 100), "",
		   "VEOF (^D) at the start of a line reads as end of file");

	/* TCSAFLUSH and tcflush discard unread input. */
	/*
	 * TCSAFLUSH (TCSETSF) flushes the line discipline but not the pty's
	 * flip buffer (unlike TCFLSH), so first make sure the stale line has
	 * reached the slave: a complete line polls readable.
	 */
	put(m, "stale\n");
	poll(&(struct pollfd){.fd = s, .events = POLLIN}, 1, 5000);
	tcgetattr(s, &t);
	tcsetattr(s, TCSAFLUSH, &t);
	put(m, "fresh\n");
	tap_is_str(read1(s, 100), "fresh\n",
		   "TCSAFLUSH discards input not yet read");
	put(m, "old\n");
	tcflush(s, TCIFLUSH);
	put(m, "new\n");
	tap_is_str(read1(s, 100), "new\n",
		   "tcflush(TCIFLUSH) discards input not yet read");

	/* ECHO, seen from the master. */
	pty_open();
	put(m, "hi\n");
	tap_is_str(read_n(m, 4), "hi\r\n",
		   "with ECHO the master reads the input back (NL as CRNL)");
	tap_is_str(read1(s, 100), "hi\n", "the slave still reads the line");
	set_lflag(0, ECHO);
	put(m, "secret\n");
	read1(s, 100);
	put(s, "M"); /* the echo, if any, would already precede this */
	tap_is_str(read_n(m, 1), "M", "without ECHO the master sees no echo");

	/* Translations. */
	pty_open();
	set_lflag(0, ECHO);
	put(m, "a\r");
	tap_is_str(read1(s, 100), "a\n",
		   "ICRNL turns CR into NL and ends the line");
	put(s, "b\n");
	tap_is_str(read_n(m, 3), "b\r\n", "ONLCR turns NL into CRNL on output");
	set_raw(1, 0);
	put(m, "a\r");
	tap_is_str(read_n(s, 2), "a\r", "without ICRNL a CR arrives as CR");
	put(s, "b\n");
	tap_is_str(read_n(m, 2), "b\n", "without OPOST a NL is written as NL");
	put(m, "\003");
	tap_is_str(read_n(s, 1), "\003", "without ISIG ^C is read as data");

	/* Non-canonical VMIN/VTIME. */
	set_raw(0, 0);
	tap_is_str(read1(s, 100), "",
		   "VMIN 0 VTIME 0 with no input returns 0 at once");
	set_raw(0, 2);
	t0 = mono_ms();
	tap_is_str(read1(s, 100), "", "VMIN 0 VTIME 2 with no input returns 0");
	/* 0.2 s, less a jiffy of rounding; only a lower bound is checked. */
	tap_ok(mono_ms() - t0 >= 150, "VMIN 0 VTIME 2 waited for the timer");
	set_raw(3, 0);
	put(m, "a");
	put(m, "b");
	put(m, "c");
	tap_is_str(read1(s, 100), "abc",
		   "VMIN 3 returns once three bytes arrived");

	close(m);
	close(s);
	return tap_done();
}
