/*
 * Advisory file locks: POSIX record locks (fcntl F_GETLK/F_SETLK/F_SETLKW),
 * open file description locks (F_OFD_*) and flock(2).
 *
 * Three kinds of lock share one list per inode (inode->i_flctx):
 *  - POSIX locks are owned by the fd table (struct files) they were taken
 *    through, as Linux: every thread sharing the table is one owner, a
 *    fork child is another. Closing ANY fd of the file through the table
 *    drops the owner's locks on it (locks_remove_posix), and so does the
 *    table's last put at exit.
 *  - OFD locks are owned by the open file description: they conflict with
 *    POSIX locks and with other descriptions' OFD locks, report l_pid -1
 *    and go with the description's last fput (locks_remove_file).
 *  - flock locks are whole-file locks owned by the open file description,
 *    independent of the other two kinds; they also go at the last fput.
 *
 * One global spinlock guards every inode's lock list and the list of
 * blocked POSIX waiters (for deadlock detection); waiters sleep on one
 * global wait queue that every release wakes. Lock traffic is light, and
 * a single lock keeps the per-inode context's lifetime trivial: it is
 * allocated with the first lock and freed with the last.
 */
#ifndef KEEL_LOCKS_H
#define KEEL_LOCKS_H

#include <keel/list.h>
#include <keel/types.h>

struct file;
struct files;
struct inode;

/*
 * fcntl(2) lock commands and types, flock(2) operations (Linux x86_64
 * values; guarded in case <uapi/fcntl.h> gains them).
 */
#ifndef F_GETLK
#define F_GETLK         5
#define F_SETLK         6
#define F_SETLKW        7
#endif
#ifndef F_OFD_GETLK
#define F_OFD_GETLK     36
#define F_OFD_SETLK     37
#define F_OFD_SETLKW    38
#endif
#ifndef F_RDLCK
#define F_RDLCK         0
#define F_WRLCK         1
#define F_UNLCK         2
#endif
#ifndef LOCK_SH
#define LOCK_SH         1
#define LOCK_EX         2
#define LOCK_NB         4
#define LOCK_UN         8
#define LOCK_MAND       32      /* obsolete: Linux ignores such requests */
#endif

/* The largest file offset: a lock with l_len 0 extends to it. */
#define LOCK_OFFSET_MAX ((loff_t)0x7fffffffffffffffLL)

/* struct flock of Linux x86_64 (also flock64): 32 bytes. */
struct flock {
	short l_type;
	short l_whence;
	loff_t l_start;
	loff_t l_len;
	int l_pid;
};

/* Lock kinds. POSIX and OFD locks share a space; flock locks have theirs. */
#define FL_POSIX 1
#define FL_OFD   2
#define FL_FLOCK 4

/*
 * A lock on an inode, or a request for one (then link is unused).
 * Locking legend: [L] the global locks_lock of kernel/fs/locks.c.
 */
struct file_lock {
	struct list_head link;          /* [L] in the inode's lock list */
	unsigned int kind;              /* [L] FL_* */
	int type;                       /* [L] F_RDLCK, F_WRLCK (F_UNLCK) */
	const void *owner;              /* [L] files (POSIX), file (others) */
	struct file *file;              /* [L] taken through (no reference) */
	pid_t pid;                      /* [L] taker's process (POSIX) */
	loff_t start, end;              /* [L] inclusive; LOCK_OFFSET_MAX */
};

/**
 * locks_set - take (or release, type F_UNLCK) the lock @rq describes on
 * @inode, waiting for conflicting locks to go if @wait. A flock request
 * covers the whole file (start 0, end LOCK_OFFSET_MAX).
 * Context: process context, may sleep if @wait.
 * Return: 0, -EAGAIN (conflict and !@wait), -EDEADLK (a cycle of waiting
 * POSIX owners), -ERESTARTSYS (a signal while waiting) or -ENOLCK.
 */
long locks_set(struct inode *inode, const struct file_lock *rq, bool wait);

/**
 * locks_test - is there a lock on @inode conflicting with @rq?
 * Context: any process context. Return: true with *@rq overwritten by a
 * copy of the first conflicting lock, or false (*@rq untouched).
 */
bool locks_test(struct inode *inode, struct file_lock *rq);

/**
 * fcntl_lock - the record lock commands of fcntl(2): F_GETLK, F_SETLK,
 * F_SETLKW and their F_OFD_ forms, on @f with the user struct flock at
 * @arg. Context: process context, may sleep (the W forms).
 * Return: 0, -EFAULT, -EINVAL, -EBADF, -EAGAIN, -EDEADLK, -ENOLCK,
 * -EOVERFLOW or -ERESTARTSYS (a signal ended an F_SETLKW wait).
 */
long fcntl_lock(struct file *f, unsigned int cmd, unsigned long arg);

/**
 * locks_remove_posix - drop the POSIX locks @owner holds on @f's inode:
 * the close of any fd of the file through the table @owner.
 * Context: process context, before the close's fput. Return: none.
 */
void locks_remove_posix(struct file *f, struct files *owner);

/**
 * locks_remove_file - drop the flock and OFD locks of @f (and any lock
 * still naming it): its last reference is going.
 * Context: process context, from the final fput. Return: none.
 */
void locks_remove_file(struct file *f);

/* ---- leases (kernel/fs/leases.c) ------------------------------------------ */

#ifndef F_SETLEASE
#define F_SETSIG        10
#define F_GETSIG        11
#define F_SETLEASE      1024
#define F_GETLEASE      1025
#endif

/* /proc/sys/fs/lease-break-time: seconds a lease holder gets. [a] */
extern unsigned int lease_break_time;

/*
 * lease_break - an open with @open_flags (or a truncate: O_WRONLY) of
 * @inode: break the leases in its way and wait until they are gone or
 * downgraded (at most lease_break_time seconds).
 * Context: process context, no locks held; may sleep.
 * Return: 0, -EWOULDBLOCK (O_NONBLOCK) or -ERESTARTSYS (a signal).
 */
int lease_break(struct inode *inode, int open_flags);

/*
 * fcntl_setlease - F_SETLEASE @arg on @f, open as @fd. Return: 0,
 * -EINVAL, -EACCES, -EAGAIN (conflicting opens or leases) or -ENOMEM.
 * fcntl_getlease - F_GETLEASE: the lease type (while it is being broken,
 * the type it must go down to), F_UNLCK if none.
 * Context: process context.
 */
long fcntl_setlease(struct file *f, int fd, unsigned long arg);
long fcntl_getlease(struct file *f);

/* leases_remove_file - @f's last reference is going: drop its lease. */
void leases_remove_file(struct file *f);

#endif /* KEEL_LOCKS_H */
