/*
 * ktests for <keel/list.h>: list and hlist operations, iterators with and
 * without removal, poisoning, and a randomized run against an array model.
 */
#include <keel/ktest.h>
#include <keel/list.h>
#include <keel/string.h>

struct item {
	int val;
	struct list_head link;
	struct hlist_node hnode;
};

static struct item items[32];

static void init_items(void)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(items); i++)
		items[i].val = (int)i;
}

/* Return: true if @head holds exactly @want[0..@n), in both directions. */
static bool list_matches(const struct list_head *head, const int *want,
			 size_t n)
{
	const struct list_head *p;
	size_t i = 0;

	if (list_count(head) != n || list_empty(head) != (n == 0) ||
	    list_is_singular(head) != (n == 1))
		return false;
	for (p = head->next; p != head; p = p->next, i++) {
		if (p->next->prev != p ||
		    list_entry(p, struct item, link)->val != want[i])
			return false;
	}
	for (p = head->prev; p != head; p = p->prev) {
		if (list_entry(p, struct item, link)->val != want[--i])
			return false;
	}
	return true;
}

#define EXPECT_LIST(t, head, ...)                                     \
	do {                                                          \
		static const int __w[] = { __VA_ARGS__ };             \
		KTEST_EXPECT_TRUE(t, list_matches(head, __w,          \
						  ARRAY_SIZE(__w)));  \
	} while (0)

static void test_add(struct ktest *t)
{
	LIST_HEAD(head);

	init_items();
	KTEST_EXPECT_TRUE(t, list_empty(&head));
	KTEST_EXPECT_NULL(t, list_first_entry_or_null(&head, struct item,
						      link));
	list_add(&items[1].link, &head);
	list_add(&items[0].link, &head);
	list_add_tail(&items[2].link, &head);
	list_add_tail(&items[3].link, &head);
	EXPECT_LIST(t, &head, 0, 1, 2, 3);
	KTEST_EXPECT_PTR_EQ(t, list_first_entry(&head, struct item, link),
			    &items[0]);
	KTEST_EXPECT_PTR_EQ(t, list_last_entry(&head, struct item, link),
			    &items[3]);
	KTEST_EXPECT_PTR_EQ(t, list_next_entry(&items[1], link), &items[2]);
	KTEST_EXPECT_PTR_EQ(t, list_prev_entry(&items[1], link), &items[0]);
	KTEST_EXPECT_TRUE(t, list_is_first(&items[0].link, &head));
	KTEST_EXPECT_TRUE(t, list_is_last(&items[3].link, &head));
}

static void test_del_move_replace(struct ktest *t)
{
	LIST_HEAD(a);
	LIST_HEAD(b);
	int i;

	init_items();
	for (i = 0; i < 5; i++)
		list_add_tail(&items[i].link, &a);
	list_del(&items[1].link);
	KTEST_EXPECT_PTR_EQ(t, items[1].link.next, LIST_POISON_NEXT);
	KTEST_EXPECT_PTR_EQ(t, items[1].link.prev, LIST_POISON_PREV);
	list_del_init(&items[3].link);
	KTEST_EXPECT_TRUE(t, list_empty(&items[3].link));
	EXPECT_LIST(t, &a, 0, 2, 4);
	list_move(&items[4].link, &b);
	list_move_tail(&items[0].link, &b);
	EXPECT_LIST(t, &a, 2);
	EXPECT_LIST(t, &b, 4, 0);
	list_replace(&items[2].link, &items[5].link);
	EXPECT_LIST(t, &a, 5);
	list_replace_init(&items[4].link, &items[6].link);
	EXPECT_LIST(t, &b, 6, 0);
	KTEST_EXPECT_TRUE(t, list_empty(&items[4].link));
}

static void test_splice(struct ktest *t)
{
	LIST_HEAD(a);
	LIST_HEAD(b);
	int i;

	init_items();
	for (i = 0; i < 3; i++)
		list_add_tail(&items[i].link, &a);
	for (i = 3; i < 6; i++)
		list_add_tail(&items[i].link, &b);
	list_splice_init(&b, &a);
	EXPECT_LIST(t, &a, 3, 4, 5, 0, 1, 2);
	KTEST_EXPECT_TRUE(t, list_empty(&b));
	list_splice_init(&b, &a);
	EXPECT_LIST(t, &a, 3, 4, 5, 0, 1, 2);
	list_move(&items[0].link, &b);
	list_splice_tail_init(&b, &a);
	EXPECT_LIST(t, &a, 3, 4, 5, 1, 2, 0);
}

static void test_iterators(struct ktest *t)
{
	struct item *pos, *tmp;
	struct list_head *p, *n;
	LIST_HEAD(head);
	int i, seen = 0;

	init_items();
	for (i = 0; i < 5; i++)
		list_add_tail(&items[i].link, &head);
	list_for_each(p, &head)
		KTEST_EXPECT_EQ(t, list_entry(p, struct item, link)->val,
				seen++);
	list_for_each_entry(pos, &head, link)
		KTEST_EXPECT_EQ(t, pos->val, seen++ - 5);
	list_for_each_entry_reverse(pos, &head, link)
		KTEST_EXPECT_EQ(t, pos->val, --seen - 5);
	KTEST_EXPECT_EQ(t, seen, 5);
	list_for_each_entry_safe(pos, tmp, &head, link) {
		if (pos->val & 1)
			list_del(&pos->link);
	}
	EXPECT_LIST(t, &head, 0, 2, 4);
	list_for_each_safe(p, n, &head)
		list_del_init(p);
	KTEST_EXPECT_TRUE(t, list_empty(&head));
}

static u32 rng_state = 12345;

static u32 next_rand(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 17;
	rng_state ^= rng_state << 5;
	return rng_state;
}

static void test_random_model(struct ktest *t)
{
	static int model[32];
	static bool on[32];
	LIST_HEAD(head);
	size_t n = 0, i;
	int step;

	init_items();
	memset(on, 0, sizeof(on));
	for (step = 0; step < 5000; step++) {
		u32 r = next_rand(), k = r % 32;

		if (!on[k]) {
			if (r & 0x100) {
				list_add(&items[k].link, &head);
				memmove(model + 1, model, n * sizeof(int));
				model[0] = (int)k;
			} else {
				list_add_tail(&items[k].link, &head);
				model[n] = (int)k;
			}
			n++;
			on[k] = true;
			continue;
		}
		for (i = 0; model[i] != (int)k; i++)
			;
		memmove(model + i, model + i + 1, (n - i - 1) * sizeof(int));
		n--;
		if (r & 0x200) {
			list_move_tail(&items[k].link, &head);
			model[n++] = (int)k;
		} else {
			list_del(&items[k].link);
			on[k] = false;
		}
		if (step % 50 == 0)
			KTEST_ASSERT_TRUE(t, list_matches(&head, model, n));
	}
	KTEST_EXPECT_TRUE(t, list_matches(&head, model, n));
}

static void test_hlist(struct ktest *t)
{
	struct item *pos;
	struct hlist_node *tmp;
	HLIST_HEAD(h);
	int vals[4], n = 0, i;

	init_items();
	KTEST_EXPECT_TRUE(t, hlist_empty(&h));
	for (i = 0; i < 4; i++)
		INIT_HLIST_NODE(&items[i].hnode);
	KTEST_EXPECT_TRUE(t, hlist_unhashed(&items[0].hnode));
	hlist_add_head(&items[0].hnode, &h);
	hlist_add_head(&items[1].hnode, &h);
	hlist_add_behind(&items[2].hnode, &items[1].hnode);
	hlist_add_before(&items[3].hnode, &items[1].hnode);
	hlist_for_each_entry(pos, &h, hnode)
		vals[n++] = pos->val;
	KTEST_ASSERT_EQ(t, n, 4);
	KTEST_EXPECT_EQ(t, vals[0], 3);
	KTEST_EXPECT_EQ(t, vals[1], 1);
	KTEST_EXPECT_EQ(t, vals[2], 2);
	KTEST_EXPECT_EQ(t, vals[3], 0);
	hlist_del(&items[1].hnode);
	KTEST_EXPECT_PTR_EQ(t, items[1].hnode.next, LIST_POISON_NEXT);
	hlist_del_init(&items[3].hnode);
	KTEST_EXPECT_TRUE(t, hlist_unhashed(&items[3].hnode));
	hlist_del_init(&items[3].hnode);
	n = 0;
	hlist_for_each_entry_safe(pos, tmp, &h, hnode) {
		vals[n++] = pos->val;
		hlist_del_init(&pos->hnode);
	}
	KTEST_EXPECT_EQ(t, n, 2);
	KTEST_EXPECT_EQ(t, vals[0], 2);
	KTEST_EXPECT_EQ(t, vals[1], 0);
	KTEST_EXPECT_TRUE(t, hlist_empty(&h));
}

static struct ktest_case list_cases[] = {
	KTEST_CASE(test_add),
	KTEST_CASE(test_del_move_replace),
	KTEST_CASE(test_splice),
	KTEST_CASE(test_iterators),
	KTEST_CASE(test_random_model),
	KTEST_CASE(test_hlist),
	{}
};
KTEST_SUITE(list, list_cases);
