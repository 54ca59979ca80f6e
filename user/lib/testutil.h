/*
 * testutil.h - helpers shared by Keel's user-space conformance tests.
 *
 * The plumbing that many test programs need and that is not itself under
 * test: a scratch directory, small file and stat shortcuts, waiting for
 * children, dropping privileges, running a check in a child that sends its
 * results back through a pipe, installing signal handlers, catching memory
 * faults, reading /proc, clocks, anonymous mappings and pty pairs.
 *
 *	scratch_enter("perms");		// mkdir ./perms.<pid>, chdir there
 *	n = child_results(fn, NULL, res, 4);	// fn(res, NULL) in a child
 *	if (fault_read(p) == SIGSEGV && fault_last.code == SEGV_MAPERR)
 *		...
 *	scratch_leave(NULL);			// back to "..", remove the tree
 *
 * Conventions: helpers that cannot go on (no pipe, no pty, no scratch
 * directory) end the program with tap_bail(); everything else reports
 * failure through its return value and leaves errno set, so the test
 * decides what a failure means. Helpers documented as "Child:" belong in
 * a forked child. Nothing here prints TAP results.
 */
#ifndef KEEL_USER_TESTUTIL_H
#define KEEL_USER_TESTUTIL_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

/* The unprivileged uid and gid that tests drop to. */
#define NOBODY 65534

/* ---- files and directories --------------------------------------------- */

/* mkdir ./<name>.<pid> (0755) and chdir into it; return its name. Bails. */
const char *scratch_enter(const char *name);
/* chdir to @parent (".." when NULL) and remove the scratch tree. */
void scratch_leave(const char *parent);
/* Remove @path and everything below it, never following links; 0 or -1. */
int remove_tree(const char *path);
/* Create or truncate @path (0644) and write @text into it; 0 or -1. */
int file_put(const char *path, const char *text);
/* file_put(), ending the program with tap_bail() if it fails. */
void file_put_or_bail(const char *path, const char *text);
/* Up to 255 bytes read from @fd, then closed, as a string; "" if fd < 0. */
const char *fd_slurp(int fd);
/* Up to 255 bytes of @path as a string (fd_slurp's buffer); "(missing)". */
const char *file_get(const char *path);
/* lstat's st_mode of @path, or (mode_t)-1. */
mode_t lstat_mode(const char *path);
/* lstat's st_ino of @path, or 0. */
ino_t lstat_ino(const char *path);
/* read() until @len bytes, EOF or an error, retrying on EINTR: bytes read. */
ssize_t read_all(int fd, void *buf, size_t len);
/* Whether all @len bytes at @p equal @v. */
int mem_all(const void *p, size_t len, char v);

/* ---- processes and credentials ------------------------------------------ */

/* waitpid(@pid) and return its exit code, or -1 if it did not exit. */
int wait_exit_code(pid_t pid);
/* waitpid(@pid) and return the raw wait status, or -1. */
int wait_status(pid_t pid);
/* Drop to @uid/@gid (real, effective, saved) and no groups; 0 or -1. */
int drop_to_user(uid_t uid, gid_t gid);
/*
 * Fill res[0..n) with -1, run fn(res, arg) in a forked child and copy back
 * the res[] the child ends with, through a pipe. Return: how many ints
 * arrived (fewer than @n when the child died early).
 */
int child_results(void (*fn)(int *res, void *arg), void *arg, int *res, int n);
/* 0 if @r is not negative, else errno: a call's outcome as one int. */
int errno_of(long r);

/*
 * The report channel, one per program: a forked child sends ints with
 * report(), the parent reads them in order with reported(), and the
 * parent releases a child waiting in report_wait_go() with report_go().
 */
/* Create the channel's two pipes (before fork). Bails. */
void report_open(void);
/* Close all four ends. */
void report_close(void);
/* Child: close the parent's ends (results reader, go writer). */
void report_child(void);
/* Child: send @v to the parent. */
void report(int v);
/* Parent: the next int a child sent; -999 if none will come. */
int reported(void);
/* Child: block until the parent calls report_go(). */
void report_wait_go(void);
/* Parent: let one child waiting in report_wait_go() go on. */
void report_go(void);

/* ---- signals ------------------------------------------------------------ */

/* sigaction(@sig) with handler @fn, @flags and an empty mask; 0 or -1. */
int sig_install(int sig, void (*fn)(int), int flags);
/* The same for an SA_SIGINFO handler (SA_SIGINFO is added to @flags). */
int sig_install_info(int sig, void (*fn)(int, siginfo_t *, void *), int flags);

/* The last fault caught by a fault_* probe: signal, si_code, si_addr. */
struct fault_info {
	int sig;
	int code;
	void *addr;
};
extern volatile struct fault_info fault_last;

/* Catch @sig (SIGSEGV, SIGBUS, ...) for the fault_* probes below. */
void fault_catch(int sig);
/* Read the byte at @p: 0, or the caught signal that the access raised. */
int fault_read(volatile char *p);
/* Write @v at @p: 0, or the caught signal that the access raised. */
int fault_write(volatile char *p, char v);
/* Call code at @p: 0, or the caught signal that the call raised. */
int fault_call(void *p);

/* ---- /proc, clocks, memory, ptys ---------------------------------------- */

/* The value of "@key:" in /proc/meminfo (kB), or -1. */
long meminfo_kib(const char *key);
/* The text after "@key:\t" on its line of /proc/self/status; 0 or -1. */
int proc_status(const char *key, char *buf, size_t size);
/* The state letter from a /proc/.../stat file named by @fmt, or 0. */
char proc_stat_state(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));
/* Number of entries in /proc/self/task (0 without /proc). */
int count_tasks(void);
/* clock_gettime(@clk) in nanoseconds, or -1. */
int64_t clock_ns(clockid_t clk);
/* CLOCK_MONOTONIC in milliseconds. */
long mono_ms(void);
/* Anonymous read/write mmap (MAP_PRIVATE unless @flags has MAP_SHARED). */
char *map_anon(void *addr, size_t len, int flags);
/* An address range of @len bytes that is free right now. Bails. */
char *free_range(size_t len);
/* Open and unlock a pty master (O_NOCTTY); slave path in @slave. Bails. */
int pty_open_master(char *slave, size_t size);
/*
 * Child: alarm(20), close @master and the parent's report ends, setsid()
 * and make @slave the controlling tty. Return: the slave fd; exits with
 * 90 (setsid) or 91 (slave) on failure.
 */
int pty_child_session(int master, const char *slave);

#endif /* KEEL_USER_TESTUTIL_H */
