/*
 * ktest runner: runs the suites in the .ktest_suites section and prints
 * KTAP version 1, as Linux KUnit does:
 *
 *	KTAP version 1
 *	1..<suites>
 *	    KTAP version 1
 *	    # Subtest: <suite>
 *	    1..<cases>
 *	    ok 1 <case>
 *	    not ok 2 <case>
 *	    ok 3 <case> # SKIP <reason>
 *	ok 1 <suite>
 *
 * Cases run one after another on the boot CPU. A case that crashes the
 * kernel ends the stream early; the runner on the host counts the missing
 * results as failures.
 */
#include <keel/errno.h>
#include <keel/ktest.h>
#include <keel/preempt.h>
#include <keel/printk.h>
#include <keel/sprintf.h>
#include <keel/string.h>

extern struct ktest_suite *const __ktest_suites_start[];
extern struct ktest_suite *const __ktest_suites_end[];

#define KTAP_INDENT "    "

static void ktest_fail_header(struct ktest *t, const char *file, int line)
{
	t->failed = true;
	pr_info(KTAP_INDENT "# %s: EXPECTATION FAILED at %s:%d\n", t->name,
		file, line);
}

bool ktest_check(struct ktest *t, bool ok, const char *file, int line,
		 const char *expr)
{
	if (ok)
		return true;
	ktest_fail_header(t, file, line);
	pr_info(KTAP_INDENT "# Expected %s to be true\n", expr);
	return false;
}

bool ktest_check_int(struct ktest *t, bool ok, const char *file, int line,
		     const char *op, const char *left, long long lv,
		     const char *right, long long rv)
{
	if (ok)
		return true;
	ktest_fail_header(t, file, line);
	pr_info(KTAP_INDENT "# Expected %s %s %s, but\n", left, op, right);
	pr_info(KTAP_INDENT "#     %s == %lld (%#llx)\n", left, lv,
		(unsigned long long)lv);
	pr_info(KTAP_INDENT "#     %s == %lld (%#llx)\n", right, rv,
		(unsigned long long)rv);
	return false;
}

bool ktest_check_uint(struct ktest *t, bool ok, const char *file, int line,
		      const char *op, const char *left, unsigned long long lv,
		      const char *right, unsigned long long rv)
{
	if (ok)
		return true;
	ktest_fail_header(t, file, line);
	pr_info(KTAP_INDENT "# Expected %s %s %s, but\n", left, op, right);
	pr_info(KTAP_INDENT "#     %s == %llu (%#llx)\n", left, lv, lv);
	pr_info(KTAP_INDENT "#     %s == %llu (%#llx)\n", right, rv, rv);
	return false;
}

bool ktest_check_ptr(struct ktest *t, bool ok, const char *file, int line,
		     const char *op, const char *left, const void *lv,
		     const char *right, const void *rv)
{
	if (ok)
		return true;
	ktest_fail_header(t, file, line);
	pr_info(KTAP_INDENT "# Expected %s %s %s, but\n", left, op, right);
	pr_info(KTAP_INDENT "#     %s == %p\n", left, lv);
	pr_info(KTAP_INDENT "#     %s == %p\n", right, rv);
	return false;
}

bool ktest_check_str(struct ktest *t, bool ok, const char *file, int line,
		     const char *op, const char *left, const char *lv,
		     const char *right, const char *rv)
{
	if (ok)
		return true;
	ktest_fail_header(t, file, line);
	pr_info(KTAP_INDENT "# Expected %s %s %s, but\n", left, op, right);
	pr_info(KTAP_INDENT "#     %s == \"%s\"\n", left, lv ? lv : "(null)");
	pr_info(KTAP_INDENT "#     %s == \"%s\"\n", right, rv ? rv : "(null)");
	return false;
}

static void ktest_dump_bytes(const char *name, const u8 *p, size_t len)
{
	char line[3 * 16 + 1];
	size_t i, n = 0;

	for (i = 0; i < len && i < 32; i++) {
		n += snprintf(line + n, sizeof(line) - n, "%02x ", p[i]);
		if (n >= 3 * 16 || i + 1 == len || i == 31) {
			pr_info(KTAP_INDENT "#     %s: %s\n", name, line);
			n = 0;
		}
	}
}

bool ktest_check_mem(struct ktest *t, bool ok, const char *file, int line,
		     const char *left, const void *lv, const char *right,
		     const void *rv, size_t len)
{
	if (ok)
		return true;
	ktest_fail_header(t, file, line);
	pr_info(KTAP_INDENT "# Expected %s == %s over %zu bytes, but\n", left,
		right, len);
	ktest_dump_bytes(left, lv, len);
	ktest_dump_bytes(right, rv, len);
	return false;
}

void ktest_skip(struct ktest *t, const char *reason)
{
	t->skipped = true;
	t->skip_reason = reason;
}

static unsigned int suite_case_count(const struct ktest_suite *s)
{
	unsigned int n = 0;

	while (s->cases[n].run)
		n++;
	return n;
}

/* Is @name in the comma-separated @filter (or is the filter "all")? */
static bool suite_selected(const char *filter, const char *name)
{
	size_t len = strlen(name);
	const char *p = filter;

	if (!strcmp(filter, "all"))
		return true;
	while ((p = strstr(p, name)) != NULL) {
		bool starts = p == filter || p[-1] == ',';
		bool ends = p[len] == '\0' || p[len] == ',';

		if (starts && ends)
			return true;
		p += len;
	}
	return false;
}

static int run_suite(const struct ktest_suite *s, unsigned int index)
{
	unsigned int i, n = suite_case_count(s), failed = 0;
	bool skip_all = s->init && s->init() != 0;

	pr_info(KTAP_INDENT "KTAP version 1\n");
	pr_info(KTAP_INDENT "# Subtest: %s\n", s->name);
	pr_info(KTAP_INDENT "1..%u\n", n);
	for (i = 0; i < n; i++) {
		struct ktest t = { .name = s->cases[i].name };

		int count = preempt_count();

		if (skip_all)
			ktest_skip(&t, "suite init failed");
		else
			s->cases[i].run(&t);
		/*
		 * A case must leave preemption (and so spinlocks) as it found
		 * them: a leaked level would silently turn preemption off for
		 * every later test.
		 */
		if (preempt_count() != count) {
			pr_info(KTAP_INDENT "# %s: preempt count %#x after the "
				"case, %#x before\n", t.name, preempt_count(),
				count);
			arch_preempt_count_set(count);
			t.failed = true;
		}
		if (t.failed) {
			failed++;
			pr_info(KTAP_INDENT "not ok %u %s\n", i + 1, t.name);
		} else if (t.skipped) {
			pr_info(KTAP_INDENT "ok %u %s # SKIP %s\n", i + 1, t.name,
				t.skip_reason ? t.skip_reason : "");
		} else {
			pr_info(KTAP_INDENT "ok %u %s\n", i + 1, t.name);
		}
	}
	if (s->exit && !skip_all)
		s->exit();
	pr_info("%s %u %s\n", failed ? "not ok" : "ok", index, s->name);
	return failed;
}

/* Check every requested name exists, so a typo does not pass silently. */
static int ktest_check_filter(const char *filter)
{
	char name[64];
	const char *p = filter;
	int bad = 0;

	if (!strcmp(filter, "all"))
		return 0;
	while (*p) {
		size_t len = strcspn(p, ",");
		struct ktest_suite *const *s;
		bool found = false;

		strlcpy(name, p, MIN(len + 1, sizeof(name)));
		for (s = __ktest_suites_start; s < __ktest_suites_end; s++)
			found |= !strcmp((*s)->name, name);
		if (!found) {
			pr_err("ktest: no suite named \"%s\"\n", name);
			bad = -EINVAL;
		}
		p += len + (p[len] == ',');
	}
	return bad;
}

int ktest_run(const char *filter)
{
	struct ktest_suite *const *s;
	unsigned int nsuites = 0, index = 0;
	int failed = 0, err;

	err = ktest_check_filter(filter);
	if (err)
		return err;
	for (s = __ktest_suites_start; s < __ktest_suites_end; s++)
		nsuites += suite_selected(filter, (*s)->name);
	pr_info("KTAP version 1\n");
	pr_info("1..%u\n", nsuites);
	for (s = __ktest_suites_start; s < __ktest_suites_end; s++)
		if (suite_selected(filter, (*s)->name))
			failed += run_suite(*s, ++index);
	return failed;
}
