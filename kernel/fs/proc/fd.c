/*
 * /proc/<pid>/fd/, fdinfo/ and the exe, cwd and root links.
 *
 * fd/<n> is a symlink whose target is the open file's path, or Linux's
 * names for files without one: "pipe:[ino]", "socket:[ino]",
 * "anon_inode:[...]". Link targets are computed in ->lookup, under
 * vfs_ns_lock; the fd table and fs context are read with their spinlocks
 * nested inside tasklist_lock, so no reference is taken that could turn
 * out to be the last one (closing files under vfs_ns_lock is not allowed).
 * Lock order used here: vfs_ns_lock -> tasklist_lock -> files->lock or
 * fs_ctx->lock.
 *
 * fd/<n>, cwd and root are also "magic links" (->get_path): a path walk
 * through them lands on the open file or directory itself, not on the
 * text, so open() reopens deleted and O_TMPFILE files and pipes, like
 * Linux. exe keeps following its text (exec records only the name).
 */
#include <keel/bitops.h>
#include <keel/kstrtox.h>
#include <keel/sprintf.h>

#include "internal.h"

#define ANON_INODE_FS_MAGIC 0x09041934
#define FD_BATCH 64

/* @f's name as fd/<n> shows it. [n] held (no sleeping: spinlocks may be). */
static int fd_name(const struct path *root, struct file *f, char *buf,
		   size_t size)
{
	struct inode *inode = file_inode(f);

	if (f->f_path.mnt && f->f_path.mnt->mnt_sb->s_magic ==
	    ANON_INODE_FS_MAGIC) {
		if (S_ISFIFO(inode->i_mode))
			return scnprintf(buf, size, "pipe:[%llu]",
					 inode->i_ino);
		if (S_ISSOCK(inode->i_mode))
			return scnprintf(buf, size, "socket:[%llu]",
					 inode->i_ino);
		return scnprintf(buf, size, "anon_inode:[anon]");
	}
	return proc_path_name_at(root, &f->f_path, buf, size);
}

/* The files of @pid's task @tid, locked, or NULL. Unlocks [T] on NULL. */
static struct files *lock_files(pid_t pid, pid_t tid)
{
	struct process *p;
	struct task *t;

	spin_lock(&tasklist_lock);
	p = process_by_pid(pid);
	t = p ? proc_task_locked(p, tid) : NULL;
	if (!t || !t->files) {
		spin_unlock(&tasklist_lock);
		return NULL;
	}
	spin_lock(&t->files->lock);
	return t->files;
}

static void unlock_files(struct files *files)
{
	spin_unlock(&files->lock);
	spin_unlock(&tasklist_lock);
}

static int fd_link(struct proc_inode *pi, char *buf, size_t size)
{
	struct files *files;
	struct path root;
	int len = -ENOENT;

	current_root(&root);
	files = lock_files(pi->pid, pi->tid);
	if (files) {
		if ((unsigned int)pi->fd < files->max_fds &&
		    files->fd[pi->fd])
			len = fd_name(&root, files->fd[pi->fd], buf, size);
		unlock_files(files);
	}
	path_put(&root);
	return len;
}

/* May the caller follow @pid's magic links (Linux: ptrace read access)? */
static int may_follow(pid_t pid)
{
	struct process *p = proc_get_process(pid);
	bool ok;

	if (!p)
		return -ENOENT;
	ok = proc_may_access(p);
	process_put(p);
	return ok ? 0 : -EACCES;
}

/*
 * Following fd/<n> lands on the open file itself: its own dentry (even
 * deleted or O_TMPFILE), or for a pipe or socket a fresh dentry on its
 * inode, so open() reopens it. Other anonymous files keep their text.
 * Only path references are taken under the fd table lock: they are never
 * the last reference to a file.
 */
static int fd_get_path(struct inode *inode, struct path *out)
{
	struct proc_inode *pi = PROC_I(inode);
	struct inode *anon = NULL;
	struct files *files;
	struct file *f;
	int err = may_follow(pi->pid);

	if (err)
		return err;
	files = lock_files(pi->pid, pi->tid);
	if (!files)
		return -ENOENT;
	err = -ENOENT;
	f = (unsigned int)pi->fd < files->max_fds ? files->fd[pi->fd] : NULL;
	if (f && f->f_path.mnt && f->f_path.mnt->mnt_sb->s_magic ==
	    ANON_INODE_FS_MAGIC) {
		umode_t mode = file_inode(f)->i_mode;

		err = 1;
		if (S_ISFIFO(mode) || S_ISSOCK(mode))
			anon = iget(file_inode(f));
	} else if (f) {
		*out = f->f_path;
		path_get(out);
		err = 0;
	}
	unlock_files(files);
	if (anon)
		err = anon_inode_path(anon, out);
	return err;
}

static const struct inode_operations fd_link_iops = {
	.get_path = fd_get_path,
};

/* Linux shows an fd's open mode in its link's permission bits. */
static const struct proc_entry fd_link_entries[] = {
	{ .name = "fd", .mode = S_IFLNK | 0500, .link = fd_link,
	  .iops = &fd_link_iops },
	{ .name = "fd", .mode = S_IFLNK | 0300, .link = fd_link,
	  .iops = &fd_link_iops },
	{ .name = "fd", .mode = S_IFLNK | 0700, .link = fd_link,
	  .iops = &fd_link_iops },
};

/* The open mode of fd @fd (FMODE_READ/WRITE bits), or -1: not open. */
static int fd_mode(pid_t pid, pid_t tid, int fd)
{
	struct files *files = lock_files(pid, tid);
	int mode = -1;

	if (!files)
		return -1;
	if ((unsigned int)fd < files->max_fds && files->fd[fd])
		mode = (int)(files->fd[fd]->f_mode & (FMODE_READ | FMODE_WRITE));
	unlock_files(files);
	return mode;
}

static int name_to_fd(const char *name)
{
	unsigned int fd;

	if (name[0] < '0' || name[0] > '9' || (name[0] == '0' && name[1]) ||
	    kstrtouint(name, 10, &fd) || fd > 0x7fffffff)
		return -1;
	return (int)fd;
}

static int fd_dir_lookup(struct inode *dir, struct dentry *d)
{
	struct proc_inode *pi = PROC_I(dir);
	int fd = name_to_fd(d->d_name);
	int mode = fd < 0 ? -1 : fd_mode(pi->pid, pi->tid, fd);
	const struct proc_entry *e;

	if (mode < 0)
		return -ENOENT;
	if (mode == FMODE_READ)
		e = &fd_link_entries[0];
	else if (mode == FMODE_WRITE)
		e = &fd_link_entries[1];
	else
		e = &fd_link_entries[2];
	return proc_instantiate(d, e, pi->pid, pi->tid, fd, dir->i_uid,
				dir->i_gid);
}

/* Up to FD_BATCH open fds from @from on. Return: how many. */
static unsigned int collect_fds(struct proc_inode *pi, int from, int *out)
{
	struct files *files = lock_files(pi->pid, pi->tid);
	unsigned int n = 0, fd;

	if (!files)
		return 0;
	for (fd = (unsigned int)from; fd < files->max_fds && n < FD_BATCH;
	     fd++)
		if (files->fd[fd])
			out[n++] = (int)fd;
	unlock_files(files);
	return n;
}

static int fd_iterate_common(struct file *f, struct dir_context *ctx,
			     unsigned int dtype)
{
	struct proc_inode *pi = PROC_I(file_inode(f));
	int fds[FD_BATCH];
	char name[16];
	unsigned int n, i;

	for (;;) {
		n = collect_fds(pi, (int)(ctx->pos - PROC_DYN_POS), fds);
		if (!n)
			return 0;
		for (i = 0; i < n; i++) {
			int len = scnprintf(name, sizeof(name), "%d", fds[i]);

			if (!ctx->actor(ctx, name, len,
					PROC_DYN_POS + fds[i] + 1,
					0x400000 + (u64)fds[i], dtype))
				return 0;
			ctx->pos = PROC_DYN_POS + fds[i] + 1;
		}
	}
}

static int fd_dir_iterate(struct file *f, struct dir_context *ctx)
{
	return fd_iterate_common(f, ctx, DT_LNK);
}

const struct proc_dir_ops proc_fd_dir_ops = {
	.lookup = fd_dir_lookup,
	.iterate = fd_dir_iterate,
};

/* ---- fdinfo ---------------------------------------------------------------- */

static int fdinfo_show(struct proc_buf *b, struct proc_inode *pi)
{
	struct files *files = lock_files(pi->pid, pi->tid);
	struct file *f = NULL;
	bool cloexec = false;
	unsigned int flags;
	int mnt_id;

	if (!files)
		return -ESRCH;
	if ((unsigned int)pi->fd < files->max_fds && files->fd[pi->fd]) {
		f = get_file(files->fd[pi->fd]);
		cloexec = test_bit((unsigned long)pi->fd, files->cloexec);
	}
	unlock_files(files);
	if (!f)
		return -ENOENT;
	flags = READ_ONCE(f->f_flags) | (cloexec ? O_CLOEXEC : 0);
	/* Linux's open() adds O_LARGEFILE on 64-bit; pipe() does not. */
	if (!f->f_path.mnt ||
	    f->f_path.mnt->mnt_sb->s_magic != ANON_INODE_FS_MAGIC)
		flags |= O_LARGEFILE;
	/* The mount's id, as /proc/<pid>/mountinfo shows it. */
	mnt_id = f->f_path.mnt ? f->f_path.mnt->mnt_id : 0;
	proc_printf(b, "pos:\t%lld\nflags:\t0%o\nmnt_id:\t%d\nino:\t%llu\n",
		    (long long)READ_ONCE(f->f_pos), flags, mnt_id,
		    file_inode(f)->i_ino);
	fput(f);
	return 0;
}

static const struct proc_entry fdinfo_entry = {
	.name = "fdinfo", .mode = S_IFREG | 0400, .show = fdinfo_show,
};

static int fdinfo_dir_lookup(struct inode *dir, struct dentry *d)
{
	struct proc_inode *pi = PROC_I(dir);
	int fd = name_to_fd(d->d_name);

	if (fd < 0 || fd_mode(pi->pid, pi->tid, fd) < 0)
		return -ENOENT;
	return proc_instantiate(d, &fdinfo_entry, pi->pid, pi->tid, fd,
				dir->i_uid, dir->i_gid);
}

static int fdinfo_dir_iterate(struct file *f, struct dir_context *ctx)
{
	return fd_iterate_common(f, ctx, DT_REG);
}

const struct proc_dir_ops proc_fdinfo_dir_ops = {
	.lookup = fdinfo_dir_lookup,
	.iterate = fdinfo_dir_iterate,
};

/* ---- exe, cwd, root ---------------------------------------------------------- */

/**
 * proc_exe_link - the executable's path as exec recorded it.
 * Context: [n] held. Return: length, -ENOENT (none, or a zombie).
 */
int proc_exe_link(struct proc_inode *pi, char *buf, size_t size)
{
	struct process *p = proc_get_process(pi->pid);
	int len = -ENOENT;

	if (!p)
		return -ENOENT;
	if (!proc_may_access(p)) {
		process_put(p);
		return -EACCES;
	}
	spin_lock(&p->lock);
	if (p->exe_path && p->state == PROCESS_ALIVE)
		len = (int)strlcpy(buf, p->exe_path, size);
	spin_unlock(&p->lock);
	process_put(p);
	if (len >= (int)size)
		return -ENAMETOOLONG;
	return len;
}

/* The task's cwd or root, named from the caller's root. [n] held. */
static int fs_link(struct proc_inode *pi, char *buf, size_t size, bool root)
{
	struct process *p;
	struct task *t;
	struct path croot, where = { 0 };
	int len = -ENOENT;

	p = proc_get_process(pi->pid);
	if (!p)
		return -ENOENT;
	if (!proc_may_access(p)) {
		process_put(p);
		return -EACCES;
	}
	process_put(p);
	current_root(&croot);
	spin_lock(&tasklist_lock);
	p = process_by_pid(pi->pid);
	t = p ? proc_task_locked(p, pi->tid) : NULL;
	if (t && t->fs) {
		spin_lock(&t->fs->lock);
		where = root ? t->fs->root : t->fs->pwd;
		if (where.dentry)
			len = proc_path_name_at(&croot, &where, buf, size);
		spin_unlock(&t->fs->lock);
	}
	spin_unlock(&tasklist_lock);
	path_put(&croot);
	return len;
}

/* Following cwd or root lands on the task's very directory. [n] held. */
static int fs_get_path(struct inode *inode, struct path *out, bool root)
{
	struct proc_inode *pi = PROC_I(inode);
	struct process *p;
	struct task *t;
	int err = may_follow(pi->pid);

	if (err)
		return err;
	err = -ENOENT;
	spin_lock(&tasklist_lock);
	p = process_by_pid(pi->pid);
	t = p ? proc_task_locked(p, pi->tid) : NULL;
	if (t && t->fs) {
		spin_lock(&t->fs->lock);
		*out = root ? t->fs->root : t->fs->pwd;
		if (out->dentry) {
			path_get(out);
			err = 0;
		}
		spin_unlock(&t->fs->lock);
	}
	spin_unlock(&tasklist_lock);
	return err;
}

static int cwd_get_path(struct inode *inode, struct path *out)
{
	return fs_get_path(inode, out, false);
}

static int root_get_path(struct inode *inode, struct path *out)
{
	return fs_get_path(inode, out, true);
}

const struct inode_operations proc_cwd_link_iops = {
	.get_path = cwd_get_path,
};

const struct inode_operations proc_root_link_iops = {
	.get_path = root_get_path,
};

int proc_cwd_link(struct proc_inode *pi, char *buf, size_t size)
{
	return fs_link(pi, buf, size, false);
}

int proc_root_link(struct proc_inode *pi, char *buf, size_t size)
{
	return fs_link(pi, buf, size, true);
}
