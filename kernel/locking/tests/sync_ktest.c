/*
 * ktests for counting semaphores ("semaphore") and condition variables
 * ("condvar"); read-write semaphores are in rwsem_ktest.c.
 *
 * Stress cases pin their threads round-robin over every online CPU and
 * check exact outcomes: a counter incremented read-yield-write under the
 * lock, the largest number of threads seen inside at once, the count and
 * sum of the items through a bounded buffer. Ordering cases queue waiters
 * one at a time (each asleep before the next starts), so the queue order
 * is known. A pending signal is simulated by setting t->signal_pending
 * and waking the thread with wake_up_state(t, THREAD_INTERRUPTIBLE).
 * Provoked reports are marked expected and counted exactly when checking
 * is on.
 */
#include <keel/condvar.h>
#include <keel/err.h>
#include <keel/errno.h>
#include <keel/ktest.h>
#include <keel/ktest_thread.h>
#include <keel/lockdep.h>
#include <keel/mutex.h>
#include <keel/sched.h>
#include <keel/semaphore.h>
#include <keel/smp.h>
#include <keel/spinlock.h>
#include <keel/time.h>

#define MAX_THREADS   16
#define STRESS_ITERS  60
#define HOLDERS_ITERS 20

/* ---- helpers ------------------------------------------------------------ */

static int atomic_get(int *p)
{
	return __atomic_load_n(p, __ATOMIC_SEQ_CST);
}

/* Wait (up to 2 s) until *@p reaches @want. */
static bool wait_count(int *p, int want)
{
	int i;

	for (i = 0; i < 2000 && atomic_get(p) < want; i++)
		sleep_ns(NSEC_PER_MSEC);
	return atomic_get(p) >= want;
}

static void join_all(struct ktest *t, struct thread **th, int n)
{
	int i;

	for (i = 0; i < n; i++)
		if (th[i])
			KTEST_EXPECT_EQ(t, kthread_join(th[i]), 0);
}

/* At least 8 threads, two per CPU when there are more CPUs. */
static int stress_threads(void)
{
	return MIN(MAX(8, 2 * (int)num_online_cpus()), MAX_THREADS);
}

/*
 * Stay inside until @want threads are (or 5 ms passed), letting this
 * CPU's peers run meanwhile: a semaphore of @want units must let exactly
 * that many in, however the threads happen to be scheduled.
 */
static void hold_until(struct ktest_occupancy *o, int want)
{
	u64 end = clock_monotonic_ns() + 5 * NSEC_PER_MSEC;

	while (atomic_get(&o->inside) < want && clock_monotonic_ns() < end)
		yield();
}

/* ---- semaphore ---------------------------------------------------------- */

static unsigned int sema_waiters(struct semaphore *s)
{
	unsigned long flags = spin_lock_irqsave(&s->lock);
	unsigned int n = list_count(&s->waiters);

	spin_unlock_irqrestore(&s->lock, flags);
	return n;
}

static void test_sema_trylock(struct ktest *t)
{
	struct semaphore s;

	sema_init(&s, 2);
	KTEST_EXPECT_EQ(t, down_trylock(&s), 0);
	KTEST_EXPECT_EQ(t, down_trylock(&s), 0);
	KTEST_EXPECT_EQ(t, down_trylock(&s), 1);      /* 1 means busy */
	KTEST_EXPECT_EQ(t, s.count, 0);
	up(&s);
	KTEST_EXPECT_EQ(t, down_trylock(&s), 0);
	up(&s);
	up(&s);
	KTEST_EXPECT_EQ(t, s.count, 2);
}

struct sema_stress {
	struct semaphore s;
	struct ktest_occupancy occ;
	long counter;           /* [s] when used as a mutex */
	unsigned int fill;      /* wait inside for this many, 0: do not */
};

static int sema_stress_fn(void *arg)
{
	struct sema_stress *ss = arg;
	int i, iters = ss->fill ? HOLDERS_ITERS : STRESS_ITERS;
	long v;

	for (i = 0; i < iters; i++) {
		down(&ss->s);
		ktest_occ_enter(&ss->occ);
		v = READ_ONCE(ss->counter);
		if (ss->fill)
			hold_until(&ss->occ, ss->fill);
		else
			ktest_hold_a_while(i);
		WRITE_ONCE(ss->counter, v + 1);
		ktest_occ_leave(&ss->occ);
		up(&ss->s);
	}
	return 0;
}

static void sema_stress_run(struct ktest *t, struct sema_stress *ss,
			    unsigned int units, unsigned int fill)
{
	struct thread *th[MAX_THREADS];
	int i, n = stress_threads();

	sema_init(&ss->s, units);
	ss->occ.inside = 0;
	ss->occ.max = 0;
	ss->counter = 0;
	ss->fill = fill;
	for (i = 0; i < n; i++) {
		th[i] = ktest_spawn_on(sema_stress_fn, ss, "sema_stress", i);
		KTEST_EXPECT_NOT_NULL(t, th[i]);
	}
	join_all(t, th, n);
	KTEST_EXPECT_EQ(t, ss->s.count, units);
	KTEST_EXPECT_EQ(t, sema_waiters(&ss->s), 0);
}

/*
 * Never more than N holders at once, and N is reached: holders wait
 * inside for the others (a fourth would show as max 4).
 */
static void test_sema_max_holders(struct ktest *t)
{
	struct sema_stress ss;

	sema_stress_run(t, &ss, 3, 3);
	KTEST_EXPECT_EQ(t, ss.occ.max, 3);
	KTEST_EXPECT_EQ(t, ss.occ.inside, 0);
}

/* A semaphore of one unit excludes like a mutex: the total is exact. */
static void test_sema_as_mutex_stress(struct ktest *t)
{
	struct sema_stress ss;

	sema_stress_run(t, &ss, 1, 0);
	KTEST_EXPECT_EQ(t, ss.occ.max, 1);
	KTEST_EXPECT_EQ(t, ss.counter, (long)stress_threads() * STRESS_ITERS);
}

struct sema_wait {
	struct semaphore *s;
	u64 delay;
	int result;
	int order[4];
	int n;                  /* [atomic] */
};

static int up_later(void *arg)
{
	struct sema_wait *w = arg;

	sleep_ns(w->delay);
	up(w->s);
	return 0;
}

static void test_down_timeout(struct ktest *t)
{
	struct sema_wait w = { .delay = 10 * NSEC_PER_MSEC };
	struct semaphore s;
	struct thread *th;
	u64 start, took;
	int r;

	sema_init(&s, 0);
	w.s = &s;
	start = clock_monotonic_ns();
	r = down_timeout(&s, 20 * NSEC_PER_MSEC);
	took = clock_monotonic_ns() - start;
	KTEST_EXPECT_EQ(t, r, -ETIME);
	KTEST_EXPECT_GE(t, took, 20 * NSEC_PER_MSEC);
	KTEST_EXPECT_LT(t, took, NSEC_PER_SEC);
	KTEST_EXPECT_EQ(t, sema_waiters(&s), 0);
	KTEST_EXPECT_EQ(t, s.count, 0);

	th = ktest_spawn_on(up_later, &w, "up_later", 1);
	KTEST_ASSERT_NOT_NULL(t, th);
	start = clock_monotonic_ns();
	r = down_timeout(&s, 2 * NSEC_PER_SEC);
	took = clock_monotonic_ns() - start;
	KTEST_EXPECT_EQ(t, kthread_join(th), 0);
	KTEST_EXPECT_EQ(t, r, 0);
	KTEST_EXPECT_LT(t, took, NSEC_PER_SEC);
	KTEST_EXPECT_EQ(t, s.count, 0);
}

static int down_intr_fn(void *arg)
{
	struct sema_wait *w = arg;

	WRITE_ONCE(w->result, down_interruptible(w->s));
	return 0;
}

static void test_down_interruptible(struct ktest *t)
{
	struct sema_wait w = { .result = 1 };
	struct semaphore s;
	struct thread *th;

	sema_init(&s, 0);
	w.s = &s;
	th = ktest_spawn_on(down_intr_fn, &w, "down_intr", 1);
	KTEST_ASSERT_NOT_NULL(t, th);
	KTEST_EXPECT_TRUE(t, ktest_wait_asleep(th, THREAD_INTERRUPTIBLE));
	KTEST_EXPECT_EQ(t, sema_waiters(&s), 1);
	WRITE_ONCE(th->signal_pending, true);
	KTEST_EXPECT_TRUE(t, wake_up_state(th, THREAD_INTERRUPTIBLE));
	KTEST_EXPECT_EQ(t, kthread_join(th), 0);
	KTEST_EXPECT_EQ(t, w.result, -EINTR);
	KTEST_EXPECT_EQ(t, sema_waiters(&s), 0);
	/* Nothing was taken: a unit returned now stays available. */
	up(&s);
	KTEST_EXPECT_EQ(t, s.count, 1);
}

struct fifo_arg {
	struct sema_wait *w;
	int id;
};

static int sema_fifo_fn(void *arg)
{
	struct fifo_arg *a = arg;
	int slot;

	down(a->w->s);
	slot = __atomic_fetch_add(&a->w->n, 1, __ATOMIC_SEQ_CST);
	a->w->order[slot] = a->id;
	return 0;
}

/* Units go to waiters in arrival order; a newcomer cannot overtake. */
static void test_sema_fifo(struct ktest *t)
{
	struct sema_wait w = { .n = 0 };
	struct fifo_arg a[4];
	struct thread *th[4];
	struct semaphore s;
	int i;

	sema_init(&s, 0);
	w.s = &s;
	for (i = 0; i < 4; i++) {
		a[i].w = &w;
		a[i].id = i;
		th[i] = ktest_spawn_on(sema_fifo_fn, &a[i], "sema_fifo", i);
		KTEST_EXPECT_NOT_NULL(t, th[i]);
		if (th[i])
			KTEST_EXPECT_TRUE(t, ktest_wait_asleep(th[i],
						THREAD_UNINTERRUPTIBLE));
	}
	for (i = 0; i < 4; i++) {
		up(&s);
		/* The unit went to a sleeper, not to the count. */
		KTEST_EXPECT_EQ(t, down_trylock(&s), 1);
		KTEST_EXPECT_TRUE(t, wait_count(&w.n, i + 1));
		KTEST_EXPECT_EQ(t, w.order[i], i);
	}
	join_all(t, th, 4);
	KTEST_EXPECT_EQ(t, s.count, 0);
}

struct sema_timer {
	struct timer timer;
	struct semaphore s;
};

static void sema_timer_fn(struct timer *tm)
{
	up(&container_of(tm, struct sema_timer, timer)->s);
}

/* up() from interrupt context (a timer callback) wakes a sleeper. */
static void test_up_from_timer(struct ktest *t)
{
	struct sema_timer st;
	u64 start;

	sema_init(&st.s, 0);
	timer_init_struct(&st.timer, sema_timer_fn);
	start = clock_monotonic_ns();
	timer_add(&st.timer, start + 10 * NSEC_PER_MSEC);
	KTEST_EXPECT_EQ(t, down_timeout(&st.s, 2 * NSEC_PER_SEC), 0);
	KTEST_EXPECT_GE(t, clock_monotonic_ns() - start, 10 * NSEC_PER_MSEC);
	timer_cancel_sync(&st.timer);
}

static struct ktest_case semaphore_cases[] = {
	KTEST_CASE(test_sema_trylock),
	KTEST_CASE(test_sema_max_holders),
	KTEST_CASE(test_sema_as_mutex_stress),
	KTEST_CASE(test_down_timeout),
	KTEST_CASE(test_down_interruptible),
	KTEST_CASE(test_sema_fifo),
	KTEST_CASE(test_up_from_timer),
	{}
};
KTEST_SUITE(semaphore, semaphore_cases);

/* ---- condition variables ------------------------------------------------ */

#define PC_SLOTS     4
#define PC_ITEMS     300        /* per producer */
#define PC_PRODUCERS 2
#define PC_CONSUMERS 2

struct pc {
	struct mutex m;
	struct condvar not_full, not_empty;
	long buf[PC_SLOTS];     /* [m] ring */
	int head, len;          /* [m] */
	int taken;              /* [m] items consumed so far */
	long sum;               /* [m] of the items consumed */
	int consumed[PC_CONSUMERS];     /* per consumer */
	int max_len;            /* [m] fullest the ring got */
};

struct pc_arg {
	struct pc *pc;
	int id;
};

static int producer_fn(void *arg)
{
	struct pc_arg *a = arg;
	struct pc *pc = a->pc;
	int i;

	for (i = 1; i <= PC_ITEMS; i++) {
		mutex_lock(&pc->m);
		while (pc->len == PC_SLOTS)
			cond_wait(&pc->not_full, &pc->m);
		pc->buf[(pc->head + pc->len) % PC_SLOTS] = a->id * 100000L + i;
		pc->len++;
		pc->max_len = MAX(pc->max_len, pc->len);
		cond_signal(&pc->not_empty);
		mutex_unlock(&pc->m);
	}
	return 0;
}

static int consumer_fn(void *arg)
{
	struct pc_arg *a = arg;
	struct pc *pc = a->pc;
	const int total = PC_ITEMS * PC_PRODUCERS;

	mutex_lock(&pc->m);
	for (;;) {
		while (!pc->len && pc->taken < total)
			cond_wait(&pc->not_empty, &pc->m);
		if (pc->taken == total)
			break;
		pc->sum += pc->buf[pc->head];
		pc->head = (pc->head + 1) % PC_SLOTS;
		pc->len--;
		pc->taken++;
		pc->consumed[a->id]++;
		cond_signal(&pc->not_full);
		if (pc->taken == total)
			cond_broadcast(&pc->not_empty);   /* release the rest */
	}
	mutex_unlock(&pc->m);
	return 0;
}

static long pc_expected_sum(void)
{
	long per = (long)PC_ITEMS * (PC_ITEMS + 1) / 2, sum = 0;
	int p;

	for (p = 0; p < PC_PRODUCERS; p++)
		sum += per + (long)p * 100000L * PC_ITEMS;
	return sum;
}

/* Bounded buffer: every item produced is consumed exactly once. */
static void test_producer_consumer(struct ktest *t)
{
	struct thread *th[PC_PRODUCERS + PC_CONSUMERS];
	struct pc_arg a[PC_PRODUCERS + PC_CONSUMERS];
	struct pc pc = { .head = 0 };
	int i, n = PC_PRODUCERS + PC_CONSUMERS;

	mutex_init(&pc.m);
	cond_init(&pc.not_full);
	cond_init(&pc.not_empty);
	for (i = 0; i < n; i++) {
		bool prod = i < PC_PRODUCERS;

		a[i].pc = &pc;
		a[i].id = prod ? i : i - PC_PRODUCERS;
		th[i] = ktest_spawn_on(prod ? producer_fn : consumer_fn, &a[i],
				 prod ? "producer" : "consumer", i);
		KTEST_EXPECT_NOT_NULL(t, th[i]);
	}
	join_all(t, th, n);
	KTEST_EXPECT_EQ(t, pc.taken, PC_ITEMS * PC_PRODUCERS);
	KTEST_EXPECT_EQ(t, pc.consumed[0] + pc.consumed[1],
			PC_ITEMS * PC_PRODUCERS);
	KTEST_EXPECT_EQ(t, pc.sum, pc_expected_sum());
	KTEST_EXPECT_EQ(t, pc.len, 0);
	KTEST_EXPECT_LE(t, pc.max_len, PC_SLOTS);
	KTEST_EXPECT_FALSE(t, mutex_is_locked(&pc.m));
	KTEST_EXPECT_FALSE(t, waitqueue_active(&pc.not_full.wait));
	KTEST_EXPECT_FALSE(t, waitqueue_active(&pc.not_empty.wait));
}

static void test_cond_wait_timeout(struct ktest *t)
{
	struct condvar cv;
	struct mutex m;
	u64 start, took;
	long r;

	mutex_init(&m);
	cond_init(&cv);
	mutex_lock(&m);
	start = clock_monotonic_ns();
	r = cond_wait_timeout(&cv, &m, 20 * NSEC_PER_MSEC);
	took = clock_monotonic_ns() - start;
	KTEST_EXPECT_EQ(t, r, 0);
	KTEST_EXPECT_GE(t, took, 20 * NSEC_PER_MSEC);
	KTEST_EXPECT_LT(t, took, NSEC_PER_SEC);
	KTEST_EXPECT_PTR_EQ(t, mutex_owner(&m), current);
	KTEST_EXPECT_FALSE(t, waitqueue_active(&cv.wait));
	mutex_unlock(&m);
}

struct cv_waiters {
	struct mutex m;
	struct condvar cv;
	int go;                 /* [m] */
	int woken;              /* [atomic] */
	long left;              /* a timed waiter's return */
};

static int cv_wait_fn(void *arg)
{
	struct cv_waiters *w = arg;

	mutex_lock(&w->m);
	while (!w->go)
		cond_wait(&w->cv, &w->m);
	__atomic_add_fetch(&w->woken, 1, __ATOMIC_SEQ_CST);
	mutex_unlock(&w->m);
	return 0;
}

/* cond_signal() wakes exactly one waiter, cond_broadcast() the rest. */
static void test_cond_signal_broadcast(struct ktest *t)
{
	struct cv_waiters w = { .go = 0, .woken = 0 };
	struct thread *th[3];
	int i;

	mutex_init(&w.m);
	cond_init(&w.cv);
	for (i = 0; i < 3; i++) {
		th[i] = ktest_spawn_on(cv_wait_fn, &w, "cv_wait", i);
		KTEST_EXPECT_NOT_NULL(t, th[i]);
		if (th[i])
			KTEST_EXPECT_TRUE(t, ktest_wait_asleep(th[i],
						THREAD_UNINTERRUPTIBLE));
	}
	mutex_lock(&w.m);
	w.go = 1;
	cond_signal(&w.cv);
	mutex_unlock(&w.m);
	KTEST_EXPECT_TRUE(t, wait_count(&w.woken, 1));
	sleep_ns(20 * NSEC_PER_MSEC);
	KTEST_EXPECT_EQ(t, atomic_get(&w.woken), 1);
	cond_broadcast(&w.cv);
	join_all(t, th, 3);
	KTEST_EXPECT_EQ(t, w.woken, 3);
	KTEST_EXPECT_FALSE(t, mutex_is_locked(&w.m));
}

static int cv_timed_fn(void *arg)
{
	struct cv_waiters *w = arg;

	mutex_lock(&w->m);
	w->left = cond_wait_timeout(&w->cv, &w->m, 2 * NSEC_PER_SEC);
	if (mutex_owner(&w->m) == current)
		__atomic_add_fetch(&w->woken, 1, __ATOMIC_SEQ_CST);
	mutex_unlock(&w->m);
	return 0;
}

/* A signalled timed waiter returns the time left, holding the mutex. */
static void test_cond_timed_signalled(struct ktest *t)
{
	struct cv_waiters w = { .woken = 0, .left = -1 };
	struct thread *th;

	mutex_init(&w.m);
	cond_init(&w.cv);
	th = ktest_spawn_on(cv_timed_fn, &w, "cv_timed", 1);
	KTEST_ASSERT_NOT_NULL(t, th);
	KTEST_EXPECT_TRUE(t, ktest_wait_asleep(th, THREAD_UNINTERRUPTIBLE));
	cond_signal(&w.cv);
	KTEST_EXPECT_EQ(t, kthread_join(th), 0);
	KTEST_EXPECT_GT(t, w.left, 0);
	KTEST_EXPECT_LT(t, w.left, 2 * NSEC_PER_SEC);
	KTEST_EXPECT_EQ(t, w.woken, 1);
}

/* Waiting without the mutex is reported and returns at once. */
static void test_cond_wait_unlocked_reported(struct ktest *t)
{
	unsigned long reports;
	struct condvar cv;
	struct mutex m;

	mutex_init(&m);
	cond_init(&cv);
	lockdep_expect_reports(true);
	reports = lockdep_reports();
	cond_wait(&cv, &m);
	KTEST_EXPECT_GT(t, cond_wait_timeout(&cv, &m, NSEC_PER_SEC), 0);
	lockdep_expect_reports(false);
	if (ktest_lock_checking())
		KTEST_EXPECT_EQ(t, lockdep_reports(), reports + 2);
	KTEST_EXPECT_FALSE(t, mutex_is_locked(&m));
	KTEST_EXPECT_FALSE(t, waitqueue_active(&cv.wait));
}

static struct ktest_case condvar_cases[] = {
	KTEST_CASE(test_producer_consumer),
	KTEST_CASE(test_cond_wait_timeout),
	KTEST_CASE(test_cond_signal_broadcast),
	KTEST_CASE(test_cond_timed_signalled),
	KTEST_CASE(test_cond_wait_unlocked_reported),
	{}
};
KTEST_SUITE(condvar, condvar_cases);
