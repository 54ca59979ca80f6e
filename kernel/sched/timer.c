/*
 * Per-CPU timer queues: one-shot callbacks at nanosecond deadlines on the
 * monotonic clock.
 *
 * Each CPU has a red-black tree of pending timers ordered by deadline (FIFO
 * among equal deadlines) with a cached leftmost node, so the earliest
 * deadline is O(1). The CPU's one-shot hardware timer is programmed for
 * that earliest deadline only (arch_timer_program), and reprogrammed
 * whenever it changes; an empty queue disarms it, so an idle CPU takes no
 * periodic interrupts.
 *
 * timer_add() queues on the calling CPU; timer_cancel() works from any CPU
 * through timer->cpu. A remote cancel cannot reach the other CPU's
 * hardware, so that CPU may take one early interrupt that finds nothing
 * due; it then programs its next deadline. timer_interrupt() runs every
 * expired timer with interrupts off, dropping the queue lock around each
 * callback so that a callback can re-arm (or cancel) timers; the hardware
 * is programmed once at the end.
 *
 * Locking: each queue's lock [l] (irqsave: the interrupt takes it) guards
 * the queue and the fields of the timers on it. timer->cpu names the queue
 * and changes only while that queue's lock is held, so holding queue c's
 * lock with timer->cpu == c pins the timer (see timer_lock_queue). No code
 * holds two queue locks at once, so all queue locks share one lockdep
 * class (timer_init). The queues are statically initialized, so timers may
 * be armed from the first instruction; the hardware follows once the arch
 * calls timer_cpu_start() on that CPU.
 */
#include <keel/arch.h>
#include <keel/compiler.h>
#include <keel/cpu.h>
#include <keel/panic.h>
#include <keel/rbtree.h>
#include <keel/spinlock.h>
#include <keel/time.h>

struct timer_queue {
	struct spinlock lock;
	struct rb_root_cached timers;   /* [l] pending, by expires */
	u64 programmed;                 /* [l] deadline given the hardware */
	struct timer *running;          /* [l] callback in progress, or NULL */
	bool in_interrupt;              /* [l] timer_interrupt() will program */
} __aligned(64);

static struct timer_queue timer_queues[NR_CPUS];

/**
 * timer_init - give the per-CPU queue locks one lock class (zeroed locks
 * would each be a class of their own for lockdep). The queues work before
 * this, statically initialized.
 *
 * Context: boot, one CPU, no timer queue lock held; called by time_init().
 */
void timer_init(void)
{
	unsigned int cpu;

	for (cpu = 0; cpu < NR_CPUS; cpu++)
		spin_lock_init(&timer_queues[cpu].lock);
}

static struct timer_queue *timer_this_queue(void)
{
	return &timer_queues[cpu_id()];
}

static bool timer_less(struct rb_node *a, const struct rb_node *b)
{
	return rb_entry(a, struct timer, node)->expires <
	       rb_entry(b, struct timer, node)->expires;
}

/* Lock the queue @t is on; it stays there until the lock is dropped. */
static struct timer_queue *timer_lock_queue(struct timer *t,
					    unsigned long *flags)
{
	for (;;) {
		unsigned int cpu = READ_ONCE(t->cpu);
		struct timer_queue *q = &timer_queues[cpu];

		*flags = spin_lock_irqsave(&q->lock);
		if (READ_ONCE(t->cpu) == cpu)
			return q;
		spin_unlock_irqrestore(&q->lock, *flags);
	}
}

/* Earliest deadline on @q; 0 when empty (a deadline 0 becomes 1). */
static u64 timer_queue_next(struct timer_queue *q)
{
	struct rb_node *n = rb_first_cached(&q->timers);

	return n ? MAX(rb_entry(n, struct timer, node)->expires, 1ULL) : 0;
}

/* Give this CPU's hardware @q's earliest deadline if it changed. */
static void timer_reprogram(struct timer_queue *q)
{
	u64 next;

	lock_assert_held(&q->lock);
	if (q != timer_this_queue() || q->in_interrupt ||
	    !arch_timer_available())
		return;     /* not ours, done at the end, or no hardware yet */
	next = timer_queue_next(q);
	if (next != q->programmed) {
		q->programmed = next;
		arch_timer_program(next);
	}
}

static void timer_detach(struct timer_queue *q, struct timer *t)
{
	rb_erase_cached(&t->node, &q->timers);
	RB_CLEAR_NODE(&t->node);
	t->pending = false;
}

/**
 * timer_init_struct - prepare @t to call @fn; it starts disarmed.
 * Context: any; @t must not be armed.
 */
void timer_init_struct(struct timer *t, void (*fn)(struct timer *t))
{
	t->expires = 0;
	t->fn = fn;
	RB_CLEAR_NODE(&t->node);
	t->cpu = 0;
	t->pending = false;
}

/**
 * timer_add - arm @t to fire at @expires (monotonic ns) on this CPU,
 * moving it here if it was pending elsewhere. A deadline already past fires
 * at the next timer interrupt.
 *
 * Context: any, including @t's own callback; interrupts are disabled
 * inside. Calls for one timer must not race each other.
 */
void timer_add(struct timer *t, u64 expires)
{
	unsigned long flags;
	struct timer_queue *q = timer_lock_queue(t, &flags);
	struct timer_queue *mine = timer_this_queue();

	if (t->pending)
		timer_detach(q, t);
	if (q != mine) {
		WRITE_ONCE(t->cpu, (unsigned int)(mine - timer_queues));
		spin_unlock(&q->lock);
		spin_lock(&mine->lock);
	}
	t->expires = expires;
	rb_add_cached(&t->node, &mine->timers, timer_less);
	t->pending = true;
	timer_reprogram(mine);
	spin_unlock_irqrestore(&mine->lock, flags);
}

/**
 * timer_cancel - disarm @t. Its callback may still be running (or about to
 * return) on its CPU; timer_cancel_sync() waits for that.
 *
 * Context: any. Return: true if @t was pending.
 */
bool timer_cancel(struct timer *t)
{
	unsigned long flags;
	struct timer_queue *q = timer_lock_queue(t, &flags);
	bool was = t->pending;

	if (was) {
		timer_detach(q, t);
		timer_reprogram(q);
	}
	spin_unlock_irqrestore(&q->lock, flags);
	return was;
}

/**
 * timer_cancel_sync - disarm @t and wait for a running callback to return,
 * disarming again if the callback re-armed it.
 *
 * Context: not from @t's callback (it would wait for itself); may spin.
 * Return: true if @t was pending at some point during the call.
 */
bool timer_cancel_sync(struct timer *t)
{
	bool was = false, busy;
	unsigned long flags;
	struct timer_queue *q;

	for (;;) {
		q = timer_lock_queue(t, &flags);
		if (t->pending) {
			timer_detach(q, t);
			timer_reprogram(q);
			was = true;
		}
		busy = q->running == t;
		spin_unlock_irqrestore(&q->lock, flags);
		if (!busy)
			return was;
		arch_cpu_relax();
	}
}

/* Run @t's callback with the queue unlocked. Context: q->lock held. */
static void timer_run_one(struct timer_queue *q, struct timer *t)
{
	timer_detach(q, t);
	q->running = t;
	spin_unlock(&q->lock);
	t->fn(t);
	spin_lock(&q->lock);
	q->running = NULL;
}

/**
 * timer_cpu_start - program this CPU's hardware timer for its earliest
 * pending deadline; the arch calls it once the timer works, as timers may
 * have been armed before (calls to arch_timer_program() are skipped while
 * arch_timer_available() is false).
 *
 * Context: the CPU itself, interrupts off.
 */
void timer_cpu_start(void)
{
	struct timer_queue *q = timer_this_queue();

	KASSERT(!arch_irqs_enabled());
	spin_lock(&q->lock);
	q->programmed = 0;
	timer_reprogram(q);
	spin_unlock(&q->lock);
}

/**
 * timer_interrupt - run this CPU's expired timers in deadline order, then
 * program the hardware for the next deadline. Timers a callback arms for a
 * time already past run in this same call.
 *
 * Context: the per-CPU timer interrupt, interrupts off.
 */
void timer_interrupt(void)
{
	struct timer_queue *q = timer_this_queue();
	struct rb_node *n;
	u64 now;

	KASSERT(!arch_irqs_enabled());
	spin_lock(&q->lock);
	q->in_interrupt = true;
	q->programmed = 0;          /* one-shot: whatever was set has fired */
	now = clock_monotonic_ns();
	while ((n = rb_first_cached(&q->timers))) {
		struct timer *t = rb_entry(n, struct timer, node);

		if (t->expires > now)
			break;
		timer_run_one(q, t);
	}
	q->in_interrupt = false;
	timer_reprogram(q);
	spin_unlock(&q->lock);
}
