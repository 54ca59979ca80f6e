/*
 * signal_roundtrip - ns per kill(self, SIGUSR1) that delivers the signal
 * to an installed handler and returns from it through sigreturn: signal
 * generation, frame setup, handler entry and sigreturn. The pid is
 * fetched once; the handler counts and the count is checked.
 */
#include <signal.h>
#include <unistd.h>

#include "lib/bench.h"

static volatile uint64_t hits;	/* only the handler writes it */
static pid_t self;

static void handler(int sig)
{
	hits++;
}

static void body(uint64_t n, void *arg)
{
	uint64_t h0 = hits;

	for (uint64_t i = 0; i < n; i++)
		if (kill(self, SIGUSR1) != 0)
			bench_die("kill");
	if (hits - h0 != n)
		bench_fail("%llu signals sent, %llu handled",
			   (unsigned long long)n, (unsigned long long)(hits - h0));
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = handler };

	bench_init(argc, argv, "signal_roundtrip");
	self = getpid();
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGUSR1, &sa, NULL) != 0)
		bench_die("sigaction");
	hits = 0;
	if (kill(self, SIGUSR1) != 0)
		bench_die("kill");
	if (hits != 1)
		bench_fail("handler did not run before kill() returned");
	bench_main(&(struct bench_spec){
		.name = "signal_roundtrip", .unit = BENCH_NS, .iters = 60000,
		.body = body,
	});
	return 0;
}
