/*
 * Boot-protocol parsers, private to x86_64 early boot. Each fills a
 * struct boot_info from the structure its protocol handed us and returns
 * 0, or a negative errno after logging why the structure was unusable.
 */
#ifndef X86_BOOT_INFO_H
#define X86_BOOT_INFO_H

#include <keel/boot.h>

#define BOOT_PROTO_MULTIBOOT2 1
#define BOOT_PROTO_PVH        2

/* Highest physical address the early page tables map (see boot/head.S). */
#define EARLY_MAP_LIMIT (4ULL << 30)

int multiboot2_parse(struct boot_info *bi, paddr_t mbi);
int pvh_parse(struct boot_info *bi, paddr_t start_info);

/* Helpers shared by the parsers. */
bool boot_phys_range_ok(paddr_t pa, u64 len);
void boot_copy_string(char *dst, size_t size, paddr_t src, u64 max_len,
		      const char *what, bool *truncated);
void boot_add_module(struct boot_info *bi, paddr_t start, paddr_t end,
		     paddr_t cmdline, u64 cmdline_max);

#endif /* X86_BOOT_INFO_H */
