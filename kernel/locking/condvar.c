/*
 * Condition variables (see <keel/condvar.h>), built on a wait queue.
 *
 * A waiter queues itself (exclusive, autoremove) and sets its sleep state
 * before it releases the mutex, so a signaller that changed the predicate
 * under the mutex afterwards finds it on the queue. A signal dequeues the
 * waiter it wakes, which is how a waiter whose timeout expired at the
 * same moment can tell it was signalled, and report success instead of
 * dropping a signal meant for somebody.
 */
#include <keel/compiler.h>
#include <keel/condvar.h>
#include <keel/lockdep.h>
#include <keel/mutex.h>
#include <keel/sched.h>
#include <keel/sprintf.h>
#include <keel/wait.h>

#define _RET_IP_ ((unsigned long)__builtin_return_address(0))

void cond_init(struct condvar *cv)
{
	init_waitqueue_head(&cv->wait);
}

/*
 * The caller must hold @m, once (releasing a recursively "taken" mutex
 * would only undo the skipped inner lock, and the wait would never end):
 * report it and return at once otherwise.
 */
static bool cond_check_owner(struct mutex *m, unsigned long ip)
{
	char detail[96];

	if (mutex_owner(m) == current && !m->nested)
		return true;
	snprintf(detail, sizeof(detail), "mutex %p, owner %p, thread %s",
		 (void *)m, (void *)mutex_owner(m), current->name);
	preempt_disable();
	lockdep_report("cond_wait without holding the mutex", detail, ip);
	preempt_enable();
	return false;
}

/*
 * Sleep on @cv with @m released, for up to @ns.
 * Return: 0 if the time ran out unsignalled, else the time left (>= 1).
 */
static long cond_sleep(struct condvar *cv, struct mutex *m, u64 ns)
{
	struct wait_queue_entry we;
	u64 left;

	init_wait_entry(&we, WQ_FLAG_EXCLUSIVE);
	prepare_to_wait_exclusive(&cv->wait, &we, THREAD_UNINTERRUPTIBLE);
	mutex_unlock(m);
	left = schedule_timeout(ns);
	if (finish_wait_was_woken(&cv->wait, &we) && !left)
		left = 1;
	mutex_lock(m);
	return left > (u64)WAIT_LEFT_MAX ? WAIT_LEFT_MAX : (long)left;
}

void cond_wait(struct condvar *cv, struct mutex *m)
{
	might_sleep();
	if (cond_check_owner(m, _RET_IP_))
		cond_sleep(cv, m, SCHEDULE_TIMEOUT_MAX);
}

long cond_wait_timeout(struct condvar *cv, struct mutex *m, u64 ns)
{
	might_sleep();
	if (!cond_check_owner(m, _RET_IP_))
		return wait_full_left(ns);
	return cond_sleep(cv, m, ns);
}

void cond_signal(struct condvar *cv)
{
	wake_up(&cv->wait);
}

void cond_broadcast(struct condvar *cv)
{
	wake_up_all(&cv->wait);
}
