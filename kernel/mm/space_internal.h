/*
 * Internal interface between the address-space files of kernel/mm:
 * space.c (mm life cycle, page-table helpers, TLB), vma.c (the VMA set),
 * fault.c (faults), mmap.c and mremap.c (the system calls), shmem_anon.c
 * (shared anonymous memory). See <keel/mm_space.h> for the locking.
 */
#ifndef KEEL_MM_SPACE_INTERNAL_H
#define KEEL_MM_SPACE_INTERNAL_H

#include <keel/mm_space.h>

/* ---- vma.c ---------------------------------------------------------------- */

/* A zeroed VMA of @mm (not linked). Return: NULL when out of memory. */
struct vm_area *vma_alloc(struct mm *mm);
/* Free a VMA that is not linked: ops->close, the file reference, memory. */
void vma_free(struct vm_area *vma);
/* A copy of @src for @mm (ops->open called, file referenced), unlinked. */
struct vm_area *vma_clone(struct mm *mm, const struct vm_area *src);
/* Insert / remove @vma into / from its mm's tree and list, adjusting
 * map_count and total_vm. [w] */
void vma_link(struct mm *mm, struct vm_area *vma);
void vma_unlink(struct mm *mm, struct vm_area *vma);
/* Move @vma's bounds (it must not overlap a neighbour), adjusting total_vm
 * and, when start moves, pgoff. [w] */
void vma_set_range(struct mm *mm, struct vm_area *vma, vaddr_t start,
		   vaddr_t end);
/* Split @vma at @addr (strictly inside): @vma keeps [start, addr), a new
 * linked VMA gets [addr, end). Return: 0 or -ENOMEM. [w] */
int vma_split(struct mm *mm, struct vm_area *vma, vaddr_t addr);
/*
 * vma_isolate - split @*vma so that [@start, @end) (inside it) is a VMA of
 * its own, and point @*vma at it. Return: 0 or -ENOMEM.
 */
int vma_isolate(struct mm *mm, struct vm_area **vma, vaddr_t start,
		vaddr_t end);
/* Merge @vma with compatible neighbours that touch it. Return: the VMA
 * that now covers @vma's range (@vma may be freed). [w] */
struct vm_area *vma_merge_neighbours(struct mm *mm, struct vm_area *vma);
/* Does any VMA intersect [start, end)? */
struct vm_area *vma_intersect(struct mm *mm, vaddr_t start, vaddr_t end);
/* The lowest address a VMA's neighbour below may end at (a stack keeps a
 * guard gap below itself). */
vaddr_t vma_start_gap(const struct vm_area *vma);
/*
 * vma_unmapped_area - a free range of @len bytes: at @hint if it is free
 * (and >= MMAP_MIN_ADDR), else the highest free range below mmap_base,
 * else the lowest above it. Return: the address, or -ENOMEM.
 */
long vma_unmapped_area(struct mm *mm, vaddr_t hint, size_t len);

/* ---- space.c -------------------------------------------------------------- */

/* The arch protection (VM_*) a page of @vma is mapped with; @writable
 * false maps it read-only (copy-on-write). */
unsigned int vma_page_prot(const struct vm_area *vma, bool writable);
/* Unmap and release every page in [start, end), flushing the TLBs first.
 * Context: mmap_lock held for writing. */
void mm_zap_range(struct mm *mm, vaddr_t start, vaddr_t end);
/* Re-protect the present pages of [start, end) for @vma's new flags
 * (private pages shared with another mm stay read-only). [w] */
void mm_protect_range(struct mm *mm, struct vm_area *vma, vaddr_t start,
		      vaddr_t end);
/* Move the pages of [old, old + len) to [new, new + len) (mremap). [w] */
int mm_move_pages(struct mm *mm, vaddr_t old, vaddr_t new, size_t len);
/* The page mapped at @va in @mm, or NULL. Context: pt_lock held. */
struct page *mm_page_at(struct mm *mm, vaddr_t va, unsigned int *prot);

/* ---- fault.c -------------------------------------------------------------- */

#define FAULT_FORCE 0x100u  /* ignore VMA protection (mm_write/mm_read) */

/*
 * mm_fault_vma - make the page at @addr (inside @vma) present, and, for
 * MM_FAULT_WRITE, private to @mm (copy-on-write done). The access check
 * against @vma's flags is the caller's. Context: mmap_lock held (either).
 * Return: 0, -EIO, -ENOMEM.
 */
int mm_fault_vma(struct mm *mm, struct vm_area *vma, vaddr_t addr,
		 unsigned int flags);
/* Fault in [start, end) (MAP_POPULATE, MADV_POPULATE_*). Return: 0/-errno.
 * Context: mmap_lock held. */
int mm_populate(struct mm *mm, vaddr_t start, vaddr_t end, bool write);

/* ---- mmap.c --------------------------------------------------------------- */

/* Unmap [start, start + len) (page-aligned), splitting VMAs at the ends.
 * Return: 0 or -ENOMEM (a split failed; nothing changed). [w] */
int do_munmap(struct mm *mm, vaddr_t start, size_t len);
/* May @mm grow by @pages pages under RLIMIT_AS? */
bool mm_may_expand(struct mm *mm, unsigned long pages);

/*
 * The system calls' bodies on any mm (the syscalls pass current's), for
 * tests and kernel users; each takes mmap_lock itself. Same results as
 * the calls; mm_mincore fills a kernel @vec of @pages bytes.
 */
long mm_munmap(struct mm *mm, vaddr_t addr, size_t len);
long mm_mprotect(struct mm *mm, vaddr_t start, size_t len, int prot);
vaddr_t mm_brk(struct mm *mm, vaddr_t brk);
long mm_mremap(struct mm *mm, vaddr_t addr, size_t old_len, size_t new_len,
	       unsigned long flags, vaddr_t new_addr);
long mm_madvise(struct mm *mm, vaddr_t start, size_t len_in, int advice);
long mm_mincore(struct mm *mm, vaddr_t start, unsigned long pages, u8 *vec);

/* ---- shmem_anon.c --------------------------------------------------------- */

/* Set @vma up as shared anonymous memory of vma_pages(vma) pages (a new
 * store). Return: 0 or -ENOMEM. */
int shmem_anon_setup(struct vm_area *vma);
/* MADV_REMOVE: free the store's pages for [pgoff, pgoff + n). */
void shmem_anon_punch(struct vm_area *vma, u64 pgoff, u64 n);
bool vma_is_shmem_anon(const struct vm_area *vma);

#endif /* KEEL_MM_SPACE_INTERNAL_H */
