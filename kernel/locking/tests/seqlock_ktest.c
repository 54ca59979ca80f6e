/*
 * ktests for sequence counts, seqlocks and the latch (suite "seqlock").
 *
 * The concurrent cases run one writer thread that keeps a pair of values
 * equal (writing one, pausing, writing the other) and reader threads on
 * the other CPUs that read the pair through the seqlock and count torn
 * copies, which must stay at zero. The readers also read the pair without
 * the seqlock and report how often that tore ("# ... unprotected torn"),
 * to show the race the seqlock closes is real (it can only show on SMP).
 */
#include <keel/arch.h>
#include <keel/err.h>
#include <keel/ktest.h>
#include <keel/ktest_thread.h>
#include <keel/printk.h>
#include <keel/sched.h>
#include <keel/seqlock.h>
#include <keel/smp.h>
#include <keel/spinlock.h>
#include <keel/time.h>

#define KTAP_DIAG     "    # "
#define WRITES        4000
#define READERS       3

/* Writers pause between the two halves of a pair to widen the window. */
static void pause_a_little(void)
{
	int i;

	for (i = 0; i < 20; i++)
		arch_cpu_relax();
}

/* ---- single-threaded semantics ------------------------------------------ */

static void test_seqcount_retry(struct ktest *t)
{
	seqcount_t s = SEQCNT_ZERO;
	struct spinlock writer;
	unsigned int seq;

	spin_lock_init(&writer);
	seq = read_seqcount_begin(&s);
	KTEST_EXPECT_EQ(t, seq, 0);
	KTEST_EXPECT_FALSE(t, read_seqcount_retry(&s, seq));
	spin_lock(&writer);
	write_seqcount_begin(&s);
	KTEST_EXPECT_EQ(t, s.sequence & 1, 1);  /* odd while writing */
	write_seqcount_end(&s);
	spin_unlock(&writer);
	KTEST_EXPECT_TRUE(t, read_seqcount_retry(&s, seq));
	seq = read_seqcount_begin(&s);
	KTEST_EXPECT_EQ(t, seq, 2);
	KTEST_EXPECT_FALSE(t, read_seqcount_retry(&s, seq));
}

static void test_seqlock_irqsave(struct ktest *t)
{
	seqlock_t sl;
	unsigned long flags;
	unsigned int seq;
	bool irqs_inside;

	seqlock_init(&sl);
	seq = read_seqbegin(&sl);
	flags = write_seqlock_irqsave(&sl);
	irqs_inside = arch_irqs_enabled();
	write_sequnlock_irqrestore(&sl, flags);
	KTEST_EXPECT_FALSE(t, irqs_inside);
	KTEST_EXPECT_TRUE(t, arch_irqs_enabled());
	KTEST_EXPECT_TRUE(t, read_seqretry(&sl, seq));
	/* A locking reader excludes writers but does not move the count. */
	seq = read_seqbegin(&sl);
	read_seqlock_excl(&sl);
	KTEST_EXPECT_TRUE(t, spin_is_locked(&sl.lock));
	read_sequnlock_excl(&sl);
	KTEST_EXPECT_FALSE(t, read_seqretry(&sl, seq));
}

/* ---- a writer and readers ----------------------------------------------- */

struct pair {
	seqlock_t sl;
	u64 a, b;               /* [sl] equal outside a write */
	int stop;               /* [atomic] the writer is done */
	u64 reads, retries, torn, raw_torn, changes;    /* [atomic] */
};

static void add(u64 *p, u64 n)
{
	__atomic_add_fetch(p, n, __ATOMIC_RELAXED);
}

static int pair_writer(void *arg)
{
	struct pair *p = arg;
	u64 i;

	for (i = 1; i <= WRITES; i++) {
		write_seqlock(&p->sl);
		WRITE_ONCE(p->a, i);
		pause_a_little();
		WRITE_ONCE(p->b, i);
		write_sequnlock(&p->sl);
		if (i % 64 == 0)
			yield();
	}
	__atomic_store_n(&p->stop, 1, __ATOMIC_RELEASE);
	return 0;
}

static int pair_reader(void *arg)
{
	struct pair *p = arg;
	u64 a, b, last = 0, reads = 0, retries = 0, torn = 0, raw = 0;
	u64 changes = 0;
	unsigned int seq;

	while (!__atomic_load_n(&p->stop, __ATOMIC_ACQUIRE)) {
		for (;;) {
			seq = read_seqbegin(&p->sl);
			a = READ_ONCE(p->a);
			b = READ_ONCE(p->b);
			if (!read_seqretry(&p->sl, seq))
				break;
			retries++;
		}
		torn += a != b;
		changes += a != last;
		last = a;
		reads++;
		/* The same pair, unprotected. */
		a = READ_ONCE(p->a);
		b = READ_ONCE(p->b);
		raw += a != b;
		if (reads % 256 == 0)
			cond_resched();
	}
	add(&p->reads, reads);
	add(&p->retries, retries);
	add(&p->torn, torn);
	add(&p->raw_torn, raw);
	add(&p->changes, changes);
	return 0;
}

static void test_seqlock_no_torn_reads(struct ktest *t)
{
	struct thread *w, *r[READERS];
	struct pair p = { .a = 0, .b = 0 };
	int i;

	seqlock_init(&p.sl);
	for (i = 0; i < READERS; i++) {
		r[i] = ktest_spawn_on(pair_reader, &p, "seq_reader", i + 1);
		KTEST_EXPECT_NOT_NULL(t, r[i]);
	}
	w = ktest_spawn_on(pair_writer, &p, "seq_writer", 0);
	KTEST_EXPECT_NOT_NULL(t, w);
	if (w)
		KTEST_EXPECT_EQ(t, kthread_join(w), 0);
	else
		__atomic_store_n(&p.stop, 1, __ATOMIC_RELEASE);
	for (i = 0; i < READERS; i++)
		if (r[i])
			KTEST_EXPECT_EQ(t, kthread_join(r[i]), 0);
	pr_info(KTAP_DIAG "seqlock: %llu reads, %llu retries, %llu values "
		"seen change, %llu unprotected torn\n", p.reads, p.retries,
		p.changes, p.raw_torn);
	KTEST_EXPECT_EQ(t, p.torn, 0);
	KTEST_EXPECT_GT(t, p.reads, 0);
	KTEST_EXPECT_GT(t, p.changes, 1);
	KTEST_EXPECT_EQ(t, p.a, WRITES);
	KTEST_EXPECT_EQ(t, p.b, WRITES);
	KTEST_EXPECT_EQ(t, p.sl.seqcount.sequence, 2 * WRITES);
}

/* ---- the latch ---------------------------------------------------------- */

struct latch {
	seqcount_t seq;
	struct {
		u64 a, b;
	} copy[2];
	int stop;
	u64 reads, torn;
};

static void latch_write(struct latch *l, u64 v)
{
	int i;

	for (i = 0; i < 2; i++) {
		raw_write_seqcount_latch(&l->seq);
		WRITE_ONCE(l->copy[i].a, v);
		pause_a_little();
		WRITE_ONCE(l->copy[i].b, v);
	}
}

static u64 latch_read(struct latch *l, u64 *b)
{
	unsigned int seq;
	u64 a;

	do {
		seq = read_seqcount_latch(&l->seq);
		a = READ_ONCE(l->copy[seq & 1].a);
		*b = READ_ONCE(l->copy[seq & 1].b);
	} while (read_seqcount_latch_retry(&l->seq, seq));
	return a;
}

/*
 * A latch reader in the middle of a write (as an NMI on the writer's CPU
 * would be) does not wait: it gets the copy not being written.
 */
static void test_latch_reader_inside_write(struct ktest *t)
{
	struct latch l = { .seq = SEQCNT_ZERO };
	u64 a, b;

	latch_write(&l, 1);
	raw_write_seqcount_latch(&l.seq);
	WRITE_ONCE(l.copy[0].a, 2);             /* copy 0 half-written */
	a = latch_read(&l, &b);
	KTEST_EXPECT_EQ(t, a, 1);
	KTEST_EXPECT_EQ(t, b, 1);
	WRITE_ONCE(l.copy[0].b, 2);
	raw_write_seqcount_latch(&l.seq);
	WRITE_ONCE(l.copy[1].a, 2);             /* copy 1 half-written */
	a = latch_read(&l, &b);
	KTEST_EXPECT_EQ(t, a, 2);
	KTEST_EXPECT_EQ(t, b, 2);
}

static int latch_reader(void *arg)
{
	struct latch *l = arg;
	u64 a, b, reads = 0, torn = 0;

	while (!__atomic_load_n(&l->stop, __ATOMIC_ACQUIRE)) {
		a = latch_read(l, &b);
		torn += a != b;
		if (++reads % 256 == 0)
			cond_resched();
	}
	add(&l->reads, reads);
	add(&l->torn, torn);
	return 0;
}

static void test_latch_no_torn_reads(struct ktest *t)
{
	struct latch l = { .seq = SEQCNT_ZERO };
	struct thread *r[READERS];
	struct spinlock writer;
	u64 v;
	int i;

	spin_lock_init(&writer);
	for (i = 0; i < READERS; i++) {
		r[i] = ktest_spawn_on(latch_reader, &l, "latch_reader", i + 1);
		KTEST_EXPECT_NOT_NULL(t, r[i]);
	}
	for (v = 1; v <= WRITES; v++) {
		spin_lock(&writer);
		latch_write(&l, v);
		spin_unlock(&writer);
		if (v % 64 == 0)
			yield();
	}
	__atomic_store_n(&l.stop, 1, __ATOMIC_RELEASE);
	for (i = 0; i < READERS; i++)
		if (r[i])
			KTEST_EXPECT_EQ(t, kthread_join(r[i]), 0);
	KTEST_EXPECT_EQ(t, l.torn, 0);
	KTEST_EXPECT_GT(t, l.reads, 0);
	KTEST_EXPECT_EQ(t, l.seq.sequence, 2 * WRITES);
}

static struct ktest_case seqlock_cases[] = {
	KTEST_CASE(test_seqcount_retry),
	KTEST_CASE(test_seqlock_irqsave),
	KTEST_CASE(test_seqlock_no_torn_reads),
	KTEST_CASE(test_latch_reader_inside_write),
	KTEST_CASE(test_latch_no_torn_reads),
	{}
};
KTEST_SUITE(seqlock, seqlock_cases);
