/*
 * poll_100 - ns per poll() with a zero timeout on an array of 100 pollfds (POLLIN): the read ends of 100 pipes, of which 99
 * are idle and one (the last) holds a byte, so every call returns 1.
 */
#include <poll.h>
#include <unistd.h>

#include "lib/bench.h"

#define NFD 100

static struct pollfd pfd[NFD];

static void check(int r)
{
	if (r < 0)
		bench_die("poll");
	if (r != 1)
		bench_fail("poll returned %d, want 1", r);
}

static void body(uint64_t n, void *arg)
{
	for (uint64_t i = 0; i < n; i++)
		check(poll(pfd, NFD, 0));
}

int main(int argc, char **argv)
{
	int p[2];

	bench_init(argc, argv, "poll_100");
	for (int i = 0; i < NFD; i++) {
		if (pipe(p) != 0)
			bench_die("pipe");
		pfd[i] = (struct pollfd){ .fd = p[0], .events = POLLIN };
		if (i == NFD - 1 && write(p[1], "x", 1) != 1)
			bench_die("write");
	}
	return bench_main(&(struct bench_spec){
		.name = "poll_100", .unit = BENCH_NS, .iters = 100000,
		.body = body,
	});
}
