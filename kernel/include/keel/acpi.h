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
	u32 acpi_uid;       /* 0xff / 0xffffffff: all processors */
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
	u8 mcfg_bus_start, mcfg_bus_end;

	bool have_fadt;
	u32 pm1a_cnt, pm1b_cnt;     /* I/O ports of the PM1 control blocks */
	u16 slp_typ_s5a, slp_typ_s5b; /* SLP_TYP values for S5 (from \_S5 in the DSDT) */
	bool have_s5;
	struct acpi_gas reset_reg;
	u8 reset_value;
	u16 sci_irq;
	u16 boot_arch_flags;        /* IA-PC boot architecture flags */
};

extern struct acpi_info acpi;   /* [I] */

/* Find and parse the tables; log a summary (a dump with loglevel=debug). */
void acpi_init(const struct boot_info *bi);

/* Power off through the FADT's PM1 control and \_S5; returns on failure. */
void acpi_poweroff(void);
/* Reset through the FADT reset register; returns on failure. */
void acpi_reboot(void);

#endif /* KEEL_ACPI_H */
