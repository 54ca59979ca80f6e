/*
 * ktest suite "posix_timers": POSIX timers (kernel/sched/posix_timers.c)
 * on a stand-alone fake process, and the adjtimex state
 * (kernel/sched/adjtimex.c).
 *
 * Timers: ids, the sigevent and clock checks, one-shot, absolute and
 * periodic expiry with the siginfo a timer signal carries (SI_TIMER,
 * si_timerid, si_value, si_overrun), overruns counted while the signal
 * stays pending and timer_getoverrun's view of them, SIGEV_NONE counting
 * down silently, deletion and posix_timers_exit.
 *
 * The fake process has one task on a kernel thread that is created but
 * never started (waking it does nothing); the test takes its signals off
 * the pending queue itself. It holds a reference of its own, so the
 * timers' references never free it.
 */
#include <keel/err.h>
#include <keel/errno.h>
#include <keel/ktest.h>
#include <keel/slab.h>
#include <keel/string.h>
#include <keel/syscall.h>
#include <keel/usertime.h>

#include "../../proc/signal_internal.h"

#define MS NSEC_PER_MSEC

struct fake {
	struct process proc;
	struct task task;
};

static int idle_fn(void *arg)
{
	return 0;
}

static struct fake *fake_new(void)
{
	struct fake *f = kzalloc(sizeof(*f), GFP_KERNEL);
	struct thread *th;

	if (!f)
		return NULL;
	th = kthread_create(idle_fn, NULL, "ptfake");
	if (IS_ERR(th)) {
		kfree(f);
		return NULL;
	}
	f->task.thread = th;
	f->task.proc = &f->proc;
	f->task.sighand = sighand_create();
	f->proc.refcount = 1;           /* ours: never dropped */
	INIT_LIST_HEAD(&f->proc.tasks);
	INIT_LIST_HEAD(&f->proc.children);
	init_waitqueue_head(&f->proc.wait_children);
	signal_process_init(&f->proc);
	signal_task_init(&f->task, NULL, 0);
	list_add_tail(&f->task.proc_link, &f->proc.tasks);
	f->proc.state = PROCESS_ALIVE;
	return f;
}

static void fake_free(struct fake *f)
{
	if (!f)
		return;
	posix_timers_exit(&f->proc);
	signal_task_exit(&f->task);
	signal_process_free(&f->proc);
	sighand_put(f->task.sighand);
	kthread_destroy(f->task.thread);
	kfree(f);
}

/* Take @sig off @f's pending sets. Return: @sig or 0 (none pending). */
static int take(struct fake *f, int sig, siginfo_t *info)
{
	unsigned long flags = spin_lock_irqsave(&f->task.sighand->lock);
	int got = dequeue_signal_locked(&f->task, sigmask(sig), info);

	spin_unlock_irqrestore(&f->task.sighand->lock, flags);
	return got;
}

static bool is_pending(struct fake *f, int sig)
{
	return (READ_ONCE(f->proc.shared_pending.signal) |
		READ_ONCE(f->task.sig.pending.signal)) & sigmask(sig);
}

/* Wait up to @ms for @sig to be pending. */
static bool wait_pending(struct fake *f, int sig, unsigned int ms)
{
	while (!is_pending(f, sig) && ms--)
		sleep_ns(MS);
	return is_pending(f, sig);
}

static struct sigevent sev(int notify, int sig, u64 value)
{
	return (struct sigevent){ .sigev_notify = notify, .sigev_signo = sig,
				  .sigev_value = value };
}

static u64 ts_ns(struct timespec ts)
{
	return (u64)ts.tv_sec * NSEC_PER_SEC + (u64)ts.tv_nsec;
}

static void test_create_checks(struct ktest *t)
{
	struct fake *f = fake_new();
	struct sigevent ev = sev(SIGEV_SIGNAL, SIGUSR1, 0);
	int a, b;

	KTEST_ASSERT_NOT_NULL(t, f);
	a = posix_timer_create(&f->proc, CLOCK_MONOTONIC, &ev);
	b = posix_timer_create(&f->proc, CLOCK_REALTIME, &ev);
	KTEST_EXPECT_EQ(t, a, 0);       /* ids count from 0, as Linux */
	KTEST_EXPECT_EQ(t, b, 1);
	KTEST_EXPECT_EQ(t, posix_timer_create(&f->proc, 100, &ev), -EINVAL);
	KTEST_EXPECT_EQ(t, posix_timer_create(&f->proc, 10, &ev), -EINVAL);
	KTEST_EXPECT_EQ(t, posix_timer_create(&f->proc, CLOCK_MONOTONIC_RAW,
					      &ev), -EOPNOTSUPP);
	/* A kernel thread has no thread clock of the process. */
	KTEST_EXPECT_EQ(t, posix_timer_create(&f->proc,
					      CLOCK_THREAD_CPUTIME_ID, &ev),
			-EINVAL);
	ev = sev(99, SIGUSR1, 0);
	KTEST_EXPECT_EQ(t, posix_timer_create(&f->proc, CLOCK_MONOTONIC, &ev),
			-EINVAL);
	ev = sev(SIGEV_SIGNAL, 0, 0);
	KTEST_EXPECT_EQ(t, posix_timer_create(&f->proc, CLOCK_MONOTONIC, &ev),
			-EINVAL);
	ev = sev(SIGEV_SIGNAL, NSIG + 1, 0);
	KTEST_EXPECT_EQ(t, posix_timer_create(&f->proc, CLOCK_MONOTONIC, &ev),
			-EINVAL);
	ev = sev(SIGEV_NONE, 0, 0);     /* no signal: the number is unused */
	KTEST_EXPECT_EQ(t, posix_timer_create(&f->proc, CLOCK_MONOTONIC, &ev),
			2);
	ev = sev(SIGEV_THREAD_ID, SIGUSR1, 0);
	ev._sigev_un._tid = PID_MAX + 5;
	KTEST_EXPECT_EQ(t, posix_timer_create(&f->proc, CLOCK_MONOTONIC, &ev),
			-EINVAL);
	KTEST_EXPECT_EQ(t, f->proc.ptimers.count, 3);
	KTEST_EXPECT_EQ(t, posix_timer_delete(&f->proc, b), 0);
	KTEST_EXPECT_EQ(t, posix_timer_delete(&f->proc, b), -EINVAL);
	KTEST_EXPECT_EQ(t, posix_timer_settime(&f->proc, b, 0, MS, 0, NULL),
			-EINVAL);
	KTEST_EXPECT_EQ(t, posix_timer_getoverrun(&f->proc, b), -EINVAL);
	posix_timers_exit(&f->proc);
	KTEST_EXPECT_EQ(t, f->proc.ptimers.count, 0);
	KTEST_EXPECT_EQ(t, posix_timer_delete(&f->proc, a), -EINVAL);
	fake_free(f);
}

static void test_one_shot(struct ktest *t)
{
	struct fake *f = fake_new();
	struct sigevent ev = sev(SIGEV_SIGNAL, SIGUSR1, 0x55);
	struct itimerspec cur, old;
	siginfo_t info;
	u64 t0;
	int id;

	KTEST_ASSERT_NOT_NULL(t, f);
	id = posix_timer_create(&f->proc, CLOCK_MONOTONIC, &ev);
	KTEST_ASSERT_TRUE(t, id >= 0);
	t0 = clock_monotonic_ns();
	KTEST_EXPECT_EQ(t, posix_timer_settime(&f->proc, id, 0, 10 * MS, 0,
					       NULL), 0);
	KTEST_EXPECT_EQ(t, posix_timer_gettime(&f->proc, id, &cur), 0);
	KTEST_EXPECT_GT(t, ts_ns(cur.it_value), 0);
	KTEST_EXPECT_LE(t, ts_ns(cur.it_value), 10 * MS);
	KTEST_EXPECT_TRUE(t, wait_pending(f, SIGUSR1, 2000));
	KTEST_EXPECT_GE(t, clock_monotonic_ns() - t0, 10 * MS);
	KTEST_EXPECT_EQ(t, take(f, SIGUSR1, &info), SIGUSR1);
	KTEST_EXPECT_EQ(t, info.si_code, SI_TIMER);
	KTEST_EXPECT_EQ(t, info._sifields.timer.tid, id);
	KTEST_EXPECT_EQ(t, info._sifields.timer.overrun, 0);
	KTEST_EXPECT_EQ(t, info._sifields.timer.value.sival_int, 0x55);
	posix_timer_gettime(&f->proc, id, &cur);
	KTEST_EXPECT_EQ(t, ts_ns(cur.it_value), 0);

	/* Absolute, in the past: at once. Then the old value of a re-arm. */
	posix_timer_settime(&f->proc, id, TIMER_ABSTIME, 1, 0, NULL);
	KTEST_EXPECT_TRUE(t, wait_pending(f, SIGUSR1, 2000));
	take(f, SIGUSR1, &info);
	posix_timer_settime(&f->proc, id, 0, 10 * NSEC_PER_SEC, 0, NULL);
	KTEST_EXPECT_EQ(t, posix_timer_settime(&f->proc, id, 0, 0, 0, &old),
			0);
	KTEST_EXPECT_GT(t, ts_ns(old.it_value), 9 * NSEC_PER_SEC);
	posix_timer_gettime(&f->proc, id, &cur);
	KTEST_EXPECT_EQ(t, ts_ns(cur.it_value), 0);

	/* A NULL sigevent: SIGALRM carrying the id. */
	id = posix_timer_create(&f->proc, CLOCK_MONOTONIC, NULL);
	KTEST_ASSERT_TRUE(t, id >= 0);
	posix_timer_settime(&f->proc, id, 0, MS, 0, NULL);
	KTEST_EXPECT_TRUE(t, wait_pending(f, SIGALRM, 2000));
	KTEST_EXPECT_EQ(t, take(f, SIGALRM, &info), SIGALRM);
	KTEST_EXPECT_EQ(t, info._sifields.timer.value.sival_int, id);
	fake_free(f);
}

static void test_overrun(struct ktest *t)
{
	struct fake *f = fake_new();
	struct sigevent ev = sev(SIGEV_SIGNAL, SIGRTMIN + 1, 7);
	struct itimerspec cur;
	siginfo_t info;
	int id, ovr;

	KTEST_ASSERT_NOT_NULL(t, f);
	id = posix_timer_create(&f->proc, CLOCK_MONOTONIC, &ev);
	KTEST_ASSERT_TRUE(t, id >= 0);
	posix_timer_settime(&f->proc, id, 0, 2 * MS, 2 * MS, NULL);
	posix_timer_gettime(&f->proc, id, &cur);
	KTEST_EXPECT_EQ(t, ts_ns(cur.it_interval), 2 * MS);
	sleep_ns(60 * MS);              /* about 30 expiries, one signal */
	KTEST_EXPECT_EQ(t, take(f, SIGRTMIN + 1, &info), SIGRTMIN + 1);
	ovr = info._sifields.timer.overrun;
	KTEST_EXPECT_GE(t, ovr, 5);
	/* One record only: a real-time timer signal is not queued twice. */
	KTEST_EXPECT_EQ(t, posix_timer_getoverrun(&f->proc, id), ovr);
	KTEST_EXPECT_TRUE(t, wait_pending(f, SIGRTMIN + 1, 2000));
	/* The next one is pending: the delivered one still counts. */
	KTEST_EXPECT_EQ(t, posix_timer_getoverrun(&f->proc, id), ovr);
	KTEST_EXPECT_EQ(t, posix_timer_delete(&f->proc, id), 0);
	take(f, SIGRTMIN + 1, &info);
	KTEST_EXPECT_EQ(t, info.si_code, SI_TIMER);
	KTEST_EXPECT_EQ(t, info._sifields.timer.value.sival_int, 7);
	/* Deleted: no more signals. */
	sleep_ns(10 * MS);
	KTEST_EXPECT_FALSE(t, is_pending(f, SIGRTMIN + 1));
	fake_free(f);
}

static void test_sigev_none(struct ktest *t)
{
	struct fake *f = fake_new();
	struct sigevent ev = sev(SIGEV_NONE, SIGUSR1, 0);
	struct itimerspec cur;
	u64 a, b;
	int id;

	KTEST_ASSERT_NOT_NULL(t, f);
	id = posix_timer_create(&f->proc, CLOCK_MONOTONIC, &ev);
	KTEST_ASSERT_TRUE(t, id >= 0);
	posix_timer_settime(&f->proc, id, 0, 10 * NSEC_PER_SEC, 0, NULL);
	posix_timer_gettime(&f->proc, id, &cur);
	a = ts_ns(cur.it_value);
	sleep_ns(2 * MS);
	posix_timer_gettime(&f->proc, id, &cur);
	b = ts_ns(cur.it_value);
	KTEST_EXPECT_GT(t, a, b);
	KTEST_EXPECT_GT(t, b, 0);
	posix_timer_settime(&f->proc, id, 0, 5 * MS, 0, NULL);
	sleep_ns(15 * MS);
	posix_timer_gettime(&f->proc, id, &cur);
	KTEST_EXPECT_EQ(t, ts_ns(cur.it_value), 0);
	KTEST_EXPECT_FALSE(t, is_pending(f, SIGUSR1));
	/* Periodic: stays armed, never past its next expiry. */
	posix_timer_settime(&f->proc, id, 0, 3 * MS, 3 * MS, NULL);
	sleep_ns(10 * MS);
	posix_timer_gettime(&f->proc, id, &cur);
	KTEST_EXPECT_GT(t, ts_ns(cur.it_value), 0);
	KTEST_EXPECT_LE(t, ts_ns(cur.it_value), 3 * MS);
	KTEST_EXPECT_FALSE(t, is_pending(f, SIGUSR1));
	fake_free(f);
}

/* ---- adjtimex ------------------------------------------------------------------ */

#define ADJ_FREQUENCY         0x0002
#define ADJ_MAXERROR          0x0004
#define ADJ_STATUS            0x0010
#define ADJ_TICK              0x4000
#define ADJ_OFFSET_SINGLESHOT 0x8001
#define ADJ_OFFSET_SS_READ    0xa001
#define STA_UNSYNC            0x0040

static long call2(long (*fn)(const struct syscall_args *), unsigned long a0,
		  unsigned long a1)
{
	struct syscall_args args = { .arg = { a0, a1, 0, 0, 0, 0 } };

	return fn(&args);
}

static void test_clock_adjtime_ids(struct ktest *t)
{
	struct timex kx = { 0 };        /* a kernel address: EFAULT */
	unsigned long kp = (unsigned long)&kx;

	KTEST_EXPECT_EQ(t, call2(sys_clock_adjtime, CLOCK_REALTIME, kp),
			-EFAULT);
	KTEST_EXPECT_EQ(t, call2(sys_adjtimex, kp, 0), -EFAULT);
	/* Clocks without an adjustment, checked before the copy. */
	KTEST_EXPECT_EQ(t, call2(sys_clock_adjtime, CLOCK_MONOTONIC, kp),
			-EOPNOTSUPP);
	KTEST_EXPECT_EQ(t, call2(sys_clock_adjtime, CLOCK_TAI, kp),
			-EOPNOTSUPP);
	KTEST_EXPECT_EQ(t, call2(sys_clock_adjtime, (unsigned long)-6, kp),
			-EOPNOTSUPP);           /* pid 0's process CPU clock */
	KTEST_EXPECT_EQ(t, call2(sys_clock_adjtime, 10, kp), -EINVAL);
	KTEST_EXPECT_EQ(t, call2(sys_clock_adjtime, 100, kp), -EINVAL);
}

static void test_adjtimex(struct ktest *t)
{
	struct timex tx = { 0 }, saved;
	int state;

	state = do_adjtimex(&tx);
	saved = tx;
	KTEST_EXPECT_GE(t, state, 0);
	KTEST_EXPECT_EQ(t, tx.tick, 10000);
	KTEST_EXPECT_EQ(t, tx.precision, 1);
	KTEST_EXPECT_EQ(t, tx.tolerance, 32768000);
	KTEST_EXPECT_GT(t, tx.time.tv_sec, 0);
	/* Unsynchronized: TIME_ERROR. */
	if (tx.status & STA_UNSYNC)
		KTEST_EXPECT_EQ(t, state, 5);

	tx = (struct timex){ .modes = ADJ_FREQUENCY, .freq = 3 << 16 };
	KTEST_EXPECT_GE(t, do_adjtimex(&tx), 0);
	KTEST_EXPECT_EQ(t, tx.freq, 3 << 16);
	tx = (struct timex){ .modes = ADJ_FREQUENCY, .freq = 1000L << 16 };
	do_adjtimex(&tx);
	KTEST_EXPECT_EQ(t, tx.freq, 500L << 16);        /* clamped */
	tx = (struct timex){ .modes = ADJ_TICK, .tick = 8999 };
	KTEST_EXPECT_EQ(t, do_adjtimex(&tx), -EINVAL);
	tx = (struct timex){ .modes = 0x8000 };
	KTEST_EXPECT_EQ(t, do_adjtimex(&tx), -EINVAL);

	/* adjtime(3): set returns the old offset, SS_READ only reads. */
	tx = (struct timex){ .modes = ADJ_OFFSET_SINGLESHOT, .offset = 1234 };
	do_adjtimex(&tx);
	tx = (struct timex){ .modes = ADJ_OFFSET_SS_READ, .offset = 99 };
	do_adjtimex(&tx);
	KTEST_EXPECT_EQ(t, tx.offset, 1234);
	tx = (struct timex){ .modes = ADJ_OFFSET_SINGLESHOT, .offset = 0 };
	do_adjtimex(&tx);
	KTEST_EXPECT_EQ(t, tx.offset, 1234);

	/* Synchronized with a small error: TIME_OK. */
	tx = (struct timex){ .modes = ADJ_STATUS | ADJ_MAXERROR,
			     .status = 0, .maxerror = 100 };
	KTEST_EXPECT_EQ(t, do_adjtimex(&tx), 0);
	KTEST_EXPECT_EQ(t, tx.status & STA_UNSYNC, 0);
	KTEST_EXPECT_GE(t, tx.maxerror, 100);

	/* Put it back. */
	tx = (struct timex){ .modes = ADJ_STATUS | ADJ_MAXERROR |
				      ADJ_FREQUENCY,
			     .status = saved.status, .maxerror = saved.maxerror,
			     .freq = saved.freq };
	do_adjtimex(&tx);
	KTEST_EXPECT_EQ(t, tx.status, saved.status);
}

static struct ktest_case posix_timers_cases[] = {
	KTEST_CASE(test_create_checks),
	KTEST_CASE(test_one_shot),
	KTEST_CASE(test_overrun),
	KTEST_CASE(test_sigev_none),
	KTEST_CASE(test_adjtimex),
	KTEST_CASE(test_clock_adjtime_ids),
	{}
};
KTEST_SUITE(posix_timers, posix_timers_cases);
