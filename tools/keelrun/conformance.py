"""The conformance suite: one boot runs every test program and scenario.

build/conformance/initramfs.cpio (tools/mkinitramfs.py) boots Keel or
Debian's Linux kernel with user/init/conformance-init as PID 1. The init runs
the tests of build/conformance/list in order and frames each one on the
serial console:

    @@@ <token> start
    @@@ <token> begin <id>
    ...output...
    @@@ <token> end <id> exit=<n>|signal=<n>|timeout|error [noeol] [truncated]
    @@@ <token> done

The token is random per boot; marker-like lines with another token are test
output. The list, not the log, says which tests a run must report, so a
kernel that dies or never starts the init fails every test it did not
finish.

Test names:
    conformance/<area>/<prog>/<n>   TAP case n of user/tests/<area>/<prog>.c
    conformance/<area>/<prog>       the program as a whole: it did not run,
                                    crashed, timed out, exited nonzero with
                                    every case ok, or printed non-TAP output
    conformance/scenario/<name>     user/scenarios/<name>.sh: passes iff it
                                    exits 0 and its normalised output equals
                                    user/scenarios/<name>.expected
    conformance                     a run-level problem no test explains

Linux is the oracle: its run ignores known failures and must be all green.
evaluate() is a pure function of the list, the serial lines and the expected
outputs, so the judging is tested on canned logs (tests/test_conformance.py).
"""
import difflib
import re
import signal
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

from . import REPO, qemu, system, tap
from .results import ERROR, FAIL, PASS, SKIP, XFAIL, GroupResult, TestResult, judge

GROUP = "conformance"
SCENARIOS = REPO / "user/scenarios"
EXCERPT_LINES = 20
LINE_CHARS = 200        # longer output lines are cut in reports
DIFF_LINES = 40
TRUNCATED = "its output was cut off after 64 KiB"      # the init's OUTPUT_LIMIT

_MARKER = re.compile(r"^@@@ ([0-9a-f]{16}) (start|begin|end|note|done)\b ?(.*)$")
_END = re.compile(r"^(\S+) (exit=\d+|signal=\d+|timeout|error)((?: noeol| truncated)*)$")
# Kernel log lines share the serial port with test output: Keel's
# "[    0.123456] CPU0: " and Linux's "[    0.123456] " prefixes.
_KERNEL_LINE = re.compile(r"^\[\s*\d+\.\d+\] ")
_TAP_LINE = re.compile(r"^(?:(?:not )?ok\b|1\.\.\d+|#|TAP version \d+$|Bail out!)")
_SKIP_ALL = re.compile(r"^1\.\.0\s*#\s*SKIP\b\s*(.*)$", re.IGNORECASE)

#: The normalisation of scenario output (user/scenarios/README.md): explicit
#: placeholders a scenario prints, never a fuzzy comparison.
PLACEHOLDERS = [
    (re.compile(r"PID=\d+"), "PID=<pid>"),
    (re.compile(r"TIME=.*"), "TIME=<time>"),
    (re.compile(r"KERNEL=.*"), "KERNEL=<kernel>"),
]


@dataclass
class Listed:
    """One line of build/conformance/list."""
    kind: str                           # "prog" | "scenario"
    id: str                             # "process/getpid", "scenario/pipes"
    timeout: int


@dataclass
class Capture:
    """What the log shows of one test. status None: no end marker."""
    lines: list[str] = field(default_factory=list)
    status: Optional[str] = None
    noeol: bool = False
    truncated: bool = False

    @property
    def text(self) -> str:
        """The output as the test wrote it (the init adds a newline when the
        output lacked one and says so with noeol)."""
        if not self.lines:
            return ""
        return "\n".join(self.lines) + ("" if self.noeol else "\n")


@dataclass
class Log:
    """The serial log split at the markers of this boot's token."""
    started: bool = False
    done: bool = False
    captures: dict[str, Capture] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    last: Optional[str] = None          # id of the last test that began


@dataclass
class Kernel:
    """What a run boots."""
    name: str                           # "keel" | "linux"
    label: str                          # for reports: "Keel (build/keel.elf)"
    image: Path
    append: str
    boot_seconds: float                 # allowance for boot and power-off


@dataclass
class SuiteResult(GroupResult):
    """A conformance run: the tests plus what its report needs."""
    kernel: str = ""
    notes: list[str] = field(default_factory=list)


class ListError(Exception):
    """A malformed build/conformance/list."""


def keel(paths: system.Paths) -> Kernel:
    return Kernel("keel", f"Keel ({paths.kernel})", paths.kernel, "testmode quiet", 60.0)


def linux(boot: Path = Path("/boot")) -> Kernel:
    """Debian's newest installed kernel (package linux-image-amd64)."""
    images = sorted(boot.glob("vmlinuz-*"), key=lambda p: _version_key(p.name))
    if not images:
        raise qemu.SetupError(f"no {boot}/vmlinuz-*; {qemu.INSTALL_HINT} (linux-image-amd64)")
    return Kernel("linux", f"Linux ({images[-1].name})", images[-1],
                  "console=ttyS0 rdinit=/init panic=-1 quiet", 120.0)


def _version_key(name: str):
    return [int(p) if p.isdigit() else p for p in re.split(r"(\d+)", name)]


def load_list(path: Path) -> list[Listed]:
    tests = []
    for lineno, line in enumerate(path.read_text().splitlines(), 1):
        parts = line.split()
        if len(parts) != 4 or parts[0] not in ("prog", "scenario") or not parts[3].isdigit():
            raise ListError(f"{path}:{lineno}: expected '<prog|scenario> <id> <path> <timeout>'")
        tests.append(Listed(parts[0], parts[1], int(parts[3])))
    return tests


def parse_log(lines: list[str]) -> Log:
    """Split the serial lines at the markers. The first start marker fixes
    the token; kernel log lines are left out of the tests' output."""
    log, token, current = Log(), None, None
    for line in lines:
        m = _MARKER.match(line)
        if m and token is None and m.group(2) == "start":
            token = m.group(1)
            log.started = True
            continue
        if m and m.group(1) == token:
            verb, arg = m.group(2), m.group(3)
            if verb == "begin":
                current = log.captures[arg] = Capture()
                log.last = arg
            elif verb == "end":
                e = _END.match(arg)
                cap = log.captures.get(e.group(1)) if e else None
                if cap is not None:
                    cap.status = e.group(2)
                    cap.noeol = "noeol" in e.group(3)
                    cap.truncated = "truncated" in e.group(3)
                current = None
            elif verb == "note":
                log.notes.append(arg)
            elif verb == "done":
                log.done = True
            continue
        if current is not None and not _KERNEL_LINE.match(line):
            current.lines.append(line)
    return log


def normalize(text: str) -> str:
    for rx, placeholder in PLACEHOLDERS:
        text = rx.sub(placeholder, text)
    return text


def _cut(line: str) -> str:
    return line if len(line) <= LINE_CHARS else f"{line[:LINE_CHARS]}... ({len(line)} characters)"


def _excerpt(cap: Capture) -> list[str]:
    """The end of a test's output, for failure reports."""
    if not cap.lines:
        return ["(no output)"]
    tail = [_cut(ln) for ln in cap.lines[-EXCERPT_LINES:]]
    head = [f"(last {len(tail)} of {len(cap.lines)} output lines)"] if len(tail) < len(cap.lines) else []
    return head + tail


def _status_problem(cap: Capture, timeout: int) -> Optional[str]:
    """Why the way the test ended is a failure, or None for exit=0."""
    s = cap.status
    if s is None:
        return "no end marker: the kernel or the init died while it ran"
    if s == "timeout":
        return f"timed out after {timeout}s (killed by the init)"
    if s == "error":
        return "the init could not run it or lost it (see the init's notes)"
    if s.startswith("signal="):
        return f"killed by {_signal_name(int(s.removeprefix('signal=')))}"
    if s != "exit=0":
        return f"exited with status {s.removeprefix('exit=')}"
    return None


def _signal_name(n: int) -> str:
    """Linux x86_64 numbers, the host's (the tools run on Linux x86_64)."""
    try:
        return f"signal {n} ({signal.Signals(n).name})"
    except ValueError:
        return f"signal {n}"


def judge_program(t: Listed, cap: Capture) -> list[TestResult]:
    """TAP cases, plus a failure of the program for whatever the cases do not explain."""
    name = f"{GROUP}/{t.id}"
    stream = tap.parse(cap.lines, diagnostics="after")
    explainable, unexplained = [], []
    problem = _status_problem(cap, t.timeout)
    if problem:
        explainable.append(problem)
    if cap.noeol:
        explainable.append("its output ends in the middle of a line")
    if cap.truncated:
        unexplained.append(TRUNCATED)
    if stream.bailed:
        explainable.append(f"Bail out! {stream.bailed}")
    garbage = [ln for ln in cap.lines if not _TAP_LINE.match(ln)]
    if garbage:
        unexplained.append(f"printed {len(garbage)} non-TAP line(s), first: {_cut(garbage[0])!r}")
    skip_all = next((m for m in map(_SKIP_ALL.match, cap.lines) if m), None)
    if skip_all and not stream.results and not (explainable or unexplained):
        return [TestResult(name, SKIP, skip_all.group(1) or "skipped")]
    if not stream.started:
        unexplained.append("no TAP output (no plan, no results)")

    cases, seen = [], set()
    for r in stream.results:
        if r.number in seen:
            unexplained.append(f"result {r.number} reported twice")
            continue
        seen.add(r.number)
        if stream.plan is not None and r.number > stream.plan:
            unexplained.append(f"result {r.number} is outside the plan 1..{stream.plan}")
        if r.directive:
            cases.append(tap.Case((str(r.number),), "skip", f"{r.name} ({r.directive} {r.reason})".strip()))
        else:
            cases.append(tap.Case((str(r.number),), "pass" if r.ok else "fail",
                                  r.name if r.ok else f"not ok - {r.name}", r.diagnostics))
    missing = [n for n in range(1, (stream.plan or 0) + 1) if n not in seen]
    for i, n in enumerate(missing):
        cases.append(tap.Case((str(n),), "missing", f"never reported ({problem or 'the program stopped early'})",
                              [] if i else _excerpt(cap)))
    if not cases and not unexplained:
        unexplained.append("reported no test results")
    tests = judge(name, cases, explainable, unexplained)
    for test in tests:
        if test.name == name:
            test.diagnostics = [p for p in explainable + unexplained if p != test.detail] + _excerpt(cap)
    return tests


def _scenario_problem(t: Listed, cap: Capture) -> Optional[str]:
    """Why a scenario's run cannot be compared (or recorded), or None."""
    return _status_problem(cap, t.timeout) or (TRUNCATED if cap.truncated else None)


def judge_scenario(t: Listed, cap: Capture, expected: Optional[str]) -> TestResult:
    """Pass iff the scenario exited 0 and its normalised output is the expected text."""
    name = f"{GROUP}/{t.id}"
    problem = _scenario_problem(t, cap)
    if problem:
        return TestResult(name, FAIL, problem, _excerpt(cap))
    expected_file = f"user/scenarios/{t.id.removeprefix('scenario/')}.expected"
    if expected is None:
        return TestResult(name, FAIL, f"{expected_file} is missing (make scenarios-expected)")
    got = normalize(cap.text)
    if got == expected:
        return TestResult(name, PASS)
    diff = list(difflib.unified_diff(expected.splitlines(keepends=True), got.splitlines(keepends=True),
                                     expected_file, "output (normalised)"))
    diff = [ln.rstrip("\n") if ln.endswith("\n") else ln + "  (no newline at end)" for ln in diff]
    if len(diff) > DIFF_LINES:
        diff = diff[:DIFF_LINES] + [f"... ({len(diff) - DIFF_LINES} more diff lines)"]
    return TestResult(name, FAIL, f"output differs from {expected_file}", diff)


def run_problems(log: Log, run: qemu.RunResult, time_limit: float) -> list[str]:
    """Problems of the boot as a whole (why tests may be missing)."""
    problems = []
    if run.outcome is qemu.Outcome.TIMEOUT:
        problems.append(f"timed out after {time_limit:g}s (QEMU killed)")
    if not log.started:
        problems.append("the test init never started (no '@@@ <token> start' line): "
                        "the kernel did not run /init from the initramfs")
    elif not log.done:
        where = f"during or after {log.last}" if log.last else "before the first test"
        how = "" if run.outcome is not qemu.Outcome.EXITED else \
            f" (QEMU exit status {qemu.describe_status(run.status)})"
        problems.append(f"the run ended {where} without '@@@ <token> done'{how}")
    elif run.outcome is qemu.Outcome.EXITED and run.status != qemu.STATUS_PASS:
        problems.append(f"QEMU exit status {qemu.describe_status(run.status)} after the run, "
                        f"expected {qemu.describe_status(qemu.STATUS_PASS)}")
    return problems


def evaluate(listed: list[Listed], run: qemu.RunResult, time_limit: float,
             expected: dict[str, str]) -> tuple[list[TestResult], list[str], Log]:
    """(tests, run-level problems, parsed log). expected maps a scenario's
    name to its expected output; a missing key means no .expected file."""
    log = parse_log(run.lines)
    problems = run_problems(log, run, time_limit)
    why = problems[0] if problems else "the init never began it"
    tests = []
    for t in listed:
        cap = log.captures.get(t.id)
        if cap is None:
            tests.append(TestResult(f"{GROUP}/{t.id}", FAIL, f"never ran: {why}"))
        elif t.kind == "scenario":
            tests.append(judge_scenario(t, cap, expected.get(t.id.removeprefix("scenario/"))))
        else:
            tests += judge_program(t, cap)
    if problems and not any(test.status == FAIL for test in tests):
        tests.append(TestResult(GROUP, FAIL, problems[0]))
    return tests, problems, log


def _expected_outputs(listed: list[Listed]) -> dict[str, str]:
    out = {}
    for t in listed:
        name = t.id.removeprefix("scenario/")
        path = SCENARIOS / f"{name}.expected"
        if t.kind == "scenario" and path.is_file():
            out[name] = path.read_text()
    return out


def write_expected(listed: list[Listed], log: Log) -> list[TestResult]:
    """Rewrite user/scenarios/<name>.expected from this (Linux) run: each
    scenario that exited 0 gets its normalised output; the others fail."""
    tests = []
    for t in (t for t in listed if t.kind == "scenario"):
        name = f"{GROUP}/{t.id}"
        cap = log.captures.get(t.id)
        problem = "never ran" if cap is None else _scenario_problem(t, cap)
        if problem:
            tests.append(TestResult(name, FAIL, f"{problem}; expected output not written",
                                    _excerpt(cap) if cap else []))
            continue
        path = SCENARIOS / f"{t.id.removeprefix('scenario/')}.expected"
        path.write_text(normalize(cap.text))
        tests.append(TestResult(name, PASS, f"wrote {path.relative_to(REPO)}"))
    return tests


def run(kernel: Kernel, paths: system.Paths, update_expected: bool = False) -> SuiteResult:
    """Boot kernel with the suite's initramfs and judge the log. With
    update_expected, scenarios are not compared but their .expected files
    are rewritten (programs are judged as usual)."""
    initrd = paths.build / "conformance/initramfs.cpio"
    list_path = paths.build / "conformance/list"
    log_path = paths.logs / f"conformance-{kernel.name}.log"
    try:
        if not initrd.is_file() or not list_path.is_file():
            raise qemu.SetupError(f"{initrd} not found; run make initramfs")
        listed = load_list(list_path)
        time_limit = kernel.boot_seconds + sum(t.timeout for t in listed)
        machine = qemu.Machine(kernel=kernel.image, append=kernel.append, initrd=initrd)
        machine.check()
        result = qemu.run(qemu.command(machine, "pipe"), log_path, time_limit)
    except (qemu.SetupError, ListError, OSError) as e:
        return SuiteResult(GROUP, [TestResult(GROUP, FAIL, str(e))], reasons=[str(e)], kernel=kernel.label)
    tests, problems, log = evaluate(listed, result, time_limit, _expected_outputs(listed))
    if update_expected:
        tests = [t for t in tests if not t.name.startswith(f"{GROUP}/scenario/")]
        tests += write_expected(listed, log)
    reasons = problems + [f"init note: {n}" for n in log.notes]     # shown with failures
    return SuiteResult(GROUP, tests, result.seconds, reasons, log_path,
                       system.rerun_command(machine, time_limit), result.stderr,
                       kernel=kernel.label, notes=log.notes)


def area_table(g: SuiteResult) -> str:
    """Per-area counts (a Markdown table) of a finished run, known failures applied."""
    areas: dict[str, dict[str, int]] = {}
    for t in g.tests:
        parts = t.name.split("/")
        if len(parts) < 2:
            continue
        row = areas.setdefault(parts[1], dict.fromkeys(("passed", "known", "failed", "skipped"), 0))
        row[{PASS: "passed", XFAIL: "known", SKIP: "skipped", FAIL: "failed", ERROR: "failed"}[t.status]] += 1
    total = {k: sum(r[k] for r in areas.values()) for k in ("passed", "known", "failed", "skipped")}
    lines = ["| area | passed | known-failing | failed | skipped | total |",
             "| --- | ---: | ---: | ---: | ---: | ---: |"]
    for name, r in sorted(areas.items()) + [("**total**", total)]:
        lines.append(f"| {name} | {r['passed']} | {r['known']} | {r['failed']} | {r['skipped']} "
                     f"| {sum(r.values())} |")
    return "\n".join(lines)


def report_markdown(g: SuiteResult) -> str:
    """build/conformance.md (Keel) or build/conformance-linux.md."""
    out = [f"# Conformance suite on {g.kernel}", "",
           "Each TAP case of a test program is one test; a program that did not run, or",
           "failed as a whole, counts once more as `conformance/<area>/<program>`.",
           "Scenarios are one test each (area `scenario`).", "", area_table(g), ""]
    if g.notes:
        out += ["Notes from the test init:", ""] + [f"- {n}" for n in g.notes] + [""]
    return "\n".join(out)
