/*
 * ktest suite "tty": the N_TTY line discipline driven through a fake
 * driver that records its output. Input goes in with tty_receive, reads
 * come out with n_tty_take (what read(2) does under tty->lock): canonical
 * editing (VERASE, VKILL, VWERASE, VLNEXT, VEOF, VEOL), echo and ECHOCTL,
 * ECHOE rubout, input translations (ICRNL, IGNCR, INLCR, ISTRIP), signal
 * characters (flush unless NOFLSH, "^C" echo), IXON start/stop, output
 * processing (ONLCR, OCRNL, ONOCR), readiness with VMIN for poll, mode
 * switches, the full-buffer rules of both modes, and the notifications a
 * driver gets (output stopped/started, input flushed).
 */
#include <keel/ktest.h>
#include <keel/slab.h>
#include <keel/string.h>

#include "../tty_internal.h"

struct fake {
	struct tty tty;
	char out[512];
	size_t len;
	size_t room;
	int stops, starts, iflushes;    /* driver notifications seen */
};

static size_t fake_write(struct tty *tty, const u8 *buf, size_t n)
{
	struct fake *f = container_of(tty, struct fake, tty);

	n = MIN(n, sizeof(f->out) - 1 - f->len);
	memcpy(f->out + f->len, buf, n);
	f->len += n;
	f->out[f->len] = '\0';
	return n;
}

static size_t fake_room(struct tty *tty)
{
	return container_of(tty, struct fake, tty)->room;
}

static void fake_stop(struct tty *tty, bool stopped)
{
	struct fake *f = container_of(tty, struct fake, tty);

	if (stopped)
		f->stops++;
	else
		f->starts++;
}

static void fake_flush_input(struct tty *tty)
{
	container_of(tty, struct fake, tty)->iflushes++;
}

static const struct tty_ops fake_ops = {
	.write = fake_write,
	.write_room = fake_room,
	.stop = fake_stop,
	.flush_input = fake_flush_input,
};

static struct fake *fake_new(void)
{
	struct fake *f = kzalloc(sizeof(*f), GFP_KERNEL);

	if (f) {
		tty_init(&f->tty, &fake_ops, 0, "ktest");
		f->room = 256;
	}
	return f;
}

static void fake_clear(struct fake *f)
{
	f->len = 0;
	f->out[0] = '\0';
}

static void in(struct fake *f, const char *s)
{
	tty_receive(&f->tty, (const u8 *)s, strlen(s));
}

/* One read of up to @n bytes as a string ("<EOF>" for a VEOF read). */
static const char *take(struct fake *f, size_t n)
{
	static char buf[300];
	bool eof;
	size_t got;

	mutex_lock(&f->tty.lock);
	got = n_tty_take(&f->tty, (u8 *)buf, MIN(n, sizeof(buf) - 1), &eof);
	mutex_unlock(&f->tty.lock);
	buf[got] = '\0';
	return eof ? "<EOF>" : buf;
}

static void set_lflag(struct fake *f, tcflag_t on, tcflag_t off)
{
	struct termios t = f->tty.termios;

	t.c_lflag = (t.c_lflag | on) & ~off;
	tty_set_termios(&f->tty, &t);
}

static void set_raw(struct fake *f, u8 vmin, u8 vtime)
{
	struct termios t = f->tty.termios;

	t.c_lflag &= ~(ICANON | ECHO | ISIG | IEXTEN);
	t.c_iflag &= ~(ICRNL | IXON);
	t.c_cc[VMIN] = vmin;
	t.c_cc[VTIME] = vtime;
	tty_set_termios(&f->tty, &t);
}

#define FAKE(t, f)                              \
	struct fake *f = fake_new();            \
	KTEST_ASSERT_NOT_NULL(t, f)

static void test_canonical_lines(struct ktest *t)
{
	FAKE(t, f);
	in(f, "ab");
	KTEST_EXPECT_FALSE(t, n_tty_readable(&f->tty, false));
	KTEST_EXPECT_STREQ(t, take(f, 100), "");
	in(f, "c\nde\n");
	KTEST_EXPECT_TRUE(t, n_tty_readable(&f->tty, true));
	KTEST_EXPECT_EQ(t, (long)n_tty_inq(&f->tty), 7);
	KTEST_EXPECT_STREQ(t, take(f, 2), "ab");
	KTEST_EXPECT_STREQ(t, take(f, 100), "c\n");
	KTEST_EXPECT_STREQ(t, take(f, 100), "de\n");
	KTEST_EXPECT_FALSE(t, n_tty_readable(&f->tty, false));
	/* Echo with ONLCR, as the default termios asks. */
	KTEST_EXPECT_STREQ(t, f->out, "abc\r\nde\r\n");
	kfree(f);
}

static void test_erase_kill_werase(struct ktest *t)
{
	FAKE(t, f);
	in(f, "abx\177c\n");
	KTEST_EXPECT_STREQ(t, take(f, 100), "abc\n");
	KTEST_EXPECT_STREQ(t, f->out, "abx\b \bc\r\n");
	fake_clear(f);
	in(f, "junk\025ok\n");
	KTEST_EXPECT_STREQ(t, take(f, 100), "ok\n");
	in(f, "one two  \027x\n");
	KTEST_EXPECT_STREQ(t, take(f, 100), "one x\n");
	/* VERASE at the start of a line does nothing, even in the echo. */
	fake_clear(f);
	in(f, "\177\n");
	KTEST_EXPECT_STREQ(t, take(f, 100), "\n");
	KTEST_EXPECT_STREQ(t, f->out, "\r\n");
	/* Without ECHOE the erase character itself is echoed (ECHOCTL). */
	set_lflag(f, 0, ECHOE);
	fake_clear(f);
	in(f, "a\177\n");
	KTEST_EXPECT_STREQ(t, f->out, "a^?\r\n");
	KTEST_EXPECT_STREQ(t, take(f, 100), "\n");
	kfree(f);
}

static void test_eof_eol_lnext(struct ktest *t)
{
	struct termios tm;

	FAKE(t, f);
	in(f, "ab\004");
	KTEST_EXPECT_STREQ(t, take(f, 100), "ab");
	in(f, "\004");
	KTEST_EXPECT_STREQ(t, take(f, 100), "<EOF>");
	KTEST_EXPECT_EQ(t, (long)f->len, 2);    /* VEOF is not echoed */
	tm = f->tty.termios;
	tm.c_cc[VEOL] = ';';
	tty_set_termios(&f->tty, &tm);
	in(f, "x;y");
	KTEST_EXPECT_STREQ(t, take(f, 100), "x;");
	in(f, "\026\003\n");    /* ^V ^C: a literal ^C, no signal */
	KTEST_EXPECT_STREQ(t, take(f, 100), "y\003\n");
	kfree(f);
}

static void test_echoctl_and_echo_off(struct ktest *t)
{
	FAKE(t, f);
	in(f, "\001\t\n");
	KTEST_EXPECT_STREQ(t, f->out, "^A\t\r\n");
	set_lflag(f, 0, ECHOCTL);
	fake_clear(f);
	in(f, "\001\n");
	KTEST_EXPECT_STREQ(t, f->out, "\001\r\n");
	set_lflag(f, ECHONL, ECHO);
	fake_clear(f);
	in(f, "secret\n");
	KTEST_EXPECT_STREQ(t, f->out, "\r\n");
	KTEST_EXPECT_STREQ(t, take(f, 100), "\001\t\n");
	KTEST_EXPECT_STREQ(t, take(f, 100), "\001\n");
	KTEST_EXPECT_STREQ(t, take(f, 100), "secret\n");
	kfree(f);
}

static void test_input_flags(struct ktest *t)
{
	struct termios tm;

	FAKE(t, f);
	set_lflag(f, 0, ECHO);
	in(f, "a\r");
	KTEST_EXPECT_STREQ(t, take(f, 100), "a\n");
	tm = f->tty.termios;
	tm.c_iflag |= IGNCR;
	tty_set_termios(&f->tty, &tm);
	in(f, "b\r\n");
	KTEST_EXPECT_STREQ(t, take(f, 100), "b\n");
	tm.c_iflag = INLCR | ISTRIP;
	tm.c_lflag &= ~ICANON;
	tty_set_termios(&f->tty, &tm);
	in(f, "\n\xc1");
	KTEST_EXPECT_STREQ(t, take(f, 100), "\rA");
	kfree(f);
}

static void test_signal_chars(struct ktest *t)
{
	FAKE(t, f);
	/* No foreground group: nothing to signal, but flush and echo. */
	in(f, "abc\003def\n");
	KTEST_EXPECT_STREQ(t, take(f, 100), "def\n");
	KTEST_EXPECT_STREQ(t, f->out, "abc^Cdef\r\n");
	set_lflag(f, NOFLSH, 0);
	in(f, "xy\034z\n");
	KTEST_EXPECT_STREQ(t, take(f, 100), "xyz\n");
	set_lflag(f, 0, ISIG);
	in(f, "\032\n");
	KTEST_EXPECT_STREQ(t, take(f, 100), "\032\n");
	kfree(f);
}

static void test_ixon(struct ktest *t)
{
	FAKE(t, f);
	set_lflag(f, 0, ECHO);
	in(f, "\023");
	KTEST_EXPECT_TRUE(t, f->tty.flags & TTY_STOPPED);
	mutex_lock(&f->tty.lock);
	KTEST_EXPECT_EQ(t, (long)n_tty_output(&f->tty, (const u8 *)"x", 1), 0);
	mutex_unlock(&f->tty.lock);
	in(f, "\023");                 /* already stopped: no news */
	in(f, "\021a\n");
	KTEST_EXPECT_FALSE(t, f->tty.flags & TTY_STOPPED);
	KTEST_EXPECT_STREQ(t, take(f, 100), "a\n");     /* ^S ^Q not queued */
	KTEST_EXPECT_EQ(t, f->stops, 1);
	KTEST_EXPECT_EQ(t, f->starts, 1);
	/* A signal character flushes the input and says so. */
	in(f, "x\003");
	KTEST_EXPECT_EQ(t, f->iflushes, 1);
	kfree(f);
}

static void test_output_processing(struct ktest *t)
{
	struct termios tm;
	size_t n;

	FAKE(t, f);
	mutex_lock(&f->tty.lock);
	n = n_tty_output(&f->tty, (const u8 *)"a\nb", 3);
	mutex_unlock(&f->tty.lock);
	KTEST_EXPECT_EQ(t, (long)n, 3);
	KTEST_EXPECT_STREQ(t, f->out, "a\r\nb");
	tm = f->tty.termios;
	tm.c_oflag = OPOST | OCRNL | ONOCR;
	tty_set_termios(&f->tty, &tm);
	fake_clear(f);
	mutex_lock(&f->tty.lock);
	n_tty_output(&f->tty, (const u8 *)"x\r\r", 3);
	mutex_unlock(&f->tty.lock);
	KTEST_EXPECT_STREQ(t, f->out, "x\n\n");
	/* Room for only one byte: a NL needing CRNL waits whole. */
	tm.c_oflag = OPOST | ONLCR;
	tty_set_termios(&f->tty, &tm);
	fake_clear(f);
	f->room = 1;
	mutex_lock(&f->tty.lock);
	n = n_tty_output(&f->tty, (const u8 *)"\n", 1);
	mutex_unlock(&f->tty.lock);
	KTEST_EXPECT_EQ(t, (long)n, 0);
	KTEST_EXPECT_EQ(t, (long)f->len, 0);
	kfree(f);
}

static void test_raw_vmin_and_switch(struct ktest *t)
{
	FAKE(t, f);
	set_raw(f, 3, 0);
	in(f, "ab");
	KTEST_EXPECT_TRUE(t, n_tty_readable(&f->tty, false));
	KTEST_EXPECT_FALSE(t, n_tty_readable(&f->tty, true));   /* VMIN 3 */
	in(f, "c");
	KTEST_EXPECT_TRUE(t, n_tty_readable(&f->tty, true));
	KTEST_EXPECT_STREQ(t, take(f, 2), "ab");
	KTEST_EXPECT_STREQ(t, take(f, 100), "c");
	/* Back to canonical: queued raw input reads as one line. */
	in(f, "xy");
	set_lflag(f, ICANON, 0);
	KTEST_EXPECT_TRUE(t, n_tty_readable(&f->tty, false));
	KTEST_EXPECT_STREQ(t, take(f, 100), "xy");
	kfree(f);
}

static void test_full_buffer(struct ktest *t)
{
	static char big[N_TTY_BUF_SIZE + 16];
	size_t n;

	FAKE(t, f);
	set_lflag(f, 0, ECHO);
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	/* Canonical: extra bytes are dropped, a line end still fits. */
	in(f, big);
	in(f, "\n");
	KTEST_EXPECT_EQ(t, (long)n_tty_inq(&f->tty), N_TTY_BUF_SIZE);
	n_tty_flush_input(&f->tty);
	KTEST_EXPECT_EQ(t, (long)n_tty_inq(&f->tty), 0);
	/* Raw: the receiver takes what fits and tells the driver. */
	set_raw(f, 1, 0);
	n = tty_receive(&f->tty, (const u8 *)big, sizeof(big) - 1);
	KTEST_EXPECT_EQ(t, (long)n, N_TTY_BUF_SIZE);
	KTEST_EXPECT_EQ(t, (long)tty_input_room(&f->tty), 0);
	KTEST_EXPECT_EQ(t, (long)strlen(take(f, 10)), 10);
	KTEST_EXPECT_EQ(t, (long)tty_input_room(&f->tty), 10);
	kfree(f);
}

static struct ktest_case tty_cases[] = {
	KTEST_CASE(test_canonical_lines),
	KTEST_CASE(test_erase_kill_werase),
	KTEST_CASE(test_eof_eol_lnext),
	KTEST_CASE(test_echoctl_and_echo_off),
	KTEST_CASE(test_input_flags),
	KTEST_CASE(test_signal_chars),
	KTEST_CASE(test_ixon),
	KTEST_CASE(test_output_processing),
	KTEST_CASE(test_raw_vmin_and_switch),
	KTEST_CASE(test_full_buffer),
	{ 0 },
};
KTEST_SUITE(tty, tty_cases);
