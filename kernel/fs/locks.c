/*
 * Advisory file locks: POSIX record locks, OFD locks and flock(2). The
 * model and the lifetime rules are described in <keel/locks.h>.
 *
 * Ranges are kept as inclusive [start, end] with end LOCK_OFFSET_MAX for
 * "to end of file". A lock owner's POSIX (or OFD) locks never overlap and
 * never touch when they have the same type: setting a range first absorbs
 * the owner's same-type neighbours, then trims (or splits) its locks of
 * the other type, then inserts the result. A split needs one new entry
 * and the insert another, so each request preallocates two entries (and
 * an inode context) before taking the spinlock, and frees what it did not
 * use, plus what it removed, after dropping it.
 *
 * Locking legend:
 *	[L]	locks_lock (global; no sleeping, no allocation under it)
 */
#include <keel/locks.h>
#include <keel/sched.h>
#include <keel/slab.h>
#include <keel/syscall.h>
#include <keel/task.h>
#include <keel/uaccess.h>
#include <keel/wait.h>

#include "internal.h"

_Static_assert(sizeof(struct flock) == 32 &&
	       __builtin_offsetof(struct flock, l_start) == 8 &&
	       __builtin_offsetof(struct flock, l_len) == 16 &&
	       __builtin_offsetof(struct flock, l_pid) == 24,
	       "struct flock must have Linux x86_64's layout");

/* Links followed when looking for a cycle of waiting POSIX owners. */
#define MAX_DEADLK_ITERATIONS 10

struct file_lock_ctx {
	struct list_head locks;         /* [L] every lock on the inode */
};

/* A blocked POSIX F_SETLKW: @owner waits for a lock of @blocker. */
struct lock_waiter {
	struct list_head link;          /* [L] in blocked_waiters */
	const void *owner;              /* [L] */
	const void *blocker;            /* [L] */
};

/* What one request may allocate, and what it removed (freed unlocked). */
struct lock_prealloc {
	struct file_lock *fl[2];
	struct file_lock_ctx *ctx;
	struct list_head dead;          /* removed locks */
	struct file_lock_ctx *dead_ctx;
	bool changed;                   /* someone may be able to go on */
};

static DEFINE_SPINLOCK(locks_lock);
static LIST_HEAD(blocked_waiters);      /* [L] */
static DECLARE_WAIT_QUEUE_HEAD(locks_wq);

/* ---- lists under locks_lock ------------------------------------------- */

static bool ranges_overlap(const struct file_lock *fl, loff_t start,
			   loff_t end)
{
	return fl->start <= end && start <= fl->end;
}

/* Overlapping or adjacent: two such same-type locks merge. */
static bool ranges_touch(const struct file_lock *fl, loff_t start,
			 loff_t end)
{
	return (end == LOCK_OFFSET_MAX || fl->start <= end + 1) &&
	       (fl->end == LOCK_OFFSET_MAX || fl->end + 1 >= start);
}

static bool same_owner(const struct file_lock *fl, const struct file_lock *rq)
{
	return fl->kind == rq->kind && fl->owner == rq->owner;
}

static bool locks_conflict(const struct file_lock *fl,
			   const struct file_lock *rq)
{
	if ((fl->kind == FL_FLOCK) != (rq->kind == FL_FLOCK))
		return false;
	if (same_owner(fl, rq) || !ranges_overlap(fl, rq->start, rq->end))
		return false;
	return fl->type == F_WRLCK || rq->type == F_WRLCK;
}

static struct file_lock *find_conflict(struct file_lock_ctx *ctx,
				       const struct file_lock *rq)
{
	struct file_lock *fl;

	if (!ctx)
		return NULL;
	list_for_each_entry(fl, &ctx->locks, link)
		if (locks_conflict(fl, rq))
			return fl;
	return NULL;
}

static void lock_kill(struct file_lock *fl, struct lock_prealloc *pa)
{
	list_del(&fl->link);
	list_add(&fl->link, &pa->dead);
	pa->changed = true;
}

/* A copy of @src from the preallocated entries (there are always enough). */
static struct file_lock *lock_take(struct lock_prealloc *pa,
				   const struct file_lock *src)
{
	struct file_lock *fl = pa->fl[0] ? pa->fl[0] : pa->fl[1];

	if (fl == pa->fl[0])
		pa->fl[0] = NULL;
	else
		pa->fl[1] = NULL;
	*fl = *src;
	INIT_LIST_HEAD(&fl->link);
	return fl;
}

/* The inode's context, installing the preallocated one if it has none. */
static struct file_lock_ctx *ctx_get(struct inode *inode,
				     struct lock_prealloc *pa)
{
	if (!inode->i_flctx) {
		inode->i_flctx = pa->ctx;
		pa->ctx = NULL;
		INIT_LIST_HEAD(&inode->i_flctx->locks);
	}
	return inode->i_flctx;
}

/* Free the inode's context with its last lock. */
static void ctx_put(struct inode *inode, struct lock_prealloc *pa)
{
	struct file_lock_ctx *ctx = inode->i_flctx;

	if (ctx && list_empty(&ctx->locks)) {
		inode->i_flctx = NULL;
		pa->dead_ctx = ctx;
	}
}

/*
 * Set (or clear, F_UNLCK) the POSIX/OFD range @rq. Return: 0, or -EAGAIN
 * with *@blocker the owner of a conflicting lock (nothing changed).
 */
static int posix_apply(struct file_lock_ctx *ctx, const struct file_lock *rq,
		       struct lock_prealloc *pa, const void **blocker)
{
	struct file_lock *fl, *tmp, *nl, want = *rq;

	if (rq->type != F_UNLCK) {
		fl = find_conflict(ctx, rq);
		if (fl) {
			*blocker = fl->owner;
			return -EAGAIN;
		}
		/* Absorb the owner's same-type locks touching the range. */
		list_for_each_entry_safe(fl, tmp, &ctx->locks, link) {
			if (!same_owner(fl, rq) || fl->type != rq->type ||
			    !ranges_touch(fl, rq->start, rq->end))
				continue;
			want.start = MIN(want.start, fl->start);
			want.end = MAX(want.end, fl->end);
			lock_kill(fl, pa);
		}
	}
	/* Cut the range out of the owner's other locks. */
	list_for_each_entry_safe(fl, tmp, &ctx->locks, link) {
		if (!same_owner(fl, rq) ||
		    !ranges_overlap(fl, want.start, want.end))
			continue;
		pa->changed = true;
		if (fl->start < want.start && fl->end > want.end) {
			nl = lock_take(pa, fl);
			nl->start = want.end + 1;
			fl->end = want.start - 1;
			list_add(&nl->link, &fl->link);
		} else if (fl->start < want.start) {
			fl->end = want.start - 1;
		} else if (fl->end > want.end) {
			fl->start = want.end + 1;
		} else {
			lock_kill(fl, pa);
		}
	}
	if (rq->type != F_UNLCK) {
		nl = lock_take(pa, &want);
		list_add_tail(&nl->link, &ctx->locks);
	}
	return 0;
}

/*
 * flock: drop the description's current lock unless it already has this
 * type (a conversion is not atomic, as on Linux), then take the new one.
 */
static int flock_apply(struct file_lock_ctx *ctx, const struct file_lock *rq,
		       struct lock_prealloc *pa, const void **blocker)
{
	struct file_lock *fl, *tmp;

	list_for_each_entry_safe(fl, tmp, &ctx->locks, link) {
		if (!same_owner(fl, rq))
			continue;
		if (fl->type == rq->type)
			return 0;
		lock_kill(fl, pa);
		break;
	}
	if (rq->type == F_UNLCK)
		return 0;
	fl = find_conflict(ctx, rq);
	if (fl) {
		*blocker = fl->owner;
		return -EAGAIN;
	}
	list_add_tail(&lock_take(pa, rq)->link, &ctx->locks);
	return 0;
}

/* Does the chain of waiting POSIX owners from @blocker lead to @me? */
static bool posix_deadlock(const void *me, const void *blocker)
{
	struct lock_waiter *w;
	int i;

	for (i = 0; i < MAX_DEADLK_ITERATIONS; i++) {
		const void *next = NULL;

		if (blocker == me)
			return true;
		list_for_each_entry(w, &blocked_waiters, link) {
			if (w->owner == blocker) {
				next = w->blocker;
				break;
			}
		}
		if (!next)
			return false;
		blocker = next;
	}
	return false;
}

/* ---- requests ------------------------------------------------------------ */

static int prealloc_fill(struct lock_prealloc *pa)
{
	pa->fl[0] = kzalloc(sizeof(struct file_lock), GFP_KERNEL);
	pa->fl[1] = kzalloc(sizeof(struct file_lock), GFP_KERNEL);
	pa->ctx = kzalloc(sizeof(struct file_lock_ctx), GFP_KERNEL);
	INIT_LIST_HEAD(&pa->dead);
	pa->dead_ctx = NULL;
	pa->changed = false;
	return pa->fl[0] && pa->fl[1] && pa->ctx ? 0 : -ENOLCK;
}

/* Free what @pa did not use and what it removed; wake the waiters. */
static void prealloc_done(struct lock_prealloc *pa)
{
	struct file_lock *fl, *tmp;

	kfree(pa->fl[0]);
	kfree(pa->fl[1]);
	kfree(pa->ctx);
	kfree(pa->dead_ctx);
	list_for_each_entry_safe(fl, tmp, &pa->dead, link)
		kfree(fl);
	if (pa->changed)
		wake_up_all(&locks_wq);
}

long locks_set(struct inode *inode, const struct file_lock *rq, bool wait)
{
	struct lock_waiter w = { .owner = rq->owner };
	struct lock_prealloc pa;
	const void *blocker = NULL;
	DEFINE_WAIT(we);
	long ret;

	INIT_LIST_HEAD(&w.link);
	if (prealloc_fill(&pa)) {
		prealloc_done(&pa);
		return -ENOLCK;
	}
	for (;;) {
		/* The context installed last time may have gone meanwhile. */
		if (!pa.ctx)
			pa.ctx = kzalloc(sizeof(*pa.ctx), GFP_KERNEL);
		if (wait)
			prepare_to_wait(&locks_wq, &we, THREAD_INTERRUPTIBLE);
		spin_lock(&locks_lock);
		if (!pa.ctx && !inode->i_flctx) {
			ret = -ENOLCK;
			break;
		}
		if (rq->kind == FL_FLOCK)
			ret = flock_apply(ctx_get(inode, &pa), rq, &pa, &blocker);
		else
			ret = posix_apply(ctx_get(inode, &pa), rq, &pa, &blocker);
		if (ret == -EAGAIN && wait) {
			if (rq->kind == FL_POSIX && posix_deadlock(rq->owner,
								   blocker))
				ret = -EDEADLK;
			else if (READ_ONCE(current->signal_pending))
				ret = -ERESTARTSYS;
		}
		if (ret != -EAGAIN || !wait)
			break;
		/* Only POSIX waiters take part in deadlock detection. */
		w.blocker = blocker;
		if (rq->kind == FL_POSIX && list_empty(&w.link))
			list_add_tail(&w.link, &blocked_waiters);
		spin_unlock(&locks_lock);
		/* A flock conversion dropped the old lock: tell its waiters. */
		if (pa.changed) {
			pa.changed = false;
			wake_up_all(&locks_wq);
		}
		schedule();
	}
	if (!list_empty(&w.link))
		list_del(&w.link);
	ctx_put(inode, &pa);
	spin_unlock(&locks_lock);
	if (wait)
		finish_wait(&locks_wq, &we);
	prealloc_done(&pa);
	return ret;
}

bool locks_test(struct inode *inode, struct file_lock *rq)
{
	struct file_lock *fl;
	bool found = false;

	if (!READ_ONCE(inode->i_flctx))
		return false;
	spin_lock(&locks_lock);
	fl = find_conflict(inode->i_flctx, rq);
	if (fl) {
		*rq = *fl;
		INIT_LIST_HEAD(&rq->link);
		found = true;
	}
	spin_unlock(&locks_lock);
	return found;
}

/* Remove the locks of @inode that @match selects. */
static void locks_remove_if(struct inode *inode,
			    bool (*match)(const struct file_lock *fl,
					  const void *key),
			    const void *key)
{
	struct lock_prealloc pa = { .dead = LIST_HEAD_INIT(pa.dead) };
	struct file_lock *fl, *tmp;

	/* Nothing to do is the common case: no lock was ever taken. */
	if (!READ_ONCE(inode->i_flctx))
		return;
	spin_lock(&locks_lock);
	if (inode->i_flctx) {
		list_for_each_entry_safe(fl, tmp, &inode->i_flctx->locks, link)
			if (match(fl, key))
				lock_kill(fl, &pa);
		ctx_put(inode, &pa);
	}
	spin_unlock(&locks_lock);
	prealloc_done(&pa);
}

static bool match_posix_owner(const struct file_lock *fl, const void *key)
{
	return fl->kind == FL_POSIX && fl->owner == key;
}

static bool match_file(const struct file_lock *fl, const void *key)
{
	return fl->file == key || fl->owner == key;
}

void locks_remove_posix(struct file *f, struct files *owner)
{
	locks_remove_if(file_inode(f), match_posix_owner, owner);
}

void locks_remove_file(struct file *f)
{
	locks_remove_if(file_inode(f), match_file, f);
	leases_remove_file(f);
}

/* ---- fcntl and flock ------------------------------------------------------ */

/* The absolute inclusive range of a user struct flock, as Linux computes. */
static int flock_to_range(struct file *f, const struct flock *uf,
			  struct file_lock *rq)
{
	loff_t base, start, end;

	switch (uf->l_whence) {
	case SEEK_SET:
		base = 0;
		break;
	case SEEK_CUR:
		base = READ_ONCE(f->f_pos);
		break;
	case SEEK_END:
		base = READ_ONCE(file_inode(f)->i_size);
		break;
	default:
		return -EINVAL;
	}
	if (uf->l_start > LOCK_OFFSET_MAX - base)
		return -EOVERFLOW;
	start = base + uf->l_start;
	if (start < 0)
		return -EINVAL;
	if (uf->l_len > 0) {
		if (uf->l_len - 1 > LOCK_OFFSET_MAX - start)
			return -EOVERFLOW;
		end = start + uf->l_len - 1;
	} else if (uf->l_len < 0) {
		end = start - 1;
		start += uf->l_len;
		if (start < 0)
			return -EINVAL;
	} else {
		end = LOCK_OFFSET_MAX;
	}
	rq->start = start;
	rq->end = end;
	return 0;
}

/* The request for @uf through @f: owner, kind and range. */
static int flock_to_request(struct file *f, const struct flock *uf, bool ofd,
			    struct file_lock *rq)
{
	struct task *t = current_task();

	memset(rq, 0, sizeof(*rq));
	INIT_LIST_HEAD(&rq->link);
	rq->type = uf->l_type;
	rq->file = f;
	if (ofd) {
		rq->kind = FL_OFD;
		rq->owner = f;
		rq->pid = -1;
	} else {
		rq->kind = FL_POSIX;
		rq->owner = t->files;
		rq->pid = t->proc->pid;
	}
	return flock_to_range(f, uf, rq);
}

static long fcntl_getlk(struct file *f, struct flock *uf, bool ofd)
{
	struct file_lock rq;
	int err;

	if (uf->l_type != F_RDLCK && uf->l_type != F_WRLCK)
		return -EINVAL;
	err = flock_to_request(f, uf, ofd, &rq);
	if (err)
		return err;
	if (ofd && uf->l_pid != 0)
		return -EINVAL;
	if (!locks_test(file_inode(f), &rq)) {
		uf->l_type = F_UNLCK;
		return 0;
	}
	uf->l_type = (short)rq.type;
	uf->l_whence = SEEK_SET;
	uf->l_start = rq.start;
	uf->l_len = rq.end == LOCK_OFFSET_MAX ? 0 : rq.end - rq.start + 1;
	uf->l_pid = rq.kind == FL_OFD ? -1 : rq.pid;
	return 0;
}

static long fcntl_setlk(struct file *f, struct flock *uf, bool ofd, bool wait)
{
	struct file_lock rq;
	int err;

	err = flock_to_request(f, uf, ofd, &rq);
	if (err)
		return err;
	switch (uf->l_type) {
	case F_RDLCK:
		if (!(f->f_mode & FMODE_READ))
			return -EBADF;
		break;
	case F_WRLCK:
		if (!(f->f_mode & FMODE_WRITE))
			return -EBADF;
		break;
	case F_UNLCK:
		break;
	default:
		return -EINVAL;
	}
	if (ofd && uf->l_pid != 0)
		return -EINVAL;
	return locks_set(file_inode(f), &rq, wait);
}

long fcntl_lock(struct file *f, unsigned int cmd, unsigned long arg)
{
	struct flock uf;
	long ret;

	if (f->f_mode & FMODE_PATH)
		return -EBADF;
	if (copy_from_user(&uf, (const void __user *)arg, sizeof(uf)))
		return -EFAULT;
	switch (cmd) {
	case F_GETLK:
	case F_OFD_GETLK:
		ret = fcntl_getlk(f, &uf, cmd == F_OFD_GETLK);
		if (!ret && copy_to_user((void __user *)arg, &uf, sizeof(uf)))
			ret = -EFAULT;
		return ret;
	case F_SETLK:
	case F_SETLKW:
		return fcntl_setlk(f, &uf, false, cmd == F_SETLKW);
	case F_OFD_SETLK:
	case F_OFD_SETLKW:
		return fcntl_setlk(f, &uf, true, cmd == F_OFD_SETLKW);
	}
	return -EINVAL;
}

SYSCALL_DEFINE2(flock, unsigned int, fd, unsigned int, operation)
{
	struct file_lock rq = { .kind = FL_FLOCK, .end = LOCK_OFFSET_MAX };
	struct file *f;
	long ret;

	/* LOCK_MAND never worked; Linux 6.1 accepts and ignores it. */
	if (operation & LOCK_MAND)
		return 0;
	switch (operation & ~LOCK_NB) {
	case LOCK_SH:
		rq.type = F_RDLCK;
		break;
	case LOCK_EX:
		rq.type = F_WRLCK;
		break;
	case LOCK_UN:
		rq.type = F_UNLCK;
		break;
	default:
		return -EINVAL;
	}
	f = fget_io((int)fd);
	if (!f)
		return -EBADF;
	rq.owner = f;
	rq.file = f;
	INIT_LIST_HEAD(&rq.link);
	if (rq.type != F_UNLCK && !(f->f_mode & (FMODE_READ | FMODE_WRITE)))
		ret = -EBADF;
	else
		ret = locks_set(file_inode(f), &rq, !(operation & LOCK_NB));
	fput(f);
	return ret;
}
