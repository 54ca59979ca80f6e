/*
 * ktests for SMP: every CPU the firmware lists is online, cross-CPU calls
 * (waiting and not), an exact spinlock-protected counter incremented from
 * every CPU at once, reschedule IPIs, and TLB shootdown (an unmapped page
 * faults on every CPU, not just the one that unmapped it).
 */
#include <keel/acpi.h>
#include <keel/arch.h>
#include <keel/errno.h>
#include <keel/ktest.h>
#include <keel/mm.h>
#include <keel/smp.h>
#include <keel/spinlock.h>
#include <keel/vm.h>

#define SPIN_LIMIT 200000000UL

static unsigned int expected_cpus(void)
{
	unsigned int i, n = 0;

	if (!acpi.have_madt)
		return 1;
	for (i = 0; i < acpi.cpu_count; i++)
		n += acpi.cpus[i].enabled;
	return MIN(n ? n : 1, (unsigned int)NR_CPUS);
}

static void test_every_cpu_online(struct ktest *t)
{
	unsigned int cpu;

	KTEST_EXPECT_EQ(t, num_online_cpus(), expected_cpus());
	for (cpu = 0; cpu < num_online_cpus(); cpu++)
		KTEST_EXPECT_TRUE(t, cpu_online(cpu));
	KTEST_EXPECT_FALSE(t, cpu_online(NR_CPUS));
}

static void record_cpu(void *arg)
{
	unsigned int *where = arg;

	where[cpu_id()] = cpu_id() + 1;
}

static void test_call_single_waits(struct ktest *t)
{
	static unsigned int seen[NR_CPUS];
	unsigned int cpu;

	for (cpu = 0; cpu < num_online_cpus(); cpu++) {
		KTEST_EXPECT_EQ(t, smp_call_function_single(cpu, record_cpu, seen,
							    true), 0);
		KTEST_EXPECT_EQ(t, seen[cpu], cpu + 1);
	}
	KTEST_EXPECT_EQ(t, smp_call_function_single(NR_CPUS - 1, record_cpu,
						    seen, true), -ENXIO);
}

static int async_count;

static void bump(void *arg)
{
	__atomic_fetch_add(&async_count, 1, __ATOMIC_RELAXED);
}

static bool wait_for(int *var, int value)
{
	unsigned long spins;

	for (spins = 0; spins < SPIN_LIMIT; spins++) {
		if (__atomic_load_n(var, __ATOMIC_ACQUIRE) == value)
			return true;
		arch_cpu_relax();
	}
	return false;
}

static void test_call_without_waiting(struct ktest *t)
{
	unsigned int others = num_online_cpus() - 1;

	async_count = 0;
	smp_call_function_others(bump, NULL, false);
	KTEST_EXPECT_TRUE(t, wait_for(&async_count, (int)others));
}

#define COUNTER_ROUNDS 3000

static DEFINE_SPINLOCK(counter_lock);
static unsigned long counter;
static int counters_done;

static void count_under_lock(void *arg)
{
	unsigned int i;

	for (i = 0; i < COUNTER_ROUNDS; i++) {
		spin_lock(&counter_lock);
		counter++;
		spin_unlock(&counter_lock);
	}
	__atomic_fetch_add(&counters_done, 1, __ATOMIC_RELEASE);
}

static void test_spinlock_counter_exact(struct ktest *t)
{
	unsigned int n = num_online_cpus();

	counter = 0;
	counters_done = 0;
	/* The others start first and run while this CPU counts too. */
	smp_call_function_others(count_under_lock, NULL, false);
	count_under_lock(NULL);
	KTEST_ASSERT_TRUE(t, wait_for(&counters_done, (int)n));
	KTEST_EXPECT_EQ(t, counter, (unsigned long)n * COUNTER_ROUNDS);
}

static void test_resched_ipi(struct ktest *t)
{
	unsigned int cpu;

	for (cpu = 1; cpu < num_online_cpus(); cpu++) {
		u64 before = smp_resched_count(cpu);
		unsigned long spins = 0;

		smp_send_reschedule(cpu);
		while (smp_resched_count(cpu) == before && spins++ < SPIN_LIMIT)
			arch_cpu_relax();
		KTEST_EXPECT_GT(t, smp_resched_count(cpu), before);
	}
}

struct probe_args {
	u8 *addr;
	int result[NR_CPUS];
};

static void probe_on_cpu(void *arg)
{
	struct probe_args *p = arg;
	u8 v;

	p->result[cpu_id()] = (int)arch_probe_read_u8(p->addr, &v);
}

static void test_tlb_shootdown(struct ktest *t)
{
	static struct probe_args p;
	unsigned int cpu, n = num_online_cpus();

	p.addr = vmalloc(PAGE_SIZE);
	KTEST_ASSERT_NOT_NULL(t, p.addr);
	p.addr[0] = 1;
	on_each_cpu(probe_on_cpu, &p);          /* every TLB now caches it */
	for (cpu = 0; cpu < n; cpu++)
		KTEST_EXPECT_EQ(t, p.result[cpu], 0);
	vfree(p.addr);                          /* unmaps and shoots down */
	on_each_cpu(probe_on_cpu, &p);
	for (cpu = 0; cpu < n; cpu++)
		KTEST_EXPECT_EQ(t, p.result[cpu], -EFAULT);
}

static struct ktest_case smp_cases[] = {
	KTEST_CASE(test_every_cpu_online),
	KTEST_CASE(test_call_single_waits),
	KTEST_CASE(test_call_without_waiting),
	KTEST_CASE(test_spinlock_counter_exact),
	KTEST_CASE(test_resched_ipi),
	KTEST_CASE(test_tlb_shootdown),
	{}
};
KTEST_SUITE(smp, smp_cases);
