/*
 * Priority-inheritance futexes through the raw system call (futex(2),
 * "Priority-inheritance futexes"): FUTEX_LOCK_PI, LOCK_PI2, TRYLOCK_PI,
 * UNLOCK_PI, WAIT_REQUEUE_PI and CMP_REQUEUE_PI, what they leave in the
 * lock word (owner tid | FUTEX_WAITERS | FUTEX_OWNER_DIED), their error
 * paths (EDEADLK, ESRCH, EPERM, EINVAL, EAGAIN, ETIMEDOUT, ENOSYS), the
 * clocks of their timeouts, the hand-over to the top waiter on unlock and
 * on the owner's death (robust or not), and requeueing condition-variable
 * waiters onto a PI futex; a handled signal does not end a LOCK_PI wait
 * (it restarts), and a process-shared PI futex works across processes.
 */
#include <errno.h>
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <signal.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tap.h"
#include "testutil.h"

/* <linux/futex.h>, which the static toolchain does not ship. */
#define FUTEX_WAIT              0
#define FUTEX_WAKE              1
#define FUTEX_LOCK_PI           6
#define FUTEX_UNLOCK_PI         7
#define FUTEX_TRYLOCK_PI        8
#define FUTEX_WAIT_REQUEUE_PI   11
#define FUTEX_CMP_REQUEUE_PI    12
#define FUTEX_LOCK_PI2          13
#define FUTEX_PRIVATE_FLAG      128
#define FUTEX_CLOCK_REALTIME    256
#define FUTEX_WAITERS           0x80000000U
#define FUTEX_OWNER_DIED        0x40000000U
#define FUTEX_TID_MASK          0x3fffffffU

struct robust_list {
	struct robust_list *next;
};

struct robust_list_head {
	struct robust_list list;
	long futex_offset;
	struct robust_list *list_op_pending;
};

static long futex(uint32_t *uaddr, int op, uint32_t val,
		  const struct timespec *ts, uint32_t *uaddr2, uint32_t val3)
{
	return syscall(SYS_futex, uaddr, op, val, ts, uaddr2, val3);
}

/* The same, with nr_requeue in the timeout slot. */
static long futex_cmp_requeue_pi(uint32_t *c, int nr_wake, long nr_requeue,
				 uint32_t *m, uint32_t cmpval)
{
	return syscall(SYS_futex, c, FUTEX_CMP_REQUEUE_PI | FUTEX_PRIVATE_FLAG,
		       nr_wake, nr_requeue, m, cmpval);
}

#define P(op) ((op) | FUTEX_PRIVATE_FLAG)

static pid_t gettid_(void)
{
	return (pid_t)syscall(SYS_gettid);
}

static uint32_t load(uint32_t *w)
{
	return __atomic_load_n(w, __ATOMIC_SEQ_CST);
}

/* Wait (up to 3 s) until thread @tid sleeps. */
static int wait_sleeping(pid_t tid)
{
	for (int i = 0; i < 3000; i++) {
		if (proc_stat_state("/proc/self/task/%d/stat", tid) == 'S')
			return 1;
		usleep(1000);
	}
	return 0;
}

/* Wait (up to 3 s) until process @pid sleeps. */
static int wait_sleeping_pid(pid_t pid)
{
	for (int i = 0; i < 3000; i++) {
		if (proc_stat_state("/proc/%d/stat", pid) == 'S')
			return 1;
		usleep(1000);
	}
	return 0;
}

static struct timespec abs_in(clockid_t clk, long ms)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	ts.tv_nsec += (ms % 1000) * 1000000L;
	ts.tv_sec += ms / 1000 + ts.tv_nsec / 1000000000L;
	ts.tv_nsec %= 1000000000L;
	return ts;
}

/* ---- a helper thread that runs one operation on request ------------------- */

struct actor {
	pthread_t th;
	pid_t tid;                      /* [a] */
	uint32_t *word;
	int op;                         /* the futex op to run */
	long ret;
	int err;
	uint32_t seen;                  /* the word just after the op */
	int unlock;                     /* then UNLOCK_PI */
	long unlock_ret;
};

static void *actor_main(void *p)
{
	struct actor *a = p;

	__atomic_store_n(&a->tid, gettid_(), __ATOMIC_SEQ_CST);
	a->ret = futex(a->word, P(a->op), 0, NULL, NULL, 0);
	a->err = errno;
	a->seen = load(a->word);
	if (a->unlock && a->ret == 0)
		a->unlock_ret = futex(a->word, P(FUTEX_UNLOCK_PI), 0, NULL,
				      NULL, 0);
	return NULL;
}

static void actor_start(struct actor *a, uint32_t *word, int op, int unlock)
{
	a->tid = 0;
	a->word = word;
	a->op = op;
	a->unlock = unlock;
	a->unlock_ret = -2;
	pthread_create(&a->th, NULL, actor_main, a);
	while (!__atomic_load_n(&a->tid, __ATOMIC_SEQ_CST))
		sched_yield();
}

/* ---- the uncontended operations and their errors --------------------------- */

static uint32_t w1;

static pid_t dead_tid(void)
{
	struct actor a = { 0 };
	static uint32_t dummy = 1;      /* never locked: TRYLOCK fails at once */

	actor_start(&a, &dummy, FUTEX_WAKE, 0);
	pthread_join(a.th, NULL);
	return a.tid;
}

static void test_basic(void)
{
	pid_t me = gettid_(), dead;
	struct actor a = { 0 };

	tap_is_int(futex(&w1, P(FUTEX_TRYLOCK_PI), 0, NULL, NULL, 0), 0,
		   "TRYLOCK_PI takes a free word");
	tap_is_int(load(&w1), me, "the word then holds our tid");
	tap_is_errno(futex(&w1, P(FUTEX_TRYLOCK_PI), 0, NULL, NULL, 0), EDEADLK,
		     "TRYLOCK_PI on a word we own: EDEADLK");
	tap_is_errno(futex(&w1, P(FUTEX_LOCK_PI), 0, NULL, NULL, 0), EDEADLK,
		     "LOCK_PI on a word we own: EDEADLK");
	tap_is_int(futex(&w1, P(FUTEX_UNLOCK_PI), 0, NULL, NULL, 0), 0,
		   "UNLOCK_PI by the owner");
	tap_is_int(load(&w1), 0, "leaves the word 0");
	tap_is_errno(futex(&w1, P(FUTEX_UNLOCK_PI), 0, NULL, NULL, 0), EPERM,
		     "UNLOCK_PI of a free word: EPERM");

	/* Owned by a live thread (us), as seen from another. */
	w1 = (uint32_t)me;
	actor_start(&a, &w1, FUTEX_UNLOCK_PI, 0);
	pthread_join(a.th, NULL);
	tap_ok(a.ret == -1 && a.err == EPERM,
	       "UNLOCK_PI by a thread that does not own the word: EPERM");
	actor_start(&a, &w1, FUTEX_TRYLOCK_PI, 0);
	pthread_join(a.th, NULL);
	tap_ok(a.ret == -1 && a.err == EAGAIN,
	       "TRYLOCK_PI of a word another thread owns: EAGAIN");
	tap_is_int(load(&w1) & FUTEX_TID_MASK, me,
		   "and leaves the owner in the word");

	dead = dead_tid();
	w1 = (uint32_t)dead;
	tap_is_errno(futex(&w1, P(FUTEX_LOCK_PI), 0, NULL, NULL, 0), ESRCH,
		     "LOCK_PI of a word naming an exited thread: ESRCH");
	tap_is_errno(futex(&w1, P(FUTEX_TRYLOCK_PI), 0, NULL, NULL, 0), ESRCH,
		     "TRYLOCK_PI of it: ESRCH");

	w1 = FUTEX_OWNER_DIED;
	tap_is_int(futex(&w1, P(FUTEX_LOCK_PI), 0, NULL, NULL, 0), 0,
		   "LOCK_PI of a free word marked FUTEX_OWNER_DIED");
	tap_is_int(load(&w1), FUTEX_OWNER_DIED | (uint32_t)me,
		   "takes it and keeps FUTEX_OWNER_DIED");
	tap_is_int(futex(&w1, P(FUTEX_UNLOCK_PI), 0, NULL, NULL, 0), 0,
		   "UNLOCK_PI of it");
	tap_is_int(load(&w1), 0, "clears the word");

	tap_is_errno(futex((uint32_t *)((char *)&w1 + 1), P(FUTEX_LOCK_PI), 0,
			   NULL, NULL, 0), EINVAL,
		     "LOCK_PI of a misaligned word: EINVAL");
	tap_is_errno(futex(&w1, P(FUTEX_LOCK_PI) | FUTEX_CLOCK_REALTIME, 0,
			   NULL, NULL, 0), ENOSYS,
		     "LOCK_PI with FUTEX_CLOCK_REALTIME: ENOSYS");
	tap_is_errno(futex(NULL, P(FUTEX_LOCK_PI), 0, NULL, NULL, 0), EFAULT,
		     "LOCK_PI of a NULL word: EFAULT");
}

/* ---- timeouts ---------------------------------------------------------------- */

static void timed(const char *what, int op, clockid_t clk, long ms)
{
	struct timespec ts = abs_in(clk, ms);
	long t0 = mono_ms(), r, took;
	int err;

	r = futex(&w1, op, 0, &ts, NULL, 0);
	err = errno;
	took = mono_ms() - t0;
	tap_ok(r == -1 && err == ETIMEDOUT && took >= ms - 5 && took < 3000,
	       "%s: ETIMEDOUT after %ld ms (%ld ms asked)", what, took, ms);
}

static void test_handoff(void)
{
	struct actor a = { 0 };

	w1 = (uint32_t)gettid_();       /* owned by us; the actor waits */
	actor_start(&a, &w1, FUTEX_LOCK_PI, 1);
	tap_ok(wait_sleeping(a.tid), "a LOCK_PI waiter sleeps");
	tap_is_int(load(&w1), (uint32_t)gettid_() | FUTEX_WAITERS,
		   "the word gets FUTEX_WAITERS while contended");
	tap_is_errno(futex(&w1, P(FUTEX_WAKE), 1, NULL, NULL, 0), EINVAL,
		     "FUTEX_WAKE of a PI futex with a LOCK_PI waiter: EINVAL");
	tap_is_int(futex(&w1, P(FUTEX_UNLOCK_PI), 0, NULL, NULL, 0), 0,
		   "UNLOCK_PI with a waiter");
	pthread_join(a.th, NULL);
	tap_ok(a.ret == 0 && (a.seen & FUTEX_TID_MASK) == (uint32_t)a.tid,
	       "the waiter got the lock and its tid is in the word");
	tap_is_int(a.unlock_ret, 0, "the new owner unlocks");
	tap_is_int(load(&w1), 0, "the word is free again");
}

/* The timed cases need an owner other than the caller: a parked thread. */
static uint32_t park_word;
static pid_t park_tid;

static void *parker(void *arg)
{
	(void)arg;
	if (futex(&w1, P(FUTEX_TRYLOCK_PI), 0, NULL, NULL, 0) == 0) {
		__atomic_store_n(&park_tid, gettid_(), __ATOMIC_SEQ_CST);
		while (!__atomic_load_n(&park_word, __ATOMIC_SEQ_CST))
			futex(&park_word, P(FUTEX_WAIT), 0, NULL, NULL, 0);
		futex(&w1, P(FUTEX_UNLOCK_PI), 0, NULL, NULL, 0);
	}
	return NULL;
}

static void test_clocks(void)
{
	struct timespec past = { 1, 0 };
	pthread_t t;
	long t0;

	w1 = 0;
	park_word = 0;
	pthread_create(&t, NULL, parker, NULL);
	while (!__atomic_load_n(&park_tid, __ATOMIC_SEQ_CST))
		sched_yield();
	timed("LOCK_PI, absolute CLOCK_REALTIME", P(FUTEX_LOCK_PI),
	      CLOCK_REALTIME, 60);
	timed("LOCK_PI2, absolute CLOCK_MONOTONIC", P(FUTEX_LOCK_PI2),
	      CLOCK_MONOTONIC, 60);
	timed("LOCK_PI2|FUTEX_CLOCK_REALTIME, absolute CLOCK_REALTIME",
	      P(FUTEX_LOCK_PI2) | FUTEX_CLOCK_REALTIME, CLOCK_REALTIME, 60);
	t0 = mono_ms();
	tap_ok(futex(&w1, P(FUTEX_LOCK_PI), 0, &past, NULL, 0) == -1 &&
	       errno == ETIMEDOUT && mono_ms() - t0 < 1000,
	       "LOCK_PI with a deadline in the past: ETIMEDOUT at once");
	tap_is_int(load(&w1), (uint32_t)park_tid | FUTEX_WAITERS,
		   "the owner keeps the lock; FUTEX_WAITERS stays set");
	__atomic_store_n(&park_word, 1, __ATOMIC_SEQ_CST);
	futex(&park_word, P(FUTEX_WAKE), 1, NULL, NULL, 0);
	pthread_join(t, NULL);
	tap_is_int(load(&w1), 0, "its UNLOCK_PI frees the word");
}

/* ---- a signal during LOCK_PI; a process-shared PI futex -------------------- */

static int usr1_hits;

static void on_usr1(int sig)
{
	(void)sig;
	__atomic_add_fetch(&usr1_hits, 1, __ATOMIC_SEQ_CST);
}

static void test_signal_restarts(void)
{
	struct sigaction sa = { .sa_handler = on_usr1 };
	struct actor a = { 0 };

	sigaction(SIGUSR1, &sa, NULL);      /* no SA_RESTART: still restarts */
	w1 = (uint32_t)gettid_();
	actor_start(&a, &w1, FUTEX_LOCK_PI, 1);
	wait_sleeping(a.tid);
	syscall(SYS_tgkill, getpid(), a.tid, SIGUSR1);
	for (int i = 0; i < 2000 && !__atomic_load_n(&usr1_hits, __ATOMIC_SEQ_CST); i++)
		usleep(1000);
	tap_ok(usr1_hits == 1 && wait_sleeping(a.tid),
	       "a LOCK_PI waiter runs a handler and waits on (no EINTR)");
	futex(&w1, P(FUTEX_UNLOCK_PI), 0, NULL, NULL, 0);
	pthread_join(a.th, NULL);
	tap_ok(a.ret == 0 && (a.seen & FUTEX_TID_MASK) == (uint32_t)a.tid,
	       "and then gets the lock");
}

static void test_shared(void)
{
	uint32_t *w = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
			   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	pid_t pid;
	int st = -1;

	if (w == MAP_FAILED)
		tap_bail("mmap");
	*w = 0;
	tap_is_int(futex(w, FUTEX_LOCK_PI, 0, NULL, NULL, 0), 0,
		   "process-shared LOCK_PI of a free word");
	pid = fork();
	if (pid == 0) {
		long r = futex(w, FUTEX_LOCK_PI, 0, NULL, NULL, 0);

		if (r || (load(w) & FUTEX_TID_MASK) != (uint32_t)getpid())
			_exit(1);
		_exit(futex(w, FUTEX_UNLOCK_PI, 0, NULL, NULL, 0) ? 2 : 0);
	}
	wait_sleeping_pid(pid);
	tap_is_int(load(w), (uint32_t)gettid_() | FUTEX_WAITERS,
		   "a waiter in another process sets FUTEX_WAITERS");
	tap_is_int(futex(w, FUTEX_UNLOCK_PI, 0, NULL, NULL, 0), 0,
		   "UNLOCK_PI hands it to the other process");
	waitpid(pid, &st, 0);
	tap_ok(WIFEXITED(st) && WEXITSTATUS(st) == 0,
	       "which owned it (its tid in the word) and unlocked it");
	tap_is_int(load(w), 0, "the shared word is free at the end");
	munmap(w, 4096);
}

/* An ABBA cycle of PI futexes: the second LOCK_PI that closes it fails. */
static uint32_t wa, wb;
static pid_t abba_tid;

static void *abba(void *arg)
{
	long *ret = arg;

	__atomic_store_n(&abba_tid, gettid_(), __ATOMIC_SEQ_CST);
	if (futex(&wb, P(FUTEX_TRYLOCK_PI), 0, NULL, NULL, 0))
		return NULL;
	*ret = futex(&wa, P(FUTEX_LOCK_PI), 0, NULL, NULL, 0);
	futex(&wb, P(FUTEX_UNLOCK_PI), 0, NULL, NULL, 0);
	if (*ret == 0)
		futex(&wa, P(FUTEX_UNLOCK_PI), 0, NULL, NULL, 0);
	return NULL;
}

static void test_deadlock(void)
{
	long tret = -2;
	pthread_t t;

	wa = wb = 0;
	futex(&wa, P(FUTEX_TRYLOCK_PI), 0, NULL, NULL, 0);
	pthread_create(&t, NULL, abba, &tret);
	while (!(load(&wa) & FUTEX_WAITERS))
		sched_yield();          /* it holds B and waits for A */
	wait_sleeping(abba_tid);
	tap_is_errno(futex(&wb, P(FUTEX_LOCK_PI), 0, NULL, NULL, 0), EDEADLK,
		     "LOCK_PI closing a cycle of PI futexes: EDEADLK");
	futex(&wa, P(FUTEX_UNLOCK_PI), 0, NULL, NULL, 0);
	pthread_join(t, NULL);
	tap_ok(tret == 0 && load(&wa) == 0 && load(&wb) == 0,
	       "the other side of the cycle then gets its lock");
}

/* ---- owner death ------------------------------------------------------------- */

struct robust_entry {
	struct robust_list next;
	uint32_t futex;
};

static struct robust_entry rent;
static struct robust_list_head rhead;
static uint32_t die_now;

/* Take rent.futex (PI), optionally on a robust list, and exit owning it. */
static void *die_owning(void *arg)
{
	int robust = (int)(intptr_t)arg;

	if (robust) {
		rhead.list.next = (struct robust_list *)((uintptr_t)&rent.next | 1);
		rent.next.next = &rhead.list;
		rhead.futex_offset = (long)offsetof(struct robust_entry, futex);
		rhead.list_op_pending = NULL;
		syscall(SYS_set_robust_list, &rhead, sizeof(rhead));
	}
	if (futex(&rent.futex, P(FUTEX_TRYLOCK_PI), 0, NULL, NULL, 0))
		return NULL;
	while (!__atomic_load_n(&die_now, __ATOMIC_SEQ_CST))
		futex(&die_now, P(FUTEX_WAIT), 0, NULL, NULL, 0);
	/*
	 * Exit without unlocking. (Through musl's pthread_exit: a raw
	 * SYS_exit would leave the thread on musl's thread list.)
	 */
	return NULL;
}

static void owner_dies(int robust)
{
	struct actor a = { 0 };
	pthread_t t;

	rent.futex = 0;
	die_now = 0;
	pthread_create(&t, NULL, die_owning, (void *)(intptr_t)robust);
	while (!load(&rent.futex))
		sched_yield();
	actor_start(&a, &rent.futex, FUTEX_LOCK_PI, 0);
	wait_sleeping(a.tid);
	__atomic_store_n(&die_now, 1, __ATOMIC_SEQ_CST);
	futex(&die_now, P(FUTEX_WAKE), 1, NULL, NULL, 0);
	pthread_join(a.th, NULL);
	tap_is_int(a.ret, 0, "%s owner exits: its waiter gets the lock",
		   robust ? "a robust" : "a non-robust");
	/* Linux sets FUTEX_OWNER_DIED either way: no unlock handed it on. */
	tap_is_int(a.seen, (uint32_t)a.tid | FUTEX_WAITERS | FUTEX_OWNER_DIED,
		   "the word then names the waiter, with FUTEX_OWNER_DIED");
	pthread_join(t, NULL);
}

/* ---- requeue_pi ---------------------------------------------------------------- */

static uint32_t cv, mx;

struct rq {
	pthread_t th;
	pid_t tid;
	uint32_t *target;
	long ret;
	int err;
	uint32_t seen;
	const struct timespec *ts;
};

static void *rq_main(void *p)
{
	struct rq *r = p;

	__atomic_store_n(&r->tid, gettid_(), __ATOMIC_SEQ_CST);
	r->ret = futex(&cv, P(FUTEX_WAIT_REQUEUE_PI), 0, r->ts, r->target, 0);
	r->err = errno;
	r->seen = load(&mx);
	if (r->ret == 0)
		futex(&mx, P(FUTEX_UNLOCK_PI), 0, NULL, NULL, 0);
	return NULL;
}

static void rq_start(struct rq *r, uint32_t *target)
{
	r->tid = 0;
	r->target = target;
	pthread_create(&r->th, NULL, rq_main, r);
	while (!__atomic_load_n(&r->tid, __ATOMIC_SEQ_CST))
		sched_yield();
	wait_sleeping(r->tid);
}

static void test_requeue_pi(void)
{
	struct rq r[2] = { 0 };
	uint32_t other = 0;
	struct timespec ts;
	pid_t me = gettid_();
	long ret;

	cv = mx = 0;
	tap_is_errno(futex_cmp_requeue_pi(&cv, 2, 1, &mx, 0), EINVAL,
		     "CMP_REQUEUE_PI with nr_wake 2: EINVAL");
	tap_is_errno(futex_cmp_requeue_pi(&cv, 1, 1, &cv, 0), EINVAL,
		     "CMP_REQUEUE_PI with uaddr == uaddr2: EINVAL");
	tap_is_errno(futex_cmp_requeue_pi(&cv, 1, 1, &mx, 5), EAGAIN,
		     "CMP_REQUEUE_PI with a stale value: EAGAIN");
	tap_is_int(futex_cmp_requeue_pi(&cv, 1, 1, &mx, 0), 0,
		   "CMP_REQUEUE_PI without waiters: 0");
	tap_is_errno(futex(&cv, P(FUTEX_WAIT_REQUEUE_PI), 0, NULL, &cv, 0),
		     EINVAL, "WAIT_REQUEUE_PI with uaddr == uaddr2: EINVAL");
	tap_is_errno(futex(&cv, P(FUTEX_WAIT_REQUEUE_PI), 7, NULL, &mx, 0),
		     EAGAIN, "WAIT_REQUEUE_PI with a stale value: EAGAIN");
	ts = abs_in(CLOCK_MONOTONIC, 50);
	tap_is_errno(futex(&cv, P(FUTEX_WAIT_REQUEUE_PI), 0, &ts, &mx, 0),
		     ETIMEDOUT, "WAIT_REQUEUE_PI times out (absolute monotonic)");

	/* One waiter, a free PI futex: it is woken owning it. */
	rq_start(&r[0], &mx);
	tap_is_errno(futex(&cv, P(FUTEX_WAKE), 1, NULL, NULL, 0), EINVAL,
		     "FUTEX_WAKE of a WAIT_REQUEUE_PI waiter: EINVAL");
	tap_is_errno(futex_cmp_requeue_pi(&cv, 1, 1, &other, 0), EINVAL,
		     "CMP_REQUEUE_PI to another futex than it waits for: EINVAL");
	ret = futex_cmp_requeue_pi(&cv, 1, 0, &mx, 0);
	pthread_join(r[0].th, NULL);
	tap_is_int(ret, 1, "CMP_REQUEUE_PI onto a free PI futex counts 1");
	tap_ok(r[0].ret == 0 &&
	       (r[0].seen & FUTEX_TID_MASK) == (uint32_t)r[0].tid,
	       "the waiter returns owning the PI futex");
	tap_is_int(load(&mx), 0, "and unlocks it");

	/* Two waiters, the PI futex owned by us: both requeued. */
	tap_is_int(futex(&mx, P(FUTEX_TRYLOCK_PI), 0, NULL, NULL, 0), 0,
		   "we take the PI futex");
	rq_start(&r[0], &mx);
	rq_start(&r[1], &mx);
	ret = futex_cmp_requeue_pi(&cv, 1, 2, &mx, 0);
	tap_is_int(ret, 2, "CMP_REQUEUE_PI onto an owned PI futex counts 2");
	tap_is_int(load(&mx), (uint32_t)me | FUTEX_WAITERS,
		   "the PI futex gets FUTEX_WAITERS");
	tap_is_int(futex(&mx, P(FUTEX_UNLOCK_PI), 0, NULL, NULL, 0), 0,
		   "UNLOCK_PI hands it on");
	pthread_join(r[0].th, NULL);
	pthread_join(r[1].th, NULL);
	tap_ok(r[0].ret == 0 && r[1].ret == 0 &&
	       (r[0].seen & FUTEX_TID_MASK) == (uint32_t)r[0].tid &&
	       (r[1].seen & FUTEX_TID_MASK) == (uint32_t)r[1].tid,
	       "each requeued waiter returns owning the PI futex");
	tap_is_int(load(&mx), 0, "which is free at the end");
}

int main(void)
{
	tap_plan(63);
	test_basic();
	test_handoff();
	test_clocks();
	test_signal_restarts();
	test_shared();
	test_deadlock();
	owner_dies(0);
	owner_dies(1);
	test_requeue_pi();
	return tap_done();
}
