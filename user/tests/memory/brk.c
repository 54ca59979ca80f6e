/*
 * brk: the program break grows and shrinks, new heap pages are zero,
 * pages given back by a shrink fault (SIGSEGV/SEGV_MAPERR), requests below
 * the start of the heap or colliding with another mapping are refused.
 *
 * musl's brk()/sbrk() wrappers refuse to move the break (they always fail
 * with ENOMEM), so this uses the raw system call. Per brk(2) "C library/kernel
 * differences", the system call returns the new break on success and the
 * current (unchanged) break on failure; it never returns -1.
 * Nothing here calls malloc, so musl does not move the break behind our back.
 */
#include <signal.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "tap.h"
#include "testutil.h"

#define PG 4096UL

static uintptr_t sys_brk(uintptr_t addr)
{
	return (uintptr_t)syscall(SYS_brk, addr);
}

static uintptr_t page_up(uintptr_t a)
{
	return (a + PG - 1) & ~(PG - 1);
}

int main(void)
{
	uintptr_t start, cur, grown;
	volatile char *p;
	size_t i;
	int zero;

	fault_catch(SIGSEGV);

	tap_plan(14);

	start = sys_brk(0);
	tap_ok(start != 0 && start != (uintptr_t)-1, "brk(0) reports the current break");
	tap_is_int(sys_brk(0), start, "brk(0) is idempotent");

	/* Grow by 64 KiB: the call returns exactly the requested break. */
	grown = sys_brk(start + 64 * 1024);
	tap_is_int(grown, start + 64 * 1024, "growing the break returns the new break");

	p = (volatile char *)start;
	zero = 1;
	for (i = 0; i < 64 * 1024; i++)
		if (p[i] != 0)
			zero = 0;
	tap_ok(zero, "new heap memory reads as zero");
	for (i = 0; i < 64 * 1024; i += 512)
		p[i] = (char)(i / 512 + 1);
	zero = 1;
	for (i = 0; i < 64 * 1024; i += 512)
		if (p[i] != (char)(i / 512 + 1))
			zero = 0;
	tap_ok(zero, "heap memory keeps what was written");

	/* Shrink to 16 KiB: pages wholly above the new break are unmapped. */
	cur = sys_brk(start + 16 * 1024);
	tap_is_int(cur, start + 16 * 1024, "shrinking the break returns the new break");
	tap_is_int(fault_write((volatile char *)page_up(start + 16 * 1024) + PG, 1), SIGSEGV,
		   "a page given back by a shrink faults with SIGSEGV");
	tap_is_int(fault_last.code, SEGV_MAPERR, "the fault is SEGV_MAPERR (no mapping)");
	tap_is_int(p[512], 2, "memory below the shrunk break is kept");

	/* Grow again: the re-grown whole pages are fresh zero pages. */
	cur = sys_brk(start + 64 * 1024);
	tap_is_int(cur, start + 64 * 1024, "the break can grow again after a shrink");
	tap_is_int(p[page_up(start + 16 * 1024) - start + 2 * PG], 0,
		   "re-grown heap pages are zero again");

	/* Below the start of the heap: ignored, the break stays where it is. */
	tap_is_int(sys_brk(start - 16 * PG), start + 64 * 1024,
		   "brk below the start of the heap is ignored");

	/* Beyond the user address space (even with LA57): refused, unchanged. */
	tap_is_int(sys_brk(start + (1UL << 62)), start + 64 * 1024,
		   "brk beyond the user address space is refused");

	/*
	 * Colliding with an existing mapping: map a page 1 MiB above the
	 * break, then ask for a break 2 MiB above. brk must not clobber it.
	 */
	{
		uintptr_t at = page_up(start + 64 * 1024) + 1024 * 1024;
		void *m = mmap((void *)at, PG, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);

		if (m != (void *)at) {
			tap_skip(1, "could not place a mapping above the heap");
		} else {
			tap_is_int(sys_brk(at + 1024 * 1024), start + 64 * 1024,
				   "brk over an existing mapping is refused");
			munmap(m, PG);
		}
	}

	sys_brk(start);
	return tap_done();
}
