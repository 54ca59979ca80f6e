/*
 * Futexes: user-space locks that sleep in the kernel only when contended
 * (futex(2), Linux's semantics), and the robust lists that release them
 * when their owner dies.
 *
 *	sys_futex                      the system call (kernel/ipc/futex.c)
 *	futex_wake_address(uaddr, nr)  wake the waiters of a user word
 *	                               (CLONE_CHILD_CLEARTID at thread exit)
 *	futex_exit_robust(t)           walk an exiting task's robust list,
 *	                               then hand its PI futexes on
 *	sys_set_robust_list, sys_get_robust_list
 *
 * A futex is named by a key: a private futex (FUTEX_PRIVATE_FLAG, or a
 * word in private memory) by its address space and virtual address, a
 * process-shared one in MAP_SHARED memory by the physical address of the
 * word, so two processes mapping the same page meet whatever their
 * virtual addresses. Waiters queue on a bucket of a hash table of keys.
 *
 * The core works on a struct futex_word (a user address, or a kernel
 * address for the in-kernel tests) and a key, so the wait/wake/requeue
 * logic is tested with kernel threads on kernel memory (futex ktest).
 *
 * Locking legend: [b] the lock of the hash bucket of q->key; [I] set
 * before the waiter is queued.
 */
#ifndef KEEL_FUTEX_H
#define KEEL_FUTEX_H

#include <keel/compiler.h>
#include <keel/types.h>

struct task;

/* ---- Linux ABI (linux/futex.h) -------------------------------------------- */

#define FUTEX_WAIT              0
#define FUTEX_WAKE              1
#define FUTEX_FD                2
#define FUTEX_REQUEUE           3
#define FUTEX_CMP_REQUEUE       4
#define FUTEX_WAKE_OP           5
#define FUTEX_LOCK_PI           6
#define FUTEX_UNLOCK_PI         7
#define FUTEX_TRYLOCK_PI        8
#define FUTEX_WAIT_BITSET       9
#define FUTEX_WAKE_BITSET       10
#define FUTEX_WAIT_REQUEUE_PI   11
#define FUTEX_CMP_REQUEUE_PI    12
#define FUTEX_LOCK_PI2          13

#define FUTEX_PRIVATE_FLAG      128
#define FUTEX_CLOCK_REALTIME    256
#define FUTEX_CMD_MASK          (~(FUTEX_PRIVATE_FLAG | FUTEX_CLOCK_REALTIME))

#define FUTEX_BITSET_MATCH_ANY  0xffffffffU

/* FUTEX_WAKE_OP's encoded operation: op 28-31, cmp 24-27, oparg, cmparg. */
#define FUTEX_OP_SET            0   /* uaddr2 = oparg */
#define FUTEX_OP_ADD            1   /* uaddr2 += oparg */
#define FUTEX_OP_OR             2   /* uaddr2 |= oparg */
#define FUTEX_OP_ANDN           3   /* uaddr2 &= ~oparg */
#define FUTEX_OP_XOR            4   /* uaddr2 ^= oparg */
#define FUTEX_OP_OPARG_SHIFT    8   /* flag: use (1 << oparg) as operand */
#define FUTEX_OP_CMP_EQ         0
#define FUTEX_OP_CMP_NE         1
#define FUTEX_OP_CMP_LT         2
#define FUTEX_OP_CMP_LE         3
#define FUTEX_OP_CMP_GT         4
#define FUTEX_OP_CMP_GE         5

/* The lock word of PI and robust futexes. */
#define FUTEX_WAITERS           0x80000000U
#define FUTEX_OWNER_DIED        0x40000000U
#define FUTEX_TID_MASK          0x3fffffffU

/* Robust lists (set_robust_list(2)); entries' bit 0 marks a PI futex. */
struct robust_list {
	struct robust_list __user *next;
};

struct robust_list_head {
	struct robust_list list;
	long futex_offset;              /* from an entry to its lock word */
	struct robust_list __user *list_op_pending;
};

#define ROBUST_LIST_LIMIT       2048   /* entries walked at most (Linux) */

/* ---- for the rest of the kernel ------------------------------------------- */

/**
 * futex_wake_address - wake up to @nr waiters of the futex at @uaddr in the
 * calling task's address space, as FUTEX_WAKE (process-shared: it also
 * reaches waiters in other processes sharing the page) would.
 * A bad address is ignored (the exiting thread cannot be told).
 * Context: process context of a task, may sleep, no spinlocks held.
 */
void futex_wake_address(int __user *uaddr, int nr);

/**
 * futex_exit_robust - release the robust futexes @t still holds: walk its
 * robust list (at most ROBUST_LIST_LIMIT entries, and the list_op_pending
 * one), mark each lock word owned by @t's tid FUTEX_OWNER_DIED and wake
 * one waiter of it (a contended PI futex goes to its top waiter, whose
 * tid replaces @t's). A corrupt list just ends the walk. Then every PI
 * futex @t still owns is handed to its top waiter (kernel/ipc/futex_pi.c).
 * Context: @t is current, exiting or exec'ing, its address space in place;
 * process context, may sleep.
 */
void futex_exit_robust(struct task *t);

/* ---- the core, for kernel/ipc and the futex ktest --------------------------- */

/*
 * A futex key: @space is the address space (private futexes and
 * process-shared ones in private memory), &futex_shared_space (the word's
 * physical address is @addr), or a test's cookie; @addr the address;
 * @kind tells a private from a process-shared key on the same word, which
 * never match each other (as on Linux).
 */
struct futex_key {
	const void *space;
	unsigned long addr;
	unsigned int kind;
};

#define FUTEX_KEY_PRIVATE  0
#define FUTEX_KEY_SHARED   1

/* Where the 32-bit word lives: user memory, or kernel memory (tests). */
struct futex_word {
	u32 __user *uaddr;
	u32 *kaddr;                     /* non-NULL: a kernel word */
};

/* The bucket's hash of @key, for the ktest's distribution check. */
unsigned int futex_hash(const struct futex_key *key);
/* The number of buckets. */
unsigned int futex_hash_size(void);

/*
 * futex_do_wait - sleep on @key while *@w == @val, until woken by a
 * matching wake with a bitset sharing a bit with @bitset, a signal, or
 * the monotonic @deadline (WAIT_NO_DEADLINE: none).
 * Return: 0 woken; -EAGAIN the word differed; -ETIMEDOUT; -ERESTARTSYS
 * (a signal); -EFAULT. Context: process context, may sleep.
 */
int futex_do_wait(const struct futex_word *w, const struct futex_key *key,
		  u32 val, u32 bitset, u64 deadline);

/*
 * futex_do_wake - wake up to @nr waiters of @key whose bitset meets
 * @bitset, oldest first. Return: the number woken. Context: any thread
 * context, no spinlocks held.
 */
int futex_do_wake(const struct futex_key *key, int nr, u32 bitset);

/*
 * futex_do_requeue - wake up to @nr_wake waiters of @key1 and move up to
 * @nr_requeue more to @key2. With @cmp, fail with -EAGAIN (nothing done)
 * unless *@w1 == @cmpval under the bucket locks.
 * Return: woken + moved, or -EAGAIN / -EFAULT.
 */
int futex_do_requeue(const struct futex_word *w1,
		     const struct futex_key *key1,
		     const struct futex_key *key2, int nr_wake,
		     int nr_requeue, bool cmp, u32 cmpval);

/*
 * futex_do_wake_op - FUTEX_WAKE_OP: atomically apply @encoded_op's
 * operation to *@w2, wake up to @nr1 waiters of @key1, and, if the old
 * value of *@w2 passes the encoded comparison, up to @nr2 of @key2.
 * Return: the number woken, -ENOSYS (unknown operation or comparison),
 * -EFAULT.
 */
int futex_do_wake_op(const struct futex_key *key1, const struct futex_word *w2,
		     const struct futex_key *key2, int nr1, int nr2,
		     u32 encoded_op);

/*
 * futex_cmpxchg - if *@w holds *@old, store @new; *@old gets the value
 * found either way. One non-sleeping access (callable under a bucket
 * lock). Return: 0 or -EFAULT.
 * futex_fault_in_writable - make *@w's page present and writable without
 * changing it. Return: 0 or -EFAULT. Context: may sleep.
 */
int futex_cmpxchg(const struct futex_word *w, u32 *old, u32 new);
int futex_fault_in_writable(const struct futex_word *w);

/* The number of waiters queued on @key (ktest). Context: thread context. */
int futex_waiters(const struct futex_key *key);

#endif /* KEEL_FUTEX_H */
