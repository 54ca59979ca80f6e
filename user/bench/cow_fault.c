/*
 * cow_fault - ns per copy-on-write fault: the parent maps 4 MiB of
 * private anonymous memory (small pages where MADV_NOHUGEPAGE is known)
 * and fills it, then forks; the child writes one byte to each page,
 * timing only that loop, and sends the time back through a pipe; repeat.
 * Covers fault entry, page allocation, the 4 KiB copy and the page-table
 * update; fork and exit are not counted.
 */
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "lib/bench.h"

#define CHUNK (4u << 20)

static char *mem;

static void body(uint64_t n, void *arg)
{
	uint64_t page = (uint64_t)sysconf(_SC_PAGESIZE);
	uint64_t per = CHUNK / page;

	bench_timer_stop();
	while (n) {
		uint64_t k = n < per ? n : per, ns;
		int fds[2];
		pid_t pid;

		if (pipe(fds) != 0)
			bench_die("pipe");
		pid = fork();
		if (pid < 0)
			bench_die("fork");
		if (pid == 0) {
			volatile char *p = mem;
			uint64_t t0 = bench_now_ns();

			for (uint64_t i = 0; i < k; i++)
				p[i * page] = 2;
			ns = bench_now_ns() - t0;
			_exit(write(fds[1], &ns, sizeof(ns)) == sizeof(ns) ? 0 : 1);
		}
		close(fds[1]);
		if (read(fds[0], &ns, sizeof(ns)) != sizeof(ns))
			bench_fail("no time from child");
		close(fds[0]);
		bench_reap(pid);
		bench_timer_add(ns);
		n -= k;
	}
}

int main(int argc, char **argv)
{
	bench_init(argc, argv, "cow_fault");
	mem = mmap(NULL, CHUNK, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED)
		bench_die("mmap");
	bench_no_thp(mem, CHUNK);
	memset(mem, 1, CHUNK);
	return bench_main(&(struct bench_spec){
		.name = "cow_fault", .unit = BENCH_NS, .iters = 120000,
		.body = body,
	});
}
