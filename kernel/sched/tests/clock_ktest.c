/*
 * ktests for the clocks (kernel/sched/clock.c, the clock sources, the RTC):
 * the monotonic clock never decreases, on one CPU and across CPUs; it
 * agrees with the HPET; the calibrated TSC frequency matches the HPET
 * within 1 %; the PIT counts at its nominal rate; realtime is after 2020
 * and close to the RTC. Measured figures are printed as KTAP diagnostics
 * ("# clock_...:").
 */
#include <keel/arch.h>
#include <keel/ktest.h>
#include <keel/printk.h>
#include <keel/rtc.h>
#include <keel/smp.h>
#include <keel/time.h>

#define KTAP_DIAG       "    # "
#define READS           200000
#define CPU_READS       20000
#define MEASURE_NS      (100 * NSEC_PER_MSEC)
#define EPOCH_2020      1577836800ULL      /* 2020-01-01 00:00:00 UTC */

/* Elapsed ticks of @cs between two raw readings. */
static u64 cs_ticks(const struct clocksource *cs, u64 from, u64 to)
{
	return (to - from) & cs->mask;
}

/* @a * @b / @c without a 128-bit division; needs @c * @b < 2^64. */
static u64 mul_div(u64 a, u64 b, u64 c)
{
	return a / c * b + a % c * b / c;
}

static u64 cs_ticks_to_ns(const struct clocksource *cs, u64 ticks)
{
	return mul_div(ticks, NSEC_PER_SEC, cs->freq_hz);
}

static u64 abs_diff(u64 a, u64 b)
{
	return a > b ? a - b : b - a;
}

static void test_monotonic_never_decreases(struct ktest *t)
{
	u64 first = clock_monotonic_ns(), prev = first, now = first;
	unsigned int i, back = 0;

	for (i = 0; i < READS; i++) {
		now = clock_monotonic_ns();
		back += now < prev;
		prev = now;
	}
	KTEST_EXPECT_EQ(t, back, 0);
	KTEST_EXPECT_GT(t, now, first);
	pr_info(KTAP_DIAG "clock_read: %llu ns per clock_monotonic_ns() on %s "
		"(%u reads)\n", (now - first) / READS, clock_source_name(),
		READS);
}

/* Every CPU reads the clock after seeing the latest value any CPU read. */
static u64 cpu_latest;
static unsigned int cpu_backwards;

static void monotonic_on_cpu(void *arg)
{
	unsigned int i;

	for (i = 0; i < CPU_READS; i++) {
		u64 seen = __atomic_load_n(&cpu_latest, __ATOMIC_ACQUIRE);
		u64 now = clock_monotonic_ns();
		u64 cur = seen;

		if (now < seen)
			__atomic_fetch_add(&cpu_backwards, 1, __ATOMIC_RELAXED);
		while (cur < now &&
		       !__atomic_compare_exchange_n(&cpu_latest, &cur, now, false,
						    __ATOMIC_RELEASE,
						    __ATOMIC_ACQUIRE))
			;
	}
}

static void test_monotonic_across_cpus(struct ktest *t)
{
	if (num_online_cpus() < 2) {
		ktest_skip(t, "one CPU");
		return;
	}
	cpu_latest = 0;
	cpu_backwards = 0;
	on_each_cpu(monotonic_on_cpu, NULL);
	KTEST_EXPECT_EQ(t, cpu_backwards, 0);
	pr_info(KTAP_DIAG "clock_smp: %u CPUs x %u reads, %u went backwards\n",
		num_online_cpus(), CPU_READS, cpu_backwards);
}

/* Read @cs between two clock reads (tightest of several); return the
 * clock at the midpoint. */
static u64 sample_with(const struct clocksource *cs, u64 *raw)
{
	u64 best = ~0ULL, mid = 0, a, b, x;
	unsigned int i;

	*raw = 0;
	for (i = 0; i < 8; i++) {
		a = clock_monotonic_ns();
		x = cs->read();
		b = clock_monotonic_ns();
		if (b - a < best) {
			best = b - a;
			mid = a + best / 2;
			*raw = x;
		}
	}
	return mid;
}

static void test_monotonic_vs_hpet(struct ktest *t)
{
	struct clocksource *hpet = clocksource_find("hpet");
	u64 h0, h1, n0, n1, hpet_ns, clock_ns, diff, ppm;

	if (!hpet) {
		ktest_skip(t, "no HPET");
		return;
	}
	n0 = sample_with(hpet, &h0);
	do {
		n1 = sample_with(hpet, &h1);
	} while (n1 - n0 < MEASURE_NS);
	hpet_ns = cs_ticks_to_ns(hpet, cs_ticks(hpet, h0, h1));
	clock_ns = n1 - n0;
	diff = abs_diff(hpet_ns, clock_ns);
	ppm = diff * 1000000 / hpet_ns;
	pr_info(KTAP_DIAG "clock_vs_hpet: %llu ns on %s vs %llu ns on the "
		"HPET: %llu ns apart (%llu ppm)\n", clock_ns,
		clock_source_name(), hpet_ns, diff, ppm);
	KTEST_EXPECT_LE(t, ppm, 1000);     /* 0.1 % */
}

/*
 * Read @ref with @cs on both sides, several times, and keep the tightest
 * bracket: a lone pair of reads can be split by an interrupt or (under
 * TCG) by translating the next instructions, which would skew the rate.
 */
static void bracket_sample(const struct clocksource *cs,
			   const struct clocksource *ref, u64 *c, u64 *r)
{
	u64 best = ~0ULL, a, b, x;
	unsigned int i;

	*c = *r = 0;
	for (i = 0; i < 8; i++) {
		a = cs->read();
		x = ref->read();
		b = cs->read();
		if (cs_ticks(cs, a, b) < best) {
			best = cs_ticks(cs, a, b);
			*c = a + best / 2;
			*r = x;
		}
	}
}

static void test_tsc_vs_hpet(struct ktest *t)
{
	struct clocksource *hpet = clocksource_find("hpet");
	struct clocksource *tsc = clocksource_find("tsc");
	u64 h0, h1, c0, c1, hz, ppm;

	if (!hpet || !tsc) {
		ktest_skip(t, "needs both a TSC and an HPET clock source");
		return;
	}
	bracket_sample(tsc, hpet, &c0, &h0);
	do {
		bracket_sample(tsc, hpet, &c1, &h1);
	} while (cs_ticks_to_ns(hpet, cs_ticks(hpet, h0, h1)) < MEASURE_NS);
	hz = mul_div(c1 - c0, hpet->freq_hz, cs_ticks(hpet, h0, h1));
	ppm = abs_diff(hz, tsc->freq_hz) * 1000000 / tsc->freq_hz;
	pr_info(KTAP_DIAG "tsc_vs_hpet: TSC measured at %llu Hz over 100 ms "
		"of HPET, calibrated %llu Hz: %llu ppm apart\n", hz,
		tsc->freq_hz, ppm);
	KTEST_EXPECT_LE(t, ppm, 10000);    /* 1 % */
}

/*
 * The PIT against the clock over 20 ms. Its 16-bit counter wraps every
 * 55 ms, so an attempt that took over 40 ms (a preempted virtual CPU) says
 * nothing and is retried.
 */
static bool pit_attempt(const struct clocksource *pit, u64 *clock_ns,
			u64 *pit_ns)
{
	u64 p0, p1, n0, n1;

	n0 = sample_with(pit, &p0);
	do {
		n1 = sample_with(pit, &p1);
	} while (n1 - n0 < 20 * NSEC_PER_MSEC);
	*clock_ns = n1 - n0;
	*pit_ns = cs_ticks_to_ns(pit, cs_ticks(pit, p0, p1));
	return *clock_ns < 40 * NSEC_PER_MSEC;
}

static void test_pit_rate(struct ktest *t)
{
	struct clocksource *pit = clocksource_find("pit");
	u64 clock_ns = 0, pit_ns = 0, ppm;
	unsigned int tries;

	if (!pit) {
		ktest_skip(t, "no PIT clock source");
		return;
	}
	for (tries = 1; tries <= 5; tries++) {
		if (pit_attempt(pit, &clock_ns, &pit_ns))
			break;
	}
	KTEST_ASSERT_TRUE(t, tries <= 5);
	ppm = abs_diff(pit_ns, clock_ns) * 1000000 / clock_ns;
	pr_info(KTAP_DIAG "clock_vs_pit: %llu ns on %s vs %llu ns on the PIT "
		"(%llu ppm, attempt %u)\n", clock_ns, clock_source_name(),
		pit_ns, ppm, tries);
	KTEST_EXPECT_LE(t, ppm, 20000);    /* port I/O jitter on 20 ms */
}

static void test_selected_source(struct ktest *t)
{
	struct clocksource *cs = clocksource_find(clock_source_name());

	KTEST_ASSERT_NOT_NULL(t, cs);
	KTEST_EXPECT_GT(t, cs->rating, 0);
	KTEST_EXPECT_GT(t, cs->freq_hz, 0);
}

static void test_realtime(struct ktest *t)
{
	u64 real = clock_realtime_ns() / NSEC_PER_SEC, rtc;
	struct rtc_time tm;

	if (rtc_read_time(&tm)) {
		ktest_skip(t, "the RTC is unreadable; realtime started at 0");
		return;
	}
	rtc = rtc_time_to_epoch(&tm);
	pr_info(KTAP_DIAG "clock_realtime: %llu s since the epoch, RTC says "
		"%llu s\n", real, rtc);
	KTEST_EXPECT_GT(t, real, EPOCH_2020);
	KTEST_EXPECT_LE(t, abs_diff(real, rtc), 2);
}

static struct ktest_case clock_cases[] = {
	KTEST_CASE(test_monotonic_never_decreases),
	KTEST_CASE(test_monotonic_across_cpus),
	KTEST_CASE(test_monotonic_vs_hpet),
	KTEST_CASE(test_tsc_vs_hpet),
	KTEST_CASE(test_pit_rate),
	KTEST_CASE(test_selected_source),
	KTEST_CASE(test_realtime),
	{}
};
KTEST_SUITE(clock, clock_cases);
