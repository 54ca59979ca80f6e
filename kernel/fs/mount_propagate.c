/*
 * Mount propagation (shared subtrees, Linux's
 * Documentation/filesystems/sharedsubtree.rst): peer groups and slaves.
 *
 * A shared mount belongs to a peer group (mnt_group_id, the ring
 * mnt_share): a mount or umount below any peer happens below all of them.
 * A slave (mnt_master) receives those events from its master's group but
 * sends none back; its master lists it on mnt_slave_list. A mount can be
 * both shared (in its own group) and a slave. Private mounts do neither;
 * unbindable ones are private and refuse bind mounts (MNT_UNBINDABLE).
 *
 * Events: mount_graft() attaches a new tree below a shared mount, gives
 * every mount of the tree a peer group, and puts a copy on each mount
 * that receives from the destination: peers get peers of the new tree
 * (CL_MAKE_SHARED), slaves get slaves of it (CL_SLAVE). A copy goes only
 * where the mountpoint is visible (below that mount's root). umount
 * takes the matching mounts of the receivers along.
 *
 * Simplification: receivers further down a chain of slaves get slaves of
 * the new tree itself (Linux: of their own master's copy); mountinfo then
 * names the first master's group.
 *
 * Locking: everything runs under vfs_ns_lock [n]; MNT_MARKED is scratch
 * state of one walk, clear outside it.
 */
#include <keel/err.h>
#include <keel/slab.h>
#include <keel/string.h>

#include "internal.h"

static int next_group_id = 1;   /* [n] */

static int group_id_alloc(void)
{
	int id = next_group_id;

	next_group_id = id == 0x7fffffff ? 1 : id + 1;
	return id;
}

/* ---- types ---------------------------------------------------------------------- */

/*
 * @m stops being a peer (its slaves move to a remaining peer, or to @m's
 * own master, or become private) and becomes a slave of its old group or
 * master; without either it is simply private (Linux's do_make_slave).
 */
static void mount_make_slave(struct mount *m)
{
	struct mount *master, *s;

	if (list_empty(&m->mnt_share)) {
		m->mnt_group_id = 0;
		master = m->mnt_master;
		if (!master) {
			while (!list_empty(&m->mnt_slave_list)) {
				s = list_first_entry(&m->mnt_slave_list,
						     struct mount, mnt_slave);
				list_del_init(&s->mnt_slave);
				s->mnt_master = NULL;
			}
			return;
		}
	} else {
		master = list_first_entry(&m->mnt_share, struct mount,
					  mnt_share);
		list_del_init(&m->mnt_share);
		m->mnt_group_id = 0;
	}
	list_for_each_entry(s, &m->mnt_slave_list, mnt_slave)
		s->mnt_master = master;
	list_del_init(&m->mnt_slave);
	list_add(&m->mnt_slave, &master->mnt_slave_list);
	list_splice_tail_init(&m->mnt_slave_list, &master->mnt_slave_list);
	m->mnt_master = master;
}

/**
 * mount_set_private - @m leaves its peer group and its master (MS_PRIVATE,
 * umount); its slaves move on as mount_make_slave says.
 * Context: vfs_ns_lock held. Return: none.
 */
void mount_set_private(struct mount *m)
{
	mount_make_slave(m);
	list_del_init(&m->mnt_slave);
	m->mnt_master = NULL;
}

/**
 * mount_set_type - make @m shared, a slave, private or unbindable
 * (@ms_type: one of MS_SHARED, MS_SLAVE, MS_PRIVATE, MS_UNBINDABLE; the
 * caller sets MNT_UNBINDABLE itself).
 * Context: vfs_ns_lock held. Return: none.
 */
void mount_set_type(struct mount *m, unsigned long ms_type)
{
	switch (ms_type) {
	case MS_SHARED:
		if (!m->mnt_group_id)
			m->mnt_group_id = group_id_alloc();
		break;
	case MS_SLAVE:
		mount_make_slave(m);
		break;
	default:                        /* MS_PRIVATE, MS_UNBINDABLE */
		mount_set_private(m);
		break;
	}
}

/**
 * mount_clone_propagation - the propagation of @new, a copy of @old
 * (Linux's clone_mnt): CL_SLAVE makes it a slave of a shared @old,
 * CL_PRIVATE leaves it private, otherwise it joins @old's peer group and
 * master (CL_MAKE_SHARED: @old was made shared first).
 * Context: vfs_ns_lock held. Return: none.
 */
void mount_clone_propagation(struct mount *new, struct mount *old, int cl)
{
	if (cl & CL_SLAVE) {
		if (!old->mnt_group_id)
			return;         /* nothing to receive from */
		list_add(&new->mnt_slave, &old->mnt_slave_list);
		new->mnt_master = old;
	} else if (!(cl & CL_PRIVATE)) {
		if (old->mnt_group_id) {
			list_add(&new->mnt_share, &old->mnt_share);
			new->mnt_group_id = old->mnt_group_id;
		}
		if (old->mnt_master) {
			list_add(&new->mnt_slave, &old->mnt_slave);
			new->mnt_master = old->mnt_master;
		}
	}
}

/* ---- receivers ------------------------------------------------------------------- */

struct receivers {
	struct mount **m;
	bool *peer;             /* a peer of the sender (not a slave) */
	size_t n, cap;
};

static bool receivers_add(struct receivers *r, struct mount *m, bool peer)
{
	if (r->n == r->cap) {
		size_t cap = r->cap ? 2 * r->cap : 8;
		struct mount **nm = krealloc(r->m, cap * sizeof(*nm),
					     GFP_KERNEL);
		bool *np;

		if (!nm)
			return false;
		r->m = nm;
		np = krealloc(r->peer, cap * sizeof(*np), GFP_KERNEL);
		if (!np)
			return false;
		r->peer = np;
		r->cap = cap;
	}
	m->mnt_flags |= MNT_MARKED;
	r->m[r->n] = m;
	r->peer[r->n++] = peer;
	return true;
}

static void receivers_free(struct receivers *r)
{
	kfree(r->m);
	kfree(r->peer);
}

/*
 * Every mount that receives events from @m: its peers, their slaves,
 * the peers and slaves of those, ... (not @m). Return: 0 or -ENOMEM.
 */
static long receivers_collect(struct mount *m, struct receivers *r)
{
	struct mount *g, *p;
	size_t i;
	long err = 0;

	memset(r, 0, sizeof(*r));
	m->mnt_flags |= MNT_MARKED;
	for (i = 0, g = m; g && !err; g = i < r->n ? r->m[i++] : NULL) {
		list_for_each_entry(p, &g->mnt_share, mnt_share)
			if (!(p->mnt_flags & MNT_MARKED) &&
			    !receivers_add(r, p, p->mnt_group_id ==
					   m->mnt_group_id))
				err = -ENOMEM;
		list_for_each_entry(p, &g->mnt_slave_list, mnt_slave)
			if (!(p->mnt_flags & MNT_MARKED) &&
			    !receivers_add(r, p, false))
				err = -ENOMEM;
	}
	m->mnt_flags &= ~MNT_MARKED;
	for (i = 0; i < r->n; i++)
		r->m[i]->mnt_flags &= ~MNT_MARKED;
	return err;
}

/* Is @d @root or below it? */
static bool below(struct dentry *d, struct dentry *root)
{
	for (; d != root; d = d->d_parent)
		if (d->d_parent == d)
			return false;
	return true;
}

/* Is @m in the tree of @top? */
static bool in_tree(struct mount *m, struct mount *top)
{
	for (;; m = m->mnt_parent) {
		if (m == top)
			return true;
		if (m->mnt_parent == m)
			return false;
	}
}

/* ---- events --------------------------------------------------------------------- */

/* Put @src (unhooked by a move: already in the mount list) on @at. */
static void graft_attach(struct mount *src, const struct path *at,
			 bool moving)
{
	if (!moving) {
		mount_attach(src, at);
		return;
	}
	src->mnt_parent = mnt_get(at->mnt);
	src->mnt_mountpoint = dget(at->dentry);
	at->dentry->d_mounted++;
	list_add(&src->mnt_child, &at->mnt->mnt_children);
}

/**
 * mount_graft - attach the tree @src on @at, with copies on the mounts
 * receiving from @at's mount when it is shared (see the file head).
 * @moving: @src was unhooked by MS_MOVE (it is in the mount list).
 * Context: vfs_ns_lock held; may allocate.
 * Return: 0, or -ENOMEM with nothing attached.
 */
long mount_graft(struct mount *src, const struct path *at, bool moving)
{
	struct mount *dest = at->mnt, *m, **copies = NULL;
	struct receivers r = { 0 };
	long err = 0;
	size_t i;

	if (dest->mnt_group_id) {
		err = receivers_collect(dest, &r);
		if (!err && r.n) {
			copies = kzalloc(r.n * sizeof(*copies), GFP_KERNEL);
			err = copies ? 0 : -ENOMEM;
		}
		for (m = src; !err && m; m = mount_subtree_next(m, src, true))
			mount_set_type(m, MS_SHARED);
	}
	for (i = 0; !err && i < r.n; i++) {
		/* Not visible there, or inside the tree being moved. */
		if (!below(at->dentry, r.m[i]->mnt_root) ||
		    in_tree(r.m[i], src))
			continue;
		copies[i] = mount_copy_tree(src, src->mnt_root, r.peer[i] ?
					    CL_MAKE_SHARED : CL_SLAVE);
		if (IS_ERR(copies[i])) {
			err = PTR_ERR(copies[i]);
			copies[i] = NULL;
		}
	}
	if (err) {
		for (i = 0; copies && i < r.n; i++)
			if (copies[i])
				mount_free_tree(copies[i]);
		goto out;
	}
	graft_attach(src, at, moving);
	for (i = 0; i < r.n; i++)
		if (copies[i])
			mount_attach(copies[i], &(struct path){ r.m[i],
								at->dentry });
out:
	kfree(copies);
	receivers_free(&r);
	return err;
}

/**
 * mount_umount_propagated - umount of @m (the caller detaches @m itself):
 * move the copies of it on the mounts receiving from its parent onto
 * @dead, as mount_detach does.
 * Context: vfs_ns_lock held.
 * Return: 0, -EBUSY (not @lazy and a copy has submounts; nothing done)
 * or -ENOMEM.
 */
long mount_umount_propagated(struct mount *m, bool lazy,
			     struct list_head *dead)
{
	struct mount *parent = m->mnt_parent, *c;
	struct receivers r;
	long err;
	size_t i;
	int pass;

	if (parent == m || !parent->mnt_group_id)
		return 0;
	err = receivers_collect(parent, &r);
	/* Pass 0 checks (nothing done on EBUSY), pass 1 detaches. */
	for (pass = 0; !err && pass < 2; pass++) {
		for (i = 0; i < r.n; i++) {
			c = mount_lookup(r.m[i], m->mnt_mountpoint);
			if (!c || c == m || c->mnt_sb != m->mnt_sb ||
			    (c->mnt_flags & MNT_DETACHED))
				continue;
			if (!pass && !lazy && !list_empty(&c->mnt_children))
				err = -EBUSY;
			else if (pass)
				mount_detach(c, dead);
		}
	}
	receivers_free(&r);
	return err;
}
