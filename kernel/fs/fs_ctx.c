/*
 * The fs context (root, cwd, umask; CLONE_FS shares it) and the calls
 * that use it: chdir, fchdir, chroot, getcwd, umask; and path names of
 * places in the tree (getcwd, file_path for /proc/<pid>/exe).
 */
#include <keel/slab.h>
#include <keel/string.h>
#include <keel/syscall.h>
#include <keel/task.h>
#include <keel/uaccess.h>

#include "internal.h"

struct fs_ctx *fs_ctx_create(void)
{
	struct fs_ctx *fs = kzalloc(sizeof(*fs), GFP_KERNEL);

	if (!fs)
		return NULL;
	fs->count = 1;
	spin_lock_init(&fs->lock);
	fs->root.mnt = mnt_get(root_mount);
	fs->root.dentry = dget(root_mount->mnt_root);
	fs->pwd = fs->root;
	path_get(&fs->pwd);
	fs->umask = 022;
	return fs;
}

struct fs_ctx *fs_ctx_dup(struct fs_ctx *old)
{
	struct fs_ctx *fs = kzalloc(sizeof(*fs), GFP_KERNEL);

	if (!fs)
		return NULL;
	fs->count = 1;
	spin_lock_init(&fs->lock);
	spin_lock(&old->lock);
	fs->root = old->root;
	fs->pwd = old->pwd;
	path_get(&fs->root);
	path_get(&fs->pwd);
	fs->umask = old->umask;
	spin_unlock(&old->lock);
	return fs;
}

void fs_ctx_get(struct fs_ctx *fs)
{
	ref_inc(&fs->count);
}

void fs_ctx_put(struct fs_ctx *fs)
{
	if (!fs || !ref_dec_and_test(&fs->count))
		return;
	path_put(&fs->root);
	path_put(&fs->pwd);
	kfree(fs);
}

static struct fs_ctx *cur_fs(void)
{
	struct task *t = current_task();

	return t ? t->fs : NULL;
}

static void get_fs_path(struct path *out, bool root)
{
	struct fs_ctx *fs = cur_fs();

	if (!fs) {
		out->mnt = mnt_get(root_mount);
		out->dentry = dget(root_mount->mnt_root);
		return;
	}
	spin_lock(&fs->lock);
	*out = root ? fs->root : fs->pwd;
	path_get(out);
	spin_unlock(&fs->lock);
}

void current_root(struct path *root)
{
	get_fs_path(root, true);
}

void current_pwd(struct path *pwd)
{
	get_fs_path(pwd, false);
}

mode_t current_umask(void)
{
	struct fs_ctx *fs = cur_fs();

	return fs ? READ_ONCE(fs->umask) : 022;
}

/* Replace the context's root or cwd by @p (references passed in). */
static void set_fs_path(const struct path *p, bool root)
{
	struct fs_ctx *fs = cur_fs();
	struct path old;

	spin_lock(&fs->lock);
	if (root) {
		old = fs->root;
		fs->root = *p;
	} else {
		old = fs->pwd;
		fs->pwd = *p;
	}
	spin_unlock(&fs->lock);
	path_put(&old);
}

/*
 * Write @p's name, as seen from @root, into the end of @buf, building
 * it backwards. [n] held. Return: the start in @buf, or ERR_PTR
 * (-ENAMETOOLONG; -ENOENT if @p is not reachable or was removed).
 */
static char *path_name(const struct path *root, const struct path *p,
		       char *buf, size_t size, bool *unreachable)
{
	struct mount *m = p->mnt;
	struct dentry *d = p->dentry;
	char *s = buf + size;

	*--s = '\0';
	*unreachable = false;
	while (!(m == root->mnt && d == root->dentry)) {
		size_t len;

		if (d == m->mnt_root) {
			if (m->mnt_parent == m) {
				*unreachable = true;
				break;
			}
			d = m->mnt_mountpoint;
			m = m->mnt_parent;
			continue;
		}
		len = d->d_namelen;
		if ((size_t)(s - buf) < len + 1)
			return ERR_PTR(-ENAMETOOLONG);
		s -= len;
		memcpy(s, d->d_name, len);
		*--s = '/';
		d = d->d_parent;
	}
	if (!*s) {
		if (s == buf)
			return ERR_PTR(-ENAMETOOLONG);
		*--s = '/';
	}
	return s;
}

long vfs_path_string(const struct path *p, char *buf, size_t size)
{
	struct path root;
	bool unreach;
	char *s;
	long len;

	if (size < 2)
		return -ENAMETOOLONG;
	current_root(&root);
	mutex_lock(&vfs_ns_lock);
	s = path_name(&root, p, buf, size, &unreach);
	mutex_unlock(&vfs_ns_lock);
	path_put(&root);
	if (IS_ERR(s))
		return PTR_ERR(s);
	len = (long)strlen(s);
	memmove(buf, s, (size_t)len + 1);
	if (p->dentry->d_flags & DCACHE_DISCONNECTED) {
		if ((size_t)len + 11 > size)
			return -ENAMETOOLONG;
		memcpy(buf + len, " (deleted)", 11);
		len += 10;
	}
	return len;
}

long file_path(struct file *f, char *buf, size_t size)
{
	return vfs_path_string(&f->f_path, buf, size);
}

SYSCALL_DEFINE2(getcwd, char *, ubuf, unsigned long, size)
{
	struct path pwd, root;
	char *buf = kmalloc(PATH_MAX, GFP_KERNEL);
	bool unreach;
	long len;
	char *s;

	if (!buf)
		return -ENOMEM;
	current_pwd(&pwd);
	current_root(&root);
	mutex_lock(&vfs_ns_lock);
	if (pwd.dentry->d_flags & DCACHE_DISCONNECTED)
		s = ERR_PTR(-ENOENT);
	else
		s = path_name(&root, &pwd, buf, PATH_MAX, &unreach);
	mutex_unlock(&vfs_ns_lock);
	path_put(&pwd);
	path_put(&root);
	if (IS_ERR(s)) {
		len = PTR_ERR(s);
	} else {
		/* Outside the root (chroot escape): "(unreachable)/...". */
		if (unreach && s - buf >= 13) {
			s -= 13;
			memcpy(s, "(unreachable)", 13);
		}
		len = (long)strlen(s) + 1;
		if ((unsigned long)len > size)
			len = -ERANGE;
		else if (copy_to_user(ubuf, s, (size_t)len))
			len = -EFAULT;
	}
	kfree(buf);
	return len;
}

/* Resolve a directory for chdir/chroot: search permission needed. */
static long lookup_dir(const char __user *upath, struct path *res)
{
	struct nameidata nd;
	char *name = getname(upath);
	long err;

	if (IS_ERR(name))
		return PTR_ERR(name);
	err = nd_init(&nd, AT_FDCWD, name, LOOKUP_FOLLOW | LOOKUP_DIRECTORY);
	if (!err) {
		mutex_lock(&vfs_ns_lock);
		err = walk_path(&nd, name, res);
		mutex_unlock(&vfs_ns_lock);
		if (!err) {
			err = inode_permission(nd.cred, res->dentry->d_inode,
					       MAY_EXEC);
			if (err)
				path_put(res);
		}
		nd_done(&nd);
	}
	putname(name);
	return err;
}

SYSCALL_DEFINE1(chdir, const char *, path)
{
	struct path p;
	long err = lookup_dir(path, &p);

	if (!err)
		set_fs_path(&p, false);
	return err;
}

SYSCALL_DEFINE1(fchdir, unsigned int, fd)
{
	struct file *f = fget((int)fd);
	struct path p;
	long err;

	if (!f)
		return -EBADF;
	if (!S_ISDIR(file_inode(f)->i_mode)) {
		fput(f);
		return -ENOTDIR;
	}
	err = inode_permission(vfs_cred(), file_inode(f), MAY_EXEC);
	if (!err) {
		p = f->f_path;
		path_get(&p);
		set_fs_path(&p, false);
	}
	fput(f);
	return err;
}

SYSCALL_DEFINE1(chroot, const char *, path)
{
	struct path p;
	long err = lookup_dir(path, &p);

	if (err)
		return err;
	if (!cred_is_root(vfs_cred())) {
		path_put(&p);
		return -EPERM;
	}
	set_fs_path(&p, true);
	return 0;
}

SYSCALL_DEFINE1(umask, int, mask)
{
	struct fs_ctx *fs = cur_fs();
	mode_t old;

	if (!fs)
		return 022;
	spin_lock(&fs->lock);
	old = fs->umask;
	fs->umask = (mode_t)mask & 0777;
	spin_unlock(&fs->lock);
	return old;
}
