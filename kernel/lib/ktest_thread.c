/*
 * Helpers for in-kernel tests that run kernel threads; see
 * <keel/ktest_thread.h>.
 */
#include <keel/err.h>
#include <keel/ktest_thread.h>
#include <keel/sched.h>
#include <keel/smp.h>
#include <keel/spinlock.h>
#include <keel/time.h>

bool ktest_lock_checking(void)
{
#if CONFIG_LOCK_DEBUG
	return lock_debug_enabled;
#else
	return false;
#endif
}

unsigned int ktest_nth_online_cpu(unsigned int i)
{
	unsigned int n = num_online_cpus(), cpu, seen = 0;

	i %= n ? n : 1;
	for (cpu = 0; cpu < NR_CPUS; cpu++)
		if (cpu_online(cpu) && seen++ == i)
			return cpu;
	return 0;
}

struct thread *ktest_spawn_on(int (*fn)(void *), void *arg, const char *name,
			      unsigned int i)
{
	struct thread *th = kthread_create(fn, arg, name);
	struct cpumask mask;

	if (IS_ERR(th))
		return NULL;
	cpumask_clear(&mask);
	cpumask_set_cpu(ktest_nth_online_cpu(i), &mask);
	sched_setaffinity(th, &mask);
	thread_start(th);
	return th;
}

bool ktest_wait_asleep(struct thread *th, long state)
{
	int i;

	for (i = 0; i < 2000; i++) {
		if (READ_ONCE(th->state) == state && !READ_ONCE(th->on_rq))
			return true;
		sleep_ns(NSEC_PER_MSEC);
	}
	return false;
}

void ktest_occ_enter(struct ktest_occupancy *o)
{
	int n = __atomic_add_fetch(&o->inside, 1, __ATOMIC_SEQ_CST);
	int m = __atomic_load_n(&o->max, __ATOMIC_RELAXED);

	while (n > m && !__atomic_compare_exchange_n(&o->max, &m, n, false,
						     __ATOMIC_SEQ_CST,
						     __ATOMIC_RELAXED))
		;
}

void ktest_occ_leave(struct ktest_occupancy *o)
{
	__atomic_sub_fetch(&o->inside, 1, __ATOMIC_SEQ_CST);
}

void ktest_hold_a_while(int i)
{
	int j;

	if (i % 4 == 0) {
		yield();
		return;
	}
	for (j = 0; j < 50; j++)
		arch_cpu_relax();
}
