/*
 * rt_mutex: sleeping locks with transitive priority inheritance (PI).
 *
 * State. A lock has an owner word (thread | RT_MUTEX_PENDING |
 * RT_MUTEX_HAS_WAITERS), a tree of waiters sorted by the priority each had
 * when last (re)queued, highest first and FIFO among equals, and pi_top:
 * the waiter it contributes to its owner's pi_waiters list. Between
 * critical sections on wait_lock, pi_top is the lock's top waiter at that
 * waiter's current priority, so a thread's pi_waiters holds the top
 * waiter of each lock it owns, and what it inherits is the first entry's
 * priority. sched_pi_setprio() applies it; the scheduler runs the thread
 * at max(own, inherited).
 *
 * Unlock: pending ownership. Unlock hands the lock to the top waiter at
 * once (the owner word names it, RT_MUTEX_PENDING set), takes it off the
 * queue and wakes it; the new owner clears PENDING when it runs. Until
 * then a thread that outranks it (a strictly higher effective priority
 * than it waited with) may take the lock from it, and puts it back in the
 * queue, first among its equals, as the waiter it was. Why this and not
 * the other two designs:
 *  - Plain hand-off (no stealing) makes a high-priority thread that
 *    arrives just after an unlock wait for the new, lower-priority owner
 *    to be scheduled and to run its whole critical section (boosted, but
 *    still an inversion that need not be). With pending ownership it
 *    takes the lock straight away.
 *  - Releasing the lock and letting the woken waiter compete (Linux since
 *    2.6.39) leaves a lock with waiters but no owner, so for that window
 *    nobody carries the waiters' priority; a medium-priority thread can
 *    then delay the woken waiter. Here a lock with waiters always has an
 *    owner to boost: the pending owner carries the remaining waiters'
 *    priority as soon as it is chosen.
 *  - The owner word is 0 only when nobody waits, so the fast paths (one
 *    compare-and-swap) cannot jump the queue; only a higher-priority
 *    thread, in the slow path, can overtake, and only a pending owner.
 *    Equal priorities never steal: FIFO among equals holds.
 * The cost: a releaser of equal or lower priority that relocks at once
 * waits for the new owner to run (a convoy), where stealing by anyone
 * would let it through. Acquisition order is priority order.
 *
 * Lock order (docs/locking.md):
 *
 *	rt_mutex.wait_lock  ->  thread.pi_lock  ->  run-queue locks
 *
 * wait_lock is taken with interrupts saved (spin_lock_irqsave); pi_lock
 * only nests inside it, so interrupts are always off there too. Never two
 * pi_locks at once. sched_pi_setprio() and wake_up_state() take run-queue
 * locks and may be called with a wait_lock and a pi_lock held. Only the
 * chain walk goes against the order, from a thread to the lock it waits
 * for, and only with spin_trylock():
 *  - from its origin thread (its pi_lock held, nothing else): on failure
 *    it lets go of the pi_lock and tries again;
 *  - from an owner O of lock L (L->wait_lock and O->pi_lock held) to the
 *    lock L2 that O waits for: on failure it lets go of O->pi_lock only,
 *    and takes it again to retry (whoever holds L2->wait_lock and wants
 *    O->pi_lock gets on meanwhile). So a walk holds at most two
 *    wait_locks, L's and L2's, L2's only ever tried. It waits, with L's
 *    held, for L2's, which is further down the chain of owners; whoever
 *    holds L2's never waits for L's (that would take a chain from L2 back
 *    to L: a cycle, which the lock calls refuse with -EDEADLK), so the
 *    chain orders these waits and they cannot deadlock.
 *
 * The chain walk and lifetimes. Threads have no reference count, so the
 * walk only ever touches what a lock it holds keeps in place:
 *  - L->wait_lock held: L's owner, while L's owner word is flagged (it
 *    cannot unlock L, the fast unlock fails), and every waiter of L (it
 *    cannot leave the queue);
 *  - T->pi_lock held while T->pi_blocked_on is set: T's waiter and the
 *    lock it waits for (T cannot stop waiting).
 * Step: with L->wait_lock held, lock L's owner O's pi_lock, bring its
 * pi_waiters and boost up to date, try the wait_lock of the lock L2 O
 * waits for, re-sort O's waiter there, let go of O->pi_lock and of
 * L->wait_lock; now L2's owner is in place, and so on. The origin is the
 * caller's: the thread about to block (current), the thread passed to
 * rt_mutex_adjust_pi(), or, when a waiter gives up, the lock it leaves,
 * whose word keeps HAS_WAITERS until the walk is past it (so its owner
 * stays put even if nobody waits any more). A walk for a thread about to
 * block goes to the end of the chain and detects a deadlock (a chain
 * that comes back to the caller, or to the lock it blocks on); one that
 * only re-sorts or lowers priorities stops at the first owner whose
 * priority did not change. Interrupts stay off during a walk: chains are
 * short, and RT_MUTEX_MAX_CHAIN bounds one that is not.
 *
 * Wake-ups: a waiter leaves its wait loop only after seeing, under
 * wait_lock, that it owns the lock or that it gives up, so the unlocker
 * wakes it under wait_lock and it cannot have returned (and been freed)
 * by then. The same holds a pending owner's waiter in place for a thief.
 */
#include <keel/arch.h>
#include <keel/errno.h>
#include <keel/lockdep.h>
#include <keel/panic.h>
#include <keel/rtmutex.h>
#include <keel/sched.h>
#include <keel/sprintf.h>
#include <keel/string.h>
#include <keel/time.h>

#include "rtmutex_internal.h"

#define _RET_IP_ ((unsigned long)__builtin_return_address(0))

void __rt_mutex_init(struct rt_mutex *lock, struct lock_class_key *key)
{
	spin_lock_init(&lock->wait_lock);
	lock->owner = 0;
	lock->waiters = RB_ROOT_CACHED;
	lock->pi_top = NULL;
	lock->handoff = NULL;
	lockdep_map_init(&lock->dep_map, key);
}

/* ---- the owner word ----------------------------------------------------- */

static inline struct thread *word_owner(unsigned long word)
{
	return (struct thread *)(word & ~RT_MUTEX_FLAGS);
}

static bool fast_lock(struct rt_mutex *lock)
{
	unsigned long expect = 0;

	return __atomic_compare_exchange_n(&lock->owner, &expect,
					   (unsigned long)current, false,
					   __ATOMIC_ACQUIRE, __ATOMIC_RELAXED);
}

/* Fails while a flag is set: the slow path must hand the lock on. */
static bool fast_unlock(struct rt_mutex *lock)
{
	unsigned long expect = (unsigned long)current;

	return __atomic_compare_exchange_n(&lock->owner, &expect, 0, false,
					   __ATOMIC_RELEASE, __ATOMIC_RELAXED);
}

/*
 * Set the word: @owner, pending or not, with HAS_WAITERS iff anyone
 * waits. Only while the word is stable: wait_lock held and a flag set (or
 * no owner), so that no fast path can change it meanwhile.
 */
void rtm_set_owner(struct rt_mutex *lock, struct thread *owner,
		      bool pending)
{
	unsigned long w = (unsigned long)owner;

	lock_assert_held(&lock->wait_lock);
	if (owner && !RB_EMPTY_ROOT(&lock->waiters.rb_root))
		w |= RT_MUTEX_HAS_WAITERS;
	if (owner && pending)
		w |= RT_MUTEX_PENDING;
	__atomic_store_n(&lock->owner, w, __ATOMIC_RELEASE);
}

static bool owner_pending(const struct rt_mutex *lock)
{
	return READ_ONCE(lock->owner) & RT_MUTEX_PENDING;
}

/* ---- waiters ------------------------------------------------------------ */

struct rt_mutex_waiter *rtm_top_waiter(struct rt_mutex *lock)
{
	return rb_entry_safe(rb_first_cached(&lock->waiters),
			     struct rt_mutex_waiter, tree_node);
}

/* Behind every waiter of the same or higher priority (@head: ahead of
 * its equals). [w] */
static void __waiter_enqueue(struct rt_mutex *lock, struct rt_mutex_waiter *w,
			     bool head)
{
	struct rb_node **link = &lock->waiters.rb_root.rb_node;
	struct rb_node *parent = NULL;
	bool leftmost = true;

	lock_assert_held(&lock->wait_lock);
	KASSERT(RB_EMPTY_NODE(&w->tree_node));
	while (*link) {
		parent = *link;
		int prio = rb_entry(parent, struct rt_mutex_waiter,
				    tree_node)->prio;

		if (w->prio > prio || (head && w->prio == prio)) {
			link = &parent->rb_left;
		} else {
			link = &parent->rb_right;
			leftmost = false;
		}
	}
	rb_link_node(&w->tree_node, parent, link);
	rb_insert_color_cached(&w->tree_node, &lock->waiters, leftmost);
}

void rtm_waiter_enqueue(struct rt_mutex *lock, struct rt_mutex_waiter *w)
{
	__waiter_enqueue(lock, w, false);
}

static void waiter_dequeue(struct rt_mutex *lock, struct rt_mutex_waiter *w)
{
	lock_assert_held(&lock->wait_lock);
	KASSERT(!RB_EMPTY_NODE(&w->tree_node));
	rb_erase_cached(&w->tree_node, &lock->waiters);
	RB_CLEAR_NODE(&w->tree_node);
}

/* @w's thread now has priority @prio: last among its new equals. [w] */
static void waiter_requeue(struct rt_mutex *lock, struct rt_mutex_waiter *w,
			   int prio)
{
	if (w->prio == prio)
		return;
	waiter_dequeue(lock, w);
	w->prio = prio;
	rtm_waiter_enqueue(lock, w);
}

/* ---- inheritance -------------------------------------------------------- */

/* Into @owner->pi_waiters by pi_prio, behind equals. [owner's pi_lock] */
static void pi_enqueue(struct thread *owner, struct rt_mutex_waiter *w)
{
	struct rt_mutex_waiter *o;

	list_for_each_entry(o, &owner->pi_waiters, pi_link) {
		if (w->pi_prio > o->pi_prio) {
			list_add_tail(&w->pi_link, &o->pi_link);
			return;
		}
	}
	list_add_tail(&w->pi_link, &owner->pi_waiters);
}

/* The priority @t inherits: its top pi waiter's, 0 for none. [pi] */
static int pi_inherited(struct thread *t)
{
	struct rt_mutex_waiter *w = list_first_entry_or_null(
		&t->pi_waiters, struct rt_mutex_waiter, pi_link);

	return w ? w->pi_prio : 0;
}

/*
 * Make @lock's entry in @owner's pi_waiters its present top waiter, at
 * that waiter's present priority. [w] and owner's pi_lock.
 */
static void pi_sync_entry(struct rt_mutex *lock, struct thread *owner)
{
	struct rt_mutex_waiter *top = rtm_top_waiter(lock);

	lock_assert_held(&lock->wait_lock);
	lock_assert_held(&owner->pi_lock);
	if (lock->pi_top == top && (!top || top->pi_prio == top->prio))
		return;
	if (lock->pi_top)
		list_del_init(&lock->pi_top->pi_link);
	lock->pi_top = top;
	if (top) {
		top->pi_prio = top->prio;
		pi_enqueue(owner, top);
	}
}

/* Take @lock's entry out of @owner's pi_waiters. [w], owner's pi_lock */
static void pi_drop_entry(struct rt_mutex *lock, struct thread *owner)
{
	lock_assert_held(&owner->pi_lock);
	if (lock->pi_top)
		list_del_init(&lock->pi_top->pi_link);
	lock->pi_top = NULL;
}

/* Apply what @t inherits. Return: its effective priority now. [pi] */
static int pi_apply(struct thread *t)
{
	lock_assert_held(&t->pi_lock);
	sched_pi_setprio(t, pi_inherited(t));
	return sched_effective_prio(t);
}

/* ---- taking the lock under wait_lock ------------------------------------ */

/*
 * @lock is pending for a thread that has not taken over yet, and current
 * outranks it: take the lock, and queue the pending owner again, as the
 * waiter it was (it is still in its wait loop, which it cannot leave
 * without wait_lock). Return: true if taken. [w]
 */
static bool steal(struct rt_mutex *lock)
{
	struct rt_mutex_waiter *w = lock->handoff;
	struct thread *p;

	KASSERT(w && w->lock == lock && RB_EMPTY_NODE(&w->tree_node));
	p = w->task;
	KASSERT(p == rt_mutex_owner(lock) && p != current);
	if (sched_effective_prio(current) <= w->prio)
		return false;
	spin_lock(&p->pi_lock);
	pi_drop_entry(lock, p);
	w->prio = pi_apply(p);
	p->pi_blocked_on = w;
	spin_unlock(&p->pi_lock);
	__waiter_enqueue(lock, w, true);    /* it came first among equals */
	lock->handoff = NULL;
	rtm_set_owner(lock, current, false);
	spin_lock(&current->pi_lock);
	pi_sync_entry(lock, current);
	pi_apply(current);
	spin_unlock(&current->pi_lock);
	return true;
}

/*
 * Take @lock if it is free, or steal it from a pending owner current
 * outranks. Otherwise, with @mark, set HAS_WAITERS so that the owner's
 * unlock comes through wait_lock: from then on the word only changes
 * under wait_lock. Return: true if current owns @lock.
 */
static bool try_take(struct rt_mutex *lock, bool mark)
{
	unsigned long old = __atomic_load_n(&lock->owner, __ATOMIC_RELAXED);
	unsigned long new;

	lock_assert_held(&lock->wait_lock);
	for (;;) {
		if (!word_owner(old))
			new = (unsigned long)current; /* free: nobody waits */
		else if (old & RT_MUTEX_PENDING)
			return steal(lock);     /* stable: only under [w] */
		else if ((old & RT_MUTEX_HAS_WAITERS) || !mark)
			return false;
		else
			new = old | RT_MUTEX_HAS_WAITERS;
		if (__atomic_compare_exchange_n(&lock->owner, &old, new, false,
						__ATOMIC_ACQUIRE,
						__ATOMIC_RELAXED))
			return !word_owner(old);
	}
}

/*
 * The lock was handed to its owner, who runs now: clear PENDING, nobody
 * can steal it any more. [w]
 */
void rtm_take_over(struct rt_mutex *lock)
{
	struct thread *owner = rt_mutex_owner(lock);

	if (!owner_pending(lock))
		return;
	KASSERT(lock->handoff && lock->handoff->task == owner);
	lock->handoff = NULL;
	rtm_set_owner(lock, owner, false);
}

/* ---- the chain walk ----------------------------------------------------- */

/*
 * Lock the wait_lock of the lock @t waits for, after re-sorting its waiter
 * there at its present priority. @t must stay allocated (the caller's
 * guarantee). Return: that lock, wait_lock held and the interrupt state
 * in *@flags, or NULL if @t waits on nothing.
 */
static struct rt_mutex *walk_begin(struct thread *t, unsigned long *flags)
{
	struct rt_mutex_waiter *w;
	struct rt_mutex *lock;

	for (;;) {
		*flags = spin_lock_irqsave(&t->pi_lock);
		w = t->pi_blocked_on;
		if (!w) {
			spin_unlock_irqrestore(&t->pi_lock, *flags);
			return NULL;
		}
		lock = w->lock;
		/* Against the order: only tried, and nothing else is held. */
		if (spin_trylock(&lock->wait_lock))
			break;
		spin_unlock_irqrestore(&t->pi_lock, *flags);
		arch_cpu_relax();
	}
	waiter_requeue(lock, w, sched_effective_prio(t));
	spin_unlock(&t->pi_lock);
	return lock;
}

/* Remember that @lock is held by @owner, for a report. */
static void walk_note(struct pi_walk *pw, const struct rt_mutex *lock,
		      const struct thread *owner)
{
	if (!pw->detect || pw->hops >= WALK_HOPS)
		return;
	pw->hop[pw->hops].lock = lock;
	strlcpy(pw->hop[pw->hops].owner, owner->name, THREAD_NAME_LEN);
	pw->hops++;
}

/*
 * The next lock down the chain: the one @owner (pi_lock held, owner of
 * the lock whose wait_lock the walk holds) waits for. Its wait_lock is
 * only tried: on failure @owner's pi_lock is let go and taken again, so
 * that whoever holds that wait_lock and wants it gets on; @owner stays
 * the owner meanwhile (the walk holds its lock's wait_lock). Return: the
 * lock, wait_lock held, or NULL (it waits on nothing, or -EDEADLK in
 * *@ret: detect found a cycle through the caller's lock).
 */
static struct rt_mutex *walk_next(struct pi_walk *pw, struct thread *owner,
				  int *ret)
{
	struct rt_mutex_waiter *w;

	for (;;) {
		lock_assert_held(&owner->pi_lock);
		w = owner->pi_blocked_on;
		if (!w)
			return NULL;
		if (pw->detect && w->lock == pw->lock) {
			pw->why = "the chain of owners comes back to this lock";
			*ret = -EDEADLK;
			return NULL;
		}
		if (spin_trylock(&w->lock->wait_lock))
			return w->lock;
		spin_unlock(&owner->pi_lock);
		arch_cpu_relax();
		spin_lock(&owner->pi_lock);
	}
}

/*
 * Before a walk lets go of @lock's wait_lock: drop HAS_WAITERS if nobody
 * waits any more (rtm_waiter_leave() leaves it set until the walk is past its
 * lock, as that is what keeps the owner from unlocking it).
 */
static void walk_fix_word(struct rt_mutex *lock)
{
	/* Unflagged, the word is the fast paths': not ours to rewrite. */
	if (READ_ONCE(lock->owner) & RT_MUTEX_FLAGS)
		rtm_set_owner(lock, rt_mutex_owner(lock), owner_pending(lock));
}

/*
 * Walk from @lock (wait_lock held, interrupts saved in @flags, and its
 * word flagged so that its owner cannot unlock it meanwhile) down the
 * chain of owners, bringing each one's inherited priority and its place
 * among the waiters of the next lock up to date. A walk without detect
 * stops at the first owner whose priority did not change.
 * Return: 0, or -EDEADLK (detect found a cycle, or the chain is too long).
 */
static int walk_chain(struct pi_walk *pw, struct rt_mutex *lock,
		      unsigned long flags)
{
	unsigned int depth = 0;
	int ret = 0;

	for (;;) {
		struct thread *owner = rt_mutex_owner(lock);
		struct rt_mutex *next;
		int before, after;

		if (!owner)
			break;
		walk_note(pw, lock, owner);
		if (pw->detect && owner == pw->task) {
			pw->why = "the chain of owners comes back to it";
			ret = -EDEADLK;
			break;
		}
		spin_lock(&owner->pi_lock);
		before = sched_effective_prio(owner);
		pi_sync_entry(lock, owner);
		after = pi_apply(owner);
		if (!pw->detect && after == before) {
			spin_unlock(&owner->pi_lock);
			break;
		}
		if (++depth >= RT_MUTEX_MAX_CHAIN) {
			pw->why = "the chain of owners is too long";
			ret = -EDEADLK;
			spin_unlock(&owner->pi_lock);
			break;
		}
		next = walk_next(pw, owner, &ret);
		if (!next) {
			spin_unlock(&owner->pi_lock);
			break;
		}
		/* Holding both wait_locks: @owner cannot leave either. */
		waiter_requeue(next, owner->pi_blocked_on,
			       sched_effective_prio(owner));
		spin_unlock(&owner->pi_lock);
		walk_fix_word(lock);
		spin_unlock(&lock->wait_lock);
		lock = next;
	}
	walk_fix_word(lock);
	spin_unlock_irqrestore(&lock->wait_lock, flags);
	return ret;
}

/*
 * Bring the priorities along the chain from @pw->task up to date.
 * Context: no spinlocks held. Return: 0 or -EDEADLK.
 */
int rtm_chain_walk(struct pi_walk *pw)
{
	unsigned long flags;
	struct rt_mutex *lock = walk_begin(pw->task, &flags);

	return lock ? walk_chain(pw, lock, flags) : 0;
}

/* "thread T, rt_mutex L: why" and the chain, through lockdep. */
void rtm_report_deadlock(const struct rt_mutex *lock,
			    const struct pi_walk *pw, const char *why,
			    unsigned long ip)
{
	char detail[96 + WALK_HOPS * (32 + THREAD_NAME_LEN)];
	size_t n;
	unsigned int i;

	n = scnprintf(detail, sizeof(detail), "thread %s, rt_mutex %p: %s",
		      current->name, lock, why);
	for (i = 0; pw && i < pw->hops; i++)
		n += scnprintf(detail + n, sizeof(detail) - n,
			       "%s%p held by %s", i ? " -> " : "\nchain: ",
			       pw->hop[i].lock, pw->hop[i].owner);
	if (pw && pw->hops == WALK_HOPS)
		scnprintf(detail + n, sizeof(detail) - n, " -> ...");
	lockdep_report("rt_mutex deadlock", detail, ip);
}

void rt_mutex_adjust_pi(struct thread *t)
{
	struct pi_walk pw = { .task = t };

	if (rtm_chain_walk(&pw))
		rtm_report_deadlock(NULL, &pw, pw.why, _RET_IP_);
}

/* ---- the slow paths ----------------------------------------------------- */

/*
 * Stop waiting (time out, signal, deadlock): take @w off @lock and give
 * back what it lent the owner, down the chain. Return: false if the lock
 * was handed to us meanwhile (we own it now), true if we left.
 */
bool rtm_waiter_leave(struct rt_mutex *lock, struct rt_mutex_waiter *w,
			 unsigned long ip)
{
	struct pi_walk pw = { .lock = lock };
	unsigned long flags = spin_lock_irqsave(&lock->wait_lock);
	struct thread *t = w->task;

	if (rt_mutex_owner(lock) == t) {
		rtm_take_over(lock);
		spin_unlock_irqrestore(&lock->wait_lock, flags);
		return false;
	}
	spin_lock(&t->pi_lock);
	waiter_dequeue(lock, w);
	t->pi_blocked_on = NULL;
	spin_unlock(&t->pi_lock);
	/*
	 * The word keeps HAS_WAITERS, even if we were the last waiter, until
	 * the walk lets go of @lock: the owner cannot unlock it before, so it
	 * cannot exit and be freed while the walk works on it.
	 */
	if (walk_chain(&pw, lock, flags))
		rtm_report_deadlock(lock, &pw, pw.why, ip);
	return true;
}

/*
 * Sleep until the lock is handed to us, a signal comes (interruptible
 * states) or @deadline passes (if @timed). Return: 0 or the error.
 */
static int wait_for_handoff(struct rt_mutex *lock, long state, bool timed,
			    u64 deadline)
{
	unsigned long flags;
	u64 now = 0;
	int ret;

	for (;;) {
		set_current_state(state);
		flags = spin_lock_irqsave(&lock->wait_lock);
		ret = 1;
		if (rt_mutex_owner(lock) == current) {
			rtm_take_over(lock);
			ret = 0;
		} else if (state == THREAD_INTERRUPTIBLE &&
			   READ_ONCE(current->signal_pending)) {
			ret = -EINTR;
		} else if (timed && (now = clock_monotonic_ns()) >= deadline) {
			ret = -ETIMEDOUT;
		}
		spin_unlock_irqrestore(&lock->wait_lock, flags);
		if (ret <= 0)
			break;
		if (timed)
			schedule_timeout(deadline - now);
		else
			schedule();
	}
	__set_current_state(THREAD_RUNNING);
	return ret;
}

static int rt_mutex_slowlock(struct rt_mutex *lock, long state, bool timed,
			     u64 timeout_ns, unsigned long ip)
{
	struct pi_walk pw = { .task = current, .lock = lock, .detect = true };
	struct rt_mutex_waiter w = { .task = current, .lock = lock };
	u64 now = clock_monotonic_ns();
	u64 deadline = now + timeout_ns < now ? ~0ULL : now + timeout_ns;
	unsigned long flags;
	int ret;

	flags = spin_lock_irqsave(&lock->wait_lock);
	if (try_take(lock, true)) {
		spin_unlock_irqrestore(&lock->wait_lock, flags);
		return 0;
	}
	KASSERT(rt_mutex_owner(lock) != current);   /* __rt_mutex_lock */
	RB_CLEAR_NODE(&w.tree_node);
	INIT_LIST_HEAD(&w.pi_link);
	spin_lock(&current->pi_lock);
	w.prio = sched_effective_prio(current);
	current->pi_blocked_on = &w;
	spin_unlock(&current->pi_lock);
	rtm_waiter_enqueue(lock, &w);
	rtm_set_owner(lock, rt_mutex_owner(lock), owner_pending(lock));
	spin_unlock_irqrestore(&lock->wait_lock, flags);

	ret = rtm_chain_walk(&pw);
	if (!ret)
		ret = wait_for_handoff(lock, state, timed, deadline);
	if (ret && !rtm_waiter_leave(lock, &w, ip))
		ret = 0;    /* handed to us before we could leave: ours */
	if (ret == -EDEADLK)
		rtm_report_deadlock(lock, &pw, pw.why, ip);
	/* Nothing may point at @w, on our stack, once we return. */
	KASSERT(RB_EMPTY_NODE(&w.tree_node) && list_empty(&w.pi_link) &&
		!READ_ONCE(current->pi_blocked_on));
	KASSERT(lock->handoff != &w);
	KASSERT(ret || !owner_pending(lock));
	return ret;
}

/*
 * Hand @lock, owned by current, to its waiter @top (NULL: none may wait)
 * as its pending owner, or release it. [w]
 */
void rtm_hand_over(struct rt_mutex *lock, struct rt_mutex_waiter *top)
{
	struct thread *next;

	KASSERT(!owner_pending(lock) && rt_mutex_owner(lock) == current);
	if (!top) {
		KASSERT(RB_EMPTY_ROOT(&lock->waiters.rb_root));
		rtm_set_owner(lock, NULL, false);
		return;
	}
	/* The waiters stop lending us their priority... */
	spin_lock(&current->pi_lock);
	pi_drop_entry(lock, current);
	pi_apply(current);
	spin_unlock(&current->pi_lock);

	/* ...and the lock and the rest of them go to the top one. */
	next = top->task;
	waiter_dequeue(lock, top);
	lock->handoff = top;
	rtm_set_owner(lock, next, true);
	spin_lock(&next->pi_lock);
	next->pi_blocked_on = NULL;
	pi_sync_entry(lock, next);
	pi_apply(next);
	spin_unlock(&next->pi_lock);
	/* Under wait_lock: @next cannot have left its wait loop yet. */
	wake_up_thread(next);
}

static void rt_mutex_slowunlock(struct rt_mutex *lock)
{
	unsigned long flags = spin_lock_irqsave(&lock->wait_lock);

	rtm_hand_over(lock, rtm_top_waiter(lock));
	spin_unlock_irqrestore(&lock->wait_lock, flags);
}

/* Trylock of a pending lock: steal it if we outrank the pending owner. */
static bool rt_mutex_slowtrylock(struct rt_mutex *lock)
{
	unsigned long flags = spin_lock_irqsave(&lock->wait_lock);
	bool taken = try_take(lock, false);

	spin_unlock_irqrestore(&lock->wait_lock, flags);
	return taken;
}

/* ---- the interface ------------------------------------------------------ */

/*
 * No might_sleep() here: lockdep_acquire() checks the caller's context
 * itself (see <keel/lockdep.h>), and both would report one bug twice.
 */
static int __rt_mutex_lock(struct rt_mutex *lock, long state, bool timed,
			   u64 timeout_ns, unsigned long ip)
{
	int ret;

	/*
	 * Our own lock: only we can have made ourselves the owner, so this
	 * read is exact. Caught before lockdep_acquire() so that the one
	 * bug gets one report, this one, which says what the call returns.
	 */
	if (unlikely(rt_mutex_owner(lock) == current)) {
		rtm_report_deadlock(lock, NULL, "it holds it already", ip);
		return -EDEADLK;
	}
	lockdep_acquire(&lock->dep_map, false, ip);
	if (likely(fast_lock(lock)))
		return 0;
	ret = rt_mutex_slowlock(lock, state, timed, timeout_ns, ip);
	if (ret)
		lockdep_release(&lock->dep_map, ip);
	return ret;
}

int rt_mutex_lock(struct rt_mutex *lock)
{
	return __rt_mutex_lock(lock, THREAD_UNINTERRUPTIBLE, false, 0,
			       _RET_IP_);
}

int rt_mutex_lock_interruptible(struct rt_mutex *lock)
{
	return __rt_mutex_lock(lock, THREAD_INTERRUPTIBLE, false, 0, _RET_IP_);
}

int rt_mutex_timed_lock(struct rt_mutex *lock, u64 timeout_ns)
{
	return __rt_mutex_lock(lock, THREAD_INTERRUPTIBLE, true, timeout_ns,
			       _RET_IP_);
}

int rt_mutex_trylock(struct rt_mutex *lock)
{
	if (!fast_lock(lock) &&
	    (!owner_pending(lock) || !rt_mutex_slowtrylock(lock)))
		return 0;
	lockdep_acquire(&lock->dep_map, true, _RET_IP_);
	return 1;
}

void rt_mutex_unlock(struct rt_mutex *lock)
{
	char detail[96];

	/* Only the owner can make itself the owner: this read is exact. */
	if (unlikely(rt_mutex_owner(lock) != current)) {
		snprintf(detail, sizeof(detail),
			 "thread %s unlocking rt_mutex %p held by %p; ignored",
			 current->name, lock, rt_mutex_owner(lock));
		lockdep_report("rt_mutex_unlock by a non-owner", detail,
			       _RET_IP_);
		return;
	}
	lockdep_release(&lock->dep_map, _RET_IP_);
	if (likely(fast_unlock(lock)))
		return;
	rt_mutex_slowunlock(lock);
}
