/*
 * Real-time scheduling class core: the SCHED_FIFO / SCHED_RR run queue.
 *
 * Pure bookkeeping on one CPU's queue (see rt.h for the priority mapping,
 * the running-entity model and the locking). Every operation is O(1): a
 * list operation on one level plus a bit update, and pick scans the
 * two-word bitmap of non-empty levels. Invariant, after every call:
 * bit idx of rq->bitmap is set iff rq->queue[idx] is non-empty, and
 * rq->nr_running is the number of entities on all the lists.
 *
 * Position rules follow Linux (kernel/sched/rt.c, core.c):
 *  - a woken entity goes to the tail of its level, a preempted one that the
 *    caller took off the queue back to the head (rt_enqueue's @head);
 *  - an RR entity whose slice runs out gets a fresh slice and moves to the
 *    tail of its level if another entity shares it (task_tick_rt);
 *    a FIFO entity is never rotated;
 *  - a priority change of a queued entity (rt_set_prio, as Linux's
 *    rt_mutex_setprio for priority-inheritance boosting and unboosting)
 *    moves it to the tail of its new level when the priority rises and to
 *    the head when it falls, and does nothing when it is unchanged. So a
 *    boosted owner queues behind tasks already at the boost level, and an
 *    unboosted one runs first among its own level, as it was running.
 */
#include <keel/bitmap.h>
#include <keel/bitops.h>
#include <keel/compiler.h>
#include <keel/errno.h>
#include <keel/list.h>
#include <keel/types.h>

#include <keel/sched/rt.h>

STATIC_ASSERT(RT_NR_LEVELS == RT_PRIO_MAX + 1,
	      "level index = RT_PRIO_MAX - prio must fit the array");

static struct list_head *rt_level(struct rt_rq *rq, int prio)
{
	return &rq->queue[rt_prio_to_idx(prio)];
}

/**
 * rt_entity_init - set up a real-time entity, not queued, full RR slice.
 * @e: the entity
 * @policy: RT_POLICY_FIFO or RT_POLICY_RR
 * @prio: user priority, RT_PRIO_MIN..RT_PRIO_MAX
 *
 * Context: any; @e is not on a run queue.
 * Return: 0, or -EINVAL (with @e untouched) for a bad policy or priority.
 */
int rt_entity_init(struct rt_entity *e, enum rt_policy policy, int prio)
{
	if (!rt_prio_valid(prio))
		return -EINVAL;
	if (policy != RT_POLICY_FIFO && policy != RT_POLICY_RR)
		return -EINVAL;
	INIT_LIST_HEAD(&e->run_list);
	e->time_slice = RT_RR_TIMESLICE_NS;
	e->prio = prio;
	e->policy = policy;
	e->on_rq = false;
	return 0;
}

/**
 * rt_rq_init - make an empty real-time run queue.
 * @rq: the queue
 *
 * Context: any; @rq not yet shared.
 */
void rt_rq_init(struct rt_rq *rq)
{
	unsigned int i;

	for (i = 0; i < RT_NR_LEVELS; i++)
		INIT_LIST_HEAD(&rq->queue[i]);
	bitmap_zero(rq->bitmap, RT_NR_LEVELS);
	rq->nr_running = 0;
}

/**
 * rt_enqueue - queue an entity at its priority level.
 * @rq: the run queue
 * @e: an entity not on any run queue, with a valid priority
 * @head: true to queue at the head of the level (a preempted entity put
 *        back), false for the tail (a woken entity)
 *
 * Context: @rq's lock held.
 */
void rt_enqueue(struct rt_rq *rq, struct rt_entity *e, bool head)
{
	struct list_head *level = rt_level(rq, e->prio);

	if (head)
		list_add(&e->run_list, level);
	else
		list_add_tail(&e->run_list, level);
	__set_bit(rt_prio_to_idx(e->prio), rq->bitmap);
	e->on_rq = true;
	rq->nr_running++;
}

/**
 * rt_dequeue - take an entity off its run queue.
 * @rq: the run queue
 * @e: an entity on @rq
 *
 * Context: @rq's lock held.
 */
void rt_dequeue(struct rt_rq *rq, struct rt_entity *e)
{
	struct list_head *level = rt_level(rq, e->prio);

	list_del_init(&e->run_list);
	if (list_empty(level))
		__clear_bit(rt_prio_to_idx(e->prio), rq->bitmap);
	e->on_rq = false;
	rq->nr_running--;
}

/**
 * rt_pick - the entity that should run: the first of the highest
 * non-empty level. It stays queued.
 * @rq: the run queue
 *
 * Context: @rq's lock held.
 * Return: the entity, or NULL if @rq is empty.
 */
struct rt_entity *rt_pick(const struct rt_rq *rq)
{
	unsigned long idx = find_first_bit(rq->bitmap, RT_NR_LEVELS);

	if (idx >= RT_NR_LEVELS)
		return NULL;
	return list_first_entry(&rq->queue[idx], struct rt_entity, run_list);
}

/**
 * rt_tick - charge @delta_ns of running time to the running entity @e.
 * @rq: the run queue @e belongs to
 * @e: the running entity
 * @delta_ns: time run since the last charge
 *
 * FIFO entities have no slice: nothing happens. An RR entity's slice
 * shrinks by @delta_ns; when it reaches zero it is refilled to
 * RT_RR_TIMESLICE_NS (an overshoot is not carried over, as with Linux's
 * tick-granular accounting) and, if another entity shares @e's level, @e
 * moves to the tail of it. If @e is not queued (a caller that keeps the
 * running entity off the queue), the same test decides the result and the
 * caller must put @e back at the tail.
 *
 * Context: @rq's lock held.
 * Return: true if the CPU should reschedule (another entity of @e's level
 * is now due), false otherwise.
 */
bool rt_tick(struct rt_rq *rq, struct rt_entity *e, u64 delta_ns)
{
	struct list_head *level;

	if (e->policy != RT_POLICY_RR)
		return false;
	if (delta_ns < e->time_slice) {
		e->time_slice -= delta_ns;
		return false;
	}
	e->time_slice = RT_RR_TIMESLICE_NS;
	level = rt_level(rq, e->prio);
	if (!e->on_rq)
		return !list_empty(level);
	if (list_is_singular(level))
		return false;
	list_move_tail(&e->run_list, level);
	return true;
}

/**
 * rt_should_preempt - whether a newly woken entity preempts the running one.
 * @rq: the run queue (unused; for symmetry with the other classes)
 * @curr: the running real-time entity, or NULL if the CPU runs a task of a
 *        lower class
 * @woken: the entity just enqueued
 *
 * Only a strictly higher priority preempts; an equal one waits its turn.
 *
 * Context: @rq's lock held.
 * Return: true if @woken should preempt @curr.
 */
bool rt_should_preempt(const struct rt_rq *rq, const struct rt_entity *curr,
		       const struct rt_entity *woken)
{
	return !curr || woken->prio > curr->prio;
}

/**
 * rt_set_prio - change an entity's effective priority, moving it between
 * levels if it is queued (priority-inheritance boost and unboost,
 * sched_setparam).
 * @rq: the run queue @e is on, if any
 * @e: the entity
 * @prio: the new priority, RT_PRIO_MIN..RT_PRIO_MAX
 *
 * As Linux's rt_mutex_setprio(): a raised entity goes to the tail of its
 * new level, a lowered one to the head, an unchanged one stays put. The
 * RR slice is kept. The caller decides whether the change calls for a
 * reschedule (compare rt_pick() with the running entity).
 *
 * Context: @rq's lock held.
 * Return: 0, or -EINVAL (nothing changed) if @prio is out of range.
 */
int rt_set_prio(struct rt_rq *rq, struct rt_entity *e, int prio)
{
	int old = e->prio;

	if (!rt_prio_valid(prio))
		return -EINVAL;
	if (prio == old)
		return 0;
	if (!e->on_rq) {
		e->prio = prio;
		return 0;
	}
	rt_dequeue(rq, e);
	e->prio = prio;
	rt_enqueue(rq, e, prio < old);
	return 0;
}

/**
 * rt_rq_highest_prio - the priority of the best entity queued, for load
 * balancing and push/pull decisions.
 * @rq: the run queue
 *
 * Context: @rq's lock held (a racy read without it is only a hint).
 * Return: the user priority 1..99, or 0 if @rq is empty (below every
 * real-time priority).
 */
int rt_rq_highest_prio(const struct rt_rq *rq)
{
	unsigned long idx = find_first_bit(rq->bitmap, RT_NR_LEVELS);

	if (idx >= RT_NR_LEVELS)
		return 0;
	return RT_PRIO_MAX - (int)idx;
}

/**
 * rt_timeslice_left - how long @e may run before rt_tick() could rotate it,
 * for programming the one-shot timer.
 * @e: the entity
 *
 * Context: the lock of @e's run queue held.
 * Return: the ns left of an RR entity's slice, or ~0ULL for FIFO (no
 * slice: no timer needed on its account).
 */
u64 rt_timeslice_left(const struct rt_entity *e)
{
	return e->policy == RT_POLICY_RR ? e->time_slice : ~0ULL;
}
