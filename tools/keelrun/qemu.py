"""Building QEMU command lines for Keel and running them with a time limit.

One place decides the machine every run uses (q35, -cpu max, isa-debug-exit,
no reboot), so interactive runs, debug sessions and tests boot the same
machine. Test runs read the serial port through a pipe: the caller sees every
line as it arrives (to stop QEMU once a test has seen what it needs), and a
hung kernel is killed when the time limit is reached.
"""
import enum
import os
import selectors
import shutil
import signal
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Optional

from . import logline

QEMU = os.environ.get("QEMU", "qemu-system-x86_64")
INSTALL_HINT = "run tools/install-deps.sh"

# isa-debug-exit: the guest writes v to port 0xf4, QEMU exits with (v << 1) | 1.
STATUS_PASS = 33   # v = 0x10
STATUS_FAIL = 35   # v = 0x11
STATUS_PANIC = 37  # v = 0x12
EXPECTED_STATUS = {"pass": STATUS_PASS, "fail": STATUS_FAIL, "panic": STATUS_PANIC}

# Debian 12 ships the 4 MiB flash images; older layouts only the 2 MiB ones.
OVMF_DIR = Path("/usr/share/OVMF")
OVMF_CANDIDATES = [("OVMF_CODE_4M.fd", "OVMF_VARS_4M.fd"), ("OVMF_CODE.fd", "OVMF_VARS.fd")]


class SetupError(Exception):
    """A run cannot start (missing QEMU, kernel, firmware...); str() is the one-line reason."""


def describe_status(status: int) -> str:
    """What a QEMU exit status means for Keel, e.g. '37 = PANIC'."""
    names = {STATUS_PASS: "PASS", STATUS_FAIL: "FAIL", STATUS_PANIC: "PANIC"}
    if status in names:
        return f"{status} = {names[status]}"
    if status < 0:
        try:
            return f"killed by {signal.Signals(-status).name}"
        except ValueError:
            return f"killed by signal {-status}"
    if status == 0:
        return "0 = QEMU quit without isa-debug-exit (guest reset/triple fault with -no-reboot, or power-off)"
    if status == 1:
        return "1 = QEMU error, or the guest wrote 0 to isa-debug-exit"
    if status & 1:
        return f"{status} = unknown isa-debug-exit value {status >> 1:#x}"
    return f"{status} = QEMU error"


@dataclass
class Machine:
    """What to boot and how; the fixed parts of the machine live in command()."""
    kernel: Optional[Path] = None
    iso: Optional[Path] = None
    firmware: str = "bios"              # "bios" | "uefi" (ISO boots only)
    append: str = ""
    initrd: Optional[Path] = None
    memory: str = "256M"
    smp: int = 2
    icount: bool = False
    gdb: bool = False
    uefi_vars: Optional[Path] = None    # writable per-run copy of OVMF_VARS
    extra: list[str] = field(default_factory=list)

    def check(self) -> None:
        """Raise SetupError for combinations and files that cannot boot."""
        if (self.kernel is None) == (self.iso is None):
            raise SetupError("give exactly one of a kernel and an ISO")
        if self.kernel is not None:
            if self.firmware == "uefi":
                raise SetupError("UEFI boots need an ISO (OVMF cannot boot a PVH kernel directly)")
            _need_file(self.kernel, "kernel", "run make")
            if self.initrd is not None:
                _need_file(self.initrd, "initrd", "check the path")
        else:
            if self.append or self.initrd is not None:
                raise SetupError("--append and --initrd need --kernel (the ISO's grub.cfg fixes the command line)")
            _need_file(self.iso, "ISO", "run make iso")
        if self.firmware not in ("bios", "uefi"):
            raise SetupError(f"unknown firmware {self.firmware!r} (bios or uefi)")
        if shutil.which(QEMU) is None:
            raise SetupError(f"{QEMU} not found; {INSTALL_HINT}")


def _need_file(path: Path, what: str, hint: str) -> None:
    if not path.is_file():
        raise SetupError(f"{what} {path} not found; {hint}")


def find_ovmf() -> tuple[Path, Path]:
    """The (code, vars template) OVMF flash images installed on this host."""
    for code, vars_ in OVMF_CANDIDATES:
        if (OVMF_DIR / code).is_file() and (OVMF_DIR / vars_).is_file():
            return OVMF_DIR / code, OVMF_DIR / vars_
    raise SetupError(f"OVMF firmware not found in {OVMF_DIR}; {INSTALL_HINT}")


def fresh_uefi_vars(dest: Path) -> Path:
    """Copy the OVMF variable store to dest: every UEFI run starts from the
    pristine template (boot entries written by one run cannot change the next)
    and the system copy under /usr/share is never written."""
    _, template = find_ovmf()
    dest.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(template, dest)
    return dest


def command(m: Machine, serial: str) -> list[str]:
    """The QEMU argv for machine m.

    serial is "pipe" (serial on stdout, no monitor: tests) or "console:LOG"
    (serial and the QEMU monitor multiplexed on the terminal, Ctrl-A X quits,
    everything also copied to LOG).
    """
    cmd = [QEMU, "-machine", "q35", "-cpu", "max", "-m", m.memory, "-smp", str(m.smp),
           "-no-reboot", "-display", "none", "-nic", "none",
           "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04"]
    if serial == "pipe":
        cmd += ["-serial", "stdio", "-monitor", "none"]
    elif serial.startswith("console:"):
        # -serial mon:stdio plus a log file; signal=off sends Ctrl-C to the guest.
        log = serial[len("console:"):]
        cmd += ["-chardev", f"stdio,id=con0,mux=on,signal=off,logfile={log}",
                "-serial", "chardev:con0", "-mon", "chardev=con0"]
    else:
        raise ValueError(f"unknown serial mode {serial!r}")
    if m.kernel is not None:
        cmd += ["-kernel", str(m.kernel)]
        if m.append:
            cmd += ["-append", m.append]
        if m.initrd is not None:
            cmd += ["-initrd", str(m.initrd)]
    else:
        if m.firmware == "uefi":
            code, _ = find_ovmf()
            if m.uefi_vars is None:
                raise ValueError("UEFI boot without a per-run OVMF_VARS copy")
            cmd += ["-drive", f"if=pflash,format=raw,readonly=on,file={code}",
                    "-drive", f"if=pflash,format=raw,file={m.uefi_vars}"]
        cmd += ["-cdrom", str(m.iso), "-boot", "d"]
    if m.icount:
        cmd += ["-icount", "shift=0"]
    if m.gdb:
        cmd += ["-s", "-S"]
    return cmd + list(m.extra)


class Outcome(enum.Enum):
    EXITED = "exited"     # QEMU ended by itself; RunResult.status is its status
    STOPPED = "stopped"   # the watcher asked us to stop QEMU
    TIMEOUT = "timeout"   # the time limit ran out and QEMU was killed


@dataclass
class RunResult:
    outcome: Outcome
    status: Optional[int]     # QEMU's exit status when outcome is EXITED
    lines: list[str]          # cleaned serial lines
    seconds: float
    stderr: str               # QEMU's own messages (bad options, missing files...)


def run(cmd: list[str], log_path: Path, timeout: Optional[float],
        watch: Optional[Callable[[str], bool]] = None, echo=None) -> RunResult:
    """Run QEMU with serial on a pipe, copying it to log_path (and echo, a
    binary stream, if given). watch(line) sees every cleaned serial line;
    returning True stops QEMU. timeout None means no limit."""
    log_path.parent.mkdir(parents=True, exist_ok=True)
    start = time.monotonic()
    deadline = None if timeout is None else start + timeout
    lines: list[str] = []
    stderr = bytearray()
    partial = b""
    outcome = None
    with open(log_path, "wb") as log:
        try:
            proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                    stderr=subprocess.PIPE)
        except OSError as e:
            raise SetupError(f"cannot start {cmd[0]}: {e.strerror}; {INSTALL_HINT}") from e
        sel = selectors.DefaultSelector()
        sel.register(proc.stdout, selectors.EVENT_READ, "out")
        sel.register(proc.stderr, selectors.EVENT_READ, "err")
        try:
            while sel.get_map() and outcome is None:
                wait = None if deadline is None else deadline - time.monotonic()
                if wait is not None and wait <= 0:
                    outcome = Outcome.TIMEOUT
                    break
                for key, _ in sel.select(wait):
                    data = os.read(key.fileobj.fileno(), 65536)
                    if not data:
                        sel.unregister(key.fileobj)
                    elif key.data == "err":
                        stderr += data
                    else:
                        log.write(data)
                        log.flush()
                        if echo is not None:
                            echo.write(data)
                            echo.flush()
                        *complete, partial = (partial + data).split(b"\n")
                        if _take_lines(complete, lines, watch):
                            outcome = Outcome.STOPPED
            if partial:                 # a last line without a line end
                if _take_lines([partial], lines, watch if outcome is None else None):
                    outcome = Outcome.STOPPED
            if outcome is None:
                outcome = _wait_exit(proc, deadline)
        finally:
            sel.close()
            _stop(proc)
            status = proc.wait()
            stderr += proc.stderr.read() or b""
            proc.stdout.close()
            proc.stderr.close()
    messages = stderr.decode(errors="replace")
    if outcome is not Outcome.EXITED:   # drop QEMU's note about our own SIGTERM
        messages = "".join(ln for ln in messages.splitlines(keepends=True)
                           if "terminating on signal" not in ln)
    return RunResult(outcome, status if outcome is Outcome.EXITED else None, lines,
                     time.monotonic() - start, messages)


def _take_lines(raw_lines, lines, watch) -> bool:
    """Append decoded lines; True once watch asks to stop."""
    stop = False
    for raw in raw_lines:
        line = logline.clean(raw.decode(errors="replace"))
        lines.append(line)
        if watch is not None and not stop and watch(line):
            stop = True
    return stop


def _wait_exit(proc: subprocess.Popen, deadline: Optional[float]) -> Outcome:
    """After the serial pipe closed: QEMU is exiting; wait for it within the limit."""
    try:
        proc.wait(None if deadline is None else max(0.0, deadline - time.monotonic()))
        return Outcome.EXITED
    except subprocess.TimeoutExpired:
        return Outcome.TIMEOUT


def _stop(proc: subprocess.Popen) -> None:
    """SIGTERM, then SIGKILL if QEMU does not go within a few seconds."""
    if proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(timeout=5)
    except subprocess.TimeoutExpired:
        proc.kill()
