/*
 * Kernel virtual memory: protection flags for the arch MMU operations, the
 * vmalloc area and kernel stacks.
 *
 * The vmalloc area (arch_vmalloc_range) holds virtually contiguous
 * allocations made of single pages, each area followed by an unmapped guard
 * page; kernel stacks also get a guard page below them, so running off
 * either end faults instead of corrupting a neighbour.
 */
#ifndef KEEL_VM_H
#define KEEL_VM_H

#include <keel/gfp.h>
#include <keel/types.h>

/* Protection flags (arch_map_page and friends). */
#define VM_READ     0x01u
#define VM_WRITE    0x02u
#define VM_EXEC     0x04u
#define VM_USER     0x08u   /* reachable from user mode */
#define VM_GLOBAL   0x10u   /* the same in every address space (kernel half) */
#define VM_UNCACHED 0x20u   /* device memory */

#define VM_KERNEL_RW (VM_READ | VM_WRITE | VM_GLOBAL)
#define VM_KERNEL_RO (VM_READ | VM_GLOBAL)
#define VM_KERNEL_RX (VM_READ | VM_EXEC | VM_GLOBAL)

/* Set up the vmalloc area; called once by mm_init(). */
void vmalloc_init(void);

/*
 * vmalloc - @size bytes (rounded up to pages) of virtually contiguous,
 * physically scattered kernel memory, followed by an unmapped guard page.
 * Return: the address, or NULL. Context: process context (may sleep later).
 */
void *vmalloc(u64 size);
void *vzalloc(u64 size);
/* Free what vmalloc returned; NULL is a no-op; anything else is reported. */
void vfree(const void *addr);

/*
 * ioremap - map @size bytes of device or firmware memory at physical @pa
 * into the vmalloc area with @prot (VM_KERNEL_RW | VM_UNCACHED for device
 * registers, VM_KERNEL_RO for firmware tables). @pa need not be aligned;
 * the returned pointer corresponds to @pa itself.
 * Return: the address, or NULL. Context: process context.
 */
void *ioremap(paddr_t pa, u64 size, unsigned int prot);
/* Undo ioremap; the pages are not freed (they were never ours). */
void iounmap(const void *addr);

/*
 * kstack_alloc - a kernel stack of @size bytes with an unmapped guard page
 * below it. Return: the lowest address of the stack (the top is
 * base + size), or NULL.
 */
void *kstack_alloc(u64 size);
void kstack_free(void *base);

/*
 * vm_stack_guard_hit - is @addr in the guard page of a kernel stack?
 * If so, set the stack's bounds. Context: any, including a double fault;
 * does not take locks when a panic is in progress.
 */
bool vm_stack_guard_hit(vaddr_t addr, vaddr_t *lo, vaddr_t *hi);
/* Bounds of the kernel stack containing @addr, if it is one. */
bool vm_stack_bounds(vaddr_t addr, vaddr_t *lo, vaddr_t *hi);

#endif /* KEEL_VM_H */
