/*
 * Memory and string primitives (interface in <keel/string.h>).
 *
 * The block functions move one machine word at a time once the destination
 * is word-aligned, but only when the source shares that alignment, so every
 * word access is aligned on every architecture; other cases go byte by byte.
 * String functions always work byte by byte: reading a whole word could touch
 * bytes past the terminator that belong to no object (and trip the host
 * tests' AddressSanitizer). gcc's loop-distribution pass may turn the fill
 * and copy loops back into calls to memset/memcpy, that is into calls to
 * themselves, at some versions and levels even under -ffreestanding;
 * NO_LIBCALL switches that pass off for those loops (clang does no such
 * rewrite under -fno-builtin).
 */
#include <keel/compiler.h>
#include <keel/ctype.h>
#include <keel/errno.h>
#include <keel/string.h>
#include <keel/types.h>

#if defined(__GNUC__) && !defined(__clang__)
#define NO_LIBCALL __attribute__((optimize("no-tree-loop-distribute-patterns")))
#else
#define NO_LIBCALL
#endif

/* A word that may alias any object (the kernel also builds with
 * -fno-strict-aliasing, the host tests do not). */
typedef unsigned long __attribute__((__may_alias__)) word_t;

#define WORD_SIZE sizeof(word_t)
#define WORD_MASK (WORD_SIZE - 1)

static bool same_alignment(const void *a, const void *b)
{
	return (((uptr)a ^ (uptr)b) & WORD_MASK) == 0;
}

NO_LIBCALL static void copy_forward(u8 *d, const u8 *s, size_t n)
{
	if (same_alignment(d, s)) {
		for (; n && ((uptr)d & WORD_MASK); n--)
			*d++ = *s++;
		for (; n >= WORD_SIZE; n -= WORD_SIZE) {
			*(word_t *)d = *(const word_t *)s;
			d += WORD_SIZE;
			s += WORD_SIZE;
		}
	}
	while (n--)
		*d++ = *s++;
}

/* Copy from the top down; @d and @s point one past the end. */
NO_LIBCALL static void copy_backward(u8 *d, const u8 *s, size_t n)
{
	if (same_alignment(d, s)) {
		for (; n && ((uptr)d & WORD_MASK); n--)
			*--d = *--s;
		for (; n >= WORD_SIZE; n -= WORD_SIZE) {
			d -= WORD_SIZE;
			s -= WORD_SIZE;
			*(word_t *)d = *(const word_t *)s;
		}
	}
	while (n--)
		*--d = *--s;
}

/**
 * memcpy - copy @n bytes from @src to @dst; the areas must not overlap.
 * Return: @dst.
 */
NO_LIBCALL void *memcpy(void *dst, const void *src, size_t n)
{
	copy_forward(dst, src, n);
	return dst;
}

/**
 * memmove - copy @n bytes from @src to @dst; the areas may overlap.
 * Return: @dst.
 */
NO_LIBCALL void *memmove(void *dst, const void *src, size_t n)
{
	u8 *d = dst;
	const u8 *s = src;

	/* A forward copy is safe unless the destination starts inside the
	 * source; same-alignment words then never overlap within one step. */
	if (d <= s || d >= s + n)
		copy_forward(d, s, n);
	else
		copy_backward(d + n, s + n, n);
	return dst;
}

/**
 * memset - fill @n bytes at @dst with the byte value of @c.
 * Return: @dst.
 */
NO_LIBCALL void *memset(void *dst, int c, size_t n)
{
	u8 *d = dst;
	/* ~0UL / 0xff is 0x0101...01: the byte in every lane. */
	word_t pattern = (u8)c * (~0UL / 0xff);

	for (; n && ((uptr)d & WORD_MASK); n--)
		*d++ = (u8)c;
	for (; n >= WORD_SIZE; n -= WORD_SIZE) {
		*(word_t *)d = pattern;
		d += WORD_SIZE;
	}
	while (n--)
		*d++ = (u8)c;
	return dst;
}

/**
 * memcmp - compare @n bytes as unsigned char.
 * Return: <0, 0 or >0 as @a sorts before, equal to or after @b.
 */
int memcmp(const void *a, const void *b, size_t n)
{
	const u8 *p = a, *q = b;

	for (; n; n--, p++, q++) {
		if (*p != *q)
			return *p < *q ? -1 : 1;
	}
	return 0;
}

/**
 * memchr - find the first byte equal to (unsigned char)@c in @n bytes.
 * Return: a pointer to it, or NULL.
 */
void *memchr(const void *s, int c, size_t n)
{
	const u8 *p = s;

	for (; n; n--, p++) {
		if (*p == (u8)c)
			return (void *)p;
	}
	return NULL;
}

/**
 * strlen - length of a NUL-terminated string.
 * Return: the number of bytes before the terminator.
 */
NO_LIBCALL size_t strlen(const char *s)
{
	const char *p = s;

	while (*p)
		p++;
	return (size_t)(p - s);
}

/**
 * strnlen - length of a string, looking at no more than @max bytes.
 * Return: strlen(@s) if a terminator occurs in the first @max bytes, else @max.
 */
NO_LIBCALL size_t strnlen(const char *s, size_t max)
{
	size_t n = 0;

	while (n < max && s[n])
		n++;
	return n;
}

/**
 * strcmp - compare two strings as unsigned char.
 * Return: <0, 0 or >0 as @a sorts before, equal to or after @b.
 */
int strcmp(const char *a, const char *b)
{
	return strncmp(a, b, (size_t)-1);
}

/**
 * strncmp - compare at most @n bytes of two strings.
 * Return: <0, 0 or >0 as @a sorts before, equal to or after @b.
 */
int strncmp(const char *a, const char *b, size_t n)
{
	for (; n; n--, a++, b++) {
		u8 x = (u8)*a, y = (u8)*b;

		if (x != y)
			return x < y ? -1 : 1;
		if (!x)
			break;
	}
	return 0;
}

/**
 * strcasecmp - compare two strings ignoring ASCII case.
 * Return: <0, 0 or >0 as lowercased @a sorts before, equal to or after @b.
 */
int strcasecmp(const char *a, const char *b)
{
	return strncasecmp(a, b, (size_t)-1);
}

/**
 * strncasecmp - compare at most @n bytes ignoring ASCII case.
 * Return: <0, 0 or >0 as lowercased @a sorts before, equal to or after @b.
 */
int strncasecmp(const char *a, const char *b, size_t n)
{
	for (; n; n--, a++, b++) {
		int x = tolower((u8)*a), y = tolower((u8)*b);

		if (x != y)
			return x < y ? -1 : 1;
		if (!x)
			break;
	}
	return 0;
}

/**
 * strchr - find the first (char)@c in @s; the terminator itself can be found.
 * Return: a pointer to it, or NULL.
 */
char *strchr(const char *s, int c)
{
	for (;; s++) {
		if (*s == (char)c)
			return (char *)s;
		if (!*s)
			return NULL;
	}
}

/**
 * strrchr - find the last (char)@c in @s; the terminator itself can be found.
 * Return: a pointer to it, or NULL.
 */
char *strrchr(const char *s, int c)
{
	const char *found = NULL;

	for (;; s++) {
		if (*s == (char)c)
			found = s;
		if (!*s)
			return (char *)found;
	}
}

/**
 * strstr - find the first occurrence of @needle in @haystack.
 * Return: a pointer to it; @haystack for an empty needle; NULL if absent.
 */
char *strstr(const char *haystack, const char *needle)
{
	size_t nlen = strlen(needle);

	if (!nlen)
		return (char *)haystack;
	for (; (haystack = strchr(haystack, *needle)) != NULL; haystack++) {
		if (!strncmp(haystack, needle, nlen))
			return (char *)haystack;
	}
	return NULL;
}

/**
 * strspn - length of the leading run of @s made only of bytes in @accept.
 * Return: that length.
 */
size_t strspn(const char *s, const char *accept)
{
	size_t n = 0;

	while (s[n] && strchr(accept, s[n]))
		n++;
	return n;
}

/**
 * strcspn - length of the leading run of @s containing no byte of @reject.
 * Return: that length.
 */
size_t strcspn(const char *s, const char *reject)
{
	size_t n = 0;

	while (s[n] && !strchr(reject, s[n]))
		n++;
	return n;
}

/**
 * strsep - split off the token at *@stringp, ending at a byte of @delim.
 *
 * The delimiter is overwritten with NUL and *@stringp moves past it, or
 * becomes NULL when the last token has been returned. Empty tokens (two
 * adjacent delimiters) are returned as empty strings.
 *
 * Return: the token, or NULL when *@stringp was already NULL.
 */
char *strsep(char **stringp, const char *delim)
{
	char *tok = *stringp;
	char *end;

	if (!tok)
		return NULL;
	end = tok + strcspn(tok, delim);
	if (*end) {
		*end = '\0';
		*stringp = end + 1;
	} else {
		*stringp = NULL;
	}
	return tok;
}

/**
 * strlcpy - copy a string into @size bytes, terminating when @size > 0.
 *
 * Reads all of @src; prefer strscpy() for sources of unknown length.
 *
 * Return: strlen(@src); a value >= @size means the copy was truncated.
 */
size_t strlcpy(char *dst, const char *src, size_t size)
{
	size_t len = strlen(src);

	if (size) {
		size_t n = len < size ? len : size - 1;

		memcpy(dst, src, n);
		dst[n] = '\0';
	}
	return len;
}

/**
 * strlcat - append @src to the string in the @size-byte buffer @dst.
 *
 * Nothing is written when @dst holds no terminator within @size bytes.
 *
 * Return: the length the full result would have, i.e. strnlen(@dst, @size)
 * + strlen(@src); a value >= @size means the result was truncated.
 */
size_t strlcat(char *dst, const char *src, size_t size)
{
	size_t dlen = strnlen(dst, size);

	if (dlen == size)
		return size + strlen(src);
	return dlen + strlcpy(dst + dlen, src, size - dlen);
}

/**
 * strscpy - copy a string into @size bytes, reading at most @size of @src.
 *
 * When @size > 0 the destination is always terminated, truncating the copy
 * if needed. Sizes above INT_MAX are treated as a caller bug and copy nothing.
 *
 * Return: the number of bytes copied, excluding the terminator; -E2BIG when
 * @size is 0, above INT_MAX, or too small for the whole of @src.
 */
ssize_t strscpy(char *dst, const char *src, size_t size)
{
	size_t i;

	if (size == 0 || size > (size_t)__INT_MAX__)
		return -E2BIG;
	for (i = 0; i < size; i++) {
		dst[i] = src[i];
		if (!src[i])
			return (ssize_t)i;
	}
	dst[size - 1] = '\0';
	return -E2BIG;
}
