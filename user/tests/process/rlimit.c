/*
 * getrlimit/setrlimit/prlimit64: RLIMIT_NOFILE limits new descriptors
 * (open/dup → EMFILE, dup2 → EBADF, F_DUPFD → EINVAL), a hard limit above
 * fs.nr_open fails with EPERM, soft > hard and unknown resources fail with
 * EINVAL, an unprivileged process cannot raise its hard limit (EPERM) or
 * touch a root process's limits, prlimit64 on another process and its
 * ESRCH path, inheritance over fork, RLIMIT_FSIZE (EFBIG and SIGXFSZ), and
 * RLIMIT_AS (ENOMEM) (getrlimit(2)).
 */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tap.h"
#include "testutil.h"

static long read_long(const char *path)
{
	char buf[64];
	int fd = open(path, O_RDONLY);
	ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);

	if (fd >= 0)
		close(fd);
	if (n <= 0)
		return -1;
	buf[n] = 0;
	return strtol(buf, NULL, 10);
}

static void test_nofile(void)
{
	struct rlimit old, rl;
	int fd, last = -1, limit, top;

	tap_is_int(getrlimit(RLIMIT_NOFILE, &old), 0, "getrlimit(RLIMIT_NOFILE) succeeds");
	tap_ok(old.rlim_cur <= old.rlim_max && old.rlim_cur >= 3,
	       "the soft limit is at least 3 and at most the hard limit");

	/* The lowest free descriptor tells where the table is used up to. */
	top = dup(0);
	close(top);
	limit = top + 4;
	rl.rlim_cur = (rlim_t)limit;
	rl.rlim_max = old.rlim_max;
	tap_is_int(setrlimit(RLIMIT_NOFILE, &rl), 0, "lowering the soft RLIMIT_NOFILE succeeds");
	for (int i = 0; i < 100; i++) {
		fd = open("/dev/null", O_RDONLY);
		if (fd < 0)
			break;
		last = fd;
	}
	tap_ok(fd == -1 && errno == EMFILE, "open beyond RLIMIT_NOFILE fails with EMFILE");
	tap_is_int(last, limit - 1, "the highest descriptor handed out is the limit minus one");
	tap_is_errno(dup(0), EMFILE, "dup beyond RLIMIT_NOFILE fails with EMFILE");
	tap_is_errno(dup2(0, limit), EBADF,
		     "dup2 to a descriptor >= RLIMIT_NOFILE fails with EBADF");
	tap_is_errno(fcntl(0, F_DUPFD, limit), EINVAL,
		     "F_DUPFD with a minimum >= RLIMIT_NOFILE fails with EINVAL");
	for (fd = top; fd <= last; fd++)
		close(fd);
	tap_is_int(setrlimit(RLIMIT_NOFILE, &old), 0, "the soft limit can be raised back");
}

static void test_errors(void)
{
	struct rlimit old, rl;
	long nr_open = read_long("/proc/sys/fs/nr_open");

	getrlimit(RLIMIT_NOFILE, &old);
	rl.rlim_cur = old.rlim_max;
	rl.rlim_max = old.rlim_max - 1;
	tap_is_errno(setrlimit(RLIMIT_NOFILE, &rl), EINVAL,
		     "a soft limit above the hard limit fails with EINVAL");
	tap_is_errno(syscall(SYS_getrlimit, 100, &rl), EINVAL,
		     "getrlimit of an unknown resource fails with EINVAL");
	tap_is_errno(syscall(SYS_setrlimit, 100, &old), EINVAL,
		     "setrlimit of an unknown resource fails with EINVAL");
	tap_is_errno(syscall(SYS_getrlimit, RLIMIT_NOFILE, (void *)1), EFAULT,
		     "getrlimit with a bad pointer fails with EFAULT");
	tap_is_errno(syscall(SYS_setrlimit, RLIMIT_NOFILE, (void *)1), EFAULT,
		     "setrlimit with a bad pointer fails with EFAULT");
	tap_ok(nr_open > 0, "fs.nr_open is readable (%ld)", nr_open);
	rl.rlim_cur = rl.rlim_max = (rlim_t)nr_open + 1;
	/* Even root cannot go above fs.nr_open (kernel/sys.c do_prlimit). */
	tap_is_errno(setrlimit(RLIMIT_NOFILE, &rl), EPERM,
		     "RLIMIT_NOFILE above fs.nr_open fails with EPERM, even for root");
}

static void test_prlimit(void)
{
	struct rlimit rl, old, seen;
	int fds[2], ready[2];
	pid_t pid;

	getrlimit(RLIMIT_NOFILE, &rl);
	memset(&old, 0, sizeof(old));
	tap_ok(prlimit(0, RLIMIT_NOFILE, NULL, &old) == 0 && old.rlim_cur == rl.rlim_cur &&
	       old.rlim_max == rl.rlim_max, "prlimit(0) reads the own limits");

	/* Set a new value and get the previous one in one call. */
	seen = rl;
	seen.rlim_cur = 100;
	memset(&old, 0, sizeof(old));
	tap_ok(prlimit(getpid(), RLIMIT_NOFILE, &seen, &old) == 0 && old.rlim_cur == rl.rlim_cur,
	       "prlimit returns the old limit while setting a new one");
	getrlimit(RLIMIT_NOFILE, &seen);
	tap_is_int(seen.rlim_cur, 100, "the new limit set through prlimit is in effect");
	setrlimit(RLIMIT_NOFILE, &rl);

	/* Limits of another process: the child reports after we changed it. */
	if (pipe(fds) || pipe(ready))
		tap_bail("pipe");
	pid = fork();
	if (pid == 0) {
		char c;

		if (write(ready[1], "r", 1) != 1 || read(fds[0], &c, 1) != 1)
			_exit(1);
		getrlimit(RLIMIT_NOFILE, &seen);
		_exit(seen.rlim_cur == 77 ? 0 : 2);
	}
	{
		char c;

		if (read(ready[0], &c, 1) != 1)
			tap_bail("read");
	}
	seen = rl;
	seen.rlim_cur = 77;
	tap_is_int(prlimit(pid, RLIMIT_NOFILE, &seen, NULL), 0,
		   "root can prlimit another process");
	if (write(fds[1], "g", 1) != 1)
		tap_bail("write");
	tap_is_int(wait_exit_code(pid), 0, "the other process sees the new limit");
	close(fds[0]);
	close(fds[1]);
	close(ready[0]);
	close(ready[1]);

	/* A pid that cannot exist (above the maximum pid_max, 4194304). */
	tap_is_errno(prlimit(0x7ffffff0, RLIMIT_NOFILE, NULL, &old), ESRCH,
		     "prlimit on a nonexistent pid fails with ESRCH");

	rl.rlim_cur = 50;
	setrlimit(RLIMIT_NOFILE, &rl);
	pid = fork();
	if (pid == 0) {
		getrlimit(RLIMIT_NOFILE, &seen);
		_exit(seen.rlim_cur == 50 ? 0 : 1);
	}
	tap_is_int(wait_exit_code(pid), 0, "resource limits are inherited by a fork child");
	getrlimit(RLIMIT_NOFILE, &rl);
	rl.rlim_cur = rl.rlim_max;
	setrlimit(RLIMIT_NOFILE, &rl);
}

static void test_unprivileged(void)
{
	pid_t pid, parent = getpid();
	int status;

	pid = fork();
	if (pid == 0) {
		struct rlimit rl;
		int r = 0;

		if (drop_to_user(NOBODY, NOBODY))
			_exit(99);
		getrlimit(RLIMIT_NOFILE, &rl);
		rl.rlim_max -= 1;
		rl.rlim_cur = rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &rl) == 0)
			r |= 1;		/* lowering the hard limit is allowed */
		rl.rlim_max += 1;
		if (setrlimit(RLIMIT_NOFILE, &rl) == -1 && errno == EPERM)
			r |= 2;		/* raising it back is not */
		if (prlimit(parent, RLIMIT_NOFILE, NULL, &rl) == -1 && errno == EPERM)
			r |= 4;		/* nor reading a root process's limits */
		_exit(r);
	}
	waitpid(pid, &status, 0);
	status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
	tap_ok(status >= 0 && (status & 1), "an unprivileged process can lower its hard limit");
	tap_ok(status >= 0 && (status & 2),
	       "an unprivileged process cannot raise its hard limit (EPERM)");
	tap_ok(status >= 0 && (status & 4),
	       "an unprivileged process cannot prlimit a root process (EPERM)");
}

static void test_fsize_as(void)
{
	char buf[8192];
	int status;
	pid_t pid;

	memset(buf, 'f', sizeof(buf));
	pid = fork();
	if (pid == 0) {
		struct rlimit rl = { 4096, RLIM_INFINITY };
		char path[] = "/tmp/keel-rlimit-XXXXXX";
		int fd = mkstemp(path), r = 0;

		unlink(path);
		signal(SIGXFSZ, SIG_IGN);
		setrlimit(RLIMIT_FSIZE, &rl);
		if (write(fd, buf, sizeof(buf)) == 4096)
			r |= 1;		/* a write crossing the limit is short */
		if (write(fd, buf, 1) == -1 && errno == EFBIG)
			r |= 2;		/* a write at the limit fails */
		_exit(r);
	}
	waitpid(pid, &status, 0);
	tap_ok(WIFEXITED(status) && (WEXITSTATUS(status) & 1),
	       "a write crossing RLIMIT_FSIZE is cut at the limit");
	tap_ok(WIFEXITED(status) && (WEXITSTATUS(status) & 2),
	       "a write at RLIMIT_FSIZE fails with EFBIG when SIGXFSZ is ignored");

	pid = fork();
	if (pid == 0) {
		struct rlimit rl = { 4096, RLIM_INFINITY }, core = { 0, 0 };
		char path[] = "/tmp/keel-rlimit-XXXXXX";
		int fd = mkstemp(path);

		unlink(path);
		setrlimit(RLIMIT_CORE, &core);
		setrlimit(RLIMIT_FSIZE, &rl);
		if (write(fd, buf, 4096) != 4096)
			_exit(1);
		if (write(fd, buf, 1) < 0)
			_exit(2);
		_exit(3);
	}
	waitpid(pid, &status, 0);
	tap_ok(WIFSIGNALED(status) && WTERMSIG(status) == SIGXFSZ,
	       "a write beyond RLIMIT_FSIZE raises SIGXFSZ, which kills by default");

	pid = fork();
	if (pid == 0) {
		struct rlimit rl = { 64 << 20, 64 << 20 };
		void *p;

		if (setrlimit(RLIMIT_AS, &rl))
			_exit(1);
		p = mmap(NULL, 128 << 20, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p != MAP_FAILED)
			_exit(2);
		if (errno != ENOMEM)
			_exit(3);
		p = mmap(NULL, 1 << 20, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		_exit(p == MAP_FAILED ? 4 : 0);
	}
	tap_is_int(wait_exit_code(pid), 0,
		   "mmap beyond RLIMIT_AS fails with ENOMEM, within it succeeds");
}

int main(void)
{
	alarm(25);	/* a safety net below the runner's 30 s timeout */
	test_nofile();
	test_errors();
	test_prlimit();
	test_unprivileged();
	test_fsize_as();
	return tap_done();
}
