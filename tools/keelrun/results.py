"""Test outcomes, and how one run (a spec or a binary) turns into tests.

Counting rules shared by every kind of group: each TAP/KTAP case is a test;
a planned case that never reported is a failure; and a run-level problem
(wrong exit status, timeout, missing expected line, ...) becomes a failure of
the group itself unless failing cases already explain it, so it is neither
lost nor counted twice.
"""
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

from . import tap

PASS, FAIL, SKIP, XFAIL, ERROR = "PASS", "FAIL", "SKIP", "XFAIL", "ERROR"
FAILED = (FAIL, ERROR)
SKIPPED = (SKIP, XFAIL)

_CASE_STATUS = {"pass": PASS, "fail": FAIL, "missing": FAIL, "skip": SKIP}


@dataclass
class TestResult:
    name: str
    status: str
    detail: str = ""                    # one line: why it failed / was skipped
    diagnostics: list[str] = field(default_factory=list)


@dataclass
class GroupResult:
    """One spec or binary: the unit keel-test schedules and prints a line for."""
    name: str
    tests: list[TestResult]
    seconds: float = 0.0
    reasons: list[str] = field(default_factory=list)   # run-level problems
    log: Optional[Path] = None
    rerun: str = ""                     # command line that reproduces the run
    stderr: str = ""                    # the runner's (QEMU's) own error output

    @property
    def failed(self) -> bool:
        return any(t.status in FAILED for t in self.tests)


def judge(group: str, cases: list[tap.Case], explainable: list[str],
          unexplained: list[str]) -> list[TestResult]:
    """Tests of a TAP/KTAP run. explainable problems (exit status, timeout,
    truncation) follow from failing cases and add a group failure only when no
    case failed; unexplained ones (missing expected lines, ...) always do."""
    tests = [TestResult("/".join((group,) + c.path), _CASE_STATUS[c.outcome],
                        c.detail or ("not ok" if c.outcome == "fail" else ""),
                        c.diagnostics)
             for c in cases]
    case_failed = any(t.status == FAIL for t in tests)
    problems = unexplained + ([] if case_failed else explainable)
    if problems:
        tests.append(TestResult(group, FAIL, problems[0]))
    return tests


def single(group: str, problems: list[str]) -> list[TestResult]:
    """The one test of a group that is judged as a whole."""
    return [TestResult(group, FAIL, problems[0]) if problems else TestResult(group, PASS)]


def count(groups: list[GroupResult]) -> tuple[int, int, int]:
    """(passed, failed, skipped) over all tests."""
    tests = [t for g in groups for t in g.tests]
    return (sum(t.status == PASS for t in tests), sum(t.status in FAILED for t in tests),
            sum(t.status in SKIPPED for t in tests))
