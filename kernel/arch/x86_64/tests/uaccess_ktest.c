/*
 * ktests for <keel/uaccess.h> on x86_64: the accessors against a real user
 * window and against addresses they must refuse.
 *
 * There are no processes yet, so the suite maps its own window into the
 * kernel's page tables: two user pages at UWIN followed by an unmapped page,
 * which gives a precise fault boundary at UEND. The window sits in the
 * otherwise empty lower half (the suite refuses to run if it is not empty)
 * and is removed again, page tables included, so the mmu suite's "no user
 * mappings" check holds whichever order the suites run in.
 *
 * After every call, successful or faulting, RFLAGS.AC must be clear: user
 * access is open only inside the arch routines.
 */
#include <keel/errno.h>
#include <keel/ktest.h>
#include <keel/mm.h>
#include <keel/smp.h>
#include <keel/string.h>
#include <keel/uaccess.h>
#include <keel/vm.h>
#include <asm/cpu.h>
#include <asm/layout.h>
#include <asm/x86.h>

#define PTE_P    (1ULL << 0)
#define PTE_ADDR 0x000ffffffffff000ULL

#define UWIN_PAGES 2
#define UWIN       0x400000UL
#define UEND       (UWIN + UWIN_PAGES * PAGE_SIZE)   /* first unmapped byte */
#define NONCANON   0xdead000000000000UL

static struct page *uwin_pages[UWIN_PAGES];

/* The kernel's view of user address @ua in the window (direct map). */
static u8 *kview(unsigned long ua)
{
	unsigned long off = ua - UWIN;

	return (u8 *)page_address(uwin_pages[off / PAGE_SIZE]) + off % PAGE_SIZE;
}

static void __user *ua(unsigned long addr)
{
	return (void __user *)addr;
}

static unsigned long read_rflags(void)
{
	unsigned long f;

	__asm__ __volatile__("pushfq; popq %0" : "=r"(f));
	return f;
}

#define EXPECT_AC_CLEAR(t) \
	KTEST_EXPECT_EQ(t, read_rflags() & X86_RFLAGS_AC, 0)

static u64 *pml4(void)
{
	return phys_to_virt(arch_kernel_root());
}

static void free_table(u64 entry)
{
	free_page(pfn_to_page((entry & PTE_ADDR) >> PAGE_SHIFT));
}

static void uwin_teardown(void)
{
	u64 *l4 = pml4(), l4e, l3e, l2e;
	int i;

	for (i = 0; i < UWIN_PAGES; i++) {
		if (!uwin_pages[i])
			continue;
		arch_unmap_page(arch_kernel_root(), UWIN + i * PAGE_SIZE);
	}
	/* Tables made for the window: PDPT, PD and PT (index 0, 0, 2). */
	l4e = l4[0];
	l3e = (l4e & PTE_P) ? ((u64 *)phys_to_virt(l4e & PTE_ADDR))[0] : 0;
	l2e = (l3e & PTE_P) ?
	      ((u64 *)phys_to_virt(l3e & PTE_ADDR))[(UWIN >> 21) & 511] : 0;
	/* Unhook first, flush every CPU, only then free the tables. */
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
	int i;

	/* Nothing may live in the lower half: the window owns it for now. */
	if (pml4()[0] & PTE_P)
		return -EBUSY;
	for (i = 0; i < UWIN_PAGES; i++) {
		uwin_pages[i] = alloc_page(GFP_KERNEL | __GFP_ZERO);
		if (!uwin_pages[i] ||
		    arch_map_page(arch_kernel_root(), UWIN + i * PAGE_SIZE,
				  page_to_phys(uwin_pages[i]),
				  VM_READ | VM_WRITE | VM_USER)) {
			uwin_teardown();
			return -ENOMEM;
		}
	}
	return 0;
}

static void fill_pattern(u8 *p, size_t n, u8 seed)
{
	size_t i;

	for (i = 0; i < n; i++)
		p[i] = (u8)(seed + i * 7);
}

static void test_window_is_user_and_smap_blocks_kernel(struct ktest *t)
{
	unsigned int prot = 0;
	u8 v = 0;

	KTEST_ASSERT_TRUE(t, arch_translate(arch_kernel_root(), UWIN, NULL, &prot));
	KTEST_EXPECT_TRUE(t, prot & VM_USER);
	KTEST_EXPECT_FALSE(t, arch_translate(arch_kernel_root(), UEND, NULL, NULL));
	if (!x86_smap_enabled) {
		ktest_skip(t, "CPU without SMAP");
		return;
	}
	KTEST_EXPECT_TRUE(t, read_cr4() & X86_CR4_SMAP);
	/* A plain kernel access (no STAC) to a mapped user page faults. */
	*kview(UWIN) = 0x5a;
	KTEST_EXPECT_EQ(t, arch_probe_read_u8((const void *)UWIN, &v), -EFAULT);
	KTEST_EXPECT_EQ(t, arch_probe_write_u8((void *)UWIN, 1), -EFAULT);
	KTEST_EXPECT_EQ(t, *kview(UWIN), 0x5a);
	/* The same byte through the accessor works. */
	KTEST_EXPECT_EQ(t, get_user(v, (const u8 __user *)ua(UWIN)), 0);
	KTEST_EXPECT_EQ(t, v, 0x5a);
	EXPECT_AC_CLEAR(t);
}

static void test_copy_round_trip(struct ktest *t)
{
	static u8 src[UWIN_PAGES * PAGE_SIZE], dst[UWIN_PAGES * PAGE_SIZE];

	fill_pattern(src, sizeof(src), 3);
	/* Small, unaligned, and across the boundary between the two pages. */
	KTEST_EXPECT_UEQ(t, copy_to_user(ua(UWIN + 100), src, 300), 0);
	KTEST_EXPECT_MEMEQ(t, kview(UWIN + 100), src, 300);
	KTEST_EXPECT_UEQ(t, copy_to_user(ua(UWIN + PAGE_SIZE - 50), src, 100), 0);
	KTEST_EXPECT_MEMEQ(t, kview(UWIN + PAGE_SIZE - 50), src, 50);
	KTEST_EXPECT_MEMEQ(t, kview(UWIN + PAGE_SIZE), src + 50, 50);
	EXPECT_AC_CLEAR(t);
	memset(dst, 0, sizeof(dst));
	KTEST_EXPECT_UEQ(t, copy_from_user(dst, ua(UWIN + PAGE_SIZE - 50), 100), 0);
	KTEST_EXPECT_MEMEQ(t, dst, src, 100);
	/* The whole window, both ways. */
	KTEST_EXPECT_UEQ(t, copy_to_user(ua(UWIN), src, sizeof(src)), 0);
	memset(dst, 0, sizeof(dst));
	KTEST_EXPECT_UEQ(t, copy_from_user(dst, ua(UWIN), sizeof(dst)), 0);
	KTEST_EXPECT_MEMEQ(t, dst, src, sizeof(src));
	/* Zero bytes: nothing to do, nothing fails, even at the top. */
	KTEST_EXPECT_UEQ(t, copy_from_user(dst, ua(UEND), 0), 0);
	KTEST_EXPECT_UEQ(t, copy_to_user(ua(ARCH_USER_TOP), src, 0), 0);
	EXPECT_AC_CLEAR(t);
}

static void test_copy_to_user_stops_at_fault(struct ktest *t)
{
	u8 src[100];

	fill_pattern(src, sizeof(src), 11);
	memset(kview(UEND - 64), 0, 64);
	/* 37 bytes are mapped: exactly those are written, 63 are left. */
	KTEST_EXPECT_UEQ(t, copy_to_user(ua(UEND - 37), src, 100), 63);
	EXPECT_AC_CLEAR(t);
	KTEST_EXPECT_MEMEQ(t, kview(UEND - 37), src, 37);
	KTEST_EXPECT_EQ(t, *kview(UEND - 38), 0);
	/* The last byte only; then nothing at all. */
	KTEST_EXPECT_UEQ(t, copy_to_user(ua(UEND - 1), src, 2), 1);
	KTEST_EXPECT_EQ(t, *kview(UEND - 1), src[0]);
	KTEST_EXPECT_UEQ(t, copy_to_user(ua(UEND), src, 10), 10);
	EXPECT_AC_CLEAR(t);
}

static void test_copy_from_user_short_zeroes_tail(struct ktest *t)
{
	u8 pat[37], buf[128];

	fill_pattern(pat, sizeof(pat), 29);
	memcpy(kview(UEND - 37), pat, 37);
	memset(buf, 0xaa, sizeof(buf));
	KTEST_EXPECT_UEQ(t, copy_from_user(buf, ua(UEND - 37), 100), 63);
	EXPECT_AC_CLEAR(t);
	KTEST_EXPECT_MEMEQ(t, buf, pat, 37);
	for (int i = 37; i < 100; i++)
		if (buf[i] != 0)
			KTEST_EXPECT_EQ(t, buf[i], 0);
	/* Beyond n the buffer is not the copy's business. */
	KTEST_EXPECT_EQ(t, buf[100], 0xaa);
	KTEST_EXPECT_EQ(t, buf[127], 0xaa);
	/* Fully unmapped: all n bytes zeroed. */
	memset(buf, 0xaa, sizeof(buf));
	KTEST_EXPECT_UEQ(t, copy_from_user(buf, ua(UEND), 16), 16);
	KTEST_EXPECT_EQ(t, buf[0], 0);
	KTEST_EXPECT_EQ(t, buf[15], 0);
	KTEST_EXPECT_EQ(t, buf[16], 0xaa);
	EXPECT_AC_CLEAR(t);
}

static void test_get_put_user_sizes(struct ktest *t)
{
	u8 v8 = 0;
	u16 v16 = 0;
	u32 v32 = 0;
	u64 v64 = 0;
	u8 *k = kview(UWIN + 64);

	KTEST_EXPECT_EQ(t, put_user(0xa5, (u8 __user *)ua(UWIN + 64)), 0);
	KTEST_EXPECT_EQ(t, k[0], 0xa5);
	KTEST_EXPECT_EQ(t, get_user(v8, (u8 __user *)ua(UWIN + 64)), 0);
	KTEST_EXPECT_EQ(t, v8, 0xa5);

	KTEST_EXPECT_EQ(t, put_user(0xbeef, (u16 __user *)ua(UWIN + 64)), 0);
	KTEST_EXPECT_EQ(t, k[0] | k[1] << 8, 0xbeef);
	KTEST_EXPECT_EQ(t, get_user(v16, (u16 __user *)ua(UWIN + 64)), 0);
	KTEST_EXPECT_EQ(t, v16, 0xbeef);

	KTEST_EXPECT_EQ(t, put_user(0xdeadbeefU, (u32 __user *)ua(UWIN + 64)), 0);
	KTEST_EXPECT_UEQ(t, *(u32 *)k, 0xdeadbeefU);
	KTEST_EXPECT_EQ(t, get_user(v32, (u32 __user *)ua(UWIN + 64)), 0);
	KTEST_EXPECT_UEQ(t, v32, 0xdeadbeefU);

	KTEST_EXPECT_EQ(t, put_user(0x0123456789abcdefULL,
				    (u64 __user *)ua(UWIN + 64)), 0);
	KTEST_EXPECT_UEQ(t, *(u64 *)k, 0x0123456789abcdefULL);
	KTEST_EXPECT_EQ(t, get_user(v64, (u64 __user *)ua(UWIN + 64)), 0);
	KTEST_EXPECT_UEQ(t, v64, 0x0123456789abcdefULL);
	EXPECT_AC_CLEAR(t);

	/* Unaligned, across the page boundary inside the window. */
	KTEST_EXPECT_EQ(t, put_user(0x1122334455667788ULL,
				    (u64 __user *)ua(UWIN + PAGE_SIZE - 3)), 0);
	v64 = 0;
	KTEST_EXPECT_EQ(t, get_user(v64, (u64 __user *)ua(UWIN + PAGE_SIZE - 3)), 0);
	KTEST_EXPECT_UEQ(t, v64, 0x1122334455667788ULL);

	/* Signed and pointer types convert like an assignment. */
	{
		s32 s = 0;
		void *p = NULL;

		KTEST_EXPECT_EQ(t, put_user(-5, (s32 __user *)ua(UWIN + 8)), 0);
		KTEST_EXPECT_EQ(t, get_user(s, (s32 __user *)ua(UWIN + 8)), 0);
		KTEST_EXPECT_EQ(t, s, -5);
		KTEST_EXPECT_EQ(t, put_user((void *)t, (void *__user *)ua(UWIN + 16)), 0);
		KTEST_EXPECT_EQ(t, get_user(p, (void *__user *)ua(UWIN + 16)), 0);
		KTEST_EXPECT_PTR_EQ(t, p, t);
	}
}

static void test_get_put_user_fault(struct ktest *t)
{
	u8 v8 = 1;
	u16 v16 = 1;
	u32 v32 = 1;
	u64 v64 = 1;

	KTEST_EXPECT_EQ(t, get_user(v8, (u8 __user *)ua(UEND)), -EFAULT);
	KTEST_EXPECT_EQ(t, v8, 0);
	EXPECT_AC_CLEAR(t);
	KTEST_EXPECT_EQ(t, get_user(v16, (u16 __user *)ua(UEND)), -EFAULT);
	KTEST_EXPECT_EQ(t, v16, 0);
	KTEST_EXPECT_EQ(t, get_user(v32, (u32 __user *)ua(UEND)), -EFAULT);
	KTEST_EXPECT_EQ(t, v32, 0);
	KTEST_EXPECT_EQ(t, get_user(v64, (u64 __user *)ua(UEND)), -EFAULT);
	KTEST_EXPECT_EQ(t, v64, 0);
	EXPECT_AC_CLEAR(t);
	/* Straddling the end of the window: half mapped is still a fault. */
	v64 = 1;
	KTEST_EXPECT_EQ(t, get_user(v64, (u64 __user *)ua(UEND - 4)), -EFAULT);
	KTEST_EXPECT_EQ(t, v64, 0);
	KTEST_EXPECT_EQ(t, put_user(1, (u8 __user *)ua(UEND)), -EFAULT);
	KTEST_EXPECT_EQ(t, put_user(1, (u16 __user *)ua(UEND)), -EFAULT);
	KTEST_EXPECT_EQ(t, put_user(1, (u32 __user *)ua(UEND - 2)), -EFAULT);
	KTEST_EXPECT_EQ(t, put_user(1, (u64 __user *)ua(UEND)), -EFAULT);
	EXPECT_AC_CLEAR(t);
	/* NULL is a user address that is not mapped. */
	KTEST_EXPECT_EQ(t, get_user(v32, (u32 __user *)NULL), -EFAULT);
	EXPECT_AC_CLEAR(t);
}

static void test_strncpy_from_user(struct ktest *t)
{
	char buf[64];

	memcpy(kview(UWIN + 200), "hello", 6);
	memset(buf, 'x', sizeof(buf));
	KTEST_EXPECT_EQ(t, strncpy_from_user(buf, ua(UWIN + 200), sizeof(buf)), 5);
	KTEST_EXPECT_STREQ(t, buf, "hello");
	EXPECT_AC_CLEAR(t);

	/* No NUL within count: count returned, nothing terminated. */
	memcpy(kview(UWIN + 300), "abcdefgh", 9);
	memset(buf, 'x', sizeof(buf));
	KTEST_EXPECT_EQ(t, strncpy_from_user(buf, ua(UWIN + 300), 4), 4);
	KTEST_EXPECT_MEMEQ(t, buf, "abcdx", 5);

	/* NUL exactly at count - 1: fits, terminated. */
	memcpy(kview(UWIN + 400), "abc", 4);
	memset(buf, 'x', sizeof(buf));
	KTEST_EXPECT_EQ(t, strncpy_from_user(buf, ua(UWIN + 400), 4), 3);
	KTEST_EXPECT_MEMEQ(t, buf, "abc\0x", 5);
	/* And at count exactly: one byte short of the NUL. */
	memset(buf, 'x', sizeof(buf));
	KTEST_EXPECT_EQ(t, strncpy_from_user(buf, ua(UWIN + 400), 3), 3);
	KTEST_EXPECT_MEMEQ(t, buf, "abcx", 4);

	/* Empty string; count 0 and negative. */
	*kview(UWIN + 500) = 0;
	KTEST_EXPECT_EQ(t, strncpy_from_user(buf, ua(UWIN + 500), 10), 0);
	KTEST_EXPECT_EQ(t, buf[0], 0);
	KTEST_EXPECT_EQ(t, strncpy_from_user(buf, ua(UWIN + 500), 0), 0);
	KTEST_EXPECT_EQ(t, strncpy_from_user(buf, ua(UWIN + 500), -1), 0);

	/* A NUL in the last mapped byte is found; one byte later it is not. */
	memset(kview(UEND - 10), 'z', 10);
	*kview(UEND - 1) = 0;
	KTEST_EXPECT_EQ(t, strncpy_from_user(buf, ua(UEND - 10), sizeof(buf)), 9);
	*kview(UEND - 1) = 'z';
	KTEST_EXPECT_EQ(t, strncpy_from_user(buf, ua(UEND - 10), sizeof(buf)), -EFAULT);
	EXPECT_AC_CLEAR(t);
	/* ...unless count ends before the unmapped page. */
	KTEST_EXPECT_EQ(t, strncpy_from_user(buf, ua(UEND - 10), 10), 10);
	KTEST_EXPECT_EQ(t, strncpy_from_user(buf, ua(UEND), 10), -EFAULT);
	EXPECT_AC_CLEAR(t);
}

static void test_strnlen_user(struct ktest *t)
{
	memcpy(kview(UWIN + 600), "hello", 6);
	KTEST_EXPECT_EQ(t, strnlen_user(ua(UWIN + 600), 100), 6);
	KTEST_EXPECT_EQ(t, strnlen_user(ua(UWIN + 600), 6), 6);
	KTEST_EXPECT_EQ(t, strnlen_user(ua(UWIN + 600), 5), 6);   /* > n */
	KTEST_EXPECT_EQ(t, strnlen_user(ua(UWIN + 600), 3), 4);   /* > n */
	KTEST_EXPECT_EQ(t, strnlen_user(ua(UWIN + 600), 0), 0);
	memset(kview(UEND - 10), 'z', 10);
	KTEST_EXPECT_EQ(t, strnlen_user(ua(UEND - 10), 100), 0);
	KTEST_EXPECT_EQ(t, strnlen_user(ua(UEND), 100), 0);
	EXPECT_AC_CLEAR(t);
}

static void test_access_ok_bounds(struct ktest *t)
{
	u64 local = 0;

	KTEST_EXPECT_UEQ(t, ARCH_USER_TOP, 0x00007ffffffff000UL);
	KTEST_EXPECT_TRUE(t, access_ok(ua(0), 0));
	KTEST_EXPECT_TRUE(t, access_ok(ua(UWIN), PAGE_SIZE));
	KTEST_EXPECT_TRUE(t, access_ok(ua(ARCH_USER_TOP - 1), 1));
	KTEST_EXPECT_TRUE(t, access_ok(ua(ARCH_USER_TOP - PAGE_SIZE), PAGE_SIZE));
	KTEST_EXPECT_TRUE(t, access_ok(ua(ARCH_USER_TOP), 0));
	KTEST_EXPECT_TRUE(t, access_ok(ua(0), ARCH_USER_TOP));
	KTEST_EXPECT_FALSE(t, access_ok(ua(0), ARCH_USER_TOP + 1));
	KTEST_EXPECT_FALSE(t, access_ok(ua(ARCH_USER_TOP - 1), 2));
	KTEST_EXPECT_FALSE(t, access_ok(ua(ARCH_USER_TOP), 1));
	KTEST_EXPECT_FALSE(t, access_ok(ua(0x0000800000000000UL), 1));
	/* Kernel addresses, mapped ones included. */
	KTEST_EXPECT_FALSE(t, access_ok((void __user *)&local, sizeof(local)));
	KTEST_EXPECT_FALSE(t, access_ok((void __user *)&local, 0));
	KTEST_EXPECT_FALSE(t, access_ok(ua(KERNEL_VMA), 1));
	KTEST_EXPECT_FALSE(t, access_ok(ua(DIRECT_MAP_BASE), 1));
	/* Wrapping ranges. */
	KTEST_EXPECT_FALSE(t, access_ok(ua(0x1000), ~0UL));
	KTEST_EXPECT_FALSE(t, access_ok(ua(0x1000), -0x800UL));
	KTEST_EXPECT_FALSE(t, access_ok(ua(~0UL), 2));
	KTEST_EXPECT_FALSE(t, access_ok(ua(ARCH_USER_TOP - 1), ~0UL));
}

/*
 * The security property: a "user" pointer at mapped kernel memory is
 * refused before it is touched, whichever accessor gets it.
 */
static void test_kernel_pointers_refused(struct ktest *t)
{
	static const char kstr[] = "kernel";
	u64 secret = 0x1122334455667788ULL, v = 1;
	u8 buf[16], src[16];

	memset(buf, 0xaa, sizeof(buf));
	memset(src, 0x55, sizeof(src));
	KTEST_EXPECT_UEQ(t, copy_from_user(buf, (void __user *)&secret, 8), 8);
	KTEST_EXPECT_EQ(t, buf[0], 0);
	KTEST_EXPECT_EQ(t, buf[7], 0);
	KTEST_EXPECT_UEQ(t, copy_to_user((void __user *)&secret, src, 8), 8);
	KTEST_EXPECT_UEQ(t, secret, 0x1122334455667788ULL);
	KTEST_EXPECT_EQ(t, get_user(v, (u64 __user *)&secret), -EFAULT);
	KTEST_EXPECT_UEQ(t, v, 0);
	KTEST_EXPECT_EQ(t, put_user(0, (u64 __user *)&secret), -EFAULT);
	KTEST_EXPECT_UEQ(t, secret, 0x1122334455667788ULL);
	KTEST_EXPECT_EQ(t, strncpy_from_user((char *)buf, (const char __user *)kstr,
					     sizeof(buf)), -EFAULT);
	KTEST_EXPECT_EQ(t, strnlen_user((const char __user *)kstr, 16), 0);
	/* A range that starts in user space and ends above it: nothing. */
	memset(buf, 0xaa, sizeof(buf));
	KTEST_EXPECT_UEQ(t, copy_from_user(buf, ua(ARCH_USER_TOP - 4), 16), 16);
	KTEST_EXPECT_EQ(t, buf[0], 0);
	EXPECT_AC_CLEAR(t);
}

/*
 * Non-canonical addresses: access_ok refuses them, and the arch routines,
 * handed one directly, take the #GP through the exception table.
 */
static void test_noncanonical(struct ktest *t)
{
	u8 buf[16] = { 0 };
	u64 v = 7;

	KTEST_EXPECT_EQ(t, get_user(v, (u64 __user *)ua(NONCANON)), -EFAULT);
	KTEST_EXPECT_UEQ(t, copy_from_user(buf, ua(0x0000800000000000UL), 8), 8);

	KTEST_EXPECT_UEQ(t, arch_copy_from_user(buf, ua(NONCANON), 8), 8);
	EXPECT_AC_CLEAR(t);
	KTEST_EXPECT_UEQ(t, arch_copy_to_user(ua(NONCANON), buf, 8), 8);
	EXPECT_AC_CLEAR(t);
	v = 7;
	KTEST_EXPECT_EQ(t, arch_get_user_8(ua(NONCANON), &v), -EFAULT);
	KTEST_EXPECT_UEQ(t, v, 7);
	KTEST_EXPECT_EQ(t, arch_get_user_1(ua(NONCANON), &v), -EFAULT);
	KTEST_EXPECT_EQ(t, arch_put_user_4(ua(NONCANON), 1), -EFAULT);
	KTEST_EXPECT_EQ(t, arch_put_user_2(ua(NONCANON), 1), -EFAULT);
	KTEST_EXPECT_EQ(t, arch_strncpy_from_user((char *)buf, ua(NONCANON), 8),
			-EFAULT);
	KTEST_EXPECT_EQ(t, arch_strnlen_user(ua(NONCANON), 8), 0);
	EXPECT_AC_CLEAR(t);
}

/* Many faults in a row: nothing accumulates, the kernel carries on. */
static void test_repeated_faults(struct ktest *t)
{
	u8 buf[32];
	int i, bad = 0;

	for (i = 0; i < 200; i++) {
		if (copy_from_user(buf, ua(UEND - (i % 32)), 32) != 32 - (unsigned long)(i % 32))
			bad++;
		if (read_rflags() & X86_RFLAGS_AC)
			bad++;
	}
	KTEST_EXPECT_EQ(t, bad, 0);
}

static struct ktest_case uaccess_cases[] = {
	KTEST_CASE(test_window_is_user_and_smap_blocks_kernel),
	KTEST_CASE(test_copy_round_trip),
	KTEST_CASE(test_copy_to_user_stops_at_fault),
	KTEST_CASE(test_copy_from_user_short_zeroes_tail),
	KTEST_CASE(test_get_put_user_sizes),
	KTEST_CASE(test_get_put_user_fault),
	KTEST_CASE(test_strncpy_from_user),
	KTEST_CASE(test_strnlen_user),
	KTEST_CASE(test_access_ok_bounds),
	KTEST_CASE(test_kernel_pointers_refused),
	KTEST_CASE(test_noncanonical),
	KTEST_CASE(test_repeated_faults),
	{}
};
KTEST_SUITE_FULL(uaccess, uaccess_cases, uwin_setup, uwin_teardown);
