/*
 * fork_exit - ns per fork() + child _exit(0) + parent waitpid(): process
 * creation with a copy of a small static address space, exit and reaping.
 */
#include <unistd.h>

#include "lib/bench.h"

static void body(uint64_t n, void *arg)
{
	for (uint64_t i = 0; i < n; i++) {
		pid_t pid = fork();

		if (pid < 0)
			bench_die("fork");
		if (pid == 0)
			_exit(0);
		bench_reap(pid);
	}
}

int main(int argc, char **argv)
{
	bench_init(argc, argv, "fork_exit");
	return bench_main(&(struct bench_spec){
		.name = "fork_exit", .unit = BENCH_NS, .iters = 1500,
		.body = body,
	});
}
