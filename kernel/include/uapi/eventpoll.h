/*
 * Linux epoll(7) and eventfd(2) ABI (linux/eventpoll.h, linux/eventfd.h):
 * epoll_ctl operations, the packed struct epoll_event of x86_64, and the
 * creation flags. The event bits are in <uapi/poll.h>.
 */
#ifndef UAPI_EVENTPOLL_H
#define UAPI_EVENTPOLL_H

#include <uapi/fcntl.h>
#include <uapi/poll.h>

#define EPOLL_CTL_ADD 1
#define EPOLL_CTL_DEL 2
#define EPOLL_CTL_MOD 3

#define EPOLL_CLOEXEC O_CLOEXEC

/* x86_64 packs it (12 bytes) for compatibility with 32-bit user space. */
struct epoll_event {
	unsigned int events;
	unsigned long long data;
} __attribute__((packed));

#define EFD_SEMAPHORE 1
#define EFD_CLOEXEC   O_CLOEXEC
#define EFD_NONBLOCK  O_NONBLOCK

/* splice(2)/tee(2) flags. */
#define SPLICE_F_MOVE     1
#define SPLICE_F_NONBLOCK 2
#define SPLICE_F_MORE     4
#define SPLICE_F_GIFT     8

#endif /* UAPI_EVENTPOLL_H */
