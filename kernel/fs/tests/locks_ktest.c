/*
 * ktests for advisory locks (suite "locks"): POSIX range splitting and
 * merging, shared and exclusive conflicts, OFD versus POSIX versus flock,
 * flock conversion, release by owner (close) and by file (last fput), a
 * blocked F_SETLKW woken by the release or ended by a signal, and EDEADLK
 * on a two-owner cycle.
 *
 * The locks are set on a zeroed inode through locks_set/locks_test, with
 * the addresses of local objects as owners, so no fd table is needed.
 */
#include <keel/errno.h>
#include <keel/ktest.h>
#include <keel/ktest_thread.h>
#include <keel/locks.h>
#include <keel/sched.h>
#include <keel/slab.h>
#include <keel/vfs.h>

static int owner_a, owner_b, owner_c;

static struct file_lock req(unsigned int kind, const void *owner, int type,
			    loff_t start, loff_t end)
{
	struct file_lock rq = {
		.kind = kind, .owner = owner, .type = type, .pid = 7,
		.start = start, .end = end,
	};

	INIT_LIST_HEAD(&rq.link);
	return rq;
}

static long set(struct inode *in, const void *owner, int type, loff_t start,
		loff_t end)
{
	struct file_lock rq = req(FL_POSIX, owner, type, start, end);

	return locks_set(in, &rq, false);
}

/* The conflicting lock's range for a write probe at @off by owner_c. */
static bool probe(struct inode *in, loff_t off, int type, struct file_lock *out)
{
	*out = req(FL_POSIX, &owner_c, type, off, off);
	return locks_test(in, out);
}

static void test_split_merge(struct ktest *t)
{
	struct inode *in = kzalloc(sizeof(*in), GFP_KERNEL);
	struct file_lock fl;

	KTEST_ASSERT_TRUE(t, in);
	KTEST_EXPECT_EQ(t, set(in, &owner_a, F_WRLCK, 0, 99), 0);
	KTEST_EXPECT_EQ(t, set(in, &owner_a, F_UNLCK, 40, 59), 0);
	KTEST_EXPECT_FALSE(t, probe(in, 50, F_WRLCK, &fl));
	KTEST_EXPECT_TRUE(t, probe(in, 10, F_WRLCK, &fl));
	KTEST_EXPECT_EQ(t, fl.start, 0);
	KTEST_EXPECT_EQ(t, fl.end, 39);
	KTEST_EXPECT_TRUE(t, fl.owner == &owner_a && fl.pid == 7);
	KTEST_EXPECT_TRUE(t, probe(in, 99, F_WRLCK, &fl));
	KTEST_EXPECT_EQ(t, fl.start, 60);
	KTEST_EXPECT_EQ(t, fl.end, 99);
	/* Filling the hole merges the three pieces back into one. */
	KTEST_EXPECT_EQ(t, set(in, &owner_a, F_WRLCK, 40, 59), 0);
	KTEST_EXPECT_TRUE(t, probe(in, 50, F_WRLCK, &fl));
	KTEST_EXPECT_EQ(t, fl.start, 0);
	KTEST_EXPECT_EQ(t, fl.end, 99);
	/* A read lock inside splits the write lock around it. */
	KTEST_EXPECT_EQ(t, set(in, &owner_a, F_RDLCK, 20, 29), 0);
	KTEST_EXPECT_FALSE(t, probe(in, 25, F_RDLCK, &fl));
	KTEST_EXPECT_TRUE(t, probe(in, 25, F_WRLCK, &fl));
	KTEST_EXPECT_EQ(t, fl.type, F_RDLCK);
	KTEST_EXPECT_EQ(t, fl.start, 20);
	KTEST_EXPECT_EQ(t, fl.end, 29);
	KTEST_EXPECT_TRUE(t, probe(in, 19, F_RDLCK, &fl));
	KTEST_EXPECT_EQ(t, fl.end, 19);
	/* To EOF, then unlocking everything frees the inode's context. */
	KTEST_EXPECT_EQ(t, set(in, &owner_a, F_WRLCK, 100, LOCK_OFFSET_MAX), 0);
	KTEST_EXPECT_TRUE(t, probe(in, LOCK_OFFSET_MAX, F_RDLCK, &fl));
	KTEST_EXPECT_EQ(t, fl.start, 30);
	KTEST_EXPECT_EQ(t, set(in, &owner_a, F_UNLCK, 0, LOCK_OFFSET_MAX), 0);
	KTEST_EXPECT_FALSE(t, probe(in, 0, F_WRLCK, &fl));
	KTEST_EXPECT_TRUE(t, in->i_flctx == NULL);
	kfree(in);
}

static void test_conflicts(struct ktest *t)
{
	struct inode *in = kzalloc(sizeof(*in), GFP_KERNEL);
	struct file *fa = kzalloc(sizeof(*fa), GFP_KERNEL);
	struct file *fb = kzalloc(sizeof(*fb), GFP_KERNEL);
	struct file_lock rq;

	KTEST_ASSERT_TRUE(t, in && fa && fb);
	/* Read locks share, a write lock conflicts with them. */
	KTEST_EXPECT_EQ(t, set(in, &owner_a, F_RDLCK, 0, 9), 0);
	KTEST_EXPECT_EQ(t, set(in, &owner_b, F_RDLCK, 5, 14), 0);
	KTEST_EXPECT_EQ(t, set(in, &owner_c, F_WRLCK, 9, 9), -EAGAIN);
	KTEST_EXPECT_EQ(t, set(in, &owner_c, F_WRLCK, 15, 20), 0);
	/* An owner's own locks never conflict: upgrade in place fails... */
	KTEST_EXPECT_EQ(t, set(in, &owner_a, F_WRLCK, 0, 9), -EAGAIN);
	/* ... until the other reader goes. */
	KTEST_EXPECT_EQ(t, set(in, &owner_b, F_UNLCK, 0, LOCK_OFFSET_MAX), 0);
	KTEST_EXPECT_EQ(t, set(in, &owner_a, F_WRLCK, 0, 9), 0);
	/* OFD locks conflict with POSIX locks and with each other. */
	rq = req(FL_OFD, fa, F_WRLCK, 5, 5);
	KTEST_EXPECT_EQ(t, locks_set(in, &rq, false), -EAGAIN);
	rq = req(FL_OFD, fa, F_WRLCK, 30, 39);
	KTEST_EXPECT_EQ(t, locks_set(in, &rq, false), 0);
	rq = req(FL_OFD, fb, F_RDLCK, 35, 35);
	KTEST_EXPECT_EQ(t, locks_set(in, &rq, false), -EAGAIN);
	KTEST_EXPECT_EQ(t, set(in, &owner_c, F_RDLCK, 39, 40), -EAGAIN);
	/* flock is independent of them, exclusive between descriptions. */
	rq = req(FL_FLOCK, fa, F_WRLCK, 0, LOCK_OFFSET_MAX);
	KTEST_EXPECT_EQ(t, locks_set(in, &rq, false), 0);
	rq = req(FL_FLOCK, fb, F_RDLCK, 0, LOCK_OFFSET_MAX);
	KTEST_EXPECT_EQ(t, locks_set(in, &rq, false), -EAGAIN);
	/* Converting fa's to shared lets fb share it. */
	rq = req(FL_FLOCK, fa, F_RDLCK, 0, LOCK_OFFSET_MAX);
	KTEST_EXPECT_EQ(t, locks_set(in, &rq, false), 0);
	rq = req(FL_FLOCK, fb, F_RDLCK, 0, LOCK_OFFSET_MAX);
	KTEST_EXPECT_EQ(t, locks_set(in, &rq, false), 0);
	rq = req(FL_FLOCK, fb, F_WRLCK, 0, LOCK_OFFSET_MAX);
	KTEST_EXPECT_EQ(t, locks_set(in, &rq, false), -EAGAIN);
	/* Release by owner (a close) and by file (the last fput). */
	fa->f_inode = in;
	fb->f_inode = in;
	locks_remove_posix(fa, (struct files *)&owner_a);
	locks_remove_posix(fa, (struct files *)&owner_c);
	KTEST_EXPECT_EQ(t, set(in, &owner_b, F_WRLCK, 0, 9), 0);
	locks_remove_file(fa);
	rq = req(FL_FLOCK, fb, F_WRLCK, 0, LOCK_OFFSET_MAX);
	KTEST_EXPECT_EQ(t, locks_set(in, &rq, false), 0);
	KTEST_EXPECT_EQ(t, set(in, &owner_c, F_WRLCK, 30, 39), 0);
	locks_remove_file(fb);
	locks_remove_posix(fb, (struct files *)&owner_b);
	locks_remove_posix(fb, (struct files *)&owner_c);
	KTEST_EXPECT_TRUE(t, in->i_flctx == NULL);
	kfree(fa);
	kfree(fb);
	kfree(in);
}

struct waiter_arg {
	struct inode *in;
	const void *owner;
	loff_t start;
	long ret;
};

static int waiter_fn(void *p)
{
	struct waiter_arg *a = p;
	struct file_lock rq = req(FL_POSIX, a->owner, F_WRLCK, a->start,
				  a->start);

	a->ret = locks_set(a->in, &rq, true);
	return 0;
}

static void test_wait(struct ktest *t)
{
	struct inode *in = kzalloc(sizeof(*in), GFP_KERNEL);
	struct waiter_arg a = { .owner = &owner_b, .ret = 1 };
	struct file_lock rq;
	struct thread *th;

	KTEST_ASSERT_TRUE(t, in);
	a.in = in;
	KTEST_EXPECT_EQ(t, set(in, &owner_a, F_WRLCK, 0, 0), 0);
	th = ktest_spawn_on(waiter_fn, &a, "lk_wait", 1);
	KTEST_ASSERT_TRUE(t, th);
	KTEST_EXPECT_TRUE(t, ktest_wait_asleep(th, THREAD_INTERRUPTIBLE));
	KTEST_EXPECT_EQ(t, a.ret, 1);
	KTEST_EXPECT_EQ(t, set(in, &owner_a, F_UNLCK, 0, 0), 0);
	KTEST_EXPECT_EQ(t, kthread_join(th), 0);
	KTEST_EXPECT_EQ(t, a.ret, 0);
	KTEST_EXPECT_TRUE(t, probe(in, 0, F_RDLCK, &rq) &&
			     rq.owner == &owner_b);

	/* b holds [0], a holds [1]; b waits for [1]; a asking for [0] is a cycle. */
	KTEST_EXPECT_EQ(t, set(in, &owner_a, F_WRLCK, 1, 1), 0);
	a.start = 1;
	a.ret = 1;
	th = ktest_spawn_on(waiter_fn, &a, "lk_dead", 1);
	KTEST_ASSERT_TRUE(t, th);
	KTEST_EXPECT_TRUE(t, ktest_wait_asleep(th, THREAD_INTERRUPTIBLE));
	rq = req(FL_POSIX, &owner_a, F_WRLCK, 0, 0);
	KTEST_EXPECT_EQ(t, locks_set(in, &rq, true), -EDEADLK);
	KTEST_EXPECT_EQ(t, set(in, &owner_a, F_UNLCK, 1, 1), 0);
	KTEST_EXPECT_EQ(t, kthread_join(th), 0);
	KTEST_EXPECT_EQ(t, a.ret, 0);
	KTEST_EXPECT_EQ(t, set(in, &owner_b, F_UNLCK, 0, LOCK_OFFSET_MAX), 0);
	KTEST_EXPECT_TRUE(t, in->i_flctx == NULL);
	kfree(in);
}

/* A signal ends an F_SETLKW wait with -ERESTARTSYS, the lock not taken. */
static void test_wait_signal(struct ktest *t)
{
	struct inode *in = kzalloc(sizeof(*in), GFP_KERNEL);
	struct waiter_arg a = { .owner = &owner_b, .start = 3, .ret = 1 };
	struct file_lock rq;
	struct thread *th;

	KTEST_ASSERT_TRUE(t, in);
	a.in = in;
	KTEST_EXPECT_EQ(t, set(in, &owner_a, F_RDLCK, 0, 9), 0);
	th = ktest_spawn_on(waiter_fn, &a, "lk_intr", 1);
	KTEST_ASSERT_TRUE(t, th);
	KTEST_EXPECT_TRUE(t, ktest_wait_asleep(th, THREAD_INTERRUPTIBLE));
	WRITE_ONCE(th->signal_pending, true);
	wake_up_state(th, THREAD_INTERRUPTIBLE);
	KTEST_EXPECT_EQ(t, kthread_join(th), 0);
	KTEST_EXPECT_EQ(t, a.ret, -ERESTARTSYS);
	KTEST_EXPECT_FALSE(t, probe(in, 3, F_RDLCK, &rq));
	KTEST_EXPECT_EQ(t, set(in, &owner_a, F_UNLCK, 0, 9), 0);
	KTEST_EXPECT_TRUE(t, in->i_flctx == NULL);
	kfree(in);
}

static struct ktest_case locks_cases[] = {
	KTEST_CASE(test_split_merge),
	KTEST_CASE(test_conflicts),
	KTEST_CASE(test_wait),
	KTEST_CASE(test_wait_signal),
	{}
};
KTEST_SUITE(locks, locks_cases);
