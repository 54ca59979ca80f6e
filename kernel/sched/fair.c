/*
 * EEVDF: the fair class's run-queue arithmetic (interface in fair.h).
 *
 * Virtual time. Entity i with weight w_i that runs for t ns of real time
 * receives t * NICE_0_WEIGHT / w_i of virtual service (its vruntime v_i
 * grows that much). The ideal fluid scheduler would have given every
 * runnable entity the same virtual service; its virtual time is the
 * weighted average
 *
 *	V = sum(w_i * v_i) / sum(w_i)
 *
 * and an entity's lag (service owed to it, in virtual ns) is V - v_i; the
 * weighted lags sum to zero. An entity is *eligible* iff lag >= 0, i.e.
 * v_i <= V. Each entity asks for requests of @slice real ns; its virtual
 * deadline is d_i = v_i + slice * NICE_0_WEIGHT / w_i, renewed each time
 * v_i passes d_i. EEVDF runs, among the eligible entities, the one with the
 * earliest virtual deadline. With a pick every tick the service an entity
 * receives stays within a slice or two of the fluid ideal, so shares follow
 * the weights and latency follows the slice.
 *
 * V in O(1). v_i are u64 that may wrap, so they are kept relative to
 * rq->min_vruntime (a monotonic floor, within the smallest v_i):
 *
 *	avg_vruntime = sum(w_i * (v_i - min_vruntime))	(s64)
 *	avg_load     = sum(w_i)
 *	V            = min_vruntime + avg_vruntime / avg_load
 *
 * Enqueue, dequeue and update_curr adjust both sums by one term; raising
 * min_vruntime by d subtracts d * avg_load. Eligibility needs no division:
 * v <= V  <=>  (v - min_vruntime) * avg_load <= avg_vruntime.
 *
 * Augmented tree. The tree is keyed by deadline and every node carries the
 * least vruntime of its subtree (min_vruntime). The earliest eligible
 * deadline is then found in one walk from the root: at each node, if the
 * left subtree (all earlier deadlines) holds an eligible entity -- its
 * min_vruntime is eligible -- go left; else if the node is eligible it is
 * the answer; else go right. O(log n), and the leftmost node (cached) is a
 * constant-time answer whenever it is eligible. The root's min_vruntime is
 * the least vruntime on the queue, which drives rq->min_vruntime.
 *
 * Lag across sleep (Linux's place_entity). At dequeue the entity keeps
 * vlag = V - v, clamped to +-limit with limit = virtual(max(2 * slice,
 * tick)): a sleeper cannot bank more than about two requests of credit,
 * nor debt. Adding an entity with lag L moves V, which would shrink its
 * lag to L * W / (W + w); so it is placed at v = V - L * (W + w) / W to
 * arrive with lag exactly L (W: the queue's load before, w: its weight).
 * Its deadline is v + vslice (half a vslice for a brand-new thread so it
 * starts promptly without a full request of credit).
 *
 * Reweight (nice change) keeps the entity's real lag w * (V - v), so V
 * does not move: v' = V - (V - v) * w / w', d' = V + (d - V) * w / w'.
 *
 * Integer bounds: weights are <= 88761 (17 bits); virtual times and lags
 * of live entities differ by far less than 2^40 ns (18 minutes), so
 * w * key and key * load stay far from 2^63 with thousands of entities.
 * Real-to-virtual conversion splits the division (see scale_u64) and is
 * exact without 128-bit arithmetic. x86_64 divides 64-bit values natively,
 * so no inverse-weight table is needed.
 *
 * Locking: none here. Every function requires the owning run queue's
 * lock (the scheduler core holds it and asserts it).
 */
#include <keel/compiler.h>
#include <keel/rbtree.h>
#include <keel/types.h>

#include <keel/sched/fair.h>

/*
 * Linux's nice-to-weight table: each step is about 1.25x, so one nice level
 * moves about 10 % of CPU between two competing entities. nice 0 is 1024.
 */
/* clang-format off */
const u32 sched_prio_to_weight[40] = {
	/* -20 */ 88761, 71755, 56483, 46273, 36291,
	/* -15 */ 29154, 23254, 18705, 14949, 11916,
	/* -10 */ 9548,  7620,  6100,  4904,  3906,
	/*  -5 */ 3121,  2501,  1991,  1586,  1277,
	/*   0 */ 1024,  820,   655,   526,   423,
	/*   5 */ 335,   272,   215,   172,   137,
	/*  10 */ 110,   87,    70,    56,    45,
	/*  15 */ 36,    29,    23,    18,    15,
};
/* clang-format on */

#define SE(node) rb_entry(node, struct sched_entity, run_node)

/* x * num / den without overflow while x / den * num fits (num, den < 2^32
 * in practice), exact to the floor. */
static u64 scale_u64(u64 x, u64 num, u64 den)
{
	return x / den * num + x % den * num / den;
}

/* Signed scale, rounding toward zero. */
static s64 scale_s64(s64 x, u64 num, u64 den)
{
	if (x < 0)
		return -(s64)scale_u64(-(u64)x, num, den);
	return (s64)scale_u64((u64)x, num, den);
}

/* Real ns -> virtual ns for @se. */
static u64 calc_delta_fair(u64 delta, const struct sched_entity *se)
{
	if (se->weight == NICE_0_WEIGHT)
		return delta;
	return scale_u64(delta, NICE_0_WEIGHT, se->weight);
}

/* ---- the augmented tree ------------------------------------------------- */

static inline u64 min_vr(u64 a, u64 b)
{
	return (s64)(a - b) < 0 ? a : b;
}

static u64 compute_min_vruntime(const struct sched_entity *se)
{
	u64 m = se->vruntime;

	if (se->run_node.rb_left)
		m = min_vr(m, SE(se->run_node.rb_left)->min_vruntime);
	if (se->run_node.rb_right)
		m = min_vr(m, SE(se->run_node.rb_right)->min_vruntime);
	return m;
}

RB_DECLARE_CALLBACKS(static, min_vruntime_cb, struct sched_entity, run_node,
		     min_vruntime, compute_min_vruntime);

static bool deadline_less(struct rb_node *a, const struct rb_node *b)
{
	return (s64)(SE(a)->deadline - SE(b)->deadline) < 0;
}

static void tree_insert(struct fair_rq *rq, struct sched_entity *se)
{
	se->min_vruntime = se->vruntime;
	rb_add_augmented_cached(&se->run_node, &rq->tasks, deadline_less,
				&min_vruntime_cb);
}

static void tree_erase(struct fair_rq *rq, struct sched_entity *se)
{
	rb_erase_augmented_cached(&se->run_node, &rq->tasks, &min_vruntime_cb);
	RB_CLEAR_NODE(&se->run_node);
}

/* ---- V ------------------------------------------------------------------ */

static s64 entity_key(const struct fair_rq *rq, const struct sched_entity *se)
{
	return (s64)(se->vruntime - rq->min_vruntime);
}

static void avg_add(struct fair_rq *rq, const struct sched_entity *se)
{
	rq->avg_vruntime += entity_key(rq, se) * (s64)se->weight;
	rq->avg_load += se->weight;
}

static void avg_sub(struct fair_rq *rq, const struct sched_entity *se)
{
	rq->avg_vruntime -= entity_key(rq, se) * (s64)se->weight;
	rq->avg_load -= se->weight;
}

/* Raise the floor to the least vruntime queued; never lower it. */
static void update_min_vruntime(struct fair_rq *rq)
{
	struct rb_node *root = rq->tasks.rb_root.rb_node;
	s64 delta;

	if (!root)
		return;
	delta = (s64)(SE(root)->min_vruntime - rq->min_vruntime);
	if (delta > 0) {
		rq->avg_vruntime -= (s64)rq->avg_load * delta;
		rq->min_vruntime += delta;
	}
}

/**
 * fair_avg_vruntime - the queue's virtual time V.
 * @rq: the fair run queue.
 *
 * Context: run-queue lock held.
 * Return: the weighted average vruntime of the queued entities, rounded
 * down; rq->min_vruntime on an empty queue.
 */
u64 fair_avg_vruntime(const struct fair_rq *rq)
{
	s64 avg = rq->avg_vruntime;

	if (rq->avg_load) {
		if (avg < 0) /* floor, not truncation */
			avg -= (s64)rq->avg_load - 1;
		avg /= (s64)rq->avg_load;
	}
	return rq->min_vruntime + (u64)avg;
}

/* v <= V, without dividing. */
static bool vruntime_eligible(const struct fair_rq *rq, u64 vruntime)
{
	s64 key = (s64)(vruntime - rq->min_vruntime);

	return rq->avg_vruntime >= key * (s64)rq->avg_load;
}

/**
 * fair_entity_eligible - is @se owed service (lag >= 0)?
 * @rq: the queue @se is on.
 * @se: a queued entity.
 *
 * Context: run-queue lock held.
 * Return: true iff @se's vruntime is at most V.
 */
bool fair_entity_eligible(const struct fair_rq *rq,
			  const struct sched_entity *se)
{
	return vruntime_eligible(rq, se->vruntime);
}

/**
 * fair_lag_limit - the most lag (either sign) @se keeps across a sleep.
 * @se: the entity.
 *
 * Context: run-queue lock held.
 * Return: max(2 * slice, FAIR_TICK_NS) in @se's virtual ns.
 */
u64 fair_lag_limit(const struct sched_entity *se)
{
	return calc_delta_fair(MAX(2 * se->slice, FAIR_TICK_NS), se);
}

/* ---- the interface ------------------------------------------------------ */

/**
 * fair_rq_init - make @rq an empty fair run queue.
 * @rq: the queue.
 *
 * The floor starts just below the u64 wrap so wrap bugs show at once.
 *
 * Context: any; @rq is not yet shared.
 */
void fair_rq_init(struct fair_rq *rq)
{
	rq->tasks = RB_ROOT_CACHED;
	rq->min_vruntime = (u64)(-(1LL << 20));
	rq->avg_vruntime = 0;
	rq->avg_load = 0;
	rq->nr_running = 0;
}

/**
 * fair_entity_init - set up a new entity at @nice with the default slice.
 * @se: the entity, not on any queue.
 * @nice: -20..19 (clamped).
 *
 * Context: any; @se is not yet shared.
 */
void fair_entity_init(struct sched_entity *se, int nice)
{
	nice = MAX(NICE_MIN, MIN(nice, NICE_MAX));
	se->deadline = 0;
	se->min_vruntime = 0;
	RB_CLEAR_NODE(&se->run_node);
	se->vruntime = 0;
	se->vlag = 0;
	se->slice = FAIR_BASE_SLICE_NS;
	se->sum_exec_runtime = 0;
	se->nice = nice;
	se->weight = fair_nice_to_weight(nice);
	se->on_rq = false;
}

/* Place @se (not yet counted in @rq) so that it arrives with lag se->vlag. */
static void place_entity(struct fair_rq *rq, struct sched_entity *se, int flags)
{
	u64 vslice = calc_delta_fair(se->slice, se);
	s64 lag = 0;

	if (flags & FAIR_ENQ_INITIAL)
		se->vlag = 0;
	if (rq->nr_running && rq->avg_load)
		lag = scale_s64(se->vlag, rq->avg_load + se->weight,
				rq->avg_load);
	se->vruntime = fair_avg_vruntime(rq) - (u64)lag;
	if (flags & FAIR_ENQ_INITIAL)
		vslice /= 2;
	se->deadline = se->vruntime + vslice;
}

/**
 * fair_enqueue - make @se runnable on @rq.
 * @rq: the queue.
 * @se: an entity on no queue.
 * @flags: FAIR_ENQ_INITIAL for a new thread (no lag, half a slice to its
 *         first deadline); FAIR_ENQ_WAKEUP or 0 (migration) restore the
 *         lag saved by fair_dequeue() -- lag is relative to V, so it
 *         carries across queues.
 *
 * Context: run-queue lock held; the running entity updated first.
 */
void fair_enqueue(struct fair_rq *rq, struct sched_entity *se, int flags)
{
	place_entity(rq, se, flags);
	avg_add(rq, se);
	tree_insert(rq, se);
	rq->nr_running++;
	se->on_rq = true;
	update_min_vruntime(rq);
}

/**
 * fair_dequeue - take @se off @rq, saving its lag.
 * @rq: the queue @se is on.
 * @se: the entity.
 * @flags: FAIR_DEQ_SLEEP if it blocks, 0 if it migrates; both keep the
 *         lag, clamped to +-fair_lag_limit(), for the next enqueue.
 *
 * Context: run-queue lock held; if @se is running, fair_update_curr()
 * first so its last stretch is counted.
 */
void fair_dequeue(struct fair_rq *rq, struct sched_entity *se, int flags)
{
	s64 limit = (s64)fair_lag_limit(se);
	s64 lag = (s64)(fair_avg_vruntime(rq) - se->vruntime);

	(void)flags;
	se->vlag = MAX(-limit, MIN(lag, limit));
	tree_erase(rq, se);
	avg_sub(rq, se);
	rq->nr_running--;
	se->on_rq = false;
	update_min_vruntime(rq);
}

/* Descend to the earliest-deadline entity whose vruntime is eligible. */
static struct sched_entity *pick_eevdf(struct fair_rq *rq)
{
	struct rb_node *node = rq->tasks.rb_root.rb_node;

	while (node) {
		struct rb_node *left = node->rb_left;

		if (left && vruntime_eligible(rq, SE(left)->min_vruntime)) {
			node = left;
			continue;
		}
		if (fair_entity_eligible(rq, SE(node)))
			return SE(node);
		node = node->rb_right;
	}
	return NULL;
}

/**
 * fair_pick - choose the entity to run next.
 * @rq: the queue.
 *
 * Among the eligible entities (vruntime <= V), the one with the earliest
 * virtual deadline; ties go to the one queued first. Some entity is
 * always eligible (the weighted lags sum to zero), but should rounding
 * ever say otherwise the earliest deadline is returned.
 *
 * Context: run-queue lock held; the running entity updated first.
 * Return: the entity, or NULL if @rq is empty.
 */
struct sched_entity *fair_pick(struct fair_rq *rq)
{
	struct rb_node *first = rb_first_cached(&rq->tasks);
	struct sched_entity *se;

	if (!first)
		return NULL;
	if (fair_entity_eligible(rq, SE(first)))
		return SE(first);
	se = pick_eevdf(rq);
	return se ? se : SE(first);
}

/**
 * fair_update_curr - charge @delta_exec_ns of CPU time to @se.
 * @rq: the queue @se is on (or was on, if it has just been taken off).
 * @se: the running entity.
 * @delta_exec_ns: real time it ran since the last update.
 *
 * Advances vruntime by the weighted delta, keeps V, the augmentation and
 * the floor exact, and when vruntime reaches the deadline issues the next
 * request: deadline = vruntime + slice * NICE_0_WEIGHT / weight.
 *
 * Context: run-queue lock held.
 * Return: true if a new request began (the core should re-pick).
 */
bool fair_update_curr(struct fair_rq *rq, struct sched_entity *se,
		      u64 delta_exec_ns)
{
	u64 dv = calc_delta_fair(delta_exec_ns, se);
	bool expired;

	se->sum_exec_runtime += delta_exec_ns;
	se->vruntime += dv;
	expired = (s64)(se->vruntime - se->deadline) >= 0;
	if (expired)
		se->deadline = se->vruntime + calc_delta_fair(se->slice, se);
	if (!se->on_rq)
		return expired;

	rq->avg_vruntime += (s64)dv * (s64)se->weight;
	if (expired) {
		tree_erase(rq, se);
		tree_insert(rq, se);
	} else {
		min_vruntime_cb.propagate(&se->run_node, NULL);
	}
	update_min_vruntime(rq);
	return expired;
}

/* Reweight a queued entity, keeping its real lag so V stays put. */
static void reweight_queued(struct fair_rq *rq, struct sched_entity *se,
			    u32 weight)
{
	u64 V = fair_avg_vruntime(rq);
	s64 lag = (s64)(V - se->vruntime);
	s64 dl = (s64)(se->deadline - V);

	tree_erase(rq, se);
	avg_sub(rq, se);
	lag = scale_s64(lag, se->weight, weight);
	dl = scale_s64(dl, se->weight, weight);
	se->weight = weight;
	se->vruntime = V - (u64)lag;
	se->deadline = V + (u64)dl;
	avg_add(rq, se);
	tree_insert(rq, se);
	update_min_vruntime(rq);
}

/**
 * fair_set_nice - change @se's nice value (and so its weight).
 * @rq: the queue @se is on, or NULL if it is on none.
 * @se: the entity.
 * @nice: -20..19 (clamped).
 *
 * A queued entity keeps its real lag and its remaining request (both scale
 * by old/new weight around V), so V is unchanged; a sleeping one has its
 * saved lag scaled the same way.
 *
 * Context: run-queue lock held; if @se is running, fair_update_curr()
 * first.
 */
void fair_set_nice(struct fair_rq *rq, struct sched_entity *se, int nice)
{
	u32 weight;

	nice = MAX(NICE_MIN, MIN(nice, NICE_MAX));
	weight = fair_nice_to_weight(nice);
	se->nice = nice;
	if (weight == se->weight)
		return;
	if (rq && se->on_rq) {
		reweight_queued(rq, se, weight);
		return;
	}
	se->vlag = scale_s64(se->vlag, se->weight, weight);
	se->weight = weight;
}

/**
 * fair_yield - the running @se gives way: its current request ends now and
 * the next one begins, so any eligible peer with an earlier deadline runs
 * first (Linux's yield_task_fair). Its vruntime, and so its lag, is kept.
 * @rq: the queue @se is on.
 * @se: the running entity, updated with fair_update_curr() first.
 *
 * Context: run-queue lock held.
 */
void fair_yield(struct fair_rq *rq, struct sched_entity *se)
{
	if (!se->on_rq)
		return;
	tree_erase(rq, se);
	se->deadline = se->vruntime + calc_delta_fair(se->slice, se);
	tree_insert(rq, se);
}
