/*
 * Linux poll(2)/epoll(7) event bits (asm-generic/poll.h,
 * linux/eventpoll.h): the EPOLL* and POLL* values are the same bits.
 */
#ifndef UAPI_POLL_H
#define UAPI_POLL_H

#define POLLIN     0x0001
#define POLLPRI    0x0002
#define POLLOUT    0x0004
#define POLLERR    0x0008
#define POLLHUP    0x0010
#define POLLNVAL   0x0020
#define POLLRDNORM 0x0040
#define POLLRDBAND 0x0080
#define POLLWRNORM 0x0100
#define POLLWRBAND 0x0200
#define POLLMSG    0x0400
#define POLLRDHUP  0x2000

#define EPOLLIN     0x00000001u
#define EPOLLPRI    0x00000002u
#define EPOLLOUT    0x00000004u
#define EPOLLERR    0x00000008u
#define EPOLLHUP    0x00000010u
#define EPOLLNVAL   0x00000020u
#define EPOLLRDNORM 0x00000040u
#define EPOLLRDBAND 0x00000080u
#define EPOLLWRNORM 0x00000100u
#define EPOLLWRBAND 0x00000200u
#define EPOLLMSG    0x00000400u
#define EPOLLRDHUP  0x00002000u
#define EPOLLEXCLUSIVE (1u << 28)
#define EPOLLWAKEUP    (1u << 29)
#define EPOLLONESHOT   (1u << 30)
#define EPOLLET        (1u << 31)

/* poll(2)'s array element. */
struct pollfd {
	int fd;
	short events;
	short revents;
};

#endif /* UAPI_POLL_H */
