/*
 * x86_64 frame-pointer unwinder.
 *
 * The kernel is built with frame pointers: each frame starts with the saved
 * caller RBP at [rbp] and the return address at [rbp + 8]. The walk only
 * dereferences frame pointers that lie inside a known kernel stack and only
 * moves towards older (higher) frames, so a corrupt chain ends the backtrace
 * instead of faulting inside the panic path.
 */
#include <keel/arch.h>
#include <asm/x86.h>

bool arch_unwind_next(struct arch_frame *f)
{
	unsigned long lo, hi, next_fp, pc;

	if (!f->fp || (f->fp & 7))
		return false;
	if (!x86_stack_bounds(f->fp, &lo, &hi) || f->fp + 16 > hi)
		return false;
	next_fp = ((unsigned long *)f->fp)[0];
	pc = ((unsigned long *)f->fp)[1];
	if (!pc)
		return false;
	/*
	 * Older frames sit higher on the same stack. A frame on an exception
	 * (IST) stack may continue on the interrupted stack, which the next
	 * step checks against the known stacks again.
	 */
	if (next_fp >= lo && next_fp < hi && next_fp <= f->fp)
		return false;
	f->pc = pc;
	f->fp = next_fp;
	return true;
}
