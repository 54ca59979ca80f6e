/*
 * Process ids, the process list and the reference counts of processes.
 *
 * tids and pids share one number space, 1..PID_MAX-1, handed out cyclically
 * like Linux's (a freed number is not reused until the counter wraps), so
 * a stale pid in a user program rarely names a new process at once.
 *
 * Two tables map a number to its holders: tid_table[n] is the live task
 * with tid n, pid_table[n] the process with pid n (which keeps its number
 * while it is a zombie, after its leader task is gone). A number is free
 * when both slots are empty; pid_map tracks that for allocation.
 *
 * Locking: everything here is [T] tasklist_lock, a plain spinlock: it is
 * never taken from interrupt handlers.
 */
#include <keel/bitmap.h>
#include <keel/errno.h>
#include <keel/slab.h>
#include <keel/task.h>

#include "proc_internal.h"

DEFINE_SPINLOCK(tasklist_lock);
LIST_HEAD(all_processes);
struct process *init_process;

static DECLARE_BITMAP(pid_map, PID_MAX);       /* [T] number in use */
static struct task *tid_table[PID_MAX];         /* [T] */
static struct process *pid_table[PID_MAX];      /* [T] */
static pid_t pid_last;                          /* [T] last number given */

/* Reserve a number. Context: [T] held. */
static pid_t pid_reserve(void)
{
	unsigned long n;

	n = find_next_zero_bit(pid_map, PID_MAX, (unsigned long)pid_last + 1);
	if (n >= PID_MAX)
		n = find_next_zero_bit(pid_map, PID_MAX, 1);
	if (n >= PID_MAX || n == 0)
		return -EAGAIN;
	__set_bit(n, pid_map);
	pid_last = (pid_t)n;
	return (pid_t)n;
}

pid_t pid_alloc(struct task *t)
{
	pid_t nr;

	lock_assert_held(&tasklist_lock);
	nr = pid_reserve();
	if (nr > 0)
		tid_table[nr] = t;
	return nr;
}

/* Release number @pid once neither a task nor a process holds it. [T] */
static void pid_release_if_unused(pid_t pid)
{
	if (pid > 0 && pid < PID_MAX && !tid_table[pid] && !pid_table[pid])
		__clear_bit(pid, pid_map);
}

void pid_free(pid_t pid)
{
	lock_assert_held(&tasklist_lock);
	if (pid <= 0 || pid >= PID_MAX)
		return;
	tid_table[pid] = NULL;
	pid_release_if_unused(pid);
}

/* Make @t answer to tid @pid (exec by a non-leader thread takes the pid). [T] */
void pid_retarget(pid_t pid, struct task *t)
{
	lock_assert_held(&tasklist_lock);
	tid_table[pid] = t;
}

void pid_set_process(pid_t pid, struct process *p)
{
	lock_assert_held(&tasklist_lock);
	pid_table[pid] = p;
	if (!p)
		pid_release_if_unused(pid);
}

struct task *task_by_tid(pid_t tid)
{
	lock_assert_held(&tasklist_lock);
	if (tid <= 0 || tid >= PID_MAX)
		return NULL;
	return tid_table[tid];
}

struct process *process_by_pid(pid_t pid)
{
	lock_assert_held(&tasklist_lock);
	if (pid <= 0 || pid >= PID_MAX)
		return NULL;
	return pid_table[pid];
}

unsigned int nr_processes(void)
{
	struct process *p;
	unsigned int n = 0;

	spin_lock(&tasklist_lock);
	list_for_each_entry(p, &all_processes, all_link)
		n++;
	spin_unlock(&tasklist_lock);
	return n;
}

void process_get(struct process *p)
{
	__atomic_fetch_add(&p->refcount, 1, __ATOMIC_RELAXED);
}

void process_put(struct process *p)
{
	if (__atomic_sub_fetch(&p->refcount, 1, __ATOMIC_ACQ_REL))
		return;
	signal_process_free(p);
	kfree(p->exe_path);
	kfree(p);
}
