/*
 * The vmalloc area: virtually contiguous kernel memory and kernel stacks.
 *
 * Each area reserves a virtual range that includes unmapped guard pages:
 *
 *	vmalloc:  [ mapped pages ............ ][ guard ]
 *	stack:    [ guard ][ mapped pages ... ][ guard ]
 *
 * so an overrun off either end of a stack, or off the end of a vmalloc
 * buffer, faults. Areas are kept in a list sorted by address; allocation is
 * first fit. The list is short in practice (stacks and a few big buffers);
 * a tree replaces it when that stops being true.
 *
 * Locking: vmap_lock protects vmap_list and every area's fields, and
 * serializes changes to the vmalloc area's page tables (two CPUs must not
 * both create the same missing page table). It is taken with interrupts
 * off, and never while holding another lock except the page allocator's,
 * which alloc_page takes inside it. Unmapping flushes every CPU's TLB
 * (flush_tlb_kernel_range) after vmap_lock is dropped.
 */
#include <keel/arch.h>
#include <keel/backtrace.h>
#include <keel/errno.h>
#include <keel/list.h>
#include <keel/mm.h>
#include <keel/panic.h>
#include <keel/printk.h>
#include <keel/slab.h>
#include <keel/smp.h>
#include <keel/spinlock.h>
#include <keel/string.h>
#include <keel/vm.h>

#define VM_AREA_STACK 0x1u
#define VM_AREA_IOREMAP 0x2u   /* maps someone else's physical memory */

struct vm_area {
	vaddr_t res_start, res_end;   /* reserved range, guards included */
	vaddr_t start;                /* first mapped byte */
	u64 size;                     /* mapped bytes */
	unsigned int flags;
	unsigned long nr_pages;
	struct page **pages;
	struct list_head list;
};

static DEFINE_SPINLOCK(vmap_lock);
static LIST_HEAD(vmap_list);          /* [vmap_lock] sorted by res_start */
static vaddr_t vmap_start, vmap_end;  /* [I] */

void vmalloc_init(void)
{
	arch_vmalloc_range(&vmap_start, &vmap_end);
}

/* Find room for @len bytes and link @a there. Caller holds vmap_lock. */
static int vmap_reserve(struct vm_area *a, u64 len)
{
	vaddr_t pos = vmap_start;
	struct vm_area *it;

	list_for_each_entry(it, &vmap_list, list) {
		if (it->res_start - pos >= len) {
			list_add_tail(&a->list, &it->list);
			goto found;
		}
		pos = it->res_end;
	}
	if (vmap_end - pos < len)
		return -ENOMEM;
	list_add_tail(&a->list, &vmap_list);
found:
	a->res_start = pos;
	a->res_end = pos + len;
	return 0;
}

static void vm_area_free_pages(struct vm_area *a, unsigned long n)
{
	while (a->pages && n--)
		free_page(a->pages[n]);
	kfree(a->pages);
	kfree(a);
}

/*
 * Unmap the first @n pages of @a. The caller flushes every CPU's TLB with
 * flush_tlb_kernel_range() after dropping vmap_lock: the shootdown waits for
 * the other CPUs, which may themselves be spinning on vmap_lock.
 */
static void vmap_unmap(struct vm_area *a, unsigned long n)
{
	unsigned long i;

	for (i = 0; i < n; i++)
		arch_unmap_page(arch_kernel_root(), a->start + i * PAGE_SIZE);
}

/* Allocate an area of @size bytes with the guard layout of @flags. */
static struct vm_area *vm_area_create(u64 size, unsigned int flags, gfp_t gfp)
{
	unsigned long n = PFN_UP(size), i;
	u64 guards = (flags & VM_AREA_STACK) ? 2 * PAGE_SIZE : PAGE_SIZE;
	struct vm_area *a;
	unsigned long irq;
	int err;

	/* Check @size itself: PFN_UP() wraps for sizes near 2^64. */
	if (!size || size > vmap_end - vmap_start)
		return NULL;
	a = kzalloc(sizeof(*a), GFP_KERNEL);
	if (!a)
		return NULL;
	a->pages = kcalloc(n, sizeof(a->pages[0]), GFP_KERNEL);
	if (!a->pages) {
		kfree(a);
		return NULL;
	}
	for (i = 0; i < n; i++) {
		a->pages[i] = alloc_page(gfp);
		if (!a->pages[i]) {
			vm_area_free_pages(a, i);
			return NULL;
		}
	}
	a->nr_pages = n;
	a->size = n * PAGE_SIZE;
	a->flags = flags;

	irq = spin_lock_irqsave(&vmap_lock);
	err = vmap_reserve(a, a->size + guards);
	if (err)
		goto err_unlock;
	a->start = a->res_start + ((flags & VM_AREA_STACK) ? PAGE_SIZE : 0);
	for (i = 0; i < n; i++) {
		err = arch_map_page(arch_kernel_root(), a->start + i * PAGE_SIZE,
				    page_to_phys(a->pages[i]), VM_KERNEL_RW);
		if (err) {
			vmap_unmap(a, i);
			list_del(&a->list);
			goto err_unlock;
		}
	}
	spin_unlock_irqrestore(&vmap_lock, irq);
	return a;

err_unlock:
	spin_unlock_irqrestore(&vmap_lock, irq);
	if (a->start)
		flush_tlb_kernel_range(a->start, a->size);
	vm_area_free_pages(a, n);
	return NULL;
}

/* Unlink and free the area mapped at @start, which must be a @flags area. */
static void vm_area_destroy(const void *start, unsigned int flags)
{
	struct vm_area *a, *found = NULL;
	unsigned long irq = spin_lock_irqsave(&vmap_lock);

	list_for_each_entry(a, &vmap_list, list) {
		if (a->start == (vaddr_t)start && a->flags == flags) {
			found = a;
			list_del(&a->list);
			vmap_unmap(a, a->nr_pages);
			break;
		}
	}
	spin_unlock_irqrestore(&vmap_lock, irq);
	if (found)
		flush_tlb_kernel_range(found->start, found->size);
	if (!found) {
		pr_err("vmalloc: free of %p, which is not a %s it allocated\n",
		       start, flags == VM_AREA_STACK ? "kernel stack" :
		       flags == VM_AREA_IOREMAP ? "ioremap area" : "vmalloc area");
		backtrace_print_current();
		return;
	}
	vm_area_free_pages(found, found->nr_pages);
}

void *vmalloc(u64 size)
{
	struct vm_area *a = vm_area_create(size, 0, GFP_KERNEL);

	return a ? (void *)a->start : NULL;
}

void *vzalloc(u64 size)
{
	struct vm_area *a = vm_area_create(size, 0, GFP_KERNEL | __GFP_ZERO);

	return a ? (void *)a->start : NULL;
}

void vfree(const void *addr)
{
	if (addr)
		vm_area_destroy(addr, 0);
}

void *ioremap(paddr_t pa, u64 size, unsigned int prot)
{
	paddr_t base = pa & PAGE_MASK;
	unsigned long n, i;
	struct vm_area *a;
	unsigned long irq;

	/* Addresses beyond the CPU's width would set reserved PTE bits. */
	if (!size || pa + size < pa || (pa + size - 1) >> arch_phys_addr_bits())
		return NULL;
	n = PFN_UP(pa + size) - PFN_DOWN(pa);
	if (n > (vmap_end - vmap_start) / PAGE_SIZE)
		return NULL;
	a = kzalloc(sizeof(*a), GFP_KERNEL);
	if (!a)
		return NULL;
	a->nr_pages = n;
	a->size = n * PAGE_SIZE;
	a->flags = VM_AREA_IOREMAP;
	irq = spin_lock_irqsave(&vmap_lock);
	if (vmap_reserve(a, a->size + PAGE_SIZE))
		goto err_unlock;
	a->start = a->res_start;
	for (i = 0; i < n; i++) {
		if (arch_map_page(arch_kernel_root(), a->start + i * PAGE_SIZE,
				  base + i * PAGE_SIZE, prot)) {
			vmap_unmap(a, i);
			list_del(&a->list);
			goto err_unlock;
		}
	}
	spin_unlock_irqrestore(&vmap_lock, irq);
	return (void *)(a->start + (pa - base));

err_unlock:
	spin_unlock_irqrestore(&vmap_lock, irq);
	if (a->start)
		flush_tlb_kernel_range(a->start, a->size);
	kfree(a);
	return NULL;
}

void iounmap(const void *addr)
{
	if (addr)
		vm_area_destroy((const void *)((vaddr_t)addr & PAGE_MASK),
				VM_AREA_IOREMAP);
}

void *kstack_alloc(u64 size)
{
	struct vm_area *a = vm_area_create(size, VM_AREA_STACK, GFP_KERNEL);

	return a ? (void *)a->start : NULL;
}

void kstack_free(void *base)
{
	if (base)
		vm_area_destroy(base, VM_AREA_STACK);
}

/*
 * Look @addr up among the stacks. Runs from fault handlers, perhaps while
 * this CPU holds vmap_lock: during a panic it reads the list without the
 * lock (the other CPUs are stopped or about to be); otherwise it only
 * tries the lock and reports "not found" rather than deadlock.
 */
static bool vm_stack_lookup(vaddr_t addr, bool guard, vaddr_t *lo, vaddr_t *hi)
{
	bool locked = false, found = false;
	unsigned long irq = arch_irq_save();
	struct vm_area *a;

	if (!panic_in_progress()) {
		if (!spin_trylock(&vmap_lock))
			goto out;
		locked = true;
	}
	list_for_each_entry(a, &vmap_list, list) {
		vaddr_t g = a->start - PAGE_SIZE;
		bool hit = guard ? (addr >= g && addr < a->start)
				 : (addr >= a->start && addr < a->start + a->size);

		if ((a->flags & VM_AREA_STACK) && hit) {
			*lo = a->start;
			*hi = a->start + a->size;
			found = true;
			break;
		}
	}
	if (locked)
		spin_unlock(&vmap_lock);
out:
	arch_irq_restore(irq);
	return found;
}

bool vm_stack_guard_hit(vaddr_t addr, vaddr_t *lo, vaddr_t *hi)
{
	return vm_stack_lookup(addr, true, lo, hi);
}

bool vm_stack_bounds(vaddr_t addr, vaddr_t *lo, vaddr_t *hi)
{
	return vm_stack_lookup(addr, false, lo, hi);
}
