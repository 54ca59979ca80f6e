/*
 * stat - ns per stat() of an existing regular file in the cwd (a tmpfs):
 * one-component path lookup and attribute copy-out.
 */
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/bench.h"

static const char *path;

static void body(uint64_t n, void *arg)
{
	struct stat st;

	for (uint64_t i = 0; i < n; i++)
		if (stat(path, &st) != 0)
			bench_die("stat %s", path);
}

int main(int argc, char **argv)
{
	int fd;

	bench_init(argc, argv, "stat");
	path = bench_tmpname("bench_stat");
	fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0644);
	if (fd < 0)
		bench_die("create %s", path);
	close(fd);
	bench_main(&(struct bench_spec){
		.name = "stat", .unit = BENCH_NS, .iters = 350000,
		.body = body,
	});
	unlink(path);
	return 0;
}
