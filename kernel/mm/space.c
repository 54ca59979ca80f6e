/*
 * Address-space life cycle and page-table bookkeeping: mm_create, mm_dup
 * (fork's copy-on-write), mm_put, mm_activate and TLB shootdowns, and the
 * helpers that unmap, re-protect and move ranges of user pages.
 *
 * TLB coherence: each CPU records the mm it runs on (cpu_mm[], changed
 * only by that CPU with interrupts off), and each mm the CPUs that may
 * cache its entries (active_cpus). mm_activate sets the new mm's bit
 * before loading its root and clears the old one's after leaving it;
 * loading a root (no PCIDs) drops every non-global entry, so a CPU whose
 * bit is clear holds nothing of that mm. A shootdown changes the entries
 * first, then reads active_cpus (both sides use full barriers) and runs
 * the flush on each CPU in it that is still on the mm. Pages are released
 * only after the shootdown.
 *
 * Teardown: the last mm_put first makes every CPU still on the mm (a
 * CPU whose task just exited, say) switch to the kernel's root, so the
 * tables are not freed under anyone.
 */
#include <keel/errno.h>
#include <keel/err.h>
#include <keel/panic.h>
#include <keel/param.h>
#include <keel/random.h>
#include <keel/slab.h>
#include <keel/smp.h>
#include <keel/string.h>
#include <keel/task.h>
#include <keel/vm.h>
#include "space_internal.h"

/* The mm each CPU runs on (NULL: the kernel's root). [this CPU, irqs off] */
static struct mm *cpu_mm[NR_CPUS];

#define MASK_WORD(cpu) ((cpu) / (8 * sizeof(unsigned long)))
#define MASK_BIT(cpu)  (1UL << ((cpu) % (8 * sizeof(unsigned long))))

static void active_set(struct mm *mm, unsigned int cpu)
{
	__atomic_fetch_or(&mm->active_cpus.bits[MASK_WORD(cpu)],
			  MASK_BIT(cpu), __ATOMIC_SEQ_CST);
}

static void active_clear(struct mm *mm, unsigned int cpu)
{
	__atomic_fetch_and(&mm->active_cpus.bits[MASK_WORD(cpu)],
			   ~MASK_BIT(cpu), __ATOMIC_SEQ_CST);
}

static bool active_test(struct mm *mm, unsigned int cpu)
{
	return __atomic_load_n(&mm->active_cpus.bits[MASK_WORD(cpu)],
			       __ATOMIC_SEQ_CST) & MASK_BIT(cpu);
}

/* ---- activation and shootdowns ------------------------------------------ */

void mm_activate(struct mm *mm)
{
	unsigned long flags = arch_irq_save();
	unsigned int cpu = cpu_id();
	struct mm *old = cpu_mm[cpu];

	if (old != mm) {
		if (mm)
			active_set(mm, cpu);
		arch_switch_space(mm ? mm->root : arch_kernel_root());
		cpu_mm[cpu] = mm;
		if (old)
			active_clear(old, cpu);
	}
	arch_irq_restore(flags);
}

struct mm *mm_active(void)
{
	unsigned long flags = arch_irq_save();
	struct mm *mm = cpu_mm[cpu_id()];

	arch_irq_restore(flags);
	return mm;
}

struct tlb_request {
	struct mm *mm;
	vaddr_t start, end;
};

/* Runs on each target CPU (interrupts off). */
static void tlb_flush_here(void *arg)
{
	struct tlb_request *rq = arg;

	if (cpu_mm[cpu_id()] != rq->mm)
		return;
	if (rq->end - rq->start >= ARCH_USER_TOP / 2)
		arch_tlb_flush_all();
	else
		arch_tlb_flush_range(rq->start, rq->end - rq->start);
}

void mm_flush_tlb_range(struct mm *mm, vaddr_t start, vaddr_t end)
{
	struct tlb_request rq = { .mm = mm, .start = start, .end = end };
	unsigned int cpu;

	if (start >= end)
		return;
	/* Order the entry changes before reading who may cache them. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	for (cpu = 0; cpu < NR_CPUS; cpu++)
		if (active_test(mm, cpu))
			smp_call_function_single(cpu, tlb_flush_here, &rq, true);
}

/* Runs on each CPU still on a dying mm: leave it for the kernel's root. */
static void leave_mm_here(void *arg)
{
	unsigned int cpu = cpu_id();
	struct mm *mm = arg;

	if (cpu_mm[cpu] != mm)
		return;
	arch_switch_space(arch_kernel_root());
	cpu_mm[cpu] = NULL;
	active_clear(mm, cpu);
}

/* ---- creation --------------------------------------------------------- */

/*
 * Linux's norandmaps (randomize_va_space=0): every layout offset is zero,
 * so a program gets the same addresses in every run - debugging, and the
 * deterministic benchmarks, where page-table shapes must not vary.
 */
static bool norandmaps;
KPARAM_BOOL(norandmaps, norandmaps, "no address-space layout randomization");

u64 mm_random_below(u64 bound)
{
	return norandmaps ? 0 : get_random_below(bound);
}

/*
 * Linux's layout: the stack top is randomized over STACK_RND_BITS pages
 * below the end of user space, and mmap_base sits below the stack's
 * largest extent (RLIMIT_STACK, clamped to [128 MiB, 5/6 of the space],
 * plus the stack's random range and the guard gap) by a further random
 * MMAP_RND_BITS pages.
 */
static void mm_randomize(struct mm *mm)
{
	u64 stack = current_task() ? task_rlimit(RLIMIT_STACK) : 8UL << 20;
	u64 stack_rnd = (1UL << STACK_RND_BITS) << PAGE_SHIFT;
	u64 gap, rnd;

	gap = MAX(MIN(stack, ARCH_USER_TOP / 6 * 5), 128UL << 20);
	gap += stack_rnd + STACK_GUARD_GAP;
	rnd = mm_random_below(1UL << MMAP_RND_BITS) << PAGE_SHIFT;
	mm->mmap_base = ALIGN_DOWN(ARCH_USER_TOP - gap - rnd, PAGE_SIZE);
	mm->stack_top = ARCH_USER_TOP -
		(mm_random_below(1UL << STACK_RND_BITS) << PAGE_SHIFT);
}

struct mm *mm_create(void)
{
	struct mm *mm = kzalloc(sizeof(*mm), GFP_KERNEL);

	if (!mm)
		return ERR_PTR(-ENOMEM);
	mm->root = arch_space_create();
	if (!mm->root) {
		kfree(mm);
		return ERR_PTR(-ENOMEM);
	}
	mm->refcount = 1;
	init_rwsem(&mm->mmap_lock);
	spin_lock_init(&mm->pt_lock);
	mm->vma_tree = RB_ROOT;
	INIT_LIST_HEAD(&mm->vma_list);
	mm_randomize(mm);
	return mm;
}

void mm_get(struct mm *mm)
{
	__atomic_fetch_add(&mm->refcount, 1, __ATOMIC_RELAXED);
}

/* Release every page mapped in [start, end); nobody runs on @mm. */
static void release_pages(struct mm *mm, vaddr_t start, vaddr_t end)
{
	vaddr_t va = start;

	while (arch_next_mapped(mm->root, &va, end)) {
		paddr_t pa = arch_unmap_page(mm->root, va);

		put_page(pfn_to_page(pa >> PAGE_SHIFT));
		mm->rss--;
		va += PAGE_SIZE;
	}
}

static void mm_destroy(struct mm *mm)
{
	struct vm_area *v, *n;
	unsigned int cpu;

	for (cpu = 0; cpu < NR_CPUS; cpu++)
		if (active_test(mm, cpu))
			smp_call_function_single(cpu, leave_mm_here, mm, true);
	list_for_each_entry_safe(v, n, &mm->vma_list, link) {
		release_pages(mm, v->start, v->end);
		vma_unlink(mm, v);
		vma_free(v);
	}
	/* Pages outside every VMA would be a bug; release them anyway. */
	release_pages(mm, 0, ARCH_USER_TOP);
	arch_space_destroy(mm->root);
	kfree(mm);
}

void mm_put(struct mm *mm)
{
	if (!mm)
		return;
	might_sleep();
	if (__atomic_sub_fetch(&mm->refcount, 1, __ATOMIC_ACQ_REL) == 0)
		mm_destroy(mm);
}

/* ---- fork ---------------------------------------------------------------- */

/* Share @v's present pages with @new: private ones read-only in both. */
/* A page fork copies into @arg (the new mm): one more reference. */
static void dup_one_page(paddr_t pa, void *arg)
{
	struct mm *new = arg;

	get_page(pfn_to_page(pa >> PAGE_SHIFT));
	new->rss++;
}

/* Copy @v's pages into @new: private writable ones become copy-on-write. */
static int dup_pages(struct mm *old, struct mm *new, struct vm_area *v)
{
	int err;

	spin_lock(&old->pt_lock);
	err = arch_dup_range(old->root, new->root, v->start, v->end,
			     !(v->flags & VMA_SHARED), dup_one_page, new);
	spin_unlock(&old->pt_lock);
	return err;
}

static int dup_vmas(struct mm *old, struct mm *new)
{
	struct vm_area *v, *nv;

	for_each_vma(old, v) {
		if (v->flags & VMA_DONTCOPY)
			continue;
		nv = vma_clone(new, v);
		if (!nv)
			return -ENOMEM;
		vma_link(new, nv);
		if ((v->flags & VMA_WIPEONFORK) && !v->ops)
			continue;
		if (dup_pages(old, new, v))
			return -ENOMEM;
	}
	return 0;
}

struct mm *mm_dup(struct mm *old)
{
	struct mm *new = mm_create();
	int err;

	if (IS_ERR(new))
		return new;
	down_write(&old->mmap_lock);
	new->mmap_base = old->mmap_base;
	new->stack_top = old->stack_top;
	new->start_brk = old->start_brk;
	new->brk = old->brk;
	new->start_stack = old->start_stack;
	new->arg_start = old->arg_start;
	new->arg_end = old->arg_end;
	new->env_start = old->env_start;
	new->env_end = old->env_end;
	err = dup_vmas(old, new);
	/* The parent's writable entries became read-only: shoot them down
	 * before anyone relies on copy-on-write. */
	mm_flush_tlb_range(old, 0, ARCH_USER_TOP);
	up_write(&old->mmap_lock);
	if (err) {
		mm_put(new);
		return ERR_PTR(err);
	}
	return new;
}

/* ---- page-table helpers ------------------------------------------------------ */

unsigned int vma_page_prot(const struct vm_area *vma, bool writable)
{
	unsigned int prot = VM_USER;

	if (vma->flags & VMA_ACCESS)
		prot |= VM_READ;
	if ((vma->flags & VMA_WRITE) && writable)
		prot |= VM_WRITE;
	if (vma->flags & VMA_EXEC)
		prot |= VM_EXEC;
	return prot;
}

struct page *mm_page_at(struct mm *mm, vaddr_t va, unsigned int *prot)
{
	paddr_t pa;

	lock_assert_held(&mm->pt_lock);
	if (!arch_translate(mm->root, va, &pa, prot))
		return NULL;
	return pfn_to_page(pa >> PAGE_SHIFT);
}

#define ZAP_BATCH 64

void mm_zap_range(struct mm *mm, vaddr_t start, vaddr_t end)
{
	struct page *batch[ZAP_BATCH];
	vaddr_t va = start;
	unsigned int n, i;

	/* Never the kernel half (shared tables): callers check, this enforces. */
	if (end > ARCH_USER_TOP)
		end = ARCH_USER_TOP;
	if (start >= end)
		return;

	do {
		vaddr_t first = va;

		n = 0;
		spin_lock(&mm->pt_lock);
		while (n < ZAP_BATCH && arch_next_mapped(mm->root, &va, end)) {
			paddr_t pa = arch_unmap_page(mm->root, va);

			if (!n)
				first = va;
			batch[n++] = pfn_to_page(pa >> PAGE_SHIFT);
			va += PAGE_SIZE;
		}
		__atomic_fetch_sub(&mm->rss, n, __ATOMIC_RELAXED);
		spin_unlock(&mm->pt_lock);
		if (!n)
			break;
		mm_flush_tlb_range(mm, first, va);
		for (i = 0; i < n; i++)
			put_page(batch[i]);
	} while (n == ZAP_BATCH);
}

void mm_protect_range(struct mm *mm, struct vm_area *vma, vaddr_t start,
		      vaddr_t end)
{
	bool shared = vma->flags & VMA_SHARED;
	vaddr_t va = start;

	spin_lock(&mm->pt_lock);
	while (arch_next_mapped(mm->root, &va, end)) {
		unsigned int prot;

		arch_translate(mm->root, va, NULL, &prot);
		/* A private page gets write access back on its next write
		 * fault, which checks whether it is still shared. */
		arch_protect_page(mm->root, va, vma_page_prot(vma,
				  shared || (prot & VM_WRITE)));
		va += PAGE_SIZE;
	}
	spin_unlock(&mm->pt_lock);
	mm_flush_tlb_range(mm, start, end);
}

/* Move the entries of [from, from + len) to [to, ...); stop at a failure.
 * Return: bytes moved (a multiple of the page size). */
static size_t move_entries(struct mm *mm, vaddr_t from, vaddr_t to,
			   size_t len, int *err)
{
	vaddr_t va = from;

	*err = 0;
	while (arch_next_mapped(mm->root, &va, from + len)) {
		unsigned int prot;
		paddr_t pa;

		arch_translate(mm->root, va, &pa, &prot);
		*err = arch_map_page(mm->root, to + (va - from), pa, prot);
		if (*err)
			return va - from;
		arch_unmap_page(mm->root, va);
		va += PAGE_SIZE;
	}
	return len;
}

int mm_move_pages(struct mm *mm, vaddr_t old, vaddr_t new, size_t len)
{
	size_t done;
	int err, err2;

	spin_lock(&mm->pt_lock);
	done = move_entries(mm, old, new, len, &err);
	/* Out of page tables: put back what moved (its tables exist). */
	if (err && done)
		move_entries(mm, new, old, done, &err2);
	spin_unlock(&mm->pt_lock);
	mm_flush_tlb_range(mm, old, old + len);
	if (err)
		mm_flush_tlb_range(mm, new, new + len);
	return err;
}
