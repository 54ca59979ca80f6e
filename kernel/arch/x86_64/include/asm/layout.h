/*
 * x86_64 virtual memory layout (4-level paging). Shared by C and assembly.
 *
 *   0000000000000000 - 00007fffffffffff  user space (128 TiB)
 *   ffff888000000000 - ...               direct map of all physical memory
 *   ffffffff80000000 - ffffffffffffffff  kernel image (-mcmodel=kernel)
 *
 * Early boot maps the first 4 GiB identity, in the direct map, and the first
 * 2 GiB at KERNEL_VMA; the memory-management issue replaces these tables.
 */
#ifndef ASM_LAYOUT_H
#define ASM_LAYOUT_H

/* Constants usable from C (unsigned long) and assembly (plain numbers). */
#ifdef __ASSEMBLY__
#define _UL(x) x
#else
#define _UL(x) x##UL
#endif

#define KERNEL_VMA        _UL(0xffffffff80000000)
#define DIRECT_MAP_BASE   _UL(0xffff888000000000)
#define KERNEL_LOAD_PHYS  0x100000

#define X86_PAGE_SHIFT 12    /* generic code uses PAGE_SIZE from <keel/mm.h> */
#define X86_PAGE_SIZE  4096

#define BOOT_STACK_SIZE   (16 * 1024)
#define IST_STACK_SIZE    (8 * 1024)

#ifndef __ASSEMBLY__
/* Physical address of a kernel-image symbol. */
#define __pa_symbol(x) ((unsigned long)(x) - KERNEL_VMA)
/* Early boot only (before <keel/mm.h> is usable): the direct-map alias. */
#define early_phys_to_virt(pa) ((void *)((unsigned long)(pa) + DIRECT_MAP_BASE))
#endif

#endif /* ASM_LAYOUT_H */
