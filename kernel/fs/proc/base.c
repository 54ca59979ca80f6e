/*
 * /proc/<pid> and /proc/<pid>/task/<tid>: the per-process directories
 * and the helpers every per-process file uses to reach its process
 * (proc_get_process, proc_task_locked, proc_get_mm, proc_owner).
 *
 * A per-process inode names its process by number only, so it never
 * holds a process alive; each read looks the number up again and gets
 * -ESRCH once the process is gone (reaped).
 */
#include <keel/kstrtox.h>
#include <keel/mm_space.h>
#include <keel/sprintf.h>

#include "internal.h"

#define TID_BATCH 32

/**
 * proc_get_process - the process @pid, not yet reaped, with a reference
 * (process_put it). Context: process context. Return: it or NULL.
 */
struct process *proc_get_process(pid_t pid)
{
	struct process *p;

	spin_lock(&tasklist_lock);
	p = process_by_pid(pid);
	if (p && p->state != PROCESS_DEAD)
		process_get(p);
	else
		p = NULL;
	spin_unlock(&tasklist_lock);
	return p;
}

/**
 * proc_task_locked - @p's live task @tid, or its first live task when
 * @tid is 0 (the leader while it lives). Context: tasklist_lock held.
 * Return: the task or NULL (none left: a zombie).
 */
struct task *proc_task_locked(struct process *p, pid_t tid)
{
	struct task *t;

	lock_assert_held(&tasklist_lock);
	if (!tid)
		return list_first_entry_or_null(&p->tasks, struct task,
						proc_link);
	t = task_by_tid(tid);
	return t && t->proc == p ? t : NULL;
}

/**
 * proc_get_mm - the address space of @pid's task @tid (0: any), with a
 * reference (mm_put it). Context: process context. Return: mm or NULL.
 */
struct mm *proc_get_mm(pid_t pid, pid_t tid)
{
	struct process *p;
	struct task *t;
	struct mm *mm = NULL;

	spin_lock(&tasklist_lock);
	p = process_by_pid(pid);
	t = p ? proc_task_locked(p, tid) : NULL;
	if (t && t->mm) {
		mm = t->mm;
		mm_get(mm);
	}
	spin_unlock(&tasklist_lock);
	return mm;
}

/* The owner its inodes show: the effective ids (root for a dead one). */
void proc_owner(pid_t pid, uid_t *uid, gid_t *gid)
{
	struct process *p = proc_get_process(pid);

	*uid = 0;
	*gid = 0;
	if (!p)
		return;
	spin_lock(&p->lock);
	*uid = p->cred.euid;
	*gid = p->cred.egid;
	spin_unlock(&p->lock);
	process_put(p);
}

/* ---- comm ---------------------------------------------------------------- */

static int proc_comm_show(struct proc_buf *b, struct proc_inode *pi)
{
	struct process *p = proc_get_process(pi->pid);
	char comm[TASK_COMM_LEN];

	if (!p)
		return -ESRCH;
	spin_lock(&p->lock);
	memcpy(comm, p->comm, sizeof(comm));
	spin_unlock(&p->lock);
	if (pi->tid && pi->tid != pi->pid) {
		/* A thread's own name (prctl PR_SET_NAME names threads). */
		struct task *t;

		spin_lock(&tasklist_lock);
		t = proc_task_locked(p, pi->tid);
		if (t)
			strlcpy(comm, t->thread->name, sizeof(comm));
		spin_unlock(&tasklist_lock);
	}
	comm[TASK_COMM_LEN - 1] = '\0';
	process_put(p);
	proc_printf(b, "%s\n", comm);
	return 0;
}

/* Writing renames the caller's own process (Linux: its thread group). */
static ssize_t proc_comm_store(struct proc_inode *pi, const char *buf,
			       size_t len)
{
	struct task *t = current_task();
	struct process *p;
	char comm[TASK_COMM_LEN];
	size_t n = len;

	if (!t || t->proc->pid != pi->pid)
		return -EINVAL;
	if (n && buf[n - 1] == '\n')
		n--;
	n = MIN(n, (size_t)TASK_COMM_LEN - 1);
	memcpy(comm, buf, n);
	comm[n] = '\0';
	p = t->proc;
	spin_lock(&p->lock);
	memcpy(p->comm, comm, sizeof(comm));
	spin_unlock(&p->lock);
	return (ssize_t)len;
}

/* ---- task/ --------------------------------------------------------------- */

static int proc_task_lookup(struct inode *dir, struct dentry *d)
{
	struct proc_inode *pi = PROC_I(dir);
	struct process *p;
	unsigned int tid;
	bool found = false;

	if (d->d_name[0] < '1' || d->d_name[0] > '9' ||
	    kstrtouint(d->d_name, 10, &tid) || tid >= PID_MAX)
		return -ENOENT;
	spin_lock(&tasklist_lock);
	p = process_by_pid(pi->pid);
	if (p && p->state != PROCESS_DEAD)
		found = proc_task_locked(p, (pid_t)tid) != NULL ||
			(pid_t)tid == p->pid;   /* an exited leader: a zombie */
	spin_unlock(&tasklist_lock);
	if (!found)
		return -ENOENT;
	return proc_instantiate(d, &proc_tid_entry, pi->pid, (pid_t)tid, -1,
				dir->i_uid, dir->i_gid);
}

/* Up to TID_BATCH tids of @pid from @from on, in order. */
static unsigned int collect_tids(pid_t pid, pid_t from, pid_t *out)
{
	struct process *p;
	unsigned int n = 0;
	pid_t tid;

	spin_lock(&tasklist_lock);
	p = process_by_pid(pid);
	for (tid = from; p && tid < PID_MAX && n < TID_BATCH; tid++) {
		struct task *t = task_by_tid(tid);

		if ((t && t->proc == p) || tid == pid)  /* the leader, even exited */
			out[n++] = tid;
	}
	spin_unlock(&tasklist_lock);
	return n;
}

static int proc_task_iterate(struct file *f, struct dir_context *ctx)
{
	struct proc_inode *pi = PROC_I(file_inode(f));
	pid_t tids[TID_BATCH];
	char name[16];
	unsigned int n, i;

	for (;;) {
		pid_t from = (pid_t)(ctx->pos - PROC_DYN_POS);

		n = collect_tids(pi->pid, from < 1 ? 1 : from, tids);
		if (!n) {
			ctx->pos = PROC_DYN_POS + PID_MAX;
			return 0;
		}
		for (i = 0; i < n; i++) {
			int len = scnprintf(name, sizeof(name), "%d", tids[i]);

			if (!ctx->actor(ctx, name, len,
					PROC_DYN_POS + tids[i] + 1,
					0x200000 + (u64)tids[i], DT_DIR))
				return 0;
			ctx->pos = PROC_DYN_POS + tids[i] + 1;
		}
	}
}

static const struct proc_dir_ops proc_task_dir_ops = {
	.lookup = proc_task_lookup,
	.iterate = proc_task_iterate,
};

/* ---- the tables ---------------------------------------------------------- */

#define REG(n, fn) { .name = n, .mode = S_IFREG | 0444, .show = fn }
#define PRIV(n, fn) { .name = n, .mode = S_IFREG | 0400, \
		      .flags = PROC_PRIVATE, .show = fn }
#define LNK(n, fn) { .name = n, .mode = S_IFLNK | 0777, .link = fn }
#define MLNK(n, fn, ops) { .name = n, .mode = S_IFLNK | 0777, .link = fn, \
			   .iops = ops }
#define COMM { .name = "comm", .mode = S_IFREG | 0644, \
	       .show = proc_comm_show, .store = proc_comm_store }

/* What /proc/<pid>/ and /proc/<pid>/task/<tid>/ both hold. */
#define PROC_TASK_ENTRIES \
	{ .name = "fd", .mode = S_IFDIR | 0500, .dir = &proc_fd_dir_ops }, \
	{ .name = "fdinfo", .mode = S_IFDIR | 0500, \
	  .dir = &proc_fdinfo_dir_ops }, \
	PRIV("environ", proc_pid_environ), \
	REG("limits", proc_limits_show), \
	REG("status", proc_pid_status), \
	COMM, \
	REG("cmdline", proc_pid_cmdline), \
	REG("stat", proc_pid_stat), \
	REG("statm", proc_pid_statm), \
	REG("maps", proc_pid_maps), \
	REG("mounts", proc_mounts_show), \
	REG("mountinfo", proc_mountinfo_show), \
	MLNK("cwd", proc_cwd_link, &proc_cwd_link_iops), \
	MLNK("root", proc_root_link, &proc_root_link_iops), \
	LNK("exe", proc_exe_link),

static const struct proc_entry proc_tid_children[] = {
	PROC_TASK_ENTRIES
	{ 0 }
};

static const struct proc_entry proc_pid_children[] = {
	{ .name = "task", .mode = S_IFDIR | 0555, .dir = &proc_task_dir_ops },
	PROC_TASK_ENTRIES
	{ 0 }
};

const struct proc_entry proc_pid_entry = {
	.name = "<pid>",
	.mode = S_IFDIR | 0555,
	.children = proc_pid_children,
};

const struct proc_entry proc_tid_entry = {
	.name = "<tid>",
	.mode = S_IFDIR | 0555,
	.children = proc_tid_children,
};
