/*
 * select_100 - ns per select() with a zero timeout; the fd_set is rebuilt from a saved copy each call: the read ends of 100 pipes, of which 99
 * are idle and one (the last) holds a byte, so every call returns 1.
 */
#include <sys/select.h>
#include <unistd.h>

#include "lib/bench.h"

#define NFD 100

static fd_set master;
static int maxfd;

static void check(int r)
{
	if (r < 0)
		bench_die("select");
	if (r != 1)
		bench_fail("select returned %d, want 1", r);
}

static void body(uint64_t n, void *arg)
{
	for (uint64_t i = 0; i < n; i++) {
		fd_set r = master;
		struct timeval tv = { 0, 0 };

		check(select(maxfd + 1, &r, NULL, NULL, &tv));
	}
}

int main(int argc, char **argv)
{
	int p[2];

	bench_init(argc, argv, "select_100");
	FD_ZERO(&master);
	for (int i = 0; i < NFD; i++) {
		if (pipe(p) != 0)
			bench_die("pipe");
		if (p[0] >= FD_SETSIZE)
			bench_fail("fd %d too big for select", p[0]);
		FD_SET(p[0], &master);
		if (p[0] > maxfd)
			maxfd = p[0];
		if (i == NFD - 1 && write(p[1], "x", 1) != 1)
			bench_die("write");
	}
	return bench_main(&(struct bench_spec){
		.name = "select_100", .unit = BENCH_NS, .iters = 100000,
		.body = body,
	});
}
