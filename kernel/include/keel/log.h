/*
 * The kernel log ring: every printk line since boot, for dmesg and tests.
 *
 * Records carry a sequence number, a timestamp, the level and the CPU. When
 * the ring is full the oldest records are dropped, and an iterator that
 * falls behind resumes at the oldest one left (log_iter_next reports how
 * many it missed). Locking: the log lock (private to printk.c) protects the
 * ring; all functions here take it themselves.
 */
#ifndef KEEL_LOG_H
#define KEEL_LOG_H

#include <keel/types.h>

#define LOG_BUF_SIZE (256 * 1024)
#define LOG_LINE_MAX 1024   /* longer lines are cut here */

struct log_record {
	u64 seq;
	u64 ts_ns;
	u8 level;
	u8 cpu;
	u16 len;       /* text length, without a NUL */
};

struct log_iter {
	u64 seq;       /* next record to return */
	u32 off;       /* its offset in the ring, valid while seq is in it */
	bool started;
};

/* Position @it at the oldest record still in the ring. */
void log_iter_init(struct log_iter *it);

/*
 * log_iter_next - copy the next record's header to @rec and its text,
 * NUL-terminated and cut to @size, to @text.
 * Return: true if there was one; false at the end of the log.
 * @missed (may be NULL) counts records overwritten before they were read.
 */
bool log_iter_next(struct log_iter *it, struct log_record *rec, char *text,
		   size_t size, u64 *missed);

/* Numbers of the first and one-past-last records in the ring. */
void log_seq_range(u64 *first, u64 *next);

/* Console log level: lines with level < this reach the consoles. */
extern int console_loglevel;

/*
 * console_start - begin console output, replaying every record logged so
 * far that passes the level filter. Lines printed before the command line
 * was parsed are thus filtered by `loglevel=`/`quiet` too.
 */
void console_start(void);

/* Panic path: bypass the log lock, start consoles, flush a pending line. */
void printk_enter_panic(void);

#endif /* KEEL_LOG_H */
