/*
 * x86_64 FPU/SSE/AVX state for user tasks: CPU set-up, the save area, and
 * the signal-frame copy of it (interface and invariants in asm/fpu.h).
 *
 * Features: x87, SSE and, with XSAVE, AVX and AVX-512 when the CPU has
 * them (all three AVX-512 components or none). MPX is obsolete, PKRU would
 * change the kernel's own user accesses, and AMX needs a permission
 * protocol (arch_prctl ARCH_REQ_XCOMP_PERM): none of them is enabled, so
 * user code sees #UD for them, as on Linux before the permission request.
 *
 * The areas use the standard XSAVE format (XSAVE/XRSTOR, not the compacted
 * XSAVEC/XSAVES), which is also what a signal frame holds, so a frame is
 * a plain copy of the area plus Linux's software bytes and trailer.
 * Anything loaded from user memory is copied into the kernel and checked
 * first, and the XRSTOR itself is listed in the exception table: a state
 * the checks missed costs the task its FPU state, never the kernel.
 */
#include <keel/errno.h>
#include <keel/preempt.h>
#include <keel/printk.h>
#include <keel/sched.h>
#include <keel/slab.h>
#include <keel/string.h>
#include <keel/uaccess.h>
#include <asm/cpu.h>
#include <asm/fpu.h>
#include <asm/x86.h>

#define XFEATURE_USER_WANTED (XFEATURE_X87 | XFEATURE_SSE | XFEATURE_YMM | \
			      XFEATURE_AVX512)
#define FXSAVE_MXCSR     24
#define FXSAVE_MXCSR_MASK 28
#define FXSAVE_ST0       32
#define FXSAVE_XMM0      160
#define XSAVE_HDR        512
#define XFEATURE_MAX     8      /* components 0..7 may be enabled */
#define MIN_XSTATE_SIZE  (X86_FXSAVE_SIZE + X86_XSAVE_HDR_SIZE)

static bool use_xsave;                  /* [I] after the boot CPU */
static u64 xfeatures;                   /* [I] XCR0 of every CPU */
static unsigned long area_size;         /* [I] */
static u32 mxcsr_mask;                  /* [I] writable MXCSR bits */
static bool fpu_ready;                  /* [I] the boot CPU chose the above */
static bool fpu_logged;                 /* [I] */
/* Standard-format offset and size of components 2..7, from CPUID 0xD. */
static u32 comp_offset[XFEATURE_MAX], comp_size[XFEATURE_MAX];      /* [I] */

static inline void xsave(void *area, u64 mask)
{
	__asm__ __volatile__("xsave64 (%0)"
			     : : "r"(area), "a"((u32)mask),
			       "d"((u32)(mask >> 32))
			     : "memory");
}

static inline void xrstor(const void *area, u64 mask)
{
	__asm__ __volatile__("xrstor64 (%0)"
			     : : "r"(area), "a"((u32)mask),
			       "d"((u32)(mask >> 32))
			     : "memory");
}

/*
 * XRSTOR/FXRSTOR that may fault (#GP on a state the checks let through):
 * the exception table resumes at the fixup, which reports -EFAULT.
 */
static int restore_checked(const void *area)
{
	int err = 0;

	if (use_xsave)
		__asm__ __volatile__("1: xrstor64 (%[a])\n\t"
				     "jmp 3f\n"
				     "2: movl %[ef], %[err]\n"
				     "3:\n\t"
				     ".pushsection __ex_table, \"a\"\n\t"
				     ".balign 8\n\t"
				     ".quad 1b, 2b\n\t"
				     ".popsection"
				     : [err] "+r"(err)
				     : [a] "r"(area), "a"((u32)xfeatures),
				       "d"((u32)(xfeatures >> 32)),
				       [ef] "i"(-EFAULT)
				     : "memory");
	else
		__asm__ __volatile__("1: fxrstor64 (%[a])\n\t"
				     "jmp 3f\n"
				     "2: movl %[ef], %[err]\n"
				     "3:\n\t"
				     ".pushsection __ex_table, \"a\"\n\t"
				     ".balign 8\n\t"
				     ".quad 1b, 2b\n\t"
				     ".popsection"
				     : [err] "+r"(err)
				     : [a] "r"(area), [ef] "i"(-EFAULT)
				     : "memory");
	return err;
}

static bool cpu_has_xsave(void)
{
	u32 a, b, c, d;

	cpuid(1, &a, &b, &c, &d);
	return c & (1U << X86_FEAT_1_ECX_XSAVE);
}

/* Boot CPU: which features, how big the area, the MXCSR mask. */
static void fpu_choose(void)
{
	static u8 probe[X86_FXSAVE_SIZE] __aligned(16);
	u32 a, b, c, d, i;

	use_xsave = cpu_has_xsave();
	xfeatures = XFEATURE_X87 | XFEATURE_SSE;
	if (use_xsave) {
		cpuid_count(0xd, 0, &a, &b, &c, &d);
		xfeatures = (((u64)d << 32) | a) & XFEATURE_USER_WANTED;
		if ((xfeatures & XFEATURE_AVX512) != XFEATURE_AVX512 ||
		    !(xfeatures & XFEATURE_YMM))
			xfeatures &= ~XFEATURE_AVX512;
		if (!(xfeatures & XFEATURE_SSE))
			xfeatures &= ~(XFEATURE_YMM | XFEATURE_AVX512);
		xfeatures |= XFEATURE_X87 | XFEATURE_SSE;
	}
	memset(probe, 0, sizeof(probe));
	__asm__ __volatile__("fxsave64 %0" : "=m"(probe));
	memcpy(&mxcsr_mask, probe + FXSAVE_MXCSR_MASK, 4);
	if (!mxcsr_mask)
		mxcsr_mask = 0xffbf;    /* the SDM's default */
	area_size = X86_FXSAVE_SIZE;
	if (!use_xsave)
		return;
	for (i = 2; i < XFEATURE_MAX; i++) {
		if (!(xfeatures & (1ULL << i)))
			continue;
		cpuid_count(0xd, i, &a, &b, &c, &d);
		comp_size[i] = a;
		comp_offset[i] = b;
	}
}

void x86_fpu_init_cpu(void)
{
	unsigned long cr0 = read_cr0(), cr4 = read_cr4();
	u32 a, b, c, d;

	/* Native #MF reporting, no emulation, no lazy #NM traps. */
	cr0 &= ~(X86_CR0_EM | X86_CR0_TS);
	cr0 |= X86_CR0_MP | X86_CR0_NE;
	write_cr0(cr0);
	cr4 |= X86_CR4_OSFXSR | X86_CR4_OSXMMEXCPT;
	if (cpu_has_xsave())
		cr4 |= X86_CR4_OSXSAVE;
	write_cr4(cr4);
	if (!fpu_ready) {
		fpu_choose();
		fpu_ready = true;
	}
	if (use_xsave) {
		xsetbv(0, xfeatures);
		if (area_size == X86_FXSAVE_SIZE) {
			/* EBX: the size for the features XCR0 now enables. */
			cpuid_count(0xd, 0, &a, &b, &c, &d);
			area_size = b;
			pr_info("fpu: xsave, features %#llx, %lu bytes\n",
				(unsigned long long)xfeatures, area_size);
		}
	} else if (!fpu_logged) {
		pr_info("fpu: fxsave, 512 bytes\n");
	}
	fpu_logged = true;
	__asm__ __volatile__("fninit");
}

bool x86_fpu_xsave_enabled(void)
{
	return use_xsave;
}

u64 x86_fpu_xfeatures(void)
{
	return xfeatures;
}

unsigned long x86_fpu_area_size(void)
{
	return area_size;
}

void x86_fpu_init_area(void *area)
{
	u8 *p = area;
	u16 fcw = X86_FCW_INIT;
	u32 mxcsr = X86_MXCSR_INIT;
	u64 bv = XFEATURE_X87 | XFEATURE_SSE;

	memset(p, 0, area_size);
	memcpy(p, &fcw, 2);
	memcpy(p + FXSAVE_MXCSR, &mxcsr, 4);
	/* Components 2 and up: XSTATE_BV 0 = their init state (all zero). */
	if (use_xsave)
		memcpy(p + XSAVE_HDR, &bv, 8);
}

void x86_fpu_save(void *area)
{
	if (use_xsave)
		xsave(area, xfeatures);
	else
		__asm__ __volatile__("fxsave64 (%0)" : : "r"(area) : "memory");
}

void x86_fpu_restore(void *area)
{
	if (use_xsave)
		xrstor(area, xfeatures);
	else
		__asm__ __volatile__("fxrstor64 (%0)" : : "r"(area) : "memory");
}

static void *current_area(void)
{
	struct x86_thread_user *u = current->arch_user;

	return u ? u->fpu : NULL;
}

void x86_fpu_sync_current(void)
{
	void *area = current_area();

	if (area)
		x86_fpu_save(area);
}

void x86_fpu_reset_current(void)
{
	void *area;

	preempt_disable();
	area = current_area();
	if (area) {
		x86_fpu_init_area(area);
		x86_fpu_restore(area);
	}
	preempt_enable();
}

unsigned long x86_fpu_sigframe_size(void)
{
	return use_xsave ? area_size + FP_XSTATE_MAGIC2_SIZE : X86_FXSAVE_SIZE;
}

/*
 * Components XSAVE left out because they were in their init state
 * (XSTATE_BV bit clear) may hold stale bytes in the area: give the frame
 * their init values, so a handler reading it sees the real state.
 */
static void fill_init_components(u8 *p)
{
	u64 bv;
	unsigned int i;

	memcpy(&bv, p + XSAVE_HDR, 8);
	if (!(bv & XFEATURE_X87)) {
		u16 fcw = X86_FCW_INIT;

		memset(p, 0, FXSAVE_MXCSR);
		memcpy(p, &fcw, 2);
		memset(p + FXSAVE_ST0, 0, FXSAVE_XMM0 - FXSAVE_ST0);
	}
	if (!(bv & XFEATURE_SSE))
		memset(p + FXSAVE_XMM0, 0, 16 * 16);
	for (i = 2; i < XFEATURE_MAX; i++)
		if ((xfeatures & (1ULL << i)) && !(bv & (1ULL << i)))
			memset(p + comp_offset[i], 0, comp_size[i]);
}

int x86_fpu_save_sigframe(void __user *buf)
{
	struct x86_fpx_sw_bytes sw = {
		.magic1 = FP_XSTATE_MAGIC1,
		.extended_size = area_size + FP_XSTATE_MAGIC2_SIZE,
		.xfeatures = xfeatures,
		.xstate_size = area_size,
	};
	u32 magic2 = FP_XSTATE_MAGIC2;
	u8 *area;

	if ((unsigned long)buf % X86_FPU_ALIGN)
		return -EFAULT;
	preempt_disable();
	area = current_area();
	if (!area) {
		preempt_enable();
		return -EFAULT;
	}
	/*
	 * The area now equals the registers. A switch while copying below
	 * saves the same registers again, so the copy stays consistent;
	 * the bytes filled in here are ones the CPU treats as don't-care.
	 */
	x86_fpu_save(area);
	if (use_xsave) {
		fill_init_components(area);
		memcpy(area + X86_FPX_SW_OFFSET, &sw, sizeof(sw));
	}
	preempt_enable();
	if (copy_to_user(buf, area, area_size))
		return -EFAULT;
	if (use_xsave &&
	    copy_to_user((u8 __user *)buf + area_size, &magic2, sizeof(magic2)))
		return -EFAULT;
	return 0;
}

/*
 * Read the frame at @buf into @img (area_size bytes, zeroed beyond what
 * was read): *@len bytes of it, asking for the features *@want (the rest
 * become init). A frame without Linux's magic, or with sizes that do not
 * fit, is "legacy only": its 512-byte x87/SSE part.
 * Return: 0 or -EFAULT (unreadable).
 */
static int read_sigframe(u8 *img, const u8 __user *buf, u64 *want,
			 unsigned long *len)
{
	struct x86_fpx_sw_bytes sw;
	u32 magic2;

	*want = XFEATURE_X87 | XFEATURE_SSE;
	*len = X86_FXSAVE_SIZE;
	memset(img, 0, area_size);
	if (copy_from_user(img, buf, X86_FXSAVE_SIZE))
		return -EFAULT;
	if (!use_xsave)
		return 0;
	memcpy(&sw, img + X86_FPX_SW_OFFSET, sizeof(sw));
	/* Linux's check_xstate_in_sigframe. */
	if (sw.magic1 != FP_XSTATE_MAGIC1 || sw.xstate_size < MIN_XSTATE_SIZE ||
	    sw.xstate_size > area_size || sw.xstate_size > sw.extended_size)
		return 0;
	if (get_user(magic2, (const u32 __user *)(buf + sw.xstate_size)))
		return -EFAULT;
	if (magic2 != FP_XSTATE_MAGIC2)
		return 0;
	if (copy_from_user(img + X86_FXSAVE_SIZE, buf + X86_FXSAVE_SIZE,
			   sw.xstate_size - X86_FXSAVE_SIZE))
		return -EFAULT;
	*want = (sw.xfeatures & xfeatures) | XFEATURE_X87 | XFEATURE_SSE;
	*len = sw.xstate_size;
	return 0;
}

/*
 * Make @img safe for XRSTOR with every enabled feature: what the hardware
 * would refuse is an error (Linux's sigreturn fails the same way); what
 * the frame did not ask for or did not contain becomes init.
 * Return: 0 or -EFAULT.
 */
static int sanitize_image(u8 *img, u64 want, unsigned long len)
{
	u32 mxcsr;
	u64 bv, hdr[2];
	unsigned int i;

	memcpy(&mxcsr, img + FXSAVE_MXCSR, 4);
	if (mxcsr & ~mxcsr_mask)
		return -EFAULT;
	if (!use_xsave)
		return 0;
	memset(img + X86_FPX_SW_OFFSET, 0, X86_FXSAVE_SIZE - X86_FPX_SW_OFFSET);
	if (len == X86_FXSAVE_SIZE) {
		/* Legacy only: x87 and SSE from the frame, the rest init. */
		bv = XFEATURE_X87 | XFEATURE_SSE;
		memcpy(img + XSAVE_HDR, &bv, 8);
		return 0;
	}
	memcpy(hdr, img + XSAVE_HDR + 8, 16);
	if (hdr[0] || hdr[1])           /* XCOMP_BV, reserved: #GP */
		return -EFAULT;
	memcpy(&bv, img + XSAVE_HDR, 8);
	if (bv & ~xfeatures)
		return -EFAULT;
	bv &= want;
	for (i = 2; i < XFEATURE_MAX; i++)
		if (comp_offset[i] + comp_size[i] > len)
			bv &= ~(1ULL << i);
	memcpy(img + XSAVE_HDR, &bv, 8);
	memset(img + XSAVE_HDR + 24, 0, X86_XSAVE_HDR_SIZE - 24);
	return 0;
}

int x86_fpu_restore_sigframe(const void __user *buf)
{
	void *raw = kmalloc(area_size + X86_FPU_ALIGN, GFP_KERNEL);
	u8 *img = NULL, *area;
	unsigned long len;
	u64 want;
	int err = -EFAULT;

	if (raw) {
		img = (u8 *)ALIGN_UP((unsigned long)raw, X86_FPU_ALIGN);
		err = read_sigframe(img, buf, &want, &len);
		if (!err)
			err = sanitize_image(img, want, len);
	}
	preempt_disable();
	area = current_area();
	if (area) {
		if (!err)
			memcpy(area, img, area_size);
		if (err || restore_checked(area)) {
			err = -EFAULT;
			x86_fpu_init_area(area);
			x86_fpu_restore(area);
		}
	}
	preempt_enable();
	kfree(raw);
	return area ? err : -EFAULT;
}
