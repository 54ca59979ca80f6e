/*
 * lockdep: the lock checker's core (classes, the order graph, reports) and
 * its spinlock side. The sleeping-lock side is kernel/locking/sleep_check.c,
 * which calls the services at the end of this file.
 *
 * The spin_* wrappers in <keel/spinlock.h> call in here when checking is on
 * (CONFIG_LOCK_DEBUG and the `lock_debug` boot parameter, both on by
 * default). It detects, reports at KERN_ERR and survives:
 *
 *  - recursive locking: spin_lock() of a lock this CPU holds. The
 *    acquisition is skipped (it would spin forever) and marked on the CPU's
 *    held-lock stack, so the matching spin_unlock() is skipped too and the
 *    outer holder keeps the lock. spin_trylock() of such a lock just fails.
 *  - lock-order inversions: taking B while holding A when the recorded
 *    orders already say B before A, directly or through other classes
 *    (a breadth-first search of the order graph), or nesting two locks of
 *    one class. Reported once per pair: the new order is recorded too.
 *  - unlocking a lock nobody holds: reported and ignored (releasing it
 *    would corrupt the ticket counters).
 *  - unlocking on the wrong CPU: reported, then released as asked (the
 *    holder may have handed it over on purpose); the holder's record of it
 *    is dropped.
 *  - more than LOCKDEP_HELD_MAX locks held at once: reported; the extra
 *    lock works but is not tracked.
 *
 * Sleeping locks share the class table and the graph. A thread's held
 * sleeping locks (struct thread's held_sleep stack, [t]: only the thread
 * itself touches it) order the spinlocks it takes: taking spinlock L while
 * holding mutex M records "M before L". That order can never close a
 * cycle by itself (no "spinlock before sleeping lock" order is ever
 * recorded: taking a sleeping lock under a spinlock is reported as a
 * sleeping-in-atomic bug instead), but it lets that report show when the
 * two would also deadlock. An interrupt handler's spinlocks are not
 * ordered after the interrupted thread's sleeping locks: they are
 * unrelated to them.
 *
 * Classes and the order graph (global, [g] = graph_lock, a raw ticket lock
 * taken with interrupts off around table updates only, never around
 * printing): up to LOCKDEP_MAX_CLASSES classes, each keyed by a
 * spin_lock_init() site key or a static lock's address, append-only; a
 * class's number + 1 is cached in the lock (dbg_class) and in the site key.
 * deps[a] is a bitmap of the classes taken while a class-a lock was held
 * (written under graph_lock, read locklessly: bits are only ever set), so
 * an acquisition whose orders are all known costs one bit test per held
 * lock and no global lock. The first LOCKDEP_MAX_WITNESS orders also keep
 * the two call sites that established them, for reports.
 *
 * Per CPU ([c] = only this CPU, interrupts on or off): the held-lock stack,
 * where each lock this CPU took (or waits for) is recorded with its call
 * site and class; its updates are ordered so that interrupt handlers
 * using it meanwhile do no harm (see "the held-lock stack" below), so the
 * common path never touches the interrupt flag. The lock itself records
 * the holder (dbg_cpu), so "held by this CPU" is one compare.
 *
 * Re-entrance: the checker prints with printk, which takes log_lock. While
 * a CPU is inside a report (busy, interrupts off), its lock operations are
 * only recorded, never checked or reported, and a recursive acquisition is
 * skipped silently; so a report raised while this CPU holds log_lock
 * cannot deadlock on it. Panics bypass log_lock altogether.
 */
#include <keel/arch.h>
#include <keel/compiler.h>
#include <keel/cpu.h>
#include <keel/ksyms.h>
#include <keel/lockdep.h>
#include <keel/param.h>
#include <keel/printk.h>
#include <keel/sched.h>
#include <keel/spinlock.h>
#include <keel/sprintf.h>
#include <keel/string.h>

#if CONFIG_LOCK_DEBUG

#define _RET_IP_ ((unsigned long)__builtin_return_address(0))

#define CLASS_NONE   LOCKDEP_CLASS_NONE  /* the class table was full */
#define CLASS_WORDS  ((LOCKDEP_MAX_CLASSES + 63) / 64)
#define REPORT_HOPS  8           /* orders of a cycle shown in a report */
#define TRACE_FRAMES 16

STATIC_ASSERT(LOCKDEP_MAX_CLASSES < CLASS_NONE, "class + 1 fits in u8");

bool lock_debug_enabled = true;
KPARAM_BOOL(lock_debug, lock_debug_enabled,
	    "check spinlock use: recursion, lock order, unlock by a non-holder");

/* ---- state -------------------------------------------------------------- */

struct lock_class {
	const void *key;          /* site key, or the static lock itself */
	const char *name;         /* the key's name; NULL for a static lock */
	unsigned long first_ip;   /* first acquisition: names a static lock */
};

/* "@to was taken at @to_ip while @from, taken at @from_ip, was held." */
struct lock_witness {
	unsigned long from_ip, to_ip;
	u8 from, to;
};

#define HELD_SKIP    0x1  /* a skipped recursive acquisition */
#define HELD_TRYLOCK 0x2  /* taken by trylock: nothing is ordered before it */

struct held_lock {
	struct spinlock *lock;    /* [c], cleared by others [a]; NULL: free,
				     HELD_RESERVED: being pushed */
	unsigned long ip;         /* [c] where it was taken */
	u8 class;                 /* [c] class + 1, or 0 / CLASS_NONE */
	u8 flags;                 /* [c] HELD_* */
};

struct lockdep_cpu {
	struct held_lock held[LOCKDEP_HELD_MAX];
	unsigned int depth;       /* [c] slots [0, depth) may be in use */
	unsigned int skips;       /* [c] HELD_SKIP marks pushed, not popped */
	unsigned int busy;        /* [c] in a report (interrupts off) */
	unsigned long report_irq; /* [c] interrupt state to restore after it */
} __aligned(64);

static struct spinlock graph_lock;                       /* raw ops only */
static struct lock_class classes[LOCKDEP_MAX_CLASSES];   /* [g] */
static unsigned int nr_classes;                          /* [g], read [a] */
static u64 deps[LOCKDEP_MAX_CLASSES][CLASS_WORDS];       /* [g], read [a] */
static unsigned int nr_orders;                           /* [g] */
static struct lock_witness witness[LOCKDEP_MAX_WITNESS]; /* [g] */
static unsigned int nr_witness;                          /* [g], read [a] */
static u8 bfs_queue[LOCKDEP_MAX_CLASSES];                /* [g] */
static u8 bfs_parent[LOCKDEP_MAX_CLASSES];               /* [g] */

static struct lockdep_cpu lockdep_cpus[NR_CPUS];
static unsigned long report_count;                       /* [a] */
static bool reports_expected;
static bool classes_full_warned;                         /* [a] */

/* ---- the order graph ([g]) ---------------------------------------------- */

static bool dep_test(unsigned int a, unsigned int b)
{
	u64 w = __atomic_load_n(&deps[a][b / 64], __ATOMIC_RELAXED);

	return w & (1ULL << (b % 64));
}

static void dep_add(unsigned int a, unsigned int b, unsigned long a_ip,
		    unsigned long b_ip)
{
	u64 w = deps[a][b / 64] | (1ULL << (b % 64));

	__atomic_store_n(&deps[a][b / 64], w, __ATOMIC_RELAXED);
	nr_orders++;
	if (nr_witness < LOCKDEP_MAX_WITNESS) {
		witness[nr_witness] = (struct lock_witness){
			.from_ip = a_ip, .to_ip = b_ip, .from = (u8)a, .to = (u8)b,
		};
		__atomic_store_n(&nr_witness, nr_witness + 1, __ATOMIC_RELEASE);
	}
}

/* Where "@a before @b" was seen first, if remembered. Context: any. */
static const struct lock_witness *witness_find(unsigned int a, unsigned int b)
{
	unsigned int i, n = __atomic_load_n(&nr_witness, __ATOMIC_ACQUIRE);

	for (i = 0; i < n; i++)
		if (witness[i].from == a && witness[i].to == b)
			return &witness[i];
	return NULL;
}

/*
 * Breadth-first search for a chain of orders from class @from to class @to.
 * Return: the number of classes on the shortest chain, both ends included
 * (0 when there is none); its first @max classes are stored in @path.
 */
static unsigned int find_path(unsigned int from, unsigned int to, u8 *path,
			      unsigned int max)
{
	u64 seen[CLASS_WORDS] = { 0 };
	unsigned int head = 0, tail = 0, n, x, w;

	bfs_queue[tail++] = (u8)from;
	seen[from / 64] |= 1ULL << (from % 64);
	while (head < tail) {
		x = bfs_queue[head++];
		for (w = 0; w < CLASS_WORDS; w++) {
			u64 next = deps[x][w] & ~seen[w];

			while (next) {
				unsigned int y = w * 64 + __builtin_ctzll(next);

				next &= next - 1;
				seen[w] |= 1ULL << (y % 64);
				bfs_parent[y] = (u8)x;
				if (y == to)
					goto found;
				bfs_queue[tail++] = (u8)y;
			}
		}
	}
	return 0;
found:
	n = 1;
	for (x = to; x != from; x = bfs_parent[x])
		n++;
	x = to;
	for (w = n; w-- > 0; x = bfs_parent[x])
		if (w < max)
			path[w] = (u8)x;
	return n;
}

/* Class of @key, added if new. Return: class + 1, or CLASS_NONE. [g] */
static u8 class_find_or_add(const void *key, const char *name,
			    unsigned long ip)
{
	unsigned int i;

	for (i = 0; i < nr_classes; i++)
		if (classes[i].key == key)
			return (u8)(i + 1);
	if (nr_classes == LOCKDEP_MAX_CLASSES)
		return CLASS_NONE;
	classes[i] = (struct lock_class){
		.key = key, .name = name, .first_ip = ip,
	};
	__atomic_store_n(&nr_classes, i + 1, __ATOMIC_RELEASE);
	return (u8)(i + 1);
}

/* Class of @key, added if new. Context: any (interrupts go off inside). */
static u8 class_register(const void *key, const char *name, unsigned long ip)
{
	unsigned long flags = arch_irq_save();
	u8 c;

	__ticket_lock(&graph_lock);
	c = class_find_or_add(key, name, ip);
	__ticket_unlock(&graph_lock);
	arch_irq_restore(flags);
	return c;
}

/*
 * A cached class + 1 that is still in the table (the host tests empty the
 * table between cases; the kernel's only grows).
 */
static bool class_valid(u8 c)
{
	return c && (c == CLASS_NONE ||
		     c <= __atomic_load_n(&nr_classes, __ATOMIC_ACQUIRE));
}

/* ---- reports ------------------------------------------------------------ */

static unsigned int lockdep_cpu_nr(const struct lockdep_cpu *pc)
{
	return (unsigned int)(pc - lockdep_cpus);
}

struct sym {
	char s[96];
};

/* "function+0xoff/0xsize" for a code address. */
static const char *sym(struct sym *b, unsigned long ip)
{
	ksym_snprint(b->s, sizeof(b->s), ip);
	return b->s;
}

/*
 * Open a report: interrupts off, this CPU busy (so the printing does not
 * re-enter the checker), the count raised. Return: whether to print its
 * details (past LOCKDEP_PRINT_MAX reports are only counted). Always pair
 * with report_end().
 */
static bool report_begin(struct lockdep_cpu *pc, const char *what)
{
	unsigned long flags = arch_irq_save();
	unsigned long n;

	pc->busy++;
	pc->report_irq = flags;
	n = __atomic_add_fetch(&report_count, 1, __ATOMIC_RELAXED);
	if (n > LOCKDEP_PRINT_MAX) {
		if (n == LOCKDEP_PRINT_MAX + 1)
			pr_err("lockdep: %d reports printed; later ones are only counted\n",
			       LOCKDEP_PRINT_MAX);
		return false;
	}
	pr_err("lockdep: %s: %s on CPU%u\n",
	       READ_ONCE(reports_expected) ? "expected" : "BUG", what,
	       lockdep_cpu_nr(pc));
	return true;
}

/*
 * The call trace from @ip, the lock operation's call site, outwards (from
 * the checker's own frames if @ip is not found among the first few).
 */
static __noinline void report_trace(unsigned long ip)
{
	struct arch_frame f = {
		.pc = (unsigned long)report_trace,
		.fp = arch_frame_address(),
	}, start = f;
	unsigned int n = 0;
	struct sym b;

	while (n++ < TRACE_FRAMES && arch_unwind_next(&f)) {
		if (f.pc == ip) {
			start = f;
			break;
		}
	}
	f = start;
	pr_err("lockdep: call trace:\n");
	if (f.pc == ip)
		pr_err("lockdep:   %s\n", sym(&b, f.pc));
	for (n = 0; n < TRACE_FRAMES && arch_unwind_next(&f); n++)
		pr_err("lockdep:   %s\n", sym(&b, f.pc));
}

static void report_end(struct lockdep_cpu *pc, bool printed, unsigned long ip)
{
	unsigned long flags = pc->report_irq;

	if (printed) {
		report_trace(ip);
		pr_err("lockdep: end of report %lu\n",
		       __atomic_load_n(&report_count, __ATOMIC_RELAXED));
	}
	pc->busy--;
	arch_irq_restore(flags);
}

/* "name@file:line", or "lock@<address> (first taken at <symbol>)". */
static const char *class_describe(char *buf, size_t size, u8 c)
{
	const struct lock_class *cl;
	struct sym site;

	if (!c || c == CLASS_NONE)
		return "(class unknown)";
	cl = &classes[c - 1];
	if (cl->name)
		return cl->name;
	scnprintf(buf, size, "lock@%p (first taken at %s)", cl->key,
		  sym(&site, cl->first_ip));
	return buf;
}

static void warn_classes_full(struct lockdep_cpu *pc)
{
	unsigned long flags;

	if (__atomic_exchange_n(&classes_full_warned, true, __ATOMIC_RELAXED))
		return;
	flags = arch_irq_save();
	pc->busy++;
	pr_warn("lockdep: more than %d lock classes; new ones are not checked for order\n",
		LOCKDEP_MAX_CLASSES);
	pc->busy--;
	arch_irq_restore(flags);
}

/* ---- the held-lock stack ([c]) --------------------------------------------
 *
 * Changed by its CPU with interrupts on: an interrupt handler pushes and
 * pops above the interrupted code's top and leaves the stack as it found
 * it, so every update is ordered to be safe at any instruction boundary.
 * A push first marks its slot reserved (so a handler's trim stops there),
 * then raises depth, then fills the slot. Slots never move; a pop clears
 * its slot and trims free slots off the top. Another CPU only ever clears
 * a slot, by compare-and-swap on its lock pointer.
 */

#define HELD_RESERVED ((struct spinlock *)1)

static struct spinlock *held_lock_of(struct held_lock *hl)
{
	return __atomic_load_n(&hl->lock, __ATOMIC_RELAXED);
}

static void held_trim(struct lockdep_cpu *pc)
{
	unsigned int d;

	while ((d = READ_ONCE(pc->depth)) && !held_lock_of(&pc->held[d - 1]))
		WRITE_ONCE(pc->depth, d - 1);
}

/* The most recent record of @l on this CPU, or NULL. */
static struct held_lock *held_find(struct lockdep_cpu *pc,
				   const struct spinlock *l)
{
	unsigned int i = READ_ONCE(pc->depth);

	while (i-- > 0)
		if (held_lock_of(&pc->held[i]) == l)
			return &pc->held[i];
	return NULL;
}

/* Return: false when the stack is full (nothing recorded). */
static bool held_push(struct lockdep_cpu *pc, struct spinlock *l,
		      unsigned long ip, u8 class, u8 flags)
{
	struct held_lock *hl;
	unsigned int i;

	held_trim(pc);
	i = READ_ONCE(pc->depth);
	if (i == LOCKDEP_HELD_MAX)
		return false;
	hl = &pc->held[i];
	__atomic_store_n(&hl->lock, HELD_RESERVED, __ATOMIC_RELAXED);
	barrier();
	WRITE_ONCE(pc->depth, i + 1);
	barrier();
	hl->ip = ip;
	hl->class = class;
	hl->flags = flags;
	__atomic_store_n(&hl->lock, l, __ATOMIC_RELEASE);
	return true;
}

static void held_drop(struct lockdep_cpu *pc, struct held_lock *hl)
{
	__atomic_store_n(&hl->lock, NULL, __ATOMIC_RELAXED);
	held_trim(pc);
}

/* Drop every CPU's record of @l, and return where @cpu took it (or 0). */
static unsigned long held_forget_everywhere(struct spinlock *l,
					    unsigned int cpu)
{
	unsigned long ip = 0;
	unsigned int c, i;

	for (c = 0; c < NR_CPUS; c++) {
		for (i = 0; i < LOCKDEP_HELD_MAX; i++) {
			struct held_lock *hl = &lockdep_cpus[c].held[i];
			struct spinlock *expect = l;

			if (held_lock_of(hl) != l)
				continue;
			if (c == cpu && !ip)
				ip = READ_ONCE(hl->ip);
			__atomic_compare_exchange_n(&hl->lock, &expect, NULL,
						    false, __ATOMIC_RELAXED,
						    __ATOMIC_RELAXED);
		}
	}
	return ip;
}

/* A held lock that orders come from: tracked, not a skip marker. */
static bool held_orders(struct held_lock *hl)
{
	struct spinlock *lk = held_lock_of(hl);

	return lk && lk != HELD_RESERVED && !(hl->flags & HELD_SKIP) &&
	       hl->class && hl->class != CLASS_NONE;
}

static void report_overflow(struct lockdep_cpu *pc, struct spinlock *l,
			    unsigned long ip, u8 class)
{
	char buf[128];
	struct sym b;
	bool printed = report_begin(pc, "too many locks held");

	if (printed)
		pr_err("lockdep:   %s (lock %p) taken at %s is not tracked: already %d held\n",
		       class_describe(buf, sizeof(buf), class), l, sym(&b, ip),
		       LOCKDEP_HELD_MAX);
	report_end(pc, printed, ip);
}

static void held_push_or_report(struct lockdep_cpu *pc, struct spinlock *l,
				unsigned long ip, u8 class, u8 flags)
{
	if (!held_push(pc, l, ip, class, flags))
		report_overflow(pc, l, ip, class);
}

/* ---- checks ------------------------------------------------------------- */

static struct lockdep_cpu *this_lockdep_cpu(void)
{
	unsigned int cpu = cpu_id();

	return cpu < NR_CPUS ? &lockdep_cpus[cpu] : NULL;
}

static bool held_here(const struct spinlock *l, const struct lockdep_cpu *pc)
{
	return spin_is_locked((struct spinlock *)l) &&
	       READ_ONCE(l->dbg_cpu) == lockdep_cpu_nr(pc) + 1;
}

static u8 class_of(struct lockdep_cpu *pc, struct spinlock *l,
		   unsigned long ip)
{
	u8 c = READ_ONCE(l->dbg_class);

	if (class_valid(c))
		return c;
	c = class_register(l, NULL, ip);
	WRITE_ONCE(l->dbg_class, c);
	if (c == CLASS_NONE)
		warn_classes_full(pc);
	return c;
}

static void report_recursion(struct lockdep_cpu *pc, struct spinlock *l,
			     unsigned long ip, unsigned long held_ip,
			     bool marked)
{
	char buf[128];
	struct sym b;
	bool printed = report_begin(pc, "recursive locking");

	if (printed) {
		pr_err("lockdep:   taking %s (lock %p) at %s\n",
		       class_describe(buf, sizeof(buf), l->dbg_class), l,
		       sym(&b, ip));
		if (held_ip)
			pr_err("lockdep:   already held, taken at %s\n",
			       sym(&b, held_ip));
		pr_err("lockdep:   %s\n",
		       marked ? "acquisition skipped; its unlock will be skipped too"
			      : "acquisition skipped, not tracked (stack full): its unlock releases the lock");
	}
	report_end(pc, printed, ip);
}

/* spin_lock() of a lock this CPU holds: skip it and mark the skip. */
static void lock_recursion(struct lockdep_cpu *pc, struct spinlock *l,
			   unsigned long ip)
{
	struct held_lock *outer = held_find(pc, l);
	unsigned long outer_ip = outer ? outer->ip : 0;
	bool marked = held_push(pc, l, ip, 0, HELD_SKIP);

	pc->skips += marked;
	if (!pc->busy)
		report_recursion(pc, l, ip, outer_ip, marked);
}

/* A lock a new order comes from: a held spinlock or sleeping lock. */
struct held_ref {
	const void *lock;
	unsigned long ip;             /* where it was taken */
	u8 class;                     /* class + 1 */
	bool sleeping;
};

struct order_report {
	struct held_ref held;         /* the held lock of the bad pair */
	bool found;
	unsigned int hops;            /* classes on the chain; 0: same class */
	u8 path[REPORT_HOPS + 1];     /* the chain from the new class */
};

/* "(lock 0x...)" or "(sleeping lock 0x...)": which kind it is, and which. */
static const char *lock_kind(bool sleeping)
{
	return sleeping ? "sleeping lock" : "lock";
}

/* find_path() stores class numbers; reports print class + 1. */
static void path_to_classes(struct order_report *r)
{
	unsigned int i;

	for (i = 0; i < MIN(r->hops, REPORT_HOPS + 1u); i++)
		r->path[i]++;
}

static void print_chain(const struct order_report *r)
{
	unsigned int i, n = MIN(r->hops, (unsigned int)REPORT_HOPS + 1);
	char b1[128], b2[128];
	struct sym s1, s2;

	for (i = 0; i + 1 < n; i++) {
		const struct lock_witness *w =
			witness_find(r->path[i] - 1u, r->path[i + 1] - 1u);

		pr_err("lockdep:     %s -> %s\n",
		       class_describe(b1, sizeof(b1), r->path[i]),
		       class_describe(b2, sizeof(b2), r->path[i + 1]));
		if (w)
			pr_err("lockdep:       (the second taken at %s while the first, taken at %s, was held)\n",
			       sym(&s1, w->to_ip), sym(&s2, w->from_ip));
	}
	if (r->hops > n)
		pr_err("lockdep:     ... %u more classes to the held lock's\n",
		       r->hops - n);
}

static void report_order(struct lockdep_cpu *pc, const struct order_report *r,
			 const struct held_ref *taking)
{
	char b1[128], b2[128];
	struct sym s;
	bool same = !r->hops;
	bool printed = report_begin(pc, same ? "nested locking of one lock class"
					     : "lock-order inversion (possible deadlock)");

	if (!printed)
		goto out;
	pr_err("lockdep:   taking %s (%s %p) at %s\n",
	       class_describe(b1, sizeof(b1), taking->class),
	       lock_kind(taking->sleeping), taking->lock, sym(&s, taking->ip));
	pr_err("lockdep:   while holding %s (%s %p), taken at %s\n",
	       class_describe(b2, sizeof(b2), r->held.class),
	       lock_kind(r->held.sleeping), r->held.lock,
	       sym(&s, r->held.ip));
	if (same) {
		pr_err("lockdep:   two %s nesting locks of this class in opposite orders would deadlock\n",
		       taking->sleeping ? "threads" : "CPUs");
	} else {
		pr_err("lockdep:   but the lock being taken is already ordered before the held one:\n");
		print_chain(r);
	}
	pr_err("lockdep:   the new order is recorded; this pair is not reported again\n");
out:
	report_end(pc, printed, taking->ip);
}

/*
 * Record "@held -> class @b" (taken at @b_ip) unless known, noting in @r
 * the first new order that closes a cycle or nests one class. [g]
 */
static void order_add(struct order_report *r, const struct held_ref *held,
		      unsigned int b, unsigned long b_ip)
{
	unsigned int a = held->class - 1u;

	if (dep_test(a, b))
		return;
	if (!r->found) {
		r->hops = a == b ? 0 : find_path(b, a, r->path,
						  REPORT_HOPS + 1);
		if (a == b || r->hops) {
			r->held = *held;
			r->found = true;
		}
	}
	dep_add(a, b, held->ip, b_ip);
}

/* ---- a thread's held sleeping locks ([t], read by the thread itself) ---- */

/* Entries of @t's held_sleep stack that are tracked. */
static unsigned int sleep_depth(const struct thread *t)
{
	return MIN(READ_ONCE(t->held_sleep_depth),
		   (unsigned int)LOCKDEP_THREAD_HELD_MAX);
}

/*
 * The class + 1 of a held sleeping lock, or 0 when it has none to order
 * by. Read from the lock's map: the lock cannot go away while held.
 */
static u8 sleep_class(const struct lockdep_held_sleep *e)
{
	const struct lockdep_map *map = e->lock;
	u8 c = map ? READ_ONCE(map->class) : 0;

	return c == CLASS_NONE ? 0 : c;
}

static bool sleep_ref(const struct lockdep_held_sleep *e, struct held_ref *h)
{
	h->class = sleep_class(e);
	h->lock = e->lock;
	h->ip = e->ip;
	h->sleeping = true;
	return h->class != 0;
}

/* Are all the orders "sleeping lock @t holds -> @c" recorded already? */
static bool sleep_orders_known(const struct thread *t, u8 c)
{
	unsigned int i, n = sleep_depth(t);

	for (i = 0; i < n; i++) {
		u8 a = sleep_class(&t->held_sleep[i]);

		if (a && !dep_test(a - 1u, c - 1u))
			return false;
	}
	return true;
}

/* Under graph_lock: "held -> @c" for each sleeping lock @t holds. */
static void sleep_orders_add(struct order_report *r, const struct thread *t,
			     u8 c, unsigned long ip)
{
	unsigned int i, n = sleep_depth(t);
	struct held_ref h;

	for (i = 0; i < n; i++)
		if (sleep_ref(&t->held_sleep[i], &h))
			order_add(r, &h, c - 1u, ip);
}

/*
 * The running thread if its sleeping locks order the spinlock being
 * taken, else NULL: none held, or in an interrupt handler (its locks are
 * unrelated to those of the thread it interrupted, and the thread may be
 * in the middle of changing its stack).
 */
static struct thread *sleep_holder(void)
{
	struct thread *t = current;

	if (likely(!t || !READ_ONCE(t->held_sleep_depth)) || in_hardirq())
		return NULL;
	return t;
}

/* ---- spinlock order ----------------------------------------------------- */

static bool held_ref_of(struct held_lock *hl, struct held_ref *h)
{
	if (!held_orders(hl))
		return false;
	h->lock = held_lock_of(hl);
	h->ip = hl->ip;
	h->class = hl->class;
	h->sleeping = false;
	return true;
}

/*
 * Record "held -> @c" for every lock this CPU holds and every sleeping
 * lock @t holds (NULL: none), looking for a chain back from @c first, and
 * report the first problem found.
 */
static void check_order(struct lockdep_cpu *pc, struct thread *t,
			struct spinlock *l, u8 c, unsigned long ip)
{
	struct order_report r = { .found = false };
	struct held_ref taking = {
		.lock = l, .ip = ip, .class = c, .sleeping = false,
	}, h;
	unsigned long flags = arch_irq_save();
	unsigned int i, depth = READ_ONCE(pc->depth);

	__ticket_lock(&graph_lock);
	if (t)
		sleep_orders_add(&r, t, c, ip);
	for (i = 0; i < depth; i++)
		if (held_ref_of(&pc->held[i], &h))
			order_add(&r, &h, c - 1u, ip);
	__ticket_unlock(&graph_lock);
	arch_irq_restore(flags);
	if (r.found) {
		path_to_classes(&r);
		report_order(pc, &r, &taking);
	}
}

/* Are all the orders "held -> @c" recorded already? */
static bool orders_known(struct lockdep_cpu *pc, struct thread *t, u8 c)
{
	unsigned int i, depth = READ_ONCE(pc->depth);

	for (i = 0; i < depth; i++) {
		struct held_lock *hl = &pc->held[i];

		if (held_orders(hl) && !dep_test(hl->class - 1u, c - 1u))
			return false;
	}
	return !t || sleep_orders_known(t, c);
}

/* Checks before taking @l (not a recursion). Return: @l's class + 1. */
static u8 lock_check(struct lockdep_cpu *pc, struct spinlock *l,
		     unsigned long ip)
{
	u8 c = class_of(pc, l, ip);
	struct thread *t;

	if (c == CLASS_NONE)
		return c;
	t = sleep_holder();
	if (!orders_known(pc, t, c))
		check_order(pc, t, l, c, ip);
	return c;
}

/* ---- entry points ----------------------------------------------------------
 *
 * These run with the caller's interrupt state; only table updates and
 * reports turn interrupts off. (Once there is preemption, spin_lock must
 * disable it before calling in, as it must anyway.)
 *
 * Everything is checked and recorded before the ticket is taken, and the
 * unlock does what it can after the release: a CPU that has its ticket
 * holds up every CPU queued behind it, so the time from ticket to release
 * stays what it is without checking, give or take one store. As in Linux,
 * a lock is on the held-lock stack while it is waited for: with a ticket
 * lock, waiting already holds up the CPUs behind.
 */

void lockdep_lock(struct spinlock *l)
{
	unsigned long ip = _RET_IP_;
	struct lockdep_cpu *pc = this_lockdep_cpu();
	u8 holder = 0;

	if (pc) {
		if (held_here(l, pc)) {
			lock_recursion(pc, l, ip);
			return;
		}
		if (!pc->busy)
			held_push_or_report(pc, l, ip, lock_check(pc, l, ip),
					    0);
		holder = (u8)(lockdep_cpu_nr(pc) + 1);
	}
	__ticket_lock(l);
	WRITE_ONCE(l->dbg_cpu, holder);
}

bool lockdep_trylock(struct spinlock *l)
{
	unsigned long ip = _RET_IP_;
	struct lockdep_cpu *pc = this_lockdep_cpu();

	if (!__ticket_trylock(l))
		return false;
	WRITE_ONCE(l->dbg_cpu, pc ? (u8)(lockdep_cpu_nr(pc) + 1) : 0);
	if (pc && !pc->busy)
		held_push_or_report(pc, l, ip, class_of(pc, l, ip),
				    HELD_TRYLOCK);
	return true;
}

static void report_unheld(struct lockdep_cpu *pc, struct spinlock *l,
			  unsigned long ip)
{
	char buf[128];
	struct sym b;
	bool printed = report_begin(pc, "unlocking a lock that is not held");

	if (printed) {
		pr_err("lockdep:   %s (lock %p) released at %s\n",
		       class_describe(buf, sizeof(buf), l->dbg_class), l,
		       sym(&b, ip));
		pr_err("lockdep:   the unlock is ignored\n");
	}
	report_end(pc, printed, ip);
}

static void report_wrong_cpu(struct lockdep_cpu *pc, struct spinlock *l,
			     unsigned long ip, unsigned int holder,
			     unsigned long held_ip)
{
	char buf[128];
	struct sym b;
	bool printed = report_begin(pc, "unlocking a lock another CPU holds");

	if (printed) {
		pr_err("lockdep:   %s (lock %p) released at %s\n",
		       class_describe(buf, sizeof(buf), l->dbg_class), l,
		       sym(&b, ip));
		if (held_ip)
			pr_err("lockdep:   held by CPU%u, taken at %s\n", holder,
			       sym(&b, held_ip));
		else
			pr_err("lockdep:   held by CPU%u\n", holder);
		pr_err("lockdep:   released anyway; CPU%u's record of it is dropped\n",
		       holder);
	}
	report_end(pc, printed, ip);
}

/* Unlock by a CPU that did not take @l (per dbg_cpu): report, forget. */
static void unlock_foreign(struct lockdep_cpu *pc, struct spinlock *l,
			   unsigned long ip)
{
	u8 holder = READ_ONCE(l->dbg_cpu);
	unsigned long held_ip;

	if (!holder)
		return;    /* taken unchecked: nothing to compare */
	held_ip = held_forget_everywhere(l, holder - 1u);
	if (!pc->busy)
		report_wrong_cpu(pc, l, ip, holder - 1u, held_ip);
}

void lockdep_unlock(struct spinlock *l)
{
	unsigned long ip = _RET_IP_;
	struct lockdep_cpu *pc = this_lockdep_cpu();
	struct held_lock *hl;
	bool mine;

	if (!spin_is_locked(l)) {
		if (pc && !pc->busy)
			report_unheld(pc, l, ip);
		return;
	}
	mine = pc && held_here(l, pc);
	if (mine && pc->skips) {
		hl = held_find(pc, l);
		if (hl && (hl->flags & HELD_SKIP)) {
			held_drop(pc, hl);
			pc->skips--;
			return;
		}
	}
	if (pc && !mine)
		unlock_foreign(pc, l, ip);
	WRITE_ONCE(l->dbg_cpu, 0);
	__ticket_unlock(l);
	if (mine && (hl = held_find(pc, l)) != NULL)
		held_drop(pc, hl);
}

void lockdep_init_lock(struct spinlock *l, struct lock_class_key *key)
{
	u8 c = READ_ONCE(key->class);

	if (!c) {
		c = class_register(key, key->name, _RET_IP_);
		WRITE_ONCE(key->class, c);
	}
	l->dbg_class = c;
}

void lockdep_assert_held(const struct spinlock *l)
{
	unsigned long ip = _RET_IP_;
	struct lockdep_cpu *pc = this_lockdep_cpu();
	char buf[128];
	struct sym b;
	bool printed;

	/* A lock taken unchecked (dbg_cpu 0) cannot be told apart: accept. */
	if (!pc || pc->busy || held_here(l, pc) ||
	    (spin_is_locked((struct spinlock *)l) && !READ_ONCE(l->dbg_cpu)))
		return;
	printed = report_begin(pc, "lock not held where it must be");
	if (printed)
		pr_err("lockdep:   %s (lock %p) expected held by this CPU at %s\n",
		       class_describe(buf, sizeof(buf), l->dbg_class), l,
		       sym(&b, ip));
	report_end(pc, printed, ip);
}

/* ---- services for the sleeping-lock side (sleep_check.c) ----------------- */

/*
 * This CPU's checker state, with interrupts off so that a caller that may
 * be preempted stays on this CPU until it restores @flags. NULL (and
 * interrupts as they were) when there is none or this CPU is inside a
 * report already.
 */
static struct lockdep_cpu *pin_cpu(unsigned long *flags)
{
	struct lockdep_cpu *pc;

	*flags = arch_irq_save();
	pc = this_lockdep_cpu();
	if (!pc || pc->busy) {
		arch_irq_restore(*flags);
		return NULL;
	}
	return pc;
}

/* Print each '\n'-separated line of @d as "lockdep:   <line>". */
static void print_detail(const char *d)
{
	while (d && *d) {
		const char *nl = strchr(d, '\n');
		int n = nl ? (int)(nl - d) : (int)strlen(d);

		pr_err("lockdep:   %.*s\n", n, d);
		d = nl ? nl + 1 : NULL;
	}
}

void lockdep_report(const char *what, const char *detail, unsigned long ip)
{
	struct lockdep_cpu *pc;
	unsigned long flags;
	bool printed;

	if (!lock_debug_on() || !(pc = pin_cpu(&flags)))
		return;
	printed = report_begin(pc, what);
	if (printed)
		print_detail(detail);
	report_end(pc, printed, ip);
	arch_irq_restore(flags);
}

u8 lockdep_map_class(struct lockdep_map *map, unsigned long ip)
{
	struct lock_class_key *key = map->key;
	u8 c = READ_ONCE(map->class);
	struct lockdep_cpu *pc;
	unsigned long flags;

	if (class_valid(c))
		return c;
	if (key) {
		c = READ_ONCE(key->class);
		if (!class_valid(c)) {
			c = class_register(key, key->name, ip);
			WRITE_ONCE(key->class, c);
		}
	} else {
		c = class_register(map, NULL, ip);
	}
	WRITE_ONCE(map->class, c);
	if (c == CLASS_NONE && (pc = pin_cpu(&flags)) != NULL) {
		warn_classes_full(pc);
		arch_irq_restore(flags);
	}
	return c;
}

const char *lockdep_class_name(char *buf, size_t size, u8 class)
{
	return class_describe(buf, size, class);
}

void lockdep_order_sleeping(struct thread *t, const struct lockdep_map *map,
			    u8 class, unsigned long ip)
{
	struct order_report r = { .found = false };
	struct held_ref taking = {
		.lock = map, .ip = ip, .class = class, .sleeping = true,
	};
	struct lockdep_cpu *pc;
	unsigned long flags;

	if (class == CLASS_NONE || sleep_orders_known(t, class))
		return;
	flags = arch_irq_save();
	__ticket_lock(&graph_lock);
	sleep_orders_add(&r, t, class, ip);
	__ticket_unlock(&graph_lock);
	arch_irq_restore(flags);
	if (!r.found || !(pc = pin_cpu(&flags)))
		return;
	path_to_classes(&r);
	report_order(pc, &r, &taking);
	arch_irq_restore(flags);
}

/*
 * A recorded chain from class @c to a spinlock this CPU holds, if any:
 * then a holder of the sleeping lock taking that spinlock, and this CPU
 * waiting for the sleeping lock, would wait for each other forever.
 * Context: interrupts off.
 */
static void chain_to_held(struct lockdep_cpu *pc, u8 c,
			  struct order_report *r)
{
	unsigned int i, depth = READ_ONCE(pc->depth);
	struct held_ref h;

	__ticket_lock(&graph_lock);
	for (i = 0; i < depth && !r->found; i++) {
		if (!held_ref_of(&pc->held[i], &h) || h.class == c)
			continue;
		r->hops = find_path(c - 1u, h.class - 1u, r->path,
				    REPORT_HOPS + 1);
		if (r->hops) {
			r->held = h;
			r->found = true;
		}
	}
	__ticket_unlock(&graph_lock);
	if (r->found)
		path_to_classes(r);
}

/* The held spinlocks of a sleeping-in-atomic report. */
static void print_held_spinlocks(struct lockdep_cpu *pc)
{
	unsigned int i, n = 0, depth = READ_ONCE(pc->depth);
	char buf[128];
	struct sym b;

	for (i = 0; i < depth; i++) {
		struct held_lock *hl = &pc->held[i];
		struct spinlock *lk = held_lock_of(hl);

		if (!lk || lk == HELD_RESERVED || (hl->flags & HELD_SKIP))
			continue;
		pr_err("lockdep:   this CPU holds %s (lock %p), taken at %s\n",
		       class_describe(buf, sizeof(buf), hl->class), lk,
		       sym(&b, hl->ip));
		n++;
	}
	if (!n && !in_hardirq())
		pr_err("lockdep:   no spinlock held: preemption or interrupts were turned off directly\n");
}

void lockdep_report_sleep_atomic(const struct lockdep_map *map, u8 class,
				 unsigned long ip)
{
	struct order_report r = { .found = false };
	bool irqs_on = arch_irqs_enabled(), printed;
	int count = preempt_count();
	struct thread *t = current;
	struct lockdep_cpu *pc;
	unsigned long flags;
	char buf[128];
	struct sym b;

	if (!(pc = pin_cpu(&flags)))
		return;
	if (class != CLASS_NONE)
		chain_to_held(pc, class, &r);
	printed = report_begin(pc, "sleeping lock taken in atomic context");
	if (!printed)
		goto out;
	pr_err("lockdep:   taking %s (sleeping lock %p) at %s\n",
	       class_describe(buf, sizeof(buf), class), map, sym(&b, ip));
	pr_err("lockdep:   %s %s: preempt count %#x, interrupts %s\n",
	       in_hardirq() ? "in an interrupt handler, interrupting thread"
			    : "in thread",
	       t ? t->name : "(no thread)", count, irqs_on ? "on" : "off");
	print_held_spinlocks(pc);
	if (r.found) {
		pr_err("lockdep:   and the lock being taken is already ordered before the held %s:\n",
		       class_describe(buf, sizeof(buf), r.held.class));
		print_chain(&r);
		pr_err("lockdep:   its holder taking that spinlock would wait forever for this CPU, which waits for it\n");
	}
	pr_err("lockdep:   no order from a held spinlock to it is recorded\n");
out:
	report_end(pc, printed, ip);
	arch_irq_restore(flags);
}

/* ---- for tests ---------------------------------------------------------- */

unsigned long lockdep_reports(void)
{
	return __atomic_load_n(&report_count, __ATOMIC_RELAXED);
}

void lockdep_expect_reports(bool on)
{
	WRITE_ONCE(reports_expected, on);
}

unsigned int lockdep_held_count(void)
{
	struct lockdep_cpu *pc = this_lockdep_cpu();
	unsigned int i, n = 0;

	for (i = 0; pc && i < READ_ONCE(pc->depth); i++) {
		struct spinlock *lk = held_lock_of(&pc->held[i]);

		n += lk && lk != HELD_RESERVED;
	}
	return n;
}

unsigned int lockdep_class_count(void)
{
	return __atomic_load_n(&nr_classes, __ATOMIC_ACQUIRE);
}

unsigned int lockdep_order_count(void)
{
	return READ_ONCE(nr_orders);
}

#else /* !CONFIG_LOCK_DEBUG */

void lockdep_report(const char *what, const char *detail, unsigned long ip)
{
}

unsigned long lockdep_reports(void)
{
	return 0;
}

void lockdep_expect_reports(bool on)
{
}

unsigned int lockdep_held_count(void)
{
	return 0;
}

unsigned int lockdep_class_count(void)
{
	return 0;
}

unsigned int lockdep_order_count(void)
{
	return 0;
}

#endif /* CONFIG_LOCK_DEBUG */
