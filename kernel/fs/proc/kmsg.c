/*
 * The kernel log for user space: syslog(2) (klogctl, what busybox dmesg
 * and klogd use) and /proc/kmsg, with Linux's semantics (do_syslog).
 *
 * Records come from the printk ring (<keel/log.h>) and are formatted as
 * Linux's syslog interface prints them: "<level>[seconds.micros] text\n".
 * Two positions are kept: syslog_seq, the next record a consuming read
 * (action 2, /proc/kmsg) returns, and clear_seq, where READ_ALL starts
 * (moved by CLEAR and READ_CLEAR). A consuming read sleeps until a
 * record newer than syslog_seq exists; printk has no wake-up hook for it,
 * so it rechecks every SYSLOG_POLL_NS.
 *
 * Privileges: READ_ALL (3) and SIZE_BUFFER (10) are open to everyone
 * (Linux with kernel.dmesg_restrict=0); the other actions need root.
 * Locking: syslog_lock (a mutex) serialises the positions and readers.
 */
#include <keel/log.h>
#include <keel/sprintf.h>
#include <keel/syscall.h>
#include <keel/time.h>
#include <keel/uaccess.h>

#include "internal.h"

#define SYSLOG_ACTION_CLOSE         0
#define SYSLOG_ACTION_OPEN          1
#define SYSLOG_ACTION_READ          2
#define SYSLOG_ACTION_READ_ALL      3
#define SYSLOG_ACTION_READ_CLEAR    4
#define SYSLOG_ACTION_CLEAR         5
#define SYSLOG_ACTION_CONSOLE_OFF   6
#define SYSLOG_ACTION_CONSOLE_ON    7
#define SYSLOG_ACTION_CONSOLE_LEVEL 8
#define SYSLOG_ACTION_SIZE_UNREAD   9
#define SYSLOG_ACTION_SIZE_BUFFER   10

#define MINIMUM_CONSOLE_LOGLEVEL 1
#define SYSLOG_POLL_NS (50 * NSEC_PER_MSEC)
#define SYSLOG_PREFIX_MAX 32            /* "<7>[12345678.123456] " */

static DEFINE_MUTEX(syslog_lock);
static u64 syslog_seq;                  /* [syslog_lock] */
static u64 clear_seq;                   /* [syslog_lock] */
static int saved_console_loglevel = -1; /* [syslog_lock] */

/* One formatted record into @out (size >= text + prefix). Return: len. */
static size_t format_record(const struct log_record *rec, const char *text,
			    char *out, size_t size)
{
	u64 us = rec->ts_ns / NSEC_PER_USEC;

	return (size_t)scnprintf(out, size, "<%u>[%5llu.%06llu] %s\n",
				 rec->level & 7, us / 1000000, us % 1000000,
				 text);
}

/*
 * Call @fn on every record from @from on, formatted into @line.
 * Return: the sequence number after the last record visited.
 */
struct log_walk {
	u64 from;
	char *text;             /* LOG_LINE_MAX + 1 */
	char *line;             /* LOG_LINE_MAX + SYSLOG_PREFIX_MAX */
	/* Return false to stop before this record. */
	bool (*fn)(struct log_walk *w, const char *line, size_t len);
	void *arg;
	u64 next;               /* first record not consumed */
};

static void log_walk(struct log_walk *w)
{
	struct log_record rec;
	struct log_iter it;

	log_iter_init(&it);
	w->next = w->from;
	while (log_iter_next(&it, &rec, w->text, LOG_LINE_MAX + 1, NULL)) {
		size_t len;

		if (rec.seq < w->from)
			continue;
		len = format_record(&rec, w->text, w->line,
				    LOG_LINE_MAX + SYSLOG_PREFIX_MAX);
		if (!w->fn(w, w->line, len))
			return;
		w->next = rec.seq + 1;
	}
}

static int log_walk_init(struct log_walk *w, u64 from)
{
	memset(w, 0, sizeof(*w));
	w->from = from;
	w->text = kmalloc(LOG_LINE_MAX + 1, GFP_KERNEL);
	w->line = kmalloc(LOG_LINE_MAX + SYSLOG_PREFIX_MAX, GFP_KERNEL);
	if (!w->text || !w->line) {
		kfree(w->text);
		kfree(w->line);
		return -ENOMEM;
	}
	return 0;
}

static void log_walk_done(struct log_walk *w)
{
	kfree(w->text);
	kfree(w->line);
}

static bool count_fn(struct log_walk *w, const char *line, size_t len)
{
	*(u64 *)w->arg += len;
	return true;
}

/* Bytes the records from @from on take formatted. [syslog_lock] */
static long log_bytes_from(u64 from)
{
	struct log_walk w;
	u64 total = 0;
	long err = log_walk_init(&w, from);

	if (err)
		return err;
	w.fn = count_fn;
	w.arg = &total;
	log_walk(&w);
	log_walk_done(&w);
	return (long)total;
}

struct copy_state {
	char *buf;
	size_t size, len, skip;         /* skip: bytes of records to drop */
};

static bool copy_fn(struct log_walk *w, const char *line, size_t len)
{
	struct copy_state *c = w->arg;

	if (c->skip) {
		c->skip -= MIN(c->skip, len);
		return true;
	}
	if (len > c->size - c->len) {
		if (c->len)
			return false;
		len = c->size;          /* the first one alone is cut */
	}
	memcpy(c->buf + c->len, line, len);
	c->len += len;
	return true;
}

/*
 * Copy formatted records from @from on to @ubuf (@len bytes): the newest
 * ones that fit (@tail) or the oldest ones (a consuming read).
 * Return: bytes copied or -errno; *@next: the record after the last one.
 */
static long log_copy(u64 from, char __user *ubuf, size_t len, bool tail,
		     u64 *next)
{
	struct copy_state c = { 0 };
	struct log_walk w;
	long total = 0, err;

	if (tail) {
		total = log_bytes_from(from);
		if (total < 0)
			return total;
	}
	err = log_walk_init(&w, from);
	if (err)
		return err;
	c.size = MIN(len, (size_t)PROC_BUF_MAX);
	c.buf = kmalloc(c.size, GFP_KERNEL);
	if (!c.buf) {
		log_walk_done(&w);
		return -ENOMEM;
	}
	/* Drop whole records from the front until the rest fits. */
	if (tail && (size_t)total > c.size)
		c.skip = (size_t)total - c.size;
	w.fn = copy_fn;
	w.arg = &c;
	log_walk(&w);
	log_walk_done(&w);
	err = copy_to_user(ubuf, c.buf, c.len) ? -EFAULT : (long)c.len;
	kfree(c.buf);
	if (next)
		*next = w.next;
	return err;
}

/* Wait for a record at or after syslog_seq. [syslog_lock] dropped inside. */
static long syslog_wait(bool nonblock)
{
	for (;;) {
		u64 first, next;

		log_seq_range(&first, &next);
		if (syslog_seq < first)
			syslog_seq = first;
		if (syslog_seq < next)
			return 0;
		if (nonblock)
			return -EAGAIN;
		if (READ_ONCE(current->signal_pending))
			return -ERESTARTSYS;
		mutex_unlock(&syslog_lock);
		set_current_state(THREAD_INTERRUPTIBLE);
		schedule_timeout(SYSLOG_POLL_NS);
		__set_current_state(THREAD_RUNNING);
		mutex_lock(&syslog_lock);
	}
}

/* The consuming read of action 2 and /proc/kmsg. */
static long syslog_read(char __user *ubuf, size_t len, bool nonblock)
{
	long ret;
	u64 next;

	if (!len)
		return 0;
	mutex_lock(&syslog_lock);
	ret = syslog_wait(nonblock);
	if (!ret) {
		ret = log_copy(syslog_seq, ubuf, len, false, &next);
		if (ret > 0)
			syslog_seq = next;
	}
	mutex_unlock(&syslog_lock);
	return ret;
}

static long syslog_read_all(char __user *ubuf, size_t len, bool clear)
{
	u64 first, next;
	long ret;

	mutex_lock(&syslog_lock);
	log_seq_range(&first, &next);
	ret = log_copy(MAX(clear_seq, first), ubuf, len, true, NULL);
	if (clear && ret >= 0)
		clear_seq = next;
	mutex_unlock(&syslog_lock);
	return ret;
}

static long syslog_console(int type, int level)
{
	mutex_lock(&syslog_lock);
	switch (type) {
	case SYSLOG_ACTION_CONSOLE_OFF:
		if (saved_console_loglevel == -1)
			saved_console_loglevel = console_loglevel;
		console_loglevel = MINIMUM_CONSOLE_LOGLEVEL;
		break;
	case SYSLOG_ACTION_CONSOLE_ON:
		if (saved_console_loglevel != -1) {
			console_loglevel = saved_console_loglevel;
			saved_console_loglevel = -1;
		}
		break;
	default:
		console_loglevel = MAX(level, MINIMUM_CONSOLE_LOGLEVEL);
		saved_console_loglevel = -1;
		break;
	}
	mutex_unlock(&syslog_lock);
	return 0;
}

static long syslog_size_unread(void)
{
	u64 first, next;
	long ret;

	mutex_lock(&syslog_lock);
	log_seq_range(&first, &next);
	ret = log_bytes_from(MAX(syslog_seq, first));
	mutex_unlock(&syslog_lock);
	return ret;
}

/* Read actions: a buffer and a non-negative length. */
static long check_buf(char __user *buf, int len)
{
	if (!buf || len < 0)
		return -EINVAL;
	if (!access_ok(buf, (size_t)len))
		return -EFAULT;
	return 0;
}

SYSCALL_DEFINE3(syslog, int, type, char *, bufp, int, len)
{
	long err;

	if (type != SYSLOG_ACTION_READ_ALL &&
	    type != SYSLOG_ACTION_SIZE_BUFFER &&
	    !cred_is_root(current_cred_or_root()))
		return -EPERM;
	switch (type) {
	case SYSLOG_ACTION_CLOSE:
	case SYSLOG_ACTION_OPEN:
		return 0;
	case SYSLOG_ACTION_READ:
	case SYSLOG_ACTION_READ_ALL:
	case SYSLOG_ACTION_READ_CLEAR:
		err = check_buf(bufp, len);
		if (err || !len)
			return err;
		if (type == SYSLOG_ACTION_READ)
			return syslog_read(bufp, (size_t)len, false);
		return syslog_read_all(bufp, (size_t)len,
				       type == SYSLOG_ACTION_READ_CLEAR);
	case SYSLOG_ACTION_CLEAR: {
		u64 first, next;

		mutex_lock(&syslog_lock);
		log_seq_range(&first, &next);
		clear_seq = next;
		mutex_unlock(&syslog_lock);
		return 0;
	}
	case SYSLOG_ACTION_CONSOLE_OFF:
	case SYSLOG_ACTION_CONSOLE_ON:
		return syslog_console(type, 0);
	case SYSLOG_ACTION_CONSOLE_LEVEL:
		if (len < 1 || len > 8)
			return -EINVAL;
		return syslog_console(type, len);
	case SYSLOG_ACTION_SIZE_UNREAD:
		return syslog_size_unread();
	case SYSLOG_ACTION_SIZE_BUFFER:
		return LOG_BUF_SIZE;
	default:
		return -EINVAL;
	}
}

/* ---- /proc/kmsg -------------------------------------------------------------- */

static ssize_t kmsg_read(struct file *f, char __user *buf, size_t n,
			 loff_t *pos)
{
	return syslog_read(buf, n, f->f_flags & O_NONBLOCK);
}

const struct file_operations proc_kmsg_fops = {
	.read = kmsg_read,
	.llseek = no_llseek,
};
