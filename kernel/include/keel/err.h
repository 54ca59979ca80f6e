/*
 * Error pointers: a pointer-returning function returns either a valid pointer
 * or a negative errno encoded in the top 4095 addresses, never NULL for an
 * error. Check with IS_ERR(), decode with PTR_ERR().
 */
#ifndef KEEL_ERR_H
#define KEEL_ERR_H

#include <keel/compiler.h>
#include <keel/types.h>

#define MAX_ERRNO 4095

static inline void *ERR_PTR(long error)
{
	return (void *)error;
}

static inline long PTR_ERR(const void *ptr)
{
	return (long)ptr;
}

static inline bool IS_ERR(const void *ptr)
{
	return unlikely((uptr)ptr >= (uptr)-MAX_ERRNO);
}

static inline bool IS_ERR_OR_NULL(const void *ptr)
{
	return !ptr || IS_ERR(ptr);
}

#endif /* KEEL_ERR_H */
