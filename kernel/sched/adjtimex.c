/*
 * adjtimex(2) and clock_adjtime(2): the NTP kernel clock discipline state.
 *
 * Keel keeps and reports the state Linux's kernel/time/ntp.c reports
 * (status, offset, frequency, error estimates, time constant, tick, TAI
 * offset, the adjtime(3) offset) with Linux's validation, privilege rules
 * and return values (TIME_OK, ... TIME_ERROR), but it does not discipline
 * the clock: frequency, tick and offset settings are stored and read back
 * only, the PLL/FLL does not run and adjtime(3) does not slew. Two things
 * do act: ADJ_SETOFFSET steps the wall clock, and the maximum error grows
 * by 500 us a second (Linux's second_overflow) up to its limit, where the
 * clock becomes STA_UNSYNC. No PPS source: the PPS fields read 0.
 *
 * Reading (modes 0, or ADJ_OFFSET_SS_READ) is allowed to anyone; any change
 * needs privilege (EPERM).
 */
#include <keel/errno.h>
#include <keel/spinlock.h>
#include <keel/syscall.h>
#include <keel/task.h>
#include <keel/uaccess.h>
#include <keel/usertime.h>

STATIC_ASSERT(sizeof(struct timex) == 208, "struct timex");
STATIC_ASSERT(__builtin_offsetof(struct timex, status) == 40, "timex.status");
STATIC_ASSERT(__builtin_offsetof(struct timex, time) == 72, "timex.time");
STATIC_ASSERT(__builtin_offsetof(struct timex, tai) == 160, "timex.tai");

/* modes (<linux/timex.h>). */
#define ADJ_OFFSET            0x0001
#define ADJ_FREQUENCY         0x0002
#define ADJ_MAXERROR          0x0004
#define ADJ_ESTERROR          0x0008
#define ADJ_STATUS            0x0010
#define ADJ_TIMECONST         0x0020
#define ADJ_TAI               0x0080
#define ADJ_SETOFFSET         0x0100
#define ADJ_MICRO             0x1000
#define ADJ_NANO              0x2000
#define ADJ_TICK              0x4000
#define ADJ_ADJTIME           0x8000
#define ADJ_OFFSET_SINGLESHOT 0x8001
#define ADJ_OFFSET_READONLY   0x2000    /* with ADJ_OFFSET_SINGLESHOT */

/* status. */
#define STA_PLL       0x0001
#define STA_PPSFREQ   0x0002
#define STA_PPSTIME   0x0004
#define STA_UNSYNC    0x0040
#define STA_FREQHOLD  0x0080
#define STA_PPSSIGNAL 0x0100
#define STA_PPSJITTER 0x0200
#define STA_PPSWANDER 0x0400
#define STA_PPSERROR  0x0800
#define STA_CLOCKERR  0x1000
#define STA_NANO      0x2000
#define STA_MODE      0x4000
#define STA_CLK       0x8000
#define STA_RONLY (STA_PPSSIGNAL | STA_PPSJITTER | STA_PPSWANDER |          \
		   STA_PPSERROR | STA_CLOCKERR | STA_NANO | STA_MODE | STA_CLK)

/* Clock states (the return value). */
#define TIME_OK    0
#define TIME_ERROR 5

#define USER_HZ          100
#define NTP_PHASE_LIMIT  16000000L      /* us: the maximum error cap */
#define MAXPHASE         500000000L     /* ns: the largest offset */
#define MAXFREQ_PPM      500L           /* ppm: the largest frequency */
#define PPM_SCALE        65536000LL     /* ppm << 16 per ppm in freq */
#define MAXTC            10
#define MAX_TAI_OFFSET   100000
#define MAXERROR_GROWTH  500            /* us per second */
#define FREQ_MAX         0x7fffffffffffffffLL
#define FREQ_MIN         (-FREQ_MAX - 1)

static DEFINE_SPINLOCK(ntp_lock);
/* The discipline state, [ntp_lock]. Linux's ntp_clear() values. */
static struct {
	int status;
	int state;
	long offset;            /* ns (STA_NANO) or us as set */
	long freq;              /* ppm << 16 */
	long maxerror;          /* us, at maxerror_sec */
	u64 maxerror_sec;       /* monotonic seconds of the last set */
	long esterror;
	long constant;
	long tick;              /* us per USER_HZ tick */
	int tai;
	long adjust;            /* adjtime(3) offset, us */
} ntp = {
	.status = STA_UNSYNC,
	.state = TIME_OK,
	.maxerror = NTP_PHASE_LIMIT,
	.esterror = NTP_PHASE_LIMIT,
	.constant = 2,
	.tick = 1000000 / USER_HZ,
};

static long clamp_long(long v, long lo, long hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

/* Linux's timekeeping_validate_timex. Return: 0, -EINVAL or -EPERM. */
static int timex_validate(const struct timex *tx)
{
	bool root = cred_is_root(current_cred_or_root());

	if (tx->modes & ADJ_ADJTIME) {
		/* The single-shot offset goes with no other mode. */
		if ((tx->modes & ADJ_OFFSET_SINGLESHOT) != ADJ_OFFSET_SINGLESHOT)
			return -EINVAL;
		if (!(tx->modes & ADJ_OFFSET_READONLY) && !root)
			return -EPERM;
	} else {
		if (tx->modes && !root)
			return -EPERM;
		/* A tick more than 10% off means something is very wrong. */
		if ((tx->modes & ADJ_TICK) &&
		    (tx->tick < 900000 / USER_HZ || tx->tick > 1100000 / USER_HZ))
			return -EINVAL;
	}
	if (tx->modes & ADJ_SETOFFSET) {
		if (!root)
			return -EPERM;
		if (tx->time.tv_usec < 0 ||
		    tx->time.tv_usec >= ((tx->modes & ADJ_NANO) ? 1000000000L :
							     1000000L))
			return -EINVAL;
	}
	if ((tx->modes & ADJ_FREQUENCY) &&
	    (tx->freq < FREQ_MIN / PPM_SCALE || tx->freq > FREQ_MAX / PPM_SCALE))
		return -EINVAL;
	return 0;
}

/* ADJ_SETOFFSET: step the wall clock by tx->time. Return: 0 or -EINVAL. */
static int timex_step(const struct timex *tx)
{
	s64 delta = (s64)tx->time.tv_sec * (s64)NSEC_PER_SEC +
		    (s64)tx->time.tv_usec *
		    ((tx->modes & ADJ_NANO) ? 1 : (s64)NSEC_PER_USEC);
	s64 now = (s64)clock_realtime_ns();

	/* The new time may not fall below the monotonic clock. */
	if (delta < (s64)clock_monotonic_ns() - now)
		return -EINVAL;
	return clock_realtime_set((u64)(now + delta));
}

/* The maximum error now: it grows while nobody sets it. [ntp_lock] */
static void ntp_age_maxerror(void)
{
	u64 sec = clock_monotonic_ns() / NSEC_PER_SEC;
	u64 grow = (sec - ntp.maxerror_sec) * MAXERROR_GROWTH;

	ntp.maxerror_sec = sec;
	if (!grow)
		return;
	/* Linux's second_overflow, one second at a time. */
	if (grow > (u64)NTP_PHASE_LIMIT ||
	    ntp.maxerror > NTP_PHASE_LIMIT - (long)grow) {
		ntp.maxerror = NTP_PHASE_LIMIT;
		ntp.status |= STA_UNSYNC;
	} else {
		ntp.maxerror += (long)grow;
	}
}

/* Apply the non-adjtime modes of @tx (Linux's process_adjtimex_modes). */
static void ntp_set(const struct timex *tx)
{
	if (tx->modes & ADJ_STATUS) {
		if ((ntp.status & STA_PLL) && !(tx->status & STA_PLL)) {
			ntp.state = TIME_OK;
			ntp.status = STA_UNSYNC;
		}
		ntp.status &= STA_RONLY;
		ntp.status |= tx->status & ~STA_RONLY;
	}
	if (tx->modes & ADJ_NANO)
		ntp.status |= STA_NANO;
	if (tx->modes & ADJ_MICRO)
		ntp.status &= ~STA_NANO;
	if (tx->modes & ADJ_FREQUENCY)
		ntp.freq = clamp_long(tx->freq, -(MAXFREQ_PPM << 16),
				      MAXFREQ_PPM << 16);
	if (tx->modes & ADJ_MAXERROR)
		ntp.maxerror = tx->maxerror;
	if (tx->modes & ADJ_ESTERROR)
		ntp.esterror = tx->esterror;
	if (tx->modes & ADJ_TIMECONST)
		ntp.constant = clamp_long(tx->constant +
					  ((ntp.status & STA_NANO) ? 0 : 4),
					  0, MAXTC);
	if ((tx->modes & ADJ_TAI) && tx->constant >= 0 &&
	    tx->constant <= MAX_TAI_OFFSET)
		ntp.tai = (int)tx->constant;
	/* Linux takes an offset only in PLL mode; kept in ns. */
	if ((tx->modes & ADJ_OFFSET) && (ntp.status & STA_PLL)) {
		long off = tx->offset;

		if (!(ntp.status & STA_NANO))
			off = clamp_long(off, -1000000, 1000000) * 1000;
		ntp.offset = clamp_long(off, -MAXPHASE, MAXPHASE);
	}
	if (tx->modes & ADJ_TICK)
		ntp.tick = tx->tick;
}

/* Linux's is_error_status: the clock is not to be trusted. */
static bool ntp_error(int st)
{
	return (st & (STA_UNSYNC | STA_CLOCKERR)) ||
	       ((st & (STA_PPSFREQ | STA_PPSTIME)) && !(st & STA_PPSSIGNAL)) ||
	       ((st & (STA_PPSTIME | STA_PPSJITTER)) ==
		(STA_PPSTIME | STA_PPSJITTER)) ||
	       ((st & STA_PPSFREQ) && (st & (STA_PPSWANDER | STA_PPSERROR)));
}

int do_adjtimex(struct timex *tx)
{
	struct timespec now;
	unsigned int modes = tx->modes;
	int ret = timex_validate(tx);

	if (ret)
		return ret;
	if (modes & ADJ_SETOFFSET) {
		ret = timex_step(tx);
		if (ret)
			return ret;
	}
	now = timespec_from_ns(clock_realtime_ns());
	spin_lock(&ntp_lock);
	ntp_age_maxerror();
	if (modes & ADJ_ADJTIME) {
		long old = ntp.adjust;

		if (!(modes & ADJ_OFFSET_READONLY))
			ntp.adjust = tx->offset;
		tx->offset = old;
	} else {
		if (modes)
			ntp_set(tx);
		tx->offset = (ntp.status & STA_NANO) ? ntp.offset :
			     ntp.offset / 1000;
	}
	ret = ntp_error(ntp.status) ? TIME_ERROR : ntp.state;
	tx->freq = ntp.freq;
	tx->maxerror = ntp.maxerror;
	tx->esterror = ntp.esterror;
	tx->status = ntp.status;
	tx->constant = ntp.constant;
	tx->precision = 1;
	tx->tolerance = MAXFREQ_PPM << 16;
	tx->tick = ntp.tick;
	tx->tai = ntp.tai;
	tx->time.tv_sec = now.tv_sec;
	tx->time.tv_usec = (ntp.status & STA_NANO) ? now.tv_nsec :
			   now.tv_nsec / 1000;
	spin_unlock(&ntp_lock);
	/* No PPS source. */
	tx->ppsfreq = tx->jitter = tx->stabil = 0;
	tx->jitcnt = tx->calcnt = tx->errcnt = tx->stbcnt = 0;
	tx->shift = 0;
	return ret;
}

static long adjtimex_user(struct timex __user *utx)
{
	struct timex tx;
	int ret;

	if (copy_from_user(&tx, utx, sizeof(tx)))
		return -EFAULT;
	ret = do_adjtimex(&tx);
	if (ret >= 0 && copy_to_user(utx, &tx, sizeof(tx)))
		return -EFAULT;
	return ret;
}

SYSCALL_DEFINE1(adjtimex, struct timex __user *, utx)
{
	return adjtimex_user(utx);
}

SYSCALL_DEFINE2(clock_adjtime, clockid_t, which, struct timex __user *, utx)
{
	u64 ns;

	if (which == CLOCK_REALTIME)
		return adjtimex_user(utx);
	/* Linux: the other clocks have no adjustment (a clock fd is none). */
	if (which == 10 || which >= MAX_CLOCKS ||
	    (which < 0 && (which & CPUCLOCK_CLOCK_MASK) == CLOCKFD))
		return -EINVAL;
	if (which >= 0 && clock_read_ns(which, &ns))
		return -EINVAL;
	return -EOPNOTSUPP;
}
