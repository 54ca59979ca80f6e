/*
 * ACPI static tables: what the rest of the kernel needs from firmware.
 *
 * acpi_init() finds the RSDP (boot_info gives its address or a copy), walks
 * the XSDT (or the RSDT when there is no XSDT), verifies every checksum and
 * parses the tables below into struct acpi_info. Tables are untrusted: a bad
 * checksum, a truncated table or a missing MADT makes the affected part
 * unavailable with one warning, and callers fall back (one CPU, legacy PIC
 * and PIT timers); nothing here panics.
 *
 * After acpi_init() the structure is read-only ([I]).
 */
#ifndef KEEL_ACPI_H
#define KEEL_ACPI_H

#include <keel/types.h>

struct boot_info;

#define ACPI_MAX_CPUS      256
#define ACPI_MAX_IOAPICS   8
#define ACPI_MAX_OVERRIDES 16
#define ACPI_MAX_NMIS      8

struct acpi_cpu {
	u32 apic_id;        /* local APIC or x2APIC id */
	u32 acpi_uid;
	bool enabled;       /* usable now (not just "online capable") */
};

struct acpi_ioapic {
	u8 id;
	paddr_t address;
	u32 gsi_base;       /* first global system interrupt it serves */
};

/* MADT interrupt source override: ISA IRQ @source arrives as @gsi. */
struct acpi_override {
	u8 source;
	u32 gsi;
	u16 flags;          /* MPS INTI flags: polarity bits 0-1, trigger 2-3 */
};

struct acpi_lapic_nmi {
	u32 acpi_uid;       /* 0xffffffff: all processors (a MADT 0xff too) */
	u8 lint;            /* LINT0 or LINT1 */
	u16 flags;
};

/* A Generic Address Structure, reduced to what we use. */
struct acpi_gas {
	u8 space;           /* 0 system memory, 1 system I/O */
	u8 bit_width;
	u64 address;        /* 0: absent */
};

struct acpi_info {
	bool present;               /* an RSDP with a valid checksum was found */
	u8 revision;                /* RSDP revision: 0 = ACPI 1.0 (RSDT only) */
	char oem_id[7];

	bool have_madt;
	paddr_t lapic_address;      /* MADT (or its 64-bit override) */
	bool pcat_compat;           /* a legacy 8259 pair is present */
	unsigned int cpu_count;
	struct acpi_cpu cpus[ACPI_MAX_CPUS];
	unsigned int ioapic_count;
	struct acpi_ioapic ioapics[ACPI_MAX_IOAPICS];
	unsigned int override_count;
	struct acpi_override overrides[ACPI_MAX_OVERRIDES];
	unsigned int nmi_count;
	struct acpi_lapic_nmi nmis[ACPI_MAX_NMIS];

	bool have_hpet;
	paddr_t hpet_address;
	u16 hpet_min_tick;

	bool have_mcfg;
	paddr_t mcfg_base;          /* PCIe ECAM of segment 0 */
	u16 mcfg_segment;           /* 0 unless the MCFG has no segment 0 */
	u8 mcfg_bus_start, mcfg_bus_end;

	bool have_fadt;
	u32 pm1a_cnt, pm1b_cnt;     /* I/O ports of the PM1 control blocks */
	u16 slp_typ_s5a, slp_typ_s5b; /* SLP_TYP values for S5 (from \_S5 in the DSDT) */
	bool have_s5;
	struct acpi_gas reset_reg;
	u8 reset_value;
	u16 sci_irq;
	u16 boot_arch_flags;        /* IA-PC boot architecture flags */
	u8 fadt_revision;
	u32 fadt_flags;
	u32 smi_cmd;                /* port to write acpi_enable to (0: none) */
	u8 acpi_enable;             /* value that turns ACPI mode (SCI_EN) on */
	paddr_t dsdt_address;       /* X_DSDT when present, else DSDT */
};

extern struct acpi_info acpi;   /* [I] */

/*
 * acpi_init - find the RSDP (boot_info's address, its copy, else the BIOS
 * areas), parse the tables into `acpi`, log one line per table (a dump of
 * every table header with loglevel=8) and one warning per problem.
 * Context: boot, one CPU, after mm_init() (tables are mapped with ioremap).
 */
void acpi_init(const struct boot_info *bi);

/*
 * acpi_poweroff - enter S5 through the FADT's PM1 control blocks with the
 * sleep types of \_S5. Return: only if the machine is still on (logged).
 * Context: process context; turns interrupts off while it waits.
 */
void acpi_poweroff(void);
/*
 * acpi_reboot - write the FADT's reset value to its reset register.
 * Return: only if the machine did not reset (logged); callers may then try
 * arch_reset(). Context: process context.
 */
void acpi_reboot(void);

/*
 * acpi_boot_end - what `boot_end=halt|poweroff|reboot` asks for once the
 * kernel has booted. Return: at once for halt (the default); otherwise
 * powers off or resets (reboot falls back to arch_reset()) and, if power-off
 * fails, logs it and exits a test-mode run as failed or halts.
 * Context: boot, the boot CPU.
 */
void acpi_boot_end(void);

#endif /* KEEL_ACPI_H */
