/*
 * Scheduling-policy ktests (suite "sched"): who runs, where, for how long.
 *
 *	RT order	SCHED_FIFO runs strictly by priority, equals never
 *			preempt each other; SCHED_RR rotates equals every
 *			slice, SCHED_FIFO does not
 *	fair shares	two nice-0 threads split a CPU evenly, nice 0 vs 5
 *			by the weight ratio 1024/335
 *	affinity	a pinned thread never runs elsewhere; a new mask
 *			moves it and it stays within it
 *	balancing	8 CPU-bound threads queued on one CPU end up
 *			spread evenly (2 per CPU on 4 CPUs)
 *	wake-ups	a woken thread prefers an idle CPU; a woken RT
 *			thread preempts a fair one at once
 *	atomic		no preemption under a spinlock, preempt_disable()
 *			or with interrupts off, and preemption at once when
 *			the section ends
 *
 * One-CPU cases pin every thread to one CPU (the last one) while the test
 * thread (boot's "init") holds that CPU as a SCHED_FIFO "gate" of
 * priority GATE_PRIO: the threads under test are all queued before any of
 * them runs, then the gate sleeps and they run. The order of events is
 * read from a global atomic counter (next_seq()). CPU shares are measured
 * with the runtime_ns the scheduler charges, never with wall time: QEMU's
 * TCG vCPUs are themselves time-sliced by the host. The gate reads the
 * runtime of threads on its CPU while it runs there, so their time is
 * fully charged at that moment. Every case restores the test thread's
 * policy and affinity, and joins every thread it created.
 */
#include <keel/arch.h>
#include <keel/err.h>
#include <keel/errno.h>
#include <keel/ktest.h>
#include <keel/printk.h>
#include <keel/sched.h>
#include <keel/smp.h>
#include <keel/spinlock.h>
#include <keel/string.h>
#include <keel/time.h>

#define KTAP_DIAG "    # "

#define ANY_CPU    (~0U)
#define GATE_PRIO  90

static int seq;

/* The next number of the global event order (1, 2, ...). */
static int next_seq(void)
{
	return __atomic_add_fetch(&seq, 1, __ATOMIC_SEQ_CST);
}

static void seq_reset(void)
{
	__atomic_store_n(&seq, 0, __ATOMIC_SEQ_CST);
}

static unsigned int this_cpu(void)
{
	unsigned int cpu;

	preempt_disable();
	cpu = cpu_id();
	preempt_enable();
	return cpu;
}

static unsigned int ncpus(void)
{
	return num_online_cpus();
}

/* The CPU one-CPU cases run on: the last, away from boot-time work. */
static unsigned int test_cpu(void)
{
	return ncpus() - 1;
}

static void mask_of(struct cpumask *m, unsigned int cpu)
{
	cpumask_clear(m);
	cpumask_set_cpu(cpu, m);
}

/* Busy for @ns of clock time (preemptible). */
static void spin_for(u64 ns)
{
	u64 end = clock_monotonic_ns() + ns;

	while (clock_monotonic_ns() < end)
		arch_cpu_relax();
}

/*
 * Pin the test thread to @cpu and, with @prio, make it SCHED_FIFO @prio.
 * Return: true if it then runs on @cpu (setaffinity moves the caller at
 * once).
 */
static bool self_pin(unsigned int cpu, int prio)
{
	struct cpumask m;

	mask_of(&m, cpu);
	if (sched_setaffinity(current, &m))
		return false;
	if (prio && sched_setscheduler(current, SCHED_FIFO, prio))
		return false;
	return this_cpu() == cpu;
}

static void self_restore(void)
{
	struct cpumask all;

	cpumask_setall(&all);
	sched_setscheduler(current, SCHED_NORMAL, 0);
	sched_setaffinity(current, &all);
}

/* A created, not started thread pinned to @cpu with @policy. */
static struct thread *make_thread(int (*fn)(void *), void *arg,
				  const char *name, unsigned int cpu,
				  int policy, int prio)
{
	struct thread *th = kthread_create(fn, arg, name);
	struct cpumask m;

	if (IS_ERR(th))
		return th;
	mask_of(&m, cpu);
	sched_setaffinity(th, &m);
	if (policy != SCHED_NORMAL)
		sched_setscheduler(th, policy, prio);
	return th;
}

/* ---- CPU-bound helpers -------------------------------------------------- */

struct spinner {
	volatile bool *stop;
	unsigned int cpu;               /* last CPU it ran on */
	u64 loops;
};

static int spinner_fn(void *arg)
{
	struct spinner *s = arg;

	while (!READ_ONCE(*s->stop)) {
		WRITE_ONCE(s->cpu, cpu_id());
		WRITE_ONCE(s->loops, s->loops + 1);
		arch_cpu_relax();
	}
	return 0;
}

/* Sleep until *@flag is set, then record the event order. */
struct waiter {
	volatile bool go;
	int seq;                        /* next_seq() when it ran, 0 before */
	u64 ran_at;                     /* clock when it ran */
	unsigned int cpu;
};

static int waiter_fn(void *arg)
{
	struct waiter *w = arg;

	for (;;) {
		set_current_state(THREAD_UNINTERRUPTIBLE);
		if (READ_ONCE(w->go))
			break;
		schedule();
	}
	__set_current_state(THREAD_RUNNING);
	w->ran_at = clock_monotonic_ns();
	w->cpu = cpu_id();
	WRITE_ONCE(w->seq, next_seq());
	return 0;
}

static void waiter_wake(struct waiter *w, struct thread *th)
{
	WRITE_ONCE(w->go, true);
	wake_up_thread(th);
}

/* ---- 1. SCHED_FIFO priority order --------------------------------------- */

#define RT_WORK_NS (5 * NSEC_PER_MSEC)

struct rt_order {
	int start, end, after_yield;
	struct thread *wake;            /* started while this one runs */
	bool yield;                     /* yield after the work */
};

static int rt_order_fn(void *arg)
{
	struct rt_order *o = arg;

	o->start = next_seq();
	if (o->wake)
		thread_start(o->wake);
	spin_for(RT_WORK_NS);
	o->end = next_seq();
	if (o->yield) {
		yield();
		o->after_yield = next_seq();
	}
	return 0;
}

enum { O40, O35, O30, OE1, OE2, O20, O10, O_NR };

/*
 * Threads at 30, 10, 25 (E1), 40, 20, 25 (E2) are started in that order
 * behind the gate; 40 starts a 35 while it runs. Each works 5 ms (more
 * than a fair slice or a balance interval); E1 then yields. Expected: 40,
 * 35, 30, E1 up to its yield, E2 whole, E1's rest, 20, 10, nobody cut
 * into by a lower or equal priority.
 */
static void test_fifo_strict_priority_order(struct ktest *t)
{
	static const int prio[O_NR] = { 40, 35, 30, 25, 25, 20, 10 };
	static const int start_order[] = { O30, O10, OE1, O40, O20, OE2 };
	static const int want[O_NR][2] = {
		{ 1, 2 }, { 3, 4 }, { 5, 6 }, { 7, 8 }, { 9, 10 },
		{ 12, 13 }, { 14, 15 },
	};
	struct rt_order o[O_NR] = { 0 };
	struct thread *th[O_NR];
	unsigned int cpu = test_cpu(), i;

	seq_reset();
	o[OE1].yield = true;
	for (i = 0; i < O_NR; i++) {
		th[i] = make_thread(rt_order_fn, &o[i], "rt-order", cpu,
				    SCHED_FIFO, prio[i]);
		KTEST_ASSERT_FALSE(t, IS_ERR(th[i]));
	}
	o[O40].wake = th[O35];
	KTEST_EXPECT_TRUE(t, self_pin(cpu, GATE_PRIO));
	for (i = 0; i < ARRAY_SIZE(start_order); i++)
		thread_start(th[start_order[i]]);
	/* Behind the gate nobody ran yet. */
	KTEST_EXPECT_EQ(t, READ_ONCE(seq), 0);
	for (i = 0; i < O_NR; i++)
		KTEST_EXPECT_EQ(t, kthread_join(th[i]), 0);
	self_restore();

	for (i = 0; i < O_NR; i++) {
		KTEST_EXPECT_EQ(t, o[i].start, want[i][0]);
		KTEST_EXPECT_EQ(t, o[i].end, want[i][1]);
	}
	KTEST_EXPECT_EQ(t, o[OE1].after_yield, 11);
}

/* ---- 2. SCHED_RR rotation, SCHED_FIFO none ------------------------------ */

#define TURN_THREADS 3
#define MAX_TURNS    8

struct turn_test;

/* A turn: a stretch during which no peer of the test ran. */
struct turn_log {
	struct turn_test *tt;
	int me;
	unsigned int n;                 /* turns taken */
	int seq[MAX_TURNS];             /* event order of each turn's start */
	u64 first[MAX_TURNS], last[MAX_TURNS];
	u64 ran;                        /* ns inside its turns */
};

struct turn_test {
	volatile int last_runner;
	volatile bool stop;
	unsigned int min_turns;         /* RR: stop when all have this many */
	u64 work_ns;                    /* FIFO: each stops after this */
	u64 deadline;                   /* give up (a failure) */
	struct turn_log log[TURN_THREADS];
};

static bool all_had_turns(struct turn_test *tt, unsigned int n)
{
	int i;

	for (i = 0; i < TURN_THREADS; i++)
		if (READ_ONCE(tt->log[i].n) < n)
			return false;
	return true;
}

static int turn_fn(void *arg)
{
	struct turn_log *l = arg;
	struct turn_test *tt = l->tt;
	u64 now, prev = 0;

	/* Wake one by one, each while a peer is already running. */
	sleep_ns((u64)(l->me + 1) * 2 * NSEC_PER_MSEC);
	while (!READ_ONCE(tt->stop)) {
		/* A sample is atomic: no switch between its clock and turn. */
		preempt_disable();
		now = clock_monotonic_ns();
		if (READ_ONCE(tt->last_runner) != l->me) {
			if (l->n == MAX_TURNS) {
				preempt_enable();
				break;
			}
			l->first[l->n] = now;
			l->seq[l->n] = next_seq();
			WRITE_ONCE(l->n, l->n + 1);
			WRITE_ONCE(tt->last_runner, l->me);
		} else {
			l->ran += now - prev;
		}
		l->last[l->n - 1] = now;
		prev = now;
		preempt_enable();
		if (now > tt->deadline ||
		    (tt->min_turns && all_had_turns(tt, tt->min_turns)))
			WRITE_ONCE(tt->stop, true);
		if (tt->work_ns && l->ran >= tt->work_ns)
			break;
	}
	return 0;
}

/*
 * Run TURN_THREADS @policy threads of one priority on one CPU next to a
 * fair spinner (a queued lower class must not matter).
 */
static bool run_turns(struct ktest *t, struct turn_test *tt, int policy)
{
	struct spinner bg = { .stop = &tt->stop };
	struct thread *th[TURN_THREADS], *fair;
	unsigned int cpu = test_cpu();
	int i;

	seq_reset();
	tt->last_runner = -1;
	tt->stop = false;
	tt->deadline = clock_monotonic_ns() + 3 * NSEC_PER_SEC;
	fair = make_thread(spinner_fn, &bg, "turn-bg", cpu, SCHED_NORMAL, 0);
	if (IS_ERR(fair))
		return false;
	for (i = 0; i < TURN_THREADS; i++) {
		tt->log[i].tt = tt;
		tt->log[i].me = i;
		th[i] = make_thread(turn_fn, &tt->log[i], "turn", cpu, policy,
				    20);
		if (IS_ERR(th[i]))
			return false;
	}
	KTEST_EXPECT_TRUE(t, self_pin(cpu, GATE_PRIO));
	thread_start(fair);
	for (i = 0; i < TURN_THREADS; i++)
		thread_start(th[i]);
	for (i = 0; i < TURN_THREADS; i++)
		KTEST_EXPECT_EQ(t, kthread_join(th[i]), 0);
	WRITE_ONCE(tt->stop, true);
	KTEST_EXPECT_EQ(t, kthread_join(fair), 0);
	self_restore();
	return true;
}

/*
 * The thread whose turn was the @k-th (from 0) of the test: turn starts
 * are the only events counted, so the k-th has seq k + 1.
 */
static int turn_owner(struct turn_test *tt, unsigned int k)
{
	unsigned int j;
	int i;

	for (i = 0; i < TURN_THREADS; i++)
		for (j = 0; j < tt->log[i].n; j++)
			if (tt->log[i].seq[j] == (int)k + 1)
				return i;
	return -1;
}

/*
 * Three CPU-bound SCHED_RR threads of one priority, woken one by one while
 * a peer runs: each runs about one slice, loses the CPU to the next and
 * runs again, in round-robin order.
 */
static void test_rr_rotates_equal_priority(struct ktest *t)
{
	static struct turn_test tt;
	unsigned int total = 0, k, j;
	int i;

	memset(&tt, 0, sizeof(tt));
	tt.min_turns = 2;
	KTEST_ASSERT_TRUE(t, run_turns(t, &tt, SCHED_RR));
	for (i = 0; i < TURN_THREADS; i++) {
		struct turn_log *l = &tt.log[i];

		KTEST_EXPECT_GE(t, l->n, 2);
		total += l->n;
		/*
		 * A whole slice, not cut short by a peer's wake-up (that
		 * gives a turn of a few ms at most), nor much longer. The
		 * host may stall the vCPU: past a slice's end (hence the
		 * generous upper bound), or between the switch-in and the
		 * thread's first timestamp, which the slice pays for but the
		 * turn does not show (seen: 39 ms of 100 on a loaded host
		 * with -smp 4), hence a quarter slice as the lower bound.
		 */
		for (j = 0; j + 1 < l->n; j++) {
			KTEST_EXPECT_GE(t, l->last[j] - l->first[j],
					RT_RR_TIMESLICE_NS / 4);
			KTEST_EXPECT_LE(t, l->last[j] - l->first[j],
					4 * RT_RR_TIMESLICE_NS);
		}
	}
	for (k = 0; k < total; k++)
		KTEST_EXPECT_EQ(t, turn_owner(&tt, k), (int)(k % TURN_THREADS));
	pr_info(KTAP_DIAG "rr: turns %u/%u/%u, first turns %llu/%llu/%llu ms\n",
		tt.log[0].n, tt.log[1].n, tt.log[2].n,
		(tt.log[0].last[0] - tt.log[0].first[0]) / NSEC_PER_MSEC,
		(tt.log[1].last[0] - tt.log[1].first[0]) / NSEC_PER_MSEC,
		(tt.log[2].last[0] - tt.log[2].first[0]) / NSEC_PER_MSEC);
}

/* The same with SCHED_FIFO and more than a slice of work: no rotation. */
static void test_fifo_equal_priority_no_rotation(struct ktest *t)
{
	static struct turn_test tt;
	int i;

	memset(&tt, 0, sizeof(tt));
	tt.work_ns = RT_RR_TIMESLICE_NS + 20 * NSEC_PER_MSEC;
	KTEST_ASSERT_TRUE(t, run_turns(t, &tt, SCHED_FIFO));
	for (i = 0; i < TURN_THREADS; i++) {
		KTEST_EXPECT_EQ(t, tt.log[i].n, 1);
		KTEST_EXPECT_GE(t, tt.log[i].ran, tt.work_ns);
		KTEST_EXPECT_EQ(t, turn_owner(&tt, i), i);
	}
}

/* ---- 3, 4. fair shares ---------------------------------------------------- */

#define SHARE_STEP_NS    (25 * NSEC_PER_MSEC)
#define SHARE_SAMPLES    16             /* 400 ms */
#define SHARE_LATE       8              /* the samples judged */

struct shares {
	u64 ra[SHARE_SAMPLES], rb[SHARE_SAMPLES];  /* runtime since start */
	u64 at[SHARE_SAMPLES];                      /* clock since start */
	u64 gate[SHARE_SAMPLES];                    /* the gate's runtime */
	u64 wa, wb;                                 /* weights */
};

/*
 * Two CPU-bound fair threads at @nice_a and @nice_b on one CPU: their
 * whole runtime at each of SHARE_SAMPLES points SHARE_STEP_NS apart.
 * (Whole, not over a window: a window's start would be a second
 * snapshot, see share_best().)
 */
static bool fair_shares(struct shares *sh, int nice_a, int nice_b)
{
	volatile bool stop = false;
	struct spinner s[2] = { { .stop = &stop }, { .stop = &stop } };
	struct thread *a, *b;
	unsigned int cpu = test_cpu(), i;
	bool pinned;
	u64 t0, g0;

	sh->wa = fair_nice_to_weight(nice_a);
	sh->wb = fair_nice_to_weight(nice_b);
	a = make_thread(spinner_fn, &s[0], "share-a", cpu, SCHED_NORMAL, 0);
	if (IS_ERR(a))
		return false;
	b = make_thread(spinner_fn, &s[1], "share-b", cpu, SCHED_NORMAL, 0);
	if (IS_ERR(b)) {
		thread_start(a);
		stop = true;
		kthread_join(a);
		return false;
	}
	sched_set_nice(a, nice_a);
	sched_set_nice(b, nice_b);
	pinned = self_pin(cpu, GATE_PRIO);
	thread_start(a);
	thread_start(b);
	t0 = clock_monotonic_ns();
	g0 = READ_ONCE(current->runtime_ns);
	/* The gate preempts them when it wakes: both fully charged now. */
	for (i = 0; i < SHARE_SAMPLES; i++) {
		sleep_ns(SHARE_STEP_NS);
		sh->at[i] = clock_monotonic_ns() - t0;
		sh->ra[i] = READ_ONCE(a->runtime_ns);
		sh->rb[i] = READ_ONCE(b->runtime_ns);
		/* Charged up to this run of ours. */
		sh->gate[i] = READ_ONCE(current->runtime_ns) - g0;
	}
	stop = true;
	kthread_join(a);
	kthread_join(b);
	self_restore();
	return pinned && s[0].loops && s[1].loops;
}

/*
 * Nothing else ran there: the two and the gate (whose time includes any
 * host stall in its own runs) account for the CPU's time.
 */
static bool share_cpu_accounted(const struct shares *sh)
{
	unsigned int last = SHARE_SAMPLES - 1;

	return sh->ra[last] + sh->rb[last] + sh->gate[last] >=
	       sh->at[last] * 9 / 10;
}

/* How far sample @i's ratio ra/rb is from wa/wb, in per mille. */
static u64 share_error_pm(const struct shares *sh, unsigned int i)
{
	u64 want = sh->rb[i] * sh->wa, got = sh->ra[i] * sh->wb;

	if (!want)
		return ~0ULL;
	return (got > want ? got - want : want - got) * 1000 / want;
}

/*
 * The smallest error among the last SHARE_LATE samples. A host that
 * deschedules a vCPU charges a whole stretch of wall time to whichever
 * thread was running; EEVDF pays it back to the other within a few
 * slices, so a snapshot may catch the debt. A real bias grows with time
 * and shows in every late sample.
 */
static unsigned int share_best(const struct shares *sh, u64 *err)
{
	unsigned int i, best = SHARE_SAMPLES - 1;

	for (i = SHARE_SAMPLES - SHARE_LATE; i < SHARE_SAMPLES; i++)
		if (share_error_pm(sh, i) < share_error_pm(sh, best))
			best = i;
	*err = share_error_pm(sh, best);
	return best;
}

static void share_report(const struct shares *sh, const char *what,
			 u64 limit_pm)
{
	unsigned int last = SHARE_SAMPLES - 1, i;
	u64 err, r;

	i = share_best(sh, &err);
	if (err > limit_pm) {
		unsigned int j;

		for (j = 0; j < SHARE_SAMPLES; j++)
			pr_info(KTAP_DIAG "fair: sample %u at %llu ms: %llu/%llu us\n",
				j, sh->at[j] / NSEC_PER_MSEC,
				sh->ra[j] / NSEC_PER_USEC,
				sh->rb[j] / NSEC_PER_USEC);
	}
	r = sh->ra[i] * 1000 / MAX(sh->rb[i], 1);
	pr_info(KTAP_DIAG "fair: %s: runtime %llu/%llu ms over %llu ms, ratio %llu.%03llu (weights %llu/%llu, off by %llu.%llu %%; at the end %llu/%llu ms, gate %llu ms, of %llu ms)\n",
		what, sh->ra[i] / NSEC_PER_MSEC, sh->rb[i] / NSEC_PER_MSEC,
		sh->at[i] / NSEC_PER_MSEC, r / 1000, r % 1000,
		sh->wa, sh->wb, err / 10, err % 10, sh->ra[last] / NSEC_PER_MSEC,
		sh->rb[last] / NSEC_PER_MSEC, sh->gate[last] / NSEC_PER_MSEC,
		sh->at[last] / NSEC_PER_MSEC);
}

static void test_fair_equal_nice_equal_share(struct ktest *t)
{
	static struct shares sh;
	u64 err;

	KTEST_ASSERT_TRUE(t, fair_shares(&sh, 0, 0));
	share_report(&sh, "nice 0/0", 50);
	/* Together they had the CPU; each within 5 % of the other. */
	KTEST_EXPECT_TRUE(t, share_cpu_accounted(&sh));
	share_best(&sh, &err);
	KTEST_EXPECT_LE(t, err, 50);
}

static void test_fair_nice_weight_ratio(struct ktest *t)
{
	static struct shares sh;
	u64 err;

	KTEST_ASSERT_TRUE(t, fair_shares(&sh, 0, 5));
	share_report(&sh, "nice 0/5", 100);
	KTEST_EXPECT_TRUE(t, share_cpu_accounted(&sh));
	/* ra / rb within 10 % of 1024 / 335. */
	share_best(&sh, &err);
	KTEST_EXPECT_LE(t, err, 100);
}

/* ---- 5. affinity -------------------------------------------------------- */

/* Phases of the affinity test, set by the test thread. */
enum { PIN_A, PIN_CHANGING, PIN_B, PIN_STOP };

struct pinned {
	unsigned int a, b;              /* its CPU, then the new one */
	volatile int phase;             /* PIN_* */
	unsigned int samples[2], wrong[2];  /* on a, on b */
	u64 migrations0;                /* moves up to its last sample on a */
};

/*
 * Sample the CPU in a loop of yields and short sleeps. A sample counts
 * for a only if the phase was still PIN_A after it was taken (the mask
 * change starts later), for b only after PIN_B was seen and one more
 * switch point passed (the change is done, and any switch moves us).
 */
static int pinned_fn(void *arg)
{
	struct pinned *p = arg;
	u64 mig = READ_ONCE(current->nr_migrations);
	unsigned int i = 0, cpu;
	bool on_b = false;
	int ph;

	while ((ph = READ_ONCE(p->phase)) != PIN_STOP) {
		if (ph == PIN_B && !on_b) {
			on_b = true;
			yield();
			continue;
		}
		cpu = cpu_id();
		barrier();
		if (on_b) {
			p->samples[1]++;
			p->wrong[1] += cpu != p->b;
		} else if (READ_ONCE(p->phase) == PIN_A) {
			p->samples[0]++;
			p->wrong[0] += cpu != p->a;
			p->migrations0 = READ_ONCE(current->nr_migrations) -
					 mig;
		}
		if (++i % 8 == 0)
			sleep_ns(200 * NSEC_PER_USEC);
		else
			yield();
	}
	return 0;
}

/*
 * A thread pinned to CPU a shares it with a pinned spinner (so it is
 * always woken onto a busy CPU) and two spinners that balancing pushes
 * away: it yields and sleeps, yet only ever runs on a. Its mask is then
 * changed to b while it runs: it moves and stays on b. Masks without an
 * online CPU are refused.
 */
static void test_affinity_pinned_stays(struct ktest *t)
{
	volatile bool stop = false;
	struct spinner sp[3] = { { .stop = &stop }, { .stop = &stop },
				 { .stop = &stop } };
	struct pinned p = { .a = test_cpu() };
	struct thread *pt, *st[3];
	struct cpumask m, all;
	int i;

	p.b = ncpus() > 1 ? p.a - 1 : p.a;
	cpumask_setall(&all);
	pt = make_thread(pinned_fn, &p, "pinned", p.a, SCHED_NORMAL, 0);
	KTEST_ASSERT_FALSE(t, IS_ERR(pt));
	for (i = 0; i < 3; i++) {
		st[i] = make_thread(spinner_fn, &sp[i], "crowd", p.a,
				    SCHED_NORMAL, 0);
		KTEST_ASSERT_FALSE(t, IS_ERR(st[i]));
	}
	thread_start(pt);
	for (i = 0; i < 3; i++)
		thread_start(st[i]);
	/* Two of the crowd may go anywhere now: they queue on a. */
	sched_setaffinity(st[1], &all);
	sched_setaffinity(st[2], &all);

	cpumask_clear(&m);
	KTEST_EXPECT_EQ(t, sched_setaffinity(pt, &m), -EINVAL);
	if (ncpus() < NR_CPUS) {
		mask_of(&m, ncpus());
		KTEST_EXPECT_EQ(t, sched_setaffinity(pt, &m), -EINVAL);
	}
	KTEST_EXPECT_TRUE(t, cpumask_test_cpu(p.a, &pt->allowed));

	sleep_ns(150 * NSEC_PER_MSEC);
	mask_of(&m, p.b);
	WRITE_ONCE(p.phase, PIN_CHANGING);
	KTEST_EXPECT_EQ(t, sched_setaffinity(pt, &m), 0);
	WRITE_ONCE(p.phase, PIN_B);
	sleep_ns(150 * NSEC_PER_MSEC);
	WRITE_ONCE(p.phase, PIN_STOP);
	KTEST_EXPECT_EQ(t, kthread_join(pt), 0);
	stop = true;
	for (i = 0; i < 3; i++)
		KTEST_EXPECT_EQ(t, kthread_join(st[i]), 0);

	/* It shares its CPU with spinners and yields: few, but some. */
	KTEST_EXPECT_GT(t, p.samples[0], 10);
	KTEST_EXPECT_GT(t, p.samples[1], 10);
	KTEST_EXPECT_EQ(t, p.wrong[0], 0);
	KTEST_EXPECT_EQ(t, p.wrong[1], 0);
	KTEST_EXPECT_EQ(t, p.migrations0, 0);
	KTEST_EXPECT_EQ(t, READ_ONCE(sp[0].cpu), p.a);
	pr_info(KTAP_DIAG "affinity: %u samples on CPU%u, %u on CPU%u\n",
		p.samples[0], p.a, p.samples[1], p.b);
}

/* ---- 6. load balancing ---------------------------------------------------- */

#define BAL_THREADS 8

/* Spinners per CPU from their published CPUs; true if all within [lo, hi]. */
static bool balanced(struct spinner *s, unsigned int lo, unsigned int hi,
		     unsigned int *per_cpu, unsigned int *nr_run)
{
	unsigned int cpu, i, me;
	bool ok = true;

	for (cpu = 0; cpu < ncpus(); cpu++)
		per_cpu[cpu] = 0;
	for (i = 0; i < BAL_THREADS; i++)
		per_cpu[READ_ONCE(s[i].cpu)]++;
	preempt_disable();
	me = cpu_id();
	for (cpu = 0; cpu < ncpus(); cpu++)
		nr_run[cpu] = sched_nr_running(cpu) - (cpu == me);
	preempt_enable();
	for (cpu = 0; cpu < ncpus(); cpu++)
		ok &= per_cpu[cpu] >= lo && per_cpu[cpu] <= hi &&
		      nr_run[cpu] >= lo && nr_run[cpu] <= hi;
	return ok;
}

/*
 * Eight CPU-bound threads start queued on one CPU (pinned there, then
 * allowed everywhere): balancing must spread them to BAL_THREADS / ncpus
 * per CPU (2 on 4 CPUs), counted both by the CPU each spinner reports and
 * by the run-queue lengths, and the spread must hold. With one CPU all
 * eight stay there and all make progress.
 */
static void test_balance_spreads_spinners(struct ktest *t)
{
	volatile bool stop = false;
	struct spinner s[BAL_THREADS];
	struct thread *th[BAL_THREADS];
	unsigned int per_cpu[NR_CPUS], nr_run[NR_CPUS];
	unsigned int n = ncpus(), lo = BAL_THREADS / n;
	unsigned int hi = lo + (BAL_THREADS % n != 0), cpu, i, tries;
	unsigned int home = test_cpu();
	struct cpumask all;
	bool ok = false;

	cpumask_setall(&all);
	for (i = 0; i < BAL_THREADS; i++) {
		s[i] = (struct spinner){ .stop = &stop, .cpu = home };
		th[i] = make_thread(spinner_fn, &s[i], "bal", home,
				    SCHED_NORMAL, 0);
		KTEST_ASSERT_FALSE(t, IS_ERR(th[i]));
	}
	for (i = 0; i < BAL_THREADS; i++)
		thread_start(th[i]);
	for (i = 0; i < BAL_THREADS; i++)
		sched_setaffinity(th[i], &all);
	sleep_ns(200 * NSEC_PER_MSEC);
	for (tries = 0; tries < 20 && !ok; tries++) {
		sleep_ns(20 * NSEC_PER_MSEC);
		ok = balanced(s, lo, hi, per_cpu, nr_run);
	}
	/* And it holds. */
	if (ok) {
		sleep_ns(100 * NSEC_PER_MSEC);
		ok = balanced(s, lo, hi, per_cpu, nr_run);
	}
	for (cpu = 0; cpu < n; cpu++)
		pr_info(KTAP_DIAG "balance: CPU%u: %u spinners, nr_running %u%s\n",
			cpu, per_cpu[cpu], nr_run[cpu],
			tries > 1 ? " (after retries)" : "");
	stop = true;
	for (i = 0; i < BAL_THREADS; i++) {
		KTEST_EXPECT_EQ(t, kthread_join(th[i]), 0);
		KTEST_EXPECT_GT(t, s[i].loops, 0);
	}
	KTEST_EXPECT_TRUE(t, ok);
}

/*
 * Two fair threads wait on a CPU behind a SCHED_FIFO hog that never
 * switches; once allowed everywhere they must get to run elsewhere,
 * since other CPUs idle (3+ CPUs: with two, the second CPU takes one
 * and the counts, 2 and 1, look balanced).
 */
static void test_balance_away_from_rt_hog(struct ktest *t)
{
	volatile bool stop = false;
	struct spinner hog = { .stop = &stop };
	struct spinner f[2] = { { .stop = &stop }, { .stop = &stop } };
	unsigned int home = test_cpu(), i, seen[2];
	struct thread *ht, *ft[2];
	struct cpumask all;
	u64 end;

	/*
	 * Two CPUs suffice: the other CPU runs no RT thread, so both fair
	 * threads starved behind the hog are moved there, even though the
	 * thread counts alone would call 1 vs 2 balanced.
	 */
	if (ncpus() < 2) {
		ktest_skip(t, "needs 2 CPUs");
		return;
	}
	cpumask_setall(&all);
	ht = make_thread(spinner_fn, &hog, "rt-hog", home, SCHED_FIFO, 10);
	KTEST_ASSERT_FALSE(t, IS_ERR(ht));
	for (i = 0; i < 2; i++) {
		f[i].cpu = home;
		ft[i] = make_thread(spinner_fn, &f[i], "behind", home,
				    SCHED_NORMAL, 0);
		KTEST_ASSERT_FALSE(t, IS_ERR(ft[i]));
	}
	KTEST_EXPECT_TRUE(t, self_pin(0, 0));
	thread_start(ht);
	while (!READ_ONCE(hog.loops))
		sleep_ns(NSEC_PER_MSEC);
	/* Queued behind the hog, which does not switch for them. */
	thread_start(ft[0]);
	thread_start(ft[1]);
	sleep_ns(10 * NSEC_PER_MSEC);
	KTEST_EXPECT_EQ(t, f[0].loops + f[1].loops, 0);
	sched_setaffinity(ft[0], &all);
	sched_setaffinity(ft[1], &all);
	/* A generous bound: the host may deschedule the guest for a while. */
	end = clock_monotonic_ns() + 2000 * NSEC_PER_MSEC;
	while ((!READ_ONCE(f[0].loops) || !READ_ONCE(f[1].loops)) &&
	       clock_monotonic_ns() < end)
		sleep_ns(5 * NSEC_PER_MSEC);
	/*
	 * Where they run while the hog still holds home: once stop is set
	 * the hog leaves and home may pull one of them for its last loop.
	 */
	for (i = 0; i < 2; i++)
		seen[i] = READ_ONCE(f[i].cpu);
	stop = true;
	for (i = 0; i < 2; i++) {
		KTEST_EXPECT_EQ(t, kthread_join(ft[i]), 0);
		KTEST_EXPECT_GT(t, f[i].loops, 0);
		KTEST_EXPECT_NE(t, seen[i], home);
	}
	KTEST_EXPECT_EQ(t, kthread_join(ht), 0);
	self_restore();
}

/* ---- 7. wake-ups ---------------------------------------------------------- */

struct wake_place {
	bool timer;                     /* woken by its timer, else by us */
	struct spinner *busy;           /* holds its previous CPU */
	volatile bool asleep;
	struct waiter w;
	unsigned int sleep_cpu;         /* where it went to sleep */
	u64 busy_loops;                 /* the spinner's count at wake-up */
};

static int wake_place_fn(void *arg)
{
	struct wake_place *wp = arg;

	wp->sleep_cpu = cpu_id();
	WRITE_ONCE(wp->asleep, true);
	if (wp->timer) {
		sleep_ns(50 * NSEC_PER_MSEC);
		wp->w.cpu = cpu_id();
	} else {
		waiter_fn(&wp->w);
	}
	wp->busy_loops = READ_ONCE(wp->busy->loops);
	return 0;
}

/* Wait (sleeping) until @flag is set or 1 s passed. */
static bool wait_flag(volatile bool *flag)
{
	u64 end = clock_monotonic_ns() + NSEC_PER_SEC;

	while (!READ_ONCE(*flag) && clock_monotonic_ns() < end)
		sleep_ns(NSEC_PER_MSEC);
	return READ_ONCE(*flag);
}

/*
 * A fair thread goes to sleep on CPU "home" next to a spinner pinned
 * there; while it sleeps it is allowed everywhere. The test thread runs
 * on CPU 0 meanwhile. Woken, it must land on an idle CPU.
 */
static void wake_place_run(struct ktest *t, bool timer)
{
	volatile bool stop = false;
	struct spinner busy = { .stop = &stop };
	struct wake_place wp = { .timer = timer, .busy = &busy };
	unsigned int home = test_cpu();
	struct thread *th, *sp;
	struct cpumask all;

	cpumask_setall(&all);
	sp = make_thread(spinner_fn, &busy, "busy", home, SCHED_NORMAL, 0);
	KTEST_ASSERT_FALSE(t, IS_ERR(sp));
	th = make_thread(wake_place_fn, &wp, "wake-place", home,
			 SCHED_NORMAL, 0);
	KTEST_ASSERT_FALSE(t, IS_ERR(th));
	KTEST_EXPECT_TRUE(t, self_pin(0, 0));
	thread_start(sp);
	thread_start(th);
	KTEST_EXPECT_TRUE(t, wait_flag(&wp.asleep));
	while (READ_ONCE(th->state) != THREAD_UNINTERRUPTIBLE)
		arch_cpu_relax();
	sched_setaffinity(th, &all);
	if (!timer)
		waiter_wake(&wp.w, th);
	KTEST_EXPECT_EQ(t, kthread_join(th), 0);
	stop = true;
	KTEST_EXPECT_EQ(t, kthread_join(sp), 0);
	self_restore();
	KTEST_EXPECT_EQ(t, wp.sleep_cpu, home);
	KTEST_EXPECT_GT(t, wp.busy_loops, 0);
	KTEST_EXPECT_NE(t, wp.w.cpu, home);
	/* CPU 0 ran the waker (explicit wake-up) or is idle (timer). */
	if (!timer)
		KTEST_EXPECT_NE(t, wp.w.cpu, 0);
	pr_info(KTAP_DIAG "wake: previous CPU%u busy, woken by %s, ran on CPU%u\n",
		home, timer ? "its timer" : "CPU0", wp.w.cpu);
}

/*
 * A thread whose previous CPU is busy wakes on an idle one: woken by its
 * timer on that busy CPU (2+ CPUs), and woken from CPU 0, which is busy
 * too as the waker runs there, so a third, idle CPU is the answer (3+).
 */
static void test_wake_prefers_idle_cpu(struct ktest *t)
{
	if (ncpus() < 2) {
		ktest_skip(t, "needs 2 CPUs");
		return;
	}
	wake_place_run(t, true);
	if (ncpus() >= 3)
		wake_place_run(t, false);
}

#define RT_WAKE_BOUND_NS (100 * NSEC_PER_MSEC)

struct rt_wake {
	struct spinner *hog;
	bool remote;                    /* woken from another CPU */
	struct waiter w;
	struct thread *self;
	struct timer tm;                /* the local wake-up */
	u64 wake_at;                    /* when wake_up_thread() was called */
	u64 hog_loops;                  /* the hog's count when we ran */
};

/* On the RT thread's CPU, in interrupt context. */
static void rt_wake_timer_fn(struct timer *tm)
{
	struct rt_wake *rw = container_of(tm, struct rt_wake, tm);

	rw->wake_at = clock_monotonic_ns();
	waiter_wake(&rw->w, rw->self);
}

static int rt_wake_fn(void *arg)
{
	struct rt_wake *rw = arg;

	rw->self = current;
	if (!rw->remote) {
		while (!READ_ONCE(rw->hog->loops))
			sleep_ns(NSEC_PER_MSEC);
		timer_init_struct(&rw->tm, rt_wake_timer_fn);
		timer_add(&rw->tm, clock_monotonic_ns() + 20 * NSEC_PER_MSEC);
	}
	waiter_fn(&rw->w);
	if (!rw->remote)
		timer_cancel_sync(&rw->tm);
	rw->hog_loops = READ_ONCE(rw->hog->loops);
	return 0;
}

/*
 * A SCHED_FIFO thread sleeps on a CPU where a fair spinner runs alone
 * (no slice timer, nothing else to run, so only preemption lets it in).
 * Woken by a timer there, or from another CPU, it runs within
 * RT_WAKE_BOUND_NS of the wake_up_thread() call.
 */
static void rt_wake_run(struct ktest *t, bool remote)
{
	volatile bool stop = false;
	struct spinner hog = { .stop = &stop };
	struct rt_wake rw = { .hog = &hog, .remote = remote };
	struct thread *ht, *rt;
	unsigned int cpu = test_cpu();
	u64 lat;

	ht = make_thread(spinner_fn, &hog, "fair-hog", cpu, SCHED_NORMAL, 0);
	KTEST_ASSERT_FALSE(t, IS_ERR(ht));
	rt = make_thread(rt_wake_fn, &rw, "rt-wake", cpu, SCHED_FIFO, 50);
	KTEST_ASSERT_FALSE(t, IS_ERR(rt));
	if (remote)
		KTEST_EXPECT_TRUE(t, self_pin(0, 0));
	thread_start(rt);
	thread_start(ht);
	if (remote) {
		while (!READ_ONCE(hog.loops) ||
		       READ_ONCE(rt->state) != THREAD_UNINTERRUPTIBLE)
			sleep_ns(NSEC_PER_MSEC);
		rw.wake_at = clock_monotonic_ns();
		waiter_wake(&rw.w, rt);
	}
	KTEST_EXPECT_EQ(t, kthread_join(rt), 0);
	stop = true;
	KTEST_EXPECT_EQ(t, kthread_join(ht), 0);
	self_restore();
	lat = rw.w.ran_at - rw.wake_at;
	KTEST_EXPECT_EQ(t, rw.w.cpu, cpu);
	KTEST_EXPECT_GT(t, rw.hog_loops, 0);
	KTEST_EXPECT_GE(t, rw.w.ran_at, rw.wake_at);
	KTEST_EXPECT_LT(t, lat, RT_WAKE_BOUND_NS);
	pr_info(KTAP_DIAG "rt wake: woken by %s, ran %llu us after the wake-up\n",
		remote ? "another CPU" : "its timer", lat / NSEC_PER_USEC);
}

static void test_wake_rt_preempts_fair(struct ktest *t)
{
	rt_wake_run(t, false);
	if (ncpus() >= 2)
		rt_wake_run(t, true);
}

/* ---- 8. no preemption in atomic sections -------------------------------- */

enum atomic_kind { AT_SPINLOCK, AT_PREEMPT, AT_IRQS_OFF };

struct atomic_test {
	enum atomic_kind kind;
	unsigned int remote_cpu;        /* the waker's CPU, or ANY_CPU */
	struct thread *rt;              /* the SCHED_FIFO thread to wake */
	struct waiter w;                /* its wait (not AT_SPINLOCK) */
	u64 rt_wake_at;                 /* its timer (AT_SPINLOCK) */
	volatile bool holding, woken;
	int in_section, before_end, after_end;
	bool rt_ran_inside, entered_in_time, woken_inside;
};

static DEFINE_SPINLOCK(atomic_test_lock);

/* The RT thread: sleep 30 ms (the holder enters meanwhile) or wait. */
static int atomic_rt_fn(void *arg)
{
	struct atomic_test *at = arg;

	if (at->kind != AT_SPINLOCK) {
		WRITE_ONCE(at->rt_wake_at, ~0ULL);
		return waiter_fn(&at->w);
	}
	WRITE_ONCE(at->rt_wake_at, clock_monotonic_ns() + 30 * NSEC_PER_MSEC);
	sleep_ns(30 * NSEC_PER_MSEC);
	WRITE_ONCE(at->w.seq, next_seq());
	return 0;
}

static void atomic_enter(struct atomic_test *at, unsigned long *flags)
{
	if (at->kind == AT_SPINLOCK)
		spin_lock(&atomic_test_lock);
	else if (at->kind == AT_PREEMPT)
		preempt_disable();
	else
		*flags = arch_irq_save();
}

static void atomic_exit(struct atomic_test *at, unsigned long flags)
{
	if (at->kind == AT_SPINLOCK)
		spin_unlock(&atomic_test_lock);
	else if (at->kind == AT_PREEMPT)
		preempt_enable();
	else
		arch_irq_restore(flags);
}

/*
 * The holder: enter the section, get the RT thread woken (its timer, our
 * own wake-up, or another CPU's), stay well past that, leave.
 */
static int atomic_holder_fn(void *arg)
{
	struct atomic_test *at = arg;
	unsigned long flags = 0;

	atomic_enter(at, &flags);
	at->in_section = next_seq();
	WRITE_ONCE(at->holding, true);
	at->entered_in_time = clock_monotonic_ns() < at->rt_wake_at;
	if (at->kind == AT_SPINLOCK) {
		/* Its timer fires in here: wait for the wake-up itself. */
		u64 cap = clock_monotonic_ns() + NSEC_PER_SEC;

		while (READ_ONCE(at->rt->state) != THREAD_RUNNING &&
		       clock_monotonic_ns() < cap)
			arch_cpu_relax();
		at->woken_inside = READ_ONCE(at->rt->state) == THREAD_RUNNING;
		spin_for(5 * NSEC_PER_MSEC);
	} else {
		if (at->remote_cpu == ANY_CPU) {
			waiter_wake(&at->w, at->rt);
			/*
			 * One CPU, interrupts off: raise the interrupt a
			 * timer would, a reschedule IPI to this CPU.
			 */
			if (at->kind == AT_IRQS_OFF)
				smp_send_reschedule(cpu_id());
		} else {
			/* Its reschedule IPI is sent once the waker is done. */
			while (!READ_ONCE(at->woken))
				arch_cpu_relax();
		}
		at->woken_inside = READ_ONCE(at->rt->state) == THREAD_RUNNING;
		spin_for(5 * NSEC_PER_MSEC);
	}
	at->rt_ran_inside = READ_ONCE(at->w.seq) != 0;
	at->before_end = next_seq();
	atomic_exit(at, flags);
	at->after_end = next_seq();
	return 0;
}

static void atomic_run(struct ktest *t, enum atomic_kind kind,
		       unsigned int remote_cpu)
{
	static const char *const what[] = { "spinlock", "preempt_disable",
					    "interrupts off" };
	struct atomic_test at = { .kind = kind, .remote_cpu = remote_cpu };
	unsigned int cpu = test_cpu();
	struct thread *h;

	seq_reset();
	at.rt = make_thread(atomic_rt_fn, &at, "atomic-rt", cpu, SCHED_FIFO,
			    50);
	KTEST_ASSERT_FALSE(t, IS_ERR(at.rt));
	h = make_thread(atomic_holder_fn, &at, "holder", cpu, SCHED_NORMAL, 0);
	KTEST_ASSERT_FALSE(t, IS_ERR(h));
	if (remote_cpu != ANY_CPU)
		KTEST_EXPECT_TRUE(t, self_pin(remote_cpu, 0));
	thread_start(at.rt);
	/* The RT thread runs first (it preempts us or has its own CPU). */
	while (READ_ONCE(at.rt->state) == THREAD_RUNNING)
		sleep_ns(NSEC_PER_MSEC);
	thread_start(h);
	if (remote_cpu != ANY_CPU) {
		wait_flag(&at.holding);
		waiter_wake(&at.w, at.rt);
		WRITE_ONCE(at.woken, true);
	}
	KTEST_EXPECT_EQ(t, kthread_join(h), 0);
	KTEST_EXPECT_EQ(t, kthread_join(at.rt), 0);
	self_restore();
	/* Woken while the holder was inside, not run there; at once after. */
	KTEST_EXPECT_TRUE(t, at.entered_in_time);
	KTEST_EXPECT_TRUE(t, at.woken_inside);
	KTEST_EXPECT_FALSE(t, at.rt_ran_inside);
	KTEST_EXPECT_EQ(t, at.in_section, 1);
	KTEST_EXPECT_EQ(t, at.before_end, 2);
	KTEST_EXPECT_EQ(t, at.w.seq, 3);
	KTEST_EXPECT_EQ(t, at.after_end, 4);
	pr_info(KTAP_DIAG "atomic: %s, RT woken by %s: %s\n", what[kind],
		kind == AT_SPINLOCK ? "its timer" :
		remote_cpu != ANY_CPU ? "another CPU" :
		kind == AT_PREEMPT ? "the holder" : "the holder + self-IPI",
		at.w.seq == 3 && !at.rt_ran_inside ? "held off, then at once"
						   : "WRONG ORDER");
}

static void test_no_preempt_under_spinlock(struct ktest *t)
{
	atomic_run(t, AT_SPINLOCK, ANY_CPU);
}

static void test_no_preempt_under_preempt_disable(struct ktest *t)
{
	atomic_run(t, AT_PREEMPT, ANY_CPU);
	if (ncpus() >= 2)
		atomic_run(t, AT_PREEMPT, 0);
}

static void test_no_preempt_with_irqs_off(struct ktest *t)
{
	atomic_run(t, AT_IRQS_OFF, ncpus() >= 2 ? 0 : ANY_CPU);
}

static struct ktest_case sched_cases[] = {
	KTEST_CASE(test_fifo_strict_priority_order),
	KTEST_CASE(test_rr_rotates_equal_priority),
	KTEST_CASE(test_fifo_equal_priority_no_rotation),
	KTEST_CASE(test_fair_equal_nice_equal_share),
	KTEST_CASE(test_fair_nice_weight_ratio),
	KTEST_CASE(test_affinity_pinned_stays),
	KTEST_CASE(test_balance_spreads_spinners),
	KTEST_CASE(test_balance_away_from_rt_hog),
	KTEST_CASE(test_wake_prefers_idle_cpu),
	KTEST_CASE(test_wake_rt_preempts_fair),
	KTEST_CASE(test_no_preempt_under_spinlock),
	KTEST_CASE(test_no_preempt_under_preempt_disable),
	KTEST_CASE(test_no_preempt_with_irqs_off),
	{}
};
KTEST_SUITE(sched, sched_cases);
