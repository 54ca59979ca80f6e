/*
 * exit and exit_group: ending a task, and a process with its last task.
 *
 * A task that ends (task_exit) wakes a vfork parent, clears its
 * clear_child_tid word, leaves its process and the tid table under
 * tasklist_lock, then drops its address space, fd table, fs context and
 * signal actions and ends its kernel thread. The last task of a process
 * turns it into a zombie: its children go to init, its parent is notified
 * (SIGCHLD or the clone exit signal; wait4 sleepers wake), and it stays
 * until the parent reaps it (wait.c) — or at once when the parent ignores
 * SIGCHLD (auto-reap).
 *
 * References: a process holds one reference for its place in the family
 * (dropped when reaped) and one per task (dropped when the task is gone),
 * so it outlives whichever comes last.
 */
#include <keel/completion.h>
#include <keel/futex.h>
#include <keel/mm_space.h>
#include <keel/panic.h>
#include <keel/printk.h>
#include <keel/slab.h>
#include <keel/string.h>
#include <keel/syscall.h>
#include <keel/task.h>
#include <keel/tty.h>
#include <keel/uaccess.h>
#include <keel/usertime.h>
#include <keel/vfs.h>

#include "proc_internal.h"

void vfork_release(struct task *t)
{
	struct completion *done = t->vfork_done;

	if (done) {
		t->vfork_done = NULL;
		complete(done);
	}
}

/*
 * Remove zombie @c from its parent and the tables. Its family reference
 * is the caller's to drop (after tasklist_lock). [T]
 */
void process_unhash(struct process *c)
{
	lock_assert_held(&tasklist_lock);
	c->state = PROCESS_DEAD;
	list_del_init(&c->sibling);
	list_del_init(&c->all_link);
	pid_set_process(c->pid, NULL);
}

/* The parent-death signal (prctl PR_SET_PDEATHSIG) of @t, as SI_USER. [T] */
static void pdeath_signal_send(struct task *t)
{
	siginfo_t info;

	memset(&info, 0, sizeof(info));
	info.si_signo = t->pdeath_signal;
	info.si_code = SI_USER;
	send_sig_info_locked(t, &info, false);
}

/*
 * The new parent of @p's orphans: the nearest living ancestor that asked
 * to be a child subreaper, else init. [T]
 */
static struct process *find_new_reaper(struct process *p)
{
	for (struct process *a = p->parent; a && a != init_process; a = a->parent)
		if (a->child_subreaper && a->state == PROCESS_ALIVE &&
		    !a->group_exiting)
			return a;
	return init_process;
}

/*
 * Hand @p's children to their new reaper (zombies among them are its to
 * reap) and send each child task its parent-death signal. [T]
 */
static void reparent_children(struct process *p)
{
	struct process *c, *tmp, *reaper = find_new_reaper(p);
	struct task *t;
	bool zombies = false;

	list_for_each_entry_safe(c, tmp, &p->children, sibling) {
		c->parent = reaper;
		list_move_tail(&c->sibling, &reaper->children);
		if (c->state == PROCESS_ZOMBIE)
			zombies = true;
		list_for_each_entry(t, &c->tasks, proc_link)
			if (t->pdeath_signal)
				pdeath_signal_send(t);
	}
	if (zombies)
		wake_up_all(&reaper->wait_children);
}

/* How the wait status of a dead process reads for SIGCHLD's si_code. */
static int exit_why(int status, int *cld_status)
{
	if ((status & 0x7f) == 0) {
		*cld_status = (status >> 8) & 0xff;
		return CLD_EXITED;
	}
	*cld_status = status & 0x7f;
	return status & 0x80 ? CLD_DUMPED : CLD_KILLED;
}

/*
 * The last task of @p is leaving: make it a zombie and tell the parent.
 * Return: true when the parent does not want it (auto-reap): the caller
 * then drops the family reference. [T]
 */
static bool process_become_zombie(struct process *p, int status)
{
	int why, cld_status;

	if (p == init_process)
		panic("init (pid 1) exited with status %#x", status);
	p->state = PROCESS_ZOMBIE;
	p->exit_status = p->group_exiting ? p->group_exit_status : status;
	reparent_children(p);
	why = exit_why(p->exit_status, &cld_status);
	if (signal_notify_parent(p, why, cld_status)) {
		process_unhash(p);
		return true;
	}
	return false;
}

/* Drop the address space and the rest, leaving the CPU on the kernel's tables. */
static void task_release_resources(struct task *t)
{
	struct mm *mm = t->mm;
	unsigned long flags;

	spin_lock(&tasklist_lock);     /* /proc reads t->mm under it */
	flags = arch_irq_save();
	t->mm = NULL;
	mm_activate(NULL);
	arch_irq_restore(flags);
	spin_unlock(&tasklist_lock);
	if (mm)
		mm_put(mm);
	if (t->files)
		files_put(t->files);
	if (t->fs)
		fs_ctx_put(t->fs);
	t->files = NULL;
	t->fs = NULL;
}

__noreturn void task_exit(int status)
{
	struct task *t = current_task();
	struct process *p = t->proc;
	struct sighand *sh;
	struct files *files;
	bool reap = false, last;
	unsigned long flags;
	u64 ut, st;

	t->exiting = true;
	futex_exit_robust(t);           /* needs the address space still */
	if (t->clear_child_tid) {
		/* The thread library's "this thread is gone" word (join). */
		if (!put_user(0, t->clear_child_tid))
			futex_wake_address(t->clear_child_tid, 1);
	}
	vfork_release(t);
	/*
	 * Close the fds before the parent can see the exit (Linux closes
	 * them before exit_notify): its wait must find our POSIX locks
	 * gone (kernel/fs/locks.c). /proc reads t->files under [T].
	 */
	spin_lock(&tasklist_lock);
	files = t->files;
	t->files = NULL;
	last = p->nr_tasks == 1 && p->sid == p->pid && p->tty;
	spin_unlock(&tasklist_lock);
	files_put(files);
	if (last)               /* Linux's disassociate_ctty(1) */
		tty_session_leader_exit(p);

	task_cputime(t, &ut, &st);      /* before it leaves the task list */
	spin_lock(&tasklist_lock);
	list_del_init(&t->proc_link);
	p->nr_tasks--;
	spin_lock(&p->lock);
	p->utime_ns += ut;
	p->stime_ns += st;
	cputime_account_exited(ut, st);
	p->min_flt += t->min_flt;
	if (t->mm && t->mm->hiwater_rss * (PAGE_SIZE / 1024) > p->maxrss_kib)
		p->maxrss_kib = t->mm->hiwater_rss * (PAGE_SIZE / 1024);
	spin_unlock(&p->lock);
	pid_free(t->tid);
	last = p->nr_tasks == 0;
	if (last)
		reap = process_become_zombie(p, status);
	else if (p->nr_tasks == 1 && p->exec_task)
		wake_up_thread(p->exec_task->thread);   /* exec waits for this */
	spin_unlock(&tasklist_lock);

	/* No one can find the task any more: release what it held. */
	task_release_resources(t);
	signal_task_exit(t);
	sh = t->sighand;
	t->sighand = NULL;
	if (sh)
		sighand_put(sh);
	if (last) {
		itimer_process_exit(p);
		posix_timers_exit(p);
	}
	if (reap)
		process_put(p);         /* the family reference */

	flags = arch_irq_save();
	arch_thread_user_free(current);
	current->task = NULL;
	arch_irq_restore(flags);
	kfree(t);
	process_put(p);                 /* the task's reference */
	kthread_exit(0);
}

__noreturn void process_exit_group(int status)
{
	struct task *t = current_task(), *other;
	struct process *p = t->proc;

	spin_lock(&tasklist_lock);
	if (p->exec_task && p->exec_task != t) {
		/* Killed by another thread's exec: only this task ends. */
		spin_unlock(&tasklist_lock);
		task_exit(status);
	}
	if (!p->group_exiting) {
		p->group_exiting = true;
		p->group_exit_status = status;
		list_for_each_entry(other, &p->tasks, proc_link)
			if (other != t)
				signal_wake_kill(other);
	} else {
		status = p->group_exit_status;
	}
	spin_unlock(&tasklist_lock);
	task_exit(status);
}

SYSCALL_DEFINE1(exit, int, status)
{
	task_exit((status & 0xff) << 8);
}

SYSCALL_DEFINE1(exit_group, int, status)
{
	process_exit_group((status & 0xff) << 8);
}
