/*
 * ktests for kernel/lib/kstrtox.c: values, bases and prefixes, the edges
 * of every result type, malformed input (with the result left untouched),
 * kstrtobool's spellings and parse_size()'s suffixes and end pointer.
 */
#include <keel/errno.h>
#include <keel/kstrtox.h>
#include <keel/ktest.h>
#include <keel/string.h>

struct ull_case {
	const char *s;
	unsigned int base;
	int ret;
	unsigned long long val;
};

static const struct ull_case ull_cases[] = {
	{ "0", 10, 0, 0 },
	{ "+42", 10, 0, 42 },
	{ "42\n", 10, 0, 42 },
	{ "18446744073709551615", 10, 0, ~0ULL },
	{ "18446744073709551616", 10, -ERANGE, 0 },
	{ "99999999999999999999999x", 10, -ERANGE, 0 },
	{ "0xffffffffffffffff", 16, 0, ~0ULL },
	{ "0x10000000000000000", 0, -ERANGE, 0 },
	{ "ff", 16, 0, 255 },
	{ "0X1f", 0, 0, 31 },
	{ "0x", 16, -EINVAL, 0 },
	{ "0x", 0, -EINVAL, 0 },
	{ "017", 0, 0, 15 },
	{ "08", 0, -EINVAL, 0 },
	{ "101", 2, 0, 5 },
	{ "zz", 36, 0, 1295 },
	{ "1", 1, -EINVAL, 0 },
	{ "1", 37, -EINVAL, 0 },
	{ "", 10, -EINVAL, 0 },
	{ "\n", 10, -EINVAL, 0 },
	{ "-1", 10, -EINVAL, 0 },
	{ " 1", 10, -EINVAL, 0 },
	{ "1 ", 10, -EINVAL, 0 },
	{ "1\n\n", 10, -EINVAL, 0 },
	{ "++1", 10, -EINVAL, 0 },
};

static void test_kstrtoull_table(struct ktest *t)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(ull_cases); i++) {
		const struct ull_case *c = &ull_cases[i];
		unsigned long long v = 0x5a5a;
		int ret = kstrtoull(c->s, c->base, &v);

		KTEST_EXPECT_EQ(t, ret, c->ret);
		KTEST_EXPECT_UEQ(t, v, ret ? 0x5a5a : c->val);
	}
}

static void test_kstrtoll(struct ktest *t)
{
	long long v = 7;

	KTEST_EXPECT_EQ(t, kstrtoll("-9223372036854775809", 10, &v), -ERANGE);
	KTEST_EXPECT_EQ(t, kstrtoll("9223372036854775808", 10, &v), -ERANGE);
	KTEST_EXPECT_EQ(t, v, 7);
	KTEST_EXPECT_EQ(t, kstrtoll("-9223372036854775808", 10, &v), 0);
	KTEST_EXPECT_TRUE(t, v == -__LONG_LONG_MAX__ - 1);
	KTEST_EXPECT_EQ(t, kstrtoll("9223372036854775807", 10, &v), 0);
	KTEST_EXPECT_TRUE(t, v == __LONG_LONG_MAX__);
	KTEST_EXPECT_EQ(t, kstrtoll("-0x10", 0, &v), 0);
	KTEST_EXPECT_EQ(t, v, -16);
	KTEST_EXPECT_EQ(t, kstrtoll("-5\n", 10, &v), 0);
	KTEST_EXPECT_EQ(t, v, -5);
	KTEST_EXPECT_EQ(t, kstrtoll("-", 10, &v), -EINVAL);
	KTEST_EXPECT_EQ(t, kstrtoll("-+5", 10, &v), -EINVAL);
	KTEST_EXPECT_EQ(t, kstrtoll("+-5", 10, &v), -EINVAL);
}

static void test_narrow_types(struct ktest *t)
{
	unsigned long ul = 0;
	long l = 0;
	unsigned int u = 9;
	int i = 9;
	u16 w = 1;
	u8 b = 1;
	u64 u64v = 0;
	s32 s32v = 0;

	KTEST_EXPECT_EQ(t, kstrtoul("18446744073709551615", 10, &ul), 0);
	KTEST_EXPECT_UEQ(t, ul, ~0UL);
	KTEST_EXPECT_EQ(t, kstrtol("-9223372036854775808", 10, &l), 0);
	KTEST_EXPECT_TRUE(t, l == -__LONG_MAX__ - 1);
	KTEST_EXPECT_EQ(t, kstrtouint("4294967295", 10, &u), 0);
	KTEST_EXPECT_UEQ(t, u, 4294967295U);
	KTEST_EXPECT_EQ(t, kstrtouint("4294967296", 10, &u), -ERANGE);
	KTEST_EXPECT_EQ(t, kstrtoint("-2147483648", 10, &i), 0);
	KTEST_EXPECT_EQ(t, i, -__INT_MAX__ - 1);
	KTEST_EXPECT_EQ(t, kstrtoint("2147483648", 10, &i), -ERANGE);
	KTEST_EXPECT_EQ(t, kstrtoint("-2147483649", 10, &i), -ERANGE);
	KTEST_EXPECT_EQ(t, i, -__INT_MAX__ - 1);
	KTEST_EXPECT_EQ(t, kstrtou16("65535", 10, &w), 0);
	KTEST_EXPECT_EQ(t, kstrtou16("65536", 10, &w), -ERANGE);
	KTEST_EXPECT_EQ(t, w, 65535);
	KTEST_EXPECT_EQ(t, kstrtou8("0xff", 16, &b), 0);
	KTEST_EXPECT_EQ(t, kstrtou8("256", 10, &b), -ERANGE);
	KTEST_EXPECT_EQ(t, b, 255);
	KTEST_EXPECT_EQ(t, kstrtou64("0xffffffffffffffff", 0, &u64v), 0);
	KTEST_EXPECT_UEQ(t, u64v, ~0ULL);
	KTEST_EXPECT_EQ(t, kstrtos32("-2147483648", 0, &s32v), 0);
	KTEST_EXPECT_EQ(t, s32v, -__INT_MAX__ - 1);
}

static void test_kstrtobool(struct ktest *t)
{
	static const char *const yes[] = { "1", "y", "Y", "yes", "t", "true",
					   "on", "ON", "1\n" };
	static const char *const no[] = { "0", "n", "N", "no", "f", "false",
					  "off", "OFF" };
	static const char *const bad[] = { "", "o", "ox", "2", " y", "-1" };
	bool v;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(yes); i++) {
		v = false;
		KTEST_EXPECT_EQ(t, kstrtobool(yes[i], &v), 0);
		KTEST_EXPECT_TRUE(t, v);
	}
	for (i = 0; i < ARRAY_SIZE(no); i++) {
		v = true;
		KTEST_EXPECT_EQ(t, kstrtobool(no[i], &v), 0);
		KTEST_EXPECT_FALSE(t, v);
	}
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		v = true;
		KTEST_EXPECT_EQ(t, kstrtobool(bad[i], &v), -EINVAL);
		KTEST_EXPECT_TRUE(t, v);
	}
	KTEST_EXPECT_EQ(t, kstrtobool(NULL, &v), -EINVAL);
}

static void test_parse_size(struct ktest *t)
{
	const char *s = "64K@0x100000";
	unsigned long long v = 77;
	char *end;

	KTEST_EXPECT_EQ(t, parse_size(s, &end, &v), 0);
	KTEST_EXPECT_UEQ(t, v, 64 * 1024);
	KTEST_EXPECT_PTR_EQ(t, end, s + 3);
	KTEST_EXPECT_EQ(t, parse_size(end + 1, &end, &v), 0);
	KTEST_EXPECT_UEQ(t, v, 0x100000);
	KTEST_EXPECT_EQ(t, *end, '\0');
	KTEST_EXPECT_EQ(t, parse_size("2g", NULL, &v), 0);
	KTEST_EXPECT_UEQ(t, v, 2ULL << 30);
	KTEST_EXPECT_EQ(t, parse_size("3M", NULL, &v), 0);
	KTEST_EXPECT_UEQ(t, v, 3ULL << 20);
	KTEST_EXPECT_EQ(t, parse_size("1t", NULL, &v), 0);
	KTEST_EXPECT_UEQ(t, v, 1ULL << 40);
	KTEST_EXPECT_EQ(t, parse_size("15E", NULL, &v), 0);
	KTEST_EXPECT_UEQ(t, v, 15ULL << 60);
	KTEST_EXPECT_EQ(t, parse_size("16E", NULL, &v), -ERANGE);
	KTEST_EXPECT_EQ(t, parse_size("17179869184G", NULL, &v), -ERANGE);
	KTEST_EXPECT_EQ(t, parse_size("18446744073709551616", NULL, &v),
			-ERANGE);
	KTEST_EXPECT_EQ(t, parse_size("0x10E", NULL, &v), 0);
	KTEST_EXPECT_UEQ(t, v, 0x10e);
	v = 77;
	s = "K";
	KTEST_EXPECT_EQ(t, parse_size(s, &end, &v), -EINVAL);
	KTEST_EXPECT_PTR_EQ(t, end, s);
	KTEST_EXPECT_EQ(t, parse_size("", &end, &v), -EINVAL);
	KTEST_EXPECT_EQ(t, parse_size("-1", &end, &v), -EINVAL);
	KTEST_EXPECT_EQ(t, parse_size("12Kx", NULL, &v), -EINVAL);
	KTEST_EXPECT_UEQ(t, v, 77);
}

static struct ktest_case kstrtox_cases[] = {
	KTEST_CASE(test_kstrtoull_table),
	KTEST_CASE(test_kstrtoll),
	KTEST_CASE(test_narrow_types),
	KTEST_CASE(test_kstrtobool),
	KTEST_CASE(test_parse_size),
	{}
};
KTEST_SUITE(kstrtox, kstrtox_cases);
