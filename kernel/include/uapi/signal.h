/*
 * Linux's user ABI for signals on x86_64: the action flags, sigprocmask's
 * "how", struct sigaction as rt_sigaction sees it, siginfo_t (128 bytes,
 * the kill/rt/timer/child/fault/poll layouts), stack_t, and the signal
 * frame's struct sigcontext and struct ucontext (asm/sigcontext.h,
 * asm/ucontext.h). Layouts are checked by static assertions at the end.
 *
 * The signal numbers themselves are in <keel/signal.h> (shared with the
 * kernel's own code).
 */
#ifndef UAPI_SIGNAL_H
#define UAPI_SIGNAL_H

#include <keel/compiler.h>
#include <keel/types.h>

/* Handlers with special meaning (sa_handler values). */
#define SIG_DFL 0UL
#define SIG_IGN 1UL
#define SIG_ERR (~0UL)

/* sa_flags (asm-generic/signal-defs.h, x86 SA_RESTORER). */
#define SA_NOCLDSTOP  0x00000001UL
#define SA_NOCLDWAIT  0x00000002UL
#define SA_SIGINFO    0x00000004UL
#define SA_UNSUPPORTED 0x00000400UL  /* never stored (Linux 5.11) */
#define SA_EXPOSE_TAGBITS 0x00000800UL
#define SA_RESTORER   0x04000000UL
#define SA_ONSTACK    0x08000000UL
#define SA_RESTART    0x10000000UL
#define SA_NODEFER    0x40000000UL
#define SA_RESETHAND  0x80000000UL
/* The flags rt_sigaction keeps; the rest are cleared (sigaction(2)). */
#define SA_KNOWN_FLAGS (SA_NOCLDSTOP | SA_NOCLDWAIT | SA_SIGINFO |      \
			SA_EXPOSE_TAGBITS | SA_RESTORER | SA_ONSTACK |    \
			SA_RESTART | SA_NODEFER | SA_RESETHAND)

/* rt_sigprocmask's how. */
#define SIG_BLOCK   0
#define SIG_UNBLOCK 1
#define SIG_SETMASK 2

/* sigaltstack. */
#define SS_ONSTACK    1
#define SS_DISABLE    2
#define SS_AUTODISARM (1U << 31)
#define SS_FLAG_BITS  SS_AUTODISARM
#define MINSIGSTKSZ   2048
#define SIGSTKSZ      8192

/* si_code values (asm-generic/siginfo.h). <= 0: sent by a user. */
#define SI_USER     0
#define SI_QUEUE    (-1)
#define SI_TIMER    (-2)
#define SI_MESGQ    (-3)
#define SI_ASYNCIO  (-4)
#define SI_SIGIO    (-5)
#define SI_TKILL    (-6)
#define CLD_EXITED    1
#define CLD_KILLED    2
#define CLD_DUMPED    3
#define CLD_TRAPPED   4
#define CLD_STOPPED   5
#define CLD_CONTINUED 6

/* struct sigaction as the kernel reads it (x86_64 rt_sigaction). */
struct user_sigaction {
	unsigned long sa_handler;   /* or sa_sigaction */
	unsigned long sa_flags;
	unsigned long sa_restorer;
	u64 sa_mask;                /* sigsetsize must be 8 */
};

union sigval {
	int sival_int;
	u64 sival_ptr;
};

#define SI_MAX_SIZE 128

/* siginfo_t: signo, errno, code, then a union aligned to 8 at offset 16. */
typedef struct siginfo {
	int si_signo;
	int si_errno;
	int si_code;
	int __pad0;
	union {
		int __raw[(SI_MAX_SIZE - 16) / sizeof(int)];
		struct {                /* kill, tkill, sigqueue */
			int pid;
			u32 uid;
			union sigval value;
		} rt;
		struct {                /* POSIX timers */
			int tid;
			int overrun;
			union sigval value;
		} timer;
		struct {                /* SIGCHLD */
			int pid;
			u32 uid;
			int status;
			int __pad;
			long utime;
			long stime;
		} chld;
		struct {                /* SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGTRAP */
			u64 addr;
			short addr_lsb;
		} fault;
		struct {                /* SIGIO/SIGPOLL */
			long band;
			int fd;
		} poll;
	} _sifields;
} siginfo_t;

#define si_pid    _sifields.rt.pid
#define si_uid    _sifields.rt.uid
#define si_value  _sifields.rt.value
#define si_status _sifields.chld.status
#define si_utime  _sifields.chld.utime
#define si_stime  _sifields.chld.stime
#define si_addr   _sifields.fault.addr

typedef struct user_stack {
	u64 ss_sp;
	int ss_flags;
	int __pad;
	u64 ss_size;
} stack_t;

/* asm/sigcontext.h, 64-bit: what musl's mcontext_t gregs[] index. */
struct sigcontext {
	u64 r8, r9, r10, r11, r12, r13, r14, r15;
	u64 rdi, rsi, rbp, rbx, rdx, rax, rcx, rsp, rip;
	u64 eflags;
	u16 cs, gs, fs, ss;
	u64 err;
	u64 trapno;
	u64 oldmask;
	u64 cr2;
	u64 fpstate;        /* user pointer to the FPU state, 0: none */
	u64 reserved1[8];
};

/* uc_flags (asm/ucontext.h). */
#define UC_FP_XSTATE         0x1
#define UC_SIGCONTEXT_SS     0x2
#define UC_STRICT_RESTORE_SS 0x4

struct ucontext {
	u64 uc_flags;
	u64 uc_link;
	stack_t uc_stack;
	struct sigcontext uc_mcontext;
	u64 uc_sigmask;
};

/* The x86_64 frame a handler finds at its stack pointer (minus 8). */
struct rt_sigframe {
	u64 pretcode;       /* sa_restorer: the handler's return address */
	struct ucontext uc;
	siginfo_t info;
	/* the FPU state follows, 64-byte aligned, at uc.uc_mcontext.fpstate */
};

STATIC_ASSERT(sizeof(siginfo_t) == 128, "siginfo_t is 128 bytes");
STATIC_ASSERT(__builtin_offsetof(siginfo_t, si_pid) == 16, "si_pid");
STATIC_ASSERT(__builtin_offsetof(siginfo_t, si_value) == 24, "si_value");
STATIC_ASSERT(__builtin_offsetof(siginfo_t, si_status) == 24, "si_status");
STATIC_ASSERT(__builtin_offsetof(siginfo_t, si_utime) == 32, "si_utime");
STATIC_ASSERT(sizeof(stack_t) == 24, "stack_t");
STATIC_ASSERT(sizeof(struct sigcontext) == 256, "sigcontext");
STATIC_ASSERT(__builtin_offsetof(struct ucontext, uc_mcontext) == 40,
	      "uc_mcontext");
STATIC_ASSERT(__builtin_offsetof(struct ucontext, uc_sigmask) == 296,
	      "uc_sigmask");
STATIC_ASSERT(sizeof(struct user_sigaction) == 32, "struct sigaction");

#endif /* UAPI_SIGNAL_H */
