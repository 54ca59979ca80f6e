"""What keel-test prints: one line per group, details for failures, one summary.

Failure details are everything needed to start debugging without rerunning:
the failing tests with their diagnostics, the run-level reasons, QEMU's own
error output, the end of the log, where the full log is and how to rerun.
"""
from . import logline
from collections import Counter

from .results import ERROR, FAIL, SKIP, XFAIL, GroupResult, count

TAIL_LINES = 30
XFAIL_LINES = 5         # more known failures in a group are summed up per reason
_INDENT = "      "


def group_line(g: GroupResult) -> str:
    counts = f"{g.seconds:.1f}s"
    if len(g.tests) > 1:
        n_skip = sum(t.status == SKIP for t in g.tests)
        n_xfail = sum(t.status == XFAIL for t in g.tests)
        n_fail = sum(t.status in (FAIL, ERROR) for t in g.tests)
        counts += f", {len(g.tests)} tests"
        counts += f", {n_fail} failed" if n_fail else ""
        counts += f", {n_skip} skipped" if n_skip else ""
        counts += f", {_known(n_xfail)}" if n_xfail else ""
    if g.failed:
        status = "FAIL"
    elif g.tests and all(t.status == XFAIL for t in g.tests):
        status = "XFAIL"
    else:
        status = "PASS"
    return f"{status:5} {g.name} ({counts})"


def _known(n: int) -> str:
    return f"{n} known failure{'' if n == 1 else 's'}"


def notable_lines(g: GroupResult, verbose: bool) -> list[str]:
    """Lines for known failures and stale entries (always) and every test (-v).
    Without -v, a group with many known failures gets one line per reason
    (a suite listed whole would otherwise print a line per test)."""
    n_xfail = sum(t.status == XFAIL for t in g.tests)
    condense = not verbose and n_xfail > XFAIL_LINES
    out = []
    for t in g.tests:
        if (t.status == XFAIL and not condense) or t.status == ERROR or (verbose and len(g.tests) > 1):
            detail = f": {t.detail}" if t.detail else ""
            out.append(f"{_INDENT}{t.status:5} {t.name}{detail}")
    if condense:
        reasons = Counter(t.detail.split(" (was: ")[0] for t in g.tests if t.status == XFAIL)
        out += [f"{_INDENT}XFAIL {n} tests: {reason}" for reason, n in reasons.items()]
    return out


def failure_block(g: GroupResult) -> list[str]:
    out = []
    for t in g.tests:
        if t.status != FAIL or (t.name == g.name and g.reasons):   # the reasons say it
            continue
        out.append(f"{_INDENT}failed: {t.name}: {t.detail}")
        out += [f"{_INDENT}    {logline.printable(d)}" for d in t.diagnostics]
    out += [f"{_INDENT}reason: {logline.printable(r)}" for r in g.reasons]
    if g.stderr.strip():
        out.append(f"{_INDENT}stderr of the run:")
        out += [f"{_INDENT}    {ln}" for ln in g.stderr.strip().splitlines()[-10:]]
    if g.log is not None:
        out += _tail(g)
        out.append(f"{_INDENT}log: {g.log}")
    if g.rerun:
        out.append(f"{_INDENT}rerun: {g.rerun}")
    return out


def _tail(g: GroupResult) -> list[str]:
    try:
        lines = g.log.read_text(errors="replace").splitlines()
    except OSError:
        return [f"{_INDENT}(log {g.log} unreadable)"]
    if not lines:
        return [f"{_INDENT}(log is empty)"]
    tail = lines[-TAIL_LINES:]
    head = f"{_INDENT}--- last {len(tail)} lines of {g.log} ---"
    return [head] + [f"{_INDENT}| {logline.printable(ln)}" for ln in tail] + [f"{_INDENT}---"]


def summary(groups: list[GroupResult]) -> str:
    """The last line of `make test`: `N passed, N failed[, N skipped][, N known failures]`
    (known failures: XFAIL, listed in tests/system/known-failures)."""
    passed, failed, _ = count(groups)
    tests = [t for g in groups for t in g.tests]
    skipped = sum(t.status == SKIP for t in tests)
    known = sum(t.status == XFAIL for t in tests)
    line = f"{passed} passed, {failed} failed"
    line += f", {skipped} skipped" if skipped else ""
    return line + (f", {_known(known)}" if known else "")
