/*
 * System-call dispatch: from a number to its entry in syscall_table[], or
 * -ENOSYS.
 *
 * The number is untrusted: only its low 32 bits count (Linux x86_64 reads
 * it as an int, so 1 << 32 | 39 is getpid), it is bounds-checked
 * and then clamped without a branch so a mispredicted check cannot make
 * the CPU speculatively load from past the table. Missing calls are
 * logged once per number so a run shows what a program needed without a
 * program flooding the log: a bitmap covers the table's numbers, and a
 * small fixed set remembers the unknown numbers already reported (there
 * could be four billion of them). Both are updated with atomic operations
 * and never cleared, so concurrent CPUs log each number once, lock-free.
 */
#include <keel/bitmap.h>
#include <keel/errno.h>
#include <keel/printk.h>
#include <keel/syscall.h>

/* Bit n: "not implemented" was logged for number n. [a] atomic bit ops */
static DECLARE_BITMAP(missing_logged, NR_SYSCALLS);

/*
 * Unknown numbers already logged, stored as number + 1 so that 0 marks a
 * free slot. A slot is written once (0 -> key, by compare-and-swap) and
 * never changes again, so every CPU scanning for a key meets the same
 * values in the same order and a key lands in at most one slot. [a]
 */
#define UNKNOWN_LOG_SLOTS 32
static u64 unknown_logged[UNKNOWN_LOG_SLOTS];
static unsigned long unknown_log_full;  /* bit 0: "no longer logging" said */

/*
 * Clamp @n (already checked < NR_SYSCALLS) to 0 if it is out of range,
 * with arithmetic only. The empty asm hides the bounds check from the
 * compiler, which would otherwise fold the mask to all ones.
 */
static inline unsigned long syscall_index_nospec(unsigned long n)
{
	unsigned long mask;

	__asm__("" : "+r"(n));
	mask = (unsigned long)((long)(n - NR_SYSCALLS) >> (BITS_PER_LONG - 1));
	return n & mask;
}

static void syscall_report_missing(unsigned int nr, const char *name)
{
	if (test_bit(nr, missing_logged) ||
	    test_and_set_bit(nr, missing_logged))
		return;
	pr_warn("syscall: %s (%u) not implemented\n", name, nr);
}

static void syscall_report_unknown(unsigned int nr)
{
	u64 key = (u64)nr + 1, seen;
	unsigned int i;

	for (i = 0; i < UNKNOWN_LOG_SLOTS; i++) {
		seen = __atomic_load_n(&unknown_logged[i], __ATOMIC_RELAXED);
		if (!seen) {
			if (__atomic_compare_exchange_n(&unknown_logged[i],
							&seen, key, false,
							__ATOMIC_RELAXED,
							__ATOMIC_RELAXED)) {
				pr_warn("syscall: unknown number %u\n", nr);
				return;
			}
			/* Lost the race: @seen now holds the winner's key. */
		}
		if (seen == key)
			return;
	}
	if (!test_and_set_bit(0, &unknown_log_full))
		pr_warn("syscall: unknown number %u; "
			"further unknown numbers are not logged\n", nr);
}

long syscall_dispatch(unsigned long nr, const struct syscall_args *args)
{
	unsigned int n = (unsigned int)nr;
	const struct syscall_desc *d;

	if (unlikely(n >= NR_SYSCALLS)) {
		syscall_report_unknown(n);
		return -ENOSYS;
	}
	d = &syscall_table[syscall_index_nospec(n)];
	if (likely(d->fn))
		return d->fn(args);
	if (d->name)
		syscall_report_missing(n, d->name);
	else
		syscall_report_unknown(n);
	return -ENOSYS;
}

const char *syscall_name(unsigned long nr)
{
	unsigned int n = (unsigned int)nr;

	if (n >= NR_SYSCALLS)
		return NULL;
	return syscall_table[syscall_index_nospec(n)].name;
}
