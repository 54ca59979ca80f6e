/*
 * Read-copy update (RCU): readers that take no lock, writers that wait.
 *
 * Readers run between rcu_read_lock() and rcu_read_unlock(), which only
 * disable preemption, so a reader never blocks a writer and costs no
 * shared-memory write. A writer publishes a new version of an object with
 * rcu_assign_pointer() and frees the old one only after a grace period:
 * a time in which every CPU has passed through a quiescent state (a
 * context switch, idle), so every reader that could still see the old
 * version has finished. This is the classic, non-preemptible flavour: a
 * reader may not sleep.
 *
 *	reader				writer (under its own lock)
 *	rcu_read_lock();		new = copy of old, changed;
 *	p = rcu_dereference(gp);	rcu_assign_pointer(gp, new);
 *	... use *p, no sleeping ...	synchronize_rcu(); (or call_rcu)
 *	rcu_read_unlock();		kfree(old);
 *
 * Interface:
 *	rcu_read_lock/unlock	read-side critical section; nests; any
 *				context
 *	rcu_dereference(p)	load a pointer a reader follows
 *	rcu_assign_pointer(p, v) publish @v (release store)
 *	RCU_INIT_POINTER(p, v)	store without ordering: NULL, or an
 *				object no reader can reach yet
 *	synchronize_rcu()	wait for a full grace period (sleeps)
 *	call_rcu(head, func)	func(head) after a grace period, in the
 *				grace-period kernel thread
 *	rcu_barrier()		wait until every callback queued before
 *				the call has run
 *	get_state_synchronize_rcu()	  a cookie now;
 *	poll_state_synchronize_rcu(c)	  has a full GP passed since?
 *	cond_synchronize_rcu(c)		  wait for one unless it has
 *
 * The design (grace-period kthread, idle as an extended quiescent state,
 * nudging CPUs that do not switch) is described in kernel/sched/rcu.c.
 */
#ifndef KEEL_RCU_H
#define KEEL_RCU_H

#include <keel/compiler.h>
#include <keel/preempt.h>
#include <keel/types.h>

/*
 * A callback queued by call_rcu(), usually embedded in the object it
 * frees. Owned by RCU from call_rcu() until @func is called.
 */
struct rcu_head {
	struct rcu_head *next;
	void (*func)(struct rcu_head *head);
};

/* ---- the read side ------------------------------------------------------ */

/*
 * rcu_read_lock - begin a read-side critical section. It must not sleep;
 * the CPU cannot switch threads until rcu_read_unlock(), which is what
 * makes a context switch a quiescent state. Context: any.
 */
static __always_inline void rcu_read_lock(void)
{
	preempt_disable();
}

static __always_inline void rcu_read_unlock(void)
{
	preempt_enable();
}

/*
 * True when the caller may be inside a read-side critical section (for
 * assertions: anything that keeps the CPU from switching counts).
 */
static __always_inline bool rcu_read_lock_held(void)
{
	return preempt_count() != 0 || !arch_irqs_enabled();
}

/*
 * rcu_dereference - load an RCU-protected pointer for a reader. A plain
 * single load: the reader's accesses through it depend on its value, and
 * every supported CPU orders dependent loads (rcu_assign_pointer's release
 * is the other half).
 */
#define rcu_dereference(p) READ_ONCE(p)

/* The same for updaters holding the lock that serializes them (@c). */
#define rcu_dereference_protected(p, c) ((void)(c), (p))

/* Load the pointer only to test or compare it, never to follow it. */
#define rcu_access_pointer(p) READ_ONCE(p)

/*
 * rcu_assign_pointer - publish @v in @p: everything written to *v before
 * is visible to a reader that loads @v with rcu_dereference().
 */
#define rcu_assign_pointer(p, v)                                            \
	do {                                                                \
		__typeof__(p) __rcu_v = (v);                                \
		__atomic_store_n(&(p), __rcu_v, __ATOMIC_RELEASE);          \
	} while (0)

/* Store without ordering: for NULL, or before readers can see @p at all. */
#define RCU_INIT_POINTER(p, v) WRITE_ONCE(p, v)

/* ---- the update side (kernel/sched/rcu.c) ------------------------------- */

/*
 * call_rcu - call @func(@head) once a grace period that starts after this
 * call has ended. Callbacks run in the grace-period kernel thread with
 * preemption on, in queueing order per CPU; they should be short and must
 * not sleep (they hold up later callbacks) nor wait for a grace period.
 * Context: any (interrupt handlers included), but not with a run-queue
 * lock held (it may wake the grace-period thread).
 */
void call_rcu(struct rcu_head *head, void (*func)(struct rcu_head *head));

/*
 * synchronize_rcu - wait until every read-side critical section that
 * began before the call has ended, and memory freed after it returns
 * can no longer be reached by readers.
 * Context: process context, may sleep; not inside a read-side section,
 * not from an RCU callback.
 */
void synchronize_rcu(void);

/*
 * rcu_barrier - wait until every callback queued by call_rcu() before the
 * call (on any CPU) has returned; e.g. before freeing what callbacks use.
 * Context: process context, may sleep; not from an RCU callback.
 */
void rcu_barrier(void);

/*
 * Polled grace periods: a cookie now, and later whether a full grace
 * period has passed since it was taken. cond_synchronize_rcu() waits for
 * one only if not. Context: any (cond_synchronize_rcu: may sleep).
 */
unsigned long get_state_synchronize_rcu(void);
bool poll_state_synchronize_rcu(unsigned long cookie);
void cond_synchronize_rcu(unsigned long cookie);

/* ---- statistics (tests and reports); context: any ----------------------- */

/* Grace periods completed since boot. */
u64 rcu_gp_completed(void);
/* Reschedule requests sent to CPUs that were slow to report (nudges). */
u64 rcu_nudge_count(void);
/* Callbacks invoked since boot. */
u64 rcu_callbacks_invoked(void);

/* ---- hooks for the scheduler and the arch ------------------------------- */

/*
 * rcu_init - start the grace-period thread. Process context, once, before
 * anything uses RCU (kernel_init). call_rcu() may queue before it.
 */
void rcu_init(void);

/*
 * A quiescent state on this CPU: called by __schedule() on every pass,
 * before it takes the run-queue lock. Interrupts off, no lock held.
 */
void rcu_note_context_switch(void);

/*
 * The idle loop brackets each halt with these (interrupts off): in between
 * the CPU is in an extended quiescent state and needs no nudging.
 */
void rcu_idle_enter(void);
void rcu_idle_exit(void);

/*
 * Interrupt entry and exit (interrupts off): an interrupt taken in idle
 * leaves the extended quiescent state for its duration, so its handler may
 * use rcu_read_lock(). Cheap when the CPU is not idle.
 */
void rcu_irq_enter(void);
void rcu_irq_exit(void);

#endif /* KEEL_RCU_H */
