/*
 * The generic IRQ layer: handlers on device lines. See <keel/irq.h>.
 *
 * Each line has a list of actions (several when every one of them asked for
 * IRQF_SHARED), called in order until one returns IRQ_HANDLED; a line
 * nobody claims counts as spurious. Counts are per line and per CPU.
 *
 * Locking: irq_lock (irqsave) protects the action lists and the line's
 * mask state (arch_irq_line_(un)mask, which takes ioapic_lock inside it);
 * irq_dispatch runs with interrupts off and takes it too, so a handler being
 * freed on another CPU waits for the dispatch in progress. Handlers must
 * not call irq_request or irq_free.
 */
#include <keel/arch.h>
#include <keel/cpu.h>
#include <keel/errno.h>
#include <keel/irq.h>
#include <keel/printk.h>
#include <keel/slab.h>
#include <keel/spinlock.h>

struct irq_action {
	irq_handler_t handler;
	void *data;
	const char *name;
	unsigned int flags;
	struct irq_action *next;
};

static struct irq_action *irq_actions[NR_IRQS];      /* [irq_lock] */
static u64 irq_counts[NR_IRQS][NR_CPUS];             /* [owner CPU] */
static u64 spurious;                                 /* [a] */
static DEFINE_SPINLOCK(irq_lock);

/* Unlink @a from line @irq; mask the line when nobody is left. irq_lock held. */
static void irq_unlink(unsigned int irq, struct irq_action *a)
{
	struct irq_action **pp;

	for (pp = &irq_actions[irq]; *pp; pp = &(*pp)->next) {
		if (*pp == a) {
			*pp = a->next;
			break;
		}
	}
	if (!irq_actions[irq])
		arch_irq_line_mask(irq);
}

int irq_request(unsigned int irq, irq_handler_t handler, unsigned int flags,
		const char *name, void *data)
{
	struct irq_action *a, **pp;
	unsigned long irqf;
	int err = 0;

	if (irq >= NR_IRQS || !handler)
		return -EINVAL;
	a = kzalloc(sizeof(*a), GFP_KERNEL);
	if (!a)
		return -ENOMEM;
	a->handler = handler;
	a->data = data;
	a->name = name;
	a->flags = flags;
	irqf = spin_lock_irqsave(&irq_lock);
	pp = &irq_actions[irq];
	if (*pp && (!((*pp)->flags & IRQF_SHARED) || !(flags & IRQF_SHARED))) {
		err = -EBUSY;
		goto out_unlock;
	}
	while (*pp)
		pp = &(*pp)->next;
	*pp = a;
	/* Under irq_lock, so a concurrent free cannot mask it again. */
	err = arch_irq_line_unmask(irq);
	if (err)
		irq_unlink(irq, a);
out_unlock:
	spin_unlock_irqrestore(&irq_lock, irqf);
	if (err)
		kfree(a);
	return err;
}

void irq_free(unsigned int irq, void *data)
{
	struct irq_action *a, *found = NULL;
	unsigned long irqf;

	if (irq >= NR_IRQS)
		return;
	irqf = spin_lock_irqsave(&irq_lock);
	for (a = irq_actions[irq]; a; a = a->next) {
		if (a->data == data) {
			found = a;
			irq_unlink(irq, a);
			break;
		}
	}
	spin_unlock_irqrestore(&irq_lock, irqf);
	if (!found)
		pr_warn("irq: free of IRQ %u with unknown data %p\n", irq, data);
	kfree(found);
}

void irq_dispatch(unsigned int irq)
{
	struct irq_action *a;
	bool handled = false;

	if (irq >= NR_IRQS) {
		irq_note_spurious();
		return;
	}
	irq_counts[irq][cpu_id()]++;
	spin_lock(&irq_lock);
	for (a = irq_actions[irq]; a && !handled; a = a->next)
		handled = a->handler(irq, a->data) == IRQ_HANDLED;
	spin_unlock(&irq_lock);
	if (!handled)
		irq_note_spurious();
}

u64 irq_count(unsigned int irq, unsigned int cpu)
{
	return irq < NR_IRQS && cpu < NR_CPUS ? READ_ONCE(irq_counts[irq][cpu]) : 0;
}

void irq_note_spurious(void)
{
	__atomic_fetch_add(&spurious, 1, __ATOMIC_RELAXED);
}

u64 irq_spurious_count(void)
{
	return __atomic_load_n(&spurious, __ATOMIC_RELAXED);
}
