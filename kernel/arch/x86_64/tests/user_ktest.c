/*
 * ktests for the x86_64 user-mode boundary: SYSCALL/SYSRET and IRET
 * returns, exceptions from ring 3, the FPU state and its switch, the
 * signal-frame FPU helpers, arch_prctl and ioperm.
 *
 * Real user code runs here without processes: a kernel thread gets arch
 * user state and leaves for ring 3 with arch_return_to_user(), running a
 * small blob copied into a user window mapped in the kernel's own tables
 * (code, data and stack pages at UWIN, like the uaccess suite's window,
 * removed again afterwards). Such a thread has no task, so its system
 * calls must not need one (the blobs use arch_prctl, ioperm and unknown
 * numbers), and the first exception ends it: x86_kthread_user_end() hands
 * the final frame (and CR2) to the test, which joins the thread and gets
 * the vector as its exit code.
 */
#include <keel/arch.h>
#include <keel/err.h>
#include <keel/errno.h>
#include <keel/ktest.h>
#include <keel/ktest_thread.h>
#include <keel/mm.h>
#include <keel/preempt.h>
#include <keel/sched.h>
#include <keel/smp.h>
#include <keel/string.h>
#include <keel/syscall.h>
#include <keel/uaccess.h>
#include <keel/vm.h>
#include <asm/cpu.h>
#include <asm/fpu.h>
#include <asm/layout.h>
#include <asm/x86.h>

#define PTE_P    (1ULL << 0)
#define PTE_ADDR 0x000ffffffffff000ULL

#define UWIN       0x400000UL
#define UCODE      UWIN
#define UDATA      (UWIN + PAGE_SIZE)
#define USTACK_TOP (UWIN + 3 * PAGE_SIZE)
#define UWIN_PAGES 3

static struct page *uwin_pages[UWIN_PAGES];

/* ---- user blobs (copied to UCODE; position-independent) ------------------ */

#define BLOB(name, code)                                                    \
	__asm__(".pushsection .rodata, \"a\"\n"                             \
		".balign 16\n"                                              \
		#name "_start:\n" code "\n" #name "_end:\n"                 \
		".popsection");                                             \
	extern const char name##_start[], name##_end[]

BLOB(ub_syscall, "movl $1000, %eax; syscall; ud2");
BLOB(ub_int3, "int3; ud2");
BLOB(ub_int80, "int $0x80");
BLOB(ub_div0, "xorl %ecx, %ecx; movl $1, %eax; xorl %edx, %edx; divl %ecx");
BLOB(ub_pf_user, "movq 0x12345000, %rax");
BLOB(ub_pf_kernel, "movabsq $0xffff888000000000, %rbx; movq (%rbx), %rax");
BLOB(ub_cli, "cli");
BLOB(ub_inb, "inb $0x80, %al; ud2");
BLOB(ub_ioperm,
     "movl $173, %eax; movl $0x80, %edi; movl $1, %esi; movl $1, %edx;"
     "syscall; movq %rax, %r12; inb $0x80, %al; ud2");
BLOB(ub_fpu_init,
     "fnstcw (%rdi); stmxcsr 4(%rdi);"
     "movdqu %xmm0, 16(%rdi); movdqu %xmm1, 32(%rdi);"
     "movdqu %xmm7, 48(%rdi); movdqu %xmm15, 64(%rdi); ud2");
BLOB(ub_fpu_keep,
     "movdqu (%rdi), %xmm3; movdqu (%rdi), %xmm12; movl $1000, %eax;"
     "syscall; movdqu %xmm3, 16(%rdi); movdqu %xmm12, 32(%rdi); ud2");
BLOB(ub_fs,
     "movq %rdi, %rsi; movl $0x1002, %edi; movl $158, %eax; syscall;"
     "movq %rax, %r12; movq %fs:8, %r13; ud2");
BLOB(ub_spin,
     "movq $3000000, %rcx; 1: cmpq %r14, %r15; jne 2f; decq %rcx; jnz 1b;"
     "ud2; 2: int3");

/* ---- the user window ------------------------------------------------------ */

static u64 *pml4(void)
{
	return phys_to_virt(arch_kernel_root());
}

static void *kview(unsigned long ua)
{
	unsigned long off = ua - UWIN;

	return (u8 *)page_address(uwin_pages[off / PAGE_SIZE]) + off % PAGE_SIZE;
}

static void free_table(u64 entry)
{
	free_page(pfn_to_page((entry & PTE_ADDR) >> PAGE_SHIFT));
}

static void uwin_teardown(void)
{
	u64 *l4 = pml4(), l4e, l3e, l2e;
	int i;

	for (i = 0; i < UWIN_PAGES; i++)
		if (uwin_pages[i])
			arch_unmap_page(arch_kernel_root(), UWIN + i * PAGE_SIZE);
	l4e = l4[0];
	l3e = (l4e & PTE_P) ? ((u64 *)phys_to_virt(l4e & PTE_ADDR))[0] : 0;
	l2e = (l3e & PTE_P) ?
	      ((u64 *)phys_to_virt(l3e & PTE_ADDR))[(UWIN >> 21) & 511] : 0;
	WRITE_ONCE(l4[0], 0);
	flush_tlb_kernel_range(UWIN, UWIN_PAGES * PAGE_SIZE);
	if (l2e & PTE_P)
		free_table(l2e);
	if (l3e & PTE_P)
		free_table(l3e);
	if (l4e & PTE_P)
		free_table(l4e);
	for (i = 0; i < UWIN_PAGES; i++) {
		if (uwin_pages[i])
			free_page(uwin_pages[i]);
		uwin_pages[i] = NULL;
	}
}

static int uwin_setup(void)
{
	static const unsigned int prot[UWIN_PAGES] = {
		VM_READ | VM_EXEC | VM_USER,
		VM_READ | VM_WRITE | VM_USER,
		VM_READ | VM_WRITE | VM_USER,
	};
	int i;

	if (pml4()[0] & PTE_P)
		return -EBUSY;
	for (i = 0; i < UWIN_PAGES; i++) {
		uwin_pages[i] = alloc_page(GFP_KERNEL | __GFP_ZERO);
		if (!uwin_pages[i] ||
		    arch_map_page(arch_kernel_root(), UWIN + i * PAGE_SIZE,
				  page_to_phys(uwin_pages[i]), prot[i])) {
			uwin_teardown();
			return -ENOMEM;
		}
	}
	return 0;
}

/* ---- running a blob in ring 3 --------------------------------------------- */

struct urun {
	const char *start, *end;        /* the blob */
	struct trap_frame init;         /* registers to start with (GPRs) */
	unsigned long rip;              /* 0: UCODE */
	struct trap_frame out;          /* the frame of the final exception */
	unsigned long cr2;
};

static int urun_thread(void *arg)
{
	struct urun *r = arg;
	struct user_regs *regs = arch_user_regs(current);
	struct trap_frame *tf = x86_user_frame(regs);

	arch_user_regs_init(regs, r->rip ? r->rip : UCODE, USTACK_TOP);
	memcpy(tf, &r->init, __builtin_offsetof(struct trap_frame, vector));
	arch_return_to_user(regs);
}

/* Run @r on the @cpu-th CPU. Return: the vector that ended it, or -errno. */
static int urun(struct urun *r, unsigned int cpu)
{
	struct x86_thread_user *u;
	struct cpumask mask;
	struct thread *th;

	memset(kview(UCODE), 0xcc, PAGE_SIZE);
	memcpy(kview(UCODE), r->start, r->end - r->start);
	th = kthread_create(urun_thread, r, "x86_user");
	if (IS_ERR(th))
		return PTR_ERR(th);
	if (arch_thread_user_init(th)) {
		kthread_destroy(th);
		return -ENOMEM;
	}
	u = th->arch_user;
	u->end_frame = &r->out;
	u->end_cr2 = &r->cr2;
	cpumask_clear(&mask);
	cpumask_set_cpu(ktest_nth_online_cpu(cpu), &mask);
	sched_setaffinity(th, &mask);
	thread_start(th);
	return kthread_join(th);
}

#define RUN(t, r, cpu, want)                                                \
	KTEST_EXPECT_EQ(t, urun(r, cpu), want)

/* ---- SYSRET or IRET -------------------------------------------------------- */

static void sysret_frame(struct trap_frame *tf)
{
	memset(tf, 0, sizeof(*tf));
	tf->rip = tf->rcx = 0x401000;
	tf->rflags = tf->r11 = X86_RFLAGS_IF | X86_RFLAGS_FIXED;
	tf->cs = GDT_USER_CS | 3;
	tf->ss = GDT_USER_DS | 3;
}

static void test_sysret_decision(struct ktest *t)
{
	struct trap_frame tf;

	sysret_frame(&tf);
	KTEST_EXPECT_TRUE(t, x86_sysret_ok(&tf));
	tf.rip = tf.rcx = 0x00007fffffffffffUL;     /* last canonical byte */
	KTEST_EXPECT_TRUE(t, x86_sysret_ok(&tf));
	tf.rip = tf.rcx = 0x0000800000000000UL;     /* non-canonical */
	KTEST_EXPECT_FALSE(t, x86_sysret_ok(&tf));
	tf.rip = tf.rcx = 0xffff800000000000UL;     /* kernel half */
	KTEST_EXPECT_FALSE(t, x86_sysret_ok(&tf));
	sysret_frame(&tf);
	tf.rip -= 2;                                /* a restarted call */
	KTEST_EXPECT_FALSE(t, x86_sysret_ok(&tf));
	sysret_frame(&tf);
	tf.r11 = 0;                                 /* sigreturn changed it */
	KTEST_EXPECT_FALSE(t, x86_sysret_ok(&tf));
	sysret_frame(&tf);
	tf.rflags = tf.r11 = tf.rflags | X86_RFLAGS_TF;
	KTEST_EXPECT_FALSE(t, x86_sysret_ok(&tf));
	sysret_frame(&tf);
	tf.rflags = tf.r11 = tf.rflags | X86_RFLAGS_RF;
	KTEST_EXPECT_FALSE(t, x86_sysret_ok(&tf));
	sysret_frame(&tf);
	tf.cs = GDT_USER32_CS | 3;
	KTEST_EXPECT_FALSE(t, x86_sysret_ok(&tf));
}

/* The register record accessors of <keel/arch.h>. */
static void test_user_regs_accessors(struct ktest *t)
{
	struct user_regs r, c;

	arch_user_regs_init(&r, 0x401000, 0x7ff000);
	KTEST_EXPECT_UEQ(t, arch_user_regs_ip(&r), 0x401000);
	KTEST_EXPECT_UEQ(t, arch_user_regs_sp(&r), 0x7ff000);
	KTEST_EXPECT_EQ(t, arch_user_regs_syscall_nr(&r), -1);
	KTEST_EXPECT_UEQ(t, r.tf.rflags, X86_RFLAGS_IF | X86_RFLAGS_FIXED);
	KTEST_EXPECT_UEQ(t, r.tf.cs, GDT_USER_CS | 3);
	r.tf.vector = X86_VECTOR_SYSCALL;
	r.tf.error_code = 0;            /* read */
	r.tf.rip = 0x401002;
	arch_user_regs_set_return(&r, -4);
	KTEST_EXPECT_EQ(t, arch_user_regs_syscall_nr(&r), 0);
	KTEST_EXPECT_EQ(t, arch_user_regs_return(&r), -4);
	arch_user_regs_fork(&c, &r);
	KTEST_EXPECT_EQ(t, arch_user_regs_return(&c), 0);
	arch_user_regs_restart_syscall(&r, -1);
	KTEST_EXPECT_UEQ(t, r.tf.rip, 0x401000);
	KTEST_EXPECT_UEQ(t, r.tf.rax, 0);
	r.tf.rip = 0x401002;
	arch_user_regs_restart_syscall(&r, 219);
	KTEST_EXPECT_UEQ(t, r.tf.rax, 219);
	x86_frame_forget_syscall(&r.tf);
	KTEST_EXPECT_EQ(t, arch_user_regs_syscall_nr(&r), -1);
}

/* ---- system calls and exceptions from ring 3 -------------------------------- */

static void test_syscall_roundtrip(struct ktest *t)
{
	static const u64 pat[] = { 0x1111, 0x2222, 0x3333, 0x4444, 0x5555,
				   0x6666, 0x7777, 0x8888, 0x9999, 0xaaaa,
				   0xbbbb };
	struct urun r = { .start = ub_syscall_start, .end = ub_syscall_end };

	r.init.rbx = pat[0];
	r.init.rbp = pat[1];
	r.init.r12 = pat[2];
	r.init.r13 = pat[3];
	r.init.r14 = pat[4];
	r.init.r15 = pat[5];
	r.init.rdi = pat[6];
	r.init.rsi = pat[7];
	r.init.rdx = pat[8];
	r.init.r8 = pat[9];
	r.init.r10 = pat[10];
	RUN(t, &r, 1, 6);
	KTEST_EXPECT_EQ(t, (long)r.out.rax, -ENOSYS);
	KTEST_EXPECT_UEQ(t, r.out.rip, UCODE + 7);         /* the ud2 */
	KTEST_EXPECT_UEQ(t, r.out.rcx, UCODE + 7);         /* SYSCALL's RIP */
	KTEST_EXPECT_TRUE(t, r.out.r11 & X86_RFLAGS_IF);
	KTEST_EXPECT_UEQ(t, r.out.rbx, pat[0]);
	KTEST_EXPECT_UEQ(t, r.out.rbp, pat[1]);
	KTEST_EXPECT_UEQ(t, r.out.r12, pat[2]);
	KTEST_EXPECT_UEQ(t, r.out.r13, pat[3]);
	KTEST_EXPECT_UEQ(t, r.out.r14, pat[4]);
	KTEST_EXPECT_UEQ(t, r.out.r15, pat[5]);
	KTEST_EXPECT_UEQ(t, r.out.rdi, pat[6]);
	KTEST_EXPECT_UEQ(t, r.out.rsi, pat[7]);
	KTEST_EXPECT_UEQ(t, r.out.rdx, pat[8]);
	KTEST_EXPECT_UEQ(t, r.out.r8, pat[9]);
	KTEST_EXPECT_UEQ(t, r.out.r10, pat[10]);
	KTEST_EXPECT_UEQ(t, r.out.rsp, USTACK_TOP);
	KTEST_EXPECT_UEQ(t, r.out.cs, GDT_USER_CS | 3);
}

static void test_exceptions(struct ktest *t)
{
	struct urun r = { .start = ub_int3_start, .end = ub_int3_end };

	RUN(t, &r, 0, 3);
	KTEST_EXPECT_UEQ(t, r.out.rip, UCODE + 1);
	r = (struct urun){ .start = ub_int80_start, .end = ub_int80_end };
	RUN(t, &r, 1, 13);              /* a DPL-0 gate: #GP, not vector 0x80 */
	KTEST_EXPECT_UEQ(t, r.out.error_code & 3, 2);      /* IDT, not ext */
	r = (struct urun){ .start = ub_div0_start, .end = ub_div0_end };
	RUN(t, &r, 0, 0);
	KTEST_EXPECT_UEQ(t, r.out.rip, UCODE + 9);
	r = (struct urun){ .start = ub_pf_user_start, .end = ub_pf_user_end };
	RUN(t, &r, 1, 14);
	KTEST_EXPECT_UEQ(t, r.cr2, 0x12345000);
	KTEST_EXPECT_UEQ(t, r.out.error_code & 7, 4);      /* user, read, !P */
	r = (struct urun){ .start = ub_pf_kernel_start, .end = ub_pf_kernel_end };
	RUN(t, &r, 0, 14);
	KTEST_EXPECT_UEQ(t, r.cr2, DIRECT_MAP_BASE);
	KTEST_EXPECT_UEQ(t, r.out.error_code & 7, 5);      /* user, read, P */
	r = (struct urun){ .start = ub_cli_start, .end = ub_cli_end };
	RUN(t, &r, 1, 13);
	r = (struct urun){ .start = ub_inb_start, .end = ub_inb_end };
	RUN(t, &r, 0, 13);              /* no ioperm: no ports */
}

/* Registers survive interrupts taken in ring 3 (and the IRET back). */
static void test_interrupted_user_loop(struct ktest *t)
{
	struct urun r = { .start = ub_spin_start, .end = ub_spin_end };

	r.init.r14 = r.init.r15 = 0x5a5a5a5a12345678UL;
	RUN(t, &r, 1, 6);
	KTEST_EXPECT_UEQ(t, r.out.rcx, 0);
}

/* An IRET to a non-canonical RIP faults in ring 0: the task's fault. */
static void test_bad_iret(struct ktest *t)
{
	struct urun r = { .start = ub_int3_start, .end = ub_int3_end };

	r.rip = 0x0000800000000000UL;
	r.init.rbx = 0xfeedface;
	RUN(t, &r, 0, 13);
	KTEST_EXPECT_UEQ(t, r.out.rip, 0x0000800000000000UL);
	KTEST_EXPECT_UEQ(t, r.out.cs, GDT_USER_CS | 3);
	KTEST_EXPECT_UEQ(t, r.out.rbx, 0xfeedface);
}

/* ---- FPU -------------------------------------------------------------------- */

static void test_fpu_initial_state(struct ktest *t)
{
	struct urun r = { .start = ub_fpu_init_start, .end = ub_fpu_init_end };
	u8 *d = kview(UDATA), zero[64] = { 0 };
	u16 fcw;
	u32 mxcsr;

	memset(d, 0xee, 128);
	r.init.rdi = UDATA;
	RUN(t, &r, 1, 6);
	memcpy(&fcw, d, 2);
	memcpy(&mxcsr, d + 4, 4);
	KTEST_EXPECT_UEQ(t, fcw, X86_FCW_INIT);
	KTEST_EXPECT_UEQ(t, mxcsr, X86_MXCSR_INIT);
	KTEST_EXPECT_MEMEQ(t, d + 16, zero, 64);
}

static void test_fpu_kept_across_syscall(struct ktest *t)
{
	struct urun r = { .start = ub_fpu_keep_start, .end = ub_fpu_keep_end };
	u8 *d = kview(UDATA);
	int i;

	for (i = 0; i < 16; i++)
		d[i] = (u8)(0x31 + i * 3);
	memset(d + 16, 0, 32);
	r.init.rdi = UDATA;
	RUN(t, &r, 0, 6);
	KTEST_EXPECT_MEMEQ(t, d + 16, d, 16);
	KTEST_EXPECT_MEMEQ(t, d + 32, d, 16);
}

static void load_xmm(const u8 *p)
{
	__asm__ __volatile__("movdqu (%0), %%xmm0; movdqu 16(%0), %%xmm9;"
			     "movdqu 32(%0), %%xmm15" : : "r"(p) : "memory");
}

static void store_xmm(u8 *p)
{
	__asm__ __volatile__("movdqu %%xmm0, (%0); movdqu %%xmm9, 16(%0);"
			     "movdqu %%xmm15, 32(%0)" : : "r"(p) : "memory");
}

static bool have_avx(void)
{
	return x86_fpu_xfeatures() & XFEATURE_YMM;
}

static void load_ymm_hi(const u8 *p)
{
	__asm__ __volatile__("vinsertf128 $1, (%0), %%ymm5, %%ymm5"
			     : : "r"(p) : "memory");
}

static void store_ymm_hi(u8 *p)
{
	__asm__ __volatile__("vextractf128 $1, %%ymm5, (%0)"
			     : : "r"(p) : "memory");
}

static void fake_thread(struct thread *f, unsigned long fs)
{
	memset(f, 0, sizeof(*f));
	f->stack = current->stack;
	f->stack_size = current->stack_size;
	if (!arch_thread_user_init(f))
		((struct x86_thread_user *)f->arch_user)->fs_base = fs;
}

/* arch_switch_user_state saves one thread's registers and loads another's. */
static void test_fpu_switch_state(struct ktest *t)
{
	static struct thread a, b;
	u8 pa[48], pb[48], got[48], zero[48] = { 0 }, ya[16], yb[16];
	u64 switches, fs_a, fs_b;
	unsigned long flags;
	int i;

	fake_thread(&a, 0x1000);
	fake_thread(&b, 0x2000);
	KTEST_ASSERT_NOT_NULL(t, a.arch_user);
	KTEST_ASSERT_NOT_NULL(t, b.arch_user);
	for (i = 0; i < 48; i++) {
		pa[i] = (u8)(i + 1);
		pb[i] = (u8)(0xf0 - i);
	}
	memset(ya, 0xa5, sizeof(ya));
	memset(yb, 0x5a, sizeof(yb));
	flags = arch_irq_save();
	switches = x86_this_cpu()->user_switches;
	wrmsr(MSR_FS_BASE, 0x1000);             /* "a" is running */
	load_xmm(pa);
	if (have_avx())
		load_ymm_hi(ya);
	arch_switch_user_state(&a, &b);         /* b: the initial state */
	store_xmm(got);
	fs_b = rdmsr(MSR_FS_BASE);
	KTEST_EXPECT_MEMEQ(t, got, zero, 48);
	load_xmm(pb);
	if (have_avx()) {
		store_ymm_hi(got);
		KTEST_EXPECT_MEMEQ(t, got, zero, 16);
		load_ymm_hi(yb);
	}
	arch_switch_user_state(&b, &a);
	store_xmm(got);
	fs_a = rdmsr(MSR_FS_BASE);
	KTEST_EXPECT_MEMEQ(t, got, pa, 48);
	if (have_avx()) {
		store_ymm_hi(got);
		KTEST_EXPECT_MEMEQ(t, got, ya, 16);
	}
	arch_switch_user_state(&a, &b);
	store_xmm(got);
	KTEST_EXPECT_MEMEQ(t, got, pb, 48);
	if (have_avx()) {
		store_ymm_hi(got);
		KTEST_EXPECT_MEMEQ(t, got, yb, 16);
	}
	KTEST_EXPECT_UEQ(t, x86_this_cpu()->user_switches - switches, 3);
	wrmsr(MSR_FS_BASE, 0);
	x86_set_kernel_stack((unsigned long)current->stack +
			     current->stack_size);
	arch_irq_restore(flags);
	KTEST_EXPECT_UEQ(t, fs_b, 0x2000);
	KTEST_EXPECT_UEQ(t, fs_a, 0x1000);
	arch_thread_user_free(&a);
	arch_thread_user_free(&b);
}

/*
 * The running test thread borrows arch user state for the helpers that
 * work on "the calling task". A switch between kernel threads saves no
 * FPU state, but no kernel thread touches the registers either (and no
 * task runs during the ktests), so they stay this thread's even if it is
 * preempted between loading and checking them.
 */
static bool borrow_user_state(struct ktest *t)
{
	if (arch_thread_user_init(current)) {
		ktest_skip(t, "no memory");
		return false;
	}
	return true;
}

static void return_user_state(void)
{
	unsigned long flags = arch_irq_save();

	wrmsr(MSR_FS_BASE, 0);
	wrmsr(MSR_KERNEL_GS_BASE, 0);
	arch_irq_restore(flags);
	arch_thread_user_free(current);
}

static void test_fpu_sigframe_roundtrip(struct ktest *t)
{
	u8 *frame = kview(UDATA), pat[48], got[48], zero[48] = { 0 };
	void __user *uf = (void __user *)UDATA;
	unsigned long size = x86_fpu_sigframe_size();
	struct x86_fpx_sw_bytes sw;
	u32 magic2, mxcsr;
	int i;

	KTEST_ASSERT_TRUE(t, size <= PAGE_SIZE);
	if (!borrow_user_state(t))
		return;
	for (i = 0; i < 48; i++)
		pat[i] = (u8)(0x40 + i);
	load_xmm(pat);
	KTEST_EXPECT_EQ(t, x86_fpu_save_sigframe(uf), 0);
	load_xmm(zero);
	KTEST_EXPECT_EQ(t, x86_fpu_restore_sigframe(uf), 0);
	store_xmm(got);
	KTEST_EXPECT_MEMEQ(t, got, pat, 48);
	KTEST_EXPECT_MEMEQ(t, frame + 160, pat, 16);       /* xmm0 */
	if (x86_fpu_xsave_enabled()) {
		memcpy(&sw, frame + X86_FPX_SW_OFFSET, sizeof(sw));
		KTEST_EXPECT_UEQ(t, sw.magic1, FP_XSTATE_MAGIC1);
		KTEST_EXPECT_UEQ(t, sw.xstate_size, x86_fpu_area_size());
		KTEST_EXPECT_UEQ(t, sw.extended_size, size);
		KTEST_EXPECT_UEQ(t, sw.xfeatures, x86_fpu_xfeatures());
		memcpy(&magic2, frame + sw.xstate_size, 4);
		KTEST_EXPECT_UEQ(t, magic2, FP_XSTATE_MAGIC2);
		/* Without the magic: only the legacy part is taken. */
		frame[X86_FPX_SW_OFFSET] ^= 1;
		load_xmm(zero);
		KTEST_EXPECT_EQ(t, x86_fpu_restore_sigframe(uf), 0);
		store_xmm(got);
		KTEST_EXPECT_MEMEQ(t, got, pat, 48);
		frame[X86_FPX_SW_OFFSET] ^= 1;
	}
	/* A reserved MXCSR bit: refused, and the state is reset. */
	memcpy(&mxcsr, frame + 24, 4);
	mxcsr |= 0x80000000U;
	memcpy(frame + 24, &mxcsr, 4);
	load_xmm(pat);
	KTEST_EXPECT_EQ(t, x86_fpu_restore_sigframe(uf), -EFAULT);
	store_xmm(got);
	KTEST_EXPECT_MEMEQ(t, got, zero, 48);
	/* Bad buffers. */
	KTEST_EXPECT_EQ(t, x86_fpu_save_sigframe((void __user *)(UDATA + 8)),
			-EFAULT);
	KTEST_EXPECT_EQ(t, x86_fpu_save_sigframe((void __user *)USER_TOP),
			-EFAULT);
	KTEST_EXPECT_EQ(t, x86_fpu_restore_sigframe((const void __user *)
						   DIRECT_MAP_BASE), -EFAULT);
	return_user_state();
}

/* ---- arch_prctl and ioperm -------------------------------------------------- */

#define ARCH_SET_GS 0x1001
#define ARCH_SET_FS 0x1002
#define ARCH_GET_FS 0x1003
#define ARCH_GET_GS 0x1004
#define ARCH_GET_CPUID 0x1011

static long call2(unsigned long nr, unsigned long a, unsigned long b)
{
	struct syscall_args args = { { a, b, 0, 0, 0, 0 } };

	return syscall_dispatch(nr, &args);
}

static long call3(unsigned long nr, unsigned long a, unsigned long b,
		  unsigned long c)
{
	struct syscall_args args = { { a, b, c, 0, 0, 0 } };

	return syscall_dispatch(nr, &args);
}

static void test_arch_prctl_checks(struct ktest *t)
{
	u64 *d = kview(UDATA);

	if (!borrow_user_state(t))
		return;
	KTEST_EXPECT_EQ(t, call2(SYS_arch_prctl, ARCH_SET_FS, USER_TOP), -EPERM);
	KTEST_EXPECT_EQ(t, call2(SYS_arch_prctl, ARCH_SET_FS,
				 0x0000800000000000UL), -EPERM);
	KTEST_EXPECT_EQ(t, call2(SYS_arch_prctl, ARCH_SET_GS, ~0UL), -EPERM);
	KTEST_EXPECT_EQ(t, call2(SYS_arch_prctl, 0x1999, 0), -EINVAL);
	KTEST_EXPECT_EQ(t, call2(SYS_arch_prctl, ARCH_GET_FS, 0), -EFAULT);
	KTEST_EXPECT_EQ(t, call2(SYS_arch_prctl, ARCH_GET_FS, DIRECT_MAP_BASE),
			-EFAULT);
	KTEST_EXPECT_EQ(t, call2(SYS_arch_prctl, ARCH_GET_CPUID, 0), 1);
	KTEST_EXPECT_EQ(t, call2(SYS_arch_prctl, ARCH_SET_FS, USER_TOP - 1), 0);
	KTEST_EXPECT_EQ(t, call2(SYS_arch_prctl, ARCH_GET_FS, UDATA), 0);
	KTEST_EXPECT_UEQ(t, d[0], USER_TOP - 1);
	KTEST_EXPECT_EQ(t, call2(SYS_arch_prctl, ARCH_SET_GS, 0x1234000), 0);
	KTEST_EXPECT_EQ(t, call2(SYS_arch_prctl, ARCH_GET_GS, UDATA + 8), 0);
	KTEST_EXPECT_UEQ(t, d[1], 0x1234000);
	return_user_state();
}

/* From ring 3: set FS, then read through it. */
static void test_arch_prctl_user_fs(struct ktest *t)
{
	struct urun r = { .start = ub_fs_start, .end = ub_fs_end };
	u64 *d = kview(UDATA);

	d[1] = 0x0123456789abcdefUL;
	r.init.rdi = UDATA;
	RUN(t, &r, 1, 6);
	KTEST_EXPECT_EQ(t, (long)r.out.r12, 0);
	KTEST_EXPECT_UEQ(t, r.out.r13, 0x0123456789abcdefUL);
}

static void test_ioperm(struct ktest *t)
{
	struct urun r = { .start = ub_ioperm_start, .end = ub_ioperm_end };

	KTEST_EXPECT_EQ(t, call3(SYS_ioperm, 0x80, 0, 1), -EINVAL);
	KTEST_EXPECT_EQ(t, call3(SYS_ioperm, 65535, 2, 1), -EINVAL);
	KTEST_EXPECT_EQ(t, call3(SYS_ioperm, ~0UL, 2, 1), -EINVAL);
	/* Ring 3 asks for port 0x80, then reads it. */
	RUN(t, &r, 0, 6);
	KTEST_EXPECT_EQ(t, (long)r.out.r12, 0);
	/* A new thread starts without the permission again. */
	r = (struct urun){ .start = ub_inb_start, .end = ub_inb_end };
	RUN(t, &r, 0, 13);
	/* The TSS of this CPU holds no bitmap for other threads. */
	KTEST_EXPECT_UEQ(t, x86_this_cpu()->tss.hw.iomap_base,
			 X86_IOMAP_INVALID);
}

static struct ktest_case x86_user_cases[] = {
	KTEST_CASE(test_sysret_decision),
	KTEST_CASE(test_user_regs_accessors),
	KTEST_CASE(test_syscall_roundtrip),
	KTEST_CASE(test_exceptions),
	KTEST_CASE(test_interrupted_user_loop),
	KTEST_CASE(test_bad_iret),
	KTEST_CASE(test_fpu_initial_state),
	KTEST_CASE(test_fpu_kept_across_syscall),
	KTEST_CASE(test_fpu_switch_state),
	KTEST_CASE(test_fpu_sigframe_roundtrip),
	KTEST_CASE(test_arch_prctl_checks),
	KTEST_CASE(test_arch_prctl_user_fs),
	KTEST_CASE(test_ioperm),
	{}
};

KTEST_SUITE_FULL(x86_user, x86_user_cases, uwin_setup, uwin_teardown);
