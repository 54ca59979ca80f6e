/*
 * sigaltstack(2): the initial state (SS_DISABLE), the size boundary
 * (MINSIGSTKSZ accepted, one byte less fails with ENOMEM), EINVAL for bad
 * flags, EFAULT for bad pointers, SA_ONSTACK handlers running on the
 * alternate stack (SS_ONSTACK reported inside, EPERM when changing it
 * there) while other handlers do not, SS_AUTODISARM, inheritance over
 * fork, and recovering from a stack overflow through the alternate stack.
 *
 * musl's wrapper checks ENOMEM and rejects SS_ONSTACK itself, so the raw
 * system call is used for the kernel's checks.
 */
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tap.h"
#include "testutil.h"

#define KERNEL_MINSIGSTKSZ 2048	/* x86 uapi MINSIGSTKSZ */
#define ALT_SIZE (64 * 1024)

static char *alt, *other;
static volatile uintptr_t handler_sp;
static volatile int in_flags, change_err, change_ret;
static void *change_to;	/* the stack the handler tries to install */

static int on_alt(uintptr_t p)
{
	return p >= (uintptr_t)alt && p < (uintptr_t)alt + ALT_SIZE;
}

static void handler(int sig)
{
	volatile char here;
	stack_t cur, dummy;

	handler_sp = (uintptr_t)&here;
	memset(&cur, 0, sizeof(cur));
	syscall(SYS_sigaltstack, NULL, &cur);
	in_flags = cur.ss_flags;
	/* Changing the stack while running on it fails with EPERM. */
	dummy.ss_sp = change_to;
	dummy.ss_size = ALT_SIZE;
	dummy.ss_flags = 0;
	errno = 0;
	change_ret = (int)syscall(SYS_sigaltstack, &dummy, NULL);
	change_err = errno;
}

static long raw_set(void *sp, size_t size, int flags)
{
	stack_t ss = { .ss_sp = sp, .ss_flags = flags, .ss_size = size };

	return syscall(SYS_sigaltstack, &ss, NULL);
}

static void test_setup(void)
{
	stack_t old;

	memset(&old, 0x55, sizeof(old));
	tap_ok(sigaltstack(NULL, &old) == 0 && old.ss_flags == SS_DISABLE,
	       "initially there is no alternate stack (SS_DISABLE)");
	tap_is_errno(raw_set(alt, KERNEL_MINSIGSTKSZ - 1, 0), ENOMEM,
		     "a stack of MINSIGSTKSZ-1 bytes fails with ENOMEM");
	tap_is_int(raw_set(alt, KERNEL_MINSIGSTKSZ, 0), 0,
		   "a stack of MINSIGSTKSZ bytes is accepted");
	tap_is_errno(raw_set(alt, ALT_SIZE, 0x1234), EINVAL, "unknown ss_flags fail with EINVAL");
	tap_is_errno(syscall(SYS_sigaltstack, (void *)1, NULL), EFAULT,
		     "a bad ss pointer fails with EFAULT");
	tap_is_errno(syscall(SYS_sigaltstack, NULL, (void *)1), EFAULT,
		     "a bad old_ss pointer fails with EFAULT");
	tap_is_int(raw_set(NULL, 0, SS_DISABLE), 0, "SS_DISABLE ignores the other fields");
	sigaltstack(NULL, &old);
	tap_ok(old.ss_flags == SS_DISABLE && old.ss_size == 0, "the stack is disabled again");

	/* The legacy SS_ONSTACK flag in ss_flags means "enable" (like 0). */
	tap_is_int(raw_set(alt, ALT_SIZE, SS_ONSTACK), 0, "ss_flags SS_ONSTACK is accepted");
	memset(&old, 0, sizeof(old));
	sigaltstack(NULL, &old);
	tap_ok(old.ss_sp == alt && old.ss_size == ALT_SIZE && old.ss_flags == 0,
	       "the query returns the stack, its size and flags 0 outside a handler");
}

static void test_delivery(void)
{
	stack_t old;
	pid_t pid;
	int st;

	sig_install(SIGUSR1, handler, SA_ONSTACK);
	handler_sp = 0;
	change_to = alt;
	raise(SIGUSR1);
	tap_ok(on_alt(handler_sp), "an SA_ONSTACK handler runs on the alternate stack");
	tap_is_int(in_flags, SS_ONSTACK, "inside, sigaltstack reports SS_ONSTACK");
	tap_ok(change_ret == -1 && change_err == EPERM,
	       "changing the alternate stack while on it fails with EPERM");

	sig_install(SIGUSR1, handler, 0);
	handler_sp = 0;
	raise(SIGUSR1);
	tap_ok(handler_sp && !on_alt(handler_sp),
	       "a handler without SA_ONSTACK uses the normal stack");
	tap_is_int(in_flags, 0, "there sigaltstack reports flags 0");

	pid = fork();
	if (pid == 0) {
		memset(&old, 0, sizeof(old));
		sigaltstack(NULL, &old);
		_exit(old.ss_sp == alt && old.ss_size == ALT_SIZE ? 0 : 1);
	}
	tap_ok(waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0,
	       "the alternate stack is inherited by a fork child");

	/*
	 * SS_AUTODISARM: disabled while the handler runs, so another stack may
	 * be installed there; sigreturn restores the one saved in the frame.
	 */
	tap_is_int(raw_set(alt, ALT_SIZE, SS_AUTODISARM), 0, "SS_AUTODISARM is accepted");
	sig_install(SIGUSR1, handler, SA_ONSTACK);
	handler_sp = 0;
	change_to = other;
	raise(SIGUSR1);
	tap_ok(on_alt(handler_sp) && in_flags == SS_DISABLE,
	       "with SS_AUTODISARM the handler runs on the stack, which reports SS_DISABLE");
	tap_is_int(change_ret, 0, "with SS_AUTODISARM the stack may be changed inside the handler");
	memset(&old, 0, sizeof(old));
	sigaltstack(NULL, &old);
	tap_ok(old.ss_sp == alt && old.ss_size == ALT_SIZE && old.ss_flags == (int)SS_AUTODISARM,
	       "after the handler the SS_AUTODISARM stack is restored");
	signal(SIGUSR1, SIG_DFL);
}

static void segv_exit(int sig)
{
	volatile char here;

	_exit(on_alt((uintptr_t)&here) ? 0 : 1);
}

static volatile int depth_limit = 1 << 30;	/* never reached: the stack ends first */

static int recurse(int n)
{
	volatile char pad[512];

	pad[0] = (char)n;
	if (n >= depth_limit)
		return 0;
	return recurse(n + 1) + pad[0];
}

static void test_overflow(void)
{
	pid_t pid;
	int st;

	for (int with_alt = 1; with_alt >= 0; with_alt--) {
		pid = fork();
		if (pid == 0) {
			struct rlimit rl = { 1 << 20, 1 << 20 };

			setrlimit(RLIMIT_STACK, &rl);
			raw_set(alt, ALT_SIZE, 0);
			sig_install(SIGSEGV, segv_exit,
				    with_alt ? SA_ONSTACK : 0);
			_exit(recurse(0) ? 2 : 3);
		}
		waitpid(pid, &st, 0);
		if (with_alt)
			tap_ok(WIFEXITED(st) && WEXITSTATUS(st) == 0,
			       "a stack overflow is caught by a SIGSEGV handler on the alternate stack");
		else
			tap_ok(WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV,
			       "without the alternate stack the overflow kills with SIGSEGV");
	}
}

int main(void)
{
	alarm(25);	/* a safety net below the runner's 30 s timeout */
	alt = malloc(ALT_SIZE);
	other = malloc(ALT_SIZE);
	if (!alt || !other)
		tap_bail("malloc");
	test_setup();
	test_delivery();
	test_overflow();
	return tap_done();
}
