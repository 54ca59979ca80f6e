/*
 * ktest: in-kernel unit tests with KTAP v1 output (the format of Linux KUnit).
 *
 * A suite is an array of cases registered with KTEST_SUITE(); the macro puts a
 * pointer to it in the .ktest_suites linker section, so adding a test file to
 * the build is all it takes to run it. `ktest=all` or `ktest=name[,name...]`
 * on the command line runs the chosen suites after boot and exits QEMU through
 * isa-debug-exit with a pass or fail code.
 *
 *	static void test_strlen(struct ktest *t)
 *	{
 *		KTEST_EXPECT_EQ(t, strlen("abc"), 3);
 *	}
 *
 *	static struct ktest_case string_cases[] = {
 *		KTEST_CASE(test_strlen),
 *		{}
 *	};
 *	KTEST_SUITE(string, string_cases);
 *
 * EXPECT macros record a failure and go on; ASSERT macros record it and
 * return from the test function (so use them in the test function itself).
 * A failure prints file:line, the expression and both values.
 */
#ifndef KEEL_KTEST_H
#define KEEL_KTEST_H

#include <keel/compiler.h>
#include <keel/types.h>

struct ktest {
	const char *name;     /* case name */
	bool failed;
	bool skipped;
	const char *skip_reason;
};

struct ktest_case {
	const char *name;
	void (*run)(struct ktest *t);
};

struct ktest_suite {
	const char *name;
	struct ktest_case *cases;  /* terminated by an entry with run == NULL */
	int (*init)(void);          /* optional: before the suite; nonzero skips it */
	void (*exit)(void);         /* optional: after the suite */
};

#define KTEST_CASE(fn) { .name = #fn, .run = fn }

#define KTEST_SUITE_FULL(sname, case_array, init_fn, exit_fn)               \
	static struct ktest_suite __ktest_suite_##sname = {                 \
		.name = #sname, .cases = case_array,                        \
		.init = init_fn, .exit = exit_fn,                           \
	};                                                                  \
	static struct ktest_suite *__ktest_ptr_##sname                      \
		__used __section(".ktest_suites") = &__ktest_suite_##sname

#define KTEST_SUITE(sname, case_array) \
	KTEST_SUITE_FULL(sname, case_array, NULL, NULL)

/* Failure reporting; return true when the check passed. */
bool ktest_check(struct ktest *t, bool ok, const char *file, int line,
		 const char *expr);
bool ktest_check_int(struct ktest *t, bool ok, const char *file, int line,
		     const char *op, const char *left, long long lv,
		     const char *right, long long rv);
bool ktest_check_uint(struct ktest *t, bool ok, const char *file, int line,
		      const char *op, const char *left, unsigned long long lv,
		      const char *right, unsigned long long rv);
bool ktest_check_ptr(struct ktest *t, bool ok, const char *file, int line,
		     const char *op, const char *left, const void *lv,
		     const char *right, const void *rv);
bool ktest_check_str(struct ktest *t, bool ok, const char *file, int line,
		     const char *op, const char *left, const char *lv,
		     const char *right, const char *rv);
bool ktest_check_mem(struct ktest *t, bool ok, const char *file, int line,
		     const char *left, const void *lv, const char *right,
		     const void *rv, size_t len);
void ktest_skip(struct ktest *t, const char *reason);

/* Internal: comparisons evaluate each operand exactly once. */
#define __KTEST_INT(t, a, op, b)                                            \
	({                                                                  \
		long long __a = (long long)(a), __b = (long long)(b);       \
		ktest_check_int(t, __a op __b, __FILE__, __LINE__, #op, #a, \
				__a, #b, __b);                              \
	})
#define __KTEST_UINT(t, a, op, b)                                           \
	({                                                                  \
		unsigned long long __a = (unsigned long long)(a);           \
		unsigned long long __b = (unsigned long long)(b);           \
		ktest_check_uint(t, __a op __b, __FILE__, __LINE__, #op,    \
				 #a, __a, #b, __b);                         \
	})
#define __KTEST_PTR(t, a, op, b)                                            \
	({                                                                  \
		const void *__a = (a), *__b = (b);                          \
		ktest_check_ptr(t, __a op __b, __FILE__, __LINE__, #op, #a, \
				__a, #b, __b);                              \
	})
#define __KTEST_STR(t, a, op, b)                                            \
	({                                                                  \
		const char *__a = (a), *__b = (b);                          \
		ktest_check_str(t, (__a && __b && strcmp(__a, __b) op 0),   \
				__FILE__, __LINE__, #op, #a, __a, #b, __b); \
	})
#define __KTEST_MEM(t, a, b, n)                                             \
	({                                                                  \
		const void *__a = (a), *__b = (b);                          \
		size_t __n = (n);                                           \
		ktest_check_mem(t, memcmp(__a, __b, __n) == 0, __FILE__,    \
				__LINE__, #a, __a, #b, __b, __n);           \
	})

#define KTEST_EXPECT_TRUE(t, c)  ((void)ktest_check(t, !!(c), __FILE__, __LINE__, #c))
#define KTEST_EXPECT_FALSE(t, c) ((void)ktest_check(t, !(c), __FILE__, __LINE__, "!(" #c ")"))
#define KTEST_EXPECT_EQ(t, a, b) ((void)__KTEST_INT(t, a, ==, b))
#define KTEST_EXPECT_NE(t, a, b) ((void)__KTEST_INT(t, a, !=, b))
#define KTEST_EXPECT_LT(t, a, b) ((void)__KTEST_INT(t, a, <, b))
#define KTEST_EXPECT_LE(t, a, b) ((void)__KTEST_INT(t, a, <=, b))
#define KTEST_EXPECT_GT(t, a, b) ((void)__KTEST_INT(t, a, >, b))
#define KTEST_EXPECT_GE(t, a, b) ((void)__KTEST_INT(t, a, >=, b))
#define KTEST_EXPECT_UEQ(t, a, b) ((void)__KTEST_UINT(t, a, ==, b))
#define KTEST_EXPECT_PTR_EQ(t, a, b) ((void)__KTEST_PTR(t, a, ==, b))
#define KTEST_EXPECT_PTR_NE(t, a, b) ((void)__KTEST_PTR(t, a, !=, b))
#define KTEST_EXPECT_NULL(t, a)     ((void)__KTEST_PTR(t, a, ==, NULL))
#define KTEST_EXPECT_NOT_NULL(t, a) ((void)__KTEST_PTR(t, a, !=, NULL))
#define KTEST_EXPECT_STREQ(t, a, b) ((void)__KTEST_STR(t, a, ==, b))
#define KTEST_EXPECT_STRNE(t, a, b) ((void)__KTEST_STR(t, a, !=, b))
#define KTEST_EXPECT_MEMEQ(t, a, b, n) ((void)__KTEST_MEM(t, a, b, n))

#define KTEST_ASSERT_TRUE(t, c) do { if (!ktest_check(t, !!(c), __FILE__, __LINE__, #c)) return; } while (0)
#define KTEST_ASSERT_FALSE(t, c) do { if (!ktest_check(t, !(c), __FILE__, __LINE__, "!(" #c ")")) return; } while (0)
#define KTEST_ASSERT_EQ(t, a, b) do { if (!__KTEST_INT(t, a, ==, b)) return; } while (0)
#define KTEST_ASSERT_NE(t, a, b) do { if (!__KTEST_INT(t, a, !=, b)) return; } while (0)
#define KTEST_ASSERT_NULL(t, a) do { if (!__KTEST_PTR(t, a, ==, NULL)) return; } while (0)
#define KTEST_ASSERT_NOT_NULL(t, a) do { if (!__KTEST_PTR(t, a, !=, NULL)) return; } while (0)
#define KTEST_ASSERT_STREQ(t, a, b) do { if (!__KTEST_STR(t, a, ==, b)) return; } while (0)

/*
 * ktest_run - run the suites selected by @filter ("all" or a comma list).
 * Return: number of failed cases (0 when all passed or skipped); -EINVAL
 * (after a log line) when @filter names a suite that does not exist.
 */
int ktest_run(const char *filter);

#endif /* KEEL_KTEST_H */
