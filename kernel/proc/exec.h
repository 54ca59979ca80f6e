/*
 * exec internals shared by kernel/proc/exec*.c.
 */
#ifndef KEEL_PROC_EXEC_H
#define KEEL_PROC_EXEC_H

#include <keel/types.h>

struct mm;

/* The AT_* auxiliary vector types are in <uapi/elf.h>. */
#include <uapi/elf.h>

/* The argument and environment strings of an exec, in the kernel. */
struct exec_args {
	char *buf;              /* argv strings, then envp strings */
	size_t len;             /* bytes used */
	size_t cap;             /* bytes allocated (grows by doubling) */
	size_t limit;           /* bytes allowed (strings + pointers) */
	unsigned int argc, envc;
};

int exec_args_init(struct exec_args *ea);
void exec_args_free(struct exec_args *ea);
int exec_args_add_kernel(struct exec_args *ea, const char *s, bool env);
int exec_args_add_user(struct exec_args *ea,
		       const char __user *const __user *v, bool env);
int exec_args_script(struct exec_args *ea, const char *interp,
		     const char *arg, const char *path);
vaddr_t exec_stack_top(void);
long exec_build_stack(struct mm *mm, struct exec_args *ea, vaddr_t top,
		      bool exec_stack, const u64 *auxv, unsigned int nauxv,
		      const char *execfn, const char *platform);

/*
 * do_execve - run the program @path (kernel string, relative to @dirfd
 * with execveat's @at_flags) with @ea's strings in the calling task.
 * Return: 0 (the task's registers now start the new program) or -errno
 * (the old program continues, unless the failure came after the point of
 * no return: then the task is killed with SIGSEGV, as Linux does).
 */
long do_execve(int dirfd, const char *path, int at_flags,
	       struct exec_args *ea);

#endif /* KEEL_PROC_EXEC_H */
