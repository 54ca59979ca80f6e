/*
 * N_TTY, the line discipline (man 3 termios): input processing (ISTRIP,
 * INLCR/IGNCR/ICRNL, IXON, ISIG signal characters), canonical line
 * editing (VERASE, VWERASE, VKILL, VLNEXT, VREPRINT, VEOF/VEOL/VEOL2),
 * echo (ECHO, ECHOE, ECHOK, ECHOKE, ECHONL, ECHOCTL) and output
 * processing (OPOST, ONLCR, OCRNL, ONOCR, ONLRET, OLCUC).
 *
 * Everything here runs with tty->lock held: input arrives in process
 * context (tty_receive), so raising a signal or waking a reader needs no
 * deferral. Echo is done as characters arrive, like Linux, whether or not
 * anybody reads; when the driver has no room the echo is dropped rather
 * than blocking the input path.
 *
 * The input buffer (struct n_tty_data) is a ring of bytes with a flag
 * byte each; see <keel/tty.h> for the three indices. A canonical line
 * ends at a byte flagged N_TTY_LINE_END (kept) or N_TTY_EOF (the VEOF
 * character, which read does not return).
 */
#include <keel/ctype.h>
#include <keel/signal.h>
#include <keel/string.h>

#include "tty_internal.h"

#define MASK(i) ((i) & (N_TTY_BUF_SIZE - 1))

#define T(tty)          (&(tty)->termios)
#define I_FLAG(tty, f)  (T(tty)->c_iflag & (f))
#define O_FLAG(tty, f)  (T(tty)->c_oflag & (f))
#define L_FLAG(tty, f)  (T(tty)->c_lflag & (f))

/* Is @c the (enabled) control character @idx? 0 disables one (Linux). */
static bool is_cc(struct tty *tty, int idx, u8 c)
{
	u8 v = T(tty)->c_cc[idx];

	return v && c == v;
}

static size_t read_cnt(struct n_tty_data *ld)
{
	return ld->read_head - ld->read_tail;
}

/* ---- output -------------------------------------------------------------- */

/*
 * One output character with OPOST processing into @out (2 bytes of room).
 * Return: the bytes produced; the column is updated.
 */
static size_t opost_char(struct tty *tty, u8 c, u8 *out)
{
	struct n_tty_data *ld = &tty->ldata;

	if (!O_FLAG(tty, OPOST)) {
		out[0] = c;
		return 1;
	}
	switch (c) {
	case '\n':
		if (O_FLAG(tty, ONLRET))
			ld->column = 0;
		if (O_FLAG(tty, ONLCR)) {
			ld->column = 0;
			out[0] = '\r';
			out[1] = '\n';
			return 2;
		}
		ld->canon_column = ld->column;
		break;
	case '\r':
		if (O_FLAG(tty, ONOCR) && ld->column == 0)
			return 0;
		if (O_FLAG(tty, OCRNL)) {
			c = '\n';
			if (O_FLAG(tty, ONLRET))
				ld->canon_column = ld->column = 0;
			break;
		}
		ld->canon_column = ld->column = 0;
		break;
	case '\t':
		ld->column = (ld->column | 7) + 1;
		break;
	case '\b':
		if (ld->column > 0)
			ld->column--;
		break;
	default:
		if (!iscntrl(c)) {
			if (O_FLAG(tty, OLCUC))
				c = (u8)toupper(c);
			ld->column++;
		}
		break;
	}
	out[0] = c;
	return 1;
}

size_t n_tty_output(struct tty *tty, const u8 *buf, size_t n)
{
	u8 out[128 + 2];
	size_t room = tty->ops->write_room(tty), done = 0, len = 0;

	if (tty->flags & TTY_STOPPED)
		return 0;
	while (done < n) {
		u8 tmp[2];
		size_t k;
		unsigned int col = tty->ldata.column;
		unsigned int ccol = tty->ldata.canon_column;

		k = opost_char(tty, buf[done], tmp);
		if (len + k > room) {
			tty->ldata.column = col;        /* not output after all */
			tty->ldata.canon_column = ccol;
			break;
		}
		memcpy(out + len, tmp, k);
		len += k;
		room -= k;
		done++;
		if (len >= 128) {
			tty->ops->write(tty, out, len);
			len = 0;
		}
	}
	if (len)
		tty->ops->write(tty, out, len);
	return done;
}

/* Echo @n bytes (dropped when the driver has no room). */
static void echo_bytes(struct tty *tty, const u8 *s, size_t n)
{
	n_tty_output(tty, s, n);
}

/* Echo @c, as ^X when ECHOCTL and it is a control character. */
static void echo_char(struct tty *tty, u8 c)
{
	u8 ctl[2] = { '^', (u8)(c ^ 0100) };

	if (L_FLAG(tty, ECHOCTL) && (c < ' ' || c == 0x7f) && c != '\t' &&
	    c != '\n')
		echo_bytes(tty, ctl, 2);
	else
		echo_bytes(tty, &c, 1);
}

/* ---- input --------------------------------------------------------------- */

static void put_char(struct n_tty_data *ld, u8 c, u8 flags)
{
	ld->buf[MASK(ld->read_head)] = c;
	ld->flags[MASK(ld->read_head)] = flags;
	ld->read_head++;
}

/* The line is complete: readers may take it. */
static void commit_line(struct tty *tty)
{
	tty->ldata.canon_head = tty->ldata.read_head;
	wake_up_all(&tty->read_wait);
}

/* The display width of the input byte @c echoed at column @col. */
static unsigned int echo_width(struct tty *tty, u8 c, unsigned int col)
{
	if (c == '\t')
		return ((col | 7) + 1) - col;
	if ((c < ' ' || c == 0x7f) && L_FLAG(tty, ECHOCTL))
		return 2;
	return iscntrl(c) ? 0 : 1;
}

/* Columns taken by the edited line up to its last byte. */
static unsigned int line_column(struct tty *tty)
{
	struct n_tty_data *ld = &tty->ldata;
	unsigned int col = ld->canon_column;
	size_t i;

	for (i = ld->canon_head; i != ld->read_head; i++)
		col += echo_width(tty, ld->buf[MASK(i)], col);
	return col;
}

/* Visually erase the last byte of the line, which is @c. */
static void echo_rubout(struct tty *tty, u8 c)
{
	unsigned int before, after;

	before = line_column(tty);
	tty->ldata.read_head--;
	after = line_column(tty);
	tty->ldata.read_head++;
	if (c == '\t') {
		while (before-- > after)
			echo_bytes(tty, (const u8 *)"\b", 1);
		return;
	}
	while (before-- > after)
		echo_bytes(tty, (const u8 *)"\b \b", 3);
}

enum erase_kind { ERASE_CHAR, ERASE_WORD, ERASE_LINE };

/* VERASE, VWERASE, VKILL on the line being edited. */
static void eraser(struct tty *tty, u8 c, enum erase_kind kind)
{
	struct n_tty_data *ld = &tty->ldata;
	bool seen_alnum = false;

	if (ld->read_head == ld->canon_head)
		return;
	if (kind == ERASE_LINE) {
		if (!L_FLAG(tty, ECHO)) {
			ld->read_head = ld->canon_head;
			return;
		}
		if (!L_FLAG(tty, ECHOK) || !L_FLAG(tty, ECHOKE) ||
		    !L_FLAG(tty, ECHOE)) {
			ld->read_head = ld->canon_head;
			echo_char(tty, c);
			if (L_FLAG(tty, ECHOK))
				echo_bytes(tty, (const u8 *)"\n", 1);
			return;
		}
	}
	while (ld->read_head != ld->canon_head) {
		u8 prev = ld->buf[MASK(ld->read_head - 1)];

		if (kind == ERASE_WORD) {
			if (isalnum(prev) || prev == '_')
				seen_alnum = true;
			else if (seen_alnum)
				break;
		}
		if (L_FLAG(tty, ECHO)) {
			if (L_FLAG(tty, ECHOE))
				echo_rubout(tty, prev);
			else if (kind == ERASE_CHAR)
				echo_char(tty, c);
		}
		ld->read_head--;
		if (kind == ERASE_CHAR)
			break;
	}
	if (kind == ERASE_WORD && L_FLAG(tty, ECHO) && !L_FLAG(tty, ECHOE))
		echo_char(tty, c);
}

/* VREPRINT: the character, a new line, then the line so far. */
static void reprint(struct tty *tty, u8 c)
{
	struct n_tty_data *ld = &tty->ldata;
	size_t i;

	echo_char(tty, c);
	echo_bytes(tty, (const u8 *)"\n", 1);
	ld->canon_column = ld->column;
	for (i = ld->canon_head; i != ld->read_head; i++)
		echo_char(tty, ld->buf[MASK(i)]);
}

void n_tty_flush_input(struct tty *tty)
{
	struct n_tty_data *ld = &tty->ldata;

	ld->read_head = ld->canon_head = ld->read_tail = 0;
	ld->lnext = false;
	if (tty->ops->flush_input)
		tty->ops->flush_input(tty);
	if (tty->ops->unthrottle)
		tty->ops->unthrottle(tty);
}

void n_tty_stop(struct tty *tty, bool stop)
{
	if (!!(tty->flags & TTY_STOPPED) == stop)
		return;
	if (stop)
		tty->flags |= TTY_STOPPED;
	else
		tty->flags &= ~TTY_STOPPED;
	if (tty->ops->stop)
		tty->ops->stop(tty, stop);
	if (!stop)
		tty_wakeup_writers(tty);
}

/* A signal character: flush unless NOFLSH, echo it, signal the group. */
static void isig(struct tty *tty, int sig, u8 c)
{
	if (!L_FLAG(tty, NOFLSH)) {
		n_tty_flush_input(tty);
		if (tty->ops->flush_output)
			tty->ops->flush_output(tty);
		n_tty_stop(tty, false);
	}
	if (L_FLAG(tty, ECHO))
		echo_char(tty, c);
	tty_signal_pgrp(tty, sig);
}

/* Room for one more byte? Canonical mode keeps one slot for a line end. */
static bool has_room(struct tty *tty, bool line_end)
{
	size_t cnt = read_cnt(&tty->ldata);

	if (L_FLAG(tty, ICANON) && !line_end)
		return cnt < N_TTY_BUF_SIZE - 1;
	return cnt < N_TTY_BUF_SIZE;
}

/* Special characters of canonical mode. Return: true if @c was one. */
static bool canon_special(struct tty *tty, u8 c)
{
	struct n_tty_data *ld = &tty->ldata;
	bool iext = L_FLAG(tty, IEXTEN);

	if (is_cc(tty, VERASE, c)) {
		eraser(tty, c, ERASE_CHAR);
	} else if (is_cc(tty, VKILL, c)) {
		eraser(tty, c, ERASE_LINE);
	} else if (iext && is_cc(tty, VWERASE, c)) {
		eraser(tty, c, ERASE_WORD);
	} else if (iext && is_cc(tty, VLNEXT, c)) {
		ld->lnext = true;
		if (L_FLAG(tty, ECHO) && L_FLAG(tty, ECHOCTL))
			echo_bytes(tty, (const u8 *)"^\b", 2);
	} else if (iext && is_cc(tty, VREPRINT, c) && L_FLAG(tty, ECHO)) {
		reprint(tty, c);
	} else if (c == '\n' || is_cc(tty, VEOL, c) ||
		   (iext && is_cc(tty, VEOL2, c))) {
		if (L_FLAG(tty, ECHO) || (c == '\n' && L_FLAG(tty, ECHONL)))
			echo_char(tty, c);
		put_char(ld, c, N_TTY_LINE_END);
		commit_line(tty);
	} else if (is_cc(tty, VEOF, c)) {
		put_char(ld, c, N_TTY_EOF);
		commit_line(tty);
	} else {
		return false;
	}
	return true;
}

/* Start/stop characters (IXON). Return: true if @c was consumed. */
static bool flow_char(struct tty *tty, u8 c)
{
	if (is_cc(tty, VSTOP, c)) {
		n_tty_stop(tty, true);
		return true;
	}
	if (is_cc(tty, VSTART, c)) {
		n_tty_stop(tty, false);
		return true;
	}
	if (I_FLAG(tty, IXANY))
		n_tty_stop(tty, false);
	return false;
}

/* One input byte. Return: false when it could not be stored (full). */
static bool receive_char(struct tty *tty, u8 c)
{
	struct n_tty_data *ld = &tty->ldata;
	bool canon = L_FLAG(tty, ICANON);

	if (I_FLAG(tty, ISTRIP))
		c &= 0x7f;
	if (ld->lnext) {
		ld->lnext = false;
		goto store;
	}
	if (I_FLAG(tty, IXON) && flow_char(tty, c))
		return true;
	if (L_FLAG(tty, ISIG)) {
		int sig = is_cc(tty, VINTR, c) ? SIGINT :
			  is_cc(tty, VQUIT, c) ? SIGQUIT :
			  is_cc(tty, VSUSP, c) ? SIGTSTP : 0;

		if (sig) {
			isig(tty, sig, c);
			return true;
		}
	}
	if (c == '\r') {
		if (I_FLAG(tty, IGNCR))
			return true;
		if (I_FLAG(tty, ICRNL))
			c = '\n';
	} else if (c == '\n' && I_FLAG(tty, INLCR)) {
		c = '\r';
	}
	if (canon) {
		bool end = c == '\n' || is_cc(tty, VEOF, c) ||
			   is_cc(tty, VEOL, c) ||
			   (L_FLAG(tty, IEXTEN) && is_cc(tty, VEOL2, c));

		if (!has_room(tty, end))
			return true;    /* Linux drops what does not fit */
		if (canon_special(tty, c))
			return true;
	}
store:
	if (!has_room(tty, false))
		return canon;           /* canonical: dropped; raw: retry */
	if (L_FLAG(tty, ECHO)) {
		if (canon && ld->read_head == ld->canon_head)
			ld->canon_column = ld->column;
		echo_char(tty, c);
	}
	put_char(ld, c, 0);
	if (!canon)
		commit_line(tty);
	return true;
}

size_t n_tty_receive(struct tty *tty, const u8 *buf, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!receive_char(tty, buf[i]))
			break;
	return i;
}

/* ---- reading ------------------------------------------------------------- */

bool n_tty_readable(struct tty *tty, bool poll)
{
	struct n_tty_data *ld = &tty->ldata;
	size_t amt = 1;

	if (L_FLAG(tty, ICANON))
		return READ_ONCE(ld->canon_head) != READ_ONCE(ld->read_tail);
	if (poll && !T(tty)->c_cc[VTIME] && T(tty)->c_cc[VMIN])
		amt = T(tty)->c_cc[VMIN];
	return READ_ONCE(ld->read_head) - READ_ONCE(ld->read_tail) >= amt;
}

size_t n_tty_inq(struct tty *tty)
{
	struct n_tty_data *ld = &tty->ldata;
	size_t i, n = 0;

	if (!L_FLAG(tty, ICANON))
		return read_cnt(ld);
	for (i = ld->read_tail; i != ld->canon_head; i++)
		if (!(ld->flags[MASK(i)] & N_TTY_EOF))
			n++;
	return n;
}

size_t n_tty_room(struct tty *tty)
{
	return N_TTY_BUF_SIZE - read_cnt(&tty->ldata);
}

size_t n_tty_take(struct tty *tty, u8 *out, size_t n, bool *eof)
{
	struct n_tty_data *ld = &tty->ldata;
	size_t got = 0;

	*eof = false;
	if (!L_FLAG(tty, ICANON)) {
		while (got < n && ld->read_tail != ld->read_head)
			out[got++] = ld->buf[MASK(ld->read_tail++)];
		goto out;
	}
	while (got < n && ld->read_tail != ld->canon_head) {
		size_t i = MASK(ld->read_tail++);

		if (ld->flags[i] & N_TTY_EOF) {
			*eof = got == 0;
			break;
		}
		out[got++] = ld->buf[i];
		if (ld->flags[i] & N_TTY_LINE_END)
			break;
	}
out:
	if (got || *eof) {
		if (tty->ops->unthrottle)
			tty->ops->unthrottle(tty);
	}
	return got;
}

void n_tty_set_termios(struct tty *tty, const struct termios *old)
{
	struct n_tty_data *ld = &tty->ldata;

	if ((old->c_lflag ^ T(tty)->c_lflag) & ICANON) {
		size_t i;

		for (i = ld->read_tail; i != ld->read_head; i++)
			ld->flags[MASK(i)] = 0;
		ld->canon_head = ld->read_tail;
		if (L_FLAG(tty, ICANON) && read_cnt(ld)) {
			/* Linux: what is queued reads as one line. */
			ld->flags[MASK(ld->read_head - 1)] = N_TTY_LINE_END;
			ld->canon_head = ld->read_head;
		}
		ld->lnext = false;
		wake_up_all(&tty->read_wait);
	}
	if (!I_FLAG(tty, IXON))
		n_tty_stop(tty, false);
	if (tty->ops->set_termios)
		tty->ops->set_termios(tty, old);
	if (old->c_cc[VMIN] != T(tty)->c_cc[VMIN] ||
	    old->c_cc[VTIME] != T(tty)->c_cc[VTIME])
		wake_up_all(&tty->read_wait);
}
