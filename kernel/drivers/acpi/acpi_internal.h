/*
 * ACPI table parsing, private to kernel/drivers/acpi/.
 *
 * tables.c holds pure parsers over byte buffers the caller has mapped or
 * built: they read nothing outside [buf, buf + len), never fault on any
 * input, and need only <keel/string.h>, so the host unit tests compile them
 * unchanged (tests/unit/test_acpi_tables.c). acpi.c maps the firmware's
 * tables and feeds them in.
 *
 * Errors are negative ACPI_E* codes; acpi_strerror() names them for the one
 * warning line the caller prints ("acpi: MADT checksum mismatch; ...").
 * All multi-byte fields are little-endian and may be unaligned, so they are
 * read a byte at a time (acpi_get16/32/64).
 *
 * Context (every tables.c function): any; no locks, no allocation, no log.
 */
#ifndef KEEL_ACPI_INTERNAL_H
#define KEEL_ACPI_INTERNAL_H

#include <keel/acpi.h>
#include <keel/types.h>

#define ACPI_RSDP_V1_LEN    20      /* the part the first checksum covers */
#define ACPI_RSDP_V2_LEN    36
#define ACPI_SDT_HEADER_LEN 36
#define ACPI_TABLE_MAX_LEN  (1u << 20)  /* bigger tables are rejected */

/* Minimum lengths of the tables we parse (header included). */
#define ACPI_MADT_MIN_LEN   44
#define ACPI_HPET_MIN_LEN   56
#define ACPI_MCFG_MIN_LEN   44
#define ACPI_FADT_MIN_LEN   116     /* ACPI 1.0 (revision 1) */

enum acpi_error {
	ACPI_ESIG = 1,      /* wrong signature */
	ACPI_ECSUM,         /* checksum mismatch */
	ACPI_ESHORT,        /* length too small for the table */
	ACPI_ELONG,         /* length past the end of the buffer */
	ACPI_EENTRY,        /* MADT entry of length 0, too short, or past the end */
	ACPI_ENOCPU,        /* MADT lists no usable CPU */
	ACPI_EADDR,         /* an address field is 0 or in the wrong space */
	ACPI_EEMPTY,        /* no entries */
	ACPI_ENOS5,         /* the DSDT has no \_S5 object */
	ACPI_EAML,          /* \_S5 is not a package of small integers */
	ACPI_EMAP,          /* the address cannot be mapped */
	ACPI_EBIG,          /* longer than ACPI_TABLE_MAX_LEN */
};

/* Human-readable reason for a negative ACPI_E* code. */
const char *acpi_strerror(int err);

static inline u16 acpi_get16(const u8 *p)
{
	return (u16)(p[0] | p[1] << 8);
}

static inline u32 acpi_get32(const u8 *p)
{
	return (u32)p[0] | (u32)p[1] << 8 | (u32)p[2] << 16 | (u32)p[3] << 24;
}

static inline u64 acpi_get64(const u8 *p)
{
	return (u64)acpi_get32(p) | (u64)acpi_get32(p + 4) << 32;
}

/* 8-bit sum of @len bytes: 0 for a table with a valid checksum. */
u8 acpi_checksum(const void *buf, size_t len);

/* ---- RSDP ---------------------------------------------------------------- */

struct acpi_rsdp_info {
	u8 revision;
	char oem_id[7];
	u32 rsdt;           /* RSDT physical address */
	u64 xsdt;           /* XSDT physical address; 0 if absent or rejected */
	u32 length;         /* revision >= 2: the structure's length field */
	int xsdt_err;       /* why a revision >= 2 XSDT pointer was rejected */
};

/*
 * acpi_rsdp_parse - validate an RSDP in @buf (@len bytes readable).
 * Checks the signature and the 20-byte checksum; for revision >= 2 also
 * the length and the extended checksum: if those fail only the XSDT
 * pointer is dropped (xsdt = 0, xsdt_err set) and the RSDT stays usable.
 * Return: 0, -ACPI_ESHORT, -ACPI_ESIG or -ACPI_ECSUM.
 */
int acpi_rsdp_parse(const void *buf, size_t len, struct acpi_rsdp_info *out);

/* ---- system description tables ------------------------------------------- */

struct acpi_sdt_info {
	char sig[5];        /* NUL-terminated; unprintable bytes become '?' */
	u32 length;
	u8 revision;
	char oem_id[7];
	char oem_table_id[9];
};

/* The length field of a table header (@hdr has ACPI_SDT_HEADER_LEN bytes). */
u32 acpi_sdt_length(const void *hdr);
/* Decode a header for logging; @hdr has ACPI_SDT_HEADER_LEN bytes. */
void acpi_sdt_info(const void *hdr, struct acpi_sdt_info *out);

/*
 * acpi_sdt_check - validate a table in @buf, @avail bytes readable.
 * @sig: the expected 4-byte signature, or NULL for any.
 * Return: 0 when the signature matches, ACPI_SDT_HEADER_LEN <= length <=
 * @avail and the bytes over length sum to 0; else -ACPI_ESHORT, -ACPI_ESIG,
 * -ACPI_ELONG or -ACPI_ECSUM.
 */
int acpi_sdt_check(const void *buf, size_t avail, const char *sig);

/*
 * RSDT (@xsdt false, 32-bit entries) or XSDT (64-bit entries) of @len bytes,
 * already checked: the number of entries (a trailing partial one is
 * ignored) and entry @i (< count).
 */
unsigned int acpi_sdt_entry_count(u32 len, bool xsdt);
u64 acpi_sdt_entry(const void *sdt, bool xsdt, unsigned int i);

/* ---- tables -------------------------------------------------------------- */

/* What the MADT parser skipped, for the log. */
struct acpi_madt_stats {
	unsigned int entries;   /* entries walked */
	unsigned int unknown;   /* entry types we do not use */
	unsigned int disabled;  /* CPUs neither enabled nor online capable */
	unsigned int invalid;   /* known entries with unusable values */
	unsigned int dropped;   /* valid entries beyond our arrays */
};

/*
 * The parsers below take a table already accepted by acpi_sdt_check()
 * (@len is its length field) and fill their part of @ai. They check their
 * own minimum length and every entry bound again, so a wrong @len cannot
 * make them read past it. On an error their part of @ai is left cleared
 * (have_* false, counts 0).
 */

/* Entries of unknown type are skipped; one malformed entry rejects all.
 * Return: 0, -ACPI_ESHORT, -ACPI_EENTRY, or -ACPI_ENOCPU (no CPU entry is
 * enabled). @st may be NULL. */
int acpi_parse_madt(const void *t, u32 len, struct acpi_info *ai,
		    struct acpi_madt_stats *st);
/* Return: 0, -ACPI_ESHORT or -ACPI_EADDR (not in memory space, or 0). */
int acpi_parse_hpet(const void *t, u32 len, struct acpi_info *ai);
/* First allocation of segment 0 (else the first). Return: 0, -ACPI_ESHORT,
 * -ACPI_EEMPTY or -ACPI_EADDR (base 0 or bus range reversed). */
int acpi_parse_mcfg(const void *t, u32 len, struct acpi_info *ai);
/*
 * PM1 control ports, reset register, SCI, boot flags and the DSDT address.
 * Fields past @len or newer than the table's revision are left 0.
 * Return: 0 or -ACPI_ESHORT. have_s5 is untouched (see acpi_find_s5).
 */
int acpi_parse_fadt(const void *t, u32 len, struct acpi_info *ai);

/*
 * acpi_find_s5 - scan the AML of a DSDT (@len bytes, header included) for
 * Name(\_S5, Package(){ a, b, ... }) and return SLP_TYPa/b (each 0..7).
 * Return: 0, -ACPI_ENOS5 (no such Name) or -ACPI_EAML (found, malformed).
 */
int acpi_find_s5(const void *dsdt, u32 len, u16 *typ_a, u16 *typ_b);

#ifndef KEEL_HOST
/*
 * acpi_table_copy - a kmalloc'd copy of the first table with signature
 * @sig that acpi_init() accepted ("APIC", "FACP", "DSDT", ...), for tests.
 * Return: the copy (kfree it) with *@len set, or NULL.
 * Context: process context.
 */
void *acpi_table_copy(const char *sig, u32 *len);
/* Copy the RSDP acpi_init() used into @buf (ACPI_RSDP_V2_LEN bytes).
 * Return: the bytes copied (20 or 36), 0 when there was none. */
size_t acpi_rsdp_copy(u8 *buf);
#endif

#endif /* KEEL_ACPI_INTERNAL_H */
