/*
 * x86_64 interrupt and exception entry.
 *
 * 256 stubs, each X86_STUB_SIZE bytes apart so the IDT code can compute their
 * addresses: the stub pushes a zero error code when the CPU pushes none, then
 * the vector, and jumps to the common path, which saves the general registers
 * as a struct trap_frame (asm/x86.h) and calls x86_trap(frame).
 *
 * The user-mode entry (swapgs, SYSCALL) arrives with the user-processes issue.
 */
#define X86_STUB_SIZE 16

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
	/* A frame record so backtraces continue into the interrupted code. */
	movq 17*8(%rsp), %rax            /* interrupted RIP */
	pushq %rax
	pushq %rbp
	movq %rsp, %rbp
	leaq 16(%rsp), %rdi
	call x86_trap
	addq $16, %rsp
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

	.section .note.GNU-stack, "", @progbits
