/*
 * Open file descriptions: allocation, references, opening a path, and
 * anonymous files (pipes, eventfd, epoll, memfd) on an internal file
 * system that is never mounted in the tree.
 */
#include <keel/locks.h>
#include <keel/poll.h>
#include <keel/slab.h>
#include <keel/sprintf.h>
#include <keel/string.h>
#include <keel/task.h>

#include "internal.h"

static struct super_block *anon_sb;
static struct mount *anon_mnt;

unsigned int open_flags_to_fmode(int flags)
{
	unsigned int fmode = 0;

	if (flags & O_PATH)
		return FMODE_PATH;
	switch (flags & O_ACCMODE) {
	case O_RDONLY:
		fmode = FMODE_READ;
		break;
	case O_WRONLY:
		fmode = FMODE_WRITE;
		break;
	case O_RDWR:
		fmode = FMODE_READ | FMODE_WRITE;
		break;
	}
	return fmode;
}

/**
 * file_alloc - a new file for @inode at @path (references taken here).
 * Context: process context. Return: the file (one reference) or NULL.
 */
struct file *file_alloc(const struct path *path, struct inode *inode,
			const struct file_operations *fops, int flags,
			unsigned int fmode)
{
	struct file *f = kzalloc(sizeof(*f), GFP_KERNEL);

	if (!f)
		return NULL;
	f->f_count = 1;
	f->f_mode = fmode;
	/* Keep the status flags F_GETFL reports; drop creation flags. */
	f->f_flags = (unsigned int)flags &
		     ~(O_CREAT | O_EXCL | O_TRUNC | O_CLOEXEC);
	mutex_init(&f->f_pos_lock);
	f->f_op = fops;
	f->f_inode = iget(inode);
	/* Writers of a regular file make exec of it fail (ETXTBSY). */
	if ((fmode & FMODE_WRITE) && S_ISREG(inode->i_mode))
		ref_inc(&inode->i_writecount);
	else if ((fmode & FMODE_READ) && S_ISREG(inode->i_mode))
		ref_inc(&inode->i_readcount);   /* for leases (F_SETLEASE) */
	f->f_path = *path;
	path_get(path);
	return f;
}

struct file *get_file(struct file *f)
{
	ref_inc(&f->f_count);
	return f;
}

/**
 * fput - drop a reference; the last one releases the file.
 * Context: process context, may sleep; no VFS lock held.
 */
void fput(struct file *f)
{
	if (!f || !ref_dec_and_test(&f->f_count))
		return;
	/* Out of every epoll set first: they hold a pointer to it. */
	eventpoll_release(f);
	locks_remove_file(f);   /* its flock and OFD locks: <keel/locks.h> */
	if (f->f_op && f->f_op->release)
		f->f_op->release(f->f_inode, f);
	if ((f->f_mode & FMODE_WRITE) && S_ISREG(f->f_inode->i_mode))
		ref_dec_and_test(&f->f_inode->i_writecount);
	else if ((f->f_mode & FMODE_READ) && S_ISREG(f->f_inode->i_mode))
		ref_dec_and_test(&f->f_inode->i_readcount);
	iput(f->f_inode);
	path_put(&f->f_path);
	kfree(f);
}

loff_t no_llseek(struct file *f, loff_t off, int whence)
{
	return -ESPIPE;
}

/**
 * generic_file_llseek - SEEK_SET/CUR/END/DATA/HOLE on a file whose size
 * is i_size (every byte up to it counts as data). Context: f_pos_lock.
 */
loff_t generic_file_llseek(struct file *f, loff_t off, int whence)
{
	loff_t size = file_inode(f)->i_size, np;

	switch (whence) {
	case SEEK_SET:
		np = off;
		break;
	case SEEK_CUR:
		if (__builtin_add_overflow(f->f_pos, off, &np))
			return -EOVERFLOW;
		break;
	case SEEK_END:
		if (__builtin_add_overflow(size, off, &np))
			return -EOVERFLOW;
		break;
	case SEEK_DATA:
		if (off < 0 || off >= size)
			return -ENXIO;
		np = off;
		break;
	case SEEK_HOLE:
		if (off < 0 || off >= size)
			return -ENXIO;
		np = size;
		break;
	default:
		return -EINVAL;
	}
	if (np < 0)
		return -EINVAL;
	f->f_pos = np;
	return np;
}

/* ---- anonymous files ----------------------------------------------------- */

static int anon_fill_super(struct super_block *sb, const char *source,
			   void *data, unsigned long flags)
{
	struct inode *root = new_inode(sb, S_IFDIR | 0700);

	if (!root)
		return -ENOMEM;
	sb->s_magic = 0x09041934;       /* ANON_INODE_FS_MAGIC */
	sb->s_root = d_make_root(root);
	return sb->s_root ? 0 : -ENOMEM;
}

static struct file_system_type anon_fs_type = {
	.name = "anon_inodefs",
	.fill_super = anon_fill_super,
};

static int anon_init(void)
{
	struct mount *m;

	if (anon_mnt)
		return 0;
	mutex_lock(&vfs_ns_lock);
	if (!anon_mnt) {
		m = mount_new_sb(&anon_fs_type, "anon_inodefs", NULL, 0);
		if (!IS_ERR(m)) {
			anon_sb = m->mnt_sb;
			anon_mnt = m;
		}
	}
	mutex_unlock(&vfs_ns_lock);
	return anon_mnt ? 0 : -ENOMEM;
}

static struct file *anon_file_on(struct inode *inode,
				 const struct file_operations *fops,
				 void *priv, int flags)
{
	struct path p = { anon_mnt, anon_sb->s_root };
	struct file *f;

	if ((flags & O_ACCMODE) == 3)
		return ERR_PTR(-EINVAL);
	f = file_alloc(&p, inode, fops, flags & (O_ACCMODE | O_NONBLOCK),
		       open_flags_to_fmode(flags & O_ACCMODE));
	if (!f)
		return ERR_PTR(-ENOMEM);
	f->private_data = priv;
	return f;
}

struct file *anon_file_create_mode(const char *name,
				   const struct file_operations *fops,
				   void *priv, int flags, umode_t mode)
{
	struct inode *inode;
	struct file *f;
	int err = anon_init();

	if (err)
		return ERR_PTR(err);
	inode = new_inode(anon_sb, mode);
	if (!inode)
		return ERR_PTR(-ENOMEM);
	f = anon_file_on(inode, fops, priv, flags);
	iput(inode);
	return f;
}

struct file *anon_file_create(const char *name,
			      const struct file_operations *fops, void *priv,
			      int flags)
{
	return anon_file_create_mode(name, fops, priv, flags,
				     S_IRUSR | S_IWUSR);
}

struct file *anon_file_create_shared(struct file *sibling,
				     const struct file_operations *fops,
				     void *priv, int flags)
{
	return anon_file_on(file_inode(sibling), fops, priv, flags);
}

/**
 * anon_inode_path - a path that opens the anonymous inode @inode (the
 * target of a magic link to a pipe): a new unhashed anon_inodefs dentry
 * that holds @inode and goes away with its last reference.
 * Context: [n] held. Return: 0 with @out referenced (the caller's
 * reference on @inode moves into it), or -errno (@inode put).
 */
int anon_inode_path(struct inode *inode, struct path *out)
{
	char name[32];
	struct dentry *d;
	int len;

	if (!anon_mnt || inode->i_sb != anon_sb) {
		iput(inode);
		return -ENOENT;
	}
	len = scnprintf(name, sizeof(name), "anon:[%llu]", inode->i_ino);
	d = d_alloc(anon_sb->s_root, name, (size_t)len);
	if (IS_ERR(d)) {
		iput(inode);
		return (int)PTR_ERR(d);
	}
	d_instantiate(d, inode);
	d_delete(d);            /* never found by name */
	out->mnt = mnt_get(anon_mnt);
	out->dentry = d;
	return 0;
}

/* Weak defaults until the pipe code provides named pipes. */
__weak int fifo_open(struct inode *inode, struct file *file)
{
	return -ENXIO;
}

__weak void fifo_inode_release(struct inode *inode)
{
}

/**
 * vfs_open_path - open the object at @path as @flags (permission checks
 * done by the caller): set up the file and run the type's open.
 * Context: process context, no VFS lock held (a FIFO open may block).
 * Return: the file or ERR_PTR.
 */
struct file *vfs_open_path(const struct path *path, int flags)
{
	struct inode *inode = path->dentry->d_inode;
	unsigned int fmode = open_flags_to_fmode(flags);
	struct file *f;
	int err = 0;

	f = file_alloc(path, inode, inode->i_fop, flags, fmode);
	if (!f)
		return ERR_PTR(-ENOMEM);
	/* O_NOCTTY is for the open (ttys) only, as in Linux. */
	if (fmode & FMODE_PATH) {
		f->f_op = NULL;
		f->f_flags &= ~O_NOCTTY;
		return f;
	}
	if (S_ISREG(inode->i_mode) || S_ISDIR(inode->i_mode))
		f->f_mode |= FMODE_LSEEK | FMODE_ATOMIC_POS;
	if (S_ISCHR(inode->i_mode))
		err = (path->mnt->mnt_flags & MNT_NODEV) ? -EACCES :
			chrdev_open(inode, f);
	else if (S_ISBLK(inode->i_mode))
		err = (path->mnt->mnt_flags & MNT_NODEV) ? -EACCES : -ENXIO;
	else if (S_ISFIFO(inode->i_mode))
		err = fifo_open(inode, f);
	else if (S_ISSOCK(inode->i_mode))
		err = -ENXIO;
	else if (f->f_op && f->f_op->open)
		err = f->f_op->open(inode, f);
	if (err) {
		f->f_op = NULL;         /* nothing to release */
		fput(f);
		return ERR_PTR(err);
	}
	f->f_flags &= ~O_NOCTTY;
	return f;
}
