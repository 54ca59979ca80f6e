/*
 * Kernel symbol table: function names for addresses, linked into the image
 * by a second link pass (tools/ksyms.py). Used by backtraces and %pS.
 */
#ifndef KEEL_KSYMS_H
#define KEEL_KSYMS_H

#include <keel/types.h>

/*
 * ksym_lookup - find the function containing @addr.
 * @offset: set to @addr minus the function start
 * @size:   set to the function's size (distance to the next symbol)
 * Return: the name, or NULL when @addr is in no known function.
 * Context: any; the table is read-only.
 */
const char *ksym_lookup(unsigned long addr, unsigned long *offset,
			unsigned long *size);

/*
 * ksym_address - address of the function called @name, 0 if there is none.
 * A linear search: for tests and debugging, not for hot paths.
 */
unsigned long ksym_address(const char *name);

/* Format "name+0xoff/0xsize" (or the bare address) like %pS does. */
int ksym_snprint(char *buf, size_t size, unsigned long addr);

#endif /* KEEL_KSYMS_H */
