/*
 * Advisory locks (fcntl(2) "Advisory record locking", "Open file
 * description locks"; flock(2)):
 *  - POSIX record locks are per process: F_GETLK in another process reports
 *    the holder's range, type and pid; F_SETLK fails with EAGAIN on a
 *    conflict, read locks are shared, ranges that do not overlap are free,
 *    F_SETLKW waits for the holder, a cycle gives EDEADLK, and closing ANY
 *    descriptor of the file drops the process's locks;
 *  - OFD locks conflict between open file descriptions even in one process
 *    and report l_pid -1;
 *  - flock locks belong to the open file description: shared by dup and
 *    fork, conflicting (EWOULDBLOCK with LOCK_NB) with another open of the
 *    same file, independent of POSIX locks.
 * Errors: EBADF for a lock type the access mode forbids or a closed fd,
 * EINVAL for bad l_type, l_whence, l_start, a non-zero OFD l_pid and a bad
 * flock operation. Other processes report through pipes and exit statuses.
 */
#include <fcntl.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tap.h"
#include "testutil.h"

static struct flock fl(short type, off_t start, off_t len)
{
	struct flock f = { 0 };

	f.l_type = type;
	f.l_whence = SEEK_SET;
	f.l_start = start;
	f.l_len = len;
	return f;
}

static int lk(int fd, int cmd, short type, off_t start, off_t len)
{
	struct flock f = fl(type, start, len);

	return fcntl(fd, cmd, &f);
}

/* In a child with its own open of "lk": try F_SETLK; exit 0, or errno. */
static int child_setlk(short type, off_t start, off_t len)
{
	pid_t pid = fork();

	if (pid == 0) {
		int fd = open("lk", O_RDWR);

		_exit(lk(fd, F_SETLK, type, start, len) == 0 ? 0 : errno);
	}
	return wait_exit_code(pid);
}

/* In a child: F_GETLK for a write lock on [start, start+len). */
static struct flock child_getlk(off_t start, off_t len)
{
	struct flock f = fl(F_WRLCK, start, len);
	int pfd[2];
	pid_t pid;

	pipe(pfd);
	pid = fork();
	if (pid == 0) {
		int fd = open("lk", O_RDWR);

		if (fcntl(fd, F_GETLK, &f) == -1)
			f.l_type = -1;
		write(pfd[1], &f, sizeof(f));
		_exit(0);
	}
	if (read(pfd[0], &f, sizeof(f)) != sizeof(f))
		f.l_type = -2;
	wait_exit_code(pid);
	close(pfd[0]);
	close(pfd[1]);
	return f;
}

/* In a child with its own open: flock(op); exit 0, or errno. */
static int child_flock(int op)
{
	pid_t pid = fork();

	if (pid == 0) {
		int fd = open("lk", O_RDWR);

		_exit(flock(fd, op) == 0 ? 0 : errno);
	}
	return wait_exit_code(pid);
}

int main(void)
{
	struct flock f;
	int fd, fd2, fdb, rfd, wfd, p1[2], p2[2], pe, ce;
	char c;
	pid_t pid;

	alarm(60);
	tap_plan(30);

	fd = open("lk", O_RDWR | O_CREAT | O_TRUNC, 0644);
	ftruncate(fd, 100);

	/* POSIX locks between processes. */
	tap_is_int(lk(fd, F_SETLK, F_WRLCK, 0, 10), 0, "F_SETLK takes a write lock");
	f = fl(F_WRLCK, 0, 10);
	fcntl(fd, F_GETLK, &f);
	tap_is_int(f.l_type, F_UNLCK, "F_GETLK ignores the caller's own locks");
	f = child_getlk(5, 1);
	tap_ok(f.l_type == F_WRLCK && f.l_pid == getpid() && f.l_start == 0 && f.l_len == 10,
	       "F_GETLK in another process reports the holder's type, range and pid");
	tap_is_int(child_setlk(F_WRLCK, 0, 10), EAGAIN, "a conflicting F_SETLK fails with EAGAIN");
	tap_is_int(child_setlk(F_WRLCK, 20, 10), 0, "a lock on a disjoint range succeeds");
	lk(fd, F_SETLK, F_RDLCK, 0, 10);
	tap_is_int(child_setlk(F_RDLCK, 0, 10), 0, "read locks are shared");
	tap_is_int(child_setlk(F_WRLCK, 5, 1), EAGAIN, "a write lock conflicts with a read lock");
	lk(fd, F_SETLK, F_UNLCK, 0, 10);
	tap_is_int(child_setlk(F_WRLCK, 0, 10), 0, "after F_UNLCK the range is free");

	/* F_SETLKW waits until the holder lets go. */
	lk(fd, F_SETLK, F_WRLCK, 0, 10);
	pipe(p1);
	pipe(p2);
	pid = fork();
	if (pid == 0) {
		int cfd = open("lk", O_RDWR);

		alarm(20);
		write(p1[1], "r", 1);
		if (lk(cfd, F_SETLKW, F_WRLCK, 0, 10) != 0)
			_exit(1);
		write(p1[1], "g", 1);
		read(p2[0], &c, 1);	/* hold it until the parent has looked */
		_exit(0);
	}
	read(p1[0], &c, 1);
	lk(fd, F_SETLK, F_UNLCK, 0, 10);
	tap_ok(read(p1[0], &c, 1) == 1 && c == 'g', "F_SETLKW acquires the lock once the holder releases it");
	f = fl(F_WRLCK, 0, 1);
	fcntl(fd, F_GETLK, &f);
	tap_ok(f.l_type == F_WRLCK && f.l_pid == pid, "the waiter now holds the lock");
	write(p2[1], "x", 1);
	tap_is_int(wait_exit_code(pid), 0, "the waiting child finishes cleanly");

	/*
	 * Deadlock: we hold [0,1), the child holds [1,2); each then waits for
	 * the other's byte. Whichever of us closes the cycle gets EDEADLK;
	 * the other then obtains its lock.
	 */
	lk(fd, F_SETLK, F_WRLCK, 0, 1);
	pid = fork();
	if (pid == 0) {
		int cfd = open("lk", O_RDWR);

		alarm(20);
		lk(cfd, F_SETLK, F_WRLCK, 1, 1);
		write(p1[1], "r", 1);
		_exit(lk(cfd, F_SETLKW, F_WRLCK, 0, 1) == -1 && errno == EDEADLK ? 0 : 1);
	}
	read(p1[0], &c, 1);
	pe = lk(fd, F_SETLKW, F_WRLCK, 1, 1) == -1 && errno == EDEADLK;
	if (pe)
		lk(fd, F_SETLK, F_UNLCK, 0, 1);	/* let the child through */
	ce = wait_exit_code(pid) == 0;
	tap_ok(pe != ce, "a lock cycle between two processes fails with EDEADLK for exactly one");
	lk(fd, F_SETLK, F_UNLCK, 0, 100);

	/* Closing any descriptor of the file drops our POSIX locks. */
	lk(fd, F_SETLK, F_WRLCK, 0, 10);
	fd2 = open("lk", O_RDONLY);
	close(fd2);
	tap_is_int(child_setlk(F_WRLCK, 0, 10), 0, "closing another descriptor of the file releases the locks");

	/* Errors. */
	rfd = open("lk", O_RDONLY);
	wfd = open("lk", O_WRONLY);
	tap_is_errno(lk(rfd, F_SETLK, F_WRLCK, 0, 1), EBADF, "a write lock on an O_RDONLY fd fails with EBADF");
	tap_is_errno(lk(wfd, F_SETLK, F_RDLCK, 0, 1), EBADF, "a read lock on an O_WRONLY fd fails with EBADF");
	tap_is_errno(lk(fd, F_SETLK, 42, 0, 1), EINVAL, "an unknown l_type fails with EINVAL");
	f = fl(F_WRLCK, 0, 1);
	f.l_whence = 7;
	tap_is_errno(fcntl(fd, F_SETLK, &f), EINVAL, "an unknown l_whence fails with EINVAL");
	tap_is_errno(lk(fd, F_SETLK, F_WRLCK, -5, 1), EINVAL, "a range starting before 0 fails with EINVAL");
	close(wfd);
	tap_is_errno(lk(wfd, F_SETLK, F_WRLCK, 0, 1), EBADF, "locking a closed fd fails with EBADF");

	/* OFD locks. */
	fdb = open("lk", O_RDWR);
	tap_is_int(lk(fd, F_OFD_SETLK, F_WRLCK, 50, 10), 0, "F_OFD_SETLK takes a lock");
	tap_is_errno(lk(fdb, F_OFD_SETLK, F_WRLCK, 55, 1), EAGAIN,
		     "another open file description of the same process conflicts (EAGAIN)");
	f = fl(F_WRLCK, 55, 1);
	fcntl(fdb, F_OFD_GETLK, &f);
	tap_ok(f.l_type == F_WRLCK && f.l_pid == -1 && f.l_start == 50,
	       "F_OFD_GETLK reports the OFD lock with l_pid -1");
	fd2 = open("lk", O_RDONLY);
	close(fd2);
	tap_is_errno(lk(fdb, F_OFD_SETLK, F_WRLCK, 55, 1), EAGAIN,
		     "closing another descriptor does not drop an OFD lock");
	f = fl(F_WRLCK, 70, 1);
	f.l_pid = 1;
	tap_is_errno(fcntl(fd, F_OFD_SETLK, &f), EINVAL, "an OFD lock with a non-zero l_pid fails with EINVAL");
	lk(fd, F_OFD_SETLK, F_UNLCK, 50, 10);

	/* flock. */
	tap_is_int(flock(fd, LOCK_EX), 0, "flock LOCK_EX succeeds");
	tap_ok(flock(fdb, LOCK_EX | LOCK_NB) == -1 && errno == EWOULDBLOCK &&
	       flock(fdb, LOCK_SH | LOCK_NB) == -1 && errno == EWOULDBLOCK,
	       "another open of the file gets EWOULDBLOCK for LOCK_EX|LOCK_NB and LOCK_SH|LOCK_NB");
	fd2 = dup(fd);
	pid = fork();
	if (pid == 0)
		_exit(flock(fd2, LOCK_EX | LOCK_NB) == 0 ? 0 : errno);
	tap_ok(flock(fd2, LOCK_EX | LOCK_NB) == 0 && wait_exit_code(pid) == 0,
	       "a dup and a fork child share the open file description's flock");
	tap_is_int(child_setlk(F_WRLCK, 0, 100), 0, "flock and POSIX locks do not conflict");
	close(fd2);
	flock(fd, LOCK_UN);
	tap_ok(flock(fdb, LOCK_SH | LOCK_NB) == 0 && flock(fd, LOCK_SH | LOCK_NB) == 0 &&
	       child_flock(LOCK_EX | LOCK_NB) == EWOULDBLOCK,
	       "after LOCK_UN shared locks coexist and exclude LOCK_EX");
	fd2 = dup(fd);
	close(fd2);
	tap_ok(flock(fd, 0) == -1 && errno == EINVAL && flock(fd2, LOCK_SH) == -1 && errno == EBADF,
	       "flock with a bad operation fails with EINVAL, on a closed fd with EBADF");

	close(rfd);
	close(fdb);
	close(fd);
	unlink("lk");
	return tap_done();
}
