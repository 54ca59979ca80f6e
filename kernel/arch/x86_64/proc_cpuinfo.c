/*
 * /proc/cpuinfo's per-CPU block for x86_64 (arch_cpuinfo_show), in the
 * layout and with the flag names of Linux 6.1 (arch/x86/kernel/cpu/proc.c
 * and the cpufeatures table), from CPUID. All CPUs of a machine Keel runs
 * on report the same identification (QEMU, SMP x86), so CPUID is read on
 * whichever CPU runs this; the APIC id is the CPU's own.
 */
#include <keel/arch.h>
#include <keel/smp.h>
#include <keel/sprintf.h>
#include <keel/string.h>
#include <asm/cpu.h>
#include <asm/x86.h>

struct feat_word {
	u32 leaf, sub;
	char reg;                       /* 'b', 'c' or 'd' */
	const char *names[32];          /* NULL: not shown */
};

static const struct feat_word feat_words[] = {
	{ 1, 0, 'd', { "fpu", "vme", "de", "pse", "tsc", "msr", "pae", "mce",
		       "cx8", "apic", NULL, "sep", "mtrr", "pge", "mca",
		       "cmov", "pat", "pse36", "pn", "clflush", NULL, "dts",
		       "acpi", "mmx", "fxsr", "sse", "sse2", "ss", "ht", "tm",
		       "ia64", "pbe" } },
	{ 0x80000001, 0, 'd', { [11] = "syscall", [19] = "mp", [20] = "nx",
				[22] = "mmxext", [25] = "fxsr_opt",
				[26] = "pdpe1gb", [27] = "rdtscp", [29] = "lm",
				[30] = "3dnowext", [31] = "3dnow" } },
	{ 1, 0, 'c', { "pni", "pclmulqdq", "dtes64", "monitor", "ds_cpl",
		       "vmx", "smx", "est", "tm2", "ssse3", "cid", "sdbg",
		       "fma", "cx16", "xtpr", "pdcm", NULL, "pcid", "dca",
		       "sse4_1", "sse4_2", "x2apic", "movbe", "popcnt",
		       "tsc_deadline_timer", "aes", "xsave", NULL, "avx",
		       "f16c", "rdrand", "hypervisor" } },
	{ 0x80000001, 0, 'c', { "lahf_lm", "cmp_legacy", "svm", "extapic",
				"cr8_legacy", "abm", "sse4a", "misalignsse",
				"3dnowprefetch", "osvw", "ibs", "xop",
				"skinit", "wdt", NULL, "lwp", "fma4", "tce",
				NULL, "nodeid_msr", NULL, "tbm", "topoext",
				"perfctr_core", "perfctr_nb", NULL, "bpext",
				"ptsc", "perfctr_llc", "mwaitx" } },
	{ 7, 0, 'b', { "fsgsbase", "tsc_adjust", "sgx", "bmi1", "hle", "avx2",
		       NULL, "smep", "bmi2", "erms", "invpcid", "rtm", "cqm",
		       NULL, "mpx", "rdt_a", "avx512f", "avx512dq", "rdseed",
		       "adx", "smap", "avx512ifma", NULL, "clflushopt", "clwb",
		       "intel_pt", "avx512pf", "avx512er", "avx512cd",
		       "sha_ni", "avx512bw", "avx512vl" } },
	{ 7, 0, 'c', { NULL, "avx512vbmi", "umip", "pku", "ospke", "waitpkg",
		       "avx512_vbmi2", NULL, "gfni", "vaes", "vpclmulqdq",
		       "avx512_vnni", "avx512_bitalg", "tme",
		       "avx512_vpopcntdq", NULL, "la57", [22] = "rdpid",
		       [24] = "bus_lock_detect", [25] = "cldemote",
		       [27] = "movdiri", [28] = "movdir64b",
		       [29] = "enqcmd", [30] = "sgx_lc" } },
	{ 7, 0, 'd', { [2] = "avx512_4vnniw", [3] = "avx512_4fmaps",
		       [4] = "fsrm", [10] = "md_clear", [14] = "serialize",
		       [16] = "tsxldtrk", [18] = "pconfig", [19] = "arch_lbr",
		       [22] = "amx_bf16", [23] = "avx512_fp16",
		       [24] = "amx_tile", [25] = "amx_int8",
		       [28] = "flush_l1d", [29] = "arch_capabilities" } },
};

struct out {
	char *buf;
	size_t size, len;       /* len counts what would have been written */
};

static void __printf(2, 3) out_printf(struct out *o, const char *fmt, ...)
{
	size_t room = o->len < o->size ? o->size - o->len : 0;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(room ? o->buf + o->len : NULL, room, fmt, ap);
	va_end(ap);
	if (n > 0)
		o->len += (size_t)n;
}

static u32 max_leaf(u32 base)
{
	u32 a, b, c, d;

	cpuid(base, &a, &b, &c, &d);
	return a;
}

static void print_flags(struct out *o)
{
	u32 std = max_leaf(0), ext = max_leaf(0x80000000);
	u32 r[4];
	unsigned int i, bit;

	out_printf(o, "flags\t\t:");
	for (i = 0; i < ARRAY_SIZE(feat_words); i++) {
		const struct feat_word *w = &feat_words[i];
		u32 v;

		if (w->leaf >= 0x80000000 ? w->leaf > ext : w->leaf > std)
			continue;
		cpuid_count(w->leaf, w->sub, &r[0], &r[1], &r[2], &r[3]);
		v = w->reg == 'b' ? r[1] : w->reg == 'c' ? r[2] : r[3];
		for (bit = 0; bit < 32; bit++)
			if ((v & (1u << bit)) && w->names[bit])
				out_printf(o, " %s", w->names[bit]);
	}
	if (ext >= 0x80000007) {
		cpuid(0x80000007, &r[0], &r[1], &r[2], &r[3]);
		if (r[3] & (1u << X86_FEAT_87_EDX_INVTSC))
			out_printf(o, " constant_tsc nonstop_tsc");
	}
	out_printf(o, "\n");
}

static void print_ident(struct out *o, unsigned int cpu)
{
	struct x86_cpu_ident id;
	char brand[52];

	x86_cpu_ident(&id);
	x86_cpu_brand(brand, sizeof(brand));
	out_printf(o, "processor\t: %u\nvendor_id\t: %s\ncpu family\t: %u\n"
		   "model\t\t: %u\nmodel name\t: %s\nstepping\t: %u\n", cpu,
		   (char *)id.vendor, id.family, id.model, brand, id.stepping);
}

/**
 * arch_cpuinfo_show - write CPU @cpu's /proc/cpuinfo block (without the
 * blank line that separates CPUs) into @buf.
 * Context: any process context.
 * Return: the length the whole block has, like snprintf (a value of
 * @size or more means it was cut: call again with a bigger buffer).
 */
size_t arch_cpuinfo_show(unsigned int cpu, char *buf, size_t size)
{
	struct out o = { buf, size, 0 };
	u64 khz = x86_tsc_khz();
	unsigned int ncpu = num_online_cpus();
	u32 a, b, c, d, phys = 36, virt = 48, cache_kb = 0;
	struct x86_percpu *pc = x86_percpu_of(cpu);

	if (size)
		buf[0] = '\0';
	print_ident(&o, cpu);
	if (max_leaf(0x80000000) >= 0x80000006) {
		cpuid(0x80000006, &a, &b, &c, &d);
		cache_kb = c >> 16;
	}
	if (max_leaf(0x80000000) >= 0x80000008) {
		cpuid(0x80000008, &a, &b, &c, &d);
		phys = a & 0xff;
		virt = (a >> 8) & 0xff;
	}
	out_printf(&o, "cpu MHz\t\t: %llu.%03llu\n", khz / 1000, khz % 1000);
	if (cache_kb)
		out_printf(&o, "cache size\t: %u KB\n", cache_kb);
	out_printf(&o, "physical id\t: 0\nsiblings\t: %u\ncore id\t\t: %u\n"
		   "cpu cores\t: %u\napicid\t\t: %u\ninitial apicid\t: %u\n",
		   ncpu, cpu, ncpu, pc ? pc->apic_id : cpu,
		   pc ? pc->apic_id : cpu);
	out_printf(&o, "fpu\t\t: yes\nfpu_exception\t: yes\ncpuid level\t: %u\n"
		   "wp\t\t: yes\n", max_leaf(0));
	print_flags(&o);
	out_printf(&o, "bugs\t\t:\nbogomips\t: %llu.%02llu\n"
		   "clflush size\t: 64\ncache_alignment\t: 64\n"
		   "address sizes\t: %u bits physical, %u bits virtual\n"
		   "power management:\n", khz * 2 / 1000,
		   (khz * 2 % 1000) / 10, phys, virt);
	return o.len;
}
