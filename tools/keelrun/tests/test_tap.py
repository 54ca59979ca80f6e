"""TAP/KTAP parsing, including the truncated streams a crashing kernel leaves."""
import unittest

from keelrun import logline, tap

KTAP = """\
KTAP version 1
1..2
    KTAP version 1
    # Subtest: string
    1..3
    ok 1 test_strlen
    # test_strcmp: EXPECTATION FAILED at kernel/lib/tests/string_ktest.c:42
        Expected strcmp("a", "b") < 0, but
            strcmp("a", "b") == 1
    not ok 2 test_strcmp
    ok 3 test_x # SKIP no hardware
# string: pass:1 fail:1 skip:1 total:3
not ok 1 string
    KTAP version 1
    # Subtest: vsprintf
    1..1
    ok 1 test_hex
ok 2 vsprintf
"""


def outcomes(stream):
    return {"/".join(c.path): c.outcome for c in tap.cases(stream)}


class KtapTest(unittest.TestCase):
    def test_nested_cases(self):
        s = tap.parse(KTAP.splitlines())
        self.assertEqual(s.plan, 2)
        self.assertEqual(outcomes(s), {
            "string/test_strlen": "pass", "string/test_strcmp": "fail",
            "string/test_x": "skip", "vsprintf/test_hex": "pass"})

    def test_failure_diagnostics_precede_the_result(self):
        case = next(c for c in tap.cases(tap.parse(KTAP.splitlines())) if c.outcome == "fail")
        self.assertIn("# test_strcmp: EXPECTATION FAILED at kernel/lib/tests/string_ktest.c:42",
                      case.diagnostics)
        self.assertIn('strcmp("a", "b") == 1', case.diagnostics)

    def test_skip_reason(self):
        case = next(c for c in tap.cases(tap.parse(KTAP.splitlines())) if c.outcome == "skip")
        self.assertEqual(case.detail, "no hardware")

    def test_through_the_kernel_log_prefix(self):
        log = "\r\n".join(f"[    0.{i:06d}] CPU{i % 2}: {ln}" for i, ln in enumerate(KTAP.splitlines()))
        lines = [logline.strip_prefix(ln) for ln in logline.split_lines(log)]
        self.assertEqual(len(tap.cases(tap.parse(lines))), 4)

    def test_crash_inside_a_suite(self):
        lines = KTAP.splitlines()[:6] + ["BUG: page fault", "Kernel panic - not syncing"]
        self.assertEqual(outcomes(tap.parse(lines)), {
            "string/test_strlen": "pass", "string/#2": "missing", "string/#3": "missing",
            "#2": "missing"})

    def test_crash_between_a_case_and_the_suite_result(self):
        lines = KTAP.splitlines()[:12]            # up to the "# string: ..." summary
        got = outcomes(tap.parse(lines))
        self.assertEqual(got["#2"], "missing")
        self.assertEqual(len(got), 4)

    def test_crash_after_a_suite_header(self):
        lines = KTAP.splitlines()[:4]
        self.assertEqual(outcomes(tap.parse(lines)), {"string": "missing", "#2": "missing"})

    def test_no_ktap_at_all(self):
        s = tap.parse(["Keel 0.1", "memory: 255 MiB usable", "# not a plan"])
        self.assertFalse(s.started)
        self.assertEqual(tap.cases(s), [])

    def test_log_lines_between_cases_are_not_results(self):
        lines = ["KTAP version 1", "1..1", "    KTAP version 1", "    # Subtest: mm", "    1..2",
                 "    ok 1 a", "ok, freeing 3 pages", "not okay at all", "    ok 2 b", "ok 1 mm"]
        self.assertEqual(outcomes(tap.parse(lines)), {"mm/a": "pass", "mm/b": "pass"})

    def test_failed_suite_with_passing_cases_fails(self):
        lines = ["KTAP version 1", "1..1", "    # Subtest: s", "    1..1", "    ok 1 a", "not ok 1 s"]
        self.assertEqual(outcomes(tap.parse(lines)), {"s/a": "pass", "s": "fail"})

    def test_skipped_suite_without_cases(self):
        lines = ["KTAP version 1", "1..1", "ok 1 pci # SKIP no PCI bus"]
        self.assertEqual(outcomes(tap.parse(lines)), {"pci": "skip"})

    def test_parameterized_cases_nest(self):
        lines = ["KTAP version 1", "1..1", "    KTAP version 1", "    # Subtest: s", "    1..1",
                 "        KTAP version 1", "        # Subtest: p", "        ok 1 p=1",
                 "        not ok 2 p=2", "    not ok 1 p", "not ok 1 s"]
        self.assertEqual(outcomes(tap.parse(lines)), {"s/p/p=1": "pass", "s/p/p=2": "fail"})

    def test_bail_out(self):
        s = tap.parse(["KTAP version 1", "1..2", "ok 1 a", "Bail out! no memory"])
        self.assertEqual(s.bailed, "no memory")
        self.assertEqual(outcomes(s), {"a": "pass", "#2": "missing"})


class TapTest(unittest.TestCase):
    """cmocka 1.1.5's TAP output (CMOCKA_MESSAGE_OUTPUT=TAP)."""
    CMOCKA = ["1..3", "ok 1 - test_a", "not ok 2 - test_b", "# 0x1 != 0x2",
              "# t.c:7: error: Failure!", "not ok 3 # SKIP test_c", "# not ok - t"]

    def test_cmocka(self):
        cases = tap.cases(tap.parse(self.CMOCKA, diagnostics="after"))
        self.assertEqual([(c.path, c.outcome) for c in cases],
                         [(("test_a",), "pass"), (("test_b",), "fail"), (("#3",), "skip")])
        self.assertEqual(cases[1].diagnostics, ["# 0x1 != 0x2", "# t.c:7: error: Failure!"])
        self.assertEqual(cases[2].detail, "test_c")

    def test_sanitizer_abort_leaves_missing_cases(self):
        lines = ["1..3", "ok 1 - test_a", "==123==ERROR: AddressSanitizer: heap-buffer-overflow"]
        cases = tap.cases(tap.parse(lines, diagnostics="after"))
        self.assertEqual([c.outcome for c in cases], ["pass", "missing", "missing"])


if __name__ == "__main__":
    unittest.main()
