/*
 * Kernel threads: creation, exit, join and freeing.
 *
 * A thread's stack comes from kstack_alloc() (a guard page below it, so an
 * overflow is reported as one). A thread never frees its own stack: after
 * its last switch-out the scheduler calls thread_dead() on the next
 * thread, which hands the thread to its joiner or, if detached, frees it.
 *
 * Locking: thread_lock guards the list of all threads and the hand-over
 * fields (detached, exited, joiner) so exit, join and detach agree on who
 * frees. It is taken with no run-queue lock held and takes none itself
 * (the joiner is woken after it is dropped).
 */
#include <keel/err.h>
#include <keel/errno.h>
#include <keel/lockdep.h>
#include <keel/panic.h>
#include <keel/printk.h>
#include <keel/sched.h>
#include <keel/slab.h>
#include <keel/string.h>
#include <keel/vm.h>

static DEFINE_SPINLOCK(thread_lock);
static LIST_HEAD(all_threads);          /* [thread_lock] */
static unsigned int nr_threads;         /* [thread_lock], read [a] */
static u64 next_thread_id = 1;          /* [thread_lock] */

struct thread *kthread_create(int (*fn)(void *arg), void *arg,
			      const char *name)
{
	struct thread *t = kzalloc(sizeof(*t), GFP_KERNEL);
	unsigned long flags;

	if (!t)
		return ERR_PTR(-ENOMEM);
	t->stack = kstack_alloc(KTHREAD_STACK_SIZE);
	if (!t->stack) {
		kfree(t);
		return ERR_PTR(-ENOMEM);
	}
	t->stack_size = KTHREAD_STACK_SIZE;
	strlcpy(t->name, name ? name : "kthread", sizeof(t->name));
	t->fn = fn;
	t->arg = arg;
	t->state = THREAD_NEW;
	t->cpu = cpu_id();
	t->policy = SCHED_NORMAL;
	cpumask_setall(&t->allowed);
	fair_entity_init(&t->se, 0);
	rt_entity_init(&t->rt, RT_POLICY_FIFO, RT_PRIO_MIN);
	t->rt.time_slice = RT_RR_TIMESLICE_NS;
	INIT_LIST_HEAD(&t->rq_link);
	INIT_LIST_HEAD(&t->pi_waiters);
	spin_lock_init(&t->pi_lock);
	timer_init_struct(&t->sleep_timer, NULL);
	/* It first runs in __schedule's place: run-queue lock + one level. */
	t->saved_preempt_count = 2;
	/* The top THREAD_STACK_TOP_RESERVE bytes hold a task's user registers. */
	t->sp = arch_thread_init_stack((char *)t->stack + t->stack_size -
				       THREAD_STACK_TOP_RESERVE,
				       sched_thread_entry, t);

	flags = spin_lock_irqsave(&thread_lock);
	t->id = next_thread_id++;
	list_add_tail(&t->all_link, &all_threads);
	WRITE_ONCE(nr_threads, nr_threads + 1);
	spin_unlock_irqrestore(&thread_lock, flags);
	return t;
}

struct thread *kthread_run(int (*fn)(void *arg), void *arg, const char *name)
{
	struct thread *t = kthread_create(fn, arg, name);

	if (!IS_ERR(t))
		thread_start(t);
	return t;
}

static void thread_free(struct thread *t)
{
	unsigned long flags = spin_lock_irqsave(&thread_lock);

	list_del(&t->all_link);
	WRITE_ONCE(nr_threads, nr_threads - 1);
	spin_unlock_irqrestore(&thread_lock, flags);
	kstack_free(t->stack);
	kfree(t);
}

__noreturn void kthread_exit(int code)
{
	struct thread *t = current;

	KASSERT(!t->is_idle);
	lockdep_thread_exit(t);
	t->exit_code = code;
	preempt_disable();
	/* __schedule() takes a DEAD thread off its queue for good. */
	__atomic_store_n(&t->state, THREAD_DEAD, __ATOMIC_RELEASE);
	schedule_dead();
	panic("thread %s: switched back to after exit", t->name);
}

void thread_dead(struct thread *t)
{
	unsigned long flags = spin_lock_irqsave(&thread_lock);
	struct thread *joiner = t->joiner;
	bool detached = t->detached;

	__atomic_store_n(&t->exited, true, __ATOMIC_RELEASE);
	spin_unlock_irqrestore(&thread_lock, flags);
	if (detached)
		thread_free(t);
	else if (joiner)
		wake_up_thread(joiner);
}

int kthread_join(struct thread *t)
{
	unsigned long flags;
	int code;

	might_sleep();
	KASSERT(t != current && !t->detached);
	for (;;) {
		set_current_state(THREAD_UNINTERRUPTIBLE);
		flags = spin_lock_irqsave(&thread_lock);
		if (t->exited) {
			spin_unlock_irqrestore(&thread_lock, flags);
			break;
		}
		t->joiner = current;
		spin_unlock_irqrestore(&thread_lock, flags);
		schedule();
	}
	__set_current_state(THREAD_RUNNING);
	code = t->exit_code;
	thread_free(t);
	return code;
}

void kthread_detach(struct thread *t)
{
	unsigned long flags = spin_lock_irqsave(&thread_lock);
	bool exited = t->exited;

	t->detached = true;
	spin_unlock_irqrestore(&thread_lock, flags);
	if (exited)
		thread_free(t);
}

void kthread_destroy(struct thread *t)
{
	KASSERT(t->state == THREAD_NEW);
	thread_free(t);
}

unsigned int thread_count(void)
{
	return READ_ONCE(nr_threads);
}
