/*
 * ktests for mutexes (suite "mutex").
 *
 * The stress case runs at least 8 threads, pinned round-robin to every
 * online CPU, through a read-yield-write increment of a shared counter
 * under the mutex: any lost exclusion shows as a wrong total or as two
 * threads inside at once. The other cases pin down the API: owner,
 * trylock, FIFO hand-off, interruptible waits and the reports for misuse
 * (marked expected and counted exactly; their count checks skip when
 * lock checking is off, the behaviour checks do not).
 */
#include <keel/err.h>
#include <keel/errno.h>
#include <keel/ktest.h>
#include <keel/ktest_thread.h>
#include <keel/lockdep.h>
#include <keel/mutex.h>
#include <keel/sched.h>
#include <keel/smp.h>
#include <keel/spinlock.h>
#include <keel/time.h>

#define STRESS_MIN_THREADS 8
#define STRESS_MAX_THREADS 16
#define STRESS_ITERS       100
#define FIFO_WAITERS       4

/* ---- helpers ------------------------------------------------------------ */

static unsigned int waiter_count(struct mutex *m)
{
	unsigned int n;

	spin_lock(&m->wait_lock);
	n = list_count(&m->waiters);
	spin_unlock(&m->wait_lock);
	return n;
}

/* ---- basics ------------------------------------------------------------- */

static DEFINE_MUTEX(static_mutex);

static void test_lock_unlock_owner(struct ktest *t)
{
	unsigned int held = lockdep_held_sleep_count();
	unsigned long reports = lockdep_reports();
	struct mutex m;

	mutex_init(&m);
	KTEST_EXPECT_FALSE(t, mutex_is_locked(&m));
	KTEST_EXPECT_NULL(t, mutex_owner(&m));
	mutex_lock(&m);
	KTEST_EXPECT_TRUE(t, mutex_is_locked(&m));
	KTEST_EXPECT_PTR_EQ(t, mutex_owner(&m), current);
	if (ktest_lock_checking())
		KTEST_EXPECT_EQ(t, lockdep_held_sleep_count(), held + 1);
	mutex_unlock(&m);
	KTEST_EXPECT_FALSE(t, mutex_is_locked(&m));
	KTEST_EXPECT_EQ(t, lockdep_held_sleep_count(), held);

	KTEST_EXPECT_EQ(t, mutex_lock_interruptible(&static_mutex), 0);
	KTEST_EXPECT_PTR_EQ(t, mutex_owner(&static_mutex), current);
	mutex_unlock(&static_mutex);
	KTEST_EXPECT_FALSE(t, mutex_is_locked(&static_mutex));
	KTEST_EXPECT_EQ(t, lockdep_reports(), reports);
}

struct try_arg {
	struct mutex *m;
	int got;                /* 1: its trylock succeeded */
};

static int try_other(void *arg)
{
	struct try_arg *a = arg;

	a->got = mutex_trylock(a->m);
	if (a->got)
		mutex_unlock(a->m);
	return 0;
}

static void test_trylock(struct ktest *t)
{
	unsigned long reports = lockdep_reports();
	struct try_arg a;
	struct thread *th;
	struct mutex m;

	mutex_init(&m);
	a.m = &m;
	KTEST_ASSERT_TRUE(t, mutex_trylock(&m));
	KTEST_EXPECT_PTR_EQ(t, mutex_owner(&m), current);
	/* The owner's own trylock fails quietly (it is not a deadlock). */
	KTEST_EXPECT_FALSE(t, mutex_trylock(&m));
	KTEST_EXPECT_EQ(t, lockdep_reports(), reports);
	a.got = -1;
	th = ktest_spawn_on(try_other, &a, "try_other", 1);
	KTEST_EXPECT_NOT_NULL(t, th);
	if (th)
		KTEST_EXPECT_EQ(t, kthread_join(th), 0);
	KTEST_EXPECT_EQ(t, a.got, 0);
	mutex_unlock(&m);
	a.got = -1;
	th = ktest_spawn_on(try_other, &a, "try_other", 1);
	KTEST_EXPECT_NOT_NULL(t, th);
	if (th)
		KTEST_EXPECT_EQ(t, kthread_join(th), 0);
	KTEST_EXPECT_EQ(t, a.got, 1);
	KTEST_EXPECT_FALSE(t, mutex_is_locked(&m));
	KTEST_EXPECT_EQ(t, lockdep_reports(), reports);
}

/* ---- mutual exclusion under stress -------------------------------------- */

struct stress {
	struct mutex m;
	long counter;           /* [m] */
	int inside;             /* [atomic] threads in the critical section */
	int overlaps;           /* [atomic] times two were inside */
	unsigned long long cpus;        /* [atomic] CPUs a thread ran on */
};

static int stress_fn(void *arg)
{
	struct stress *s = arg;
	long v;
	int i, j;

	for (i = 0; i < STRESS_ITERS; i++) {
		mutex_lock(&s->m);
		if (__atomic_add_fetch(&s->inside, 1, __ATOMIC_SEQ_CST) != 1)
			__atomic_add_fetch(&s->overlaps, 1, __ATOMIC_SEQ_CST);
		v = READ_ONCE(s->counter);
		if (i % 4 == 0)
			yield();        /* let others pile up on the mutex */
		else
			for (j = 0; j < 50; j++)
				arch_cpu_relax();
		WRITE_ONCE(s->counter, v + 1);
		__atomic_sub_fetch(&s->inside, 1, __ATOMIC_SEQ_CST);
		mutex_unlock(&s->m);
	}
	preempt_disable();
	__atomic_fetch_or(&s->cpus, 1ULL << cpu_id(), __ATOMIC_SEQ_CST);
	preempt_enable();
	return 0;
}

static unsigned long long online_mask(void)
{
	unsigned long long mask = 0;
	unsigned int cpu;

	for (cpu = 0; cpu < NR_CPUS; cpu++)
		if (cpu_online(cpu))
			mask |= 1ULL << cpu;
	return mask;
}

static void test_mutex_stress(struct ktest *t)
{
	struct thread *th[STRESS_MAX_THREADS];
	unsigned int held = lockdep_held_sleep_count();
	unsigned long reports = lockdep_reports();
	int i, n = MIN(MAX(STRESS_MIN_THREADS, 2 * (int)num_online_cpus()),
		       STRESS_MAX_THREADS);
	struct stress s = { .counter = 0 };

	mutex_init(&s.m);
	for (i = 0; i < n; i++)
		th[i] = ktest_spawn_on(stress_fn, &s, "mutex_stress", i);
	for (i = 0; i < n; i++) {
		KTEST_EXPECT_NOT_NULL(t, th[i]);
		if (th[i])
			KTEST_EXPECT_EQ(t, kthread_join(th[i]), 0);
	}
	KTEST_EXPECT_EQ(t, s.counter, (long)n * STRESS_ITERS);
	KTEST_EXPECT_EQ(t, s.overlaps, 0);
	KTEST_EXPECT_UEQ(t, s.cpus, online_mask());
	KTEST_EXPECT_FALSE(t, mutex_is_locked(&s.m));
	KTEST_EXPECT_EQ(t, s.m.owner, 0);       /* no stale waiters flag */
	KTEST_EXPECT_EQ(t, waiter_count(&s.m), 0);
	KTEST_EXPECT_EQ(t, lockdep_held_sleep_count(), held);
	KTEST_EXPECT_EQ(t, lockdep_reports(), reports);
}

/* ---- hand-off order ----------------------------------------------------- */

struct fifo {
	struct mutex m;
	int order[FIFO_WAITERS];        /* [m] who got it, in turn */
	int n;                          /* [m] */
	int result;                     /* interruptible waiter's return */
};

struct fifo_arg {
	struct fifo *f;
	int id;
};

static int fifo_fn(void *arg)
{
	struct fifo_arg *a = arg;

	mutex_lock(&a->f->m);
	a->f->order[a->f->n++] = a->id;
	mutex_unlock(&a->f->m);
	return 0;
}

/* Pin the running thread to @mask (all CPUs: unpin). */
static void pin_self(const struct cpumask *mask)
{
	sched_setaffinity(current, mask);
}

/*
 * Waiters get the mutex in the order they queued, and the unlock hands it
 * over at once: the releaser cannot take it back with a trylock. The
 * waiters share this thread's CPU, so with preemption off none of them
 * can run (and move the mutex on) before the hand-off is checked.
 */
static void test_fifo_handoff(struct ktest *t)
{
	struct thread *th[FIFO_WAITERS];
	struct fifo_arg a[FIFO_WAITERS];
	struct fifo f = { .n = 0 };
	struct cpumask here;
	bool retaken;
	int i;

	preempt_disable();
	cpumask_clear(&here);
	cpumask_set_cpu(cpu_id(), &here);
	preempt_enable();
	pin_self(&here);
	mutex_init(&f.m);
	mutex_lock(&f.m);
	for (i = 0; i < FIFO_WAITERS; i++) {
		a[i].f = &f;
		a[i].id = i;
		th[i] = kthread_create(fifo_fn, &a[i], "mutex_fifo");
		if (IS_ERR(th[i]))
			th[i] = NULL;
		KTEST_EXPECT_NOT_NULL(t, th[i]);
		if (!th[i])
			continue;
		sched_setaffinity(th[i], &here);
		thread_start(th[i]);
		KTEST_EXPECT_TRUE(t, ktest_wait_asleep(th[i],
						 THREAD_UNINTERRUPTIBLE));
	}
	KTEST_EXPECT_EQ(t, waiter_count(&f.m), FIFO_WAITERS);
	preempt_disable();
	mutex_unlock(&f.m);
	KTEST_EXPECT_PTR_EQ(t, mutex_owner(&f.m), th[0]);
	retaken = mutex_trylock(&f.m);
	preempt_enable();
	KTEST_EXPECT_FALSE(t, retaken);
	if (retaken)
		mutex_unlock(&f.m);
	for (i = 0; i < FIFO_WAITERS; i++)
		if (th[i])
			KTEST_EXPECT_EQ(t, kthread_join(th[i]), 0);
	KTEST_EXPECT_EQ(t, f.n, FIFO_WAITERS);
	for (i = 0; i < FIFO_WAITERS; i++)
		KTEST_EXPECT_EQ(t, f.order[i], i);
	KTEST_EXPECT_EQ(t, f.m.owner, 0);
	cpumask_setall(&here);
	pin_self(&here);
}

/* ---- interruptible ------------------------------------------------------ */

static int lock_intr_fn(void *arg)
{
	struct fifo *f = arg;
	int r = mutex_lock_interruptible(&f->m);

	WRITE_ONCE(f->result, r);
	if (!r)
		mutex_unlock(&f->m);
	return 0;
}

/*
 * A signal ends an interruptible wait with -EINTR and leaves the mutex
 * and the queue behind it intact: the next waiter still gets it.
 */
static void test_lock_interruptible_eintr(struct ktest *t)
{
	unsigned int held = lockdep_held_sleep_count();
	struct fifo f = { .n = 0, .result = 1 };
	struct fifo_arg a = { &f, 7 };
	struct thread *intr, *next;

	mutex_init(&f.m);
	mutex_lock(&f.m);
	intr = ktest_spawn_on(lock_intr_fn, &f, "mutex_intr", 1);
	KTEST_ASSERT_NOT_NULL(t, intr);
	KTEST_EXPECT_TRUE(t, ktest_wait_asleep(intr, THREAD_INTERRUPTIBLE));
	next = ktest_spawn_on(fifo_fn, &a, "mutex_next", 2);
	KTEST_EXPECT_NOT_NULL(t, next);
	if (next)
		KTEST_EXPECT_TRUE(t, ktest_wait_asleep(next,
						 THREAD_UNINTERRUPTIBLE));
	WRITE_ONCE(intr->signal_pending, true);
	KTEST_EXPECT_TRUE(t, wake_up_state(intr, THREAD_INTERRUPTIBLE));
	KTEST_EXPECT_EQ(t, kthread_join(intr), 0);
	KTEST_EXPECT_EQ(t, f.result, -EINTR);
	KTEST_EXPECT_PTR_EQ(t, mutex_owner(&f.m), current);
	KTEST_EXPECT_EQ(t, waiter_count(&f.m), next ? 1 : 0);
	mutex_unlock(&f.m);
	if (next)
		KTEST_EXPECT_EQ(t, kthread_join(next), 0);
	KTEST_EXPECT_EQ(t, f.n, next ? 1 : 0);
	KTEST_EXPECT_EQ(t, f.m.owner, 0);

	/* The last waiter leaving clears the waiters flag. */
	f.result = 1;
	mutex_lock(&f.m);
	intr = ktest_spawn_on(lock_intr_fn, &f, "mutex_intr", 1);
	KTEST_ASSERT_NOT_NULL(t, intr);
	KTEST_EXPECT_TRUE(t, ktest_wait_asleep(intr, THREAD_INTERRUPTIBLE));
	KTEST_EXPECT_EQ(t, f.m.owner & MUTEX_FLAG_WAITERS, MUTEX_FLAG_WAITERS);
	WRITE_ONCE(intr->signal_pending, true);
	wake_up_state(intr, THREAD_INTERRUPTIBLE);
	KTEST_EXPECT_EQ(t, kthread_join(intr), 0);
	KTEST_EXPECT_EQ(t, f.result, -EINTR);
	KTEST_EXPECT_EQ(t, f.m.owner, (unsigned long)current);
	mutex_unlock(&f.m);
	KTEST_EXPECT_EQ(t, f.m.owner, 0);
	KTEST_EXPECT_EQ(t, lockdep_held_sleep_count(), held);
}

/* A pending signal does not fail an uncontended lock. */
static void test_interruptible_uncontended(struct ktest *t)
{
	struct mutex m;

	mutex_init(&m);
	WRITE_ONCE(current->signal_pending, true);
	KTEST_EXPECT_EQ(t, mutex_lock_interruptible(&m), 0);
	WRITE_ONCE(current->signal_pending, false);
	KTEST_EXPECT_PTR_EQ(t, mutex_owner(&m), current);
	mutex_unlock(&m);
	KTEST_EXPECT_FALSE(t, mutex_is_locked(&m));
}

/* ---- misuse reports ----------------------------------------------------- */

static unsigned long expect_begin(void)
{
	lockdep_expect_reports(true);
	return lockdep_reports();
}

static void expect_end(void)
{
	lockdep_expect_reports(false);
}

static int unlock_other(void *arg)
{
	mutex_unlock(arg);
	return 0;
}

/* An unlock by a non-owner is reported and changes nothing. */
static void test_non_owner_unlock_reported(struct ktest *t)
{
	unsigned long reports;
	struct thread *th;
	struct mutex m;

	mutex_init(&m);
	mutex_lock(&m);
	reports = expect_begin();
	th = ktest_spawn_on(unlock_other, &m, "unlock_other", 1);
	KTEST_EXPECT_NOT_NULL(t, th);
	if (th)
		KTEST_EXPECT_EQ(t, kthread_join(th), 0);
	expect_end();
	if (ktest_lock_checking())
		KTEST_EXPECT_EQ(t, lockdep_reports(), reports + 1);
	KTEST_EXPECT_EQ(t, m.owner, (unsigned long)current);
	mutex_unlock(&m);
	KTEST_EXPECT_FALSE(t, mutex_is_locked(&m));

	/* Unlocking a free mutex: reported, stays free. */
	reports = expect_begin();
	mutex_unlock(&m);
	expect_end();
	if (ktest_lock_checking())
		KTEST_EXPECT_EQ(t, lockdep_reports(), reports + 1);
	KTEST_EXPECT_EQ(t, m.owner, 0);
	KTEST_ASSERT_TRUE(t, mutex_trylock(&m));
	mutex_unlock(&m);
}

/*
 * The owner locking again is reported; the inner lock and its unlock are
 * skipped, so the outer holder keeps the mutex until its own unlock.
 */
static void test_recursive_lock_reported(struct ktest *t)
{
	unsigned int held = lockdep_held_sleep_count();
	unsigned long reports;
	struct mutex m;

	mutex_init(&m);
	mutex_lock(&m);
	reports = expect_begin();
	mutex_lock(&m);
	KTEST_EXPECT_PTR_EQ(t, mutex_owner(&m), current);
	KTEST_EXPECT_EQ(t, mutex_lock_interruptible(&m), -EDEADLK);
	expect_end();
	if (ktest_lock_checking())
		KTEST_EXPECT_EQ(t, lockdep_reports(), reports + 2);
	mutex_unlock(&m);               /* the inner one: still held */
	KTEST_EXPECT_PTR_EQ(t, mutex_owner(&m), current);
	mutex_unlock(&m);
	KTEST_EXPECT_FALSE(t, mutex_is_locked(&m));
	KTEST_EXPECT_EQ(t, lockdep_held_sleep_count(), held);
	if (ktest_lock_checking())
		KTEST_EXPECT_EQ(t, lockdep_reports(), reports + 2);
}

/* A mutex taken with preemption off is reported once, and still works. */
static void test_atomic_lock_reported(struct ktest *t)
{
	unsigned long reports;
	struct mutex m;

	mutex_init(&m);
	reports = expect_begin();
	preempt_disable();
	mutex_lock(&m);                 /* free: it does not actually sleep */
	preempt_enable();
	expect_end();
	if (ktest_lock_checking())
		KTEST_EXPECT_EQ(t, lockdep_reports(), reports + 1);
	KTEST_EXPECT_PTR_EQ(t, mutex_owner(&m), current);
	mutex_unlock(&m);
	KTEST_EXPECT_FALSE(t, mutex_is_locked(&m));
}

static struct ktest_case mutex_cases[] = {
	KTEST_CASE(test_lock_unlock_owner),
	KTEST_CASE(test_trylock),
	KTEST_CASE(test_mutex_stress),
	KTEST_CASE(test_fifo_handoff),
	KTEST_CASE(test_lock_interruptible_eintr),
	KTEST_CASE(test_interruptible_uncontended),
	KTEST_CASE(test_non_owner_unlock_reported),
	KTEST_CASE(test_recursive_lock_reported),
	KTEST_CASE(test_atomic_lock_reported),
	{}
};
KTEST_SUITE(mutex, mutex_cases);
