/*
 * The application-processor trampoline, copied to TRAMPOLINE_BASE (a page
 * below 1 MiB) by smp.c before each STARTUP IPI. An AP starts here in real
 * mode at CS:IP = TRAMPOLINE_BASE >> 4 : 0, goes through 32-bit protected
 * mode into long mode with the page tables in tramp_cr3 (the kernel half
 * plus an identity map of the first 2 MiB), then jumps to the high-half
 * entry in tramp_entry with RSP = tramp_stack and RDI = tramp_percpu.
 *
 * The code runs at a different address than it is linked at, so every
 * absolute reference is written as TRAMP(label). The data block at the end
 * is filled in by smp.c; its layout is struct x86_trampoline_data.
 */
#define TRAMPOLINE_BASE 0x8000
#define TRAMP(x) (TRAMPOLINE_BASE + ((x) - x86_trampoline_start))

	.section .rodata
	.balign 16
	.globl x86_trampoline_start, x86_trampoline_end, x86_trampoline_data
	.code16
x86_trampoline_start:
	cli
	cld
	xorw %ax, %ax
	movw %ax, %ds
	lgdtl TRAMP(tramp_gdt_desc)
	movl %cr0, %eax
	orl $1, %eax
	movl %eax, %cr0
	ljmpl $0x08, $TRAMP(tramp_pm)

	.code32
tramp_pm:
	movl $0x10, %eax
	movl %eax, %ds
	movl %eax, %es
	movl %eax, %ss
	movl %cr4, %eax
	orl $0x20, %eax                  /* PAE */
	movl %eax, %cr4
	movl TRAMP(tramp_cr3), %eax
	movl %eax, %cr3
	movl $0xc0000080, %ecx           /* EFER: LME, and NXE if the BSP has it */
	rdmsr
	orl TRAMP(tramp_efer), %eax
	wrmsr
	movl %cr0, %eax
	orl $0x80010001, %eax            /* PG | WP | PE */
	movl %eax, %cr0
	ljmpl $0x18, $TRAMP(tramp_lm)

	.code64
tramp_lm:
	movl $0x10, %eax
	movl %eax, %ds
	movl %eax, %es
	movl %eax, %ss
	movq TRAMP(tramp_stack), %rsp
	movq TRAMP(tramp_percpu), %rdi
	movq TRAMP(tramp_entry), %rax
	xorl %ebp, %ebp
	pushq $0                         /* no return address; RSP+8 16-aligned */
	jmp *%rax

	.balign 8
tramp_gdt:
	.quad 0
	.quad 0x00cf9a000000ffff         /* 0x08: 32-bit code */
	.quad 0x00cf92000000ffff         /* 0x10: data */
	.quad 0x00af9a000000ffff         /* 0x18: 64-bit code */
tramp_gdt_desc:
	.word tramp_gdt_desc - tramp_gdt - 1
	.long TRAMP(tramp_gdt)

	.balign 8
x86_trampoline_data:
tramp_cr3:    .long 0
tramp_efer:   .long 0
tramp_stack:  .quad 0
tramp_percpu: .quad 0
tramp_entry:  .quad 0
x86_trampoline_end:

	.section .note.GNU-stack, "", @progbits
