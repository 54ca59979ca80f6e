/*
 * Core dumps: an ELF core file ("core" in the working directory, Linux's
 * default core_pattern) written when a signal whose default action is to
 * dump core kills a process, if RLIMIT_CORE allows and the process is
 * dumpable. The wait status then carries the core bit (0x80), as core(5)
 * says: the bit means "a dump was written".
 *
 * Layout (what gdb and readelf expect of Linux's cores): the ELF header,
 * the program headers — one PT_NOTE, then one PT_LOAD per mapping — the
 * notes (NT_PRSTATUS with the dumping thread's registers, NT_PRPSINFO),
 * then each mapping's bytes at a page-aligned offset. Unreadable
 * mappings (PROT_NONE) get a header with no bytes. RLIMIT_CORE caps the
 * file: what does not fit is left out (Linux truncates the same way).
 * Only the dumping thread's registers are recorded; other threads of the
 * process keep running while the dump is written (Linux stops them first).
 */
#include <keel/err.h>
#include <keel/errno.h>
#include <keel/mm_space.h>
#include <keel/slab.h>
#include <keel/string.h>
#include <keel/task.h>
#include <keel/vfs.h>
#include <uapi/elf.h>
#include <uapi/fcntl.h>

#include "proc_internal.h"

#define NT_PRSTATUS     1
#define NT_PRPSINFO     3
#define CORE_MAX_SEGS   256

struct elf_prstatus_x86 {
	int si_signo, si_code, si_errno;
	short pr_cursig;
	short pad0;
	unsigned long pr_sigpend, pr_sighold;
	int pr_pid, pr_ppid, pr_pgrp, pr_sid;
	struct { long sec, usec; } pr_utime, pr_stime, pr_cutime, pr_cstime;
	u64 pr_reg[ARCH_ELF_NGREG];
	int pr_fpvalid;
	int pad1;
};
STATIC_ASSERT(sizeof(struct elf_prstatus_x86) == 336, "Linux's elf_prstatus");

struct elf_prpsinfo_x86 {
	char pr_state, pr_sname, pr_zomb, pr_nice;
	int pad0;
	unsigned long pr_flag;
	unsigned int pr_uid, pr_gid;
	int pr_pid, pr_ppid, pr_pgrp, pr_sid;
	char pr_fname[16];
	char pr_psargs[80];
};
STATIC_ASSERT(sizeof(struct elf_prpsinfo_x86) == 136, "Linux's elf_prpsinfo");

struct core_seg {
	vaddr_t start, end;
	u32 flags;              /* PF_* */
	bool readable;
};

struct core_writer {
	struct file *f;
	loff_t pos;
	u64 limit;              /* RLIMIT_CORE */
	bool full;              /* the limit was reached */
};

/* Append @n bytes (or zeros for NULL) within the limit. */
static int core_emit(struct core_writer *w, const void *buf, size_t n)
{
	static const char zeros[64];

	if (w->full || (u64)w->pos + n > w->limit) {
		w->full = true;
		return 0;
	}
	while (n) {
		size_t c = buf ? n : (n < sizeof(zeros) ? n : sizeof(zeros));
		ssize_t r = kernel_write(w->f, buf ? buf : zeros, c, w->pos);

		if (r <= 0)
			return r < 0 ? (int)r : -EIO;
		w->pos += r;
		n -= r;
		if (buf)
			buf = (const char *)buf + r;
	}
	return 0;
}

static int core_note(struct core_writer *w, u32 type, const void *desc, u32 size)
{
	struct { u32 namesz, descsz, type; char name[8]; } h = {
		5, size, type, "CORE",
	};
	int err = core_emit(w, &h, sizeof(h));

	if (!err)
		err = core_emit(w, desc, size);
	if (!err && (size & 3))
		err = core_emit(w, NULL, 4 - (size & 3));
	return err;
}

static u32 note_bytes(u32 desc)
{
	return 12 + 8 + ((desc + 3) & ~3u);
}

/* Snapshot the mappings of @mm (at most CORE_MAX_SEGS). */
static unsigned int core_collect(struct mm *mm, struct core_seg *segs)
{
	struct vm_area *v;
	unsigned int n = 0;

	down_read(&mm->mmap_lock);
	for_each_vma(mm, v) {
		if (n == CORE_MAX_SEGS)
			break;
		segs[n].start = v->start;
		segs[n].end = v->end;
		segs[n].flags = (v->flags & VMA_READ ? PF_R : 0) |
				(v->flags & VMA_WRITE ? PF_W : 0) |
				(v->flags & VMA_EXEC ? PF_X : 0);
		segs[n].readable = v->flags & VMA_READ;
		n++;
	}
	up_read(&mm->mmap_lock);
	return n;
}

static void core_fill_status(struct elf_prstatus_x86 *st,
			     struct elf_prpsinfo_x86 *ps, int sig)
{
	struct task *t = current_task();
	struct process *p = t->proc;

	memset(st, 0, sizeof(*st));
	memset(ps, 0, sizeof(*ps));
	st->si_signo = st->pr_cursig = sig;
	st->pr_sighold = t->sig.blocked;
	st->pr_pid = t->tid;
	spin_lock(&tasklist_lock);
	st->pr_ppid = p->parent ? p->parent->pid : 0;
	st->pr_pgrp = p->pgid;
	st->pr_sid = p->sid;
	spin_unlock(&tasklist_lock);
	arch_elf_core_regs(arch_user_regs(current), st->pr_reg);
	ps->pr_state = 0;
	ps->pr_sname = 'R';
	ps->pr_uid = p->cred.uid;
	ps->pr_gid = p->cred.gid;
	ps->pr_pid = p->pid;
	ps->pr_ppid = st->pr_ppid;
	ps->pr_pgrp = st->pr_pgrp;
	ps->pr_sid = st->pr_sid;
	strlcpy(ps->pr_fname, p->comm, sizeof(ps->pr_fname));
	strlcpy(ps->pr_psargs, p->comm, sizeof(ps->pr_psargs));
}

/* Header, program headers and notes; then every readable mapping. */
static int core_write(struct core_writer *w, struct mm *mm, int sig,
		      struct core_seg *segs, unsigned int n)
{
	struct elf_prstatus_x86 st;
	struct elf_prpsinfo_x86 ps;
	u32 notes = note_bytes(sizeof(st)) + note_bytes(sizeof(ps));
	u64 off = sizeof(Elf64_Ehdr) + (n + 1) * sizeof(Elf64_Phdr);
	u64 data = PAGE_ALIGN(off + notes);
	Elf64_Ehdr eh = { .e_type = ET_CORE, .e_machine = EM_X86_64,
		.e_version = EV_CURRENT, .e_phoff = sizeof(Elf64_Ehdr),
		.e_ehsize = sizeof(Elf64_Ehdr), .e_phentsize = sizeof(Elf64_Phdr),
		.e_phnum = n + 1 };
	Elf64_Phdr ph = { .p_type = PT_NOTE, .p_offset = off, .p_filesz = notes,
			  .p_align = 4 };
	char *buf;
	int err;

	memcpy(eh.e_ident, ELFMAG, 4);
	eh.e_ident[EI_CLASS] = ELFCLASS64;
	eh.e_ident[EI_DATA] = ELFDATA2LSB;
	eh.e_ident[EI_VERSION] = EV_CURRENT;
	err = core_emit(w, &eh, sizeof(eh)) ?: core_emit(w, &ph, sizeof(ph));
	for (unsigned int i = 0; i < n && !err; i++) {
		u64 size = segs[i].readable ? segs[i].end - segs[i].start : 0;

		ph = (Elf64_Phdr){ .p_type = PT_LOAD, .p_flags = segs[i].flags,
			.p_offset = data, .p_vaddr = segs[i].start,
			.p_filesz = size, .p_memsz = segs[i].end - segs[i].start,
			.p_align = PAGE_SIZE };
		data += size;
		err = core_emit(w, &ph, sizeof(ph));
	}
	core_fill_status(&st, &ps, sig);
	err = err ?: core_note(w, NT_PRSTATUS, &st, sizeof(st)) ?:
	      core_note(w, NT_PRPSINFO, &ps, sizeof(ps)) ?:
	      core_emit(w, NULL, PAGE_ALIGN(w->pos) - w->pos);
	buf = kmalloc(PAGE_SIZE, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	for (unsigned int i = 0; i < n && !err && !w->full; i++) {
		for (vaddr_t va = segs[i].start; segs[i].readable &&
		     va < segs[i].end && !err && !w->full; va += PAGE_SIZE) {
			/* Holes and unreadable pages are written as zeros. */
			long got = mm_read(mm, va, buf, PAGE_SIZE);

			if (got < (long)PAGE_SIZE)
				memset(buf + (got > 0 ? got : 0), 0,
				       PAGE_SIZE - (got > 0 ? got : 0));
			err = core_emit(w, buf, PAGE_SIZE);
		}
	}
	kfree(buf);
	return err;
}

int coredump_write(int sig)
{
	struct task *t = current_task();
	struct core_writer w = { .limit = task_rlimit(RLIMIT_CORE) };
	struct core_seg *segs;
	unsigned int n;
	int err;

	if (!w.limit || !t->mm || !READ_ONCE(t->proc->dumpable))
		return -EPERM;
	segs = kmalloc(CORE_MAX_SEGS * sizeof(*segs), GFP_KERNEL);
	if (!segs)
		return -ENOMEM;
	w.f = file_open_kernel("core", O_CREAT | O_WRONLY | O_TRUNC | O_NOFOLLOW,
			       0600);
	if (IS_ERR(w.f)) {
		kfree(segs);
		return PTR_ERR(w.f);
	}
	n = core_collect(t->mm, segs);
	err = core_write(&w, t->mm, sig, segs, n);
	fput(w.f);
	kfree(segs);
	/* A dump cut short by RLIMIT_CORE still counts as written. */
	return err;
}
