/*
 * Eight musl threads contending on mutexes, condition variables and a
 * barrier, 100 rounds in a row, with exact results asserted every round
 * (issue 8's acceptance test; tests/system/contend-smp4.test also runs it
 * on -smp 4).
 *
 * A round: 8 threads each add 1 to a counter under a normal mutex and to
 * another under a PTHREAD_PRIO_INHERIT mutex (FUTEX_LOCK_PI when
 * contended) N_INC times, then meet at a barrier, after which every one
 * of them must see both totals complete; then 4 producers push numbered
 * items through a 4-slot queue guarded by a mutex and two condition
 * variables to 4 consumers, which must receive every item exactly once
 * (count, sum and sum of squares of the values). A lost wake-up hangs
 * the round: the test is bounded by the suite's timeout.
 *
 * conformance-timeout: 90
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "tap.h"
#include "testutil.h"

#define ROUNDS          100
#define NTHREADS        8
#define NPROD           (NTHREADS / 2)
#define N_INC           20
#define N_ITEMS         8       /* per producer */
#define QCAP            4

struct round {
	pthread_mutex_t mu, pimu, qm;
	pthread_cond_t not_full, not_empty;
	pthread_barrier_t bar;
	long count, pi_count;
	int queue[QCAP];
	int head, len;
	long got_n, got_sum, got_sq;    /* [qm] consumed */
	int bad_after_barrier;          /* [a] */
};

static struct round R;

static void push(int v)
{
	pthread_mutex_lock(&R.qm);
	while (R.len == QCAP)
		pthread_cond_wait(&R.not_full, &R.qm);
	R.queue[(R.head + R.len) % QCAP] = v;
	R.len++;
	pthread_cond_signal(&R.not_empty);
	pthread_mutex_unlock(&R.qm);
}

static int pop(void)
{
	int v;

	pthread_mutex_lock(&R.qm);
	while (R.len == 0)
		pthread_cond_wait(&R.not_empty, &R.qm);
	v = R.queue[R.head];
	R.head = (R.head + 1) % QCAP;
	R.len--;
	pthread_cond_signal(&R.not_full);
	pthread_mutex_unlock(&R.qm);
	return v;
}

static void *worker(void *arg)
{
	int id = (int)(long)arg;

	for (int i = 0; i < N_INC; i++) {
		pthread_mutex_lock(&R.mu);
		R.count++;
		pthread_mutex_unlock(&R.mu);
		pthread_mutex_lock(&R.pimu);
		R.pi_count++;
		pthread_mutex_unlock(&R.pimu);
	}
	pthread_barrier_wait(&R.bar);
	/* Everyone is past the increments now. */
	pthread_mutex_lock(&R.mu);
	if (R.count != (long)NTHREADS * N_INC)
		__atomic_add_fetch(&R.bad_after_barrier, 1, __ATOMIC_SEQ_CST);
	pthread_mutex_unlock(&R.mu);
	pthread_mutex_lock(&R.pimu);
	if (R.pi_count != (long)NTHREADS * N_INC)
		__atomic_add_fetch(&R.bad_after_barrier, 1, __ATOMIC_SEQ_CST);
	pthread_mutex_unlock(&R.pimu);

	if (id < NPROD) {
		for (int k = 1; k <= N_ITEMS; k++)
			push(id * N_ITEMS + k);
	} else {
		long n = 0, sum = 0, sq = 0;

		for (int k = 0; k < N_ITEMS; k++) {
			long v = pop();

			n++;
			sum += v;
			sq += v * v;
		}
		pthread_mutex_lock(&R.qm);
		R.got_n += n;
		R.got_sum += sum;
		R.got_sq += sq;
		pthread_mutex_unlock(&R.qm);
	}
	return NULL;
}

static void round_init(void)
{
	pthread_mutexattr_t pa;

	memset(&R, 0, sizeof(R));
	pthread_mutex_init(&R.mu, NULL);
	pthread_mutexattr_init(&pa);
	pthread_mutexattr_setprotocol(&pa, PTHREAD_PRIO_INHERIT);
	pthread_mutex_init(&R.pimu, &pa);
	pthread_mutexattr_destroy(&pa);
	pthread_mutex_init(&R.qm, NULL);
	pthread_cond_init(&R.not_full, NULL);
	pthread_cond_init(&R.not_empty, NULL);
	pthread_barrier_init(&R.bar, NULL, NTHREADS);
}

static void round_fini(void)
{
	pthread_barrier_destroy(&R.bar);
	pthread_cond_destroy(&R.not_empty);
	pthread_cond_destroy(&R.not_full);
	pthread_mutex_destroy(&R.qm);
	pthread_mutex_destroy(&R.pimu);
	pthread_mutex_destroy(&R.mu);
}

int main(void)
{
	long want_n = (long)NPROD * N_ITEMS, want_sum = 0, want_sq = 0;
	int bad_count = 0, bad_barrier = 0, bad_queue = 0, bad_create = 0;
	long t0 = mono_ms();
	pthread_t th[NTHREADS];

	for (long v = 1; v <= want_n; v++) {
		want_sum += v;
		want_sq += v * v;
	}
	tap_plan(4);
	for (int r = 0; r < ROUNDS; r++) {
		round_init();
		for (long i = 0; i < NTHREADS; i++)
			if (pthread_create(&th[i], NULL, worker, (void *)i))
				tap_bail("round %d: pthread_create failed", r);
		for (int i = 0; i < NTHREADS; i++)
			if (pthread_join(th[i], NULL))
				bad_create++;
		if (R.count != (long)NTHREADS * N_INC ||
		    R.pi_count != (long)NTHREADS * N_INC) {
			if (!bad_count++)
				tap_diag("round %d: counts %ld, %ld", r, R.count,
					 R.pi_count);
		}
		if (R.bad_after_barrier)
			bad_barrier++;
		if (R.got_n != want_n || R.got_sum != want_sum ||
		    R.got_sq != want_sq || R.len) {
			if (!bad_queue++)
				tap_diag("round %d: queue %ld items, sum %ld",
					 r, R.got_n, R.got_sum);
		}
		round_fini();
		if (r % 25 == 24)
			tap_diag("%d rounds done, %ld ms", r + 1, mono_ms() - t0);
	}
	tap_diag("%d rounds of %d threads in %ld ms", ROUNDS, NTHREADS,
		 mono_ms() - t0);
	tap_is_int(bad_create, 0, "every thread of every round joined");
	tap_is_int(bad_count, 0, "both mutex-protected counters exact in all %d rounds",
		   ROUNDS);
	tap_is_int(bad_barrier, 0, "every thread saw the totals complete after the barrier");
	tap_is_int(bad_queue, 0, "the condvar queue delivered every item exactly once in all rounds");
	return tap_done();
}
