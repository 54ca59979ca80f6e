/*
 * x86_64 boot entry: from 32-bit protected mode to the higher-half kernel.
 *
 * Two protocols enter here, both in 32-bit protected mode with paging off:
 *   Multiboot2 (GRUB):        EAX = 0x36d76289, EBX = physical MBI address
 *   PVH (QEMU -kernel, Xen):  EBX = physical hvm_start_info address
 * This code saves the protocol and info pointer, clears .bss, builds the
 * early page tables (first 4 GiB identity-mapped and at DIRECT_MAP_BASE,
 * first 2 GiB at KERNEL_VMA, all with 2 MiB pages), enables long mode and
 * jumps to x86_64_boot_main(protocol, info) on the boot stack.
 * Everything in .boot runs at its physical address; higher-half symbols are
 * used through "sym - KERNEL_VMA" until paging is on.
 */
#include <asm/layout.h>

#define MB2_HEADER_MAGIC     0xe85250d6
#define MB2_ARCH_I386        0
#define MB2_TAG_END          0
#define MB2_TAG_ENTRY        3
#define XEN_ELFNOTE_PHYS32_ENTRY 18

#define BOOT_PROTO_MULTIBOOT2 1
#define BOOT_PROTO_PVH        2

#define PTE_P    0x001
#define PTE_W    0x002
#define PTE_PS   0x080

#define PHYS(sym) ((sym) - KERNEL_VMA)

/* ---- Multiboot2 header: must sit 8-aligned in the first 32 KiB ---------- */
	.section .multiboot2, "a"
	.balign 8
mb2_header:
	.long MB2_HEADER_MAGIC
	.long MB2_ARCH_I386
	.long mb2_header_end - mb2_header
	.long -(MB2_HEADER_MAGIC + MB2_ARCH_I386 + (mb2_header_end - mb2_header))
	/* Entry address tag: the ELF entry is fine, but say it explicitly. */
	.balign 8
	.short MB2_TAG_ENTRY, 0
	.long 12
	.long _start32_multiboot2
	.balign 8
	.short MB2_TAG_END, 0
	.long 8
mb2_header_end:

/* ---- PVH ELF note: QEMU reads a 64-bit physical entry address ---------- */
	.section .note.Xen, "a"
	.balign 4
	.long 4                          /* name size: "Xen\0" */
	.long 8                          /* descriptor size */
	.long XEN_ELFNOTE_PHYS32_ENTRY
	.asciz "Xen"
	.balign 4
	.quad _start32_pvh

/* ---- 32-bit entry ------------------------------------------------------- */
	.section .boot.text, "ax"
	.code32
	.globl _start32_multiboot2
_start32_multiboot2:
	cli
	cld
	movl $BOOT_PROTO_MULTIBOOT2, boot_protocol
	movl %ebx, boot_info_phys
	cmpl $0x36d76289, %eax
	je 1f
	movl $0, boot_protocol          /* wrong magic: C reports it */
1:	jmp start32_common

	.globl _start32_pvh
_start32_pvh:
	cli
	cld
	movl $BOOT_PROTO_PVH, boot_protocol
	movl %ebx, boot_info_phys
	jmp start32_common

start32_common:
	movl $PHYS(boot_stack_top), %esp

	/* Long mode is the one thing we cannot do without. */
	movl $0x80000000, %eax
	cpuid
	cmpl $0x80000001, %eax
	jb no_long_mode
	movl $0x80000001, %eax
	cpuid
	testl $(1 << 29), %edx
	jz no_long_mode
	movl %edx, %ebp                  /* keep the NX bit (20) for later */

	/* Clear .bss: page tables and stacks live there. */
	movl $PHYS(__bss_start), %edi
	movl $PHYS(__bss_end), %ecx
	subl %edi, %ecx
	shrl $2, %ecx
	xorl %eax, %eax
	rep stosl

	call build_page_tables

	/* PAE, then the PML4, then EFER.LME (+NXE), then paging. */
	movl %cr4, %eax
	orl $0x20, %eax
	movl %eax, %cr4
	movl $PHYS(boot_pml4), %eax
	movl %eax, %cr3
	movl $0xc0000080, %ecx
	rdmsr
	orl $(1 << 8), %eax
	testl $(1 << 20), %ebp
	jz 2f
	orl $(1 << 11), %eax
2:	wrmsr
	movl %cr0, %eax
	orl $0x80010001, %eax            /* PG | WP | PE */
	movl %eax, %cr0

	lgdt boot_gdt_desc
	ljmp $0x08, $start64_low

/*
 * build_page_tables: fill boot_pd[0..3] with 2 MiB pages covering 0-4 GiB
 * and hook them into the low, direct-map and kernel-image PML4 slots.
 */
build_page_tables:
	movl $PHYS(boot_pd), %edi
	movl $(PTE_P | PTE_W | PTE_PS), %eax
	xorl %edx, %edx                  /* high half of the entry */
	movl $(4 * 512), %ecx
1:	movl %eax, (%edi)
	movl %edx, 4(%edi)
	addl $0x200000, %eax
	adcl $0, %edx
	addl $8, %edi
	loop 1b

	/* PDPT_low[0..3] -> PD 0..3 */
	movl $PHYS(boot_pdpt_low), %edi
	movl $PHYS(boot_pd), %eax
	orl $(PTE_P | PTE_W), %eax
	movl $4, %ecx
2:	movl %eax, (%edi)
	addl $4096, %eax
	addl $8, %edi
	loop 2b

	/* PDPT_high[510], [511] -> PD 0, 1: KERNEL_VMA maps physical 0-2 GiB */
	movl $PHYS(boot_pd), %eax
	orl $(PTE_P | PTE_W), %eax
	movl %eax, PHYS(boot_pdpt_high) + 510 * 8
	addl $4096, %eax
	movl %eax, PHYS(boot_pdpt_high) + 511 * 8

	movl $PHYS(boot_pdpt_low), %eax
	orl $(PTE_P | PTE_W), %eax
	movl %eax, PHYS(boot_pml4)                          /* identity */
	movl %eax, PHYS(boot_pml4) + ((DIRECT_MAP_BASE >> 39) & 511) * 8
	movl $PHYS(boot_pdpt_high), %eax
	orl $(PTE_P | PTE_W), %eax
	movl %eax, PHYS(boot_pml4) + 511 * 8
	ret

no_long_mode:
	movl $no_long_mode_msg, %esi
	movw $0x3f8, %dx
3:	lodsb
	testb %al, %al
	jz 4f
	outb %al, %dx
	jmp 3b
4:	hlt
	jmp 4b

	.code64
start64_low:
	movl $0x10, %eax
	movl %eax, %ds
	movl %eax, %es
	movl %eax, %ss
	xorl %eax, %eax
	movl %eax, %fs
	movl %eax, %gs
	movabsq $start64_high, %rax
	jmp *%rax

	.section .boot.data, "aw"
	.balign 8
boot_gdt:
	.quad 0
	.quad 0x00af9a000000ffff         /* 0x08: 64-bit code */
	.quad 0x00cf92000000ffff         /* 0x10: data */
boot_gdt_end:
boot_gdt_desc:
	.word boot_gdt_end - boot_gdt - 1
	.long boot_gdt
	.balign 4
boot_protocol:
	.long 0
boot_info_phys:
	.long 0
no_long_mode_msg:
	.asciz "Keel: this CPU does not support x86_64 long mode; halting.\r\n"

/* ---- higher half -------------------------------------------------------- */
	.text
	.code64
start64_high:
	movabsq $boot_stack_top, %rsp
	xorl %ebp, %ebp                  /* ends the frame-pointer chain */
	movl boot_protocol, %edi
	movl boot_info_phys, %esi
	call x86_64_boot_main
5:	cli
	hlt
	jmp 5b

	.section .bss.pagetables, "aw", @nobits
	.balign 4096
	.globl boot_pml4
boot_pml4:      .skip 4096
boot_pdpt_low:  .skip 4096
boot_pdpt_high: .skip 4096
	.globl boot_pd
boot_pd:        .skip 4 * 4096

	.section .bss.stack, "aw", @nobits
	.balign 4096
	.globl boot_stack_guard, boot_stack_bottom, boot_stack_top
boot_stack_guard:  .skip 4096       /* left unmapped by arch_mmu_init() */
boot_stack_bottom: .skip BOOT_STACK_SIZE
boot_stack_top:

	.section .note.GNU-stack, "", @progbits
