/*
 * Host tests for kernel/lib/vsprintf.c.
 *
 * Most cases compare Keel's vsnprintf with the host C library's for the
 * same format and arguments: a matrix of every flag combination, widths,
 * precisions, conversions, length modifiers and boundary values, each also
 * checked at truncating buffer sizes. The kernel-only behaviour (%p, %pS,
 * bad %s pointers, unknown conversions, size limits, scnprintf) is checked
 * against fixed expectations.
 */
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>

#include <keel/err.h>
#include <keel/sprintf.h>
#include <keel/string.h>

#define BUF 512

/*
 * Compare Keel's and the host's output for @fmt at full size and at every
 * truncating size from 0 to the full length.
 */
static void __attribute__((format(printf, 3, 4)))
check_fmt(const char *file, int line, const char *fmt, ...)
{
	char kbuf[BUF], hbuf[BUF];
	va_list ap, aq;
	int kn, hn;

	va_start(ap, fmt);
	va_copy(aq, ap);
	hn = host_vsnprintf(hbuf, sizeof(hbuf), fmt, aq);
	va_end(aq);
	for (int size = hn + 1; size >= 0; size--) {
		memset(kbuf, '@', sizeof(kbuf));
		va_copy(aq, ap);
		kn = vsnprintf(size ? kbuf : NULL, (size_t)size, fmt, aq);
		va_end(aq);
		if (kn != hn)
			fail_msg("%s:%d: \"%s\" size %d: keel returned %d, "
				 "host %d (\"%s\")", file, line, fmt, size,
				 kn, hn, hbuf);
		if (size && (strncmp(kbuf, hbuf, (size_t)size - 1) ||
			     kbuf[size - 1] != '\0' || kbuf[size] != '@'))
			fail_msg("%s:%d: \"%s\" size %d: keel \"%s\", host "
				 "\"%s\"", file, line, fmt, size, kbuf, hbuf);
		/* Beyond a few truncations, only check the full size. */
		if (size < hn - 3 && size > 2)
			size = 3;
	}
	va_end(ap);
}

#define CHECK(...) check_fmt(__FILE__, __LINE__, __VA_ARGS__)

/* Expect exactly @want (and its length as return value) from @fmt. */
static void __attribute__((format(printf, 4, 5)))
expect_fmt(const char *file, int line, const char *want, const char *fmt,
	   ...)
{
	char buf[BUF];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n != (int)strlen(want) || strcmp(buf, want))
		fail_msg("%s:%d: \"%s\": got \"%s\" (%d), want \"%s\"", file,
			 line, fmt, buf, n, want);
}

#define EXPECT(want, ...) expect_fmt(__FILE__, __LINE__, want, __VA_ARGS__)

/* snprintf without the format attribute, for formats the compiler's format
 * checker rightly rejects. */
static int raw_snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

static void expect_raw(const char *want, const char *fmt, ...)
{
	char buf[BUF];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	assert_string_equal(buf, want);
	assert_int_equal(n, strlen(want));
}

static const long long values[] = {
	0, 1, -1, 7, -7, 8, 9, 10, 15, 16, 42, -42, 100, 127, 128, -128, 255,
	256, 1000, 32767, -32768, 65535, 65536, 999999, INT_MAX, INT_MIN,
	(long long)UINT_MAX, 0x123456789abcdefLL, LLONG_MAX, LLONG_MIN,
	(long long)ULLONG_MAX - 5,
};

static const char *const flag_sets[] = {
	"", "-", "0", "+", " ", "#", "-0", "+0", "- ", "+ ", "#0", "#-",
	"-+", "0 ", "#+", "-+ #0",
};
static const char *const widths[] = { "", "1", "3", "8", "25" };
static const char *const precisions[] = { "", ".", ".0", ".1", ".4", ".22" };

/* Call check_fmt with @v passed as the type @len and @conv call for. */
static void check_one(const char *fmt, const char *len, char conv,
		      long long v)
{
	bool sgn = conv == 'd' || conv == 'i';
	unsigned long long u = (unsigned long long)v;

	if (!strcmp(len, "l"))
		sgn ? CHECK(fmt, (long)v) : CHECK(fmt, (unsigned long)u);
	else if (!strcmp(len, "ll"))
		sgn ? CHECK(fmt, v) : CHECK(fmt, u);
	else if (!strcmp(len, "z"))
		sgn ? CHECK(fmt, (ssize_t)v) : CHECK(fmt, (size_t)u);
	else if (!strcmp(len, "t"))
		CHECK(fmt, (ptrdiff_t)v);
	else if (!strcmp(len, "j"))
		sgn ? CHECK(fmt, (intmax_t)v) : CHECK(fmt, (uintmax_t)u);
	else	/* "", "h", "hh": int-sized after promotion */
		sgn ? CHECK(fmt, (int)v) : CHECK(fmt, (unsigned int)u);
}

static void integer_matrix(const char *len)
{
	static const char convs[] = "diuxXo";
	char fmt[64];

	for (size_t f = 0; f < ARRAY_SIZE(flag_sets); f++)
		for (size_t w = 0; w < ARRAY_SIZE(widths); w++)
			for (size_t p = 0; p < ARRAY_SIZE(precisions); p++)
				for (const char *c = convs; *c; c++) {
					host_snprintf(fmt, sizeof(fmt),
						      "<%%%s%s%s%s%c>",
						      flag_sets[f], widths[w],
						      precisions[p], len, *c);
					for (size_t v = 0;
					     v < ARRAY_SIZE(values); v++)
						check_one(fmt, len, *c,
							  values[v]);
				}
}

static void test_int_plain(void **state) { integer_matrix(""); }
static void test_int_hh(void **state) { integer_matrix("hh"); }
static void test_int_h(void **state) { integer_matrix("h"); }
static void test_int_l(void **state) { integer_matrix("l"); }
static void test_int_ll(void **state) { integer_matrix("ll"); }
static void test_int_z(void **state) { integer_matrix("z"); }
static void test_int_t(void **state) { integer_matrix("t"); }
static void test_int_j(void **state) { integer_matrix("j"); }

static void test_int_extremes(void **state)
{
	EXPECT("-2147483648", "%d", INT_MIN);
	EXPECT("-9223372036854775808", "%lld", LLONG_MIN);
	EXPECT("-9223372036854775808", "%ld", LONG_MIN);
	EXPECT("18446744073709551615", "%llu", ULLONG_MAX);
	EXPECT("ffffffffffffffff", "%llx", ULLONG_MAX);
	EXPECT("1777777777777777777777", "%llo", ULLONG_MAX);
	/* Narrowed after promotion (clang's checker dislikes these). */
	expect_raw("-128", "%hhd", 128);
	expect_raw("255", "%hhu", -1);
	expect_raw("-1", "%hd", 65535);
	expect_raw("0", "%hu", 65536);
	EXPECT("0xdeadbeef", "%#x", 0xdeadbeefU);
	EXPECT("0XDEADBEEF", "%#X", 0xdeadbeefU);
	EXPECT("0", "%#x", 0);
	EXPECT("0", "%#o", 0);
	EXPECT("", "%.0d", 0);
	EXPECT("0", "%#.0o", 0);
	EXPECT("-0042", "%05d", -42);
	EXPECT("+42  ", "%-+5d", 42);
}

static void test_star(void **state)
{
	static const int ws[] = { -30, -5, -1, 0, 1, 4, 12 };

	for (size_t i = 0; i < ARRAY_SIZE(ws); i++)
		for (size_t j = 0; j < ARRAY_SIZE(ws); j++) {
			CHECK("[%*d]", ws[i], -123);
			CHECK("[%.*d]", ws[j], 45);
			CHECK("[%*.*x]", ws[i], ws[j], 0xabcU);
			CHECK("[%-*.*s]", ws[i], ws[j], "string");
			CHECK("[%0*d]", ws[i], 7);
		}
}

static void test_chars_and_strings(void **state)
{
	static const char *const strs[] = { "", "a", "hello",
					    "0123456789abcdef" };
	static const char *const sflags[] = { "", "-" };
	char fmt[32];

	for (size_t f = 0; f < ARRAY_SIZE(sflags); f++)
		for (size_t w = 0; w < ARRAY_SIZE(widths); w++) {
			host_snprintf(fmt, sizeof(fmt), "(%%%s%sc)", sflags[f],
				      widths[w]);
			CHECK(fmt, 'x');
			CHECK(fmt, 0x141);	/* becomes unsigned char */
			for (size_t p = 0; p < ARRAY_SIZE(precisions); p++) {
				host_snprintf(fmt, sizeof(fmt), "(%%%s%s%ss)",
					      sflags[f], widths[w],
					      precisions[p]);
				for (size_t s = 0; s < ARRAY_SIZE(strs); s++)
					CHECK(fmt, strs[s]);
			}
		}
	CHECK("%c%c%c", 'a', '\0', 'b');
	CHECK("%s and %s", "this", "that");
}

static void test_literals(void **state)
{
	CHECK("no conversions at all");
	CHECK("100%%");
	CHECK("%%%d%%", 5);
	EXPECT("", "%s", "");
	expect_raw("", "");
}

static void test_null_and_bad_strings(void **state)
{
	const char *volatile null = NULL;

	EXPECT("(null)", "%s", null);
	EXPECT("[  (null)]", "[%8s]", null);
	EXPECT("(nu", "%.3s", null);
	EXPECT("(efault)", "%s", (const char *)16);
	EXPECT("(efault)", "%s", (const char *)ERR_PTR(-22));
}

static void test_pointer(void **state)
{
	void *volatile null = NULL;

	EXPECT("0x0000000000000000", "%p", null);
	EXPECT("0xffffffff80001234", "%p", (void *)0xffffffff80001234UL);
	EXPECT("0x00000000deadbeef", "%px", (void *)0xdeadbeefUL);
	EXPECT("[  0x0000000000000001]", "[%20p]", (void *)1);
	EXPECT("[0x0000000000000001  ]", "[%-20p]", (void *)1);
	/* Only S and x are extensions; other letters are plain text. */
	EXPECT("0x0000000000000010K", "%pK", (void *)16);
}

static int fake_symbol(char *buf, size_t size, unsigned long addr)
{
	if (addr < 0x1000 || addr >= 0x2000)
		return -1;
	return snprintf(buf, size, "fn+0x%lx/0x1000", addr - 0x1000);
}

static int long_symbol(char *buf, size_t size, unsigned long addr)
{
	memset(buf, 'n', size - 1);
	buf[size - 1] = '\0';
	return (int)size + 50;	/* pretend it was truncated */
}

static void test_symbol_hook(void **state)
{
	char want[200];

	assert_null(vsprintf_symbol_hook);
	EXPECT("0x0000000000001010", "%pS", (void *)0x1010);
	vsprintf_symbol_hook = fake_symbol;
	EXPECT("fn+0x10/0x1000", "%pS", (void *)0x1010);
	EXPECT("[   fn+0x0/0x1000]", "[%16pS]", (void *)0x1000);
	EXPECT("0x0000000000003000", "%pS", (void *)0x3000);
	EXPECT("0x0000000000001010", "%p", (void *)0x1010);
	vsprintf_symbol_hook = long_symbol;
	memset(want, 'n', 127);
	want[127] = '\0';
	EXPECT(want, "%pS", (void *)1);
	vsprintf_symbol_hook = NULL;
}

static void test_unknown_conversions(void **state)
{
	expect_raw("a%yb", "a%yb");
	expect_raw("%-5y", "%-5y");
	expect_raw("x%", "x%");
	expect_raw("x%-0", "x%-0");
	expect_raw("%f", "%f");
	expect_raw("%n", "%n");	/* never writes through an argument */
	expect_raw("%5.2n|7", "%5.2n|%d", 7);
}

static void test_size_zero_and_null(void **state)
{
	char buf[4] = "abc";

	assert_int_equal(snprintf(NULL, 0, "hello %d", 42), 8);
	assert_int_equal(snprintf(buf, 0, "hello"), 5);
	assert_string_equal(buf, "abc");
	assert_int_equal(snprintf(buf, 1, "hello"), 5);
	assert_string_equal(buf, "");
	assert_int_equal(snprintf(buf, sizeof(buf), "hello"), 5);
	assert_string_equal(buf, "hel");
	assert_int_equal(scnprintf(NULL, 0, "hello"), 0);
	assert_int_equal(scnprintf(buf, 1, "hello"), 0);
	assert_int_equal(scnprintf(buf, sizeof(buf), "hello"), 3);
	assert_int_equal(scnprintf(buf, sizeof(buf), "hi"), 2);
	assert_string_equal(buf, "hi");
	assert_int_equal(scnprintf(buf, sizeof(buf), "%s", ""), 0);
	assert_int_equal(raw_snprintf(buf, sizeof(buf), ""), 0);
}

static void test_size_too_big(void **state)
{
	char buf[8] = "keep";

	assert_int_equal(snprintf(buf, (size_t)INT_MAX + 1, "x"), 0);
	assert_string_equal(buf, "keep");
	assert_int_equal(scnprintf(buf, SIZE_MAX, "x"), 0);
	assert_string_equal(buf, "keep");
	assert_int_equal(snprintf(buf, INT_MAX, "x"), 1);
}

static void test_huge_width(void **state)
{
	char buf[16];

	/* Widths are clamped to 2^23-1 and padding is only counted. */
	assert_int_equal(snprintf(buf, sizeof(buf), "%2147483647d", 1),
			 (1 << 23) - 1);
	assert_string_equal(buf, "               ");
	assert_int_equal(snprintf(buf, sizeof(buf), "%.99999999d", 1),
			 (1 << 23) - 1);
	assert_string_equal(buf, "000000000000000");
	assert_int_equal(raw_snprintf(NULL, 0, "%*d", INT_MIN, 1),
			 (1 << 23) - 1);
}

static int call_vscnprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vscnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

static void test_vscnprintf_append(void **state)
{
	char buf[16];
	int len = 0;

	for (int i = 0; i < 10; i++)
		len += call_vscnprintf(buf + len, sizeof(buf) - len, "%d,", i);
	assert_int_equal(len, 15);
	assert_string_equal(buf, "0,1,2,3,4,5,6,7");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_int_plain),
		cmocka_unit_test(test_int_hh),
		cmocka_unit_test(test_int_h),
		cmocka_unit_test(test_int_l),
		cmocka_unit_test(test_int_ll),
		cmocka_unit_test(test_int_z),
		cmocka_unit_test(test_int_t),
		cmocka_unit_test(test_int_j),
		cmocka_unit_test(test_int_extremes),
		cmocka_unit_test(test_star),
		cmocka_unit_test(test_chars_and_strings),
		cmocka_unit_test(test_literals),
		cmocka_unit_test(test_null_and_bad_strings),
		cmocka_unit_test(test_pointer),
		cmocka_unit_test(test_symbol_hook),
		cmocka_unit_test(test_unknown_conversions),
		cmocka_unit_test(test_size_zero_and_null),
		cmocka_unit_test(test_size_too_big),
		cmocka_unit_test(test_huge_width),
		cmocka_unit_test(test_vscnprintf_append),
	};

	return cmocka_run_group_tests_name("vsprintf", tests, NULL, NULL);
}
