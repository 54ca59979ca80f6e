/*
 * cpio newc parser; see cpio.h. Pure: the host unit test (with fuzzing)
 * compiles this file as it is.
 */
#include <keel/compiler.h>
#include <keel/errno.h>
#include <keel/string.h>

#include "cpio.h"

static int hex8(const char *s, u32 *v)
{
	u32 r = 0;
	int i;

	for (i = 0; i < 8; i++) {
		char c = s[i];
		u32 d;

		if (c >= '0' && c <= '9')
			d = (u32)(c - '0');
		else if (c >= 'a' && c <= 'f')
			d = (u32)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			d = (u32)(c - 'A' + 10);
		else
			return -EINVAL;
		r = r << 4 | d;
	}
	*v = r;
	return 0;
}

static size_t pad4(size_t x)
{
	return (x + 3) & ~(size_t)3;
}

int cpio_next(const void *buf, size_t len, size_t *off,
	      struct cpio_entry *e)
{
	const char *b = buf;
	u32 *fields[13] = {
		&e->ino, &e->mode, &e->uid, &e->gid, &e->nlink, &e->mtime,
		&e->filesize, &e->devmajor, &e->devminor, &e->rdevmajor,
		&e->rdevminor, &e->namesize, NULL,
	};
	size_t p = *off, name_end, data_end;
	u32 check;
	int i;

	/* Zero padding between concatenated archives (and at the end). */
	while (p < len && b[p] == '\0')
		p++;
	if (p >= len) {
		*off = len;
		return 0;
	}
	if (len - p < CPIO_HDR_LEN)
		return -EINVAL;
	if (memcmp(b + p, "07070", 5) || (b[p + 5] != '1' && b[p + 5] != '2'))
		return -EINVAL;
	for (i = 0; i < 13; i++)
		if (hex8(b + p + 6 + 8 * i, fields[i] ? fields[i] : &check))
			return -EINVAL;
	if (e->namesize == 0 || e->namesize > len - p - CPIO_HDR_LEN)
		return -EINVAL;
	name_end = p + CPIO_HDR_LEN + e->namesize;
	if (b[name_end - 1] != '\0' ||
	    memchr(b + p + CPIO_HDR_LEN, '\0', e->namesize - 1))
		return -EINVAL;
	e->name = b + p + CPIO_HDR_LEN;
	name_end = p + pad4(CPIO_HDR_LEN + e->namesize);
	if (name_end > len || e->filesize > len - name_end)
		return -EINVAL;
	e->data = b + name_end;
	data_end = name_end + e->filesize;
	*off = MIN(p + pad4(data_end - p), len);
	return 1;
}
