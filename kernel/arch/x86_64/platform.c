/*
 * x86_64 platform control: halting, reset, and the QEMU test-exit device.
 * ACPI power-off arrives with the ACPI tables (interrupts/SMP issue).
 */
#include <keel/arch.h>
#include <asm/io.h>

#define QEMU_DEBUG_EXIT_PORT 0xf4

__noreturn void arch_halt_forever(void)
{
	for (;;)
		__asm__ __volatile__("cli; hlt");
}

/*
 * QEMU's isa-debug-exit turns the value written into exit status
 * (value << 1) | 1. Without the device the write does nothing and we return.
 */
void arch_test_exit(unsigned int code)
{
	outl(QEMU_DEBUG_EXIT_PORT, code);
}

/* Reset through the PCI reset control register, then the keyboard controller. */
__noreturn void arch_reset(void)
{
	int i;

	outb(0xcf9, 0x02);
	outb(0xcf9, 0x06);
	for (i = 0; i < 100000 && (inb(0x64) & 0x02); i++)
		;
	outb(0x64, 0xfe);
	arch_halt_forever();
}
