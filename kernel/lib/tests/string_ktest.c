/*
 * ktests for kernel/lib/string.c and <keel/ctype.h>, run on the target
 * CPU with the kernel's own flags (the host tests cover the same ground
 * under ASan). The block functions are compared with byte-loop references
 * across all small lengths and source/destination misalignments.
 */
#include <keel/ctype.h>
#include <keel/errno.h>
#include <keel/ktest.h>
#include <keel/string.h>

static u8 src_buf[96], dst_buf[96], ref_buf[96];

static void fill_pattern(u8 *p, size_t n, unsigned int seed)
{
	size_t i;

	for (i = 0; i < n; i++)
		p[i] = (u8)(seed + i * 7 + (i >> 3));
}

static void test_memcpy_alignments(struct ktest *t)
{
	size_t so, d, n, i;

	for (so = 0; so < 8; so++)
		for (d = 0; d < 8; d++)
			for (n = 0; n <= 70; n++) {
				fill_pattern(src_buf, sizeof(src_buf), n);
				for (i = 0; i < sizeof(dst_buf); i++)
					dst_buf[i] = ref_buf[i] = 0xa5;
				for (i = 0; i < n; i++)
					ref_buf[d + i] = src_buf[so + i];
				KTEST_ASSERT_TRUE(t, memcpy(dst_buf + d,
							    src_buf + so, n) ==
							     dst_buf + d);
				KTEST_ASSERT_TRUE(t, !memcmp(dst_buf, ref_buf,
							     sizeof(dst_buf)));
			}
}

static void test_memmove_overlap(struct ktest *t)
{
	static u8 buf[128], ref[128], tmp[128];
	size_t s, d, n, i;

	for (s = 0; s < 20; s++)
		for (d = 0; d < 20; d++)
			for (n = 0; n <= 64; n++) {
				fill_pattern(buf, sizeof(buf), s ^ n);
				for (i = 0; i < sizeof(buf); i++)
					ref[i] = buf[i];
				for (i = 0; i < n; i++)
					tmp[i] = ref[s + i];
				for (i = 0; i < n; i++)
					ref[d + i] = tmp[i];
				KTEST_ASSERT_TRUE(t, memmove(buf + d, buf + s,
							     n) == buf + d);
				KTEST_ASSERT_TRUE(t, !memcmp(buf, ref,
							     sizeof(buf)));
			}
}

static void test_memset(struct ktest *t)
{
	u8 buf[80];
	size_t off, n, i;

	for (off = 0; off < 8; off++)
		for (n = 0; n <= 64; n++) {
			for (i = 0; i < sizeof(buf); i++)
				buf[i] = 0x11;
			memset(buf + off, 0x1ab, n);
			for (i = 0; i < sizeof(buf); i++) {
				u8 want = i >= off && i < off + n ? 0xab : 0x11;

				KTEST_ASSERT_EQ(t, buf[i], want);
			}
		}
}

static void test_memcmp_memchr(struct ktest *t)
{
	static const char s[] = "hello\0world";
	static const char ff[] = "\xff";

	KTEST_EXPECT_EQ(t, memcmp("abc", "abc", 3), 0);
	KTEST_EXPECT_LT(t, memcmp("abc", "abd", 3), 0);
	KTEST_EXPECT_GT(t, memcmp("abd", "abc", 3), 0);
	KTEST_EXPECT_EQ(t, memcmp("abc", "abd", 2), 0);
	KTEST_EXPECT_EQ(t, memcmp("x", "y", 0), 0);
	KTEST_EXPECT_GT(t, memcmp("\x80", "\x7f", 1), 0);
	KTEST_EXPECT_PTR_EQ(t, memchr(s, 'l', sizeof(s)), s + 2);
	KTEST_EXPECT_PTR_EQ(t, memchr(s, 'w', sizeof(s)), s + 6);
	KTEST_EXPECT_PTR_EQ(t, memchr(s, '\0', sizeof(s)), s + 5);
	KTEST_EXPECT_NULL(t, memchr(s, 'w', 5));
	KTEST_EXPECT_PTR_EQ(t, memchr(ff, 0x1ff, 1), ff);
	KTEST_EXPECT_PTR_EQ(t, memchr(ff, -1, 1), ff);
}

static void test_strlen_cmp(struct ktest *t)
{
	KTEST_EXPECT_EQ(t, strlen(""), 0);
	KTEST_EXPECT_EQ(t, strlen("kernel"), 6);
	KTEST_EXPECT_EQ(t, strnlen("kernel", 3), 3);
	KTEST_EXPECT_EQ(t, strnlen("kernel", 100), 6);
	KTEST_EXPECT_EQ(t, strnlen("abcd", 0), 0);
	KTEST_EXPECT_EQ(t, strcmp("abc", "abc"), 0);
	KTEST_EXPECT_LT(t, strcmp("abc", "abd"), 0);
	KTEST_EXPECT_GT(t, strcmp("abc", "ab"), 0);
	KTEST_EXPECT_GT(t, strcmp("\xe9", "e"), 0);
	KTEST_EXPECT_EQ(t, strncmp("abcx", "abcy", 3), 0);
	KTEST_EXPECT_LT(t, strncmp("abcx", "abcy", 4), 0);
	KTEST_EXPECT_EQ(t, strcasecmp("HeLLo", "hello"), 0);
	KTEST_EXPECT_LT(t, strcasecmp("apple", "BANANA"), 0);
	KTEST_EXPECT_LT(t, strcasecmp("[", "{"), 0);
	KTEST_EXPECT_EQ(t, strncasecmp("ABCdef", "abcXYZ", 3), 0);
	KTEST_EXPECT_LT(t, strncasecmp("ABCdef", "abcXYZ", 4), 0);
}

static void test_search(struct ktest *t)
{
	const char *s = "a/b/c";
	const char *h = "the cat sat on the mat";

	KTEST_EXPECT_PTR_EQ(t, strchr(s, '/'), s + 1);
	KTEST_EXPECT_PTR_EQ(t, strrchr(s, '/'), s + 3);
	KTEST_EXPECT_PTR_EQ(t, strchr(s, '\0'), s + 5);
	KTEST_EXPECT_PTR_EQ(t, strrchr(s, '\0'), s + 5);
	KTEST_EXPECT_NULL(t, strchr(s, 'x'));
	KTEST_EXPECT_NULL(t, strrchr(s, 'x'));
	KTEST_EXPECT_PTR_EQ(t, strstr(h, "sat"), h + 8);
	KTEST_EXPECT_PTR_EQ(t, strstr(h, "mat"), h + 19);
	KTEST_EXPECT_PTR_EQ(t, strstr(h, ""), h);
	KTEST_EXPECT_NULL(t, strstr(h, "mats"));
	KTEST_EXPECT_STREQ(t, strstr("aaab", "aab"), "aab");
	KTEST_EXPECT_EQ(t, strspn("  \tx", " \t"), 3);
	KTEST_EXPECT_EQ(t, strspn("abc", ""), 0);
	KTEST_EXPECT_EQ(t, strcspn("key=value", "="), 3);
	KTEST_EXPECT_EQ(t, strcspn("novalue", "="), 7);
}

static void test_strsep(struct ktest *t)
{
	char buf[] = "a,b,,c";
	char *p = buf;

	KTEST_EXPECT_STREQ(t, strsep(&p, ","), "a");
	KTEST_EXPECT_STREQ(t, strsep(&p, ","), "b");
	KTEST_EXPECT_STREQ(t, strsep(&p, ","), "");
	KTEST_EXPECT_STREQ(t, strsep(&p, ","), "c");
	KTEST_EXPECT_NULL(t, p);
	KTEST_EXPECT_NULL(t, strsep(&p, ","));
}

static void test_strlcpy_strlcat(struct ktest *t)
{
	char buf[8];

	KTEST_EXPECT_EQ(t, strlcpy(buf, "hello", sizeof(buf)), 5);
	KTEST_EXPECT_STREQ(t, buf, "hello");
	KTEST_EXPECT_EQ(t, strlcpy(buf, "hello world", sizeof(buf)), 11);
	KTEST_EXPECT_STREQ(t, buf, "hello w");
	buf[0] = 'Q';
	KTEST_EXPECT_EQ(t, strlcpy(buf, "abc", 0), 3);
	KTEST_EXPECT_EQ(t, buf[0], 'Q');
	strlcpy(buf, "ab", sizeof(buf));
	KTEST_EXPECT_EQ(t, strlcat(buf, "cd", sizeof(buf)), 4);
	KTEST_EXPECT_STREQ(t, buf, "abcd");
	KTEST_EXPECT_EQ(t, strlcat(buf, "efghij", sizeof(buf)), 10);
	KTEST_EXPECT_STREQ(t, buf, "abcdefg");
	KTEST_EXPECT_EQ(t, strlcat(buf, "xyz", 3), 6);
	KTEST_EXPECT_STREQ(t, buf, "abcdefg");
}

static void test_strscpy(struct ktest *t)
{
	char buf[6];
	char src[4] = { 'w', 'x', 'y', 'z' };	/* no terminator */

	KTEST_EXPECT_EQ(t, strscpy(buf, "abc", sizeof(buf)), 3);
	KTEST_EXPECT_STREQ(t, buf, "abc");
	KTEST_EXPECT_EQ(t, strscpy(buf, "abcde", sizeof(buf)), 5);
	KTEST_EXPECT_EQ(t, strscpy(buf, "abcdef", sizeof(buf)), -E2BIG);
	KTEST_EXPECT_STREQ(t, buf, "abcde");
	KTEST_EXPECT_EQ(t, strscpy(buf, "", sizeof(buf)), 0);
	KTEST_EXPECT_STREQ(t, buf, "");
	buf[0] = 'Q';
	KTEST_EXPECT_EQ(t, strscpy(buf, "abc", 0), -E2BIG);
	KTEST_EXPECT_EQ(t, buf[0], 'Q');
	KTEST_EXPECT_EQ(t, strscpy(buf, src, sizeof(src)), -E2BIG);
	KTEST_EXPECT_STREQ(t, buf, "wxy");
	KTEST_EXPECT_EQ(t, strscpy(buf, "a", (size_t)__INT_MAX__ + 1),
			-E2BIG);
}

static void test_ctype(struct ktest *t)
{
	int c;

	for (c = -300; c < 300; c++) {
		bool ascii = c >= 0 && c < 128;

		KTEST_ASSERT_EQ(t, !!isdigit(c), ascii && c >= '0' && c <= '9');
		KTEST_ASSERT_EQ(t, !!isalpha(c), (c >= 'a' && c <= 'z') ||
						   (c >= 'A' && c <= 'Z'));
		KTEST_ASSERT_EQ(t, !!isprint(c), c >= 32 && c < 127);
		KTEST_ASSERT_EQ(t, !!iscntrl(c), ascii && (c < 32 || c == 127));
		KTEST_ASSERT_EQ(t, !!ispunct(c), isgraph(c) && !isalnum(c));
		KTEST_ASSERT_EQ(t, !!isspace(c),
				c == ' ' || (c >= '\t' && c <= '\r'));
		KTEST_ASSERT_EQ(t, !!isxdigit(c),
				isdigit(c) || (c >= 'a' && c <= 'f') ||
					(c >= 'A' && c <= 'F'));
		KTEST_ASSERT_EQ(t, tolower(c), isupper(c) ? c + 32 : c);
		KTEST_ASSERT_EQ(t, toupper(c), islower(c) ? c - 32 : c);
	}
}

static struct ktest_case string_cases[] = {
	KTEST_CASE(test_memcpy_alignments),
	KTEST_CASE(test_memmove_overlap),
	KTEST_CASE(test_memset),
	KTEST_CASE(test_memcmp_memchr),
	KTEST_CASE(test_strlen_cmp),
	KTEST_CASE(test_search),
	KTEST_CASE(test_strsep),
	KTEST_CASE(test_strlcpy_strlcat),
	KTEST_CASE(test_strscpy),
	KTEST_CASE(test_ctype),
	{}
};
KTEST_SUITE(string, string_cases);
