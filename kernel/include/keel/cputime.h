/*
 * User and system CPU time of tasks (Linux's utime and stime).
 *
 * The scheduler measures how long each thread ran (sched_thread_runtime,
 * the CPU clocks). Which part of that was user mode is measured with the
 * cycle counter where a task's mode changes: entry to the kernel from user
 * mode (system call, interrupt, exception), the return to user mode, and
 * a context switch (which always happens in kernel mode). The cycle counts
 * give the proportion and the run time is split by it, as Linux's
 * cputime_adjust splits its sampled ticks, so utime + stime is the CPU
 * clock. Sampling at ticks, Linux's default, would see nothing on Keel: a
 * CPU with one runnable thread takes no tick at all.
 *
 * The hooks run on the task's own CPU with interrupts off; the counters
 * are written only there and read racily (READ_ONCE) by others, which is
 * enough for a proportion.
 */
#ifndef KEEL_CPUTIME_H
#define KEEL_CPUTIME_H

#include <keel/arch.h>
#include <keel/compiler.h>
#include <keel/types.h>

struct task;
struct process;
struct thread;

struct task_cputime {
	u64 mark;               /* [t] arch_cycles() at the last mode change or switch-in */
	u64 user_cyc, sys_cyc;  /* [t] cycles spent in each mode */
	u64 utime, stime;       /* [p] the last split reported: never decreases */
};

static __always_inline u64 cputime_since_mark(struct task_cputime *c)
{
	u64 now = arch_cycles(), d = now - c->mark;

	c->mark = now;
	return (s64)d > 0 ? d : 0;
}

/* The task entered the kernel from user mode. Context: irqs off or on. */
static __always_inline void cputime_from_user(struct task_cputime *c)
{
	WRITE_ONCE(c->user_cyc, c->user_cyc + cputime_since_mark(c));
}

/* The task returns to user mode now. Context: interrupts off. */
static __always_inline void cputime_to_user(struct task_cputime *c)
{
	WRITE_ONCE(c->sys_cyc, c->sys_cyc + cputime_since_mark(c));
}

/* Called by task_switch(): @prev leaves the CPU, @next arrives (irqs off). */
void cputime_switch(struct thread *prev, struct thread *next);

/*
 * task_cputime - @t's CPU time split into user and system time (ns).
 * Context: process context; takes @t's process lock.
 */
void task_cputime(struct task *t, u64 *utime, u64 *stime);

/*
 * process_cputime - the same for all of @p's tasks, live and exited.
 * Context: process context; takes tasklist_lock and @p->lock.
 */
void process_cputime(struct process *p, u64 *utime, u64 *stime);

/*
 * cputime_account_exited - add an exited task's final split to the
 * system-wide totals; cputime_exited_totals - read them (/proc/stat).
 * Context: any.
 */
void cputime_account_exited(u64 utime, u64 stime);
void cputime_exited_totals(u64 *utime, u64 *stime);

/* Split @rtime in the proportion @ucyc : @scyc (exposed for the ktest). */
void cputime_split(u64 rtime, u64 ucyc, u64 scyc, u64 *utime, u64 *stime);

#endif /* KEEL_CPUTIME_H */
