/*
 * The vDSO: AT_SYSINFO_EHDR names a valid ELF shared object, mapped as
 * [vdso] just above [vvar], exporting Linux's x86_64 vDSO symbols with
 * version LINUX_2.6; each entry point agrees with the system call it
 * replaces (clock_gettime interleaved with the raw system call never goes
 * backwards on any clock, clock_getres equal, gettimeofday and time
 * within the REALTIME readings around them, getcpu equal to the CPU the
 * thread is pinned to); unknown clocks come back as -EINVAL; the image is
 * read-only; fork keeps it working and munmap of it is harmless.
 *
 * Keel-specific (skipped on Linux, whose /proc/self/status has no
 * "Syscalls:" line): 1000 clock_gettime(CLOCK_MONOTONIC) calls through
 * the vDSO make no system call.
 */
#include <elf.h>
#include <errno.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tap.h"
#include "testutil.h"

#ifndef CLOCK_TAI
#define CLOCK_TAI 11
#endif

typedef int (*cgt_fn)(clockid_t, struct timespec *);
typedef int (*gtod_fn)(struct timeval *, void *);
typedef long (*time_fn)(long *);
typedef long (*getcpu_fn)(unsigned *, unsigned *, void *);

static const struct {
	clockid_t id;
	const char *name;
} clocks[] = {
	{ CLOCK_REALTIME, "REALTIME" },
	{ CLOCK_MONOTONIC, "MONOTONIC" },
	{ CLOCK_PROCESS_CPUTIME_ID, "PROCESS_CPUTIME_ID" },
	{ CLOCK_THREAD_CPUTIME_ID, "THREAD_CPUTIME_ID" },
	{ CLOCK_MONOTONIC_RAW, "MONOTONIC_RAW" },
	{ CLOCK_REALTIME_COARSE, "REALTIME_COARSE" },
	{ CLOCK_MONOTONIC_COARSE, "MONOTONIC_COARSE" },
	{ CLOCK_BOOTTIME, "BOOTTIME" },
	{ CLOCK_TAI, "TAI" },
};
#define NCLOCKS (int)(sizeof(clocks) / sizeof(clocks[0]))

static const char *const syms[] = {
	"__vdso_clock_gettime", "__vdso_gettimeofday", "__vdso_time",
	"__vdso_getcpu", "__vdso_clock_getres",
};
#define NSYMS (int)(sizeof(syms) / sizeof(syms[0]))

/* ---- a minimal vDSO symbol lookup (DT_HASH, versions) -------------------- */

struct vdso {
	const Elf64_Ehdr *eh;
	uintptr_t base;             /* load bias */
	const char *strtab;
	const Elf64_Sym *symtab;
	const Elf32_Word *hash;
	const Elf64_Half *versym;
	const Elf64_Verdef *verdef;
	const char *soname;
};

static int vdso_open(struct vdso *v, uintptr_t at)
{
	const Elf64_Phdr *ph;
	const Elf64_Dyn *dyn = NULL;
	uintptr_t soname = 0;
	int i, have_load = 0;

	memset(v, 0, sizeof(*v));
	v->eh = (const Elf64_Ehdr *)at;
	if (memcmp(v->eh->e_ident, ELFMAG, SELFMAG) ||
	    v->eh->e_ident[EI_CLASS] != ELFCLASS64 ||
	    v->eh->e_type != ET_DYN || v->eh->e_machine != EM_X86_64)
		return -1;
	ph = (const Elf64_Phdr *)(at + v->eh->e_phoff);
	for (i = 0; i < v->eh->e_phnum; i++) {
		if (ph[i].p_type == PT_LOAD && !have_load) {
			v->base = at + ph[i].p_offset - ph[i].p_vaddr;
			have_load = 1;
		} else if (ph[i].p_type == PT_DYNAMIC) {
			dyn = (const Elf64_Dyn *)(at + ph[i].p_offset);
		}
	}
	if (!have_load || !dyn)
		return -1;
	for (; dyn->d_tag != DT_NULL; dyn++) {
		uintptr_t p = v->base + dyn->d_un.d_ptr;

		switch (dyn->d_tag) {
		case DT_STRTAB: v->strtab = (const char *)p; break;
		case DT_SYMTAB: v->symtab = (const Elf64_Sym *)p; break;
		case DT_HASH: v->hash = (const Elf32_Word *)p; break;
		case DT_VERSYM: v->versym = (const Elf64_Half *)p; break;
		case DT_VERDEF: v->verdef = (const Elf64_Verdef *)p; break;
		case DT_SONAME: soname = dyn->d_un.d_val; break;
		}
	}
	if (!v->strtab || !v->symtab || !v->hash)
		return -1;
	v->soname = soname ? v->strtab + soname : "";
	return 0;
}

/* Does version index @ndx name @ver in the vDSO's version definitions? */
static int vdso_version_is(const struct vdso *v, unsigned ndx, const char *ver)
{
	const Elf64_Verdef *d = v->verdef;

	ndx &= 0x7fff;
	while (d) {
		if (!(d->vd_flags & VER_FLG_BASE) && d->vd_ndx == ndx) {
			const Elf64_Verdaux *a = (const void *)
				((const char *)d + d->vd_aux);

			return !strcmp(v->strtab + a->vda_name, ver);
		}
		d = d->vd_next ? (const void *)((const char *)d + d->vd_next)
			       : NULL;
	}
	return 0;
}

/* @name@LINUX_2.6, a defined function: its address, or NULL. */
static void *vdso_sym(const struct vdso *v, const char *name)
{
	Elf32_Word n = v->hash[1];      /* nchain: the number of symbols */

	for (Elf32_Word i = 0; i < n; i++) {
		const Elf64_Sym *s = &v->symtab[i];

		if (ELF64_ST_TYPE(s->st_info) != STT_FUNC ||
		    s->st_shndx == SHN_UNDEF ||
		    strcmp(v->strtab + s->st_name, name))
			continue;
		if (v->versym && v->verdef &&
		    !vdso_version_is(v, v->versym[i], "LINUX_2.6"))
			continue;
		return (void *)(v->base + s->st_value);
	}
	return NULL;
}

/* ---- helpers ------------------------------------------------------------- */

static int64_t ts_ns(const struct timespec *t)
{
	return (int64_t)t->tv_sec * 1000000000 + t->tv_nsec;
}

static int64_t sys_ns(clockid_t id)
{
	struct timespec t;

	if (syscall(SYS_clock_gettime, id, &t))
		return -1;
	return ts_ns(&t);
}

static cgt_fn cgt;

static int64_t vdso_ns(clockid_t id)
{
	struct timespec t;

	if (cgt(id, &t))
		return -1;
	return ts_ns(&t);
}

/* The line of /proc/self/maps naming @name: its range; 0 or -1. */
static int maps_find(const char *name, uintptr_t *lo, uintptr_t *hi)
{
	FILE *f = fopen("/proc/self/maps", "r");
	char line[512];
	int ret = -1;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		unsigned long a, b;

		if (strstr(line, name) &&
		    sscanf(line, "%lx-%lx", &a, &b) == 2) {
			*lo = a;
			*hi = b;
			ret = 0;
			break;
		}
	}
	fclose(f);
	return ret;
}

/* ---- the cases ----------------------------------------------------------- */

/* 200 rounds of syscall, vDSO, syscall...: never backwards, no error. */
static void test_clock_agrees(int i)
{
	int64_t prev = sys_ns(clocks[i].id), cur;
	int ok = prev >= 0, r;

	for (r = 0; r < 200 && ok; r++) {
		cur = (r & 1) ? sys_ns(clocks[i].id) : vdso_ns(clocks[i].id);
		if (cur < 0 || cur < prev) {
			tap_diag("%s round %d: %lld after %lld", clocks[i].name,
				 r, (long long)cur, (long long)prev);
			ok = 0;
		}
		prev = cur;
	}
	tap_ok(ok, "clock_gettime(%s): vDSO and syscall interleave "
	       "monotonically", clocks[i].name);
}

static void test_getres(const struct vdso *v)
{
	int (*res)(clockid_t, struct timespec *) =
		(int (*)(clockid_t, struct timespec *))
		vdso_sym(v, "__vdso_clock_getres");
	struct timespec a, b;
	int ok = res != NULL;

	for (int i = 0; i < NCLOCKS && ok; i++) {
		memset(&a, 0x55, sizeof(a));
		memset(&b, 0xaa, sizeof(b));
		if (syscall(SYS_clock_getres, clocks[i].id, &a) ||
		    res(clocks[i].id, &b) || a.tv_sec != b.tv_sec ||
		    a.tv_nsec != b.tv_nsec) {
			tap_diag("clock_getres(%s) differs", clocks[i].name);
			ok = 0;
		}
	}
	tap_ok(ok, "clock_getres through the vDSO equals the syscall's");
	tap_ok(res && res(CLOCK_MONOTONIC, NULL) == 0,
	       "clock_getres(MONOTONIC, NULL) through the vDSO is 0");
}

static void test_gtod_time(const struct vdso *v)
{
	gtod_fn gtod = (gtod_fn)vdso_sym(v, "__vdso_gettimeofday");
	time_fn tm = (time_fn)vdso_sym(v, "__vdso_time");
	struct timezone tz;
	struct timeval tv;
	int64_t before, after, us;
	long t1, t2 = 0;

	before = sys_ns(CLOCK_REALTIME);
	tap_ok(gtod && gtod(&tv, NULL) == 0, "gettimeofday through the vDSO");
	after = sys_ns(CLOCK_REALTIME);
	us = (int64_t)tv.tv_sec * 1000000 + tv.tv_usec;
	tap_ok(us >= before / 1000 && us <= after / 1000 &&
	       tv.tv_usec >= 0 && tv.tv_usec < 1000000,
	       "gettimeofday lies between REALTIME syscall readings");
	tap_ok(gtod && gtod(&tv, &tz) == 0,
	       "gettimeofday with a timezone through the vDSO");

	before = sys_ns(CLOCK_REALTIME);
	t1 = tm ? tm(&t2) : -1;
	after = sys_ns(CLOCK_REALTIME);
	/* Linux's time() is the last tick's second: up to a tick late. */
	tap_ok(t1 == t2 && t1 + 1 >= before / 1000000000 &&
	       t1 <= after / 1000000000,
	       "time through the vDSO lies between REALTIME readings");
	tap_ok(tm && tm(NULL) >= t1, "time(NULL) through the vDSO");
}

static void test_getcpu(const struct vdso *v)
{
	getcpu_fn gc = (getcpu_fn)vdso_sym(v, "__vdso_getcpu");
	cpu_set_t orig, one;
	unsigned cpu = ~0u, node = ~0u, scpu = ~0u, snode = ~0u;
	int ok, tried = 0;

	ok = gc && gc(&cpu, &node, NULL) == 0 &&
	     syscall(SYS_getcpu, &scpu, &snode, NULL) == 0;
	tap_ok(ok && cpu < CPU_SETSIZE && node == snode,
	       "getcpu through the vDSO: cpu %u node %u", cpu, node);
	tap_ok(gc && gc(NULL, NULL, NULL) == 0, "getcpu(NULL, NULL)");

	ok = gc && sched_getaffinity(0, sizeof(orig), &orig) == 0;
	for (int c = 0; ok && c < 64; c++) {
		if (!CPU_ISSET(c, &orig))
			continue;
		CPU_ZERO(&one);
		CPU_SET(c, &one);
		if (sched_setaffinity(0, sizeof(one), &one))
			continue;       /* offline */
		tried++;
		for (int r = 0; r < 20 && ok; r++) {
			if (gc(&cpu, NULL, NULL) || cpu != (unsigned)c ||
			    sched_getcpu() != c) {
				tap_diag("pinned to %d, vDSO says %u", c, cpu);
				ok = 0;
			}
		}
	}
	if (gc)
		sched_setaffinity(0, sizeof(orig), &orig);
	tap_ok(ok && tried > 0, "getcpu follows sched_setaffinity on %d CPUs",
	       tried);
}

static void test_maps(uintptr_t at)
{
	uintptr_t lo, hi, vlo = 0, vhi = 0;
	int have = maps_find("[vdso]", &lo, &hi) == 0;

	tap_ok(have && lo == at, "[vdso] in /proc/self/maps starts at "
	       "AT_SYSINFO_EHDR");
	tap_ok(maps_find("[vvar]", &vlo, &vhi) == 0 && vhi == at,
	       "[vvar] lies just below [vdso]");
}

static void test_readonly(uintptr_t at)
{
	fault_catch(SIGSEGV);
	tap_is_int(fault_write((volatile char *)at + 16, 1), SIGSEGV,
		   "a write to the vDSO raises SIGSEGV");
	tap_is_int(fault_read((volatile char *)at), 0, "the vDSO is readable");
	tap_is_int(fault_write((volatile char *)at - 4096, 1), SIGSEGV,
		   "a write to [vvar] raises SIGSEGV");
}

/*
 * A child makes its vDSO writable (Linux allows it, copy-on-write; Keel
 * refuses) and, if that worked, writes to it: never visible elsewhere.
 */
static void test_mprotect_private(uintptr_t at)
{
	volatile char *pad = (volatile char *)at + EI_PAD;
	char before = *pad;
	pid_t pid = fork();

	if (pid == 0) {
		if (mprotect((void *)at, 4096, PROT_READ | PROT_WRITE) == 0)
			*pad = (char)(before + 1);
		_exit(0);
	}
	tap_is_int(wait_exit_code(pid), 0, "mprotect of the vDSO in a child");
	tap_ok(*pad == before, "the parent's vDSO is unchanged");
}

/* The child reads the clock through the inherited vDSO, then unmaps it. */
static void test_fork_munmap(uintptr_t at)
{
	uintptr_t lo = at, hi = at + 4096, vlo = 0, vhi = 0;
	pid_t pid;

	maps_find("[vdso]", &lo, &hi);
	maps_find("[vvar]", &vlo, &vhi);
	pid = fork();
	if (pid == 0) {
		int64_t a = vdso_ns(CLOCK_MONOTONIC);
		int64_t b = sys_ns(CLOCK_MONOTONIC);

		if (a < 0 || b < a)
			_exit(1);
		if (munmap((void *)lo, hi - lo) ||
		    (vlo && munmap((void *)vlo, vhi - vlo)))
			_exit(2);
		/* Not mapped any more: the clock is the system call's. */
		_exit(sys_ns(CLOCK_MONOTONIC) >= b ? 0 : 3);
	}
	tap_is_int(wait_exit_code(pid), 0,
		   "fork: the child's vDSO works; unmapping it is harmless");
	tap_ok(vdso_ns(CLOCK_MONOTONIC) > 0, "the parent's vDSO still works");
}

/*
 * Setting the wall clock moves the vDSO's REALTIME with the syscall's:
 * forward 1000 s, compare, and back again (root only).
 */
static void test_settime(void)
{
	struct timespec ts;
	int64_t sys0, vd, sys1;
	int ok;

	if (clock_gettime(CLOCK_REALTIME, &ts) == 0)
		ts.tv_sec += 1000;
	if (clock_settime(CLOCK_REALTIME, &ts)) {
		tap_skip(2, "clock_settime: %s", strerror(errno));
		return;
	}
	sys0 = sys_ns(CLOCK_REALTIME);
	vd = vdso_ns(CLOCK_REALTIME);
	sys1 = sys_ns(CLOCK_REALTIME);
	ok = sys0 <= vd && vd <= sys1;
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec -= 1000;
	tap_ok(ok, "after clock_settime the vDSO's REALTIME agrees");
	tap_is_int(clock_settime(CLOCK_REALTIME, &ts), 0,
		   "the wall clock is set back");
}

/* Keel: the per-process system-call counter does not move. */
static void test_no_syscalls(void)
{
	char b0[32], b1[32], b2[32], b3[32];
	long long probe, vdso, sys;
	struct timespec t;
	int i;

	if (proc_status("Syscalls", b0, sizeof(b0))) {
		tap_skip(2, "Keel-specific: /proc/self/status has no Syscalls: "
			 "line on Linux");
		return;
	}
	proc_status("Syscalls", b1, sizeof(b1));
	for (i = 0; i < 1000; i++)
		cgt(CLOCK_MONOTONIC, &t);
	proc_status("Syscalls", b2, sizeof(b2));
	for (i = 0; i < 1000; i++)
		syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &t);
	proc_status("Syscalls", b3, sizeof(b3));
	probe = atoll(b1) - atoll(b0);          /* one status read's own */
	vdso = atoll(b2) - atoll(b1) - probe;
	sys = atoll(b3) - atoll(b2) - probe;
	if (vdso)
		tap_diag("is the clock source readable from user mode "
			 "(not the PIT)?");
	tap_is_int(vdso, 0, "Keel: 1000 vDSO clock_gettime(MONOTONIC) make "
		   "no system call");
	tap_is_int(sys, 1000, "Keel: 1000 raw clock_gettime syscalls count "
		   "1000");
}

int main(void)
{
	uintptr_t at = getauxval(AT_SYSINFO_EHDR);
	struct vdso v;
	int i;

	tap_plan(5 + NSYMS + NCLOCKS + 1 + 2 + 5 + 3 + 2 + 3 + 2 + 2 + 2 + 2);
	tap_ok(at != 0, "AT_SYSINFO_EHDR is in the auxiliary vector");
	if (!at)
		tap_bail("no vDSO");
	tap_ok(vdso_open(&v, at) == 0, "the vDSO is an x86_64 ELF64 shared "
	       "object with a dynamic symbol table and DT_HASH");
	if (!v.strtab)
		tap_bail("no usable vDSO");
	tap_is_str(v.soname, "linux-vdso.so.1", "SONAME");
	tap_ok(v.versym && v.verdef, "symbol versions are defined");
	for (i = 0; i < NSYMS; i++)
		tap_ok(vdso_sym(&v, syms[i]) != NULL, "%s@LINUX_2.6", syms[i]);
	cgt = (cgt_fn)vdso_sym(&v, "__vdso_clock_gettime");
	if (!cgt)
		tap_bail("no __vdso_clock_gettime");
	tap_ok(vdso_sym(&v, "clock_gettime") != NULL,
	       "the unversioned alias clock_gettime");

	for (i = 0; i < NCLOCKS; i++)
		test_clock_agrees(i);
	tap_is_int(cgt(12345, &(struct timespec){ 0 }), -EINVAL,
		   "an unknown clock through the vDSO is -EINVAL");
	test_getres(&v);
	test_gtod_time(&v);
	test_getcpu(&v);
	test_maps(at);
	test_readonly(at);
	test_mprotect_private(at);
	test_fork_munmap(at);
	test_settime();
	test_no_syscalls();
	return tap_done();
}
