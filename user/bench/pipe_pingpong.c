/*
 * pipe_pingpong - ns per round trip of one byte between two processes
 * over two pipes: the parent writes, the child reads and writes back, the
 * parent reads. Both are pinned to one CPU (when the kernel allows it),
 * so each round trip is two context switches plus four pipe calls.
 */
#include <unistd.h>

#include "lib/bench.h"

static int to_child[2], to_parent[2];

static void body(uint64_t n, void *arg)
{
	char c = 'p';

	for (uint64_t i = 0; i < n; i++) {
		if (write(to_child[1], &c, 1) != 1)
			bench_die("write");
		if (read(to_parent[0], &c, 1) != 1)
			bench_die("read");
	}
}

int main(int argc, char **argv)
{
	char c;
	pid_t pid;

	bench_init(argc, argv, "pipe_pingpong");
	bench_pin_one_cpu(0);
	if (pipe(to_child) != 0 || pipe(to_parent) != 0)
		bench_die("pipe");
	pid = fork();
	if (pid < 0)
		bench_die("fork");
	if (pid == 0) {
		close(to_child[1]);
		close(to_parent[0]);
		while (read(to_child[0], &c, 1) == 1)
			if (write(to_parent[1], &c, 1) != 1)
				_exit(1);
		_exit(0);
	}
	close(to_child[0]);
	close(to_parent[1]);
	bench_main(&(struct bench_spec){
		.name = "pipe_pingpong", .unit = BENCH_NS, .iters = 30000,
		.body = body,
	});
	close(to_child[1]);
	bench_reap(pid);
	return 0;
}
