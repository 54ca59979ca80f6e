/*
 * ELF64 executable image parser (interface in <keel/elf_parse.h>).
 *
 * exec calls elf_parse() on the program, and again on its PT_INTERP
 * interpreter, before the point of no return: everything a malformed file
 * can get wrong is found here and answered with -ENOEXEC while the old
 * program still runs, where Linux finds some of it only while mapping and
 * then has to kill the half-built process. The file is untrusted and may
 * be hostile, so all arithmetic on its fields is written not to overflow
 * and every read is bounded by the file size. The file's bytes are used in
 * place as the (little-endian) structures of <uapi/elf.h>; every
 * architecture Keel targets is little-endian.
 *
 * Reads go through struct elf_source in pieces of at most READ_MAX (448)
 * bytes, the program headers PHDRS_PER_READ at a time, into one buffer on
 * the stack, so nothing is allocated; the interpreter path is checked in
 * place and copied out later with elf_read_interp().
 *
 * Each rule, and what Linux (fs/binfmt_elf.c, 6.x) does:
 *  - file shorter than the ELF header: -ENOEXEC (Linux sees zero padding
 *    in its 256-byte header buffer and fails a later check).
 *  - e_ident magic: as Linux.
 *  - EI_CLASS ELFCLASS64, EI_DATA ELFDATA2LSB: Linux checks neither; a
 *    32-bit or big-endian header then fails its e_phentsize check or
 *    loads garbage. Checked explicitly.
 *  - EI_VERSION and e_version EV_CURRENT: Linux ignores both; every real
 *    file has 1, and the gABI defines nothing else.
 *  - e_type ET_EXEC or ET_DYN, e_machine EM_X86_64: as Linux.
 *  - e_phentsize == sizeof(Elf64_Phdr): as Linux.
 *  - e_phnum >= 1 and e_phnum * e_phentsize <= 64 KiB: as current Linux;
 *    kernels before mid-2025 (Debian 12's 6.1 among them) also cap the
 *    table at one page, 73 entries, which no real program comes near.
 *    PN_XNUM (extended numbering) is thereby refused, as by Linux.
 *  - the table inside the file: Linux gets a short read and returns -EIO;
 *    here -ENOEXEC, since the file size is known.
 *  - PT_LOAD p_filesz <= p_memsz, p_vaddr + p_memsz within the user limit
 *    without overflow: Linux checks these only after the point of no
 *    return (-EINVAL, the process is killed).
 *  - PT_LOAD p_offset + p_filesz within the file: Linux maps past the end
 *    and the program takes SIGBUS when it touches it. Refused here.
 *  - p_vaddr == p_offset modulo the page size: Linux's mmap of the
 *    segment fails (after the point of no return).
 *  - p_align 0 or 1 (no constraint) or a power of two: Linux skips a
 *    non-power-of-two p_align when computing the ET_DYN alignment;
 *    refused here, as the gABI requires a power of two.
 *  - PT_LOADs in ascending p_vaddr order without shared bytes: the gABI
 *    requires ascending order; Linux assumes it when sizing an ET_DYN
 *    image (first to last PT_LOAD) and maps an overlap over the earlier
 *    segment. Refused here. Sharing a page (one segment ending and the
 *    next starting in it) is allowed, as linkers emit it.
 *  - PT_LOADs with p_memsz == 0 are validated like the others but
 *    describe no memory, so they are left out of the segment list.
 *  - more than ELF_MAX_LOADS non-empty PT_LOADs: Keel's own limit.
 *  - no non-empty PT_LOAD: Linux runs such an ET_EXEC into a fault and
 *    refuses such an ET_DYN (-EINVAL); -ENOEXEC here.
 *  - PT_INTERP: p_filesz from 2 to PATH_MAX and NUL-terminated, as Linux;
 *    also no NUL before the last byte (Linux silently uses the string up
 *    to the first NUL) and only one PT_INTERP (Linux takes the first).
 *  - PT_PHDR: Linux ignores it and derives AT_PHDR from the PT_LOAD whose
 *    file range holds e_phoff (the last such one), as done here. But
 *    glibc's ld.so takes the program's load bias to be AT_PHDR minus
 *    PT_PHDR's p_vaddr, so a PT_PHDR that disagrees with the mapping, or
 *    appears twice, would have user space relocate at the wrong address:
 *    refused. Without PT_PHDR an unmapped table is accepted, with
 *    phdr_vaddr 0, which makes AT_PHDR the bare load bias as on Linux.
 *  - PT_GNU_STACK: the last one decides, as Linux. Without one the stack
 *    is not executable: Linux since 5.8 sets READ_IMPLIES_EXEC for a
 *    missing PT_GNU_STACK only for 32-bit programs (x86_64 table in
 *    arch/x86/include/asm/elf.h: "missing PT_GNU_STACK: exec-none"), and
 *    that is the behaviour of Debian 12's kernel, the test oracle.
 *  - e_entry below the user limit: Linux's BAD_ADDR check. Whether it
 *    lies in an executable segment is not checked, as Linux does not: a
 *    program that jumps nowhere gets SIGSEGV on its first instruction on
 *    both. For ET_DYN the loader checks entry + bias again.
 *  - e_ehsize, e_flags, EI_OSABI, section headers and the other segment
 *    types are ignored, as Linux does.
 */
#include <keel/compiler.h>
#include <keel/elf_parse.h>
#include <keel/err.h>
#include <keel/errno.h>
#include <keel/string.h>

#define PHENT_SIZE sizeof(Elf64_Phdr)
#define PHDRS_PER_READ 8

/* The one read buffer, on elf_parse()'s stack: 448 bytes. */
union elf_buf {
	Elf64_Phdr phdrs[PHDRS_PER_READ];
	char bytes[PHDRS_PER_READ * sizeof(Elf64_Phdr)];
};

#define READ_MAX sizeof(union elf_buf)

#if defined(__x86_64__)
#define ELF_MACHINE EM_X86_64
#else
#error "elf_parse.c: no ELF machine for this architecture"
#endif

/* What the program-header pass needs beyond the image it fills. */
struct elf_scan {
	const struct elf_source *src;
	union elf_buf *buf;
	struct elf_image *img;
	u64 limit;    /* user limit, page aligned */
	u64 prev_end; /* end of the last non-empty PT_LOAD */
	bool seen_pt_phdr;
	u64 pt_phdr_vaddr;
};

/* Does [off, off + len) lie inside a file of @size bytes? */
static bool in_file(u64 off, u64 len, u64 size)
{
	return len <= size && off <= size - len;
}

/*
 * Read @len bytes at @off, which must lie inside the file. The range check
 * repeats the callers' so that no slip of theirs can become a read past
 * the end of a source that trusts its arguments.
 */
static int src_read(const struct elf_source *src, u64 off, void *buf,
		    size_t len)
{
	int err;

	if (!in_file(off, len, src->size))
		return -ENOEXEC;
	err = src->read(src->ctx, off, buf, len);
	if (err == 0)
		return 0;
	if (err < 0 && err >= -MAX_ERRNO)
		return err;
	return -EIO; /* not an errno: the source is broken */
}

static bool is_pow2(u64 x)
{
	return x && !(x & (x - 1));
}

static int check_ehdr(const Elf64_Ehdr *eh, u64 file_size, u64 limit)
{
	u64 table;

	if (memcmp(eh->e_ident, ELFMAG, SELFMAG) != 0 ||
	    eh->e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh->e_ident[EI_DATA] != ELFDATA2LSB ||
	    eh->e_ident[EI_VERSION] != EV_CURRENT ||
	    eh->e_version != EV_CURRENT)
		return -ENOEXEC;
	if (eh->e_type != ET_EXEC && eh->e_type != ET_DYN)
		return -ENOEXEC;
	if (eh->e_machine != ELF_MACHINE)
		return -ENOEXEC;
	if (eh->e_phentsize != PHENT_SIZE || eh->e_phnum == 0)
		return -ENOEXEC;
	table = (u64)eh->e_phnum * PHENT_SIZE; /* at most 0xffff * 56 */
	if (table > ELF_MAX_PHDR_BYTES ||
	    !in_file(eh->e_phoff, table, file_size))
		return -ENOEXEC;
	if (eh->e_entry >= limit)
		return -ENOEXEC;
	return 0;
}

static u32 prot_of(u32 p_flags)
{
	u32 prot = 0;

	if (p_flags & PF_R)
		prot |= ELF_PROT_READ;
	if (p_flags & PF_W)
		prot |= ELF_PROT_WRITE;
	if (p_flags & PF_X)
		prot |= ELF_PROT_EXEC;
	return prot;
}

static int add_load(struct elf_scan *sc, const Elf64_Phdr *ph)
{
	struct elf_image *img = sc->img;
	struct elf_segment *seg;
	u64 align = ph->p_align;

	if (ph->p_filesz > ph->p_memsz ||
	    !in_file(ph->p_offset, ph->p_filesz, sc->src->size))
		return -ENOEXEC;
	if (ph->p_memsz > sc->limit || ph->p_vaddr > sc->limit - ph->p_memsz)
		return -ENOEXEC;
	if ((ph->p_vaddr ^ ph->p_offset) & (ELF_PAGE_SIZE - 1))
		return -ENOEXEC;
	if (align > 1 && !is_pow2(align))
		return -ENOEXEC;

	/* Linux's AT_PHDR rule; filesz <= memsz keeps the sum in range. */
	if (ph->p_offset <= img->phoff &&
	    img->phoff - ph->p_offset < ph->p_filesz) {
		img->phdr_mapped = true;
		img->phdr_vaddr = ph->p_vaddr + (img->phoff - ph->p_offset);
	}

	if (ph->p_memsz == 0)
		return 0;
	if (img->nr_segs > 0 && ph->p_vaddr < sc->prev_end)
		return -ENOEXEC; /* out of order or overlapping */
	if (img->nr_segs == ELF_MAX_LOADS)
		return -ENOEXEC;

	seg = &img->segs[img->nr_segs++];
	seg->vaddr = ph->p_vaddr;
	seg->memsz = ph->p_memsz;
	seg->offset = ph->p_offset;
	seg->filesz = ph->p_filesz;
	seg->align = MAX(align, ELF_PAGE_SIZE);
	seg->prot = prot_of(ph->p_flags);
	img->max_align = MAX(img->max_align, seg->align);
	sc->prev_end = ph->p_vaddr + ph->p_memsz;
	return 0;
}

static int note_interp(struct elf_scan *sc, const Elf64_Phdr *ph)
{
	struct elf_image *img = sc->img;

	if (img->interp_len != 0)
		return -ENOEXEC; /* a second PT_INTERP */
	if (ph->p_filesz < 2 || ph->p_filesz > ELF_INTERP_MAX ||
	    !in_file(ph->p_offset, ph->p_filesz, sc->src->size))
		return -ENOEXEC;
	img->interp_off = ph->p_offset;
	img->interp_len = (u32)ph->p_filesz;
	return 0;
}

static int scan_phdr(struct elf_scan *sc, const Elf64_Phdr *ph)
{
	struct elf_image *img = sc->img;

	switch (ph->p_type) {
	case PT_LOAD:
		return add_load(sc, ph);
	case PT_INTERP:
		return note_interp(sc, ph);
	case PT_PHDR:
		if (sc->seen_pt_phdr)
			return -ENOEXEC;
		sc->seen_pt_phdr = true;
		sc->pt_phdr_vaddr = ph->p_vaddr;
		return 0;
	case PT_GNU_STACK:
		img->has_gnu_stack = true;
		img->exec_stack = (ph->p_flags & PF_X) != 0;
		return 0;
	case PT_TLS:
		img->has_tls = true;
		return 0;
	default:
		return 0;
	}
}

static int scan_phdrs(struct elf_scan *sc)
{
	Elf64_Phdr *batch = sc->buf->phdrs;
	const struct elf_image *img = sc->img;
	u32 i, j, n;
	int err;

	for (i = 0; i < img->phnum; i += n) {
		n = MIN((u32)PHDRS_PER_READ, img->phnum - i);
		err = src_read(sc->src, img->phoff + (u64)i * PHENT_SIZE, batch,
			       n * PHENT_SIZE);
		if (err)
			return err;
		for (j = 0; j < n; j++) {
			err = scan_phdr(sc, &batch[j]);
			if (err)
				return err;
		}
	}
	return 0;
}

/*
 * Is the string at [@off, @off + @len) a path: NUL in its last byte and
 * nowhere before? Read in pieces through @buf (READ_MAX bytes).
 */
static int check_interp(const struct elf_source *src, u64 off, u32 len,
			char *buf)
{
	u32 done, n;
	int err;

	for (done = 0; done < len; done += n) {
		n = MIN((u32)READ_MAX, len - done);
		err = src_read(src, off + done, buf, n);
		if (err)
			return err;
		if (done + n == len) {
			if (buf[n - 1] != '\0' || memchr(buf, '\0', n - 1))
				return -ENOEXEC;
		} else if (memchr(buf, '\0', n)) {
			return -ENOEXEC;
		}
	}
	return 0;
}

/* Whole-image rules, once every program header has been seen. */
static int finish_image(struct elf_scan *sc)
{
	struct elf_image *img = sc->img;
	const struct elf_segment *last;
	int err;

	if (img->nr_segs == 0)
		return -ENOEXEC;
	if (sc->seen_pt_phdr &&
	    (!img->phdr_mapped || img->phdr_vaddr != sc->pt_phdr_vaddr))
		return -ENOEXEC;
	if (img->interp_len) {
		err = check_interp(sc->src, img->interp_off, img->interp_len,
				   sc->buf->bytes);
		if (err)
			return err;
	}

	/* Segments end at or below the page-aligned limit: no overflow. */
	last = &img->segs[img->nr_segs - 1];
	img->lo = ALIGN_DOWN(img->segs[0].vaddr, ELF_PAGE_SIZE);
	img->hi = ALIGN_UP(last->vaddr + last->memsz, ELF_PAGE_SIZE);
	return 0;
}

int elf_parse(const struct elf_source *src, u64 user_limit,
	      struct elf_image *out)
{
	union elf_buf buf;
	struct elf_scan sc = {
		.src = src,
		.buf = &buf,
		.img = out,
		.limit = ALIGN_DOWN(user_limit, ELF_PAGE_SIZE),
	};
	Elf64_Ehdr eh;
	int err;

	memset(out, 0, sizeof(*out));
	if (src->size < sizeof(eh))
		return -ENOEXEC;
	err = src_read(src, 0, &eh, sizeof(eh));
	if (err)
		return err;
	err = check_ehdr(&eh, src->size, sc.limit);
	if (err)
		return err;

	out->type = eh.e_type;
	out->entry = eh.e_entry;
	out->phoff = eh.e_phoff;
	out->phnum = eh.e_phnum;
	out->phentsize = eh.e_phentsize;
	err = scan_phdrs(&sc);
	if (err)
		return err;
	return finish_image(&sc);
}

int elf_read_interp(const struct elf_source *src, const struct elf_image *img,
		    char *buf, size_t size)
{
	u32 len = img->interp_len;
	u32 done, n;
	int err;

	if (len < 2 || len > ELF_INTERP_MAX)
		return -ENOEXEC;
	if (size < len)
		return -ERANGE;
	for (done = 0; done < len; done += n) {
		n = MIN((u32)READ_MAX, len - done);
		err = src_read(src, img->interp_off + done, buf + done, n);
		if (err)
			return err;
	}
	if (buf[len - 1] != '\0' || memchr(buf, '\0', len - 1))
		return -ENOEXEC;
	return 0;
}
