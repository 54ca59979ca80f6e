/*
 * What every image elf_parse() accepts must satisfy, written a second time
 * independently of the parser: the promises of <keel/elf_parse.h>. Shared
 * by tests/unit/test_elf.c (fixtures, real binaries, the fuzz loop) and the
 * optional libFuzzer harness tests/unit/fuzz_elf.c.
 *
 * elf_image_violation() returns NULL when @img is consistent with a file of
 * @size bytes and the user limit @limit (page aligned), or a description of
 * the first broken promise.
 */
#ifndef KEEL_UNIT_ELF_INVARIANTS_H
#define KEEL_UNIT_ELF_INVARIANTS_H

#include <keel/elf_parse.h>

#define ELF_INV_PAGE(x) ((x) & ~(ELF_PAGE_SIZE - 1))

static inline const char *elf_segment_violation(const struct elf_segment *s,
						u64 size, u64 limit)
{
	if (s->memsz == 0)
		return "empty segment listed";
	if (s->filesz > s->memsz)
		return "segment filesz > memsz";
	if (s->filesz > size || s->offset > size - s->filesz)
		return "segment file range beyond the file";
	if (s->memsz > limit || s->vaddr > limit - s->memsz)
		return "segment beyond the user limit";
	if (s->vaddr % ELF_PAGE_SIZE != s->offset % ELF_PAGE_SIZE)
		return "segment vaddr and offset not congruent";
	if (s->align < ELF_PAGE_SIZE || (s->align & (s->align - 1)))
		return "segment alignment not a power of two >= page";
	if (s->prot & ~(ELF_PROT_READ | ELF_PROT_WRITE | ELF_PROT_EXEC))
		return "segment prot has unknown bits";
	return NULL;
}

static inline const char *elf_image_violation(const struct elf_image *img,
					      u64 size, u64 limit)
{
	const struct elf_segment *last;
	u64 max_align = 0;
	bool phdr_found = false;
	const char *why;
	u32 i;

	if (img->type != ET_EXEC && img->type != ET_DYN)
		return "bad type";
	if (img->entry >= limit)
		return "entry at or above the user limit";
	if (img->nr_segs < 1 || img->nr_segs > ELF_MAX_LOADS)
		return "segment count out of range";
	for (i = 0; i < img->nr_segs; i++) {
		const struct elf_segment *s = &img->segs[i];

		why = elf_segment_violation(s, size, limit);
		if (why)
			return why;
		if (i > 0 &&
		    s->vaddr < img->segs[i - 1].vaddr + img->segs[i - 1].memsz)
			return "segments unsorted or overlapping";
		if (s->align > max_align)
			max_align = s->align;
		if (s->offset <= img->phoff &&
		    img->phoff - s->offset < s->filesz &&
		    img->phdr_vaddr == s->vaddr + (img->phoff - s->offset))
			phdr_found = true;
	}
	if (max_align != img->max_align)
		return "max_align is not the largest segment alignment";
	last = &img->segs[img->nr_segs - 1];
	if (img->lo != ELF_INV_PAGE(img->segs[0].vaddr))
		return "lo is not the first segment's page";
	if (img->hi !=
	    ELF_INV_PAGE(last->vaddr + last->memsz + ELF_PAGE_SIZE - 1))
		return "hi is not the last segment's end, page aligned";
	if (img->lo >= img->hi || img->hi > limit)
		return "span empty or beyond the limit";
	if (img->phnum < 1 || img->phentsize != sizeof(Elf64_Phdr))
		return "bad phnum or phentsize";
	if ((u64)img->phnum * img->phentsize > ELF_MAX_PHDR_BYTES ||
	    (u64)img->phnum * img->phentsize > size ||
	    img->phoff > size - (u64)img->phnum * img->phentsize)
		return "program header table beyond the file";
	if (img->phdr_mapped && !phdr_found)
		return "phdr_vaddr not where a segment maps e_phoff";
	if (!img->phdr_mapped && img->phdr_vaddr != 0)
		return "unmapped program headers with an address";
	if (img->interp_len != 0 &&
	    (img->interp_len < 2 || img->interp_len > ELF_INTERP_MAX ||
	     img->interp_len > size ||
	     img->interp_off > size - img->interp_len))
		return "interpreter string out of range";
	if (img->exec_stack && !img->has_gnu_stack)
		return "executable stack without PT_GNU_STACK";
	return NULL;
}

#endif /* KEEL_UNIT_ELF_INVARIANTS_H */
