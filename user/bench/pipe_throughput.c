/*
 * pipe_throughput - MB/s (10^6 bytes/s) through a pipe written in 64 KiB
 * write()s by the parent and drained in 64 KiB read()s by a child
 * (processes not pinned). Timed from the first write until the child has
 * read every byte and reported back with one byte on a second pipe.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/bench.h"

#define BUF (64u << 10)

static int data[2], ack[2];
static char *buf;

static int read_full(int fd, char *p, size_t len)
{
	while (len) {
		ssize_t r = read(fd, p, len);

		if (r <= 0)
			return -1;
		p += r;
		len -= (size_t)r;
	}
	return 0;
}

static void body(uint64_t n, void *arg)
{
	char c;

	/* Tell the child how many blocks to read, then stream them. */
	bench_timer_stop();
	if (write(data[1], &n, sizeof(n)) != sizeof(n))
		bench_die("write count");
	if (read(ack[0], &c, 1) != 1)
		bench_fail("child gone");
	bench_timer_start();
	for (uint64_t i = 0; i < n; i++)
		if (write(data[1], buf, BUF) != BUF)
			bench_die("write");
	if (read(ack[0], &c, 1) != 1)
		bench_fail("child gone");
}

static void child(void)
{
	uint64_t n;
	char c = 'k';

	close(data[1]);
	close(ack[0]);
	while (read_full(data[0], (char *)&n, sizeof(n)) == 0) {
		if (write(ack[1], &c, 1) != 1)
			_exit(1);
		for (uint64_t i = 0; i < n; i++)
			if (read_full(data[0], buf, BUF) != 0)
				_exit(1);
		if (write(ack[1], &c, 1) != 1)
			_exit(1);
	}
	_exit(0);
}

int main(int argc, char **argv)
{
	pid_t pid;

	bench_init(argc, argv, "pipe_throughput");
	buf = malloc(BUF);
	if (!buf)
		bench_die("malloc");
	memset(buf, 'x', BUF);
	if (pipe(data) != 0 || pipe(ack) != 0)
		bench_die("pipe");
	pid = fork();
	if (pid < 0)
		bench_die("fork");
	if (pid == 0)
		child();
	close(data[0]);
	close(ack[1]);
	bench_main(&(struct bench_spec){
		.name = "pipe_throughput", .unit = BENCH_MBS, .iters = 8000,
		.bytes_per_op = BUF, .body = body,
	});
	close(data[1]);
	bench_reap(pid);
	return 0;
}
