/*
 * Wait queues (see <keel/wait.h>): queueing, the sleep-state handshake and
 * wake-ups.
 *
 * The handshake that makes wake-ups impossible to lose: a waiter queues its
 * entry and sets its sleep state under the queue lock, then (unlocked)
 * checks its condition and sleeps; a waker makes the condition true, then
 * takes the queue lock and wakes the entries. Either the waker's lock
 * comes after the waiter's unlock, and it finds the entry (and a sleep
 * state to reset), or before, and the waiter's lock acquisition orders the
 * condition store before the waiter's check.
 *
 * Entries live on their waiter's stack. A waker touches an entry only
 * under the queue lock, and a waiter always takes that lock to dequeue
 * (finish_wait), so an entry is never used after its waiter has returned.
 *
 * Locking: [wq] the queue lock, always with interrupts off (wake-ups come
 * from timer callbacks). Wake functions run under it and take run-queue
 * locks (wake_up_state), so the order is wait queue, then run queue.
 */
#include <keel/compiler.h>
#include <keel/errno.h>
#include <keel/list.h>
#include <keel/sched.h>
#include <keel/spinlock.h>
#include <keel/time.h>
#include <keel/wait.h>

bool default_wake_function(struct wait_queue_entry *we, unsigned int mode,
			   void *key)
{
	return wake_up_state(we->task, mode);
}

/*
 * Dequeuing on a successful wake makes the next wake-up pick another
 * waiter (an exclusive wake-up must reach a thread that has not already
 * been woken), and lets the woken thread tell it was woken by the queue.
 */
bool autoremove_wake_function(struct wait_queue_entry *we, unsigned int mode,
			      void *key)
{
	bool woken = default_wake_function(we, mode, key);

	if (woken)
		list_del_init(&we->entry);
	return woken;
}

void init_wait_entry(struct wait_queue_entry *we, unsigned int flags)
{
	we->flags = flags;
	we->task = current;
	we->func = autoremove_wake_function;
	INIT_LIST_HEAD(&we->entry);
}

/* ---- queueing ----------------------------------------------------------- */

/* Non-exclusive entries go first, so a wake-up reaches all of them. */
void __add_wait_queue(struct wait_queue_head *wq, struct wait_queue_entry *we)
{
	lock_assert_held(&wq->lock);
	we->flags &= ~WQ_FLAG_EXCLUSIVE;
	list_add(&we->entry, &wq->head);
}

void __add_wait_queue_exclusive(struct wait_queue_head *wq,
				struct wait_queue_entry *we)
{
	lock_assert_held(&wq->lock);
	we->flags |= WQ_FLAG_EXCLUSIVE;
	list_add_tail(&we->entry, &wq->head);
}

void add_wait_queue(struct wait_queue_head *wq, struct wait_queue_entry *we)
{
	unsigned long flags = spin_lock_irqsave(&wq->lock);

	__add_wait_queue(wq, we);
	spin_unlock_irqrestore(&wq->lock, flags);
}

void add_wait_queue_exclusive(struct wait_queue_head *wq,
			      struct wait_queue_entry *we)
{
	unsigned long flags = spin_lock_irqsave(&wq->lock);

	__add_wait_queue_exclusive(wq, we);
	spin_unlock_irqrestore(&wq->lock, flags);
}

void remove_wait_queue(struct wait_queue_head *wq,
		       struct wait_queue_entry *we)
{
	unsigned long flags = spin_lock_irqsave(&wq->lock);

	if (!list_empty(&we->entry))
		list_del_init(&we->entry);
	spin_unlock_irqrestore(&wq->lock, flags);
}

/* Queue @we (per its flags) unless it is queued. [wq] held. */
static void wait_enqueue(struct wait_queue_head *wq,
			 struct wait_queue_entry *we)
{
	if (!list_empty(&we->entry))
		return;
	if (we->flags & WQ_FLAG_EXCLUSIVE)
		__add_wait_queue_exclusive(wq, we);
	else
		__add_wait_queue(wq, we);
}

/* ---- the sleep handshake ------------------------------------------------ */

void prepare_to_wait(struct wait_queue_head *wq, struct wait_queue_entry *we,
		     long state)
{
	unsigned long flags = spin_lock_irqsave(&wq->lock);

	we->flags &= ~WQ_FLAG_EXCLUSIVE;
	wait_enqueue(wq, we);
	set_current_state(state);
	spin_unlock_irqrestore(&wq->lock, flags);
}

void prepare_to_wait_exclusive(struct wait_queue_head *wq,
			       struct wait_queue_entry *we, long state)
{
	unsigned long flags = spin_lock_irqsave(&wq->lock);

	we->flags |= WQ_FLAG_EXCLUSIVE;
	wait_enqueue(wq, we);
	set_current_state(state);
	spin_unlock_irqrestore(&wq->lock, flags);
}

/*
 * A pending signal ends an interruptible wait here, before the state is
 * set: the scheduler would not let the thread sleep anyway. The caller
 * checks its condition after this returns, so a waiter that was woken for
 * a true condition still succeeds.
 */
long prepare_to_wait_event(struct wait_queue_head *wq,
			   struct wait_queue_entry *we, long state)
{
	unsigned long flags = spin_lock_irqsave(&wq->lock);
	long ret = 0;

	if (state == THREAD_INTERRUPTIBLE &&
	    READ_ONCE(current->signal_pending)) {
		if (!list_empty(&we->entry))
			list_del_init(&we->entry);
		ret = -EINTR;
	} else {
		wait_enqueue(wq, we);
		set_current_state(state);
	}
	spin_unlock_irqrestore(&wq->lock, flags);
	return ret;
}

bool finish_wait_was_woken(struct wait_queue_head *wq,
			   struct wait_queue_entry *we)
{
	unsigned long flags;
	bool queued;

	__set_current_state(THREAD_RUNNING);
	flags = spin_lock_irqsave(&wq->lock);
	queued = !list_empty(&we->entry);
	if (queued)
		list_del_init(&we->entry);
	spin_unlock_irqrestore(&wq->lock, flags);
	return !queued;
}

void finish_wait(struct wait_queue_head *wq, struct wait_queue_entry *we)
{
	finish_wait_was_woken(wq, we);
}

/* ---- wake-ups ----------------------------------------------------------- */

void __wake_up_locked(struct wait_queue_head *wq, unsigned int mode,
		      unsigned int nr_exclusive, void *key)
{
	struct wait_queue_entry *we, *next;

	lock_assert_held(&wq->lock);
	/* _safe: the wake function may dequeue the entry. */
	list_for_each_entry_safe(we, next, &wq->head, entry) {
		unsigned int excl = we->flags & WQ_FLAG_EXCLUSIVE;

		if (we->func(we, mode, key) && excl && nr_exclusive &&
		    !--nr_exclusive)
			break;
	}
}

void __wake_up(struct wait_queue_head *wq, unsigned int mode,
	       unsigned int nr_exclusive, void *key)
{
	unsigned long flags = spin_lock_irqsave(&wq->lock);

	__wake_up_locked(wq, mode, nr_exclusive, key);
	spin_unlock_irqrestore(&wq->lock, flags);
}

/* ---- timeouts for the wait_event loops ---------------------------------- */

u64 wait_deadline(u64 ns)
{
	u64 now;

	if (ns == SCHEDULE_TIMEOUT_MAX)
		return WAIT_NO_DEADLINE;
	now = clock_monotonic_ns();
	return now + ns < now ? WAIT_NO_DEADLINE - 1 : now + ns;
}

long wait_time_left(u64 deadline)
{
	u64 now;

	if (deadline == WAIT_NO_DEADLINE)
		return WAIT_LEFT_MAX;
	now = clock_monotonic_ns();
	return deadline > now ? wait_full_left(deadline - now) : 1;
}

bool wait_sleep_until(u64 deadline)
{
	u64 now;

	if (deadline == WAIT_NO_DEADLINE) {
		schedule();
		return true;
	}
	now = clock_monotonic_ns();
	if (now >= deadline)
		return false;
	schedule_timeout(deadline - now);
	return true;
}
