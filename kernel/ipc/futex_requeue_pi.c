/*
 * FUTEX_WAIT_REQUEUE_PI and FUTEX_CMP_REQUEUE_PI: a condition variable
 * (a plain futex) whose waiters are moved onto a PI futex (the mutex)
 * instead of being woken to contend for it.
 *
 * A WAIT_REQUEUE_PI waiter queues a futex_q with an rt_mutex_waiter on
 * the condvar's bucket and sleeps. CMP_REQUEUE_PI, holding both buckets'
 * locks, first gives the PI futex to the top waiter if it is free (as if
 * that one had called FUTEX_LOCK_PI: it wakes owning it, q->pi_result 1),
 * then queues up to nr_requeue others on the PI futex's rt_mutex on their
 * behalf (rt_mutex_start_proxy_lock: they lend their priority at once),
 * sets q->pi_state and wakes them, so that each goes on to sleep in
 * rt_mutex_wait_proxy_lock until the lock is handed to it. Plain wakes
 * and requeues refuse such waiters with -EINVAL, as Linux's do.
 *
 * Locking: kernel/ipc/futex_pi.c's; q->bucket, q->key, q->woken and
 * q->pi_state change only with the old and new buckets' locks held.
 */
#include <keel/errno.h>
#include <keel/futex.h>
#include <keel/list.h>
#include <keel/rtmutex.h>
#include <keel/sched.h>
#include <keel/slab.h>
#include <keel/task.h>
#include <keel/wait.h>

#include "futex_internal.h"

/* Lock @q's bucket, wherever a requeue moved it. Return: that bucket. */
static struct futex_bucket *q_lock(struct futex_q *q)
{
	struct futex_bucket *b;

	for (;;) {
		b = READ_ONCE(q->bucket);
		spin_lock(&b->lock);
		if (b == READ_ONCE(q->bucket))
			return b;
		spin_unlock(&b->lock);
	}
}

/* Sleep until woken, requeued onto a PI state, a signal or @deadline. */
static int requeue_pi_sleep(struct futex_q *q, u64 deadline)
{
	int ret = 0;

	for (;;) {
		set_current_state(THREAD_INTERRUPTIBLE);
		if (READ_ONCE(q->woken) || READ_ONCE(q->pi_state))
			break;
		if (READ_ONCE(current->signal_pending)) {
			ret = -ERESTARTNOINTR;
			break;
		}
		if (!wait_sleep_until(deadline)) {
			ret = -ETIMEDOUT;
			break;
		}
	}
	__set_current_state(THREAD_RUNNING);
	return ret;
}

long futex_wait_requeue_pi(u32 __user *uaddr, bool shared, u32 val,
			   u64 deadline, u32 __user *uaddr2)
{
	struct futex_word w = { .uaddr = uaddr }, w2 = { .uaddr = uaddr2 };
	struct futex_q q = { .thread = current, .rt_waiter = NULL,
			     .bitset = FUTEX_BITSET_MATCH_ANY };
	struct rt_mutex_waiter rtw;
	struct futex_pi_state *ps;
	struct futex_bucket *b;
	u32 cur;
	int ret;

	ret = futex_key_user(uaddr, shared, &q.key);
	if (!ret)
		ret = futex_key_user(uaddr2, shared, &q.requeue_key);
	if (ret)
		return ret;
	if (futex_key_eq(&q.key, &q.requeue_key))
		return -EINVAL;
	q.rt_waiter = &rtw;
	b = futex_bucket_of(&q.key);
	for (;;) {
		spin_lock(&b->lock);
		if (!futex_read_locked(&w, &cur))
			break;
		spin_unlock(&b->lock);
		if (futex_fault_in(&w))
			return -EFAULT;
	}
	if (cur != val) {
		spin_unlock(&b->lock);
		return -EAGAIN;
	}
	q.bucket = b;
	list_add_tail(&q.link, &b->chain);
	spin_unlock(&b->lock);

	ret = requeue_pi_sleep(&q, deadline);
	b = q_lock(&q);
	if (q.woken) {                  /* given the PI futex, or an error */
		spin_unlock(&b->lock);
		return q.pi_result > 0 ? 0 : q.pi_result;
	}
	ps = q.pi_state;
	if (!ps) {                      /* still on uaddr: timeout, signal */
		list_del_init(&q.link);
		spin_unlock(&b->lock);
		return ret;
	}
	spin_unlock(&b->lock);
	ret = rt_mutex_wait_proxy_lock(&ps->mutex, &rtw, deadline, true);
	spin_lock(&b->lock);
	if (ret && rt_mutex_cleanup_proxy_lock(&ps->mutex, &rtw))
		ret = 0;
	ret = futex_ps_finish(b, ps, &w2, ret);
	/* Requeued already: a restart would only find uaddr changed. */
	return ret == -EINTR ? -EAGAIN : ret;
}

static struct futex_q *first_waiter(struct futex_bucket *b,
				    const struct futex_key *key)
{
	struct futex_q *q;

	list_for_each_entry(q, &b->chain, link)
		if (futex_key_eq(&q->key, key))
			return q;
	return NULL;
}

static bool requeue_pi_waiter(const struct futex_q *q,
			      const struct futex_key *key2)
{
	return q->rt_waiter && futex_key_eq(&q->requeue_key, key2);
}

/* Move @q to @b2/@key2 and hand it @result (woken) or @ps. [b1, b2] */
static void requeue_pi_move(struct futex_q *q, struct futex_bucket *b2,
			    const struct futex_key *key2,
			    struct futex_pi_state *ps, int result)
{
	list_del_init(&q->link);
	q->key = *key2;
	WRITE_ONCE(q->bucket, b2);
	q->pi_result = result;
	if (result)
		WRITE_ONCE(q->woken, true);
	else
		WRITE_ONCE(q->pi_state, ps);
	wake_up_thread(q->thread);
}

/*
 * Give free PI futex @w2 (word @uval2) to waiter @q, as if it had called
 * LOCK_PI. Return: 0, -EAGAIN (the word changed), -EFAULT. [b1, b2]
 */
static int requeue_pi_take(struct futex_q *q, struct futex_bucket *b2,
			   const struct futex_key *key2,
			   const struct futex_word *w2, u32 uval2)
{
	u32 seen = uval2;
	u32 want = (u32)q->thread->task->tid | FUTEX_WAITERS |
		   (uval2 & FUTEX_OWNER_DIED);

	if (futex_cmpxchg(w2, &seen, want))
		return -EFAULT;
	if (seen != uval2)
		return -EAGAIN;
	requeue_pi_move(q, b2, key2, NULL, 1);
	return 0;
}

/*
 * The state of @key2 the waiters are requeued onto, after giving the
 * futex to @top if it is free. Return: 0 with *@out (NULL: no state
 * needed), *@count the waiters given the lock; or -errno. [b1, b2]
 */
static int requeue_pi_target(struct futex_bucket *b1, struct futex_bucket *b2,
			     const struct futex_key *k1,
			     const struct futex_key *k2,
			     const struct futex_word *w2, struct futex_q *top,
			     int nr_requeue, struct futex_pi_state **spare,
			     struct futex_pi_state **out, int *count)
{
	struct futex_pi_state *ps = futex_ps_find(b2, k2);
	struct task *owner = top->thread->task;
	u32 uval2;
	int ret;

	*out = NULL;
	if (futex_read_locked(w2, &uval2))
		return -EFAULT;
	if (!(uval2 & FUTEX_TID_MASK)) {
		if (ps)
			return -EINVAL;
		if (!*spare)
			return -ENOMEM;
		ret = requeue_pi_take(top, b2, k2, w2, uval2);
		if (ret)
			return ret;
		*count = 1;
		if (!nr_requeue || !first_waiter(b1, k1))
			return 0;
		/* @owner waits for b2's lock to return: it is not exiting. */
		*out = futex_ps_attach(b2, k2, owner, spare);
		return *out ? 0 : -ESRCH;
	}
	if ((uval2 & FUTEX_TID_MASK) == (u32)owner->tid)
		return -EDEADLK;
	if (!nr_requeue)
		return 0;
	return futex_ps_get_for_owner(b2, k2, w2, uval2, spare, out);
}

long futex_cmp_requeue_pi(u32 __user *uaddr, u32 __user *uaddr2,
			  bool shared, int nr_wake, int nr_requeue,
			  u32 cmpval)
{
	struct futex_word w1 = { .uaddr = uaddr }, w2 = { .uaddr = uaddr2 };
	struct futex_pi_state *spare = NULL, *ps;
	struct futex_bucket *b1, *b2;
	struct futex_q *q, *next;
	struct futex_key k1, k2;
	int count, moved, ret;
	u32 cur;

	if (nr_wake != 1 || nr_requeue < 0)
		return -EINVAL;
	ret = futex_key_user(uaddr, shared, &k1);
	if (!ret)
		ret = futex_key_user(uaddr2, shared, &k2);
	if (ret)
		return ret;
	if (futex_key_eq(&k1, &k2))
		return -EINVAL;
	b1 = futex_bucket_of(&k1);
	b2 = futex_bucket_of(&k2);
retry:
	if (!spare && !(spare = futex_ps_alloc()))
		return -ENOMEM;
	futex_lock_pair(b1, b2);
	if (futex_read_locked(&w1, &cur)) {
		futex_unlock_pair(b1, b2);
		if (futex_fault_in(&w1))
			return -EFAULT;
		goto retry;
	}
	count = moved = 0;
	ps = NULL;
	q = first_waiter(b1, &k1);
	if (cur != cmpval)
		ret = -EAGAIN;
	else if (q && !requeue_pi_waiter(q, &k2))
		ret = -EINVAL;
	else if (q)
		ret = requeue_pi_target(b1, b2, &k1, &k2, &w2, q, nr_requeue,
					&spare, &ps, &count);
	if (ret == -EFAULT || ret == -EAGAIN || ret == -ENOMEM) {
		futex_unlock_pair(b1, b2);
		if (ret == -EFAULT && futex_fault_in_writable(&w2))
			goto out;
		if (ret == -EAGAIN && cur != cmpval)
			goto out;
		cond_resched();
		goto retry;
	}
	if (ps) {
		ps->refs++;             /* held across the loop */
		list_for_each_entry_safe(q, next, &b1->chain, link) {
			if (!futex_key_eq(&q->key, &k1))
				continue;
			if (moved >= nr_requeue)
				break;
			if (!requeue_pi_waiter(q, &k2)) {
				ret = -EINVAL;
				break;
			}
			ps->refs++;
			ret = rt_mutex_start_proxy_lock(
				&ps->mutex, q->rt_waiter, q->thread);
			if (ret < 0)
				ps->refs--;
			requeue_pi_move(q, b2, &k2, ps, ret < 0 ? ret : 0);
			ret = 0;
			moved++;
		}
		futex_ps_put(ps);
	}
	futex_unlock_pair(b1, b2);
	if (!ret)
		ret = count + moved;
out:
	kfree(spare);
	return ret;
}
