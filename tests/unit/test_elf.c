/*
 * Host tests of the ELF64 image parser (kernel/proc/elf_parse.c).
 *
 * Images are built here field by field: a static ET_EXEC laid out like
 * musl's, a static-PIE ET_DYN and a dynamic PIE with PT_INTERP. Each
 * validation rule gets its own rejection case, the boundaries of every
 * limit are tried on both sides, and read errors are injected at every
 * read. Real binaries of the host (ls, ld.so, busybox-static, a musl
 * static program of this tree when built) must parse, and agree with an
 * independent decoding of their headers. A deterministic fuzz loop mutates
 * the built images and checks that the parser returns only 0 or -ENOEXEC
 * and that whatever it accepts keeps the header's promises
 * (elf_invariants.h).
 *
 * Every image is parsed from a heap copy of exactly its size, and the read
 * callback fails the test on any request outside the file, so
 * AddressSanitizer and the callback together catch any read past the end.
 *
 * ELF_SWEEP_DIRS=/usr/bin:/usr/lib/x86_64-linux-gnu additionally parses
 * every x86_64 ELF64 executable and shared object found there;
 * ELF_FUZZ_ITERS=n runs n fuzz iterations instead of 20000;
 * ELF_WRITE_CORPUS=dir writes the built images there as seeds for the
 * libFuzzer harness (fuzz_elf.c).
 */
#include <dirent.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include <keel/compiler.h>
#include <keel/elf_parse.h>
#include <keel/err.h>
#include <keel/errno.h>
#include <keel/string.h>

#include "elf_invariants.h"

#define LIMIT	ELF_USER_LIMIT_4LEVEL
#define PAGE	ELF_PAGE_SIZE
#define PHSZ	sizeof(Elf64_Phdr)
#define LDSO	"/lib64/ld-linux-x86-64.so.2"

static const char *argv0 = "";

/* ---- sources ------------------------------------------------------------- */

struct mem_src {
	const u8 *data;
	u64 size;
	unsigned int calls;
	unsigned int fail_at;	/* fail the n-th read (1-based); 0: never */
	int fail_ret;
};

static int mem_read(void *ctx, u64 off, void *buf, size_t len)
{
	struct mem_src *m = ctx;

	if (len == 0 || len > 512 || off > m->size || len > m->size - off)
		fail_msg("parser read [%llu, +%zu) of a %llu-byte file", off,
			 len, m->size);
	if (++m->calls == m->fail_at)
		return m->fail_ret;
	memcpy(buf, m->data + off, len);
	return 0;
}

static void check_image(const struct elf_source *src,
			const struct elf_image *img, u64 limit)
{
	const char *why = elf_image_violation(img, src->size, limit);
	char path[ELF_INTERP_MAX];

	if (why)
		fail_msg("accepted image breaks a promise: %s", why);
	if (img->interp_len) {
		assert_int_equal(elf_read_interp(src, img, path, sizeof(path)), 0);
		assert_int_equal(strlen(path) + 1, img->interp_len);
	} else {
		assert_int_equal(elf_read_interp(src, img, path, sizeof(path)),
				 -ENOEXEC);
	}
}

/*
 * Parse @len bytes from a heap copy of exactly that size, with the n-th
 * read failing when @fail_at is set; check every accepted image.
 */
static int parse_fail(const void *data, size_t len, u64 limit,
		      struct elf_image *img, unsigned int fail_at, int fail_ret)
{
	u8 *copy = malloc(len ? len : 1);
	struct mem_src m = { copy, len, 0, fail_at, fail_ret };
	struct elf_source src = { mem_read, &m, len };
	int rc;

	assert_non_null(copy);
	memcpy(copy, data, len);
	rc = elf_parse(&src, limit, img);
	if (rc == 0) {
		m.fail_at = 0;
		check_image(&src, img, limit);
	}
	free(copy);
	return rc;
}

static int parse_lim(const void *data, size_t len, u64 limit,
		     struct elf_image *img)
{
	return parse_fail(data, len, limit, img, 0, 0);
}

/* ---- building images ----------------------------------------------------- */

#define BLD_MAX 8192

struct bld {
	u8 b[BLD_MAX] __attribute__((aligned(8)));
	size_t len;
};

static struct bld B;
static struct elf_image img;

static Elf64_Ehdr *eh(struct bld *b)
{
	return (Elf64_Ehdr *)b->b;
}

static Elf64_Phdr *ph(struct bld *b, unsigned int i)
{
	return (Elf64_Phdr *)(b->b + 64 + i * PHSZ);
}

static void bld_init(struct bld *b, u16 type, u64 entry)
{
	Elf64_Ehdr *e = eh(b);

	memset(b, 0, sizeof(*b));
	memcpy(e->e_ident, ELFMAG, SELFMAG);
	e->e_ident[EI_CLASS] = ELFCLASS64;
	e->e_ident[EI_DATA] = ELFDATA2LSB;
	e->e_ident[EI_VERSION] = EV_CURRENT;
	e->e_type = type;
	e->e_machine = EM_X86_64;
	e->e_version = EV_CURRENT;
	e->e_entry = entry;
	e->e_phoff = 64;
	e->e_ehsize = sizeof(Elf64_Ehdr);
	e->e_phentsize = PHSZ;
	b->len = 64;
}

/* Append a program header after the others (the table follows the header). */
static Elf64_Phdr *bld_ph(struct bld *b, u32 type, u32 flags, u64 off,
			  u64 vaddr, u64 filesz, u64 memsz, u64 align)
{
	Elf64_Phdr *p;

	assert_true(64 + (eh(b)->e_phnum + 1) * PHSZ <= BLD_MAX);
	p = ph(b, eh(b)->e_phnum++);
	p->p_type = type;
	p->p_flags = flags;
	p->p_offset = off;
	p->p_vaddr = vaddr;
	p->p_paddr = vaddr;
	p->p_filesz = filesz;
	p->p_memsz = memsz;
	p->p_align = align;
	b->len = MAX(b->len, 64 + eh(b)->e_phnum * PHSZ);
	return p;
}

static void bld_put(struct bld *b, u64 off, const void *data, size_t n)
{
	assert_true(off + n <= BLD_MAX);
	memcpy(b->b + off, data, n);
	b->len = MAX(b->len, off + n);
}

static void bld_len(struct bld *b, size_t len)
{
	assert_true(len <= BLD_MAX);
	b->len = len;
}

/*
 * A static ET_EXEC as musl links one, compacted: text and the headers in
 * one R+X page, data and bss in the next page (sharing the file page).
 * The file ends where the last segment's bytes end, so any truncation
 * cuts something the image needs.
 */
static void build_static(struct bld *b)
{
	bld_init(b, ET_EXEC, 0x400180);
	bld_ph(b, PT_LOAD, PF_R | PF_X, 0, 0x400000, 0x200, 0x200, 0x1000);
	bld_ph(b, PT_LOAD, PF_R | PF_W, 0x200, 0x401200, 0x80, 0x1000, 0x1000);
	bld_ph(b, PT_TLS, PF_R, 0x200, 0x401200, 0x10, 0x20, 8);
	bld_ph(b, PT_GNU_STACK, PF_R | PF_W, 0, 0, 0, 0, 16);
	bld_len(b, 0x280);
}

/* A static-PIE ET_DYN: addresses from 0, PT_PHDR, PT_DYNAMIC, no PT_INTERP. */
static void build_static_pie(struct bld *b)
{
	bld_init(b, ET_DYN, 0x11c0);
	bld_ph(b, PT_PHDR, PF_R, 64, 64, 6 * PHSZ, 6 * PHSZ, 8);
	bld_ph(b, PT_LOAD, PF_R, 0, 0, 0x1c0, 0x1c0, 0x1000);
	bld_ph(b, PT_LOAD, PF_R | PF_X, 0x1c0, 0x11c0, 0x100, 0x100, 0x1000);
	bld_ph(b, PT_LOAD, PF_R | PF_W, 0x2c0, 0x22c0, 0x40, 0x200, 0x1000);
	bld_ph(b, PT_DYNAMIC, PF_R | PF_W, 0x2c0, 0x22c0, 0x40, 0x40, 8);
	bld_ph(b, PT_GNU_STACK, PF_R | PF_W, 0, 0, 0, 0, 16);
	bld_len(b, 0x300);
}

/* A dynamic PIE: PT_PHDR, PT_INTERP naming ld.so, three PT_LOADs. */
static void build_dynamic(struct bld *b)
{
	bld_init(b, ET_DYN, 0x1200);
	bld_ph(b, PT_PHDR, PF_R, 64, 64, 7 * PHSZ, 7 * PHSZ, 8);
	bld_ph(b, PT_INTERP, PF_R, 0x1c8, 0x1c8, sizeof(LDSO), sizeof(LDSO), 1);
	bld_ph(b, PT_LOAD, PF_R, 0, 0, 0x200, 0x200, 0x1000);
	bld_ph(b, PT_LOAD, PF_R | PF_X, 0x200, 0x1200, 0x100, 0x100, 0x1000);
	bld_ph(b, PT_LOAD, PF_R | PF_W, 0x300, 0x2300, 0x80, 0x100, 0x1000);
	bld_ph(b, PT_DYNAMIC, PF_R | PF_W, 0x300, 0x2300, 0x80, 0x80, 8);
	bld_ph(b, PT_GNU_STACK, PF_R | PF_W, 0, 0, 0, 0, 16);
	bld_put(b, 0x1c8, LDSO, sizeof(LDSO));
	bld_len(b, 0x380);
}

/* Index of the n-th (0-based) program header of type @type. */
static Elf64_Phdr *find_ph(struct bld *b, u32 type, unsigned int n)
{
	for (unsigned int i = 0; i < eh(b)->e_phnum; i++)
		if (ph(b, i)->p_type == type && n-- == 0)
			return ph(b, i);
	fail_msg("no program header of type %#x", type);
	return NULL;
}

static int parse_b(struct bld *b)
{
	return parse_lim(b->b, b->len, LIMIT, &img);
}

#define REJECT(b) assert_int_equal(parse_b(b), -ENOEXEC)
#define ACCEPT(b) assert_int_equal(parse_b(b), 0)

typedef void (*builder_fn)(struct bld *);
static const builder_fn builders[] = { build_static, build_static_pie,
				       build_dynamic };

/* ---- valid images -------------------------------------------------------- */

static void test_static_exec(void **state)
{
	build_static(&B);
	ACCEPT(&B);
	assert_int_equal(img.type, ET_EXEC);
	assert_int_equal(img.entry, 0x400180);
	assert_int_equal(img.nr_segs, 2);
	assert_int_equal(img.segs[0].vaddr, 0x400000);
	assert_int_equal(img.segs[0].memsz, 0x200);
	assert_int_equal(img.segs[0].offset, 0);
	assert_int_equal(img.segs[0].filesz, 0x200);
	assert_int_equal(img.segs[0].prot, ELF_PROT_READ | ELF_PROT_EXEC);
	assert_int_equal(img.segs[0].align, 0x1000);
	assert_int_equal(img.segs[1].vaddr, 0x401200);
	assert_int_equal(img.segs[1].memsz, 0x1000);
	assert_int_equal(img.segs[1].offset, 0x200);
	assert_int_equal(img.segs[1].filesz, 0x80);
	assert_int_equal(img.segs[1].prot, ELF_PROT_READ | ELF_PROT_WRITE);
	assert_int_equal(img.lo, 0x400000);
	assert_int_equal(img.hi, 0x403000);
	assert_int_equal(img.max_align, 0x1000);
	assert_int_equal(img.phoff, 64);
	assert_int_equal(img.phnum, 4);
	assert_int_equal(img.phentsize, PHSZ);
	/* No PT_PHDR (as musl and busybox): found through the first PT_LOAD. */
	assert_true(img.phdr_mapped);
	assert_int_equal(img.phdr_vaddr, 0x400040);
	assert_int_equal(img.interp_len, 0);
	assert_true(img.has_gnu_stack);
	assert_false(img.exec_stack);
	assert_true(img.has_tls);
}

static void test_static_pie(void **state)
{
	build_static_pie(&B);
	ACCEPT(&B);
	assert_int_equal(img.type, ET_DYN);
	assert_int_equal(img.entry, 0x11c0);
	assert_int_equal(img.nr_segs, 3);
	assert_int_equal(img.segs[0].prot, ELF_PROT_READ);
	assert_int_equal(img.segs[1].prot, ELF_PROT_READ | ELF_PROT_EXEC);
	assert_int_equal(img.segs[2].prot, ELF_PROT_READ | ELF_PROT_WRITE);
	assert_int_equal(img.segs[2].memsz, 0x200);
	assert_int_equal(img.lo, 0);
	assert_int_equal(img.hi, 0x3000);
	assert_true(img.phdr_mapped);
	assert_int_equal(img.phdr_vaddr, 64);
	assert_int_equal(img.phnum, 6);
	assert_int_equal(img.interp_len, 0);
	assert_false(img.exec_stack);
	assert_false(img.has_tls);
}

static void test_dynamic(void **state)
{
	char path[ELF_INTERP_MAX];
	struct mem_src m = { B.b, 0, 0, 0, 0 };
	struct elf_source src = { mem_read, &m, 0 };

	build_dynamic(&B);
	ACCEPT(&B);
	assert_int_equal(img.type, ET_DYN);
	assert_int_equal(img.nr_segs, 3);
	assert_int_equal(img.hi, 0x3000);
	assert_int_equal(img.phdr_vaddr, 64);
	assert_int_equal(img.interp_off, 0x1c8);
	assert_int_equal(img.interp_len, sizeof(LDSO));

	m.size = src.size = B.len;
	assert_int_equal(elf_read_interp(&src, &img, path, sizeof(path)), 0);
	assert_string_equal(path, LDSO);
	assert_int_equal(elf_read_interp(&src, &img, path, sizeof(LDSO)), 0);
	assert_int_equal(elf_read_interp(&src, &img, path, sizeof(LDSO) - 1),
			 -ERANGE);

	/* Read errors pass through; a nonsense length is refused. */
	m.fail_at = m.calls + 1;
	m.fail_ret = -EIO;
	assert_int_equal(elf_read_interp(&src, &img, path, sizeof(path)), -EIO);
	m.fail_at = 0;
	img.interp_len = 1;
	assert_int_equal(elf_read_interp(&src, &img, path, sizeof(path)),
			 -ENOEXEC);
	img.interp_len = ELF_INTERP_MAX + 1;
	assert_int_equal(elf_read_interp(&src, &img, path, sizeof(path)),
			 -ENOEXEC);
	img.interp_len = sizeof(LDSO);

	/* A file that changed after elf_parse() is caught on the copy. */
	B.b[0x1c8 + 5] = '\0';
	assert_int_equal(elf_read_interp(&src, &img, path, sizeof(path)),
			 -ENOEXEC);
	B.b[0x1c8 + 5] = 'l';
	B.b[0x1c8 + sizeof(LDSO) - 1] = 'x';
	assert_int_equal(elf_read_interp(&src, &img, path, sizeof(path)),
			 -ENOEXEC);
}

/* The last PT_GNU_STACK decides (Linux); without one, no executable stack. */
static void test_gnu_stack(void **state)
{
	build_static(&B);
	find_ph(&B, PT_GNU_STACK, 0)->p_flags = PF_R | PF_W | PF_X;
	ACCEPT(&B);
	assert_true(img.has_gnu_stack);
	assert_true(img.exec_stack);

	bld_ph(&B, PT_GNU_STACK, PF_R | PF_W, 0, 0, 0, 0, 16);
	ACCEPT(&B);
	assert_false(img.exec_stack);

	bld_ph(&B, PT_GNU_STACK, PF_R | PF_W | PF_X, 0, 0, 0, 0, 16);
	ACCEPT(&B);
	assert_true(img.exec_stack);

	build_static(&B);
	find_ph(&B, PT_GNU_STACK, 0)->p_type = PT_NULL;
	ACCEPT(&B);
	assert_false(img.has_gnu_stack);
	assert_false(img.exec_stack);
}

/* Headers Linux ignores stay ignored: OSABI, flags, ehsize, sections. */
static void test_ignored_fields(void **state)
{
	build_static(&B);
	eh(&B)->e_ident[EI_OSABI] = ELFOSABI_GNU;
	eh(&B)->e_ident[EI_ABIVERSION] = 7;
	eh(&B)->e_flags = 0xdeadbeef;
	eh(&B)->e_ehsize = 3;
	eh(&B)->e_shoff = ~0ULL;
	eh(&B)->e_shnum = 0xffff;
	eh(&B)->e_shentsize = 1;
	/* segments exec does not map are not checked */
	find_ph(&B, PT_TLS, 0)->p_offset = ~0ULL;
	bld_ph(&B, PT_NOTE, PF_R, ~0ULL, ~0ULL, ~0ULL, 0, 3);
	bld_ph(&B, PT_LOPROC + 5, 0, ~0ULL, 0, 0, 0, 0);
	bld_ph(&B, PT_GNU_RELRO, PF_R, 0x200, 0x401200, 0x80, 0x80, 1);
	ACCEPT(&B);
	assert_int_equal(img.phnum, 7);
	assert_true(img.has_tls);
}

/* PT_LOAD alignment 0 and 1 mean "none"; big powers of two are kept. */
static void test_alignment_accepted(void **state)
{
	build_static_pie(&B);
	find_ph(&B, PT_LOAD, 0)->p_align = 0;
	find_ph(&B, PT_LOAD, 1)->p_align = 1;
	find_ph(&B, PT_LOAD, 2)->p_align = 0x200000;
	ACCEPT(&B);
	assert_int_equal(img.segs[0].align, PAGE);
	assert_int_equal(img.segs[1].align, PAGE);
	assert_int_equal(img.segs[2].align, 0x200000);
	assert_int_equal(img.max_align, 0x200000);

	find_ph(&B, PT_LOAD, 2)->p_align = 16;	/* below a page: a page */
	ACCEPT(&B);
	assert_int_equal(img.max_align, PAGE);
}

/* Segments may share a page (not a byte); empty ones are skipped. */
static void test_page_sharing_and_empty_loads(void **state)
{
	build_static(&B);
	/* data starts in the page where text ends */
	find_ph(&B, PT_LOAD, 1)->p_vaddr = 0x400200;
	find_ph(&B, PT_TLS, 0)->p_vaddr = 0x400200;
	ACCEPT(&B);
	assert_int_equal(img.nr_segs, 2);
	assert_int_equal(img.hi, 0x402000);

	/* data starting inside text's bytes */
	find_ph(&B, PT_LOAD, 1)->p_vaddr = 0x4001f0;
	find_ph(&B, PT_LOAD, 1)->p_offset = 0x1f0;
	REJECT(&B);

	build_static(&B);
	bld_ph(&B, PT_LOAD, PF_R, 0x100, 0x100, 0, 0, 0x1000);	/* empty */
	ACCEPT(&B);
	assert_int_equal(img.nr_segs, 2);
	assert_int_equal(img.lo, 0x400000);
}

/* The entry point need not be in an executable segment (nor Linux checks). */
static void test_entry_anywhere_below_limit(void **state)
{
	build_static(&B);
	eh(&B)->e_entry = 0;
	ACCEPT(&B);
	eh(&B)->e_entry = 0x401200;	/* data */
	ACCEPT(&B);
	eh(&B)->e_entry = LIMIT - 1;
	ACCEPT(&B);
	eh(&B)->e_entry = LIMIT;
	REJECT(&B);
	eh(&B)->e_entry = ~0ULL;
	REJECT(&B);
}

/* Without PT_PHDR an unmapped table is fine: AT_PHDR is then the bias. */
static void test_phdr_unmapped(void **state)
{
	build_static(&B);
	/* move the table past the text segment's file bytes */
	memmove(B.b + 0x280, B.b + 64, 4 * PHSZ);
	eh(&B)->e_phoff = 0x280;
	bld_len(&B, 0x280 + 4 * PHSZ);
	ACCEPT(&B);
	assert_false(img.phdr_mapped);
	assert_int_equal(img.phdr_vaddr, 0);
	assert_int_equal(img.phoff, 0x280);
}

/* Source errors pass through: at every read, with any errno. */
static void test_read_errors(void **state)
{
	static const int errs[] = { -EIO, -EINTR, -ENOMEM, -EFAULT, -MAX_ERRNO };

	for (size_t k = 0; k < ARRAY_SIZE(builders); k++) {
		unsigned int reads;
		struct mem_src m;
		struct elf_source src = { mem_read, &m, 0 };

		builders[k](&B);
		m = (struct mem_src){ B.b, B.len, 0, 0, 0 };
		src.size = B.len;
		assert_int_equal(elf_parse(&src, LIMIT, &img), 0);
		reads = m.calls;
		assert_true(reads >= 2);
		for (unsigned int n = 1; n <= reads; n++) {
			for (size_t e = 0; e < ARRAY_SIZE(errs); e++)
				assert_int_equal(parse_fail(B.b, B.len, LIMIT,
							    &img, n, errs[e]),
						 errs[e]);
			/* Not an errno: reported as an I/O error. */
			assert_int_equal(parse_fail(B.b, B.len, LIMIT, &img, n, 1),
					 -EIO);
			assert_int_equal(parse_fail(B.b, B.len, LIMIT, &img, n,
						    -MAX_ERRNO - 1), -EIO);
			assert_int_equal(parse_fail(B.b, B.len, LIMIT, &img, n,
						    INT32_MIN), -EIO);
		}
	}
}

/* ---- each rejection ------------------------------------------------------ */

static void test_truncated(void **state)
{
	static const u8 tiny[] = { 0x7f, 'E', 'L', 'F', 2, 1, 1 };

	assert_int_equal(parse_lim(tiny, 0, LIMIT, &img), -ENOEXEC);
	assert_int_equal(parse_lim(tiny, sizeof(tiny), LIMIT, &img), -ENOEXEC);

	/* Every proper prefix of every image lacks something it needs. */
	for (size_t k = 0; k < ARRAY_SIZE(builders); k++) {
		builders[k](&B);
		for (size_t len = 0; len < B.len; len++)
			if (parse_lim(B.b, len, LIMIT, &img) != -ENOEXEC)
				fail_msg("image %zu cut to %zu bytes accepted",
					 k, len);
		ACCEPT(&B);
	}
}

static void test_bad_ident(void **state)
{
	for (int i = 0; i < SELFMAG; i++) {
		build_static(&B);
		B.b[i] ^= 0x20;
		REJECT(&B);
	}
	build_static(&B);
	eh(&B)->e_ident[EI_CLASS] = ELFCLASS32;
	REJECT(&B);
	eh(&B)->e_ident[EI_CLASS] = ELFCLASSNONE;
	REJECT(&B);
	eh(&B)->e_ident[EI_CLASS] = 3;
	REJECT(&B);

	build_static(&B);
	eh(&B)->e_ident[EI_DATA] = ELFDATA2MSB;
	REJECT(&B);
	eh(&B)->e_ident[EI_DATA] = ELFDATANONE;
	REJECT(&B);

	build_static(&B);
	eh(&B)->e_ident[EI_VERSION] = EV_NONE;
	REJECT(&B);
	eh(&B)->e_ident[EI_VERSION] = 2;
	REJECT(&B);
	build_static(&B);
	eh(&B)->e_version = EV_NONE;
	REJECT(&B);
	eh(&B)->e_version = 2;
	REJECT(&B);
}

static void test_bad_type_machine(void **state)
{
	static const u16 types[] = { ET_NONE, ET_REL, ET_CORE, 0xfe00, 0xffff };
	static const u16 machines[] = { 0, EM_386, EM_AARCH64, EM_RISCV,
					EM_X86_64 | 0x100 };

	for (size_t i = 0; i < ARRAY_SIZE(types); i++) {
		build_static(&B);
		eh(&B)->e_type = types[i];
		REJECT(&B);
	}
	for (size_t i = 0; i < ARRAY_SIZE(machines); i++) {
		build_static(&B);
		eh(&B)->e_machine = machines[i];
		REJECT(&B);
	}
}

static void test_bad_phentsize_phnum(void **state)
{
	static const u16 sizes[] = { 0, 32, 55, 57, 64, 0xffff };

	for (size_t i = 0; i < ARRAY_SIZE(sizes); i++) {
		build_static(&B);
		eh(&B)->e_phentsize = sizes[i];
		REJECT(&B);
	}
	build_static(&B);
	eh(&B)->e_phnum = 0;
	REJECT(&B);
	eh(&B)->e_phnum = PN_XNUM;
	REJECT(&B);
}

/*
 * One PT_LOAD covering a file of @phnum program headers (the rest
 * PT_NULL): 1170 fill exactly 64 KiB and are accepted, 1171 are not.
 */
static int parse_many_phdrs(unsigned int phnum)
{
	size_t len = 64 + (size_t)phnum * PHSZ;
	u8 *f = calloc(1, len);
	Elf64_Ehdr *e = (Elf64_Ehdr *)f;
	Elf64_Phdr *p = (Elf64_Phdr *)(f + 64);
	int rc;

	assert_non_null(f);
	memcpy(f, B.b, 64);	/* a valid header from build_static() */
	e->e_phnum = (u16)phnum;
	p[phnum - 1] = (Elf64_Phdr){ .p_type = PT_LOAD,
				     .p_flags = PF_R | PF_X,
				     .p_vaddr = 0x400000, .p_filesz = len,
				     .p_memsz = len, .p_align = PAGE };
	rc = parse_lim(f, len, LIMIT, &img);
	free(f);
	return rc;
}

static void test_phdr_table_size(void **state)
{
	build_static(&B);
	assert_int_equal(parse_many_phdrs(1), 0);
	assert_int_equal(parse_many_phdrs(73), 0);
	assert_int_equal(parse_many_phdrs(ELF_MAX_PHDR_BYTES / PHSZ), 0);
	assert_int_equal(img.phnum, 1170);
	assert_int_equal(parse_many_phdrs(ELF_MAX_PHDR_BYTES / PHSZ + 1),
			 -ENOEXEC);
}

static void test_phdr_table_outside_file(void **state)
{
	build_static(&B);
	eh(&B)->e_phoff = B.len - 4 * PHSZ + 1;	/* one byte past the end */
	REJECT(&B);
	eh(&B)->e_phoff = B.len;
	REJECT(&B);
	eh(&B)->e_phoff = ~0ULL - 63;		/* the sum wraps to 0xa0 */
	REJECT(&B);
	eh(&B)->e_phoff = ~0ULL;
	REJECT(&B);
	eh(&B)->e_phoff = B.len - 4 * PHSZ;	/* the last bytes: fine */
	memmove(B.b + eh(&B)->e_phoff, B.b + 64, 4 * PHSZ);
	ACCEPT(&B);
	/* Text's file bytes hold the table's first byte: Linux's rule. */
	assert_int_equal(img.phoff, 0x1a0);
	assert_true(img.phdr_mapped);
	assert_int_equal(img.phdr_vaddr, 0x4001a0);
}

static void test_filesz_over_memsz(void **state)
{
	build_static(&B);
	find_ph(&B, PT_LOAD, 1)->p_filesz = 0x1001;
	bld_len(&B, 0x200 + 0x1001);
	REJECT(&B);
	find_ph(&B, PT_LOAD, 1)->p_memsz = 0x1001;	/* equal is fine */
	ACCEPT(&B);
}

static void test_segment_outside_file(void **state)
{
	build_static(&B);
	find_ph(&B, PT_LOAD, 1)->p_filesz = 0x81;	/* one byte too many */
	REJECT(&B);

	build_static(&B);
	find_ph(&B, PT_LOAD, 1)->p_offset = 0x201;	/* congruence kept */
	find_ph(&B, PT_LOAD, 1)->p_vaddr = 0x401201;
	REJECT(&B);

	build_static(&B);
	/* offset + filesz wraps around to 0x10 */
	find_ph(&B, PT_LOAD, 1)->p_offset = 0xffffffffffffff90ULL;
	find_ph(&B, PT_LOAD, 1)->p_vaddr = 0x401f90;
	REJECT(&B);
	find_ph(&B, PT_LOAD, 1)->p_offset = 0xfffffffffffff200ULL;
	find_ph(&B, PT_LOAD, 1)->p_vaddr = 0x401200;
	REJECT(&B);

	/* a bss-only segment may start at the end of the file, not past it */
	build_static(&B);
	find_ph(&B, PT_LOAD, 1)->p_filesz = 0;
	find_ph(&B, PT_LOAD, 1)->p_offset = 0x280;
	find_ph(&B, PT_LOAD, 1)->p_vaddr = 0x401280;
	find_ph(&B, PT_TLS, 0)->p_type = PT_NULL;
	ACCEPT(&B);
	find_ph(&B, PT_LOAD, 1)->p_offset = 0x281;
	find_ph(&B, PT_LOAD, 1)->p_vaddr = 0x401281;
	REJECT(&B);
}

static void test_segment_beyond_user_limit(void **state)
{
	const u64 la57 = 0x00fffffffffff000ULL;
	Elf64_Phdr *data;

	build_static(&B);
	data = find_ph(&B, PT_LOAD, 1);
	data->p_vaddr = LIMIT - 0x1000 + 0x200;		/* ends at the limit */
	data->p_memsz = 0xe00;
	ACCEPT(&B);
	assert_int_equal(img.hi, LIMIT);
	data->p_memsz = 0xe01;				/* one byte past */
	REJECT(&B);
	data->p_vaddr = LIMIT + 0x200;
	REJECT(&B);
	data->p_vaddr = 0xfffffffffffff200ULL;		/* sum wraps */
	REJECT(&B);
	data->p_vaddr = 0x401200;
	data->p_memsz = ~0ULL;
	REJECT(&B);

	/* The limit is the caller's: 5-level paging raises it. */
	data->p_vaddr = 0x800000000200ULL;
	data->p_memsz = 0x1000;
	REJECT(&B);
	assert_int_equal(parse_lim(B.b, B.len, la57, &img), 0);
	assert_int_equal(img.hi, 0x800000002000ULL);

	/* An unaligned limit counts as the page below it. */
	data->p_vaddr = 0x401200;
	assert_int_equal(parse_lim(B.b, B.len, 0x402fff, &img), -ENOEXEC);
	assert_int_equal(parse_lim(B.b, B.len, 0x403000, &img), 0);
	assert_int_equal(parse_lim(B.b, B.len, 0x401000, &img), -ENOEXEC);
}

static void test_bad_alignment(void **state)
{
	static const u64 bad[] = { 3, 6, 0x1800, 0x3000, 0x8000000000000001ULL,
				   ~0ULL };

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		build_static(&B);
		find_ph(&B, PT_LOAD, 1)->p_align = bad[i];
		REJECT(&B);
	}
	/* Empty segments are checked too, and other types are not. */
	build_static(&B);
	bld_ph(&B, PT_LOAD, PF_R, 0, 0x500000, 0, 0, 3);
	REJECT(&B);
	build_static(&B);
	find_ph(&B, PT_TLS, 0)->p_align = 3;
	ACCEPT(&B);
}

static void test_incongruent(void **state)
{
	build_static(&B);
	find_ph(&B, PT_LOAD, 1)->p_vaddr = 0x401204;
	REJECT(&B);
	find_ph(&B, PT_LOAD, 1)->p_vaddr = 0x401200 + 0x800;
	REJECT(&B);
	find_ph(&B, PT_LOAD, 1)->p_vaddr = 0x401200 + 0x10000;	/* whole pages */
	ACCEPT(&B);
}

static void test_unsorted_overlapping(void **state)
{
	Elf64_Phdr tmp;

	build_static(&B);	/* swapped */
	tmp = *ph(&B, 0);
	*ph(&B, 0) = *ph(&B, 1);
	*ph(&B, 1) = tmp;
	REJECT(&B);

	build_static(&B);	/* text's last byte is data's first */
	find_ph(&B, PT_LOAD, 0)->p_memsz = 0x1201;
	REJECT(&B);
	find_ph(&B, PT_LOAD, 0)->p_memsz = 0x1200;	/* adjacent: fine */
	ACCEPT(&B);

	build_static(&B);	/* the same segment twice */
	*ph(&B, 2) = *ph(&B, 1);
	REJECT(&B);
}

static void test_too_many_loads(void **state)
{
	for (unsigned int n = ELF_MAX_LOADS; n <= ELF_MAX_LOADS + 1; n++) {
		bld_init(&B, ET_EXEC, 0x400000 + 0x1000);
		for (unsigned int i = 0; i < n; i++) {
			u64 off = 0x800 + i * 0x10;

			bld_ph(&B, PT_LOAD, PF_R | PF_X, off,
			       0x400000 + i * PAGE + off, 0x10, 0x10, PAGE);
		}
		bld_len(&B, 0x800 + n * 0x10);
		if (n == ELF_MAX_LOADS) {
			ACCEPT(&B);
			assert_int_equal(img.nr_segs, ELF_MAX_LOADS);
			assert_false(img.phdr_mapped);
		} else {
			REJECT(&B);
		}
	}
}

static void test_no_load(void **state)
{
	build_static(&B);
	ph(&B, 0)->p_type = PT_NULL;
	ph(&B, 1)->p_type = PT_NOTE;
	REJECT(&B);

	build_static(&B);	/* PT_LOADs that map nothing */
	find_ph(&B, PT_LOAD, 0)->p_filesz = 0;
	find_ph(&B, PT_LOAD, 0)->p_memsz = 0;
	find_ph(&B, PT_LOAD, 1)->p_filesz = 0;
	find_ph(&B, PT_LOAD, 1)->p_memsz = 0;
	REJECT(&B);
}

static void test_bad_interp(void **state)
{
	Elf64_Phdr *in;

	build_dynamic(&B);	/* two PT_INTERPs, even identical */
	*find_ph(&B, PT_DYNAMIC, 0) = *find_ph(&B, PT_INTERP, 0);
	REJECT(&B);

	build_dynamic(&B);	/* not NUL-terminated */
	B.b[0x1c8 + sizeof(LDSO) - 1] = 'X';
	REJECT(&B);

	build_dynamic(&B);	/* a NUL inside */
	B.b[0x1c8 + 6] = '\0';
	REJECT(&B);
	B.b[0x1c8 + 6] = '/';
	B.b[0x1c8] = '\0';
	REJECT(&B);

	build_dynamic(&B);	/* too short: "" */
	in = find_ph(&B, PT_INTERP, 0);
	in->p_offset = 0x1c8 + sizeof(LDSO) - 1;
	in->p_filesz = 1;
	REJECT(&B);
	in->p_filesz = 0;
	REJECT(&B);
	in->p_offset = 0x1c8 + sizeof(LDSO) - 2;	/* "2": the shortest */
	in->p_filesz = 2;
	ACCEPT(&B);
	assert_int_equal(img.interp_len, 2);

	build_dynamic(&B);	/* past the end of the file, or wrapping */
	in = find_ph(&B, PT_INTERP, 0);
	in->p_offset = B.len - 10;
	in->p_filesz = 11;
	REJECT(&B);
	in->p_offset = ~0ULL - 5;
	in->p_filesz = 28;
	REJECT(&B);
}

/* PATH_MAX including the NUL is the longest path, as in Linux. */
static void test_interp_length(void **state)
{
	char path[ELF_INTERP_MAX + 1];
	Elf64_Phdr *in;
	u8 *f;
	size_t len;

	for (size_t n = ELF_INTERP_MAX - 1; n <= ELF_INTERP_MAX + 1; n++) {
		build_dynamic(&B);
		in = find_ph(&B, PT_INTERP, 0);
		/* the path goes after the last segment's bytes */
		len = B.len + n;
		f = calloc(1, len);
		assert_non_null(f);
		memcpy(f, B.b, B.len);
		memset(f + B.len, 'a', n - 1);
		f[B.len] = '/';
		in = (Elf64_Phdr *)(f + ((u8 *)in - B.b));
		in->p_offset = B.len;
		in->p_filesz = n;
		/* A NUL anywhere before the end, in any piece read, is refused. */
		for (size_t at = 0; at < n - 1 && n <= ELF_INTERP_MAX;
		     at += 1 + at / 2) {
			f[B.len + at] = '\0';
			assert_int_equal(parse_lim(f, len, LIMIT, &img), -ENOEXEC);
			f[B.len + at] = 'a';
		}
		if (n <= ELF_INTERP_MAX) {
			struct mem_src m = { f, len, 0, 0, 0 };
			struct elf_source src = { mem_read, &m, len };

			assert_int_equal(parse_lim(f, len, LIMIT, &img), 0);
			assert_int_equal(img.interp_len, n);
			assert_int_equal(elf_read_interp(&src, &img, path,
							 ELF_INTERP_MAX), 0);
			assert_int_equal(strlen(path), n - 1);
		} else {
			assert_int_equal(parse_lim(f, len, LIMIT, &img),
					 -ENOEXEC);
		}
		free(f);
	}
}

static void test_bad_pt_phdr(void **state)
{
	build_dynamic(&B);	/* claims another address */
	find_ph(&B, PT_PHDR, 0)->p_vaddr = 0x40;
	find_ph(&B, PT_PHDR, 0)->p_vaddr = 0x48;
	REJECT(&B);

	build_dynamic(&B);	/* twice */
	*find_ph(&B, PT_DYNAMIC, 0) = *find_ph(&B, PT_PHDR, 0);
	REJECT(&B);

	build_dynamic(&B);	/* present, but no PT_LOAD maps the table */
	find_ph(&B, PT_LOAD, 0)->p_offset = 0x1c8;
	find_ph(&B, PT_LOAD, 0)->p_vaddr = 0x1c8;
	find_ph(&B, PT_LOAD, 0)->p_filesz = 0x38;
	find_ph(&B, PT_LOAD, 0)->p_memsz = 0x38;
	REJECT(&B);
	find_ph(&B, PT_PHDR, 0)->p_vaddr = 0;	/* equal to the "none" value */
	REJECT(&B);
	find_ph(&B, PT_PHDR, 0)->p_type = PT_NULL;
	ACCEPT(&B);
	assert_false(img.phdr_mapped);
}

/* ---- real binaries ------------------------------------------------------- */

static int fd_read(void *ctx, u64 off, void *buf, size_t len)
{
	ssize_t n = pread(*(int *)ctx, buf, len, (off_t)off);

	return n == (ssize_t)len ? 0 : -EIO;
}

struct real_file {
	int fd;
	struct elf_source src;
};

static bool real_open(struct real_file *rf, const char *path)
{
	struct stat st;

	rf->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (rf->fd < 0)
		return false;
	if (fstat(rf->fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(rf->fd);
		return false;
	}
	rf->src = (struct elf_source){ fd_read, &rf->fd, (u64)st.st_size };
	return true;
}

/*
 * Parse @path and compare with a plain reading of its headers: entry,
 * type, table, the non-empty PT_LOADs in order, PT_INTERP's text.
 */
static int parse_real(const char *path, struct elf_image *out, char *interp)
{
	struct real_file rf;
	Elf64_Ehdr e;
	unsigned int nload = 0;
	int rc;

	if (!real_open(&rf, path))
		return 1;
	rc = elf_parse(&rf.src, LIMIT, out);
	if (rc == 0) {
		check_image(&rf.src, out, LIMIT);
		assert_int_equal(pread(rf.fd, &e, sizeof(e), 0), sizeof(e));
		assert_int_equal(out->entry, e.e_entry);
		assert_int_equal(out->type, e.e_type);
		assert_int_equal(out->phoff, e.e_phoff);
		assert_int_equal(out->phnum, e.e_phnum);
		for (unsigned int i = 0; i < e.e_phnum; i++) {
			Elf64_Phdr p;

			assert_int_equal(pread(rf.fd, &p, sizeof(p),
					       e.e_phoff + i * sizeof(p)),
					 sizeof(p));
			if (p.p_type == PT_LOAD && p.p_memsz) {
				assert_true(nload < out->nr_segs);
				assert_int_equal(out->segs[nload].vaddr, p.p_vaddr);
				assert_int_equal(out->segs[nload].offset,
						 p.p_offset);
				assert_int_equal(out->segs[nload].filesz,
						 p.p_filesz);
				nload++;
			}
			if (p.p_type == PT_PHDR)
				assert_int_equal(out->phdr_vaddr, p.p_vaddr);
		}
		assert_int_equal(nload, out->nr_segs);
		interp[0] = '\0';
		if (out->interp_len)
			assert_int_equal(elf_read_interp(&rf.src, out, interp,
							 ELF_INTERP_MAX), 0);
	}
	close(rf.fd);
	return rc;
}

static void test_real_ls(void **state)
{
	char interp[ELF_INTERP_MAX];

	/* ls and ld.so are on every Debian system; they must be here. */
	assert_int_equal(parse_real("/bin/ls", &img, interp), 0);
	assert_int_equal(img.type, ET_DYN);
	assert_string_equal(interp, LDSO);
	assert_true(img.phdr_mapped);
	assert_true(img.has_gnu_stack);
	assert_false(img.exec_stack);
	assert_int_equal(img.lo, 0);
	assert_true(img.nr_segs >= 2);
	print_message("# /bin/ls: ET_DYN, %u PT_LOADs, span %#llx, entry %#llx, "
		      "interp %s\n", img.nr_segs, img.hi - img.lo, img.entry,
		      interp);
}

static void test_real_ldso(void **state)
{
	char interp[ELF_INTERP_MAX];

	assert_int_equal(parse_real(LDSO, &img, interp), 0);
	assert_int_equal(img.type, ET_DYN);
	assert_int_equal(img.interp_len, 0);
	assert_false(img.exec_stack);
	assert_true(img.entry > img.lo && img.entry < img.hi);
	print_message("# %s: ET_DYN, %u PT_LOADs, span %#llx, entry %#llx\n",
		      LDSO, img.nr_segs, img.hi - img.lo, img.entry);
}

/* Optional files: skipped when absent, but must parse when present. */
static void try_static(const char *path, const char *what)
{
	char interp[ELF_INTERP_MAX];
	int rc = parse_real(path, &img, interp);

	if (rc == 1) {
		print_message("# %s (%s) not found, skipped\n", path, what);
		return;
	}
	assert_int_equal(rc, 0);
	assert_int_equal(img.type, ET_EXEC);
	assert_int_equal(img.interp_len, 0);
	assert_true(img.phdr_mapped);
	assert_true(img.lo >= 0x400000);
	print_message("# %s (%s): ET_EXEC, %u PT_LOADs, [%#llx, %#llx), "
		      "entry %#llx%s\n", path, what, img.nr_segs, img.lo,
		      img.hi, img.entry, img.has_tls ? ", TLS" : "");
}

static void test_real_static(void **state)
{
	char musl[4096];
	const char *slash = strrchr(argv0, '/');

	struct stat st;

	try_static("/bin/busybox", "busybox-static");
	/* $(BUILD)/unit/test_elf -> $(BUILD)/user/init/conformance-init */
	host_snprintf(musl, sizeof(musl), "build/user/init/conformance-init");
	if (slash && (size_t)(slash - argv0) < sizeof(musl) - 64) {
		host_snprintf(musl, sizeof(musl),
			      "%.*s/../user/init/conformance-init",
			      (int)(slash - argv0), argv0);
		if (stat(musl, &st) != 0)
			host_snprintf(musl, sizeof(musl),
				 "build/user/init/conformance-init");
	}
	try_static(musl, "musl static");
}

/* ELF_SWEEP_DIRS: every x86_64 ET_EXEC/ET_DYN in those directories. */
static void test_sweep(void **state)
{
	const char *dirs = getenv("ELF_SWEEP_DIRS");
	char list[4096], path[8192], interp[ELF_INTERP_MAX];
	unsigned int parsed = 0, failed = 0;
	char *dir, *rest;

	if (!dirs) {
		print_message("# ELF_SWEEP_DIRS not set, sweep skipped\n");
		return;
	}
	host_snprintf(list, sizeof(list), "%s", dirs);
	for (rest = list; (dir = strsep(&rest, ":")) != NULL;) {
		DIR *d = opendir(dir);
		struct dirent *de;

		if (!d)
			continue;
		while ((de = readdir(d)) != NULL) {
			struct real_file rf;
			Elf64_Ehdr e;
			int rc;

			host_snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
			if (!real_open(&rf, path))
				continue;
			rc = pread(rf.fd, &e, sizeof(e), 0) == sizeof(e) &&
			     !memcmp(e.e_ident, ELFMAG, SELFMAG) &&
			     e.e_ident[EI_CLASS] == ELFCLASS64 &&
			     e.e_machine == EM_X86_64 &&
			     (e.e_type == ET_EXEC || e.e_type == ET_DYN);
			close(rf.fd);
			if (!rc)
				continue;
			rc = parse_real(path, &img, interp);
			parsed++;
			if (rc) {
				failed++;
				print_message("# sweep: %s: %d\n", path, rc);
			}
		}
		closedir(d);
	}
	print_message("# sweep: %u ELF files parsed, %u rejected\n", parsed,
		      failed);
	assert_int_equal(failed, 0);
}

/* ---- fuzzing ------------------------------------------------------------- */

#define FUZZ_ITERS 20000
#define FUZZ_SEED  0x6b65656c5f656c66ULL	/* "keel_elf" */

static u64 rng_state;

static u64 rnd(void)
{
	/* splitmix64: fast, and good enough to spread mutations */
	u64 z = (rng_state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static u64 rnd_below(u64 n)
{
	return n ? rnd() % n : 0;
}

/* Values that sit on the parser's boundaries. */
static u64 interesting(const struct bld *b)
{
	static const u64 vals[] = {
		0, 1, 2, 7, 8, 55, 56, 57, 63, 64, 0xfff, 0x1000, 0x1001,
		0x200000, 0x400000, 0x7fff, 0x8000, 0xffff, 0x10000, 0x7fffffff,
		0x80000000, 0xffffffff, 0x100000000ULL, LIMIT - 1, LIMIT,
		LIMIT + 1, 0x8000000000000000ULL, ~0ULL - 0xfff, ~0ULL - 1, ~0ULL,
		PT_LOAD, PT_INTERP, PT_PHDR, PT_GNU_STACK, PT_TLS,
	};

	switch (rnd_below(4)) {
	case 0:
		return vals[rnd_below(ARRAY_SIZE(vals))];
	case 1:
		return b->len + rnd_below(5) - 2;
	case 2:
		return rnd() & (rnd_below(2) ? 0xffff : ~0ULL);
	default:
		return vals[rnd_below(ARRAY_SIZE(vals))] + rnd_below(3) - 1;
	}
}

static void put_le(u8 *p, u64 v, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++)
		p[i] = (u8)(v >> (8 * i));
}

/* Overwrite a header or program-header field with a boundary value. */
static void mutate_field(struct bld *b)
{
	/* offset and size of each Elf64_Phdr field, then of Ehdr fields */
	static const u8 phf[][2] = { { 0, 4 }, { 4, 4 }, { 8, 8 }, { 16, 8 },
				     { 32, 8 }, { 40, 8 }, { 48, 8 } };
	static const u8 ehf[][2] = { { 4, 1 }, { 5, 1 }, { 6, 1 }, { 16, 2 },
				     { 18, 2 }, { 20, 4 }, { 24, 8 }, { 32, 8 },
				     { 54, 2 }, { 56, 2 } };
	unsigned int phnum = eh(b)->e_phnum;

	if (rnd_below(4) == 0 || phnum == 0 || phnum > 64) {
		unsigned int i = rnd_below(ARRAY_SIZE(ehf));

		put_le(b->b + ehf[i][0], interesting(b), ehf[i][1]);
	} else {
		unsigned int i = rnd_below(ARRAY_SIZE(phf));
		u8 *p = (u8 *)ph(b, rnd_below(phnum));

		if ((size_t)(p - b->b) + PHSZ <= BLD_MAX)
			put_le(p + phf[i][0], interesting(b), phf[i][1]);
	}
}

static void mutate(struct bld *b)
{
	unsigned int phnum = eh(b)->e_phnum;
	size_t hot = 64 + PHSZ * MIN(phnum, 16u);	/* header and table */
	size_t at;

	switch (rnd_below(8)) {
	case 0:		/* bit flip, mostly in the headers */
		at = rnd_below(rnd_below(4) ? hot : b->len);
		b->b[at] ^= (u8)(1u << rnd_below(8));
		break;
	case 1:		/* byte set */
		at = rnd_below(rnd_below(4) ? hot : b->len);
		b->b[at] = (u8)(rnd_below(2) ? rnd() : interesting(b));
		break;
	case 2:		/* truncate */
		b->len = rnd_below(b->len + 1);
		break;
	case 3:		/* extend with random bytes */
		at = b->len;
		b->len = MIN((size_t)BLD_MAX, b->len + rnd_below(600));
		for (; at < b->len; at++)
			b->b[at] = (u8)rnd();
		break;
	case 4:
	case 5:
		mutate_field(b);
		break;
	case 6:		/* copy one program header over another */
		if (phnum > 1 && phnum <= 16)
			*ph(b, rnd_below(phnum)) = *ph(b, rnd_below(phnum));
		break;
	default:	/* swap two program headers */
		if (phnum > 1 && phnum <= 16) {
			Elf64_Phdr t, *x = ph(b, rnd_below(phnum)),
				      *y = ph(b, rnd_below(phnum));

			t = *x;
			*x = *y;
			*y = t;
		}
		break;
	}
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void write_corpus(const char *dir)
{
	char path[4096];

	for (size_t k = 0; k < ARRAY_SIZE(builders); k++) {
		FILE *f;

		builders[k](&B);
		host_snprintf(path, sizeof(path), "%s/built-%zu.elf", dir, k);
		f = fopen(path, "wb");
		assert_non_null(f);
		assert_int_equal(fwrite(B.b, 1, B.len, f), B.len);
		assert_int_equal(fclose(f), 0);
	}
}

static void test_fuzz(void **state)
{
	const char *env = getenv("ELF_FUZZ_ITERS");
	unsigned long iters = env ? strtoul(env, NULL, 0) : FUZZ_ITERS;
	unsigned int accepted = 0, rejected = 0;
	double t0 = now_s();

	env = getenv("ELF_WRITE_CORPUS");
	if (env)
		write_corpus(env);
	rng_state = FUZZ_SEED;
	for (unsigned long it = 0; it < iters; it++) {
		unsigned int n = 1 + rnd_below(4);
		int rc;

		builders[rnd_below(ARRAY_SIZE(builders))](&B);
		while (n--)
			mutate(&B);
		rc = parse_b(&B);	/* checks every accepted image */
		if (rc == 0)
			accepted++;
		else if (rc == -ENOEXEC)
			rejected++;
		else
			fail_msg("iteration %lu: unexpected %d", it, rc);
	}
	print_message("# fuzz: %lu iterations (seed %#llx): %u accepted, "
		      "%u rejected, %.2f s\n", iters,
		      (unsigned long long)FUZZ_SEED, accepted, rejected,
		      now_s() - t0);
	/* Both outcomes must be common, or the mutations are too weak/strong. */
	assert_true(accepted > iters / 20);
	assert_true(rejected > iters / 4);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_static_exec),
		cmocka_unit_test(test_static_pie),
		cmocka_unit_test(test_dynamic),
		cmocka_unit_test(test_gnu_stack),
		cmocka_unit_test(test_ignored_fields),
		cmocka_unit_test(test_alignment_accepted),
		cmocka_unit_test(test_page_sharing_and_empty_loads),
		cmocka_unit_test(test_entry_anywhere_below_limit),
		cmocka_unit_test(test_phdr_unmapped),
		cmocka_unit_test(test_read_errors),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_bad_ident),
		cmocka_unit_test(test_bad_type_machine),
		cmocka_unit_test(test_bad_phentsize_phnum),
		cmocka_unit_test(test_phdr_table_size),
		cmocka_unit_test(test_phdr_table_outside_file),
		cmocka_unit_test(test_filesz_over_memsz),
		cmocka_unit_test(test_segment_outside_file),
		cmocka_unit_test(test_segment_beyond_user_limit),
		cmocka_unit_test(test_bad_alignment),
		cmocka_unit_test(test_incongruent),
		cmocka_unit_test(test_unsorted_overlapping),
		cmocka_unit_test(test_too_many_loads),
		cmocka_unit_test(test_no_load),
		cmocka_unit_test(test_bad_interp),
		cmocka_unit_test(test_interp_length),
		cmocka_unit_test(test_bad_pt_phdr),
		cmocka_unit_test(test_real_ls),
		cmocka_unit_test(test_real_ldso),
		cmocka_unit_test(test_real_static),
		cmocka_unit_test(test_sweep),
		cmocka_unit_test(test_fuzz),
	};

	if (argc > 0)
		argv0 = argv[0];
	return cmocka_run_group_tests_name("elf", tests, NULL, NULL);
}
