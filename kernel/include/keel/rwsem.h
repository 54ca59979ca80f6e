/*
 * Read-write semaphores: many readers or one writer, sleeping.
 *
 *	DECLARE_RWSEM(name)               a static one
 *	init_rwsem(&obj->sem)             one in allocated memory; its lockdep
 *	                                  class is this call site
 *	down_read / down_read_trylock / up_read
 *	down_write / down_write_trylock / up_write
 *	downgrade_write                   writer becomes a reader, atomically
 *
 * Fairness: waiters queue in arrival order and are granted from the head
 * of the queue, so a writer waiting behind readers makes new readers queue
 * behind it (no writer starvation), and readers that queued behind a
 * writer get in together when it leaves (no reader starvation). The
 * trylocks fail whenever anybody waits.
 *
 * A writer has an owner: up_write() by another thread is reported through
 * lockdep and ignored. up_read() with no reader holding the semaphore is
 * reported and ignored too. A thread must not take the semaphore again,
 * for reading or writing, while it holds it: a second down_read() would
 * deadlock behind a queued writer. The writer doing so is caught (it is
 * the recorded owner): reported, and, as for a mutex, the acquisition and
 * its matching release are skipped. A reader's recursion is lockdep's to
 * find: acquisitions are tracked through the embedded map, readers and
 * writers alike.
 *
 * Locking legend:
 *	[w]	wait_lock (taken with interrupts on: not for interrupt
 *		handlers); taken before run-queue locks (wake-ups)
 *	[o]	only the writer
 */
#ifndef KEEL_RWSEM_H
#define KEEL_RWSEM_H

#include <keel/list.h>
#include <keel/lockdep.h>
#include <keel/spinlock.h>
#include <keel/types.h>

struct thread;

#define RWSEM_WRITER (-1L)

struct rw_semaphore {
	long count;                     /* [w], read [a]: readers holding it
					   (> 0), RWSEM_WRITER, or 0 free */
	struct thread *owner;           /* [w], read [a]: the writer */
	unsigned int nested;            /* [o] skipped recursive locks */
	struct spinlock wait_lock;
	struct list_head waiters;       /* [w] struct rwsem_waiter, FIFO */
	struct lockdep_map dep_map;     /* checker state (lockdep.h) */
};

#define RWSEM_INIT(name)                                                  \
	{ .count = 0, .owner = NULL, .nested = 0,                         \
	  .wait_lock = SPINLOCK_INIT,                                     \
	  .waiters = LIST_HEAD_INIT((name).waiters),                      \
	  .dep_map = { .key = NULL, .class = 0 } }
#define DECLARE_RWSEM(name) struct rw_semaphore name = RWSEM_INIT(name)

void __init_rwsem(struct rw_semaphore *sem, struct lock_class_key *key);

#if CONFIG_LOCK_DEBUG
#define init_rwsem(sem)                                                   \
	do {                                                              \
		static struct lock_class_key __key = {                    \
			.name = __LOCK_SITE(#sem),                        \
		};                                                        \
		__init_rwsem((sem), &__key);                              \
	} while (0)
#else
#define init_rwsem(sem) __init_rwsem((sem), NULL)
#endif

/*
 * down_read / down_write - take @sem shared / exclusive, sleeping
 * uninterruptibly until granted. Context: process context, may sleep.
 */
void down_read(struct rw_semaphore *sem);
void down_write(struct rw_semaphore *sem);
/*
 * The trylocks take @sem only when that needs no waiting and nobody is
 * queued. Return: true if taken. Context: process context.
 */
bool down_read_trylock(struct rw_semaphore *sem);
bool down_write_trylock(struct rw_semaphore *sem);
/* Release; the first waiters get it. Context: the holder; no sleeping. */
void up_read(struct rw_semaphore *sem);
void up_write(struct rw_semaphore *sem);
/*
 * downgrade_write - turn the caller's write hold into a read hold without
 * letting a writer in between; readers queued at the head get in too.
 */
void downgrade_write(struct rw_semaphore *sem);

/* True while anybody holds @sem. A snapshot. Context: any. */
static inline bool rwsem_is_locked(struct rw_semaphore *sem)
{
	return __atomic_load_n(&sem->count, __ATOMIC_RELAXED) != 0;
}

#endif /* KEEL_RWSEM_H */
