/*
 * procfs internals shared by the files of kernel/fs/proc/.
 *
 * The tree is described by tables of struct proc_entry: a static
 * directory lists its children, a dynamic one (the root's pid
 * directories, fd/, task/) adds entries through its lookup/iterate hooks.
 * Every inode carries a struct proc_inode (i_private) naming its entry
 * and, below a pid directory, the process (and thread, fd) it shows.
 *
 * Nothing below a pid directory is cached: those dentries are unhashed as
 * soon as they are instantiated (proc_d_volatile), so every path walk
 * asks procfs again and a dead or reused pid is never served from the
 * dcache; the dentry is freed with its last reference. The same holds
 * for "self" and "thread-self", whose targets depend on the caller.
 * Symlink targets are computed at lookup into inode->i_link, the only
 * place the VFS's readlink looks; lookups run under vfs_ns_lock, so the
 * path names are built without it (proc_path_name). fd/<n>, cwd and root
 * are also magic links: their entry's iops->get_path gives the path walk
 * the object itself (see fd.c).
 *
 * File contents are generated whole into a buffer (struct proc_buf) on
 * the first read at offset 0 and served from it until the next read at
 * offset 0, like Linux's single_open seq files.
 *
 * Locking: generators take tasklist_lock (then process->lock, sighand
 * lock) only to copy what they print; nothing sleeps under them. A
 * file's buffer is guarded by its proc_file.lock.
 */
#ifndef KEEL_FS_PROC_INTERNAL_H
#define KEEL_FS_PROC_INTERNAL_H

#include <keel/mutex.h>
#include <keel/task.h>
#include <keel/types.h>
#include <keel/vfs.h>

#include "../internal.h"

#define PROC_SUPER_MAGIC  0x9fa0
#define SYSFS_MAGIC       0x62656572
#define PROC_USER_HZ      100
#define PROC_NS_PER_TICK  (1000000000ULL / PROC_USER_HZ)
#define PROC_BUF_MAX      (4UL << 20)   /* largest generated file */

/* ---- generated text ----------------------------------------------------- */

struct proc_buf {
	char *buf;
	size_t size;
	size_t len;
	bool overflow;          /* something did not fit: retry bigger */
};

void proc_printf(struct proc_buf *b, const char *fmt, ...) __printf(2, 3);
void proc_write(struct proc_buf *b, const void *data, size_t len);
void proc_puts(struct proc_buf *b, const char *s);

/* ---- the tree ------------------------------------------------------------- */

struct proc_inode;

/* A dynamic directory's own names, besides its static children. */
struct proc_dir_ops {
	/*
	 * Instantiate @d (a name not among the static children) in @dir.
	 * Return: 0, or -ENOENT (never leave it negative). [n] held.
	 */
	int (*lookup)(struct inode *dir, struct dentry *d);
	/*
	 * Emit the dynamic entries at positions >= ctx->pos (which is at
	 * least PROC_DYN_POS). Return: 0 or -errno.
	 */
	int (*iterate)(struct file *f, struct dir_context *ctx);
};

#define PROC_DYN_POS 0x10000     /* first directory position of dynamic names */

struct proc_entry {
	const char *name;
	umode_t mode;                   /* S_IFREG/S_IFDIR/S_IFLNK | perms */
	unsigned int flags;             /* PROC_* */
	/* Regular files: generate the contents. Return: 0 or -errno. */
	int (*show)(struct proc_buf *b, struct proc_inode *pi);
	/* Writable files: @buf holds @len bytes (NUL-terminated copy). */
	ssize_t (*store)(struct proc_inode *pi, const char *buf, size_t len);
	/* Symlinks: the target into @buf. [n] held. Return: length or -errno. */
	int (*link)(struct proc_inode *pi, char *buf, size_t size);
	/* Symlinks: magic-link operations (->get_path), or NULL. */
	const struct inode_operations *iops;
	const struct proc_entry *children;      /* static dir, NULL-name end */
	const struct file_operations *fops;     /* a file of its own kind */
	const struct proc_dir_ops *dir;         /* dynamic names, or NULL */
};

#define PROC_PRIVATE  0x1u  /* only the process's owner or root may open */
#define PROC_VOLATILE 0x2u  /* never cached (depends on the caller) */

struct proc_inode {
	const struct proc_entry *ent;   /* [I] */
	pid_t pid;                      /* [I] 0: not per-process */
	pid_t tid;                      /* [I] 0: the whole process */
	int fd;                         /* [I] fd/ and fdinfo/ entries */
};

static inline struct proc_inode *PROC_I(struct inode *inode)
{
	return inode->i_private;
}

extern const struct inode_operations proc_dir_iops;
extern const struct super_operations proc_sops;
extern const struct file_operations proc_dir_fops;

/*
 * proc_instantiate - make @d an inode for @ent (with @pid/@tid/@fd), owned
 * by @uid/@gid. Per-process dentries are made volatile. [n] held.
 * Return: 0 or -errno (-ENOMEM, a link's error).
 */
int proc_instantiate(struct dentry *d, const struct proc_entry *ent,
		     pid_t pid, pid_t tid, int fd, uid_t uid, gid_t gid);
/* Unhash @d: the next walk asks procfs again. [n] held. */
void proc_d_volatile(struct dentry *d);
/* Emit "." and ".." and the static children, from ctx->pos. */
bool proc_emit_static(struct file *f, struct dir_context *ctx);
/* The dtype of a mode, for filldir. */
unsigned int proc_dtype(umode_t mode);
/*
 * proc_path_name - the name of @p as seen from the caller's root into
 * @buf. [n] held (no lock taken). Return: length or -ENAMETOOLONG.
 */
int proc_path_name(const struct path *p, char *buf, size_t size);
/* The same from @root, taking no lock at all (spinlocks may be held). */
int proc_path_name_at(const struct path *root, const struct path *p,
		      char *buf, size_t size);

/* ---- processes (base.c) ----------------------------------------------------- */

/* Its live process (not reaped) with a reference, or NULL. */
struct process *proc_get_process(pid_t pid);
/* @p's task @tid, or its first live task (@tid 0), or NULL. [T] held. */
struct task *proc_task_locked(struct process *p, pid_t tid);
/* @p's owner uid/gid for its inodes (euid/egid). */
void proc_owner(pid_t pid, uid_t *uid, gid_t *gid);
/* May the caller see @p's private files (same user, or root)? */
bool proc_may_access(struct process *p);
/* The address space of @pid's task @tid, with a reference, or NULL. */
struct mm *proc_get_mm(pid_t pid, pid_t tid);

extern const struct proc_entry proc_pid_entry;   /* /proc/<pid> */
extern const struct proc_entry proc_tid_entry;   /* /proc/<pid>/task/<tid> */
extern const struct proc_dir_ops proc_root_dir_ops;

/* ---- generators, by file ------------------------------------------------- */

/* array.c */
int proc_pid_stat(struct proc_buf *b, struct proc_inode *pi);
int proc_pid_statm(struct proc_buf *b, struct proc_inode *pi);
int proc_pid_status(struct proc_buf *b, struct proc_inode *pi);
/* task_mmu.c */
int proc_pid_maps(struct proc_buf *b, struct proc_inode *pi);
int proc_pid_cmdline(struct proc_buf *b, struct proc_inode *pi);
int proc_pid_environ(struct proc_buf *b, struct proc_inode *pi);
/* fd.c */
extern const struct proc_dir_ops proc_fd_dir_ops;
extern const struct proc_dir_ops proc_fdinfo_dir_ops;
int proc_exe_link(struct proc_inode *pi, char *buf, size_t size);
int proc_cwd_link(struct proc_inode *pi, char *buf, size_t size);
int proc_root_link(struct proc_inode *pi, char *buf, size_t size);
extern const struct inode_operations proc_cwd_link_iops;
extern const struct inode_operations proc_root_link_iops;
/* meminfo.c */
int proc_meminfo_show(struct proc_buf *b, struct proc_inode *pi);
int proc_uptime_show(struct proc_buf *b, struct proc_inode *pi);
int proc_version_show(struct proc_buf *b, struct proc_inode *pi);
int proc_loadavg_show(struct proc_buf *b, struct proc_inode *pi);
void proc_loadavg_start(void);
unsigned long proc_calc_load(unsigned long load, unsigned long exp,
			     unsigned long active);
int proc_stat_show(struct proc_buf *b, struct proc_inode *pi);
/* misc.c */
int proc_cmdline_show(struct proc_buf *b, struct proc_inode *pi);
int proc_filesystems_show(struct proc_buf *b, struct proc_inode *pi);
int proc_mounts_show(struct proc_buf *b, struct proc_inode *pi);
int proc_mountinfo_show(struct proc_buf *b, struct proc_inode *pi);
int proc_interrupts_show(struct proc_buf *b, struct proc_inode *pi);
int proc_limits_show(struct proc_buf *b, struct proc_inode *pi);
extern const struct proc_entry proc_sys_entries[];
/* cpuinfo.c */
int proc_cpuinfo_show(struct proc_buf *b, struct proc_inode *pi);
/* kmsg.c */
extern const struct file_operations proc_kmsg_fops;
/* root.c */
extern struct file_system_type proc_fs_type;
extern const char *proc_kernel_cmdline;
u64 proc_total_forks(void);
pid_t proc_last_pid(void);
/* sysfs.c */
extern struct file_system_type sysfs_fs_type;

#endif /* KEEL_FS_PROC_INTERNAL_H */
