/*
 * clone(2) and clone3(2) used directly: a thread (CLONE_VM|CLONE_FS|
 * CLONE_FILES|CLONE_SIGHAND|CLONE_THREAD|CLONE_SYSVSEM) on its own stack
 * with CLONE_PARENT_SETTID, CLONE_CHILD_SETTID and CLONE_CHILD_CLEARTID
 * (the exit clears the word and wakes a futex waiter, which pthread_join
 * relies on), set_tid_address moving that word, a CLONE_VM process and a
 * CLONE_VFORK one, a custom exit signal, clone3 (fork-like, parent_tid,
 * and its EINVAL/E2BIG checks), and EINVAL for inconsistent flag sets.
 *
 * Children created here run without their own TLS, so they only use raw
 * system calls (no libc, no errno).
 */
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tap.h"

#define STACK_SIZE (64 * 1024)
#define FUTEX_WAIT 0
#define CLONE_ARGS_SIZE_VER0 64

struct clone_args {
	uint64_t flags, pidfd, child_tid, parent_tid, exit_signal;
	uint64_t stack, stack_size, tls, set_tid, set_tid_size, cgroup;
};

/*
 * long raw_clone(flags, stack_top, ptid, ctid, tls, fn, arg): the child
 * runs fn(arg) on stack_top and exits with its return value (SYS_exit).
 */
asm(".text\n"
    ".globl raw_clone\n"
    "raw_clone:\n"
    "	movq 8(%rsp), %rax\n"		/* arg */
    "	subq $16, %rsi\n"
    "	movq %r9, 0(%rsi)\n"		/* fn */
    "	movq %rax, 8(%rsi)\n"
    "	movq %rcx, %r10\n"		/* ctid */
    "	movl $56, %eax\n"		/* SYS_clone */
    "	syscall\n"
    "	testq %rax, %rax\n"
    "	jnz 1f\n"
    "	xorl %ebp, %ebp\n"
    "	popq %rax\n"
    "	popq %rdi\n"
    "	call *%rax\n"
    "	movl %eax, %edi\n"
    "	movl $60, %eax\n"		/* SYS_exit */
    "	syscall\n"
    "	hlt\n"
    "1:	ret\n");

long raw_clone(unsigned long flags, void *stack_top, int *ptid, int *ctid, unsigned long tls,
	       int (*fn)(void *), void *arg);

static long sys0(long nr)
{
	long r;

	asm volatile("syscall" : "=a"(r) : "a"(nr) : "rcx", "r11", "memory");
	return r;
}

static long sys1(long nr, long a)
{
	long r;

	asm volatile("syscall" : "=a"(r) : "a"(nr), "D"(a) : "rcx", "r11", "memory");
	return r;
}

static char *new_stack(void)
{
	char *s = mmap(NULL, STACK_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (s == MAP_FAILED)
		tap_bail("mmap stack");
	return s + STACK_SIZE;
}

/* Wait until the kernel clears *word (CLONE_CHILD_CLEARTID semantics). */
static int wait_cleared(volatile int *word)
{
	for (int i = 0; i < 1000000; i++) {
		int v = *word;

		if (v == 0)
			return 1;
		syscall(SYS_futex, word, FUTEX_WAIT, v, NULL, NULL, 0);
	}
	return 0;
}

struct report {
	volatile long tid, pid, ctid_seen, set_tid_ret;
	volatile int *ctid;
	volatile int *new_clear;
};

static int thread_fn(void *arg)
{
	struct report *r = arg;

	r->tid = sys0(SYS_gettid);
	r->pid = sys0(SYS_getpid);
	if (r->ctid)
		r->ctid_seen = *r->ctid;
	if (r->new_clear) {
		*r->new_clear = (int)r->tid;
		r->set_tid_ret = sys1(SYS_set_tid_address, (long)r->new_clear);
	}
	return 0;
}

#define THREAD_FLAGS (CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD | \
		      CLONE_SYSVSEM)

static void test_thread(void)
{
	static struct report r;
	static volatile int ptid, ctid, other;
	long tid;

	memset((void *)&r, 0, sizeof(r));
	ptid = 0;
	ctid = -1;
	r.ctid = &ctid;
	tid = raw_clone(THREAD_FLAGS | CLONE_PARENT_SETTID | CLONE_CHILD_SETTID |
			CLONE_CHILD_CLEARTID, new_stack(), (int *)&ptid, (int *)&ctid, 0,
			thread_fn, &r);
	tap_ok(tid > 0 && tid != getpid(), "clone with CLONE_THREAD returns a new tid");
	tap_is_int(ptid, tid, "CLONE_PARENT_SETTID stores the tid before clone returns");
	tap_ok(wait_cleared(&ctid),
	       "CLONE_CHILD_CLEARTID clears the word and wakes the waiter at exit");
	tap_is_int(r.tid, tid, "the thread's gettid is the returned tid");
	tap_is_int(r.pid, getpid(), "the thread's getpid is the parent's pid");
	tap_is_int(r.ctid_seen, tid, "CLONE_CHILD_SETTID stored the tid before the thread ran");

	/* set_tid_address moves the word the kernel clears at exit. */
	memset((void *)&r, 0, sizeof(r));
	ctid = 12345;
	other = -1;	/* the thread stores its tid here, the kernel clears it */
	r.new_clear = &other;
	tid = raw_clone(THREAD_FLAGS | CLONE_CHILD_CLEARTID, new_stack(), NULL, (int *)&ctid, 0,
			thread_fn, &r);
	tap_ok(wait_cleared(&other), "the word given to set_tid_address is cleared at exit");
	tap_is_int(r.set_tid_ret, tid, "set_tid_address returns the caller's tid");
	tap_is_int(ctid, 12345, "the word from CLONE_CHILD_CLEARTID is then left alone");
	/* In a child: musl's main thread has its own word registered. */
	{
		int st = 0;
		pid_t pid = fork();

		if (pid == 0)
			_exit(syscall(SYS_set_tid_address, NULL) == getpid() ? 0 : 1);
		tap_ok(waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0,
		       "set_tid_address in a single-threaded process returns its pid");
	}
}

static volatile int vm_flag;

static int vm_child(void *arg)
{
	vm_flag = (int)sys0(SYS_getpid);
	/* A long enough pause that a non-suspended parent would notice. */
	for (int i = 0; i < 100; i++)
		sys0(SYS_sched_yield);
	vm_flag = -vm_flag;
	return 7;
}

static void test_processes(void)
{
	sigset_t s, old;
	siginfo_t si;
	long pid;
	int st = 0;

	vm_flag = 0;
	pid = raw_clone(CLONE_VM | SIGCHLD, new_stack(), NULL, NULL, 0, vm_child, NULL);
	tap_ok(pid > 0 && waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 7,
	       "a CLONE_VM child process is waited for like a fork child");
	tap_is_int(vm_flag, -pid, "the CLONE_VM child is its own process and shares memory");

	vm_flag = 0;
	pid = raw_clone(CLONE_VM | CLONE_VFORK | SIGCHLD, new_stack(), NULL, NULL, 0, vm_child, NULL);
	tap_is_int(vm_flag, -pid, "CLONE_VFORK suspends the parent until the child exits");
	waitpid(pid, &st, 0);

	/* A custom exit signal: SIGUSR1 instead of SIGCHLD, waited with __WALL. */
	sigemptyset(&s);
	sigaddset(&s, SIGUSR1);
	sigprocmask(SIG_BLOCK, &s, &old);
	pid = raw_clone(CLONE_VM | SIGUSR1, new_stack(), NULL, NULL, 0, vm_child, NULL);
	memset(&si, 0, sizeof(si));
	tap_ok(sigwaitinfo(&s, &si) == SIGUSR1 && si.si_pid == pid && si.si_code == CLD_EXITED,
	       "a child's custom exit signal is sent with CLD_EXITED");
	tap_ok(waitpid(pid, &st, __WALL) == pid && WEXITSTATUS(st) == 7,
	       "waitpid with __WALL reaps a child with a custom exit signal");
	sigprocmask(SIG_SETMASK, &old, NULL);
}

static void test_bad_flags(void)
{
	static const struct {
		unsigned long flags;
		const char *name;
	} bad[] = {
		{ CLONE_THREAD | CLONE_VM, "CLONE_THREAD without CLONE_SIGHAND fails with EINVAL" },
		{ CLONE_SIGHAND, "CLONE_SIGHAND without CLONE_VM fails with EINVAL" },
		{ CLONE_NEWNS | CLONE_FS, "CLONE_NEWNS with CLONE_FS fails with EINVAL" },
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		/* In a child: should the call wrongly succeed, only the child suffers. */
		int st = 0;
		pid_t pid = fork();

		if (pid == 0) {
			long r = syscall(SYS_clone, bad[i].flags | SIGCHLD, NULL, NULL, NULL, 0);

			if (r == 0)
				_exit(100);
			_exit(r == -1 ? errno : 101);
		}
		waitpid(pid, &st, 0);
		tap_ok(WIFEXITED(st) && WEXITSTATUS(st) == EINVAL, "%s", bad[i].name);
	}
}

static void test_clone3(void)
{
	struct {
		struct clone_args a;
		uint64_t extra;
	} big;
	struct clone_args a;
	int ptid = 0, st = 0;
	long pid;

	memset(&a, 0, sizeof(a));
	a.exit_signal = SIGCHLD;
	tap_is_errno(syscall(SYS_clone3, &a, 0), EINVAL, "clone3 with size 0 fails with EINVAL");
	tap_is_errno(syscall(SYS_clone3, &a, CLONE_ARGS_SIZE_VER0 - 8), EINVAL,
		     "clone3 with a size below CLONE_ARGS_SIZE_VER0 fails with EINVAL");
	a.exit_signal = 65;
	tap_is_errno(syscall(SYS_clone3, &a, sizeof(a)), EINVAL,
		     "clone3 with exit_signal 65 fails with EINVAL");
	a.exit_signal = SIGCHLD;
	a.flags = 1ull << 63;
	tap_is_errno(syscall(SYS_clone3, &a, sizeof(a)), EINVAL,
		     "clone3 with an unknown flag fails with EINVAL");
	memset(&big, 0, sizeof(big));
	big.a.exit_signal = SIGCHLD;
	big.extra = 1;
	tap_is_errno(syscall(SYS_clone3, &big, sizeof(big)), E2BIG,
		     "clone3 with nonzero bytes beyond the known struct fails with E2BIG");

	memset(&a, 0, sizeof(a));
	a.flags = CLONE_PARENT_SETTID;
	a.parent_tid = (uintptr_t)&ptid;
	a.exit_signal = SIGCHLD;
	pid = syscall(SYS_clone3, &a, CLONE_ARGS_SIZE_VER0);
	if (pid == 0)
		_exit(33);
	tap_ok(pid > 0 && waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 33,
	       "a fork-like clone3 creates a child that returns 0 and can be waited for");
	tap_is_int(ptid, pid, "clone3 stores the child's pid at parent_tid");
	tap_is_errno(syscall(SYS_clone3, (void *)1, sizeof(a)), EFAULT,
		     "clone3 with a bad pointer fails with EFAULT");
}

int main(void)
{
	alarm(25);	/* a safety net below the runner's 30 s timeout */
	test_thread();
	test_processes();
	test_bad_flags();
	test_clone3();
	return tap_done();
}
