/*
 * The console devices: /dev/console (5, 1) and /dev/ttyS0 (4, 64), and
 * /dev/tty (5, 0), the caller's controlling terminal. A small raw driver:
 * the TTY layer will later put a line discipline between it and users.
 *
 * No process has a controlling terminal yet (sessions acquire one with the
 * TTY issue's TIOCSCTTY), so opening /dev/tty fails with ENXIO, which is
 * what Linux answers a process without one.
 *
 * Output goes to every kernel console (console_write_all). Input is the
 * bytes received by COM1, read by polling: a reader with nothing to read
 * sleeps interruptibly for CONSOLE_POLL_NS and looks again, so it costs a
 * wake-up per tick while waiting and nothing otherwise (an interrupt-
 * driven receive path belongs to the TTY issue). read returns as soon as
 * at least one byte is there (raw mode), -EAGAIN with O_NONBLOCK, and
 * -ERESTARTSYS when a signal arrives first.
 */
#include <keel/console.h>
#include <keel/printk.h>
#include <keel/sched.h>
#include <keel/uaccess.h>
#include <keel/uart16550.h>

#include "internal.h"

#define CONSOLE_POLL_NS (10 * 1000 * 1000ULL)
#define CONSOLE_CHUNK   256

static struct uart16550 console_uart = {
	.base = UART_COM1_PORT,
	.present = true,
};
static DEFINE_SPINLOCK(console_in_lock);

/* Up to @n received bytes into @buf. Return: the count. */
static size_t console_rx(char *buf, size_t n)
{
	size_t got = 0;
	int c;

	spin_lock(&console_in_lock);
	while (got < n && (c = uart16550_getc(&console_uart)) >= 0)
		buf[got++] = (char)(c == '\r' ? '\n' : c);
	spin_unlock(&console_in_lock);
	return got;
}

static ssize_t console_read(struct file *f, char __user *ubuf, size_t n,
			    loff_t *pos)
{
	char buf[CONSOLE_CHUNK];
	size_t got;

	if (!n)
		return 0;
	for (;;) {
		got = console_rx(buf, MIN(n, sizeof(buf)));
		if (got)
			break;
		if (f->f_flags & O_NONBLOCK)
			return -EAGAIN;
		if (current->signal_pending)
			return -ERESTARTSYS;
		set_current_state(THREAD_INTERRUPTIBLE);
		schedule_timeout(CONSOLE_POLL_NS);
	}
	if (copy_to_user(ubuf, buf, got))
		return -EFAULT;
	return (ssize_t)got;
}

static ssize_t console_write(struct file *f, const char __user *ubuf,
			     size_t n, loff_t *pos)
{
	char buf[CONSOLE_CHUNK];
	size_t done = 0;

	while (done < n) {
		size_t c = MIN(n - done, sizeof(buf));
		unsigned long left = copy_from_user(buf, ubuf + done, c);

		console_write_user(buf, c - left);
		done += c - left;
		if (left)
			return done ? (ssize_t)done : -EFAULT;
	}
	return (ssize_t)done;
}

static __poll_t console_poll(struct file *f, struct poll_table *pt)
{
	return EPOLLOUT | EPOLLWRNORM;  /* input readiness: see the head */
}

static const struct file_operations console_fops = {
	.read = console_read,
	.write = console_write,
	.poll = console_poll,
	.llseek = no_llseek,
};

static int tty_open(struct inode *inode, struct file *f)
{
	return -ENXIO;          /* no controlling terminal (see the file head) */
}

static const struct file_operations tty_fops = {
	.open = tty_open,
};

void console_devices_init(void)
{
	chrdev_register(5, 0, 1, "tty", &tty_fops);
	chrdev_register(5, 1, 1, "console", &console_fops);
	chrdev_register(4, 64, 1, "ttyS", &console_fops);
}
