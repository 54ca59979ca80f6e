/*
 * execve and execveat: replace the calling process's program.
 *
 * Order (Linux's): gather the argument strings; open the file (exec
 * permission, regular file, no noexec mount); "#!" scripts restart with
 * their interpreter (at most EXEC_MAX_DEPTH levels); parse the ELF image
 * with elf_parse() (which validates everything exec uses); build the new
 * address space completely — segments, the interpreter of a dynamic
 * program, brk, the stack with argv, envp and auxv — while the old
 * program is untouched. Only then the point of no return: the other
 * threads die, the vfork parent is released, the new address space
 * replaces the old, close-on-exec fds close, handled signals reset,
 * set-user-ID bits apply, and the registers start the new program.
 * A failure before that point returns an error to the old program.
 *
 * Segments are loaded by copying the file into private anonymous memory
 * (mm_write): the result is what a private file mapping gives, without
 * sharing pages with the file (file-backed mappings come with the VFS's
 * page cache).
 */
#include <keel/err.h>
#include <keel/errno.h>
#include <keel/elf_parse.h>
#include <keel/futex.h>
#include <keel/mm_space.h>
#include <keel/printk.h>
#include <keel/random.h>
#include <keel/slab.h>
#include <keel/string.h>
#include <keel/syscall.h>
#include <keel/task.h>
#include <keel/uaccess.h>
#include <keel/vdso.h>
#include <keel/vfs.h>
#include <keel/usertime.h>
#include <keel/vm.h>
#include <uapi/fcntl.h>

#include "exec.h"
#include "proc_internal.h"

#define EXEC_MAX_DEPTH  4       /* nested #! interpreters (Linux: -ELOOP after 4) */
#define BINPRM_BUF_SIZE 256     /* the bytes of the file exec looks at first */
/* Linux's ELF_ET_DYN_BASE on x86_64: two thirds of the address space. */
#define ET_DYN_BASE     ((ARCH_USER_TOP / 3 * 2) & PAGE_MASK)
#define MMAP_RND_BITS_EXEC 28

static int exec_read(void *ctx, u64 off, void *buf, size_t len)
{
	ssize_t n = kernel_read(ctx, buf, len, off);

	if (n < 0)
		return n;
	return (size_t)n == len ? 0 : -EIO;
}

/* Copy the file bytes of @seg (biased by @bias) into @mm. */
static long load_segment_data(struct mm *mm, struct file *f,
			      const struct elf_segment *seg, u64 bias)
{
	char *buf = kmalloc(PAGE_SIZE, GFP_KERNEL);
	u64 done = 0;
	long err = 0;

	if (!buf)
		return -ENOMEM;
	while (done < seg->filesz && !err) {
		size_t n = seg->filesz - done < PAGE_SIZE ? seg->filesz - done
							  : PAGE_SIZE;
		ssize_t got = kernel_read(f, buf, n, seg->offset + done);

		if (got != (ssize_t)n)
			err = got < 0 ? got : -EIO;
		else
			err = mm_write(mm, seg->vaddr + bias + done, buf, n);
		done += n;
		if (fatal_signal_pending())
			err = -EINTR;
	}
	kfree(buf);
	return err;
}

/* Map [start, end) with @prot (anonymous, private, fixed). */
static long map_fixed(struct mm *mm, vaddr_t start, vaddr_t end, u32 prot)
{
	vaddr_t out;

	if (end <= start)
		return 0;
	return mm_map(mm, start, end - start, prot,
		      MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, &out);
}

/*
 * Map and fill every segment of @img at @bias. A page shared by two
 * segments (the end of one, the start of the next) is mapped once, with
 * both segments' rights, so neither loses access it needs.
 */
static long load_image(struct mm *mm, struct file *f,
		       const struct elf_image *img, u64 bias)
{
	vaddr_t mapped_end = 0;
	long err;

	for (u32 i = 0; i < img->nr_segs; i++) {
		const struct elf_segment *s = &img->segs[i];
		vaddr_t start = (s->vaddr + bias) & PAGE_MASK;
		vaddr_t end = PAGE_ALIGN(s->vaddr + bias + s->memsz);
		u32 tail_prot = s->prot;

		if (start < mapped_end)
			start = mapped_end;     /* mapped with the previous one */
		if (i + 1 < img->nr_segs &&
		    ((img->segs[i + 1].vaddr + bias) & PAGE_MASK) == end - PAGE_SIZE &&
		    end - PAGE_SIZE >= start) {
			tail_prot |= img->segs[i + 1].prot;
			err = map_fixed(mm, start, end - PAGE_SIZE, s->prot);
			if (!err)
				err = map_fixed(mm, end - PAGE_SIZE, end, tail_prot);
		} else {
			err = map_fixed(mm, start, end, s->prot);
		}
		if (err)
			return err;
		if (end > mapped_end)
			mapped_end = end;
		err = load_segment_data(mm, f, s, bias);
		if (err)
			return err;
	}
	return 0;
}

/* A load bias for an ET_DYN program: Linux's base plus 28 random bits of pages. */
static u64 pick_pie_bias(const struct elf_image *img)
{
	u64 rnd = mm_random_below(1UL << MMAP_RND_BITS_EXEC) << PAGE_SHIFT;
	u64 bias = (ET_DYN_BASE + rnd - img->lo) & ~(img->max_align - 1);

	if (bias + img->hi >= ARCH_USER_TOP / 6 * 5)
		bias = (ET_DYN_BASE - img->lo) & ~(img->max_align - 1);
	return bias;
}

/* Load the interpreter @path into @mm where mmap would put it. */
static long load_interp(struct mm *mm, const char *path, u64 *base, u64 *entry)
{
	struct elf_image *img = kmalloc(sizeof(*img), GFP_KERNEL);
	struct elf_source src;
	struct file *f;
	vaddr_t where;
	long err;

	if (!img)
		return -ENOMEM;
	f = file_open_exec(AT_FDCWD, path, 0);
	if (IS_ERR(f)) {
		err = PTR_ERR(f);
		goto out_free;
	}
	src = (struct elf_source){ exec_read, f, (u64)file_inode(f)->i_size };
	err = elf_parse(&src, ARCH_USER_TOP, img);
	if (err)
		goto out_put;
	err = -ENOEXEC;
	if (img->type != ET_DYN || img->interp_len)
		goto out_put;
	/* Reserve the span where mmap would, aligned, then map inside it. */
	err = mm_map(mm, 0, img->hi - img->lo + img->max_align, PROT_NONE,
		     MAP_PRIVATE | MAP_ANONYMOUS, &where);
	if (err)
		goto out_put;
	where = (where + img->max_align - 1) & ~(img->max_align - 1);
	*base = where - img->lo;
	err = load_image(mm, f, img, *base);
	*entry = img->entry + *base;
out_put:
	fput(f);
out_free:
	kfree(img);
	return err;
}

/* Parse a "#!" line: interpreter and optional single argument (Linux rules). */
static long parse_shebang(char *buf, size_t n, char **interp, char **arg)
{
	char *end = memchr(buf, '\n', n), *p, *q;

	if (!end) {
		if (n == BINPRM_BUF_SIZE)
			return -ENOEXEC;    /* the line does not fit: Linux refuses */
		end = buf + n;
	}
	*end = '\0';
	/* Trailing blanks are dropped, leading ones skipped. */
	for (q = end - 1; q >= buf + 2 && (*q == ' ' || *q == '\t'); q--)
		*q = '\0';
	for (p = buf + 2; *p == ' ' || *p == '\t'; p++)
		;
	if (!*p)
		return -ENOEXEC;
	*interp = p;
	while (*p && *p != ' ' && *p != '\t')
		p++;
	*arg = NULL;
	if (*p) {
		*p++ = '\0';
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p)
			*arg = p;
	}
	return 0;
}

/* The result of loading: what the commit step needs. */
struct exec_load {
	struct mm *mm;
	u64 entry;              /* where the program starts (interp's entry) */
	u64 sp;
	u64 vdso;               /* AT_SYSINFO_EHDR; 0: none */
	bool secure;            /* AT_SECURE */
	bool setuid, setgid;
	uid_t new_euid;
	gid_t new_egid;
};

static void fill_auxv(u64 *av, unsigned int *n, const struct elf_image *img,
		      u64 bias, u64 interp_base, const struct cred *c,
		      const struct exec_load *ld)
{
	unsigned int i = 0;
	u64 phdr = img->phdr_mapped ? img->phdr_vaddr + bias : bias;

#define AUX(t, v) do { av[i++] = (t); av[i++] = (v); } while (0)
	if (ld->vdso)
		AUX(AT_SYSINFO_EHDR, ld->vdso);
	AUX(AT_HWCAP, arch_elf_hwcap());
	AUX(AT_PAGESZ, PAGE_SIZE);
	AUX(AT_CLKTCK, 100);
	AUX(AT_PHDR, phdr);
	AUX(AT_PHENT, img->phentsize);
	AUX(AT_PHNUM, img->phnum);
	AUX(AT_BASE, interp_base);
	AUX(AT_FLAGS, 0);
	AUX(AT_ENTRY, img->entry + bias);
	AUX(AT_UID, c->uid);
	AUX(AT_EUID, ld->setuid ? ld->new_euid : c->euid);
	AUX(AT_GID, c->gid);
	AUX(AT_EGID, ld->setgid ? ld->new_egid : c->egid);
	AUX(AT_SECURE, ld->secure);
	AUX(AT_HWCAP2, arch_elf_hwcap2());
	AUX(AT_MINSIGSTKSZ, arch_min_sigstksz());
#undef AUX
	*n = i / 2;
}

/* Set-user-ID / set-group-ID bits of @f, as they apply to this exec. */
static void exec_setid(struct file *f, const struct cred *c,
		       struct exec_load *ld)
{
	mode_t mode;
	uid_t uid;
	gid_t gid;
	bool nosuid;

	if (file_exec_attrs(f, &mode, &uid, &gid, &nosuid) || nosuid ||
	    current_task()->no_new_privs)
		return;
	if (mode & S_ISUID) {
		ld->setuid = true;
		ld->new_euid = uid;
	}
	/* S_ISGID without group execute means mandatory locking, not set-gid. */
	if ((mode & (S_ISGID | S_IXGRP)) == (S_ISGID | S_IXGRP)) {
		ld->setgid = true;
		ld->new_egid = gid;
	}
	ld->secure = (ld->setuid && ld->new_euid != c->uid) ||
		     (ld->setgid && ld->new_egid != c->gid);
}

/* Build the whole new image for ELF file @f into ld->mm. */
static long exec_load_elf(struct file *f, struct exec_args *ea,
			  const char *execfn, struct exec_load *ld)
{
	struct elf_image *img = kmalloc(sizeof(*img), GFP_KERNEL);
	struct elf_source src = { exec_read, f, (u64)file_inode(f)->i_size };
	u64 bias = 0, interp_base = 0, auxv[2 * 20];
	char *interp = NULL;
	unsigned int nauxv;
	long err, sp;

	if (!img)
		return -ENOMEM;
	err = elf_parse(&src, ARCH_USER_TOP, img);
	if (err)
		goto out;
	ld->mm = mm_create();
	if (IS_ERR(ld->mm)) {
		err = PTR_ERR(ld->mm);
		ld->mm = NULL;
		goto out;
	}
	if (img->type == ET_DYN)
		bias = pick_pie_bias(img);
	err = load_image(ld->mm, f, img, bias);
	if (err)
		goto out;
	ld->entry = img->entry + bias;
	if (img->interp_len) {
		interp = kmalloc(ELF_INTERP_MAX, GFP_KERNEL);
		err = interp ? elf_read_interp(&src, img, interp, ELF_INTERP_MAX)
			     : -ENOMEM;
		if (!err)
			err = load_interp(ld->mm, interp, &interp_base, &ld->entry);
		if (err)
			goto out;
	}
	err = vdso_map(ld->mm);         /* random: below the mmap base */
	if (err < 0)
		goto out;
	ld->vdso = (u64)err;
	err = 0;
	mm_set_brk_base(ld->mm, PAGE_ALIGN(img->hi + bias)); /* randomizes it */
	exec_setid(f, current_cred(), ld);
	fill_auxv(auxv, &nauxv, img, bias, interp_base, current_cred(), ld);
	sp = exec_build_stack(ld->mm, ea, exec_stack_top(), img->exec_stack,
			      auxv, nauxv, execfn, arch_elf_platform());
	if (sp < 0)
		err = sp;
	else
		ld->sp = sp;
out:
	kfree(interp);
	kfree(img);
	return err;
}

/*
 * Make the calling task the only one of its process: kill the others and
 * wait for them. The survivor takes the process's pid as its tid.
 * Return: 0, or -EINTR when the process is being killed anyway.
 */
static long exec_de_thread(struct task *t)
{
	struct process *p = t->proc;
	struct task *other;

	spin_lock(&tasklist_lock);
	if (p->group_exiting) {
		spin_unlock(&tasklist_lock);
		return -EINTR;
	}
	if (p->nr_tasks == 1)
		goto retarget;
	p->exec_task = t;
	list_for_each_entry(other, &p->tasks, proc_link)
		if (other != t)
			signal_wake_kill(other);
	while (p->nr_tasks > 1) {
		set_current_state(THREAD_UNINTERRUPTIBLE);
		spin_unlock(&tasklist_lock);
		schedule();
		spin_lock(&tasklist_lock);
	}
	__set_current_state(THREAD_RUNNING);
	p->exec_task = NULL;
retarget:
	if (t->tid != p->pid) {
		pid_free(t->tid);
		pid_retarget(p->pid, t);
		t->tid = p->pid;
	}
	spin_unlock(&tasklist_lock);
	return 0;
}

/* Past the point of no return: the new program replaces the old. */
static void exec_commit(struct task *t, struct exec_load *ld,
			struct file *f, const char *path)
{
	struct process *p = t->proc;
	struct mm *old = t->mm;
	const char *base = strrchr(path, '/');
	char *exe = kmalloc(PATH_MAX, GFP_KERNEL);
	unsigned long flags;

	futex_exit_robust(t);
	vfork_release(t);
	spin_lock(&tasklist_lock);
	p->execed = true;
	spin_unlock(&tasklist_lock);
	if (t->clear_child_tid) {
		/* Linux's exec_mm_release: the word is cleared, waiters woken. */
		if (!put_user(0, t->clear_child_tid))
			futex_wake_address(t->clear_child_tid, 1);
		t->clear_child_tid = NULL;
	}
	/* /proc reads t->mm under tasklist_lock (and takes a reference). */
	spin_lock(&tasklist_lock);
	flags = arch_irq_save();
	t->mm = ld->mm;
	mm_activate(ld->mm);
	arch_irq_restore(flags);
	spin_unlock(&tasklist_lock);
	ld->mm = NULL;
	if (old)
		mm_put(old);
	files_close_on_exec(t->files);
	posix_timers_exit(p);           /* exec deletes the POSIX timers */
	if (signal_exec_reset(t))
		pr_warn("exec: %s: could not unshare the signal actions\n", path);
	arch_thread_user_reset(current);

	spin_lock(&p->lock);
	if (ld->setuid)
		p->cred.euid = ld->new_euid;
	if (ld->setgid)
		p->cred.egid = ld->new_egid;
	if (ld->setuid || ld->setgid)
		p->dumpable = false;
	/*
	 * Capabilities across exec without file capabilities (capabilities(7)):
	 * root (real or effective uid 0) gets the full permitted set, and the
	 * full effective set when its effective uid is 0; others keep only
	 * what inheritable grants nothing here, so they end with none.
	 */
	if (p->cred.uid == 0 || p->cred.euid == 0)
		p->cred.cap_permitted = CAP_FULL_SET;
	else
		p->cred.cap_permitted = 0;
	p->cred.cap_effective = p->cred.euid == 0 ? p->cred.cap_permitted : 0;
	p->keepcaps = false;
	p->cred.suid = p->cred.euid;
	p->cred.sgid = p->cred.egid;
	p->cred.fsuid = p->cred.euid;
	p->cred.fsgid = p->cred.egid;
	strlcpy(p->comm, base ? base + 1 : path, sizeof(p->comm));
	spin_unlock(&p->lock);
	strlcpy(current->name, base ? base + 1 : path, sizeof(current->name));
	if (exe && file_path(f, exe, PATH_MAX) >= 0) {
		char *prev;

		spin_lock(&tasklist_lock);
		spin_lock(&p->lock);
		prev = p->exe_path;
		p->exe_path = exe;
		spin_unlock(&p->lock);
		spin_unlock(&tasklist_lock);
		kfree(prev);
	} else {
		kfree(exe);
	}
	arch_user_regs_init(arch_user_regs(current), ld->entry, ld->sp);
}

long do_execve(int dirfd, const char *path, int at_flags, struct exec_args *ea)
{
	struct task *t = current_task();
	struct exec_load ld = { 0 };
	char *buf = kmalloc(BINPRM_BUF_SIZE + 1, GFP_KERNEL), *interp, *arg;
	char *cur_path = kstrdup(path, GFP_KERNEL), *next_path = NULL;
	struct file *f = NULL;
	long err;
	ssize_t n;

	if (!buf || !cur_path) {
		err = -ENOMEM;
		goto out;
	}
	for (int depth = 0;; depth++) {
		f = file_open_exec(dirfd, cur_path, at_flags);
		if (IS_ERR(f)) {
			err = PTR_ERR(f);
			f = NULL;
			goto out;
		}
		n = kernel_read(f, buf, BINPRM_BUF_SIZE, 0);
		if (n < 0) {
			err = n;
			goto out;
		}
		if (n < 2 || buf[0] != '#' || buf[1] != '!')
			break;
		if (depth >= EXEC_MAX_DEPTH) {
			err = -ELOOP;
			goto out;
		}
		buf[n] = '\0';
		err = parse_shebang(buf, n, &interp, &arg);
		if (err)
			goto out;
		err = exec_args_script(ea, interp, arg, cur_path);
		if (err)
			goto out;
		next_path = kstrdup(interp, GFP_KERNEL);
		if (!next_path) {
			err = -ENOMEM;
			goto out;
		}
		kfree(cur_path);
		cur_path = next_path;
		next_path = NULL;
		dirfd = AT_FDCWD;
		at_flags = 0;
		fput(f);
		f = NULL;
	}
	err = exec_load_elf(f, ea, path, &ld);
	if (err)
		goto out;
	err = exec_de_thread(t);
	if (err)
		goto out;
	exec_commit(t, &ld, f, cur_path);
out:
	if (ld.mm)
		mm_put(ld.mm);
	if (f)
		fput(f);
	kfree(cur_path);
	kfree(buf);
	return err;
}

/* Gather user argv/envp and exec @filename. */
static long execve_common(int dirfd, const char __user *filename,
			  const char __user *const __user *argv,
			  const char __user *const __user *envp, int flags)
{
	struct exec_args ea;
	char *path = kmalloc(PATH_MAX, GFP_KERNEL);
	long err;

	if (!path)
		return -ENOMEM;
	err = strncpy_from_user(path, filename, PATH_MAX);
	if (err == PATH_MAX)
		err = -ENAMETOOLONG;
	if (err == 0 && !(flags & AT_EMPTY_PATH))
		err = -ENOENT;
	if (err < 0)
		goto out_path;
	err = exec_args_init(&ea);
	if (err)
		goto out_path;
	err = exec_args_add_user(&ea, argv, false);
	/* Linux (5.18+): an empty argv becomes { "" } so argv[0] exists. */
	if (!err && ea.argc == 0)
		err = exec_args_add_kernel(&ea, "", false);
	if (!err)
		err = exec_args_add_user(&ea, envp, true);
	if (!err)
		err = do_execve(dirfd, path, flags, &ea);
	exec_args_free(&ea);
out_path:
	kfree(path);
	return err;
}

SYSCALL_DEFINE3(execve, const char __user *, filename,
		const char __user *const __user *, argv,
		const char __user *const __user *, envp)
{
	return execve_common(AT_FDCWD, filename, argv, envp, 0);
}

SYSCALL_DEFINE5(execveat, int, dirfd, const char __user *, filename,
		const char __user *const __user *, argv,
		const char __user *const __user *, envp, int, flags)
{
	if (flags & ~(AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW))
		return -EINVAL;
	return execve_common(dirfd, filename, argv, envp, flags);
}
