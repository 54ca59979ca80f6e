/*
 * Priority-inheritance futexes (futex(2) "Priority-inheritance futexes"):
 * FUTEX_LOCK_PI, LOCK_PI2, TRYLOCK_PI, UNLOCK_PI, WAIT_REQUEUE_PI and
 * CMP_REQUEUE_PI, built on the rt_mutex's proxy operations.
 *
 * The user word is the lock: 0 free, else the owner's tid, with
 * FUTEX_WAITERS when unlocking must come to the kernel and
 * FUTEX_OWNER_DIED after a robust owner died. Uncontended locking never
 * enters the kernel. A contended futex has a futex_pi_state, found by key
 * on its bucket: an rt_mutex owned (by proxy) by the thread the word
 * names, on which the waiters block, so they lend it their priority.
 *
 * Who writes the word: whoever changes the owner, under the bucket lock.
 * UNLOCK_PI writes the new owner's tid (with FUTEX_WAITERS) at the moment
 * the rt_mutex picks it (rt_mutex_futex_unlock's commit), so the word and
 * the state never disagree while anyone can look; the robust-list walk
 * does the same with FUTEX_OWNER_DIED added. Only when a thread exits
 * owning a PI futex not on its robust list is the word left naming the
 * dead thread: the state is marked "fixup" and the new owner writes its
 * tid itself when it runs (it has the address; the exiting thread may
 * not, for a futex of another process).
 *
 * Lifetime: a state lives while it has refs, one per waiter (queued on
 * the rt_mutex, or handed it and not yet back in the kernel's futex
 * code); the last one out releases the rt_mutex and frees it. While it
 * has an owner, it is on that task's pi_states list, so a task leaves no
 * state naming it behind (futex_pi_release_all at exit and exec).
 *
 * Lock order: bucket lock(s) -> tasklist_lock -> futex_pi_lock, and
 * bucket lock -> rt_mutex wait_lock (inside rt_mutex calls). The
 * rt_mutex calls made under a bucket lock never sleep.
 */
#include <keel/errno.h>
#include <keel/futex.h>
#include <keel/list.h>
#include <keel/panic.h>
#include <keel/rtmutex.h>
#include <keel/sched.h>
#include <keel/slab.h>
#include <keel/spinlock.h>
#include <keel/task.h>
#include <keel/uaccess.h>
#include <keel/wait.h>

#include "futex_internal.h"

/* Guards task->pi_states, task->pi_exit_done and pi_state->owner. */
static DEFINE_SPINLOCK(futex_pi_lock);

static pid_t my_tid(void)
{
	return current_task()->tid;
}

struct futex_pi_state *futex_ps_alloc(void)
{
	struct futex_pi_state *ps = kzalloc(sizeof(*ps), GFP_KERNEL);

	if (ps) {
		INIT_LIST_HEAD(&ps->link);
		INIT_HLIST_NODE(&ps->owner_link);
		rt_mutex_init(&ps->mutex);
	}
	return ps;
}

struct futex_pi_state *futex_ps_find(struct futex_bucket *b,
				     const struct futex_key *key)
{
	struct futex_pi_state *ps;

	lock_assert_held(&b->lock);
	list_for_each_entry(ps, &b->pi_states, link)
		if (futex_key_eq(&ps->key, key))
			return ps;
	return NULL;
}

/*
 * Move @ps to @owner's list (NULL: none). Return: false if @owner has
 * already released its PI state for good (it is exiting). [b]
 */
static bool ps_set_owner(struct futex_pi_state *ps, struct task *owner)
{
	bool ok = true;

	spin_lock(&futex_pi_lock);
	if (owner && owner->pi_exit_done) {
		ok = false;
		owner = NULL;
	}
	if (!hlist_unhashed(&ps->owner_link))
		hlist_del_init(&ps->owner_link);
	ps->owner = owner;
	if (owner)
		hlist_add_head(&ps->owner_link, &owner->pi_states);
	spin_unlock(&futex_pi_lock);
	return ok;
}

/* Drop a waiter's reference; the last frees @ps. [b] */
void futex_ps_put(struct futex_pi_state *ps)
{
	KASSERT(ps->refs > 0);
	if (--ps->refs)
		return;
	list_del_init(&ps->link);
	ps_set_owner(ps, NULL);
	if (rt_mutex_is_locked(&ps->mutex))
		rt_mutex_proxy_unlock(&ps->mutex);
	kfree(ps);
}

/* Does @ps agree with a word @uval naming another owner? [b] */
static bool ps_matches(const struct futex_pi_state *ps, u32 uval)
{
	return ps->owner &&
	       (ps->fixup || (u32)ps->owner->tid == (uval & FUTEX_TID_MASK));
}

/*
 * A new state for @key (from *@spare) owned by @owner->thread, hashed on
 * @b. Return: it, or NULL if @owner is exiting past its PI release. [b]
 */
struct futex_pi_state *futex_ps_attach(struct futex_bucket *b,
				       const struct futex_key *key,
				       struct task *owner,
				       struct futex_pi_state **spare)
{
	struct futex_pi_state *ps = *spare;

	if (!ps_set_owner(ps, owner))
		return NULL;
	*spare = NULL;
	ps->key = *key;
	rt_mutex_init_proxy_locked(&ps->mutex, owner->thread);
	list_add_tail(&ps->link, &b->pi_states);
	return ps;
}

/* The live task with tid @tid, or NULL. Context: tasklist_lock held. */
static struct task *owner_by_tid(u32 tid)
{
	struct task *t = tid ? task_by_tid((pid_t)tid) : NULL;

	return t && !READ_ONCE(t->pi_exit_done) ? t : NULL;
}

/* Is there a live task with tid @tid? A snapshot. */
static bool tid_alive(u32 tid)
{
	bool alive;

	spin_lock(&tasklist_lock);
	alive = owner_by_tid(tid) != NULL;
	spin_unlock(&tasklist_lock);
	return alive;
}

/* Set FUTEX_WAITERS if clear. Return: 0, -EAGAIN (changed), -EFAULT. [b] */
static int set_waiters_bit(const struct futex_word *w, u32 uval)
{
	u32 seen = uval;

	if (uval & FUTEX_WAITERS)
		return 0;
	if (futex_cmpxchg(w, &seen, uval | FUTEX_WAITERS))
		return -EFAULT;
	return seen == uval ? 0 : -EAGAIN;
}

/*
 * Current now owns @ps's rt_mutex: make it the state's owner and write
 * its tid into the word (keeping FUTEX_OWNER_DIED), unless there
 * already. Return: 0 or -EFAULT (retry after faulting the word in). [b]
 */
static int ps_fixup_owner(struct futex_pi_state *ps, const struct futex_word *w)
{
	/* Taken over from a dead owner: say so, as Linux does. */
	u32 died = ps->fixup ? FUTEX_OWNER_DIED : 0;
	u32 uval, seen, want;

	if (ps->owner != current_task())
		ps_set_owner(ps, current_task());
	if (futex_read_locked(w, &uval))
		return -EFAULT;
	for (;;) {
		want = (u32)my_tid() | FUTEX_WAITERS |
		       ((uval | died) & FUTEX_OWNER_DIED);
		if (uval == want)
			break;
		seen = uval;
		if (futex_cmpxchg(w, &seen, want))
			return -EFAULT;
		if (seen == uval)
			break;
		uval = seen;
	}
	ps->fixup = false;
	return 0;
}

/*
 * Current got @ps's rt_mutex (@ret 0) or gave up (@ret < 0): fix the
 * word, drop its reference and the bucket lock. Return: @ret or -EFAULT.
 */
int futex_ps_finish(struct futex_bucket *b, struct futex_pi_state *ps,
		    const struct futex_word *w, int ret)
{
	while (!ret && ps_fixup_owner(ps, w)) {
		spin_unlock(&b->lock);
		if (futex_fault_in_writable(w)) {
			spin_lock(&b->lock);
			ret = -EFAULT;  /* owner, but the word is gone */
			break;
		}
		spin_lock(&b->lock);
	}
	futex_ps_put(ps);
	spin_unlock(&b->lock);
	return ret;
}

/* ---- LOCK_PI, LOCK_PI2, TRYLOCK_PI --------------------------------------- */

/*
 * The state to block on for a word @uval owned by another thread: the
 * existing one, or a new one attached to the owner (from *@spare).
 * Return: 0 with *@out set, -EAGAIN (retry), -ESRCH, -EINVAL, -EFAULT,
 * -ENOMEM (no spare: allocate one and retry). [b]
 */
int futex_ps_get_for_owner(struct futex_bucket *b, const struct futex_key *key,
			   const struct futex_word *w, u32 uval,
			   struct futex_pi_state **spare,
			   struct futex_pi_state **out)
{
	struct futex_pi_state *ps = futex_ps_find(b, key);
	struct task *owner;
	u32 again;
	int ret;

	if (ps) {
		if (!ps_matches(ps, uval))
			return -EINVAL;
		ret = set_waiters_bit(w, uval);
		*out = ps;
		return ret;
	}
	if (!*spare)
		return -ENOMEM;
	/* tasklist_lock keeps the owner in place until it is attached. */
	spin_lock(&tasklist_lock);
	owner = owner_by_tid(uval & FUTEX_TID_MASK);
	ret = owner ? set_waiters_bit(w, uval) : -ESRCH;
	if (!ret) {
		ps = futex_ps_attach(b, key, owner, spare);
		ret = ps ? 0 : -ESRCH;
	}
	spin_unlock(&tasklist_lock);
	if (ret == -ESRCH) {
		/* Gone: but if the word changed meanwhile, look again. */
		if (futex_read_locked(w, &again))
			return -EFAULT;
		return again == uval ? -ESRCH : -EAGAIN;
	}
	*out = ps;
	return ret;
}

/*
 * Take the word if its tid is 0 (keeping FUTEX_OWNER_DIED). Return: 1
 * taken, 0 owned by another, -EDEADLK ours, -EAGAIN, -EFAULT, -EINVAL. [b]
 */
static int lock_pi_atomic(struct futex_bucket *b, const struct futex_key *key,
			  const struct futex_word *w, u32 *uvalp)
{
	u32 uval, seen;

	if (futex_read_locked(w, &uval))
		return -EFAULT;
	*uvalp = uval;
	if ((uval & FUTEX_TID_MASK) == (u32)my_tid())
		return -EDEADLK;
	if (uval & FUTEX_TID_MASK)
		return 0;
	if (futex_ps_find(b, key))
		return -EINVAL;     /* waiters queued, yet no owner named */
	seen = uval;
	if (futex_cmpxchg(w, &seen, (u32)my_tid() | (uval & FUTEX_OWNER_DIED)))
		return -EFAULT;
	return seen == uval ? 1 : -EAGAIN;
}

static long futex_lock_pi(u32 __user *uaddr, bool shared, u64 deadline,
			  bool trylock)
{
	struct futex_word w = { .uaddr = uaddr };
	struct futex_pi_state *spare = NULL, *ps = NULL;
	struct rt_mutex_waiter rtw;
	struct futex_bucket *b;
	struct futex_key key;
	u32 uval;
	int ret;

	ret = futex_key_user(uaddr, shared, &key);
	if (ret)
		return ret;
	b = futex_bucket_of(&key);
retry:
	spin_lock(&b->lock);
	ret = lock_pi_atomic(b, &key, &w, &uval);
	if (ret == 0 && trylock) {
		ps = futex_ps_find(b, &key);
		ret = ps || tid_alive(uval & FUTEX_TID_MASK) ? -EAGAIN
							     : -ESRCH;
		spin_unlock(&b->lock);
		goto out;
	}
	if (ret == 0)
		ret = futex_ps_get_for_owner(b, &key, &w, uval, &spare, &ps);
	if (ret) {
		spin_unlock(&b->lock);
		if (ret == -EFAULT && !futex_fault_in_writable(&w))
			goto retry;
		if (ret == -ENOMEM && (spare = futex_ps_alloc()))
			goto retry;
		if (ret == -EAGAIN) {
			cond_resched();
			goto retry;
		}
		goto out;
	}
	ps->refs++;
	ret = rt_mutex_start_proxy_lock(&ps->mutex, &rtw, current);
	if (ret < 0) {
		futex_ps_put(ps);
		spin_unlock(&b->lock);
		goto out;
	}
	spin_unlock(&b->lock);
	if (ret == 0)
		ret = rt_mutex_wait_proxy_lock(&ps->mutex, &rtw, deadline,
					       true);
	else
		ret = 0;
	spin_lock(&b->lock);
	if (ret && rt_mutex_cleanup_proxy_lock(&ps->mutex, &rtw))
		ret = 0;            /* handed to us as we gave up */
	ret = futex_ps_finish(b, ps, &w, ret);
out:
	if (ret == 1)
		ret = 0;
	kfree(spare);
	/* The deadline is absolute: restarting waits for the same one. */
	return ret == -EINTR ? -ERESTARTNOINTR : ret;
}

/* ---- UNLOCK_PI ----------------------------------------------------------- */

struct unlock_commit {
	const struct futex_word *w;
	u32 uval;               /* the word as the unlocker found it */
	u32 keep;               /* bits kept for the next owner */
};

/* rt_mutex_futex_unlock's commit: write @next's tid into the word. */
static int unlock_commit(struct thread *next, void *arg)
{
	struct unlock_commit *c = arg;
	u32 want = 0, seen = c->uval;

	if (next)
		want = (u32)next->task->tid | FUTEX_WAITERS | c->keep;
	else if (c->keep)
		want = c->keep;
	if (futex_cmpxchg(c->w, &seen, want))
		return -EFAULT;
	return seen == c->uval ? 0 : -EAGAIN;
}

/*
 * Hand @ps, owned by current, to its top waiter, writing the word from
 * @uval (@keep: FUTEX_OWNER_DIED for a robust death). Return: 0, -EAGAIN
 * (the word changed), -EFAULT. [b]
 */
static int ps_hand_over(struct futex_pi_state *ps, const struct futex_word *w,
			u32 uval, u32 keep)
{
	struct unlock_commit c = { .w = w, .uval = uval, .keep = keep };
	struct thread *next;
	int ret;

	KASSERT(ps->owner == current_task());
	ret = rt_mutex_futex_unlock(&ps->mutex, unlock_commit, &c);
	if (ret)
		return ret;
	next = rt_mutex_owner(&ps->mutex);
	ps_set_owner(ps, next ? next->task : NULL);
	if (!next)
		list_del_init(&ps->link);   /* ownerless: nobody may find it */
	return 0;
}

static long futex_unlock_pi(u32 __user *uaddr, bool shared)
{
	struct futex_word w = { .uaddr = uaddr };
	struct futex_pi_state *ps;
	struct futex_bucket *b;
	struct futex_key key;
	u32 uval, seen;
	int ret;

	ret = futex_key_user(uaddr, shared, &key);
	if (ret)
		return ret;
	b = futex_bucket_of(&key);
retry:
	spin_lock(&b->lock);
	ret = futex_read_locked(&w, &uval);
	if (ret)
		goto fault;
	if ((uval & FUTEX_TID_MASK) != (u32)my_tid()) {
		spin_unlock(&b->lock);
		return -EPERM;
	}
	ps = futex_ps_find(b, &key);
	if (ps) {
		ret = ps->owner == current_task() ?
			ps_hand_over(ps, &w, uval, 0) : -EINVAL;
	} else {
		seen = uval;
		ret = futex_cmpxchg(&w, &seen, 0);
		if (!ret && seen != uval)
			ret = -EAGAIN;
	}
	if (ret == -EFAULT)
		goto fault;
	spin_unlock(&b->lock);
	if (ret == -EAGAIN) {
		cond_resched();
		goto retry;
	}
	return ret;
fault:
	spin_unlock(&b->lock);
	if (futex_fault_in_writable(&w))
		return -EFAULT;
	goto retry;
}

/* ---- owner death and exec ------------------------------------------------ */

/* A state on current's list for @key (private or shared kind). [b] */
static struct futex_pi_state *ps_find_mine(struct futex_bucket *b,
					   const struct futex_key *key)
{
	struct futex_pi_state *ps = futex_ps_find(b, key);

	return ps && ps->owner == current_task() ? ps : NULL;
}

bool futex_pi_owner_died(u32 __user *uaddr)
{
	struct futex_word w = { .uaddr = uaddr };
	struct futex_key keys[2];
	unsigned int i;
	int tries;

	/* The robust list does not say which kind the locker used. */
	if (futex_key_user(uaddr, false, &keys[0]) ||
	    futex_key_user(uaddr, true, &keys[1]))
		return false;
	for (i = 0; i < ARRAY_SIZE(keys); i++) {
		struct futex_bucket *b = futex_bucket_of(&keys[i]);

		for (tries = 0; tries < 100; tries++) {
			struct futex_pi_state *ps;
			u32 uval;
			int ret;

			spin_lock(&b->lock);
			ps = ps_find_mine(b, &keys[i]);
			if (!ps) {
				spin_unlock(&b->lock);
				break;
			}
			ret = futex_read_locked(&w, &uval);
			if (!ret && (uval & FUTEX_TID_MASK) != (u32)my_tid())
				ret = -EINVAL;
			if (!ret)
				ret = ps_hand_over(ps, &w, uval,
						   FUTEX_OWNER_DIED);
			spin_unlock(&b->lock);
			if (!ret)
				return true;
			if (ret == -EINVAL ||
			    (ret == -EFAULT && futex_fault_in_writable(&w)))
				return false;
			cond_resched();
		}
	}
	return false;
}

/* Commit for an exit: the word is left to the new owner (fixup). */
static int exit_commit(struct thread *next, void *arg)
{
	(void)next;
	(void)arg;
	return 0;
}

void futex_pi_release_all(struct task *t, bool exiting)
{
	struct futex_pi_state *ps;
	struct futex_bucket *b;
	struct thread *next;

	KASSERT(t == current_task());
	for (;;) {
		spin_lock(&futex_pi_lock);
		if (hlist_empty(&t->pi_states)) {
			if (exiting)
				t->pi_exit_done = true;
			spin_unlock(&futex_pi_lock);
			return;
		}
		ps = hlist_entry(t->pi_states.first, struct futex_pi_state,
				 owner_link);
		b = futex_bucket_of(&ps->key);
		spin_unlock(&futex_pi_lock);

		/* Under [b] it stays ours and allocated, if still first. */
		spin_lock(&b->lock);
		spin_lock(&futex_pi_lock);
		if (t->pi_states.first != &ps->owner_link ||
		    futex_bucket_of(&ps->key) != b) {
			spin_unlock(&futex_pi_lock);
			spin_unlock(&b->lock);
			continue;
		}
		spin_unlock(&futex_pi_lock);
		rt_mutex_futex_unlock(&ps->mutex, exit_commit, NULL);
		next = rt_mutex_owner(&ps->mutex);
		ps_set_owner(ps, next ? next->task : NULL);
		ps->fixup = next != NULL;
		if (!next)
			list_del_init(&ps->link);
		spin_unlock(&b->lock);
	}
}

/* ---- the system call's PI commands --------------------------------------- */

/*
 * The PI commands. LOCK_PI's timeout is absolute CLOCK_REALTIME, LOCK_PI2's
 * and WAIT_REQUEUE_PI's absolute CLOCK_MONOTONIC unless
 * FUTEX_CLOCK_REALTIME; CMP_REQUEUE_PI's nr_requeue is the timeout slot.
 */
long futex_pi_call(u32 __user *uaddr, int cmd, bool shared, bool realtime,
		   u32 val, const struct timespec __user *timeout,
		   u32 __user *uaddr2, u32 val3)
{
	u64 deadline;
	int ret;

	switch (cmd) {
	case FUTEX_LOCK_PI:
	case FUTEX_LOCK_PI2:
	case FUTEX_WAIT_REQUEUE_PI:
		ret = futex_deadline(timeout, true,
				     realtime || cmd == FUTEX_LOCK_PI,
				     &deadline);
		if (ret)
			return ret;
		if (cmd == FUTEX_WAIT_REQUEUE_PI)
			return futex_wait_requeue_pi(uaddr, shared, val,
						     deadline, uaddr2);
		return futex_lock_pi(uaddr, shared, deadline, false);
	case FUTEX_TRYLOCK_PI:
		return futex_lock_pi(uaddr, shared, WAIT_NO_DEADLINE, true);
	case FUTEX_UNLOCK_PI:
		return futex_unlock_pi(uaddr, shared);
	case FUTEX_CMP_REQUEUE_PI:
		return futex_cmp_requeue_pi(uaddr, uaddr2, shared, (int)val,
					    (int)(u32)(uptr)timeout, val3);
	}
	return -ENOSYS;
}
