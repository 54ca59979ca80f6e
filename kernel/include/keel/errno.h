/* Kernel view of errno: Linux's numbers, returned negated (-EINVAL). */
#ifndef KEEL_ERRNO_H
#define KEEL_ERRNO_H

#include <uapi/errno.h>

#endif /* KEEL_ERRNO_H */
