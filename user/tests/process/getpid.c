/*
 * getpid/getppid/gettid basics: positive and stable ids, gettid equal to
 * getpid in a single-threaded process, the /proc/self link naming the
 * caller, and the ids seen by a fork child (its own pid and tid, the
 * parent as getppid).
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tap.h"

int main(void)
{
	pid_t pid, child;
	char link[32] = "";
	ssize_t n;
	int status;

	alarm(25);	/* a safety net below the runner's 30 s timeout */
	pid = getpid();
	tap_ok(pid > 0, "getpid returns a positive pid");
	tap_is_int(syscall(SYS_getpid), pid, "the raw getpid agrees with the libc one");
	tap_is_int(getpid(), pid, "getpid is stable across calls");
	tap_is_int(syscall(SYS_gettid), pid, "gettid equals getpid in a single-threaded process");
	tap_ok(getppid() > 0 && getppid() != pid, "getppid returns another positive pid");
	n = readlink("/proc/self", link, sizeof(link) - 1);
	link[n > 0 ? n : 0] = 0;
	tap_is_int(atoi(link), pid, "/proc/self links to the caller's pid");

	child = fork();
	if (child == 0)
		_exit(getppid() == pid && syscall(SYS_gettid) == getpid() && getpid() != pid ? 0 : 1);
	tap_ok(child > 0 && child != pid, "fork returns a new pid to the parent");
	tap_ok(waitpid(child, &status, 0) == child && WIFEXITED(status) &&
	       WEXITSTATUS(status) == 0,
	       "the child has its own pid equal to its tid and sees the parent as getppid");
	return tap_done();
}
