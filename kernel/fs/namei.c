/*
 * Path resolution (path_resolution(7)).
 *
 * walk_path() resolves a name component by component from the root (an
 * absolute name) or the start directory, under vfs_ns_lock:
 *  - each directory passed through needs search (x) permission;
 *  - "." stays, ".." goes to the parent, never above the walk's root
 *    (chroot) and across a mount root into the mount's parent;
 *  - a dentry with something mounted on it is replaced by the mount's
 *    root (follow_mounts);
 *  - a symlink in the middle, or at the end with LOOKUP_FOLLOW or a
 *    trailing slash, is replaced by its target followed by the rest of
 *    the name; more than MAXSYMLINKS (40) in one walk is -ELOOP;
 *  - components longer than NAME_MAX are -ENAMETOOLONG, names of PATH_MAX
 *    bytes or more too (getname), and so is a symlink expansion that
 *    would exceed PATH_MAX;
 *  - a "magic link" (an inode with ->get_path, procfs's fd/N) is not
 *    followed by its text: the walk jumps to the object it stands for
 *    (an open file's own dentry, even a deleted or unnamed one).
 * walk_parent() stops before the last component and records it in the
 * nameidata for the create/remove/rename calls.
 *
 * The result carries references; the caller drops them with path_put.
 */
#include <keel/slab.h>
#include <keel/string.h>
#include <keel/task.h>
#include <keel/uaccess.h>

#include "internal.h"

/**
 * getname_flags - copy the user path @name into a new PATH_MAX buffer.
 * Return: the buffer (putname frees it) or ERR_PTR(-EFAULT,
 * -ENAMETOOLONG, -ENOENT for "" unless @allow_empty, -ENOMEM).
 */
char *getname_flags(const char __user *name, bool allow_empty)
{
	char *buf = kmalloc(PATH_MAX, GFP_KERNEL);
	long len;

	if (!buf)
		return ERR_PTR(-ENOMEM);
	len = strncpy_from_user(buf, name, PATH_MAX);
	if (len < 0) {
		kfree(buf);
		return ERR_PTR(len);
	}
	if (len == PATH_MAX) {
		kfree(buf);
		return ERR_PTR(-ENAMETOOLONG);
	}
	if (len == 0 && !allow_empty) {
		kfree(buf);
		return ERR_PTR(-ENOENT);
	}
	return buf;
}

char *getname(const char __user *name)
{
	return getname_flags(name, false);
}

void putname(char *name)
{
	if (!IS_ERR_OR_NULL(name))
		kfree(name);
}

static void root_path(struct path *p)
{
	p->mnt = mnt_get(root_mount);
	p->dentry = dget(root_mount->mnt_root);
}

/**
 * nd_init_at - a lookup as @cred from @start (NULL: @root) with @root
 * (NULL: the global root) as "/". Return: 0.
 */
int nd_init_at(struct nameidata *nd, const struct cred *cred,
	       const struct path *root, const struct path *start,
	       unsigned int flags)
{
	memset(nd, 0, sizeof(*nd));
	nd->cred = cred;
	nd->flags = flags;
	if (root) {
		nd->root = *root;
		path_get(root);
	} else {
		root_path(&nd->root);
	}
	nd->start = start ? *start : nd->root;
	path_get(&nd->start);
	return 0;
}

/**
 * nd_init - a lookup of @name by the calling task relative to @dirfd.
 * Return: 0, -EBADF (bad @dirfd for a relative @name) or -ENOTDIR.
 */
int nd_init(struct nameidata *nd, int dirfd, const char *name,
	    unsigned int flags)
{
	struct path root, start;
	struct file *f;

	current_root(&root);
	if (name[0] == '/' || dirfd == AT_FDCWD) {
		current_pwd(&start);
	} else {
		f = fget(dirfd);
		if (!f) {
			path_put(&root);
			return -EBADF;
		}
		if (name[0] && !S_ISDIR(file_inode(f)->i_mode)) {
			fput(f);
			path_put(&root);
			return -ENOTDIR;
		}
		start = f->f_path;
		path_get(&start);
		fput(f);
	}
	nd_init_at(nd, vfs_cred(), &root, &start, flags);
	if (flags & LOOKUP_IN_ROOT) {
		path_put(&nd->root);
		nd->root = start;
		path_get(&start);
	}
	path_put(&root);
	path_put(&start);
	return 0;
}

void nd_done(struct nameidata *nd)
{
	path_put(&nd->root);
	path_put(&nd->start);
}

/* Replace @p by the root of what is mounted on it, repeatedly. [n] */
void follow_mounts(struct path *p)
{
	struct mount *m;

	while ((m = mount_lookup(p->mnt, p->dentry))) {
		struct path next = { mnt_get(m), dget(m->mnt_root) };

		path_put(p);
		*p = next;
	}
}

static bool path_equal(const struct path *a, const struct path *b)
{
	return a->mnt == b->mnt && a->dentry == b->dentry;
}

/* ".." from @p, in place. [n] */
static void go_up(struct nameidata *nd, struct path *p)
{
	for (;;) {
		if (path_equal(p, &nd->root))
			return;
		if (p->dentry != p->mnt->mnt_root) {
			struct dentry *up = dget(p->dentry->d_parent);

			dput(p->dentry);
			p->dentry = up;
			follow_mounts(p);
			return;
		}
		if (p->mnt->mnt_parent == p->mnt)
			return;                 /* the global root */
		{
			struct path next = { mnt_get(p->mnt->mnt_parent),
					     dget(p->mnt->mnt_mountpoint) };

			path_put(p);
			*p = next;
		}
	}
}

/*
 * The child @name of directory @dir: cached, or looked up by the file
 * system and cached (positive or negative). [n] held. Return: a dentry
 * with a reference (maybe negative) or ERR_PTR.
 */
static struct dentry *lookup_child(struct dentry *dir, const char *name,
				   size_t len)
{
	struct inode *di = dir->d_inode;
	struct dentry *d;
	int err;

	/* Linux's IS_DEADDIR: nothing is found or created in a removed
	 * directory (a cwd or open fd may still refer to it). */
	if (dir_is_dead(di))
		return ERR_PTR(-ENOENT);
	d = d_lookup(dir, name, len);
	if (d)
		return d;
	d = d_alloc(dir, name, len);
	if (IS_ERR(d) || !di->i_op || !di->i_op->lookup)
		return d;
	err = di->i_op->lookup(di, d);
	if (err) {
		d_delete(d);
		dput(d);
		return ERR_PTR(err);
	}
	return d;
}

/* The target of symlink @inode into @buf (PATH_MAX). Return: len. */
static int read_link(struct inode *inode, char *buf)
{
	size_t len;

	if (inode->i_link) {
		len = strlen(inode->i_link);
		if (len >= PATH_MAX)
			return -ENAMETOOLONG;
		memcpy(buf, inode->i_link, len + 1);
		return (int)len;
	}
	if (inode->i_op && inode->i_op->getlink)
		return inode->i_op->getlink(inode, buf, PATH_MAX);
	return -EINVAL;
}

/*
 * Replace the walk's remaining name @rest by @link's target + "/" +
 * @rest, in a new buffer that replaces *@bufp. Return: the new position.
 */
static char *expand_link(struct nameidata *nd, struct inode *link,
			 char **bufp, const char *rest)
{
	char *nbuf;
	int len;
	size_t rlen = strlen(rest);

	if (nd->flags & LOOKUP_NO_SYMLINKS)
		return ERR_PTR(-ELOOP);
	if (++nd->nlinks > MAXSYMLINKS)
		return ERR_PTR(-ELOOP);
	nbuf = kmalloc(PATH_MAX, GFP_KERNEL);
	if (!nbuf)
		return ERR_PTR(-ENOMEM);
	len = read_link(link, nbuf);
	if (len >= 0 && len == 0)
		len = -ENOENT;
	if (len >= 0 && (size_t)len + 1 + rlen >= PATH_MAX)
		len = -ENAMETOOLONG;
	if (len < 0) {
		kfree(nbuf);
		return ERR_PTR(len);
	}
	if (rlen) {
		nbuf[len] = '/';
		memcpy(nbuf + len + 1, rest, rlen + 1);
	}
	kfree(*bufp);
	*bufp = nbuf;
	return nbuf;
}

struct walk {
	struct nameidata *nd;
	struct path cur;
	char *buf;
	const char *p;
	int depth;              /* below the start, for LOOKUP_BENEATH */
};

/* Restart at the root for an absolute name. */
static int walk_root(struct walk *w)
{
	if (w->nd->flags & LOOKUP_BENEATH)
		return -EXDEV;
	path_put(&w->cur);
	w->cur = w->nd->root;
	path_get(&w->cur);
	w->depth = 0;
	return 0;
}

/**
 * follow_magic_link - the object magic link @link (->get_path) stands
 * for, as a walk of @nd may reach it: not with LOOKUP_NO_SYMLINKS (-ELOOP)
 * nor in a scoped walk (LOOKUP_BENEATH, LOOKUP_IN_ROOT: -EXDEV, as Linux),
 * and counted against MAXSYMLINKS.
 * Context: [n] held. Return: 0 with @res referenced, 1 when @link is not
 * magic (follow its text), or -errno.
 */
int follow_magic_link(struct nameidata *nd, struct inode *link,
		      struct path *res)
{
	int err;

	if (!link->i_op || !link->i_op->get_path)
		return 1;
	if (nd->flags & LOOKUP_NO_SYMLINKS)
		return -ELOOP;
	err = link->i_op->get_path(link, res);
	if (err)
		return err;
	if (nd->flags & (LOOKUP_BENEATH | LOOKUP_IN_ROOT))
		err = -EXDEV;
	else if (++nd->nlinks > MAXSYMLINKS)
		err = -ELOOP;
	if (err)
		path_put(res);
	return err;
}

/*
 * Follow a magic link: the walk goes on from the object @link stands
 * for, with the rest of the name unchanged. Return: 0 (jumped), 1 (not
 * magic: follow the text) or -errno.
 */
static int jump_link(struct walk *w, struct inode *link)
{
	struct path target;
	int err = follow_magic_link(w->nd, link, &target);

	if (err)
		return err;
	if ((w->nd->flags & LOOKUP_NO_XDEV) && target.mnt != w->cur.mnt) {
		path_put(&target);
		return -EXDEV;
	}
	path_put(&w->cur);
	w->cur = target;
	w->depth = 0;
	return 0;
}

/*
 * One step of the walk: component @name (@len) with @rest after it.
 * Return: 0 (moved), or -errno.
 */
static int walk_step(struct walk *w, const char *name, size_t len,
		     const char *rest, bool last)
{
	struct nameidata *nd = w->nd;
	struct path next;
	struct dentry *d;

	if (len == 1 && name[0] == '.')
		return 0;
	if (len == 2 && name[0] == '.' && name[1] == '.') {
		if ((nd->flags & LOOKUP_BENEATH) && --w->depth < 0)
			return -EXDEV;
		go_up(nd, &w->cur);
		return 0;
	}
	d = lookup_child(w->cur.dentry, name, len);
	if (IS_ERR(d))
		return PTR_ERR(d);
	if (!d->d_inode) {
		dput(d);
		return -ENOENT;
	}
	next.mnt = mnt_get(w->cur.mnt);
	next.dentry = d;
	follow_mounts(&next);
	if ((nd->flags & LOOKUP_NO_XDEV) && next.mnt != w->cur.mnt) {
		path_put(&next);
		return -EXDEV;
	}
	if (S_ISLNK(next.dentry->d_inode->i_mode) &&
	    (!last || (nd->flags & LOOKUP_FOLLOW) || *rest)) {
		char *np;
		int err = jump_link(w, next.dentry->d_inode);

		if (err <= 0) {
			path_put(&next);
			return err;
		}
		np = expand_link(nd, next.dentry->d_inode, &w->buf, rest);
		path_put(&next);
		if (IS_ERR(np))
			return PTR_ERR(np);
		w->p = np;
		if (*np == '/')
			return walk_root(w);
		return 0;
	}
	w->depth++;
	path_put(&w->cur);
	w->cur = next;
	return 0;
}

/*
 * The walk loop: stop before the last component when @parent. Return: 0
 * with the result in w->cur, or -errno.
 */
static int walk_loop(struct walk *w, bool parent)
{
	struct nameidata *nd = w->nd;
	int err;

	for (;;) {
		const char *name, *end, *rest;
		size_t len;
		bool last;

		while (*w->p == '/')
			w->p++;
		if (!*w->p) {
			nd->last_type = LAST_ROOT;
			return 0;
		}
		name = w->p;
		for (end = name; *end && *end != '/'; end++)
			;
		len = (size_t)(end - name);
		if (len > NAME_MAX)
			return -ENAMETOOLONG;
		for (rest = end; *rest == '/'; rest++)
			;
		last = !*rest;
		if (!S_ISDIR(w->cur.dentry->d_inode->i_mode))
			return -ENOTDIR;
		err = inode_permission(nd->cred, w->cur.dentry->d_inode,
				       MAY_EXEC);
		if (err)
			return err;
		if (last && parent) {
			memcpy(nd->last, name, len);
			nd->last[len] = '\0';
			nd->last_len = len;
			nd->trailing_slash = *end == '/';
			nd->last_type = LAST_NORM;
			if (len == 1 && name[0] == '.')
				nd->last_type = LAST_DOT;
			else if (len == 2 && name[0] == '.' && name[1] == '.')
				nd->last_type = LAST_DOTDOT;
			return 0;
		}
		if (last)
			nd->trailing_slash = *end == '/';
		/* A last component keeps its slash: "link/" follows. */
		w->p = last ? end : rest;
		err = walk_step(w, name, len, w->p, last);
		if (err)
			return err;
	}
}

static int walk_common(struct nameidata *nd, const char *name,
		       struct path *res, bool parent)
{
	struct walk w = { .nd = nd };
	int err;

	if (!*name && (parent || !(nd->flags & LOOKUP_EMPTY)))
		return -ENOENT;
	w.buf = kmalloc(PATH_MAX, GFP_KERNEL);
	if (!w.buf)
		return -ENOMEM;
	if (strscpy(w.buf, name, PATH_MAX) < 0) {
		kfree(w.buf);
		return -ENAMETOOLONG;
	}
	w.p = w.buf;
	w.cur = nd->start;
	path_get(&w.cur);
	err = 0;
	if (*w.p == '/')
		err = walk_root(&w);
	if (!err)
		err = walk_loop(&w, parent);
	kfree(w.buf);
	if (!err && !parent &&
	    ((nd->flags & LOOKUP_DIRECTORY) || nd->trailing_slash) &&
	    !S_ISDIR(w.cur.dentry->d_inode->i_mode))
		err = -ENOTDIR;
	if (err) {
		path_put(&w.cur);
		return err;
	}
	*res = w.cur;
	return 0;
}

/**
 * walk_path - resolve @name for @nd.
 * Context: vfs_ns_lock held. Return: 0 with @res referenced, or -errno.
 */
int walk_path(struct nameidata *nd, const char *name, struct path *res)
{
	return walk_common(nd, name, res, false);
}

/**
 * walk_parent - resolve all of @name but its last component (recorded in
 * @nd) into directory @parent.
 * Context: vfs_ns_lock held. Return: 0 or -errno.
 */
int walk_parent(struct nameidata *nd, const char *name, struct path *parent)
{
	return walk_common(nd, name, parent, true);
}

/**
 * lookup_last - the dentry of @nd's last component in @parent (from
 * walk_parent); "." and ".." give the directories themselves, the root
 * gives @parent. Context: [n] held. Return: referenced dentry (maybe
 * negative) or ERR_PTR.
 */
struct dentry *lookup_last(struct nameidata *nd, struct path *parent)
{
	if (nd->last_type == LAST_NORM)
		return lookup_child(parent->dentry, nd->last, nd->last_len);
	if (nd->last_type == LAST_DOTDOT) {
		struct path up = *parent;
		struct dentry *d;

		path_get(&up);
		go_up(nd, &up);
		d = dget(up.dentry);
		path_put(&up);
		return d;
	}
	return dget(parent->dentry);
}

/**
 * vfs_lookup_kernel - resolve the kernel string @name (relative names
 * from the caller's cwd) with LOOKUP_* @flags as the caller.
 * Context: process context; takes vfs_ns_lock. Return: 0 or -errno.
 */
int vfs_lookup_kernel(const char *name, unsigned int flags,
		      struct path *res)
{
	struct nameidata nd;
	int err = nd_init(&nd, AT_FDCWD, name, flags);

	if (err)
		return err;
	mutex_lock(&vfs_ns_lock);
	err = walk_path(&nd, name, res);
	mutex_unlock(&vfs_ns_lock);
	nd_done(&nd);
	return err;
}
