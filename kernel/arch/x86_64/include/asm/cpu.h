/*
 * x86_64 CPU registers: control registers, MSRs, CPUID, TSC.
 */
#ifndef ASM_CPU_H
#define ASM_CPU_H

#include <keel/types.h>

#define X86_CR0_PE (1UL << 0)
#define X86_CR0_MP (1UL << 1)
#define X86_CR0_EM (1UL << 2)
#define X86_CR0_TS (1UL << 3)
#define X86_CR0_NE (1UL << 5)
#define X86_CR0_WP (1UL << 16)
#define X86_CR0_AM (1UL << 18)
#define X86_CR0_PG (1UL << 31)

#define X86_CR4_PAE    (1UL << 5)
#define X86_CR4_PGE    (1UL << 7)
#define X86_CR4_OSFXSR (1UL << 9)
#define X86_CR4_OSXMMEXCPT (1UL << 10)
#define X86_CR4_UMIP   (1UL << 11)
#define X86_CR4_FSGSBASE (1UL << 16)
#define X86_CR4_OSXSAVE (1UL << 18)
#define X86_CR4_SMEP   (1UL << 20)
#define X86_CR4_SMAP   (1UL << 21)

/* RFLAGS bits (IF and AC are in asm/arch_inline.h). */
#define X86_RFLAGS_CF   (1UL << 0)
#define X86_RFLAGS_FIXED (1UL << 1)   /* always 1 */
#define X86_RFLAGS_PF   (1UL << 2)
#define X86_RFLAGS_AF   (1UL << 4)
#define X86_RFLAGS_ZF   (1UL << 6)
#define X86_RFLAGS_SF   (1UL << 7)
#define X86_RFLAGS_TF   (1UL << 8)
#define X86_RFLAGS_DF   (1UL << 10)
#define X86_RFLAGS_OF   (1UL << 11)
#define X86_RFLAGS_IOPL (3UL << 12)
#define X86_RFLAGS_NT   (1UL << 14)
#define X86_RFLAGS_RF   (1UL << 16)
#define X86_RFLAGS_ID   (1UL << 21)

#define MSR_EFER          0xc0000080
#define MSR_FS_BASE       0xc0000100
#define MSR_GS_BASE       0xc0000101
#define MSR_KERNEL_GS_BASE 0xc0000102
#define MSR_STAR          0xc0000081
#define MSR_LSTAR         0xc0000082
#define MSR_CSTAR         0xc0000083
#define MSR_SYSCALL_MASK  0xc0000084
#define MSR_SYSENTER_CS   0x00000174
#define MSR_SYSENTER_ESP  0x00000175
#define MSR_SYSENTER_EIP  0x00000176
#define MSR_TSC_AUX       0xc0000103
#define EFER_SCE (1UL << 0)
#define EFER_LME (1UL << 8)
#define EFER_NXE (1UL << 11)

static inline u64 rdmsr(u32 msr)
{
	u32 lo, hi;

	__asm__ __volatile__("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return ((u64)hi << 32) | lo;
}

static inline void wrmsr(u32 msr, u64 v)
{
	__asm__ __volatile__("wrmsr" : : "c"(msr), "a"((u32)v), "d"((u32)(v >> 32)));
}

/* XCR0: the state components XSAVE manages (CR4.OSXSAVE must be set). */
static inline u64 xgetbv(u32 index)
{
	u32 lo, hi;

	__asm__ __volatile__("xgetbv" : "=a"(lo), "=d"(hi) : "c"(index));
	return ((u64)hi << 32) | lo;
}

static inline void xsetbv(u32 index, u64 v)
{
	__asm__ __volatile__("xsetbv"
			     : : "c"(index), "a"((u32)v), "d"((u32)(v >> 32)));
}

static inline void cpuid_count(u32 leaf, u32 sub, u32 *a, u32 *b, u32 *c, u32 *d)
{
	__asm__ __volatile__("cpuid"
			     : "=a"(*a), "=b"(*b), "=c"(*c), "=d"(*d)
			     : "a"(leaf), "c"(sub));
}

static inline void cpuid(u32 leaf, u32 *a, u32 *b, u32 *c, u32 *d)
{
	cpuid_count(leaf, 0, a, b, c, d);
}

static inline u64 rdtsc(void)
{
	u32 lo, hi;

	__asm__ __volatile__("rdtsc" : "=a"(lo), "=d"(hi));
	return ((u64)hi << 32) | lo;
}

#define DEFINE_CR_ACCESSORS(n)                                            \
	static inline unsigned long read_cr##n(void)                      \
	{                                                                 \
		unsigned long v;                                          \
		__asm__ __volatile__("mov %%cr" #n ", %0" : "=r"(v));     \
		return v;                                                 \
	}                                                                 \
	static inline void write_cr##n(unsigned long v)                   \
	{                                                                 \
		__asm__ __volatile__("mov %0, %%cr" #n : : "r"(v) : "memory"); \
	}
DEFINE_CR_ACCESSORS(0)
DEFINE_CR_ACCESSORS(2)
DEFINE_CR_ACCESSORS(3)
DEFINE_CR_ACCESSORS(4)
#undef DEFINE_CR_ACCESSORS

/* CPU feature bits the kernel checks (leaf, register, bit). */
#define X86_FEAT_1_EDX_TSC      4
#define X86_FEAT_1_EDX_FXSR     24
#define X86_FEAT_1_ECX_XSAVE    26
#define X86_FEAT_1_ECX_X2APIC   21
#define X86_FEAT_1_ECX_TSCDL    24
#define X86_FEAT_7_EBX_FSGSBASE 0
#define X86_FEAT_7_EBX_SMEP     7
#define X86_FEAT_7_EBX_SMAP     20
#define X86_FEAT_7_ECX_UMIP     2
#define X86_FEAT_7_ECX_RDPID    22
#define X86_FEAT_81_EDX_NX      20
#define X86_FEAT_81_EDX_LM      29
#define X86_FEAT_81_EDX_RDTSCP  27
#define X86_FEAT_87_EDX_INVTSC  8

#endif /* ASM_CPU_H */
