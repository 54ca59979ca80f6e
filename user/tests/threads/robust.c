/*
 * Robust mutexes (pthread_mutexattr_setrobust(3)) and the kernel's robust
 * futex list (get_robust_list(2)): when the owner dies holding the lock,
 * the next locker gets EOWNERDEAD; pthread_mutex_consistent makes the
 * mutex usable again, while unlocking without it makes it
 * ENOTRECOVERABLE. The owner is a thread that exits, and (the case the
 * kernel handles itself, walking the list at exit) a process that _exits
 * or is killed by SIGKILL while another process sleeps waiting for the
 * lock. Also get_robust_list/set_robust_list and their EINVAL, ESRCH and
 * EFAULT paths.
 */
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tap.h"
#include "testutil.h"

#define NO_SUCH_PID 0x7ffffff0

static void robust_init(pthread_mutex_t *m, int pshared)
{
	pthread_mutexattr_t a;

	pthread_mutexattr_init(&a);
	pthread_mutexattr_setrobust(&a, PTHREAD_MUTEX_ROBUST);
	if (pshared)
		pthread_mutexattr_setpshared(&a, PTHREAD_PROCESS_SHARED);
	pthread_mutex_init(m, &a);
	pthread_mutexattr_destroy(&a);
}

static pthread_mutex_t tm;

static void *lock_and_leave(void *arg)
{
	pthread_mutex_lock(&tm);
	return NULL;	/* exits holding the lock */
}

static void test_thread_owner(void)
{
	pthread_t t;

	robust_init(&tm, 0);
	pthread_create(&t, NULL, lock_and_leave, NULL);
	pthread_join(t, NULL);
	tap_is_int(pthread_mutex_lock(&tm), EOWNERDEAD,
		   "locking a robust mutex whose owner thread exited returns EOWNERDEAD");
	tap_is_int(pthread_mutex_consistent(&tm), 0, "pthread_mutex_consistent succeeds");
	tap_is_int(pthread_mutex_unlock(&tm), 0, "the consistent mutex unlocks");
	tap_is_int(pthread_mutex_lock(&tm), 0, "and locks normally afterwards");
	pthread_mutex_unlock(&tm);

	pthread_create(&t, NULL, lock_and_leave, NULL);
	pthread_join(t, NULL);
	tap_is_int(pthread_mutex_lock(&tm), EOWNERDEAD, "a second owner death is reported again");
	pthread_mutex_unlock(&tm);	/* without pthread_mutex_consistent */
	tap_is_int(pthread_mutex_lock(&tm), ENOTRECOVERABLE,
		   "unlocking without pthread_mutex_consistent leaves it ENOTRECOVERABLE");
}

struct killer_arg {
	pid_t victim;
	pid_t waiter_tid;
};

/* Kill the owner once the main thread sleeps waiting for the mutex. */
static void *killer(void *p)
{
	struct killer_arg *a = p;

	for (long i = 0; i < 2000000; i++) {
		if (proc_stat_state("/proc/self/task/%d/stat",
				    a->waiter_tid) == 'S')
			break;
		sched_yield();
	}
	kill(a->victim, SIGKILL);
	return NULL;
}

static void test_process_owner(void)
{
	pthread_mutex_t *m = mmap(NULL, sizeof(*m), PROT_READ | PROT_WRITE,
				  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	struct killer_arg ka;
	int ready[2], st = 0;
	pthread_t t;
	pid_t pid;
	char c;

	if (m == MAP_FAILED || pipe(ready))
		tap_bail("setup");
	robust_init(m, 1);

	/* The owner _exits holding the lock: only the kernel can clean up. */
	pid = fork();
	if (pid == 0) {
		pthread_mutex_lock(m);
		_exit(0);
	}
	waitpid(pid, &st, 0);
	tap_is_int(pthread_mutex_lock(m), EOWNERDEAD,
		   "a process-shared robust mutex whose owner process exited returns EOWNERDEAD");
	pthread_mutex_consistent(m);
	pthread_mutex_unlock(m);

	/* The owner is killed while we sleep in pthread_mutex_lock. */
	pid = fork();
	if (pid == 0) {
		pthread_mutex_lock(m);
		if (write(ready[1], "l", 1) != 1)
			_exit(1);
		for (;;)
			pause();
	}
	if (read(ready[0], &c, 1) != 1)
		tap_bail("read");
	ka.victim = pid;
	ka.waiter_tid = (pid_t)syscall(SYS_gettid);
	pthread_create(&t, NULL, killer, &ka);
	tap_is_int(pthread_mutex_lock(m), EOWNERDEAD,
		   "a waiter is woken with EOWNERDEAD when the owner is killed by SIGKILL");
	pthread_join(t, NULL);
	waitpid(pid, &st, 0);
	tap_ok(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL, "the owner died from SIGKILL");
	tap_is_int(pthread_mutex_consistent(m), 0, "the waiter can make the mutex consistent");
	pthread_mutex_unlock(m);
	munmap(m, sizeof(*m));
	close(ready[0]);
	close(ready[1]);
}

static void test_list_calls(void)
{
	void *head = NULL;
	size_t len = 0;
	struct {
		void *next;
		long futex_offset;
		void *pending;
	} fake = { &fake, 0, NULL };

	/* In a child: our own head must not replace musl's in this process. */
	pid_t pid = fork();
	int st = 0;

	if (pid == 0) {
		if (syscall(SYS_set_robust_list, &fake, sizeof(fake)))
			_exit(1);
		if (syscall(SYS_get_robust_list, 0, &head, &len))
			_exit(2);
		/* An empty list (next points to the head) is fine at exit. */
		_exit(head == (void *)&fake && len == sizeof(fake) ? 0 : 3);
	}
	tap_ok(waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0,
	       "get_robust_list returns the head and size given to set_robust_list");
	tap_is_int(syscall(SYS_get_robust_list, 0, &head, &len), 0,
		   "get_robust_list of the calling thread succeeds");
	tap_is_errno(syscall(SYS_set_robust_list, &fake, sizeof(fake) - 1), EINVAL,
		     "set_robust_list with a wrong size fails with EINVAL");
	tap_is_errno(syscall(SYS_get_robust_list, NO_SUCH_PID, &head, &len), ESRCH,
		     "get_robust_list of a nonexistent thread fails with ESRCH");
	tap_is_errno(syscall(SYS_get_robust_list, 0, (void *)1, &len), EFAULT,
		     "get_robust_list with a bad head pointer fails with EFAULT");
}

int main(void)
{
	alarm(25);	/* a safety net below the runner's 30 s timeout */
	test_thread_owner();
	test_process_owner();
	test_list_calls();
	return tap_done();
}
