/*
 * Completions: "wait until this has happened", counted.
 *
 * A completion counts complete() calls; each waiter consumes one, so N
 * complete() calls release N waiters (now or later), in the order they
 * started waiting. complete_all() releases every waiter, present and
 * future, until reinit_completion().
 *
 *	DECLARE_COMPLETION(done)           or init_completion(&obj->done)
 *	t = kthread_run(worker, &done, ...)
 *	wait_for_completion(&done);        ...  complete(&done);   (in worker)
 *
 *	wait_for_completion_timeout(&c, ns)    ns left (>= 1), or 0: timed out
 *	wait_for_completion_interruptible(&c)  0, or -EINTR
 *	wait_for_completion_interruptible_timeout  ns left, 0 or -EINTR
 *	try_wait_for_completion(&c)        consume one without sleeping
 *	completion_done(&c)                would a waiter pass right now?
 *	reinit_completion(&c)              back to not done (no waiters left)
 *
 * A waiter woken by complete() always takes the count, even if a signal
 * or its timeout arrive at the same moment, so no complete() is lost.
 * complete() and complete_all() may be called from interrupt handlers.
 *
 * Locking legend:
 *	[wq]	wait.lock (with interrupts off)
 */
#ifndef KEEL_COMPLETION_H
#define KEEL_COMPLETION_H

#include <keel/types.h>
#include <keel/wait.h>

/* done == COMPLETION_ALL: complete_all() was called. */
#define COMPLETION_ALL (~0U)

struct completion {
	unsigned int done;              /* [wq] complete()s not yet consumed */
	struct wait_queue_head wait;    /* exclusive waiters, FIFO */
};

#define COMPLETION_INITIALIZER(name)                                      \
	{ .done = 0, .wait = WAIT_QUEUE_HEAD_INIT((name).wait) }
#define DECLARE_COMPLETION(name)                                          \
	struct completion name = COMPLETION_INITIALIZER(name)

/* Set up @x, not done. Context: any; @x must not be in use. */
void init_completion(struct completion *x);

/*
 * reinit_completion - make @x not done again, for reuse. Only when no
 * thread waits on it and no complete() is in flight.
 */
static inline void reinit_completion(struct completion *x)
{
	WRITE_ONCE(x->done, 0);
}

/*
 * complete - count one completion and wake the first waiter, if any.
 * complete_all - release all waiters, now and until reinit_completion().
 * Context: any, interrupt handlers included.
 */
void complete(struct completion *x);
void complete_all(struct completion *x);

/*
 * wait_for_completion - sleep (uninterruptibly) until @x is completed and
 * take one completion. Context: process context, may sleep.
 */
void wait_for_completion(struct completion *x);
/*
 * wait_for_completion_timeout - the same, for at most @ns.
 * Return: 0 on timeout, else the time left (at least 1).
 */
long wait_for_completion_timeout(struct completion *x, u64 ns);
/* Return: 0, or -EINTR when a signal is pending (nothing consumed). */
int wait_for_completion_interruptible(struct completion *x);
/* Return: the time left (>= 1), 0 on timeout, or -EINTR. */
long wait_for_completion_interruptible_timeout(struct completion *x, u64 ns);

/*
 * try_wait_for_completion - take one completion if there is one.
 * Return: true if taken. Context: any.
 */
bool try_wait_for_completion(struct completion *x);
/*
 * completion_done - true if a waiter would not sleep now. Once it returns
 * true after a complete(), that complete() has finished with @x, so @x
 * may be freed. Context: any.
 */
bool completion_done(struct completion *x);

#endif /* KEEL_COMPLETION_H */
