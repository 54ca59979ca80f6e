/*
 * Linux's clone() flags (include/uapi/linux/sched.h), x86_64 values.
 */
#ifndef UAPI_SCHED_H
#define UAPI_SCHED_H

#define CSIGNAL              0x000000ffULL  /* exit signal of the child */
#define CLONE_VM             0x00000100ULL
#define CLONE_FS             0x00000200ULL
#define CLONE_FILES          0x00000400ULL
#define CLONE_SIGHAND        0x00000800ULL
#define CLONE_PIDFD          0x00001000ULL
#define CLONE_PTRACE         0x00002000ULL
#define CLONE_VFORK          0x00004000ULL
#define CLONE_PARENT         0x00008000ULL
#define CLONE_THREAD         0x00010000ULL
#define CLONE_NEWNS          0x00020000ULL
#define CLONE_SYSVSEM        0x00040000ULL
#define CLONE_SETTLS         0x00080000ULL
#define CLONE_PARENT_SETTID  0x00100000ULL
#define CLONE_CHILD_CLEARTID 0x00200000ULL
#define CLONE_DETACHED       0x00400000ULL
#define CLONE_UNTRACED       0x00800000ULL
#define CLONE_CHILD_SETTID   0x01000000ULL
#define CLONE_NEWCGROUP      0x02000000ULL
#define CLONE_NEWUTS         0x04000000ULL
#define CLONE_NEWIPC         0x08000000ULL
#define CLONE_NEWUSER        0x10000000ULL
#define CLONE_NEWPID         0x20000000ULL
#define CLONE_NEWNET         0x40000000ULL
#define CLONE_IO             0x80000000ULL
/* clone3() only. */
#define CLONE_CLEAR_SIGHAND  0x100000000ULL
#define CLONE_INTO_CGROUP    0x200000000ULL

#endif /* UAPI_SCHED_H */
