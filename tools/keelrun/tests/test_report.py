"""keel-test's output: group lines, failure details and the summary line."""
import tempfile
import unittest
from pathlib import Path

from keelrun import logline, report
from keelrun.results import ERROR, FAIL, PASS, SKIP, XFAIL, GroupResult, TestResult


class ReportTest(unittest.TestCase):
    def test_summary(self):
        groups = [GroupResult("a", [TestResult("a/1", PASS), TestResult("a/2", SKIP)]),
                  GroupResult("b", [TestResult("b", XFAIL)])]
        self.assertEqual(report.summary(groups), "1 passed, 0 failed, 1 skipped, 1 known failure")
        groups.append(GroupResult("c", [TestResult("c", ERROR), TestResult("c/x", FAIL), TestResult("c/y", XFAIL)]))
        self.assertEqual(report.summary(groups), "1 passed, 2 failed, 1 skipped, 2 known failures")
        self.assertEqual(report.summary([GroupResult("e", [TestResult("e", XFAIL)])]),
                         "0 passed, 0 failed, 1 known failure")
        self.assertEqual(report.summary([GroupResult("d", [TestResult("d", PASS)])]), "1 passed, 0 failed")

    def test_group_lines(self):
        g = GroupResult("ktest-all", [TestResult("ktest-all/s/a", PASS), TestResult("ktest-all/s/b", FAIL)],
                        seconds=1.25)
        self.assertEqual(report.group_line(g), "FAIL  ktest-all (1.2s, 2 tests, 1 failed)")
        self.assertEqual(report.group_line(GroupResult("x", [TestResult("x", XFAIL)], seconds=2)),
                         "XFAIL x (2.0s)")

    def test_many_known_failures_are_summed_up(self):
        why = "known failure #7: no user mode"
        tests = [TestResult(f"c/{i}", XFAIL, f"{why} (was: never ran)") for i in range(8)]
        g = GroupResult("c", tests + [TestResult("c/x", ERROR, "passes now")])
        self.assertEqual(report.group_line(g), "FAIL  c (0.0s, 9 tests, 1 failed, 8 known failures)")
        self.assertEqual(report.notable_lines(g, verbose=False),
                         ["      ERROR c/x: passes now", f"      XFAIL 8 tests: {why}"])
        self.assertEqual(len(report.notable_lines(g, verbose=True)), 9)

    def test_failure_block_is_terminal_safe(self):
        with tempfile.TemporaryDirectory() as d:
            log = Path(d) / "x.log"
            log.write_bytes(b"".join(b"line %d\r\n" % i for i in range(40)) + b"\x1b[2Jbye\x07")
            g = GroupResult("x", [TestResult("x", FAIL, "why")], reasons=["why"], log=log, rerun="tools/qemu-run")
            block = "\n".join(report.failure_block(g))
        self.assertIn("reason: why", block)
        self.assertNotIn("failed: x", block)          # said by the reason already
        self.assertIn("last 30 lines", block)
        self.assertNotIn("line 9\n", block)
        self.assertIn("| bye\\x07", block)
        self.assertNotIn("\x1b", block)
        self.assertIn("rerun: tools/qemu-run", block)


class LoglineTest(unittest.TestCase):
    def test_prefix_and_cleaning(self):
        raw = "\x1b[2J\x1b[H[   12.000100] CPU1:     ok 1 test\r\n"
        self.assertEqual(logline.strip_prefix(logline.clean(raw)), "    ok 1 test")
        self.assertEqual(logline.strip_prefix("no prefix: here"), "no prefix: here")


if __name__ == "__main__":
    unittest.main()
