/*
 * x86_64 interrupt and exception entry.
 *
 * 256 stubs, each X86_STUB_SIZE bytes apart so the IDT code can compute their
 * addresses: the stub pushes a zero error code when the CPU pushes none, then
 * the vector, and jumps to the common path, which saves the general registers
 * as a struct trap_frame (asm/x86.h) and calls x86_trap(frame).
 *
 * GS, the rule. The kernel's GS base (the per-CPU area) must be loaded
 * while kernel code runs; user code has its own. Three kinds of entry:
 *
 *  - From user mode (RPL 3 in the saved CS): SWAPGS on entry, and the
 *    return goes through x86_user_exit_iret (syscall.S), which swaps back
 *    before its IRETQ, after x86_trap() did the exit work.
 *  - From kernel mode: GS is the kernel's already. One exception: a fault
 *    on that IRETQ to user mode (x86_iret_to_user) arrives with the
 *    kernel's CS but after the SWAPGS, so it swaps too; traps.c turns it
 *    into a fault of the task and never returns here.
 *  - NMI, #DF and #MC (the IST vectors) can hit anywhere, including the
 *    instructions between SYSCALL and its SWAPGS or between a SWAPGS and
 *    SYSRET/IRETQ, where the saved CS does not tell which GS is loaded.
 *    They find this CPU's per-CPU area from its GDT (SGDT: each CPU's GDT
 *    lives in its area, at X86_PERCPU_GDT), load it as the GS base when it
 *    is not already, and put the interrupted GS base back on exit. No
 *    SWAPGS, so this is right whatever the user did to its GS base.
 */
#include <asm/x86.h>

#define X86_STUB_SIZE 16
#define MSR_GS_BASE 0xc0000101

	.text
	.code64
	.balign X86_STUB_SIZE
	.globl x86_trap_stubs
x86_trap_stubs:
vec = 0
	.rept 256
	.balign X86_STUB_SIZE
	/* Vectors for which the CPU pushes an error code. */
	.if (vec == 8) || (vec == 10) || (vec == 11) || (vec == 12) || (vec == 13) || (vec == 14) || (vec == 17) || (vec == 21) || (vec == 29) || (vec == 30)
	.else
	pushq $0
	.endif
	pushq $vec
	jmp x86_trap_common
vec = vec + 1
	.endr

x86_trap_common:
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
	cld
	movq TF_VECTOR(%rsp), %rax
	cmpq $2, %rax
	je .Lparanoid
	cmpq $8, %rax
	je .Lparanoid
	cmpq $18, %rax
	je .Lparanoid
	testb $3, TF_CS(%rsp)
	jnz .Lfrom_user
	leaq x86_iret_to_user(%rip), %rax
	cmpq %rax, TF_RIP(%rsp)
	jne .Lkernel
	swapgs                          /* a fault on the IRETQ to user mode */
.Lkernel:
	/* A frame record so backtraces continue into the interrupted code. */
	movq TF_RIP(%rsp), %rax
	pushq %rax
	pushq %rbp
	movq %rsp, %rbp
	leaq 16(%rsp), %rdi
	call x86_trap
	addq $16, %rsp
.Lrestore_kernel:
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
	addq $16, %rsp                   /* vector and error code */
	iretq

.Lfrom_user:
	swapgs
	xorl %ebp, %ebp                  /* backtraces end at the entry */
	movq %rsp, %rdi
	call x86_trap                    /* returns with interrupts off */
	jmp x86_user_exit_iret

.Lparanoid:
	subq $16, %rsp
	sgdt (%rsp)
	movq 2(%rsp), %rbx
	addq $16, %rsp
	subq $X86_PERCPU_GDT, %rbx       /* this CPU's struct x86_percpu */
	movl $MSR_GS_BASE, %ecx
	rdmsr
	shlq $32, %rdx
	orq %rax, %rdx
	movq %rdx, %r12                  /* the interrupted GS base */
	cmpq %rbx, %r12
	je 1f
	cmpq %rbx, (%rbx)                /* ->self: a real per-CPU area? */
	jne 1f
	movq %rbx, %rax
	movq %rbx, %rdx
	shrq $32, %rdx
	wrmsr
1:
	movq TF_RIP(%rsp), %rax
	pushq %rax
	pushq %rbp
	movq %rsp, %rbp
	leaq 16(%rsp), %rdi
	call x86_trap
	addq $16, %rsp
	movl $MSR_GS_BASE, %ecx
	movq %r12, %rax
	movq %r12, %rdx
	shrq $32, %rdx
	wrmsr
	jmp .Lrestore_kernel

	.section .note.GNU-stack, "", @progbits
