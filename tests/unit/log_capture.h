/*
 * A printk for host unit tests: lines are captured in memory (level prefix
 * dropped) so tests can assert what the kernel code reported.
 */
#ifndef KEEL_UNIT_LOG_CAPTURE_H
#define KEEL_UNIT_LOG_CAPTURE_H

#include <stdbool.h>

void log_capture_clear(void);
/* Text of everything printed since the last clear. */
const char *log_capture_text(void);
bool log_capture_contains(const char *needle);
/* Number of lines containing @needle. */
int log_capture_count(const char *needle);

#endif
