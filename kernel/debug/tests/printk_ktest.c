/*
 * ktests for printk and the log ring as the running kernel uses them.
 * Probe lines are logged at KERN_DEBUG so they stay off the console.
 */
#include <keel/cpu.h>
#include <keel/ktest.h>
#include <keel/preempt.h>
#include <keel/log.h>
#include <keel/printk.h>
#include <keel/string.h>

/* Read the newest @n records; @texts[0] is the oldest of them. */
static int read_last(unsigned int n, char texts[][96], struct log_record *recs)
{
	struct log_iter it;
	struct log_record rec;
	char text[96];
	u64 first, next;
	unsigned int got = 0;

	log_seq_range(&first, &next);
	if (next - first < n)
		return -1;
	log_iter_init(&it);
	while (log_iter_next(&it, &rec, text, sizeof(text), NULL)) {
		if (rec.seq < next - n)
			continue;
		if (rec.seq >= next)
			break;
		strlcpy(texts[got], text, sizeof(texts[0]));
		recs[got++] = rec;
	}
	return got == n ? 0 : -1;
}

static void test_printk_stores_line(struct ktest *t)
{
	char texts[1][96];
	struct log_record recs[1];
	u64 first, next, next2;
	unsigned int cpu;

	/* Stay on one CPU so the record's CPU is known. */
	preempt_disable();
	cpu = cpu_id();
	log_seq_range(&first, &next);
	printk(KERN_DEBUG "printk_ktest: value %d\n", 42);
	log_seq_range(&first, &next2);
	preempt_enable();
	KTEST_EXPECT_EQ(t, next2, next + 1);
	KTEST_ASSERT_EQ(t, read_last(1, texts, recs), 0);
	KTEST_EXPECT_STREQ(t, texts[0], "printk_ktest: value 42");
	KTEST_EXPECT_EQ(t, recs[0].level, LOGLEVEL_DEBUG);
	KTEST_EXPECT_EQ(t, recs[0].cpu, cpu);
}

static void test_printk_splits_lines(struct ktest *t)
{
	char texts[3][96];
	struct log_record recs[3];

	printk(KERN_DEBUG "printk_ktest: a\nprintk_ktest: b\n\n");
	KTEST_ASSERT_EQ(t, read_last(3, texts, recs), 0);
	KTEST_EXPECT_STREQ(t, texts[0], "printk_ktest: a");
	KTEST_EXPECT_STREQ(t, texts[1], "printk_ktest: b");
	KTEST_EXPECT_STREQ(t, texts[2], "");
	KTEST_EXPECT_EQ(t, recs[2].level, LOGLEVEL_DEBUG);
}

static void test_printk_continuation(struct ktest *t)
{
	char texts[1][96];
	struct log_record recs[1];

	printk(KERN_DEBUG "printk_ktest: one");
	pr_cont(" two");
	pr_cont(" three\n");
	KTEST_ASSERT_EQ(t, read_last(1, texts, recs), 0);
	KTEST_EXPECT_STREQ(t, texts[0], "printk_ktest: one two three");
	KTEST_EXPECT_EQ(t, recs[0].level, LOGLEVEL_DEBUG);
}

static void test_printk_unfinished_line_committed(struct ktest *t)
{
	char texts[2][96];
	struct log_record recs[2];

	printk(KERN_DEBUG "printk_ktest: no newline");
	printk(KERN_DEBUG "printk_ktest: next\n");
	KTEST_ASSERT_EQ(t, read_last(2, texts, recs), 0);
	KTEST_EXPECT_STREQ(t, texts[0], "printk_ktest: no newline");
	KTEST_EXPECT_STREQ(t, texts[1], "printk_ktest: next");
}

static void test_printk_default_level(struct ktest *t)
{
	char texts[1][96];
	struct log_record recs[1];
	int saved = console_loglevel;

	/* Keep the default-level probe off the console. */
	console_loglevel = 0;
	printk("printk_ktest: default level\n");
	console_loglevel = saved;
	KTEST_ASSERT_EQ(t, read_last(1, texts, recs), 0);
	KTEST_EXPECT_EQ(t, recs[0].level, MESSAGE_LOGLEVEL_DEFAULT);
}

static void test_printk_timestamps_monotonic(struct ktest *t)
{
	char texts[2][96];
	struct log_record recs[2];

	printk(KERN_DEBUG "printk_ktest: t1\n");
	printk(KERN_DEBUG "printk_ktest: t2\n");
	KTEST_ASSERT_EQ(t, read_last(2, texts, recs), 0);
	KTEST_EXPECT_GT(t, recs[0].ts_ns, 0);
	KTEST_EXPECT_LE(t, recs[0].ts_ns, recs[1].ts_ns);
	KTEST_EXPECT_EQ(t, recs[1].seq, recs[0].seq + 1);
}

static void test_log_keeps_first_line(struct ktest *t)
{
	struct log_iter it;
	struct log_record rec;
	char text[96];
	u64 first, next;

	/* The boot log is far smaller than the ring: nothing was dropped. */
	log_seq_range(&first, &next);
	KTEST_EXPECT_EQ(t, first, 0);
	log_iter_init(&it);
	KTEST_ASSERT_TRUE(t, log_iter_next(&it, &rec, text, sizeof(text), NULL));
	KTEST_EXPECT_EQ(t, rec.seq, 0);
}

static struct ktest_case printk_cases[] = {
	KTEST_CASE(test_printk_stores_line),
	KTEST_CASE(test_printk_splits_lines),
	KTEST_CASE(test_printk_continuation),
	KTEST_CASE(test_printk_unfinished_line_committed),
	KTEST_CASE(test_printk_default_level),
	KTEST_CASE(test_printk_timestamps_monotonic),
	KTEST_CASE(test_log_keeps_first_line),
	{}
};
KTEST_SUITE(printk, printk_cases);
