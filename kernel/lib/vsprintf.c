/*
 * vsnprintf and friends (interface and supported conversions in
 * <keel/sprintf.h>).
 *
 * Output goes through a struct outbuf that counts every character produced
 * but stores only those that fit before the final NUL, so one pass yields
 * both the truncated text and the untruncated length. A conversion is parsed
 * into a struct spec, then printed by one function per kind (number, string,
 * pointer). Widths and precisions are clamped to FIELD_MAX so a hostile
 * "%2147483647d" cannot overflow the arithmetic; padding that does not fit
 * is counted, not written, so it costs no time either. The va_list is copied
 * and handled through a pointer: passing va_list itself by pointer is not
 * portable where it is an array type (x86_64).
 */
#include <keel/compiler.h>
#include <keel/err.h>
#include <keel/sprintf.h>
#include <keel/string.h>
#include <keel/types.h>

int (*vsprintf_symbol_hook)(char *buf, size_t size, unsigned long addr);

#define FIELD_MAX ((1 << 23) - 1)
#define SYM_BUF_SIZE 128

/* Flags of a conversion specification. */
#define F_LEFT  0x01	/* '-': pad on the right */
#define F_ZERO  0x02	/* '0': pad numbers with zeros */
#define F_PLUS  0x04	/* '+': sign positive numbers */
#define F_SPACE 0x08	/* ' ': space before positive numbers */
#define F_ALT   0x10	/* '#': 0x / leading 0 */

struct outbuf {
	char *buf;
	size_t size;	/* capacity including the NUL */
	size_t len;	/* characters produced, stored or not */
};

struct spec {
	unsigned int flags;
	int width;	/* 0 when absent */
	int prec;	/* -1 when absent */
	char length;	/* 0, 'H' (hh), 'h', 'l', 'L' (ll), 'z', 't', 'j' */
};

/* How many of @n more characters can still be stored. */
static size_t out_room(const struct outbuf *o, size_t n)
{
	size_t room;

	if (o->len + 1 >= o->size)
		return 0;
	room = o->size - 1 - o->len;
	return n < room ? n : room;
}

static void out_mem(struct outbuf *o, const char *s, size_t n)
{
	size_t fit = out_room(o, n);

	if (fit)
		memcpy(o->buf + o->len, s, fit);
	o->len += n;
}

static void out_repeat(struct outbuf *o, char c, size_t n)
{
	size_t fit = out_room(o, n);

	if (fit)
		memset(o->buf + o->len, c, fit);
	o->len += n;
}

static void out_char(struct outbuf *o, char c)
{
	out_mem(o, &c, 1);
}

/* Emit @s (@n bytes) padded with spaces to the field width. */
static void out_field(struct outbuf *o, const struct spec *sp, const char *s,
		      size_t n)
{
	size_t pad = (size_t)sp->width > n ? (size_t)sp->width - n : 0;

	if (!(sp->flags & F_LEFT))
		out_repeat(o, ' ', pad);
	out_mem(o, s, n);
	if (sp->flags & F_LEFT)
		out_repeat(o, ' ', pad);
}

static int clamp_field(long long v)
{
	return v > FIELD_MAX ? FIELD_MAX : (int)v;
}

/* Parse a width or precision: digits or '*'. Return: the rest of @fmt. */
static const char *parse_field(const char *fmt, int *val, va_list *ap)
{
	long long v = 0;

	if (*fmt == '*') {
		*val = va_arg(*ap, int);
		return fmt + 1;
	}
	while (*fmt >= '0' && *fmt <= '9') {
		v = v * 10 + (*fmt++ - '0');
		if (v > FIELD_MAX)
			v = FIELD_MAX;
	}
	*val = (int)v;
	return fmt;
}

static const char *parse_flags(const char *fmt, struct spec *sp)
{
	for (;; fmt++) {
		switch (*fmt) {
		case '-': sp->flags |= F_LEFT; break;
		case '0': sp->flags |= F_ZERO; break;
		case '+': sp->flags |= F_PLUS; break;
		case ' ': sp->flags |= F_SPACE; break;
		case '#': sp->flags |= F_ALT; break;
		default: return fmt;
		}
	}
}

static const char *parse_length(const char *fmt, struct spec *sp)
{
	switch (*fmt) {
	case 'h':
	case 'l':
		sp->length = *fmt;
		if (fmt[1] == *fmt) {
			sp->length = *fmt == 'h' ? 'H' : 'L';
			fmt++;
		}
		return fmt + 1;
	case 'z':
	case 't':
	case 'j':
		sp->length = *fmt;
		return fmt + 1;
	}
	return fmt;
}

/* Parse flags, width, precision and length after a '%'. */
static const char *parse_spec(const char *fmt, struct spec *sp, va_list *ap)
{
	int v;

	sp->flags = 0;
	sp->width = 0;
	sp->prec = -1;
	sp->length = 0;
	fmt = parse_flags(fmt, sp);
	fmt = parse_field(fmt, &v, ap);
	if (v < 0) {		/* a negative '*' width means '-' */
		sp->flags |= F_LEFT;
		v = clamp_field(-(long long)v);
	}
	sp->width = clamp_field(v);
	if (*fmt == '.') {
		fmt = parse_field(fmt + 1, &v, ap);
		sp->prec = v < 0 ? -1 : clamp_field(v);
	}
	return parse_length(fmt, sp);
}

static unsigned long long fetch_unsigned(va_list *ap, char length)
{
	switch (length) {
	case 'H': return (unsigned char)va_arg(*ap, unsigned int);
	case 'h': return (unsigned short)va_arg(*ap, unsigned int);
	case 'l': return va_arg(*ap, unsigned long);
	case 'L': return va_arg(*ap, unsigned long long);
	case 'z': return va_arg(*ap, size_t);
	case 't': return (size_t)va_arg(*ap, ptrdiff_t);
	case 'j': return va_arg(*ap, uintmax_t);
	default:  return va_arg(*ap, unsigned int);
	}
}

static long long fetch_signed(va_list *ap, char length)
{
	switch (length) {
	case 'H': return (signed char)va_arg(*ap, int);
	case 'h': return (short)va_arg(*ap, int);
	case 'l': return va_arg(*ap, long);
	case 'L': return va_arg(*ap, long long);
	case 'z': return va_arg(*ap, ssize_t);
	case 't': return va_arg(*ap, ptrdiff_t);
	case 'j': return va_arg(*ap, intmax_t);
	default:  return va_arg(*ap, int);
	}
}

/* Write the digits of @v backwards from @end. Return: the first digit. */
static char *number_digits(char *end, unsigned long long v, unsigned int base,
			   bool upper)
{
	const char *set = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	unsigned int shift = base == 16 ? 4 : 3;

	do {
		if (base == 10) {
			*--end = set[v % 10];
			v /= 10;
		} else {
			*--end = set[v & (base - 1)];
			v >>= shift;
		}
	} while (v);
	return end;
}

/*
 * Print @v in @base with ISO C padding rules: precision is a minimum digit
 * count (and a zero printed with precision 0 has no digits), '0' pads
 * between sign/prefix and digits unless '-' or a precision is given, '#'
 * adds 0x to non-zero hex and makes octal start with a 0.
 */
static void out_number(struct outbuf *o, const struct spec *sp,
		       unsigned long long v, char sign, unsigned int base,
		       bool upper)
{
	char tmp[24], *end = tmp + sizeof(tmp), *digits = end;
	const char *prefix = "";
	size_t ndig, zeros, plen, total, pad;

	if (v || sp->prec != 0)
		digits = number_digits(end, v, base, upper);
	ndig = (size_t)(end - digits);
	zeros = sp->prec > 0 && (size_t)sp->prec > ndig ? sp->prec - ndig : 0;
	if ((sp->flags & F_ALT) && base == 16 && v)
		prefix = upper ? "0X" : "0x";
	if ((sp->flags & F_ALT) && base == 8 && !zeros &&
	    (ndig == 0 || *digits != '0'))
		zeros = 1;
	plen = strlen(prefix) + (sign ? 1 : 0);
	total = plen + zeros + ndig;
	pad = (size_t)sp->width > total ? (size_t)sp->width - total : 0;
	if ((sp->flags & (F_ZERO | F_LEFT)) == F_ZERO && sp->prec < 0) {
		zeros += pad;
		pad = 0;
	}
	if (!(sp->flags & F_LEFT))
		out_repeat(o, ' ', pad);
	if (sign)
		out_char(o, sign);
	out_mem(o, prefix, strlen(prefix));
	out_repeat(o, '0', zeros);
	out_mem(o, digits, ndig);
	if (sp->flags & F_LEFT)
		out_repeat(o, ' ', pad);
}

static void out_signed(struct outbuf *o, const struct spec *sp, va_list *ap)
{
	long long v = fetch_signed(ap, sp->length);
	/* Negate in unsigned arithmetic: -LLONG_MIN does not exist. */
	unsigned long long mag = v < 0 ? 0ULL - (unsigned long long)v :
					 (unsigned long long)v;
	char sign = 0;

	if (v < 0)
		sign = '-';
	else if (sp->flags & F_PLUS)
		sign = '+';
	else if (sp->flags & F_SPACE)
		sign = ' ';
	out_number(o, sp, mag, sign, 10, false);
}

static void out_string(struct outbuf *o, const struct spec *sp, const char *s)
{
	size_t n;

	/* Linux's habit: name bad pointers instead of faulting on them. */
	if (!s)
		s = "(null)";
	else if ((uptr)s < 4096 || IS_ERR(s))
		s = "(efault)";
	n = sp->prec >= 0 ? strnlen(s, (size_t)sp->prec) : strlen(s);
	out_field(o, sp, s, n);
}

/* %p and its extensions; @fmt points after the 'p'. Return: rest of @fmt. */
static const char *out_pointer(struct outbuf *o, const struct spec *sp,
			       const char *fmt, va_list *ap)
{
	unsigned long addr = (unsigned long)(uptr)va_arg(*ap, void *);
	char tmp[SYM_BUF_SIZE];
	char *end = tmp + 2 + 2 * sizeof(void *);
	char *p = end;
	int (*hook)(char *, size_t, unsigned long);
	int n;

	if (*fmt == 'S') {
		fmt++;
		hook = READ_ONCE(vsprintf_symbol_hook);
		n = hook ? hook(tmp, sizeof(tmp), addr) : -1;
		if (n >= 0) {
			out_field(o, sp, tmp, strnlen(tmp, sizeof(tmp) - 1));
			return fmt;
		}
	} else if (*fmt == 'x') {
		fmt++;
	}
	while (p > tmp + 2) {
		*--p = "0123456789abcdef"[addr & 15];
		addr >>= 4;
	}
	tmp[0] = '0';
	tmp[1] = 'x';
	out_field(o, sp, tmp, (size_t)(end - tmp));
	return fmt;
}

/*
 * Print one conversion; @fmt points after the '%'. An unknown conversion
 * (or a '%' at the very end) is copied through literally.
 * Return: the rest of @fmt.
 */
static const char *format_one(struct outbuf *o, const char *fmt, va_list *ap)
{
	const char *start = fmt - 1;
	struct spec sp;
	char c;

	fmt = parse_spec(fmt, &sp, ap);
	switch (*fmt) {
	case 'd':
	case 'i':
		out_signed(o, &sp, ap);
		break;
	case 'u':
	case 'x':
	case 'X':
	case 'o':
		out_number(o, &sp, fetch_unsigned(ap, sp.length), 0,
			   *fmt == 'u' ? 10 : *fmt == 'o' ? 8 : 16,
			   *fmt == 'X');
		break;
	case 'c':
		c = (char)va_arg(*ap, int);
		out_field(o, &sp, &c, 1);
		break;
	case 's':
		out_string(o, &sp, va_arg(*ap, const char *));
		break;
	case 'p':
		return out_pointer(o, &sp, fmt + 1, ap);
	case '%':
		out_char(o, '%');
		break;
	case '\0':
		out_mem(o, start, (size_t)(fmt - start));
		return fmt;
	default:
		out_mem(o, start, (size_t)(fmt + 1 - start));
		break;
	}
	return fmt + 1;
}

/**
 * vsnprintf - format into @buf, storing at most @size bytes including a NUL.
 * @buf: destination; may be NULL when @size is 0
 * @size: capacity of @buf
 * @fmt: format string
 * @ap: arguments
 *
 * Context: any.
 * Return: the length of the full output, excluding the NUL, even when it
 * did not fit (truncation happened iff the result is >= @size); 0 without
 * writing anything when @size exceeds INT_MAX.
 */
int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct outbuf o = { .buf = buf, .size = size, .len = 0 };
	va_list aq;

	if (size > (size_t)__INT_MAX__)
		return 0;
	va_copy(aq, ap);
	while (*fmt) {
		if (*fmt == '%') {
			fmt = format_one(&o, fmt + 1, &aq);
		} else {
			size_t n = strcspn(fmt, "%");

			out_mem(&o, fmt, n);
			fmt += n;
		}
	}
	va_end(aq);
	if (size)
		buf[o.len < size ? o.len : size - 1] = '\0';
	return o.len > (size_t)__INT_MAX__ ? __INT_MAX__ : (int)o.len;
}

/**
 * snprintf - vsnprintf() with a variable argument list.
 * Context: any.
 * Return: the length of the full output, excluding the NUL.
 */
int snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

/**
 * vscnprintf - like vsnprintf() but returns what was actually stored.
 * Context: any.
 * Return: the number of characters stored in @buf, excluding the NUL
 * (0 when @size is 0).
 */
int vscnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	int n = vsnprintf(buf, size, fmt, ap);

	if (size == 0)
		return 0;
	return (size_t)n < size ? n : (int)(size - 1);
}

/**
 * scnprintf - vscnprintf() with a variable argument list.
 * Context: any.
 * Return: the number of characters stored in @buf, excluding the NUL.
 */
int scnprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vscnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}
