/*
 * fork_exec - ns per fork() (copying the address space first) + execve() of the tiny static
 * program bench_true (found next to this program) + its exit + waitpid():
 * the cost of starting a new static program.
 */
#include <unistd.h>

#include "lib/bench.h"

static char *target;

static void body(uint64_t n, void *arg)
{
	char *args[] = { target, NULL };
	char *envp[] = { NULL };

	for (uint64_t i = 0; i < n; i++) {
		pid_t pid = fork();

		if (pid < 0)
			bench_die("fork");
		if (pid == 0) {
			execve(target, args, envp);
			_exit(127);
		}
		bench_reap(pid);
	}
}

int main(int argc, char **argv)
{
	bench_init(argc, argv, "fork_exec");
	target = bench_sibling("bench_true");
	return bench_main(&(struct bench_spec){
		.name = "fork_exec", .unit = BENCH_NS, .iters = 400,
		.body = body,
	});
}
