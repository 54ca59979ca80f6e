/*
 * madvise, mincore and msync on anonymous memory.
 *
 * madvise(2) MADV_DONTNEED: private anonymous pages come back zero-filled,
 * shared anonymous (shmem) pages are repopulated from the shared object, so
 * they keep their data. MADV_DONTFORK hides a range from fork children.
 * mincore(2) reports residency: untouched anonymous pages are not resident,
 * written or MAP_POPULATE'd ones are. Error paths for all three: EINVAL for
 * unaligned addresses and bad advice/flags, ENOMEM for unmapped ranges,
 * EFAULT for a bad mincore vector.
 */
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tap.h"
#include "testutil.h"

#define PG 4096UL

int main(void)
{
	unsigned char vec[8];
	char *p, *s, *u;
	pid_t pid;
	int st, ok;

	tap_plan(23);

	/* MADV_DONTNEED on private anonymous memory. */
	p = map_anon(NULL, 4 * PG, 0);
	memset(p, 'p', 4 * PG);
	tap_is_int(madvise(p + PG, 2 * PG, MADV_DONTNEED), 0, "MADV_DONTNEED succeeds");
	tap_ok(mem_all(p + PG, 2 * PG, 0), "private anonymous pages read as zero after MADV_DONTNEED");
	tap_ok(mem_all(p, PG, 'p') && mem_all(p + 3 * PG, PG, 'p'),
	       "pages outside the advised range keep their data");

	/* ... and on shared anonymous memory the data survives. */
	s = map_anon(NULL, 2 * PG, MAP_SHARED);
	memset(s, 's', 2 * PG);
	madvise(s, 2 * PG, MADV_DONTNEED);
	tap_ok(mem_all(s, 2 * PG, 's'), "shared anonymous pages keep their data after MADV_DONTNEED");

	/* mincore residency. */
	u = map_anon(NULL, 4 * PG, 0);
	tap_ok(mincore(u, 4 * PG, vec) == 0 && !(vec[0] & 1) && !(vec[3] & 1),
	       "untouched anonymous pages are not resident");
	u[2 * PG] = 1;
	tap_ok(mincore(u, 4 * PG, vec) == 0 && (vec[2] & 1) && !(vec[1] & 1),
	       "a written page is resident and its neighbour is not");
	madvise(u, 4 * PG, MADV_DONTNEED);
	tap_ok(mincore(u, 4 * PG, vec) == 0 && !(vec[2] & 1),
	       "a page dropped with MADV_DONTNEED is no longer resident");
	munmap(u, 4 * PG);
	u = mmap(NULL, 4 * PG, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	ok = mincore(u, 4 * PG, vec) == 0;
	for (int i = 0; i < 4; i++)
		ok = ok && (vec[i] & 1);
	tap_ok(ok, "MAP_POPULATE makes every page resident");
	tap_is_errno(mincore(u + 1, PG, vec), EINVAL, "mincore of an unaligned address fails with EINVAL");
	munmap(u + 2 * PG, 2 * PG);
	tap_is_errno(mincore(u, 4 * PG, vec), ENOMEM, "mincore of a partly unmapped range fails with ENOMEM");
	tap_is_errno(mincore(u, PG, (unsigned char *)8), EFAULT,
		     "mincore with a bad vector pointer fails with EFAULT");

	/* Other advice and madvise errors. */
	tap_ok(madvise(p, 4 * PG, MADV_NORMAL) == 0 && madvise(p, 4 * PG, MADV_RANDOM) == 0 &&
	       madvise(p, 4 * PG, MADV_SEQUENTIAL) == 0 && madvise(p, 4 * PG, MADV_WILLNEED) == 0,
	       "MADV_NORMAL, RANDOM, SEQUENTIAL and WILLNEED succeed");
	tap_is_errno(madvise(p, PG, 12345), EINVAL, "unknown advice fails with EINVAL");
	tap_is_errno(madvise(p + 1, PG, MADV_DONTNEED), EINVAL, "an unaligned address fails with EINVAL");
	tap_is_errno(madvise(u + 2 * PG, 2 * PG, MADV_WILLNEED), ENOMEM,
		     "advice on an unmapped range fails with ENOMEM");

	/* MADV_DONTFORK: the child has no mapping there. */
	tap_is_int(madvise(p, PG, MADV_DONTFORK), 0, "MADV_DONTFORK succeeds");
	pid = fork();
	if (pid == 0) {
		(void)((volatile char *)p)[0];
		_exit(0);
	}
	tap_ok(waitpid(pid, &st, 0) == pid && WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV,
	       "a fork child faults on a MADV_DONTFORK range");
	madvise(p, PG, MADV_DOFORK);
	pid = fork();
	if (pid == 0)
		_exit(((volatile char *)p)[0] == 'p' ? 0 : 1);
	tap_ok(waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0,
	       "after MADV_DOFORK the child inherits the range again");

	/* msync on anonymous memory: nothing to write back, only argument checks. */
	tap_ok(msync(p, 4 * PG, MS_SYNC) == 0 && msync(p, 4 * PG, MS_ASYNC) == 0 &&
	       msync(p, 4 * PG, MS_INVALIDATE) == 0,
	       "msync with MS_SYNC, MS_ASYNC and MS_INVALIDATE succeeds");
	tap_is_errno(msync(p, PG, MS_SYNC | MS_ASYNC), EINVAL, "MS_SYNC|MS_ASYNC fails with EINVAL");
	tap_is_errno(msync(p, PG, 0x100), EINVAL, "an unknown msync flag fails with EINVAL");
	tap_is_errno(msync(p + 1, PG, MS_SYNC), EINVAL, "msync of an unaligned address fails with EINVAL");
	tap_is_errno(msync(u + 2 * PG, PG, MS_SYNC), ENOMEM, "msync of an unmapped range fails with ENOMEM");
	return tap_done();
}
