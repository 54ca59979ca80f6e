/*
 * ktests for user address spaces (suite "mm_space"): VMAs and their
 * invariants, demand paging, copy-on-write across mm_dup, shared
 * anonymous memory, stack growth, the mapping calls on a private mm, and
 * page accounting (every page comes back after mm_put).
 *
 * The tests run in a kernel thread on private mms; the ones that touch
 * user addresses through copy_to_user/copy_from_user activate the mm and
 * restore the kernel's root afterwards.
 */
#include <keel/err.h>
#include <keel/errno.h>
#include <keel/ktest.h>
#include <keel/ktest_thread.h>
#include <keel/mm.h>
#include <keel/slab.h>
#include <keel/smp.h>
#include <keel/string.h>
#include <keel/uaccess.h>
#include <keel/vm.h>
#include "../space_internal.h"

#define BASE 0x400000UL

static unsigned long free_now(void)
{
	struct page_alloc_stats st;

	kmem_cache_shrink_all();
	page_alloc_stats(&st);
	return st.free_pages;
}

static struct page *page_of(struct mm *mm, vaddr_t va, unsigned int *prot)
{
	struct page *p;

	spin_lock(&mm->pt_lock);
	p = mm_page_at(mm, va, prot);
	spin_unlock(&mm->pt_lock);
	return p;
}

static int check(struct mm *mm)
{
	int err;

	down_read(&mm->mmap_lock);
	err = vma_check(mm);
	up_read(&mm->mmap_lock);
	return err;
}

static vaddr_t map(struct mm *mm, vaddr_t addr, size_t len, int prot,
		   int flags)
{
	vaddr_t out = 0;

	if (mm_map(mm, addr, len, prot, flags, &out))
		return 0;
	return out;
}

#define ANON_FIXED (MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED)

static void test_create_destroy_accounting(struct ktest *t)
{
	struct mm *mm = mm_create();
	unsigned long before;

	KTEST_ASSERT_FALSE(t, IS_ERR(mm));
	mm_put(mm);                     /* warm the caches */
	before = free_now();
	mm = mm_create();
	KTEST_ASSERT_FALSE(t, IS_ERR(mm));
	KTEST_EXPECT_TRUE(t, mm->mmap_base < ARCH_USER_TOP);
	KTEST_EXPECT_TRUE(t, mm->mmap_base > (1UL << 40));
	KTEST_EXPECT_EQ(t, mm->mmap_base & (PAGE_SIZE - 1), 0);
	KTEST_EXPECT_EQ(t, map(mm, BASE, 64 * PAGE_SIZE, PROT_READ | PROT_WRITE,
			       ANON_FIXED), BASE);
	KTEST_EXPECT_EQ(t, mm_write(mm, BASE, NULL, 64 * PAGE_SIZE), 0);
	KTEST_EXPECT_EQ(t, mm->rss, 64);
	mm_put(mm);
	KTEST_EXPECT_EQ(t, free_now(), before);
}

static void test_write_read_across_pages(struct ktest *t)
{
	struct mm *mm = mm_create();
	char buf[200], out[200];
	unsigned int i;

	KTEST_ASSERT_FALSE(t, IS_ERR(mm));
	for (i = 0; i < sizeof(buf); i++)
		buf[i] = (char)(i * 7 + 1);
	KTEST_EXPECT_EQ(t, map(mm, BASE, 3 * PAGE_SIZE, PROT_READ, ANON_FIXED),
			BASE);
	/* Read-only text is filled this way by exec. */
	KTEST_EXPECT_EQ(t, mm_write(mm, BASE + PAGE_SIZE - 100, buf,
				    sizeof(buf)), 0);
	KTEST_EXPECT_EQ(t, mm_read(mm, BASE + PAGE_SIZE - 100, out,
				   sizeof(out)), sizeof(out));
	KTEST_EXPECT_MEMEQ(t, buf, out, sizeof(buf));
	KTEST_EXPECT_EQ(t, mm->rss, 2);
	/* Reading runs until the end of the mapping. */
	KTEST_EXPECT_EQ(t, mm_read(mm, BASE + 3 * PAGE_SIZE - 10, out, 50), 10);
	KTEST_EXPECT_EQ(t, mm_write(mm, BASE + 3 * PAGE_SIZE, buf, 1), -EFAULT);
	KTEST_EXPECT_EQ(t, mm_write(mm, ~0UL - 4, buf, 10), -EFAULT);
	KTEST_EXPECT_EQ(t, check(mm), 0);
	mm_put(mm);
}

static void test_fault_rules(struct ktest *t)
{
	struct mm *mm = mm_create();
	unsigned int prot;

	KTEST_ASSERT_FALSE(t, IS_ERR(mm));
	map(mm, BASE, PAGE_SIZE, PROT_READ | PROT_WRITE, ANON_FIXED);
	map(mm, BASE + PAGE_SIZE, PAGE_SIZE, PROT_READ, ANON_FIXED);
	map(mm, BASE + 2 * PAGE_SIZE, PAGE_SIZE, PROT_NONE, ANON_FIXED);
	KTEST_EXPECT_EQ(t, mm->map_count, 3);
	KTEST_EXPECT_EQ(t, mm_handle_fault(mm, BASE + 5, MM_FAULT_WRITE), 0);
	KTEST_ASSERT_NOT_NULL(t, page_of(mm, BASE, &prot));
	KTEST_EXPECT_TRUE(t, (prot & (VM_USER | VM_WRITE)) == (VM_USER | VM_WRITE));
	KTEST_EXPECT_FALSE(t, prot & VM_EXEC);
	KTEST_EXPECT_EQ(t, mm_handle_fault(mm, BASE + PAGE_SIZE,
					   MM_FAULT_WRITE), -EACCES);
	KTEST_EXPECT_EQ(t, mm_handle_fault(mm, BASE + PAGE_SIZE, 0), 0);
	KTEST_EXPECT_EQ(t, mm_handle_fault(mm, BASE + PAGE_SIZE,
					   MM_FAULT_EXEC), -EACCES);
	KTEST_EXPECT_EQ(t, mm_handle_fault(mm, BASE + 2 * PAGE_SIZE, 0),
			-EACCES);
	KTEST_EXPECT_EQ(t, mm_handle_fault(mm, BASE + 3 * PAGE_SIZE, 0),
			-EFAULT);
	KTEST_EXPECT_EQ(t, mm_handle_fault(mm, ARCH_USER_TOP, 0), -EFAULT);
	KTEST_EXPECT_EQ(t, mm_handle_fault(mm, 0, MM_FAULT_WRITE), -EFAULT);
	mm_put(mm);
}

/* Through the real MMU: the mm is activated and user copies touch it. */
static void test_user_copies(struct ktest *t)
{
	struct mm *mm = mm_create();
	char __user *u = (char __user *)BASE;
	char in[32] = "keel user space", out[32];

	KTEST_ASSERT_FALSE(t, IS_ERR(mm));
	map(mm, BASE, 2 * PAGE_SIZE, PROT_READ | PROT_WRITE, ANON_FIXED);
	map(mm, BASE + 2 * PAGE_SIZE, PAGE_SIZE, PROT_NONE, ANON_FIXED);
	/* Present pages work whether or not the arch fault path calls
	 * mm_handle_fault yet. */
	KTEST_EXPECT_EQ(t, mm_handle_fault(mm, BASE, MM_FAULT_WRITE), 0);
	mm_write(mm, BASE + PAGE_SIZE, "x", 1);
	mm_activate(mm);
	KTEST_EXPECT_PTR_EQ(t, mm_active(), mm);
	KTEST_EXPECT_EQ(t, copy_to_user(u, in, sizeof(in)), 0);
	KTEST_EXPECT_EQ(t, copy_from_user(out, u, sizeof(out)), 0);
	KTEST_EXPECT_MEMEQ(t, in, out, sizeof(in));
	KTEST_EXPECT_EQ(t, copy_from_user(out, u + PAGE_SIZE, 1), 0);
	KTEST_EXPECT_EQ(t, out[0], 'x');
	/* PROT_NONE and unmapped memory fault for the kernel too. */
	mm_write(mm, BASE + 2 * PAGE_SIZE, "y", 1);
	KTEST_EXPECT_NE(t, copy_from_user(out, u + 2 * PAGE_SIZE, 1), 0);
	KTEST_EXPECT_NE(t, copy_from_user(out, u + 3 * PAGE_SIZE, 1), 0);
	mm_activate(NULL);
	KTEST_EXPECT_NULL(t, mm_active());
	KTEST_EXPECT_EQ(t, mm_read(mm, BASE + 2 * PAGE_SIZE, out, 1), 1);
	KTEST_EXPECT_EQ(t, out[0], 'y');
	mm_put(mm);
}

static void test_cow_after_dup(struct ktest *t)
{
	unsigned long before = free_now();
	struct mm *mm = mm_create(), *child;
	struct page *pp, *cp;
	unsigned int prot;
	char c;

	KTEST_ASSERT_FALSE(t, IS_ERR(mm));
	map(mm, BASE, 2 * PAGE_SIZE, PROT_READ | PROT_WRITE, ANON_FIXED);
	mm_write(mm, BASE, "A", 1);
	mm_write(mm, BASE + PAGE_SIZE, "P", 1);
	child = mm_dup(mm);
	KTEST_ASSERT_FALSE(t, IS_ERR(child));
	KTEST_EXPECT_EQ(t, check(child), 0);
	pp = page_of(mm, BASE, &prot);
	KTEST_EXPECT_FALSE(t, prot & VM_WRITE);
	cp = page_of(child, BASE, &prot);
	KTEST_EXPECT_FALSE(t, prot & VM_WRITE);
	KTEST_EXPECT_PTR_EQ(t, pp, cp);
	KTEST_EXPECT_EQ(t, pp->refcount, 2);
	/* The child writes: it gets a copy; the parent keeps 'A'. */
	mm_write(child, BASE, "B", 1);
	KTEST_EXPECT_PTR_NE(t, page_of(child, BASE, NULL), pp);
	KTEST_EXPECT_EQ(t, pp->refcount, 1);
	mm_read(mm, BASE, &c, 1);
	KTEST_EXPECT_EQ(t, c, 'A');
	mm_read(child, BASE, &c, 1);
	KTEST_EXPECT_EQ(t, c, 'B');
	/* The parent's write fault reuses its now-exclusive page in place. */
	KTEST_EXPECT_EQ(t, mm_handle_fault(mm, BASE, MM_FAULT_WRITE |
					   MM_FAULT_PRESENT), 0);
	KTEST_EXPECT_PTR_EQ(t, page_of(mm, BASE, &prot), pp);
	KTEST_EXPECT_TRUE(t, prot & VM_WRITE);
	/* Second page: the parent writes through a fault and copies. */
	pp = page_of(mm, BASE + PAGE_SIZE, NULL);
	KTEST_EXPECT_EQ(t, mm_handle_fault(mm, BASE + PAGE_SIZE,
					   MM_FAULT_WRITE | MM_FAULT_PRESENT), 0);
	KTEST_EXPECT_PTR_NE(t, page_of(mm, BASE + PAGE_SIZE, NULL), pp);
	KTEST_EXPECT_PTR_EQ(t, page_of(child, BASE + PAGE_SIZE, NULL), pp);
	KTEST_EXPECT_EQ(t, pp->refcount, 1);
	mm_put(child);
	mm_put(mm);
	KTEST_EXPECT_EQ(t, free_now(), before);
}

static void test_shared_anon_dup(struct ktest *t)
{
	unsigned long before = free_now();
	struct mm *mm = mm_create(), *child;
	vaddr_t a;
	char c;

	KTEST_ASSERT_FALSE(t, IS_ERR(mm));
	a = map(mm, 0, 4 * PAGE_SIZE, PROT_READ | PROT_WRITE,
		MAP_SHARED | MAP_ANONYMOUS);
	KTEST_ASSERT_NE(t, a, 0);
	mm_write(mm, a, "X", 1);
	child = mm_dup(mm);
	KTEST_ASSERT_FALSE(t, IS_ERR(child));
	mm_write(child, a, "Y", 1);
	mm_read(mm, a, &c, 1);
	KTEST_EXPECT_EQ(t, c, 'Y');
	/* A page first touched after the fork is shared too. */
	KTEST_EXPECT_EQ(t, mm_handle_fault(mm, a + 2 * PAGE_SIZE,
					   MM_FAULT_WRITE), 0);
	mm_write(mm, a + 2 * PAGE_SIZE, "Z", 1);
	mm_read(child, a + 2 * PAGE_SIZE, &c, 1);
	KTEST_EXPECT_EQ(t, c, 'Z');
	KTEST_EXPECT_PTR_EQ(t, page_of(mm, a + 2 * PAGE_SIZE, NULL),
			    page_of(child, a + 2 * PAGE_SIZE, NULL));
	/* DONTNEED drops the mapping, not the shared contents. */
	KTEST_EXPECT_EQ(t, mm_madvise(mm, a, PAGE_SIZE, MADV_DONTNEED), 0);
	KTEST_EXPECT_NULL(t, page_of(mm, a, NULL));
	mm_read(mm, a, &c, 1);
	KTEST_EXPECT_EQ(t, c, 'Y');
	/* Split the shared VMA in the child; both halves share the store. */
	KTEST_EXPECT_EQ(t, mm_munmap(child, a + PAGE_SIZE, PAGE_SIZE), 0);
	KTEST_EXPECT_EQ(t, child->map_count, 2);
	mm_read(child, a + 2 * PAGE_SIZE, &c, 1);
	KTEST_EXPECT_EQ(t, c, 'Z');
	mm_put(mm);
	mm_read(child, a, &c, 1);
	KTEST_EXPECT_EQ(t, c, 'Y');
	mm_put(child);
	KTEST_EXPECT_EQ(t, free_now(), before);
}

static void test_split_merge_invariants(struct ktest *t)
{
	struct mm *mm = mm_create();
	struct vm_area *v;

	KTEST_ASSERT_FALSE(t, IS_ERR(mm));
	map(mm, BASE, 10 * PAGE_SIZE, PROT_READ | PROT_WRITE, ANON_FIXED);
	mm_write(mm, BASE, NULL, 10 * PAGE_SIZE);
	KTEST_EXPECT_EQ(t, mm_mprotect(mm, BASE + 3 * PAGE_SIZE, 2 * PAGE_SIZE,
				       PROT_READ), 0);
	KTEST_EXPECT_EQ(t, mm->map_count, 3);
	KTEST_EXPECT_EQ(t, check(mm), 0);
	KTEST_EXPECT_EQ(t, mm_handle_fault(mm, BASE + 3 * PAGE_SIZE,
					   MM_FAULT_WRITE), -EACCES);
	KTEST_EXPECT_EQ(t, mm_handle_fault(mm, BASE + 5 * PAGE_SIZE,
					   MM_FAULT_WRITE), 0);
	/* Back to read-write: the three merge again. */
	KTEST_EXPECT_EQ(t, mm_mprotect(mm, BASE + 3 * PAGE_SIZE, 2 * PAGE_SIZE,
				       PROT_READ | PROT_WRITE), 0);
	KTEST_EXPECT_EQ(t, mm->map_count, 1);
	KTEST_EXPECT_EQ(t, mm_handle_fault(mm, BASE + 3 * PAGE_SIZE,
					   MM_FAULT_WRITE | MM_FAULT_PRESENT), 0);
	/* Adjacent anonymous mappings merge; a hole splits. */
	map(mm, BASE + 10 * PAGE_SIZE, 2 * PAGE_SIZE, PROT_READ | PROT_WRITE,
	    ANON_FIXED);
	KTEST_EXPECT_EQ(t, mm->map_count, 1);
	KTEST_EXPECT_EQ(t, mm_munmap(mm, BASE + 4 * PAGE_SIZE, PAGE_SIZE), 0);
	KTEST_EXPECT_EQ(t, mm->map_count, 2);
	KTEST_EXPECT_EQ(t, mm->total_vm, 11);
	KTEST_EXPECT_EQ(t, mm->rss, 9);
	KTEST_EXPECT_EQ(t, check(mm), 0);
	/* Errors: unaligned, a hole, a bad prot. */
	KTEST_EXPECT_EQ(t, mm_mprotect(mm, BASE + 1, PAGE_SIZE, PROT_READ),
			-EINVAL);
	KTEST_EXPECT_EQ(t, mm_mprotect(mm, BASE + 3 * PAGE_SIZE, 3 * PAGE_SIZE,
				       PROT_READ), -ENOMEM);
	KTEST_EXPECT_EQ(t, mm_mprotect(mm, BASE, PAGE_SIZE, 0x10), -EINVAL);
	KTEST_EXPECT_EQ(t, mm_munmap(mm, BASE + 1, PAGE_SIZE), -EINVAL);
	KTEST_EXPECT_EQ(t, mm_munmap(mm, BASE, 0), -EINVAL);
	/* Unmapping the whole range, holes included. */
	KTEST_EXPECT_EQ(t, mm_munmap(mm, BASE - PAGE_SIZE, 20 * PAGE_SIZE), 0);
	KTEST_EXPECT_EQ(t, mm->map_count, 0);
	KTEST_EXPECT_EQ(t, mm->rss, 0);
	for_each_vma(mm, v)
		KTEST_EXPECT_TRUE(t, false);
	KTEST_EXPECT_EQ(t, check(mm), 0);
	mm_put(mm);
}

static void test_unmapped_area(struct ktest *t)
{
	struct mm *mm = mm_create();
	vaddr_t a, b, out;

	KTEST_ASSERT_FALSE(t, IS_ERR(mm));
	a = map(mm, 0, 3 * PAGE_SIZE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS);
	b = map(mm, 0, PAGE_SIZE, PROT_READ | PROT_WRITE,
		MAP_PRIVATE | MAP_ANONYMOUS);
	KTEST_EXPECT_TRUE(t, a && a + 3 * PAGE_SIZE <= mm->mmap_base);
	KTEST_EXPECT_EQ(t, b + PAGE_SIZE, a);   /* top-down, adjacent */
	/* A free hint is honoured; an occupied one is not. */
	KTEST_EXPECT_EQ(t, map(mm, 0x10000000, PAGE_SIZE, PROT_READ,
			       MAP_PRIVATE | MAP_ANONYMOUS), 0x10000000);
	KTEST_EXPECT_NE(t, map(mm, 0x10000000, PAGE_SIZE, PROT_READ,
			       MAP_PRIVATE | MAP_ANONYMOUS), 0x10000000);
	KTEST_EXPECT_EQ(t, mm_map(mm, 0x10000000, PAGE_SIZE, PROT_READ,
				  MAP_PRIVATE | MAP_ANONYMOUS |
				  MAP_FIXED_NOREPLACE, &out), -EEXIST);
	KTEST_EXPECT_EQ(t, mm_map(mm, 0x10000001, PAGE_SIZE, PROT_READ,
				  ANON_FIXED, &out), -EINVAL);
	KTEST_EXPECT_EQ(t, mm_map(mm, 0, 0, PROT_READ, ANON_FIXED, &out),
			-EINVAL);
	KTEST_EXPECT_EQ(t, mm_map(mm, 0, PAGE_SIZE, PROT_READ,
				  MAP_SHARED_VALIDATE | MAP_ANONYMOUS, &out),
			-EINVAL);
	KTEST_EXPECT_EQ(t, mm_map(mm, ARCH_USER_TOP - PAGE_SIZE,
				  2 * PAGE_SIZE, PROT_READ, ANON_FIXED, &out),
			-ENOMEM);
	KTEST_EXPECT_EQ(t, mm_map(mm, 0, 1UL << 50, PROT_READ,
				  MAP_PRIVATE | MAP_ANONYMOUS, &out), -ENOMEM);
	KTEST_EXPECT_EQ(t, check(mm), 0);
	mm_put(mm);
}

static void test_stack_growsdown(struct ktest *t)
{
	struct mm *mm = mm_create();
	vaddr_t top = 0x70000000UL, below;

	KTEST_ASSERT_FALSE(t, IS_ERR(mm));
	KTEST_EXPECT_EQ(t, map(mm, top - PAGE_SIZE, PAGE_SIZE,
			       PROT_READ | PROT_WRITE,
			       ANON_FIXED | MAP_GROWSDOWN), top - PAGE_SIZE);
	KTEST_EXPECT_EQ(t, mm_handle_fault(mm, top - 10 * PAGE_SIZE + 8,
					   MM_FAULT_WRITE | MM_FAULT_USER), 0);
	KTEST_EXPECT_EQ(t, vma_find(mm, 0)->start, top - 10 * PAGE_SIZE);
	KTEST_EXPECT_EQ(t, mm->total_vm, 10);
	/* A mapping below: the stack keeps a guard gap from it. */
	below = top - 10 * PAGE_SIZE - STACK_GUARD_GAP - 4 * PAGE_SIZE;
	KTEST_EXPECT_EQ(t, map(mm, below, PAGE_SIZE, PROT_READ, ANON_FIXED),
			below);
	KTEST_EXPECT_EQ(t, mm_handle_fault(mm, below + PAGE_SIZE +
					   STACK_GUARD_GAP - 8,
					   MM_FAULT_WRITE), -EFAULT);
	KTEST_EXPECT_EQ(t, mm_handle_fault(mm, below + 2 * PAGE_SIZE +
					   STACK_GUARD_GAP,
					   MM_FAULT_WRITE), 0);
	KTEST_EXPECT_EQ(t, check(mm), 0);
	/* Not a stack: no growth. */
	KTEST_EXPECT_EQ(t, mm_handle_fault(mm, below - 8, 0), -EFAULT);
	mm_put(mm);
}

static void test_brk(struct ktest *t)
{
	struct mm *mm = mm_create();
	vaddr_t b0;

	KTEST_ASSERT_FALSE(t, IS_ERR(mm));
	mm_set_brk_base(mm, 0x600123);
	b0 = mm->brk;
	KTEST_EXPECT_TRUE(t, b0 >= 0x601000 && b0 < 0x601000 + BRK_RND_RANGE);
	KTEST_EXPECT_EQ(t, b0 & (PAGE_SIZE - 1), 0);
	KTEST_EXPECT_EQ(t, mm_brk(mm, 0), b0);
	KTEST_EXPECT_EQ(t, mm_brk(mm, b0 + 10000), b0 + 10000);
	KTEST_EXPECT_EQ(t, mm_write(mm, b0 + 9999, "h", 1), 0);
	KTEST_EXPECT_EQ(t, mm_write(mm, b0 + 3 * PAGE_SIZE, "h", 1), -EFAULT);
	KTEST_EXPECT_EQ(t, mm_brk(mm, b0 + 5 * PAGE_SIZE), b0 + 5 * PAGE_SIZE);
	KTEST_EXPECT_EQ(t, mm->map_count, 1);
	KTEST_EXPECT_EQ(t, mm_brk(mm, b0 - 1), b0 + 5 * PAGE_SIZE);
	KTEST_EXPECT_EQ(t, mm_brk(mm, b0 + 1), b0 + 1);
	KTEST_EXPECT_EQ(t, mm->total_vm, 1);
	/* A mapping in the way stops the heap a page short of it. */
	map(mm, b0 + 8 * PAGE_SIZE, PAGE_SIZE, PROT_READ, ANON_FIXED);
	KTEST_EXPECT_EQ(t, mm_brk(mm, b0 + 8 * PAGE_SIZE), b0 + 1);
	KTEST_EXPECT_EQ(t, mm_brk(mm, b0 + 7 * PAGE_SIZE), b0 + 7 * PAGE_SIZE);
	KTEST_EXPECT_EQ(t, mm_brk(mm, ~0UL - 5), b0 + 7 * PAGE_SIZE);
	KTEST_EXPECT_EQ(t, check(mm), 0);
	mm_put(mm);
}

static void test_mremap(struct ktest *t)
{
	struct mm *mm = mm_create();
	vaddr_t a = BASE;
	long r;
	char c;

	KTEST_ASSERT_FALSE(t, IS_ERR(mm));
	map(mm, a, 2 * PAGE_SIZE, PROT_READ | PROT_WRITE, ANON_FIXED);
	mm_write(mm, a + PAGE_SIZE, "M", 1);
	/* Grow in place. */
	KTEST_EXPECT_EQ(t, mm_mremap(mm, a, 2 * PAGE_SIZE, 4 * PAGE_SIZE, 0, 0),
			(long)a);
	KTEST_EXPECT_EQ(t, mm->total_vm, 4);
	/* Blocked above: -ENOMEM without MAYMOVE, a move with it. */
	map(mm, a + 4 * PAGE_SIZE, PAGE_SIZE, PROT_READ, ANON_FIXED);
	KTEST_EXPECT_EQ(t, mm_mremap(mm, a, 4 * PAGE_SIZE, 8 * PAGE_SIZE, 0, 0),
			-ENOMEM);
	r = mm_mremap(mm, a, 4 * PAGE_SIZE, 8 * PAGE_SIZE, MREMAP_MAYMOVE, 0);
	KTEST_ASSERT_TRUE(t, r > 0 && (vaddr_t)r != a);
	mm_read(mm, (vaddr_t)r + PAGE_SIZE, &c, 1);
	KTEST_EXPECT_EQ(t, c, 'M');
	KTEST_EXPECT_NULL(t, vma_lookup(mm, a));
	KTEST_EXPECT_EQ(t, mm->rss, 1);
	/* Shrink, fixed move, bad arguments. */
	KTEST_EXPECT_EQ(t, mm_mremap(mm, (vaddr_t)r, 8 * PAGE_SIZE,
				     2 * PAGE_SIZE, 0, 0), r);
	KTEST_EXPECT_EQ(t, mm_mremap(mm, (vaddr_t)r, 2 * PAGE_SIZE,
				     2 * PAGE_SIZE,
				     MREMAP_MAYMOVE | MREMAP_FIXED, 0x20000000),
			0x20000000);
	mm_read(mm, 0x20000000 + PAGE_SIZE, &c, 1);
	KTEST_EXPECT_EQ(t, c, 'M');
	KTEST_EXPECT_EQ(t, mm_mremap(mm, 0x20000000, PAGE_SIZE, PAGE_SIZE,
				     MREMAP_FIXED, 0x30000000), -EINVAL);
	KTEST_EXPECT_EQ(t, mm_mremap(mm, 0x20000001, PAGE_SIZE, PAGE_SIZE,
				     0, 0), -EINVAL);
	KTEST_EXPECT_EQ(t, mm_mremap(mm, 0x50000000, PAGE_SIZE,
				     2 * PAGE_SIZE, MREMAP_MAYMOVE, 0),
			-EFAULT);
	KTEST_EXPECT_EQ(t, mm_mremap(mm, 0x20000000, PAGE_SIZE, 0, 0, 0),
			-EINVAL);
	KTEST_EXPECT_EQ(t, check(mm), 0);
	mm_put(mm);
}

static void test_madvise_mincore(struct ktest *t)
{
	struct mm *mm = mm_create();
	u8 vec[4];
	char c = 1;

	KTEST_ASSERT_FALSE(t, IS_ERR(mm));
	map(mm, BASE, 4 * PAGE_SIZE, PROT_READ | PROT_WRITE, ANON_FIXED);
	mm_write(mm, BASE, "D", 1);
	mm_write(mm, BASE + 2 * PAGE_SIZE, "E", 1);
	KTEST_EXPECT_EQ(t, mm_mincore(mm, BASE, 4, vec), 0);
	KTEST_EXPECT_TRUE(t, vec[0] == 1 && vec[1] == 0 && vec[2] == 1 &&
			  vec[3] == 0);
	KTEST_EXPECT_EQ(t, mm_madvise(mm, BASE, PAGE_SIZE, MADV_DONTNEED), 0);
	mm_read(mm, BASE, &c, 1);
	KTEST_EXPECT_EQ(t, c, 0);
	KTEST_EXPECT_EQ(t, mm_madvise(mm, BASE, PAGE_SIZE, 999), -EINVAL);
	KTEST_EXPECT_EQ(t, mm_madvise(mm, BASE + 1, PAGE_SIZE, MADV_NORMAL),
			-EINVAL);
	KTEST_EXPECT_EQ(t, mm_madvise(mm, BASE, 8 * PAGE_SIZE, MADV_WILLNEED),
			-ENOMEM);
	KTEST_EXPECT_EQ(t, mm_madvise(mm, BASE, PAGE_SIZE, MADV_REMOVE),
			-EINVAL);
	/* DONTFORK splits off a VMA the child does not get. */
	KTEST_EXPECT_EQ(t, mm_madvise(mm, BASE + 3 * PAGE_SIZE, PAGE_SIZE,
				      MADV_DONTFORK), 0);
	KTEST_EXPECT_EQ(t, mm->map_count, 2);
	KTEST_EXPECT_EQ(t, mm_mincore(mm, BASE + 4 * PAGE_SIZE, 1, vec),
			-ENOMEM);
	KTEST_EXPECT_EQ(t, check(mm), 0);
	mm_put(mm);
}

/* ---- TLB shootdown across CPUs ------------------------------------------------ */

struct tlb_ctx {
	struct mm *mm;
	int phase;              /* [a] 0 start, 1 read once, 2 go, 3 done */
	char seen1, seen2;
	unsigned int cpu;
};

static bool wait_phase(struct tlb_ctx *c, int phase)
{
	u64 spins;

	for (spins = 0; spins < 2000000000ULL; spins++) {
		if (__atomic_load_n(&c->phase, __ATOMIC_ACQUIRE) == phase)
			return true;
		arch_cpu_relax();
	}
	return false;
}

/* On another CPU: cache the page's translation, then read again after
 * the main thread replaced it; the thread ends still on the mm, so
 * mm_put must move that CPU off it. */
static int tlb_reader(void *arg)
{
	struct tlb_ctx *c = arg;
	const char __user *u = (const char __user *)BASE;

	mm_activate(c->mm);
	c->cpu = cpu_id();
	if (copy_from_user(&c->seen1, u, 1))
		c->seen1 = '?';
	__atomic_store_n(&c->phase, 1, __ATOMIC_RELEASE);
	if (!wait_phase(c, 2))
		return -1;
	if (copy_from_user(&c->seen2, u, 1))
		c->seen2 = '?';
	__atomic_store_n(&c->phase, 3, __ATOMIC_RELEASE);
	return 0;
}

static void test_tlb_shootdown(struct ktest *t)
{
	struct tlb_ctx c = { 0 };
	struct thread *th;
	struct page *old;

	if (num_online_cpus() < 2) {
		ktest_skip(t, "needs two CPUs");
		return;
	}
	c.mm = mm_create();
	KTEST_ASSERT_FALSE(t, IS_ERR(c.mm));
	map(c.mm, BASE, PAGE_SIZE, PROT_READ | PROT_WRITE, ANON_FIXED);
	mm_write(c.mm, BASE, "O", 1);
	th = ktest_spawn_on(tlb_reader, &c, "mm_tlb", 1);
	KTEST_ASSERT_NOT_NULL(t, th);
	KTEST_EXPECT_TRUE(t, wait_phase(&c, 1));
	KTEST_EXPECT_TRUE(t, cpumask_test_cpu(c.cpu, &c.mm->active_cpus));
	/* Replace the page: the reader must not see the old one, which is
	 * kept alive (and holding 'O') so the new page is another one. */
	old = page_of(c.mm, BASE, NULL);
	KTEST_ASSERT_NOT_NULL(t, old);
	get_page(old);
	KTEST_EXPECT_EQ(t, mm_munmap(c.mm, BASE, PAGE_SIZE), 0);
	map(c.mm, BASE, PAGE_SIZE, PROT_READ | PROT_WRITE, ANON_FIXED);
	mm_write(c.mm, BASE, "N", 1);
	__atomic_store_n(&c.phase, 2, __ATOMIC_RELEASE);
	KTEST_EXPECT_EQ(t, kthread_join(th), 0);
	KTEST_EXPECT_EQ(t, c.seen1, 'O');
	KTEST_EXPECT_EQ(t, c.seen2, 'N');
	put_page(old);
	mm_put(c.mm);
}

static struct ktest_case mm_space_cases[] = {
	KTEST_CASE(test_create_destroy_accounting),
	KTEST_CASE(test_write_read_across_pages),
	KTEST_CASE(test_fault_rules),
	KTEST_CASE(test_user_copies),
	KTEST_CASE(test_cow_after_dup),
	KTEST_CASE(test_shared_anon_dup),
	KTEST_CASE(test_split_merge_invariants),
	KTEST_CASE(test_unmapped_area),
	KTEST_CASE(test_stack_growsdown),
	KTEST_CASE(test_brk),
	KTEST_CASE(test_mremap),
	KTEST_CASE(test_madvise_mincore),
	KTEST_CASE(test_tlb_shootdown),
	{}
};
KTEST_SUITE(mm_space, mm_space_cases);
