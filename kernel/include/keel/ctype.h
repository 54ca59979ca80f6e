/*
 * Character classes for the kernel: ASCII only, no locale.
 *
 * Each function takes an int like its ISO C namesake but, unlike it, is
 * defined for every int: anything outside 0..127 (EOF, bytes with the top bit
 * set, sign-extended chars) belongs to no class and is returned unchanged by
 * tolower()/toupper(). That makes passing a plain, possibly signed char safe.
 */
#ifndef KEEL_CTYPE_H
#define KEEL_CTYPE_H

static inline int isdigit(int c)
{
	return c >= '0' && c <= '9';
}

static inline int isupper(int c)
{
	return c >= 'A' && c <= 'Z';
}

static inline int islower(int c)
{
	return c >= 'a' && c <= 'z';
}

static inline int isalpha(int c)
{
	return isupper(c) || islower(c);
}

static inline int isalnum(int c)
{
	return isalpha(c) || isdigit(c);
}

static inline int isxdigit(int c)
{
	return isdigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* Space, \t, \n, \v, \f and \r. */
static inline int isspace(int c)
{
	return c == ' ' || (c >= '\t' && c <= '\r');
}

static inline int iscntrl(int c)
{
	return (c >= 0 && c < 0x20) || c == 0x7f;
}

/* Printable: space through tilde. */
static inline int isprint(int c)
{
	return c >= 0x20 && c < 0x7f;
}

/* Printable and not a space. */
static inline int isgraph(int c)
{
	return c > 0x20 && c < 0x7f;
}

static inline int ispunct(int c)
{
	return isgraph(c) && !isalnum(c);
}

static inline int tolower(int c)
{
	return isupper(c) ? c - 'A' + 'a' : c;
}

static inline int toupper(int c)
{
	return islower(c) ? c - 'a' + 'A' : c;
}

#endif /* KEEL_CTYPE_H */
