/*
 * sigprocmask(2)/rt_sigprocmask, sigpending(2) and sigsuspend(2): blocking
 * keeps a signal pending until it is unblocked (then it is delivered
 * before sigprocmask returns), SIG_BLOCK/SIG_UNBLOCK/SIG_SETMASK and the
 * old mask, SIGKILL and SIGSTOP cannot be blocked, sigsuspend runs the
 * handler, returns EINTR and restores the mask, the mask is inherited over
 * fork while pending signals are not, and the errors EINVAL (bad how, bad
 * sigsetsize) and EFAULT.
 */
#include <signal.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tap.h"
#include "testutil.h"

static volatile int hits;
static volatile int mask_in_handler_has_usr2;

static void handler(int sig)
{
	sigset_t cur;

	hits++;
	sigprocmask(SIG_BLOCK, NULL, &cur);
	mask_in_handler_has_usr2 = sigismember(&cur, SIGUSR2);
}

static sigset_t one(int sig)
{
	sigset_t s;

	sigemptyset(&s);
	sigaddset(&s, sig);
	return s;
}

static void test_block(void)
{
	sigset_t s1 = one(SIGUSR1), old, cur, pend;

	signal(SIGUSR1, handler);
	hits = 0;
	tap_is_int(sigprocmask(SIG_BLOCK, &s1, &old), 0, "SIG_BLOCK succeeds");
	tap_ok(!sigismember(&old, SIGUSR1), "the old mask did not contain the signal");
	raise(SIGUSR1);
	tap_is_int(hits, 0, "a blocked signal is not delivered");
	sigemptyset(&pend);
	tap_ok(sigpending(&pend) == 0 && sigismember(&pend, SIGUSR1),
	       "sigpending reports the blocked signal");
	tap_ok(!sigismember(&pend, SIGUSR2), "sigpending reports only pending signals");
	sigprocmask(SIG_UNBLOCK, &s1, &old);
	tap_is_int(hits, 1, "unblocking delivers the pending signal before sigprocmask returns");
	tap_ok(sigismember(&old, SIGUSR1), "SIG_UNBLOCK returns the old mask with the signal");
	sigpending(&pend);
	tap_ok(!sigismember(&pend, SIGUSR1), "the delivered signal is no longer pending");

	sigfillset(&cur);
	sigprocmask(SIG_SETMASK, &cur, &old);
	sigprocmask(SIG_SETMASK, &old, &cur);
	tap_ok(sigismember(&cur, SIGUSR1) && sigismember(&cur, SIGRTMIN),
	       "SIG_SETMASK with a full set blocks ordinary and real-time signals");
	tap_ok(!sigismember(&cur, SIGKILL) && !sigismember(&cur, SIGSTOP),
	       "SIGKILL and SIGSTOP are silently left unblocked");
	signal(SIGUSR1, SIG_DFL);
}

static void test_raw_errors(void)
{
	uint64_t set = 0, old = 0;

	tap_is_errno(syscall(SYS_rt_sigprocmask, 99, &set, NULL, 8), EINVAL,
		     "an unknown 'how' fails with EINVAL");
	tap_is_errno(syscall(SYS_rt_sigprocmask, SIG_BLOCK, &set, NULL, 4), EINVAL,
		     "a sigsetsize other than 8 fails with EINVAL");
	tap_is_errno(syscall(SYS_rt_sigprocmask, SIG_BLOCK, (void *)1, NULL, 8), EFAULT,
		     "a bad set pointer fails with EFAULT");
	tap_is_errno(syscall(SYS_rt_sigprocmask, SIG_BLOCK, NULL, (void *)1, 8), EFAULT,
		     "a bad oldset pointer fails with EFAULT");
	/* With a NULL set, 'how' is not looked at (sigprocmask(2)). */
	tap_is_int(syscall(SYS_rt_sigprocmask, 99, NULL, &old, 8), 0,
		   "a NULL set with any 'how' just reads the mask");
	tap_is_errno(syscall(SYS_rt_sigpending, (void *)1, 8), EFAULT,
		     "sigpending with a bad pointer fails with EFAULT");
	tap_is_errno(syscall(SYS_rt_sigpending, &set, 16), EINVAL,
		     "sigpending with a too large sigsetsize fails with EINVAL");
}

static void test_sigsuspend(void)
{
	sigset_t s1 = one(SIGUSR1), wait_mask, cur;
	int r, e;

	sig_install(SIGUSR1, handler, 0);
	sigprocmask(SIG_BLOCK, &s1, NULL);
	raise(SIGUSR1);
	hits = 0;
	/* Wait with SIGUSR1 open and SIGUSR2 blocked. */
	wait_mask = one(SIGUSR2);
	r = sigsuspend(&wait_mask);
	e = errno;
	tap_ok(r == -1 && e == EINTR, "sigsuspend returns -1 with EINTR after a handler ran");
	tap_is_int(hits, 1, "the handler ran once during sigsuspend");
	tap_ok(mask_in_handler_has_usr2, "the handler ran with sigsuspend's temporary mask");
	sigprocmask(SIG_BLOCK, NULL, &cur);
	tap_ok(sigismember(&cur, SIGUSR1) && !sigismember(&cur, SIGUSR2),
	       "sigsuspend restores the original mask");
	tap_is_errno(syscall(SYS_rt_sigsuspend, &wait_mask, 4), EINVAL,
		     "rt_sigsuspend with a bad sigsetsize fails with EINVAL");
	tap_is_errno(syscall(SYS_rt_sigsuspend, (void *)1, 8), EFAULT,
		     "rt_sigsuspend with a bad pointer fails with EFAULT");
	sigprocmask(SIG_UNBLOCK, &s1, NULL);
	signal(SIGUSR1, SIG_DFL);
}

static void test_fork(void)
{
	sigset_t s = one(SIGUSR2);
	pid_t pid;

	sigprocmask(SIG_BLOCK, &s, NULL);
	raise(SIGUSR2);
	pid = fork();
	if (pid == 0) {
		sigset_t cur, pend;

		sigprocmask(SIG_BLOCK, NULL, &cur);
		sigpending(&pend);
		_exit((sigismember(&cur, SIGUSR2) ? 0 : 1) | (sigismember(&pend, SIGUSR2) ? 2 : 0));
	}
	{
		int code = wait_exit_code(pid);

		tap_ok(code >= 0 && !(code & 1), "the fork child inherits the signal mask");
		tap_ok(code >= 0 && !(code & 2), "the fork child has no pending signals");
	}
	/* Discard our pending SIGUSR2 through SIG_IGN, then restore. */
	signal(SIGUSR2, SIG_IGN);
	signal(SIGUSR2, SIG_DFL);
	sigprocmask(SIG_UNBLOCK, &s, NULL);

	/* A blocked SIGKILL still kills; a blocked SIGTERM does not. */
	pid = fork();
	if (pid == 0) {
		sigset_t all;

		sigfillset(&all);
		sigprocmask(SIG_BLOCK, &all, NULL);
		raise(SIGTERM);
		raise(SIGKILL);
		_exit(0);
	}
	{
		int status;

		tap_ok(waitpid(pid, &status, 0) == pid && WIFSIGNALED(status) &&
		       WTERMSIG(status) == SIGKILL, "SIGKILL kills even with every signal blocked");
	}
}

int main(void)
{
	alarm(25);	/* a safety net below the runner's 30 s timeout */
	test_block();
	test_raw_errors();
	test_sigsuspend();
	test_fork();
	return tap_done();
}
