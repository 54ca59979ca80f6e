/*
 * The record ring behind the kernel log (no locking; printk.c locks).
 *
 * Records are a header plus text, 8-byte aligned, written contiguously from
 * head (oldest) to tail. A record that does not fit before the end of the
 * buffer goes to offset 0, leaving a wrap marker at the old tail when a
 * header fits there; readers also wrap when less than a header remains.
 * When space runs out the oldest records are dropped.
 */
#ifndef KEEL_LOG_RING_H
#define KEEL_LOG_RING_H

#include <keel/log.h>
#include <keel/types.h>

struct log_ring {
	u8 *buf;
	u32 size;              /* multiple of 8, > 2 * (header + LOG_LINE_MAX) */
	u32 head, tail;        /* byte offsets */
	u64 first_seq, next_seq;  /* live records: [first_seq, next_seq) */
};

void log_ring_init(struct log_ring *r, void *buf, u32 size);

/*
 * log_ring_store - append a record; @rec->seq is assigned here.
 * Text longer than LOG_LINE_MAX is cut.
 */
void log_ring_store(struct log_ring *r, struct log_record *rec,
		    const char *text);

/* See log_iter_next() in <keel/log.h>. */
bool log_ring_next(const struct log_ring *r, struct log_iter *it,
		   struct log_record *rec, char *text, size_t size, u64 *missed);

#endif /* KEEL_LOG_RING_H */
