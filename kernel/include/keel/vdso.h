/*
 * The vDSO: a small shared object the kernel maps into every process so
 * that clock_gettime, gettimeofday, time, clock_getres and getcpu run
 * without entering the kernel.
 *
 * Every exec maps two special VMAs next to each other at a random address
 * in the mmap area: [vvar] (one read-only data page, struct vdso_data)
 * and, just above it, [vdso] (the image, read+execute). Both are backed by
 * kernel pages shared by all processes; fork copies the VMAs like any
 * other, and user writes fault (the VMAs can never become writable).
 *
 * The vvar page mirrors the clock state of kernel/sched/clock.c: the same
 * latch (two copies behind a sequence count), the same conversion
 *
 *	ns = (base + ((read() - cycle_last) & mask) * mult) >> VDSO_CLOCK_SHIFT
 *
 * and the same counter, read from user mode (rdtsc, or the HPET's main
 * counter through a read-only uncached user mapping of its register page),
 * so a vDSO read and a system-call read are mutually monotonic. When the
 * kernel's counter cannot be read from user mode (the PIT, the boot clock)
 * the mode is VDSO_CLOCK_NONE and the vDSO makes the real system call.
 *
 * This header is also compiled into the vDSO itself (with __VDSO__
 * defined): the layout part uses only plain C types.
 */
#ifndef KEEL_VDSO_H
#define KEEL_VDSO_H

#define VDSO_CLOCK_SHIFT 32          /* kernel/sched/clock.c's CLOCK_SHIFT */

/* vdso_clock.mode: how the vDSO reads the kernel's counter. */
#define VDSO_CLOCK_NONE   0          /* not readable: make the system call */
#define VDSO_CLOCK_TSC    1          /* lfence; rdtsc */
#define VDSO_CLOCK_HPET   2          /* 64-bit load of the HPET counter */
#define VDSO_CLOCK_HPET32 3          /* 32-bit load of the HPET counter */

/* vdso_data.getcpu_mode: how __vdso_getcpu finds the CPU number. */
#define VDSO_GETCPU_SYSCALL 0
#define VDSO_GETCPU_RDPID   1        /* IA32_TSC_AUX = node << 12 | cpu */
#define VDSO_GETCPU_RDTSCP  2

/* The granularity of the *_COARSE clocks (time_syscalls.c's tick). */
#define VDSO_COARSE_NS    4000000ULL

/* One copy of the clock conversion state (struct clock_base's mirror). */
struct vdso_clock {
	unsigned int mode;                   /* VDSO_CLOCK_* */
	unsigned int pad;
	unsigned long long cycle_last;
	unsigned long long mask;
	unsigned long long mult;             /* ns/cycle << VDSO_CLOCK_SHIFT */
	unsigned long long base_lo;          /* ns << VDSO_CLOCK_SHIFT at */
	unsigned long long base_hi;          /*   cycle_last (128 bits) */
};

/*
 * struct vdso_data - the [vvar] page. Written only by the kernel: the
 * clock copies under clock.c's clock_write_lock, realtime_offset by the
 * realtime setters, the rest once at boot.
 */
struct vdso_data {
	unsigned int seq;             /* the latch: readers use copy[seq & 1] */
	unsigned int getcpu_mode;            /* VDSO_GETCPU_* */
	unsigned long long realtime_offset;  /* REALTIME - MONOTONIC, ns */
	unsigned long long hpet_counter;     /* user address of the counter */
	struct vdso_clock copy[2];
};

#ifndef __VDSO__

#include <keel/types.h>

struct mm;

/*
 * The fixed user-readable alias of the HPET register page (the kernel
 * half's last 1 GiB, like Linux's vsyscall page: not in any VMA).
 */
#define VDSO_HPET_VA 0xffffffffff5ff000UL

/**
 * vdso_init - check the embedded vDSO image, copy it and the vvar page
 * into kernel pages, set up the HPET alias and the getcpu mode.
 *
 * Context: boot, one CPU, after time_init() and before the first exec.
 * A bad image is a boot failure (panic): it is built with the kernel.
 */
void vdso_init(void);

/**
 * vdso_map - map [vvar] and [vdso] into the fresh address space @mm at a
 * random address below its mmap base.
 *
 * Context: exec, process context, @mm not yet shared.
 * Return: the vDSO's ELF header address (AT_SYSINFO_EHDR), 0 when there
 * is no vDSO (vdso_init failed or not run), or -ENOMEM.
 */
long vdso_map(struct mm *mm);

/**
 * vdso_clock_update - publish the clock state clock.c just installed:
 * @cs_name names the counter (NULL: the boot clock), the rest is struct
 * clock_base's. The vvar latch is rewritten like clock.c's own: both
 * copies, readers moved off each one before it changes.
 *
 * Context: clock_write_lock held (the single writer), interrupts off.
 */
void vdso_clock_update(const char *cs_name, u64 cycle_last, u64 mask,
		       u64 mult, unsigned __int128 base);

/**
 * vdso_set_realtime_offset - publish the new REALTIME - MONOTONIC offset.
 * Context: any.
 */
void vdso_set_realtime_offset(u64 offset);

/* The embedded image (kernel/arch/x86_64/vdso/vdso_image.S). */
extern const char vdso_image_start[], vdso_image_end[];

/**
 * vdso_image_check - is @img (@size bytes) what the vDSO code and musl's
 * parser expect: an x86_64 ELF64 ET_DYN object whose program headers lie
 * inside it, with one read-only PT_LOAD at offset and address 0 within
 * the file and a PT_DYNAMIC inside it?
 * Context: any. Return: NULL, or a static string saying what is wrong.
 */
const char *vdso_image_check(const void *img, size_t size);

/**
 * vdso_data_get - the [vvar] page's contents, for tests and diagnostics.
 * Context: any. Return: the page, or NULL when there is no vDSO.
 */
const struct vdso_data *vdso_data_get(void);

/*
 * Arch hooks (kernel/arch/x86_64/vdso_arch.c), called by vdso_init():
 * arch_vdso_setup fills the boot-time fields of @vd (getcpu_mode, the
 * HPET alias in hpet_counter); arch_vdso_clock_mode says how user mode
 * reads the counter called @cs_name with @mask (VDSO_CLOCK_*).
 */
void arch_vdso_setup(struct vdso_data *vd);
unsigned int arch_vdso_clock_mode(const struct vdso_data *vd,
				  const char *cs_name, u64 mask);

#endif /* !__VDSO__ */
#endif /* KEEL_VDSO_H */
