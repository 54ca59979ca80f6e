/*
 * Internals shared by the files of kernel/tty (not a public API): the
 * line discipline's entry points (n_tty.c), the file operations and
 * job-control checks (tty_core.c, tty_ioctl.c) and the pty/devpts glue.
 */
#ifndef KEEL_TTY_INTERNAL_H
#define KEEL_TTY_INTERNAL_H

#include <keel/tty.h>
#include <keel/vfs.h>

/* ---- n_tty.c: the line discipline (all with tty->lock held) ---------- */

/* Run input through the discipline. Return: bytes taken. */
size_t n_tty_receive(struct tty *tty, const u8 *buf, size_t n);
/* Is there something for read (poll: honour VMIN as Linux does)? */
bool n_tty_readable(struct tty *tty, bool poll);
/* Bytes a read could take now (FIONREAD). */
size_t n_tty_inq(struct tty *tty);
/* Free input buffer space (for drivers' flow control). */
size_t n_tty_room(struct tty *tty);
/* Move up to @n readable bytes to @out. Return: count; *@eof for VEOF. */
size_t n_tty_take(struct tty *tty, u8 *out, size_t n, bool *eof);
/*
 * Output @n bytes of @buf with OPOST processing, as far as the driver
 * has room. Return: the input bytes consumed.
 */
size_t n_tty_output(struct tty *tty, const u8 *buf, size_t n);
void n_tty_flush_input(struct tty *tty);
/* Stop or restart output (TTY_STOPPED), telling the driver. */
void n_tty_stop(struct tty *tty, bool stop);
/* The termios changed from @old: mode switches of the buffer. */
void n_tty_set_termios(struct tty *tty, const struct termios *old);

/* ---- tty_core.c ------------------------------------------------------- */

/*
 * tty_job_check - may the caller read (@sig SIGTTIN) or write/change
 * (@sig SIGTTOU) @tty? Return: 0, -EIO, or -ERESTARTSYS after signalling
 * its own background group. Context: process context, tty->lock not held.
 */
int tty_job_check(struct tty *tty, int sig);
extern const struct file_operations tty_fops;
extern const struct file_operations tty_dev_fops;      /* /dev/tty */
/* The ctty of the caller with a reference, or NULL. */
struct tty *tty_current_ctty(void);

/* ---- tty_ioctl.c ------------------------------------------------------ */

/* The generic tty ioctls for @tty (slave side or serial). */
long tty_ioctl_common(struct tty *tty, struct file *f, unsigned int cmd,
		      unsigned long arg);
/* TIOCSCTTY, TIOCNOTTY and the pgrp ioctls. */
long tty_jobctl_ioctl(struct tty *tty, struct file *f, unsigned int cmd,
		      unsigned long arg);
/* The old struct termio: @o from @t; @o's 16-bit flags into @t. */
void tty_termio_get(const struct termios *t, struct termio *o);
void tty_termio_merge(struct termios *t, const struct termio *o);
/* termios get/set for @tty (TCGETS... family). */
long tty_termios_ioctl(struct tty *tty, unsigned int cmd,
		       unsigned long arg);

/* ---- pty.c / devpts.c ------------------------------------------------- */

void pty_init(void);
struct pty;
/* devpts: create /dev/pts/@index for the caller; remove it. */
int devpts_add(unsigned int index, struct pty *pty);
void devpts_remove(unsigned int index);
/* The pty of /dev/pts/@index, or NULL. Context: process context. */
struct pty *devpts_lookup(unsigned int index);
void devpts_init(void);
/* Open /dev/pts/@index as a new file with @flags (TIOCGPTPEER). */
struct file *devpts_open_slave(unsigned int index, int flags);
/* A new master: the ptmx open (also /dev/pts/ptmx). */
int ptmx_open(struct inode *inode, struct file *f);
/* The slave open (major 136). */
int pts_open(struct inode *inode, struct file *f);

#define UNIX98_PTY_SLAVE_MAJOR 136
#define PTY_MAX 1024

#endif /* KEEL_TTY_INTERNAL_H */
