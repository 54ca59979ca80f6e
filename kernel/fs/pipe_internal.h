/*
 * Internals of the pipe ring shared by kernel/fs/pipe.c (pipes, FIFOs) and
 * kernel/fs/pipe_splice.c (the ring side of splice, tee, sendfile). Nothing
 * else includes this: other code goes through <keel/poll.h>.
 *
 * Locking legend: see kernel/fs/pipe.c ([l] pipe->lock, [f] fifo_lock).
 */
#ifndef KEEL_FS_PIPE_INTERNAL_H
#define KEEL_FS_PIPE_INTERNAL_H

#include <keel/mutex.h>
#include <keel/types.h>
#include <keel/wait.h>

struct inode;
struct page;

struct pipe {
	struct mutex lock;
	struct wait_queue_head rd_wait;
	struct wait_queue_head wr_wait;
	struct page **slots;            /* [l] nr_slots pages, NULL unused */
	unsigned int nr_slots;          /* [l] capacity in pages, 2^n */
	size_t head;                    /* [l] ring offset of the first byte */
	size_t len;                     /* [l] bytes buffered */
	unsigned int readers;           /* [l] open read ends */
	unsigned int writers;           /* [l] open write ends */
	unsigned int r_counter;         /* [l] read opens so far */
	unsigned int w_counter;         /* [l] write opens so far */
	unsigned int files;             /* [l] ([f] for FIFOs) files on it */
	struct inode *fifo_inode;       /* [I] its inode (NULL: kernel-made) */
};

/* A buffer on either side of the kernel boundary. */
struct pipe_iter {
	char *kbuf;                     /* kernel buffer, or */
	char __user *ubuf;              /* user buffer */
};

/* Capacity in bytes. [l] */
size_t pipe_cap(const struct pipe *p);
/* Copy @n bytes from @it + @off into the ring's free space. [l] */
size_t pipe_copy_in(struct pipe *p, struct pipe_iter *it, size_t off,
		    size_t n, int *err);
/* Wait conditions (read without the lock). */
bool pipe_readable(struct pipe *p);
bool pipe_writable(struct pipe *p, size_t need);
/* A write found no reader: SIGPIPE for the caller. */
void pipe_sigpipe(void);

#endif /* KEEL_FS_PIPE_INTERNAL_H */
