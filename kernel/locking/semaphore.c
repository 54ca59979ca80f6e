/*
 * Counting semaphores (see <keel/semaphore.h>).
 *
 * Hand-off: up() with waiters queued does not raise the count; it gives
 * the unit to the first waiter (granted = true) and wakes it. So the count
 * is only non-zero while nobody waits, a fresh down() can never overtake a
 * sleeper, and a woken waiter never finds its unit gone. A waiter that
 * gives up (signal, timeout) checks under the lock whether it was granted
 * meanwhile, and if so keeps the unit: a hand-off is never lost.
 *
 * Waiters live on their own stacks; up() touches one only under the lock,
 * and a waiter leaves only after seeing granted under the lock.
 */
#include <keel/compiler.h>
#include <keel/errno.h>
#include <keel/list.h>
#include <keel/sched.h>
#include <keel/semaphore.h>
#include <keel/spinlock.h>
#include <keel/time.h>
#include <keel/wait.h>

struct sema_waiter {
	struct list_head list;          /* [s] on sem->waiters */
	struct thread *task;
	bool granted;                   /* [s] up() handed us a unit */
};

void sema_init(struct semaphore *sem, unsigned int count)
{
	spin_lock_init(&sem->lock);
	sem->count = count;
	INIT_LIST_HEAD(&sem->waiters);
}

/*
 * Queue and sleep until granted, a signal (interruptible @state) or
 * @deadline. Called and returns with sem->lock held (*flags).
 * Return: 0 (granted), -EINTR or -ETIME.
 */
static int down_slow(struct semaphore *sem, long state, u64 deadline,
		     unsigned long *flags)
{
	struct sema_waiter w = { .task = current, .granted = false };
	int ret = 0;

	list_add_tail(&w.list, &sem->waiters);
	for (;;) {
		if (w.granted)
			break;
		if (state == THREAD_INTERRUPTIBLE &&
		    READ_ONCE(current->signal_pending)) {
			ret = -EINTR;
			break;
		}
		set_current_state(state);
		spin_unlock_irqrestore(&sem->lock, *flags);
		if (!wait_sleep_until(deadline)) {
			*flags = spin_lock_irqsave(&sem->lock);
			if (!w.granted)
				ret = -ETIME;
			break;
		}
		*flags = spin_lock_irqsave(&sem->lock);
	}
	__set_current_state(THREAD_RUNNING);
	if (!w.granted)
		list_del(&w.list);      /* up() dequeued a granted waiter */
	return w.granted ? 0 : ret;
}

static int down_common(struct semaphore *sem, long state, u64 ns)
{
	unsigned long flags;
	int ret = 0;

	might_sleep();
	flags = spin_lock_irqsave(&sem->lock);
	if (sem->count > 0)
		sem->count--;
	else
		ret = down_slow(sem, state, wait_deadline(ns), &flags);
	spin_unlock_irqrestore(&sem->lock, flags);
	return ret;
}

void down(struct semaphore *sem)
{
	down_common(sem, THREAD_UNINTERRUPTIBLE, SCHEDULE_TIMEOUT_MAX);
}

int down_interruptible(struct semaphore *sem)
{
	return down_common(sem, THREAD_INTERRUPTIBLE, SCHEDULE_TIMEOUT_MAX);
}

int down_timeout(struct semaphore *sem, u64 ns)
{
	return down_common(sem, THREAD_UNINTERRUPTIBLE, ns);
}

int down_trylock(struct semaphore *sem)
{
	unsigned long flags = spin_lock_irqsave(&sem->lock);
	int busy = 1;

	if (sem->count > 0) {
		sem->count--;
		busy = 0;
	}
	spin_unlock_irqrestore(&sem->lock, flags);
	return busy;
}

void up(struct semaphore *sem)
{
	unsigned long flags = spin_lock_irqsave(&sem->lock);
	struct sema_waiter *w;

	if (list_empty(&sem->waiters)) {
		sem->count++;
	} else {
		w = list_first_entry(&sem->waiters, struct sema_waiter, list);
		list_del(&w->list);
		w->granted = true;
		wake_up_thread(w->task);
	}
	spin_unlock_irqrestore(&sem->lock, flags);
}
