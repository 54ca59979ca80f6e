/*
 * lockdep: the spinlock checker's limits and its interface for tests.
 *
 * The checker itself is called from the spin_* wrappers in
 * <keel/spinlock.h>; its rules are in kernel/locking/spinlock_debug.c and
 * docs/locking.md ("Lock debugging"). In brief:
 *
 *  - A lock class is what lock ordering is about: a static lock
 *    (DEFINE_SPINLOCK, SPINLOCK_INIT, or zeroed memory) is a class of its
 *    own, named by its address; locks set up by spin_lock_init() share the
 *    class of that call site ("&zone->lock@kernel/mm/page_alloc.c:562").
 *  - Taking B while this CPU holds A records "A before B". Taking B while
 *    holding A when "B before ... before A" is already recorded is a
 *    lock-order inversion; so is nesting two locks of one class.
 *  - Each report is printed at KERN_ERR, every line starting "lockdep:",
 *    the first "lockdep: BUG: <what>" (or "lockdep: expected: <what>" while
 *    a test has said it provokes one), the last "lockdep: end of report N",
 *    and is counted by lockdep_reports(). Nothing is fatal.
 */
#ifndef KEEL_LOCKDEP_H
#define KEEL_LOCKDEP_H

#include <keel/types.h>

#define LOCKDEP_MAX_CLASSES 254  /* class + 1 fits in u8, 0xff = "none" */
#define LOCKDEP_MAX_WITNESS 512  /* orders remembered with their call sites */
#define LOCKDEP_HELD_MAX    16   /* locks one CPU may hold at once, tracked */
#define LOCKDEP_PRINT_MAX   64   /* reports printed; later ones only counted */

/*
 * lockdep_reports - problems reported since boot.
 * Context: any. Return: 0 when checking is compiled out.
 */
unsigned long lockdep_reports(void);

/*
 * lockdep_expect_reports - mark the reports that follow as provoked on
 * purpose (their first line says "expected" instead of "BUG"), or stop.
 * Context: tests, with no other CPU expected to report meanwhile.
 */
void lockdep_expect_reports(bool on);

/*
 * lockdep_report - print and count one report in the checker's format:
 * "lockdep: BUG: @what on CPUn", @detail (may be NULL), the call trace
 * from @ip. For the sleeping-lock and sleep-context checks. Context: any.
 */
void lockdep_report(const char *what, const char *detail, unsigned long ip);

/*
 * Sleeping locks (mutex, rt_mutex, rwsem, semaphore) tell the checker
 * about themselves through a struct lockdep_map embedded in the lock:
 *
 *	lockdep_map_init(&m->dep_map, key)    at init; @key is the per-site
 *	                                      static key of the lock's init
 *	                                      macro, or NULL for a statically
 *	                                      defined lock (its class is then
 *	                                      the map's own address)
 *	lockdep_acquire(&m->dep_map, trylock, ip)  before blocking for it
 *	lockdep_release(&m->dep_map, ip)      when releasing it
 *
 * Held sleeping locks are tracked per thread (struct thread's held_sleep
 * stack), since their holder may sleep and migrate.
 */
struct lock_class_key;
struct lockdep_map {
	struct lock_class_key *key;   /* NULL: class of this map's address */
	u8 class;                     /* class + 1, 0 until first acquired */
};

void lockdep_map_init(struct lockdep_map *map, struct lock_class_key *key);
void lockdep_acquire(struct lockdep_map *map, bool trylock, unsigned long ip);
void lockdep_release(struct lockdep_map *map, unsigned long ip);

struct thread;
/*
 * lockdep_thread_exit - report every sleeping lock @t still holds as it
 * exits (kernel/locking/sleep_check.c). Context: @t itself.
 */
void lockdep_thread_exit(struct thread *t);

/* Locks this CPU holds (or waits for) as the checker tracks them. */
unsigned int lockdep_held_count(void);

/* Classes registered so far, and orders ("A before B") recorded. */
unsigned int lockdep_class_count(void);
unsigned int lockdep_order_count(void);

#endif /* KEEL_LOCKDEP_H */
