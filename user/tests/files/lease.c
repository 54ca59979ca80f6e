/*
 * File leases (man 2 fcntl, "Leases"): F_SETLEASE / F_GETLEASE read and
 * write leases, EAGAIN when the file is open in a conflicting way,
 * EINVAL for a bad type or a directory, EACCES for a non-owner, readers
 * not breaking a read lease, a conflicting open from another process
 * announced with SIGIO (F_SETSIG: the chosen signal, si_code POLL_MSG,
 * si_fd), F_GETLEASE then showing the type to go down to, the opener
 * waiting until the holder downgrades or releases, O_NONBLOCK openers
 * getting EWOULDBLOCK, truncate(2) breaking a lease, and the kernel
 * ending a lease after /proc/sys/fs/lease-break-time.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tap.h"
#include "testutil.h"

#ifndef POLL_MSG
#define POLL_MSG 3
#endif

static volatile sig_atomic_t got_io, got_usr1, usr1_fd, usr1_code;

static void on_io(int sig)
{
	(void)sig;
	got_io++;
}

static void on_usr1(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)uc;
	got_usr1++;
	usr1_fd = si->si_fd;
	usr1_code = si->si_code;
}

/* Wait up to 5 s for *@flag to become non-zero. */
static int wait_flag(volatile sig_atomic_t *flag)
{
	long t0 = mono_ms();

	while (!*flag && mono_ms() - t0 < 5000)
		usleep(5000);
	return *flag != 0;
}

/* In a child: drop the inherited fds (they would keep a lease alive). */
static void close_inherited(void)
{
	int i;

	for (i = 3; i < 64; i++)
		close(i);
}

/* A child that opens "f" with @flags and exits 0 on success, else errno. */
static pid_t opener(int flags)
{
	pid_t pid = fork();

	if (pid == 0) {
		int fd;

		close_inherited();
		fd = open("f", flags);

		_exit(fd < 0 ? errno : 0);
	}
	return pid;
}

static void test_errors(void)
{
	int fd = open("f", O_RDONLY), other, dir = open(".", O_RDONLY);
	int res[1];
	pid_t pid;

	tap_is_int(fcntl(fd, F_GETLEASE), F_UNLCK, "no lease: F_UNLCK");
	tap_is_errno(fcntl(fd, F_SETLEASE, 7), EINVAL,
		     "an unknown lease type gives EINVAL");
	tap_is_errno(fcntl(dir, F_SETLEASE, F_RDLCK), EINVAL,
		     "a lease on a directory gives EINVAL");
	tap_is_errno(fcntl(fd, F_SETLEASE, F_UNLCK), EAGAIN,
		     "removing a lease that does not exist gives EAGAIN");
	other = open("f", O_RDONLY);
	tap_is_errno(fcntl(fd, F_SETLEASE, F_WRLCK), EAGAIN,
		     "a write lease with another open gives EAGAIN");
	close(other);
	other = open("f", O_WRONLY);
	tap_is_errno(fcntl(fd, F_SETLEASE, F_RDLCK), EAGAIN,
		     "a read lease with a writer gives EAGAIN");
	close(other);
	tap_is_errno(fcntl(fd, F_SETSIG, 65), EINVAL,
		     "F_SETSIG of an invalid signal gives EINVAL");
	tap_ok(fcntl(fd, F_SETSIG, SIGUSR1) == 0 &&
	       fcntl(fd, F_GETSIG) == SIGUSR1, "F_GETSIG returns F_SETSIG's");
	close(fd);
	close(dir);
	pid = fork();

	if (pid == 0) {
		res[0] = 99;
		if (drop_to_user(NOBODY, NOBODY) == 0) {
			fd = open("f", O_RDONLY);
			res[0] = errno_of(fcntl(fd, F_SETLEASE, F_RDLCK));
		}
		_exit(res[0]);
	}
	tap_is_int(wait_exit_code(pid), EACCES,
		   "a lease on another user's file gives EACCES");
}

static void test_read_lease(void)
{
	int fd = open("f", O_RDONLY);
	pid_t pid;

	tap_is_int(fcntl(fd, F_SETLEASE, F_RDLCK), 0, "take a read lease");
	tap_is_int(fcntl(fd, F_GETLEASE), F_RDLCK, "F_GETLEASE: F_RDLCK");
	tap_is_int(wait_exit_code(opener(O_RDONLY)), 0,
		   "another reader does not break it");
	tap_is_int(got_io, 0, "and nobody was told");
	pid = opener(O_WRONLY | O_NONBLOCK);
	tap_is_int(wait_exit_code(pid), EWOULDBLOCK,
		   "a non-blocking writer gets EWOULDBLOCK");
	tap_ok(wait_flag(&got_io), "the holder gets SIGIO");
	tap_is_int(fcntl(fd, F_GETLEASE), F_UNLCK,
		   "F_GETLEASE shows the break's target F_UNLCK");
	/* A lease already being broken is not announced again: anew. */
	fcntl(fd, F_SETLEASE, F_UNLCK);
	fcntl(fd, F_SETLEASE, F_RDLCK);
	got_io = 0;
	pid = fork();
	if (pid == 0) {
		close_inherited();
		_exit(truncate("f", 0) ? errno : 0);
	}
	tap_ok(wait_flag(&got_io), "truncate(2) breaks it too");
	tap_is_int(fcntl(fd, F_SETLEASE, F_UNLCK), 0, "the holder lets go");
	tap_is_int(wait_exit_code(pid), 0, "and the truncate goes on");
	close(fd);
}

static void test_write_lease(void)
{
	int fd = open("f", O_RDWR);
	pid_t pid;

	fcntl(fd, F_SETSIG, SIGUSR1);
	tap_is_int(fcntl(fd, F_SETLEASE, F_WRLCK), 0, "take a write lease");
	pid = opener(O_RDONLY);
	tap_ok(wait_flag(&got_usr1) && usr1_fd == fd &&
	       usr1_code == POLL_MSG,
	       "a reader's open: F_SETSIG's signal, POLL_MSG and si_fd");
	tap_is_int(fcntl(fd, F_GETLEASE), F_RDLCK,
		   "F_GETLEASE shows the break's target F_RDLCK");
	usleep(50 * 1000);
	tap_is_int(waitpid(pid, NULL, WNOHANG), 0,
		   "the opener waits for the holder");
	close(fd);              /* an O_RDWR file cannot keep a read lease */
	tap_is_int(wait_exit_code(pid), 0,
		   "closing the leased file lets the opener go");
}

static void test_timeout(void)
{
	int fd = open("f", O_RDONLY), pfd;
	char old[32] = "45\n";
	long t0;
	ssize_t n;

	pfd = open("/proc/sys/fs/lease-break-time", O_RDWR);
	n = pfd >= 0 ? read(pfd, old, sizeof(old) - 1) : -1;
	if (n > 0)
		old[n] = '\0';
	tap_ok(pfd >= 0 && n > 0 && pwrite(pfd, "1\n", 2, 0) == 2,
	       "/proc/sys/fs/lease-break-time is writable");
	fcntl(fd, F_SETSIG, 0);
	fcntl(fd, F_SETLEASE, F_WRLCK);
	got_io = 0;
	t0 = mono_ms();
	tap_is_int(wait_exit_code(opener(O_RDWR)), 0,
		   "a holder that does nothing loses the lease");
	tap_ok(got_io && mono_ms() - t0 >= 900 &&
	       fcntl(fd, F_GETLEASE) == F_UNLCK,
	       "after lease-break-time, with SIGIO sent first");
	if (pfd >= 0) {
		pwrite(pfd, old, strlen(old), 0);
		close(pfd);
	}
	close(fd);
}

int main(void)
{
	alarm(30);
	tap_plan(27);
	scratch_enter("lease");
	sig_install(SIGIO, on_io, SA_RESTART);
	sig_install_info(SIGUSR1, on_usr1, SA_RESTART);
	file_put_or_bail("f", "data");
	chmod("f", 0644);
	test_errors();
	test_read_lease();
	test_write_lease();
	test_timeout();
	scratch_leave(NULL);
	return tap_done();
}
