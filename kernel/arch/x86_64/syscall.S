/*
 * x86_64 SYSCALL entry and the returns to user mode.
 *
 * SYSCALL (MSR_LSTAR, set up by cpu.c on every CPU) arrives in ring 0 with
 * the user's RSP and GS, RCX = the return RIP, R11 = the user RFLAGS, and
 * RFLAGS masked by MSR_SYSCALL_MASK (interrupts, TF, DF, AC, NT... off), so
 * nothing can interrupt the first instructions but an NMI or #MC, which
 * run on IST stacks and find their GS themselves (entry.S). The entry
 * swaps to the kernel GS, parks the user RSP in the per-CPU scratch slot,
 * loads the running thread's kernel stack top and builds a struct
 * trap_frame there, like the interrupt path's (vector X86_VECTOR_SYSCALL,
 * error_code = the zero-extended number for restarts). The C half
 * (x86_syscall_from_user, user.c) enables interrupts, dispatches, does the
 * exit work and returns with interrupts off, saying whether SYSRET may be
 * used; otherwise the frame leaves through IRETQ like every other return
 * to user mode.
 *
 * Every register is restored from the frame on both paths, so the kernel
 * leaks nothing: RCX and R11 hold what the frame says (RIP and RFLAGS on
 * the SYSRET path, where the C side checked they are equal).
 */
#include <asm/x86.h>

#define ENOSYS 38

.macro POP_GPRS_BUT_RCX_R11
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	addq $8, %rsp                   /* r11 */
	popq %r10
	popq %r9
	popq %r8
	popq %rbp
	popq %rdi
	popq %rsi
	popq %rdx
	addq $8, %rsp                   /* rcx */
	popq %rbx
	popq %rax
.endm

	.text
	.code64

	.globl x86_syscall_entry
	.type x86_syscall_entry, @function
x86_syscall_entry:
	swapgs
	movq %rsp, %gs:X86_PERCPU_SCRATCH_RSP
	movq %gs:X86_PERCPU_KSTACK_TOP, %rsp
	pushq $(GDT_USER_DS | 3)        /* ss */
	pushq %gs:X86_PERCPU_SCRATCH_RSP        /* rsp */
	pushq %r11                      /* rflags */
	pushq $(GDT_USER_CS | 3)        /* cs */
	pushq %rcx                      /* rip */
	pushq %rax                      /* error_code: the number, */
	movl $0, 4(%rsp)                /* zero-extended as Linux reads it */
	pushq $X86_VECTOR_SYSCALL
	pushq %rax
	pushq %rbx
	pushq %rcx
	pushq %rdx
	pushq %rsi
	pushq %rdi
	pushq %rbp
	pushq %r8
	pushq %r9
	pushq %r10
	pushq %r11
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	xorl %ebp, %ebp                 /* backtraces end at the entry */
	movq %rsp, %rdi
	call x86_syscall_from_user      /* returns with interrupts off */
	testb %al, %al
	jz x86_user_exit_iret
	/* SYSRET: RCX = RIP and R11 = RFLAGS, as x86_sysret_ok() checked. */
	movq TF_RCX(%rsp), %rcx
	movq TF_R11(%rsp), %r11
	POP_GPRS_BUT_RCX_R11
	movq TF_RSP - TF_VECTOR(%rsp), %rsp
	swapgs
	sysretq
	.size x86_syscall_entry, . - x86_syscall_entry

/*
 * x86_user_exit_iret - return to user mode with the trap frame at RSP,
 * interrupts off. x86_iret_to_user labels the IRETQ: a fault there (an
 * unloadable user state, e.g. a non-canonical RIP from sigreturn) comes
 * with the kernel's CS but the user's GS, which entry.S recognizes by
 * this address (traps.c then delivers it to the task as a user fault).
 */
	.globl x86_user_exit_iret
x86_user_exit_iret:
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %r11
	popq %r10
	popq %r9
	popq %r8
	popq %rbp
	popq %rdi
	popq %rsi
	popq %rdx
	popq %rcx
	popq %rbx
	popq %rax
	addq $16, %rsp                  /* vector and error code */
	swapgs
	.globl x86_iret_to_user
x86_iret_to_user:
	iretq

/* void x86_iret_to_user_frame(struct trap_frame *tf): interrupts off. */
	.globl x86_iret_to_user_frame
	.type x86_iret_to_user_frame, @function
x86_iret_to_user_frame:
	movq %rdi, %rsp
	jmp x86_user_exit_iret
	.size x86_iret_to_user_frame, . - x86_iret_to_user_frame

/*
 * SYSCALL from 32-bit compatibility mode (MSR_CSTAR; only AMD CPUs take
 * it, Intel raises #UD). Keel runs no 32-bit code: like Linux without
 * IA32 emulation, fail with -ENOSYS and return at once. Nothing here
 * touches memory or GS.
 */
	.globl x86_syscall32_ignore
x86_syscall32_ignore:
	movl $-ENOSYS, %eax
	sysretl

	.section .note.GNU-stack, "", @progbits
