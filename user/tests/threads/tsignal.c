/*
 * Signals and threads (signal(7), pthread_sigmask(3)): tgkill/pthread_kill
 * deliver to exactly the chosen thread; a process-directed kill goes to a
 * thread that does not block the signal; the signal mask is per thread and
 * a new thread starts with its creator's mask; a thread-directed pending
 * signal is visible in that thread's sigpending only, while a
 * process-directed one is visible to all; sigwaitinfo in one thread
 * accepts a signal sent to the process; each thread starts without an
 * alternate signal stack; tgkill to an exited thread fails with ESRCH.
 */
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "tap.h"

#define N 4

static volatile long handled_by;
static volatile int handled_count;

static long gettid_(void)
{
	return syscall(SYS_gettid);
}

static void handler(int sig)
{
	handled_by = gettid_();
	handled_count++;
}

static pthread_barrier_t bar;
static volatile long tids[N];

/* Block SIGUSR1 unless we are the chosen index; wait for a signal. */
struct worker_arg {
	int index, open_index;
};

static void *worker(void *p)
{
	struct worker_arg *a = p;
	sigset_t s;

	tids[a->index] = gettid_();
	sigemptyset(&s);
	sigaddset(&s, SIGUSR1);
	pthread_sigmask(a->index == a->open_index ? SIG_UNBLOCK : SIG_BLOCK, &s, NULL);
	pthread_barrier_wait(&bar);	/* masks are set */
	pthread_barrier_wait(&bar);	/* main has sent and seen the signal */
	return NULL;
}

static void run_workers(int open_index, int directed)
{
	struct worker_arg args[N];
	pthread_t t[N];
	sigset_t s, old;

	sigemptyset(&s);
	sigaddset(&s, SIGUSR1);
	pthread_sigmask(SIG_BLOCK, &s, &old);	/* the main thread never takes it */
	pthread_barrier_init(&bar, NULL, N + 1);
	for (int i = 0; i < N; i++) {
		args[i].index = i;
		args[i].open_index = open_index;
		pthread_create(&t[i], NULL, worker, &args[i]);
	}
	pthread_barrier_wait(&bar);
	handled_by = 0;
	handled_count = 0;
	if (directed >= 0)
		syscall(SYS_tgkill, getpid(), tids[directed], SIGUSR1);
	else
		kill(getpid(), SIGUSR1);
	/* Bounded wait for the delivery in the other thread. */
	for (long i = 0; i < 10000000 && !handled_count; i++)
		sched_yield();
	pthread_barrier_wait(&bar);
	for (int i = 0; i < N; i++)
		pthread_join(t[i], NULL);
	pthread_barrier_destroy(&bar);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
}

static void test_targeting(void)
{
	long target;

	signal(SIGUSR1, handler);
	/* Everyone but worker 2 blocks; direct the signal at worker 2. */
	run_workers(2, 2);
	target = tids[2];
	tap_ok(handled_count == 1 && handled_by == target,
	       "tgkill delivers to exactly the chosen thread");
	/* Only worker 1 leaves it open: a process-directed signal goes there. */
	run_workers(1, -1);
	tap_ok(handled_count == 1 && handled_by == tids[1],
	       "a process-directed signal goes to the one thread not blocking it");
	signal(SIGUSR1, SIG_DFL);
}

static sigset_t seen_mask;
static volatile int thread_pending_usr2, thread_pending_term;
static volatile long late_tid;

static void *inspect(void *arg)
{
	sigset_t pend, s;

	pthread_sigmask(SIG_BLOCK, NULL, &seen_mask);
	/* A signal for this thread only... */
	sigemptyset(&s);
	sigaddset(&s, SIGUSR2);
	pthread_sigmask(SIG_BLOCK, &s, NULL);
	syscall(SYS_tgkill, getpid(), gettid_(), SIGUSR2);
	sigpending(&pend);
	thread_pending_usr2 = sigismember(&pend, SIGUSR2);
	pthread_barrier_wait(&bar);	/* main checks its own sigpending */
	pthread_barrier_wait(&bar);	/* main sent a process-directed SIGTERM */
	sigpending(&pend);
	thread_pending_term = sigismember(&pend, SIGTERM);
	/* Discard our private SIGUSR2 before unblocking anything. */
	{
		struct timespec zero = { 0, 0 };

		sigtimedwait(&s, NULL, &zero);
	}
	return NULL;
}

static void test_masks(void)
{
	sigset_t s, pend, cur;
	pthread_t t;
	struct timespec zero = { 0, 0 };

	sigemptyset(&s);
	sigaddset(&s, SIGHUP);
	sigaddset(&s, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &s, NULL);
	pthread_barrier_init(&bar, NULL, 2);
	pthread_create(&t, NULL, inspect, NULL);
	pthread_barrier_wait(&bar);
	tap_ok(sigismember(&seen_mask, SIGHUP) && sigismember(&seen_mask, SIGTERM),
	       "a new thread starts with its creator's signal mask");
	tap_ok(thread_pending_usr2, "a signal sent to a thread shows in its own sigpending");
	sigpending(&pend);
	tap_ok(!sigismember(&pend, SIGUSR2), "it does not show in another thread's sigpending");
	pthread_sigmask(SIG_BLOCK, NULL, &cur);
	tap_ok(!sigismember(&cur, SIGUSR2), "the thread's pthread_sigmask did not change ours");
	kill(getpid(), SIGTERM);	/* blocked in both threads: stays pending */
	pthread_barrier_wait(&bar);
	pthread_join(t, NULL);
	tap_ok(thread_pending_term, "a process-directed pending signal shows in every thread");
	tap_is_int(sigtimedwait(&s, NULL, &zero), SIGTERM, "the main thread can accept it");
	pthread_sigmask(SIG_UNBLOCK, &s, NULL);
	pthread_barrier_destroy(&bar);
}

static volatile int waited_sig;
static volatile int waited_pid;

static void *acceptor(void *arg)
{
	sigset_t s;
	siginfo_t si;

	sigemptyset(&s);
	sigaddset(&s, SIGUSR1);
	memset(&si, 0, sizeof(si));
	waited_sig = sigwaitinfo(&s, &si);
	waited_pid = si.si_pid;
	return NULL;
}

static void *altstack_state(void *arg)
{
	stack_t ss;

	if (sigaltstack(NULL, &ss))
		return (void *)-1L;
	return (void *)(long)ss.ss_flags;
}

static void *just_exit(void *arg)
{
	late_tid = gettid_();
	return NULL;
}

static void test_misc(void)
{
	static char alt[65536];
	stack_t ss = { .ss_sp = alt, .ss_flags = 0, .ss_size = sizeof(alt) };
	sigset_t s;
	pthread_t t;
	void *ret = NULL;

	/* Every thread blocks SIGUSR1 (inherited); one accepts it. */
	sigemptyset(&s);
	sigaddset(&s, SIGUSR1);
	pthread_sigmask(SIG_BLOCK, &s, NULL);
	pthread_create(&t, NULL, acceptor, NULL);
	kill(getpid(), SIGUSR1);
	pthread_join(t, NULL);
	tap_ok(waited_sig == SIGUSR1 && waited_pid == getpid(),
	       "sigwaitinfo in another thread accepts a process-directed signal");
	pthread_sigmask(SIG_UNBLOCK, &s, NULL);

	sigaltstack(&ss, NULL);
	pthread_create(&t, NULL, altstack_state, NULL);
	pthread_join(t, &ret);
	tap_is_int((long)ret, SS_DISABLE, "a new thread has no alternate signal stack");
	ss.ss_flags = SS_DISABLE;
	sigaltstack(&ss, NULL);

	pthread_create(&t, NULL, just_exit, NULL);
	pthread_join(t, NULL);
	/* pthread_join returns once the tid word is cleared; the task may linger briefly. */
	{
		long r = 0;
		int e = 0;

		for (int i = 0; i < 100000; i++) {
			r = syscall(SYS_tgkill, getpid(), late_tid, 0);
			e = errno;
			if (r == -1)
				break;
			sched_yield();
		}
		tap_ok(r == -1 && e == ESRCH,
		       "tgkill to a thread that has exited fails with ESRCH");
	}
}

int main(void)
{
	alarm(25);	/* a safety net below the runner's 30 s timeout */
	test_targeting();
	test_masks();
	test_misc();
	return tap_done();
}
