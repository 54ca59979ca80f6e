/*
 * rt_mutex internals shared by kernel/locking/rtmutex.c (the lock) and
 * kernel/locking/rtmutex_proxy.c (the proxy operations of PI futexes).
 * Not for anyone else: the invariants are rtmutex.c's (read its header
 * comment first). [w] means the lock's wait_lock held.
 */
#ifndef KEEL_RTMUTEX_INTERNAL_H
#define KEEL_RTMUTEX_INTERNAL_H

#include <keel/rtmutex.h>
#include <keel/sched.h>

#define WALK_HOPS 4     /* steps remembered for a deadlock report */

struct pi_walk {
	struct thread *task;    /* origin: a thread that may wait, or NULL */
	struct rt_mutex *lock;  /* with detect: the lock the task blocks on */
	bool detect;            /* full walk with deadlock detection */
	/* For a report: why, and the first steps of the walk. */
	const char *why;
	unsigned int hops;
	struct {
		const struct rt_mutex *lock;
		char owner[THREAD_NAME_LEN];
	} hop[WALK_HOPS];
};

/* Set the word: @owner, pending or not, HAS_WAITERS iff anyone waits. [w] */
void rtm_set_owner(struct rt_mutex *lock, struct thread *owner, bool pending);
/* The first waiter, or NULL. [w] */
struct rt_mutex_waiter *rtm_top_waiter(struct rt_mutex *lock);
/* Queue @w behind its equals. [w] */
void rtm_waiter_enqueue(struct rt_mutex *lock, struct rt_mutex_waiter *w);
/* The pending owner runs now: clear RT_MUTEX_PENDING. [w] */
void rtm_take_over(struct rt_mutex *lock);
/*
 * @w's thread stops waiting: dequeue it and unwind the chain. Return:
 * false if the lock was handed to it meanwhile (it owns it now).
 * Context: no spinlocks but the caller's non-rt_mutex ones.
 */
bool rtm_waiter_leave(struct rt_mutex *lock, struct rt_mutex_waiter *w,
		      unsigned long ip);
/* Walk the chain from @pw->task. Return: 0 or -EDEADLK. */
int rtm_chain_walk(struct pi_walk *pw);
/* Report a deadlock through lockdep. */
void rtm_report_deadlock(const struct rt_mutex *lock, const struct pi_walk *pw,
			 const char *why, unsigned long ip);
/* Hand @lock (current's) to @top, or release it if @top is NULL. [w] */
void rtm_hand_over(struct rt_mutex *lock, struct rt_mutex_waiter *top);

#endif /* KEEL_RTMUTEX_INTERNAL_H */
