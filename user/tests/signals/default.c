/*
 * Default signal actions (signal(7)): terminate (SIGTERM, SIGUSR1, SIGHUP,
 * SIGPIPE, SIGRTMIN, SIGALRM from ITIMER_REAL), ignore (SIGCHLD, SIGURG, SIGWINCH), core
 * (SIGABRT, SIGSEGV, SIGQUIT: WCOREDUMP set when RLIMIT_CORE allows a dump,
 * clear when RLIMIT_CORE is 0), stop and continue (SIGSTOP, SIGTSTP,
 * SIGCONT) observed with waitpid WUNTRACED/WCONTINUED and waitid
 * WSTOPPED/WCONTINUED (CLD_STOPPED, CLD_CONTINUED), SIGKILL of a stopped
 * process, pending signals held while stopped, and SIGTSTP discarded in
 * an orphaned process group.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tap.h"
#include "testutil.h"

static pid_t child_raising(int sig)
{
	pid_t pid = fork();

	if (pid == 0) {
		signal(sig, SIG_DFL);
		raise(sig);
		_exit(0);	/* reached when the action is "ignore" */
	}
	return pid;
}

static int killed_by(int status, int sig)
{
	return WIFSIGNALED(status) && WTERMSIG(status) == sig;
}

static void test_terminate_ignore(void)
{
	const int term[] = { SIGTERM, SIGUSR1, SIGHUP, SIGPIPE, SIGRTMIN };
	static const int ign[] = { SIGCHLD, SIGURG, SIGWINCH };
	int good = 0, st;
	size_t i;
	pid_t pid;

	for (i = 0; i < sizeof(term) / sizeof(term[0]); i++) {
		st = wait_status(child_raising(term[i]));
		if (killed_by(st, term[i]) && !WCOREDUMP(st))
			good++;
		else
			tap_diag("signal %d: status %#x", term[i], st);
	}
	tap_is_int(good, 5,
		   "SIGTERM, SIGUSR1, SIGHUP, SIGPIPE and SIGRTMIN terminate without core");

	good = 0;
	for (i = 0; i < sizeof(ign) / sizeof(ign[0]); i++) {
		st = wait_status(child_raising(ign[i]));
		if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
			good++;
	}
	tap_is_int(good, 3, "SIGCHLD, SIGURG and SIGWINCH are ignored by default");

	pid = fork();
	if (pid == 0) {
		struct itimerval it = { { 0, 0 }, { 0, 20000 } };

		setitimer(ITIMER_REAL, &it, NULL);
		for (;;)
			pause();
	}
	tap_ok(killed_by(wait_status(pid), SIGALRM),
	       "an expiring ITIMER_REAL terminates with SIGALRM");
}

/*
 * The core bit is set only when a dump was written (core(5)): in a fresh
 * writable directory with RLIMIT_CORE unlimited and the default
 * core_pattern "core" it is; with RLIMIT_CORE 0 it is not.
 */
static int core_status(int sig, rlim_t limit)
{
	char dir[] = "/tmp/keel-core-XXXXXX";
	pid_t pid;
	int st;

	if (!mkdtemp(dir))
		tap_bail("mkdtemp");
	pid = fork();
	if (pid == 0) {
		struct rlimit rl = { limit, limit };

		if (chdir(dir) || setrlimit(RLIMIT_CORE, &rl))
			_exit(1);
		signal(sig, SIG_DFL);
		if (sig == SIGSEGV) {
			volatile int *volatile bad = (int *)8;

			*bad = 1;
		}
		raise(sig);
		_exit(0);
	}
	st = wait_status(pid);
	remove_tree(dir);
	return st;
}

static void test_core(void)
{
	int st;

	st = core_status(SIGABRT, RLIM_INFINITY);
	tap_ok(killed_by(st, SIGABRT) && WCOREDUMP(st), "SIGABRT dumps core (WCOREDUMP set)");
	st = core_status(SIGSEGV, RLIM_INFINITY);
	tap_ok(killed_by(st, SIGSEGV) && WCOREDUMP(st), "a SIGSEGV fault dumps core");
	st = core_status(SIGQUIT, RLIM_INFINITY);
	tap_ok(killed_by(st, SIGQUIT) && WCOREDUMP(st), "SIGQUIT dumps core");
	st = core_status(SIGABRT, 0);
	tap_ok(killed_by(st, SIGABRT) && !WCOREDUMP(st),
	       "with RLIMIT_CORE 0 no core is dumped and WCOREDUMP is clear");
}

static void test_stop_continue(void)
{
	int fds[2], st = 0;
	siginfo_t si;
	pid_t pid;
	char c;

	if (pipe(fds))
		tap_bail("pipe");
	pid = fork();
	if (pid == 0) {
		close(fds[1]);
		/* Exit with the byte we get once we are running again. */
		_exit(read(fds[0], &c, 1) == 1 ? c : 0);
	}
	close(fds[0]);
	/*
	 * SIGTSTP only stops a process whose group is not orphaned. Our own
	 * group may be orphaned (when our parent is init, it does not count),
	 * so give the child a group of its own: its parent (us) is then in
	 * another group of the same session.
	 */
	setpgid(pid, pid);

	kill(pid, SIGSTOP);
	tap_ok(waitpid(pid, &st, WUNTRACED) == pid && WIFSTOPPED(st) && WSTOPSIG(st) == SIGSTOP,
	       "SIGSTOP stops the child (WIFSTOPPED, WSTOPSIG SIGSTOP)");
	tap_is_int(waitpid(pid, &st, WUNTRACED | WNOHANG), 0,
		   "a stop is reported only once");
	kill(pid, SIGCONT);
	tap_ok(waitpid(pid, &st, WCONTINUED) == pid && WIFCONTINUED(st),
	       "SIGCONT resumes it (WIFCONTINUED)");

	kill(pid, SIGTSTP);
	memset(&si, 0, sizeof(si));
	tap_ok(waitid(P_PID, pid, &si, WSTOPPED) == 0 && si.si_code == CLD_STOPPED &&
	       si.si_status == SIGTSTP && si.si_pid == pid,
	       "SIGTSTP stops it (waitid CLD_STOPPED, si_status SIGTSTP)");
	kill(pid, SIGCONT);
	memset(&si, 0, sizeof(si));
	tap_ok(waitid(P_PID, pid, &si, WCONTINUED) == 0 && si.si_code == CLD_CONTINUED &&
	       si.si_status == SIGCONT, "waitid reports CLD_CONTINUED with si_status SIGCONT");

	/* While stopped, a terminating signal other than SIGKILL waits. */
	kill(pid, SIGSTOP);
	waitpid(pid, &st, WUNTRACED);
	kill(pid, SIGTERM);
	tap_is_int(waitpid(pid, &st, WNOHANG), 0, "a stopped child does not act on SIGTERM");
	if (write(fds[1], "\x05", 1) != 1)
		tap_bail("write");
	kill(pid, SIGCONT);
	st = wait_status(pid);
	tap_ok(killed_by(st, SIGTERM), "the SIGTERM held while stopped acts after SIGCONT");
	close(fds[1]);

	/* SIGKILL ends a stopped process. */
	if (pipe(fds))
		tap_bail("pipe");
	pid = fork();
	if (pid == 0) {
		close(fds[1]);
		_exit(read(fds[0], &c, 1) == 1 ? 1 : 0);
	}
	close(fds[0]);
	kill(pid, SIGSTOP);
	waitpid(pid, &st, WUNTRACED);
	kill(pid, SIGKILL);
	tap_ok(killed_by(wait_status(pid), SIGKILL), "SIGKILL terminates a stopped process");
	close(fds[1]);
}

/*
 * SIGTSTP, SIGTTIN and SIGTTOU are discarded in an orphaned process group
 * (signal(7), POSIX): a child in its own new session is one. The trigger
 * SIGRTMIN sorts after SIGTSTP, so SIGTSTP is looked at first.
 */
static volatile int trigger;

static void on_trigger(int sig)
{
	trigger = 1;
}

static void test_orphaned(void)
{
	int ready[2], st;
	pid_t pid;
	char c;

	if (pipe(ready))
		tap_bail("pipe");
	pid = fork();
	if (pid == 0) {
		sigset_t none;

		signal(SIGRTMIN, on_trigger);
		if (setsid() < 0 || write(ready[1], "r", 1) != 1)
			_exit(1);
		sigemptyset(&none);
		while (!trigger)
			sigsuspend(&none);
		_exit(7);
	}
	if (read(ready[0], &c, 1) != 1)
		tap_bail("read");
	kill(pid, SIGTSTP);
	kill(pid, SIGRTMIN);
	st = 0;
	waitpid(pid, &st, WUNTRACED);
	tap_ok(WIFEXITED(st) && WEXITSTATUS(st) == 7,
	       "SIGTSTP does not stop a process in an orphaned process group");
	if (WIFSTOPPED(st)) {
		kill(pid, SIGKILL);
		waitpid(pid, &st, 0);
	}
	close(ready[0]);
	close(ready[1]);
}

int main(void)
{
	alarm(25);	/* a safety net below the runner's 30 s timeout */
	test_terminate_ignore();
	test_core();
	test_stop_continue();
	test_orphaned();
	return tap_done();
}
