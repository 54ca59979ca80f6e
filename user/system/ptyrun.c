/*
 * ptyrun - run a command on a new pseudo-terminal, like script(1).
 *
 *	ptyrun [-q] [-c COMMAND] [LOGFILE]
 *
 * Debian's busybox has no `script` applet, so Keel's system image carries
 * this one. It opens /dev/ptmx, and forks a child that starts a new session
 * whose controlling terminal is the slave (/dev/pts/N), then runs COMMAND
 * with `/bin/sh -c` there, or an interactive $SHELL without -c. The parent
 * relays its standard input to the master and the master's output to its
 * standard output (and to LOGFILE when one is given), until the child has
 * exited and the master has nothing more to say; when standard input ends
 * the slave is typed its EOF character (^D). The exit status is the
 * child's (128 + N when signal N killed it), like `script -e`.
 *
 * When standard input is a terminal it is put in raw mode for the run, so
 * every key (^C, ^Z, arrows) reaches the slave's line discipline rather
 * than ours, and the slave starts with our window size. -q leaves out the
 * "ptyrun: started/done" lines written to standard error.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#define POLL_MS		100	/* how often the relay checks on the child */
#define EOF_EVERY	5	/* idle polls between EOFs after input ended */

struct relay {
	int master;
	int log;		/* -1: no log file */
	bool in_open;		/* still reading standard input */
	unsigned int idle;	/* polls without output since input ended */
	bool out_open;		/* the master may still have output */
};

static void usage(void)
{
	fprintf(stderr, "usage: ptyrun [-q] [-c COMMAND] [LOGFILE]\n");
	exit(2);
}

static int write_all(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t n = write(fd, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/* The master side, with the slave unlocked; its path goes to name. */
static int open_master(char *name, size_t size)
{
	int fd = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);

	if (fd < 0) {
		perror("ptyrun: /dev/ptmx");
		return -1;
	}
	if (grantpt(fd) < 0 || unlockpt(fd) < 0 ||
	    ptsname_r(fd, name, size) != 0) {
		perror("ptyrun: pseudo-terminal setup");
		close(fd);
		return -1;
	}
	return fd;
}

/* In the child: the slave becomes the controlling terminal. No return. */
static void __attribute__((noreturn)) run_child(const char *slave,
						const char *command,
						const struct winsize *ws)
{
	const char *shell = getenv("SHELL");
	int fd;

	if (!shell || !*shell)
		shell = "/bin/sh";
	if (setsid() < 0)
		perror("ptyrun: setsid");
	fd = open(slave, O_RDWR);
	if (fd < 0) {
		fprintf(stderr, "ptyrun: %s: %s\n", slave, strerror(errno));
		_exit(127);
	}
	if (ioctl(fd, TIOCSCTTY, 0) < 0)
		perror("ptyrun: TIOCSCTTY");
	if (ws)
		ioctl(fd, TIOCSWINSZ, ws);
	for (int i = 0; i < 3; i++)
		dup2(fd, i);
	if (fd > 2)
		close(fd);
	if (command)
		execl(shell, shell, "-c", command, (char *)NULL);
	else
		execl(shell, shell, "-i", (char *)NULL);
	fprintf(stderr, "ptyrun: %s: %s\n", shell, strerror(errno));
	_exit(127);
}

/* Master output to stdout and the log; false once the master is done. */
static bool relay_output(struct relay *r)
{
	char buf[4096];
	ssize_t n = read(r->master, buf, sizeof(buf));

	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return true;
	if (n <= 0)		/* EIO: every slave descriptor is closed */
		return false;
	write_all(1, buf, (size_t)n);
	if (r->log >= 0)
		write_all(r->log, buf, (size_t)n);
	return true;
}

/* Type the slave's EOF character (^D), as a user ending input would. */
static void send_eof(struct relay *r)
{
	struct termios tio;

	if (tcgetattr(r->master, &tio) == 0 && tio.c_cc[VEOF])
		write_all(r->master, (char *)&tio.c_cc[VEOF], 1);
}

/*
 * Standard input to the master; at its end, EOF. The EOF is typed again
 * whenever the child has been quiet for a while: one typed before the
 * child switched its terminal out of canonical mode (a shell's line
 * editor) reaches it as a plain byte, not as the end of its input.
 */
static void relay_input(struct relay *r)
{
	char buf[4096];
	ssize_t n = read(0, buf, sizeof(buf));

	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (n > 0) {
		write_all(r->master, buf, (size_t)n);
		return;
	}
	r->in_open = false;
	send_eof(r);
}

/* Relay until the child has exited and its output is drained. */
static int relay(struct relay *r, pid_t child)
{
	int status = 0;
	bool exited = false;

	while (r->out_open) {
		struct pollfd p[2] = {
			{ .fd = r->master, .events = POLLIN },
			{ .fd = r->in_open ? 0 : -1, .events = POLLIN },
		};
		int n = poll(p, 2, exited ? 0 : POLL_MS);

		if (n < 0 && errno != EINTR)
			break;
		if (n > 0 && (p[0].revents & (POLLIN | POLLHUP | POLLERR))) {
			r->out_open = relay_output(r);
			r->idle = 0;
		} else if (n == 0 && !r->in_open && !exited &&
			   ++r->idle % EOF_EVERY == 0) {
			send_eof(r);
		}
		if (n > 0 && (p[1].revents & (POLLIN | POLLHUP | POLLERR)))
			relay_input(r);
		if (exited && n == 0)
			break;	/* child gone and nothing left to read */
		if (!exited && waitpid(child, &status, WNOHANG) == child) {
			exited = true;
			fcntl(r->master, F_SETFL, O_NONBLOCK);
		}
	}
	if (!exited)
		waitpid(child, &status, 0);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}

int main(int argc, char **argv)
{
	struct relay r = { .log = -1, .in_open = true, .out_open = true };
	const char *command = NULL;
	struct termios saved, raw;
	struct winsize ws;
	bool quiet = false, tty_in, have_ws;
	char slave[64];
	pid_t child;
	int opt, status;

	while ((opt = getopt(argc, argv, "qc:")) != -1) {
		if (opt == 'q')
			quiet = true;
		else if (opt == 'c')
			command = optarg;
		else
			usage();
	}
	if (argc - optind > 1)
		usage();
	if (optind < argc) {
		r.log = open(argv[optind], O_WRONLY | O_CREAT | O_TRUNC |
			     O_CLOEXEC, 0644);
		if (r.log < 0) {
			fprintf(stderr, "ptyrun: %s: %s\n", argv[optind],
				strerror(errno));
			return 1;
		}
	}
	r.master = open_master(slave, sizeof(slave));
	if (r.master < 0)
		return 1;
	tty_in = tcgetattr(0, &saved) == 0;
	have_ws = ioctl(0, TIOCGWINSZ, &ws) == 0 && ws.ws_row && ws.ws_col;
	if (!quiet)
		fprintf(stderr, "ptyrun: started on %s\n", slave);

	child = fork();
	if (child < 0) {
		perror("ptyrun: fork");
		return 1;
	}
	if (child == 0)
		run_child(slave, command, have_ws ? &ws : NULL);

	if (tty_in) {
		raw = saved;
		cfmakeraw(&raw);
		tcsetattr(0, TCSADRAIN, &raw);
	}
	signal(SIGPIPE, SIG_IGN);
	status = relay(&r, child);
	if (tty_in)
		tcsetattr(0, TCSADRAIN, &saved);
	if (!quiet)
		fprintf(stderr, "ptyrun: done, status %d\n", status);
	return status;
}
