/*
 * Host tests for kernel/lib/rbtree.c.
 *
 * check_tree() verifies everything a red-black tree promises: parent
 * links, a black root, no red node with a red child, equal black heights,
 * in-order keys, consistent rb_next/rb_prev, the cached leftmost node and,
 * for augmented trees, every node's summary. Randomized runs of inserts and
 * erases (plain, cached, and augmented with a max and with a subtree-size
 * summary) call it after each step.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <keel/rbtree.h>

struct tnode {
	u32 key;
	u32 val;	/* payload, unrelated to the key order */
	u32 max;	/* largest val in the subtree (like an interval
			 * tree's max end or EEVDF's min deadline) */
	u32 size;	/* nodes in the subtree */
	bool in;
	struct rb_node rb;
};

#define NODE(r) rb_entry(r, struct tnode, rb)
#define NNODES 300

static struct tnode nodes[NNODES];

static u32 compute_max(const struct tnode *n)
{
	u32 m = n->val;

	if (n->rb.rb_left && NODE(n->rb.rb_left)->max > m)
		m = NODE(n->rb.rb_left)->max;
	if (n->rb.rb_right && NODE(n->rb.rb_right)->max > m)
		m = NODE(n->rb.rb_right)->max;
	return m;
}

static u32 compute_size(const struct tnode *n)
{
	return 1 + (n->rb.rb_left ? NODE(n->rb.rb_left)->size : 0) +
	       (n->rb.rb_right ? NODE(n->rb.rb_right)->size : 0);
}

RB_DECLARE_CALLBACKS(static, max_cb, struct tnode, rb, max, compute_max);
RB_DECLARE_CALLBACKS(static, size_cb, struct tnode, rb, size, compute_size);

enum aug { AUG_NONE, AUG_MAX, AUG_SIZE };

/* Return: the black height of the subtree at @n; checks it recursively. */
static int check_node(const struct rb_node *n, const struct rb_node *parent,
		      enum aug aug, size_t *count)
{
	int lh, rh;

	if (!n)
		return 1;
	(*count)++;
	assert_ptr_equal(rb_parent(n), parent);
	if (!rb_is_black(n)) {
		assert_true(!n->rb_left || rb_is_black(n->rb_left));
		assert_true(!n->rb_right || rb_is_black(n->rb_right));
	}
	lh = check_node(n->rb_left, n, aug, count);
	rh = check_node(n->rb_right, n, aug, count);
	assert_int_equal(lh, rh);
	if (aug == AUG_MAX)
		assert_int_equal(NODE(n)->max, compute_max(NODE(n)));
	if (aug == AUG_SIZE)
		assert_int_equal(NODE(n)->size, compute_size(NODE(n)));
	return lh + rb_is_black(n);
}

static int log2_ceil(size_t n)
{
	int l = 0;

	while (((size_t)1 << l) < n)
		l++;
	return l;
}

static int height(const struct rb_node *n)
{
	int l, r;

	if (!n)
		return 0;
	l = height(n->rb_left);
	r = height(n->rb_right);
	return 1 + (l > r ? l : r);
}

static void check_tree(const struct rb_root *root, size_t expect,
		       enum aug aug)
{
	const struct rb_node *n, *prev = NULL;
	size_t count = 0, walked = 0;

	if (root->rb_node) {
		assert_true(rb_is_black(root->rb_node));
		assert_null(rb_parent(root->rb_node));
	}
	check_node(root->rb_node, NULL, aug, &count);
	assert_int_equal(count, expect);
	assert_true(height(root->rb_node) <= 2 * log2_ceil(expect + 1));
	for (n = rb_first(root); n; prev = n, n = rb_next(n), walked++) {
		assert_ptr_equal(rb_prev(n), prev);
		if (prev)
			assert_true(NODE(prev)->key <= NODE(n)->key);
	}
	assert_ptr_equal(prev, rb_last(root));
	assert_int_equal(walked, expect);
	if (aug == AUG_SIZE && root->rb_node)
		assert_int_equal(NODE(root->rb_node)->size, expect);
}

static bool key_less(struct rb_node *a, const struct rb_node *b)
{
	return NODE(a)->key < NODE(b)->key;
}

static u64 rng = 0x9e3779b97f4a7c15ULL;

static u64 next_rand(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static void reset_nodes(u32 key_range)
{
	for (size_t i = 0; i < NNODES; i++) {
		nodes[i].key = key_range ? (u32)(next_rand() % key_range) :
					   (u32)i;
		nodes[i].val = (u32)(next_rand() % 16);
		nodes[i].in = false;
		RB_CLEAR_NODE(&nodes[i].rb);
	}
}

static void insert_plain(struct rb_root *root, struct tnode *t)
{
	struct rb_node **link = &root->rb_node, *parent = NULL;

	while (*link) {
		parent = *link;
		link = t->key < NODE(parent)->key ? &parent->rb_left :
						    &parent->rb_right;
	}
	rb_link_node(&t->rb, parent, link);
	rb_insert_color(&t->rb, root);
}

static void test_empty(void **state)
{
	struct rb_root root = RB_ROOT;
	struct rb_root_cached croot = RB_ROOT_CACHED;
	struct tnode t;

	assert_true(RB_EMPTY_ROOT(&root));
	assert_null(rb_first(&root));
	assert_null(rb_last(&root));
	assert_null(rb_first_postorder(&root));
	assert_null(rb_first_cached(&croot));
	RB_CLEAR_NODE(&t.rb);
	assert_true(RB_EMPTY_NODE(&t.rb));
	assert_null(rb_next(&t.rb));
	assert_null(rb_prev(&t.rb));
	assert_null(rb_next_postorder(NULL));
}

static void test_single(void **state)
{
	struct rb_root root = RB_ROOT;

	reset_nodes(0);
	insert_plain(&root, &nodes[0]);
	assert_false(RB_EMPTY_ROOT(&root));
	assert_false(RB_EMPTY_NODE(&nodes[0].rb));
	assert_ptr_equal(rb_first(&root), &nodes[0].rb);
	assert_ptr_equal(rb_last(&root), &nodes[0].rb);
	assert_null(rb_next(&nodes[0].rb));
	check_tree(&root, 1, AUG_NONE);
	rb_erase(&nodes[0].rb, &root);
	assert_true(RB_EMPTY_ROOT(&root));
}

/* Ascending and descending insertion: the worst cases for balance. */
static void test_sequential(void **state)
{
	struct rb_root root = RB_ROOT;

	reset_nodes(0);
	for (size_t i = 0; i < NNODES; i++) {
		insert_plain(&root, &nodes[i]);
		check_tree(&root, i + 1, AUG_NONE);
	}
	for (size_t i = 0; i < NNODES; i++) {
		rb_erase(&nodes[i].rb, &root);
		check_tree(&root, NNODES - i - 1, AUG_NONE);
	}
	for (size_t i = NNODES; i-- > 0;)
		insert_plain(&root, &nodes[i]);
	check_tree(&root, NNODES, AUG_NONE);
	for (size_t i = NNODES; i-- > 0;) {
		rb_erase(&nodes[i].rb, &root);
		check_tree(&root, i, AUG_NONE);
	}
}

/* Random inserts and erases on a plain tree with duplicate keys. */
static void test_random_plain(void **state)
{
	struct rb_root root = RB_ROOT;
	size_t count = 0;

	reset_nodes(64);
	for (int step = 0; step < 20000; step++) {
		struct tnode *t = &nodes[next_rand() % NNODES];

		if (t->in) {
			rb_erase(&t->rb, &root);
			count--;
		} else if (step & 1) {
			insert_plain(&root, t);
			count++;
		} else {
			rb_add(&t->rb, &root, key_less);
			count++;
		}
		t->in = !t->in;
		check_tree(&root, count, AUG_NONE);
	}
}

static void random_augmented(enum aug aug,
			     const struct rb_augment_callbacks *cb)
{
	struct rb_root_cached root = RB_ROOT_CACHED;
	size_t count = 0;

	reset_nodes(1000);
	for (int step = 0; step < 20000; step++) {
		struct tnode *t = &nodes[next_rand() % NNODES];

		if (t->in) {
			rb_erase_augmented_cached(&t->rb, &root, cb);
			count--;
		} else {
			t->max = t->val;
			t->size = 1;
			rb_add_augmented_cached(&t->rb, &root, key_less, cb);
			count++;
		}
		t->in = !t->in;
		check_tree(&root.rb_root, count, aug);
		assert_ptr_equal(rb_first_cached(&root),
				 rb_first(&root.rb_root));
	}
}

static void test_random_augmented_max(void **state)
{
	random_augmented(AUG_MAX, &max_cb);
}

static void test_random_augmented_size(void **state)
{
	random_augmented(AUG_SIZE, &size_cb);
}

/* Insert with the manual protocol: propagate, link, rb_insert_augmented. */
static void test_manual_augmented(void **state)
{
	struct rb_root root = RB_ROOT;

	reset_nodes(50);
	for (size_t i = 0; i < NNODES; i++) {
		struct rb_node **link = &root.rb_node, *parent = NULL;
		struct tnode *t = &nodes[i];

		t->max = t->val;
		while (*link) {
			parent = *link;
			/* Update summaries on the way down. */
			if (NODE(parent)->max < t->val)
				NODE(parent)->max = t->val;
			link = t->key < NODE(parent)->key ? &parent->rb_left :
							    &parent->rb_right;
		}
		rb_link_node(&t->rb, parent, link);
		rb_insert_augmented(&t->rb, &root, &max_cb);
	}
	check_tree(&root, NNODES, AUG_MAX);
	for (size_t i = 0; i < NNODES; i += 2)
		rb_erase_augmented(&nodes[i].rb, &root, &max_cb);
	check_tree(&root, NNODES / 2, AUG_MAX);
}

static void test_cached(void **state)
{
	struct rb_root_cached root = RB_ROOT_CACHED;

	reset_nodes(0);
	assert_ptr_equal(rb_add_cached(&nodes[5].rb, &root, key_less),
			 &nodes[5].rb);
	assert_null(rb_add_cached(&nodes[7].rb, &root, key_less));
	assert_ptr_equal(rb_add_cached(&nodes[2].rb, &root, key_less),
			 &nodes[2].rb);
	assert_ptr_equal(rb_first_cached(&root), &nodes[2].rb);
	assert_null(rb_erase_cached(&nodes[7].rb, &root));
	assert_ptr_equal(rb_erase_cached(&nodes[2].rb, &root), &nodes[5].rb);
	assert_ptr_equal(rb_first_cached(&root), &nodes[5].rb);
	rb_replace_node_cached(&nodes[5].rb, &nodes[6].rb, &root);
	assert_ptr_equal(rb_first_cached(&root), &nodes[6].rb);
	assert_null(rb_erase_cached(&nodes[6].rb, &root));
	assert_null(rb_first_cached(&root));
	assert_true(RB_EMPTY_ROOT(&root.rb_root));

	/* Cached plain insert with rb_insert_color_cached directly. */
	rb_link_node(&nodes[1].rb, NULL, &root.rb_root.rb_node);
	rb_insert_color_cached(&nodes[1].rb, &root, true);
	assert_ptr_equal(rb_first_cached(&root), &nodes[1].rb);
}

static int cmp_key(const void *key, const struct rb_node *n)
{
	u32 k = *(const u32 *)key;

	return k < NODE(n)->key ? -1 : k > NODE(n)->key;
}

static int cmp_nodes(struct rb_node *a, const struct rb_node *b)
{
	return cmp_key(&NODE(a)->key, b);
}

static void test_find(void **state)
{
	struct rb_root root = RB_ROOT;
	u32 k;

	reset_nodes(0);
	for (size_t i = 0; i < 100; i += 2)	/* even keys only */
		assert_null(rb_find_add(&nodes[i].rb, &root, cmp_nodes));
	check_tree(&root, 50, AUG_NONE);
	for (k = 0; k < 100; k++) {
		struct rb_node *n = rb_find(&k, &root, cmp_key);

		if (k & 1)
			assert_null(n);
		else
			assert_ptr_equal(n, &nodes[k].rb);
	}
	nodes[150].key = 42;
	assert_ptr_equal(rb_find_add(&nodes[150].rb, &root, cmp_nodes),
			 &nodes[42].rb);
	check_tree(&root, 50, AUG_NONE);
}

static void test_replace(void **state)
{
	struct rb_root root = RB_ROOT;

	reset_nodes(0);
	for (size_t i = 0; i < 20; i++)
		insert_plain(&root, &nodes[i]);
	for (size_t i = 0; i < 20; i++) {
		nodes[100 + i].key = nodes[i].key;
		rb_replace_node(&nodes[i].rb, &nodes[100 + i].rb, &root);
		check_tree(&root, 20, AUG_NONE);
	}
	for (struct rb_node *n = rb_first(&root); n; n = rb_next(n))
		assert_true(NODE(n) >= &nodes[100] && NODE(n) < &nodes[120]);
}

static void test_postorder(void **state)
{
	struct rb_root root = RB_ROOT;
	struct tnode *pos, *n;
	bool seen[NNODES] = { false };
	size_t visits = 0;

	reset_nodes(0);
	for (size_t i = 0; i < 100; i++)
		insert_plain(&root, &nodes[(i * 37) % 100]);
	rbtree_postorder_for_each_entry_safe(pos, n, &root, rb) {
		struct rb_node *l = pos->rb.rb_left, *r = pos->rb.rb_right;

		/* Children come before their parent. */
		assert_true(!l || seen[NODE(l) - nodes]);
		assert_true(!r || seen[NODE(r) - nodes]);
		seen[pos - nodes] = true;
		visits++;
	}
	assert_int_equal(visits, 100);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_single),
		cmocka_unit_test(test_sequential),
		cmocka_unit_test(test_random_plain),
		cmocka_unit_test(test_random_augmented_max),
		cmocka_unit_test(test_random_augmented_size),
		cmocka_unit_test(test_manual_augmented),
		cmocka_unit_test(test_cached),
		cmocka_unit_test(test_find),
		cmocka_unit_test(test_replace),
		cmocka_unit_test(test_postorder),
	};

	return cmocka_run_group_tests_name("rbtree", tests, NULL, NULL);
}
