"""Judging system-test runs from canned serial logs (no QEMU needed)."""
import unittest
from pathlib import Path

from keelrun import qemu, spec, system
from keelrun.results import FAIL, PASS, SKIP


def log(*messages):
    return [f"[    0.{i:06d}] CPU0: {m}" for i, m in enumerate(messages)]


def run(lines, status=qemu.STATUS_PASS, outcome=qemu.Outcome.EXITED):
    return qemu.RunResult(outcome, status if outcome is qemu.Outcome.EXITED else None, lines, 1.0, "")


def evaluate(spec_text, result):
    tests, reasons = system.evaluate(spec.parse(spec_text, Path("t/boot.test")), result)
    return {t.name: t.status for t in tests}, reasons


BOOT = "append: testmode\nexit: pass\nexpect: ^Keel \\d+\\.\\d+\nexpect: Keel booted in \\d+ ms\nreject: Kernel panic\n"
KTAP_SPEC = "append: ktest=all\nktap: yes\nexit: pass\n"
KTAP = ["KTAP version 1", "1..2", "    KTAP version 1", "    # Subtest: string", "    1..2",
        "    ok 1 test_strlen", "    # test_strcmp: EXPECTATION FAILED at x.c:1", "    not ok 2 test_strcmp",
        "not ok 1 string", "    KTAP version 1", "    # Subtest: mm", "    1..1", "    ok 1 test_alloc # SKIP later",
        "ok 2 mm"]


class BootSpecTest(unittest.TestCase):
    def test_pass(self):
        tests, reasons = evaluate(BOOT, run(log("Keel 0.1.0", "Keel booted in 12 ms")))
        self.assertEqual((tests, reasons), ({"boot": PASS}, []))

    def test_expect_needs_the_prefix_stripped(self):
        tests, reasons = evaluate(BOOT, run(log("Keel booted in 12 ms")))
        self.assertEqual(tests, {"boot": FAIL})
        self.assertEqual(reasons, ["no log line matched expect: ^Keel \\d+\\.\\d+"])

    def test_reject(self):
        _, reasons = evaluate(BOOT, run(log("Keel 0.1", "Kernel panic - not syncing", "Keel booted in 1 ms")))
        self.assertEqual(len(reasons), 1)
        self.assertIn("rejected pattern 'Kernel panic' matched: [    0.000001] CPU0: Kernel panic", reasons[0])

    def test_wrong_status_is_explained(self):
        _, reasons = evaluate(BOOT, run(log("Keel 0.1", "Keel booted in 1 ms"), status=qemu.STATUS_PANIC))
        self.assertEqual(reasons, ["QEMU exit status 37 = PANIC, expected 33 = PASS"])

    def test_quit_expects_status_0(self):
        text = "append: boot_end=poweroff\nexit: quit\nexpect: powering off\n"
        self.assertEqual(evaluate(text, run(log("acpi: powering off"), status=0)), ({"boot": PASS}, []))
        tests, reasons = evaluate(text, run(log("acpi: powering off"), status=qemu.STATUS_FAIL))
        self.assertEqual(tests, {"boot": FAIL})
        self.assertIn("QEMU exit status 35 = FAIL, expected 0 = QEMU quit", reasons[0])

    def test_timeout(self):
        tests, reasons = evaluate(BOOT, run(log("Keel 0.1"), outcome=qemu.Outcome.TIMEOUT))
        self.assertEqual(tests, {"boot": FAIL})
        self.assertEqual(reasons[0], "timed out after 60s (QEMU killed)")

    def test_order(self):
        text = "exit: pass\nexpect-order: yes\nexpect: first\nexpect: second\n"
        self.assertEqual(evaluate(text, run(log("first", "second")))[0], {"boot": PASS})
        self.assertEqual(evaluate(text, run(log("second", "first")))[0], {"boot": FAIL})
        self.assertEqual(evaluate(text, run(log("first second")))[0], {"boot": FAIL})


class ExitNoneTest(unittest.TestCase):
    SPEC = "boot: iso-bios\nexit: none\nexpect: firmware: BIOS\nexpect: Keel booted\n"

    def test_stopped_after_the_expects(self):
        result = run(log("firmware: BIOS", "Keel booted in 3 ms"), outcome=qemu.Outcome.STOPPED)
        self.assertEqual(evaluate(self.SPEC, result), ({"boot": PASS}, []))

    def test_exiting_by_itself_fails(self):
        tests, reasons = evaluate(self.SPEC, run(log("firmware: BIOS", "Keel booted in 3 ms"), status=0))
        self.assertEqual(tests, {"boot": FAIL})
        self.assertIn("exited by itself with status 0", reasons[0])

    def test_live_watch_stops_once_all_matched(self):
        e = system.Expectations(spec.parse(self.SPEC, Path("b.test")).expects, ordered=False)
        self.assertEqual([e.feed(ln) for ln in log("Keel booted in 1 ms", "x", "firmware: BIOS")],
                         [False, False, True])


class KtapSpecTest(unittest.TestCase):
    def test_cases_are_tests(self):
        tests, reasons = evaluate(KTAP_SPEC, run(log(*KTAP), status=qemu.STATUS_FAIL))
        self.assertEqual(tests, {"boot/string/test_strlen": PASS, "boot/string/test_strcmp": FAIL,
                                 "boot/mm/test_alloc": SKIP})
        self.assertEqual(reasons, ["QEMU exit status 35 = FAIL, expected 33 = PASS"])

    def test_panic_mid_run_fails_the_missing_cases_once(self):
        lines = log(*KTAP[:6], "page fault at 0x0", "Kernel panic - not syncing")
        tests, _ = evaluate(KTAP_SPEC, run(lines, status=qemu.STATUS_PANIC))
        self.assertEqual(tests, {"boot/string/test_strlen": PASS, "boot/string/#2": FAIL, "boot/#2": FAIL})

    def test_panic_after_all_cases_passed_fails_the_spec(self):
        lines = log("KTAP version 1", "1..1", "ok 1 trivial", "Kernel panic - not syncing")
        tests, _ = evaluate(KTAP_SPEC, run(lines, status=qemu.STATUS_PANIC))
        self.assertEqual(tests, {"boot/trivial": PASS, "boot": FAIL})

    def test_empty_plan_fails(self):
        tests, reasons = evaluate(KTAP_SPEC, run(log("KTAP version 1", "1..0")))
        self.assertEqual(tests, {"boot": FAIL})
        self.assertIn("no test cases", reasons[0])

    def test_no_ktap(self):
        tests, reasons = evaluate(KTAP_SPEC, run(log("Keel 0.1"), status=0))
        self.assertEqual(tests, {"boot": FAIL})
        self.assertIn("no KTAP output in the log", reasons)


class RerunTest(unittest.TestCase):
    def test_rerun_command(self):
        m = qemu.Machine(kernel=Path("build/keel.elf"), append="testmode quiet")
        self.assertEqual(system.rerun_command(m, 60),
                         "tools/qemu-run --kernel build/keel.elf --append 'testmode quiet' --timeout 60")


if __name__ == "__main__":
    unittest.main()
