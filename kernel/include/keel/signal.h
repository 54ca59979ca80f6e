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
#include <keel/wait.h>
#include <uapi/signal.h>

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

/*
 * restart_syscall(2) state: a call that returned -ERESTART_RESTARTBLOCK
 * stores how to continue here (fn and its arguments); restart_syscall runs
 * fn once. Without one it returns -EINTR.
 */
struct restart_block {
	long (*fn)(struct restart_block *rb);   /* [t] */
	u64 arg[4];                             /* [t] */
};

/* task_signals.jobctl bits: job control (stop/continue), [S]. */
#define JOBCTL_STOP_PENDING 0x1   /* must park: its process is stopping */
#define JOBCTL_STOPPED      0x2   /* parked until SIGCONT or SIGKILL */

/* Per-task signal state, embedded in struct task. */
struct task_signals {
	sigset_t blocked;               /* [S] written by the task, read by senders */
	sigset_t real_blocked;          /* [t] blocked before rt_sigtimedwait */
	sigset_t saved_mask;            /* [t] restored after sigsuspend/ppoll */
	bool restore_saved_mask;        /* [t] */
	struct sigpending pending;      /* [S] */
	unsigned int jobctl;            /* [S] JOBCTL_* */
	int stop_sig;                   /* [S] the signal that stops the process */
	unsigned long altstack_sp;      /* [t] sigaltstack */
	unsigned long altstack_size;    /* [t] */
	int altstack_flags;             /* [t] SS_DISABLE, or 0 | SS_AUTODISARM */
	unsigned long fault_addr;       /* [t] CR2 of the last fault signal */
	int fault_trapno;               /* [t] its trap number, -1: none */
	struct restart_block restart;   /* [t] */
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
 * kill_pgrp_kernel - @sig to every process of group @pgrp (terminal
 * signals); @priv skips the permission check. Return: 0, -ESRCH, -EPERM.
 * Context: process context; takes tasklist_lock (kernel/proc/signal_kill.c).
 */
int kill_pgrp_kernel(pid_t pgrp, int sig, int priv);

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

/* ---- actions ------------------------------------------------------------ */

/* One signal's action, as rt_sigaction stores it. [S] */
struct k_sigaction {
	unsigned long handler;          /* SIG_DFL, SIG_IGN or a user address */
	unsigned long flags;            /* SA_*, only SA_KNOWN_FLAGS */
	unsigned long restorer;         /* sa_restorer (SA_RESTORER) */
	sigset_t mask;                  /* never contains SIGKILL/SIGSTOP */
};

/*
 * struct sighand - the signal actions shared by the tasks of a process
 * (and by clone(CLONE_SIGHAND) siblings). Its lock also guards both pending
 * sets, the blocked masks and jobctl of the tasks using it ([S] above).
 */
struct sighand {
	int refcount;                   /* [a] */
	struct spinlock lock;
	struct k_sigaction action[NSIG];        /* [S] index sig - 1 */
	/* signalfd readers and pollers; woken when a signal is queued. */
	struct wait_queue_head signalfd_wqh;
};

/* A signal taken for delivery: its number, siginfo and the action then. */
struct ksignal {
	int sig;
	siginfo_t info;
	struct k_sigaction ka;
};

/* Signals that can never be blocked, caught or ignored. */
#define SIG_UNBLOCKABLE (sigmask(SIGKILL) | sigmask(SIGSTOP))

static inline bool sig_valid(int sig)
{
	return sig >= 1 && sig <= NSIG;
}

/* ---- sets (pure; the ktest checks them) ----------------------------------- */

/*
 * sigset_next - the signal to take next from @pending (already masked by
 * the caller): a synchronous fault signal (SIGSEGV, SIGBUS, SIGILL,
 * SIGTRAP, SIGFPE, SIGSYS) first, else the lowest number. Return: the
 * signal, or 0 when @pending is empty.
 */
int sigset_next(sigset_t pending);

/*
 * sigprocmask_apply - the mask rt_sigprocmask(@how, @set) makes of @old,
 * SIGKILL and SIGSTOP removed. Return: 0 and *@out, or -EINVAL (@how).
 */
int sigprocmask_apply(int how, sigset_t old, sigset_t set, sigset_t *out);

/* Default actions (signal(7)). */
enum sig_default {
	SIG_DEF_TERM,   /* terminate */
	SIG_DEF_CORE,   /* terminate with a core dump (kernel/proc/coredump.c) */
	SIG_DEF_IGN,    /* ignore */
	SIG_DEF_STOP,   /* stop the process */
	SIG_DEF_CONT,   /* continue (the sender already did it) */
};
enum sig_default sig_default_action(int sig);

/*
 * signal_restart_result - what a system call's return @ret becomes when a
 * signal is delivered: @handler says whether a handler runs, @sa_flags are
 * its flags. Return: SIG_RESTART_NONE (@ret is not a restart code: keep
 * it), SIG_RESTART_EINTR (return -EINTR), SIG_RESTART_AGAIN (re-enter the
 * same call) or SIG_RESTART_BLOCK (enter restart_syscall).
 */
enum sig_restart {
	SIG_RESTART_NONE,
	SIG_RESTART_EINTR,
	SIG_RESTART_AGAIN,
	SIG_RESTART_BLOCK,
};
enum sig_restart signal_restart_result(long ret, bool handler,
				       unsigned long sa_flags);

/* ---- life cycle (kernel/proc/signal.c) ------------------------------------ */

/*
 * sighand_create - actions all SIG_DFL, refcount 1 (for pid 1).
 * sighand_dup - a private copy of @sh (fork without CLONE_SIGHAND).
 * Return: the new sighand or NULL (-ENOMEM). Context: process, may sleep.
 */
struct sighand *sighand_create(void);
struct sighand *sighand_dup(struct sighand *sh);
/* A reference for clone(CLONE_SIGHAND). Context: any. */
void sighand_get(struct sighand *sh);
/* Drop a reference; the last frees it. Context: process, no spinlocks. */
void sighand_put(struct sighand *sh);

/*
 * signal_process_init - empty shared pending set of a new process
 * (before any task of it runs); signal_process_free - release its queued
 * siginfo when the process is freed. Context: process, no spinlocks.
 */
void signal_process_init(struct process *p);
void signal_process_free(struct process *p);

/*
 * signal_task_init - signal state of a new task made by clone(@clone_flags):
 * the blocked mask and the alternate stack of @parent, nothing pending;
 * CLONE_VM without CLONE_VFORK starts without an alternate stack (Linux).
 * @parent NULL (pid 1): nothing blocked, no alternate stack.
 * Context: before @child first runs; @parent is the running task.
 */
void signal_task_init(struct task *child, const struct task *parent,
		      unsigned long clone_flags);
/*
 * signal_clear_handlers - every caught signal of @sh back to SIG_DFL
 * (ignored ones stay ignored), flags and masks cleared: exec and
 * clone(CLONE_CLEAR_SIGHAND). Context: process, no spinlocks.
 */
void signal_clear_handlers(struct sighand *sh);
/*
 * fatal_signal_pending - is SIGKILL pending for the calling task (or its
 * process)? Long kernel operations (exec's copying) give up on it.
 * Context: process context of a task.
 */
bool fatal_signal_pending(void);
/* signal_task_exit - free @t's queued siginfo. Context: @t is exiting. */
void signal_task_exit(struct task *t);
/*
 * signal_exec_reset - execve: a shared sighand is first replaced by a
 * private copy, caught signals become SIG_DFL (ignored ones stay), flags
 * and masks of the actions are cleared, the alternate stack is disabled.
 * The blocked mask and pending signals are kept. Call it after the other
 * tasks are gone. Return: 0 or -ENOMEM (nothing changed).
 * Context: @t is current, process context, no spinlocks.
 */
int signal_exec_reset(struct task *t);

/* ---- masks ------------------------------------------------------------------ */

/*
 * set_current_blocked - make @mask (minus SIGKILL/SIGSTOP) the calling
 * task's blocked mask and recompute its signal_pending. Used with
 * task->sig.saved_mask / restore_saved_mask by sigsuspend-like calls: set
 * saved_mask to the old mask, set_current_blocked(temporary), sleep, and
 * when returning because of a signal (-EINTR/-ERESTARTNOHAND) set
 * restore_saved_mask = true: signal_deliver() puts the saved mask into the
 * handler's frame and restores it (or restores it when no handler runs).
 * When not interrupted, restore the mask yourself.
 * Context: process context of a task, no spinlocks.
 */
void set_current_blocked(sigset_t mask);

/*
 * signal_recalc - recompute @t->thread->signal_pending. Context:
 * @t->sighand->lock held.
 */
void signal_recalc(struct task *t);

/* ---- sending (kernel/proc/signal_send.c) ----------------------------------- */

/*
 * send_sig_info - queue @info->si_signo for task @t (@shared false) or for
 * its whole process (@shared true). Ignored signals are dropped; SIGCONT
 * and stop signals do their job-control work at once.
 * Return: 0, -EINVAL (bad signal), -EAGAIN (real-time queue full,
 * RLIMIT_SIGPENDING). Context: tasklist_lock held (it is what keeps @t
 * alive), no sighand lock.
 */
int send_sig_info_locked(struct task *t, const siginfo_t *info, bool shared);

/*
 * signal_notify_parent - tell @child's parent about an exit, stop or
 * continue: @why is CLD_EXITED/CLD_KILLED/CLD_DUMPED (sent as
 * child->exit_signal, none when 0), CLD_STOPPED or CLD_CONTINUED (SIGCHLD,
 * not with SA_NOCLDSTOP); @status is si_status: the exit code for
 * CLD_EXITED, a signal number otherwise. Wakes parent->wait_children.
 * Return: for exits, true when the child must be reaped at once (the
 * parent ignores SIGCHLD or set SA_NOCLDWAIT, and exit_signal is SIGCHLD);
 * false otherwise. Context: tasklist_lock held.
 */
bool signal_notify_parent(struct process *child, int why, int status);

/*
 * signal_wake_kill - make @t die soon: SIGKILL pending for it, woken from
 * any interruptible or stopped sleep. For exit_group and exec.
 * Context: tasklist_lock held.
 */
void signal_wake_kill(struct task *t);

/*
 * force_sigsegv - the current task cannot take @sig's handler (its frame
 * could not be written): SIGSEGV, with the default action if @sig was
 * SIGSEGV itself. Context: the task's own return path.
 */
void force_sigsegv(int sig);

/* ---- the arch's frames (kernel/arch/<arch>/signal.c) ---------------------- */

/*
 * arch_setup_rt_frame - build @ks's handler frame on the user stack of the
 * current task (below the red zone, or on the alternate stack: see
 * signal_frame_sp), saving @regs, the FPU state and @oldmask, and point
 * @regs at the handler. Return: 0 or -EFAULT (the frame could not be
 * written; nothing in @regs changed).
 */
struct user_regs;
int arch_setup_rt_frame(struct user_regs *regs, struct ksignal *ks,
			sigset_t oldmask);

/*
 * signal_frame_sp - the stack pointer below which a frame for @ka goes,
 * given the interrupted @sp: the top of the alternate stack for an
 * SA_ONSTACK action when it is enabled and not already in use, else @sp
 * minus the 128-byte red zone. *@onstack tells whether it is the former.
 */
unsigned long signal_frame_sp(const struct k_sigaction *ka, unsigned long sp,
			      bool *onstack);
/* Is @sp on the current task's alternate stack? (SS_AUTODISARM: never) */
bool signal_on_altstack(unsigned long sp);
/* Fill @ss with the alternate stack as sigaltstack reports it at @sp. */
void signal_save_altstack(stack_t *ss, unsigned long sp);
/*
 * signal_restore_altstack - sigreturn: install @ss again, as sigaltstack
 * would at @sp (a refusal, e.g. while on the stack, is ignored, as Linux).
 */
void signal_restore_altstack(const stack_t *ss, unsigned long sp);
/*
 * do_sigaltstack - sigaltstack(2) on kernel copies, at user stack @sp.
 * Return: 0, -EPERM, -EINVAL or -ENOMEM.
 */
int do_sigaltstack(const stack_t *ss, stack_t *old, unsigned long sp);

#endif /* KEEL_SIGNAL_H */
