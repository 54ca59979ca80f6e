/*
 * Signals: what kernel/proc/signal*.c share among themselves.
 *
 *	signal.c           pure set operations, sighand and task life cycle,
 *	                   masks, the siginfo queue, dequeue
 *	signal_send.c      sending, job control on the sender's side, parent
 *	                   notification, fault signals
 *	signal_deliver.c   signal_deliver: default actions, stops, handlers,
 *	                   syscall restart
 *	signal_syscalls.c  the system calls
 *
 * Lock order: tasklist_lock -> process->lock -> sighand->lock ->
 * sigq_users_lock (a leaf) -> scheduler locks. Every sender holds
 * tasklist_lock (it keeps the target, its process and its sighand pointer
 * alive); a task reads its own sighand pointer without it.
 */
#ifndef PROC_SIGNAL_INTERNAL_H
#define PROC_SIGNAL_INTERNAL_H

#include <keel/signal.h>
#include <keel/task.h>

/* One queued siginfo (every real-time instance, one per standard signal). */
struct sigqueue {
	struct list_head link;          /* in sigpending.queue */
	siginfo_t info;
	uid_t charged;                  /* the user whose count it holds */
};

/*
 * sigqueue_alloc - a record for @info, counted against @uid's
 * RLIMIT_SIGPENDING unless @override. Return: NULL when over the limit or
 * out of memory. Context: any; spinlocks may be held (GFP_ATOMIC).
 */
struct sigqueue *sigqueue_alloc(const siginfo_t *info, uid_t uid,
				bool override);
void sigqueue_free(struct sigqueue *q);

/* Remove the signals of @mask from @p, their queued records too. [S] */
void sigpending_remove(struct sigpending *p, sigset_t mask);
/* Empty @p. */
void sigpending_flush(struct sigpending *p);
/* The queue of @p, initialized on first use (a zeroed process). */
struct list_head *sigpending_queue(struct sigpending *p);

/*
 * dequeue_signal_locked - take the next signal of @allowed pending for @t
 * (its own set first, then its process's) into *@info.
 * Return: the signal or 0. Context: @t->sighand->lock held.
 */
int dequeue_signal_locked(struct task *t, sigset_t allowed, siginfo_t *info);

/* The first live task of @p, or NULL (a zombie). Context: [T] held. */
struct task *process_first_task(struct process *p);

/*
 * signal_wake - after a change to @t's signal state: for current,
 * recompute its flag; for another task, set the flag and wake it from an
 * interruptible sleep if it has work now (never clear it). [S]
 */
void signal_wake(struct task *t);

/* The action of @sig in @sh. */
static inline struct k_sigaction *sig_action(struct sighand *sh, int sig)
{
	return &sh->action[sig - 1];
}

/* Does @sig with its action in @sh do nothing at all when delivered? */
bool sig_handler_ignored(struct sighand *sh, int sig);

/* Job-control signals. */
#define SIG_STOP_MASK (sigmask(SIGSTOP) | sigmask(SIGTSTP) |             \
		       sigmask(SIGTTIN) | sigmask(SIGTTOU))
#define SIG_SYNC_MASK (sigmask(SIGSEGV) | sigmask(SIGBUS) |              \
		       sigmask(SIGILL) | sigmask(SIGTRAP) |              \
		       sigmask(SIGFPE) | sigmask(SIGSYS))

/* signal_deliver.c: park the current task while its process is stopped. */
void signal_do_stop(struct task *t);

#endif /* PROC_SIGNAL_INTERNAL_H */
