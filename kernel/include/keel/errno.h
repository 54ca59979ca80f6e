/* Kernel view of errno: Linux's numbers, returned negated (-EINVAL). */
#ifndef KEEL_ERRNO_H
#define KEEL_ERRNO_H

#include <uapi/errno.h>

/*
 * Kernel-internal restart codes (Linux's values). A system call interrupted
 * by a signal returns one; signal_deliver() (kernel/proc/signal_deliver.c)
 * turns it into -EINTR or a restart before the return to user mode, so
 * user space never sees them:
 *
 *	code                    handler runs            no handler runs
 *	-ERESTARTSYS            restart if SA_RESTART,  restart
 *	                        else -EINTR
 *	-ERESTARTNOINTR         restart                 restart
 *	-ERESTARTNOHAND         -EINTR                  restart
 *	-ERESTART_RESTARTBLOCK  -EINTR                  restart_syscall(2)
 */
#define ERESTARTSYS           512
#define ERESTARTNOINTR        513
#define ERESTARTNOHAND        514
#define ERESTART_RESTARTBLOCK 516

#endif /* KEEL_ERRNO_H */
