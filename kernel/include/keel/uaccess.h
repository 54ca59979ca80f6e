/*
 * Access to user memory. Every read or write of a user address goes through
 * these, never through a plain dereference: a bad user pointer then costs
 * the caller -EFAULT (or a short count), never a kernel fault, and a user
 * pointer into the kernel half is refused before anything touches it.
 *
 *	access_ok(ptr, size)			is [ptr, ptr + size) user space?
 *	copy_from_user(dst, src, n)		bytes NOT copied (0 = all)
 *	copy_to_user(dst, src, n)		bytes NOT copied (0 = all)
 *	strncpy_from_user(dst, src, count)	length, count, or -EFAULT
 *	strnlen_user(s, n)			length + 1, > n, or 0
 *	get_user(x, ptr), put_user(x, ptr)	0 or -EFAULT; 1/2/4/8 bytes
 *
 * The semantics are Linux's, so system calls ported from its documentation
 * behave the same. Pointers into user space carry the __user annotation
 * (<keel/compiler.h>).
 *
 * The security property: each accessor first checks access_ok(), which
 * accepts only ranges that lie entirely below ARCH_USER_TOP and do not
 * wrap. Only then does the arch routine (<keel/arch.h>, "user memory") open
 * user access (x86: SMAP) and touch the memory; a fault there resumes at an
 * exception-table fixup. Faults are resolved by the VM fault handler first
 * once user address spaces exist (demand paging): only an address that is
 * really bad ends in -EFAULT.
 *
 * Context: process context (thread), no spinlocks held: once demand
 * paging exists a user access can sleep on a page fault, and might_sleep()
 * reports a caller that could not.
 */
#ifndef KEEL_UACCESS_H
#define KEEL_UACCESS_H

#include <keel/arch.h>
#include <keel/compiler.h>
#include <keel/errno.h>
#include <keel/sched.h>
#include <keel/string.h>
#include <keel/types.h>

/*
 * access_ok - may @ptr..@ptr+@size be handed to the arch routines?
 * True when the range lies entirely in user space and does not wrap; a
 * zero-sized range is fine anywhere up to ARCH_USER_TOP itself. It says
 * nothing about whether the memory is mapped: the access finds that out.
 */
static inline bool access_ok(const void __user *ptr, unsigned long size)
{
	unsigned long addr = (unsigned long)ptr;

	return size <= ARCH_USER_TOP && addr <= ARCH_USER_TOP - size;
}

/*
 * copy_from_user - copy @n bytes from user @src to kernel @dst.
 * A copy that faults stops at the first byte it could not read; the rest
 * of @dst (from that byte on) is zeroed, so the caller never sees stale
 * kernel data in a partially filled buffer. A range access_ok() refuses
 * copies nothing.
 * Return: the number of bytes NOT copied, 0 on success.
 */
static inline unsigned long copy_from_user(void *dst, const void __user *src,
					   unsigned long n)
{
	unsigned long left = n;

	might_sleep();
	if (likely(access_ok(src, n)))
		left = arch_copy_from_user(dst, src, n);
	if (unlikely(left))
		memset((char *)dst + (n - left), 0, left);
	return left;
}

/*
 * copy_to_user - copy @n bytes from kernel @src to user @dst, stopping at
 * the first byte that cannot be written.
 * Return: the number of bytes NOT copied, 0 on success.
 */
static inline unsigned long copy_to_user(void __user *dst, const void *src,
					 unsigned long n)
{
	might_sleep();
	if (unlikely(!access_ok(dst, n)))
		return n;
	return arch_copy_to_user(dst, src, n);
}

/*
 * strncpy_from_user - copy the NUL-terminated string at @src into @dst,
 * at most @count bytes including the NUL.
 * A string that reaches the end of user space is scanned only up to it
 * (so a short string just below the top is fine), and running off the end
 * before a NUL is a fault.
 * Return: the string's length (the NUL copied, not counted); @count if no
 * NUL came within @count bytes (then @dst is NOT terminated); 0 if @count
 * <= 0; -EFAULT if reading faulted (@dst then holds an unspecified prefix).
 */
static inline long strncpy_from_user(char *dst, const char __user *src,
				     long count)
{
	unsigned long addr = (unsigned long)src, room;
	long res;

	might_sleep();
	if (count <= 0)
		return 0;
	if (addr >= ARCH_USER_TOP)
		return -EFAULT;
	room = ARCH_USER_TOP - addr;
	if ((unsigned long)count <= room)
		return arch_strncpy_from_user(dst, src, count);
	res = arch_strncpy_from_user(dst, src, (long)room);
	return res == (long)room ? -EFAULT : res;
}

/*
 * strnlen_user - length of the user string at @s, looking at no more than
 * @n bytes (and never past the end of user space).
 * Return: the length INCLUDING the NUL; a value > @n if there is no NUL
 * within @n bytes; 0 on a fault, for @n <= 0, or if the string runs into
 * the end of user space.
 */
static inline long strnlen_user(const char __user *s, long n)
{
	unsigned long addr = (unsigned long)s, room;
	long res;

	might_sleep();
	if (n <= 0 || addr >= ARCH_USER_TOP)
		return 0;
	room = ARCH_USER_TOP - addr;
	if ((unsigned long)n <= room)
		return arch_strnlen_user(s, n);
	res = arch_strnlen_user(s, (long)room);
	return res > (long)room ? 0 : res;
}

/* Internal: dispatch on the access size, known at compile time. */
static __always_inline long __get_user_sized(const void __user *p,
					     unsigned long size, u64 *val)
{
	switch (size) {
	case 1:
		return arch_get_user_1(p, val);
	case 2:
		return arch_get_user_2(p, val);
	case 4:
		return arch_get_user_4(p, val);
	default:
		return arch_get_user_8(p, val);
	}
}

static __always_inline long __put_user_sized(void __user *p,
					     unsigned long size, u64 val)
{
	switch (size) {
	case 1:
		return arch_put_user_1(p, val);
	case 2:
		return arch_put_user_2(p, val);
	case 4:
		return arch_put_user_4(p, val);
	default:
		return arch_put_user_8(p, val);
	}
}

#define __uaccess_size_ok(ptr)                                              \
	STATIC_ASSERT(sizeof(*(ptr)) == 1 || sizeof(*(ptr)) == 2 ||         \
		      sizeof(*(ptr)) == 4 || sizeof(*(ptr)) == 8,           \
		      "get_user/put_user: 1, 2, 4 or 8-byte scalars only")

/*
 * get_user - read the scalar *@ptr (1, 2, 4 or 8 bytes; an integer or a
 * pointer) from user space into the lvalue @x, with one access.
 * Return: 0, or -EFAULT with @x set to zero.
 */
#define get_user(x, ptr)                                                    \
	({                                                                  \
		__typeof__(*(ptr)) __user *__gu_ptr = (ptr);                \
		u64 __gu_val = 0;                                           \
		long __gu_err = -EFAULT;                                    \
		__uaccess_size_ok(ptr);                                     \
		might_sleep();                                              \
		if (likely(access_ok(__gu_ptr, sizeof(*__gu_ptr))))         \
			__gu_err = __get_user_sized(__gu_ptr,               \
						    sizeof(*__gu_ptr),      \
						    &__gu_val);             \
		(x) = (__typeof__(*(ptr)))__gu_val;                         \
		__gu_err;                                                   \
	})

/*
 * put_user - write @x, converted to *@ptr's type (1, 2, 4 or 8 bytes), to
 * user space with one access.
 * Return: 0 or -EFAULT.
 */
#define put_user(x, ptr)                                                    \
	({                                                                  \
		__typeof__(*(ptr)) __user *__pu_ptr = (ptr);                \
		__typeof__(*(ptr)) __pu_val = (x);                          \
		long __pu_err = -EFAULT;                                    \
		__uaccess_size_ok(ptr);                                     \
		might_sleep();                                              \
		if (likely(access_ok(__pu_ptr, sizeof(*__pu_ptr))))         \
			__pu_err = __put_user_sized(                        \
				__pu_ptr, sizeof(*__pu_ptr),                \
				(u64)(unsigned long)__pu_val);              \
		__pu_err;                                                   \
	})

#endif /* KEEL_UACCESS_H */
