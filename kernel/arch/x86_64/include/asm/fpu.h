/*
 * x86_64 FPU/SSE/AVX user state (fpu.c).
 *
 * Each task's thread owns one save area (struct x86_thread_user, user.c),
 * 64-byte aligned, in the CPU's standard (non-compacted) XSAVE layout, or
 * the 512-byte FXSAVE layout on CPUs without XSAVE. The kernel itself never
 * uses these registers (arch.mk builds it with -mgeneral-regs-only), so the
 * switch is eager and simple:
 *
 *	invariant: while a thread with user state runs, its FPU registers
 *	are live in the CPU and its area is stale; while it does not run,
 *	the area holds them. arch_switch_user_state() saves prev's and
 *	loads next's with interrupts off.
 *
 * Code that reads or writes a running thread's area (fork, signal frames,
 * exec) first syncs the registers into it with preemption disabled, and
 * after changing the area loads it back before preemption is enabled.
 *
 * Signal frames use Linux's x86_64 layout: the FXSAVE legacy area whose
 * software-reserved bytes 464..511 hold struct _fpx_sw_bytes (magic1,
 * extended_size, xfeatures, xstate_size), the XSAVE header and extended
 * components, then the 32-bit FP_XSTATE_MAGIC2 right after xstate_size
 * bytes. Without XSAVE it is the bare 512-byte FXSAVE image.
 */
#ifndef ASM_FPU_H
#define ASM_FPU_H

#include <keel/compiler.h>
#include <keel/types.h>

#define FP_XSTATE_MAGIC1      0x46505853U
#define FP_XSTATE_MAGIC2      0x46505845U
#define FP_XSTATE_MAGIC2_SIZE 4
#define X86_FPU_ALIGN         64
#define X86_FXSAVE_SIZE       512
#define X86_XSAVE_HDR_SIZE    64

/* XSAVE state components (XCR0 bits) Keel may enable for user space. */
#define XFEATURE_X87       (1ULL << 0)
#define XFEATURE_SSE       (1ULL << 1)
#define XFEATURE_YMM       (1ULL << 2)
#define XFEATURE_OPMASK    (1ULL << 5)
#define XFEATURE_ZMM_HI256 (1ULL << 6)
#define XFEATURE_HI16_ZMM  (1ULL << 7)
#define XFEATURE_AVX512 (XFEATURE_OPMASK | XFEATURE_ZMM_HI256 | XFEATURE_HI16_ZMM)

#define X86_FCW_INIT   0x037f
#define X86_MXCSR_INIT 0x1f80

/* Linux's struct _fpx_sw_bytes, at byte 464 of the legacy area. */
struct x86_fpx_sw_bytes {
	u32 magic1;
	u32 extended_size;   /* xstate_size + FP_XSTATE_MAGIC2_SIZE */
	u64 xfeatures;
	u32 xstate_size;
	u32 padding[7];
} __packed;

#define X86_FPX_SW_OFFSET 464

/*
 * x86_fpu_init_cpu - enable the FPU, SSE and XSAVE on the running CPU
 * (CR0, CR4, XCR0). The boot CPU's call also picks the features and the
 * area size every CPU then uses. Context: CPU bring-up, interrupts off.
 */
void x86_fpu_init_cpu(void);

/* Is XSAVE in use (signal frames then carry UC_FP_XSTATE state)? */
bool x86_fpu_xsave_enabled(void);
/* The XCR0 features enabled for user space (x87|SSE without XSAVE). */
u64 x86_fpu_xfeatures(void);
/* Bytes of a thread's save area (its alignment is X86_FPU_ALIGN). */
unsigned long x86_fpu_area_size(void);

/* Fill @area with the initial state (FCW 0x37f, MXCSR 0x1f80, all else 0). */
void x86_fpu_init_area(void *area);
/*
 * x86_fpu_save / x86_fpu_restore - the CPU's registers to @area and back.
 * @area must be trusted (built by the kernel or sanitized).
 * Context: interrupts off or preemption disabled.
 */
void x86_fpu_save(void *area);
void x86_fpu_restore(void *area);

/*
 * x86_fpu_sigframe_size - bytes a signal frame needs for the FPU state:
 * xstate size + FP_XSTATE_MAGIC2_SIZE with XSAVE, else 512. The buffer
 * must start on a 64-byte boundary (Linux puts it first below the
 * stack pointer, rounded down to 64).
 */
unsigned long x86_fpu_sigframe_size(void);
/*
 * x86_fpu_save_sigframe - write the calling task's FPU state to user
 * memory @buf (64-byte aligned, x86_fpu_sigframe_size() bytes) in Linux's
 * layout. Context: process context of a task; may fault pages in.
 * Return: 0, or -EFAULT (unaligned or unwritable buffer).
 */
int x86_fpu_save_sigframe(void __user *buf);
/*
 * x86_fpu_restore_sigframe - load the calling task's FPU state from a
 * signal frame at @buf, as Linux's sigreturn does: a frame without valid
 * magic restores only the legacy x87/SSE part, features missing from its
 * xfeatures become init. The state is copied and checked in the kernel
 * (MXCSR reserved bits, XSAVE header) and loaded with a fault-safe XRSTOR.
 * Return: 0, or -EFAULT (unreadable or invalid: the FPU is then reset to
 * its initial state). Context: process context of a task.
 */
int x86_fpu_restore_sigframe(const void __user *buf);
/* Reset the calling task's FPU state to the initial one (signal delivery). */
void x86_fpu_reset_current(void);
/*
 * x86_fpu_sync_current - save the running thread's live registers into its
 * area (before copying it). Context: preemption disabled.
 */
void x86_fpu_sync_current(void);

#endif /* ASM_FPU_H */
