/*
 * The serial console as a terminal: /dev/ttyS0 (4, 64) and /dev/console
 * (5, 1) are one struct tty on COM1, plus the registration of every tty
 * device number (tty_devices_init).
 *
 * Input is interrupt driven: the received-data interrupt (ISA IRQ 4)
 * empties the UART's FIFO into a small ring and queues a work item, which
 * feeds the line discipline in process context, where it may take
 * tty->lock and send signals. If the interrupt cannot be had, a delayed
 * work item polls the UART every SERIAL_POLL_MS instead.
 *
 * Output goes through console_write_user (the log lock), so program
 * output and kernel messages do not interleave inside a line. Consoles
 * turn "\n" into "\r\n" themselves, so the "\r" that ONLCR put in front
 * of a "\n" is dropped here rather than sent twice.
 *
 * Locking: rx_lock (spinlock, interrupts saved) guards the ring; it is
 * taken in the interrupt handler and by the work item, with nothing
 * nested.
 */
#include <keel/irq.h>
#include <keel/printk.h>
#include <keel/spinlock.h>
#include <keel/uart16550.h>
#include <keel/workqueue.h>

#include "tty_internal.h"

#define SERIAL_IRQ      4
#define SERIAL_RX_SIZE  1024            /* a power of two */
#define SERIAL_POLL_MS  20

static struct uart16550 serial_uart = {
	.base = UART_COM1_PORT,
};
static struct tty serial_tty;

static DEFINE_SPINLOCK(rx_lock);
static u8 rx_ring[SERIAL_RX_SIZE];      /* [rx_lock] */
static size_t rx_head, rx_tail;         /* [rx_lock] */
static bool rx_polling;                 /* [I] no interrupt: poll */

static struct work_struct rx_work;
static struct delayed_work rx_poll_work;

/* Move what the UART holds into the ring. Context: any. */
static size_t serial_drain_uart(void)
{
	unsigned long flags;
	size_t n = 0;
	int c;

	flags = spin_lock_irqsave(&rx_lock);
	/* Bounded: a wedged or absent UART may claim data forever. */
	while (n < SERIAL_RX_SIZE && (c = uart16550_getc(&serial_uart)) >= 0) {
		if (rx_head - rx_tail < SERIAL_RX_SIZE)
			rx_ring[rx_head++ & (SERIAL_RX_SIZE - 1)] = (u8)c;
		n++;            /* overruns are dropped, like a FIFO's */
	}
	spin_unlock_irqrestore(&rx_lock, flags);
	return n;
}

static enum irq_return serial_irq(unsigned int irq, void *data)
{
	if (!serial_drain_uart())
		return IRQ_NONE;
	schedule_work(&rx_work);
	return IRQ_HANDLED;
}

/* The work item: the ring into the line discipline. */
static void serial_rx_work(struct work_struct *w)
{
	u8 buf[64];
	size_t n, off;
	unsigned long flags;

	for (;;) {
		flags = spin_lock_irqsave(&rx_lock);
		for (n = 0; n < sizeof(buf) && rx_tail != rx_head; n++)
			buf[n] = rx_ring[rx_tail++ & (SERIAL_RX_SIZE - 1)];
		spin_unlock_irqrestore(&rx_lock, flags);
		if (!n)
			break;
		/* A full raw-mode buffer drops the rest, as a UART would. */
		for (off = 0; off < n;) {
			size_t k = tty_receive(&serial_tty, buf + off, n - off);

			if (!k)
				break;
			off += k;
		}
	}
}

static void serial_poll_work(struct work_struct *w)
{
	serial_drain_uart();
	serial_rx_work(NULL);
	schedule_delayed_work(&rx_poll_work,
			      (u64)SERIAL_POLL_MS * 1000 * 1000);
}

/* ---- the driver ------------------------------------------------------ */

static size_t serial_write(struct tty *tty, const u8 *buf, size_t n)
{
	char out[256];
	size_t i, len = 0;

	for (i = 0; i < n; i++) {
		if (buf[i] == '\r' && i + 1 < n && buf[i + 1] == '\n')
			continue;       /* the console adds it back */
		out[len++] = (char)buf[i];
		if (len == sizeof(out)) {
			console_write_user(out, len);
			len = 0;
		}
	}
	if (len)
		console_write_user(out, len);
	return n;
}

static size_t serial_write_room(struct tty *tty)
{
	return 4096;    /* console_write_user is synchronous */
}

static const struct tty_ops serial_ops = {
	.write = serial_write,
	.write_room = serial_write_room,
};

static int serial_open(struct inode *inode, struct file *f)
{
	return tty_file_open(&serial_tty, f);
}

static const struct file_operations serial_fops = {
	.open = serial_open,
};

static void serial_tty_init(void)
{
	tty_init(&serial_tty, &serial_ops, MKDEV(4, 64), "ttyS0");
	INIT_WORK(&rx_work, serial_rx_work);
	INIT_DELAYED_WORK(&rx_poll_work, serial_poll_work);
	chrdev_register(4, 64, 1, "ttyS", &serial_fops);
	chrdev_register(5, 1, 1, "console", &serial_fops);
	if (uart16550_init(&serial_uart)) {
		pr_warn("tty: no UART at COM1, ttyS0 has no input\n");
		return;
	}
	if (irq_request(SERIAL_IRQ, serial_irq, 0, "ttyS0", &serial_tty)) {
		pr_warn("tty: no IRQ %d for ttyS0, polling its input\n",
			SERIAL_IRQ);
		rx_polling = true;
		schedule_delayed_work(&rx_poll_work,
				      (u64)SERIAL_POLL_MS * 1000 * 1000);
		return;
	}
	uart16550_set_rx_irq(&serial_uart, true);
	serial_drain_uart();    /* what came before the interrupt was on */
	schedule_work(&rx_work);
}

/**
 * tty_devices_init - register the terminal devices: the serial tty
 * (/dev/ttyS0, /dev/console), /dev/tty, /dev/ptmx and the pty slaves,
 * and the devpts file system. Context: boot, process context.
 */
void tty_devices_init(void)
{
	serial_tty_init();
	chrdev_register(5, 0, 1, "tty", &tty_dev_fops);
	pty_init();
	devpts_init();
}
