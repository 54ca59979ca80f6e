/*
 * Completions (see <keel/completion.h>).
 *
 * The count and the waiter list share the wait queue's lock, and a waiter
 * checks the count, queues itself and sets its sleep state in one hold of
 * that lock, so complete() either sees the waiter or the waiter sees the
 * count. Waiters are exclusive entries woken by default_wake_function
 * (they stay queued until they leave): complete() wakes the first one
 * still asleep, so two complete()s in a row wake two different waiters.
 * Whichever waiter takes the lock first with done > 0 takes the count; a
 * woken waiter that finds it taken sleeps again, keeping its place.
 */
#include <keel/completion.h>
#include <keel/errno.h>
#include <keel/sched.h>
#include <keel/spinlock.h>
#include <keel/time.h>
#include <keel/wait.h>

void init_completion(struct completion *x)
{
	x->done = 0;
	init_waitqueue_head(&x->wait);
}

void complete(struct completion *x)
{
	unsigned long flags = spin_lock_irqsave(&x->wait.lock);

	if (x->done != COMPLETION_ALL)
		x->done++;
	__wake_up_locked(&x->wait, WAKE_NORMAL, 1, NULL);
	spin_unlock_irqrestore(&x->wait.lock, flags);
}

void complete_all(struct completion *x)
{
	unsigned long flags = spin_lock_irqsave(&x->wait.lock);

	x->done = COMPLETION_ALL;
	__wake_up_locked(&x->wait, WAKE_NORMAL, 0, NULL);
	spin_unlock_irqrestore(&x->wait.lock, flags);
}

/* Take one completion. [wq] held, done > 0. */
static void completion_take(struct completion *x)
{
	if (x->done != COMPLETION_ALL)
		x->done--;
}

/*
 * Wait for @x in @state until @deadline (WAIT_NO_DEADLINE: none). Called
 * and returns with the lock held (interrupts off); sleeps unlocked.
 * Return: time left (>= 1) once a completion is taken, 0 on timeout,
 * -EINTR on a signal.
 */
static long completion_wait_locked(struct completion *x, long state,
				   u64 deadline, unsigned long *flags)
{
	struct wait_queue_entry we;
	long ret = 0;

	init_wait_entry(&we, WQ_FLAG_EXCLUSIVE);
	we.func = default_wake_function;
	__add_wait_queue_exclusive(&x->wait, &we);
	for (;;) {
		if (x->done) {
			completion_take(x);
			ret = wait_time_left(deadline);
			break;
		}
		if (state == THREAD_INTERRUPTIBLE &&
		    READ_ONCE(current->signal_pending)) {
			ret = -EINTR;
			break;
		}
		set_current_state(state);
		spin_unlock_irqrestore(&x->wait.lock, *flags);
		if (!wait_sleep_until(deadline)) {
			*flags = spin_lock_irqsave(&x->wait.lock);
			if (x->done)
				continue;     /* it came at the deadline */
			break;
		}
		*flags = spin_lock_irqsave(&x->wait.lock);
	}
	list_del_init(&we.entry);
	__set_current_state(THREAD_RUNNING);
	return ret;
}

static long completion_wait(struct completion *x, long state, u64 ns)
{
	unsigned long flags;
	long ret;

	might_sleep();
	flags = spin_lock_irqsave(&x->wait.lock);
	if (x->done) {
		completion_take(x);
		ret = wait_full_left(ns);
	} else {
		ret = completion_wait_locked(x, state, wait_deadline(ns),
					     &flags);
	}
	spin_unlock_irqrestore(&x->wait.lock, flags);
	return ret;
}

void wait_for_completion(struct completion *x)
{
	completion_wait(x, THREAD_UNINTERRUPTIBLE, SCHEDULE_TIMEOUT_MAX);
}

long wait_for_completion_timeout(struct completion *x, u64 ns)
{
	return completion_wait(x, THREAD_UNINTERRUPTIBLE, ns);
}

int wait_for_completion_interruptible(struct completion *x)
{
	long ret = completion_wait(x, THREAD_INTERRUPTIBLE,
				   SCHEDULE_TIMEOUT_MAX);

	return ret < 0 ? (int)ret : 0;
}

long wait_for_completion_interruptible_timeout(struct completion *x, u64 ns)
{
	return completion_wait(x, THREAD_INTERRUPTIBLE, ns);
}

bool try_wait_for_completion(struct completion *x)
{
	unsigned long flags;
	bool taken = false;

	/* Lockless "no": a complete() racing with this may be missed anyway. */
	if (!READ_ONCE(x->done))
		return false;
	flags = spin_lock_irqsave(&x->wait.lock);
	if (x->done) {
		completion_take(x);
		taken = true;
	}
	spin_unlock_irqrestore(&x->wait.lock, flags);
	return taken;
}

/*
 * Taking the lock once makes "true" mean the complete() that set done has
 * also released the lock, so the caller may free @x.
 */
bool completion_done(struct completion *x)
{
	unsigned long flags;
	bool done;

	if (!READ_ONCE(x->done))
		return false;
	flags = spin_lock_irqsave(&x->wait.lock);
	done = x->done != 0;
	spin_unlock_irqrestore(&x->wait.lock, flags);
	return done;
}
