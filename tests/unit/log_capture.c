/*
 * printk for host unit tests; see log_capture.h. Formats with the kernel's
 * own vscnprintf, so the tests also exercise the real format strings.
 */
#include <keel/printk.h>
#include <keel/sprintf.h>
#include <keel/string.h>

#include "log_capture.h"

static char captured[64 * 1024];
static size_t captured_len;

void log_capture_clear(void)
{
	captured_len = 0;
	captured[0] = '\0';
}

const char *log_capture_text(void)
{
	return captured;
}

bool log_capture_contains(const char *needle)
{
	return strstr(captured, needle) != NULL;
}

int log_capture_count(const char *needle)
{
	const char *p = captured;
	int n = 0;

	while ((p = strstr(p, needle)) != NULL) {
		n++;
		p += strlen(needle);
	}
	return n;
}

int vprintk(const char *fmt, va_list ap)
{
	char buf[1024];
	const char *s = buf;
	int n = vscnprintf(buf, sizeof(buf), fmt, ap);

	while (s[0] == KERN_SOH[0] && s[1])
		s += 2;
	captured_len += scnprintf(captured + captured_len,
				  sizeof(captured) - captured_len, "%s", s);
	return n;
}

int printk(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vprintk(fmt, ap);
	va_end(ap);
	return n;
}
