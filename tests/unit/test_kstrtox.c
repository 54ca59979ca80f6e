/*
 * Host tests for kernel/lib/kstrtox.c: every conversion's success values,
 * bases, boundaries on both sides of each type's range, malformed input,
 * the untouched-result-on-error rule, kstrtobool's spellings and
 * parse_size()'s suffixes, end pointer and overflow detection.
 */
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <keel/errno.h>
#include <keel/kstrtox.h>

struct ull_case {
	const char *s;
	unsigned int base;
	int ret;
	unsigned long long val;
};

static const struct ull_case ull_cases[] = {
	{ "0", 10, 0, 0 },
	{ "1", 10, 0, 1 },
	{ "+42", 10, 0, 42 },
	{ "42\n", 10, 0, 42 },
	{ "18446744073709551615", 10, 0, ULLONG_MAX },
	{ "18446744073709551616", 10, -ERANGE, 0 },
	{ "99999999999999999999999", 10, -ERANGE, 0 },
	{ "99999999999999999999999x", 10, -ERANGE, 0 },
	{ "0xffffffffffffffff", 16, 0, ULLONG_MAX },
	{ "0x10000000000000000", 16, -ERANGE, 0 },
	{ "ffffffffffffffff", 16, 0, ULLONG_MAX },
	{ "0x1F", 16, 0, 31 },
	{ "0X1f", 0, 0, 31 },
	{ "0x", 16, -EINVAL, 0 },
	{ "0x", 0, -EINVAL, 0 },
	{ "0xg", 0, -EINVAL, 0 },
	{ "017", 0, 0, 15 },
	{ "0", 0, 0, 0 },
	{ "08", 0, -EINVAL, 0 },
	{ "17", 8, 0, 15 },
	{ "8", 8, -EINVAL, 0 },
	{ "101", 2, 0, 5 },
	{ "2", 2, -EINVAL, 0 },
	{ "zz", 36, 0, 36 * 36 - 1 },
	{ "ZZ", 36, 0, 36 * 36 - 1 },
	{ "1", 1, -EINVAL, 0 },
	{ "1", 37, -EINVAL, 0 },
	{ "", 10, -EINVAL, 0 },
	{ "\n", 10, -EINVAL, 0 },
	{ "+", 10, -EINVAL, 0 },
	{ "-1", 10, -EINVAL, 0 },
	{ " 1", 10, -EINVAL, 0 },
	{ "1 ", 10, -EINVAL, 0 },
	{ "1\n\n", 10, -EINVAL, 0 },
	{ "1a", 10, -EINVAL, 0 },
	{ "++1", 10, -EINVAL, 0 },
	{ "007", 10, 0, 7 },
};

static void test_kstrtoull(void **state)
{
	for (size_t i = 0; i < sizeof(ull_cases) / sizeof(ull_cases[0]); i++) {
		const struct ull_case *c = &ull_cases[i];
		unsigned long long v = 0x5a5a;
		int ret = kstrtoull(c->s, c->base, &v);

		if (ret != c->ret)
			fail_msg("\"%s\" base %u: ret %d, want %d", c->s,
				 c->base, ret, c->ret);
		if (v != (ret ? 0x5a5a : c->val))
			fail_msg("\"%s\" base %u: value %llu, want %llu", c->s,
				 c->base, v, ret ? 0x5a5aULL : c->val);
	}
}

static void test_kstrtoll(void **state)
{
	long long v = 0;

	assert_int_equal(kstrtoll("-9223372036854775808", 10, &v), 0);
	assert_true(v == LLONG_MIN);
	assert_int_equal(kstrtoll("9223372036854775807", 10, &v), 0);
	assert_true(v == LLONG_MAX);
	v = 7;
	assert_int_equal(kstrtoll("-9223372036854775809", 10, &v), -ERANGE);
	assert_int_equal(kstrtoll("9223372036854775808", 10, &v), -ERANGE);
	assert_int_equal(kstrtoll("-18446744073709551616", 10, &v), -ERANGE);
	assert_int_equal(v, 7);
	assert_int_equal(kstrtoll("-0x10", 0, &v), 0);
	assert_int_equal(v, -16);
	assert_int_equal(kstrtoll("-010", 0, &v), 0);
	assert_int_equal(v, -8);
	assert_int_equal(kstrtoll("+5", 10, &v), 0);
	assert_int_equal(v, 5);
	assert_int_equal(kstrtoll("-0", 10, &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(kstrtoll("-5\n", 10, &v), 0);
	assert_int_equal(v, -5);
	assert_int_equal(kstrtoll("-", 10, &v), -EINVAL);
	assert_int_equal(kstrtoll("--5", 10, &v), -EINVAL);
	assert_int_equal(kstrtoll("-+5", 10, &v), -EINVAL);
	assert_int_equal(kstrtoll("+-5", 10, &v), -EINVAL);
	assert_int_equal(kstrtoll("", 10, &v), -EINVAL);
	assert_int_equal(kstrtoll("5", 99, &v), -EINVAL);
}

static void test_kstrtol_ul(void **state)
{
	unsigned long ul = 0;
	long l = 0;

	assert_int_equal(kstrtoul("18446744073709551615", 10, &ul), 0);
	assert_true(ul == ULONG_MAX);
	assert_int_equal(kstrtoul("18446744073709551616", 10, &ul), -ERANGE);
	assert_int_equal(kstrtol("-9223372036854775808", 10, &l), 0);
	assert_true(l == LONG_MIN);
	assert_int_equal(kstrtol("9223372036854775808", 10, &l), -ERANGE);
	assert_int_equal(kstrtol("0x7fffffffffffffff", 16, &l), 0);
	assert_true(l == LONG_MAX);
}

static void test_kstrtoint_uint(void **state)
{
	unsigned int u = 9;
	int i = 9;

	assert_int_equal(kstrtouint("4294967295", 10, &u), 0);
	assert_true(u == UINT_MAX);
	assert_int_equal(kstrtouint("4294967296", 10, &u), -ERANGE);
	assert_true(u == UINT_MAX);
	assert_int_equal(kstrtouint("0xffffffff", 0, &u), 0);
	assert_int_equal(kstrtoint("-2147483648", 10, &i), 0);
	assert_true(i == INT_MIN);
	assert_int_equal(kstrtoint("2147483647", 10, &i), 0);
	assert_true(i == INT_MAX);
	assert_int_equal(kstrtoint("2147483648", 10, &i), -ERANGE);
	assert_int_equal(kstrtoint("-2147483649", 10, &i), -ERANGE);
	assert_true(i == INT_MAX);
	assert_int_equal(kstrtoint("12x", 10, &i), -EINVAL);
}

static void test_kstrtou16_u8(void **state)
{
	u16 w = 1;
	u8 b = 1;

	assert_int_equal(kstrtou16("65535", 10, &w), 0);
	assert_int_equal(w, 65535);
	assert_int_equal(kstrtou16("65536", 10, &w), -ERANGE);
	assert_int_equal(w, 65535);
	assert_int_equal(kstrtou8("255", 10, &b), 0);
	assert_int_equal(b, 255);
	assert_int_equal(kstrtou8("0x100", 16, &b), -ERANGE);
	assert_int_equal(kstrtou8("-1", 10, &b), -EINVAL);
	assert_int_equal(b, 255);
}

static void test_fixed_width_wrappers(void **state)
{
	u64 u64v = 0;
	s64 s64v = 0;
	u32 u32v = 0;
	s32 s32v = 0;

	assert_int_equal(kstrtou64("0xffffffffffffffff", 0, &u64v), 0);
	assert_true(u64v == UINT64_MAX);
	assert_int_equal(kstrtos64("-1", 0, &s64v), 0);
	assert_true(s64v == -1);
	assert_int_equal(kstrtou32("4294967296", 0, &u32v), -ERANGE);
	assert_int_equal(kstrtos32("-2147483648", 0, &s32v), 0);
	assert_true(s32v == INT32_MIN);
}

static void test_kstrtobool(void **state)
{
	static const char *const yes[] = { "1", "y", "Y", "yes", "t", "T",
					   "true", "on", "On", "ON", "1\n" };
	static const char *const no[] = { "0", "n", "N", "no", "f", "F",
					  "false", "off", "Off", "OFF" };
	static const char *const bad[] = { "", "o", "ox", "2", "maybe",
					   " y", "\n", "-1" };
	bool v;

	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		v = false;
		assert_int_equal(kstrtobool(yes[i], &v), 0);
		assert_true(v);
	}
	for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++) {
		v = true;
		assert_int_equal(kstrtobool(no[i], &v), 0);
		assert_false(v);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		v = true;
		assert_int_equal(kstrtobool(bad[i], &v), -EINVAL);
		assert_true(v);
	}
	assert_int_equal(kstrtobool(NULL, &v), -EINVAL);
}

static void test_parse_size(void **state)
{
	unsigned long long v;
	char *end;
	const char *s;

	s = "64K@0x100000";
	assert_int_equal(parse_size(s, &end, &v), 0);
	assert_true(v == 64 * 1024);
	assert_ptr_equal(end, s + 3);
	assert_int_equal(*end, '@');
	assert_int_equal(parse_size(end + 1, &end, &v), 0);
	assert_true(v == 0x100000);
	assert_int_equal(*end, '\0');

	assert_int_equal(parse_size("2g", NULL, &v), 0);
	assert_true(v == 2ULL << 30);
	assert_int_equal(parse_size("3M", NULL, &v), 0);
	assert_true(v == 3ULL << 20);
	assert_int_equal(parse_size("1T", NULL, &v), 0);
	assert_true(v == 1ULL << 40);
	assert_int_equal(parse_size("1p", NULL, &v), 0);
	assert_true(v == 1ULL << 50);
	assert_int_equal(parse_size("15E", NULL, &v), 0);
	assert_true(v == 15ULL << 60);
	assert_int_equal(parse_size("16E", NULL, &v), -ERANGE);
	assert_int_equal(parse_size("0x10E", NULL, &v), 0);
	assert_true(v == 0x10e);
	assert_int_equal(parse_size("010", NULL, &v), 0);
	assert_true(v == 8);
	assert_int_equal(parse_size("18446744073709551615", NULL, &v), 0);
	assert_true(v == ULLONG_MAX);
	assert_int_equal(parse_size("18446744073709551616", NULL, &v),
			 -ERANGE);
	assert_int_equal(parse_size("17179869184G", NULL, &v), -ERANGE);
	assert_int_equal(parse_size("17179869183G", NULL, &v), 0);
	assert_true(v == 17179869183ULL << 30);

	v = 77;
	s = "K";
	assert_int_equal(parse_size(s, &end, &v), -EINVAL);
	assert_ptr_equal(end, s);
	assert_int_equal(parse_size("", &end, &v), -EINVAL);
	assert_int_equal(parse_size("-1", &end, &v), -EINVAL);
	assert_int_equal(parse_size(" 1", &end, &v), -EINVAL);
	assert_int_equal(parse_size("12Kx", NULL, &v), -EINVAL);
	assert_int_equal(v, 77);

	s = "0x";	/* octal 0, then an 'x' that is not part of it */
	assert_int_equal(parse_size(s, &end, &v), 0);
	assert_int_equal(v, 0);
	assert_ptr_equal(end, s + 1);
	s = "5kb";
	assert_int_equal(parse_size(s, &end, &v), 0);
	assert_int_equal(v, 5120);
	assert_ptr_equal(end, s + 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kstrtoull),
		cmocka_unit_test(test_kstrtoll),
		cmocka_unit_test(test_kstrtol_ul),
		cmocka_unit_test(test_kstrtoint_uint),
		cmocka_unit_test(test_kstrtou16_u8),
		cmocka_unit_test(test_fixed_width_wrappers),
		cmocka_unit_test(test_kstrtobool),
		cmocka_unit_test(test_parse_size),
	};

	return cmocka_run_group_tests_name("kstrtox", tests, NULL, NULL);
}
