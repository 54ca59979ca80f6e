/*
 * Multiboot2 boot information (from GRUB) → struct boot_info.
 *
 * The MBI is a u32 total size, a u32 reserved word, then 8-byte-aligned tags
 * of {u32 type, u32 size, payload} ending with a type-0 tag. Every size is
 * checked against the enclosing structure before the payload is read; a
 * malformed tag ends the walk with a warning and what was parsed so far.
 * Tag numbers and layouts: the Multiboot2 specification, section 3.6.
 */
#include <keel/boot.h>
#include <keel/compiler.h>
#include <keel/errno.h>
#include <keel/memmap.h>
#include <keel/printk.h>
#include <keel/string.h>
#include <asm/layout.h>

#include "boot_info.h"

enum {
	MB2_TAG_END = 0,
	MB2_TAG_CMDLINE = 1,
	MB2_TAG_LOADER_NAME = 2,
	MB2_TAG_MODULE = 3,
	MB2_TAG_MMAP = 6,
	MB2_TAG_FRAMEBUFFER = 8,
	MB2_TAG_EFI32 = 11,
	MB2_TAG_EFI64 = 12,
	MB2_TAG_ACPI_OLD = 14,
	MB2_TAG_ACPI_NEW = 15,
};

#define MB2_MBI_MAX (1U << 20)  /* no sane MBI is bigger than 1 MiB */

struct mb2_tag {
	u32 type;
	u32 size;
} __packed;

struct mb2_module {
	struct mb2_tag tag;
	u32 mod_start;
	u32 mod_end;
	char cmdline[];
} __packed;

struct mb2_mmap {
	struct mb2_tag tag;
	u32 entry_size;
	u32 entry_version;
} __packed;

struct mb2_mmap_entry {
	u64 base;
	u64 length;
	u32 type;
	u32 reserved;
} __packed;

struct mb2_framebuffer {
	struct mb2_tag tag;
	u64 addr;
	u32 pitch;
	u32 width;
	u32 height;
	u8 bpp;
	u8 type;
} __packed;

static paddr_t tag_payload(paddr_t tag_pa)
{
	return tag_pa + sizeof(struct mb2_tag);
}

static void mb2_parse_mmap(struct boot_info *bi, paddr_t pa, u32 size)
{
	const struct mb2_mmap *t = early_phys_to_virt(pa);
	u32 off;

	if (size < sizeof(*t) || t->entry_size < sizeof(struct mb2_mmap_entry)) {
		pr_warn("multiboot2: memory map tag with bad entry size %u, ignored\n",
			size < sizeof(*t) ? 0 : t->entry_size);
		return;
	}
	/* off <= size holds throughout, so size - off cannot wrap. */
	for (off = sizeof(*t); t->entry_size <= size - off; off += t->entry_size) {
		const struct mb2_mmap_entry *e = early_phys_to_virt(pa + off);

		memmap_add_entry(&bi->memmap, e->base, e->length, e->type);
	}
}

static void mb2_parse_module(struct boot_info *bi, paddr_t pa, u32 size)
{
	const struct mb2_module *t = early_phys_to_virt(pa);

	if (size < sizeof(*t)) {
		pr_warn("multiboot2: module tag too short, ignored\n");
		return;
	}
	boot_add_module(bi, t->mod_start, t->mod_end, pa + sizeof(*t),
			size - sizeof(*t));
}

static void mb2_parse_framebuffer(struct boot_info *bi, paddr_t pa, u32 size)
{
	const struct mb2_framebuffer *t = early_phys_to_virt(pa);

	if (size < sizeof(*t))
		return;
	bi->fb.addr = t->addr;
	bi->fb.pitch = t->pitch;
	bi->fb.width = t->width;
	bi->fb.height = t->height;
	bi->fb.bpp = t->bpp;
	bi->fb.type = t->type;
}

static void mb2_parse_acpi(struct boot_info *bi, paddr_t pa, u32 size)
{
	u32 len = size - sizeof(struct mb2_tag);

	/* GRUB hands over a copy of the RSDP; keep our own copy of it. */
	if (size <= sizeof(struct mb2_tag))
		return;
	if (len > sizeof(bi->acpi_rsdp_copy))
		len = sizeof(bi->acpi_rsdp_copy);
	memcpy(bi->acpi_rsdp_copy, early_phys_to_virt(tag_payload(pa)), len);
	bi->acpi_rsdp_copy_len = len;
}

static void mb2_parse_tag(struct boot_info *bi, paddr_t pa, u32 type, u32 size)
{
	switch (type) {
	case MB2_TAG_CMDLINE:
		boot_copy_string(bi->cmdline, sizeof(bi->cmdline), tag_payload(pa),
				 size - sizeof(struct mb2_tag), "command line",
				 &bi->cmdline_truncated);
		break;
	case MB2_TAG_LOADER_NAME:
		boot_copy_string(bi->loader, sizeof(bi->loader), tag_payload(pa),
				 size - sizeof(struct mb2_tag), "loader name",
				 NULL);
		break;
	case MB2_TAG_MODULE:
		mb2_parse_module(bi, pa, size);
		break;
	case MB2_TAG_MMAP:
		mb2_parse_mmap(bi, pa, size);
		break;
	case MB2_TAG_FRAMEBUFFER:
		mb2_parse_framebuffer(bi, pa, size);
		break;
	case MB2_TAG_EFI32:
	case MB2_TAG_EFI64:
		bi->firmware = FIRMWARE_UEFI;
		break;
	case MB2_TAG_ACPI_NEW:
		mb2_parse_acpi(bi, pa, size);
		break;
	case MB2_TAG_ACPI_OLD:
		if (!bi->acpi_rsdp_copy_len)  /* the new one wins */
			mb2_parse_acpi(bi, pa, size);
		break;
	default:
		break;
	}
}

/**
 * multiboot2_parse - fill @bi from the Multiboot2 information at @mbi.
 * Context: early boot, one CPU.
 * Return: 0, or -EINVAL when the MBI itself is unusable.
 */
int multiboot2_parse(struct boot_info *bi, paddr_t mbi)
{
	const u32 *hdr;
	u32 total, off;

	bi->protocol = "multiboot2";
	bi->firmware = FIRMWARE_BIOS;
	if ((mbi & 7) || !boot_phys_range_ok(mbi, 8)) {
		pr_emerg("multiboot2: information at %#llx is misaligned or unmapped\n",
			 (unsigned long long)mbi);
		return -EINVAL;
	}
	hdr = early_phys_to_virt(mbi);
	total = hdr[0];
	if (total < 16 || total > MB2_MBI_MAX || !boot_phys_range_ok(mbi, total)) {
		pr_emerg("multiboot2: information size %u is invalid\n", total);
		return -EINVAL;
	}
	for (off = 8; off + sizeof(struct mb2_tag) <= total;) {
		const struct mb2_tag *tag = early_phys_to_virt(mbi + off);

		if (tag->type == MB2_TAG_END)
			return 0;
		if (tag->size < sizeof(*tag) || tag->size > total - off) {
			pr_warn("multiboot2: tag %u at offset %u has bad size %u; "
				"ignoring the rest\n", tag->type, off, tag->size);
			return 0;
		}
		mb2_parse_tag(bi, mbi + off, tag->type, tag->size);
		off += ALIGN_UP(tag->size, 8);
	}
	pr_warn("multiboot2: no end tag; used the tags within the stated size\n");
	return 0;
}
