/*
 * clock_gettime_sys - ns per clock_gettime(CLOCK_MONOTONIC) issued as a
 * raw system call: the cost the vDSO saves (see clock_gettime).
 */
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "lib/bench.h"

static void body(uint64_t n, void *arg)
{
	struct timespec ts;

	for (uint64_t i = 0; i < n; i++)
		if (syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &ts))
			bench_die("clock_gettime");
}

int main(int argc, char **argv)
{
	bench_init(argc, argv, "clock_gettime_sys");
	return bench_main(&(struct bench_spec){
		.name = "clock_gettime_sys", .unit = BENCH_NS,
		.iters = 300000, .body = body,
	});
}
