/*
 * mmap of anonymous memory: placement (hint, MAP_FIXED replacing a mapping,
 * MAP_FIXED_NOREPLACE), demand-zero pages, MAP_GROWSDOWN growth, and the
 * error paths of mmap(2): EINVAL for length 0, an unaligned MAP_FIXED
 * address, an unaligned offset or a missing mapping type; ENOMEM for sizes
 * no address space or memory can satisfy; EEXIST for MAP_FIXED_NOREPLACE.
 *
 * Free address ranges are found by mapping a PROT_NONE reservation and
 * unmapping it again; the program is single-threaded, so nothing else can
 * take the range in between.
 */
#include <stdint.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/sysinfo.h>
#include <fcntl.h>
#include <unistd.h>

#include "tap.h"
#include "testutil.h"

#define PG 4096UL

/* Raw mmap: musl's wrapper rejects huge lengths itself before the kernel. */
static long raw_mmap(void *addr, size_t len, int prot, int flags, int fd, long off)
{
	return syscall(SYS_mmap, addr, len, prot, flags, fd, off);
}

/* vm.overcommit_memory, or -1 if unreadable. */
static int overcommit_mode(void)
{
	char c = 0;
	int fd = open("/proc/sys/vm/overcommit_memory", O_RDONLY);

	if (fd < 0)
		return -1;
	if (read(fd, &c, 1) != 1)
		c = 0;
	close(fd);
	return c >= '0' && c <= '2' ? c - '0' : -1;
}

int main(void)
{
	unsigned char vec[4];
	char *p, *q, *r;
	int ok;

	tap_plan(25);

	/* Basic private anonymous mapping: aligned, zero-filled, writable. */
	p = map_anon(NULL, 16 * PG, 0);
	tap_ok(p != MAP_FAILED && ((uintptr_t)p & (PG - 1)) == 0,
	       "anonymous mmap returns a page-aligned address");
	tap_ok(mem_all(p, 16 * PG, 0), "demand-zero pages read as zero");
	for (size_t i = 0; i < 16; i++)
		p[i * PG + 7] = (char)(0x40 + i);
	ok = 1;
	for (size_t i = 0; i < 16; i++)
		if (p[i * PG + 7] != (char)(0x40 + i))
			ok = 0;
	tap_ok(ok, "each page keeps its own written data");
	munmap(p, 16 * PG);

	/* MAP_FIXED replaces the middle page of a three-page mapping. */
	p = map_anon(NULL, 3 * PG, 0);
	memset(p, 'a', 3 * PG);
	q = map_anon(p + PG, PG, MAP_FIXED);
	tap_ok(q == p + PG, "MAP_FIXED maps exactly at the requested address");
	tap_ok(mem_all(q, PG, 0), "the page replaced by MAP_FIXED is a fresh zero page");
	tap_ok(mem_all(p, PG, 'a') && mem_all(p + 2 * PG, PG, 'a'),
	       "pages around the MAP_FIXED replacement keep their data");
	q[0] = 'b';

	/* MAP_FIXED_NOREPLACE never clobbers. */
	tap_is_errno(map_anon(p + PG, 2 * PG, MAP_FIXED_NOREPLACE), EEXIST,
		     "MAP_FIXED_NOREPLACE over an existing mapping fails with EEXIST");
	tap_ok(p[PG] == 'b' && p[2 * PG] == 'a',
	       "a refused MAP_FIXED_NOREPLACE leaves the old mapping intact");
	munmap(p, 3 * PG);
	r = free_range(4 * PG);
	q = map_anon(r + PG, PG, MAP_FIXED_NOREPLACE);
	tap_ok(q == r + PG, "MAP_FIXED_NOREPLACE on a free range maps at that address");

	/* A plain hint over an occupied range is moved elsewhere, not an error. */
	p = map_anon(q, PG, 0);
	tap_ok(p != MAP_FAILED && p != q, "a hint over an occupied range yields another address");
	munmap(p, PG);
	munmap(q, PG);

	/*
	 * MAP_GROWSDOWN: touching below the mapping extends it downwards
	 * (mmap(2) "MAP_GROWSDOWN"). The reservation below is left free, so
	 * the stack guard gap (256 pages by default) is not an obstacle.
	 */
	r = free_range(1024 * PG);
	p = mmap(r + 1000 * PG, PG, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE | MAP_GROWSDOWN, -1, 0);
	tap_ok(p == r + 1000 * PG, "a MAP_GROWSDOWN mapping can be created");
	tap_is_errno(mincore(p - PG, PG, vec), ENOMEM,
		     "the page below a MAP_GROWSDOWN mapping is not yet mapped");
	((volatile char *)p)[-1] = 'g';
	((volatile char *)p)[-(long)PG - 1] = 'h';
	tap_is_int(mincore(p - 2 * PG, 2 * PG, vec), 0,
		   "touching below a MAP_GROWSDOWN mapping grows it");
	tap_ok(p[-1] == 'g' && p[-(long)PG - 1] == 'h' && p[-(long)PG] == 0,
	       "the grown stack pages hold the written data and zeros elsewhere");
	munmap(r, 1024 * PG);
	tap_is_errno(mmap(NULL, PG, PROT_READ | PROT_WRITE,
			  MAP_SHARED | MAP_ANONYMOUS | MAP_GROWSDOWN, -1, 0), EINVAL,
		     "a shared MAP_GROWSDOWN mapping is rejected with EINVAL");

	/* Argument errors. */
	tap_is_errno(map_anon(NULL, 0, 0), EINVAL, "length 0 fails with EINVAL");
	r = free_range(2 * PG);
	tap_is_errno(map_anon(r + 100, PG, MAP_FIXED), EINVAL,
		     "MAP_FIXED with an unaligned address fails with EINVAL");
	tap_is_errno(mmap(NULL, PG, PROT_READ, MAP_ANONYMOUS, -1, 0), EINVAL,
		     "flags without MAP_PRIVATE or MAP_SHARED fail with EINVAL");
	tap_is_errno(mmap(NULL, PG, PROT_READ, MAP_SHARED_VALIDATE | MAP_ANONYMOUS, -1, 0),
		     EINVAL, "MAP_SHARED_VALIDATE is not a type for anonymous memory (EINVAL)");
	tap_is_errno(raw_mmap(NULL, PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 100),
		     EINVAL, "an unaligned offset fails with EINVAL");
	tap_is_errno(raw_mmap(NULL, SIZE_MAX, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0),
		     ENOMEM, "a length that overflows when page-rounded fails with ENOMEM");
	/*
	 * QEMU's "-cpu max" has LA57: with 5-level paging user space reaches
	 * 2^56, so "beyond user space" must be beyond that, not just 2^47.
	 */
	tap_is_errno(raw_mmap(NULL, 1UL << 57, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0),
		     ENOMEM, "a length larger than the user address space fails with ENOMEM");
	tap_is_errno(raw_mmap((void *)(1UL << 62), PG, PROT_READ,
			      MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0),
		     ENOMEM, "MAP_FIXED above the user address space fails with ENOMEM");

	/*
	 * Commit accounting (proc(5), /proc/sys/vm/overcommit_memory = 0):
	 * the heuristic refuses a single writable private mapping larger than
	 * RAM plus swap, unless MAP_NORESERVE skips the accounting.
	 */
	if (overcommit_mode() == 0) {
		struct sysinfo si;
		size_t big;

		sysinfo(&si);
		big = ((size_t)si.totalram + si.totalswap) * si.mem_unit * 2;
		big = (big + PG - 1) & ~(PG - 1);
		tap_is_errno(map_anon(NULL, big, 0), ENOMEM,
			     "a private mapping twice the size of RAM+swap fails with ENOMEM");
		p = map_anon(NULL, big, MAP_NORESERVE);
		tap_ok(p != MAP_FAILED, "the same size succeeds with MAP_NORESERVE");
		if (p != MAP_FAILED) {
			p[big / 2] = 1;	/* one page only */
			munmap(p, big);
		}
	} else {
		tap_skip(2, "vm.overcommit_memory is not the heuristic mode");
	}
	return tap_done();
}
