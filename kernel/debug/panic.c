/*
 * panic: report and stop. See <keel/panic.h>.
 *
 * A second panic on the panicking CPU (say, a fault while printing the
 * backtrace) must not recurse: it prints one line and stops at once. The
 * first panicking CPU stops all others (arch_stop_other_cpus) before it
 * prints, so the report is not interleaved with their output and nothing
 * else changes memory meanwhile; a CPU that panics at the same time stops
 * quietly.
 */
#include <keel/arch.h>
#include <keel/backtrace.h>
#include <keel/log.h>
#include <keel/panic.h>
#include <keel/param.h>
#include <keel/printk.h>
#include <keel/sprintf.h>

#define NO_CPU (~0U)

bool kernel_testmode;
KPARAM_BOOL(testmode, kernel_testmode,
	    "exit QEMU (isa-debug-exit) when boot ends or the kernel panics");

static unsigned int panic_cpu = NO_CPU;   /* [atomic] first panicking CPU */

bool panic_in_progress(void)
{
	return __atomic_load_n(&panic_cpu, __ATOMIC_RELAXED) != NO_CPU;
}

void panic_begin(void)
{
	unsigned int me = arch_cpu_id(), none = NO_CPU;

	arch_irq_disable();
	if (!__atomic_compare_exchange_n(&panic_cpu, &none, me, false,
					 __ATOMIC_ACQ_REL, __ATOMIC_RELAXED)) {
		if (none == me) {
			printk_enter_panic();
			pr_emerg("Kernel panic - nested panic on CPU%u, stopping\n", me);
			if (kernel_testmode)
				arch_test_exit(TEST_EXIT_PANIC);
		}
		arch_halt_forever();
	}
	arch_stop_other_cpus();
	printk_enter_panic();
}

__noreturn void panic_finish(const char *reason)
{
	pr_emerg("Kernel panic - not syncing: %s\n", reason);
	pr_emerg("---[ end Kernel panic - not syncing: %s ]---\n", reason);
	if (kernel_testmode)
		arch_test_exit(TEST_EXIT_PANIC);
	arch_halt_forever();
}

__noreturn void panic(const char *fmt, ...)
{
	static char buf[256];
	va_list ap;

	panic_begin();
	va_start(ap, fmt);
	vscnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	pr_emerg("Kernel panic on CPU%u: %s\n", arch_cpu_id(), buf);
	backtrace_print_current();
	panic_finish(buf);
}
