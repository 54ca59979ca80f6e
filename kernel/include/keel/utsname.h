/*
 * The system's names as uname(2) reports them (kernel/proc/sys_info.c);
 * /proc/sys/kernel/{ostype,osrelease,version,hostname,domainname} show the
 * same strings. sysname is "Keel"; release looks like Linux's so C
 * libraries' version checks pass.
 */
#ifndef KEEL_UTSNAME_H
#define KEEL_UTSNAME_H

#include <keel/types.h>

#define UTS_LEN 65
#define UTS_SYSNAME "Keel"
#define UTS_RELEASE "6.1.0-keel"
#define UTS_MACHINE "x86_64"

/* Copy the current host or domain name (NUL-terminated) into @buf. */
void utsname_hostname(char *buf, size_t size);
void utsname_domainname(char *buf, size_t size);
/* The version string ("#1 SMP PREEMPT Keel 0.1.0"). */
const char *utsname_version(void);

#endif /* KEEL_UTSNAME_H */
