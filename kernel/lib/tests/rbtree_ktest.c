/*
 * ktests for kernel/lib/rbtree.c.
 *
 * rb_validate() checks every red-black invariant (parent links, black root,
 * no red-red edge, equal black heights), in-order keys with consistent
 * rb_next/rb_prev and, for augmented trees, every node's summary; it
 * returns "ok" or the first violation, so a failure names what broke.
 * Randomized runs of inserts and erases call it after every step: a plain
 * tree with duplicate keys, and cached augmented trees summarising the
 * maximum of a payload (the EEVDF/interval-tree pattern, which exercises
 * the early stop of propagation) and the subtree size.
 */
#include <keel/ktest.h>
#include <keel/rbtree.h>
#include <keel/string.h>

struct tnode {
	u32 key;
	u32 val;	/* payload, unrelated to the key order */
	u32 max;	/* largest val in the subtree */
	u32 size;	/* nodes in the subtree */
	bool in;
	struct rb_node rb;
};

#define NODE(r) rb_entry(r, struct tnode, rb)
#define NNODES 128

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

static const char *rb_error;

static int rb_fail(const char *why)
{
	rb_error = why;
	return -1;
}

/* Return: the black height below @n, or -1 after setting rb_error. */
static int check_node(const struct rb_node *n, const struct rb_node *parent,
		      enum aug aug, size_t *count)
{
	int lh, rh;

	if (!n)
		return 1;
	(*count)++;
	if (rb_parent(n) != parent)
		return rb_fail("bad parent link");
	if (!rb_is_black(n) && ((n->rb_left && !rb_is_black(n->rb_left)) ||
				(n->rb_right && !rb_is_black(n->rb_right))))
		return rb_fail("red node with a red child");
	lh = check_node(n->rb_left, n, aug, count);
	rh = check_node(n->rb_right, n, aug, count);
	if (lh < 0 || rh < 0)
		return -1;
	if (lh != rh)
		return rb_fail("unequal black heights");
	if (aug == AUG_MAX && NODE(n)->max != compute_max(NODE(n)))
		return rb_fail("stale max summary");
	if (aug == AUG_SIZE && NODE(n)->size != compute_size(NODE(n)))
		return rb_fail("stale size summary");
	return lh + rb_is_black(n);
}

static const char *rb_validate(const struct rb_root *root, size_t expect,
			       enum aug aug)
{
	const struct rb_node *n, *prev = NULL;
	size_t count = 0, walked = 0;

	if (root->rb_node && (!rb_is_black(root->rb_node) ||
			      rb_parent(root->rb_node)))
		return "root not black or has a parent";
	if (check_node(root->rb_node, NULL, aug, &count) < 0)
		return rb_error;
	if (count != expect)
		return "wrong node count";
	for (n = rb_first(root); n; prev = n, n = rb_next(n), walked++) {
		if (rb_prev(n) != prev)
			return "rb_prev disagrees with rb_next";
		if (prev && NODE(prev)->key > NODE(n)->key)
			return "keys out of order";
	}
	if (walked != expect || prev != rb_last(root))
		return "in-order walk incomplete";
	return "ok";
}

static bool key_less(struct rb_node *a, const struct rb_node *b)
{
	return NODE(a)->key < NODE(b)->key;
}

static u64 rng_state = 0x9e3779b97f4a7c15ULL;

static u64 next_rand(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static void reset_nodes(u32 key_range)
{
	size_t i;

	for (i = 0; i < NNODES; i++) {
		nodes[i].key = key_range ? (u32)(next_rand() % key_range) :
					   (u32)i;
		nodes[i].val = (u32)(next_rand() % 16);
		nodes[i].in = false;
		RB_CLEAR_NODE(&nodes[i].rb);
	}
}

static void insert_plain(struct rb_root *root, struct tnode *tn)
{
	struct rb_node **link = &root->rb_node, *parent = NULL;

	while (*link) {
		parent = *link;
		link = tn->key < NODE(parent)->key ? &parent->rb_left :
						     &parent->rb_right;
	}
	rb_link_node(&tn->rb, parent, link);
	rb_insert_color(&tn->rb, root);
}

static void test_empty_and_single(struct ktest *t)
{
	struct rb_root root = RB_ROOT;

	reset_nodes(0);
	KTEST_EXPECT_TRUE(t, RB_EMPTY_ROOT(&root));
	KTEST_EXPECT_NULL(t, rb_first(&root));
	KTEST_EXPECT_NULL(t, rb_last(&root));
	KTEST_EXPECT_NULL(t, rb_first_postorder(&root));
	KTEST_EXPECT_TRUE(t, RB_EMPTY_NODE(&nodes[0].rb));
	KTEST_EXPECT_NULL(t, rb_next(&nodes[0].rb));
	insert_plain(&root, &nodes[0]);
	KTEST_EXPECT_FALSE(t, RB_EMPTY_NODE(&nodes[0].rb));
	KTEST_EXPECT_PTR_EQ(t, rb_first(&root), &nodes[0].rb);
	KTEST_EXPECT_PTR_EQ(t, rb_last(&root), &nodes[0].rb);
	KTEST_EXPECT_STREQ(t, rb_validate(&root, 1, AUG_NONE), "ok");
	rb_erase(&nodes[0].rb, &root);
	KTEST_EXPECT_TRUE(t, RB_EMPTY_ROOT(&root));
}

static void test_sequential(struct ktest *t)
{
	struct rb_root root = RB_ROOT;
	size_t i;

	reset_nodes(0);
	for (i = 0; i < NNODES; i++) {
		insert_plain(&root, &nodes[i]);
		KTEST_ASSERT_STREQ(t, rb_validate(&root, i + 1, AUG_NONE),
				   "ok");
	}
	for (i = 0; i < NNODES; i++) {
		rb_erase(&nodes[i].rb, &root);
		KTEST_ASSERT_STREQ(t, rb_validate(&root, NNODES - i - 1,
						  AUG_NONE), "ok");
	}
	for (i = NNODES; i-- > 0;)
		insert_plain(&root, &nodes[i]);
	KTEST_ASSERT_STREQ(t, rb_validate(&root, NNODES, AUG_NONE), "ok");
	for (i = NNODES; i-- > 0;) {
		rb_erase(&nodes[i].rb, &root);
		KTEST_ASSERT_STREQ(t, rb_validate(&root, i, AUG_NONE), "ok");
	}
}

static void test_random_plain(struct ktest *t)
{
	struct rb_root root = RB_ROOT;
	size_t count = 0;
	int step;

	reset_nodes(32);
	for (step = 0; step < 6000; step++) {
		struct tnode *tn = &nodes[next_rand() % NNODES];

		if (tn->in) {
			rb_erase(&tn->rb, &root);
			count--;
		} else {
			if (step & 1)
				insert_plain(&root, tn);
			else
				rb_add(&tn->rb, &root, key_less);
			count++;
		}
		tn->in = !tn->in;
		KTEST_ASSERT_STREQ(t, rb_validate(&root, count, AUG_NONE),
				   "ok");
	}
}

static void random_augmented(struct ktest *t, enum aug aug,
			     const struct rb_augment_callbacks *cb)
{
	struct rb_root_cached root = RB_ROOT_CACHED;
	size_t count = 0;
	int step;

	reset_nodes(500);
	for (step = 0; step < 6000; step++) {
		struct tnode *tn = &nodes[next_rand() % NNODES];

		if (tn->in) {
			rb_erase_augmented_cached(&tn->rb, &root, cb);
			count--;
		} else {
			tn->max = tn->val;
			tn->size = 1;
			rb_add_augmented_cached(&tn->rb, &root, key_less, cb);
			count++;
		}
		tn->in = !tn->in;
		KTEST_ASSERT_STREQ(t, rb_validate(&root.rb_root, count, aug),
				   "ok");
		KTEST_ASSERT_TRUE(t, rb_first_cached(&root) ==
				     rb_first(&root.rb_root));
	}
}

static void test_random_augmented_max(struct ktest *t)
{
	random_augmented(t, AUG_MAX, &max_cb);
}

static void test_random_augmented_size(struct ktest *t)
{
	random_augmented(t, AUG_SIZE, &size_cb);
}

static void test_cached(struct ktest *t)
{
	struct rb_root_cached root = RB_ROOT_CACHED;

	reset_nodes(0);
	KTEST_EXPECT_PTR_EQ(t, rb_add_cached(&nodes[5].rb, &root, key_less),
			    &nodes[5].rb);
	KTEST_EXPECT_NULL(t, rb_add_cached(&nodes[7].rb, &root, key_less));
	KTEST_EXPECT_PTR_EQ(t, rb_add_cached(&nodes[2].rb, &root, key_less),
			    &nodes[2].rb);
	KTEST_EXPECT_PTR_EQ(t, rb_first_cached(&root), &nodes[2].rb);
	KTEST_EXPECT_NULL(t, rb_erase_cached(&nodes[7].rb, &root));
	KTEST_EXPECT_PTR_EQ(t, rb_erase_cached(&nodes[2].rb, &root),
			    &nodes[5].rb);
	rb_replace_node_cached(&nodes[5].rb, &nodes[6].rb, &root);
	KTEST_EXPECT_PTR_EQ(t, rb_first_cached(&root), &nodes[6].rb);
	KTEST_EXPECT_NULL(t, rb_erase_cached(&nodes[6].rb, &root));
	KTEST_EXPECT_NULL(t, rb_first_cached(&root));
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

static void test_find_and_replace(struct ktest *t)
{
	struct rb_root root = RB_ROOT;
	u32 k;
	size_t i;

	reset_nodes(0);
	for (i = 0; i < 64; i += 2)
		KTEST_EXPECT_NULL(t, rb_find_add(&nodes[i].rb, &root,
						 cmp_nodes));
	for (k = 0; k < 64; k++) {
		struct rb_node *n = rb_find(&k, &root, cmp_key);

		KTEST_EXPECT_PTR_EQ(t, n, (k & 1) ? NULL : &nodes[k].rb);
	}
	nodes[100].key = 42;
	KTEST_EXPECT_PTR_EQ(t, rb_find_add(&nodes[100].rb, &root, cmp_nodes),
			    &nodes[42].rb);
	nodes[101].key = 42;
	rb_replace_node(&nodes[42].rb, &nodes[101].rb, &root);
	k = 42;
	KTEST_EXPECT_PTR_EQ(t, rb_find(&k, &root, cmp_key), &nodes[101].rb);
	KTEST_EXPECT_STREQ(t, rb_validate(&root, 32, AUG_NONE), "ok");
}

static void test_postorder(struct ktest *t)
{
	static bool seen[NNODES];
	struct rb_root root = RB_ROOT;
	struct tnode *pos, *n;
	size_t i, visits = 0;

	reset_nodes(0);
	memset(seen, 0, sizeof(seen));
	for (i = 0; i < 100; i++)
		insert_plain(&root, &nodes[(i * 37) % 100]);
	rbtree_postorder_for_each_entry_safe(pos, n, &root, rb) {
		struct rb_node *l = pos->rb.rb_left, *r = pos->rb.rb_right;

		KTEST_EXPECT_TRUE(t, !l || seen[NODE(l) - nodes]);
		KTEST_EXPECT_TRUE(t, !r || seen[NODE(r) - nodes]);
		seen[pos - nodes] = true;
		visits++;
	}
	KTEST_EXPECT_EQ(t, visits, 100);
}

static struct ktest_case rbtree_cases[] = {
	KTEST_CASE(test_empty_and_single),
	KTEST_CASE(test_sequential),
	KTEST_CASE(test_random_plain),
	KTEST_CASE(test_random_augmented_max),
	KTEST_CASE(test_random_augmented_size),
	KTEST_CASE(test_cached),
	KTEST_CASE(test_find_and_replace),
	KTEST_CASE(test_postorder),
	{}
};
KTEST_SUITE(rbtree, rbtree_cases);
