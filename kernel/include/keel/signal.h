/*
 * Signals: the per-task and shared state. Linux's numbers and semantics
 * (signal(7)); the delivery machinery is kernel/proc/signal*.c.
 *
 * A signal is pending for a task (task->sig.pending, from tkill/tgkill and
 * faults) or for its whole process (process->shared_pending, from kill);
 * any task of the process that does not block it may take a shared one.
 * thread->signal_pending is set when an unblocked signal is pending, which
 * ends interruptible sleeps (-EINTR / restart) and makes the return to user
 * mode deliver it.
 *
 * Locking: [S] sighand->lock (the actions, both pending sets, the blocked
 * masks of the tasks sharing it); [t] the task itself.
 */
#ifndef KEEL_SIGNAL_H
#define KEEL_SIGNAL_H

#include <keel/list.h>
#include <keel/spinlock.h>
#include <keel/types.h>

#define NSIG 64         /* signals 1..64 */

typedef u64 sigset_t;   /* bit (n - 1) is signal n: Linux's kernel sigset_t */

static inline u64 sigmask(int sig)
{
	return 1ULL << (sig - 1);
}

/* Pending signals: the set, and queued siginfo records (real-time). */
struct sigpending {
	sigset_t signal;
	struct list_head queue;
};

/* Per-task signal state, embedded in struct task. */
struct task_signals {
	sigset_t blocked;               /* [S] written by the task, read by senders */
	sigset_t saved_mask;            /* [t] restored after sigsuspend/ppoll */
	bool restore_saved_mask;        /* [t] */
	struct sigpending pending;      /* [S] */
	unsigned long altstack_sp;      /* [t] sigaltstack */
	unsigned long altstack_size;    /* [t] */
	int altstack_flags;             /* [t] SS_DISABLE or 0 */
};

/* Signal numbers the kernel itself raises (Linux x86_64). */
#define SIGHUP     1
#define SIGINT     2
#define SIGQUIT    3
#define SIGILL     4
#define SIGTRAP    5
#define SIGABRT    6
#define SIGBUS     7
#define SIGFPE     8
#define SIGKILL    9
#define SIGUSR1   10
#define SIGSEGV   11
#define SIGUSR2   12
#define SIGPIPE   13
#define SIGALRM   14
#define SIGTERM   15
#define SIGSTKFLT 16
#define SIGCHLD   17
#define SIGCONT   18
#define SIGSTOP   19
#define SIGTSTP   20
#define SIGTTIN   21
#define SIGTTOU   22
#define SIGURG    23
#define SIGXCPU   24
#define SIGXFSZ   25
#define SIGVTALRM 26
#define SIGPROF   27
#define SIGWINCH  28
#define SIGIO     29
#define SIGPWR    30
#define SIGSYS    31
#define SIGRTMIN  32

/* si_code values for faults (Linux's). */
#define SI_KERNEL   0x80
#define SEGV_MAPERR 1
#define SEGV_ACCERR 2
#define BUS_ADRALN  1
#define BUS_ADRERR  2
#define ILL_ILLOPN  2
#define ILL_PRVOPC  5
#define FPE_INTDIV  1
#define FPE_FLTDIV  3
#define FPE_FLTINV  7
#define TRAP_BRKPT  1
#define TRAP_TRACE  2

struct user_regs;
struct task;
struct process;

/*
 * send_sig - queue @sig (si_code SI_KERNEL) for task @t, e.g. SIGPIPE for
 * a write to a pipe without readers. Return: 0 or -EINVAL.
 * Context: process context; no spinlocks held.
 */
int send_sig(int sig, struct task *t);
/* The same for a whole process (any of its tasks may take it), e.g. SIGCHLD. */
int send_sig_process(int sig, struct process *p);

/*
 * force_sig_fault - the running task caused a CPU fault: queue @sig with
 * si_code @code, si_addr @addr (and x86 trap number @trapno) for it alone;
 * if the signal is blocked or ignored, reset it to the default action first
 * (Linux's force_sig semantics), so the task dies rather than loops.
 * Context: the task's own exception path, interrupts on.
 */
void force_sig_fault(int sig, int code, unsigned long addr, int trapno);

/*
 * signal_deliver - called by exit_to_user_mode() when current has a
 * pending unblocked signal: take one, run its default action or build the
 * handler's frame on the user stack (rewriting @regs), handle syscall
 * restart. May not return (fatal signal).
 */
void signal_deliver(struct user_regs *regs);

#endif /* KEEL_SIGNAL_H */
