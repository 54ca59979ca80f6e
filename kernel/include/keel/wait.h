/*
 * Wait queues: sleeping until a condition becomes true.
 *
 * A wait queue head is a list of sleeping threads under a spinlock. A
 * thread that must wait for a condition puts an entry on the queue, sets
 * its sleep state, re-checks the condition and sleeps; whoever makes the
 * condition true calls wake_up() on the queue afterwards.
 *
 *	DECLARE_WAIT_QUEUE_HEAD(name)       a static queue
 *	init_waitqueue_head(&obj->wq)       one in allocated memory or on
 *	                                    the stack (a statically
 *	                                    initialised lock's lockdep class
 *	                                    is its address)
 *
 *	wait_event(wq, cond)                sleep until cond (uninterruptible)
 *	wait_event_interruptible(wq, cond)  0, or -EINTR on a pending signal
 *	wait_event_timeout(wq, cond, ns)    ns left (>= 1), or 0: timed out
 *	wait_event_interruptible_timeout    the same, or -EINTR
 *	wait_event_exclusive, wait_event_interruptible_exclusive
 *	                                    as above, as an exclusive waiter
 *
 *	cond = true; wake_up(&wq);          wakes every non-exclusive waiter
 *	                                    and one exclusive waiter
 *	wake_up_nr(&wq, n)                  ... and n exclusive ones (0: all)
 *	wake_up_all(&wq)                    wakes everyone
 *
 * The condition is evaluated only after the entry is queued and the sleep
 * state set, so a wake_up() after the condition became true can never be
 * lost: either the waiter sees the condition, or the waker sees the entry.
 * The condition is an expression that may be evaluated many times and
 * must not sleep. Wait-queue users that need more control write the loop
 * themselves:
 *
 *	DEFINE_WAIT(w);
 *	for (;;) {
 *		prepare_to_wait(&wq, &w, THREAD_UNINTERRUPTIBLE);
 *		if (cond)
 *			break;
 *		schedule();
 *	}
 *	finish_wait(&wq, &w);
 *
 * Exclusive waiters model "only one of you can make progress" (a freed
 * resource): they queue behind the non-exclusive ones and wake_up() stops
 * after waking one of them. An exclusive waiter that was woken and finds
 * the condition true must consume it: the macros above always prefer
 * returning success over -EINTR or a timeout when the condition holds,
 * so a wake-up meant for one waiter is not dropped.
 *
 * Interruptible sleeps: a thread with t->signal_pending set is not put to
 * sleep in THREAD_INTERRUPTIBLE (the scheduler keeps it running), and the
 * interruptible waits then return -EINTR. A signal sender sets
 * signal_pending and calls wake_up_state(t, THREAD_INTERRUPTIBLE).
 *
 * Wake-ups may come from interrupt handlers: the queue lock is always taken
 * with interrupts off. Lock order: a wait-queue lock is taken before the
 * run-queue locks (wake_up_state); wake functions must not take another
 * wait queue's lock.
 *
 * Locking legend:
 *	[wq]	the queue's lock (struct wait_queue_head.lock)
 *	[I]	set before the entry is queued, read-only after
 */
#ifndef KEEL_WAIT_H
#define KEEL_WAIT_H

#include <keel/compiler.h>
#include <keel/errno.h>
#include <keel/list.h>
#include <keel/sched.h>
#include <keel/spinlock.h>
#include <keel/types.h>

struct wait_queue_entry;

/*
 * A wake function: called with the queue lock held (interrupts off) for
 * each entry a wake-up reaches. @mode is the sleep states to wake
 * (THREAD_INTERRUPTIBLE and/or THREAD_UNINTERRUPTIBLE), @key the wake-up's
 * cookie (NULL unless the waker passes one). Return: true if the entry's
 * thread was woken; only those count against an exclusive wake-up.
 */
typedef bool (*wait_queue_func_t)(struct wait_queue_entry *we,
				  unsigned int mode, void *key);

#define WQ_FLAG_EXCLUSIVE 0x1

struct wait_queue_entry {
	unsigned int flags;             /* [wq] WQ_FLAG_*, set as it queues */
	struct thread *task;            /* [I] the waiting thread */
	wait_queue_func_t func;         /* [I] how to wake it */
	struct list_head entry;         /* [wq] on the queue; empty when not */
};

struct wait_queue_head {
	struct spinlock lock;
	struct list_head head;          /* [wq] non-exclusive entries first,
					   then exclusive ones in FIFO order */
};

#define WAIT_QUEUE_HEAD_INIT(name)                                        \
	{ .lock = SPINLOCK_INIT, .head = LIST_HEAD_INIT((name).head) }
#define DECLARE_WAIT_QUEUE_HEAD(name)                                     \
	struct wait_queue_head name = WAIT_QUEUE_HEAD_INIT(name)

/*
 * init_waitqueue_head - set up a queue in allocated memory. A macro so the
 * lock's lockdep class is the call site (as with spin_lock_init).
 */
#define init_waitqueue_head(wq)                                           \
	do {                                                              \
		spin_lock_init(&(wq)->lock);                              \
		INIT_LIST_HEAD(&(wq)->head);                              \
	} while (0)

/* Wake the entry's thread if it sleeps in one of @mode's states. */
bool default_wake_function(struct wait_queue_entry *we, unsigned int mode,
			   void *key);
/* default_wake_function(), and take the entry off the queue if woken. */
bool autoremove_wake_function(struct wait_queue_entry *we, unsigned int mode,
			      void *key);

/*
 * init_wait_entry - an entry for the running thread, waking with
 * autoremove_wake_function, @flags WQ_FLAG_*, not queued.
 */
void init_wait_entry(struct wait_queue_entry *we, unsigned int flags);

#define DEFINE_WAIT_FUNC(name, function)                                  \
	struct wait_queue_entry name = {                                  \
		.task = current,                                          \
		.func = (function),                                       \
		.entry = LIST_HEAD_INIT((name).entry),                    \
	}
#define DEFINE_WAIT(name) DEFINE_WAIT_FUNC(name, autoremove_wake_function)

/*
 * Queue and dequeue an entry without touching the thread's state (for
 * callers with their own sleep loop). The __ forms expect the queue lock
 * held. Context: any; the locked forms take the lock with irqsave.
 */
void add_wait_queue(struct wait_queue_head *wq, struct wait_queue_entry *we);
void add_wait_queue_exclusive(struct wait_queue_head *wq,
			      struct wait_queue_entry *we);
void remove_wait_queue(struct wait_queue_head *wq,
		       struct wait_queue_entry *we);
void __add_wait_queue(struct wait_queue_head *wq, struct wait_queue_entry *we);
void __add_wait_queue_exclusive(struct wait_queue_head *wq,
				struct wait_queue_entry *we);

/*
 * prepare_to_wait - queue @we (if it is not queued) and set the running
 * thread's state to @state (THREAD_INTERRUPTIBLE or _UNINTERRUPTIBLE).
 * The caller then checks its condition and calls schedule().
 * _exclusive queues it as an exclusive waiter.
 * Context: process context.
 */
void prepare_to_wait(struct wait_queue_head *wq, struct wait_queue_entry *we,
		     long state);
void prepare_to_wait_exclusive(struct wait_queue_head *wq,
			       struct wait_queue_entry *we, long state);
/*
 * prepare_to_wait_event - prepare_to_wait() for the wait_event loops: the
 * entry's own flags say whether it is exclusive.
 * Return: 0, or -EINTR (entry dequeued, state untouched) when @state is
 * THREAD_INTERRUPTIBLE and a signal is pending.
 */
long prepare_to_wait_event(struct wait_queue_head *wq,
			   struct wait_queue_entry *we, long state);
/*
 * finish_wait - back to THREAD_RUNNING and off the queue (if still on it).
 * Context: process context.
 */
void finish_wait(struct wait_queue_head *wq, struct wait_queue_entry *we);
/*
 * finish_wait_was_woken - finish_wait() that also tells whether a wake-up
 * reached @we (an autoremove entry: it was taken off the queue by its wake
 * function), so a waiter that also timed out can still count the wake-up
 * as its own instead of dropping it.
 * Return: true if @we had been woken through the queue.
 */
bool finish_wait_was_woken(struct wait_queue_head *wq,
			   struct wait_queue_entry *we);

/*
 * __wake_up - wake the waiters of @wq sleeping in one of @mode's states:
 * every non-exclusive one and @nr_exclusive exclusive ones (0: all).
 * Context: any, interrupt handlers included. __wake_up_locked expects the
 * queue lock held.
 */
void __wake_up(struct wait_queue_head *wq, unsigned int mode,
	       unsigned int nr_exclusive, void *key);
void __wake_up_locked(struct wait_queue_head *wq, unsigned int mode,
		      unsigned int nr_exclusive, void *key);

#define WAKE_NORMAL (THREAD_INTERRUPTIBLE | THREAD_UNINTERRUPTIBLE)

#define wake_up(wq)          __wake_up(wq, WAKE_NORMAL, 1, NULL)
#define wake_up_nr(wq, nr)   __wake_up(wq, WAKE_NORMAL, nr, NULL)
#define wake_up_all(wq)      __wake_up(wq, WAKE_NORMAL, 0, NULL)
#define wake_up_locked(wq)   __wake_up_locked(wq, WAKE_NORMAL, 1, NULL)
#define wake_up_all_locked(wq) __wake_up_locked(wq, WAKE_NORMAL, 0, NULL)
#define wake_up_interruptible(wq)                                         \
	__wake_up(wq, THREAD_INTERRUPTIBLE, 1, NULL)
#define wake_up_interruptible_all(wq)                                     \
	__wake_up(wq, THREAD_INTERRUPTIBLE, 0, NULL)

/*
 * waitqueue_active - does @wq have waiters? Only a hint, unless the caller
 * holds the queue lock or made its condition true and then issued a full
 * barrier, as wq_has_sleeper() does: without the barrier the load of the
 * list may pass the store of the condition and miss a waiter that queued
 * itself and then read the old condition.
 */
static inline bool waitqueue_active(struct wait_queue_head *wq)
{
	return !list_empty(&wq->head);
}

static inline bool wq_has_sleeper(struct wait_queue_head *wq)
{
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	return waitqueue_active(wq);
}

/* ---- wait_event and friends -------------------------------------------- */

#define WAIT_NO_DEADLINE (~0ULL)
#define WAIT_LEFT_MAX    ((long)(~0UL >> 1))

/* The absolute deadline @ns from now (SCHEDULE_TIMEOUT_MAX: none). */
u64 wait_deadline(u64 ns);
/* A whole timeout of @ns as a "condition true" return: 1..WAIT_LEFT_MAX. */
static inline long wait_full_left(u64 ns)
{
	if (ns > (u64)WAIT_LEFT_MAX)
		return WAIT_LEFT_MAX;
	return ns ? (long)ns : 1;
}
/* Nanoseconds to @deadline, at least 1 (success must not look like 0). */
long wait_time_left(u64 deadline);
/*
 * Sleep in the state the caller set, until woken or @deadline.
 * Return: false without sleeping when @deadline has passed.
 */
bool wait_sleep_until(u64 deadline);

/*
 * The common loop. Evaluates to the time left (>= 1) when @cond became
 * true, 0 on timeout, or -EINTR (interruptible only). @cond is checked
 * before the signal and the deadline, so a waiter that got what it was
 * woken for takes it.
 */
#define ___wait_event(wq, cond, state, flags, deadline)                   \
	({                                                                \
		struct wait_queue_entry __we;                             \
		u64 __dl = (deadline);                                    \
		long __ret;                                               \
									  \
		init_wait_entry(&__we, (flags));                          \
		for (;;) {                                                \
			long __int = prepare_to_wait_event((wq), &__we,   \
							   (state));      \
			if (cond) {                                       \
				__ret = wait_time_left(__dl);             \
				break;                                    \
			}                                                 \
			if (__int) {                                      \
				__ret = __int;                            \
				break;                                    \
			}                                                 \
			if (!wait_sleep_until(__dl)) {                    \
				__ret = 0;                                \
				break;                                    \
			}                                                 \
		}                                                         \
		finish_wait((wq), &__we);                                 \
		__ret;                                                    \
	})

/* The fast path: a true condition never touches the queue. */
#define __wait_event(wq, cond, state, flags, ns)                          \
	({                                                                \
		u64 __ns = (ns);                                          \
		long __r;                                                 \
									  \
		might_sleep();                                            \
		if (cond)                                                 \
			__r = wait_full_left(__ns);                       \
		else                                                      \
			__r = ___wait_event(wq, cond, state, flags,       \
					    wait_deadline(__ns));         \
		__r;                                                      \
	})

/*
 * wait_event - sleep uninterruptibly until @cond is true.
 * Context: process context, may sleep.
 */
#define wait_event(wq, cond)                                              \
	((void)__wait_event(wq, cond, THREAD_UNINTERRUPTIBLE, 0,          \
			    SCHEDULE_TIMEOUT_MAX))
#define wait_event_exclusive(wq, cond)                                    \
	((void)__wait_event(wq, cond, THREAD_UNINTERRUPTIBLE,             \
			    WQ_FLAG_EXCLUSIVE, SCHEDULE_TIMEOUT_MAX))

/*
 * wait_event_interruptible - sleep until @cond is true or a signal is
 * pending. Return: 0 (@cond true) or -EINTR. Context: process, may sleep.
 */
#define wait_event_interruptible(wq, cond)                                \
	({                                                                \
		long __w = __wait_event(wq, cond, THREAD_INTERRUPTIBLE,   \
					0, SCHEDULE_TIMEOUT_MAX);         \
		__w < 0 ? (int)__w : 0;                                   \
	})
#define wait_event_interruptible_exclusive(wq, cond)                      \
	({                                                                \
		long __w = __wait_event(wq, cond, THREAD_INTERRUPTIBLE,   \
					WQ_FLAG_EXCLUSIVE,                \
					SCHEDULE_TIMEOUT_MAX);            \
		__w < 0 ? (int)__w : 0;                                   \
	})

/*
 * wait_event_timeout - sleep uninterruptibly until @cond is true or @ns
 * nanoseconds have passed.
 * Return: 0 if @cond was still false when the time ran out, else the time
 * left, at least 1 (so @cond turning true at the deadline is success).
 * Context: process context, may sleep.
 */
#define wait_event_timeout(wq, cond, ns)                                  \
	__wait_event(wq, cond, THREAD_UNINTERRUPTIBLE, 0, ns)

/*
 * wait_event_interruptible_timeout - the same, ending early with -EINTR
 * when a signal is pending (and @cond is false).
 */
#define wait_event_interruptible_timeout(wq, cond, ns)                    \
	__wait_event(wq, cond, THREAD_INTERRUPTIBLE, 0, ns)

#endif /* KEEL_WAIT_H */
