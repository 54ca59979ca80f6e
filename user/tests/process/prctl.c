/*
 * prctl(2) basics: PR_SET_NAME/PR_GET_NAME (16-byte truncation,
 * /proc/self/comm, per-thread names, inheritance over fork, the executed
 * file's basename after execve), PR_SET_PDEATHSIG (reset in the fork child,
 * delivered when the parent dies), PR_SET_DUMPABLE, PR_SET_NO_NEW_PRIVS
 * (sticky), PR_SET_KEEPCAPS, and the EINVAL/EFAULT error paths.
 */
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tap.h"
#include "testutil.h"

static char self[PATH_MAX];

static void read_file(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY);
	ssize_t n = fd < 0 ? -1 : read(fd, buf, size - 1);

	buf[n > 0 ? n : 0] = 0;
	if (fd >= 0)
		close(fd);
}

static void *thread_rename(void *arg)
{
	char path[64], buf[32];

	prctl(PR_SET_NAME, "worker", 0, 0, 0);
	snprintf(path, sizeof(path), "/proc/self/task/%ld/comm", (long)syscall(SYS_gettid));
	read_file(path, buf, sizeof(buf));
	return (void *)(long)(strcmp(buf, "worker\n") == 0);
}

static void test_name(void)
{
	char name[32], comm[32], want[32];
	pthread_t t;
	void *ret = NULL;
	int fds[2];
	pid_t pid;
	const char *base;

	tap_is_int(prctl(PR_SET_NAME, "keel-name", 0, 0, 0), 0, "PR_SET_NAME succeeds");
	memset(name, 'x', sizeof(name));
	tap_is_int(prctl(PR_GET_NAME, name, 0, 0, 0), 0, "PR_GET_NAME succeeds");
	tap_is_str(name, "keel-name", "PR_GET_NAME returns the name that was set");
	read_file("/proc/self/comm", comm, sizeof(comm));
	tap_is_str(comm, "keel-name\n", "/proc/self/comm shows the name");

	prctl(PR_SET_NAME, "0123456789abcdefghij", 0, 0, 0);
	prctl(PR_GET_NAME, name, 0, 0, 0);
	tap_is_str(name, "0123456789abcde", "a long name is truncated to 15 bytes");

	pid = fork();
	if (pid == 0) {
		prctl(PR_GET_NAME, name, 0, 0, 0);
		_exit(strcmp(name, "0123456789abcde") == 0 ? 0 : 1);
	}
	tap_is_int(wait_exit_code(pid), 0, "the fork child inherits the name");

	tap_ok(pthread_create(&t, NULL, thread_rename, NULL) == 0 && pthread_join(t, &ret) == 0 &&
	       ret == (void *)1, "PR_SET_NAME in a thread renames that thread");
	prctl(PR_GET_NAME, name, 0, 0, 0);
	tap_is_str(name, "0123456789abcde", "a thread's PR_SET_NAME leaves the main thread's name");

	/* execve sets the name to the file's basename (first 15 bytes). */
	base = strrchr(self, '/');
	base = base ? base + 1 : self;
	memset(want, 0, sizeof(want));
	memcpy(want, base, strnlen(base, 15));
	if (pipe(fds))
		tap_bail("pipe");
	pid = fork();
	if (pid == 0) {
		char *argv[] = { "some-other-argv0", "--print-name", NULL };

		dup2(fds[1], 1);
		execv(self, argv);
		_exit(127);
	}
	close(fds[1]);
	memset(name, 0, sizeof(name));
	if (read(fds[0], name, sizeof(name) - 1) < 0)
		name[0] = 0;
	close(fds[0]);
	wait_exit_code(pid);
	tap_is_str(name, want, "after execve the name is the file's basename, not argv[0]");

	tap_is_errno(prctl(PR_GET_NAME, (char *)1, 0, 0, 0), EFAULT,
		     "PR_GET_NAME with a bad pointer fails with EFAULT");
	tap_is_errno(prctl(PR_SET_NAME, (char *)1, 0, 0, 0), EFAULT,
		     "PR_SET_NAME with a bad pointer fails with EFAULT");
	tap_is_errno(prctl(0x7fff1234, 0, 0, 0, 0), EINVAL, "an unknown option fails with EINVAL");
}

static void test_pdeathsig(void)
{
	int sig = -1, ready[2], status;
	pid_t mid, orphan = 0, pid;

	tap_is_int(prctl(PR_SET_PDEATHSIG, SIGUSR1, 0, 0, 0), 0, "PR_SET_PDEATHSIG succeeds");
	tap_ok(prctl(PR_GET_PDEATHSIG, &sig, 0, 0, 0) == 0 && sig == SIGUSR1,
	       "PR_GET_PDEATHSIG returns the signal");
	pid = fork();
	if (pid == 0) {
		sig = -1;
		prctl(PR_GET_PDEATHSIG, &sig, 0, 0, 0);
		_exit(sig == 0 ? 0 : 1);
	}
	tap_is_int(wait_exit_code(pid), 0, "the parent-death signal is cleared in a fork child");
	tap_is_errno(prctl(PR_SET_PDEATHSIG, 65, 0, 0, 0), EINVAL,
		     "PR_SET_PDEATHSIG with an invalid signal fails with EINVAL");
	prctl(PR_SET_PDEATHSIG, 0, 0, 0, 0);

	/*
	 * Delivery: a grandchild asks for SIGKILL when its parent dies, then
	 * the parent exits. We are the subreaper, so we reap the grandchild.
	 */
	prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
	if (pipe(ready))
		tap_bail("pipe");
	mid = fork();
	if (mid == 0) {
		pid_t gc, me = getpid();
		char c;

		gc = fork();
		if (gc == 0) {
			prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
			/* The parent may only die after the request is in place. */
			if (getppid() != me || write(ready[1], &c, 1) != 1)
				_exit(2);
			for (;;)
				pause();
		}
		if (read(ready[0], &c, 1) != 1 || write(ready[1], &gc, sizeof(gc)) != sizeof(gc))
			_exit(1);
		_exit(0);
	}
	/* The grandchild's pid arrives after its ready byte was consumed. */
	wait_exit_code(mid);
	if (read(ready[0], &orphan, sizeof(orphan)) != sizeof(orphan))
		tap_bail("read");
	tap_ok(waitpid(orphan, &status, 0) == orphan && WIFSIGNALED(status) &&
	       WTERMSIG(status) == SIGKILL,
			"the parent-death signal is delivered when the parent dies");
	prctl(PR_SET_CHILD_SUBREAPER, 0, 0, 0, 0);
	close(ready[0]);
	close(ready[1]);
}

static void test_flags(void)
{
	pid_t pid;

	tap_is_int(prctl(PR_GET_DUMPABLE, 0, 0, 0, 0), 1, "a root process is dumpable");
	tap_is_errno(prctl(PR_SET_DUMPABLE, 2, 0, 0, 0), EINVAL,
		     "PR_SET_DUMPABLE 2 fails with EINVAL");
	pid = fork();
	if (pid == 0) {
		int ok = prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) == 0 &&
			 prctl(PR_GET_DUMPABLE, 0, 0, 0, 0) == 0;
		_exit(ok ? 0 : 1);
	}
	tap_is_int(wait_exit_code(pid), 0, "PR_SET_DUMPABLE 0 is reported by PR_GET_DUMPABLE");

	tap_is_int(prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0), 0, "no_new_privs is initially clear");
	pid = fork();
	if (pid == 0) {
		int ok = prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0 &&
			 prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) == 1;
		/* It cannot be unset (prctl(2)). */
		int unset = prctl(PR_SET_NO_NEW_PRIVS, 0, 0, 0, 0) == -1 && errno == EINVAL;
		pid_t gc = fork();

		if (gc == 0)
			_exit(prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) == 1 ? 0 : 1);
		_exit(ok ? unset ? wait_exit_code(gc) == 0 ? 0 : 3 : 2 : 1);
	}
	tap_is_int(wait_exit_code(pid), 0,
		   "PR_SET_NO_NEW_PRIVS sticks, cannot be cleared (EINVAL) and is inherited");

	pid = fork();
	if (pid == 0) {
		int ok = prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) == 0 &&
			 prctl(PR_GET_KEEPCAPS, 0, 0, 0, 0) == 1;
		int bad = prctl(PR_SET_KEEPCAPS, 2, 0, 0, 0) == -1 && errno == EINVAL;

		_exit(ok && bad ? 0 : 1);
	}
	tap_is_int(wait_exit_code(pid), 0, "PR_SET_KEEPCAPS 1 is reported and 2 fails with EINVAL");
}

int main(int argc, char **argv)
{
	ssize_t n;

	if (argc > 1 && strcmp(argv[1], "--print-name") == 0) {
		char name[32] = "";

		prctl(PR_GET_NAME, name, 0, 0, 0);
		return write(1, name, strlen(name)) < 0;
	}
	alarm(25);	/* a safety net below the runner's 30 s timeout */
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n <= 0)
		tap_bail("readlink /proc/self/exe");
	self[n] = 0;
	test_name();
	test_pdeathsig();
	test_flags();
	return tap_done();
}
