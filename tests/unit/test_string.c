/*
 * Host tests for kernel/lib/string.c and <keel/ctype.h>.
 *
 * Buffers come from malloc with their exact size where the point is to
 * catch an over-read or over-write: ASan then reports any stray byte.
 * Block functions are checked against byte-loop references for every
 * combination of small length and source/destination misalignment.
 */
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include <keel/ctype.h>
#include <keel/errno.h>
#include <keel/string.h>

/* A heap copy of @s occupying exactly strlen(s) + 1 bytes. */
static char *exact(const char *s)
{
	size_t n = strlen(s) + 1;
	char *p = malloc(n);

	assert_non_null(p);
	memcpy(p, s, n);
	return p;
}

static void fill_pattern(unsigned char *p, size_t n, unsigned int seed)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (unsigned char)(seed + i * 7 + (i >> 3));
}

static void test_memcpy_alignments(void **state)
{
	unsigned char src[96], dst[96], ref[96];

	for (size_t so = 0; so < 8; so++)
		for (size_t d_o = 0; d_o < 8; d_o++)
			for (size_t n = 0; n <= 70; n++) {
				fill_pattern(src, sizeof(src), (unsigned)n);
				for (size_t i = 0; i < sizeof(dst); i++)
					dst[i] = ref[i] = 0xa5;
				for (size_t i = 0; i < n; i++)
					ref[d_o + i] = src[so + i];
				assert_ptr_equal(memcpy(dst + d_o, src + so, n),
						 dst + d_o);
				assert_memory_equal(dst, ref, sizeof(dst));
			}
}

static void test_memcpy_exact_heap(void **state)
{
	for (size_t n = 1; n < 40; n++) {
		unsigned char *a = malloc(n), *b = malloc(n);

		fill_pattern(a, n, 3);
		memcpy(b, a, n);
		assert_memory_equal(a, b, n);
		free(a);
		free(b);
	}
	assert_ptr_equal(memcpy(NULL, NULL, 0), NULL);
}

static void ref_memmove(unsigned char *buf, size_t d, size_t s, size_t n)
{
	unsigned char tmp[128];

	for (size_t i = 0; i < n; i++)
		tmp[i] = buf[s + i];
	for (size_t i = 0; i < n; i++)
		buf[d + i] = tmp[i];
}

static void test_memmove_overlap(void **state)
{
	unsigned char buf[128], ref[128];

	for (size_t s = 0; s < 24; s++)
		for (size_t d = 0; d < 24; d++)
			for (size_t n = 0; n <= 64; n++) {
				fill_pattern(buf, sizeof(buf),
					     (unsigned int)(s ^ n));
				memcpy(ref, buf, sizeof(buf));
				ref_memmove(ref, d, s, n);
				assert_ptr_equal(memmove(buf + d, buf + s, n),
						 buf + d);
				assert_memory_equal(buf, ref, sizeof(buf));
			}
}

static void test_memset(void **state)
{
	unsigned char buf[80];

	for (size_t off = 0; off < 8; off++)
		for (size_t n = 0; n <= 64; n++) {
			for (size_t i = 0; i < sizeof(buf); i++)
				buf[i] = 0x11;
			assert_ptr_equal(memset(buf + off, 0x1ab, n),
					 buf + off);
			for (size_t i = 0; i < sizeof(buf); i++) {
				int in = i >= off && i < off + n;

				assert_int_equal(buf[i], in ? 0xab : 0x11);
			}
		}
	memset(buf, -1, 8);
	assert_int_equal(buf[7], 0xff);
}

static void test_memcmp(void **state)
{
	assert_int_equal(memcmp("abc", "abc", 3), 0);
	assert_true(memcmp("abc", "abd", 3) < 0);
	assert_true(memcmp("abd", "abc", 3) > 0);
	assert_int_equal(memcmp("abc", "abd", 2), 0);
	assert_int_equal(memcmp("x", "y", 0), 0);
	/* Bytes compare as unsigned char. */
	assert_true(memcmp("\x80", "\x7f", 1) > 0);
	assert_true(memcmp("\x00", "\xff", 1) < 0);
}

static void test_memchr(void **state)
{
	const char s[] = "hello\0world";
	static const char ff[] = "\xff";

	assert_ptr_equal(memchr(s, 'l', sizeof(s)), s + 2);
	assert_ptr_equal(memchr(s, 'w', sizeof(s)), s + 6);
	assert_ptr_equal(memchr(s, '\0', sizeof(s)), s + 5);
	assert_null(memchr(s, 'w', 5));
	assert_null(memchr(s, 'h', 0));
	/* @c is converted to unsigned char. */
	assert_ptr_equal(memchr(ff, 0x1ff, 1), ff);
	assert_ptr_equal(memchr(ff, -1, 1), ff);
}

static void test_strlen_strnlen(void **state)
{
	char *s = exact("kernel");

	assert_int_equal(strlen(""), 0);
	assert_int_equal(strlen(s), 6);
	assert_int_equal(strnlen(s, 3), 3);
	assert_int_equal(strnlen(s, 6), 6);
	assert_int_equal(strnlen(s, 100), 6);
	assert_int_equal(strnlen("", 5), 0);
	assert_int_equal(strnlen(NULL, 0), 0);
	free(s);
	/* strnlen must not read past max: a buffer without terminator. */
	s = malloc(4);
	memcpy(s, "abcd", 4);
	assert_int_equal(strnlen(s, 4), 4);
	free(s);
}

static void test_strcmp_family(void **state)
{
	assert_int_equal(strcmp("", ""), 0);
	assert_int_equal(strcmp("abc", "abc"), 0);
	assert_true(strcmp("abc", "abd") < 0);
	assert_true(strcmp("abc", "ab") > 0);
	assert_true(strcmp("", "a") < 0);
	assert_true(strcmp("\xe9", "e") > 0);
	assert_int_equal(strncmp("abcx", "abcy", 3), 0);
	assert_true(strncmp("abcx", "abcy", 4) < 0);
	assert_int_equal(strncmp("a", "b", 0), 0);
	assert_int_equal(strncmp("ab", "ab", 10), 0);
	assert_int_equal(strcasecmp("HeLLo", "hello"), 0);
	assert_true(strcasecmp("apple", "BANANA") < 0);
	assert_true(strcasecmp("Zed", "abc") > 0);
	assert_int_equal(strncasecmp("ABCdef", "abcXYZ", 3), 0);
	assert_true(strncasecmp("ABCdef", "abcXYZ", 4) < 0);
	assert_int_equal(strncasecmp("x", "y", 0), 0);
	/* Not letters: no folding of '[' (0x5b) onto '{' (0x7b). */
	assert_true(strcasecmp("[", "{") < 0);
}

static void test_strchr_strrchr(void **state)
{
	const char *s = "a/b/c";
	static const char ff[] = "\xff";

	assert_ptr_equal(strchr(s, '/'), s + 1);
	assert_ptr_equal(strrchr(s, '/'), s + 3);
	assert_ptr_equal(strchr(s, '\0'), s + 5);
	assert_ptr_equal(strrchr(s, '\0'), s + 5);
	assert_null(strchr(s, 'x'));
	assert_null(strrchr(s, 'x'));
	assert_ptr_equal(strchr(s, 'a'), s);
	assert_ptr_equal(strrchr(s, 'a'), s);
	assert_null(strchr("", 'a'));
	assert_ptr_equal(strchr(ff, -1), ff);
	assert_ptr_equal(strrchr(ff, 0xff), ff);
}

static void test_strstr(void **state)
{
	const char *h = "the cat sat on the mat";

	assert_ptr_equal(strstr(h, "the"), h);
	assert_ptr_equal(strstr(h, "sat"), h + 8);
	assert_ptr_equal(strstr(h, "mat"), h + 19);
	assert_ptr_equal(strstr(h, ""), h);
	assert_null(strstr(h, "dog"));
	assert_null(strstr(h, "mats"));
	assert_null(strstr("", "a"));
	assert_ptr_equal(strstr("aaab", "aab"), strchr("aaab", 'a') + 1);
	assert_string_equal(strstr("aaab", "aab"), "aab");
}

static void test_strspn_strcspn(void **state)
{
	assert_int_equal(strspn("  \tx", " \t"), 3);
	assert_int_equal(strspn("abc", ""), 0);
	assert_int_equal(strspn("", "abc"), 0);
	assert_int_equal(strspn("aaa", "a"), 3);
	assert_int_equal(strcspn("key=value", "="), 3);
	assert_int_equal(strcspn("novalue", "="), 7);
	assert_int_equal(strcspn("abc", ""), 3);
	assert_int_equal(strcspn("", "x"), 0);
}

static void test_strsep(void **state)
{
	char buf[] = "a,b,,c";
	char *p = buf;

	assert_string_equal(strsep(&p, ","), "a");
	assert_string_equal(strsep(&p, ","), "b");
	assert_string_equal(strsep(&p, ","), "");
	assert_string_equal(strsep(&p, ","), "c");
	assert_null(p);
	assert_null(strsep(&p, ","));

	char buf2[] = "k=v;x";
	p = buf2;
	assert_string_equal(strsep(&p, "=;"), "k");
	assert_string_equal(strsep(&p, "=;"), "v");
	assert_string_equal(strsep(&p, "=;"), "x");
	assert_null(p);

	char empty[] = "";
	p = empty;
	assert_string_equal(strsep(&p, ","), "");
	assert_null(p);
}

static void test_strlcpy(void **state)
{
	char buf[8];

	memset(buf, 'x', sizeof(buf));
	assert_int_equal(strlcpy(buf, "hello", sizeof(buf)), 5);
	assert_string_equal(buf, "hello");
	assert_int_equal(strlcpy(buf, "hello world", sizeof(buf)), 11);
	assert_string_equal(buf, "hello w");
	assert_int_equal(strlcpy(buf, "1234567", sizeof(buf)), 7);
	assert_string_equal(buf, "1234567");
	assert_int_equal(strlcpy(buf, "12345678", sizeof(buf)), 8);
	assert_string_equal(buf, "1234567");
	buf[0] = 'Q';
	assert_int_equal(strlcpy(buf, "abc", 0), 3);
	assert_int_equal(buf[0], 'Q');
	assert_int_equal(strlcpy(buf, "abc", 1), 3);
	assert_string_equal(buf, "");
	assert_int_equal(strlcpy(NULL, "abc", 0), 3);
}

static void test_strlcat(void **state)
{
	char buf[8] = "ab";

	assert_int_equal(strlcat(buf, "cd", sizeof(buf)), 4);
	assert_string_equal(buf, "abcd");
	assert_int_equal(strlcat(buf, "efghij", sizeof(buf)), 10);
	assert_string_equal(buf, "abcdefg");
	assert_int_equal(strlcat(buf, "z", sizeof(buf)), 8);
	assert_string_equal(buf, "abcdefg");
	/* No terminator within size: nothing written. */
	assert_int_equal(strlcat(buf, "xyz", 3), 6);
	assert_string_equal(buf, "abcdefg");
	assert_int_equal(strlcat(buf, "xyz", 0), 3);
	char e[4] = "";
	assert_int_equal(strlcat(e, "", sizeof(e)), 0);
	assert_int_equal(strlcat(e, "abc", sizeof(e)), 3);
	assert_string_equal(e, "abc");
}

static void test_strscpy(void **state)
{
	char buf[6];

	assert_int_equal(strscpy(buf, "abc", sizeof(buf)), 3);
	assert_string_equal(buf, "abc");
	assert_int_equal(strscpy(buf, "abcde", sizeof(buf)), 5);
	assert_string_equal(buf, "abcde");
	assert_int_equal(strscpy(buf, "abcdef", sizeof(buf)), -E2BIG);
	assert_string_equal(buf, "abcde");
	assert_int_equal(strscpy(buf, "", sizeof(buf)), 0);
	assert_string_equal(buf, "");
	buf[0] = 'Q';
	assert_int_equal(strscpy(buf, "abc", 0), -E2BIG);
	assert_int_equal(buf[0], 'Q');
	assert_int_equal(strscpy(buf, "abc", 1), -E2BIG);
	assert_string_equal(buf, "");
	assert_int_equal(strscpy(buf, "a", (size_t)INT_MAX + 1), -E2BIG);
	assert_int_equal(strscpy(NULL, "a", 0), -E2BIG);
}

/* strscpy reads at most @size bytes of the source: give it exactly that. */
static void test_strscpy_no_overread(void **state)
{
	char *src = malloc(4), dst[4];

	memcpy(src, "wxyz", 4);
	assert_int_equal(strscpy(dst, src, 4), -E2BIG);
	assert_string_equal(dst, "wxy");
	free(src);
}

static void test_ctype(void **state)
{
	for (int c = -300; c < 300; c++) {
		int ascii = c >= 0 && c < 128;

		assert_int_equal(!!isdigit(c), ascii && c >= '0' && c <= '9');
		assert_int_equal(!!isupper(c), ascii && c >= 'A' && c <= 'Z');
		assert_int_equal(!!islower(c), ascii && c >= 'a' && c <= 'z');
		assert_int_equal(!!isalpha(c), isupper(c) || islower(c));
		assert_int_equal(!!isalnum(c), isalpha(c) || isdigit(c));
		assert_int_equal(!!isprint(c), ascii && c >= 32 && c < 127);
		assert_int_equal(!!isgraph(c), ascii && c > 32 && c < 127);
		assert_int_equal(!!iscntrl(c), ascii && (c < 32 || c == 127));
		assert_int_equal(!!ispunct(c), isgraph(c) && !isalnum(c));
		assert_int_equal(!!isspace(c),
				 c == ' ' || c == '\t' || c == '\n' ||
				 c == '\v' || c == '\f' || c == '\r');
		assert_int_equal(!!isxdigit(c),
				 isdigit(c) || (c >= 'a' && c <= 'f') ||
				 (c >= 'A' && c <= 'F'));
		assert_int_equal(tolower(c), isupper(c) ? c + 32 : c);
		assert_int_equal(toupper(c), islower(c) ? c - 32 : c);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_memcpy_alignments),
		cmocka_unit_test(test_memcpy_exact_heap),
		cmocka_unit_test(test_memmove_overlap),
		cmocka_unit_test(test_memset),
		cmocka_unit_test(test_memcmp),
		cmocka_unit_test(test_memchr),
		cmocka_unit_test(test_strlen_strnlen),
		cmocka_unit_test(test_strcmp_family),
		cmocka_unit_test(test_strchr_strrchr),
		cmocka_unit_test(test_strstr),
		cmocka_unit_test(test_strspn_strcspn),
		cmocka_unit_test(test_strsep),
		cmocka_unit_test(test_strlcpy),
		cmocka_unit_test(test_strlcat),
		cmocka_unit_test(test_strscpy),
		cmocka_unit_test(test_strscpy_no_overread),
		cmocka_unit_test(test_ctype),
	};

	return cmocka_run_group_tests_name("string", tests, NULL, NULL);
}
