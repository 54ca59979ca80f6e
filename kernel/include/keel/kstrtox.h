/*
 * Strict string-to-integer conversion, with Linux's kstrto* semantics.
 *
 * The whole string must be one number: an optional sign ('+' for all, '-'
 * for the signed variants), digits of @base, and at most one trailing
 * newline (so values written to a file by `echo` parse). No leading spaces.
 * @base is 2..36, or 0 to pick 16 for "0x"/"0X" followed by a hex digit, 8
 * for a leading "0" and 10 otherwise; base 16 also accepts a "0x" prefix.
 * On success *@res is set and 0 returned; on failure *@res is untouched and
 * the result is -EINVAL (empty, bad base, stray characters) or -ERANGE
 * (the value does not fit the result type).
 *
 * parse_size() is the lenient relative used for sizes on the command line:
 * a number in base 0 followed by an optional binary suffix K, M, G, T, P or
 * E (either case), stopping at the first character that does not belong.
 *
 * Context: any; no allocation, no locks.
 */
#ifndef KEEL_KSTRTOX_H
#define KEEL_KSTRTOX_H

#include <keel/types.h>

int kstrtoull(const char *s, unsigned int base, unsigned long long *res);
int kstrtoll(const char *s, unsigned int base, long long *res);
int kstrtoul(const char *s, unsigned int base, unsigned long *res);
int kstrtol(const char *s, unsigned int base, long *res);
int kstrtouint(const char *s, unsigned int base, unsigned int *res);
int kstrtoint(const char *s, unsigned int base, int *res);
int kstrtou16(const char *s, unsigned int base, u16 *res);
int kstrtou8(const char *s, unsigned int base, u8 *res);
int kstrtobool(const char *s, bool *res);
int parse_size(const char *s, char **endp, unsigned long long *res);

/* u64 is unsigned long on LP64, a different type from unsigned long long:
 * convert through a temporary rather than cast the pointer. */
static inline int kstrtou64(const char *s, unsigned int base, u64 *res)
{
	unsigned long long v;
	int ret = kstrtoull(s, base, &v);

	if (!ret)
		*res = v;
	return ret;
}

static inline int kstrtos64(const char *s, unsigned int base, s64 *res)
{
	long long v;
	int ret = kstrtoll(s, base, &v);

	if (!ret)
		*res = v;
	return ret;
}

static inline int kstrtou32(const char *s, unsigned int base, u32 *res)
{
	return kstrtouint(s, base, res);
}

static inline int kstrtos32(const char *s, unsigned int base, s32 *res)
{
	return kstrtoint(s, base, res);
}

#endif /* KEEL_KSTRTOX_H */
