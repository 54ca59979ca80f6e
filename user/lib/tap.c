/*
 * TAP output for user-space tests; see tap.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "tap.h"

static int planned = -1;
static int current;
static int failed;
static int skip_left;
static char skip_reason[256];

static void tap_write(const char *s, size_t len)
{
	while (len) {
		ssize_t n = write(1, s, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		s += n;
		len -= (size_t)n;
	}
}

static void tap_vprintf(const char *fmt, va_list ap)
{
	char buf[1024];
	int n = vsnprintf(buf, sizeof(buf), fmt, ap);

	if (n < 0)
		return;
	if ((size_t)n >= sizeof(buf))
		n = sizeof(buf) - 1;
	tap_write(buf, (size_t)n);
}

static void tap_printf(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	tap_vprintf(fmt, ap);
	va_end(ap);
}

void tap_plan(int n)
{
	planned = n;
	tap_printf("1..%d\n", n);
}

void tap_skip_all(const char *fmt, ...)
{
	va_list ap;

	tap_printf("1..0 # SKIP ");
	va_start(ap, fmt);
	tap_vprintf(fmt, ap);
	va_end(ap);
	tap_printf("\n");
	exit(0);
}

void tap_diag(const char *fmt, ...)
{
	va_list ap;

	tap_printf("# ");
	va_start(ap, fmt);
	tap_vprintf(fmt, ap);
	va_end(ap);
	tap_printf("\n");
}

static int tap_result(int cond, const char *file, int line, const char *fmt,
		      va_list ap)
{
	char name[512];
	int n = ++current;

	vsnprintf(name, sizeof(name), fmt, ap);
	if (skip_left > 0) {
		skip_left--;
		tap_printf("ok %d - %s # SKIP %s\n", n, name, skip_reason);
		return 1;
	}
	if (!cond)
		failed++;
	tap_printf("%sok %d - %s\n", cond ? "" : "not ", n, name);
	if (!cond)
		tap_printf("#   failed at %s:%d\n", file, line);
	return cond;
}

int tap_ok_at(int cond, const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = tap_result(cond, file, line, fmt, ap);
	va_end(ap);
	return r;
}

int tap_is_long_at(long got, long want, const char *file, int line,
		   const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = tap_result(got == want, file, line, fmt, ap);
	va_end(ap);
	if (!r)
		tap_printf("#   got %ld, want %ld\n", got, want);
	return r;
}

int tap_is_str_at(const char *got, const char *want, const char *file,
		  int line, const char *fmt, ...)
{
	va_list ap;
	int ok = got && want && strcmp(got, want) == 0;
	int r;

	va_start(ap, fmt);
	r = tap_result(ok, file, line, fmt, ap);
	va_end(ap);
	if (!r)
		tap_printf("#   got \"%s\", want \"%s\"\n", got ? got : "(null)",
			   want ? want : "(null)");
	return r;
}

int tap_is_errno_at(long ret, int saved_errno, int want_errno,
		    const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = tap_result(ret == -1 && saved_errno == want_errno, file, line, fmt, ap);
	va_end(ap);
	if (!r)
		tap_printf("#   got return %ld errno %d (%s), want -1 errno %d (%s)\n",
			   ret, saved_errno, strerror(saved_errno), want_errno,
			   strerror(want_errno));
	return r;
}

void tap_skip(int n, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(skip_reason, sizeof(skip_reason), fmt, ap);
	va_end(ap);
	skip_left = n;
	while (skip_left > 0)
		tap_ok_at(1, __FILE__, __LINE__, "skipped");
}

void tap_bail(const char *fmt, ...)
{
	va_list ap;

	tap_printf("Bail out! ");
	va_start(ap, fmt);
	tap_vprintf(fmt, ap);
	va_end(ap);
	tap_printf("\n");
	exit(2);
}

int tap_done(void)
{
	if (planned < 0)
		tap_printf("1..%d\n", current);
	else if (current != planned)
		tap_diag("planned %d tests but ran %d", planned, current);
	return failed || (planned >= 0 && current != planned) ? 1 : 0;
}
