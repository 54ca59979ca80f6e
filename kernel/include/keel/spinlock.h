/*
 * Spinlocks: ticket locks, fair across CPUs, with a checking mode.
 *
 * A spinlock is held for short, non-sleeping sections; its holder is never
 * preempted (<keel/preempt.h>). Take it with spin_lock_irqsave() when an
 * interrupt handler may take it too.
 *
 *	DEFINE_SPINLOCK(name)          a static lock; its class is the lock
 *	struct spinlock l = SPINLOCK_INIT;     the same, written out
 *	spin_lock_init(&obj->lock)     a lock in allocated memory; its class
 *	                               is this call site (one per line)
 *	spin_lock / spin_trylock / spin_unlock / spin_is_locked
 *	spin_lock_irqsave / spin_unlock_irqrestore
 *	lock_assert_held(l)            this CPU holds @l (checked mode only)
 *
 * Checking (lockdep, kernel/locking/spinlock_debug.c): with
 * CONFIG_LOCK_DEBUG=1 (the default; -DCONFIG_LOCK_DEBUG=0 compiles it out)
 * and the `lock_debug` boot parameter on (the default), every operation
 * goes through the checker, which reports recursive locking, lock-order
 * inversions, unlocking a lock that is not held and unlocking on the wrong
 * CPU, and never lets any of them hang or crash the kernel. With
 * lock_debug=0 the cost is one predictable branch per operation. See
 * <keel/lockdep.h> and docs/locking.md.
 *
 * Encoding: the lock is 4 bytes either way, because structures embed it
 * with exact layouts (struct slab_cpu fills two cache lines). Checked
 * builds use 8-bit tickets (fine for up to 255 CPUs) and keep two bytes
 * for the checker: the holding CPU + 1 (0 = none recorded) and the lock's
 * class + 1 (0 = not yet assigned). Every other piece of checker state
 * (where each held lock was taken, the lock-order graph) lives in the
 * checker's own tables, per CPU or global.
 *
 * A lock in memory that is reused for other things must be set up with
 * spin_lock_init(): a lock that is only zeroed gets a class of its own
 * address, which outlives the memory.
 *
 * Field tags: [holder] written by the CPU that holds the lock, read by any;
 * [a] written and read with single-copy atomic accesses by any CPU.
 * spin_lock() disables preemption before the checker runs (the checker's
 * per-CPU state assumes the thread stays on its CPU).
 */
#ifndef KEEL_SPINLOCK_H
#define KEEL_SPINLOCK_H

#include <keel/arch.h>
#include <keel/compiler.h>
#include <keel/cpu.h>
#include <keel/preempt.h>
#include <keel/types.h>

#ifndef CONFIG_LOCK_DEBUG
#ifdef KEEL_HOST
#define CONFIG_LOCK_DEBUG 0      /* host unit tests opt in explicitly */
#else
#define CONFIG_LOCK_DEBUG 1
#endif
#endif

#if CONFIG_LOCK_DEBUG

struct spinlock {
	u8 next;         /* next ticket to hand out */
	u8 owner;        /* ticket now being served */
	u8 dbg_cpu;      /* [holder] CPU + 1 that took it, checked; 0 none */
	u8 dbg_class;    /* [a] class + 1; 0 unassigned; see lockdep.h */
} __aligned(2);      /* the layout of the unchecked lock */

STATIC_ASSERT(NR_CPUS < 255, "8-bit tickets and CPU numbers");

/*
 * A per-site key for spin_lock_init(): "expression@file:line", and the
 * class the site was given (+ 1, 0 until the first init).
 */
struct lock_class_key {
	const char *name;
	u8 class;        /* [a] */
};

#define __LOCK_SITE(what) what "@" __FILE__ ":" __stringify(__LINE__)

extern bool lock_debug_enabled;     /* `lock_debug`, set at boot only */

/* The checker's entry points; callers use the spin_* wrappers. */
void lockdep_lock(struct spinlock *l);
bool lockdep_trylock(struct spinlock *l);
void lockdep_unlock(struct spinlock *l);
void lockdep_init_lock(struct spinlock *l, struct lock_class_key *key);
void lockdep_assert_held(const struct spinlock *l);

#define lock_debug_on() unlikely(lock_debug_enabled)

#define spin_lock_init(l)                                                  \
	do {                                                               \
		static struct lock_class_key __key = {                     \
			.name = __LOCK_SITE(#l),                           \
		};                                                         \
		__spin_lock_init((l), &__key);                             \
	} while (0)

static inline void __spin_lock_init(struct spinlock *l,
				    struct lock_class_key *key)
{
	l->next = 0;
	l->owner = 0;
	l->dbg_cpu = 0;
	l->dbg_class = 0;
	if (lock_debug_on())
		lockdep_init_lock(l, key);
}

#else /* !CONFIG_LOCK_DEBUG */

struct spinlock {
	u16 next;        /* next ticket to hand out */
	u16 owner;       /* ticket now being served */
};

#define lock_debug_on() false
#define spin_lock_init(l) __spin_lock_init(l)

static inline void __spin_lock_init(struct spinlock *l)
{
	l->next = 0;
	l->owner = 0;
}

#endif /* CONFIG_LOCK_DEBUG */

#define SPINLOCK_INIT { 0 }
#define DEFINE_SPINLOCK(name) struct spinlock name = SPINLOCK_INIT

/* ---- the ticket lock itself (no checking) ------------------------------- */

typedef __typeof__(((struct spinlock *)0)->next) spin_ticket_t;

static __always_inline spin_ticket_t __ticket_lock(struct spinlock *l)
{
	spin_ticket_t ticket = __atomic_fetch_add(&l->next, 1, __ATOMIC_RELAXED);

	while (__atomic_load_n(&l->owner, __ATOMIC_ACQUIRE) != ticket)
		arch_cpu_relax();
	return ticket;
}

static __always_inline bool __ticket_trylock(struct spinlock *l)
{
	spin_ticket_t owner = __atomic_load_n(&l->owner, __ATOMIC_RELAXED);
	spin_ticket_t expect = owner;

	return __atomic_compare_exchange_n(&l->next, &expect,
					   (spin_ticket_t)(owner + 1), false,
					   __ATOMIC_ACQUIRE, __ATOMIC_RELAXED);
}

static __always_inline void __ticket_unlock(struct spinlock *l)
{
	__atomic_store_n(&l->owner, (spin_ticket_t)(l->owner + 1),
			 __ATOMIC_RELEASE);
}

/* ---- the API ---------------------------------------------------------------
 *
 * The __spin_* forms take the "check" decision as an argument so a
 * benchmark can run the unchecked path of a checked build; everything else
 * uses the spin_* forms. The checker finds the caller with
 * __builtin_return_address, so these are always inlined.
 */

static __always_inline void __spin_lock(struct spinlock *l, bool check)
{
#if CONFIG_LOCK_DEBUG
	if (check) {
		lockdep_lock(l);
		return;
	}
#endif
	__ticket_lock(l);
}

static __always_inline bool __spin_trylock(struct spinlock *l, bool check)
{
#if CONFIG_LOCK_DEBUG
	if (check)
		return lockdep_trylock(l);
#endif
	return __ticket_trylock(l);
}

static __always_inline void __spin_unlock(struct spinlock *l, bool check)
{
#if CONFIG_LOCK_DEBUG
	if (check) {
		lockdep_unlock(l);
		return;
	}
#endif
	__ticket_unlock(l);
}

/*
 * Holding a spinlock disables preemption: the holder must not be switched
 * out (another thread on this CPU would spin on it forever), and the
 * checker's per-CPU state assumes the holder stays on its CPU. The count
 * goes up before the lock is taken and down after it is released.
 */
static __always_inline void spin_lock(struct spinlock *l)
{
	preempt_disable();
	__spin_lock(l, lock_debug_on());
}

static __always_inline bool spin_trylock(struct spinlock *l)
{
	preempt_disable();
	if (__spin_trylock(l, lock_debug_on()))
		return true;
	preempt_enable();
	return false;
}

static __always_inline void spin_unlock(struct spinlock *l)
{
	__spin_unlock(l, lock_debug_on());
	preempt_enable();
}

static inline bool spin_is_locked(struct spinlock *l)
{
	return __atomic_load_n(&l->owner, __ATOMIC_RELAXED) !=
	       __atomic_load_n(&l->next, __ATOMIC_RELAXED);
}

static __always_inline unsigned long spin_lock_irqsave(struct spinlock *l)
{
	unsigned long flags = arch_irq_save();

	spin_lock(l);
	return flags;
}

/* Interrupts go back on before preemption, so a due switch sees them on. */
static __always_inline void spin_unlock_irqrestore(struct spinlock *l,
						   unsigned long flags)
{
	__spin_unlock(l, lock_debug_on());
	arch_irq_restore(flags);
	preempt_enable();
}

/*
 * lock_assert_held - report (checked builds) unless this CPU holds @l.
 * Put it on entry to functions whose callers must hold @l.
 */
static __always_inline void lock_assert_held(const struct spinlock *l)
{
#if CONFIG_LOCK_DEBUG
	if (lock_debug_on())
		lockdep_assert_held(l);
#endif
}

#endif /* KEEL_SPINLOCK_H */
