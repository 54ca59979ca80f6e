/*
 * The vDSO's code: clock_gettime, clock_getres, gettimeofday, time and
 * getcpu in user mode. Built as a separate shared object (see arch.mk and
 * vdso.lds), never linked into the kernel.
 *
 * Runs on the caller's stack with the caller's %fs/%gs untouched (built
 * without stack protector: no TLS canary). The clock is the kernel's own
 * (kernel/sched/clock.c), mirrored in the [vvar] page one page below this
 * image; see <keel/vdso.h>. Whatever cannot be answered here (CPU-time
 * clocks, unknown ids, a counter user mode cannot read, a 32-bit counter
 * overdue for a fold) is passed to the real system call, whose return
 * value (0 or -errno, Linux's vDSO convention) is returned as is.
 */
#define __VDSO__
#include <keel/vdso.h>

typedef unsigned int u32;
typedef unsigned long long u64;
typedef long long s64;
typedef unsigned __int128 u128;

/* Linux's x86_64 numbers and types (<asm/unistd_64.h>, <linux/time.h>). */
#define NR_gettimeofday  96
#define NR_time          201
#define NR_clock_gettime 228
#define NR_clock_getres  229
#define NR_getcpu        309

#define CLOCK_REALTIME          0
#define CLOCK_MONOTONIC         1
#define CLOCK_MONOTONIC_RAW     4
#define CLOCK_REALTIME_COARSE   5
#define CLOCK_MONOTONIC_COARSE  6
#define CLOCK_BOOTTIME          7
#define CLOCK_TAI               11

#define NSEC_PER_SEC  1000000000ULL
#define NSEC_PER_USEC 1000ULL

struct vdso_timespec {
	long tv_sec;
	long tv_nsec;
};

struct vdso_timeval {
	long tv_sec;
	long tv_usec;
};

struct timezone;
struct getcpu_cache;

/* The image's own ELF header; [vvar] is the page just below it. */
extern const char __ehdr_start[] __attribute__((visibility("hidden")));

static inline const struct vdso_data *vvar(void)
{
	const char *p = __ehdr_start;

	/* Hide the arithmetic from the optimizer: an address below the
	 * symbol is fine at run time, but not something to fold. */
	__asm__("" : "+r"(p));
	return (const struct vdso_data *)(p - 4096);
}

static inline long sys2(long nr, long a, long b)
{
	long ret;

	__asm__ __volatile__("syscall"
			     : "=a"(ret)
			     : "a"(nr), "D"(a), "S"(b)
			     : "rcx", "r11", "memory");
	return ret;
}

static inline long sys3(long nr, long a, long b, long c)
{
	long ret;

	__asm__ __volatile__("syscall"
			     : "=a"(ret)
			     : "a"(nr), "D"(a), "S"(b), "d"(c)
			     : "rcx", "r11", "memory");
	return ret;
}

/* The kernel's TSC read: lfence keeps rdtsc from running early. */
static inline u64 rdtsc_ordered(void)
{
	u32 lo, hi;

	__asm__ __volatile__("lfence\n\trdtsc"
			     : "=a"(lo), "=d"(hi) : : "memory");
	return ((u64)hi << 32) | lo;
}

/* Read the counter of @c. Return: 0, or -1 if user mode cannot. */
static inline int read_counter(const struct vdso_data *vd, unsigned int mode,
			       u64 *now)
{
	switch (mode) {
	case VDSO_CLOCK_TSC:
		*now = rdtsc_ordered();
		return 0;
	case VDSO_CLOCK_HPET:
		*now = *(const volatile u64 *)vd->hpet_counter;
		return 0;
	case VDSO_CLOCK_HPET32:
		*now = *(const volatile u32 *)vd->hpet_counter;
		return 0;
	}
	return -1;
}

/*
 * The monotonic clock, computed exactly as clock_monotonic_ns() does.
 * Return: 0, or -1 when the system call must answer instead.
 */
static int vread_monotonic(u64 *out)
{
	const struct vdso_data *vd = vvar();
	const struct vdso_clock *c;
	unsigned int seq;
	u64 now, delta, mask;
	u128 ns;

	do {
		seq = __atomic_load_n(&vd->seq, __ATOMIC_ACQUIRE);
		c = &vd->copy[seq & 1];
		if (read_counter(vd, c->mode, &now))
			return -1;
		mask = c->mask;
		delta = (now - c->cycle_last) & mask;
		/* A per-CPU 64-bit counter slightly behind counts as 0. */
		if (mask == ~0ULL && (s64)delta < 0)
			delta = 0;
		ns = (((u128)c->base_hi << 64) | c->base_lo) +
		     (u128)delta * c->mult;
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
	} while (__atomic_load_n(&vd->seq, __ATOMIC_RELAXED) != seq);
	/* A narrow counter overdue for a fold: the kernel folds it. */
	if (mask != ~0ULL && delta > (mask >> 2))
		return -1;
	*out = (u64)(ns >> VDSO_CLOCK_SHIFT);
	return 0;
}

/* REALTIME as clock_realtime_ns(): the offset first, then monotonic. */
static int vread_realtime(u64 *out)
{
	const struct vdso_data *vd = vvar();
	u64 off = __atomic_load_n(&vd->realtime_offset, __ATOMIC_RELAXED);
	u64 mono;

	if (vread_monotonic(&mono))
		return -1;
	*out = off + mono;
	return 0;
}

/* Read clock @clk. Return: 0, or -1: not here (the system call). */
static int vread_clock(int clk, u64 *ns)
{
	switch (clk) {
	case CLOCK_REALTIME:
	case CLOCK_TAI:
		return vread_realtime(ns);
	case CLOCK_MONOTONIC:
	case CLOCK_MONOTONIC_RAW:
	case CLOCK_BOOTTIME:
		return vread_monotonic(ns);
	case CLOCK_REALTIME_COARSE:
		if (vread_realtime(ns))
			return -1;
		*ns = *ns / VDSO_COARSE_NS * VDSO_COARSE_NS;
		return 0;
	case CLOCK_MONOTONIC_COARSE:
		if (vread_monotonic(ns))
			return -1;
		*ns = *ns / VDSO_COARSE_NS * VDSO_COARSE_NS;
		return 0;
	}
	return -1;
}

int __vdso_clock_gettime(int clk, struct vdso_timespec *ts);
int __vdso_clock_gettime(int clk, struct vdso_timespec *ts)
{
	u64 ns;

	if (vread_clock(clk, &ns))
		return (int)sys2(NR_clock_gettime, clk, (long)ts);
	ts->tv_sec = (long)(ns / NSEC_PER_SEC);
	ts->tv_nsec = (long)(ns % NSEC_PER_SEC);
	return 0;
}

int __vdso_clock_getres(int clk, struct vdso_timespec *res);
int __vdso_clock_getres(int clk, struct vdso_timespec *res)
{
	u64 ns;

	switch (clk) {
	case CLOCK_REALTIME:
	case CLOCK_TAI:
	case CLOCK_MONOTONIC:
	case CLOCK_MONOTONIC_RAW:
	case CLOCK_BOOTTIME:
		ns = 1;
		break;
	case CLOCK_REALTIME_COARSE:
	case CLOCK_MONOTONIC_COARSE:
		ns = VDSO_COARSE_NS;
		break;
	default:
		return (int)sys2(NR_clock_getres, clk, (long)res);
	}
	if (res) {
		res->tv_sec = 0;
		res->tv_nsec = (long)ns;
	}
	return 0;
}

/* The timezone lives in the kernel: asking for it is a system call. */
int __vdso_gettimeofday(struct vdso_timeval *tv, struct timezone *tz);
int __vdso_gettimeofday(struct vdso_timeval *tv, struct timezone *tz)
{
	u64 ns;

	if (tz || (tv && vread_realtime(&ns)))
		return (int)sys2(NR_gettimeofday, (long)tv, (long)tz);
	if (tv) {
		tv->tv_sec = (long)(ns / NSEC_PER_SEC);
		tv->tv_usec = (long)(ns % NSEC_PER_SEC / NSEC_PER_USEC);
	}
	return 0;
}

long __vdso_time(long *t);
long __vdso_time(long *t)
{
	u64 ns;
	long s;

	if (vread_realtime(&ns))
		return sys2(NR_time, (long)t, 0);
	s = (long)(ns / NSEC_PER_SEC);
	if (t)
		*t = s;
	return s;
}

/* IA32_TSC_AUX holds node << 12 | cpu on every CPU (the kernel's work). */
long __vdso_getcpu(unsigned int *cpu, unsigned int *node,
		   struct getcpu_cache *cache);
long __vdso_getcpu(unsigned int *cpu, unsigned int *node,
		   struct getcpu_cache *cache)
{
	unsigned int mode = vvar()->getcpu_mode;
	unsigned long aux;
	u32 lo, hi, c;

	if (mode == VDSO_GETCPU_RDPID) {
		__asm__ __volatile__("rdpid %0" : "=r"(aux));
	} else if (mode == VDSO_GETCPU_RDTSCP) {
		__asm__ __volatile__("rdtscp" : "=a"(lo), "=d"(hi), "=c"(c));
		aux = c;
	} else {
		return sys3(NR_getcpu, (long)cpu, (long)node, (long)cache);
	}
	if (cpu)
		*cpu = (unsigned int)(aux & 0xfff);
	if (node)
		*node = (unsigned int)((aux >> 12) & 0xfffff);
	return 0;
}

/* The unversioned names Linux's vDSO also exports (weak). */
int clock_gettime(int, struct vdso_timespec *)
	__attribute__((weak, alias("__vdso_clock_gettime")));
int clock_getres(int, struct vdso_timespec *)
	__attribute__((weak, alias("__vdso_clock_getres")));
int gettimeofday(struct vdso_timeval *, struct timezone *)
	__attribute__((weak, alias("__vdso_gettimeofday")));
long time(long *) __attribute__((weak, alias("__vdso_time")));
long getcpu(unsigned int *, unsigned int *, struct getcpu_cache *)
	__attribute__((weak, alias("__vdso_getcpu")));
