/*
 * ktests for the rt_mutex proxy operations of PI futexes
 * (kernel/locking/rtmutex_proxy.c): a lock owned on behalf of a thread
 * that never called lock, a waiter queued by another thread, waits that
 * time out or are interrupted, and the futex unlock's commit hook.
 *
 * Like the rtmutex suite, each scenario runs under a SCHED_FIFO 90
 * conductor pinned with its actors to one CPU, and checks priorities
 * only when every actor is blocked or parked.
 */
#include <keel/err.h>
#include <keel/errno.h>
#include <keel/ktest.h>
#include <keel/ktest_thread.h>
#include <keel/rtmutex.h>
#include <keel/sched.h>
#include <keel/smp.h>
#include <keel/time.h>
#include <keel/wait.h>

#define PRIO_CONDUCTOR 90
#define POLL_NS        (50 * NSEC_PER_USEC)
#define WAIT_CAP_NS    (2000 * NSEC_PER_MSEC)

#define WAIT_FOR(cond)                                                     \
	({                                                                 \
		u64 __end = clock_monotonic_ns() + WAIT_CAP_NS;            \
		bool __ok;                                                 \
		while (!(__ok = (cond)) && clock_monotonic_ns() < __end)   \
			sleep_ns(POLL_NS);                                 \
		__ok;                                                      \
	})

/* A flag a thread parks on (uninterruptibly) until it is set. */
static void park_until(bool *flag)
{
	for (;;) {
		set_current_state(THREAD_UNINTERRUPTIBLE);
		if (READ_ONCE(*flag))
			break;
		schedule();
	}
	__set_current_state(THREAD_RUNNING);
}

static void release(bool *flag, struct thread *th)
{
	WRITE_ONCE(*flag, true);
	wake_up_thread(th);
}

static bool parked(struct thread *th)
{
	return READ_ONCE(th->state) == THREAD_UNINTERRUPTIBLE;
}

static bool sleeping(struct thread *th)
{
	return READ_ONCE(th->state) != THREAD_RUNNING;
}

static struct thread *spawn(struct ktest *t, int (*fn)(void *), void *arg,
			    const char *name, int prio)
{
	struct thread *th = kthread_create(fn, arg, name);
	struct cpumask m;

	if (IS_ERR(th)) {
		KTEST_EXPECT_FALSE(t, IS_ERR(th));
		return NULL;
	}
	KTEST_EXPECT_EQ(t, sched_setscheduler(th, SCHED_FIFO, prio), 0);
	cpumask_clear(&m);
	cpumask_set_cpu(num_online_cpus() - 1, &m);
	KTEST_EXPECT_EQ(t, sched_setaffinity(th, &m), 0);
	thread_start(th);
	return th;
}

static void join(struct thread *th)
{
	if (th)
		kthread_join(th);
}

/* ---- 1. owned by proxy: boost, timeout, signal, release ------------------ */

struct owned {
	struct ktest *t;
	struct rt_mutex lock;
	bool o_go;              /* [a] the owner may finish */
	int start, timed, intr;
	bool cleanup_timed, cleanup_intr;
};

static int owned_owner(void *arg)
{
	struct owned *s = arg;

	park_until(&s->o_go);
	return 0;
}

static int owned_waiter(void *arg)
{
	struct owned *s = arg;
	struct rt_mutex_waiter w;

	s->start = rt_mutex_start_proxy_lock(&s->lock, &w, current);
	if (s->start)
		return 0;
	s->timed = rt_mutex_wait_proxy_lock(&s->lock, &w,
					    clock_monotonic_ns() +
						    20 * NSEC_PER_MSEC, true);
	s->cleanup_timed = rt_mutex_cleanup_proxy_lock(&s->lock, &w);
	if (rt_mutex_start_proxy_lock(&s->lock, &w, current))
		return 0;
	s->intr = rt_mutex_wait_proxy_lock(&s->lock, &w, WAIT_NO_DEADLINE,
					   true);
	s->cleanup_intr = rt_mutex_cleanup_proxy_lock(&s->lock, &w);
	WRITE_ONCE(current->signal_pending, false);
	return 0;
}

static int owned_conductor(void *arg)
{
	struct owned *s = arg;
	struct ktest *t = s->t;
	struct thread *o, *w;

	o = spawn(t, owned_owner, s, "rtmp-O", 10);
	if (!o)
		return 0;
	KTEST_EXPECT_TRUE(t, WAIT_FOR(parked(o)));
	rt_mutex_init_proxy_locked(&s->lock, o);
	KTEST_EXPECT_PTR_EQ(t, rt_mutex_owner(&s->lock), o);

	w = spawn(t, owned_waiter, s, "rtmp-W", 30);
	if (w) {
		/* Timed wait: O runs at W's priority meanwhile. */
		KTEST_EXPECT_TRUE(t, WAIT_FOR(READ_ONCE(w->pi_blocked_on) &&
					      sleeping(w)));
		KTEST_EXPECT_EQ(t, sched_effective_prio(o), 30);
		/* Then the untimed one, which a signal ends. */
		KTEST_EXPECT_TRUE(t, WAIT_FOR(READ_ONCE(s->cleanup_timed) ||
					      READ_ONCE(s->timed) != 0));
		KTEST_EXPECT_TRUE(t, WAIT_FOR(READ_ONCE(w->pi_blocked_on) &&
					      sleeping(w)));
		KTEST_EXPECT_EQ(t, sched_effective_prio(o), 30);
		WRITE_ONCE(w->signal_pending, true);
		wake_up_state(w, THREAD_INTERRUPTIBLE);
		join(w);
	}
	KTEST_EXPECT_EQ(t, s->start, 0);
	KTEST_EXPECT_EQ(t, s->timed, -ETIMEDOUT);
	KTEST_EXPECT_FALSE(t, s->cleanup_timed);
	KTEST_EXPECT_EQ(t, s->intr, -EINTR);
	KTEST_EXPECT_FALSE(t, s->cleanup_intr);
	KTEST_EXPECT_EQ(t, sched_effective_prio(o), 10);
	KTEST_EXPECT_PTR_EQ(t, rt_mutex_owner(&s->lock), o);
	KTEST_EXPECT_FALSE(t, rt_mutex_has_waiters(&s->lock));
	rt_mutex_proxy_unlock(&s->lock);
	KTEST_EXPECT_FALSE(t, rt_mutex_is_locked(&s->lock));
	release(&s->o_go, o);
	join(o);
	return 0;
}

static void test_proxy_owned(struct ktest *t)
{
	struct owned s = { .t = t };

	rt_mutex_init(&s.lock);
	join(spawn(t, owned_conductor, &s, "rtmp-cond", PRIO_CONDUCTOR));
}

/* ---- 2. a waiter queued by another thread; the commit hook --------------- */

struct handoff {
	struct ktest *t;
	struct rt_mutex lock;
	struct rt_mutex_waiter cw;      /* C's, queued by the conductor */
	bool o_go, c_go;                /* [a] */
	int refuse_ret, unlock_ret, c_ret;
	struct thread *committed[2];    /* what each commit call was shown */
	int commits;
	bool c_owned;
};

static int refuse(struct thread *next, void *arg)
{
	struct handoff *s = arg;

	s->committed[s->commits++ & 1] = next;
	return -EAGAIN;
}

static int accept(struct thread *next, void *arg)
{
	struct handoff *s = arg;

	s->committed[s->commits++ & 1] = next;
	return 0;
}

static int handoff_owner(void *arg)
{
	struct handoff *s = arg;

	park_until(&s->o_go);
	s->refuse_ret = rt_mutex_futex_unlock(&s->lock, refuse, s);
	s->unlock_ret = rt_mutex_futex_unlock(&s->lock, accept, s);
	return 0;
}

static int handoff_child(void *arg)
{
	struct handoff *s = arg;

	park_until(&s->c_go);
	s->c_ret = rt_mutex_wait_proxy_lock(&s->lock, &s->cw,
					    WAIT_NO_DEADLINE, false);
	s->c_owned = rt_mutex_owner(&s->lock) == current;
	if (!s->c_ret)
		rt_mutex_futex_unlock(&s->lock, accept, s);
	return 0;
}

static int handoff_conductor(void *arg)
{
	struct handoff *s = arg;
	struct ktest *t = s->t;
	struct thread *o, *c, *cc;

	o = spawn(t, handoff_owner, s, "rtmp-O", 10);
	c = cc = spawn(t, handoff_child, s, "rtmp-C", 20);
	if (!o || !c)
		goto out;
	KTEST_EXPECT_TRUE(t, WAIT_FOR(parked(o) && parked(c)));
	rt_mutex_init_proxy_locked(&s->lock, o);
	/* Queue C, parked elsewhere: it lends O its priority at once. */
	KTEST_EXPECT_EQ(t, rt_mutex_start_proxy_lock(&s->lock, &s->cw, c), 0);
	KTEST_EXPECT_EQ(t, sched_effective_prio(o), 20);
	KTEST_EXPECT_PTR_EQ(t, rt_mutex_top_waiter_thread(&s->lock), c);
	release(&s->c_go, c);
	KTEST_EXPECT_TRUE(t, WAIT_FOR(sleeping(c)));
	/* O refuses once (lock unchanged), then hands over to C. */
	release(&s->o_go, o);
	join(o);
	o = NULL;
	join(c);
	c = NULL;
	KTEST_EXPECT_EQ(t, s->refuse_ret, -EAGAIN);
	KTEST_EXPECT_EQ(t, s->unlock_ret, 0);
	KTEST_EXPECT_EQ(t, s->c_ret, 0);
	KTEST_EXPECT_TRUE(t, s->c_owned);
	KTEST_EXPECT_EQ(t, s->commits, 3);
	KTEST_EXPECT_PTR_EQ(t, s->committed[0], NULL);  /* C's own unlock */
	KTEST_EXPECT_PTR_EQ(t, s->committed[1], cc);    /* O's, to C */
	KTEST_EXPECT_FALSE(t, rt_mutex_is_locked(&s->lock));
out:
	if (o)
		release(&s->o_go, o);
	if (c)
		release(&s->c_go, c);
	join(o);
	join(c);
	return 0;
}

static void test_proxy_handoff(struct ktest *t)
{
	struct handoff s = { .t = t };

	rt_mutex_init(&s.lock);
	join(spawn(t, handoff_conductor, &s, "rtmp-cond", PRIO_CONDUCTOR));
}

/* ---- 3. a free lock, and queueing the owner ------------------------------ */

static void test_proxy_free_and_deadlock(struct ktest *t)
{
	struct rt_mutex lock;
	struct rt_mutex_waiter w;

	rt_mutex_init(&lock);
	KTEST_EXPECT_EQ(t, rt_mutex_start_proxy_lock(&lock, &w, current), 1);
	KTEST_EXPECT_PTR_EQ(t, rt_mutex_owner(&lock), current);
	/* Already its owner: it would wait for itself. */
	KTEST_EXPECT_EQ(t, rt_mutex_start_proxy_lock(&lock, &w, current),
			-EDEADLK);
	KTEST_EXPECT_FALSE(t, rt_mutex_has_waiters(&lock));
	/* A wait for a lock already owned returns at once. */
	KTEST_EXPECT_EQ(t, rt_mutex_wait_proxy_lock(&lock, &w, 1, true), 0);
	KTEST_EXPECT_PTR_EQ(t, rt_mutex_top_waiter_thread(&lock), NULL);
	rt_mutex_proxy_unlock(&lock);
	KTEST_EXPECT_FALSE(t, rt_mutex_is_locked(&lock));
	/* The plain API still works on it afterwards. */
	KTEST_EXPECT_EQ(t, rt_mutex_trylock(&lock), 1);
	rt_mutex_unlock(&lock);
}

static struct ktest_case rtmutex_proxy_cases[] = {
	KTEST_CASE(test_proxy_free_and_deadlock),
	KTEST_CASE(test_proxy_owned),
	KTEST_CASE(test_proxy_handoff),
	{}
};
KTEST_SUITE(rtmutex_proxy, rtmutex_proxy_cases);
