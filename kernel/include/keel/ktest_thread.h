/*
 * Helpers shared by the in-kernel tests that run kernel threads (locking,
 * wait queues, the scheduler): where to put a thread, how to start it
 * pinned, how to wait until it sleeps. Test code only.
 */
#ifndef KEEL_KTEST_THREAD_H
#define KEEL_KTEST_THREAD_H

#include <keel/sched.h>
#include <keel/types.h>

/* Is the lock checker on (compiled in and enabled at boot)? */
bool ktest_lock_checking(void);

/* The @i-th online CPU, counting modulo the number of online CPUs. */
unsigned int ktest_nth_online_cpu(unsigned int i);

/*
 * ktest_spawn_on - start @fn(@arg) as a kernel thread pinned to the
 * (@i mod n)-th online CPU. Return: the thread (join it), or NULL.
 */
struct thread *ktest_spawn_on(int (*fn)(void *), void *arg, const char *name,
			      unsigned int i);

/*
 * ktest_wait_asleep - wait (up to 2 s, sleeping 1 ms at a time) until @th
 * sleeps in @state, off its run queue. Return: true if it did.
 */
bool ktest_wait_asleep(struct thread *th, long state);

/*
 * How many threads are inside a critical section, and the most seen at
 * once: a mutual-exclusion test asserts max == 1, a semaphore test
 * max <= its count. Updated with atomics by the threads themselves.
 */
struct ktest_occupancy {
	int inside;
	int max;
};

void ktest_occ_enter(struct ktest_occupancy *o);
void ktest_occ_leave(struct ktest_occupancy *o);

/* A short critical section for stress tests: every 4th @i yields. */
void ktest_hold_a_while(int i);

#endif /* KEEL_KTEST_THREAD_H */
