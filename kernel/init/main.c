/*
 * kernel_main: the ordered start-up of the generic kernel.
 *
 * Entered from the arch's early boot with one CPU running, interrupts off,
 * the boot console registered and struct boot_info filled. The order here
 * is the order subsystems come up; each later issue adds its step.
 */
#include <keel/acpi.h>
#include <keel/arch.h>
#include <keel/boot.h>
#include <keel/err.h>
#include <keel/ktest.h>
#include <keel/log.h>
#include <keel/memmap.h>
#include <keel/mm.h>
#include <keel/panic.h>
#include <keel/param.h>
#include <keel/printk.h>
#include <keel/procfs.h>
#include <keel/rcu.h>
#include <keel/sched.h>
#include <keel/time.h>
#include <keel/string.h>
#include <keel/task.h>
#include <keel/version.h>
#include <keel/vfs.h>
#include <keel/err.h>
#include <keel/mm.h>
#include <uapi/fcntl.h>
#include <keel/workqueue.h>

static char rdinit_path[256] = "/init";
KPARAM_STRING(rdinit, rdinit_path,
	      "the program in the initramfs to run as pid 1 (default /init)");
static char init_path[256];
KPARAM_STRING(init, init_path,
	      "the program to run as pid 1 when rdinit's is missing");
static const char *init_cmdline_args;   /* what follows "--" on the command line */
static const struct boot_info *boot_info_saved;

static char ktest_filter[256];
KPARAM_STRING(ktest, ktest_filter,
	      "run in-kernel tests after boot: all, or suite[,suite...]");

const char *boot_firmware_name(enum boot_firmware fw)
{
	switch (fw) {
	case FIRMWARE_BIOS: return "BIOS";
	case FIRMWARE_UEFI: return "UEFI";
	default: return "unknown";
	}
}

static void boot_report_memory(struct boot_info *bi)
{
	struct memmap_totals t;
	unsigned int i;

	memmap_add_cmdline_entries(&bi->memmap);
	if (!bi->memmap.count)
		pr_err("memmap: the boot loader gave no memory map\n");
	memmap_sanitize(&bi->memmap);
	for (i = 0; i < bi->memmap.count; i++) {
		const struct memmap_entry *e = &bi->memmap.entries[i];

		pr_info("memmap: [mem 0x%016llx-0x%016llx] %s\n", e->base,
			e->base + e->length - 1, memmap_type_name(e->type));
	}
	memmap_totals(&bi->memmap, &t);
	pr_info("memory: %llu MiB usable, highest usable address %#llx, "
		"%u map entries\n", t.usable >> 20, t.highest_usable_end,
		bi->memmap.count);
}

static void boot_report_initrd(const struct boot_info *bi)
{
	const struct boot_module *m = &bi->modules[0];

	if (!bi->module_count) {
		pr_warn("initrd: none given (no initrd); booting without one\n");
		return;
	}
	pr_info("initrd: %llu bytes at %#llx%s%s\n", m->end - m->start, m->start,
		m->cmdline[0] ? " from " : "", m->cmdline);
	if (bi->module_count > 1)
		pr_warn("initrd: %u more boot modules ignored\n",
			bi->module_count - 1);
}

static void boot_report(const struct boot_info *bi)
{
	char cpu[160];

	pr_info("boot protocol: %s%s%s\n", bi->protocol,
		bi->loader[0] ? ", loader " : "", bi->loader);
	pr_info("firmware: %s\n", boot_firmware_name(bi->firmware));
	pr_info("cmdline: %s\n", bi->cmdline);
	pr_info("kernel: [%#llx-%#llx) physical\n", bi->kernel_start,
		bi->kernel_end);
	arch_cpu_describe(cpu, sizeof(cpu));
	pr_info("cpu: %s\n", cpu);
	if (bi->acpi_rsdp || bi->acpi_rsdp_copy_len)
		pr_info("acpi: RSDP %s %#llx\n",
			bi->acpi_rsdp ? "at" : "copied by the loader, size",
			bi->acpi_rsdp ? bi->acpi_rsdp : bi->acpi_rsdp_copy_len);
	if (bi->fb.addr && bi->fb.type == BOOT_FB_TEXT)
		pr_info("framebuffer: %ux%u text mode at %#llx\n", bi->fb.width,
			bi->fb.height, bi->fb.addr);
	else if (bi->fb.addr)
		pr_info("framebuffer: %ux%u, %u bpp at %#llx\n", bi->fb.width,
			bi->fb.height, bi->fb.bpp, bi->fb.addr);
}

static __noreturn void run_ktests(void)
{
	int failed = ktest_run(ktest_filter);

	arch_test_exit(failed ? TEST_EXIT_FAIL : TEST_EXIT_PASS);
	pr_err("ktest: no test-exit device; halting\n");
	arch_halt_forever();
}

/* Mount the root file system and unpack the initramfs into it. */
static void rootfs_init(void)
{
	const struct boot_info *bi = boot_info_saved;
	int err;

	vfs_init();
	procfs_init(bi->cmdline);
	if (!bi->module_count || !vfs_root_mounted())
		return;
	err = initramfs_unpack(phys_to_virt(bi->modules[0].start),
			       bi->modules[0].end - bi->modules[0].start);
	if (err)
		pr_warn("initramfs: unpacking failed (%d); kept what was valid\n",
			err);
}

/*
 * Start pid 1 with the first program that exists: rdinit= (default
 * /init, from the initramfs), then init=. Its arguments are the words
 * after "--" on the command line; its environment Linux's default.
 * Return: true if one was started.
 */
static bool start_user_init(void)
{
	static const char *const envp[] = { "HOME=/", "TERM=linux", NULL };
	static char args[512];
	const char *argv[16];
	const char *candidates[] = { rdinit_path, init_path };
	unsigned int argc;

	if (!vfs_root_mounted())
		return false;   /* reported by vfs_init */
	for (unsigned int i = 0; i < 2; i++) {
		const char *path = candidates[i];
		struct file *f;
		char *s, *rest;

		if (!path[0])
			continue;
		f = file_open_kernel(path, O_RDONLY, 0);
		if (IS_ERR(f))
			continue;
		fput(f);
		argc = 0;
		argv[argc++] = path;
		strlcpy(args, init_cmdline_args ? init_cmdline_args : "",
			sizeof(args));
		rest = args;
		while ((s = strsep(&rest, " \t")) && argc < 15)
			if (*s)
				argv[argc++] = s;
		argv[argc] = NULL;
		pr_info("init: running %s as pid 1\n", path);
		return user_init_start(path, argv, envp) == 0;
	}
	pr_info("init: no init program (rdinit=%s, init=%s)\n", rdinit_path,
		init_path[0] ? init_path : "unset");
	return false;
}

/*
 * The first kernel thread: the rest of start-up, which may sleep (the boot
 * context has become CPU0's idle thread and must not).
 */
static int kernel_init(void *arg)
{
	rcu_init();
	workqueue_init();
	rootfs_init();
	if (ktest_filter[0])
		run_ktests();
	panic_test_run();

	pr_notice("Keel booted in %llu ms\n", clock_monotonic_ns() / NSEC_PER_MSEC);
	if (start_user_init())
		return 0;
	acpi_boot_end();    /* boot_end=poweroff|reboot do not come back */
	if (kernel_testmode)
		arch_test_exit(TEST_EXIT_PASS);
	return 0;
}

__noreturn void kernel_main(struct boot_info *bi)
{
	struct thread *init_thread;
	const char *init_args;

	params_parse_kernel(bi->cmdline, &init_args);
	init_cmdline_args = init_args;
	boot_info_saved = bi;
	sched_init();       /* this context is CPU0's idle thread from here */
	console_start();
	pr_notice("Keel %s (%s) built with %s\n", KEEL_VERSION, ARCH_NAME,
		  __VERSION__);
	boot_report(bi);
	boot_report_memory(bi);
	mm_init(bi);
	acpi_init(bi);
	time_init();
	arch_irq_init();
	arch_smp_boot();
	arch_irq_enable();
	boot_report_initrd(bi);
	if (init_args && *init_args)
		pr_info("init arguments: %s\n", init_args);

	init_thread = kthread_run(kernel_init, NULL, "init");
	if (IS_ERR(init_thread)) {
		/*
		 * No memory for even one thread: finish start-up here. The
		 * idle thread never leaves its run queue, so a sleep in it
		 * degrades to polling instead of hanging.
		 */
		pr_err("init: cannot create the init thread (%ld); "
		       "continuing in the boot context\n", PTR_ERR(init_thread));
		kernel_init(NULL);
	} else {
		kthread_detach(init_thread);
	}
	sched_idle_loop();
}
