/*
 * panic and kernel assertions.
 *
 * panic() is for states the kernel cannot continue from and that no user or
 * device input can cause. It prints the message and a backtrace, then halts
 * the machine — or, with `testmode` on the command line, ends the emulator
 * run with TEST_EXIT_PANIC so tests see the failure at once.
 *
 * Fatal exceptions use the two halves directly: panic_begin(), print the
 * machine state, panic_finish().
 */
#ifndef KEEL_PANIC_H
#define KEEL_PANIC_H

#include <keel/compiler.h>
#include <keel/types.h>

__noreturn void panic(const char *fmt, ...) __printf(1, 2);

/* Enter panic mode: interrupts off, log lock bypassed, consoles forced on. */
void panic_begin(void);
/* Print the final panic line and stop (see above). */
__noreturn void panic_finish(const char *reason);

/* True once any CPU has begun to panic. */
bool panic_in_progress(void);

/* Set by the `testmode` parameter: panics and the end of boot exit QEMU. */
extern bool kernel_testmode;

/* Crash on purpose as panic_test= asks (kernel/debug/panic_test.c). */
void panic_test_run(void);

/* KASSERT: an invariant that holds unless the kernel itself is broken. */
#define KASSERT(cond)                                                       \
	do {                                                                \
		if (unlikely(!(cond)))                                      \
			panic("assertion failed: %s at %s:%d", #cond,       \
			      __FILE__, __LINE__);                          \
	} while (0)

#endif /* KEEL_PANIC_H */
