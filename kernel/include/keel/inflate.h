/*
 * gzip (RFC 1952) / DEFLATE (RFC 1951) decompression into a caller's
 * buffer: pure code, no allocation, also compiled by the host tests.
 */
#ifndef KEEL_INFLATE_H
#define KEEL_INFLATE_H

#include <keel/types.h>

#define GZIP_MAGIC0 0x1f
#define GZIP_MAGIC1 0x8b

/**
 * gunzip - decompress one gzip member.
 * @src: the member (anything may follow it)
 * @src_len: bytes readable at @src
 * @dst: output buffer
 * @dst_cap: its size
 * @consumed: set to the member's length in @src on success (may be NULL)
 *
 * Handles FEXTRA/FNAME/FCOMMENT/FHCRC headers and stored, fixed and
 * dynamic Huffman blocks; verifies the header CRC, CRC32 and ISIZE.
 * Never reads @src or writes @dst out of bounds, whatever the input.
 *
 * Context: any; uses about 4 KiB of stack.
 * Return: bytes written to @dst, -EINVAL for corrupt or truncated
 * input, -ENOSPC if the output does not fit in @dst_cap bytes.
 */
long gunzip(const void *src, size_t src_len, void *dst, size_t dst_cap,
	    size_t *consumed);

/**
 * crc32_le - update a CRC-32 (IEEE 802.3, reflected, as gzip uses).
 * @crc: the CRC so far (0 to start)
 * @p: data
 * @n: its length
 *
 * Context: any.
 * Return: the updated CRC.
 */
u32 crc32_le(u32 crc, const void *p, size_t n);

#endif /* KEEL_INFLATE_H */
