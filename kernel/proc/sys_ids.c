/*
 * Process identity system calls: pids, process groups and sessions, and
 * set_tid_address.
 *
 * Process groups and sessions (credentials(7), setpgid(2), setsid(2)):
 * a process may move itself or a child that has not exec'd yet into a
 * group of the same session; a session leader cannot move; setsid fails
 * for a process-group leader. All under tasklist_lock.
 */
#include <keel/errno.h>
#include <keel/syscall.h>
#include <keel/task.h>

SYSCALL_DEFINE0(getpid)
{
	return current_process()->pid;
}

SYSCALL_DEFINE0(gettid)
{
	return current_task()->tid;
}

SYSCALL_DEFINE0(getppid)
{
	struct process *parent;
	pid_t pid;

	spin_lock(&tasklist_lock);
	parent = current_process()->parent;
	pid = parent ? parent->pid : 0;
	spin_unlock(&tasklist_lock);
	return pid;
}

SYSCALL_DEFINE1(set_tid_address, int __user *, tidptr)
{
	current_task()->clear_child_tid = tidptr;
	return current_task()->tid;
}

/* Is there a process of session @sid in group @pgid? [T] */
static bool pgrp_in_session(pid_t pgid, pid_t sid)
{
	struct process *p;

	list_for_each_entry(p, &all_processes, all_link)
		if (p->pgid == pgid && p->sid == sid &&
		    p->state != PROCESS_DEAD)
			return true;
	return false;
}

bool process_pgrp_orphaned(struct process *me)
{
	struct process *p;
	bool orphaned = true;

	spin_lock(&tasklist_lock);
	list_for_each_entry(p, &all_processes, all_link) {
		struct process *parent = p->parent;

		if (p->pgid != me->pgid || p->state != PROCESS_ALIVE)
			continue;
		if (parent && parent != init_process &&
		    parent->pgid != p->pgid && parent->sid == p->sid) {
			orphaned = false;
			break;
		}
	}
	spin_unlock(&tasklist_lock);
	return orphaned;
}

SYSCALL_DEFINE2(setpgid, pid_t, pid, pid_t, pgid)
{
	struct process *me = current_process(), *p;
	long err = 0;

	if (pgid < 0)
		return -EINVAL;
	spin_lock(&tasklist_lock);
	p = pid ? process_by_pid(pid) : me;
	if (!p || p->state != PROCESS_ALIVE ||
	    (p != me && p->parent != me)) {
		err = -ESRCH;
		goto out;
	}
	if (!pgid)
		pgid = p->pid;
	if (p != me && (p->sid != me->sid)) {
		err = -EPERM;
		goto out;
	}
	if (p != me && p->execed) {
		err = -EACCES;
		goto out;
	}
	if (p->sid == p->pid) {         /* a session leader */
		err = -EPERM;
		goto out;
	}
	if (pgid != p->pid && !pgrp_in_session(pgid, me->sid)) {
		err = -EPERM;
		goto out;
	}
	p->pgid = pgid;
out:
	spin_unlock(&tasklist_lock);
	return err;
}

/* getpgid/getsid of @pid (0: the caller). */
static long get_group_id(pid_t pid, bool session)
{
	struct process *p;
	long ret;

	if (pid < 0)
		return -ESRCH;
	spin_lock(&tasklist_lock);
	p = pid ? process_by_pid(pid) : current_process();
	if (!p || p->state == PROCESS_DEAD)
		ret = -ESRCH;
	else
		ret = session ? p->sid : p->pgid;
	spin_unlock(&tasklist_lock);
	return ret;
}

SYSCALL_DEFINE1(getpgid, pid_t, pid)
{
	return get_group_id(pid, false);
}

SYSCALL_DEFINE0(getpgrp)
{
	return get_group_id(0, false);
}

SYSCALL_DEFINE1(getsid, pid_t, pid)
{
	return get_group_id(pid, true);
}

SYSCALL_DEFINE0(setsid)
{
	struct process *me = current_process(), *p;
	long ret;

	spin_lock(&tasklist_lock);
	/* Not if any process already uses our pid as its group id. */
	list_for_each_entry(p, &all_processes, all_link) {
		if (p->pgid == me->pid && p->state != PROCESS_DEAD) {
			ret = -EPERM;
			goto out;
		}
	}
	me->sid = me->pgid = me->pid;
	me->tty = NULL;         /* a new session starts without a tty */
	ret = me->sid;
out:
	spin_unlock(&tasklist_lock);
	return ret;
}
