/*
 * ktests for readiness (suite "poll"): the poll context (a sleeping poller
 * woken by a write on another CPU, timeouts, hang-up and error masks),
 * the eventfd counter (addition, semaphore mode, the maximum, blocking
 * both ways), and epoll's ready list (level- and edge-triggered, one-shot
 * and re-arming, EEXIST/ENOENT/EINVAL/ELOOP, a sleeping epoll_wait woken
 * by a write, nesting, and removal when a watched file goes away).
 *
 * Files are kernel-held (pipe_setup_kernel_ends and friends) and used
 * through the kernel entry points of poll.c, eventfd.c and eventpoll.c.
 */
#include <keel/errno.h>
#include <keel/ktest.h>
#include <keel/ktest_thread.h>
#include <keel/poll.h>
#include <keel/sched.h>
#include <keel/slab.h>
#include <keel/string.h>
#include <keel/time.h>
#include <keel/vfs.h>

#include "kpipe.h"
#include <keel/wait.h>

#define EFD_MAX 0xfffffffffffffffeULL

static bool kpipe(struct file **rd, struct file **wr)
{
	struct kpipe p;

	if (!kpipe_open(&p))
		return false;
	*rd = p.rd;
	*wr = p.wr;
	return true;
}

static u64 ms_from_now(u64 ms)
{
	return clock_monotonic_ns() + ms * NSEC_PER_MSEC;
}

/* ---- poll ---------------------------------------------------------------- */

struct poller {
	struct file *files[2];
	short events[2], revents[2];
	unsigned int n;
	u64 deadline;
	int ret;
};

static int poller_fn(void *arg)
{
	struct poller *p = arg;

	p->ret = poll_files_kernel(p->files, p->events, p->revents, p->n,
				   p->deadline);
	return 0;
}

static void test_poll_wakeup(struct ktest *t)
{
	struct poller p = { .n = 2, .deadline = WAIT_NO_DEADLINE };
	struct file *rd, *wr, *rd2, *wr2;
	struct thread *th;

	KTEST_ASSERT_TRUE(t, kpipe(&rd, &wr));
	KTEST_ASSERT_TRUE(t, kpipe(&rd2, &wr2));
	p.files[0] = rd;
	p.files[1] = rd2;
	p.events[0] = p.events[1] = POLLIN;
	KTEST_EXPECT_EQ(t, poll_files_kernel(p.files, p.events, p.revents, 2,
					     0), 0);
	th = ktest_spawn_on(poller_fn, &p, "poller", 1);
	KTEST_ASSERT_NOT_NULL(t, th);
	KTEST_EXPECT_TRUE(t, ktest_wait_asleep(th, THREAD_INTERRUPTIBLE));
	KTEST_EXPECT_EQ(t, kwrite(wr2, "!", 1), 1);
	KTEST_EXPECT_EQ(t, kthread_join(th), 0);
	KTEST_EXPECT_EQ(t, p.ret, 1);
	KTEST_EXPECT_EQ(t, p.revents[0], 0);
	KTEST_EXPECT_EQ(t, p.revents[1], POLLIN);
	/* The hooks were taken down: the files hold one reference again. */
	KTEST_EXPECT_EQ(t, rd->f_count, 1);
	KTEST_EXPECT_EQ(t, rd2->f_count, 1);
	kfile_close(&rd);
	kfile_close(&wr);
	kfile_close(&rd2);
	kfile_close(&wr2);
}

static void test_poll_timeout_and_masks(struct ktest *t)
{
	struct file *rd, *wr, *files[2];
	short ev[2] = { POLLIN, POLLOUT }, rev[2];
	u64 t0;

	KTEST_ASSERT_TRUE(t, kpipe(&rd, &wr));
	files[0] = rd;
	files[1] = NULL;
	t0 = clock_monotonic_ns();
	KTEST_EXPECT_EQ(t, poll_files_kernel(files, ev, rev, 1,
					     ms_from_now(20)), 0);
	KTEST_EXPECT_GE(t, clock_monotonic_ns() - t0, 20 * NSEC_PER_MSEC);
	files[1] = wr;
	KTEST_EXPECT_EQ(t, poll_files_kernel(files, ev, rev, 2, 0), 1);
	KTEST_EXPECT_EQ(t, rev[1], POLLOUT);
	/* Hang-up is reported even when only POLLIN (or nothing) is asked. */
	kfile_close(&wr);
	files[1] = NULL;
	ev[0] = 0;
	KTEST_EXPECT_EQ(t, poll_files_kernel(files, ev, rev, 1, 0), 1);
	KTEST_EXPECT_EQ(t, rev[0], POLLHUP);
	kfile_close(&rd);

	KTEST_ASSERT_TRUE(t, kpipe(&rd, &wr));
	kfile_close(&rd);
	files[0] = wr;
	ev[0] = POLLOUT;
	KTEST_EXPECT_EQ(t, poll_files_kernel(files, ev, rev, 1, 0), 1);
	KTEST_EXPECT_EQ(t, rev[0], POLLOUT | POLLERR);
	kfile_close(&wr);
}

/* ---- eventfd --------------------------------------------------------------- */

static u64 efd_read(struct file *f)
{
	u64 v = 0;

	return kread(f, &v, sizeof(v)) == 8 ? v : ~0ULL;
}

static ssize_t efd_write(struct file *f, u64 v)
{
	return kwrite(f, &v, sizeof(v));
}

static void test_eventfd_counter(struct ktest *t)
{
	struct file *f = kfile();
	char small[8];
	u64 v;

	KTEST_ASSERT_NOT_NULL(t, f);
	KTEST_ASSERT_EQ(t, eventfd_setup_kernel_file(f, 5, EFD_NONBLOCK), 0);
	KTEST_EXPECT_EQ(t, poll_file(f, NULL), EPOLLIN | EPOLLOUT);
	KTEST_EXPECT_UEQ(t, efd_read(f), 5);
	KTEST_EXPECT_EQ(t, kread(f, &v, 8), -EAGAIN);
	KTEST_EXPECT_EQ(t, poll_file(f, NULL), EPOLLOUT);
	efd_write(f, 3);
	efd_write(f, 4);
	KTEST_EXPECT_UEQ(t, efd_read(f), 7);
	KTEST_EXPECT_EQ(t, kread(f, small, 7), -EINVAL);
	KTEST_EXPECT_EQ(t, kwrite(f, small, 7), -EINVAL);
	KTEST_EXPECT_EQ(t, efd_write(f, ~0ULL), -EINVAL);
	KTEST_EXPECT_EQ(t, efd_write(f, EFD_MAX), 8);
	KTEST_EXPECT_EQ(t, efd_write(f, 1), -EAGAIN);
	KTEST_EXPECT_EQ(t, poll_file(f, NULL), EPOLLIN);
	KTEST_EXPECT_UEQ(t, efd_read(f), EFD_MAX);
	kfile_close(&f);

	f = kfile();
	KTEST_ASSERT_NOT_NULL(t, f);
	KTEST_ASSERT_EQ(t, eventfd_setup_kernel_file(f, 2, EFD_SEMAPHORE |
						     EFD_NONBLOCK), 0);
	KTEST_EXPECT_UEQ(t, efd_read(f), 1);
	KTEST_EXPECT_UEQ(t, efd_read(f), 1);
	KTEST_EXPECT_EQ(t, kread(f, &v, 8), -EAGAIN);
	kfile_close(&f);
}

struct efd_arg {
	struct file *f;
	u64 val;
	ssize_t ret;
};

static int efd_reader(void *arg)
{
	struct efd_arg *a = arg;

	a->val = 0;
	a->ret = kread(a->f, &a->val, 8);
	return 0;
}

static int efd_writer(void *arg)
{
	struct efd_arg *a = arg;

	a->ret = efd_write(a->f, a->val);
	return 0;
}

static void test_eventfd_blocking(struct ktest *t)
{
	struct efd_arg a = { 0 };
	struct file *f = kfile();
	struct thread *th;

	KTEST_ASSERT_NOT_NULL(t, f);
	KTEST_ASSERT_EQ(t, eventfd_setup_kernel_file(f, 0, 0), 0);
	a.f = f;
	th = ktest_spawn_on(efd_reader, &a, "efd_rd", 1);
	KTEST_ASSERT_NOT_NULL(t, th);
	KTEST_EXPECT_TRUE(t, ktest_wait_asleep(th, THREAD_INTERRUPTIBLE));
	efd_write(f, 42);
	KTEST_EXPECT_EQ(t, kthread_join(th), 0);
	KTEST_EXPECT_EQ(t, a.ret, 8);
	KTEST_EXPECT_UEQ(t, a.val, 42);

	/* A write that would pass the maximum waits for a read. */
	efd_write(f, EFD_MAX);
	a.val = 1;
	th = ktest_spawn_on(efd_writer, &a, "efd_wr", 1);
	KTEST_ASSERT_NOT_NULL(t, th);
	KTEST_EXPECT_TRUE(t, ktest_wait_asleep(th, THREAD_INTERRUPTIBLE));
	KTEST_EXPECT_UEQ(t, efd_read(f), EFD_MAX);
	KTEST_EXPECT_EQ(t, kthread_join(th), 0);
	KTEST_EXPECT_EQ(t, a.ret, 8);
	KTEST_EXPECT_UEQ(t, efd_read(f), 1);
	kfile_close(&f);
}

/* ---- epoll ----------------------------------------------------------------- */

static int ep_add(struct file *ep, struct file *tf, int fd, unsigned int ev,
		  u64 data)
{
	struct epoll_event e = { .events = ev, .data = data };

	return ep_ctl_kernel(ep, EPOLL_CTL_ADD, tf, fd, &e);
}

static int ep_mod(struct file *ep, struct file *tf, int fd, unsigned int ev,
		  u64 data)
{
	struct epoll_event e = { .events = ev, .data = data };

	return ep_ctl_kernel(ep, EPOLL_CTL_MOD, tf, fd, &e);
}

static void test_epoll_triggers(struct ktest *t)
{
	struct epoll_event out[4];
	struct file *ep = kfile(), *rd, *wr;
	char buf[16];

	KTEST_ASSERT_NOT_NULL(t, ep);
	KTEST_ASSERT_EQ(t, eventpoll_setup_kernel_file(ep), 0);
	KTEST_ASSERT_TRUE(t, kpipe(&rd, &wr));
	KTEST_EXPECT_EQ(t, ep_add(ep, rd, 3, EPOLLIN, 0x1122334455667788ULL),
			0);
	KTEST_EXPECT_EQ(t, ep_add(ep, rd, 3, EPOLLIN, 0), -EEXIST);
	KTEST_EXPECT_EQ(t, ep_wait_kernel(ep, out, 4, 0), 0);
	kwrite(wr, "ab", 2);
	KTEST_EXPECT_EQ(t, ep_wait_kernel(ep, out, 4, 0), 1);
	KTEST_EXPECT_EQ(t, out[0].events, EPOLLIN);
	KTEST_EXPECT_UEQ(t, out[0].data, 0x1122334455667788ULL);
	/* Level-triggered: again while data remains, not after reading. */
	KTEST_EXPECT_EQ(t, ep_wait_kernel(ep, out, 4, 0), 1);
	kread(rd, buf, sizeof(buf));
	KTEST_EXPECT_EQ(t, ep_wait_kernel(ep, out, 4, 0), 0);

	/* Edge-triggered: once per arrival. */
	KTEST_EXPECT_EQ(t, ep_mod(ep, rd, 3, EPOLLIN | EPOLLET, 2), 0);
	kwrite(wr, "c", 1);
	KTEST_EXPECT_EQ(t, ep_wait_kernel(ep, out, 4, 0), 1);
	KTEST_EXPECT_EQ(t, ep_wait_kernel(ep, out, 4, 0), 0);
	kwrite(wr, "d", 1);
	KTEST_EXPECT_EQ(t, ep_wait_kernel(ep, out, 4, 0), 1);
	kread(rd, buf, sizeof(buf));

	/* One-shot: disabled after one report until re-armed. */
	KTEST_EXPECT_EQ(t, ep_mod(ep, rd, 3, EPOLLIN | EPOLLONESHOT, 3), 0);
	kwrite(wr, "e", 1);
	KTEST_EXPECT_EQ(t, ep_wait_kernel(ep, out, 4, 0), 1);
	kwrite(wr, "f", 1);
	KTEST_EXPECT_EQ(t, ep_wait_kernel(ep, out, 4, 0), 0);
	KTEST_EXPECT_EQ(t, ep_mod(ep, rd, 3, EPOLLIN | EPOLLONESHOT, 3), 0);
	KTEST_EXPECT_EQ(t, ep_wait_kernel(ep, out, 4, 0), 1);
	kread(rd, buf, sizeof(buf));

	/* Hang-up is reported without being asked for. */
	KTEST_EXPECT_EQ(t, ep_mod(ep, rd, 3, EPOLLIN, 4), 0);
	kfile_close(&wr);
	KTEST_EXPECT_EQ(t, ep_wait_kernel(ep, out, 4, 0), 1);
	KTEST_EXPECT_EQ(t, out[0].events, EPOLLHUP);
	KTEST_EXPECT_EQ(t, ep_ctl_kernel(ep, EPOLL_CTL_DEL, rd, 3, NULL), 0);
	KTEST_EXPECT_EQ(t, ep_ctl_kernel(ep, EPOLL_CTL_DEL, rd, 3, NULL),
			-ENOENT);
	KTEST_EXPECT_EQ(t, ep_mod(ep, rd, 3, EPOLLIN, 0), -ENOENT);
	KTEST_EXPECT_EQ(t, ep_ctl_kernel(ep, 99, rd, 3, NULL), -EINVAL);
	KTEST_EXPECT_EQ(t, ep_add(ep, ep, 9, EPOLLIN, 0), -EINVAL);
	KTEST_EXPECT_EQ(t, ep_add(ep, rd, 3, EPOLLIN | EPOLLEXCLUSIVE, 0), 0);
	KTEST_EXPECT_EQ(t, ep_mod(ep, rd, 3, EPOLLIN | EPOLLEXCLUSIVE, 0),
			-EINVAL);
	kfile_close(&rd);
	KTEST_EXPECT_EQ(t, ep_wait_kernel(ep, out, 4, 0), 0);
	KTEST_EXPECT_EQ(t, ep_wait_kernel(ep, out, 0, 0), -EINVAL);
	kfile_close(&ep);
}

struct epw_arg {
	struct file *ep;
	struct epoll_event out[4];
	u64 deadline;
	int ret;
};

static int epw_fn(void *arg)
{
	struct epw_arg *a = arg;

	a->ret = ep_wait_kernel(a->ep, a->out, 4, a->deadline);
	return 0;
}

static void test_epoll_wakeup_and_maxevents(struct ktest *t)
{
	struct epw_arg a = { .deadline = WAIT_NO_DEADLINE };
	struct file *ep = kfile(), *rd[6], *wr[6];
	struct epoll_event out[8];
	struct thread *th;
	int i;

	KTEST_ASSERT_NOT_NULL(t, ep);
	KTEST_ASSERT_EQ(t, eventpoll_setup_kernel_file(ep), 0);
	for (i = 0; i < 6; i++) {
		KTEST_ASSERT_TRUE(t, kpipe(&rd[i], &wr[i]));
		KTEST_EXPECT_EQ(t, ep_add(ep, rd[i], i, EPOLLIN, 100 + i), 0);
	}
	a.ep = ep;
	th = ktest_spawn_on(epw_fn, &a, "epwait", 1);
	KTEST_ASSERT_NOT_NULL(t, th);
	KTEST_EXPECT_TRUE(t, ktest_wait_asleep(th, THREAD_INTERRUPTIBLE));
	kwrite(wr[4], "!", 1);
	KTEST_EXPECT_EQ(t, kthread_join(th), 0);
	KTEST_EXPECT_EQ(t, a.ret, 1);
	KTEST_EXPECT_UEQ(t, a.out[0].data, 104);
	for (i = 0; i < 6; i++)
		if (i != 4)
			kwrite(wr[i], "!", 1);
	KTEST_EXPECT_EQ(t, ep_wait_kernel(ep, out, 2, 0), 2);
	KTEST_EXPECT_EQ(t, ep_wait_kernel(ep, out, 8, 0), 6);
	for (i = 0; i < 6; i++) {
		kfile_close(&rd[i]);
		kfile_close(&wr[i]);
	}
	/* The closed files left the set. */
	KTEST_EXPECT_EQ(t, ep_wait_kernel(ep, out, 8, ms_from_now(5)), 0);
	kfile_close(&ep);
}

static void test_epoll_nesting(struct ktest *t)
{
	struct file *ep1 = kfile(), *ep2 = kfile(), *ep3 = kfile(), *rd, *wr;
	struct epoll_event out[4];
	char c;

	KTEST_ASSERT_TRUE(t, ep1 && ep2 && ep3);
	KTEST_ASSERT_EQ(t, eventpoll_setup_kernel_file(ep1), 0);
	KTEST_ASSERT_EQ(t, eventpoll_setup_kernel_file(ep2), 0);
	KTEST_ASSERT_EQ(t, eventpoll_setup_kernel_file(ep3), 0);
	KTEST_ASSERT_TRUE(t, kpipe(&rd, &wr));
	KTEST_EXPECT_EQ(t, ep_add(ep1, rd, 0, EPOLLIN, 1), 0);
	KTEST_EXPECT_EQ(t, ep_add(ep2, ep1, 1, EPOLLIN, 7), 0);
	KTEST_EXPECT_EQ(t, ep_add(ep1, ep2, 2, EPOLLIN, 0), -ELOOP);
	KTEST_EXPECT_EQ(t, ep_add(ep3, ep2, 2, EPOLLIN | EPOLLEXCLUSIVE, 0),
			-EINVAL);
	KTEST_EXPECT_EQ(t, ep_wait_kernel(ep2, out, 4, 0), 0);
	KTEST_EXPECT_EQ(t, poll_file(ep1, NULL), 0);
	kwrite(wr, "h", 1);
	KTEST_EXPECT_EQ(t, poll_file(ep1, NULL), EPOLLIN | EPOLLRDNORM);
	/* The outer instance learns of it (maybe through the timer). */
	KTEST_EXPECT_EQ(t, ep_wait_kernel(ep2, out, 4, ms_from_now(1000)), 1);
	KTEST_EXPECT_UEQ(t, out[0].data, 7);
	KTEST_EXPECT_EQ(t, out[0].events, EPOLLIN);
	kread(rd, &c, 1);
	KTEST_EXPECT_EQ(t, ep_wait_kernel(ep2, out, 4, 0), 0);
	/* Closing the inner instance removes it from the outer one. */
	kfile_close(&ep1);
	KTEST_EXPECT_EQ(t, ep_add(ep3, ep2, 2, EPOLLIN, 0), 0);
	kfile_close(&ep2);
	kfile_close(&ep3);
	kfile_close(&rd);
	kfile_close(&wr);
}

static struct ktest_case poll_cases[] = {
	KTEST_CASE(test_poll_wakeup),
	KTEST_CASE(test_poll_timeout_and_masks),
	KTEST_CASE(test_eventfd_counter),
	KTEST_CASE(test_eventfd_blocking),
	KTEST_CASE(test_epoll_triggers),
	KTEST_CASE(test_epoll_wakeup_and_maxevents),
	KTEST_CASE(test_epoll_nesting),
	{}
};
KTEST_SUITE(poll, poll_cases);
