/*
 * procfs and sysfs (kernel/fs/proc/, kernel/fs/sysfs.c): the hooks the
 * rest of the kernel calls. Everything else about them is internal.
 *
 *	procfs_init        register "proc" and "sysfs" (boot, after vfs_init)
 *	procfs_note_fork   count a new process for /proc/stat and loadavg
 */
#ifndef KEEL_PROCFS_H
#define KEEL_PROCFS_H

#include <keel/types.h>

/**
 * procfs_init - register the "proc" and "sysfs" file system types and
 * keep @cmdline (which must stay valid: boot_info's copy) for
 * /proc/cmdline. Idempotent; a NULL @cmdline keeps the previous one.
 * Context: boot, process context, after vfs_init().
 */
void procfs_init(const char *cmdline);

/**
 * procfs_note_fork - a process (or thread) @pid was created: counted in
 * /proc/stat's "processes" and shown as /proc/loadavg's last pid.
 * Context: any (two atomic stores).
 */
void procfs_note_fork(pid_t pid);

#endif /* KEEL_PROCFS_H */
