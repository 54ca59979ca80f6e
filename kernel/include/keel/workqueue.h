/*
 * Workqueues: run functions later, in kernel worker threads.
 *
 * A work item (struct work_struct, usually embedded in the object it works
 * on) names a function. Queueing it on a workqueue makes one of that
 * queue's worker threads call the function, in process context: it may
 * sleep, take mutexes, allocate. A delayed work item is queued by a timer
 * after a delay.
 *
 *	INIT_WORK(&obj->work, obj_work_fn);
 *	queue_work(wq, &obj->work);     false if already pending
 *	flush_work(&obj->work);         wait for the queued execution
 *	cancel_work_sync(&obj->work);   unqueue, wait for a running one
 *
 *	INIT_DELAYED_WORK(&obj->dwork, fn);
 *	queue_delayed_work(wq, &obj->dwork, 10 * NSEC_PER_MSEC);
 *	mod_delayed_work(wq, &obj->dwork, delay);   (re)arm for @delay
 *	cancel_delayed_work_sync(&obj->dwork);
 *
 *	wq = alloc_workqueue("name", flags, max_active);
 *	flush_workqueue(wq);            wait for everything queued so far
 *	destroy_workqueue(wq);          drain, stop and join its workers
 *
 * system_wq (created at boot) serves schedule_work() and
 * schedule_delayed_work().
 *
 * Guarantees (Linux's): a work item is pending at most once (queueing a
 * pending item does nothing and returns false); the pending flag is cleared
 * just before the function runs, so it may queue itself again; one work
 * item never runs concurrently with itself on a workqueue; a workqueue runs
 * at most max_active items at a time (one per worker thread), and an
 * ordered workqueue (max_active 1) runs them one by one in queueing order.
 * A work item is used with one workqueue at a time. The worker does not
 * touch a work item after its function returns, so the function may free
 * it. The model and the locking are described in kernel/sched/workqueue.c.
 *
 * Locking legend: [P] written only by whoever owns the item's PENDING bit
 * (the queuer, the timer, a canceler), read [a]; [q] the lock of the
 * workqueue that @queued_on names; [w] the lock of work->wq; [I] set by
 * INIT_WORK; [a] atomic.
 */
#ifndef KEEL_WORKQUEUE_H
#define KEEL_WORKQUEUE_H

#include <keel/compiler.h>
#include <keel/list.h>
#include <keel/time.h>
#include <keel/types.h>

struct work_struct;
struct workqueue_struct;
typedef void (*work_func_t)(struct work_struct *work);

/* work_struct.flags bits */
#define WORK_PENDING    0x1UL   /* queued, or its timer is armed */
#define WORK_CANCELING  0x2UL   /* cancel_work_sync() waits for it */

struct work_struct {
	unsigned long flags;                /* [a] WORK_* */
	struct list_head entry;             /* [q] on a queue while queued */
	struct workqueue_struct *queued_on; /* [q] queue it is on, or NULL */
	struct workqueue_struct *wq;        /* [P] the last queue it went to */
	work_func_t func;                   /* [I] */
	u64 seq;                            /* [w] executions queued so far */
	u64 wq_seq;                         /* [w] the queue's count then */
};

struct delayed_work {
	struct work_struct work;
	struct timer timer;                 /* armed by the PENDING owner */
};

void init_work(struct work_struct *work, work_func_t func);
void init_delayed_work(struct delayed_work *dwork, work_func_t func);
#define INIT_WORK(w, f)          init_work(w, f)
#define INIT_DELAYED_WORK(d, f)  init_delayed_work(d, f)

#define WORK_INITIALIZER(n, f) {                                            \
	.entry = LIST_HEAD_INIT((n).entry), .func = (f),                    \
}
#define DECLARE_WORK(n, f) struct work_struct n = WORK_INITIALIZER(n, f)

static inline struct delayed_work *to_delayed_work(struct work_struct *work)
{
	return container_of(work, struct delayed_work, work);
}

/* Queued (or its timer armed) and not yet started. Racy; a hint. */
static inline bool work_pending(const struct work_struct *work)
{
	return __atomic_load_n(&work->flags, __ATOMIC_RELAXED) & WORK_PENDING;
}

static inline bool delayed_work_pending(const struct delayed_work *dwork)
{
	return work_pending(&dwork->work);
}

/* ---- workqueues ---------------------------------------------------------- */

#define WQ_HIGHPRI      0x1U    /* workers run at nice -20 */
#define WQ_MAX_ACTIVE   64      /* worker threads per queue, at most */

/*
 * alloc_workqueue - a workqueue named @name (worker threads are named
 * "<name>/<n>") served by @max_active worker threads (0: a default based
 * on the number of CPUs; capped at WQ_MAX_ACTIVE).
 * Return: the queue, or NULL when there is no memory for it.
 * Context: process context, may sleep.
 */
struct workqueue_struct *alloc_workqueue(const char *name, unsigned int flags,
					 int max_active);
/* One item at a time, in queueing order. */
static inline struct workqueue_struct *
alloc_ordered_workqueue(const char *name, unsigned int flags)
{
	return alloc_workqueue(name, flags, 1);
}

/*
 * destroy_workqueue - run what is queued (items may queue themselves
 * again meanwhile; drained until nothing is left), then stop and join the
 * workers and free @wq. The caller makes sure nothing else queues on it
 * (delayed items included: cancel them first).
 * Context: process context, may sleep; not from one of @wq's items.
 */
void destroy_workqueue(struct workqueue_struct *wq);

/* Boot: create system_wq (kernel_init). */
void workqueue_init(void);

/* The general-purpose queue; NULL only if boot had no memory for it. */
extern struct workqueue_struct *system_wq;

/* ---- queueing ------------------------------------------------------------ */

/*
 * queue_work - queue @work on @wq unless it is already pending.
 * Return: true if queued, false if it was pending (it then runs once).
 * Context: any, interrupt handlers included; not with a run-queue lock.
 */
bool queue_work(struct workqueue_struct *wq, struct work_struct *work);

/*
 * queue_delayed_work - queue @dwork on @wq after @delay_ns (0: now),
 * unless it is already pending (then its old timing stands).
 * Return: true if newly pending. Context: as queue_work(); the timer is
 * armed on the calling CPU.
 */
bool queue_delayed_work(struct workqueue_struct *wq, struct delayed_work *dwork,
			u64 delay_ns);

/*
 * mod_delayed_work - (re)arm @dwork to be queued on @wq after @delay_ns,
 * whether or not it was pending. Nothing happens while a
 * cancel_delayed_work_sync() is in progress.
 * Return: true if it was pending before. Context: as queue_work().
 */
bool mod_delayed_work(struct workqueue_struct *wq, struct delayed_work *dwork,
		      u64 delay_ns);

bool schedule_work(struct work_struct *work);
bool schedule_delayed_work(struct delayed_work *dwork, u64 delay_ns);

/* ---- waiting and cancelling (process context, may sleep) ----------------- */

/*
 * flush_work - wait until the execution of @work that was queued (or
 * running) when called has finished; later re-queueings are not waited
 * for. Return: true if it waited.
 */
bool flush_work(struct work_struct *work);

/* Queue @dwork now if its timer is pending, then flush_work() it. */
bool flush_delayed_work(struct delayed_work *dwork);

/*
 * cancel_work_sync - take @work off its queue if pending, and wait for a
 * running execution to finish; queueing it meanwhile fails, so on return
 * it is neither pending nor running (unless queued again afterwards).
 * Return: true if it was pending.
 */
bool cancel_work_sync(struct work_struct *work);
bool cancel_delayed_work_sync(struct delayed_work *dwork);

/*
 * cancel_work / cancel_delayed_work - unqueue (disarm) if pending, without
 * waiting for a running execution. Context: any. Return: true if it was
 * pending.
 */
bool cancel_work(struct work_struct *work);
bool cancel_delayed_work(struct delayed_work *dwork);

/*
 * flush_workqueue - wait until every item queued on @wq before the call
 * has run (not delayed items whose timer has not fired yet).
 */
void flush_workqueue(struct workqueue_struct *wq);

/* The work item the calling worker thread is running, or NULL. */
struct work_struct *current_work(void);

#endif /* KEEL_WORKQUEUE_H */
