/*
 * Red-black tree rebalancing (interface in <keel/rbtree.h>).
 *
 * Insertion and deletion follow the classic formulation (CLRS, chapter 13)
 * without a sentinel: a NULL child counts as black. Each left/right pair of
 * symmetric cases is written once, indexed by a direction: `dir` is the side
 * (RB_LEFT or RB_RIGHT) the interesting node hangs on and !dir the other.
 * rotate(x, dir) turns x's child on side !dir into the root of x's subtree,
 * with x becoming its child on side dir ("rotate toward dir").
 *
 * Augmented trees get the same code with callbacks; the plain entry points
 * pass augment == NULL. Deletion is split in two: erase_unlink() takes the
 * node out (substituting its in-order successor when it has two children)
 * and repairs the summaries; erase_fixup() then restores the black height
 * if a black node went missing. Summaries must be correct before any
 * rotation, because rotate() derives the new ones from the old.
 */
#include <keel/compiler.h>
#include <keel/rbtree.h>
#include <keel/types.h>

static inline bool is_red(const struct rb_node *n)
{
	return n && !(n->__rb_parent_color & RB_BLACK);
}

static inline bool is_black(const struct rb_node *n)
{
	return !is_red(n);
}

static inline void set_black(struct rb_node *n)
{
	n->__rb_parent_color |= RB_BLACK;
}

static inline void set_red(struct rb_node *n)
{
	n->__rb_parent_color &= ~(uptr)RB_BLACK;
}

static inline void set_parent(struct rb_node *n, struct rb_node *parent)
{
	n->__rb_parent_color = (uptr)parent | (n->__rb_parent_color & RB_BLACK);
}

static inline void set_parent_color(struct rb_node *n, struct rb_node *parent,
				    uptr color)
{
	n->__rb_parent_color = (uptr)parent | color;
}

/* Make @new occupy @old's slot below @parent (or the root slot). */
static void change_child(struct rb_node *old, struct rb_node *new,
			 struct rb_node *parent, struct rb_root *root)
{
	if (!parent)
		root->rb_node = new;
	else if (parent->rb_left == old)
		parent->rb_left = new;
	else
		parent->rb_right = new;
}

/* Lift @x's child on side !@dir into @x's place; @x goes down on side @dir. */
static void rotate(struct rb_node *x, int dir, struct rb_root *root,
		   const struct rb_augment_callbacks *augment)
{
	struct rb_node *y = x->rb_child[!dir];
	struct rb_node *inner = y->rb_child[dir];
	struct rb_node *parent = rb_parent(x);

	x->rb_child[!dir] = inner;
	if (inner)
		set_parent(inner, x);
	change_child(x, y, parent, root);
	set_parent(y, parent);
	y->rb_child[dir] = x;
	set_parent(x, y);
	if (augment)
		augment->rotate(x, y);
}

/* Repair a red @node whose parent may be red. */
static void insert_fixup(struct rb_node *node, struct rb_root *root,
			 const struct rb_augment_callbacks *augment)
{
	struct rb_node *parent, *gparent, *uncle;
	int dir;

	while ((parent = rb_parent(node)) && is_red(parent)) {
		/* A red node is never the root, so gparent exists. */
		gparent = rb_parent(parent);
		dir = parent == gparent->rb_right;
		uncle = gparent->rb_child[!dir];
		if (is_red(uncle)) {
			/* Push the grandparent's blackness down a level and
			 * continue from it. */
			set_black(parent);
			set_black(uncle);
			set_red(gparent);
			node = gparent;
			continue;
		}
		if (node == parent->rb_child[!dir]) {
			/* Inner grandchild: make it the outer one. */
			rotate(parent, dir, root, augment);
			parent = node;
		}
		set_black(parent);
		set_red(gparent);
		rotate(gparent, !dir, root, augment);
		break;
	}
	set_black(root->rb_node);
}

/**
 * rb_insert_color - rebalance after rb_link_node() added @node to @root.
 * Context: the caller holds the tree's lock.
 */
void rb_insert_color(struct rb_node *node, struct rb_root *root)
{
	insert_fixup(node, root, NULL);
}

/**
 * rb_insert_augmented - rb_insert_color() for an augmented tree.
 * Context: the caller holds the tree's lock.
 */
void rb_insert_augmented(struct rb_node *node, struct rb_root *root,
			 const struct rb_augment_callbacks *augment)
{
	insert_fixup(node, root, augment);
}

/*
 * Remove @node, which has two children, by moving its in-order successor
 * into its place. Return: the node under which a black node went missing,
 * or NULL when the colours already balance.
 */
static struct rb_node *erase_two(struct rb_node *node, struct rb_root *root,
				 const struct rb_augment_callbacks *augment)
{
	struct rb_node *succ = node->rb_right, *sparent, *schild;
	bool succ_black;

	while (succ->rb_left)
		succ = succ->rb_left;
	schild = succ->rb_right;
	succ_black = is_black(succ);
	if (succ == node->rb_right) {
		sparent = succ;		/* it keeps its right subtree */
	} else {
		sparent = rb_parent(succ);
		sparent->rb_left = schild;
		succ->rb_right = node->rb_right;
		set_parent(node->rb_right, succ);
	}
	succ->rb_left = node->rb_left;
	set_parent(node->rb_left, succ);
	change_child(node, succ, rb_parent(node), root);
	succ->__rb_parent_color = node->__rb_parent_color;
	if (augment) {
		augment->copy(node, succ);
		if (sparent != succ)
			augment->propagate(sparent, succ);
		augment->propagate(succ, NULL);
	}
	/* A successor with a child was black over a red leaf: the leaf
	 * turns black and takes its place, and the black count holds. */
	if (schild) {
		set_parent_color(schild, sparent, RB_BLACK);
		return NULL;
	}
	return succ_black ? sparent : NULL;
}

/* Unlink @node. Return: as erase_two(). */
static struct rb_node *erase_unlink(struct rb_node *node, struct rb_root *root,
				    const struct rb_augment_callbacks *augment)
{
	struct rb_node *parent = rb_parent(node);
	struct rb_node *child;

	if (node->rb_left && node->rb_right)
		return erase_two(node, root, augment);
	child = node->rb_left ? node->rb_left : node->rb_right;
	change_child(node, child, parent, root);
	if (augment && parent)
		augment->propagate(parent, NULL);
	/* With one child, node was black and the child a red leaf. */
	if (child) {
		set_parent_color(child, parent, RB_BLACK);
		return NULL;
	}
	return is_black(node) ? parent : NULL;
}

/*
 * Restore the black height: the subtree on one side of @parent (an empty
 * one at first) has one black node fewer than the other.
 */
static void erase_fixup(struct rb_node *parent, struct rb_root *root,
			const struct rb_augment_callbacks *augment)
{
	struct rb_node *node = NULL, *sib;
	int dir;

	while (node != root->rb_node && is_black(node)) {
		/* With node NULL this still works: the sibling of a short
		 * subtree cannot be empty. */
		dir = node == parent->rb_right;
		sib = parent->rb_child[!dir];
		if (is_red(sib)) {
			/* Reduce to a black sibling. */
			set_black(sib);
			set_red(parent);
			rotate(parent, dir, root, augment);
			sib = parent->rb_child[!dir];
		}
		if (is_black(sib->rb_left) && is_black(sib->rb_right)) {
			/* Shorten the sibling's side too; the deficit moves
			 * up to the parent. */
			set_red(sib);
			node = parent;
			parent = rb_parent(node);
			continue;
		}
		if (is_black(sib->rb_child[!dir])) {
			/* Only the near nephew is red: make it the far one. */
			set_black(sib->rb_child[dir]);
			set_red(sib);
			rotate(sib, !dir, root, augment);
			sib = parent->rb_child[!dir];
		}
		/* Far nephew red: one rotation adds a black on our side. */
		set_parent_color(sib, rb_parent(sib),
				 parent->__rb_parent_color & RB_BLACK);
		set_black(parent);
		set_black(sib->rb_child[!dir]);
		rotate(parent, dir, root, augment);
		node = root->rb_node;
		break;
	}
	if (node)
		set_black(node);
}

/**
 * rb_erase - remove @node from @root.
 * Context: the caller holds the tree's lock.
 */
void rb_erase(struct rb_node *node, struct rb_root *root)
{
	struct rb_node *rebalance = erase_unlink(node, root, NULL);

	if (rebalance)
		erase_fixup(rebalance, root, NULL);
}

/**
 * rb_erase_augmented - rb_erase() for an augmented tree.
 * Context: the caller holds the tree's lock.
 */
void rb_erase_augmented(struct rb_node *node, struct rb_root *root,
			const struct rb_augment_callbacks *augment)
{
	struct rb_node *rebalance = erase_unlink(node, root, augment);

	if (rebalance)
		erase_fixup(rebalance, root, augment);
}

/**
 * rb_replace_node - put @new in @victim's place without rebalancing.
 *
 * @new must sort exactly where @victim did (and, in an augmented tree,
 * carry the same summary); @victim is left dangling.
 * Context: the caller holds the tree's lock.
 */
void rb_replace_node(struct rb_node *victim, struct rb_node *new,
		     struct rb_root *root)
{
	struct rb_node *parent = rb_parent(victim);

	*new = *victim;
	if (victim->rb_left)
		set_parent(victim->rb_left, new);
	if (victim->rb_right)
		set_parent(victim->rb_right, new);
	change_child(victim, new, parent, root);
}

/* The deepest node on side @dir below @node. */
static struct rb_node *extreme(struct rb_node *node, int dir)
{
	if (node) {
		while (node->rb_child[dir])
			node = node->rb_child[dir];
	}
	return node;
}

/* The in-order neighbour of @node on side @dir. */
static struct rb_node *step(const struct rb_node *node, int dir)
{
	struct rb_node *parent;

	if (RB_EMPTY_NODE(node))
		return NULL;
	if (node->rb_child[dir])
		return extreme(node->rb_child[dir], !dir);
	/* Climb while we are a child on side @dir. */
	while ((parent = rb_parent(node)) && node == parent->rb_child[dir])
		node = parent;
	return parent;
}

/** rb_first - Return: the leftmost (smallest) node, or NULL if empty. */
struct rb_node *rb_first(const struct rb_root *root)
{
	return extreme(root->rb_node, RB_LEFT);
}

/** rb_last - Return: the rightmost (largest) node, or NULL if empty. */
struct rb_node *rb_last(const struct rb_root *root)
{
	return extreme(root->rb_node, RB_RIGHT);
}

/** rb_next - Return: the in-order successor of @node, or NULL. */
struct rb_node *rb_next(const struct rb_node *node)
{
	return step(node, RB_RIGHT);
}

/** rb_prev - Return: the in-order predecessor of @node, or NULL. */
struct rb_node *rb_prev(const struct rb_node *node)
{
	return step(node, RB_LEFT);
}

/* The first node in post-order below @node: keep descending, left first. */
static struct rb_node *deepest_leaf(struct rb_node *node)
{
	for (;;) {
		if (node->rb_left)
			node = node->rb_left;
		else if (node->rb_right)
			node = node->rb_right;
		else
			return node;
	}
}

/** rb_first_postorder - Return: the first node in post-order, or NULL. */
struct rb_node *rb_first_postorder(const struct rb_root *root)
{
	return root->rb_node ? deepest_leaf(root->rb_node) : NULL;
}

/**
 * rb_next_postorder - Return: the node after @node in post-order, or NULL.
 *
 * Everything below @node has already been visited, so a caller tearing the
 * tree down may free @node once it has fetched the next one.
 */
struct rb_node *rb_next_postorder(const struct rb_node *node)
{
	struct rb_node *parent;

	if (!node)
		return NULL;
	parent = rb_parent(node);
	if (parent && node == parent->rb_left && parent->rb_right)
		return deepest_leaf(parent->rb_right);
	return parent;
}
