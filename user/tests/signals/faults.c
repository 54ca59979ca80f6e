/*
 * Hardware fault signals and their siginfo (sigaction(2), "The siginfo_t
 * argument"): SIGSEGV with SEGV_MAPERR (unmapped page, NULL page) and
 * SEGV_ACCERR (write to read-only memory, read of PROT_NONE, jump to a
 * non-executable page) with the exact si_addr, SIGSEGV SI_KERNEL for a
 * non-canonical address, SIGBUS BUS_ADRERR beyond the end of a truncated
 * file mapping, SIGFPE FPE_INTDIV (divide by zero, INT_MIN / -1), SIGILL
 * ILL_ILLOPN on ud2, SIGTRAP SI_KERNEL on int3; the x86 trap number, error
 * code and CR2 in the ucontext; and a fault with the signal blocked,
 * ignored, or raised again inside its own handler kills the process.
 *
 * The faulting instructions are in assembly so that their address and
 * length are known: the handler records what it saw and moves RIP past
 * the instruction (sigreturn restores the modified context).
 */
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <ucontext.h>
#include <unistd.h>

#include "tap.h"
#include "testutil.h"

/* Each probe is one faulting instruction at <name>_ip, then ret. */
asm(".text\n"
    ".globl probe_read, probe_read_ip\n"
    "probe_read:\n"
    "probe_read_ip: movb (%rdi), %al\n"		/* 2 bytes */
    "	ret\n"
    ".globl probe_write, probe_write_ip\n"
    "probe_write:\n"
    "probe_write_ip: movb $0x5a, (%rdi)\n"	/* 3 bytes */
    "	ret\n"
    ".globl probe_div, probe_div_ip\n"
    "probe_div:\n"				/* edi / esi */
    "	movl %edi, %eax\n"
    "	cltd\n"
    "probe_div_ip: idivl %esi\n"		/* 2 bytes */
    "	ret\n"
    ".globl probe_ud2, probe_ud2_ip\n"
    "probe_ud2:\n"
    "probe_ud2_ip: ud2\n"			/* 2 bytes */
    "	ret\n"
    ".globl probe_int3, probe_int3_after\n"
    "probe_int3:\n"
    "	int3\n"
    "probe_int3_after:\n"
    "	ret\n");

void probe_read(const volatile void *p);
void probe_write(volatile void *p);
int probe_div(int a, int b);
void probe_ud2(void);
void probe_int3(void);
extern char probe_read_ip[], probe_write_ip[], probe_div_ip[], probe_ud2_ip[];
extern char probe_int3_after[];

struct seen {
	int signo, code, count;
	void *addr;
	uintptr_t ip;
	long trapno, err;
	uintptr_t cr2;
};

static volatile struct seen seen;
static volatile int skip;	/* bytes to advance RIP; -1: emulate ret */

static void handler(int sig, siginfo_t *si, void *ctx)
{
	ucontext_t *uc = ctx;
	greg_t *g = uc->uc_mcontext.gregs;

	seen.count++;
	seen.signo = si->si_signo;
	seen.code = si->si_code;
	seen.addr = si->si_addr;
	seen.ip = (uintptr_t)g[REG_RIP];
	seen.trapno = g[REG_TRAPNO];
	seen.err = g[REG_ERR];
	seen.cr2 = (uintptr_t)g[REG_CR2];
	if (skip >= 0) {
		g[REG_RIP] += skip;
	} else {
		/* The fault was at a call target: return to the caller. */
		g[REG_RIP] = *(greg_t *)g[REG_RSP];
		g[REG_RSP] += 8;
	}
}

static void reset(int n)
{
	memset((void *)&seen, 0, sizeof(seen));
	skip = n;
}

static void test_segv(void)
{
	long pg = sysconf(_SC_PAGESIZE);
	char *p, *ro, *none, *nx;
	void (*jump)(void);

	sig_install_info(SIGSEGV, handler, 0);
	p = mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ro = mmap(NULL, pg, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	none = mmap(NULL, pg, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	nx = mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED || ro == MAP_FAILED || none == MAP_FAILED || nx == MAP_FAILED)
		tap_bail("mmap");
	munmap(p, pg);

	reset(2);
	probe_read(p + 100);
	tap_ok(seen.count == 1 && seen.signo == SIGSEGV && seen.code == SEGV_MAPERR,
	       "reading an unmapped page raises SIGSEGV with SEGV_MAPERR");
	tap_ok(seen.addr == p + 100, "si_addr is the faulting address");
	tap_ok(seen.ip == (uintptr_t)probe_read_ip, "the saved RIP is the faulting instruction");
	tap_ok(seen.trapno == 14 && seen.cr2 == (uintptr_t)(p + 100) && !(seen.err & 2),
	       "the ucontext has trap 14, CR2 = the address, and a read error code");

	reset(2);
	probe_read((void *)16);
	tap_ok(seen.code == SEGV_MAPERR && seen.addr == (void *)16,
	       "reading address 16 (the NULL page) gives SEGV_MAPERR at 16");

	reset(3);
	probe_write(ro + 8);
	tap_ok(seen.count == 1 && seen.code == SEGV_ACCERR && seen.addr == ro + 8,
	       "writing a read-only page gives SEGV_ACCERR at the address");
	tap_ok(seen.err & 2, "the error code of a write fault has the write bit");
	reset(3);
	probe_write(probe_read_ip);
	tap_ok(seen.code == SEGV_ACCERR && seen.addr == probe_read_ip,
	       "writing the program's own code gives SEGV_ACCERR");
	reset(2);
	probe_read(none);
	tap_ok(seen.code == SEGV_ACCERR && seen.addr == none,
	       "reading a PROT_NONE page gives SEGV_ACCERR");

	/* Jumping into a non-executable page faults on the fetch (NX). */
	nx[0] = (char)0xc3;	/* ret, were it executable */
	jump = (void (*)(void))nx;
	reset(-1);
	jump();
	tap_ok(seen.code == SEGV_ACCERR && seen.addr == nx && seen.ip == (uintptr_t)nx,
	       "executing a non-executable page gives SEGV_ACCERR at that address");
	tap_ok(seen.err & 16, "the error code of that fault has the instruction-fetch bit");

	/* A non-canonical address raises #GP: SI_KERNEL with si_addr 0. */
	reset(2);
	probe_read((void *)0x8000000000000000ul);
	tap_ok(seen.count == 1 && seen.code == SI_KERNEL && seen.addr == NULL,
	       "a non-canonical address gives SIGSEGV with SI_KERNEL and si_addr 0");
	munmap(ro, pg);
	munmap(none, pg);
	munmap(nx, pg);
	signal(SIGSEGV, SIG_DFL);
}

static void test_sigbus(void)
{
	long pg = sysconf(_SC_PAGESIZE);
	char path[] = "/tmp/keel-sigbus-XXXXXX";
	int fd = mkstemp(path);
	char *m;

	if (fd < 0 || ftruncate(fd, 2 * pg))
		tap_bail("file");
	unlink(path);
	m = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (m == MAP_FAILED)
		tap_bail("mmap");
	m[pg + 1] = 1;
	/* Shrink the file under the mapping: its second page is gone. */
	if (ftruncate(fd, pg))
		tap_bail("ftruncate");
	sig_install_info(SIGBUS, handler, 0);
	reset(2);
	probe_read(m + 10);
	tap_is_int(seen.count, 0, "the page still inside the file reads fine");
	probe_read(m + pg + 5);
	tap_ok(seen.count == 1 && seen.signo == SIGBUS && seen.code == BUS_ADRERR,
	       "reading beyond the end of a truncated file mapping gives SIGBUS BUS_ADRERR");
	tap_ok(seen.addr == m + pg + 5, "si_addr is the address beyond the end of the file");
	munmap(m, 2 * pg);
	close(fd);
	signal(SIGBUS, SIG_DFL);
}

static void test_fpe_ill_trap(void)
{
	sig_install_info(SIGFPE, handler, 0);
	sig_install_info(SIGILL, handler, 0);
	sig_install_info(SIGTRAP, handler, 0);

	reset(2);
	probe_div(7, 0);
	tap_ok(seen.count == 1 && seen.signo == SIGFPE && seen.code == FPE_INTDIV,
	       "integer division by zero gives SIGFPE with FPE_INTDIV");
	tap_ok(seen.addr == probe_div_ip && seen.ip == (uintptr_t)probe_div_ip,
	       "si_addr and RIP are the division instruction");
	reset(2);
	probe_div(INT_MIN, -1);
	tap_ok(seen.count == 1 && seen.code == FPE_INTDIV,
	       "INT_MIN / -1 also gives SIGFPE with FPE_INTDIV");
	tap_is_int(probe_div(42, 5), 8, "ordinary division still works after the handler");

	reset(2);
	probe_ud2();
	tap_ok(seen.count == 1 && seen.signo == SIGILL && seen.code == ILL_ILLOPN,
	       "ud2 gives SIGILL with ILL_ILLOPN");
	tap_ok(seen.addr == probe_ud2_ip, "si_addr is the ud2 instruction");

	reset(0);
	probe_int3();
	tap_ok(seen.count == 1 && seen.signo == SIGTRAP && seen.code == SI_KERNEL,
	       "int3 gives SIGTRAP with SI_KERNEL");
	tap_ok(seen.ip == (uintptr_t)probe_int3_after,
	       "after int3 RIP points past the instruction");
	signal(SIGFPE, SIG_DFL);
	signal(SIGILL, SIG_DFL);
	signal(SIGTRAP, SIG_DFL);
}

static void fault_again(int sig)
{
	probe_read((void *)24);
}

/* A synchronous fault cannot be blocked or ignored: it kills. */
static void test_forced(void)
{
	for (int mode = 0; mode < 3; mode++) {
		int st = 0;
		pid_t pid = fork();

		if (pid == 0) {
			if (mode == 0) {
				sigset_t s;

				sigemptyset(&s);
				sigaddset(&s, SIGSEGV);
				sigprocmask(SIG_BLOCK, &s, NULL);
			} else if (mode == 1) {
				signal(SIGSEGV, SIG_IGN);
			} else {
				signal(SIGSEGV, fault_again);
			}
			probe_read((void *)16);
			_exit(0);
		}
		waitpid(pid, &st, 0);
		tap_ok(WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV,
		       mode == 0 ? "a fault with SIGSEGV blocked kills with SIGSEGV" :
		       mode == 1 ? "a fault with SIGSEGV ignored kills with SIGSEGV" :
				   "a second fault inside the SIGSEGV handler kills with SIGSEGV");
	}
}

int main(void)
{
	alarm(25);	/* a safety net below the runner's 30 s timeout */
	test_segv();
	test_sigbus();
	test_fpe_ill_trap();
	test_forced();
	return tap_done();
}
