/*
 * Scheduler benchmark (suite "sched_bench"): reports, never asserts a
 * timing.
 *
 *	sched_bench: switch		two kernel threads pinned to one CPU
 *					hand a turn to each other with
 *					wake_up_thread() and schedule():
 *					ns and cycles per context switch
 *	sched_bench: cross-CPU wake	the same with the threads pinned to
 *					CPU 0 and CPU 1 (each sleeps, the
 *					other wakes it): ns per round trip
 *
 * Each figure is the best and the median of BENCH_RUNS runs of
 * LOCAL_ROUNDS (CROSS_ROUNDS) round trips, printed as "# sched_bench:"
 * KTAP diagnostics.
 * What is asserted is the hand-over itself: every round completes, the
 * threads never leave their CPUs, and each thread is switched in once per
 * round (plus a few for start-up and stray preemptions).
 *
 * Under QEMU TCG the figures measure the emulator as much as the kernel;
 * add -icount shift=0 for repeatable ones (docs/performance.md).
 */
#include <keel/arch.h>
#include <keel/err.h>
#include <keel/ktest.h>
#include <keel/printk.h>
#include <keel/sched.h>
#include <keel/smp.h>
#include <keel/sort.h>
#include <keel/time.h>

#define KTAP_DIAG    "    # "
#define BENCH_RUNS   5
#define LOCAL_ROUNDS 1000
#define CROSS_ROUNDS 300        /* each costs two IPIs and two idle exits */
#define BENCH_WARMUP 50

struct pingpong {
	struct thread *th[2];
	unsigned int cpu[2];            /* where each must run */
	unsigned int nr_rounds;         /* measured rounds to do */
	bool abort;                     /* the peer could not be created */
	volatile int turn;              /* 0 or 1: who may go */
	unsigned int rounds[2];         /* measured rounds completed */
	u64 switches[2];                /* switched in during them */
	bool wrong_cpu[2];
	u64 ns, cycles;                 /* thread 0's measured stretch */
};

struct pp_arg {
	struct pingpong *pp;
	int me;
};

static void pp_wait_turn(struct pingpong *pp, int me)
{
	for (;;) {
		set_current_state(THREAD_UNINTERRUPTIBLE);
		if (READ_ONCE(pp->turn) == me)
			break;
		schedule();
	}
	__set_current_state(THREAD_RUNNING);
}

/*
 * Thread 0 opens each round (turn to 1, wake 1, sleep until its turn);
 * thread 1 closes it. Every round thus has each thread sleep and be
 * switched in once: two context switches on one CPU, two cross-CPU
 * wake-ups across two.
 */
static int pp_fn(void *arg)
{
	struct pp_arg *a = arg;
	struct pingpong *pp = a->pp;
	int me = a->me;
	u64 t0 = 0, c0 = 0, sw0 = 0;
	unsigned int i;

	if (pp->abort)
		return -1;
	for (i = 0; i < BENCH_WARMUP + pp->nr_rounds; i++) {
		if (i == BENCH_WARMUP) {
			sw0 = READ_ONCE(current->nr_switches);
			t0 = clock_monotonic_ns();
			c0 = arch_cycles();
		}
		if (me == 0) {
			WRITE_ONCE(pp->turn, 1);
			wake_up_thread(pp->th[1]);
			pp_wait_turn(pp, 0);
		} else {
			pp_wait_turn(pp, 1);
			WRITE_ONCE(pp->turn, 0);
			wake_up_thread(pp->th[0]);
		}
		if (cpu_id() != pp->cpu[me])
			pp->wrong_cpu[me] = true;
		if (i >= BENCH_WARMUP)
			pp->rounds[me]++;
	}
	if (me == 0) {
		pp->ns = clock_monotonic_ns() - t0;
		pp->cycles = arch_cycles() - c0;
	}
	pp->switches[me] = READ_ONCE(current->nr_switches) - sw0;
	return 0;
}

/* One run; false if a thread could not be created. */
static bool pp_run(struct ktest *t, struct pingpong *pp)
{
	struct pp_arg args[2] = { { pp, 0 }, { pp, 1 } };
	struct cpumask m;
	int i;

	pp->turn = 0;
	for (i = 0; i < 2; i++) {
		pp->th[i] = kthread_create(pp_fn, &args[i], "pingpong");
		if (IS_ERR(pp->th[i])) {
			if (i) {
				pp->abort = true;
				thread_start(pp->th[0]);
				kthread_join(pp->th[0]);
			}
			return false;
		}
		cpumask_clear(&m);
		cpumask_set_cpu(pp->cpu[i], &m);
		sched_setaffinity(pp->th[i], &m);
	}
	thread_start(pp->th[1]);
	thread_start(pp->th[0]);
	for (i = 0; i < 2; i++)
		KTEST_EXPECT_EQ(t, kthread_join(pp->th[i]), 0);
	return true;
}

static int cmp_u64(const void *a, const void *b)
{
	u64 x = *(const u64 *)a, y = *(const u64 *)b;

	return x < y ? -1 : x > y;
}

/*
 * BENCH_RUNS ping-pong runs between @cpu0 and @cpu1; the best and the
 * median ns (and cycles) per round trip into @ns and @cyc ([0] best, [1]
 * median).
 */
static void pp_bench(struct ktest *t, unsigned int cpu0, unsigned int cpu1,
		     unsigned int rounds, u64 ns[2], u64 cyc[2], u64 *min_sw)
{
	u64 run_ns[BENCH_RUNS], run_cyc[BENCH_RUNS];
	struct pingpong pp;
	u64 sw = ~0ULL;
	int r, i;

	for (r = 0; r < BENCH_RUNS; r++) {
		pp = (struct pingpong){ .cpu = { cpu0, cpu1 },
					.nr_rounds = rounds };
		KTEST_ASSERT_TRUE(t, pp_run(t, &pp));
		for (i = 0; i < 2; i++) {
			KTEST_EXPECT_EQ(t, pp.rounds[i], rounds);
			KTEST_EXPECT_FALSE(t, pp.wrong_cpu[i]);
			/*
			 * Once per round, a few more for stray preemptions.
			 * On one CPU a thread cannot get its turn without
			 * being switched out (give or take the one on
			 * either edge of the measured stretch). Across two
			 * CPUs there is no lower bound: a thread finds its
			 * turn without sleeping whenever the peer answers
			 * before it is off its CPU, which on an emulator
			 * whose virtual CPUs the host deschedules can be
			 * every round.
			 */
			if (cpu0 == cpu1)
				KTEST_EXPECT_GE(t, pp.switches[i], rounds - 2);
			KTEST_EXPECT_LE(t, pp.switches[i],
					rounds + rounds / 20);
			sw = MIN(sw, pp.switches[i]);
		}
		run_ns[r] = pp.ns / rounds;
		run_cyc[r] = pp.cycles / rounds;
	}
	sort(run_ns, BENCH_RUNS, sizeof(u64), cmp_u64, NULL);
	sort(run_cyc, BENCH_RUNS, sizeof(u64), cmp_u64, NULL);
	ns[0] = run_ns[0];
	ns[1] = run_ns[BENCH_RUNS / 2];
	cyc[0] = run_cyc[0];
	cyc[1] = run_cyc[BENCH_RUNS / 2];
	*min_sw = sw;
}

/* Two switches per round trip on one CPU. */
static void test_bench_context_switch(struct ktest *t)
{
	unsigned int cpu = num_online_cpus() - 1;
	u64 before = sched_nr_switches(cpu), ns[2], cyc[2], sw;

	pp_bench(t, cpu, cpu, LOCAL_ROUNDS, ns, cyc, &sw);
	/* The CPU did at least the switches the threads saw. */
	KTEST_EXPECT_GE(t, sched_nr_switches(cpu) - before,
			2ULL * BENCH_RUNS * (LOCAL_ROUNDS - 2));
	pr_info(KTAP_DIAG "sched_bench: switch: %llu ns, %llu cycles per context switch (best of %d; median %llu ns, %llu cycles; %d round trips each)\n",
		ns[0] / 2, cyc[0] / 2, BENCH_RUNS, ns[1] / 2, cyc[1] / 2,
		LOCAL_ROUNDS);
}

static void test_bench_cross_cpu_wakeup(struct ktest *t)
{
	u64 ns[2], cyc[2], sw;

	if (num_online_cpus() < 2) {
		ktest_skip(t, "needs 2 CPUs");
		return;
	}
	pp_bench(t, 0, 1, CROSS_ROUNDS, ns, cyc, &sw);
	pr_info(KTAP_DIAG "sched_bench: cross-CPU wake: %llu ns, %llu cycles per round trip CPU0->CPU1->CPU0 (best of %d; median %llu ns, %llu cycles; at least %llu switch-ins per thread in %d rounds)\n",
		ns[0], cyc[0], BENCH_RUNS, ns[1], cyc[1], sw, CROSS_ROUNDS);
}

static struct ktest_case sched_bench_cases[] = {
	KTEST_CASE(test_bench_context_switch),
	KTEST_CASE(test_bench_cross_cpu_wakeup),
	{}
};
KTEST_SUITE(sched_bench, sched_bench_cases);
