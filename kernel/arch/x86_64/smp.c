/*
 * x86_64 SMP bring-up and IPIs.
 *
 * For each enabled CPU in the MADT (other than the boot CPU) smp_boot_cpu()
 * gives it a per-CPU area, a guarded kernel stack and IST stacks, fills the
 * trampoline's data block and sends INIT-SIPI-SIPI. The AP runs through
 * boot/trampoline.S into x86_ap_entry(), sets itself up like the boot CPU
 * did (GDT, TSS, IDT, protections, LAPIC and its timer), marks itself
 * online and idles with interrupts on. CPUs start one at a time: the
 * trampoline page is shared.
 *
 * Without a MADT (or with a broken one) only the boot CPU runs.
 */
#include <keel/acpi.h>
#include <keel/arch.h>
#include <keel/mm.h>
#include <keel/printk.h>
#include <keel/sched.h>
#include <keel/slab.h>
#include <keel/smp.h>
#include <keel/string.h>
#include <keel/time.h>
#include <keel/vm.h>
#include <asm/cpu.h>
#include <asm/x86.h>

#define TRAMPOLINE_BASE 0x8000
#define AP_STACK_SIZE   (16 * 1024)
#define AP_START_TIMEOUT_US 2000000   /* generous: emulators on busy hosts */

struct x86_trampoline_data {
	u32 cr3;
	u32 efer;
	u64 stack;
	u64 percpu;
	u64 entry;
} __packed;

extern char x86_trampoline_start[], x86_trampoline_end[];
extern struct x86_trampoline_data x86_trampoline_data;

static struct x86_percpu *percpus[NR_CPUS];   /* [I] once the CPU is up */
static unsigned int nr_cpus_started = 1;      /* [boot] */
static int ap_online;                         /* [a] set by the starting AP */
/*
 * Start-up hand-shake for the CPU being started ([a]): the AP moves it
 * from AP_WAITING to AP_ARRIVED as its first act in the kernel; the boot
 * CPU, giving up, moves it to AP_ABANDONED and parks the AP with an INIT.
 * Exactly one of them wins, so a late AP never runs on with the
 * trampoline data of the next CPU (the page is shared), and a CPU the boot
 * CPU waits for is one that really is running kernel code.
 */
enum { AP_WAITING, AP_ARRIVED, AP_ABANDONED };
static int ap_state;

struct x86_percpu *x86_percpu_of(unsigned int cpu)
{
	return cpu < NR_CPUS ? percpus[cpu] : NULL;
}

void arch_send_call_ipi(unsigned int cpu)
{
	apic_send_ipi(percpus[cpu]->apic_id, VECTOR_IPI_CALL);
}

void arch_send_resched_ipi(unsigned int cpu)
{
	apic_send_ipi(percpus[cpu]->apic_id, VECTOR_IPI_RESCHED);
}

void x86_ipi_call_interrupt(void)
{
	apic_eoi();
	smp_handle_call_ipi();
}

void x86_ipi_resched_interrupt(void)
{
	apic_eoi();
	smp_handle_resched_ipi();
}

/* The first code of an AP in the high half, on its own stack. */
static __noreturn void x86_ap_entry(struct x86_percpu *pc)
{
	int expect = AP_WAITING;

	if (!__atomic_compare_exchange_n(&ap_state, &expect, AP_ARRIVED, false,
					 __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
		arch_halt_forever();    /* given up on: stay parked */
	arch_switch_space(arch_kernel_root());
	x86_cpu_setup_ap(pc);
	sched_init_ap(pc->cpu_id);
	apic_init_ap();
	apic_timer_init_cpu();
	timer_cpu_start();
	smp_set_online(pc->cpu_id);
	__atomic_store_n(&ap_online, 1, __ATOMIC_RELEASE);
	sched_idle_loop();
}

/*
 * Page tables for the tramp: the kernel half of the kernel's PML4 and an
 * identity map of the first 2 MiB, all below 4 GiB (CR3 is loaded in
 * 32-bit mode). Return: the PML4's physical address, or 0.
 */
static paddr_t trampoline_tables(void)
{
	struct page *pml4 = alloc_page(GFP_DMA32 | __GFP_ZERO);
	struct page *pdpt = alloc_page(GFP_DMA32 | __GFP_ZERO);
	struct page *pd = alloc_page(GFP_DMA32 | __GFP_ZERO);
	u64 *k = phys_to_virt(arch_kernel_root());
	u64 *t;

	if (!pml4 || !pdpt || !pd) {
		if (pml4)
			free_page(pml4);
		if (pdpt)
			free_page(pdpt);
		if (pd)
			free_page(pd);
		return 0;
	}
	t = page_address(pml4);
	memcpy(t + 256, k + 256, 256 * sizeof(u64));
	t[0] = page_to_phys(pdpt) | 0x3;
	((u64 *)page_address(pdpt))[0] = page_to_phys(pd) | 0x3;
	((u64 *)page_address(pd))[0] = 0x83;        /* 2 MiB at 0, P|RW|PS */
	return page_to_phys(pml4);
}

static bool wait_ap_online(void)
{
	u64 end = rdtsc() + (u64)AP_START_TIMEOUT_US * x86_tsc_khz() / 1000;

	while (!__atomic_load_n(&ap_online, __ATOMIC_ACQUIRE)) {
		if (rdtsc() > end)
			return false;
		arch_cpu_relax();
	}
	return true;
}

static void smp_boot_cpu(u32 apic, paddr_t cr3)
{
	struct x86_percpu *pc = kzalloc(sizeof(*pc), GFP_KERNEL);
	void *stack = kstack_alloc(AP_STACK_SIZE);
	unsigned int cpu = nr_cpus_started;
	struct x86_trampoline_data *d;

	if (!pc || !stack) {
		pr_err("smp: no memory to start CPU with APIC id %u\n", apic);
		kfree(pc);
		kstack_free(stack);
		return;
	}
	pc->self = pc;
	pc->cpu_id = cpu;
	pc->apic_id = apic;
	pc->boot_stack_lo = (unsigned long)stack;
	pc->boot_stack_hi = (unsigned long)stack + AP_STACK_SIZE;
	percpus[cpu] = pc;

	d = (void *)((char *)phys_to_virt(TRAMPOLINE_BASE) +
		     ((char *)&x86_trampoline_data - x86_trampoline_start));
	d->cr3 = (u32)cr3;
	d->efer = (u32)(rdmsr(MSR_EFER) & (EFER_LME | EFER_NXE));
	d->stack = pc->boot_stack_hi;
	d->percpu = (u64)pc;
	d->entry = (u64)x86_ap_entry;
	__atomic_store_n(&ap_online, 0, __ATOMIC_RELEASE);
	__atomic_store_n(&ap_state, AP_WAITING, __ATOMIC_RELEASE);
	apic_send_init_sipi(apic, TRAMPOLINE_BASE >> 12);
	if (!wait_ap_online()) {
		int expect = AP_WAITING;

		if (__atomic_compare_exchange_n(&ap_state, &expect,
						AP_ABANDONED, false,
						__ATOMIC_ACQ_REL,
						__ATOMIC_ACQUIRE)) {
			/* INIT parks it until a SIPI nobody will send. */
			apic_send_init(apic);
			pr_warn("smp: CPU with APIC id %u did not start; "
				"parked\n", apic);
			percpus[cpu] = NULL;
			return;   /* its memory stays: it may have touched it */
		}
		/* It arrived just now and is running kernel code: wait. */
		while (!__atomic_load_n(&ap_online, __ATOMIC_ACQUIRE))
			arch_cpu_relax();
	}
	nr_cpus_started++;
}

/* A MADT listing an APIC id twice must not INIT a running CPU. */
static bool apic_id_started(u32 apic, u32 me)
{
	unsigned int cpu;

	if (apic == me)
		return true;
	for (cpu = 1; cpu < nr_cpus_started; cpu++)
		if (percpus[cpu] && percpus[cpu]->apic_id == apic)
			return true;
	return false;
}

void x86_smp_init(void)
{
	u32 me;
	paddr_t cr3;
	unsigned int i;

	percpus[0] = x86_this_cpu();
	smp_set_online(0);
	if (!apic_available() || !acpi.have_madt) {
		pr_warn("smp: no usable %s; running on the boot CPU only\n",
			apic_available() ? "MADT" : "local APIC");
		return;
	}
	me = apic_id();
	cr3 = trampoline_tables();
	if (!cr3) {
		pr_err("smp: no memory for the trampoline; boot CPU only\n");
		return;
	}
	memcpy(phys_to_virt(TRAMPOLINE_BASE), x86_trampoline_start,
	       x86_trampoline_end - x86_trampoline_start);
	for (i = 0; i < acpi.cpu_count && nr_cpus_started < NR_CPUS; i++) {
		if (!acpi.cpus[i].enabled || apic_id_started(acpi.cpus[i].apic_id, me))
			continue;
		smp_boot_cpu(acpi.cpus[i].apic_id, cr3);
	}
	pr_info("smp: %u CPU%s online\n", num_online_cpus(),
		num_online_cpus() == 1 ? "" : "s");
}

void arch_irq_init(void)
{
	apic_init_bsp();
	ioapic_init();
	apic_timer_init_cpu();
	timer_cpu_start();
}

void arch_smp_boot(void)
{
	x86_smp_init();
}
