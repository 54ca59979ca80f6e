"""tests/system/known-failures: tests that fail today, each with an issue.

A listed test that fails is an expected failure (XFAIL, counted as a known
failure in the summary line); a listed test that passes is an error, so a fix
cannot land without removing its entry and the list can only shrink. Format:
see the file's header.
"""
import fnmatch
import re
from dataclasses import dataclass
from pathlib import Path

from .results import ERROR, FAIL, PASS, XFAIL, TestResult

_LINE = re.compile(r"^(\S+)\s+#?(\d+)\s+(\S.*)$")


class KnownFailuresError(Exception):
    """A malformed entry; str() is 'path:line: reason'."""


@dataclass
class Entry:
    pattern: str                        # test name or glob
    issue: str
    reason: str

    def matches(self, name: str) -> bool:
        return fnmatch.fnmatchcase(name, self.pattern)


def load(path: Path) -> list[Entry]:
    if not path.exists():
        return []
    entries = []
    for lineno, raw in enumerate(path.read_text().splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        m = _LINE.match(line)
        if not m:
            raise KnownFailuresError(
                f"{path}:{lineno}: expected '<test-name-or-glob>  <issue-number>  <reason>'")
        entries.append(Entry(*m.groups()))
    return entries


def apply(entries: list[Entry], tests: list[TestResult]) -> None:
    """Turn failures of listed tests into XFAIL and passes into ERROR."""
    for t in tests:
        entry = next((e for e in entries if e.matches(t.name)), None)
        if entry is None:
            continue
        if t.status == FAIL:
            t.status = XFAIL
            t.detail = f"known failure #{entry.issue}: {entry.reason} (was: {t.detail})"
        elif t.status == PASS:
            t.status = ERROR
            t.detail = (f"passes now: remove '{entry.pattern}' from "
                        f"tests/system/known-failures (issue #{entry.issue})")


def unused(entries: list[Entry], names: list[str]) -> list[Entry]:
    """Entries that match none of the tests that ran."""
    return [e for e in entries if not any(e.matches(n) for n in names)]
