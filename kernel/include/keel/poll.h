/*
 * Pipes, FIFOs and readiness: the kernel side of pipe(2), poll(2),
 * select(2), epoll(7) and eventfd(2).
 *
 * Readiness follows the poll contract of <keel/vfs.h>: a file's ->poll
 * hooks the caller's poll_table onto each wait queue that signals a change
 * and returns its current EPOLL* mask. Wakers pass the events that became
 * true as the wake-up key (wake_up_poll()), so pollers and epoll items
 * that wait for something else are not disturbed; a NULL key means "any".
 *
 *	poll_file(f, pt)            a file's mask (DEFAULT_POLLMASK without
 *	                            ->poll)
 *	poll_initwait/poll_freewait a poll context: every queue a scan hooks
 *	                            wakes the scanning thread
 *	poll_schedule_timeout       sleep until a hooked queue fires, a
 *	                            signal, or the deadline
 *
 * Deadlines are absolute clock_monotonic_ns() values: WAIT_NO_DEADLINE
 * waits forever, 0 (or any past time) does not wait at all.
 *
 * Locking legend:
 *	[a]	atomic / single-copy accesses
 *	[t]	the polling thread only
 */
#ifndef KEEL_POLL_H
#define KEEL_POLL_H

#include <keel/compiler.h>
#include <keel/signal.h>
#include <keel/types.h>
#include <keel/vfs.h>
#include <keel/wait.h>
#include <uapi/eventpoll.h>

/* ---- constants ---------------------------------------------------------- */

#ifndef F_SETPIPE_SZ
#define F_SETPIPE_SZ (F_LINUX_SPECIFIC_BASE + 7)
#define F_GETPIPE_SZ (F_LINUX_SPECIFIC_BASE + 8)
#endif

#define PIPE_BUF          4096  /* writes up to this size are atomic */
#define PIPE_DEF_BUFFERS  16    /* default capacity in pages (64 KiB) */

/* The mask of a file without ->poll: always readable and writable. */
#define DEFAULT_POLLMASK (EPOLLIN | EPOLLOUT | EPOLLRDNORM | EPOLLWRNORM)

/* select(2)'s view of a mask. */
#define POLLIN_SET  (EPOLLRDNORM | EPOLLRDBAND | EPOLLIN | EPOLLHUP | EPOLLERR)
#define POLLOUT_SET (EPOLLWRBAND | EPOLLWRNORM | EPOLLOUT | EPOLLERR)
#define POLLEX_SET  EPOLLPRI

/* epoll limits (Linux's). */
#define EP_MAX_NESTS  4
#define EP_MAX_EVENTS (0x7fffffff / (int)sizeof(struct epoll_event))

/*
 * /proc/sys/fs/pipe-max-size: the largest F_SETPIPE_SZ an unprivileged
 * caller may ask for (Linux's default 1 MiB). [a]
 */
extern unsigned int pipe_max_size;

/* The kernel's struct __kernel_timespec / timeval as x86_64 lays them out. */
struct poll_timespec {
	s64 tv_sec;
	s64 tv_nsec;
};

struct poll_timeval {
	s64 tv_sec;
	s64 tv_usec;
};

/* ---- wake-up keys -------------------------------------------------------- */

static inline void *poll_to_key(__poll_t mask)
{
	return (void *)(uintptr_t)mask;
}

static inline __poll_t key_to_poll(void *key)
{
	return (__poll_t)(uintptr_t)key;
}

/*
 * wake_up_poll - wake @wq's waiters (one exclusive one) telling them the
 * events @mask became true. Context: any.
 */
static inline void wake_up_poll(struct wait_queue_head *wq, __poll_t mask)
{
	__wake_up(wq, WAKE_NORMAL, 1, poll_to_key(mask));
}

/* ---- the poll core (kernel/fs/poll.c) ----------------------------------- */

/*
 * poll_file - @f's readiness, hooking @pt (may be NULL) onto its queues.
 * @pt->key is set by the caller to the events it cares about.
 * Return: EPOLL* mask. Context: process context; does not sleep.
 */
__poll_t poll_file(struct file *f, struct poll_table *pt);

struct poll_wqueues;

/* One (file, queue) hook of a poll context. */
struct poll_entry {
	struct file *filp;              /* [t] holds a reference */
	struct wait_queue_head *wq;     /* [t] */
	struct wait_queue_entry wait;   /* on @wq */
	struct poll_wqueues *pwq;       /* [t] */
	__poll_t key;                   /* [t] the events that wake us */
};

#define POLL_INLINE_ENTRIES 12

struct poll_entry_page;

/* A poll/select call in progress: hooks on every queue it scanned. */
struct poll_wqueues {
	struct poll_table pt;
	struct thread *polling;         /* [t] the thread to wake */
	bool triggered;                 /* [a] a hooked queue fired */
	int error;                      /* [t] -ENOMEM from a hook */
	unsigned int inline_used;       /* [t] */
	struct poll_entry_page *pages;  /* [t] overflow entries */
	struct poll_entry inline_entries[POLL_INLINE_ENTRIES];
};

/* Set up @pwq for the calling thread. */
void poll_initwait(struct poll_wqueues *pwq);
/* Unhook every entry and drop the file references. May sleep. */
void poll_freewait(struct poll_wqueues *pwq);
/*
 * poll_schedule_timeout - sleep interruptibly until a hooked queue is
 * woken (or was since the last call), a signal arrives, or @deadline.
 * Return: false when the deadline has passed (no sleep), true otherwise.
 */
bool poll_schedule_timeout(struct poll_wqueues *pwq, u64 deadline);

/*
 * Deadlines from user timeouts. poll_timespec_deadline: -EINVAL for a
 * negative or non-normalised @ts; poll_ms_deadline: negative = forever.
 */
int poll_timespec_deadline(const struct poll_timespec *ts, u64 *deadline);
u64 poll_ms_deadline(long ms);
/* The time left until @deadline (0 when passed) as a timespec. */
struct poll_timespec poll_time_left(u64 deadline);

/*
 * poll_update_timespec - write the time left until @deadline back to the
 * ppoll/pselect6 timespec @uts, as Linux does (not for a zero or absent
 * timeout). One that cannot be written is no error, but the call then
 * cannot be restarted. Return: @ret, or -EINTR for -ERESTARTNOHAND then.
 */
long poll_update_timespec(struct poll_timespec __user *uts, u64 deadline,
			  long ret);

/*
 * poll_loop - the scan-and-sleep loop of poll and select: @scan returns
 * the number of ready entries (or -errno), hooking its files' queues
 * with @pt when non-NULL. Return: that number, 0 at @deadline,
 * -ERESTARTNOHAND on a signal, -ENOMEM. Context: process, may sleep.
 */
int poll_loop(int (*scan)(void *arg, struct poll_table *pt), void *arg,
	      u64 deadline);

/*
 * The temporary signal mask of ppoll/pselect6/epoll_pwait: installed by
 * poll_sigmask_set (nothing for a NULL @umask; -EINVAL when @size is not
 * 8, -EFAULT), taken down by poll_sigmask_restore: if the call was
 * @interrupted the old mask goes to task->sig.saved_mask for the signal
 * delivery code to restore after the handler, else it is restored now.
 */
struct poll_sigmask {
	sigset_t old;
	bool active;
};

int poll_sigmask_set(const sigset_t __user *umask, size_t size,
		     struct poll_sigmask *sm);
void poll_sigmask_restore(struct poll_sigmask *sm, bool interrupted);

/*
 * poll_files_kernel - poll(2) over kernel-held files (in-kernel users and
 * tests): @revents[i] gets the ready events of @files[i] among @events[i]
 * (POLLERR|POLLHUP always; NULL files are skipped).
 * Return: the number of ready files, 0 at the deadline, -EINTR on a signal.
 * Context: process context, may sleep.
 */
int poll_files_kernel(struct file **files, const short *events,
		      short *revents, unsigned int n, u64 deadline);

/* ---- pipes and FIFOs (kernel/fs/pipe.c) ---------------------------------- */

/*
 * pipe_fcntl - F_GETPIPE_SZ / F_SETPIPE_SZ for fcntl(2).
 * Return: the capacity in bytes, -EBADF if @f is not a pipe or FIFO,
 * -EINVAL (bad size or command), -EPERM (above pipe-max-size without
 * privilege), -EBUSY (less than is buffered), -ENOMEM.
 * Context: process context, may sleep.
 */
long pipe_fcntl(struct file *f, unsigned int cmd, unsigned long arg);

/* Is @f a pipe or FIFO end? */
bool file_is_pipe(const struct file *f);

/*
 * pipe_create_files - a new pipe as two anonymous files (S_IFIFO):
 * @res[0] the read end, @res[1] the write end, O_NONBLOCK/O_DIRECT from
 * @flags. Return: 0 or -errno. Context: process context, may sleep.
 */
int pipe_create_files(struct file *res[2], int flags);

/*
 * pipe_setup_kernel_ends - make the zeroed @rd and @wr the two ends of a
 * new pipe without the VFS (tests, in-kernel users); end them with
 * f_op->release(NULL, f). Return: 0 or -ENOMEM.
 */
int pipe_setup_kernel_ends(struct file *rd, struct file *wr);

/*
 * Splice support (kernel/fs/splice.c). An actor is handed one piece of
 * the ring at a time, under the pipe lock: @buf, @n bytes of free space
 * to fill (pipe_splice_in) or of buffered data to take (pipe_splice_out).
 * It returns the bytes it filled/took (fewer stops the walk) or -errno.
 * The pipe files must be pipe ends (file_is_pipe) of the right mode.
 */
typedef ssize_t (*pipe_actor_t)(void *buf, size_t n, void *arg);

ssize_t pipe_splice_in(struct file *f, size_t n, bool nonblock,
		       pipe_actor_t actor, void *arg);
ssize_t pipe_splice_out(struct file *f, size_t n, bool nonblock,
			pipe_actor_t actor, void *arg);
ssize_t pipe_splice_pipes(struct file *in, struct file *out, size_t n,
			  bool nonblock, bool keep);

/* ---- eventfd (kernel/fs/eventfd.c) -------------------------------------- */

/*
 * eventfd_setup_kernel_file - make the zeroed @f an eventfd with counter
 * @count (EFD_SEMAPHORE/EFD_NONBLOCK in @flags) without the VFS.
 * Return: 0 or -ENOMEM.
 */
int eventfd_setup_kernel_file(struct file *f, u64 count, int flags);

/* ---- epoll (kernel/fs/eventpoll.c) -------------------------------------- */

/*
 * eventpoll_release - @f is going away (its last reference was dropped):
 * remove it from every epoll set that watches it. The VFS calls it on the
 * final fput before f_op->release. Context: process context, may sleep.
 */
void eventpoll_release(struct file *f);

/* Is @f an epoll instance? */
bool file_is_epoll(const struct file *f);

/*
 * Kernel entry points of epoll (in-kernel users and tests): set up a
 * zeroed @f as an epoll instance, epoll_ctl on kernel-held files, and
 * epoll_wait into a kernel array until @deadline.
 */
int eventpoll_setup_kernel_file(struct file *f);
int ep_ctl_kernel(struct file *epf, int op, struct file *tf, int fd,
		  const struct epoll_event *ev);
int ep_wait_kernel(struct file *epf, struct epoll_event *events,
		   int maxevents, u64 deadline);

#endif /* KEEL_POLL_H */
