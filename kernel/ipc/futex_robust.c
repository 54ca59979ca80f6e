/*
 * Robust futex lists (set_robust_list(2), get_robust_list(2)): the list
 * of the locks a thread holds, kept by the thread library in user memory
 * so that the kernel can release them when the thread dies without
 * unlocking them.
 *
 * The list is circular through user memory, starting and ending at the
 * registered head; each entry's lock word is at entry + futex_offset;
 * bit 0 of a link marks a PI futex. list_op_pending names an entry the
 * library was adding or removing when the thread died. Everything here
 * reads untrusted user memory: a fault or a loop longer than
 * ROBUST_LIST_LIMIT ends the walk, never the kernel.
 *
 * Lock words are only touched with atomic compare-and-exchange, since
 * other threads and processes use them concurrently.
 */
#include <keel/errno.h>
#include <keel/futex.h>
#include <keel/sched.h>
#include <keel/spinlock.h>
#include <keel/syscall.h>
#include <keel/task.h>
#include <keel/uaccess.h>

#include "futex_internal.h"

/*
 * The owner @tid died: mark the lock word FUTEX_OWNER_DIED (keeping
 * FUTEX_WAITERS) and wake one waiter, as Linux's handle_futex_death.
 * A @pending entry whose word is 0 was being unlocked: wake a waiter that
 * may have missed the unlock's wake-up. Return: 0, or -EFAULT to end the
 * walk.
 */
static int futex_owner_died(u32 __user *uaddr, pid_t tid, bool pi,
			    bool pending)
{
	struct futex_word w = { .uaddr = uaddr };
	u32 uval, seen, mval;
	int tries;

	if ((uptr)uaddr % sizeof(u32))
		return -EFAULT;
	for (tries = 0; tries < 1000; tries++) {
		if (get_user(uval, uaddr))
			return -EFAULT;
		if (pending && !pi && !uval) {
			futex_wake_address((int __user *)uaddr, 1);
			return 0;
		}
		if ((uval & FUTEX_TID_MASK) != (u32)tid)
			return 0;
		/* Contended PI: the kernel state goes to the top waiter. */
		if (pi && (uval & FUTEX_WAITERS) && futex_pi_owner_died(uaddr))
			return 0;
		mval = (uval & FUTEX_WAITERS) | FUTEX_OWNER_DIED;
		seen = uval;
		if (futex_cmpxchg(&w, &seen, mval)) {
			if (futex_fault_in_writable(&w))
				return -EFAULT;
			continue;
		}
		if (seen != uval) {
			cond_resched();
			continue;           /* changed under us: look again */
		}
		/* PI waiters would be woken by the PI state's release. */
		if (!pi && (uval & FUTEX_WAITERS))
			futex_wake_address((int __user *)uaddr, 1);
		return 0;
	}
	return -EFAULT;
}

/* Read the link at @link: the entry it points to, and its PI bit. */
static int futex_fetch_entry(struct robust_list __user *__user *link,
			     struct robust_list __user **entry, bool *pi)
{
	unsigned long v;

	if (get_user(v, (unsigned long __user *)link))
		return -EFAULT;
	*entry = (struct robust_list __user *)(v & ~1UL);
	*pi = v & 1;
	return 0;
}

static u32 __user *futex_entry_word(struct robust_list __user *entry,
				    long offset)
{
	return (u32 __user *)((uptr)entry + (uptr)offset);
}

static void futex_walk_robust(struct task *t)
{
	struct robust_list_head __user *head = t->robust_list;
	struct robust_list __user *entry, *next, *pending;
	unsigned int limit = ROBUST_LIST_LIMIT;
	bool pi, next_pi, pending_pi;
	long offset;
	int rc;

	if (!head)
		return;
	t->robust_list = NULL;
	if (futex_fetch_entry(&head->list.next, &entry, &pi) ||
	    get_user(offset, &head->futex_offset) ||
	    futex_fetch_entry(&head->list_op_pending, &pending, &pending_pi))
		return;
	while (entry != &head->list) {
		/* Fetch the next link first: the death may free the entry. */
		rc = futex_fetch_entry(&entry->next, &next, &next_pi);
		if (entry != pending &&
		    futex_owner_died(futex_entry_word(entry, offset), t->tid,
				     pi, false))
			return;
		if (rc)
			return;
		entry = next;
		pi = next_pi;
		if (!--limit)
			break;
		cond_resched();
	}
	if (pending)
		futex_owner_died(futex_entry_word(pending, offset), t->tid,
				 pending_pi, true);
}

void futex_exit_robust(struct task *t)
{
	futex_walk_robust(t);
	/* Then the PI futexes not on the list, robust or not (Linux's
	 * exit_pi_state_list): a waiter never stays blocked on the dead. */
	futex_pi_release_all(t, t->exiting);
}

SYSCALL_DEFINE2(set_robust_list, struct robust_list_head __user *, head,
		size_t, len)
{
	if (len != sizeof(*head))
		return -EINVAL;
	current_task()->robust_list = head;
	return 0;
}

/*
 * May the caller read @t's robust list? Linux asks ptrace_may_access
 * (PTRACE_MODE_READ_REALCREDS): its own process, the same real and
 * saved ids as the target's, or privilege. Context: tasklist_lock held.
 */
static bool futex_may_inspect(struct task *t)
{
	const struct cred *me = current_cred();
	const struct cred *c;
	bool ok;

	if (t->proc == current_process() || cred_is_root(me))
		return true;
	spin_lock(&t->proc->lock);
	c = &t->proc->cred;
	ok = me->uid == c->uid && me->uid == c->euid && me->uid == c->suid &&
	     me->gid == c->gid && me->gid == c->egid && me->gid == c->sgid;
	spin_unlock(&t->proc->lock);
	return ok;
}

SYSCALL_DEFINE3(get_robust_list, int, pid,
		struct robust_list_head __user *__user *, head_ptr,
		size_t __user *, len_ptr)
{
	struct robust_list_head __user *head;
	struct task *t;

	if (!pid) {
		head = current_task()->robust_list;
	} else {
		spin_lock(&tasklist_lock);
		t = task_by_tid(pid);
		if (!t) {
			spin_unlock(&tasklist_lock);
			return -ESRCH;
		}
		if (!futex_may_inspect(t)) {
			spin_unlock(&tasklist_lock);
			return -EPERM;
		}
		head = READ_ONCE(t->robust_list);
		spin_unlock(&tasklist_lock);
	}
	if (put_user(sizeof(*head), len_ptr))
		return -EFAULT;
	return put_user(head, head_ptr);
}
