/*
 * mprotect: PROT_NONE makes reads fault and PROT_READ makes writes fault,
 * both with SIGSEGV/SEGV_ACCERR at the faulting address (caught with
 * sigsetjmp/siglongjmp); restoring PROT_WRITE keeps the data; protecting
 * one page of a mapping leaves its neighbours alone; PROT_EXEC controls
 * instruction fetch (x86_64 has NX); an uncaught fault kills a child with
 * SIGSEGV. Errors: EINVAL for an unaligned address or unknown prot bits,
 * ENOMEM for an unmapped range or one that crosses a hole (mprotect(2)).
 */
#include <signal.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tap.h"
#include "testutil.h"

#define PG 4096UL

int main(void)
{
	char *p;
	pid_t pid;
	int st;

	fault_catch(SIGSEGV);

	tap_plan(20);

	p = mmap(NULL, 3 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		tap_bail("mmap failed");
	p[0] = 'a';
	p[PG] = 'b';
	p[2 * PG] = 'c';

	/* PROT_NONE: any access faults with SEGV_ACCERR (mapping exists). */
	tap_is_int(mprotect(p, 3 * PG, PROT_NONE), 0, "mprotect to PROT_NONE succeeds");
	tap_is_int(fault_read(p + PG + 5), SIGSEGV, "reading a PROT_NONE page raises SIGSEGV");
	tap_is_int(fault_last.code, SEGV_ACCERR, "the PROT_NONE fault is SEGV_ACCERR");
	tap_ok(fault_last.addr == p + PG + 5, "si_addr is the faulting address");

	/* PROT_READ: reads work and see the data, writes fault. */
	tap_is_int(mprotect(p, 3 * PG, PROT_READ), 0, "mprotect to PROT_READ succeeds");
	tap_ok(fault_read(p) == 0 && p[PG] == 'b', "a PROT_READ page is readable with its data");
	tap_is_int(fault_write(p + 2 * PG, 'z'), SIGSEGV, "writing a PROT_READ page raises SIGSEGV");
	tap_is_int(fault_last.code, SEGV_ACCERR, "the write fault is SEGV_ACCERR");
	tap_is_int(p[2 * PG], 'c', "the faulting write did not modify memory");

	/* Back to read-write. */
	tap_is_int(mprotect(p, 3 * PG, PROT_READ | PROT_WRITE), 0, "mprotect back to PROT_READ|PROT_WRITE succeeds");
	tap_ok(fault_write(p + 2 * PG, 'z') == 0 && p[2 * PG] == 'z' && p[0] == 'a',
	       "the page is writable again and kept its data");

	/* Only the middle page loses write permission. */
	mprotect(p + PG, PG, PROT_READ);
	tap_ok(fault_write(p, 'A') == 0 && fault_write(p + 2 * PG, 'C') == 0 &&
	       fault_write(p + PG, 'B') == SIGSEGV,
	       "mprotect of one page leaves its neighbours writable");

	/* Execute permission: a "ret" runs only from an executable page. */
	p[0] = (char)0xc3;	/* ret */
	mprotect(p, PG, PROT_READ | PROT_EXEC);
	tap_is_int(fault_call(p), 0, "code in a PROT_READ|PROT_EXEC page runs");
	mprotect(p, PG, PROT_READ | PROT_WRITE);
	tap_ok(fault_call(p) == SIGSEGV && fault_last.code == SEGV_ACCERR && fault_last.addr == p,
	       "executing a non-executable page faults with SEGV_ACCERR");

	/* Argument errors. */
	/* musl's mprotect() rounds the address down itself: use the syscall. */
	tap_is_errno(syscall(SYS_mprotect, p + 1, PG, PROT_READ), EINVAL,
		     "an unaligned address fails with EINVAL");
	tap_is_errno(mprotect(p, PG, 0x100 | PROT_READ), EINVAL, "unknown prot bits fail with EINVAL");
	munmap(p + PG, PG);
	tap_is_errno(mprotect(p + PG, PG, PROT_READ), ENOMEM, "an unmapped range fails with ENOMEM");
	tap_is_errno(mprotect(p, 3 * PG, PROT_READ), ENOMEM, "a range across a hole fails with ENOMEM");
	tap_is_int(syscall(SYS_mprotect, p, 0, PROT_NONE), 0, "length 0 is a successful no-op");

	/* Without a handler the fault is fatal. */
	mprotect(p, PG, PROT_READ);
	pid = fork();
	if (pid == 0) {
		signal(SIGSEGV, SIG_DFL);
		((volatile char *)p)[0] = 1;
		_exit(0);
	}
	tap_ok(waitpid(pid, &st, 0) == pid && WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV,
	       "an unhandled write to a read-only page kills the process with SIGSEGV");
	return tap_done();
}
