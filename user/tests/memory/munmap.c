/*
 * munmap: unmapping part of a mapping splits it, the hole faults with
 * SIGSEGV/SEGV_MAPERR at the right address, the remaining pieces keep their
 * data; partial lengths round up to whole pages; unmapping nothing is not an
 * error; EINVAL for an unaligned address, length 0 or a range beyond the
 * user address space (munmap(2)).
 */
#include <signal.h>
#include <sys/mman.h>
#include <unistd.h>

#include "tap.h"
#include "testutil.h"

#define PG 4096UL

int main(void)
{
	unsigned char vec[8];
	char *p, *q;

	fault_catch(SIGSEGV);

	tap_plan(16);

	/* Punch a hole in the middle of a five-page mapping. */
	p = map_anon(NULL, 5 * PG, 0);
	for (int i = 0; i < 5; i++)
		p[i * PG] = (char)('A' + i);
	tap_is_int(munmap(p + 2 * PG, PG), 0, "munmap of the middle page succeeds");
	tap_is_int(fault_read(p + 2 * PG + 17), SIGSEGV, "reading the hole raises SIGSEGV");
	tap_is_int(fault_last.code, SEGV_MAPERR, "the hole faults with SEGV_MAPERR");
	tap_ok(fault_last.addr == p + 2 * PG + 17, "si_addr is the faulting address");
	tap_ok(p[0] == 'A' && p[PG] == 'B' && p[3 * PG] == 'D' && p[4 * PG] == 'E',
	       "both halves of the split mapping keep their data");
	tap_ok(mincore(p, 2 * PG, vec) == 0 && mincore(p + 3 * PG, 2 * PG, vec) == 0,
	       "both halves are still mapped");
	tap_is_errno(mincore(p, 5 * PG, vec), ENOMEM, "a range across the hole is not fully mapped");

	/* Unmap a range covering a piece, the hole and another piece. */
	tap_is_int(munmap(p + PG, 3 * PG), 0, "munmap across a hole succeeds");
	tap_ok(fault_read(p + PG) == SIGSEGV && fault_read(p + 3 * PG) == SIGSEGV,
	       "every page of the unmapped range faults");
	tap_ok(p[0] == 'A' && p[4 * PG] == 'E', "pages outside the range survive");
	munmap(p, 5 * PG);
	tap_is_int(munmap(p, 5 * PG), 0, "munmap of an already unmapped range succeeds");

	/* A length that is not a page multiple is rounded up. */
	q = map_anon(NULL, 2 * PG, 0);
	q[PG] = 'x';
	tap_is_int(munmap(q, 1), 0, "munmap with a one-byte length succeeds");
	tap_ok(fault_read(q + PG - 1) == SIGSEGV && fault_read(q + PG) == 0,
	       "a one-byte munmap removes exactly one whole page");
	munmap(q + PG, PG);

	/* Argument errors. */
	q = map_anon(NULL, PG, 0);
	tap_is_errno(munmap(q + 1, PG), EINVAL, "an unaligned address fails with EINVAL");
	tap_is_errno(munmap(q, 0), EINVAL, "length 0 fails with EINVAL");
	/* 2^62 is above user space with 4- and 5-level (LA57) paging alike. */
	tap_is_errno(munmap((void *)(1UL << 62), PG), EINVAL,
		     "a range above the user address space fails with EINVAL");
	munmap(q, PG);
	return tap_done();
}
