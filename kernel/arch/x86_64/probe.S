/*
 * Memory probes that may fault: arch_probe_read_u8, arch_probe_write_u8
 * (exception-table fixups) and arch_probe_exec (the fault handler unwinds
 * the call when the target cannot be fetched). See x86_fixup_fault() in
 * traps.c. They return 0, or -EFAULT (-14) when the access faulted.
 *
 * __ex_table entries are pairs of 64-bit addresses: a faulting instruction
 * and where to resume. The user-copy routines of the user-processes issue
 * use the same table.
 */
#define EFAULT 14

	.text
	.code64

	.globl arch_probe_read_u8
arch_probe_read_u8:                     /* rdi = addr, rsi = val */
1:	movb (%rdi), %al
	movb %al, (%rsi)
	xorl %eax, %eax
	ret
2:	movq $-EFAULT, %rax
	ret

	.globl arch_probe_write_u8
arch_probe_write_u8:                    /* rdi = addr, sil = val */
3:	movb %sil, (%rdi)
	xorl %eax, %eax
	ret
4:	movq $-EFAULT, %rax
	ret

	.section __ex_table, "a"
	.balign 8
	.quad 1b, 2b
	.quad 3b, 4b
	.previous

	.globl arch_probe_exec, x86_probe_exec_return, x86_probe_exec_fault
arch_probe_exec:                        /* rdi = function to call */
	pushq %rbp
	movq %rsp, %rbp
	call *%rdi
x86_probe_exec_return:
	popq %rbp
	xorl %eax, %eax
	ret
x86_probe_exec_fault:
	popq %rbp
	movq $-EFAULT, %rax
	ret

	.section .note.GNU-stack, "", @progbits
