/*
 * Allocation flags (GFP: "get free pages"), shared by the page allocator,
 * the slab allocator and kmalloc.
 *
 * GFP_KERNEL may sleep to wait for memory once reclaim exists; today it never
 * sleeps, but callers that hold spinlocks or run in interrupt context must
 * already say GFP_ATOMIC, so the rule holds when sleeping arrives.
 */
#ifndef KEEL_GFP_H
#define KEEL_GFP_H

typedef unsigned int gfp_t;

#define __GFP_ZERO      0x01u   /* return zeroed memory */
#define __GFP_DMA32     0x02u   /* physical address below 4 GiB */
#define __GFP_ATOMIC    0x04u   /* caller cannot sleep; may use reserves */
#define __GFP_NOWARN    0x08u   /* failure is expected: do not log it */
#define __GFP_NOFAIL_INJECT 0x10u /* exempt from fault injection (boot-critical) */

#define GFP_KERNEL  0u
#define GFP_ATOMIC  __GFP_ATOMIC
#define GFP_DMA32   __GFP_DMA32

#endif /* KEEL_GFP_H */
