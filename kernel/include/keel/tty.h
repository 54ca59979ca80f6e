/*
 * Terminals: the layering driver -> tty -> line discipline (N_TTY).
 *
 * A driver (the serial port, the slave side of a pseudo-terminal) owns a
 * struct tty and gives it a struct tty_ops: where processed output goes
 * (write, write_room) and what to do on open/close. Input travels the
 * other way: the driver calls tty_receive() in process context (the
 * serial driver from a work item, the pty master from its writer), and
 * the line discipline (kernel/tty/n_tty.c) edits it, echoes it, turns
 * control characters into signals and queues it for read(2).
 *
 * User space sees a tty through the file operations of kernel/tty/
 * tty_core.c (read, write, poll, ioctl: termios and job control) on every
 * device node that names one: /dev/ttyS0 and /dev/console (the serial
 * tty), /dev/pts/N (pty slaves), /dev/tty (the caller's controlling tty).
 *
 * The controlling terminal (credentials(7)): a session has at most one
 * and a tty belongs to at most one session. process->tty points at it
 * ([T], a weak pointer: a tty that is freed clears every process's
 * pointer to it first, under tasklist_lock), and tty->session/tty->pgrp
 * name the session and its foreground process group ([T]).
 *
 * Locking legend:
 *	[m]	tty->lock (mutex): termios, window size, the line
 *		discipline's buffers, flags
 *	[T]	tasklist_lock: session, pgrp, and process->tty
 *	[a]	atomic
 *	[I]	set before the tty is published, read-only after
 * Order: tty->lock -> tasklist_lock -> driver spinlocks (docs/locking.md).
 */
#ifndef KEEL_TTY_H
#define KEEL_TTY_H

#include <keel/mutex.h>
#include <keel/types.h>
#include <keel/wait.h>
#include <uapi/termios.h>

struct file;
struct process;
struct tty;

/* A driver's ioctl hook: "not mine, try the generic ones" (Linux's). */
#define ENOIOCTLCMD 515

/* The line discipline's input buffer: a power of two. */
#define N_TTY_BUF_SIZE 4096

/* Per-character flags of the input buffer (n_tty.c). */
#define N_TTY_LINE_END 0x1      /* ends a canonical line (kept) */
#define N_TTY_EOF      0x2      /* VEOF: ends a line, not returned */

/*
 * The N_TTY state, [m]. Indices grow without bound and are masked:
 * read_tail <= canon_head <= read_head. [read_tail, canon_head) are
 * complete lines (everything, in non-canonical mode), [canon_head,
 * read_head) is the line being edited.
 */
struct n_tty_data {
	u8 buf[N_TTY_BUF_SIZE];
	u8 flags[N_TTY_BUF_SIZE];
	size_t read_head, canon_head, read_tail;
	bool lnext;             /* the next character is literal (VLNEXT) */
	unsigned int column;    /* output column, for tab-aware erase */
	unsigned int canon_column;  /* column where the edited line starts */
};

struct tty_ops {
	/*
	 * Take up to @n bytes of processed output. Return: the count taken
	 * (no more than write_room said). Context: tty->lock held; must not
	 * sleep.
	 */
	size_t (*write)(struct tty *tty, const u8 *buf, size_t n);
	/* Bytes write() would take now. Context: tty->lock held. */
	size_t (*write_room)(struct tty *tty);
	/* Output queued, not yet sent (TIOCOUTQ, drain). Optional. */
	size_t (*chars_in_buffer)(struct tty *tty);
	/* Discard queued output (TCOFLUSH). Optional. */
	void (*flush_output)(struct tty *tty);
	/*
	 * The line discipline made room for more input (a reader took
	 * some): a driver that stopped feeding may go on. Optional.
	 * Context: tty->lock held, must not sleep.
	 */
	void (*unthrottle)(struct tty *tty);
	/*
	 * Notifications, all optional, with tty->lock held (must not
	 * sleep): the input queue was flushed; output was stopped or
	 * restarted (IXON, TCXONC); termios changed from @old.
	 */
	void (*flush_input)(struct tty *tty);
	void (*stop)(struct tty *tty, bool stopped);
	void (*set_termios)(struct tty *tty, const struct termios *old);
	/* A file opened / closed the tty. Optional; open may fail it. */
	int (*open)(struct tty *tty, struct file *f);
	void (*close)(struct tty *tty, struct file *f);
	/* The last reference is gone: free the tty. Optional (static ttys). */
	void (*destroy)(struct tty *tty);
	/*
	 * Driver ioctls (tried before the generic ones). Optional.
	 * Return: -ENOIOCTLCMD when not the driver's.
	 */
	long (*ioctl)(struct tty *tty, struct file *f, unsigned int cmd,
		      unsigned long arg);
};

/* tty->flags */
#define TTY_HUPPED     0x1u     /* hung up: read 0, write EIO */
#define TTY_EXCL       0x2u     /* TIOCEXCL: only root may open */
#define TTY_STOPPED    0x4u     /* output stopped by VSTOP (IXON) */
#define TTY_IS_PTY     0x8u     /* [I] a pty slave (hangup rules) */

struct tty {
	char name[16];                  /* [I] "ttyS0", "pts/3" */
	dev_t dev;                      /* [I] the device number */
	const struct tty_ops *ops;      /* [I] */
	void *driver_data;              /* [I] */
	int refs;                       /* [a] open files + the driver's */
	int opens;                      /* [m] open files */
	unsigned int hangup_gen;        /* [m] vhangups so far (files
					   opened before one are dead) */
	unsigned int flags;             /* [m] TTY_*; read racily for waits */

	struct mutex lock;
	struct termios termios;         /* [m] */
	struct winsize winsize;         /* [m] */
	struct n_tty_data ldata;        /* [m] */

	pid_t session;                  /* [T] 0: no session */
	pid_t pgrp;                     /* [T] the foreground group, 0: none */

	/* Readers wait for input, writers for room (poll too). */
	struct wait_queue_head read_wait;
	struct wait_queue_head write_wait;
};

/* Linux's tty_std_termios. */
extern const struct termios tty_std_termios;

/**
 * tty_init - set up @tty (zeroed by the caller) for driver @ops, device
 * @dev named @name, with the standard termios and one reference (the
 * driver's). Context: process context.
 */
void tty_init(struct tty *tty, const struct tty_ops *ops, dev_t dev,
	      const char *name);

/* A reference (tty_get) or none (tty_put; the last calls ops->destroy). */
struct tty *tty_get(struct tty *tty);
void tty_put(struct tty *tty);

/**
 * tty_receive - input from the driver: run @n bytes through the line
 * discipline. Return: the bytes taken; fewer when the input buffer is
 * full in non-canonical mode (the driver may wait for ops->unthrottle).
 * Context: process context (may sleep: takes tty->lock, sends signals).
 */
size_t tty_receive(struct tty *tty, const u8 *buf, size_t n);

/**
 * tty_input_room - bytes tty_receive would take now. Context: any
 * (a racy snapshot, for pollers).
 */
size_t tty_input_room(struct tty *tty);

/**
 * tty_wakeup_writers - the driver has room again (output drained).
 * Context: any.
 */
void tty_wakeup_writers(struct tty *tty);

/**
 * tty_hangup - the line is gone (pty master closed): SIGHUP and SIGCONT
 * to the session leader, no process keeps it as controlling tty, reads
 * return 0 and writes -EIO from now on. Context: process context.
 */
void tty_hangup(struct tty *tty);

/**
 * tty_vhangup - hang up the files open on @tty now (TIOCVHANGUP, a
 * session leader leaving a terminal line): they read 0 and fail writes
 * with EIO, while new opens work; the session loses the tty and its
 * leader gets SIGHUP and SIGCONT. Context: process context.
 */
void tty_vhangup(struct tty *tty);

/**
 * tty_file_open - make @f (already pointing at @tty's device node) an
 * open file of @tty: f_op and private_data, acquire it as controlling
 * tty by the rules of open(2) unless O_NOCTTY. Takes a reference.
 * Return: 0 or -errno (-EIO hung up, -EBUSY exclusive).
 * Context: process context.
 */
int tty_file_open(struct tty *tty, struct file *f);

/* The tty of an open tty file (slave or serial), or NULL. */
struct tty *tty_from_file(struct file *f);

/**
 * tty_set_termios - replace @tty's termios by @t (the driver's part of
 * the change and the line discipline's mode switch). Context: process.
 */
void tty_set_termios(struct tty *tty, const struct termios *t);

/**
 * tty_set_winsize - TIOCSWINSZ: store @ws, SIGWINCH to the foreground
 * group if it changed. Context: process context.
 */
void tty_set_winsize(struct tty *tty, const struct winsize *ws);

/* Send @sig to @tty's foreground process group (if any). Context: process. */
void tty_signal_pgrp(struct tty *tty, int sig);

/* ---- hooks for the process code (kernel/proc) -------------------------- */

/**
 * tty_session_leader_exit - the last task of session leader @p is
 * exiting: a pty's foreground group gets SIGHUP, a terminal line's open
 * files are hung up (tty_vhangup), and no process of the session keeps
 * the tty (Linux's disassociate_ctty(1)).
 * Context: process context of @p's task, no locks held.
 */
void tty_session_leader_exit(struct process *p);

/* The controlling tty's device number and foreground group of @p, for
 * /proc/<pid>/stat (0 and -1 without one). Context: [T] held. */
void tty_proc_stat(struct process *p, unsigned int *tty_nr, pid_t *tpgid);

/* ---- the pieces (kernel/tty/) ------------------------------------------ */

/* Register the tty device numbers (serial, /dev/tty, ptmx, pts). Boot. */
void tty_devices_init(void);

#endif /* KEEL_TTY_H */
