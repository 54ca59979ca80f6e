/*
 * POSIX per-process timers: timer_create(2), timer_settime(2),
 * timer_gettime(2), timer_getoverrun(2), timer_delete(2).
 *
 * A timer belongs to its process (struct ptimer_state in struct process,
 * under process->lock) and is named there by a small id (0, 1, ...; ids
 * are not reused until they wrap). It counts on one of three clocks:
 * the wall clock (REALTIME, TAI, REALTIME_ALARM), the monotonic clock
 * (MONOTONIC, BOOTTIME, BOOTTIME_ALARM: Keel does not suspend), or the
 * CPU time of a process or of a thread of the caller's process.
 *
 * Expiry: a delayed work item per timer (the timer callback runs in
 * interrupt context; the work runs in process context, where signals can
 * be sent). It re-reads the clock, so an early run (the wall clock was set
 * back) just waits again; CPU clocks are polled every few milliseconds, as
 * in itimer.c. A periodic timer advances by whole intervals: expiries
 * missed meanwhile count as overruns.
 *
 * Overruns (Linux's rules): one timer has at most one signal queued. When
 * it expires while that signal is still pending, no new signal is sent:
 * the si_overrun of the queued record grows instead. timer_getoverrun
 * reports the overrun count of the signal delivered last. Keel finds the
 * queued record by its si_code SI_TIMER and si_timerid in the pending
 * queue; ovr_seen is the count last written into it, ovr_last the count
 * of the one delivered before.
 *
 * Like Linux, each timer holds one RLIMIT_SIGPENDING charge of the
 * creating user for its life (timer_create fails with EAGAIN over the
 * limit). Unlike Linux, the signal itself is queued with a fresh record;
 * at the limit a standard signal then arrives without its siginfo.
 *
 * Life time: a timer is freed by timer_delete or posix_timers_exit after
 * it is unlinked (under tasklist_lock and process->lock: whoever holds
 * either while finding it in the list may use it) and its work is
 * cancelled synchronously; the work re-arms itself only while the timer
 * is linked. Each timer holds a reference on its process.
 */
#include <keel/errno.h>
#include <keel/slab.h>
#include <keel/spinlock.h>
#include <keel/string.h>
#include <keel/syscall.h>
#include <keel/task.h>
#include <keel/uaccess.h>
#include <keel/usertime.h>
#include <keel/workqueue.h>

#include "../proc/signal_internal.h"

#define PTIMER_CPU_POLL_NS (4 * NSEC_PER_MSEC)
/*
 * The shortest wait between two runs of a periodic timer's work: expiries
 * closer together are counted as overruns, so a tiny interval cannot keep
 * a worker busy (Linux stops such a timer while its signal is pending).
 */
#define PTIMER_MIN_PERIOD_NS (1 * NSEC_PER_MSEC)
#define PTIMER_ID_MAX 0x7fffffff
#define DELAYTIMER_MAX 0x7fffffff       /* the largest overrun count */
#define SIGRTMAX NSIG

enum ptimer_base {
	PTIMER_REAL,            /* clock_realtime_ns() */
	PTIMER_MONO,            /* clock_monotonic_ns() */
	PTIMER_CPU_PROCESS,     /* process_cputime_ns() of process cpu_id */
	PTIMER_CPU_THREAD,      /* thread_cputime_ns() of task cpu_id */
};

struct posix_timer {
	struct list_head link;          /* [p] in ptimer_state.list */
	int id;                         /* [I] */
	bool linked;                    /* [p] false: being deleted */
	enum ptimer_base base;          /* [I] */
	pid_t cpu_id;                   /* [I] pid or tid of a CPU clock */
	struct process *proc;           /* [I] the owner (a reference) */
	int notify;                     /* [I] SIGEV_* (THREAD as SIGNAL) */
	int signo;                      /* [I] */
	u64 value;                      /* [I] sigev_value (set before armed) */
	pid_t tid;                      /* [I] SIGEV_THREAD_ID target */
	u64 expires;                    /* [p] clock ns; 0: disarmed */
	u64 interval;                   /* [p] ns; 0: one-shot */
	int ovr_seen;                   /* [T] si_overrun of the last queued */
	int ovr_last;                   /* [T] si_overrun of the one before */
	struct sigqueue *charge;        /* RLIMIT_SIGPENDING charge */
	struct delayed_work work;
};

static void ptimer_work_fn(struct work_struct *work);

/* ---- clocks ------------------------------------------------------------------ */

/*
 * The CPU time of @tm's clock: process cpu_id, or thread cpu_id of the
 * timer's own process. Return: 0 or -ESRCH. Context: takes tasklist_lock.
 */
static int ptimer_cpu_now(const struct posix_timer *tm, u64 *ns)
{
	struct process *p;
	struct task *t;
	bool found;

	spin_lock(&tasklist_lock);
	if (tm->base == PTIMER_CPU_THREAD) {
		t = task_by_tid(tm->cpu_id);
		found = t && t->proc == tm->proc;
		if (found)
			*ns = thread_cputime_ns(t->thread);
		spin_unlock(&tasklist_lock);
		return found ? 0 : -ESRCH;
	}
	p = process_by_pid(tm->cpu_id);
	if (p)
		process_get(p);
	spin_unlock(&tasklist_lock);
	if (!p)
		return -ESRCH;
	*ns = process_cputime_ns(p);
	process_put(p);
	return 0;
}

/* The time of @tm's clock. Return: 0, or -ESRCH (its CPU clock is gone). */
static int ptimer_now(const struct posix_timer *tm, u64 *ns)
{
	switch (tm->base) {
	case PTIMER_REAL:
		*ns = clock_realtime_ns();
		return 0;
	case PTIMER_MONO:
		*ns = clock_monotonic_ns();
		return 0;
	default:
		return ptimer_cpu_now(tm, ns);
	}
}

/*
 * Choose the base of a new timer of tm->proc on clock @clk. The calling
 * task's own thread clock needs the caller to be a task of tm->proc.
 * Return: 0, -EINVAL (unknown clock, no such process/thread), -EOPNOTSUPP
 * (a clock without timers) or -EPERM (alarm clocks need privilege).
 */
static int ptimer_clock(struct posix_timer *tm, clockid_t clk)
{
	struct task *t, *me = current_task();
	struct process *p = tm->proc;
	bool found;

	switch (clk) {
	case CLOCK_REALTIME_ALARM:
	case CLOCK_BOOTTIME_ALARM:
		if (!cred_is_root(current_cred_or_root()))
			return -EPERM;
		tm->base = clk == CLOCK_REALTIME_ALARM ? PTIMER_REAL :
			   PTIMER_MONO;
		return 0;
	case CLOCK_REALTIME:
	case CLOCK_TAI:
		tm->base = PTIMER_REAL;
		return 0;
	case CLOCK_MONOTONIC:
	case CLOCK_BOOTTIME:
		tm->base = PTIMER_MONO;
		return 0;
	case CLOCK_PROCESS_CPUTIME_ID:
		tm->base = PTIMER_CPU_PROCESS;
		tm->cpu_id = p->pid;
		return 0;
	case CLOCK_THREAD_CPUTIME_ID:
		if (!me || me->proc != p)
			return -EINVAL;
		tm->base = PTIMER_CPU_THREAD;
		tm->cpu_id = me->tid;
		return 0;
	case CLOCK_MONOTONIC_RAW:
	case CLOCK_REALTIME_COARSE:
	case CLOCK_MONOTONIC_COARSE:
		return -EOPNOTSUPP;     /* Linux: no timer_create method */
	}
	if (clk >= 0 || (clk & CPUCLOCK_CLOCK_MASK) == CLOCKFD)
		return -EINVAL;
	/* ~pid << 3 | perthread | which (clock_getcpuclockid(3)). */
	tm->cpu_id = (pid_t)~(clk >> 3);
	tm->base = (clk & CPUCLOCK_PERTHREAD_MASK) ? PTIMER_CPU_THREAD :
		   PTIMER_CPU_PROCESS;
	if (!tm->cpu_id && tm->base == PTIMER_CPU_PROCESS) {
		tm->cpu_id = p->pid;
		return 0;
	}
	if (!tm->cpu_id) {
		if (!me || me->proc != p)
			return -EINVAL;
		tm->cpu_id = me->tid;
		return 0;
	}
	spin_lock(&tasklist_lock);
	if (tm->base == PTIMER_CPU_THREAD) {
		t = task_by_tid(tm->cpu_id);
		found = t && t->proc == p;
	} else {
		found = process_by_pid(tm->cpu_id) != NULL;
	}
	spin_unlock(&tasklist_lock);
	return found ? 0 : -EINVAL;
}

/* ---- signals ------------------------------------------------------------------- */

/* @tm's queued signal in @pend, or NULL. [S] held. */
static struct sigqueue *ptimer_queued(struct posix_timer *tm,
				      struct sigpending *pend)
{
	struct sigqueue *q;

	if (!(pend->signal & sigmask(tm->signo)))
		return NULL;
	list_for_each_entry(q, sigpending_queue(pend), link)
		if (q->info.si_signo == tm->signo &&
		    q->info.si_code == SI_TIMER &&
		    q->info._sifields.timer.tid == tm->id)
			return q;
	return NULL;
}

/*
 * The task @tm signals and where its signal is pending: a private queue
 * for SIGEV_THREAD_ID, else the process's. Return: NULL (no live task).
 * Context: tasklist_lock held.
 */
static struct task *ptimer_target(struct posix_timer *tm, bool *shared)
{
	struct task *t;

	*shared = tm->notify != SIGEV_THREAD_ID;
	if (!*shared) {
		t = task_by_tid(tm->tid);
		return t && t->proc == tm->proc ? t : NULL;
	}
	return process_first_task(tm->proc);
}

static int ovr_add(int ovr, u64 n)
{
	u64 sum = (u64)ovr + n;

	return sum > DELAYTIMER_MAX ? DELAYTIMER_MAX : (int)sum;
}

/*
 * Is the signal @tm queued last still pending? If so, its si_overrun
 * grows by @add (0: just look). Context: tasklist_lock held; takes the
 * target's sighand lock.
 */
static bool ptimer_pending(struct posix_timer *tm, u64 add)
{
	struct sigpending *pend;
	struct sigqueue *q;
	unsigned long flags;
	struct task *t;
	bool shared;

	t = ptimer_target(tm, &shared);
	if (!t || !t->sighand)
		return false;
	flags = spin_lock_irqsave(&t->sighand->lock);
	pend = shared ? &tm->proc->shared_pending : &t->sig.pending;
	q = ptimer_queued(tm, pend);
	if (q && add) {
		q->info._sifields.timer.overrun =
			ovr_add(q->info._sifields.timer.overrun, add);
		tm->ovr_seen = q->info._sifields.timer.overrun;
	}
	spin_unlock_irqrestore(&t->sighand->lock, flags);
	return q != NULL;
}

/*
 * @tm expired @n times (n - 1 of them missed): queue its signal, or count
 * the expiries as overruns of the one still pending.
 * Context: process context (the timer's work), no locks held.
 */
static void ptimer_fire(struct posix_timer *tm, u64 n)
{
	siginfo_t info;
	struct task *t;
	bool shared;

	spin_lock(&tasklist_lock);
	if (ptimer_pending(tm, n))
		goto out;
	t = ptimer_target(tm, &shared);
	if (!t)
		goto out;
	tm->ovr_last = tm->ovr_seen;    /* that one has been delivered */
	tm->ovr_seen = ovr_add(0, n - 1);
	memset(&info, 0, sizeof(info));
	info.si_signo = tm->signo;
	info.si_code = SI_TIMER;
	info._sifields.timer.tid = tm->id;
	info._sifields.timer.overrun = tm->ovr_seen;
	info._sifields.timer.value.sival_ptr = tm->value;
	send_sig_info_locked(t, &info, shared);
out:
	spin_unlock(&tasklist_lock);
}

/* ---- expiry ------------------------------------------------------------------- */

/* Queue @tm's work @delay ns from now (a CPU clock: poll). [p] held. */
static void ptimer_arm(struct posix_timer *tm, u64 delay, bool modify)
{
	lock_assert_held(&tm->proc->lock);
	if (tm->base >= PTIMER_CPU_PROCESS && delay > PTIMER_CPU_POLL_NS)
		delay = PTIMER_CPU_POLL_NS;
	if (modify)
		mod_delayed_work(system_wq, &tm->work, delay);
	else
		queue_delayed_work(system_wq, &tm->work, delay);
}

/*
 * Advance @tm past @now if it has expired. Return: the number of
 * expiries (0: not yet). Context: [p] held.
 */
static u64 ptimer_advance(struct posix_timer *tm, u64 now)
{
	u64 n;

	if (!tm->expires || now < tm->expires)
		return 0;
	if (!tm->interval) {
		tm->expires = 0;
		return 1;
	}
	n = (now - tm->expires) / tm->interval + 1;
	if (tm->interval > (TIME_NS_MAX - tm->expires) / n)
		tm->expires = TIME_NS_MAX;
	else
		tm->expires += n * tm->interval;
	return n;
}

static void ptimer_work_fn(struct work_struct *work)
{
	struct posix_timer *tm = container_of(to_delayed_work(work),
					      struct posix_timer, work);
	struct process *p = tm->proc;
	u64 now, n = 0;
	bool alive;

	if (ptimer_now(tm, &now))
		return;                 /* its CPU clock is gone: never fires */
	alive = READ_ONCE(p->state) == PROCESS_ALIVE;
	spin_lock(&p->lock);
	if (tm->linked && alive) {
		n = ptimer_advance(tm, now);
		if (tm->expires) {
			u64 delay = tm->expires > now ? tm->expires - now : 0;

			if (n && delay < PTIMER_MIN_PERIOD_NS)
				delay = PTIMER_MIN_PERIOD_NS;
			ptimer_arm(tm, delay, false);
		}
	}
	spin_unlock(&p->lock);
	if (n && tm->notify != SIGEV_NONE)
		ptimer_fire(tm, n);
}

/* ---- the timer list ------------------------------------------------------------- */

static struct list_head *ptimer_list(struct process *p)
{
	if (unlikely(!p->ptimers.list.next))
		INIT_LIST_HEAD(&p->ptimers.list);
	return &p->ptimers.list;
}

/* Timer @id of @p, or NULL. Context: [p] held. */
static struct posix_timer *ptimer_find(struct process *p, int id)
{
	struct posix_timer *tm;

	lock_assert_held(&p->lock);
	list_for_each_entry(tm, ptimer_list(p), link)
		if (tm->id == id)
			return tm;
	return NULL;
}

/* Link @tm into @p under a free id. Return: 0 or -EAGAIN. [T], [p] held. */
static int ptimer_link(struct process *p, struct posix_timer *tm)
{
	struct ptimer_state *ps = &p->ptimers;
	int tries;

	for (tries = 0; tries < 65536; tries++) {
		int id = ps->next_id;

		ps->next_id = id == PTIMER_ID_MAX ? 0 : id + 1;
		if (!ptimer_find(p, id)) {
			tm->id = id;
			tm->linked = true;
			list_add_tail(&tm->link, ptimer_list(p));
			ps->count++;
			return 0;
		}
	}
	return -EAGAIN;
}

/* Unlink @tm (it can no longer be found). Context: [T] and [p] held. */
static void ptimer_unlink(struct process *p, struct posix_timer *tm)
{
	list_del_init(&tm->link);
	tm->linked = false;
	tm->expires = 0;
	p->ptimers.count--;
}

/* Free an unlinked @tm. Context: process context, no locks held. */
static void ptimer_free(struct posix_timer *tm)
{
	cancel_delayed_work_sync(&tm->work);
	sigqueue_free(tm->charge);
	process_put(tm->proc);
	kfree(tm);
}

void posix_timers_exit(struct process *p)
{
	struct posix_timer *tm;

	for (;;) {
		spin_lock(&tasklist_lock);
		spin_lock(&p->lock);
		tm = list_first_entry_or_null(ptimer_list(p),
					      struct posix_timer, link);
		if (tm)
			ptimer_unlink(p, tm);
		spin_unlock(&p->lock);
		spin_unlock(&tasklist_lock);
		if (!tm)
			return;
		ptimer_free(tm);
	}
}

/* ---- the calls ------------------------------------------------------------------- */

/* Check @ev as Linux's good_sigevent and store it in @tm. */
static int ptimer_event(struct posix_timer *tm, const struct sigevent *ev)
{
	struct task *t;
	bool ok;

	tm->notify = ev->sigev_notify;
	tm->signo = ev->sigev_signo;
	tm->value = ev->sigev_value;
	switch (ev->sigev_notify) {
	case SIGEV_THREAD_ID:
		tm->tid = ev->_sigev_un._tid;
		spin_lock(&tasklist_lock);
		t = task_by_tid(tm->tid);
		ok = t && t->proc == tm->proc;
		spin_unlock(&tasklist_lock);
		if (!ok)
			return -EINVAL;
		__attribute__((fallthrough));
	case SIGEV_SIGNAL:
	case SIGEV_THREAD:
		if (ev->sigev_signo <= 0 || ev->sigev_signo > SIGRTMAX)
			return -EINVAL;
		if (tm->notify == SIGEV_THREAD)
			tm->notify = SIGEV_SIGNAL;
		return 0;
	case SIGEV_NONE:
		return 0;
	}
	return -EINVAL;
}

/* Link @tm into @p under a new id. Return: 0 or -EAGAIN. */
static int ptimer_add(struct process *p, struct posix_timer *tm,
		      bool null_event)
{
	int ret;

	spin_lock(&tasklist_lock);
	spin_lock(&p->lock);
	ret = ptimer_link(p, tm);
	if (!ret && null_event)
		tm->value = (u64)tm->id;        /* sigev_value: the id */
	spin_unlock(&p->lock);
	spin_unlock(&tasklist_lock);
	return ret;
}

int posix_timer_create(struct process *p, clockid_t clk,
		       const struct sigevent *ev)
{
	struct sigevent def = { .sigev_notify = SIGEV_SIGNAL,
				.sigev_signo = SIGALRM };
	siginfo_t info = { .si_code = SI_TIMER };
	struct posix_timer *tm;
	int ret;

	tm = kzalloc(sizeof(*tm), GFP_KERNEL);
	if (!tm)
		return -ENOMEM;
	INIT_DELAYED_WORK(&tm->work, ptimer_work_fn);
	INIT_LIST_HEAD(&tm->link);
	tm->proc = p;
	ret = ptimer_event(tm, ev ? ev : &def);
	if (!ret)
		ret = ptimer_clock(tm, clk);
	if (ret) {
		kfree(tm);
		return ret;
	}
	/* Held for the timer's life, like Linux's preallocated record. */
	tm->charge = sigqueue_alloc(&info, p->cred.uid, false);
	if (!tm->charge) {
		kfree(tm);
		return -EAGAIN;
	}
	process_get(p);
	ret = ptimer_add(p, tm, !ev);
	if (ret) {
		ptimer_free(tm);
		return ret;
	}
	return tm->id;
}

int posix_timer_delete(struct process *p, int id)
{
	struct posix_timer *tm;

	spin_lock(&tasklist_lock);
	spin_lock(&p->lock);
	tm = ptimer_find(p, id);
	if (tm)
		ptimer_unlink(p, tm);
	spin_unlock(&p->lock);
	spin_unlock(&tasklist_lock);
	if (!tm)
		return -EINVAL;
	ptimer_free(tm);
	return 0;
}

/* What is left of @tm at @now, as Linux's common_timer_get. [p] held. */
static struct itimerspec ptimer_get(struct posix_timer *tm, u64 now)
{
	struct itimerspec cur = { 0 };
	u64 next;

	cur.it_interval = timespec_from_ns(tm->interval);
	if (tm->notify == SIGEV_NONE)
		ptimer_advance(tm, now);        /* no work counts it down */
	next = tm->expires;
	/* A periodic one whose work is late: its next expiry (no overflow:
	 * both terms are below 2^63). */
	if (next && next <= now && tm->interval)
		next += ((now - next) / tm->interval + 1) * tm->interval;
	if (!next)
		return cur;
	if (next > now)
		cur.it_value = timespec_from_ns(next - now);
	else
		cur.it_value.tv_nsec = 1;       /* the work has yet to run */
	return cur;
}

/*
 * Find timer @id of @p and read its clock into *@now. Return: the timer
 * with [p] held, or NULL (no such timer) with it not held.
 */
static struct posix_timer *ptimer_lock(struct process *p, int id, u64 *now)
{
	struct posix_timer *tm, probe = { 0 };

	spin_lock(&p->lock);
	tm = ptimer_find(p, id);
	if (tm) {
		probe.base = tm->base;
		probe.cpu_id = tm->cpu_id;
		probe.proc = tm->proc;
	}
	spin_unlock(&p->lock);
	if (!tm)
		return NULL;
	if (ptimer_now(&probe, now))
		*now = 0;       /* a CPU clock that is gone never expires */
	spin_lock(&p->lock);
	tm = ptimer_find(p, id);        /* deleted meanwhile? */
	if (!tm)
		spin_unlock(&p->lock);
	return tm;
}

int posix_timer_gettime(struct process *p, int id, struct itimerspec *cur)
{
	struct posix_timer *tm;
	u64 now;

	tm = ptimer_lock(p, id, &now);
	if (!tm)
		return -EINVAL;
	*cur = ptimer_get(tm, now);
	spin_unlock(&p->lock);
	return 0;
}

int posix_timer_settime(struct process *p, int id, int flags, u64 value,
			u64 interval, struct itimerspec *old)
{
	struct posix_timer *tm;
	struct itimerspec prev;
	u64 now;

	tm = ptimer_lock(p, id, &now);
	if (!tm)
		return -EINVAL;
	prev = ptimer_get(tm, now);
	tm->interval = value ? interval : 0;
	if (!value)
		tm->expires = 0;
	else if (flags & TIMER_ABSTIME)
		tm->expires = value;
	else
		tm->expires = value > TIME_NS_MAX - now ? TIME_NS_MAX :
			      now + value;
	if (tm->expires && tm->notify != SIGEV_NONE)
		ptimer_arm(tm, tm->expires > now ? tm->expires - now : 0, true);
	else
		cancel_delayed_work(&tm->work);
	spin_unlock(&p->lock);
	if (old)
		*old = prev;
	return 0;
}

int posix_timer_getoverrun(struct process *p, int id)
{
	struct posix_timer *tm;
	int ret = -EINVAL;

	/* tasklist_lock keeps a found timer (unlinking needs it too). */
	spin_lock(&tasklist_lock);
	spin_lock(&p->lock);
	tm = ptimer_find(p, id);
	spin_unlock(&p->lock);
	if (tm) {
		/* Its last signal still pending: the one before counts. */
		if (!ptimer_pending(tm, 0))
			tm->ovr_last = tm->ovr_seen;
		ret = tm->ovr_last;
	}
	spin_unlock(&tasklist_lock);
	return ret;
}

/* ---- the system calls --------------------------------------------------------- */

SYSCALL_DEFINE3(timer_create, clockid_t, which, struct sigevent __user *, sevp,
		int __user *, idp)
{
	struct process *p = current_process();
	struct sigevent ev;
	int id;

	if (sevp && copy_from_user(&ev, sevp, sizeof(ev)))
		return -EFAULT;
	id = posix_timer_create(p, which, sevp ? &ev : NULL);
	if (id < 0)
		return id;
	if (put_user(id, idp)) {
		posix_timer_delete(p, id);
		return -EFAULT;
	}
	return 0;
}

SYSCALL_DEFINE2(timer_gettime, int, id, struct itimerspec __user *, curr)
{
	struct itimerspec cur;
	int ret = posix_timer_gettime(current_process(), id, &cur);

	if (ret)
		return ret;
	return copy_to_user(curr, &cur, sizeof(cur)) ? -EFAULT : 0;
}

SYSCALL_DEFINE4(timer_settime, int, id, int, flags,
		const struct itimerspec __user *, nv,
		struct itimerspec __user *, ov)
{
	struct itimerspec old;
	u64 value, interval;
	int ret;

	if (!nv)
		return -EINVAL;
	ret = timespec_get_ns(&nv->it_value, &value);
	if (!ret)
		ret = timespec_get_ns(&nv->it_interval, &interval);
	if (!ret)
		ret = posix_timer_settime(current_process(), id, flags, value,
					  interval, ov ? &old : NULL);
	if (ret)
		return ret;
	if (ov && copy_to_user(ov, &old, sizeof(old)))
		return -EFAULT;
	return 0;
}

SYSCALL_DEFINE1(timer_getoverrun, int, id)
{
	return posix_timer_getoverrun(current_process(), id);
}

SYSCALL_DEFINE1(timer_delete, int, id)
{
	return posix_timer_delete(current_process(), id);
}
