/*
 * The x86_64 part of core dumps: a task's user registers in the order of
 * Linux's elf_gregset_t (struct user_regs_struct), for NT_PRSTATUS.
 */
#include <keel/arch.h>
#include <asm/cpu.h>
#include <asm/x86.h>

void arch_elf_core_regs(struct user_regs *r, u64 out[ARCH_ELF_NGREG])
{
	const struct trap_frame *tf = &r->tf;
	u64 g[ARCH_ELF_NGREG] = {
		tf->r15, tf->r14, tf->r13, tf->r12, tf->rbp, tf->rbx,
		tf->r11, tf->r10, tf->r9, tf->r8, tf->rax, tf->rcx, tf->rdx,
		tf->rsi, tf->rdi,
		arch_user_regs_syscall_nr(r) >= 0 ? (u64)arch_user_regs_syscall_nr(r)
						  : (u64)-1,    /* orig_rax */
		tf->rip, tf->cs, tf->rflags, tf->rsp, tf->ss,
		rdmsr(MSR_FS_BASE), rdmsr(MSR_KERNEL_GS_BASE),
		0, 0, 0, 0,     /* ds, es, fs, gs selectors: not kept per task */
	};

	for (int i = 0; i < ARCH_ELF_NGREG; i++)
		out[i] = g[i];
}
