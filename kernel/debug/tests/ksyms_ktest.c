/*
 * ktests for the kernel symbol table and frame-pointer unwinding.
 */
#include <keel/arch.h>
#include <keel/ksyms.h>
#include <keel/ktest.h>
#include <keel/string.h>

__noinline void ksyms_ktest_leaf(struct ktest *t);
__noinline void ksyms_ktest_middle(struct ktest *t);

static void test_lookup_known_function(struct ktest *t)
{
	unsigned long off, size;
	unsigned long addr = (unsigned long)ksym_snprint;
	const char *name = ksym_lookup(addr, &off, &size);

	KTEST_ASSERT_NOT_NULL(t, name);
	KTEST_EXPECT_STREQ(t, name, "ksym_snprint");
	KTEST_EXPECT_EQ(t, off, 0);
	KTEST_EXPECT_GT(t, size, 0);
	name = ksym_lookup(addr + size - 1, &off, &size);
	KTEST_ASSERT_NOT_NULL(t, name);
	KTEST_EXPECT_STREQ(t, name, "ksym_snprint");
	KTEST_EXPECT_EQ(t, off, size - 1);
}

static void test_address_round_trip(struct ktest *t)
{
	KTEST_EXPECT_EQ(t, ksym_address("kernel_main"), (unsigned long)kernel_main);
	KTEST_EXPECT_EQ(t, ksym_address("ksym_lookup"), (unsigned long)ksym_lookup);
	KTEST_EXPECT_EQ(t, ksym_address("no_such_function_here"), 0);
}

static void test_lookup_outside_text(struct ktest *t)
{
	static int data_object;
	unsigned long off, size;

	KTEST_EXPECT_NULL(t, ksym_lookup(0, &off, &size));
	KTEST_EXPECT_NULL(t, ksym_lookup((unsigned long)&data_object, &off, &size));
	KTEST_EXPECT_NULL(t, ksym_lookup(~0UL, &off, &size));
}

static void test_snprint_format(struct ktest *t)
{
	char buf[96];

	ksym_snprint(buf, sizeof(buf), (unsigned long)ksym_lookup + 4);
	KTEST_EXPECT_TRUE(t, !strncmp(buf, "ksym_lookup+0x4/0x", 18));
	ksym_snprint(buf, sizeof(buf), 0x1234);
	KTEST_EXPECT_STREQ(t, buf, "0x1234");
}

/* Walk from the innermost of two nested calls: both callers are found. */
__noinline void ksyms_ktest_leaf(struct ktest *t)
{
	struct arch_frame f = {
		.pc = (unsigned long)ksyms_ktest_leaf,
		.fp = arch_frame_address(),
	};
	bool saw_middle = false, saw_runner = false;
	unsigned long off, size;
	int n;

	for (n = 0; n < 16 && arch_unwind_next(&f); n++) {
		const char *name = ksym_lookup(f.pc - 1, &off, &size);

		if (!name)
			continue;
		saw_middle |= !strcmp(name, "ksyms_ktest_middle");
		saw_runner |= !strcmp(name, "ktest_run");
	}
	KTEST_EXPECT_TRUE(t, saw_middle);
	KTEST_EXPECT_TRUE(t, saw_runner);
}

__noinline void ksyms_ktest_middle(struct ktest *t)
{
	ksyms_ktest_leaf(t);
	barrier();   /* keep the call from becoming a tail call */
}

static void test_unwind_finds_callers(struct ktest *t)
{
	ksyms_ktest_middle(t);
}

static void test_unwind_rejects_bad_frames(struct ktest *t)
{
	static unsigned long not_a_stack[4];
	struct arch_frame f = { .pc = 1, .fp = 0 };

	KTEST_EXPECT_FALSE(t, arch_unwind_next(&f));
	f.fp = (unsigned long)not_a_stack;
	KTEST_EXPECT_FALSE(t, arch_unwind_next(&f));
	f.fp = arch_frame_address() + 1;   /* misaligned */
	KTEST_EXPECT_FALSE(t, arch_unwind_next(&f));
}

static struct ktest_case ksyms_cases[] = {
	KTEST_CASE(test_lookup_known_function),
	KTEST_CASE(test_address_round_trip),
	KTEST_CASE(test_lookup_outside_text),
	KTEST_CASE(test_snprint_format),
	KTEST_CASE(test_unwind_finds_callers),
	KTEST_CASE(test_unwind_rejects_bad_frames),
	{}
};
KTEST_SUITE(ksyms, ksyms_cases);
