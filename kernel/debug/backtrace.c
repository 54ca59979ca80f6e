/*
 * Symbolized backtraces: walk frames through arch_unwind_next() and name
 * each address with the kernel symbol table.
 *
 * Every frame but the first holds a return address, which points just past
 * the call. It is looked up as (address - 1) so a call that ends a function
 * (a noreturn call, say) is attributed to that function, not the next one.
 * Runs of one identical frame (deep recursion) are folded into one line.
 */
#include <keel/arch.h>
#include <keel/backtrace.h>
#include <keel/ksyms.h>
#include <keel/printk.h>

static void backtrace_line(unsigned long pc, bool is_return)
{
	unsigned long lookup = is_return ? pc - 1 : pc, off, size;
	const char *name = ksym_lookup(lookup, &off, &size);

	if (!name)
		pr_emerg(" [<%016lx>] ?\n", pc);
	else
		pr_emerg(" [<%016lx>] %s+0x%lx/0x%lx\n", pc, name,
			 off + (lookup != pc), size);
}

static void backtrace_repeats(unsigned int repeats)
{
	if (repeats)
		pr_emerg(" ... the frame above repeats %u more time%s\n", repeats,
			 repeats == 1 ? "" : "s");
}

void backtrace_print(unsigned long pc, unsigned long fp)
{
	struct arch_frame f = { .pc = pc, .fp = fp };
	unsigned long last = 0;
	unsigned int n = 0, repeats = 0, steps = 0;

	pr_emerg("Call Trace:\n");
	backtrace_line(f.pc, false);
	while (arch_unwind_next(&f)) {
		/* Corrupt frames on two stacks can point at each other: bound it. */
		if (++steps > BACKTRACE_MAX_STEPS) {
			backtrace_repeats(repeats);
			pr_emerg(" ... (stopped after %u frames)\n", steps - 1);
			return;
		}
		if (f.pc == last) {
			repeats++;
			continue;
		}
		backtrace_repeats(repeats);
		repeats = 0;
		if (++n == BACKTRACE_MAX_FRAMES) {
			pr_emerg(" ... (more frames not shown)\n");
			return;
		}
		backtrace_line(f.pc, true);
		last = f.pc;
	}
	backtrace_repeats(repeats);
}

__noinline void backtrace_print_current(void)
{
	struct arch_frame f = {
		.pc = (unsigned long)backtrace_print_current,
		.fp = arch_frame_address(),
	};

	/* Skip our own frame: start at the caller. */
	if (arch_unwind_next(&f))
		backtrace_print(f.pc, f.fp);
}
