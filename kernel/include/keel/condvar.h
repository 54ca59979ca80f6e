/*
 * Condition variables on a mutex (Mesa semantics).
 *
 * A condition variable lets a thread holding a mutex sleep until another
 * thread changes the state that mutex protects:
 *
 *	mutex_lock(&m);                          mutex_lock(&m);
 *	while (!ready)                           ready = true;
 *		cond_wait(&cv, &m);              cond_signal(&cv);
 *	... use the state ...                    mutex_unlock(&m);
 *	mutex_unlock(&m);
 *
 * cond_wait() releases the mutex and sleeps as one step with respect to
 * cond_signal() (a signal sent after the waiter released the mutex finds
 * it waiting), and takes the mutex again before it returns. Mesa
 * semantics: a woken waiter competes for the mutex like anybody else, so
 * the state may have changed again by the time it runs, and cond_wait()
 * may also return without a signal. Always wait in a loop on the
 * predicate.
 *
 *	DEFINE_CONDVAR(name)           or cond_init(&obj->cv)
 *	cond_wait(&cv, &m)             the caller holds @m
 *	cond_wait_timeout(&cv, &m, ns) ns left (>= 1) when woken, 0 timed out
 *	cond_signal(&cv)               wake one waiter (the longest waiting)
 *	cond_broadcast(&cv)            wake all waiters
 *
 * Signalling does not require holding the mutex, but changing the
 * predicate does (else a waiter can test it, miss the change and sleep
 * through the signal).
 *
 * Waiting without holding the mutex is reported through lockdep and
 * returns at once (a spurious wake-up, which callers handle anyway).
 *
 * Locking: the embedded wait queue's lock (see <keel/wait.h>); it is never
 * held together with the mutex's internal lock.
 */
#ifndef KEEL_CONDVAR_H
#define KEEL_CONDVAR_H

#include <keel/mutex.h>
#include <keel/types.h>
#include <keel/wait.h>

struct condvar {
	struct wait_queue_head wait;    /* exclusive waiters, FIFO */
};

#define CONDVAR_INIT(name) { .wait = WAIT_QUEUE_HEAD_INIT((name).wait) }
#define DEFINE_CONDVAR(name) struct condvar name = CONDVAR_INIT(name)

/* Set up @cv. Context: any; @cv must not be in use. */
void cond_init(struct condvar *cv);

/*
 * cond_wait - release @m, sleep until signalled, take @m again.
 * Context: process context, holding @m (not recursively); may sleep.
 */
void cond_wait(struct condvar *cv, struct mutex *m);
/*
 * cond_wait_timeout - cond_wait() for at most @ns.
 * Return: 0 if the time ran out without a signal, else the time left (at
 * least 1: a signal that arrived with the deadline counts as a signal).
 * @m is held again either way.
 */
long cond_wait_timeout(struct condvar *cv, struct mutex *m, u64 ns);
/*
 * cond_signal - wake the longest-waiting thread, if any; cond_broadcast -
 * wake them all. Context: any.
 */
void cond_signal(struct condvar *cv);
void cond_broadcast(struct condvar *cv);

#endif /* KEEL_CONDVAR_H */
