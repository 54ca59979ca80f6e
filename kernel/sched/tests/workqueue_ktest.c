/*
 * Workqueues: items run in worker threads, once per queueing, never
 * concurrently with themselves; delayed items wait at least their delay;
 * flush and cancel wait for what they must and no more; destroying a
 * queue drains it and joins its workers.
 */
#include <keel/err.h>
#include <keel/ktest.h>
#include <keel/sched.h>
#include <keel/slab.h>
#include <keel/smp.h>
#include <keel/string.h>
#include <keel/time.h>
#include <keel/workqueue.h>

static bool wait_until(volatile bool *flag, u64 ns)
{
	u64 end = clock_monotonic_ns() + ns;

	while (!*flag) {
		if (clock_monotonic_ns() > end)
			return false;
		sleep_ns(100 * NSEC_PER_USEC);
	}
	return true;
}

/*
 * A test item: counts its runs, remembers who ran it, and can block until
 * released or sleep for a while.
 */
struct titem {
	struct work_struct work;
	struct delayed_work dwork;
	u64 runs;                       /* [a] */
	struct thread *runner;
	struct work_struct *seen_current;
	u64 ran_at;
	u64 sleep_ns;
	volatile bool started;
	volatile bool finished;
	volatile bool release;          /* blockers wait for it */
	bool block;
	unsigned int requeue_until;     /* self-requeue while runs < this */
	u64 requeue_failed;
	struct workqueue_struct *wq;
};

static void titem_fn(struct work_struct *work)
{
	struct titem *it = container_of(work, struct titem, work);
	u64 runs;

	it->runner = current;
	it->seen_current = current_work();
	it->ran_at = clock_monotonic_ns();
	it->started = true;
	if (it->block)
		while (!it->release)
			sleep_ns(200 * NSEC_PER_USEC);
	if (it->sleep_ns)
		sleep_ns(it->sleep_ns);
	runs = __atomic_add_fetch(&it->runs, 1, __ATOMIC_SEQ_CST);
	if (runs < it->requeue_until && !queue_work(it->wq, work))
		it->requeue_failed++;
	it->finished = true;
}

static void titem_dfn(struct work_struct *work)
{
	struct titem *it = container_of(to_delayed_work(work), struct titem,
					dwork);

	it->ran_at = clock_monotonic_ns();
	__atomic_add_fetch(&it->runs, 1, __ATOMIC_SEQ_CST);
	it->finished = true;
}

static void titem_init(struct titem *it)
{
	memset(it, 0, sizeof(*it));
	INIT_WORK(&it->work, titem_fn);
	INIT_DELAYED_WORK(&it->dwork, titem_dfn);
}

static u64 runs(struct titem *it)
{
	return __atomic_load_n(&it->runs, __ATOMIC_SEQ_CST);
}

/* Work runs in a system worker thread, which knows what it runs. */
static void test_work_runs_in_worker(struct ktest *t)
{
	static struct titem it;

	titem_init(&it);
	KTEST_ASSERT_NOT_NULL(t, system_wq);
	KTEST_EXPECT_TRUE(t, schedule_work(&it.work));
	flush_work(&it.work);
	KTEST_EXPECT_EQ(t, runs(&it), 1);
	KTEST_EXPECT_PTR_NE(t, it.runner, current);
	KTEST_EXPECT_PTR_EQ(t, it.seen_current, &it.work);
	KTEST_EXPECT_EQ(t, strncmp(it.runner->name, "events/", 7), 0);
	KTEST_EXPECT_NULL(t, current_work());
	/* Nothing left to wait for. */
	KTEST_EXPECT_FALSE(t, flush_work(&it.work));
}

/* Queueing a pending item returns false and it still runs only once. */
static void test_queue_pending_returns_false(struct ktest *t)
{
	struct workqueue_struct *wq = alloc_ordered_workqueue("wqt_ord", 0);
	static struct titem blocker, x;

	KTEST_ASSERT_NOT_NULL(t, wq);
	titem_init(&blocker);
	titem_init(&x);
	blocker.block = true;
	KTEST_EXPECT_TRUE(t, queue_work(wq, &blocker.work));
	KTEST_EXPECT_TRUE(t, wait_until(&blocker.started, 5 * NSEC_PER_SEC));
	KTEST_EXPECT_TRUE(t, queue_work(wq, &x.work));
	KTEST_EXPECT_FALSE(t, queue_work(wq, &x.work));
	KTEST_EXPECT_TRUE(t, work_pending(&x.work));
	KTEST_EXPECT_EQ(t, runs(&x), 0);
	blocker.release = true;
	flush_workqueue(wq);
	KTEST_EXPECT_EQ(t, runs(&x), 1);
	KTEST_EXPECT_FALSE(t, work_pending(&x.work));
	destroy_workqueue(wq);
}

/* Delayed work runs after at least its delay; mod and cancel rearm it. */
static void test_delayed_work(struct ktest *t)
{
	static struct titem a, b, c;
	u64 start;

	titem_init(&a);
	titem_init(&b);
	titem_init(&c);
	start = clock_monotonic_ns();
	KTEST_EXPECT_TRUE(t, schedule_delayed_work(&a.dwork,
						   20 * NSEC_PER_MSEC));
	KTEST_EXPECT_FALSE(t, schedule_delayed_work(&a.dwork, 0));
	KTEST_EXPECT_TRUE(t, delayed_work_pending(&a.dwork));
	KTEST_EXPECT_TRUE(t, wait_until(&a.finished, 5 * NSEC_PER_SEC));
	KTEST_EXPECT_GE(t, a.ran_at - start, 20 * NSEC_PER_MSEC);
	KTEST_EXPECT_EQ(t, runs(&a), 1);

	/* Pulled in from 10 s to 10 ms. */
	start = clock_monotonic_ns();
	KTEST_EXPECT_TRUE(t, queue_delayed_work(system_wq, &b.dwork,
						10 * NSEC_PER_SEC));
	KTEST_EXPECT_TRUE(t, mod_delayed_work(system_wq, &b.dwork,
					      10 * NSEC_PER_MSEC));
	KTEST_EXPECT_TRUE(t, wait_until(&b.finished, 5 * NSEC_PER_SEC));
	KTEST_EXPECT_GE(t, b.ran_at - start, 10 * NSEC_PER_MSEC);
	KTEST_EXPECT_LT(t, b.ran_at - start, 5 * NSEC_PER_SEC);
	/* Not pending any more: mod queues it afresh. */
	b.finished = false;
	KTEST_EXPECT_FALSE(t, mod_delayed_work(system_wq, &b.dwork, 0));
	KTEST_EXPECT_TRUE(t, wait_until(&b.finished, 5 * NSEC_PER_SEC));
	flush_delayed_work(&b.dwork);
	KTEST_EXPECT_EQ(t, runs(&b), 2);

	/* Cancelled before its timer fires: never runs. */
	KTEST_EXPECT_TRUE(t, schedule_delayed_work(&c.dwork,
						   100 * NSEC_PER_MSEC));
	KTEST_EXPECT_TRUE(t, cancel_delayed_work_sync(&c.dwork));
	KTEST_EXPECT_FALSE(t, delayed_work_pending(&c.dwork));
	sleep_ns(150 * NSEC_PER_MSEC);
	KTEST_EXPECT_EQ(t, runs(&c), 0);
	/* flush_delayed_work runs a pending one now and waits for it. */
	KTEST_EXPECT_TRUE(t, schedule_delayed_work(&c.dwork,
						   10 * NSEC_PER_SEC));
	flush_delayed_work(&c.dwork);
	KTEST_EXPECT_EQ(t, runs(&c), 1);
	KTEST_EXPECT_FALSE(t, delayed_work_pending(&c.dwork));
}

/*
 * cancel_work_sync: a queued item never runs; a running one has finished
 * when it returns; a self-requeueing one stops for good.
 */
static void test_cancel_work_sync(struct ktest *t)
{
	struct workqueue_struct *wq = alloc_workqueue("wqt_cancel", 0, 2);
	static struct titem blocker, queued, slow, loop;
	u64 n;

	KTEST_ASSERT_NOT_NULL(t, wq);
	titem_init(&blocker);
	titem_init(&queued);
	titem_init(&slow);
	titem_init(&loop);

	/* Both workers busy, so the next item stays queued. */
	blocker.block = true;
	slow.block = true;
	queue_work(wq, &blocker.work);
	queue_work(wq, &slow.work);
	KTEST_EXPECT_TRUE(t, wait_until(&blocker.started, 5 * NSEC_PER_SEC));
	KTEST_EXPECT_TRUE(t, wait_until(&slow.started, 5 * NSEC_PER_SEC));
	KTEST_EXPECT_TRUE(t, queue_work(wq, &queued.work));
	KTEST_EXPECT_TRUE(t, cancel_work_sync(&queued.work));
	KTEST_EXPECT_FALSE(t, work_pending(&queued.work));
	blocker.release = true;
	/* Running: cancel waits for the end. */
	slow.sleep_ns = 30 * NSEC_PER_MSEC;
	slow.release = true;
	KTEST_EXPECT_FALSE(t, cancel_work_sync(&slow.work));
	KTEST_EXPECT_TRUE(t, slow.finished);
	flush_workqueue(wq);
	KTEST_EXPECT_EQ(t, runs(&queued), 0);
	KTEST_EXPECT_EQ(t, runs(&slow), 1);

	/* Re-queueing itself forever, until cancelled. */
	loop.wq = wq;
	loop.sleep_ns = NSEC_PER_MSEC;
	loop.requeue_until = ~0U;
	queue_work(wq, &loop.work);
	sleep_ns(20 * NSEC_PER_MSEC);
	cancel_work_sync(&loop.work);
	n = runs(&loop);
	KTEST_EXPECT_GT(t, n, 1);
	KTEST_EXPECT_FALSE(t, work_pending(&loop.work));
	sleep_ns(20 * NSEC_PER_MSEC);
	KTEST_EXPECT_EQ(t, runs(&loop), n);
	/* At most the execution the cancel waited for failed to re-queue. */
	KTEST_EXPECT_LE(t, loop.requeue_failed, 1);
	destroy_workqueue(wq);
}

/* flush_work waits for a running execution; nothing to wait for: false. */
static void test_flush_work(struct ktest *t)
{
	static struct titem it, idle;

	titem_init(&it);
	titem_init(&idle);
	KTEST_EXPECT_FALSE(t, flush_work(&idle.work));
	it.sleep_ns = 30 * NSEC_PER_MSEC;
	schedule_work(&it.work);
	KTEST_EXPECT_TRUE(t, wait_until(&it.started, 5 * NSEC_PER_SEC));
	KTEST_EXPECT_TRUE(t, flush_work(&it.work));
	KTEST_EXPECT_TRUE(t, it.finished);
	KTEST_EXPECT_EQ(t, runs(&it), 1);
}

#define FLUSH_ITEMS 32

/* flush_workqueue returns only when every item queued before has run. */
static void test_flush_workqueue_waits_all(struct ktest *t)
{
	struct workqueue_struct *wq = alloc_workqueue("wqt_flush", 0, 4);
	struct titem *items = kcalloc(FLUSH_ITEMS, sizeof(*items), GFP_KERNEL);
	unsigned int i, done = 0;

	KTEST_ASSERT_NOT_NULL(t, wq);
	KTEST_ASSERT_NOT_NULL(t, items);
	for (i = 0; i < FLUSH_ITEMS; i++) {
		titem_init(&items[i]);
		items[i].sleep_ns = NSEC_PER_MSEC;
		KTEST_EXPECT_TRUE(t, queue_work(wq, &items[i].work));
	}
	flush_workqueue(wq);
	for (i = 0; i < FLUSH_ITEMS; i++)
		done += runs(&items[i]) == 1 && items[i].finished;
	KTEST_EXPECT_EQ(t, done, FLUSH_ITEMS);
	destroy_workqueue(wq);
	kfree(items);
}

/* An item that re-queues itself runs exactly N times. */
static void test_self_requeue(struct ktest *t)
{
	static struct titem it;
	u64 end;

	titem_init(&it);
	it.wq = system_wq;
	it.requeue_until = 50;
	schedule_work(&it.work);
	end = clock_monotonic_ns() + 5 * NSEC_PER_SEC;
	while (runs(&it) < 50 && clock_monotonic_ns() < end)
		sleep_ns(NSEC_PER_MSEC);
	flush_work(&it.work);
	sleep_ns(10 * NSEC_PER_MSEC);
	KTEST_EXPECT_EQ(t, runs(&it), 50);
	KTEST_EXPECT_EQ(t, it.requeue_failed, 0);
	KTEST_EXPECT_FALSE(t, work_pending(&it.work));
}

#define PER_CPU_ITEMS 64

struct many {
	struct work_struct work;
	u64 runs;               /* [a] */
};

static u64 many_active, many_max_active;

static void many_fn(struct work_struct *work)
{
	struct many *m = container_of(work, struct many, work);
	u64 a = __atomic_add_fetch(&many_active, 1, __ATOMIC_SEQ_CST);
	u64 max = __atomic_load_n(&many_max_active, __ATOMIC_RELAXED);

	while (a > max && !__atomic_compare_exchange_n(&many_max_active, &max,
				a, false, __ATOMIC_RELAXED, __ATOMIC_RELAXED))
		;
	__atomic_add_fetch(&m->runs, 1, __ATOMIC_SEQ_CST);
	__atomic_sub_fetch(&many_active, 1, __ATOMIC_SEQ_CST);
}

struct many_batch {
	struct workqueue_struct *wq;
	struct many *items;
	unsigned int queued;
};

static int many_queue_fn(void *arg)
{
	struct many_batch *b = arg;
	unsigned int i;

	for (i = 0; i < PER_CPU_ITEMS; i++)
		b->queued += queue_work(b->wq, &b->items[i].work);
	return 0;
}

/* Items queued from every CPU at once all run exactly once. */
static void test_many_from_all_cpus(struct ktest *t)
{
	unsigned int n = num_online_cpus(), i, once = 0, queued = 0;
	struct workqueue_struct *wq = alloc_workqueue("wqt_many", 0, 6);
	struct many *items = kcalloc(n * PER_CPU_ITEMS, sizeof(*items),
				     GFP_KERNEL);
	static struct many_batch b[NR_CPUS];
	static struct thread *th[NR_CPUS];

	KTEST_ASSERT_NOT_NULL(t, wq);
	KTEST_ASSERT_NOT_NULL(t, items);
	many_active = many_max_active = 0;
	for (i = 0; i < n * PER_CPU_ITEMS; i++)
		INIT_WORK(&items[i].work, many_fn);
	for (i = 0; i < n; i++) {
		struct cpumask m;

		b[i] = (struct many_batch){ wq, items + i * PER_CPU_ITEMS, 0 };
		th[i] = kthread_create(many_queue_fn, &b[i], "wqt_queuer");
		KTEST_ASSERT_FALSE(t, IS_ERR(th[i]));
		cpumask_clear(&m);
		cpumask_set_cpu(i, &m);
		sched_setaffinity(th[i], &m);
	}
	for (i = 0; i < n; i++)
		thread_start(th[i]);
	for (i = 0; i < n; i++) {
		kthread_join(th[i]);
		queued += b[i].queued;
	}
	flush_workqueue(wq);
	for (i = 0; i < n * PER_CPU_ITEMS; i++)
		once += __atomic_load_n(&items[i].runs, __ATOMIC_SEQ_CST) == 1;
	KTEST_EXPECT_EQ(t, queued, n * PER_CPU_ITEMS);
	KTEST_EXPECT_EQ(t, once, n * PER_CPU_ITEMS);
	KTEST_EXPECT_LE(t, many_max_active, 6);
	destroy_workqueue(wq);
	kfree(items);
}

static u64 reent_running, reent_overlaps, reent_runs;

static void reent_fn(struct work_struct *work)
{
	if (__atomic_add_fetch(&reent_running, 1, __ATOMIC_SEQ_CST) > 1)
		__atomic_add_fetch(&reent_overlaps, 1, __ATOMIC_SEQ_CST);
	sleep_ns(500 * NSEC_PER_USEC);
	__atomic_sub_fetch(&reent_running, 1, __ATOMIC_SEQ_CST);
	__atomic_add_fetch(&reent_runs, 1, __ATOMIC_SEQ_CST);
}

/*
 * One item, queued again as soon as it starts, on a queue with several
 * idle workers: it never runs on two of them at once.
 */
static void test_never_concurrent_with_itself(struct ktest *t)
{
	struct workqueue_struct *wq = alloc_workqueue("wqt_reent", 0, 4);
	static struct work_struct w;
	u64 end, queued = 0;

	KTEST_ASSERT_NOT_NULL(t, wq);
	INIT_WORK(&w, reent_fn);
	reent_running = reent_overlaps = reent_runs = 0;
	end = clock_monotonic_ns() + 3 * NSEC_PER_SEC;
	while (queued < 40 && clock_monotonic_ns() < end) {
		queued += queue_work(wq, &w);
		sleep_ns(100 * NSEC_PER_USEC);
	}
	flush_work(&w);
	KTEST_EXPECT_EQ(t, reent_overlaps, 0);
	KTEST_EXPECT_EQ(t, reent_runs, queued);
	KTEST_EXPECT_GE(t, reent_runs, 10);
	destroy_workqueue(wq);
}

/*
 * destroy_workqueue runs what is queued (a self-requeueing item to its
 * end) and joins its workers: the thread count is back where it was.
 */
static void test_destroy_joins_workers(struct ktest *t)
{
	unsigned int before = thread_count(), i;
	struct workqueue_struct *wq = alloc_workqueue("wqt_join", 0, 3);
	static struct titem items[4], chain;

	KTEST_ASSERT_NOT_NULL(t, wq);
	KTEST_EXPECT_EQ(t, thread_count(), before + 3);
	for (i = 0; i < 4; i++) {
		titem_init(&items[i]);
		items[i].sleep_ns = 2 * NSEC_PER_MSEC;
		queue_work(wq, &items[i].work);
	}
	titem_init(&chain);
	chain.wq = wq;
	chain.requeue_until = 10;
	queue_work(wq, &chain.work);
	destroy_workqueue(wq);
	KTEST_EXPECT_EQ(t, thread_count(), before);
	for (i = 0; i < 4; i++)
		KTEST_EXPECT_EQ(t, runs(&items[i]), 1);
	KTEST_EXPECT_EQ(t, runs(&chain), 10);
}

static struct ktest_case workqueue_cases[] = {
	KTEST_CASE(test_work_runs_in_worker),
	KTEST_CASE(test_queue_pending_returns_false),
	KTEST_CASE(test_delayed_work),
	KTEST_CASE(test_cancel_work_sync),
	KTEST_CASE(test_flush_work),
	KTEST_CASE(test_flush_workqueue_waits_all),
	KTEST_CASE(test_self_requeue),
	KTEST_CASE(test_many_from_all_cpus),
	KTEST_CASE(test_never_concurrent_with_itself),
	KTEST_CASE(test_destroy_joins_workers),
	{}
};
KTEST_SUITE(workqueue, workqueue_cases);
