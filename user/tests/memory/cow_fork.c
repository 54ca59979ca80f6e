/*
 * Copy-on-write across fork(2): private memory (anonymous mappings, .data,
 * .bss) starts out equal in parent and child, and from then on writes by
 * either side are invisible to the other; MAP_SHARED anonymous memory is
 * one object seen by both. Concurrent atomic increments from both processes
 * on a shared counter all land. Children report through their exit status;
 * ordering is forced with pipes, never with sleeps.
 */
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tap.h"
#include "testutil.h"

#define PG 4096UL
#define NPAGES 64
#define INCS 20000

static int data_var = 42;	/* .data */
static int bss_var;		/* .bss */

static void wait_byte(int fd)
{
	char c;

	if (read(fd, &c, 1) != 1)
		_exit(99);
}

static void send_byte(int fd)
{
	if (write(fd, "x", 1) != 1)
		tap_bail("pipe write failed");
}

int main(void)
{
	char *priv, *shared, *many;
	volatile long *counter, private_count = 0;
	int go[2], done[2];
	pid_t pid, pid2;
	int ok;

	alarm(60);	/* Safety net: nothing here should block for long */
	tap_plan(14);

	priv = map_anon(NULL, PG, 0);
	shared = map_anon(NULL, PG, MAP_SHARED);
	many = map_anon(NULL, NPAGES * PG, 0);
	if (priv == MAP_FAILED || shared == MAP_FAILED || many == MAP_FAILED)
		tap_bail("mmap failed");
	strcpy(priv, "parent");
	for (int i = 0; i < NPAGES; i++)
		many[i * PG] = 'P';

	/* Child sees pre-fork data, its writes stay private. */
	pid = fork();
	if (pid == 0) {
		int bad = strcmp(priv, "parent") != 0 || data_var != 42;

		strcpy(priv, "child");
		data_var = 7;
		bss_var = 7;
		_exit(bad ? 1 : strcmp(priv, "child") != 0 ? 2 : 0);
	}
	tap_is_int(wait_exit_code(pid), 0, "the child sees the parent's pre-fork memory and its own writes");
	tap_is_str(priv, "parent", "a child's write to a private page is not seen by the parent");
	tap_ok(data_var == 42 && bss_var == 0, "a child's writes to .data and .bss are not seen by the parent");

	/* Parent writes after fork are not seen by the child. */
	if (pipe(go) < 0 || pipe(done) < 0)
		tap_bail("pipe failed");
	pid = fork();
	if (pid == 0) {
		wait_byte(go[0]);
		_exit(strcmp(priv, "parent") == 0 && data_var == 42 ? 0 : 1);
	}
	strcpy(priv, "PARENT");
	data_var = 43;
	send_byte(go[1]);
	tap_is_int(wait_exit_code(pid), 0, "a parent's write after fork is not seen by the child");
	data_var = 42;

	/* MAP_SHARED is shared both ways. */
	strcpy(shared, "before");
	pid = fork();
	if (pid == 0) {
		wait_byte(go[0]);
		if (strcmp(shared, "from parent") != 0)
			_exit(1);
		strcpy(shared, "from child");
		send_byte(done[1]);
		_exit(0);
	}
	strcpy(shared, "from parent");
	send_byte(go[1]);
	wait_byte(done[0]);
	tap_is_str(shared, "from child", "a child's write to MAP_SHARED memory is seen by the parent");
	tap_is_int(wait_exit_code(pid), 0, "a parent's write to MAP_SHARED memory is seen by the child");

	/* Concurrent increments: shared ones add up, private ones do not. */
	counter = (volatile long *)(shared + 64);
	*counter = 0;
	pid = fork();
	if (pid == 0) {
		for (int i = 0; i < INCS; i++) {
			__atomic_fetch_add(counter, 1, __ATOMIC_RELAXED);
			private_count++;
		}
		_exit(0);
	}
	for (int i = 0; i < INCS; i++) {
		__atomic_fetch_add(counter, 1, __ATOMIC_RELAXED);
		private_count++;
	}
	tap_is_int(wait_exit_code(pid), 0, "the incrementing child exits cleanly");
	tap_is_int(*counter, 2 * INCS, "concurrent atomic increments on shared memory all land");
	tap_is_int(private_count, INCS, "the child's increments of a private variable stay in the child");

	/* A child rewriting every page of a large region leaves ours intact. */
	pid = fork();
	if (pid == 0) {
		for (int i = 0; i < NPAGES; i++)
			many[i * PG] = 'C';
		for (int i = 0; i < NPAGES; i++)
			if (many[i * PG] != 'C')
				_exit(1);
		_exit(0);
	}
	tap_is_int(wait_exit_code(pid), 0, "the child rewrites all pages of a private region");
	ok = 1;
	for (int i = 0; i < NPAGES; i++)
		if (many[i * PG] != 'P')
			ok = 0;
	tap_ok(ok, "every page of the parent's region is unchanged");

	/* After the child is gone the parent can still write its pages. */
	for (int i = 0; i < NPAGES; i++)
		many[i * PG] = (char)i;
	ok = 1;
	for (int i = 0; i < NPAGES; i++)
		if (many[i * PG] != (char)i)
			ok = 0;
	tap_ok(ok, "the parent writes its formerly shared pages after the child exits");

	/* Three generations each keep their own copy. */
	strcpy(priv, "gen0");
	pid = fork();
	if (pid == 0) {
		strcpy(priv, "gen1");
		pid2 = fork();
		if (pid2 == 0) {
			int bad = strcmp(priv, "gen1") != 0;

			strcpy(priv, "gen2");
			_exit(bad);
		}
		_exit(wait_exit_code(pid2) != 0 || strcmp(priv, "gen1") != 0);
	}
	tap_ok(wait_exit_code(pid) == 0 && strcmp(priv, "gen0") == 0,
	       "parent, child and grandchild each keep their own copy of a page");

	/* Two children write the same COW page concurrently. */
	strcpy(priv, "orig");
	pid = fork();
	if (pid == 0) {
		wait_byte(go[0]);
		strcpy(priv, "one");
		_exit(strcmp(priv, "one") != 0);
	}
	pid2 = fork();
	if (pid2 == 0) {
		wait_byte(go[0]);
		strcpy(priv, "two");
		_exit(strcmp(priv, "two") != 0);
	}
	send_byte(go[1]);
	send_byte(go[1]);
	ok = wait_exit_code(pid) == 0;
	ok = wait_exit_code(pid2) == 0 && ok;
	tap_ok(ok && strcmp(priv, "orig") == 0,
	       "two children writing one COW page each get a private copy");
	return tap_done();
}
