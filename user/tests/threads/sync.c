/*
 * pthread synchronisation under contention (all built on futex(2)):
 * mutexes guarding a plain shared counter, condition variables in a
 * bounded producer/consumer queue, reader/writer locks (readers never see
 * a half-done update; two readers can hold the lock at once), barriers
 * (all arrive before any leaves, one serial thread per round), semaphores
 * (including an ETIMEDOUT timed wait), a timed condition wait, and a
 * process-shared mutex in MAP_SHARED memory used by two processes.
 * Every count is checked exactly: a lost wakeup hangs (alarm ends the
 * program) and a broken lock loses increments.
 */
#include <pthread.h>
#include <sched.h>
#include <semaphore.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tap.h"

#define NT 4
#define ITERS 5000

static pthread_mutex_t mutex = PTHREAD_MUTEX_INITIALIZER;
static long counter;	/* deliberately not atomic */

static void *mutex_worker(void *arg)
{
	for (int i = 0; i < ITERS; i++) {
		pthread_mutex_lock(&mutex);
		long v = counter;

		if ((i & 63) == 0)
			sched_yield();	/* invite contention inside the lock */
		counter = v + 1;
		pthread_mutex_unlock(&mutex);
	}
	return NULL;
}

static void test_mutex(void)
{
	pthread_t t[NT];

	counter = 0;
	for (int i = 0; i < NT; i++)
		pthread_create(&t[i], NULL, mutex_worker, NULL);
	for (int i = 0; i < NT; i++)
		pthread_join(t[i], NULL);
	tap_is_int(counter, NT * ITERS, "%d threads x %d mutex-protected increments lose none",
		   NT, ITERS);
	tap_is_int(pthread_mutex_trylock(&mutex), 0, "trylock of a free mutex succeeds");
	tap_is_int(pthread_mutex_trylock(&mutex), EBUSY, "trylock of a held mutex returns EBUSY");
	pthread_mutex_unlock(&mutex);
}

/* Bounded queue: producers block when full, consumers when empty. */
#define QCAP 8
#define PER_PRODUCER 3000

static pthread_mutex_t qlock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t not_full = PTHREAD_COND_INITIALIZER;
static pthread_cond_t not_empty = PTHREAD_COND_INITIALIZER;
static int queue[QCAP], qhead, qcount;
static int producers_left;
static long consumed_sum, consumed_count;

static void *producer(void *arg)
{
	int base = (int)(long)arg * PER_PRODUCER;

	for (int i = 1; i <= PER_PRODUCER; i++) {
		pthread_mutex_lock(&qlock);
		while (qcount == QCAP)
			pthread_cond_wait(&not_full, &qlock);
		queue[(qhead + qcount++) % QCAP] = base + i;
		pthread_cond_signal(&not_empty);
		pthread_mutex_unlock(&qlock);
	}
	pthread_mutex_lock(&qlock);
	producers_left--;
	pthread_cond_broadcast(&not_empty);
	pthread_mutex_unlock(&qlock);
	return NULL;
}

static void *consumer(void *arg)
{
	for (;;) {
		pthread_mutex_lock(&qlock);
		while (qcount == 0 && producers_left > 0)
			pthread_cond_wait(&not_empty, &qlock);
		if (qcount == 0) {
			pthread_mutex_unlock(&qlock);
			return NULL;
		}
		consumed_sum += queue[qhead];
		consumed_count++;
		qhead = (qhead + 1) % QCAP;
		qcount--;
		pthread_cond_signal(&not_full);
		pthread_mutex_unlock(&qlock);
	}
}

static void test_condvar(void)
{
	pthread_t p[2], c[2];
	long want = 0;
	struct timespec past;
	int r;

	producers_left = 2;
	for (long i = 0; i < 2; i++)
		pthread_create(&p[i], NULL, producer, (void *)i);
	for (int i = 0; i < 2; i++)
		pthread_create(&c[i], NULL, consumer, NULL);
	for (int i = 0; i < 2; i++) {
		pthread_join(p[i], NULL);
		pthread_join(c[i], NULL);
	}
	for (long i = 1; i <= 2L * PER_PRODUCER; i++)
		want += i;
	tap_is_int(consumed_count, 2 * PER_PRODUCER,
		   "condition variables pass every item through a bounded queue");
	tap_is_int(consumed_sum, want, "each item is consumed exactly once");

	clock_gettime(CLOCK_REALTIME, &past);
	past.tv_sec -= 1;
	pthread_mutex_lock(&qlock);
	r = pthread_cond_timedwait(&not_empty, &qlock, &past);
	pthread_mutex_unlock(&qlock);
	tap_is_int(r, ETIMEDOUT, "pthread_cond_timedwait with a past deadline returns ETIMEDOUT");
}

static pthread_rwlock_t rw = PTHREAD_RWLOCK_INITIALIZER;
static long rw_a, rw_b;
static volatile long torn;
static pthread_barrier_t two_readers;

static void *rw_writer(void *arg)
{
	for (int i = 0; i < ITERS; i++) {
		pthread_rwlock_wrlock(&rw);
		rw_a++;
		if ((i & 63) == 0)
			sched_yield();
		rw_b++;
		pthread_rwlock_unlock(&rw);
	}
	return NULL;
}

static void *rw_reader(void *arg)
{
	for (int i = 0; i < ITERS; i++) {
		pthread_rwlock_rdlock(&rw);
		if (rw_a != rw_b)
			torn++;
		pthread_rwlock_unlock(&rw);
	}
	return NULL;
}

static int inside, max_inside;

static void *shared_reader(void *arg)
{
	int n;

	pthread_rwlock_rdlock(&rw);
	/* Both readers must be inside at once to pass this barrier. */
	__atomic_fetch_add(&inside, 1, __ATOMIC_SEQ_CST);
	pthread_barrier_wait(&two_readers);
	n = __atomic_load_n(&inside, __ATOMIC_SEQ_CST);
	if (n > __atomic_load_n(&max_inside, __ATOMIC_SEQ_CST))
		__atomic_store_n(&max_inside, n, __ATOMIC_SEQ_CST);
	pthread_barrier_wait(&two_readers);
	__atomic_fetch_sub(&inside, 1, __ATOMIC_SEQ_CST);
	pthread_rwlock_unlock(&rw);
	return NULL;
}

static void test_rwlock(void)
{
	pthread_t t[4];

	torn = 0;
	pthread_create(&t[0], NULL, rw_writer, NULL);
	pthread_create(&t[1], NULL, rw_writer, NULL);
	pthread_create(&t[2], NULL, rw_reader, NULL);
	pthread_create(&t[3], NULL, rw_reader, NULL);
	for (int i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
	tap_ok(rw_a == 2 * ITERS && rw_b == 2 * ITERS, "write-locked updates are never lost");
	tap_is_int(torn, 0, "readers never observe a half-done update");

	pthread_barrier_init(&two_readers, NULL, 2);
	pthread_create(&t[0], NULL, shared_reader, NULL);
	pthread_create(&t[1], NULL, shared_reader, NULL);
	pthread_join(t[0], NULL);
	pthread_join(t[1], NULL);
	tap_is_int(max_inside, 2, "two readers hold the read lock at the same time");
	pthread_barrier_destroy(&two_readers);
	tap_is_int(pthread_rwlock_trywrlock(&rw), 0, "trywrlock of a free rwlock succeeds");
	tap_is_int(pthread_rwlock_tryrdlock(&rw), EBUSY,
		   "tryrdlock while write-locked returns EBUSY");
	pthread_rwlock_unlock(&rw);
}

#define ROUNDS 50

static pthread_barrier_t bar;
static int arrived[ROUNDS];
static volatile int early_leave, serials;

static void *barrier_worker(void *arg)
{
	for (int r = 0; r < ROUNDS; r++) {
		__atomic_fetch_add(&arrived[r], 1, __ATOMIC_SEQ_CST);
		if (pthread_barrier_wait(&bar) == PTHREAD_BARRIER_SERIAL_THREAD)
			__atomic_fetch_add(&serials, 1, __ATOMIC_SEQ_CST);
		if (__atomic_load_n(&arrived[r], __ATOMIC_SEQ_CST) != NT)
			early_leave = 1;
	}
	return NULL;
}

static void test_barrier(void)
{
	pthread_t t[NT];

	pthread_barrier_init(&bar, NULL, NT);
	for (int i = 0; i < NT; i++)
		pthread_create(&t[i], NULL, barrier_worker, NULL);
	for (int i = 0; i < NT; i++)
		pthread_join(t[i], NULL);
	tap_is_int(early_leave, 0, "no thread leaves a barrier before all %d arrived", NT);
	tap_is_int(serials, ROUNDS,
		   "exactly one thread per round gets PTHREAD_BARRIER_SERIAL_THREAD");
	pthread_barrier_destroy(&bar);
}

static sem_t sem_items, sem_done;

static void *sem_worker(void *arg)
{
	for (int i = 0; i < 1000; i++) {
		sem_wait(&sem_items);
		sem_post(&sem_done);
	}
	return NULL;
}

static void test_semaphore(void)
{
	pthread_t t[2];
	struct timespec deadline;
	int done = 0, r, e;

	sem_init(&sem_items, 0, 0);
	sem_init(&sem_done, 0, 0);
	pthread_create(&t[0], NULL, sem_worker, NULL);
	pthread_create(&t[1], NULL, sem_worker, NULL);
	for (int i = 0; i < 2000; i++)
		sem_post(&sem_items);
	for (int i = 0; i < 2000; i++)
		if (sem_wait(&sem_done) == 0)
			done++;
	pthread_join(t[0], NULL);
	pthread_join(t[1], NULL);
	tap_is_int(done, 2000, "semaphores hand over 2000 tokens between threads");
	tap_is_errno(sem_trywait(&sem_items), EAGAIN,
		     "sem_trywait on a zero semaphore fails with EAGAIN");
	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_nsec += 20 * 1000 * 1000;
	if (deadline.tv_nsec >= 1000000000) {
		deadline.tv_sec++;
		deadline.tv_nsec -= 1000000000;
	}
	r = sem_timedwait(&sem_items, &deadline);
	e = errno;
	tap_ok(r == -1 && e == ETIMEDOUT, "sem_timedwait times out with ETIMEDOUT");
}

struct shared {
	pthread_mutex_t m;
	long count;
};

static void test_process_shared(void)
{
	struct shared *s = mmap(NULL, sizeof(*s), PROT_READ | PROT_WRITE,
				MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	pthread_mutexattr_t a;
	int st = -1;
	pid_t pid;

	if (s == MAP_FAILED)
		tap_bail("mmap");
	pthread_mutexattr_init(&a);
	pthread_mutexattr_setpshared(&a, PTHREAD_PROCESS_SHARED);
	pthread_mutex_init(&s->m, &a);
	s->count = 0;
	pid = fork();
	for (int i = 0; i < ITERS; i++) {
		pthread_mutex_lock(&s->m);
		long v = s->count;

		if ((i & 63) == 0)
			sched_yield();
		s->count = v + 1;
		pthread_mutex_unlock(&s->m);
	}
	if (pid == 0)
		_exit(0);
	waitpid(pid, &st, 0);
	tap_is_int(s->count, 2 * ITERS,
		   "a process-shared mutex protects a counter used by two processes");
	munmap(s, sizeof(*s));
}

int main(void)
{
	alarm(25);	/* a safety net below the runner's 30 s timeout */
	test_mutex();
	test_condvar();
	test_rwlock();
	test_barrier();
	test_semaphore();
	test_process_shared();
	return tap_done();
}
