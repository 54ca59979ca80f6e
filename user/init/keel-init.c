/*
 * keel-init - PID 1 of Keel's default system (`make run`).
 *
 * The same static binary runs on Keel and on Debian's Linux kernel, from the
 * archive tools/mksystem.py builds. It does what a minimal Unix init does:
 *
 *	1. mount /proc, /dev (devtmpfs), /dev/pts, /dev/shm, /sys and /tmp,
 *	   add the /dev/fd and /dev/std{in,out,err} links if /dev lacks them;
 *	2. set the host name from /etc/hostname;
 *	3. start a login shell ("-sh", so busybox ash reads /etc/profile) in a
 *	   new session whose controlling terminal is the serial port, and start
 *	   it again whenever it exits;
 *	4. reap every child, orphans included;
 *	5. shut down on busybox's requests: `halt`, `poweroff` and `reboot`
 *	   without -f send SIGUSR1, SIGUSR2 and SIGTERM to PID 1 and leave the
 *	   rest to init: every other process gets SIGTERM, then SIGKILL after
 *	   KILL_GRACE_MS, file systems are synced and reboot(2) ends the system.
 *
 * The shell's terminal is /dev/ttyS0, not /dev/console: opening
 * /dev/console never makes it a controlling terminal on Linux, and without
 * one the shell has no job control. The init itself keeps the console the
 * kernel gave it as fds 0-2 for its own messages, which are few: one line
 * when the shell starts, one when the system goes down, and errors.
 *
 * Signals are taken synchronously: the init blocks the ones it handles and
 * waits for them with sigwaitinfo(), so no handler runs in the middle of
 * anything. SIGINT, SIGQUIT and SIGTSTP are ignored (a stray ^C on the
 * console must not kill PID 1), and so are SIGHUP, SIGPIPE and the
 * background-terminal stops; the shell gets every disposition and the
 * signal mask back to their defaults before exec.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#define SHELL_PATH	"/bin/sh"
#define SHELL_TTY	"/dev/ttyS0"
#define HOSTNAME_FILE	"/etc/hostname"
#define KILL_GRACE_MS	1000
#define RESPAWN_MIN_MS	1000	/* a shell dying faster is restarted slower */

/* Signals the init waits for; everything else keeps its disposition. */
static const int waited_signals[] = { SIGCHLD, SIGUSR1, SIGUSR2, SIGTERM };
static const int ignored_signals[] = { SIGINT, SIGQUIT, SIGTSTP, SIGTTIN,
				       SIGTTOU, SIGHUP, SIGPIPE };

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

static void write_all(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t n = write(fd, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		buf += n;
		len -= (size_t)n;
	}
}

/* One line on the console, prefixed "keel-init: ". */
static void __attribute__((format(printf, 1, 2))) say(const char *fmt, ...)
{
	char buf[256];
	va_list ap;
	int n, len;

	len = snprintf(buf, sizeof(buf), "keel-init: ");
	va_start(ap, fmt);
	n = vsnprintf(buf + len, sizeof(buf) - (size_t)len - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	len += n;
	if (len > (int)sizeof(buf) - 2)
		len = (int)sizeof(buf) - 2;
	buf[len++] = '\n';
	write_all(2, buf, (size_t)len);
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/*
 * The kernel normally hands init the console as fds 0-2; if it did not
 * (no /dev/console in the archive), open it ourselves.
 */
static void open_console(void)
{
	int fd;

	if (fcntl(2, F_GETFD) >= 0)
		return;
	fd = open("/dev/console", O_RDWR | O_NOCTTY);
	if (fd < 0)
		return;
	for (int i = 0; i < 3; i++)
		if (fd != i)
			dup2(fd, i);
	if (fd > 2)
		close(fd);
}

static void mount_one(const char *src, const char *dir, const char *type,
		      unsigned long flags, const char *opts)
{
	if (mkdir(dir, 0755) < 0 && errno != EEXIST)
		say("mkdir %s: %s", dir, strerror(errno));
	if (mount(src, dir, type, flags, opts) < 0 && errno != EBUSY)
		say("mount %s on %s: %s", type, dir, strerror(errno));
}

/*
 * The file systems a busybox system expects. A failure is reported and
 * survived: the archive carries /dev/console and /dev/null, enough for the
 * shell to start and show what is missing.
 */
static void mount_filesystems(void)
{
	static const char *const dev_links[][2] = {
		{ "/proc/self/fd", "/dev/fd" },
		{ "/proc/self/fd/0", "/dev/stdin" },
		{ "/proc/self/fd/1", "/dev/stdout" },
		{ "/proc/self/fd/2", "/dev/stderr" },
	};
	const unsigned long nosuid = MS_NOSUID, nodev = MS_NOSUID | MS_NODEV;

	mount_one("proc", "/proc", "proc", nodev | MS_NOEXEC, NULL);
	mount_one("devtmpfs", "/dev", "devtmpfs", nosuid, "mode=755");
	mount_one("devpts", "/dev/pts", "devpts", nosuid | MS_NOEXEC,
		  "mode=620,ptmxmode=666,gid=5");
	mount_one("tmpfs", "/dev/shm", "tmpfs", nodev, "mode=1777");
	mount_one("sysfs", "/sys", "sysfs", nodev | MS_NOEXEC, NULL);
	mount_one("tmpfs", "/tmp", "tmpfs", nodev, "mode=1777");
	for (size_t i = 0; i < ARRAY_SIZE(dev_links); i++)
		if (symlink(dev_links[i][0], dev_links[i][1]) < 0 &&
		    errno != EEXIST)
			say("symlink %s: %s", dev_links[i][1], strerror(errno));
}

/* The first line of /etc/hostname, without surrounding blanks. */
static void set_hostname(void)
{
	char buf[65];
	ssize_t n;
	size_t start = 0, end;
	int fd = open(HOSTNAME_FILE, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return;
	buf[n] = '\0';
	end = strcspn(buf, "\n");
	while (start < end && (buf[start] == ' ' || buf[start] == '\t'))
		start++;
	while (end > start && (buf[end - 1] == ' ' || buf[end - 1] == '\t' ||
			       buf[end - 1] == '\r'))
		end--;
	if (end > start && sethostname(buf + start, end - start) < 0)
		say("sethostname: %s", strerror(errno));
}

/* What the shell inherits: the kernel's environment plus a login's. */
static void set_environment(void)
{
	setenv("PATH", "/bin:/sbin:/usr/bin:/usr/sbin", 1);
	setenv("HOME", "/root", 1);
	setenv("TERM", "vt100", 1);
	setenv("SHELL", SHELL_PATH, 1);
	setenv("USER", "root", 1);
	setenv("LOGNAME", "root", 1);
}

/*
 * In the child: the shell's session, with the serial port as its
 * controlling terminal and the shell's process group in the foreground.
 * Never returns.
 */
static void __attribute__((noreturn)) exec_shell(void)
{
	char *argv[] = { "-sh", NULL };
	sigset_t none;
	int fd;

	for (size_t i = 0; i < ARRAY_SIZE(ignored_signals); i++)
		signal(ignored_signals[i], SIG_DFL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	setsid();
	fd = open(SHELL_TTY, O_RDWR);
	if (fd < 0) {
		say("open %s: %s; using /dev/console", SHELL_TTY,
		    strerror(errno));
		fd = open("/dev/console", O_RDWR);
	}
	if (fd >= 0) {
		if (ioctl(fd, TIOCSCTTY, 0) < 0)
			say("%s: no controlling terminal (%s): no job control",
			    SHELL_TTY, strerror(errno));
		for (int i = 0; i < 3; i++)
			if (fd != i)
				dup2(fd, i);
		if (fd > 2)
			close(fd);
		tcsetpgrp(0, getpid());
	}
	if (chdir(getenv("HOME")) < 0)
		chdir("/");
	execv(SHELL_PATH, argv);
	say("exec %s: %s", SHELL_PATH, strerror(errno));
	_exit(127);
}

static pid_t start_shell(void)
{
	pid_t pid = fork();

	if (pid == 0)
		exec_shell();
	if (pid < 0)
		say("fork: %s", strerror(errno));
	return pid;
}

/* Reap every exited child; true if the shell was one of them. */
static bool reap_children(pid_t shell)
{
	bool shell_exited = false;
	pid_t pid;
	int status;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0)
		if (pid == shell)
			shell_exited = true;
	return shell_exited;
}

/* Wait up to ms for every process but us to exit; true if they did. */
static bool reap_all_within(long ms)
{
	long long deadline = now_ms() + ms;

	for (;;) {
		pid_t pid = waitpid(-1, NULL, WNOHANG);

		if (pid < 0 && errno == ECHILD)
			return true;
		if (pid > 0)
			continue;
		if (now_ms() >= deadline)
			return false;
		sleep_ms(10);
	}
}

static void __attribute__((noreturn)) shut_down(int sig)
{
	int cmd = RB_POWER_OFF;
	const char *what = "power off";

	if (sig == SIGUSR1) {
		cmd = RB_HALT_SYSTEM;
		what = "halt";
	} else if (sig == SIGTERM) {
		cmd = RB_AUTOBOOT;
		what = "reboot";
	}
	say("the system is going down (%s)", what);
	kill(-1, SIGTERM);
	kill(-1, SIGCONT);	/* stopped jobs must run to see SIGTERM */
	if (!reap_all_within(KILL_GRACE_MS)) {
		kill(-1, SIGKILL);
		reap_all_within(KILL_GRACE_MS);
	}
	sync();
	reboot(cmd);
	say("reboot: %s", strerror(errno));
	for (;;)
		pause();
}

static void setup_signals(sigset_t *waited)
{
	sigemptyset(waited);
	for (size_t i = 0; i < ARRAY_SIZE(waited_signals); i++)
		sigaddset(waited, waited_signals[i]);
	sigprocmask(SIG_BLOCK, waited, NULL);
	for (size_t i = 0; i < ARRAY_SIZE(ignored_signals); i++)
		signal(ignored_signals[i], SIG_IGN);
}

int main(int argc, char **argv)
{
	long long started;
	sigset_t waited;
	pid_t shell;

	open_console();
	setup_signals(&waited);
	umask(022);
	mount_filesystems();
	set_hostname();
	set_environment();

	say("starting shell on %s", SHELL_TTY);
	started = now_ms();
	shell = start_shell();
	for (;;) {
		/* Without a shell (fork failed) no SIGCHLD comes: retry. */
		struct timespec retry = { RESPAWN_MIN_MS / 1000, 0 };
		int sig = sigtimedwait(&waited, NULL, shell > 0 ? NULL : &retry);

		if (sig == SIGUSR1 || sig == SIGUSR2 || sig == SIGTERM)
			shut_down(sig);
		if (!reap_children(shell) && shell > 0)
			continue;
		/* The shell is gone (exit, ^D, a crash): start another. */
		if (now_ms() - started < RESPAWN_MIN_MS)
			sleep_ms(RESPAWN_MIN_MS);
		started = now_ms();
		shell = start_shell();
	}
}
