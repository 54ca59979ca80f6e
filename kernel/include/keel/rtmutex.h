/*
 * rt_mutex: a sleeping lock with transitive priority inheritance.
 *
 * A thread that blocks on an rt_mutex lends its effective priority to the
 * owner, and through the owner to the owner of any rt_mutex the owner is
 * itself blocked on, and so on down the chain. So a high-priority thread
 * waits at most for the critical sections in its way, never for unrelated
 * medium-priority work (priority inversion). Linux's rt_mutex semantics:
 *
 *	DEFINE_RT_MUTEX(name);			a static lock
 *	rt_mutex_init(&obj->lock);		one in allocated memory
 *
 *	rt_mutex_lock(l)			0, or -EDEADLK
 *	rt_mutex_lock_interruptible(l)		0, -EINTR or -EDEADLK
 *	rt_mutex_timed_lock(l, ns)		0, -ETIMEDOUT, -EINTR, -EDEADLK
 *	rt_mutex_trylock(l)			1 if taken, 0 if not
 *	rt_mutex_unlock(l)
 *	rt_mutex_is_locked(l), rt_mutex_owner(l)
 *	rt_mutex_adjust_pi(t)			@t's own priority changed
 *	rt_mutex_*_proxy_*, rt_mutex_futex_unlock	for PI futexes (below)
 *
 * Waiters are served in priority order: the highest effective real-time
 * priority first, first-come first-served among equals, SCHED_NORMAL
 * waiters after every real-time one. Unlock hands the lock to the top
 * waiter as its pending owner; until that thread runs, a thread of
 * strictly higher priority may take the lock from it (which puts it back
 * in the queue). See kernel/locking/rtmutex.c for why.
 *
 * The lock calls never return -EDEADLK in a correct program: it means the
 * caller would have waited forever (the chain of owners comes back to it,
 * or is longer than RT_MUTEX_MAX_CHAIN, which only a cycle elsewhere
 * produces). The lock is then not held, and the checker (lockdep) has
 * printed a report.
 *
 * The owner word holds the owning thread's address, with bit 0 set while
 * there are waiters (or one is arriving) and bit 1 while the owner is a
 * pending one. With either set the lock-free fast paths (a
 * compare-and-swap from 0 to current, and back) fail, and every
 * ownership change happens under wait_lock.
 *
 * Locking legend for struct rt_mutex:
 *	[w]	wait_lock
 *	[w+o]	wait_lock and the owner's pi_lock, both to write; either to read
 *	[a]	single-copy atomic: written under [w] or by the lock-free fast
 *		paths, read anywhere (racy reads are hints)
 *	[I]	set at init
 * Lock order (docs/locking.md): wait_lock, then a thread's pi_lock, then
 * run-queue locks; never two pi_locks at once, and two wait_locks only in
 * the chain walk (kernel/locking/rtmutex.c says how).
 */
#ifndef KEEL_RTMUTEX_H
#define KEEL_RTMUTEX_H

#include <keel/compiler.h>
#include <keel/lockdep.h>
#include <keel/list.h>
#include <keel/rbtree.h>
#include <keel/spinlock.h>
#include <keel/types.h>

struct thread;

/* Linux's max_lock_depth: longer chains are treated as deadlocks. */
#define RT_MUTEX_MAX_CHAIN 1024

/* Owner word flags; either makes the owner unlock through the slow path. */
#define RT_MUTEX_HAS_WAITERS 1UL  /* someone waits, or is about to */
#define RT_MUTEX_PENDING     2UL  /* handed over; the owner has not run yet */
#define RT_MUTEX_FLAGS       3UL

struct rt_mutex {
	struct spinlock wait_lock;
	unsigned long owner;              /* [a] thread | RT_MUTEX_FLAGS */
	struct rb_root_cached waiters;    /* [w] by priority, leftmost first */
	struct rt_mutex_waiter *pi_top;   /* [w+o] the waiter this lock has
					     in owner->pi_waiters, or NULL */
	struct rt_mutex_waiter *handoff;  /* [w] the pending owner's waiter,
					     while RT_MUTEX_PENDING */
	struct lockdep_map dep_map;       /* [I] */
};

/*
 * One blocked thread, on its own stack for as long as it waits. It is
 * queued in the lock's tree; when it is the lock's top waiter it is also
 * on the owner's pi_waiters list, by which the owner is boosted.
 */
struct rt_mutex_waiter {
	struct rb_node tree_node;   /* [w] in lock->waiters; cleared when out */
	struct list_head pi_link;   /* [owner's pi_lock] in owner->pi_waiters */
	struct thread *task;        /* [I] the thread waiting */
	struct rt_mutex *lock;      /* [I] the lock it waits for */
	int prio;                   /* [w] key in lock->waiters */
	int pi_prio;                /* [owner's pi_lock] key in pi_waiters */
};

#define __RT_MUTEX_INITIALIZER(name)                                       \
	{                                                                  \
		.wait_lock = SPINLOCK_INIT, .owner = 0,                    \
		.waiters = { .rb_root = { NULL }, .rb_leftmost = NULL },   \
		.pi_top = NULL, .handoff = NULL,                           \
		.dep_map = { .key = NULL, .class = 0 },                    \
	}

/* A static rt_mutex; its lockdep class is its own address. */
#define DEFINE_RT_MUTEX(name) \
	struct rt_mutex name = __RT_MUTEX_INITIALIZER(name)

void __rt_mutex_init(struct rt_mutex *lock, struct lock_class_key *key);

/* Set up an rt_mutex in allocated memory; its class is this call site. */
#if CONFIG_LOCK_DEBUG
#define rt_mutex_init(l)                                                   \
	do {                                                               \
		static struct lock_class_key __key = {                     \
			.name = __LOCK_SITE(#l),                           \
		};                                                         \
		__rt_mutex_init((l), &__key);                              \
	} while (0)
#else
#define rt_mutex_init(l) __rt_mutex_init((l), NULL)
#endif

/**
 * rt_mutex_lock - take @lock, sleeping (uninterruptibly) while it is held,
 * lending the caller's priority down the chain of owners meanwhile.
 * Context: process context, may sleep.
 * Return: 0 with @lock held, or -EDEADLK (not held; see above).
 */
int rt_mutex_lock(struct rt_mutex *lock);

/**
 * rt_mutex_lock_interruptible - like rt_mutex_lock, but a signal
 * (current->signal_pending) ends the wait.
 * Context: process context, may sleep.
 * Return: 0 with @lock held, -EINTR, or -EDEADLK.
 */
int rt_mutex_lock_interruptible(struct rt_mutex *lock);

/**
 * rt_mutex_timed_lock - like rt_mutex_lock_interruptible, but give up after
 * @timeout_ns nanoseconds of waiting.
 * Context: process context, may sleep.
 * Return: 0 with @lock held, -ETIMEDOUT, -EINTR or -EDEADLK.
 */
int rt_mutex_timed_lock(struct rt_mutex *lock, u64 timeout_ns);

/**
 * rt_mutex_trylock - take @lock if it is free, or pending for a thread of
 * lower priority than the caller's; never sleeps.
 * Context: process context (the owner must be a thread).
 * Return: 1 with @lock held, 0 if not (held by anyone, caller included).
 */
int rt_mutex_trylock(struct rt_mutex *lock);

/**
 * rt_mutex_unlock - release @lock, which the caller holds: hand it to the
 * top waiter, if any, and drop the priority that waiter lent the caller.
 * Context: process context, the owner. Does not sleep (it may be
 * preempted by the new owner on the way out).
 */
void rt_mutex_unlock(struct rt_mutex *lock);

/**
 * rt_mutex_adjust_pi - @t's own priority changed (sched_setscheduler):
 * if @t waits on an rt_mutex, re-sort it there and re-apply the chain.
 * Context: process context, no spinlocks; @t must stay allocated.
 */
void rt_mutex_adjust_pi(struct thread *t);

/* The owner, or NULL. A racy snapshot unless the caller is the owner. */
static inline struct thread *rt_mutex_owner(const struct rt_mutex *lock)
{
	return (struct thread *)(READ_ONCE(lock->owner) & ~RT_MUTEX_FLAGS);
}

static inline bool rt_mutex_is_locked(const struct rt_mutex *lock)
{
	return rt_mutex_owner(lock) != NULL;
}

/* Does anyone wait? A racy snapshot (for tests and statistics). */
static inline bool rt_mutex_has_waiters(const struct rt_mutex *lock)
{
	return READ_ONCE(lock->waiters.rb_leftmost) != NULL;
}

/* ---- proxy operations, for PI futexes (kernel/ipc/futex_pi.c) ------------
 *
 * A PI futex's rt_mutex is owned on behalf of whichever thread the user
 * word names, which need not be the thread calling, and a waiter may be
 * queued by another thread (FUTEX_CMP_REQUEUE_PI). These calls make no
 * lockdep acquire/release: the lock is held across returns to user mode.
 * They never steal a pending lock (the futex word must name the owner),
 * and the owner of a lock with waiters must not exit before handing it on.
 */

/**
 * rt_mutex_init_proxy_locked - set @lock up as owned by @owner, no waiters.
 * Context: @lock not yet visible to anyone else.
 */
void rt_mutex_init_proxy_locked(struct rt_mutex *lock, struct thread *owner);

/**
 * rt_mutex_proxy_unlock - release @lock, held by any thread, which nobody
 * waits for (the futex state that held it goes away).
 * Context: any thread context.
 */
void rt_mutex_proxy_unlock(struct rt_mutex *lock);

/**
 * rt_mutex_start_proxy_lock - queue @w for thread @t on @lock and lend
 * @t's priority down the chain; or, if @lock is free, make @t its owner.
 * @t must be asleep or current, and then wait with
 * rt_mutex_wait_proxy_lock() (or be cleaned up by someone on its behalf).
 * Context: may be called with spinlocks held (not a wait_lock or pi_lock);
 * does not sleep.
 * Return: 1 @t owns @lock, 0 queued, -EDEADLK (@t owns @lock, or the
 * chain comes back to @t: not queued, and not reported to lockdep, since
 * a cycle of PI futexes is a user program's bug).
 */
int rt_mutex_start_proxy_lock(struct rt_mutex *lock, struct rt_mutex_waiter *w,
			      struct thread *t);

/**
 * rt_mutex_wait_proxy_lock - current sleeps as @w (queued by
 * rt_mutex_start_proxy_lock()) until @lock is handed to it, a signal comes
 * (@interruptible) or the CLOCK_MONOTONIC @deadline (ns; ~0: none) passes.
 * On failure @w stays queued: call rt_mutex_cleanup_proxy_lock().
 * Context: process context, may sleep.
 * Return: 0 owner now, -EINTR, -ETIMEDOUT.
 */
int rt_mutex_wait_proxy_lock(struct rt_mutex *lock, struct rt_mutex_waiter *w,
			     u64 deadline, bool interruptible);

/**
 * rt_mutex_cleanup_proxy_lock - take @w off @lock after a failed wait,
 * unless the lock was handed to its thread meanwhile.
 * Context: as rt_mutex_start_proxy_lock().
 * Return: true if @w's thread owns @lock (it should keep it), else false.
 */
bool rt_mutex_cleanup_proxy_lock(struct rt_mutex *lock,
				 struct rt_mutex_waiter *w);

/**
 * rt_mutex_futex_unlock - current releases @lock: hand it to the top
 * waiter, or release it if none waits, provided @commit(@next, @arg)
 * agrees first. @commit runs with the wait_lock held (interrupts off, so
 * it must not sleep) and @next is the thread that will own @lock (NULL:
 * nobody); a nonzero return cancels the unlock.
 * Context: the owner, process context. Return: @commit's return.
 */
int rt_mutex_futex_unlock(struct rt_mutex *lock,
			  int (*commit)(struct thread *next, void *arg),
			  void *arg);

/* The thread of @lock's top waiter, or NULL: a snapshot. */
struct thread *rt_mutex_top_waiter_thread(struct rt_mutex *lock);

#endif /* KEEL_RTMUTEX_H */
