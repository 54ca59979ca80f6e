/*
 * System information and control: uname, sethostname, setdomainname,
 * sysinfo, getrandom, reboot.
 *
 * Locking: uts_lock protects the host and domain names.
 */
#include <keel/acpi.h>
#include <keel/errno.h>
#include <keel/mm.h>
#include <keel/printk.h>
#include <keel/procfs.h>
#include <keel/random.h>
#include <keel/spinlock.h>
#include <keel/string.h>
#include <keel/syscall.h>
#include <keel/task.h>
#include <keel/time.h>
#include <keel/uaccess.h>
#include <keel/utsname.h>
#include <keel/version.h>

static DEFINE_SPINLOCK(uts_lock);
static char uts_hostname[UTS_LEN] = "(none)";   /* [uts_lock] */
static char uts_domainname[UTS_LEN] = "(none)"; /* [uts_lock] */

struct utsname_user {
	char sysname[UTS_LEN], nodename[UTS_LEN], release[UTS_LEN];
	char version[UTS_LEN], machine[UTS_LEN], domainname[UTS_LEN];
};

const char *utsname_version(void)
{
	return "#1 SMP PREEMPT Keel " KEEL_VERSION;
}

void utsname_hostname(char *buf, size_t size)
{
	spin_lock(&uts_lock);
	strlcpy(buf, uts_hostname, size);
	spin_unlock(&uts_lock);
}

void utsname_domainname(char *buf, size_t size)
{
	spin_lock(&uts_lock);
	strlcpy(buf, uts_domainname, size);
	spin_unlock(&uts_lock);
}

SYSCALL_DEFINE1(uname, struct utsname_user __user *, buf)
{
	struct utsname_user u;

	memset(&u, 0, sizeof(u));
	strlcpy(u.sysname, UTS_SYSNAME, UTS_LEN);
	strlcpy(u.release, UTS_RELEASE, UTS_LEN);
	strlcpy(u.version, utsname_version(), UTS_LEN);
	strlcpy(u.machine, UTS_MACHINE, UTS_LEN);
	utsname_hostname(u.nodename, UTS_LEN);
	utsname_domainname(u.domainname, UTS_LEN);
	return copy_to_user(buf, &u, sizeof(u)) ? -EFAULT : 0;
}

/* Root only; 0..64 bytes, not necessarily NUL-terminated. */
static long set_uts_name(char *dst, const char __user *name, int len)
{
	char tmp[UTS_LEN];

	if (!cred_is_root(current_cred()))
		return -EPERM;
	if (len < 0 || len >= UTS_LEN)
		return -EINVAL;
	if (copy_from_user(tmp, name, len))
		return -EFAULT;
	tmp[len] = '\0';
	spin_lock(&uts_lock);
	memcpy(dst, tmp, len + 1);
	spin_unlock(&uts_lock);
	return 0;
}

SYSCALL_DEFINE2(sethostname, const char __user *, name, int, len)
{
	return set_uts_name(uts_hostname, name, len);
}

SYSCALL_DEFINE2(setdomainname, const char __user *, name, int, len)
{
	return set_uts_name(uts_domainname, name, len);
}

struct sysinfo_user {
	long uptime;
	unsigned long loads[3];
	unsigned long totalram, freeram, sharedram, bufferram;
	unsigned long totalswap, freeswap;
	u16 procs, pad;
	unsigned long totalhigh, freehigh;
	u32 mem_unit;
	char reserved[4];
};

SYSCALL_DEFINE1(sysinfo, struct sysinfo_user __user *, info)
{
	struct page_alloc_stats st;
	struct sysinfo_user si;

	memset(&si, 0, sizeof(si));
	page_alloc_stats(&st);
	si.uptime = (clock_monotonic_ns() + 999999999ULL) / 1000000000ULL;
	procfs_load_averages(si.loads);
	for (int i = 0; i < 3; i++)
		si.loads[i] <<= 16 - 11;    /* SI_LOAD_SHIFT - FSHIFT */
	si.totalram = st.total_pages * PAGE_SIZE;
	si.freeram = st.free_pages * PAGE_SIZE;
	si.sharedram = procfs_shmem_pages() * PAGE_SIZE;
	si.procs = nr_processes();
	si.mem_unit = 1;
	return copy_to_user(info, &si, sizeof(si)) ? -EFAULT : 0;
}

#define GRND_NONBLOCK 0x1
#define GRND_RANDOM   0x2
#define GRND_INSECURE 0x4
#define GETRANDOM_CHUNK 256

SYSCALL_DEFINE3(getrandom, void __user *, buf, size_t, len, unsigned int, flags)
{
	u8 tmp[GETRANDOM_CHUNK];
	size_t done = 0;

	if (flags & ~(GRND_NONBLOCK | GRND_RANDOM | GRND_INSECURE))
		return -EINVAL;
	if ((flags & (GRND_INSECURE | GRND_RANDOM)) ==
	    (GRND_INSECURE | GRND_RANDOM))
		return -EINVAL;
	if (len > 0x7fffffff)
		len = 0x7fffffff;
	if (!access_ok(buf, len))
		return -EFAULT;
	while (done < len) {
		size_t n = len - done < sizeof(tmp) ? len - done : sizeof(tmp);

		get_random_bytes(tmp, n);
		if (copy_to_user((u8 __user *)buf + done, tmp, n)) {
			memset(tmp, 0, sizeof(tmp));
			return done ? (long)done : -EFAULT;
		}
		done += n;
		if (done < len && READ_ONCE(current->signal_pending))
			break;          /* Linux returns the partial count */
		cond_resched();
	}
	memset(tmp, 0, sizeof(tmp));
	return done;
}

#define LINUX_REBOOT_MAGIC1       0xfee1dead
#define LINUX_REBOOT_MAGIC2       672274793
#define LINUX_REBOOT_MAGIC2A      85072278
#define LINUX_REBOOT_MAGIC2B      369367448
#define LINUX_REBOOT_MAGIC2C      537993216
#define LINUX_REBOOT_CMD_RESTART  0x01234567
#define LINUX_REBOOT_CMD_HALT     0xcdef0123
#define LINUX_REBOOT_CMD_POWER_OFF 0x4321fedc
#define LINUX_REBOOT_CMD_CAD_ON   0x89abcdef
#define LINUX_REBOOT_CMD_CAD_OFF  0x00000000

SYSCALL_DEFINE4(reboot, int, magic1, int, magic2, unsigned int, cmd,
		void __user *, arg)
{
	if (!cred_is_root(current_cred()))
		return -EPERM;
	if ((u32)magic1 != LINUX_REBOOT_MAGIC1 ||
	    (magic2 != LINUX_REBOOT_MAGIC2 && magic2 != LINUX_REBOOT_MAGIC2A &&
	     magic2 != LINUX_REBOOT_MAGIC2B && magic2 != LINUX_REBOOT_MAGIC2C))
		return -EINVAL;
	switch (cmd) {
	case LINUX_REBOOT_CMD_CAD_ON:
	case LINUX_REBOOT_CMD_CAD_OFF:
		return 0;       /* Keel has no Ctrl-Alt-Del handling to switch */
	case LINUX_REBOOT_CMD_RESTART:
		pr_notice("reboot: restarting system\n");
		acpi_reboot();
		arch_reset();
	case LINUX_REBOOT_CMD_HALT:
		pr_notice("reboot: system halted\n");
		arch_halt_forever();
	case LINUX_REBOOT_CMD_POWER_OFF:
		pr_notice("reboot: power down\n");
		acpi_poweroff();
		pr_notice("reboot: power off failed; halting\n");
		arch_halt_forever();
	default:
		return -EINVAL;
	}
}
