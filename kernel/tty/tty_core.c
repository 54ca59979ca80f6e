/*
 * The tty core: life cycle of a struct tty, the file operations every
 * tty device node shares (read, write, poll, ioctl, release), the
 * controlling terminal (acquired by open, /dev/tty, hangup, a session
 * leader's exit) and the job-control checks of background access.
 *
 * Input from drivers goes through tty_receive() into the line discipline
 * (n_tty.c); reads sleep on tty->read_wait, writes on tty->write_wait.
 * Neither sleeps with tty->lock held.
 *
 * Controlling terminals: process->tty is a weak pointer under
 * tasklist_lock; a tty about to be freed clears every process's pointer
 * first (tty_put), and references taken through it (/dev/tty) use
 * "increment unless zero", so a dying tty is never resurrected.
 */
#include <keel/poll.h>
#include <keel/signal.h>
#include <keel/slab.h>
#include <keel/string.h>
#include <keel/task.h>
#include <keel/uaccess.h>

#include "tty_internal.h"

#define TTY_CHUNK 256

/*
 * An open tty file. A hangup (TIOCVHANGUP, a session leader leaving a
 * terminal that is not a pty) ends the files open at that moment, not
 * the tty: each file remembers the hangup generation it was opened in.
 * Files opened as /dev/console are never hung up (Linux's rule).
 */
struct tty_file {
	struct tty *tty;        /* [I] */
	unsigned int gen;       /* [I] tty->hangup_gen at open */
	bool console;           /* [I] opened as /dev/console */
};

static struct tty *file_tty(struct file *f)
{
	return ((struct tty_file *)f->private_data)->tty;
}

/* Is @f hung up: its tty for good (pty), or the file by a vhangup? */
static bool tty_file_hung(struct file *f)
{
	struct tty_file *tf = f->private_data;
	struct tty *tty = tf->tty;

	return (READ_ONCE(tty->flags) & TTY_HUPPED) ||
	       (!tf->console && READ_ONCE(tty->hangup_gen) != tf->gen);
}

const struct termios tty_std_termios = {
	.c_iflag = ICRNL | IXON,
	.c_oflag = OPOST | ONLCR,
	.c_cflag = B38400 | CS8 | CREAD | HUPCL,
	.c_lflag = ISIG | ICANON | ECHO | ECHOE | ECHOK | ECHOCTL | ECHOKE |
		   IEXTEN,
	.c_line = N_TTY,
	.c_cc = "\003\034\177\025\004\0\1\0\021\023\032\0\022\017\027\026\0",
};

void tty_init(struct tty *tty, const struct tty_ops *ops, dev_t dev,
	      const char *name)
{
	strscpy(tty->name, name, sizeof(tty->name));
	tty->dev = dev;
	tty->ops = ops;
	tty->refs = 1;
	mutex_init(&tty->lock);
	tty->termios = tty_std_termios;
	init_waitqueue_head(&tty->read_wait);
	init_waitqueue_head(&tty->write_wait);
}

struct tty *tty_get(struct tty *tty)
{
	__atomic_add_fetch(&tty->refs, 1, __ATOMIC_RELAXED);
	return tty;
}

/* A reference unless the count already reached zero. [T] held. */
static bool tty_get_unless_zero(struct tty *tty)
{
	int v = __atomic_load_n(&tty->refs, __ATOMIC_RELAXED);

	while (v > 0)
		if (__atomic_compare_exchange_n(&tty->refs, &v, v + 1, false,
						__ATOMIC_ACQUIRE,
						__ATOMIC_RELAXED))
			return true;
	return false;
}

/**
 * tty_put - drop a reference; the last one detaches the tty from every
 * process still naming it as controlling tty and frees it.
 * Context: process context, no spinlock held.
 */
void tty_put(struct tty *tty)
{
	struct process *p;

	if (__atomic_sub_fetch(&tty->refs, 1, __ATOMIC_ACQ_REL))
		return;
	spin_lock(&tasklist_lock);
	list_for_each_entry(p, &all_processes, all_link)
		if (p->tty == tty)
			p->tty = NULL;
	spin_unlock(&tasklist_lock);
	if (tty->ops->destroy)
		tty->ops->destroy(tty);
}

size_t tty_receive(struct tty *tty, const u8 *buf, size_t n)
{
	size_t done;

	mutex_lock(&tty->lock);
	done = n_tty_receive(tty, buf, n);
	mutex_unlock(&tty->lock);
	return done;
}

size_t tty_input_room(struct tty *tty)
{
	return n_tty_room(tty);
}

void tty_wakeup_writers(struct tty *tty)
{
	wake_up_poll(&tty->write_wait, EPOLLOUT | EPOLLWRNORM);
}

void tty_signal_pgrp(struct tty *tty, int sig)
{
	pid_t pgrp = READ_ONCE(tty->pgrp);

	if (pgrp > 0)
		kill_pgrp_kernel(pgrp, sig, 1);
}

/* ---- controlling terminal ----------------------------------------------- */

struct tty *tty_current_ctty(void)
{
	struct tty *tty;

	if (!current_task())
		return NULL;    /* a kernel thread has no terminal */
	spin_lock(&tasklist_lock);
	tty = current_process()->tty;
	if (tty && !tty_get_unless_zero(tty))
		tty = NULL;
	spin_unlock(&tasklist_lock);
	return tty;
}

/* open(2) without O_NOCTTY by a session leader without a tty takes it. */
static void tty_open_ctty(struct tty *tty)
{
	struct process *p = current_process();

	spin_lock(&tasklist_lock);
	if (p->sid == p->pid && !p->tty && !tty->session) {
		p->tty = tty;
		tty->session = p->sid;
		tty->pgrp = p->pgid;
	}
	spin_unlock(&tasklist_lock);
}

/* Clear the ctty of every process of session @sid. [T] held. */
static void session_clear_tty(pid_t sid)
{
	struct process *p;

	list_for_each_entry(p, &all_processes, all_link)
		if (p->sid == sid)
			p->tty = NULL;
}

/*
 * The common part of both hangups: wake everyone, SIGHUP and SIGCONT to
 * the session leader (unless it is @exiting), and the session loses the
 * tty.
 */
static void tty_do_hangup(struct tty *tty, bool forever,
			  struct process *exiting)
{
	struct process *p, *leader = NULL;

	mutex_lock(&tty->lock);
	if (forever)
		tty->flags |= TTY_HUPPED;
	else
		tty->hangup_gen++;
	mutex_unlock(&tty->lock);
	wake_up_poll(&tty->read_wait, EPOLLIN | EPOLLHUP);
	tty_wakeup_writers(tty);

	spin_lock(&tasklist_lock);
	list_for_each_entry(p, &all_processes, all_link) {
		if (p->tty != tty)
			continue;
		p->tty = NULL;
		if (p->pid == p->sid && p->state == PROCESS_ALIVE && !leader &&
		    p != exiting) {
			leader = p;
			process_get(p);
		}
	}
	tty->session = tty->pgrp = 0;
	spin_unlock(&tasklist_lock);
	if (leader) {
		send_sig_process(SIGHUP, leader);
		send_sig_process(SIGCONT, leader);
		process_put(leader);
	}
}

void tty_hangup(struct tty *tty)
{
	tty_do_hangup(tty, true, NULL);
}

void tty_vhangup(struct tty *tty)
{
	tty_do_hangup(tty, false, NULL);
}

void tty_session_leader_exit(struct process *p)
{
	struct tty *tty, *line = NULL;
	pid_t pgrp = 0;

	spin_lock(&tasklist_lock);
	tty = p->tty;
	if (tty && tty->session == p->sid) {
		if (!(tty->flags & TTY_IS_PTY) && tty_get_unless_zero(tty))
			line = tty;
		else
			pgrp = tty->pgrp;
	}
	spin_unlock(&tasklist_lock);
	/*
	 * Linux's disassociate_ctty(1): a terminal line is hung up (the
	 * files open on it end, /dev/console ones excepted); for a pty the
	 * foreground group gets SIGHUP, after the session lost the tty so
	 * that a process woken by it already finds itself without one.
	 */
	if (line) {
		tty_do_hangup(line, false, p);
		tty_put(line);
	}
	spin_lock(&tasklist_lock);
	tty = p->tty;
	if (tty && tty->session == p->sid)
		tty->session = tty->pgrp = 0;
	session_clear_tty(p->sid);
	spin_unlock(&tasklist_lock);
	if (pgrp > 0)
		kill_pgrp_kernel(pgrp, SIGHUP, 1);
}

void tty_proc_stat(struct process *p, unsigned int *tty_nr, pid_t *tpgid)
{
	struct tty *tty = p->tty;

	*tty_nr = tty ? dev_encode(tty->dev) : 0;
	*tpgid = tty ? tty->pgrp : -1;
}

/* Is @sig ignored or blocked by the caller (then job control lets go)? */
static bool sig_ignored_or_blocked(int sig)
{
	struct task *t = current_task();
	unsigned long flags;
	bool ret;

	flags = spin_lock_irqsave(&t->sighand->lock);
	ret = (t->sig.blocked & sigmask(sig)) ||
	      t->sighand->action[sig - 1].handler == SIG_IGN;
	spin_unlock_irqrestore(&t->sighand->lock, flags);
	return ret;
}

int tty_job_check(struct tty *tty, int sig)
{
	struct process *p;
	pid_t pgrp, mine;
	bool ctty;

	if (!current_task())
		return 0;       /* kernel threads are in no process group */
	p = current_process();
	spin_lock(&tasklist_lock);
	ctty = p->tty == tty;
	pgrp = tty->pgrp;
	mine = p->pgid;
	spin_unlock(&tasklist_lock);
	if (!ctty || !pgrp || pgrp == mine)
		return 0;
	if (sig_ignored_or_blocked(sig))
		return sig == SIGTTIN ? -EIO : 0;
	if (process_pgrp_orphaned(p))
		return -EIO;
	kill_pgrp_kernel(mine, sig, 1);
	return -ERESTARTSYS;
}

/* ---- open and release ------------------------------------------------ */

int tty_file_open(struct tty *tty, struct file *f)
{
	struct tty_file *tf = kmalloc(sizeof(*tf), GFP_KERNEL);
	int err = 0;

	if (!tf)
		return -ENOMEM;
	tf->tty = tty;
	tf->console = file_inode(f)->i_rdev == MKDEV(5, 1);
	mutex_lock(&tty->lock);
	tf->gen = tty->hangup_gen;
	if (tty->flags & TTY_HUPPED)
		err = -EIO;
	else if ((tty->flags & TTY_EXCL) &&
		 !cred_is_root(current_cred_or_root()))
		err = -EBUSY;
	else
		tty->opens++;
	mutex_unlock(&tty->lock);
	if (err)
		goto err_free;
	tty_get(tty);
	if (tty->ops->open) {
		err = tty->ops->open(tty, f);
		if (err) {
			mutex_lock(&tty->lock);
			tty->opens--;
			mutex_unlock(&tty->lock);
			tty_put(tty);
			goto err_free;
		}
	}
	f->f_op = &tty_fops;
	f->private_data = tf;
	if (!(f->f_flags & O_NOCTTY) && !tf->console && current_task())
		tty_open_ctty(tty);
	return 0;
err_free:
	kfree(tf);
	return err;
}

struct tty *tty_from_file(struct file *f)
{
	return f->f_op == &tty_fops ? file_tty(f) : NULL;
}

static int tty_release(struct inode *inode, struct file *f)
{
	struct tty *tty = file_tty(f);

	mutex_lock(&tty->lock);
	tty->opens--;
	mutex_unlock(&tty->lock);
	if (tty->ops->close)
		tty->ops->close(tty, f);
	tty_put(tty);
	kfree(f->private_data);
	return 0;
}

/* /dev/tty (5, 0): the caller's controlling tty, never acquired by it. */
static int tty_dev_open(struct inode *inode, struct file *f)
{
	struct tty *tty = tty_current_ctty();
	int err;

	if (!tty)
		return -ENXIO;
	f->f_flags |= O_NOCTTY;
	err = tty_file_open(tty, f);
	tty_put(tty);
	return err;
}

const struct file_operations tty_dev_fops = {
	.open = tty_dev_open,
};

/* ---- read and write --------------------------------------------------- */

/* Wait for input (@ns: 0 forever). Return: 0, -ETIME, -ERESTARTSYS. */
static int tty_wait_input(struct file *f, u64 ns)
{
	struct tty *tty = file_tty(f);
	long r;

	if (!ns) {
		r = wait_event_interruptible(&tty->read_wait,
					     n_tty_readable(tty, false) ||
					     tty_file_hung(f));
		return r ? -ERESTARTSYS : 0;
	}
	r = wait_event_interruptible_timeout(&tty->read_wait,
					     n_tty_readable(tty, false) ||
					     tty_file_hung(f), ns);
	if (r < 0)
		return -ERESTARTSYS;
	return r ? 0 : -ETIME;
}

/*
 * Take what is readable into @ubuf + *@done (at most @n in all).
 * Return: 0, or -EFAULT; *@eof when a canonical VEOF ended the read.
 */
static int tty_take(struct tty *tty, char __user *ubuf, size_t n,
		    size_t *done, bool *eof, bool *canon)
{
	u8 buf[TTY_CHUNK];
	int err = 0;
	size_t got;

	mutex_lock(&tty->lock);
	*canon = tty->termios.c_lflag & ICANON;
	do {
		got = n_tty_take(tty, buf, MIN(n - *done, sizeof(buf)), eof);
		if (got && copy_to_user(ubuf + *done, buf, got)) {
			err = -EFAULT;
			break;
		}
		*done += got;
		/* A canonical read returns at most one line. */
		if (*canon && got &&
		    (tty->ldata.flags[(tty->ldata.read_tail - 1) &
				      (N_TTY_BUF_SIZE - 1)] & N_TTY_LINE_END))
			break;
	} while (got == sizeof(buf) && *done < n && !*eof);
	mutex_unlock(&tty->lock);
	return err;
}

static ssize_t tty_read(struct file *f, char __user *ubuf, size_t n,
			loff_t *pos)
{
	struct tty *tty = file_tty(f);
	size_t done = 0, vmin;
	bool eof = false, canon;
	u64 vtime;
	int err;

	err = tty_job_check(tty, SIGTTIN);
	if (err)
		return err;
	if (!n)
		return 0;
	for (;;) {
		if (tty_file_hung(f))
			break;
		err = tty_take(tty, ubuf, n, &done, &eof, &canon);
		if (err || eof)
			break;
		vmin = tty->termios.c_cc[VMIN];
		vtime = tty->termios.c_cc[VTIME] * 100000000ULL;
		if (canon ? done > 0 : done >= MIN(MAX(vmin, 1), n))
			break;
		if (!canon && !vmin && (done || !vtime))
			break;          /* VMIN 0: what there is, or the timer */
		if (f->f_flags & O_NONBLOCK) {
			err = done ? 0 : -EAGAIN;
			break;
		}
		/* VTIME: overall with VMIN 0, between bytes with VMIN > 0. */
		err = tty_wait_input(f, !canon && (!vmin || done) ? vtime :
				     0);
		if (err == -ETIME) {
			err = 0;
			tty_take(tty, ubuf, n, &done, &eof, &canon);
			break;
		}
		if (err)
			break;
	}
	if (done)
		return (ssize_t)done;
	return err;
}

static bool tty_writable(struct file *f)
{
	struct tty *tty = file_tty(f);

	return tty_file_hung(f) ||
	       (!(READ_ONCE(tty->flags) & TTY_STOPPED) &&
		tty->ops->write_room(tty) >= 2);
}

/* Output @n bytes of @buf, waiting for room. Return: bytes, or -errno. */
static ssize_t tty_write_buf(struct tty *tty, struct file *f, const u8 *buf,
			     size_t n)
{
	size_t done = 0;

	while (done < n) {
		size_t k;

		mutex_lock(&tty->lock);
		if (tty_file_hung(f)) {
			mutex_unlock(&tty->lock);
			return done ? (ssize_t)done : -EIO;
		}
		k = n_tty_output(tty, buf + done, n - done);
		mutex_unlock(&tty->lock);
		done += k;
		if (k)
			continue;
		if (f->f_flags & O_NONBLOCK)
			return done ? (ssize_t)done : -EAGAIN;
		if (wait_event_interruptible(&tty->write_wait,
					     tty_writable(f)))
			return done ? (ssize_t)done : -ERESTARTSYS;
	}
	return (ssize_t)done;
}

static ssize_t tty_write(struct file *f, const char __user *ubuf, size_t n,
			 loff_t *pos)
{
	struct tty *tty = file_tty(f);
	u8 buf[TTY_CHUNK];
	size_t done = 0;
	int err;

	if (tty_file_hung(f))
		return -EIO;
	if (tty->termios.c_lflag & TOSTOP) {
		err = tty_job_check(tty, SIGTTOU);
		if (err)
			return err;
	}
	while (done < n) {
		size_t c = MIN(n - done, sizeof(buf));
		ssize_t w;

		if (copy_from_user(buf, ubuf + done, c))
			return done ? (ssize_t)done : -EFAULT;
		w = tty_write_buf(tty, f, buf, c);
		if (w < 0)
			return done ? (ssize_t)done : w;
		done += (size_t)w;
		if ((size_t)w < c)
			break;
	}
	return (ssize_t)done;
}

static __poll_t tty_poll(struct file *f, struct poll_table *pt)
{
	struct tty *tty = file_tty(f);
	__poll_t mask = 0;

	poll_wait(f, &tty->read_wait, pt);
	poll_wait(f, &tty->write_wait, pt);
	if (tty_file_hung(f))
		return EPOLLIN | EPOLLOUT | EPOLLERR | EPOLLHUP |
		       EPOLLRDNORM | EPOLLWRNORM;
	if (n_tty_readable(tty, true))
		mask |= EPOLLIN | EPOLLRDNORM;
	if (tty_writable(f))
		mask |= EPOLLOUT | EPOLLWRNORM;
	return mask;
}

static long tty_ioctl(struct file *f, unsigned int cmd, unsigned long arg)
{
	struct tty *tty = file_tty(f);
	long r;

	if (tty_file_hung(f))
		return cmd == TIOCSPGRP ? -ENOTTY : -EIO;
	if (tty->ops->ioctl) {
		r = tty->ops->ioctl(tty, f, cmd, arg);
		if (r != -ENOIOCTLCMD)
			return r;
	}
	return tty_ioctl_common(tty, f, cmd, arg);
}

const struct file_operations tty_fops = {
	.read = tty_read,
	.write = tty_write,
	.poll = tty_poll,
	.ioctl = tty_ioctl,
	.llseek = no_llseek,
	.release = tty_release,
};
