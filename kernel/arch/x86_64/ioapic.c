/*
 * Routing device interrupt lines to vectors: the IOAPICs the MADT lists,
 * with the MADT's interrupt source overrides; the legacy 8259 pair only as
 * a fallback when there is no MADT (then only ISA IRQs 0-15 exist).
 *
 * Line n (a global system interrupt number) always gets vector
 * IRQ_VECTOR_BASE + n and is delivered to the boot CPU. ISA IRQs are edge
 * triggered, active high unless an override says otherwise; lines from 16 up
 * are PCI: level triggered, active low.
 *
 * Locking: ioapic_lock serializes the index/data register pairs.
 */
#include <keel/acpi.h>
#include <keel/errno.h>
#include <keel/irq.h>
#include <keel/printk.h>
#include <keel/spinlock.h>
#include <keel/vm.h>
#include <asm/io.h>
#include <asm/x86.h>

#define IOAPIC_REGSEL 0x00
#define IOAPIC_WIN    0x10
#define IOAPIC_VER    0x01
#define IOAPIC_REDTBL(n) (0x10 + 2 * (n))

#define RTE_MASKED      (1ULL << 16)
#define RTE_LEVEL       (1ULL << 15)
#define RTE_ACTIVE_LOW  (1ULL << 13)

#define PIC1_CMD 0x20
#define PIC1_DATA 0x21
#define PIC2_CMD 0xa0
#define PIC2_DATA 0xa1

struct ioapic {
	volatile u32 *regs;
	u32 gsi_base;
	unsigned int pins;
};

static struct ioapic ioapics[ACPI_MAX_IOAPICS];   /* [I] */
static unsigned int nr_ioapics;                   /* [I] */
static bool use_pic;                              /* [I] */
static u16 pic_mask = 0xffff;                     /* [ioapic_lock] */
static DEFINE_SPINLOCK(ioapic_lock);

static u32 ioapic_read(struct ioapic *io, u32 reg)
{
	io->regs[IOAPIC_REGSEL / 4] = reg;
	return io->regs[IOAPIC_WIN / 4];
}

static void ioapic_write(struct ioapic *io, u32 reg, u32 v)
{
	io->regs[IOAPIC_REGSEL / 4] = reg;
	io->regs[IOAPIC_WIN / 4] = v;
}

static void ioapic_write_rte(struct ioapic *io, unsigned int pin, u64 rte)
{
	ioapic_write(io, IOAPIC_REDTBL(pin) + 1, (u32)(rte >> 32));
	ioapic_write(io, IOAPIC_REDTBL(pin), (u32)rte);
}

/* Remap the 8259s away from the exception vectors, then mask them all. */
static void pic_init(void)
{
	outb(PIC1_CMD, 0x11);
	outb(PIC2_CMD, 0x11);
	outb(PIC1_DATA, IRQ_VECTOR_BASE);
	outb(PIC2_DATA, IRQ_VECTOR_BASE + 8);
	outb(PIC1_DATA, 4);
	outb(PIC2_DATA, 2);
	outb(PIC1_DATA, 1);
	outb(PIC2_DATA, 1);
	outb(PIC1_DATA, 0xff);
	outb(PIC2_DATA, 0xff);
}

static void pic_set_mask(void)
{
	outb(PIC1_DATA, pic_mask & 0xff);
	outb(PIC2_DATA, pic_mask >> 8);
}

/* End of interrupt for a PIC-delivered line. */
void x86_pic_eoi(unsigned int irq)
{
	if (irq >= 8)
		outb(PIC2_CMD, 0x20);
	outb(PIC1_CMD, 0x20);
}

bool x86_irq_uses_pic(void)
{
	return use_pic;
}

void ioapic_init(void)
{
	unsigned int i, pin;

	pic_init();
	for (i = 0; i < acpi.ioapic_count && i < ACPI_MAX_IOAPICS; i++) {
		struct ioapic *io = &ioapics[nr_ioapics];

		io->regs = ioremap(acpi.ioapics[i].address, 4096,
				   VM_KERNEL_RW | VM_UNCACHED);
		if (!io->regs) {
			pr_warn("ioapic: cannot map IOAPIC %u at %#llx\n",
				acpi.ioapics[i].id, acpi.ioapics[i].address);
			continue;
		}
		io->gsi_base = acpi.ioapics[i].gsi_base;
		io->pins = ((ioapic_read(io, IOAPIC_VER) >> 16) & 0xff) + 1;
		for (pin = 0; pin < io->pins; pin++)
			ioapic_write_rte(io, pin, RTE_MASKED);
		pr_info("ioapic: id %u at %#llx, lines %u-%u\n", acpi.ioapics[i].id,
			acpi.ioapics[i].address, io->gsi_base,
			io->gsi_base + io->pins - 1);
		nr_ioapics++;
	}
	if (!nr_ioapics) {
		use_pic = true;
		apic_enable_extint();
		pr_warn("ioapic: none usable; ISA IRQs 0-15 go through the legacy PIC\n");
	}
}

/* The GSI and flags an ISA IRQ arrives on, after MADT overrides. */
static u32 isa_to_gsi(unsigned int irq, u16 *flags)
{
	unsigned int i;

	*flags = 0;
	for (i = 0; i < acpi.override_count; i++) {
		if (acpi.overrides[i].source == irq) {
			*flags = acpi.overrides[i].flags;
			return acpi.overrides[i].gsi;
		}
	}
	return irq;
}

static u64 rte_for(unsigned int irq, u16 flags, bool isa)
{
	u64 rte = IRQ_VECTOR_BASE + irq;
	unsigned int polarity = flags & 3, trigger = (flags >> 2) & 3;

	/* MPS INTI flags: 0 = bus default, 1 = high/edge, 3 = low/level. */
	if (polarity == 3 || (polarity == 0 && !isa))
		rte |= RTE_ACTIVE_LOW;
	if (trigger == 3 || (trigger == 0 && !isa))
		rte |= RTE_LEVEL;
	rte |= (u64)x86_percpu_of(0)->apic_id << 56;
	return rte;
}

/*
 * ioapic_route - point line @irq at its vector and (un)mask it.
 * Return: 0, or -EINVAL when no controller serves the line.
 */
int ioapic_route(unsigned int irq, bool unmask)
{
	unsigned long flags;
	unsigned int i;
	u16 inti = 0;
	u32 gsi = irq;
	int err = -EINVAL;

	flags = spin_lock_irqsave(&ioapic_lock);
	if (use_pic) {
		if (irq < 16) {
			pic_mask = unmask ? pic_mask & ~(1U << irq) : pic_mask | (1U << irq);
			if (irq >= 8 && unmask)
				pic_mask &= ~(1U << 2);   /* the cascade */
			pic_set_mask();
			err = 0;
		}
		goto out;
	}
	if (irq < 16)
		gsi = isa_to_gsi(irq, &inti);
	for (i = 0; i < nr_ioapics; i++) {
		struct ioapic *io = &ioapics[i];

		if (gsi < io->gsi_base || gsi >= io->gsi_base + io->pins)
			continue;
		ioapic_write_rte(io, gsi - io->gsi_base,
				 rte_for(irq, inti, irq < 16) | (unmask ? 0 : RTE_MASKED));
		err = 0;
		break;
	}
out:
	spin_unlock_irqrestore(&ioapic_lock, flags);
	return err;
}

int arch_irq_line_unmask(unsigned int irq)
{
	return ioapic_route(irq, true);
}

void arch_irq_line_mask(unsigned int irq)
{
	ioapic_route(irq, false);
}
