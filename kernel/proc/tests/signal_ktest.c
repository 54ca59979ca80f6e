/*
 * ktest suite "signal": the pure parts of kernel/proc/signal*.c (next
 * signal choice, mask rules, default actions, the restart table) and the
 * pending-set machinery on a stand-alone fake process: queueing and
 * merging, real-time order and values, private before shared, ignored and
 * blocked signals, job-control discards, SIGKILL while stopped,
 * signal_pending, SIGCHLD to a parent (SA_NOCLDSTOP, SIG_IGN,
 * SA_NOCLDWAIT) and sigaltstack's rules.
 *
 * The fake tasks sit on kernel threads that are created but never started,
 * so waking them does nothing; they are never current, except around the
 * sigaltstack checks, which run with preemption off.
 */
#include <keel/err.h>
#include <keel/errno.h>
#include <keel/ktest.h>
#include <keel/slab.h>
#include <keel/string.h>

#include "../signal_internal.h"

static void test_next_signal(struct ktest *t)
{
	KTEST_EXPECT_EQ(t, sigset_next(0), 0);
	KTEST_EXPECT_EQ(t, sigset_next(sigmask(SIGUSR1)), SIGUSR1);
	KTEST_EXPECT_EQ(t, sigset_next(sigmask(SIGHUP) | sigmask(SIGTERM)),
			SIGHUP);
	/* Synchronous fault signals first. */
	KTEST_EXPECT_EQ(t, sigset_next(sigmask(SIGHUP) | sigmask(SIGSEGV)),
			SIGSEGV);
	KTEST_EXPECT_EQ(t, sigset_next(sigmask(SIGILL) | sigmask(SIGSEGV)),
			SIGILL);
	KTEST_EXPECT_EQ(t, sigset_next(sigmask(64)), 64);
	KTEST_EXPECT_EQ(t, sigset_next(sigmask(40) | sigmask(33)), 33);
}

static void test_procmask(struct ktest *t)
{
	sigset_t out = 0;

	KTEST_EXPECT_EQ(t, sigprocmask_apply(SIG_BLOCK, sigmask(1),
					     sigmask(2), &out), 0);
	KTEST_EXPECT_UEQ(t, out, sigmask(1) | sigmask(2));
	sigprocmask_apply(SIG_UNBLOCK, sigmask(1) | sigmask(2), sigmask(2),
			  &out);
	KTEST_EXPECT_UEQ(t, out, sigmask(1));
	sigprocmask_apply(SIG_SETMASK, sigmask(1), ~0ULL, &out);
	KTEST_EXPECT_UEQ(t, out, ~SIG_UNBLOCKABLE);
	KTEST_EXPECT_FALSE(t, out & sigmask(SIGKILL));
	KTEST_EXPECT_FALSE(t, out & sigmask(SIGSTOP));
	KTEST_EXPECT_EQ(t, sigprocmask_apply(3, 0, 0, &out), -EINVAL);
	KTEST_EXPECT_EQ(t, sigprocmask_apply(-1, 0, 0, &out), -EINVAL);
}

static void test_default_actions(struct ktest *t)
{
	KTEST_EXPECT_EQ(t, sig_default_action(SIGTERM), SIG_DEF_TERM);
	KTEST_EXPECT_EQ(t, sig_default_action(SIGKILL), SIG_DEF_TERM);
	KTEST_EXPECT_EQ(t, sig_default_action(SIGRTMIN), SIG_DEF_TERM);
	KTEST_EXPECT_EQ(t, sig_default_action(64), SIG_DEF_TERM);
	KTEST_EXPECT_EQ(t, sig_default_action(SIGSEGV), SIG_DEF_CORE);
	KTEST_EXPECT_EQ(t, sig_default_action(SIGQUIT), SIG_DEF_CORE);
	KTEST_EXPECT_EQ(t, sig_default_action(SIGSYS), SIG_DEF_CORE);
	KTEST_EXPECT_EQ(t, sig_default_action(SIGCHLD), SIG_DEF_IGN);
	KTEST_EXPECT_EQ(t, sig_default_action(SIGWINCH), SIG_DEF_IGN);
	KTEST_EXPECT_EQ(t, sig_default_action(SIGCONT), SIG_DEF_CONT);
	KTEST_EXPECT_EQ(t, sig_default_action(SIGTSTP), SIG_DEF_STOP);
	KTEST_EXPECT_EQ(t, sig_default_action(SIGSTOP), SIG_DEF_STOP);
}

static void test_restart_table(struct ktest *t)
{
	KTEST_EXPECT_EQ(t, signal_restart_result(-EINTR, true, 0),
			SIG_RESTART_NONE);
	KTEST_EXPECT_EQ(t, signal_restart_result(5, false, 0),
			SIG_RESTART_NONE);
	KTEST_EXPECT_EQ(t, signal_restart_result(-ERESTARTSYS, true, 0),
			SIG_RESTART_EINTR);
	KTEST_EXPECT_EQ(t, signal_restart_result(-ERESTARTSYS, true,
						 SA_RESTART),
			SIG_RESTART_AGAIN);
	KTEST_EXPECT_EQ(t, signal_restart_result(-ERESTARTSYS, false, 0),
			SIG_RESTART_AGAIN);
	KTEST_EXPECT_EQ(t, signal_restart_result(-ERESTARTNOINTR, true, 0),
			SIG_RESTART_AGAIN);
	KTEST_EXPECT_EQ(t, signal_restart_result(-ERESTARTNOHAND, true,
						 SA_RESTART),
			SIG_RESTART_EINTR);
	KTEST_EXPECT_EQ(t, signal_restart_result(-ERESTARTNOHAND, false, 0),
			SIG_RESTART_AGAIN);
	KTEST_EXPECT_EQ(t, signal_restart_result(-ERESTART_RESTARTBLOCK, true,
						 SA_RESTART),
			SIG_RESTART_EINTR);
	KTEST_EXPECT_EQ(t, signal_restart_result(-ERESTART_RESTARTBLOCK,
						 false, 0),
			SIG_RESTART_BLOCK);
}

/* ---- a fake process with one task ------------------------------------------ */

struct fake {
	struct process proc;
	struct task task;
};

static int idle_fn(void *arg)
{
	return 0;
}

static struct fake *fake_new(void)
{
	struct fake *f = kzalloc(sizeof(*f), GFP_KERNEL);
	struct thread *th;

	if (!f)
		return NULL;
	th = kthread_create(idle_fn, NULL, "sigfake");
	if (IS_ERR(th)) {
		kfree(f);
		return NULL;
	}
	f->task.thread = th;
	f->task.proc = &f->proc;
	f->task.sighand = sighand_create();
	INIT_LIST_HEAD(&f->proc.tasks);
	INIT_LIST_HEAD(&f->proc.children);
	init_waitqueue_head(&f->proc.wait_children);
	signal_process_init(&f->proc);
	signal_task_init(&f->task, NULL, 0);
	list_add_tail(&f->task.proc_link, &f->proc.tasks);
	f->proc.state = PROCESS_ALIVE;
	f->proc.exit_signal = SIGCHLD;
	return f;
}

static void fake_free(struct fake *f)
{
	if (!f)
		return;
	signal_task_exit(&f->task);
	signal_process_free(&f->proc);
	sighand_put(f->task.sighand);
	kthread_destroy(f->task.thread);
	kfree(f);
}

static int send(struct fake *f, int sig, int code, int value, bool shared)
{
	siginfo_t info;
	int ret;

	memset(&info, 0, sizeof(info));
	info.si_signo = sig;
	info.si_code = code;
	info.si_value.sival_int = value;
	spin_lock(&tasklist_lock);
	ret = send_sig_info_locked(&f->task, &info, shared);
	spin_unlock(&tasklist_lock);
	return ret;
}

static int take(struct fake *f, sigset_t allowed, siginfo_t *info)
{
	unsigned long flags = spin_lock_irqsave(&f->task.sighand->lock);
	int sig = dequeue_signal_locked(&f->task, allowed, info);

	signal_recalc(&f->task);
	spin_unlock_irqrestore(&f->task.sighand->lock, flags);
	return sig;
}

static bool pending_flag(struct fake *f)
{
	return READ_ONCE(f->task.thread->signal_pending);
}

static void set_handler(struct fake *f, int sig, unsigned long h,
			unsigned long flags)
{
	sig_action(f->task.sighand, sig)->handler = h;
	sig_action(f->task.sighand, sig)->flags = flags;
}

static void test_queue_merge(struct ktest *t)
{
	struct fake *f = fake_new();
	siginfo_t info;

	KTEST_ASSERT_NOT_NULL(t, f);
	KTEST_EXPECT_FALSE(t, pending_flag(f));
	KTEST_EXPECT_EQ(t, send(f, SIGUSR1, SI_QUEUE, 7, false), 0);
	KTEST_EXPECT_TRUE(t, pending_flag(f));
	KTEST_EXPECT_EQ(t, send(f, SIGUSR1, SI_QUEUE, 8, false), 0);
	KTEST_EXPECT_EQ(t, take(f, ~0ULL, &info), SIGUSR1);
	KTEST_EXPECT_EQ(t, info.si_value.sival_int, 7);
	KTEST_EXPECT_EQ(t, info.si_code, SI_QUEUE);
	/* The second standard instance merged with the first. */
	KTEST_EXPECT_EQ(t, take(f, ~0ULL, &info), 0);
	KTEST_EXPECT_FALSE(t, pending_flag(f));

	for (int i = 1; i <= 3; i++)
		send(f, SIGRTMIN + 1, SI_QUEUE, 100 + i, false);
	for (int i = 1; i <= 3; i++) {
		KTEST_EXPECT_EQ(t, take(f, ~0ULL, &info), SIGRTMIN + 1);
		KTEST_EXPECT_EQ(t, info.si_value.sival_int, 100 + i);
	}
	KTEST_EXPECT_EQ(t, take(f, ~0ULL, &info), 0);
	KTEST_EXPECT_EQ(t, send(f, 65, SI_USER, 0, false), -EINVAL);
	KTEST_EXPECT_EQ(t, send(f, 0, SI_USER, 0, false), -EINVAL);
	fake_free(f);
}

static void test_dequeue_order(struct ktest *t)
{
	struct fake *f = fake_new();
	siginfo_t info;

	KTEST_ASSERT_NOT_NULL(t, f);
	send(f, SIGRTMIN, SI_QUEUE, 0, true);
	send(f, SIGHUP, SI_USER, 0, true);
	send(f, SIGTERM, SI_USER, 0, false);
	send(f, SIGSEGV, SEGV_MAPERR, 0, false);
	/* Private before shared, faults first, then lowest number. */
	KTEST_EXPECT_EQ(t, take(f, ~0ULL, &info), SIGSEGV);
	KTEST_EXPECT_EQ(t, take(f, ~0ULL, &info), SIGTERM);
	KTEST_EXPECT_EQ(t, take(f, ~0ULL, &info), SIGHUP);
	KTEST_EXPECT_EQ(t, take(f, ~0ULL, &info), SIGRTMIN);
	KTEST_EXPECT_EQ(t, take(f, ~0ULL, &info), 0);
	fake_free(f);
}

static void test_blocked_and_ignored(struct ktest *t)
{
	struct fake *f = fake_new();
	siginfo_t info;

	KTEST_ASSERT_NOT_NULL(t, f);
	f->task.sig.blocked = sigmask(SIGUSR2) | sigmask(SIGCHLD);
	send(f, SIGUSR2, SI_USER, 0, false);
	KTEST_EXPECT_FALSE(t, pending_flag(f));
	KTEST_EXPECT_TRUE(t, f->task.sig.pending.signal & sigmask(SIGUSR2));
	KTEST_EXPECT_EQ(t, take(f, ~f->task.sig.blocked, &info), 0);
	/* Default-ignored: dropped unless blocked. */
	send(f, SIGWINCH, SI_USER, 0, false);
	KTEST_EXPECT_FALSE(t, f->task.sig.pending.signal & sigmask(SIGWINCH));
	send(f, SIGCHLD, SI_USER, 0, true);
	KTEST_EXPECT_TRUE(t, f->proc.shared_pending.signal & sigmask(SIGCHLD));
	set_handler(f, SIGUSR1, SIG_IGN, 0);
	send(f, SIGUSR1, SI_USER, 0, false);
	KTEST_EXPECT_FALSE(t, f->task.sig.pending.signal & sigmask(SIGUSR1));
	/* Unblocking makes them count. */
	f->task.sig.blocked = 0;
	signal_recalc(&f->task);
	KTEST_EXPECT_TRUE(t, pending_flag(f));
	sigpending_remove(&f->task.sig.pending, sigmask(SIGUSR2));
	sigpending_remove(&f->proc.shared_pending, sigmask(SIGCHLD));
	signal_recalc(&f->task);
	KTEST_EXPECT_FALSE(t, pending_flag(f));
	fake_free(f);
}

static void test_job_control(struct ktest *t)
{
	struct fake *f = fake_new();
	siginfo_t info;

	KTEST_ASSERT_NOT_NULL(t, f);
	f->task.sig.blocked = ~SIG_UNBLOCKABLE;
	send(f, SIGTSTP, SI_USER, 0, true);
	send(f, SIGTTIN, SI_USER, 0, false);
	send(f, SIGCONT, SI_USER, 0, true);
	KTEST_EXPECT_FALSE(t, (f->proc.shared_pending.signal |
			       f->task.sig.pending.signal) &
			   (sigmask(SIGTSTP) | sigmask(SIGTTIN)));
	KTEST_EXPECT_TRUE(t, f->proc.shared_pending.signal & sigmask(SIGCONT));
	send(f, SIGSTOP, SI_USER, 0, true);
	KTEST_EXPECT_FALSE(t, f->proc.shared_pending.signal & sigmask(SIGCONT));
	take(f, ~0ULL, &info);
	f->task.sig.blocked = 0;

	/* Stopped: only SIGKILL counts as pending. */
	f->task.sig.jobctl = JOBCTL_STOPPED;
	send(f, SIGTERM, SI_USER, 0, true);
	KTEST_EXPECT_FALSE(t, pending_flag(f));
	send(f, SIGKILL, SI_USER, 0, true);
	KTEST_EXPECT_TRUE(t, pending_flag(f));
	KTEST_EXPECT_TRUE(t, f->task.sig.pending.signal & sigmask(SIGKILL));
	take(f, ~0ULL, &info);
	take(f, ~0ULL, &info);
	take(f, ~0ULL, &info);
	/* SIGCONT ends the stop and reports it (no parent here). */
	f->task.sig.jobctl = JOBCTL_STOPPED;
	send(f, SIGCONT, SI_USER, 0, true);
	KTEST_EXPECT_EQ(t, f->task.sig.jobctl, 0);
	KTEST_EXPECT_EQ(t, f->proc.stop_report, 0xffff);
	fake_free(f);
}

static void test_notify_parent(struct ktest *t)
{
	struct fake *parent = fake_new(), *child = fake_new();
	siginfo_t info;
	bool reap;

	KTEST_ASSERT_NOT_NULL(t, parent);
	KTEST_ASSERT_NOT_NULL(t, child);
	child->proc.parent = &parent->proc;
	child->proc.pid = 4242;
	set_handler(parent, SIGCHLD, 0x1000, 0);

	spin_lock(&tasklist_lock);
	reap = signal_notify_parent(&child->proc, CLD_EXITED, 42);
	spin_unlock(&tasklist_lock);
	KTEST_EXPECT_FALSE(t, reap);
	KTEST_EXPECT_EQ(t, take(parent, ~0ULL, &info), SIGCHLD);
	KTEST_EXPECT_EQ(t, info.si_code, CLD_EXITED);
	KTEST_EXPECT_EQ(t, info.si_pid, 4242);
	KTEST_EXPECT_EQ(t, info.si_status, 42);

	set_handler(parent, SIGCHLD, 0x1000, SA_NOCLDSTOP);
	spin_lock(&tasklist_lock);
	signal_notify_parent(&child->proc, CLD_STOPPED, SIGSTOP);
	spin_unlock(&tasklist_lock);
	KTEST_EXPECT_EQ(t, take(parent, ~0ULL, &info), 0);

	set_handler(parent, SIGCHLD, 0x1000, SA_NOCLDWAIT);
	spin_lock(&tasklist_lock);
	reap = signal_notify_parent(&child->proc, CLD_KILLED, SIGTERM);
	spin_unlock(&tasklist_lock);
	KTEST_EXPECT_TRUE(t, reap);
	KTEST_EXPECT_EQ(t, take(parent, ~0ULL, &info), SIGCHLD);
	KTEST_EXPECT_EQ(t, info.si_code, CLD_KILLED);

	set_handler(parent, SIGCHLD, SIG_IGN, 0);
	spin_lock(&tasklist_lock);
	reap = signal_notify_parent(&child->proc, CLD_EXITED, 0);
	spin_unlock(&tasklist_lock);
	KTEST_EXPECT_TRUE(t, reap);
	KTEST_EXPECT_EQ(t, take(parent, ~0ULL, &info), 0);
	fake_free(child);
	fake_free(parent);
}

/* sigaltstack's rules, run as the fake task with preemption off. */
static void test_altstack(struct ktest *t)
{
	struct fake *f = fake_new();
	struct task *saved = current->task;
	struct k_sigaction ka = { .flags = SA_ONSTACK };
	stack_t ss = { .ss_sp = 0x10000, .ss_size = 0x4000 }, old;
	int r_small, r_bad, r_ok, r_perm, r_dis, oflags_on, oflags_off;
	unsigned long fsp;
	bool on;

	KTEST_ASSERT_NOT_NULL(t, f);
	preempt_disable();
	current->task = &f->task;
	ss.ss_size = MINSIGSTKSZ - 1;
	r_small = do_sigaltstack(&ss, NULL, 0x900000);
	ss.ss_size = 0x4000;
	ss.ss_flags = 0x1234;
	r_bad = do_sigaltstack(&ss, NULL, 0x900000);
	ss.ss_flags = 0;
	r_ok = do_sigaltstack(&ss, NULL, 0x900000);
	do_sigaltstack(NULL, &old, 0x10100);
	oflags_on = old.ss_flags;
	r_perm = do_sigaltstack(&ss, NULL, 0x10100);
	do_sigaltstack(NULL, &old, 0x900000);
	oflags_off = old.ss_flags;
	fsp = signal_frame_sp(&ka, 0x900000, &on);
	ss.ss_flags = SS_DISABLE;
	r_dis = do_sigaltstack(&ss, &old, 0x900000);
	current->task = saved;
	preempt_enable();

	KTEST_EXPECT_EQ(t, r_small, -ENOMEM);
	KTEST_EXPECT_EQ(t, r_bad, -EINVAL);
	KTEST_EXPECT_EQ(t, r_ok, 0);
	KTEST_EXPECT_EQ(t, oflags_on, SS_ONSTACK);
	KTEST_EXPECT_EQ(t, r_perm, -EPERM);
	KTEST_EXPECT_EQ(t, oflags_off, 0);
	KTEST_EXPECT_UEQ(t, fsp, 0x14000);
	KTEST_EXPECT_TRUE(t, on);
	KTEST_EXPECT_EQ(t, r_dis, 0);
	KTEST_EXPECT_EQ(t, f->task.sig.altstack_flags, SS_DISABLE);
	fake_free(f);
}

static struct ktest_case signal_cases[] = {
	KTEST_CASE(test_next_signal),
	KTEST_CASE(test_procmask),
	KTEST_CASE(test_default_actions),
	KTEST_CASE(test_restart_table),
	KTEST_CASE(test_queue_merge),
	KTEST_CASE(test_dequeue_order),
	KTEST_CASE(test_blocked_and_ignored),
	KTEST_CASE(test_job_control),
	KTEST_CASE(test_notify_parent),
	KTEST_CASE(test_altstack),
	{ .run = NULL },
};

KTEST_SUITE(signal, signal_cases);
