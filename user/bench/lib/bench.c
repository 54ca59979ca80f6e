/*
 * bench.c - shared harness for Keel's micro-benchmarks; see bench.h.
 */
#include "bench.h"

#include <errno.h>
#include <limits.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

const char *bench_name = "bench";
static const char *argv0;
static int runs = 7;
static int quick;
static uint64_t iters_override;

static uint64_t acc_ns;		/* time accumulated in this run */
static uint64_t t_start;	/* when the timer last started */
static int running;

static void vmsg(const char *fmt, va_list ap, int err)
{
	fprintf(stderr, "bench %s: ", bench_name);
	vfprintf(stderr, fmt, ap);
	if (err)
		fprintf(stderr, ": %s", strerror(err));
	fputc('\n', stderr);
}

void bench_die(const char *fmt, ...)
{
	int err = errno;
	va_list ap;

	va_start(ap, fmt);
	vmsg(fmt, ap, err);
	va_end(ap);
	exit(1);
}

void bench_fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg(fmt, ap, 0);
	va_end(ap);
	exit(1);
}

uint64_t bench_now_ns(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
		bench_die("clock_gettime(CLOCK_MONOTONIC)");
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

void bench_timer_stop(void)
{
	if (running) {
		acc_ns += bench_now_ns() - t_start;
		running = 0;
	}
}

void bench_timer_start(void)
{
	if (!running) {
		running = 1;
		t_start = bench_now_ns();
	}
}

void bench_timer_add(uint64_t ns)
{
	acc_ns += ns;
}

static long env_num(const char *name, long lo, long hi)
{
	const char *s = getenv(name);
	char *end;
	long v;

	if (!s || !*s)
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || v < lo || v > hi)
		bench_fail("bad %s=%s (want %ld..%ld)", name, s, lo, hi);
	return v;
}

void bench_init(int argc, char **argv, const char *name)
{
	long v;

	bench_name = name;
	argv0 = argc > 0 ? argv[0] : NULL;
	if ((v = env_num("BENCH_RUNS", 1, 1000)) > 0)
		runs = (int)v;
	if ((v = env_num("BENCH_QUICK", 0, 1)) > 0)
		quick = 1;
	if ((v = env_num("BENCH_ITERS", 1, LONG_MAX)) > 0)
		iters_override = (uint64_t)v;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static uint64_t run_once(const struct bench_spec *s, uint64_t n)
{
	acc_ns = 0;
	running = 0;
	bench_timer_start();
	s->body(n, s->arg);
	bench_timer_stop();
	return acc_ns;
}

int bench_main(const struct bench_spec *s)
{
	static const char *units[] = { "ns", "MB/s", "ops/s" };
	uint64_t n = s->iters;
	double *v;
	int i;

	bench_name = s->name;
	if (iters_override)
		n = iters_override;
	else if (quick)
		n = n / 5;
	if (n < 1)
		n = 1;
	v = calloc((size_t)runs, sizeof(*v));
	if (!v)
		bench_die("calloc");

	run_once(s, n / 10 ? n / 10 : 1);	/* warm-up, not reported */
	for (i = 0; i < runs; i++) {
		uint64_t ns = run_once(s, n);

		if (ns == 0)
			bench_fail("run %d measured 0 ns; clock not advancing", i);
		switch (s->unit) {
		case BENCH_NS:
			v[i] = (double)ns / (double)n;
			break;
		case BENCH_MBS:
			v[i] = (double)n * s->bytes_per_op * 1e3 / (double)ns;
			break;
		case BENCH_OPS:
			v[i] = (double)n * 1e9 / (double)ns;
			break;
		}
	}
	qsort(v, (size_t)runs, sizeof(*v), cmp_double);
	double med = runs % 2 ? v[runs / 2] : (v[runs / 2 - 1] + v[runs / 2]) / 2;
	printf("bench: name=%s unit=%s median=%.3f min=%.3f max=%.3f runs=%d iters=%llu\n",
	       s->name, units[s->unit], med, v[0], v[runs - 1], runs,
	       (unsigned long long)n);
	if (fflush(stdout) != 0)
		bench_die("stdout");
	free(v);
	return 0;
}

int bench_pin_one_cpu(int required)
{
	cpu_set_t set;
	int cpu;

	CPU_ZERO(&set);
	if (sched_getaffinity(0, sizeof(set), &set) != 0)
		goto fail;
	for (cpu = 0; cpu < CPU_SETSIZE; cpu++)
		if (CPU_ISSET(cpu, &set))
			break;
	if (cpu == CPU_SETSIZE) {
		errno = EINVAL;
		goto fail;
	}
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set) != 0)
		goto fail;
	return 0;
fail:
	if (required && sysconf(_SC_NPROCESSORS_ONLN) != 1)
		bench_die("cannot pin to one CPU");
	fprintf(stderr, "bench %s: warning: cannot pin to one CPU: %s\n",
		bench_name, strerror(errno));
	return -1;
}

char *bench_sibling(const char *prog)
{
	char dir[PATH_MAX], *path;
	const char *slash = argv0 ? strrchr(argv0, '/') : NULL;
	size_t len;

	if (slash) {
		len = (size_t)(slash - argv0);
		if (len >= sizeof(dir))
			bench_fail("argv[0] too long");
		memcpy(dir, argv0, len);
		dir[len] = 0;
		if (len == 0)
			strcpy(dir, "/");
	} else {
		ssize_t r = readlink("/proc/self/exe", dir, sizeof(dir) - 1);
		char *p;

		if (r < 0)
			bench_die("no '/' in argv[0] and readlink /proc/self/exe");
		dir[r] = 0;
		p = strrchr(dir, '/');
		if (!p)
			bench_fail("odd /proc/self/exe: %s", dir);
		p[p == dir ? 1 : 0] = 0;
	}
	if (asprintf(&path, "%s/%s", dir, prog) < 0)
		bench_die("asprintf");
	if (access(path, X_OK) != 0)
		bench_die("%s", path);
	return path;
}

void bench_reap(int pid)
{
	int st;

	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			bench_die("waitpid");
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		bench_fail("child %d failed (status 0x%x)", pid, st);
}

const char *bench_tmpname(const char *prefix)
{
	static char buf[64];

	snprintf(buf, sizeof(buf), "%s.%d", prefix, (int)getpid());
	return buf;
}

void bench_no_thp(void *p, uint64_t len)
{
#ifdef MADV_NOHUGEPAGE
	/* Best effort: a kernel without THP (or madvise) needs no advice. */
	(void)madvise(p, (size_t)len, MADV_NOHUGEPAGE);
#endif
}
