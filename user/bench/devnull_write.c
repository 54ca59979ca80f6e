/*
 * devnull_write - ns per 1-byte write() on /dev/null (opened once, O_WRONLY):
 * system call entry, file descriptor lookup and the device's write method.
 */
#include <fcntl.h>
#include <unistd.h>

#include "lib/bench.h"

static int fd;

static void body(uint64_t n, void *arg)
{
	char c = 'x';

	for (uint64_t i = 0; i < n; i++)
		if (write(fd, &c, 1) != 1)
			bench_die("write /dev/null");
}

int main(int argc, char **argv)
{
	bench_init(argc, argv, "devnull_write");
	fd = open("/dev/null", O_WRONLY);
	if (fd < 0)
		bench_die("open /dev/null");
	return bench_main(&(struct bench_spec){
		.name = "devnull_write", .unit = BENCH_NS, .iters = 1300000,
		.body = body,
	});
}
