/*
 * arch_call_on_stack(stack_top, fn, arg): run fn(arg) on another stack.
 * The frame-pointer chain links the new stack back to this one, so
 * backtraces taken on the new stack continue into the caller.
 */
	.text
	.code64
	.globl arch_call_on_stack
arch_call_on_stack:
	pushq %rbp
	movq %rsp, %rbp
	andq $-16, %rdi
	movq %rdi, %rsp
	movq %rdx, %rdi
	call *%rsi
	movq %rbp, %rsp
	popq %rbp
	ret

	.section .note.GNU-stack, "", @progbits
