/*
 * Symbolized stack backtraces for panics and warnings, walking frame
 * pointers through the arch boundary (arch_unwind_next).
 */
#ifndef KEEL_BACKTRACE_H
#define KEEL_BACKTRACE_H

#define BACKTRACE_MAX_FRAMES 32     /* distinct lines printed */
#define BACKTRACE_MAX_STEPS  4096   /* frames walked, folded repeats included */

/* Print "Call Trace:" and one line per frame starting at @pc / frame @fp. */
void backtrace_print(unsigned long pc, unsigned long fp);

/* Backtrace of the caller of this function. */
void backtrace_print_current(void);

#endif /* KEEL_BACKTRACE_H */
