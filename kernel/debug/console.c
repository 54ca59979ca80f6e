/*
 * The console list behind printk. See <keel/console.h> for the rules.
 */
#include <keel/console.h>

static struct console *console_list;  /* [boot only] see console.h */

void console_register(struct console *con)
{
	struct console **pp = &console_list;

	while (*pp)
		pp = &(*pp)->next;
	con->next = NULL;
	*pp = con;
}

void console_write_all(const char *s, size_t len)
{
	struct console *c;

	for (c = console_list; c; c = c->next)
		c->write(c, s, len);
}
