/*
 * Futexes (futex(2)): wait queues named by user memory words.
 *
 * A waiter queues a struct futex_q (on its stack) on the hash bucket of
 * its key and sleeps; wakers scan that bucket for matching keys. Ordering,
 * the classic futex argument: the waiter reads the word and queues itself
 * with the bucket lock held; a waker changes the word in user space first
 * and takes the bucket lock afterwards. So either the waiter read the new
 * value (and returns -EAGAIN), or it was queued before the waker looked
 * and the waker finds it: a wake-up is never lost.
 *
 * Reading the word under a spinlock must not sleep: the read is a single
 * raw user access whose fault ends in the exception table (the fault
 * handler must not sleep with the preempt count raised, Linux's in_atomic
 * rule). On a fault the lock is dropped, the page faulted in with a normal
 * (sleeping) get_user, and the operation retried.
 *
 * Waking: the waker takes q off the list, sets q->woken and wakes the
 * thread, all under the bucket lock. The waiter always takes the bucket
 * lock of its q before returning (futex_unqueue), so it cannot leave (and
 * free q, or exit) while a waker still uses it. Requeue moves a q to
 * another bucket under both locks and updates q->bucket; futex_unqueue
 * re-checks q->bucket after locking, as Linux does with lock_ptr.
 *
 * Keys: see <keel/futex.h>. Process-shared futexes in private memory are
 * keyed like private ones (address space + address, kind SHARED), as
 * Linux keys anonymous pages; only MAP_SHARED mappings use the physical
 * address, so a copy-on-write break cannot move a private futex away from
 * its waiters.
 *
 * Lock order: mmap_lock (key look-up only, never held with a bucket) ->
 * bucket lock -> (second bucket lock, by trylock) -> run-queue locks
 * (wake-ups). No bucket lock is taken from interrupt context.
 */
#include <keel/arch.h>
#include <keel/errno.h>
#include <keel/futex.h>
#include <keel/hash.h>
#include <keel/list.h>
#include <keel/mm.h>
#include <keel/mm_space.h>
#include <keel/sched.h>
#include <keel/spinlock.h>
#include <keel/syscall.h>
#include <keel/task.h>
#include <keel/uaccess.h>
#include <keel/usertime.h>
#include <keel/wait.h>

#include "futex_internal.h"

#define FUTEX_HASH_BITS 8

static struct futex_bucket futex_table[1 << FUTEX_HASH_BITS];
static int futex_table_state;   /* [a] 0 unset, 1 being set up, 2 ready */

/* The key of MAP_SHARED words: their physical address names them. */
static const char futex_shared_space;

/* Set the table up on first use (no init call is needed at boot). */
static void futex_table_init(void)
{
	int expected = 0;
	unsigned int i;

	if (__atomic_load_n(&futex_table_state, __ATOMIC_ACQUIRE) == 2)
		return;
	if (!__atomic_compare_exchange_n(&futex_table_state, &expected, 1,
					 false, __ATOMIC_ACQUIRE,
					 __ATOMIC_RELAXED)) {
		while (__atomic_load_n(&futex_table_state,
				       __ATOMIC_ACQUIRE) != 2)
			arch_cpu_relax();
		return;
	}
	for (i = 0; i < ARRAY_SIZE(futex_table); i++) {
		spin_lock_init(&futex_table[i].lock);
		INIT_LIST_HEAD(&futex_table[i].chain);
		INIT_LIST_HEAD(&futex_table[i].pi_states);
	}
	__atomic_store_n(&futex_table_state, 2, __ATOMIC_RELEASE);
}

unsigned int futex_hash(const struct futex_key *key)
{
	u64 v = (u64)(uptr)key->space * GOLDEN_RATIO_64;

	v ^= key->addr + key->kind;
	return (unsigned int)hash_64(v, FUTEX_HASH_BITS);
}

unsigned int futex_hash_size(void)
{
	return ARRAY_SIZE(futex_table);
}

struct futex_bucket *futex_bucket_of(const struct futex_key *key)
{
	futex_table_init();
	return &futex_table[futex_hash(key)];
}

bool futex_key_eq(const struct futex_key *a, const struct futex_key *b)
{
	return a->space == b->space && a->addr == b->addr &&
	       a->kind == b->kind;
}

/*
 * Two buckets at once (requeue, wake_op): the lower address first, the
 * second by trylock, so lockdep sees no nesting of the bucket class and
 * two CPUs locking the same pair cannot deadlock.
 */
void futex_lock_pair(struct futex_bucket *a, struct futex_bucket *b)
{
	if (a > b) {
		struct futex_bucket *t = a;

		a = b;
		b = t;
	}
	spin_lock(&a->lock);
	if (a != b)
		while (!spin_trylock(&b->lock))
			arch_cpu_relax();
}

void futex_unlock_pair(struct futex_bucket *a, struct futex_bucket *b)
{
	if (a != b)
		spin_unlock(&b->lock);
	spin_unlock(&a->lock);
}

/* ---- the word ------------------------------------------------------------ */

/*
 * Read the word with a bucket lock held: one access that cannot sleep.
 * Return: 0 or -EFAULT (fault it in with futex_fault_in and retry).
 */
int futex_read_locked(const struct futex_word *w, u32 *val)
{
	u64 v;

	if (w->kaddr) {
		*val = READ_ONCE(*w->kaddr);
		return 0;
	}
	if (!access_ok(w->uaddr, sizeof(u32)) ||
	    arch_get_user_4(w->uaddr, &v))
		return -EFAULT;
	*val = (u32)v;
	return 0;
}

/* Make the word's page present (readable). Context: may sleep. */
int futex_fault_in(const struct futex_word *w)
{
	u32 v;

	if (w->kaddr)
		return 0;
	if (get_user(v, w->uaddr))
		return -EFAULT;
	(void)v;                        /* only the fault mattered */
	return 0;
}

/* Declared in <keel/futex.h>; also called with a bucket lock held. */
int futex_cmpxchg(const struct futex_word *w, u32 *old, u32 new)
{
	if (w->kaddr) {
		__atomic_compare_exchange_n(w->kaddr, old, new, false,
					    __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
		return 0;
	}
	if (!access_ok(w->uaddr, sizeof(u32)))
		return -EFAULT;
	return arch_cmpxchg_user_4(w->uaddr, old, new) ? -EFAULT : 0;
}

/*
 * A compare-and-exchange writes even when it fails (so a copy-on-write
 * page is copied), and this one never changes the value.
 */
int futex_fault_in_writable(const struct futex_word *w)
{
	u32 old = 0;

	if (w->kaddr)
		return 0;
	might_sleep();
	if (futex_fault_in(w))
		return -EFAULT;
	return futex_cmpxchg(w, &old, 0);
}

/* ---- waking ---------------------------------------------------------------- */

/* Take @q off its bucket and wake it. Context: its bucket lock held. */
void futex_wake_q(struct futex_q *q)
{
	lock_assert_held(&q->bucket->lock);
	list_del_init(&q->link);
	WRITE_ONCE(q->woken, true);
	wake_up_thread(q->thread);
}

/*
 * Wake up to @nr waiters of @key on @b (at least one: Linux counts a
 * request for 0 or fewer as 1). Context: @b's lock held.
 */
static int futex_wake_locked(struct futex_bucket *b,
			     const struct futex_key *key, int nr, u32 bitset)
{
	struct futex_q *q, *next;
	int woken = 0;

	if (futex_ps_find(b, key))
		return -EINVAL;         /* a PI futex: FUTEX_UNLOCK_PI's job */
	list_for_each_entry_safe(q, next, &b->chain, link) {
		if (!futex_key_eq(&q->key, key) || !(q->bitset & bitset))
			continue;
		if (q->rt_waiter)
			return -EINVAL;     /* WAIT_REQUEUE_PI: not woken so */
		futex_wake_q(q);
		if (++woken >= nr)
			break;
	}
	return woken;
}

int futex_do_wake(const struct futex_key *key, int nr, u32 bitset)
{
	struct futex_bucket *b = futex_bucket_of(key);
	int woken;

	spin_lock(&b->lock);
	woken = futex_wake_locked(b, key, nr, bitset);
	spin_unlock(&b->lock);
	return woken;
}

int futex_waiters(const struct futex_key *key)
{
	struct futex_bucket *b = futex_bucket_of(key);
	struct futex_q *q;
	int n = 0;

	spin_lock(&b->lock);
	list_for_each_entry(q, &b->chain, link)
		if (futex_key_eq(&q->key, key))
			n++;
	spin_unlock(&b->lock);
	return n;
}

/* ---- waiting --------------------------------------------------------------- */

/*
 * Take @q off its queue unless a waker did. Return: true if it was still
 * queued (so no wake-up reached it).
 */
static bool futex_unqueue(struct futex_q *q)
{
	struct futex_bucket *b;
	bool queued;

	for (;;) {
		b = READ_ONCE(q->bucket);
		spin_lock(&b->lock);
		if (b == READ_ONCE(q->bucket))
			break;
		spin_unlock(&b->lock);      /* requeued meanwhile */
	}
	queued = !q->woken;
	if (queued)
		list_del_init(&q->link);
	spin_unlock(&b->lock);
	return queued;
}

/* Sleep until @q is woken, a signal, or @deadline. Return: 0 or -errno. */
static int futex_sleep(struct futex_q *q, u64 deadline)
{
	int ret = 0;

	for (;;) {
		set_current_state(THREAD_INTERRUPTIBLE);
		if (READ_ONCE(q->woken))
			break;
		if (READ_ONCE(current->signal_pending)) {
			ret = -ERESTARTSYS;
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

int futex_do_wait(const struct futex_word *w, const struct futex_key *key,
		  u32 val, u32 bitset, u64 deadline)
{
	struct futex_bucket *b = futex_bucket_of(key);
	struct futex_q q;
	u32 cur;
	int ret;

	might_sleep();
	for (;;) {
		spin_lock(&b->lock);
		if (!futex_read_locked(w, &cur))
			break;
		spin_unlock(&b->lock);
		if (futex_fault_in(w))
			return -EFAULT;
	}
	if (cur != val) {
		spin_unlock(&b->lock);
		return -EAGAIN;
	}
	q.key = *key;
	q.bucket = b;
	q.thread = current;
	q.bitset = bitset;
	q.woken = false;
	q.rt_waiter = NULL;
	q.pi_state = NULL;
	list_add_tail(&q.link, &b->chain);
	spin_unlock(&b->lock);

	ret = futex_sleep(&q, deadline);
	/* A wake-up that raced with the timeout or signal wins. */
	if (!futex_unqueue(&q))
		return 0;
	return ret;
}

/* ---- requeue and wake_op ----------------------------------------------------- */

/* Move @q to @b2 under @key2. Context: both buckets locked. */
static void futex_requeue_q(struct futex_q *q, struct futex_bucket *b2,
			    const struct futex_key *key2)
{
	if (q->bucket != b2) {
		list_del(&q->link);
		list_add_tail(&q->link, &b2->chain);
	}
	q->key = *key2;
	WRITE_ONCE(q->bucket, b2);
}

int futex_do_requeue(const struct futex_word *w1,
		     const struct futex_key *key1,
		     const struct futex_key *key2, int nr_wake,
		     int nr_requeue, bool cmp, u32 cmpval)
{
	struct futex_bucket *b1 = futex_bucket_of(key1);
	struct futex_bucket *b2 = futex_bucket_of(key2);
	struct futex_q *q, *next;
	int woken = 0, moved = 0;
	u32 cur;

	for (;;) {
		futex_lock_pair(b1, b2);
		if (!cmp || !futex_read_locked(w1, &cur))
			break;
		futex_unlock_pair(b1, b2);
		if (futex_fault_in(w1))
			return -EFAULT;
	}
	if (cmp && cur != cmpval) {
		futex_unlock_pair(b1, b2);
		return -EAGAIN;
	}
	if (futex_ps_find(b1, key1)) {  /* LOCK_PI waiters: never moved */
		futex_unlock_pair(b1, b2);
		return -EINVAL;
	}
	list_for_each_entry_safe(q, next, &b1->chain, link) {
		if (!futex_key_eq(&q->key, key1))
			continue;
		if (q->rt_waiter) {         /* needs FUTEX_CMP_REQUEUE_PI */
			futex_unlock_pair(b1, b2);
			return -EINVAL;
		}
		if (woken < nr_wake) {
			futex_wake_q(q);
			woken++;
		} else if (moved < nr_requeue) {
			futex_requeue_q(q, b2, key2);
			moved++;
		} else {
			break;
		}
	}
	futex_unlock_pair(b1, b2);
	return woken + moved;
}

/* Apply FUTEX_OP_* @op with @arg to @old. Return: false if @op is unknown. */
static bool futex_op_apply(unsigned int op, u32 arg, u32 old, u32 *new)
{
	switch (op) {
	case FUTEX_OP_SET:
		*new = arg;
		return true;
	case FUTEX_OP_ADD:
		*new = old + arg;
		return true;
	case FUTEX_OP_OR:
		*new = old | arg;
		return true;
	case FUTEX_OP_ANDN:
		*new = old & ~arg;
		return true;
	case FUTEX_OP_XOR:
		*new = old ^ arg;
		return true;
	}
	return false;
}

/* Does @old pass comparison @cmp with @arg? -ENOSYS if @cmp is unknown. */
static int futex_op_cmp(unsigned int cmp, int old, int arg)
{
	switch (cmp) {
	case FUTEX_OP_CMP_EQ:
		return old == arg;
	case FUTEX_OP_CMP_NE:
		return old != arg;
	case FUTEX_OP_CMP_LT:
		return old < arg;
	case FUTEX_OP_CMP_LE:
		return old <= arg;
	case FUTEX_OP_CMP_GT:
		return old > arg;
	case FUTEX_OP_CMP_GE:
		return old >= arg;
	}
	return -ENOSYS;
}

/* Sign-extend the 12-bit field of @v at @shift. */
static int futex_op_field(u32 v, unsigned int shift)
{
	return (int)(((v >> shift) & 0xfff) << 20) >> 20;
}

/*
 * The atomic part of FUTEX_WAKE_OP on *@w. Return: the comparison's
 * result (0 or 1), -ENOSYS, or -EFAULT. Context: bucket locks held.
 */
static int futex_op_locked(const struct futex_word *w, u32 encoded)
{
	unsigned int op = (encoded >> 28) & 0x7, cmp = (encoded >> 24) & 0xf;
	int oparg = futex_op_field(encoded, 12);
	int cmparg = futex_op_field(encoded, 0);
	u32 old, want, seen;

	if (encoded & (FUTEX_OP_OPARG_SHIFT << 28))
		oparg = (int)(1U << (oparg & 31));  /* Linux masks, too */
	if (futex_read_locked(w, &old))
		return -EFAULT;
	for (;;) {
		if (!futex_op_apply(op, (u32)oparg, old, &want))
			return -ENOSYS;
		seen = old;
		if (futex_cmpxchg(w, &seen, want))
			return -EFAULT;
		if (seen == old)
			break;
		old = seen;
	}
	return futex_op_cmp(cmp, (int)old, cmparg);
}

int futex_do_wake_op(const struct futex_key *key1, const struct futex_word *w2,
		     const struct futex_key *key2, int nr1, int nr2,
		     u32 encoded_op)
{
	struct futex_bucket *b1 = futex_bucket_of(key1);
	struct futex_bucket *b2 = futex_bucket_of(key2);
	int woken, res;

	for (;;) {
		futex_lock_pair(b1, b2);
		res = futex_op_locked(w2, encoded_op);
		if (res != -EFAULT)
			break;
		futex_unlock_pair(b1, b2);
		if (futex_fault_in_writable(w2))
			return -EFAULT;
		cond_resched();
	}
	if (res < 0) {
		futex_unlock_pair(b1, b2);
		return res;
	}
	woken = futex_wake_locked(b1, key1, nr1, FUTEX_BITSET_MATCH_ANY);
	if (res > 0 && woken >= 0) {
		res = futex_wake_locked(b2, key2, nr2, FUTEX_BITSET_MATCH_ANY);
		woken = res < 0 ? res : woken + res;
	}
	futex_unlock_pair(b1, b2);
	return woken;
}

/* ---- keys of user words ----------------------------------------------------- */

/*
 * The key of a process-shared futex at @addr: the physical address when
 * it lies in a MAP_SHARED mapping, else the private key of kind SHARED.
 * Context: may sleep (faults the page in, takes mmap_lock).
 */
static int futex_key_shared(struct mm *mm, u32 __user *uaddr,
			    struct futex_key *key)
{
	unsigned long addr = (unsigned long)uaddr;
	struct vm_area *vma;
	paddr_t pa;
	int tries;

	key->kind = FUTEX_KEY_SHARED;
	for (tries = 0; tries < 16; tries++) {
		u32 v;
		bool mapped;

		if (get_user(v, uaddr))
			return -EFAULT;
		(void)v;
		down_read(&mm->mmap_lock);
		vma = vma_lookup(mm, addr);
		if (!vma) {
			up_read(&mm->mmap_lock);
			return -EFAULT;
		}
		if (!(vma->flags & (VMA_SHARED | VMA_MAYSHARE))) {
			up_read(&mm->mmap_lock);
			return 0;               /* space = mm, addr */
		}
		mapped = arch_translate(mm->root, addr, &pa, NULL);
		up_read(&mm->mmap_lock);
		if (mapped) {
			key->space = &futex_shared_space;
			key->addr = pa;
			return 0;
		}
		/* Unmapped again between the fault and the look-up. */
	}
	return -EFAULT;
}

/*
 * The key of the user word @uaddr of the calling task; @shared for
 * process-shared futexes (no FUTEX_PRIVATE_FLAG).
 * Return: 0, -EINVAL (misaligned), -EFAULT.
 */
int futex_key_user(u32 __user *uaddr, bool shared,
			  struct futex_key *key)
{
	unsigned long addr = (unsigned long)uaddr;
	struct task *t = current_task();

	if (addr % sizeof(u32))
		return -EINVAL;
	if (!t || !t->mm || !access_ok(uaddr, sizeof(u32)))
		return -EFAULT;
	key->space = t->mm;
	key->addr = addr;
	key->kind = FUTEX_KEY_PRIVATE;
	if (!shared)
		return 0;
	return futex_key_shared(t->mm, uaddr, key);
}

void futex_wake_address(int __user *uaddr, int nr)
{
	struct futex_key key;

	if (futex_key_user((u32 __user *)uaddr, true, &key))
		return;
	futex_do_wake(&key, nr, FUTEX_BITSET_MATCH_ANY);
}

/* ---- the system call ------------------------------------------------------- */

/* FUTEX_WAIT's restart_syscall continuation (timed waits). */
static long futex_wait_restart(struct restart_block *rb)
{
	struct futex_word w = { .uaddr = (u32 __user *)(uptr)rb->arg[0] };
	struct futex_key key;
	u32 val = (u32)rb->arg[1], bitset = (u32)(rb->arg[3] >> 1);
	bool shared = rb->arg[3] & 1;
	int ret;

	rb->fn = NULL;
	ret = futex_key_user(w.uaddr, shared, &key);
	if (ret)
		return ret;
	ret = futex_do_wait(&w, &key, val, bitset, rb->arg[2]);
	if (ret == -ERESTARTSYS) {
		rb->fn = futex_wait_restart;
		return -ERESTART_RESTARTBLOCK;
	}
	return ret;
}

/*
 * The deadline of a wait: none without @uts; else @uts is relative
 * (FUTEX_WAIT) or absolute (@abs) on CLOCK_MONOTONIC, or CLOCK_REALTIME
 * with @realtime, converted to a monotonic deadline now (a later
 * clock_settime does not move it).
 */
int futex_deadline(const struct timespec __user *uts, bool abs,
			  bool realtime, u64 *deadline)
{
	u64 ns, now;
	int ret;

	*deadline = WAIT_NO_DEADLINE;
	if (!uts)
		return 0;
	ret = timespec_get_ns(uts, &ns);
	if (ret)
		return ret;
	now = clock_monotonic_ns();
	if (!abs) {
		*deadline = ns > WAIT_NO_DEADLINE - 1 - now ?
			    WAIT_NO_DEADLINE - 1 : now + ns;
		return 0;
	}
	if (realtime) {
		/* The wall clock runs ahead of the monotonic one by off. */
		u64 off = clock_realtime_ns() - now;

		ns = ns > off ? ns - off : 0;
	}
	*deadline = ns ? ns : 1;        /* 1: long past */
	return 0;
}

static long futex_wait_op(u32 __user *uaddr, bool shared, u32 val,
			  const struct timespec __user *uts, bool abs,
			  bool realtime, u32 bitset)
{
	struct futex_word w = { .uaddr = uaddr };
	struct restart_block *rb;
	struct futex_key key;
	u64 deadline;
	int ret;

	ret = futex_deadline(uts, abs, realtime, &deadline);
	if (ret)
		return ret;
	if (!bitset)
		return -EINVAL;
	ret = futex_key_user(uaddr, shared, &key);
	if (ret)
		return ret;
	ret = futex_do_wait(&w, &key, val, bitset, deadline);
	if (ret != -ERESTARTSYS || deadline == WAIT_NO_DEADLINE)
		return ret;
	/* A timed wait restarts with what is left of its deadline. */
	rb = &current_task()->sig.restart;
	rb->fn = futex_wait_restart;
	rb->arg[0] = (u64)(uptr)uaddr;
	rb->arg[1] = val;
	rb->arg[2] = deadline;
	rb->arg[3] = ((u64)bitset << 1) | shared;
	return -ERESTART_RESTARTBLOCK;
}

static long futex_wake_op_user(u32 __user *uaddr, bool shared, int nr,
			       u32 bitset)
{
	struct futex_key key;
	int ret;

	if (!bitset)
		return -EINVAL;
	ret = futex_key_user(uaddr, shared, &key);
	if (ret)
		return ret;
	return futex_do_wake(&key, nr, bitset);
}

static long futex_requeue_user(u32 __user *uaddr, u32 __user *uaddr2,
			       bool shared, int nr_wake, int nr_requeue,
			       bool cmp, u32 cmpval)
{
	struct futex_word w = { .uaddr = uaddr };
	struct futex_key k1, k2;
	int ret;

	if (nr_wake < 0 || nr_requeue < 0)
		return -EINVAL;
	ret = futex_key_user(uaddr, shared, &k1);
	if (!ret)
		ret = futex_key_user(uaddr2, shared, &k2);
	if (ret)
		return ret;
	return futex_do_requeue(&w, &k1, &k2, nr_wake, nr_requeue, cmp,
				cmpval);
}

static long futex_wake_op_call(u32 __user *uaddr, u32 __user *uaddr2,
			       bool shared, int nr1, int nr2, u32 op)
{
	struct futex_word w2 = { .uaddr = uaddr2 };
	struct futex_key k1, k2;
	int ret;

	ret = futex_key_user(uaddr, shared, &k1);
	if (!ret)
		ret = futex_key_user(uaddr2, shared, &k2);
	if (ret)
		return ret;
	return futex_do_wake_op(&k1, &w2, &k2, nr1, nr2, op);
}

SYSCALL_DEFINE6(futex, u32 __user *, uaddr, int, futex_op, u32, val,
		const struct timespec __user *, timeout, u32 __user *, uaddr2,
		u32, val3)
{
	int cmd = futex_op & FUTEX_CMD_MASK;
	bool shared = !(futex_op & FUTEX_PRIVATE_FLAG);
	bool realtime = futex_op & FUTEX_CLOCK_REALTIME;
	u32 val2 = (u32)(uptr)timeout;

	if (realtime && cmd != FUTEX_WAIT_BITSET && cmd != FUTEX_LOCK_PI2 &&
	    cmd != FUTEX_WAIT_REQUEUE_PI)
		return -ENOSYS;
	switch (cmd) {
	case FUTEX_WAIT:
		return futex_wait_op(uaddr, shared, val, timeout, false, false,
				     FUTEX_BITSET_MATCH_ANY);
	case FUTEX_WAIT_BITSET:
		return futex_wait_op(uaddr, shared, val, timeout, true,
				     realtime, val3);
	case FUTEX_WAKE:
		return futex_wake_op_user(uaddr, shared, (int)val,
					  FUTEX_BITSET_MATCH_ANY);
	case FUTEX_WAKE_BITSET:
		return futex_wake_op_user(uaddr, shared, (int)val, val3);
	case FUTEX_REQUEUE:
		return futex_requeue_user(uaddr, uaddr2, shared, (int)val,
					  (int)val2, false, 0);
	case FUTEX_CMP_REQUEUE:
		return futex_requeue_user(uaddr, uaddr2, shared, (int)val,
					  (int)val2, true, val3);
	case FUTEX_WAKE_OP:
		return futex_wake_op_call(uaddr, uaddr2, shared, (int)val,
					  (int)val2, val3);
	}
	return futex_pi_call(uaddr, cmd, shared, realtime, val, timeout,
			     uaddr2, val3);
}
