/*
 * x86_64 early boot in C: turn the boot protocol's structure into a
 * struct boot_info, set up the boot CPU, and enter generic code.
 *
 * Called from boot/head.S on the boot stack with paging on, interrupts off.
 * Everything the boot loader handed us is untrusted: the parsers check every
 * length and pointer and log what they reject rather than failing the boot.
 */
#include <keel/arch.h>
#include <keel/boot.h>
#include <keel/panic.h>
#include <keel/printk.h>
#include <keel/string.h>
#include <asm/layout.h>
#include <asm/x86.h>

#include "boot_info.h"

static struct boot_info boot_info;

extern char __kernel_phys_start[], __kernel_phys_end[];

bool boot_phys_range_ok(paddr_t pa, u64 len)
{
	return pa != 0 && len <= EARLY_MAP_LIMIT && pa <= EARLY_MAP_LIMIT - len;
}

/* Copy a NUL-terminated string of at most @max_len bytes at physical @src. */
void boot_copy_string(char *dst, size_t size, paddr_t src, u64 max_len,
		      const char *what, bool *truncated)
{
	const char *s;
	size_t i;

	dst[0] = '\0';
	if (!src)
		return;
	if (max_len > EARLY_MAP_LIMIT || !boot_phys_range_ok(src, 1)) {
		pr_warn("boot: %s at %#llx is outside the early map, ignored\n",
			what, (unsigned long long)src);
		return;
	}
	if (src + max_len > EARLY_MAP_LIMIT)
		max_len = EARLY_MAP_LIMIT - src;
	s = early_phys_to_virt(src);
	for (i = 0; i + 1 < size && i < max_len && s[i]; i++)
		dst[i] = s[i];
	dst[i] = '\0';
	if (i < max_len && s[i] && truncated) {
		*truncated = true;
		pr_warn("boot: %s longer than %zu bytes, truncated\n", what,
			size - 1);
	}
}

void boot_add_module(struct boot_info *bi, paddr_t start, paddr_t end,
		     paddr_t cmdline, u64 cmdline_max)
{
	struct boot_module *m;

	if (end <= start) {
		pr_warn("boot: module [%#llx-%#llx) is empty or inverted, ignored\n",
			(unsigned long long)start, (unsigned long long)end);
		return;
	}
	if (bi->module_count == BOOT_MODULES_MAX) {
		pr_warn("boot: more than %d modules, ignoring the rest\n",
			BOOT_MODULES_MAX);
		return;
	}
	m = &bi->modules[bi->module_count++];
	m->start = start;
	m->end = end;
	boot_copy_string(m->cmdline, sizeof(m->cmdline), cmdline, cmdline_max,
			 "module name", NULL);
}

void x86_64_boot_main(u32 protocol, u32 info);

/* Entered from boot/head.S; never returns. */
void x86_64_boot_main(u32 protocol, u32 info)
{
	struct boot_info *bi = &boot_info;
	int err = -1;

	x86_early_console_init();
	x86_cpu_early_init();
	x86_tsc_init();

	bi->kernel_start = (paddr_t)__kernel_phys_start;
	bi->kernel_end = (paddr_t)__kernel_phys_end;
	if (protocol == BOOT_PROTO_MULTIBOOT2)
		err = multiboot2_parse(bi, info);
	else if (protocol == BOOT_PROTO_PVH)
		err = pvh_parse(bi, info);
	else
		pr_emerg("boot: entered through Multiboot2 without its magic number\n");
	if (err)
		x86_boot_fail("no usable boot information");

	x86_cpu_init_bsp();
	kernel_main(bi);
}

__noreturn void x86_boot_fail(const char *why)
{
	panic("boot: %s", why);
}
