/*
 * panic_test=<kind>: crash on purpose, to prove that faults are reported
 * with a symbolized backtrace naming the faulting function. The system tests
 * boot with each kind and check the report.
 *
 *	pagefault  write to an unmapped address
 *	divide     divide by zero
 *	ud         execute an invalid instruction
 *	stack      recurse until the boot stack's guard page is hit
 *	kstack     the same on a kernel stack from the vmalloc area
 *	panic      call panic()
 */
#include <keel/arch.h>
#include <keel/errno.h>
#include <keel/panic.h>
#include <keel/param.h>
#include <keel/printk.h>
#include <keel/string.h>
#include <keel/vm.h>

#define PANIC_TEST_KSTACK_SIZE (16 * 1024)

/* Far above the early identity map and below the canonical hole. */
#define PANIC_TEST_UNMAPPED 0x0000100000000010UL

static const char *const kinds[] = {
	"pagefault", "divide", "ud", "stack", "kstack", "panic",
};
static int panic_test_kind = -1;

static int panic_test_set(const char *val)
{
	unsigned int i;

	for (i = 0; val && i < ARRAY_SIZE(kinds); i++) {
		if (!strcmp(val, kinds[i])) {
			panic_test_kind = (int)i;
			return 0;
		}
	}
	return -EINVAL;
}
KPARAM_FN(panic_test, panic_test_set,
	  "crash on purpose: pagefault, divide, ud, stack, kstack or panic");

/* Non-static so they appear in the symbol table under these names. */
__noinline void panic_test_pagefault(void);
__noinline void panic_test_divide(void);
__noinline void panic_test_ud(void);
__noinline int panic_test_stack(int depth);

static volatile unsigned int zero;
static volatile int stack_test_limit = 1 << 30;

__noinline void panic_test_pagefault(void)
{
	*(volatile int *)PANIC_TEST_UNMAPPED = 1;
}

__noinline void panic_test_divide(void)
{
	unsigned int a = 1, d = zero;

	__asm__ __volatile__("xorl %%edx, %%edx\n\tdivl %1"
			     : "+a"(a) : "r"(d) : "rdx", "cc");
}

__noinline void panic_test_ud(void)
{
	__builtin_trap();
}

__noinline int panic_test_stack(int depth)
{
	volatile char frame[256];

	frame[0] = (char)depth;
	if (depth < stack_test_limit)
		return panic_test_stack(depth + 1) + frame[0];
	return frame[0];
}

static void panic_test_stack_entry(void *arg)
{
	panic_test_stack(0);
}

__noinline void panic_test_kstack(void);
__noinline void panic_test_kstack(void)
{
	void *stack = kstack_alloc(PANIC_TEST_KSTACK_SIZE);

	if (!stack) {
		pr_err("panic_test: no memory for a kernel stack\n");
		return;
	}
	arch_call_on_stack((char *)stack + PANIC_TEST_KSTACK_SIZE,
			   panic_test_stack_entry, NULL);
	kstack_free(stack);
}

void panic_test_run(void)
{
	if (panic_test_kind < 0)
		return;
	pr_notice("panic_test: crashing on purpose (%s)\n", kinds[panic_test_kind]);
	switch (panic_test_kind) {
	case 0: panic_test_pagefault(); break;
	case 1: panic_test_divide(); break;
	case 2: panic_test_ud(); break;
	case 3: panic_test_stack(0); break;
	case 4: panic_test_kstack(); break;
	case 5: panic("panic_test: requested from the command line"); break;
	}
	pr_err("panic_test: %s did not crash the kernel\n", kinds[panic_test_kind]);
}
