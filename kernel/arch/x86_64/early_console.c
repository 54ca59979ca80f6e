/*
 * The x86_64 boot console: COM1, registered before anything is printed.
 */
#include <keel/console.h>
#include <keel/uart16550.h>
#include <asm/x86.h>

static struct uart16550 com1 = { .base = UART_COM1_PORT };

void x86_early_console_init(void)
{
	if (uart16550_init(&com1) == 0)
		console_register(&com1.con);
}
