/*
 * Intrusive doubly linked lists.
 *
 * struct list_head is embedded in the objects it links; a list is a circular
 * ring through a sentinel head, so an empty list is a head pointing at
 * itself and no operation needs a NULL check. Recover the object from a
 * link with list_entry() (container_of). Nodes taken off a list by
 * list_del() get poison pointers (non-canonical addresses that fault on
 * use) to expose stale references; list_del_init() leaves them as an empty
 * list instead, so list_empty() on the node answers "is it on a list".
 *
 * struct hlist_head/hlist_node form NULL-terminated singly headed lists for
 * hash buckets: a head is one pointer, and each node keeps the address of
 * the pointer that points to it (pprev), so it can unlink itself without
 * knowing its bucket.
 *
 * No locking is done here: the structure containing a list documents the
 * lock that protects it. The _safe iterators only tolerate removal of the
 * current entry.
 */
#ifndef KEEL_LIST_H
#define KEEL_LIST_H

#include <keel/compiler.h>
#include <keel/types.h>

/* Non-canonical on x86_64 (and outside Sv39/Sv48): any use faults. */
#define LIST_POISON_NEXT ((void *)0xdead000000000100UL)
#define LIST_POISON_PREV ((void *)0xdead000000000122UL)

struct list_head {
	struct list_head *next;
	struct list_head *prev;
};

#define LIST_HEAD_INIT(name) { &(name), &(name) }
#define LIST_HEAD(name) struct list_head name = LIST_HEAD_INIT(name)

static inline void INIT_LIST_HEAD(struct list_head *list)
{
	WRITE_ONCE(list->next, list);
	list->prev = list;
}

/* Link @node between two adjacent entries. */
static inline void __list_link(struct list_head *node, struct list_head *prev,
			       struct list_head *next)
{
	next->prev = node;
	node->next = next;
	node->prev = prev;
	WRITE_ONCE(prev->next, node);
}

/* Join @prev and @next, dropping whatever was between them. */
static inline void __list_join(struct list_head *prev, struct list_head *next)
{
	next->prev = prev;
	WRITE_ONCE(prev->next, next);
}

/* list_add - insert @node right after @head (stack order). */
static inline void list_add(struct list_head *node, struct list_head *head)
{
	__list_link(node, head, head->next);
}

/* list_add_tail - insert @node right before @head (queue order). */
static inline void list_add_tail(struct list_head *node,
				 struct list_head *head)
{
	__list_link(node, head->prev, head);
}

/* list_del - unlink @entry and poison its pointers. */
static inline void list_del(struct list_head *entry)
{
	__list_join(entry->prev, entry->next);
	entry->next = LIST_POISON_NEXT;
	entry->prev = LIST_POISON_PREV;
}

/* list_del_init - unlink @entry and make it an empty list. */
static inline void list_del_init(struct list_head *entry)
{
	__list_join(entry->prev, entry->next);
	INIT_LIST_HEAD(entry);
}

/* list_replace - put @new where @old is; @old is left dangling. */
static inline void list_replace(struct list_head *old, struct list_head *new)
{
	new->next = old->next;
	new->next->prev = new;
	new->prev = old->prev;
	new->prev->next = new;
}

/* list_replace_init - list_replace(), then make @old an empty list. */
static inline void list_replace_init(struct list_head *old,
				     struct list_head *new)
{
	list_replace(old, new);
	INIT_LIST_HEAD(old);
}

/* list_move - take @entry off its list and add it after @head. */
static inline void list_move(struct list_head *entry, struct list_head *head)
{
	__list_join(entry->prev, entry->next);
	list_add(entry, head);
}

/* list_move_tail - take @entry off its list and add it before @head. */
static inline void list_move_tail(struct list_head *entry,
				  struct list_head *head)
{
	__list_join(entry->prev, entry->next);
	list_add_tail(entry, head);
}

static inline bool list_empty(const struct list_head *head)
{
	return READ_ONCE(head->next) == head;
}

/* True if @head holds exactly one entry. */
static inline bool list_is_singular(const struct list_head *head)
{
	return !list_empty(head) && head->next == head->prev;
}

static inline bool list_is_first(const struct list_head *entry,
				 const struct list_head *head)
{
	return entry->prev == head;
}

static inline bool list_is_last(const struct list_head *entry,
				const struct list_head *head)
{
	return entry->next == head;
}

/* Insert the entries of non-empty @list between @prev and @next. */
static inline void __list_splice(const struct list_head *list,
				 struct list_head *prev,
				 struct list_head *next)
{
	struct list_head *first = list->next, *last = list->prev;

	first->prev = prev;
	prev->next = first;
	last->next = next;
	next->prev = last;
}

/* list_splice_init - move all of @list to the front of @head; empty @list. */
static inline void list_splice_init(struct list_head *list,
				    struct list_head *head)
{
	if (!list_empty(list)) {
		__list_splice(list, head, head->next);
		INIT_LIST_HEAD(list);
	}
}

/* list_splice_tail_init - move all of @list to the end of @head. */
static inline void list_splice_tail_init(struct list_head *list,
					 struct list_head *head)
{
	if (!list_empty(list)) {
		__list_splice(list, head->prev, head);
		INIT_LIST_HEAD(list);
	}
}

/* list_count - number of entries; O(n), for tests and assertions. */
static inline size_t list_count(const struct list_head *head)
{
	const struct list_head *p;
	size_t n = 0;

	for (p = head->next; p != head; p = p->next)
		n++;
	return n;
}

#define list_entry(ptr, type, member) container_of(ptr, type, member)
#define list_first_entry(head, type, member) \
	list_entry((head)->next, type, member)
#define list_last_entry(head, type, member) \
	list_entry((head)->prev, type, member)
#define list_first_entry_or_null(head, type, member) \
	(list_empty(head) ? NULL : list_first_entry(head, type, member))
#define list_next_entry(pos, member) \
	list_entry((pos)->member.next, __typeof__(*(pos)), member)
#define list_prev_entry(pos, member) \
	list_entry((pos)->member.prev, __typeof__(*(pos)), member)
/* True when an entry cursor has come back round to the head. */
#define list_entry_is_head(pos, head, member) (&(pos)->member == (head))

#define list_for_each(pos, head) \
	for ((pos) = (head)->next; (pos) != (head); (pos) = (pos)->next)

#define list_for_each_safe(pos, tmp, head)                             \
	for ((pos) = (head)->next, (tmp) = (pos)->next; (pos) != (head); \
	     (pos) = (tmp), (tmp) = (pos)->next)

#define list_for_each_entry(pos, head, member)                          \
	for ((pos) = list_first_entry(head, __typeof__(*(pos)), member); \
	     !list_entry_is_head(pos, head, member);                     \
	     (pos) = list_next_entry(pos, member))

#define list_for_each_entry_reverse(pos, head, member)                 \
	for ((pos) = list_last_entry(head, __typeof__(*(pos)), member); \
	     !list_entry_is_head(pos, head, member);                    \
	     (pos) = list_prev_entry(pos, member))

#define list_for_each_entry_safe(pos, tmp, head, member)                \
	for ((pos) = list_first_entry(head, __typeof__(*(pos)), member), \
	     (tmp) = list_next_entry(pos, member);                       \
	     !list_entry_is_head(pos, head, member);                     \
	     (pos) = (tmp), (tmp) = list_next_entry(tmp, member))

/* ---- hlist: singly headed lists for hash buckets ------------------------ */

struct hlist_node {
	struct hlist_node *next;
	struct hlist_node **pprev;	/* the pointer that points here */
};

struct hlist_head {
	struct hlist_node *first;
};

#define HLIST_HEAD_INIT { .first = NULL }
#define HLIST_HEAD(name) struct hlist_head name = HLIST_HEAD_INIT

static inline void INIT_HLIST_HEAD(struct hlist_head *h)
{
	h->first = NULL;
}

static inline void INIT_HLIST_NODE(struct hlist_node *n)
{
	n->next = NULL;
	n->pprev = NULL;
}

/* True if @n is on no list (initialised or removed with hlist_del_init). */
static inline bool hlist_unhashed(const struct hlist_node *n)
{
	return !n->pprev;
}

static inline bool hlist_empty(const struct hlist_head *h)
{
	return !READ_ONCE(h->first);
}

/* hlist_add_head - insert @n at the front of @h. */
static inline void hlist_add_head(struct hlist_node *n, struct hlist_head *h)
{
	struct hlist_node *first = h->first;

	n->next = first;
	if (first)
		first->pprev = &n->next;
	n->pprev = &h->first;
	WRITE_ONCE(h->first, n);
}

/* hlist_add_before - insert @n just before @next, which is on a list. */
static inline void hlist_add_before(struct hlist_node *n,
				    struct hlist_node *next)
{
	n->pprev = next->pprev;
	n->next = next;
	next->pprev = &n->next;
	WRITE_ONCE(*n->pprev, n);
}

/* hlist_add_behind - insert @n just after @prev, which is on a list. */
static inline void hlist_add_behind(struct hlist_node *n,
				    struct hlist_node *prev)
{
	n->next = prev->next;
	if (n->next)
		n->next->pprev = &n->next;
	n->pprev = &prev->next;
	WRITE_ONCE(prev->next, n);
}

static inline void __hlist_unlink(struct hlist_node *n)
{
	struct hlist_node *next = n->next;

	WRITE_ONCE(*n->pprev, next);
	if (next)
		next->pprev = n->pprev;
}

/* hlist_del - unlink @n (which must be on a list) and poison it. */
static inline void hlist_del(struct hlist_node *n)
{
	__hlist_unlink(n);
	n->next = LIST_POISON_NEXT;
	n->pprev = LIST_POISON_PREV;
}

/* hlist_del_init - unlink @n if it is on a list; it becomes unhashed. */
static inline void hlist_del_init(struct hlist_node *n)
{
	if (!hlist_unhashed(n)) {
		__hlist_unlink(n);
		INIT_HLIST_NODE(n);
	}
}

#define hlist_entry(ptr, type, member) container_of(ptr, type, member)

/* Like hlist_entry() but maps NULL to NULL. */
#define hlist_entry_safe(ptr, type, member)                            \
	({                                                              \
		__typeof__(ptr) __hptr = (ptr);                         \
		__hptr ? hlist_entry(__hptr, type, member) : NULL;      \
	})

#define hlist_for_each(pos, head) \
	for ((pos) = (head)->first; (pos); (pos) = (pos)->next)

#define hlist_for_each_safe(pos, tmp, head)                          \
	for ((pos) = (head)->first; (pos) && ((tmp) = (pos)->next, 1); \
	     (pos) = (tmp))

#define hlist_for_each_entry(pos, head, member)                              \
	for ((pos) = hlist_entry_safe((head)->first, __typeof__(*(pos)),      \
				      member);                               \
	     (pos);                                                          \
	     (pos) = hlist_entry_safe((pos)->member.next, __typeof__(*(pos)), \
				      member))

/* @tmp is a struct hlist_node * holding the next node. */
#define hlist_for_each_entry_safe(pos, tmp, head, member)                    \
	for ((pos) = hlist_entry_safe((head)->first, __typeof__(*(pos)),      \
				      member);                               \
	     (pos) && ((tmp) = (pos)->member.next, 1);                        \
	     (pos) = hlist_entry_safe(tmp, __typeof__(*(pos)), member))

#endif /* KEEL_LIST_H */
