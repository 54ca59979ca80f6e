/*
 * futex ktest: the futex core (kernel/ipc/futex.c) on kernel words with
 * kernel threads as waiters: bucket hashing, wait's value check and
 * timeout, wake counts and bitsets, requeue, wake_op, key kinds, and a
 * futex-based mutex under contention (a lost wake-up hangs it).
 */
#include <keel/errno.h>
#include <keel/futex.h>
#include <keel/ktest.h>
#include <keel/ktest_thread.h>
#include <keel/sched.h>
#include <keel/string.h>
#include <keel/time.h>
#include <keel/wait.h>

static const char test_space;   /* the tests' "address space" */

static struct futex_key key_of(u32 *word, unsigned int kind)
{
	return (struct futex_key){ .space = &test_space,
				   .addr = (unsigned long)word, .kind = kind };
}

static struct futex_word word_of(u32 *word)
{
	return (struct futex_word){ .kaddr = word };
}

/* Wait until @n threads sleep on @key (up to 2 s). */
static bool wait_for_waiters(const struct futex_key *key, int n)
{
	int i;

	for (i = 0; i < 2000; i++) {
		if (futex_waiters(key) == n)
			return true;
		sleep_ns(NSEC_PER_MSEC);
	}
	return false;
}

static void test_hash_spreads_keys(struct ktest *t)
{
	static u32 words[1024];
	static unsigned char seen[4096];
	struct futex_key a, b;
	unsigned int i, used = 0, size = futex_hash_size();

	KTEST_ASSERT_TRUE(t, size <= sizeof(seen));
	memset(seen, 0, sizeof(seen));
	for (i = 0; i < ARRAY_SIZE(words); i++) {
		a = key_of(&words[i], FUTEX_KEY_PRIVATE);
		KTEST_ASSERT_TRUE(t, futex_hash(&a) < size);
		if (!seen[futex_hash(&a)]++)
			used++;
	}
	/* 1024 neighbouring words must reach most buckets. */
	KTEST_EXPECT_GE(t, used, size * 3 / 4);
	a = key_of(&words[7], FUTEX_KEY_PRIVATE);
	b = key_of(&words[7], FUTEX_KEY_PRIVATE);
	KTEST_EXPECT_EQ(t, futex_hash(&a), futex_hash(&b));
}

static void test_wait_value_mismatch(struct ktest *t)
{
	u32 w = 1;
	struct futex_word fw = word_of(&w);
	struct futex_key k = key_of(&w, FUTEX_KEY_PRIVATE);

	KTEST_EXPECT_EQ(t, futex_do_wait(&fw, &k, 0, FUTEX_BITSET_MATCH_ANY,
					 WAIT_NO_DEADLINE), -EAGAIN);
	KTEST_EXPECT_EQ(t, futex_waiters(&k), 0);
}

static void test_wait_timeout(struct ktest *t)
{
	u32 w = 0;
	struct futex_word fw = word_of(&w);
	struct futex_key k = key_of(&w, FUTEX_KEY_PRIVATE);
	u64 t0 = clock_monotonic_ns();
	int ret = futex_do_wait(&fw, &k, 0, FUTEX_BITSET_MATCH_ANY,
				t0 + 5 * NSEC_PER_MSEC);

	KTEST_EXPECT_EQ(t, ret, -ETIMEDOUT);
	KTEST_EXPECT_GE(t, clock_monotonic_ns() - t0, 5 * NSEC_PER_MSEC);
	KTEST_EXPECT_EQ(t, futex_waiters(&k), 0);
	/* A deadline in the past returns at once. */
	KTEST_EXPECT_EQ(t, futex_do_wait(&fw, &k, 0, FUTEX_BITSET_MATCH_ANY, 1),
			-ETIMEDOUT);
}

struct waiter_arg {
	u32 *word;
	unsigned int kind;
	u32 bitset;
	int result;
};

static int waiter_fn(void *p)
{
	struct waiter_arg *a = p;
	struct futex_word fw = word_of(a->word);
	struct futex_key k = key_of(a->word, a->kind);

	a->result = futex_do_wait(&fw, &k, 0, a->bitset, WAIT_NO_DEADLINE);
	return 0;
}

/* Start @n waiters on @word; they sleep until woken. */
static void start_waiters(struct thread **th, struct waiter_arg *args, int n,
			  u32 *word, unsigned int kind, u32 bitset)
{
	int i;

	for (i = 0; i < n; i++) {
		args[i] = (struct waiter_arg){ .word = word, .kind = kind,
					       .bitset = bitset, .result = 1 };
		th[i] = ktest_spawn_on(waiter_fn, &args[i], "futex-w", i);
	}
}

static void join_all(struct thread **th, int n)
{
	int i;

	for (i = 0; i < n; i++)
		if (th[i])
			kthread_join(th[i]);
}

static void test_wake_counts(struct ktest *t)
{
	u32 w = 0;
	struct futex_key k = key_of(&w, FUTEX_KEY_PRIVATE);
	struct waiter_arg args[3];
	struct thread *th[3];
	int i;

	KTEST_EXPECT_EQ(t, futex_do_wake(&k, 1, FUTEX_BITSET_MATCH_ANY), 0);
	start_waiters(th, args, 3, &w, FUTEX_KEY_PRIVATE,
		      FUTEX_BITSET_MATCH_ANY);
	KTEST_ASSERT_TRUE(t, wait_for_waiters(&k, 3));
	KTEST_EXPECT_EQ(t, futex_do_wake(&k, 2, FUTEX_BITSET_MATCH_ANY), 2);
	KTEST_EXPECT_EQ(t, futex_waiters(&k), 1);
	/* Linux counts a request to wake 0 as 1. */
	KTEST_EXPECT_EQ(t, futex_do_wake(&k, 0, FUTEX_BITSET_MATCH_ANY), 1);
	join_all(th, 3);
	for (i = 0; i < 3; i++)
		KTEST_EXPECT_EQ(t, args[i].result, 0);
}

static void test_wake_bitset_and_kind(struct ktest *t)
{
	u32 w = 0;
	struct futex_key k = key_of(&w, FUTEX_KEY_PRIVATE);
	struct futex_key ks = key_of(&w, FUTEX_KEY_SHARED);
	struct waiter_arg args[1];
	struct thread *th[1];

	start_waiters(th, args, 1, &w, FUTEX_KEY_PRIVATE, 0x1);
	KTEST_ASSERT_TRUE(t, wait_for_waiters(&k, 1));
	KTEST_EXPECT_EQ(t, futex_do_wake(&k, 8, 0x2), 0);
	/* A shared wake never reaches a private waiter of the same word. */
	KTEST_EXPECT_EQ(t, futex_do_wake(&ks, 8, FUTEX_BITSET_MATCH_ANY), 0);
	KTEST_EXPECT_EQ(t, futex_do_wake(&k, 8, 0x3), 1);
	join_all(th, 1);
	KTEST_EXPECT_EQ(t, args[0].result, 0);
}

static void test_requeue(struct ktest *t)
{
	u32 w1 = 0, w2 = 0;
	struct futex_word fw1 = word_of(&w1);
	struct futex_key k1 = key_of(&w1, FUTEX_KEY_PRIVATE);
	struct futex_key k2 = key_of(&w2, FUTEX_KEY_PRIVATE);
	struct waiter_arg args[3];
	struct thread *th[3];
	int i;

	start_waiters(th, args, 3, &w1, FUTEX_KEY_PRIVATE,
		      FUTEX_BITSET_MATCH_ANY);
	KTEST_ASSERT_TRUE(t, wait_for_waiters(&k1, 3));
	KTEST_EXPECT_EQ(t, futex_do_requeue(&fw1, &k1, &k2, 1, 100, true, 1),
			-EAGAIN);
	KTEST_EXPECT_EQ(t, futex_waiters(&k1), 3);
	KTEST_EXPECT_EQ(t, futex_do_requeue(&fw1, &k1, &k2, 1, 100, true, 0),
			3);
	KTEST_EXPECT_EQ(t, futex_waiters(&k1), 0);
	KTEST_EXPECT_EQ(t, futex_waiters(&k2), 2);
	KTEST_EXPECT_EQ(t, futex_do_wake(&k1, 8, FUTEX_BITSET_MATCH_ANY), 0);
	/* Plain requeue of one back, then wake everyone. */
	KTEST_EXPECT_EQ(t, futex_do_requeue(&fw1, &k2, &k1, 0, 1, false, 0), 1);
	KTEST_EXPECT_EQ(t, futex_do_wake(&k1, 8, FUTEX_BITSET_MATCH_ANY), 1);
	KTEST_EXPECT_EQ(t, futex_do_wake(&k2, 8, FUTEX_BITSET_MATCH_ANY), 1);
	join_all(th, 3);
	for (i = 0; i < 3; i++)
		KTEST_EXPECT_EQ(t, args[i].result, 0);
}

#define OP(op, oparg, cmp, cmparg)                                          \
	((u32)(((op) & 0xf) << 28) | (((cmp) & 0xf) << 24) |                \
	 (((oparg) & 0xfff) << 12) | ((cmparg) & 0xfff))

static void test_wake_op(struct ktest *t)
{
	u32 w1 = 0, w2 = 0;
	struct futex_word fw2 = word_of(&w2);
	struct futex_key k1 = key_of(&w1, FUTEX_KEY_PRIVATE);
	struct futex_key k2 = key_of(&w2, FUTEX_KEY_PRIVATE);
	struct waiter_arg args[1];
	struct thread *th[1];

	start_waiters(th, args, 1, &w2, FUTEX_KEY_PRIVATE,
		      FUTEX_BITSET_MATCH_ANY);
	KTEST_ASSERT_TRUE(t, wait_for_waiters(&k2, 1));
	/* Old value 5 != 0: the waiter on w2 stays. */
	w2 = 5;
	KTEST_EXPECT_EQ(t, futex_do_wake_op(&k1, &fw2, &k2, 1, 1,
					    OP(FUTEX_OP_ADD, 1, FUTEX_OP_CMP_EQ, 0)),
			0);
	KTEST_EXPECT_EQ(t, w2, 6);
	KTEST_EXPECT_EQ(t, futex_do_wake_op(&k1, &fw2, &k2, 1, 1,
					    OP(FUTEX_OP_SET, 9, FUTEX_OP_CMP_GT, 5)),
			1);
	KTEST_EXPECT_EQ(t, w2, 9);
	join_all(th, 1);
	KTEST_EXPECT_EQ(t, args[0].result, 0);
	KTEST_EXPECT_EQ(t, futex_do_wake_op(&k1, &fw2, &k2, 1, 1,
					    OP(FUTEX_OP_OPARG_SHIFT | FUTEX_OP_OR,
					       4, FUTEX_OP_CMP_NE, 0)), 0);
	KTEST_EXPECT_EQ(t, w2, 9 | 16);
	KTEST_EXPECT_EQ(t, futex_do_wake_op(&k1, &fw2, &k2, 1, 1,
					    OP(FUTEX_OP_ANDN, 1, FUTEX_OP_CMP_LT, 0)),
			0);
	KTEST_EXPECT_EQ(t, w2, 24);
	/* A negative 12-bit argument is sign-extended. */
	KTEST_EXPECT_EQ(t, futex_do_wake_op(&k1, &fw2, &k2, 1, 1,
					    OP(FUTEX_OP_ADD, -4, FUTEX_OP_CMP_GE, 24)),
			0);
	KTEST_EXPECT_EQ(t, w2, 20);
	KTEST_EXPECT_EQ(t, futex_do_wake_op(&k1, &fw2, &k2, 1, 1,
					    OP(7, 0, FUTEX_OP_CMP_EQ, 0)), -ENOSYS);
	KTEST_EXPECT_EQ(t, futex_do_wake_op(&k1, &fw2, &k2, 1, 1,
					    OP(FUTEX_OP_XOR, 1, 9, 0)), -ENOSYS);
	KTEST_EXPECT_EQ(t, w2, 21);     /* the op ran before the bad cmp */
}

/* An unmapped user word: every path ends in -EFAULT, nothing hangs. */
static void test_user_word_faults(struct ktest *t)
{
	struct futex_word uw = { .uaddr = (u32 __user *)0x1000 };
	struct futex_word kw = { .uaddr = (u32 __user *)&test_space };
	struct futex_key k = { .space = &test_space, .addr = 0x1000 };
	u32 old = 0;

	KTEST_EXPECT_EQ(t, futex_cmpxchg(&uw, &old, 1), -EFAULT);
	KTEST_EXPECT_EQ(t, futex_cmpxchg(&kw, &old, 1), -EFAULT);
	KTEST_EXPECT_EQ(t, futex_fault_in_writable(&uw), -EFAULT);
	KTEST_EXPECT_EQ(t, futex_do_wait(&uw, &k, 0, FUTEX_BITSET_MATCH_ANY,
					 WAIT_NO_DEADLINE), -EFAULT);
	KTEST_EXPECT_EQ(t, futex_do_requeue(&uw, &k, &k, 1, 1, true, 0),
			-EFAULT);
	KTEST_EXPECT_EQ(t, futex_do_wake_op(&k, &uw, &k, 1, 1, 0), -EFAULT);
	KTEST_EXPECT_EQ(t, futex_waiters(&k), 0);
}

/* ---- a futex mutex under contention ----------------------------------------- */

/* Drepper's mutex: 0 free, 1 locked, 2 locked with waiters. */
struct fmutex {
	u32 word;
	struct ktest_occupancy occ;
	long count;
};

static u32 cas(u32 *w, u32 old, u32 new)
{
	__atomic_compare_exchange_n(w, &old, new, false, __ATOMIC_SEQ_CST,
				    __ATOMIC_SEQ_CST);
	return old;
}

static void fmutex_lock(struct fmutex *m)
{
	struct futex_word fw = word_of(&m->word);
	struct futex_key k = key_of(&m->word, FUTEX_KEY_PRIVATE);
	u32 c = cas(&m->word, 0, 1);

	if (!c)
		return;
	if (c != 2)
		c = __atomic_exchange_n(&m->word, 2, __ATOMIC_SEQ_CST);
	while (c) {
		futex_do_wait(&fw, &k, 2, FUTEX_BITSET_MATCH_ANY,
			      WAIT_NO_DEADLINE);
		c = __atomic_exchange_n(&m->word, 2, __ATOMIC_SEQ_CST);
	}
}

static void fmutex_unlock(struct fmutex *m)
{
	struct futex_key k = key_of(&m->word, FUTEX_KEY_PRIVATE);

	if (__atomic_fetch_sub(&m->word, 1, __ATOMIC_SEQ_CST) != 1) {
		__atomic_store_n(&m->word, 0, __ATOMIC_SEQ_CST);
		futex_do_wake(&k, 1, FUTEX_BITSET_MATCH_ANY);
	}
}

#define STRESS_THREADS 4
#define STRESS_ITERS   2000

static int stress_fn(void *p)
{
	struct fmutex *m = p;
	int i;

	for (i = 0; i < STRESS_ITERS; i++) {
		fmutex_lock(m);
		ktest_occ_enter(&m->occ);
		m->count++;
		ktest_hold_a_while(i);
		ktest_occ_leave(&m->occ);
		fmutex_unlock(m);
	}
	return 0;
}

static void test_mutex_stress(struct ktest *t)
{
	static struct fmutex m;
	struct thread *th[STRESS_THREADS];
	int i;

	memset(&m, 0, sizeof(m));
	for (i = 0; i < STRESS_THREADS; i++)
		th[i] = ktest_spawn_on(stress_fn, &m, "futex-s", i);
	join_all(th, STRESS_THREADS);
	KTEST_EXPECT_EQ(t, m.count, (long)STRESS_THREADS * STRESS_ITERS);
	KTEST_EXPECT_EQ(t, m.occ.max, 1);
	KTEST_EXPECT_EQ(t, m.word, 0);
}

static struct ktest_case futex_cases[] = {
	KTEST_CASE(test_hash_spreads_keys),
	KTEST_CASE(test_wait_value_mismatch),
	KTEST_CASE(test_wait_timeout),
	KTEST_CASE(test_wake_counts),
	KTEST_CASE(test_wake_bitset_and_kind),
	KTEST_CASE(test_requeue),
	KTEST_CASE(test_wake_op),
	KTEST_CASE(test_user_word_faults),
	KTEST_CASE(test_mutex_stress),
	{}
};
KTEST_SUITE(futex, futex_cases);
