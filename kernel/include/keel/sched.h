/*
 * Threads and the scheduler.
 *
 * A thread is a kernel stack with a saved context, a scheduling policy and
 * a CPU affinity mask. Every CPU has a run queue (kernel/sched/core.c)
 * holding its runnable threads in three classes, highest first:
 *
 *	real-time	SCHED_FIFO / SCHED_RR, priorities 1..99 (kernel/sched/rt.c)
 *	fair		SCHED_NORMAL, EEVDF with nice -20..19 (kernel/sched/fair.c)
 *	idle		the CPU's idle thread, when nothing else is runnable
 *
 * The scheduler runs on the current CPU when the running thread blocks or
 * yields, and preempts it (kernel preemption, <keel/preempt.h>) when a
 * wake-up or the slice timer says another thread should run. See
 * docs/sched.md for the design and docs/locking.md for the lock order.
 *
 * Kernel threads:
 *
 *	t = kthread_create(fn, arg, "name");	created, not yet running
 *	sched_setscheduler(t, SCHED_FIFO, 50);	optional: policy, nice,
 *	sched_setaffinity(t, &mask);		affinity before it starts
 *	thread_start(t);			now runnable
 *	...
 *	ret = kthread_join(t);			waits, returns fn's value,
 *						frees the thread
 *
 * kthread_run() is create + start. A thread ends by returning from fn or by
 * kthread_exit(). Every created thread must be joined exactly once, or
 * detached with kthread_detach() (then it is freed when it ends).
 *
 * Sleeping (the primitive under wait queues, mutexes and the rest):
 *
 *	set_current_state(THREAD_UNINTERRUPTIBLE);
 *	if (!condition)
 *		schedule();
 *	__set_current_state(THREAD_RUNNING);
 *
 * with the waker making the condition true, then calling wake_up_thread().
 * set_current_state() orders the state store before the condition load, so
 * a wake-up between them is not lost: it just makes schedule() return.
 *
 * Locking legend for struct thread:
 *	[rq]	the lock of the run queue of t->cpu (task_rq_lock in core.c)
 *	[t]	only the thread itself
 *	[I]	set before the thread starts, read-only after
 *	[pi]	t->pi_lock
 *	[a]	single-copy atomic accesses
 */
#ifndef KEEL_SCHED_H
#define KEEL_SCHED_H

#include <keel/bitmap.h>
#include <keel/compiler.h>
#include <keel/cpu.h>
#include <keel/list.h>
#include <keel/preempt.h>
#include <keel/spinlock.h>
#include <keel/time.h>
#include <keel/types.h>

#include <keel/sched/fair.h>
#include <keel/sched/rt.h>

/* Linux's scheduling policies (sched_setscheduler(2) numbers). */
#define SCHED_NORMAL 0
#define SCHED_FIFO   1
#define SCHED_RR     2

/* Thread states (bit values; THREAD_RUNNING means runnable or running). */
#define THREAD_RUNNING         0x0
#define THREAD_INTERRUPTIBLE   0x1
#define THREAD_UNINTERRUPTIBLE 0x2
#define THREAD_DEAD            0x10
#define THREAD_NEW             0x20   /* created, thread_start() not called */

#define THREAD_NAME_LEN     16
#define KTHREAD_STACK_SIZE  (16 * 1024)
/*
 * Bytes at the top of every thread's stack kept free for the user register
 * record of a task (arch_user_regs(), <keel/arch.h>): entries from user
 * mode build it there, so kernel code of the task runs below it.
 */
#define THREAD_STACK_TOP_RESERVE 256

/* A set of CPUs (NR_CPUS bits). */
struct cpumask {
	DECLARE_BITMAP(bits, NR_CPUS);
};

static inline void cpumask_clear(struct cpumask *m)
{
	bitmap_zero(m->bits, NR_CPUS);
}

static inline void cpumask_set_cpu(unsigned int cpu, struct cpumask *m)
{
	__set_bit(cpu, m->bits);
}

static inline bool cpumask_test_cpu(unsigned int cpu, const struct cpumask *m)
{
	return cpu < NR_CPUS && test_bit(cpu, m->bits);
}

static inline void cpumask_setall(struct cpumask *m)
{
	bitmap_fill(m->bits, NR_CPUS);
}

/* Per-thread lock-checker state for sleeping locks (kernel/locking). */
#define LOCKDEP_THREAD_HELD_MAX 16
struct lockdep_held_sleep {
	const void *lock;           /* the lock object */
	const void *class_key;      /* its class */
	unsigned long ip;           /* where it was taken */
};

struct rt_mutex;
struct rt_mutex_waiter;
struct task;

struct thread {
	/* Arch context: the stack pointer saved by arch_context_switch. */
	unsigned long sp;               /* [rq] valid while not running */
	int saved_preempt_count;        /* [rq] the CPU's count at switch-out */

	long state;                     /* [a] THREAD_*; see set_current_state */
	unsigned int cpu;               /* [rq] the run queue it is on/last ran */
	bool on_rq;                     /* [rq] queued (running counts) */
	bool on_cpu;                    /* [rq] its context is live on t->cpu
					   (running or being switched out) */
	struct list_head rq_link;       /* [rq] on its run queue's list */
	bool migrate_pending;           /* [rq] in transit to an allowed CPU
					   (core.c: migrate_in_transit) */
	bool is_idle;                   /* [I] a CPU's idle thread */

	/* Scheduling. */
	int policy;                     /* [rq] SCHED_* asked for */
	int rt_priority;                /* [rq] 1..99 for FIFO/RR, else 0 */
	int boost_prio;                 /* [rq] PI: RT priority lent, 0 = none */
	int nice;                       /* [rq] -20..19 */
	bool rt_class;                  /* [rq] runs in the RT class now */
	struct sched_entity se;         /* [rq] fair class */
	struct rt_entity rt;            /* [rq] real-time class */
	struct cpumask allowed;         /* [rq] CPUs it may run on */
	u64 exec_start;                 /* [rq] clock when it last went on CPU */
	u64 runtime_ns;                 /* [rq] CPU time consumed */
	u64 nr_switches;                /* [rq] times switched in */
	u64 nr_migrations;              /* [rq] times moved between CPUs */

	/* Life cycle. */
	char name[THREAD_NAME_LEN];     /* [I] */
	u64 id;                         /* [I] unique, from 1 (idle threads: 0) */
	void *stack;                    /* [I] kstack_alloc() base, or NULL */
	u64 stack_size;                 /* [I] */
	int (*fn)(void *arg);           /* [I] */
	void *arg;                      /* [I] */
	int exit_code;                  /* [t] valid once DEAD */
	bool detached;                  /* [a] freed by the scheduler at exit */
	bool exited;                    /* [a] switched out for the last time */
	struct thread *joiner;          /* [a] waiting in kthread_join */
	struct list_head all_link;      /* [all_threads_lock] */

	/* Sleeping. */
	struct timer sleep_timer;       /* [t] schedule_timeout() */
	bool signal_pending;            /* [a] ends interruptible sleeps */

	/* Priority inheritance (kernel/locking/rtmutex.c). */
	struct spinlock pi_lock;
	struct list_head pi_waiters;    /* [pi] top waiters of mutexes we hold */
	struct rt_mutex_waiter *pi_blocked_on; /* [pi] the waiter we are */

	/* User mode (<keel/task.h>): NULL for kernel threads. [I] */
	struct task *task;
	/* Arch per-thread user state (x86: FPU/XSAVE area, FS/GS base). [t] */
	void *arch_user;

	/* Sleeping-lock checker (kernel/locking), [t]. */
	struct lockdep_held_sleep held_sleep[LOCKDEP_THREAD_HELD_MAX];
	unsigned int held_sleep_depth;
};

/* The running thread. Context: any (an interrupt sees what it interrupted). */
static __always_inline struct thread *current_thread(void)
{
	return (struct thread *)arch_current();
}
#define current current_thread()

/*
 * set_current_state - mark the running thread as about to sleep (or
 * running again), with a full barrier so the caller's following load of its
 * wake-up condition cannot be reordered before the store.
 */
static __always_inline void set_current_state(long state)
{
	__atomic_store_n(&current->state, state, __ATOMIC_SEQ_CST);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
}

/* The same without the barrier (going back to running). */
static __always_inline void __set_current_state(long state)
{
	WRITE_ONCE(current->state, state);
}

/* ---- the scheduler (kernel/sched/core.c) -------------------------------- */

/*
 * sched_init - make the boot context CPU0's idle thread and set up the run
 * queues. Boot, one CPU, before any other scheduler call; after time_init.
 */
void sched_init(void);
/* The arch calls this on an AP before it takes interrupts. */
void sched_init_ap(unsigned int cpu);
/*
 * sched_idle_loop - the running CPU's idle thread from here on: halt until
 * there is work, run it. Interrupts may be off on entry. Never returns.
 */
__noreturn void sched_idle_loop(void);

/*
 * schedule - give up the CPU: the running thread leaves the run queue if
 * its state is not THREAD_RUNNING, and the best runnable thread runs.
 * Context: process context, preemption enabled (count 0), no spinlocks.
 */
void schedule(void);
/* Let threads of the same class and priority (or fair peers) run. */
void yield(void);
/* Reschedule if one is due; a preemption point for long loops. */
void cond_resched(void);

/*
 * wake_up_thread - make @t runnable if it sleeps in one of @states
 * (THREAD_INTERRUPTIBLE | THREAD_UNINTERRUPTIBLE for wake_up_thread()).
 * Return: true if it was sleeping and is now runnable.
 * Context: any, interrupt handlers included.
 */
bool wake_up_state(struct thread *t, long states);
static inline bool wake_up_thread(struct thread *t)
{
	return wake_up_state(t, THREAD_INTERRUPTIBLE | THREAD_UNINTERRUPTIBLE);
}

/*
 * schedule_timeout - sleep in the state the caller set until woken or
 * until @ns have passed (SCHEDULE_TIMEOUT_MAX: no timeout).
 * Return: nanoseconds left (0 when the time ran out).
 */
#define SCHEDULE_TIMEOUT_MAX (~0ULL)
u64 schedule_timeout(u64 ns);
/* Sleep for at least @ns, uninterruptibly. */
void sleep_ns(u64 ns);

/*
 * sched_setscheduler - set @t's policy (SCHED_NORMAL with @prio 0,
 * SCHED_FIFO or SCHED_RR with 1..99). Return: 0 or -EINVAL.
 */
int sched_setscheduler(struct thread *t, int policy, int prio);
/* Set @t's nice value (clamped to -20..19). */
void sched_set_nice(struct thread *t, int nice);
/*
 * sched_setaffinity - restrict @t to @mask. A running thread moves to an
 * allowed CPU at its next switch-out (at once when @t is the caller).
 * Return: 0, or -EINVAL when @mask has no online CPU.
 */
int sched_setaffinity(struct thread *t, const struct cpumask *mask);

/*
 * sched_pi_setprio - priority inheritance: run @t in the RT class at least
 * at RT priority @prio (1..99), or at its own priority again (@prio 0).
 * Called by rt_mutex with t->pi_lock held.
 */
void sched_pi_setprio(struct thread *t, int prio);
/* @t's effective RT priority (0 for a fair thread that is not boosted). */
int sched_effective_prio(const struct thread *t);

/* The run-queue length of @cpu (running thread included, idle excluded). */
unsigned int sched_nr_running(unsigned int cpu);
/* Context switches on @cpu since boot. */
u64 sched_nr_switches(unsigned int cpu);
/*
 * sched_thread_runtime - @t's CPU time, including the part of its current
 * run not yet charged. Context: any thread context (takes its rq lock).
 */
u64 sched_thread_runtime(struct thread *t);

/* Set need_resched on @cpu (an IPI when it is another CPU). */
void resched_cpu(unsigned int cpu);
/* The reschedule IPI's handler (kernel/smp). */
void sched_resched_ipi(void);
/*
 * Called by the arch on the way out of an interrupt to preemptible code
 * (count 0, interrupts were on), with interrupts off.
 */
void preempt_schedule_irq(void);

/* ---- kernel threads (kernel/sched/thread.c) ----------------------------- */

/*
 * kthread_create - a new kernel thread that will run @fn(@arg), SCHED_NORMAL
 * nice 0, any CPU, not yet started. @name is copied (truncated to 15).
 * Return: the thread, or an ERR_PTR (-ENOMEM).
 */
struct thread *kthread_create(int (*fn)(void *arg), void *arg,
			      const char *name);
/* Make a created thread runnable. */
void thread_start(struct thread *t);
/* kthread_create() + thread_start(). */
struct thread *kthread_run(int (*fn)(void *arg), void *arg, const char *name);
/*
 * kthread_join - wait for @t to end and free it. Return: its exit code.
 * Context: process context; not for detached threads or itself.
 */
int kthread_join(struct thread *t);
/* Let @t be freed when it ends; no join. */
void kthread_detach(struct thread *t);
/* Free a thread that was created but never started (an aborted fork). */
void kthread_destroy(struct thread *t);
/* End the calling thread with @code. */
__noreturn void kthread_exit(int code);

/* Generic thread entry, called on a new thread's stack (arch trampoline). */
void sched_thread_entry(void *t);
/* kthread_exit's last switch, with preemption disabled once. */
__noreturn void schedule_dead(void);
/* Called by the scheduler after the last switch away from a dead thread. */
void thread_dead(struct thread *t);

/* Threads alive (created and not yet freed), for tests and reports. */
unsigned int thread_count(void);

/* ---- checks for sleeping code ------------------------------------------- */

/*
 * might_sleep - report (lockdep) when called where sleeping is forbidden:
 * preemption or interrupts off, or in an interrupt handler.
 */
#define might_sleep() __might_sleep(__FILE__, __LINE__)
void __might_sleep(const char *file, int line);

#endif /* KEEL_SCHED_H */
