/*
 * String to integer conversion (interface and rules in <keel/kstrtox.h>).
 *
 * Everything funnels into parse_digits(), which accumulates an unsigned
 * long long and notes overflow instead of stopping, so a too-long number is
 * reported as -ERANGE rather than as trailing junk. The narrower and signed
 * variants parse at full width and then range-check, which keeps the
 * overflow logic in one place.
 */
#include <keel/ctype.h>
#include <keel/errno.h>
#include <keel/kstrtox.h>
#include <keel/types.h>

#define ULLONG_MAX_ (~0ULL)
#define LLONG_MAX_  __LONG_LONG_MAX__

/* Value of digit @c, or 36 (never a valid digit) if it is none. */
static unsigned int digit_value(char c)
{
	if (isdigit(c))
		return (unsigned int)(c - '0');
	if (isalpha(c))
		return (unsigned int)(tolower(c) - 'a' + 10);
	return 36;
}

/* Resolve base 0 and skip a "0x" before hex digits. Return: the digits. */
static const char *fixup_base(const char *s, unsigned int *base)
{
	if (*base == 0) {
		if (s[0] == '0' && tolower(s[1]) == 'x' && isxdigit(s[2]))
			*base = 16;
		else if (s[0] == '0')
			*base = 8;
		else
			*base = 10;
	}
	if (*base == 16 && s[0] == '0' && tolower(s[1]) == 'x')
		s += 2;
	return s;
}

/*
 * Accumulate the digits of @base at @s into *@res, setting *@overflow if the
 * value exceeds unsigned long long. Return: the first character after them
 * (@s itself when there are none).
 */
static const char *parse_digits(const char *s, unsigned int base,
				unsigned long long *res, bool *overflow)
{
	unsigned long long v = 0;
	unsigned int d;

	*overflow = false;
	for (; (d = digit_value(*s)) < base; s++) {
		if (v > (ULLONG_MAX_ - d) / base)
			*overflow = true;
		v = v * base + d;
	}
	*res = v;
	return s;
}

/* Unsigned number, no sign, covering all of @s but one trailing '\n'. */
static int parse_whole(const char *s, unsigned int base,
		       unsigned long long *res)
{
	unsigned long long v;
	const char *end;
	bool overflow;

	if (base == 1 || base > 36)
		return -EINVAL;
	s = fixup_base(s, &base);
	end = parse_digits(s, base, &v, &overflow);
	if (end == s)
		return -EINVAL;
	if (overflow)
		return -ERANGE;
	if (*end == '\n')
		end++;
	if (*end)
		return -EINVAL;
	*res = v;
	return 0;
}

/**
 * kstrtoull - convert a string to an unsigned long long.
 * Return: 0, -EINVAL or -ERANGE (see <keel/kstrtox.h>).
 */
int kstrtoull(const char *s, unsigned int base, unsigned long long *res)
{
	if (s[0] == '+')
		s++;
	return parse_whole(s, base, res);
}

/**
 * kstrtoll - convert a string to a long long.
 * Return: 0, -EINVAL or -ERANGE (see <keel/kstrtox.h>).
 */
int kstrtoll(const char *s, unsigned int base, long long *res)
{
	unsigned long long v;
	int ret;

	if (s[0] == '-') {
		ret = parse_whole(s + 1, base, &v);
		if (ret)
			return ret;
		if (v > (unsigned long long)LLONG_MAX_ + 1)
			return -ERANGE;
		/* -(LLONG_MAX + 1) is not an expression that can be written. */
		*res = v == (unsigned long long)LLONG_MAX_ + 1 ?
			       -LLONG_MAX_ - 1 : -(long long)v;
		return 0;
	}
	ret = kstrtoull(s, base, &v);
	if (ret)
		return ret;
	if (v > (unsigned long long)LLONG_MAX_)
		return -ERANGE;
	*res = (long long)v;
	return 0;
}

/* Range-check a full-width result into a narrower unsigned type. */
static int narrow_unsigned(const char *s, unsigned int base,
			   unsigned long long max, unsigned long long *res)
{
	int ret = kstrtoull(s, base, res);

	if (!ret && *res > max)
		return -ERANGE;
	return ret;
}

/* Range-check a full-width result into a narrower signed type. */
static int narrow_signed(const char *s, unsigned int base, long long min,
			 long long max, long long *res)
{
	int ret = kstrtoll(s, base, res);

	if (!ret && (*res < min || *res > max))
		return -ERANGE;
	return ret;
}

/**
 * kstrtoul - convert a string to an unsigned long.
 * Return: 0, -EINVAL or -ERANGE (see <keel/kstrtox.h>).
 */
int kstrtoul(const char *s, unsigned int base, unsigned long *res)
{
	unsigned long long v;
	int ret = narrow_unsigned(s, base, (unsigned long)-1, &v);

	if (!ret)
		*res = (unsigned long)v;
	return ret;
}

/**
 * kstrtol - convert a string to a long.
 * Return: 0, -EINVAL or -ERANGE (see <keel/kstrtox.h>).
 */
int kstrtol(const char *s, unsigned int base, long *res)
{
	long long v;
	int ret = narrow_signed(s, base, -__LONG_MAX__ - 1, __LONG_MAX__, &v);

	if (!ret)
		*res = (long)v;
	return ret;
}

/**
 * kstrtouint - convert a string to an unsigned int.
 * Return: 0, -EINVAL or -ERANGE (see <keel/kstrtox.h>).
 */
int kstrtouint(const char *s, unsigned int base, unsigned int *res)
{
	unsigned long long v;
	int ret = narrow_unsigned(s, base, (unsigned int)-1, &v);

	if (!ret)
		*res = (unsigned int)v;
	return ret;
}

/**
 * kstrtoint - convert a string to an int.
 * Return: 0, -EINVAL or -ERANGE (see <keel/kstrtox.h>).
 */
int kstrtoint(const char *s, unsigned int base, int *res)
{
	long long v;
	int ret = narrow_signed(s, base, -__INT_MAX__ - 1, __INT_MAX__, &v);

	if (!ret)
		*res = (int)v;
	return ret;
}

/**
 * kstrtou16 - convert a string to a u16.
 * Return: 0, -EINVAL or -ERANGE (see <keel/kstrtox.h>).
 */
int kstrtou16(const char *s, unsigned int base, u16 *res)
{
	unsigned long long v;
	int ret = narrow_unsigned(s, base, 0xffff, &v);

	if (!ret)
		*res = (u16)v;
	return ret;
}

/**
 * kstrtou8 - convert a string to a u8.
 * Return: 0, -EINVAL or -ERANGE (see <keel/kstrtox.h>).
 */
int kstrtou8(const char *s, unsigned int base, u8 *res)
{
	unsigned long long v;
	int ret = narrow_unsigned(s, base, 0xff, &v);

	if (!ret)
		*res = (u8)v;
	return ret;
}

/**
 * kstrtobool - interpret a string as a boolean, looking at its first
 * characters only: y Y t T 1 and "on" mean true; n N f F 0 and "off" false.
 *
 * So "yes", "no", "true", "false", "on" and "off" all work, as in Linux.
 *
 * Return: 0 with *@res set, or -EINVAL (NULL, empty or unrecognised).
 */
int kstrtobool(const char *s, bool *res)
{
	if (!s)
		return -EINVAL;
	switch (s[0]) {
	case 'y': case 'Y': case 't': case 'T': case '1':
		*res = true;
		return 0;
	case 'n': case 'N': case 'f': case 'F': case '0':
		*res = false;
		return 0;
	case 'o': case 'O':
		if (tolower(s[1]) == 'n') {
			*res = true;
			return 0;
		}
		if (tolower(s[1]) == 'f') {
			*res = false;
			return 0;
		}
		break;
	}
	return -EINVAL;
}

/* Shift for a size suffix, or 0 if @c is none. */
static unsigned int size_suffix_shift(char c)
{
	switch (tolower(c)) {
	case 'k': return 10;
	case 'm': return 20;
	case 'g': return 30;
	case 't': return 40;
	case 'p': return 50;
	case 'e': return 60;
	}
	return 0;
}

/**
 * parse_size - parse a size such as "64K", "0x100000" or "2g".
 * @s: the text; parsing stops at the first character not part of the size
 * @endp: if not NULL, receives the position after the number and suffix
 *        (@s itself when there are no digits); if NULL, the size must be
 *        the whole string
 * @res: receives the value in bytes
 *
 * The number is read in base 0 (0x hex, leading-0 octal, else decimal) and
 * multiplied by 2^10 for K, 2^20 for M, and so on up to E.
 *
 * Context: any.
 * Return: 0; -EINVAL when there are no digits (or, with @endp NULL,
 * characters follow the size); -ERANGE when the value overflows 64 bits.
 */
int parse_size(const char *s, char **endp, unsigned long long *res)
{
	unsigned int base = 0, shift;
	unsigned long long v;
	const char *digits, *end;
	bool overflow;

	digits = fixup_base(s, &base);
	end = parse_digits(digits, base, &v, &overflow);
	if (end == digits) {
		if (endp)
			*endp = (char *)s;
		return -EINVAL;
	}
	shift = size_suffix_shift(*end);
	if (shift)
		end++;
	if (endp)
		*endp = (char *)end;
	if (overflow || v > (ULLONG_MAX_ >> shift))
		return -ERANGE;
	if (!endp && *end)
		return -EINVAL;
	*res = v << shift;
	return 0;
}
