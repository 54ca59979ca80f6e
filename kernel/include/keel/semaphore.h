/*
 * Counting semaphores.
 *
 * A semaphore holds a count of free units. down() takes one, sleeping
 * while there are none; up() returns one, handing it straight to the
 * longest waiter if there is one (strict FIFO: a new down() cannot take a
 * unit a sleeper is owed, so no waiter starves). Unlike a mutex a
 * semaphore has no owner: any thread, or an interrupt handler, may up()
 * what another thread took, which is why it is not tracked by lockdep
 * (a release by "the wrong thread" is normal here).
 *
 *	DEFINE_SEMAPHORE(name, n)        or sema_init(&obj->sem, n)
 *	down(&s) ... up(&s)
 *	down_interruptible(&s)           0, or -EINTR on a pending signal
 *	down_timeout(&s, ns)             0, or -ETIME when @ns ran out
 *	down_trylock(&s)                 0 when taken, 1 when not (Linux's
 *	                                 inverted convention: nonzero = busy)
 *
 * Prefer a mutex for mutual exclusion: it has an owner and lockdep
 * checking (and rt_mutex adds priority inheritance).
 *
 * Locking legend:
 *	[s]	the semaphore's lock, taken with interrupts off (up() may
 *		be called from interrupt handlers); before run-queue locks
 */
#ifndef KEEL_SEMAPHORE_H
#define KEEL_SEMAPHORE_H

#include <keel/list.h>
#include <keel/spinlock.h>
#include <keel/types.h>

struct semaphore {
	struct spinlock lock;
	unsigned int count;             /* [s] free units */
	struct list_head waiters;       /* [s] struct sema_waiter, FIFO */
};

#define SEMAPHORE_INIT(name, n)                                           \
	{ .lock = SPINLOCK_INIT, .count = (n),                            \
	  .waiters = LIST_HEAD_INIT((name).waiters) }
#define DEFINE_SEMAPHORE(name, n)                                         \
	struct semaphore name = SEMAPHORE_INIT(name, n)

/* Set up @sem with @count free units. @sem must not be in use. */
void sema_init(struct semaphore *sem, unsigned int count);

/*
 * down - take a unit, sleeping uninterruptibly until one is free.
 * Context: process context, may sleep.
 */
void down(struct semaphore *sem);
/* Return: 0 when taken, -EINTR on a pending signal (nothing taken). */
int down_interruptible(struct semaphore *sem);
/* Return: 0 when taken, -ETIME after @ns without one (nothing taken). */
int down_timeout(struct semaphore *sem, u64 ns);
/*
 * down_trylock - take a unit if one is free now (never while others wait
 * for one). Return: 0 when taken, 1 when not. Context: any.
 */
int down_trylock(struct semaphore *sem);
/* up - return a unit (to the first waiter, if any). Context: any. */
void up(struct semaphore *sem);

#endif /* KEEL_SEMAPHORE_H */
