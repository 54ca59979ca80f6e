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
