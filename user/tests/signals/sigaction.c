/*
 * sigaction(2)/rt_sigaction: installing and reading back actions
 * (SA_SIGINFO handler, flags, sa_mask without SIGKILL/SIGSTOP, unknown
 * flag bits cleared), the siginfo of kill (SI_USER) and tgkill (SI_TKILL),
 * the mask while a handler runs (the signal itself plus sa_mask) and its
 * restoration, SA_NODEFER (re-entry), SA_RESETHAND (one-shot), SIG_IGN
 * (discarding, and what happens to a pending blocked signal), standard
 * signals merging while real-time signals queue in order with their
 * values, delivery order of pending signals, and the EINVAL/EFAULT paths.
 */
#include <signal.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <ucontext.h>
#include <unistd.h>

#include "tap.h"

/* The kernel's struct sigaction for x86_64 rt_sigaction. */
struct ksigaction {
	void *handler;
	unsigned long flags;
	void *restorer;
	uint64_t mask;
};

#define SA_UNSUPPORTED_BIT 0x400	/* never a valid flag (signal.h, Linux 5.11) */

static volatile int count, depth, max_depth;
static volatile int last_signo, last_code, last_pid, last_uid, last_value;
static volatile int self_blocked, usr2_blocked, ctx_had_usr1;
static volatile int order[8], norder;
static volatile int reraise;

static void info_handler(int sig, siginfo_t *si, void *ctx)
{
	sigset_t cur;
	ucontext_t *uc = ctx;

	count++;
	last_signo = si->si_signo;
	last_code = si->si_code;
	last_pid = si->si_pid;
	last_uid = si->si_uid;
	last_value = si->si_value.sival_int;
	sigprocmask(SIG_BLOCK, NULL, &cur);
	self_blocked = sigismember(&cur, sig);
	usr2_blocked = sigismember(&cur, SIGUSR2);
	ctx_had_usr1 = uc && sigismember(&uc->uc_sigmask, SIGUSR1);
	if (norder < 8)
		order[norder++] = sig;
}

static void nesting_handler(int sig)
{
	depth++;
	if (depth > max_depth)
		max_depth = depth;
	count++;
	if (reraise) {
		reraise = 0;
		raise(sig);	/* delivered now with SA_NODEFER, later without */
	}
	depth--;
}

static int install(int sig, void (*fn)(int, siginfo_t *, void *), int flags, int masked)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = fn;
	sa.sa_flags = SA_SIGINFO | flags;
	sigemptyset(&sa.sa_mask);
	if (masked)
		sigaddset(&sa.sa_mask, masked);
	return sigaction(sig, &sa, NULL);
}

static void unblock_all(void)
{
	sigset_t none;

	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
}

static void test_siginfo(void)
{
	sigset_t cur;

	tap_is_int(install(SIGUSR1, info_handler, 0, SIGUSR2), 0,
		   "sigaction installs an SA_SIGINFO handler");
	count = 0;
	kill(getpid(), SIGUSR1);
	tap_is_int(count, 1, "kill to self runs the handler before kill returns");
	tap_ok(last_signo == SIGUSR1 && last_code == SI_USER && last_pid == getpid() &&
	       last_uid == (int)getuid(),
	       "kill gives si_code SI_USER with the sender's pid and uid");
	tap_ok(self_blocked, "the signal is blocked while its handler runs");
	tap_ok(usr2_blocked, "sa_mask signals are blocked while the handler runs");
	tap_ok(!ctx_had_usr1, "the ucontext holds the mask from before the signal");
	sigprocmask(SIG_BLOCK, NULL, &cur);
	tap_ok(!sigismember(&cur, SIGUSR1) && !sigismember(&cur, SIGUSR2),
	       "the mask is restored after the handler returns");

	count = 0;
	syscall(SYS_tgkill, getpid(), syscall(SYS_gettid), SIGUSR1);
	tap_ok(count == 1 && last_code == SI_TKILL && last_pid == getpid(),
	       "tgkill gives si_code SI_TKILL with the sender's pid");
}

static void test_readback(void)
{
	struct sigaction sa, old;
	struct ksigaction k;

	memset(&old, 0, sizeof(old));
	tap_is_int(sigaction(SIGUSR1, NULL, &old), 0, "sigaction with a NULL act reads the action");
	tap_ok(old.sa_sigaction == info_handler && (old.sa_flags & SA_SIGINFO),
	       "the old action reports the handler and SA_SIGINFO");

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_IGN;
	sigfillset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART | SA_NODEFER;
	sigaction(SIGUSR2, &sa, NULL);
	sigaction(SIGUSR2, NULL, &old);
	tap_ok(old.sa_handler == SIG_IGN && (old.sa_flags & (SA_RESTART | SA_NODEFER)) ==
	       (SA_RESTART | SA_NODEFER), "SIG_IGN and the flags are read back");
	tap_ok(sigismember(&old.sa_mask, SIGINT) && !sigismember(&old.sa_mask, SIGKILL) &&
	       !sigismember(&old.sa_mask, SIGSTOP),
	       "the stored sa_mask never contains SIGKILL or SIGSTOP");

	/* Since Linux 5.11 unknown flag bits are not stored (sigaction(2)). */
	memset(&k, 0, sizeof(k));
	k.handler = SIG_DFL;
	k.flags = SA_RESTART | SA_UNSUPPORTED_BIT;
	syscall(SYS_rt_sigaction, SIGUSR2, &k, NULL, 8);
	memset(&k, 0, sizeof(k));
	syscall(SYS_rt_sigaction, SIGUSR2, NULL, &k, 8);
	tap_ok((k.flags & SA_RESTART) && !(k.flags & SA_UNSUPPORTED_BIT),
	       "an unknown flag bit is cleared while known flags are kept");
	signal(SIGUSR2, SIG_DFL);
}

static void test_errors(void)
{
	struct sigaction sa;
	struct ksigaction k;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_IGN;
	tap_is_errno(sigaction(SIGKILL, &sa, NULL), EINVAL, "changing SIGKILL fails with EINVAL");
	tap_is_errno(sigaction(SIGSTOP, &sa, NULL), EINVAL, "changing SIGSTOP fails with EINVAL");
	tap_is_int(sigaction(SIGKILL, NULL, &sa), 0, "reading SIGKILL's action succeeds");
	memset(&k, 0, sizeof(k));
	tap_is_errno(syscall(SYS_rt_sigaction, 0, &k, NULL, 8), EINVAL,
		     "signal 0 fails with EINVAL");
	tap_is_errno(syscall(SYS_rt_sigaction, 65, &k, NULL, 8), EINVAL,
		     "signal 65 fails with EINVAL");
	tap_is_errno(syscall(SYS_rt_sigaction, -1, &k, NULL, 8), EINVAL,
		     "a negative signal fails with EINVAL");
	tap_is_errno(syscall(SYS_rt_sigaction, SIGUSR1, &k, NULL, 4), EINVAL,
		     "a sigsetsize other than 8 fails with EINVAL");
	tap_is_int(syscall(SYS_rt_sigaction, 64, NULL, &k, 8), 0,
		   "signal 64 (the last real-time signal) is valid");
	tap_is_errno(syscall(SYS_rt_sigaction, SIGUSR1, (void *)1, NULL, 8), EFAULT,
		     "a bad act pointer fails with EFAULT");
	tap_is_errno(syscall(SYS_rt_sigaction, SIGUSR1, NULL, (void *)1, 8), EFAULT,
		     "a bad oldact pointer fails with EFAULT");
}

static void test_nodefer_resethand(void)
{
	struct sigaction sa, old;
	int status;
	pid_t pid;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = nesting_handler;
	sa.sa_flags = SA_NODEFER;
	sigaction(SIGUSR1, &sa, NULL);
	count = max_depth = depth = 0;
	reraise = 1;
	raise(SIGUSR1);
	tap_ok(count == 2 && max_depth == 2, "with SA_NODEFER the handler is re-entered");

	sa.sa_flags = 0;
	sigaction(SIGUSR1, &sa, NULL);
	count = max_depth = depth = 0;
	reraise = 1;
	raise(SIGUSR1);
	tap_ok(count == 2 && max_depth == 1,
	       "without SA_NODEFER the second signal waits until the handler returns");

	sa.sa_flags = SA_RESETHAND;
	sigaction(SIGUSR1, &sa, NULL);
	count = 0;
	raise(SIGUSR1);
	sigaction(SIGUSR1, NULL, &old);
	tap_ok(count == 1 && old.sa_handler == SIG_DFL,
	       "SA_RESETHAND restores SIG_DFL when the handler is entered");
	pid = fork();
	if (pid == 0) {
		sigaction(SIGUSR1, &sa, NULL);
		raise(SIGUSR1);
		raise(SIGUSR1);
		_exit(0);
	}
	tap_ok(waitpid(pid, &status, 0) == pid && WIFSIGNALED(status) &&
	       WTERMSIG(status) == SIGUSR1,
			"the second signal after SA_RESETHAND takes the default action");
}

static void test_ignore(void)
{
	sigset_t set, pend;

	signal(SIGUSR1, SIG_IGN);
	tap_is_int(raise(SIGUSR1), 0, "raising an ignored signal has no effect");
	sigpending(&pend);
	tap_ok(!sigismember(&pend, SIGUSR1), "an ignored signal is not left pending");

	/* signal(7): a blocked signal is kept pending even if ignored... */
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigprocmask(SIG_BLOCK, &set, NULL);
	raise(SIGUSR1);
	sigpending(&pend);
	tap_ok(sigismember(&pend, SIGUSR1), "a blocked ignored signal stays pending");
	/* ...until SIG_IGN is set (again): then it is discarded (POSIX). */
	signal(SIGUSR1, SIG_IGN);
	sigpending(&pend);
	tap_ok(!sigismember(&pend, SIGUSR1), "setting SIG_IGN discards the pending signal");
	unblock_all();
	signal(SIGUSR1, SIG_DFL);
}

static void test_queueing(void)
{
	sigset_t set;
	union sigval v;
	int i, ok;

	install(SIGUSR2, info_handler, 0, 0);
	install(SIGRTMIN, info_handler, 0, 0);
	install(SIGRTMIN + 2, info_handler, 0, 0);
	sigemptyset(&set);
	sigaddset(&set, SIGUSR2);
	sigaddset(&set, SIGRTMIN);
	sigaddset(&set, SIGRTMIN + 2);

	sigprocmask(SIG_BLOCK, &set, NULL);
	count = 0;
	for (i = 0; i < 3; i++)
		raise(SIGUSR2);
	unblock_all();
	tap_is_int(count, 1, "a standard signal sent 3 times while blocked is delivered once");

	sigprocmask(SIG_BLOCK, &set, NULL);
	count = 0;
	norder = 0;
	for (i = 1; i <= 3; i++) {
		v.sival_int = 100 + i;
		sigqueue(getpid(), SIGRTMIN, v);
	}
	unblock_all();
	tap_is_int(count, 3, "a real-time signal sent 3 times while blocked is delivered 3 times");
	tap_ok(last_code == SI_QUEUE && last_value == 103,
	       "the last queued instance carries SI_QUEUE and its own value");

	/*
	 * Pending signals are dequeued lowest number first. Each handler
	 * blocks the others: otherwise the kernel stacks all three frames at
	 * once and the last one dequeued runs first.
	 */
	{
		struct sigaction sa;

		memset(&sa, 0, sizeof(sa));
		sa.sa_sigaction = info_handler;
		sa.sa_flags = SA_SIGINFO;
		sa.sa_mask = set;
		sigaction(SIGUSR2, &sa, NULL);
		sigaction(SIGRTMIN, &sa, NULL);
		sigaction(SIGRTMIN + 2, &sa, NULL);
	}
	sigprocmask(SIG_BLOCK, &set, NULL);
	norder = 0;
	raise(SIGRTMIN + 2);
	raise(SIGRTMIN);
	raise(SIGUSR2);
	unblock_all();
	ok = norder == 3 && order[0] == SIGUSR2 && order[1] == SIGRTMIN && order[2] == SIGRTMIN + 2;
	tap_ok(ok, "pending signals are delivered in increasing signal number order");
	if (!ok)
		tap_diag("order %d %d %d (%d)", order[0], order[1], order[2], norder);
	signal(SIGUSR2, SIG_DFL);
	signal(SIGRTMIN, SIG_DFL);
	signal(SIGRTMIN + 2, SIG_DFL);
}

/* Values of several queued instances arrive in order (sigqueue(3)). */
static volatile int values[4], nvalues;

static void value_handler(int sig, siginfo_t *si, void *ctx)
{
	if (nvalues < 4)
		values[nvalues++] = si->si_value.sival_int;
}

static void test_values(void)
{
	sigset_t set;
	union sigval v;

	install(SIGRTMIN + 1, value_handler, 0, 0);
	sigemptyset(&set);
	sigaddset(&set, SIGRTMIN + 1);
	sigprocmask(SIG_BLOCK, &set, NULL);
	nvalues = 0;
	for (int i = 0; i < 4; i++) {
		v.sival_int = 7 * (i + 1);
		sigqueue(getpid(), SIGRTMIN + 1, v);
	}
	unblock_all();
	tap_ok(nvalues == 4 && values[0] == 7 && values[1] == 14 && values[2] == 21 &&
	       values[3] == 28, "queued real-time signals keep their values and order");
	signal(SIGRTMIN + 1, SIG_DFL);
}

int main(void)
{
	alarm(25);	/* a safety net below the runner's 30 s timeout */
	test_siginfo();
	test_readback();
	test_errors();
	test_nodefer_resethand();
	test_ignore();
	test_queueing();
	test_values();
	return tap_done();
}
