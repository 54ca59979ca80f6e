/*
 * Host tests of the CMOS RTC driver (kernel/drivers/rtc/cmos.c): BCD and
 * 12-hour decoding, the days-from-civil count (checked day by day against
 * the host's timegm, across leap years, 2000 and 2100), rejection of
 * garbage, and the read protocol (update-in-progress, two stable snapshots)
 * against a simulated CMOS.
 *
 * cmos.c is #included after fake port accessors, so its hardware half runs
 * against the simulation below.
 */
#include <keel/types.h>

/* ---- a simulated CMOS ---------------------------------------------------- */

static u8 cmos_regs[128];
static u8 cmos_index;
static int uip_reads;            /* status A reads that still show UIP */
static bool uip_stuck;
static const u8 *sec_seq;        /* successive values of the seconds register */
static int sec_seq_len, sec_reads;

#define ARCH_HAS_PORT_IO 1

static inline u8 arch_pio_read8(unsigned long port)
{
	u8 reg = cmos_index & 0x7f;

	if (port != 0x71)
		return 0xff;
	if (reg == 0x0a && (uip_stuck || uip_reads > 0)) {
		uip_reads--;
		return cmos_regs[reg] | 0x80;
	}
	if (reg == 0x00 && sec_seq) {
		int i = sec_reads < sec_seq_len ? sec_reads : sec_seq_len - 1;

		sec_reads++;
		return sec_seq[i];
	}
	return cmos_regs[reg];
}

static inline void arch_pio_write8(unsigned long port, u8 v)
{
	if (port == 0x70)
		cmos_index = v;
}

#include "../../kernel/drivers/rtc/cmos.c"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <time.h>

#include "log_capture.h"

/* 2026-11-22 06:40:12, BCD, 24-hour. */
static void cmos_set_default(void)
{
	memset(cmos_regs, 0, sizeof(cmos_regs));
	cmos_regs[0x00] = 0x12;
	cmos_regs[0x02] = 0x40;
	cmos_regs[0x04] = 0x06;
	cmos_regs[0x07] = 0x22;
	cmos_regs[0x08] = 0x11;
	cmos_regs[0x09] = 0x26;
	cmos_regs[0x0a] = 0x26;
	cmos_regs[0x0b] = RTC_B_24H;
	uip_reads = 0;
	uip_stuck = false;
	sec_seq = NULL;
	sec_reads = 0;
}

static int setup(void **state)
{
	cmos_set_default();
	log_capture_clear();
	return 0;
}

static struct rtc_cmos_regs regs(u8 y, u8 mo, u8 d, u8 h, u8 mi, u8 s, u8 b)
{
	struct rtc_cmos_regs r = {
		.sec = s, .min = mi, .hour = h, .mday = d, .mon = mo,
		.year = y, .status_b = b,
	};

	return r;
}

static void expect_tm(const struct rtc_time *tm, unsigned int y,
		      unsigned int mo, unsigned int d, unsigned int h,
		      unsigned int mi, unsigned int s)
{
	assert_int_equal(tm->year, y);
	assert_int_equal(tm->mon, mo);
	assert_int_equal(tm->mday, d);
	assert_int_equal(tm->hour, h);
	assert_int_equal(tm->min, mi);
	assert_int_equal(tm->sec, s);
}

/* Seconds since the epoch by the host's libc. */
static long long host_epoch(int y, int mo, int d, int h, int mi, int s)
{
	struct tm tm = {
		.tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d,
		.tm_hour = h, .tm_min = mi, .tm_sec = s,
	};

	return (long long)timegm(&tm);
}

/* ---- pure parts ------------------------------------------------------------ */

static void test_bcd(void **state)
{
	unsigned int v = 1234;

	assert_true(rtc_bcd_decode(0x00, &v));
	assert_int_equal(v, 0);
	assert_true(rtc_bcd_decode(0x59, &v));
	assert_int_equal(v, 59);
	assert_true(rtc_bcd_decode(0x99, &v));
	assert_int_equal(v, 99);
	v = 1234;
	assert_false(rtc_bcd_decode(0x5a, &v));
	assert_false(rtc_bcd_decode(0xa0, &v));
	assert_false(rtc_bcd_decode(0xff, &v));
	assert_int_equal(v, 1234);
}

static void test_leap_years(void **state)
{
	assert_true(rtc_leap_year(2000));
	assert_true(rtc_leap_year(2024));
	assert_true(rtc_leap_year(2400));
	assert_false(rtc_leap_year(1900));
	assert_false(rtc_leap_year(2100));
	assert_false(rtc_leap_year(2026));
	assert_int_equal(rtc_days_in_month(2000, 2), 29);
	assert_int_equal(rtc_days_in_month(2100, 2), 28);
	assert_int_equal(rtc_days_in_month(2024, 2), 29);
	assert_int_equal(rtc_days_in_month(2026, 12), 31);
	assert_int_equal(rtc_days_in_month(2026, 4), 30);
	assert_int_equal(rtc_days_in_month(2026, 0), 0);
	assert_int_equal(rtc_days_in_month(2026, 13), 0);
}

static void test_days_from_civil_known(void **state)
{
	assert_int_equal(rtc_days_from_civil(1970, 1, 1), 0);
	assert_int_equal(rtc_days_from_civil(1969, 12, 31), -1);
	assert_int_equal(rtc_days_from_civil(1972, 3, 1), 790);
	assert_int_equal(rtc_days_from_civil(2000, 1, 1), 10957);
	assert_int_equal(rtc_days_from_civil(2000, 2, 29), 11016);
	assert_int_equal(rtc_days_from_civil(2000, 3, 1), 11017);
	assert_int_equal(rtc_days_from_civil(2038, 1, 19), 24855);
	assert_int_equal(rtc_days_from_civil(2100, 2, 28), 47540);
	assert_int_equal(rtc_days_from_civil(2100, 3, 1), 47541);
	assert_int_equal(rtc_days_from_civil(1, 1, 1), -719162);
	/* Out of range: 0, not an array overrun. */
	assert_int_equal(rtc_days_from_civil(2026, 0, 1), 0);
	assert_int_equal(rtc_days_from_civil(2026, 13, 1), 0);
	assert_int_equal(rtc_days_from_civil(0, 1, 1), 0);
}

/* Every day of 1900-2400 agrees with timegm; days are consecutive. */
static void test_days_from_civil_vs_timegm(void **state)
{
	s64 prev = rtc_days_from_civil(1899, 12, 31);
	unsigned int y, m, d;

	for (y = 1900; y <= 2400; y++) {
		for (m = 1; m <= 12; m++) {
			for (d = 1; d <= rtc_days_in_month(y, m); d++) {
				s64 days = rtc_days_from_civil(y, m, d);

				assert_int_equal(days, prev + 1);
				assert_int_equal(days * 86400,
						 host_epoch(y, m, d, 0, 0, 0));
				prev = days;
			}
		}
	}
}

static void test_epoch(void **state)
{
	struct rtc_time tm = { 2026, 11, 22, 6, 40, 12 };
	struct rtc_time leap = { 2024, 2, 29, 23, 59, 59 };
	struct rtc_time y2k = { 2000, 1, 1, 0, 0, 0 };

	assert_int_equal(rtc_time_to_epoch(&tm),
			 host_epoch(2026, 11, 22, 6, 40, 12));
	assert_int_equal(rtc_time_to_epoch(&leap),
			 host_epoch(2024, 2, 29, 23, 59, 59));
	assert_int_equal(rtc_time_to_epoch(&y2k), 946684800);
}

static void test_valid(void **state)
{
	struct rtc_time ok = { 2026, 11, 22, 6, 40, 12 };
	struct rtc_time t;

	assert_true(rtc_time_valid(&ok));
	t = ok; t.year = 1969;
	assert_false(rtc_time_valid(&t));
	t = ok; t.mon = 0;
	assert_false(rtc_time_valid(&t));
	t = ok; t.mon = 13;
	assert_false(rtc_time_valid(&t));
	t = ok; t.mday = 0;
	assert_false(rtc_time_valid(&t));
	t = ok; t.mon = 2; t.mday = 29;
	assert_false(rtc_time_valid(&t));
	t.year = 2028;
	assert_true(rtc_time_valid(&t));
	t = ok; t.hour = 24;
	assert_false(rtc_time_valid(&t));
	t = ok; t.min = 60;
	assert_false(rtc_time_valid(&t));
	t = ok; t.sec = 60;
	assert_false(rtc_time_valid(&t));
}

static void test_decode_bcd_24h(void **state)
{
	struct rtc_cmos_regs r = regs(0x26, 0x11, 0x22, 0x06, 0x40, 0x12,
				      RTC_B_24H);
	struct rtc_time tm;

	assert_int_equal(rtc_cmos_decode(&r, &tm), 0);
	expect_tm(&tm, 2026, 11, 22, 6, 40, 12);
	r = regs(0x99, 0x12, 0x31, 0x23, 0x59, 0x59, RTC_B_24H);
	assert_int_equal(rtc_cmos_decode(&r, &tm), 0);
	expect_tm(&tm, 2099, 12, 31, 23, 59, 59);
	r = regs(0x00, 0x02, 0x29, 0x00, 0x00, 0x00, RTC_B_24H);
	assert_int_equal(rtc_cmos_decode(&r, &tm), 0);
	expect_tm(&tm, 2000, 2, 29, 0, 0, 0);
}

static void test_decode_binary(void **state)
{
	struct rtc_cmos_regs r = regs(26, 11, 22, 18, 40, 12,
				      RTC_B_24H | RTC_B_BINARY);
	struct rtc_time tm;

	assert_int_equal(rtc_cmos_decode(&r, &tm), 0);
	expect_tm(&tm, 2026, 11, 22, 18, 40, 12);
	/* 12-hour binary: 6 PM. */
	r = regs(26, 11, 22, RTC_HOUR_PM | 6, 40, 12, RTC_B_BINARY);
	assert_int_equal(rtc_cmos_decode(&r, &tm), 0);
	assert_int_equal(tm.hour, 18);
}

static void test_decode_12h(void **state)
{
	static const struct { u8 reg; int hour; } cases[] = {
		{ 0x12, 0 },                    /* 12 AM is midnight */
		{ 0x01, 1 },
		{ 0x11, 11 },
		{ RTC_HOUR_PM | 0x12, 12 },     /* 12 PM is noon */
		{ RTC_HOUR_PM | 0x01, 13 },
		{ RTC_HOUR_PM | 0x11, 23 },
		{ 0x00, -1 },                   /* no hour 0 on a 12-hour clock */
		{ 0x13, -1 },
		{ RTC_HOUR_PM | 0x00, -1 },
		{ RTC_HOUR_PM | 0x1a, -1 },
	};
	struct rtc_time tm;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		struct rtc_cmos_regs r = regs(0x26, 0x11, 0x22, cases[i].reg,
					      0x40, 0x12, 0);
		int err = rtc_cmos_decode(&r, &tm);

		if (cases[i].hour < 0) {
			assert_int_equal(err, -ERANGE);
		} else {
			assert_int_equal(err, 0);
			assert_int_equal(tm.hour, cases[i].hour);
		}
	}
}

static void test_decode_garbage(void **state)
{
	const u8 h24 = RTC_B_24H, bin = RTC_B_24H | RTC_B_BINARY;
	struct rtc_cmos_regs bad[] = {
		regs(0x26, 0x11, 0x22, 0x06, 0x40, 0x1a, h24), /* BCD digit */
		regs(0x26, 0x13, 0x22, 0x06, 0x40, 0x12, h24), /* month 13 */
		regs(0x26, 0x00, 0x22, 0x06, 0x40, 0x12, h24), /* month 0 */
		regs(0x26, 0x02, 0x29, 0x06, 0x40, 0x12, h24), /* Feb 29 2026 */
		regs(0x26, 0x04, 0x31, 0x06, 0x40, 0x12, h24), /* Apr 31 */
		regs(0x26, 0x11, 0x00, 0x06, 0x40, 0x12, h24), /* day 0 */
		regs(0x26, 0x11, 0x22, 0x24, 0x40, 0x12, h24), /* hour 24 */
		regs(0x26, 0x11, 0x22, 0x06, 0x60, 0x12, h24), /* min 60 */
		regs(0x26, 0x11, 0x22, 0x06, 0x40, 0x60, h24), /* sec 60 */
		regs(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff), /* no chip */
		regs(100, 11, 22, 6, 40, 12, bin),             /* year 2100 */
		regs(26, 11, 22, 6, 40, 200, bin),             /* sec 200 */
	};
	struct rtc_time tm;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(bad); i++)
		assert_int_equal(rtc_cmos_decode(&bad[i], &tm), -ERANGE);
}

/* ---- the read protocol against the simulated chip ------------------------- */

static void test_read_stable(void **state)
{
	struct rtc_time tm;

	assert_int_equal(rtc_read_time(&tm), 0);
	expect_tm(&tm, 2026, 11, 22, 6, 40, 12);
	assert_false(log_capture_contains("rtc:"));
}

static void test_read_waits_for_uip(void **state)
{
	struct rtc_time tm;

	uip_reads = 50;
	assert_int_equal(rtc_read_time(&tm), 0);
	expect_tm(&tm, 2026, 11, 22, 6, 40, 12);
	assert_true(uip_reads <= 0);
}

static void test_read_uip_stuck(void **state)
{
	struct rtc_time tm;

	uip_stuck = true;
	assert_int_equal(rtc_read_time(&tm), -EIO);
	assert_int_equal(log_capture_count("rtc: the CMOS clock never reads "
					   "stable"), 1);
}

/* A second ticks between the first two snapshots: the third agrees. */
static void test_read_retries_a_tick(void **state)
{
	static const u8 seq[] = { 0x12, 0x13 };
	struct rtc_time tm;

	sec_seq = seq;
	sec_seq_len = 2;
	assert_int_equal(rtc_read_time(&tm), 0);
	assert_int_equal(tm.sec, 13);
	assert_int_equal(sec_reads, 3);
}

static void test_read_never_stable(void **state)
{
	static const u8 seq[] = { 0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16,
				  0x17, 0x18, 0x19 };
	struct rtc_time tm;

	sec_seq = seq;
	sec_seq_len = ARRAY_SIZE(seq);
	assert_int_equal(rtc_read_time(&tm), -EIO);
	assert_true(log_capture_contains("never reads stable"));
}

static void test_read_garbage(void **state)
{
	struct rtc_time tm;

	cmos_regs[0x08] = 0x1f;         /* month: not BCD */
	assert_int_equal(rtc_read_time(&tm), -ERANGE);
	assert_int_equal(log_capture_count("rtc: garbage in the CMOS clock"),
			 1);
	assert_true(log_capture_contains("realtime starts at 1970"));
}

static void test_read_absent_chip(void **state)
{
	struct rtc_time tm;

	memset(cmos_regs, 0xff, sizeof(cmos_regs));
	assert_int_equal(rtc_read_time(&tm), -EIO);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bcd),
		cmocka_unit_test(test_leap_years),
		cmocka_unit_test(test_days_from_civil_known),
		cmocka_unit_test(test_days_from_civil_vs_timegm),
		cmocka_unit_test(test_epoch),
		cmocka_unit_test(test_valid),
		cmocka_unit_test(test_decode_bcd_24h),
		cmocka_unit_test(test_decode_binary),
		cmocka_unit_test(test_decode_12h),
		cmocka_unit_test(test_decode_garbage),
		cmocka_unit_test_setup(test_read_stable, setup),
		cmocka_unit_test_setup(test_read_waits_for_uip, setup),
		cmocka_unit_test_setup(test_read_uip_stuck, setup),
		cmocka_unit_test_setup(test_read_retries_a_tick, setup),
		cmocka_unit_test_setup(test_read_never_stable, setup),
		cmocka_unit_test_setup(test_read_garbage, setup),
		cmocka_unit_test_setup(test_read_absent_chip, setup),
	};

	return cmocka_run_group_tests_name("rtc", tests, NULL, NULL);
}
