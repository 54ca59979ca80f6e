/*
 * Threads through musl pthreads (clone with CLONE_VM|CLONE_FS|CLONE_FILES|
 * CLONE_SIGHAND|CLONE_THREAD|CLONE_SETTLS|...): create and join with a
 * return value, detached threads, a distinct gettid per thread with a
 * shared getpid/getppid, /proc/self/task listing the threads, thread-local
 * storage initialised from the TLS image (.tdata and .tbss) and private
 * per thread, the FS base from arch_prctl (and its EPERM/EINVAL/EFAULT
 * paths), a caller-provided thread stack, shared memory, descriptors and
 * working directory, and 32 threads alive at once.
 */
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "tap.h"
#include "testutil.h"

/* arch_prctl codes (asm/prctl.h, not shipped with musl). */
#define ARCH_SET_FS 0x1002
#define ARCH_GET_FS 0x1003

#define NTHREADS 8
#define MANY 32

static __thread int tls_data = 42;	/* .tdata */
static __thread long tls_bss;		/* .tbss */

static pthread_barrier_t barrier;

struct report {
	long tid;
	pid_t pid, ppid;
	int tls_init, bss_init, tls_after;
	uintptr_t fs_base, fs_self;
};

static long gettid_(void)
{
	return syscall(SYS_gettid);
}

static uintptr_t fs_self(void)
{
	uintptr_t self;

	/* x86-64 TLS ABI: the word at %fs:0 points to itself. */
	asm volatile("movq %%fs:0, %0" : "=r"(self));
	return self;
}

static void *worker(void *arg)
{
	struct report *r = arg;
	unsigned long base = 0;

	r->tid = gettid_();
	r->pid = getpid();
	r->ppid = getppid();
	r->tls_init = tls_data;
	r->bss_init = (int)tls_bss;
	tls_data = (int)r->tid;	/* private: must not leak to other threads */
	syscall(SYS_arch_prctl, ARCH_GET_FS, &base);
	r->fs_base = base;
	r->fs_self = fs_self();
	pthread_barrier_wait(&barrier);	/* everyone alive at the same time */
	pthread_barrier_wait(&barrier);	/* main has looked at /proc */
	r->tls_after = tls_data;
	return (void *)(r->tid * 2);
}

static void test_basics(void)
{
	pthread_t t[NTHREADS];
	struct report r[NTHREADS];
	int i, j, created = 0, joined = 0, tids_ok = 1, same_proc = 1, tls_ok = 1, fs_ok = 1;
	int tasks;
	unsigned long main_fs = 0;

	memset(r, 0, sizeof(r));
	pthread_barrier_init(&barrier, NULL, NTHREADS + 1);
	tls_data = 7;
	for (i = 0; i < NTHREADS; i++)
		if (pthread_create(&t[i], NULL, worker, &r[i]) == 0)
			created++;
	tap_is_int(created, NTHREADS, "pthread_create starts %d threads", NTHREADS);
	pthread_barrier_wait(&barrier);
	tasks = count_tasks();
	tap_is_int(tasks, NTHREADS + 1, "/proc/self/task lists every thread");
	pthread_barrier_wait(&barrier);
	for (i = 0; i < NTHREADS; i++) {
		void *ret = NULL;

		if (pthread_join(t[i], &ret) == 0 && ret == (void *)(r[i].tid * 2))
			joined++;
	}
	tap_is_int(joined, NTHREADS, "pthread_join returns each thread's return value");

	syscall(SYS_arch_prctl, ARCH_GET_FS, &main_fs);
	for (i = 0; i < NTHREADS; i++) {
		if (r[i].tid <= 0 || r[i].tid == getpid())
			tids_ok = 0;
		for (j = 0; j < i; j++)
			if (r[i].tid == r[j].tid)
				tids_ok = 0;
		if (r[i].pid != getpid() || r[i].ppid != getppid())
			same_proc = 0;
		if (r[i].tls_init != 42 || r[i].bss_init != 0 || r[i].tls_after != r[i].tid)
			tls_ok = 0;
		if (r[i].fs_base != r[i].fs_self || r[i].fs_base == main_fs)
			fs_ok = 0;
	}
	tap_ok(tids_ok, "every thread has its own tid, different from the pid");
	tap_ok(same_proc, "every thread sees the same getpid and getppid");
	tap_ok(tls_ok, "TLS starts from the initial image in each thread and stays private");
	tap_is_int(tls_data, 7, "the main thread's TLS is untouched by other threads");
	tap_ok(fs_ok, "each thread has its own FS base, pointing at its TLS block");
	tap_ok(main_fs == fs_self(), "ARCH_GET_FS in the main thread matches %%fs:0");
	pthread_barrier_destroy(&barrier);

	/* The tasks go away after the join (bounded retry: the kernel may lag). */
	for (i = 0; i < 100000 && (tasks = count_tasks()) != 1; i++)
		sched_yield();
	tap_is_int(tasks, 1, "after the joins only the main thread remains in /proc/self/task");
}

static void test_arch_prctl_errors(void)
{
	unsigned long v;

	tap_is_errno(syscall(SYS_arch_prctl, ARCH_SET_FS, 0x8000000000000000ul), EPERM,
		     "ARCH_SET_FS with a non-canonical address fails with EPERM");
	tap_is_errno(syscall(SYS_arch_prctl, 0x1234, &v), EINVAL,
		     "arch_prctl with an unknown code fails with EINVAL");
	tap_is_errno(syscall(SYS_arch_prctl, ARCH_GET_FS, (void *)1), EFAULT,
		     "ARCH_GET_FS with a bad pointer fails with EFAULT");
}

static void *where_am_i(void *arg)
{
	volatile char here;

	*(uintptr_t *)arg = (uintptr_t)&here;
	return NULL;
}

static int shared_fd = -1;

static void *open_and_chdir(void *arg)
{
	shared_fd = open("/dev/null", O_RDONLY);
	return (void *)(long)chdir("/");
}

static void *sleeper(void *arg)
{
	pthread_barrier_wait(&barrier);
	return arg;
}

static void test_resources(void)
{
	static char stack[256 * 1024] __attribute__((aligned(16)));
	pthread_attr_t attr;
	pthread_t t, many[MANY];
	uintptr_t sp = 0;
	char cwd[256] = "", old[256];
	int ok = 0, i;

	pthread_attr_init(&attr);
	pthread_attr_setstack(&attr, stack, sizeof(stack));
	tap_ok(pthread_create(&t, &attr, where_am_i, &sp) == 0 && pthread_join(t, NULL) == 0,
	       "a thread runs on a caller-provided stack");
	tap_ok(sp >= (uintptr_t)stack && sp < (uintptr_t)stack + sizeof(stack),
	       "its locals live inside that stack");
	pthread_attr_destroy(&attr);

	if (!getcwd(old, sizeof(old)))
		tap_bail("getcwd");
	pthread_create(&t, NULL, open_and_chdir, NULL);
	pthread_join(t, NULL);
	tap_ok(shared_fd >= 0 && fcntl(shared_fd, F_GETFD) >= 0,
	       "a descriptor opened by a thread is usable by the main thread");
	tap_ok(getcwd(cwd, sizeof(cwd)) && strcmp(cwd, "/") == 0,
	       "a thread's chdir changes the whole process's working directory");
	if (chdir(old))
		tap_bail("chdir back");
	close(shared_fd);

	pthread_barrier_init(&barrier, NULL, MANY + 1);
	for (i = 0; i < MANY; i++)
		if (pthread_create(&many[i], NULL, sleeper, (void *)(long)i) == 0)
			ok++;
	pthread_barrier_wait(&barrier);
	for (i = 0; i < MANY; i++) {
		void *ret = NULL;

		if (pthread_join(many[i], &ret) || ret != (void *)(long)i)
			ok = -1000;
	}
	tap_is_int(ok, MANY, "%d threads can be alive at once and all join", MANY);
	pthread_barrier_destroy(&barrier);
}

static int detached_done[2];

static void *detached(void *arg)
{
	long tid = gettid_();

	if (write(detached_done[1], &tid, sizeof(tid)) != sizeof(tid))
		abort();
	return NULL;
}

static void test_detached(void)
{
	pthread_attr_t attr;
	pthread_t t;
	long tid = 0;

	if (pipe(detached_done))
		tap_bail("pipe");
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	tap_is_int(pthread_create(&t, &attr, detached, NULL), 0,
		   "a detached thread can be created");
	tap_ok(read(detached_done[0], &tid, sizeof(tid)) == sizeof(tid) && tid > 0 &&
	       tid != gettid_(), "the detached thread runs with its own tid");
	pthread_attr_destroy(&attr);
	close(detached_done[0]);
	close(detached_done[1]);
}

int main(void)
{
	alarm(25);	/* a safety net below the runner's 30 s timeout */
	test_basics();
	test_arch_prctl_errors();
	test_resources();
	test_detached();
	return tap_done();
}
