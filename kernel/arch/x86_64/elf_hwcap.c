/*
 * What x86_64 tells a new program about the CPU in its auxiliary vector:
 * AT_HWCAP is CPUID leaf 1's EDX (Linux's x86 ELF_HWCAP), AT_HWCAP2 has
 * bit 1 (HWCAP2_FSGSBASE) when user space may use the FSGSBASE
 * instructions (CR4.FSGSBASE on), AT_PLATFORM is "x86_64".
 */
#include <keel/arch.h>
#include <asm/cpu.h>

#define HWCAP2_FSGSBASE (1UL << 1)
/* Linux 6.1's minimum on x86_64 without AVX-512 state: 2048 bytes is
 * MINSIGSTKSZ; the real need is the frame plus the XSAVE area. */
#define X86_SIGFRAME_BASE 1024

unsigned long arch_elf_hwcap(void)
{
	u32 a, b, c, d;

	cpuid(1, &a, &b, &c, &d);
	return d;
}

unsigned long arch_elf_hwcap2(void)
{
	return read_cr4() & X86_CR4_FSGSBASE ? HWCAP2_FSGSBASE : 0;
}

const char *arch_elf_platform(void)
{
	return "x86_64";
}

unsigned long arch_min_sigstksz(void)
{
	u32 a, b, c, d, max;

	cpuid(0, &max, &b, &c, &d);
	if (max < 0xd)
		return 2048;
	/* EBX of leaf 0xD: the XSAVE area size for the features enabled in XCR0. */
	cpuid_count(0xd, 0, &a, &b, &c, &d);
	return X86_SIGFRAME_BASE + b < 2048 ? 2048 : X86_SIGFRAME_BASE + b;
}
