/*
 * The scheduler core: per-CPU run queues, the switch, wake-ups, preemption,
 * placement and load balancing.
 *
 * Each CPU has a struct rq with a real-time queue (rt.c), a fair queue
 * (fair.c) and its idle thread. The running thread stays queued in its
 * class while it runs (both class cores model it that way); "on_rq" thus
 * means "runnable here", running included. schedule() charges the running
 * thread's CPU time to its class, takes it off the queue if it is going to
 * sleep, and switches to the class cores' pick: the highest RT level's
 * head, else the eligible fair thread with the earliest virtual deadline,
 * else idle.
 *
 * Time slices: after each pick the CPU's slice timer is armed for when the
 * pick should be re-examined (an RR slice ending, the fair thread's
 * request ending with peers waiting); with one runnable thread no timer is
 * armed, so the CPU takes no tick at all. The timer only sets
 * need_resched; the preemption happens on the way out of the interrupt.
 *
 * The switch: the run-queue lock (interrupts off) is held across
 * arch_context_switch() and released by the thread switched to
 * (finish_switch), so whoever takes a run-queue lock sees no switch half
 * done. A thread that is still rq->curr (t->on_cpu) may be about to sleep
 * on its own stack; wake-ups leave it on its CPU, balancing never moves it.
 *
 * Placement: a woken thread goes to its previous CPU if that is idle, else
 * to an idle CPU it may use, else to the least loaded one (the previous
 * CPU on ties). Balancing: a CPU with two or more runnable threads runs a
 * balance timer that pushes queued threads to CPUs with at least two
 * fewer; a CPU about to idle pulls one from the busiest queue.
 *
 * Locking (see docs/locking.md):
 *	rq->lock	[rq] everything in struct rq and the [rq] fields of
 *			the threads whose t->cpu is this CPU. Taken with
 *			interrupts off. Two run-queue locks nest in CPU order
 *			(double_rq_lock). Each run-queue lock is a static lock,
 *			so lockdep gives each its own class and checks that
 *			order. A run-queue lock may be held while taking a
 *			timer-queue lock (timer_add/timer_cancel); never the
 *			reverse (timer callbacks run unlocked).
 *	t->pi_lock	taken before a run-queue lock (rt_mutex boosting).
 */
#include <keel/arch.h>
#include <keel/err.h>
#include <keel/errno.h>
#include <keel/log.h>
#include <keel/panic.h>
#include <keel/printk.h>
#include <keel/rcu.h>
#include <keel/rtmutex.h>
#include <keel/sched.h>
#include <keel/task.h>
#include <keel/smp.h>
#include <keel/sprintf.h>
#include <keel/string.h>
#include <keel/time.h>

/* Balance a CPU with waiting threads this often. */
#define BALANCE_INTERVAL_NS  (4 * NSEC_PER_MSEC)
/* Never arm a slice shorter than this (timer interrupts cost). */
#define MIN_SLICE_NS         (100 * NSEC_PER_USEC)

struct rq {
	struct spinlock lock;
	unsigned int cpu;               /* [I] */
	struct thread *curr;            /* [rq] running (or switching in) */
	struct thread *idle;            /* [I] */
	struct thread *prev;            /* [rq] switched out, for finish */
	struct rt_rq rt;                /* [rq] */
	struct fair_rq fair;            /* [rq] */
	struct list_head queued;        /* [rq] threads on_rq here */
	unsigned int nr_running;        /* [rq], read [a]; idle excluded */
	struct timer slice_timer;       /* [rq], armed by this CPU */
	struct timer balance_timer;     /* [rq], armed by this CPU */
	u64 nr_switches;                /* [rq], read [a] */
	u64 clock;                      /* [rq] when update_curr() last ran */
	bool online;                    /* [a] takes threads */
} __aligned(64);

static struct rq runqueues[NR_CPUS];
static struct thread idle_threads[NR_CPUS];
static bool sched_running;          /* [a] sched_init done */

#define rq_of(cpu) (&runqueues[cpu])

static inline struct rq *this_rq(void)
{
	return rq_of(cpu_id());
}

static inline bool thread_on_cpu(const struct thread *t)
{
	return __atomic_load_n(&t->on_cpu, __ATOMIC_ACQUIRE);
}

/* ---- run-queue locking -------------------------------------------------- */

static void rq_lock(struct rq *rq)
{
	spin_lock(&rq->lock);
}

static void rq_unlock(struct rq *rq)
{
	spin_unlock(&rq->lock);
}

/* Lock the run queue @t is on; it stays there while the lock is held. */
static struct rq *task_rq_lock(struct thread *t, unsigned long *flags)
{
	for (;;) {
		unsigned int cpu = READ_ONCE(t->cpu);
		struct rq *rq = rq_of(cpu);

		*flags = spin_lock_irqsave(&rq->lock);
		if (READ_ONCE(t->cpu) == cpu)
			return rq;
		spin_unlock_irqrestore(&rq->lock, *flags);
	}
}

static void task_rq_unlock(struct rq *rq, unsigned long flags)
{
	spin_unlock_irqrestore(&rq->lock, flags);
}

/* Both locks, lower CPU first. Context: interrupts off. */
static void double_rq_lock(struct rq *a, struct rq *b)
{
	if (a == b) {
		rq_lock(a);
	} else if (a->cpu < b->cpu) {
		rq_lock(a);
		rq_lock(b);
	} else {
		rq_lock(b);
		rq_lock(a);
	}
}

static void double_rq_unlock(struct rq *a, struct rq *b)
{
	if (a != b)
		rq_unlock(b);
	rq_unlock(a);
}

/* ---- classes ------------------------------------------------------------ */

#define ENQ_INITIAL 0x1
#define ENQ_WAKEUP  0x2
#define ENQ_HEAD    0x4

/* Recompute the class of @t from its policy and boost (off-queue only). */
static void thread_update_class(struct thread *t)
{
	int prio = MAX(t->rt_priority, t->boost_prio);

	t->rt_class = prio > 0;
	if (t->rt_class) {
		t->rt.prio = prio;
		t->rt.policy = t->policy == SCHED_RR ? RT_POLICY_RR
						     : RT_POLICY_FIFO;
	}
}

static void enqueue_thread(struct rq *rq, struct thread *t, int flags)
{
	lock_assert_held(&rq->lock);
	/* Queued twice would be run on two CPUs at once: stop right here. */
	KASSERT(!t->on_rq && !t->is_idle && t->cpu == rq->cpu);
	if (t->rt_class) {
		rt_enqueue(&rq->rt, &t->rt, flags & ENQ_HEAD);
	} else {
		int ff = flags & ENQ_INITIAL ? FAIR_ENQ_INITIAL
			 : flags & ENQ_WAKEUP ? FAIR_ENQ_WAKEUP : 0;

		fair_enqueue(&rq->fair, &t->se, ff);
	}
	list_add_tail(&t->rq_link, &rq->queued);
	t->on_rq = true;
	WRITE_ONCE(rq->nr_running, rq->nr_running + 1);
}

static void dequeue_thread(struct rq *rq, struct thread *t, bool sleep)
{
	lock_assert_held(&rq->lock);
	KASSERT(t->on_rq && t->cpu == rq->cpu);
	if (t->rt_class)
		rt_dequeue(&rq->rt, &t->rt);
	else
		fair_dequeue(&rq->fair, &t->se, sleep ? FAIR_DEQ_SLEEP : 0);
	list_del(&t->rq_link);
	t->on_rq = false;
	WRITE_ONCE(rq->nr_running, rq->nr_running - 1);
}

/*
 * Charge the running thread's time since it was last charged.
 * Return: true if its class wants the CPU re-examined (slice over).
 */
static bool update_curr(struct rq *rq)
{
	struct thread *c = rq->curr;
	u64 now = clock_monotonic_ns();
	u64 delta = now > c->exec_start ? now - c->exec_start : 0;

	rq->clock = now;
	c->exec_start = now;
	c->runtime_ns += delta;
	if (c->is_idle || !c->on_rq)
		return false;
	if (c->rt_class)
		return rt_tick(&rq->rt, &c->rt, delta);
	return fair_update_curr(&rq->fair, &c->se, delta) &&
	       rq->fair.nr_running > 1;
}

static struct thread *pick_next(struct rq *rq)
{
	struct rt_entity *re = rt_pick(&rq->rt);
	struct sched_entity *se;

	if (re)
		return container_of(re, struct thread, rt);
	se = fair_pick(&rq->fair);
	if (se)
		return container_of(se, struct thread, se);
	return rq->idle;
}

/* Real ns until the fair @t's request (its virtual deadline) ends. */
static u64 fair_slice_left(const struct thread *t)
{
	s64 v = (s64)(t->se.deadline - t->se.vruntime);

	if (v <= 0)
		return 0;
	return (u64)v * t->se.weight / NICE_0_WEIGHT;
}

static void slice_timer_fn(struct timer *tm)
{
	arch_set_need_resched(true);
}

/*
 * Arm or disarm this CPU's slice timer for the running thread: only when
 * something else could run on this CPU once the slice ends.
 */
static void rq_arm_slice(struct rq *rq)
{
	struct thread *c = rq->curr;
	u64 left = ~0ULL;

	lock_assert_held(&rq->lock);
	if (c->is_idle || !c->on_rq) {
		left = ~0ULL;
	} else if (c->rt_class) {
		/* Only RR peers of the same level can take over. */
		if (c->rt.policy == RT_POLICY_RR && rq->rt.nr_running > 1)
			left = rt_timeslice_left(&c->rt);
	} else if (rq->fair.nr_running > 1) {
		left = fair_slice_left(c);
	}
	if (left == ~0ULL) {
		if (rq->slice_timer.pending)
			timer_cancel(&rq->slice_timer);
		return;
	}
	/*
	 * rq->clock, read by the update_curr() every caller just did: one
	 * clock read per switch instead of three (an MMIO read of the HPET
	 * under an emulator costs microseconds).
	 */
	timer_add(&rq->slice_timer, rq->clock + MAX(left, MIN_SLICE_NS));
}

/*
 * Arm this CPU's balance timer while it has threads waiting. Like
 * rq_arm_slice(), called right after update_curr().
 */
static void rq_arm_balance(struct rq *rq)
{
	lock_assert_held(&rq->lock);
	if (rq->nr_running >= 2 && !rq->balance_timer.pending)
		timer_add(&rq->balance_timer,
			  rq->clock + BALANCE_INTERVAL_NS);
}

/* ---- rescheduling ------------------------------------------------------- */

void resched_cpu(unsigned int cpu)
{
	if (cpu == cpu_id())
		arch_set_need_resched(true);
	else
		smp_send_reschedule(cpu);
}

void sched_resched_ipi(void)
{
	if (READ_ONCE(sched_running))
		arch_set_need_resched(true);
}

/*
 * Does the running @c need its slice timer armed now that @t joined it?
 * rq_arm_slice() arms one only when the running thread has a peer in its
 * class (an RR thread: another RT thread; a fair thread: another fair
 * one), so this is the moment that class's count goes from one to two,
 * whatever else (a lower class) is queued.
 */
static bool slice_needs_arming(struct rq *rq, struct thread *c,
			       struct thread *t)
{
	if (c->rt_class)
		return t->rt_class && c->rt.policy == RT_POLICY_RR &&
		       rq->rt.nr_running == 2;
	return !t->rt_class && rq->fair.nr_running == 2;
}

/*
 * Should the just-enqueued @t run instead of @rq's current thread? Also
 * reschedules when the running thread just got its first peer in its
 * class, so its slice timer gets armed (on its own CPU).
 */
static void check_preempt(struct rq *rq, struct thread *t)
{
	struct thread *c = rq->curr;
	bool preempt;

	if (c->is_idle) {
		preempt = true;
	} else if (t->rt_class) {
		preempt = !c->rt_class || t->rt.prio > c->rt.prio;
	} else if (c->rt_class) {
		preempt = false;
	} else {
		update_curr(rq);
		preempt = fair_pick(&rq->fair) != &c->se;
	}
	/*
	 * A second runnable thread also needs the balance timer, which only
	 * the CPU itself arms (in __schedule): without it a thread queued
	 * behind one that never switches (an RT hog) would wait there for
	 * good while other CPUs idle.
	 */
	if (preempt || slice_needs_arming(rq, c, t) ||
	    (rq->nr_running == 2 && !READ_ONCE(rq->balance_timer.pending)))
		resched_cpu(rq->cpu);
}

/* ---- placement ---------------------------------------------------------- */

static bool rq_idle(const struct rq *rq)
{
	return READ_ONCE(rq->nr_running) == 0;
}

/*
 * Choose the CPU for a waking @t: its previous CPU if idle, else an idle
 * allowed CPU, else the least loaded allowed one (previous CPU on ties).
 * A thread still on its CPU stays there. Racy reads: a hint only.
 */
static unsigned int select_cpu(struct thread *t)
{
	unsigned int prev = t->cpu, best = prev, cpu;
	unsigned int best_load;

	if (thread_on_cpu(t))
		return prev;
	if (!cpumask_test_cpu(prev, &t->allowed) || !READ_ONCE(rq_of(prev)->online))
		best = NR_CPUS;
	else if (rq_idle(rq_of(prev)))
		return prev;
	best_load = best < NR_CPUS ? READ_ONCE(rq_of(best)->nr_running) : ~0U;
	for (cpu = 0; cpu < NR_CPUS; cpu++) {
		struct rq *rq = rq_of(cpu);
		unsigned int load;

		if (!READ_ONCE(rq->online) || !cpumask_test_cpu(cpu, &t->allowed))
			continue;
		load = READ_ONCE(rq->nr_running);
		if (load < best_load) {
			best = cpu;
			best_load = load;
		}
	}
	return best < NR_CPUS ? best : prev;
}

/*
 * Move the queued, not running @t from @src to @dst. Both locks held.
 */
static void move_queued(struct rq *src, struct rq *dst, struct thread *t)
{
	dequeue_thread(src, t, false);
	t->cpu = dst->cpu;
	t->nr_migrations++;
	enqueue_thread(dst, t, 0);
	check_preempt(dst, t);
}

/* A queued thread of @src that may move to @dst, or NULL. */
/*
 * A queued thread of @src that may move to @dst, or NULL. A fair thread
 * is never moved behind a running RT thread (it would wait there as long
 * as that thread runs); with @fair_only only fair threads are wanted.
 */
static struct thread *find_movable(struct rq *src, struct rq *dst,
				   bool fair_only)
{
	bool dst_rt = dst->curr->rt_class;
	struct thread *t;

	list_for_each_entry_reverse(t, &src->queued, rq_link) {
		if (t == src->curr || thread_on_cpu(t) || t->is_idle)
			continue;
		if (!t->rt_class && dst_rt)
			continue;
		if (t->rt_class && fair_only)
			continue;
		if (cpumask_test_cpu(dst->cpu, &t->allowed))
			return t;
	}
	return NULL;
}

/*
 * Fair threads wait on @src behind a running RT thread, which may never
 * switch for them; @dst runs no RT thread and is not busier, so they get
 * CPU time there.
 */
static bool fair_starved(const struct rq *src, const struct rq *dst)
{
	return src->curr->rt_class && src->fair.nr_running &&
	       !dst->curr->rt_class && dst->nr_running <= src->nr_running;
}

/*
 * Push queued threads from this CPU's @rq to CPUs with at least two fewer
 * runnable threads, and fair threads starved behind a running RT thread
 * to CPUs not running one. Context: interrupts off, no run-queue lock held.
 */
static void balance_push(struct rq *rq)
{
	unsigned int cpu;

	for (cpu = 0; cpu < NR_CPUS; cpu++) {
		struct rq *dst = rq_of(cpu);
		struct thread *t;

		if (dst == rq || !READ_ONCE(dst->online))
			continue;
		/* A hint without the locks; decided again under them. */
		if (READ_ONCE(rq->nr_running) < READ_ONCE(dst->nr_running))
			continue;
		double_rq_lock(rq, dst);
		for (;;) {
			if (rq->nr_running >= dst->nr_running + 2)
				t = find_movable(rq, dst, false);
			else if (fair_starved(rq, dst))
				t = find_movable(rq, dst, true);
			else
				break;
			if (!t)
				break;
			move_queued(rq, dst, t);
		}
		double_rq_unlock(rq, dst);
	}
}

static void balance_timer_fn(struct timer *tm)
{
	struct rq *rq = container_of(tm, struct rq, balance_timer);

	balance_push(rq);
	rq_lock(rq);
	if (rq->nr_running >= 2)
		timer_add(&rq->balance_timer,
			  clock_monotonic_ns() + BALANCE_INTERVAL_NS);
	rq_unlock(rq);
}

/*
 * This CPU is about to idle: pull one thread from the busiest queue with
 * two or more. Drops and retakes @rq->lock when the busiest CPU is lower
 * (lock order). Return: true if something was pulled.
 */
static bool balance_idle_pull(struct rq *rq)
{
	struct rq *busiest = NULL;
	unsigned int cpu, most = 1;
	struct thread *t;
	bool pulled = false;

	for (cpu = 0; cpu < NR_CPUS; cpu++) {
		struct rq *o = rq_of(cpu);
		unsigned int n = READ_ONCE(o->nr_running);

		if (o != rq && READ_ONCE(o->online) && n > most) {
			busiest = o;
			most = n;
		}
	}
	if (!busiest)
		return false;
	if (busiest->cpu < rq->cpu) {
		rq_unlock(rq);
		double_rq_lock(rq, busiest);
	} else {
		rq_lock(busiest);
	}
	if (busiest->nr_running >= 2 && rq->nr_running == 0 &&
	    (t = find_movable(busiest, rq, false))) {
		dequeue_thread(busiest, t, false);
		t->cpu = rq->cpu;
		t->nr_migrations++;
		enqueue_thread(rq, t, 0);
		pulled = true;
	}
	rq_unlock(busiest);
	return pulled;
}

/* ---- the switch --------------------------------------------------------- */

/*
 * Queue @t, which __schedule() took off this CPU because its affinity no
 * longer allows it here, on a CPU it may use. While migrate_pending is set
 * the thread is "in transit": on no queue, not running, and only this path
 * may queue it (a wake-up just sets its state to RUNNING), so it can be
 * neither queued twice nor freed under us. It is queued whatever its state
 * says: it was runnable when it lost the CPU (a preempted thread may not
 * have checked its wake-up condition yet).
 */
static void migrate_in_transit(struct thread *t)
{
	unsigned long flags = arch_irq_save();
	struct rq *src = rq_of(t->cpu), *dst;

	preempt_disable();
	for (;;) {
		dst = rq_of(select_cpu(t));
		double_rq_lock(src, dst);
		/* The mask may have changed since select_cpu() read it. */
		if (cpumask_test_cpu(dst->cpu, &t->allowed) || dst == src)
			break;
		double_rq_unlock(src, dst);
	}
	t->migrate_pending = false;
	if (dst != src)
		t->nr_migrations++;
	t->cpu = dst->cpu;
	enqueue_thread(dst, t, 0);
	check_preempt(dst, t);
	double_rq_unlock(src, dst);
	arch_irq_restore(flags);
	preempt_enable();
}

/*
 * Second half of a switch, on the thread switched to: drop the run-queue
 * lock __schedule took (interrupts on again), then deal with the thread
 * switched away from: a dead one is handed to thread_dead(), one that
 * lost its CPU through an affinity change is queued where it may run.
 * Leaves one level of preemption disabled (__schedule's caller's).
 */
static void finish_switch(void)
{
	struct rq *rq = this_rq();
	struct thread *prev = rq->prev;
	bool dead, migrate;

	rq->prev = NULL;
	dead = prev && prev->state == THREAD_DEAD;
	migrate = prev && prev->migrate_pending;
	if (prev)
		__atomic_store_n(&prev->on_cpu, false, __ATOMIC_RELEASE);
	spin_unlock(&rq->lock);     /* count back to the caller's one level */
	arch_irq_enable();
	if (migrate)
		migrate_in_transit(prev);
	if (dead)
		thread_dead(prev);
}

/*
 * Pick and switch. @preempt: the running thread is being preempted, so it
 * stays queued whatever its state says (it has not finished going to
 * sleep; its wake-up would otherwise be lost).
 * Context: preemption disabled exactly once (count 1), process context.
 */
static void __schedule(bool preempt)
{
	struct rq *rq;
	struct thread *prev, *next;

	arch_irq_disable();
	rcu_note_context_switch();      /* before the run-queue lock: may wake */
	rq = this_rq();
	rq_lock(rq);
	prev = rq->curr;
	update_curr(rq);

	if (!preempt && prev->state != THREAD_RUNNING && !prev->is_idle) {
		if (prev->state == THREAD_INTERRUPTIBLE &&
		    READ_ONCE(prev->signal_pending)) {
			prev->state = THREAD_RUNNING;
		} else {
			dequeue_thread(rq, prev, true);
		}
	}
	/* Affinity changed under it: leave this CPU after the switch. */
	if (prev->on_rq && !cpumask_test_cpu(rq->cpu, &prev->allowed)) {
		dequeue_thread(rq, prev, false);
		prev->migrate_pending = true;
	}
	if (!rq->nr_running)
		balance_idle_pull(rq);

	next = pick_next(rq);
	arch_set_need_resched(false);
	if (next == prev) {
		rq_arm_slice(rq);
		rq_arm_balance(rq);
		rq_unlock(rq);
		arch_irq_enable();
		return;
	}

	rq->curr = next;
	/*
	 * From the instant prev was charged to (update_curr above), so no
	 * CPU time goes uncharged between the two: a clock read can stall
	 * (an MMIO HPET under an emulator, an NMI), and the stall belongs
	 * to one of them.
	 */
	next->exec_start = prev->exec_start;
	next->nr_switches++;
	__atomic_store_n(&next->on_cpu, true, __ATOMIC_RELAXED);
	WRITE_ONCE(rq->nr_switches, rq->nr_switches + 1);
	rq_arm_slice(rq);
	rq_arm_balance(rq);
	rq->prev = prev;

	prev->saved_preempt_count = arch_preempt_count();
	if (prev->task || next->task)
		task_switch(prev, next);
	arch_set_current(next);
	arch_preempt_count_set(next->saved_preempt_count);
	arch_context_switch(&prev->sp, next->sp);
	/* Back on prev's stack, possibly on another CPU. */
	finish_switch();
}

void schedule(void)
{
	might_sleep();
	do {
		preempt_disable();
		__schedule(false);
		preempt_enable_no_resched();
	} while (need_resched());
}

/* The last switch of an exiting thread (kthread_exit, count 1). */
__noreturn void schedule_dead(void)
{
	__schedule(false);
	panic("schedule_dead: a dead thread was switched back to");
}

void preempt_schedule(void)
{
	if (!READ_ONCE(sched_running) || preempt_count() ||
	    !arch_irqs_enabled())
		return;
	do {
		preempt_disable();
		__schedule(true);
		preempt_enable_no_resched();
	} while (need_resched());
}

void preempt_schedule_irq(void)
{
	if (!READ_ONCE(sched_running))
		return;
	do {
		preempt_disable();
		__schedule(true);
		arch_irq_disable();
		preempt_enable_no_resched();
	} while (need_resched());
}

void cond_resched(void)
{
	if (need_resched() && !preempt_count() && arch_irqs_enabled())
		preempt_schedule();
}

void yield(void)
{
	unsigned long flags;
	struct rq *rq;
	struct thread *c;

	preempt_disable();
	flags = arch_irq_save();
	rq = this_rq();
	rq_lock(rq);
	c = rq->curr;
	update_curr(rq);
	if (c->rt_class) {
		rt_dequeue(&rq->rt, &c->rt);
		rt_enqueue(&rq->rt, &c->rt, false);
	} else {
		fair_yield(&rq->fair, &c->se);
	}
	rq_unlock(rq);
	arch_irq_restore(flags);
	preempt_enable_no_resched();
	schedule();
}

/* ---- wake-ups ----------------------------------------------------------- */

/*
 * Queue the sleeping (or new) @t, whose state the caller just made
 * THREAD_RUNNING holding @rq->lock (@rq is t's run queue), on the CPU
 * select_cpu() chooses. Returns with every lock it took released and
 * @rq->lock released too.
 */
static void activate(struct rq *rq, struct thread *t, int flags)
{
	struct rq *dst;

	dst = rq_of(select_cpu(t));
	if (dst != rq) {
		/*
		 * t is off every queue with state RUNNING: no other waker
		 * touches it, balancing does not see it, so it is safe to
		 * drop its lock and take both in order.
		 */
		rq_unlock(rq);
		double_rq_lock(rq, dst);
		t->cpu = dst->cpu;
		t->nr_migrations++;
	}
	enqueue_thread(dst, t, flags);
	check_preempt(dst, t);
	if (dst != rq)
		double_rq_unlock(rq, dst);
	else
		rq_unlock(rq);
}

/*
 * The outer preempt_disable()/preempt_enable() pairs below make a wake-up
 * that should preempt the waker do so as soon as interrupts are back on:
 * the inner unlocks run with interrupts off, where preempt_enable() cannot
 * act on need_resched.
 */
bool wake_up_state(struct thread *t, long states)
{
	unsigned long flags;
	struct rq *rq;

	preempt_disable();
	rq = task_rq_lock(t, &flags);
	if (!(READ_ONCE(t->state) & states)) {
		task_rq_unlock(rq, flags);
		preempt_enable();
		return false;
	}
	WRITE_ONCE(t->state, THREAD_RUNNING);
	if (t->on_rq || t->is_idle || t->migrate_pending) {
		/*
		 * Not gone to sleep yet: schedule() will keep it queued. In
		 * transit to another CPU: migrate_in_transit() queues it. An
		 * idle thread (sleeping only in the no-memory boot fallback)
		 * is never queued at all.
		 */
		task_rq_unlock(rq, flags);
	} else {
		activate(rq, t, ENQ_WAKEUP);
		arch_irq_restore(flags);
	}
	preempt_enable();
	return true;
}

void thread_start(struct thread *t)
{
	unsigned long flags;
	struct rq *rq;

	preempt_disable();
	rq = task_rq_lock(t, &flags);
	KASSERT(t->state == THREAD_NEW);
	WRITE_ONCE(t->state, THREAD_RUNNING);
	activate(rq, t, ENQ_INITIAL);
	arch_irq_restore(flags);
	preempt_enable();
}

/* ---- sleeping with a timeout -------------------------------------------- */

static void sleep_timer_fn(struct timer *tm)
{
	wake_up_thread(container_of(tm, struct thread, sleep_timer));
}

u64 schedule_timeout(u64 ns)
{
	struct thread *t = current;
	u64 now, deadline;

	if (ns == SCHEDULE_TIMEOUT_MAX) {
		schedule();
		return SCHEDULE_TIMEOUT_MAX;
	}
	now = clock_monotonic_ns();
	deadline = now + ns < now ? ~0ULL - 1 : now + ns;
	timer_init_struct(&t->sleep_timer, sleep_timer_fn);
	timer_add(&t->sleep_timer, deadline);
	schedule();
	timer_cancel_sync(&t->sleep_timer);
	now = clock_monotonic_ns();
	return deadline > now ? deadline - now : 0;
}

void sleep_ns(u64 ns)
{
	u64 left = ns;

	while (left) {
		set_current_state(THREAD_UNINTERRUPTIBLE);
		left = schedule_timeout(left);
	}
	__set_current_state(THREAD_RUNNING);
}

/* ---- policy, priority, affinity ----------------------------------------- */

/*
 * Change @t's scheduling parameters with @change(t, arg) while it is off
 * its queue, then requeue it and reschedule as needed.
 */
static void sched_change(struct thread *t, void (*change)(struct thread *t,
							   int a, int b),
			 int a, int b)
{
	unsigned long flags;
	struct rq *rq = task_rq_lock(t, &flags);
	bool queued = t->on_rq, running = rq->curr == t;
	bool was_rt = t->rt_class;
	int old_prio = t->rt.prio;

	if (running)
		update_curr(rq);
	if (queued)
		dequeue_thread(rq, t, false);
	change(t, a, b);
	if (queued) {
		/* A lowered RT thread goes to the head of its level. */
		enqueue_thread(rq, t, was_rt && t->rt_class &&
				      t->rt.prio < old_prio ? ENQ_HEAD : 0);
		if (running)
			resched_cpu(rq->cpu);
		else
			check_preempt(rq, t);
	}
	task_rq_unlock(rq, flags);
}

static void change_policy(struct thread *t, int policy, int prio)
{
	t->policy = policy;
	t->rt_priority = policy == SCHED_NORMAL ? 0 : prio;
	if (policy != SCHED_NORMAL)
		t->rt.time_slice = RT_RR_TIMESLICE_NS;
	thread_update_class(t);
}

int sched_setscheduler(struct thread *t, int policy, int prio)
{
	if (policy == SCHED_NORMAL) {
		if (prio != 0)
			return -EINVAL;
	} else if (policy == SCHED_FIFO || policy == SCHED_RR) {
		if (!rt_prio_valid(prio))
			return -EINVAL;
	} else {
		return -EINVAL;
	}
	sched_change(t, change_policy, policy, prio);
	/* A waiter's place in its rt_mutex queue, and what it lends. */
	rt_mutex_adjust_pi(t);
	return 0;
}

static void change_nice(struct thread *t, int nice, int unused)
{
	fair_set_nice(NULL, &t->se, nice);
	t->nice = t->se.nice;
}

void sched_set_nice(struct thread *t, int nice)
{
	sched_change(t, change_nice, nice, 0);
}

static void change_boost(struct thread *t, int prio, int unused)
{
	t->boost_prio = prio;
	thread_update_class(t);
}

void sched_pi_setprio(struct thread *t, int prio)
{
	if (prio < 0 || prio > RT_PRIO_MAX)
		prio = 0;
	if (READ_ONCE(t->boost_prio) == prio)
		return;
	sched_change(t, change_boost, prio, 0);
}

int sched_effective_prio(const struct thread *t)
{
	return READ_ONCE(t->rt_class) ? READ_ONCE(t->rt.prio) : 0;
}

int sched_setaffinity(struct thread *t, const struct cpumask *mask)
{
	unsigned long flags;
	struct rq *rq;
	unsigned int cpu;
	bool any = false;

	for (cpu = 0; cpu < NR_CPUS; cpu++)
		if (cpumask_test_cpu(cpu, mask) && READ_ONCE(rq_of(cpu)->online))
			any = true;
	if (!any)
		return -EINVAL;
	rq = task_rq_lock(t, &flags);
	t->allowed = *mask;
	if (t->state == THREAD_NEW || cpumask_test_cpu(t->cpu, mask)) {
		if (t->state == THREAD_NEW && !cpumask_test_cpu(t->cpu, mask))
			t->cpu = select_cpu(t);
		task_rq_unlock(rq, flags);
		return 0;
	}
	if (rq->curr == t || thread_on_cpu(t)) {
		/* __schedule() on its CPU moves it away. */
		resched_cpu(rq->cpu);
		task_rq_unlock(rq, flags);
		return 0;
	}
	if (t->on_rq) {
		struct rq *dst = rq_of(select_cpu(t));

		preempt_disable();
		rq_unlock(rq);
		double_rq_lock(rq, dst);
		if (t->cpu == rq->cpu && t->on_rq && !thread_on_cpu(t))
			move_queued(rq, dst, t);
		double_rq_unlock(rq, dst);
		arch_irq_restore(flags);
		preempt_enable();
		return 0;
	}
	/* Asleep: the wake-up places it on an allowed CPU. */
	task_rq_unlock(rq, flags);
	return 0;
}

/* ---- statistics --------------------------------------------------------- */

unsigned int sched_nr_running(unsigned int cpu)
{
	return cpu < NR_CPUS ? READ_ONCE(rq_of(cpu)->nr_running) : 0;
}

u64 sched_nr_switches(unsigned int cpu)
{
	return cpu < NR_CPUS ? READ_ONCE(rq_of(cpu)->nr_switches) : 0;
}

/*
 * runtime_ns is charged only at ticks and switches: add what the thread
 * has run since it was last charged if it is on CPU now (CPU clocks).
 */
u64 sched_thread_runtime(struct thread *t)
{
	unsigned long flags;
	struct rq *rq = task_rq_lock(t, &flags);
	u64 ns = t->runtime_ns, now;

	if (rq->curr == t && !t->is_idle) {
		now = clock_monotonic_ns();
		if (now > t->exec_start)
			ns += now - t->exec_start;
	}
	task_rq_unlock(rq, flags);
	return ns;
}

/* ---- start-up and the idle loop ----------------------------------------- */

/* Set up @t as @cpu's idle thread running on the current stack. */
static void idle_thread_init(struct thread *t, unsigned int cpu)
{
	memset(t, 0, sizeof(*t));
	snprintf(t->name, sizeof(t->name), "idle/%u", cpu);
	t->is_idle = true;
	t->state = THREAD_RUNNING;
	t->cpu = cpu;
	t->on_cpu = true;
	t->policy = SCHED_NORMAL;
	cpumask_clear(&t->allowed);
	cpumask_set_cpu(cpu, &t->allowed);
	fair_entity_init(&t->se, NICE_MAX);
	INIT_LIST_HEAD(&t->rq_link);
	INIT_LIST_HEAD(&t->all_link);
	INIT_LIST_HEAD(&t->pi_waiters);
	spin_lock_init(&t->pi_lock);
	t->exec_start = clock_monotonic_ns();
}

static void rq_init(struct rq *rq, unsigned int cpu)
{
	rq->cpu = cpu;
	rt_rq_init(&rq->rt);
	fair_rq_init(&rq->fair);
	INIT_LIST_HEAD(&rq->queued);
	timer_init_struct(&rq->slice_timer, slice_timer_fn);
	timer_init_struct(&rq->balance_timer, balance_timer_fn);
	rq->idle = &idle_threads[cpu];
	rq->curr = rq->idle;
}

/* Make the calling context @cpu's idle thread and open its run queue. */
static void sched_cpu_start(unsigned int cpu)
{
	idle_thread_init(&idle_threads[cpu], cpu);
	arch_set_current(&idle_threads[cpu]);
	WRITE_ONCE(rq_of(cpu)->online, true);
}

void sched_init(void)
{
	unsigned int cpu;

	for (cpu = 0; cpu < NR_CPUS; cpu++)
		rq_init(rq_of(cpu), cpu);
	sched_cpu_start(0);
	WRITE_ONCE(sched_running, true);
}

void sched_init_ap(unsigned int cpu)
{
	sched_cpu_start(cpu);
}

__noreturn void sched_idle_loop(void)
{
	KASSERT(current && current->is_idle);
	for (;;) {
		arch_irq_disable();
		while (!need_resched()) {
			rcu_idle_enter();
			arch_idle_wait();
			arch_irq_disable();
			rcu_idle_exit();
		}
		arch_irq_enable();
		schedule();
	}
}

/* First code of every new thread (see arch_thread_init_stack). */
void sched_thread_entry(void *arg)
{
	struct thread *t = arg;

	finish_switch();
	preempt_enable();
	kthread_exit(t->fn(t->arg));
}
