/*
 * Time as user tasks see it: the clocks of clock_gettime(2), CPU-time
 * accounting, and the interval timers of setitimer(2)/alarm(2).
 *
 *	timespec_get_ns, timespec_put_ns    user time values <-> nanoseconds
 *	thread_cputime_ns, process_cputime_ns   CPU clocks
 *	struct itimer_state                 in struct process (<keel/task.h>)
 *	itimer_process_exit                 disarm a dying process's timers
 *
 *	struct ptimer_state, posix_timers_exit   POSIX timers (timer_create)
 *	struct timex                        adjtimex(2)
 *
 * System calls: kernel/sched/time_syscalls.c (clock_*, nanosleep,
 * gettimeofday, settimeofday, time), kernel/sched/itimer.c (getitimer,
 * setitimer, alarm), kernel/sched/posix_timers.c (timer_*) and
 * kernel/sched/adjtimex.c (adjtimex, clock_adjtime).
 */
#ifndef KEEL_USERTIME_H
#define KEEL_USERTIME_H

#include <keel/compiler.h>
#include <keel/list.h>
#include <keel/time.h>
#include <keel/types.h>
#include <keel/workqueue.h>
#include <uapi/time.h>

struct process;
struct thread;

/* The largest time value kept in nanoseconds (about 292 years). */
#define TIME_NS_MAX ((u64)0x7fffffffffffffffULL)

/*
 * timespec_get_ns - read a struct timespec from user space as
 * nanoseconds, saturated at TIME_NS_MAX.
 * Return: 0, -EFAULT, or -EINVAL (tv_sec < 0, tv_nsec outside 0..999999999).
 * Context: process context, may sleep.
 */
int timespec_get_ns(const struct timespec __user *uts, u64 *ns);
/* Write @ns as a struct timespec. Return: 0 or -EFAULT. */
int timespec_put_ns(struct timespec __user *uts, u64 ns);

static inline struct timespec timespec_from_ns(u64 ns)
{
	return (struct timespec){ .tv_sec = (time_t)(ns / NSEC_PER_SEC),
				  .tv_nsec = (long)(ns % NSEC_PER_SEC) };
}

static inline struct timeval timeval_from_ns(u64 ns)
{
	return (struct timeval){
		.tv_sec = (time_t)(ns / NSEC_PER_SEC),
		.tv_usec = (suseconds_t)(ns % NSEC_PER_SEC / NSEC_PER_USEC) };
}

/*
 * thread_cputime_ns - CPU time @t has used, including the time since it
 * last went on CPU if it is running now. Context: any thread context.
 */
u64 thread_cputime_ns(struct thread *t);
/*
 * process_cputime_ns - CPU time used by every task of @p, live and exited.
 * Context: process context; takes tasklist_lock and @p->lock.
 */
u64 process_cputime_ns(struct process *p);

/* ---- interval timers (kernel/sched/itimer.c) ------------------------------ */

#define ITIMER_CPU_NR 2         /* ITIMER_VIRTUAL, ITIMER_PROF */

/*
 * Per-process interval timers. All zero is "nothing armed": the work
 * items are set up on the first setitimer. Each pending work item holds
 * a reference on the process, so a timer never outlives it.
 * Locking: [p] process->lock.
 */
struct itimer_state {
	bool ready;                     /* [p] the work items are set up */
	struct delayed_work real_work;  /* ITIMER_REAL expiry */
	u64 real_expires;               /* [p] monotonic ns; 0: disarmed */
	u64 real_interval;              /* [p] ns; 0: one-shot */
	struct delayed_work cpu_work;   /* polls the process's CPU time */
	u64 cpu_expires[ITIMER_CPU_NR]; /* [p] process CPU ns; 0: disarmed */
	u64 cpu_interval[ITIMER_CPU_NR];/* [p] */
};

/*
 * itimer_process_exit - disarm every interval timer of @p (the last task
 * of @p is exiting; Linux deletes them then).
 * Context: process context, no spinlocks held.
 */
void itimer_process_exit(struct process *p);

/*
 * clock_read_ns - the time of clock @id as clock_gettime(2) reads it, for
 * the calling task (ids 2 and 3 and pid 0 name its own CPU clocks).
 * Return: 0 and *@ns, or -EINVAL (unknown clock, no such process/thread).
 * Context: process context of a task.
 */
int clock_read_ns(clockid_t id, u64 *ns);

/* ---- POSIX timers (kernel/sched/posix_timers.c) ----------------------------- */

/* struct sigevent (x86_64, 64 bytes) and its sigev_notify values. */
#define SIGEV_SIGNAL    0
#define SIGEV_NONE      1
#define SIGEV_THREAD    2
#define SIGEV_THREAD_ID 4

struct sigevent {
	u64 sigev_value;                /* union sigval */
	int sigev_signo;
	int sigev_notify;
	union {
		int _pad[12];
		int _tid;               /* SIGEV_THREAD_ID */
	} _sigev_un;
};

/*
 * The POSIX timers of a process. All zero is "none yet" (the list is set
 * up on the first timer_create); fork starts the child with none.
 * Locking: [p] process->lock.
 */
struct ptimer_state {
	struct list_head list;          /* [p] struct posix_timer.link */
	int next_id;                    /* [p] the next id to try */
	unsigned int count;             /* [p] timers in list */
};

/*
 * The timer_* system calls on kernel copies, for process @p (the calls
 * pass the caller's; a ktest may pass a test process). Clocks and sigevent
 * as timer_create(2); the caller's own thread clock and SIGEV_THREAD_ID
 * name threads of @p. Times are in ns of the timer's clock.
 * posix_timer_create - Return: the new timer's id (a NULL @ev: SIGALRM
 *	with the id as value), -EINVAL, -EOPNOTSUPP, -EPERM, -EAGAIN
 *	(RLIMIT_SIGPENDING or no free id) or -ENOMEM.
 * posix_timer_settime - arm timer @id (@value 0: disarm; TIMER_ABSTIME in
 *	@flags: @value is a time of its clock), the old setting in *@old
 *	(may be NULL). Return: 0 or -EINVAL.
 * posix_timer_gettime - Return: 0 and *@cur, or -EINVAL.
 * posix_timer_getoverrun - Return: the overrun count of the signal
 *	delivered last, or -EINVAL.
 * posix_timer_delete - Return: 0 or -EINVAL.
 * Context: process context, no spinlocks held; may sleep.
 */
int posix_timer_create(struct process *p, clockid_t clk,
		       const struct sigevent *ev);
int posix_timer_settime(struct process *p, int id, int flags, u64 value,
			u64 interval, struct itimerspec *old);
int posix_timer_gettime(struct process *p, int id, struct itimerspec *cur);
int posix_timer_getoverrun(struct process *p, int id);
int posix_timer_delete(struct process *p, int id);

/*
 * posix_timers_exit - delete every POSIX timer of @p: at exec (Linux's
 * exit_itimers in begin_new_exec) and when its last task exits. Signals
 * already queued stay queued.
 * Context: process context, no spinlocks held; may sleep.
 */
void posix_timers_exit(struct process *p);

/* ---- adjtimex (kernel/sched/adjtimex.c) ------------------------------------- */

/* struct timex, x86_64 layout (208 bytes). */
struct timex {
	unsigned int modes;
	int __pad0;
	long offset, freq, maxerror, esterror;
	int status;
	int __pad1;
	long constant, precision, tolerance;
	struct timeval time;
	long tick, ppsfreq, jitter;
	int shift;
	int __pad2;
	long stabil, jitcnt, calcnt, errcnt, stbcnt;
	int tai;
	int __pad3[11];
};

/*
 * do_adjtimex - adjtimex(2) on a kernel copy: validate and apply @tx as
 * the caller may (changes need root; a kernel thread is root), then fill
 * it with the state. Return: the clock state (TIME_OK 0 ... TIME_ERROR 5),
 * -EINVAL or -EPERM. Context: process context.
 */
int do_adjtimex(struct timex *tx);

#endif /* KEEL_USERTIME_H */
