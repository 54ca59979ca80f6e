/*
 * Host tests of the real-time run queue (kernel/sched/rt.c).
 *
 * Checked: strict priority order over random enqueue / dequeue / priority
 * changes / ticks of 1000 entities against a brute-force model (one array
 * per level), with the bitmap, nr_running and every level's order compared
 * after each operation; FIFO order within a level; head-enqueue of a
 * preempted entity; SCHED_RR rotation among equal priorities with exact
 * slice accounting; FIFO never rotated; priority boost and unboost (Linux's
 * tail-on-raise, head-on-lower); strict-only preemption; rejection of
 * priorities 0 and 100.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <keel/bitmap.h>
#include <keel/errno.h>
#include <keel/list.h>
#include <keel/string.h>

#include <keel/sched/rt.h>

#define MS (1000ULL * 1000)

static u64 rng = 0x9e3779b97f4a7c15ULL;

static u64 next_rand(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* ---- invariant shared by every test ------------------------------------- */

/* Bitmap bit idx set iff level idx is non-empty; nr_running = list sizes. */
static void check_bitmap(const struct rt_rq *rq)
{
	unsigned int idx, total = 0;

	for (idx = 0; idx < RT_NR_LEVELS; idx++) {
		size_t n = list_count(&rq->queue[idx]);

		assert_int_equal(test_bit(idx, rq->bitmap), n != 0);
		total += n;
	}
	assert_false(test_bit(RT_NR_LEVELS - 1, rq->bitmap));
	assert_int_equal(rq->nr_running, total);
}

/* ---- brute-force model -------------------------------------------------- */

#define NENT 1000

static struct rt_rq rq;
static struct rt_entity ents[NENT];

static struct {
	int level[RT_PRIO_MAX + 1][NENT]; /* entity numbers, head first */
	int len[RT_PRIO_MAX + 1];
	int prio[NENT];
	bool queued[NENT];
	u64 slice[NENT];
	unsigned int nr;
} ref;

static void ref_insert(int i, bool head)
{
	int p = ref.prio[i];

	if (head) {
		memmove(&ref.level[p][1], &ref.level[p][0],
			sizeof(int) * ref.len[p]);
		ref.level[p][0] = i;
	} else {
		ref.level[p][ref.len[p]] = i;
	}
	ref.len[p]++;
	ref.queued[i] = true;
	ref.nr++;
}

static void ref_remove(int i)
{
	int p = ref.prio[i], k;

	for (k = 0; k < ref.len[p]; k++)
		if (ref.level[p][k] == i)
			break;
	assert_true(k < ref.len[p]);
	memmove(&ref.level[p][k], &ref.level[p][k + 1],
		sizeof(int) * (ref.len[p] - k - 1));
	ref.len[p]--;
	ref.queued[i] = false;
	ref.nr--;
}

/* The model's pick: first entity of the highest non-empty level, or -1. */
static int ref_pick(void)
{
	int p;

	for (p = RT_PRIO_MAX; p >= RT_PRIO_MIN; p--)
		if (ref.len[p])
			return ref.level[p][0];
	return -1;
}

/* The queue equals the model: every level in order, pick, counts, bitmap. */
static void check_against_ref(void)
{
	struct rt_entity *e, *pick = rt_pick(&rq);
	int p, k, want = ref_pick();

	check_bitmap(&rq);
	assert_int_equal(rq.nr_running, ref.nr);
	if (want < 0) {
		assert_null(pick);
		assert_int_equal(rt_rq_highest_prio(&rq), 0);
	} else {
		assert_ptr_equal(pick, &ents[want]);
		assert_int_equal(rt_rq_highest_prio(&rq), ref.prio[want]);
	}
	for (p = RT_PRIO_MIN; p <= RT_PRIO_MAX; p++) {
		k = 0;
		list_for_each_entry(e, &rq.queue[rt_prio_to_idx(p)], run_list) {
			assert_true(k < ref.len[p]);
			assert_ptr_equal(e, &ents[ref.level[p][k]]);
			assert_int_equal(e->prio, p);
			assert_true(e->on_rq);
			k++;
		}
		assert_int_equal(k, ref.len[p]);
	}
}

static void ref_reset(void)
{
	int i;

	memset(&ref, 0, sizeof(ref));
	rt_rq_init(&rq);
	for (i = 0; i < NENT; i++) {
		int prio = 1 + (int)(next_rand() % RT_PRIO_MAX);
		enum rt_policy pol =
			next_rand() & 1 ? RT_POLICY_RR : RT_POLICY_FIFO;

		assert_int_equal(rt_entity_init(&ents[i], pol, prio), 0);
		ref.prio[i] = prio;
		ref.slice[i] = RT_RR_TIMESLICE_NS;
	}
}

/* Model of rt_tick() on a queued entity. */
static bool ref_tick(int i, u64 delta)
{
	int p = ref.prio[i];

	if (ents[i].policy != RT_POLICY_RR)
		return false;
	if (delta < ref.slice[i]) {
		ref.slice[i] -= delta;
		return false;
	}
	ref.slice[i] = RT_RR_TIMESLICE_NS;
	if (ref.len[p] == 1)
		return false;
	ref_remove(i);
	ref_insert(i, false);
	return true;
}

static void random_op(void)
{
	int i = (int)(next_rand() % NENT);
	unsigned int op = next_rand() % 8;

	if (!ref.queued[i]) {
		bool head = op & 1;

		rt_enqueue(&rq, &ents[i], head);
		ref_insert(i, head);
	} else if (op < 4) {
		rt_dequeue(&rq, &ents[i]);
		ref_remove(i);
	} else if (op < 6) {
		int np = 1 + (int)(next_rand() % RT_PRIO_MAX);
		int old = ref.prio[i];

		assert_int_equal(rt_set_prio(&rq, &ents[i], np), 0);
		if (np != old) {
			ref_remove(i);
			ref.prio[i] = np;
			ref_insert(i, np < old);
		}
	} else {
		u64 delta = next_rand() % (60 * MS);

		assert_int_equal(rt_tick(&rq, &ents[i], delta),
				 ref_tick(i, delta));
		assert_int_equal(ents[i].time_slice,
				 ents[i].policy == RT_POLICY_RR
					 ? ref.slice[i]
					 : RT_RR_TIMESLICE_NS);
	}
}

static void test_random_against_model(void **state)
{
	int n;

	ref_reset();
	check_against_ref();
	for (n = 0; n < 20000; n++) {
		random_op();
		check_against_ref();
	}
}

/* Fill with all 1000, then drain by pick: priorities never rise. */
static void test_drain_strict_order(void **state)
{
	int i, last = RT_PRIO_MAX + 1;

	ref_reset();
	for (i = 0; i < NENT; i++) {
		bool head = next_rand() & 1;

		rt_enqueue(&rq, &ents[i], head);
		ref_insert(i, head);
	}
	check_against_ref();
	for (i = 0; i < NENT; i++) {
		struct rt_entity *e = rt_pick(&rq);
		int want = ref_pick();
		int p;

		assert_ptr_equal(e, &ents[want]);
		assert_true(e->prio <= last);
		/* brute force: nothing queued beats it */
		for (p = 0; p < NENT; p++)
			if (ents[p].on_rq)
				assert_true(ents[p].prio <= e->prio);
		last = e->prio;
		rt_dequeue(&rq, e);
		ref_remove(want);
		check_against_ref();
	}
	assert_null(rt_pick(&rq));
}

/* ---- directed tests ----------------------------------------------------- */

static void init_n(struct rt_entity *e, int n, enum rt_policy pol, int prio)
{
	int i;

	for (i = 0; i < n; i++)
		assert_int_equal(rt_entity_init(&e[i], pol, prio), 0);
}

static void test_fifo_order_within_level(void **state)
{
	struct rt_entity e[5];
	int i;

	rt_rq_init(&rq);
	init_n(e, 5, RT_POLICY_FIFO, 40);
	for (i = 0; i < 5; i++) {
		rt_enqueue(&rq, &e[i], false);
		check_bitmap(&rq);
	}
	for (i = 0; i < 5; i++) {
		assert_ptr_equal(rt_pick(&rq), &e[i]);
		rt_dequeue(&rq, &e[i]);
		check_bitmap(&rq);
	}
	assert_null(rt_pick(&rq));
	assert_int_equal(rq.nr_running, 0);
}

static void test_head_enqueue_preempted(void **state)
{
	struct rt_entity a, b, hi;

	rt_rq_init(&rq);
	init_n(&a, 1, RT_POLICY_FIFO, 30);
	init_n(&b, 1, RT_POLICY_FIFO, 30);
	init_n(&hi, 1, RT_POLICY_FIFO, 31);
	rt_enqueue(&rq, &a, false);
	rt_enqueue(&rq, &b, false);

	/* Caller model 1: a runs off the queue, hi wakes and preempts it. */
	assert_ptr_equal(rt_pick(&rq), &a);
	rt_dequeue(&rq, &a);
	rt_enqueue(&rq, &hi, false);
	assert_true(rt_should_preempt(&rq, &a, &hi));
	rt_enqueue(&rq, &a, true); /* preempted: back to head */
	check_bitmap(&rq);
	assert_ptr_equal(rt_pick(&rq), &hi);
	rt_dequeue(&rq, &hi);		    /* hi blocks */
	assert_ptr_equal(rt_pick(&rq), &a); /* a resumes before b */

	/* Caller model 2 (Linux): a stays queued while running. */
	rt_enqueue(&rq, &hi, false);
	assert_ptr_equal(rt_pick(&rq), &hi);
	rt_dequeue(&rq, &hi);
	assert_ptr_equal(rt_pick(&rq), &a);
	check_bitmap(&rq);
}

static void test_should_preempt_strict(void **state)
{
	struct rt_entity lo, eq, hi;

	init_n(&lo, 1, RT_POLICY_RR, 10);
	init_n(&eq, 1, RT_POLICY_FIFO, 10);
	init_n(&hi, 1, RT_POLICY_FIFO, 11);
	assert_false(rt_should_preempt(&rq, &lo, &eq));
	assert_false(rt_should_preempt(&rq, &hi, &lo));
	assert_true(rt_should_preempt(&rq, &lo, &hi));
	assert_true(rt_should_preempt(&rq, NULL, &lo));
}

/* Run the picked entity for @ticks ticks of @step ns; count reschedules. */
static int run_ticks(int ticks, u64 step, struct rt_entity **order, int max)
{
	int n = 0, t;

	for (t = 0; t < ticks; t++) {
		struct rt_entity *curr = rt_pick(&rq);

		if (rt_tick(&rq, curr, step)) {
			if (order && n < max)
				order[n] = curr;
			n++;
		}
		check_bitmap(&rq);
	}
	return n;
}

static void test_rr_rotation_exact(void **state)
{
	struct rt_entity e[3], lo, *order[9];
	int i, t;

	rt_rq_init(&rq);
	init_n(e, 3, RT_POLICY_RR, 20);
	init_n(&lo, 1, RT_POLICY_RR, 19);
	for (i = 0; i < 3; i++)
		rt_enqueue(&rq, &e[i], false);
	rt_enqueue(&rq, &lo, false);

	/* 1 ms ticks: the 100th tick of each, and only it, rotates. */
	for (t = 1; t <= 100; t++) {
		bool resched = rt_tick(&rq, rt_pick(&rq), MS);

		assert_int_equal(resched, t == 100);
		if (t < 100)
			assert_int_equal(e[0].time_slice,
					 RT_RR_TIMESLICE_NS - t * MS);
	}
	assert_int_equal(e[0].time_slice, RT_RR_TIMESLICE_NS);
	assert_ptr_equal(rt_pick(&rq), &e[1]);

	/* Nine more slices: order e1 e2 e0 e1 e2 e0 ..., lo never runs. */
	assert_int_equal(run_ticks(900, MS, order, 9), 9);
	for (i = 0; i < 9; i++)
		assert_ptr_equal(order[i], &e[(i + 1) % 3]);
	assert_ptr_equal(rt_pick(&rq), &e[1]);
	assert_int_equal(lo.time_slice, RT_RR_TIMESLICE_NS);

	/* Uneven deltas: 7 ms steps exhaust on the 15th (105 ms). */
	for (t = 1; t <= 15; t++)
		assert_int_equal(rt_tick(&rq, &e[1], 7 * MS), t == 15);
	assert_int_equal(e[1].time_slice, RT_RR_TIMESLICE_NS);
	assert_ptr_equal(rt_pick(&rq), &e[2]);
	/* Exactly the slice in one charge rotates; one ns less does not. */
	assert_false(rt_tick(&rq, &e[2], RT_RR_TIMESLICE_NS - 1));
	assert_int_equal(e[2].time_slice, 1);
	assert_true(rt_tick(&rq, &e[2], 1));
	assert_ptr_equal(rt_pick(&rq), &e[0]);
	assert_int_equal(rt_timeslice_left(&e[0]), RT_RR_TIMESLICE_NS);
}

static void test_rr_alone_not_rotated(void **state)
{
	struct rt_entity a, b, lo;

	rt_rq_init(&rq);
	init_n(&a, 1, RT_POLICY_RR, 50);
	init_n(&lo, 1, RT_POLICY_RR, 49);
	rt_enqueue(&rq, &a, false);
	rt_enqueue(&rq, &lo, false);
	assert_int_equal(run_ticks(1000, MS, NULL, 0), 0);
	assert_ptr_equal(rt_pick(&rq), &a);
	assert_int_equal(a.time_slice, RT_RR_TIMESLICE_NS);

	/* Off the queue while running: rotation is due iff the level has
	 * others; the caller then puts it back at the tail. */
	rt_dequeue(&rq, &a);
	assert_false(rt_tick(&rq, &a, RT_RR_TIMESLICE_NS));
	init_n(&b, 1, RT_POLICY_RR, 50);
	rt_enqueue(&rq, &b, false);
	assert_false(rt_tick(&rq, &a, RT_RR_TIMESLICE_NS - MS));
	assert_true(rt_tick(&rq, &a, MS));
	assert_int_equal(a.time_slice, RT_RR_TIMESLICE_NS);
	rt_enqueue(&rq, &a, false);
	assert_ptr_equal(rt_pick(&rq), &b);
	check_bitmap(&rq);
}

static void test_fifo_never_rotated(void **state)
{
	struct rt_entity f, r;

	rt_rq_init(&rq);
	init_n(&f, 1, RT_POLICY_FIFO, 60);
	init_n(&r, 1, RT_POLICY_RR, 60);
	rt_enqueue(&rq, &f, false);
	rt_enqueue(&rq, &r, false);
	/* 10 s of running: f keeps the CPU, its slice untouched. */
	assert_int_equal(run_ticks(10000, MS, NULL, 0), 0);
	assert_ptr_equal(rt_pick(&rq), &f);
	assert_int_equal(f.time_slice, RT_RR_TIMESLICE_NS);
	assert_int_equal(rt_timeslice_left(&f), ~0ULL);
	assert_false(rt_tick(&rq, &f, ~0ULL));
	assert_int_equal(list_count(&rq.queue[rt_prio_to_idx(60)]), 2);
}

static void test_set_prio_boost_unboost(void **state)
{
	struct rt_entity low, mid, top, peer;

	rt_rq_init(&rq);
	init_n(&low, 1, RT_POLICY_FIFO, 5);
	init_n(&peer, 1, RT_POLICY_FIFO, 5);
	init_n(&mid, 1, RT_POLICY_RR, 50);
	init_n(&top, 1, RT_POLICY_FIFO, 90);
	rt_enqueue(&rq, &low, false);
	rt_enqueue(&rq, &peer, false);
	rt_enqueue(&rq, &mid, false);
	assert_ptr_equal(rt_pick(&rq), &mid);

	/* Boost above everything. */
	assert_int_equal(rt_set_prio(&rq, &low, RT_PRIO_MAX), 0);
	check_bitmap(&rq);
	assert_ptr_equal(rt_pick(&rq), &low);
	assert_int_equal(rt_rq_highest_prio(&rq), RT_PRIO_MAX);
	assert_int_equal(list_count(&rq.queue[rt_prio_to_idx(5)]), 1);

	/* Unboost: head of its old level, ahead of peer. */
	assert_int_equal(rt_set_prio(&rq, &low, 5), 0);
	check_bitmap(&rq);
	assert_ptr_equal(rt_pick(&rq), &mid);
	assert_ptr_equal(list_first_entry(&rq.queue[rt_prio_to_idx(5)],
					  struct rt_entity, run_list),
			 &low);

	/* Boost to a level already occupied: tail, behind mid. */
	assert_int_equal(rt_set_prio(&rq, &low, 50), 0);
	check_bitmap(&rq);
	assert_ptr_equal(rt_pick(&rq), &mid);
	assert_ptr_equal(list_last_entry(&rq.queue[rt_prio_to_idx(50)],
					 struct rt_entity, run_list),
			 &low);

	/* Unchanged priority: no move. */
	assert_int_equal(rt_set_prio(&rq, &low, 50), 0);
	assert_ptr_equal(rt_pick(&rq), &mid);

	/* Unboost: head of its old level, ahead of peer. */
	assert_int_equal(rt_set_prio(&rq, &low, 5), 0);
	check_bitmap(&rq);
	assert_ptr_equal(list_first_entry(&rq.queue[rt_prio_to_idx(5)],
					  struct rt_entity, run_list),
			 &low);
	rt_dequeue(&rq, &mid);
	assert_ptr_equal(rt_pick(&rq), &low);

	/* Not queued: only the field changes. */
	assert_int_equal(rt_set_prio(&rq, &top, 70), 0);
	assert_int_equal(top.prio, 70);
	assert_false(top.on_rq);
	assert_int_equal(rq.nr_running, 2);
	check_bitmap(&rq);
}

static void test_invalid_prio(void **state)
{
	struct rt_entity e, ok;
	static const int bad[] = {0, 100, -1, 1000};
	unsigned int i;

	rt_rq_init(&rq);
	memset(&e, 0x5a, sizeof(e));
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		assert_int_equal(rt_entity_init(&e, RT_POLICY_FIFO, bad[i]),
				 -EINVAL);
		assert_int_equal(e.prio, 0x5a5a5a5a);
	}
	assert_int_equal(rt_entity_init(&e, (enum rt_policy)0, 10), -EINVAL);
	assert_int_equal(rt_entity_init(&e, RT_POLICY_RR, 1), 0);
	assert_int_equal(rt_entity_init(&ok, RT_POLICY_FIFO, 99), 0);
	rt_enqueue(&rq, &e, false);
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		assert_int_equal(rt_set_prio(&rq, &e, bad[i]), -EINVAL);
		assert_int_equal(e.prio, 1);
		assert_true(e.on_rq);
		check_bitmap(&rq);
	}
	assert_int_equal(rt_rq_highest_prio(&rq), 1);
	assert_true(test_bit(rt_prio_to_idx(1), rq.bitmap));
	assert_int_equal(rt_prio_to_idx(99), 0);
	assert_int_equal(rt_prio_to_idx(1), 98);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_random_against_model),
		cmocka_unit_test(test_drain_strict_order),
		cmocka_unit_test(test_fifo_order_within_level),
		cmocka_unit_test(test_head_enqueue_preempted),
		cmocka_unit_test(test_should_preempt_strict),
		cmocka_unit_test(test_rr_rotation_exact),
		cmocka_unit_test(test_rr_alone_not_rotated),
		cmocka_unit_test(test_fifo_never_rotated),
		cmocka_unit_test(test_set_prio_boost_unboost),
		cmocka_unit_test(test_invalid_prio),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
