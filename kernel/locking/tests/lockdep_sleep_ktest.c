/*
 * ktests for lockdep's sleeping-lock side and the sleep-context checks
 * (kernel/locking/sleep_check.c).
 *
 * The checker is driven through struct lockdep_map directly: a "fake
 * sleeping lock" here is a map whose lock operation is lockdep_acquire()
 * and whose unlock is lockdep_release(), with nothing that blocks, so
 * the cases can provoke what a real mutex would deadlock on. Orders are
 * made across real kernel threads, and one case migrates a thread between
 * CPUs while it holds locks. Every provoked report is marked expected
 * (its first line reads "lockdep: expected: ...") and counted exactly.
 * The detection cases skip when checking is off (lock_debug=0 or a build
 * without CONFIG_LOCK_DEBUG).
 */
#include <keel/arch.h>
#include <keel/err.h>
#include <keel/ktest.h>
#include <keel/ktest_thread.h>
#include <keel/lockdep.h>
#include <keel/preempt.h>
#include <keel/sched.h>
#include <keel/smp.h>
#include <keel/spinlock.h>
#include <keel/time.h>

#define _RET_IP_ ((unsigned long)__builtin_return_address(0))

/* ---- the fake sleeping lock ---------------------------------------------- */

struct fake_lock {
	struct lockdep_map dep_map;
};

#if CONFIG_LOCK_DEBUG
/* Like a real init macro: each call site is a class of its own. */
#define fake_lock_init(f)                                                  \
	do {                                                               \
		static struct lock_class_key __key = {                     \
			.name = __LOCK_SITE(#f),                           \
		};                                                         \
		lockdep_map_init(&(f)->dep_map, &__key);                   \
	} while (0)
#else
#define fake_lock_init(f) lockdep_map_init(&(f)->dep_map, NULL)
#endif

static __noinline void fake_lock(struct fake_lock *f)
{
	lockdep_acquire(&f->dep_map, false, _RET_IP_);
}

static __noinline void fake_trylock(struct fake_lock *f)
{
	lockdep_acquire(&f->dep_map, true, _RET_IP_);
}

static __noinline void fake_unlock(struct fake_lock *f)
{
	lockdep_release(&f->dep_map, _RET_IP_);
}

/* ---- helpers ------------------------------------------------------------ */

static bool skip_unchecked(struct ktest *t)
{
	if (ktest_lock_checking())
		return false;
	ktest_skip(t, "lock checking is off");
	return true;
}

/* Start a provoked report; returns the report count before it. */
static unsigned long expect_begin(void)
{
	lockdep_expect_reports(true);
	return lockdep_reports();
}

static void expect_end(void)
{
	lockdep_expect_reports(false);
}

#define MAX_SEQ 4

/* A thread's job: take these locks in order, release them in reverse. */
struct lock_seq {
	struct fake_lock *locks[MAX_SEQ];
	unsigned int n;
	unsigned int rounds;    /* 0 counts as 1 */
	bool keep;              /* exit still holding them */
	bool leave_by_exit;     /* end with kthread_exit() instead of return */
};

static int run_seq(void *arg)
{
	struct lock_seq *s = arg;
	unsigned int r, i;

	for (r = 0; r < MAX(s->rounds, 1u); r++) {
		for (i = 0; i < s->n; i++)
			fake_lock(s->locks[i]);
		if (s->keep)
			break;
		yield();        /* let the others interleave */
		for (i = s->n; i-- > 0;)
			fake_unlock(s->locks[i]);
	}
	if (s->leave_by_exit)
		kthread_exit(0);
	return 0;
}

/* Run @s in a new thread and wait for it. Return: its exit code or -1. */
static int seq_in_thread(struct lock_seq *s)
{
	struct thread *th = kthread_run(run_seq, s, "lockseq");

	if (IS_ERR(th))
		return -1;
	return kthread_join(th);
}

/* ---- no reports --------------------------------------------------------- */

/* Threads taking a, b, c in one order, concurrently: never a report. */
static void test_consistent_order_threads(struct ktest *t)
{
	struct fake_lock a, b, c;
	struct lock_seq s1, s2, s3;
	struct thread *th[3];
	unsigned long reports = lockdep_reports();
	unsigned int held = lockdep_held_sleep_count();
	int i;

	fake_lock_init(&a);
	fake_lock_init(&b);
	fake_lock_init(&c);
	s1 = (struct lock_seq){ .locks = { &a, &b, &c }, .n = 3, .rounds = 50 };
	s2 = (struct lock_seq){ .locks = { &a, &c }, .n = 2, .rounds = 50 };
	s3 = (struct lock_seq){ .locks = { &b, &c }, .n = 2, .rounds = 50 };
	th[0] = kthread_run(run_seq, &s1, "seq-abc");
	th[1] = kthread_run(run_seq, &s2, "seq-ac");
	th[2] = kthread_run(run_seq, &s3, "seq-bc");
	for (i = 0; i < 3; i++) {
		KTEST_ASSERT_FALSE(t, IS_ERR(th[i]));
	}
	fake_lock(&a);          /* and this thread too */
	fake_lock(&b);
	if (ktest_lock_checking())
		KTEST_EXPECT_EQ(t, lockdep_held_sleep_count(), held + 2);
	fake_unlock(&b);
	fake_unlock(&a);
	for (i = 0; i < 3; i++)
		KTEST_EXPECT_EQ(t, kthread_join(th[i]), 0);
	KTEST_EXPECT_EQ(t, lockdep_reports(), reports);
	KTEST_EXPECT_EQ(t, lockdep_held_sleep_count(), held);
}

/* Out-of-order release is fine; the held stack stays exact. */
static void test_release_out_of_order(struct ktest *t)
{
	struct fake_lock a, b, c;
	unsigned long reports = lockdep_reports();
	unsigned int held = lockdep_held_sleep_count();

	fake_lock_init(&a);
	fake_lock_init(&b);
	fake_lock_init(&c);
	fake_lock(&a);
	fake_lock(&b);
	fake_lock(&c);
	fake_unlock(&b);
	if (ktest_lock_checking())
		KTEST_EXPECT_EQ(t, lockdep_held_sleep_count(), held + 2);
	fake_unlock(&a);
	fake_unlock(&c);
	KTEST_EXPECT_EQ(t, lockdep_held_sleep_count(), held);
	KTEST_EXPECT_EQ(t, lockdep_reports(), reports);
}

/* A trylock records no order before it, and is fine under a spinlock. */
static void test_trylock(struct ktest *t)
{
	struct fake_lock a, b;
	struct spinlock l;
	unsigned long reports = lockdep_reports();

	fake_lock_init(&a);
	fake_lock_init(&b);
	spin_lock_init(&l);
	fake_lock(&b);
	fake_trylock(&a);       /* no "b before a" */
	fake_unlock(&a);
	fake_unlock(&b);
	fake_lock(&a);          /* so a then b is no inversion */
	fake_lock(&b);
	fake_unlock(&b);
	fake_unlock(&a);
	spin_lock(&l);
	fake_trylock(&a);       /* does not sleep: allowed in atomic context */
	fake_unlock(&a);
	spin_unlock(&l);
	KTEST_EXPECT_EQ(t, lockdep_reports(), reports);
}

struct migrate_job {
	struct fake_lock *a, *b;
	unsigned int cpu_a, cpu_b;      /* where it takes each */
	unsigned int ran_a, ran_b;      /* where it really was */
};

static unsigned int this_cpu(void)
{
	unsigned int cpu;

	preempt_disable();
	cpu = cpu_id();
	preempt_enable();
	return cpu;
}

static void move_to(unsigned int cpu)
{
	struct cpumask m;

	cpumask_clear(&m);
	cpumask_set_cpu(cpu, &m);
	sched_setaffinity(current, &m);
}

/* Takes a on one CPU, sleeps, moves, takes b on another, releases both. */
static int migrate_holding(void *arg)
{
	struct migrate_job *j = arg;

	move_to(j->cpu_a);
	j->ran_a = this_cpu();
	fake_lock(j->a);
	sleep_ns(NSEC_PER_MSEC);
	move_to(j->cpu_b);
	j->ran_b = this_cpu();
	fake_lock(j->b);
	sleep_ns(NSEC_PER_MSEC);
	fake_unlock(j->a);
	move_to(j->cpu_a);
	fake_unlock(j->b);
	return (int)lockdep_held_sleep_count();
}

/*
 * Held sleeping locks follow their thread across sleeps and migrations;
 * the order it made on two CPUs is then checked on a third context.
 */
static void test_migrate_while_holding(struct ktest *t)
{
	struct fake_lock a, b;
	struct migrate_job j = { .a = &a, .b = &b };
	struct thread *th;
	unsigned long reports;

	if (skip_unchecked(t))
		return;
	fake_lock_init(&a);
	fake_lock_init(&b);
	j.cpu_b = num_online_cpus() > 1 ? 1 : 0;
	reports = expect_begin();
	th = kthread_run(migrate_holding, &j, "migrator");
	KTEST_ASSERT_FALSE(t, IS_ERR(th));
	KTEST_EXPECT_EQ(t, kthread_join(th), 0);
	KTEST_EXPECT_EQ(t, j.ran_a, j.cpu_a);
	KTEST_EXPECT_EQ(t, j.ran_b, j.cpu_b);
	KTEST_EXPECT_EQ(t, lockdep_reports(), reports);
	fake_lock(&b);          /* b then a: inverts the migrator's a then b */
	fake_lock(&a);
	fake_unlock(&a);
	fake_unlock(&b);
	expect_end();
	KTEST_EXPECT_EQ(t, lockdep_reports(), reports + 1);
}

/* ---- detections --------------------------------------------------------- */

/* Thread 1: a then b. Later thread 2: b then a. Reported once, at 2. */
static void test_abba_across_threads(struct ktest *t)
{
	struct fake_lock a, b;
	struct lock_seq ab, ba;
	unsigned long reports;

	if (skip_unchecked(t))
		return;
	fake_lock_init(&a);
	fake_lock_init(&b);
	ab = (struct lock_seq){ .locks = { &a, &b }, .n = 2 };
	ba = (struct lock_seq){ .locks = { &b, &a }, .n = 2 };
	reports = expect_begin();
	KTEST_EXPECT_EQ(t, seq_in_thread(&ab), 0);
	KTEST_EXPECT_EQ(t, lockdep_reports(), reports);
	KTEST_EXPECT_EQ(t, seq_in_thread(&ba), 0);
	KTEST_EXPECT_EQ(t, lockdep_reports(), reports + 1);
	/* Once per pair: neither order is reported again, in any thread. */
	ba.rounds = 3;
	ab.rounds = 3;
	KTEST_EXPECT_EQ(t, seq_in_thread(&ba), 0);
	KTEST_EXPECT_EQ(t, seq_in_thread(&ab), 0);
	fake_lock(&b);
	fake_lock(&a);
	fake_unlock(&a);
	fake_unlock(&b);
	expect_end();
	KTEST_EXPECT_EQ(t, lockdep_reports(), reports + 1);
}

/* a -> b and b -> c in two threads; c -> a in a third closes the cycle. */
static void test_cycle_through_chain(struct ktest *t)
{
	struct fake_lock a, b, c;
	struct lock_seq ab, bc, ca;
	unsigned long reports;

	if (skip_unchecked(t))
		return;
	fake_lock_init(&a);
	fake_lock_init(&b);
	fake_lock_init(&c);
	ab = (struct lock_seq){ .locks = { &a, &b }, .n = 2 };
	bc = (struct lock_seq){ .locks = { &b, &c }, .n = 2 };
	ca = (struct lock_seq){ .locks = { &c, &a }, .n = 2 };
	reports = expect_begin();
	KTEST_EXPECT_EQ(t, seq_in_thread(&ab), 0);
	KTEST_EXPECT_EQ(t, seq_in_thread(&bc), 0);
	KTEST_EXPECT_EQ(t, lockdep_reports(), reports);
	KTEST_EXPECT_EQ(t, seq_in_thread(&ca), 0);
	expect_end();
	KTEST_EXPECT_EQ(t, lockdep_reports(), reports + 1);
}

static void init_same_site(struct fake_lock *f)
{
	fake_lock_init(f);      /* one site, so one class */
}

static void test_same_class_nesting(struct ktest *t)
{
	struct fake_lock x, y;
	unsigned long reports;

	if (skip_unchecked(t))
		return;
	init_same_site(&x);
	init_same_site(&y);
	reports = expect_begin();
	fake_lock(&x);
	fake_lock(&y);
	fake_unlock(&y);
	fake_unlock(&x);
	fake_lock(&y);          /* once per class */
	fake_lock(&x);
	fake_unlock(&x);
	fake_unlock(&y);
	expect_end();
	KTEST_EXPECT_EQ(t, lockdep_reports(), reports + 1);
}

static struct fake_lock static_fake;    /* no key: classed by address */

static void test_recursion(struct ktest *t)
{
	unsigned int held = lockdep_held_sleep_count();
	unsigned long reports;

	if (skip_unchecked(t))
		return;
	reports = expect_begin();
	fake_lock(&static_fake);
	fake_lock(&static_fake);        /* a mutex would wait for itself */
	expect_end();
	KTEST_EXPECT_EQ(t, lockdep_reports(), reports + 1);
	KTEST_EXPECT_EQ(t, lockdep_held_sleep_count(), held + 2);
	fake_unlock(&static_fake);      /* each release drops one record */
	fake_unlock(&static_fake);
	KTEST_EXPECT_EQ(t, lockdep_held_sleep_count(), held);
	KTEST_EXPECT_EQ(t, lockdep_reports(), reports + 1);
}

static void test_release_unheld(struct ktest *t)
{
	struct fake_lock a, b;
	unsigned int held = lockdep_held_sleep_count();
	unsigned long reports;

	if (skip_unchecked(t))
		return;
	fake_lock_init(&a);
	fake_lock_init(&b);
	fake_lock(&b);
	reports = expect_begin();
	fake_unlock(&a);        /* never taken */
	expect_end();
	KTEST_EXPECT_EQ(t, lockdep_reports(), reports + 1);
	/* Ignored: b is still recorded as held, and releases cleanly. */
	KTEST_EXPECT_EQ(t, lockdep_held_sleep_count(), held + 1);
	fake_unlock(&b);
	KTEST_EXPECT_EQ(t, lockdep_held_sleep_count(), held);
	KTEST_EXPECT_EQ(t, lockdep_reports(), reports + 1);
}

/* A thread that ends holding locks: one report, by return or by exit. */
static void test_held_at_exit(struct ktest *t)
{
	struct fake_lock a, b;
	struct lock_seq ret1, exit2;
	unsigned long reports;

	if (skip_unchecked(t))
		return;
	fake_lock_init(&a);
	fake_lock_init(&b);
	ret1 = (struct lock_seq){ .locks = { &a }, .n = 1, .keep = true };
	exit2 = (struct lock_seq){
		.locks = { &a, &b }, .n = 2, .keep = true,
		.leave_by_exit = true,
	};
	reports = expect_begin();
	KTEST_EXPECT_EQ(t, seq_in_thread(&ret1), 0);
	KTEST_EXPECT_EQ(t, lockdep_reports(), reports + 1);
	KTEST_EXPECT_EQ(t, seq_in_thread(&exit2), 0);
	expect_end();
	KTEST_EXPECT_EQ(t, lockdep_reports(), reports + 2);
}

static void test_might_sleep(struct ktest *t)
{
	unsigned long reports, flags;

	if (skip_unchecked(t))
		return;
	reports = lockdep_reports();
	might_sleep();          /* preemptible thread context: fine */
	KTEST_EXPECT_EQ(t, lockdep_reports(), reports);
	lockdep_expect_reports(true);
	preempt_disable();
	might_sleep();
	preempt_enable();
	KTEST_EXPECT_EQ(t, lockdep_reports(), reports + 1);
	flags = arch_irq_save();
	might_sleep();
	arch_irq_restore(flags);
	expect_end();
	KTEST_EXPECT_EQ(t, lockdep_reports(), reports + 2);
	might_sleep();
	KTEST_EXPECT_EQ(t, lockdep_reports(), reports + 2);
}

/* A blocking acquisition under a spinlock, or with interrupts off. */
static void test_sleeping_lock_in_atomic(struct ktest *t)
{
	struct fake_lock m;
	struct spinlock l;
	unsigned int held = lockdep_held_sleep_count();
	unsigned long reports, flags;

	if (skip_unchecked(t))
		return;
	fake_lock_init(&m);
	spin_lock_init(&l);
	reports = expect_begin();
	spin_lock(&l);
	fake_lock(&m);
	fake_unlock(&m);
	spin_unlock(&l);
	KTEST_EXPECT_EQ(t, lockdep_reports(), reports + 1);
	flags = arch_irq_save();
	fake_lock(&m);
	fake_unlock(&m);
	arch_irq_restore(flags);
	KTEST_EXPECT_EQ(t, lockdep_reports(), reports + 2);
	preempt_disable();
	fake_lock(&m);
	fake_unlock(&m);
	preempt_enable();
	expect_end();
	KTEST_EXPECT_EQ(t, lockdep_reports(), reports + 3);
	KTEST_EXPECT_EQ(t, lockdep_held_sleep_count(), held);
	fake_lock(&m);          /* and fine again in thread context */
	fake_unlock(&m);
	KTEST_EXPECT_EQ(t, lockdep_reports(), reports + 3);
}

/*
 * A spinlock inside a sleeping lock is the normal nesting: no report, an
 * order "m before l". Taking m under l later is reported (once: the
 * atomic-context report, which also shows the chain back to l).
 */
static void test_spinlock_inside_sleeping_lock(struct ktest *t)
{
	struct fake_lock m;
	struct spinlock l;
	unsigned int orders;
	unsigned long reports, flags;

	if (skip_unchecked(t))
		return;
	fake_lock_init(&m);
	spin_lock_init(&l);
	reports = lockdep_reports();
	orders = lockdep_order_count();
	fake_lock(&m);
	spin_lock(&l);
	spin_unlock(&l);
	flags = spin_lock_irqsave(&l);
	spin_unlock_irqrestore(&l, flags);
	fake_unlock(&m);
	KTEST_EXPECT_EQ(t, lockdep_reports(), reports);
	KTEST_EXPECT_GE(t, lockdep_order_count(), orders + 1);
	lockdep_expect_reports(true);
	spin_lock(&l);
	fake_lock(&m);
	fake_unlock(&m);
	spin_unlock(&l);
	expect_end();
	KTEST_EXPECT_EQ(t, lockdep_reports(), reports + 1);
	fake_lock(&m);          /* the normal order is still not reported */
	spin_lock(&l);
	spin_unlock(&l);
	fake_unlock(&m);
	KTEST_EXPECT_EQ(t, lockdep_reports(), reports + 1);
}

/*
 * In an interrupt handler (simulated with irq_enter()), a sleeping lock is
 * reported even when taken by trylock, and is not tracked: the
 * interrupted thread's stack is left alone. (That the handler's spinlocks
 * are not ordered after the thread's sleeping locks is checked by the
 * host test, which can see the graph.)
 */
static void test_interrupt_context(struct ktest *t)
{
	struct fake_lock m, held_m;
	struct spinlock l;
	unsigned int held = lockdep_held_sleep_count();
	unsigned long reports, flags;

	if (skip_unchecked(t))
		return;
	fake_lock_init(&m);
	fake_lock_init(&held_m);
	spin_lock_init(&l);
	fake_lock(&held_m);
	reports = expect_begin();
	flags = arch_irq_save();
	irq_enter();
	fake_trylock(&m);
	KTEST_EXPECT_EQ(t, lockdep_held_sleep_count(), held + 1);
	fake_unlock(&m);
	spin_lock(&l);
	spin_unlock(&l);
	irq_exit();
	arch_irq_restore(flags);
	expect_end();
	KTEST_EXPECT_EQ(t, lockdep_reports(), reports + 1);
	fake_unlock(&held_m);
	KTEST_EXPECT_EQ(t, lockdep_held_sleep_count(), held);
}

static void test_too_many_held(struct ktest *t)
{
	static struct fake_lock many[LOCKDEP_THREAD_HELD_MAX + 2];
	unsigned int i, n = ARRAY_SIZE(many);
	unsigned int held = lockdep_held_sleep_count();
	unsigned long reports, beyond;

	if (skip_unchecked(t))
		return;
	for (i = 0; i < n; i++)
		lockdep_map_init(&many[i].dep_map, NULL);
	/* Only the ones beyond the stack are reported, once each. */
	beyond = n - (LOCKDEP_THREAD_HELD_MAX - held);
	reports = expect_begin();
	for (i = 0; i < n; i++)
		fake_lock(&many[i]);
	expect_end();
	KTEST_EXPECT_EQ(t, lockdep_reports(), reports + beyond);
	KTEST_EXPECT_EQ(t, lockdep_held_sleep_count(), held + n);
	for (i = n; i-- > 0;)
		fake_unlock(&many[i]);
	KTEST_EXPECT_EQ(t, lockdep_held_sleep_count(), held);
	KTEST_EXPECT_EQ(t, lockdep_reports(), reports + beyond);
}

static struct ktest_case lockdep_sleep_cases[] = {
	KTEST_CASE(test_consistent_order_threads),
	KTEST_CASE(test_release_out_of_order),
	KTEST_CASE(test_trylock),
	KTEST_CASE(test_migrate_while_holding),
	KTEST_CASE(test_abba_across_threads),
	KTEST_CASE(test_cycle_through_chain),
	KTEST_CASE(test_same_class_nesting),
	KTEST_CASE(test_recursion),
	KTEST_CASE(test_release_unheld),
	KTEST_CASE(test_held_at_exit),
	KTEST_CASE(test_might_sleep),
	KTEST_CASE(test_sleeping_lock_in_atomic),
	KTEST_CASE(test_spinlock_inside_sleeping_lock),
	KTEST_CASE(test_interrupt_context),
	KTEST_CASE(test_too_many_held),
	{}
};
KTEST_SUITE(lockdep_sleep, lockdep_sleep_cases);
