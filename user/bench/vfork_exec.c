/*
 * vfork_exec - ns per vfork() (the parent sleeps until the child execs) + execve() of the tiny static
 * program bench_true (found next to this program) + its exit + waitpid():
 * the cost of starting a new static program.
 */
#include <unistd.h>

#include "lib/bench.h"

static char *target;

/* The vfork child runs on this frame until execve(); keep it separate. */
static __attribute__((noinline)) pid_t spawn(void)
{
	char *args[] = { target, NULL };
	char *envp[] = { NULL };
	pid_t pid = vfork();

	if (pid == 0) {
		execve(target, args, envp);
		_exit(127);
	}
	return pid;
}

static void body(uint64_t n, void *arg)
{
	for (uint64_t i = 0; i < n; i++) {
		pid_t pid = spawn();

		if (pid < 0)
			bench_die("vfork");
		bench_reap(pid);
	}
}

int main(int argc, char **argv)
{
	bench_init(argc, argv, "vfork_exec");
	target = bench_sibling("bench_true");
	return bench_main(&(struct bench_spec){
		.name = "vfork_exec", .unit = BENCH_NS, .iters = 400,
		.body = body,
	});
}
