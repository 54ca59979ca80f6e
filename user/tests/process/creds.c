/*
 * Credentials: getuid/geteuid/getgid/getegid/getresuid/getresgid,
 * setuid/setreuid/setresuid, setgid/setresgid, setgroups/getgroups, as root
 * and after dropping privileges, including the EPERM paths of an
 * unprivileged process, the saved set-user-ID rules (setuid(2),
 * setreuid(2), setresuid(2)), regaining root through a saved uid of 0,
 * capability sets cleared by the drop (capabilities(7)), /proc/self/status,
 * and EINVAL/EFAULT for bad arguments.
 *
 * The tests run as root; every credential change happens in a forked child
 * that sends its observations to the parent through a pipe (a value, or
 * -errno for a failed call), and the parent prints the TAP results.
 */
#include <fcntl.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tap.h"
#include "testutil.h"

#define MAX_OBS 64

struct cap_header {
	unsigned int version;
	int pid;
};

struct cap_data {
	unsigned int effective, permitted, inheritable;
};

#define CAP_VERSION_3 0x20080522
#define CAP_SETUID_BIT (1u << 7)

static long obs[MAX_OBS];
static int nobs;

/* Child side: record a value, or a call's result as its value or -errno. */
#define REC(v) (obs[nobs++] = (long)(v))
#define REC_CALL(expr)                                       \
	({                                                   \
		errno = 0;                                   \
		long r_ = (long)(expr);                      \
		obs[nobs++] = r_ == -1 ? -(long)errno : r_;  \
	})

static long got[MAX_OBS];
static int ngot, cursor;

/* Run @fn in a child and collect what it recorded. */
static void in_child(void (*fn)(void))
{
	int fds[2], status;
	pid_t pid;

	if (pipe(fds))
		tap_bail("pipe");
	pid = fork();
	if (pid < 0)
		tap_bail("fork");
	if (pid == 0) {
		close(fds[0]);
		nobs = 0;
		fn();
		if (write(fds[1], obs, sizeof(long) * (size_t)nobs) < 0)
			_exit(1);
		_exit(0);
	}
	close(fds[1]);
	memset(got, 0x55, sizeof(got));
	ngot = (int)(read(fds[0], got, sizeof(got)) / (ssize_t)sizeof(long));
	cursor = 0;
	close(fds[0]);
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status))
		tap_diag("child ended with status %#x", status);
}

/* Parent side: the next recorded observation. */
static long next(void)
{
	return cursor < ngot ? got[cursor++] : -99999;
}

static unsigned int cap_effective(void)
{
	struct cap_header h = { CAP_VERSION_3, 0 };
	struct cap_data d[2];

	memset(d, 0, sizeof(d));
	if (syscall(SYS_capget, &h, d))
		return 0xdeadbeef;
	return d[0].effective;
}

/* ---- child bodies ------------------------------------------------------ */

static void drop_privileges(void)
{
	gid_t groups[3] = { 10, 20, 30 }, seen[8];
	uid_t r, e, s;
	gid_t gr, ge, gs;
	char line[128];

	REC_CALL(setgroups(3, groups));
	REC_CALL(getgroups(0, NULL));
	REC_CALL(getgroups(8, seen));
	REC(seen[0] == 10 && seen[1] == 20 && seen[2] == 30);
	REC_CALL(getgroups(1, seen));
	REC_CALL(syscall(SYS_getgroups, 3, (void *)1));
	REC_CALL(setgroups(65537, groups));

	REC_CALL(setresgid(1000, 1001, 1002));
	getresgid(&gr, &ge, &gs);
	REC(gr == 1000 && ge == 1001 && gs == 1002);
	REC(getgid() == 1000 && getegid() == 1001);
	REC_CALL(setresuid(2000, 2001, 2002));
	getresuid(&r, &e, &s);
	REC(r == 2000 && e == 2001 && s == 2002);
	REC(getuid() == 2000 && geteuid() == 2001);
	proc_status("Uid", line, sizeof(line));
	REC(strcmp(line, "2000\t2001\t2002\t2001") == 0);
	REC(cap_effective());

	/* Unprivileged from here on. */
	REC_CALL(setuid(0));
	REC_CALL(setuid(2002));		/* the saved uid: only the euid changes */
	getresuid(&r, &e, &s);
	REC(r == 2000 && e == 2002 && s == 2002);
	REC_CALL(setreuid(-1, 2000));	/* euid back to the real uid */
	getresuid(&r, &e, &s);
	REC(r == 2000 && e == 2000 && s == 2002);
	REC_CALL(setreuid(2002, -1));	/* the real uid may only become r or e */
	REC_CALL(setresuid(-1, -1, 5));
	REC_CALL(setresuid(-1, 2002, -1));
	REC_CALL(setgroups(0, NULL));
	REC_CALL(setgid(0));
	REC_CALL(setgid(1002));
	REC_CALL(setresgid(7, -1, -1));
	REC_CALL(kill(getppid(), 0));
	REC_CALL(open("/proc/1/environ", O_RDONLY) >= 0 ? 0 : -1);
}

static void setuid_as_root(void)
{
	uid_t r, e, s;

	REC_CALL(setuid(3000));
	getresuid(&r, &e, &s);
	REC(r == 3000 && e == 3000 && s == 3000);
	REC_CALL(setuid(0));
	REC_CALL(syscall(SYS_setuid, -1));
}

static void temporary_drop(void)
{
	uid_t r, e, s;

	REC_CALL(setresuid(0, 4000, 0));
	REC(geteuid());
	REC_CALL(setgroups(0, NULL));	/* no capabilities while euid != 0 */
	REC_CALL(seteuid(0));		/* allowed: 0 is the real and saved uid */
	getresuid(&r, &e, &s);
	REC(r == 0 && e == 0 && s == 0);
	REC_CALL(setgroups(0, NULL));
	REC(!!(cap_effective() & CAP_SETUID_BIT));
}

static char private_path[] = "/tmp/keel-creds-XXXXXX";

static void private_file(void)
{
	struct stat st;
	int fd;

	fd = open(private_path, O_RDWR);
	REC(fd >= 0 && fstat(fd, &st) == 0 && (st.st_mode & 0777) == 0600 && st.st_uid == 0);
	REC_CALL(setresuid(5000, 5000, 5000));
	REC_CALL(open(private_path, O_RDONLY));
	REC_CALL(write(fd, "x", 1));	/* an fd opened earlier keeps working */
}

int main(void)
{
	uid_t r = 1, e = 1, s = 1;
	int fd;

	alarm(25);	/* a safety net below the runner's 30 s timeout */
	tap_is_int(getuid(), 0, "the tests run as root: getuid is 0");
	tap_ok(geteuid() == getuid() && getgid() == getegid(),
	       "the effective ids equal the real ids");
	tap_ok(getresuid(&r, &e, &s) == 0 && r == 0 && e == 0 && s == 0,
	       "getresuid reports real, effective and saved uid 0");
	tap_ok(cap_effective() & CAP_SETUID_BIT, "root has CAP_SETUID in its effective set");
	tap_is_errno(syscall(SYS_getresuid, (void *)1, &e, &s), EFAULT,
		     "getresuid with a bad pointer fails with EFAULT");

	in_child(drop_privileges);
	tap_is_int(next(), 0, "root can setgroups 3 groups");
	tap_is_int(next(), 3, "getgroups(0, NULL) returns the number of groups");
	tap_is_int(next(), 3, "getgroups returns 3");
	tap_ok(next(), "getgroups returns the groups that were set");
	tap_is_int(next(), -EINVAL, "getgroups with a too small size fails with EINVAL");
	tap_is_int(next(), -EFAULT, "getgroups with a bad pointer fails with EFAULT");
	tap_is_int(next(), -EINVAL, "setgroups of more than NGROUPS_MAX fails with EINVAL");
	tap_is_int(next(), 0, "root can setresgid to three different gids");
	tap_ok(next(), "getresgid reports them");
	tap_ok(next(), "getgid and getegid report the real and effective gid");
	tap_is_int(next(), 0, "root can setresuid to three different uids");
	tap_ok(next(), "getresuid reports them");
	tap_ok(next(), "getuid and geteuid report the real and effective uid");
	tap_ok(next(), "/proc/self/status shows real, effective, saved and fs uid");
	tap_is_int(next(), 0, "dropping every uid clears the effective capabilities");
	tap_is_int(next(), -EPERM, "an unprivileged setuid(0) fails with EPERM");
	tap_is_int(next(), 0, "an unprivileged setuid to the saved uid succeeds");
	tap_ok(next(), "an unprivileged setuid changes only the effective uid");
	tap_is_int(next(), 0, "setreuid can set the effective uid to the real uid");
	tap_ok(next(), "setreuid to the real uid keeps the saved uid");
	tap_is_int(next(), -EPERM, "setreuid cannot set the real uid to the saved uid");
	tap_is_int(next(), -EPERM, "setresuid to a foreign saved uid fails with EPERM");
	tap_is_int(next(), 0, "setresuid can set the effective uid to the saved uid");
	tap_is_int(next(), -EPERM, "an unprivileged setgroups fails with EPERM");
	tap_is_int(next(), -EPERM, "an unprivileged setgid(0) fails with EPERM");
	tap_is_int(next(), 0, "an unprivileged setgid to the saved gid succeeds");
	tap_is_int(next(), -EPERM, "an unprivileged setresgid to a foreign gid fails with EPERM");
	tap_is_int(next(), -EPERM, "an unprivileged process may not signal root's processes");
	tap_is_int(next(), -EACCES, "an unprivileged process may not read init's environ");

	in_child(setuid_as_root);
	tap_is_int(next(), 0, "root's setuid succeeds");
	tap_ok(next(), "root's setuid sets the real, effective and saved uid");
	tap_is_int(next(), -EPERM, "after root's setuid there is no way back to uid 0");
	tap_is_int(next(), -EINVAL, "setuid(-1) fails with EINVAL");

	in_child(temporary_drop);
	tap_is_int(next(), 0, "root can set only the effective uid, keeping saved uid 0");
	tap_is_int(next(), 4000, "geteuid reports the temporary uid");
	tap_is_int(next(), -EPERM, "with a nonzero euid root has no privilege (setgroups EPERM)");
	tap_is_int(next(), 0, "seteuid(0) regains root through the saved uid");
	tap_ok(next(), "all three uids are 0 again");
	tap_is_int(next(), 0, "setgroups works again after regaining euid 0");
	tap_ok(next(), "the effective capabilities come back with euid 0");

	fd = mkstemp(private_path);	/* mode 0600, owned by root */
	if (fd < 0)
		tap_bail("mkstemp");
	close(fd);
	in_child(private_file);
	tap_ok(next(), "root creates a mode 0600 file");
	tap_is_int(next(), 0, "root drops to uid 5000");
	tap_is_int(next(), -EACCES, "uid 5000 cannot open root's mode 0600 file");
	tap_is_int(next(), 1, "a descriptor opened before the drop keeps working");
	unlink(private_path);
	return tap_done();
}
