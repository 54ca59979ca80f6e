/*
 * The first user process (pid 1): created by the kernel at the end of
 * start-up to run /init from the initramfs (or what rdinit=/init= name).
 *
 * Like Linux, the kernel opens /dev/console as fds 0, 1 and 2 for it (if
 * that fails, init starts without them and a warning is logged), gives it
 * root credentials, the default limits, its own session and process group,
 * and execs the program with the arguments and environment the command
 * line leaves for init.
 */
#include <keel/err.h>
#include <keel/errno.h>
#include <keel/panic.h>
#include <keel/mm_space.h>
#include <keel/printk.h>
#include <keel/slab.h>
#include <keel/string.h>
#include <keel/task.h>
#include <keel/vfs.h>
#include <uapi/fcntl.h>

#include "exec.h"
#include "proc_internal.h"

/* Linux's defaults for the first process (include/asm-generic/resource.h). */
static void rlimits_default(struct rlimit64 *r)
{
	for (int i = 0; i < RLIM_NLIMITS; i++)
		r[i].rlim_cur = r[i].rlim_max = RLIM_INFINITY;
	r[RLIMIT_STACK].rlim_cur = 8UL << 20;
	r[RLIMIT_CORE].rlim_cur = 0;
	r[RLIMIT_NOFILE].rlim_cur = 1024;
	r[RLIMIT_NOFILE].rlim_max = 4096;
	r[RLIMIT_MEMLOCK].rlim_cur = r[RLIMIT_MEMLOCK].rlim_max = 8UL << 20;
	r[RLIMIT_NICE].rlim_cur = r[RLIMIT_NICE].rlim_max = 0;
	r[RLIMIT_RTPRIO].rlim_cur = r[RLIMIT_RTPRIO].rlim_max = 0;
	r[RLIMIT_MSGQUEUE].rlim_cur = r[RLIMIT_MSGQUEUE].rlim_max = 819200;
	r[RLIMIT_SIGPENDING].rlim_cur = r[RLIMIT_SIGPENDING].rlim_max = 7823;
	r[RLIMIT_NPROC].rlim_cur = r[RLIMIT_NPROC].rlim_max = 7823;
}

struct init_start {
	char *path;
	struct exec_args args;
};

static void init_open_console(void)
{
	struct file *f = file_open_kernel("/dev/console", O_RDWR, 0);

	if (IS_ERR(f)) {
		pr_warn("init: unable to open an initial console (%ld)\n",
			PTR_ERR(f));
		return;
	}
	for (int fd = 0; fd < 3; fd++) {
		if (fd)
			get_file(f);
		fd_install_new(f, 0);
	}
}

/* Runs as pid 1's first kernel code: exec the program, enter user mode. */
static int init_task_entry(void *arg)
{
	struct init_start *is = arg;
	long err;

	init_open_console();
	err = do_execve(AT_FDCWD, is->path, 0, &is->args);
	if (err)
		panic("init: cannot run %s (error %ld)", is->path, err);
	exec_args_free(&is->args);
	kfree(is->path);
	kfree(is);
	arch_return_to_user(arch_user_regs(current));
}

int user_init_start(const char *path, const char *const argv[],
		    const char *const envp[])
{
	struct init_start *is = kzalloc(sizeof(*is), GFP_KERNEL);
	struct task *t;
	struct process *p;
	long err = -ENOMEM;

	if (!is || !(is->path = kstrdup(path, GFP_KERNEL)))
		goto err_is;
	if ((err = exec_args_init(&is->args)))
		goto err_is;
	for (int i = 0; argv[i] && !err; i++)
		err = exec_args_add_kernel(&is->args, argv[i], false);
	for (int i = 0; envp[i] && !err; i++)
		err = exec_args_add_kernel(&is->args, envp[i], true);
	if (err)
		goto err_args;
	err = -ENOMEM;
	p = process_new();
	if (!p)
		goto err_args;
	rlimits_default(p->rlim);
	p->dumpable = true;
	p->cred.cap_permitted = p->cred.cap_effective = CAP_FULL_SET;
	strlcpy(p->comm, "init", sizeof(p->comm));
	t = task_new("init");
	if (IS_ERR(t)) {
		err = PTR_ERR(t);
		goto err_proc;
	}
	t->thread->fn = init_task_entry;
	t->thread->arg = is;
	t->mm = mm_create();
	t->files = files_create();
	t->fs = fs_ctx_create();
	t->sighand = sighand_create();
	if (IS_ERR_OR_NULL(t->mm) || IS_ERR_OR_NULL(t->files) ||
	    IS_ERR_OR_NULL(t->fs) || IS_ERR_OR_NULL(t->sighand)) {
		pr_err("init: out of memory creating pid 1\n");
		panic("init: cannot create pid 1");
	}

	spin_lock(&tasklist_lock);
	t->tid = pid_alloc(t);
	KASSERT(t->tid == 1);
	p->pid = p->pgid = p->sid = t->tid;
	p->parent = NULL;               /* init has no parent: getppid() is 0 */
	pid_set_process(p->pid, p);
	list_add_tail(&p->all_link, &all_processes);
	t->proc = p;
	process_get(p);                 /* the task's reference */
	list_add_tail(&t->proc_link, &p->tasks);
	p->nr_tasks = 1;
	init_process = p;
	spin_unlock(&tasklist_lock);
	thread_start(t->thread);
	return 0;

err_proc:
	process_put(p);
err_args:
	exec_args_free(&is->args);
err_is:
	if (is)
		kfree(is->path);
	kfree(is);
	return err;
}
