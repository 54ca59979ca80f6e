/*
 * tmpfs_read - MB/s (10^6 bytes/s) reading a 16 MiB file in the cwd (a
 * tmpfs), written once beforehand, with 64 KiB read()s, seeking back to
 * the start at the end of the file.
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

		if (lseek(fd, 0, SEEK_SET) != 0)
			bench_die("lseek");
		for (uint64_t i = 0; i < k; i++)
			if (read(fd, buf, BUF) != BUF)
				bench_die("read");
		n -= k;
	}
}

int main(int argc, char **argv)
{
	const char *path;

	bench_init(argc, argv, "tmpfs_read");
	buf = malloc(BUF);
	if (!buf)
		bench_die("malloc");
	memset(buf, 'r', BUF);
	path = bench_tmpname("bench_tmpfs_read");
	fd = open(path, O_CREAT | O_RDWR | O_TRUNC, 0644);
	if (fd < 0)
		bench_die("create %s", path);
	for (int i = 0; i < FILE_BLOCKS; i++)
		if (write(fd, buf, BUF) != BUF)
			bench_die("write");
	bench_main(&(struct bench_spec){
		.name = "tmpfs_read", .unit = BENCH_MBS, .iters = 30000,
		.bytes_per_op = BUF, .body = body,
	});
	close(fd);
	unlink(path);
	return 0;
}
