/*
 * futex_pingpong - ns per round trip between two threads through two
 * private futex words: main sets a=1 and FUTEX_WAKEs it, then
 * FUTEX_WAITs on b; the partner waits on a, clears it, sets b=1 and wakes
 * it. Both threads are pinned to one CPU (when the kernel allows it), so
 * each round trip is two wakes, two sleeps and two thread switches.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "lib/bench.h"

/* From <linux/futex.h>, which musl-gcc does not see. */
#define FUTEX_WAIT_PRIVATE 128
#define FUTEX_WAKE_PRIVATE 129

static atomic_int a, b, stop;

static void fwait(atomic_int *w)
{
	while (atomic_load(w) == 0) {
		if (syscall(SYS_futex, w, FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0) != 0
		    && errno != EAGAIN && errno != EINTR)
			bench_die("FUTEX_WAIT");
	}
	atomic_store(w, 0);
}

static void fwake(atomic_int *w)
{
	atomic_store(w, 1);
	if (syscall(SYS_futex, w, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0) < 0)
		bench_die("FUTEX_WAKE");
}

static void *partner(void *arg)
{
	for (;;) {
		fwait(&a);
		if (atomic_load(&stop))
			return NULL;
		fwake(&b);
	}
}

static void body(uint64_t n, void *arg)
{
	for (uint64_t i = 0; i < n; i++) {
		fwake(&a);
		fwait(&b);
	}
}

int main(int argc, char **argv)
{
	pthread_t t;
	int err;

	bench_init(argc, argv, "futex_pingpong");
	bench_pin_one_cpu(0);
	if ((err = pthread_create(&t, NULL, partner, NULL)) != 0)
		bench_fail("pthread_create: error %d", err);
	bench_main(&(struct bench_spec){
		.name = "futex_pingpong", .unit = BENCH_NS, .iters = 60000,
		.body = body,
	});
	atomic_store(&stop, 1);
	fwake(&a);
	pthread_join(t, NULL);
	return 0;
}
