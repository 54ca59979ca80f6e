/*
 * create_unlink - ops/s, one op being open(O_CREAT|O_EXCL|O_WRONLY) +
 * close() + unlink() of a new empty file in the cwd (a tmpfs).
 */
#include <fcntl.h>
#include <unistd.h>

#include "lib/bench.h"

static const char *path;

static void body(uint64_t n, void *arg)
{
	for (uint64_t i = 0; i < n; i++) {
		int fd = open(path, O_CREAT | O_EXCL | O_WRONLY, 0644);

		if (fd < 0)
			bench_die("create %s", path);
		if (close(fd) != 0)
			bench_die("close");
		if (unlink(path) != 0)
			bench_die("unlink %s", path);
	}
}

int main(int argc, char **argv)
{
	bench_init(argc, argv, "create_unlink");
	path = bench_tmpname("bench_create_unlink");
	unlink(path);
	return bench_main(&(struct bench_spec){
		.name = "create_unlink", .unit = BENCH_OPS, .iters = 30000,
		.body = body,
	});
}
