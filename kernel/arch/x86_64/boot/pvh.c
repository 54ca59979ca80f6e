/*
 * PVH boot (QEMU -kernel with an ELF that carries XEN_ELFNOTE_PHYS32_ENTRY)
 * → struct boot_info.
 *
 * hvm_start_info layout: Xen's public arch-x86/hvm/start_info.h. Version 1
 * adds the memory map, which QEMU always provides; version 0 leaves us
 * without one, which the memory-map code then reports.
 */
#include <keel/boot.h>
#include <keel/compiler.h>
#include <keel/errno.h>
#include <keel/memmap.h>
#include <keel/printk.h>
#include <keel/string.h>
#include <asm/layout.h>

#include "boot_info.h"

#define HVM_START_MAGIC 0x336ec578

struct hvm_start_info {
	u32 magic;
	u32 version;
	u32 flags;
	u32 nr_modules;
	u64 modlist_paddr;
	u64 cmdline_paddr;
	u64 rsdp_paddr;
	u64 memmap_paddr;      /* version >= 1 */
	u32 memmap_entries;    /* version >= 1 */
	u32 reserved;
} __packed;

struct hvm_modlist_entry {
	u64 paddr;
	u64 size;
	u64 cmdline_paddr;
	u64 reserved;
} __packed;

struct hvm_memmap_entry {
	u64 addr;
	u64 size;
	u32 type;
	u32 reserved;
} __packed;

#define PVH_STRING_MAX 4096

static void pvh_parse_memmap(struct boot_info *bi, const struct hvm_start_info *si)
{
	const struct hvm_memmap_entry *e;
	u32 i, n = si->memmap_entries;

	if (si->version < 1 || !n) {
		pr_warn("pvh: start info version %u has no memory map\n",
			si->version);
		return;
	}
	if (n > 4 * BOOT_MEMMAP_MAX ||
	    !boot_phys_range_ok(si->memmap_paddr, (u64)n * sizeof(*e))) {
		pr_warn("pvh: memory map (%u entries at %#llx) is unreadable\n",
			n, (unsigned long long)si->memmap_paddr);
		return;
	}
	e = early_phys_to_virt(si->memmap_paddr);
	for (i = 0; i < n; i++)
		memmap_add_entry(&bi->memmap, e[i].addr, e[i].size, e[i].type);
}

static void pvh_parse_modules(struct boot_info *bi, const struct hvm_start_info *si)
{
	const struct hvm_modlist_entry *m;
	u32 i, n = si->nr_modules;

	if (!n)
		return;
	if (n > 64 || !boot_phys_range_ok(si->modlist_paddr, (u64)n * sizeof(*m))) {
		pr_warn("pvh: module list (%u entries at %#llx) is unreadable\n",
			n, (unsigned long long)si->modlist_paddr);
		return;
	}
	m = early_phys_to_virt(si->modlist_paddr);
	for (i = 0; i < n; i++) {
		if (m[i].paddr + m[i].size < m[i].paddr) {
			pr_warn("pvh: module %u wraps around, ignored\n", i);
			continue;
		}
		boot_add_module(bi, m[i].paddr, m[i].paddr + m[i].size,
				m[i].cmdline_paddr, PVH_STRING_MAX);
	}
}

/**
 * pvh_parse - fill @bi from the hvm_start_info at @pa.
 * Context: early boot, one CPU.
 * Return: 0, or -EINVAL when the start info is unusable.
 */
int pvh_parse(struct boot_info *bi, paddr_t pa)
{
	const struct hvm_start_info *si;

	bi->protocol = "PVH";
	bi->firmware = FIRMWARE_UNKNOWN;
	if (!boot_phys_range_ok(pa, sizeof(*si))) {
		pr_emerg("pvh: start info at %#llx is unmapped\n",
			 (unsigned long long)pa);
		return -EINVAL;
	}
	si = early_phys_to_virt(pa);
	if (si->magic != HVM_START_MAGIC) {
		pr_emerg("pvh: bad start info magic %#x\n", si->magic);
		return -EINVAL;
	}
	boot_copy_string(bi->cmdline, sizeof(bi->cmdline), si->cmdline_paddr,
			 PVH_STRING_MAX, "command line", &bi->cmdline_truncated);
	bi->acpi_rsdp = si->rsdp_paddr;
	pvh_parse_memmap(bi, si);
	pvh_parse_modules(bi, si);
	return 0;
}
