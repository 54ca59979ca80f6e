/*
 * The local APIC: x2APIC (MSRs) when the CPU has it, xAPIC (MMIO) otherwise.
 *
 * Each CPU's LAPIC takes interrupts from the IOAPIC and other CPUs (IPIs),
 * and has a timer used in one-shot mode — TSC-deadline when the CPU offers
 * it — for the per-CPU timer queues (kernel/sched/timer.c).
 *
 * Registers are named by their xAPIC MMIO offset; in x2APIC mode the MSR is
 * 0x800 + offset / 16, and the ICR is one 64-bit MSR.
 */
#include <keel/acpi.h>
#include <keel/arch.h>
#include <keel/printk.h>
#include <keel/time.h>
#include <keel/vm.h>
#include <asm/cpu.h>
#include <asm/x86.h>

#define MSR_APIC_BASE      0x1b
#define APIC_BASE_EXTD     (1ULL << 10)   /* x2APIC mode */
#define APIC_BASE_EN       (1ULL << 11)
#define MSR_TSC_DEADLINE   0x6e0

#define APIC_ID      0x020
#define APIC_TPR     0x080
#define APIC_EOI     0x0b0
#define APIC_SVR     0x0f0
#define APIC_ESR     0x280
#define APIC_ICR     0x300
#define APIC_ICR_HI  0x310
#define APIC_LVT_TIMER 0x320
#define APIC_LVT_LINT0 0x350
#define APIC_LVT_LINT1 0x360
#define APIC_LVT_ERROR 0x370
#define APIC_TMICT   0x380
#define APIC_TMCCT   0x390
#define APIC_TDCR    0x3e0

#define APIC_SVR_ENABLE    (1U << 8)
#define APIC_LVT_MASKED    (1U << 16)
#define APIC_LVT_NMI       (4U << 8)
#define APIC_LVT_EXTINT    (7U << 8)
#define APIC_TIMER_TSCDL   (2U << 17)
#define APIC_ICR_BUSY      (1U << 12)
#define APIC_ICR_INIT      (5U << 8)
#define APIC_ICR_STARTUP   (6U << 8)
#define APIC_ICR_ASSERT    (1U << 14)
#define APIC_ICR_LEVEL     (1U << 15)
#define APIC_ICR_NMI       (4U << 8)
#define APIC_ICR_ALL_BUT_SELF (3U << 18)

static bool x2apic;              /* [I] */
static volatile u32 *xapic_mmio; /* [I] */
static bool have_apic;           /* [I] */
static bool tsc_deadline;        /* [I] */
static u64 apic_timer_khz;       /* [I] LAPIC timer ticks per ms (divide 16) */

static u32 apic_read(u32 reg)
{
	if (x2apic)
		return (u32)rdmsr(0x800 + (reg >> 4));
	return xapic_mmio[reg / 4];
}

static void apic_write(u32 reg, u32 v)
{
	if (x2apic)
		wrmsr(0x800 + (reg >> 4), v);
	else
		xapic_mmio[reg / 4] = v;
}

bool apic_available(void)
{
	return have_apic;
}

u32 apic_id(void)
{
	if (!have_apic)
		return 0;
	if (x2apic)
		return apic_read(APIC_ID);
	return apic_read(APIC_ID) >> 24;
}

void apic_eoi(void)
{
	apic_write(APIC_EOI, 0);
}

static void apic_icr_wait(void)
{
	unsigned long spins;

	if (x2apic)
		return;
	for (spins = 0; spins < 1000000 && (apic_read(APIC_ICR) & APIC_ICR_BUSY); spins++)
		arch_cpu_relax();
}

static void apic_icr_write(u32 dest, u32 low)
{
	if (x2apic) {
		wrmsr(0x800 + (APIC_ICR >> 4), ((u64)dest << 32) | low);
		return;
	}
	apic_icr_wait();
	apic_write(APIC_ICR_HI, dest << 24);
	apic_write(APIC_ICR, low);
	apic_icr_wait();
}

void apic_send_ipi(u32 dest, u8 vector)
{
	unsigned long flags = arch_irq_save();

	apic_icr_write(dest, vector);
	arch_irq_restore(flags);
}

/*
 * Stop every other CPU: an NMI to "all excluding self" reaches them even
 * with interrupts off (spinning on a lock, say); the NMI handler halts a CPU
 * when a panic is in progress. Used by panic; does not wait.
 */
void arch_stop_other_cpus(void)
{
	if (!have_apic)
		return;
	apic_icr_write(0, APIC_ICR_NMI | APIC_ICR_ALL_BUT_SELF);
}

/* Busy-wait @us microseconds on the TSC (boot only). */
static void udelay_tsc(u64 us)
{
	u64 end = rdtsc() + us * x86_tsc_khz() / 1000;

	while (rdtsc() < end)
		arch_cpu_relax();
}

/* INIT, then two STARTUPs at @start_page (Intel SDM vol. 3, 8.4.4.1). */
/* Send INIT: the target resets and waits for a start-up IPI. */
void apic_send_init(u32 dest)
{
	apic_icr_write(dest, APIC_ICR_INIT | APIC_ICR_ASSERT | APIC_ICR_LEVEL);
}

void apic_send_init_sipi(u32 dest, u8 start_page)
{
	apic_icr_write(dest, APIC_ICR_INIT | APIC_ICR_ASSERT | APIC_ICR_LEVEL);
	udelay_tsc(10000);
	apic_icr_write(dest, APIC_ICR_STARTUP | start_page);
	udelay_tsc(200);
	apic_icr_write(dest, APIC_ICR_STARTUP | start_page);
	udelay_tsc(200);
}

/* LINT0/1: everything masked except the NMI lines the MADT names. */
static void apic_setup_lints(void)
{
	u32 lint0 = APIC_LVT_MASKED, lint1 = APIC_LVT_MASKED;
	unsigned int i;

	for (i = 0; i < acpi.nmi_count; i++) {
		if (acpi.nmis[i].lint == 0)
			lint0 = APIC_LVT_NMI;
		else if (acpi.nmis[i].lint == 1)
			lint1 = APIC_LVT_NMI;
	}
	if (!acpi.have_madt)
		lint1 = APIC_LVT_NMI;   /* the PC convention */
	apic_write(APIC_LVT_LINT0, lint0);
	apic_write(APIC_LVT_LINT1, lint1);
}

static void apic_enable_cpu(void)
{
	u64 base = rdmsr(MSR_APIC_BASE) | APIC_BASE_EN;

	if (x2apic)
		base |= APIC_BASE_EXTD;
	wrmsr(MSR_APIC_BASE, base);
	apic_write(APIC_TPR, 0);
	apic_write(APIC_LVT_ERROR, VECTOR_APIC_ERROR);
	apic_write(APIC_ESR, 0);
	apic_setup_lints();
	apic_write(APIC_SVR, APIC_SVR_ENABLE | VECTOR_SPURIOUS);
	apic_eoi();
}

/* Ticks of the LAPIC timer (divide by 16) per millisecond, via the TSC. */
static void apic_timer_calibrate(void)
{
	u32 left;

	apic_write(APIC_TDCR, 0x3);           /* divide by 16 */
	apic_write(APIC_LVT_TIMER, APIC_LVT_MASKED);
	apic_write(APIC_TMICT, 0xffffffff);
	udelay_tsc(10000);
	left = apic_read(APIC_TMCCT);
	apic_write(APIC_TMICT, 0);
	apic_timer_khz = (0xffffffffULL - left) / 10;
}

void apic_init_bsp(void)
{
	u32 a, b, c, d;
	paddr_t base;

	cpuid(1, &a, &b, &c, &d);
	if (!(d & (1U << 9))) {
		pr_warn("apic: this CPU has no local APIC; one CPU, no timer interrupts\n");
		return;
	}
	x2apic = c & (1U << X86_FEAT_1_ECX_X2APIC);
	tsc_deadline = c & (1U << X86_FEAT_1_ECX_TSCDL);
	if (!x2apic) {
		base = acpi.have_madt && acpi.lapic_address ? acpi.lapic_address :
		       (rdmsr(MSR_APIC_BASE) & 0xfffff000ULL);
		xapic_mmio = ioremap(base, 4096, VM_KERNEL_RW | VM_UNCACHED);
		if (!xapic_mmio) {
			pr_err("apic: cannot map the local APIC at %#llx\n", base);
			return;
		}
	}
	have_apic = true;
	apic_enable_cpu();
	x86_this_cpu()->apic_id = apic_id();
	if (!tsc_deadline)
		apic_timer_calibrate();
	pr_info("apic: %s mode, boot CPU APIC id %u, timer %s\n",
		x2apic ? "x2APIC" : "xAPIC", apic_id(),
		tsc_deadline ? "TSC-deadline" : "one-shot");
}

/*
 * Without IOAPICs the 8259's output reaches the boot CPU through LINT0 in
 * ExtINT mode (the "virtual wire"); the PIC then supplies the vector.
 */
void apic_enable_extint(void)
{
	if (have_apic)
		apic_write(APIC_LVT_LINT0, APIC_LVT_EXTINT);
}

void apic_init_ap(void)
{
	apic_enable_cpu();
}

void apic_timer_init_cpu(void)
{
	if (!have_apic)
		return;
	if (tsc_deadline) {
		apic_write(APIC_LVT_TIMER, APIC_TIMER_TSCDL | VECTOR_TIMER);
	} else {
		apic_write(APIC_TDCR, 0x3);
		apic_write(APIC_LVT_TIMER, VECTOR_TIMER);   /* one-shot */
	}
}

bool arch_timer_available(void)
{
	return have_apic && (tsc_deadline || apic_timer_khz);
}

/* @ns nanoseconds in ticks of a @khz clock, without 64-bit overflow. */
static u64 ns_to_ticks(u64 ns, u64 khz)
{
	return ns / 1000000 * khz + ns % 1000000 * khz / 1000000;
}

/*
 * Program this CPU's timer to interrupt at monotonic time @deadline_ns
 * (0 disarms). A deadline already past fires as soon as possible.
 */
void arch_timer_program(u64 deadline_ns)
{
	u64 now = clock_monotonic_ns(), delta;

	if (!arch_timer_available())
		return;
	if (!deadline_ns) {
		if (tsc_deadline)
			wrmsr(MSR_TSC_DEADLINE, 0);
		else
			apic_write(APIC_TMICT, 0);
		return;
	}
	delta = deadline_ns > now ? deadline_ns - now : 1000;
	if (tsc_deadline) {
		u64 cycles = ns_to_ticks(delta, x86_tsc_khz());

		wrmsr(MSR_TSC_DEADLINE, rdtsc() + (cycles ? cycles : 1));
	} else {
		u64 ticks = ns_to_ticks(delta, apic_timer_khz);

		apic_write(APIC_TMICT, ticks > 0xffffffffULL ? 0xffffffff :
				       (ticks ? (u32)ticks : 1));
	}
}

void apic_timer_interrupt(void)
{
	apic_eoi();
	timer_interrupt();
}
