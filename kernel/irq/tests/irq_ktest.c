/*
 * ktests for the generic IRQ layer on a real line: the PIT's channel 0 runs
 * free (kernel/arch/x86_64/pit.c) and raises ISA IRQ 0 every ~55 ms once the
 * line is unmasked, routed through the IOAPIC with the MADT's override (or
 * the legacy PIC without one). Covers delivery and counting, sharing,
 * IRQ_NONE falling through to the next handler, -EBUSY and -EINVAL, and
 * masking again on free.
 */
#include <keel/arch.h>
#include <keel/errno.h>
#include <keel/irq.h>
#include <keel/ktest.h>
#include <keel/smp.h>
#include <keel/time.h>

#define TEST_IRQ   0
#define WAIT_NS    (400 * NSEC_PER_MSEC)

static int hits_a, hits_b;

static enum irq_return handler_a(unsigned int irq, void *data)
{
	__atomic_fetch_add(&hits_a, 1, __ATOMIC_RELAXED);
	return *(bool *)data ? IRQ_HANDLED : IRQ_NONE;
}

static enum irq_return handler_b(unsigned int irq, void *data)
{
	__atomic_fetch_add(&hits_b, 1, __ATOMIC_RELAXED);
	return IRQ_HANDLED;
}

/* Wait with interrupts on until @counter reaches @n or time runs out. */
static bool wait_hits(int *counter, int n)
{
	u64 end = clock_monotonic_ns() + WAIT_NS;

	while (__atomic_load_n(counter, __ATOMIC_RELAXED) < n) {
		if (clock_monotonic_ns() > end)
			return false;
		arch_cpu_relax();
	}
	return true;
}

static u64 total_count(unsigned int irq)
{
	unsigned int cpu;
	u64 n = 0;

	for (cpu = 0; cpu < NR_CPUS; cpu++)
		n += irq_count(irq, cpu);
	return n;
}

static void test_line_delivers_and_counts(struct ktest *t)
{
	static bool claim = true;
	u64 before = total_count(TEST_IRQ);

	KTEST_EXPECT_TRUE(t, arch_irqs_enabled());
	hits_a = 0;
	KTEST_ASSERT_EQ(t, irq_request(TEST_IRQ, handler_a, 0, "ktest-a", &claim), 0);
	KTEST_EXPECT_TRUE(t, wait_hits(&hits_a, 2));
	irq_free(TEST_IRQ, &claim);
	KTEST_EXPECT_GE(t, total_count(TEST_IRQ), before + 2);
}

static void test_shared_line_falls_through(struct ktest *t)
{
	static bool decline = false;
	static int token;

	hits_a = hits_b = 0;
	KTEST_ASSERT_EQ(t, irq_request(TEST_IRQ, handler_a, IRQF_SHARED,
				       "ktest-a", &decline), 0);
	KTEST_ASSERT_EQ(t, irq_request(TEST_IRQ, handler_b, IRQF_SHARED,
				       "ktest-b", &token), 0);
	/* a declines every interrupt (IRQ_NONE), so b sees each one too. */
	KTEST_EXPECT_TRUE(t, wait_hits(&hits_b, 2));
	KTEST_EXPECT_GE(t, hits_a, hits_b - 1);
	irq_free(TEST_IRQ, &decline);
	irq_free(TEST_IRQ, &token);
}

static void test_exclusive_line_busy(struct ktest *t)
{
	static bool claim = true;
	static int other;

	KTEST_ASSERT_EQ(t, irq_request(TEST_IRQ, handler_a, 0, "ktest-a", &claim), 0);
	KTEST_EXPECT_EQ(t, irq_request(TEST_IRQ, handler_b, IRQF_SHARED,
				       "ktest-b", &other), -EBUSY);
	irq_free(TEST_IRQ, &claim);
	KTEST_EXPECT_EQ(t, irq_request(NR_IRQS, handler_a, 0, "bad", &claim), -EINVAL);
	KTEST_EXPECT_EQ(t, irq_request(TEST_IRQ, NULL, 0, "bad", &claim), -EINVAL);
}

static void test_freed_line_is_quiet(struct ktest *t)
{
	static bool claim = true;
	u64 before, end;

	KTEST_ASSERT_EQ(t, irq_request(TEST_IRQ, handler_a, 0, "ktest-a", &claim), 0);
	irq_free(TEST_IRQ, &claim);
	before = total_count(TEST_IRQ);
	end = clock_monotonic_ns() + 150 * NSEC_PER_MSEC;
	while (clock_monotonic_ns() < end)
		arch_cpu_relax();
	/* At most one interrupt already in flight when the line was masked. */
	KTEST_EXPECT_LE(t, total_count(TEST_IRQ), before + 1);
}

static struct ktest_case irq_cases[] = {
	KTEST_CASE(test_line_delivers_and_counts),
	KTEST_CASE(test_shared_line_falls_through),
	KTEST_CASE(test_exclusive_line_busy),
	KTEST_CASE(test_freed_line_is_quiet),
	{}
};
KTEST_SUITE(irq, irq_cases);
