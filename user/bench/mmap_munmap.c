/*
 * mmap_munmap - ns per mmap()+munmap() of 1 MiB of private anonymous
 * read-write memory, never touched (no page faults, mapping only).
 */
#include <stddef.h>
#include <sys/mman.h>

#include "lib/bench.h"

#define LEN (1u << 20)

static void body(uint64_t n, void *arg)
{
	for (uint64_t i = 0; i < n; i++) {
		void *p = mmap(NULL, LEN, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (p == MAP_FAILED)
			bench_die("mmap");
		if (munmap(p, LEN) != 0)
			bench_die("munmap");
	}
}

int main(int argc, char **argv)
{
	bench_init(argc, argv, "mmap_munmap");
	return bench_main(&(struct bench_spec){
		.name = "mmap_munmap", .unit = BENCH_NS, .iters = 50000,
		.body = body,
	});
}
