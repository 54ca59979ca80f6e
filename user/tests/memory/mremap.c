/*
 * mremap: shrink in place, grow in place when the following range is free,
 * ENOMEM when it is not and MREMAP_MAYMOVE is absent, moving with
 * MREMAP_MAYMOVE and MREMAP_FIXED (data preserved, old range unmapped,
 * a mapping at the target replaced), MREMAP_DONTUNMAP, duplicating a
 * shared mapping with old_size 0; EINVAL and EFAULT paths from mremap(2).
 */
#include <sys/mman.h>
#include <unistd.h>

#include "tap.h"
#include "testutil.h"

#define PG 4096UL

#ifndef MREMAP_DONTUNMAP
#define MREMAP_DONTUNMAP 4	/* Linux 5.7, <linux/mman.h> */
#endif

static int mapped(void *p, size_t len)
{
	unsigned char vec[64];

	return mincore(p, len, vec) == 0;
}

static void fill(char *p, size_t pages)
{
	for (size_t i = 0; i < pages; i++)
		p[i * PG] = (char)('a' + i);
}

static int check(const char *p, size_t pages)
{
	for (size_t i = 0; i < pages; i++)
		if (p[i * PG] != (char)('a' + i))
			return 0;
	return 1;
}

int main(void)
{
	char *r, *p, *q, *s;

	tap_plan(22);

	/* Shrink in place. */
	p = map_anon(NULL, 4 * PG, 0);
	fill(p, 4);
	q = mremap(p, 4 * PG, 2 * PG, 0);
	tap_ok(q == p, "shrinking returns the same address");
	tap_ok(check(p, 2), "shrinking keeps the remaining data");
	tap_ok(!mapped(p + 2 * PG, 2 * PG), "the released tail is unmapped");

	/* Grow in place into a free range. */
	r = free_range(8 * PG);
	p = map_anon(r, 2 * PG, MAP_FIXED_NOREPLACE);
	fill(p, 2);
	q = mremap(p, 2 * PG, 6 * PG, 0);
	tap_ok(q == p, "growing into free space stays in place without MREMAP_MAYMOVE");
	tap_ok(check(q, 2) && q[3 * PG] == 0 && q[6 * PG - 1] == 0,
	       "old data is kept and the new part is zero");

	/* Blocked growth. */
	s = map_anon(q + 6 * PG, PG, MAP_FIXED_NOREPLACE);
	s[0] = 'S';
	fill(q, 6);
	tap_is_errno(mremap(q, 6 * PG, 8 * PG, 0), ENOMEM,
		     "growing into an occupied range without MREMAP_MAYMOVE fails with ENOMEM");
	tap_ok(check(q, 6) && s[0] == 'S', "a failed mremap leaves both mappings intact");
	p = mremap(q, 6 * PG, 8 * PG, MREMAP_MAYMOVE);
	tap_ok(p != MAP_FAILED && p != q, "MREMAP_MAYMOVE moves a blocked mapping");
	tap_ok(p != MAP_FAILED && check(p, 6) && p[7 * PG] == 0,
	       "the moved mapping carries its data");
	tap_ok(!mapped(q, 6 * PG), "the old range is unmapped after a move");
	tap_is_int(s[0], 'S', "the blocking mapping is untouched");
	munmap(s, PG);

	/* MREMAP_FIXED: move to an exact address, replacing what is there. */
	r = free_range(4 * PG);
	s = map_anon(r, 4 * PG, MAP_FIXED_NOREPLACE);
	s[0] = 'X';
	q = mremap(p, 8 * PG, 4 * PG, MREMAP_MAYMOVE | MREMAP_FIXED, r);
	tap_ok(q == r, "MREMAP_FIXED moves to the requested address");
	tap_ok(q == r && check(q, 4), "MREMAP_FIXED replaced the old contents at the target");
	tap_ok(!mapped(p, 8 * PG), "the source of a MREMAP_FIXED move is unmapped");

	/* MREMAP_DONTUNMAP keeps the source mapped, now demand-zero. */
	s = mremap(q, 4 * PG, 4 * PG, MREMAP_MAYMOVE | MREMAP_DONTUNMAP);
	tap_ok(s != MAP_FAILED && check(s, 4) && mapped(q, 4 * PG) && q[0] == 0,
	       "MREMAP_DONTUNMAP moves the pages and leaves a zero-filled source");
	munmap(q, 4 * PG);

	/* old_size 0 on a shared mapping creates a second view of the pages. */
	p = map_anon(NULL, 2 * PG, MAP_SHARED);
	q = mremap(p, 0, 2 * PG, MREMAP_MAYMOVE);
	if (q != MAP_FAILED)
		q[PG] = 'D';
	tap_ok(q != MAP_FAILED && q != p && p[PG] == 'D',
	       "old_size 0 duplicates a shared mapping onto the same pages");

	/* Errors. */
	tap_is_errno(mremap(p, 2 * PG, 4 * PG, MREMAP_FIXED, s), EINVAL,
		     "MREMAP_FIXED without MREMAP_MAYMOVE fails with EINVAL");
	tap_is_errno(mremap(p, 2 * PG, 2 * PG, MREMAP_MAYMOVE | MREMAP_FIXED, p + PG), EINVAL,
		     "a target overlapping the source fails with EINVAL");
	tap_is_errno(mremap(p + 1, PG, 2 * PG, MREMAP_MAYMOVE), EINVAL,
		     "an unaligned old address fails with EINVAL");
	tap_is_errno(mremap(p, 2 * PG, 0, MREMAP_MAYMOVE), EINVAL,
		     "new_size 0 fails with EINVAL");
	tap_is_errno(mremap(s, 0, PG, MREMAP_MAYMOVE), EINVAL,
		     "old_size 0 on a private mapping fails with EINVAL (since Linux 4.14)");
	munmap(s, 4 * PG);
	tap_is_errno(mremap(s, PG, 2 * PG, MREMAP_MAYMOVE), EFAULT,
		     "remapping an unmapped address fails with EFAULT");
	return tap_done();
}
