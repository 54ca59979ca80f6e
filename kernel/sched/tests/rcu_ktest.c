/*
 * RCU: synchronize_rcu waits for pre-existing readers and only for them,
 * readers never see freed memory while an updater swaps and frees, call_rcu
 * callbacks run once, after a full grace period, in thread context, and
 * rcu_barrier waits for them; grace periods end while a CPU runs a
 * CPU-bound thread that never switches (nudging) and without waking idle
 * CPUs (extended quiescent states). Figures go out as "# rcu_..." KTAP
 * diagnostics.
 */
#include <keel/err.h>
#include <keel/ktest.h>
#include <keel/printk.h>
#include <keel/rcu.h>
#include <keel/sched.h>
#include <keel/slab.h>
#include <keel/smp.h>
#include <keel/string.h>
#include <keel/time.h>

#define KTAP_DIAG "    # "

static unsigned int this_cpu(void)
{
	unsigned int cpu;

	preempt_disable();
	cpu = cpu_id();
	preempt_enable();
	return cpu;
}

static int pin(struct thread *t, unsigned int cpu)
{
	struct cpumask m;

	cpumask_clear(&m);
	cpumask_set_cpu(cpu, &m);
	return sched_setaffinity(t, &m);
}

static void unpin(struct thread *t)
{
	struct cpumask m;

	cpumask_setall(&m);
	sched_setaffinity(t, &m);
}

/* The CPU after @cpu among the online ones (itself with one CPU). */
static unsigned int other_cpu(unsigned int cpu)
{
	return (cpu + 1) % num_online_cpus();
}

static void busy_ns(u64 ns)
{
	u64 end = clock_monotonic_ns() + ns;

	while (clock_monotonic_ns() < end)
		arch_cpu_relax();
}

/* Sleep in small steps until *@flag is set or @ns pass. */
static bool wait_flag(volatile bool *flag, u64 ns)
{
	u64 end = clock_monotonic_ns() + ns;

	while (!*flag) {
		if (clock_monotonic_ns() > end)
			return false;
		sleep_ns(100 * NSEC_PER_USEC);
	}
	return true;
}

/* ---- synchronize_rcu ----------------------------------------------------- */

struct long_reader {
	volatile bool inside;
	volatile bool left;
	u64 hold_ns;
};

static int long_reader_fn(void *arg)
{
	struct long_reader *r = arg;

	rcu_read_lock();
	r->inside = true;
	busy_ns(r->hold_ns);
	r->left = true;
	rcu_read_unlock();
	return 0;
}

/*
 * A reader that is inside rcu_read_lock() when synchronize_rcu() starts
 * has left before it returns; on two or more CPUs the reader runs on
 * another CPU, so the wait is real.
 */
static void test_sync_waits_for_reader(struct ktest *t)
{
	struct long_reader r = { .hold_ns = 50 * NSEC_PER_MSEC };
	unsigned int cpu = this_cpu();
	struct thread *th;
	u64 start, took;

	KTEST_ASSERT_EQ(t, pin(current, cpu), 0);
	th = kthread_create(long_reader_fn, &r, "rcu_reader");
	KTEST_ASSERT_FALSE(t, IS_ERR(th));
	KTEST_EXPECT_EQ(t, pin(th, other_cpu(cpu)), 0);
	thread_start(th);
	KTEST_EXPECT_TRUE(t, wait_flag(&r.inside, 5 * NSEC_PER_SEC));
	start = clock_monotonic_ns();
	synchronize_rcu();
	took = clock_monotonic_ns() - start;
	KTEST_EXPECT_TRUE(t, r.left);
	KTEST_EXPECT_EQ(t, kthread_join(th), 0);
	unpin(current);
	pr_info(KTAP_DIAG "rcu_sync_reader: synchronize_rcu took %llu us "
		"behind a %llu ms reader\n", took / NSEC_PER_USEC,
		r.hold_ns / NSEC_PER_MSEC);
}

/* With no reader, synchronize_rcu returns promptly; each ends a GP. */
static void test_sync_prompt(struct ktest *t)
{
	u64 before = rcu_gp_completed(), start, took, worst = 0, total = 0;
	u64 nudges = rcu_nudge_count();
	unsigned long cookie;
	int i;

	for (i = 0; i < 10; i++) {
		cookie = get_state_synchronize_rcu();
		start = clock_monotonic_ns();
		synchronize_rcu();
		took = clock_monotonic_ns() - start;
		total += took;
		worst = MAX(worst, took);
		KTEST_EXPECT_TRUE(t, poll_state_synchronize_rcu(cookie));
	}
	KTEST_EXPECT_GE(t, rcu_gp_completed(), before + 10);
	/* Generous: TCG is slow, but a GP without readers is no 200 ms. */
	KTEST_EXPECT_LT(t, worst, 200 * NSEC_PER_MSEC);
	pr_info(KTAP_DIAG "rcu_sync_prompt: synchronize_rcu average %llu us, "
		"worst %llu us, %llu nudges\n", total / 10 / NSEC_PER_USEC,
		worst / NSEC_PER_USEC, rcu_nudge_count() - nudges);
}

/* ---- readers and an updater ---------------------------------------------- */

#define OBJ_MAGIC  0x5243555f4f424a31ULL        /* "RCU_OBJ1" */
#define OBJ_POISON 0xdeaddeaddeaddeadULL

struct stress_obj {
	u64 magic;
	u64 gen;
	struct rcu_head rh;
};

static struct stress_obj *stress_ptr;

struct stress {
	volatile bool stop;
	u64 bad;                /* [a] reads that saw a poisoned object */
	u64 seen_gen;           /* [a] the newest object a reader saw */
	u64 reads[NR_CPUS];     /* each reader's own slot */
	u64 changes[NR_CPUS];   /* each reader's: new objects seen */
};

struct stress_reader {
	struct stress *s;
	unsigned int idx;
};

static int stress_reader_fn(void *arg)
{
	struct stress_reader *r = arg;
	struct stress *s = r->s;
	u64 last_gen = ~0ULL;

	while (!s->stop) {
		struct stress_obj *p;
		u64 m1, m2, gen;
		int i;

		rcu_read_lock();
		p = rcu_dereference(stress_ptr);
		m1 = READ_ONCE(p->magic);
		gen = READ_ONCE(p->gen);
		for (i = 0; i < 64; i++)        /* widen the window */
			arch_cpu_relax();
		m2 = READ_ONCE(p->magic);
		rcu_read_unlock();
		if (m1 != OBJ_MAGIC || m2 != OBJ_MAGIC)
			__atomic_fetch_add(&s->bad, 1, __ATOMIC_RELAXED);
		if (gen != last_gen) {
			s->changes[r->idx]++;
			last_gen = gen;
			WRITE_ONCE(s->seen_gen, gen);
		}
		s->reads[r->idx]++;
	}
	return 0;
}

static void stress_free_cb(struct rcu_head *rh)
{
	struct stress_obj *o = container_of(rh, struct stress_obj, rh);

	WRITE_ONCE(o->magic, OBJ_POISON);
	kfree(o);
}

static struct stress_obj *stress_new(u64 gen)
{
	struct stress_obj *o = kmalloc(sizeof(*o), GFP_KERNEL);

	if (o) {
		o->magic = OBJ_MAGIC;
		o->gen = gen;
	}
	return o;
}

/*
 * Readers on every CPU follow a pointer and check the object's magic
 * twice while the updater swaps in new objects and poisons and frees the
 * old ones after synchronize_rcu (odd rounds) or from call_rcu (even).
 */
static void test_reader_never_sees_freed(struct ktest *t)
{
	unsigned int n = num_online_cpus(), i, started = 0;
	static struct stress_reader rd[NR_CPUS];
	static struct thread *th[NR_CPUS];
	static struct stress s;
	u64 end, rounds = 0, reads = 0, changes = 0;

	memset(&s, 0, sizeof(s));
	stress_ptr = stress_new(0);
	KTEST_ASSERT_NOT_NULL(t, stress_ptr);
	for (i = 0; i < n; i++) {
		rd[i].s = &s;
		rd[i].idx = i;
		th[i] = kthread_create(stress_reader_fn, &rd[i], "rcu_stress");
		if (IS_ERR(th[i]))
			break;
		pin(th[i], i);
		thread_start(th[i]);
		started++;
	}
	KTEST_EXPECT_EQ(t, started, n);
	end = clock_monotonic_ns() + 1500 * NSEC_PER_MSEC;
	while (rounds < 300 && clock_monotonic_ns() < end) {
		struct stress_obj *old = stress_ptr;
		struct stress_obj *o = stress_new(++rounds);

		if (!o)
			break;
		rcu_assign_pointer(stress_ptr, o);
		if (rounds & 1) {
			synchronize_rcu();
			stress_free_cb(&old->rh);
		} else {
			call_rcu(&old->rh, stress_free_cb);
		}
		/* Let the readers reach the new object (one CPU: run them). */
		while (READ_ONCE(s.seen_gen) != rounds &&
		       clock_monotonic_ns() < end)
			sleep_ns(50 * NSEC_PER_USEC);
	}
	s.stop = true;
	for (i = 0; i < started; i++) {
		kthread_join(th[i]);
		reads += s.reads[i];
		changes += s.changes[i];
	}
	rcu_barrier();
	synchronize_rcu();
	stress_free_cb(&stress_ptr->rh);
	stress_ptr = NULL;

	KTEST_EXPECT_EQ(t, s.bad, 0);
	/* A loaded TCG host makes GPs slow: a few swaps is what is sure. */
	KTEST_EXPECT_GE(t, rounds, 5);
	KTEST_EXPECT_GT(t, reads, 0);
	/* The readers really ran across the swaps. */
	KTEST_EXPECT_GT(t, changes, started);
	pr_info(KTAP_DIAG "rcu_stress: %llu swaps, %llu reads on %u CPUs, "
		"%llu objects seen, %llu nudges so far\n", rounds, reads,
		started, changes, rcu_nudge_count());
}

/* ---- call_rcu and rcu_barrier -------------------------------------------- */

struct cb_item {
	struct rcu_head rh;
	unsigned long cookie;
	u64 delay_ns;
};

static u64 cb_ran, cb_early, cb_bad_context;

static void cb_fn(struct rcu_head *rh)
{
	struct cb_item *it = container_of(rh, struct cb_item, rh);

	if (!poll_state_synchronize_rcu(it->cookie))
		__atomic_fetch_add(&cb_early, 1, __ATOMIC_RELAXED);
	if (in_hardirq() || preempt_count() || !arch_irqs_enabled())
		__atomic_fetch_add(&cb_bad_context, 1, __ATOMIC_RELAXED);
	if (it->delay_ns)
		busy_ns(it->delay_ns);
	__atomic_fetch_add(&cb_ran, 1, __ATOMIC_SEQ_CST);
}

static void cb_reset(void)
{
	__atomic_store_n(&cb_ran, 0, __ATOMIC_SEQ_CST);
	__atomic_store_n(&cb_early, 0, __ATOMIC_SEQ_CST);
	__atomic_store_n(&cb_bad_context, 0, __ATOMIC_SEQ_CST);
}

#define CB_PER_CPU 200

struct cb_batch {
	struct cb_item *items;
	unsigned int count;
	u64 delay_ns;
};

static int queue_callbacks_fn(void *arg)
{
	struct cb_batch *b = arg;
	unsigned int i;

	for (i = 0; i < b->count; i++) {
		b->items[i].delay_ns = b->delay_ns;
		b->items[i].cookie = get_state_synchronize_rcu();
		call_rcu(&b->items[i].rh, cb_fn);
		if (i % 16 == 0)
			yield();        /* spread over several grace periods */
	}
	return 0;
}

/* Queue @per callbacks from a thread on each CPU; they may run at once. */
static unsigned int queue_from_all_cpus(struct ktest *t, struct cb_item *items,
					unsigned int per, u64 delay_ns)
{
	static struct cb_batch b[NR_CPUS];
	static struct thread *th[NR_CPUS];
	unsigned int n = num_online_cpus(), i, queued = 0;

	for (i = 0; i < n; i++) {
		b[i].items = items + i * per;
		b[i].count = per;
		b[i].delay_ns = delay_ns;
		th[i] = kthread_create(queue_callbacks_fn, &b[i], "rcu_cbq");
		if (IS_ERR(th[i])) {
			th[i] = NULL;
			continue;
		}
		pin(th[i], i);
		thread_start(th[i]);
	}
	for (i = 0; i < n; i++) {
		if (!th[i])
			continue;
		KTEST_EXPECT_EQ(t, kthread_join(th[i]), 0);
		queued += per;
	}
	return queued;
}

/*
 * Callbacks queued from every CPU all run, each after a full grace period
 * since it was queued (its cookie), in thread context; rcu_barrier()
 * returns only once all have run.
 */
static void test_call_rcu_all_run(struct ktest *t)
{
	unsigned int n = num_online_cpus(), queued;
	struct cb_item *items = kcalloc(n * CB_PER_CPU, sizeof(*items),
					GFP_KERNEL);
	u64 invoked = rcu_callbacks_invoked(), gps = rcu_gp_completed();

	KTEST_ASSERT_NOT_NULL(t, items);
	cb_reset();
	queued = queue_from_all_cpus(t, items, CB_PER_CPU, 0);
	KTEST_EXPECT_EQ(t, queued, n * CB_PER_CPU);
	rcu_barrier();
	KTEST_EXPECT_EQ(t, __atomic_load_n(&cb_ran, __ATOMIC_SEQ_CST), queued);
	KTEST_EXPECT_EQ(t, cb_early, 0);
	KTEST_EXPECT_EQ(t, cb_bad_context, 0);
	KTEST_EXPECT_GE(t, rcu_callbacks_invoked(), invoked + queued);
	pr_info(KTAP_DIAG "rcu_callbacks: %u callbacks over %llu grace "
		"periods\n", queued, rcu_gp_completed() - gps);
	kfree(items);
}

/*
 * rcu_barrier waits for slow callbacks queued on every CPU: when it
 * returns every one has finished, none later.
 */
static void test_rcu_barrier_waits(struct ktest *t)
{
	unsigned int n = num_online_cpus(), queued;
	struct cb_item *items = kcalloc(n * 8, sizeof(*items), GFP_KERNEL);
	u64 start;

	KTEST_ASSERT_NOT_NULL(t, items);
	cb_reset();
	queued = queue_from_all_cpus(t, items, 8, 2 * NSEC_PER_MSEC);
	start = clock_monotonic_ns();
	rcu_barrier();
	KTEST_EXPECT_EQ(t, __atomic_load_n(&cb_ran, __ATOMIC_SEQ_CST), queued);
	KTEST_EXPECT_EQ(t, cb_early, 0);
	pr_info(KTAP_DIAG "rcu_barrier: waited %llu us for %u callbacks of "
		"2 ms\n", (clock_monotonic_ns() - start) / NSEC_PER_USEC,
		queued);
	/* With nothing queued it still returns (after one GP). */
	start = clock_monotonic_ns();
	rcu_barrier();
	KTEST_EXPECT_LT(t, clock_monotonic_ns() - start, 500 * NSEC_PER_MSEC);
	kfree(items);
}

/* ---- grace periods under load and in idle -------------------------------- */

static volatile bool hog_stop, hog_started;
static volatile u64 hog_loops;

static int cpu_hog_fn(void *arg)
{
	hog_started = true;
	while (!hog_stop)
		hog_loops++;    /* never sleeps, never yields */
	return 0;
}

/*
 * Grace periods complete while a CPU runs a thread that never switches
 * by itself. With two or more CPUs, that CPU was nudged -- unless the
 * grace-period thread itself ran there, sharing it with the hog.
 */
static void test_gp_with_cpu_hog(struct ktest *t)
{
	unsigned int cpu = this_cpu();
	u64 nudges, start, took, loops, switches;
	struct thread *hog;
	int i;

	KTEST_ASSERT_EQ(t, pin(current, cpu), 0);
	hog_stop = false;
	hog_started = false;
	hog_loops = 0;
	hog = kthread_create(cpu_hog_fn, NULL, "rcu_hog");
	KTEST_ASSERT_FALSE(t, IS_ERR(hog));
	KTEST_EXPECT_EQ(t, pin(hog, other_cpu(cpu)), 0);
	thread_start(hog);
	KTEST_EXPECT_TRUE(t, wait_flag(&hog_started, 5 * NSEC_PER_SEC));
	nudges = rcu_nudge_count();
	switches = READ_ONCE(hog->nr_switches);
	start = clock_monotonic_ns();
	for (i = 0; i < 5; i++)
		synchronize_rcu();
	took = clock_monotonic_ns() - start;
	switches = READ_ONCE(hog->nr_switches) - switches;
	nudges = rcu_nudge_count() - nudges;
	loops = hog_loops;
	/*
	 * The hog is still alive and running. Poll rather than expect
	 * progress within a fixed time: the hog's virtual CPU may be off
	 * the host's CPUs for a while (TCG on a busy host).
	 */
	for (i = 0; i < 2000 && hog_loops == loops; i++)
		sleep_ns(NSEC_PER_MSEC);
	KTEST_EXPECT_GT(t, hog_loops, loops);
	if (num_online_cpus() > 1)
		KTEST_EXPECT_TRUE(t, nudges > 0 || switches > 0);
	KTEST_EXPECT_LT(t, took, 5 * NSEC_PER_SEC);
	hog_stop = true;
	KTEST_EXPECT_EQ(t, kthread_join(hog), 0);
	unpin(current);
	pr_info(KTAP_DIAG "rcu_hog: 5 grace periods in %llu us beside a "
		"CPU hog, %llu nudges, hog switched in %llu times\n",
		took / NSEC_PER_USEC, nudges, switches);
}

/*
 * With the other CPUs idle, grace periods end without nudging them:
 * their idle loops are extended quiescent states. (Without that, every
 * grace period would have to nudge each idle CPU.)
 */
static void test_gp_with_idle_cpus(struct ktest *t)
{
	u64 nudges, gps, start, took;
	int i;

	if (num_online_cpus() < 2) {
		ktest_skip(t, "needs two or more CPUs");
		return;
	}
	sleep_ns(5 * NSEC_PER_MSEC);    /* let the others settle in idle */
	nudges = rcu_nudge_count();
	gps = rcu_gp_completed();
	start = clock_monotonic_ns();
	for (i = 0; i < 20; i++)
		synchronize_rcu();
	took = clock_monotonic_ns() - start;
	gps = rcu_gp_completed() - gps;
	nudges = rcu_nudge_count() - nudges;
	KTEST_EXPECT_GE(t, gps, 20);
	KTEST_EXPECT_LT(t, nudges * 2, gps);
	pr_info(KTAP_DIAG "rcu_idle: %llu grace periods in %llu us with %u "
		"CPUs, %llu nudges\n", gps, took / NSEC_PER_USEC,
		num_online_cpus(), nudges);
}

static struct ktest_case rcu_cases[] = {
	KTEST_CASE(test_sync_waits_for_reader),
	KTEST_CASE(test_sync_prompt),
	KTEST_CASE(test_reader_never_sees_freed),
	KTEST_CASE(test_call_rcu_all_run),
	KTEST_CASE(test_rcu_barrier_waits),
	KTEST_CASE(test_gp_with_cpu_hog),
	KTEST_CASE(test_gp_with_idle_cpus),
	{}
};
KTEST_SUITE(rcu, rcu_cases);
