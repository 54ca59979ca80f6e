/*
 * The cpio "newc" (SVR4, magic 070701; 070702 with checksums) format
 * parser: pure code, no allocation, also compiled by the host tests.
 *
 * An entry is a 110-byte ASCII header (magic + 13 eight-digit hex
 * fields), the NUL-terminated name, padding to 4 bytes, the data,
 * padding to 4 bytes. "TRAILER!!!" ends an archive; several archives
 * may follow each other, with zero padding between them.
 */
#ifndef KEEL_FS_CPIO_H
#define KEEL_FS_CPIO_H

#include <keel/types.h>

#define CPIO_HDR_LEN 110
#define CPIO_TRAILER "TRAILER!!!"

struct cpio_entry {
	u32 ino, mode, uid, gid, nlink, mtime;
	u32 filesize, devmajor, devminor, rdevmajor, rdevminor, namesize;
	const char *name;       /* NUL-terminated, inside the buffer */
	const void *data;       /* filesize bytes, inside the buffer */
};

/*
 * cpio_next - parse the entry at *@off in @buf (@len bytes), skipping
 * zero padding between archives first, and advance *@off past it.
 * Every size is checked against the buffer. Return: 1 (an entry), 0 (no
 * more entries: only zeros were left), or -EINVAL (corrupt: bad magic,
 * bad hex digit, name not terminated where namesize says, truncated).
 */
int cpio_next(const void *buf, size_t len, size_t *off,
	      struct cpio_entry *e);

#endif /* KEEL_FS_CPIO_H */
