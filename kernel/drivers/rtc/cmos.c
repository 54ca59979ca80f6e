/*
 * The PC CMOS real-time clock (MC146818-compatible), read once at boot.
 *
 * Registers go through an index port (0x70) and a data port (0x71). The
 * clock updates its registers once a second; while status A's UIP bit is
 * set an update is due or in progress and the registers may be mid-change,
 * so a reading is: wait for UIP clear, read every field, and accept it only
 * when two such snapshots in a row agree. Status B says whether values are
 * BCD or binary and whether hours are 12- or 24-hour (bit 7 of the hour is
 * PM then). The year register holds two digits; the century is taken to be
 * 20xx (the FADT's century register is not consulted).
 *
 * Everything after the port reads is pure and host-tested
 * (tests/unit/test_rtc.c): decoding, validation, and the days-from-civil
 * count behind the epoch conversion.
 *
 * Locking: cmos_lock keeps the index/data port pair together (irqsave, as
 * the index write and the data read must not be split).
 */
#include <keel/arch.h>
#include <keel/errno.h>
#include <keel/printk.h>
#include <keel/rtc.h>
#include <keel/spinlock.h>
#include <keel/string.h>

/* ---- calendar arithmetic ------------------------------------------------ */

bool rtc_leap_year(unsigned int year)
{
	return year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
}

unsigned int rtc_days_in_month(unsigned int year, unsigned int mon)
{
	static const u8 days[12] = {
		31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31
	};

	if (mon < 1 || mon > 12)
		return 0;
	return days[mon - 1] + (mon == 2 && rtc_leap_year(year));
}

/* Leap years in [1, @year]: every 4th, except centuries not divisible by 400. */
static s64 rtc_leaps_through(unsigned int year)
{
	return year / 4 - year / 100 + year / 400;
}

s64 rtc_days_from_civil(unsigned int year, unsigned int mon,
			unsigned int mday)
{
	static const u16 before[12] = {
		0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334
	};
	s64 days;

	if (!year || mon < 1 || mon > 12)
		return 0;
	days = 365 * ((s64)year - 1970) +
	       rtc_leaps_through(year - 1) - rtc_leaps_through(1969);
	days += before[mon - 1] + (s64)mday - 1;
	if (mon > 2 && rtc_leap_year(year))
		days++;
	return days;
}

bool rtc_time_valid(const struct rtc_time *tm)
{
	unsigned int mdays = rtc_days_in_month(tm->year, tm->mon);

	return tm->year >= 1970 && tm->year <= 9999 &&
	       tm->mday >= 1 && tm->mday <= mdays &&
	       tm->hour < 24 && tm->min < 60 && tm->sec < 60;
}

u64 rtc_time_to_epoch(const struct rtc_time *tm)
{
	u64 days = (u64)rtc_days_from_civil(tm->year, tm->mon, tm->mday);

	return days * 86400 + tm->hour * 3600 + tm->min * 60 + tm->sec;
}

/* ---- register decoding -------------------------------------------------- */

bool rtc_bcd_decode(u8 v, unsigned int *out)
{
	if ((v & 0x0f) > 9 || (v >> 4) > 9)
		return false;
	*out = (v >> 4) * 10 + (v & 0x0f);
	return true;
}

static bool rtc_field(u8 v, bool binary, unsigned int *out)
{
	if (!binary)
		return rtc_bcd_decode(v, out);
	*out = v;
	return true;
}

/* 12-hour clocks count 12, 1, ..., 11 with bit 7 for PM. */
static bool rtc_hour(u8 v, u8 status_b, unsigned int *out)
{
	bool binary = status_b & RTC_B_BINARY;
	bool pm = v & RTC_HOUR_PM;

	if (status_b & RTC_B_24H)
		return rtc_field(v, binary, out);
	if (!rtc_field(v & ~RTC_HOUR_PM, binary, out) || *out < 1 || *out > 12)
		return false;
	*out = *out % 12 + (pm ? 12 : 0);
	return true;
}

int rtc_cmos_decode(const struct rtc_cmos_regs *r, struct rtc_time *tm)
{
	bool bin = r->status_b & RTC_B_BINARY;
	unsigned int yy;

	if (!rtc_field(r->sec, bin, &tm->sec) ||
	    !rtc_field(r->min, bin, &tm->min) ||
	    !rtc_hour(r->hour, r->status_b, &tm->hour) ||
	    !rtc_field(r->mday, bin, &tm->mday) ||
	    !rtc_field(r->mon, bin, &tm->mon) ||
	    !rtc_field(r->year, bin, &yy) || yy > 99)
		return -ERANGE;
	tm->year = 2000 + yy;
	return rtc_time_valid(tm) ? 0 : -ERANGE;
}

/* ---- the hardware ------------------------------------------------------- */

#ifdef ARCH_HAS_PORT_IO

#define CMOS_INDEX     0x70
#define CMOS_DATA      0x71
#define CMOS_SEC       0x00
#define CMOS_MIN       0x02
#define CMOS_HOUR      0x04
#define CMOS_MDAY      0x07
#define CMOS_MON       0x08
#define CMOS_YEAR      0x09
#define CMOS_STATUS_A  0x0a
#define CMOS_STATUS_B  0x0b
#define CMOS_A_UIP     0x80
#define CMOS_UIP_SPINS 20000  /* > 2 ms of port reads; an update takes < 2 ms */
#define CMOS_TRIES     5

static DEFINE_SPINLOCK(cmos_lock);

static u8 cmos_read(u8 reg)
{
	arch_pio_write8(CMOS_INDEX, reg);
	return arch_pio_read8(CMOS_DATA);
}

/* Wait for no update in progress. Return: false if UIP never clears. */
static bool cmos_wait_uip(void)
{
	unsigned int i;

	for (i = 0; i < CMOS_UIP_SPINS; i++) {
		if (!(cmos_read(CMOS_STATUS_A) & CMOS_A_UIP))
			return true;
	}
	return false;
}

static bool cmos_snapshot(struct rtc_cmos_regs *r)
{
	if (!cmos_wait_uip())
		return false;
	r->sec = cmos_read(CMOS_SEC);
	r->min = cmos_read(CMOS_MIN);
	r->hour = cmos_read(CMOS_HOUR);
	r->mday = cmos_read(CMOS_MDAY);
	r->mon = cmos_read(CMOS_MON);
	r->year = cmos_read(CMOS_YEAR);
	r->status_b = cmos_read(CMOS_STATUS_B);
	return true;
}

/* Two snapshots in a row that agree. Return: 0 or -EIO. */
static int cmos_read_stable(struct rtc_cmos_regs *r)
{
	struct rtc_cmos_regs again;
	unsigned long flags;
	int tries, err = -EIO;

	flags = spin_lock_irqsave(&cmos_lock);
	if (!cmos_snapshot(r))
		goto out_unlock;
	for (tries = 0; tries < CMOS_TRIES; tries++) {
		if (!cmos_snapshot(&again))
			break;
		if (!memcmp(r, &again, sizeof(again))) {
			err = 0;
			break;
		}
		*r = again;
	}
out_unlock:
	spin_unlock_irqrestore(&cmos_lock, flags);
	return err;
}

int rtc_read_time(struct rtc_time *tm)
{
	struct rtc_cmos_regs r;

	if (cmos_read_stable(&r)) {
		pr_warn("rtc: the CMOS clock never reads stable; "
			"realtime starts at 1970\n");
		return -EIO;
	}
	if (rtc_cmos_decode(&r, tm)) {
		pr_warn("rtc: garbage in the CMOS clock (%02x-%02x-%02x "
			"%02x:%02x:%02x, status B %#x); realtime starts at "
			"1970\n", r.year, r.mon, r.mday, r.hour, r.min, r.sec,
			r.status_b);
		return -ERANGE;
	}
	return 0;
}

#else /* !ARCH_HAS_PORT_IO */

int rtc_read_time(struct rtc_time *tm)
{
	pr_warn("rtc: no CMOS clock on this machine; realtime starts at 1970\n");
	return -ENODEV;
}

#endif
