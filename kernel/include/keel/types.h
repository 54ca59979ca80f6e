/*
 * Basic kernel types.
 *
 * Only the compiler's freestanding headers are used (stddef, stdint, stdbool,
 * stdarg), so this header also compiles for the host unit tests.
 */
#ifndef KEEL_TYPES_H
#define KEEL_TYPES_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Fixed-size types as Linux defines them: u64 is unsigned long long on every
 * architecture, so "%llx" prints it everywhere without casts.
 */
typedef unsigned char u8;
typedef unsigned short u16;
typedef unsigned int u32;
typedef unsigned long long u64;
typedef signed char s8;
typedef short s16;
typedef int s32;
typedef long long s64;

typedef uintptr_t uptr;
typedef u64 paddr_t;   /* a physical address */
typedef uptr vaddr_t;  /* a kernel or user virtual address */

#ifndef KEEL_HOST
typedef long ssize_t;

/* Linux's x86_64 ABI types (what the system calls pass). */
typedef int pid_t;
typedef unsigned int uid_t;
typedef unsigned int gid_t;
typedef unsigned int mode_t;
typedef long long loff_t;
typedef unsigned long dev_t;
typedef unsigned long ino_t;
#endif

#endif /* KEEL_TYPES_H */
