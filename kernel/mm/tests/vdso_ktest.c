/*
 * ktests for the vDSO's kernel side (kernel/mm/vdso.c): the embedded image
 * passes the boot check and corrupted copies do not; the [vvar] clock
 * state, put through the vDSO's arithmetic with the same counter, lies
 * between two clock_monotonic_ns() readings; the realtime offset is
 * mirrored; vdso_map() lays out [vvar] and [vdso] in a fresh mm with the
 * image readable at the returned address.
 */
#include <keel/err.h>
#include <keel/errno.h>
#include <keel/ktest.h>
#include <keel/mm.h>
#include <keel/mm_space.h>
#include <keel/slab.h>
#include <keel/string.h>
#include <keel/time.h>
#include <keel/vdso.h>
#include <uapi/elf.h>

#include "../space_internal.h"

static size_t image_size(void)
{
	return (size_t)(vdso_image_end - vdso_image_start);
}

static void test_image_check(struct ktest *t)
{
	size_t size = image_size();
	char *copy = kmalloc(size, GFP_KERNEL);
	Elf64_Ehdr *eh = (Elf64_Ehdr *)copy;

	KTEST_EXPECT_NULL(t, vdso_image_check(vdso_image_start, size));
	KTEST_ASSERT_NOT_NULL(t, copy);
	memcpy(copy, vdso_image_start, size);
	eh->e_ident[0] = 0;
	KTEST_EXPECT_NOT_NULL(t, vdso_image_check(copy, size));
	memcpy(copy, vdso_image_start, size);
	eh->e_type = ET_EXEC;
	KTEST_EXPECT_NOT_NULL(t, vdso_image_check(copy, size));
	memcpy(copy, vdso_image_start, size);
	eh->e_phnum = 0xffff;
	KTEST_EXPECT_NOT_NULL(t, vdso_image_check(copy, size));
	memcpy(copy, vdso_image_start, size);
	eh->e_phoff = ~0ULL - 8;
	KTEST_EXPECT_NOT_NULL(t, vdso_image_check(copy, size));
	KTEST_EXPECT_NOT_NULL(t, vdso_image_check(copy, 16));
	kfree(copy);
}

/* The vDSO's computation (vclock.c), on the kernel's counter. */
static bool vvar_monotonic(const struct vdso_data *vd, u64 *out)
{
	const struct vdso_clock *c;
	struct clocksource *cs;
	unsigned __int128 ns;
	unsigned int seq;
	u64 delta;

	do {
		seq = __atomic_load_n(&vd->seq, __ATOMIC_ACQUIRE);
		c = &vd->copy[seq & 1];
		if (c->mode == VDSO_CLOCK_NONE)
			return false;
		cs = clocksource_find(c->mode == VDSO_CLOCK_TSC ? "tsc"
								: "hpet");
		if (!cs)
			return false;
		delta = (cs->read() - c->cycle_last) & c->mask;
		if (c->mask == ~0ULL && (s64)delta < 0)
			delta = 0;
		ns = (((unsigned __int128)c->base_hi << 64) | c->base_lo) +
		     (unsigned __int128)delta * c->mult;
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
	} while (__atomic_load_n(&vd->seq, __ATOMIC_RELAXED) != seq);
	*out = (u64)(ns >> VDSO_CLOCK_SHIFT);
	return true;
}

static void test_vvar_clock(struct ktest *t)
{
	const struct vdso_data *vd = vdso_data_get();
	u64 before, mid = 0, after;
	int i;

	KTEST_ASSERT_NOT_NULL(t, vd);
	if (vd->copy[vd->seq & 1].mode == VDSO_CLOCK_NONE) {
		ktest_skip(t, "the clock source is not user-readable");
		return;
	}
	for (i = 0; i < 1000; i++) {
		before = clock_monotonic_ns();
		KTEST_ASSERT_TRUE(t, vvar_monotonic(vd, &mid));
		after = clock_monotonic_ns();
		KTEST_ASSERT_TRUE(t, before <= mid && mid <= after);
	}
}

static void test_vvar_realtime(struct ktest *t)
{
	const struct vdso_data *vd = vdso_data_get();
	u64 off, real, mono;

	KTEST_ASSERT_NOT_NULL(t, vd);
	off = __atomic_load_n(&vd->realtime_offset, __ATOMIC_ACQUIRE);
	mono = clock_monotonic_ns();
	real = clock_realtime_ns();
	/* real - mono is the offset plus the time between the two reads. */
	KTEST_EXPECT_TRUE(t, real - mono >= off);
	KTEST_EXPECT_TRUE(t, real - mono - off < NSEC_PER_SEC / 10);
}

static void test_map_layout(struct ktest *t)
{
	struct mm *mm = mm_create();
	struct vm_area *vvar, *text;
	Elf64_Ehdr eh;
	long addr;

	KTEST_ASSERT_FALSE(t, IS_ERR(mm));
	addr = vdso_map(mm);
	KTEST_EXPECT_GT(t, addr, 0);
	KTEST_EXPECT_EQ(t, addr & (PAGE_SIZE - 1), 0);
	if (addr > 0) {
		down_read(&mm->mmap_lock);
		vvar = vma_lookup(mm, addr - PAGE_SIZE);
		text = vma_lookup(mm, addr);
		KTEST_EXPECT_TRUE(t, vvar && vvar->ops &&
				  !strcmp(vvar->ops->name, "[vvar]"));
		KTEST_EXPECT_TRUE(t, vvar && vvar->end == (vaddr_t)addr &&
				  !(vvar->flags & (VMA_WRITE | VMA_MAYWRITE |
						   VMA_EXEC)));
		KTEST_EXPECT_TRUE(t, text && text->start == (vaddr_t)addr &&
				  !strcmp(text->ops->name, "[vdso]"));
		KTEST_EXPECT_TRUE(t, text && (text->flags & VMA_EXEC) &&
				  !(text->flags & (VMA_WRITE | VMA_MAYWRITE)));
		up_read(&mm->mmap_lock);
		KTEST_EXPECT_EQ(t, mm_read(mm, addr, &eh, sizeof(eh)),
				(long)sizeof(eh));
		KTEST_EXPECT_MEMEQ(t, &eh, vdso_image_start, sizeof(eh));
	}
	mm_put(mm);
}

static struct ktest_case vdso_cases[] = {
	KTEST_CASE(test_image_check),
	KTEST_CASE(test_vvar_clock),
	KTEST_CASE(test_vvar_realtime),
	KTEST_CASE(test_map_layout),
	{}
};
KTEST_SUITE(vdso, vdso_cases);
