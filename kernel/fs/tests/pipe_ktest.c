/*
 * ktests for pipes (suite "pipe"): the byte ring (order, wrap-around,
 * exact capacity, partial large writes), PIPE_BUF atomicity with several
 * concurrent writer threads, blocking reads and writes woken by the other
 * side, EOF and EPIPE when one side closes, poll masks, and resizing.
 *
 * The pipe ends are kernel-held files made by pipe_setup_kernel_ends and
 * used through f_op->read_kernel/write_kernel, so no fd table or user
 * memory is needed.
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

#define CAP (PIPE_DEF_BUFFERS * 4096)

/* Read exactly @n bytes (blocking reads may return less). */
static ssize_t kread_all(struct file *f, void *buf, size_t n)
{
	size_t done = 0;

	while (done < n) {
		ssize_t r = kread(f, (char *)buf + done, n - done);

		if (r <= 0)
			return done ? (ssize_t)done : r;
		done += (size_t)r;
	}
	return (ssize_t)done;
}

static void set_nonblock(struct file *f)
{
	f->f_flags |= O_NONBLOCK;
}

/* ---- single-threaded ring behaviour ----------------------------------- */

static void test_order_and_eof(struct ktest *t)
{
	struct kpipe p;
	char buf[32];

	KTEST_ASSERT_TRUE(t, kpipe_open(&p));
	KTEST_EXPECT_EQ(t, kwrite(p.wr, "0123456789", 10), 10);
	KTEST_EXPECT_EQ(t, kwrite(p.wr, "abcdef", 6), 6);
	KTEST_EXPECT_EQ(t, kread(p.rd, buf, 4), 4);
	KTEST_EXPECT_MEMEQ(t, buf, "0123", 4);
	KTEST_EXPECT_EQ(t, kread(p.rd, buf, sizeof(buf)), 12);
	KTEST_EXPECT_MEMEQ(t, buf, "456789abcdef", 12);
	set_nonblock(p.rd);
	KTEST_EXPECT_EQ(t, kread(p.rd, buf, 1), -EAGAIN);
	KTEST_EXPECT_EQ(t, kwrite(p.wr, "", 0), 0);
	KTEST_EXPECT_EQ(t, kwrite(p.wr, "z", 1), 1);
	kfile_close(&p.wr);
	/* Data still buffered is read first, then end of file. */
	KTEST_EXPECT_EQ(t, kread(p.rd, buf, sizeof(buf)), 1);
	KTEST_EXPECT_EQ(t, kread(p.rd, buf, sizeof(buf)), 0);
	kpipe_close(&p);
}

static void test_wraparound(struct ktest *t)
{
	static char out[3001], in[3001];
	struct kpipe p;
	unsigned int seq = 0, check = 0;
	int round, bad = 0;

	KTEST_ASSERT_TRUE(t, kpipe_open(&p));
	/* 3001-byte chunks against a 64 KiB ring: the ring wraps often. */
	for (round = 0; round < 200; round++) {
		for (size_t i = 0; i < sizeof(out); i++)
			out[i] = (char)(seq++ * 31 + 7);
		if (kwrite(p.wr, out, sizeof(out)) != (ssize_t)sizeof(out))
			bad++;
		if (round % 3 == 2) {
			for (int k = 0; k < 3; k++) {
				if (kread_all(p.rd, in, sizeof(in)) !=
				    (ssize_t)sizeof(in))
					bad++;
				for (size_t i = 0; i < sizeof(in); i++)
					if (in[i] != (char)(check++ * 31 + 7))
						bad++;
			}
		}
	}
	KTEST_EXPECT_EQ(t, bad, 0);
	kpipe_close(&p);
}

static void test_capacity_and_partial(struct ktest *t)
{
	static char page[4096], big[8192];
	struct kpipe p;
	long total = 0;
	ssize_t n;

	KTEST_ASSERT_TRUE(t, kpipe_open(&p));
	set_nonblock(p.wr);
	set_nonblock(p.rd);
	KTEST_EXPECT_EQ(t, pipe_fcntl(p.rd, F_GETPIPE_SZ, 0), CAP);
	KTEST_EXPECT_EQ(t, poll_file(p.wr, NULL), EPOLLOUT | EPOLLWRNORM);
	while ((n = kwrite(p.wr, page, sizeof(page))) > 0)
		total += n;
	KTEST_EXPECT_EQ(t, n, -EAGAIN);
	KTEST_EXPECT_EQ(t, total, CAP);
	KTEST_EXPECT_EQ(t, poll_file(p.wr, NULL), 0);
	KTEST_EXPECT_EQ(t, poll_file(p.rd, NULL), EPOLLIN | EPOLLRDNORM);
	KTEST_EXPECT_EQ(t, kwrite(p.wr, "x", 1), -EAGAIN);
	KTEST_EXPECT_EQ(t, kread(p.rd, page, 100), 100);
	/* 100 bytes free: an atomic 200-byte write must not go in part. */
	KTEST_EXPECT_EQ(t, kwrite(p.wr, big, 200), -EAGAIN);
	KTEST_EXPECT_EQ(t, kread(p.rd, page, sizeof(page) - 100), 3996);
	/* One page free: a non-atomic 8 KiB write takes exactly that. */
	KTEST_EXPECT_EQ(t, kwrite(p.wr, big, sizeof(big)), 4096);
	kpipe_close(&p);
}

static void test_resize(struct ktest *t)
{
	static char buf[16384];
	struct kpipe p;
	struct file *other;

	KTEST_ASSERT_TRUE(t, kpipe_open(&p));
	KTEST_EXPECT_EQ(t, pipe_fcntl(p.rd, F_SETPIPE_SZ, 4096), 4096);
	KTEST_EXPECT_EQ(t, pipe_fcntl(p.wr, F_GETPIPE_SZ, 0), 4096);
	KTEST_EXPECT_EQ(t, pipe_fcntl(p.rd, F_SETPIPE_SZ, 1), 4096);
	KTEST_EXPECT_EQ(t, pipe_fcntl(p.rd, F_SETPIPE_SZ, 5000), 8192);
	KTEST_EXPECT_EQ(t, pipe_fcntl(p.rd, F_SETPIPE_SZ, 3 * 4096), 16384);
	KTEST_EXPECT_EQ(t, pipe_fcntl(p.rd, F_SETPIPE_SZ, 0x80000001UL),
			-EINVAL);
	/* Wrap the ring, then resize: the data keeps its order. */
	memset(buf, 'a', sizeof(buf));
	KTEST_EXPECT_EQ(t, kwrite(p.wr, buf, 12000), 12000);
	KTEST_EXPECT_EQ(t, kread_all(p.rd, buf, 10000), 10000);
	for (int i = 0; i < 8000; i++)
		buf[i] = (char)i;
	KTEST_EXPECT_EQ(t, kwrite(p.wr, buf, 8000), 8000);
	KTEST_EXPECT_EQ(t, pipe_fcntl(p.rd, F_SETPIPE_SZ, 4096), -EBUSY);
	KTEST_EXPECT_EQ(t, pipe_fcntl(p.rd, F_SETPIPE_SZ, 1 << 20), 1 << 20);
	memset(buf, 0, sizeof(buf));
	KTEST_EXPECT_EQ(t, kread_all(p.rd, buf, 2000), 2000);  /* old tail */
	KTEST_EXPECT_EQ(t, kread_all(p.rd, buf, 8000), 8000);
	for (int i = 0; i < 8000; i++)
		if (buf[i] != (char)i) {
			KTEST_EXPECT_EQ(t, buf[i], (char)i);
			break;
		}
	other = kfile();
	KTEST_EXPECT_EQ(t, pipe_fcntl(other, F_GETPIPE_SZ, 0), -EBADF);
	kfree(other);
	kpipe_close(&p);
}

/* ---- threads ---------------------------------------------------------- */

#define WRITERS 4
#define RECORDS 64

struct writer_arg {
	struct file *wr;
	int id;
	size_t size;
};

static int writer_fn(void *arg)
{
	struct writer_arg *w = arg;
	char *rec = kmalloc(w->size, GFP_KERNEL);
	int bad = 0;

	if (!rec)
		return -ENOMEM;
	memset(rec, 'A' + w->id, w->size);
	for (int i = 0; i < RECORDS; i++)
		if (kwrite(w->wr, rec, w->size) != (ssize_t)w->size)
			bad++;
	kfree(rec);
	return bad;
}

static void atomicity_run(struct ktest *t, size_t size)
{
	struct writer_arg args[WRITERS];
	struct thread *th[WRITERS];
	int counts[WRITERS] = { 0 }, bad = 0;
	char *rec = kmalloc(size, GFP_KERNEL);
	struct kpipe p;

	KTEST_ASSERT_NOT_NULL(t, rec);
	KTEST_ASSERT_TRUE(t, kpipe_open(&p));
	for (int i = 0; i < WRITERS; i++) {
		args[i] = (struct writer_arg){ p.wr, i, size };
		th[i] = ktest_spawn_on(writer_fn, &args[i], "pipe_wr", i);
	}
	for (int i = 0; i < WRITERS * RECORDS; i++) {
		size_t j;

		if (kread_all(p.rd, rec, size) != (ssize_t)size) {
			bad++;
			break;
		}
		for (j = 1; j < size && rec[j] == rec[0]; j++)
			;
		if (j != size || rec[0] < 'A' || rec[0] >= 'A' + WRITERS)
			bad++;
		else
			counts[rec[0] - 'A']++;
	}
	for (int i = 0; i < WRITERS; i++) {
		KTEST_EXPECT_EQ(t, th[i] ? kthread_join(th[i]) : -1, 0);
		KTEST_EXPECT_EQ(t, counts[i], RECORDS);
	}
	KTEST_EXPECT_EQ(t, bad, 0);
	kpipe_close(&p);
	kfree(rec);
}

static void test_pipe_buf_atomic(struct ktest *t)
{
	atomicity_run(t, PIPE_BUF);
	atomicity_run(t, 100);
	atomicity_run(t, 3000);         /* does not divide the ring size */
}

struct io_arg {
	struct file *f;
	char buf[64];
	ssize_t ret;
};

static int reader_fn(void *arg)
{
	struct io_arg *a = arg;

	a->ret = kread(a->f, a->buf, sizeof(a->buf));
	return 0;
}

static int writer_big_fn(void *arg)
{
	struct io_arg *a = arg;

	a->ret = kwrite(a->f, "x", 1);
	return 0;
}

static void test_blocking_read_wakeup(struct ktest *t)
{
	struct io_arg a = { 0 };
	struct thread *th;
	struct kpipe p;

	KTEST_ASSERT_TRUE(t, kpipe_open(&p));
	a.f = p.rd;
	th = ktest_spawn_on(reader_fn, &a, "pipe_rd", 1);
	KTEST_ASSERT_NOT_NULL(t, th);
	KTEST_EXPECT_TRUE(t, ktest_wait_asleep(th, THREAD_INTERRUPTIBLE));
	KTEST_EXPECT_EQ(t, kwrite(p.wr, "wake", 4), 4);
	KTEST_EXPECT_EQ(t, kthread_join(th), 0);
	KTEST_EXPECT_EQ(t, a.ret, 4);
	KTEST_EXPECT_MEMEQ(t, a.buf, "wake", 4);

	/* A blocked reader sees EOF when the last writer goes. */
	th = ktest_spawn_on(reader_fn, &a, "pipe_rd", 1);
	KTEST_ASSERT_NOT_NULL(t, th);
	KTEST_EXPECT_TRUE(t, ktest_wait_asleep(th, THREAD_INTERRUPTIBLE));
	kfile_close(&p.wr);
	KTEST_EXPECT_EQ(t, kthread_join(th), 0);
	KTEST_EXPECT_EQ(t, a.ret, 0);
	kpipe_close(&p);
}

static void test_blocked_writer_epipe(struct ktest *t)
{
	static char page[4096];
	struct io_arg a = { 0 };
	struct thread *th;
	struct kpipe p;

	KTEST_ASSERT_TRUE(t, kpipe_open(&p));
	for (int i = 0; i < PIPE_DEF_BUFFERS; i++)
		KTEST_EXPECT_EQ(t, kwrite(p.wr, page, sizeof(page)), 4096);
	a.f = p.wr;
	th = ktest_spawn_on(writer_big_fn, &a, "pipe_wr", 1);
	KTEST_ASSERT_NOT_NULL(t, th);
	KTEST_EXPECT_TRUE(t, ktest_wait_asleep(th, THREAD_INTERRUPTIBLE));
	KTEST_EXPECT_EQ(t, poll_file(p.wr, NULL), 0);
	kfile_close(&p.rd);
	KTEST_EXPECT_EQ(t, kthread_join(th), 0);
	KTEST_EXPECT_EQ(t, a.ret, -EPIPE);
	KTEST_EXPECT_EQ(t, poll_file(p.wr, NULL), EPOLLERR);
	KTEST_EXPECT_EQ(t, kwrite(p.wr, "y", 1), -EPIPE);
	kpipe_close(&p);
}

/* A blocking write bigger than the ring completes while a reader drains. */
static int drain_fn(void *arg)
{
	struct io_arg *a = arg;
	static char sink[5000];
	ssize_t r, total = 0;

	while ((r = kread(a->f, sink, sizeof(sink))) > 0)
		total += r;
	a->ret = total;
	return 0;
}

static void test_large_blocking_write(struct ktest *t)
{
	size_t size = 4 * CAP + 123;
	char *big = kmalloc(size, GFP_KERNEL);
	struct io_arg a = { 0 };
	struct thread *th;
	struct kpipe p;

	KTEST_ASSERT_NOT_NULL(t, big);
	KTEST_ASSERT_TRUE(t, kpipe_open(&p));
	memset(big, 'q', size);
	a.f = p.rd;
	th = ktest_spawn_on(drain_fn, &a, "pipe_drain", 1);
	KTEST_ASSERT_NOT_NULL(t, th);
	KTEST_EXPECT_EQ(t, kwrite(p.wr, big, size), (ssize_t)size);
	kfile_close(&p.wr);
	KTEST_EXPECT_EQ(t, kthread_join(th), 0);
	KTEST_EXPECT_EQ(t, a.ret, (ssize_t)size);
	kpipe_close(&p);
	kfree(big);
}

static struct ktest_case pipe_cases[] = {
	KTEST_CASE(test_order_and_eof),
	KTEST_CASE(test_wraparound),
	KTEST_CASE(test_capacity_and_partial),
	KTEST_CASE(test_resize),
	KTEST_CASE(test_pipe_buf_atomic),
	KTEST_CASE(test_blocking_read_wakeup),
	KTEST_CASE(test_blocked_writer_epipe),
	KTEST_CASE(test_large_blocking_write),
	{}
};
KTEST_SUITE(pipe, pipe_cases);
