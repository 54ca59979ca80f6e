/*
 * Host tests of the cpio newc parser (kernel/fs/cpio.c) under ASan and
 * UBSan: well-formed archives, concatenation and padding, every
 * truncation of an archive, and a deterministic fuzz loop of random
 * byte changes. Each input sits in a buffer of exactly its size, so any
 * read past the end is an ASan error; every entry returned must lie
 * inside the buffer, with its name terminated where namesize says.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>

#include <keel/errno.h>
#include <keel/string.h>

#include "../../kernel/fs/cpio.h"

struct ar {
	char buf[4096];
	size_t len;
};

static void ar_put(struct ar *a, const void *p, size_t n)
{
	assert_true(a->len + n <= sizeof(a->buf));
	memcpy(a->buf + a->len, p, n);
	a->len += n;
}

static void ar_pad(struct ar *a)
{
	static const char zero[4];

	ar_put(a, zero, (4 - (a->len & 3)) & 3);
}

static void ar_entry(struct ar *a, const char *name, unsigned int mode,
		     const char *data)
{
	char hdr[CPIO_HDR_LEN + 1];
	size_t dlen = data ? strlen(data) : 0;

	host_snprintf(hdr, sizeof(hdr),
		 "070701%08x%08x%08x%08x%08x%08x%08zx%08x%08x%08x%08x%08zx%08x",
		 7u, mode, 0u, 0u, 1u, 0u, dlen, 0u, 0u, 0u, 0u,
		 strlen(name) + 1, 0u);
	ar_put(a, hdr, CPIO_HDR_LEN);
	ar_put(a, name, strlen(name) + 1);
	ar_pad(a);
	ar_put(a, data ? data : "", dlen);
	ar_pad(a);
}

static void build_sample(struct ar *a)
{
	static const char zeros[64];

	a->len = 0;
	ar_entry(a, "dir", 040755, NULL);
	ar_entry(a, "dir/file", 0100644, "hello, world");
	ar_entry(a, "dir/link", 0120777, "file");
	ar_entry(a, "TRAILER!!!", 0, NULL);
	ar_put(a, zeros, sizeof(zeros));
	ar_entry(a, "second", 0100600, "x");
	ar_entry(a, "TRAILER!!!", 0, NULL);
}

/* Parse @len bytes copied to an exact-size heap buffer; check invariants. */
static int parse_all(const void *data, size_t len, int *entries)
{
	char *buf = malloc(len ? len : 1);
	size_t off = 0, prev;
	struct cpio_entry e;
	int r;

	assert_non_null(buf);
	memcpy(buf, data, len);
	*entries = 0;
	for (;;) {
		prev = off;
		r = cpio_next(buf, len, &off, &e);
		if (r != 1)
			break;
		(*entries)++;
		assert_true(off > prev && off <= len);
		assert_true(e.name >= buf &&
			    e.name + e.namesize <= buf + len);
		assert_int_equal(e.name[e.namesize - 1], '\0');
		assert_int_equal(strlen(e.name), e.namesize - 1);
		assert_true((const char *)e.data >= buf &&
			    (const char *)e.data + e.filesize <= buf + len);
	}
	free(buf);
	assert_true(r == 0 || r == -EINVAL);
	return r;
}

static void test_parse_sample(void **state)
{
	struct ar a;
	struct cpio_entry e;
	size_t off = 0;

	(void)state;
	build_sample(&a);
	assert_int_equal(cpio_next(a.buf, a.len, &off, &e), 1);
	assert_string_equal(e.name, "dir");
	assert_int_equal(e.mode, 040755);
	assert_int_equal(cpio_next(a.buf, a.len, &off, &e), 1);
	assert_string_equal(e.name, "dir/file");
	assert_int_equal(e.filesize, 12);
	assert_memory_equal(e.data, "hello, world", 12);
	assert_int_equal(cpio_next(a.buf, a.len, &off, &e), 1);
	assert_memory_equal(e.data, "file", 4);
	assert_int_equal(cpio_next(a.buf, a.len, &off, &e), 1);
	assert_string_equal(e.name, CPIO_TRAILER);
	assert_int_equal(cpio_next(a.buf, a.len, &off, &e), 1);
	assert_string_equal(e.name, "second");
	assert_int_equal(cpio_next(a.buf, a.len, &off, &e), 1);
	assert_int_equal(cpio_next(a.buf, a.len, &off, &e), 0);
	assert_int_equal(off, a.len);
}

static void test_empty_and_zeros(void **state)
{
	static const char zeros[100];
	int n;

	(void)state;
	assert_int_equal(parse_all(zeros, 0, &n), 0);
	assert_int_equal(parse_all(zeros, sizeof(zeros), &n), 0);
	assert_int_equal(n, 0);
	assert_int_equal(parse_all("070701", 6, &n), -EINVAL);
}

static void test_bad_fields(void **state)
{
	struct ar a;
	int n;

	(void)state;
	a.len = 0;
	ar_entry(&a, "f", 0100644, "abc");
	a.buf[10] = 'z';                        /* not hex */
	assert_int_equal(parse_all(a.buf, a.len, &n), -EINVAL);
	a.len = 0;
	ar_entry(&a, "f", 0100644, "abc");
	memcpy(a.buf + 6 + 8 * 11, "00000000", 8);      /* namesize 0 */
	assert_int_equal(parse_all(a.buf, a.len, &n), -EINVAL);
	memcpy(a.buf + 6 + 8 * 11, "00000001", 8);      /* NUL misplaced */
	assert_int_equal(parse_all(a.buf, a.len, &n), -EINVAL);
	memcpy(a.buf + 6 + 8 * 11, "00000002", 8);
	memcpy(a.buf + 6 + 8 * 6, "ffffffff", 8);       /* filesize */
	assert_int_equal(parse_all(a.buf, a.len, &n), -EINVAL);
}

static void test_every_truncation(void **state)
{
	struct ar a;
	size_t len;
	int n, full;

	(void)state;
	build_sample(&a);
	assert_int_equal(parse_all(a.buf, a.len, &full), 0);
	assert_int_equal(full, 6);
	for (len = 0; len < a.len; len++) {
		/* Cut at an entry boundary it ends cleanly, else -EINVAL. */
		parse_all(a.buf, len, &n);
		assert_true(n <= full);
	}
}

static void test_fuzz(void **state)
{
	struct ar a;
	unsigned int seed = 12345, i;
	int n;

	(void)state;
	for (i = 0; i < 20000; i++) {
		unsigned int flips = 1 + (unsigned int)rand_r(&seed) % 8, k;
		size_t len;

		build_sample(&a);
		for (k = 0; k < flips; k++) {
			size_t at = (size_t)rand_r(&seed) % a.len;

			if (rand_r(&seed) & 1)
				a.buf[at] ^= (char)(1 << (rand_r(&seed) % 8));
			else    /* a hex digit: hits the size fields */
				a.buf[at] = "0123456789abcdefF"[rand_r(&seed)
								 % 17];
		}
		len = a.len - (size_t)rand_r(&seed) % 16;
		parse_all(a.buf, len, &n);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_sample),
		cmocka_unit_test(test_empty_and_zeros),
		cmocka_unit_test(test_bad_fields),
		cmocka_unit_test(test_every_truncation),
		cmocka_unit_test(test_fuzz),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
