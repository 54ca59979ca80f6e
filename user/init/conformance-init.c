/*
 * conformance-init - PID 1 of the conformance suite's initramfs.
 *
 * The same static binary runs on Debian's Linux kernel (the oracle) and on
 * Keel, from the archive tools/mkinitramfs.py builds. It mounts the usual
 * file systems, runs every test of /conformance/list in order and frames
 * each one with markers on the console for tools/keelrun/conformance.py:
 *
 *	@@@ <token> start
 *	@@@ <token> begin <id>
 *	...the test's stdout and stderr...
 *	@@@ <token> end <id> exit=<n>|signal=<n>|timeout|error [noeol] [truncated]
 *	@@@ <token> done
 *
 * plus "@@@ <token> note <text>" for problems worth knowing about (a file
 * system that did not mount, why a test ended with "error"). <token> is
 * random per boot, so a test that prints "@@@" cannot fake a marker.
 *
 * A test's output reaches the console through a pipe that the init copies:
 * only the init writes to the console, so every marker starts a line
 * ("noeol" says the init added the newline the output lacked); the output
 * does not depend on whether the console is a terminal (ls columns, stdio
 * buffering, onlcr), which differs between kernels; and a runaway test is cut
 * off after OUTPUT_LIMIT bytes ("truncated").
 *
 * Each test runs in a new session (so in a fresh process group) with stdin
 * /dev/null, a fresh empty working directory /tmp/t/<id> and a fixed
 * environment. When its first process exits, or its time runs out, every
 * other process (its process group and whatever left it) is killed and
 * reaped, so nothing a test left behind can write into the next test's
 * output. Nothing here waits for a fixed time: the only timer is the
 * per-test timeout.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/io.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#define LIST_PATH	"/conformance/list"
#define OUTPUT_LIMIT	(64 * 1024)
#define DEBUG_EXIT_PORT	0xf4
#define DEBUG_EXIT_PASS	0x10	/* QEMU exits with (0x10 << 1) | 1 = 33 */

struct test {
	char kind[16];		/* "prog" or "scenario" */
	char id[128];		/* e.g. process/getpid, scenario/pipes */
	char path[256];
	int timeout;		/* seconds */
};

/* What happened to one test, filled in while it runs. */
struct outcome {
	int status;		/* wait status of the test's first process */
	bool exited;		/* status is valid */
	bool timed_out;
	size_t bytes;		/* output bytes seen (copied or dropped) */
	char last;		/* last byte copied to the console */
};

static char token[17];

static char *const test_env[] = {
	"PATH=/bin:/usr/bin", "HOME=/tmp", "TERM=dumb", NULL
};

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

static void __attribute__((format(printf, 1, 2))) say(const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	write_all(1, buf, (size_t)n < sizeof(buf) ? (size_t)n : sizeof(buf) - 1);
}

/* Markers are whole lines: "@@@ <token> " + text + "\n". */
static void __attribute__((format(printf, 1, 2))) marker(const char *fmt, ...)
{
	char text[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	say("@@@ %s %s\n", token, text);
}

/*
 * The kernel normally hands init the console as fds 0-2; if it did not
 * (no /dev/console when it looked), open it ourselves.
 */
static void open_console(void)
{
	int fd;

	if (fcntl(1, F_GETFD) >= 0)
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

/* The kernel's 16 random bytes for this process (AT_RANDOM), as hex. */
static void make_token(void)
{
	const unsigned char *rnd = (const unsigned char *)getauxval(AT_RANDOM);
	unsigned char fallback[8];
	struct timespec ts;

	if (!rnd) {
		clock_gettime(CLOCK_MONOTONIC, &ts);
		memcpy(fallback, &ts.tv_nsec, sizeof(fallback));
		rnd = fallback;
	}
	for (int i = 0; i < 8; i++)
		snprintf(token + 2 * i, 3, "%02x", rnd[i]);
}

static void mount_one(const char *src, const char *dir, const char *type,
		      const char *opts)
{
	if (mkdir(dir, 0755) < 0 && errno != EEXIST)
		marker("note mkdir %s: %s", dir, strerror(errno));
	if (mount(src, dir, type, MS_NOSUID, opts) < 0)
		marker("note mount %s on %s: %s", type, dir, strerror(errno));
}

/*
 * Mount what tests expect of a Linux system. Failures are reported and
 * survived: the archive carries /dev/console and /dev/null for a kernel
 * without devtmpfs, and a test that needs a missing file system fails on
 * its own.
 */
static void mount_filesystems(void)
{
	static const char *const dev_links[][2] = {
		{ "/proc/self/fd", "/dev/fd" }, { "/proc/self/fd/0", "/dev/stdin" },
		{ "/proc/self/fd/1", "/dev/stdout" }, { "/proc/self/fd/2", "/dev/stderr" },
	};

	mount_one("proc", "/proc", "proc", NULL);
	mount_one("devtmpfs", "/dev", "devtmpfs", "mode=755");
	mount_one("devpts", "/dev/pts", "devpts", "mode=620,ptmxmode=666");
	mount_one("tmpfs", "/dev/shm", "tmpfs", "mode=1777");
	mount_one("tmpfs", "/tmp", "tmpfs", "mode=1777");
	mount_one("sysfs", "/sys", "sysfs", NULL);
	for (size_t i = 0; i < sizeof(dev_links) / sizeof(dev_links[0]); i++)
		if (symlink(dev_links[i][0], dev_links[i][1]) < 0 && errno != EEXIST)
			marker("note symlink %s: %s", dev_links[i][1], strerror(errno));
}

static struct test *read_list(size_t *count)
{
	struct test *tests = NULL, *grown;
	char line[1024];
	size_t n = 0;
	int lineno = 0;
	FILE *f = fopen(LIST_PATH, "r");

	if (!f) {
		marker("note cannot open %s: %s", LIST_PATH, strerror(errno));
		*count = 0;
		return NULL;
	}
	while (fgets(line, sizeof(line), f)) {
		struct test t;

		lineno++;
		if (sscanf(line, "%15s %127s %255s %d", t.kind, t.id, t.path, &t.timeout) != 4 ||
		    t.timeout <= 0) {
			marker("note %s:%d: malformed line skipped", LIST_PATH, lineno);
			continue;
		}
		grown = realloc(tests, (n + 1) * sizeof(*tests));
		if (!grown) {
			marker("note out of memory reading %s", LIST_PATH);
			break;
		}
		tests = grown;
		tests[n++] = t;
	}
	fclose(f);
	*count = n;
	return tests;
}

static void mkdir_p(char *path)
{
	for (char *p = path + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		mkdir(path, 0755);
		*p = '/';
	}
	mkdir(path, 0755);
}

static int remove_entry(const char *path, const struct stat *st, int type,
			struct FTW *ftw)
{
	if (remove(path) < 0)
		marker("note cannot remove %s: %s", path, strerror(errno));
	return 0;
}

/* In the child: become the test. Never returns. */
static void __attribute__((noreturn)) start_test(const struct test *t,
						 const char *dir, int out)
{
	char *prog_argv[] = { (char *)t->path, NULL };
	char *scenario_argv[] = { "/bin/busybox", "sh", (char *)t->path, NULL };
	bool scenario = strcmp(t->kind, "scenario") == 0;
	sigset_t none;
	int null;

	setsid();
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	dup2(out, 1);
	dup2(out, 2);
	null = open("/dev/null", O_RDONLY);
	if (null < 0 || dup2(null, 0) < 0) {
		dprintf(2, "conformance-init: cannot open /dev/null as stdin: %s\n",
			strerror(errno));
		_exit(127);
	}
	if (null > 0)
		close(null);
	if (chdir(dir) < 0) {
		dprintf(2, "conformance-init: cannot enter %s: %s\n", dir, strerror(errno));
		_exit(127);
	}
	umask(022);
	if (scenario)
		execve(scenario_argv[0], scenario_argv, test_env);
	else
		execve(prog_argv[0], prog_argv, test_env);
	dprintf(2, "conformance-init: cannot run %s: %s\n", t->path, strerror(errno));
	_exit(127);
}

/* Copy what is readable from the pipe; false at end of file. */
static bool copy_output(int fd, struct outcome *o)
{
	char buf[4096];
	ssize_t n;

	do
		n = read(fd, buf, sizeof(buf));
	while (n < 0 && errno == EINTR);
	if (n <= 0)
		return false;
	if (o->bytes < OUTPUT_LIMIT) {
		size_t keep = (size_t)n;

		if (keep > OUTPUT_LIMIT - o->bytes)
			keep = OUTPUT_LIMIT - o->bytes;
		write_all(1, buf, keep);
		o->last = buf[keep - 1];
	}
	o->bytes += (size_t)n;
	return true;
}

/* Reap every child that has exited; true once the test's leader has. */
static bool reap(pid_t leader, struct outcome *o, int flags)
{
	int status;
	pid_t pid;

	while ((pid = waitpid(-1, &status, flags)) > 0 || (pid < 0 && errno == EINTR)) {
		if (pid == leader) {
			o->status = status;
			o->exited = true;
		}
	}
	return o->exited;
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/*
 * Copy the test's output until its first process exits or its time runs
 * out, then kill whatever is left: kill(-1) reaches every process but the
 * init, so the test's process group and anything that left it. Then reap
 * everything and copy the rest of the output: with every writer dead the
 * pipe reaches EOF.
 */
static void supervise(pid_t leader, int fd, int timeout, struct outcome *o)
{
	long long deadline = now_ms() + timeout * 1000LL;
	bool readable = true;
	sigset_t wait_mask;

	sigemptyset(&wait_mask);
	while (!reap(leader, o, WNOHANG)) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		long long left = deadline - now_ms();
		struct timespec ts;

		if (left <= 0) {
			o->timed_out = true;
			break;
		}
		ts.tv_sec = left / 1000;
		ts.tv_nsec = left % 1000 * 1000000;
		/* SIGCHLD (blocked otherwise) interrupts the wait. */
		if (ppoll(&pfd, readable ? 1 : 0, &ts, &wait_mask) > 0)
			readable = copy_output(fd, o);
	}
	kill(-1, SIGKILL);
	reap(leader, o, 0);
	while (readable)
		readable = copy_output(fd, o);
}

static void run_test(const struct test *t)
{
	struct outcome o = { .last = '\n' };
	char dir[160], status[32];
	int out[2];
	pid_t pid;

	marker("begin %s", t->id);
	snprintf(dir, sizeof(dir), "/tmp/t/%s", t->id);
	mkdir_p(dir);
	if (pipe2(out, O_CLOEXEC) < 0) {
		marker("note pipe: %s", strerror(errno));
		marker("end %s error", t->id);
		return;
	}
	pid = fork();
	if (pid == 0)
		start_test(t, dir, out[1]);
	close(out[1]);
	if (pid < 0) {
		marker("note fork: %s", strerror(errno));
		close(out[0]);
		marker("end %s error", t->id);
		return;
	}
	supervise(pid, out[0], t->timeout, &o);
	close(out[0]);
	nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);

	if (o.timed_out)
		snprintf(status, sizeof(status), "timeout");
	else if (!o.exited) {	/* never reported by wait: not a pass */
		marker("note wait() never reported pid %d", (int)pid);
		snprintf(status, sizeof(status), "error");
	}
	else if (WIFSIGNALED(o.status))
		snprintf(status, sizeof(status), "signal=%d", WTERMSIG(o.status));
	else
		snprintf(status, sizeof(status), "exit=%d", WEXITSTATUS(o.status));
	if (o.last != '\n')
		say("\n");
	marker("end %s %s%s%s", t->id, status, o.last != '\n' ? " noeol" : "",
	       o.bytes > OUTPUT_LIMIT ? " truncated" : "");
}

/*
 * End the run; on QEMU with isa-debug-exit, with status 33. The serial
 * driver sends in the background, and QEMU exits the moment the port is
 * written: wait until the console has sent everything first.
 */
static void __attribute__((noreturn)) power_off(void)
{
	tcdrain(1);
	sync();
	if (ioperm(DEBUG_EXIT_PORT, 4, 1) == 0)
		outb(DEBUG_EXIT_PASS, DEBUG_EXIT_PORT);
	reboot(RB_POWER_OFF);
	marker("note cannot power off: %s", strerror(errno));
	for (;;)
		pause();
}

static void on_sigchld(int sig)
{
}

int main(void)
{
	struct sigaction sa = { .sa_handler = on_sigchld };
	struct test *tests;
	sigset_t chld;
	size_t count;

	open_console();
	make_token();
	marker("start");
	/*
	 * SIGCHLD stays blocked except inside ppoll(), so a child that exits
	 * between reap() and ppoll() still ends the wait (no lost wake-up).
	 */
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	sigprocmask(SIG_BLOCK, &chld, NULL);
	sigaction(SIGCHLD, &sa, NULL);

	mount_filesystems();
	tests = read_list(&count);
	for (size_t i = 0; i < count; i++)
		run_test(&tests[i]);
	marker("done");
	free(tests);
	power_off();
}
