/*
 * libFuzzer harness for the ELF64 image parser (kernel/proc/elf_parse.c).
 * Optional and not part of `make unit`, which runs a deterministic fuzz
 * loop in test_elf.c instead; this one is for long coverage-guided runs
 * with clang (Debian's libclang-rt-14-dev ships libFuzzer):
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined \
 *	-fno-sanitize-recover=all -fno-builtin -DKEEL_HOST -Ikernel/include \
 *	-include tests/unit/host.h tests/unit/fuzz_elf.c \
 *	kernel/proc/elf_parse.c kernel/lib/string.c -o /tmp/fuzz_elf
 *   mkdir -p /tmp/elf_corpus
 *   ELF_WRITE_CORPUS=/tmp/elf_corpus build/unit/test_elf >/dev/null
 *   /tmp/fuzz_elf -max_len=8192 -max_total_time=600 /tmp/elf_corpus
 *
 * The input is the whole file; a result other than 0 or -ENOEXEC, an
 * accepted image that breaks a promise of <keel/elf_parse.h>, or a read
 * outside the file aborts.
 */
#include <stdio.h>
#include <stdlib.h>

#include <keel/errno.h>
#include <keel/elf_parse.h>
#include <keel/string.h>

#include "elf_invariants.h"

struct fuzz_src {
	const u8 *data;
	u64 size;
};

static int fuzz_read(void *ctx, u64 off, void *buf, size_t len)
{
	const struct fuzz_src *f = ctx;

	if (len == 0 || len > 512 || off > f->size || len > f->size - off) {
		fprintf(stderr, "read [%llu, +%zu) of %llu bytes\n", off, len,
			f->size);
		abort();
	}
	memcpy(buf, f->data + off, len);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_src f = {data, size};
	struct elf_source src = {fuzz_read, &f, size};
	struct elf_image img;
	char path[ELF_INTERP_MAX];
	const char *why;
	int rc;

	rc = elf_parse(&src, ELF_USER_LIMIT_4LEVEL, &img);
	if (rc == -ENOEXEC)
		return 0;
	if (rc != 0) {
		fprintf(stderr, "elf_parse returned %d\n", rc);
		abort();
	}
	why = elf_image_violation(&img, size, ELF_USER_LIMIT_4LEVEL);
	if (why) {
		fprintf(stderr, "accepted image breaks a promise: %s\n", why);
		abort();
	}
	rc = elf_read_interp(&src, &img, path, sizeof(path));
	if (img.interp_len ? rc != 0 || strlen(path) + 1 != img.interp_len
			   : rc != -ENOEXEC) {
		fprintf(stderr, "elf_read_interp returned %d\n", rc);
		abort();
	}
	return 0;
}
