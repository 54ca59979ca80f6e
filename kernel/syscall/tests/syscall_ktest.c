/*
 * ktests for the system-call table and dispatcher: the generated numbers
 * and names against Linux's, -ENOSYS for every number without an entry,
 * the "not implemented" and "unknown number" log lines (exactly once per
 * number, also when all CPUs race for the first call), the 32-bit number
 * rule, and the argument unpacking of SYSCALL_DEFINEn.
 *
 * Log lines are checked in the log ring (log_iter). Each case probes
 * numbers no other case uses: "once per boot" state cannot be reset, so a
 * number must be fresh when a case first calls it. Probes come from the top
 * of the table, far from anything the boot could call. The last case fills
 * the unknown-number memory on purpose.
 */
#include <keel/errno.h>
#include <keel/ktest.h>
#include <keel/log.h>
#include <keel/smp.h>
#include <keel/sprintf.h>
#include <keel/string.h>
#include <keel/syscall.h>

static const struct syscall_args no_args;

/* The @k-th number (from the top) that has a name but no entry. */
static unsigned int missing_nr(unsigned int k)
{
	unsigned int nr;

	for (nr = NR_SYSCALLS; nr-- > 0;) {
		if (syscall_table[nr].name && !syscall_table[nr].fn && !k--)
			return nr;
	}
	return NR_SYSCALLS;  /* not found: dispatching it is "unknown" */
}

/* Log records since sequence number @since whose text is exactly @want. */
static unsigned int log_count_since(u64 since, const char *want)
{
	struct log_iter it;
	struct log_record rec;
	char text[128];
	unsigned int n = 0;

	log_iter_init(&it);
	while (log_iter_next(&it, &rec, text, sizeof(text), NULL)) {
		if (rec.seq >= since && !strcmp(text, want))
			n++;
	}
	return n;
}

static u64 log_next_seq(void)
{
	u64 first, next;

	log_seq_range(&first, &next);
	return next;
}

static void missing_line(char *buf, size_t size, unsigned int nr)
{
	snprintf(buf, size, "syscall: %s (%u) not implemented",
		 syscall_table[nr].name, nr);
}

/* ---- the generated table ------------------------------------------------- */

static void test_numbers_are_linux(struct ktest *t)
{
	KTEST_EXPECT_EQ(t, SYS_read, 0);
	KTEST_EXPECT_EQ(t, SYS_write, 1);
	KTEST_EXPECT_EQ(t, SYS_getppid, 110);
	KTEST_EXPECT_EQ(t, SYS_exit_group, 231);
	KTEST_EXPECT_EQ(t, SYS_openat, 257);
	KTEST_EXPECT_EQ(t, SYS_clone3, 435);
	KTEST_EXPECT_EQ(t, SYS_set_mempolicy_home_node, 450);
	KTEST_EXPECT_EQ(t, SYSCALL_NR_MAX, 450);
	KTEST_EXPECT_EQ(t, NR_SYSCALLS, SYSCALL_NR_MAX + 1);
	KTEST_EXPECT_GT(t, NR_SYSCALLS, 450);
	KTEST_EXPECT_EQ(t, ENOSYS, 38);
}

static void test_names_match_numbers(struct ktest *t)
{
	KTEST_EXPECT_STREQ(t, syscall_table[0].name, "read");
	KTEST_EXPECT_STREQ(t, syscall_table[1].name, "write");
	KTEST_EXPECT_STREQ(t, syscall_table[110].name, "getppid");
	KTEST_EXPECT_STREQ(t, syscall_table[231].name, "exit_group");
	KTEST_EXPECT_STREQ(t, syscall_table[257].name, "openat");
	KTEST_EXPECT_STREQ(t, syscall_table[435].name, "clone3");
	KTEST_EXPECT_STREQ(t, syscall_table[SYSCALL_NR_MAX].name,
			   "set_mempolicy_home_node");
	KTEST_EXPECT_STREQ(t, syscall_name(SYS__sysctl), "_sysctl");
	KTEST_EXPECT_STREQ(t, syscall_name(1UL << 32 | SYS_getpid), "getpid");
	KTEST_EXPECT_NULL(t, syscall_name(NR_SYSCALLS));
	KTEST_EXPECT_NULL(t, syscall_name(335));   /* 335-423 are unused */
	KTEST_EXPECT_NULL(t, syscall_name(423));
	KTEST_EXPECT_NULL(t, syscall_name(~0UL));
}

static void test_argument_counts(struct ktest *t)
{
	KTEST_EXPECT_EQ(t, syscall_table[SYS_read].nargs, 3);
	KTEST_EXPECT_EQ(t, syscall_table[SYS_getppid].nargs, 0);
	KTEST_EXPECT_EQ(t, syscall_table[SYS_mmap].nargs, 6);
	KTEST_EXPECT_EQ(t, syscall_table[SYS_clone].nargs, 5);
	KTEST_EXPECT_EQ(t, syscall_table[SYS_uselib].nargs, -1);
}

static void test_table_is_consistent(struct ktest *t)
{
	unsigned int nr, named = 0, bad = 0;

	for (nr = 0; nr < NR_SYSCALLS; nr++) {
		const struct syscall_desc *d = &syscall_table[nr];

		if (!d->name) {
			bad += d->fn != NULL || d->nargs != 0;
			continue;
		}
		named++;
		bad += d->nargs < -1 || d->nargs > SYSCALL_MAX_ARGS;
		bad += d->fn && d->nargs < 0;
	}
	KTEST_EXPECT_EQ(t, bad, 0);
	KTEST_EXPECT_GE(t, named, 362);   /* at least Linux 6.1's x86_64 calls */
}

/* ---- -ENOSYS and its log lines ------------------------------------------ */

static void test_missing_returns_enosys_logged_once(struct ktest *t)
{
	unsigned int nr = missing_nr(0);
	char want[96];
	u64 since = log_next_seq();

	KTEST_ASSERT_TRUE(t, nr < NR_SYSCALLS);
	missing_line(want, sizeof(want), nr);
	KTEST_EXPECT_EQ(t, syscall_dispatch(nr, &no_args), -ENOSYS);
	KTEST_EXPECT_EQ(t, log_count_since(since, want), 1);
	KTEST_EXPECT_EQ(t, syscall_dispatch(nr, &no_args), -ENOSYS);
	KTEST_EXPECT_EQ(t, syscall_dispatch(nr, &no_args), -ENOSYS);
	KTEST_EXPECT_EQ(t, log_count_since(since, want), 1);
}

static void test_each_number_logged_separately(struct ktest *t)
{
	unsigned int a = missing_nr(1), b = missing_nr(2);
	char want_a[96], want_b[96];
	u64 since = log_next_seq();

	missing_line(want_a, sizeof(want_a), a);
	missing_line(want_b, sizeof(want_b), b);
	KTEST_EXPECT_EQ(t, syscall_dispatch(a, &no_args), -ENOSYS);
	KTEST_EXPECT_EQ(t, syscall_dispatch(b, &no_args), -ENOSYS);
	KTEST_EXPECT_EQ(t, syscall_dispatch(a, &no_args), -ENOSYS);
	KTEST_EXPECT_EQ(t, log_count_since(since, want_a), 1);
	KTEST_EXPECT_EQ(t, log_count_since(since, want_b), 1);
}

static void test_linux_ni_is_enosys(struct ktest *t)
{
	char want[96];
	u64 since = log_next_seq();

	/* Linux has no tuxcall either; the answer is the same. */
	missing_line(want, sizeof(want), SYS_tuxcall);
	KTEST_EXPECT_EQ(t, syscall_dispatch(SYS_tuxcall, &no_args), -ENOSYS);
	KTEST_EXPECT_EQ(t, log_count_since(since, want), 1);
}

static void test_only_low_32_bits_count(struct ktest *t)
{
	unsigned int nr = missing_nr(3);
	char want[96];
	u64 since = log_next_seq();

	/* The high half is ignored: this is call nr, logged under nr. */
	missing_line(want, sizeof(want), nr);
	KTEST_EXPECT_EQ(t, syscall_dispatch(0xdead00000000UL | nr, &no_args),
			-ENOSYS);
	KTEST_EXPECT_EQ(t, log_count_since(since, want), 1);
	KTEST_EXPECT_EQ(t, syscall_dispatch(nr, &no_args), -ENOSYS);
	KTEST_EXPECT_EQ(t, log_count_since(since, want), 1);
}

static void test_unknown_numbers(struct ktest *t)
{
	static const unsigned long probes[] = {
		NR_SYSCALLS, 400, 0x40000000UL | 1, 0xffffffffUL,
	};
	char want[64];
	u64 since = log_next_seq();
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(probes); i++) {
		KTEST_EXPECT_EQ(t, syscall_dispatch(probes[i], &no_args),
				-ENOSYS);
		KTEST_EXPECT_EQ(t, syscall_dispatch(probes[i], &no_args),
				-ENOSYS);
	}
	/* -1 as a 64-bit value is the same 32-bit number: no new line. */
	KTEST_EXPECT_EQ(t, syscall_dispatch(~0UL, &no_args), -ENOSYS);
	for (i = 0; i < ARRAY_SIZE(probes); i++) {
		snprintf(want, sizeof(want), "syscall: unknown number %lu",
			 probes[i]);
		KTEST_EXPECT_EQ(t, log_count_since(since, want), 1);
	}
}

#define RACE_NUMBERS 4
#define RACE_FIRST   8   /* missing_nr() indices below belong to other cases */
#define RACE_ROUNDS  16

static void race_dispatch(void *arg)
{
	const unsigned int *nrs = arg;
	unsigned int round, i;

	for (round = 0; round < RACE_ROUNDS; round++)
		for (i = 0; i < RACE_NUMBERS; i++)
			(void)syscall_dispatch(nrs[i], &no_args);
}

static void test_concurrent_first_calls_log_once(struct ktest *t)
{
	unsigned int nrs[RACE_NUMBERS], i;
	char want[96];
	u64 since = log_next_seq();

	for (i = 0; i < RACE_NUMBERS; i++)
		nrs[i] = missing_nr(RACE_FIRST + i);
	on_each_cpu(race_dispatch, nrs);
	for (i = 0; i < RACE_NUMBERS; i++) {
		missing_line(want, sizeof(want), nrs[i]);
		KTEST_EXPECT_EQ(t, log_count_since(since, want), 1);
	}
}

/* ---- SYSCALL_DEFINEn ---------------------------------------------------- */

static long probe_seen[SYSCALL_MAX_ARGS];

__SYSCALL_DEFINEx(6, static, ktest_sys_probe6, ktest_do_probe6,
		  int, a, unsigned int, b, const char *, c, long, d, u8, e,
		  unsigned long, f)
{
	probe_seen[0] = a;
	probe_seen[1] = b;
	probe_seen[2] = (long)c;
	probe_seen[3] = d;
	probe_seen[4] = e;
	probe_seen[5] = (long)f;
	return a + 1;
}

__SYSCALL_DEFINE0(static, ktest_sys_probe0, ktest_do_probe0)
{
	return 42;
}

static void test_define_unpacks_arguments(struct ktest *t)
{
	static const char text[] = "x";
	struct syscall_args args = { {
		0xffffffff00000005UL,   /* int: low 32 bits */
		0x1234567800000007UL,   /* unsigned int: low 32 bits */
		(unsigned long)text,
		-3L,
		0x1ff,                  /* u8: low 8 bits */
		~0UL,
	} };

	KTEST_EXPECT_EQ(t, ktest_sys_probe6(&args), 6);
	KTEST_EXPECT_EQ(t, probe_seen[0], 5);
	KTEST_EXPECT_EQ(t, probe_seen[1], 7);
	KTEST_EXPECT_PTR_EQ(t, (const char *)probe_seen[2], text);
	KTEST_EXPECT_EQ(t, probe_seen[3], -3);
	KTEST_EXPECT_EQ(t, probe_seen[4], 0xff);
	KTEST_EXPECT_EQ(t, probe_seen[5], -1);
	args.arg[0] = 0xfffffffe;       /* an int argument of -2 */
	KTEST_EXPECT_EQ(t, ktest_sys_probe6(&args), -1);
	KTEST_EXPECT_EQ(t, ktest_sys_probe0(&no_args), 42);
}

/* Last: fills the unknown-number memory for the rest of the boot. */
#define FLOOD_FIRST 0x10000u
#define FLOOD_COUNT 40u     /* more than the dispatcher remembers */

static void unknown_line(char *buf, size_t size, unsigned int nr, bool last)
{
	snprintf(buf, size, "syscall: unknown number %u%s", nr,
		 last ? "; further unknown numbers are not logged" : "");
}

static void test_unknown_numbers_stop_being_logged(struct ktest *t)
{
	unsigned int i, logged = 0, stop_lines = 0, stop_nr = 0;
	char want[96];
	u64 since = log_next_seq();

	for (i = 0; i < FLOOD_COUNT; i++)
		KTEST_EXPECT_EQ(t, syscall_dispatch(FLOOD_FIRST + i, &no_args),
				-ENOSYS);
	for (i = 0; i < FLOOD_COUNT; i++) {
		unknown_line(want, sizeof(want), FLOOD_FIRST + i, false);
		logged += log_count_since(since, want);
		unknown_line(want, sizeof(want), FLOOD_FIRST + i, true);
		if (log_count_since(since, want)) {
			stop_lines++;
			stop_nr = FLOOD_FIRST + i;
		}
	}
	/* The free slots took the first numbers, the next one said "stop". */
	KTEST_EXPECT_LT(t, logged, FLOOD_COUNT - 1);
	KTEST_EXPECT_EQ(t, stop_lines, 1);
	KTEST_EXPECT_EQ(t, stop_nr, FLOOD_FIRST + logged);

	since = log_next_seq();
	KTEST_EXPECT_EQ(t, syscall_dispatch(0x20000, &no_args), -ENOSYS);
	unknown_line(want, sizeof(want), 0x20000, false);
	KTEST_EXPECT_EQ(t, log_count_since(since, want), 0);
	unknown_line(want, sizeof(want), 0x20000, true);
	KTEST_EXPECT_EQ(t, log_count_since(since, want), 0);
}

static struct ktest_case syscall_cases[] = {
	KTEST_CASE(test_numbers_are_linux),
	KTEST_CASE(test_names_match_numbers),
	KTEST_CASE(test_argument_counts),
	KTEST_CASE(test_table_is_consistent),
	KTEST_CASE(test_missing_returns_enosys_logged_once),
	KTEST_CASE(test_each_number_logged_separately),
	KTEST_CASE(test_linux_ni_is_enosys),
	KTEST_CASE(test_only_low_32_bits_count),
	KTEST_CASE(test_unknown_numbers),
	KTEST_CASE(test_concurrent_first_calls_log_once),
	KTEST_CASE(test_define_unpacks_arguments),
	KTEST_CASE(test_unknown_numbers_stop_being_logged),
	{}
};
KTEST_SUITE(syscall, syscall_cases);
