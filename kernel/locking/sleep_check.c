/*
 * Checks for code that may sleep: might_sleep() in atomic context, and
 * sleeping locks still held when a thread exits. Reports go through the
 * lock checker (lockdep_report), so tests count them with
 * lockdep_reports() and system tests reject "lockdep: BUG" lines.
 */
#include <keel/compiler.h>
#include <keel/lockdep.h>
#include <keel/sched.h>
#include <keel/spinlock.h>
#include <keel/sprintf.h>

#define _RET_IP_ ((unsigned long)__builtin_return_address(0))

void __might_sleep(const char *file, int line)
{
	char detail[128];

	/* Before the scheduler (no current thread) nothing sleeps yet. */
	if (!current || !in_atomic())
		return;
	snprintf(detail, sizeof(detail),
		 "at %s:%d: preempt count %#x, interrupts %s, thread %s",
		 file, line, preempt_count(),
		 arch_irqs_enabled() ? "on" : "off", current->name);
	lockdep_report("sleeping function called from invalid context",
		       detail, _RET_IP_);
}

void lockdep_map_init(struct lockdep_map *map, struct lock_class_key *key)
{
	map->key = key;
	map->class = 0;
}

/*
 * Track @map on the calling thread's held stack. Ordering checks between
 * sleeping locks are the checker's job (spinlock_debug.c).
 */
void lockdep_acquire(struct lockdep_map *map, bool trylock, unsigned long ip)
{
	struct thread *t = current;

	if (!t || !lock_debug_on())
		return;
	if (t->held_sleep_depth < LOCKDEP_THREAD_HELD_MAX) {
		t->held_sleep[t->held_sleep_depth].lock = map;
		t->held_sleep[t->held_sleep_depth].class_key = map->key;
		t->held_sleep[t->held_sleep_depth].ip = ip;
	}
	t->held_sleep_depth++;
}

void lockdep_release(struct lockdep_map *map, unsigned long ip)
{
	struct thread *t = current;
	unsigned int i, n;

	if (!t || !lock_debug_on())
		return;
	n = MIN(t->held_sleep_depth, (unsigned int)LOCKDEP_THREAD_HELD_MAX);
	for (i = n; i-- > 0;) {
		if (t->held_sleep[i].lock != map)
			continue;
		for (; i + 1 < n; i++)
			t->held_sleep[i] = t->held_sleep[i + 1];
		t->held_sleep_depth--;
		return;
	}
	if (t->held_sleep_depth > LOCKDEP_THREAD_HELD_MAX) {
		t->held_sleep_depth--;      /* an untracked overflow entry */
		return;
	}
	lockdep_report("releasing a sleeping lock this thread does not hold",
		       NULL, ip);
}

void lockdep_thread_exit(struct thread *t)
{
	char detail[128];
	unsigned int i;

	for (i = 0; i < t->held_sleep_depth && i < LOCKDEP_THREAD_HELD_MAX;
	     i++) {
		snprintf(detail, sizeof(detail),
			 "thread %s exits holding lock %p taken at %pS",
			 t->name, t->held_sleep[i].lock,
			 (void *)t->held_sleep[i].ip);
		lockdep_report("lock held at thread exit", detail, _RET_IP_);
	}
}
