"""The conformance suite's judging, on canned serial logs and a fake QEMU."""
import stat
import tempfile
import unittest
from pathlib import Path
from unittest import mock

from keelrun import conformance, knownfail, qemu, report, system
from keelrun.conformance import Capture, Listed
from keelrun.results import ERROR, FAIL, PASS, SKIP, XFAIL, GroupResult

TOKEN = "0123456789abcdef"


def marker(text):
    return f"@@@ {TOKEN} {text}"


def framed(test_id, output, status="exit=0"):
    return [marker(f"begin {test_id}")] + output + [marker(f"end {test_id} {status}")]


def run_result(lines, status=qemu.STATUS_PASS, outcome=qemu.Outcome.EXITED):
    return qemu.RunResult(outcome, status if outcome is qemu.Outcome.EXITED else None, lines, 1.0, "")


def program(output, status="exit=0", noeol=False, truncated=False, timeout=30):
    cap = Capture(output, status, noeol, truncated)
    tests = conformance.judge_program(Listed("prog", "process/fork", timeout), cap)
    return {t.name.removeprefix("conformance/process/fork"): t for t in tests}


def statuses(tests):
    return {name: t.status for name, t in tests.items()}


GOOD = ["1..2", "ok 1 - fork returns twice", "ok 2 - the child exits"]


class ParseLogTest(unittest.TestCase):
    def test_markers_and_output(self):
        lines = ["[    0.5] early kernel line", marker("start"), marker("note mount sysfs on /sys: ENODEV"),
                 *framed("a/b", ["1..1", "@@@ ffffffffffffffff end a/b exit=0", "[    1.000000] CPU0: warn",
                                 "ok 1 - x"], "exit=3 noeol"),
                 marker("begin a/c"), "1..1", marker("end a/other exit=0"), marker("done")]
        log = conformance.parse_log(lines)
        self.assertTrue(log.started and log.done)
        self.assertEqual(log.notes, ["mount sysfs on /sys: ENODEV"])
        b = log.captures["a/b"]
        self.assertEqual(b.lines, ["1..1", "@@@ ffffffffffffffff end a/b exit=0", "ok 1 - x"])
        self.assertEqual((b.status, b.noeol, b.truncated), ("exit=3", True, False))
        self.assertEqual(b.text, "1..1\n@@@ ffffffffffffffff end a/b exit=0\nok 1 - x")
        self.assertIsNone(log.captures["a/c"].status)
        self.assertEqual(log.last, "a/c")

    def test_another_token_before_start_is_not_a_start(self):
        log = conformance.parse_log(["@@@ 0123 start", marker("start"), *framed("a/b", ["x"], "exit=0 truncated")])
        self.assertTrue(log.captures["a/b"].truncated)

    def test_list(self):
        with tempfile.TemporaryDirectory() as d:
            path = Path(d) / "list"
            path.write_text("prog process/fork /conformance/tests/process/fork 30\n"
                            "scenario scenario/pipes /conformance/scenarios/pipes.sh 60\n")
            self.assertEqual(conformance.load_list(path), [Listed("prog", "process/fork", 30),
                                                           Listed("scenario", "scenario/pipes", 60)])
            path.write_text("prog process/fork\n")
            with self.assertRaises(conformance.ListError):
                conformance.load_list(path)


class ProgramTest(unittest.TestCase):
    def test_all_pass(self):
        tests = program(GOOD)
        self.assertEqual(statuses(tests), {"/1": PASS, "/2": PASS})
        self.assertEqual(tests["/1"].detail, "fork returns twice")

    def test_failing_case_explains_the_exit_status(self):
        tests = program(["1..2", "ok 1 - a", "not ok 2 - b", "#   failed at fork.c:9"], "exit=1")
        self.assertEqual(statuses(tests), {"/1": PASS, "/2": FAIL})
        self.assertEqual(tests["/2"].detail, "not ok - b")
        self.assertEqual(tests["/2"].diagnostics, ["#   failed at fork.c:9"])

    def test_crash_fails_the_missing_cases_with_the_reason(self):
        tests = program(["1..3", "ok 1 - a"], "signal=11")
        self.assertEqual(statuses(tests), {"/1": PASS, "/2": FAIL, "/3": FAIL})
        self.assertIn("killed by signal 11 (SIGSEGV)", tests["/2"].detail)
        self.assertIn("ok 1 - a", tests["/2"].diagnostics)

    def test_crash_after_every_case_passed_fails_the_program(self):
        tests = program(GOOD, "signal=6")
        self.assertEqual(statuses(tests), {"/1": PASS, "/2": PASS, "": FAIL})
        self.assertEqual(tests[""].detail, "killed by signal 6 (SIGABRT)")
        self.assertEqual(tests[""].diagnostics[-1], "ok 2 - the child exits")

    def test_nonzero_exit_with_all_ok(self):
        self.assertEqual(program(GOOD, "exit=3")[""].detail, "exited with status 3")

    def test_timeout(self):
        tests = program(["1..2", "ok 1 - a"], "timeout", timeout=5)
        self.assertEqual(tests["/2"].detail, "never reported (timed out after 5s (killed by the init))")

    def test_garbage_fails_even_when_cases_pass(self):
        tests = program(GOOD + ["\x07\x00 junk"])
        self.assertEqual(tests[""].status, FAIL)
        self.assertIn("printed 1 non-TAP line(s)", tests[""].detail)

    def test_no_output_and_no_end_marker(self):
        self.assertEqual(statuses(program([])), {"": FAIL})
        tests = program(["1..1"], status=None)
        self.assertEqual(statuses(tests), {"/1": FAIL})
        self.assertIn("no end marker", tests["/1"].detail)

    def test_cut_off_line_and_truncated_output(self):
        self.assertIn("middle of a line", program(GOOD, noeol=True)[""].detail)
        tests = program(GOOD + ["x" * 5000], truncated=True)
        self.assertIn("cut off after 64 KiB", tests[""].detail)
        self.assertEqual(tests[""].diagnostics[-1], "x" * 200 + "... (5000 characters)")

    def test_plan_mismatch_and_duplicates(self):
        tests = program(["1..1", "ok 1 - a", "ok 1 - a again", "ok 2 - b"], "exit=1")
        self.assertEqual(tests[""].status, FAIL)
        self.assertEqual(tests[""].detail, "result 1 reported twice")
        self.assertIn("result 2 is outside the plan 1..1", tests[""].diagnostics)

    def test_skips(self):
        self.assertEqual(statuses(program(["1..0 # SKIP no ptys"])), {"": SKIP})
        self.assertEqual(statuses(program(["1..0"])), {"": FAIL})
        tests = program(["1..1", "ok 1 - a # SKIP later"])
        self.assertEqual((tests["/1"].status, tests["/1"].detail), (SKIP, "a (SKIP later)"))


class ScenarioTest(unittest.TestCase):
    def judge(self, lines, expected, status="exit=0", noeol=False):
        return conformance.judge_scenario(Listed("scenario", "scenario/pipes", 30),
                                          Capture(lines, status, noeol), expected)

    def test_normalised_match(self):
        lines = ["PID=4711 PPID=1", "TIME=Thu Jan  1 00:00:05 UTC 1970", "KERNEL=6.1.0-56-amd64", "12 PIDS"]
        expected = "PID=<pid> PPID=<pid>\nTIME=<time>\nKERNEL=<kernel>\n12 PIDS\n"
        self.assertEqual(self.judge(lines, expected).status, PASS)

    def test_byte_exact(self):
        self.assertEqual(self.judge(["a"], "a\n", noeol=True).status, FAIL)
        self.assertEqual(self.judge(["a", ""], "a\n\n").status, PASS)
        t = self.judge(["a", "c"], "a\nb\n")
        self.assertEqual(t.status, FAIL)
        self.assertIn("differs from user/scenarios/pipes.expected", t.detail)
        self.assertIn("-b", t.diagnostics)
        self.assertIn("+c", t.diagnostics)

    def test_exit_status_and_missing_expected(self):
        self.assertEqual(self.judge(["a"], "a\n", "exit=1").detail, "exited with status 1")
        self.assertIn("make scenarios-expected", self.judge(["a"], None).detail)


LISTED = [Listed("prog", "process/fork", 30), Listed("prog", "memory/brk", 30),
          Listed("scenario", "scenario/pipes", 30)]
LINUX_LOG = [marker("start"), *framed("process/fork", GOOD), *framed("memory/brk", ["1..1", "ok 1 - brk"]),
             *framed("scenario/pipes", ["PID=7"]), marker("done")]


class EvaluateTest(unittest.TestCase):
    def evaluate(self, lines, **kw):
        tests, problems, _ = conformance.evaluate(LISTED, run_result(lines, **kw), 100,
                                                  {"pipes": "PID=<pid>\n"})
        return {t.name: t for t in tests}, problems

    def test_linux_all_green(self):
        tests, problems = self.evaluate(LINUX_LOG)
        self.assertEqual(problems, [])
        self.assertEqual(sorted(tests), ["conformance/memory/brk/1", "conformance/process/fork/1",
                                         "conformance/process/fork/2", "conformance/scenario/pipes"])
        self.assertTrue(all(t.status == PASS for t in tests.values()))

    def test_keel_without_user_mode_fails_every_test(self):
        tests, problems = self.evaluate(["[    0.1] CPU0: Keel booted in 5 ms"])
        self.assertEqual(sorted(tests), ["conformance/memory/brk", "conformance/process/fork",
                                         "conformance/scenario/pipes"])
        self.assertTrue(all(t.status == FAIL and t.detail.startswith("never ran: the test init never started")
                            for t in tests.values()))
        self.assertEqual(len(problems), 1)

    def test_kernel_death_fails_the_rest(self):
        lines = [marker("start"), *framed("process/fork", GOOD), marker("begin memory/brk"), "1..1",
                 "[   3.000000] Kernel panic - not syncing"]
        tests, problems = self.evaluate(lines, status=0)
        self.assertEqual(tests["conformance/memory/brk/1"].status, FAIL)
        self.assertIn("no end marker", tests["conformance/memory/brk/1"].detail)
        self.assertEqual(tests["conformance/scenario/pipes"].detail,
                         "never ran: the run ended during or after memory/brk without '@@@ <token> done' "
                         "(QEMU exit status 0 = QEMU quit without isa-debug-exit (guest reset/triple fault "
                         "with -no-reboot, or power-off))")
        self.assertNotIn("conformance", tests)

    def test_bad_exit_after_a_green_run_fails_the_group(self):
        tests, problems = self.evaluate(LINUX_LOG, status=qemu.STATUS_PANIC)
        self.assertEqual(tests["conformance"].status, FAIL)
        self.assertIn("QEMU exit status 37 = PANIC after the run", tests["conformance"].detail)

    def test_known_failures_both_directions(self):
        """The Keel run with known-failures applied: a listed failure is XFAIL,
        a listed test that passes is an ERROR and an unlisted failure stays a
        failure; both errors fail make test."""
        lines = [marker("start"), *framed("process/fork", ["1..2", "ok 1 - a", "not ok 2 - b"], "exit=1"),
                 *framed("memory/brk", ["1..1", "not ok 1 - brk"], "exit=1"),
                 *framed("scenario/pipes", ["PID=1"]), marker("done")]
        tests, _ = self.evaluate(lines)
        with tempfile.NamedTemporaryFile("w") as f:
            f.write("conformance/process/*  7  no user mode\nconformance/scenario/*  7  no user mode\n")
            f.flush()
            known = knownfail.load(Path(f.name))
        results = list(tests.values())
        knownfail.apply(known, results)
        got = {t.name: t.status for t in results}
        self.assertEqual(got, {"conformance/process/fork/1": ERROR, "conformance/process/fork/2": XFAIL,
                               "conformance/memory/brk/1": FAIL, "conformance/scenario/pipes": ERROR})
        self.assertEqual(report.summary([GroupResult("conformance", results)]),
                         "0 passed, 3 failed, 1 known failure")


class RunTest(unittest.TestCase):
    """run() end to end with a fake QEMU that prints a canned log."""

    def setUp(self):
        tmp = tempfile.TemporaryDirectory()
        self.addCleanup(tmp.cleanup)
        self.dir = Path(tmp.name)
        self.build = self.dir / "build"
        (self.build / "conformance").mkdir(parents=True)
        (self.build / "conformance/initramfs.cpio").write_bytes(b"070701")
        (self.build / "conformance/list").write_text(
            "prog process/fork /conformance/tests/process/fork 30\n"
            "scenario scenario/pipes /conformance/scenarios/pipes.sh 30\n")
        (self.dir / "kernel").write_bytes(b"")
        self.scenarios = self.dir / "scenarios"
        self.scenarios.mkdir()
        log = self.dir / "serial"
        log.write_text("\n".join([marker("start"), *framed("process/fork", GOOD),
                                  *framed("scenario/pipes", ["PID=12", "TIME=now"]), marker("done")]) + "\n")
        fake = self.dir / "qemu"
        fake.write_text(f"#!/bin/sh\ncat {log}\nexit 33\n")
        fake.chmod(fake.stat().st_mode | stat.S_IXUSR)
        for patch in (mock.patch.object(qemu, "QEMU", str(fake)),
                      mock.patch.object(conformance, "SCENARIOS", self.scenarios),
                      mock.patch.object(conformance, "REPO", self.dir)):
            patch.start()
            self.addCleanup(patch.stop)
        self.kernel = conformance.Kernel("linux", "Linux (test)", self.dir / "kernel", "quiet", 10)

    def test_update_then_compare(self):
        paths = system.Paths(self.build)
        g = conformance.run(self.kernel, paths, update_expected=True)
        self.assertEqual({t.name: t.status for t in g.tests},
                         {"conformance/process/fork/1": PASS, "conformance/process/fork/2": PASS,
                          "conformance/scenario/pipes": PASS})
        self.assertEqual((self.scenarios / "pipes.expected").read_text(), "PID=<pid>\nTIME=<time>\n")
        g = conformance.run(self.kernel, paths)
        self.assertFalse(g.failed)
        self.assertTrue((self.build / "logs/conformance-linux.log").is_file())
        self.assertIn("| process | 2 | 0 | 0 | 0 | 2 |", conformance.area_table(g))
        self.assertIn("| **total** | 3 | 0 | 0 | 0 | 3 |", conformance.report_markdown(g))

    def test_missing_initramfs(self):
        (self.build / "conformance/initramfs.cpio").unlink()
        g = conformance.run(self.kernel, system.Paths(self.build))
        self.assertEqual([(t.name, t.status) for t in g.tests], [("conformance", FAIL)])
        self.assertIn("make initramfs", g.tests[0].detail)


if __name__ == "__main__":
    unittest.main()
