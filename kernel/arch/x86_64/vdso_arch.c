/*
 * The x86_64 side of the vDSO: how user mode reads the clock counter and
 * the CPU number.
 *
 * The TSC: rdtsc works in user mode (CR4.TSD is never set). The HPET: its
 * register page is mapped read-only and uncached at the fixed kernel-half
 * address VDSO_HPET_VA with the user bit set (as Linux's vsyscall page;
 * the intermediate tables on the way become user-accessible, every other
 * kernel mapping under them keeps its supervisor-only leaf or large-page
 * entry). It is made once, in the kernel's tables, before the first user
 * address space copies the kernel half; it lies in no VMA, so the mm code
 * (which reference-counts the pages of user mappings) never sees it. User
 * writes to it fault like any write to the kernel half (SIGSEGV).
 *
 * getcpu: cpu.c writes IA32_TSC_AUX on every CPU when RDPID or RDTSCP
 * exists; otherwise the vDSO makes the system call.
 */
#include <keel/acpi.h>
#include <keel/arch.h>
#include <keel/mm.h>
#include <keel/printk.h>
#include <keel/string.h>
#include <keel/time.h>
#include <keel/vdso.h>
#include <keel/vm.h>
#include <asm/x86.h>

#define HPET_MAIN_COUNTER 0x0f0

void arch_vdso_setup(struct vdso_data *vd)
{
	unsigned int reader = x86_tsc_aux_reader();
	paddr_t pa = acpi.hpet_address;

	vd->getcpu_mode = reader == 1 ? VDSO_GETCPU_RDPID :
			  reader == 2 ? VDSO_GETCPU_RDTSCP : VDSO_GETCPU_SYSCALL;
	vd->hpet_counter = 0;
	/* Only an HPET that passed hpet_init()'s checks is exposed, and
	 * only if its counter lies in the page it starts in. */
	if (!acpi.have_hpet || !pa || !clocksource_find("hpet") ||
	    (pa & (PAGE_SIZE - 1)) + HPET_MAIN_COUNTER + 8 > PAGE_SIZE)
		return;
	if (arch_map_page(arch_kernel_root(), VDSO_HPET_VA, pa & PAGE_MASK,
			  VM_READ | VM_USER | VM_UNCACHED)) {
		pr_warn("vdso: cannot map the HPET for user mode\n");
		return;
	}
	vd->hpet_counter = VDSO_HPET_VA + (pa & (PAGE_SIZE - 1)) +
			   HPET_MAIN_COUNTER;
}

unsigned int arch_vdso_clock_mode(const struct vdso_data *vd,
				  const char *cs_name, u64 mask)
{
	if (!cs_name)
		return VDSO_CLOCK_NONE;
	if (!strcmp(cs_name, "tsc"))
		return VDSO_CLOCK_TSC;
	if (!strcmp(cs_name, "hpet") && vd->hpet_counter)
		return mask == ~0ULL ? VDSO_CLOCK_HPET : VDSO_CLOCK_HPET32;
	return VDSO_CLOCK_NONE;
}
