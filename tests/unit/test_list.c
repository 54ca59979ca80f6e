/*
 * Host tests for <keel/list.h>: each list and hlist operation, the
 * iterators (including removal during the _safe walks), the poisoning of
 * removed nodes, and a randomized run checked against an array model.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <keel/list.h>
#include <keel/string.h>

struct item {
	int val;
	struct list_head link;
	struct hlist_node hnode;
};

/* Check that @head holds exactly @want, walking both directions. */
static void expect_list(const struct list_head *head, const int *want,
			size_t n)
{
	const struct list_head *p;
	size_t i = 0;

	assert_int_equal(list_count(head), n);
	for (p = head->next; p != head; p = p->next, i++) {
		assert_ptr_equal(p->next->prev, p);
		assert_int_equal(list_entry(p, struct item, link)->val,
				 want[i]);
	}
	assert_int_equal(i, n);
	for (p = head->prev; p != head; p = p->prev)
		assert_int_equal(list_entry(p, struct item, link)->val,
				 want[--i]);
	assert_int_equal(list_empty(head), n == 0);
	assert_int_equal(list_is_singular(head), n == 1);
}

#define EXPECT_LIST(head, ...)                                       \
	do {                                                         \
		static const int __w[] = { __VA_ARGS__ };            \
		expect_list(head, __w, sizeof(__w) / sizeof(int));   \
	} while (0)

static void init_items(struct item *it, size_t n)
{
	for (size_t i = 0; i < n; i++)
		it[i].val = (int)i;
}

static void test_init_empty(void **state)
{
	LIST_HEAD(a);
	struct list_head b;

	INIT_LIST_HEAD(&b);
	assert_true(list_empty(&a));
	assert_true(list_empty(&b));
	assert_false(list_is_singular(&a));
	assert_int_equal(list_count(&a), 0);
	assert_null(list_first_entry_or_null(&a, struct item, link));
}

static void test_add_and_add_tail(void **state)
{
	struct item it[4];
	LIST_HEAD(head);

	init_items(it, 4);
	list_add(&it[1].link, &head);
	list_add(&it[0].link, &head);
	list_add_tail(&it[2].link, &head);
	list_add_tail(&it[3].link, &head);
	EXPECT_LIST(&head, 0, 1, 2, 3);
	assert_ptr_equal(list_first_entry(&head, struct item, link), &it[0]);
	assert_ptr_equal(list_last_entry(&head, struct item, link), &it[3]);
	assert_ptr_equal(list_first_entry_or_null(&head, struct item, link),
			 &it[0]);
	assert_ptr_equal(list_next_entry(&it[1], link), &it[2]);
	assert_ptr_equal(list_prev_entry(&it[1], link), &it[0]);
	assert_true(list_is_first(&it[0].link, &head));
	assert_true(list_is_last(&it[3].link, &head));
	assert_false(list_is_last(&it[2].link, &head));
}

static void test_del(void **state)
{
	struct item it[3];
	LIST_HEAD(head);

	init_items(it, 3);
	for (int i = 0; i < 3; i++)
		list_add_tail(&it[i].link, &head);
	list_del(&it[1].link);
	EXPECT_LIST(&head, 0, 2);
	assert_ptr_equal(it[1].link.next, LIST_POISON_NEXT);
	assert_ptr_equal(it[1].link.prev, LIST_POISON_PREV);
	list_del_init(&it[0].link);
	EXPECT_LIST(&head, 2);
	assert_true(list_empty(&it[0].link));
	list_del_init(&it[2].link);
	assert_true(list_empty(&head));
}

static void test_move(void **state)
{
	struct item it[4];
	LIST_HEAD(a);
	LIST_HEAD(b);

	init_items(it, 4);
	for (int i = 0; i < 4; i++)
		list_add_tail(&it[i].link, &a);
	list_move(&it[2].link, &b);
	list_move_tail(&it[0].link, &b);
	EXPECT_LIST(&a, 1, 3);
	EXPECT_LIST(&b, 2, 0);
	list_move_tail(&it[1].link, &a);	/* within the same list */
	EXPECT_LIST(&a, 3, 1);
	list_move(&it[1].link, &a);
	EXPECT_LIST(&a, 1, 3);
}

static void test_splice(void **state)
{
	struct item it[6];
	LIST_HEAD(a);
	LIST_HEAD(b);

	init_items(it, 6);
	for (int i = 0; i < 3; i++)
		list_add_tail(&it[i].link, &a);
	for (int i = 3; i < 6; i++)
		list_add_tail(&it[i].link, &b);
	list_splice_init(&b, &a);
	EXPECT_LIST(&a, 3, 4, 5, 0, 1, 2);
	assert_true(list_empty(&b));
	list_splice_init(&b, &a);		/* empty: no-op */
	EXPECT_LIST(&a, 3, 4, 5, 0, 1, 2);
	list_splice_tail_init(&a, &b);
	EXPECT_LIST(&b, 3, 4, 5, 0, 1, 2);
	assert_true(list_empty(&a));
	list_move(&it[0].link, &a);
	list_splice_tail_init(&a, &b);
	EXPECT_LIST(&b, 3, 4, 5, 1, 2, 0);
}

static void test_replace(void **state)
{
	struct item it[4];
	LIST_HEAD(head);

	init_items(it, 4);
	for (int i = 0; i < 3; i++)
		list_add_tail(&it[i].link, &head);
	list_replace(&it[1].link, &it[3].link);
	EXPECT_LIST(&head, 0, 3, 2);
	list_replace_init(&it[0].link, &it[1].link);
	EXPECT_LIST(&head, 1, 3, 2);
	assert_true(list_empty(&it[0].link));
}

static void test_iterators(void **state)
{
	struct item it[5], *pos, *tmp;
	struct list_head *p, *n;
	LIST_HEAD(head);
	int seen = 0;

	init_items(it, 5);
	for (int i = 0; i < 5; i++)
		list_add_tail(&it[i].link, &head);
	list_for_each(p, &head)
		assert_int_equal(list_entry(p, struct item, link)->val, seen++);
	list_for_each_entry(pos, &head, link)
		assert_int_equal(pos->val, seen++ - 5);
	list_for_each_entry_reverse(pos, &head, link)
		assert_int_equal(pos->val, --seen - 5);
	assert_int_equal(seen, 5);
	/* Remove odd entries during a safe walk, then the rest. */
	list_for_each_entry_safe(pos, tmp, &head, link)
		if (pos->val & 1)
			list_del(&pos->link);
	EXPECT_LIST(&head, 0, 2, 4);
	list_for_each_safe(p, n, &head)
		list_del_init(p);
	assert_true(list_empty(&head));
	list_for_each_entry(pos, &head, link)
		fail();
}

/* Random operations mirrored on an array. */
static unsigned int rng = 12345;

static unsigned int next_rand(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 17;
	rng ^= rng << 5;
	return rng;
}

static void test_random_model(void **state)
{
	struct item it[32];
	int model[32];
	size_t n = 0;
	bool on[32] = { false };
	LIST_HEAD(head);

	init_items(it, 32);
	for (int step = 0; step < 20000; step++) {
		unsigned int r = next_rand(), k = r % 32;

		if (!on[k]) {
			if (r & 0x100) {
				list_add(&it[k].link, &head);
				memmove(model + 1, model, n * sizeof(int));
				model[0] = (int)k;
			} else {
				list_add_tail(&it[k].link, &head);
				model[n] = (int)k;
			}
			n++;
			on[k] = true;
		} else {
			size_t i = 0;

			while (model[i] != (int)k)
				i++;
			memmove(model + i, model + i + 1,
				(n - i - 1) * sizeof(int));
			n--;
			if (r & 0x200) {
				list_move_tail(&it[k].link, &head);
				model[n++] = (int)k;
			} else {
				list_del(&it[k].link);
				on[k] = false;
			}
		}
		if (step % 97 == 0)
			expect_list(&head, model, n);
	}
	expect_list(&head, model, n);
}

static void test_hlist(void **state)
{
	struct item it[4], *pos;
	struct hlist_node *tmp;
	HLIST_HEAD(h);
	int vals[4], n = 0;

	init_items(it, 4);
	assert_true(hlist_empty(&h));
	for (int i = 0; i < 4; i++)
		INIT_HLIST_NODE(&it[i].hnode);
	assert_true(hlist_unhashed(&it[0].hnode));
	hlist_add_head(&it[0].hnode, &h);
	hlist_add_head(&it[1].hnode, &h);		/* 1 0 */
	hlist_add_behind(&it[2].hnode, &it[1].hnode);	/* 1 2 0 */
	hlist_add_before(&it[3].hnode, &it[1].hnode);	/* 3 1 2 0 */
	assert_false(hlist_empty(&h));
	assert_false(hlist_unhashed(&it[0].hnode));
	hlist_for_each_entry(pos, &h, hnode)
		vals[n++] = pos->val;
	assert_int_equal(n, 4);
	assert_int_equal(vals[0], 3);
	assert_int_equal(vals[1], 1);
	assert_int_equal(vals[2], 2);
	assert_int_equal(vals[3], 0);

	hlist_del(&it[1].hnode);
	assert_ptr_equal(it[1].hnode.next, LIST_POISON_NEXT);
	hlist_del_init(&it[3].hnode);			/* the first one */
	assert_true(hlist_unhashed(&it[3].hnode));
	hlist_del_init(&it[3].hnode);		/* harmless twice */
	hlist_del_init(&it[0].hnode);			/* the last one */
	n = 0;
	hlist_for_each_entry_safe(pos, tmp, &h, hnode) {
		vals[n++] = pos->val;
		hlist_del_init(&pos->hnode);
	}
	assert_int_equal(n, 1);
	assert_int_equal(vals[0], 2);
	assert_true(hlist_empty(&h));

	struct hlist_node *p, *q;
	n = 0;
	hlist_add_head(&it[0].hnode, &h);
	hlist_add_head(&it[1].hnode, &h);
	hlist_for_each(p, &h)
		n++;
	assert_int_equal(n, 2);
	hlist_for_each_safe(p, q, &h)
		hlist_del(p);
	assert_true(hlist_empty(&h));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init_empty),
		cmocka_unit_test(test_add_and_add_tail),
		cmocka_unit_test(test_del),
		cmocka_unit_test(test_move),
		cmocka_unit_test(test_splice),
		cmocka_unit_test(test_replace),
		cmocka_unit_test(test_iterators),
		cmocka_unit_test(test_random_model),
		cmocka_unit_test(test_hlist),
	};

	return cmocka_run_group_tests_name("list", tests, NULL, NULL);
}
