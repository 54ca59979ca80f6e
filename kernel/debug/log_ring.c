/*
 * The log record ring; layout and rules in <keel/log_ring.h>.
 */
#include <keel/compiler.h>
#include <keel/log_ring.h>
#include <keel/string.h>

#define LOG_WRAP 0xffff

struct log_hdr {
	u64 seq;
	u64 ts_ns;
	u16 len;
	u8 level;
	u8 cpu;
	u32 pad;
};

void log_ring_init(struct log_ring *r, void *buf, u32 size)
{
	r->buf = buf;
	r->size = size;
	r->head = r->tail = 0;
	r->first_seq = r->next_seq = 0;
}

static u32 rec_size(u32 len)
{
	return ALIGN_UP((u32)sizeof(struct log_hdr) + len, 8);
}

static struct log_hdr *hdr_at(const struct log_ring *r, u32 off)
{
	return (struct log_hdr *)(r->buf + off);
}

/* Where a reader at @off really finds its record (following wraps). */
static u32 wrap_read(const struct log_ring *r, u32 off)
{
	if (off + sizeof(struct log_hdr) > r->size ||
	    hdr_at(r, off)->len == LOG_WRAP)
		return 0;
	return off;
}

static bool ring_empty(const struct log_ring *r)
{
	return r->first_seq == r->next_seq;
}

/* Does [pos, pos + n) overlap a live record? */
static bool overlaps(const struct log_ring *r, u32 pos, u32 n)
{
	if (ring_empty(r))
		return false;
	if (r->head < r->tail)
		return pos < r->tail && r->head < pos + n;
	/* Live data wraps: [head, end) and [0, tail). */
	return pos + n > r->head || pos < r->tail;
}

static void drop_oldest(struct log_ring *r)
{
	r->head = wrap_read(r, r->head);
	r->head += rec_size(hdr_at(r, r->head)->len);
	r->first_seq++;
	if (ring_empty(r))
		r->head = r->tail = 0;
	else
		r->head = wrap_read(r, r->head);
}

/* Make room for @size bytes at the tail (wrapping if needed). */
static u32 reserve(struct log_ring *r, u32 size)
{
	if (r->tail + size > r->size) {
		while (overlaps(r, r->tail, r->size - r->tail))
			drop_oldest(r);
		if (r->tail + sizeof(struct log_hdr) <= r->size)
			hdr_at(r, r->tail)->len = LOG_WRAP;
		r->tail = 0;
		if (ring_empty(r))
			r->head = 0;
	}
	while (overlaps(r, r->tail, size))
		drop_oldest(r);
	return r->tail;
}

void log_ring_store(struct log_ring *r, struct log_record *rec,
		    const char *text)
{
	struct log_hdr *h;
	u32 len = rec->len > LOG_LINE_MAX ? LOG_LINE_MAX : rec->len;
	u32 off = reserve(r, rec_size(len));

	rec->seq = r->next_seq++;
	h = hdr_at(r, off);
	h->seq = rec->seq;
	h->ts_ns = rec->ts_ns;
	h->len = (u16)len;
	h->level = rec->level;
	h->cpu = rec->cpu;
	memcpy(h + 1, text, len);
	r->tail = off + rec_size(len);
}

void log_iter_init(struct log_iter *it)
{
	it->started = false;
	it->seq = 0;
	it->off = 0;
}

bool log_ring_next(const struct log_ring *r, struct log_iter *it,
		   struct log_record *rec, char *text, size_t size, u64 *missed)
{
	const struct log_hdr *h;
	size_t n;

	if (missed)
		*missed = 0;
	if (!it->started || it->seq < r->first_seq) {
		if (it->started && missed)
			*missed = r->first_seq - it->seq;
		it->started = true;
		it->seq = r->first_seq;
		it->off = r->head;
	}
	if (it->seq >= r->next_seq)
		return false;
	it->off = wrap_read(r, it->off);
	h = hdr_at(r, it->off);
	rec->seq = h->seq;
	rec->ts_ns = h->ts_ns;
	rec->level = h->level;
	rec->cpu = h->cpu;
	rec->len = h->len;
	if (size) {
		n = h->len < size - 1 ? h->len : size - 1;
		memcpy(text, h + 1, n);
		text[n] = '\0';
	}
	it->off += rec_size(h->len);
	it->seq++;
	return true;
}
