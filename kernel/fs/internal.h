/*
 * VFS internals shared by the files of kernel/fs (not a public API).
 *
 * Locks (see <keel/vfs.h> for the legend):
 *	vfs_ns_lock  mutex: every namespace lookup and change (path walks,
 *	             create/unlink/rename, mounts, link counts, chmod/chown)
 *	dcache_lock  spinlock: the dcache hash, the d_child/d_subdirs links
 *	             and a dentry's reference count reaching zero; taken under
 *	             vfs_ns_lock or alone, nothing is taken under it
 * One coarse namespace mutex keeps the tree consistent on SMP without a
 * lock-coupling protocol; file contents have their own per-inode mutex,
 * so I/O on different files runs in parallel.
 */
#ifndef KEEL_FS_INTERNAL_H
#define KEEL_FS_INTERNAL_H

#include <keel/err.h>
#include <keel/errno.h>
#include <keel/slab.h>
#include <keel/string.h>
#include <keel/vfs.h>

struct cred;

extern struct mutex vfs_ns_lock;
extern struct spinlock dcache_lock;

/* The root mount (tmpfs), set by vfs_init. */
extern struct mount *root_mount;

/* A kmalloc'd copy of @s, or NULL. */
static inline char *vfs_strdup(const char *s)
{
	size_t n = strlen(s) + 1;
	char *p = kmalloc(n, GFP_KERNEL);

	if (p)
		memcpy(p, s, n);
	return p;
}

/* A removed directory (Linux's IS_DEADDIR): its link count is 0. [n] */
static inline bool dir_is_dead(const struct inode *dir)
{
	return S_ISDIR(dir->i_mode) && dir->i_nlink == 0;
}

/* ---- atomics ------------------------------------------------------------ */

static inline void ref_inc(int *c)
{
	__atomic_add_fetch(c, 1, __ATOMIC_RELAXED);
}

/* True when the count dropped to zero. */
static inline bool ref_dec_and_test(int *c)
{
	return __atomic_sub_fetch(c, 1, __ATOMIC_ACQ_REL) == 0;
}
static inline int ref_read(const int *c)
{
	return __atomic_load_n(c, __ATOMIC_RELAXED);
}

/* ---- dcache (dcache.c) -------------------------------------------------- */

/* The child @name of @parent in the dcache (maybe negative), referenced. */
struct dentry *d_lookup(struct dentry *parent, const char *name, size_t len);
/* Unhash @d, detach it from its parent: it was removed. [n] */
void d_delete(struct dentry *d);
/* Move @d under @newparent as @name (rename). [n] */
int d_move(struct dentry *d, struct dentry *newparent, const char *name,
	   size_t len);
/* Pin/unpin a dcache-only file system's positive dentry. [n] */
void d_pin(struct dentry *d);
void d_unpin(struct dentry *d);
/* Is @d a directory with no positive children? [n] */
bool d_dir_empty(struct dentry *d);
void dcache_init(void);

/* ---- inodes (inode.c) ----------------------------------------------------- */

void inode_init_common(struct inode *inode, struct super_block *sb,
		       umode_t mode, const struct cred *cred);
/* Mark @inode's ctime (and mtime if @mtime) now. */
void inode_touch(struct inode *inode, bool mtime);
int cred_may_own(const struct cred *cred, struct inode *inode);
/* Sticky-directory rule for deleting/renaming @victim in @dir. */
int may_delete_sticky(const struct cred *cred, struct inode *dir,
		      struct inode *victim);
const struct cred *vfs_cred(void);

/* ---- super blocks and mounts (super.c, mount.c) ------------------------- */

struct super_block *sb_alloc(struct file_system_type *type);
struct file_system_type *find_filesystem(const char *name);
/* The mount on top of (@m, @d), or NULL. [n] */
struct mount *mount_lookup(struct mount *m, struct dentry *d);
void mount_attach(struct mount *m, const struct path *at);
void mount_detach(struct mount *m, struct list_head *dead);
/* A detached copy of @old rooted at @root (a bind), CL_* below. [n] */
struct mount *mount_clone(struct mount *old, struct dentry *root, int cl);
/* A detached copy of @src's tree below @root (unbindables left out). [n] */
struct mount *mount_copy_tree(struct mount *src, struct dentry *root,
			      int cl);
/* Free a detached tree made by mount_copy_tree. [n] */
void mount_free_tree(struct mount *top);
/* Pre-order walk of @top's subtree (@descend false: skip m's children). */
struct mount *mount_subtree_next(struct mount *m, struct mount *top,
				 bool descend);

/* ---- mount propagation (mount_propagate.c) ------------------------------ */

#define CL_SLAVE       0x1      /* the copy receives from the original */
#define CL_MAKE_SHARED 0x2      /* the copy is a peer of the original */
#define CL_PRIVATE     0x4      /* the copy propagates nothing */

/* @m shared, slave, private or unbindable (one MS_* type). [n] */
void mount_set_type(struct mount *m, unsigned long ms_type);
/* Leave every peer group and master (umount, MS_PRIVATE). [n] */
void mount_set_private(struct mount *m);
/* Set @new's propagation from @old by mount_clone's @cl. [n] */
void mount_clone_propagation(struct mount *new, struct mount *old, int cl);
/*
 * mount_graft - attach the detached tree @src (@moving: unhooked by
 * MS_MOVE) on @at and, when @at's mount is shared, copies of it on every
 * mount receiving from it.
 * Return: 0 or -ENOMEM (nothing attached). [n]
 */
long mount_graft(struct mount *src, const struct path *at, bool moving);
/*
 * mount_umount_propagated - the mounts that umount of @m takes along
 * from @m's parent's receivers onto @dead; without @lazy, -EBUSY when one
 * has submounts (nothing done). [n]
 */
long mount_umount_propagated(struct mount *m, bool lazy,
			     struct list_head *dead);
struct mount *mount_new_sb(struct file_system_type *type, const char *src,
			   void *data, unsigned long flags);
void tmpfs_register(void);
extern struct file_system_type tmpfs_type;
bool path_is_readonly(const struct path *p);

/* ---- path lookup (namei.c) --------------------------------------------- */

#define LOOKUP_FOLLOW    0x1u   /* follow a trailing symlink */
#define LOOKUP_DIRECTORY 0x2u   /* the result must be a directory */
#define LOOKUP_EMPTY     0x4u   /* "" means the start directory */
#define LOOKUP_NO_SYMLINKS 0x8u
#define LOOKUP_BENEATH   0x10u
#define LOOKUP_IN_ROOT   0x20u
#define LOOKUP_NO_XDEV   0x40u

struct nameidata {
	const struct cred *cred;
	struct path root;       /* "/" and the ".." barrier */
	struct path start;      /* relative names start here */
	unsigned int flags;
	int nlinks;             /* symlinks followed so far */
	/* Filled by a parent lookup: the last component. */
	char last[NAME_MAX + 1];
	size_t last_len;
	int last_type;          /* LAST_* */
	bool trailing_slash;
};

enum { LAST_NORM, LAST_ROOT, LAST_DOT, LAST_DOTDOT };

/*
 * nd_init - set up @nd for a lookup by the calling task relative to
 * @dirfd (AT_FDCWD or an fd of a directory). Return: 0 or -errno (EBADF,
 * ENOTDIR). nd_done drops its references.
 */
int nd_init(struct nameidata *nd, int dirfd, const char *name,
	    unsigned int flags);
int nd_init_at(struct nameidata *nd, const struct cred *cred,
	       const struct path *root, const struct path *start,
	       unsigned int flags);
void nd_done(struct nameidata *nd);
/* Resolve @name fully. [n] held. @res gets references. */
int walk_path(struct nameidata *nd, const char *name, struct path *res);
/* Resolve all but the last component into @parent (a directory). [n] */
int walk_parent(struct nameidata *nd, const char *name, struct path *parent);
/*
 * The last component of a walk_parent in @parent: a dentry (maybe
 * negative), referenced. [n] held.
 */
struct dentry *lookup_last(struct nameidata *nd, struct path *parent);
/* Follow mounts on @p (in place). [n] */
void follow_mounts(struct path *p);
/* Copy a user path name into a kmalloc'd PATH_MAX buffer. ERR_PTR. */
char *getname(const char __user *name);
char *getname_flags(const char __user *name, bool allow_empty);
void putname(char *name);

/* ---- files (file.c) ----------------------------------------------------- */

struct file *file_alloc(const struct path *path, struct inode *inode,
			const struct file_operations *fops, int flags,
			unsigned int fmode);
/* Open the object at @path (with references) as @flags. ERR_PTR. */
struct file *vfs_open_path(const struct path *path, int flags);
/*
 * A new unhashed dentry of anon_inodefs for @inode (its reference moves
 * in): what a magic link to a pipe or socket walks to. [n] held.
 */
int anon_inode_path(struct inode *inode, struct path *out);
struct file *do_open(struct nameidata *nd, const char *name, int flags,
		     umode_t mode);
unsigned int open_flags_to_fmode(int flags);
int vfs_truncate_inode(struct inode *inode, loff_t size);

/* ---- fd table internals (fdtable.c) -------------------------------------- */

int files_alloc_fd(struct files *fs, unsigned int start, int flags);
void files_install(struct files *fs, int fd, struct file *f);
struct file *files_lookup(struct files *fs, int fd);
/* Remove @fd from @fs; the caller fputs what is returned. */
struct file *files_remove(struct files *fs, int fd);
long do_dupfd(unsigned int oldfd, unsigned int start, int flags);

/* ---- the fs context (fs_ctx.c) ------------------------------------------ */

/* The calling task's root and cwd (global root for kthreads). Refs. */
void current_root(struct path *root);
void current_pwd(struct path *pwd);
mode_t current_umask(void);

/* ---- tmpfs (tmpfs.c) ---------------------------------------------------- */

struct inode *tmpfs_new_inode(struct super_block *sb, umode_t mode,
			      const struct cred *cred, dev_t rdev);
/*
 * tmpfs_tmpfile - O_TMPFILE: a new regular file of @mode with no name in
 * directory @dir (an unhashed dentry under it), in *@res. @linkable: the
 * file may be given a name later (linkat), i.e. no O_EXCL.
 * Context: [n] held. Return: 0, -EOPNOTSUPP (not tmpfs), -ENOSPC.
 */
int tmpfs_tmpfile(const struct path *dir, umode_t mode, bool linkable,
		  struct path *res);

/* inode->i_flags: an O_TMPFILE file that linkat may still name. [n] */
#define S_LINKABLE_I  0x10000u
/* Create a file at @path as @cred (the mknod/mkdir/symlink core). */
int vfs_mknod_at(struct nameidata *nd, const char *path, umode_t mode,
		 dev_t rdev, const char *symlink_target);
extern const struct file_operations tmpfs_file_fops;

/* Kernel-string cores of the namespace calls (namei_syscalls.c, rename.c). */
int vfs_remove(struct nameidata *nd, const char *name, bool rmdir);
int vfs_link(const struct path *old, struct nameidata *nnd,
	     const char *nname);
int vfs_rename(struct nameidata *ond, const char *oname,
	       struct nameidata *nnd, const char *nname, unsigned int flags);
/*
 * The object magic link @link stands for (->get_path). [n] held.
 * Return: 0 with @res referenced, 1: not magic (follow the text), -errno.
 */
int follow_magic_link(struct nameidata *nd, struct inode *link,
		      struct path *res);
/* Resolve @name from the global root as root (boot, tests). */
int vfs_lookup_kernel(const char *name, unsigned int flags,
		      struct path *res);

/* ---- devices (chardev.c, devfs.c) ------------------------------------- */

int chrdev_open(struct inode *inode, struct file *file);
void mem_devices_init(void);
void console_devices_init(void);
void devices_init(void);
int devtmpfs_populate(struct super_block *sb);
extern struct file_system_type devtmpfs_type;

#endif /* KEEL_FS_INTERNAL_H */
