/*
 * printk and the log ring.
 *
 * printk formats into a stack buffer, splits the text into lines, and
 * commits each complete line as one record to the ring (and to the consoles
 * once they are started). A line without its "\n" stays pending so
 * KERN_CONT calls can extend it; the next non-continuation printk commits it.
 *
 * The records live in a struct log_ring (kernel/debug/log_ring.c).
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
#include <keel/log_ring.h>
#include <keel/param.h>
#include <keel/printk.h>
#include <keel/spinlock.h>
#include <keel/sprintf.h>
#include <keel/string.h>
#include <keel/time.h>

static u8 log_buf[LOG_BUF_SIZE] __aligned(8);
static DEFINE_SPINLOCK(log_lock);
static struct log_ring log_ring = {     /* [log_lock] */
	.buf = log_buf, .size = sizeof(log_buf),
};
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
	struct log_record rec;

	if (!pending.active)
		return;
	rec.ts_ns = pending.ts_ns;
	rec.level = pending.level;
	rec.cpu = pending.cpu;
	rec.len = (u16)pending.len;
	log_ring_store(&log_ring, &rec, pending.text);
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
		pending.ts_ns = clock_monotonic_ns();
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

void console_write_user(const char *s, size_t len)
{
	unsigned long flags = log_lock_irqsave();

	console_write_all(s, len);
	log_unlock_irqrestore(flags);
}

bool log_iter_next(struct log_iter *it, struct log_record *rec, char *text,
		   size_t size, u64 *missed)
{
	unsigned long flags = log_lock_irqsave();
	bool ok = log_ring_next(&log_ring, it, rec, text, size, missed);

	log_unlock_irqrestore(flags);
	return ok;
}

void log_seq_range(u64 *first, u64 *next)
{
	unsigned long flags = log_lock_irqsave();

	*first = log_ring.first_seq;
	*next = log_ring.next_seq;
	log_unlock_irqrestore(flags);
}

/* Replay the ring to the consoles, then print new lines as they come. */
void console_start(void)
{
	unsigned long flags = log_lock_irqsave();
	static char text[LOG_LINE_MAX + 1];
	struct log_record rec;
	struct log_iter it;

	consoles_started = true;
	log_iter_init(&it);
	while (log_ring_next(&log_ring, &it, &rec, text, sizeof(text), NULL))
		console_emit(rec.level, rec.cpu, rec.ts_ns, text, rec.len);
	log_unlock_irqrestore(flags);
}

void printk_enter_panic(void)
{
	WRITE_ONCE(log_busted, true);
	if (!consoles_started)
		console_start();
	pending_commit();
}
