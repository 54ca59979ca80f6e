/*
 * clock_gettime - ns per clock_gettime(CLOCK_MONOTONIC) through libc,
 * which calls the vDSO when the kernel provides one (no kernel entry).
 * Compare with clock_gettime_sys, the same read as a raw system call.
 */
#include <time.h>

#include "lib/bench.h"

static void body(uint64_t n, void *arg)
{
	struct timespec ts;

	for (uint64_t i = 0; i < n; i++)
		if (clock_gettime(CLOCK_MONOTONIC, &ts))
			bench_die("clock_gettime");
}

int main(int argc, char **argv)
{
	bench_init(argc, argv, "clock_gettime");
	return bench_main(&(struct bench_spec){
		.name = "clock_gettime", .unit = BENCH_NS, .iters = 300000,
		.body = body,
	});
}
