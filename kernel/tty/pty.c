/*
 * Unix98 pseudo-terminals (man 4 pts, man 7 pty): opening /dev/ptmx
 * (5, 2) makes a pair, a master file and a slave tty /dev/pts/N
 * (136, N), N the lowest free index.
 *
 * The slave is a full tty (tty_core.c, n_tty.c) whose driver queues its
 * processed output in a ring the master reads. The master is no tty of
 * its own: writing it is input for the slave's line discipline
 * (tty_receive), and it answers the terminal ioctls a terminal emulator
 * needs (its own raw termios, the slave's window size and foreground
 * group, TIOCGPTN, TIOCSPTLCK/TIOCGPTLCK, TIOCGPTPEER), and TIOCPKT:
 * in packet mode every master read starts with a status byte,
 * TIOCPKT_DATA before data, or alone the flush/stop/start events of the
 * slave since the last read.
 *
 * Lifetime: the master holds the slave tty's first reference and every
 * slave file one more; the pair is freed with the last. Closing the
 * master hangs the slave up and removes /dev/pts/N; closing the last
 * slave file makes master reads fail with EIO (once drained) and poll
 * POLLHUP, until a slave is opened again.
 *
 * Locking: pty->lock (spinlock, taken under the slave's tty->lock on
 * output) guards the ring and the flags; pty_table_lock (mutex) the
 * index table. [I] immutable after creation.
 */
#include <keel/err.h>
#include <keel/poll.h>
#include <keel/slab.h>
#include <keel/sprintf.h>
#include <keel/string.h>
#include <keel/task.h>
#include <keel/uaccess.h>

#include "tty_internal.h"

#define PTY_BUF_SIZE 4096               /* a power of two */
#define PTY_CHUNK    256

struct pty {
	unsigned int index;             /* [I] */
	bool ready;                     /* [pty_table_lock] set up, node made:
					   pts_open may use it */
	struct tty slave;               /* the slave side */
	struct spinlock lock;
	u8 obuf[PTY_BUF_SIZE];          /* [lock] slave output */
	size_t ohead, otail;            /* [lock] */
	bool locked;                    /* [lock] TIOCSPTLCK */
	bool other_closed;              /* [lock] every slave file closed */
	bool master_closed;             /* [lock] */
	bool packet;                    /* [lock] TIOCPKT mode */
	u8 pktstatus;                   /* [lock] TIOCPKT_* events not read */
	struct termios mtermios;        /* [slave.lock] the master's own */
	struct wait_queue_head mwait;   /* master readers and writers */
};

static DEFINE_MUTEX(pty_table_lock);
static struct pty *pty_table[PTY_MAX];  /* [pty_table_lock] */

static struct pty *pty_of(struct tty *tty)
{
	return container_of(tty, struct pty, slave);
}

static size_t ring_count(struct pty *pty)
{
	return pty->ohead - pty->otail;
}

/* ---- the slave's driver --------------------------------------------------- */

static size_t pty_write(struct tty *tty, const u8 *buf, size_t n)
{
	struct pty *pty = pty_of(tty);
	size_t i;

	spin_lock(&pty->lock);
	if (pty->master_closed)
		n = 0;          /* nobody will read it */
	for (i = 0; i < n && ring_count(pty) < PTY_BUF_SIZE; i++)
		pty->obuf[pty->ohead++ & (PTY_BUF_SIZE - 1)] = buf[i];
	spin_unlock(&pty->lock);
	wake_up_poll(&pty->mwait, EPOLLIN | EPOLLRDNORM);
	return n ? i : n;
}

static size_t pty_write_room(struct tty *tty)
{
	struct pty *pty = pty_of(tty);
	size_t room;

	spin_lock(&pty->lock);
	room = pty->master_closed ? PTY_BUF_SIZE :
	       PTY_BUF_SIZE - ring_count(pty);
	spin_unlock(&pty->lock);
	return room;
}

static size_t pty_chars_in_buffer(struct tty *tty)
{
	struct pty *pty = pty_of(tty);
	size_t n;

	spin_lock(&pty->lock);
	n = pty->master_closed ? 0 : ring_count(pty);
	spin_unlock(&pty->lock);
	return n;
}

/* Record packet-mode event @set (clearing @clear) for the master. */
static void pty_pkt_event(struct pty *pty, u8 set, u8 clear)
{
	bool wake;

	spin_lock(&pty->lock);
	wake = pty->packet;
	if (wake)
		pty->pktstatus = (u8)((pty->pktstatus & ~clear) | set);
	spin_unlock(&pty->lock);
	if (wake)
		wake_up_poll(&pty->mwait, EPOLLIN | EPOLLPRI);
}

static void pty_ring_clear(struct pty *pty)
{
	spin_lock(&pty->lock);
	pty->otail = pty->ohead;
	spin_unlock(&pty->lock);
}

static void pty_flush_output(struct tty *tty)
{
	pty_ring_clear(pty_of(tty));
	pty_pkt_event(pty_of(tty), TIOCPKT_FLUSHWRITE, 0);
}

static void pty_flush_input(struct tty *tty)
{
	pty_pkt_event(pty_of(tty), TIOCPKT_FLUSHREAD, 0);
}

static void pty_stop(struct tty *tty, bool stopped)
{
	pty_pkt_event(pty_of(tty), stopped ? TIOCPKT_STOP : TIOCPKT_START,
		      TIOCPKT_STOP | TIOCPKT_START);
}

/* Is ^S/^Q flow control in force (what a packet-mode reader mirrors)? */
static bool pty_std_flow(const struct termios *t)
{
	return (t->c_iflag & IXON) && t->c_cc[VSTOP] == '\023' &&
	       t->c_cc[VSTART] == '\021';
}

static void pty_set_termios(struct tty *tty, const struct termios *old)
{
	bool now = pty_std_flow(&tty->termios);

	if (now != pty_std_flow(old))
		pty_pkt_event(pty_of(tty), now ? TIOCPKT_DOSTOP :
			      TIOCPKT_NOSTOP, TIOCPKT_DOSTOP | TIOCPKT_NOSTOP);
}

static void pty_unthrottle(struct tty *tty)
{
	wake_up_poll(&pty_of(tty)->mwait, EPOLLOUT | EPOLLWRNORM);
}

/*
 * other_closed follows the open count: both change under tty->lock, so
 * an open racing with the last close leaves it right either way.
 */
static int pty_slave_open(struct tty *tty, struct file *f)
{
	struct pty *pty = pty_of(tty);

	mutex_lock(&tty->lock);
	spin_lock(&pty->lock);
	pty->other_closed = false;
	spin_unlock(&pty->lock);
	mutex_unlock(&tty->lock);
	return 0;
}

static void pty_slave_close(struct tty *tty, struct file *f)
{
	struct pty *pty = pty_of(tty);
	bool last;

	mutex_lock(&tty->lock);
	last = tty->opens == 0;
	if (last) {
		spin_lock(&pty->lock);
		pty->other_closed = true;
		spin_unlock(&pty->lock);
	}
	mutex_unlock(&tty->lock);
	if (!last)
		return;
	wake_up_poll(&pty->mwait, EPOLLIN | EPOLLHUP);
}

static void pty_destroy(struct tty *tty)
{
	kfree(pty_of(tty));
}

static const struct tty_ops pty_slave_ops = {
	.write = pty_write,
	.write_room = pty_write_room,
	.chars_in_buffer = pty_chars_in_buffer,
	.flush_output = pty_flush_output,
	.unthrottle = pty_unthrottle,
	.flush_input = pty_flush_input,
	.stop = pty_stop,
	.set_termios = pty_set_termios,
	.open = pty_slave_open,
	.close = pty_slave_close,
	.destroy = pty_destroy,
};

/* ---- the master file --------------------------------------------------- */

static bool master_readable(struct pty *pty)
{
	return READ_ONCE(pty->ohead) != READ_ONCE(pty->otail) ||
	       READ_ONCE(pty->other_closed) ||
	       (READ_ONCE(pty->packet) && READ_ONCE(pty->pktstatus));
}

static ssize_t ptm_read(struct file *f, char __user *ubuf, size_t n,
			loff_t *pos)
{
	struct pty *pty = f->private_data;
	u8 buf[PTY_CHUNK];
	size_t got;

	if (!n)
		return 0;
	for (;;) {
		spin_lock(&pty->lock);
		got = 0;
		if (pty->packet && pty->pktstatus) {
			buf[got++] = pty->pktstatus;    /* alone */
			pty->pktstatus = 0;
			spin_unlock(&pty->lock);
			break;
		}
		if (pty->packet && ring_count(pty))
			buf[got++] = TIOCPKT_DATA;
		for (; got < MIN(n, sizeof(buf)) && ring_count(pty); got++)
			buf[got] = pty->obuf[pty->otail++ & (PTY_BUF_SIZE - 1)];
		if (!got && pty->other_closed) {
			spin_unlock(&pty->lock);
			return -EIO;
		}
		spin_unlock(&pty->lock);
		if (got)
			break;
		if (f->f_flags & O_NONBLOCK)
			return -EAGAIN;
		if (wait_event_interruptible(&pty->mwait,
					     master_readable(pty)))
			return -ERESTARTSYS;
	}
	tty_wakeup_writers(&pty->slave);
	if (copy_to_user(ubuf, buf, got))
		return -EFAULT;
	return (ssize_t)got;
}

static ssize_t ptm_write(struct file *f, const char __user *ubuf, size_t n,
			 loff_t *pos)
{
	struct pty *pty = f->private_data;
	u8 buf[PTY_CHUNK];
	size_t done = 0;

	while (done < n) {
		size_t c = MIN(n - done, sizeof(buf)), off = 0;

		if (copy_from_user(buf, ubuf + done, c))
			return done ? (ssize_t)done : -EFAULT;
		while (off < c) {
			size_t k = tty_receive(&pty->slave, buf + off, c - off);

			off += k;
			if (k)
				continue;
			if (f->f_flags & O_NONBLOCK)
				return done + off ? (ssize_t)(done + off) :
				       -EAGAIN;
			if (wait_event_interruptible(&pty->mwait,
					tty_input_room(&pty->slave) > 0))
				return done + off ? (ssize_t)(done + off) :
				       -ERESTARTSYS;
		}
		done += c;
	}
	return (ssize_t)done;
}

static __poll_t ptm_poll(struct file *f, struct poll_table *pt)
{
	struct pty *pty = f->private_data;
	__poll_t mask = 0;

	poll_wait(f, &pty->mwait, pt);
	spin_lock(&pty->lock);
	if (ring_count(pty))
		mask |= EPOLLIN | EPOLLRDNORM;
	if (pty->other_closed)
		mask |= EPOLLIN | EPOLLRDNORM | EPOLLHUP;
	if (pty->packet && pty->pktstatus)
		mask |= EPOLLPRI | EPOLLIN | EPOLLRDNORM;
	spin_unlock(&pty->lock);
	if (tty_input_room(&pty->slave))
		mask |= EPOLLOUT | EPOLLWRNORM;
	return mask;
}

static int ptm_release(struct inode *inode, struct file *f)
{
	struct pty *pty = f->private_data;

	/* The node goes before the index is free: a new pty taking the
	 * index must never find the old node (or its own removed). */
	devpts_remove(pty->index);
	mutex_lock(&pty_table_lock);
	pty_table[pty->index] = NULL;
	mutex_unlock(&pty_table_lock);
	spin_lock(&pty->lock);
	pty->master_closed = true;
	pty->otail = pty->ohead;
	spin_unlock(&pty->lock);
	tty_hangup(&pty->slave);
	tty_put(&pty->slave);
	return 0;
}

/* The ioctls only a master answers. */
static long ptm_own_ioctl(struct pty *pty, struct file *f, unsigned int cmd,
			  unsigned long arg)
{
	void __user *up = (void __user *)arg;
	struct termios t;
	struct termio o;
	struct file *peer;
	int v, fd;

	switch (cmd) {
	case TIOCGPTN:
		return put_user(pty->index, (unsigned int __user *)up);
	case TIOCSPTLCK:
		if (get_user(v, (int __user *)up))
			return -EFAULT;
		spin_lock(&pty->lock);
		pty->locked = v != 0;
		spin_unlock(&pty->lock);
		return 0;
	case TIOCGPTLCK:
		return put_user((int)READ_ONCE(pty->locked), (int __user *)up);
	case TIOCPKT:
		if (get_user(v, (int __user *)up))
			return -EFAULT;
		spin_lock(&pty->lock);
		if (v && !pty->packet)
			pty->pktstatus = 0;
		pty->packet = v != 0;
		spin_unlock(&pty->lock);
		return 0;
	case TIOCGPKT:
		return put_user((int)READ_ONCE(pty->packet), (int __user *)up);
	case TIOCGPTPEER:
		if (arg & ~(unsigned long)(O_ACCMODE | O_NOCTTY | O_NONBLOCK |
					   O_CLOEXEC))
			return -EINVAL;
		if (READ_ONCE(pty->locked))
			return -EIO;
		peer = devpts_open_slave(pty->index, (int)arg);
		if (IS_ERR(peer))
			return PTR_ERR(peer);
		fd = fd_install_new(peer, (int)arg);
		if (fd < 0)
			fput(peer);
		return fd;
	case FIONREAD:
		spin_lock(&pty->lock);
		v = (int)ring_count(pty);
		spin_unlock(&pty->lock);
		return put_user(v, (int __user *)up);
	case TIOCOUTQ:
		return put_user(0, (int __user *)up);
	case TCGETS:
		mutex_lock(&pty->slave.lock);
		t = pty->mtermios;
		mutex_unlock(&pty->slave.lock);
		return copy_to_user(up, &t, sizeof(t)) ? -EFAULT : 0;
	case TCSETS:
	case TCSETSW:
	case TCSETSF:
		if (copy_from_user(&t, up, sizeof(t)))
			return -EFAULT;
		mutex_lock(&pty->slave.lock);
		pty->mtermios = t;
		mutex_unlock(&pty->slave.lock);
		return 0;
	case TCGETA:
		mutex_lock(&pty->slave.lock);
		tty_termio_get(&pty->mtermios, &o);
		mutex_unlock(&pty->slave.lock);
		return copy_to_user(up, &o, sizeof(o)) ? -EFAULT : 0;
	case TCSETA:
	case TCSETAW:
	case TCSETAF:
		if (copy_from_user(&o, up, sizeof(o)))
			return -EFAULT;
		mutex_lock(&pty->slave.lock);
		tty_termio_merge(&pty->mtermios, &o);
		mutex_unlock(&pty->slave.lock);
		return 0;
	case TCFLSH:
		if (arg > TCIOFLUSH)
			return -EINVAL;
		if (arg != TCOFLUSH)
			pty_ring_clear(pty);
		if (arg != TCIFLUSH) {
			mutex_lock(&pty->slave.lock);
			n_tty_flush_input(&pty->slave);
			mutex_unlock(&pty->slave.lock);
		}
		tty_wakeup_writers(&pty->slave);
		return 0;
	case TCSBRK:
	case TCSBRKP:
		return 0;
	}
	return -ENOIOCTLCMD;
}

static long ptm_ioctl(struct file *f, unsigned int cmd, unsigned long arg)
{
	struct pty *pty = f->private_data;
	struct winsize ws;
	long r = ptm_own_ioctl(pty, f, cmd, arg);

	if (r != -ENOIOCTLCMD)
		return r;
	switch (cmd) {
	case TIOCGWINSZ:
		mutex_lock(&pty->slave.lock);
		ws = pty->slave.winsize;
		mutex_unlock(&pty->slave.lock);
		return copy_to_user((void __user *)arg, &ws, sizeof(ws)) ?
		       -EFAULT : 0;
	case TIOCSWINSZ:
		if (copy_from_user(&ws, (void __user *)arg, sizeof(ws)))
			return -EFAULT;
		tty_set_winsize(&pty->slave, &ws);
		return 0;
	case TIOCGPGRP:
	case TIOCSPGRP:
	case TIOCGSID:
		return tty_jobctl_ioctl(&pty->slave, f, cmd, arg);
	}
	return -ENOTTY;
}

static const struct file_operations ptm_fops = {
	.read = ptm_read,
	.write = ptm_write,
	.poll = ptm_poll,
	.ioctl = ptm_ioctl,
	.llseek = no_llseek,
	.release = ptm_release,
};

/* ---- opening ------------------------------------------------------------- */

static int pty_alloc_index(struct pty *pty)
{
	int i;

	mutex_lock(&pty_table_lock);
	for (i = 0; i < PTY_MAX; i++) {
		if (!pty_table[i]) {
			pty_table[i] = pty;
			pty->index = (unsigned int)i;
			break;
		}
	}
	mutex_unlock(&pty_table_lock);
	return i < PTY_MAX ? 0 : -ENOSPC;
}

int ptmx_open(struct inode *inode, struct file *f)
{
	struct pty *pty = kzalloc(sizeof(*pty), GFP_KERNEL);
	char name[16];
	int err;

	if (!pty)
		return -ENOMEM;
	spin_lock_init(&pty->lock);
	init_waitqueue_head(&pty->mwait);
	pty->locked = true;
	err = pty_alloc_index(pty);
	if (err) {
		kfree(pty);
		return err;
	}
	snprintf(name, sizeof(name), "pts/%u", pty->index);
	tty_init(&pty->slave, &pty_slave_ops,
		 MKDEV(UNIX98_PTY_SLAVE_MAJOR, pty->index), name);
	pty->slave.flags |= TTY_IS_PTY;
	pty->slave.termios.c_cflag = B38400 | CS8 | CREAD;     /* no HUPCL */
	/* Linux's master termios: raw, 8 bits, no echo. */
	pty->mtermios = tty_std_termios;
	pty->mtermios.c_iflag = 0;
	pty->mtermios.c_oflag = 0;
	pty->mtermios.c_lflag = 0;
	pty->mtermios.c_cflag = B38400 | CS8 | CREAD;
	err = devpts_add(pty->index, pty);
	if (err) {
		mutex_lock(&pty_table_lock);
		pty_table[pty->index] = NULL;
		mutex_unlock(&pty_table_lock);
		kfree(pty);
		return err;
	}
	f->f_op = &ptm_fops;
	f->private_data = pty;
	mutex_lock(&pty_table_lock);
	pty->ready = true;
	mutex_unlock(&pty_table_lock);
	return 0;
}

int pts_open(struct inode *inode, struct file *f)
{
	unsigned int index = MINOR(inode->i_rdev);
	struct pty *pty = NULL;
	int err;

	mutex_lock(&pty_table_lock);
	if (index < PTY_MAX)
		pty = pty_table[index];
	if (pty && !pty->ready)
		pty = NULL;             /* still being set up by ptmx_open */
	if (pty)
		tty_get(&pty->slave);
	mutex_unlock(&pty_table_lock);
	if (!pty)
		return -EIO;
	err = READ_ONCE(pty->locked) ? -EIO : tty_file_open(&pty->slave, f);
	tty_put(&pty->slave);
	return err;
}

static const struct file_operations ptmx_fops = {
	.open = ptmx_open,
};

static const struct file_operations pts_fops = {
	.open = pts_open,
};

void pty_init(void)
{
	chrdev_register(5, 2, 1, "ptmx", &ptmx_fops);
	chrdev_register(UNIX98_PTY_SLAVE_MAJOR, 0, PTY_MAX, "pts", &pts_fops);
}
