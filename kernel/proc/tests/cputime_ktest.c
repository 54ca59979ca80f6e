/*
 * ktest suite "cputime": the user/system split of <keel/cputime.h>
 * (proportions, the one-sided cases, counts too large for a 64-bit
 * product) and the mode-change hooks on the running kernel thread's own
 * counters, which no user return can disturb here.
 */
#include <keel/cputime.h>
#include <keel/ktest.h>

static void test_split(struct ktest *t)
{
	u64 ut, st;

	cputime_split(1000, 3, 1, &ut, &st);
	KTEST_EXPECT_EQ(t, ut, 750);
	KTEST_EXPECT_EQ(t, st, 250);
	cputime_split(1000, 0, 0, &ut, &st);     /* nothing measured: user */
	KTEST_EXPECT_EQ(t, ut, 1000);
	KTEST_EXPECT_EQ(t, st, 0);
	cputime_split(1000, 0, 5, &ut, &st);
	KTEST_EXPECT_EQ(t, ut, 0);
	KTEST_EXPECT_EQ(t, st, 1000);
	cputime_split(0, 7, 9, &ut, &st);
	KTEST_EXPECT_EQ(t, ut + st, 0);
}

static void test_split_large(struct ktest *t)
{
	u64 ut, st, rtime = 10ULL * 24 * 3600 * 1000000000ULL;  /* 10 days */

	/* Cycle counts near 2^63: scaled down without losing the ratio. */
	cputime_split(rtime, 1ULL << 62, 1ULL << 62, &ut, &st);
	KTEST_EXPECT_EQ(t, ut + st, rtime);
	KTEST_EXPECT_EQ(t, st, rtime / 2);
	cputime_split(rtime, (1ULL << 62) * 3 / 2, 1ULL << 61, &ut, &st);
	KTEST_EXPECT_EQ(t, ut + st, rtime);
	KTEST_EXPECT_EQ(t, st, rtime / 4);
}

static void test_hooks(struct ktest *t)
{
	struct task_cputime c = { .mark = arch_cycles() };
	u64 u, s;

	for (volatile int i = 0; i < 10000; i++)
		;
	cputime_from_user(&c);
	u = c.user_cyc;
	KTEST_EXPECT_GT(t, u, 0);
	KTEST_EXPECT_EQ(t, c.sys_cyc, 0);
	for (volatile int i = 0; i < 10000; i++)
		;
	cputime_to_user(&c);
	s = c.sys_cyc;
	KTEST_EXPECT_GT(t, s, 0);
	KTEST_EXPECT_EQ(t, c.user_cyc, u);
	c.mark = arch_cycles() + (1ULL << 40);  /* a counter behind: no charge */
	cputime_from_user(&c);
	KTEST_EXPECT_EQ(t, c.user_cyc, u);
}

static struct ktest_case cputime_cases[] = {
	KTEST_CASE(test_split),
	KTEST_CASE(test_split_large),
	KTEST_CASE(test_hooks),
	{ .run = NULL },
};

KTEST_SUITE(cputime, cputime_cases);
