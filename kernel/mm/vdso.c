/*
 * The vDSO's kernel side: the image check at boot, the [vvar] page the
 * clock code keeps current, and the two special VMAs every exec maps.
 *
 * The image (kernel/arch/x86_64/vdso/, embedded by vdso_image.S) is copied
 * into freshly allocated pages once; so is nothing else: every process
 * maps the same pages. Both VMAs are private, read-only (no VMA_MAYWRITE,
 * so mprotect cannot make them writable), backed by vm_ops whose fault
 * hands out the shared pages with a reference, exactly like a file
 * mapping. fork copies them like any VMA; munmap and mremap work on them
 * like on any other mapping (the kernel keeps its own references, so the
 * pages never go away); a debugger's forced write (mm_write) gets a
 * private copy, as on Linux. The vDSO finds [vvar] one page below its own
 * ELF header, so the two are always mapped together, vvar first.
 *
 * Locking: vdso_data's clock latch is written under clock.c's
 * clock_write_lock (the single writer); realtime_offset is one atomic
 * word; everything else is [I] after vdso_init.
 */
#include <keel/errno.h>
#include <keel/mm.h>
#include <keel/mm_space.h>
#include <keel/printk.h>
#include <keel/string.h>
#include <keel/vdso.h>
#include <uapi/elf.h>

#include "space_internal.h"

#define VDSO_MAX_PAGES 4

static struct page *vdso_pages[VDSO_MAX_PAGES];   /* [I] the image */
static unsigned int vdso_npages;                  /* [I] 0: no vDSO */
static struct page *vvar_page;                    /* [I] */
static struct vdso_data *vdso_data;               /* [I] vvar_page's */

/* ---- the vvar page ------------------------------------------------------- */

/* Move latch readers to the other copy (raw_write_seqcount_latch). */
static void vvar_latch_bump(struct vdso_data *vd)
{
	__atomic_thread_fence(__ATOMIC_RELEASE);
	__atomic_store_n(&vd->seq, vd->seq + 1, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_RELEASE);
}

static void vvar_copy_set(struct vdso_clock *c, unsigned int mode,
			  u64 cycle_last, u64 mask, u64 mult,
			  unsigned __int128 base)
{
	c->mode = mode;
	c->cycle_last = cycle_last;
	c->mask = mask;
	c->mult = mult;
	c->base_lo = (u64)base;
	c->base_hi = (u64)(base >> 64);
}

void vdso_clock_update(const char *cs_name, u64 cycle_last, u64 mask,
		       u64 mult, unsigned __int128 base)
{
	struct vdso_data *vd = READ_ONCE(vdso_data);
	unsigned int mode;

	if (!vd)
		return;         /* before vdso_init: it publishes again */
	mode = arch_vdso_clock_mode(vd, cs_name, mask);
	vvar_latch_bump(vd);
	vvar_copy_set(&vd->copy[0], mode, cycle_last, mask, mult, base);
	vvar_latch_bump(vd);
	vvar_copy_set(&vd->copy[1], mode, cycle_last, mask, mult, base);
}

void vdso_set_realtime_offset(u64 offset)
{
	struct vdso_data *vd = READ_ONCE(vdso_data);

	if (vd)
		__atomic_store_n(&vd->realtime_offset, offset,
				 __ATOMIC_RELEASE);
}

/* ---- the image ----------------------------------------------------------- */

const char *vdso_image_check(const void *image, size_t size)
{
	const char *img = image;
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)img;
	bool load = false, dynamic = false;
	unsigned int i;

	if (size < sizeof(*eh) || memcmp(eh->e_ident, ELFMAG, SELFMAG))
		return "no ELF header";
	if (eh->e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh->e_ident[EI_DATA] != ELFDATA2LSB || eh->e_type != ET_DYN ||
	    eh->e_machine != EM_X86_64)
		return "not an x86_64 ELF64 shared object";
	if (eh->e_phentsize != sizeof(Elf64_Phdr) || !eh->e_phnum ||
	    eh->e_phoff > size ||
	    (size - eh->e_phoff) / sizeof(Elf64_Phdr) < eh->e_phnum)
		return "bad program headers";
	for (i = 0; i < eh->e_phnum; i++) {
		const Elf64_Phdr *ph = (const Elf64_Phdr *)
			(img + eh->e_phoff + i * sizeof(Elf64_Phdr));

		if (ph->p_type == PT_LOAD) {
			if (load || ph->p_offset || ph->p_vaddr ||
			    ph->p_filesz != ph->p_memsz ||
			    ph->p_filesz > size || (ph->p_flags & PF_W))
				return "not one read-only PT_LOAD at 0";
			load = true;
		} else if (ph->p_type == PT_DYNAMIC) {
			if (ph->p_offset > size || ph->p_filesz >
			    size - ph->p_offset || ph->p_vaddr != ph->p_offset)
				return "PT_DYNAMIC outside the image";
			dynamic = true;
		}
	}
	if (!load || !dynamic)
		return "no PT_LOAD or no PT_DYNAMIC";
	return NULL;
}

/* Copy the checked image into pages of its own. Return: 0 or -ENOMEM. */
static int vdso_copy_image(const char *img, size_t size)
{
	unsigned int i, n = PAGE_ALIGN(size) >> PAGE_SHIFT;

	for (i = 0; i < n; i++) {
		size_t chunk = MIN(size - i * PAGE_SIZE, PAGE_SIZE);

		vdso_pages[i] = alloc_page(GFP_KERNEL | __GFP_ZERO);
		if (!vdso_pages[i])
			goto err;
		memcpy(page_address(vdso_pages[i]), img + i * PAGE_SIZE, chunk);
	}
	vdso_npages = n;
	return 0;
err:
	while (i--)
		put_page(vdso_pages[i]);
	return -ENOMEM;
}

void vdso_init(void)
{
	size_t size = (size_t)(vdso_image_end - vdso_image_start);
	const char *why = vdso_image_check(vdso_image_start, size);

	if (!why && size > VDSO_MAX_PAGES * PAGE_SIZE)
		why = "too large";
	if (why) {
		pr_err("vdso: embedded image rejected: %s; no vDSO\n", why);
		return;
	}
	vvar_page = alloc_page(GFP_KERNEL | __GFP_ZERO);
	if (!vvar_page || vdso_copy_image(vdso_image_start, size)) {
		pr_err("vdso: out of memory; no vDSO\n");
		if (vvar_page)
			put_page(vvar_page);
		vvar_page = NULL;
		return;
	}
	arch_vdso_setup(page_address(vvar_page));
	WRITE_ONCE(vdso_data, (struct vdso_data *)page_address(vvar_page));
	pr_info("vdso: %zu bytes, getcpu mode %u, HPET %s\n", size,
		vdso_data->getcpu_mode,
		vdso_data->hpet_counter ? "readable" : "not readable");
}

const struct vdso_data *vdso_data_get(void)
{
	return READ_ONCE(vdso_data);
}

/* ---- the mappings -------------------------------------------------------- */

static int vdso_fault(struct vm_area *vma, u64 pgoff, struct page **out)
{
	if (pgoff >= vdso_npages)
		return -EIO;
	get_page(vdso_pages[pgoff]);
	*out = vdso_pages[pgoff];
	return 0;
}

static int vvar_fault(struct vm_area *vma, u64 pgoff, struct page **out)
{
	if (pgoff)
		return -EIO;
	get_page(vvar_page);
	*out = vvar_page;
	return 0;
}

static const struct vm_ops vdso_vm_ops = {
	.fault = vdso_fault,
	.name = "[vdso]",
};

static const struct vm_ops vvar_vm_ops = {
	.fault = vvar_fault,
	.name = "[vvar]",
};

static struct vm_area *special_vma(struct mm *mm, vaddr_t start, size_t len,
				   unsigned int flags,
				   const struct vm_ops *ops)
{
	struct vm_area *vma = vma_alloc(mm);

	if (!vma)
		return NULL;
	vma->start = start;
	vma->end = start + len;
	vma->flags = flags;
	vma->pgoff = 0;
	vma->ops = ops;
	return vma;
}

long vdso_map(struct mm *mm)
{
	size_t len = (size_t)(1 + vdso_npages) << PAGE_SHIFT;
	struct vm_area *vvar, *text;
	long addr;

	if (!vdso_npages || !vdso_data)
		return 0;
	down_write(&mm->mmap_lock);
	addr = vma_unmapped_area(mm, 0, len);
	if (addr < 0)
		goto out;
	/* Like Linux's, [vvar] is left out of core dumps. */
	vvar = special_vma(mm, addr, PAGE_SIZE,
			   VMA_READ | VMA_MAYREAD | VMA_DONTDUMP, &vvar_vm_ops);
	text = special_vma(mm, addr + PAGE_SIZE, len - PAGE_SIZE,
			   VMA_READ | VMA_EXEC | VMA_MAYREAD | VMA_MAYEXEC,
			   &vdso_vm_ops);
	if (!vvar || !text) {
		if (vvar)
			vma_free(vvar);
		if (text)
			vma_free(text);
		addr = -ENOMEM;
		goto out;
	}
	vma_link(mm, vvar);
	vma_link(mm, text);
	addr += PAGE_SIZE;
out:
	up_write(&mm->mmap_lock);
	return addr;
}
