/*
 * Mutexes (see <keel/mutex.h>).
 *
 * The owner word is the holder's struct thread pointer (threads are at
 * least 8-byte aligned) or 0 when free, with MUTEX_FLAG_WAITERS in bit 0
 * while threads are queued. Invariants, with wait_lock held:
 *
 *	FLAG_WAITERS set   <=>  the waiter list is not empty
 *	owner free         ==>  the waiter list is empty
 *
 * Uncontended paths are one compare-and-swap: lock 0 -> self (acquire),
 * unlock self -> 0 (release). The flag makes the unlock CAS fail, sending
 * the owner to the slow path, which under wait_lock writes the first
 * waiter's pointer into the owner word (never passing through 0, so no
 * newcomer's CAS can steal it), marks that waiter granted and wakes it. A
 * locker sets the flag with a CAS on the owner word it just read, so it
 * either sets it on an owner that will then see it, or sees the mutex
 * freed and takes it.
 *
 * A waiter that gives up on a signal checks under wait_lock whether it was
 * granted first (then it keeps the mutex), and clears the flag if it was
 * the last waiter, so the owner's fast unlock works again.
 *
 * Waiters are on their threads' stacks; the unlocker touches one only
 * under wait_lock, and a waiter leaves only after seeing granted (or
 * dequeuing itself) under wait_lock.
 */
#include <keel/compiler.h>
#include <keel/errno.h>
#include <keel/list.h>
#include <keel/lockdep.h>
#include <keel/mutex.h>
#include <keel/sched.h>
#include <keel/spinlock.h>
#include <keel/sprintf.h>

#define _RET_IP_ ((unsigned long)__builtin_return_address(0))

struct mutex_waiter {
	struct list_head list;          /* [w] on m->waiters */
	struct thread *task;
	bool granted;                   /* [w] the unlocker handed it over */
};

void __mutex_init(struct mutex *m, struct lock_class_key *key)
{
	m->owner = 0;
	spin_lock_init(&m->wait_lock);
	INIT_LIST_HEAD(&m->waiters);
	m->nested = 0;
	lockdep_map_init(&m->dep_map, key);
}

/*
 * Report misuse of @m through the lock checker. Preemption is off so the
 * checker's per-CPU report state belongs to one CPU throughout.
 */
static void mutex_report(struct mutex *m, const char *what, unsigned long ip)
{
	char detail[112];

	snprintf(detail, sizeof(detail), "mutex %p, owner %p, thread %s (%p)",
		 (void *)m, (void *)mutex_owner(m), current->name,
		 (void *)current);
	preempt_disable();
	lockdep_report(what, detail, ip);
	preempt_enable();
}

static bool mutex_try_fast(struct mutex *m)
{
	unsigned long free = 0;

	return __atomic_compare_exchange_n(&m->owner, &free,
					   (unsigned long)current, false,
					   __ATOMIC_ACQUIRE, __ATOMIC_RELAXED);
}

/*
 * Take @m if it is free, else set the waiters flag so the owner's unlock
 * takes the slow path. wait_lock held. Return: true if taken.
 */
static bool mutex_take_or_flag(struct mutex *m)
{
	unsigned long o = __atomic_load_n(&m->owner, __ATOMIC_RELAXED);
	unsigned long self = (unsigned long)current, want;

	for (;;) {
		if (!(o & ~MUTEX_FLAG_WAITERS)) {
			want = self | (o & MUTEX_FLAG_WAITERS);
			if (__atomic_compare_exchange_n(&m->owner, &o, want,
							false,
							__ATOMIC_ACQUIRE,
							__ATOMIC_RELAXED))
				return true;
		} else if (o & MUTEX_FLAG_WAITERS) {
			return false;
		} else if (__atomic_compare_exchange_n(&m->owner, &o,
						       o | MUTEX_FLAG_WAITERS,
						       false, __ATOMIC_RELAXED,
						       __ATOMIC_RELAXED)) {
			return false;
		}
	}
}

/* A waiter leaves without the mutex. wait_lock held. */
static void mutex_waiter_leave(struct mutex *m, struct mutex_waiter *w)
{
	list_del(&w->list);
	if (list_empty(&m->waiters))
		__atomic_fetch_and(&m->owner, ~MUTEX_FLAG_WAITERS,
				   __ATOMIC_RELAXED);
}

/* Queue and sleep until handed the mutex. Return: 0 or -EINTR. */
static int mutex_lock_slow(struct mutex *m, long state)
{
	struct mutex_waiter w = { .task = current, .granted = false };
	int ret = 0;

	spin_lock(&m->wait_lock);
	if (mutex_take_or_flag(m)) {
		spin_unlock(&m->wait_lock);
		return 0;
	}
	list_add_tail(&w.list, &m->waiters);
	for (;;) {
		if (w.granted)
			break;
		if (state == THREAD_INTERRUPTIBLE &&
		    READ_ONCE(current->signal_pending)) {
			mutex_waiter_leave(m, &w);
			ret = -EINTR;
			break;
		}
		set_current_state(state);
		spin_unlock(&m->wait_lock);
		schedule();
		spin_lock(&m->wait_lock);
	}
	__set_current_state(THREAD_RUNNING);
	spin_unlock(&m->wait_lock);
	return ret;
}

/*
 * No might_sleep() here: lockdep_acquire() checks the context of a
 * blocking acquisition itself (and lists the spinlocks held), so calling
 * both would report one bug twice.
 */
static int mutex_lock_common(struct mutex *m, long state, unsigned long ip)
{
	int ret;

	/* Only this thread can have made itself the owner: a safe test. */
	if (mutex_owner(m) == current) {
		mutex_report(m, "recursive mutex_lock (would deadlock)", ip);
		if (state == THREAD_INTERRUPTIBLE)
			return -EDEADLK;
		m->nested++;
		return 0;
	}
	lockdep_acquire(&m->dep_map, false, ip);
	if (mutex_try_fast(m))
		return 0;
	ret = mutex_lock_slow(m, state);
	if (ret)
		lockdep_release(&m->dep_map, ip);
	return ret;
}

void mutex_lock(struct mutex *m)
{
	mutex_lock_common(m, THREAD_UNINTERRUPTIBLE, _RET_IP_);
}

int mutex_lock_interruptible(struct mutex *m)
{
	return mutex_lock_common(m, THREAD_INTERRUPTIBLE, _RET_IP_);
}

bool mutex_trylock(struct mutex *m)
{
	if (!mutex_try_fast(m))
		return false;
	lockdep_acquire(&m->dep_map, true, _RET_IP_);
	return true;
}

/* Hand @m to the first waiter, or free it. */
static void mutex_unlock_slow(struct mutex *m)
{
	struct mutex_waiter *w;
	unsigned long next;

	spin_lock(&m->wait_lock);
	if (list_empty(&m->waiters)) {
		/* The last waiter left after our fast path failed. */
		__atomic_store_n(&m->owner, 0, __ATOMIC_RELEASE);
	} else {
		w = list_first_entry(&m->waiters, struct mutex_waiter, list);
		list_del(&w->list);
		next = (unsigned long)w->task;
		if (!list_empty(&m->waiters))
			next |= MUTEX_FLAG_WAITERS;
		__atomic_store_n(&m->owner, next, __ATOMIC_RELEASE);
		w->granted = true;
		wake_up_thread(w->task);
	}
	spin_unlock(&m->wait_lock);
}

void mutex_unlock(struct mutex *m)
{
	unsigned long ip = _RET_IP_, self = (unsigned long)current;

	if (mutex_owner(m) != current) {
		mutex_report(m, mutex_owner(m) ?
			     "mutex_unlock by a thread that does not own it" :
			     "mutex_unlock of an unlocked mutex", ip);
		return;
	}
	if (m->nested) {
		m->nested--;            /* the inner, skipped, acquisition */
		return;
	}
	lockdep_release(&m->dep_map, ip);
	if (__atomic_compare_exchange_n(&m->owner, &self, 0, false,
					__ATOMIC_RELEASE, __ATOMIC_RELAXED))
		return;
	mutex_unlock_slow(m);
}
