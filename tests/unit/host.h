/*
 * Force-included (gcc -include) first into every file of a host unit test:
 * the kernel sources under test and the cmocka test files alike.
 *
 * The kernel defines functions with libc names (memcpy, snprintf, isdigit,
 * sort, ...). To link them into a host program and still let libc, ASan and
 * cmocka use their own, this header
 *   1. includes the host headers that declare those names, so their
 *      declarations (and glibc's ctype macros) are seen under the real names
 *      and later #includes of them are no-ops;
 *   2. offers the host's snprintf as host_snprintf/host_vsnprintf, the
 *      reference the printf tests compare against;
 *   3. renames each kernel libc-named function to keel_<name>, so every
 *      later mention -- the kernel's definitions, its headers, and the
 *      calls in the tests -- means the kernel's version.
 * Kernel headers must not include host headers themselves: <keel/types.h>
 * uses only the compiler's stddef/stdint/stdbool/stdarg, and ssize_t comes
 * from <sys/types.h> here (types.h skips it under KEEL_HOST).
 * A new kernel function that shares a libc name gets a line in step 3.
 */
#ifndef KEEL_UNIT_HOST_H
#define KEEL_UNIT_HOST_H

#ifndef KEEL_HOST
#error "tests/unit/host.h is for host unit test builds (-DKEEL_HOST)"
#endif

/* 1. Host declarations first, under the real names. */
#include <ctype.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/types.h>

/* glibc's <sys/cdefs.h> has its own (equivalent) __always_inline, and
 * <keel/compiler.h> defines the kernel's. */
#undef __always_inline

/* 2. The host's formatter, for comparisons. */
static inline __attribute__((format(printf, 3, 0))) int
host_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	return vsnprintf(buf, size, fmt, ap);
}

static inline __attribute__((format(printf, 3, 4))) int
host_snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

/* 3. Kernel names that clash with the C library (or may in the future). */
#define memcpy keel_memcpy
#define memmove keel_memmove
#define memset keel_memset
#define memcmp keel_memcmp
#define memchr keel_memchr
#define strlen keel_strlen
#define strnlen keel_strnlen
#define strcmp keel_strcmp
#define strncmp keel_strncmp
#define strcasecmp keel_strcasecmp
#define strncasecmp keel_strncasecmp
#define strchr keel_strchr
#define strrchr keel_strrchr
#define strstr keel_strstr
#define strspn keel_strspn
#define strcspn keel_strcspn
#define strsep keel_strsep
#define strlcpy keel_strlcpy
#define strlcat keel_strlcat
#define strscpy keel_strscpy

#define vsnprintf keel_vsnprintf
#define snprintf keel_snprintf
#define vscnprintf keel_vscnprintf
#define scnprintf keel_scnprintf

#define sort keel_sort
#define bsearch keel_bsearch

#define ffs keel_ffs
#define fls keel_fls

/* glibc defines the ctype functions as macros too. */
#undef isdigit
#undef isxdigit
#undef isspace
#undef isalpha
#undef isalnum
#undef isupper
#undef islower
#undef isprint
#undef isgraph
#undef iscntrl
#undef ispunct
#undef tolower
#undef toupper
#define isdigit keel_isdigit
#define isxdigit keel_isxdigit
#define isspace keel_isspace
#define isalpha keel_isalpha
#define isalnum keel_isalnum
#define isupper keel_isupper
#define islower keel_islower
#define isprint keel_isprint
#define isgraph keel_isgraph
#define iscntrl keel_iscntrl
#define ispunct keel_ispunct
#define tolower keel_tolower
#define toupper keel_toupper

#endif /* KEEL_UNIT_HOST_H */
