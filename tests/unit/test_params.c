/*
 * Host tests of the command-line parser (kernel/init/params.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <keel/errno.h>
#include <keel/param.h>
#include <keel/string.h>

#include "log_capture.h"

static bool flag;
static int level;
static char name[8];
static int fn_calls;
static char fn_last[32];
static bool fn_last_null;

static int fn_set(const char *val)
{
	fn_calls++;
	fn_last_null = val == NULL;
	if (val && !strcmp(val, "bad"))
		return -EINVAL;
	strlcpy(fn_last, val ? val : "", sizeof(fn_last));
	return 0;
}

static const struct kparam p_flag = {
	.name = "flag", .help = "a flag", .type = KPARAM_T_BOOL, .var = &flag,
};
static const struct kparam p_level = {
	.name = "log_level", .help = "a level", .type = KPARAM_T_INT,
	.var = &level, .min = 0, .max = 15,
};
static const struct kparam p_name = {
	.name = "name", .help = "a name", .type = KPARAM_T_STRING,
	.var = name, .size = sizeof(name),
};
static const struct kparam p_fn = {
	.name = "fn", .help = "a function", .type = KPARAM_T_FUNC, .set = fn_set,
};
static const struct kparam *const table[] = { &p_flag, &p_level, &p_name, &p_fn };

static int parse(const char *cmdline, const char **init_args)
{
	const char *dummy;

	return params_parse(cmdline, table, table + 4,
			    init_args ? init_args : &dummy);
}

static int setup(void **state)
{
	flag = false;
	level = -1;
	name[0] = '\0';
	fn_calls = 0;
	fn_last[0] = '\0';
	log_capture_clear();
	return 0;
}

static void test_empty(void **state)
{
	const char *init;

	assert_int_equal(parse("", &init), 0);
	assert_null(init);
	assert_int_equal(parse("   \t ", &init), 0);
	assert_string_equal(log_capture_text(), "");
}

static void test_all_types(void **state)
{
	assert_int_equal(parse("flag log_level=5 name=abc fn=x", NULL), 0);
	assert_true(flag);
	assert_int_equal(level, 5);
	assert_string_equal(name, "abc");
	assert_int_equal(fn_calls, 1);
	assert_string_equal(fn_last, "x");
}

static void test_bool_values(void **state)
{
	assert_int_equal(parse("flag=1", NULL), 0);
	assert_true(flag);
	assert_int_equal(parse("flag=off", NULL), 0);
	assert_false(flag);
	assert_int_equal(parse("flag=maybe", NULL), 1);
	assert_true(log_capture_contains("invalid value \"maybe\" for parameter \"flag\""));
}

static void test_dash_underscore(void **state)
{
	assert_int_equal(parse("log-level=3", NULL), 0);
	assert_int_equal(level, 3);
}

static void test_int_bounds(void **state)
{
	assert_int_equal(parse("log_level=0x0f", NULL), 0);
	assert_int_equal(level, 15);
	assert_int_equal(parse("log_level=16", NULL), 1);
	assert_int_equal(level, 15);
	assert_true(log_capture_contains(
		"invalid value \"16\" for parameter \"log_level\": expected an integer in 0..15"));
	assert_int_equal(parse("log_level=banana log_level=-1 log_level=", NULL), 3);
	assert_int_equal(level, 15);
}

static void test_unknown(void **state)
{
	assert_int_equal(parse("flag no_such=1 other", NULL), 2);
	assert_true(flag);
	assert_true(log_capture_contains("unknown parameter \"no_such\""));
	assert_true(log_capture_contains("unknown parameter \"other\""));
}

static void test_prefix_is_not_a_match(void **state)
{
	assert_int_equal(parse("fla=1 flagx names=a", NULL), 3);
	assert_false(flag);
	assert_string_equal(name, "");
}

static void test_quotes(void **state)
{
	assert_int_equal(parse("fn=\"a b  c\" name=x", NULL), 0);
	assert_string_equal(fn_last, "a b  c");
	assert_string_equal(name, "x");
	assert_int_equal(parse("\"fn=q r\"", NULL), 0);
	assert_string_equal(fn_last, "q r");
}

static void test_unterminated_quote(void **state)
{
	assert_int_equal(parse("fn=\"abc def", NULL), 1);
	assert_true(log_capture_contains("unterminated quote"));
	assert_string_equal(fn_last, "abc def");
}

static void test_string_too_long(void **state)
{
	assert_int_equal(parse("name=1234567", NULL), 0);
	assert_string_equal(name, "1234567");
	assert_int_equal(parse("name=12345678", NULL), 1);
	assert_string_equal(name, "1234567");
	assert_true(log_capture_contains("longer than 7 characters"));
	assert_int_equal(parse("name", NULL), 1);
	assert_true(log_capture_contains("parameter \"name\" needs a value"));
}

static void test_func_rejects(void **state)
{
	assert_int_equal(parse("fn=bad", NULL), 1);
	assert_true(log_capture_contains("invalid value \"bad\" for parameter \"fn\" (a function)"));
	assert_int_equal(parse("fn", NULL), 0);
	assert_true(fn_last_null);
}

static void test_last_wins(void **state)
{
	assert_int_equal(parse("log_level=1 log_level=7", NULL), 0);
	assert_int_equal(level, 7);
}

static void test_init_args(void **state)
{
	const char *init;

	assert_int_equal(parse("flag -- -x single  name=zz", &init), 0);
	assert_non_null(init);
	assert_string_equal(init, "-x single  name=zz");
	assert_string_equal(name, "");
	assert_int_equal(parse("flag --", &init), 0);
	assert_string_equal(init, "");
	assert_int_equal(parse("--flag", &init), 1);
	assert_null(init);
}

static void test_word_too_long(void **state)
{
	static char cmd[3000];

	memset(cmd, 'a', sizeof(cmd) - 1);
	memcpy(cmd, "fn=", 3);
	cmd[sizeof(cmd) - 1] = '\0';
	assert_int_equal(parse(cmd, NULL), 1);
	assert_int_equal(fn_calls, 0);
	assert_true(log_capture_contains("is longer than 1023 characters"));
}

static void test_parse_int(void **state)
{
	long long v = 0;

	assert_int_equal(param_parse_int("42", 0, 100, &v), 0);
	assert_int_equal(v, 42);
	assert_int_equal(param_parse_int("-5", -10, 10, &v), 0);
	assert_int_equal(v, -5);
	assert_int_equal(param_parse_int("101", 0, 100, &v), -EINVAL);
	assert_int_equal(param_parse_int(NULL, 0, 100, &v), -EINVAL);
	assert_int_equal(param_parse_int("1x", 0, 100, &v), -EINVAL);
	assert_int_equal(param_parse_int("", 0, 100, &v), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_empty, setup),
		cmocka_unit_test_setup(test_all_types, setup),
		cmocka_unit_test_setup(test_bool_values, setup),
		cmocka_unit_test_setup(test_dash_underscore, setup),
		cmocka_unit_test_setup(test_int_bounds, setup),
		cmocka_unit_test_setup(test_unknown, setup),
		cmocka_unit_test_setup(test_prefix_is_not_a_match, setup),
		cmocka_unit_test_setup(test_quotes, setup),
		cmocka_unit_test_setup(test_unterminated_quote, setup),
		cmocka_unit_test_setup(test_string_too_long, setup),
		cmocka_unit_test_setup(test_func_rejects, setup),
		cmocka_unit_test_setup(test_last_wins, setup),
		cmocka_unit_test_setup(test_init_args, setup),
		cmocka_unit_test_setup(test_word_too_long, setup),
		cmocka_unit_test_setup(test_parse_int, setup),
	};

	return cmocka_run_group_tests_name("params", tests, NULL, NULL);
}
