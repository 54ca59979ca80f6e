/*
 * Host tests of the lock checker (kernel/locking/spinlock_debug.c and its
 * sleeping-lock side, sleep_check.c): classes, the lock-order graph and
 * its cycle search, and each detection, under ASan and UBSan.
 *
 * The checker is #included with CONFIG_LOCK_DEBUG=1 (host builds default
 * to 0), so the tests can reset its tables between cases and pretend to be
 * any CPU (arch_cpu_id() returns fake_cpu) and any thread (host_current
 * points at one of fake_threads). Interrupts are no-ops here; whether
 * they count as on is fake_irqs_on, and an interrupt handler is simulated
 * by adding HARDIRQ_OFFSET to the preempt count. Randomized cases compare
 * the reports with a reachability model.
 */
#define CONFIG_LOCK_DEBUG 1
#include <keel/arch.h>

/*
 * The host arch stand-in says interrupts are always off, which would make
 * every sleeping-lock acquisition "atomic"; take over the query before
 * <keel/preempt.h> (in_atomic) is read.
 */
static bool fake_irqs_on;
#undef arch_irqs_enabled
#define arch_irqs_enabled() (fake_irqs_on)

#include "../../kernel/locking/spinlock_debug.c"
#include "../../kernel/locking/sleep_check.c"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <keel/string.h>

#include "log_capture.h"

/* ---- stand-ins for the arch and the symbol table ------------------------ */

static unsigned int fake_cpu;

unsigned int arch_cpu_id(void)
{
	return fake_cpu;
}

bool arch_unwind_next(struct arch_frame *f)
{
	return false;
}

int ksym_snprint(char *buf, size_t size, unsigned long addr)
{
	return scnprintf(buf, size, "fn_%lx", addr);
}

/* Locks of distinct classes: zeroed static locks are classed by address. */
static struct spinlock many[300];
/* Sleeping locks, likewise (a map with no key is classed by address). */
static struct lockdep_map maps[64];
static struct thread fake_threads[3];

static int reset(void **state)
{
	memset(many, 0, sizeof(many));
	memset(classes, 0, sizeof(classes));
	nr_classes = 0;
	memset(deps, 0, sizeof(deps));
	nr_orders = 0;
	nr_witness = 0;
	memset(lockdep_cpus, 0, sizeof(lockdep_cpus));
	report_count = 0;
	reports_expected = false;
	classes_full_warned = false;
	lock_debug_enabled = true;
	fake_cpu = 0;
	memset(maps, 0, sizeof(maps));
	memset(fake_threads, 0, sizeof(fake_threads));
	strcpy(fake_threads[0].name, "t0");
	strcpy(fake_threads[1].name, "t1");
	strcpy(fake_threads[2].name, "t2");
	host_current = NULL;
	host_preempt_count = 0;
	fake_irqs_on = false;
	log_capture_clear();
	return 0;
}

/* Thread context, preemptible: the sleeping-lock tests start here. */
static int reset_thread(void **state)
{
	reset(state);
	host_current = &fake_threads[0];
	fake_irqs_on = true;
	return 0;
}

static bool clean(struct spinlock *l)
{
	return !spin_is_locked(l) && l->next == l->owner && !l->dbg_cpu;
}

/* ---- classes ------------------------------------------------------------ */

static void init_here(struct spinlock *l)
{
	spin_lock_init(l);
}

static void test_class_per_site(void **state)
{
	struct spinlock a, b, c;

	init_here(&a);
	init_here(&b);
	spin_lock_init(&c);
	assert_int_not_equal(a.dbg_class, 0);
	assert_int_equal(a.dbg_class, b.dbg_class);
	assert_int_not_equal(a.dbg_class, c.dbg_class);
	assert_int_equal(lockdep_class_count(), 2);
	assert_non_null(strstr(classes[c.dbg_class - 1].name, "&c@"));
	assert_non_null(strstr(classes[c.dbg_class - 1].name,
			       "tests/unit/test_lockdep.c:"));
	/* A zeroed lock gets a class of its address when first taken. */
	assert_int_equal(many[0].dbg_class, 0);
	spin_lock(&many[0]);
	spin_unlock(&many[0]);
	assert_int_equal(lockdep_class_count(), 3);
	assert_ptr_equal(classes[many[0].dbg_class - 1].key, &many[0]);
	assert_null(classes[many[0].dbg_class - 1].name);
	/* Re-zeroing it finds the same class again. */
	many[0].dbg_class = 0;
	spin_lock(&many[0]);
	spin_unlock(&many[0]);
	assert_int_equal(lockdep_class_count(), 3);
	assert_int_equal(lockdep_reports(), 0);
}

static void test_class_table_full(void **state)
{
	static struct lock_class_key keys[LOCKDEP_MAX_CLASSES + 10];
	struct spinlock l;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(keys); i++) {
		keys[i].name = "key";
		__spin_lock_init(&l, &keys[i]);
	}
	assert_int_equal(lockdep_class_count(), LOCKDEP_MAX_CLASSES);
	assert_int_equal(l.dbg_class, CLASS_NONE);
	/* Unclassed locks still work and are still checked for recursion. */
	spin_lock(&many[1]);
	assert_int_equal(many[1].dbg_class, CLASS_NONE);
	spin_lock(&l);
	spin_lock(&l);
	assert_int_equal(lockdep_reports(), 1);
	spin_unlock(&l);
	spin_unlock(&l);
	spin_unlock(&many[1]);
	assert_true(clean(&l) && clean(&many[1]));
	assert_int_equal(log_capture_count("more than 254 lock classes"), 1);
	assert_int_equal(lockdep_held_count(), 0);
}

/* ---- the order graph ---------------------------------------------------- */

static void order(struct spinlock *a, struct spinlock *b)
{
	spin_lock(a);
	spin_lock(b);
	spin_unlock(b);
	spin_unlock(a);
}

static void test_ab_ba(void **state)
{
	struct spinlock a, b;

	spin_lock_init(&a);
	spin_lock_init(&b);
	order(&a, &b);
	assert_int_equal(lockdep_reports(), 0);
	assert_int_equal(lockdep_order_count(), 1);
	order(&b, &a);
	assert_int_equal(lockdep_reports(), 1);
	assert_true(log_capture_contains("lockdep: BUG: lock-order inversion"));
	assert_true(log_capture_contains("taking &a@"));
	assert_true(log_capture_contains("while holding &b@"));
	assert_true(log_capture_contains("lockdep: end of report 1"));
	order(&b, &a);          /* once per pair */
	order(&a, &b);
	assert_int_equal(lockdep_reports(), 1);
	assert_true(clean(&a) && clean(&b));
}

static void test_expected_marker(void **state)
{
	struct spinlock l;

	spin_lock_init(&l);
	lockdep_expect_reports(true);
	spin_unlock(&l);
	lockdep_expect_reports(false);
	assert_true(log_capture_contains("lockdep: expected: unlocking a lock"));
	assert_false(log_capture_contains("BUG"));
}

static void test_long_cycle(void **state)
{
	unsigned int i, n = 100;

	for (i = 0; i + 1 < n; i++)
		order(&many[i], &many[i + 1]);
	assert_int_equal(lockdep_reports(), 0);
	log_capture_clear();
	order(&many[n - 1], &many[0]);
	assert_int_equal(lockdep_reports(), 1);
	/* The chain 0 -> 1 -> ... -> 99 is shown cut to REPORT_HOPS orders. */
	assert_int_equal(log_capture_count(" -> "), REPORT_HOPS);
	assert_true(log_capture_contains("... 91 more classes"));
	/* A backward order inside the chain is another cycle, reported once. */
	order(&many[50], &many[10]);
	assert_int_equal(lockdep_reports(), 2);
	order(&many[50], &many[10]);
	assert_int_equal(lockdep_reports(), 2);
}

static void test_find_path(void **state)
{
	u8 path[8];

	__ticket_lock(&graph_lock);
	dep_add(1, 2, 0, 0);
	dep_add(2, 3, 0, 0);
	dep_add(1, 3, 0, 0);
	dep_add(3, 4, 0, 0);
	dep_add(5, 1, 0, 0);
	assert_int_equal(find_path(1, 4, path, 8), 3);  /* 1 -> 3 -> 4 */
	assert_int_equal(path[0], 1);
	assert_int_equal(path[1], 3);
	assert_int_equal(path[2], 4);
	assert_int_equal(find_path(4, 1, path, 8), 0);
	assert_int_equal(find_path(5, 4, path, 2), 4);  /* only 2 stored */
	assert_int_equal(path[0], 5);
	assert_int_equal(path[1], 1);
	assert_int_equal(find_path(2, 5, path, 8), 0);
	__ticket_unlock(&graph_lock);
}

static void test_same_class(void **state)
{
	struct spinlock x, y;

	init_here(&x);
	init_here(&y);
	order(&x, &y);
	assert_int_equal(lockdep_reports(), 1);
	assert_true(log_capture_contains("nested locking of one lock class"));
	order(&y, &x);
	assert_int_equal(lockdep_reports(), 1);
}

static void test_trylock_orders(void **state)
{
	struct spinlock b, t;

	spin_lock_init(&b);
	spin_lock_init(&t);
	/* Taken by trylock: no order "b before t" (it never waited)... */
	spin_lock(&b);
	assert_true(spin_trylock(&t));
	spin_unlock(&t);
	spin_unlock(&b);
	assert_int_equal(lockdep_order_count(), 0);
	/* ...so t then b is no inversion; it records "t before b". */
	order(&t, &b);
	assert_int_equal(lockdep_reports(), 0);
	assert_int_equal(lockdep_order_count(), 1);
	/* Trylock of a held lock fails quietly. */
	spin_lock(&t);
	assert_false(spin_trylock(&t));
	spin_unlock(&t);
	assert_int_equal(lockdep_reports(), 0);
	assert_true(clean(&b) && clean(&t));
	assert_int_equal(lockdep_held_count(), 0);
}

static u64 rng = 0x9e3779b97f4a7c15ULL;

static unsigned int rnd(unsigned int n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (unsigned int)(rng % n);
}

#define MODEL_N 40

static bool model_reaches(bool adj[MODEL_N][MODEL_N], unsigned int from,
			  unsigned int to)
{
	bool seen[MODEL_N] = { false };
	unsigned int stack[MODEL_N], sp = 0, x, y;

	stack[sp++] = from;
	seen[from] = true;
	while (sp) {
		x = stack[--sp];
		for (y = 0; y < MODEL_N; y++) {
			if (!adj[x][y] || seen[y])
				continue;
			if (y == to)
				return true;
			seen[y] = true;
			stack[sp++] = y;
		}
	}
	return false;
}

/* Random pairs against a model: a report exactly when a cycle closes. */
static void test_random_against_model(void **state)
{
	static bool adj[MODEL_N][MODEL_N];
	unsigned long want = 0;
	unsigned int step, a, b;

	memset(adj, 0, sizeof(adj));
	for (step = 0; step < 3000; step++) {
		a = rnd(MODEL_N);
		b = rnd(MODEL_N);
		if (a == b)
			continue;
		if (!adj[a][b] && model_reaches(adj, b, a))
			want++;
		adj[a][b] = true;
		order(&many[100 + a], &many[100 + b]);
		assert_int_equal(lockdep_reports(), want);
		if (step % 100 == 0)
			log_capture_clear();
	}
	assert_true(want > 0);
}

/* Only increasing pairs of a fixed order: never a report. */
static void test_consistent_orders_never_report(void **state)
{
	unsigned int step, a, b, c;

	for (step = 0; step < 2000; step++) {
		a = rnd(MODEL_N - 2);
		b = a + 1 + rnd(MODEL_N - a - 2);
		c = b + 1 + rnd(MODEL_N - b - 1);
		spin_lock(&many[a]);
		spin_lock(&many[b]);
		spin_lock(&many[c]);
		spin_unlock(&many[b]);
		spin_unlock(&many[c]);
		spin_unlock(&many[a]);
	}
	assert_int_equal(lockdep_reports(), 0);
	assert_int_equal(lockdep_held_count(), 0);
}

static void test_witness_table_full(void **state)
{
	unsigned int i;

	/* 600 distinct orders: more than the witness table holds. */
	for (i = 0; i < 600; i++)
		order(&many[i % 200], &many[200 + i / 200 * 10 + i % 7]);
	assert_int_equal(nr_witness, LOCKDEP_MAX_WITNESS);
	assert_int_equal(lockdep_reports(), 0);
	order(&many[224], &many[199]);  /* 199 -> 224 came last: no sites */
	assert_int_equal(lockdep_reports(), 1);
	assert_false(log_capture_contains("the second taken at"));
}

/* ---- recursion, unlock checks, the held-lock stack ---------------------- */

static void test_recursion_skipped(void **state)
{
	struct spinlock l;

	spin_lock_init(&l);
	spin_lock(&l);
	spin_lock(&l);
	assert_int_equal(lockdep_reports(), 1);
	assert_true(log_capture_contains("lockdep: BUG: recursive locking on CPU0"));
	assert_true(log_capture_contains("its unlock will be skipped too"));
	assert_int_equal(lockdep_held_count(), 2);      /* the lock + a mark */
	spin_unlock(&l);
	assert_true(spin_is_locked(&l));
	spin_unlock(&l);
	assert_true(clean(&l));
	assert_int_equal(lockdep_held_count(), 0);
	assert_int_equal(lockdep_reports(), 1);
}

static void test_stack_overflow(void **state)
{
	struct spinlock l;
	unsigned int i;

	spin_lock_init(&l);
	for (i = 0; i < LOCKDEP_HELD_MAX; i++)
		spin_lock(&many[i]);
	assert_int_equal(lockdep_reports(), 0);
	spin_lock(&l);          /* one too many: works, untracked */
	assert_int_equal(lockdep_reports(), 1);
	assert_true(log_capture_contains("too many locks held"));
	assert_int_equal(lockdep_held_count(), LOCKDEP_HELD_MAX);
	assert_true(spin_is_locked(&l));
	spin_unlock(&l);
	assert_true(clean(&l));
	/* A recursion that cannot be marked: its unlock releases. */
	spin_lock(&many[0]);
	assert_int_equal(lockdep_reports(), 2);
	assert_true(log_capture_contains("its unlock releases the lock"));
	spin_unlock(&many[0]);
	assert_true(clean(&many[0]));
	spin_unlock(&many[0]);  /* the outer unlock: now not held */
	assert_int_equal(lockdep_reports(), 3);
	for (i = 1; i < LOCKDEP_HELD_MAX; i++)
		spin_unlock(&many[i]);
	assert_int_equal(lockdep_held_count(), 0);
	assert_int_equal(lockdep_reports(), 3);
}

static void test_unlock_unheld(void **state)
{
	struct spinlock l;

	spin_lock_init(&l);
	spin_unlock(&l);
	assert_int_equal(lockdep_reports(), 1);
	assert_true(log_capture_contains("unlocking a lock that is not held"));
	assert_true(clean(&l));
	spin_lock(&l);
	spin_unlock(&l);
	assert_true(clean(&l));
	assert_int_equal(lockdep_reports(), 1);
}

static void test_unlock_wrong_cpu(void **state)
{
	struct spinlock l, other;

	spin_lock_init(&l);
	spin_lock_init(&other);
	fake_cpu = 3;
	spin_lock(&other);
	spin_lock(&l);
	assert_int_equal(l.dbg_cpu, 4);
	fake_cpu = 5;
	spin_unlock(&l);
	assert_int_equal(lockdep_reports(), 1);
	assert_true(log_capture_contains("unlocking a lock another CPU holds on CPU5"));
	assert_true(log_capture_contains("held by CPU3, taken at fn_"));
	assert_true(clean(&l));
	fake_cpu = 3;           /* CPU3 no longer counts it as held */
	assert_int_equal(lockdep_held_count(), 1);
	spin_unlock(&other);
	assert_int_equal(lockdep_held_count(), 0);
	spin_unlock(&l);        /* its own late unlock: not held any more */
	assert_int_equal(lockdep_reports(), 2);
	/* A CPU beyond NR_CPUS is not checked at all. */
	fake_cpu = NR_CPUS;
	spin_lock(&l);
	spin_unlock(&l);
	assert_true(clean(&l));
	assert_int_equal(lockdep_reports(), 2);
}

static void test_assert_held(void **state)
{
	struct spinlock l;

	spin_lock_init(&l);
	spin_lock(&l);
	lock_assert_held(&l);
	assert_int_equal(lockdep_reports(), 0);
	fake_cpu = 1;
	lock_assert_held(&l);
	assert_int_equal(lockdep_reports(), 1);
	fake_cpu = 0;
	spin_unlock(&l);
	lock_assert_held(&l);
	assert_int_equal(lockdep_reports(), 2);
	assert_true(log_capture_contains("lock not held where it must be"));
}

/* While the checker prints (busy), lock use is recorded, never reported. */
static void test_busy_is_silent(void **state)
{
	struct spinlock l;

	spin_lock_init(&l);
	spin_lock(&l);
	lockdep_cpus[0].busy = 1;
	spin_lock(&l);          /* e.g. log_lock from a report printed under it */
	spin_unlock(&l);
	assert_true(spin_is_locked(&l));
	spin_unlock(&many[2]);
	lockdep_cpus[0].busy = 0;
	assert_int_equal(lockdep_reports(), 0);
	spin_unlock(&l);
	assert_true(clean(&l));
	assert_int_equal(lockdep_held_count(), 0);
}

static void test_print_limit(void **state)
{
	struct spinlock l;
	int i;

	spin_lock_init(&l);
	for (i = 0; i < LOCKDEP_PRINT_MAX + 10; i++)
		spin_unlock(&l);
	assert_int_equal(lockdep_reports(), LOCKDEP_PRINT_MAX + 10);
	assert_int_equal(log_capture_count("lockdep: end of report"),
			 LOCKDEP_PRINT_MAX);
	assert_int_equal(log_capture_count("later ones are only counted"), 1);
}

static void test_checking_off(void **state)
{
	struct spinlock a, b;

	lock_debug_enabled = false;
	spin_lock_init(&a);
	spin_lock_init(&b);
	assert_int_equal(a.dbg_class, 0);
	order(&a, &b);
	order(&b, &a);
	assert_true(spin_trylock(&a));
	spin_unlock(&a);
	assert_int_equal(lockdep_reports(), 0);
	assert_int_equal(lockdep_class_count(), 0);
	assert_int_equal(lockdep_held_count(), 0);
	assert_true(clean(&a) && clean(&b));
}


/* ---- sleeping locks ------------------------------------------------------ */

/* Call sites that read back in reports as fn_<0x100000 + line>. */
#define SLOCK(m)    lockdep_acquire((m), false, 0x100000UL + __LINE__)
#define STRYLOCK(m) lockdep_acquire((m), true, 0x100000UL + __LINE__)
#define SUNLOCK(m)  lockdep_release((m), 0x100000UL + __LINE__)

static void as_thread(unsigned int i)
{
	host_current = &fake_threads[i];
}

static unsigned int depth_of(unsigned int i)
{
	return fake_threads[i].held_sleep_depth;
}

static void sorder(struct lockdep_map *a, struct lockdep_map *b)
{
	SLOCK(a);
	SLOCK(b);
	SUNLOCK(b);
	SUNLOCK(a);
}

static void map_init_here(struct lockdep_map *m)
{
	static struct lock_class_key key = { .name = "&m->dep_map@here" };

	lockdep_map_init(m, &key);
}

static void test_sleep_classes(void **state)
{
	struct lockdep_map k1, k2;
	struct spinlock l;

	map_init_here(&k1);
	map_init_here(&k2);
	spin_lock_init(&l);
	assert_int_equal(k1.class, 0);          /* classed when first taken */
	SLOCK(&k1);
	SUNLOCK(&k1);
	SLOCK(&k2);
	SUNLOCK(&k2);
	assert_int_not_equal(k1.class, 0);
	assert_int_equal(k1.class, k2.class);   /* one key, one class */
	assert_string_equal(classes[k1.class - 1].name, "&m->dep_map@here");
	SLOCK(&maps[0]);                        /* no key: its own address */
	SUNLOCK(&maps[0]);
	assert_ptr_equal(classes[maps[0].class - 1].key, &maps[0]);
	assert_null(classes[maps[0].class - 1].name);
	/* One table for both kinds. */
	assert_int_equal(lockdep_class_count(), 3);
	assert_int_not_equal(l.dbg_class, k1.class);
	assert_int_equal(lockdep_reports(), 0);
	assert_int_equal(depth_of(0), 0);
}

/* Thread 1: a then b. Later thread 2: b then a: reported, at thread 2. */
static void test_sleep_abba_across_threads(void **state)
{
	as_thread(1);
	sorder(&maps[0], &maps[1]);
	assert_int_equal(lockdep_reports(), 0);
	assert_int_equal(lockdep_order_count(), 1);
	as_thread(2);
	SLOCK(&maps[1]);
	fake_cpu = 3;           /* and on another CPU */
	SLOCK(&maps[0]);
	assert_int_equal(lockdep_reports(), 1);
	assert_true(log_capture_contains("lockdep: BUG: lock-order inversion (possible deadlock) on CPU3"));
	assert_true(log_capture_contains("(sleeping lock "));
	assert_true(log_capture_contains("while holding lock@"));
	assert_true(log_capture_contains("(the second taken at fn_"));
	SUNLOCK(&maps[0]);
	SUNLOCK(&maps[1]);
	sorder(&maps[1], &maps[0]);             /* once per pair */
	as_thread(1);
	sorder(&maps[0], &maps[1]);
	assert_int_equal(lockdep_reports(), 1);
	assert_int_equal(depth_of(1), 0);
	assert_int_equal(depth_of(2), 0);
	assert_int_equal(lockdep_held_count(), 0);
}

/* The held stack is the thread's: it follows it from CPU to CPU. */
static void test_sleep_follows_thread(void **state)
{
	as_thread(1);
	fake_cpu = 0;
	SLOCK(&maps[0]);
	as_thread(2);           /* another thread runs on CPU0 meanwhile */
	SLOCK(&maps[1]);
	SUNLOCK(&maps[1]);
	as_thread(1);
	fake_cpu = 2;           /* thread 1 resumes on CPU2 */
	SLOCK(&maps[1]);
	assert_true(dep_test(maps[0].class - 1u, maps[1].class - 1u));
	SUNLOCK(&maps[1]);
	SUNLOCK(&maps[0]);
	assert_int_equal(lockdep_order_count(), 1);
	assert_int_equal(lockdep_reports(), 0);
}

static void test_sleep_same_class(void **state)
{
	struct lockdep_map x, y;

	map_init_here(&x);
	map_init_here(&y);
	sorder(&x, &y);
	assert_int_equal(lockdep_reports(), 1);
	assert_true(log_capture_contains("nested locking of one lock class"));
	assert_true(log_capture_contains("two threads nesting"));
	sorder(&y, &x);
	assert_int_equal(lockdep_reports(), 1);
}

static void test_sleep_trylock_orders(void **state)
{
	SLOCK(&maps[1]);
	STRYLOCK(&maps[0]);     /* no "1 before 0" */
	assert_int_equal(depth_of(0), 2);
	SUNLOCK(&maps[0]);
	SUNLOCK(&maps[1]);
	assert_int_equal(lockdep_order_count(), 0);
	sorder(&maps[0], &maps[1]);
	assert_int_equal(lockdep_reports(), 0);
	/* Orders after a trylocked lock are recorded as usual. */
	STRYLOCK(&maps[2]);
	SLOCK(&maps[3]);
	SUNLOCK(&maps[3]);
	SUNLOCK(&maps[2]);
	assert_int_equal(lockdep_order_count(), 2);
	assert_int_equal(depth_of(0), 0);
}

static void test_sleep_recursion(void **state)
{
	SLOCK(&maps[0]);
	SLOCK(&maps[1]);
	SLOCK(&maps[0]);
	assert_int_equal(lockdep_reports(), 1);
	assert_true(log_capture_contains("lockdep: BUG: recursive locking on CPU0"));
	assert_true(log_capture_contains("already held by this thread (t0)"));
	/* Not also a same-class nesting or an inversion against maps[1]. */
	assert_false(log_capture_contains("nested locking"));
	assert_false(log_capture_contains("inversion"));
	assert_int_equal(depth_of(0), 3);
	SUNLOCK(&maps[0]);
	SUNLOCK(&maps[1]);
	SUNLOCK(&maps[0]);
	assert_int_equal(depth_of(0), 0);
	assert_int_equal(lockdep_reports(), 1);
	/* A trylock that succeeded again (a counting lock) is no report. */
	SLOCK(&maps[0]);
	STRYLOCK(&maps[0]);
	SUNLOCK(&maps[0]);
	SUNLOCK(&maps[0]);
	assert_int_equal(lockdep_reports(), 1);
	assert_int_equal(depth_of(0), 0);
}

static void test_sleep_release_unheld(void **state)
{
	SLOCK(&maps[1]);
	SUNLOCK(&maps[0]);
	assert_int_equal(lockdep_reports(), 1);
	assert_true(log_capture_contains("releasing a sleeping lock this thread does not hold"));
	assert_true(log_capture_contains("by thread t0"));
	assert_int_equal(depth_of(0), 1);
	/* Held by another thread is still not held by this one. */
	as_thread(1);
	SUNLOCK(&maps[1]);
	assert_int_equal(lockdep_reports(), 2);
	as_thread(0);
	SUNLOCK(&maps[1]);
	assert_int_equal(depth_of(0), 0);
	assert_int_equal(lockdep_reports(), 2);
}

static void test_sleep_release_order_kept(void **state)
{
	unsigned int i;

	for (i = 0; i < 5; i++)
		SLOCK(&maps[i]);
	SUNLOCK(&maps[2]);
	assert_int_equal(depth_of(0), 4);
	assert_ptr_equal(fake_threads[0].held_sleep[2].lock, &maps[3]);
	assert_ptr_equal(fake_threads[0].held_sleep[3].lock, &maps[4]);
	SUNLOCK(&maps[0]);
	SUNLOCK(&maps[4]);
	SUNLOCK(&maps[1]);
	SUNLOCK(&maps[3]);
	assert_int_equal(depth_of(0), 0);
	assert_int_equal(lockdep_reports(), 0);
}

static void test_sleep_overflow(void **state)
{
	unsigned int i, n = LOCKDEP_THREAD_HELD_MAX + 2;

	for (i = 0; i < n; i++)
		SLOCK(&maps[i]);
	assert_int_equal(lockdep_reports(), 2);
	assert_int_equal(log_capture_count("too many sleeping locks held"), 2);
	assert_int_equal(depth_of(0), n);
	assert_int_equal(lockdep_held_sleep_count(), n);
	/* The untracked ones are not found; their releases drop the extras. */
	for (i = n; i-- > 0;)
		SUNLOCK(&maps[i]);
	assert_int_equal(depth_of(0), 0);
	assert_int_equal(lockdep_reports(), 2);
}

/* A tracked lock released while some are untracked: no false reports. */
static void test_sleep_overflow_release_inside(void **state)
{
	unsigned int i, n = LOCKDEP_THREAD_HELD_MAX + 1;

	for (i = 0; i < n; i++)
		SLOCK(&maps[i]);
	assert_int_equal(lockdep_reports(), 1);
	SUNLOCK(&maps[3]);      /* maps[16] (untracked) becomes unknown */
	assert_int_equal(depth_of(0), n - 1);
	assert_null(fake_threads[0].held_sleep[LOCKDEP_THREAD_HELD_MAX - 1].lock);
	assert_ptr_equal(fake_threads[0].held_sleep[LOCKDEP_THREAD_HELD_MAX - 2].lock,
			 &maps[15]);
	/* The stack is still full; the unknown entry orders nothing. */
	SLOCK(&maps[40]);
	assert_int_equal(lockdep_reports(), 2);
	SUNLOCK(&maps[40]);
	assert_int_equal(depth_of(0), n - 1);
	assert_true(dep_test(maps[15].class - 1u, maps[40].class - 1u));
	assert_false(dep_test(maps[16].class - 1u, maps[40].class - 1u));
	lockdep_thread_exit(&fake_threads[0]);
	assert_true(log_capture_contains("exits holding 16 sleeping locks:"));
	assert_true(log_capture_contains("and 1 more, not tracked"));
	assert_int_equal(lockdep_reports(), 3);
	assert_int_equal(depth_of(0), 0);
	/* The same again, released instead of leaked. */
	log_capture_clear();
	for (i = 0; i < n; i++)
		SLOCK(&maps[i]);
	SUNLOCK(&maps[3]);
	SUNLOCK(&maps[16]);     /* found as the unknown entry */
	assert_int_equal(depth_of(0), n - 2);
	for (i = 0; i < n - 1; i++)
		if (i != 3)
			SUNLOCK(&maps[i]);
	assert_int_equal(depth_of(0), 0);
	assert_int_equal(lockdep_reports(), 4);   /* only the overflow */
	assert_false(log_capture_contains("does not hold"));
}

static void test_sleep_thread_exit(void **state)
{
	SLOCK(&maps[0]);
	SLOCK(&maps[1]);
	lockdep_thread_exit(&fake_threads[0]);
	assert_int_equal(lockdep_reports(), 1);   /* one report for both */
	assert_true(log_capture_contains("lockdep: BUG: lock held at thread exit"));
	assert_true(log_capture_contains("thread t0 exits holding 2 sleeping locks:"));
	assert_int_equal(log_capture_count(", taken at fn_"), 2);
	assert_int_equal(depth_of(0), 0);
	lockdep_thread_exit(&fake_threads[0]);    /* nothing held: silent */
	assert_int_equal(lockdep_reports(), 1);
}

static void test_sleep_atomic_context(void **state)
{
	struct spinlock l;

	spin_lock_init(&l);
	spin_lock(&l);
	SLOCK(&maps[0]);
	assert_int_equal(lockdep_reports(), 1);
	assert_true(log_capture_contains("lockdep: BUG: sleeping lock taken in atomic context on CPU0"));
	assert_true(log_capture_contains("in thread t0: preempt count 0x1, interrupts on"));
	assert_true(log_capture_contains("this CPU holds &l@"));
	assert_false(log_capture_contains("already ordered before"));
	SUNLOCK(&maps[0]);
	/* A trylock does not sleep: allowed. */
	STRYLOCK(&maps[0]);
	SUNLOCK(&maps[0]);
	spin_unlock(&l);
	assert_int_equal(lockdep_reports(), 1);
	/* No "l before maps[0]" was recorded... */
	assert_int_equal(lockdep_order_count(), 0);
	/* ...so the normal nesting is quiet. */
	SLOCK(&maps[0]);
	spin_lock(&l);
	spin_unlock(&l);
	SUNLOCK(&maps[0]);
	assert_int_equal(lockdep_reports(), 1);
	/* Interrupts off, no lock held. */
	fake_irqs_on = false;
	SLOCK(&maps[1]);
	SUNLOCK(&maps[1]);
	fake_irqs_on = true;
	assert_int_equal(lockdep_reports(), 2);
	assert_true(log_capture_contains("preempt count 0, interrupts off"));
	assert_true(log_capture_contains("no spinlock held"));
	assert_int_equal(depth_of(0), 0);
	assert_int_equal(lockdep_held_count(), 0);
}

/*
 * A spinlock inside a sleeping lock: no report, "m before l" recorded.
 * The inverse nesting is then one report that also shows the chain.
 */
static void test_sleep_spinlock_inside(void **state)
{
	struct spinlock l, l2;

	spin_lock_init(&l);
	spin_lock_init(&l2);
	SLOCK(&maps[0]);
	spin_lock(&l);
	spin_unlock(&l);
	SUNLOCK(&maps[0]);
	assert_int_equal(lockdep_reports(), 0);
	assert_int_equal(lockdep_order_count(), 1);
	assert_true(dep_test(maps[0].class - 1u, l.dbg_class - 1u));
	spin_lock(&l);          /* l -> l2: maps[0] reaches l2 through l */
	spin_lock(&l2);
	spin_unlock(&l2);
	spin_unlock(&l);
	spin_lock(&l2);
	SLOCK(&maps[0]);
	assert_int_equal(lockdep_reports(), 1);
	assert_true(log_capture_contains("sleeping lock taken in atomic context"));
	assert_true(log_capture_contains("this CPU holds &l2@"));
	assert_true(log_capture_contains("already ordered before the held &l2@"));
	assert_int_equal(log_capture_count(" -> "), 2);
	SUNLOCK(&maps[0]);
	spin_unlock(&l2);
	assert_int_equal(lockdep_order_count(), 2);     /* no l2 -> maps[0] */
	/* A sleeping lock with no orders: the plain report. */
	log_capture_clear();
	spin_lock(&l2);
	SLOCK(&maps[1]);
	SUNLOCK(&maps[1]);
	spin_unlock(&l2);
	assert_int_equal(lockdep_reports(), 2);
	assert_false(log_capture_contains("already ordered before"));
	assert_int_equal(depth_of(0), 0);
}

/* Spinlocks order after every sleeping lock the thread holds. */
static void test_sleep_then_spin_orders(void **state)
{
	struct spinlock l;

	spin_lock_init(&l);
	SLOCK(&maps[0]);
	SLOCK(&maps[1]);
	spin_lock(&l);
	spin_lock(&many[0]);
	spin_unlock(&many[0]);
	spin_unlock(&l);
	SUNLOCK(&maps[1]);
	SUNLOCK(&maps[0]);
	/* 0->1, 0->l, 1->l, 0->many0, 1->many0, l->many0 */
	assert_int_equal(lockdep_order_count(), 6);
	assert_int_equal(lockdep_reports(), 0);
	/* Already known: the same nesting adds nothing. */
	SLOCK(&maps[1]);
	spin_lock(&l);
	spin_unlock(&l);
	SUNLOCK(&maps[1]);
	assert_int_equal(lockdep_order_count(), 6);
}

/* An interrupt handler's locks are unrelated to the interrupted thread's. */
static void test_sleep_hardirq(void **state)
{
	struct spinlock l;

	spin_lock_init(&l);
	SLOCK(&maps[0]);
	host_preempt_count += HARDIRQ_OFFSET;
	spin_lock(&l);          /* no "maps[0] before l" */
	spin_unlock(&l);
	assert_int_equal(lockdep_order_count(), 0);
	STRYLOCK(&maps[1]);     /* reported, even as a trylock; not tracked */
	assert_int_equal(lockdep_reports(), 1);
	assert_true(log_capture_contains("in an interrupt handler, interrupting thread t0"));
	assert_int_equal(depth_of(0), 1);
	SUNLOCK(&maps[1]);      /* not tracked either: silent */
	SUNLOCK(&maps[0]);      /* not the handler's to release */
	assert_int_equal(depth_of(0), 1);
	host_preempt_count -= HARDIRQ_OFFSET;
	SUNLOCK(&maps[0]);
	assert_int_equal(depth_of(0), 0);
	assert_int_equal(lockdep_reports(), 1);
}

static void test_might_sleep(void **state)
{
	might_sleep();
	assert_int_equal(lockdep_reports(), 0);
	preempt_disable();
	might_sleep();
	preempt_enable();
	assert_int_equal(lockdep_reports(), 1);
	assert_true(log_capture_contains("sleeping function called from invalid context"));
	assert_true(log_capture_contains("preempt count 0x1, interrupts on, thread t0"));
	host_current = NULL;    /* before the scheduler: never */
	preempt_disable();
	might_sleep();
	preempt_enable();
	assert_int_equal(lockdep_reports(), 1);
}

/* Both kinds against a model: no spinlock -> sleeping order is ever made. */
static void test_sleep_random_against_model(void **state)
{
	static bool adj[MODEL_N][MODEL_N];
	unsigned long want = 0;
	unsigned int step, a, b, half = MODEL_N / 2;

	memset(adj, 0, sizeof(adj));
	for (step = 0; step < 3000; step++) {
		a = rnd(MODEL_N);       /* < half: a sleeping lock */
		b = rnd(MODEL_N);
		if (a == b || (a >= half && b < half))
			continue;
		if (!adj[a][b] && model_reaches(adj, b, a))
			want++;
		adj[a][b] = true;
		as_thread(step % 3);
		if (a < half)
			SLOCK(&maps[a]);
		else
			spin_lock(&many[a]);
		if (b < half) {
			SLOCK(&maps[b]);
			SUNLOCK(&maps[b]);
		} else {
			spin_lock(&many[b]);
			spin_unlock(&many[b]);
		}
		if (a < half)
			SUNLOCK(&maps[a]);
		else
			spin_unlock(&many[a]);
		assert_int_equal(lockdep_reports(), want);
		if (step % 100 == 0)
			log_capture_clear();
	}
	assert_true(want > 0);
	assert_int_equal(lockdep_held_count(), 0);
}

static void test_sleep_checking_off(void **state)
{
	lock_debug_enabled = false;
	sorder(&maps[0], &maps[1]);
	sorder(&maps[1], &maps[0]);
	SUNLOCK(&maps[2]);
	SLOCK(&maps[3]);
	assert_int_equal(depth_of(0), 0);
	lockdep_thread_exit(&fake_threads[0]);
	assert_int_equal(lockdep_reports(), 0);
	assert_int_equal(lockdep_class_count(), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_class_per_site, reset),
		cmocka_unit_test_setup(test_class_table_full, reset),
		cmocka_unit_test_setup(test_ab_ba, reset),
		cmocka_unit_test_setup(test_expected_marker, reset),
		cmocka_unit_test_setup(test_long_cycle, reset),
		cmocka_unit_test_setup(test_find_path, reset),
		cmocka_unit_test_setup(test_same_class, reset),
		cmocka_unit_test_setup(test_trylock_orders, reset),
		cmocka_unit_test_setup(test_random_against_model, reset),
		cmocka_unit_test_setup(test_consistent_orders_never_report, reset),
		cmocka_unit_test_setup(test_witness_table_full, reset),
		cmocka_unit_test_setup(test_recursion_skipped, reset),
		cmocka_unit_test_setup(test_stack_overflow, reset),
		cmocka_unit_test_setup(test_unlock_unheld, reset),
		cmocka_unit_test_setup(test_unlock_wrong_cpu, reset),
		cmocka_unit_test_setup(test_assert_held, reset),
		cmocka_unit_test_setup(test_busy_is_silent, reset),
		cmocka_unit_test_setup(test_print_limit, reset),
		cmocka_unit_test_setup(test_checking_off, reset),
		cmocka_unit_test_setup(test_sleep_classes, reset_thread),
		cmocka_unit_test_setup(test_sleep_abba_across_threads, reset_thread),
		cmocka_unit_test_setup(test_sleep_follows_thread, reset_thread),
		cmocka_unit_test_setup(test_sleep_same_class, reset_thread),
		cmocka_unit_test_setup(test_sleep_trylock_orders, reset_thread),
		cmocka_unit_test_setup(test_sleep_recursion, reset_thread),
		cmocka_unit_test_setup(test_sleep_release_unheld, reset_thread),
		cmocka_unit_test_setup(test_sleep_release_order_kept, reset_thread),
		cmocka_unit_test_setup(test_sleep_overflow, reset_thread),
		cmocka_unit_test_setup(test_sleep_overflow_release_inside, reset_thread),
		cmocka_unit_test_setup(test_sleep_thread_exit, reset_thread),
		cmocka_unit_test_setup(test_sleep_atomic_context, reset_thread),
		cmocka_unit_test_setup(test_sleep_spinlock_inside, reset_thread),
		cmocka_unit_test_setup(test_sleep_then_spin_orders, reset_thread),
		cmocka_unit_test_setup(test_sleep_hardirq, reset_thread),
		cmocka_unit_test_setup(test_might_sleep, reset_thread),
		cmocka_unit_test_setup(test_sleep_random_against_model, reset_thread),
		cmocka_unit_test_setup(test_sleep_checking_off, reset_thread),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
