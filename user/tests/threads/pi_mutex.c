/*
 * Priority-inheritance pthread mutexes (PTHREAD_PRIO_INHERIT, which musl
 * builds on FUTEX_LOCK_PI/UNLOCK_PI) seen from the scheduler.
 *
 * The priority-inversion scenario: threads L, M and H at SCHED_FIFO 10,
 * 20 and 30, all on one CPU. L takes the mutex and computes; H blocks on
 * the mutex; M computes for 200 ms. With inheritance L runs at H's
 * priority while H waits, so the order of completion is L's critical
 * section, H, then M. Without it M would run before L and H both. Every
 * loop is bounded by CLOCK_MONOTONIC, so a broken kernel fails the test
 * instead of hanging it.
 *
 * A stress of lock, timedlock with deadlines that expire while the lock
 * is being handed over, and trylock on one PI mutex from 4 threads: the
 * counter it guards must be exact, and the calls return only 0, EBUSY or
 * ETIMEDOUT.
 *
 * The same through a chain: L holds A, J (15) holds B and blocks on A, H
 * blocks on B, X (20) computes: L must run at H's priority, through J,
 * so the order is L, J, H, X (without transitive inheritance X would
 * come first).
 *
 * Then robust + PI mutexes: an owner thread that exits holding one, even
 * while another thread sleeps waiting for it, hands it over with
 * EOWNERDEAD.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "tap.h"
#include "testutil.h"

#define MEDIUM_SPIN_MS  200
#define LOW_EXTRA_MS    30
#define CAP_MS          3000

static pthread_mutex_t pim;
static int seq;                 /* completion order */
static int rank_l = -1, rank_m = -1, rank_h = -1;
static int low_locked, high_started;
static int low_ret = -1, high_ret = -1;

static int next_rank(void)
{
	return __atomic_fetch_add(&seq, 1, __ATOMIC_SEQ_CST);
}

static int flag(int *f)
{
	return __atomic_load_n(f, __ATOMIC_SEQ_CST);
}

static void spin_ms(long ms)
{
	long end = mono_ms() + ms;

	while (mono_ms() < end)
		;
}

static void *low(void *arg)
{
	long cap = mono_ms() + CAP_MS;

	(void)arg;
	low_ret = pthread_mutex_lock(&pim);
	if (low_ret)
		return NULL;
	__atomic_store_n(&low_locked, 1, __ATOMIC_SEQ_CST);
	/* Compute until H has blocked on us, and a little more. */
	while (!flag(&high_started) && mono_ms() < cap)
		;
	spin_ms(LOW_EXTRA_MS);
	rank_l = next_rank();
	pthread_mutex_unlock(&pim);
	return NULL;
}

static void *medium(void *arg)
{
	(void)arg;
	spin_ms(MEDIUM_SPIN_MS);
	rank_m = next_rank();
	return NULL;
}

static void *high(void *arg)
{
	(void)arg;
	__atomic_store_n(&high_started, 1, __ATOMIC_SEQ_CST);
	high_ret = pthread_mutex_lock(&pim);
	rank_h = next_rank();
	if (!high_ret)
		pthread_mutex_unlock(&pim);
	return NULL;
}

static int spawn_fifo(pthread_t *t, void *(*fn)(void *), int prio)
{
	struct sched_param sp = { .sched_priority = prio };
	pthread_attr_t a;
	int r;

	pthread_attr_init(&a);
	pthread_attr_setinheritsched(&a, PTHREAD_EXPLICIT_SCHED);
	pthread_attr_setschedpolicy(&a, SCHED_FIFO);
	pthread_attr_setschedparam(&a, &sp);
	r = pthread_create(t, &a, fn, NULL);
	pthread_attr_destroy(&a);
	return r;
}

/* ---- a chain of two PI mutexes ------------------------------------------------ */

static pthread_mutex_t pa, pb;
static int c_seq, c_rank[4] = { -1, -1, -1, -1 };     /* L, J, H, X */
static int c_l_locked, c_j_locked, c_h_started, c_bad;
static pid_t c_j_tid;

static void *chain_l(void *arg)
{
	long cap = mono_ms() + CAP_MS;

	(void)arg;
	if (pthread_mutex_lock(&pa))
		return (void *)(long)__atomic_add_fetch(&c_bad, 1, __ATOMIC_SEQ_CST);
	__atomic_store_n(&c_l_locked, 1, __ATOMIC_SEQ_CST);
	while (!flag(&c_h_started) && mono_ms() < cap)
		;
	spin_ms(LOW_EXTRA_MS);
	c_rank[0] = __atomic_fetch_add(&c_seq, 1, __ATOMIC_SEQ_CST);
	pthread_mutex_unlock(&pa);
	return NULL;
}

static void *chain_j(void *arg)
{
	(void)arg;
	c_j_tid = (pid_t)syscall(SYS_gettid);
	if (pthread_mutex_lock(&pb))
		return (void *)(long)__atomic_add_fetch(&c_bad, 1, __ATOMIC_SEQ_CST);
	__atomic_store_n(&c_j_locked, 1, __ATOMIC_SEQ_CST);
	if (pthread_mutex_lock(&pa))
		__atomic_add_fetch(&c_bad, 1, __ATOMIC_SEQ_CST);
	c_rank[1] = __atomic_fetch_add(&c_seq, 1, __ATOMIC_SEQ_CST);
	pthread_mutex_unlock(&pa);
	pthread_mutex_unlock(&pb);
	return NULL;
}

static void *chain_h(void *arg)
{
	(void)arg;
	__atomic_store_n(&c_h_started, 1, __ATOMIC_SEQ_CST);
	if (pthread_mutex_lock(&pb))
		__atomic_add_fetch(&c_bad, 1, __ATOMIC_SEQ_CST);
	c_rank[2] = __atomic_fetch_add(&c_seq, 1, __ATOMIC_SEQ_CST);
	pthread_mutex_unlock(&pb);
	return NULL;
}

static void *chain_x(void *arg)
{
	(void)arg;
	spin_ms(MEDIUM_SPIN_MS);
	c_rank[3] = __atomic_fetch_add(&c_seq, 1, __ATOMIC_SEQ_CST);
	return NULL;
}

static void pi_init(pthread_mutex_t *m)
{
	pthread_mutexattr_t ma;

	pthread_mutexattr_init(&ma);
	pthread_mutexattr_setprotocol(&ma, PTHREAD_PRIO_INHERIT);
	pthread_mutex_init(m, &ma);
	pthread_mutexattr_destroy(&ma);
}

/* Run by test_inversion() as the SCHED_FIFO 50 conductor on CPU 0. */
static void test_chain(void)
{
	pthread_t l, j, h, x;
	long cap;

	pi_init(&pa);
	pi_init(&pb);
	if (spawn_fifo(&l, chain_l, 10))
		tap_bail("pthread_create");
	cap = mono_ms() + CAP_MS;
	while (!flag(&c_l_locked) && mono_ms() < cap)
		usleep(1000);
	if (spawn_fifo(&j, chain_j, 15))
		tap_bail("pthread_create");
	/* J takes B, then sleeps waiting for A. */
	while ((!flag(&c_j_locked) ||
		proc_stat_state("/proc/self/task/%d/stat", c_j_tid) != 'S') &&
	       mono_ms() < cap)
		usleep(1000);
	if (spawn_fifo(&x, chain_x, 20) || spawn_fifo(&h, chain_h, 30))
		tap_bail("pthread_create");
	pthread_join(h, NULL);
	pthread_join(x, NULL);
	pthread_join(j, NULL);
	pthread_join(l, NULL);
	tap_diag("chain order: L %d, J %d, H %d, X %d", c_rank[0], c_rank[1],
		 c_rank[2], c_rank[3]);
	tap_ok(!c_bad && c_rank[0] == 0 && c_rank[1] == 1 && c_rank[2] == 2 &&
	       c_rank[3] == 3,
	       "a chain of two PI mutexes boosts L through J: L, J, H, then X");
}

static void test_inversion(void)
{
	struct sched_param sp = { .sched_priority = 50 };
	pthread_mutexattr_t ma;
	pthread_t l, m, h;
	cpu_set_t one;
	long cap;

	CPU_ZERO(&one);
	CPU_SET(0, &one);
	/* The conductor: above the actors, on their CPU, asleep mostly. */
	/* (musl's sched_setscheduler is ENOSYS by design: use the call.) */
	if (sched_setaffinity(0, sizeof(one), &one) ||
	    syscall(SYS_sched_setscheduler, 0, SCHED_FIFO, &sp)) {
		tap_skip(6, "no SCHED_FIFO or affinity (%s)", strerror(errno));
		return;
	}
	pthread_mutexattr_init(&ma);
	pthread_mutexattr_setprotocol(&ma, PTHREAD_PRIO_INHERIT);
	pthread_mutex_init(&pim, &ma);
	pthread_mutexattr_destroy(&ma);

	if (spawn_fifo(&l, low, 10))
		tap_bail("pthread_create low");
	cap = mono_ms() + CAP_MS;
	while (!flag(&low_locked) && mono_ms() < cap)
		usleep(1000);
	/* Neither runs until we sleep in join: we outrank them. */
	if (spawn_fifo(&m, medium, 20) || spawn_fifo(&h, high, 30))
		tap_bail("pthread_create medium/high");
	pthread_join(h, NULL);
	pthread_join(m, NULL);
	pthread_join(l, NULL);
	test_chain();

	sp.sched_priority = 0;
	syscall(SYS_sched_setscheduler, 0, SCHED_OTHER, &sp);
	CPU_ZERO(&one);
	for (int c = 0; c < CPU_SETSIZE; c++)
		CPU_SET(c, &one);
	if (sched_setaffinity(0, sizeof(one), &one))  /* all CPUs again */
		tap_diag("sched_setaffinity(all): %s", strerror(errno));
	tap_ok(low_ret == 0 && high_ret == 0, "L and H both got the PI mutex");
	tap_diag("completion order: L %d, H %d, M %d", rank_l, rank_h, rank_m);
	tap_is_int(rank_l, 0, "L's critical section ends first (it inherits H's priority)");
	tap_is_int(rank_h, 1, "H completes before M");
	tap_is_int(rank_m, 2, "M, computing at 20, completes last");
	tap_is_int(pthread_mutex_destroy(&pim), 0, "the mutex is free at the end");
}

/* ---- a mixed stress ---------------------------------------------------------- */

#define STRESS_THREADS  4
#define STRESS_ITERS    800

static pthread_mutex_t spm;
static long stress_count, stress_taken, stress_bad, stress_missed;
static pthread_barrier_t stress_start;

static void *stresser(void *arg)
{
	long taken = 0, bad = 0, missed = 0;
	unsigned seed = (unsigned)(long)arg;

	pthread_barrier_wait(&stress_start);
	for (int i = 0; i < STRESS_ITERS; i++) {
		struct timespec ts;
		int r;

		seed = seed * 1103515245 + 12345;
		switch ((seed >> 16) % 3) {
		case 0:
			r = pthread_mutex_lock(&spm);
			break;
		case 1:
			clock_gettime(CLOCK_REALTIME, &ts);
			ts.tv_nsec += (long)((seed >> 8) % 200) * 1000;
			if (ts.tv_nsec >= 1000000000L) {
				ts.tv_sec++;
				ts.tv_nsec -= 1000000000L;
			}
			r = pthread_mutex_timedlock(&spm, &ts);
			break;
		default:
			r = pthread_mutex_trylock(&spm);
			break;
		}
		if (r == 0) {
			stress_count++;         /* under the mutex */
			taken++;
			if ((seed >> 4) % 8 == 0)
				sched_yield();  /* hold it a while */
			else
				for (volatile int k = 0; k < 200; k++)
					;
			pthread_mutex_unlock(&spm);
		} else if (r == EBUSY || r == ETIMEDOUT) {
			missed++;
		} else {
			bad++;
		}
	}
	__atomic_add_fetch(&stress_missed, missed, __ATOMIC_SEQ_CST);
	__atomic_add_fetch(&stress_taken, taken, __ATOMIC_SEQ_CST);
	__atomic_add_fetch(&stress_bad, bad, __ATOMIC_SEQ_CST);
	return NULL;
}

static void test_stress(void)
{
	pthread_mutexattr_t ma;
	pthread_t t[STRESS_THREADS];
	long t0 = mono_ms();

	pthread_mutexattr_init(&ma);
	pthread_mutexattr_setprotocol(&ma, PTHREAD_PRIO_INHERIT);
	pthread_mutex_init(&spm, &ma);
	pthread_mutexattr_destroy(&ma);
	pthread_barrier_init(&stress_start, NULL, STRESS_THREADS);
	for (long i = 0; i < STRESS_THREADS; i++)
		pthread_create(&t[i], NULL, stresser, (void *)(i + 1));
	for (int i = 0; i < STRESS_THREADS; i++)
		pthread_join(t[i], NULL);
	pthread_barrier_destroy(&stress_start);
	tap_diag("stress: %ld acquisitions, %ld busy or timed out, in %ld ms",
		 stress_taken, stress_missed, mono_ms() - t0);
	tap_ok(stress_taken > 0 && stress_count == stress_taken,
	       "PI mutex stress: the guarded counter is exact (%ld of %ld)",
	       stress_count, stress_taken);
	tap_is_int(stress_bad, 0, "lock/timedlock/trylock return only 0, EBUSY, ETIMEDOUT");
	tap_is_int(pthread_mutex_destroy(&spm), 0, "the mutex is free afterwards");
}

/* ---- robust + PI ------------------------------------------------------------ */

static pthread_mutex_t rpm;
static pid_t waiter_tid;
static int owner_go;

static void *lock_and_exit(void *arg)
{
	int wait_for_waiter = arg != NULL;

	if (pthread_mutex_lock(&rpm))
		return NULL;
	__atomic_store_n(&owner_go, 1, __ATOMIC_SEQ_CST);
	if (wait_for_waiter) {
		/* Exit only once the main thread sleeps in the lock. */
		for (int i = 0; i < 3000; i++) {
			if (proc_stat_state("/proc/self/task/%d/stat",
					    waiter_tid) == 'S')
				break;
			usleep(1000);
		}
	}
	return NULL;    /* exits holding the mutex */
}

static void test_robust_pi(void)
{
	pthread_mutexattr_t ma;
	pthread_t t;

	pthread_mutexattr_init(&ma);
	pthread_mutexattr_setprotocol(&ma, PTHREAD_PRIO_INHERIT);
	pthread_mutexattr_setrobust(&ma, PTHREAD_MUTEX_ROBUST);
	pthread_mutex_init(&rpm, &ma);
	pthread_mutexattr_destroy(&ma);

	pthread_create(&t, NULL, lock_and_exit, NULL);
	pthread_join(t, NULL);
	tap_is_int(pthread_mutex_lock(&rpm), EOWNERDEAD,
		   "robust PI mutex whose owner exited: EOWNERDEAD");
	tap_is_int(pthread_mutex_consistent(&rpm), 0, "pthread_mutex_consistent");
	tap_is_int(pthread_mutex_unlock(&rpm), 0, "unlock after consistent");

	/* The owner exits while we sleep in the lock: the kernel hands it. */
	waiter_tid = (pid_t)syscall(SYS_gettid);
	owner_go = 0;
	pthread_create(&t, NULL, lock_and_exit, (void *)1);
	while (!flag(&owner_go))
		sched_yield();
	tap_is_int(pthread_mutex_lock(&rpm), EOWNERDEAD,
		   "a sleeping waiter gets EOWNERDEAD when the owner exits");
	pthread_join(t, NULL);
	tap_is_int(pthread_mutex_consistent(&rpm), 0, "pthread_mutex_consistent");
	tap_is_int(pthread_mutex_unlock(&rpm), 0, "unlock");
	tap_is_int(pthread_mutex_lock(&rpm), 0, "and it locks normally again");
	pthread_mutex_unlock(&rpm);
}

int main(void)
{
	tap_plan(16);
	test_inversion();
	test_stress();
	test_robust_pi();
	return tap_done();
}
