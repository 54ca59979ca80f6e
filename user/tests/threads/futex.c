/*
 * futex(2): FUTEX_WAIT (EAGAIN on a value mismatch, ETIMEDOUT after a
 * relative timeout, EINTR from a handler), FUTEX_WAKE (0 without waiters,
 * waking exactly the requested number), FUTEX_WAIT_BITSET with absolute
 * CLOCK_MONOTONIC and CLOCK_REALTIME deadlines, FUTEX_WAKE_BITSET
 * selecting waiters by bitset, FUTEX_CMP_REQUEUE (and its EAGAIN),
 * FUTEX_WAKE_OP, process-shared futexes in MAP_SHARED memory versus
 * private ones, and the errors EINVAL (misaligned address, zero bitset,
 * bad timeout), EFAULT (unmapped word or timeout) and ENOSYS (unknown
 * operation, FUTEX_CLOCK_REALTIME with FUTEX_WAKE).
 *
 * To know that threads are really asleep on a futex without sleeping,
 * FUTEX_CMP_REQUEUE with nr_wake 0 is used as a counter: it moves the
 * current waiters to a second futex and returns how many it moved.
 */
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tap.h"
#include "testutil.h"

/* linux/futex.h (uapi), not shipped with musl. */
#define FUTEX_WAIT		0
#define FUTEX_WAKE		1
#define FUTEX_REQUEUE		3
#define FUTEX_CMP_REQUEUE	4
#define FUTEX_WAKE_OP		5
#define FUTEX_WAIT_BITSET	9
#define FUTEX_WAKE_BITSET	10
#define FUTEX_PRIVATE_FLAG	128
#define FUTEX_CLOCK_REALTIME	256
#define FUTEX_WAIT_PRIVATE	(FUTEX_WAIT | FUTEX_PRIVATE_FLAG)
#define FUTEX_WAKE_PRIVATE	(FUTEX_WAKE | FUTEX_PRIVATE_FLAG)
#define FUTEX_CMP_REQUEUE_PRIVATE (FUTEX_CMP_REQUEUE | FUTEX_PRIVATE_FLAG)
#define FUTEX_WAKE_OP_PRIVATE	(FUTEX_WAKE_OP | FUTEX_PRIVATE_FLAG)
#define FUTEX_WAIT_BITSET_PRIVATE (FUTEX_WAIT_BITSET | FUTEX_PRIVATE_FLAG)
#define FUTEX_WAKE_BITSET_PRIVATE (FUTEX_WAKE_BITSET | FUTEX_PRIVATE_FLAG)
#define FUTEX_BITSET_MATCH_ANY	0xffffffff
#define FUTEX_OP_SET		0
#define FUTEX_OP_ADD		1
#define FUTEX_OP_CMP_EQ		0
#define FUTEX_OP(op, oparg, cmp, cmparg) \
	((((op) & 0xf) << 28) | (((cmp) & 0xf) << 24) | (((oparg) & 0xfff) << 12) | ((cmparg) & 0xfff))

static long futex(volatile int *uaddr, int op, int val, const void *timeout_or_val2,
		  volatile int *uaddr2, int val3)
{
	return syscall(SYS_futex, uaddr, op, val, timeout_or_val2, uaddr2, val3);
}

static long elapsed_ns(const struct timespec *a, const struct timespec *b)
{
	return (b->tv_sec - a->tv_sec) * 1000000000L + (b->tv_nsec - a->tv_nsec);
}

/*
 * Move every waiter of @from to @to until @n have been moved; returns the
 * total. @flags is FUTEX_PRIVATE_FLAG for private futexes or 0 for shared
 * ones: the two kinds never match each other.
 */
static int gather(volatile int *from, volatile int *to, int n, int flags)
{
	int total = 0;

	for (long i = 0; i < 10000000 && total < n; i++) {
		long r = futex(from, FUTEX_CMP_REQUEUE | flags, 0, (void *)(long)INT_MAX, to, *from);

		if (r > 0)
			total += (int)r;
		else
			sched_yield();
	}
	return total;
}

static void test_errors(void)
{
	static int word __attribute__((aligned(8)));
	struct timespec bad = { 0, 1000000000 }, neg = { -1, 0 };
	char *unaligned = (char *)&word + 1;

	word = 1;
	tap_is_errno(futex(&word, FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0), EAGAIN,
		     "FUTEX_WAIT with a value that does not match fails with EAGAIN");
	tap_is_int(futex(&word, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0), 0,
		   "FUTEX_WAKE without waiters returns 0");
	tap_is_errno(futex((int *)unaligned, FUTEX_WAIT_PRIVATE, 1, NULL, NULL, 0), EINVAL,
		     "a futex address that is not 4-byte aligned fails with EINVAL");
	tap_is_errno(futex(&word, FUTEX_WAIT_BITSET_PRIVATE, 1, NULL, NULL, 0), EINVAL,
		     "FUTEX_WAIT_BITSET with bitset 0 fails with EINVAL");
	tap_is_errno(futex(&word, FUTEX_WAKE_BITSET_PRIVATE, 1, NULL, NULL, 0), EINVAL,
		     "FUTEX_WAKE_BITSET with bitset 0 fails with EINVAL");
	tap_is_errno(futex(&word, FUTEX_WAIT_PRIVATE, 1, &bad, NULL, 0), EINVAL,
		     "a timeout with tv_nsec of 1e9 fails with EINVAL");
	tap_is_errno(futex(&word, FUTEX_WAIT_PRIVATE, 1, &neg, NULL, 0), EINVAL,
		     "a negative timeout fails with EINVAL");
	tap_is_errno(futex((int *)8, FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0), EFAULT,
		     "FUTEX_WAIT on an unmapped address fails with EFAULT");
	tap_is_errno(futex(&word, FUTEX_WAIT_PRIVATE, 1, (void *)8, NULL, 0), EFAULT,
		     "a bad timeout pointer fails with EFAULT");
	tap_is_errno(futex(&word, 99, 0, NULL, NULL, 0), ENOSYS,
		     "an unknown futex operation fails with ENOSYS");
	tap_is_errno(futex(&word, FUTEX_WAKE | FUTEX_CLOCK_REALTIME, 1, NULL, NULL, 0), ENOSYS,
		     "FUTEX_CLOCK_REALTIME with FUTEX_WAKE fails with ENOSYS");
}

static void test_timeouts(void)
{
	static int word;
	struct timespec t0, t1, rel = { 0, 20 * 1000 * 1000 }, abs;
	long r;
	int e;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	r = futex(&word, FUTEX_WAIT_PRIVATE, 0, &rel, NULL, 0);
	e = errno;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	tap_ok(r == -1 && e == ETIMEDOUT,
	       "FUTEX_WAIT with a relative timeout fails with ETIMEDOUT");
	tap_ok(elapsed_ns(&t0, &t1) >= 20 * 1000 * 1000,
	       "the wait lasted at least the 20 ms timeout");

	/* FUTEX_WAIT_BITSET takes an absolute deadline. */
	clock_gettime(CLOCK_MONOTONIC, &abs);
	abs.tv_nsec += 10 * 1000 * 1000;
	if (abs.tv_nsec >= 1000000000) {
		abs.tv_sec++;
		abs.tv_nsec -= 1000000000;
	}
	r = futex(&word, FUTEX_WAIT_BITSET_PRIVATE, 0, &abs, NULL, FUTEX_BITSET_MATCH_ANY);
	e = errno;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	tap_ok(r == -1 && e == ETIMEDOUT && (t1.tv_sec > abs.tv_sec ||
	       (t1.tv_sec == abs.tv_sec && t1.tv_nsec >= abs.tv_nsec)),
	       "FUTEX_WAIT_BITSET times out at an absolute CLOCK_MONOTONIC deadline");
	abs.tv_sec = 1;
	abs.tv_nsec = 0;
	tap_is_errno(futex(&word, FUTEX_WAIT_BITSET_PRIVATE | FUTEX_CLOCK_REALTIME, 0, &abs, NULL,
			   FUTEX_BITSET_MATCH_ANY), ETIMEDOUT,
		     "a CLOCK_REALTIME deadline in the past times out at once");
}

static volatile int f1, f2;
static volatile long results[4];

static void *waiter(void *arg)
{
	long i = (long)arg;

	results[i] = futex(&f1, FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0) == 0 ? 1 : -errno;
	return NULL;
}

static void *bitset_waiter(void *arg)
{
	long i = (long)arg;

	results[i] = futex(&f1, FUTEX_WAIT_BITSET_PRIVATE, 0, NULL, NULL, 0x1) == 0 ? 1 : -errno;
	return NULL;
}

static void test_wake(void)
{
	pthread_t t[3];
	int i, ok;

	f1 = f2 = 0;
	for (i = 0; i < 3; i++) {
		results[i] = 0;
		pthread_create(&t[i], NULL, waiter, (void *)(long)i);
	}
	tap_is_int(gather(&f1, &f2, 3, FUTEX_PRIVATE_FLAG), 3,
		   "FUTEX_CMP_REQUEUE moves all 3 sleeping waiters");
	tap_is_errno(futex(&f2, FUTEX_CMP_REQUEUE_PRIVATE, 0, (void *)1L, &f1, 1), EAGAIN,
		     "FUTEX_CMP_REQUEUE with a non-matching val3 fails with EAGAIN");
	tap_is_int(futex(&f1, FUTEX_WAKE_PRIVATE, INT_MAX, NULL, NULL, 0), 0,
		   "after the requeue nobody waits on the first futex");
	tap_is_int(futex(&f2, FUTEX_WAKE_PRIVATE, 2, NULL, NULL, 0), 2,
		   "FUTEX_WAKE with count 2 wakes exactly 2 of 3 waiters");
	tap_is_int(futex(&f2, FUTEX_WAKE_PRIVATE, INT_MAX, NULL, NULL, 0), 1,
		   "a second FUTEX_WAKE wakes the last one");
	for (i = 0; i < 3; i++)
		pthread_join(t[i], NULL);
	for (ok = 1, i = 0; i < 3; i++)
		if (results[i] != 1)
			ok = 0;
	tap_ok(ok, "every woken FUTEX_WAIT returned 0");

	f1 = f2 = 0;
	results[0] = 0;
	pthread_create(&t[0], NULL, bitset_waiter, (void *)0L);
	gather(&f1, &f2, 1, FUTEX_PRIVATE_FLAG);
	tap_is_int(futex(&f2, FUTEX_WAKE_BITSET_PRIVATE, INT_MAX, NULL, NULL, 0x2), 0,
		   "FUTEX_WAKE_BITSET with a disjoint bitset wakes nobody");
	tap_is_int(futex(&f2, FUTEX_WAKE_BITSET_PRIVATE, INT_MAX, NULL, NULL, 0x3), 1,
		   "FUTEX_WAKE_BITSET with an overlapping bitset wakes the waiter");
	pthread_join(t[0], NULL);
	tap_is_int(results[0], 1, "the FUTEX_WAIT_BITSET waiter returned 0");
}

static void test_wake_op(void)
{
	pthread_t t;

	/* *f2 = 5 (old value 0); wake 1 on f1; if old == 0 also wake 1 on f2. */
	int op = FUTEX_OP(FUTEX_OP_SET, 5, FUTEX_OP_CMP_EQ, 0);

	f1 = f2 = 0;
	results[0] = 0;
	pthread_create(&t, NULL, waiter, (void *)0L);
	/* Put the waiter on f2: FUTEX_WAKE_OP must wake it through the compare. */
	gather(&f1, &f2, 1, FUTEX_PRIVATE_FLAG);
	tap_is_int(futex(&f1, FUTEX_WAKE_OP_PRIVATE, 1, (void *)1L, &f2, op), 1,
		   "FUTEX_WAKE_OP wakes the waiter on uaddr2 when the comparison holds");
	tap_is_int(f2, 5, "FUTEX_WAKE_OP stored the new value at uaddr2");
	pthread_join(t, NULL);
	op = FUTEX_OP(FUTEX_OP_ADD, 2, FUTEX_OP_CMP_EQ, 0);
	tap_is_int(futex(&f1, FUTEX_WAKE_OP_PRIVATE, 1, (void *)1L, &f2, op), 0,
		   "FUTEX_WAKE_OP without waiters returns 0");
	tap_is_int(f2, 7, "FUTEX_OP_ADD added to the old value");
}

static volatile int eintr_word;
static volatile long eintr_result;
static volatile long eintr_tid;

static void on_usr1(int sig)
{
}

static void *eintr_waiter(void *arg)
{
	eintr_tid = syscall(SYS_gettid);
	eintr_result = futex(&eintr_word, FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0) == 0 ? 0 : errno;
	return NULL;
}

static void test_eintr(void)
{
	static volatile int other;
	pthread_t t;

	sig_install(SIGUSR1, on_usr1, 0);	/* no SA_RESTART */
	eintr_word = 0;
	pthread_create(&t, NULL, eintr_waiter, NULL);
	/* Make sure it sleeps on the futex, then move it back and signal it. */
	gather(&eintr_word, &other, 1, FUTEX_PRIVATE_FLAG);
	futex(&other, FUTEX_CMP_REQUEUE_PRIVATE, 0, (void *)(long)INT_MAX, &eintr_word, 0);
	for (long i = 0; i < 10000000 && !eintr_tid; i++)
		sched_yield();
	syscall(SYS_tgkill, getpid(), eintr_tid, SIGUSR1);
	pthread_join(t, NULL);
	tap_is_int(eintr_result, EINTR,
		   "a handler without SA_RESTART interrupts FUTEX_WAIT with EINTR");
	signal(SIGUSR1, SIG_DFL);
}

static void test_shared(void)
{
	volatile int *m = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	int st = -1;
	pid_t pid;

	if (m == MAP_FAILED)
		tap_bail("mmap");
	m[0] = m[1] = 0;
	pid = fork();
	if (pid == 0)
		_exit(futex(&m[0], FUTEX_WAIT, 0, NULL, NULL, 0) == 0 ? 0 : 1);
	tap_is_int(gather(&m[0], &m[1], 1, 0), 1,
		   "a process-shared waiter in another process is found through MAP_SHARED memory");
	tap_is_int(futex(&m[1], FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0), 0,
		   "a private FUTEX_WAKE does not reach another process's waiter");
	tap_is_int(futex(&m[1], FUTEX_WAKE, 1, NULL, NULL, 0), 1,
		   "a shared FUTEX_WAKE wakes the other process");
	waitpid(pid, &st, 0);
	tap_ok(WIFEXITED(st) && WEXITSTATUS(st) == 0, "the other process's FUTEX_WAIT returned 0");
	munmap((void *)m, 4096);
}

int main(void)
{
	alarm(25);	/* a safety net below the runner's 30 s timeout */
	test_errors();
	test_timeouts();
	test_wake();
	test_wake_op();
	test_eintr();
	test_shared();
	return tap_done();
}
