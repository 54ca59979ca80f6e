/*
 * Host stand-in for the x86_64 <asm/layout.h>, for host tests of early-boot
 * parsers: "physical" addresses are host pointers.
 */
#ifndef ASM_LAYOUT_H
#define ASM_LAYOUT_H

#include <stdint.h>

#define early_phys_to_virt(pa) ((void *)(uintptr_t)(pa))

#endif /* ASM_LAYOUT_H */
