"""The scripted interactive session: `make run`'s system, typed at.

Boots the default system image (build/system/initramfs.cpio: keel-init,
busybox, ptyrun) with the serial port driven by tools/keelrun/interactive.py
and plays a user at the shell prompt: commands, Ctrl-C, Ctrl-Z and job
control, arrow-up history, vi, a pseudo-terminal, and finally `poweroff`.
Each step is one test, system-shell/<step>; a step that fails is followed by
an attempt to get a prompt back (Ctrl-C, Enter), and when that fails too the
remaining steps fail as "not run". The same script must pass on Linux (the
oracle, `make test-linux`) and on Keel (`make test`).

  python3 -m keelrun.shell_session [--linux] [--build build] [-v]   (from tools/)
"""
import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from . import REPO, conformance, interactive, qemu, system
from .results import FAIL, PASS, GroupResult, TestResult

GROUP = "system-shell"
PROMPT = re.compile(r"root@keel:[^\n#]*# ")
COMMAND_SECONDS = 20.0          # one command under TCG, generous
POWEROFF_SECONDS = 30.0


class StepFailed(Exception):
    pass


@dataclass
class Step:
    name: str
    run: Callable[["Shell"], None]


class Shell:
    """A shell prompt on a Console: type a line, get its output."""

    def __init__(self, console: interactive.Console):
        self.c = console

    def prompt(self, timeout: float = COMMAND_SECONDS) -> str:
        """Wait for the next prompt; the text before it."""
        start = self.c.position
        m = self.c.expect(PROMPT, timeout)
        return m.string[start:m.start()]

    def command(self, line: str, timeout: float = COMMAND_SECONDS) -> str:
        """Type line and Enter at the prompt; its output (the echoed line
        left out) once the next prompt appears."""
        self.c.send(line + "\r")
        text = self.prompt(timeout)
        first, _, rest = text.partition("\n")
        # A terminal echoes the line; without echo (no line discipline) the
        # first line is already output, and the missing echo shows in the
        # steps that need it (job control waits for the echo).
        return rest if first.rstrip().endswith(line) else text

    def check(self, line: str, *patterns: str) -> str:
        """command(line); every pattern must match a line of its output."""
        out = self.command(line)
        for p in patterns:
            if not re.search(p, out, re.MULTILINE):
                raise StepFailed(f"`{line}`: no line matches {p!r}; output: {_excerpt(out)}")
        return out

    def start_foreground(self, line: str) -> None:
        """Type line and wait until it has been read and has had a moment
        to start (so a key typed next reaches it, not the shell)."""
        self.c.send(line + "\r")
        self.c.expect(re.escape(line) + r"\n", 10.0)
        time.sleep(1.5)

    def status_is(self, value: int) -> None:
        self.check("echo st=$?", rf"^st={value}$")


def _excerpt(text: str, limit: int = 300) -> str:
    text = text.strip()
    return repr(text if len(text) <= limit else text[:limit] + "...")


# ---- the steps ----------------------------------------------------------------

def step_arith(sh: Shell) -> None:
    sh.check("echo $((6*7))", r"^42$")


def step_hostname(sh: Shell) -> None:
    sh.check("hostname", r"^keel$")


def step_ls_proc(sh: Shell) -> None:
    sh.check("ls /proc", r"(^|\s)self(\s|$)", r"(^|\s)1(\s|$)")


def step_ps(sh: Shell) -> None:
    sh.check("ps", r"^\s*1\s+root\s.*init", r"^\s*\d+\s+root\s+-sh\b")


def step_top(sh: Shell) -> None:
    sh.check("top -b -n 1 | head -n 12", r"^Mem: \d+K used, \d+K free", r"^CPU:",
             r"^Load average: \d+\.\d\d \d+\.\d\d \d+\.\d\d", r"^\s*1\s+0\s+root\s.*init")


def step_top_live(sh: Shell) -> None:
    """Full-screen top: raw keyboard input, 'q' quits."""
    sh.c.send("top\r")
    sh.c.expect(r"Load average: \d+\.\d\d", COMMAND_SECONDS)
    sh.c.expect(r"PID\s+PPID\s+USER\s+STAT", COMMAND_SECONDS)
    time.sleep(0.5)
    sh.c.send("q")
    sh.prompt(10.0)


def step_free(sh: Shell) -> None:
    """Total, used, free; shared and buff/cache hold at least the root's files."""
    sh.check("free", r"^Mem:\s+[1-9]\d*\s+[1-9]\d*\s+[1-9]\d*\s+[1-9]\d*\s+[1-9]\d*\s+\d+$")


def step_dmesg(sh: Shell) -> None:
    out = sh.command("dmesg | tail -n 3")
    lines = [ln for ln in out.splitlines() if ln.strip()]
    if len(lines) != 3 or not all(re.match(r"^\[\s*\d+\.\d+\] ", ln) for ln in lines):
        raise StepFailed(f"expected 3 timestamped kernel log lines, got: {_excerpt(out)}")


def step_uptime(sh: Shell) -> None:
    sh.check("uptime", r"up .*load average: \d+\.\d\d, \d+\.\d\d, \d+\.\d\d")


def step_mount(sh: Shell) -> None:
    sh.check("mount", r"^proc on /proc type proc ", r"^devpts on /dev/pts type devpts ",
             r"^sysfs on /sys type sysfs ", r"^tmpfs on /tmp type tmpfs ",
             r"^devtmpfs on /dev type devtmpfs ")


def step_df(sh: Shell) -> None:
    """df /tmp shows the tmpfs and what a 1000 KiB file uses of it."""
    sh.command("dd if=/dev/zero of=/tmp/df.bin bs=1k count=1000 2>/dev/null")
    out = sh.check("df /tmp", r"^tmpfs\s+[1-9]\d*\s+\d+\s+[1-9]\d*\s+\d+%\s+/tmp$")
    used = int(re.search(r"^tmpfs\s+\d+\s+(\d+)", out, re.MULTILINE).group(1))
    sh.command("rm /tmp/df.bin")
    if not 1000 <= used <= 1100:
        raise StepFailed(f"df /tmp: {used} KiB used with a 1000 KiB file in it")


def step_cpuinfo(sh: Shell) -> None:
    sh.check("cat /proc/cpuinfo | grep -c processor", r"^2$")


def step_ctrl_c(sh: Shell) -> None:
    sh.start_foreground("sleep 100")
    sh.c.send("\x03")
    sh.prompt(5.0)
    sh.status_is(130)


def step_ctrl_z(sh: Shell) -> None:
    sh.start_foreground("sleep 100")
    sh.c.send("\x1a")
    out = sh.prompt(5.0)
    if not re.search(r"Stopped\s+sleep 100", out):
        raise StepFailed(f"no 'Stopped' line after Ctrl-Z: {_excerpt(out)}")


def step_jobs(sh: Shell) -> None:
    sh.check("jobs", r"^\[1\]\+\s+Stopped\s+sleep 100$")


def step_bg(sh: Shell) -> None:
    sh.check("bg", r"^\[1\]\s+sleep 100$")
    sh.check("jobs", r"^\[1\]\+\s+Running\s+sleep 100$")


def step_fg(sh: Shell) -> None:
    sh.start_foreground("fg")
    sh.c.send("\x03")
    out = sh.prompt(5.0)
    if "sleep 100" not in out:
        raise StepFailed(f"fg did not name the job: {_excerpt(out)}")
    sh.status_is(130)
    if "sleep" in sh.command("jobs"):
        raise StepFailed("the job is still listed after Ctrl-C")


def step_kill_stop_cont(sh: Shell) -> None:
    """A background child stopped by kill -STOP is reported by the shell
    (SIGCHLD, waitpid's WUNTRACED), kill -CONT makes it run again, and a
    kill ends it."""
    sh.command("sleep 100 &")   # ash, unlike bash, prints no "[1] pid"
    sh.check("jobs", r"^\[1\]\+\s+Running\s+sleep 100$")
    sh.check("kill -STOP %1; sleep 1; jobs", r"^\[1\]\+\s+Stopped \(signal\)\s+sleep 100$")
    sh.check("grep State /proc/$!/status", r"^State:\s+T \(stopped\)$")
    # ash notes the continue only when it waits for the job (as on Linux):
    # the process itself must run again.
    sh.check("kill -CONT %1; sleep 1; grep State /proc/$!/status", r"^State:\s+S \(sleeping\)$")
    sh.command("kill %1; wait")
    sh.check("jobs", r"^\[1\]\+\s+Terminated\s+sleep 100$")  # reported once
    if "sleep" in sh.command("jobs"):
        raise StepFailed("the killed job is still listed")


def step_history(sh: Shell) -> None:
    sh.check("echo hist-$((40+2))", r"^hist-42$")
    sh.c.send("\x1b[A")
    sh.c.expect(r"echo hist-\$\(\(40\+2\)\)", COMMAND_SECONDS)
    time.sleep(0.3)
    sh.c.send("\r")
    out = sh.prompt()
    if not re.search(r"^hist-42$", out, re.MULTILINE):
        raise StepFailed(f"arrow-up did not recall the command: {_excerpt(out)}")


def step_vi(sh: Shell) -> None:
    sh.c.send("vi /tmp/x\r")
    sh.c.expect(r"/tmp/x", COMMAND_SECONDS)
    time.sleep(1.0)
    sh.c.send("ihello from vi")
    time.sleep(0.5)
    sh.c.send("\x1b")
    time.sleep(0.5)         # a lone ESC, not the start of an escape sequence
    sh.c.send(":wq\r")
    sh.prompt()
    sh.check("cat /tmp/x", r"^hello from vi$")


def step_pty_tty(sh: Shell) -> None:
    sh.check("ptyrun -q -c tty", r"^/dev/pts/0$")


def step_pty_size(sh: Shell) -> None:
    sh.check("ptyrun -q -c 'stty size'", r"^24 80$")


def step_pty_status(sh: Shell) -> None:
    sh.command("ptyrun -q -c 'exit 3'")
    sh.status_is(3)


def step_pty_log(sh: Shell) -> None:
    sh.command("ptyrun -q -c 'echo logged' /tmp/pty.log >/dev/null")
    sh.check("cat /tmp/pty.log", r"^logged$")


def step_pty_shell(sh: Shell) -> None:
    """An interactive shell on the pseudo-terminal, typed at through ptyrun."""
    sh.start_foreground("ptyrun -q")
    sh.c.send("tty\r")
    sh.c.expect(r"\n/dev/pts/\d+\n", COMMAND_SECONDS)
    sh.c.send("exit 5\r")
    sh.prompt()
    sh.status_is(5)


def step_pty_eof(sh: Shell) -> None:
    """Piped input to a shell on the pseudo-terminal; its end is ^D."""
    sh.check("echo 'echo hi-$((1+1))' | ptyrun -q; echo st=$?", r"^hi-2$", r"^st=0$")


def step_pty_ctrl_c(sh: Shell) -> None:
    sh.start_foreground("ptyrun -q -c 'sleep 100'")
    sh.c.send("\x03")
    sh.prompt(5.0)
    sh.status_is(130)


def step_respawn(sh: Shell) -> None:
    sh.c.send("exit\r")
    sh.prompt(COMMAND_SECONDS)
    sh.check("echo again", r"^again$")


STEPS = [Step(f.__name__.removeprefix("step_").replace("_", "-"), f) for f in (
    step_arith, step_hostname, step_ls_proc, step_ps, step_top, step_top_live, step_free, step_dmesg,
    step_uptime, step_mount, step_df, step_cpuinfo, step_respawn, step_ctrl_c, step_ctrl_z,
    step_jobs, step_bg, step_fg, step_kill_stop_cont, step_history, step_vi, step_pty_tty, step_pty_size,
    step_pty_status, step_pty_log, step_pty_shell, step_pty_eof, step_pty_ctrl_c)]


# ---- running ------------------------------------------------------------------

def _recover(sh: Shell) -> bool:
    """After a failed step: get back to a fresh prompt if we can."""
    try:
        sh.c.send("\x03")
        time.sleep(0.5)
        sh.c.skip()
        sh.c.send("\r")
        sh.prompt(10.0)
        return True
    except interactive.ConsoleError:
        return False


def _boot(console: interactive.Console, boot_seconds: float) -> list[TestResult]:
    try:
        console.expect(r"keel-init: starting shell on /dev/ttyS0", boot_seconds)
        console.expect(PROMPT, COMMAND_SECONDS)
        return [TestResult(f"{GROUP}/boot", PASS)]
    except interactive.ConsoleError as e:
        return [TestResult(f"{GROUP}/boot", FAIL, f"no shell prompt: {e}")]


def _poweroff(console: interactive.Console) -> TestResult:
    name = f"{GROUP}/poweroff"
    try:
        console.send("poweroff\r")
    except interactive.ConsoleError as e:
        return TestResult(name, FAIL, str(e))
    status = console.wait_exit(POWEROFF_SECONDS)
    if status is None:
        return TestResult(name, FAIL, f"QEMU still running {POWEROFF_SECONDS:g}s after poweroff")
    if status != 0:
        return TestResult(name, FAIL, f"QEMU exit status {qemu.describe_status(status)}, "
                                      "expected 0 (ACPI power-off)")
    return TestResult(name, PASS)


def play(console: interactive.Console, boot_seconds: float) -> list[TestResult]:
    """Every step's result, in order; the console must be started."""
    tests = _boot(console, boot_seconds)
    lost = tests[0].status != PASS
    sh = Shell(console)
    for step in STEPS:
        name = f"{GROUP}/{step.name}"
        if lost:
            tests.append(TestResult(name, FAIL, "not run: no shell prompt"))
            continue
        try:
            step.run(sh)
            tests.append(TestResult(name, PASS))
        except (StepFailed, interactive.ConsoleError) as e:
            tests.append(TestResult(name, FAIL, str(e)))
            lost = not _recover(sh)
    tests.append(TestResult(f"{GROUP}/poweroff", FAIL, "not run: no shell prompt") if lost
                 else _poweroff(console))
    return tests


def run(kernel: conformance.Kernel, paths: system.Paths, echo=None) -> GroupResult:
    """Boot kernel with build/system/initramfs.cpio and play the session."""
    initrd = paths.build / "system/initramfs.cpio"
    log = paths.logs / f"{GROUP}-{kernel.name}.log"
    start = time.monotonic()
    try:
        if not initrd.is_file():
            raise qemu.SetupError(f"{initrd} not found; run make system")
        machine = qemu.Machine(kernel=kernel.image, append=kernel.append, initrd=initrd)
        machine.check()
        console = interactive.Console(qemu.command(machine, "pipe"), log, echo)
        console.start()
    except qemu.SetupError as e:
        return GroupResult(GROUP, [TestResult(GROUP, FAIL, str(e))], reasons=[str(e)])
    try:
        tests = play(console, kernel.boot_seconds)
    finally:
        console.close()
    rerun = (f"tools/qemu-run --kernel {kernel.image} --initrd {initrd} --interactive"
             + (f" --append '{kernel.append}'" if kernel.append else ""))
    return GroupResult(GROUP, tests, time.monotonic() - start, [], log, rerun, console.stderr)


def keel(paths: system.Paths) -> conformance.Kernel:
    return conformance.Kernel("keel", f"Keel ({paths.kernel})", paths.kernel, "testmode quiet", 20.0)


def linux() -> conformance.Kernel:
    k = conformance.linux()
    return conformance.Kernel(k.name, k.label, k.image, k.append, 90.0)


def main() -> int:
    import argparse
    import os
    import sys
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--linux", action="store_true", help="boot Debian's kernel instead of Keel")
    ap.add_argument("--build", default="build", type=Path)
    ap.add_argument("-v", "--verbose", action="store_true", help="echo the serial console")
    args = ap.parse_args()
    os.chdir(REPO)
    paths = system.Paths(args.build)
    kernel = linux() if args.linux else keel(paths)
    g = run(kernel, paths, sys.stdout.buffer if args.verbose else None)
    for t in g.tests:
        print(f"{'ok' if t.status == PASS else 'not ok'} {t.name}" + (f" # {t.detail}" if t.detail else ""))
    print(f"log: {g.log}  ({g.seconds:.1f}s)")
    return 1 if g.failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
