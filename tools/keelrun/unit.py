"""Running host-side test programs: cmocka unit-test binaries and the
Python self-tests of this package.

A unit binary prints TAP; each case is one test `unit/<binary>/<case>`. A
binary that crashes (sanitizer abort, segfault) stops printing, so missing
cases and a nonzero exit are failures even without a `not ok` line.
"""
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from . import REPO, logline, tap
from .results import GroupResult, judge, single

UNIT_TIMEOUT = 120.0


def _run(cmd: list[str], log: Path, timeout: float, env=None):
    """(exit status or None on timeout, output lines, seconds); output goes to log."""
    log.parent.mkdir(parents=True, exist_ok=True)
    start = time.monotonic()
    try:
        proc = subprocess.run(cmd, cwd=REPO, env=env, stdin=subprocess.DEVNULL,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=timeout)
        status, output = proc.returncode, proc.stdout
    except subprocess.TimeoutExpired as e:
        status, output = None, e.stdout or b""
    log.write_bytes(output)
    return status, logline.split_lines(output.decode(errors="replace")), time.monotonic() - start


def run_binary(binary: Path, logs: Path) -> GroupResult:
    name = f"unit/{binary.name}"
    log = logs / "unit" / f"{binary.name}.log"
    env = dict(os.environ, CMOCKA_MESSAGE_OUTPUT="TAP")
    try:
        status, lines, seconds = _run([str(binary.resolve())], log, UNIT_TIMEOUT, env)
    except OSError as e:
        return GroupResult(name, single(name, [f"cannot run {binary}: {e.strerror}"]))
    stream = tap.parse(lines, diagnostics="after")
    explainable, unexplained = [], []
    if status is None:
        explainable.append(f"timed out after {UNIT_TIMEOUT:g}s (killed)")
    elif status != 0:
        explainable.append(f"exited with {_describe_exit(status)}")
    if not stream.started:
        unexplained.append("no TAP output (run it with CMOCKA_MESSAGE_OUTPUT=TAP)")
    cases = [_cmocka_skip_name(c) for c in tap.cases(stream)]
    tests = judge(name, cases, explainable, unexplained)
    return GroupResult(name, tests, seconds, explainable + unexplained, log,
                       f"CMOCKA_MESSAGE_OUTPUT=TAP {binary}")


def _describe_exit(status: int) -> str:
    if status < 0:
        try:
            return signal.Signals(-status).name
        except ValueError:
            return f"signal {-status}"
    return f"status {status}"


def _cmocka_skip_name(case: tap.Case) -> tap.Case:
    """cmocka 1.1.5 prints a skipped test as `not ok 3 # SKIP test_name`: the
    name lands in the directive text; move it back so the test keeps its name."""
    if case.outcome == "skip" and case.path[-1].startswith("#") and case.detail:
        return tap.Case(case.path[:-1] + (case.detail,), "skip", "skipped")
    return case


def run_selftests(logs: Path) -> GroupResult:
    """This package's own unittest suite, as one test `tools/keelrun`."""
    name = "tools/keelrun"
    log = logs / "tools-keelrun.log"
    cmd = [sys.executable, "-m", "unittest", "discover", "-s", "tools/keelrun/tests", "-t", "tools"]
    status, lines, seconds = _run(cmd, log, UNIT_TIMEOUT)
    problems = [] if status == 0 else [
        "timed out" if status is None else f"python -m unittest exited with status {status}"]
    return GroupResult(name, single(name, problems), seconds, problems, log,
                       "python3 -m unittest discover -s tools/keelrun/tests -t tools")
