/*
 * ACPI glue: find the RSDP, map the firmware's tables, hand them to the
 * parsers in tables.c, and fill struct acpi_info; power off and reset
 * through the FADT.
 *
 * Interface: acpi_init() once at boot after mm_init() (ioremap needs the
 * allocators); acpi_poweroff(), acpi_reboot() and acpi_boot_end() after it.
 *
 * Every table is untrusted. Each is mapped header first (its length is then
 * bounded by ACPI_TABLE_MAX_LEN and the CPU's physical address width) and
 * then whole, checked (signature, length, checksum), parsed, and unmapped:
 * nothing keeps pointers into firmware memory. A problem with one table
 * costs that table only, with one warning naming it and the fallback.
 *
 * Locking: acpi_init() runs on the boot CPU before any other CPU starts;
 * afterwards `acpi` and the table list are read-only.
 */
#define pr_fmt(fmt) "acpi: " fmt

#include <keel/acpi.h>
#include <keel/arch.h>
#include <keel/boot.h>
#include <keel/errno.h>
#include <keel/mm.h>
#include <keel/panic.h>
#include <keel/param.h>
#include <keel/printk.h>
#include <keel/slab.h>
#include <keel/sprintf.h>
#include <keel/string.h>
#include <keel/vm.h>

#include "acpi_internal.h"

struct acpi_info acpi;

/* Most firmware lists 10-30 tables; a longer root table is read this far. */
#define ACPI_MAX_ROOT_ENTRIES 128

/* Tables with a valid checksum, in XSDT order (the first of a kind wins). [I] */
#define ACPI_MAX_TABLES (ACPI_MAX_ROOT_ENTRIES + 1)   /* + the DSDT */
struct acpi_table_ref {
	char sig[5];
	paddr_t pa;
	u32 len;
};
static struct acpi_table_ref acpi_tables[ACPI_MAX_TABLES];
static unsigned int acpi_table_count;

static u8 rsdp_bytes[ACPI_RSDP_V2_LEN];
static size_t rsdp_len;
static bool madt_listed;    /* the root table pointed at a MADT */

/* BIOS areas the spec says to search for the RSDP, on 16-byte boundaries. */
#define BDA_EBDA_SEGMENT 0x40e
#define EBDA_SEARCH_LEN  1024
#define BIOS_AREA_START  0xe0000
#define BIOS_AREA_END    0x100000

#define NO_ACPI_FALLBACK "using one CPU, the legacy PIC and the PIT"

/*
 * acpi_test_corrupt=SIG[,SIG...]: tests only. Each named table is checked
 * as a copy with one byte flipped, so the checksum check rejects it and the
 * boot takes the same fallback path as with broken firmware.
 */
static char acpi_test_corrupt[64];
KPARAM_STRING(acpi_test_corrupt, acpi_test_corrupt,
	      "tests: treat these ACPI tables (APIC,FACP,...) as corrupted");

static bool corrupt_wanted(const char *sig)
{
	const char *p = acpi_test_corrupt;

	while (*p) {
		size_t n = strcspn(p, ",");

		if (n == 4 && !memcmp(p, sig, 4))
			return true;
		p += n + (p[n] == ',');
	}
	return false;
}

/* Check a copy of @t with a byte flipped: what a corrupted table gives. */
static int check_corrupted(const u8 *t, u32 len, const char *sig)
{
	u8 *copy = kmalloc(len, GFP_KERNEL);
	int err;

	if (!copy)
		return -ACPI_EMAP;
	memcpy(copy, t, len);
	copy[len / 2] ^= 0x5a;
	err = acpi_sdt_check(copy, len, sig);
	kfree(copy);
	return err;
}

/* The name the spec uses for a table with signature @sig. */
static const char *table_name(const char *sig)
{
	if (!memcmp(sig, "APIC", 4))
		return "MADT";
	if (!memcmp(sig, "FACP", 4))
		return "FADT";
	return sig;
}

/* Can [@pa, @pa + @size) be mapped at all? Firmware addresses are checked. */
static bool phys_range_ok(paddr_t pa, u64 size)
{
	unsigned int bits = arch_phys_addr_bits();

	if (!pa || pa + size < pa)
		return false;
	return bits >= 64 || pa + size <= (1ULL << bits);
}

static const u8 *map_phys(paddr_t pa, u64 size)
{
	if (!phys_range_ok(pa, size))
		return NULL;
	return ioremap(pa, size, VM_KERNEL_RO);
}

/*
 * acpi_map_table - map and check the table at @pa.
 * @sig: the signature it must have, or NULL for any.
 * @name: set to its signature as soon as the header is readable (else to
 *        @sig or "table").
 * Return: the mapping (iounmap it) with *@len set, or NULL with *@err.
 */
static const u8 *acpi_map_table(paddr_t pa, const char *sig, u32 *len,
				int *err, char name[5])
{
	struct acpi_sdt_info h;
	const u8 *t;

	strlcpy(name, sig ? sig : "table", 5);
	t = map_phys(pa, ACPI_SDT_HEADER_LEN);
	if (!t) {
		*err = -ACPI_EMAP;
		return NULL;
	}
	acpi_sdt_info(t, &h);
	iounmap(t);
	memcpy(name, h.sig, 5);
	*err = h.length > ACPI_TABLE_MAX_LEN ? -ACPI_EBIG :
	       h.length < ACPI_SDT_HEADER_LEN ? -ACPI_ESHORT : 0;
	if (*err)
		return NULL;
	t = map_phys(pa, h.length);
	if (!t) {
		*err = -ACPI_EMAP;
		return NULL;
	}
	/* The length is read again from the full mapping and checked. */
	*err = acpi_sdt_check(t, h.length, sig);
	if (!*err && corrupt_wanted(name))
		*err = check_corrupted(t, h.length, sig);
	if (*err) {
		iounmap(t);
		return NULL;
	}
	*len = h.length;
	return t;
}

static void acpi_dump(const char *what, paddr_t pa, const void *hdr)
{
	struct acpi_sdt_info h;

	acpi_sdt_info(hdr, &h);
	pr_debug("table %-4s at %#llx, length %u, revision %u, OEM '%s' '%s'\n",
		 what, pa, h.length, h.revision, h.oem_id, h.oem_table_id);
}

static void acpi_remember(const char *sig, paddr_t pa, u32 len)
{
	struct acpi_table_ref *r;

	if (acpi_table_count == ACPI_MAX_TABLES)
		return;
	r = &acpi_tables[acpi_table_count++];
	memcpy(r->sig, sig, 4);
	r->sig[4] = '\0';
	r->pa = pa;
	r->len = len;
}

/* ---- finding the RSDP ------------------------------------------------------ */

static void rsdp_save(const u8 *p, size_t avail, const struct acpi_rsdp_info *r)
{
	rsdp_len = MIN(avail, r->revision >= 2 ? (size_t)ACPI_RSDP_V2_LEN
					       : (size_t)ACPI_RSDP_V1_LEN);
	memcpy(rsdp_bytes, p, rsdp_len);
}

/* The RSDP at physical @pa (from the boot protocol). Return: 0 or error. */
static int rsdp_at(paddr_t pa, struct acpi_rsdp_info *r)
{
	const u8 *p = map_phys(pa, ACPI_RSDP_V2_LEN);
	int err;

	if (!p)
		return -ACPI_EMAP;
	err = acpi_rsdp_parse(p, ACPI_RSDP_V2_LEN, r);
	if (!err)
		rsdp_save(p, ACPI_RSDP_V2_LEN, r);
	iounmap(p);
	/* A longer (future) RSDP: its extended checksum covers all of it. */
	if (!err && r->xsdt_err == -ACPI_ELONG && r->length <= PAGE_SIZE) {
		p = map_phys(pa, r->length);
		if (p) {
			err = acpi_rsdp_parse(p, r->length, r);
			iounmap(p);
		}
	}
	return err;
}

/* Search [@start, @end) of the direct-mapped first MiB. */
static bool rsdp_scan(paddr_t start, paddr_t end, struct acpi_rsdp_info *r,
		      paddr_t *found)
{
	paddr_t pa;

	for (pa = ALIGN_UP(start, 16); pa + ACPI_RSDP_V1_LEN <= end; pa += 16) {
		const u8 *p = phys_to_virt(pa);

		if (memcmp(p, "RSD PTR ", 8) || acpi_rsdp_parse(p, end - pa, r))
			continue;
		rsdp_save(p, end - pa, r);
		*found = pa;
		return true;
	}
	return false;
}

static bool rsdp_scan_bios(struct acpi_rsdp_info *r, paddr_t *found)
{
	const u8 *bda = phys_to_virt(BDA_EBDA_SEGMENT);
	paddr_t ebda = (paddr_t)acpi_get16(bda) << 4;

	if (ebda >= 0x80000 && ebda < 0xa0000 &&
	    rsdp_scan(ebda, ebda + EBDA_SEARCH_LEN, r, found))
		return true;
	return rsdp_scan(BIOS_AREA_START, BIOS_AREA_END, r, found);
}

/* boot_info's pointer, its copy, then the BIOS areas. Return: found? */
static bool acpi_find_rsdp(const struct boot_info *bi, struct acpi_rsdp_info *r)
{
	paddr_t pa = 0;
	int err;

	if (bi->acpi_rsdp) {
		err = rsdp_at(bi->acpi_rsdp, r);
		if (!err) {
			pa = bi->acpi_rsdp;
			goto found;
		}
		pr_warn("RSDP at %#llx from the boot loader: %s; searching the BIOS area\n",
			bi->acpi_rsdp, acpi_strerror(err));
	}
	if (bi->acpi_rsdp_copy_len) {
		err = acpi_rsdp_parse(bi->acpi_rsdp_copy, bi->acpi_rsdp_copy_len, r);
		if (!err) {
			rsdp_save(bi->acpi_rsdp_copy, bi->acpi_rsdp_copy_len, r);
			goto found;
		}
		pr_warn("RSDP copy from the boot loader: %s; searching the BIOS area\n",
			acpi_strerror(err));
	}
	if (!rsdp_scan_bios(r, &pa))
		return false;
found:
	if (pa)
		pr_debug("RSDP at %#llx, revision %u, OEM '%s', RSDT %#x, XSDT %#llx\n",
			 pa, r->revision, r->oem_id, r->rsdt, r->xsdt);
	else
		pr_debug("RSDP from the boot loader's copy, revision %u, OEM '%s', RSDT %#x, XSDT %#llx\n",
			 r->revision, r->oem_id, r->rsdt, r->xsdt);
	return true;
}

/* ---- the tables ------------------------------------------------------------ */

static void madt_report(const struct acpi_madt_stats *st)
{
	pr_info("MADT: %u CPU%s, %u IOAPIC%s at %#llx, %u override%s, %u NMI%s, LAPIC at %#llx%s\n",
		acpi.cpu_count, acpi.cpu_count == 1 ? "" : "s",
		acpi.ioapic_count, acpi.ioapic_count == 1 ? "" : "s",
		acpi.ioapic_count ? acpi.ioapics[0].address : 0,
		acpi.override_count, acpi.override_count == 1 ? "" : "s",
		acpi.nmi_count, acpi.nmi_count == 1 ? "" : "s",
		acpi.lapic_address, acpi.pcat_compat ? ", 8259 PIC present" : "");
	if (st->dropped)
		pr_warn("MADT: %u entries beyond Keel's limits ignored (at most %u CPUs, %u IOAPICs, %u overrides, %u NMIs)\n",
			st->dropped, ACPI_MAX_CPUS, ACPI_MAX_IOAPICS,
			ACPI_MAX_OVERRIDES, ACPI_MAX_NMIS);
	if (st->invalid)
		pr_warn("MADT: %u entries with invalid values ignored\n",
			st->invalid);
	pr_debug("MADT: %u entries, %u of unused types, %u disabled CPUs\n",
		 st->entries, st->unknown, st->disabled);
}

static int load_madt(const u8 *t, u32 len)
{
	struct acpi_madt_stats st;
	int err = acpi_parse_madt(t, len, &acpi, &st);

	if (!err)
		madt_report(&st);
	return err;
}

static int load_hpet(const u8 *t, u32 len)
{
	int err = acpi_parse_hpet(t, len, &acpi);

	if (!err)
		pr_info("HPET at %#llx, minimum tick %u\n", acpi.hpet_address,
			acpi.hpet_min_tick);
	return err;
}

static int load_mcfg(const u8 *t, u32 len)
{
	int err = acpi_parse_mcfg(t, len, &acpi);

	if (!err)
		pr_info("MCFG: ECAM at %#llx, segment %u, buses %u-%u\n",
			acpi.mcfg_base, acpi.mcfg_segment, acpi.mcfg_bus_start,
			acpi.mcfg_bus_end);
	return err;
}

/* \_S5 in one definition block (DSDT or SSDT) at @pa, if not known yet. */
static void s5_scan(const char *sig, paddr_t pa)
{
	char name[5];
	const u8 *t;
	u32 len;
	int err;

	if (acpi.have_s5)
		return;
	t = acpi_map_table(pa, sig, &len, &err, name);
	if (!t) {
		pr_warn("%s at %#llx %s; ignored\n", sig, pa, acpi_strerror(err));
		return;
	}
	if (!memcmp(sig, "DSDT", 4)) {
		acpi_dump(sig, pa, t);
		acpi_remember(sig, pa, len);
	}
	err = acpi_find_s5(t, len, &acpi.slp_typ_s5a, &acpi.slp_typ_s5b);
	iounmap(t);
	acpi.have_s5 = !err;
	if (err && err != -ACPI_ENOS5)
		pr_warn("%s at %#llx: %s; ignored\n", sig, pa, acpi_strerror(err));
}

/*
 * The sleep type for S5 sits in the DSDT on most machines, in an SSDT on
 * some (SeaBIOS's own tables). Without it there is no ACPI power-off.
 */
static void s5_find(void)
{
	if (acpi.dsdt_address)
		s5_scan("DSDT", acpi.dsdt_address);
	else
		pr_warn("FADT gives no DSDT\n");
	for (unsigned int i = 0; i < acpi_table_count && !acpi.have_s5; i++)
		if (!memcmp(acpi_tables[i].sig, "SSDT", 4))
			s5_scan("SSDT", acpi_tables[i].pa);
	if (!acpi.have_s5)
		pr_warn("no \\_S5 object in the DSDT or an SSDT; no ACPI power-off\n");
}

static void fadt_report(void)
{
	char s5[32] = "no S5", reset[48] = "no reset register";
	const struct acpi_gas *r = &acpi.reset_reg;

	if (acpi.have_s5)
		snprintf(s5, sizeof(s5), "S5 SLP_TYP %u", acpi.slp_typ_s5a);
	if (r->address)
		snprintf(reset, sizeof(reset), "reset %#llx=%u (%s)", r->address,
			 acpi.reset_value, r->space == 1 ? "I/O" :
			 r->space == 0 ? "memory" : "unsupported space");
	pr_info("FADT: PM1a_CNT %#x, %s, %s, SCI %u, boot flags %#x\n",
		acpi.pm1a_cnt, s5, reset, acpi.sci_irq, acpi.boot_arch_flags);
}

static int load_fadt(const u8 *t, u32 len)
{
	return acpi_parse_fadt(t, len, &acpi);
}

static const struct acpi_loader {
	const char *sig;
	int (*load)(const u8 *t, u32 len);
	const char *fallback;   /* what the kernel does without the table */
} acpi_loaders[] = {
	{ "APIC", load_madt, "using one CPU and the legacy PIC" },
	{ "HPET", load_hpet, "timers fall back to the PIT" },
	{ "MCFG", load_mcfg, "no PCIe ECAM" },
	{ "FACP", load_fadt, "no ACPI power-off or reset" },
};

static const struct acpi_loader *loader_for(const char *sig)
{
	for (size_t i = 0; i < ARRAY_SIZE(acpi_loaders); i++)
		if (!memcmp(acpi_loaders[i].sig, sig, 4))
			return &acpi_loaders[i];
	return NULL;
}

/* A table that was parsed already: the first copy wins. */
static bool table_seen(const char *sig)
{
	for (unsigned int i = 0; i < acpi_table_count; i++)
		if (!memcmp(acpi_tables[i].sig, sig, 4))
			return true;
	return false;
}

static void acpi_load_table(paddr_t pa)
{
	const struct acpi_loader *l;
	const char *fallback;
	char name[5];
	const u8 *t;
	u32 len;
	int err;

	t = acpi_map_table(pa, NULL, &len, &err, name);
	if (!memcmp(name, "APIC", 4))
		madt_listed = true;
	l = loader_for(name);
	fallback = l ? l->fallback : "ignored";
	if (!t) {
		pr_warn("%s at %#llx %s; %s\n", table_name(name), pa,
			acpi_strerror(err), fallback);
		return;
	}
	acpi_dump(name, pa, t);
	if (l && table_seen(name)) {
		pr_debug("%s at %#llx: a second copy, ignored\n", name, pa);
	} else {
		acpi_remember(name, pa, len);
		err = l ? l->load(t, len) : 0;
		if (err)
			pr_warn("%s %s; %s\n", table_name(name),
				acpi_strerror(err), fallback);
	}
	iounmap(t);
}

/* Walk the XSDT (@xsdt) or RSDT at @pa. Return: 0 or error (warned). */
static int acpi_walk_root(paddr_t pa, bool xsdt)
{
	const char *sig = xsdt ? "XSDT" : "RSDT";
	unsigned int i, n;
	char name[5];
	const u8 *t;
	u32 len;
	int err;

	t = acpi_map_table(pa, sig, &len, &err, name);
	if (!t) {
		pr_warn("%s at %#llx %s; %s\n", sig, pa, acpi_strerror(err),
			xsdt ? "trying the RSDT" : NO_ACPI_FALLBACK);
		return err;
	}
	acpi_dump(sig, pa, t);
	n = acpi_sdt_entry_count(len, xsdt);
	if (n > ACPI_MAX_ROOT_ENTRIES) {
		pr_warn("%s lists %u tables; reading the first %u\n", sig, n,
			ACPI_MAX_ROOT_ENTRIES);
		n = ACPI_MAX_ROOT_ENTRIES;
	}
	for (i = 0; i < n; i++)
		acpi_load_table(acpi_sdt_entry(t, xsdt, i));
	iounmap(t);
	return 0;
}

static void acpi_walk(const struct acpi_rsdp_info *r)
{
	if (r->xsdt && !acpi_walk_root(r->xsdt, true))
		return;
	if (r->xsdt_err)
		pr_warn("RSDP revision %u: extended part %s; using the RSDT\n",
			r->revision, acpi_strerror(r->xsdt_err));
	if (r->rsdt)
		acpi_walk_root(r->rsdt, false);
	else
		pr_warn("RSDP gives no RSDT; " NO_ACPI_FALLBACK "\n");
}

void acpi_init(const struct boot_info *bi)
{
	struct acpi_rsdp_info r;

	memset(&acpi, 0, sizeof(acpi));
	acpi_table_count = 0;
	rsdp_len = 0;
	madt_listed = false;
	if (!acpi_find_rsdp(bi, &r)) {
		pr_warn("no RSDP found (firmware without ACPI): no MADT; "
			NO_ACPI_FALLBACK "\n");
		return;
	}
	acpi.present = true;
	acpi.revision = r.revision;
	memcpy(acpi.oem_id, r.oem_id, sizeof(acpi.oem_id));
	pr_info("ACPI %s, OEM '%s', %s\n", r.revision >= 2 ? "2.0+" : "1.0",
		r.oem_id, r.xsdt ? "XSDT" : "RSDT");
	acpi_walk(&r);
	if (acpi.have_fadt) {
		s5_find();
		fadt_report();
	}
	if (!madt_listed)
		pr_warn("no MADT; using one CPU and the legacy PIC\n");
}

/* ---- for the ktests -------------------------------------------------------- */

void *acpi_table_copy(const char *sig, u32 *len)
{
	const struct acpi_table_ref *ref = NULL;
	const u8 *t;
	void *copy;

	for (unsigned int i = 0; i < acpi_table_count && !ref; i++)
		if (!memcmp(acpi_tables[i].sig, sig, 4))
			ref = &acpi_tables[i];
	if (!ref)
		return NULL;
	t = map_phys(ref->pa, ref->len);
	if (!t)
		return NULL;
	copy = kmalloc(ref->len, GFP_KERNEL);
	if (copy) {
		memcpy(copy, t, ref->len);
		*len = ref->len;
	}
	iounmap(t);
	return copy;
}

size_t acpi_rsdp_copy(u8 *buf)
{
	memcpy(buf, rsdp_bytes, rsdp_len);
	return rsdp_len;
}

/* ---- power-off and reset --------------------------------------------------- */

#define PM1_SCI_EN        (1u << 0)
#define PM1_SLP_TYP_SHIFT 10
#define PM1_SLP_TYP_MASK  (7u << PM1_SLP_TYP_SHIFT)
#define PM1_SLP_EN        (1u << 13)
#define POWER_WAIT_NS     1000000000ULL   /* how long the hardware gets */

/* Spin for up to @ns; the machine is expected to go away meanwhile. */
static void power_wait(u64 ns)
{
	u64 end = arch_clock_ns() + ns;

	while (arch_clock_ns() < end)
		arch_cpu_relax();
}

#ifdef ARCH_HAS_PORT_IO
/*
 * Firmware may leave the machine in legacy (SMM) mode; the sleep registers
 * answer only in ACPI mode, entered by writing acpi_enable to SMI_CMD.
 */
static void acpi_enter_acpi_mode(void)
{
	u64 end;

	if (arch_pio_read16(acpi.pm1a_cnt) & PM1_SCI_EN)
		return;
	if (!acpi.smi_cmd || acpi.smi_cmd > 0xffff || !acpi.acpi_enable)
		return;
	arch_pio_write8(acpi.smi_cmd, acpi.acpi_enable);
	end = arch_clock_ns() + POWER_WAIT_NS;
	while (!(arch_pio_read16(acpi.pm1a_cnt) & PM1_SCI_EN) &&
	       arch_clock_ns() < end)
		arch_cpu_relax();
}

/* Set SLP_TYP in a PM1 control block, then SLP_EN (the spec's order). */
static void pm1_sleep(u32 port, u16 typ, bool enable)
{
	u16 v = arch_pio_read16(port) & ~(PM1_SLP_TYP_MASK | PM1_SLP_EN);

	v |= (u16)(typ << PM1_SLP_TYP_SHIFT);
	arch_pio_write16(port, enable ? v | PM1_SLP_EN : v);
}

void acpi_poweroff(void)
{
	unsigned long flags;

	if (!acpi.have_fadt || !acpi.pm1a_cnt || !acpi.have_s5) {
		pr_err("cannot power off: %s\n",
		       !acpi.pm1a_cnt ? "no PM1a control block in the FADT"
				      : "no \\_S5 sleep type in the DSDT or an SSDT");
		return;
	}
	pr_notice("powering off through PM1a_CNT %#x (SLP_TYP %u)\n",
		  acpi.pm1a_cnt, acpi.slp_typ_s5a);
	flags = arch_irq_save();
	acpi_enter_acpi_mode();
	pm1_sleep(acpi.pm1a_cnt, acpi.slp_typ_s5a, false);
	if (acpi.pm1b_cnt)
		pm1_sleep(acpi.pm1b_cnt, acpi.slp_typ_s5b, false);
	pm1_sleep(acpi.pm1a_cnt, acpi.slp_typ_s5a, true);
	if (acpi.pm1b_cnt)
		pm1_sleep(acpi.pm1b_cnt, acpi.slp_typ_s5b, true);
	power_wait(POWER_WAIT_NS);
	arch_irq_restore(flags);
	pr_err("power-off through PM1_CNT did not happen\n");
}
#else
void acpi_poweroff(void)
{
	pr_err("cannot power off: no I/O port space for PM1_CNT\n");
}
#endif

/* Write the reset value to the reset register. Return: 0 or -EINVAL. */
static int reset_write(const struct acpi_gas *r)
{
	volatile u8 *reg;

	if (r->space == 0) {
		if (!phys_range_ok(r->address, 1))
			return -EINVAL;
		reg = ioremap(r->address, 1, VM_KERNEL_RW | VM_UNCACHED);
		if (!reg)
			return -EINVAL;
		*reg = acpi.reset_value;
		return 0;
	}
#ifdef ARCH_HAS_PORT_IO
	if (r->space == 1 && r->address <= 0xffff) {
		arch_pio_write8(r->address, acpi.reset_value);
		return 0;
	}
#endif
	return -EINVAL;
}

void acpi_reboot(void)
{
	const struct acpi_gas *r = &acpi.reset_reg;

	if (!acpi.have_fadt || !r->address) {
		pr_err("cannot reset: the FADT has no reset register\n");
		return;
	}
	pr_notice("resetting through the FADT reset register (%#llx=%u, %s)\n",
		  r->address, acpi.reset_value, r->space ? "I/O" : "memory");
	if (reset_write(r)) {
		pr_err("cannot reset: reset register in address space %u at %#llx is not usable\n",
		       r->space, r->address);
		return;
	}
	power_wait(POWER_WAIT_NS / 2);
	pr_err("the reset register did not reset the machine\n");
}

/* ---- boot_end= ------------------------------------------------------------- */

enum boot_end { BOOT_END_HALT, BOOT_END_POWEROFF, BOOT_END_REBOOT };
static enum boot_end boot_end;

static int boot_end_set(const char *val)
{
	if (val && !strcmp(val, "halt"))
		boot_end = BOOT_END_HALT;
	else if (val && !strcmp(val, "poweroff"))
		boot_end = BOOT_END_POWEROFF;
	else if (val && !strcmp(val, "reboot"))
		boot_end = BOOT_END_REBOOT;
	else
		return -EINVAL;
	return 0;
}
KPARAM_FN(boot_end, boot_end_set,
	  "after booting: halt (default; testmode exits QEMU), poweroff or reboot");

void acpi_boot_end(void)
{
	switch (boot_end) {
	case BOOT_END_HALT:
		return;
	case BOOT_END_POWEROFF:
		acpi_poweroff();
		break;
	case BOOT_END_REBOOT:
		acpi_reboot();
		pr_warn("trying the legacy reset (port 0xcf9, keyboard controller)\n");
		arch_reset();
	}
	pr_err("boot_end=poweroff failed; halting\n");
	if (kernel_testmode)
		arch_test_exit(TEST_EXIT_FAIL);
	arch_halt_forever();
}
