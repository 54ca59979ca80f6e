/*
 * The fair scheduling class's core: EEVDF (Earliest Eligible Virtual
 * Deadline First, Stoica & Abdel-Wahab 1995, as in Linux 6.6+).
 *
 * Pure run-queue arithmetic: no locks, no allocation, no clock, no
 * threads. The scheduler core embeds a struct sched_entity in each thread
 * and a struct fair_rq in each per-CPU run queue, and calls in:
 *
 *	fair_entity_init()	once, when the thread is created
 *	fair_enqueue()		the thread becomes runnable here
 *	fair_dequeue()		it blocks, exits or migrates away
 *	fair_update_curr()	account the running entity's CPU time
 *	fair_pick()		choose who runs next
 *	fair_set_nice()		setpriority()/nice()
 *	fair_yield()		sched_yield()
 *
 * The running entity stays in the tree (unlike Linux, which takes it out
 * while it runs): update it with fair_update_curr() before any other call
 * on the same run queue, so V and the tree see its current vruntime.
 * See fair.c for the math.
 *
 * Locking legend:
 *	[rq]	the owning CPU run queue's lock; every function here
 *		requires it (the caller asserts it, this code cannot);
 *		fair_entity_init() runs before the entity is shared
 */
#ifndef KEEL_SCHED_FAIR_H
#define KEEL_SCHED_FAIR_H

#include <keel/compiler.h>
#include <keel/rbtree.h>
#include <keel/types.h>

#define NICE_MIN (-20)
#define NICE_MAX 19
#define NICE_0_WEIGHT 1024

/* Default request size (Linux: 0.75 ms * (1 + log2(ncpus)), 8 CPUs). */
#define FAIR_BASE_SLICE_NS 3000000ULL
/* The lag bound is max(2 * slice, this): a slice may overrun by a tick. */
#define FAIR_TICK_NS 1000000ULL

/* fair_enqueue() flags */
#define FAIR_ENQ_WAKEUP 0x1  /* woken from sleep: restore lag */
#define FAIR_ENQ_INITIAL 0x2 /* new thread: zero lag, half slice */
/* fair_dequeue() flags */
#define FAIR_DEQ_SLEEP 0x1 /* going to sleep (else migration) */

struct sched_entity {
	/* Tree key and augmentation (see fair.c). */
	u64 deadline;		 /* [rq] virtual deadline: vruntime + vslice */
	u64 min_vruntime;	 /* [rq] least vruntime in this subtree */
	struct rb_node run_node; /* [rq] in fair_rq.tasks iff on_rq */

	u64 vruntime;	      /* [rq] virtual service received */
	s64 vlag;	      /* [rq] V - vruntime saved at dequeue */
	u64 slice;	      /* [rq] request size, ns of real time */
	u64 sum_exec_runtime; /* [rq] ns run in total */
	u32 weight;	      /* [rq] from the nice value */
	int nice;	      /* [rq] -20..19 */
	bool on_rq;	      /* [rq] runnable on some fair_rq */
};

struct fair_rq {
	struct rb_root_cached tasks; /* [rq] by deadline, aug min_vruntime */
	u64 min_vruntime;	     /* [rq] monotonic base of the keys below */
	s64 avg_vruntime;	 /* [rq] sum of w_i * (v_i - min_vruntime) */
	u64 avg_load;		 /* [rq] sum of w_i */
	unsigned int nr_running; /* [rq] entities in the tree */
};

extern const u32 sched_prio_to_weight[40];

/* Return: the load weight of @nice, clamped to -20..19. */
static inline u32 fair_nice_to_weight(int nice)
{
	nice = MAX(NICE_MIN, MIN(nice, NICE_MAX));
	return sched_prio_to_weight[nice - NICE_MIN];
}

void fair_rq_init(struct fair_rq *rq);
void fair_entity_init(struct sched_entity *se, int nice);
void fair_enqueue(struct fair_rq *rq, struct sched_entity *se, int flags);
void fair_dequeue(struct fair_rq *rq, struct sched_entity *se, int flags);
struct sched_entity *fair_pick(struct fair_rq *rq);
bool fair_update_curr(struct fair_rq *rq, struct sched_entity *se,
		      u64 delta_exec_ns);
void fair_set_nice(struct fair_rq *rq, struct sched_entity *se, int nice);
void fair_yield(struct fair_rq *rq, struct sched_entity *se);
u64 fair_avg_vruntime(const struct fair_rq *rq);
bool fair_entity_eligible(const struct fair_rq *rq,
			  const struct sched_entity *se);
u64 fair_lag_limit(const struct sched_entity *se);

#endif /* KEEL_SCHED_FAIR_H */
