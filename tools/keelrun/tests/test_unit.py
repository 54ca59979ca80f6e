"""Host unit-test binaries: TAP cases, crashes and silent binaries (fake binaries)."""
import stat
import tempfile
import unittest
from pathlib import Path

from keelrun import unit
from keelrun.results import FAIL, PASS, SKIP


class UnitBinaryTest(unittest.TestCase):
    def setUp(self):
        tmp = tempfile.TemporaryDirectory()
        self.addCleanup(tmp.cleanup)
        self.dir = Path(tmp.name)

    def binary(self, script: str) -> Path:
        path = self.dir / "test_fake"
        path.write_text("#!/bin/sh\n" + script)
        path.chmod(path.stat().st_mode | stat.S_IXUSR)
        return path

    def statuses(self, script: str):
        g = unit.run_binary(self.binary(script), self.dir / "logs")
        return {t.name: t.status for t in g.tests}, g

    def test_cases_and_cmocka_skip_names(self):
        tests, g = self.statuses('test "$CMOCKA_MESSAGE_OUTPUT" = TAP || exit 9\n'
                                 'printf "1..3\\nok 1 - a\\nnot ok 2 - b\\n# a.c:3: error\\nnot ok 3 # SKIP c\\n"\n'
                                 'exit 1\n')
        self.assertEqual(tests, {"unit/test_fake/a": PASS, "unit/test_fake/b": FAIL, "unit/test_fake/c": SKIP})
        self.assertTrue((self.dir / "logs/unit/test_fake.log").read_text().startswith("1..3"))

    def test_crash_without_not_ok(self):
        tests, g = self.statuses('printf "1..2\\nok 1 - a\\n"\nkill -SEGV $$\n')
        self.assertEqual(tests, {"unit/test_fake/a": PASS, "unit/test_fake/#2": FAIL})
        self.assertIn("exited with SIGSEGV", g.reasons)

    def test_nonzero_exit_after_all_passed(self):
        tests, g = self.statuses('printf "1..1\\nok 1 - a\\n"\nexit 3\n')
        self.assertEqual(tests, {"unit/test_fake/a": PASS, "unit/test_fake": FAIL})

    def test_no_tap(self):
        tests, g = self.statuses("echo hello\n")
        self.assertEqual(tests, {"unit/test_fake": FAIL})


if __name__ == "__main__":
    unittest.main()
