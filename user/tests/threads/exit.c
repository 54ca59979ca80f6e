/*
 * Threads and process lifetime: exit (exit_group) from any thread ends
 * every thread with that status, even threads blocked in system calls;
 * the main thread can end alone (pthread_exit) while the others carry on
 * and the last one's exit status is the process's; a fatal signal sent to
 * one thread kills the whole process; execve from a non-main thread keeps
 * the pid and leaves a single thread whose tid is the pid; fork in a
 * thread copies only that thread; children belong to the process, so one
 * thread can wait for another thread's child; thread exits are not
 * waitable and send no SIGCHLD.
 */
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tap.h"
#include "testutil.h"

static int block_pipe[2];

static void *block_forever(void *arg)
{
	char c;

	/* Blocks: nobody ever writes to this pipe. */
	if (read(block_pipe[0], &c, 1) < 0)
		return NULL;
	return NULL;
}

static pthread_barrier_t bar;

static void *exit_five(void *arg)
{
	pthread_barrier_wait(&bar);
	exit(5);
}

static void test_exit_group(void)
{
	pid_t pid = fork();
	int st;

	if (pid == 0) {
		pthread_t a, b, c;

		if (pipe(block_pipe))
			_exit(1);
		pthread_barrier_init(&bar, NULL, 2);
		pthread_create(&a, NULL, block_forever, NULL);
		pthread_create(&b, NULL, block_forever, NULL);
		pthread_create(&c, NULL, exit_five, NULL);
		pthread_barrier_wait(&bar);
		pthread_join(a, NULL);	/* never returns: exit(5) ends everything */
		_exit(1);
	}
	st = wait_status(pid);
	tap_ok(WIFEXITED(st) && WEXITSTATUS(st) == 5,
	       "exit in one thread ends all threads, blocked ones included, with its status");
}

/* Returning from main is exit_group: the blocked threads must not keep it alive. */
static void test_main_returns(void)
{
	pid_t pid = fork();
	int st;

	if (pid == 0) {
		pthread_t a, b;
		int code = 6;

		if (pipe(block_pipe))
			_exit(1);
		pthread_create(&a, NULL, block_forever, NULL);
		pthread_create(&b, NULL, block_forever, NULL);
		exit(code);
	}
	st = wait_status(pid);
	tap_ok(WIFEXITED(st) && WEXITSTATUS(st) == 6,
	       "the main thread's exit ends the process although other threads are blocked");
}

static pid_t main_pid;

static void *outlive_main(void *arg)
{
	char s = 0;

	/* The leader stays a zombie until the group ends: wait for 'Z'. */
	for (int i = 0; i < 1000000; i++) {
		s = proc_stat_state("/proc/%d/task/%d/stat", main_pid,
				    main_pid);
		if (s == 'Z')
			break;
		sched_yield();
	}
	exit(s == 'Z' && getpid() == main_pid ? 3 : 4);
}

static void test_main_exits_first(void)
{
	pid_t pid = fork();
	int st;

	if (pid == 0) {
		pthread_t t;

		main_pid = getpid();
		pthread_create(&t, NULL, outlive_main, NULL);
		pthread_exit(NULL);
	}
	st = wait_status(pid);
	tap_ok(WIFEXITED(st) && WEXITSTATUS(st) == 3,
	       "after the main thread exits alone, another thread runs on and sets the status");
}

static void *wait_a_signal(void *arg)
{
	for (;;)
		pause();
	return NULL;
}

static void test_fatal_signal(void)
{
	pid_t pid = fork();
	int st;

	if (pid == 0) {
		pthread_t t;

		pthread_create(&t, NULL, wait_a_signal, NULL);
		/* pthread_kill: tgkill to that thread; SIGTERM's action is fatal. */
		pthread_kill(t, SIGTERM);
		for (;;)
			pause();
	}
	st = wait_status(pid);
	tap_ok(WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM,
	       "a fatal signal sent to one thread kills the whole process");
}

static const char *self_path = "/proc/self/exe";

static void *exec_from_thread(void *arg)
{
	char *argv[] = { "exit", "--report", NULL };

	execv(self_path, argv);
	_exit(127);
}

static void test_exec_in_thread(void)
{
	int fds[2];
	char buf[128] = "";
	long rpid = 0, rtid = 0, rtasks = 0;
	ssize_t n;
	pid_t pid;

	if (pipe(fds))
		tap_bail("pipe");
	pid = fork();
	if (pid == 0) {
		pthread_t t, u;

		dup2(fds[1], 1);
		if (pipe(block_pipe))
			_exit(1);
		pthread_create(&u, NULL, block_forever, NULL);
		pthread_create(&t, NULL, exec_from_thread, NULL);
		pthread_join(u, NULL);
		_exit(1);
	}
	close(fds[1]);
	n = read(fds[0], buf, sizeof(buf) - 1);
	buf[n > 0 ? n : 0] = 0;
	close(fds[0]);
	sscanf(buf, "%ld %ld %ld", &rpid, &rtid, &rtasks);
	tap_is_int(rpid, pid, "execve from a non-main thread keeps the process id");
	tap_is_int(rtid, pid, "the exec'ed image's only thread has tid == pid");
	tap_is_int(rtasks, 1, "the other threads are gone after execve");
	wait_status(pid);
}

static pid_t forked_child;
static pthread_barrier_t fork_bar;

static void *fork_in_thread(void *arg)
{
	forked_child = fork();
	if (forked_child == 0)
		_exit(count_tasks() == 1 && getppid() == (pid_t)(long)arg ? 21 : 22);
	return NULL;
}

static void *idle_until_barrier(void *arg)
{
	pthread_barrier_wait(&fork_bar);
	return NULL;
}

static void test_fork_and_wait(void)
{
	pthread_t t, idle;
	siginfo_t si;
	int st;

	pthread_barrier_init(&fork_bar, NULL, 2);
	pthread_create(&idle, NULL, idle_until_barrier, NULL);
	pthread_create(&t, NULL, fork_in_thread, (void *)(long)getpid());
	pthread_join(t, NULL);
	/* The forking thread has exited; its child is still the process's. */
	st = wait_status(forked_child);
	tap_ok(WIFEXITED(st), "the main thread can wait for a child forked by another thread");
	tap_is_int(WIFEXITED(st) ? WEXITSTATUS(st) : -1, 21,
		   "fork in a thread copies only that thread; the child's parent is the process");
	pthread_barrier_wait(&fork_bar);
	pthread_join(idle, NULL);
	pthread_barrier_destroy(&fork_bar);

	memset(&si, 0, sizeof(si));
	tap_is_errno(waitid(P_ALL, 0, &si, WEXITED | WNOHANG), ECHILD,
		     "exited threads are not waitable children");
}

int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "--report") == 0) {
		printf("%d %ld %d\n", getpid(), (long)syscall(SYS_gettid), count_tasks());
		return 0;
	}
	alarm(25);	/* a safety net below the runner's 30 s timeout */
	test_exit_group();
	test_main_returns();
	test_main_exits_first();
	test_fatal_signal();
	test_exec_in_thread();
	test_fork_and_wait();
	return tap_done();
}
