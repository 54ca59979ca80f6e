/*
 * Spinlocks: ticket locks, fair across CPUs.
 *
 * A spinlock is held for short, non-sleeping sections. Take it with
 * spin_lock_irqsave() when an interrupt handler may take it too. The
 * scheduler issue adds the preempt count (no preemption while a spinlock is
 * held) and lockdep; callers already follow those rules.
 */
#ifndef KEEL_SPINLOCK_H
#define KEEL_SPINLOCK_H

#include <keel/arch.h>
#include <keel/compiler.h>
#include <keel/types.h>

struct spinlock {
	u16 next;    /* next ticket to hand out */
	u16 owner;   /* ticket now being served */
};

#define SPINLOCK_INIT { 0, 0 }
#define DEFINE_SPINLOCK(name) struct spinlock name = SPINLOCK_INIT

static inline void spin_lock_init(struct spinlock *l)
{
	l->next = 0;
	l->owner = 0;
}

static inline void spin_lock(struct spinlock *l)
{
	u16 ticket = __atomic_fetch_add(&l->next, 1, __ATOMIC_RELAXED);

	while (__atomic_load_n(&l->owner, __ATOMIC_ACQUIRE) != ticket)
		arch_cpu_relax();
}

static inline bool spin_trylock(struct spinlock *l)
{
	u16 owner = __atomic_load_n(&l->owner, __ATOMIC_RELAXED);
	u16 expect = owner;

	return __atomic_compare_exchange_n(&l->next, &expect, (u16)(owner + 1),
					   false, __ATOMIC_ACQUIRE,
					   __ATOMIC_RELAXED);
}

static inline void spin_unlock(struct spinlock *l)
{
	__atomic_store_n(&l->owner, (u16)(l->owner + 1), __ATOMIC_RELEASE);
}

static inline bool spin_is_locked(struct spinlock *l)
{
	return __atomic_load_n(&l->owner, __ATOMIC_RELAXED) !=
	       __atomic_load_n(&l->next, __ATOMIC_RELAXED);
}

static inline unsigned long spin_lock_irqsave(struct spinlock *l)
{
	unsigned long flags = arch_irq_save();

	spin_lock(l);
	return flags;
}

static inline void spin_unlock_irqrestore(struct spinlock *l,
					  unsigned long flags)
{
	spin_unlock(l);
	arch_irq_restore(flags);
}

#endif /* KEEL_SPINLOCK_H */
