/*
 * execve(2) and execveat(2): argv/envp passing (empty strings, empty and
 * NULL vectors, the MAX_ARG_STRLEN boundary), close-on-exec, the pid kept
 * across exec, "#!" scripts, and the error paths ENOENT, EACCES, ENOEXEC,
 * ENOTDIR, EFAULT, E2BIG, ENAMETOOLONG, ELOOP, ETXTBSY, EINVAL and EBADF.
 *
 * The program re-executes itself as the helper: the environment variable
 * KEEL_EXEC_HELPER selects what the new image reports on stdout (an env
 * variable rather than an argument so that argv itself can be tested).
 * Every exec happens in a forked child; the child reports a failed exec
 * through a close-on-exec pipe, so an exec that wrongly succeeds or fails
 * never replaces the test itself.
 */
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tap.h"

/* fs/exec.c: one argument or environment string, NUL included. */
#define MAX_ARG_STRLEN (32 * 4096)

extern char **environ;

static char self[PATH_MAX];
static char dir[] = "/tmp/keel-exec-XXXXXX";
static char tmp[PATH_MAX];

struct result {
	int err;	/* errno of the failed exec, 0 when it succeeded */
	int status;	/* wait status of the child */
	char out[512];	/* what the new image wrote on stdout */
};

enum how { EXECVE, EXECVEAT };

struct exec_req {
	enum how how;
	int dirfd;
	const char *path;
	char *const *argv;
	char *const *envp;
	int flags;
};

/* ---- helper side (the re-executed image) ---------------------------------- */

static void out(const char *s)
{
	if (write(1, s, strlen(s)) < 0)
		_exit(98);
}

static int helper(const char *mode, int argc, char **argv)
{
	char buf[64];

	if (strcmp(mode, "args") == 0) {
		/* "argc|arg0|arg1...#env0|env1..." */
		snprintf(buf, sizeof(buf), "%d", argc);
		out(buf);
		for (int i = 0; i < argc; i++) {
			out("|");
			out(argv[i]);
		}
		out("#");
		for (char **e = environ; *e; e++) {
			out(*e);
			out(e[1] ? "|" : "");
		}
		return 0;
	}
	if (strcmp(mode, "lens") == 0) {
		for (int i = 1; i < argc; i++) {
			snprintf(buf, sizeof(buf), "%s%zu", i > 1 ? " " : "", strlen(argv[i]));
			out(buf);
		}
		return 0;
	}
	if (strcmp(mode, "fds") == 0) {
		/* For each fd number in argv: 'o' when open, 'c' when closed. */
		for (int i = 1; i < argc; i++)
			out(fcntl(atoi(argv[i]), F_GETFD) >= 0 ? "o" : errno == EBADF ? "c" : "?");
		return 0;
	}
	if (strcmp(mode, "pid") == 0) {
		snprintf(buf, sizeof(buf), "%d", getpid());
		out(buf);
		return 0;
	}
	return 99;
}

/* ---- test side -------------------------------------------------------------- */

static struct result run(const struct exec_req *req)
{
	struct result r = { .err = 0, .status = -1 };
	int outp[2], errp[2];
	size_t len = 0;
	ssize_t n;
	pid_t pid;

	if (pipe(outp) || pipe2(errp, O_CLOEXEC))
		tap_bail("pipe");
	pid = fork();
	if (pid < 0)
		tap_bail("fork");
	if (pid == 0) {
		int e;

		close(outp[0]);
		close(errp[0]);
		dup2(outp[1], 1);
		if (req->how == EXECVE)
			syscall(SYS_execve, req->path, req->argv, req->envp);
		else
			syscall(SYS_execveat, req->dirfd, req->path, req->argv,
				req->envp, req->flags);
		e = errno;
		if (write(errp[1], &e, sizeof(e)) != sizeof(e))
			_exit(126);
		_exit(127);
	}
	close(outp[1]);
	close(errp[1]);
	if (read(errp[0], &r.err, sizeof(r.err)) != sizeof(r.err))
		r.err = 0;
	while (len < sizeof(r.out) - 1 &&
	       (n = read(outp[0], r.out + len, sizeof(r.out) - 1 - len)) > 0)
		len += (size_t)n;
	r.out[len] = 0;
	waitpid(pid, &r.status, 0);
	close(outp[0]);
	close(errp[0]);
	return r;
}

static struct result run_execve(const char *path, char *const *argv, char *const *envp)
{
	struct exec_req req = { EXECVE, -1, path, argv, envp, 0 };

	return run(&req);
}

static struct result run_execveat(int dirfd, const char *path, char *const *argv,
				  char *const *envp, int flags)
{
	struct exec_req req = { EXECVEAT, dirfd, path, argv, envp, flags };

	return run(&req);
}

static int exited0(const struct result *r)
{
	return r->err == 0 && WIFEXITED(r->status) && WEXITSTATUS(r->status) == 0;
}

static const char *tmp_path(const char *name)
{
	snprintf(tmp, sizeof(tmp), "%s/%s", dir, name);
	return tmp;
}

static void write_file(const char *name, const char *content, size_t len, mode_t mode)
{
	int fd = open(tmp_path(name), O_WRONLY | O_CREAT | O_TRUNC, mode);

	if (fd < 0 || write(fd, content, len) != (ssize_t)len)
		tap_bail("write %s", name);
	fchmod(fd, mode);
	close(fd);
}

/* Copy our own binary to @name in the temporary directory. */
static void copy_self(const char *name)
{
	static char buf[65536];
	int in = open(self, O_RDONLY), o;
	ssize_t n;

	o = open(tmp_path(name), O_WRONLY | O_CREAT | O_TRUNC, 0755);
	if (in < 0 || o < 0)
		tap_bail("copy_self");
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write(o, buf, (size_t)n) != n)
			tap_bail("copy_self write");
	close(in);
	close(o);
}

static void test_argv_envp(void)
{
	char *argv[] = { "zeroth", "one", "", "three with spaces", NULL };
	char *envp[] = { "KEEL_EXEC_HELPER=args", "EMPTY=", "FOO=bar", NULL };
	char *argv0[] = { NULL };
	char *envp_only[] = { "KEEL_EXEC_HELPER=args", NULL };
	struct result r;

	r = run_execve(self, argv, envp);
	tap_ok(exited0(&r), "execve of our own binary succeeds and the new image exits 0");
	tap_is_str(r.out, "4|zeroth|one||three with spaces#KEEL_EXEC_HELPER=args|EMPTY=|FOO=bar",
		   "argv and envp arrive exactly, empty strings included");

	/* An empty argv: since Linux 5.18 the kernel inserts one "" argument. */
	r = run_execve(self, argv0, envp_only);
	tap_is_str(r.out, "1|#KEEL_EXEC_HELPER=args",
		   "an empty argv reaches the new image as argc 1 with argv[0] \"\"");
	r = run_execve(self, NULL, envp_only);
	tap_is_str(r.out, "1|#KEEL_EXEC_HELPER=args",
		   "a NULL argv reaches the new image as argc 1 with argv[0] \"\"");
}

static void test_arg_limits(void)
{
	char *big = malloc(MAX_ARG_STRLEN + 1);
	char *envp[] = { "KEEL_EXEC_HELPER=lens", NULL };
	char *argv[] = { "x", big, "", NULL };
	struct result r;

	if (!big)
		tap_bail("malloc");
	/* The limit counts the terminating NUL (fs/exec.c valid_arg_len). */
	memset(big, 'a', MAX_ARG_STRLEN - 1);
	big[MAX_ARG_STRLEN - 1] = 0;
	r = run_execve(self, argv, envp);
	tap_is_str(r.out, "131071 0", "an argument of MAX_ARG_STRLEN-1 bytes is passed intact");
	big[MAX_ARG_STRLEN - 1] = 'a';
	big[MAX_ARG_STRLEN] = 0;
	r = run_execve(self, argv, envp);
	tap_is_int(r.err, E2BIG, "an argument of MAX_ARG_STRLEN bytes fails with E2BIG");
	free(big);
}

static void test_cloexec(void)
{
	int a = open("/dev/null", O_RDONLY | O_CLOEXEC);
	int b = open("/dev/null", O_RDONLY);
	int c = open("/dev/null", O_RDONLY);
	char sa[16], sb[16], sc[16];
	char *argv[] = { "fds", sa, sb, sc, NULL };
	char *envp[] = { "KEEL_EXEC_HELPER=fds", NULL };
	struct result r;
	pid_t pid;
	int status;

	if (a < 0 || b < 0 || c < 0)
		tap_bail("open");
	tap_is_int(fcntl(a, F_GETFD), FD_CLOEXEC, "O_CLOEXEC sets FD_CLOEXEC");
	tap_is_int(fcntl(c, F_SETFD, FD_CLOEXEC), 0, "F_SETFD sets FD_CLOEXEC");
	snprintf(sa, sizeof(sa), "%d", a);
	snprintf(sb, sizeof(sb), "%d", b);
	snprintf(sc, sizeof(sc), "%d", c);
	r = run_execve(self, argv, envp);
	tap_is_str(r.out, "coc", "close-on-exec fds are closed by execve and the others stay open");

	/* A failed execve does not close anything. */
	pid = fork();
	if (pid == 0) {
		execve("/nonexistent/keel", argv, envp);
		_exit(fcntl(a, F_GETFD) == FD_CLOEXEC ? 0 : 1);
	}
	waitpid(pid, &status, 0);
	tap_ok(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	       "a failed execve leaves close-on-exec fds open");
	close(a);
	close(b);
	close(c);
}

static void test_pid_kept(void)
{
	char *argv[] = { "pid", NULL };
	char *envp[] = { "KEEL_EXEC_HELPER=pid", NULL };
	struct exec_req req = { EXECVE, -1, self, argv, envp, 0 };
	int outp[2];
	char buf[32] = "";
	pid_t pid;

	if (pipe(outp))
		tap_bail("pipe");
	pid = fork();
	if (pid == 0) {
		dup2(outp[1], 1);
		execve(req.path, argv, envp);
		_exit(127);
	}
	close(outp[1]);
	if (read(outp[0], buf, sizeof(buf) - 1) < 0)
		buf[0] = 0;
	waitpid(pid, NULL, 0);
	close(outp[0]);
	tap_is_int(atoi(buf), pid, "the pid is unchanged across execve");
}

static void test_errors(void)
{
	char *argv[] = { "x", NULL };
	char *envp[] = { "KEEL_EXEC_HELPER=args", NULL };
	char *bad_elem[] = { "x", (char *)1, NULL };
	char longpath[PATH_MAX + 16];
	struct result r;

	r = run_execve("/nonexistent/keel-file", argv, envp);
	tap_is_int(r.err, ENOENT, "a missing file fails with ENOENT");
	r = run_execve("", argv, envp);
	tap_is_int(r.err, ENOENT, "an empty path fails with ENOENT");

	write_file("noexec", "#!/bin/sh\n", 10, 0644);
	r = run_execve(tmp_path("noexec"), argv, envp);
	tap_is_int(r.err, EACCES,
		   "a file without any execute bit fails with EACCES, even for root");
	r = run_execve(dir, argv, envp);
	tap_is_int(r.err, EACCES, "a directory fails with EACCES");

	write_file("garbage", "\x01\x02\x03 this is not an executable\n", 30, 0755);
	r = run_execve(tmp_path("garbage"), argv, envp);
	tap_is_int(r.err, ENOEXEC, "an executable file of unknown format fails with ENOEXEC");
	write_file("empty", "", 0, 0755);
	r = run_execve(tmp_path("empty"), argv, envp);
	tap_is_int(r.err, ENOEXEC, "an empty executable file fails with ENOEXEC");

	snprintf(longpath, sizeof(longpath), "%s/x", tmp_path("garbage"));
	r = run_execve(longpath, argv, envp);
	tap_is_int(r.err, ENOTDIR, "a path through a regular file fails with ENOTDIR");

	r = run_execve((const char *)1, argv, envp);
	tap_is_int(r.err, EFAULT, "a bad path pointer fails with EFAULT");
	r = run_execve(self, (char *const *)1, envp);
	tap_is_int(r.err, EFAULT, "a bad argv pointer fails with EFAULT");
	r = run_execve(self, bad_elem, envp);
	tap_is_int(r.err, EFAULT, "a bad argv element fails with EFAULT");
	r = run_execve(self, argv, (char *const *)1);
	tap_is_int(r.err, EFAULT, "a bad envp pointer fails with EFAULT");

	memset(longpath, 'a', sizeof(longpath) - 1);
	longpath[0] = '/';
	longpath[sizeof(longpath) - 1] = 0;
	r = run_execve(longpath, argv, envp);
	tap_is_int(r.err, ENAMETOOLONG, "a path longer than PATH_MAX fails with ENAMETOOLONG");

	if (symlink("loop2", tmp_path("loop1")) || symlink("loop1", tmp_path("loop2")))
		tap_bail("symlink");
	r = run_execve(tmp_path("loop1"), argv, envp);
	tap_is_int(r.err, ELOOP, "a symlink loop fails with ELOOP");
}

static void test_txtbsy(void)
{
	char *argv[] = { "x", NULL };
	char *envp[] = { "KEEL_EXEC_HELPER=pid", NULL };
	struct result r;
	int fd;

	copy_self("busy");
	fd = open(tmp_path("busy"), O_WRONLY);
	if (fd < 0)
		tap_bail("open busy");
	r = run_execve(tmp_path("busy"), argv, envp);
	tap_is_int(r.err, ETXTBSY, "executing a file open for writing fails with ETXTBSY");
	close(fd);
	r = run_execve(tmp_path("busy"), argv, envp);
	tap_ok(exited0(&r), "the same file executes once the writer closed it");
}

static void test_script(void)
{
	char line[PATH_MAX + 64];
	char *argv[] = { "ignored-argv0", "A", "B", NULL };
	char *envp[] = { "KEEL_EXEC_HELPER=args", NULL };
	char want[PATH_MAX * 2 + 64];
	char script[PATH_MAX];
	struct result r;

	/* "#!interp arg": argv becomes interp, arg, script path, argv[1]... */
	snprintf(line, sizeof(line), "#!%s  one-arg \n", self);
	write_file("script", line, strlen(line), 0755);
	snprintf(script, sizeof(script), "%s", tmp_path("script"));
	r = run_execve(script, argv, envp);
	snprintf(want, sizeof(want), "5|%s|one-arg|%s|A|B#KEEL_EXEC_HELPER=args", self, script);
	tap_is_str(r.out, want, "a #! script runs its interpreter with the script path inserted");

	write_file("badinterp", "#!/nonexistent/keel-interp\n", 27, 0755);
	r = run_execve(tmp_path("badinterp"), argv, envp);
	tap_is_int(r.err, ENOENT, "a #! script with a missing interpreter fails with ENOENT");
}

static void test_execveat(void)
{
	char *argv[] = { "at", "z", NULL };
	char *envp[] = { "KEEL_EXEC_HELPER=args", NULL };
	struct result r;
	int dfd, fd;

	copy_self("at-copy");
	if (symlink("at-copy", tmp_path("at-link")))
		tap_bail("symlink");
	dfd = open(dir, O_RDONLY | O_DIRECTORY);
	fd = open(self, O_RDONLY | O_CLOEXEC);
	if (dfd < 0 || fd < 0)
		tap_bail("open");

	r = run_execveat(fd, "", argv, envp, AT_EMPTY_PATH);
	tap_is_str(r.out, "2|at|z#KEEL_EXEC_HELPER=args",
		   "execveat with AT_EMPTY_PATH runs the file behind the fd");
	r = run_execveat(dfd, "at-copy", argv, envp, 0);
	tap_is_str(r.out, "2|at|z#KEEL_EXEC_HELPER=args",
		   "execveat resolves a relative path against dirfd");
	r = run_execveat(dfd, "at-link", argv, envp, AT_SYMLINK_NOFOLLOW);
	tap_is_int(r.err, ELOOP, "execveat with AT_SYMLINK_NOFOLLOW on a symlink fails with ELOOP");
	r = run_execveat(fd, "", argv, envp, 0);
	tap_is_int(r.err, ENOENT,
		   "execveat with an empty path and no AT_EMPTY_PATH fails with ENOENT");
	r = run_execveat(dfd, "at-copy", argv, envp, 0x1);
	tap_is_int(r.err, EINVAL, "execveat with an unknown flag fails with EINVAL");
	r = run_execveat(-1, "at-copy", argv, envp, 0);
	tap_is_int(r.err, EBADF, "execveat with a relative path and a bad dirfd fails with EBADF");
	r = run_execveat(fd, "at-copy", argv, envp, 0);
	tap_is_int(r.err, ENOTDIR,
		   "execveat with a relative path and a non-directory fd fails with ENOTDIR");
	close(dfd);
	close(fd);
}

static void cleanup(void)
{
	static const char *names[] = {
		"noexec", "garbage", "empty", "loop1", "loop2", "busy",
		"script", "badinterp", "at-copy", "at-link",
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		unlink(tmp_path(names[i]));
	rmdir(dir);
}

int main(int argc, char **argv)
{
	const char *mode = getenv("KEEL_EXEC_HELPER");
	ssize_t n;

	if (mode)
		return helper(mode, argc, argv);

	alarm(25);	/* a safety net below the runner's 30 s timeout */
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n <= 0)
		tap_bail("readlink /proc/self/exe");
	self[n] = 0;
	if (!mkdtemp(dir))
		tap_bail("mkdtemp");

	test_argv_envp();
	test_arg_limits();
	test_cloexec();
	test_pid_kept();
	test_errors();
	test_txtbsy();
	test_script();
	test_execveat();
	cleanup();
	return tap_done();
}
