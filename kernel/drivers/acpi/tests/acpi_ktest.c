/*
 * ktests of the ACPI tables on the running machine (QEMU q35): what
 * acpi_init() found, and the parsers against corrupted copies of the real
 * tables -- flipped bytes, wrong lengths, a MADT entry of length 0, an RSDP
 * with a bad checksum, a DSDT without \_S5. Copies that must not be read
 * past their end are placed to end exactly at a vmalloc guard page, so an
 * overread faults instead of passing quietly.
 *
 * The suite skips when the machine has no ACPI (e.g. -no-acpi).
 */
#include <keel/acpi.h>
#include <keel/arch.h>
#include <keel/errno.h>
#include <keel/ktest.h>
#include <keel/mm.h>
#include <keel/slab.h>
#include <keel/string.h>
#include <keel/vm.h>
#ifdef __x86_64__
#include <asm/cpu.h>    /* CPUID: the firmware's APIC ids against the CPU's */
#endif

#include "../acpi_internal.h"

#define SDT_CHECKSUM 9

/* Recompute a table's checksum after a deliberate edit. */
static void fix_checksum(u8 *t, u32 len)
{
	t[SDT_CHECKSUM] = 0;
	t[SDT_CHECKSUM] = (u8)-acpi_checksum(t, len);
}

static void set_length(u8 *t, u32 len)
{
	t[4] = (u8)len;
	t[5] = (u8)(len >> 8);
	t[6] = (u8)(len >> 16);
	t[7] = (u8)(len >> 24);
}

/*
 * guard_copy - the first @len bytes of @src in a vmalloc buffer, ending
 * where the guard page begins. Return: the copy (free *@base), or NULL.
 */
static u8 *guard_copy(const void *src, u32 len, void **base)
{
	u64 size = ALIGN_UP((u64)(len ? len : 1), PAGE_SIZE);
	u8 *b = vmalloc(size);

	*base = b;
	if (!b)
		return NULL;
	memcpy(b + size - len, src, len);
	return b + size - len;
}

/* A scratch acpi_info: too big for a kernel stack. */
static struct acpi_info *scratch_info(void)
{
	return kzalloc(sizeof(struct acpi_info), GFP_KERNEL);
}

static int acpi_suite_init(void)
{
	return acpi.present ? 0 : -1;   /* nothing to test without ACPI */
}

/* ---- what the firmware gave us ---------------------------------------- */

static void test_rsdp_found(struct ktest *t)
{
	struct acpi_rsdp_info r;
	u8 buf[ACPI_RSDP_V2_LEN];
	size_t n = acpi_rsdp_copy(buf);

	KTEST_ASSERT_TRUE(t, n >= ACPI_RSDP_V1_LEN);
	KTEST_EXPECT_EQ(t, acpi_rsdp_parse(buf, n, &r), 0);
	KTEST_EXPECT_TRUE(t, r.rsdt || r.xsdt);
	KTEST_EXPECT_EQ(t, r.revision, acpi.revision);
}

#ifdef __x86_64__
/* The running CPU's APIC id: x2APIC id (leaf 0xB) or initial APIC id. */
static u32 cpu_apic_id(void)
{
	u32 a, b, c, d;

	cpuid(0, &a, &b, &c, &d);
	if (a >= 0xb) {
		cpuid_count(0xb, 0, &a, &b, &c, &d);
		if (b)          /* leaf 0xB is implemented */
			return d;
	}
	cpuid(1, &a, &b, &c, &d);
	return b >> 24;
}
#endif

static void test_madt_lists_this_cpu(struct ktest *t)
{
	unsigned int i;
	bool found = false;

	KTEST_ASSERT_TRUE(t, acpi.have_madt);
	KTEST_ASSERT_TRUE(t, acpi.cpu_count >= 1);
	KTEST_EXPECT_NE(t, acpi.lapic_address, 0);
#ifdef __x86_64__
	for (i = 0; i < acpi.cpu_count; i++)
		if (acpi.cpus[i].apic_id == cpu_apic_id() && acpi.cpus[i].enabled)
			found = true;
	KTEST_EXPECT_TRUE(t, found);
#else
	(void)i;
	(void)found;
#endif
}

static void test_madt_ioapic(struct ktest *t)
{
	KTEST_ASSERT_TRUE(t, acpi.ioapic_count >= 1);
	KTEST_EXPECT_NE(t, acpi.ioapics[0].address, 0);
	KTEST_EXPECT_EQ(t, acpi.ioapics[0].gsi_base, 0);
	KTEST_EXPECT_TRUE(t, acpi.override_count >= 1);
}

static void test_hpet_found(struct ktest *t)
{
	KTEST_EXPECT_TRUE(t, acpi.have_hpet);
	KTEST_EXPECT_NE(t, acpi.hpet_address, 0);
}

static void test_mcfg_found(struct ktest *t)
{
	KTEST_ASSERT_TRUE(t, acpi.have_mcfg);
	KTEST_EXPECT_NE(t, acpi.mcfg_base, 0);
	KTEST_EXPECT_EQ(t, acpi.mcfg_segment, 0);
	KTEST_EXPECT_LE(t, acpi.mcfg_bus_start, acpi.mcfg_bus_end);
}

static void test_fadt_power(struct ktest *t)
{
	KTEST_ASSERT_TRUE(t, acpi.have_fadt);
	KTEST_EXPECT_NE(t, acpi.pm1a_cnt, 0);
	KTEST_EXPECT_TRUE(t, acpi.have_s5);
	KTEST_EXPECT_LE(t, acpi.slp_typ_s5a, 7);
	KTEST_EXPECT_NE(t, acpi.dsdt_address, 0);
	KTEST_EXPECT_NE(t, acpi.sci_irq, 0);
}

/* ---- corrupted copies of the real tables ------------------------------- */

static void test_madt_copy_parses(struct ktest *t)
{
	struct acpi_info *ai = scratch_info();
	u32 len = 0;
	u8 *m = acpi_table_copy("APIC", &len);

	KTEST_ASSERT_NOT_NULL(t, m);
	KTEST_EXPECT_NOT_NULL(t, ai);
	if (ai) {
		KTEST_EXPECT_EQ(t, acpi_sdt_check(m, len, "APIC"), 0);
		KTEST_EXPECT_EQ(t, acpi_parse_madt(m, len, ai, NULL), 0);
		KTEST_EXPECT_EQ(t, ai->cpu_count, acpi.cpu_count);
		KTEST_EXPECT_EQ(t, ai->ioapic_count, acpi.ioapic_count);
	}
	kfree(ai);
	kfree(m);
}

/* Any single flipped byte breaks the checksum. */
static void flip_each_byte(struct ktest *t, const char *sig)
{
	u32 len = 0, i, step;
	u8 *c = acpi_table_copy(sig, &len);

	KTEST_ASSERT_NOT_NULL(t, c);
	step = len > 256 ? len / 97 : 1;
	for (i = 0; i < len; i += step) {
		if (i >= 4 && i < 8)
			continue;       /* the length: test_madt_bad_lengths */
		c[i] ^= 0x40;
		KTEST_EXPECT_EQ(t, acpi_sdt_check(c, len, NULL), -ACPI_ECSUM);
		c[i] ^= 0x40;
	}
	KTEST_EXPECT_EQ(t, acpi_sdt_check(c, len, sig), 0);
	KTEST_EXPECT_EQ(t, acpi_sdt_check(c, len, "XXXX"), -ACPI_ESIG);
	kfree(c);
}

static void test_madt_flipped_byte_rejected(struct ktest *t)
{
	flip_each_byte(t, "APIC");
}

static void test_fadt_flipped_byte_rejected(struct ktest *t)
{
	flip_each_byte(t, "FACP");
}

/* Length fields that lie, in both directions, with a valid checksum. */
static void test_madt_bad_lengths(struct ktest *t)
{
	struct acpi_info *ai = scratch_info();
	u32 len = 0;
	u8 *m = acpi_table_copy("APIC", &len);

	KTEST_ASSERT_NOT_NULL(t, m);
	KTEST_ASSERT_NOT_NULL(t, ai);
	set_length(m, len + 1);
	KTEST_EXPECT_EQ(t, acpi_sdt_check(m, len, "APIC"), -ACPI_ELONG);
	set_length(m, 20);
	KTEST_EXPECT_EQ(t, acpi_sdt_check(m, len, "APIC"), -ACPI_ESHORT);
	set_length(m, 40);      /* a header, but no room for the MADT fields */
	fix_checksum(m, 40);
	KTEST_EXPECT_EQ(t, acpi_sdt_check(m, len, "APIC"), 0);
	KTEST_EXPECT_EQ(t, acpi_parse_madt(m, 40, ai, NULL), -ACPI_ESHORT);
	KTEST_EXPECT_FALSE(t, ai->have_madt);
	KTEST_EXPECT_EQ(t, acpi_sdt_check(m, 30, "APIC"), -ACPI_ESHORT);
	kfree(ai);
	kfree(m);
}

static void test_madt_zero_length_entry(struct ktest *t)
{
	struct acpi_info *ai = scratch_info();
	u32 len = 0;
	u8 *m = acpi_table_copy("APIC", &len);

	KTEST_ASSERT_NOT_NULL(t, m);
	KTEST_ASSERT_NOT_NULL(t, ai);
	KTEST_ASSERT_TRUE(t, len > ACPI_MADT_MIN_LEN + 2);
	m[ACPI_MADT_MIN_LEN + 1] = 0;
	fix_checksum(m, len);
	KTEST_EXPECT_EQ(t, acpi_sdt_check(m, len, "APIC"), 0);
	KTEST_EXPECT_EQ(t, acpi_parse_madt(m, len, ai, NULL), -ACPI_EENTRY);
	KTEST_EXPECT_FALSE(t, ai->have_madt);
	KTEST_EXPECT_EQ(t, ai->cpu_count, 0);
	m[ACPI_MADT_MIN_LEN + 1] = 0xff;   /* runs past the end */
	fix_checksum(m, len);
	KTEST_EXPECT_EQ(t, acpi_parse_madt(m, len, ai, NULL), -ACPI_EENTRY);
	KTEST_EXPECT_EQ(t, ai->cpu_count, 0);
	kfree(ai);
	kfree(m);
}

/* Every prefix of the real MADT and FADT, ending at a guard page. */
static void test_truncated_tables_never_overread(struct ktest *t)
{
	struct acpi_info *ai = scratch_info();
	u32 mlen = 0, flen = 0, n;
	u8 *m = acpi_table_copy("APIC", &mlen);
	u8 *f = acpi_table_copy("FACP", &flen);
	void *base;
	u8 *g;

	KTEST_ASSERT_NOT_NULL(t, ai);
	KTEST_EXPECT_NOT_NULL(t, m);
	KTEST_EXPECT_NOT_NULL(t, f);
	for (n = 0; m && n <= mlen; n++) {
		g = guard_copy(m, n, &base);
		if (!g)
			break;
		KTEST_EXPECT_EQ(t, acpi_sdt_check(g, n, "APIC"),
				n < ACPI_SDT_HEADER_LEN ? -ACPI_ESHORT :
				n < mlen ? -ACPI_ELONG : 0);
		if (n >= ACPI_SDT_HEADER_LEN)   /* the parser alone, on n bytes */
			acpi_parse_madt(g, n, ai, NULL);
		vfree(base);
	}
	for (n = ACPI_SDT_HEADER_LEN; f && n <= flen; n++) {
		g = guard_copy(f, n, &base);
		if (!g)
			break;
		KTEST_EXPECT_EQ(t, acpi_parse_fadt(g, n, ai),
				n < ACPI_FADT_MIN_LEN ? -ACPI_ESHORT : 0);
		vfree(base);
	}
	kfree(ai);
	kfree(m);
	kfree(f);
}

static void test_rsdp_bad_checksum(struct ktest *t)
{
	struct acpi_rsdp_info r;
	u8 buf[ACPI_RSDP_V2_LEN];
	size_t n = acpi_rsdp_copy(buf);

	KTEST_ASSERT_TRUE(t, n >= ACPI_RSDP_V1_LEN);
	buf[9] ^= 1;            /* OEM id */
	KTEST_EXPECT_EQ(t, acpi_rsdp_parse(buf, n, &r), -ACPI_ECSUM);
	buf[9] ^= 1;
	buf[0] = 'X';
	KTEST_EXPECT_EQ(t, acpi_rsdp_parse(buf, n, &r), -ACPI_ESIG);
	buf[0] = 'R';
	KTEST_EXPECT_EQ(t, acpi_rsdp_parse(buf, 19, &r), -ACPI_ESHORT);
	KTEST_EXPECT_EQ(t, acpi_rsdp_parse(buf, n, &r), 0);
}

static void test_dsdt_s5_found_in_copy(struct ktest *t)
{
	u16 a = 0xffff, b = 0xffff;
	u32 len = 0;
	u8 *d = acpi_table_copy("DSDT", &len);

	KTEST_ASSERT_NOT_NULL(t, d);
	KTEST_EXPECT_EQ(t, acpi_sdt_check(d, len, "DSDT"), 0);
	KTEST_EXPECT_EQ(t, acpi_find_s5(d, len, &a, &b), 0);
	KTEST_EXPECT_EQ(t, a, acpi.slp_typ_s5a);
	KTEST_EXPECT_EQ(t, b, acpi.slp_typ_s5b);
	kfree(d);
}

/* The real DSDT with \_S5 renamed to \_S6: no S5, and no crash. */
static void test_dsdt_without_s5(struct ktest *t)
{
	u32 len = 0, i, renamed = 0;
	u8 *d = acpi_table_copy("DSDT", &len);
	void *base;
	u8 *g, v;
	u16 a, b;

	KTEST_ASSERT_NOT_NULL(t, d);
	for (i = ACPI_SDT_HEADER_LEN; i + 4 <= len; i++) {
		if (!memcmp(d + i, "_S5_", 4)) {
			d[i + 2] = '6';
			renamed++;
		}
	}
	KTEST_EXPECT_GE(t, renamed, 1);
	g = guard_copy(d, len, &base);
	KTEST_ASSERT_NOT_NULL(t, g);
	/* The premise of every guard_copy: the next byte faults. */
	KTEST_EXPECT_EQ(t, arch_probe_read_u8(g + len, &v), -EFAULT);
	KTEST_EXPECT_EQ(t, acpi_find_s5(g, len, &a, &b), -ACPI_ENOS5);
	vfree(base);
	kfree(d);
}

/* The DSDT cut at every point up to just past \_S5's package. */
static void test_dsdt_truncated_at_s5(struct ktest *t)
{
	u32 len = 0, i, pos = 0, n;
	u8 *d = acpi_table_copy("DSDT", &len);
	void *base;
	u8 *g;
	u16 a, b;

	KTEST_ASSERT_NOT_NULL(t, d);
	for (i = ACPI_SDT_HEADER_LEN; i + 4 <= len && !pos; i++)
		if (!memcmp(d + i, "_S5_", 4) && d[i - 1] == 0x08)
			pos = i;
	KTEST_ASSERT_NE(t, pos, 0);
	for (n = pos; n <= pos + 8 && n <= len; n++) {
		int err;

		g = guard_copy(d, n, &base);
		if (!g)
			break;
		err = acpi_find_s5(g, n, &a, &b);
		KTEST_EXPECT_TRUE(t, err == -ACPI_ENOS5 || err == -ACPI_EAML);
		vfree(base);
	}
	kfree(d);
}

static struct ktest_case acpi_cases[] = {
	KTEST_CASE(test_rsdp_found),
	KTEST_CASE(test_madt_lists_this_cpu),
	KTEST_CASE(test_madt_ioapic),
	KTEST_CASE(test_hpet_found),
	KTEST_CASE(test_mcfg_found),
	KTEST_CASE(test_fadt_power),
	KTEST_CASE(test_madt_copy_parses),
	KTEST_CASE(test_madt_flipped_byte_rejected),
	KTEST_CASE(test_fadt_flipped_byte_rejected),
	KTEST_CASE(test_madt_bad_lengths),
	KTEST_CASE(test_madt_zero_length_entry),
	KTEST_CASE(test_truncated_tables_never_overread),
	KTEST_CASE(test_rsdp_bad_checksum),
	KTEST_CASE(test_dsdt_s5_found_in_copy),
	KTEST_CASE(test_dsdt_without_s5),
	KTEST_CASE(test_dsdt_truncated_at_s5),
	{}
};
KTEST_SUITE_FULL(acpi, acpi_cases, acpi_suite_init, NULL);
