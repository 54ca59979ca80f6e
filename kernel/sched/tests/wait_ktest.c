/*
 * ktests for wait queues (suite "wait") and completions ("completion").
 *
 * Waiter threads are spread over the online CPUs. Before a wake-up is
 * issued the test waits (bounded) until every waiter is queued and
 * asleep, so "exactly N woke" counts real wake-ups, not threads that had
 * not gone to sleep yet; after it, a settling delay gives wrongly woken
 * threads time to show up in the count. A pending signal is simulated the
 * way signal delivery will do it: set t->signal_pending, then
 * wake_up_state(t, THREAD_INTERRUPTIBLE).
 */
#include <keel/completion.h>
#include <keel/err.h>
#include <keel/errno.h>
#include <keel/ktest.h>
#include <keel/ktest_thread.h>
#include <keel/sched.h>
#include <keel/smp.h>
#include <keel/time.h>
#include <keel/wait.h>

#define SETTLE_NS    (20 * NSEC_PER_MSEC)
#define MAX_WAITERS  8

/* ---- helpers ------------------------------------------------------------ */

static unsigned int wq_len(struct wait_queue_head *wq)
{
	unsigned long flags = spin_lock_irqsave(&wq->lock);
	unsigned int n = list_count(&wq->head);

	spin_unlock_irqrestore(&wq->lock, flags);
	return n;
}

static int atomic_get(int *p)
{
	return __atomic_load_n(p, __ATOMIC_SEQ_CST);
}

static void atomic_inc(int *p)
{
	__atomic_add_fetch(p, 1, __ATOMIC_SEQ_CST);
}

/* Wait (up to 2 s) until *@p reaches @want; then let it settle. */
static int count_settled(int *p, int want)
{
	int i;

	for (i = 0; i < 2000 && atomic_get(p) < want; i++)
		sleep_ns(NSEC_PER_MSEC);
	sleep_ns(SETTLE_NS);
	return atomic_get(p);
}

static void join_all(struct ktest *t, struct thread **th, int n)
{
	int i;

	for (i = 0; i < n; i++)
		if (th[i])
			KTEST_EXPECT_EQ(t, kthread_join(th[i]), 0);
}

/* ---- wait queues -------------------------------------------------------- */

struct wq_test {
	struct wait_queue_head wq;
	int go;                 /* the condition */
	int woken;              /* [atomic] waiters that returned */
	int result;             /* the interruptible waiter's return */
};

static int wait_plain(void *arg)
{
	struct wq_test *w = arg;

	wait_event(&w->wq, READ_ONCE(w->go));
	atomic_inc(&w->woken);
	return 0;
}

static int wait_excl(void *arg)
{
	struct wq_test *w = arg;

	wait_event_exclusive(&w->wq, READ_ONCE(w->go));
	atomic_inc(&w->woken);
	return 0;
}

static int wait_intr(void *arg)
{
	struct wq_test *w = arg;

	WRITE_ONCE(w->result, wait_event_interruptible(&w->wq,
						       READ_ONCE(w->go)));
	atomic_inc(&w->woken);
	return 0;
}

static void wq_test_init(struct wq_test *w)
{
	init_waitqueue_head(&w->wq);
	w->go = 0;
	w->woken = 0;
	w->result = 1;
}

/*
 * Start @n_plain non-exclusive then @n_excl exclusive waiters and wait
 * until all are queued and asleep. Return: threads started.
 */
static int start_waiters(struct ktest *t, struct wq_test *w,
			 struct thread **th, int n_plain, int n_excl)
{
	int i, n = 0;

	for (i = 0; i < n_plain + n_excl; i++) {
		th[n] = ktest_spawn_on(i < n_plain ? wait_plain : wait_excl, w,
				 "wq_waiter", i);
		KTEST_EXPECT_NOT_NULL(t, th[n]);
		n += th[n] != NULL;
	}
	for (i = 0; i < n; i++)
		KTEST_EXPECT_TRUE(t, ktest_wait_asleep(th[i],
						 THREAD_UNINTERRUPTIBLE));
	KTEST_EXPECT_EQ(t, wq_len(&w->wq), n);
	return n;
}

/* Release everyone still waiting and join. */
static void finish_waiters(struct ktest *t, struct wq_test *w,
			   struct thread **th, int n)
{
	WRITE_ONCE(w->go, 1);
	wake_up_all(&w->wq);
	join_all(t, th, n);
	KTEST_EXPECT_EQ(t, atomic_get(&w->woken), n);
	KTEST_EXPECT_EQ(t, wq_len(&w->wq), 0);
}

static void test_exclusive_wakes_one(struct ktest *t)
{
	struct thread *th[MAX_WAITERS];
	struct wq_test w;
	int n;

	wq_test_init(&w);
	n = start_waiters(t, &w, th, 0, 3);
	WRITE_ONCE(w.go, 1);
	wake_up(&w.wq);
	KTEST_EXPECT_EQ(t, count_settled(&w.woken, 1), 1);
	KTEST_EXPECT_EQ(t, wq_len(&w.wq), 2);
	wake_up(&w.wq);
	KTEST_EXPECT_EQ(t, count_settled(&w.woken, 2), 2);
	finish_waiters(t, &w, th, n);
}

static void test_wake_up_nr(struct ktest *t)
{
	struct thread *th[MAX_WAITERS];
	struct wq_test w;
	int n;

	wq_test_init(&w);
	n = start_waiters(t, &w, th, 0, 5);
	WRITE_ONCE(w.go, 1);
	wake_up_nr(&w.wq, 3);
	KTEST_EXPECT_EQ(t, count_settled(&w.woken, 3), 3);
	KTEST_EXPECT_EQ(t, wq_len(&w.wq), 2);
	finish_waiters(t, &w, th, n);
}

/* wake_up() reaches every non-exclusive waiter but one exclusive one. */
static void test_wake_up_mixed(struct ktest *t)
{
	struct thread *th[MAX_WAITERS];
	struct wq_test w;
	int n;

	wq_test_init(&w);
	n = start_waiters(t, &w, th, 3, 2);
	WRITE_ONCE(w.go, 1);
	wake_up(&w.wq);
	KTEST_EXPECT_EQ(t, count_settled(&w.woken, 4), 4);
	KTEST_EXPECT_EQ(t, wq_len(&w.wq), 1);
	finish_waiters(t, &w, th, n);
}

static void test_wake_up_all(struct ktest *t)
{
	struct thread *th[MAX_WAITERS];
	struct wq_test w;
	int n;

	wq_test_init(&w);
	n = start_waiters(t, &w, th, 2, 4);
	WRITE_ONCE(w.go, 1);
	wake_up_all(&w.wq);
	KTEST_EXPECT_EQ(t, count_settled(&w.woken, 6), 6);
	KTEST_EXPECT_EQ(t, wq_len(&w.wq), 0);
	join_all(t, th, n);
}

/* A wake-up with the condition still false puts the waiter back. */
static void test_false_wakeup_sleeps_again(struct ktest *t)
{
	struct thread *th[MAX_WAITERS];
	struct wq_test w;
	int n, i;

	wq_test_init(&w);
	n = start_waiters(t, &w, th, 1, 1);
	wake_up_all(&w.wq);
	sleep_ns(SETTLE_NS);
	KTEST_EXPECT_EQ(t, atomic_get(&w.woken), 0);
	for (i = 0; i < n; i++)
		KTEST_EXPECT_TRUE(t, ktest_wait_asleep(th[i],
						 THREAD_UNINTERRUPTIBLE));
	KTEST_EXPECT_EQ(t, wq_len(&w.wq), n);
	finish_waiters(t, &w, th, n);
}

/* A true condition returns at once: evaluated once, queue untouched. */
static void test_condition_true_no_sleep(struct ktest *t)
{
	struct wait_queue_head wq;
	int evals = 0;
	long r;

	init_waitqueue_head(&wq);
	wait_event(&wq, (++evals, true));
	KTEST_EXPECT_EQ(t, evals, 1);
	r = wait_event_timeout(&wq, (++evals, true), 5 * NSEC_PER_SEC);
	KTEST_EXPECT_EQ(t, r, 5 * NSEC_PER_SEC);
	KTEST_EXPECT_EQ(t, evals, 2);
	/* A pending signal does not fail a wait whose condition holds. */
	WRITE_ONCE(current->signal_pending, true);
	KTEST_EXPECT_EQ(t, wait_event_interruptible(&wq, true), 0);
	r = wait_event_interruptible_timeout(&wq, true, 0);
	WRITE_ONCE(current->signal_pending, false);
	KTEST_EXPECT_EQ(t, r, 1);
	KTEST_EXPECT_EQ(t, wq_len(&wq), 0);
	KTEST_EXPECT_EQ(t, READ_ONCE(current->state), THREAD_RUNNING);
}

static void test_timeout_returns_zero(struct ktest *t)
{
	struct wait_queue_head wq;
	int never = 0;
	u64 start, took;
	long r;

	init_waitqueue_head(&wq);
	start = clock_monotonic_ns();
	r = wait_event_timeout(&wq, READ_ONCE(never), 20 * NSEC_PER_MSEC);
	took = clock_monotonic_ns() - start;
	KTEST_EXPECT_EQ(t, r, 0);
	KTEST_EXPECT_GE(t, took, 20 * NSEC_PER_MSEC);
	KTEST_EXPECT_LT(t, took, NSEC_PER_SEC);
	KTEST_EXPECT_EQ(t, wq_len(&wq), 0);
	KTEST_EXPECT_EQ(t, READ_ONCE(current->state), THREAD_RUNNING);
	/*
	 * A zero timeout with a false condition does not sleep at all. The
	 * bound is loose on purpose: a virtual CPU may be off the host's
	 * CPUs for a few ms at any time.
	 */
	start = clock_monotonic_ns();
	KTEST_EXPECT_EQ(t, wait_event_timeout(&wq, READ_ONCE(never), 0), 0);
	KTEST_EXPECT_LT(t, clock_monotonic_ns() - start, 50 * NSEC_PER_MSEC);
	KTEST_EXPECT_EQ(t, wq_len(&wq), 0);
}

struct delayed_go {
	struct wait_queue_head *wq;
	int *flag;
	u64 delay;
};

static int set_later(void *arg)
{
	struct delayed_go *d = arg;

	sleep_ns(d->delay);
	WRITE_ONCE(*d->flag, 1);
	wake_up(d->wq);
	return 0;
}

/* Woken before the deadline: the time left comes back, at least 1. */
static void test_timeout_returns_time_left(struct ktest *t)
{
	struct wait_queue_head wq;
	int flag = 0;
	struct delayed_go d = { &wq, &flag, 10 * NSEC_PER_MSEC };
	struct thread *th;
	u64 start, wstart, took, waited;
	long r;

	init_waitqueue_head(&wq);
	/* Before the spawn: the setter may start its 10 ms at once. */
	start = clock_monotonic_ns();
	th = ktest_spawn_on(set_later, &d, "set_later", 1);
	KTEST_ASSERT_NOT_NULL(t, th);
	wstart = clock_monotonic_ns();
	r = wait_event_timeout(&wq, READ_ONCE(flag), 2 * NSEC_PER_SEC);
	took = clock_monotonic_ns() - start;
	waited = clock_monotonic_ns() - wstart;
	KTEST_EXPECT_EQ(t, kthread_join(th), 0);
	KTEST_EXPECT_GT(t, r, 0);
	/*
	 * What is left is the timeout less the time spent inside the wait,
	 * which is at most the time measured around it (the other way, a
	 * delay before or after the call, is not bounded on a busy host).
	 */
	KTEST_EXPECT_LE(t, r, 2 * NSEC_PER_SEC);
	KTEST_EXPECT_GE(t, r, (long)(2 * NSEC_PER_SEC - waited));
	KTEST_EXPECT_GE(t, took, 10 * NSEC_PER_MSEC);
	KTEST_EXPECT_LT(t, took, NSEC_PER_SEC);
}

/* A signal wakes an interruptible sleeper, which returns -EINTR. */
static void test_interruptible_eintr(struct ktest *t)
{
	struct thread *th;
	struct wq_test w;

	wq_test_init(&w);
	th = ktest_spawn_on(wait_intr, &w, "wq_intr", 1);
	KTEST_ASSERT_NOT_NULL(t, th);
	KTEST_EXPECT_TRUE(t, ktest_wait_asleep(th, THREAD_INTERRUPTIBLE));
	/* Only the state named is woken. */
	KTEST_EXPECT_FALSE(t, wake_up_state(th, THREAD_UNINTERRUPTIBLE));
	WRITE_ONCE(th->signal_pending, true);
	KTEST_EXPECT_TRUE(t, wake_up_state(th, THREAD_INTERRUPTIBLE));
	KTEST_EXPECT_EQ(t, kthread_join(th), 0);
	KTEST_EXPECT_EQ(t, w.result, -EINTR);
	KTEST_EXPECT_EQ(t, wq_len(&w.wq), 0);
}

/* With a signal already pending, interruptible waits do not sleep. */
static void test_signal_pending_before_wait(struct ktest *t)
{
	struct wait_queue_head wq;
	int never = 0;
	u64 start;
	long r;

	init_waitqueue_head(&wq);
	WRITE_ONCE(current->signal_pending, true);
	start = clock_monotonic_ns();
	KTEST_EXPECT_EQ(t, wait_event_interruptible(&wq, READ_ONCE(never)),
			-EINTR);
	r = wait_event_interruptible_timeout(&wq, READ_ONCE(never),
					     NSEC_PER_SEC);
	KTEST_EXPECT_EQ(t, r, -EINTR);
	KTEST_EXPECT_LT(t, clock_monotonic_ns() - start, 500 * NSEC_PER_MSEC);
	/* An uninterruptible wait ignores the signal and times out. */
	start = clock_monotonic_ns();
	r = wait_event_timeout(&wq, READ_ONCE(never), 10 * NSEC_PER_MSEC);
	KTEST_EXPECT_EQ(t, r, 0);
	KTEST_EXPECT_GE(t, clock_monotonic_ns() - start, 10 * NSEC_PER_MSEC);
	WRITE_ONCE(current->signal_pending, false);
	KTEST_EXPECT_EQ(t, wq_len(&wq), 0);
	KTEST_EXPECT_EQ(t, READ_ONCE(current->state), THREAD_RUNNING);
}

/* An uninterruptible sleeper is not woken by a signal. */
static void test_uninterruptible_ignores_signal(struct ktest *t)
{
	struct thread *th[MAX_WAITERS];
	struct wq_test w;
	int n;

	wq_test_init(&w);
	n = start_waiters(t, &w, th, 1, 0);
	KTEST_ASSERT_EQ(t, n, 1);
	WRITE_ONCE(th[0]->signal_pending, true);
	KTEST_EXPECT_FALSE(t, wake_up_state(th[0], THREAD_INTERRUPTIBLE));
	sleep_ns(SETTLE_NS);
	KTEST_EXPECT_EQ(t, READ_ONCE(th[0]->state), THREAD_UNINTERRUPTIBLE);
	KTEST_EXPECT_EQ(t, atomic_get(&w.woken), 0);
	finish_waiters(t, &w, th, n);
}

struct timer_wake {
	struct timer timer;
	struct wait_queue_head wq;
	int flag;
};

static void timer_wake_fn(struct timer *tm)
{
	struct timer_wake *tw = container_of(tm, struct timer_wake, timer);

	WRITE_ONCE(tw->flag, 1);
	wake_up(&tw->wq);
}

/* Wake-ups from interrupt context (a timer callback). */
static void test_wake_from_timer(struct ktest *t)
{
	struct timer_wake tw;
	u64 start = clock_monotonic_ns(), took;
	long r;

	init_waitqueue_head(&tw.wq);
	tw.flag = 0;
	timer_init_struct(&tw.timer, timer_wake_fn);
	timer_add(&tw.timer, start + 10 * NSEC_PER_MSEC);
	r = wait_event_timeout(&tw.wq, READ_ONCE(tw.flag), 2 * NSEC_PER_SEC);
	took = clock_monotonic_ns() - start;
	timer_cancel_sync(&tw.timer);
	KTEST_EXPECT_GT(t, r, 0);
	KTEST_EXPECT_GE(t, took, 10 * NSEC_PER_MSEC);
	KTEST_EXPECT_LT(t, took, NSEC_PER_SEC);
}

/* The open-coded loop: prepare_to_wait / schedule / finish_wait. */
static void test_prepare_finish_loop(struct ktest *t)
{
	struct wait_queue_head wq;
	int flag = 0, sleeps = 0;
	struct delayed_go d = { &wq, &flag, 10 * NSEC_PER_MSEC };
	struct thread *th;
	DEFINE_WAIT(we);

	init_waitqueue_head(&wq);
	th = ktest_spawn_on(set_later, &d, "set_later", 1);
	KTEST_ASSERT_NOT_NULL(t, th);
	for (;;) {
		prepare_to_wait(&wq, &we, THREAD_UNINTERRUPTIBLE);
		KTEST_EXPECT_EQ(t, wq_len(&wq), 1);
		if (READ_ONCE(flag))
			break;
		schedule();
		sleeps++;
	}
	finish_wait(&wq, &we);
	KTEST_EXPECT_EQ(t, kthread_join(th), 0);
	KTEST_EXPECT_GE(t, sleeps, 1);
	KTEST_EXPECT_TRUE(t, list_empty(&we.entry));
	KTEST_EXPECT_EQ(t, wq_len(&wq), 0);
	KTEST_EXPECT_EQ(t, READ_ONCE(current->state), THREAD_RUNNING);
}

static struct ktest_case wait_cases[] = {
	KTEST_CASE(test_exclusive_wakes_one),
	KTEST_CASE(test_wake_up_nr),
	KTEST_CASE(test_wake_up_mixed),
	KTEST_CASE(test_wake_up_all),
	KTEST_CASE(test_false_wakeup_sleeps_again),
	KTEST_CASE(test_condition_true_no_sleep),
	KTEST_CASE(test_timeout_returns_zero),
	KTEST_CASE(test_timeout_returns_time_left),
	KTEST_CASE(test_interruptible_eintr),
	KTEST_CASE(test_signal_pending_before_wait),
	KTEST_CASE(test_uninterruptible_ignores_signal),
	KTEST_CASE(test_wake_from_timer),
	KTEST_CASE(test_prepare_finish_loop),
	{}
};
KTEST_SUITE(wait, wait_cases);

/* ---- completions -------------------------------------------------------- */

struct comp_test {
	struct completion c;
	int returned;           /* [atomic] waiters that returned */
	int result;             /* the interruptible waiter's return */
};

static int comp_waiter(void *arg)
{
	struct comp_test *ct = arg;

	wait_for_completion(&ct->c);
	atomic_inc(&ct->returned);
	return 0;
}

static int comp_waiter_intr(void *arg)
{
	struct comp_test *ct = arg;

	WRITE_ONCE(ct->result, wait_for_completion_interruptible(&ct->c));
	atomic_inc(&ct->returned);
	return 0;
}

static int start_comp_waiters(struct ktest *t, struct comp_test *ct,
			      struct thread **th, int n)
{
	int i, started = 0;

	for (i = 0; i < n; i++) {
		th[started] = ktest_spawn_on(comp_waiter, ct, "comp_waiter", i);
		KTEST_EXPECT_NOT_NULL(t, th[started]);
		started += th[started] != NULL;
	}
	for (i = 0; i < started; i++)
		KTEST_EXPECT_TRUE(t, ktest_wait_asleep(th[i],
						 THREAD_UNINTERRUPTIBLE));
	return started;
}

static void test_complete_before_wait(struct ktest *t)
{
	struct completion c;

	init_completion(&c);
	KTEST_EXPECT_FALSE(t, completion_done(&c));
	complete(&c);
	KTEST_EXPECT_TRUE(t, completion_done(&c));
	/* Already done: no sleep, the whole timeout is left. */
	KTEST_EXPECT_EQ(t, wait_for_completion_timeout(&c, NSEC_PER_SEC),
			NSEC_PER_SEC);
	KTEST_EXPECT_FALSE(t, completion_done(&c));
	KTEST_EXPECT_FALSE(t, try_wait_for_completion(&c));
}

/* Each complete() is one wait's worth; they accumulate. */
static void test_complete_counts(struct ktest *t)
{
	struct completion c;

	init_completion(&c);
	complete(&c);
	complete(&c);
	KTEST_EXPECT_TRUE(t, try_wait_for_completion(&c));
	KTEST_EXPECT_TRUE(t, try_wait_for_completion(&c));
	KTEST_EXPECT_FALSE(t, try_wait_for_completion(&c));
	complete(&c);
	wait_for_completion(&c);
	KTEST_EXPECT_FALSE(t, completion_done(&c));
}

/* One complete() releases exactly one of several sleeping waiters. */
static void test_complete_wakes_one(struct ktest *t)
{
	struct thread *th[MAX_WAITERS];
	struct comp_test ct = { .returned = 0 };
	int n, i;

	init_completion(&ct.c);
	n = start_comp_waiters(t, &ct, th, 4);
	complete(&ct.c);
	KTEST_EXPECT_EQ(t, count_settled(&ct.returned, 1), 1);
	complete(&ct.c);
	KTEST_EXPECT_EQ(t, count_settled(&ct.returned, 2), 2);
	for (i = 2; i < n; i++)
		complete(&ct.c);
	join_all(t, th, n);
	KTEST_EXPECT_EQ(t, atomic_get(&ct.returned), n);
	KTEST_EXPECT_FALSE(t, completion_done(&ct.c));
}

static void test_complete_all(struct ktest *t)
{
	struct thread *th[MAX_WAITERS];
	struct comp_test ct = { .returned = 0 };
	int n;

	init_completion(&ct.c);
	n = start_comp_waiters(t, &ct, th, 5);
	complete_all(&ct.c);
	KTEST_EXPECT_EQ(t, count_settled(&ct.returned, n), n);
	join_all(t, th, n);
	/* It stays done: later waits and trylocks pass without consuming. */
	KTEST_EXPECT_TRUE(t, completion_done(&ct.c));
	wait_for_completion(&ct.c);
	KTEST_EXPECT_TRUE(t, try_wait_for_completion(&ct.c));
	KTEST_EXPECT_TRUE(t, completion_done(&ct.c));
	reinit_completion(&ct.c);
	KTEST_EXPECT_FALSE(t, completion_done(&ct.c));
	KTEST_EXPECT_FALSE(t, try_wait_for_completion(&ct.c));
}

static int complete_later(void *arg)
{
	struct completion *c = arg;

	sleep_ns(10 * NSEC_PER_MSEC);
	complete(c);
	return 0;
}

static void test_completion_timeout(struct ktest *t)
{
	struct completion c;
	struct thread *th;
	u64 start, took;
	long r;

	init_completion(&c);
	start = clock_monotonic_ns();
	r = wait_for_completion_timeout(&c, 20 * NSEC_PER_MSEC);
	took = clock_monotonic_ns() - start;
	KTEST_EXPECT_EQ(t, r, 0);
	KTEST_EXPECT_GE(t, took, 20 * NSEC_PER_MSEC);
	KTEST_EXPECT_LT(t, took, NSEC_PER_SEC);
	KTEST_EXPECT_EQ(t, wq_len(&c.wait), 0);

	th = ktest_spawn_on(complete_later, &c, "complete_later", 1);
	KTEST_ASSERT_NOT_NULL(t, th);
	start = clock_monotonic_ns();
	r = wait_for_completion_timeout(&c, 2 * NSEC_PER_SEC);
	took = clock_monotonic_ns() - start;
	KTEST_EXPECT_EQ(t, kthread_join(th), 0);
	KTEST_EXPECT_GT(t, r, 0);
	KTEST_EXPECT_LT(t, took, NSEC_PER_SEC);
	KTEST_EXPECT_FALSE(t, completion_done(&c));
}

/* An interrupted waiter consumes nothing: a later complete() remains. */
static void test_completion_interruptible(struct ktest *t)
{
	struct comp_test ct = { .returned = 0, .result = 1 };
	struct thread *th;
	long r;

	init_completion(&ct.c);
	th = ktest_spawn_on(comp_waiter_intr, &ct, "comp_intr", 1);
	KTEST_ASSERT_NOT_NULL(t, th);
	KTEST_EXPECT_TRUE(t, ktest_wait_asleep(th, THREAD_INTERRUPTIBLE));
	WRITE_ONCE(th->signal_pending, true);
	KTEST_EXPECT_TRUE(t, wake_up_state(th, THREAD_INTERRUPTIBLE));
	KTEST_EXPECT_EQ(t, kthread_join(th), 0);
	KTEST_EXPECT_EQ(t, ct.result, -EINTR);
	KTEST_EXPECT_EQ(t, wq_len(&ct.c.wait), 0);
	complete(&ct.c);
	KTEST_EXPECT_TRUE(t, try_wait_for_completion(&ct.c));

	/* Signal already pending: no sleep; done wins over the signal. */
	WRITE_ONCE(current->signal_pending, true);
	r = wait_for_completion_interruptible_timeout(&ct.c, NSEC_PER_SEC);
	KTEST_EXPECT_EQ(t, r, -EINTR);
	complete(&ct.c);
	KTEST_EXPECT_EQ(t, wait_for_completion_interruptible(&ct.c), 0);
	WRITE_ONCE(current->signal_pending, false);
	KTEST_EXPECT_FALSE(t, completion_done(&ct.c));
}

static struct ktest_case completion_cases[] = {
	KTEST_CASE(test_complete_before_wait),
	KTEST_CASE(test_complete_counts),
	KTEST_CASE(test_complete_wakes_one),
	KTEST_CASE(test_complete_all),
	KTEST_CASE(test_completion_timeout),
	KTEST_CASE(test_completion_interruptible),
	{}
};
KTEST_SUITE(completion, completion_cases);
