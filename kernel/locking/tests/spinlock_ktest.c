/*
 * ktests for spinlocks and their checker (lockdep).
 *
 * The correctness cases run in every build. The detection cases provoke
 * each report on purpose with private locks (marked expected, so their
 * first line reads "lockdep: expected: ...") and check that it was counted
 * and that the kernel, the lock and this CPU's held-lock record all carry
 * on normally; they skip when checking is off. Another CPU's unlock is
 * simulated by rewriting the lock's holder byte. The last case measures
 * the cost of a lock/unlock pair with checking on and off, reported as
 * "# spinlock_cost:".
 */
#include <keel/arch.h>
#include <keel/cpu.h>
#include <keel/ktest.h>
#include <keel/ktest_thread.h>
#include <keel/lockdep.h>
#include <keel/printk.h>
#include <keel/spinlock.h>

#define KTAP_DIAG "    # "

static bool skip_unchecked(struct ktest *t)
{
	if (ktest_lock_checking())
		return false;
	ktest_skip(t, "lock checking is off");
	return true;
}

/* Start a provoked report; returns the report count before it. */
static unsigned long expect_begin(void)
{
	lockdep_expect_reports(true);
	return lockdep_reports();
}

static void expect_end(void)
{
	lockdep_expect_reports(false);
}

static bool unlocked_clean(struct spinlock *l)
{
	return !spin_is_locked(l) && l->next == l->owner;
}

/* ---- correctness -------------------------------------------------------- */

static void test_lock_unlock_counts(struct ktest *t)
{
	struct spinlock l;
	unsigned long reports = lockdep_reports();
	unsigned int i, held = lockdep_held_count(), inside = 0;

	spin_lock_init(&l);
	KTEST_EXPECT_TRUE(t, unlocked_clean(&l));
	for (i = 0; i < 1000; i++) {    /* > 256: the tickets wrap */
		spin_lock(&l);
		inside += spin_is_locked(&l);
		spin_unlock(&l);
	}
	KTEST_EXPECT_EQ(t, inside, 1000);
	KTEST_EXPECT_TRUE(t, unlocked_clean(&l));
	KTEST_EXPECT_EQ(t, lockdep_held_count(), held);
	KTEST_EXPECT_EQ(t, lockdep_reports(), reports);
}

static void test_held_count_tracks_nesting(struct ktest *t)
{
	struct spinlock a, b;
	unsigned int held = lockdep_held_count();

	spin_lock_init(&a);
	spin_lock_init(&b);
	spin_lock(&a);
	spin_lock(&b);
	if (ktest_lock_checking())
		KTEST_EXPECT_EQ(t, lockdep_held_count(), held + 2);
	spin_unlock(&a);        /* out of order is allowed */
	if (ktest_lock_checking())
		KTEST_EXPECT_EQ(t, lockdep_held_count(), held + 1);
	spin_unlock(&b);
	KTEST_EXPECT_EQ(t, lockdep_held_count(), held);
	KTEST_EXPECT_TRUE(t, unlocked_clean(&a) && unlocked_clean(&b));
}

static void test_trylock(struct ktest *t)
{
	struct spinlock l;
	unsigned long reports = lockdep_reports();

	spin_lock_init(&l);
	KTEST_EXPECT_TRUE(t, spin_trylock(&l));
	KTEST_EXPECT_TRUE(t, spin_is_locked(&l));
	/* Held (by us): trylock fails, and that is no error. */
	KTEST_EXPECT_FALSE(t, spin_trylock(&l));
	spin_unlock(&l);
	KTEST_EXPECT_TRUE(t, unlocked_clean(&l));
	spin_lock(&l);
	KTEST_EXPECT_FALSE(t, spin_trylock(&l));
	spin_unlock(&l);
	KTEST_EXPECT_TRUE(t, spin_trylock(&l));
	spin_unlock(&l);
	KTEST_EXPECT_TRUE(t, unlocked_clean(&l));
	KTEST_EXPECT_EQ(t, lockdep_reports(), reports);
}

static void test_irqsave_restores_flag(struct ktest *t)
{
	struct spinlock l;
	unsigned long outer, flags;
	bool was_on = arch_irqs_enabled();

	spin_lock_init(&l);
	/* Interrupts on (if they are on now): off inside, on again after. */
	if (was_on) {
		flags = spin_lock_irqsave(&l);
		KTEST_EXPECT_FALSE(t, arch_irqs_enabled());
		spin_unlock_irqrestore(&l, flags);
		KTEST_EXPECT_TRUE(t, arch_irqs_enabled());
	}
	/* Interrupts off: they stay off, nested or not. */
	outer = arch_irq_save();
	flags = spin_lock_irqsave(&l);
	KTEST_EXPECT_FALSE(t, arch_irqs_enabled());
	spin_unlock_irqrestore(&l, flags);
	KTEST_EXPECT_FALSE(t, arch_irqs_enabled());
	arch_irq_restore(outer);
	KTEST_EXPECT_EQ(t, arch_irqs_enabled(), was_on);
	KTEST_EXPECT_TRUE(t, unlocked_clean(&l));
}

static void test_consistent_order_no_report(struct ktest *t)
{
	struct spinlock a, b, c;
	unsigned long reports = lockdep_reports();
	unsigned long flags;
	int i;

	spin_lock_init(&a);
	spin_lock_init(&b);
	spin_lock_init(&c);
	for (i = 0; i < 3; i++) {
		spin_lock(&a);
		spin_lock(&b);
		flags = spin_lock_irqsave(&c);
		spin_unlock_irqrestore(&c, flags);
		spin_unlock(&b);
		spin_lock(&c);          /* a -> c again, directly */
		spin_unlock(&c);
		spin_unlock(&a);
		spin_lock(&b);          /* b -> c without a */
		spin_lock(&c);
		spin_unlock(&c);
		spin_unlock(&b);
	}
	KTEST_EXPECT_EQ(t, lockdep_reports(), reports);
}

/* ---- detections --------------------------------------------------------- */

static DEFINE_SPINLOCK(ktest_static_lock);

static void test_recursion_reported(struct ktest *t)
{
	unsigned int held = lockdep_held_count();
	unsigned long reports;

	if (skip_unchecked(t))
		return;
	reports = expect_begin();
	spin_lock(&ktest_static_lock);
	spin_lock(&ktest_static_lock);          /* would spin forever */
	expect_end();
	KTEST_EXPECT_EQ(t, lockdep_reports(), reports + 1);
	KTEST_EXPECT_TRUE(t, spin_is_locked(&ktest_static_lock));
	spin_unlock(&ktest_static_lock);        /* matches the skipped one */
	KTEST_EXPECT_TRUE(t, spin_is_locked(&ktest_static_lock));
	spin_unlock(&ktest_static_lock);
	KTEST_EXPECT_TRUE(t, unlocked_clean(&ktest_static_lock));
	KTEST_EXPECT_EQ(t, lockdep_held_count(), held);
	KTEST_EXPECT_EQ(t, lockdep_reports(), reports + 1);
}

static void test_recursion_irqsave_reported(struct ktest *t)
{
	struct spinlock l;
	unsigned long reports, f1, f2, outer;

	if (skip_unchecked(t))
		return;
	spin_lock_init(&l);
	outer = arch_irq_save();
	reports = expect_begin();
	f1 = spin_lock_irqsave(&l);
	f2 = spin_lock_irqsave(&l);
	expect_end();
	KTEST_EXPECT_EQ(t, lockdep_reports(), reports + 1);
	spin_unlock_irqrestore(&l, f2);
	KTEST_EXPECT_TRUE(t, spin_is_locked(&l));
	spin_unlock_irqrestore(&l, f1);
	arch_irq_restore(outer);
	KTEST_EXPECT_TRUE(t, unlocked_clean(&l));
	/* trylock of a lock we hold fails quietly. */
	spin_lock(&l);
	KTEST_EXPECT_FALSE(t, spin_trylock(&l));
	spin_unlock(&l);
	KTEST_EXPECT_EQ(t, lockdep_reports(), reports + 1);
}

static void test_inversion_ab_ba(struct ktest *t)
{
	struct spinlock a, b;
	unsigned int held = lockdep_held_count();
	unsigned long reports;

	if (skip_unchecked(t))
		return;
	spin_lock_init(&a);
	spin_lock_init(&b);
	reports = expect_begin();
	spin_lock(&a);          /* sequence 1: a then b */
	spin_lock(&b);
	spin_unlock(&b);
	spin_unlock(&a);
	KTEST_EXPECT_EQ(t, lockdep_reports(), reports);
	spin_lock(&b);          /* sequence 2: b then a */
	spin_lock(&a);
	KTEST_EXPECT_EQ(t, lockdep_reports(), reports + 1);
	spin_unlock(&a);
	spin_unlock(&b);
	spin_lock(&b);          /* reported once per pair */
	spin_lock(&a);
	spin_unlock(&a);
	spin_unlock(&b);
	expect_end();
	KTEST_EXPECT_EQ(t, lockdep_reports(), reports + 1);
	KTEST_EXPECT_TRUE(t, unlocked_clean(&a) && unlocked_clean(&b));
	KTEST_EXPECT_EQ(t, lockdep_held_count(), held);
}

static void test_inversion_through_chain(struct ktest *t)
{
	struct spinlock a, b, c;
	unsigned long reports, flags;

	if (skip_unchecked(t))
		return;
	spin_lock_init(&a);
	spin_lock_init(&b);
	spin_lock_init(&c);
	reports = expect_begin();
	spin_lock(&a);          /* a -> b */
	spin_lock(&b);
	spin_unlock(&b);
	spin_unlock(&a);
	spin_lock(&b);          /* b -> c */
	flags = spin_lock_irqsave(&c);
	spin_unlock_irqrestore(&c, flags);
	spin_unlock(&b);
	KTEST_EXPECT_EQ(t, lockdep_reports(), reports);
	spin_lock(&c);          /* c -> a closes a -> b -> c -> a */
	spin_lock(&a);
	spin_unlock(&a);
	spin_unlock(&c);
	expect_end();
	KTEST_EXPECT_EQ(t, lockdep_reports(), reports + 1);
}

static void init_same_site(struct spinlock *l)
{
	spin_lock_init(l);      /* one site, so one class */
}

static void test_same_class_nesting(struct ktest *t)
{
	struct spinlock x, y;
	unsigned long reports;

	if (skip_unchecked(t))
		return;
	init_same_site(&x);
	init_same_site(&y);
	reports = expect_begin();
	spin_lock(&x);
	spin_lock(&y);
	spin_unlock(&y);
	spin_unlock(&x);
	spin_lock(&y);          /* once per class */
	spin_lock(&x);
	spin_unlock(&x);
	spin_unlock(&y);
	expect_end();
	KTEST_EXPECT_EQ(t, lockdep_reports(), reports + 1);
	KTEST_EXPECT_TRUE(t, unlocked_clean(&x) && unlocked_clean(&y));
}

static void test_unlock_unheld(struct ktest *t)
{
	struct spinlock l;
	unsigned long reports;

	if (skip_unchecked(t))
		return;
	spin_lock_init(&l);
	reports = expect_begin();
	preempt_disable();      /* what the missing spin_lock() would have done */
	spin_unlock(&l);
	expect_end();
	KTEST_EXPECT_EQ(t, lockdep_reports(), reports + 1);
	/* Ignored: the tickets are intact and the lock still works. */
	KTEST_EXPECT_TRUE(t, unlocked_clean(&l));
	spin_lock(&l);
	KTEST_EXPECT_TRUE(t, spin_is_locked(&l));
	spin_unlock(&l);
	KTEST_EXPECT_TRUE(t, unlocked_clean(&l));
	KTEST_EXPECT_EQ(t, lockdep_reports(), reports + 1);
}

static void test_unlock_wrong_cpu(struct ktest *t)
{
	struct spinlock l;
	unsigned int held = lockdep_held_count();
	unsigned long reports, flags;

	if (skip_unchecked(t))
		return;
	spin_lock_init(&l);
	flags = arch_irq_save();
	spin_lock(&l);
#if CONFIG_LOCK_DEBUG
	/* Pretend the next CPU took it: we are now the wrong CPU. */
	l.dbg_cpu = (u8)((cpu_id() + 1) % NR_CPUS + 1);
#endif
	reports = expect_begin();
	spin_unlock(&l);
	expect_end();
	arch_irq_restore(flags);
	KTEST_EXPECT_EQ(t, lockdep_reports(), reports + 1);
	/* Released as asked, and every record of it dropped. */
	KTEST_EXPECT_TRUE(t, unlocked_clean(&l));
	KTEST_EXPECT_EQ(t, lockdep_held_count(), held);
	spin_lock(&l);
	spin_unlock(&l);
	KTEST_EXPECT_EQ(t, lockdep_reports(), reports + 1);
}

static void test_assert_held(struct ktest *t)
{
	struct spinlock l;
	unsigned long reports;

	if (skip_unchecked(t))
		return;
	spin_lock_init(&l);
	reports = expect_begin();
	spin_lock(&l);
	lock_assert_held(&l);
	KTEST_EXPECT_EQ(t, lockdep_reports(), reports);
	spin_unlock(&l);
	lock_assert_held(&l);
	expect_end();
	KTEST_EXPECT_EQ(t, lockdep_reports(), reports + 1);
}

/* ---- cost --------------------------------------------------------------- */

#define BENCH_ROUNDS 2000

static volatile bool bench_check;  /* the branch, as lock_debug=0 runs it */

/* Cycles per lock/unlock pair of @l, best of three runs. */
static u64 bench_pairs(struct spinlock *l, int how)
{
	u64 best = ~0ULL, t0, dt;
	unsigned long flags = arch_irq_save();
	int run, i;

	for (run = 0; run < 3; run++) {
		t0 = arch_cycles();
		for (i = 0; i < BENCH_ROUNDS; i++) {
			if (how == 0) {         /* as built, checking on */
				spin_lock(l);
				spin_unlock(l);
			} else if (how == 1) {  /* checking off at run time */
				__spin_lock(l, bench_check);
				__spin_unlock(l, bench_check);
			} else {                /* the bare ticket lock */
				__ticket_lock(l);
				__ticket_unlock(l);
			}
		}
		dt = (arch_cycles() - t0) / BENCH_ROUNDS;
		best = MIN(best, dt);
	}
	arch_irq_restore(flags);
	return best;
}

static void test_lock_cost(struct ktest *t)
{
	struct spinlock l, o1, o2;
	u64 on, off, bare, nested;

	spin_lock_init(&l);
	spin_lock_init(&o1);
	spin_lock_init(&o2);
	bench_check = false;
	on = bench_pairs(&l, 0);
	off = bench_pairs(&l, 1);
	bare = bench_pairs(&l, 2);
	spin_lock(&o1);         /* two held: the order checks run too */
	spin_lock(&o2);
	nested = bench_pairs(&l, 0);
	spin_unlock(&o2);
	spin_unlock(&o1);
	pr_info(KTAP_DIAG "spinlock_cost: cycles per lock+unlock: checked %llu (%llu with 2 held), lock_debug=0 %llu, bare ticket %llu%s\n",
		on, nested, off, bare,
		ktest_lock_checking() ? "" : " (checking off: all unchecked)");
	KTEST_EXPECT_TRUE(t, unlocked_clean(&l));
}

static struct ktest_case spinlock_cases[] = {
	KTEST_CASE(test_lock_unlock_counts),
	KTEST_CASE(test_held_count_tracks_nesting),
	KTEST_CASE(test_trylock),
	KTEST_CASE(test_irqsave_restores_flag),
	KTEST_CASE(test_consistent_order_no_report),
	KTEST_CASE(test_recursion_reported),
	KTEST_CASE(test_recursion_irqsave_reported),
	KTEST_CASE(test_inversion_ab_ba),
	KTEST_CASE(test_inversion_through_chain),
	KTEST_CASE(test_same_class_nesting),
	KTEST_CASE(test_unlock_unheld),
	KTEST_CASE(test_unlock_wrong_cpu),
	KTEST_CASE(test_assert_held),
	KTEST_CASE(test_lock_cost),
	{}
};
KTEST_SUITE(spinlock, spinlock_cases);
