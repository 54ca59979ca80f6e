/*
 * Compiler attributes and small helpers shared by all kernel code.
 * gcc and clang both accept everything here.
 */
#ifndef KEEL_COMPILER_H
#define KEEL_COMPILER_H

#define __packed        __attribute__((packed))
#define __aligned(n)    __attribute__((aligned(n)))
#define __section(s)    __attribute__((section(s)))
#define __used          __attribute__((used))
#define __unused        __attribute__((unused))
#define __noreturn      __attribute__((noreturn))
#define __noinline      __attribute__((noinline))
#define __always_inline inline __attribute__((always_inline))
#define __printf(a, b)  __attribute__((format(printf, a, b)))
#define __weak          __attribute__((weak))

/*
 * __user marks a pointer into user space: it may only be passed to the
 * accessors of <keel/uaccess.h>, never dereferenced. Empty for the compiler;
 * sparse (__CHECKER__) enforces it.
 */
#ifdef __CHECKER__
#define __user          __attribute__((noderef, address_space(1)))
#else
#define __user
#endif

#define likely(x)   __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Round up/down to a power-of-two alignment. */
#define ALIGN_UP(x, a)   (((x) + ((a) - 1)) & ~((__typeof__(x))(a) - 1))
#define ALIGN_DOWN(x, a) ((x) & ~((__typeof__(x))(a) - 1))
#define IS_ALIGNED(x, a) (((x) & ((__typeof__(x))(a) - 1)) == 0)

#define MIN(a, b) ((a) < (b) ? (a) : (b))
#define MAX(a, b) ((a) > (b) ? (a) : (b))

#define container_of(ptr, type, member) \
	((type *)((char *)(ptr) - __builtin_offsetof(type, member)))

#define STATIC_ASSERT(c, msg) _Static_assert(c, msg)

/* Compiler barrier and single-copy accesses for shared data. */
#define barrier()      __asm__ __volatile__("" ::: "memory")
#define READ_ONCE(x)   (*(const volatile __typeof__(x) *)&(x))
#define WRITE_ONCE(x, v) (*(volatile __typeof__(x) *)&(x) = (v))

#define __stringify_1(x) #x
#define __stringify(x)   __stringify_1(x)

#endif /* KEEL_COMPILER_H */
