/*
 * fork, vfork, clone and clone3: a new task, in a new process or in the
 * caller's, sharing or copying the caller's resources as the flags say.
 *
 *	CLONE_VM       share the address space      else copy-on-write copy
 *	CLONE_FS       share root/cwd/umask         else copy
 *	CLONE_FILES    share the fd table           else copy
 *	CLONE_SIGHAND  share the signal actions     else copy (needs CLONE_VM)
 *	CLONE_THREAD   same process (thread group)  (needs CLONE_SIGHAND)
 *	CLONE_PARENT   the child's parent is the caller's parent
 *	CLONE_VFORK    the caller sleeps until the child execs or exits
 *	CLONE_SETTLS, CLONE_PARENT_SETTID, CLONE_CHILD_SETTID,
 *	CLONE_CHILD_CLEARTID   the thread-library hooks
 *	CLONE_SYSVSEM, CLONE_PTRACE, CLONE_UNTRACED, CLONE_IO, CLONE_DETACHED
 *	               accepted; nothing to do in Keel (no SysV semaphore
 *	               undo lists, no ptrace, one I/O context)
 *
 * Namespaces (CLONE_NEW*), pidfds and cgroups are not supported: -EINVAL,
 * what Linux says when they are not configured.
 *
 * The child starts in user_task_entry() on its own kernel thread and
 * returns to user mode with a copy of the caller's registers, RAX 0.
 */
#include <keel/completion.h>
#include <keel/err.h>
#include <keel/errno.h>
#include <keel/mm_space.h>
#include <keel/printk.h>
#include <keel/procfs.h>
#include <keel/slab.h>
#include <keel/string.h>
#include <keel/syscall.h>
#include <keel/task.h>
#include <keel/time.h>
#include <uapi/sched.h>
#include <keel/uaccess.h>
#include <keel/vfs.h>

#include "proc_internal.h"

/* A new task's first kernel code: finish what needs its own context. */
static int user_task_entry(void *arg)
{
	struct task *t = arg;

	if (t->set_child_tid)
		put_user(t->tid, t->set_child_tid);  /* a bad pointer is ignored */
	arch_return_to_user(arch_user_regs(current));
}

/* Release what task_new() and clone_resources() gathered. */
static void task_free_resources(struct task *t)
{
	if (t->mm)
		mm_put(t->mm);
	if (t->files)
		files_put(t->files);
	if (t->fs)
		fs_ctx_put(t->fs);
	if (t->sighand)
		sighand_put(t->sighand);
	t->mm = NULL;
	t->files = NULL;
	t->fs = NULL;
	t->sighand = NULL;
}

struct task *task_new(const char *name)
{
	struct task *t = kzalloc(sizeof(*t), GFP_KERNEL);
	struct thread *th;

	if (!t)
		return ERR_PTR(-ENOMEM);
	th = kthread_create(user_task_entry, t, name);
	if (IS_ERR(th)) {
		kfree(t);
		return (struct task *)th;
	}
	if (arch_thread_user_init(th)) {
		kthread_destroy(th);
		kfree(t);
		return ERR_PTR(-ENOMEM);
	}
	th->task = t;
	t->thread = th;
	INIT_LIST_HEAD(&t->proc_link);
	INIT_LIST_HEAD(&t->sig.pending.queue);
	return t;
}

void task_destroy_unstarted(struct task *t)
{
	task_free_resources(t);
	arch_thread_user_free(t->thread);
	kthread_destroy(t->thread);
	kfree(t);
}

struct process *process_new(void)
{
	struct process *p = kzalloc(sizeof(*p), GFP_KERNEL);

	if (!p)
		return NULL;
	p->refcount = 1;
	spin_lock_init(&p->lock);
	INIT_LIST_HEAD(&p->children);
	INIT_LIST_HEAD(&p->sibling);
	INIT_LIST_HEAD(&p->tasks);
	INIT_LIST_HEAD(&p->all_link);
	INIT_LIST_HEAD(&p->shared_pending.queue);
	init_waitqueue_head(&p->wait_children);
	p->exit_signal = SIGCHLD;
	p->start_time_ns = clock_monotonic_ns();
	return p;
}

/* A copy of the caller's process for a new child (not yet linked). */
static struct process *process_copy(struct process *parent, int exit_signal)
{
	struct process *p = process_new();

	if (!p)
		return NULL;
	spin_lock(&parent->lock);
	p->cred = parent->cred;
	memcpy(p->rlim, parent->rlim, sizeof(p->rlim));
	memcpy(p->comm, parent->comm, sizeof(p->comm));
	spin_unlock(&parent->lock);
	p->dumpable = parent->dumpable;
	if (parent->exe_path)
		p->exe_path = kstrdup(parent->exe_path, GFP_KERNEL);
	p->exit_signal = exit_signal;
	return p;
}

/* The child runs with the caller's policy, priority, nice and affinity. */
static void sched_copy_policy(struct thread *dst, struct thread *src)
{
	struct cpumask allowed = src->allowed;

	sched_setscheduler(dst, src->policy, src->rt_priority);
	sched_set_nice(dst, src->nice);
	sched_setaffinity(dst, &allowed);
}

static long clone_resources(struct task *child, struct task *cur,
			    unsigned long flags)
{
	child->mm = flags & CLONE_VM ? (mm_get(cur->mm), cur->mm)
				     : mm_dup(cur->mm);
	if (IS_ERR(child->mm)) {
		long err = PTR_ERR(child->mm);

		child->mm = NULL;
		return err;
	}
	if (flags & CLONE_FILES) {
		files_get(cur->files);
		child->files = cur->files;
	} else {
		child->files = files_dup(cur->files);
	}
	if (flags & CLONE_FS) {
		fs_ctx_get(cur->fs);
		child->fs = cur->fs;
	} else {
		child->fs = fs_ctx_dup(cur->fs);
	}
	if (flags & CLONE_SIGHAND) {
		sighand_get(cur->sighand);
		child->sighand = cur->sighand;
	} else {
		child->sighand = sighand_dup(cur->sighand);
	}
	if (IS_ERR_OR_NULL(child->files) || IS_ERR_OR_NULL(child->fs) ||
	    IS_ERR_OR_NULL(child->sighand)) {
		if (IS_ERR(child->files))
			child->files = NULL;
		if (IS_ERR(child->fs))
			child->fs = NULL;
		if (IS_ERR(child->sighand))
			child->sighand = NULL;
		return -ENOMEM;
	}
	return 0;
}

/* Tasks whose process has real uid @uid (RLIMIT_NPROC counts them). [T] */
static unsigned long tasks_of_user(uid_t uid)
{
	struct process *p;
	unsigned long n = 0;

	list_for_each_entry(p, &all_processes, all_link)
		if (p->cred.uid == uid && p->state == PROCESS_ALIVE)
			n += p->nr_tasks;
	return n;
}

/*
 * Link @child into the tables: a tid, and for a new process @np its pid,
 * parent and group. Return: 0, -EAGAIN (no pid, RLIMIT_NPROC) or
 * -ERESTARTNOINTR when the caller's process is dying.
 */
static long clone_link(struct task *child, struct process *np,
		       unsigned long flags)
{
	struct task *cur = current_task();
	struct process *cp = cur->proc;
	pid_t tid;

	spin_lock(&tasklist_lock);
	if (cp->group_exiting || fatal_signal_pending()) {
		spin_unlock(&tasklist_lock);
		return -ERESTARTNOINTR;
	}
	if (np && !cred_is_root(&cp->cred) &&
	    tasks_of_user(cp->cred.uid) >= cp->rlim[RLIMIT_NPROC].rlim_cur) {
		spin_unlock(&tasklist_lock);
		return -EAGAIN;
	}
	tid = pid_alloc(child);
	if (tid < 0) {
		spin_unlock(&tasklist_lock);
		return tid;
	}
	child->tid = tid;
	if (np) {
		struct process *parent = flags & CLONE_PARENT ? cp->parent : cp;

		np->pid = tid;
		np->pgid = cp->pgid;
		np->sid = cp->sid;
		np->tty = cp->tty;      /* the controlling tty is inherited */
		np->parent = parent;
		pid_set_process(tid, np);
		list_add_tail(&np->sibling, &parent->children);
		list_add_tail(&np->all_link, &all_processes);
		child->proc = np;
	} else {
		child->proc = cp;
	}
	process_get(child->proc);       /* the task's reference */
	list_add_tail(&child->proc_link, &child->proc->tasks);
	child->proc->nr_tasks++;
	spin_unlock(&tasklist_lock);
	return 0;
}

/*
 * The vfork parent sleeps until the child execs or exits. Uninterruptibly,
 * as the child borrows the parent's address space (Linux waits killably).
 */
static void vfork_wait(struct completion *done)
{
	wait_for_completion(done);
}

/* Linux's flag rules, in copy_process() order. */
static long clone_check_flags(u64 flags)
{
	const u64 unsupported = CLONE_NEWNS | CLONE_NEWCGROUP | CLONE_NEWUTS |
		CLONE_NEWIPC | CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET |
		CLONE_PIDFD | CLONE_INTO_CGROUP;

	const u64 known = CSIGNAL | CLONE_VM | CLONE_FS | CLONE_FILES |
		CLONE_SIGHAND | CLONE_PTRACE | CLONE_VFORK | CLONE_PARENT |
		CLONE_THREAD | CLONE_SYSVSEM | CLONE_SETTLS | CLONE_PARENT_SETTID |
		CLONE_CHILD_CLEARTID | CLONE_DETACHED | CLONE_UNTRACED |
		CLONE_CHILD_SETTID | CLONE_IO | CLONE_CLEAR_SIGHAND | unsupported;

	if (flags & ~known)
		return -EINVAL;
	if (flags & unsupported)
		return -EINVAL;
	if ((flags & CLONE_THREAD) && !(flags & CLONE_SIGHAND))
		return -EINVAL;
	if ((flags & CLONE_SIGHAND) && !(flags & CLONE_VM))
		return -EINVAL;
	if ((flags & CLONE_CLEAR_SIGHAND) && (flags & CLONE_SIGHAND))
		return -EINVAL;
	if ((flags & (CLONE_PARENT | CLONE_THREAD)) &&
	    current_process() == init_process)
		return -EINVAL;
	return 0;
}

long kernel_clone(const struct kernel_clone_args *a)
{
	struct task *cur = current_task(), *child;
	struct process *np = NULL;
	struct completion vfork_done;
	u64 flags = a->flags;
	long err;
	pid_t tid;

	err = clone_check_flags(flags);
	if (err)
		return err;
	if ((flags & CLONE_SETTLS) && a->tls >= ARCH_USER_TOP)
		return -EPERM;
	child = task_new(cur->thread->name);
	if (IS_ERR(child))
		return PTR_ERR(child);
	if (!(flags & CLONE_THREAD)) {
		np = process_copy(cur->proc, a->exit_signal);
		if (!np) {
			err = -ENOMEM;
			goto err_task;
		}
	}
	err = clone_resources(child, cur, flags);
	if (err)
		goto err_proc;
	if ((flags & CLONE_CLEAR_SIGHAND))
		signal_clear_handlers(child->sighand);
	signal_task_init(child, cur, flags);
	err = arch_thread_user_copy(child->thread, current);
	if (err)
		goto err_proc;
	arch_user_regs_fork(arch_user_regs(child->thread),
			    arch_user_regs(current));
	if (a->stack)
		arch_user_regs_set_sp(arch_user_regs(child->thread), a->stack);
	if (flags & CLONE_SETTLS)
		arch_thread_set_tls(child->thread, a->tls);
	sched_copy_policy(child->thread, current);
	child->no_new_privs = cur->no_new_privs;
	if (flags & CLONE_CHILD_SETTID)
		child->set_child_tid = (int __user *)a->child_tid;
	if (flags & CLONE_CHILD_CLEARTID)
		child->clear_child_tid = (int __user *)a->child_tid;

	err = clone_link(child, np, flags);
	if (err)
		goto err_proc;
	tid = child->tid;
	procfs_note_fork(tid);
	if (flags & CLONE_PARENT_SETTID)
		put_user(tid, (int __user *)a->parent_tid);
	if (flags & CLONE_VFORK) {
		init_completion(&vfork_done);
		child->vfork_done = &vfork_done;
	}
	thread_start(child->thread);
	if (flags & CLONE_VFORK)
		vfork_wait(&vfork_done);
	return tid;

err_proc:
	if (np)
		process_put(np);
err_task:
	task_destroy_unstarted(child);
	return err;
}

SYSCALL_DEFINE0(fork)
{
	struct kernel_clone_args a = { .exit_signal = SIGCHLD };

	return kernel_clone(&a);
}

SYSCALL_DEFINE0(vfork)
{
	struct kernel_clone_args a = {
		.flags = CLONE_VFORK | CLONE_VM, .exit_signal = SIGCHLD,
	};

	return kernel_clone(&a);
}

/* x86_64 order: flags, stack, parent_tid, child_tid, tls. */
SYSCALL_DEFINE5(clone, unsigned long, flags, unsigned long, stack,
		int __user *, parent_tid, int __user *, child_tid,
		unsigned long, tls)
{
	struct kernel_clone_args a = {
		.flags = (u32)flags & ~(u64)CSIGNAL,   /* Linux: the low 32 bits */
		.exit_signal = flags & CSIGNAL,
		.stack = stack,
		.parent_tid = (unsigned long)parent_tid,
		.child_tid = (unsigned long)child_tid,
		.tls = tls,
	};

	/* CLONE_DETACHED is a leftover Linux ignores in clone(). */
	a.flags &= ~(u64)CLONE_DETACHED;
	if (a.exit_signal >= NSIG + 1)
		return -EINVAL;
	if (a.flags & CLONE_THREAD)
		a.exit_signal = 0;
	return kernel_clone(&a);
}

/* struct clone_args, as of Linux 5.7 (CLONE_ARGS_SIZE_VER2, 88 bytes). */
struct clone_args_user {
	u64 flags, pidfd, child_tid, parent_tid, exit_signal;
	u64 stack, stack_size, tls, set_tid, set_tid_size, cgroup;
};
#define CLONE_ARGS_SIZE_VER0 64

SYSCALL_DEFINE2(clone3, struct clone_args_user __user *, uargs, size_t, size)
{
	struct clone_args_user ca = { 0 };
	struct kernel_clone_args a;

	if (size < CLONE_ARGS_SIZE_VER0)
		return -EINVAL;
	if (size > PAGE_SIZE)
		return -E2BIG;
	if (size > sizeof(ca)) {
		/* Fields Keel does not know must be zero (Linux: E2BIG). */
		for (size_t off = sizeof(ca); off < size; off++) {
			u8 b;

			if (get_user(b, (const u8 __user *)uargs + off))
				return -EFAULT;
			if (b)
				return -E2BIG;
		}
		size = sizeof(ca);
	}
	if (copy_from_user(&ca, uargs, size))
		return -EFAULT;
	if ((ca.flags & CSIGNAL) || ca.exit_signal > NSIG ||
	    (ca.flags & CLONE_DETACHED))
		return -EINVAL;
	if (ca.set_tid || ca.set_tid_size)
		return -EINVAL;
	if ((ca.stack == 0) != (ca.stack_size == 0))
		return -EINVAL;
	a = (struct kernel_clone_args){
		.flags = ca.flags,
		.exit_signal = (ca.flags & CLONE_THREAD) ? 0 : (int)ca.exit_signal,
		.stack = ca.stack ? ca.stack + ca.stack_size : 0,
		.parent_tid = ca.parent_tid,
		.child_tid = ca.child_tid,
		.tls = ca.tls,
	};
	return kernel_clone(&a);
}
