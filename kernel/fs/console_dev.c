/*
 * The console devices: /dev/console (5, 1) and /dev/ttyS0 (4, 64), the
 * serial terminal, and /dev/tty (5, 0), the caller's controlling
 * terminal; with them /dev/ptmx (5, 2) and the pty slaves (136, N).
 *
 * They are all terminals, so the TTY layer (kernel/tty/, <keel/tty.h>)
 * registers them: the serial port is a struct tty with the N_TTY line
 * discipline and interrupt-driven input, /dev/tty opens the caller's
 * controlling terminal (ENXIO without one), and /dev/console never
 * becomes a controlling terminal by being opened (Linux's rule).
 */
#include <keel/tty.h>

#include "internal.h"

void console_devices_init(void)
{
	tty_devices_init();
}
