/*
 * The time system calls: clock_gettime, clock_getres, clock_settime,
 * clock_nanosleep, nanosleep, gettimeofday, settimeofday, time.
 *
 * Clocks (Linux's ids, <uapi/time.h>):
 *	REALTIME, TAI, REALTIME_ALARM    the wall clock (TAI offset 0)
 *	MONOTONIC, MONOTONIC_RAW, BOOTTIME, BOOTTIME_ALARM
 *	                                 clock_monotonic_ns() (no suspend)
 *	*_COARSE                         the same truncated to a 4 ms tick,
 *	                                 Linux's resolution with HZ=250
 *	PROCESS_CPUTIME_ID, THREAD_CPUTIME_ID, and negative ids naming the CPU
 *	clock of another process or thread (~pid << 3 | perthread | which)
 *
 * Sleeps are interruptible. A relative sleep interrupted by a signal
 * writes the time left and returns -ERESTART_RESTARTBLOCK, so a handler
 * sees EINTR (never restarted, even with SA_RESTART: signal(7)) and a
 * stop/continue resumes it through restart_syscall with the same
 * deadline; an absolute one returns -ERESTARTNOHAND.
 */
#include <keel/errno.h>
#include <keel/sched.h>
#include <keel/spinlock.h>
#include <keel/syscall.h>
#include <keel/task.h>
#include <keel/uaccess.h>
#include <keel/usertime.h>
#include <keel/wait.h>

#define COARSE_TICK_NS (4 * NSEC_PER_MSEC)
#define CPU_SLEEP_POLL_NS (4 * NSEC_PER_MSEC)

/* The timezone settimeofday stored (gettimeofday reports it). */
static DEFINE_SPINLOCK(sys_tz_lock);
static struct timezone sys_tz;          /* [sys_tz_lock] */

/* ---- user time values ------------------------------------------------------- */

int timespec_get_ns(const struct timespec __user *uts, u64 *ns)
{
	struct timespec ts;

	if (copy_from_user(&ts, uts, sizeof(ts)))
		return -EFAULT;
	if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= (long)NSEC_PER_SEC)
		return -EINVAL;
	if ((u64)ts.tv_sec >= TIME_NS_MAX / NSEC_PER_SEC)
		*ns = TIME_NS_MAX;
	else
		*ns = (u64)ts.tv_sec * NSEC_PER_SEC + (u64)ts.tv_nsec;
	return 0;
}

int timespec_put_ns(struct timespec __user *uts, u64 ns)
{
	struct timespec ts = timespec_from_ns(ns);

	return copy_to_user(uts, &ts, sizeof(ts)) ? -EFAULT : 0;
}

/* ---- CPU clocks ---------------------------------------------------------------- */

u64 thread_cputime_ns(struct thread *t)
{
	return sched_thread_runtime(t);
}

u64 process_cputime_ns(struct process *p)
{
	struct task *t;
	u64 ns;

	spin_lock(&tasklist_lock);
	spin_lock(&p->lock);
	ns = p->utime_ns + p->stime_ns;
	spin_unlock(&p->lock);
	list_for_each_entry(t, &p->tasks, proc_link)
		ns += sched_thread_runtime(t->thread);
	spin_unlock(&tasklist_lock);
	return ns;
}

/* Decoding of negative (CPU) clock ids: see <uapi/time.h>. */
static pid_t cpuclock_pid(clockid_t id)
{
	/* An arithmetic shift, as Linux's CPUCLOCK_PID: ~pid keeps its sign. */
	return (pid_t)~(id >> 3);
}

static bool cpuclock_perthread(clockid_t id)
{
	return id & CPUCLOCK_PERTHREAD_MASK;
}

/*
 * Read the CPU clock @id (negative). All three kinds (PROF, VIRT, SCHED)
 * read the total CPU time: Keel does not split user and system time.
 * Return: 0 and *@ns, or -EINVAL (no such process/thread, a clock fd).
 */
static int cpuclock_get(clockid_t id, u64 *ns)
{
	pid_t pid = cpuclock_pid(id);
	struct process *p;
	struct task *t;

	if ((id & CPUCLOCK_CLOCK_MASK) == CLOCKFD)
		return -EINVAL;         /* no clock devices */
	if (!pid) {
		*ns = cpuclock_perthread(id) ? thread_cputime_ns(current) :
		      process_cputime_ns(current_process());
		return 0;
	}
	spin_lock(&tasklist_lock);
	if (cpuclock_perthread(id)) {
		t = task_by_tid(pid);
		/* Linux: only threads of the caller's own process. */
		if (!t || t->proc != current_process()) {
			spin_unlock(&tasklist_lock);
			return -EINVAL;
		}
		*ns = thread_cputime_ns(t->thread);
		spin_unlock(&tasklist_lock);
		return 0;
	}
	p = process_by_pid(pid);
	if (!p) {
		spin_unlock(&tasklist_lock);
		return -EINVAL;
	}
	process_get(p);
	spin_unlock(&tasklist_lock);
	*ns = process_cputime_ns(p);
	process_put(p);
	return 0;
}

/* ---- reading clocks ----------------------------------------------------------- */

int clock_read_ns(clockid_t id, u64 *ns)
{
	switch (id) {
	case CLOCK_REALTIME:
	case CLOCK_TAI:
	case CLOCK_REALTIME_ALARM:
		*ns = clock_realtime_ns();
		return 0;
	case CLOCK_MONOTONIC:
	case CLOCK_MONOTONIC_RAW:
	case CLOCK_BOOTTIME:
	case CLOCK_BOOTTIME_ALARM:
		*ns = clock_monotonic_ns();
		return 0;
	case CLOCK_REALTIME_COARSE:
		*ns = clock_realtime_ns() / COARSE_TICK_NS * COARSE_TICK_NS;
		return 0;
	case CLOCK_MONOTONIC_COARSE:
		*ns = clock_monotonic_ns() / COARSE_TICK_NS * COARSE_TICK_NS;
		return 0;
	case CLOCK_PROCESS_CPUTIME_ID:
		*ns = process_cputime_ns(current_process());
		return 0;
	case CLOCK_THREAD_CPUTIME_ID:
		*ns = thread_cputime_ns(current);
		return 0;
	}
	if (id < 0)
		return cpuclock_get(id, ns);
	return -EINVAL;
}

SYSCALL_DEFINE2(clock_gettime, clockid_t, which, struct timespec __user *, tp)
{
	u64 ns;
	int ret = clock_read_ns(which, &ns);

	return ret ? ret : timespec_put_ns(tp, ns);
}

SYSCALL_DEFINE2(clock_getres, clockid_t, which, struct timespec __user *, tp)
{
	u64 ns;
	int ret = clock_read_ns(which, &ns);    /* validates the id */

	if (ret)
		return ret;
	if (which == CLOCK_REALTIME_COARSE || which == CLOCK_MONOTONIC_COARSE)
		ns = COARSE_TICK_NS;
	else
		ns = 1;
	return tp ? timespec_put_ns(tp, ns) : 0;
}

/* ---- setting the wall clock --------------------------------------------------- */

/*
 * Set the wall clock and/or the timezone, as Linux's do_sys_settimeofday64:
 * the value is checked first (EINVAL), then privilege (EPERM), then that
 * it is not before the monotonic clock (EINVAL).
 */
static int settime(const u64 *ns, const struct timezone *tz)
{
	if (tz && (tz->tz_minuteswest > 15 * 60 || tz->tz_minuteswest < -15 * 60))
		return -EINVAL;
	if (!cred_is_root(current_cred()))
		return -EPERM;
	if (tz) {
		spin_lock(&sys_tz_lock);
		sys_tz = *tz;
		spin_unlock(&sys_tz_lock);
	}
	return ns ? clock_realtime_set(*ns) : 0;
}

SYSCALL_DEFINE2(clock_settime, clockid_t, which,
		const struct timespec __user *, tp)
{
	u64 ns;
	int ret;

	if (which != CLOCK_REALTIME)
		return -EINVAL;         /* the only settable clock */
	ret = timespec_get_ns(tp, &ns);
	if (ret)
		return ret;
	return settime(&ns, NULL);
}

SYSCALL_DEFINE2(settimeofday, const struct timeval __user *, tv,
		const struct timezone __user *, tz)
{
	struct timeval v;
	struct timezone z;
	u64 ns = 0;

	if (tv) {
		if (copy_from_user(&v, tv, sizeof(v)))
			return -EFAULT;
		/* Linux lets 1000000 through here; then it is 1e9 ns: EINVAL. */
		if (v.tv_sec < 0 || v.tv_usec < 0 || v.tv_usec >= 1000000)
			return -EINVAL;
		ns = (u64)v.tv_sec >= TIME_NS_MAX / NSEC_PER_SEC ? TIME_NS_MAX :
		     (u64)v.tv_sec * NSEC_PER_SEC + (u64)v.tv_usec * NSEC_PER_USEC;
	}
	if (tz && copy_from_user(&z, tz, sizeof(z)))
		return -EFAULT;
	return settime(tv ? &ns : NULL, tz ? &z : NULL);
}

SYSCALL_DEFINE2(gettimeofday, struct timeval __user *, tv,
		struct timezone __user *, tz)
{
	struct timeval v;
	struct timezone z;

	if (tv) {
		v = timeval_from_ns(clock_realtime_ns());
		if (copy_to_user(tv, &v, sizeof(v)))
			return -EFAULT;
	}
	if (tz) {
		spin_lock(&sys_tz_lock);
		z = sys_tz;
		spin_unlock(&sys_tz_lock);
		if (copy_to_user(tz, &z, sizeof(z)))
			return -EFAULT;
	}
	return 0;
}

SYSCALL_DEFINE1(time, time_t __user *, tloc)
{
	time_t t = (time_t)(clock_realtime_ns() / NSEC_PER_SEC);

	if (tloc && put_user(t, tloc))
		return -EFAULT;
	return t;
}

/* ---- sleeping ------------------------------------------------------------------ */

/*
 * Sleep until the monotonic @deadline or a signal.
 * Return: 0 (time is up) or -EINTR (a signal is pending).
 */
static int sleep_until(u64 deadline)
{
	int ret = 0;

	might_sleep();
	for (;;) {
		set_current_state(THREAD_INTERRUPTIBLE);
		if (READ_ONCE(current->signal_pending)) {
			ret = -EINTR;
			break;
		}
		if (!wait_sleep_until(deadline))
			break;
	}
	__set_current_state(THREAD_RUNNING);
	return ret;
}

/* The monotonic deadline @ns from now (saturated). */
static u64 deadline_after(u64 ns)
{
	u64 now = clock_monotonic_ns();

	return ns >= WAIT_NO_DEADLINE - 1 - now ? WAIT_NO_DEADLINE - 1 :
	       now + ns;
}

static long nanosleep_restart(struct restart_block *rb);

/*
 * A relative sleep to @deadline that writes what is left to @rem when a
 * signal interrupts it, and arranges restart_syscall to continue it.
 */
static long sleep_relative(u64 deadline, struct timespec __user *rem)
{
	struct restart_block *rb;
	u64 now;

	if (!sleep_until(deadline))
		return 0;
	now = clock_monotonic_ns();
	if (rem && timespec_put_ns(rem, deadline > now ? deadline - now : 0))
		return -EFAULT;
	rb = &current_task()->sig.restart;
	rb->fn = nanosleep_restart;
	rb->arg[0] = deadline;
	rb->arg[1] = (u64)(uptr)rem;
	return -ERESTART_RESTARTBLOCK;
}

static long nanosleep_restart(struct restart_block *rb)
{
	rb->fn = NULL;
	return sleep_relative(rb->arg[0],
			      (struct timespec __user *)(uptr)rb->arg[1]);
}

SYSCALL_DEFINE2(nanosleep, const struct timespec __user *, req,
		struct timespec __user *, rem)
{
	u64 ns;
	int ret = timespec_get_ns(req, &ns);

	if (ret)
		return ret;
	return sleep_relative(deadline_after(ns), rem);
}

/*
 * Sleep until the process's CPU time reaches @target (or for @target
 * more). Keel has no CPU-time timers: poll every few milliseconds.
 */
static long cpu_nanosleep(clockid_t which, int flags, u64 target,
			  struct timespec __user *rem)
{
	u64 now, end;
	int ret;

	ret = clock_read_ns(which, &now);
	if (ret)
		return ret;
	end = (flags & TIMER_ABSTIME) ? target :
	      (target > TIME_NS_MAX - now ? TIME_NS_MAX : now + target);
	while (now < end) {
		u64 step = end - now < CPU_SLEEP_POLL_NS ? end - now :
			   CPU_SLEEP_POLL_NS;

		if (sleep_until(deadline_after(step))) {
			if (flags & TIMER_ABSTIME)
				return -ERESTARTNOHAND;
			if (rem && timespec_put_ns(rem, end - now))
				return -EFAULT;
			return -EINTR;  /* restart: a CPU-clock restart block */
		}
		ret = clock_read_ns(which, &now);
		if (ret)
			return ret;
	}
	return 0;
}

/* Can @which be slept on? Return: 0, -EINVAL, -EOPNOTSUPP, -EPERM. */
static int nanosleep_clock_ok(clockid_t which)
{
	switch (which) {
	case CLOCK_REALTIME:
	case CLOCK_TAI:
	case CLOCK_MONOTONIC:
	case CLOCK_BOOTTIME:
	case CLOCK_PROCESS_CPUTIME_ID:
		return 0;
	case CLOCK_REALTIME_ALARM:
	case CLOCK_BOOTTIME_ALARM:
		return cred_is_root(current_cred()) ? 0 : -EPERM;
	case CLOCK_THREAD_CPUTIME_ID:
	case CLOCK_MONOTONIC_RAW:
	case CLOCK_REALTIME_COARSE:
	case CLOCK_MONOTONIC_COARSE:
		return -EOPNOTSUPP;     /* Linux: no nsleep method */
	}
	if (which < 0 && (which & CPUCLOCK_CLOCK_MASK) != CLOCKFD &&
	    !cpuclock_perthread(which))
		return 0;
	return -EINVAL;
}

SYSCALL_DEFINE4(clock_nanosleep, clockid_t, which, int, flags,
		const struct timespec __user *, req,
		struct timespec __user *, rem)
{
	u64 ns, off;
	int ret = nanosleep_clock_ok(which);

	if (ret)
		return ret;
	ret = timespec_get_ns(req, &ns);
	if (ret)
		return ret;
	if (which == CLOCK_PROCESS_CPUTIME_ID || which < 0)
		return cpu_nanosleep(which, flags, ns, rem);
	if (!(flags & TIMER_ABSTIME))
		return sleep_relative(deadline_after(ns), rem);
	if (which == CLOCK_REALTIME || which == CLOCK_TAI ||
	    which == CLOCK_REALTIME_ALARM) {
		/* The wall clock runs ahead of the monotonic one by off. */
		off = clock_realtime_ns() - clock_monotonic_ns();
		ns = ns > off ? ns - off : 0;
	}
	return sleep_until(ns) ? -ERESTARTNOHAND : 0;
}
