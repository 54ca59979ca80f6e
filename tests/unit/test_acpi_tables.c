/*
 * Host tests of the ACPI table parsers (kernel/drivers/acpi/tables.c) on
 * tables built here: RSDP v1/v2, RSDT/XSDT, a MADT with every entry type,
 * HPET, MCFG, FADT revisions 1 and 6, and DSDT snippets encoding \_S5 in
 * the ways firmware does -- then every corruption: checksums, lengths too
 * small and too big, entries that overflow, unknown types, truncation at
 * every byte and random bytes. Truncated inputs live in heap buffers of
 * exactly their size, so AddressSanitizer catches any read past the end.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <keel/string.h>

#include "../../kernel/drivers/acpi/acpi_internal.h"

/* ---- building tables ------------------------------------------------------ */

struct tbl {
	u8 b[8192];
	u32 len;
};

static struct acpi_info ai;
static struct tbl t;

static void put8(struct tbl *x, u8 v)
{
	assert_true(x->len < sizeof(x->b));
	x->b[x->len++] = v;
}

static void put16(struct tbl *x, u16 v)
{
	put8(x, (u8)v);
	put8(x, (u8)(v >> 8));
}

static void put32(struct tbl *x, u32 v)
{
	put16(x, (u16)v);
	put16(x, (u16)(v >> 16));
}

static void put64(struct tbl *x, u64 v)
{
	put32(x, (u32)v);
	put32(x, (u32)(v >> 32));
}

static void putn(struct tbl *x, const void *p, u32 n)
{
	const u8 *s = p;

	while (n--)
		put8(x, *s++);
}

static void set32(struct tbl *x, u32 off, u32 v)
{
	x->b[off] = (u8)v;
	x->b[off + 1] = (u8)(v >> 8);
	x->b[off + 2] = (u8)(v >> 16);
	x->b[off + 3] = (u8)(v >> 24);
}

static void gas(struct tbl *x, u8 space, u8 width, u64 addr)
{
	put8(x, space);
	put8(x, width);
	put8(x, 0);
	put8(x, 1);
	put64(x, addr);
}

static void sdt_begin(struct tbl *x, const char *sig, u8 rev)
{
	memset(x, 0, sizeof(*x));
	putn(x, sig, 4);
	put32(x, 0);            /* length, set by sdt_end */
	put8(x, rev);
	put8(x, 0);             /* checksum */
	putn(x, "KEELOE", 6);
	putn(x, "KEELTEST", 8);
	put32(x, 1);
	putn(x, "HOST", 4);
	put32(x, 1);
}

/* Set the length field to what was built, then the checksum. */
static void fix(struct tbl *x)
{
	set32(x, 4, x->len);
	x->b[9] = 0;
	x->b[9] = (u8)-acpi_checksum(x->b, x->len);
}

/* A heap copy of exactly @n bytes: ASan flags any read past it. */
static u8 *exact(const void *src, size_t n)
{
	u8 *p = malloc(n ? n : 1);

	assert_non_null(p);
	memcpy(p, src, n);
	return p;
}

static int setup(void **state)
{
	memset(&ai, 0xa5, sizeof(ai));     /* parsers must set what they own */
	memset(&t, 0, sizeof(t));
	return 0;
}

/* ---- RSDP ----------------------------------------------------------------- */

static void rsdp(struct tbl *x, u8 rev, u32 rsdt, u64 xsdt)
{
	memset(x, 0, sizeof(*x));
	putn(x, "RSD PTR ", 8);
	put8(x, 0);
	putn(x, "KEELOE", 6);
	put8(x, rev);
	put32(x, rsdt);
	x->b[8] = (u8)-acpi_checksum(x->b, 20);
	if (rev < 2)
		return;
	put32(x, 36);
	put64(x, xsdt);
	put8(x, 0);
	put8(x, 0);
	put8(x, 0);
	put8(x, 0);
	x->b[32] = (u8)-acpi_checksum(x->b, 36);
}

static void test_rsdp_v1(void **state)
{
	struct acpi_rsdp_info r;

	rsdp(&t, 0, 0x7fe1234, 0);
	assert_int_equal(acpi_rsdp_parse(t.b, 20, &r), 0);
	assert_int_equal(r.revision, 0);
	assert_int_equal(r.rsdt, 0x7fe1234);
	assert_int_equal(r.xsdt, 0);
	assert_int_equal(r.xsdt_err, 0);
	assert_string_equal(r.oem_id, "KEELOE");
}

static void test_rsdp_v2(void **state)
{
	struct acpi_rsdp_info r;

	rsdp(&t, 2, 0x7fe1234, 0x123456789abcULL);
	assert_int_equal(acpi_rsdp_parse(t.b, 36, &r), 0);
	assert_int_equal(r.revision, 2);
	assert_int_equal(r.rsdt, 0x7fe1234);
	assert_int_equal(r.xsdt, 0x123456789abcULL);
	assert_int_equal(r.length, 36);
}

static void test_rsdp_corrupt(void **state)
{
	struct acpi_rsdp_info r;

	rsdp(&t, 0, 0x1000, 0);
	assert_int_equal(acpi_rsdp_parse(t.b, 19, &r), -ACPI_ESHORT);
	t.b[12] ^= 1;
	assert_int_equal(acpi_rsdp_parse(t.b, 20, &r), -ACPI_ECSUM);
	t.b[12] ^= 1;
	t.b[3] = 'X';
	assert_int_equal(acpi_rsdp_parse(t.b, 20, &r), -ACPI_ESIG);
}

/* A bad extended part costs the XSDT pointer only; the RSDT stays. */
static void test_rsdp_v2_extended_part_rejected(void **state)
{
	struct acpi_rsdp_info r;

	rsdp(&t, 2, 0x1000, 0x2000);
	t.b[30] ^= 0x10;                        /* XSDT address: ext. checksum */
	assert_int_equal(acpi_rsdp_parse(t.b, 36, &r), 0);
	assert_int_equal(r.rsdt, 0x1000);
	assert_int_equal(r.xsdt, 0);
	assert_int_equal(r.xsdt_err, -ACPI_ECSUM);

	rsdp(&t, 2, 0x1000, 0x2000);
	assert_int_equal(acpi_rsdp_parse(t.b, 20, &r), 0);   /* only v1 given */
	assert_int_equal(r.xsdt_err, -ACPI_ESHORT);

	rsdp(&t, 2, 0x1000, 0x2000);
	set32(&t, 20, 24);                      /* length below 36 */
	t.b[8] = 0;
	t.b[8] = (u8)-acpi_checksum(t.b, 20);
	assert_int_equal(acpi_rsdp_parse(t.b, 36, &r), 0);
	assert_int_equal(r.xsdt_err, -ACPI_ESHORT);

	set32(&t, 20, 4096);                    /* longer than the buffer */
	t.b[8] = 0;
	t.b[8] = (u8)-acpi_checksum(t.b, 20);
	assert_int_equal(acpi_rsdp_parse(t.b, 36, &r), 0);
	assert_int_equal(r.xsdt_err, -ACPI_ELONG);
	assert_int_equal(r.xsdt, 0);
}

static void test_rsdp_every_prefix(void **state)
{
	struct acpi_rsdp_info r;
	size_t n;

	rsdp(&t, 2, 0x1000, 0x2000);
	for (n = 0; n <= 36; n++) {
		u8 *p = exact(t.b, n);
		int err = acpi_rsdp_parse(p, n, &r);

		assert_int_equal(err, n < 20 ? -ACPI_ESHORT : 0);
		if (!err)
			assert_int_equal(r.xsdt, n == 36 ? 0x2000 : 0);
		free(p);
	}
}

/* ---- SDT header, RSDT, XSDT ---------------------------------------------- */

static void test_sdt_check(void **state)
{
	sdt_begin(&t, "TEST", 1);
	put32(&t, 0xdeadbeef);
	fix(&t);
	assert_int_equal(acpi_sdt_check(t.b, t.len, "TEST"), 0);
	assert_int_equal(acpi_sdt_check(t.b, t.len, NULL), 0);
	assert_int_equal(acpi_sdt_check(t.b, t.len + 100, NULL), 0);
	assert_int_equal(acpi_sdt_check(t.b, t.len, "APIC"), -ACPI_ESIG);
	assert_int_equal(acpi_sdt_check(t.b, t.len - 1, NULL), -ACPI_ELONG);
	assert_int_equal(acpi_sdt_check(t.b, 35, NULL), -ACPI_ESHORT);
	t.b[37] ^= 0x80;
	assert_int_equal(acpi_sdt_check(t.b, t.len, NULL), -ACPI_ECSUM);
	t.b[37] ^= 0x80;
	set32(&t, 4, 35);               /* length below a header */
	assert_int_equal(acpi_sdt_check(t.b, t.len, NULL), -ACPI_ESHORT);
	set32(&t, 4, 0xffffffff);
	assert_int_equal(acpi_sdt_check(t.b, t.len, NULL), -ACPI_ELONG);
}

static void test_sdt_info_sanitizes(void **state)
{
	struct acpi_sdt_info h;

	sdt_begin(&t, "A\001C\377", 7);
	fix(&t);
	acpi_sdt_info(t.b, &h);
	assert_string_equal(h.sig, "A?C?");
	assert_int_equal(h.length, 36);
	assert_int_equal(h.revision, 7);
	assert_string_equal(h.oem_id, "KEELOE");
	assert_string_equal(h.oem_table_id, "KEELTEST");
}

static void test_rsdt_xsdt_entries(void **state)
{
	sdt_begin(&t, "RSDT", 1);
	put32(&t, 0x1000);
	put32(&t, 0x2000);
	put8(&t, 0x55);                 /* a partial entry: ignored */
	fix(&t);
	assert_int_equal(acpi_sdt_entry_count(t.len, false), 2);
	assert_int_equal(acpi_sdt_entry(t.b, false, 0), 0x1000);
	assert_int_equal(acpi_sdt_entry(t.b, false, 1), 0x2000);

	sdt_begin(&t, "XSDT", 1);       /* 64-bit entries at offset 36: unaligned */
	put64(&t, 0x100000000ULL);
	put64(&t, 0xfffffffff000ULL);
	put8(&t, 1);
	put8(&t, 2);
	fix(&t);
	assert_int_equal(acpi_sdt_entry_count(t.len, true), 2);
	assert_int_equal(acpi_sdt_entry(t.b, true, 0), 0x100000000ULL);
	assert_int_equal(acpi_sdt_entry(t.b, true, 1), 0xfffffffff000ULL);
	assert_int_equal(acpi_sdt_entry_count(36, true), 0);
	assert_int_equal(acpi_sdt_entry_count(20, false), 0);
}

/* ---- MADT ------------------------------------------------------------------ */

static void madt_begin(struct tbl *x, u32 lapic, u32 flags)
{
	sdt_begin(x, "APIC", 4);
	put32(x, lapic);
	put32(x, flags);
}

static void e_lapic(struct tbl *x, u8 uid, u8 id, u32 flags)
{
	put8(x, 0); put8(x, 8); put8(x, uid); put8(x, id); put32(x, flags);
}

static void e_x2apic(struct tbl *x, u32 id, u32 flags, u32 uid)
{
	put8(x, 9); put8(x, 16); put16(x, 0); put32(x, id); put32(x, flags);
	put32(x, uid);
}

static void e_ioapic(struct tbl *x, u8 id, u32 addr, u32 gsi)
{
	put8(x, 1); put8(x, 12); put8(x, id); put8(x, 0); put32(x, addr);
	put32(x, gsi);
}

static void e_override(struct tbl *x, u8 bus, u8 src, u32 gsi, u16 flags)
{
	put8(x, 2); put8(x, 10); put8(x, bus); put8(x, src); put32(x, gsi);
	put16(x, flags);
}

static void e_lapic_nmi(struct tbl *x, u8 uid, u16 flags, u8 lint)
{
	put8(x, 4); put8(x, 6); put8(x, uid); put16(x, flags); put8(x, lint);
}

static void e_x2apic_nmi(struct tbl *x, u16 flags, u32 uid, u8 lint)
{
	put8(x, 0xa); put8(x, 12); put16(x, flags); put32(x, uid); put8(x, lint);
	put8(x, 0); put8(x, 0); put8(x, 0);
}

/* One of everything, plus entries that must be skipped. */
static void build_full_madt(struct tbl *x)
{
	madt_begin(x, 0xfee00000, 1);
	e_lapic(x, 0, 0, 1);                    /* enabled */
	e_lapic(x, 1, 1, 2);                    /* online capable only */
	e_lapic(x, 2, 2, 0);                    /* disabled: skipped */
	e_lapic(x, 3, 0xff, 1);                 /* broadcast id: invalid */
	e_lapic(x, 4, 0, 1);                    /* duplicate id: invalid */
	e_x2apic(x, 300, 1, 5);
	e_x2apic(x, 0xffffffff, 1, 6);          /* invalid id */
	e_ioapic(x, 2, 0xfec00000, 0);
	e_ioapic(x, 3, 0xfec01000, 24);
	e_ioapic(x, 4, 0, 48);                  /* address 0: invalid */
	e_override(x, 0, 0, 2, 0);
	e_override(x, 0, 9, 9, 0xd);
	e_override(x, 1, 5, 5, 0);              /* not ISA: invalid */
	put8(x, 3); put8(x, 8); put16(x, 5); put32(x, 7);   /* NMI source */
	e_lapic_nmi(x, 0xff, 5, 1);
	e_lapic_nmi(x, 0, 0, 2);                /* LINT2: invalid */
	e_x2apic_nmi(x, 0xd, 300, 0);
	put8(x, 5); put8(x, 12); put16(x, 0); put64(x, 0xfee00000000ULL);
	put8(x, 0x7f); put8(x, 5); put8(x, 1); put8(x, 2); put8(x, 3); /* unknown */
	put8(x, 0x10); put8(x, 2);              /* unknown, minimal length */
	fix(x);
}

static void test_madt_all_types(void **state)
{
	struct acpi_madt_stats st;

	build_full_madt(&t);
	assert_int_equal(acpi_sdt_check(t.b, t.len, "APIC"), 0);
	assert_int_equal(acpi_parse_madt(t.b, t.len, &ai, &st), 0);
	assert_true(ai.have_madt);
	assert_true(ai.pcat_compat);
	assert_int_equal(ai.lapic_address, 0xfee00000000ULL);
	assert_int_equal(ai.cpu_count, 3);
	assert_int_equal(ai.cpus[0].apic_id, 0);
	assert_true(ai.cpus[0].enabled);
	assert_int_equal(ai.cpus[1].apic_id, 1);
	assert_int_equal(ai.cpus[1].acpi_uid, 1);
	assert_false(ai.cpus[1].enabled);
	assert_int_equal(ai.cpus[2].apic_id, 300);
	assert_int_equal(ai.cpus[2].acpi_uid, 5);
	assert_true(ai.cpus[2].enabled);
	assert_int_equal(ai.ioapic_count, 2);
	assert_int_equal(ai.ioapics[1].id, 3);
	assert_int_equal(ai.ioapics[1].address, 0xfec01000);
	assert_int_equal(ai.ioapics[1].gsi_base, 24);
	assert_int_equal(ai.override_count, 2);
	assert_int_equal(ai.overrides[0].source, 0);
	assert_int_equal(ai.overrides[0].gsi, 2);
	assert_int_equal(ai.overrides[1].source, 9);
	assert_int_equal(ai.overrides[1].flags, 0xd);
	assert_int_equal(ai.nmi_count, 2);
	assert_int_equal(ai.nmis[0].acpi_uid, 0xffffffff);
	assert_int_equal(ai.nmis[0].lint, 1);
	assert_int_equal(ai.nmis[0].flags, 5);
	assert_int_equal(ai.nmis[1].acpi_uid, 300);
	assert_int_equal(ai.nmis[1].lint, 0);
	assert_int_equal(ai.nmis[1].flags, 0xd);
	assert_int_equal(st.entries, 20);
	assert_int_equal(st.unknown, 3);
	assert_int_equal(st.disabled, 1);
	assert_int_equal(st.invalid, 6);
	assert_int_equal(st.dropped, 0);
}

static void assert_madt_cleared(void)
{
	assert_false(ai.have_madt);
	assert_int_equal(ai.cpu_count, 0);
	assert_int_equal(ai.ioapic_count, 0);
	assert_int_equal(ai.override_count, 0);
	assert_int_equal(ai.nmi_count, 0);
}

static void test_madt_zero_length_entry(void **state)
{
	madt_begin(&t, 0xfee00000, 0);
	e_lapic(&t, 0, 0, 1);
	put8(&t, 1); put8(&t, 0);               /* length 0: would loop forever */
	put32(&t, 0); put32(&t, 0); put16(&t, 0);
	fix(&t);
	assert_int_equal(acpi_parse_madt(t.b, t.len, &ai, NULL), -ACPI_EENTRY);
	assert_madt_cleared();
}

static void test_madt_entry_overflows(void **state)
{
	madt_begin(&t, 0xfee00000, 0);
	e_lapic(&t, 0, 0, 1);
	e_lapic(&t, 1, 1, 1);
	t.b[t.len - 7] = 9;                     /* last entry claims 9 bytes */
	fix(&t);
	assert_int_equal(acpi_parse_madt(t.b, t.len, &ai, NULL), -ACPI_EENTRY);
	assert_madt_cleared();

	madt_begin(&t, 0xfee00000, 0);          /* a lone trailing byte */
	e_lapic(&t, 0, 0, 1);
	put8(&t, 0);
	fix(&t);
	assert_int_equal(acpi_parse_madt(t.b, t.len, &ai, NULL), -ACPI_EENTRY);

	madt_begin(&t, 0xfee00000, 0);          /* length 1 */
	e_lapic(&t, 0, 0, 1);
	put8(&t, 0x42); put8(&t, 1);
	fix(&t);
	assert_int_equal(acpi_parse_madt(t.b, t.len, &ai, NULL), -ACPI_EENTRY);
}

/* An entry shorter than its type needs is malformed, not partly read. */
static void test_madt_entry_too_short_for_type(void **state)
{
	static const u8 types[] = { 0, 1, 2, 3, 4, 5, 9, 0xa };
	static const u8 need[] = { 8, 12, 10, 8, 6, 12, 16, 12 };
	unsigned int i;

	for (i = 0; i < sizeof(types); i++) {
		madt_begin(&t, 0xfee00000, 0);
		e_lapic(&t, 0, 0, 1);
		put8(&t, types[i]);
		put8(&t, need[i] - 1);
		while (t.len < 52u + need[i] - 1)
			put8(&t, 0);
		fix(&t);
		assert_int_equal(acpi_parse_madt(t.b, t.len, &ai, NULL), -ACPI_EENTRY);
	}
	madt_begin(&t, 0xfee00000, 0);          /* longer than needed: fine */
	put8(&t, 0); put8(&t, 10); put8(&t, 0); put8(&t, 7); put32(&t, 1);
	put16(&t, 0xffff);
	fix(&t);
	assert_int_equal(acpi_parse_madt(t.b, t.len, &ai, NULL), 0);
	assert_int_equal(ai.cpus[0].apic_id, 7);
}

static void test_madt_no_cpu(void **state)
{
	madt_begin(&t, 0xfee00000, 0);
	e_ioapic(&t, 0, 0xfec00000, 0);
	e_lapic(&t, 0, 0, 0);                   /* disabled */
	fix(&t);
	assert_int_equal(acpi_parse_madt(t.b, t.len, &ai, NULL), -ACPI_ENOCPU);
	assert_madt_cleared();
	madt_begin(&t, 0xfee00000, 0);          /* online capable only */
	e_lapic(&t, 0, 0, 2);
	e_x2apic(&t, 1, 2, 1);
	fix(&t);
	assert_int_equal(acpi_parse_madt(t.b, t.len, &ai, NULL), -ACPI_ENOCPU);
	assert_madt_cleared();
	madt_begin(&t, 0xfee00000, 0);          /* no entries at all */
	fix(&t);
	assert_int_equal(acpi_parse_madt(t.b, t.len, &ai, NULL), -ACPI_ENOCPU);
}

static void test_madt_short(void **state)
{
	madt_begin(&t, 0xfee00000, 0);
	fix(&t);
	assert_int_equal(acpi_parse_madt(t.b, 43, &ai, NULL), -ACPI_ESHORT);
	assert_int_equal(acpi_parse_madt(t.b, 0, &ai, NULL), -ACPI_ESHORT);
	assert_madt_cleared();
}

static void test_madt_limits(void **state)
{
	struct acpi_madt_stats st;
	u32 i;

	madt_begin(&t, 0xfee00000, 0);
	for (i = 0; i < ACPI_MAX_CPUS + 20; i++)
		e_x2apic(&t, i, 1, i);
	for (i = 0; i < ACPI_MAX_IOAPICS + 2; i++)
		e_ioapic(&t, (u8)i, 0xfec00000 + i * 0x1000, i * 24);
	for (i = 0; i < ACPI_MAX_OVERRIDES + 3; i++)
		e_override(&t, 0, (u8)(i % 16), i, 0);
	for (i = 0; i < ACPI_MAX_NMIS + 4; i++)
		e_lapic_nmi(&t, (u8)i, 0, 1);
	fix(&t);
	assert_int_equal(acpi_parse_madt(t.b, t.len, &ai, &st), 0);
	assert_int_equal(ai.cpu_count, ACPI_MAX_CPUS);
	assert_int_equal(ai.cpus[ACPI_MAX_CPUS - 1].apic_id, ACPI_MAX_CPUS - 1);
	assert_int_equal(ai.ioapic_count, ACPI_MAX_IOAPICS);
	assert_int_equal(ai.override_count, ACPI_MAX_OVERRIDES);
	assert_int_equal(ai.nmi_count, ACPI_MAX_NMIS);
	assert_int_equal(st.dropped, 20 + 2 + 3 + 4);
}

/* Every prefix of the full MADT: errors or success, never an overread. */
static void test_madt_every_prefix(void **state)
{
	struct tbl full;
	u32 n;

	build_full_madt(&full);
	for (n = 0; n <= full.len; n++) {
		u8 *p = exact(full.b, n);
		int err = acpi_parse_madt(p, n, &ai, NULL);

		if (n < 44)
			assert_int_equal(err, -ACPI_ESHORT);
		else
			assert_true(err == 0 || err == -ACPI_EENTRY ||
				    err == -ACPI_ENOCPU);
		assert_int_equal(acpi_sdt_check(p, n, "APIC"),
				 n < 36 ? -ACPI_ESHORT : n < full.len ? -ACPI_ELONG : 0);
		free(p);
	}
}

/* Random entry bytes: any result is fine as long as nothing is overread. */
static void test_madt_random_bytes(void **state)
{
	unsigned int seed = 12345, round, i;

	for (round = 0; round < 2000; round++) {
		u32 n = 44 + rand_r(&seed) % 200;
		u8 *p;

		madt_begin(&t, 0xfee00000, 0);
		for (i = 44; i < n; i++)
			put8(&t, (u8)rand_r(&seed));
		if (round % 2)          /* plausible lengths half the time */
			for (i = 44; i + 1 < n; i += t.b[i + 1])
				t.b[i + 1] = (u8)(2 + t.b[i + 1] % 16);
		p = exact(t.b, n);
		acpi_parse_madt(p, n, &ai, NULL);
		assert_true(ai.cpu_count <= ACPI_MAX_CPUS);
		free(p);
	}
}

/* ---- HPET, MCFG ------------------------------------------------------------ */

static void hpet(struct tbl *x, u8 space, u64 addr)
{
	sdt_begin(x, "HPET", 1);
	put32(x, 0x8086a201);
	gas(x, space, 64, addr);
	put8(x, 0);
	put16(x, 128);
	put8(x, 0);
	fix(x);
}

static void test_hpet(void **state)
{
	hpet(&t, 0, 0xfed00000);
	assert_int_equal(t.len, ACPI_HPET_MIN_LEN);
	assert_int_equal(acpi_parse_hpet(t.b, t.len, &ai), 0);
	assert_true(ai.have_hpet);
	assert_int_equal(ai.hpet_address, 0xfed00000);
	assert_int_equal(ai.hpet_min_tick, 128);

	assert_int_equal(acpi_parse_hpet(t.b, t.len - 1, &ai), -ACPI_ESHORT);
	assert_false(ai.have_hpet);
	hpet(&t, 1, 0xfed00000);                /* I/O space */
	assert_int_equal(acpi_parse_hpet(t.b, t.len, &ai), -ACPI_EADDR);
	hpet(&t, 0, 0);
	assert_int_equal(acpi_parse_hpet(t.b, t.len, &ai), -ACPI_EADDR);
	assert_false(ai.have_hpet);
	assert_int_equal(ai.hpet_address, 0);
}

static void mcfg_begin(struct tbl *x)
{
	sdt_begin(x, "MCFG", 1);
	put64(x, 0);
}

static void mcfg_entry(struct tbl *x, u64 base, u16 seg, u8 start, u8 end)
{
	put64(x, base);
	put16(x, seg);
	put8(x, start);
	put8(x, end);
	put32(x, 0);
}

static void test_mcfg(void **state)
{
	mcfg_begin(&t);
	mcfg_entry(&t, 0xb0000000, 0, 0, 255);
	fix(&t);
	assert_int_equal(acpi_parse_mcfg(t.b, t.len, &ai), 0);
	assert_true(ai.have_mcfg);
	assert_int_equal(ai.mcfg_base, 0xb0000000);
	assert_int_equal(ai.mcfg_segment, 0);
	assert_int_equal(ai.mcfg_bus_start, 0);
	assert_int_equal(ai.mcfg_bus_end, 255);

	mcfg_begin(&t);                         /* segment 0 wins */
	mcfg_entry(&t, 0x400000000ULL, 1, 0, 63);
	mcfg_entry(&t, 0xe0000000, 0, 16, 31);
	put32(&t, 0xffffffff);                  /* partial entry: ignored */
	fix(&t);
	assert_int_equal(acpi_parse_mcfg(t.b, t.len, &ai), 0);
	assert_int_equal(ai.mcfg_base, 0xe0000000);
	assert_int_equal(ai.mcfg_bus_start, 16);
	assert_int_equal(ai.mcfg_bus_end, 31);

	mcfg_begin(&t);                         /* no segment 0: the first */
	mcfg_entry(&t, 0x400000000ULL, 2, 0, 63);
	fix(&t);
	assert_int_equal(acpi_parse_mcfg(t.b, t.len, &ai), 0);
	assert_int_equal(ai.mcfg_segment, 2);
}

static void test_mcfg_bad(void **state)
{
	mcfg_begin(&t);
	fix(&t);
	assert_int_equal(acpi_parse_mcfg(t.b, t.len, &ai), -ACPI_EEMPTY);
	assert_int_equal(acpi_parse_mcfg(t.b, 43, &ai), -ACPI_ESHORT);
	mcfg_begin(&t);
	mcfg_entry(&t, 0, 0, 0, 255);
	fix(&t);
	assert_int_equal(acpi_parse_mcfg(t.b, t.len, &ai), -ACPI_EADDR);
	mcfg_begin(&t);
	mcfg_entry(&t, 0xb0000000, 0, 9, 8);
	fix(&t);
	assert_int_equal(acpi_parse_mcfg(t.b, t.len, &ai), -ACPI_EADDR);
	assert_false(ai.have_mcfg);
	mcfg_begin(&t);
	mcfg_entry(&t, 0xb0000000, 0, 0, 255);
	fix(&t);
	assert_int_equal(acpi_parse_mcfg(t.b, t.len - 1, &ai), -ACPI_EEMPTY);
}

/* ---- FADT ------------------------------------------------------------------ */

struct fadt_opts {
	u8 rev;
	u32 len;                /* truncate the built table to this */
	u32 flags;
	u8 pm1_cnt_len;
	u8 x_pm1_space;
	u64 x_pm1a;
};

/* A FADT of revision o->rev: 116 bytes for 1, 276 otherwise. */
static void fadt(struct tbl *x, const struct fadt_opts *o)
{
	unsigned int i;

	sdt_begin(x, "FACP", o->rev);
	put32(x, 0x1000);               /* FIRMWARE_CTRL */
	put32(x, 0x7fe0040);            /* DSDT */
	put8(x, 0);
	put8(x, 0);
	put16(x, 9);                    /* SCI */
	put32(x, 0xb2);                 /* SMI_CMD */
	put8(x, 0xf1);                  /* ACPI_ENABLE */
	put8(x, 0xf0);
	put8(x, 0);
	put8(x, 0);
	put32(x, 0x600);                /* PM1a_EVT */
	put32(x, 0);
	put32(x, 0x604);                /* PM1a_CNT */
	put32(x, 0x704);                /* PM1b_CNT */
	for (i = 0; i < 4; i++)
		put32(x, 0);            /* PM2, PM_TMR, GPE0, GPE1 */
	put8(x, 4);
	put8(x, o->pm1_cnt_len);
	while (x->len < 109)
		put8(x, 0);
	put16(x, 0x3);                  /* IAPC_BOOT_ARCH */
	put8(x, 0);
	put32(x, o->flags);
	if (o->rev == 1)
		goto done;
	gas(x, 1, 8, 0xcf9);            /* RESET_REG */
	put8(x, 6);
	put16(x, 0);
	put8(x, 0);
	put64(x, 0);                    /* X_FIRMWARE_CTRL */
	put64(x, 0x1234567890ULL);      /* X_DSDT */
	gas(x, 1, 32, 0x600);           /* X_PM1a_EVT */
	gas(x, 0, 0, 0);
	gas(x, o->x_pm1_space, 16, o->x_pm1a);
	gas(x, 0, 0, 0);                /* X_PM1b_CNT: absent */
	while (x->len < 276)
		put8(x, 0);
done:
	if (o->len)
		x->len = o->len;
	fix(x);
}

static void test_fadt_rev1(void **state)
{
	struct fadt_opts o = { .rev = 1, .flags = 1u << 10, .pm1_cnt_len = 2 };

	fadt(&t, &o);
	assert_int_equal(t.len, ACPI_FADT_MIN_LEN);
	assert_int_equal(acpi_parse_fadt(t.b, t.len, &ai), 0);
	assert_true(ai.have_fadt);
	assert_int_equal(ai.fadt_revision, 1);
	assert_int_equal(ai.pm1a_cnt, 0x604);
	assert_int_equal(ai.pm1b_cnt, 0x704);
	assert_int_equal(ai.sci_irq, 9);
	assert_int_equal(ai.smi_cmd, 0xb2);
	assert_int_equal(ai.acpi_enable, 0xf1);
	assert_int_equal(ai.dsdt_address, 0x7fe0040);
	assert_int_equal(ai.boot_arch_flags, 0);        /* not in ACPI 1.0 */
	assert_int_equal(ai.reset_reg.address, 0);      /* not in the table */
}

static void test_fadt_rev6(void **state)
{
	struct fadt_opts o = { .rev = 6, .flags = 1u << 10, .pm1_cnt_len = 2,
			       .x_pm1_space = 1, .x_pm1a = 0x1804 };

	fadt(&t, &o);
	assert_int_equal(acpi_sdt_check(t.b, t.len, "FACP"), 0);
	assert_int_equal(acpi_parse_fadt(t.b, t.len, &ai), 0);
	assert_int_equal(ai.fadt_revision, 6);
	assert_int_equal(ai.pm1a_cnt, 0x1804);          /* X_ wins */
	assert_int_equal(ai.pm1b_cnt, 0x704);           /* X_ absent */
	assert_int_equal(ai.reset_reg.space, 1);
	assert_int_equal(ai.reset_reg.bit_width, 8);
	assert_int_equal(ai.reset_reg.address, 0xcf9);
	assert_int_equal(ai.reset_value, 6);
	assert_int_equal(ai.boot_arch_flags, 3);
	assert_int_equal(ai.dsdt_address, 0x1234567890ULL);
	assert_int_equal(ai.fadt_flags, 1u << 10);
}

static void test_fadt_no_reset_flag(void **state)
{
	struct fadt_opts o = { .rev = 6, .pm1_cnt_len = 2 };

	fadt(&t, &o);
	assert_int_equal(acpi_parse_fadt(t.b, t.len, &ai), 0);
	assert_int_equal(ai.reset_reg.address, 0);
	assert_int_equal(ai.reset_value, 0);
	assert_int_equal(ai.pm1a_cnt, 0x604);           /* no X_ given */
}

static void test_fadt_x_pm1_unusable(void **state)
{
	struct fadt_opts o = { .rev = 5, .pm1_cnt_len = 2, .x_pm1_space = 0,
			       .x_pm1a = 0xfe000000 };

	fadt(&t, &o);                   /* memory space: the 32-bit port stays */
	assert_int_equal(acpi_parse_fadt(t.b, t.len, &ai), 0);
	assert_int_equal(ai.pm1a_cnt, 0x604);
	o.x_pm1_space = 1;
	o.x_pm1a = 0x10000;             /* beyond the I/O space */
	fadt(&t, &o);
	assert_int_equal(acpi_parse_fadt(t.b, t.len, &ai), 0);
	assert_int_equal(ai.pm1a_cnt, 0);
	o.x_pm1a = 0x1804;
	o.pm1_cnt_len = 1;              /* a PM1 control block must be 2 bytes */
	fadt(&t, &o);
	assert_int_equal(acpi_parse_fadt(t.b, t.len, &ai), 0);
	assert_int_equal(ai.pm1a_cnt, 0);
	assert_int_equal(ai.pm1b_cnt, 0);
}

/* A revision 3 table that stops early: only the fields it holds. */
static void test_fadt_truncated(void **state)
{
	struct fadt_opts o = { .rev = 3, .len = 132, .flags = 1u << 10,
			       .pm1_cnt_len = 2, .x_pm1_space = 1,
			       .x_pm1a = 0x1804 };
	u32 n;

	fadt(&t, &o);
	assert_int_equal(acpi_parse_fadt(t.b, t.len, &ai), 0);
	assert_int_equal(ai.reset_reg.address, 0xcf9);  /* reset fits in 132 */
	assert_int_equal(ai.dsdt_address, 0x7fe0040);   /* X_DSDT does not */
	assert_int_equal(ai.pm1a_cnt, 0x604);
	assert_int_equal(acpi_parse_fadt(t.b, 115, &ai), -ACPI_ESHORT);
	assert_false(ai.have_fadt);
	assert_int_equal(ai.pm1a_cnt, 0);

	o.len = 0;
	o.rev = 6;
	fadt(&t, &o);
	for (n = 0; n <= t.len; n++) {
		u8 *p = exact(t.b, n);

		assert_int_equal(acpi_parse_fadt(p, n, &ai),
				 n < ACPI_FADT_MIN_LEN ? -ACPI_ESHORT : 0);
		free(p);
	}
}

/* ---- \_S5 ------------------------------------------------------------------ */

/* A DSDT whose AML is @aml (@n bytes), after some unrelated AML. */
static void dsdt(struct tbl *x, const u8 *aml, u32 n)
{
	static const u8 before[] = {
		0x10, 0x0b, '\\', '_', 'S', 'B', '_',       /* Scope(\_SB) */
		0x08, 'F', 'O', 'O', '_', 0x0a, 0x05,       /*   Name(FOO, 5) */
		0x0d, '_', 'S', '5', '_', 0x00,             /* String "_S5_" */
	};

	sdt_begin(x, "DSDT", 2);
	putn(x, before, sizeof(before));
	putn(x, aml, n);
	put8(x, 0x5b);                                  /* trailing AML */
	put8(x, 0x80);
	fix(x);
}

static int s5(const u8 *aml, u32 n, u16 *a, u16 *b)
{
	*a = *b = 0xeeee;
	dsdt(&t, aml, n);
	return acpi_find_s5(t.b, t.len, a, b);
}

#define S5(...) ((const u8[]){ __VA_ARGS__ }), sizeof((const u8[]){ __VA_ARGS__ })

static void test_s5_encodings(void **state)
{
	u16 a, b;

	/* QEMU: Name (_S5, Package (0x04) { Zero, Zero, Zero, Zero }) */
	assert_int_equal(s5(S5(0x08, '_', 'S', '5', '_', 0x12, 0x06, 0x04,
			       0x00, 0x00, 0x00, 0x00), &a, &b), 0);
	assert_int_equal(a, 0);
	assert_int_equal(b, 0);
	/* Name (\_S5, Package () { 0x05, 0x05 }) */
	assert_int_equal(s5(S5(0x08, '\\', '_', 'S', '5', '_', 0x12, 0x06, 0x02,
			       0x0a, 0x05, 0x0a, 0x05), &a, &b), 0);
	assert_int_equal(a, 5);
	assert_int_equal(b, 5);
	/* OneOp, and a WordPrefix for b */
	assert_int_equal(s5(S5(0x08, '_', 'S', '5', '_', 0x12, 0x06, 0x02,
			       0x01, 0x0b, 0x07, 0x00), &a, &b), 0);
	assert_int_equal(a, 1);
	assert_int_equal(b, 7);
	/* DWordPrefix, and a two-byte PkgLength */
	assert_int_equal(s5(S5(0x08, '_', 'S', '5', '_', 0x12, 0x4c, 0x00, 0x04,
			       0x0c, 0x06, 0x00, 0x00, 0x00, 0x0a, 0x02, 0x00,
			       0x00), &a, &b), 0);
	assert_int_equal(a, 6);
	assert_int_equal(b, 2);
	/* One element holding both types: a in bits 0-7, b in bits 8-15 */
	assert_int_equal(s5(S5(0x08, '_', 'S', '5', '_', 0x12, 0x05, 0x01,
			       0x0b, 0x05, 0x03), &a, &b), 0);
	assert_int_equal(a, 5);
	assert_int_equal(b, 3);
}

static void test_s5_absent(void **state)
{
	u16 a, b;

	/* only the string "_S5_" before, and _S4_ */
	assert_int_equal(s5(S5(0x08, '_', 'S', '4', '_', 0x12, 0x04, 0x02,
			       0x00, 0x00), &a, &b), -ACPI_ENOS5);
	assert_int_equal(a, 0xeeee);
	/* "_S5_" used, not named: a method call */
	assert_int_equal(s5(S5(0x70, '_', 'S', '5', '_', 0x60), &a, &b),
			 -ACPI_ENOS5);
	/* "_S5_" in the header's OEM table id is not AML */
	sdt_begin(&t, "DSDT", 2);
	memcpy(t.b + 16, "\010_S5_\022\004\002", 8);
	fix(&t);
	assert_int_equal(acpi_find_s5(t.b, t.len, &a, &b), -ACPI_ENOS5);
	assert_int_equal(acpi_find_s5(t.b, 3, &a, &b), -ACPI_ENOS5);
	assert_int_equal(acpi_find_s5(t.b, 0, &a, &b), -ACPI_ENOS5);
}

static void test_s5_malformed(void **state)
{
	u16 a, b;

	/* not a package */
	assert_int_equal(s5(S5(0x08, '_', 'S', '5', '_', 0x0a, 0x05), &a, &b),
			 -ACPI_EAML);
	/* a value above 7 */
	assert_int_equal(s5(S5(0x08, '_', 'S', '5', '_', 0x12, 0x06, 0x02,
			       0x0a, 0x08, 0x00), &a, &b), -ACPI_EAML);
	/* no elements */
	assert_int_equal(s5(S5(0x08, '_', 'S', '5', '_', 0x12, 0x02, 0x00),
			    &a, &b), -ACPI_EAML);
	/* OnesOp is not a sleep type */
	assert_int_equal(s5(S5(0x08, '_', 'S', '5', '_', 0x12, 0x04, 0x02,
			       0xff, 0x00), &a, &b), -ACPI_EAML);
	/* PkgLength runs past the table */
	assert_int_equal(s5(S5(0x08, '_', 'S', '5', '_', 0x12, 0x3f, 0x02,
			       0x00, 0x00), &a, &b), -ACPI_EAML);
	/* PkgLength too small for its own NumElements */
	assert_int_equal(s5(S5(0x08, '_', 'S', '5', '_', 0x12, 0x01, 0x02,
			       0x00, 0x00), &a, &b), -ACPI_EAML);
	/* the package ends after one element though it claims two */
	assert_int_equal(s5(S5(0x08, '_', 'S', '5', '_', 0x12, 0x03, 0x02,
			       0x00, 0x00), &a, &b), -ACPI_EAML);
	/* a BytePrefix cut off by the package's end */
	assert_int_equal(s5(S5(0x08, '_', 'S', '5', '_', 0x12, 0x04, 0x02,
			       0x00, 0x0a, 0x05), &a, &b), -ACPI_EAML);
	assert_int_equal(a, 0xeeee);
}

/* A bad first match does not hide a good one later. */
static void test_s5_second_match(void **state)
{
	u16 a, b;

	assert_int_equal(s5(S5(0x08, '_', 'S', '5', '_', 0x0a, 0x05,
			       0x08, '_', 'S', '5', '_', 0x12, 0x04, 0x02,
			       0x01, 0x01), &a, &b), 0);
	assert_int_equal(a, 1);
	assert_int_equal(b, 1);
}

/* The DSDT cut at every byte: errors until the package is whole. */
static void test_s5_every_prefix(void **state)
{
	static const u8 aml[] = { 0x08, '\\', '_', 'S', '5', '_', 0x12, 0x40,
				  0x01, 0x02, 0x0c, 0x05, 0, 0, 0, 0x0b, 0x05,
				  0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 };
	u32 n, pkg_end;
	u16 a, b;

	dsdt(&t, aml, sizeof(aml));
	pkg_end = t.len - 2 - sizeof(aml) + 7 + 0x10;
	for (n = 0; n <= t.len; n++) {
		u8 *p = exact(t.b, n);
		int err = acpi_find_s5(p, n, &a, &b);

		if (n >= pkg_end) {
			assert_int_equal(err, 0);
			assert_int_equal(a, 5);
			assert_int_equal(b, 5);
		} else {
			assert_true(err == -ACPI_ENOS5 || err == -ACPI_EAML);
		}
		free(p);
	}
}

static void test_s5_random_bytes(void **state)
{
	unsigned int seed = 777, round, i;
	u16 a, b;

	for (round = 0; round < 3000; round++) {
		u32 n = 36 + rand_r(&seed) % 64;
		u8 *p;

		sdt_begin(&t, "DSDT", 2);
		while (t.len < n)
			put8(&t, (u8)rand_r(&seed));
		i = 36 + rand_r(&seed) % (n - 36 + 1);
		if (i + 5 <= n)         /* a NameOp _S5_ somewhere, then junk */
			memcpy(t.b + i, "\010_S5_", 5);
		p = exact(t.b, n);
		if (!acpi_find_s5(p, n, &a, &b))
			assert_true(a <= 7 && b <= 7);
		free(p);
	}
}

static void test_strerror(void **state)
{
	int e;

	for (e = ACPI_ESIG; e <= ACPI_EBIG; e++)
		assert_string_not_equal(acpi_strerror(-e), "unknown error");
	assert_string_equal(acpi_strerror(-ACPI_ECSUM), "checksum mismatch");
	assert_string_equal(acpi_strerror(0), "unknown error");
	assert_string_equal(acpi_strerror(-999), "unknown error");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_rsdp_v1, setup),
		cmocka_unit_test_setup(test_rsdp_v2, setup),
		cmocka_unit_test_setup(test_rsdp_corrupt, setup),
		cmocka_unit_test_setup(test_rsdp_v2_extended_part_rejected, setup),
		cmocka_unit_test_setup(test_rsdp_every_prefix, setup),
		cmocka_unit_test_setup(test_sdt_check, setup),
		cmocka_unit_test_setup(test_sdt_info_sanitizes, setup),
		cmocka_unit_test_setup(test_rsdt_xsdt_entries, setup),
		cmocka_unit_test_setup(test_madt_all_types, setup),
		cmocka_unit_test_setup(test_madt_zero_length_entry, setup),
		cmocka_unit_test_setup(test_madt_entry_overflows, setup),
		cmocka_unit_test_setup(test_madt_entry_too_short_for_type, setup),
		cmocka_unit_test_setup(test_madt_no_cpu, setup),
		cmocka_unit_test_setup(test_madt_short, setup),
		cmocka_unit_test_setup(test_madt_limits, setup),
		cmocka_unit_test_setup(test_madt_every_prefix, setup),
		cmocka_unit_test_setup(test_madt_random_bytes, setup),
		cmocka_unit_test_setup(test_hpet, setup),
		cmocka_unit_test_setup(test_mcfg, setup),
		cmocka_unit_test_setup(test_mcfg_bad, setup),
		cmocka_unit_test_setup(test_fadt_rev1, setup),
		cmocka_unit_test_setup(test_fadt_rev6, setup),
		cmocka_unit_test_setup(test_fadt_no_reset_flag, setup),
		cmocka_unit_test_setup(test_fadt_x_pm1_unusable, setup),
		cmocka_unit_test_setup(test_fadt_truncated, setup),
		cmocka_unit_test_setup(test_s5_encodings, setup),
		cmocka_unit_test_setup(test_s5_absent, setup),
		cmocka_unit_test_setup(test_s5_malformed, setup),
		cmocka_unit_test_setup(test_s5_second_match, setup),
		cmocka_unit_test_setup(test_s5_every_prefix, setup),
		cmocka_unit_test_setup(test_s5_random_bytes, setup),
		cmocka_unit_test_setup(test_strerror, setup),
	};

	return cmocka_run_group_tests_name("acpi_tables", tests, NULL, NULL);
}
