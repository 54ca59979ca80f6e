/*
 * ktests for kernel/lib/vsprintf.c: ISO C conversions with their flag,
 * width and precision rules, boundary values, the kernel extensions (%p,
 * %px, %pS through the symbol hook, "(null)"/"(efault)" strings, literal
 * unknown conversions) and the return values and truncation of the
 * snprintf and scnprintf families. The expected strings were checked
 * against glibc's printf by the host tests.
 */
#include <keel/err.h>
#include <keel/errno.h>
#include <keel/ktest.h>
#include <keel/sprintf.h>
#include <keel/string.h>

static char buf[256];

/* snprintf into buf without the format attribute: for the formats a
 * compiler's checker rejects on purpose (narrowing, unknown letters,
 * flags that C says are ignored). */
static const char *fmt_raw(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	return buf;
}

#define FMT(...) (snprintf(buf, sizeof(buf), __VA_ARGS__), buf)

static void test_decimal(struct ktest *t)
{
	KTEST_EXPECT_STREQ(t, FMT("%d", 0), "0");
	KTEST_EXPECT_STREQ(t, FMT("%d|%i", -42, 42), "-42|42");
	KTEST_EXPECT_STREQ(t, FMT("%5d|%-5d|%05d", 42, 42, -42),
			   "   42|42   |-0042");
	KTEST_EXPECT_STREQ(t, fmt_raw("%+d|% d|%+ d", 7, 7, 7), "+7| 7|+7");
	KTEST_EXPECT_STREQ(t, FMT("%.3d|%8.3d|%-8.3d|", 5, -5, 5),
			   "005|    -005|005     |");
	KTEST_EXPECT_STREQ(t, fmt_raw("%08.3d", 5), "     005");
	KTEST_EXPECT_STREQ(t, FMT("[%.0d][%5.0d]", 0, 0), "[][     ]");
	KTEST_EXPECT_STREQ(t, FMT("%u", 4294967295U), "4294967295");
	KTEST_EXPECT_STREQ(t, fmt_raw("%+u", 3U), "3");
}

static void test_extremes(struct ktest *t)
{
	KTEST_EXPECT_STREQ(t, FMT("%d", -__INT_MAX__ - 1), "-2147483648");
	KTEST_EXPECT_STREQ(t, FMT("%lld", -__LONG_LONG_MAX__ - 1),
			   "-9223372036854775808");
	KTEST_EXPECT_STREQ(t, FMT("%ld", -__LONG_MAX__ - 1),
			   "-9223372036854775808");
	KTEST_EXPECT_STREQ(t, FMT("%llu", ~0ULL), "18446744073709551615");
	KTEST_EXPECT_STREQ(t, FMT("%llx", ~0ULL), "ffffffffffffffff");
	KTEST_EXPECT_STREQ(t, FMT("%llo", ~0ULL), "1777777777777777777777");
	KTEST_EXPECT_STREQ(t, FMT("%zu|%zd", (size_t)-1, (ssize_t)-1),
			   "18446744073709551615|-1");
	KTEST_EXPECT_STREQ(t, FMT("%td|%jd|%ju", (ptrdiff_t)-3, (intmax_t)-4,
				  (uintmax_t)5), "-3|-4|5");
	KTEST_EXPECT_STREQ(t, fmt_raw("%hhd|%hhu|%hd|%hu", 128, -1, 65535,
				      65536), "-128|255|-1|0");
}

static void test_hex_octal(struct ktest *t)
{
	KTEST_EXPECT_STREQ(t, FMT("%x|%X", 0xbeefU, 0xbeefU), "beef|BEEF");
	KTEST_EXPECT_STREQ(t, FMT("%#x|%#X", 0xdeadU, 0xdeadU),
			   "0xdead|0XDEAD");
	KTEST_EXPECT_STREQ(t, FMT("%#x|%#o|%#.0o|%#.0x|", 0, 0, 0, 0),
			   "0|0|0||");
	KTEST_EXPECT_STREQ(t, FMT("%#o|%#.3o|%o", 8, 8, 8), "010|010|10");
	KTEST_EXPECT_STREQ(t, FMT("%#8x|%#08x|%-#8x|", 255, 255, 255),
			   "    0xff|0x0000ff|0xff    |");
	KTEST_EXPECT_STREQ(t, fmt_raw("%08.4x", 0x1fU), "    001f");
	KTEST_EXPECT_STREQ(t, FMT("%lx", 0xffffffff80000000UL),
			   "ffffffff80000000");
}

static void test_star(struct ktest *t)
{
	KTEST_EXPECT_STREQ(t, FMT("[%*d]", 5, 1), "[    1]");
	KTEST_EXPECT_STREQ(t, FMT("[%*d]", -5, 1), "[1    ]");
	KTEST_EXPECT_STREQ(t, FMT("[%.*d]", 3, 1), "[001]");
	KTEST_EXPECT_STREQ(t, FMT("[%.*d]", -3, 1), "[1]");
	KTEST_EXPECT_STREQ(t, FMT("[%*.*s]", 6, 2, "abcdef"), "[    ab]");
}

static void test_chars_strings(struct ktest *t)
{
	const char *volatile null = NULL;

	KTEST_EXPECT_STREQ(t, FMT("%c%c", 'o', 'k'), "ok");
	KTEST_EXPECT_STREQ(t, FMT("[%3c][%-3c]", 'a', 'b'), "[  a][b  ]");
	KTEST_EXPECT_STREQ(t, FMT("[%s]", ""), "[]");
	KTEST_EXPECT_STREQ(t, FMT("[%6s][%-6s]", "ab", "ab"),
			   "[    ab][ab    ]");
	KTEST_EXPECT_STREQ(t, FMT("[%.2s][%.0s][%.9s]", "abc", "abc", "abc"),
			   "[ab][][abc]");
	KTEST_EXPECT_STREQ(t, FMT("%s", null), "(null)");
	KTEST_EXPECT_STREQ(t, FMT("%.3s", null), "(nu");
	KTEST_EXPECT_STREQ(t, FMT("%s", (const char *)8), "(efault)");
	KTEST_EXPECT_STREQ(t, FMT("%s", (const char *)ERR_PTR(-EINVAL)),
			   "(efault)");
	KTEST_EXPECT_STREQ(t, FMT("100%%"), "100%");
}

static void test_pointers(struct ktest *t)
{
	void *volatile null = NULL;

	KTEST_EXPECT_STREQ(t, FMT("%p", null), "0x0000000000000000");
	KTEST_EXPECT_STREQ(t, FMT("%p", (void *)0xffffffff80001234UL),
			   "0xffffffff80001234");
	KTEST_EXPECT_STREQ(t, FMT("%px", (void *)0xdeadbeefUL),
			   "0x00000000deadbeef");
	KTEST_EXPECT_STREQ(t, FMT("[%20p]", (void *)1),
			   "[  0x0000000000000001]");
	KTEST_EXPECT_STREQ(t, FMT("%pK", (void *)16), "0x0000000000000010K");
}

static int fake_symbol(char *out, size_t size, unsigned long addr)
{
	if (addr < 0x1000 || addr >= 0x2000)
		return -1;
	return snprintf(out, size, "fn+0x%lx/0x1000", addr - 0x1000);
}

static void test_symbol_hook(struct ktest *t)
{
	int (*saved)(char *, size_t, unsigned long) =
		READ_ONCE(vsprintf_symbol_hook);

	WRITE_ONCE(vsprintf_symbol_hook, NULL);
	KTEST_EXPECT_STREQ(t, FMT("%pS", (void *)0x1010),
			   "0x0000000000001010");
	WRITE_ONCE(vsprintf_symbol_hook, fake_symbol);
	KTEST_EXPECT_STREQ(t, FMT("%pS", (void *)0x1010), "fn+0x10/0x1000");
	KTEST_EXPECT_STREQ(t, FMT("[%16pS]", (void *)0x1000),
			   "[   fn+0x0/0x1000]");
	KTEST_EXPECT_STREQ(t, FMT("%pS", (void *)0x3000),
			   "0x0000000000003000");
	WRITE_ONCE(vsprintf_symbol_hook, saved);
}

static void test_unknown(struct ktest *t)
{
	KTEST_EXPECT_STREQ(t, fmt_raw("a%yb"), "a%yb");
	KTEST_EXPECT_STREQ(t, fmt_raw("%-5y"), "%-5y");
	KTEST_EXPECT_STREQ(t, fmt_raw("x%"), "x%");
	KTEST_EXPECT_STREQ(t, fmt_raw("%n|%d", 3), "%n|3");
}

static void test_truncation(struct ktest *t)
{
	char small[4] = "abc";
	size_t size;

	KTEST_EXPECT_EQ(t, snprintf(NULL, 0, "hello %d", 42), 8);
	KTEST_EXPECT_EQ(t, snprintf(small, 0, "hello"), 5);
	KTEST_EXPECT_STREQ(t, small, "abc");
	KTEST_EXPECT_EQ(t, snprintf(small, 1, "hello"), 5);
	KTEST_EXPECT_STREQ(t, small, "");
	KTEST_EXPECT_EQ(t, snprintf(small, sizeof(small), "hello"), 5);
	KTEST_EXPECT_STREQ(t, small, "hel");
	for (size = 1; size <= 12; size++) {
		memset(buf, '@', 16);
		KTEST_EXPECT_EQ(t, snprintf(buf, size, "%s-%05d", "ab", 42), 8);
		KTEST_EXPECT_EQ(t, strlen(buf), size <= 8 ? size - 1 : 8);
		KTEST_EXPECT_EQ(t, buf[size], '@');
		KTEST_EXPECT_TRUE(t, !strncmp(buf, "ab-00042", size - 1));
	}
	KTEST_EXPECT_EQ(t, snprintf(small, (size_t)__INT_MAX__ + 1, "x"), 0);
	KTEST_EXPECT_STREQ(t, small, "hel");
}

static void test_scnprintf(struct ktest *t)
{
	char small[16];
	int len = 0, i;

	KTEST_EXPECT_EQ(t, scnprintf(NULL, 0, "hello"), 0);
	KTEST_EXPECT_EQ(t, scnprintf(small, 1, "hello"), 0);
	KTEST_EXPECT_EQ(t, scnprintf(small, 4, "hello"), 3);
	KTEST_EXPECT_EQ(t, scnprintf(small, 4, "hi"), 2);
	for (i = 0; i < 10; i++)
		len += scnprintf(small + len, sizeof(small) - len, "%d,", i);
	KTEST_EXPECT_EQ(t, len, 15);
	KTEST_EXPECT_STREQ(t, small, "0,1,2,3,4,5,6,7");
}

static void test_huge_fields(struct ktest *t)
{
	char small[8];

	/* Widths are clamped and padding beyond the buffer only counted. */
	KTEST_EXPECT_EQ(t, snprintf(small, sizeof(small), "%99999999d", 1),
			(1 << 23) - 1);
	KTEST_EXPECT_STREQ(t, small, "       ");
}

static struct ktest_case vsprintf_cases[] = {
	KTEST_CASE(test_decimal),
	KTEST_CASE(test_extremes),
	KTEST_CASE(test_hex_octal),
	KTEST_CASE(test_star),
	KTEST_CASE(test_chars_strings),
	KTEST_CASE(test_pointers),
	KTEST_CASE(test_symbol_hook),
	KTEST_CASE(test_unknown),
	KTEST_CASE(test_truncation),
	KTEST_CASE(test_scnprintf),
	KTEST_CASE(test_huge_fields),
	{}
};
KTEST_SUITE(vsprintf, vsprintf_cases);
