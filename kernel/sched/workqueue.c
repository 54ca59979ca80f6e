/*
 * Workqueues: work items run by kernel worker threads.
 *
 * Model. A workqueue owns a FIFO list of queued items and a fixed set of
 * max_active worker threads ("<name>/<n>"), created with it and joined by
 * destroy_workqueue(). An idle worker sleeps on the queue's idle list;
 * queueing an item wakes one. A worker takes the oldest item, clears its
 * PENDING bit (so the item may be queued again, even by itself), runs the
 * function with no lock held, then looks for more. Items are never run
 * concurrently with themselves: a worker that takes an item another worker
 * of the queue is running moves it to that worker's "scheduled" list,
 * which the running worker serves before anything else, so the second
 * execution follows the first on the same thread. (At most one item can
 * be in such a list: the one its worker runs.)
 *
 * Ownership of a work item (the PENDING bit). Whoever sets PENDING (0→1)
 * owns the item's queueing until it clears the bit or hands it on: the
 * queuer puts it on a list (the list owns it until a worker takes it and
 * clears the bit) or arms its timer (the timer callback then queues it);
 * a canceler steals it back by disarming the timer or taking it off its
 * list (work_grab_pending). An owner holds it off-list only with interrupts
 * off (a bounded window: others retry) or with WORK_CANCELING set
 * (cancel_work_sync waiting for a running execution: others wait or give
 * up). work->queued_on, written under the lock of the queue it names,
 * tells a canceler which list holds the item; the worker never touches the
 * item after its function returns (it may have been freed), and compares
 * its address only.
 *
 * Flushing. Each queueing numbers the execution (work->seq) and the queue
 * position (work->wq_seq from wq->seq); workers remember the numbers of
 * what they run. flush_work waits until no execution of the item numbered
 * up to the one queued at the call is queued or running; flush_workqueue
 * until no item numbered up to the queue's count at the call is queued or
 * running (lists are FIFO, so their heads suffice). Waiters sleep on the
 * queue's waiters list; a worker wakes them all after every item.
 *
 * Locking:
 *	wq->lock	[l] the queue's lists, counters and worker state, and
 *			the [q]/[w] fields of its items (<keel/workqueue.h>).
 *			Taken with interrupts off (delayed-work timers queue
 *			from interrupt context). Waiters are woken under it
 *			(they live on their sleepers' stacks), so wq->lock
 *			comes before the run-queue locks; queueing wakes its
 *			worker after dropping it (the hot path). No two
 *			queue locks are held at once; no timer queue lock is
 *			taken under it (timers are armed and cancelled
 *			outside it).
 *	[I]		set before the workers start, read-only after
 *	[a]		atomic
 */
#include <keel/arch.h>
#include <keel/err.h>
#include <keel/errno.h>
#include <keel/panic.h>
#include <keel/printk.h>
#include <keel/sched.h>
#include <keel/slab.h>
#include <keel/smp.h>
#include <keel/spinlock.h>
#include <keel/sprintf.h>
#include <keel/string.h>
#include <keel/workqueue.h>

struct worker {
	struct workqueue_struct *wq;        /* [I] */
	struct thread *thread;              /* [I] */
	struct list_head scheduled;         /* [l] items that must run here */
	struct list_head idle_link;         /* [l] on wq->idle while idle */
	bool idle;                          /* [l] */
	bool waking;                        /* [l] woken, not looked yet */
	struct work_struct *current_work;   /* [l] running, or NULL (a key:
					       never followed) */
	u64 current_seq;                    /* [l] its work->seq */
	u64 current_wq_seq;                 /* [l] its work->wq_seq */
};

struct workqueue_struct {
	struct spinlock lock;
	char name[THREAD_NAME_LEN];         /* [I] */
	struct list_head worklist;          /* [l] queued items, FIFO */
	struct list_head idle;              /* [l] idle workers */
	struct list_head waiters;           /* [l] struct wq_waiter */
	u64 seq;                            /* [l] items queued so far */
	unsigned int nr_queued;             /* [l] items with queued_on == wq */
	unsigned int nr_waking;             /* [l] workers with waking set */
	bool dying;                         /* [l] workers exit when idle */
	unsigned int nr_workers;            /* [I] */
	struct worker workers[];            /* [I] */
};

/* A thread sleeping until a condition on the queue holds. */
struct wq_waiter {
	struct list_head link;              /* [l] */
	struct thread *thread;              /* [I] */
};

struct workqueue_struct *system_wq;

static int worker_thread(void *arg);

void init_work(struct work_struct *work, work_func_t func)
{
	work->flags = 0;
	INIT_LIST_HEAD(&work->entry);
	work->queued_on = NULL;
	work->wq = NULL;
	work->func = func;
	work->seq = 0;
	work->wq_seq = 0;
}

/* ---- waiting on a queue -------------------------------------------------- */

typedef bool (*wq_cond_t)(struct workqueue_struct *wq, const void *arg);

static void wq_wake_waiters(struct workqueue_struct *wq)
{
	struct wq_waiter *w;

	lock_assert_held(&wq->lock);
	list_for_each_entry(w, &wq->waiters, link)
		wake_up_thread(w->thread);
}

/*
 * Sleep until @done(@wq, @arg), evaluated under wq->lock, holds. Anything
 * that can make it true wakes wq->waiters under the lock afterwards.
 * Return: true if it had to wait.
 */
static bool wq_wait(struct workqueue_struct *wq, wq_cond_t done,
		    const void *arg)
{
	struct wq_waiter w = { .thread = current };
	unsigned long flags = spin_lock_irqsave(&wq->lock);
	bool waited = false;

	list_add_tail(&w.link, &wq->waiters);
	for (;;) {
		set_current_state(THREAD_UNINTERRUPTIBLE);
		if (done(wq, arg))
			break;
		waited = true;
		spin_unlock_irqrestore(&wq->lock, flags);
		schedule();
		flags = spin_lock_irqsave(&wq->lock);
	}
	__set_current_state(THREAD_RUNNING);
	list_del(&w.link);
	spin_unlock_irqrestore(&wq->lock, flags);
	return waited;
}

/* The worker of @wq running @work, or NULL. */
static struct worker *wq_find_running(struct workqueue_struct *wq,
				      const struct work_struct *work)
{
	unsigned int i;

	for (i = 0; i < wq->nr_workers; i++)
		if (wq->workers[i].current_work == work)
			return &wq->workers[i];
	return NULL;
}

struct work_target {
	struct work_struct *work;
	u64 seq;                /* executions numbered up to this one */
};

static bool work_done_upto(struct workqueue_struct *wq, const void *arg)
{
	const struct work_target *wt = arg;
	unsigned int i;

	if (wt->work->queued_on == wq && wt->work->seq <= wt->seq)
		return false;
	for (i = 0; i < wq->nr_workers; i++) {
		const struct worker *w = &wq->workers[i];

		if (w->current_work == wt->work && w->current_seq <= wt->seq)
			return false;
	}
	return true;
}

static bool wq_done_upto(struct workqueue_struct *wq, const void *arg)
{
	u64 target = *(const u64 *)arg;
	unsigned int i;

#define HEAD_UPTO(list) (!list_empty(list) &&                               \
	list_first_entry(list, struct work_struct, entry)->wq_seq <= target)
	if (HEAD_UPTO(&wq->worklist))
		return false;
	for (i = 0; i < wq->nr_workers; i++) {
		const struct worker *w = &wq->workers[i];

		if (HEAD_UPTO(&w->scheduled) ||
		    (w->current_work && w->current_wq_seq <= target))
			return false;
	}
#undef HEAD_UPTO
	return true;
}

static bool work_not_canceling(struct workqueue_struct *wq, const void *arg)
{
	const struct work_struct *work = arg;

	return !(__atomic_load_n(&work->flags, __ATOMIC_ACQUIRE) &
		 WORK_CANCELING);
}

/* The calling thread is one of @wq's workers (or any, for @wq NULL). */
static bool current_is_worker_of(const struct workqueue_struct *wq)
{
	const struct thread *t = current;

	return t->fn == worker_thread &&
	       (!wq || ((const struct worker *)t->arg)->wq == wq);
}

/* ---- workers ------------------------------------------------------------- */

/* Next item for @w, honouring non-reentrancy; off its list. */
static struct work_struct *worker_next(struct worker *w)
{
	struct workqueue_struct *wq = w->wq;

	if (w->waking) {
		w->waking = false;
		wq->nr_waking--;
	}
	for (;;) {
		struct work_struct *work;
		struct worker *busy;

		if (!list_empty(&w->scheduled))
			work = list_first_entry(&w->scheduled,
						struct work_struct, entry);
		else if (!list_empty(&wq->worklist))
			work = list_first_entry(&wq->worklist,
						struct work_struct, entry);
		else
			return NULL;
		list_del_init(&work->entry);
		busy = wq_find_running(wq, work);
		if (busy && busy != w) {
			/* Still queued_on wq: a canceler can take it there. */
			list_add_tail(&work->entry, &busy->scheduled);
			continue;
		}
		work->queued_on = NULL;
		wq->nr_queued--;
		return work;
	}
}

/* Run @work with wq->lock dropped; returns with it held again. */
static void worker_run(struct worker *w, struct work_struct *work,
		       unsigned long *flags)
{
	struct workqueue_struct *wq = w->wq;
	work_func_t func = work->func;

	w->current_work = work;
	w->current_seq = work->seq;
	w->current_wq_seq = work->wq_seq;
	/*
	 * A queue_work() from here on queues a new execution. The atomic
	 * orders this execution after whatever a queuer that saw PENDING
	 * (and returned false) wrote before.
	 */
	__atomic_fetch_and(&work->flags, ~WORK_PENDING, __ATOMIC_SEQ_CST);
	spin_unlock_irqrestore(&wq->lock, *flags);

	func(work);

	if (unlikely(preempt_count() || !arch_irqs_enabled())) {
		pr_err("workqueue %s: BUG: %pS returned with preempt count "
		       "%#x, interrupts %s\n", wq->name, func, preempt_count(),
		       arch_irqs_enabled() ? "on" : "off");
		arch_preempt_count_set(0);
		arch_irq_enable();
	}
	*flags = spin_lock_irqsave(&wq->lock);
	w->current_work = NULL;
	wq_wake_waiters(wq);
}

static int worker_thread(void *arg)
{
	struct worker *w = arg;
	struct workqueue_struct *wq = w->wq;
	unsigned long flags = spin_lock_irqsave(&wq->lock);

	for (;;) {
		struct work_struct *work = worker_next(w);

		if (work) {
			worker_run(w, work, &flags);
			continue;
		}
		if (wq->dying)
			break;
		/* Queuers wake it off the idle list: no wake-up is lost. */
		set_current_state(THREAD_UNINTERRUPTIBLE);
		w->idle = true;
		list_add(&w->idle_link, &wq->idle);
		spin_unlock_irqrestore(&wq->lock, flags);
		schedule();
		__set_current_state(THREAD_RUNNING);
		flags = spin_lock_irqsave(&wq->lock);
		if (w->idle) {
			list_del_init(&w->idle_link);
			w->idle = false;
		}
	}
	spin_unlock_irqrestore(&wq->lock, flags);
	return 0;
}

/*
 * Take an idle worker off the idle list for new work. Return: its thread,
 * for the caller to wake (after dropping the lock is fine: the worker
 * went to sleep setting its state first, and cannot exit while work is
 * queued), or NULL if none is idle.
 */
static struct thread *wq_claim_idle_worker(struct workqueue_struct *wq)
{
	struct worker *w;

	lock_assert_held(&wq->lock);
	if (list_empty(&wq->idle))
		return NULL;
	w = list_first_entry(&wq->idle, struct worker, idle_link);
	list_del_init(&w->idle_link);
	w->idle = false;
	w->waking = true;
	wq->nr_waking++;
	return w->thread;
}

struct work_struct *current_work(void)
{
	if (!current_is_worker_of(NULL))
		return NULL;
	return ((struct worker *)current->arg)->current_work;
}

/* ---- queueing ------------------------------------------------------------ */

/*
 * Put @work, whose PENDING bit the caller owns, on @wq.
 * Context: interrupts off.
 */
static void __queue_work(struct workqueue_struct *wq, struct work_struct *work)
{
	struct thread *wake = NULL;

	spin_lock(&wq->lock);
	if (unlikely(wq->dying)) {
		spin_unlock(&wq->lock);
		__atomic_fetch_and(&work->flags, ~WORK_PENDING,
				   __ATOMIC_RELEASE);
		pr_err("workqueue %s: BUG: %pS queued during "
		       "destroy_workqueue; dropped\n", wq->name, work->func);
		return;
	}
	WRITE_ONCE(work->wq, wq);
	work->seq++;
	work->wq_seq = ++wq->seq;
	list_add_tail(&work->entry, &wq->worklist);
	work->queued_on = wq;
	wq->nr_queued++;
	/*
	 * Wake a worker unless enough are on their way already, or the item
	 * is running: its worker takes it next (see worker_next()).
	 */
	if (wq->nr_waking < wq->nr_queued && !wq_find_running(wq, work))
		wake = wq_claim_idle_worker(wq);
	spin_unlock(&wq->lock);
	/* Outside the lock: it is the hot one, and waking takes a while. */
	if (wake)
		wake_up_thread(wake);
}

static bool work_test_and_set_pending(struct work_struct *work)
{
	return __atomic_fetch_or(&work->flags, WORK_PENDING,
				 __ATOMIC_SEQ_CST) & WORK_PENDING;
}

/*
 * The preempt_disable() around the interrupts-off region lets a wake-up
 * that should preempt the caller do so as soon as interrupts are back on.
 */
bool queue_work(struct workqueue_struct *wq, struct work_struct *work)
{
	unsigned long flags;
	bool queued = false;

	preempt_disable();
	flags = arch_irq_save();
	if (!work_test_and_set_pending(work)) {
		__queue_work(wq, work);
		queued = true;
	}
	arch_irq_restore(flags);
	preempt_enable();
	return queued;
}

static void delayed_work_timer_fn(struct timer *t)
{
	struct delayed_work *dwork = container_of(t, struct delayed_work,
						  timer);

	/* The timer owned PENDING; now the queue does. */
	__queue_work(READ_ONCE(dwork->work.wq), &dwork->work);
}

void init_delayed_work(struct delayed_work *dwork, work_func_t func)
{
	init_work(&dwork->work, func);
	timer_init_struct(&dwork->timer, delayed_work_timer_fn);
}

/* Queue or arm @dwork (PENDING owned). Context: interrupts off. */
static void __queue_delayed_work(struct workqueue_struct *wq,
				 struct delayed_work *dwork, u64 delay_ns)
{
	u64 now;

	if (!delay_ns) {
		__queue_work(wq, &dwork->work);
		return;
	}
	WRITE_ONCE(dwork->work.wq, wq);
	now = clock_monotonic_ns();
	timer_add(&dwork->timer,
		  delay_ns > ~0ULL - now ? ~0ULL : now + delay_ns);
}

bool queue_delayed_work(struct workqueue_struct *wq, struct delayed_work *dwork,
			u64 delay_ns)
{
	unsigned long flags;
	bool queued = false;

	preempt_disable();
	flags = arch_irq_save();
	if (!work_test_and_set_pending(&dwork->work)) {
		__queue_delayed_work(wq, dwork, delay_ns);
		queued = true;
	}
	arch_irq_restore(flags);
	preempt_enable();
	return queued;
}

/*
 * Take ownership of @work's PENDING bit: disarm its timer, take it off
 * its list, or set the bit if it was clear.
 * Return: 1 if it was pending (now stolen), 0 if it was not (now owned)
 * -- both with interrupts off, *@flags to restore; -EAGAIN if it is
 * between owners (retry), -ENOENT if a cancel_work_sync() holds it.
 */
static int work_grab_pending(struct work_struct *work, bool is_dwork,
			     unsigned long *flags)
{
	struct workqueue_struct *wq;

	*flags = arch_irq_save();
	if (is_dwork && timer_cancel(&to_delayed_work(work)->timer))
		return 1;       /* the armed timer owned it */
	if (!work_test_and_set_pending(work))
		return 0;
	wq = READ_ONCE(work->queued_on);
	if (wq) {
		spin_lock(&wq->lock);
		/* Only wq->lock's holder sets queued_on to wq or away. */
		if (work->queued_on == wq) {
			list_del_init(&work->entry);
			work->queued_on = NULL;
			wq->nr_queued--;
			spin_unlock(&wq->lock);
			return 1;
		}
		spin_unlock(&wq->lock);
	}
	arch_irq_restore(*flags);
	if (__atomic_load_n(&work->flags, __ATOMIC_ACQUIRE) & WORK_CANCELING)
		return -ENOENT;
	return -EAGAIN;
}

/* work_grab_pending, retrying while the item is between owners. */
static int work_grab_pending_retry(struct work_struct *work, bool is_dwork,
				   unsigned long *flags)
{
	int ret;

	while ((ret = work_grab_pending(work, is_dwork, flags)) == -EAGAIN)
		arch_cpu_relax();
	return ret;
}

bool mod_delayed_work(struct workqueue_struct *wq, struct delayed_work *dwork,
		      u64 delay_ns)
{
	unsigned long flags;
	int ret;

	preempt_disable();
	ret = work_grab_pending_retry(&dwork->work, true, &flags);
	if (ret >= 0) {
		__queue_delayed_work(wq, dwork, delay_ns);
		arch_irq_restore(flags);
	}
	preempt_enable();
	return ret == 1;
}

static bool wq_system_ready(void)
{
	if (likely(system_wq))
		return true;
	pr_err("workqueue: BUG: no system_wq (boot had no memory); "
	       "work not queued\n");
	return false;
}

bool schedule_work(struct work_struct *work)
{
	return wq_system_ready() && queue_work(system_wq, work);
}

bool schedule_delayed_work(struct delayed_work *dwork, u64 delay_ns)
{
	return wq_system_ready() &&
	       queue_delayed_work(system_wq, dwork, delay_ns);
}

/* ---- flushing and cancelling --------------------------------------------- */

bool flush_work(struct work_struct *work)
{
	struct workqueue_struct *wq = READ_ONCE(work->wq);
	struct work_target wt = { .work = work };
	unsigned long flags;

	might_sleep();
	if (!wq)
		return false;   /* never queued */
	if (current_work() == work) {
		pr_err("workqueue %s: BUG: %pS flushes itself\n", wq->name,
		       work->func);
		return false;
	}
	flags = spin_lock_irqsave(&wq->lock);
	wt.seq = work->seq;
	spin_unlock_irqrestore(&wq->lock, flags);
	return wq_wait(wq, work_done_upto, &wt);
}

bool flush_delayed_work(struct delayed_work *dwork)
{
	unsigned long flags;

	preempt_disable();
	flags = arch_irq_save();
	/* A disarmed pending timer hands PENDING to us: queue it now. */
	if (timer_cancel(&dwork->timer))
		__queue_work(READ_ONCE(dwork->work.wq), &dwork->work);
	arch_irq_restore(flags);
	preempt_enable();
	return flush_work(&dwork->work);
}

static bool __cancel_work(struct work_struct *work, bool is_dwork)
{
	unsigned long flags;
	int ret = work_grab_pending_retry(work, is_dwork, &flags);

	if (ret < 0)
		return false;   /* a cancel_work_sync() has it */
	__atomic_fetch_and(&work->flags, ~WORK_PENDING, __ATOMIC_RELEASE);
	arch_irq_restore(flags);
	return ret == 1;
}

bool cancel_work(struct work_struct *work)
{
	return __cancel_work(work, false);
}

bool cancel_delayed_work(struct delayed_work *dwork)
{
	return __cancel_work(&dwork->work, true);
}

/* Another cancel_work_sync() holds @work: wait for it to finish. */
static void wait_other_cancel(struct work_struct *work)
{
	struct workqueue_struct *wq = READ_ONCE(work->wq);

	if (wq)
		wq_wait(wq, work_not_canceling, work);
	else
		yield();        /* never queued: the other one is quick */
}

static bool __cancel_work_sync(struct work_struct *work, bool is_dwork)
{
	struct work_target wt = { .work = work, .seq = ~0ULL };
	struct workqueue_struct *wq;
	unsigned long flags;
	int ret;

	might_sleep();
	while ((ret = work_grab_pending_retry(work, is_dwork, &flags)) < 0)
		wait_other_cancel(work);
	/*
	 * Keep PENDING while waiting for a running execution, so queueing
	 * (the function re-queueing itself included) fails meanwhile.
	 */
	__atomic_fetch_or(&work->flags, WORK_CANCELING, __ATOMIC_SEQ_CST);
	arch_irq_restore(flags);
	wq = READ_ONCE(work->wq);
	if (wq) {
		if (current_work() == work)
			pr_err("workqueue %s: BUG: %pS cancels itself "
			       "synchronously\n", wq->name, work->func);
		else
			wq_wait(wq, work_done_upto, &wt);
	}
	__atomic_fetch_and(&work->flags, ~(WORK_PENDING | WORK_CANCELING),
			   __ATOMIC_SEQ_CST);
	if (wq) {
		flags = spin_lock_irqsave(&wq->lock);
		wq_wake_waiters(wq);    /* other cancelers */
		spin_unlock_irqrestore(&wq->lock, flags);
	}
	return ret == 1;
}

bool cancel_work_sync(struct work_struct *work)
{
	return __cancel_work_sync(work, false);
}

bool cancel_delayed_work_sync(struct delayed_work *dwork)
{
	return __cancel_work_sync(&dwork->work, true);
}

void flush_workqueue(struct workqueue_struct *wq)
{
	unsigned long flags;
	u64 target;

	might_sleep();
	if (current_is_worker_of(wq)) {
		pr_err("workqueue %s: BUG: flush_workqueue from its own "
		       "worker\n", wq->name);
		return;
	}
	flags = spin_lock_irqsave(&wq->lock);
	target = wq->seq;
	spin_unlock_irqrestore(&wq->lock, flags);
	wq_wait(wq, wq_done_upto, &target);
}

/* ---- creating and destroying --------------------------------------------- */

static unsigned int wq_default_active(void)
{
	return MIN(MAX(4U, 2 * num_online_cpus()), (unsigned int)WQ_MAX_ACTIVE);
}

struct workqueue_struct *alloc_workqueue(const char *name, unsigned int flags,
					 int max_active)
{
	unsigned int n = max_active > 0 ? MIN((unsigned int)max_active,
					      (unsigned int)WQ_MAX_ACTIVE)
					: wq_default_active();
	struct workqueue_struct *wq;
	unsigned int i, created;

	might_sleep();
	wq = kzalloc(sizeof(*wq) + n * sizeof(struct worker), GFP_KERNEL);
	if (!wq)
		return NULL;
	spin_lock_init(&wq->lock);
	strlcpy(wq->name, name, sizeof(wq->name));
	INIT_LIST_HEAD(&wq->worklist);
	INIT_LIST_HEAD(&wq->idle);
	INIT_LIST_HEAD(&wq->waiters);
	wq->nr_workers = n;
	for (created = 0; created < n; created++) {
		struct worker *w = &wq->workers[created];
		char tname[THREAD_NAME_LEN];

		w->wq = wq;
		INIT_LIST_HEAD(&w->scheduled);
		INIT_LIST_HEAD(&w->idle_link);
		snprintf(tname, sizeof(tname), "%s/%u", name, created);
		w->thread = kthread_create(worker_thread, w, tname);
		if (IS_ERR(w->thread))
			break;
		if (flags & WQ_HIGHPRI)
			sched_set_nice(w->thread, -20);
	}
	/* Short of threads: the ones created see dying and exit at once. */
	wq->dying = created < n;
	for (i = 0; i < created; i++)
		thread_start(wq->workers[i].thread);
	if (created == n)
		return wq;
	for (i = 0; i < created; i++)
		kthread_join(wq->workers[i].thread);
	kfree(wq);
	return NULL;
}

static bool wq_is_idle(struct workqueue_struct *wq)
{
	unsigned int i;

	if (!list_empty(&wq->worklist))
		return false;
	for (i = 0; i < wq->nr_workers; i++)
		if (wq->workers[i].current_work ||
		    !list_empty(&wq->workers[i].scheduled))
			return false;
	return true;
}

void destroy_workqueue(struct workqueue_struct *wq)
{
	unsigned long flags;
	unsigned int i, round;
	bool idle;

	might_sleep();
	KASSERT(!current_is_worker_of(wq));
	/* Items may re-queue themselves while draining: flush until idle. */
	for (round = 1;; round++) {
		flush_workqueue(wq);
		flags = spin_lock_irqsave(&wq->lock);
		idle = wq_is_idle(wq);
		if (idle) {
			struct thread *t;

			wq->dying = true;
			while ((t = wq_claim_idle_worker(wq)))
				wake_up_thread(t);
		}
		spin_unlock_irqrestore(&wq->lock, flags);
		if (idle)
			break;
		if (round % 100 == 0)
			pr_warn("workqueue %s: not drained after %u flushes\n",
				wq->name, round);
	}
	for (i = 0; i < wq->nr_workers; i++)
		kthread_join(wq->workers[i].thread);
	kfree(wq);
}

void workqueue_init(void)
{
	system_wq = alloc_workqueue("events", 0, 0);
	if (!system_wq)
		pr_err("workqueue: cannot create system_wq (no memory)\n");
}
