/*
 * uname(2), gethostname/sethostname and setdomainname: every field is a
 * NUL-terminated string that agrees with /proc/sys/kernel (ostype,
 * osrelease, version, hostname, domainname), machine is "x86_64", and the
 * error paths EFAULT, EINVAL (name too long or negative) and EPERM
 * (unprivileged). The hostname is only ever "changed" to its own value.
 */
#include <fcntl.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tap.h"
#include "testutil.h"

/* Read a one-line /proc file without its newline. */
static void read_line(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY);
	ssize_t n = fd < 0 ? -1 : read(fd, buf, size - 1);

	if (fd >= 0)
		close(fd);
	buf[n > 0 ? n : 0] = 0;
	if (n > 0 && buf[n - 1] == '\n')
		buf[n - 1] = 0;
}

static int terminated(const char *field)
{
	return memchr(field, 0, sizeof(((struct utsname *)0)->sysname)) != NULL;
}

int main(void)
{
	struct utsname u;
	char buf[256], host[256];
	int status;
	pid_t pid;

	alarm(25);	/* a safety net below the runner's 30 s timeout */
	memset(&u, 0x7f, sizeof(u));
	tap_is_int(uname(&u), 0, "uname succeeds");
	tap_ok(terminated(u.sysname) && terminated(u.nodename) && terminated(u.release) &&
	       terminated(u.version) && terminated(u.machine) && terminated(u.domainname),
	       "every utsname field is NUL-terminated within 65 bytes");
	tap_ok(u.sysname[0] && u.release[0] && u.version[0],
	       "sysname, release and version are not empty");
	tap_is_str(u.machine, "x86_64", "machine is x86_64");
	read_line("/proc/sys/kernel/ostype", buf, sizeof(buf));
	tap_is_str(u.sysname, buf, "sysname matches /proc/sys/kernel/ostype");
	read_line("/proc/sys/kernel/osrelease", buf, sizeof(buf));
	tap_is_str(u.release, buf, "release matches /proc/sys/kernel/osrelease");
	read_line("/proc/sys/kernel/version", buf, sizeof(buf));
	tap_is_str(u.version, buf, "version matches /proc/sys/kernel/version");
	read_line("/proc/sys/kernel/hostname", buf, sizeof(buf));
	tap_is_str(u.nodename, buf, "nodename matches /proc/sys/kernel/hostname");
	read_line("/proc/sys/kernel/domainname", buf, sizeof(buf));
	tap_is_str(u.domainname, buf, "domainname matches /proc/sys/kernel/domainname");
	tap_is_errno(syscall(SYS_uname, (void *)1), EFAULT,
		     "uname with a bad pointer fails with EFAULT");

	tap_ok(gethostname(host, sizeof(host)) == 0 && strcmp(host, u.nodename) == 0,
	       "gethostname returns the nodename");
	tap_is_int(sethostname(host, strlen(host)), 0, "root can sethostname (to the same name)");
	memset(buf, 'h', sizeof(buf));
	tap_is_errno(sethostname(buf, 65), EINVAL, "sethostname of 65 bytes fails with EINVAL");
	tap_is_errno(syscall(SYS_sethostname, host, -1), EINVAL,
		     "sethostname with a negative length fails with EINVAL");
	tap_is_errno(syscall(SYS_sethostname, (void *)1, 4), EFAULT,
		     "sethostname with a bad pointer fails with EFAULT");
	tap_is_errno(syscall(SYS_setdomainname, buf, 65), EINVAL,
		     "setdomainname of 65 bytes fails with EINVAL");

	pid = fork();
	if (pid == 0) {
		int a, b;

		if (drop_to_user(NOBODY, NOBODY))
			_exit(10);
		a = sethostname(host, strlen(host)) == -1 && errno == EPERM;
		b = syscall(SYS_setdomainname, u.domainname, strlen(u.domainname)) == -1 &&
		    errno == EPERM;
		_exit(a && b ? 0 : 1);
	}
	tap_ok(waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0,
	       "unprivileged sethostname and setdomainname fail with EPERM");
	uname(&u);
	tap_is_str(u.nodename, host, "the nodename is unchanged");
	return tap_done();
}
