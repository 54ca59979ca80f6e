/*
 * Signals: pending sets and their queue, masks, the shared actions
 * (struct sighand) and the signal state of a task over fork, exec and
 * exit. Sending is signal_send.c, delivery signal_deliver.c.
 *
 * A pending set is a bit mask plus a queue of siginfo records. A standard
 * signal (1..31) is pending at most once (a second one while the bit is set
 * is dropped) and has at most one record; a real-time signal (32..64) gets
 * one record per instance, taken in order. A set bit without a record (the
 * record could not be allocated) is delivered with a minimal SI_USER
 * siginfo, as Linux does.
 *
 * Queued records are counted per user against RLIMIT_SIGPENDING (Linux
 * counts per real user of the target; Keel charges the uid given by the
 * sender, the target's real uid). The counters live in a small table: when
 * it is full, records that would need a new entry are refused like an
 * exceeded limit.
 */
#include <keel/errno.h>
#include <keel/slab.h>
#include <keel/string.h>
#include <uapi/sched.h>

#include "signal_internal.h"

/* ---- pure set operations ------------------------------------------------- */

int sigset_next(sigset_t pending)
{
	sigset_t sync = pending & SIG_SYNC_MASK;

	if (sync)
		pending = sync;
	if (!pending)
		return 0;
	return __builtin_ctzll(pending) + 1;
}

int sigprocmask_apply(int how, sigset_t old, sigset_t set, sigset_t *out)
{
	switch (how) {
	case SIG_BLOCK:
		old |= set;
		break;
	case SIG_UNBLOCK:
		old &= ~set;
		break;
	case SIG_SETMASK:
		old = set;
		break;
	default:
		return -EINVAL;
	}
	*out = old & ~SIG_UNBLOCKABLE;
	return 0;
}

enum sig_default sig_default_action(int sig)
{
	switch (sig) {
	case SIGCHLD: case SIGURG: case SIGWINCH:
		return SIG_DEF_IGN;
	case SIGCONT:
		return SIG_DEF_CONT;
	case SIGSTOP: case SIGTSTP: case SIGTTIN: case SIGTTOU:
		return SIG_DEF_STOP;
	case SIGQUIT: case SIGILL: case SIGTRAP: case SIGABRT: case SIGBUS:
	case SIGFPE: case SIGSEGV: case SIGXCPU: case SIGXFSZ: case SIGSYS:
		return SIG_DEF_CORE;
	default:
		return SIG_DEF_TERM;
	}
}

enum sig_restart signal_restart_result(long ret, bool handler,
				       unsigned long sa_flags)
{
	switch (ret) {
	case -ERESTARTNOHAND:
		return handler ? SIG_RESTART_EINTR : SIG_RESTART_AGAIN;
	case -ERESTARTSYS:
		if (handler && !(sa_flags & SA_RESTART))
			return SIG_RESTART_EINTR;
		return SIG_RESTART_AGAIN;
	case -ERESTARTNOINTR:
		return SIG_RESTART_AGAIN;
	case -ERESTART_RESTARTBLOCK:
		return handler ? SIG_RESTART_EINTR : SIG_RESTART_BLOCK;
	default:
		return SIG_RESTART_NONE;
	}
}

bool sig_handler_ignored(struct sighand *sh, int sig)
{
	unsigned long h = sig_action(sh, sig)->handler;
	enum sig_default d;

	if (sig == SIGKILL || sig == SIGSTOP)
		return false;
	if (h == SIG_IGN)
		return true;
	if (h != SIG_DFL)
		return false;
	d = sig_default_action(sig);
	return d == SIG_DEF_IGN || d == SIG_DEF_CONT;
}

/* ---- the siginfo queue and its per-user accounting ------------------------ */

#define SIGQ_USERS 64

static struct {
	uid_t uid;
	unsigned int count;             /* 0: the slot is free */
} sigq_users[SIGQ_USERS];
static DEFINE_SPINLOCK(sigq_users_lock);

/* Charge one record to @uid if @limit allows. */
static bool sigq_charge(uid_t uid, u64 limit, bool override)
{
	unsigned long flags = spin_lock_irqsave(&sigq_users_lock);
	int i, free = -1;
	bool ok = false;

	for (i = 0; i < SIGQ_USERS; i++) {
		if (sigq_users[i].count && sigq_users[i].uid == uid)
			break;
		if (!sigq_users[i].count && free < 0)
			free = i;
	}
	if (i == SIGQ_USERS) {
		if (free >= 0) {
			i = free;
			sigq_users[i].uid = uid;
		}
	}
	if (i < SIGQ_USERS && (override || sigq_users[i].count < limit)) {
		sigq_users[i].count++;
		ok = true;
	}
	spin_unlock_irqrestore(&sigq_users_lock, flags);
	return ok;
}

static void sigq_uncharge(uid_t uid)
{
	unsigned long flags = spin_lock_irqsave(&sigq_users_lock);

	for (int i = 0; i < SIGQ_USERS; i++) {
		if (sigq_users[i].count && sigq_users[i].uid == uid) {
			sigq_users[i].count--;
			break;
		}
	}
	spin_unlock_irqrestore(&sigq_users_lock, flags);
}

struct sigqueue *sigqueue_alloc(const siginfo_t *info, uid_t uid,
				bool override)
{
	u64 limit = RLIM_INFINITY;
	struct sigqueue *q;

	/* A kernel thread sending has no limit of its own. */
	if (current->task && !override)
		limit = task_rlimit(RLIMIT_SIGPENDING);
	if (!sigq_charge(uid, limit, override || limit == RLIM_INFINITY))
		return NULL;
	q = kmalloc(sizeof(*q), GFP_ATOMIC | __GFP_NOWARN);
	if (!q) {
		sigq_uncharge(uid);
		return NULL;
	}
	INIT_LIST_HEAD(&q->link);
	q->info = *info;
	q->charged = uid;
	return q;
}

void sigqueue_free(struct sigqueue *q)
{
	sigq_uncharge(q->charged);
	kfree(q);
}

struct list_head *sigpending_queue(struct sigpending *p)
{
	if (unlikely(!p->queue.next))
		INIT_LIST_HEAD(&p->queue);
	return &p->queue;
}

void sigpending_remove(struct sigpending *p, sigset_t mask)
{
	struct list_head *head = sigpending_queue(p);
	struct sigqueue *q, *tmp;

	if (!(p->signal & mask))
		return;
	p->signal &= ~mask;
	list_for_each_entry_safe(q, tmp, head, link) {
		if (mask & sigmask(q->info.si_signo)) {
			list_del(&q->link);
			sigqueue_free(q);
		}
	}
}

void sigpending_flush(struct sigpending *p)
{
	struct list_head *head = sigpending_queue(p);
	struct sigqueue *q, *tmp;

	p->signal = 0;
	list_for_each_entry_safe(q, tmp, head, link) {
		list_del(&q->link);
		sigqueue_free(q);
	}
}

/* Take @sig's first record out of @p; the bit stays while more remain. */
static void collect_signal(struct sigpending *p, int sig, siginfo_t *info)
{
	struct list_head *head = sigpending_queue(p);
	struct sigqueue *q, *first = NULL;
	bool more = false;

	list_for_each_entry(q, head, link) {
		if (q->info.si_signo != sig)
			continue;
		if (first) {
			more = true;
			break;
		}
		first = q;
	}
	if (!more)
		p->signal &= ~sigmask(sig);
	if (first) {
		list_del(&first->link);
		*info = first->info;
		sigqueue_free(first);
	} else {
		memset(info, 0, sizeof(*info));
		info->si_signo = sig;
		info->si_code = SI_USER;
	}
}

int dequeue_signal_locked(struct task *t, sigset_t allowed, siginfo_t *info)
{
	struct sigpending *own = &t->sig.pending;
	struct sigpending *shared = &t->proc->shared_pending;
	int sig;

	lock_assert_held(&t->sighand->lock);
	sig = sigset_next(own->signal & allowed);
	if (sig) {
		collect_signal(own, sig, info);
		return sig;
	}
	sig = sigset_next(shared->signal & allowed);
	if (sig)
		collect_signal(shared, sig, info);
	return sig;
}

/* ---- signal_pending ------------------------------------------------------------ */

/* Does @t have signal work: an unblocked pending signal or a stop? [S] */
static bool signal_work(const struct task *t)
{
	sigset_t pend = t->sig.pending.signal | t->proc->shared_pending.signal;

	if (t->sig.jobctl & JOBCTL_STOPPED)
		return pend & sigmask(SIGKILL);     /* the rest waits for SIGCONT */
	return (pend & ~t->sig.blocked) ||
	       (t->sig.jobctl & JOBCTL_STOP_PENDING);
}

void signal_recalc(struct task *t)
{
	WRITE_ONCE(t->thread->signal_pending, signal_work(t));
}

/*
 * Another task's flag is only ever set, never cleared (Linux's
 * signal_wake_up): it may be on its way out of a system call that saw the
 * flag and returned a restart code, which only signal_deliver settles.
 */
void signal_wake(struct task *t)
{
	struct thread *th = t->thread;

	if (th == current) {
		signal_recalc(t);
		return;
	}
	if (!signal_work(t))
		return;
	WRITE_ONCE(th->signal_pending, true);
	wake_up_state(th, THREAD_INTERRUPTIBLE);
	/* Running in user mode elsewhere: an interrupt makes it look. */
	if (READ_ONCE(th->on_cpu))
		resched_cpu(READ_ONCE(th->cpu));
}

void set_current_blocked(sigset_t mask)
{
	struct task *t = current_task();
	struct sighand *sh = t->sighand;
	unsigned long flags = spin_lock_irqsave(&sh->lock);

	t->sig.blocked = mask & ~SIG_UNBLOCKABLE;
	signal_recalc(t);
	spin_unlock_irqrestore(&sh->lock, flags);
}

struct task *process_first_task(struct process *p)
{
	lock_assert_held(&tasklist_lock);
	return list_first_entry_or_null(&p->tasks, struct task, proc_link);
}

/* ---- sighand ----------------------------------------------------------------- */

struct sighand *sighand_create(void)
{
	struct sighand *sh = kzalloc(sizeof(*sh), GFP_KERNEL);

	if (!sh)
		return NULL;
	sh->refcount = 1;
	spin_lock_init(&sh->lock);
	init_waitqueue_head(&sh->signalfd_wqh);
	return sh;
}

struct sighand *sighand_dup(struct sighand *sh)
{
	struct sighand *n = sighand_create();
	unsigned long flags;

	if (!n)
		return NULL;
	flags = spin_lock_irqsave(&sh->lock);
	memcpy(n->action, sh->action, sizeof(n->action));
	spin_unlock_irqrestore(&sh->lock, flags);
	return n;
}

void sighand_get(struct sighand *sh)
{
	__atomic_add_fetch(&sh->refcount, 1, __ATOMIC_RELAXED);
}

void sighand_put(struct sighand *sh)
{
	if (sh && __atomic_sub_fetch(&sh->refcount, 1, __ATOMIC_ACQ_REL) == 0)
		kfree(sh);
}

/* ---- processes and tasks ---------------------------------------------------- */

void signal_process_init(struct process *p)
{
	p->shared_pending.signal = 0;
	INIT_LIST_HEAD(&p->shared_pending.queue);
}

void signal_process_free(struct process *p)
{
	sigpending_flush(&p->shared_pending);
}

static void altstack_disable(struct task_signals *s)
{
	s->altstack_sp = 0;
	s->altstack_size = 0;
	s->altstack_flags = SS_DISABLE;
}

void signal_task_init(struct task *child, const struct task *parent,
		      unsigned long clone_flags)
{
	struct task_signals *s = &child->sig;

	memset(s, 0, sizeof(*s));
	INIT_LIST_HEAD(&s->pending.queue);
	s->fault_trapno = -1;
	altstack_disable(s);
	if (!parent)
		return;
	/* The parent is running: its mask and altstack are its own ([t]). */
	s->blocked = parent->sig.blocked;
	if ((clone_flags & (CLONE_VM | CLONE_VFORK)) == CLONE_VM)
		return;         /* a new thread on a shared VM: own stack */
	s->altstack_sp = parent->sig.altstack_sp;
	s->altstack_size = parent->sig.altstack_size;
	s->altstack_flags = parent->sig.altstack_flags;
}

bool fatal_signal_pending(void)
{
	struct task *t = current_task();

	if (!t)
		return false;
	return (READ_ONCE(t->sig.pending.signal) |
		READ_ONCE(t->proc->shared_pending.signal)) & sigmask(SIGKILL);
}

void signal_task_exit(struct task *t)
{
	struct sighand *sh = t->sighand;
	unsigned long flags;

	if (!sh) {
		sigpending_flush(&t->sig.pending);
		return;
	}
	flags = spin_lock_irqsave(&sh->lock);
	sigpending_flush(&t->sig.pending);
	spin_unlock_irqrestore(&sh->lock, flags);
}

void signal_clear_handlers(struct sighand *sh)
{
	unsigned long flags = spin_lock_irqsave(&sh->lock);

	for (int i = 0; i < NSIG; i++) {
		struct k_sigaction *ka = &sh->action[i];

		if (ka->handler != SIG_IGN)
			ka->handler = SIG_DFL;
		ka->flags = 0;
		ka->restorer = 0;
		ka->mask = 0;
	}
	spin_unlock_irqrestore(&sh->lock, flags);
}

int signal_exec_reset(struct task *t)
{
	struct sighand *sh = t->sighand, *old = NULL;

	if (__atomic_load_n(&sh->refcount, __ATOMIC_ACQUIRE) > 1) {
		struct sighand *n = sighand_dup(sh);

		if (!n)
			return -ENOMEM;
		/* Senders read t->sighand under tasklist_lock. */
		spin_lock(&tasklist_lock);
		t->sighand = n;
		spin_unlock(&tasklist_lock);
		old = sh;
		sh = n;
	}
	signal_clear_handlers(sh);
	altstack_disable(&t->sig);
	t->sig.restart.fn = NULL;
	sighand_put(old);
	return 0;
}
