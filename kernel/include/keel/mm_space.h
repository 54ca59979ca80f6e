/*
 * User address spaces: struct mm, its virtual memory areas (VMAs), demand
 * paging, copy-on-write, and the Linux memory-mapping calls.
 *
 * An mm is one page-table root (whose kernel half is shared with every
 * other address space) plus a set of non-overlapping, page-aligned VMAs.
 * A VMA says what may be mapped in [start, end) and how; the page tables
 * only cache what has been touched. Pages appear on the first access
 * (mm_handle_fault): private anonymous memory gets a zeroed page, a VMA
 * with vm_ops asks its ops->fault (shared anonymous memory, files), and a
 * write to a private page shared with another mm (after fork) copies it.
 *
 *	mm_create, mm_dup, mm_get, mm_put       life cycle (kernel/mm/space.c)
 *	mm_activate                             the running CPU's space
 *	mm_handle_fault                         the page-fault handler (fault.c)
 *	mm_map, mm_write, mm_read, mm_set_brk_base   for exec and /proc
 *	sys_brk/mmap/munmap/mprotect            kernel/mm/mmap.c
 *	sys_mremap/madvise/mincore              kernel/mm/mremap.c
 *
 * Page ownership: every user PTE holds one reference (get_page) on the
 * page it maps. A private page mapped by several mms (after fork) is
 * mapped read-only in all of them; the first write copies it unless the
 * faulting mm holds the only reference, in which case it is made
 * writable in place. Shared anonymous memory lives in a reference-counted
 * page store (kernel/mm/shmem_anon.c) that holds its own reference on each
 * page, so both sides of a fork see pages first touched after the fork.
 *
 * Locking legend for struct mm and struct vm_area:
 *	[I]	set at creation, read-only after
 *	[a]	atomic
 *	[w]	mmap_lock held for writing (read it under the read side)
 *	[p]	pt_lock (the page tables and rss; taken under mmap_lock)
 * Lock order: mmap_lock -> anon store lock -> pt_lock -> zone locks.
 * Faults take mmap_lock for reading; anything that changes the VMA set
 * takes it for writing. TLB shootdowns (IPIs that wait) are sent with
 * mmap_lock held but never under pt_lock.
 */
#ifndef KEEL_MM_SPACE_H
#define KEEL_MM_SPACE_H

#include <keel/compiler.h>
#include <keel/list.h>
#include <keel/mm.h>
#include <keel/rbtree.h>
#include <keel/rwsem.h>
#include <keel/sched.h>
#include <keel/spinlock.h>
#include <keel/types.h>

struct file;
struct page;
struct mm;
struct vm_area;

/* ---- Linux ABI (asm-generic/mman-common.h, x86_64) ------------------------ */

#define PROT_NONE      0x0
#define PROT_READ      0x1
#define PROT_WRITE     0x2
#define PROT_EXEC      0x4
#define PROT_SEM       0x8
#define PROT_GROWSDOWN 0x01000000
#define PROT_GROWSUP   0x02000000

#define MAP_SHARED          0x01
#define MAP_PRIVATE         0x02
#define MAP_SHARED_VALIDATE 0x03
#define MAP_TYPE            0x0f
#define MAP_FIXED           0x10
#define MAP_ANONYMOUS       0x20
#define MAP_32BIT           0x40
#define MAP_GROWSDOWN       0x0100
#define MAP_DENYWRITE       0x0800
#define MAP_EXECUTABLE      0x1000
#define MAP_LOCKED          0x2000
#define MAP_NORESERVE       0x4000
#define MAP_POPULATE        0x8000
#define MAP_NONBLOCK        0x10000
#define MAP_STACK           0x20000
#define MAP_HUGETLB         0x40000
#define MAP_SYNC            0x80000
#define MAP_FIXED_NOREPLACE 0x100000
#define MAP_UNINITIALIZED   0x4000000

#define MREMAP_MAYMOVE   1
#define MREMAP_FIXED     2
#define MREMAP_DONTUNMAP 4

#define MADV_NORMAL          0
#define MADV_RANDOM          1
#define MADV_SEQUENTIAL      2
#define MADV_WILLNEED        3
#define MADV_DONTNEED        4
#define MADV_FREE            8
#define MADV_REMOVE          9
#define MADV_DONTFORK        10
#define MADV_DOFORK          11
#define MADV_MERGEABLE       12
#define MADV_UNMERGEABLE     13
#define MADV_HUGEPAGE        14
#define MADV_NOHUGEPAGE      15
#define MADV_DONTDUMP        16
#define MADV_DODUMP          17
#define MADV_WIPEONFORK      18
#define MADV_KEEPONFORK      19
#define MADV_COLD            20
#define MADV_PAGEOUT         21
#define MADV_POPULATE_READ   22
#define MADV_POPULATE_WRITE  23
#define MADV_DONTNEED_LOCKED 24

/* ---- layout ------------------------------------------------------------- */

#define MMAP_MIN_ADDR     0x10000UL      /* Linux's default vm.mmap_min_addr */
#define STACK_GUARD_GAP   (256UL << PAGE_SHIFT) /* Linux's stack_guard_gap */
#define MAX_MAP_COUNT     65530          /* Linux's vm.max_map_count */
#define MMAP_RND_BITS     28             /* page-granular mmap_base entropy */
#define STACK_RND_BITS    22             /* page-granular stack-top entropy */
#define BRK_RND_RANGE     0x02000000UL   /* brk start: up to 32 MiB higher */

/* ---- VMAs --------------------------------------------------------------- */

/* vm_area.flags. The VMA_MAY* bits are the ceiling mprotect may raise to. */
#define VMA_READ       0x0001u
#define VMA_WRITE      0x0002u
#define VMA_EXEC       0x0004u
#define VMA_SHARED     0x0008u
#define VMA_MAYREAD    0x0010u
#define VMA_MAYWRITE   0x0020u
#define VMA_MAYEXEC    0x0040u
#define VMA_MAYSHARE   0x0080u
#define VMA_GROWSDOWN  0x0100u    /* a stack: grows on faults just below */
#define VMA_DONTCOPY   0x0200u    /* MADV_DONTFORK: not inherited by fork */
#define VMA_NORESERVE  0x0400u
#define VMA_SEQ_READ   0x0800u    /* MADV_SEQUENTIAL */
#define VMA_RAND_READ  0x1000u    /* MADV_RANDOM */
#define VMA_WIPEONFORK 0x2000u    /* the child gets zero-filled memory */
#define VMA_DONTDUMP   0x4000u
#define VMA_LOCKED     0x8000u    /* MAP_LOCKED (populated, never paged) */

#define VMA_ACCESS (VMA_READ | VMA_WRITE | VMA_EXEC)
#define VMA_MAY_ALL (VMA_MAYREAD | VMA_MAYWRITE | VMA_MAYEXEC | VMA_MAYSHARE)

/*
 * struct vm_ops - what backs a VMA that is not private anonymous memory.
 * @fault: the page at page offset @pgoff (vma->pgoff + the page's index in
 *	the VMA) of the backing object, with a reference for the caller.
 *	Return: 0, -EIO (beyond the end of the object: SIGBUS), -ENOMEM.
 *	Context: mmap_lock held for reading; may sleep.
 * @open: a new VMA now refers to the object too (split, fork, mremap).
 * @close: a VMA that referred to it is going away.
 * @resident: optional, for mincore: is page @pgoff in memory?
 * @name: for /proc/<pid>/maps ("/dev/zero (deleted)" style), or NULL.
 */
struct vm_ops {
	int (*fault)(struct vm_area *vma, u64 pgoff, struct page **out);
	void (*open)(struct vm_area *vma);
	void (*close)(struct vm_area *vma);
	bool (*resident)(struct vm_area *vma, u64 pgoff);
	const char *name;
};

/*
 * struct vm_area - one mapping [start, end) of an mm. All fields [w]
 * except where noted: the fault path reads them under the read side.
 */
struct vm_area {
	vaddr_t start, end;             /* page-aligned, start < end */
	unsigned int flags;             /* VMA_* */
	struct mm *mm;                  /* [I] */
	struct file *file;              /* backing file (a reference), or NULL */
	u64 pgoff;                      /* offset of start in the object, pages */
	const struct vm_ops *ops;       /* NULL: private anonymous memory */
	void *private;                  /* the ops' object (anon store, ...) */
	struct rb_node rb;              /* in mm->vma_tree, by start */
	struct list_head link;          /* in mm->vma_list, by start */
};

static inline unsigned long vma_pages(const struct vm_area *vma)
{
	return (vma->end - vma->start) >> PAGE_SHIFT;
}

/* ---- address spaces ----------------------------------------------------- */

struct mm {
	int refcount;                   /* [a] */
	paddr_t root;                   /* [I] top-level page table */
	struct rw_semaphore mmap_lock;
	struct spinlock pt_lock;

	struct rb_root vma_tree;        /* [w] VMAs by start */
	struct list_head vma_list;      /* [w] VMAs sorted by start */
	unsigned int map_count;         /* [w] VMAs */

	vaddr_t mmap_base;              /* [I] top of the top-down mmap area */
	vaddr_t stack_top;              /* [I] randomized top for exec's stack */
	vaddr_t start_brk, brk;         /* [w] the heap (brk) */
	vaddr_t start_stack;            /* [w] exec: initial stack pointer */
	vaddr_t arg_start, arg_end;     /* [w] exec: argv strings */
	vaddr_t env_start, env_end;     /* [w] exec: envp strings */

	unsigned long total_vm;         /* [w] pages mapped by VMAs */
	unsigned long rss;              /* [a] pages present in the tables */
	unsigned long hiwater_rss;      /* [a] the most rss ever had (ru_maxrss) */
	struct cpumask active_cpus;     /* [a] CPUs that may cache its TLB
					   entries (shootdown targets) */
};

/* ---- life cycle (kernel/mm/space.c) ------------------------------------- */

/**
 * mm_random_below - a layout randomization offset in [0, @bound): random,
 * or 0 when the kernel was booted with norandmaps (as Linux).
 * Context: any. Return: the offset.
 */
u64 mm_random_below(u64 bound);

/**
 * mm_create - a new, empty address space with a randomized mmap_base and
 * stack_top, refcount 1.
 * Context: process context. Return: the mm, or ERR_PTR(-ENOMEM).
 */
struct mm *mm_create(void);

/**
 * mm_dup - the copy of @old that fork gives the child: every VMA is
 * copied (except VMA_DONTCOPY ones); private pages become read-only in
 * both and shared with one more reference (copy-on-write); shared
 * mappings stay shared and writable; VMA_WIPEONFORK ones start empty.
 * @old's TLB entries are shot down before this returns.
 * Context: process context, no mm locks held. Return: the child's mm, or
 * ERR_PTR(-ENOMEM).
 */
struct mm *mm_dup(struct mm *old);

/** mm_get - take a reference to @mm. Context: any. */
void mm_get(struct mm *mm);

/**
 * mm_put - drop a reference; the last one frees every page, page table
 * and VMA (after making sure no CPU still runs on its tables).
 * Context: process context, interrupts on.
 */
void mm_put(struct mm *mm);

/**
 * mm_activate - make @mm the running CPU's address space (NULL: the
 * kernel's own, arch_kernel_root()). Nothing to do when it already is.
 * Context: any; called with interrupts off by task_switch().
 */
void mm_activate(struct mm *mm);

/** mm_active - the mm the running CPU is on (NULL: kernel). Context: any. */
struct mm *mm_active(void);

/*
 * mm_flush_tlb_range - drop [start, end) of @mm from the TLB of every CPU
 * that may hold it. Context: process context, interrupts on, no spinlock.
 */
void mm_flush_tlb_range(struct mm *mm, vaddr_t start, vaddr_t end);

/* ---- faults (kernel/mm/fault.c) ----------------------------------------- */

#define MM_FAULT_WRITE   0x1u
#define MM_FAULT_EXEC    0x2u
#define MM_FAULT_USER    0x4u   /* the access came from user mode */
#define MM_FAULT_PRESENT 0x8u   /* the page was present: protection fault */

/**
 * mm_handle_fault - resolve a fault at @addr in @mm: a demand-zero page,
 * the page of a shared or file mapping, a copy-on-write copy (or a write
 * enable when this mm holds the only reference), or stack growth.
 * Context: process context, interrupts on, no mm locks held (the arch
 * page-fault handler, for user mode or a kernel user access).
 * Return: 0 (resolved, retry the access), -EFAULT (no mapping: SIGSEGV
 * SEGV_MAPERR), -EACCES (the mapping forbids it: SEGV_ACCERR), -EIO
 * (SIGBUS), -ENOMEM.
 */
int mm_handle_fault(struct mm *mm, vaddr_t addr, unsigned int flags);

/* ---- kernel-internal mapping (kernel/mm/mmap.c) ------------------------- */

/**
 * mm_map - map anonymous memory in @mm (exec's segments, bss and stack):
 * @prot PROT_*, @flags MAP_* (MAP_PRIVATE or MAP_SHARED, MAP_FIXED,
 * MAP_GROWSDOWN...), @addr a hint unless MAP_FIXED. *@out gets the address.
 * Context: process context, no mm locks held. Return: 0 or -errno.
 */
long mm_map(struct mm *mm, vaddr_t addr, size_t len, int prot, int flags,
	    vaddr_t *out);

/**
 * mm_write - copy @len bytes from kernel @src (NULL: zeros) to @addr in
 * @mm, which need not be the running space, ignoring VMA protection (exec
 * fills read-only text this way) and faulting pages in; private pages
 * shared with another mm are copied first.
 * Context: process context, no mm locks held.
 * Return: 0, -EFAULT (a page is not in a VMA) or -ENOMEM.
 */
long mm_write(struct mm *mm, vaddr_t addr, const void *src, size_t len);

/**
 * mm_read - copy up to @len bytes at @addr in @mm to @dst, faulting pages
 * in, stopping at the first address outside every VMA.
 * Context: process context, no mm locks held. Return: bytes read.
 */
long mm_read(struct mm *mm, vaddr_t addr, void *dst, size_t len);

/**
 * mm_set_brk_base - exec: the heap starts at the page-aligned @start plus
 * a random page-aligned offset below BRK_RND_RANGE (Linux's brk ASLR).
 * Context: process context, @mm not yet shared.
 */
void mm_set_brk_base(struct mm *mm, vaddr_t start);

/* ---- VMAs (kernel/mm/vma.c), for the mm code and /proc ------------------- */

/*
 * vma_find - the first VMA ending above @addr (it may start above @addr),
 * or NULL. Context: mmap_lock held (either side).
 */
struct vm_area *vma_find(struct mm *mm, vaddr_t addr);
/* The VMA containing @addr, or NULL. Context: mmap_lock held. */
struct vm_area *vma_lookup(struct mm *mm, vaddr_t addr);
struct vm_area *vma_next(struct mm *mm, struct vm_area *vma);
struct vm_area *vma_prev(struct mm *mm, struct vm_area *vma);

#define for_each_vma(mm, v) list_for_each_entry(v, &(mm)->vma_list, link)

/*
 * vma_check - verify @mm's VMA invariants: sorted, non-overlapping,
 * page-aligned, non-empty, tree and list agree, map_count and total_vm
 * match. Context: mmap_lock held. Return: 0, or a negative line-specific
 * code (-EINVAL) after logging what is wrong.
 */
int vma_check(struct mm *mm);

/* Generic file-mapping ops: pages from file->f_op->get_page. */
extern const struct vm_ops filemap_vm_ops;

#endif /* KEEL_MM_SPACE_H */
