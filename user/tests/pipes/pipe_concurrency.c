/*
 * Pipes between processes: writes of at most PIPE_BUF bytes from several
 * writers are never interleaved (man 7 pipe), a blocked reader is woken by
 * a writer in another process and by the last writer closing (EOF), a
 * blocking write larger than the capacity completes while the reader
 * drains, a writer blocked on a full pipe gets EPIPE when the last reader
 * closes, and two readers split the data without losing or duplicating it.
 *
 * No sleeps: processes synchronise through pipes and waitpid; alarm()
 * turns a missed wake-up into a failure instead of a hang.
 */
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sched.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tap.h"
#include "testutil.h"

#define WRITERS 4
#define RECORDS 128

/*
 * Best effort: wait (bounded) until @pid sleeps, so that the wake-up path
 * is exercised.  Correctness never depends on it: without /proc, or if the
 * state is never seen, the test just runs without that guarantee.
 */
static void wait_until_sleeping(pid_t pid)
{
	char state;

	for (int i = 0; i < 20000; i++) {
		state = proc_stat_state("/proc/%d/stat", (int)pid);
		if (!state || state == 'S')
			return;
		sched_yield();
	}
}

/* Several writers, records of @size <= PIPE_BUF bytes tagged by writer. */
static void atomicity(size_t size, const char *what)
{
	static char rec[PIPE_BUF];
	int p[2], i, w, bad = 0, counts[WRITERS] = {0}, all_ok = 1;
	pid_t pids[WRITERS];
	size_t j;

	pipe(p);
	for (w = 0; w < WRITERS; w++) {
		pids[w] = fork();
		if (pids[w] == 0) {
			close(p[0]);
			memset(rec, 'A' + w, size);
			for (i = 0; i < RECORDS; i++)
				if (write(p[1], rec, size) != (ssize_t)size)
					_exit(1);
			_exit(0);
		}
	}
	close(p[1]);
	for (i = 0; i < WRITERS * RECORDS; i++) {
		if (read_all(p[0], rec, size) != (ssize_t)size) {
			bad++;
			break;
		}
		for (j = 1; j < size; j++)
			if (rec[j] != rec[0])
				break;
		if (j != size || rec[0] < 'A' || rec[0] >= 'A' + WRITERS)
			bad++;
		else
			counts[rec[0] - 'A']++;
	}
	tap_is_int(read(p[0], rec, 1), 0, "%s: nothing follows the %d records",
		   what, WRITERS * RECORDS);
	close(p[0]);
	for (w = 0; w < WRITERS; w++)
		all_ok &= wait_exit_code(pids[w]) == 0 && counts[w] == RECORDS;
	tap_is_int(bad, 0, "%s: every record arrives unbroken", what);
	tap_ok(all_ok, "%s: each writer's %d records all arrive", what,
	       RECORDS);
}

int main(void)
{
	static char big[256 * 1024], back[256 * 1024];
	int p[2], sync[2], i, sum_ok;
	uint32_t v, got[2];
	char buf[64];
	pid_t pid, r1, r2;
	ssize_t n;

	alarm(30);
	tap_plan(15);

	atomicity(PIPE_BUF, "PIPE_BUF-byte writes");
	atomicity(100, "100-byte writes");

	/* A blocked reader is woken by a writer in another process. */
	pipe(p);
	pid = fork();
	if (pid == 0) {
		close(p[0]);
		wait_until_sleeping(getppid());
		write(p[1], "wake", 4);
		_exit(0);
	}
	close(p[1]);
	memset(buf, 0, sizeof(buf));
	n = read(p[0], buf, sizeof(buf));
	tap_ok(n == 4 && !memcmp(buf, "wake", 4),
	       "a blocked read returns the data another process writes");
	wait_exit_code(pid);
	close(p[0]);

	/* A blocked reader gets EOF when the last writer elsewhere closes. */
	pipe(p);
	pid = fork();
	if (pid == 0) {
		close(p[1]);
		_exit(read(p[0], buf, sizeof(buf)) == 0 ? 0 : 1);
	}
	close(p[0]);
	wait_until_sleeping(pid);
	close(p[1]);
	tap_ok(wait_exit_code(pid) == 0,
	       "a blocked read returns 0 when the last writer closes");

	/* A blocking write of 4x the capacity completes as the reader drains */
	for (i = 0; i < (int)sizeof(big); i++)
		big[i] = (char)(i * 7 + i / 4096);
	pipe(p);
	pid = fork();
	if (pid == 0) {
		close(p[0]);
		n = write(p[1], big, sizeof(big));
		_exit(n == (ssize_t)sizeof(big) ? 0 : 1);
	}
	close(p[1]);
	n = read_all(p[0], back, sizeof(back));
	tap_is_int(n, sizeof(big),
		   "a reader receives all of a write larger than the capacity");
	tap_ok(!memcmp(big, back, sizeof(big)),
	       "the large write arrives intact and in order");
	tap_ok(wait_exit_code(pid) == 0,
	       "the single blocking write returns the full count");
	close(p[0]);

	/* A writer blocked on a full pipe gets EPIPE when the reader leaves. */
	pipe(p);
	pipe(sync);
	pid = fork();
	if (pid == 0) {
		signal(SIGPIPE, SIG_IGN);
		close(p[0]);
		close(sync[0]);
		fcntl(p[1], F_SETFL, O_NONBLOCK);
		while (write(p[1], big, 4096) > 0)
			;
		fcntl(p[1], F_SETFL, 0);
		write(sync[1], "f", 1); /* full: the next write blocks */
		n = write(p[1], "x", 1);
		_exit(n == -1 && errno == EPIPE ? 0 : 1);
	}
	close(p[1]);
	close(sync[1]);
	read(sync[0], buf, 1);
	wait_until_sleeping(pid);
	close(p[0]);
	tap_ok(wait_exit_code(pid) == 0,
	       "a writer blocked on a full pipe gets EPIPE when the last reader closes");
	close(sync[0]);

	/* Two readers share one stream: nothing lost, nothing duplicated. */
	pipe(p);
	pipe(sync);
	for (i = 0; i < 2; i++) {
		pid = fork();
		if (pid == 0) {
			uint32_t count = 0, sum = 0;

			close(p[1]);
			close(sync[0]);
			while (read_all(p[0], &v, sizeof(v)) == sizeof(v)) {
				count++;
				sum += v;
			}
			write(sync[1], (uint32_t[]){count, sum}, 8);
			_exit(0);
		}
		if (i == 0)
			r1 = pid;
		else
			r2 = pid;
	}
	close(p[0]);
	close(sync[1]);
	for (v = 1; v <= 10000; v++)
		write(p[1], &v, sizeof(v));
	close(p[1]);
	read_all(sync[0], got, 8);
	sum_ok = (int)got[0];
	i = (int)got[1];
	read_all(sync[0], got, 8);
	tap_is_int(sum_ok + (int)got[0], 10000,
		   "two readers together receive every 4-byte record once");
	tap_is_int((uint32_t)i + got[1], 10000u * 10001u / 2,
		   "the records the two readers got sum up correctly");
	tap_ok(wait_exit_code(r1) == 0 && wait_exit_code(r2) == 0,
	       "both readers see EOF after the writer closes");
	close(sync[0]);

	return tap_done();
}
