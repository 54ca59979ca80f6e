/*
 * devnull_read - ns per 1-byte read() on /dev/null (opened once, O_RDONLY):
 * system call entry, file descriptor lookup and the device's read method.
 */
#include <fcntl.h>
#include <unistd.h>

#include "lib/bench.h"

static int fd;

static void body(uint64_t n, void *arg)
{
	char c = 'x';

	for (uint64_t i = 0; i < n; i++)
		if (read(fd, &c, 1) != 0)
			bench_die("read /dev/null");
}

int main(int argc, char **argv)
{
	bench_init(argc, argv, "devnull_read");
	fd = open("/dev/null", O_RDONLY);
	if (fd < 0)
		bench_die("open /dev/null");
	return bench_main(&(struct bench_spec){
		.name = "devnull_read", .unit = BENCH_NS, .iters = 1300000,
		.body = body,
	});
}
