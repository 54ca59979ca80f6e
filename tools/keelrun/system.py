"""Running one system-test spec in QEMU and judging its serial log.

run_spec() does the I/O (files, QEMU); evaluate() is a pure function of the
spec and the run's result, so the judging rules are tested on canned logs.
"""
import os
import shlex
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from . import REPO, logline, qemu, tap
from .results import GroupResult, judge, single
from .spec import Spec


@dataclass
class Paths:
    """Where the build lives; everything is relative to the repository root."""
    build: Path

    @property
    def kernel(self) -> Path:
        return self.build / "keel.elf"

    @property
    def iso(self) -> Path:
        return self.build / "keel.iso"

    @property
    def logs(self) -> Path:
        return self.build / "logs"


class Expectations:
    """Tracks a spec's expect: lines over the log as it arrives.

    A line is matched on its message (log prefix stripped) and as it came.
    In order, each expect needs a line after the one that matched the
    previous expect."""

    def __init__(self, patterns, ordered: bool):
        self.patterns = list(patterns)
        self.ordered = ordered
        self.matched = [False] * len(self.patterns)

    def feed(self, line: str) -> bool:
        """Consume one log line; True once every expect has matched."""
        msg = logline.strip_prefix(line)
        for i, rx in enumerate(self.patterns):
            if self.matched[i]:
                continue
            if rx.search(msg) or rx.search(line):
                self.matched[i] = True
                if self.ordered:
                    break
            elif self.ordered:
                break
        return self.done

    @property
    def done(self) -> bool:
        return all(self.matched)

    @property
    def missing(self) -> list[str]:
        return [rx.pattern for rx, ok in zip(self.patterns, self.matched) if not ok]


def machine_for(spec: Spec, paths: Paths) -> qemu.Machine:
    """The machine a spec boots; generates its initrd or UEFI variables."""
    if "iso" in spec.needs and not paths.iso.is_file():
        raise qemu.SetupError(f"{paths.iso} not found; `make test` builds it (or run `make iso`)")
    if spec.boot == "kernel":
        return qemu.Machine(kernel=paths.kernel, append=spec.append, initrd=_initrd(spec, paths),
                            memory=spec.memory, smp=spec.smp, extra=list(spec.qemu))
    firmware = spec.boot.removeprefix("iso-")
    vars_ = qemu.fresh_uefi_vars(paths.build / "ovmf" / f"{spec.name}-vars.fd") \
        if firmware == "uefi" else None
    return qemu.Machine(iso=paths.iso, firmware=firmware, uefi_vars=vars_, memory=spec.memory,
                        smp=spec.smp, extra=list(spec.qemu))


def _initrd(spec: Spec, paths: Paths):
    if spec.initrd is None:
        return None
    if spec.conformance_programs is not None:
        return _conformance_initrd(spec, paths)
    size = spec.random_initrd_size
    if size is None:
        return Path(spec.initrd)
    path = paths.build / "initrd" / f"{spec.name}-random-{size}.bin"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(os.urandom(size))
    return path


def _conformance_initrd(spec: Spec, paths: Paths) -> Path:
    """The conformance init with just the spec's programs (built by make user)."""
    init = paths.build / "user/init/conformance-init"
    progs = [paths.build / "user/tests" / p for p in spec.conformance_programs]
    for f in [init] + progs:
        if not f.is_file():
            raise qemu.SetupError(f"{f} not found; run make user")
    path = paths.build / "initrd" / f"{spec.name}-conformance.cpio"
    path.parent.mkdir(parents=True, exist_ok=True)
    tool = REPO / "tools/mkinitramfs.py"
    cmd = [sys.executable, str(tool), "-o", str(path), "--init", str(init),
           "--sources", str(REPO / "user/tests"), "--tests"] + [str(p) for p in progs]
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode:
        raise qemu.SetupError(f"mkinitramfs failed: {done.stderr.strip()}")
    return path


def rerun_command(m: qemu.Machine, timeout: float) -> str:
    """The tools/qemu-run command that boots the same machine by hand."""
    cmd = ["tools/qemu-run"]
    if m.kernel is not None:
        cmd += ["--kernel", str(m.kernel)]
        if m.append:
            cmd += ["--append", m.append]
        if m.initrd is not None:
            cmd += ["--initrd", str(m.initrd)]
    else:
        cmd += ["--iso", str(m.iso), "--firmware", m.firmware]
    if m.memory != "256M":
        cmd += ["--memory", m.memory]
    if m.smp != 2:
        cmd += ["--smp", str(m.smp)]
    cmd += ["--timeout", f"{timeout:g}"]
    if m.extra:
        cmd += ["--"] + list(m.extra)
    return shlex.join(cmd)


def run_spec(spec: Spec, paths: Paths) -> GroupResult:
    log = paths.logs / f"{spec.name}.log"
    try:
        machine = machine_for(spec, paths)
        machine.check()
        cmd = qemu.command(machine, "pipe")
        expectations = Expectations(spec.expects, spec.expect_order)
        stop_early = spec.exit == "none"
        run = qemu.run(cmd, log, spec.time_limit,
                       watch=lambda line: expectations.feed(line) and stop_early)
    except qemu.SetupError as e:
        return GroupResult(spec.name, single(spec.name, [str(e)]), reasons=[str(e)])
    tests, reasons = evaluate(spec, run)
    return GroupResult(spec.name, tests, run.seconds, reasons, log,
                       rerun_command(machine, spec.time_limit), run.stderr)


# QEMU's exit status for each `exit:` value that ends the run.
EXPECTED_STATUS = {**qemu.EXPECTED_STATUS, "quit": 0}


def evaluate(spec: Spec, run: qemu.RunResult):
    """(tests, reasons) for a finished run: reasons lists every run-level problem."""
    explainable, unexplained = [], []
    if run.outcome is qemu.Outcome.TIMEOUT:
        explainable.append(f"timed out after {spec.time_limit:g}s (QEMU killed)")
    elif run.outcome is qemu.Outcome.EXITED:
        if spec.exit == "none":
            explainable.append(f"QEMU exited by itself with status {qemu.describe_status(run.status)}; "
                               "expected the kernel to keep running")
        elif run.status != EXPECTED_STATUS[spec.exit]:
            want = qemu.describe_status(EXPECTED_STATUS[spec.exit])
            explainable.append(f"QEMU exit status {qemu.describe_status(run.status)}, expected {want}")

    expectations = Expectations(spec.expects, spec.expect_order)
    for line in run.lines:
        expectations.feed(line)
    order = " (in order)" if spec.expect_order else ""
    unexplained += [f"no log line matched expect{order}: {rx}" for rx in expectations.missing]
    for rx in spec.rejects:
        hit = next((ln for ln in run.lines if rx.search(logline.strip_prefix(ln)) or rx.search(ln)), None)
        if hit is not None:
            unexplained.append(f"rejected pattern {rx.pattern!r} matched: {hit}")

    if not spec.ktap:
        problems = explainable + unexplained
        return single(spec.name, problems), problems
    stream = tap.parse(logline.strip_prefix(ln) for ln in run.lines)
    cases = tap.cases(stream)
    if not stream.started:
        unexplained.append("no KTAP output in the log")
    elif not cases:
        unexplained.append("KTAP reported no test cases (plan 1..0): nothing was tested")
    if stream.bailed:
        explainable.append(f"KTAP Bail out!: {stream.bailed}")
    tests = judge(spec.name, cases, explainable, unexplained)
    return tests, explainable + unexplained
