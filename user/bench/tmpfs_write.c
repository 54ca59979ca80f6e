/*
 * tmpfs_write - MB/s (10^6 bytes/s) writing a new file in the cwd (a
 * tmpfs) with 64 KiB write()s: after every 16 MiB the file is truncated
 * to zero (not timed), so each timed write allocates and fills fresh
 * page-cache pages.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/bench.h"

#define BUF (64u << 10)
#define FILE_BLOCKS 256		/* 16 MiB */

static int fd;
static char *buf;

static void body(uint64_t n, void *arg)
{
	while (n) {
		uint64_t k = n < FILE_BLOCKS ? n : FILE_BLOCKS;

		bench_timer_stop();
		if (ftruncate(fd, 0) != 0)
			bench_die("ftruncate");
		if (lseek(fd, 0, SEEK_SET) != 0)
			bench_die("lseek");
		bench_timer_start();
		for (uint64_t i = 0; i < k; i++)
			if (write(fd, buf, BUF) != BUF)
				bench_die("write");
		n -= k;
	}
}

int main(int argc, char **argv)
{
	const char *path;

	bench_init(argc, argv, "tmpfs_write");
	buf = malloc(BUF);
	if (!buf)
		bench_die("malloc");
	memset(buf, 'w', BUF);
	path = bench_tmpname("bench_tmpfs_write");
	fd = open(path, O_CREAT | O_RDWR | O_TRUNC, 0644);
	if (fd < 0)
		bench_die("create %s", path);
	bench_main(&(struct bench_spec){
		.name = "tmpfs_write", .unit = BENCH_MBS, .iters = 13000,
		.bytes_per_op = BUF, .body = body,
	});
	close(fd);
	unlink(path);
	return 0;
}
