/*
 * The real-time clock: calendar time from the battery-backed clock, read at
 * boot to start the wall clock (time_init, kernel/sched/clock.c).
 *
 * rtc_read_time() reads the hardware (the PC's CMOS RTC: ports 0x70/0x71,
 * kernel/drivers/rtc/cmos.c). The rest is pure arithmetic, tested on the
 * host: decoding CMOS registers (BCD or binary, 12- or 24-hour) into a
 * struct rtc_time, validating it, and converting it to seconds since the
 * Unix epoch. The RTC is untrusted: garbage is reported, never used.
 *
 * The RTC keeps UTC (as QEMU's does by default); the century is assumed
 * to be 20xx.
 */
#ifndef KEEL_RTC_H
#define KEEL_RTC_H

#include <keel/types.h>

struct rtc_time {
	unsigned int year;      /* 2026 */
	unsigned int mon;       /* 1-12 */
	unsigned int mday;      /* 1-31 */
	unsigned int hour;      /* 0-23 */
	unsigned int min;       /* 0-59 */
	unsigned int sec;       /* 0-59 */
};

/* Raw CMOS RTC registers as read, before decoding. */
struct rtc_cmos_regs {
	u8 sec, min, hour, mday, mon, year;
	u8 status_b;            /* bit 2: binary (else BCD); bit 1: 24-hour */
};

#define RTC_B_24H    0x02
#define RTC_B_BINARY 0x04
#define RTC_HOUR_PM  0x80   /* in 12-hour mode */

/*
 * rtc_read_time - read the hardware clock into @tm, validated.
 * Context: boot or process context; takes the CMOS port lock with
 * interrupts off for a few register reads (two stable snapshots).
 * Return: 0; -ENODEV without an RTC; -EIO when it never reads stable;
 * -ERANGE for garbage. Failures are logged as one warning.
 */
int rtc_read_time(struct rtc_time *tm);

/*
 * rtc_cmos_decode - turn raw registers into calendar time.
 * Return: 0, or -ERANGE for a bad BCD digit or a field out of range.
 */
int rtc_cmos_decode(const struct rtc_cmos_regs *r, struct rtc_time *tm);

/* rtc_bcd_decode - @v as two BCD digits. Return: false if a digit is > 9. */
bool rtc_bcd_decode(u8 v, unsigned int *out);

bool rtc_leap_year(unsigned int year);
/* Days in @mon (1-12) of @year; 0 for a month out of range. */
unsigned int rtc_days_in_month(unsigned int year, unsigned int mon);
/* Every field in range (year 1970-9999, a real day of the month). */
bool rtc_time_valid(const struct rtc_time *tm);

/*
 * rtc_days_from_civil - days from 1970-01-01 to @year-@mon-@mday in the
 * proleptic Gregorian calendar (negative before 1970).
 * Return: the count, or 0 when @year is 0 or @mon is out of range.
 */
s64 rtc_days_from_civil(unsigned int year, unsigned int mon,
			unsigned int mday);

/* rtc_time_to_epoch - seconds since 1970-01-01 00:00:00 UTC of a valid @tm. */
u64 rtc_time_to_epoch(const struct rtc_time *tm);

#endif /* KEEL_RTC_H */
