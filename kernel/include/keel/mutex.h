/*
 * Mutexes: sleeping mutual exclusion with an owner.
 *
 *	DEFINE_MUTEX(name)               a static mutex
 *	mutex_init(&obj->lock)           one in allocated memory; its lockdep
 *	                                 class is this call site
 *	mutex_lock(&m) ... mutex_unlock(&m)
 *	mutex_lock_interruptible(&m)     0, or -EINTR on a pending signal
 *	mutex_trylock(&m)                true when taken
 *	mutex_is_locked(&m), mutex_owner(&m)
 *
 * Rules: only the thread that locked a mutex unlocks it; a mutex is not
 * taken recursively; it is not used from interrupt handlers; it may be
 * held across sleeps but not across a thread's exit.
 *
 * Fairness: an uncontended lock or unlock is one compare-and-swap on the
 * owner word. Once threads wait, mutex_unlock() hands the mutex directly
 * to the longest waiter (the owner word never reads "free" in between),
 * so waiters are served in FIFO order and none starves; newcomers queue
 * behind them.
 *
 * Misuse is reported through lockdep (lockdep_report) and survived:
 *  - mutex_unlock() by a thread that is not the owner, or of a free
 *    mutex: reported, and nothing changes (the owner keeps the mutex).
 *  - mutex_lock() by the owner (it would sleep forever): reported, and
 *    the acquisition is skipped and remembered, so the matching
 *    mutex_unlock() is skipped too and the outer holder keeps the mutex
 *    (the behaviour of the spinlock checker for recursive spin_lock).
 *    mutex_lock_interruptible() reports and returns -EDEADLK instead
 *    (the caller, seeing an error, does not unlock); mutex_trylock() by
 *    the owner just fails, as it would for any other thread.
 * The lock order between mutexes and other locks, and taking a mutex in
 * atomic context, are checked through the embedded lockdep map
 * (<keel/lockdep.h>).
 *
 * Locking legend:
 *	[a]	atomic accesses by any thread
 *	[w]	wait_lock (a spinlock taken with interrupts on: no mutex
 *		operation runs in an interrupt handler); taken before
 *		run-queue locks (wake-ups)
 *	[o]	only the owner
 */
#ifndef KEEL_MUTEX_H
#define KEEL_MUTEX_H

#include <keel/list.h>
#include <keel/lockdep.h>
#include <keel/spinlock.h>
#include <keel/types.h>

struct thread;

/* Low bit of the owner word: threads are queued (unlock must hand off). */
#define MUTEX_FLAG_WAITERS 0x1UL

struct mutex {
	unsigned long owner;            /* [a] struct thread * | FLAG_WAITERS;
					   written under [w] while waiters
					   exist */
	struct spinlock wait_lock;
	struct list_head waiters;       /* [w] struct mutex_waiter, FIFO */
	unsigned int nested;            /* [o] skipped recursive locks */
	struct lockdep_map dep_map;     /* checker state (lockdep.h) */
};

#define MUTEX_INIT(name)                                                  \
	{ .owner = 0, .wait_lock = SPINLOCK_INIT,                         \
	  .waiters = LIST_HEAD_INIT((name).waiters), .nested = 0,         \
	  .dep_map = { .key = NULL, .class = 0 } }
#define DEFINE_MUTEX(name) struct mutex name = MUTEX_INIT(name)

void __mutex_init(struct mutex *m, struct lock_class_key *key);

/*
 * mutex_init - set up @m, unlocked. A macro so each call site is its own
 * lockdep class (all mutexes initialised there share it).
 */
#if CONFIG_LOCK_DEBUG
#define mutex_init(m)                                                     \
	do {                                                              \
		static struct lock_class_key __key = {                    \
			.name = __LOCK_SITE(#m),                          \
		};                                                        \
		__mutex_init((m), &__key);                                \
	} while (0)
#else
#define mutex_init(m) __mutex_init((m), NULL)
#endif

/*
 * mutex_lock - take @m, sleeping uninterruptibly while another thread
 * holds it. Context: process context, may sleep; no spinlock held.
 */
void mutex_lock(struct mutex *m);
/*
 * mutex_lock_interruptible - the same, giving up when a signal is
 * pending. Return: 0 (taken), -EINTR (not taken), or -EDEADLK when the
 * caller already holds @m (reported; not taken again).
 */
int mutex_lock_interruptible(struct mutex *m);
/*
 * mutex_trylock - take @m only if it is free and nobody waits for it.
 * Return: true if taken. Context: process context (it records an owner).
 */
bool mutex_trylock(struct mutex *m);
/*
 * mutex_unlock - release @m, handing it to the first waiter if any.
 * Context: the owner, process context; does not sleep.
 */
void mutex_unlock(struct mutex *m);

/* The thread holding @m, or NULL. A snapshot. Context: any. */
static inline struct thread *mutex_owner(struct mutex *m)
{
	return (struct thread *)(__atomic_load_n(&m->owner, __ATOMIC_RELAXED) &
				 ~MUTEX_FLAG_WAITERS);
}

/* True while some thread holds @m. A snapshot. Context: any. */
static inline bool mutex_is_locked(struct mutex *m)
{
	return mutex_owner(m) != NULL;
}

#endif /* KEEL_MUTEX_H */
