/*
 * procfs machinery shared by every entry: generated-text buffers, the
 * file operations of generated files, static and dynamic directories,
 * inode creation and symlink targets (see internal.h for the model).
 *
 * Interface: proc_printf/proc_write/proc_puts, proc_instantiate,
 * proc_d_volatile, proc_emit_static, proc_path_name, proc_dir_iops and
 * proc_dir_fops, proc_sops (super_operations of proc and sysfs).
 */
#include <keel/mm.h>
#include <keel/sprintf.h>
#include <keel/uaccess.h>

#include "internal.h"

#define PROC_WRITE_MAX 4096     /* bytes one write() to a proc file takes */

/* ---- text buffers ---------------------------------------------------------- */

void proc_printf(struct proc_buf *b, const char *fmt, ...)
{
	size_t room = b->size - b->len;
	va_list ap;
	int n;

	if (b->overflow)
		return;
	va_start(ap, fmt);
	n = vsnprintf(b->buf + b->len, room, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= room) {
		b->overflow = true;
		return;
	}
	b->len += (size_t)n;
}

void proc_write(struct proc_buf *b, const void *data, size_t len)
{
	if (b->overflow || len > b->size - b->len) {
		b->overflow = true;
		return;
	}
	memcpy(b->buf + b->len, data, len);
	b->len += len;
}

void proc_puts(struct proc_buf *b, const char *s)
{
	proc_write(b, s, strlen(s));
}

/* ---- generated files ------------------------------------------------------- */

struct proc_file {
	struct mutex lock;
	char *buf;              /* [lock] the generated text, or NULL */
	size_t len;             /* [lock] */
};

/*
 * Run @pi's generator into a buffer big enough for all of it, doubling
 * from a page up to PROC_BUF_MAX. Return: 0 or -errno.
 */
static int proc_generate(struct proc_file *pf, struct proc_inode *pi)
{
	struct proc_buf b = { 0 };
	size_t size = PAGE_SIZE;
	int err;

	for (;;) {
		b.buf = kmalloc(size, GFP_KERNEL);
		if (!b.buf)
			return -ENOMEM;
		b.size = size;
		b.len = 0;
		b.overflow = false;
		err = pi->ent->show(&b, pi);
		if (err || !b.overflow)
			break;
		kfree(b.buf);
		if (size >= PROC_BUF_MAX)
			return -EFBIG;
		size *= 2;
	}
	if (err) {
		kfree(b.buf);
		return err;
	}
	kfree(pf->buf);
	pf->buf = b.buf;
	pf->len = b.len;
	return 0;
}

/* Same user as @p's, or root (Linux's ptrace_may_access, simplified). */
bool proc_may_access(struct process *p)
{
	const struct cred *me = current_cred_or_root();
	bool ok;

	if (cred_is_root(me))
		return true;
	spin_lock(&p->lock);
	ok = me->uid == p->cred.uid && me->uid == p->cred.euid &&
	     me->uid == p->cred.suid && me->gid == p->cred.gid &&
	     me->gid == p->cred.egid && me->gid == p->cred.sgid;
	spin_unlock(&p->lock);
	return ok;
}

static int proc_file_open(struct inode *inode, struct file *f)
{
	struct proc_inode *pi = PROC_I(inode);
	struct proc_file *pf;

	if ((pi->ent->flags & PROC_PRIVATE) && pi->pid) {
		struct process *p = proc_get_process(pi->pid);
		bool ok;

		if (!p)
			return -ESRCH;
		ok = proc_may_access(p);
		process_put(p);
		if (!ok)
			return -EACCES;
	}
	pf = kzalloc(sizeof(*pf), GFP_KERNEL);
	if (!pf)
		return -ENOMEM;
	mutex_init(&pf->lock);
	f->private_data = pf;
	return 0;
}

/*
 * Copy up to @n bytes of @f's text at *@pos to @dst (user or kernel),
 * generating it afresh at offset 0. Return: bytes or -errno.
 */
static ssize_t proc_file_do_read(struct file *f, void *dst, size_t n,
				 loff_t *pos, bool user)
{
	struct proc_file *pf = f->private_data;
	struct proc_inode *pi = PROC_I(file_inode(f));
	ssize_t ret = 0;
	size_t off;

	if (*pos < 0)
		return -EINVAL;
	mutex_lock(&pf->lock);
	if (*pos == 0 || !pf->buf) {
		ret = proc_generate(pf, pi);
		if (ret)
			goto out;
	}
	off = (size_t)*pos;
	if (off >= pf->len)
		goto out;
	n = MIN(n, pf->len - off);
	if (user) {
		if (copy_to_user((char __user *)dst, pf->buf + off, n)) {
			ret = -EFAULT;
			goto out;
		}
	} else {
		memcpy(dst, pf->buf + off, n);
	}
	*pos += (loff_t)n;
	ret = (ssize_t)n;
out:
	mutex_unlock(&pf->lock);
	return ret;
}

static ssize_t proc_file_read(struct file *f, char __user *buf, size_t n,
			      loff_t *pos)
{
	return proc_file_do_read(f, (void *)(uptr)buf, n, pos, true);
}

static ssize_t proc_file_read_kernel(struct file *f, void *buf, size_t n,
				     loff_t *pos)
{
	return proc_file_do_read(f, buf, n, pos, false);
}

static ssize_t proc_file_write(struct file *f, const char __user *buf,
			       size_t n, loff_t *pos)
{
	struct proc_inode *pi = PROC_I(file_inode(f));
	ssize_t ret;
	char *kbuf;

	if (!pi->ent->store)
		return -EINVAL;
	if (n > PROC_WRITE_MAX)
		n = PROC_WRITE_MAX;
	kbuf = kmalloc(n + 1, GFP_KERNEL);
	if (!kbuf)
		return -ENOMEM;
	if (copy_from_user(kbuf, buf, n)) {
		kfree(kbuf);
		return -EFAULT;
	}
	kbuf[n] = '\0';
	ret = pi->ent->store(pi, kbuf, n);
	kfree(kbuf);
	if (ret > 0)
		*pos += ret;
	return ret;
}

static ssize_t proc_file_write_kernel(struct file *f, const void *buf,
				      size_t n, loff_t *pos)
{
	struct proc_inode *pi = PROC_I(file_inode(f));
	ssize_t ret;
	char *kbuf;

	if (!pi->ent->store)
		return -EINVAL;
	n = MIN(n, (size_t)PROC_WRITE_MAX);
	kbuf = kmalloc(n + 1, GFP_KERNEL);
	if (!kbuf)
		return -ENOMEM;
	memcpy(kbuf, buf, n);
	kbuf[n] = '\0';
	ret = pi->ent->store(pi, kbuf, n);
	kfree(kbuf);
	if (ret > 0)
		*pos += ret;
	return ret;
}

/* seq_lseek's rules: SEEK_SET and SEEK_CUR to a non-negative offset. */
static loff_t proc_file_llseek(struct file *f, loff_t off, int whence)
{
	if (whence == SEEK_CUR) {
		if (__builtin_add_overflow(off, f->f_pos, &off))
			return -EOVERFLOW;
	} else if (whence != SEEK_SET) {
		return -EINVAL;
	}
	if (off < 0)
		return -EINVAL;
	f->f_pos = off;
	return off;
}

static int proc_file_release(struct inode *inode, struct file *f)
{
	struct proc_file *pf = f->private_data;

	if (pf) {
		kfree(pf->buf);
		kfree(pf);
	}
	return 0;
}

static const struct file_operations proc_file_fops = {
	.open = proc_file_open,
	.read = proc_file_read,
	.read_kernel = proc_file_read_kernel,
	.write = proc_file_write,
	.write_kernel = proc_file_write_kernel,
	.llseek = proc_file_llseek,
	.release = proc_file_release,
};

/* ---- directories ---------------------------------------------------------- */

unsigned int proc_dtype(umode_t mode)
{
	return (mode & S_IFMT) >> 12;
}

/* The static child @name of @ent, or NULL. */
static const struct proc_entry *proc_find_child(const struct proc_entry *ent,
						const char *name)
{
	const struct proc_entry *c;

	for (c = ent->children; c && c->name; c++)
		if (!strcmp(c->name, name))
			return c;
	return NULL;
}

static int proc_lookup(struct inode *dir, struct dentry *d)
{
	struct proc_inode *pi = PROC_I(dir);
	const struct proc_entry *c = proc_find_child(pi->ent, d->d_name);

	if (c)
		return proc_instantiate(d, c, pi->pid, pi->tid, -1, dir->i_uid,
					dir->i_gid);
	if (pi->ent->dir)
		return pi->ent->dir->lookup(dir, d);
	return -ENOENT;
}

/*
 * Directory positions: 0 ".", 1 "..", 2 + i the i-th static child,
 * PROC_DYN_POS and up the dynamic names. Return: false when the caller's
 * buffer is full.
 */
bool proc_emit_static(struct file *f, struct dir_context *ctx)
{
	struct dentry *dir = f->f_path.dentry;
	struct proc_inode *pi = PROC_I(file_inode(f));
	const struct proc_entry *c;
	loff_t i;

	if (ctx->pos == 0) {
		if (!ctx->actor(ctx, ".", 1, 1, dir->d_inode->i_ino, DT_DIR))
			return false;
		ctx->pos = 1;
	}
	if (ctx->pos == 1) {
		struct inode *up = dir->d_parent->d_inode;

		if (!ctx->actor(ctx, "..", 2, 2, up ? up->i_ino : 1, DT_DIR))
			return false;
		ctx->pos = 2;
	}
	for (i = 0, c = pi->ent->children; c && c->name; c++, i++) {
		if (ctx->pos > 2 + i)
			continue;
		/* Static children have no inode until looked up: ino 0 is
		 * not allowed by readdir users, so use a stable fake. */
		if (!ctx->actor(ctx, c->name, (int)strlen(c->name), 3 + i,
				0x1000 + (u64)i, proc_dtype(c->mode)))
			return false;
		ctx->pos = 3 + i;
	}
	if (ctx->pos < PROC_DYN_POS)
		ctx->pos = PROC_DYN_POS;
	return true;
}

static int proc_iterate(struct file *f, struct dir_context *ctx)
{
	struct proc_inode *pi = PROC_I(file_inode(f));

	if (!proc_emit_static(f, ctx))
		return 0;
	if (pi->ent->dir)
		return pi->ent->dir->iterate(f, ctx);
	return 0;
}

static loff_t proc_dir_llseek(struct file *f, loff_t off, int whence)
{
	if (whence == SEEK_CUR)
		off += f->f_pos;
	else if (whence != SEEK_SET)
		return -EINVAL;
	if (off < 0)
		return -EINVAL;
	f->f_pos = off;
	return off;
}

/* O_TRUNC opens ("echo x > /proc/...") succeed: the size stays 0. */
static int proc_setsize(struct inode *inode, loff_t size)
{
	return 0;
}

static const struct inode_operations proc_file_iops = {
	.setsize = proc_setsize,
};

const struct inode_operations proc_dir_iops = {
	.lookup = proc_lookup,
};

const struct file_operations proc_dir_fops = {
	.iterate = proc_iterate,
	.llseek = proc_dir_llseek,
};

/* ---- inodes and dentries ---------------------------------------------------- */

void proc_d_volatile(struct dentry *d)
{
	spin_lock(&dcache_lock);
	if (!hlist_unhashed(&d->d_hash))
		hlist_del_init(&d->d_hash);
	spin_unlock(&dcache_lock);
}

int proc_instantiate(struct dentry *d, const struct proc_entry *ent,
		     pid_t pid, pid_t tid, int fd, uid_t uid, gid_t gid)
{
	struct inode *inode = new_inode(d->d_sb, ent->mode);
	struct proc_inode *pi = kzalloc(sizeof(*pi), GFP_KERNEL);

	if (!inode || !pi) {
		kfree(pi);
		iput(inode);
		return -ENOMEM;
	}
	pi->ent = ent;
	pi->pid = pid;
	pi->tid = tid;
	pi->fd = fd;
	inode->i_private = pi;
	inode->i_uid = uid;
	inode->i_gid = gid;
	if (S_ISDIR(ent->mode)) {
		inode->i_op = &proc_dir_iops;
		inode->i_fop = &proc_dir_fops;
		inode->i_nlink = 2;
	} else if (S_ISLNK(ent->mode)) {
		char *buf = kmalloc(PATH_MAX, GFP_KERNEL);
		int len = buf ? ent->link(pi, buf, PATH_MAX) : -ENOMEM;

		if (len < 0) {
			kfree(buf);
			iput(inode);
			return len;
		}
		inode->i_link = buf;
		inode->i_size = len;
		inode->i_op = ent->iops;
	} else {
		inode->i_op = &proc_file_iops;
		inode->i_fop = ent->fops ? ent->fops : &proc_file_fops;
	}
	d_instantiate(d, inode);
	if (pid || (ent->flags & PROC_VOLATILE))
		proc_d_volatile(d);
	return 0;
}

static void proc_evict_inode(struct inode *inode)
{
	kfree(inode->i_private);
	inode->i_private = NULL;
}

static int proc_statfs(struct super_block *sb, struct statfs *st)
{
	st->f_type = (long)sb->s_magic;
	st->f_bsize = PAGE_SIZE;
	st->f_namelen = NAME_MAX;
	st->f_frsize = PAGE_SIZE;
	return 0;
}

const struct super_operations proc_sops = {
	.evict_inode = proc_evict_inode,
	.statfs = proc_statfs,
};

/* ---- path names ----------------------------------------------------------- */

/*
 * Build @p's name backwards from the end of @buf, stopping at @root or at
 * the top of the mount tree. Return: the start, or NULL (too long).
 */
static char *proc_build_name(const struct path *root, const struct path *p,
			     char *buf, size_t size)
{
	struct mount *m = p->mnt;
	struct dentry *d = p->dentry;
	char *s = buf + size;

	*--s = '\0';
	while (!(m == root->mnt && d == root->dentry)) {
		if (d == m->mnt_root) {
			if (m->mnt_parent == m)
				break;
			d = m->mnt_mountpoint;
			m = m->mnt_parent;
			continue;
		}
		if ((size_t)(s - buf) < d->d_namelen + 2)
			return NULL;
		s -= d->d_namelen;
		memcpy(s, d->d_name, d->d_namelen);
		*--s = '/';
		d = d->d_parent;
	}
	if (!*s) {
		if (s == buf)
			return NULL;
		*--s = '/';
	}
	return s;
}

int proc_path_name_at(const struct path *root, const struct path *p,
		      char *buf, size_t size)
{
	size_t len;
	char *s;

	if (size < 2)
		return -ENAMETOOLONG;
	s = proc_build_name(root, p, buf, size);
	if (!s)
		return -ENAMETOOLONG;
	len = strlen(s);
	memmove(buf, s, len + 1);
	if ((p->dentry->d_flags & DCACHE_DISCONNECTED) && len + 11 <= size) {
		memcpy(buf + len, " (deleted)", 11);
		len += 10;
	}
	return (int)len;
}

int proc_path_name(const struct path *p, char *buf, size_t size)
{
	struct path root;
	int len;

	current_root(&root);
	len = proc_path_name_at(&root, p, buf, size);
	path_put(&root);
	return len;
}
