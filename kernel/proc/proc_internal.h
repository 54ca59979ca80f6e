/*
 * Internal interfaces between the files of kernel/proc/ (processes, fork,
 * exec, exit, wait). Everything else uses <keel/task.h>.
 */
#ifndef KEEL_PROC_INTERNAL_H
#define KEEL_PROC_INTERNAL_H

#include <keel/task.h>

/* pid.c, all [T]: */
void pid_retarget(pid_t pid, struct task *t);
void pid_set_process(pid_t pid, struct process *p);

/* What clone(), clone3(), fork() and vfork() ask of kernel_clone(). */
struct kernel_clone_args {
	u64 flags;              /* CLONE_* without the exit signal */
	int exit_signal;        /* for a new process; 0 with CLONE_THREAD */
	unsigned long stack;    /* the child's stack pointer, or 0: the caller's */
	unsigned long parent_tid, child_tid, tls;
};

/* fork.c */
long kernel_clone(const struct kernel_clone_args *a);
/* A task with its kernel thread, not linked anywhere, not started. */
struct task *task_new(const char *name);
void task_destroy_unstarted(struct task *t);
/* A zeroed process with its lists and locks set up, refcount 1. */
struct process *process_new(void);

/* exit.c */
/* Wake the vfork parent of the calling task, if any (exec and exit). */
void vfork_release(struct task *t);
/* Take zombie @c out of its parent's children and the tables. [T] */
void process_unhash(struct process *c);

/* wait.c: write a struct rusage with these CPU times to user @ru. */
long rusage_fill_user(void __user *ru, u64 utime_ns, u64 stime_ns,
		      unsigned long min_flt, unsigned long maxrss_kib);

#endif /* KEEL_PROC_INTERNAL_H */
