/*
 * ktests proving the kernel address space's protections are enforced:
 * W^X on the image and the direct map, no user-accessible kernel mappings
 * (but the vDSO's read-only HPET alias),
 * no identity map left, guard pages around vmalloc areas and kernel stacks.
 * Each probe either must succeed (controls) or must fault (-EFAULT).
 */
#include <keel/errno.h>
#include <keel/ktest.h>
#include <keel/mm.h>
#include <keel/slab.h>
#include <keel/string.h>
#include <keel/vdso.h>
#include <keel/vm.h>
#include <asm/cpu.h>
#include <asm/layout.h>

#define PTE_P   (1ULL << 0)
#define PTE_US  (1ULL << 2)
#define PTE_PS  (1ULL << 7)
#define PTE_ADDR 0x000ffffffffff000ULL

static const u8 rodata_object[16] = { 1, 2, 3 };
static u8 data_object[16] = { 1 };
/* x86 "ret": executing this returns at once wherever it is executable. */
static u8 data_ret[16] = { 0xc3 };

__noinline void mmu_ktest_nop(void);
__noinline void mmu_ktest_nop(void)
{
	barrier();
}

static void test_data_is_writable(struct ktest *t)
{
	u8 v = 0;

	KTEST_EXPECT_EQ(t, arch_probe_write_u8(&data_object[1], 7), 0);
	KTEST_EXPECT_EQ(t, arch_probe_read_u8(&data_object[1], &v), 0);
	KTEST_EXPECT_EQ(t, v, 7);
}

static void test_rodata_write_faults(struct ktest *t)
{
	u8 v = 0;

	KTEST_EXPECT_EQ(t, arch_probe_write_u8((void *)&rodata_object[0], 9), -EFAULT);
	KTEST_EXPECT_EQ(t, arch_probe_read_u8(&rodata_object[0], &v), 0);
	KTEST_EXPECT_EQ(t, v, 1);
}

static void test_text_write_faults(struct ktest *t)
{
	KTEST_EXPECT_EQ(t, arch_probe_write_u8((void *)mmu_ktest_nop, 0xcc), -EFAULT);
}

static void test_direct_map_alias_of_image_read_only(struct ktest *t)
{
	void *alias = phys_to_virt(__pa_symbol(rodata_object));
	u8 v = 0;

	KTEST_EXPECT_EQ(t, arch_probe_read_u8(alias, &v), 0);
	KTEST_EXPECT_EQ(t, v, 1);
	KTEST_EXPECT_EQ(t, arch_probe_write_u8(alias, 9), -EFAULT);
}

static void test_text_executes(struct ktest *t)
{
	KTEST_EXPECT_EQ(t, arch_probe_exec(mmu_ktest_nop), 0);
}

static void test_data_exec_faults(struct ktest *t)
{
	KTEST_EXPECT_EQ(t, arch_probe_exec(data_ret), -EFAULT);
}

static void test_heap_exec_faults(struct ktest *t)
{
	u8 *heap = kmalloc(64, GFP_KERNEL);

	KTEST_ASSERT_NOT_NULL(t, heap);
	heap[0] = 0xc3;
	KTEST_EXPECT_EQ(t, arch_probe_exec(heap), -EFAULT);
	kfree(heap);
}

static void test_direct_map_exec_faults(struct ktest *t)
{
	struct page *p = alloc_page(GFP_KERNEL);
	u8 *va;

	KTEST_ASSERT_NOT_NULL(t, p);
	va = page_address(p);
	va[0] = 0xc3;
	KTEST_EXPECT_EQ(t, arch_probe_exec(va), -EFAULT);
	free_page(p);
}

static void test_vmalloc_exec_faults(struct ktest *t)
{
	u8 *v = vmalloc(PAGE_SIZE);

	KTEST_ASSERT_NOT_NULL(t, v);
	v[0] = 0xc3;
	KTEST_EXPECT_EQ(t, arch_probe_exec(v), -EFAULT);
	vfree(v);
}

static void test_low_memory_unmapped(struct ktest *t)
{
	u8 v;

	KTEST_EXPECT_EQ(t, arch_probe_read_u8(NULL, &v), -EFAULT);
	KTEST_EXPECT_EQ(t, arch_probe_read_u8((void *)0x1000, &v), -EFAULT);
	KTEST_EXPECT_EQ(t, arch_probe_read_u8((void *)0x100000, &v), -EFAULT);
}

/* Count present entries with the user bit anywhere under @table. */
static unsigned long count_user_entries(u64 *table, int level, unsigned int first)
{
	unsigned long n = 0;
	unsigned int i;

	for (i = first; i < 512; i++) {
		u64 e = table[i];

		if (!(e & PTE_P))
			continue;
		if (e & PTE_US)
			n++;
		if (level > 1 && !(e & PTE_PS))
			n += count_user_entries(phys_to_virt(e & PTE_ADDR),
						level - 1, 0);
	}
	return n;
}

static void test_no_user_mappings_in_kernel_half(struct ktest *t)
{
	u64 *pml4 = phys_to_virt(read_cr3() & PTE_ADDR);
	const struct vdso_data *vd = vdso_data_get();
	/* Save the vDSO's read-only HPET alias: its four-level path. */
	bool alias = vd && vd->hpet_counter;
	unsigned int prot = 0;

	KTEST_EXPECT_EQ(t, count_user_entries(pml4, 4, 256), alias ? 4 : 0);
	if (alias) {
		KTEST_EXPECT_TRUE(t, arch_translate(arch_kernel_root(),
						    VDSO_HPET_VA, NULL, &prot));
		KTEST_EXPECT_EQ(t, prot & (VM_USER | VM_WRITE | VM_EXEC),
				VM_USER);
	}
	/* And the user half is empty: no identity map survived boot. */
	KTEST_EXPECT_EQ(t, count_user_entries(pml4, 4, 0) -
			   count_user_entries(pml4, 4, 256), 0);
	KTEST_EXPECT_EQ(t, pml4[0] & PTE_P, 0);
}

static void test_translate(struct ktest *t)
{
	struct page *p = alloc_page(GFP_KERNEL);
	unsigned int prot = 0;
	paddr_t pa = 0;

	KTEST_ASSERT_NOT_NULL(t, p);
	KTEST_ASSERT_TRUE(t, arch_translate(arch_kernel_root(),
					    (vaddr_t)page_address(p), &pa, &prot));
	KTEST_EXPECT_EQ(t, pa, page_to_phys(p));
	KTEST_EXPECT_EQ(t, prot & (VM_WRITE | VM_EXEC | VM_USER), VM_WRITE);
	KTEST_ASSERT_TRUE(t, arch_translate(arch_kernel_root(),
					    (vaddr_t)mmu_ktest_nop, &pa, &prot));
	KTEST_EXPECT_EQ(t, prot & (VM_WRITE | VM_EXEC), VM_EXEC);
	KTEST_EXPECT_FALSE(t, arch_translate(arch_kernel_root(), 0x1000, &pa, &prot));
	free_page(p);
}

static void test_vmalloc_guard_faults(struct ktest *t)
{
	u8 *v = vmalloc(2 * PAGE_SIZE);

	KTEST_ASSERT_NOT_NULL(t, v);
	KTEST_EXPECT_EQ(t, arch_probe_write_u8(v + 2 * PAGE_SIZE - 1, 1), 0);
	KTEST_EXPECT_EQ(t, arch_probe_write_u8(v + 2 * PAGE_SIZE, 1), -EFAULT);
	vfree(v);
	/* After vfree the pages are gone from the map too. */
	KTEST_EXPECT_EQ(t, arch_probe_write_u8(v, 1), -EFAULT);
}

static void test_kstack_guard_faults(struct ktest *t)
{
	u8 *s = kstack_alloc(4 * PAGE_SIZE);
	vaddr_t lo = 0, hi = 0;

	KTEST_ASSERT_NOT_NULL(t, s);
	KTEST_EXPECT_EQ(t, arch_probe_write_u8(s, 1), 0);
	KTEST_EXPECT_EQ(t, arch_probe_write_u8(s - 1, 1), -EFAULT);
	KTEST_EXPECT_EQ(t, arch_probe_write_u8(s + 4 * PAGE_SIZE, 1), -EFAULT);
	KTEST_EXPECT_TRUE(t, vm_stack_guard_hit((vaddr_t)s - 8, &lo, &hi));
	KTEST_EXPECT_EQ(t, lo, (vaddr_t)s);
	KTEST_EXPECT_EQ(t, hi, (vaddr_t)s + 4 * PAGE_SIZE);
	KTEST_EXPECT_FALSE(t, vm_stack_guard_hit((vaddr_t)s + 8, &lo, &hi));
	KTEST_EXPECT_TRUE(t, vm_stack_bounds((vaddr_t)s + 8, &lo, &hi));
	kstack_free(s);
	KTEST_EXPECT_FALSE(t, vm_stack_bounds((vaddr_t)s + 8, &lo, &hi));
}

static void test_cpu_protections_on(struct ktest *t)
{
	u32 a, b, c, d;

	KTEST_EXPECT_TRUE(t, read_cr0() & X86_CR0_WP);
	KTEST_EXPECT_TRUE(t, rdmsr(MSR_EFER) & EFER_NXE);
	cpuid_count(7, 0, &a, &b, &c, &d);
	if (b & (1U << X86_FEAT_7_EBX_SMEP))
		KTEST_EXPECT_TRUE(t, read_cr4() & X86_CR4_SMEP);
	if (b & (1U << X86_FEAT_7_EBX_SMAP))
		KTEST_EXPECT_TRUE(t, read_cr4() & X86_CR4_SMAP);
	if (c & (1U << X86_FEAT_7_ECX_UMIP))
		KTEST_EXPECT_TRUE(t, read_cr4() & X86_CR4_UMIP);
}

static struct ktest_case mmu_cases[] = {
	KTEST_CASE(test_data_is_writable),
	KTEST_CASE(test_rodata_write_faults),
	KTEST_CASE(test_text_write_faults),
	KTEST_CASE(test_direct_map_alias_of_image_read_only),
	KTEST_CASE(test_text_executes),
	KTEST_CASE(test_data_exec_faults),
	KTEST_CASE(test_heap_exec_faults),
	KTEST_CASE(test_direct_map_exec_faults),
	KTEST_CASE(test_vmalloc_exec_faults),
	KTEST_CASE(test_low_memory_unmapped),
	KTEST_CASE(test_no_user_mappings_in_kernel_half),
	KTEST_CASE(test_translate),
	KTEST_CASE(test_vmalloc_guard_faults),
	KTEST_CASE(test_kstack_guard_faults),
	KTEST_CASE(test_cpu_protections_on),
	{}
};
KTEST_SUITE(mmu, mmu_cases);
