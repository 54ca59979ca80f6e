/*
 * Host stand-ins for the out-of-line arch boundary functions, for unit tests
 * of kernel code that calls them (one CPU, a fake clock).
 */
#include <keel/arch.h>
#include <keel/sprintf.h>
#include <keel/string.h>

uintptr_t host_direct_map_base;

unsigned int arch_cpu_id(void)
{
	return 0;
}

void arch_cpu_describe(char *buf, size_t size)
{
	strlcpy(buf, "host", size);
}

u64 arch_clock_ns(void)
{
	static u64 now;

	return now += 1000;
}

u64 arch_cycles(void)
{
	static u64 now;

	return now += 3000;
}

bool arch_unwind_next(struct arch_frame *f)
{
	return false;
}
