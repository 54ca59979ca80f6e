"""known-failures: XFAIL for listed failures, ERROR for listed passes."""
import tempfile
import unittest
from pathlib import Path

from keelrun import REPO, knownfail
from keelrun.results import ERROR, FAIL, PASS, SKIP, XFAIL, TestResult


def load(text):
    with tempfile.NamedTemporaryFile("w", suffix="known-failures") as f:
        f.write(text)
        f.flush()
        return knownfail.load(Path(f.name))


class KnownFailuresTest(unittest.TestCase):
    def test_apply(self):
        entries = load("# header\n\nktest-all/net/*  #7  no network yet\nboot-iso-uefi 9 slow OVMF\n")
        tests = [TestResult("ktest-all/net/a", FAIL, "not ok"), TestResult("ktest-all/net/b", PASS),
                 TestResult("ktest-all/mm/c", FAIL), TestResult("boot-iso-uefi", SKIP)]
        knownfail.apply(entries, tests)
        self.assertEqual([t.status for t in tests], [XFAIL, ERROR, FAIL, SKIP])
        self.assertIn("known failure #7: no network yet", tests[0].detail)
        self.assertIn("remove 'ktest-all/net/*' from tests/system/known-failures", tests[1].detail)

    def test_unused(self):
        entries = load("a/* 1 r\nb 2 r\n")
        self.assertEqual([e.pattern for e in knownfail.unused(entries, ["a/x", "c"])], ["b"])

    def test_malformed(self):
        with self.assertRaises(knownfail.KnownFailuresError) as cm:
            load("# ok\nktest-all/x no-issue-number\n")
        self.assertIn(":2: expected", str(cm.exception))

    def test_committed_file_loads(self):
        knownfail.load(REPO / "tests/system/known-failures")


if __name__ == "__main__":
    unittest.main()
