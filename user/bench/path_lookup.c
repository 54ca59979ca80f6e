/*
 * path_lookup - ns per stat() of a 10-component relative path
 * (p0/p1/.../p8/f: nine directories and a file, built in the cwd, a
 * tmpfs): the cost of walking path components.
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/bench.h"

static char path[128];

static void body(uint64_t n, void *arg)
{
	struct stat st;

	for (uint64_t i = 0; i < n; i++)
		if (stat(path, &st) != 0)
			bench_die("stat %s", path);
}

int main(int argc, char **argv)
{
	char *ends[10];
	int fd, i;

	bench_init(argc, argv, "path_lookup");
	/* Top directory unique per process, then p1..p8, then the file. */
	snprintf(path, sizeof(path), "%s", bench_tmpname("bench_p0"));
	for (i = 1; i <= 9; i++) {
		if (mkdir(path, 0755) != 0)
			bench_die("mkdir %s", path);
		ends[i - 1] = path + strlen(path);
		if (i < 9)
			snprintf(ends[i - 1], sizeof(path) - strlen(path), "/p%d", i);
		else
			snprintf(ends[i - 1], sizeof(path) - strlen(path), "/f");
	}
	fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0644);
	if (fd < 0)
		bench_die("create %s", path);
	close(fd);
	bench_main(&(struct bench_spec){
		.name = "path_lookup", .unit = BENCH_NS, .iters = 170000,
		.body = body,
	});
	unlink(path);
	for (i = 8; i >= 0; i--) {
		*ends[i] = 0;
		rmdir(path);
	}
	return 0;
}
