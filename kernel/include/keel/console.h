/*
 * Consoles: where printk's lines go (serial now; framebuffer later).
 *
 * Locking: console_list is modified only during boot on one CPU before
 * console_start(); after that it is read-only. Each console's write method
 * is called with the log lock held (or during a panic, without it), so a
 * console needs no lock of its own for output.
 */
#ifndef KEEL_CONSOLE_H
#define KEEL_CONSOLE_H

#include <keel/types.h>

struct console {
	const char *name;
	/* Write @len bytes; "\n" is the line end (drivers add "\r"). */
	void (*write)(struct console *con, const char *s, size_t len);
	void *data;
	struct console *next;
};

void console_register(struct console *con);

/* Write to every registered console (called by printk). */
void console_write_all(const char *s, size_t len);

#endif /* KEEL_CONSOLE_H */
