/*
 * What /proc shows of an address space: maps (Linux's format, names from
 * the backing file, the heap and stack ranges and vm_ops->name), cmdline
 * and environ (the strings exec put between arg_start..arg_end and
 * env_start..env_end, read with mm_read).
 *
 * maps copies each VMA's description (and a reference to its file) under
 * the read side of mmap_lock, then names the files with no mm lock held:
 * file_path takes vfs_ns_lock, which is never taken under mmap_lock.
 */
#include <keel/mm_space.h>

#include "internal.h"

#define MAPS_NAME_COL 73        /* names start here (Linux pads to it) */

struct map_desc {
	vaddr_t start, end;
	unsigned int flags;
	u64 pgoff;
	struct file *file;      /* a reference, or NULL */
	const char *name;       /* a static name, or NULL */
};

static const char *vma_name(struct mm *mm, struct vm_area *v)
{
	if (v->ops && v->ops->name)
		return v->ops->name;
	if (v->start <= mm->brk && v->end >= mm->start_brk &&
	    mm->brk > mm->start_brk)
		return "[heap]";
	if (v->start <= mm->start_stack && v->end >= mm->start_stack)
		return "[stack]";
	return NULL;
}

/* Copy @mm's VMAs into a new array. Return: it (*@n entries) or NULL. */
static struct map_desc *maps_collect(struct mm *mm, unsigned int *n)
{
	struct map_desc *d;
	struct vm_area *v;
	unsigned int i = 0;

	down_read(&mm->mmap_lock);
	d = kcalloc(mm->map_count + 1, sizeof(*d), GFP_KERNEL);
	if (d) {
		for_each_vma(mm, v) {
			if (i >= mm->map_count)
				break;
			d[i].start = v->start;
			d[i].end = v->end;
			d[i].flags = v->flags;
			d[i].pgoff = v->pgoff;
			d[i].file = v->file ? get_file(v->file) : NULL;
			d[i].name = d[i].file ? NULL : vma_name(mm, v);
			i++;
		}
	}
	up_read(&mm->mmap_lock);
	*n = i;
	return d;
}

static void maps_line(struct proc_buf *b, const struct map_desc *d,
		      char *path)
{
	struct inode *inode = d->file ? file_inode(d->file) : NULL;
	dev_t dev = inode && inode->i_sb ? inode->i_sb->s_dev : 0;
	const char *name = d->name;
	size_t start = b->len;

	proc_printf(b, "%08lx-%08lx %c%c%c%c %08llx %02x:%02x %llu ",
		    d->start, d->end, d->flags & VMA_READ ? 'r' : '-',
		    d->flags & VMA_WRITE ? 'w' : '-',
		    d->flags & VMA_EXEC ? 'x' : '-',
		    d->flags & VMA_SHARED ? 's' : 'p',
		    d->file ? d->pgoff << PAGE_SHIFT : 0, MAJOR(dev), MINOR(dev),
		    inode ? inode->i_ino : 0ULL);
	if (d->file && path && file_path(d->file, path, PATH_MAX) >= 0)
		name = path;
	if (name) {
		while (!b->overflow && b->len - start < MAPS_NAME_COL - 1)
			proc_puts(b, " ");
		proc_puts(b, name);
	}
	proc_puts(b, "\n");
}

/**
 * proc_pid_maps - /proc/<pid>/maps.
 * Context: process context, no locks. Return: 0, -ESRCH, -ENOMEM.
 */
int proc_pid_maps(struct proc_buf *b, struct proc_inode *pi)
{
	struct process *p = proc_get_process(pi->pid);
	struct map_desc *d;
	struct mm *mm;
	unsigned int n, i;
	char *path;

	if (!p)
		return -ESRCH;
	process_put(p);
	mm = proc_get_mm(pi->pid, pi->tid);
	if (!mm)
		return 0;               /* a zombie: empty, as on Linux */
	d = maps_collect(mm, &n);
	mm_put(mm);
	if (!d)
		return -ENOMEM;
	path = kmalloc(PATH_MAX, GFP_KERNEL);
	for (i = 0; i < n; i++) {
		maps_line(b, &d[i], path);
		if (d[i].file)
			fput(d[i].file);
	}
	kfree(path);
	kfree(d);
	return 0;
}

/* Copy [@start, @end) of @mm into @b (at most PROC_BUF_MAX / 2 bytes). */
static int copy_range(struct proc_buf *b, struct mm *mm, vaddr_t start,
		      vaddr_t end)
{
	size_t len = end > start ? end - start : 0;
	char *tmp;
	long got;

	len = MIN(len, PROC_BUF_MAX / 2);
	if (!len)
		return 0;
	if (len > b->size - b->len) {
		b->overflow = true;     /* retried with a bigger buffer */
		return 0;
	}
	tmp = b->buf + b->len;
	got = mm_read(mm, start, tmp, len);
	if (got > 0)
		b->len += (size_t)got;
	return 0;
}

static int show_strings(struct proc_buf *b, struct proc_inode *pi, bool env)
{
	struct process *p = proc_get_process(pi->pid);
	vaddr_t start, end;
	struct mm *mm;
	int err;

	if (!p)
		return -ESRCH;
	process_put(p);
	mm = proc_get_mm(pi->pid, pi->tid);
	if (!mm)
		return 0;
	down_read(&mm->mmap_lock);
	start = env ? mm->env_start : mm->arg_start;
	end = env ? mm->env_end : mm->arg_end;
	up_read(&mm->mmap_lock);
	err = copy_range(b, mm, start, end);
	mm_put(mm);
	return err;
}

/**
 * proc_pid_cmdline - /proc/<pid>/cmdline: the argument strings, each
 * NUL-terminated (empty for a zombie).
 * Context: process context. Return: 0 or -ESRCH.
 */
int proc_pid_cmdline(struct proc_buf *b, struct proc_inode *pi)
{
	return show_strings(b, pi, false);
}

/**
 * proc_pid_environ - /proc/<pid>/environ (open checks same user/root).
 * Context: process context. Return: 0 or -ESRCH.
 */
int proc_pid_environ(struct proc_buf *b, struct proc_inode *pi)
{
	return show_strings(b, pi, true);
}
