/*
 * epoll_100 - ns per epoll_wait() with a zero timeout on an epoll instance holding all 100 fds (level-triggered EPOLLIN), room for 100 events: the read ends of 100 pipes, of which 99
 * are idle and one (the last) holds a byte, so every call returns 1.
 */
#include <sys/epoll.h>
#include <unistd.h>

#include "lib/bench.h"

#define NFD 100

static int ep;

static void check(int r)
{
	if (r < 0)
		bench_die("epoll_wait");
	if (r != 1)
		bench_fail("epoll_wait returned %d, want 1", r);
}

static void body(uint64_t n, void *arg)
{
	struct epoll_event ev[NFD];

	for (uint64_t i = 0; i < n; i++)
		check(epoll_wait(ep, ev, NFD, 0));
}

int main(int argc, char **argv)
{
	int p[2];

	bench_init(argc, argv, "epoll_100");
	ep = epoll_create1(EPOLL_CLOEXEC);
	if (ep < 0)
		bench_die("epoll_create1");
	for (int i = 0; i < NFD; i++) {
		struct epoll_event ev = { .events = EPOLLIN };

		if (pipe(p) != 0)
			bench_die("pipe");
		ev.data.fd = p[0];
		if (epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev) != 0)
			bench_die("epoll_ctl");
		if (i == NFD - 1 && write(p[1], "x", 1) != 1)
			bench_die("write");
	}
	return bench_main(&(struct bench_spec){
		.name = "epoll_100", .unit = BENCH_NS, .iters = 700000,
		.body = body,
	});
}
