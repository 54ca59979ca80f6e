/*
 * wait4 and waitid: a parent collecting what happened to its children.
 *
 * A child is "ready" when it is a zombie (WEXITED), has a stop report not
 * yet collected (WSTOPPED/WUNTRACED: stop_report = sig << 8 | 0x7f) or a
 * continue report (WCONTINUED: 0xffff). The parent sleeps on its own
 * process's wait_children queue, which exit, stop and continue wake. The
 * whole scan runs under tasklist_lock, so a child cannot change state
 * between being found ready and being reaped.
 *
 * Which children: wait4's pid (> 0 that pid, 0 the caller's process group,
 * -1 any, < -1 group -pid) or waitid's (idtype, id); and, as on Linux,
 * only "clone children" (exit signal other than SIGCHLD) with __WCLONE,
 * only the others without it, both with __WALL.
 */
#include <keel/errno.h>
#include <keel/syscall.h>
#include <keel/task.h>
#include <keel/uaccess.h>
#include <keel/wait.h>

#include "proc_internal.h"

#define WNOHANG     0x00000001
#define WUNTRACED   0x00000002
#define WSTOPPED    WUNTRACED
#define WEXITED     0x00000004
#define WCONTINUED  0x00000008
#define WNOWAIT     0x01000000
#define __WNOTHREAD 0x20000000
#define __WALL      0x40000000
#define __WCLONE    0x80000000

#define P_ALL   0
#define P_PID   1
#define P_PGID  2
#define P_PIDFD 3

struct wait_opts {
	int type;               /* P_ALL, P_PID, P_PGID */
	pid_t id;
	unsigned int options;
	/* Filled in for the child found: */
	pid_t pid;
	uid_t uid;
	int status;             /* wait status (W* encoding) */
	int cld_code;           /* CLD_* for waitid */
	int cld_status;         /* si_status for waitid */
	u64 utime_ns, stime_ns; /* for rusage */
	unsigned long min_flt, maxrss_kib;
};

static bool wait_matches(const struct process *c, const struct wait_opts *wo)
{
	bool clone_child = c->exit_signal != SIGCHLD;

	if (wo->type == P_PID && c->pid != wo->id)
		return false;
	if (wo->type == P_PGID && c->pgid != wo->id)
		return false;
	if (wo->options & __WALL)
		return true;
	return clone_child == !!(wo->options & __WCLONE);
}

static void wait_fill_exit(struct process *c, struct wait_opts *wo)
{
	int st = c->exit_status;

	wo->status = st;
	if ((st & 0x7f) == 0) {
		wo->cld_code = CLD_EXITED;
		wo->cld_status = (st >> 8) & 0xff;
	} else {
		wo->cld_code = st & 0x80 ? CLD_DUMPED : CLD_KILLED;
		wo->cld_status = st & 0x7f;
	}
}

/* Fold reaped @c's CPU time into its parent @me. [T] */
static void wait_account(struct process *me, struct process *c)
{
	unsigned long maxrss = c->maxrss_kib > c->children_maxrss_kib ?
			       c->maxrss_kib : c->children_maxrss_kib;

	spin_lock(&me->lock);
	me->children_utime_ns += c->utime_ns + c->children_utime_ns;
	me->children_stime_ns += c->stime_ns + c->children_stime_ns;
	me->children_min_flt += c->min_flt + c->children_min_flt;
	if (maxrss > me->children_maxrss_kib)
		me->children_maxrss_kib = maxrss;
	spin_unlock(&me->lock);
}

/*
 * Is @c ready for @wo? If so fill @wo and consume the event (unless
 * WNOWAIT); a reaped zombie is returned in *@reaped for the caller to
 * put after dropping tasklist_lock. [T]
 */
static bool wait_consider(struct process *me, struct process *c,
			  struct wait_opts *wo, struct process **reaped)
{
	bool keep = wo->options & WNOWAIT;

	wo->pid = c->pid;
	wo->uid = c->cred.uid;
	wo->utime_ns = c->utime_ns + c->children_utime_ns;
	wo->stime_ns = c->stime_ns + c->children_stime_ns;
	wo->min_flt = c->min_flt + c->children_min_flt;
	wo->maxrss_kib = c->maxrss_kib > c->children_maxrss_kib ?
			 c->maxrss_kib : c->children_maxrss_kib;
	if (c->state == PROCESS_ZOMBIE && (wo->options & WEXITED)) {
		wait_fill_exit(c, wo);
		if (!keep) {
			wait_account(me, c);
			process_unhash(c);
			*reaped = c;
		}
		return true;
	}
	if (c->state != PROCESS_ALIVE || !c->stop_report)
		return false;
	if ((c->stop_report & 0xff) == 0x7f && (wo->options & WSTOPPED)) {
		wo->status = c->stop_report;
		wo->cld_code = CLD_STOPPED;
		wo->cld_status = (c->stop_report >> 8) & 0xff;
	} else if (c->stop_report == 0xffff && (wo->options & WCONTINUED)) {
		wo->status = 0xffff;
		wo->cld_code = CLD_CONTINUED;
		wo->cld_status = SIGCONT;
	} else {
		return false;
	}
	if (!keep)
		c->stop_report = 0;
	return true;
}

/*
 * Wait as @wo says. Return: the pid found, 0 (WNOHANG, none ready),
 * -ECHILD (no child matches) or -ERESTARTSYS (a signal).
 */
static long do_wait(struct wait_opts *wo)
{
	struct process *me = current_process(), *c, *reaped = NULL;
	DEFINE_WAIT(w);
	long ret;

	for (;;) {
		bool any = false, found = false;

		prepare_to_wait(&me->wait_children, &w, THREAD_INTERRUPTIBLE);
		spin_lock(&tasklist_lock);
		list_for_each_entry(c, &me->children, sibling) {
			if (!wait_matches(c, wo))
				continue;
			any = true;
			if (wait_consider(me, c, wo, &reaped)) {
				found = true;
				break;
			}
		}
		spin_unlock(&tasklist_lock);
		if (found) {
			ret = wo->pid;
			break;
		}
		if (!any) {
			ret = -ECHILD;
			break;
		}
		if (wo->options & WNOHANG) {
			ret = 0;
			break;
		}
		if (READ_ONCE(current->signal_pending)) {
			ret = -ERESTARTSYS;
			break;
		}
		schedule();
	}
	finish_wait(&me->wait_children, &w);
	if (reaped)
		process_put(reaped);    /* the family reference */
	return ret;
}

struct rusage_user {
	struct { s64 sec, usec; } utime, stime;
	long maxrss, ixrss, idrss, isrss, minflt, majflt, nswap, inblock;
	long oublock, msgsnd, msgrcv, nsignals, nvcsw, nivcsw;
};

static void ns_to_timeval(u64 ns, s64 *sec, s64 *usec)
{
	*sec = ns / 1000000000ULL;
	*usec = ns % 1000000000ULL / 1000;
}

long rusage_fill_user(void __user *ru, u64 utime_ns, u64 stime_ns,
		      unsigned long min_flt, unsigned long maxrss_kib)
{
	struct rusage_user r = { 0 };

	ns_to_timeval(utime_ns, &r.utime.sec, &r.utime.usec);
	ns_to_timeval(stime_ns, &r.stime.sec, &r.stime.usec);
	r.minflt = min_flt;
	r.maxrss = maxrss_kib;
	return copy_to_user(ru, &r, sizeof(r)) ? -EFAULT : 0;
}

SYSCALL_DEFINE4(wait4, pid_t, pid, int __user *, wstatus, int, options,
		void __user *, rusage)
{
	struct wait_opts wo = { .options = (unsigned int)options | WEXITED };
	long ret;

	if (options & ~(WNOHANG | WUNTRACED | WCONTINUED | __WNOTHREAD |
			__WCLONE | __WALL))
		return -EINVAL;
	if (pid == (pid_t)0x80000000)   /* -INT_MIN overflows */
		return -ESRCH;
	if (pid < -1) {
		wo.type = P_PGID;
		wo.id = -pid;
	} else if (pid == 0) {
		wo.type = P_PGID;
		wo.id = current_process()->pgid;
	} else if (pid > 0) {
		wo.type = P_PID;
		wo.id = pid;
	} else {
		wo.type = P_ALL;
	}
	ret = do_wait(&wo);
	if (ret <= 0)
		return ret;
	if (wstatus && put_user(wo.status, wstatus))
		return -EFAULT;
	if (rusage && rusage_fill_user(rusage, wo.utime_ns, wo.stime_ns,
					  wo.min_flt, wo.maxrss_kib))
		return -EFAULT;
	return ret;
}

/* The part of siginfo_t waitid fills (Linux's SIGCHLD layout). */
struct siginfo_chld {
	int signo, errnum, code, pad;
	pid_t pid;
	uid_t uid;
	int status;
	int pad2;
	long utime, stime;
};

SYSCALL_DEFINE5(waitid, int, idtype, pid_t, id, void __user *, infop,
		int, options, void __user *, rusage)
{
	struct wait_opts wo = { .options = (unsigned int)options };
	struct siginfo_chld si = { 0 };
	long ret;

	if (options & ~(WNOHANG | WNOWAIT | WEXITED | WSTOPPED | WCONTINUED |
			__WNOTHREAD | __WCLONE | __WALL))
		return -EINVAL;
	if (!(options & (WEXITED | WSTOPPED | WCONTINUED)))
		return -EINVAL;
	switch (idtype) {
	case P_ALL:
		wo.type = P_ALL;
		break;
	case P_PID:
		if (id <= 0)
			return -EINVAL;
		wo.type = P_PID;
		wo.id = id;
		break;
	case P_PGID:
		if (id < 0)
			return -EINVAL;
		wo.type = P_PGID;
		wo.id = id ? id : current_process()->pgid;
		break;
	default:
		return -EINVAL;   /* P_PIDFD: Keel has no pidfds */
	}
	ret = do_wait(&wo);
	if (ret < 0)
		return ret;
	if (ret > 0) {
		si.signo = SIGCHLD;
		si.code = wo.cld_code;
		si.pid = wo.pid;
		si.uid = wo.uid;
		si.status = wo.cld_status;
		si.utime = wo.utime_ns / 10000000;   /* clock ticks (100 Hz) */
		si.stime = wo.stime_ns / 10000000;
	}
	/* With WNOHANG and nothing ready, Linux zeroes the fields too. */
	if (infop && copy_to_user(infop, &si, sizeof(si)))
		return -EFAULT;
	if (rusage && rusage_fill_user(rusage, wo.utime_ns, wo.stime_ns,
					  wo.min_flt, wo.maxrss_kib))
		return -EFAULT;
	return 0;
}
