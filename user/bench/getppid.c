/*
 * getppid - null system call: ns per getppid(), issued as a raw syscall
 * in a tight loop so no libc caching can hide it.
 */
#include <sys/syscall.h>
#include <unistd.h>

#include "lib/bench.h"

static void body(uint64_t n, void *arg)
{
	for (uint64_t i = 0; i < n; i++)
		if (syscall(SYS_getppid) < 0)
			bench_die("getppid");
}

int main(int argc, char **argv)
{
	bench_init(argc, argv, "getppid");
	return bench_main(&(struct bench_spec){
		.name = "getppid", .unit = BENCH_NS, .iters = 1500000,
		.body = body,
	});
}
