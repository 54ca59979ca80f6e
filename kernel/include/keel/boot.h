/*
 * struct boot_info: what the boot protocol told us, in one format.
 *
 * Each protocol (Multiboot2 from GRUB, PVH from QEMU -kernel) has an arch
 * parser that fills this structure in early boot; nothing after that reads a
 * protocol structure. Strings are copied into the structure and physical
 * addresses stay physical. Everything here came from firmware or a boot
 * loader and is untrusted: the memory map is sanitized by memmap_sanitize()
 * before use.
 */
#ifndef KEEL_BOOT_H
#define KEEL_BOOT_H

#include <keel/types.h>

#define BOOT_CMDLINE_MAX  1024
#define BOOT_MEMMAP_MAX   128
#define BOOT_MODULES_MAX  8
#define BOOT_NAME_MAX     64

/* Memory map entry types (the E820/ACPI numbering, which both protocols use). */
enum memmap_type {
	MEMMAP_USABLE = 1,
	MEMMAP_RESERVED = 2,
	MEMMAP_ACPI_RECLAIMABLE = 3,
	MEMMAP_ACPI_NVS = 4,
	MEMMAP_BAD = 5,
};

struct memmap_entry {
	paddr_t base;
	u64 length;
	u32 type;   /* enum memmap_type; unknown values are treated as reserved */
};

struct memmap {
	unsigned int count;
	bool truncated;   /* the firmware map had more than BOOT_MEMMAP_MAX entries */
	struct memmap_entry entries[BOOT_MEMMAP_MAX];
};

struct boot_module {
	paddr_t start;
	paddr_t end;      /* exclusive */
	char cmdline[BOOT_NAME_MAX];
};

enum boot_fb_type {
	BOOT_FB_INDEXED = 0,
	BOOT_FB_RGB = 1,
	BOOT_FB_TEXT = 2,   /* EGA text mode: width x height characters */
};

struct boot_framebuffer {
	paddr_t addr;     /* 0 when there is none */
	u32 pitch, width, height;
	u8 bpp;
	u8 type;          /* enum boot_fb_type */
};

enum boot_firmware {
	FIRMWARE_UNKNOWN,
	FIRMWARE_BIOS,
	FIRMWARE_UEFI,
};

struct boot_info {
	const char *protocol;          /* "PVH", "multiboot2" */
	char loader[BOOT_NAME_MAX];    /* boot loader name, if it gave one */
	enum boot_firmware firmware;
	char cmdline[BOOT_CMDLINE_MAX];
	bool cmdline_truncated;
	struct memmap memmap;
	unsigned int module_count;
	struct boot_module modules[BOOT_MODULES_MAX];
	struct boot_framebuffer fb;
	paddr_t acpi_rsdp;             /* physical address of the RSDP, 0 if unknown */
	u8 acpi_rsdp_copy[36];         /* or a copy of it (Multiboot2 gives one) */
	u32 acpi_rsdp_copy_len;
	paddr_t kernel_start, kernel_end;  /* the loaded image, physical */
};

const char *boot_firmware_name(enum boot_firmware fw);

#endif /* KEEL_BOOT_H */
