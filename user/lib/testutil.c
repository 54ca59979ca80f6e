/*
 * Helpers shared by the user-space conformance tests; see testutil.h.
 *
 * State kept here: the scratch directory's name, the report channel's two
 * pipes, and the jump buffer and last fault of the fault_* probes. Test
 * programs are single-threaded where they use these.
 */
#include <dirent.h>
#include <fcntl.h>
#include <ftw.h>
#include <grp.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tap.h"
#include "testutil.h"

/* ---- files and directories --------------------------------------------- */

static char scratch[64];

const char *scratch_enter(const char *name)
{
	snprintf(scratch, sizeof(scratch), "%s.%d", name, (int)getpid());
	if (mkdir(scratch, 0755) < 0 || chdir(scratch) < 0)
		tap_bail("cannot create scratch directory %s: %s", scratch,
			 strerror(errno));
	return scratch;
}

void scratch_leave(const char *parent)
{
	if (chdir(parent ? parent : "..") == 0)
		remove_tree(scratch);
}

static int remove_one(const char *path, const struct stat *st, int flag,
		      struct FTW *ftw)
{
	return remove(path) < 0 ? -1 : 0;
}

int remove_tree(const char *path)
{
	return nftw(path, remove_one, 16, FTW_DEPTH | FTW_PHYS);
}

int file_put(const char *path, const char *text)
{
	size_t len = strlen(text);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	if (fd < 0)
		return -1;
	if (write(fd, text, len) != (ssize_t)len) {
		close(fd);
		return -1;
	}
	return close(fd);
}

void file_put_or_bail(const char *path, const char *text)
{
	if (file_put(path, text) < 0)
		tap_bail("cannot write %s", path);
}

const char *fd_slurp(int fd)
{
	static char buf[256];
	ssize_t n;

	if (fd < 0)
		return "";
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	buf[n < 0 ? 0 : n] = '\0';
	return buf;
}

const char *file_get(const char *path)
{
	int fd = open(path, O_RDONLY);

	return fd < 0 ? "(missing)" : fd_slurp(fd);
}

mode_t lstat_mode(const char *path)
{
	struct stat st;

	return lstat(path, &st) < 0 ? (mode_t)-1 : st.st_mode;
}

ino_t lstat_ino(const char *path)
{
	struct stat st;

	return lstat(path, &st) < 0 ? 0 : st.st_ino;
}

ssize_t read_all(int fd, void *buf, size_t len)
{
	size_t got = 0;
	ssize_t n;

	while (got < len) {
		n = read(fd, (char *)buf + got, len - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	return (ssize_t)got;
}

int mem_all(const void *p, size_t len, char v)
{
	const char *c = p;

	for (size_t i = 0; i < len; i++)
		if (c[i] != v)
			return 0;
	return 1;
}

/* ---- processes and credentials ------------------------------------------ */

int wait_exit_code(pid_t pid)
{
	int status;

	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

int wait_status(pid_t pid)
{
	int status = -1;

	waitpid(pid, &status, 0);
	return status;
}

int drop_to_user(uid_t uid, gid_t gid)
{
	if (setgroups(0, NULL) < 0 || setresgid(gid, gid, gid) < 0 ||
	    setresuid(uid, uid, uid) < 0)
		return -1;
	return 0;
}

int child_results(void (*fn)(int *res, void *arg), void *arg, int *res, int n)
{
	size_t size = sizeof(int) * (size_t)n;
	int p[2];
	ssize_t got;
	pid_t pid;

	for (int i = 0; i < n; i++)
		res[i] = -1;
	if (pipe(p) < 0)
		tap_bail("pipe: %s", strerror(errno));
	pid = fork();
	if (pid < 0)
		tap_bail("fork: %s", strerror(errno));
	if (pid == 0) {
		close(p[0]);
		fn(res, arg);
		write(p[1], res, size);
		_exit(0);
	}
	close(p[1]);
	got = read_all(p[0], res, size);
	close(p[0]);
	waitpid(pid, NULL, 0);
	return (int)(got / (ssize_t)sizeof(int));
}

int errno_of(long r)
{
	return r < 0 ? errno : 0;
}

/* ---- the report channel ------------------------------------------------- */

static int rep[2] = {-1, -1}; /* child -> parent results */
static int go[2] = {-1, -1};  /* parent -> child "go on" */

void report_open(void)
{
	if (pipe(rep) < 0 || pipe(go) < 0)
		tap_bail("pipe: %s", strerror(errno));
}

void report_close(void)
{
	close(rep[0]);
	close(rep[1]);
	close(go[0]);
	close(go[1]);
}

void report_child(void)
{
	close(rep[0]);
	close(go[1]);
}

void report(int v)
{
	write(rep[1], &v, sizeof(v));
}

int reported(void)
{
	int v;

	if (read(rep[0], &v, sizeof(v)) != sizeof(v))
		return -999;
	return v;
}

void report_wait_go(void)
{
	char c;

	read(go[0], &c, 1);
}

void report_go(void)
{
	write(go[1], "g", 1);
}

/* ---- signals ------------------------------------------------------------ */

int sig_install(int sig, void (*fn)(int), int flags)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = fn;
	sa.sa_flags = flags;
	sigemptyset(&sa.sa_mask);
	return sigaction(sig, &sa, NULL);
}

int sig_install_info(int sig, void (*fn)(int, siginfo_t *, void *), int flags)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = fn;
	sa.sa_flags = SA_SIGINFO | flags;
	sigemptyset(&sa.sa_mask);
	return sigaction(sig, &sa, NULL);
}

volatile struct fault_info fault_last;
static sigjmp_buf fault_jmp;

static void fault_handler(int sig, siginfo_t *si, void *uc)
{
	fault_last.sig = sig;
	fault_last.code = si->si_code;
	fault_last.addr = si->si_addr;
	siglongjmp(fault_jmp, 1);
}

void fault_catch(int sig)
{
	sig_install_info(sig, fault_handler, 0);
}

static void fault_reset(void)
{
	fault_last.sig = 0;
	fault_last.code = 0;
	fault_last.addr = NULL;
}

int fault_read(volatile char *p)
{
	fault_reset();
	if (sigsetjmp(fault_jmp, 1) == 0) {
		(void)*p;
		return 0;
	}
	return fault_last.sig;
}

int fault_write(volatile char *p, char v)
{
	fault_reset();
	if (sigsetjmp(fault_jmp, 1) == 0) {
		*p = v;
		return 0;
	}
	return fault_last.sig;
}

int fault_call(void *p)
{
	fault_reset();
	if (sigsetjmp(fault_jmp, 1) == 0) {
		((void (*)(void))(uintptr_t)p)();
		return 0;
	}
	return fault_last.sig;
}

/* ---- /proc, clocks, memory, ptys ---------------------------------------- */

long meminfo_kib(const char *key)
{
	size_t klen = strlen(key);
	char line[128];
	long kib = -1;
	FILE *f = fopen("/proc/meminfo", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, klen) && line[klen] == ':' &&
		    sscanf(line + klen + 1, "%ld", &kib) == 1)
			break;
	fclose(f);
	return kib;
}

int proc_status(const char *key, char *buf, size_t size)
{
	char status[8192], *line, *end;
	size_t klen = strlen(key);
	int fd = open("/proc/self/status", O_RDONLY);
	ssize_t n;

	buf[0] = '\0';
	if (fd < 0)
		return -1;
	n = read_all(fd, status, sizeof(status) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	status[n] = '\0';
	for (line = status; line; line = end ? end + 1 : NULL) {
		end = strchr(line, '\n');
		if (end)
			*end = '\0';
		if (!strncmp(line, key, klen) && line[klen] == ':' &&
		    line[klen + 1] == '\t') {
			snprintf(buf, size, "%s", line + klen + 2);
			return 0;
		}
	}
	return -1;
}

char proc_stat_state(const char *fmt, ...)
{
	char path[128], buf[512], *p;
	va_list ap;
	ssize_t n;
	int fd;

	va_start(ap, fmt);
	vsnprintf(path, sizeof(path), fmt, ap);
	va_end(ap);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	p = strrchr(buf, ')');
	return p && p[1] == ' ' ? p[2] : 0;
}

int count_tasks(void)
{
	DIR *d = opendir("/proc/self/task");
	struct dirent *e;
	int n = 0;

	while (d && (e = readdir(d)))
		if (e->d_name[0] != '.')
			n++;
	if (d)
		closedir(d);
	return n;
}

int64_t clock_ns(clockid_t clk)
{
	struct timespec t;

	if (clock_gettime(clk, &t))
		return -1;
	return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

long mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000;
}

char *map_anon(void *addr, size_t len, int flags)
{
	int share = flags & MAP_SHARED ? 0 : MAP_PRIVATE;

	return mmap(addr, len, PROT_READ | PROT_WRITE,
		    share | MAP_ANONYMOUS | flags, -1, 0);
}

char *free_range(size_t len)
{
	char *p =
		mmap(NULL, len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		tap_bail("cannot reserve address space");
	munmap(p, len);
	return p;
}

int pty_open_master(char *slave, size_t size)
{
	int m = posix_openpt(O_RDWR | O_NOCTTY);

	if (m < 0 || grantpt(m) < 0 || unlockpt(m) < 0)
		tap_bail("cannot create a pty: %s", strerror(errno));
	snprintf(slave, size, "%s", ptsname(m));
	return m;
}

int pty_child_session(int master, const char *slave)
{
	int s;

	alarm(20);
	close(master);
	report_child();
	if (setsid() < 0)
		_exit(90);
	s = open(slave, O_RDWR | O_NOCTTY);
	if (s < 0 || ioctl(s, TIOCSCTTY, 0) < 0)
		_exit(91);
	return s;
}
