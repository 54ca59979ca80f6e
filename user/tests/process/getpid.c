/*
 * getpid/getppid/gettid basics.
 */
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tap.h"

int main(void)
{
	pid_t pid, child;
	int status;

	tap_plan(4);
	pid = getpid();
	tap_ok(pid > 0, "getpid returns a positive pid");
	tap_is_int(syscall(SYS_gettid), pid, "gettid equals getpid in a single-threaded process");
	child = fork();
	if (child == 0)
		_exit(getppid() == pid ? 0 : 1);
	tap_ok(child > 0 && child != pid, "fork returns a new pid to the parent");
	tap_ok(waitpid(child, &status, 0) == child && WIFEXITED(status) &&
	       WEXITSTATUS(status) == 0, "the child sees the parent as getppid");
	return tap_done();
}
