/*
 * Read-write semaphores (see <keel/rwsem.h>).
 *
 * All state is under wait_lock: count (readers, or RWSEM_WRITER), the
 * writer's owner and the FIFO of waiters. Like the mutex and the
 * semaphore, a release hands the semaphore to waiters instead of freeing
 * it for anybody: it grants the head of the queue (a writer, when the
 * semaphore became free; else every reader up to the first writer),
 * adjusts count for them and wakes them. So count is 0 only while nobody
 * waits, a granted waiter never finds it taken, and arrival order decides.
 *
 * Waiters are on their threads' stacks; a releaser touches one only under
 * wait_lock, and a waiter leaves only after seeing granted under it.
 */
#include <keel/compiler.h>
#include <keel/list.h>
#include <keel/lockdep.h>
#include <keel/rwsem.h>
#include <keel/sched.h>
#include <keel/spinlock.h>
#include <keel/sprintf.h>

#define _RET_IP_ ((unsigned long)__builtin_return_address(0))

struct rwsem_waiter {
	struct list_head list;          /* [w] on sem->waiters */
	struct thread *task;
	bool writer;
	bool granted;                   /* [w] a releaser let it in */
};

void __init_rwsem(struct rw_semaphore *sem, struct lock_class_key *key)
{
	sem->count = 0;
	sem->owner = NULL;
	sem->nested = 0;
	spin_lock_init(&sem->wait_lock);
	INIT_LIST_HEAD(&sem->waiters);
	lockdep_map_init(&sem->dep_map, key);
}

static void rwsem_report(struct rw_semaphore *sem, const char *what,
			 unsigned long ip)
{
	char detail[112];

	snprintf(detail, sizeof(detail),
		 "rwsem %p, count %ld, writer %p, thread %s (%p)",
		 (void *)sem, READ_ONCE(sem->count),
		 (void *)READ_ONCE(sem->owner), current->name,
		 (void *)current);
	preempt_disable();
	lockdep_report(what, detail, ip);
	preempt_enable();
}

static void rwsem_set_count(struct rw_semaphore *sem, long count)
{
	__atomic_store_n(&sem->count, count, __ATOMIC_RELAXED);
}

/* Grant and wake one waiter. wait_lock held. */
static void rwsem_grant(struct rw_semaphore *sem, struct rwsem_waiter *w)
{
	list_del(&w->list);
	if (w->writer) {
		rwsem_set_count(sem, RWSEM_WRITER);
		WRITE_ONCE(sem->owner, w->task);
	} else {
		rwsem_set_count(sem, sem->count + 1);
	}
	w->granted = true;
	wake_up_thread(w->task);
}

/*
 * Let the head of the queue in, as far as the current holders allow: a
 * writer when the semaphore is free, readers (up to the first writer)
 * when it is free or read-held. wait_lock held.
 */
static void rwsem_wake(struct rw_semaphore *sem)
{
	struct rwsem_waiter *w;

	while (!list_empty(&sem->waiters) && sem->count >= 0) {
		w = list_first_entry(&sem->waiters, struct rwsem_waiter, list);
		if (w->writer && sem->count != 0)
			break;
		rwsem_grant(sem, w);
		if (w->writer)
			break;
	}
}

/* Queue and sleep until granted. wait_lock held; dropped while asleep. */
static void rwsem_wait(struct rw_semaphore *sem, bool writer)
{
	struct rwsem_waiter w = {
		.task = current, .writer = writer, .granted = false,
	};

	list_add_tail(&w.list, &sem->waiters);
	for (;;) {
		if (w.granted)
			break;
		set_current_state(THREAD_UNINTERRUPTIBLE);
		spin_unlock(&sem->wait_lock);
		schedule();
		spin_lock(&sem->wait_lock);
	}
	__set_current_state(THREAD_RUNNING);
}

/* Can a newcomer get in without waiting? wait_lock held. */
static bool rwsem_can_read(struct rw_semaphore *sem)
{
	return sem->count >= 0 && list_empty(&sem->waiters);
}

static bool rwsem_can_write(struct rw_semaphore *sem)
{
	return sem->count == 0 && list_empty(&sem->waiters);
}

/*
 * The writer taking @sem again would wait for itself: report it and skip
 * the acquisition (and later its release). Only the writer can have made
 * itself the owner, so the unlocked test is safe.
 */
static bool rwsem_writer_recursion(struct rw_semaphore *sem,
				   unsigned long ip)
{
	if (READ_ONCE(sem->owner) != current)
		return false;
	rwsem_report(sem, "recursive rwsem acquisition by its writer "
		     "(would deadlock)", ip);
	sem->nested++;
	return true;
}

/* The release matching a skipped recursive acquisition. */
static bool rwsem_writer_unnest(struct rw_semaphore *sem)
{
	if (READ_ONCE(sem->owner) != current || !sem->nested)
		return false;
	sem->nested--;
	return true;
}

/*
 * No might_sleep() in down_read/down_write: lockdep_acquire() checks the
 * context of a blocking acquisition (see mutex.c).
 */
void down_read(struct rw_semaphore *sem)
{
	if (rwsem_writer_recursion(sem, _RET_IP_))
		return;
	lockdep_acquire(&sem->dep_map, false, _RET_IP_);
	spin_lock(&sem->wait_lock);
	if (rwsem_can_read(sem))
		rwsem_set_count(sem, sem->count + 1);
	else
		rwsem_wait(sem, false);
	spin_unlock(&sem->wait_lock);
}

void down_write(struct rw_semaphore *sem)
{
	if (rwsem_writer_recursion(sem, _RET_IP_))
		return;
	lockdep_acquire(&sem->dep_map, false, _RET_IP_);
	spin_lock(&sem->wait_lock);
	if (rwsem_can_write(sem)) {
		rwsem_set_count(sem, RWSEM_WRITER);
		WRITE_ONCE(sem->owner, current);
	} else {
		rwsem_wait(sem, true);
	}
	spin_unlock(&sem->wait_lock);
}

bool down_read_trylock(struct rw_semaphore *sem)
{
	bool ok;

	spin_lock(&sem->wait_lock);
	ok = rwsem_can_read(sem);
	if (ok)
		rwsem_set_count(sem, sem->count + 1);
	spin_unlock(&sem->wait_lock);
	if (ok)
		lockdep_acquire(&sem->dep_map, true, _RET_IP_);
	return ok;
}

bool down_write_trylock(struct rw_semaphore *sem)
{
	bool ok;

	spin_lock(&sem->wait_lock);
	ok = rwsem_can_write(sem);
	if (ok) {
		rwsem_set_count(sem, RWSEM_WRITER);
		WRITE_ONCE(sem->owner, current);
	}
	spin_unlock(&sem->wait_lock);
	if (ok)
		lockdep_acquire(&sem->dep_map, true, _RET_IP_);
	return ok;
}

void up_read(struct rw_semaphore *sem)
{
	unsigned long ip = _RET_IP_;
	bool bad;

	if (rwsem_writer_unnest(sem))
		return;
	spin_lock(&sem->wait_lock);
	bad = sem->count <= 0;
	if (!bad) {
		rwsem_set_count(sem, sem->count - 1);
		rwsem_wake(sem);
	}
	spin_unlock(&sem->wait_lock);
	if (bad) {
		rwsem_report(sem, "up_read of an rwsem no reader holds", ip);
		return;
	}
	lockdep_release(&sem->dep_map, ip);
}

void up_write(struct rw_semaphore *sem)
{
	unsigned long ip = _RET_IP_;
	bool bad;

	if (rwsem_writer_unnest(sem))
		return;
	spin_lock(&sem->wait_lock);
	bad = sem->count != RWSEM_WRITER || sem->owner != current;
	if (!bad) {
		WRITE_ONCE(sem->owner, NULL);
		rwsem_set_count(sem, 0);
		rwsem_wake(sem);
	}
	spin_unlock(&sem->wait_lock);
	if (bad) {
		rwsem_report(sem, "up_write by a thread that is not the writer",
			     ip);
		return;
	}
	lockdep_release(&sem->dep_map, ip);
}

/*
 * The lockdep map stays acquired: the caller still holds @sem, now for
 * reading, and releases it with up_read().
 */
void downgrade_write(struct rw_semaphore *sem)
{
	unsigned long ip = _RET_IP_;
	bool bad;

	spin_lock(&sem->wait_lock);
	bad = sem->count != RWSEM_WRITER || sem->owner != current;
	if (!bad) {
		WRITE_ONCE(sem->owner, NULL);
		sem->nested = 0;        /* skipped recursions end with it */
		rwsem_set_count(sem, 1);
		rwsem_wake(sem);
	}
	spin_unlock(&sem->wait_lock);
	if (bad)
		rwsem_report(sem, "downgrade_write by a thread that is not "
			     "the writer", ip);
}
