/*
 * Signal state across fork and execve, and SIGCHLD. A fork child inherits
 * handlers and the mask; execve resets caught signals to SIG_DFL but keeps
 * ignored ones, the mask and pending signals, and disables the alternate
 * stack (execve(2), signal(7)). SIGCHLD reports CLD_EXITED, CLD_KILLED,
 * CLD_STOPPED and CLD_CONTINUED with the child's pid and status;
 * SA_NOCLDSTOP suppresses it for stops; SIG_IGN and SA_NOCLDWAIT make
 * children reap themselves so wait fails with ECHILD (wait(2) NOTES).
 */
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tap.h"
#include "testutil.h"

static volatile int hits;

static void handler(int sig)
{
	hits++;
}

/* Runs in the exec'ed image: one bit per expectation that failed. */
static int exec_report(void)
{
	struct sigaction sa;
	sigset_t cur, pend;
	stack_t ss;
	int bad = 0;

	sigaction(SIGUSR1, NULL, &sa);
	if (sa.sa_handler != SIG_DFL)
		bad |= 1;
	sigaction(SIGUSR2, NULL, &sa);
	if (sa.sa_handler != SIG_IGN)
		bad |= 2;
	sigprocmask(SIG_BLOCK, NULL, &cur);
	if (!sigismember(&cur, SIGTERM))
		bad |= 4;
	sigpending(&pend);
	if (!sigismember(&pend, SIGHUP))
		bad |= 8;
	if (sigaltstack(NULL, &ss) || ss.ss_flags != SS_DISABLE)
		bad |= 16;
	return bad;
}

static void test_fork_exec(void)
{
	static char altbuf[65536];
	stack_t ss = { .ss_sp = altbuf, .ss_flags = 0, .ss_size = sizeof(altbuf) };
	sigset_t s;
	pid_t pid;
	int code;

	signal(SIGUSR1, handler);
	pid = fork();
	if (pid == 0) {
		hits = 0;
		raise(SIGUSR1);
		_exit(hits == 1 ? 0 : 1);
	}
	tap_is_int(wait_exit_code(pid), 0, "a fork child inherits the signal handlers");

	pid = fork();
	if (pid == 0) {
		char *argv[] = { "inherit", "--exec-report", NULL };

		signal(SIGUSR2, SIG_IGN);
		sigemptyset(&s);
		sigaddset(&s, SIGTERM);
		sigaddset(&s, SIGHUP);
		sigprocmask(SIG_BLOCK, &s, NULL);
		raise(SIGHUP);
		sigaltstack(&ss, NULL);
		execv("/proc/self/exe", argv);
		_exit(255);
	}
	code = wait_exit_code(pid);
	tap_ok(code >= 0 && code != 255, "the exec'ed image reports its signal state");
	tap_ok(code >= 0 && !(code & 1), "execve resets a caught signal to SIG_DFL");
	tap_ok(code >= 0 && !(code & 2), "execve keeps an ignored signal ignored");
	tap_ok(code >= 0 && !(code & 4), "execve keeps the signal mask");
	tap_ok(code >= 0 && !(code & 8), "execve keeps pending signals");
	tap_ok(code >= 0 && !(code & 16), "execve disables the alternate signal stack");
	signal(SIGUSR1, SIG_DFL);
}

static int wait_sigchld(siginfo_t *si)
{
	struct timespec to = { 10, 0 };
	sigset_t s;

	sigemptyset(&s);
	sigaddset(&s, SIGCHLD);
	memset(si, 0, sizeof(*si));
	return sigtimedwait(&s, si, &to);
}

static void test_sigchld(void)
{
	struct timespec zero = { 0, 0 };
	siginfo_t si;
	sigset_t s;
	int fds[2], st;
	pid_t pid;
	char c;

	/* SIGCHLD stays blocked: it is accepted synchronously below. */
	sigemptyset(&s);
	sigaddset(&s, SIGCHLD);
	sigprocmask(SIG_BLOCK, &s, NULL);

	pid = fork();
	if (pid == 0)
		_exit(42);
	tap_is_int(wait_sigchld(&si), SIGCHLD, "a child's exit sends SIGCHLD to the parent");
	tap_ok(si.si_code == CLD_EXITED && si.si_pid == pid && si.si_status == 42,
	       "SIGCHLD carries CLD_EXITED, the child's pid and its exit code");
	wait_exit_code(pid);

	if (pipe(fds))
		tap_bail("pipe");
	pid = fork();
	if (pid == 0) {
		close(fds[1]);
		_exit(read(fds[0], &c, 1) == 1 ? 0 : 1);
	}
	close(fds[0]);
	setpgid(pid, pid);	/* a non-orphaned group of its own, as for job control */
	kill(pid, SIGSTOP);
	tap_ok(wait_sigchld(&si) == SIGCHLD && si.si_code == CLD_STOPPED &&
	       si.si_status == SIGSTOP && si.si_pid == pid,
	       "a stopped child sends SIGCHLD with CLD_STOPPED");
	waitpid(pid, &st, WUNTRACED);
	kill(pid, SIGCONT);
	tap_ok(wait_sigchld(&si) == SIGCHLD && si.si_code == CLD_CONTINUED &&
	       si.si_status == SIGCONT, "a continued child sends SIGCHLD with CLD_CONTINUED");
	waitpid(pid, &st, WCONTINUED);

	/* With SA_NOCLDSTOP a stop is reported to wait but sends no SIGCHLD. */
	sig_install(SIGCHLD, handler, SA_NOCLDSTOP);
	kill(pid, SIGSTOP);
	tap_ok(waitpid(pid, &st, WUNTRACED) == pid && WIFSTOPPED(st),
	       "with SA_NOCLDSTOP the stop is still reported by waitpid");
	tap_is_errno(sigtimedwait(&s, &si, &zero), EAGAIN,
		     "with SA_NOCLDSTOP a stopped child sends no SIGCHLD");
	signal(SIGCHLD, SIG_DFL);
	kill(pid, SIGKILL);
	tap_ok(wait_sigchld(&si) == SIGCHLD && si.si_code == CLD_KILLED &&
	       si.si_status == SIGKILL, "a killed child sends SIGCHLD with CLD_KILLED");
	waitpid(pid, &st, 0);
	close(fds[1]);
	sigprocmask(SIG_UNBLOCK, &s, NULL);
}

static void test_autoreap(void)
{
	pid_t pid;

	signal(SIGCHLD, SIG_IGN);
	pid = fork();
	if (pid == 0)
		_exit(0);
	/* waitpid blocks until the child is gone, then fails. */
	tap_is_errno(waitpid(pid, NULL, 0), ECHILD,
		     "with SIGCHLD ignored children are reaped automatically (ECHILD)");
	signal(SIGCHLD, SIG_DFL);

	sig_install(SIGCHLD, handler, SA_NOCLDWAIT);
	pid = fork();
	if (pid == 0)
		_exit(0);
	tap_is_errno(waitpid(pid, NULL, 0), ECHILD,
		     "with SA_NOCLDWAIT children are reaped automatically (ECHILD)");
	signal(SIGCHLD, SIG_DFL);
}

int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "--exec-report") == 0)
		return exec_report();
	alarm(25);	/* a safety net below the runner's 30 s timeout */
	test_fork_exec();
	test_sigchld();
	test_autoreap();
	return tap_done();
}
