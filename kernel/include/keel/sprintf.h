/*
 * Formatted output into a bounded buffer.
 *
 * Conversions: d i u x X o c s p % with the flags - 0 + space #, a width and
 * a precision (either may be '*'), and the length modifiers hh h l ll z t j.
 * Numbers and strings follow ISO C. There is no floating point and no %n.
 * Kernel additions, as in Linux:
 *   %p   "0x" and every hex digit of the pointer (never hashed);
 *   %px  the same (accepted for Linux habits);
 *   %pS  symbol+offset through vsprintf_symbol_hook, or %p without a hook;
 *   %s   prints "(null)" for NULL and "(efault)" for a pointer into the
 *        first page or an ERR_PTR, instead of faulting.
 * An unknown conversion is copied to the output as written.
 *
 * Return values are Linux's: the snprintf family returns the length the
 * whole output would have had (excluding the NUL), the scnprintf family the
 * number of characters actually stored. Whenever @size > 0 the buffer is
 * NUL-terminated; with @size == 0, @buf may be NULL and is not touched.
 * A @size above INT_MAX is a caller bug: nothing is written and 0 returned.
 *
 * Context: any; these functions use only the stack (a few hundred bytes).
 */
#ifndef KEEL_SPRINTF_H
#define KEEL_SPRINTF_H

#include <keel/compiler.h>
#include <keel/types.h>

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int snprintf(char *buf, size_t size, const char *fmt, ...) __printf(3, 4);
int vscnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int scnprintf(char *buf, size_t size, const char *fmt, ...) __printf(3, 4);

/*
 * Symbol lookup for %pS, installed by the symbol table code once it is up.
 * It formats "name+0xoff/0xsize" (or whatever it likes) for @addr into the
 * @size-byte @buf and returns the snprintf-style length, or a negative value
 * when @addr is not a known symbol (the address is then printed in hex).
 * It must not itself use %pS.
 */
extern int (*vsprintf_symbol_hook)(char *buf, size_t size, unsigned long addr);

#endif /* KEEL_SPRINTF_H */
