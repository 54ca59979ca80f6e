/*
 * Intrusive red-black trees.
 *
 * A struct rb_node is embedded in each object; the tree never allocates and
 * never compares keys. The caller walks down to the insertion point itself
 * (or uses the rb_add()/rb_find() helpers with a comparison function), hangs
 * the new node there with rb_link_node() and lets rb_insert_color()
 * rebalance. The usual invariants hold after every public call: the root is
 * black, a red node has no red child, and every path from a node down to a
 * NULL link passes the same number of black nodes, so the height stays
 * below 2*log2(n+1).
 *
 * The parent pointer and the colour share one word: nodes are at least
 * 4-byte aligned, so bit 0 is free for the colour (1 = black). A node that
 * is in no tree is marked by RB_CLEAR_NODE() as its own parent.
 *
 * Augmented trees keep a per-node summary of its subtree (a max end for an
 * interval tree, a min deadline for EEVDF). The tree code calls back on each
 * structural change, through struct rb_augment_callbacks; the summary of a
 * node may depend only on the node and its children's summaries.
 * RB_DECLARE_CALLBACKS() generates the three callbacks from one "compute"
 * function.
 *
 * A cached root (struct rb_root_cached) also tracks the leftmost node, so
 * the minimum is O(1) (the scheduler's pick).
 *
 * No locking here: the owner of a tree documents its lock.
 */
#ifndef KEEL_RBTREE_H
#define KEEL_RBTREE_H

#include <keel/compiler.h>
#include <keel/types.h>

#define RB_RED   0
#define RB_BLACK 1

#define RB_LEFT  0
#define RB_RIGHT 1

struct rb_node {
	uptr __rb_parent_color;	/* parent address | colour in bit 0 */
	union {
		struct {
			struct rb_node *rb_left;
			struct rb_node *rb_right;
		};
		struct rb_node *rb_child[2];	/* [RB_LEFT], [RB_RIGHT] */
	};
} __aligned(sizeof(long));

struct rb_root {
	struct rb_node *rb_node;
};

struct rb_root_cached {
	struct rb_root rb_root;
	struct rb_node *rb_leftmost;
};

#define RB_ROOT ((struct rb_root){ .rb_node = NULL })
#define RB_ROOT_CACHED \
	((struct rb_root_cached){ .rb_root = { NULL }, .rb_leftmost = NULL })

#define rb_entry(ptr, type, member) container_of(ptr, type, member)

/* Like rb_entry() but maps NULL to NULL. */
#define rb_entry_safe(ptr, type, member)                         \
	({                                                        \
		__typeof__(ptr) __rbptr = (ptr);                  \
		__rbptr ? rb_entry(__rbptr, type, member) : NULL; \
	})

#define RB_EMPTY_ROOT(root) (READ_ONCE((root)->rb_node) == NULL)
#define RB_EMPTY_NODE(node) ((node)->__rb_parent_color == (uptr)(node))
#define RB_CLEAR_NODE(node) ((node)->__rb_parent_color = (uptr)(node))

static inline struct rb_node *rb_parent(const struct rb_node *node)
{
	return (struct rb_node *)(node->__rb_parent_color & ~(uptr)3);
}

static inline bool rb_is_black(const struct rb_node *node)
{
	return node->__rb_parent_color & RB_BLACK;
}

/**
 * rb_link_node - hang @node, as a red leaf, at @link below @parent.
 * @link: &parent->rb_left or &parent->rb_right (or &root->rb_node when
 *        @parent is NULL); the slot must be empty.
 *
 * Follow with rb_insert_color() (or an augmented/cached variant).
 */
static inline void rb_link_node(struct rb_node *node, struct rb_node *parent,
				struct rb_node **link)
{
	node->__rb_parent_color = (uptr)parent;
	node->rb_left = NULL;
	node->rb_right = NULL;
	*link = node;
}

void rb_insert_color(struct rb_node *node, struct rb_root *root);
void rb_erase(struct rb_node *node, struct rb_root *root);
void rb_replace_node(struct rb_node *victim, struct rb_node *new,
		     struct rb_root *root);

struct rb_node *rb_first(const struct rb_root *root);
struct rb_node *rb_last(const struct rb_root *root);
struct rb_node *rb_next(const struct rb_node *node);
struct rb_node *rb_prev(const struct rb_node *node);

/* Post-order walk (children before parents): lets a tree be torn down
 * without rebalancing. */
struct rb_node *rb_first_postorder(const struct rb_root *root);
struct rb_node *rb_next_postorder(const struct rb_node *node);

/* Visit every entry in post-order; @pos may be freed inside the loop. */
#define rbtree_postorder_for_each_entry_safe(pos, n, root, field)          \
	for ((pos) = rb_entry_safe(rb_first_postorder(root),                 \
				   __typeof__(*(pos)), field);               \
	     (pos) && ((n) = rb_entry_safe(rb_next_postorder(&(pos)->field), \
					   __typeof__(*(pos)), field), 1);   \
	     (pos) = (n))

/* ---- augmented trees ---------------------------------------------------- */

/*
 * propagate(node, stop): recompute the summary of @node and its ancestors,
 *     up to but excluding @stop (NULL: up to the root); it may stop early
 *     once a recomputed summary is unchanged.
 * copy(old, new): @new takes @old's place; copy @old's summary to @new.
 * rotate(old, new): a rotation lifted @new into @old's place; @new now
 *     roots @old's former subtree (copy the summary), and @old needs
 *     recomputing from its new children.
 */
struct rb_augment_callbacks {
	void (*propagate)(struct rb_node *node, struct rb_node *stop);
	void (*copy)(struct rb_node *old, struct rb_node *new);
	void (*rotate)(struct rb_node *old, struct rb_node *new);
};

/*
 * Insert into an augmented tree: link @node with rb_link_node() once its
 * summary holds its value as a leaf, bring the summaries on the path above
 * it up to date (augment->propagate(parent, NULL) does it), then call this.
 */
void rb_insert_augmented(struct rb_node *node, struct rb_root *root,
			 const struct rb_augment_callbacks *augment);
void rb_erase_augmented(struct rb_node *node, struct rb_root *root,
			const struct rb_augment_callbacks *augment);

/*
 * RB_DECLARE_CALLBACKS - define `storage const struct rb_augment_callbacks
 * name` for objects of @type linked by the rb_node @rbfield, whose summary
 * field @augfield is computed by @compute: a function or macro taking a
 * (const) @type pointer and returning the summary the node must hold given
 * its children's (already correct) summaries.
 */
#define RB_DECLARE_CALLBACKS(storage, name, type, rbfield, augfield, compute) \
	static void name##_propagate(struct rb_node *rb, struct rb_node *stop) \
	{                                                                     \
		while (rb != stop) {                                          \
			type *__n = rb_entry(rb, type, rbfield);              \
			__typeof__(__n->augfield) __v = compute(__n);         \
			if (__n->augfield == __v)                             \
				break;                                        \
			__n->augfield = __v;                                  \
			rb = rb_parent(rb);                                   \
		}                                                             \
	}                                                                     \
	static void name##_copy(struct rb_node *rb_old,                       \
				struct rb_node *rb_new)                       \
	{                                                                     \
		rb_entry(rb_new, type, rbfield)->augfield =                   \
			rb_entry(rb_old, type, rbfield)->augfield;            \
	}                                                                     \
	static void name##_rotate(struct rb_node *rb_old,                     \
				  struct rb_node *rb_new)                     \
	{                                                                     \
		type *__old = rb_entry(rb_old, type, rbfield);                \
		rb_entry(rb_new, type, rbfield)->augfield = __old->augfield;  \
		__old->augfield = compute(__old);                             \
	}                                                                     \
	storage const struct rb_augment_callbacks name = {                    \
		.propagate = name##_propagate,                                \
		.copy = name##_copy,                                          \
		.rotate = name##_rotate,                                      \
	}

/* ---- cached trees: the leftmost node is kept up to date ----------------- */

static inline struct rb_node *rb_first_cached(const struct rb_root_cached *root)
{
	return root->rb_leftmost;
}

/* @leftmost: true if @node was linked left of every other node. */
static inline void rb_insert_color_cached(struct rb_node *node,
					  struct rb_root_cached *root,
					  bool leftmost)
{
	if (leftmost)
		root->rb_leftmost = node;
	rb_insert_color(node, &root->rb_root);
}

/* Return: the new leftmost node if @node was the leftmost, else NULL. */
static inline struct rb_node *rb_erase_cached(struct rb_node *node,
					      struct rb_root_cached *root)
{
	struct rb_node *leftmost = NULL;

	if (root->rb_leftmost == node)
		leftmost = root->rb_leftmost = rb_next(node);
	rb_erase(node, &root->rb_root);
	return leftmost;
}

static inline void rb_replace_node_cached(struct rb_node *victim,
					  struct rb_node *new,
					  struct rb_root_cached *root)
{
	if (root->rb_leftmost == victim)
		root->rb_leftmost = new;
	rb_replace_node(victim, new, &root->rb_root);
}

static inline void
rb_insert_augmented_cached(struct rb_node *node, struct rb_root_cached *root,
			   bool leftmost,
			   const struct rb_augment_callbacks *augment)
{
	if (leftmost)
		root->rb_leftmost = node;
	rb_insert_augmented(node, &root->rb_root, augment);
}

static inline void
rb_erase_augmented_cached(struct rb_node *node, struct rb_root_cached *root,
			  const struct rb_augment_callbacks *augment)
{
	if (root->rb_leftmost == node)
		root->rb_leftmost = rb_next(node);
	rb_erase_augmented(node, &root->rb_root, augment);
}

/* ---- helpers taking a comparison function -------------------------------- */

/*
 * These are inline so the comparison is usually inlined too. less(a, b)
 * orders nodes; cmp(key, node) returns <0, 0 or >0 as @key sorts before, at
 * or after @node. Equal nodes are added after the existing ones.
 */
static __always_inline struct rb_node **
__rb_add_link(struct rb_node *node, struct rb_root *tree,
	      bool (*less)(struct rb_node *, const struct rb_node *),
	      struct rb_node **parent, bool *leftmost)
{
	struct rb_node **link = &tree->rb_node;

	*parent = NULL;
	*leftmost = true;
	while (*link) {
		*parent = *link;
		if (less(node, *parent)) {
			link = &(*parent)->rb_left;
		} else {
			link = &(*parent)->rb_right;
			*leftmost = false;
		}
	}
	return link;
}

/* rb_add - insert @node into @tree in the order given by @less. */
static __always_inline void
rb_add(struct rb_node *node, struct rb_root *tree,
       bool (*less)(struct rb_node *, const struct rb_node *))
{
	struct rb_node *parent;
	bool leftmost;
	struct rb_node **link = __rb_add_link(node, tree, less, &parent,
					      &leftmost);

	rb_link_node(node, parent, link);
	rb_insert_color(node, tree);
}

/* rb_add_cached - rb_add() on a cached tree.
 * Return: @node if it became the leftmost, else NULL. */
static __always_inline struct rb_node *
rb_add_cached(struct rb_node *node, struct rb_root_cached *tree,
	      bool (*less)(struct rb_node *, const struct rb_node *))
{
	struct rb_node *parent;
	bool leftmost;
	struct rb_node **link = __rb_add_link(node, &tree->rb_root, less,
					      &parent, &leftmost);

	rb_link_node(node, parent, link);
	rb_insert_color_cached(node, tree, leftmost);
	return leftmost ? node : NULL;
}

/* rb_add_augmented_cached - rb_add_cached() on an augmented tree; @node's
 * summary must already hold its value as a leaf.
 * Return: @node if it became the leftmost, else NULL. */
static __always_inline struct rb_node *
rb_add_augmented_cached(struct rb_node *node, struct rb_root_cached *tree,
			bool (*less)(struct rb_node *, const struct rb_node *),
			const struct rb_augment_callbacks *augment)
{
	struct rb_node *parent;
	bool leftmost;
	struct rb_node **link = __rb_add_link(node, &tree->rb_root, less,
					      &parent, &leftmost);

	rb_link_node(node, parent, link);
	if (parent)
		augment->propagate(parent, NULL);
	rb_insert_augmented_cached(node, tree, leftmost, augment);
	return leftmost ? node : NULL;
}

/* rb_find - Return: a node matching @key, or NULL. */
static __always_inline struct rb_node *
rb_find(const void *key, const struct rb_root *tree,
	int (*cmp)(const void *key, const struct rb_node *))
{
	struct rb_node *node = tree->rb_node;

	while (node) {
		int c = cmp(key, node);

		if (c < 0)
			node = node->rb_left;
		else if (c > 0)
			node = node->rb_right;
		else
			return node;
	}
	return NULL;
}

/*
 * rb_find_add - insert @node unless a node comparing equal is present;
 * cmp(a, b) compares two nodes.
 * Return: the existing equal node (nothing inserted), or NULL.
 */
static __always_inline struct rb_node *
rb_find_add(struct rb_node *node, struct rb_root *tree,
	    int (*cmp)(struct rb_node *, const struct rb_node *))
{
	struct rb_node **link = &tree->rb_node, *parent = NULL;

	while (*link) {
		int c;

		parent = *link;
		c = cmp(node, parent);
		if (c < 0)
			link = &parent->rb_left;
		else if (c > 0)
			link = &parent->rb_right;
		else
			return parent;
	}
	rb_link_node(node, parent, link);
	rb_insert_color(node, tree);
	return NULL;
}

#endif /* KEEL_RBTREE_H */
