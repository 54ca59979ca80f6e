/*
 * Kernel threads: create, start, join, exit codes, sleeping, wake-ups and
 * freeing. The scheduling-policy tests are in sched_ktest.c.
 */
#include <keel/err.h>
#include <keel/ktest.h>
#include <keel/sched.h>
#include <keel/smp.h>
#include <keel/time.h>

static int return_arg(void *arg)
{
	return (int)(long)arg;
}

static int exit_early(void *arg)
{
	kthread_exit(77);
}

static void test_create_join_exit_code(struct ktest *t)
{
	unsigned int before = thread_count();
	struct thread *a = kthread_run(return_arg, (void *)42L, "ret42");
	struct thread *b = kthread_run(exit_early, NULL, "exit77");

	KTEST_ASSERT_FALSE(t, IS_ERR(a));
	KTEST_ASSERT_FALSE(t, IS_ERR(b));
	KTEST_EXPECT_EQ(t, thread_count(), before + 2);
	KTEST_EXPECT_EQ(t, kthread_join(a), 42);
	KTEST_EXPECT_EQ(t, kthread_join(b), 77);
	KTEST_EXPECT_EQ(t, thread_count(), before);
}

static int count_to(void *arg)
{
	volatile long *p = arg;
	int i;

	for (i = 0; i < 1000; i++) {
		(*p)++;
		yield();
	}
	return 0;
}

/* Many threads that yield to each other all run to completion. */
static void test_many_threads_yield(struct ktest *t)
{
	static volatile long counters[16];
	struct thread *th[16];
	int i;

	for (i = 0; i < 16; i++) {
		counters[i] = 0;
		th[i] = kthread_run(count_to, (void *)&counters[i], "yielder");
		KTEST_ASSERT_FALSE(t, IS_ERR(th[i]));
	}
	for (i = 0; i < 16; i++) {
		KTEST_EXPECT_EQ(t, kthread_join(th[i]), 0);
		KTEST_EXPECT_EQ(t, counters[i], 1000);
	}
}

static void test_sleep_duration(struct ktest *t)
{
	u64 start = clock_monotonic_ns(), took;

	sleep_ns(20 * NSEC_PER_MSEC);
	took = clock_monotonic_ns() - start;
	KTEST_EXPECT_GE(t, took, 20 * NSEC_PER_MSEC);
	/* Generous bound: TCG hosts are slow and shared, but not 1 s slow. */
	KTEST_EXPECT_LT(t, took, 1000 * NSEC_PER_MSEC);
}

struct sleeper {
	volatile bool go;
	volatile bool done;
};

static int wait_for_go(void *arg)
{
	struct sleeper *s = arg;

	for (;;) {
		set_current_state(THREAD_UNINTERRUPTIBLE);
		if (s->go)
			break;
		schedule();
	}
	__set_current_state(THREAD_RUNNING);
	s->done = true;
	return 0;
}

/* A sleeping thread stays asleep until woken, then runs. */
static void test_sleep_and_wake(struct ktest *t)
{
	struct sleeper s = { 0 };
	struct thread *th = kthread_run(wait_for_go, &s, "sleeper");

	KTEST_ASSERT_FALSE(t, IS_ERR(th));
	sleep_ns(10 * NSEC_PER_MSEC);
	KTEST_EXPECT_FALSE(t, s.done);
	KTEST_EXPECT_EQ(t, READ_ONCE(th->state), THREAD_UNINTERRUPTIBLE);
	s.go = true;
	wake_up_thread(th);
	KTEST_EXPECT_EQ(t, kthread_join(th), 0);
	KTEST_EXPECT_TRUE(t, s.done);
}

/* schedule_timeout returns the time left when woken early, 0 on timeout. */
static void test_schedule_timeout(struct ktest *t)
{
	u64 left;

	set_current_state(THREAD_INTERRUPTIBLE);
	left = schedule_timeout(5 * NSEC_PER_MSEC);
	KTEST_EXPECT_EQ(t, left, 0);
	KTEST_EXPECT_EQ(t, READ_ONCE(current->state), THREAD_RUNNING);
}

static volatile bool spin_stop, spin_started;

static int spin_forever(void *arg)
{
	WRITE_ONCE(spin_started, true);
	while (!READ_ONCE(spin_stop))
		;
	return 0;
}

/*
 * Kernel preemption: a CPU-bound thread that never yields on this CPU
 * does not keep the test thread from running again.
 */
static void test_preemption(struct ktest *t)
{
	struct cpumask here;
	struct thread *th;
	unsigned int cpu;

	preempt_disable();
	cpu = cpu_id();
	preempt_enable();
	cpumask_clear(&here);
	cpumask_set_cpu(cpu, &here);
	spin_stop = false;
	spin_started = false;
	th = kthread_create(spin_forever, NULL, "spinner");
	KTEST_ASSERT_FALSE(t, IS_ERR(th));
	KTEST_ASSERT_EQ(t, sched_setaffinity(th, &here), 0);
	KTEST_ASSERT_EQ(t, sched_setaffinity(current, &here), 0);
	thread_start(th);
	/* Busy, not sleeping: only preemption gets us back here. */
	{
		u64 end = clock_monotonic_ns() + 30 * NSEC_PER_MSEC;

		while (clock_monotonic_ns() < end)
			;
	}
	/* The spinner ran (it preempted us) and we ran again (preempted it). */
	KTEST_EXPECT_TRUE(t, READ_ONCE(spin_started));
	WRITE_ONCE(spin_stop, true);
	KTEST_EXPECT_EQ(t, kthread_join(th), 0);
	cpumask_setall(&here);
	sched_setaffinity(current, &here);
}

static struct ktest_case thread_cases[] = {
	KTEST_CASE(test_create_join_exit_code),
	KTEST_CASE(test_many_threads_yield),
	KTEST_CASE(test_sleep_duration),
	KTEST_CASE(test_sleep_and_wake),
	KTEST_CASE(test_schedule_timeout),
	KTEST_CASE(test_preemption),
	{}
};
KTEST_SUITE(thread, thread_cases);
