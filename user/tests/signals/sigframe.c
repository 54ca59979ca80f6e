/*
 * The x86_64 signal frame and rt_sigreturn: the handler returns to
 * sa_restorer, enters with a 16-byte-aligned stack as after a call, with
 * the direction flag clear, below the 128-byte red zone of the interrupted
 * code; general registers, the direction flag and SSE registers of the
 * interrupted code are restored by sigreturn; changes the handler makes to
 * the saved registers, the saved xmm state and uc_sigmask take effect; a
 * signal arriving inside a handler runs nested and both return.
 *
 * The interrupted code is assembly ending in ud2 (SIGILL): the handler
 * advances RIP by 2 to continue after it.
 */
#include <signal.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <ucontext.h>
#include <unistd.h>

#include "tap.h"
#include "testutil.h"

#define PATTERN 0x1122334455667788ul

asm(".text\n"
    /* rax = 1; ud2; return rax (the handler may change it) */
    ".globl probe_rax\n"
    "probe_rax:\n"
    "	movl $1, %eax\n"
    "	ud2\n"
    "	ret\n"
    /* r15 = 1; ud2; return r15 (callee-saved: kept around the probe) */
    ".globl probe_r15\n"
    "probe_r15:\n"
    "	pushq %r15\n"
    "	movl $1, %r15d\n"
    "	ud2\n"
    "	movq %r15, %rax\n"
    "	popq %r15\n"
    "	ret\n"
    /* xmm0 = rdi; ud2; return xmm0's low quadword */
    ".globl probe_xmm\n"
    "probe_xmm:\n"
    "	movq %rdi, %xmm0\n"
    "	ud2\n"
    "	movq %xmm0, %rax\n"
    "	ret\n"
    /* Fill the red zone, ud2, return 1 if it is intact. */
    ".globl probe_redzone\n"
    "probe_redzone:\n"
    "	movq %rdi, %rax\n"
    "	movq $-128, %rcx\n"
    "1:	movq %rax, (%rsp,%rcx)\n"
    "	addq $8, %rcx\n"
    "	jnz 1b\n"
    "	ud2\n"
    "	movq $-128, %rcx\n"
    "2:	cmpq %rax, (%rsp,%rcx)\n"
    "	jne 3f\n"
    "	addq $8, %rcx\n"
    "	jnz 2b\n"
    "	movl $1, %eax\n"
    "	ret\n"
    "3:	xorl %eax, %eax\n"
    "	ret\n"
    /* std; ud2; return EFLAGS.DF; cld */
    ".globl probe_df\n"
    "probe_df:\n"
    "	std\n"
    "	ud2\n"
    "	pushfq\n"
    "	popq %rax\n"
    "	cld\n"
    "	shrq $10, %rax\n"
    "	andl $1, %eax\n"
    "	ret\n"
    /* A handler that only records its entry stack pointer. */
    ".globl align_handler\n"
    "align_handler:\n"
    "	movq %rsp, handler_rsp(%rip)\n"
    "	ret\n");

long probe_rax(void);
long probe_r15(void);
unsigned long probe_xmm(unsigned long v);
int probe_redzone(unsigned long v);
int probe_df(void);
void align_handler(int sig);
volatile uintptr_t handler_rsp;

enum action { SKIP, SET_RAX, SET_R15, CLOBBER_XMM, SET_XMM, BLOCK_USR2, CHECK_DF };

static volatile enum action action;
static volatile int handler_df;
static volatile void *handler_ret;

static void ill_handler(int sig, siginfo_t *si, void *ctx)
{
	ucontext_t *uc = ctx;
	greg_t *g = uc->uc_mcontext.gregs;
	unsigned long flags;

	handler_ret = __builtin_return_address(0);
	asm volatile("pushfq; popq %0" : "=r"(flags));
	handler_df = (flags >> 10) & 1;
	switch (action) {
	case SET_RAX:
		g[REG_RAX] = 42;
		break;
	case SET_R15:
		g[REG_R15] = 4242;
		break;
	case CLOBBER_XMM:
		asm volatile("movq %0, %%xmm0" : : "r"(0xdeadbeeful) : "xmm0");
		break;
	case SET_XMM:
		uc->uc_mcontext.fpregs->_xmm[0].element[0] = 0xcafe;
		uc->uc_mcontext.fpregs->_xmm[0].element[1] = 0xf00d;
		break;
	case BLOCK_USR2:
		sigaddset(&uc->uc_sigmask, SIGUSR2);
		break;
	default:
		break;
	}
	g[REG_RIP] += 2;	/* past the ud2 */
}

/* rt_sigaction's view of a handler: the restorer musl registered. */
struct ksigaction {
	void *handler;
	unsigned long flags;
	void *restorer;
	unsigned long mask;
};

static void test_registers(void)
{
	struct ksigaction k;
	sigset_t cur;

	sig_install_info(SIGILL, ill_handler, 0);
	memset(&k, 0, sizeof(k));
	syscall(SYS_rt_sigaction, SIGILL, NULL, &k, 8);

	action = SKIP;
	tap_is_int(probe_rax(), 1, "registers are restored unchanged after the handler");
	tap_ok(k.restorer && handler_ret == k.restorer,
	       "the handler returns to the registered sa_restorer");
	action = SET_RAX;
	tap_is_int(probe_rax(), 42, "a RAX changed in the ucontext is restored by sigreturn");
	action = SET_R15;
	tap_is_int(probe_r15(), 4242, "an R15 changed in the ucontext is restored by sigreturn");

	action = CLOBBER_XMM;
	tap_is_int(probe_xmm(PATTERN), PATTERN,
		   "xmm0 of the interrupted code survives a handler that changes xmm0");
	action = SET_XMM;
	tap_is_int(probe_xmm(PATTERN), 0x0000f00d0000cafeul,
		   "an xmm0 changed in the ucontext's fpregs is restored by sigreturn");

	action = SKIP;
	tap_is_int(probe_redzone(PATTERN), 1, "the 128-byte red zone below RSP is not overwritten");

	action = CHECK_DF;
	handler_df = -1;
	tap_is_int(probe_df(), 1, "the direction flag of the interrupted code is restored");
	tap_is_int(handler_df, 0, "the handler runs with the direction flag clear");

	action = BLOCK_USR2;
	probe_rax();
	sigprocmask(SIG_BLOCK, NULL, &cur);
	tap_ok(sigismember(&cur, SIGUSR2),
	       "a signal added to uc_sigmask is blocked after sigreturn");
	sigprocmask(SIG_UNBLOCK, &cur, NULL);
	signal(SIGILL, SIG_DFL);
}

static void test_alignment(void)
{
	signal(SIGUSR1, align_handler);
	handler_rsp = 1;
	raise(SIGUSR1);
	/* At function entry RSP + 8 is 16-byte aligned (x86-64 psABI). */
	tap_ok(handler_rsp != 1 && (handler_rsp + 8) % 16 == 0,
	       "the handler is entered with RSP + 8 aligned to 16 bytes (%#lx)",
	       (unsigned long)handler_rsp);
	signal(SIGUSR1, SIG_DFL);
}

static volatile int log_[4], nlog;

static void inner(int sig)
{
	log_[nlog++] = 2;
}

static void outer(int sig)
{
	log_[nlog++] = 1;
	raise(SIGUSR2);		/* not blocked: runs nested, right now */
	log_[nlog++] = 3;
}

static void test_nested(void)
{
	signal(SIGUSR1, outer);
	signal(SIGUSR2, inner);
	nlog = 0;
	raise(SIGUSR1);
	tap_ok(nlog == 3 && log_[0] == 1 && log_[1] == 2 && log_[2] == 3,
	       "a signal raised inside a handler runs nested and both handlers complete");
	signal(SIGUSR1, SIG_DFL);
	signal(SIGUSR2, SIG_DFL);
}

int main(void)
{
	alarm(25);	/* a safety net below the runner's 30 s timeout */
	test_registers();
	test_alignment();
	test_nested();
	return tap_done();
}
