/*
 * ktests for read-write semaphores (suite "rwsem").
 *
 * The stress case mixes writers, which keep a pair of counters equal
 * (incrementing one, holding on, incrementing the other), with readers
 * that check the pair and that no writer is inside with them, all pinned
 * round-robin over every online CPU. The ordering cases queue waiters one
 * at a time (each asleep before the next starts), so the queue order is
 * known, and check who gets the semaphore in which order. Provoked
 * reports are marked expected and counted exactly when checking is on.
 */
#include <keel/err.h>
#include <keel/errno.h>
#include <keel/ktest.h>
#include <keel/ktest_thread.h>
#include <keel/lockdep.h>
#include <keel/rwsem.h>
#include <keel/sched.h>
#include <keel/smp.h>
#include <keel/spinlock.h>
#include <keel/time.h>

#define MAX_THREADS   16
#define STRESS_ITERS  60

/* ---- helpers ------------------------------------------------------------ */

static int atomic_get(int *p)
{
	return __atomic_load_n(p, __ATOMIC_SEQ_CST);
}

/* Wait (up to 2 s) until *@p reaches @want. */
static bool wait_count(int *p, int want)
{
	int i;

	for (i = 0; i < 2000 && atomic_get(p) < want; i++)
		sleep_ns(NSEC_PER_MSEC);
	return atomic_get(p) >= want;
}

static void join_all(struct ktest *t, struct thread **th, int n)
{
	int i;

	for (i = 0; i < n; i++)
		if (th[i])
			KTEST_EXPECT_EQ(t, kthread_join(th[i]), 0);
}

/*
 * Pin the running thread to its CPU (@here: that CPU) or, with @here
 * NULL, let it run anywhere again.
 */
static void pin_self(struct cpumask *here)
{
	struct cpumask all;

	if (!here) {
		cpumask_setall(&all);
		sched_setaffinity(current, &all);
		return;
	}
	preempt_disable();
	cpumask_clear(here);
	cpumask_set_cpu(cpu_id(), here);
	preempt_enable();
	sched_setaffinity(current, here);
}

/* At least 8 threads, two per CPU when there are more CPUs. */
static int stress_threads(void)
{
	return MIN(MAX(8, 2 * (int)num_online_cpus()), MAX_THREADS);
}

/* ---- rwsem -------------------------------------------------------------- */

static unsigned int rwsem_waiters(struct rw_semaphore *sem)
{
	unsigned int n;

	spin_lock(&sem->wait_lock);
	n = list_count(&sem->waiters);
	spin_unlock(&sem->wait_lock);
	return n;
}

static void test_rwsem_trylocks(struct ktest *t)
{
	unsigned int held = lockdep_held_sleep_count();
	struct rw_semaphore sem;

	init_rwsem(&sem);
	KTEST_EXPECT_FALSE(t, rwsem_is_locked(&sem));
	KTEST_EXPECT_TRUE(t, down_read_trylock(&sem));
	KTEST_EXPECT_TRUE(t, down_read_trylock(&sem));
	KTEST_EXPECT_EQ(t, sem.count, 2);
	KTEST_EXPECT_FALSE(t, down_write_trylock(&sem));
	up_read(&sem);
	up_read(&sem);
	KTEST_EXPECT_FALSE(t, rwsem_is_locked(&sem));
	KTEST_EXPECT_TRUE(t, down_write_trylock(&sem));
	KTEST_EXPECT_PTR_EQ(t, sem.owner, current);
	KTEST_EXPECT_FALSE(t, down_read_trylock(&sem));
	KTEST_EXPECT_FALSE(t, down_write_trylock(&sem));
	up_write(&sem);
	KTEST_EXPECT_NULL(t, sem.owner);
	KTEST_EXPECT_FALSE(t, rwsem_is_locked(&sem));
	KTEST_EXPECT_EQ(t, lockdep_held_sleep_count(), held);
}

struct rw_stress {
	struct rw_semaphore sem;
	long a, b;              /* [sem] writers keep a == b */
	struct ktest_occupancy readers, writers;
	int violations;         /* [atomic] */
	int reads;              /* [atomic] */
};

static void rw_violation(struct rw_stress *rs)
{
	__atomic_add_fetch(&rs->violations, 1, __ATOMIC_SEQ_CST);
}

static int rw_writer_fn(void *arg)
{
	struct rw_stress *rs = arg;
	int i;

	for (i = 0; i < STRESS_ITERS; i++) {
		down_write(&rs->sem);
		ktest_occ_enter(&rs->writers);
		if (atomic_get(&rs->readers.inside) ||
		    atomic_get(&rs->writers.inside) != 1)
			rw_violation(rs);
		WRITE_ONCE(rs->a, rs->a + 1);
		ktest_hold_a_while(i);
		WRITE_ONCE(rs->b, rs->b + 1);
		ktest_occ_leave(&rs->writers);
		up_write(&rs->sem);
	}
	return 0;
}

static int rw_reader_fn(void *arg)
{
	struct rw_stress *rs = arg;
	long a;
	int i;

	for (i = 0; i < STRESS_ITERS; i++) {
		down_read(&rs->sem);
		ktest_occ_enter(&rs->readers);
		if (atomic_get(&rs->writers.inside))
			rw_violation(rs);
		a = READ_ONCE(rs->a);
		ktest_hold_a_while(i + 1);
		if (READ_ONCE(rs->b) != a || READ_ONCE(rs->a) != a)
			rw_violation(rs);
		__atomic_add_fetch(&rs->reads, 1, __ATOMIC_SEQ_CST);
		ktest_occ_leave(&rs->readers);
		up_read(&rs->sem);
	}
	return 0;
}

/* Writers mixed with readers that check the writers' invariant. */
static void test_rwsem_stress(struct ktest *t)
{
	struct thread *th[MAX_THREADS];
	struct rw_stress rs = { .a = 0, .b = 0, .violations = 0 };
	int i, n = stress_threads(), writers = n / 2;

	init_rwsem(&rs.sem);
	for (i = 0; i < n; i++) {
		th[i] = ktest_spawn_on(i % 2 ? rw_reader_fn : rw_writer_fn, &rs,
				 i % 2 ? "rw_reader" : "rw_writer", i);
		KTEST_EXPECT_NOT_NULL(t, th[i]);
	}
	join_all(t, th, n);
	KTEST_EXPECT_EQ(t, rs.violations, 0);
	KTEST_EXPECT_EQ(t, rs.a, (long)writers * STRESS_ITERS);
	KTEST_EXPECT_EQ(t, rs.b, rs.a);
	KTEST_EXPECT_EQ(t, rs.reads, (n - writers) * STRESS_ITERS);
	KTEST_EXPECT_EQ(t, rs.writers.max, 1);
	KTEST_EXPECT_FALSE(t, rwsem_is_locked(&rs.sem));
	KTEST_EXPECT_EQ(t, rwsem_waiters(&rs.sem), 0);
}

/* Which threads got the semaphore, in order; and how many readers. */
struct rw_order {
	struct rw_semaphore sem;
	int order[8];
	int n;                  /* [atomic] */
	int readers_max;        /* readers inside when each one got in */
	int got_read;           /* down_read_trylock result, helper thread */
};

struct rw_arg {
	struct rw_order *o;
	int id;
	bool writer;
};

static void rw_record(struct rw_order *o, int id)
{
	int slot = __atomic_fetch_add(&o->n, 1, __ATOMIC_SEQ_CST);

	o->order[slot] = id;
}

static int rw_order_fn(void *arg)
{
	struct rw_arg *a = arg;

	if (a->writer) {
		down_write(&a->o->sem);
		rw_record(a->o, a->id);
		up_write(&a->o->sem);
	} else {
		down_read(&a->o->sem);
		rw_record(a->o, a->id);
		up_read(&a->o->sem);
	}
	return 0;
}

static int try_read_fn(void *arg)
{
	struct rw_order *o = arg;

	o->got_read = down_read_trylock(&o->sem);
	if (o->got_read)
		up_read(&o->sem);
	return 0;
}

/*
 * Queue threads described by @kinds ('r'/'w'), each asleep before the
 * next starts. With @here they all share that CPU (so they cannot run
 * while the caller, pinned there too, has preemption off).
 */
static int rw_queue(struct ktest *t, struct rw_order *o, struct rw_arg *a,
		    struct thread **th, const char *kinds,
		    const struct cpumask *here)
{
	int i;

	for (i = 0; kinds[i]; i++) {
		a[i].o = o;
		a[i].id = i;
		a[i].writer = kinds[i] == 'w';
		th[i] = kthread_create(rw_order_fn, &a[i], "rw_order");
		if (IS_ERR(th[i]))
			th[i] = NULL;
		KTEST_EXPECT_NOT_NULL(t, th[i]);
		if (!th[i])
			continue;
		if (here)
			sched_setaffinity(th[i], here);
		thread_start(th[i]);
		KTEST_EXPECT_TRUE(t, ktest_wait_asleep(th[i],
						 THREAD_UNINTERRUPTIBLE));
	}
	KTEST_EXPECT_EQ(t, rwsem_waiters(&o->sem), i);
	return i;
}

/* Readers share: another thread reads while this one reads. */
static void test_rwsem_readers_share(struct ktest *t)
{
	struct rw_order o = { .n = 0, .got_read = -1 };
	struct thread *th;

	init_rwsem(&o.sem);
	down_read(&o.sem);
	th = ktest_spawn_on(try_read_fn, &o, "try_read", 1);
	KTEST_ASSERT_NOT_NULL(t, th);
	KTEST_EXPECT_EQ(t, kthread_join(th), 0);
	KTEST_EXPECT_EQ(t, o.got_read, 1);
	up_read(&o.sem);
	KTEST_EXPECT_FALSE(t, rwsem_is_locked(&o.sem));
}

/*
 * A writer queued behind a reader makes later readers queue too (no
 * writer starvation): order is reader-held, writer, then the new reader.
 */
static void test_rwsem_writer_blocks_new_readers(struct ktest *t)
{
	struct rw_order o = { .n = 0, .got_read = -1 };
	struct rw_arg a[2];
	struct thread *th[2], *tr;
	int n;

	init_rwsem(&o.sem);
	down_read(&o.sem);
	n = rw_queue(t, &o, a, th, "wr", NULL);
	tr = ktest_spawn_on(try_read_fn, &o, "try_read", 2);
	KTEST_EXPECT_NOT_NULL(t, tr);
	if (tr)
		KTEST_EXPECT_EQ(t, kthread_join(tr), 0);
	KTEST_EXPECT_EQ(t, o.got_read, 0);
	KTEST_EXPECT_EQ(t, o.sem.count, 1);
	up_read(&o.sem);
	join_all(t, th, n);
	KTEST_EXPECT_EQ(t, o.n, 2);
	KTEST_EXPECT_EQ(t, o.order[0], 0);      /* the writer */
	KTEST_EXPECT_EQ(t, o.order[1], 1);      /* then the reader */
	KTEST_EXPECT_FALSE(t, rwsem_is_locked(&o.sem));
}

/*
 * When a writer leaves, the readers at the head of the queue get in
 * together; a writer queued behind them waits, and readers behind that
 * writer wait for it.
 */
static void test_rwsem_reader_batch(struct ktest *t)
{
	struct rw_order o = { .n = 0 };
	struct cpumask here;
	struct rw_arg a[4];
	struct thread *th[4];
	int n;

	pin_self(&here);
	init_rwsem(&o.sem);
	down_write(&o.sem);
	n = rw_queue(t, &o, a, th, "rrwr", &here);
	preempt_disable();
	up_write(&o.sem);
	/* Granted synchronously: both head readers hold it already. */
	KTEST_EXPECT_EQ(t, o.sem.count, 2);
	KTEST_EXPECT_EQ(t, rwsem_waiters(&o.sem), 2);
	preempt_enable();
	join_all(t, th, n);
	KTEST_EXPECT_EQ(t, o.n, 4);
	KTEST_EXPECT_EQ(t, o.order[0] + o.order[1], 0 + 1);
	KTEST_EXPECT_EQ(t, o.order[2], 2);
	KTEST_EXPECT_EQ(t, o.order[3], 3);
	KTEST_EXPECT_FALSE(t, rwsem_is_locked(&o.sem));
	pin_self(NULL);
}

/* A downgraded writer lets the head readers in but not a writer. */
static void test_downgrade_write(struct ktest *t)
{
	unsigned int held = lockdep_held_sleep_count();
	struct rw_order o = { .n = 0 };
	struct rw_arg a[3];
	struct thread *th[3];
	int n, i;

	init_rwsem(&o.sem);
	down_write(&o.sem);
	n = rw_queue(t, &o, a, th, "rwr", NULL);
	downgrade_write(&o.sem);
	KTEST_EXPECT_NULL(t, o.sem.owner);
	KTEST_EXPECT_TRUE(t, wait_count(&o.n, 1));
	KTEST_EXPECT_EQ(t, o.order[0], 0);
	/* Once that reader is gone, the writer still waits for this one. */
	for (i = 0; i < 2000 && READ_ONCE(o.sem.count) != 1; i++)
		sleep_ns(NSEC_PER_MSEC);
	KTEST_EXPECT_EQ(t, o.sem.count, 1);
	KTEST_EXPECT_EQ(t, atomic_get(&o.n), 1);
	KTEST_EXPECT_EQ(t, rwsem_waiters(&o.sem), 2);
	up_read(&o.sem);
	join_all(t, th, n);
	KTEST_EXPECT_EQ(t, o.n, 3);
	KTEST_EXPECT_EQ(t, o.order[1], 1);
	KTEST_EXPECT_EQ(t, o.order[2], 2);
	KTEST_EXPECT_FALSE(t, rwsem_is_locked(&o.sem));
	KTEST_EXPECT_EQ(t, lockdep_held_sleep_count(), held);
}

static int up_write_other(void *arg)
{
	up_write(arg);
	return 0;
}

static void test_rwsem_misuse_reported(struct ktest *t)
{
	struct rw_semaphore sem;
	unsigned long reports;
	struct thread *th;

	init_rwsem(&sem);
	down_write(&sem);
	lockdep_expect_reports(true);
	reports = lockdep_reports();
	th = ktest_spawn_on(up_write_other, &sem, "up_write_other", 1);
	KTEST_EXPECT_NOT_NULL(t, th);
	if (th)
		KTEST_EXPECT_EQ(t, kthread_join(th), 0);
	KTEST_EXPECT_EQ(t, sem.count, RWSEM_WRITER);
	KTEST_EXPECT_PTR_EQ(t, sem.owner, current);
	/* The writer taking it again: skipped, and so is its release. */
	down_write(&sem);
	down_read(&sem);
	up_read(&sem);
	up_write(&sem);
	KTEST_EXPECT_PTR_EQ(t, sem.owner, current);
	up_write(&sem);
	KTEST_EXPECT_FALSE(t, rwsem_is_locked(&sem));
	up_read(&sem);                  /* nobody reads it */
	KTEST_EXPECT_EQ(t, sem.count, 0);
	lockdep_expect_reports(false);
	if (ktest_lock_checking())
		KTEST_EXPECT_EQ(t, lockdep_reports(), reports + 4);
	KTEST_EXPECT_TRUE(t, down_write_trylock(&sem));
	up_write(&sem);
}

static struct ktest_case rwsem_cases[] = {
	KTEST_CASE(test_rwsem_trylocks),
	KTEST_CASE(test_rwsem_stress),
	KTEST_CASE(test_rwsem_readers_share),
	KTEST_CASE(test_rwsem_writer_blocks_new_readers),
	KTEST_CASE(test_rwsem_reader_batch),
	KTEST_CASE(test_downgrade_write),
	KTEST_CASE(test_rwsem_misuse_reported),
	{}
};
KTEST_SUITE(rwsem, rwsem_cases);
