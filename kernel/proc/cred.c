/*
 * Credentials: the real, effective, saved and file-system user and group
 * ids and the supplementary groups of a process, and the set*id system
 * calls with Linux's permission rules (credentials(7), setresuid(2)).
 *
 * Keel keeps credentials per process (POSIX semantics: a set*id call
 * changes every thread), under process->lock. "Privileged" means euid 0
 * (Keel has no capability sets yet); the file-system ids follow the
 * effective ones on every change, as Linux does.
 *
 * Supplementary groups are kept inline, at most CRED_GROUPS_INLINE (32);
 * setgroups() with more returns -EINVAL (Linux accepts up to 65536).
 */
#include <keel/errno.h>
#include <keel/syscall.h>
#include <keel/task.h>
#include <keel/uaccess.h>

const struct cred root_cred;    /* all ids 0, no groups */

bool cred_in_group(const struct cred *c, gid_t gid)
{
	if (c->fsgid == gid)
		return true;
	for (unsigned int i = 0; i < c->ngroups; i++)
		if (c->groups[i] == gid)
			return true;
	return false;
}

void cred_fix_caps(struct cred *c, uid_t r, uid_t e, uid_t s)
{
	bool had_root = r == 0 || e == 0 || s == 0;

	if (had_root && c->uid && c->euid && c->suid) {
		c->cap_permitted = 0;
		c->cap_effective = 0;
	}
	if (e == 0 && c->euid != 0)
		c->cap_effective = 0;
	if (e != 0 && c->euid == 0)
		c->cap_effective = c->cap_permitted;
}

#define ID_KEEP ((u32)-1)

/* Is @id one of the three ids an unprivileged caller may switch to? */
static bool id_is_own(u32 id, u32 r, u32 e, u32 s)
{
	return id == r || id == e || id == s;
}

/*
 * Apply setresuid (@setgid false) or setresgid semantics to the calling
 * process: each of @r, @e, @s is an id or ID_KEEP. Unprivileged callers
 * may only pick among their current real, effective and saved ids.
 */
static long set_res_ids(bool setgid, u32 r, u32 e, u32 s)
{
	struct process *p = current_process();
	struct cred *c = &p->cred;
	u32 *ids[3];
	u32 want[3] = { r, e, s };
	long err = 0;

	spin_lock(&p->lock);
	if (setgid) {
		ids[0] = &c->gid; ids[1] = &c->egid; ids[2] = &c->sgid;
	} else {
		ids[0] = &c->uid; ids[1] = &c->euid; ids[2] = &c->suid;
	}
	if (!cred_is_root(c)) {
		for (int i = 0; i < 3; i++)
			if (want[i] != ID_KEEP &&
			    !id_is_own(want[i], *ids[0], *ids[1], *ids[2]))
				err = -EPERM;
	}
	if (!err) {
		uid_t r = c->uid, e = c->euid, s = c->suid;

		for (int i = 0; i < 3; i++)
			if (want[i] != ID_KEEP)
				*ids[i] = want[i];
		if (setgid) {
			c->fsgid = c->egid;
		} else {
			c->fsuid = c->euid;
			cred_fix_caps(c, r, e, s);
		}
	}
	spin_unlock(&p->lock);
	return err;
}

SYSCALL_DEFINE3(setresuid, uid_t, ruid, uid_t, euid, uid_t, suid)
{
	return set_res_ids(false, ruid, euid, suid);
}

SYSCALL_DEFINE3(setresgid, gid_t, rgid, gid_t, egid, gid_t, sgid)
{
	return set_res_ids(true, rgid, egid, sgid);
}

/*
 * setreuid/setregid: the real id may become the real or effective one; the
 * effective id any of the three; the saved id follows the new effective
 * id when the real id is set or the effective one differs from the old
 * real id.
 */
static long set_re_ids(bool setgid, u32 r, u32 e)
{
	struct process *p = current_process();
	struct cred *c = &p->cred;
	u32 *rid, *eid, *sid, *fsid;
	u32 old_r;
	long err = 0;

	spin_lock(&p->lock);
	if (setgid) {
		rid = &c->gid; eid = &c->egid; sid = &c->sgid; fsid = &c->fsgid;
	} else {
		rid = &c->uid; eid = &c->euid; sid = &c->suid; fsid = &c->fsuid;
	}
	old_r = *rid;
	if (!cred_is_root(c)) {
		if (r != ID_KEEP && r != *rid && r != *eid)
			err = -EPERM;
		if (e != ID_KEEP && !id_is_own(e, *rid, *eid, *sid))
			err = -EPERM;
	}
	if (!err) {
		uid_t or = c->uid, oe = c->euid, os = c->suid;

		if (r != ID_KEEP)
			*rid = r;
		if (e != ID_KEEP)
			*eid = e;
		if (r != ID_KEEP || (e != ID_KEEP && e != old_r))
			*sid = *eid;
		*fsid = *eid;
		if (!setgid)
			cred_fix_caps(c, or, oe, os);
	}
	spin_unlock(&p->lock);
	return err;
}

SYSCALL_DEFINE2(setreuid, uid_t, ruid, uid_t, euid)
{
	return set_re_ids(false, ruid, euid);
}

SYSCALL_DEFINE2(setregid, gid_t, rgid, gid_t, egid)
{
	return set_re_ids(true, rgid, egid);
}

/* setuid/setgid: privileged callers set all three; others only the effective. */
static long set_one_id(bool setgid, u32 id)
{
	struct process *p = current_process();
	struct cred *c = &p->cred;
	long err = 0;

	uid_t or, oe, os;

	if (id == ID_KEEP)
		return -EINVAL;
	spin_lock(&p->lock);
	or = c->uid;
	oe = c->euid;
	os = c->suid;
	if (cred_is_root(c)) {
		if (setgid)
			c->gid = c->egid = c->sgid = c->fsgid = id;
		else
			c->uid = c->euid = c->suid = c->fsuid = id;
	} else if (setgid ? id_is_own(id, c->gid, c->gid, c->sgid)
			  : id_is_own(id, c->uid, c->uid, c->suid)) {
		if (setgid)
			c->egid = c->fsgid = id;
		else
			c->euid = c->fsuid = id;
	} else {
		err = -EPERM;
	}
	if (!err && !setgid)
		cred_fix_caps(c, or, oe, os);
	spin_unlock(&p->lock);
	return err;
}

SYSCALL_DEFINE1(setuid, uid_t, uid)
{
	return set_one_id(false, uid);
}

SYSCALL_DEFINE1(setgid, gid_t, gid)
{
	return set_one_id(true, gid);
}

/* setfsuid/setfsgid: always return the old value; change it when allowed. */
static long set_fs_id(bool setgid, u32 id)
{
	struct process *p = current_process();
	struct cred *c = &p->cred;
	u32 old;

	spin_lock(&p->lock);
	old = setgid ? c->fsgid : c->fsuid;
	if (id != ID_KEEP) {
		bool ok = cred_is_root(c) ||
			(setgid ? id_is_own(id, c->gid, c->egid, c->sgid) || id == c->fsgid
				: id_is_own(id, c->uid, c->euid, c->suid) || id == c->fsuid);

		if (ok) {
			if (setgid)
				c->fsgid = id;
			else
				c->fsuid = id;
		}
	}
	spin_unlock(&p->lock);
	return old;
}

SYSCALL_DEFINE1(setfsuid, uid_t, uid)
{
	return set_fs_id(false, uid);
}

SYSCALL_DEFINE1(setfsgid, gid_t, gid)
{
	return set_fs_id(true, gid);
}

SYSCALL_DEFINE0(getuid)
{
	return current_cred()->uid;
}

SYSCALL_DEFINE0(geteuid)
{
	return current_cred()->euid;
}

SYSCALL_DEFINE0(getgid)
{
	return current_cred()->gid;
}

SYSCALL_DEFINE0(getegid)
{
	return current_cred()->egid;
}

static long get_res_ids(bool getgid, u32 __user *r, u32 __user *e, u32 __user *s)
{
	struct process *p = current_process();
	u32 ids[3];

	spin_lock(&p->lock);
	if (getgid) {
		ids[0] = p->cred.gid; ids[1] = p->cred.egid; ids[2] = p->cred.sgid;
	} else {
		ids[0] = p->cred.uid; ids[1] = p->cred.euid; ids[2] = p->cred.suid;
	}
	spin_unlock(&p->lock);
	if (put_user(ids[0], r) || put_user(ids[1], e) || put_user(ids[2], s))
		return -EFAULT;
	return 0;
}

SYSCALL_DEFINE3(getresuid, uid_t __user *, ruid, uid_t __user *, euid,
		uid_t __user *, suid)
{
	return get_res_ids(false, ruid, euid, suid);
}

SYSCALL_DEFINE3(getresgid, gid_t __user *, rgid, gid_t __user *, egid,
		gid_t __user *, sgid)
{
	return get_res_ids(true, rgid, egid, sgid);
}

SYSCALL_DEFINE2(getgroups, int, size, gid_t __user *, list)
{
	struct process *p = current_process();
	gid_t groups[CRED_GROUPS_INLINE];
	unsigned int n;

	if (size < 0)
		return -EINVAL;
	spin_lock(&p->lock);
	n = p->cred.ngroups;
	memcpy(groups, p->cred.groups, n * sizeof(gid_t));
	spin_unlock(&p->lock);
	if (size == 0)
		return n;
	if ((unsigned int)size < n)
		return -EINVAL;
	if (copy_to_user(list, groups, n * sizeof(gid_t)))
		return -EFAULT;
	return n;
}

SYSCALL_DEFINE2(setgroups, int, size, const gid_t __user *, list)
{
	struct process *p = current_process();
	gid_t groups[CRED_GROUPS_INLINE];

	if (!cred_is_root(current_cred()))
		return -EPERM;
	if (size < 0 || size > NGROUPS_MAX)
		return -EINVAL;
	if (size > CRED_GROUPS_INLINE)
		return -EINVAL;     /* Keel's limit; see the file head */
	if (copy_from_user(groups, list, size * sizeof(gid_t)))
		return -EFAULT;
	spin_lock(&p->lock);
	memcpy(p->cred.groups, groups, size * sizeof(gid_t));
	p->cred.ngroups = size;
	spin_unlock(&p->lock);
	return 0;
}

/* ---- capget / capset (capabilities(7)) ------------------------------------ */

#define LINUX_CAPABILITY_VERSION_1 0x19980330
#define LINUX_CAPABILITY_VERSION_2 0x20071026
#define LINUX_CAPABILITY_VERSION_3 0x20080522

struct cap_header_user {
	u32 version;
	int pid;
};

struct cap_data_user {
	u32 effective, permitted, inheritable;
};

/* Check the header; a wrong version is answered with the preferred one. */
static long cap_check_header(struct cap_header_user __user *uh,
			     struct cap_header_user *h, unsigned int *words)
{
	if (copy_from_user(h, uh, sizeof(*h)))
		return -EFAULT;
	switch (h->version) {
	case LINUX_CAPABILITY_VERSION_1:
		*words = 1;
		return 0;
	case LINUX_CAPABILITY_VERSION_2:
	case LINUX_CAPABILITY_VERSION_3:
		*words = 2;
		return 0;
	default:
		if (put_user((u32)LINUX_CAPABILITY_VERSION_3, &uh->version))
			return -EFAULT;
		return -EINVAL;
	}
}

SYSCALL_DEFINE2(capget, struct cap_header_user __user *, uh,
		struct cap_data_user __user *, udata)
{
	struct cap_header_user h;
	struct cap_data_user d[2];
	struct process *p;
	unsigned int words;
	u64 eff, prm, inh;
	long err = cap_check_header(uh, &h, &words);

	if (err)
		return udata || err != -EINVAL ? err : 0;  /* probing: NULL data */
	if (h.pid < 0)
		return -EINVAL;
	spin_lock(&tasklist_lock);
	p = h.pid ? process_by_pid(h.pid) : current_process();
	if (!p || p->state != PROCESS_ALIVE) {
		spin_unlock(&tasklist_lock);
		return -ESRCH;
	}
	spin_lock(&p->lock);
	eff = p->cred.cap_effective;
	prm = p->cred.cap_permitted;
	inh = p->cred.cap_inheritable;
	spin_unlock(&p->lock);
	spin_unlock(&tasklist_lock);
	for (unsigned int i = 0; i < 2; i++) {
		d[i].effective = (u32)(eff >> (32 * i));
		d[i].permitted = (u32)(prm >> (32 * i));
		d[i].inheritable = (u32)(inh >> (32 * i));
	}
	if (udata && copy_to_user(udata, d, words * sizeof(d[0])))
		return -EFAULT;
	return 0;
}

SYSCALL_DEFINE2(capset, struct cap_header_user __user *, uh,
		const struct cap_data_user __user *, udata)
{
	struct cap_header_user h;
	struct cap_data_user d[2] = { 0 };
	struct process *p = current_process();
	struct cred *c = &p->cred;
	unsigned int words;
	u64 eff = 0, prm = 0, inh = 0;
	long err = cap_check_header(uh, &h, &words);

	if (err)
		return err;
	if (h.pid && h.pid != p->pid)
		return -EPERM;          /* only one's own sets (Linux since 2.6.24) */
	if (copy_from_user(d, udata, words * sizeof(d[0])))
		return -EFAULT;
	for (unsigned int i = 0; i < words; i++) {
		eff |= (u64)d[i].effective << (32 * i);
		prm |= (u64)d[i].permitted << (32 * i);
		inh |= (u64)d[i].inheritable << (32 * i);
	}
	spin_lock(&p->lock);
	/* No new permitted bits; effective within permitted; inheritable
	 * within the old inheritable and permitted (no CAP_SETPCAP model). */
	if ((prm & ~c->cap_permitted) || (eff & ~prm) ||
	    (inh & ~(c->cap_inheritable | c->cap_permitted)))
		err = -EPERM;
	else {
		c->cap_permitted = prm & CAP_FULL_SET;
		c->cap_effective = eff & CAP_FULL_SET;
		c->cap_inheritable = inh & CAP_FULL_SET;
	}
	spin_unlock(&p->lock);
	return err;
}
