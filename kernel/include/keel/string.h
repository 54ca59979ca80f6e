/*
 * Memory and string functions of the kernel's freestanding C library.
 *
 * The names are the standard ones because the compiler emits calls to
 * memcpy, memmove, memset and memcmp on its own (struct copies, large
 * initialisers). Semantics are those of ISO C / POSIX, plus the BSD
 * strlcpy/strlcat and Linux's strscpy, the preferred bounded copy: it never
 * reads past @size bytes of the source, always terminates a non-empty
 * destination and reports truncation as -E2BIG. Comparisons treat bytes as
 * unsigned char; the case-insensitive ones fold ASCII only.
 *
 * Context: any. Nothing here sleeps, allocates or takes a lock.
 */
#ifndef KEEL_STRING_H
#define KEEL_STRING_H

#include <keel/types.h>

void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
void *memchr(const void *s, int c, size_t n);

size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
int strcasecmp(const char *a, const char *b);
int strncasecmp(const char *a, const char *b, size_t n);
char *strchr(const char *s, int c);
char *strrchr(const char *s, int c);
char *strstr(const char *haystack, const char *needle);
size_t strspn(const char *s, const char *accept);
size_t strcspn(const char *s, const char *reject);
char *strsep(char **stringp, const char *delim);

size_t strlcpy(char *dst, const char *src, size_t size);
size_t strlcat(char *dst, const char *src, size_t size);
ssize_t strscpy(char *dst, const char *src, size_t size);

#endif /* KEEL_STRING_H */
