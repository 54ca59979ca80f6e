/*
 * Host tests for kernel/sched/fair.c (EEVDF).
 *
 * A discrete simulation stands in for the scheduler core: every tick it
 * picks, charges the picked entity one tick with fair_update_curr() and
 * picks again. After every operation check() verifies the run queue
 * against brute force: the augmentation (least vruntime of each subtree),
 * the deadline order, the two sums behind V, and that fair_pick() returns
 * exactly what an O(n) reference returns (the first eligible entity in
 * deadline order, eligibility computed from scratch in 128-bit). The
 * queue's floor starts just below the u64 wrap, so every test crosses it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <keel/sched/fair.h>

#define MS 1000000ULL
#define TICK MS
#define SE(n) rb_entry(n, struct sched_entity, run_node)

static struct fair_rq rq;
static unsigned long nr_descents; /* checks where the leftmost was
				   * not eligible (the tree walk ran) */

/* ---- brute-force reference ---------------------------------------------- */

/*
 * The queue's weighted vruntime sum, recomputed from the entities alone:
 * ref_sum = sum(w_j * (v_j - ref_base)), ref_load = sum(w_j), in 128 bits.
 */
static __int128 ref_sum;
static __int128 ref_load;
static u64 ref_base;

static void ref_sums(void)
{
	struct rb_node *n = rb_first(&rq.tasks.rb_root);

	ref_sum = ref_load = 0;
	ref_base = n ? SE(n)->vruntime : 0;
	for (; n; n = rb_next(n)) {
		ref_sum += (__int128)SE(n)->weight *
			   (s64)(SE(n)->vruntime - ref_base);
		ref_load += SE(n)->weight;
	}
}

/* v <= V, i.e. sum(w_j * (v_j - v)) >= 0; ref_sums() first. */
static bool ref_eligible(const struct sched_entity *se)
{
	return ref_sum >= ref_load * (s64)(se->vruntime - ref_base);
}

static struct sched_entity *ref_pick(void)
{
	struct rb_node *n;

	for (n = rb_first(&rq.tasks.rb_root); n; n = rb_next(n))
		if (ref_eligible(SE(n)))
			return SE(n);
	n = rb_first(&rq.tasks.rb_root);
	return n ? SE(n) : NULL;
}

static u64 ref_min(u64 a, u64 b)
{
	return (s64)(a - b) < 0 ? a : b;
}

/* Checks the subtree at @n; Return: its node count. */
static unsigned int check_subtree(struct rb_node *n)
{
	u64 m;

	if (!n)
		return 0;
	m = SE(n)->vruntime;
	if (n->rb_left)
		m = ref_min(m, SE(n->rb_left)->min_vruntime);
	if (n->rb_right)
		m = ref_min(m, SE(n->rb_right)->min_vruntime);
	assert_true(SE(n)->min_vruntime == m);
	assert_true(SE(n)->on_rq);
	return 1 + check_subtree(n->rb_left) + check_subtree(n->rb_right);
}

static void check(void)
{
	struct rb_node *n, *prev = NULL;
	s64 sum = 0;
	u64 load = 0;
	struct sched_entity *pick, *ref;

	assert_int_equal(check_subtree(rq.tasks.rb_root.rb_node),
			 rq.nr_running);
	assert_ptr_equal(rq.tasks.rb_leftmost, rb_first(&rq.tasks.rb_root));
	for (n = rb_first(&rq.tasks.rb_root); n; prev = n, n = rb_next(n)) {
		if (prev)
			assert_true((s64)(SE(n)->deadline -
					  SE(prev)->deadline) >= 0);
		sum += (s64)(SE(n)->vruntime - rq.min_vruntime) *
		       (s64)SE(n)->weight;
		load += SE(n)->weight;
	}
	assert_int_equal(load, rq.avg_load);
	assert_true(sum == rq.avg_vruntime);
	ref_sums();
	pick = fair_pick(&rq);
	ref = ref_pick();
	if (rq.tasks.rb_leftmost && !ref_eligible(SE(rq.tasks.rb_leftmost)))
		nr_descents++;
	assert_ptr_equal(pick, ref);
	if (pick) {
		/* Nothing eligible has an earlier deadline. */
		for (n = rb_first(&rq.tasks.rb_root); n; n = rb_next(n))
			if (ref_eligible(SE(n)))
				assert_true((s64)(SE(n)->deadline -
						  pick->deadline) >= 0);
		assert_true(fair_entity_eligible(&rq, pick));
	}
}

/* ---- simulation --------------------------------------------------------- */

/* Run @ticks ticks: pick, run a tick, update, check. */
static void run(u64 ticks)
{
	while (ticks--) {
		struct sched_entity *se = fair_pick(&rq);

		assert_non_null(se);
		fair_update_curr(&rq, se, TICK);
		check();
	}
}

static int setup(void **state)
{
	fair_rq_init(&rq);
	srand(12345);
	return 0;
}

static double share(const struct sched_entity *se, u64 total)
{
	return (double)se->sum_exec_runtime / (double)total;
}

static void test_empty(void **state)
{
	assert_null(fair_pick(&rq));
	check();
}

static void test_two_equal(void **state)
{
	struct sched_entity a, b;

	fair_entity_init(&a, 0);
	fair_entity_init(&b, 0);
	fair_enqueue(&rq, &a, FAIR_ENQ_INITIAL);
	fair_enqueue(&rq, &b, FAIR_ENQ_INITIAL);
	check();
	run(10000); /* 10 s */
	print_message("# nice 0/0: %llu ms / %llu ms\n",
		      a.sum_exec_runtime / MS, b.sum_exec_runtime / MS);
	assert_true(share(&a, 10000 * MS) > 0.5 * 0.95);
	assert_true(share(&b, 10000 * MS) > 0.5 * 0.95);
}

static void test_nice_0_vs_5(void **state)
{
	struct sched_entity a, b;
	double ratio, want = 1024.0 / 335.0;

	fair_entity_init(&a, 0);
	fair_entity_init(&b, 5);
	fair_enqueue(&rq, &a, FAIR_ENQ_INITIAL);
	fair_enqueue(&rq, &b, FAIR_ENQ_INITIAL);
	run(10000);
	ratio = (double)a.sum_exec_runtime / (double)b.sum_exec_runtime;
	print_message("# nice 0/5: %llu ms / %llu ms, ratio %.3f (want %.3f)\n",
		      a.sum_exec_runtime / MS, b.sum_exec_runtime / MS, ratio,
		      want);
	assert_true(ratio > want * 0.9 && ratio < want * 1.1);
}

static void test_three_proportional(void **state)
{
	struct sched_entity se[3];
	int nice[3] = {-5, 0, 5};
	double w = 3121 + 1024 + 335;
	int i;

	for (i = 0; i < 3; i++) {
		fair_entity_init(&se[i], nice[i]);
		fair_enqueue(&rq, &se[i], FAIR_ENQ_INITIAL);
	}
	run(10000);
	for (i = 0; i < 3; i++) {
		double want = se[i].weight / w;
		double got = share(&se[i], 10000 * MS);

		print_message("# nice %d: %llu ms, share %.4f (want %.4f)\n",
			      nice[i], se[i].sum_exec_runtime / MS, got, want);
		assert_true(got > want * 0.95 && got < want * 1.05);
	}
}

/* An interactive entity (1 ms run, 5 ms sleep) next to two CPU hogs. */
static void test_sleeper_shares(void **state)
{
	struct sched_entity a, b, c;
	u64 t, asleep_until = 0;
	u64 total = 10000;

	fair_entity_init(&a, 0);
	fair_entity_init(&b, 0);
	fair_entity_init(&c, 0);
	fair_enqueue(&rq, &a, FAIR_ENQ_INITIAL);
	fair_enqueue(&rq, &b, FAIR_ENQ_INITIAL);
	fair_enqueue(&rq, &c, FAIR_ENQ_INITIAL);
	for (t = 0; t < total; t++) {
		struct sched_entity *se;

		if (!c.on_rq && t >= asleep_until) {
			fair_enqueue(&rq, &c, FAIR_ENQ_WAKEUP);
			check();
		}
		se = fair_pick(&rq);
		fair_update_curr(&rq, se, TICK);
		check();
		if (se == &c) {
			fair_dequeue(&rq, &c, FAIR_DEQ_SLEEP);
			assert_true(llabs(c.vlag) <= (s64)fair_lag_limit(&c));
			check();
			asleep_until = t + 1 + 5;
		}
	}
	print_message("# hogs %llu/%llu ms, sleeper %llu ms\n",
		      a.sum_exec_runtime / MS, b.sum_exec_runtime / MS,
		      c.sum_exec_runtime / MS);
	/*
	 * The sleeper asks for at most 1/6 of the CPU. It leaves with a
	 * small debt (it ran a whole tick), so it waits a little after each
	 * wake-up and gets less than that, but is never starved.
	 */
	assert_true(share(&c, total * MS) < 1.0 / 6 + 0.01);
	assert_true(share(&c, total * MS) > 0.1);
	assert_true(llabs((s64)a.sum_exec_runtime - (s64)b.sum_exec_runtime) <
		    (s64)(total * MS / 20));
}

/* Long sleep with banked credit: clamped, no starvation, bounded burst. */
static void test_lag_clamp(void **state)
{
	struct sched_entity a, b;
	u64 limit, t, first_a = 0, b0, a0;
	s64 burst;

	fair_entity_init(&a, 0);
	fair_entity_init(&b, 0);
	fair_enqueue(&rq, &a, FAIR_ENQ_INITIAL);
	fair_enqueue(&rq, &b, FAIR_ENQ_INITIAL);
	/* A hogs for 1 s as if the core ignored B: B is owed ~500 ms. */
	for (t = 0; t < 1000; t++)
		fair_update_curr(&rq, &a, TICK);
	check();
	limit = fair_lag_limit(&b);
	assert_true((s64)(fair_avg_vruntime(&rq) - b.vruntime) >
		    (s64)(50 * limit));
	fair_dequeue(&rq, &b, FAIR_DEQ_SLEEP);
	assert_int_equal(b.vlag, (s64)limit);
	/* A owes the same; were it dequeued its debt would be clamped. */
	check();
	run(5000); /* A alone, 5 s */
	fair_enqueue(&rq, &b, FAIR_ENQ_WAKEUP);
	check();
	assert_int_equal((s64)(fair_avg_vruntime(&rq) - b.vruntime),
			 (s64)limit);
	a0 = a.sum_exec_runtime;
	b0 = b.sum_exec_runtime;
	for (t = 0; t < 1000; t++) {
		if (!first_a && a.sum_exec_runtime != a0)
			first_a = t;
		run(1);
	}
	burst = (s64)(b.sum_exec_runtime - b0) - (s64)(a.sum_exec_runtime - a0);
	print_message("# lag limit %llu ms: A first ran after %llu ms, "
		      "B-A over 1 s %lld ms\n",
		      limit / MS, first_a, burst / (s64)MS);
	/* B's head start is its lag, doubled by placement, plus a slice. */
	assert_true(first_a * MS <= 2 * limit + FAIR_BASE_SLICE_NS + TICK);
	assert_true(burst <= (s64)(2 * limit + FAIR_BASE_SLICE_NS + TICK));
}

/* A task that ran far ahead keeps only a bounded debt across a sleep. */
static void test_negative_lag(void **state)
{
	struct sched_entity a, b;
	int t;

	fair_entity_init(&a, 0);
	fair_entity_init(&b, 0);
	fair_enqueue(&rq, &a, FAIR_ENQ_INITIAL);
	fair_enqueue(&rq, &b, FAIR_ENQ_INITIAL);
	for (t = 0; t < 1000; t++)
		fair_update_curr(&rq, &a, TICK);
	fair_dequeue(&rq, &a, FAIR_DEQ_SLEEP);
	assert_int_equal(a.vlag, -(s64)fair_lag_limit(&a));
	check();
	fair_enqueue(&rq, &a, FAIR_ENQ_WAKEUP);
	check();
	assert_false(fair_entity_eligible(&rq, &a));
	run(1000);
	assert_true(a.sum_exec_runtime - 1000 * MS > 450 * MS);
}

#define NRAND 1000

/* Random enqueue, dequeue, run and nice over 1000 entities. */
static void test_random(void **state)
{
	static struct sched_entity se[NRAND];
	int i, step;

	nr_descents = 0;
	for (i = 0; i < NRAND; i++)
		fair_entity_init(&se[i], rand() % 40 - 20);
	for (step = 0; step < 6000; step++) {
		struct sched_entity *e = &se[rand() % NRAND];
		int op = rand() % 8;

		if (!e->on_rq && op < 5) {
			fair_enqueue(&rq, e,
				     rand() % 2 ? FAIR_ENQ_WAKEUP
						: FAIR_ENQ_INITIAL);
		} else if (e->on_rq && op < 3) {
			fair_dequeue(&rq, e, FAIR_DEQ_SLEEP);
		} else if (op == 5) {
			fair_set_nice(&rq, e, rand() % 40 - 20);
		} else if (rq.nr_running) {
			e = fair_pick(&rq);
			fair_update_curr(&rq, e, (u64)(rand() % 4000) * 1000);
		}
		check();
	}
	for (i = 0; i < NRAND; i++) /* drain in index (random) order */
		if (se[i].on_rq) {
			fair_dequeue(&rq, &se[i], 0);
			if (i % 16 == 0)
				check();
		}
	print_message("# random: %lu picks walked the tree\n", nr_descents);
	assert_true(nr_descents > 1000);
	assert_int_equal(rq.nr_running, 0);
	assert_int_equal(rq.avg_load, 0);
	assert_true(rq.avg_vruntime == 0);
	check();
}

static void test_reweight(void **state)
{
	struct sched_entity se[3];
	u64 v0, v1, before;
	double ratio;
	int i;

	for (i = 0; i < 3; i++) {
		fair_entity_init(&se[i], 0);
		fair_enqueue(&rq, &se[i], FAIR_ENQ_INITIAL);
	}
	run(1001);
	v0 = fair_avg_vruntime(&rq);
	fair_set_nice(&rq, &se[0], -10);
	check();
	v1 = fair_avg_vruntime(&rq);
	print_message("# reweight 0 -> -10: V moved %lld ns\n",
		      (long long)(s64)(v1 - v0));
	assert_true(llabs((s64)(v1 - v0)) <= 2);
	assert_int_equal(se[0].weight, 9548);
	fair_set_nice(&rq, &se[1], 19);
	check();
	assert_true(llabs((s64)(fair_avg_vruntime(&rq) - v1)) <= 2);
	/* The new weights now set the shares. */
	before = se[0].sum_exec_runtime;
	v0 = se[2].sum_exec_runtime;
	run(10000);
	ratio = (double)(se[0].sum_exec_runtime - before) /
		(double)(se[2].sum_exec_runtime - v0);
	print_message(
		"# after reweight: nice -10 / nice 0 = %.3f (want %.3f)\n",
		ratio, 9548.0 / 1024.0);
	assert_true(ratio > 9548.0 / 1024 * 0.9 && ratio < 9548.0 / 1024 * 1.1);
	/* A sleeping entity's lag scales by old/new weight. */
	fair_dequeue(&rq, &se[2], FAIR_DEQ_SLEEP);
	se[2].vlag = 1024 * 1000;
	fair_set_nice(NULL, &se[2], 5);
	assert_int_equal(se[2].vlag, 1000 * 1024 * 1024 / 335);
	fair_set_nice(&rq, &se[0], 0);
	check();
}

static void test_weight_table(void **state)
{
	assert_int_equal(fair_nice_to_weight(-20), 88761);
	assert_int_equal(fair_nice_to_weight(0), NICE_0_WEIGHT);
	assert_int_equal(fair_nice_to_weight(5), 335);
	assert_int_equal(fair_nice_to_weight(19), 15);
	assert_int_equal(fair_nice_to_weight(100), 15);
	assert_int_equal(fair_nice_to_weight(-100), 88761);
}

/* A deadline expiry re-queues the entity and asks for a re-pick. */
static void test_deadline(void **state)
{
	struct sched_entity a;
	u64 d;

	fair_entity_init(&a, 0);
	fair_enqueue(&rq, &a, FAIR_ENQ_INITIAL);
	d = a.deadline;
	assert_int_equal(d - a.vruntime, FAIR_BASE_SLICE_NS / 2);
	assert_false(fair_update_curr(&rq, &a, FAIR_BASE_SLICE_NS / 2 - 1));
	assert_true(fair_update_curr(&rq, &a, 1));
	assert_int_equal(a.deadline - a.vruntime, FAIR_BASE_SLICE_NS);
	check();
}

#define FT(fn) cmocka_unit_test_setup(fn, setup)

int main(void)
{
	const struct CMUnitTest tests[] = {
		FT(test_weight_table),	 FT(test_empty),
		FT(test_deadline),	 FT(test_two_equal),
		FT(test_nice_0_vs_5),	 FT(test_three_proportional),
		FT(test_sleeper_shares), FT(test_lag_clamp),
		FT(test_negative_lag),	 FT(test_random),
		FT(test_reweight),
	};

	return cmocka_run_group_tests_name("sched_fair", tests, NULL, NULL);
}
