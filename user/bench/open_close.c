/*
 * open_close - ns per open(O_RDONLY)+close() of an existing regular file
 * in the cwd (a tmpfs): one-component path lookup, file allocation, fd
 * install and release.
 */
#include <fcntl.h>
#include <unistd.h>

#include "lib/bench.h"

static const char *path;

static void body(uint64_t n, void *arg)
{
	for (uint64_t i = 0; i < n; i++) {
		int fd = open(path, O_RDONLY);

		if (fd < 0)
			bench_die("open %s", path);
		if (close(fd) != 0)
			bench_die("close");
	}
}

int main(int argc, char **argv)
{
	int fd;

	bench_init(argc, argv, "open_close");
	path = bench_tmpname("bench_open_close");
	fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0644);
	if (fd < 0)
		bench_die("create %s", path);
	close(fd);
	bench_main(&(struct bench_spec){
		.name = "open_close", .unit = BENCH_NS, .iters = 150000,
		.body = body,
	});
	unlink(path);
	return 0;
}
