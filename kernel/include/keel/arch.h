/*
 * The arch boundary: everything generic code may ask of the architecture.
 *
 * Declared here, implemented once per architecture under kernel/arch/<arch>/
 * and selected at build time by ARCH=. Small primitives are static inline in
 * <asm/arch_inline.h>, which every architecture provides; the rest are plain
 * functions. Generic code includes only this header, never <asm/...> files
 * of its own accord.
 *
 * Later issues extend this list (IRQ controller, timer, paging, context
 * switch, user entry, signal frames, user copy, FPU state).
 */
#ifndef KEEL_ARCH_H
#define KEEL_ARCH_H

#include <keel/compiler.h>
#include <keel/types.h>

struct boot_info;

/* ---- interrupts (asm/arch_inline.h) ---------------------------------------
 *	void arch_irq_enable(void);
 *	void arch_irq_disable(void);
 *	unsigned long arch_irq_save(void);      disable, return previous state
 *	void arch_irq_restore(unsigned long);
 *	bool arch_irqs_enabled(void);
 *	void arch_cpu_relax(void);              spin-wait hint (pause)
 *	void arch_halt(void);                   wait for an interrupt
 *	void arch_idle_wait(void);              enable interrupts and wait for
 *	                one, atomically (called with interrupts off, so a
 *	                wake-up between the caller's check and the wait
 *	                still ends the wait)
 *	unsigned long arch_frame_address(void); current frame pointer
 *
 * Architectures with an I/O port space define ARCH_HAS_PORT_IO and
 *	u8 arch_pio_read8(unsigned long port);
 *	void arch_pio_write8(unsigned long port, u8 value);
 *	u16 arch_pio_read16(unsigned long port);
 *	void arch_pio_write16(unsigned long port, u16 value);
 *	u32 arch_pio_read32(unsigned long port);
 *	void arch_pio_write32(unsigned long port, u32 value);
 *
 * ---- physical addresses (asm/arch_inline.h) ------------------------------
 *	unsigned int arch_phys_addr_bits(void); width of a physical address:
 *	                mapping anything at or above 1 << bits faults, so
 *	                addresses from firmware are checked against it first
 */
#include <asm/arch_inline.h>

/* ---- per-CPU scheduler state (asm/arch_inline.h) -------------------------
 * Each access is a single instruction on the running CPU's own slot, so it
 * is safe with preemption on (see <keel/preempt.h>):
 *	int arch_preempt_count(void);
 *	void arch_preempt_count_set(int);
 *	void arch_preempt_count_add(int);
 *	bool arch_preempt_count_sub_test(int);  true when it reached 0
 *	void *arch_current(void);               the running struct thread
 *	void arch_set_current(void *);
 *	bool arch_need_resched(void);
 *	void arch_set_need_resched(bool);
 */

/* ARCH_NAME, e.g. "x86_64", comes from the Makefile (-DARCH_NAME). */

/* ---- CPUs ---------------------------------------------------------------- */

/* arch_cpu_id - index of the running CPU (0 = boot CPU). Context: any. */
unsigned int arch_cpu_id(void);

/*
 * arch_cpu_describe - one human-readable line about the boot CPU
 * ("GenuineIntel Intel(R) Core(TM) ... family 6 model 85").
 */
void arch_cpu_describe(char *buf, size_t size);

/* ---- clock --------------------------------------------------------------- */

/*
 * arch_clock_ns - nanoseconds since the kernel was entered; 0 until the
 * clock is calibrated. Monotonic. Context: any.
 */
u64 arch_clock_ns(void);

/*
 * arch_cycles - a free-running CPU cycle counter (x86: the TSC), for
 * benchmarks that report cycles and for the user/system split of CPU time
 * (<keel/cputime.h>, read on every kernel entry and exit: keep it cheap).
 * Not comparable across CPUs.
 */
u64 arch_cycles(void);

/*
 * arch_get_random_seed - one 64-bit value from the CPU's hardware random
 * source (x86: RDSEED, else RDRAND), for seeding kernel/lib/random.c.
 * Return: false when the CPU has none or it failed repeatedly.
 * Context: any.
 */
bool arch_get_random_seed(u64 *v);

/* ---- clock sources (see <keel/time.h>) ----------------------------------
 *
 * arch_clocksource_init - calibrate the arch's counters and register them as
 * clock sources (x86: the TSC, calibrated against the HPET when one was
 * registered, else the PIT; the PIT itself as the last resort). Called once
 * by time_init(), after hpet_init(). Context: boot, one CPU.
 */
void arch_clocksource_init(void);

/* ---- interrupt lines -----------------------------------------------------
 *
 * Route device line @irq (see <keel/irq.h>) to a CPU and unmask it, or mask
 * it. The generic IRQ layer calls these; the arch calls irq_dispatch(irq)
 * when the line fires and takes care of the end-of-interrupt.
 */
int arch_irq_line_unmask(unsigned int irq);   /* 0 or -EINVAL (no route) */
void arch_irq_line_mask(unsigned int irq);

/*
 * arch_irq_init - set up the interrupt controllers of the boot CPU (after
 * acpi_init and the clocks); arch_smp_boot - start every other CPU the
 * firmware lists. Both leave interrupts off on the boot CPU.
 */
void arch_irq_init(void);
void arch_smp_boot(void);

/* ---- per-CPU timer -------------------------------------------------------
 *
 * One one-shot timer per CPU drives that CPU's timer queue
 * (kernel/sched/timer.c): arch_timer_program(deadline) makes the running
 * CPU take a timer interrupt, which calls timer_interrupt(), at monotonic
 * time @deadline_ns (0 disarms; a deadline in the past fires at once).
 * Context: interrupts off.
 */
void arch_timer_program(u64 deadline_ns);
/* False until the timer hardware is set up (or when there is none). */
bool arch_timer_available(void);

/* ---- platform ------------------------------------------------------------ */

/* Stop this CPU for good with interrupts off. */
__noreturn void arch_halt_forever(void);

/*
 * arch_stop_other_cpus - make every other CPU halt at once, even one
 * spinning with interrupts off (x86: an NMI). For panic; does not wait.
 */
void arch_stop_other_cpus(void);

/* Reset the machine. */
__noreturn void arch_reset(void);

/*
 * Exit codes for platform_test_exit(): the emulator turns them into its own
 * exit status (QEMU isa-debug-exit: (code << 1) | 1 = 33, 35, 37).
 */
#define TEST_EXIT_PASS  0x10
#define TEST_EXIT_FAIL  0x11
#define TEST_EXIT_PANIC 0x12

/*
 * arch_test_exit - end the emulator run with @code. If the machine has no
 * test-exit device this returns, and the caller halts instead.
 */
void arch_test_exit(unsigned int code);

/* ---- debugging ----------------------------------------------------------- */

/*
 * struct arch_frame - one step of a stack walk: a return address and the
 * frame it belongs to.
 */
struct arch_frame {
	unsigned long pc;
	unsigned long fp;
};

/*
 * arch_unwind_next - step from @f to its caller's frame.
 * Only follows frame pointers inside a known kernel stack, so a corrupt
 * frame chain ends the walk instead of faulting.
 * Return: true when @f now describes the caller.
 */
bool arch_unwind_next(struct arch_frame *f);

/* ---- MMU ----------------------------------------------------------------
 *
 * Page-table operations on an address space identified by the physical
 * address of its top-level table (@root). Protection is a combination of
 * VM_* flags from <keel/vm.h>. Intermediate tables come from
 * pgtable_alloc_page() (kernel/mm), so these work both before and after the
 * page allocator exists. None of these flush the TLB: the caller decides
 * (one page, a range, everything) after a batch of changes.
 */

/* (pgtable_alloc_page() is declared in <keel/memblock.h>.) */

/* Map one 4 KiB page. Return: 0, -ENOMEM, or -EEXIST if already mapped. */
int arch_map_page(paddr_t root, vaddr_t va, paddr_t pa, unsigned int prot);
/*
 * Map [va, va + size) to [pa, pa + size) using the largest pages the
 * alignment allows; @va and @pa must be page-aligned, @size is rounded up.
 * Return: 0, -EINVAL (misaligned) or -ENOMEM (what was mapped stays mapped).
 */
int arch_map_range(paddr_t root, vaddr_t va, paddr_t pa, u64 size,
		   unsigned int prot);
/* Unmap one 4 KiB page. Return: its physical address, or 0 if unmapped. */
paddr_t arch_unmap_page(paddr_t root, vaddr_t va);
/* Change a mapped 4 KiB page's protection. Return: 0 or -ENOENT. */
int arch_protect_page(paddr_t root, vaddr_t va, unsigned int prot);
/*
 * arch_translate - look @va up in @root.
 * Return: true if mapped; *@pa and *@prot (may be NULL) describe it.
 */
bool arch_translate(paddr_t root, vaddr_t va, paddr_t *pa, unsigned int *prot);
/* Make @root the running address space. */
void arch_switch_space(paddr_t root);
/* The kernel's own address space (built by arch_mmu_init). */
paddr_t arch_kernel_root(void);

/*
 * User address spaces (kernel/mm/space.c).
 *	arch_space_create: a new top-level table whose kernel half is the
 *		kernel's (shared, never changes) and whose user half is empty.
 *		Return: its physical address, or 0 (no memory).
 *	arch_space_destroy: free @root and every intermediate table of its
 *		user half; the pages mapped there are the caller's (unmap and
 *		release them first). The kernel half is left alone.
 *	arch_next_mapped: the first mapped 4 KiB page at or above *@va and
 *		below @end, skipping empty tables whole. Return: true with
 *		*@va set to it, false when there is none.
 *	arch_replace_page: point an already mapped @va at @pa with @prot.
 *		Return: the previous physical address, or 0 if unmapped
 *		(then nothing is mapped).
 *	arch_dup_range: fork's copy of [@start, @end) from @src into @dst
 *		(where nothing is mapped there yet) in one walk: each mapped
 *		page gets the same entry in @dst, made read-only in both first
 *		when @cow is set (copy-on-write), and @each(pa, @arg) is called
 *		before it is entered in @dst (to take a page reference).
 *		Return: 0, or -ENOMEM (a @dst table; what was entered stays).
 * A user page mapped with VM_USER and none of VM_READ/WRITE/EXEC
 * (PROT_NONE) stays recorded, and is reported by arch_translate (prot
 * VM_USER) and the calls above, but every access to it faults.
 */
paddr_t arch_space_create(void);
void arch_space_destroy(paddr_t root);
bool arch_next_mapped(paddr_t root, vaddr_t *va, vaddr_t end);
paddr_t arch_replace_page(paddr_t root, vaddr_t va, paddr_t pa,
			  unsigned int prot);
int arch_dup_range(paddr_t src, paddr_t dst, vaddr_t start, vaddr_t end,
		   bool cow, void (*each)(paddr_t pa, void *arg), void *arg);

void arch_tlb_flush_page(vaddr_t va);
void arch_tlb_flush_range(vaddr_t va, u64 size);
void arch_tlb_flush_all(void);

/*
 * arch_mmu_init - build the kernel address space from the sanitized memory
 * map (direct map of all RAM, the image mapped W^X, the vmalloc area's
 * top-level tables) and switch to it. Early boot, one CPU.
 */
struct memmap;
void arch_mmu_init(const struct memmap *mm);

/* Virtual range of the vmalloc area (kernel stacks, vmalloc). */
void arch_vmalloc_range(vaddr_t *start, vaddr_t *end);

/*
 * Probes that touch memory which may fault, for tests of the protections.
 * Return: 0 when the access worked, -EFAULT when it faulted.
 */
long arch_probe_read_u8(const void *addr, u8 *val);
long arch_probe_write_u8(void *addr, u8 val);
/* Call @addr as a function taking and returning nothing. */
long arch_probe_exec(const void *addr);

/*
 * arch_call_on_stack - call @fn(@arg) with the stack pointer at @stack_top,
 * then return on the original stack. For running code on a fresh stack
 * before threads exist (tests, boot).
 */
void arch_call_on_stack(void *stack_top, void (*fn)(void *), void *arg);

/* ---- user memory ----------------------------------------------------------
 *
 * Raw accesses to user space, for <keel/uaccess.h>; the rest of the kernel
 * uses that header, never these. They do NOT check that the address is a
 * user address: access_ok() against ARCH_USER_TOP (asm/arch_inline.h, the
 * first address above user space) is the caller's job, and it is the
 * security boundary. Each opens user access (x86: SMAP, STAC/CLAC) only for
 * its own duration and closes it on every exit. A fault on the user side
 * (not present, protection, non-canonical address) ends the access with the
 * result below instead of an oops.
 *
 *	arch_copy_from_user, arch_copy_to_user: copy @n bytes, stopping at the
 *		first byte that faults. Return: bytes NOT copied (0 = all).
 *	arch_strncpy_from_user: copy up to @n > 0 bytes of a string with its
 *		NUL. Return: the length before the NUL if one came within @n
 *		bytes, @n if none did (nothing terminated), -EFAULT on a fault.
 *	arch_strnlen_user: scan up to @n > 0 bytes. Return: the length
 *		including the NUL, @n + 1 if there was none, 0 on a fault.
 *	arch_get_user_N: read N bytes with one access into *@val (zero-
 *		extended). arch_put_user_N: write the low N bytes of @val with
 *		one access. Return: 0 or -EFAULT (*@val untouched then).
 */
unsigned long arch_copy_from_user(void *dst, const void __user *src,
				  unsigned long n);
unsigned long arch_copy_to_user(void __user *dst, const void *src,
				unsigned long n);
long arch_strncpy_from_user(char *dst, const char __user *src, long n);
long arch_strnlen_user(const char __user *s, long n);
long arch_get_user_1(const void __user *p, u64 *val);
long arch_get_user_2(const void __user *p, u64 *val);
long arch_get_user_4(const void __user *p, u64 *val);
long arch_get_user_8(const void __user *p, u64 *val);
long arch_put_user_1(void __user *p, u64 val);
long arch_put_user_2(void __user *p, u64 val);
long arch_put_user_4(void __user *p, u64 val);
long arch_put_user_8(void __user *p, u64 val);
/*
 * arch_cmpxchg_user_4 - one atomic compare-and-exchange of the aligned
 * 4-byte user word at @p (futexes): if it holds *@old, store @new; *@old
 * gets the value found either way. It needs write access even when the
 * comparison fails. Return: 0 or -EFAULT (*@old untouched then).
 */
long arch_cmpxchg_user_4(u32 __user *p, u32 *old, u32 new);

/* ---- threads --------------------------------------------------------------
 *
 * arch_thread_init_stack - lay out a new thread's first context on the
 * stack whose (exclusive) top is @stack_top, so that the first
 * arch_context_switch() to it calls @entry(@arg) with an aligned stack and
 * an empty frame chain. @entry never returns. Return: the saved stack
 * pointer to switch to.
 */
unsigned long arch_thread_init_stack(void *stack_top, void (*entry)(void *),
				     void *arg);
/*
 * arch_context_switch - save the running thread's callee-saved context on
 * its stack and its stack pointer in *@prev_sp, then resume the thread
 * whose saved stack pointer is @next_sp. Returns when something switches
 * back to *@prev_sp. Context: interrupts off, the scheduler's locks held.
 */
void arch_context_switch(unsigned long *prev_sp, unsigned long next_sp);

/* ---- user mode ------------------------------------------------------------
 *
 * struct user_regs is the arch's record of a task's user registers, saved
 * at the top of its kernel stack on every entry from user mode (x86: a
 * struct trap_frame, built by the SYSCALL entry and the interrupt stubs
 * alike) and loaded on the way back. Generic code treats it as opaque and
 * uses these accessors.
 */
struct user_regs;
struct thread;

/* The user register record of @t (at the top of its kernel stack). */
struct user_regs *arch_user_regs(struct thread *t);
/*
 * arch_user_regs_init - a fresh user register state for exec: every
 * general register zero, instruction pointer @ip, stack pointer @sp, user
 * segments, interrupts enabled, direction flag clear.
 */
void arch_user_regs_init(struct user_regs *r, unsigned long ip,
			 unsigned long sp);
/* Copy @src into @dst for fork/clone; the child sees 0 from the call. */
void arch_user_regs_fork(struct user_regs *dst, const struct user_regs *src);
void arch_user_regs_set_return(struct user_regs *r, long value);
void arch_user_regs_set_sp(struct user_regs *r, unsigned long sp);
unsigned long arch_user_regs_ip(const struct user_regs *r);
unsigned long arch_user_regs_sp(const struct user_regs *r);
/*
 * The system call the task entered with (its number), or -1 when @r was
 * saved by an interrupt or exception. For syscall restart: see
 * arch_user_regs_restart_syscall.
 */
long arch_user_regs_syscall_nr(const struct user_regs *r);
long arch_user_regs_return(const struct user_regs *r);
/* Make the task re-execute the system call it entered with (SA_RESTART),
 * or enter @nr instead (restart_syscall) when @nr >= 0. */
void arch_user_regs_restart_syscall(struct user_regs *r, long nr);

/*
 * arch_return_to_user - leave the kernel for user mode with @r (which must
 * be arch_user_regs(current)), after exit_to_user_mode(). A new task's
 * first kernel function ends with this.
 */
__noreturn void arch_return_to_user(struct user_regs *r);

/*
 * Per-thread arch user state (x86: the FPU/SSE/AVX area and the FS/GS
 * bases), in thread->arch_user.
 *	arch_thread_user_init: allocate it for a new task, in the initial
 *		state (as after exec). Return: 0 or -ENOMEM.
 *	arch_thread_user_copy: the child's copy of @src's (fork, clone); the
 *		caller is @src's task, running.
 *	arch_thread_user_reset: back to the initial state (exec), TLS bases 0.
 *	arch_thread_user_free: release it (the thread has stopped for good).
 *	arch_thread_set_tls: set the TLS pointer (x86: FS base) of @t, which
 *		is not running (clone CLONE_SETTLS).
 */
int arch_thread_user_init(struct thread *t);
int arch_thread_user_copy(struct thread *dst, struct thread *src);
void arch_thread_user_reset(struct thread *t);
void arch_thread_user_free(struct thread *t);
void arch_thread_set_tls(struct thread *t, unsigned long tls);
/*
 * arch_switch_user_state - called by the scheduler (through task_switch)
 * before switching from @prev to @next, interrupts off: save @prev's user
 * state that lives in the CPU (FPU registers, FS/GS base) if it has any,
 * load @next's, and point the CPU's kernel-entry stack at @next's stack.
 */
void arch_switch_user_state(struct thread *prev, struct thread *next);

/*
 * For exec's auxiliary vector: AT_HWCAP and AT_HWCAP2 as Linux reports
 * them on this CPU, the AT_PLATFORM string, and AT_MINSIGSTKSZ (the
 * smallest alternate signal stack a handler frame fits in).
 */
unsigned long arch_elf_hwcap(void);
unsigned long arch_elf_hwcap2(void);
const char *arch_elf_platform(void);
unsigned long arch_min_sigstksz(void);

/*
 * arch_cpuinfo_show - CPU @cpu's /proc/cpuinfo block in Linux's format
 * for this architecture, without the separating blank line (procfs;
 * kernel/arch/x86_64/proc_cpuinfo.c). Return: the full length, like
 * snprintf (>= @size: cut, retry with a bigger buffer).
 */
size_t arch_cpuinfo_show(unsigned int cpu, char *buf, size_t size);

/*
 * arch_elf_core_regs - the calling task's user registers @r (its own
 * frame) in the order of the ELF core file's general register set
 * (x86_64: struct user_regs_struct, 27 words), for NT_PRSTATUS.
 */
#define ARCH_ELF_NGREG 27
void arch_elf_core_regs(struct user_regs *r, u64 out[ARCH_ELF_NGREG]);

/* Early boot entry into generic code, after arch set-up. */
__noreturn void kernel_main(struct boot_info *bi);

#endif /* KEEL_ARCH_H */
