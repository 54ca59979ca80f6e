/*
 * The poll machinery and poll(2)/ppoll(2).
 *
 * A poll context (struct poll_wqueues) is a poll_table whose queue
 * procedure hooks one entry per (file, wait queue) the scan meets. The
 * entries wake the polling thread (pollwake) when a wake-up with a
 * matching key comes, and set pwq->triggered so that a wake-up between
 * the scan and the sleep is not lost: the poller sets its sleep state,
 * then tests triggered (poll_schedule_timeout). After the first scan the
 * hooks stay in place and later scans only ask (a NULL table).
 *
 * select(2) (select.c) uses the same context. Timeouts are absolute
 * deadlines on the monotonic clock; the sigmask helpers implement the
 * temporary masks of ppoll, pselect6 and epoll_pwait.
 *
 * Locking: entries are touched by their wake function only under their
 * queue's lock, and taken off under it (remove_wait_queue) before the
 * context goes away; everything else is the polling thread's own.
 */
#include <keel/errno.h>
#include <keel/mm.h>
#include <keel/poll.h>
#include <keel/sched.h>
#include <keel/slab.h>
#include <keel/string.h>
#include <keel/syscall.h>
#include <keel/task.h>
#include <keel/time.h>
#include <keel/uaccess.h>
#include <keel/vfs.h>
#include <keel/vm.h>
#include <keel/wait.h>

struct poll_entry_page {
	struct poll_entry_page *next;
	unsigned int used;
	struct poll_entry entries[];
};

#define POLL_PAGE_ENTRIES                                                 \
	((PAGE_SIZE - sizeof(struct poll_entry_page)) /                   \
	 sizeof(struct poll_entry))

__poll_t poll_file(struct file *f, struct poll_table *pt)
{
	if (!f->f_op || !f->f_op->poll)
		return DEFAULT_POLLMASK;
	return f->f_op->poll(f, pt);
}

/* ---- the poll context ------------------------------------------------------ */

static bool pollwake(struct wait_queue_entry *we, unsigned int mode,
		     void *key)
{
	struct poll_entry *e = container_of(we, struct poll_entry, wait);
	__poll_t m = key_to_poll(key);

	if (m && !(m & e->key))
		return false;
	__atomic_store_n(&e->pwq->triggered, true, __ATOMIC_SEQ_CST);
	return default_wake_function(we, mode, key);
}

static struct poll_entry *poll_get_entry(struct poll_wqueues *pwq)
{
	struct poll_entry_page *pg = pwq->pages;

	if (pwq->inline_used < POLL_INLINE_ENTRIES)
		return &pwq->inline_entries[pwq->inline_used++];
	if (!pg || pg->used == POLL_PAGE_ENTRIES) {
		pg = kmalloc(PAGE_SIZE, GFP_KERNEL);
		if (!pg) {
			pwq->error = -ENOMEM;
			return NULL;
		}
		pg->used = 0;
		pg->next = pwq->pages;
		pwq->pages = pg;
	}
	return &pg->entries[pg->used++];
}

static void poll_queue_proc_hook(struct file *f, struct wait_queue_head *wq,
				 struct poll_table *pt)
{
	struct poll_wqueues *pwq = container_of(pt, struct poll_wqueues, pt);
	struct poll_entry *e = poll_get_entry(pwq);

	if (!e)
		return;
	e->filp = get_file(f);
	e->wq = wq;
	e->pwq = pwq;
	e->key = pt->key;
	e->wait.flags = 0;
	e->wait.task = pwq->polling;
	e->wait.func = pollwake;
	INIT_LIST_HEAD(&e->wait.entry);
	add_wait_queue(wq, &e->wait);
}

void poll_initwait(struct poll_wqueues *pwq)
{
	pwq->pt.qproc = poll_queue_proc_hook;
	pwq->pt.key = ~(__poll_t)0;
	pwq->polling = current;
	pwq->triggered = false;
	pwq->error = 0;
	pwq->inline_used = 0;
	pwq->pages = NULL;
}

static void poll_free_entry(struct poll_entry *e)
{
	remove_wait_queue(e->wq, &e->wait);
	fput(e->filp);
}

void poll_freewait(struct poll_wqueues *pwq)
{
	struct poll_entry_page *pg = pwq->pages, *next;

	for (unsigned int i = 0; i < pwq->inline_used; i++)
		poll_free_entry(&pwq->inline_entries[i]);
	for (; pg; pg = next) {
		next = pg->next;
		for (unsigned int i = 0; i < pg->used; i++)
			poll_free_entry(&pg->entries[i]);
		kfree(pg);
	}
	pwq->pages = NULL;
	pwq->inline_used = 0;
}

bool poll_schedule_timeout(struct poll_wqueues *pwq, u64 deadline)
{
	bool ok = true;

	set_current_state(THREAD_INTERRUPTIBLE);
	if (!__atomic_load_n(&pwq->triggered, __ATOMIC_SEQ_CST))
		ok = wait_sleep_until(deadline);
	__set_current_state(THREAD_RUNNING);
	/* The next scan sees whatever fired; later wake-ups set it again. */
	__atomic_store_n(&pwq->triggered, false, __ATOMIC_SEQ_CST);
	return ok;
}

/* ---- timeouts ------------------------------------------------------------------ */

u64 poll_ms_deadline(long ms)
{
	if (ms < 0)
		return WAIT_NO_DEADLINE;
	if (!ms)
		return 0;
	return wait_deadline((u64)ms * NSEC_PER_MSEC);
}

int poll_timespec_deadline(const struct poll_timespec *ts, u64 *deadline)
{
	u64 ns;

	if (ts->tv_sec < 0 || ts->tv_nsec < 0 ||
	    ts->tv_nsec >= (s64)NSEC_PER_SEC)
		return -EINVAL;
	if (!ts->tv_sec && !ts->tv_nsec) {
		*deadline = 0;
		return 0;
	}
	if ((u64)ts->tv_sec >= (SCHEDULE_TIMEOUT_MAX - 1) / NSEC_PER_SEC - 1)
		ns = SCHEDULE_TIMEOUT_MAX - 1;     /* practically forever */
	else
		ns = (u64)ts->tv_sec * NSEC_PER_SEC + (u64)ts->tv_nsec;
	*deadline = wait_deadline(ns);
	return 0;
}

struct poll_timespec poll_time_left(u64 deadline)
{
	u64 now = clock_monotonic_ns(), left;
	struct poll_timespec ts;

	left = deadline > now ? deadline - now : 0;
	ts.tv_sec = (s64)(left / NSEC_PER_SEC);
	ts.tv_nsec = (s64)(left % NSEC_PER_SEC);
	return ts;
}

/* ---- temporary signal masks ----------------------------------------------------- */

int poll_sigmask_set(const sigset_t __user *umask, size_t size,
		     struct poll_sigmask *sm)
{
	struct task *t = current_task();
	sigset_t mask;

	sm->active = false;
	if (!umask)
		return 0;
	if (size != sizeof(sigset_t))
		return -EINVAL;
	if (copy_from_user(&mask, umask, sizeof(mask)))
		return -EFAULT;
	if (!t)
		return 0;
	sm->old = READ_ONCE(t->sig.blocked);
	sm->active = true;
	set_current_blocked(mask);
	return 0;
}

void poll_sigmask_restore(struct poll_sigmask *sm, bool interrupted)
{
	struct task *t = current_task();

	if (!sm->active)
		return;
	sm->active = false;
	if (interrupted) {
		/* The handler runs with the temporary mask; sigreturn restores. */
		t->sig.saved_mask = sm->old;
		t->sig.restore_saved_mask = true;
		return;
	}
	set_current_blocked(sm->old);
}

/* ---- poll(2) ------------------------------------------------------------------ */

static bool poll_signal_pending(void)
{
	return READ_ONCE(current->signal_pending);
}

/* One file's revents among @events (POLLERR/POLLHUP always). */
static __poll_t poll_one(struct file *f, short events, struct poll_table *pt)
{
	__poll_t want = (u16)events | EPOLLERR | EPOLLHUP;

	if (pt)
		pt->key = want;
	return poll_file(f, pt) & want;
}

static __poll_t do_pollfd(struct pollfd *pfd, struct poll_table *pt)
{
	__poll_t mask = 0;
	struct file *f;

	if (pfd->fd >= 0) {
		f = fget_io(pfd->fd);
		mask = EPOLLNVAL;
		if (f) {
			mask = poll_one(f, pfd->events, pt);
			fput(f);
		}
	}
	pfd->revents = (short)mask;
	return mask;
}

int poll_loop(int (*scan)(void *arg, struct poll_table *pt),
		     void *arg, u64 deadline)
{
	struct poll_wqueues pwq;
	struct poll_table *pt = &pwq.pt;
	bool timed_out = !deadline;     /* a zero timeout: one scan, no hooks */
	int count;

	poll_initwait(&pwq);
	if (timed_out)
		pt = NULL;
	for (;;) {
		count = scan(arg, pt);
		pt = NULL;
		if (count || timed_out)
			break;
		if (pwq.error) {
			count = pwq.error;
			break;
		}
		if (poll_signal_pending()) {
			count = -ERESTARTNOHAND;
			break;
		}
		if (!poll_schedule_timeout(&pwq, deadline))
			timed_out = true;
	}
	poll_freewait(&pwq);
	return count;
}

struct pollfd_set {
	struct pollfd *fds;
	unsigned int n;
};

static int pollfd_scan(void *arg, struct poll_table *pt)
{
	struct pollfd_set *set = arg;
	int count = 0;

	for (unsigned int i = 0; i < set->n; i++) {
		if (do_pollfd(&set->fds[i], pt)) {
			count++;
			/* One ready fd ends the call: no more hooks needed. */
			pt = NULL;
		}
	}
	return count;
}

/* kmalloc for small arrays, vmalloc for large ones. */
static void *poll_alloc(size_t size)
{
	if (size <= 2 * PAGE_SIZE)
		return kmalloc(size ? size : 1, GFP_KERNEL);
	return vmalloc(size);
}

static void poll_free(void *p, size_t size)
{
	if (size <= 2 * PAGE_SIZE)
		kfree(p);
	else
		vfree(p);
}

static long do_sys_poll(struct pollfd __user *ufds, unsigned int nfds,
			u64 deadline)
{
	size_t size = (size_t)nfds * sizeof(struct pollfd);
	struct pollfd_set set = { .n = nfds };
	long ret;

	if (nfds > task_rlimit(RLIMIT_NOFILE))
		return -EINVAL;
	set.fds = poll_alloc(size);
	if (!set.fds)
		return -ENOMEM;
	if (copy_from_user(set.fds, ufds, size)) {
		ret = -EFAULT;
		goto out;
	}
	ret = poll_loop(pollfd_scan, &set, deadline);
	for (unsigned int i = 0; i < nfds; i++) {
		if (put_user(set.fds[i].revents, &ufds[i].revents)) {
			ret = -EFAULT;
			break;
		}
	}
out:
	poll_free(set.fds, size);
	return ret;
}

SYSCALL_DEFINE3(poll, struct pollfd __user *, ufds, unsigned int, nfds,
		int, timeout)
{
	return do_sys_poll(ufds, nfds, poll_ms_deadline(timeout));
}

/* Linux writes the time left back, but not for a zero or absent timeout. */
long poll_update_timespec(struct poll_timespec __user *uts, u64 deadline,
			  long ret)
{
	struct poll_timespec left;

	if (!uts || !deadline || deadline == WAIT_NO_DEADLINE)
		return ret;
	left = poll_time_left(deadline);
	if (copy_to_user(uts, &left, sizeof(left)) && ret == -ERESTARTNOHAND)
		ret = -EINTR;
	return ret;
}

SYSCALL_DEFINE5(ppoll, struct pollfd __user *, ufds, unsigned int, nfds,
		struct poll_timespec __user *, tsp,
		const sigset_t __user *, sigmask, size_t, sigsetsize)
{
	u64 deadline = WAIT_NO_DEADLINE;
	struct poll_sigmask sm;
	struct poll_timespec ts;
	long ret;

	if (tsp) {
		if (copy_from_user(&ts, tsp, sizeof(ts)))
			return -EFAULT;
		if (poll_timespec_deadline(&ts, &deadline))
			return -EINVAL;
	}
	ret = poll_sigmask_set(sigmask, sigsetsize, &sm);
	if (ret)
		return ret;
	ret = do_sys_poll(ufds, nfds, deadline);
	poll_sigmask_restore(&sm, ret == -ERESTARTNOHAND);
	return poll_update_timespec(tsp, deadline, ret);
}

/* ---- kernel callers ---------------------------------------------------------- */

struct kpoll_set {
	struct file **files;
	const short *events;
	short *revents;
	unsigned int n;
};

static int kpoll_scan(void *arg, struct poll_table *pt)
{
	struct kpoll_set *set = arg;
	int count = 0;

	for (unsigned int i = 0; i < set->n; i++) {
		__poll_t m = 0;

		if (set->files[i])
			m = poll_one(set->files[i], set->events[i], pt);
		set->revents[i] = (short)m;
		if (m) {
			count++;
			pt = NULL;
		}
	}
	return count;
}

int poll_files_kernel(struct file **files, const short *events,
		      short *revents, unsigned int n, u64 deadline)
{
	struct kpoll_set set = {
		.files = files, .events = events, .revents = revents, .n = n,
	};
	int ret = poll_loop(kpoll_scan, &set, deadline);

	return ret == -ERESTARTNOHAND ? -EINTR : ret;
}
