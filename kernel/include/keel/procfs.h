/*
 * procfs and sysfs (kernel/fs/proc/, kernel/fs/sysfs.c): the hooks the
 * rest of the kernel calls. Everything else about them is internal.
 *
 *	procfs_init        register "proc" and "sysfs" (boot, after vfs_init)
 *	procfs_note_fork   count a new process for /proc/stat and loadavg
 *	procfs_load_averages  the 1/5/15-minute load averages (sysinfo)
 *	procfs_shmem_pages    pages held by tmpfs files (sysinfo's sharedram)
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

/**
 * procfs_load_averages - the 1, 5 and 15 minute load averages in fixed
 * point with 11 fraction bits (Linux's FSHIFT), sampled every 5 s.
 * @loads: filled with the three values.
 * Context: any.
 */
void procfs_load_averages(unsigned long loads[3]);

/**
 * procfs_shmem_pages - pages held by tmpfs files (the root file system
 * included): /proc/meminfo's Shmem and Cached, sysinfo's sharedram.
 * Context: any. Return: the count.
 */
unsigned long procfs_shmem_pages(void);

#endif /* KEEL_PROCFS_H */
