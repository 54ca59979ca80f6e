/*
 * FIFOs (man 7 fifo): mkfifo, a non-blocking read-only open without a
 * writer (succeeds, reads return 0), a non-blocking write-only open without
 * a reader (ENXIO) and with one, O_RDWR opens, blocking opens meeting a
 * peer in another process in both directions, bulk data between
 * processes, EOF, lseek → ESPIPE, F_GETPIPE_SZ, an unlinked FIFO still
 * carrying data, and buffered data dropped once every end is closed.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tap.h"
#include "testutil.h"

int main(void)
{
	static char big[200000], back[200000];
	char name[64], name2[64], buf[64];
	struct stat st;
	int r, w, rw, i;
	pid_t pid;

	alarm(20);
	tap_plan(22);
	umask(022);
	snprintf(name, sizeof(name), "fifo.%d", (int)getpid());
	snprintf(name2, sizeof(name2), "fifo2.%d", (int)getpid());

	tap_is_int(mkfifo(name, 0666), 0, "mkfifo succeeds");
	tap_ok(stat(name, &st) == 0 && S_ISFIFO(st.st_mode) &&
		       (st.st_mode & 0777) == 0644,
	       "the FIFO has S_IFIFO and the umask applied");

	/* Non-blocking opens. */
	tap_is_errno(
		open(name, O_WRONLY | O_NONBLOCK), ENXIO,
		"a non-blocking write-only open without a reader fails with ENXIO");
	r = open(name, O_RDONLY | O_NONBLOCK);
	tap_ok(r >= 0,
	       "a non-blocking read-only open without a writer succeeds");
	tap_is_int(read(r, buf, sizeof(buf)), 0,
		   "reading with no writer returns 0 (end of file)");
	w = open(name, O_WRONLY | O_NONBLOCK);
	tap_ok(w >= 0,
	       "a non-blocking write-only open succeeds once a reader exists");
	tap_is_errno(
		read(r, buf, sizeof(buf)), EAGAIN,
		"with a writer but no data a non-blocking read fails with EAGAIN");
	write(w, "through", 7);
	memset(buf, 0, sizeof(buf));
	read(r, buf, sizeof(buf));
	tap_is_str(buf, "through",
		   "data written to the FIFO comes out of the reader");
	tap_is_errno(lseek(r, 0, SEEK_CUR), ESPIPE,
		     "lseek on a FIFO fails with ESPIPE");
	tap_is_int(fcntl(r, F_GETPIPE_SZ), 16 * sysconf(_SC_PAGESIZE),
		   "a FIFO has the default pipe capacity");
	close(w);
	tap_is_int(read(r, buf, sizeof(buf)), 0,
		   "read returns 0 after the writer closes");
	close(r);

	/* O_RDWR never blocks and is both ends. */
	rw = open(name, O_RDWR);
	tap_ok(rw >= 0 && write(rw, "self", 4) == 4 && read(rw, buf, 4) == 4 &&
		       !memcmp(buf, "self", 4),
	       "an O_RDWR open reads back what it wrote");
	write(rw, "stale", 5);
	close(rw);
	rw = open(name, O_RDWR | O_NONBLOCK);
	tap_is_errno(read(rw, buf, sizeof(buf)), EAGAIN,
		     "data is discarded once every end of the FIFO is closed");
	close(rw);

	/* Blocking opens meet a peer in another process: reader first. */
	for (i = 0; i < (int)sizeof(big); i++)
		big[i] = (char)(i ^ (i >> 8));
	pid = fork();
	if (pid == 0) {
		/* Blocks until the parent opens for reading. */
		int fd = open(name, O_WRONLY);
		ssize_t n = fd < 0 ? -1 : write(fd, big, sizeof(big));

		_exit(n == (ssize_t)sizeof(big) ? 0 : 1);
	}
	r = open(name, O_RDONLY);
	tap_ok(r >= 0, "a blocking read-only open returns once a writer opens");
	tap_is_int(read_all(r, back, sizeof(back)), sizeof(big),
		   "all bytes from the other process arrive");
	tap_ok(!memcmp(big, back, sizeof(big)), "the data arrives intact");
	tap_is_int(read(r, buf, 1), 0,
		   "the reader sees EOF after the writer exits");
	tap_ok(wait_exit_code(pid) == 0,
	       "the writer's open and write succeeded");
	close(r);

	/* Writer first. */
	pid = fork();
	if (pid == 0) {
		int fd = open(name, O_RDONLY);

		if (fd < 0 || read_all(fd, buf, 5) != 5)
			_exit(1);
		_exit(memcmp(buf, "hello", 5) ? 1 : 0);
	}
	w = open(name, O_WRONLY);
	tap_ok(w >= 0 && write(w, "hello", 5) == 5,
	       "a blocking write-only open returns once a reader opens");
	close(w);
	tap_ok(wait_exit_code(pid) == 0,
	       "the reading process receives the data");

	/* An unlinked FIFO keeps working for the fds already open. */
	mkfifo(name2, 0600);
	rw = open(name2, O_RDWR);
	unlink(name2);
	memset(buf, 0, sizeof(buf));
	tap_ok(write(rw, "ghost", 5) == 5 && read(rw, buf, 5) == 5 &&
		       !strcmp(buf, "ghost"),
	       "an unlinked FIFO still carries data");
	close(rw);

	tap_is_errno(mkfifo(name, 0666), EEXIST,
		     "mkfifo of an existing name fails with EEXIST");
	unlink(name);
	return tap_done();
}
