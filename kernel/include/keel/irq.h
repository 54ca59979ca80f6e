/*
 * The generic IRQ layer: device interrupt lines ("IRQ n", the global system
 * interrupt number on PCs: ISA IRQs 0-15 after MADT overrides, then IOAPIC
 * pins) with handlers, sharing and statistics. How a line reaches a CPU
 * (IOAPIC routing, vectors, EOI) stays behind the arch boundary.
 */
#ifndef KEEL_IRQ_H
#define KEEL_IRQ_H

#include <keel/types.h>

#define NR_IRQS 160   /* vectors 0x30..0xcf */

#define IRQF_SHARED 0x1u   /* other handlers may share the line */

enum irq_return {
	IRQ_NONE = 0,       /* not ours (shared lines) */
	IRQ_HANDLED = 1,
};

typedef enum irq_return (*irq_handler_t)(unsigned int irq, void *data);

/*
 * irq_request - attach @handler to line @irq and unmask it.
 * Return: 0, -EINVAL (bad line), -EBUSY (taken, and not both shared),
 * -ENOMEM. Context: process context.
 */
int irq_request(unsigned int irq, irq_handler_t handler, unsigned int flags,
		const char *name, void *data);
/* Detach the handler registered with @data; mask the line if none is left. */
void irq_free(unsigned int irq, void *data);

/* Called by the arch when line @irq fires (interrupts off). */
void irq_dispatch(unsigned int irq);

/* Statistics, for /proc/interrupts. */
u64 irq_count(unsigned int irq, unsigned int cpu);
u64 irq_spurious_count(void);
void irq_note_spurious(void);

#endif /* KEEL_IRQ_H */
