/*
 * A signal storm: several processes send each other thousands of signals
 * for a few seconds, and what POSIX guarantees must hold throughout.
 *
 *  - Real-time signals queue: children sigqueue() SIGRTMIN+1 with a
 *    payload (sender, sequence number) to the parent, retrying on EAGAIN
 *    (RLIMIT_SIGPENDING, raised so that it is not hit: a handler cannot
 *    wait for its own queue to drain), and every one is delivered exactly
 *    once, in the
 *    order each sender queued them. The parent's handler itself queues a
 *    SIGRTMIN+2 to its own process for each one (handlers that send),
 *    all of which arrive too.
 *  - Standard signals coalesce: of the SIGUSR1s sent meanwhile at least
 *    one and at most as many as sent arrive.
 *  - No signal is lost in a handshake: two processes bounce SIGUSR2
 *    between them with sigtimedwait(), each waiting for the answer
 *    before sending again, hundreds of times.
 *  - tgkill() to threads: the rt signals aimed at each thread of a
 *    process arrive at that thread, each exactly once.
 * Then all children exit, the kernel still answers, and MemFree is back
 * within a few MiB of where it started. Every loop is bounded by one
 * deadline, after which the children are killed (and the test fails).
 *
 * conformance-timeout: 60
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tap.h"
#include "testutil.h"

#define SENDERS         3
#define RT_PER_SENDER   1000
#define USR1_EVERY      4
#define HANDSHAKES      500
#define TG_THREADS      3
#define TG_PER_THREAD   500
#define MEM_SLACK_KIB   (8 * 1024)
#define WAIT_MS         40000

#define SIG_DATA        (SIGRTMIN + 1)
#define SIG_ECHO        (SIGRTMIN + 2)
#define SIG_DONE        (SIGRTMIN + 3)
#define SIG_TG          (SIGRTMIN + 4)

static long deadline;           /* mono_ms(): everyone gives up then */

static int late(void)
{
	return mono_ms() > deadline;
}

/* sigqueue(), retrying while the queue is full. Return: 0 or -1. */
static int queue_retry(pid_t pid, int sig, int value)
{
	union sigval v = { .sival_int = value };

	for (;;) {
		if (sigqueue(pid, sig, v) == 0)
			return 0;
		if (errno != EAGAIN || late())
			return -1;
		sched_yield();
	}
}

/* ---- the parent's handlers ------------------------------------------------- */

static int data_got, dup_or_order, echo_sent, echo_fail, echo_got;
static int usr1_got, done_got;
static int next_seq[SENDERS];

static void add(int *v)
{
	__atomic_add_fetch(v, 1, __ATOMIC_SEQ_CST);
}

static int get(int *v)
{
	return __atomic_load_n(v, __ATOMIC_SEQ_CST);
}

static void on_data(int sig, siginfo_t *si, void *uc)
{
	int who = si->si_value.sival_int >> 16;
	int seq = si->si_value.sival_int & 0xffff;

	if (who < 0 || who >= SENDERS || seq != next_seq[who] ||
	    si->si_code != SI_QUEUE)
		add(&dup_or_order);
	else
		next_seq[who]++;
	add(&data_got);
	/* A handler that sends: one SIG_ECHO to ourselves per data signal. */
	if (queue_retry(getpid(), SIG_ECHO, seq))
		add(&echo_fail);
	else
		add(&echo_sent);
}

static void on_echo(int sig, siginfo_t *si, void *uc)
{
	add(&echo_got);
}

static void on_usr1(int sig)
{
	add(&usr1_got);
}

static void on_done(int sig)
{
	add(&done_got);
}

static void handle(int sig, void (*fn)(int, siginfo_t *, void *),
		   void (*plain)(int), int also_block)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	if (fn) {
		sa.sa_sigaction = fn;
		sa.sa_flags = SA_SIGINFO | SA_RESTART;
	} else {
		sa.sa_handler = plain;
		sa.sa_flags = SA_RESTART;
	}
	sigemptyset(&sa.sa_mask);
	if (also_block)
		sigaddset(&sa.sa_mask, also_block);
	sigaction(sig, &sa, NULL);
}

/* ---- the children ----------------------------------------------------------- */

static void sender(int idx, pid_t parent)
{
	for (int seq = 0; seq < RT_PER_SENDER; seq++) {
		if (queue_retry(parent, SIG_DATA, (idx << 16) | seq))
			_exit(2);
		if (seq % USR1_EVERY == 0 && kill(parent, SIGUSR1))
			_exit(3);
	}
	/* Queued after every data signal: handled after them all. */
	if (queue_retry(parent, SIG_DONE, idx))
		_exit(4);
	_exit(0);
}

/* Bounce SIGUSR2 with @peer (0: answer whoever sends). Exit 0 if all. */
static void bouncer(pid_t peer)
{
	struct timespec ts = { 10, 0 };
	sigset_t set;
	siginfo_t si;

	sigemptyset(&set);
	sigaddset(&set, SIGUSR2);
	for (int i = 0; i < HANDSHAKES; i++) {
		if (peer && kill(peer, SIGUSR2))
			_exit(2);
		if (sigtimedwait(&set, &si, &ts) != SIGUSR2)
			_exit(3);       /* lost: nobody answers any more */
		if (!peer && kill(si.si_pid, SIGUSR2))
			_exit(4);
	}
	_exit(0);
}

static __thread int tg_got;
static int tg_result[TG_THREADS];
static pid_t tg_tid[TG_THREADS];

static void on_tg(int sig)
{
	tg_got++;
}

static void *tg_worker(void *arg)
{
	int i = (int)(long)arg;
	long end = deadline;

	__atomic_store_n(&tg_tid[i], (pid_t)syscall(SYS_gettid),
			 __ATOMIC_SEQ_CST);
	while (tg_got < TG_PER_THREAD && mono_ms() < end)
		usleep(200);
	usleep(20000);          /* and no extra one arrives late */
	tg_result[i] = tg_got;
	return NULL;
}

static void tgkiller(void)
{
	pthread_t th[TG_THREADS];
	sigset_t set;

	handle(SIG_TG, NULL, on_tg, 0);
	for (long i = 0; i < TG_THREADS; i++)
		pthread_create(&th[i], NULL, tg_worker, (void *)i);
	/* This thread never takes them: the kernel must aim at the tid. */
	sigemptyset(&set);
	sigaddset(&set, SIG_TG);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	for (int i = 0; i < TG_THREADS; i++)
		while (!__atomic_load_n(&tg_tid[i], __ATOMIC_SEQ_CST))
			sched_yield();
	for (int k = 0; k < TG_PER_THREAD; k++)
		for (int i = 0; i < TG_THREADS; i++)
			while (syscall(SYS_tgkill, getpid(), tg_tid[i], SIG_TG))
				if (errno != EAGAIN || late())
					_exit(2);
				else
					sched_yield();
	for (int i = 0; i < TG_THREADS; i++) {
		pthread_join(th[i], NULL);
		if (tg_result[i] != TG_PER_THREAD)
			_exit(10 + i);
	}
	_exit(0);
}

/* ---- the storm ----------------------------------------------------------------- */

/* A wait status's exit code, or -1 if the child did not exit. */
static int exit_code(int status)
{
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static pid_t spawn(void (*fn)(int, pid_t), int idx, pid_t arg)
{
	pid_t pid = fork();

	if (pid < 0)
		tap_bail("fork: %s", strerror(errno));
	if (pid == 0)
		fn(idx, arg);
	return pid;
}

static void run_sender(int idx, pid_t parent)
{
	sender(idx, parent);
}

static void run_bouncer(int idx, pid_t peer)
{
	bouncer(peer);
}

static void run_tgkiller(int idx, pid_t unused)
{
	tgkiller();
}

int main(void)
{
	pid_t kids[SENDERS + 3];
	int status[SENDERS + 3];
	int nkids = 0, codes_ok = 0, st;
	long before, after, t0 = mono_ms();
	int bounce_a, bounce_b, tg;
	sigset_t set;

	tap_plan(9);
	struct rlimit big = { 1 << 20, 1 << 20 };

	if (setrlimit(RLIMIT_SIGPENDING, &big))
		tap_diag("cannot raise RLIMIT_SIGPENDING: %s", strerror(errno));
	before = meminfo_kib("MemFree");
	deadline = t0 + WAIT_MS;
	handle(SIG_DATA, on_data, NULL, SIG_DONE);
	handle(SIG_ECHO, on_echo, NULL, 0);
	handle(SIGUSR1, NULL, on_usr1, 0);
	handle(SIG_DONE, NULL, on_done, 0);

	/* The bouncers wait with SIGUSR2 blocked (inherited). */
	sigemptyset(&set);
	sigaddset(&set, SIGUSR2);
	sigprocmask(SIG_BLOCK, &set, NULL);
	kids[nkids++] = spawn(run_bouncer, 0, 0);
	kids[nkids] = spawn(run_bouncer, 0, kids[nkids - 1]);
	nkids++;
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	kids[nkids++] = spawn(run_tgkiller, 0, 0);
	for (int i = 0; i < SENDERS; i++)
		kids[nkids++] = spawn(run_sender, i, getpid());

	while (get(&done_got) < SENDERS && !late())
		usleep(1000);
	/* Past the deadline, whoever is left is stuck: kill it (a failure). */
	for (int i = 0; i < nkids; i++) {
		pid_t r;

		status[i] = -1;         /* no exit code unless reaped */
		while ((r = waitpid(kids[i], &status[i], WNOHANG)) == 0 &&
		       !late())
			usleep(1000);
		if (r == 0) {
			kill(kids[i], SIGKILL);
			waitpid(kids[i], &status[i], 0);
		}
	}
	bounce_b = exit_code(status[0]);
	bounce_a = exit_code(status[1]);
	tg = exit_code(status[2]);
	for (int i = 3; i < nkids; i++)
		if (exit_code(status[i]) == 0)
			codes_ok++;
	tap_diag("storm over in %ld ms: %d data, %d echo, %d SIGUSR1", mono_ms() - t0,
		 get(&data_got), get(&echo_got), get(&usr1_got));

	tap_ok(get(&done_got) == SENDERS && codes_ok == SENDERS,
	       "%d senders queued %d rt signals each and exited", SENDERS,
	       RT_PER_SENDER);
	tap_ok(get(&data_got) == SENDERS * RT_PER_SENDER && !get(&dup_or_order),
	       "each rt signal was delivered exactly once, in order (%d, %d out of place)",
	       get(&data_got), get(&dup_or_order));
	tap_ok(get(&echo_got) == get(&echo_sent) && !get(&echo_fail) &&
	       get(&echo_sent) == SENDERS * RT_PER_SENDER,
	       "every rt signal a handler sent arrived (%d of %d)",
	       get(&echo_got), get(&echo_sent));
	tap_ok(get(&usr1_got) >= 1 &&
	       get(&usr1_got) <= SENDERS * (RT_PER_SENDER / USR1_EVERY),
	       "standard signals coalesce: %d of %d SIGUSR1 arrived",
	       get(&usr1_got), SENDERS * (RT_PER_SENDER / USR1_EVERY));
	tap_ok(bounce_a == 0 && bounce_b == 0,
	       "%d sigtimedwait handshakes each way, none lost (exit %d, %d)",
	       HANDSHAKES, bounce_a, bounce_b);
	tap_is_int(tg, 0, "tgkill: each of %d threads got its %d rt signals exactly",
		   TG_THREADS, TG_PER_THREAD);
	tap_ok(waitpid(-1, &st, WNOHANG) == -1 && errno == ECHILD,
	       "every child is gone");
	tap_ok(getppid() > 0 && kill(getpid(), 0) == 0,
	       "the kernel still answers system calls and signals");
	after = meminfo_kib("MemFree");
	tap_ok(before > 0 && after > 0 && after + MEM_SLACK_KIB >= before,
	       "free memory is back where it started (%ld kB before, %ld kB after)",
	       before, after);
	return tap_done();
}
