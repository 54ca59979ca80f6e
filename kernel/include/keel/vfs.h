/*
 * The virtual file system: files, inodes, dentries, mounts, fd tables.
 *
 * Objects and who owns them:
 *
 *	struct file        an open file description (what open() returns and
 *	                   dup()/fork() share): f_op, status flags, position
 *	struct inode       a file system object: mode, owner, size, times
 *	struct dentry      a name in a directory, pointing at an inode or at
 *	                   nothing (a negative entry: "this name does not exist")
 *	struct super_block one mounted instance of a file system
 *	struct mount       where a super block (or a bind of part of one) is
 *	                   attached in the tree
 *	struct path        a (mount, dentry) pair: a place in the tree
 *	struct files       a task's fd table (CLONE_FILES shares it)
 *	struct fs_ctx      a task's root, cwd and umask (CLONE_FS shares it)
 *
 * Everything is reference counted; the get/put pairs (fget/fput,
 * dget/dput, iget/iput, mnt_get/mnt_put, path_get/path_put) hold and drop
 * one reference. Functions returning a pointer return it with a reference
 * the caller must drop, or an ERR_PTR.
 *
 * Drivers and pseudo file systems (pipes, eventfd, epoll, proc, sysfs)
 * build on: file_operations (read/write take user buffers; the *_kernel
 * variants, optional, serve kernel_read/kernel_write), anon_file_create*
 * for files without a name, register_filesystem() for mountable types,
 * and the poll contract below.
 *
 * Locking legend (docs/locking.md has the order):
 *	[n]	vfs_ns_lock: the namespace mutex (dentry tree, directory
 *		contents, mounts, link counts, mode/owner changes)
 *	[i]	inode->i_mutex (file contents and size, times)
 *	[p]	file->f_pos_lock (the file position)
 *	[fd]	files->lock (spinlock: the fd array)
 *	[fs]	fs_ctx->lock (spinlock: root, cwd, umask)
 *	[a]	atomic
 *	[I]	set at creation, read-only after
 * Order: f_pos_lock -> vfs_ns_lock -> i_mutex (one inode at a time) ->
 * files->lock / fs_ctx->lock (spinlocks). read/write hold f_pos_lock
 * across the f_op call, which takes i_mutex itself.
 */
#ifndef KEEL_VFS_H
#define KEEL_VFS_H

#include <keel/compiler.h>
#include <keel/list.h>
#include <keel/mutex.h>
#include <keel/spinlock.h>
#include <keel/types.h>
#include <uapi/fcntl.h>
#include <uapi/poll.h>
#include <uapi/stat.h>

struct cred;
struct page;
struct vm_area;
struct wait_queue_head;
struct file;
struct inode;
struct dentry;
struct super_block;
struct mount;
struct path;
struct poll_table;

/* vfs-api: v1 */

typedef unsigned int __poll_t;
typedef unsigned int umode_t;

#define PATH_MAX  4096         /* bytes, including the NUL */
#define NAME_MAX  255          /* bytes in one component */
#define MAXSYMLINKS 40         /* symlinks followed in one lookup */

/* ERESTARTSYS and the other restart codes: <keel/errno.h>. */
#include <keel/errno.h>

/* Device numbers, Linux's encoding (new_encode_dev for stat). */
#define MINORBITS 20
#define MKDEV(ma, mi) (((dev_t)(ma) << MINORBITS) | (dev_t)(mi))
#define MAJOR(d)      ((unsigned int)((d) >> MINORBITS))
#define MINOR(d)      ((unsigned int)((d) & ((1U << MINORBITS) - 1)))
/* The user-visible (stat, mknod) 32-bit encoding. */
static inline u32 dev_encode(dev_t d)
{
	unsigned int ma = MAJOR(d), mi = MINOR(d);

	return (mi & 0xff) | (ma << 8) | ((mi & ~0xffu) << 12);
}
static inline dev_t dev_decode(u32 u)
{
	return MKDEV((u & 0xfff00) >> 8, (u & 0xff) | ((u >> 12) & 0xfff00));
}

/* ---- the poll contract ---------------------------------------------------- */

/*
 * A poll table is the poller's (poll/select/epoll) callback: a file's
 * ->poll calls poll_wait() for each wait queue on which a change of its
 * readiness will be signalled, then returns its current EPOLL* mask.
 * @pt may be NULL (just asking) and then nothing is queued.
 */
typedef void (*poll_queue_proc)(struct file *file, struct wait_queue_head *wq,
				struct poll_table *pt);

struct poll_table {
	poll_queue_proc qproc;
	__poll_t key;           /* events the poller is interested in */
};

static inline void poll_wait(struct file *file, struct wait_queue_head *wq,
			     struct poll_table *pt)
{
	if (pt && pt->qproc && wq)
		pt->qproc(file, wq, pt);
}

/* ---- times ---------------------------------------------------------------- */

struct inode_time {
	s64 sec;
	u32 nsec;
};

/* The realtime clock now, as an inode time. */
struct inode_time inode_time_now(void);

/* ---- operations --------------------------------------------------------- */

/*
 * A directory iteration's callback (getdents64 fills user records through
 * it). @pos is the position to resume after this entry. Return: true to
 * continue, false when the caller's buffer is full (the entry is not
 * consumed).
 */
struct dir_context;
typedef bool (*filldir_t)(struct dir_context *ctx, const char *name,
			  int namelen, loff_t pos, u64 ino, unsigned int dtype);
struct dir_context {
	filldir_t actor;
	loff_t pos;             /* the position to start at, updated */
};

/*
 * File operations. All optional; a missing read/write gives -EINVAL,
 * a missing llseek -ESPIPE, ioctl -ENOTTY, poll "always ready"
 * (EPOLLIN|EPOLLOUT|EPOLLRDNORM|EPOLLWRNORM), mmap -ENODEV.
 * Context: process context, may sleep; no VFS lock held except [p]
 * (f_pos_lock) across read/write/llseek/iterate of files that have a
 * position.
 */
struct file_operations {
	/* Called by open after the file is set up; may fail the open. */
	int (*open)(struct inode *inode, struct file *file);
	ssize_t (*read)(struct file *file, char __user *buf, size_t n,
			loff_t *pos);
	ssize_t (*write)(struct file *file, const char __user *buf, size_t n,
			 loff_t *pos);
	/* Kernel-buffer variants for kernel_read/kernel_write (exec). */
	ssize_t (*read_kernel)(struct file *file, void *buf, size_t n,
			       loff_t *pos);
	ssize_t (*write_kernel)(struct file *file, const void *buf, size_t n,
				loff_t *pos);
	loff_t (*llseek)(struct file *file, loff_t off, int whence);
	long (*ioctl)(struct file *file, unsigned int cmd, unsigned long arg);
	__poll_t (*poll)(struct file *file, struct poll_table *pt);
	/* Set up @vma to map this file (the mm engineer's contract). */
	int (*mmap)(struct file *file, struct vm_area *vma);
	/*
	 * The page holding byte @index * PAGE_SIZE of the file, with a
	 * reference for the caller (file-backed and shared mappings).
	 * Return: 0 or -errno (-ENOMEM, -EFBIG).
	 */
	int (*get_page)(struct file *file, u64 index, struct page **pagep);
	int (*iterate)(struct file *file, struct dir_context *ctx);
	int (*fsync)(struct file *file, bool datasync);
	int (*fallocate)(struct file *file, int mode, loff_t off, loff_t len);
	/* The last reference to the file is gone. */
	int (*release)(struct inode *inode, struct file *file);
};

/*
 * Inode operations (directories, symlinks, attribute changes). The VFS
 * has done the permission checks and holds [n] (vfs_ns_lock) around
 * each, except getlink/setsize as noted.
 */
struct inode_operations {
	/*
	 * Look @dentry's name up in @dir and instantiate it (d_instantiate)
	 * or leave it negative. A dcache-only file system (tmpfs) leaves it
	 * NULL: a name not in the dcache does not exist.
	 */
	int (*lookup)(struct inode *dir, struct dentry *dentry);
	/* Make a new object for negative @dentry; mode includes the type. */
	int (*create)(struct inode *dir, struct dentry *dentry, umode_t mode,
		      dev_t rdev);
	int (*mkdir)(struct inode *dir, struct dentry *dentry, umode_t mode);
	int (*symlink)(struct inode *dir, struct dentry *dentry,
		       const char *target);
	int (*link)(struct dentry *old, struct inode *dir,
		    struct dentry *dentry);
	int (*unlink)(struct inode *dir, struct dentry *dentry);
	int (*rmdir)(struct inode *dir, struct dentry *dentry);
	/* Only the file system's side; the VFS moves the dentries. */
	int (*rename)(struct inode *odir, struct dentry *old,
		      struct inode *ndir, struct dentry *new,
		      unsigned int flags);
	/* The target of a symlink into @buf (NUL-terminated). Return: len. */
	int (*getlink)(struct inode *inode, char *buf, size_t size);
	/* Change the size (truncate/extend). Called with [i] held. */
	int (*setsize)(struct inode *inode, loff_t size);
	/*
	 * Optional, symlinks only: a "magic link" (procfs fd/N, cwd, root)
	 * whose following lands on an object, not on its text. [n] held,
	 * may be called with no other lock. Return: 0 with @out
	 * referenced, 1 to follow the text instead, or -errno.
	 */
	int (*get_path)(struct inode *inode, struct path *out);
};

struct super_operations {
	/* Free the file system's part of @inode (last reference gone). */
	void (*evict_inode)(struct inode *inode);
	/* statfs numbers: fill the struct statfs fields it knows. */
	int (*statfs)(struct super_block *sb, struct statfs *st);
	void (*put_super)(struct super_block *sb);
};

/* ---- inodes ------------------------------------------------------------- */

struct inode {
	u64 i_ino;                      /* [I] */
	umode_t i_mode;                 /* [n] type [I], permission bits [n] */
	uid_t i_uid;                    /* [n] */
	gid_t i_gid;                    /* [n] */
	unsigned int i_nlink;           /* [n] */
	loff_t i_size;                  /* [i] (read without: a snapshot) */
	u64 i_blocks;                   /* [i] 512-byte units allocated */
	struct inode_time i_atime, i_mtime, i_ctime;  /* [i] */
	struct inode_time i_btime;      /* [I] birth */
	dev_t i_rdev;                   /* [I] device nodes */
	unsigned int i_generation;      /* [I] */

	int i_count;                    /* [a] references */
	int i_writecount;               /* [a] open files with FMODE_WRITE */
	int i_readcount;                /* [a] open read-only (leases) */
	struct mutex i_mutex;
	struct super_block *i_sb;       /* [I] */
	const struct inode_operations *i_op;  /* [I] */
	const struct file_operations *i_fop;  /* [I] for open */
	void *i_private;                /* the file system's */
	char *i_link;                   /* [I] symlink target (kmalloc'd) */
	void *i_pipe;                   /* FIFO state: the pipe engineer's */
	unsigned int i_flags;           /* [n] S_* below */
	struct file_lock_ctx *i_flctx;  /* advisory locks: <keel/locks.h> */
};

#define S_NOATIME_I   0x1u              /* do not update atime */

/* ---- dentries ----------------------------------------------------------- */

struct dentry {
	int d_count;                    /* [a] references */
	unsigned int d_flags;           /* [n] DCACHE_* */
	struct dentry *d_parent;        /* [n] itself for a root */
	struct inode *d_inode;          /* [n] NULL: negative */
	struct super_block *d_sb;       /* [I] */
	struct list_head d_child;       /* [n] in d_parent->d_subdirs */
	struct list_head d_subdirs;     /* [n] children */
	struct hlist_node d_hash;       /* [n] in the dcache hash */
	unsigned int d_mounted;         /* [n] mounts on this dentry */
	u64 d_pos;                      /* [n] position in its directory
					   (increasing along d_subdirs) */
	unsigned int d_namelen;         /* [n] */
	char *d_name;                   /* [n] NUL-terminated */
	char d_iname[32];               /* inline storage for short names */
};

#define DCACHE_DISCONNECTED 0x1u        /* unlinked / removed */
#define DCACHE_PINNED       0x2u        /* dcache-only fs: holds its inode */

/* ---- file systems, super blocks, mounts ------------------------------- */

struct file_system_type {
	const char *name;
	unsigned int fs_flags;          /* FS_* */
	/*
	 * Set up @sb (s_root, s_op, s_magic) for a new mount of @source with
	 * @data (the mount(2) string, may be NULL). Return: 0 or -errno.
	 */
	int (*fill_super)(struct super_block *sb, const char *source,
			  void *data, unsigned long flags);
	struct file_system_type *next;  /* registry, [n] */
};

#define FS_REQUIRES_DEV 0x1u
#define FS_SINGLE       0x2u            /* one shared instance (proc, sysfs) */

struct super_block {
	struct file_system_type *s_type;  /* [I] */
	const struct super_operations *s_op;  /* [I] */
	struct dentry *s_root;          /* [I] */
	unsigned long s_magic;          /* [I] statfs f_type */
	dev_t s_dev;                    /* [I] st_dev of its inodes */
	unsigned long s_flags;          /* [n] SB_RDONLY ... */
	int s_count;                    /* [n] mounts using it */
	u64 s_next_ino;                 /* [a] inode numbers */
	void *s_fs_info;                /* the file system's */
	struct list_head s_list;        /* [n] all super blocks */
};

#define SB_RDONLY 0x1ul

struct mount {
	struct mount *mnt_parent;       /* [n] itself for the root mount */
	struct dentry *mnt_mountpoint;  /* [n] in the parent */
	struct dentry *mnt_root;        /* [I] the (bind) root */
	struct super_block *mnt_sb;     /* [I] */
	unsigned int mnt_flags;         /* [n] MNT_* */
	int mnt_count;                  /* [a] references */
	struct list_head mnt_list;      /* [n] all mounts */
	struct list_head mnt_children;  /* [n] mounts on top of this one */
	struct list_head mnt_child;     /* [n] in mnt_parent->mnt_children */
	int mnt_id;                     /* [I] unique (mountinfo, statx) */
	char *mnt_devname;              /* [I] mount(2)'s source, kmalloc'd */
	/* Propagation (kernel/fs/mount_propagate.c): */
	int mnt_group_id;               /* [n] peer group (shared:N), 0: none */
	struct list_head mnt_share;     /* [n] ring of its peers */
	struct list_head mnt_slave_list; /* [n] mounts receiving from it */
	struct list_head mnt_slave;     /* [n] in mnt_master->mnt_slave_list */
	struct mount *mnt_master;       /* [n] the mount it receives from */
};

#define MNT_RDONLY   0x1u
#define MNT_NOSUID   0x2u
#define MNT_NODEV    0x4u
#define MNT_NOEXEC   0x8u
#define MNT_DETACHED 0x100u
#define MNT_UNBINDABLE 0x200u           /* MS_UNBINDABLE: no bind of it */
#define MNT_MARKED   0x400u             /* [n] scratch mark of a tree walk */

struct path {
	struct mount *mnt;
	struct dentry *dentry;
};

/* ---- open files ---------------------------------------------------------- */

#define FMODE_READ   0x1u
#define FMODE_WRITE  0x2u
#define FMODE_LSEEK  0x4u               /* has a position (seekable) */
#define FMODE_PATH   0x8u               /* O_PATH: no I/O */
#define FMODE_EXEC   0x10u
#define FMODE_ATOMIC_POS 0x20u          /* regular/dir: f_pos_lock serialises */

struct file {
	int f_count;                    /* [a] references (fds, kernel users) */
	unsigned int f_mode;            /* [I] FMODE_* */
	unsigned int f_flags;           /* [a] O_* status flags (F_SETFL) */
	loff_t f_pos;                   /* [p] */
	struct mutex f_pos_lock;
	const struct file_operations *f_op;  /* [I] */
	struct inode *f_inode;          /* [I] */
	struct path f_path;             /* [I] (anonymous files: the anon fs) */
	void *private_data;             /* the file's owner */
	int f_sig;                      /* [a] F_SETSIG (lease breaks) */
};

static inline struct inode *file_inode(const struct file *f)
{
	return f->f_inode;
}

/* ---- fd tables ----------------------------------------------------------- */

struct files {
	int count;                      /* [a] tasks sharing it */
	struct spinlock lock;
	unsigned int max_fds;           /* [fd] array size */
	struct file **fd;               /* [fd] NULL: free */
	unsigned long *cloexec;         /* [fd] bitmap */
	unsigned long *reserved;        /* [fd] bitmap: allocated, not yet
					   installed (get_unused_fd_flags) */
	unsigned int next_fd;           /* [fd] search hint */
};

struct files *files_create(void);
/* A copy of @f (fork without CLONE_FILES): every open file gains a ref. */
struct files *files_dup(struct files *f);
void files_get(struct files *f);
/* Drop a reference; the last one closes every fd. Context: may sleep. */
void files_put(struct files *f);
/* exec: close the fds marked close-on-exec. */
void files_close_on_exec(struct files *f);

/*
 * fget - the open file @fd of the calling task, with a reference.
 * Return: the file or NULL (bad fd; O_PATH files are returned too: use
 * fget_io for the I/O calls, which excludes them with -EBADF).
 */
struct file *fget(int fd);
struct file *fget_io(int fd);
struct file *get_file(struct file *f);
/* Drop a reference; the last one calls f_op->release. May sleep. */
void fput(struct file *f);

/*
 * get_unused_fd_flags - reserve the lowest free fd of the calling task
 * (O_CLOEXEC in @flags marks it close-on-exec). Return: fd or -EMFILE.
 * fd_install then puts the file there (taking over the caller's
 * reference); put_unused_fd gives an unused reservation back.
 */
int get_unused_fd_flags(int flags);
void fd_install(int fd, struct file *f);
void put_unused_fd(int fd);
/*
 * fd_install_new - both steps: install @f (its reference passes to the
 * table on success; on failure the caller still holds it).
 * Return: the fd or -EMFILE.
 */
int fd_install_new(struct file *f, int o_flags);

/* ---- the fs context (root, cwd, umask) --------------------------------- */

struct fs_ctx {
	int count;                      /* [a] */
	struct spinlock lock;
	struct path root;               /* [fs] */
	struct path pwd;                /* [fs] */
	mode_t umask;                   /* [fs] */
};

/* root = cwd = the root file system's /, umask 022. */
struct fs_ctx *fs_ctx_create(void);
struct fs_ctx *fs_ctx_dup(struct fs_ctx *fs);
void fs_ctx_get(struct fs_ctx *fs);
void fs_ctx_put(struct fs_ctx *fs);

/* ---- anonymous files (pipes, eventfd, epoll, memfd) --------------------- */

/*
 * anon_file_create - an open file with no name, on a fresh inode of the
 * internal anonymous file system (fstat works: mode 0600, no type bits,
 * as Linux's anon inodes). @flags: O_RDONLY/O_WRONLY/O_RDWR, O_NONBLOCK
 * (kept in f_flags). Return: the file (one reference) or ERR_PTR.
 * Context: process context, may sleep.
 */
struct file *anon_file_create(const char *name,
			      const struct file_operations *fops, void *priv,
			      int flags);
/* The same with the inode's @mode chosen (S_IFIFO | 0600 for pipes). */
struct file *anon_file_create_mode(const char *name,
				   const struct file_operations *fops,
				   void *priv, int flags, umode_t mode);
/* Another file on @sibling's inode (the other end of a pipe). */
struct file *anon_file_create_shared(struct file *sibling,
				     const struct file_operations *fops,
				     void *priv, int flags);

/*
 * fifo_open - open a FIFO (named pipe) node: set file->f_op and
 * private_data (inode->i_pipe holds the shared state). Provided by the
 * pipe code; until then a weak default returns -ENXIO.
 * fifo_inode_release frees i_pipe when the inode dies (weak no-op).
 */
int fifo_open(struct inode *inode, struct file *file);
void fifo_inode_release(struct inode *inode);

/* ---- kernel callers ------------------------------------------------------ */

/* Mount tmpfs as / and populate nothing. Boot, process context. */
void vfs_init(void);
/* Is the root file system mounted (vfs_init can fail for lack of memory)? */
bool vfs_root_mounted(void);
/*
 * initramfs_unpack - unpack (one or more concatenated, each plain or
 * gzip-compressed) cpio "newc"
 * archives into the root. A corrupt archive is reported (pr_warn) and
 * what was valid is kept. Return: 0, or -errno of the first failure.
 */
int initramfs_unpack(const void *data, size_t len);

/* Open @path (relative to the caller's cwd) with O_* @flags. ERR_PTR. */
struct file *file_open_kernel(const char *path, int flags, umode_t mode);
/*
 * file_open_exec - open the program @path (a kernel string) relative to
 * @dirfd (AT_FDCWD or an fd) for exec: @at_flags AT_EMPTY_PATH and
 * AT_SYMLINK_NOFOLLOW (then a symlink gives -ELOOP). A regular file with
 * execute permission on a mount without noexec, else -EACCES.
 * Return: the file (read-only) or ERR_PTR.
 */
struct file *file_open_exec(int dirfd, const char *path, int at_flags);
ssize_t kernel_read(struct file *f, void *buf, size_t n, loff_t pos);
ssize_t kernel_write(struct file *f, const void *buf, size_t n, loff_t pos);
/* Mode, owner and whether the mount is nosuid, for set-id exec. */
int file_exec_attrs(struct file *f, mode_t *mode, uid_t *uid, gid_t *gid,
		    bool *nosuid);
/*
 * file_path - the absolute path of @f (as seen from the caller's root)
 * into @buf. Return: the length (without the NUL) or -ENAMETOOLONG.
 */
long file_path(struct file *f, char *buf, size_t size);
/* The same for a path (getcwd). Unreachable from the root: -ENOENT. */
long vfs_path_string(const struct path *p, char *buf, size_t size);

/* ---- for file systems ---------------------------------------------------- */

int register_filesystem(struct file_system_type *fs);

/* A new inode on @sb (count 1, nlink 1, times now, owner: the caller). */
struct inode *new_inode(struct super_block *sb, umode_t mode);
struct inode *iget(struct inode *inode);
void iput(struct inode *inode);

struct dentry *dget(struct dentry *d);
void dput(struct dentry *d);
/* A new negative child of @parent named @name. [n] held. ERR_PTR. */
struct dentry *d_alloc(struct dentry *parent, const char *name, size_t len);
/* Attach @inode (the caller's reference passes to @d). [n] held. */
void d_instantiate(struct dentry *d, struct inode *inode);
/* Creating a super block's root: a dentry of its own. */
struct dentry *d_make_root(struct inode *root);

struct mount *mnt_get(struct mount *m);
void mnt_put(struct mount *m);
void path_get(const struct path *p);
void path_put(const struct path *p);

/* Permission check of @inode for @mask (MAY_*) as @cred. 0 or -EACCES. */
#define MAY_EXEC   0x1
#define MAY_WRITE  0x2
#define MAY_READ   0x4
int inode_permission(const struct cred *cred, struct inode *inode, int mask);

/* The tmpfs-style file operations, for pseudo file systems to reuse. */
loff_t generic_file_llseek(struct file *f, loff_t off, int whence);
loff_t no_llseek(struct file *f, loff_t off, int whence);

/* ---- character devices -------------------------------------------------- */

/*
 * chrdev_register - open of a character device node with @major and a
 * minor in [@minor, @minor + @count) gets @fops. Return: 0 or -EBUSY.
 */
int chrdev_register(unsigned int major, unsigned int minor,
		    unsigned int count, const char *name,
		    const struct file_operations *fops);

#endif /* KEEL_VFS_H */
