/*
 * Cross-CPU function calls, reschedule requests and TLB shootdown.
 *
 * Each CPU has a queue of calls. A sender links a call into the target's
 * queue and sends it an IPI; the target's IPI handler runs every queued
 * call. A waiting sender spins until the call is marked done, serving its
 * own queue meanwhile (so CPUs calling each other do not deadlock even with
 * interrupts off). Calls that are not waited for are allocated and freed by
 * the target; waited-for ones live on the sender's stack.
 *
 * Locking: call_queue.lock (irqsave) protects a queue's list; it is taken
 * inside no other lock except by senders holding none. online_mask is
 * written once per CPU at bring-up ([a]).
 */
#include <keel/arch.h>
#include <keel/bitmap.h>
#include <keel/errno.h>
#include <keel/list.h>
#include <keel/slab.h>
#include <keel/sched.h>
#include <keel/smp.h>
#include <keel/spinlock.h>

struct smp_call {
	smp_call_fn fn;
	void *arg;
	bool wait;
	int done;                       /* [a] set by the target when wait */
	struct list_head link;          /* [call_queue.lock] */
};

struct call_queue {
	struct spinlock lock;
	struct list_head list;
};

static struct call_queue queues[NR_CPUS];
static DECLARE_BITMAP(online_mask, NR_CPUS);    /* [a] */
static u64 resched_counts[NR_CPUS];             /* [owner CPU] */

unsigned int num_online_cpus(void)
{
	return bitmap_weight(online_mask, NR_CPUS);
}

bool cpu_online(unsigned int cpu)
{
	return cpu < NR_CPUS && test_bit(cpu, online_mask);
}

void smp_set_online(unsigned int cpu)
{
	spin_lock_init(&queues[cpu].lock);
	INIT_LIST_HEAD(&queues[cpu].list);
	set_bit(cpu, online_mask);
}

/* Run everything queued for this CPU. Interrupts are off. */
static void smp_run_queue(void)
{
	struct call_queue *q = &queues[cpu_id()];
	struct smp_call *c, *tmp;
	LIST_HEAD(todo);

	spin_lock(&q->lock);
	list_splice_init(&q->list, &todo);
	spin_unlock(&q->lock);
	list_for_each_entry_safe(c, tmp, &todo, link) {
		bool wait = c->wait;

		list_del(&c->link);
		c->fn(c->arg);
		if (wait)
			__atomic_store_n(&c->done, 1, __ATOMIC_RELEASE);
		else
			kfree(c);
	}
}

void smp_handle_call_ipi(void)
{
	smp_run_queue();
}

void smp_handle_resched_ipi(void)
{
	resched_counts[cpu_id()]++;
	sched_resched_ipi();
}

u64 smp_resched_count(unsigned int cpu)
{
	return cpu < NR_CPUS ? READ_ONCE(resched_counts[cpu]) : 0;
}

static void smp_enqueue(unsigned int cpu, struct smp_call *c)
{
	unsigned long flags = spin_lock_irqsave(&queues[cpu].lock);

	list_add_tail(&c->link, &queues[cpu].list);
	spin_unlock_irqrestore(&queues[cpu].lock, flags);
	arch_send_call_ipi(cpu);
}

static void smp_wait_done(struct smp_call *c)
{
	while (!__atomic_load_n(&c->done, __ATOMIC_ACQUIRE)) {
		unsigned long flags = arch_irq_save();

		smp_run_queue();
		arch_irq_restore(flags);
		arch_cpu_relax();
	}
}

int smp_call_function_single(unsigned int cpu, smp_call_fn fn, void *arg,
			     bool wait)
{
	struct smp_call on_stack, *c = &on_stack;
	unsigned long flags;

	if (!cpu_online(cpu))
		return -ENXIO;
	preempt_disable();
	if (cpu == cpu_id()) {
		flags = arch_irq_save();
		fn(arg);
		arch_irq_restore(flags);
		preempt_enable();
		return 0;
	}
	if (!wait) {
		c = kmalloc(sizeof(*c), GFP_ATOMIC);
		if (!c) {
			preempt_enable();
			return -ENOMEM;
		}
	}
	c->fn = fn;
	c->arg = arg;
	c->wait = wait;
	c->done = 0;
	smp_enqueue(cpu, c);
	if (wait)
		smp_wait_done(c);
	preempt_enable();
	return 0;
}

void smp_call_function_others(smp_call_fn fn, void *arg, bool wait)
{
	struct smp_call calls[NR_CPUS];
	DECLARE_BITMAP(sent, NR_CPUS) = { 0 };
	unsigned int cpu, me;

	/* Stay on this CPU: "the others" must not come to include it. */
	preempt_disable();
	me = cpu_id();

	for (cpu = 0; cpu < NR_CPUS; cpu++) {
		if (cpu == me || !cpu_online(cpu))
			continue;
		if (!wait) {
			smp_call_function_single(cpu, fn, arg, false);
			continue;
		}
		calls[cpu] = (struct smp_call){ .fn = fn, .arg = arg, .wait = true };
		smp_enqueue(cpu, &calls[cpu]);
		__set_bit(cpu, sent);
	}
	if (!wait)
		goto out;
	/* Only the calls queued above: a CPU that came online meanwhile has
	 * no call in calls[]. */
	for (cpu = 0; cpu < NR_CPUS; cpu++)
		if (test_bit(cpu, sent))
			smp_wait_done(&calls[cpu]);
out:
	preempt_enable();
}

void on_each_cpu(smp_call_fn fn, void *arg)
{
	unsigned long flags;

	preempt_disable();
	smp_call_function_others(fn, arg, true);
	flags = arch_irq_save();
	fn(arg);
	arch_irq_restore(flags);
	preempt_enable();
}

void smp_send_reschedule(unsigned int cpu)
{
	if (cpu_online(cpu))
		arch_send_resched_ipi(cpu);
}

struct tlb_range {
	vaddr_t va;
	u64 size;
};

static void tlb_flush_one(void *arg)
{
	struct tlb_range *r = arg;

	arch_tlb_flush_range(r->va, r->size);
}

void flush_tlb_kernel_range(vaddr_t va, u64 size)
{
	struct tlb_range r = { va, size };

	on_each_cpu(tlb_flush_one, &r);
}
