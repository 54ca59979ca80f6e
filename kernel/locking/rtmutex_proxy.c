/*
 * rt_mutex proxy operations for PI futexes (<keel/rtmutex.h>, "proxy
 * operations"). A PI futex's rt_mutex belongs to the thread the user word
 * names, whoever makes the call: a thread blocking on a futex owned by
 * another makes that one the owner (init_proxy_locked), FUTEX_CMP_REQUEUE_PI
 * queues other threads as waiters (start_proxy_lock), and the waiters
 * sleep and clean up themselves (wait/cleanup_proxy_lock).
 *
 * The invariants and lock order are kernel/locking/rtmutex.c's; what
 * differs is only who the thread is. Two rules keep the futex word and
 * the rt_mutex in step: these calls never steal a pending lock (the word
 * already names the pending owner), and the unlock lets the futex code
 * write the new owner into the word (commit) under wait_lock, at the
 * moment the top waiter is chosen.
 */
#include <keel/errno.h>
#include <keel/panic.h>
#include <keel/rtmutex.h>
#include <keel/sched.h>
#include <keel/time.h>
#include <keel/wait.h>

#include "rtmutex_internal.h"

#define _RET_IP_ ((unsigned long)__builtin_return_address(0))

void rt_mutex_init_proxy_locked(struct rt_mutex *lock, struct thread *owner)
{
	unsigned long flags = spin_lock_irqsave(&lock->wait_lock);

	KASSERT(!rt_mutex_owner(lock) && owner);
	rtm_set_owner(lock, owner, false);
	spin_unlock_irqrestore(&lock->wait_lock, flags);
}

void rt_mutex_proxy_unlock(struct rt_mutex *lock)
{
	unsigned long flags = spin_lock_irqsave(&lock->wait_lock);

	KASSERT(!rt_mutex_has_waiters(lock) && !lock->pi_top);
	lock->handoff = NULL;
	rtm_set_owner(lock, NULL, false);
	spin_unlock_irqrestore(&lock->wait_lock, flags);
}

/*
 * Make @t the owner if @lock is free; else set HAS_WAITERS (a flagged word
 * only changes under wait_lock). Never steals. Return: true if @t owns it.
 */
static bool take_or_mark(struct rt_mutex *lock, struct thread *t)
{
	unsigned long old = __atomic_load_n(&lock->owner, __ATOMIC_RELAXED);
	unsigned long new;

	for (;;) {
		if (!(old & ~RT_MUTEX_FLAGS))
			new = (unsigned long)t;     /* free: nobody waits */
		else if (old & RT_MUTEX_FLAGS)
			return false;
		else
			new = old | RT_MUTEX_HAS_WAITERS;
		if (__atomic_compare_exchange_n(&lock->owner, &old, new, false,
						__ATOMIC_ACQUIRE,
						__ATOMIC_RELAXED))
			return new == (unsigned long)t;
	}
}

int rt_mutex_start_proxy_lock(struct rt_mutex *lock, struct rt_mutex_waiter *w,
			      struct thread *t)
{
	struct pi_walk pw = { .task = t, .lock = lock, .detect = true };
	unsigned long flags = spin_lock_irqsave(&lock->wait_lock);
	int ret;

	w->task = t;
	w->lock = lock;
	if (rt_mutex_owner(lock) == t) {
		spin_unlock_irqrestore(&lock->wait_lock, flags);
		return -EDEADLK;
	}
	if (take_or_mark(lock, t)) {
		spin_unlock_irqrestore(&lock->wait_lock, flags);
		return 1;
	}
	RB_CLEAR_NODE(&w->tree_node);
	INIT_LIST_HEAD(&w->pi_link);
	spin_lock(&t->pi_lock);
	KASSERT(!t->pi_blocked_on);
	w->prio = sched_effective_prio(t);
	w->pi_prio = w->prio;
	t->pi_blocked_on = w;
	spin_unlock(&t->pi_lock);
	rtm_waiter_enqueue(lock, w);
	rtm_set_owner(lock, rt_mutex_owner(lock),
		      READ_ONCE(lock->owner) & RT_MUTEX_PENDING);
	spin_unlock_irqrestore(&lock->wait_lock, flags);

	ret = rtm_chain_walk(&pw);
	if (!ret)
		return 0;
	/*
	 * No lockdep report: a cycle of PI futexes is the user program's
	 * deadlock, which it learns of from -EDEADLK, not a kernel bug.
	 */
	if (!rtm_waiter_leave(lock, w, _RET_IP_))
		return 1;       /* handed to @t before it could leave */
	return ret;
}

int rt_mutex_wait_proxy_lock(struct rt_mutex *lock, struct rt_mutex_waiter *w,
			     u64 deadline, bool interruptible)
{
	long state = interruptible ? THREAD_INTERRUPTIBLE :
				     THREAD_UNINTERRUPTIBLE;
	unsigned long flags;
	int ret;

	KASSERT(w->task == current && w->lock == lock);
	for (;;) {
		set_current_state(state);
		flags = spin_lock_irqsave(&lock->wait_lock);
		ret = 1;
		if (rt_mutex_owner(lock) == current) {
			rtm_take_over(lock);
			ret = 0;
		} else if (interruptible &&
			   READ_ONCE(current->signal_pending)) {
			ret = -EINTR;
		} else if (deadline != WAIT_NO_DEADLINE &&
			   clock_monotonic_ns() >= deadline) {
			ret = -ETIMEDOUT;
		}
		spin_unlock_irqrestore(&lock->wait_lock, flags);
		if (ret <= 0)
			break;
		wait_sleep_until(deadline);
	}
	__set_current_state(THREAD_RUNNING);
	return ret;
}

bool rt_mutex_cleanup_proxy_lock(struct rt_mutex *lock,
				 struct rt_mutex_waiter *w)
{
	return !rtm_waiter_leave(lock, w, _RET_IP_);
}

int rt_mutex_futex_unlock(struct rt_mutex *lock,
			  int (*commit)(struct thread *next, void *arg),
			  void *arg)
{
	unsigned long flags = spin_lock_irqsave(&lock->wait_lock);
	struct rt_mutex_waiter *top = rtm_top_waiter(lock);
	int ret;

	KASSERT(rt_mutex_owner(lock) == current);
	ret = commit(top ? top->task : NULL, arg);
	if (!ret)
		rtm_hand_over(lock, top);
	spin_unlock_irqrestore(&lock->wait_lock, flags);
	return ret;
}

struct thread *rt_mutex_top_waiter_thread(struct rt_mutex *lock)
{
	unsigned long flags = spin_lock_irqsave(&lock->wait_lock);
	struct rt_mutex_waiter *top = rtm_top_waiter(lock);
	struct thread *t = top ? top->task : NULL;

	spin_unlock_irqrestore(&lock->wait_lock, flags);
	return t;
}
