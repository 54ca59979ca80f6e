/*
 * User tasks and processes: the Linux process model on top of threads.
 *
 * A task is a thread (<keel/sched.h>) that can run in user mode: it has a
 * thread id, belongs to a process (Linux's thread group) and points at the
 * resources it may share with other tasks, chosen by clone() flags:
 *
 *	mm        the address space          CLONE_VM       <keel/mm_space.h>
 *	files     the fd table               CLONE_FILES    <keel/vfs.h>
 *	fs        cwd, root, umask           CLONE_FS       <keel/vfs.h>
 *	sighand   the signal actions         CLONE_SIGHAND  <keel/signal.h>
 *
 * Each of those is reference counted by its owner subsystem; a task holds
 * one reference to each. Kernel threads have no task (thread->task NULL).
 *
 * A process is what getpid() names: the tasks of one thread group, the
 * credentials, resource limits, parent/child links, process group and
 * session, shared pending signals and the exit status a parent reaps. Its
 * pid is its first task's tid. pids and tids share one number space
 * (kernel/proc/pid.c).
 *
 * Life cycle: a task runs until it calls exit (or is killed); when the
 * last task of a process has exited, the process becomes a zombie, its
 * parent gets SIGCHLD (or the exit signal clone asked for) and wait4/waitid
 * wake up; reaping frees the process. Children of an exiting process are
 * reparented to init (pid 1).
 *
 * Locking legend:
 *	[T]	tasklist_lock (parent/child links, pid table, process groups,
 *		the exit state, the task list of a process)
 *	[p]	process->lock (credentials, limits, accounting)
 *	[t]	only the task itself
 *	[I]	set before the task first runs, read-only after
 *	[a]	atomic
 * Lock order: tasklist_lock -> process->lock -> sighand->lock -> thread
 * scheduler locks (docs/locking.md).
 */
#ifndef KEEL_TASK_H
#define KEEL_TASK_H

#include <keel/compiler.h>
#include <keel/cputime.h>
#include <keel/list.h>
#include <keel/sched.h>
#include <keel/signal.h>
#include <keel/spinlock.h>
#include <keel/types.h>
#include <keel/usertime.h>
#include <keel/wait.h>

struct mm;
struct files;
struct fs_ctx;
struct sighand;
struct process;
struct completion;
struct tty;

/* ---- credentials ---------------------------------------------------------- */

#define NGROUPS_MAX 65536
#define CRED_GROUPS_INLINE 32   /* Keel keeps at most this many groups */

/* Linux's credential model (credentials(7)); fsuid/fsgid check file access. */
struct cred {
	uid_t uid, euid, suid, fsuid;
	gid_t gid, egid, sgid, fsgid;
	unsigned int ngroups;
	gid_t groups[CRED_GROUPS_INLINE];
	/*
	 * Capability sets (capabilities(7)), kept by Linux's rules for uid
	 * changes and exec, reported by capget and /proc; Keel's permission
	 * checks still test euid 0 (cred_is_root).
	 */
	u64 cap_inheritable, cap_permitted, cap_effective;
};

#define CAP_LAST_CAP  40                        /* Linux 6.1 */
#define CAP_FULL_SET  ((1ULL << (CAP_LAST_CAP + 1)) - 1)

/*
 * cred_fix_caps - apply capabilities(7)'s "effect of user ID changes"
 * after @c's uids changed from (@r, @e, @s). Context: process->lock.
 */
void cred_fix_caps(struct cred *c, uid_t r, uid_t e, uid_t s);

/* Is @c privileged (Keel has no capability sets yet: euid 0 is root)? */
static inline bool cred_is_root(const struct cred *c)
{
	return c->euid == 0;
}
/* For file permission checks: fsuid 0 overrides. */
static inline bool cred_fs_is_root(const struct cred *c)
{
	return c->fsuid == 0;
}
/* Is @gid the fsgid or one of the supplementary groups of @c? */
bool cred_in_group(const struct cred *c, gid_t gid);

/* ---- resource limits -------------------------------------------------------- */

#define RLIMIT_CPU        0
#define RLIMIT_FSIZE      1
#define RLIMIT_DATA       2
#define RLIMIT_STACK      3
#define RLIMIT_CORE       4
#define RLIMIT_RSS        5
#define RLIMIT_NPROC      6
#define RLIMIT_NOFILE     7
#define RLIMIT_MEMLOCK    8
#define RLIMIT_AS         9
#define RLIMIT_LOCKS      10
#define RLIMIT_SIGPENDING 11
#define RLIMIT_MSGQUEUE   12
#define RLIMIT_NICE       13
#define RLIMIT_RTPRIO     14
#define RLIMIT_RTTIME     15
#define RLIM_NLIMITS      16
#define RLIM_INFINITY     (~0ULL)
/* fs.nr_open: no RLIMIT_NOFILE may exceed it, not even root's (Linux's default). */
#define NR_OPEN_MAX       1048576ULL

struct rlimit64 {
	u64 rlim_cur;
	u64 rlim_max;
};

/* ---- processes -------------------------------------------------------------- */

enum process_state {
	PROCESS_ALIVE,
	PROCESS_ZOMBIE,     /* every task exited; waiting for the parent */
	PROCESS_DEAD,       /* reaped (or autoreaped); about to be freed */
};

#define TASK_COMM_LEN 16

struct process {
	pid_t pid;                      /* [I] = the first task's tid */
	int refcount;                   /* [a] */
	struct spinlock lock;           /* protects [p] */

	/* Family, [T]. */
	struct list_head all_link;      /* in all_processes (kill -1, /proc) */
	struct process *parent;         /* the one that gets SIGCHLD; init for orphans */
	struct list_head children;      /* of its children's sibling links */
	struct list_head sibling;       /* in parent->children */
	struct list_head tasks;         /* its tasks' proc_link, [T] */
	unsigned int nr_tasks;          /* live tasks, [T] */
	pid_t pgid, sid;                /* [T] */
	struct tty *tty;                /* [T] controlling tty (weak, see <keel/tty.h>) */
	int exit_signal;                /* [I] sent to the parent at exit (SIGCHLD) */
	bool execed;                    /* [T] has called exec (setpgid: EACCES) */
	bool child_subreaper;           /* [T] PR_SET_CHILD_SUBREAPER */
	bool dumpable;                  /* [p] PR_SET_DUMPABLE (0 after set-id exec) */
	bool keepcaps;                  /* [p] PR_SET_KEEPCAPS (cleared by exec) */

	/* Exit and stop state, [T]. */
	enum process_state state;
	int exit_status;                /* wait status (W* encoding) once zombie */
	bool group_exiting;             /* exit_group or fatal signal in progress */
	int group_exit_status;
	int stop_report;                /* stop/continue status not yet waited for (0: none) */
	struct task *exec_task;         /* a task in exec waiting for the others to die */
	struct wait_queue_head wait_children;   /* the parent sleeps here in wait4 */

	/* Credentials and limits, [p]. */
	struct cred cred;
	struct rlimit64 rlim[RLIM_NLIMITS];

	/* Shared signal state: see <keel/signal.h>. */
	struct sigpending shared_pending;   /* [sighand->lock] */

	/* Accounting, [p]: CPU time of reaped children, for times/getrusage. */
	u64 children_utime_ns, children_stime_ns;
	u64 utime_ns, stime_ns;         /* of exited tasks of this process */
	u64 start_time_ns;              /* [I] monotonic time of creation */
	unsigned long min_flt;          /* [p] faults of its exited tasks */
	unsigned long maxrss_kib;       /* [p] largest rss seen at an exit or exec */
	unsigned long children_min_flt; /* [p] of reaped children (and theirs) */
	unsigned long children_maxrss_kib; /* [p] largest of reaped children */
	struct itimer_state itimers;    /* setitimer/alarm: <keel/usertime.h> */
	struct ptimer_state ptimers;    /* timer_create: <keel/usertime.h> */

	char comm[TASK_COMM_LEN];       /* [p] exec sets it to the file name */
	char *exe_path;                 /* [p] kmalloc'd path of the executable */
};

/* ---- tasks -------------------------------------------------------------------- */

struct task {
	struct thread *thread;          /* [I] the kernel side: stack, scheduling */
	pid_t tid;                      /* [I] */
	struct process *proc;           /* [I] */
	struct list_head proc_link;     /* in proc->tasks, [T] */

	struct mm *mm;                  /* [t] (exec replaces it) */
	struct files *files;            /* [t] */
	struct fs_ctx *fs;              /* [t] */
	struct sighand *sighand;        /* [t] */

	struct task_signals sig;        /* blocked mask, private pending: <keel/signal.h> */

	int __user *clear_child_tid;    /* [t] CLONE_CHILD_CLEARTID / set_tid_address */
	int __user *set_child_tid;      /* [I] CLONE_CHILD_SETTID: written at first run */
	void __user *robust_list;       /* [t] set_robust_list head (<keel/futex.h>) */
	struct hlist_head pi_states;    /* [futex_pi_lock] PI futex states owned
					   (kernel/ipc/futex_pi.c) */
	bool pi_exit_done;              /* [futex_pi_lock] released them at exit */
	struct completion *vfork_done;  /* [t] the vfork parent waits on it until
					   this task execs or exits */
	bool exiting;                   /* [t] in task_exit */
	int pdeath_signal;              /* [T] PR_SET_PDEATHSIG: sent when the parent dies */
	bool no_new_privs;              /* [t] PR_SET_NO_NEW_PRIVS: sticky, inherited */
	u64 syscalls;                   /* [t] system calls made (for /proc status) */
	struct task_cputime cputime;    /* user/system time: <keel/cputime.h> */
	unsigned long min_flt;          /* [t] page faults resolved (ru_minflt) */
};

/* The running task, or NULL in a kernel thread. */
static __always_inline struct task *current_task(void)
{
	return current->task;
}

static __always_inline struct process *current_process(void)
{
	return current->task->proc;
}

/* The calling task's credentials (process-wide in Keel). */
static __always_inline const struct cred *current_cred(void)
{
	return &current->task->proc->cred;
}

/* Kernel threads act with root credentials (used for boot-time file work). */
extern const struct cred root_cred;

/* The credentials the caller acts with: the task's, or root for a kthread. */
static inline const struct cred *current_cred_or_root(void)
{
	return current->task ? &current->task->proc->cred : &root_cred;
}

/* The calling process's limit @res (soft value). */
u64 task_rlimit(int res);

/* Every process not yet reaped, [T]. */
extern struct list_head all_processes;

/* tasklist_lock: see the legend. Spinlock, IRQ-safe not needed (no IRQ user). */
extern struct spinlock tasklist_lock;

/* ---- pids (kernel/proc/pid.c) ------------------------------------------------ */

#define PID_MAX 32768

/*
 * pid_alloc - reserve a free id for @t (cyclic, like Linux). Return: the id,
 * or -EAGAIN when every id is used.
 */
pid_t pid_alloc(struct task *t);
void pid_free(pid_t pid);
/* The task with tid @tid, or NULL. Context: [T] held. */
struct task *task_by_tid(pid_t tid);
/* The process whose pid is @pid (its leader task may have exited), or NULL. [T] */
struct process *process_by_pid(pid_t pid);
/* The init process (pid 1), or NULL before it exists. */
extern struct process *init_process;

/*
 * process_pgrp_orphaned - is @p's process group orphaned (no member has a
 * parent outside the group but in the same session, init excepted)?
 * Context: process context; takes tasklist_lock.
 */
bool process_pgrp_orphaned(struct process *p);

/* Processes not yet reaped (for sysinfo and /proc). */
unsigned int nr_processes(void);

void process_get(struct process *p);
void process_put(struct process *p);

/* ---- life cycle (kernel/proc/) ------------------------------------------------- */

/*
 * user_init_start - create pid 1 and make it exec @path with @argv and
 * @envp (NULL-terminated kernel arrays). Boot, process context.
 * Return: 0 once the task is started (exec failures are reported by it).
 */
int user_init_start(const char *path, const char *const argv[],
		    const char *const envp[]);

/*
 * task_exit - end the calling task with wait status @status (exit code
 * << 8, or a signal number). The last task of a process makes it a zombie.
 */
__noreturn void task_exit(int status);
/*
 * coredump_write - write the calling process's core file ("core" in its
 * working directory) for fatal signal @sig, if RLIMIT_CORE is not 0 and
 * the process is dumpable. Return: 0 when a dump was written (the wait
 * status then gets the core bit), else -errno. Context: the dying task.
 */
int coredump_write(int sig);
/* exit_group: kill every other task of the process, then task_exit. */
__noreturn void process_exit_group(int status);

/*
 * exit_to_user_mode - the work done on every return to user mode, with
 * interrupts on, until none is left: reschedule when asked, deliver
 * pending signals (which may rewrite @regs), end the task if it was killed.
 * Called by the arch's syscall and interrupt exit paths.
 */
struct user_regs;
void exit_to_user_mode(struct user_regs *regs);

/*
 * task_switch - the address-space and user-state part of a context
 * switch, called by the scheduler between picking @next and switching to
 * it (interrupts off, run-queue lock held).
 */
void task_switch(struct thread *prev, struct thread *next);

#endif /* KEEL_TASK_H */
