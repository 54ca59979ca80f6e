/*
 * ktests for rt_mutex and priority inheritance.
 *
 * Scenarios that need a deterministic order run on one CPU (the last
 * online one) under a conductor thread, SCHED_FIFO 90 and pinned there
 * like every thread of the scenario: it starts the actors one by one,
 * sleeps (short polls) while they run, and checks priorities only when
 * the actors are all blocked or parked at a gate, so on -smp 1 and -smp N
 * alike every check sees a settled state. The ktest thread itself just
 * waits for the conductor; the conductor joins every thread it made.
 * The stress cases run everywhere at mixed priorities.
 */
#include <keel/arch.h>
#include <keel/err.h>
#include <keel/errno.h>
#include <keel/ktest.h>
#include <keel/ktest_thread.h>
#include <keel/lockdep.h>
#include <keel/printk.h>
#include <keel/rtmutex.h>
#include <keel/sched.h>
#include <keel/smp.h>
#include <keel/string.h>
#include <keel/time.h>

#define KTAP_DIAG "    # "

#define PRIO_CONDUCTOR 90
#define POLL_NS        (50 * NSEC_PER_USEC)
#define WAIT_CAP_NS    (2000 * NSEC_PER_MSEC)

/* ---- scenario helpers --------------------------------------------------- */

static unsigned int scene_cpu(void)
{
	return num_online_cpus() - 1;
}

static void busy_ns(u64 ns)
{
	u64 end = clock_monotonic_ns() + ns;

	while (clock_monotonic_ns() < end)
		arch_cpu_relax();
}

/* Poll @cond, sleeping between tries, for at most WAIT_CAP_NS. */
#define WAIT_FOR(cond)                                                     \
	({                                                                 \
		u64 __end = clock_monotonic_ns() + WAIT_CAP_NS;            \
		bool __ok;                                                 \
		while (!(__ok = (cond)) && clock_monotonic_ns() < __end)   \
			sleep_ns(POLL_NS);                                 \
		__ok;                                                      \
	})

/* @th sleeps in an rt_mutex lock call, its chain walk done. */
static bool blocked_on_lock(struct thread *th)
{
	return READ_ONCE(th->pi_blocked_on) &&
	       READ_ONCE(th->state) != THREAD_RUNNING;
}

/* A gate: an actor parks at it (holding its locks) until opened. */
struct gate {
	bool open;      /* [a] */
	bool waiting;   /* [a] the actor has reached it */
};

static void gate_wait(struct gate *g)
{
	WRITE_ONCE(g->waiting, true);
	for (;;) {
		set_current_state(THREAD_UNINTERRUPTIBLE);
		if (READ_ONCE(g->open))
			break;
		schedule();
	}
	__set_current_state(THREAD_RUNNING);
}

static bool at_gate(struct gate *g, struct thread *th)
{
	return READ_ONCE(g->waiting) &&
	       READ_ONCE(th->state) == THREAD_UNINTERRUPTIBLE;
}

static void gate_open(struct gate *g, struct thread *th)
{
	WRITE_ONCE(g->open, true);
	if (th)
		wake_up_thread(th);
}

/*
 * Create @fn(@arg) at @policy/@prio, pinned to @cpu (any CPU if < 0), and
 * start it. Return: the thread, or NULL (a failure is recorded).
 */
static struct thread *spawn(struct ktest *t, int (*fn)(void *), void *arg,
			    const char *name, int policy, int prio, int cpu)
{
	struct thread *th = kthread_create(fn, arg, name);
	struct cpumask m;

	if (IS_ERR(th)) {
		KTEST_EXPECT_FALSE(t, IS_ERR(th));
		return NULL;
	}
	KTEST_EXPECT_EQ(t, sched_setscheduler(th, policy, prio), 0);
	if (cpu >= 0) {
		cpumask_clear(&m);
		cpumask_set_cpu((unsigned int)cpu, &m);
		KTEST_EXPECT_EQ(t, sched_setaffinity(th, &m), 0);
	}
	thread_start(th);
	return th;
}

#define SPAWN_FIFO(t, fn, arg, name, prio) \
	spawn(t, fn, arg, name, SCHED_FIFO, prio, (int)scene_cpu())

static int join(struct thread *th)
{
	return th ? kthread_join(th) : 0;
}

/* Run @conductor(@arg) as the scenario's conductor and wait for it. */
static void run_scene(struct ktest *t, int (*conductor)(void *), void *arg)
{
	struct thread *c = spawn(t, conductor, arg, "rtm-conductor",
				 SCHED_FIFO, PRIO_CONDUCTOR, (int)scene_cpu());

	join(c);
}

static int rank_next(int *seq)
{
	return __atomic_fetch_add(seq, 1, __ATOMIC_SEQ_CST);
}

/* ---- 1. priority inversion ---------------------------------------------- */

struct inversion {
	struct ktest *t;
	struct rt_mutex lock;
	int seq;                /* [a] completion order */
	bool h_started;         /* [a] */
	int l_ret, h_ret;
	int l_rank, m_rank, h_rank;
	int l_prio_waited;      /* L's priority just before it unlocks */
	int l_prio_after;       /* and after */
};

static int inv_low(void *arg)
{
	struct inversion *s = arg;
	u64 cap = clock_monotonic_ns() + 1000 * NSEC_PER_MSEC;

	s->l_ret = rt_mutex_lock(&s->lock);
	if (s->l_ret)
		return 0;
	/* Work until H waits, then a few ms more, never yielding. */
	while (!READ_ONCE(s->h_started) && clock_monotonic_ns() < cap)
		arch_cpu_relax();
	busy_ns(3 * NSEC_PER_MSEC);
	s->l_prio_waited = sched_effective_prio(current);
	rt_mutex_unlock(&s->lock);
	s->l_prio_after = sched_effective_prio(current);
	s->l_rank = rank_next(&s->seq);
	return 0;
}

static int inv_mid(void *arg)
{
	struct inversion *s = arg;

	busy_ns(10 * NSEC_PER_MSEC);
	s->m_rank = rank_next(&s->seq);
	return 0;
}

static int inv_high(void *arg)
{
	struct inversion *s = arg;

	WRITE_ONCE(s->h_started, true);
	s->h_ret = rt_mutex_lock(&s->lock);
	if (!s->h_ret)
		rt_mutex_unlock(&s->lock);
	s->h_rank = rank_next(&s->seq);
	return 0;
}

static int inv_conductor(void *arg)
{
	struct inversion *s = arg;
	struct thread *l, *m = NULL, *h = NULL;

	l = SPAWN_FIFO(s->t, inv_low, s, "rtm-L", 10);
	if (!l)
		return 0;
	KTEST_EXPECT_TRUE(s->t, WAIT_FOR(rt_mutex_owner(&s->lock) == l));
	/* Neither runs before we sleep in join: we are more important. */
	m = SPAWN_FIFO(s->t, inv_mid, s, "rtm-M", 20);
	h = SPAWN_FIFO(s->t, inv_high, s, "rtm-H", 30);
	join(h);
	join(m);
	join(l);
	return 0;
}

/*
 * L (10) holds the lock, H (30) blocks on it, M (20) is CPU-bound, all on
 * one CPU: H must finish before M, because L runs at 30 while H waits.
 */
static void test_priority_inversion(struct ktest *t)
{
	struct inversion s = { .t = t, .l_rank = -1, .m_rank = -1,
			       .h_rank = -1 };

	rt_mutex_init(&s.lock);
	run_scene(t, inv_conductor, &s);
	KTEST_EXPECT_EQ(t, s.l_ret, 0);
	KTEST_EXPECT_EQ(t, s.h_ret, 0);
	KTEST_EXPECT_EQ(t, s.l_prio_waited, 30);
	KTEST_EXPECT_EQ(t, s.l_prio_after, 10);
	KTEST_EXPECT_LT(t, s.h_rank, s.m_rank);
	KTEST_EXPECT_EQ(t, s.h_rank, 0);
	KTEST_EXPECT_EQ(t, s.m_rank, 1);
	KTEST_EXPECT_EQ(t, s.l_rank, 2);
	KTEST_EXPECT_FALSE(t, rt_mutex_is_locked(&s.lock));
}

/* ---- 2. a transitive chain ---------------------------------------------- */

struct chain {
	struct ktest *t;
	struct rt_mutex m1, m2;
	struct gate gate_b, gate_c;
	int a_ret, b_ret1, b_ret2, c_ret;
	int b_prio_mid;         /* B after unlocking M2, still holding M1 */
	int b_prio_after, c_prio_after;
};

static int chain_c(void *arg)
{
	struct chain *s = arg;

	s->c_ret = rt_mutex_lock(&s->m2);
	gate_wait(&s->gate_c);
	if (!s->c_ret)
		rt_mutex_unlock(&s->m2);
	s->c_prio_after = sched_effective_prio(current);
	return 0;
}

static int chain_b(void *arg)
{
	struct chain *s = arg;

	s->b_ret1 = rt_mutex_lock(&s->m1);
	s->b_ret2 = rt_mutex_lock(&s->m2);
	gate_wait(&s->gate_b);
	if (!s->b_ret2)
		rt_mutex_unlock(&s->m2);
	s->b_prio_mid = sched_effective_prio(current);
	if (!s->b_ret1)
		rt_mutex_unlock(&s->m1);
	s->b_prio_after = sched_effective_prio(current);
	return 0;
}

static int chain_a(void *arg)
{
	struct chain *s = arg;

	s->a_ret = rt_mutex_lock(&s->m1);
	if (!s->a_ret)
		rt_mutex_unlock(&s->m1);
	return 0;
}

static int chain_conductor(void *arg)
{
	struct chain *s = arg;
	struct ktest *t = s->t;
	struct thread *a = NULL, *b = NULL, *c;

	c = SPAWN_FIFO(t, chain_c, s, "rtm-C", 10);
	if (!c || !WAIT_FOR(at_gate(&s->gate_c, c)))
		goto out;
	b = SPAWN_FIFO(t, chain_b, s, "rtm-B", 15);
	if (!b || !WAIT_FOR(blocked_on_lock(b)))
		goto out;
	KTEST_EXPECT_EQ(t, sched_effective_prio(c), 15);
	a = SPAWN_FIFO(t, chain_a, s, "rtm-A", 40);
	if (!a || !WAIT_FOR(blocked_on_lock(a)))
		goto out;
	/* A lends 40 to B, and through B to C. */
	KTEST_EXPECT_EQ(t, sched_effective_prio(c), 40);
	KTEST_EXPECT_EQ(t, sched_effective_prio(b), 40);
	KTEST_EXPECT_EQ(t, sched_effective_prio(a), 40);

	gate_open(&s->gate_c, c);
	join(c);
	c = NULL;
	KTEST_EXPECT_EQ(t, s->c_prio_after, 10);
	if (!WAIT_FOR(at_gate(&s->gate_b, b)))
		goto out;
	KTEST_EXPECT_PTR_EQ(t, rt_mutex_owner(&s->m2), b);
	KTEST_EXPECT_EQ(t, sched_effective_prio(b), 40);
out:
	gate_open(&s->gate_c, c);
	gate_open(&s->gate_b, b);
	join(c);
	join(b);
	join(a);
	return 0;
}

/*
 * C (10) holds M2; B (15) holds M1 and waits for M2; A (40) waits for M1:
 * both B and C run at 40; each drops back as it lets go.
 */
static void test_transitive_chain(struct ktest *t)
{
	struct chain s = { .t = t };

	rt_mutex_init(&s.m1);
	rt_mutex_init(&s.m2);
	run_scene(t, chain_conductor, &s);
	KTEST_EXPECT_EQ(t, s.a_ret, 0);
	KTEST_EXPECT_EQ(t, s.b_ret1, 0);
	KTEST_EXPECT_EQ(t, s.b_ret2, 0);
	KTEST_EXPECT_EQ(t, s.c_ret, 0);
	KTEST_EXPECT_EQ(t, s.b_prio_mid, 40);   /* A still waits for M1 */
	KTEST_EXPECT_EQ(t, s.b_prio_after, 15);
	KTEST_EXPECT_FALSE(t, rt_mutex_is_locked(&s.m1));
	KTEST_EXPECT_FALSE(t, rt_mutex_is_locked(&s.m2));
}

/* ---- 3. a SCHED_NORMAL owner -------------------------------------------- */

struct normal_owner {
	struct ktest *t;
	struct rt_mutex lock;
	struct gate gate;
	int n_ret, h_ret;
	int n_prio_after;
	bool n_rt_after;
};

static int normal_n(void *arg)
{
	struct normal_owner *s = arg;

	s->n_ret = rt_mutex_lock(&s->lock);
	gate_wait(&s->gate);
	if (!s->n_ret)
		rt_mutex_unlock(&s->lock);
	s->n_prio_after = sched_effective_prio(current);
	s->n_rt_after = READ_ONCE(current->rt_class);
	return 0;
}

static int normal_h(void *arg)
{
	struct normal_owner *s = arg;

	s->h_ret = rt_mutex_lock(&s->lock);
	if (!s->h_ret)
		rt_mutex_unlock(&s->lock);
	return 0;
}

static int normal_conductor(void *arg)
{
	struct normal_owner *s = arg;
	struct ktest *t = s->t;
	struct thread *n, *h = NULL;

	n = spawn(t, normal_n, s, "rtm-N", SCHED_NORMAL, 0, (int)scene_cpu());
	if (!n || !WAIT_FOR(at_gate(&s->gate, n)))
		goto out;
	KTEST_EXPECT_EQ(t, sched_effective_prio(n), 0);
	h = SPAWN_FIFO(t, normal_h, s, "rtm-H", 50);
	if (!h || !WAIT_FOR(blocked_on_lock(h)))
		goto out;
	KTEST_EXPECT_EQ(t, sched_effective_prio(n), 50);
	KTEST_EXPECT_TRUE(t, READ_ONCE(n->rt_class));
	KTEST_EXPECT_EQ(t, READ_ONCE(n->policy), SCHED_NORMAL);
out:
	gate_open(&s->gate, n);
	join(n);
	join(h);
	return 0;
}

/* A fair owner runs in the RT class while an RT thread waits, then not. */
static void test_normal_owner_boosted(struct ktest *t)
{
	struct normal_owner s = { .t = t, .n_prio_after = -1,
				  .n_rt_after = true };

	rt_mutex_init(&s.lock);
	run_scene(t, normal_conductor, &s);
	KTEST_EXPECT_EQ(t, s.n_ret, 0);
	KTEST_EXPECT_EQ(t, s.h_ret, 0);
	KTEST_EXPECT_EQ(t, s.n_prio_after, 0);
	KTEST_EXPECT_FALSE(t, s.n_rt_after);
}

/* ---- 4. waiters served in priority order -------------------------------- */

#define NR_ORDER 8

struct order {
	struct ktest *t;
	struct rt_mutex lock;
	int seq;                   /* [a] */
	int rank[NR_ORDER];
	int ret[NR_ORDER];
	struct actor {
		struct order *s;
		int i;
	} actor[NR_ORDER];
};

/* Started in this order; 0 is SCHED_NORMAL. */
static const int order_prio[NR_ORDER] = { 10, 30, 0, 20, 30, 0, 20, 5 };
/* So they must get the lock in this order (index into order_prio). */
static const int order_expect[NR_ORDER] = { 1, 4, 3, 6, 0, 7, 2, 5 };

static int order_waiter(void *arg)
{
	struct actor *a = arg;
	struct order *s = a->s;
	int i = a->i;

	s->ret[i] = rt_mutex_lock(&s->lock);
	s->rank[i] = rank_next(&s->seq);
	if (!s->ret[i])
		rt_mutex_unlock(&s->lock);
	return 0;
}

static int order_conductor(void *arg)
{
	struct order *s = arg;
	struct ktest *t = s->t;
	struct thread *w[NR_ORDER] = { NULL };
	int i;

	KTEST_EXPECT_EQ(t, rt_mutex_lock(&s->lock), 0);
	for (i = 0; i < NR_ORDER; i++) {
		s->actor[i] = (struct actor){ .s = s, .i = i };
		w[i] = spawn(t, order_waiter, &s->actor[i], "rtm-waiter",
			     order_prio[i] ? SCHED_FIFO : SCHED_NORMAL,
			     order_prio[i], (int)scene_cpu());
		/* Blocked before the next starts: that fixes FIFO order. */
		if (w[i])
			KTEST_EXPECT_TRUE(t, WAIT_FOR(blocked_on_lock(w[i])));
	}
	/* We are at 90: nobody lends us anything. */
	KTEST_EXPECT_EQ(t, sched_effective_prio(current), PRIO_CONDUCTOR);
	rt_mutex_unlock(&s->lock);
	for (i = 0; i < NR_ORDER; i++)
		join(w[i]);
	return 0;
}

static void test_priority_order(struct ktest *t)
{
	struct order s = { .t = t };
	int i;

	rt_mutex_init(&s.lock);
	run_scene(t, order_conductor, &s);
	for (i = 0; i < NR_ORDER; i++) {
		KTEST_EXPECT_EQ(t, s.ret[order_expect[i]], 0);
		KTEST_EXPECT_EQ(t, s.rank[order_expect[i]], i);
	}
	KTEST_EXPECT_FALSE(t, rt_mutex_is_locked(&s.lock));
}

/* ---- pending owners ----------------------------------------------------- */

struct steal {
	struct ktest *t;
	struct rt_mutex lock;
	struct thread *w;
	int seq;                /* [a] */
	int w_ret, h_ret;
	int w_rank, h_rank;
	bool h_saw_requeued;    /* while H held it, W waited again */
	int h_prio_held;
};

static int steal_w(void *arg)
{
	struct steal *s = arg;

	s->w_ret = rt_mutex_lock(&s->lock);
	s->w_rank = rank_next(&s->seq);
	if (!s->w_ret)
		rt_mutex_unlock(&s->lock);
	return 0;
}

static int steal_h(void *arg)
{
	struct steal *s = arg;

	s->h_ret = rt_mutex_lock(&s->lock);
	s->h_rank = rank_next(&s->seq);
	s->h_saw_requeued = rt_mutex_has_waiters(&s->lock) &&
			    READ_ONCE(s->w->pi_blocked_on);
	s->h_prio_held = sched_effective_prio(current);
	if (!s->h_ret)
		rt_mutex_unlock(&s->lock);
	return 0;
}

/* Hold the lock, let W (@w_prio) queue, unlock: W is the pending owner. */
static struct thread *steal_setup(struct steal *s, int w_prio)
{
	struct ktest *t = s->t;

	KTEST_EXPECT_EQ(t, rt_mutex_lock(&s->lock), 0);
	s->w = SPAWN_FIFO(t, steal_w, s, "rtm-W", w_prio);
	if (s->w)
		KTEST_EXPECT_TRUE(t, WAIT_FOR(blocked_on_lock(s->w)));
	rt_mutex_unlock(&s->lock);
	/* W cannot run before us: it is pending, not yet the owner. */
	KTEST_EXPECT_PTR_EQ(t, rt_mutex_owner(&s->lock), s->w);
	KTEST_EXPECT_UEQ(t, READ_ONCE(s->lock.owner) & RT_MUTEX_PENDING,
			 RT_MUTEX_PENDING);
	return s->w;
}

static int steal_conductor(void *arg)
{
	struct steal *s = arg;
	struct ktest *t = s->t;
	struct thread *w, *h = NULL;

	w = steal_setup(s, 10);
	if (!w)
		return 0;
	/* We (90) outrank W (10): a trylock takes it, W waits again. */
	KTEST_EXPECT_EQ(t, rt_mutex_trylock(&s->lock), 1);
	KTEST_EXPECT_PTR_EQ(t, rt_mutex_owner(&s->lock), current);
	KTEST_EXPECT_TRUE(t, rt_mutex_has_waiters(&s->lock));
	KTEST_EXPECT_NOT_NULL(t, READ_ONCE(w->pi_blocked_on));
	KTEST_EXPECT_EQ(t, sched_effective_prio(w), 10);
	rt_mutex_unlock(&s->lock);
	KTEST_EXPECT_PTR_EQ(t, rt_mutex_owner(&s->lock), w);
	/* H (50) runs before W and takes the lock from it too. */
	h = SPAWN_FIFO(t, steal_h, s, "rtm-H", 50);
	join(h);
	join(w);
	return 0;
}

/* A thread that outranks a pending owner takes the lock first. */
static void test_pending_owner_outranked(struct ktest *t)
{
	struct steal s = { .t = t, .w_rank = -1, .h_rank = -1 };

	rt_mutex_init(&s.lock);
	run_scene(t, steal_conductor, &s);
	KTEST_EXPECT_EQ(t, s.h_ret, 0);
	KTEST_EXPECT_EQ(t, s.w_ret, 0);
	KTEST_EXPECT_EQ(t, s.h_rank, 0);
	KTEST_EXPECT_EQ(t, s.w_rank, 1);
	KTEST_EXPECT_TRUE(t, s.h_saw_requeued);
	KTEST_EXPECT_EQ(t, s.h_prio_held, 50);
	KTEST_EXPECT_FALSE(t, rt_mutex_is_locked(&s.lock));
}

static int no_steal_conductor(void *arg)
{
	struct steal *s = arg;
	struct ktest *t = s->t;
	struct thread *w;

	/* W at our own priority: FIFO, it does not preempt us. */
	w = steal_setup(s, PRIO_CONDUCTOR);
	if (!w)
		return 0;
	KTEST_EXPECT_EQ(t, rt_mutex_trylock(&s->lock), 0);
	KTEST_EXPECT_PTR_EQ(t, rt_mutex_owner(&s->lock), w);
	KTEST_EXPECT_FALSE(t, rt_mutex_has_waiters(&s->lock));
	join(w);
	KTEST_EXPECT_EQ(t, rt_mutex_trylock(&s->lock), 1);
	rt_mutex_unlock(&s->lock);
	return 0;
}

/* An equal priority does not take the lock from a pending owner. */
static void test_pending_owner_equal(struct ktest *t)
{
	struct steal s = { .t = t, .w_rank = -1 };

	rt_mutex_init(&s.lock);
	run_scene(t, no_steal_conductor, &s);
	KTEST_EXPECT_EQ(t, s.w_ret, 0);
	KTEST_EXPECT_EQ(t, s.w_rank, 0);
	KTEST_EXPECT_FALSE(t, rt_mutex_is_locked(&s.lock));
}

/* ---- 5. timeouts and signals -------------------------------------------- */

struct leave {
	struct ktest *t;
	struct rt_mutex m1, m2;
	struct gate gate_o, gate_p;
	int o_ret, o_ret2, p_ret;
	int ret[4];
	u64 took[4];
	unsigned int held[4];   /* sleeping locks held after the call */
};

/* O holds M1 until its gate opens. */
static int leave_o(void *arg)
{
	struct leave *s = arg;

	s->o_ret = rt_mutex_lock(&s->m1);
	gate_wait(&s->gate_o);
	if (!s->o_ret)
		rt_mutex_unlock(&s->m1);
	return 0;
}

static int leave_timed_20ms(void *arg)
{
	struct leave *s = arg;
	u64 start = clock_monotonic_ns();

	s->ret[0] = rt_mutex_timed_lock(&s->m1, 20 * NSEC_PER_MSEC);
	s->took[0] = clock_monotonic_ns() - start;
	s->held[0] = lockdep_held_sleep_count();
	if (!s->ret[0])
		rt_mutex_unlock(&s->m1);
	return 0;
}

static int leave_timed_long(void *arg)
{
	struct leave *s = arg;
	u64 start = clock_monotonic_ns();

	s->ret[1] = rt_mutex_timed_lock(&s->m1, 5000 * NSEC_PER_MSEC);
	s->took[1] = clock_monotonic_ns() - start;
	if (!s->ret[1])
		rt_mutex_unlock(&s->m1);
	return 0;
}

static int leave_interruptible(void *arg)
{
	struct leave *s = arg;

	s->ret[2] = rt_mutex_lock_interruptible(&s->m1);
	s->held[2] = lockdep_held_sleep_count();
	if (!s->ret[2])
		rt_mutex_unlock(&s->m1);
	return 0;
}

static int leave_uninterruptible(void *arg)
{
	struct leave *s = arg;

	s->ret[3] = rt_mutex_lock(&s->m1);
	if (!s->ret[3])
		rt_mutex_unlock(&s->m1);
	return 0;
}

static void signal_thread(struct thread *th)
{
	WRITE_ONCE(th->signal_pending, true);
	wake_up_state(th, THREAD_INTERRUPTIBLE);
}

static int leave_conductor(void *arg)
{
	struct leave *s = arg;
	struct ktest *t = s->t;
	struct thread *o, *w = NULL, *u = NULL;

	o = SPAWN_FIFO(t, leave_o, s, "rtm-O", 10);
	if (!o || !WAIT_FOR(at_gate(&s->gate_o, o)))
		goto out;

	/* A timed wait boosts the owner, times out, and unboosts it. */
	w = SPAWN_FIFO(t, leave_timed_20ms, s, "rtm-timed", 40);
	if (!w || !WAIT_FOR(blocked_on_lock(w)))
		goto out;
	KTEST_EXPECT_EQ(t, sched_effective_prio(o), 40);
	join(w);
	w = NULL;
	KTEST_EXPECT_EQ(t, s->ret[0], -ETIMEDOUT);
	KTEST_EXPECT_GE(t, s->took[0], 20 * NSEC_PER_MSEC);
	KTEST_EXPECT_EQ(t, s->held[0], 0);
	KTEST_EXPECT_EQ(t, sched_effective_prio(o), 10);
	KTEST_EXPECT_FALSE(t, rt_mutex_has_waiters(&s->m1));
	/* No waiter left, so the owner's fast unlock works again. */
	KTEST_EXPECT_UEQ(t, READ_ONCE(s->m1.owner), (unsigned long)o);

	/* A signal ends an interruptible wait, and unboosts the owner. */
	w = SPAWN_FIFO(t, leave_interruptible, s, "rtm-intr", 35);
	if (!w || !WAIT_FOR(blocked_on_lock(w)))
		goto out;
	KTEST_EXPECT_EQ(t, sched_effective_prio(o), 35);
	signal_thread(w);
	join(w);
	w = NULL;
	KTEST_EXPECT_EQ(t, s->ret[2], -EINTR);
	KTEST_EXPECT_EQ(t, s->held[2], 0);
	KTEST_EXPECT_EQ(t, sched_effective_prio(o), 10);

	/* A zero timeout on a held lock: at once, and nothing left lent. */
	KTEST_EXPECT_EQ(t, rt_mutex_timed_lock(&s->m1, 0), -ETIMEDOUT);
	KTEST_EXPECT_EQ(t, sched_effective_prio(o), 10);
	KTEST_EXPECT_FALSE(t, rt_mutex_has_waiters(&s->m1));

	/* ...but not an uninterruptible one. */
	u = SPAWN_FIFO(t, leave_uninterruptible, s, "rtm-unintr", 30);
	if (!u || !WAIT_FOR(blocked_on_lock(u)))
		goto out;
	signal_thread(u);
	sleep_ns(2 * NSEC_PER_MSEC);
	KTEST_EXPECT_TRUE(t, blocked_on_lock(u));
	KTEST_EXPECT_EQ(t, sched_effective_prio(o), 30);

	/* A timed wait that the owner ends in time gets the lock. */
	w = SPAWN_FIFO(t, leave_timed_long, s, "rtm-timed2", 40);
	if (!w || !WAIT_FOR(blocked_on_lock(w)))
		goto out;
	KTEST_EXPECT_EQ(t, sched_effective_prio(o), 40);
out:
	gate_open(&s->gate_o, o);
	join(o);
	join(w);
	join(u);
	KTEST_EXPECT_EQ(t, s->ret[1], 0);
	KTEST_EXPECT_LT(t, s->took[1], 5000 * NSEC_PER_MSEC);
	KTEST_EXPECT_EQ(t, s->ret[3], 0);
	return 0;
}

static void test_timeout_and_signal(struct ktest *t)
{
	struct leave s = { .t = t, .ret = { 1, 1, 1, 1 } };

	rt_mutex_init(&s.m1);
	run_scene(t, leave_conductor, &s);
	KTEST_EXPECT_EQ(t, s.o_ret, 0);
	KTEST_EXPECT_FALSE(t, rt_mutex_is_locked(&s.m1));
}

/* P holds M2 until its gate opens. */
static int leave_p(void *arg)
{
	struct leave *s = arg;

	s->p_ret = rt_mutex_lock(&s->m2);
	gate_wait(&s->gate_p);
	if (!s->p_ret)
		rt_mutex_unlock(&s->m2);
	return 0;
}

/* O holds M1 and waits for M2. */
static int leave_o_chained(void *arg)
{
	struct leave *s = arg;

	s->o_ret = rt_mutex_lock(&s->m1);
	s->o_ret2 = rt_mutex_lock(&s->m2);
	if (!s->o_ret2)
		rt_mutex_unlock(&s->m2);
	if (!s->o_ret)
		rt_mutex_unlock(&s->m1);
	return 0;
}

static int leave_chain_conductor(void *arg)
{
	struct leave *s = arg;
	struct ktest *t = s->t;
	struct thread *p, *o = NULL, *w = NULL;

	p = SPAWN_FIFO(t, leave_p, s, "rtm-P", 5);
	if (!p || !WAIT_FOR(at_gate(&s->gate_p, p)))
		goto out;
	o = SPAWN_FIFO(t, leave_o_chained, s, "rtm-O", 10);
	if (!o || !WAIT_FOR(blocked_on_lock(o)))
		goto out;
	KTEST_EXPECT_EQ(t, sched_effective_prio(p), 10);
	w = SPAWN_FIFO(t, leave_timed_20ms, s, "rtm-timed", 40);
	if (!w || !WAIT_FOR(blocked_on_lock(w)))
		goto out;
	KTEST_EXPECT_EQ(t, sched_effective_prio(o), 40);
	KTEST_EXPECT_EQ(t, sched_effective_prio(p), 40);
	join(w);
	w = NULL;
	KTEST_EXPECT_EQ(t, s->ret[0], -ETIMEDOUT);
	/* Leaving unwinds the whole chain. */
	KTEST_EXPECT_EQ(t, sched_effective_prio(o), 10);
	KTEST_EXPECT_EQ(t, sched_effective_prio(p), 10);
out:
	gate_open(&s->gate_p, p);
	join(p);
	join(o);
	join(w);
	return 0;
}

/* A waiter that times out unboosts every owner down the chain. */
static void test_timeout_unwinds_chain(struct ktest *t)
{
	struct leave s = { .t = t, .ret = { 1, 1, 1, 1 } };

	rt_mutex_init(&s.m1);
	rt_mutex_init(&s.m2);
	run_scene(t, leave_chain_conductor, &s);
	KTEST_EXPECT_EQ(t, s.o_ret, 0);
	KTEST_EXPECT_EQ(t, s.o_ret2, 0);
	KTEST_EXPECT_EQ(t, s.p_ret, 0);
	KTEST_EXPECT_FALSE(t, rt_mutex_is_locked(&s.m1));
	KTEST_EXPECT_FALSE(t, rt_mutex_is_locked(&s.m2));
}

/* ---- rt_mutex_adjust_pi ------------------------------------------------- */

struct adjust {
	struct ktest *t;
	struct rt_mutex lock;
	struct gate gate;
	int seq;                /* [a] */
	int o_ret, w_ret, x_ret;
	int w_rank, x_rank;
};

static int adjust_o(void *arg)
{
	struct adjust *s = arg;

	s->o_ret = rt_mutex_lock(&s->lock);
	gate_wait(&s->gate);
	if (!s->o_ret)
		rt_mutex_unlock(&s->lock);
	return 0;
}

static int adjust_w(void *arg)
{
	struct adjust *s = arg;

	s->w_ret = rt_mutex_lock(&s->lock);
	s->w_rank = rank_next(&s->seq);
	if (!s->w_ret)
		rt_mutex_unlock(&s->lock);
	return 0;
}

static int adjust_x(void *arg)
{
	struct adjust *s = arg;

	s->x_ret = rt_mutex_lock(&s->lock);
	s->x_rank = rank_next(&s->seq);
	if (!s->x_ret)
		rt_mutex_unlock(&s->lock);
	return 0;
}

static int adjust_conductor(void *arg)
{
	struct adjust *s = arg;
	struct ktest *t = s->t;
	struct thread *o, *w = NULL, *x = NULL;

	o = SPAWN_FIFO(t, adjust_o, s, "rtm-O", 5);
	if (!o || !WAIT_FOR(at_gate(&s->gate, o)))
		goto out;
	w = SPAWN_FIFO(t, adjust_w, s, "rtm-W", 10);
	if (!w || !WAIT_FOR(blocked_on_lock(w)))
		goto out;
	x = SPAWN_FIFO(t, adjust_x, s, "rtm-X", 30);
	if (!x || !WAIT_FOR(blocked_on_lock(x)))
		goto out;
	KTEST_EXPECT_EQ(t, sched_effective_prio(o), 30);
	/* W, a waiter, is raised above X: it moves ahead, O follows. */
	KTEST_EXPECT_EQ(t, sched_setscheduler(w, SCHED_FIFO, 60), 0);
	rt_mutex_adjust_pi(w);
	KTEST_EXPECT_EQ(t, sched_effective_prio(o), 60);
	KTEST_EXPECT_EQ(t, sched_setscheduler(w, SCHED_FIFO, 40), 0);
	rt_mutex_adjust_pi(w);
	KTEST_EXPECT_EQ(t, sched_effective_prio(o), 40);
out:
	gate_open(&s->gate, o);
	join(o);
	join(w);
	join(x);
	return 0;
}

/* A waiter whose own priority changes is re-sorted and re-lent. */
static void test_adjust_pi(struct ktest *t)
{
	struct adjust s = { .t = t, .w_rank = -1, .x_rank = -1 };

	rt_mutex_init(&s.lock);
	run_scene(t, adjust_conductor, &s);
	KTEST_EXPECT_EQ(t, s.o_ret, 0);
	KTEST_EXPECT_EQ(t, s.w_ret, 0);
	KTEST_EXPECT_EQ(t, s.x_ret, 0);
	KTEST_EXPECT_EQ(t, s.w_rank, 0);
	KTEST_EXPECT_EQ(t, s.x_rank, 1);
}

/* ---- 6. trylock, misuse and deadlocks ----------------------------------- */

static int try_other(void *arg)
{
	struct rt_mutex *lock = arg;
	int got = rt_mutex_trylock(lock);

	if (got)
		rt_mutex_unlock(lock);
	return got;
}

static int unlock_other(void *arg)
{
	rt_mutex_unlock(arg);
	return 0;
}

static DEFINE_RT_MUTEX(static_lock);

static void test_trylock(struct ktest *t)
{
	struct rt_mutex lock;
	struct thread *th;

	rt_mutex_init(&lock);
	KTEST_EXPECT_FALSE(t, rt_mutex_is_locked(&lock));
	KTEST_EXPECT_NULL(t, rt_mutex_owner(&lock));
	KTEST_ASSERT_EQ(t, rt_mutex_trylock(&lock), 1);
	KTEST_EXPECT_TRUE(t, rt_mutex_is_locked(&lock));
	KTEST_EXPECT_PTR_EQ(t, rt_mutex_owner(&lock), current);
	/* Not recursive, for the owner either. */
	KTEST_EXPECT_EQ(t, rt_mutex_trylock(&lock), 0);
	th = kthread_run(try_other, &lock, "rtm-try");
	KTEST_ASSERT_FALSE(t, IS_ERR(th));
	KTEST_EXPECT_EQ(t, kthread_join(th), 0);
	rt_mutex_unlock(&lock);
	KTEST_EXPECT_FALSE(t, rt_mutex_is_locked(&lock));
	th = kthread_run(try_other, &lock, "rtm-try");
	KTEST_ASSERT_FALSE(t, IS_ERR(th));
	KTEST_EXPECT_EQ(t, kthread_join(th), 1);
	KTEST_EXPECT_FALSE(t, rt_mutex_is_locked(&lock));

	/* A static lock works the same. */
	KTEST_EXPECT_EQ(t, rt_mutex_lock(&static_lock), 0);
	KTEST_EXPECT_PTR_EQ(t, rt_mutex_owner(&static_lock), current);
	rt_mutex_unlock(&static_lock);
	KTEST_EXPECT_EQ(t, rt_mutex_trylock(&static_lock), 1);
	rt_mutex_unlock(&static_lock);
	KTEST_EXPECT_UEQ(t, static_lock.owner, 0);
}

/* Locking a lock one holds, unlocking one held by another: reported. */
static void test_misuse_reported(struct ktest *t)
{
	unsigned int want = ktest_lock_checking() ? 1 : 0;
	unsigned int held = lockdep_held_sleep_count();
	struct rt_mutex lock;
	struct thread *th;
	unsigned long before;

	rt_mutex_init(&lock);
	KTEST_ASSERT_EQ(t, rt_mutex_lock(&lock), 0);
	lockdep_expect_reports(true);
	before = lockdep_reports();
	KTEST_EXPECT_EQ(t, rt_mutex_lock(&lock), -EDEADLK);
	KTEST_EXPECT_EQ(t, rt_mutex_timed_lock(&lock, NSEC_PER_MSEC), -EDEADLK);
	KTEST_EXPECT_UEQ(t, lockdep_reports() - before, 2 * want);
	if (ktest_lock_checking())
		KTEST_EXPECT_EQ(t, lockdep_held_sleep_count(), held + 1);
	before = lockdep_reports();
	th = kthread_run(unlock_other, &lock, "rtm-unlock");
	if (!IS_ERR(th))
		kthread_join(th);
	KTEST_EXPECT_UEQ(t, lockdep_reports() - before, want);
	lockdep_expect_reports(false);
	/* Still ours, the fast path usable. */
	KTEST_EXPECT_PTR_EQ(t, rt_mutex_owner(&lock), current);
	KTEST_EXPECT_UEQ(t, READ_ONCE(lock.owner), (unsigned long)current);
	rt_mutex_unlock(&lock);
	KTEST_EXPECT_FALSE(t, rt_mutex_is_locked(&lock));
	KTEST_EXPECT_EQ(t, lockdep_held_sleep_count(), held);
}

struct abba {
	struct ktest *t;
	struct rt_mutex m1, m2;
	struct gate gate_b;
	int a_ret1, a_ret2, b_ret2, b_ret1;
	bool b_tried;           /* [a] */
	int b_prio_after_try;   /* B after its -EDEADLK, still holding M2 */
	int b_prio_end;
	bool b_holds_m1;
	unsigned long order_reports;    /* per inversion of sleeping locks */
};

/*
 * How many reports does taking two sleeping locks in both orders give:
 * 1 if the checker orders sleeping locks, else 0. Context: expected
 * reports on.
 */
static unsigned long probe_order_reports(struct ktest *t)
{
	unsigned long before = lockdep_reports();
	struct rt_mutex x, y;

	rt_mutex_init(&x);
	rt_mutex_init(&y);
	KTEST_EXPECT_EQ(t, rt_mutex_lock(&x), 0);
	KTEST_EXPECT_EQ(t, rt_mutex_lock(&y), 0);
	rt_mutex_unlock(&y);
	rt_mutex_unlock(&x);
	KTEST_EXPECT_EQ(t, rt_mutex_lock(&y), 0);
	KTEST_EXPECT_EQ(t, rt_mutex_lock(&x), 0);
	rt_mutex_unlock(&x);
	rt_mutex_unlock(&y);
	return lockdep_reports() - before;
}

static int abba_a(void *arg)
{
	struct abba *s = arg;

	s->a_ret1 = rt_mutex_lock(&s->m1);
	s->a_ret2 = rt_mutex_lock(&s->m2);
	if (!s->a_ret2)
		rt_mutex_unlock(&s->m2);
	if (!s->a_ret1)
		rt_mutex_unlock(&s->m1);
	return 0;
}

static int abba_b(void *arg)
{
	struct abba *s = arg;

	s->b_ret2 = rt_mutex_lock(&s->m2);
	gate_wait(&s->gate_b);
	s->b_ret1 = rt_mutex_lock(&s->m1);
	s->b_holds_m1 = rt_mutex_owner(&s->m1) == current;
	s->b_prio_after_try = sched_effective_prio(current);
	WRITE_ONCE(s->b_tried, true);
	if (!s->b_ret1)
		rt_mutex_unlock(&s->m1);
	if (!s->b_ret2)
		rt_mutex_unlock(&s->m2);
	s->b_prio_end = sched_effective_prio(current);
	return 0;
}

static int abba_conductor(void *arg)
{
	struct abba *s = arg;
	struct ktest *t = s->t;
	struct thread *a = NULL, *b;
	unsigned long before;

	b = SPAWN_FIFO(t, abba_b, s, "rtm-B", 10);
	if (!b || !WAIT_FOR(at_gate(&s->gate_b, b)))
		goto out;
	a = SPAWN_FIFO(t, abba_a, s, "rtm-A", 20);
	if (!a || !WAIT_FOR(blocked_on_lock(a)))
		goto out;
	KTEST_EXPECT_EQ(t, sched_effective_prio(b), 20);
	/* B now closes the cycle: B -> M1 (A) -> M2 (B). */
	lockdep_expect_reports(true);
	before = lockdep_reports();
	gate_open(&s->gate_b, b);
	KTEST_EXPECT_TRUE(t, WAIT_FOR(READ_ONCE(s->b_tried)));
	/* The deadlock, and the checker's M2-before-M1 inversion if it
	   orders sleeping locks. */
	KTEST_EXPECT_UEQ(t, lockdep_reports() - before,
			 ktest_lock_checking() ? 1 + s->order_reports : 0);
	lockdep_expect_reports(false);
out:
	gate_open(&s->gate_b, b);
	join(b);
	join(a);
	return 0;
}

/* A holds M1 and waits for M2; B holds M2 and asks for M1: -EDEADLK. */
static void test_deadlock_abba(struct ktest *t)
{
	struct abba s = { .t = t, .b_ret1 = 1, .b_holds_m1 = true };

	rt_mutex_init(&s.m1);
	rt_mutex_init(&s.m2);
	lockdep_expect_reports(true);
	s.order_reports = probe_order_reports(t);
	lockdep_expect_reports(false);
	KTEST_EXPECT_LE(t, s.order_reports, 1);
	run_scene(t, abba_conductor, &s);
	KTEST_EXPECT_EQ(t, s.b_ret2, 0);
	KTEST_EXPECT_EQ(t, s.b_ret1, -EDEADLK);
	KTEST_EXPECT_FALSE(t, s.b_holds_m1);
	/* A still waits for M2, so still lends B its 20. */
	KTEST_EXPECT_EQ(t, s.b_prio_after_try, 20);
	KTEST_EXPECT_EQ(t, s.b_prio_end, 10);
	/* The cycle broken, A gets both in the end. */
	KTEST_EXPECT_EQ(t, s.a_ret1, 0);
	KTEST_EXPECT_EQ(t, s.a_ret2, 0);
	KTEST_EXPECT_FALSE(t, rt_mutex_is_locked(&s.m1));
	KTEST_EXPECT_FALSE(t, rt_mutex_is_locked(&s.m2));
}

/* ---- 7. stress ---------------------------------------------------------- */

/*
 * Rounds are bounded by count and by time: under TCG on a busy host a
 * wake-up on another CPU can take milliseconds, so each thread does at
 * least STRESS_MIN_ROUNDS and stops early once STRESS_BUDGET_NS has
 * passed. The counts stay exact: each thread says how many it did.
 */
#define NR_STRESS          8
#define NR_NESTED          3
#define STRESS_ROUNDS      400
#define STRESS_MIN_ROUNDS  25
#define STRESS_BUDGET_NS   (500 * NSEC_PER_MSEC)

struct stress {
	struct rt_mutex lock[NR_NESTED];
	u64 count[NR_NESTED];   /* [lock[i]], read-modify-written slowly */
	bool nested;
	u64 deadline;
	int errors;             /* [a] lock calls that failed */
	int unclean;            /* [a] threads that ended boosted or linked */
	struct stress_actor {
		struct stress *s;
		unsigned int id;
		int prio;
		unsigned int rounds;    /* done */
	} actor[NR_STRESS];
};

/* The locks round @i of a thread takes (bit k: lock[k]). */
static unsigned int stress_mask(const struct stress *s, unsigned int id,
				unsigned int i)
{
	return s->nested ? (i + id) % 7 + 1 : 1;
}

/* Read, dawdle, write: a lost update shows up as a short count. */
static void stress_bump(u64 *count, unsigned int i)
{
	u64 v = READ_ONCE(*count);

	if (i % 32 == 7)
		sleep_ns(20 * NSEC_PER_USEC);   /* others pile up behind us */
	else
		busy_ns(2 * NSEC_PER_USEC);
	WRITE_ONCE(*count, v + 1);
}

/* Take @lock by one of the four calls; 0 or the error. */
static int stress_take(struct rt_mutex *lock, unsigned int i)
{
	int ret;

	switch (i % 4) {
	case 0:
		return rt_mutex_lock(lock);
	case 1:
		return rt_mutex_trylock(lock) ? 0 : rt_mutex_lock(lock);
	case 2:
		ret = rt_mutex_timed_lock(lock, 5000 * NSEC_PER_MSEC);
		return ret == -ETIMEDOUT ? rt_mutex_lock(lock) : ret;
	default:
		return rt_mutex_lock_interruptible(lock);
	}
}

static int stress_thread(void *arg)
{
	struct stress_actor *a = arg;
	struct stress *s = a->s;
	unsigned int i, k, mask;
	bool clean;

	for (i = 0; i < STRESS_ROUNDS; i++) {
		if (i >= STRESS_MIN_ROUNDS &&
		    clock_monotonic_ns() > s->deadline)
			break;
		/* Nested: a subset of the locks, always in index order. */
		mask = stress_mask(s, a->id, i);
		for (k = 0; k < NR_NESTED; k++) {
			if (!(mask & (1u << k)))
				continue;
			if (stress_take(&s->lock[k], i + k)) {
				__atomic_add_fetch(&s->errors, 1,
						   __ATOMIC_RELAXED);
				mask &= ~(1u << k);
			}
		}
		for (k = 0; k < NR_NESTED; k++)
			if (mask & (1u << k))
				stress_bump(&s->count[k], i + k);
		for (k = NR_NESTED; k-- > 0;)
			if (mask & (1u << k))
				rt_mutex_unlock(&s->lock[k]);
	}
	a->rounds = i;
	/* Holding nothing: nothing lent, nothing linked. */
	clean = sched_effective_prio(current) == a->prio &&
		READ_ONCE(current->boost_prio) == 0 &&
		list_empty(&current->pi_waiters) && !current->pi_blocked_on &&
		lockdep_held_sleep_count() == 0;
	if (!clean)
		__atomic_add_fetch(&s->unclean, 1, __ATOMIC_RELAXED);
	return 0;
}

static void run_stress(struct ktest *t, bool nested)
{
	/* 0: SCHED_NORMAL. Spread round-robin over the CPUs. */
	static const int prios[NR_STRESS] = { 0, 10, 0, 20, 30, 0, 40, 15 };
	static struct stress s;
	struct thread *th[NR_STRESS];
	u64 expect[NR_NESTED] = { 0 };
	u64 start = clock_monotonic_ns();
	unsigned int i, k, n, rounds = 0;

	memset(&s, 0, sizeof(s));
	s.nested = nested;
	s.deadline = start + STRESS_BUDGET_NS;
	/* One init site each: three lock classes, always nested in order. */
	rt_mutex_init(&s.lock[0]);
	rt_mutex_init(&s.lock[1]);
	rt_mutex_init(&s.lock[2]);
	for (i = 0; i < NR_STRESS; i++) {
		s.actor[i] = (struct stress_actor){ .s = &s, .id = i,
						    .prio = prios[i] };
		th[i] = spawn(t, stress_thread, &s.actor[i], "rtm-stress",
			      prios[i] ? SCHED_FIFO : SCHED_NORMAL, prios[i],
			      (int)(i % num_online_cpus()));
	}
	for (i = 0; i < NR_STRESS; i++)
		join(th[i]);
	for (i = 0; i < NR_STRESS; i++) {
		if (!th[i])
			continue;
		rounds += s.actor[i].rounds;
		KTEST_EXPECT_GE(t, s.actor[i].rounds, STRESS_MIN_ROUNDS);
		for (n = 0; n < s.actor[i].rounds; n++) {
			unsigned int mask = stress_mask(&s, i, n);

			for (k = 0; k < NR_NESTED; k++)
				expect[k] += !!(mask & (1u << k));
		}
	}
	KTEST_EXPECT_EQ(t, s.errors, 0);
	KTEST_EXPECT_EQ(t, s.unclean, 0);
	for (k = 0; k < NR_NESTED; k++) {
		KTEST_EXPECT_UEQ(t, s.count[k], expect[k]);
		KTEST_EXPECT_FALSE(t, rt_mutex_is_locked(&s.lock[k]));
		KTEST_EXPECT_FALSE(t, rt_mutex_has_waiters(&s.lock[k]));
		KTEST_EXPECT_UEQ(t, s.lock[k].owner, 0);
	}
	pr_info(KTAP_DIAG "rtmutex_stress%s: %u threads, %u rounds, "
		"increments %llu %llu %llu, %llu ms\n",
		nested ? "_nested" : "", NR_STRESS, rounds, expect[0],
		expect[1], expect[2],
		(clock_monotonic_ns() - start) / NSEC_PER_MSEC);
}

/* Mixed priorities on every CPU, one lock: an exact count, all unboosted. */
static void test_stress(struct ktest *t)
{
	run_stress(t, false);
}

/* The same over three locks taken in order: chains form and unwind. */
static void test_stress_nested(struct ktest *t)
{
	run_stress(t, true);
}

static struct ktest_case rtmutex_cases[] = {
	KTEST_CASE(test_trylock),
	KTEST_CASE(test_priority_inversion),
	KTEST_CASE(test_transitive_chain),
	KTEST_CASE(test_normal_owner_boosted),
	KTEST_CASE(test_priority_order),
	KTEST_CASE(test_pending_owner_outranked),
	KTEST_CASE(test_pending_owner_equal),
	KTEST_CASE(test_timeout_and_signal),
	KTEST_CASE(test_timeout_unwinds_chain),
	KTEST_CASE(test_adjust_pi),
	KTEST_CASE(test_misuse_reported),
	KTEST_CASE(test_deadlock_abba),
	KTEST_CASE(test_stress),
	KTEST_CASE(test_stress_nested),
	{}
};
KTEST_SUITE(rtmutex, rtmutex_cases);
