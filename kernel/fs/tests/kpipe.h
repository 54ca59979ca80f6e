/*
 * Kernel-side pipe files for the fs ktests (pipe, poll, splice): a pipe's
 * two ends as struct files that never enter an fd table, read and written
 * through the kernel-buffer file operations.
 */
#ifndef KEEL_FS_TESTS_KPIPE_H
#define KEEL_FS_TESTS_KPIPE_H

#include <keel/poll.h>
#include <keel/slab.h>
#include <keel/vfs.h>

struct kpipe {
	struct file *rd, *wr;
};

static inline struct file *kfile(void)
{
	struct file *f = kzalloc(sizeof(*f), GFP_KERNEL);

	if (f)
		f->f_count = 1;
	return f;
}

static inline void kfile_close(struct file **fp)
{
	struct file *f = *fp;

	if (!f)
		return;
	if (f->f_op && f->f_op->release)
		f->f_op->release(NULL, f);
	kfree(f);
	*fp = NULL;
}

static inline bool kpipe_open(struct kpipe *p)
{
	p->rd = kfile();
	p->wr = kfile();
	if (p->rd && p->wr && !pipe_setup_kernel_ends(p->rd, p->wr))
		return true;
	kfree(p->rd);
	kfree(p->wr);
	p->rd = p->wr = NULL;
	return false;
}

static inline void kpipe_close(struct kpipe *p)
{
	kfile_close(&p->rd);
	kfile_close(&p->wr);
}

static inline ssize_t kread(struct file *f, void *buf, size_t n)
{
	return f->f_op->read_kernel(f, buf, n, NULL);
}

static inline ssize_t kwrite(struct file *f, const void *buf, size_t n)
{
	return f->f_op->write_kernel(f, buf, n, NULL);
}

#endif /* KEEL_FS_TESTS_KPIPE_H */
