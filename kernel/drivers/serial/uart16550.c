/*
 * 16550 UART driver, polled. Used as the boot console from the first line;
 * the TTY issue adds interrupt-driven input on top.
 *
 * Registers (offsets in register units): 0 data / divisor low, 1 interrupt
 * enable / divisor high, 2 FIFO control, 3 line control (bit 7 = DLAB),
 * 4 modem control, 5 line status, 7 scratch.
 */
#include <keel/arch.h>
#include <keel/console.h>
#include <keel/errno.h>
#include <keel/uart16550.h>

enum {
	UART_DATA = 0, UART_IER = 1, UART_FCR = 2, UART_LCR = 3,
	UART_MCR = 4, UART_LSR = 5, UART_SCR = 7,
};

#define UART_LSR_DR   0x01   /* data ready */
#define UART_IER_RDI  0x01   /* interrupt when received data is ready */
#define UART_LSR_THRE 0x20   /* transmit holding register empty */
#define UART_LCR_DLAB 0x80
#define UART_TX_SPINS 100000 /* give up on a wedged UART rather than hang */

static u8 uart_in(struct uart16550 *u, unsigned int reg)
{
	if (u->mmio)
		return *(volatile u8 *)(u->base + (reg << u->reg_shift));
#ifdef ARCH_HAS_PORT_IO
	return arch_pio_read8(u->base + reg);
#else
	return 0xff;
#endif
}

static void uart_out(struct uart16550 *u, unsigned int reg, u8 v)
{
	if (u->mmio) {
		*(volatile u8 *)(u->base + (reg << u->reg_shift)) = v;
		return;
	}
#ifdef ARCH_HAS_PORT_IO
	arch_pio_write8(u->base + reg, v);
#endif
}

void uart16550_putc(struct uart16550 *u, char c)
{
	int i;

	for (i = 0; i < UART_TX_SPINS; i++) {
		if (uart_in(u, UART_LSR) & UART_LSR_THRE)
			break;
		arch_cpu_relax();
	}
	uart_out(u, UART_DATA, (u8)c);
}

void uart16550_set_rx_irq(struct uart16550 *u, bool on)
{
	uart_out(u, UART_IER, on ? UART_IER_RDI : 0);
}

int uart16550_getc(struct uart16550 *u)
{
	if (!(uart_in(u, UART_LSR) & UART_LSR_DR))
		return -1;
	return uart_in(u, UART_DATA);
}

static void uart_console_write(struct console *con, const char *s, size_t len)
{
	struct uart16550 *u = con->data;
	size_t i;

	for (i = 0; i < len; i++) {
		if (s[i] == '\n')
			uart16550_putc(u, '\r');
		uart16550_putc(u, s[i]);
	}
}

int uart16550_init(struct uart16550 *u)
{
	uart_out(u, UART_SCR, 0x5a);
	if (uart_in(u, UART_SCR) != 0x5a)
		return -ENODEV;
	uart_out(u, UART_IER, 0x00);
	uart_out(u, UART_LCR, UART_LCR_DLAB);
	uart_out(u, UART_DATA, 1);           /* divisor 1: 115200 baud */
	uart_out(u, UART_IER, 0);
	uart_out(u, UART_LCR, 0x03);         /* 8N1 */
	uart_out(u, UART_FCR, 0xc7);         /* FIFOs on and cleared, 14-byte trigger */
	uart_out(u, UART_MCR, 0x0b);         /* DTR, RTS, OUT2 */
	u->present = true;
	u->con.name = "ttyS0";
	u->con.write = uart_console_write;
	u->con.data = u;
	return 0;
}
