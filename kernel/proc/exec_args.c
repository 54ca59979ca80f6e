/*
 * exec's argument strings and the new program's initial stack.
 *
 * The strings (argv then envp, each NUL-terminated) are gathered into one
 * buffer in the kernel before the old program is destroyed, so a failure
 * late in exec still has everything, and a user who changes the strings
 * while exec runs changes nothing. The total is capped like Linux's: a
 * quarter of RLIMIT_STACK, at most 6 MiB, at least 128 KiB, counting a
 * pointer per string; one string may be at most 32 pages. The buffer
 * starts at a page from kmalloc and doubles as strings arrive (vmalloc
 * past kmalloc's sizes): a typical exec has a few hundred bytes of
 * strings, and mapping and unmapping the whole cap (512 pages and a TLB
 * shootdown on every CPU for the default 8 MiB stack limit) was most of
 * an exec's cost.
 *
 * The initial stack, from the top down, as the System V x86_64 ABI and
 * Linux lay it out:
 *
 *	the file name given to execve (AT_EXECFN points here)
 *	envp strings, argv strings
 *	"x86_64" (AT_PLATFORM), 16 random bytes (AT_RANDOM)
 *	(16-byte alignment)
 *	auxv pairs ending with AT_NULL
 *	envp pointers, NULL
 *	argv pointers, NULL
 *	argc                                  <- rsp at entry
 */
#include <keel/err.h>
#include <keel/errno.h>
#include <keel/panic.h>
#include <keel/mm_space.h>
#include <keel/random.h>
#include <keel/slab.h>
#include <keel/string.h>
#include <keel/task.h>
#include <keel/uaccess.h>
#include <keel/vm.h>

#include "exec.h"

#define MAX_ARG_STRLEN  (32 * PAGE_SIZE)
#define ARG_MIN_LIMIT   (32 * PAGE_SIZE)
#define ARG_MAX_LIMIT   (6UL << 20)

/* A kernel buffer of @n bytes: kmalloc when it has the size, else vmalloc. */
static void *exec_buf_alloc(size_t n)
{
	return n <= KMALLOC_MAX_CACHE_SIZE ? kmalloc(n, GFP_KERNEL) : vmalloc(n);
}

static void exec_buf_free(void *p, size_t n)
{
	if (n <= KMALLOC_MAX_CACHE_SIZE)
		kfree(p);
	else
		vfree(p);
}

/* Make room for @more bytes after the strings (within the limit). */
static int exec_args_reserve(struct exec_args *ea, size_t more)
{
	size_t need = ea->len + more, cap = ea->cap;
	char *nb;

	if (need <= cap)
		return 0;
	while (cap < need)
		cap *= 2;
	if (cap > ea->limit)
		cap = MAX(ea->limit, need);
	nb = exec_buf_alloc(cap);
	if (!nb)
		return -ENOMEM;
	memcpy(nb, ea->buf, ea->len);
	exec_buf_free(ea->buf, ea->cap);
	ea->buf = nb;
	ea->cap = cap;
	return 0;
}

int exec_args_init(struct exec_args *ea)
{
	u64 stack = task_rlimit(RLIMIT_STACK);

	memset(ea, 0, sizeof(*ea));
	ea->limit = stack / 4;
	if (ea->limit > ARG_MAX_LIMIT)
		ea->limit = ARG_MAX_LIMIT;
	if (ea->limit < ARG_MIN_LIMIT)
		ea->limit = ARG_MIN_LIMIT;
	ea->cap = PAGE_SIZE;
	ea->buf = exec_buf_alloc(ea->cap);
	return ea->buf ? 0 : -ENOMEM;
}

void exec_args_free(struct exec_args *ea)
{
	if (ea->buf)
		exec_buf_free(ea->buf, ea->cap);
	ea->buf = NULL;
}

/* Room for @len more bytes and one more pointer? */
static bool exec_args_fits(const struct exec_args *ea, size_t len)
{
	size_t ptrs = (ea->argc + ea->envc + 1) * sizeof(void *);

	return ea->len + len + ptrs <= ea->limit;
}

int exec_args_add_kernel(struct exec_args *ea, const char *s, bool env)
{
	size_t len = strlen(s) + 1;

	if (len > MAX_ARG_STRLEN || !exec_args_fits(ea, len))
		return -E2BIG;
	if (exec_args_reserve(ea, len))
		return -ENOMEM;
	memcpy(ea->buf + ea->len, s, len);
	ea->len += len;
	if (env)
		ea->envc++;
	else
		ea->argc++;
	return 0;
}

/* Append the strings of a user NULL-terminated array (argv or envp). */
int exec_args_add_user(struct exec_args *ea, const char __user *const __user *v,
		       bool env)
{
	if (!v)
		return 0;       /* Linux: a NULL argv/envp is an empty array */
	for (unsigned long i = 0;; i++) {
		const char __user *s;
		long len;

		if (get_user(s, v + i))
			return -EFAULT;
		if (!s)
			return 0;
		len = strnlen_user(s, MAX_ARG_STRLEN);
		if (len == 0)
			return -EFAULT;
		if (len > (long)MAX_ARG_STRLEN || !exec_args_fits(ea, len))
			return -E2BIG;
		if (exec_args_reserve(ea, len))
			return -ENOMEM;
		if (copy_from_user(ea->buf + ea->len, s, len) ||
		    ea->buf[ea->len + len - 1] != '\0')
			return -EFAULT;
		ea->len += len;
		if (env)
			ea->envc++;
		else
			ea->argc++;
		if (fatal_signal_pending())
			return -EINTR;
		cond_resched();
	}
}

/* Byte offset of the string after the @n first ones. */
static size_t exec_args_skip(const struct exec_args *ea, unsigned int n)
{
	size_t off = 0;

	while (n--)
		off += strlen(ea->buf + off) + 1;
	return off;
}

/*
 * For a #! script: replace argv[0] with @interp, [@arg], @path (the
 * script), keeping argv[1..] and the environment.
 */
int exec_args_script(struct exec_args *ea, const char *interp,
		     const char *arg, const char *path)
{
	size_t skip = ea->argc ? exec_args_skip(ea, 1) : 0;
	size_t add = strlen(interp) + 1 + (arg ? strlen(arg) + 1 : 0) +
		     strlen(path) + 1;
	size_t rest = ea->len - skip;

	if (!exec_args_fits(ea, add + 2 * sizeof(void *)))
		return -E2BIG;
	if (exec_args_reserve(ea, add))
		return -ENOMEM;
	memmove(ea->buf + add, ea->buf + skip, rest);
	ea->len = 0;
	ea->argc = ea->argc ? ea->argc - 1 : 0;
	exec_args_add_kernel(ea, interp, false);
	if (arg)
		exec_args_add_kernel(ea, arg, false);
	exec_args_add_kernel(ea, path, false);
	ea->len += rest;
	return 0;
}

/* A random page-aligned top for the stack: 22 bits of pages (16 GiB). */
vaddr_t exec_stack_top(void)
{
	u64 rnd = mm_random_below(1UL << 22) << PAGE_SHIFT;

	return (ARCH_USER_TOP - rnd) & PAGE_MASK;
}

#define STACK_INITIAL   (128 * 1024)

/*
 * exec_build_stack - map the stack below @top in @mm and write the
 * strings, auxv (@auxv: pairs, without the AT_RANDOM/AT_EXECFN/AT_PLATFORM
 * entries, which are added here, ending with AT_NULL) and pointers.
 * Return: the initial stack pointer, or -errno.
 */
long exec_build_stack(struct mm *mm, struct exec_args *ea, vaddr_t top,
		      bool exec_stack, const u64 *auxv, unsigned int nauxv,
		      const char *execfn, const char *platform)
{
	size_t fnlen = strlen(execfn) + 1, plen = strlen(platform) + 1;
	size_t need = ea->len + fnlen + plen + 16 + 64 +
		      (ea->argc + ea->envc + 3 + 2 * (nauxv + 4)) * 8;
	size_t map = PAGE_ALIGN(need) + STACK_INITIAL;
	vaddr_t sp = top, strings, fn, plat, rnd, base;
	size_t words, w, off;
	u64 *vec;
	int prot = PROT_READ | PROT_WRITE | (exec_stack ? PROT_EXEC : 0);
	u8 random[16];
	long err;

	err = mm_map(mm, top - map, map, prot,
		     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_GROWSDOWN,
		     &base);
	if (err)
		return err;
	sp -= 8;                        /* Linux leaves a NULL word at the top */
	fn = sp -= fnlen;
	strings = sp -= ea->len;
	plat = sp -= plen;
	sp -= sizeof(random);
	rnd = sp;
	get_random_bytes(random, sizeof(random));
	if (mm_write(mm, fn, execfn, fnlen) ||
	    mm_write(mm, strings, ea->buf, ea->len) ||
	    mm_write(mm, plat, platform, plen) ||
	    mm_write(mm, rnd, random, sizeof(random)))
		return -EFAULT;
	mm->arg_start = strings;
	mm->arg_end = strings + exec_args_skip(ea, ea->argc);
	mm->env_start = mm->arg_end;
	mm->env_end = strings + ea->len;

	/* The word vector: argc, argv[], NULL, envp[], NULL, auxv pairs. */
	words = 1 + ea->argc + 1 + ea->envc + 1 + 2 * (nauxv + 4);
	vec = exec_buf_alloc(words * sizeof(u64));
	if (!vec)
		return -ENOMEM;
	w = 0;
	vec[w++] = ea->argc;
	off = 0;
	for (unsigned int i = 0; i < ea->argc + ea->envc; i++) {
		if (i == ea->argc)
			vec[w++] = 0;
		vec[w++] = strings + off;
		off += strlen(ea->buf + off) + 1;
	}
	if (ea->envc == 0)
		vec[w++] = 0;   /* argv's NULL (the loop did not reach argc) */
	vec[w++] = 0;
	for (unsigned int i = 0; i < 2 * nauxv; i++)
		vec[w++] = auxv[i];
	vec[w++] = AT_RANDOM;   vec[w++] = rnd;
	vec[w++] = AT_EXECFN;   vec[w++] = fn;
	vec[w++] = AT_PLATFORM; vec[w++] = plat;
	vec[w++] = AT_NULL;     vec[w++] = 0;
	KASSERT(w == words);
	/* argc must land 16-byte aligned (the ABI's rsp at entry). */
	sp = (sp - words * sizeof(u64)) & ~15UL;
	err = mm_write(mm, sp, vec, words * sizeof(u64));
	exec_buf_free(vec, words * sizeof(u64));
	if (err)
		return err;
	mm->start_stack = sp;
	return sp;
}
