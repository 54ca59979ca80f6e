/*
 * ELF64 executable image parser: reads and validates an x86_64 ET_EXEC or
 * ET_DYN file through a read callback and describes what exec must map.
 *
 * It maps nothing, allocates nothing, takes no lock and logs nothing, so it
 * runs anywhere exec does and on the host under the unit tests. Every byte
 * comes from @src->read, which the parser never asks for anything beyond
 * @src->size; a malformed, truncated or hostile file gives -ENOEXEC, never
 * a fault. The validation rules and where they differ from Linux are
 * listed at the top of kernel/proc/elf_parse.c.
 *
 *	struct elf_source src = { my_read, file, file_size };
 *	struct elf_image img;
 *	int err = elf_parse(&src, ELF_USER_LIMIT_4LEVEL, &img);
 *
 * Addresses in struct elf_image are the file's own: for ET_DYN the loader
 * adds the load bias it picks (a multiple of @max_align that keeps
 * [lo + bias, hi + bias) below the user limit), for ET_EXEC the bias is 0.
 * The loader maps from struct elf_image alone and never reads the program
 * headers again: the file may change between two reads, and only what was
 * checked is safe to use.
 */
#ifndef KEEL_ELF_PARSE_H
#define KEEL_ELF_PARSE_H

#include <keel/types.h>
#include <uapi/elf.h>

/* ELF_EXEC_PAGESIZE on x86_64: the unit of mapping and of the checks. */
#define ELF_PAGE_SIZE 4096ULL

/*
 * End of user space with 4-level paging (Linux's TASK_SIZE_MAX: 2^47 minus
 * a guard page). Passed to elf_parse() rather than built in, so 5-level
 * paging can raise it.
 */
#define ELF_USER_LIMIT_4LEVEL 0x00007ffffffff000ULL

/* Non-empty PT_LOAD segments an image may have (real ones have 2 to 6). */
#define ELF_MAX_LOADS 16

/* Largest program header table, as Linux allows: 1170 entries. */
#define ELF_MAX_PHDR_BYTES 65536u

/* Longest PT_INTERP string including its NUL (PATH_MAX). */
#define ELF_INTERP_MAX 4096u

/* Segment protections, with the values of Linux's PROT_* (mmap ABI). */
#define ELF_PROT_READ 0x1u
#define ELF_PROT_WRITE 0x2u
#define ELF_PROT_EXEC 0x4u

/*
 * Where the bytes come from: a file, a memory buffer, a test fixture.
 * @read copies @len bytes at offset @off of the file into @buf and returns
 * 0, or a negative errno that elf_parse() passes through unchanged (any
 * other non-zero value counts as -EIO). The parser only asks for ranges
 * inside [0, @size), with @len at most 512 bytes.
 */
struct elf_source {
	int (*read)(void *ctx, u64 off, void *buf, size_t len);
	void *ctx;
	u64 size; /* file size in bytes */
};

/*
 * One PT_LOAD segment with p_memsz > 0. Guaranteed by elf_parse():
 * filesz <= memsz, offset + filesz <= file size, vaddr + memsz <= the user
 * limit, vaddr % ELF_PAGE_SIZE == offset % ELF_PAGE_SIZE, and @align is a
 * power of two >= ELF_PAGE_SIZE. Bytes [vaddr + filesz, vaddr + memsz) are
 * zero-filled (bss), including the rest of the last file-backed page.
 */
struct elf_segment {
	u64 vaddr;
	u64 memsz;
	u64 offset;
	u64 filesz;
	u64 align; /* p_align, at least a page */
	u32 prot;  /* ELF_PROT_* from PF_R/W/X */
};

struct elf_image {
	u16 type;  /* ET_EXEC or ET_DYN */
	u64 entry; /* e_entry, < the user limit (AT_ENTRY) */

	/*
	 * The non-empty PT_LOADs in ascending vaddr order, no two sharing a
	 * byte (two may share a page: a page-sharing loader maps the later
	 * one over the earlier one's tail page, as Linux does).
	 */
	u32 nr_segs; /* 1..ELF_MAX_LOADS */
	struct elf_segment segs[ELF_MAX_LOADS];
	u64 lo;	       /* segs[0].vaddr rounded down to a page */
	u64 hi;	       /* end of the last segment rounded up */
	u64 max_align; /* largest segs[].align: the ET_DYN bias unit */

	/* The program header table, for AT_PHDR, AT_PHENT and AT_PHNUM. */
	u64 phoff;	  /* e_phoff */
	u16 phnum;	  /* e_phnum, >= 1 */
	u16 phentsize;	  /* sizeof(Elf64_Phdr) */
	bool phdr_mapped; /* a PT_LOAD maps the byte at e_phoff */
	u64 phdr_vaddr;	  /* its address there, or 0 (Linux's AT_PHDR
			   * is then the bare load bias) */

	/* PT_INTERP: the interpreter's path, read with elf_read_interp(). */
	u64 interp_off; /* file offset of the string */
	u32 interp_len; /* length with its NUL; 0: no PT_INTERP */

	bool has_gnu_stack; /* a PT_GNU_STACK header is present */
	bool exec_stack;    /* the initial stack must be executable */
	bool has_tls;	    /* a PT_TLS header is present (informational) */
};

/**
 * elf_parse() - read and validate an ELF executable image
 * @src: where the file's bytes come from
 * @user_limit: first address above user space, page aligned
 *              (ELF_USER_LIMIT_4LEVEL)
 * @out: filled on success; left in an unspecified state on failure
 *
 * Context: whatever @src->read allows; elf_parse() itself neither sleeps
 * nor allocates, and uses about 650 bytes of stack.
 * Return: 0; -ENOEXEC for a file that is not a valid x86_64 ELF64
 * executable or shared object, or that Keel will not load; a negative
 * errno returned by @src->read (-EIO for a non-errno failure).
 */
int elf_parse(const struct elf_source *src, u64 user_limit,
	      struct elf_image *out);

/**
 * elf_read_interp() - copy the PT_INTERP path of a parsed image
 * @src: the source @img was parsed from
 * @img: the result of a successful elf_parse() with interp_len > 0
 * @buf: receives the NUL-terminated path
 * @size: size of @buf, at least @img->interp_len (ELF_INTERP_MAX always is)
 *
 * The path is checked again after the copy, so a file that changed since
 * elf_parse() cannot hand exec an unterminated string.
 *
 * Context: as elf_parse().
 * Return: 0; -ENOEXEC if the image has no interpreter or the string is no
 * longer a valid path; -ERANGE if @size is too small; an error of
 * @src->read as in elf_parse().
 */
int elf_read_interp(const struct elf_source *src, const struct elf_image *img,
		    char *buf, size_t size);

#endif /* KEEL_ELF_PARSE_H */
