/*
 * page_fault - ns per first-touch write fault on a fresh private
 * anonymous page: map 4 MiB (not timed; small pages requested with
 * MADV_NOHUGEPAGE where known), write one byte to each page (timed),
 * unmap (not timed), repeat. Covers fault entry, page allocation and
 * zeroing, and the page-table update.
 */
#include <sys/mman.h>
#include <unistd.h>

#include "lib/bench.h"

#define CHUNK (4u << 20)

static void body(uint64_t n, void *arg)
{
	uint64_t page = (uint64_t)sysconf(_SC_PAGESIZE);
	uint64_t per = CHUNK / page;

	while (n) {
		uint64_t k = n < per ? n : per;
		volatile char *p;

		bench_timer_stop();
		p = mmap(NULL, k * page, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED)
			bench_die("mmap");
		bench_no_thp((void *)p, k * page);
		bench_timer_start();
		for (uint64_t i = 0; i < k; i++)
			p[i * page] = 1;
		bench_timer_stop();
		if (munmap((void *)p, k * page) != 0)
			bench_die("munmap");
		bench_timer_start();
		n -= k;
	}
}

int main(int argc, char **argv)
{
	bench_init(argc, argv, "page_fault");
	return bench_main(&(struct bench_spec){
		.name = "page_fault", .unit = BENCH_NS, .iters = 200000,
		.body = body,
	});
}
