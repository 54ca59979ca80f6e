/*
 * epoll(7): an epoll instance is an anonymous file holding a red-black
 * tree of items keyed by (open file, fd) and a ready list.
 *
 * Each item hooks a wait entry (struct ep_hook) on every queue its file's
 * ->poll names. A wake-up with a matching key runs ep_poll_callback under
 * that queue's lock: it queues the item on the ready list and wakes the
 * threads in epoll_wait directly (they wait on a list under ep->lock, not
 * on a wait queue, so no second wait-queue lock is taken there). Those
 * polling the epoll file itself (poll, select, an outer epoll) are on
 * ep->poll_wait: they are woken at once when the source is an ordinary
 * file, and through a one-shot timer when the source is another epoll
 * instance, so two epoll poll_wait queues are never locked together.
 *
 * epoll_wait takes items off the ready list, polls each again (the list
 * may be stale) and reports what is really ready: level-triggered items
 * go back on the list, edge-triggered ones wait for the next wake-up,
 * one-shot ones are disabled until EPOLL_CTL_MOD re-arms them.
 *
 * Items do not hold their file: when a file's last reference goes,
 * eventpoll_release() removes it from every set (a global hash by file
 * finds its items). Pipes, eventfds and epoll files call it from their
 * own release too, so they are safe even before the VFS does.
 *
 * Locking legend (order: epmutex -> ep->mtx -> wait-queue locks ->
 * ep->lock -> run-queue and timer locks):
 *	[E]	epmutex: the file hash, the nested lists, loop-check marks
 *	[m]	ep->mtx: the tree, the hooks, reporting events
 *	[r]	ep->lock (spinlock, irqsave): the ready list, every rdllink,
 *		epoll_wait sleepers, item event masks (written under [m] too)
 *	[I]	set at creation
 */
#include <keel/errno.h>
#include <keel/err.h>
#include <keel/hash.h>
#include <keel/mutex.h>
#include <keel/poll.h>
#include <keel/rbtree.h>
#include <keel/sched.h>
#include <keel/slab.h>
#include <keel/spinlock.h>
#include <keel/syscall.h>
#include <keel/task.h>
#include <keel/time.h>
#include <keel/uaccess.h>
#include <keel/vfs.h>
#include <keel/wait.h>

#define EP_PRIVATE_BITS (EPOLLWAKEUP | EPOLLONESHOT | EPOLLET | EPOLLEXCLUSIVE)
#define EPOLLEXCLUSIVE_OK_BITS (EPOLLIN | EPOLLOUT | EPOLLERR | EPOLLHUP | \
				EPOLLWAKEUP | EPOLLET | EPOLLEXCLUSIVE)
#define EP_HASH_BITS 8

struct eventpoll {
	struct mutex mtx;
	struct spinlock lock;
	struct list_head rdllist;       /* [r] ready (or maybe ready) items */
	struct list_head waiters;       /* [r] struct ep_waiter */
	struct wait_queue_head poll_wait; /* pollers of this epoll file */
	struct timer poll_timer;        /* [r] armed: nested wake-up due */
	struct rb_root rbr;             /* [m] */
	struct list_head nested;        /* [E] items watching epoll files */
	unsigned int gen;               /* [E] loop-check visit mark */
	struct file *file;              /* [I] */
};

struct epitem;

struct ep_hook {
	struct wait_queue_entry wait;   /* on @whead */
	struct wait_queue_head *whead;  /* [I] */
	struct epitem *epi;             /* [I] */
	struct ep_hook *next;           /* [m] */
};

struct epitem {
	struct rb_node rbn;             /* [m] in ep->rbr */
	struct list_head rdllink;       /* [r] queued; empty: not queued */
	struct hlist_node fnode;        /* [E] in the file hash */
	struct list_head nested_link;   /* [E] in ep->nested, if epoll */
	struct eventpoll *ep;           /* [I] */
	struct file *file;              /* [I] */
	int fd;                         /* [I] */
	struct epoll_event event;       /* [m] and [r] */
	struct ep_hook *hooks;          /* [m] */
	int nwait;                      /* [m] hooks, -1: a hook failed */
};

struct ep_waiter {                      /* a thread in epoll_wait */
	struct list_head link;          /* [r] */
	struct thread *t;
};

struct ep_sink {                        /* a user or a kernel array */
	struct epoll_event __user *uevents;
	struct epoll_event *kevents;
};

static DEFINE_MUTEX(epmutex);
static struct hlist_head ep_file_hash[1 << EP_HASH_BITS];
static unsigned int ep_loop_gen;        /* [E] */
static const struct file_operations ep_fops;

bool file_is_epoll(const struct file *f)
{
	return f && f->f_op == &ep_fops;
}

#define ep_bucket(f) (&ep_file_hash[hash_ptr((f), EP_HASH_BITS)])

/* Wake every epoll_wait sleeper. [r] held. Return: was anyone there? */
static bool ep_wake_waiters(struct eventpoll *ep)
{
	struct ep_waiter *w;
	bool any = false;

	list_for_each_entry(w, &ep->waiters, link) {
		wake_up_state(w->t, THREAD_INTERRUPTIBLE);
		any = true;
	}
	return any;
}

static void ep_poll_timer_fn(struct timer *t)
{
	struct eventpoll *ep = container_of(t, struct eventpoll, poll_timer);

	wake_up_poll(&ep->poll_wait, EPOLLIN | EPOLLRDNORM);
}

/*
 * Queue @epi and wake its instance's waiters. [r] held. Return: true if
 * the epoll file's own pollers must be woken directly (the caller does it
 * after dropping [r]); a nested source defers that to the timer.
 */
static bool ep_queue_ready(struct eventpoll *ep, struct epitem *epi,
			   bool *woke)
{
	if (list_empty(&epi->rdllink))
		list_add_tail(&epi->rdllink, &ep->rdllist);
	*woke = ep_wake_waiters(ep);
	if (!waitqueue_active(&ep->poll_wait))
		return false;
	if (!file_is_epoll(epi->file))
		return true;
	timer_add(&ep->poll_timer, clock_monotonic_ns());
	return false;
}

/* The wake function of a hook: under the watched queue's lock. */
static bool ep_poll_callback(struct wait_queue_entry *we, unsigned int mode,
			     void *key)
{
	struct ep_hook *h = container_of(we, struct ep_hook, wait);
	struct epitem *epi = h->epi;
	struct eventpoll *ep = epi->ep;
	__poll_t m = key_to_poll(key), events;
	bool woke = false, poll_wake = false;
	unsigned long irq;

	irq = spin_lock_irqsave(&ep->lock);
	events = epi->event.events;
	/* A fired one-shot item is disabled; others filter by the key. */
	if ((events & ~EP_PRIVATE_BITS) && (!m || (m & events)))
		poll_wake = ep_queue_ready(ep, epi, &woke);
	spin_unlock_irqrestore(&ep->lock, irq);
	if (poll_wake)
		wake_up_poll(&ep->poll_wait, EPOLLIN | EPOLLRDNORM);
	/* An exclusive hook counts only when it found someone to wake. */
	return !(events & EPOLLEXCLUSIVE) || woke;
}

struct ep_pqueue {
	struct poll_table pt;
	struct epitem *epi;
};

static void ep_ptable_queue_proc(struct file *f, struct wait_queue_head *wq,
				 struct poll_table *pt)
{
	struct epitem *epi = container_of(pt, struct ep_pqueue, pt)->epi;
	struct ep_hook *h;

	if (epi->nwait < 0)
		return;
	h = kzalloc(sizeof(*h), GFP_KERNEL);
	if (!h) {
		epi->nwait = -1;
		return;
	}
	h->wait.task = current;
	h->wait.func = ep_poll_callback;
	INIT_LIST_HEAD(&h->wait.entry);
	h->whead = wq;
	h->epi = epi;
	h->next = epi->hooks;
	epi->hooks = h;
	epi->nwait++;
	if (epi->event.events & EPOLLEXCLUSIVE)
		add_wait_queue_exclusive(wq, &h->wait);
	else
		add_wait_queue(wq, &h->wait);
}

/* @epi's ready events (hooking it when @pt is given). */
static __poll_t ep_item_poll(struct epitem *epi, struct poll_table *pt)
{
	__poll_t events = READ_ONCE(epi->event.events);

	if (pt)
		pt->key = events;
	return poll_file(epi->file, pt) & events;
}

static int ep_cmp(struct file *f, int fd, const struct epitem *epi)
{
	if (f != epi->file)
		return f < epi->file ? -1 : 1;
	return fd < epi->fd ? -1 : fd > epi->fd;
}

static struct epitem *ep_find(struct eventpoll *ep, struct file *f, int fd)
{
	struct rb_node *n = ep->rbr.rb_node;

	while (n) {
		struct epitem *epi = rb_entry(n, struct epitem, rbn);
		int c = ep_cmp(f, fd, epi);

		if (!c)
			return epi;
		n = c < 0 ? n->rb_left : n->rb_right;
	}
	return NULL;
}

static void ep_rb_insert(struct eventpoll *ep, struct epitem *epi)
{
	struct rb_node **link = &ep->rbr.rb_node, *parent = NULL;

	while (*link) {
		parent = *link;
		if (ep_cmp(epi->file, epi->fd,
			   rb_entry(parent, struct epitem, rbn)) < 0)
			link = &parent->rb_left;
		else
			link = &parent->rb_right;
	}
	rb_link_node(&epi->rbn, parent, link);
	rb_insert_color(&epi->rbn, &ep->rbr);
}

/* Unhook, unlink and free @epi. [E] and [m] held. */
static void ep_remove(struct eventpoll *ep, struct epitem *epi)
{
	struct ep_hook *h, *next;
	unsigned long irq;

	for (h = epi->hooks; h; h = next) {
		next = h->next;
		/* Under the queue lock: no callback runs on it after this. */
		remove_wait_queue(h->whead, &h->wait);
		kfree(h);
	}
	hlist_del(&epi->fnode);
	if (!list_empty(&epi->nested_link))
		list_del(&epi->nested_link);
	rb_erase(&epi->rbn, &ep->rbr);
	irq = spin_lock_irqsave(&ep->lock);
	if (!list_empty(&epi->rdllink))
		list_del_init(&epi->rdllink);
	spin_unlock_irqrestore(&ep->lock, irq);
	kfree(epi);
}

/* Queue @epi if @revents, waking everyone. [m] held, process context. */
static void ep_report_ready(struct eventpoll *ep, struct epitem *epi,
			    __poll_t revents)
{
	bool poll_wake = false;
	unsigned long irq;

	if (!revents)
		return;
	irq = spin_lock_irqsave(&ep->lock);
	if (list_empty(&epi->rdllink)) {
		list_add_tail(&epi->rdllink, &ep->rdllist);
		ep_wake_waiters(ep);
		poll_wake = true;
	}
	spin_unlock_irqrestore(&ep->lock, irq);
	if (poll_wake)
		wake_up_poll(&ep->poll_wait, EPOLLIN | EPOLLRDNORM);
}

static int ep_insert(struct eventpoll *ep, const struct epoll_event *ev,
		     struct file *tf, int fd)
{
	struct epitem *epi = kzalloc(sizeof(*epi), GFP_KERNEL);
	struct ep_pqueue epq;
	__poll_t revents;

	if (!epi)
		return -ENOMEM;
	INIT_LIST_HEAD(&epi->rdllink);
	INIT_LIST_HEAD(&epi->nested_link);
	epi->ep = ep;
	epi->file = tf;
	epi->fd = fd;
	epi->event = *ev;
	hlist_add_head(&epi->fnode, ep_bucket(tf));
	if (file_is_epoll(tf))
		list_add(&epi->nested_link, &ep->nested);
	ep_rb_insert(ep, epi);

	epq.epi = epi;
	epq.pt.qproc = ep_ptable_queue_proc;
	revents = ep_item_poll(epi, &epq.pt);
	if (epi->nwait < 0) {
		ep_remove(ep, epi);
		return -ENOMEM;
	}
	ep_report_ready(ep, epi, revents);
	return 0;
}

static void ep_modify(struct eventpoll *ep, struct epitem *epi,
		      const struct epoll_event *ev)
{
	unsigned long irq = spin_lock_irqsave(&ep->lock);

	epi->event.events = ev->events;
	epi->event.data = ev->data;
	spin_unlock_irqrestore(&ep->lock, irq);
	/* A re-armed or widened item may be ready already. */
	ep_report_ready(ep, epi, ep_item_poll(epi, NULL));
}

/* Does @ep reach @into, or nest deeper than EP_MAX_NESTS? [E] held. */
static int ep_loop_check_proc(struct eventpoll *ep, struct eventpoll *into,
			      int depth)
{
	struct epitem *epi;

	ep->gen = ep_loop_gen;
	list_for_each_entry(epi, &ep->nested, nested_link) {
		struct eventpoll *child = epi->file->private_data;

		if (child->gen == ep_loop_gen)
			continue;
		if (child == into || depth > EP_MAX_NESTS ||
		    ep_loop_check_proc(child, into, depth + 1))
			return -ELOOP;
	}
	return 0;
}

static int ep_loop_check(struct eventpoll *ep, struct file *tf)
{
	ep_loop_gen++;
	return ep_loop_check_proc(tf->private_data, ep, 0);
}

static int ep_ctl_validate(struct file *epf, int op, struct file *tf,
			   struct epoll_event *ev)
{
	if (!tf->f_op || !tf->f_op->poll)
		return -EPERM;
	if (op != EPOLL_CTL_DEL)
		ev->events &= ~EPOLLWAKEUP;     /* no suspend to block */
	if (epf == tf || !file_is_epoll(epf))
		return -EINVAL;
	if (op != EPOLL_CTL_DEL && (ev->events & EPOLLEXCLUSIVE)) {
		if (op == EPOLL_CTL_MOD)
			return -EINVAL;
		if (op == EPOLL_CTL_ADD &&
		    (file_is_epoll(tf) ||
		     (ev->events & ~EPOLLEXCLUSIVE_OK_BITS)))
			return -EINVAL;
	}
	return 0;
}

static int ep_ctl(struct file *epf, int op, struct file *tf, int fd,
		  struct epoll_event *ev)
{
	struct eventpoll *ep = epf->private_data;
	int err = ep_ctl_validate(epf, op, tf, ev);
	struct epitem *epi;

	if (err)
		return err;
	mutex_lock(&epmutex);
	mutex_lock(&ep->mtx);
	if (op == EPOLL_CTL_ADD && file_is_epoll(tf) && ep_loop_check(ep, tf)) {
		err = -ELOOP;
		goto out;
	}
	epi = ep_find(ep, tf, fd);
	switch (op) {
	case EPOLL_CTL_ADD:
		ev->events |= EPOLLERR | EPOLLHUP;
		err = epi ? -EEXIST : ep_insert(ep, ev, tf, fd);
		break;
	case EPOLL_CTL_DEL:
		if (epi)
			ep_remove(ep, epi);
		else
			err = -ENOENT;
		break;
	case EPOLL_CTL_MOD:
		if (!epi) {
			err = -ENOENT;
		} else if (epi->event.events & EPOLLEXCLUSIVE) {
			err = -EINVAL;
		} else {
			ev->events |= EPOLLERR | EPOLLHUP;
			ep_modify(ep, epi, ev);
		}
		break;
	default:
		err = -EINVAL;
	}
out:
	mutex_unlock(&ep->mtx);
	mutex_unlock(&epmutex);
	return err;
}

static int ep_sink_put(struct ep_sink *s, int i, __poll_t revents, u64 data)
{
	struct epoll_event ev = { .events = revents, .data = data };

	if (s->kevents) {
		s->kevents[i] = ev;
		return 0;
	}
	return copy_to_user(&s->uevents[i], &ev, sizeof(ev)) ? -EFAULT : 0;
}

/* After reporting @epi: disable a one-shot, requeue a level-triggered. */
static void ep_after_report(struct eventpoll *ep, struct epitem *epi)
{
	unsigned long irq = spin_lock_irqsave(&ep->lock);

	if (epi->event.events & EPOLLONESHOT)
		epi->event.events &= EP_PRIVATE_BITS;
	else if (!(epi->event.events & EPOLLET) && list_empty(&epi->rdllink))
		list_add_tail(&epi->rdllink, &ep->rdllist);
	spin_unlock_irqrestore(&ep->lock, irq);
}

/* Report up to @max ready items. Return: count, or -EFAULT if none. */
static int ep_send_events(struct eventpoll *ep, struct ep_sink *s, int max)
{
	LIST_HEAD(txlist);
	struct epitem *epi;
	unsigned long irq;
	__poll_t revents;
	int res = 0;

	mutex_lock(&ep->mtx);
	irq = spin_lock_irqsave(&ep->lock);
	list_splice_init(&ep->rdllist, &txlist);
	spin_unlock_irqrestore(&ep->lock, irq);
	while (res < max && !list_empty(&txlist)) {
		epi = list_first_entry(&txlist, struct epitem, rdllink);
		irq = spin_lock_irqsave(&ep->lock);
		list_del_init(&epi->rdllink);
		spin_unlock_irqrestore(&ep->lock, irq);
		revents = ep_item_poll(epi, NULL);
		if (!revents)
			continue;               /* stale: dropped */
		if (ep_sink_put(s, res, revents, epi->event.data)) {
			irq = spin_lock_irqsave(&ep->lock);
			if (list_empty(&epi->rdllink))
				list_add(&epi->rdllink, &ep->rdllist);
			spin_unlock_irqrestore(&ep->lock, irq);
			if (!res)
				res = -EFAULT;
			break;
		}
		res++;
		ep_after_report(ep, epi);
	}
	irq = spin_lock_irqsave(&ep->lock);
	list_splice_init(&txlist, &ep->rdllist);
	spin_unlock_irqrestore(&ep->lock, irq);
	mutex_unlock(&ep->mtx);
	return res;
}

/* Sleep until something is queued, a signal, or @deadline. */
static bool ep_sleep(struct eventpoll *ep, u64 deadline)
{
	struct ep_waiter w = { .t = current };
	unsigned long irq;
	bool ok = true;

	irq = spin_lock_irqsave(&ep->lock);
	if (list_empty(&ep->rdllist)) {
		list_add(&w.link, &ep->waiters);
		set_current_state(THREAD_INTERRUPTIBLE);
		spin_unlock_irqrestore(&ep->lock, irq);
		ok = wait_sleep_until(deadline);
		__set_current_state(THREAD_RUNNING);
		irq = spin_lock_irqsave(&ep->lock);
		list_del(&w.link);
	}
	spin_unlock_irqrestore(&ep->lock, irq);
	return ok;
}

static int ep_poll(struct eventpoll *ep, struct ep_sink *s, int max,
		   u64 deadline)
{
	bool timed_out = !deadline;
	int res;

	for (;;) {
		res = ep_send_events(ep, s, max);
		if (res || timed_out)
			return res;
		if (READ_ONCE(current->signal_pending))
			return -EINTR;
		if (!ep_sleep(ep, deadline))
			timed_out = true;
	}
}

/*
 * Are any queued items really ready? Dropping stale ones needs ep->mtx;
 * when it is busy (another epoll_wait, epoll_ctl, or this check nested
 * inside an outer instance) the queue itself is taken as the answer, so
 * two instances' mutexes are never waited for together.
 */
static bool ep_ready_check(struct eventpoll *ep)
{
	struct epitem *epi, *tmp;
	LIST_HEAD(txlist);
	unsigned long irq;
	bool ready = false;

	if (list_empty(&ep->rdllist))
		return false;
	if (!mutex_trylock(&ep->mtx))
		return true;
	irq = spin_lock_irqsave(&ep->lock);
	list_splice_init(&ep->rdllist, &txlist);
	spin_unlock_irqrestore(&ep->lock, irq);
	list_for_each_entry_safe(epi, tmp, &txlist, rdllink) {
		if (ep_item_poll(epi, NULL)) {
			ready = true;
			break;
		}
		irq = spin_lock_irqsave(&ep->lock);
		list_del_init(&epi->rdllink);
		spin_unlock_irqrestore(&ep->lock, irq);
	}
	irq = spin_lock_irqsave(&ep->lock);
	list_splice_init(&txlist, &ep->rdllist);
	spin_unlock_irqrestore(&ep->lock, irq);
	mutex_unlock(&ep->mtx);
	return ready;
}

static __poll_t ep_eventpoll_poll(struct file *f, struct poll_table *pt)
{
	struct eventpoll *ep = f->private_data;

	poll_wait(f, &ep->poll_wait, pt);
	return ep_ready_check(ep) ? EPOLLIN | EPOLLRDNORM : 0;
}

static int ep_release(struct inode *inode, struct file *f)
{
	struct eventpoll *ep = f->private_data;
	struct rb_node *rb;

	eventpoll_release(f);
	mutex_lock(&epmutex);
	mutex_lock(&ep->mtx);
	while ((rb = rb_first(&ep->rbr)))
		ep_remove(ep, rb_entry(rb, struct epitem, rbn));
	mutex_unlock(&ep->mtx);
	mutex_unlock(&epmutex);
	timer_cancel_sync(&ep->poll_timer);
	kfree(ep);
	return 0;
}

static const struct file_operations ep_fops = {
	.poll = ep_eventpoll_poll,
	.release = ep_release,
};

void eventpoll_release(struct file *f)
{
	struct hlist_head *bucket = ep_bucket(f);
	struct hlist_node *tmp;
	struct epitem *epi;

	/*
	 * Items of @f are only added by callers holding @f, so none can
	 * appear now that its last reference is gone: an empty bucket
	 * needs no lock.
	 */
	if (!READ_ONCE(bucket->first))
		return;
	mutex_lock(&epmutex);
	hlist_for_each_entry_safe(epi, tmp, bucket, fnode) {
		struct eventpoll *ep = epi->ep;

		if (epi->file != f)
			continue;
		mutex_lock(&ep->mtx);
		ep_remove(ep, epi);
		mutex_unlock(&ep->mtx);
	}
	mutex_unlock(&epmutex);
}

static struct eventpoll *ep_alloc(void)
{
	struct eventpoll *ep = kzalloc(sizeof(*ep), GFP_KERNEL);

	if (!ep)
		return NULL;
	mutex_init(&ep->mtx);
	spin_lock_init(&ep->lock);
	INIT_LIST_HEAD(&ep->rdllist);
	INIT_LIST_HEAD(&ep->waiters);
	INIT_LIST_HEAD(&ep->nested);
	init_waitqueue_head(&ep->poll_wait);
	timer_init_struct(&ep->poll_timer, ep_poll_timer_fn);
	ep->rbr = RB_ROOT;
	return ep;
}

int eventpoll_setup_kernel_file(struct file *f)
{
	struct eventpoll *ep = ep_alloc();

	if (!ep)
		return -ENOMEM;
	ep->file = f;
	f->f_mode = FMODE_READ | FMODE_WRITE;
	f->f_flags = O_RDWR;
	f->f_op = &ep_fops;
	f->private_data = ep;
	return 0;
}

int ep_ctl_kernel(struct file *epf, int op, struct file *tf, int fd,
		  const struct epoll_event *ev)
{
	struct epoll_event e = ev ? *ev : (struct epoll_event){ 0, 0 };

	return ep_ctl(epf, op, tf, fd, &e);
}

int ep_wait_kernel(struct file *epf, struct epoll_event *events,
		   int maxevents, u64 deadline)
{
	struct ep_sink s = { .kevents = events };

	if (maxevents <= 0 || maxevents > EP_MAX_EVENTS || !file_is_epoll(epf))
		return -EINVAL;
	return ep_poll(epf->private_data, &s, maxevents, deadline);
}

static long do_epoll_create(int flags)
{
	struct eventpoll *ep;
	struct file *f;
	int fd;

	if (flags & ~EPOLL_CLOEXEC)
		return -EINVAL;
	ep = ep_alloc();
	if (!ep)
		return -ENOMEM;
	f = anon_file_create("[eventpoll]", &ep_fops, ep, O_RDWR);
	if (IS_ERR(f)) {
		kfree(ep);
		return PTR_ERR(f);
	}
	ep->file = f;
	fd = fd_install_new(f, flags & EPOLL_CLOEXEC);
	if (fd < 0)
		fput(f);
	return fd;
}

SYSCALL_DEFINE1(epoll_create1, int, flags)
{
	return do_epoll_create(flags);
}

SYSCALL_DEFINE1(epoll_create, int, size)
{
	if (size <= 0)
		return -EINVAL;
	return do_epoll_create(0);
}

SYSCALL_DEFINE4(epoll_ctl, int, epfd, int, op, int, fd,
		struct epoll_event __user *, event)
{
	struct epoll_event ev = { 0, 0 };
	struct file *f, *tf = NULL;
	long ret = -EBADF;

	if (op != EPOLL_CTL_DEL && copy_from_user(&ev, event, sizeof(ev)))
		return -EFAULT;
	f = fget_io(epfd);
	if (f)
		tf = fget_io(fd);
	if (tf)
		ret = ep_ctl(f, op, tf, fd, &ev);
	fput(tf);
	fput(f);
	return ret;
}

static long do_epoll_wait(int epfd, struct epoll_event __user *events,
			  int maxevents, u64 deadline)
{
	struct ep_sink s = { .uevents = events };
	struct file *f;
	long ret;

	if (maxevents <= 0 || maxevents > EP_MAX_EVENTS)
		return -EINVAL;
	if (!access_ok(events, (size_t)maxevents * sizeof(struct epoll_event)))
		return -EFAULT;
	f = fget_io(epfd);
	if (!f)
		return -EBADF;
	if (file_is_epoll(f))
		ret = ep_poll(f->private_data, &s, maxevents, deadline);
	else
		ret = -EINVAL;
	fput(f);
	return ret;
}

static long do_epoll_pwait(int epfd, struct epoll_event __user *events,
			   int maxevents, u64 deadline,
			   const sigset_t __user *sigmask, size_t sigsetsize)
{
	struct poll_sigmask sm;
	long ret = poll_sigmask_set(sigmask, sigsetsize, &sm);

	if (ret)
		return ret;
	ret = do_epoll_wait(epfd, events, maxevents, deadline);
	poll_sigmask_restore(&sm, ret == -EINTR);
	return ret;
}

SYSCALL_DEFINE4(epoll_wait, int, epfd, struct epoll_event __user *, events,
		int, maxevents, int, timeout)
{
	return do_epoll_wait(epfd, events, maxevents,
			     poll_ms_deadline(timeout));
}

SYSCALL_DEFINE6(epoll_pwait, int, epfd, struct epoll_event __user *, events,
		int, maxevents, int, timeout, const sigset_t __user *, sigmask,
		size_t, sigsetsize)
{
	return do_epoll_pwait(epfd, events, maxevents,
			      poll_ms_deadline(timeout), sigmask, sigsetsize);
}

SYSCALL_DEFINE6(epoll_pwait2, int, epfd, struct epoll_event __user *, events,
		int, maxevents, const struct poll_timespec __user *, timeout,
		const sigset_t __user *, sigmask, size_t, sigsetsize)
{
	u64 deadline = WAIT_NO_DEADLINE;
	struct poll_timespec ts;

	if (timeout) {
		if (copy_from_user(&ts, timeout, sizeof(ts)))
			return -EFAULT;
		if (poll_timespec_deadline(&ts, &deadline))
			return -EINVAL;
	}
	return do_epoll_pwait(epfd, events, maxevents, deadline, sigmask,
			      sigsetsize);
}
