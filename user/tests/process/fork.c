/*
 * fork(2) and vfork(2): return values, copied vs shared memory (private
 * copy-on-write, MAP_SHARED, MADV_DONTFORK, MADV_WIPEONFORK), the shared
 * open file description (offset) vs the copied descriptor table, many
 * concurrent children, vfork's shared address space and suspended parent,
 * and EAGAIN from RLIMIT_NPROC for an unprivileged user.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tap.h"
#include "testutil.h"

#define NCHILD 16
/* A uid no other process on the machine uses: RLIMIT_NPROC counts per user. */
#define LONE_UID 47103

static volatile int global_value = 1;

static void test_return_values(void)
{
	pid_t parent = getpid();
	int fds[2];
	pid_t child, seen[2] = { 0, 0 };

	if (pipe(fds))
		tap_bail("pipe");
	child = fork();
	if (child == 0) {
		pid_t me[2] = { getpid(), getppid() };

		if (write(fds[1], me, sizeof(me)) != sizeof(me))
			_exit(1);
		_exit(0);
	}
	close(fds[1]);
	tap_ok(child > 0 && child != parent, "fork returns the child's new pid to the parent");
	tap_ok(read(fds[0], seen, sizeof(seen)) == sizeof(seen) && seen[0] == child,
	       "the child's getpid equals the value fork returned to the parent");
	tap_is_int(seen[1], parent, "the child's getppid is the parent");
	tap_is_int(wait_exit_code(child), 0, "the child exits normally");
	close(fds[0]);
}

static void test_memory(void)
{
	int go[2], fds[2];
	char *priv, *shared;
	pid_t child;
	char seen = 0;

	priv = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	shared = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (priv == MAP_FAILED || shared == MAP_FAILED || pipe(go) || pipe(fds))
		tap_bail("setup");
	priv[0] = 'a';
	shared[0] = 'a';
	global_value = 1;

	child = fork();
	if (child == 0) {
		char c;

		/* Children's writes to private memory stay in the child. */
		global_value = 2;
		shared[0] = 'c';
		/* Wait until the parent wrote its private copy, then report ours. */
		if (read(go[0], &c, 1) != 1)
			_exit(1);
		if (write(fds[1], &priv[0], 1) != 1)
			_exit(1);
		_exit(0);
	}
	priv[0] = 'p';
	if (write(go[1], "x", 1) != 1)
		tap_bail("write");
	tap_ok(read(fds[0], &seen, 1) == 1 && seen == 'a',
	       "a parent write after fork is not visible in the child (copy-on-write)");
	tap_is_int(wait_exit_code(child), 0, "the copy-on-write child exits normally");
	tap_is_int(global_value, 1, "a child write to a global is not visible in the parent");
	tap_is_int(shared[0], 'c', "a child write to MAP_SHARED memory is visible in the parent");
	munmap(priv, 4096);
	munmap(shared, 4096);
	close(go[0]);
	close(go[1]);
	close(fds[0]);
	close(fds[1]);
}

/* Regions marked MADV_DONTFORK are absent in the child: touching faults. */
static void test_madvise(void)
{
	char *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *w = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	pid_t child;
	int status = 0;

	if (p == MAP_FAILED || w == MAP_FAILED)
		tap_bail("mmap");
	p[0] = 1;
	w[0] = 7;
	tap_is_int(madvise(p, 4096, MADV_DONTFORK), 0, "madvise MADV_DONTFORK succeeds");
	child = fork();
	if (child == 0) {
		signal(SIGSEGV, SIG_DFL);
		_exit(*(volatile char *)p == 1 ? 10 : 11);
	}
	waitpid(child, &status, 0);
	tap_ok(WIFSIGNALED(status) && WTERMSIG(status) == SIGSEGV,
	       "touching a MADV_DONTFORK region in the child raises SIGSEGV");

	tap_is_int(madvise(w, 4096, MADV_WIPEONFORK), 0, "madvise MADV_WIPEONFORK succeeds");
	child = fork();
	if (child == 0)
		_exit(*(volatile char *)w);
	tap_is_int(wait_exit_code(child), 0, "a MADV_WIPEONFORK region reads as zero in the child");
	tap_is_int(w[0], 7, "the MADV_WIPEONFORK region keeps its content in the parent");
	munmap(p, 4096);
	munmap(w, 4096);
}

static void test_files(void)
{
	char path[] = "/tmp/keel-fork-XXXXXX";
	int fd = mkstemp(path);
	int fd2;
	pid_t child;

	if (fd < 0)
		tap_bail("mkstemp");
	unlink(path);
	fd2 = dup(fd);
	child = fork();
	if (child == 0) {
		/* Shared open file description: the offset moves for both. */
		if (write(fd, "hello", 5) != 5)
			_exit(1);
		/* Closing the child's copy of the descriptor is private. */
		close(fd2);
		_exit(0);
	}
	tap_is_int(wait_exit_code(child), 0, "the child writes through an inherited fd");
	tap_is_int(lseek(fd, 0, SEEK_CUR), 5,
		   "the file offset is shared with the child (same open file description)");
	tap_ok(fcntl(fd2, F_GETFD) >= 0,
	       "a descriptor closed in the child stays open in the parent");
	close(fd);
	close(fd2);
}

static void test_many(void)
{
	pid_t pids[NCHILD];
	int i, good = 0, distinct = 1;

	for (i = 0; i < NCHILD; i++) {
		pids[i] = fork();
		if (pids[i] == 0)
			_exit(100 + i);
		if (pids[i] < 0)
			tap_bail("fork %d", i);
	}
	for (i = 0; i < NCHILD; i++)
		for (int j = 0; j < i; j++)
			if (pids[i] == pids[j])
				distinct = 0;
	tap_ok(distinct, "%d concurrent children get distinct pids", NCHILD);
	/* Reap in reverse order to make sure each pid maps to its own status. */
	for (i = NCHILD - 1; i >= 0; i--)
		if (wait_exit_code(pids[i]) == 100 + i)
			good++;
	tap_is_int(good, NCHILD, "each of the %d children reports its own exit code", NCHILD);
	tap_is_errno(wait(NULL), ECHILD, "wait after reaping every child fails with ECHILD");
}

static void test_vfork(void)
{
	volatile int stage = 0;
	pid_t child;

	/*
	 * vfork(2): the child shares the parent's memory and the parent is
	 * suspended until the child calls _exit or execve. So the parent only
	 * ever observes the final value, never an intermediate one.
	 */
	child = vfork();
	if (child == 0) {
		stage = 1;
		for (int i = 0; i < 50; i++)
			syscall(SYS_sched_yield);
		stage = 2;
		_exit(3);
	}
	tap_is_int(stage, 2, "vfork: the parent resumes after the child exits and sees its writes");
	tap_is_int(wait_exit_code(child), 3, "vfork: the child's exit code is reported");

	child = vfork();
	if (child == 0) {
		char *argv[] = { "true", NULL };
		char *envp[] = { NULL };

		stage = 5;
		execve("/nonexistent/keel-no-such-file", argv, envp);
		/* The parent is still suspended: record the error for it. */
		stage = errno;
		_exit(4);
	}
	tap_is_int(stage, ENOENT, "vfork: a failed execve in the child keeps the parent suspended");
	tap_is_int(wait_exit_code(child), 4, "vfork: the child exits after the failed execve");
}

/* fork fails with EAGAIN when the user's RLIMIT_NPROC is reached. */
static void test_nproc(void)
{
	pid_t child = fork();

	if (child == 0) {
		struct rlimit rl = { 1, 1 };
		pid_t gc;

		if (drop_to_user(LONE_UID, LONE_UID))
			_exit(20);
		if (setrlimit(RLIMIT_NPROC, &rl))
			_exit(21);
		gc = fork();
		if (gc == 0)
			_exit(0);
		if (gc > 0)
			_exit(22);
		_exit(errno == EAGAIN ? 0 : 23);
	}
	tap_is_int(wait_exit_code(child), 0,
		   "an unprivileged fork beyond RLIMIT_NPROC fails with EAGAIN");
}

int main(void)
{
	alarm(25);	/* a safety net below the runner's 30 s timeout */
	test_return_values();
	test_memory();
	test_madvise();
	test_files();
	test_many();
	test_vfork();
	test_nproc();
	return tap_done();
}
