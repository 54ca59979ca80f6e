/*
 * User and system CPU time: the split of each task's run time by the
 * cycles it spent in each mode. See <keel/cputime.h> for the design.
 *
 * Reported values never go down. The proportion of a growing total may
 * shift towards one side (a task that computed, then made system calls),
 * so each task keeps the pair it last reported, and a new split moves
 * each side only forward, the rest going to the other (the rule of
 * Linux's cputime_adjust). Exited tasks' final pairs are added into their
 * process (task_exit).
 */
#include <keel/cputime.h>
#include <keel/sched.h>
#include <keel/spinlock.h>
#include <keel/task.h>

void cputime_switch(struct thread *prev, struct thread *next)
{
	if (prev->task)
		cputime_to_user(&prev->task->cputime);  /* its kernel time */
	if (next->task)
		next->task->cputime.mark = arch_cycles();
}

void cputime_split(u64 rtime, u64 ucyc, u64 scyc, u64 *utime, u64 *stime)
{
	u64 total;

	if (!scyc || !rtime) {
		*utime = rtime;
		*stime = 0;
		return;
	}
	if (!ucyc) {
		*utime = 0;
		*stime = rtime;
		return;
	}
	/* Scale the counts below 2^32 so r * scyc below cannot overflow. */
	while ((ucyc + scyc) >> 32) {
		ucyc >>= 1;
		scyc >>= 1;
	}
	total = ucyc + scyc;
	if (!total) {
		*utime = rtime;
		*stime = 0;
		return;
	}
	*stime = rtime / total * scyc + rtime % total * scyc / total;
	*utime = rtime - *stime;
}

/* Split @rtime for @t and advance its reported pair. [p] held. */
static void cputime_adjust(struct task *t, u64 rtime, u64 *utime, u64 *stime)
{
	struct task_cputime *c = &t->cputime;
	u64 ut, st;

	cputime_split(rtime, READ_ONCE(c->user_cyc), READ_ONCE(c->sys_cyc),
		      &ut, &st);
	if (rtime < c->utime + c->stime) {
		/* Runtime is read before the lock: another reader may be ahead. */
		*utime = c->utime;
		*stime = c->stime;
		return;
	}
	if (st < c->stime)
		st = c->stime;
	ut = rtime - st;
	if (ut < c->utime) {
		ut = c->utime;
		st = rtime - ut;
	}
	c->utime = ut;
	c->stime = st;
	*utime = ut;
	*stime = st;
}

void task_cputime(struct task *t, u64 *utime, u64 *stime)
{
	struct process *p = t->proc;
	u64 rtime = sched_thread_runtime(t->thread);

	spin_lock(&p->lock);
	cputime_adjust(t, rtime, utime, stime);
	spin_unlock(&p->lock);
}

void process_cputime(struct process *p, u64 *utime, u64 *stime)
{
	struct task *t;
	u64 ut, st;

	spin_lock(&tasklist_lock);
	spin_lock(&p->lock);
	*utime = p->utime_ns;
	*stime = p->stime_ns;
	spin_unlock(&p->lock);
	list_for_each_entry(t, &p->tasks, proc_link) {
		task_cputime(t, &ut, &st);
		*utime += ut;
		*stime += st;
	}
	spin_unlock(&tasklist_lock);
}

/* CPU time of every task that has exited, for /proc/stat. [atomic] */
static u64 exited_utime, exited_stime;

void cputime_account_exited(u64 utime, u64 stime)
{
	__atomic_fetch_add(&exited_utime, utime, __ATOMIC_RELAXED);
	__atomic_fetch_add(&exited_stime, stime, __ATOMIC_RELAXED);
}

void cputime_exited_totals(u64 *utime, u64 *stime)
{
	*utime = __atomic_load_n(&exited_utime, __ATOMIC_RELAXED);
	*stime = __atomic_load_n(&exited_stime, __ATOMIC_RELAXED);
}
