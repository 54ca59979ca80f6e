/*
 * ktests for the pipe side of splice (suite "splice"): pipe_splice_pipes
 * moving and copying (tee) between rings, its EOF/EAGAIN/EPIPE/EINVAL
 * answers and a blocked splice woken by a writer; pipe_splice_in/out
 * handing the ring to an actor in page pieces across the wrap, short and
 * failing actors.
 *
 * The pipes are kernel-held files (pipe_setup_kernel_ends), driven through
 * f_op->read_kernel/write_kernel, as in the pipe suite.
 */
#include <keel/errno.h>
#include <keel/ktest.h>
#include <keel/ktest_thread.h>
#include <keel/poll.h>
#include <keel/sched.h>
#include <keel/slab.h>
#include <keel/string.h>
#include <keel/vfs.h>

#include "kpipe.h"

#define CAP (PIPE_DEF_BUFFERS * 4096)

/* Reads here never wait: an empty pipe answers -EAGAIN. */
static ssize_t kread_nb(struct file *f, void *buf, size_t n)
{
	f->f_flags |= O_NONBLOCK;
	return kread(f, buf, n);
}

/* ---- pipe to pipe -------------------------------------------------------- */

static void test_move_and_tee(struct ktest *t)
{
	struct kpipe a, b;
	char buf[32];

	KTEST_ASSERT_TRUE(t, kpipe_open(&a));
	KTEST_ASSERT_TRUE(t, kpipe_open(&b));
	KTEST_EXPECT_EQ(t, kwrite(a.wr, "hello world", 11), 11);
	KTEST_EXPECT_EQ(t, pipe_splice_pipes(a.rd, b.wr, 5, true, true), 5);
	KTEST_EXPECT_EQ(t, kread_nb(b.rd, buf, sizeof(buf)), 5);
	KTEST_EXPECT_MEMEQ(t, buf, "hello", 5);
	KTEST_EXPECT_EQ(t, pipe_splice_pipes(a.rd, b.wr, 100, true, false),
			11);
	KTEST_EXPECT_EQ(t, kread_nb(a.rd, buf, sizeof(buf)), -EAGAIN);
	KTEST_EXPECT_EQ(t, kread_nb(b.rd, buf, sizeof(buf)), 11);
	KTEST_EXPECT_MEMEQ(t, buf, "hello world", 11);
	/* Empty: EAGAIN; the same pipe: EINVAL. */
	KTEST_EXPECT_EQ(t, pipe_splice_pipes(a.rd, b.wr, 1, true, false),
			-EAGAIN);
	KTEST_EXPECT_EQ(t, pipe_splice_pipes(a.rd, b.wr, 1, true, true),
			-EAGAIN);
	KTEST_EXPECT_EQ(t, pipe_splice_pipes(a.rd, a.wr, 1, true, false),
			-EINVAL);
	/* No writer left: end of file, even blocking. */
	kfile_close(&a.wr);
	KTEST_EXPECT_EQ(t, pipe_splice_pipes(a.rd, b.wr, 1, false, false), 0);
	kpipe_close(&a);
	kpipe_close(&b);
}

static void test_full_and_no_reader(struct ktest *t)
{
	static char page[4096];
	struct kpipe a, b;
	int i;

	KTEST_ASSERT_TRUE(t, kpipe_open(&a));
	KTEST_ASSERT_TRUE(t, kpipe_open(&b));
	for (i = 0; i < PIPE_DEF_BUFFERS; i++)
		KTEST_EXPECT_EQ(t, kwrite(b.wr, page, sizeof(page)), 4096);
	KTEST_EXPECT_EQ(t, kwrite(a.wr, "x", 1), 1);
	/* The target is full. */
	KTEST_EXPECT_EQ(t, pipe_splice_pipes(a.rd, b.wr, 1, true, false),
			-EAGAIN);
	KTEST_EXPECT_EQ(t, kread_nb(b.rd, page, 10), 10);
	KTEST_EXPECT_EQ(t, pipe_splice_pipes(a.rd, b.wr, 1, true, false), 1);
	KTEST_EXPECT_EQ(t, kwrite(a.wr, "y", 1), 1);
	kfile_close(&b.rd);
	KTEST_EXPECT_EQ(t, pipe_splice_pipes(a.rd, b.wr, 1, false, false),
			-EPIPE);
	/* The data stays in the source. */
	KTEST_EXPECT_EQ(t, kread_nb(a.rd, page, 10), 1);
	kpipe_close(&a);
	kpipe_close(&b);
}

struct splice_arg {
	struct file *in, *out;
	ssize_t ret;
};

static int splicer_fn(void *arg)
{
	struct splice_arg *a = arg;

	a->ret = pipe_splice_pipes(a->in, a->out, 64, false, false);
	return 0;
}

static void test_blocked_splice_wakes(struct ktest *t)
{
	struct splice_arg sa = { 0 };
	struct kpipe a, b;
	struct thread *th;
	char buf[8];

	KTEST_ASSERT_TRUE(t, kpipe_open(&a));
	KTEST_ASSERT_TRUE(t, kpipe_open(&b));
	sa.in = a.rd;
	sa.out = b.wr;
	th = ktest_spawn_on(splicer_fn, &sa, "splice", 1);
	KTEST_ASSERT_NOT_NULL(t, th);
	KTEST_EXPECT_TRUE(t, ktest_wait_asleep(th, THREAD_INTERRUPTIBLE));
	KTEST_EXPECT_EQ(t, kwrite(a.wr, "wake", 4), 4);
	KTEST_EXPECT_EQ(t, kthread_join(th), 0);
	KTEST_EXPECT_EQ(t, sa.ret, 4);
	KTEST_EXPECT_EQ(t, kread_nb(b.rd, buf, sizeof(buf)), 4);
	KTEST_EXPECT_MEMEQ(t, buf, "wake", 4);
	kpipe_close(&a);
	kpipe_close(&b);
}

/* ---- actors -------------------------------------------------------------- */

struct kbuf {
	char *p;
	size_t off, limit;              /* stop (short) after @limit bytes */
	int calls;
	bool fail;
};

static ssize_t kbuf_fill(void *buf, size_t n, void *arg)
{
	struct kbuf *k = arg;

	k->calls++;
	if (k->fail)
		return -EIO;
	n = MIN(n, k->limit - k->off);
	memcpy(buf, k->p + k->off, n);
	k->off += n;
	return (ssize_t)n;
}

static ssize_t kbuf_drain(void *buf, size_t n, void *arg)
{
	struct kbuf *k = arg;

	k->calls++;
	if (k->fail)
		return -EIO;
	n = MIN(n, k->limit - k->off);
	memcpy(k->p + k->off, buf, n);
	k->off += n;
	return (ssize_t)n;
}

static void test_actors_wrap(struct ktest *t)
{
	char *src = kmalloc(3 * 4096, GFP_KERNEL);
	char *dst = kzalloc(3 * 4096, GFP_KERNEL);
	struct kbuf in = { .p = src, .limit = 3 * 4096 };
	struct kbuf out = { .p = dst, .limit = 3 * 4096 };
	static char junk[CAP];
	struct kpipe p;

	KTEST_ASSERT_TRUE(t, src && dst);
	KTEST_ASSERT_TRUE(t, kpipe_open(&p));
	for (size_t i = 0; i < 3 * 4096; i++)
		src[i] = (char)(i * 7 + 3);
	/* Move the ring's head near its end so the data wraps around. */
	KTEST_EXPECT_EQ(t, kwrite(p.wr, junk, CAP - 100), CAP - 100);
	KTEST_EXPECT_EQ(t, kread_nb(p.rd, junk, CAP - 100), CAP - 100);
	KTEST_EXPECT_EQ(t, kwrite(p.wr, "ab", 2), 2);
	KTEST_EXPECT_EQ(t, kread_nb(p.rd, junk, 1), 1);
	KTEST_EXPECT_EQ(t, pipe_splice_in(p.wr, 3 * 4096, true, kbuf_fill,
					  &in), 3 * 4096);
	KTEST_EXPECT_GE(t, in.calls, 4);        /* page pieces */
	KTEST_EXPECT_EQ(t, kread_nb(p.rd, junk, 1), 1);
	KTEST_EXPECT_MEMEQ(t, junk, "b", 1);
	KTEST_EXPECT_EQ(t, pipe_splice_out(p.rd, 4 * 4096, true, kbuf_drain,
					   &out), 3 * 4096);
	KTEST_EXPECT_MEMEQ(t, dst, src, 3 * 4096);
	KTEST_EXPECT_EQ(t, pipe_splice_out(p.rd, 1, true, kbuf_drain, &out),
			-EAGAIN);
	kpipe_close(&p);
	kfree(src);
	kfree(dst);
}

static void test_short_and_failing_actors(struct ktest *t)
{
	char src[16] = "0123456789", dst[16];
	struct kbuf in = { .p = src, .limit = 4 };
	struct kbuf out = { .p = dst, .limit = 3 };
	struct kpipe p;

	KTEST_ASSERT_TRUE(t, kpipe_open(&p));
	/* A short fill ends the walk; only what it gave is buffered. */
	KTEST_EXPECT_EQ(t, pipe_splice_in(p.wr, 10, false, kbuf_fill, &in), 4);
	in.fail = true;
	KTEST_EXPECT_EQ(t, pipe_splice_in(p.wr, 10, false, kbuf_fill, &in),
			-EIO);
	/* A short drain consumes only what it took. */
	KTEST_EXPECT_EQ(t, pipe_splice_out(p.rd, 10, false, kbuf_drain, &out),
			3);
	KTEST_EXPECT_MEMEQ(t, dst, "012", 3);
	out.fail = true;
	KTEST_EXPECT_EQ(t, pipe_splice_out(p.rd, 10, false, kbuf_drain, &out),
			-EIO);
	KTEST_EXPECT_EQ(t, kread_nb(p.rd, dst, sizeof(dst)), 1);
	KTEST_EXPECT_MEMEQ(t, dst, "3", 1);
	/* Without readers a fill fails with EPIPE, without writers a drain
	 * sees end of file. */
	kfile_close(&p.wr);
	KTEST_EXPECT_EQ(t, pipe_splice_out(p.rd, 10, false, kbuf_drain, &out),
			0);
	kpipe_close(&p);
	KTEST_ASSERT_TRUE(t, kpipe_open(&p));
	kfile_close(&p.rd);
	in.fail = false;
	KTEST_EXPECT_EQ(t, pipe_splice_in(p.wr, 10, false, kbuf_fill, &in),
			-EPIPE);
	kpipe_close(&p);
}

static struct ktest_case splice_cases[] = {
	KTEST_CASE(test_move_and_tee),
	KTEST_CASE(test_full_and_no_reader),
	KTEST_CASE(test_blocked_splice_wakes),
	KTEST_CASE(test_actors_wrap),
	KTEST_CASE(test_short_and_failing_actors),
	{}
};

KTEST_SUITE(splice, splice_cases);
