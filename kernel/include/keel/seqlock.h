/*
 * Sequence counters and sequential locks: lockless readers that retry.
 *
 * A sequence count is even while the data it guards is stable and odd
 * while a writer is changing it. A reader notes the count, copies the
 * data, and retries if the count was odd or has changed:
 *
 *	do {
 *		seq = read_seqbegin(&sl);
 *		a = READ_ONCE(x->a);
 *		b = READ_ONCE(x->b);
 *	} while (read_seqretry(&sl, seq));
 *
 * Readers never block writers and never write shared memory, so they are
 * cheap for data read often and written rarely (clocks, statistics). A
 * reader may see a torn copy inside the loop: it must only copy (no
 * pointer chasing that a half-written value could send astray) and
 * use the copy after the retry check says it is consistent.
 *
 * seqcount_t: the bare counter. Writers must be serialised by the caller
 * (a lock) and must not be preempted or interrupted by a reader of the
 * same counter on their CPU, which would spin forever on the odd count:
 * hold a spinlock (irqsave if readers run in interrupt handlers).
 *
 *	write_seqcount_begin(&s); ... update ...; write_seqcount_end(&s);
 *	do { seq = read_seqcount_begin(&s); ... }
 *	while (read_seqcount_retry(&s, seq));
 *
 * seqlock_t: a seqcount with its own writer spinlock.
 *
 *	DEFINE_SEQLOCK(name)            or seqlock_init(&obj->sl)
 *	write_seqlock / write_sequnlock
 *	flags = write_seqlock_irqsave(&sl); write_sequnlock_irqrestore(&sl, f)
 *	read_seqbegin / read_seqretry
 *	read_seqlock_excl / read_sequnlock_excl   a reader that locks out
 *	                                          writers instead of retrying
 *
 * The latch (Linux's seqcount latch) keeps two copies of the data so that
 * readers never wait, not even for a writer interrupted on their own CPU
 * (NMI-safe readers): the writer bumps the count before updating each
 * copy, and readers use copy[seq & 1], retrying if the count moved.
 *
 *	raw_write_seqcount_latch(&s); update copy[0];
 *	raw_write_seqcount_latch(&s); update copy[1];
 *	do {
 *		seq = read_seqcount_latch(&s);
 *		... read copy[seq & 1] ...
 *	} while (read_seqcount_latch_retry(&s, seq));
 *
 * These typedefs keep Linux's names for a familiar API; the types are
 * small value-like structs that are always embedded.
 *
 * Locking legend:
 *	[w]	written by the one writer of the moment (the caller's lock,
 *		or seqlock_t.lock), read [a] by everyone
 */
#ifndef KEEL_SEQLOCK_H
#define KEEL_SEQLOCK_H

#include <keel/arch.h>
#include <keel/compiler.h>
#include <keel/spinlock.h>
#include <keel/types.h>

typedef struct seqcount {
	unsigned int sequence;          /* [w] odd while being written */
} seqcount_t;

#define SEQCNT_ZERO { .sequence = 0 }

static inline void seqcount_init(seqcount_t *s)
{
	WRITE_ONCE(s->sequence, 0);
}

/* ---- readers ------------------------------------------------------------ */

/*
 * read_seqcount_begin - wait until no write is in progress and return the
 * count; the acquire orders the caller's data loads after it.
 * Context: any, but see the file head about writers on the same CPU.
 */
static __always_inline unsigned int read_seqcount_begin(const seqcount_t *s)
{
	unsigned int seq;

	while ((seq = __atomic_load_n(&s->sequence, __ATOMIC_ACQUIRE)) & 1)
		arch_cpu_relax();
	return seq;
}

/*
 * read_seqcount_retry - true if the data read since @start may be torn
 * (a write began or ended meanwhile): the caller must read again. The
 * fence orders the data loads before the second load of the count.
 */
static __always_inline bool read_seqcount_retry(const seqcount_t *s,
						unsigned int start)
{
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	return __atomic_load_n(&s->sequence, __ATOMIC_RELAXED) != start;
}

/* ---- writers ------------------------------------------------------------ */

/*
 * write_seqcount_begin - make the count odd before the data changes: the
 * release fence keeps the data stores after the count's store.
 * Context: the caller's writer lock held, not preemptible.
 */
static __always_inline void write_seqcount_begin(seqcount_t *s)
{
	__atomic_store_n(&s->sequence, s->sequence + 1, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_RELEASE);
}

/* write_seqcount_end - even again, after every data store (release). */
static __always_inline void write_seqcount_end(seqcount_t *s)
{
	__atomic_store_n(&s->sequence, s->sequence + 1, __ATOMIC_RELEASE);
}

/* ---- the latch ---------------------------------------------------------- */

/*
 * raw_write_seqcount_latch - move readers to the other copy: stores to
 * the copy readers used before stay ahead of the bump, and the stores to
 * the copy they leave come after it. Context: the writer's lock held.
 */
static __always_inline void raw_write_seqcount_latch(seqcount_t *s)
{
	__atomic_thread_fence(__ATOMIC_RELEASE);
	__atomic_store_n(&s->sequence, s->sequence + 1, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_RELEASE);
}

/* The count a latch reader uses copy[seq & 1] of. Never waits. */
static __always_inline unsigned int read_seqcount_latch(const seqcount_t *s)
{
	return __atomic_load_n(&s->sequence, __ATOMIC_ACQUIRE);
}

/* True if the latch moved since @start: read the other copy again. */
static __always_inline bool read_seqcount_latch_retry(const seqcount_t *s,
						      unsigned int start)
{
	return read_seqcount_retry(s, start);
}

/* ---- seqlock_t ---------------------------------------------------------- */

typedef struct seqlock {
	seqcount_t seqcount;            /* [w] = lock */
	struct spinlock lock;           /* serialises writers */
} seqlock_t;

#define SEQLOCK_INIT { .seqcount = SEQCNT_ZERO, .lock = SPINLOCK_INIT }
#define DEFINE_SEQLOCK(name) seqlock_t name = SEQLOCK_INIT

/* A macro so the writer lock's lockdep class is the call site. */
#define seqlock_init(sl)                                                  \
	do {                                                              \
		seqcount_init(&(sl)->seqcount);                           \
		spin_lock_init(&(sl)->lock);                              \
	} while (0)

static __always_inline unsigned int read_seqbegin(const seqlock_t *sl)
{
	return read_seqcount_begin(&sl->seqcount);
}

static __always_inline bool read_seqretry(const seqlock_t *sl,
					  unsigned int start)
{
	return read_seqcount_retry(&sl->seqcount, start);
}

/* Context: any but interrupt handlers (use the irqsave forms there). */
static __always_inline void write_seqlock(seqlock_t *sl)
{
	spin_lock(&sl->lock);
	write_seqcount_begin(&sl->seqcount);
}

static __always_inline void write_sequnlock(seqlock_t *sl)
{
	write_seqcount_end(&sl->seqcount);
	spin_unlock(&sl->lock);
}

/* For seqlocks whose readers or writers run in interrupt handlers. */
static __always_inline unsigned long write_seqlock_irqsave(seqlock_t *sl)
{
	unsigned long flags = spin_lock_irqsave(&sl->lock);

	write_seqcount_begin(&sl->seqcount);
	return flags;
}

static __always_inline void write_sequnlock_irqrestore(seqlock_t *sl,
						       unsigned long flags)
{
	write_seqcount_end(&sl->seqcount);
	spin_unlock_irqrestore(&sl->lock, flags);
}

/* A reader that excludes writers (and other such readers) instead. */
static __always_inline void read_seqlock_excl(seqlock_t *sl)
{
	spin_lock(&sl->lock);
}

static __always_inline void read_sequnlock_excl(seqlock_t *sl)
{
	spin_unlock(&sl->lock);
}

#endif /* KEEL_SEQLOCK_H */
