/*
 * Interval timers: setitimer(2), getitimer(2), alarm(2).
 *
 * ITIMER_REAL counts wall time: a delayed work item (its timer fires in
 * interrupt context, the work runs in process context, where signals can
 * be sent) sends SIGALRM to the process at the expiry and re-arms itself
 * for a periodic timer. ITIMER_VIRTUAL counts the process's user time,
 * ITIMER_PROF its user and system time (<keel/cputime.h>); Keel has no
 * per-tick accounting hook, so a second work item polls those clocks every
 * few milliseconds while one of them is armed and sends SIGVTALRM/SIGPROF
 * when they pass the expiry.
 *
 * State is in struct itimer_state (<keel/usertime.h>) in struct process,
 * under process->lock. Life time: every pending work item holds one
 * reference on the process (taken by whoever made it pending, dropped by
 * the work function unless it re-queues itself, or by whoever cancels
 * it), so a process is never freed under a timer. A work function that
 * finds nothing armed (disarmed meanwhile) or the process no longer alive
 * just drops its reference. Interval timers are not inherited by fork
 * (the child's struct process starts zeroed).
 */
#include <keel/errno.h>
#include <keel/signal.h>
#include <keel/spinlock.h>
#include <keel/syscall.h>
#include <keel/task.h>
#include <keel/uaccess.h>
#include <keel/usertime.h>
#include <keel/workqueue.h>

#define ITIMER_CPU_POLL_NS (4 * NSEC_PER_MSEC)

static const int itimer_cpu_signal[ITIMER_CPU_NR] = { SIGVTALRM, SIGPROF };

static void itimer_real_fn(struct work_struct *work);
static void itimer_cpu_fn(struct work_struct *work);

/* Set up the work items on first use. Context: p->lock held. */
static void itimer_ready(struct process *p)
{
	struct itimer_state *its = &p->itimers;

	lock_assert_held(&p->lock);
	if (its->ready)
		return;
	INIT_DELAYED_WORK(&its->real_work, itimer_real_fn);
	INIT_DELAYED_WORK(&its->cpu_work, itimer_cpu_fn);
	its->ready = true;
}

/* (Re)arm @dw for @delay with a reference of its own on @p. */
static void itimer_queue(struct process *p, struct delayed_work *dw,
			 u64 delay, bool modify)
{
	bool was_pending;

	process_get(p);
	if (modify)
		was_pending = mod_delayed_work(system_wq, dw, delay);
	else
		was_pending = !queue_delayed_work(system_wq, dw, delay);
	if (was_pending)
		process_put(p);         /* the pending one has its own */
}

/* Disarm @dw; the reference of a pending one goes with it. */
static void itimer_cancel(struct process *p, struct delayed_work *dw)
{
	if (cancel_delayed_work(dw))
		process_put(p);
}

/* The next expiry after @now of a timer that expired at @exp. */
static u64 itimer_next(u64 exp, u64 interval, u64 now)
{
	if (exp + interval > now)
		return exp + interval;
	return now + interval - (now - exp) % interval;
}

static bool process_alive(struct process *p)
{
	return READ_ONCE(p->state) == PROCESS_ALIVE;
}

static void itimer_real_fn(struct work_struct *work)
{
	struct delayed_work *dw = to_delayed_work(work);
	struct process *p = container_of(dw, struct process,
					 itimers.real_work);
	struct itimer_state *its = &p->itimers;
	u64 now = clock_monotonic_ns(), exp, next = 0;
	bool fire = false;

	spin_lock(&p->lock);
	exp = its->real_expires;
	if (exp && exp > now) {
		next = exp;             /* re-armed later meanwhile */
	} else if (exp) {
		fire = true;
		if (its->real_interval)
			next = itimer_next(exp, its->real_interval, now);
		its->real_expires = next;
	}
	if (!process_alive(p))
		its->real_expires = next = 0;
	spin_unlock(&p->lock);

	if (fire && process_alive(p))
		send_sig_process(SIGALRM, p);
	if (next)
		itimer_queue(p, dw, next > now ? next - now : 0, false);
	process_put(p);                 /* this execution's reference */
}

/*
 * The clocks of the CPU timers: ITIMER_VIRTUAL counts the process's user
 * time, ITIMER_PROF its user and system time (setitimer(2)).
 */
static void itimer_cpu_clocks(struct process *p, u64 now[ITIMER_CPU_NR])
{
	u64 ut, st;

	process_cputime(p, &ut, &st);
	now[ITIMER_VIRTUAL - 1] = ut;
	now[ITIMER_PROF - 1] = ut + st;
}

static u64 itimer_cpu_clock(struct process *p, int which)
{
	u64 now[ITIMER_CPU_NR];

	itimer_cpu_clocks(p, now);
	return now[which - 1];
}

static void itimer_cpu_fn(struct work_struct *work)
{
	struct delayed_work *dw = to_delayed_work(work);
	struct process *p = container_of(dw, struct process, itimers.cpu_work);
	struct itimer_state *its = &p->itimers;
	bool fire[ITIMER_CPU_NR] = { false }, armed = false;
	u64 now[ITIMER_CPU_NR], delay = ITIMER_CPU_POLL_NS;
	int i;

	itimer_cpu_clocks(p, now);
	spin_lock(&p->lock);
	for (i = 0; i < ITIMER_CPU_NR; i++) {
		u64 exp = its->cpu_expires[i], cpu = now[i];

		if (!exp)
			continue;
		if (cpu >= exp) {
			fire[i] = true;
			exp = its->cpu_interval[i] ?
			      itimer_next(exp, its->cpu_interval[i], cpu) : 0;
			its->cpu_expires[i] = exp;
		}
		if (exp && exp - cpu < delay)
			delay = exp - cpu;
		armed |= exp != 0;
	}
	if (!process_alive(p))
		armed = false;
	spin_unlock(&p->lock);

	for (i = 0; i < ITIMER_CPU_NR; i++)
		if (fire[i] && process_alive(p))
			send_sig_process(itimer_cpu_signal[i], p);
	if (armed)
		itimer_queue(p, dw, delay, false);
	process_put(p);
}

/* ---- the calls --------------------------------------------------------------- */

static int timeval_get_ns(const struct timeval *tv, u64 *ns)
{
	if (tv->tv_sec < 0 || tv->tv_usec < 0 || tv->tv_usec >= 1000000)
		return -EINVAL;
	if ((u64)tv->tv_sec >= TIME_NS_MAX / NSEC_PER_SEC)
		*ns = TIME_NS_MAX;
	else
		*ns = (u64)tv->tv_sec * NSEC_PER_SEC +
		      (u64)tv->tv_usec * NSEC_PER_USEC;
	return 0;
}

/* What is left of an expiry @exp on a clock reading @now, as Linux shows it. */
static struct timeval itimer_left(u64 exp, u64 now)
{
	u64 left;

	if (!exp)
		return (struct timeval){ 0, 0 };
	left = exp > now ? exp - now : 0;
	/* Round up: an armed timer never reads as 0 (disarmed). */
	left = (left + NSEC_PER_USEC - 1) / NSEC_PER_USEC * NSEC_PER_USEC;
	return timeval_from_ns(left ? left : NSEC_PER_USEC);
}

/*
 * Replace timer @which of @p by @value/@interval (ns; @value 0 disarms),
 * storing the old setting in @old (may be NULL). Return: 0 or -EINVAL.
 */
static int itimer_set(struct process *p, int which, u64 value, u64 interval,
		      struct itimerval *old)
{
	struct itimer_state *its = &p->itimers;
	u64 now, *exp, *ival;
	struct delayed_work *dw;

	if (which == ITIMER_REAL) {
		now = clock_monotonic_ns();
		dw = &its->real_work;
	} else if (which == ITIMER_VIRTUAL || which == ITIMER_PROF) {
		now = itimer_cpu_clock(p, which);
		dw = &its->cpu_work;
	} else {
		return -EINVAL;
	}
	spin_lock(&p->lock);
	itimer_ready(p);
	exp = which == ITIMER_REAL ? &its->real_expires :
	      &its->cpu_expires[which - 1];
	ival = which == ITIMER_REAL ? &its->real_interval :
	       &its->cpu_interval[which - 1];
	if (old) {
		old->it_value = itimer_left(*exp, now);
		old->it_interval = timeval_from_ns(*ival);
	}
	*exp = value ? (value > TIME_NS_MAX - now ? TIME_NS_MAX : now + value)
		     : 0;
	*ival = value ? interval : 0;
	spin_unlock(&p->lock);

	if (which == ITIMER_REAL && value)
		itimer_queue(p, dw, value, true);
	else if (which == ITIMER_REAL)
		itimer_cancel(p, dw);
	else if (value)     /* a poll notices a disarmed CPU timer itself */
		itimer_queue(p, dw, value < ITIMER_CPU_POLL_NS ? value :
				    ITIMER_CPU_POLL_NS, true);
	return 0;
}

static int itimer_get(struct process *p, int which, struct itimerval *cur)
{
	struct itimer_state *its = &p->itimers;
	u64 now;

	if (which == ITIMER_REAL)
		now = clock_monotonic_ns();
	else if (which == ITIMER_VIRTUAL || which == ITIMER_PROF)
		now = itimer_cpu_clock(p, which);
	else
		return -EINVAL;
	spin_lock(&p->lock);
	if (which == ITIMER_REAL) {
		cur->it_value = itimer_left(its->real_expires, now);
		cur->it_interval = timeval_from_ns(its->real_interval);
	} else {
		cur->it_value = itimer_left(its->cpu_expires[which - 1], now);
		cur->it_interval = timeval_from_ns(its->cpu_interval[which - 1]);
	}
	spin_unlock(&p->lock);
	return 0;
}

void itimer_process_exit(struct process *p)
{
	struct itimer_state *its = &p->itimers;
	bool ready;

	spin_lock(&p->lock);
	ready = its->ready;
	its->real_expires = 0;
	its->cpu_expires[0] = its->cpu_expires[1] = 0;
	spin_unlock(&p->lock);
	if (ready) {
		itimer_cancel(p, &its->real_work);
		itimer_cancel(p, &its->cpu_work);
	}
}

SYSCALL_DEFINE2(getitimer, int, which, struct itimerval __user *, curr)
{
	struct itimerval cur;
	int ret = itimer_get(current_process(), which, &cur);

	if (ret)
		return ret;
	return copy_to_user(curr, &cur, sizeof(cur)) ? -EFAULT : 0;
}

SYSCALL_DEFINE3(setitimer, int, which, const struct itimerval __user *, nv,
		struct itimerval __user *, ov)
{
	struct itimerval new = { 0 }, old;
	u64 value, interval;
	int ret;

	/* setitimer(2): Linux takes a NULL new value as all zeros. */
	if (nv && copy_from_user(&new, nv, sizeof(new)))
		return -EFAULT;
	ret = timeval_get_ns(&new.it_value, &value);
	if (!ret)
		ret = timeval_get_ns(&new.it_interval, &interval);
	if (ret)
		return ret;
	ret = itimer_set(current_process(), which, value, interval,
			 ov ? &old : NULL);
	if (ret)
		return ret;
	if (ov && copy_to_user(ov, &old, sizeof(old)))
		return -EFAULT;
	return 0;
}

SYSCALL_DEFINE1(alarm, unsigned int, seconds)
{
	struct itimerval old;
	long left;

	itimer_set(current_process(), ITIMER_REAL,
		   (u64)seconds * NSEC_PER_SEC, 0, &old);
	/* Linux rounds to the nearest second, and never reports 0 if armed. */
	left = old.it_value.tv_sec;
	if (old.it_value.tv_usec >= 500000 || (!left && old.it_value.tv_usec))
		left++;
	return left;
}
