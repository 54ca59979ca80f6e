/*
 * System calls: the numbers, the dispatch table, and defining an entry.
 *
 * The list is kernel/syscall/syscall_64.tbl. tools/gensyscalls.py turns it
 * into <generated/syscalls.h> (SYS_<name> numbers, SYSCALL_NR_MAX,
 * NR_SYSCALLS, the prototypes of implemented entries) and into
 * syscall_table[] (build/gen/syscall_table.c); docs/syscalls.md is its
 * Markdown view. See docs/adr/0006-syscall-table.md.
 *
 * The arch's entry path saves the six argument registers (x86_64: rdi, rsi,
 * rdx, r10, r8, r9) into a struct syscall_args and calls syscall_dispatch()
 * with the number register; what it returns goes back to user space: a
 * value, or -errno. Every entry has the same type, syscall_fn_t, so the
 * dispatcher makes one indirect call and never depends on an entry's
 * argument count.
 *
 * An entry is defined next to its subsystem (fs/read_write.c holds
 * sys_read) with SYSCALL_DEFINEn, n being the argument count, followed by
 * (type, name) pairs and the body:
 *
 *	SYSCALL_DEFINE3(read, unsigned int, fd, char *, buf, size_t, count)
 *	{
 *		...
 *	}
 *
 * This defines sys_read(const struct syscall_args *), which converts each
 * saved register to its declared type with a C cast and calls the typed
 * body. An int argument therefore sees the low 32 bits of its register, as
 * on Linux; pointers are user addresses, to be reached only through the
 * user-copy primitives. The table row must name the entry (sys_read) and
 * give a signature with the same argument count; otherwise the build
 * fails (the prototype or SYSCALL_NARGS_sys_read is missing, or the
 * static assertion on n fires).
 */
#ifndef KEEL_SYSCALL_H
#define KEEL_SYSCALL_H

#include <keel/compiler.h>
#include <keel/types.h>
#include <generated/syscalls.h>

#define SYSCALL_MAX_ARGS 6

/* The raw arguments of one call, in the order of the ABI's registers. */
struct syscall_args {
	unsigned long arg[SYSCALL_MAX_ARGS];
};

typedef long (*syscall_fn_t)(const struct syscall_args *args);

/* One row of the table; all-zero for a number Linux does not define. */
struct syscall_desc {
	const char *name;  /* Linux's name, or NULL (unknown number) */
	syscall_fn_t fn;   /* the entry, or NULL (-ENOSYS) */
	s8 nargs;          /* arguments in the signature; -1 if not recorded */
};

/* Generated; indexed by number. Read-only, so no lock. */
extern const struct syscall_desc syscall_table[NR_SYSCALLS];

/*
 * syscall_dispatch - run system call @nr with @args.
 *
 * As on Linux x86_64, only the low 32 bits of @nr select the call. A
 * number without an entry returns -ENOSYS; the first such call of each
 * number logs "syscall: <name> (<nr>) not implemented" (or "syscall:
 * unknown number <nr>" for one outside the table; after 32 distinct
 * unknown numbers those are no longer logged).
 *
 * Context: the caller's: the entry path calls it in process context with
 * interrupts on, and entries may sleep. The -ENOSYS path itself runs in
 * any context.
 * Return: the entry's result (a value or -errno), or -ENOSYS.
 */
long syscall_dispatch(unsigned long nr, const struct syscall_args *args);

/*
 * syscall_name - Linux's name for system call @nr (low 32 bits, as above).
 * Return: the name, or NULL if the table does not define @nr.
 */
const char *syscall_name(unsigned long nr);

/* ---- defining entries ---------------------------------------------------- */

/*
 * __SC_MAPn(m, sep, i, t1, a1, ..., tn, an) expands to
 * m(i, t1, a1) sep() m(i + 1, t2, a2) sep() ... for n (type, name) pairs.
 */
#define __SC_COMMA() ,
#define __SC_SEMI()  ;
#define __SC_MAP1(m, s, i, t, a) m(i, t, a)
#define __SC_MAP2(m, s, i, t, a, ...) \
	m(i, t, a) s() __SC_MAP1(m, s, i + 1, __VA_ARGS__)
#define __SC_MAP3(m, s, i, t, a, ...) \
	m(i, t, a) s() __SC_MAP2(m, s, i + 1, __VA_ARGS__)
#define __SC_MAP4(m, s, i, t, a, ...) \
	m(i, t, a) s() __SC_MAP3(m, s, i + 1, __VA_ARGS__)
#define __SC_MAP5(m, s, i, t, a, ...) \
	m(i, t, a) s() __SC_MAP4(m, s, i + 1, __VA_ARGS__)
#define __SC_MAP6(m, s, i, t, a, ...) \
	m(i, t, a) s() __SC_MAP5(m, s, i + 1, __VA_ARGS__)
#define __SC_MAP(n, m, s, ...) __SC_MAP##n(m, s, 0, __VA_ARGS__)

#define __SC_DECL(i, t, a) t a
#define __SC_CAST(i, t, a) (t)__sc_args->arg[i]
#define __SC_TEST(i, t, a)                                              \
	STATIC_ASSERT(sizeof(t) <= sizeof(unsigned long),               \
		      "system-call argument " #a " is wider than a register")

/*
 * __SYSCALL_DEFINEx - the machinery without the table check: @linkage
 * (empty or static) @wrapper unpacks the arguments and calls the typed
 * @body, whose definition follows the macro. The ktest uses it directly.
 */
#define __SYSCALL_DEFINEx(n, linkage, wrapper, body, ...)                   \
	static inline long body(__SC_MAP(n, __SC_DECL, __SC_COMMA,          \
					 __VA_ARGS__));                     \
	linkage long wrapper(const struct syscall_args *__sc_args)          \
	{                                                                   \
		__SC_MAP(n, __SC_TEST, __SC_SEMI, __VA_ARGS__);             \
		return body(__SC_MAP(n, __SC_CAST, __SC_COMMA,              \
				     __VA_ARGS__));                         \
	}                                                                   \
	static inline long body(__SC_MAP(n, __SC_DECL, __SC_COMMA, __VA_ARGS__))

#define __SYSCALL_DEFINE0(linkage, wrapper, body)                           \
	static inline long body(void);                                      \
	linkage long wrapper(const struct syscall_args *__sc_args)          \
	{                                                                   \
		(void)__sc_args;                                            \
		return body();                                              \
	}                                                                   \
	static inline long body(void)

#define __SYSCALL_CHECK_NARGS(name, n)                                      \
	STATIC_ASSERT(SYSCALL_NARGS_sys_##name == n, "sys_" #name           \
		      ": argument count differs from syscall_64.tbl")

#define SYSCALL_DEFINE0(name)                                               \
	__SYSCALL_CHECK_NARGS(name, 0);                                     \
	__SYSCALL_DEFINE0(, sys_##name, __do_sys_##name)
#define SYSCALL_DEFINEx(n, name, ...)                                       \
	__SYSCALL_CHECK_NARGS(name, n);                                     \
	__SYSCALL_DEFINEx(n, , sys_##name, __do_sys_##name, __VA_ARGS__)
#define SYSCALL_DEFINE1(name, ...) SYSCALL_DEFINEx(1, name, __VA_ARGS__)
#define SYSCALL_DEFINE2(name, ...) SYSCALL_DEFINEx(2, name, __VA_ARGS__)
#define SYSCALL_DEFINE3(name, ...) SYSCALL_DEFINEx(3, name, __VA_ARGS__)
#define SYSCALL_DEFINE4(name, ...) SYSCALL_DEFINEx(4, name, __VA_ARGS__)
#define SYSCALL_DEFINE5(name, ...) SYSCALL_DEFINEx(5, name, __VA_ARGS__)
#define SYSCALL_DEFINE6(name, ...) SYSCALL_DEFINEx(6, name, __VA_ARGS__)

#endif /* KEEL_SYSCALL_H */
