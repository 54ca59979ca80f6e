/*
 * Terminal ioctls (man 4 tty_ioctl, man 2 ioctl_tty): termios get/set
 * (TCGETS, TCSETS/W/F, the termios2 and the old termio variants), window
 * size, queue sizes and flushes, flow control, exclusive mode, TIOCSTI,
 * the line discipline number, and job control: the controlling terminal
 * (TIOCSCTTY, TIOCNOTTY), the foreground group (TIOCGPGRP, TIOCSPGRP)
 * and the session (TIOCGSID).
 *
 * Changing a terminal from a background process group is subject to
 * SIGTTOU like a write with TOSTOP (tty_job_check), whatever TOSTOP says.
 * The pgrp/sid ioctls reach the slave's state from a pty master too; a
 * master's file is recognised by not being a tty file (tty_from_file).
 */
#include <keel/signal.h>
#include <keel/string.h>
#include <keel/task.h>
#include <keel/uaccess.h>

#include "tty_internal.h"

/* Wait until the driver sent all queued output. Context: no tty->lock. */
static int tty_drain(struct tty *tty)
{
	if (!tty->ops->chars_in_buffer)
		return 0;
	if (wait_event_interruptible(&tty->write_wait,
				     !tty->ops->chars_in_buffer(tty) ||
				     (READ_ONCE(tty->flags) & TTY_HUPPED)))
		return -ERESTARTSYS;
	return 0;
}

void tty_set_termios(struct tty *tty, const struct termios *t)
{
	struct termios old;

	mutex_lock(&tty->lock);
	old = tty->termios;
	tty->termios = *t;
	tty->termios.c_line = N_TTY;
	n_tty_set_termios(tty, &old);
	mutex_unlock(&tty->lock);
}

void tty_set_winsize(struct tty *tty, const struct winsize *ws)
{
	bool changed;

	mutex_lock(&tty->lock);
	changed = memcmp(&tty->winsize, ws, sizeof(*ws)) != 0;
	tty->winsize = *ws;
	mutex_unlock(&tty->lock);
	if (changed)
		tty_signal_pgrp(tty, SIGWINCH);
}

/* Linux's baud table: the speed of Bnnn code @code (termios2). */
static speed_t baud_speed(tcflag_t cflag)
{
	static const speed_t rates[] = {
		0, 50, 75, 110, 134, 150, 200, 300, 600, 1200, 1800, 2400,
		4800, 9600, 19200, 38400, 57600, 115200, 230400, 460800,
		500000, 576000, 921600, 1000000, 1152000, 1500000, 2000000,
		2500000, 3000000, 3500000, 4000000,
	};
	unsigned int code = cflag & CBAUD;

	if (code & CBAUDEX)
		code = (code & ~CBAUDEX) + 15;
	return code < ARRAY_SIZE(rates) ? rates[code] : 0;
}

void tty_termio_merge(struct termios *t, const struct termio *o)
{
	t->c_iflag = (t->c_iflag & 0xffff0000u) | o->c_iflag;
	t->c_oflag = (t->c_oflag & 0xffff0000u) | o->c_oflag;
	t->c_cflag = (t->c_cflag & 0xffff0000u) | o->c_cflag;
	t->c_lflag = (t->c_lflag & 0xffff0000u) | o->c_lflag;
	t->c_line = o->c_line;
	memcpy(t->c_cc, o->c_cc, NCC);
}

void tty_termio_get(const struct termios *t, struct termio *o)
{
	unsigned int i;

	memset(o, 0, sizeof(*o));       /* the padding byte goes to user space */
	o->c_iflag = (u16)t->c_iflag;
	o->c_oflag = (u16)t->c_oflag;
	o->c_cflag = (u16)t->c_cflag;
	o->c_lflag = (u16)t->c_lflag;
	o->c_line = t->c_line;
	for (i = 0; i < NCC; i++)
		o->c_cc[i] = t->c_cc[i];
}

/* Read the new settings of a TCSETS*, TCSETS*2 or TCSETA* call. */
static int termios_from_user(struct tty *tty, unsigned int cmd,
			     unsigned long arg, struct termios2 *t2)
{
	const void __user *up = (const void __user *)arg;
	struct termio o;

	switch (cmd) {
	case TCSETA:
	case TCSETAW:
	case TCSETAF:
		if (copy_from_user(&o, up, sizeof(o)))
			return -EFAULT;
		mutex_lock(&tty->lock);
		memcpy(t2, &tty->termios, sizeof(tty->termios));
		mutex_unlock(&tty->lock);
		tty_termio_merge((struct termios *)t2, &o);
		return 0;
	case TCSETS:
	case TCSETSW:
	case TCSETSF:
		return copy_from_user(t2, up, sizeof(struct termios)) ?
		       -EFAULT : 0;
	}
	return copy_from_user(t2, up, sizeof(*t2)) ? -EFAULT : 0;
}

static long termios_set(struct tty *tty, unsigned int cmd,
			unsigned long arg)
{
	struct termios2 t2;
	bool drain = cmd == TCSETSW || cmd == TCSETSF || cmd == TCSETSW2 ||
		     cmd == TCSETSF2 || cmd == TCSETAW || cmd == TCSETAF;
	bool flush = cmd == TCSETSF || cmd == TCSETSF2 || cmd == TCSETAF;
	int err;

	err = tty_job_check(tty, SIGTTOU);
	if (err)
		return err;
	err = termios_from_user(tty, cmd, arg, &t2);
	if (err)
		return err;
	if (drain) {
		err = tty_drain(tty);
		if (err)
			return err;
	}
	if (flush) {
		mutex_lock(&tty->lock);
		n_tty_flush_input(tty);
		mutex_unlock(&tty->lock);
	}
	tty_set_termios(tty, (struct termios *)&t2);
	return 0;
}

long tty_termios_ioctl(struct tty *tty, unsigned int cmd, unsigned long arg)
{
	struct termios2 t2;

	switch (cmd) {
	case TCGETS:
	case TCGETS2:
		mutex_lock(&tty->lock);
		memcpy(&t2, &tty->termios, sizeof(tty->termios));
		mutex_unlock(&tty->lock);
		t2.c_ospeed = baud_speed(t2.c_cflag);
		t2.c_ispeed = baud_speed(t2.c_cflag >> IBSHIFT) ?: t2.c_ospeed;
		if (copy_to_user((void __user *)arg, &t2, cmd == TCGETS ?
				 sizeof(struct termios) : sizeof(t2)))
			return -EFAULT;
		return 0;
	case TCGETA: {
		struct termio o;

		mutex_lock(&tty->lock);
		tty_termio_get(&tty->termios, &o);
		mutex_unlock(&tty->lock);
		return copy_to_user((void __user *)arg, &o, sizeof(o)) ?
		       -EFAULT : 0;
	}
	case TCSETS:
	case TCSETSW:
	case TCSETSF:
	case TCSETS2:
	case TCSETSW2:
	case TCSETSF2:
	case TCSETA:
	case TCSETAW:
	case TCSETAF:
		return termios_set(tty, cmd, arg);
	}
	return -ENOIOCTLCMD;
}

/* TCFLSH: @arg TCIFLUSH, TCOFLUSH or TCIOFLUSH. */
static long tty_flush(struct tty *tty, unsigned long arg)
{
	if (arg > TCIOFLUSH)
		return -EINVAL;
	mutex_lock(&tty->lock);
	if (arg != TCOFLUSH)
		n_tty_flush_input(tty);
	if (arg != TCIFLUSH && tty->ops->flush_output)
		tty->ops->flush_output(tty);
	mutex_unlock(&tty->lock);
	if (arg != TCIFLUSH)
		tty_wakeup_writers(tty);
	return 0;
}

/* TCXONC: suspend/restart output, or send STOP/START. */
static long tty_xonc(struct tty *tty, unsigned long arg)
{
	u8 c;

	mutex_lock(&tty->lock);
	switch (arg) {
	case TCOOFF:
	case TCOON:
		n_tty_stop(tty, arg == TCOOFF);
		break;
	case TCIOFF:
	case TCION:
		c = tty->termios.c_cc[arg == TCIOFF ? VSTOP : VSTART];
		if (c && tty->ops->write_room(tty))
			tty->ops->write(tty, &c, 1);
		break;
	default:
		mutex_unlock(&tty->lock);
		return -EINVAL;
	}
	mutex_unlock(&tty->lock);
	tty_wakeup_writers(tty);
	return 0;
}

static long tty_sti(struct tty *tty, unsigned long arg)
{
	struct tty *ctty;
	bool own;
	u8 c;

	spin_lock(&tasklist_lock);
	ctty = current_process()->tty;
	own = ctty == tty;
	spin_unlock(&tasklist_lock);
	if (!own && !cred_is_root(current_cred()))
		return -EPERM;
	if (get_user(c, (const u8 __user *)arg))
		return -EFAULT;
	tty_receive(tty, &c, 1);
	return 0;
}

static long tty_misc_ioctl(struct tty *tty, struct file *f,
			   unsigned int cmd, unsigned long arg)
{
	void __user *up = (void __user *)arg;
	struct winsize ws;
	int v, err;

	switch (cmd) {
	case TIOCGWINSZ:
		mutex_lock(&tty->lock);
		ws = tty->winsize;
		mutex_unlock(&tty->lock);
		return copy_to_user(up, &ws, sizeof(ws)) ? -EFAULT : 0;
	case TIOCSWINSZ:
		if (copy_from_user(&ws, up, sizeof(ws)))
			return -EFAULT;
		tty_set_winsize(tty, &ws);
		return 0;
	case FIONREAD:
		mutex_lock(&tty->lock);
		v = (int)n_tty_inq(tty);
		mutex_unlock(&tty->lock);
		return put_user(v, (int __user *)up);
	case TIOCOUTQ:
		v = tty->ops->chars_in_buffer ?
		    (int)tty->ops->chars_in_buffer(tty) : 0;
		return put_user(v, (int __user *)up);
	case TCFLSH:
	case TCXONC:
	case TCSBRK:
	case TCSBRKP:
	case TIOCSBRK:
	case TIOCCBRK:
		err = tty_job_check(tty, SIGTTOU);
		if (err)
			return err;
		if (cmd == TCFLSH)
			return tty_flush(tty, arg);
		if (cmd == TCXONC)
			return tty_xonc(tty, arg);
		/* No line with a break condition: a break is just a drain. */
		return (cmd == TCSBRK || cmd == TCSBRKP) ? tty_drain(tty) : 0;
	case TIOCEXCL:
	case TIOCNXCL:
		mutex_lock(&tty->lock);
		if (cmd == TIOCEXCL)
			tty->flags |= TTY_EXCL;
		else
			tty->flags &= ~TTY_EXCL;
		mutex_unlock(&tty->lock);
		return 0;
	case TIOCGEXCL:
		return put_user((int)!!(READ_ONCE(tty->flags) & TTY_EXCL),
				(int __user *)up);
	case TIOCSTI:
		return tty_sti(tty, arg);
	case TIOCGETD:
		return put_user(N_TTY, (int __user *)up);
	case TIOCSETD:
		if (get_user(v, (int __user *)up))
			return -EFAULT;
		return v == N_TTY ? 0 : -EINVAL;
	case TIOCGDEV:
		return put_user((unsigned int)dev_encode(tty->dev),
				(unsigned int __user *)up);
	case TIOCVHANGUP:
		if (!cred_is_root(current_cred()))
			return -EPERM;
		tty_vhangup(tty);
		return 0;
	}
	return -ENOIOCTLCMD;
}

long tty_ioctl_common(struct tty *tty, struct file *f, unsigned int cmd,
		      unsigned long arg)
{
	long r = tty_termios_ioctl(tty, cmd, arg);

	if (r == -ENOIOCTLCMD)
		r = tty_misc_ioctl(tty, f, cmd, arg);
	if (r == -ENOIOCTLCMD)
		r = tty_jobctl_ioctl(tty, f, cmd, arg);
	return r == -ENOIOCTLCMD ? -ENOTTY : r;
}

/* ---- job control ------------------------------------------------------ */

/* TIOCSCTTY: a session leader without a tty takes @tty. */
static long tiocsctty(struct tty *tty, struct file *f, unsigned long arg)
{
	struct process *p = current_process(), *q;
	bool root = cred_is_root(current_cred());
	long ret = 0;

	spin_lock(&tasklist_lock);
	if (p->sid == p->pid && p->tty == tty && tty->session == p->sid)
		goto out;               /* already ours */
	if (p->sid != p->pid || p->tty) {
		ret = -EPERM;
		goto out;
	}
	if (tty->session) {
		/* Stealing it from another session: arg 1 and privilege. */
		if (arg != 1 || !root) {
			ret = -EPERM;
			goto out;
		}
		list_for_each_entry(q, &all_processes, all_link)
			if (q->tty == tty)
				q->tty = NULL;
	}
	if (!(f->f_mode & FMODE_READ) && !root) {
		ret = -EPERM;
		goto out;
	}
	p->tty = tty;
	tty->session = p->sid;
	tty->pgrp = p->pgid;
out:
	spin_unlock(&tasklist_lock);
	return ret;
}

/* TIOCNOTTY: give up the controlling tty (a leader: the whole session). */
static long tiocnotty(struct tty *tty)
{
	struct process *p = current_process();
	pid_t pgrp = 0;
	bool leader;

	spin_lock(&tasklist_lock);
	if (p->tty != tty) {
		spin_unlock(&tasklist_lock);
		return -ENOTTY;
	}
	leader = p->sid == p->pid;
	if (leader) {
		struct process *q;

		pgrp = tty->pgrp;
		tty->session = tty->pgrp = 0;
		list_for_each_entry(q, &all_processes, all_link)
			if (q->sid == p->sid)
				q->tty = NULL;
	}
	p->tty = NULL;
	spin_unlock(&tasklist_lock);
	if (pgrp > 0) {
		kill_pgrp_kernel(pgrp, SIGHUP, 1);
		kill_pgrp_kernel(pgrp, SIGCONT, 1);
	}
	return 0;
}

/* TIOCSPGRP: another group of the caller's session into the foreground. */
static long tiocspgrp(struct tty *tty, bool master, unsigned long arg)
{
	struct process *me = current_process(), *q;
	bool found = false, same = false;
	long ret = 0;
	pid_t pgrp;

	if (!master) {
		ret = tty_job_check(tty, SIGTTOU);
		if (ret)
			return ret == -EIO ? -ENOTTY : ret;
	}
	spin_lock(&tasklist_lock);
	if (me->tty != tty || tty->session != me->sid)
		ret = -ENOTTY;
	spin_unlock(&tasklist_lock);
	if (ret)
		return ret;
	if (get_user(pgrp, (pid_t __user *)arg))
		return -EFAULT;
	if (pgrp < 0)
		return -EINVAL;
	spin_lock(&tasklist_lock);
	list_for_each_entry(q, &all_processes, all_link) {
		if (q->pgid != pgrp || q->state == PROCESS_DEAD)
			continue;
		found = true;
		if (q->sid == me->sid)
			same = true;
	}
	if (!found)
		ret = -ESRCH;
	else if (!same)
		ret = -EPERM;
	else
		tty->pgrp = pgrp;
	spin_unlock(&tasklist_lock);
	return ret;
}

long tty_jobctl_ioctl(struct tty *tty, struct file *f, unsigned int cmd,
		      unsigned long arg)
{
	bool master = tty_from_file(f) != tty;
	pid_t v;
	bool ok;

	switch (cmd) {
	case TIOCSCTTY:
		return tiocsctty(tty, f, arg);
	case TIOCNOTTY:
		return tiocnotty(tty);
	case TIOCSPGRP:
		return tiocspgrp(tty, master, arg);
	case TIOCGPGRP:
	case TIOCGSID:
		spin_lock(&tasklist_lock);
		ok = master || current_process()->tty == tty;
		v = cmd == TIOCGPGRP ? tty->pgrp : tty->session;
		spin_unlock(&tasklist_lock);
		if (!ok || (cmd == TIOCGSID && !v))
			return -ENOTTY;
		return put_user(v, (pid_t __user *)arg);
	}
	return -ENOIOCTLCMD;
}
