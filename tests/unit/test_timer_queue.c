/*
 * Host tests of the per-CPU timer queues (kernel/sched/timer.c) with a fake
 * clock, a fake CPU number (per host thread) and a fake arch_timer_program
 * that records what each CPU's hardware was asked for.
 *
 * Checked: deadline order and FIFO among equals, which calls reprogram the
 * hardware (only changes of the local earliest deadline, once at the end of
 * an interrupt, never for a remote queue), cancellation local and remote,
 * moving a pending timer between CPUs, self-re-arming callbacks, a random
 * workload against a model, arming before the hardware exists, and
 * timer_cancel_sync() waiting for a callback running on another thread.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <pthread.h>
#include <unistd.h>

#include <keel/arch.h>
#include <keel/cpu.h>
#include <keel/string.h>
#include <keel/time.h>

/* ---- stand-ins ----------------------------------------------------------- */

#define TQ_CPUS 4
#define NO_CALL (~0ULL)

static __thread unsigned int fake_cpu;
static u64 fake_now;
static bool fake_available = true;
static u64 hw[TQ_CPUS];           /* last deadline programmed per CPU */
static int hw_calls[TQ_CPUS];

unsigned int arch_cpu_id(void)
{
	return fake_cpu;
}

u64 clock_monotonic_ns(void)
{
	return __atomic_load_n(&fake_now, __ATOMIC_RELAXED);
}

bool arch_timer_available(void)
{
	return fake_available;
}

void arch_timer_program(u64 deadline_ns)
{
	hw[fake_cpu] = deadline_ns;
	hw_calls[fake_cpu]++;
}

void panic(const char *fmt, ...)
{
	char buf[256];
	va_list ap;

	va_start(ap, fmt);
	host_vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	fprintf(stderr, "panic: %s\n", buf);
	abort();
}

/* ---- helpers ------------------------------------------------------------- */

#define MAX_FIRED 20000

struct tt {
	struct timer t;
	int id;
	int rearm_left;
	u64 period;
	u64 fired_at;
	int fires;
};

static int fired[MAX_FIRED];
static int nfired;

static void record(struct timer *t)
{
	struct tt *x = container_of(t, struct tt, t);

	assert_false(arch_irqs_enabled());
	x->fired_at = clock_monotonic_ns();
	x->fires++;
	if (nfired < MAX_FIRED)
		fired[nfired++] = x->id;
}

static void rearm(struct timer *t)
{
	struct tt *x = container_of(t, struct tt, t);

	record(t);
	if (x->rearm_left-- > 0)
		timer_add(t, t->expires + x->period);
}

static void tt_init(struct tt *x, int id, void (*fn)(struct timer *))
{
	memset(x, 0, sizeof(*x));
	x->id = id;
	timer_init_struct(&x->t, fn);
}

/* CPU @cpu's one-shot timer fires (and so disarms) at time @now. */
static void irq_at(unsigned int cpu, u64 now)
{
	unsigned int saved = fake_cpu;

	hw[cpu] = 0;
	fake_cpu = cpu;
	fake_now = now;
	timer_interrupt();
	fake_cpu = saved;
}

static int setup(void **state)
{
	memset(hw, 0, sizeof(hw));
	memset(hw_calls, 0, sizeof(hw_calls));
	nfired = 0;
	fake_cpu = 0;
	fake_now = 0;
	fake_available = true;
	return 0;
}

/* Empty every queue (tests leave nothing behind on success). */
static int teardown(void **state)
{
	unsigned int cpu;

	for (cpu = 0; cpu < TQ_CPUS; cpu++)
		irq_at(cpu, ~0ULL >> 1);
	return 0;
}

/* ---- tests ---------------------------------------------------------------- */

static void test_order(void **state)
{
	static const u64 when[] = { 50, 10, 30, 20, 40 };
	struct tt x[5];
	int i;

	for (i = 0; i < 5; i++) {
		tt_init(&x[i], (int)when[i], record);
		timer_add(&x[i].t, when[i]);
		assert_true(x[i].t.pending);
	}
	assert_int_equal(hw[0], 10);
	irq_at(0, 100);
	assert_int_equal(nfired, 5);
	for (i = 0; i < 5; i++) {
		assert_int_equal(fired[i], (i + 1) * 10);
		assert_false(x[i].t.pending);
		assert_true(x[i].fired_at >= when[i]);
	}
}

static void test_fifo_equal_deadlines(void **state)
{
	struct tt x[8];
	int i;

	for (i = 0; i < 8; i++) {
		tt_init(&x[i], i, record);
		timer_add(&x[i].t, 500);
	}
	irq_at(0, 500);
	assert_int_equal(nfired, 8);
	for (i = 0; i < 8; i++)
		assert_int_equal(fired[i], i);
}

static void test_program_on_earliest_change_only(void **state)
{
	struct tt a, b, c;

	tt_init(&a, 1, record);
	tt_init(&b, 2, record);
	tt_init(&c, 3, record);
	timer_add(&a.t, 100);
	assert_int_equal(hw[0], 100);
	assert_int_equal(hw_calls[0], 1);
	timer_add(&b.t, 200);               /* not the earliest */
	assert_int_equal(hw_calls[0], 1);
	timer_add(&c.t, 50);
	assert_int_equal(hw[0], 50);
	assert_int_equal(hw_calls[0], 2);
	assert_true(timer_cancel(&b.t));     /* not the earliest */
	assert_int_equal(hw_calls[0], 2);
	assert_false(timer_cancel(&b.t));
	assert_true(timer_cancel(&c.t));
	assert_int_equal(hw[0], 100);
	assert_int_equal(hw_calls[0], 3);
	timer_add(&a.t, 100);               /* same deadline again */
	assert_int_equal(hw_calls[0], 3);
	assert_true(timer_cancel(&a.t));
	assert_int_equal(hw[0], 0);          /* empty: disarmed */
	assert_int_equal(hw_calls[0], 4);
	irq_at(0, 1000);
	assert_int_equal(nfired, 0);
}

static void test_partial_expiry(void **state)
{
	struct tt x[3];
	int i;

	for (i = 0; i < 3; i++) {
		tt_init(&x[i], i, record);
		timer_add(&x[i].t, 10 * (u64)(i + 1));
	}
	irq_at(0, 25);
	assert_int_equal(nfired, 2);
	assert_true(x[2].t.pending);
	assert_int_equal(hw[0], 30);
	/* An early (spurious) interrupt runs nothing and re-programs. */
	hw_calls[0] = 0;
	irq_at(0, 29);
	assert_int_equal(nfired, 2);
	assert_int_equal(hw[0], 30);
	assert_int_equal(hw_calls[0], 1);
	irq_at(0, 30);
	assert_int_equal(nfired, 3);
}

static void test_deadline_zero_is_not_disarm(void **state)
{
	struct tt x;

	tt_init(&x, 0, record);
	timer_add(&x.t, 0);
	assert_int_equal(hw[0], 1);
	irq_at(0, 5);
	assert_int_equal(x.fires, 1);
}

/* A self-re-arming timer runs every period that has passed, in one go,
 * and the hardware is programmed once, at the end. */
static void test_rearm_from_callback(void **state)
{
	struct tt x;

	tt_init(&x, 7, rearm);
	x.period = 10;
	x.rearm_left = 100;
	timer_add(&x.t, 60);
	hw_calls[0] = 0;
	irq_at(0, 100);
	assert_int_equal(x.fires, 5);        /* 60, 70, 80, 90, 100 */
	assert_int_equal(hw_calls[0], 1);
	assert_int_equal(hw[0], 110);
	assert_true(x.t.pending);
	irq_at(0, 110);
	assert_int_equal(x.fires, 6);
	assert_true(timer_cancel(&x.t));
}

static void cancel_other(struct timer *t)
{
	struct tt *x = container_of(t, struct tt, t);

	record(t);
	assert_true(timer_cancel((struct timer *)(uintptr_t)x->period));
}

static void test_cancel_from_callback(void **state)
{
	struct tt a, b;

	tt_init(&a, 1, cancel_other);
	tt_init(&b, 2, record);
	a.period = (u64)(uintptr_t)&b.t;
	timer_add(&a.t, 10);
	timer_add(&b.t, 20);
	irq_at(0, 50);
	assert_int_equal(nfired, 1);
	assert_false(b.t.pending);
	assert_int_equal(hw[0], 0);          /* nothing left: stays disarmed */
}

static void test_remote_cancel(void **state)
{
	struct tt x, y;

	tt_init(&x, 1, record);
	tt_init(&y, 2, record);
	timer_add(&x.t, 100);
	timer_add(&y.t, 200);
	assert_int_equal(x.t.cpu, 0);
	fake_cpu = 1;
	assert_true(timer_cancel(&x.t));
	assert_int_equal(hw_calls[1], 0);    /* CPU 1's hardware untouched */
	assert_int_equal(hw[0], 100);        /* CPU 0 keeps an early deadline */
	fake_cpu = 0;
	irq_at(0, 100);                     /* early: nothing due */
	assert_int_equal(nfired, 0);
	assert_int_equal(hw[0], 200);
	irq_at(0, 200);
	assert_int_equal(nfired, 1);
	assert_int_equal(fired[0], 2);
}

static void test_move_between_cpus(void **state)
{
	struct tt x;

	tt_init(&x, 1, record);
	timer_add(&x.t, 100);
	fake_cpu = 2;
	timer_add(&x.t, 300);               /* moves to CPU 2 */
	assert_int_equal(x.t.cpu, 2);
	assert_int_equal(hw[2], 300);
	assert_int_equal(hw[0], 100);        /* stale: CPU 0 finds nothing */
	irq_at(0, 1000);
	assert_int_equal(nfired, 0);
	irq_at(2, 299);
	assert_int_equal(nfired, 0);
	irq_at(2, 300);
	assert_int_equal(nfired, 1);
}

static void test_not_available_yet(void **state)
{
	struct tt x;

	fake_available = false;
	tt_init(&x, 1, record);
	timer_add(&x.t, 100);
	assert_int_equal(hw_calls[0], 0);
	fake_available = true;
	timer_cpu_start();                  /* the arch: "now ready" */
	assert_int_equal(hw[0], 100);
	assert_int_equal(hw_calls[0], 1);
	timer_cpu_start();                  /* idempotent */
	assert_int_equal(hw[0], 100);
	assert_int_equal(nfired, 0);
	irq_at(0, 100);
	assert_int_equal(nfired, 1);
}

/* ---- a random workload against a model ------------------------------------ */

#define MANY 2000

static struct tt many[MANY];
static u64 model_expires[MANY];
static bool model_pending[MANY];

static u64 rng = 0x9e3779b97f4a7c15ULL;

static u64 next_rand(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static u64 model_min(void)
{
	u64 m = 0;
	int i;

	for (i = 0; i < MANY; i++) {
		if (model_pending[i] && (!m || model_expires[i] < m))
			m = model_expires[i];
	}
	return m;
}

static void many_step(u64 *now)
{
	int i = (int)(next_rand() % MANY);
	unsigned int op = next_rand() % 8;

	if (op < 5) {
		model_expires[i] = *now + 1 + next_rand() % 5000;
		model_pending[i] = true;
		timer_add(&many[i].t, model_expires[i]);
	} else if (op < 7) {
		assert_int_equal(timer_cancel(&many[i].t), model_pending[i]);
		model_pending[i] = false;
	} else {
		*now += next_rand() % 300;
		irq_at(0, *now);
		for (i = 0; i < MANY; i++) {
			if (model_pending[i] && model_expires[i] <= *now)
				model_pending[i] = false;
		}
	}
	assert_int_equal(hw[0], model_min());
}

static void test_many_random(void **state)
{
	u64 now = 1000, last = 0;
	int i, step, fires = 0;

	for (i = 0; i < MANY; i++)
		tt_init(&many[i], i, record);
	memset(model_pending, 0, sizeof(model_pending));
	for (step = 0; step < 50000; step++) {
		int before = nfired;

		many_step(&now);
		for (i = before; i < nfired && i < MAX_FIRED; i++) {
			struct tt *x = &many[fired[i]];

			assert_true(x->fired_at >= model_expires[fired[i]]);
			assert_true(model_expires[fired[i]] >= last ||
				    i == before);
			last = model_expires[fired[i]];
		}
		nfired = 0;
	}
	for (i = 0; i < MANY; i++)
		fires += many[i].fires;
	assert_true(fires > 1000);
	for (i = 0; i < MANY; i++)
		timer_cancel(&many[i].t);
}

/* ---- timer_cancel_sync against a callback on another thread ---------------- */

static int cb_state;    /* 0 idle, 1 in callback, 2 may return */

static void slow_callback(struct timer *t)
{
	record(t);
	__atomic_store_n(&cb_state, 1, __ATOMIC_SEQ_CST);
	while (__atomic_load_n(&cb_state, __ATOMIC_SEQ_CST) != 2)
		;
	timer_add(t, t->expires + 1000);    /* re-arms: cancel_sync undoes it */
}

static void *cpu1_interrupt(void *arg)
{
	fake_cpu = 1;
	timer_interrupt();
	return NULL;
}

static void *releaser(void *arg)
{
	usleep(20000);
	__atomic_store_n(&cb_state, 2, __ATOMIC_SEQ_CST);
	return NULL;
}

static void test_cancel_sync_waits(void **state)
{
	pthread_t irq, rel;
	struct tt x;

	tt_init(&x, 1, slow_callback);
	cb_state = 0;
	fake_cpu = 1;
	timer_add(&x.t, 10);
	fake_cpu = 0;
	fake_now = 50;
	assert_int_equal(pthread_create(&irq, NULL, cpu1_interrupt, NULL), 0);
	while (__atomic_load_n(&cb_state, __ATOMIC_SEQ_CST) != 1)
		;
	assert_false(x.t.pending);
	assert_int_equal(pthread_create(&rel, NULL, releaser, NULL), 0);
	timer_cancel_sync(&x.t);            /* must wait for the release */
	assert_int_equal(__atomic_load_n(&cb_state, __ATOMIC_SEQ_CST), 2);
	assert_false(x.t.pending);
	pthread_join(irq, NULL);
	pthread_join(rel, NULL);
	assert_false(x.t.pending);
	assert_int_equal(x.fires, 1);
}

#define TQ_TEST(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		TQ_TEST(test_order),
		TQ_TEST(test_fifo_equal_deadlines),
		TQ_TEST(test_program_on_earliest_change_only),
		TQ_TEST(test_partial_expiry),
		TQ_TEST(test_deadline_zero_is_not_disarm),
		TQ_TEST(test_rearm_from_callback),
		TQ_TEST(test_cancel_from_callback),
		TQ_TEST(test_remote_cancel),
		TQ_TEST(test_move_between_cpus),
		TQ_TEST(test_not_available_yet),
		TQ_TEST(test_many_random),
		TQ_TEST(test_cancel_sync_waits),
	};

	return cmocka_run_group_tests_name("timer_queue", tests, NULL, NULL);
}
