/*
 * Host stand-in for the per-CPU scheduler state the arch keeps
 * (asm/arch_inline.h): linked into every unit test, since spinlocks and
 * anything else built on <keel/preempt.h> use it. One CPU, no scheduler.
 */
#include <keel/preempt.h>

int host_preempt_count;
void *host_current;

/* preempt_enable() calls this when a reschedule is due: never on the host. */
void preempt_schedule(void)
{
}
