/*
 * Thread context switch.
 *
 * A switch is an ordinary function call: the compiler already saved every
 * caller-saved register around it, so only the callee-saved ones (RBX, RBP,
 * R12-R15) and the stack pointer make up a sleeping thread's context. The
 * FPU/SSE state is not touched: kernel code is built without it, and user
 * threads (a later issue) save theirs on kernel entry.
 *
 * void arch_context_switch(unsigned long *prev_sp, unsigned long next_sp)
 *	push the callee-saved registers on the current stack, store RSP in
 *	*prev_sp, load next_sp and pop the next thread's registers; the RET
 *	returns wherever that thread called arch_context_switch (or into
 *	x86_thread_start for a new thread, see arch_thread_init_stack).
 */
	.text
	.code64
	.globl arch_context_switch
arch_context_switch:
	pushq %rbp
	pushq %rbx
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	movq %rsp, (%rdi)
	movq %rsi, %rsp
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %rbx
	popq %rbp
	ret

/*
 * First code of a new thread: R12 = entry function, R13 = its argument,
 * set up by arch_thread_init_stack(). RBP is 0, so backtraces end here.
 */
	.globl x86_thread_start
x86_thread_start:
	movq %r13, %rdi
	call *%r12
	ud2                             /* the entry function never returns */

	.section .note.GNU-stack, "", @progbits
