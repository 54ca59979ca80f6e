/*
 * prctl(2): the per-process and per-thread switches Keel implements —
 * names, the parent-death signal, child subreapers, dumpable, no_new_privs
 * and keepcaps. Other options return -EINVAL, as Linux does for options it
 * does not know.
 */
#include <keel/errno.h>
#include <keel/signal.h>
#include <keel/string.h>
#include <keel/syscall.h>
#include <keel/task.h>
#include <keel/uaccess.h>

#define PR_SET_PDEATHSIG        1
#define PR_GET_PDEATHSIG        2
#define PR_GET_DUMPABLE         3
#define PR_SET_DUMPABLE         4
#define PR_GET_KEEPCAPS         7
#define PR_SET_KEEPCAPS         8
#define PR_SET_NAME             15
#define PR_GET_NAME             16
#define PR_SET_CHILD_SUBREAPER  36
#define PR_GET_CHILD_SUBREAPER  37
#define PR_SET_NO_NEW_PRIVS     38
#define PR_GET_NO_NEW_PRIVS     39

/* PR_SET_NAME names the calling thread; the leader's name is the process's. */
static long prctl_set_name(const char __user *uname)
{
	struct task *t = current_task();
	char name[TASK_COMM_LEN];
	long n = strncpy_from_user(name, uname, sizeof(name));

	if (n < 0)
		return n;
	name[sizeof(name) - 1] = '\0';
	strlcpy(current->name, name, sizeof(current->name));
	if (t->tid == t->proc->pid) {
		spin_lock(&t->proc->lock);
		strlcpy(t->proc->comm, name, sizeof(t->proc->comm));
		spin_unlock(&t->proc->lock);
	}
	return 0;
}

static long prctl_flag(bool *flag, unsigned long v)
{
	if (v > 1)
		return -EINVAL;
	*flag = v;
	return 0;
}

SYSCALL_DEFINE5(prctl, int, option, unsigned long, arg2, unsigned long, arg3,
		unsigned long, arg4, unsigned long, arg5)
{
	struct task *t = current_task();
	struct process *p = t->proc;
	char name[TASK_COMM_LEN];
	long ret;

	switch (option) {
	case PR_SET_NAME:
		return prctl_set_name((const char __user *)arg2);
	case PR_GET_NAME:
		strlcpy(name, current->name, sizeof(name));
		return copy_to_user((void __user *)arg2, name, sizeof(name)) ?
		       -EFAULT : 0;
	case PR_SET_PDEATHSIG:
		if (arg2 > NSIG)
			return -EINVAL;
		spin_lock(&tasklist_lock);
		t->pdeath_signal = arg2;
		spin_unlock(&tasklist_lock);
		return 0;
	case PR_GET_PDEATHSIG:
		return put_user(t->pdeath_signal, (int __user *)arg2);
	case PR_SET_CHILD_SUBREAPER:
		spin_lock(&tasklist_lock);
		p->child_subreaper = arg2 != 0;
		spin_unlock(&tasklist_lock);
		return 0;
	case PR_GET_CHILD_SUBREAPER:
		return put_user((int)p->child_subreaper, (int __user *)arg2);
	case PR_GET_DUMPABLE:
		return p->dumpable;
	case PR_SET_DUMPABLE:
		spin_lock(&p->lock);
		ret = prctl_flag(&p->dumpable, arg2);
		spin_unlock(&p->lock);
		return ret;
	case PR_GET_KEEPCAPS:
		return p->keepcaps;
	case PR_SET_KEEPCAPS:
		spin_lock(&p->lock);
		ret = prctl_flag(&p->keepcaps, arg2);
		spin_unlock(&p->lock);
		return ret;
	case PR_SET_NO_NEW_PRIVS:
		if (arg2 != 1 || arg3 || arg4 || arg5)
			return -EINVAL;
		t->no_new_privs = true;
		return 0;
	case PR_GET_NO_NEW_PRIVS:
		if (arg2 || arg3 || arg4 || arg5)
			return -EINVAL;
		return t->no_new_privs;
	default:
		return -EINVAL;
	}
}
