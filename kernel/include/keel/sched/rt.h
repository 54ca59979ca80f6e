/*
 * Real-time scheduling class: SCHED_FIFO and SCHED_RR run queues.
 *
 * Priorities are Linux's user-visible ones, 1..99, 99 the highest. A run
 * queue keeps one FIFO list per level and a bitmap of the non-empty
 * levels, so enqueue, dequeue, pick and priority changes are O(1) (the
 * bitmap is two words). Internally a level is indexed by Linux's kernel
 * priority, idx = 99 - prio (prio 99 -> idx 0, prio 1 -> idx 98), so the
 * first set bit of the bitmap is the highest non-empty level. Index 99
 * (user priority 0) is never used; the array has Linux's MAX_RT_PRIO = 100
 * entries so the two numberings stay the same.
 *
 * Interface: rt_entity_init, rt_rq_init, rt_enqueue, rt_dequeue, rt_pick,
 * rt_tick, rt_should_preempt, rt_set_prio, rt_rq_highest_prio,
 * rt_timeslice_left. None allocates or sleeps.
 *
 * Model (Linux's): the running entity stays on its run queue while it
 * runs; rt_pick() returns the head of the highest non-empty level without
 * removing it. A task that blocks is dequeued; a woken task is enqueued at
 * the tail of its level. A caller that does take the running entity off
 * the queue puts a preempted one back with rt_enqueue(..., true) (head of
 * its level), so FIFO order among equals is kept either way.
 *
 * Locking: [r] the owning CPU's run-queue lock, held by every caller. An
 * entity's fields are guarded by the lock of the queue it is on (or of the
 * queue that owns its task when it is on none).
 */
#ifndef KEEL_SCHED_RT_H
#define KEEL_SCHED_RT_H

#include <keel/bitmap.h>
#include <keel/list.h>
#include <keel/types.h>

#define RT_PRIO_MIN 1	 /* lowest real-time priority */
#define RT_PRIO_MAX 99	 /* highest real-time priority */
#define RT_NR_LEVELS 100 /* Linux's MAX_RT_PRIO */

/* Linux's RR_TIMESLICE: 100 ms. */
#define RT_RR_TIMESLICE_NS (100ULL * 1000 * 1000)

/* Values of Linux's SCHED_FIFO and SCHED_RR. */
enum rt_policy {
	RT_POLICY_FIFO = 1,
	RT_POLICY_RR = 2,
};

/* User priority @p (1..99) to the level index (0 = highest). */
static inline unsigned int rt_prio_to_idx(int p)
{
	return (unsigned int)(RT_PRIO_MAX - p);
}

static inline bool rt_prio_valid(int p)
{
	return p >= RT_PRIO_MIN && p <= RT_PRIO_MAX;
}

struct rt_entity {
	struct list_head run_list; /* [r] on rq->queue[idx] when on_rq */
	u64 time_slice;		   /* [r] RR: ns left of the current slice */
	int prio;		   /* [r] effective priority 1..99 */
	enum rt_policy policy;	   /* [r] FIFO or RR */
	bool on_rq;		   /* [r] queued on a run queue */
};

struct rt_rq {
	struct list_head queue[RT_NR_LEVELS]; /* [r] by level index */
	DECLARE_BITMAP(bitmap, RT_NR_LEVELS); /* [r] non-empty levels */
	unsigned int nr_running;	      /* [r] entities queued */
};

int rt_entity_init(struct rt_entity *e, enum rt_policy policy, int prio);
void rt_rq_init(struct rt_rq *rq);
void rt_enqueue(struct rt_rq *rq, struct rt_entity *e, bool head);
void rt_dequeue(struct rt_rq *rq, struct rt_entity *e);
struct rt_entity *rt_pick(const struct rt_rq *rq);
bool rt_tick(struct rt_rq *rq, struct rt_entity *e, u64 delta_ns);
bool rt_should_preempt(const struct rt_rq *rq, const struct rt_entity *curr,
		       const struct rt_entity *woken);
int rt_set_prio(struct rt_rq *rq, struct rt_entity *e, int prio);
int rt_rq_highest_prio(const struct rt_rq *rq);
u64 rt_timeslice_left(const struct rt_entity *e);

#endif /* KEEL_SCHED_RT_H */
