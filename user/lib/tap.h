/*
 * tap.h - TAP output for Keel's user-space conformance tests.
 *
 * Every test program is a static musl binary that prints TAP (version 13
 * subset) on stdout and must pass on Linux as well as on Keel:
 *
 *	#include "tap.h"
 *
 *	int main(void)
 *	{
 *		tap_plan(3);
 *		tap_ok(getpid() > 0, "getpid returns a positive pid");
 *		tap_is_int(close(-1), -1, "close(-1) fails");
 *		tap_is_errno(close(-1), EBADF, "close(-1) sets EBADF");
 *		return tap_done();
 *	}
 *
 * tap_is_errno(expr, E, ...) checks that expr returned -1 and errno == E.
 * A failed check prints "# " diagnostics with file:line and both values.
 * tap_done() returns the exit status (0 when every planned test passed and
 * the count matches the plan), so main can return it. Output is unbuffered
 * (write(2) per line) so a crash loses no finished result, and results from
 * a forked child are not duplicated through stdio buffers.
 *
 * Test names should be short sentences saying what is expected; the runner
 * reports them as <area>/<program>/<number> with the name.
 */
#ifndef KEEL_USER_TAP_H
#define KEEL_USER_TAP_H

#include <errno.h>
#include <stdarg.h>
#include <string.h>

void tap_plan(int n);
/* Skip the whole program (e.g. the feature is absent): prints "1..0 # SKIP". */
void tap_skip_all(const char *reason, ...) __attribute__((noreturn, format(printf, 1, 2)));
/* Record one result; return cond. */
int tap_ok_at(int cond, const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
int tap_is_long_at(long got, long want, const char *file, int line,
		   const char *fmt, ...) __attribute__((format(printf, 5, 6)));
int tap_is_str_at(const char *got, const char *want, const char *file,
		  int line, const char *fmt, ...) __attribute__((format(printf, 5, 6)));
int tap_is_errno_at(long ret, int saved_errno, int want_errno,
		    const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));
/* Skip the next @n planned tests with a reason. */
void tap_skip(int n, const char *reason, ...) __attribute__((format(printf, 2, 3)));
/* Print a "# " diagnostic line. */
void tap_diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Abort the program: "Bail out! reason", exit status 2. */
void tap_bail(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));
int tap_done(void);

#define tap_ok(cond, ...) tap_ok_at(!!(cond), __FILE__, __LINE__, __VA_ARGS__)
#define tap_is_int(got, want, ...) \
	tap_is_long_at((long)(got), (long)(want), __FILE__, __LINE__, __VA_ARGS__)
#define tap_is_str(got, want, ...) \
	tap_is_str_at((got), (want), __FILE__, __LINE__, __VA_ARGS__)
/* Evaluates expr once, capturing errno right after it. */
#define tap_is_errno(expr, want_errno, ...)                                  \
	({                                                                   \
		errno = 0;                                                   \
		long __r = (long)(expr);                                     \
		int __e = errno;                                             \
		tap_is_errno_at(__r, __e, (want_errno), __FILE__, __LINE__,  \
				__VA_ARGS__);                                \
	})

#endif /* KEEL_USER_TAP_H */
