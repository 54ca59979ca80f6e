/*
 * epoll instance management and error paths (man 2 epoll_create,
 * epoll_ctl, epoll_wait): EPOLL_CLOEXEC, EINVAL for bad flags and size,
 * ADD/MOD/DEL with EEXIST/ENOENT/EBADF/EPERM/EINVAL/EFAULT, an epoll fd
 * added to itself (EINVAL) or to a cycle (ELOOP), EPOLLEXCLUSIVE rules,
 * registrations keyed by (fd, open file) so a dup can be added too, a
 * registration vanishing when its file is closed, and epoll_wait's
 * maxevents limits (0, negative, above EP_MAX_EVENTS) and EFAULT.
 */
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <sys/epoll.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "tap.h"

/* fs/eventpoll.c: EP_MAX_EVENTS = INT_MAX / sizeof(struct epoll_event). */
#define EP_MAX_EVENTS ((int)(INT_MAX / sizeof(struct epoll_event)))

static int add(int ep, int fd, unsigned int events)
{
	struct epoll_event ev = {.events = events, .data.fd = fd};

	return epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
}

int main(void)
{
	struct epoll_event ev = {.events = EPOLLIN}, out[4];
	int ep, ep2, ep3, p[2], q[2], fd, dupfd, old;
	char name[64];

	alarm(20);
	tap_plan(33);

	ep = epoll_create1(0);
	tap_ok(ep >= 0 && !(fcntl(ep, F_GETFD) & FD_CLOEXEC),
	       "epoll_create1(0) returns an fd without FD_CLOEXEC");
	ep2 = epoll_create1(EPOLL_CLOEXEC);
	tap_ok(ep2 >= 0 && (fcntl(ep2, F_GETFD) & FD_CLOEXEC),
	       "epoll_create1(EPOLL_CLOEXEC) sets FD_CLOEXEC");
	tap_is_errno(epoll_create1(1), EINVAL,
		     "epoll_create1 with an unknown flag fails with EINVAL");
	tap_is_errno(syscall(SYS_epoll_create, 0), EINVAL,
		     "epoll_create(0) fails with EINVAL");
	fd = syscall(SYS_epoll_create, 1);
	tap_ok(fd >= 0, "epoll_create(1) succeeds (the size is only a hint)");
	close(fd);

	/* ADD / MOD / DEL. */
	pipe(p);
	tap_is_int(add(ep, p[0], EPOLLIN), 0,
		   "EPOLL_CTL_ADD of a pipe succeeds");
	tap_is_errno(add(ep, p[0], EPOLLIN), EEXIST,
		     "adding the same fd twice fails with EEXIST");
	ev.events = EPOLLIN | EPOLLET;
	tap_is_int(epoll_ctl(ep, EPOLL_CTL_MOD, p[0], &ev), 0,
		   "EPOLL_CTL_MOD of a registered fd succeeds");
	tap_is_int(epoll_ctl(ep, EPOLL_CTL_DEL, p[0], NULL), 0,
		   "EPOLL_CTL_DEL of a registered fd succeeds");
	tap_is_errno(epoll_ctl(ep, EPOLL_CTL_DEL, p[0], NULL), ENOENT,
		     "deleting an unregistered fd fails with ENOENT");
	tap_is_errno(epoll_ctl(ep, EPOLL_CTL_MOD, p[0], &ev), ENOENT,
		     "modifying an unregistered fd fails with ENOENT");
	tap_is_errno(add(ep, 999, EPOLLIN), EBADF,
		     "adding a closed fd fails with EBADF");
	tap_is_errno(epoll_ctl(999, EPOLL_CTL_ADD, p[0], &ev), EBADF,
		     "epoll_ctl on a closed epfd fails with EBADF");
	tap_is_errno(epoll_ctl(p[1], EPOLL_CTL_ADD, p[0], &ev), EINVAL,
		     "epoll_ctl on a non-epoll epfd fails with EINVAL");
	tap_is_errno(add(ep, ep, EPOLLIN), EINVAL,
		     "adding an epoll fd to itself fails with EINVAL");
	tap_is_errno(epoll_ctl(ep, 99, p[0], &ev), EINVAL,
		     "an unknown op fails with EINVAL");
	tap_is_errno(
		epoll_ctl(ep, EPOLL_CTL_ADD, p[0], (struct epoll_event *)8),
		EFAULT, "an unmapped event fails with EFAULT");

	/* Files that cannot be polled. */
	snprintf(name, sizeof(name), "epoll_ctl.%d", (int)getpid());
	fd = open(name, O_RDWR | O_CREAT | O_EXCL, 0600);
	unlink(name);
	tap_is_errno(add(ep, fd, EPOLLIN), EPERM,
		     "adding a regular file fails with EPERM");
	close(fd);

	/* Nesting: allowed once, a cycle is ELOOP. */
	ep3 = epoll_create1(0);
	tap_is_int(add(ep2, ep3, EPOLLIN), 0,
		   "an epoll fd can watch another epoll fd");
	tap_is_errno(add(ep3, ep2, EPOLLIN), ELOOP,
		     "closing a cycle of epoll fds fails with ELOOP");

	/* EPOLLEXCLUSIVE: ADD only, never on an epoll fd. */
	tap_is_errno(add(ep3, ep, EPOLLIN | EPOLLEXCLUSIVE), EINVAL,
		     "EPOLLEXCLUSIVE on an epoll target fails with EINVAL");
	add(ep, p[0], EPOLLIN);
	ev.events = EPOLLIN | EPOLLEXCLUSIVE;
	tap_is_errno(epoll_ctl(ep, EPOLL_CTL_MOD, p[0], &ev), EINVAL,
		     "EPOLL_CTL_MOD with EPOLLEXCLUSIVE fails with EINVAL");

	/* Registrations are per (fd, file): a dup is a separate entry. */
	dupfd = dup(p[0]);
	tap_is_int(add(ep, dupfd, EPOLLIN), 0,
		   "a dup of a registered fd can be added as well");
	write(p[1], "x", 1);
	tap_is_int(epoll_wait(ep, out, 4, 0), 2,
		   "both entries for the same pipe report readiness");
	close(dupfd);

	/* Closing the last fd of a file removes its registration. */
	old = p[0];
	close(p[0]);
	close(p[1]);
	tap_is_errno(epoll_ctl(ep, EPOLL_CTL_DEL, old, NULL), EBADF,
		     "deleting a closed fd fails with EBADF");
	pipe(q); /* reuses the lowest free numbers */
	tap_ok(q[0] == old || q[1] == old,
	       "the closed fd number is reused by a new pipe");
	tap_is_int(
		add(ep, old, EPOLLIN), 0,
		"the new file under the old number is not already registered");

	/* epoll_wait argument checks. */
	tap_is_errno(epoll_wait(ep, out, 0, 0), EINVAL,
		     "epoll_wait with maxevents 0 fails with EINVAL");
	tap_is_errno(epoll_wait(ep, out, -1, 0), EINVAL,
		     "epoll_wait with negative maxevents fails with EINVAL");
	tap_is_errno(
		epoll_wait(ep, out, EP_MAX_EVENTS + 1, 0), EINVAL,
		"epoll_wait with maxevents above EP_MAX_EVENTS fails with EINVAL");
	tap_is_errno(epoll_wait(q[0], out, 4, 0), EINVAL,
		     "epoll_wait on a non-epoll fd fails with EINVAL");
	tap_is_errno(epoll_wait(999, out, 4, 0), EBADF,
		     "epoll_wait on a closed fd fails with EBADF");
	ev.events = EPOLLOUT; /* an empty pipe's write end is always ready */
	if (add(ep, q[1], EPOLLOUT) < 0)
		epoll_ctl(ep, EPOLL_CTL_MOD, q[1], &ev);
	tap_is_errno(
		epoll_wait(ep, (struct epoll_event *)8, 4, 0), EFAULT,
		"epoll_wait delivering into an unmapped array fails with EFAULT");

	return tap_done();
}
