/*
 * printk: the kernel log.
 *
 * Every line goes into the log ring (kept from the first line of boot, for
 * dmesg) and, when its level is below the console log level, to the consoles
 * with the prefix "[    0.123456] CPU0: ". Levels are Linux's: a message may
 * start with KERN_<LEVEL>; without one it gets MESSAGE_LOGLEVEL_DEFAULT.
 *
 * Context: any, including interrupt and exception handlers. During a panic
 * the log lock is bypassed so a CPU that died holding it can still report.
 */
#ifndef KEEL_PRINTK_H
#define KEEL_PRINTK_H

#include <keel/compiler.h>
#include <keel/types.h>

#define KERN_SOH     "\001"
#define KERN_EMERG   KERN_SOH "0"
#define KERN_ALERT   KERN_SOH "1"
#define KERN_CRIT    KERN_SOH "2"
#define KERN_ERR     KERN_SOH "3"
#define KERN_WARNING KERN_SOH "4"
#define KERN_NOTICE  KERN_SOH "5"
#define KERN_INFO    KERN_SOH "6"
#define KERN_DEBUG   KERN_SOH "7"
#define KERN_CONT    KERN_SOH "c"  /* continue the previous line */

#define LOGLEVEL_EMERG   0
#define LOGLEVEL_ERR     3
#define LOGLEVEL_WARNING 4
#define LOGLEVEL_INFO    6
#define LOGLEVEL_DEBUG   7

#define MESSAGE_LOGLEVEL_DEFAULT 4
#define CONSOLE_LOGLEVEL_DEFAULT 7  /* everything but debug */
#define CONSOLE_LOGLEVEL_QUIET   4  /* "quiet": errors and worse (levels 0-3) */

#ifndef pr_fmt
#define pr_fmt(fmt) fmt
#endif

int printk(const char *fmt, ...) __printf(1, 2);
int vprintk(const char *fmt, va_list ap);
/*
 * console_write_user - write @len bytes of program output (the console
 * device) to the consoles under the log lock, so they never interleave
 * with a kernel line byte by byte. Callers pass small chunks (the lock
 * is held, interrupts off, for the whole write).
 */
void console_write_user(const char *s, size_t len);

#define pr_emerg(fmt, ...)  printk(KERN_EMERG pr_fmt(fmt), ##__VA_ARGS__)
#define pr_alert(fmt, ...)  printk(KERN_ALERT pr_fmt(fmt), ##__VA_ARGS__)
#define pr_crit(fmt, ...)   printk(KERN_CRIT pr_fmt(fmt), ##__VA_ARGS__)
#define pr_err(fmt, ...)    printk(KERN_ERR pr_fmt(fmt), ##__VA_ARGS__)
#define pr_warn(fmt, ...)   printk(KERN_WARNING pr_fmt(fmt), ##__VA_ARGS__)
#define pr_notice(fmt, ...) printk(KERN_NOTICE pr_fmt(fmt), ##__VA_ARGS__)
#define pr_info(fmt, ...)   printk(KERN_INFO pr_fmt(fmt), ##__VA_ARGS__)
#define pr_debug(fmt, ...)  printk(KERN_DEBUG pr_fmt(fmt), ##__VA_ARGS__)
#define pr_cont(fmt, ...)   printk(KERN_CONT fmt, ##__VA_ARGS__)

#endif /* KEEL_PRINTK_H */
