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

/*
 * USER_TOP - the first address above user space. The canonical lower half
 * ends at 0x0000800000000000; its last page is kept out of user space so no
 * user code can sit at the top of the half, where a SYSCALL would save a
 * non-canonical return address (and SYSRET would then fault in ring 0 on
 * Intel CPUs). Keel runs with 4-level paging only (CR4.LA57 is never set):
 * enabling 5-level paging would make this a function of the paging mode
 * (0x00fffffffffff000 with LA57), read by access_ok() at run time.
 */
#define USER_TOP          _UL(0x00007ffffffff000)

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
