/*
 * RCU grace periods: classic (non-preemptible readers), one grace-period
 * kernel thread, quiescent states from context switches and idle.
 *
 * Readers only disable preemption (<keel/rcu.h>), so a CPU that passes
 * through __schedule(), or sits idle, holds no reader that began before:
 * that is a quiescent state (QS). A grace period (GP) is over once every
 * CPU that was online when it started has had a QS after the start.
 *
 * The grace-period kthread ("rcu_gp") drives everything:
 *
 *	idle --(callbacks queued)--> collect -> start -> wait -> end -> invoke
 *	 ^                                                               |
 *	 +---------------------------------------------------------------+
 *
 *  - idle: sleeps while no CPU has callbacks (rcu.gp_idle set, so
 *    call_rcu() knows to wake it).
 *  - collect: takes every CPU's list of queued callbacks (in order) as
 *    this GP's batch. Callbacks queued from now on wait for the next GP,
 *    which is what makes a callback queued during GP n wait for GP n+1.
 *  - start: gp_seq becomes odd, then qs_mask gets a bit per online CPU.
 *    The kthread clears its own CPU's bit (it is running, so no reader is
 *    on that CPU) and the bits of CPUs that are idle (see below).
 *  - wait: every CPU clears its own bit in rcu_note_context_switch(), the
 *    first __schedule() pass after the start; the one that clears the
 *    last bit wakes the kthread. Every RCU_NUDGE_NS the kthread rechecks
 *    idle CPUs and nudges the rest with resched_cpu(): a CPU running one
 *    CPU-bound thread never switches by itself, but a reschedule request
 *    goes through __schedule() (which reports the QS even when it picks
 *    the same thread again), at once if the thread is preemptible, else
 *    at its rcu_read_unlock()/preempt_enable(). A GP stuck for
 *    RCU_STALL_NS is reported (a CPU spinning with preemption off).
 *  - end: gp_seq becomes even (one more completed GP); then the batch's
 *    callbacks run in the kthread, in order.
 *
 * Idle (an extended QS, like Linux's dynticks idle): a halted CPU never
 * switches and must not hold grace periods up, nor be woken for them. The
 * idle loop increments the CPU's eqs counter before each halt (odd) and
 * after it (even); when the interrupt that ends a halt preempts the idle
 * thread on the spot, rcu_note_context_switch() in __schedule() makes it
 * even instead, before anything else runs. The kthread snapshots the
 * counters at the GP start: odd means idle now, a later value different
 * from the snapshot means the CPU has been idle since; either is a QS.
 * An interrupt taken in idle makes the counter even for its duration
 * (rcu_irq_enter/exit), so its handler may be a reader -- once the arch's
 * interrupt entry calls them; until then handlers that can run in idle
 * must not rely on RCU.
 *
 * Ordering: all updates of gp_seq, qs_mask and eqs are sequentially
 * consistent atomics (locked instructions on x86, full barriers): a
 * reader's accesses are complete before its CPU's QS report or idle
 * entry, and a reader that starts after its CPU reported (or left idle)
 * sees what the updater published before the GP started.
 *
 * rcu_barrier: each CPU's list is first-in first-out all the way to
 * invocation (batches run whole, in GP order), so a barrier callback put
 * at the tail of every CPU's list runs after every callback queued there
 * before it; when all of them have run, the barrier returns.
 *
 * Who writes what / locks:
 *	rcu_cpu.lock	[c] a CPU's queued-callback list; callers of
 *			call_rcu() and the kthread (collect). Any CPU may
 *			take any CPU's lock (rcu_barrier); never two at once,
 *			no other lock taken inside: a leaf.
 *	[gp]		written only by the grace-period kthread
 *	[a]		single-copy atomic, any CPU
 *	[cpu]		only that CPU, interrupts off
 *	rcu_waiter.lock	a sleeper's state; taken before run-queue locks
 *			(the wake-up happens under it, so the sleeper cannot
 *			return and free it meanwhile).
 * call_rcu() wakes the kthread after dropping [c]; rcu_note_context_switch
 * runs in __schedule() before the run-queue lock is taken, so it may wake
 * it too.
 */
#include <keel/bitops.h>
#include <keel/err.h>
#include <keel/panic.h>
#include <keel/printk.h>
#include <keel/rcu.h>
#include <keel/sched.h>
#include <keel/smp.h>
#include <keel/spinlock.h>
#include <keel/time.h>

/* How long the kthread waits for QS reports before nudging laggards. */
#define RCU_NUDGE_NS  (2 * NSEC_PER_MSEC)
/* A grace period this old is reported (and again every as long). */
#define RCU_STALL_NS  (10 * NSEC_PER_SEC)

STATIC_ASSERT(NR_CPUS <= 64, "qs_mask is one 64-bit word");

struct rcu_cpu {
	struct spinlock lock;
	struct rcu_head *first;         /* [c] queued, oldest first */
	struct rcu_head *last;          /* [c] NULL when empty */
	unsigned long nr;               /* [c], read [a] */
	u64 eqs;                        /* [a], written by [cpu]: odd = idle */
	u64 eqs_snap;                   /* [gp] eqs when the GP started */
	unsigned int idle_irq_nest;     /* [cpu] interrupts taken in idle */
	bool idle;                      /* [cpu] in rcu_idle_enter..exit */
} __aligned(64);

static struct rcu_cpu rcu_cpus[NR_CPUS];

static struct {
	u64 gp_seq;             /* [gp] read [a]; odd while a GP runs */
	u64 qs_mask;            /* [a] CPUs still owing this GP a QS */
	struct thread *thread;  /* [a] the kthread, set once */
	bool gp_idle;           /* [a] kthread asleep for want of work */
	u64 nudges;             /* [gp] read [a] */
	u64 invoked;            /* [gp] read [a] */
	struct rcu_head *batch; /* [gp] callbacks waiting for this GP */
	struct rcu_head *batch_last;    /* [gp] */
} rcu;

/* ---- waiting for callbacks (synchronize_rcu, rcu_barrier) ---------------- */

/*
 * A sleeping thread waiting for @count callbacks. The last one wakes it
 * holding @lock; the sleeper reads @count under @lock too, so it cannot
 * see 0, return and free the waiter while the waker still uses it.
 */
struct rcu_waiter {
	struct spinlock lock;
	struct thread *thread;          /* [I] */
	unsigned long count;            /* [lock] */
};

static void rcu_waiter_init(struct rcu_waiter *w, unsigned long count)
{
	spin_lock_init(&w->lock);
	w->thread = current;
	w->count = count;
}

static void rcu_waiter_put(struct rcu_waiter *w)
{
	unsigned long flags = spin_lock_irqsave(&w->lock);

	if (--w->count == 0)
		wake_up_thread(w->thread);
	spin_unlock_irqrestore(&w->lock, flags);
}

static void rcu_waiter_wait(struct rcu_waiter *w)
{
	unsigned long flags, left;

	for (;;) {
		set_current_state(THREAD_UNINTERRUPTIBLE);
		flags = spin_lock_irqsave(&w->lock);
		left = w->count;
		spin_unlock_irqrestore(&w->lock, flags);
		if (!left)
			break;
		schedule();
	}
	__set_current_state(THREAD_RUNNING);
}

/* ---- quiescent states ---------------------------------------------------- */

/*
 * Clear @cpu's bit. Return: true if it was the last one owed. The atomic
 * is a full barrier: the CPU's earlier reader accesses are complete.
 */
static bool rcu_report_qs(unsigned int cpu)
{
	u64 bit = BIT_ULL(cpu);
	u64 old = __atomic_fetch_and(&rcu.qs_mask, ~bit, __ATOMIC_SEQ_CST);

	return old == bit;
}

static void rcu_wake_gp_thread(void)
{
	struct thread *t = READ_ONCE(rcu.thread);

	if (t && t != current)
		wake_up_thread(t);
}

void rcu_idle_exit(void)
{
	struct rcu_cpu *rc = &rcu_cpus[cpu_id()];

	if (!rc->idle)
		return;         /* left already, switched out of the halt */
	__atomic_fetch_add(&rc->eqs, 1, __ATOMIC_SEQ_CST);
	rc->idle = false;
}

void rcu_note_context_switch(void)
{
	unsigned int cpu = cpu_id();

	/*
	 * An interrupt that ends a halt may preempt the idle thread right
	 * there, before the idle loop's rcu_idle_exit(): leave idle now,
	 * before anything else runs on this CPU.
	 */
	if (unlikely(rcu_cpus[cpu].idle))
		rcu_idle_exit();
	if (likely(!(READ_ONCE(rcu.qs_mask) & BIT_ULL(cpu))))
		return;
	if (rcu_report_qs(cpu))
		rcu_wake_gp_thread();
}

/*
 * No QS report (and so no wake-up) here: the idle loop has checked
 * need_resched already and halts next, so a wake-up that queued the
 * kthread on this CPU would be slept through. The kthread sees the idle
 * state itself, at the start of a GP or when it next checks.
 */
void rcu_idle_enter(void)
{
	struct rcu_cpu *rc = &rcu_cpus[cpu_id()];

	rc->idle = true;
	rc->idle_irq_nest = 0;
	__atomic_fetch_add(&rc->eqs, 1, __ATOMIC_SEQ_CST);
}

void rcu_irq_enter(void)
{
	struct rcu_cpu *rc = &rcu_cpus[cpu_id()];

	if (rc->idle && rc->idle_irq_nest++ == 0)
		__atomic_fetch_add(&rc->eqs, 1, __ATOMIC_SEQ_CST);
}

void rcu_irq_exit(void)
{
	struct rcu_cpu *rc = &rcu_cpus[cpu_id()];

	if (rc->idle && --rc->idle_irq_nest == 0)
		__atomic_fetch_add(&rc->eqs, 1, __ATOMIC_SEQ_CST);
}

/* ---- queueing callbacks -------------------------------------------------- */

/* Wake the kthread if it sleeps for want of callbacks. */
static void rcu_kick(void)
{
	/* Pairs with the fence in rcu_wait_for_callbacks(). */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (READ_ONCE(rcu.gp_idle))
		rcu_wake_gp_thread();
}

static void rcu_enqueue(struct rcu_cpu *rc, struct rcu_head *head,
			void (*func)(struct rcu_head *head))
{
	unsigned long flags;

	head->func = func;
	head->next = NULL;
	flags = spin_lock_irqsave(&rc->lock);
	if (rc->last)
		rc->last->next = head;
	else
		rc->first = head;
	rc->last = head;
	WRITE_ONCE(rc->nr, rc->nr + 1);
	spin_unlock_irqrestore(&rc->lock, flags);
}

void call_rcu(struct rcu_head *head, void (*func)(struct rcu_head *head))
{
	/*
	 * This CPU's list, for locality only: the lists are locked, and
	 * the order rcu_barrier relies on holds whichever list it is.
	 */
	rcu_enqueue(&rcu_cpus[cpu_id()], head, func);
	rcu_kick();
}

/* ---- the grace-period kthread -------------------------------------------- */

static bool rcu_have_callbacks(void)
{
	unsigned int cpu;

	for (cpu = 0; cpu < NR_CPUS; cpu++)
		if (READ_ONCE(rcu_cpus[cpu].nr))
			return true;
	return false;
}

static void rcu_wait_for_callbacks(void)
{
	for (;;) {
		set_current_state(THREAD_UNINTERRUPTIBLE);
		WRITE_ONCE(rcu.gp_idle, true);
		/* Pairs with rcu_kick(): a queued callback or a wake-up. */
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		if (rcu_have_callbacks())
			break;
		schedule();
	}
	__set_current_state(THREAD_RUNNING);
	WRITE_ONCE(rcu.gp_idle, false);
}

/* Append every CPU's queued callbacks, in order, to the batch. */
static void rcu_collect(void)
{
	unsigned int cpu;

	for (cpu = 0; cpu < NR_CPUS; cpu++) {
		struct rcu_cpu *rc = &rcu_cpus[cpu];
		struct rcu_head *first, *last;
		unsigned long flags;

		if (!READ_ONCE(rc->nr))
			continue;
		flags = spin_lock_irqsave(&rc->lock);
		first = rc->first;
		last = rc->last;
		rc->first = rc->last = NULL;
		WRITE_ONCE(rc->nr, 0);
		spin_unlock_irqrestore(&rc->lock, flags);
		if (rcu.batch_last)
			rcu.batch_last->next = first;
		else
			rcu.batch = first;
		rcu.batch_last = last;
	}
}

static u64 rcu_online_mask(void)
{
	unsigned int cpu;
	u64 mask = 0;

	for (cpu = 0; cpu < NR_CPUS; cpu++)
		if (cpu_online(cpu))
			mask |= BIT_ULL(cpu);
	return mask;
}

/* Clear the bits of CPUs idle now or idle at some point since the start. */
static void rcu_check_idle(u64 mask, bool at_start)
{
	while (mask) {
		unsigned int cpu = __ffs64(mask);
		struct rcu_cpu *rc = &rcu_cpus[cpu];
		u64 eqs = __atomic_load_n(&rc->eqs, __ATOMIC_SEQ_CST);

		mask &= mask - 1;
		if (at_start)
			rc->eqs_snap = eqs;
		if ((eqs & 1) || eqs != rc->eqs_snap)
			rcu_report_qs(cpu);
	}
}

static void rcu_gp_start(void)
{
	u64 mask = rcu_online_mask();

	/* Odd first: a cookie taken before this needs this whole GP. */
	__atomic_store_n(&rcu.gp_seq, rcu.gp_seq + 1, __ATOMIC_SEQ_CST);
	__atomic_store_n(&rcu.qs_mask, mask, __ATOMIC_SEQ_CST);
	/* This thread runs, so no reader is on this CPU now. */
	preempt_disable();
	rcu_report_qs(cpu_id());
	preempt_enable();
	rcu_check_idle(mask, true);
}

/* Reschedule every CPU that still owes a QS. */
static void rcu_nudge(u64 mask)
{
	preempt_disable();
	while (mask) {
		unsigned int cpu = __ffs64(mask);

		mask &= mask - 1;
		resched_cpu(cpu);
		WRITE_ONCE(rcu.nudges, rcu.nudges + 1);
	}
	preempt_enable();
}

static void rcu_gp_wait(void)
{
	u64 start = clock_monotonic_ns();
	u64 nudge_at = start + RCU_NUDGE_NS, stall_at = start + RCU_STALL_NS;
	u64 now, mask;

	for (;;) {
		set_current_state(THREAD_UNINTERRUPTIBLE);
		if (!READ_ONCE(rcu.qs_mask))
			break;
		now = clock_monotonic_ns();
		if (now < nudge_at) {
			schedule_timeout(nudge_at - now);
			continue;
		}
		__set_current_state(THREAD_RUNNING);
		rcu_check_idle(READ_ONCE(rcu.qs_mask), false);
		mask = READ_ONCE(rcu.qs_mask);
		rcu_nudge(mask);
		nudge_at = now + RCU_NUDGE_NS;
		if (mask && now >= stall_at) {
			pr_warn("rcu: grace period %llu stalled for %llu "
				"ms, waiting for CPUs %#llx\n",
				(rcu.gp_seq + 1) / 2,
				(now - start) / NSEC_PER_MSEC, mask);
			stall_at = now + RCU_STALL_NS;
		}
	}
	__set_current_state(THREAD_RUNNING);
	/* Every QS report happens before the end (and the callbacks). */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
}

static void rcu_gp_end(void)
{
	__atomic_store_n(&rcu.gp_seq, rcu.gp_seq + 1, __ATOMIC_SEQ_CST);
}

static void rcu_invoke(void)
{
	struct rcu_head *h = rcu.batch;

	rcu.batch = rcu.batch_last = NULL;
	while (h) {
		struct rcu_head *next = h->next;
		void (*func)(struct rcu_head *) = h->func;

		func(h);        /* may free h */
		WRITE_ONCE(rcu.invoked, rcu.invoked + 1);
		if (unlikely(preempt_count())) {
			pr_err("rcu: BUG: callback %pS returned with preempt "
			       "count %#x\n", func, preempt_count());
			arch_preempt_count_set(0);
		}
		h = next;
		cond_resched();
	}
}

static int rcu_gp_kthread(void *unused)
{
	for (;;) {
		rcu_wait_for_callbacks();
		rcu_collect();
		rcu_gp_start();
		rcu_gp_wait();
		rcu_gp_end();
		rcu_invoke();
	}
	return 0;
}

/*
 * Start the kthread once. Return: false if it cannot be created (no
 * memory); callers retry later.
 */
static bool rcu_start_thread(void)
{
	static DEFINE_SPINLOCK(start_lock);
	static bool starting;           /* [start_lock] */
	struct thread *t;
	unsigned long flags;

	if (READ_ONCE(rcu.thread))
		return true;
	flags = spin_lock_irqsave(&start_lock);
	if (starting) {
		spin_unlock_irqrestore(&start_lock, flags);
		return false;           /* another caller is at it */
	}
	starting = true;
	spin_unlock_irqrestore(&start_lock, flags);

	t = kthread_create(rcu_gp_kthread, NULL, "rcu_gp");
	if (!IS_ERR(t)) {
		__atomic_store_n(&rcu.thread, t, __ATOMIC_RELEASE);
		thread_start(t);
	}
	flags = spin_lock_irqsave(&start_lock);
	starting = false;
	spin_unlock_irqrestore(&start_lock, flags);
	return !IS_ERR(t);
}

void rcu_init(void)
{
	unsigned int cpu;

	for (cpu = 0; cpu < NR_CPUS; cpu++)
		spin_lock_init(&rcu_cpus[cpu].lock);
	if (!rcu_start_thread())
		pr_err("rcu: cannot start the grace-period thread (no memory); "
		       "retrying at the first synchronize_rcu\n");
}

/* A sleeping caller needs the kthread: retry its start if it failed. */
static void rcu_need_thread(void)
{
	static bool warned;             /* [a] */

	while (!rcu_start_thread()) {
		if (!READ_ONCE(warned)) {
			WRITE_ONCE(warned, true);
			pr_warn("rcu: no grace-period thread yet; waiting for "
				"memory\n");
		}
		sleep_ns(10 * NSEC_PER_MSEC);
	}
}

/* ---- synchronize_rcu, rcu_barrier, polling ------------------------------- */

struct rcu_sync {
	struct rcu_head head;
	struct rcu_waiter *w;
};

static void rcu_sync_cb(struct rcu_head *head)
{
	rcu_waiter_put(container_of(head, struct rcu_sync, head)->w);
}

void synchronize_rcu(void)
{
	struct rcu_waiter w;
	struct rcu_sync s = { .w = &w };

	might_sleep();
	KASSERT(current != READ_ONCE(rcu.thread));
	rcu_need_thread();
	rcu_waiter_init(&w, 1);
	call_rcu(&s.head, rcu_sync_cb);
	rcu_waiter_wait(&w);
}

void rcu_barrier(void)
{
	/* One callback per online CPU: 24 bytes each, on the stack. */
	struct rcu_sync s[NR_CPUS];
	struct rcu_waiter w;
	u64 mask = rcu_online_mask(), m;

	might_sleep();
	KASSERT(current != READ_ONCE(rcu.thread));
	rcu_need_thread();
	/* The extra count keeps early callbacks from finishing the wait. */
	rcu_waiter_init(&w, hweight64(mask) + 1);
	for (m = mask; m; m &= m - 1) {
		unsigned int cpu = __ffs64(m);

		s[cpu].w = &w;
		rcu_enqueue(&rcu_cpus[cpu], &s[cpu].head, rcu_sync_cb);
	}
	rcu_kick();
	rcu_waiter_put(&w);
	rcu_waiter_wait(&w);
}

unsigned long get_state_synchronize_rcu(void)
{
	u64 seq;

	/* The caller's updates come before the GP the cookie waits for. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	seq = __atomic_load_n(&rcu.gp_seq, __ATOMIC_SEQ_CST);
	/* The end of the next GP to start: a running one may predate us. */
	return (unsigned long)((seq + 3) & ~1ULL);
}

bool poll_state_synchronize_rcu(unsigned long cookie)
{
	u64 seq = __atomic_load_n(&rcu.gp_seq, __ATOMIC_SEQ_CST);

	if ((s64)(seq - cookie) < 0)
		return false;
	/* What the caller does next (free) comes after the GP. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	return true;
}

void cond_synchronize_rcu(unsigned long cookie)
{
	if (!poll_state_synchronize_rcu(cookie))
		synchronize_rcu();
}

/* ---- statistics ---------------------------------------------------------- */

u64 rcu_gp_completed(void)
{
	return __atomic_load_n(&rcu.gp_seq, __ATOMIC_RELAXED) / 2;
}

u64 rcu_nudge_count(void)
{
	return READ_ONCE(rcu.nudges);
}

u64 rcu_callbacks_invoked(void)
{
	return READ_ONCE(rcu.invoked);
}
