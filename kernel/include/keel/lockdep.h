/*
 * lockdep: the lock checker's limits and its interface.
 *
 * The spinlock side is called from the spin_* wrappers in <keel/spinlock.h>
 * (kernel/locking/spinlock_debug.c); sleeping locks call lockdep_acquire()
 * and lockdep_release() below (kernel/locking/sleep_check.c). The rules are
 * in those files and in docs/locking.md ("Lock debugging"). In brief:
 *
 *  - A lock class is what lock ordering is about: a static lock
 *    (DEFINE_SPINLOCK, SPINLOCK_INIT, zeroed memory, or a sleeping lock
 *    whose map has no key) is a class of its own, named by its address;
 *    locks set up at one init site share that site's class
 *    ("&zone->lock@kernel/mm/page_alloc.c:562"). Spinlocks and sleeping
 *    locks share one class table and one order graph.
 *  - Taking B while holding A records "A before B". Taking B while
 *    holding A when "B before ... before A" is already recorded is a
 *    lock-order inversion; so is nesting two locks of one class. A CPU
 *    holds spinlocks; a thread holds sleeping locks (and, while it runs,
 *    its CPU's spinlocks). Orders recorded: spinlock -> spinlock, sleeping
 *    -> sleeping, sleeping -> spinlock; never spinlock -> sleeping, since
 *    taking a sleeping lock under a spinlock is reported by itself.
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
 * "lockdep: BUG: @what on CPUn", then @detail (may be NULL; each of its
 * '\n'-separated lines gets its own "lockdep:" line), then the call trace
 * from @ip. For the sleep-context checks. Context: any; nothing is printed
 * while checking is off or this CPU is already inside a report.
 */
void lockdep_report(const char *what, const char *detail, unsigned long ip);

/*
 * Sleeping locks (mutex, rt_mutex, rwsem; not counting semaphores, which
 * one thread may hold several times and another may release) tell the
 * checker about themselves through a struct lockdep_map in the lock:
 *
 *	lockdep_map_init(&m->dep_map, key)    at init; @key is the per-site
 *	                                      static key of the lock's init
 *	                                      macro (name: __LOCK_SITE(#m)),
 *	                                      or NULL for a statically
 *	                                      defined lock (its class is then
 *	                                      the map's own address)
 *	lockdep_acquire(&m->dep_map, false, ip)  on entry to a blocking
 *	                                      acquisition: before anything
 *	                                      that blocks, and before the
 *	                                      lock's own internal spinlock
 *	                                      is taken (so the context check
 *	                                      sees the caller's context); it
 *	                                      does might_sleep()'s check, so
 *	                                      do not call both
 *	lockdep_acquire(&m->dep_map, true, ip)   after a successful trylock
 *	lockdep_release(&m->dep_map, ip)      when releasing it, and when a
 *	                                      blocking acquisition gives up
 *	                                      (interrupted, timed out)
 *
 * @ip is the lock's caller (_RET_IP_ of mutex_lock and the like), so
 * reports name the code that took the lock, not the lock's internals.
 *
 * lockdep_acquire() reports a blocking acquisition in atomic context
 * (preemption or interrupts off), any acquisition from an interrupt
 * handler, taking a sleeping lock the thread already holds, and
 * lock-order inversions against the thread's other sleeping locks;
 * lockdep_release() reports releasing a lock the thread does not hold.
 * Held sleeping locks are tracked per thread (struct thread's held_sleep
 * stack, touched only by the thread itself), since their holder may
 * sleep and migrate; a spinlock taken while the thread holds sleeping
 * locks records "sleeping lock before spinlock" orders.
 */
struct lock_class_key;
struct lockdep_map {
	struct lock_class_key *key;   /* NULL: class of this map's address */
	u8 class;                     /* class + 1, 0 until first acquired;
					 set once, read without a lock */
};

void lockdep_map_init(struct lockdep_map *map, struct lock_class_key *key);
void lockdep_acquire(struct lockdep_map *map, bool trylock, unsigned long ip);
void lockdep_release(struct lockdep_map *map, unsigned long ip);

struct thread;
/*
 * lockdep_thread_exit - report, in one report, every sleeping lock @t
 * still holds as it exits, and forget them (kernel/locking/sleep_check.c).
 * Context: @t itself.
 */
void lockdep_thread_exit(struct thread *t);

/* Sleeping locks the running thread holds as the checker tracks them. */
unsigned int lockdep_held_sleep_count(void);

/* Locks this CPU holds (or waits for) as the checker tracks them. */
unsigned int lockdep_held_count(void);

/* Classes registered so far, and orders ("A before B") recorded. */
unsigned int lockdep_class_count(void);
unsigned int lockdep_order_count(void);

/*
 * ---- inside the checker: spinlock_debug.c's services for sleep_check.c --
 * Not for other callers. With CONFIG_LOCK_DEBUG=0 they do not exist.
 */
#define LOCKDEP_CLASS_NONE 0xff  /* class + 1 when the class table is full */

/* @map's class + 1 (registered on first use), or LOCKDEP_CLASS_NONE. */
u8 lockdep_map_class(struct lockdep_map *map, unsigned long ip);
/* "name@file:line" or "lock@<address> (first taken at <fn>)" for @class. */
const char *lockdep_class_name(char *buf, size_t size, u8 class);
/*
 * Record "held -> @map" for each sleeping lock @t (the running thread)
 * holds, and report the first inversion. Context: @t, may be preempted.
 */
void lockdep_order_sleeping(struct thread *t, const struct lockdep_map *map,
			    u8 class, unsigned long ip);
/*
 * Report @map being taken in atomic context or an interrupt handler,
 * with this CPU's held spinlocks and any recorded chain from @map to one
 * of them. Context: atomic (the caller cannot migrate).
 */
void lockdep_report_sleep_atomic(const struct lockdep_map *map, u8 class,
				 unsigned long ip);

#endif /* KEEL_LOCKDEP_H */
