/*
 * fcntl (descriptor flags, status flags, dup; record locks and leases
 * are kernel/fs/locks.c's and leases.c's), ioctl (the generic
 * requests, then the file's own), and memfd_create (an unlinked tmpfs
 * file named "memfd:<name>"; its seals live in tmpfs_mmap.c).
 */
#include <keel/locks.h>
#include <keel/poll.h>
#include <keel/slab.h>
#include <keel/string.h>
#include <keel/syscall.h>
#include <keel/task.h>
#include <keel/uaccess.h>

#include "internal.h"
#include "tmpfs.h"

/* Status flags F_SETFL may change (Linux's SETFL_MASK minus O_DIRECT). */
#define SETFL_MASK (O_APPEND | O_NONBLOCK | O_NDELAY | FASYNC | O_NOATIME)

static struct files *cur_files(void)
{
	return current_task() ? current_task()->files : NULL;
}

static long fd_cloexec(unsigned int fd, int set)
{
	struct files *fs = cur_files();
	long ret = -EBADF;

	if (!fs)
		return ret;
	spin_lock(&fs->lock);
	if (fd < fs->max_fds && fs->fd[fd]) {
		unsigned long *w = &fs->cloexec[fd / (8 * sizeof(long))];
		unsigned long bit = 1UL << (fd % (8 * sizeof(long)));

		ret = (*w & bit) ? FD_CLOEXEC : 0;
		if (set == 1)
			*w |= bit;
		else if (set == 0)
			*w &= ~bit;
	}
	spin_unlock(&fs->lock);
	return ret;
}

static void set_status_flags(struct file *f, unsigned int set,
			     unsigned int mask)
{
	unsigned int old = __atomic_load_n(&f->f_flags, __ATOMIC_RELAXED);

	while (!__atomic_compare_exchange_n(&f->f_flags, &old,
					    (old & ~mask) | (set & mask),
					    false, __ATOMIC_RELAXED,
					    __ATOMIC_RELAXED))
		;
}

SYSCALL_DEFINE3(fcntl, unsigned int, fd, unsigned int, cmd,
		unsigned long, arg)
{
	struct file *f;
	long ret;

	switch (cmd) {
	case F_DUPFD:
	case F_DUPFD_CLOEXEC:
		if (arg > 0x7fffffffUL)
			return -EINVAL;
		return do_dupfd(fd, (unsigned int)arg,
				cmd == F_DUPFD_CLOEXEC ? O_CLOEXEC : 0);
	case F_GETFD:
		return fd_cloexec(fd, -1);
	case F_SETFD:
		ret = fd_cloexec(fd, (arg & FD_CLOEXEC) ? 1 : 0);
		return ret < 0 ? ret : 0;
	}
	f = fget((int)fd);
	if (!f)
		return -EBADF;
	switch (cmd) {
	case F_GETFL:
		ret = READ_ONCE(f->f_flags);
		if (f->f_mode & FMODE_PATH)
			ret = O_PATH | (ret & (O_DIRECTORY | O_NOFOLLOW));
		break;
	case F_SETFL:
		ret = -EBADF;
		if (f->f_mode & FMODE_PATH)
			break;
		ret = -EPERM;
		/* O_APPEND cannot be cleared on an append-only file: none yet. */
		if ((arg & O_NOATIME) && !(f->f_flags & O_NOATIME) &&
		    cred_may_own(vfs_cred(), file_inode(f)))
			break;
		set_status_flags(f, (unsigned int)arg, SETFL_MASK);
		ret = 0;
		break;
	case F_SETPIPE_SZ:
	case F_GETPIPE_SZ:
		ret = pipe_fcntl(f, cmd, arg);
		break;
	case F_ADD_SEALS:
	case F_GET_SEALS:
		ret = tmpfs_fcntl_seals(f, cmd, arg);
		break;
	case F_SETLEASE:
		ret = fcntl_setlease(f, (int)fd, arg);  /* kernel/fs/leases.c */
		break;
	case F_GETLEASE:
		ret = fcntl_getlease(f);
		break;
	case F_SETSIG:
		ret = -EINVAL;
		if (arg > NSIG)
			break;
		WRITE_ONCE(f->f_sig, (int)arg);
		ret = 0;
		break;
	case F_GETSIG:
		ret = READ_ONCE(f->f_sig);
		break;
	case F_GETLK:
	case F_SETLK:
	case F_SETLKW:
	case F_OFD_GETLK:
	case F_OFD_SETLK:
	case F_OFD_SETLKW:
		ret = fcntl_lock(f, cmd, arg);  /* kernel/fs/locks.c */
		break;
	default:
		ret = -EINVAL;
		break;
	}
	fput(f);
	return ret;
}

SYSCALL_DEFINE3(ioctl, unsigned int, fd, unsigned int, request,
		unsigned long, arg)
{
	struct file *f = fget_io((int)fd);
	long ret;
	int v;

	if (!f)
		return -EBADF;
	switch (request) {
	case FIOCLEX:
	case FIONCLEX:
		ret = fd_cloexec(fd, request == FIOCLEX);
		ret = ret < 0 ? ret : 0;
		break;
	case FIONBIO:
		ret = get_user(v, (int __user *)arg);
		if (!ret)
			set_status_flags(f, v ? O_NONBLOCK : 0, O_NONBLOCK);
		break;
	case FIOASYNC:
		ret = get_user(v, (int __user *)arg);
		if (!ret)
			set_status_flags(f, v ? FASYNC : 0, FASYNC);
		break;
	case FIONREAD:
		if (S_ISREG(file_inode(f)->i_mode)) {
			loff_t left = file_inode(f)->i_size - f->f_pos;

			ret = put_user((int)MAX(left, 0), (int __user *)arg);
			break;
		}
		__attribute__((fallthrough)); /* devices, pipes answer */
	default:
		ret = (f->f_op && f->f_op->ioctl) ?
		      f->f_op->ioctl(f, request, arg) : -ENOTTY;
		break;
	}
	fput(f);
	return ret;
}

/* ---- memfd_create ---------------------------------------------------------- */

static struct mount *memfd_mnt;

SYSCALL_DEFINE2(memfd_create, const char *, uname, unsigned int, flags)
{
	char name[6 + 250] = "memfd:";
	struct inode *inode;
	struct dentry *d;
	struct path p;
	struct file *f;
	long len, fd;

	if (flags & ~(MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_HUGETLB |
		      MFD_NOEXEC_SEAL | MFD_EXEC))
		return -EINVAL;
	if (flags & MFD_HUGETLB)
		return -EINVAL;         /* no huge pages in Keel */
	if ((flags & MFD_NOEXEC_SEAL) && (flags & MFD_EXEC))
		return -EINVAL;
	/* The dentry is named "memfd:<name>", as /proc/<pid>/fd shows. */
	len = strncpy_from_user(name + 6, uname, sizeof(name) - 6);
	if (len < 0)
		return len;
	if (len == (long)sizeof(name) - 6)
		return -EINVAL;         /* Linux: name longer than 249 bytes */
	mutex_lock(&vfs_ns_lock);
	if (!memfd_mnt) {
		struct mount *m = mount_new_sb(&tmpfs_type, "memfd", NULL, 0);

		if (IS_ERR(m)) {
			mutex_unlock(&vfs_ns_lock);
			return PTR_ERR(m);
		}
		memfd_mnt = m;
	}
	inode = tmpfs_new_inode(memfd_mnt->mnt_sb, S_IFREG | 0777, vfs_cred(),
				0);
	d = inode ? d_alloc(memfd_mnt->mnt_root, name, (size_t)len + 6) : NULL;
	if (IS_ERR_OR_NULL(d)) {
		mutex_unlock(&vfs_ns_lock);
		iput(inode);
		return -ENOMEM;
	}
	/* An unlinked file: its dentry is unhashed and dies with the file. */
	inode->i_nlink = 0;
	if (flags & MFD_ALLOW_SEALING)
		TMPFS_I(inode)->seals = 0;
	d_instantiate(d, inode);
	d_delete(d);
	mutex_unlock(&vfs_ns_lock);
	p.mnt = memfd_mnt;
	p.dentry = d;
	f = vfs_open_path(&p, O_RDWR | O_LARGEFILE);
	dput(d);
	if (IS_ERR(f))
		return PTR_ERR(f);
	fd = fd_install_new(f, (flags & MFD_CLOEXEC) ? O_CLOEXEC : 0);
	if (fd < 0)
		fput(f);
	return fd;
}
