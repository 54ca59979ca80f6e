/*
 * A small gzip/DEFLATE decoder (RFC 1952, RFC 1951) for the initramfs.
 *
 * Written for bounds safety first: input bits come from a byte cursor
 * that never passes the input's end (past it, reads yield zero bits and
 * set a sticky error, checked before a decoded value is used), and
 * Huffman codes are decoded canonically from per-length counts, so no
 * table can be indexed by a corrupt code. Codes of up to FASTBITS bits
 * (nearly all) are looked up in a direct table indexed by the next
 * FASTBITS input bits, which may read up to two bytes ahead: stored
 * blocks and the trailer give those back. Longer codes, and any near
 * the input's end, are decoded a bit at a time. Every back-reference is
 * checked against the output written so far and every write against
 * the output's capacity.
 */
#include <keel/compiler.h>
#include <keel/errno.h>
#include <keel/inflate.h>
#include <keel/string.h>

#define MAXBITS 15
#define MAXLCODES 286		/* literal/length codes that may be used */
#define MAXDCODES 30		/* distance codes that may be used */
#define FIXLCODES 288		/* the fixed code also defines 286, 287 */
#define FASTBITS 9

struct inflate_state {
	const u8 *in;
	size_t in_len, in_pos;
	u32 bitbuf;		/* bits not yet consumed, LSB first */
	unsigned int bitcnt;
	bool err;		/* read past the end of the input */
	u8 *out;
	size_t out_cap, out_pos;
};

/*
 * A canonical Huffman code: codes per length, symbols in code order, and
 * for each FASTBITS-bit input (first bit in bit 0) whose prefix is a
 * code, (its length << 9) | its symbol, else 0.
 */
struct huffman {
	u16 count[MAXBITS + 1];
	u16 symbol[FIXLCODES];
	u16 fast[1 << FASTBITS];
};

static const u32 crc_nibble[16] = {
	0x00000000, 0x1db71064, 0x3b6e20c8, 0x26d930ac,
	0x76dc4190, 0x6b6b51f4, 0x4db26158, 0x5005713c,
	0xedb88320, 0xf00f9344, 0xd6d6a3e8, 0xcb61b38c,
	0x9b64c2b0, 0x86d3d2d4, 0xa00ae278, 0xbdbdf21c,
};

/**
 * crc32_le - see <keel/inflate.h>.
 * Context: any.
 */
u32 crc32_le(u32 crc, const void *p, size_t n)
{
	const u8 *b = p;

	crc = ~crc;
	while (n--) {
		crc ^= *b++;
		crc = (crc >> 4) ^ crc_nibble[crc & 15];
		crc = (crc >> 4) ^ crc_nibble[crc & 15];
	}
	return ~crc;
}

/* @n (<= 16) bits, LSB first; zeros and s->err once the input ends. */
static unsigned int bits(struct inflate_state *s, unsigned int n)
{
	u32 v;

	while (s->bitcnt < n) {
		if (s->in_pos >= s->in_len) {
			s->err = true;
			return 0;
		}
		s->bitbuf |= (u32)s->in[s->in_pos++] << s->bitcnt;
		s->bitcnt += 8;
	}
	v = s->bitbuf & ((1u << n) - 1);
	s->bitbuf >>= n;
	s->bitcnt -= n;
	return v;
}

/* Fill h->fast from h->count and h->symbol. */
static void fast_build(struct huffman *h)
{
	unsigned int len, j, k, code = 0, index = 0;

	memset(h->fast, 0, sizeof(h->fast));
	for (len = 1; len <= FASTBITS; len++) {
		for (j = 0; j < h->count[len]; j++, code++, index++) {
			unsigned int rev = 0, b;

			/* The code's first (most significant) bit is read
			 * first, so it lands in bit 0 of the lookup. */
			for (b = 0; b < len; b++)
				rev |= ((code >> b) & 1) << (len - 1 - b);
			for (k = rev; k < (1u << FASTBITS); k += 1u << len)
				h->fast[k] = (u16)(len << 9 | h->symbol[index]);
		}
		code <<= 1;
	}
}

/*
 * Build @h from @n code lengths. Incomplete codes are accepted (a
 * missing code is reported when decoded); over-subscribed ones are not.
 * Return: 0 or -EINVAL.
 */
static int huff_build(struct huffman *h, const u8 *len, unsigned int n)
{
	u16 offs[MAXBITS + 1];
	unsigned int i;
	int left = 1;

	memset(h->count, 0, sizeof(h->count));
	for (i = 0; i < n; i++)
		h->count[len[i]]++;
	for (i = 1; i <= MAXBITS; i++) {
		left = (left << 1) - h->count[i];
		if (left < 0)
			return -EINVAL;
	}
	offs[1] = 0;
	for (i = 1; i < MAXBITS; i++)
		offs[i + 1] = offs[i] + h->count[i];
	for (i = 0; i < n; i++)
		if (len[i])
			h->symbol[offs[len[i]]++] = (u16)i;
	fast_build(h);
	return 0;
}

/* Decode one symbol. Return: it, or -EINVAL (no such code, or EOF). */
static int huff_decode(struct inflate_state *s, const struct huffman *h)
{
	int code = 0, first = 0, index = 0;
	unsigned int len, e;

	while (s->bitcnt < FASTBITS && s->in_pos < s->in_len) {
		s->bitbuf |= (u32)s->in[s->in_pos++] << s->bitcnt;
		s->bitcnt += 8;
	}
	/* Bits past the input's end are zero, so only trust a length
	 * that is there. */
	e = h->fast[s->bitbuf & ((1u << FASTBITS) - 1)];
	if (e && (e >> 9) <= s->bitcnt) {
		s->bitbuf >>= e >> 9;
		s->bitcnt -= e >> 9;
		return (int)(e & 511);
	}

	for (len = 1; len <= MAXBITS; len++) {
		int count = h->count[len];

		code |= (int)bits(s, 1);
		if (s->err)
			return -EINVAL;
		if (code - first < count)
			return h->symbol[index + code - first];
		index += count;
		first = (first + count) << 1;
		code <<= 1;
	}
	return -EINVAL;
}

static const u16 len_base[29] = {
	3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31,
	35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258,
};
static const u8 len_extra[29] = {
	0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2,
	3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0,
};
static const u16 dist_base[30] = {
	1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193,
	257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145,
	8193, 12289, 16385, 24577,
};
static const u8 dist_extra[30] = {
	0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6,
	7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13,
};

/* Decode one compressed block's symbols until end-of-block. */
static int inflate_codes(struct inflate_state *s, const struct huffman *lc,
			 const struct huffman *dc)
{
	for (;;) {
		int sym = huff_decode(s, lc);
		unsigned int len, dist;

		if (sym < 0)
			return sym;
		if (sym < 256) {
			if (s->out_pos >= s->out_cap)
				return -ENOSPC;
			s->out[s->out_pos++] = (u8)sym;
			continue;
		}
		if (sym == 256)
			return 0;
		sym -= 257;
		if (sym >= 29)
			return -EINVAL;
		len = len_base[sym] + bits(s, len_extra[sym]);
		sym = huff_decode(s, dc);
		if (sym < 0)
			return sym;
		if (sym >= MAXDCODES)
			return -EINVAL;
		dist = dist_base[sym] + bits(s, dist_extra[sym]);
		if (s->err || dist > s->out_pos)
			return -EINVAL;
		if (len > s->out_cap - s->out_pos)
			return -ENOSPC;
		/* Byte by byte: the source may overlap what is written. */
		while (len--) {
			s->out[s->out_pos] = s->out[s->out_pos - dist];
			s->out_pos++;
		}
	}
}

static int inflate_stored(struct inflate_state *s)
{
	unsigned int len, nlen;

	/* Give back the whole bytes a Huffman lookup read ahead, and
	 * drop the bits left of the current one. */
	s->in_pos -= s->bitcnt / 8;
	s->bitbuf = 0;
	s->bitcnt = 0;
	if (s->in_len - s->in_pos < 4)
		return -EINVAL;
	len = s->in[s->in_pos] | (s->in[s->in_pos + 1] << 8);
	nlen = s->in[s->in_pos + 2] | (s->in[s->in_pos + 3] << 8);
	s->in_pos += 4;
	if (len != (~nlen & 0xffff))
		return -EINVAL;
	if (s->in_len - s->in_pos < len)
		return -EINVAL;
	if (s->out_cap - s->out_pos < len)
		return -ENOSPC;
	memcpy(s->out + s->out_pos, s->in + s->in_pos, len);
	s->in_pos += len;
	s->out_pos += len;
	return 0;
}

/* Not inlined (nor inflate_dynamic): their big frames must not add up. */
static __noinline int inflate_fixed(struct inflate_state *s)
{
	struct huffman lc, dc;
	u8 len[FIXLCODES];
	unsigned int i;

	for (i = 0; i < 144; i++)
		len[i] = 8;
	for (; i < 256; i++)
		len[i] = 9;
	for (; i < 280; i++)
		len[i] = 7;
	for (; i < FIXLCODES; i++)
		len[i] = 8;
	huff_build(&lc, len, FIXLCODES);
	for (i = 0; i < MAXDCODES + 2; i++)
		len[i] = 5;
	huff_build(&dc, len, MAXDCODES + 2);
	return inflate_codes(s, &lc, &dc);
}

static const u8 clen_order[19] = {
	16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15,
};

/*
 * Read the code lengths of a dynamic block into @len (@total of them),
 * building the code-length code in @cc (the caller's scratch: stack).
 */
static int read_lengths(struct inflate_state *s, u8 *len,
			unsigned int total, struct huffman *cc)
{
	unsigned int ncode = bits(s, 4) + 4, i = 0, rep;
	u8 clen[19] = { 0 };
	int sym;

	for (; i < ncode; i++)
		clen[clen_order[i]] = (u8)bits(s, 3);
	if (s->err || huff_build(cc, clen, 19))
		return -EINVAL;
	for (i = 0; i < total;) {
		u8 val = 0;

		sym = huff_decode(s, cc);
		if (sym < 0)
			return sym;
		if (sym < 16) {
			len[i++] = (u8)sym;
			continue;
		}
		if (sym == 16) {
			if (!i)
				return -EINVAL;
			val = len[i - 1];
			rep = 3 + bits(s, 2);
		} else if (sym == 17) {
			rep = 3 + bits(s, 3);
		} else {
			rep = 11 + bits(s, 7);
		}
		if (s->err || rep > total - i)
			return -EINVAL;
		while (rep--)
			len[i++] = val;
	}
	return 0;
}

static __noinline int inflate_dynamic(struct inflate_state *s)
{
	struct huffman lc, dc;
	u8 len[MAXLCODES + MAXDCODES];
	unsigned int nlen, ndist;
	int err;

	nlen = bits(s, 5) + 257;
	ndist = bits(s, 5) + 1;
	if (s->err || nlen > MAXLCODES || ndist > MAXDCODES)
		return -EINVAL;
	/* lc is built only after the lengths are read: use it meanwhile. */
	err = read_lengths(s, len, nlen + ndist, &lc);
	if (err)
		return err;
	if (!len[256])		/* no end-of-block code: cannot end */
		return -EINVAL;
	if (huff_build(&lc, len, nlen) || huff_build(&dc, len + nlen, ndist))
		return -EINVAL;
	return inflate_codes(s, &lc, &dc);
}

/* The DEFLATE stream at s->in_pos; leaves in_pos at the next byte. */
static int inflate_stream(struct inflate_state *s)
{
	unsigned int last, type;
	int err;

	do {
		last = bits(s, 1);
		type = bits(s, 2);
		if (s->err)
			return -EINVAL;
		if (type == 0)
			err = inflate_stored(s);
		else if (type == 1)
			err = inflate_fixed(s);
		else if (type == 2)
			err = inflate_dynamic(s);
		else
			err = -EINVAL;
		if (err)
			return err;
	} while (!last);
	/* Whole bytes left in the bit buffer were not consumed. */
	s->in_pos -= s->bitcnt / 8;
	s->bitbuf = 0;
	s->bitcnt = 0;
	return 0;
}

#define FTEXT		0x01
#define FHCRC		0x02
#define FEXTRA		0x04
#define FNAME		0x08
#define FCOMMENT	0x10

static u32 get_le32(const u8 *p)
{
	return p[0] | (p[1] << 8) | (p[2] << 16) | ((u32)p[3] << 24);
}

/* Skip a NUL-terminated field at *@pos. Return: 0 or -EINVAL. */
static int skip_string(const u8 *in, size_t len, size_t *pos)
{
	const u8 *nul = memchr(in + *pos, 0, len - *pos);

	if (!nul)
		return -EINVAL;
	*pos = (size_t)(nul - in) + 1;
	return 0;
}

/* Parse the member header. Return: its length, or -EINVAL. */
static long gzip_header(const u8 *in, size_t len)
{
	size_t pos = 10;
	u8 flg;

	if (len < 10 || in[0] != GZIP_MAGIC0 || in[1] != GZIP_MAGIC1 ||
	    in[2] != 8)
		return -EINVAL;
	flg = in[3];
	if (flg & 0xe0)		/* reserved bits must be zero */
		return -EINVAL;
	if (flg & FEXTRA) {
		size_t xlen;

		if (len - pos < 2)
			return -EINVAL;
		xlen = in[pos] | (in[pos + 1] << 8);
		pos += 2;
		if (len - pos < xlen)
			return -EINVAL;
		pos += xlen;
	}
	if ((flg & FNAME) && skip_string(in, len, &pos))
		return -EINVAL;
	if ((flg & FCOMMENT) && skip_string(in, len, &pos))
		return -EINVAL;
	if (flg & FHCRC) {
		if (len - pos < 2)
			return -EINVAL;
		if ((crc32_le(0, in, pos) & 0xffff) !=
		    (u32)(in[pos] | (in[pos + 1] << 8)))
			return -EINVAL;
		pos += 2;
	}
	return (long)pos;
}

/**
 * gunzip - see <keel/inflate.h>.
 * Context: any.
 */
long gunzip(const void *src, size_t src_len, void *dst, size_t dst_cap,
	    size_t *consumed)
{
	struct inflate_state s = {
		.in = src, .in_len = src_len, .out = dst, .out_cap = dst_cap,
	};
	long hdr = gzip_header(src, src_len);
	int err;

	if (hdr < 0)
		return hdr;
	s.in_pos = (size_t)hdr;
	err = inflate_stream(&s);
	if (err)
		return err;
	if (s.in_len - s.in_pos < 8)
		return -EINVAL;
	if (get_le32(s.in + s.in_pos) != crc32_le(0, dst, s.out_pos) ||
	    get_le32(s.in + s.in_pos + 4) != (u32)s.out_pos)
		return -EINVAL;
	if (consumed)
		*consumed = s.in_pos + 8;
	return (long)s.out_pos;
}
