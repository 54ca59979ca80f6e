/*
 * lockdep's sleeping-lock side, and checks for code that may sleep.
 *
 *	might_sleep()              reports when called in atomic context
 *	lockdep_map_init()         a sleeping lock's map (class: key or address)
 *	lockdep_acquire()          before blocking for it, or after a trylock
 *	lockdep_release()          when releasing it
 *	lockdep_thread_exit()      reports the locks an exiting thread holds
 *
 * A thread holds sleeping locks across sleeps and migrations, so they are
 * tracked on the thread (struct thread's held_sleep stack), never per CPU.
 * The stack is [t]: only the thread itself changes or reads it, from
 * thread context (these functions, and the spinlock checker when the
 * thread takes a spinlock). Interrupt handlers leave it alone, since the
 * thread they interrupted may be half-way through changing it; so a
 * sleeping lock taken or released from an interrupt handler is not
 * tracked (taking one is reported). Preemption is harmless: no other
 * thread looks at this thread's stack, and the scheduler, which may
 * switch the thread out at any instruction and takes spinlocks on its
 * behalf meanwhile, only reads it. For that reader, entries are written
 * before the depth covers them and removed by shifting the ones above
 * down, so a half-done update shows it at worst the lock being released,
 * which adds a harmless "sleeping lock before spinlock" order.
 *
 * Classes, orders and reports are the spinlock checker's
 * (spinlock_debug.c): a sleeping lock is ordered after the other sleeping
 * locks the thread holds, and reports go through the same table, graph
 * and format, counted by lockdep_reports(). What is reported:
 *
 *  - a blocking acquisition in atomic context (preemption or interrupts
 *    off), and any acquisition in an interrupt handler: with the spinlocks
 *    this CPU holds, and a recorded chain from the lock to one of them if
 *    there is one (then the two would also deadlock). Trylocks in thread
 *    context are exempt: they do not sleep. This is might_sleep()'s check
 *    with more detail; a lock calls one or the other, not both.
 *  - a lock-order inversion between sleeping locks, or nesting two of one
 *    class, reported once per pair like spinlocks. A trylock records no
 *    order before it (it cannot wait).
 *  - recursive acquisition of a lock the thread holds (not for trylocks,
 *    which cannot have succeeded on a lock that waits for its holder).
 *    It is recorded twice, so each of the two releases drops one.
 *  - releasing a lock the thread does not hold: nothing is changed.
 *  - more than LOCKDEP_THREAD_HELD_MAX held: the extras are counted in
 *    held_sleep_depth but not tracked; a release that matches no tracked
 *    entry then drops one of them. When a tracked entry is released
 *    meanwhile, an untracked lock moves into the stack's top slot as an
 *    unknown entry (lock NULL), which orders nothing.
 *  - locks still held when the thread exits: one report listing them.
 */
#include <keel/compiler.h>
#include <keel/ksyms.h>
#include <keel/lockdep.h>
#include <keel/sched.h>
#include <keel/spinlock.h>
#include <keel/sprintf.h>

#define _RET_IP_ ((unsigned long)__builtin_return_address(0))

void __might_sleep(const char *file, int line)
{
	char detail[160];

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

unsigned int lockdep_held_sleep_count(void)
{
	struct thread *t = current;

	return t ? READ_ONCE(t->held_sleep_depth) : 0;
}

#if CONFIG_LOCK_DEBUG

/* Entries of @t's stack that are tracked (the rest only counted). */
static unsigned int tracked(const struct thread *t)
{
	return MIN(t->held_sleep_depth, (unsigned int)LOCKDEP_THREAD_HELD_MAX);
}

/* The most recent entry for @map (NULL: an unknown one) on @t's stack. */
static struct lockdep_held_sleep *
held_sleep_find(struct thread *t, const struct lockdep_map *map)
{
	unsigned int i = tracked(t);

	while (i-- > 0)
		if (t->held_sleep[i].lock == map)
			return &t->held_sleep[i];
	return NULL;
}

/* "<class> (sleeping lock 0x...)" for @map, classed if it was not yet. */
static const char *describe(char *buf, size_t size, struct lockdep_map *map,
			    unsigned long ip)
{
	char name[128];

	scnprintf(buf, size, "%s (sleeping lock %p)",
		  lockdep_class_name(name, sizeof(name),
				     lockdep_map_class(map, ip)),
		  map);
	return buf;
}

struct site {
	char s[96];
};

/* "function+0xoff/0xsize" for a code address. */
static const char *site(struct site *b, unsigned long ip)
{
	ksym_snprint(b->s, sizeof(b->s), ip);
	return b->s;
}

static void report_sleep_recursion(struct lockdep_map *map,
				   const struct lockdep_held_sleep *outer,
				   unsigned long ip)
{
	char detail[400], lock[192];
	struct site s1, s2;

	snprintf(detail, sizeof(detail),
		 "taking %s at %s\n"
		 "already held by this thread (%s), taken at %s\n"
		 "a lock that waits for its holder never returns; recorded as held twice",
		 describe(lock, sizeof(lock), map, ip), site(&s1, ip),
		 current->name, site(&s2, outer->ip));
	lockdep_report("recursive locking", detail, ip);
}

static void report_sleep_overflow(struct lockdep_map *map, unsigned long ip)
{
	char detail[300], lock[192];
	struct site s;

	snprintf(detail, sizeof(detail),
		 "%s taken at %s is not tracked: thread %s already holds %d",
		 describe(lock, sizeof(lock), map, ip), site(&s, ip),
		 current->name, LOCKDEP_THREAD_HELD_MAX);
	lockdep_report("too many sleeping locks held", detail, ip);
}

/* Locks held but not tracked: beyond the stack, or unknown entries in it. */
static unsigned int untracked(const struct thread *t)
{
	unsigned int i, n = tracked(t), known = 0;

	for (i = 0; i < n; i++)
		known += t->held_sleep[i].lock != NULL;
	return t->held_sleep_depth - known;
}

/*
 * Drop entry @i, keeping the order of the ones above it. A lock beyond
 * the stack, if any, now takes the top slot, unknown.
 */
static void held_sleep_remove(struct thread *t, unsigned int i)
{
	unsigned int n = tracked(t);

	for (; i + 1 < n; i++)
		t->held_sleep[i] = t->held_sleep[i + 1];
	t->held_sleep[n - 1].lock = NULL;
	barrier();
	WRITE_ONCE(t->held_sleep_depth, t->held_sleep_depth - 1);
}

/* Write the entry first, then let the depth cover it. */
static void held_sleep_push(struct thread *t, struct lockdep_map *map,
			    unsigned long ip)
{
	unsigned int d = t->held_sleep_depth;

	if (d < LOCKDEP_THREAD_HELD_MAX) {
		t->held_sleep[d].lock = map;
		t->held_sleep[d].class_key = map->key ? (const void *)map->key
						      : (const void *)map;
		t->held_sleep[d].ip = ip;
		barrier();
	}
	WRITE_ONCE(t->held_sleep_depth, d + 1);
	if (d >= LOCKDEP_THREAD_HELD_MAX)
		report_sleep_overflow(map, ip);
}

void lockdep_acquire(struct lockdep_map *map, bool trylock, unsigned long ip)
{
	struct thread *t = current;
	struct lockdep_held_sleep *outer;
	u8 c;

	if (!t || !lock_debug_on())
		return;
	c = lockdep_map_class(map, ip);
	if (in_hardirq() || (!trylock && in_atomic()))
		lockdep_report_sleep_atomic(map, c, ip);
	if (in_hardirq())
		return;     /* the interrupted thread's stack is not ours */
	if (!trylock) {
		outer = held_sleep_find(t, map);
		if (outer)
			report_sleep_recursion(map, outer, ip);
		else
			lockdep_order_sleeping(t, map, c, ip);
	}
	held_sleep_push(t, map, ip);
}

void lockdep_release(struct lockdep_map *map, unsigned long ip)
{
	struct thread *t = current;
	struct lockdep_held_sleep *e;
	char detail[300], lock[192];
	struct site s;

	if (!t || !lock_debug_on() || in_hardirq())
		return;
	e = held_sleep_find(t, map);
	if (e) {
		held_sleep_remove(t, (unsigned int)(e - t->held_sleep));
		return;
	}
	/* Not tracked: it may be one of the untracked ones. */
	if (t->held_sleep_depth > LOCKDEP_THREAD_HELD_MAX) {
		WRITE_ONCE(t->held_sleep_depth, t->held_sleep_depth - 1);
		return;
	}
	e = held_sleep_find(t, NULL);
	if (e) {
		held_sleep_remove(t, (unsigned int)(e - t->held_sleep));
		return;
	}
	snprintf(detail, sizeof(detail),
		 "%s released at %s by thread %s\nthe release is ignored",
		 describe(lock, sizeof(lock), map, ip), site(&s, ip), t->name);
	lockdep_report("releasing a sleeping lock this thread does not hold",
		       detail, ip);
}

void lockdep_thread_exit(struct thread *t)
{
	unsigned int i, n, more, depth = t->held_sleep_depth;
	char detail[LOCKDEP_THREAD_HELD_MAX * 160 + 128], lock[192];
	struct site s;
	size_t len;

	if (!depth || !lock_debug_on())
		return;
	n = tracked(t);
	more = untracked(t);
	len = scnprintf(detail, sizeof(detail),
			"thread %s exits holding %u sleeping lock%s:",
			t->name, depth, depth == 1 ? "" : "s");
	for (i = 0; i < n; i++) {
		struct lockdep_map *map = (void *)t->held_sleep[i].lock;

		if (!map)
			continue;
		len += scnprintf(detail + len, sizeof(detail) - len,
				 "\n  %s, taken at %s",
				 describe(lock, sizeof(lock), map,
					  t->held_sleep[i].ip),
				 site(&s, t->held_sleep[i].ip));
	}
	if (more)
		len += scnprintf(detail + len, sizeof(detail) - len,
				 "\n  and %u more, not tracked", more);
	scnprintf(detail + len, sizeof(detail) - len,
		  "\nthey stay locked: whoever waits for them waits forever");
	lockdep_report("lock held at thread exit", detail, _RET_IP_);
	WRITE_ONCE(t->held_sleep_depth, 0);
}

#else /* !CONFIG_LOCK_DEBUG */

void lockdep_acquire(struct lockdep_map *map, bool trylock, unsigned long ip)
{
}

void lockdep_release(struct lockdep_map *map, unsigned long ip)
{
}

void lockdep_thread_exit(struct thread *t)
{
}

#endif /* CONFIG_LOCK_DEBUG */
