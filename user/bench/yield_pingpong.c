/*
 * yield_pingpong - ns per round trip between two threads pinned to one
 * CPU that hand a turn flag back and forth, each calling sched_yield()
 * until it is its turn: a round trip is two sched_yield() calls and two
 * thread switches. Fails if it cannot pin while several CPUs are online.
 */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>

#include "lib/bench.h"

static atomic_int turn;		/* 0: main thread, 1: partner */
static atomic_int stop;

static void *partner(void *arg)
{
	for (;;) {
		while (atomic_load(&turn) != 1) {
			if (atomic_load(&stop))
				return NULL;
			sched_yield();
		}
		atomic_store(&turn, 0);
	}
}

static void body(uint64_t n, void *arg)
{
	for (uint64_t i = 0; i < n; i++) {
		atomic_store(&turn, 1);
		while (atomic_load(&turn) != 0)
			if (sched_yield() != 0)
				bench_die("sched_yield");
	}
}

int main(int argc, char **argv)
{
	pthread_t t;
	int err;

	bench_init(argc, argv, "yield_pingpong");
	bench_pin_one_cpu(1);
	if ((err = pthread_create(&t, NULL, partner, NULL)) != 0)
		bench_fail("pthread_create: error %d", err);
	bench_main(&(struct bench_spec){
		.name = "yield_pingpong", .unit = BENCH_NS, .iters = 120000,
		.body = body,
	});
	atomic_store(&stop, 1);
	pthread_join(t, NULL);
	return 0;
}
