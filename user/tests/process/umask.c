/*
 * umask(2): the previous value is returned, only the 0777 bits are kept,
 * the mask applies to open(O_CREAT), mkdir and mkfifo but not to chmod or
 * symlinks, it is inherited over fork and execve, and /proc/self/status
 * reports it (proc(5), "Umask").
 */
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tap.h"
#include "testutil.h"

static char dir[] = "/tmp/keel-umask-XXXXXX";
static char path[PATH_MAX];

static const char *in_dir(const char *name)
{
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return path;
}

static int mode_of(const char *p)
{
	struct stat st;

	return lstat(p, &st) ? -1 : (int)(st.st_mode & 07777);
}

int main(int argc, char **argv)
{
	char buf[16];
	int fd;
	pid_t pid;

	if (argc > 1 && strcmp(argv[1], "--report-umask") == 0)
		return umask(0);

	alarm(25);	/* a safety net below the runner's 30 s timeout */
	umask(022);
	tap_is_int(umask(027), 022, "umask returns the previous mask");
	tap_is_int(umask(07777), 027, "umask returns the mask set last");
	tap_is_int(umask(027), 0777, "only the permission bits 0777 of the mask are kept");
	proc_status("Umask", buf, 5);	/* four octal digits */
	tap_is_str(buf, "0027", "/proc/self/status shows the mask");

	if (!mkdtemp(dir))
		tap_bail("mkdtemp");
	fd = open(in_dir("file"), O_CREAT | O_WRONLY, 0666);
	tap_is_int(mode_of(in_dir("file")), 0640, "open(O_CREAT, 0666) under umask 027 gives 0640");
	close(fd);
	tap_ok(mkdir(in_dir("sub"), 0777) == 0 && mode_of(in_dir("sub")) == 0750,
	       "mkdir(0777) under umask 027 gives 0750");
	tap_ok(mkfifo(in_dir("fifo"), 0666) == 0 && mode_of(in_dir("fifo")) == 0640,
	       "mkfifo(0666) under umask 027 gives 0640");
	tap_ok(chmod(in_dir("file"), 0777) == 0 && mode_of(in_dir("file")) == 0777,
	       "chmod is not affected by the umask");
	tap_ok(symlink("file", in_dir("link")) == 0 && mode_of(in_dir("link")) == 0777,
	       "a symlink's mode is 0777 whatever the umask");
	umask(0);
	fd = open(in_dir("file0"), O_CREAT | O_WRONLY, 0666);
	tap_is_int(mode_of(in_dir("file0")), 0666, "under umask 0 the requested mode is kept");
	close(fd);

	umask(037);
	pid = fork();
	if (pid == 0)
		_exit(umask(0));
	tap_is_int(wait_exit_code(pid), 037, "the umask is inherited by a fork child");
	pid = fork();
	if (pid == 0) {
		char *args[] = { argv[0], "--report-umask", NULL };

		execv("/proc/self/exe", args);
		_exit(255);
	}
	tap_is_int(wait_exit_code(pid), 037, "the umask is kept across execve");
	tap_is_int(umask(022), 037, "a child's umask change does not affect the parent");

	unlink(in_dir("file"));
	unlink(in_dir("file0"));
	unlink(in_dir("fifo"));
	unlink(in_dir("link"));
	rmdir(in_dir("sub"));
	rmdir(dir);
	return tap_done();
}
