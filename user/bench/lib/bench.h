/*
 * bench.h - shared harness for Keel's micro-benchmarks (user/bench/).
 *
 * Each benchmark program measures one thing. It fills in a bench_spec and
 * calls bench_main(), which runs the body once as a warm-up and then R
 * times (env BENCH_RUNS, default 7), timing each run with
 * CLOCK_MONOTONIC, and prints exactly one line on stdout:
 *
 *	bench: name=<id> unit=<ns|MB/s|ops/s> median=<v> min=<v> max=<v> runs=<R> iters=<N>
 *
 * Values are per operation for ns, rates for MB/s (10^6 bytes per second)
 * and ops/s. N is the number of operations per run: the spec's default,
 * divided by 5 with BENCH_QUICK=1, or BENCH_ITERS=<n> exactly.
 *
 * The body runs @iters operations. The timer is running when it is
 * called; a body that has setup or teardown it must not count brackets
 * it with bench_timer_stop()/bench_timer_start(), or adds time measured
 * elsewhere (e.g. in a child) with bench_timer_add() while stopped.
 *
 * Anything that fails calls bench_die(): a message on stderr and exit 1,
 * never a figure. Diagnostics go to stderr only.
 */
#ifndef KEEL_USER_BENCH_H
#define KEEL_USER_BENCH_H

#include <stdint.h>

enum bench_unit {
	BENCH_NS,	/* nanoseconds per operation */
	BENCH_MBS,	/* 10^6 bytes per second; set bytes_per_op */
	BENCH_OPS,	/* operations per second */
};

struct bench_spec {
	const char *name;
	enum bench_unit unit;
	uint64_t iters;		/* default operations per run */
	double bytes_per_op;	/* BENCH_MBS only */
	void (*body)(uint64_t iters, void *arg);
	void *arg;
};

/* Program name for messages; set by bench_main or bench_init. */
extern const char *bench_name;

/* Parse the environment and remember argv[0]; call first in main(). */
void bench_init(int argc, char **argv, const char *name);
/* Run and print; returns the exit status for main (0). */
int bench_main(const struct bench_spec *s);

uint64_t bench_now_ns(void);
void bench_timer_stop(void);
void bench_timer_start(void);
void bench_timer_add(uint64_t ns);

/* Message on stderr, with strerror(errno) appended, then exit(1). */
__attribute__((noreturn, format(printf, 1, 2)))
void bench_die(const char *fmt, ...);
/* Same without errno. */
__attribute__((noreturn, format(printf, 1, 2)))
void bench_fail(const char *fmt, ...);

/*
 * Pin the calling process (and threads and children created later) to
 * the first CPU it may run on. Returns 0 on success; -1 if the call
 * failed (message on stderr) - unless @required and more than one CPU is
 * online, in which case the program dies.
 */
int bench_pin_one_cpu(int required);

/* Path of program @prog in the directory of this program (malloc'd). */
char *bench_sibling(const char *prog);

/* Wait for @pid and die unless it exited with status 0. */
void bench_reap(int pid);

/* Unique scratch name in the cwd: "<prefix>.<pid>" (static buffer). */
const char *bench_tmpname(const char *prefix);

/* Ask for small pages for [p, p+len) where the kernel knows the advice. */
void bench_no_thp(void *p, uint64_t len);

#endif
