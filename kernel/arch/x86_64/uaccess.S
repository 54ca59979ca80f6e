/*
 * x86_64 user-memory access: the arch side of <keel/uaccess.h> (contract in
 * <keel/arch.h>, "user memory"). None of these checks the address range;
 * access_ok() in the callers does.
 *
 * Every instruction that touches user memory is listed in __ex_table (the
 * table arch_probe_* in probe.S use, searched by x86_fixup_fault() in
 * traps.c), so a #PF, or a #GP for a non-canonical address, resumes at the
 * fixup named beside it instead of oopsing. A fixup runs with RFLAGS as it
 * was at the fault, AC included: each one closes user access itself.
 *
 * SMAP: user pages are reachable from ring 0 only while RFLAGS.AC is set.
 * USER_ACCESS_BEGIN/END (STAC/CLAC) bracket exactly the user accesses, on
 * the normal and the fault path alike. x86_trap() clears AC on every entry,
 * so an interrupt or preemption in the middle of a copy does not leak open
 * user access into a handler or another thread; IRETQ restores it.
 *
 * Copies use REP MOVSB: fast on CPUs with ERMS/FSRM (microcode picks the
 * block size), and on a fault RCX holds exactly the bytes not yet copied,
 * so a copy stops at the first faulting byte with no tail-handling loop.
 * Strings are scanned a byte at a time: path names and argv entries are
 * short, and bytes never read past the NUL or the fault.
 */
#define EFAULT 14

/* STAC/CLAC only with SMAP on: CPUs without it raise #UD for them. */
.macro USER_ACCESS_BEGIN
	testb $1, x86_smap_enabled(%rip)
	jz .Lno_stac\@
	stac
.Lno_stac\@:
.endm

.macro USER_ACCESS_END
	testb $1, x86_smap_enabled(%rip)
	jz .Lno_clac\@
	clac
.Lno_clac\@:
.endm

/* A fault at \insn resumes at \fixup. */
.macro EX_ENTRY insn, fixup
	.pushsection __ex_table, "a"
	.balign 8
	.quad \insn, \fixup
	.popsection
.endm

	.text
	.code64

/*
 * unsigned long arch_copy_from_user(void *dst, const void __user *src,
 *				     unsigned long n);
 * unsigned long arch_copy_to_user(void __user *dst, const void *src,
 *				   unsigned long n);
 * One body: only the direction of the user side differs, and REP MOVSB does
 * not care. The fault path falls into the normal exit with RCX = bytes left.
 */
	.globl arch_copy_from_user, arch_copy_to_user
	.type arch_copy_from_user, @function
	.type arch_copy_to_user, @function
arch_copy_from_user:
arch_copy_to_user:
	movq %rdx, %rcx
	USER_ACCESS_BEGIN
.Lcopy:
	rep movsb
.Lcopy_end:
	USER_ACCESS_END
	movq %rcx, %rax
	ret
	EX_ENTRY .Lcopy, .Lcopy_end
	.size arch_copy_from_user, . - arch_copy_from_user
	.size arch_copy_to_user, . - arch_copy_to_user

/*
 * long arch_strncpy_from_user(char *dst, const char __user *src, long n);
 * RAX counts the bytes copied; n > 0.
 */
	.globl arch_strncpy_from_user
	.type arch_strncpy_from_user, @function
arch_strncpy_from_user:
	xorl %eax, %eax
	USER_ACCESS_BEGIN
1:	cmpq %rdx, %rax
	jae 2f                          /* no NUL within n: return n */
.Lstrncpy_load:
	movb (%rsi,%rax), %cl
	movb %cl, (%rdi,%rax)
	testb %cl, %cl
	jz 2f                           /* the NUL is copied, not counted */
	incq %rax
	jmp 1b
2:	USER_ACCESS_END
	ret
.Lstrncpy_fault:
	USER_ACCESS_END
	movq $-EFAULT, %rax
	ret
	EX_ENTRY .Lstrncpy_load, .Lstrncpy_fault
	.size arch_strncpy_from_user, . - arch_strncpy_from_user

/*
 * long arch_strnlen_user(const char __user *s, long n);
 * Both ends of the loop add one: past the NUL (length including it), or
 * past n (the "too long" answer n + 1).
 */
	.globl arch_strnlen_user
	.type arch_strnlen_user, @function
arch_strnlen_user:
	xorl %eax, %eax
	USER_ACCESS_BEGIN
1:	cmpq %rsi, %rax
	jae 2f
.Lstrnlen_load:
	cmpb $0, (%rdi,%rax)
	je 2f
	incq %rax
	jmp 1b
2:	incq %rax
	USER_ACCESS_END
	ret
.Lstrnlen_fault:
	USER_ACCESS_END
	xorl %eax, %eax
	ret
	EX_ENTRY .Lstrnlen_load, .Lstrnlen_fault
	.size arch_strnlen_user, . - arch_strnlen_user

/*
 * long arch_get_user_N(const void __user *p, u64 *val);
 * One load of N bytes (so an aligned 4- or 8-byte value is read atomically,
 * as futexes will need), zero-extended; *val is written only on success.
 */
.macro GET_USER size, load
	.globl arch_get_user_\size
	.type arch_get_user_\size, @function
arch_get_user_\size:
	USER_ACCESS_BEGIN
.Lget_user_\size:
	\load
	USER_ACCESS_END
	movq %rax, (%rsi)
	xorl %eax, %eax
	ret
.Lget_user_fault_\size:
	USER_ACCESS_END
	movq $-EFAULT, %rax
	ret
	EX_ENTRY .Lget_user_\size, .Lget_user_fault_\size
	.size arch_get_user_\size, . - arch_get_user_\size
.endm

	GET_USER 1, "movzbl (%rdi), %eax"
	GET_USER 2, "movzwl (%rdi), %eax"
	GET_USER 4, "movl (%rdi), %eax"
	GET_USER 8, "movq (%rdi), %rax"

/*
 * long arch_put_user_N(void __user *p, u64 val);
 * One store of the low N bytes of val.
 */
.macro PUT_USER size, store
	.globl arch_put_user_\size
	.type arch_put_user_\size, @function
arch_put_user_\size:
	USER_ACCESS_BEGIN
.Lput_user_\size:
	\store
	USER_ACCESS_END
	xorl %eax, %eax
	ret
.Lput_user_fault_\size:
	USER_ACCESS_END
	movq $-EFAULT, %rax
	ret
	EX_ENTRY .Lput_user_\size, .Lput_user_fault_\size
	.size arch_put_user_\size, . - arch_put_user_\size
.endm

	PUT_USER 1, "movb %sil, (%rdi)"
	PUT_USER 2, "movw %si, (%rdi)"
	PUT_USER 4, "movl %esi, (%rdi)"
	PUT_USER 8, "movq %rsi, (%rdi)"

/*
 * long arch_cmpxchg_user_4(u32 __user *p, u32 *old, u32 new);
 * LOCK CMPXCHG: EAX holds the expected value and receives the one found.
 */
	.globl arch_cmpxchg_user_4
	.type arch_cmpxchg_user_4, @function
arch_cmpxchg_user_4:
	movl (%rsi), %eax
	USER_ACCESS_BEGIN
.Lcmpxchg_user_4:
	lock cmpxchgl %edx, (%rdi)
	USER_ACCESS_END
	movl %eax, (%rsi)
	xorl %eax, %eax
	ret
.Lcmpxchg_user_fault_4:
	USER_ACCESS_END
	movq $-EFAULT, %rax
	ret
	EX_ENTRY .Lcmpxchg_user_4, .Lcmpxchg_user_fault_4
	.size arch_cmpxchg_user_4, . - arch_cmpxchg_user_4

	.section .note.GNU-stack, "", @progbits
