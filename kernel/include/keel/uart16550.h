/*
 * 16550-compatible UART: COM ports on PCs, and MMIO UARTs on other machines.
 */
#ifndef KEEL_UART16550_H
#define KEEL_UART16550_H

#include <keel/console.h>
#include <keel/types.h>

#define UART_COM1_PORT 0x3f8

struct uart16550 {
	unsigned long base;     /* I/O port, or MMIO address */
	bool mmio;
	unsigned int reg_shift; /* MMIO register spacing: 1 << reg_shift */
	bool present;
	struct console con;
};

/*
 * uart16550_init - program 115200 8N1, FIFOs on, interrupts off, and check
 * the UART answers (scratch register). Return: 0, or -ENODEV if absent.
 */
int uart16550_init(struct uart16550 *u);
void uart16550_putc(struct uart16550 *u, char c);
/* Return the next received byte, or -1 when none is waiting. */
int uart16550_getc(struct uart16550 *u);
/*
 * uart16550_set_rx_irq - raise the UART's interrupt when a received byte
 * is waiting (@on), or never. The handler empties the receiver with
 * uart16550_getc, which acknowledges it. Context: any.
 */
void uart16550_set_rx_irq(struct uart16550 *u, bool on);

#endif /* KEEL_UART16550_H */
