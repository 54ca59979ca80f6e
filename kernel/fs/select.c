/*
 * select(2) and pselect6(2) on the poll machinery of poll.c.
 *
 * The three fd_set bitmaps (nfds bits, in 64-bit words, clamped to the
 * size of the caller's fd table as Linux does) are copied in, scanned
 * with the readiness classes POLLIN_SET/POLLOUT_SET/POLLEX_SET, and the
 * result sets copied back only on success. select writes the time left
 * back to its timeval, pselect6 to its timespec.
 */
#include <keel/errno.h>
#include <keel/poll.h>
#include <keel/slab.h>
#include <keel/string.h>
#include <keel/syscall.h>
#include <keel/task.h>
#include <keel/time.h>
#include <keel/uaccess.h>
#include <keel/vfs.h>

#define NFDBITS 64
#define FDS_WORDS(n) (((size_t)(n) + NFDBITS - 1) / NFDBITS)
#define FDS_BYTES(n) (FDS_WORDS(n) * sizeof(u64))

struct select_sets {
	unsigned int n;
	u64 *in, *out, *ex;             /* what was asked */
	u64 *res_in, *res_out, *res_ex; /* what is ready */
};

/* One fd: its readiness among what the sets ask. Return: bits set. */
static int select_one(struct select_sets *s, unsigned int fd,
		      struct poll_table *pt)
{
	size_t w = fd / NFDBITS;
	u64 bit = 1ULL << (fd % NFDBITS);
	bool in = s->in[w] & bit, out = s->out[w] & bit, ex = s->ex[w] & bit;
	__poll_t key = 0, mask = 0;
	struct file *f;
	int count = 0;

	f = fget(fd);
	if (!f)
		return -EBADF;
	key = (in ? POLLIN_SET : 0) | (out ? POLLOUT_SET : 0) |
	      (ex ? POLLEX_SET : 0);
	if (!(f->f_mode & FMODE_PATH)) {
		if (pt)
			pt->key = key;
		mask = poll_file(f, pt);
	}
	fput(f);
	if (in && (mask & POLLIN_SET)) {
		s->res_in[w] |= bit;
		count++;
	}
	if (out && (mask & POLLOUT_SET)) {
		s->res_out[w] |= bit;
		count++;
	}
	if (ex && (mask & POLLEX_SET)) {
		s->res_ex[w] |= bit;
		count++;
	}
	return count;
}

static int select_scan(void *arg, struct poll_table *pt)
{
	struct select_sets *s = arg;
	int count = 0;

	for (unsigned int fd = 0; fd < s->n; fd++) {
		size_t w = fd / NFDBITS;
		int r;

		if (!(s->in[w] | s->out[w] | s->ex[w])) {
			fd |= NFDBITS - 1;      /* skip the empty word */
			continue;
		}
		if (!((s->in[w] | s->out[w] | s->ex[w]) &
		      (1ULL << (fd % NFDBITS))))
			continue;
		r = select_one(s, fd, pt);
		if (r < 0)
			return r;
		if (r) {
			count += r;
			pt = NULL;      /* the call ends after this scan */
		}
	}
	return count;
}

static int get_fd_set(unsigned int n, u64 __user *ufds, u64 *fds)
{
	if (!ufds) {
		memset(fds, 0, FDS_BYTES(n));
		return 0;
	}
	return copy_from_user(fds, ufds, FDS_BYTES(n)) ? -EFAULT : 0;
}

static int set_fd_set(unsigned int n, u64 __user *ufds, const u64 *fds)
{
	if (!ufds)
		return 0;
	return copy_to_user(ufds, fds, FDS_BYTES(n)) ? -EFAULT : 0;
}

/* The size of the caller's fd table: no fd at or above it can be open. */
static unsigned int select_max_fds(void)
{
	struct task *t = current_task();

	return t && t->files ? READ_ONCE(t->files->max_fds) : 0;
}

static long core_sys_select(int nfds, u64 __user *inp, u64 __user *outp,
			    u64 __user *exp, u64 deadline)
{
	struct select_sets s;
	unsigned int n;
	size_t words;
	u64 *bits;
	long ret;

	if (nfds < 0)
		return -EINVAL;
	n = MIN((unsigned int)nfds, select_max_fds());
	words = FDS_WORDS(n);
	bits = kzalloc(6 * words * sizeof(u64) + 1, GFP_KERNEL);
	if (!bits)
		return -ENOMEM;
	s.n = n;
	s.in = bits;
	s.out = bits + words;
	s.ex = bits + 2 * words;
	s.res_in = bits + 3 * words;
	s.res_out = bits + 4 * words;
	s.res_ex = bits + 5 * words;
	ret = get_fd_set(n, inp, s.in);
	if (!ret)
		ret = get_fd_set(n, outp, s.out);
	if (!ret)
		ret = get_fd_set(n, exp, s.ex);
	if (ret)
		goto out;
	ret = poll_loop(select_scan, &s, deadline);
	if (ret < 0)
		goto out;
	if (set_fd_set(n, inp, s.res_in) || set_fd_set(n, outp, s.res_out) ||
	    set_fd_set(n, exp, s.res_ex))
		ret = -EFAULT;
out:
	kfree(bits);
	return ret;
}

SYSCALL_DEFINE5(select, int, nfds, u64 __user *, inp, u64 __user *, outp,
		u64 __user *, exp, struct poll_timeval __user *, tvp)
{
	u64 deadline = WAIT_NO_DEADLINE;
	struct poll_timespec ts;
	struct poll_timeval tv;
	long ret;

	if (tvp) {
		if (copy_from_user(&tv, tvp, sizeof(tv)))
			return -EFAULT;
		/* Linux folds whole seconds of tv_usec into tv_sec. */
		ts.tv_sec = tv.tv_sec + tv.tv_usec / 1000000;
		ts.tv_nsec = (tv.tv_usec % 1000000) * 1000;
		if (poll_timespec_deadline(&ts, &deadline))
			return -EINVAL;
	}
	ret = core_sys_select(nfds, inp, outp, exp, deadline);
	if (tvp && deadline && deadline != WAIT_NO_DEADLINE) {
		ts = poll_time_left(deadline);
		tv.tv_sec = ts.tv_sec;
		tv.tv_usec = ts.tv_nsec / 1000;
		if (copy_to_user(tvp, &tv, sizeof(tv)) &&
		    ret == -ERESTARTNOHAND)
			ret = -EINTR;
	}
	return ret;
}

/* pselect6's sixth argument: the mask and its size, by reference. */
struct pselect_sigmask {
	const sigset_t __user *set;
	size_t size;
};

SYSCALL_DEFINE6(pselect6, int, nfds, u64 __user *, inp, u64 __user *, outp,
		u64 __user *, exp, struct poll_timespec __user *, tsp,
		void __user *, sig)
{
	struct pselect_sigmask psm = { NULL, 0 };
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
	if (sig && copy_from_user(&psm, sig, sizeof(psm)))
		return -EFAULT;
	ret = poll_sigmask_set(psm.set, psm.size, &sm);
	if (ret)
		return ret;
	ret = core_sys_select(nfds, inp, outp, exp, deadline);
	poll_sigmask_restore(&sm, ret == -ERESTARTNOHAND);
	return poll_update_timespec(tsp, deadline, ret);
}
