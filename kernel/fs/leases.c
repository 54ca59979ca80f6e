/*
 * File leases: fcntl(2) F_SETLEASE / F_GETLEASE, and F_SETSIG / F_GETSIG
 * for the signal that announces a lease break.
 *
 * A lease belongs to an open file description of a regular file. A read
 * lease needs the file open for writing nowhere; a write lease needs the
 * file open nowhere but through the lease's own file. When someone opens
 * (or truncate(2)s) the file in a way that conflicts (any writer breaks a
 * read lease; any open breaks a write lease), the lease is "broken":
 * the process that set it gets SIGIO (or F_SETSIG's signal, with si_code
 * POLL_MSG and si_fd), F_GETLEASE reports the type it must go down to
 * (F_RDLCK or F_UNLCK), and the opener waits until the holder downgrades
 * or releases it, or /proc/sys/fs/lease-break-time seconds pass, when
 * the kernel does it; an O_NONBLOCK opener gets EWOULDBLOCK at once.
 * Like Linux, any opener breaks a lease, its holder's process included.
 *
 * Leases are rare, so they live on one global list; lease_break() looks
 * at it only when a lease exists anywhere.
 *
 * Locking: [l] lease_lock, a leaf spinlock; openers wait on lease_wq,
 * woken at every change.
 */
#include <keel/errno.h>
#include <keel/locks.h>
#include <keel/poll.h>
#include <keel/slab.h>
#include <keel/task.h>
#include <keel/time.h>
#include <keel/wait.h>

#include "internal.h"
#include "../proc/signal_internal.h"

#define POLL_MSG 3              /* si_code of a lease-break signal */
#define LEASE_BREAK_TIME_MAX 0x7fffffff

struct lease {
	struct list_head link;          /* [l] in lease_list */
	struct file *file;              /* [I] the holder (no reference) */
	struct inode *inode;            /* [I] file_inode(file) */
	int type;                       /* [l] F_RDLCK or F_WRLCK */
	int target;                     /* [l] breaking to it; -1: not */
	u64 deadline;                   /* [l] when the kernel does it */
	pid_t pid;                      /* [l] the process told of breaks */
	int fd;                         /* [l] its fd, for si_fd */
};

/* A signal to send once lease_lock is dropped. */
struct lease_note {
	pid_t pid;
	int sig, fd;
};

static DEFINE_SPINLOCK(lease_lock);
static LIST_HEAD(lease_list);           /* [l] */
static int nr_leases;                   /* [l] (read without: a hint) */
static DECLARE_WAIT_QUEUE_HEAD(lease_wq);

/* /proc/sys/fs/lease-break-time, seconds. [a] */
unsigned int lease_break_time = 45;

static struct lease *lease_of_file(struct file *f)
{
	struct lease *l;

	list_for_each_entry(l, &lease_list, link)
		if (l->file == f)
			return l;
	return NULL;
}

static void lease_free(struct lease *l, struct list_head *dead)
{
	list_del(&l->link);
	list_add(&l->link, dead);
	nr_leases--;
}

static void lease_dispose(struct list_head *dead)
{
	struct lease *l, *tmp;

	list_for_each_entry_safe(l, tmp, dead, link)
		kfree(l);
}

/* Does @l stand in the way of an open wanting @want_write? [l] */
static bool lease_conflicts(const struct lease *l, bool want_write)
{
	return want_write || l->type == F_WRLCK;
}

/* Finish the breaks of @inode whose time is up. [l] */
static void leases_time_out(struct inode *inode, struct list_head *dead)
{
	struct lease *l, *tmp;
	u64 now = clock_monotonic_ns();

	list_for_each_entry_safe(l, tmp, &lease_list, link) {
		if (l->inode != inode || l->target < 0 || now < l->deadline)
			continue;
		if (l->target == F_UNLCK) {
			lease_free(l, dead);
		} else {
			l->type = F_RDLCK;
			l->target = -1;
		}
	}
}

/* Is a lease of @inode still in the way (earliest deadline in *@d)? [l] */
static bool leases_block(struct inode *inode, bool want_write, u64 *d)
{
	struct lease *l;
	bool block = false;

	*d = ~0ULL;
	list_for_each_entry(l, &lease_list, link) {
		if (l->inode != inode || !lease_conflicts(l, want_write))
			continue;
		block = true;
		if (l->target >= 0 && l->deadline < *d)
			*d = l->deadline;
	}
	return block;
}

/* Tell @n's process its lease is being broken. Context: no spinlocks. */
static void lease_notify(const struct lease_note *n)
{
	struct process *p;
	struct task *t;
	siginfo_t info;

	memset(&info, 0, sizeof(info));
	info.si_signo = n->sig ? n->sig : SIGIO;
	info.si_code = n->sig ? POLL_MSG : SI_KERNEL;
	if (n->sig) {
		info._sifields.poll.band = EPOLLIN | EPOLLRDNORM | EPOLLMSG;
		info._sifields.poll.fd = n->fd;
	}
	spin_lock(&tasklist_lock);
	p = process_by_pid(n->pid);
	t = p ? process_first_task(p) : NULL;
	if (t)
		send_sig_info_locked(t, &info, true);
	spin_unlock(&tasklist_lock);
}

/*
 * Start breaking the leases of @inode in the way of @want_write: note
 * whom to tell in @notes (up to @max). Return: how many. [l]
 */
static int leases_start_break(struct inode *inode, bool want_write,
			      struct lease_note *notes, int max)
{
	u64 deadline = clock_monotonic_ns() +
		       (u64)READ_ONCE(lease_break_time) * NSEC_PER_SEC;
	int target = want_write ? F_UNLCK : F_RDLCK, n = 0;
	struct lease *l;

	list_for_each_entry(l, &lease_list, link) {
		if (l->inode != inode || !lease_conflicts(l, want_write))
			continue;
		/* Already going down at least that far. */
		if (l->target == F_UNLCK || l->target == target)
			continue;
		l->target = target;
		l->deadline = deadline;
		if (n < max) {
			notes[n].pid = l->pid;
			notes[n].sig = READ_ONCE(l->file->f_sig);
			notes[n].fd = l->fd;
			n++;
		}
	}
	return n;
}

static bool lease_blocking_now(struct inode *inode, bool want_write)
{
	bool block;
	u64 d;

	spin_lock(&lease_lock);
	block = leases_block(inode, want_write, &d);
	spin_unlock(&lease_lock);
	return block;
}

int lease_break(struct inode *inode, int open_flags)
{
	bool want_write = (open_flags & O_ACCMODE) != O_RDONLY;
	struct lease_note notes[8];
	LIST_HEAD(dead);
	long left;
	u64 deadline, now;
	int i, n;

	if (!READ_ONCE(nr_leases))
		return 0;
	spin_lock(&lease_lock);
	leases_time_out(inode, &dead);
	n = leases_start_break(inode, want_write, notes, ARRAY_SIZE(notes));
	spin_unlock(&lease_lock);
	for (i = 0; i < n; i++)
		lease_notify(&notes[i]);
	for (;;) {
		spin_lock(&lease_lock);
		leases_time_out(inode, &dead);
		if (!leases_block(inode, want_write, &deadline)) {
			spin_unlock(&lease_lock);
			break;
		}
		spin_unlock(&lease_lock);
		if (open_flags & O_NONBLOCK) {
			lease_dispose(&dead);
			return -EWOULDBLOCK;
		}
		now = clock_monotonic_ns();
		left = wait_event_interruptible_timeout(&lease_wq,
				!lease_blocking_now(inode, want_write),
				deadline > now ? deadline - now : 1);
		if (left < 0) {
			lease_dispose(&dead);
			return -ERESTARTSYS;
		}
	}
	lease_dispose(&dead);
	return 0;
}

/* ---- fcntl ---------------------------------------------------------------------- */

/*
 * Would a @type lease on @f's inode conflict with the inode's opens or
 * other leases (Linux's check_conflicting_open)? [l]
 */
static bool lease_refused(struct file *f, int type)
{
	struct inode *inode = file_inode(f);
	int self_w = (f->f_mode & FMODE_WRITE) ? 1 : 0;
	int self_r = !self_w && (f->f_mode & FMODE_READ) ? 1 : 0;
	struct lease *l;

	if (type == F_RDLCK && READ_ONCE(inode->i_writecount))
		return true;
	if (type == F_WRLCK && (READ_ONCE(inode->i_writecount) != self_w ||
				READ_ONCE(inode->i_readcount) != self_r))
		return true;
	list_for_each_entry(l, &lease_list, link) {
		if (l->inode != inode || l->file == f)
			continue;
		if (type == F_WRLCK || l->target == F_UNLCK)
			return true;
	}
	return false;
}

/* F_SETLEASE with @type on @f (its @fd). Return: 0 or -errno. */
static long lease_set(struct file *f, int fd, int type,
		      struct lease *fresh, struct list_head *dead)
{
	struct lease *l;

	l = lease_of_file(f);
	if (type == F_UNLCK) {
		if (!l)
			return -EAGAIN;
		lease_free(l, dead);
		return 0;
	}
	if (lease_refused(f, type))
		return -EAGAIN;
	if (!l) {
		l = fresh;
		l->file = f;
		l->inode = file_inode(f);
		l->target = -1;
		list_add_tail(&l->link, &lease_list);
		nr_leases++;
	}
	l->type = type;
	/* Going down as far as the break asked ends it. */
	if (l->target >= 0 && (type == F_RDLCK && l->target == F_RDLCK))
		l->target = -1;
	l->pid = current_process()->pid;
	l->fd = fd;
	return 0;
}

long fcntl_setlease(struct file *f, int fd, unsigned long arg)
{
	struct inode *inode = file_inode(f);
	struct lease *fresh = NULL;
	LIST_HEAD(dead);
	long err;

	if (arg != F_RDLCK && arg != F_WRLCK && arg != F_UNLCK)
		return -EINVAL;
	if (vfs_cred()->fsuid != inode->i_uid && !cred_is_root(vfs_cred()))
		return -EACCES;
	if (!S_ISREG(inode->i_mode))
		return -EINVAL;
	if (arg != F_UNLCK) {
		fresh = kzalloc(sizeof(*fresh), GFP_KERNEL);
		if (!fresh)
			return -ENOMEM;
		INIT_LIST_HEAD(&fresh->link);
	}
	spin_lock(&lease_lock);
	err = lease_set(f, fd, (int)arg, fresh, &dead);
	if (fresh && !list_empty(&fresh->link))
		fresh = NULL;           /* it is on the list now */
	spin_unlock(&lease_lock);
	wake_up_all(&lease_wq);
	kfree(fresh);
	lease_dispose(&dead);
	return err;
}

long fcntl_getlease(struct file *f)
{
	struct lease *l;
	long type = F_UNLCK;

	spin_lock(&lease_lock);
	l = lease_of_file(f);
	if (l)
		type = l->target >= 0 ? l->target : l->type;
	spin_unlock(&lease_lock);
	return type;
}

void leases_remove_file(struct file *f)
{
	struct lease *l;
	LIST_HEAD(dead);

	if (!READ_ONCE(nr_leases))
		return;
	spin_lock(&lease_lock);
	l = lease_of_file(f);
	if (l)
		lease_free(l, &dead);
	spin_unlock(&lease_lock);
	if (l) {
		wake_up_all(&lease_wq);
		lease_dispose(&dead);
	}
}
