/*
 * The futex core's internals, shared by kernel/ipc/futex.c (hash table,
 * keys, WAIT/WAKE/REQUEUE), kernel/ipc/futex_pi.c (the PI operations) and
 * kernel/ipc/futex_robust.c. Locking legend: [b] the lock of the bucket
 * of the object's key; [I] set before the object is visible.
 */
#ifndef KEEL_FUTEX_INTERNAL_H
#define KEEL_FUTEX_INTERNAL_H

#include <keel/futex.h>
#include <keel/list.h>
#include <keel/rtmutex.h>
#include <keel/spinlock.h>
#include <keel/time.h>

struct rt_mutex_waiter;
struct thread;

struct futex_bucket {
	struct spinlock lock;
	struct list_head chain;         /* [lock] futex_q, FIFO */
	struct list_head pi_states;     /* [lock] their futex_pi_states */
};

struct futex_q {
	struct list_head link;          /* [b] on bucket->chain */
	struct futex_key key;           /* [b] requeue rewrites it */
	struct futex_bucket *bucket;    /* [b] the bucket it is on */
	struct thread *thread;          /* [I] */
	u32 bitset;                     /* [I] */
	bool woken;                     /* [b] taken off by a waker */
	/* FUTEX_WAIT_REQUEUE_PI waiters only (rt_waiter non-NULL). */
	struct rt_mutex_waiter *rt_waiter;      /* [I] */
	struct futex_key requeue_key;           /* [I] the PI futex expected */
	struct futex_pi_state *pi_state;        /* [b] requeued onto it */
	int pi_result;                  /* [b] woken: 1 owns the PI futex,
					   or -errno */
};

/* The bucket of @key (sets the table up on first use). */
struct futex_bucket *futex_bucket_of(const struct futex_key *key);
bool futex_key_eq(const struct futex_key *a, const struct futex_key *b);
/* Both buckets, in address order (the second by trylock). */
void futex_lock_pair(struct futex_bucket *a, struct futex_bucket *b);
void futex_unlock_pair(struct futex_bucket *a, struct futex_bucket *b);

/* Read the word under a bucket lock. Return: 0 or -EFAULT. */
int futex_read_locked(const struct futex_word *w, u32 *val);
/* Fault the word's page in (readable). Context: may sleep. */
int futex_fault_in(const struct futex_word *w);

/*
 * The key of user word @uaddr of the calling task (@shared: no
 * FUTEX_PRIVATE_FLAG). Return: 0, -EINVAL (misaligned), -EFAULT.
 */
int futex_key_user(u32 __user *uaddr, bool shared, struct futex_key *key);

/*
 * The monotonic deadline of a timeout: none without @uts; relative, or
 * absolute (@abs) on CLOCK_MONOTONIC or CLOCK_REALTIME (@realtime).
 */
int futex_deadline(const struct timespec __user *uts, bool abs,
		   bool realtime, u64 *deadline);

/* Take @q off its bucket and wake it. [b] */
void futex_wake_q(struct futex_q *q);

/* ---- kernel/ipc/futex_pi.c ----------------------------------------------- */

/*
 * The kernel state of a contended PI futex (see futex_pi.c): an rt_mutex
 * owned by proxy for the task the word names.
 */
struct futex_pi_state {
	struct list_head link;          /* [b] on bucket->pi_states, or empty
					   once ownerless (unhashed) */
	struct hlist_node owner_link;   /* [futex_pi_lock] owner->pi_states */
	struct futex_key key;           /* [I] */
	struct task *owner;             /* [b + futex_pi_lock] */
	bool fixup;                     /* [b] the word names a dead owner */
	int refs;                       /* [b] */
	struct rt_mutex mutex;
};

struct futex_pi_state *futex_ps_alloc(void);
/* The state of @key, if hashed. [b] */
struct futex_pi_state *futex_ps_find(struct futex_bucket *b,
				     const struct futex_key *key);
/* A new state for @key owned by @owner, from *@spare. NULL: @owner
 * exited. [b] (and @owner kept alive by the caller) */
struct futex_pi_state *futex_ps_attach(struct futex_bucket *b,
				       const struct futex_key *key,
				       struct task *owner,
				       struct futex_pi_state **spare);
/* The state to block on for word @uval owned by another: 0, -EAGAIN,
 * -ESRCH, -EINVAL, -EFAULT, -ENOMEM (no *@spare). [b] */
int futex_ps_get_for_owner(struct futex_bucket *b, const struct futex_key *key,
			   const struct futex_word *w, u32 uval,
			   struct futex_pi_state **spare,
			   struct futex_pi_state **out);
/* Drop a waiter's reference; the last frees it. [b] */
void futex_ps_put(struct futex_pi_state *ps);
/* After a wait (@ret 0: current owns the rt_mutex): fix the word, put
 * the reference, unlock @b. Return: @ret or -EFAULT. */
int futex_ps_finish(struct futex_bucket *b, struct futex_pi_state *ps,
		    const struct futex_word *w, int ret);

/*
 * sys_futex's PI commands (FUTEX_LOCK_PI, LOCK_PI2, TRYLOCK_PI,
 * UNLOCK_PI, WAIT_REQUEUE_PI, CMP_REQUEUE_PI; -ENOSYS for others).
 */
long futex_pi_call(u32 __user *uaddr, int cmd, bool shared, bool realtime,
		   u32 val, const struct timespec __user *timeout,
		   u32 __user *uaddr2, u32 val3);
/* kernel/ipc/futex_requeue_pi.c */
long futex_wait_requeue_pi(u32 __user *uaddr, bool shared, u32 val,
			   u64 deadline, u32 __user *uaddr2);
long futex_cmp_requeue_pi(u32 __user *uaddr, u32 __user *uaddr2,
			  bool shared, int nr_wake, int nr_requeue,
			  u32 cmpval);
/*
 * The robust list names PI futex @uaddr, whose word holds current's tid:
 * if current owns kernel PI state for it, hand it to the top waiter with
 * FUTEX_OWNER_DIED set in the word. Return: true if done so.
 */
bool futex_pi_owner_died(u32 __user *uaddr);
/*
 * Hand every PI futex @t (current) still owns to its top waiter; with
 * @exiting, no PI state can be attached to @t afterwards.
 */
void futex_pi_release_all(struct task *t, bool exiting);

#endif /* KEEL_FUTEX_INTERNAL_H */
