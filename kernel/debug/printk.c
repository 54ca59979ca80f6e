/*
 * printk and the log ring.
 *
 * printk formats into a stack buffer, splits the text into lines, and
 * commits each complete line as one record to the ring (and to the consoles
 * once they are started). A line without its "\n" stays pending so
 * KERN_CONT calls can extend it; the next non-continuation printk commits it.
 *
 * Ring layout: records are a struct log_hdr plus the text, 8-byte aligned,
 * written contiguously from head (oldest) to tail. A record that does not
 * fit before the end of the buffer is written at offset 0 and a wrap marker
 * (len == LOG_WRAP) is left at the old tail if a header fits there; readers
 * also wrap when fewer than a header's bytes remain.
 *
 * Locking: log_lock protects the ring, the pending line and console output
 * (so lines never interleave on the console). It is taken with interrupts
 * off. During a panic it is bypassed: the panicking CPU has stopped the
 * others' interest in the log, and may itself have died holding it.
 */
#include <keel/arch.h>
#include <keel/compiler.h>
#include <keel/console.h>
#include <keel/errno.h>
#include <keel/log.h>
#include <keel/param.h>
#include <keel/printk.h>
#include <keel/spinlock.h>
#include <keel/sprintf.h>
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

static u8 log_buf[LOG_BUF_SIZE] __aligned(8);
static DEFINE_SPINLOCK(log_lock);
static u32 log_head, log_tail;          /* [log_lock] byte offsets */
static u64 log_first_seq, log_next_seq; /* [log_lock] live: [first, next) */
static bool log_busted;                 /* [panic CPU] skip log_lock */
static bool consoles_started;           /* [log_lock] */

static struct {
	char text[LOG_LINE_MAX];
	size_t len;
	bool active;
	u8 level;
	u8 cpu;
	u64 ts_ns;
} pending;                              /* [log_lock] the unfinished line */

int console_loglevel = CONSOLE_LOGLEVEL_DEFAULT;

KPARAM_INT(loglevel, console_loglevel, 0, 15,
	   "console log level: lines with a level below it are shown");

static int quiet_param_set(const char *val)
{
	if (val)
		return -EINVAL;
	console_loglevel = CONSOLE_LOGLEVEL_QUIET;
	return 0;
}
KPARAM_FN(quiet, quiet_param_set,
	  "show only errors and worse on the console (loglevel=4)");

static unsigned long log_lock_irqsave(void)
{
	unsigned long flags = arch_irq_save();

	if (!READ_ONCE(log_busted))
		spin_lock(&log_lock);
	return flags;
}

static void log_unlock_irqrestore(unsigned long flags)
{
	if (!READ_ONCE(log_busted))
		spin_unlock(&log_lock);
	arch_irq_restore(flags);
}

static u32 rec_size(u32 len)
{
	return ALIGN_UP((u32)sizeof(struct log_hdr) + len, 8);
}

static struct log_hdr *hdr_at(u32 off)
{
	return (struct log_hdr *)(log_buf + off);
}

/* Where a reader at @off really finds its next record (following wraps). */
static u32 log_wrap_read(u32 off)
{
	if (off + sizeof(struct log_hdr) > LOG_BUF_SIZE ||
	    hdr_at(off)->len == LOG_WRAP)
		return 0;
	return off;
}

static bool log_empty(void)
{
	return log_first_seq == log_next_seq;
}

/* Does [pos, pos + n) overlap a live record? */
static bool log_overlaps(u32 pos, u32 n)
{
	if (log_empty())
		return false;
	if (log_head < log_tail)
		return pos < log_tail && log_head < pos + n;
	/* Live data wraps: [head, end) and [0, tail). */
	return pos + n > log_head || pos < log_tail;
}

static void log_drop_oldest(void)
{
	log_head = log_wrap_read(log_head);
	log_head += rec_size(hdr_at(log_head)->len);
	log_first_seq++;
	if (log_empty())
		log_head = log_tail = 0;
	else
		log_head = log_wrap_read(log_head);
}

/* Make room for a record of @size bytes and return its offset. */
static u32 log_reserve(u32 size)
{
	if (log_tail + size > LOG_BUF_SIZE) {
		while (log_overlaps(log_tail, LOG_BUF_SIZE - log_tail))
			log_drop_oldest();
		if (log_tail + sizeof(struct log_hdr) <= LOG_BUF_SIZE)
			hdr_at(log_tail)->len = LOG_WRAP;
		log_tail = 0;
		if (log_empty())
			log_head = 0;
	}
	while (log_overlaps(log_tail, size))
		log_drop_oldest();
	return log_tail;
}

static void log_store(u8 level, u8 cpu, u64 ts, const char *text, size_t len)
{
	struct log_hdr *h;
	u32 off;

	if (len > LOG_LINE_MAX)
		len = LOG_LINE_MAX;
	off = log_reserve(rec_size(len));
	h = hdr_at(off);
	h->seq = log_next_seq++;
	h->ts_ns = ts;
	h->len = (u16)len;
	h->level = level;
	h->cpu = cpu;
	memcpy(h + 1, text, len);
	log_tail = off + rec_size(len);
}

static void console_emit(u8 level, u8 cpu, u64 ts, const char *text, size_t len)
{
	char prefix[48];
	int n;

	if (!consoles_started || level >= console_loglevel)
		return;
	n = scnprintf(prefix, sizeof(prefix), "[%5llu.%06llu] CPU%u: ",
		      ts / 1000000000ULL, (ts / 1000ULL) % 1000000ULL, cpu);
	console_write_all(prefix, n);
	console_write_all(text, len);
	console_write_all("\n", 1);
}

static void pending_commit(void)
{
	if (!pending.active)
		return;
	log_store(pending.level, pending.cpu, pending.ts_ns, pending.text,
		  pending.len);
	console_emit(pending.level, pending.cpu, pending.ts_ns, pending.text,
		     pending.len);
	pending.active = false;
	pending.len = 0;
}

static void pending_append(u8 level, const char *s, size_t len)
{
	if (!pending.active) {
		pending.active = true;
		pending.level = level;
		pending.cpu = (u8)arch_cpu_id();
		pending.ts_ns = arch_clock_ns();
		pending.len = 0;
	}
	if (len > sizeof(pending.text) - pending.len)
		len = sizeof(pending.text) - pending.len;
	memcpy(pending.text + pending.len, s, len);
	pending.len += len;
}

/* Split "\001N" off the front of @s; return the level or -1 for KERN_CONT. */
static int parse_level(const char **s)
{
	const char *p = *s;
	int level = MESSAGE_LOGLEVEL_DEFAULT;

	while (p[0] == KERN_SOH[0] && p[1]) {
		if (p[1] >= '0' && p[1] <= '7')
			level = p[1] - '0';
		else if (p[1] == 'c')
			level = -1;
		p += 2;
	}
	*s = p;
	return level;
}

int vprintk(const char *fmt, va_list ap)
{
	char buf[LOG_LINE_MAX];
	const char *s = buf, *nl;
	unsigned long flags;
	int level, n;

	n = vscnprintf(buf, sizeof(buf), fmt, ap);
	level = parse_level(&s);
	flags = log_lock_irqsave();
	if (level >= 0)
		pending_commit();
	else
		level = pending.active ? pending.level : MESSAGE_LOGLEVEL_DEFAULT;
	while ((nl = memchr(s, '\n', buf + n - s)) != NULL) {
		pending_append((u8)level, s, nl - s);
		pending_commit();
		s = nl + 1;
	}
	if (s < buf + n)
		pending_append((u8)level, s, buf + n - s);
	log_unlock_irqrestore(flags);
	return n;
}

int printk(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vprintk(fmt, ap);
	va_end(ap);
	return n;
}

static void copy_text(char *dst, size_t size, const char *src, size_t len)
{
	if (len > size - 1)
		len = size - 1;
	memcpy(dst, src, len);
	dst[len] = '\0';
}

void log_iter_init(struct log_iter *it)
{
	it->started = false;
	it->seq = 0;
	it->off = 0;
}

bool log_iter_next(struct log_iter *it, struct log_record *rec, char *text,
		   size_t size, u64 *missed)
{
	unsigned long flags = log_lock_irqsave();
	struct log_hdr *h;
	bool ok = false;

	if (missed)
		*missed = 0;
	if (!it->started || it->seq < log_first_seq) {
		if (it->started && missed)
			*missed = log_first_seq - it->seq;
		it->started = true;
		it->seq = log_first_seq;
		it->off = log_head;
	}
	if (it->seq < log_next_seq) {
		it->off = log_wrap_read(it->off);
		h = hdr_at(it->off);
		rec->seq = h->seq;
		rec->ts_ns = h->ts_ns;
		rec->level = h->level;
		rec->cpu = h->cpu;
		rec->len = h->len;
		if (size)
			copy_text(text, size, (const char *)(h + 1), h->len);
		it->off += rec_size(h->len);
		it->seq++;
		ok = true;
	}
	log_unlock_irqrestore(flags);
	return ok;
}

void log_seq_range(u64 *first, u64 *next)
{
	unsigned long flags = log_lock_irqsave();

	*first = log_first_seq;
	*next = log_next_seq;
	log_unlock_irqrestore(flags);
}

/* Replay the ring to the consoles, then print new lines as they come. */
void console_start(void)
{
	unsigned long flags = log_lock_irqsave();
	u64 seq;
	u32 off = log_head;

	consoles_started = true;
	for (seq = log_first_seq; seq < log_next_seq; seq++) {
		struct log_hdr *h;

		off = log_wrap_read(off);
		h = hdr_at(off);
		console_emit(h->level, h->cpu, h->ts_ns, (const char *)(h + 1),
			     h->len);
		off += rec_size(h->len);
	}
	log_unlock_irqrestore(flags);
}

void printk_enter_panic(void)
{
	WRITE_ONCE(log_busted, true);
	if (!consoles_started)
		console_start();
	pending_commit();
}
