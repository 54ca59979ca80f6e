/*
 * Host tests of the kernel log ring (kernel/debug/log_ring.c): storing,
 * reading back, wrapping, dropping the oldest records, and readers that
 * fall behind.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <keel/log_ring.h>
#include <keel/sprintf.h>
#include <keel/string.h>

#define RING_SIZE 4096
#define MAX_STORED 4000

static u64 ring_buf[RING_SIZE / 8];
static struct log_ring ring;
static char stored[MAX_STORED][LOG_LINE_MAX + 1];

static int setup(void **state)
{
	log_ring_init(&ring, ring_buf, sizeof(ring_buf));
	return 0;
}

static u64 store(const char *text, u8 level)
{
	struct log_record rec = {
		.ts_ns = 1000, .level = level, .cpu = 1, .len = (u16)strlen(text),
	};

	log_ring_store(&ring, &rec, text);
	if (rec.seq < MAX_STORED)
		strlcpy(stored[rec.seq], text, sizeof(stored[0]));
	return rec.seq;
}

static void test_empty(void **state)
{
	struct log_iter it;
	struct log_record rec;
	char text[16];

	log_iter_init(&it);
	assert_false(log_ring_next(&ring, &it, &rec, text, sizeof(text), NULL));
}

static void test_store_and_read(void **state)
{
	struct log_iter it;
	struct log_record rec;
	char text[64];

	assert_int_equal(store("hello", 6), 0);
	assert_int_equal(store("", 3), 1);
	assert_int_equal(store("world", 7), 2);
	log_iter_init(&it);
	assert_true(log_ring_next(&ring, &it, &rec, text, sizeof(text), NULL));
	assert_int_equal(rec.seq, 0);
	assert_int_equal(rec.level, 6);
	assert_int_equal(rec.cpu, 1);
	assert_int_equal(rec.ts_ns, 1000);
	assert_string_equal(text, "hello");
	assert_true(log_ring_next(&ring, &it, &rec, text, sizeof(text), NULL));
	assert_string_equal(text, "");
	assert_int_equal(rec.len, 0);
	assert_true(log_ring_next(&ring, &it, &rec, text, sizeof(text), NULL));
	assert_string_equal(text, "world");
	assert_false(log_ring_next(&ring, &it, &rec, text, sizeof(text), NULL));
	/* A new record is seen by the same iterator. */
	store("again", 6);
	assert_true(log_ring_next(&ring, &it, &rec, text, sizeof(text), NULL));
	assert_string_equal(text, "again");
}

static void test_text_cut_to_buffer(void **state)
{
	struct log_iter it;
	struct log_record rec;
	char text[4];

	store("abcdefgh", 6);
	log_iter_init(&it);
	assert_true(log_ring_next(&ring, &it, &rec, text, sizeof(text), NULL));
	assert_string_equal(text, "abc");
	assert_int_equal(rec.len, 8);
}

static void test_long_line_cut(void **state)
{
	static char big[LOG_LINE_MAX + 100], text[LOG_LINE_MAX + 100];
	struct log_record rec = { .len = sizeof(big) - 1 };
	struct log_iter it;

	memset(big, 'x', sizeof(big) - 1);
	log_ring_store(&ring, &rec, big);
	log_iter_init(&it);
	assert_true(log_ring_next(&ring, &it, &rec, text, sizeof(text), NULL));
	assert_int_equal(rec.len, LOG_LINE_MAX);
	assert_int_equal(strlen(text), LOG_LINE_MAX);
}

/* Fill far past the size: the newest records survive, in order, intact. */
static void check_ring_contents(void)
{
	struct log_iter it;
	struct log_record rec;
	char text[LOG_LINE_MAX + 1];
	u64 expect_seq = ring.first_seq, bytes = 0;

	log_iter_init(&it);
	while (log_ring_next(&ring, &it, &rec, text, sizeof(text), NULL)) {
		assert_int_equal(rec.seq, expect_seq);
		assert_string_equal(text, stored[rec.seq]);
		bytes += 24 + rec.len;
		expect_seq++;
	}
	assert_int_equal(expect_seq, ring.next_seq);
	assert_true(bytes <= RING_SIZE);
}

static void test_wraps_many_times(void **state)
{
	char line[300];
	unsigned int i, seed = 12345;

	for (i = 0; i < 3000; i++) {
		unsigned int len;
		int n;

		seed = seed * 1103515245 + 12345;
		len = (seed >> 16) % 290;
		n = snprintf(line, sizeof(line), "%u:", i);
		while ((unsigned int)n < len)
			line[n++] = (char)('a' + i % 26);
		line[n] = '\0';
		store(line, 4);
		check_ring_contents();
		/* The newest record is always there. */
		assert_int_equal(ring.next_seq, i + 1);
		assert_true(ring.first_seq <= i);
	}
	assert_true(ring.first_seq > 100);
}

static void test_max_lines_wrap(void **state)
{
	static char big[LOG_LINE_MAX + 1];
	unsigned int i;

	memset(big, 'm', LOG_LINE_MAX);
	for (i = 0; i < 50; i++) {
		big[0] = (char)('A' + i % 26);
		store(big, 4);
		check_ring_contents();
		assert_true(ring.next_seq - ring.first_seq >= 1);
	}
}

static void test_reader_falls_behind(void **state)
{
	struct log_iter it;
	struct log_record rec;
	char text[64];
	u64 missed;
	unsigned int i;

	for (i = 0; i < 5; i++)
		store("early", 4);
	log_iter_init(&it);
	assert_true(log_ring_next(&ring, &it, &rec, text, sizeof(text), &missed));
	assert_int_equal(missed, 0);
	for (i = 0; i < 1000; i++)
		store("a line long enough to push others out of the ring", 4);
	assert_true(log_ring_next(&ring, &it, &rec, text, sizeof(text), &missed));
	assert_int_equal(rec.seq, ring.first_seq);
	assert_int_equal(missed, ring.first_seq - 1);
	assert_true(missed > 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_empty, setup),
		cmocka_unit_test_setup(test_store_and_read, setup),
		cmocka_unit_test_setup(test_text_cut_to_buffer, setup),
		cmocka_unit_test_setup(test_long_line_cut, setup),
		cmocka_unit_test_setup(test_wraps_many_times, setup),
		cmocka_unit_test_setup(test_max_lines_wrap, setup),
		cmocka_unit_test_setup(test_reader_falls_behind, setup),
	};

	return cmocka_run_group_tests_name("log_ring", tests, NULL, NULL);
}
