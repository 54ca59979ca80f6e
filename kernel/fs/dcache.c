/*
 * The dentry cache: names in directories, positive (an inode) or negative
 * (known not to exist).
 *
 * Every dentry is in its parent's d_subdirs list and, while it names
 * something in the tree, in a hash table keyed by (parent, name). A dentry
 * holds a reference to its parent and, when positive, to its inode.
 *
 * Lifetime: a dcache-only file system (tmpfs) pins each positive dentry
 * with one extra reference (DCACHE_PINNED) so the tree lives in the
 * dcache; removing the name (d_delete) unhashes the dentry and drops the
 * pin, and open files keep it alive until their last fput. Negative
 * dentries live on with a zero count until there are more than
 * NEG_DENTRY_MAX of them (dput then frees them instead of caching).
 *
 * Reference counts change atomically; the drop from one to zero happens
 * under dcache_lock, which d_lookup also holds while taking a reference,
 * so a dentry found in the hash can never be freed under the finder.
 */
#include <keel/hash.h>
#include <keel/slab.h>
#include <keel/string.h>

#include "internal.h"

#define DHASH_BITS      12
#define NEG_DENTRY_MAX  4096

DEFINE_SPINLOCK(dcache_lock);
static struct hlist_head dhash[1u << DHASH_BITS];
static int nr_negative_unused;         /* [dcache_lock] */

static u32 dname_hash(const struct dentry *parent, const char *name,
		      size_t len)
{
	u64 h = (u64)(uptr)parent;
	size_t i;

	for (i = 0; i < len; i++)
		h = (h ^ (u8)name[i]) * 0x100000001b3ULL;
	return (u32)hash_64(h, DHASH_BITS);
}

void dcache_init(void)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(dhash); i++)
		INIT_HLIST_HEAD(&dhash[i]);
}

static int d_set_name(struct dentry *d, const char *name, size_t len)
{
	char *buf = d->d_iname;

	if (len >= sizeof(d->d_iname)) {
		buf = kmalloc(len + 1, GFP_KERNEL);
		if (!buf)
			return -ENOMEM;
	}
	memcpy(buf, name, len);
	buf[len] = '\0';
	if (d->d_name && d->d_name != d->d_iname)
		kfree(d->d_name);
	d->d_name = buf;
	d->d_namelen = (unsigned int)len;
	return 0;
}

static struct dentry *__d_alloc(struct super_block *sb, const char *name,
				size_t len)
{
	struct dentry *d = kzalloc(sizeof(*d), GFP_KERNEL);

	if (!d)
		return NULL;
	if (d_set_name(d, name, len)) {
		kfree(d);
		return NULL;
	}
	d->d_count = 1;
	d->d_sb = sb;
	d->d_parent = d;
	INIT_LIST_HEAD(&d->d_child);
	INIT_LIST_HEAD(&d->d_subdirs);
	INIT_HLIST_NODE(&d->d_hash);
	return d;
}

/**
 * d_alloc - a new negative child @name of @parent, hashed.
 * Context: [n] held. Return: the dentry (one reference) or ERR_PTR.
 */
struct dentry *d_alloc(struct dentry *parent, const char *name, size_t len)
{
	struct dentry *d = __d_alloc(parent->d_sb, name, len);

	if (!d)
		return ERR_PTR(-ENOMEM);
	d->d_parent = dget(parent);
	spin_lock(&dcache_lock);
	list_add_tail(&d->d_child, &parent->d_subdirs);
	hlist_add_head(&d->d_hash, &dhash[dname_hash(parent, name, len)]);
	spin_unlock(&dcache_lock);
	return d;
}

/**
 * d_make_root - the root dentry of a new super block, holding @root.
 * Return: the dentry or NULL (and @root is put).
 */
struct dentry *d_make_root(struct inode *root)
{
	struct dentry *d = __d_alloc(root->i_sb, "/", 1);

	if (!d) {
		iput(root);
		return NULL;
	}
	d->d_inode = root;
	return d;
}

void d_instantiate(struct dentry *d, struct inode *inode)
{
	spin_lock(&dcache_lock);
	d->d_inode = inode;
	spin_unlock(&dcache_lock);
}

struct dentry *dget(struct dentry *d)
{
	if (d)
		ref_inc(&d->d_count);
	return d;
}

/**
 * d_lookup - the cached child @name of @parent.
 * Context: any process context. Return: the dentry with a reference, or
 * NULL when the name is not cached.
 */
struct dentry *d_lookup(struct dentry *parent, const char *name, size_t len)
{
	struct hlist_node *n;
	struct dentry *found = NULL;

	spin_lock(&dcache_lock);
	for (n = dhash[dname_hash(parent, name, len)].first; n; n = n->next) {
		struct dentry *d = container_of(n, struct dentry, d_hash);

		if (d->d_parent == parent && d->d_namelen == len &&
		    !memcmp(d->d_name, name, len)) {
			if (d->d_count == 0 && !d->d_inode)
				nr_negative_unused--;
			d->d_count++;
			found = d;
			break;
		}
	}
	spin_unlock(&dcache_lock);
	return found;
}

/* Drop a count that may not be the last without the lock. */
static bool ref_dec_unless_one(int *c)
{
	int v = __atomic_load_n(c, __ATOMIC_RELAXED);

	while (v > 1) {
		if (__atomic_compare_exchange_n(c, &v, v - 1, false,
						__ATOMIC_ACQ_REL,
						__ATOMIC_RELAXED))
			return true;
	}
	return false;
}

/* Unlink @d from the tree; [dcache_lock] held. Return: its parent. */
static struct dentry *d_unlink_locked(struct dentry *d)
{
	if (!hlist_unhashed(&d->d_hash))
		hlist_del_init(&d->d_hash);
	list_del_init(&d->d_child);
	return d->d_parent;
}

static void d_free(struct dentry *d)
{
	if (d->d_name != d->d_iname)
		kfree(d->d_name);
	kfree(d);
}

/**
 * dput - drop a reference to @d. The last reference frees a removed or
 * surplus negative dentry, and then its parent's reference in turn.
 * Context: process context, no spinlock held (may free inodes).
 */
void dput(struct dentry *d)
{
	while (d) {
		struct dentry *parent = NULL;
		struct inode *inode;
		bool keep;

		if (ref_dec_unless_one(&d->d_count))
			return;
		spin_lock(&dcache_lock);
		if (--d->d_count > 0) {
			spin_unlock(&dcache_lock);
			return;
		}
		keep = !hlist_unhashed(&d->d_hash) &&
		       (d->d_inode || nr_negative_unused < NEG_DENTRY_MAX);
		if (d->d_parent == d)
			keep = false;           /* a dead root */
		if (keep) {
			if (!d->d_inode)
				nr_negative_unused++;
			spin_unlock(&dcache_lock);
			return;
		}
		if (d->d_parent != d)
			parent = d_unlink_locked(d);
		spin_unlock(&dcache_lock);
		inode = d->d_inode;
		d_free(d);
		if (inode)
			iput(inode);
		d = parent;
	}
}

/*
 * Free @d's unused negative children: a removed directory must not be
 * kept alive by the references they hold on it. Context: [n] held.
 */
static void d_prune_negative(struct dentry *d)
{
	struct dentry *c, *tmp;
	LIST_HEAD(dead);

	spin_lock(&dcache_lock);
	list_for_each_entry_safe(c, tmp, &d->d_subdirs, d_child) {
		if (c->d_count || c->d_inode)
			continue;
		nr_negative_unused--;
		if (!hlist_unhashed(&c->d_hash))
			hlist_del_init(&c->d_hash);
		list_move(&c->d_child, &dead);
	}
	spin_unlock(&dcache_lock);
	list_for_each_entry_safe(c, tmp, &dead, d_child) {
		list_del(&c->d_child);
		d_free(c);
		dput(d);
	}
}

/**
 * d_delete - the name @d no longer exists: unhash it and drop the
 * file system's pin, so the last user frees it.
 * Context: [n] held.
 */
void d_delete(struct dentry *d)
{
	d_prune_negative(d);
	spin_lock(&dcache_lock);
	if (!hlist_unhashed(&d->d_hash))
		hlist_del_init(&d->d_hash);
	d->d_flags |= DCACHE_DISCONNECTED;
	spin_unlock(&dcache_lock);
	d_unpin(d);
}

void d_pin(struct dentry *d)
{
	if (!(d->d_flags & DCACHE_PINNED)) {
		d->d_flags |= DCACHE_PINNED;
		dget(d);
	}
}

void d_unpin(struct dentry *d)
{
	if (d->d_flags & DCACHE_PINNED) {
		d->d_flags &= ~DCACHE_PINNED;
		dput(d);
	}
}

/**
 * d_move - rename @d to @name under @newparent (unhashed target removed
 * by the caller first). Context: [n] held. Return: 0 or -ENOMEM.
 */
int d_move(struct dentry *d, struct dentry *newparent, const char *name,
	   size_t len)
{
	struct dentry *oldparent = d->d_parent;
	char *old_name = d->d_name;
	char tmp[sizeof(d->d_iname)];
	int err;

	/* Keep the old name until the new one is in place (it may be inline). */
	if (old_name == d->d_iname) {
		memcpy(tmp, d->d_iname, sizeof(tmp));
		old_name = tmp;
		d->d_name = NULL;
	}
	spin_lock(&dcache_lock);
	hlist_del_init(&d->d_hash);
	spin_unlock(&dcache_lock);
	err = d_set_name(d, name, len);
	if (err) {
		if (old_name == tmp) {
			memcpy(d->d_iname, tmp, sizeof(tmp));
			d->d_name = d->d_iname;
		}
		newparent = oldparent;
	}
	if (newparent != oldparent)
		dget(newparent);
	spin_lock(&dcache_lock);
	list_del(&d->d_child);
	list_add_tail(&d->d_child, &newparent->d_subdirs);
	d->d_parent = newparent;
	hlist_add_head(&d->d_hash, &dhash[dname_hash(newparent, d->d_name,
						     d->d_namelen)]);
	spin_unlock(&dcache_lock);
	if (newparent != oldparent)
		dput(oldparent);
	return err;
}

/* Is directory @d free of positive children? Context: [n] held. */
bool d_dir_empty(struct dentry *d)
{
	struct dentry *c;
	bool empty = true;

	spin_lock(&dcache_lock);
	list_for_each_entry(c, &d->d_subdirs, d_child) {
		if (c->d_inode && !hlist_unhashed(&c->d_hash)) {
			empty = false;
			break;
		}
	}
	spin_unlock(&dcache_lock);
	return empty;
}
