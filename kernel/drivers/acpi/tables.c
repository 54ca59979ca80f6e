/*
 * ACPI static table parsers: RSDP, RSDT/XSDT, MADT, HPET, MCFG, FADT and
 * the \_S5 object in the DSDT's AML (layouts from the ACPI 6.x spec).
 *
 * Pure functions over byte buffers (see acpi_internal.h): every read is
 * checked against the length the caller vouches for, nothing here maps
 * memory or logs, and any input -- truncated, corrupt or hostile -- gives
 * an error code instead of a fault. Multi-byte fields are read with
 * acpi_get16/32/64 because firmware packs them without alignment.
 */
#include <keel/compiler.h>
#include <keel/string.h>

#include "acpi_internal.h"

/* Generic Address Structure: space, bit width, bit offset, access, address. */
#define GAS_LEN 12

/* MADT */
#define MADT_LAPIC_ADDR   36
#define MADT_FLAGS        40
#define MADT_PCAT_COMPAT  (1u << 0)
#define MADT_ENTRIES      44

enum madt_type {
	MADT_LAPIC = 0,
	MADT_IOAPIC = 1,
	MADT_OVERRIDE = 2,
	MADT_NMI_SOURCE = 3,
	MADT_LAPIC_NMI = 4,
	MADT_LAPIC_ADDR_OVERRIDE = 5,
	MADT_X2APIC = 9,
	MADT_X2APIC_NMI = 0xa,
};

/* Processor flags (types 0 and 9). */
#define MADT_CPU_ENABLED        (1u << 0)
#define MADT_CPU_ONLINE_CAPABLE (1u << 1)

/* HPET */
#define HPET_ADDRESS   40       /* GAS */
#define HPET_MIN_TICK  53

/* MCFG */
#define MCFG_ENTRIES   44
#define MCFG_ENTRY_LEN 16

/* FADT: offsets of the fields we use and how long a table must be for each. */
#define FADT_DSDT          40
#define FADT_SCI_INT       46
#define FADT_SMI_CMD       48
#define FADT_ACPI_ENABLE   52
#define FADT_PM1A_CNT      64
#define FADT_PM1B_CNT      68
#define FADT_PM1_CNT_LEN   89
#define FADT_BOOT_ARCH     109
#define FADT_FLAGS         112
#define FADT_RESET_REG     116  /* GAS */
#define FADT_RESET_VALUE   128
#define FADT_X_DSDT        140
#define FADT_X_PM1A_CNT    172  /* GAS */
#define FADT_X_PM1B_CNT    184  /* GAS */
#define FADT_RESET_REG_SUP (1u << 10)
/* ACPI 2.0 (FADT revision 3) added the boot flags, reset and X_ fields. */
#define FADT_REV_ACPI2     3

/* AML opcodes for the \_S5 scan. */
#define AML_ZERO       0x00
#define AML_ONE        0x01
#define AML_NAME       0x08
#define AML_BYTE       0x0a
#define AML_WORD       0x0b
#define AML_DWORD      0x0c
#define AML_PACKAGE    0x12
#define AML_ROOT       '\\'
#define SLP_TYP_MAX    7

const char *acpi_strerror(int err)
{
	switch (-err) {
	case ACPI_ESIG: return "signature mismatch";
	case ACPI_ECSUM: return "checksum mismatch";
	case ACPI_ESHORT: return "length too small";
	case ACPI_ELONG: return "length runs past the end of the data";
	case ACPI_EENTRY: return "has a malformed entry (length 0, too short or past the end)";
	case ACPI_ENOCPU: return "lists no usable CPU";
	case ACPI_EADDR: return "has an invalid address";
	case ACPI_EEMPTY: return "has no entries";
	case ACPI_ENOS5: return "has no \\_S5 object";
	case ACPI_EAML: return "\\_S5 is malformed";
	case ACPI_EMAP: return "cannot be mapped";
	case ACPI_EBIG: return "is longer than 1 MiB";
	default: return "unknown error";
	}
}

u8 acpi_checksum(const void *buf, size_t len)
{
	const u8 *p = buf;
	u8 sum = 0;

	while (len--)
		sum += *p++;
	return sum;
}

/* Copy @n bytes of an identifier, unprintable bytes as '?', NUL-terminated. */
static void copy_ident(char *dst, const u8 *src, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		dst[i] = (src[i] >= 0x20 && src[i] < 0x7f) ? (char)src[i] : '?';
	dst[n] = '\0';
}

/* ---- RSDP ---------------------------------------------------------------- */

#define RSDP_OEM_ID    9
#define RSDP_REVISION  15
#define RSDP_RSDT      16
#define RSDP_LENGTH    20
#define RSDP_XSDT      24

int acpi_rsdp_parse(const void *buf, size_t len, struct acpi_rsdp_info *out)
{
	const u8 *p = buf;
	u32 xlen;

	memset(out, 0, sizeof(*out));
	if (len < ACPI_RSDP_V1_LEN)
		return -ACPI_ESHORT;
	if (memcmp(p, "RSD PTR ", 8))
		return -ACPI_ESIG;
	if (acpi_checksum(p, ACPI_RSDP_V1_LEN))
		return -ACPI_ECSUM;
	out->revision = p[RSDP_REVISION];
	copy_ident(out->oem_id, p + RSDP_OEM_ID, 6);
	out->rsdt = acpi_get32(p + RSDP_RSDT);
	if (out->revision < 2)
		return 0;
	if (len < ACPI_RSDP_V2_LEN) {
		out->xsdt_err = -ACPI_ESHORT;
		return 0;
	}
	xlen = acpi_get32(p + RSDP_LENGTH);
	out->length = xlen;
	if (xlen < ACPI_RSDP_V2_LEN)
		out->xsdt_err = -ACPI_ESHORT;
	else if (xlen > len)
		out->xsdt_err = -ACPI_ELONG;
	else if (acpi_checksum(p, xlen))
		out->xsdt_err = -ACPI_ECSUM;
	else
		out->xsdt = acpi_get64(p + RSDP_XSDT);
	return 0;
}

/* ---- SDT header, RSDT, XSDT ---------------------------------------------- */

#define SDT_LENGTH       4
#define SDT_REVISION     8
#define SDT_OEM_ID       10
#define SDT_OEM_TABLE_ID 16

u32 acpi_sdt_length(const void *hdr)
{
	return acpi_get32((const u8 *)hdr + SDT_LENGTH);
}

void acpi_sdt_info(const void *hdr, struct acpi_sdt_info *out)
{
	const u8 *p = hdr;

	copy_ident(out->sig, p, 4);
	out->length = acpi_get32(p + SDT_LENGTH);
	out->revision = p[SDT_REVISION];
	copy_ident(out->oem_id, p + SDT_OEM_ID, 6);
	copy_ident(out->oem_table_id, p + SDT_OEM_TABLE_ID, 8);
}

int acpi_sdt_check(const void *buf, size_t avail, const char *sig)
{
	u32 len;

	if (avail < ACPI_SDT_HEADER_LEN)
		return -ACPI_ESHORT;
	if (sig && memcmp(buf, sig, 4))
		return -ACPI_ESIG;
	len = acpi_sdt_length(buf);
	if (len < ACPI_SDT_HEADER_LEN)
		return -ACPI_ESHORT;
	if (len > avail)
		return -ACPI_ELONG;
	if (acpi_checksum(buf, len))
		return -ACPI_ECSUM;
	return 0;
}

unsigned int acpi_sdt_entry_count(u32 len, bool xsdt)
{
	if (len < ACPI_SDT_HEADER_LEN)
		return 0;
	return (len - ACPI_SDT_HEADER_LEN) / (xsdt ? 8 : 4);
}

u64 acpi_sdt_entry(const void *sdt, bool xsdt, unsigned int i)
{
	const u8 *p = (const u8 *)sdt + ACPI_SDT_HEADER_LEN;

	return xsdt ? acpi_get64(p + 8 * (size_t)i) : acpi_get32(p + 4 * (size_t)i);
}

/* ---- MADT ---------------------------------------------------------------- */

/* Minimum length of each entry type we read; 0: a type we skip. */
static u8 madt_min_len(u8 type)
{
	switch (type) {
	case MADT_LAPIC: return 8;
	case MADT_IOAPIC: return 12;
	case MADT_OVERRIDE: return 10;
	case MADT_NMI_SOURCE: return 8;
	case MADT_LAPIC_NMI: return 6;
	case MADT_LAPIC_ADDR_OVERRIDE: return 12;
	case MADT_X2APIC: return 16;
	case MADT_X2APIC_NMI: return 12;
	default: return 0;
	}
}

static void madt_clear(struct acpi_info *ai)
{
	ai->have_madt = false;
	ai->lapic_address = 0;
	ai->pcat_compat = false;
	ai->cpu_count = 0;
	ai->ioapic_count = 0;
	ai->override_count = 0;
	ai->nmi_count = 0;
}

static void madt_add_cpu(struct acpi_info *ai, u32 apic_id, u32 uid, u32 flags,
			 struct acpi_madt_stats *st)
{
	unsigned int i;

	if (!(flags & (MADT_CPU_ENABLED | MADT_CPU_ONLINE_CAPABLE))) {
		st->disabled++;
		return;
	}
	for (i = 0; i < ai->cpu_count; i++) {
		if (ai->cpus[i].apic_id == apic_id) {
			st->invalid++;      /* listed twice */
			return;
		}
	}
	if (ai->cpu_count == ACPI_MAX_CPUS) {
		st->dropped++;
		return;
	}
	ai->cpus[ai->cpu_count].apic_id = apic_id;
	ai->cpus[ai->cpu_count].acpi_uid = uid;
	ai->cpus[ai->cpu_count].enabled = flags & MADT_CPU_ENABLED;
	ai->cpu_count++;
}

static void madt_add_ioapic(struct acpi_info *ai, const u8 *e,
			    struct acpi_madt_stats *st)
{
	struct acpi_ioapic *io;
	u32 addr = acpi_get32(e + 4);

	if (!addr) {
		st->invalid++;
		return;
	}
	if (ai->ioapic_count == ACPI_MAX_IOAPICS) {
		st->dropped++;
		return;
	}
	io = &ai->ioapics[ai->ioapic_count++];
	io->id = e[2];
	io->address = addr;
	io->gsi_base = acpi_get32(e + 8);
}

static void madt_add_override(struct acpi_info *ai, const u8 *e,
			      struct acpi_madt_stats *st)
{
	struct acpi_override *o;

	if (e[2] != 0 || e[3] >= 16) {   /* only ISA (bus 0) IRQs 0-15 */
		st->invalid++;
		return;
	}
	if (ai->override_count == ACPI_MAX_OVERRIDES) {
		st->dropped++;
		return;
	}
	o = &ai->overrides[ai->override_count++];
	o->source = e[3];
	o->gsi = acpi_get32(e + 4);
	o->flags = acpi_get16(e + 8);
}

static void madt_add_nmi(struct acpi_info *ai, u32 uid, u16 flags, u8 lint,
			 struct acpi_madt_stats *st)
{
	struct acpi_lapic_nmi *n;

	if (lint > 1) {
		st->invalid++;
		return;
	}
	if (ai->nmi_count == ACPI_MAX_NMIS) {
		st->dropped++;
		return;
	}
	n = &ai->nmis[ai->nmi_count++];
	n->acpi_uid = uid;
	n->flags = flags;
	n->lint = lint;
}

/* One entry of at least madt_min_len(type) bytes. */
static void madt_entry(struct acpi_info *ai, const u8 *e,
		       struct acpi_madt_stats *st)
{
	u64 addr;

	switch (e[0]) {
	case MADT_LAPIC:
		if (e[3] == 0xff)       /* the broadcast id: not a CPU */
			st->invalid++;
		else
			madt_add_cpu(ai, e[3], e[2], acpi_get32(e + 4), st);
		break;
	case MADT_X2APIC:
		if (acpi_get32(e + 4) == 0xffffffff)
			st->invalid++;
		else
			madt_add_cpu(ai, acpi_get32(e + 4), acpi_get32(e + 12),
				     acpi_get32(e + 8), st);
		break;
	case MADT_IOAPIC:
		madt_add_ioapic(ai, e, st);
		break;
	case MADT_OVERRIDE:
		madt_add_override(ai, e, st);
		break;
	case MADT_LAPIC_NMI:
		madt_add_nmi(ai, e[2] == 0xff ? 0xffffffff : e[2],
			     acpi_get16(e + 3), e[5], st);
		break;
	case MADT_X2APIC_NMI:
		madt_add_nmi(ai, acpi_get32(e + 4), acpi_get16(e + 2), e[8], st);
		break;
	case MADT_LAPIC_ADDR_OVERRIDE:
		addr = acpi_get64(e + 4);
		if (addr)
			ai->lapic_address = addr;
		else
			st->invalid++;
		break;
	default:                        /* NMI sources: nothing uses them yet */
		st->unknown++;
		break;
	}
}

static unsigned int madt_enabled_cpus(const struct acpi_info *ai)
{
	unsigned int i, n = 0;

	for (i = 0; i < ai->cpu_count; i++)
		n += ai->cpus[i].enabled;
	return n;
}

int acpi_parse_madt(const void *t, u32 len, struct acpi_info *ai,
		    struct acpi_madt_stats *stats)
{
	struct acpi_madt_stats local;
	struct acpi_madt_stats *st = stats ? stats : &local;
	const u8 *p = t;
	u32 off;

	memset(st, 0, sizeof(*st));
	madt_clear(ai);
	if (len < ACPI_MADT_MIN_LEN)
		return -ACPI_ESHORT;
	ai->lapic_address = acpi_get32(p + MADT_LAPIC_ADDR);
	ai->pcat_compat = acpi_get32(p + MADT_FLAGS) & MADT_PCAT_COMPAT;
	for (off = MADT_ENTRIES; off < len; off += p[off + 1]) {
		u8 elen = len - off >= 2 ? p[off + 1] : 0;

		if (elen < 2 || elen > len - off || elen < madt_min_len(p[off])) {
			madt_clear(ai);
			return -ACPI_EENTRY;
		}
		st->entries++;
		madt_entry(ai, p + off, st);
	}
	if (!madt_enabled_cpus(ai)) {      /* not even the one running this */
		madt_clear(ai);
		return -ACPI_ENOCPU;
	}
	ai->have_madt = true;
	return 0;
}

/* ---- HPET, MCFG ---------------------------------------------------------- */

int acpi_parse_hpet(const void *t, u32 len, struct acpi_info *ai)
{
	const u8 *p = t;
	const u8 *gas = p + HPET_ADDRESS;

	ai->have_hpet = false;
	ai->hpet_address = 0;
	ai->hpet_min_tick = 0;
	if (len < ACPI_HPET_MIN_LEN)
		return -ACPI_ESHORT;
	if (gas[0] != 0 || !acpi_get64(gas + 4))    /* must be system memory */
		return -ACPI_EADDR;
	ai->hpet_address = acpi_get64(gas + 4);
	ai->hpet_min_tick = acpi_get16(p + HPET_MIN_TICK);
	ai->have_hpet = true;
	return 0;
}

int acpi_parse_mcfg(const void *t, u32 len, struct acpi_info *ai)
{
	const u8 *p = t, *e = NULL;
	u32 off;

	ai->have_mcfg = false;
	ai->mcfg_base = 0;
	ai->mcfg_segment = 0;
	ai->mcfg_bus_start = ai->mcfg_bus_end = 0;
	if (len < ACPI_MCFG_MIN_LEN)
		return -ACPI_ESHORT;
	for (off = MCFG_ENTRIES; len - off >= MCFG_ENTRY_LEN; off += MCFG_ENTRY_LEN) {
		if (!e)
			e = p + off;
		if (acpi_get16(p + off + 8) == 0) {
			e = p + off;
			break;
		}
	}
	if (!e)
		return -ACPI_EEMPTY;
	if (!acpi_get64(e) || e[10] > e[11])
		return -ACPI_EADDR;
	ai->mcfg_base = acpi_get64(e);
	ai->mcfg_segment = acpi_get16(e + 8);
	ai->mcfg_bus_start = e[10];
	ai->mcfg_bus_end = e[11];
	ai->have_mcfg = true;
	return 0;
}

/* ---- FADT ---------------------------------------------------------------- */

static void fadt_clear(struct acpi_info *ai)
{
	ai->have_fadt = false;
	ai->pm1a_cnt = ai->pm1b_cnt = 0;
	memset(&ai->reset_reg, 0, sizeof(ai->reset_reg));
	ai->reset_value = 0;
	ai->sci_irq = 0;
	ai->boot_arch_flags = 0;
	ai->fadt_revision = 0;
	ai->fadt_flags = 0;
	ai->smi_cmd = 0;
	ai->acpi_enable = 0;
	ai->dsdt_address = 0;
}

/* Does the table reach field [@off, @off + @size) and have revision @rev? */
static bool fadt_has(const u8 *p, u32 len, u32 off, u32 size, u8 rev)
{
	return len >= off + size && p[SDT_REVISION] >= rev;
}

/*
 * A PM1 control block: the X_ GAS when it is present and in I/O space
 * (ACPI 2.0+ says it wins over the 32-bit field), else the 32-bit port.
 * Ports beyond the 16-bit I/O space are not ports: 0.
 */
static u32 fadt_pm1_port(const u8 *p, u32 len, u32 legacy_off, u32 x_off)
{
	u64 port = acpi_get32(p + legacy_off);

	if (fadt_has(p, len, x_off, GAS_LEN, FADT_REV_ACPI2) &&
	    p[x_off] == 1 && acpi_get64(p + x_off + 4))
		port = acpi_get64(p + x_off + 4);
	return port <= 0xffff ? (u32)port : 0;
}

static void fadt_reset_reg(const u8 *p, u32 len, struct acpi_info *ai)
{
	const u8 *gas = p + FADT_RESET_REG;

	if (!fadt_has(p, len, FADT_RESET_VALUE, 1, 2) ||
	    !(ai->fadt_flags & FADT_RESET_REG_SUP))
		return;
	ai->reset_reg.space = gas[0];
	ai->reset_reg.bit_width = gas[1];
	ai->reset_reg.address = acpi_get64(gas + 4);
	ai->reset_value = p[FADT_RESET_VALUE];
}

int acpi_parse_fadt(const void *t, u32 len, struct acpi_info *ai)
{
	const u8 *p = t;

	fadt_clear(ai);
	if (len < ACPI_FADT_MIN_LEN)
		return -ACPI_ESHORT;
	ai->fadt_revision = p[SDT_REVISION];
	ai->fadt_flags = acpi_get32(p + FADT_FLAGS);
	ai->sci_irq = acpi_get16(p + FADT_SCI_INT);
	ai->smi_cmd = acpi_get32(p + FADT_SMI_CMD);
	ai->acpi_enable = p[FADT_ACPI_ENABLE];
	if (p[FADT_PM1_CNT_LEN] >= 2) {
		ai->pm1a_cnt = fadt_pm1_port(p, len, FADT_PM1A_CNT, FADT_X_PM1A_CNT);
		ai->pm1b_cnt = fadt_pm1_port(p, len, FADT_PM1B_CNT, FADT_X_PM1B_CNT);
	}
	if (p[SDT_REVISION] >= FADT_REV_ACPI2)
		ai->boot_arch_flags = acpi_get16(p + FADT_BOOT_ARCH);
	fadt_reset_reg(p, len, ai);
	ai->dsdt_address = acpi_get32(p + FADT_DSDT);
	if (fadt_has(p, len, FADT_X_DSDT, 8, FADT_REV_ACPI2) &&
	    acpi_get64(p + FADT_X_DSDT))
		ai->dsdt_address = acpi_get64(p + FADT_X_DSDT);
	ai->have_fadt = true;
	return 0;
}

/* ---- \_S5 in the DSDT ---------------------------------------------------- */

/*
 * One integer element at p[*off] (before @end): ZeroOp, OneOp, or a
 * Byte/Word/DWord prefix and its value. Return: 0 or -ACPI_EAML.
 */
static int aml_integer(const u8 *p, u32 *off, u32 end, u32 *val)
{
	u32 o = *off, size;

	if (o >= end)
		return -ACPI_EAML;
	switch (p[o]) {
	case AML_ZERO: *val = 0; *off = o + 1; return 0;
	case AML_ONE: *val = 1; *off = o + 1; return 0;
	case AML_BYTE: size = 1; break;
	case AML_WORD: size = 2; break;
	case AML_DWORD: size = 4; break;
	default: return -ACPI_EAML;
	}
	if (end - o - 1 < size)
		return -ACPI_EAML;
	*val = size == 1 ? p[o + 1] : size == 2 ? acpi_get16(p + o + 1)
						 : acpi_get32(p + o + 1);
	*off = o + 1 + size;
	return 0;
}

/*
 * PkgLength at p[off] (before @len): 1 to 4 bytes; bits 7-6 of the lead
 * byte count the extra bytes; with none, bits 5-0 are the length, else
 * bits 3-0 are its low nibble. The length counts itself and what follows.
 * Return: 0 with *@pkg_len and *@nbytes set, or -ACPI_EAML.
 */
static int aml_pkg_length(const u8 *p, u32 off, u32 len, u32 *pkg_len,
			  u32 *nbytes)
{
	u32 n, v, i;

	if (off >= len)
		return -ACPI_EAML;
	n = p[off] >> 6;
	if (len - off - 1 < n)
		return -ACPI_EAML;
	v = n ? p[off] & 0x0f : p[off] & 0x3f;
	for (i = 0; i < n; i++)
		v |= (u32)p[off + 1 + i] << (4 + 8 * i);
	*pkg_len = v;
	*nbytes = n + 1;
	return 0;
}

/* Package(){ SLP_TYPa, SLP_TYPb, ... } starting at p[off]. */
static int s5_package(const u8 *p, u32 off, u32 len, u16 *typ_a, u16 *typ_b)
{
	u32 pkg_len, nbytes, end, count, a, b;
	int err;

	if (off >= len || p[off] != AML_PACKAGE)
		return -ACPI_EAML;
	err = aml_pkg_length(p, off + 1, len, &pkg_len, &nbytes);
	if (err)
		return err;
	if (pkg_len < nbytes + 1 || pkg_len > len - off - 1)
		return -ACPI_EAML;
	end = off + 1 + pkg_len;
	off += 1 + nbytes;
	count = p[off++];
	if (!count || aml_integer(p, &off, end, &a))
		return -ACPI_EAML;
	if (count == 1) {       /* old style: both types packed in one integer */
		b = (a >> 8) & 0xff;
		a &= 0xff;
	} else if (aml_integer(p, &off, end, &b)) {
		return -ACPI_EAML;
	}
	if (a > SLP_TYP_MAX || b > SLP_TYP_MAX)
		return -ACPI_EAML;
	*typ_a = (u16)a;
	*typ_b = (u16)b;
	return 0;
}

/* Is "_S5_" at @i the name of a NameOp (NameOp, optional root prefix)? */
static bool s5_is_name(const u8 *p, u32 i)
{
	u32 lo = ACPI_SDT_HEADER_LEN;

	if (i >= lo + 1 && p[i - 1] == AML_NAME)
		return true;
	return i >= lo + 2 && p[i - 1] == AML_ROOT && p[i - 2] == AML_NAME;
}

int acpi_find_s5(const void *dsdt, u32 len, u16 *typ_a, u16 *typ_b)
{
	const u8 *p = dsdt;
	int err = -ACPI_ENOS5;
	u32 i;

	for (i = ACPI_SDT_HEADER_LEN; len >= 4 && i <= len - 4; i++) {
		if (p[i] != '_' || memcmp(p + i, "_S5_", 4) || !s5_is_name(p, i))
			continue;
		err = s5_package(p, i + 4, len, typ_a, typ_b);
		if (!err)
			return 0;
	}
	return err;
}
