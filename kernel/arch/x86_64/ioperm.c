/*
 * ioperm(2): per-task I/O port permissions through the TSS I/O bitmap.
 *
 * A task that called ioperm() owns an 8 KiB bitmap (struct x86_io_bitmap,
 * a 0 bit allows the port); fork and clone copy it, exec keeps it (Linux's
 * rules). The CPU reads the bitmap from the TSS (struct x86_tss_area), so
 * switching to such a task copies its bitmap there; every other thread
 * runs with iomap_base past the TSS limit, which refuses all ports at the
 * cost of one 16-bit store per switch.
 *
 * The copy is skipped when the TSS already holds the same content: each
 * change of a bitmap takes a new number from one global sequence, and the
 * CPU remembers the number it loaded. Only the first io_bitmap_max bytes
 * of the TSS copy can hold 0 bits, so a load writes max(old, new max)
 * bytes and the rest of the TSS copy stays all ones.
 *
 * IOPL stays 0 for user code (iopl() is not implemented), so the bitmap
 * alone decides.
 */
#include <keel/errno.h>
#include <keel/preempt.h>
#include <keel/sched.h>
#include <keel/slab.h>
#include <keel/string.h>
#include <keel/syscall.h>
#include <keel/task.h>
#include <asm/x86.h>

static u64 io_bitmap_sequence;          /* [a] last number handed out */

static u64 next_seq(void)
{
	return __atomic_add_fetch(&io_bitmap_sequence, 1, __ATOMIC_RELAXED);
}

/*
 * x86_io_bitmap_switch - make this CPU's TSS give @next's permissions.
 * Context: interrupts off (the scheduler's switch, or ioperm itself).
 */
void x86_io_bitmap_switch(struct thread *next)
{
	struct x86_percpu *pc = x86_this_cpu();
	struct x86_thread_user *u = next ? next->arch_user : NULL;
	struct x86_io_bitmap *bm = u ? u->io_bitmap : NULL;
	unsigned int n;

	if (!bm) {
		pc->tss.hw.iomap_base = X86_IOMAP_INVALID;
		return;
	}
	if (pc->io_bitmap_seq != bm->seq) {
		n = bm->max > pc->io_bitmap_max ? bm->max : pc->io_bitmap_max;
		memcpy(pc->tss.io_bitmap, bm->map, n);
		pc->io_bitmap_seq = bm->seq;
		pc->io_bitmap_max = bm->max;
	}
	pc->tss.hw.iomap_base = X86_IOMAP_VALID;
}

int x86_io_bitmap_copy(struct x86_thread_user *dst,
		       const struct x86_thread_user *src)
{
	dst->io_bitmap = NULL;
	if (!src->io_bitmap)
		return 0;
	dst->io_bitmap = kmalloc(sizeof(*dst->io_bitmap), GFP_KERNEL);
	if (!dst->io_bitmap)
		return -ENOMEM;
	memcpy(dst->io_bitmap, src->io_bitmap, sizeof(*dst->io_bitmap));
	return 0;
}

void x86_io_bitmap_free(struct x86_thread_user *u)
{
	kfree(u->io_bitmap);
	u->io_bitmap = NULL;
}

static void bitmap_set_range(u8 *map, unsigned long from, unsigned long num,
			     bool allow)
{
	unsigned long p;

	for (p = from; p < from + num; p++) {
		if (allow)
			map[p / 8] &= ~(1U << (p % 8));
		else
			map[p / 8] |= 1U << (p % 8);
	}
}

/* Bytes from the start up to the last one holding an allowed port. */
static unsigned int bitmap_extent(const u8 *map)
{
	unsigned int n = IO_BITMAP_BYTES;

	while (n && map[n - 1] == 0xff)
		n--;
	return n;
}

/* Load the caller's new permissions now (it is running). */
static void reload_current(void)
{
	unsigned long flags = arch_irq_save();

	x86_io_bitmap_switch(current);
	arch_irq_restore(flags);
}

/*
 * ioperm - Linux's ksys_ioperm: -EINVAL for an empty range or one past
 * port 65535, -EPERM to grant without privilege (euid 0 in Keel; dropping
 * needs none), -ENOMEM. Dropping the last allowed port frees the bitmap.
 */
SYSCALL_DEFINE3(ioperm, unsigned long, from, unsigned long, num, int, turn_on)
{
	struct x86_thread_user *u = current->arch_user;
	struct x86_io_bitmap *bm;
	unsigned int max;

	if (from + num <= from || from + num > IO_BITMAP_BITS)
		return -EINVAL;
	if (turn_on && !cred_is_root(current_cred_or_root()))
		return -EPERM;
	if (!u)
		return -EINVAL;
	bm = u->io_bitmap;
	if (!bm) {
		if (!turn_on)
			return 0;
		bm = kmalloc(sizeof(*bm), GFP_KERNEL);
		if (!bm)
			return -ENOMEM;
		memset(bm->map, 0xff, sizeof(bm->map));
		bm->max = 0;
		u->io_bitmap = bm;
	}
	bitmap_set_range(bm->map, from, num, turn_on);
	max = bitmap_extent(bm->map);
	if (!max) {
		x86_io_bitmap_free(u);
	} else {
		bm->max = max;
		bm->seq = next_seq();
	}
	reload_current();
	return 0;
}
